"""What "run a scenario" means, in one place: analyse, then optionally sweep every range.

Both adapters call :func:`run` — ``ceasefire run`` (``cli.py``) and the web app's worker
(``web/jobs.py``) — and write its result with ``outputs.write_run``, so the two cannot drift
apart in seeds or options. Pure: no I/O; ``progress`` is the caller's callback.

A sweep uses the analysis's own draws and seed (``run --draws N`` sweeps N draws from the
same seed as the central analysis) and stores its summary as ``Analysis.uncertainty``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ceasefire import analysis, bargaining
from ceasefire.results import Analysis, TrackRecord
from ceasefire.scenario import Scenario
from ceasefire.uncertainty.pipeline import DEFAULT_ENGINES


@dataclass(frozen=True)
class SweepOptions:
    """How a run's sweep samples and analyses (see ``uncertainty.backends.sweep_in_memory``)."""

    method: str = "lhs"
    engines: tuple[str, ...] = DEFAULT_ENGINES
    #: "rbd-fast" (from the draws), "sobol", "morris" or "none" (``sensitivity.METHODS``)
    sensitivity: str = "rbd-fast"
    #: the Sobol' base sample / Morris trajectories when asked for (default: sized from draws)
    sobol_n: int | None = None
    morris_r: int | None = None


def run(
    scenario: Scenario,
    *,
    sha256: str | None = None,
    source: str = "",
    draws: int | None = None,
    seed: int | None = None,
    engines: tuple[str, ...] | None = tuple(bargaining.ENGINES),
    sweep: SweepOptions | None = None,
    progress: Callable[[int], None] | None = None,
    track_record: TrackRecord | None = None,
) -> Analysis:
    """The analysis of ``scenario`` and, with ``sweep``, the summary of a sweep over its ranges.

    ``draws`` and ``seed`` default to the scenario's ``[monte_carlo]`` table; the sweep runs
    the same number of draws from the same seed. ``progress`` gets 0 when the sweep starts, then
    the draws of each finished chunk. ``track_record`` (the measured record of each stage, read
    by the caller: ``ceasefire.backtest.record.load``) is attached as ``Analysis.track_record``.
    """
    result = analysis.analyze(
        scenario, sha256=sha256, source=source, draws=draws, seed=seed, engines=engines
    )
    if track_record is not None:
        result = result.model_copy(update={"track_record": track_record})
    if sweep is None:
        return result
    from ceasefire.uncertainty.backends import sweep_in_memory

    if progress is not None:
        progress(0)  # the analysis is done, the sweep starts
    summary = sweep_in_memory(
        scenario,
        result.monte_carlo["draws"],
        result.monte_carlo["seed"],
        method=sweep.method,
        engines=sweep.engines,
        sensitivity=sweep.sensitivity,
        sobol_n=sweep.sobol_n,
        morris_r=sweep.morris_r,
        progress=progress,
    )
    return result.model_copy(update={"uncertainty": summary})


__all__ = ["SweepOptions", "run"]
