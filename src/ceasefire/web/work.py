"""What the web app's child processes do (:mod:`ceasefire.web.sandbox` runs each of these).

Every function here reads untrusted text; none is called in the server process itself. Each
returns plain picklable data. The drafts' functions also check the invariant the app promises:
**everything it saves, it can open** — a saved text must parse again and give an editor view.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ceasefire.scenario import Problem, ScenarioError, loads, parse_toml
from ceasefire.web import editor

log = logging.getLogger("ceasefire.web")

#: the run folder's rendered figures of the results page (rendered once, by the run's worker)
FIGURES = "figures.json"


@dataclass
class Opened:
    """A draft as the editor page needs it."""

    raw: dict[str, Any]
    view: editor.View
    problems: list[Problem]


@dataclass
class Facts:
    """What the runs list needs of a valid scenario."""

    id: str
    title: str
    seed: int


@dataclass
class Saved:
    """The outcome of an editor save: the new text (None: nothing to save) and the problems."""

    text: str | None
    title: str | None
    problems: list[Problem] = field(default_factory=list)
    view: editor.View | None = None


def parse(text: str, name: str) -> dict[str, Any]:
    """The bounded TOML reader."""
    return parse_toml(text, name)


def open_draft(text: str, name: str) -> Opened:
    """Parse a draft, split it into the editor's tables and list every problem."""
    raw = parse_toml(text, name)
    return Opened(raw, editor.view(raw), editor.problems_of(raw))


def facts(text: str, name: str) -> Facts:
    """Load a scenario (:class:`ScenarioError` when it has problems)."""
    s = loads(text, name)
    return Facts(s.id, s.scenario.title, s.monte_carlo.seed)


def upload(text: str, name: str) -> list[str]:
    """Check an uploaded text: a :class:`ScenarioError` when it cannot become a draft (it does
    not parse, or the editor could not show it); else its problems as lines (none: valid)."""
    raw = parse_toml(text, name)
    try:
        editor.view(raw)
    except (TypeError, ValueError) as err:
        raise ScenarioError(
            name, [Problem("", f"the editor cannot show this file: {err}")]
        ) from None
    try:
        loads(text, name)
    except ScenarioError as err:
        return err.lines(located=True)
    return []


def _title(raw: Mapping[str, Any]) -> str | None:
    scenario = raw.get("scenario")
    title = scenario.get("title") if isinstance(scenario, dict) else None
    return title if isinstance(title, str) else None


def save(old_text: str, name: str, edit: editor.Edit) -> Saved:
    """Merge an edit into a draft's text; refuse (text None) what could not be opened again."""
    merged = editor.merge(parse_toml(old_text, name), edit)
    if merged.text is None or merged.raw is None:
        return Saved(None, None, merged.problems)
    try:
        reopened = open_draft(merged.text, name)
    except ScenarioError as err:  # e.g. a table written inline on one line over the line limit
        why = "; ".join(p.render(name, located=True) for p in err.problems)
        return Saved(
            None, None, [Problem("rest", f"not saved: it could not be opened again: {why}")]
        )
    problems = editor.problems_of(merged.raw, merged.problems)
    return Saved(merged.text, _title(merged.raw), problems, reopened.view)


def compare_inputs(text_a: str, text_b: str) -> list[Any]:
    """The changed inputs between two runs' scenario texts."""
    from ceasefire.web import compare

    return compare.input_changes(parse_toml(text_a), parse_toml(text_b))


def changes(text_a: str, text_b: str, shown: int = 4) -> dict[str, Any]:
    """What changed from one run's scenario to the next: how many inputs, the first few."""
    rows = compare_inputs(text_a, text_b)
    return {"count": len(rows), "paths": [r.item for r in rows[:shown]]}


def _progress(ws: Any, run_id: str, draws: int) -> Callable[[int], None]:
    """A callback that records a sweep's draws done in the run's meta.json, chunk by chunk."""
    done = 0

    def progress(count: int) -> None:  # called once per chunk
        nonlocal done
        done = min(draws, done + count)
        stage = "sweep" if done < draws else "sensitivity"  # then indices, switch points
        ws.update_run(run_id, progress={"stage": stage, "done": done, "total": draws})

    return progress


def _summary(result: Any) -> list[dict[str, Any]]:
    """What the runs list shows without loading results.json: pass/fail and blockers."""
    return [
        {"id": p.id, "passes": p.passes, "blockers": list(p.blockers)} for p in result.proposals
    ]


def render_figures(folder: Path, result: Any, scenario: Any) -> None:
    """Render the results page's figures once and keep them with the run (``figures.json``)."""
    from ceasefire.outputs import atomic_write
    from ceasefire.scenario import geometry_or_none
    from ceasefire.web import views

    figures = views.figures(result, geometry_or_none(scenario))
    atomic_write(folder / FIGURES, json.dumps(figures))


def _finished_run(root: Path, run_id: str) -> tuple[Any, Any, Path]:
    """A finished run's Analysis, scenario and folder, read back from the workspace."""
    from ceasefire.results import Analysis
    from ceasefire.web.store import Workspace

    ws = Workspace(root)
    folder = ws.run_dir(run_id)
    result = Analysis.model_validate_json((folder / "results.json").read_text("utf-8"))
    return result, loads((folder / "scenario.toml").read_text("utf-8"), "run"), folder


def render_run(root: Path, run_id: str) -> None:
    """Render a finished run's figures into its folder (a run finished by an older version)."""
    result, scenario, folder = _finished_run(root, run_id)
    render_figures(folder, result, scenario)


def render_report(root: Path, run_id: str) -> None:
    """Render a finished run's self-contained report.html into its folder."""
    from ceasefire.outputs import atomic_write
    from ceasefire.report import html
    from ceasefire.scenario import geometry_or_none

    result, scenario, folder = _finished_run(root, run_id)
    atomic_write(folder / "report.html", html.render(result, scenario, geometry_or_none(scenario)))


@dataclass
class Job:
    """One run to execute: where, what text, how many draws, which seed, sweep or not."""

    root: Path
    run_id: str
    text: str
    source: str
    draws: int
    seed: int | None
    sweep: bool
    sweep_options: dict[str, Any]


def execute(job: Job) -> None:
    """Analyse a run's scenario (and sweep it), write results.json and the rendered figures,
    and record the status in meta.json — what ``ceasefire run`` does, in the run's worker."""
    from ceasefire.backtest.record import load as load_track_record
    from ceasefire.outputs import write_run
    from ceasefire.run import SweepOptions, run
    from ceasefire.web.store import Workspace, now

    ws = Workspace(job.root)
    draws = job.draws
    stage = {"progress": {"stage": "analysis", "done": 0, "total": draws}} if job.sweep else {}
    ws.update_run(job.run_id, status="running", started=now(), **stage)
    start = time.monotonic()
    try:
        scenario = loads(job.text, job.source)
        result = run(
            scenario,
            sha256=hashlib.sha256(job.text.encode("utf-8")).hexdigest(),
            source=job.source,
            draws=draws,
            seed=job.seed,
            sweep=SweepOptions(**job.sweep_options) if job.sweep else None,
            progress=_progress(ws, job.run_id, draws) if job.sweep else None,
            track_record=load_track_record(),
        )
        write_run(ws.run_dir(job.run_id), result)
        render_figures(ws.run_dir(job.run_id), result, scenario)
    except ScenarioError as err:
        ws.update_run(job.run_id, status="failed", finished=now(), error="\n".join(err.lines()))
        return
    done = {"progress": {"stage": "done", "done": draws, "total": draws}} if job.sweep else {}
    ws.update_run(
        job.run_id,
        status="done",
        finished=now(),
        seconds=round(time.monotonic() - start, 2),
        seed=result.monte_carlo["seed"],
        summary=_summary(result),
        **done,
    )
