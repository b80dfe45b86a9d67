"""The track record: each model stage's measured out-of-sample accuracy (issue 12, part 3).

:func:`build` is the pure part of ``scripts/track_record.py``: it turns the project's own
backtests (a :class:`~ceasefire.backtest.cases.Scorecard` of the built-in historical cases and,
when the user measured it, a :class:`~ceasefire.backtest.models.DeuBacktest` on DEU III) into
the :class:`~ceasefire.results.TrackRecord` shipped as ``ceasefire/track_record.json``. The DEU
III file is never shipped (its licence is unverified): its figures are kept with the file's
sha256 and the date of measurement. :func:`load` reads the shipped record (the one I/O here,
called by the adapters, which attach it to an Analysis through ``run(track_record=...)``).
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: loading the record must not import the backtests
    from ceasefire.backtest.cases import Scorecard
    from ceasefire.backtest.models import DeuBacktest
from ceasefire.results import (
    CasesRecord,
    CaseStageFigure,
    DeuFigure,
    DeuRecord,
    TimeScaleFigure,
    TrackRecord,
)

RECORD_FILE = "track_record.json"
DEU_DATASET = (
    "DEU III (Arregui & Perarnaud 2021, JEPP; doi:10.34810/data53), derived table deu3.csv"
)


def deu_record(res: DeuBacktest, measured: str) -> DeuRecord:
    """Every forecaster's overall figures of one ``backtest deu`` run, with file and date."""
    figures = [
        DeuFigure(
            label=r.label,
            kind=r.kind,
            engine=r.engine,
            variant=str(r.params["variant"]) if "variant" in r.params else None,
            n=r.overall.n,
            mae=r.overall.mae,
            median_ae=r.overall.median_ae,
            baseline_mae=r.overall.baseline_mae,
            beats_share=r.beats_share,
            refused=len(r.refusals),
        )
        for r in res.records
    ]
    return DeuRecord(
        dataset=DEU_DATASET,
        file=res.source,
        sha256=res.sha256,
        layout=res.layout,
        capability=res.capability,
        seed=res.seed,
        measured=measured,
        package_version=res.package_version,
        baseline=res.baseline,
        scored=res.scored,
        figures=figures,
    )


def cases_record(sc: Scorecard, measured: str) -> CasesRecord:
    """The stages pooled over the historical cases of one ``backtest cases`` run."""
    return CasesRecord(
        cases=[c.case for c in sc.cases],
        measured=measured,
        package_version=sc.package_version,
        stages=[CaseStageFigure.model_validate(s.model_dump()) for s in sc.stages],
        time_scale=None
        if sc.time_scale is None
        else TimeScaleFigure.model_validate(
            sc.time_scale.model_dump(include=set(TimeScaleFigure.model_fields))
        ),
    )


def build(
    cases: Scorecard,
    cases_measured: str,
    deu: DeuBacktest | None = None,
    deu_measured: str = "",
    previous: TrackRecord | None = None,
) -> TrackRecord:
    """The record from the backtests; without a DEU run, the DEU figures of ``previous``."""
    deu_part = deu_record(deu, deu_measured) if deu is not None else None
    if deu_part is None and previous is not None:
        deu_part = previous.deu
    return TrackRecord(deu=deu_part, cases=cases_record(cases, cases_measured))


def dumps(record: TrackRecord) -> str:
    """The shipped file's text (stable: 2-space JSON and a final newline)."""
    return record.model_dump_json(indent=2) + "\n"


def load() -> TrackRecord:
    """The shipped record (package data ``ceasefire/track_record.json``)."""
    text = (resources.files("ceasefire") / RECORD_FILE).read_text("utf-8")
    return TrackRecord.model_validate_json(text)
