"""``ceasefire timeline [IDS...]``: run dated snapshots in date order and show how the answers
moved (issue 17). I/O edge: reads the scenarios, prints the terminal tables, writes the page.
Bad input prints a located message and exits with status 2."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ceasefire.console import fail, out_console

#: the built-in snapshots run when no id is given (the flagship first)
DEFAULT_SNAPSHOTS = (
    "ukraine-2024-11",
    "ukraine-2025-03",
    "ukraine-2025-06",
    "ukraine-2025-11",
    "ukraine-2026-01",
)


def timeline(
    ids: Annotated[
        list[str] | None,
        typer.Argument(help="Scenario files or built-in ids (default: the Ukraine snapshots)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the report page (HTML) here.")
    ] = None,
    draws: Annotated[int, typer.Option(min=10, help="Sweep draws per snapshot.")] = 300,
) -> None:
    """Run dated snapshots in date order: who blocks each recurring proposal, pass
    probabilities, P(hold), forecasts, and what changed (new data or new judgement)."""
    from ceasefire.report import timeline_view
    from ceasefire.scenario import ScenarioError, read
    from ceasefire.timeline import run_timeline

    refs = ids or list(DEFAULT_SNAPSHOTS)
    scenarios = []
    for ref in refs:
        try:
            scenarios.append(read(ref).scenario)
        except ScenarioError as err:
            fail(err.lines(located=True))
    if len(scenarios) < 2:
        fail(["timeline: give at least two scenarios"])
    tl = run_timeline(scenarios, draws=draws)
    timeline_view.terminal(tl, out_console)
    if out is not None:
        try:
            out.write_text(timeline_view.render(tl), encoding="utf-8")
        except OSError as err:
            fail([f"{out}: cannot write: {err.strerror}"])
        out_console.print(f"report: {out}")
