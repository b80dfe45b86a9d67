"""The timeline's terminal tables and its one-page HTML report (issue 17; renders, computes
nothing: the numbers come from :mod:`ceasefire.timeline`). The page works offline: plotly.js
is inlined once, as in the scenario report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
from rich.console import Console
from rich.text import Text

from ceasefire.report.html import _env, figure_html
from ceasefire.report.terminal import Column, grid, say
from ceasefire.timeline import Snapshot, Timeline, p_hold, p_pass


def _date(s: Snapshot) -> str:
    return s.as_of.isoformat()[:7] if s.as_of else s.id


def _cell(tl: Timeline, s: Snapshot, pid: str) -> str:
    """One recurring proposal in one snapshot, at most 12 characters."""
    p = tl.result(s, pid)
    if p is None:
        return "—"
    if p.passes:
        return "passes"
    blockers = p.blockers
    more = f"+{len(blockers) - 2}" if len(blockers) > 2 else ""
    return ",".join(blockers[:2]) + more


def _num(x: float | None, fmt: str = "{:.2f}") -> str:
    return "—" if x is None else fmt.format(x)


def terminal(tl: Timeline, console: Console) -> None:
    """The timeline at 80 columns: blockers, P(pass) and P(hold) of each recurring proposal
    per snapshot, then what changed and whether it is new data or new judgement."""
    cols = [Column("proposal", justify="left", wrap=True)] + [
        Column(_date(s)) for s in tl.snapshots
    ]

    def blockers(s: Snapshot, pid: str) -> str:
        return _cell(tl, s, pid)

    def passing(s: Snapshot, pid: str) -> str:
        return _num(p_pass(s, pid))

    def holding(s: Snapshot, pid: str) -> str:
        return _num(p_hold(s, pid))

    tables: tuple[tuple[str, Callable[[Snapshot, str], str]], ...] = (
        ("Who blocks each recurring proposal", blockers),
        ("P(pass) over the stated ranges", passing),
        ("P(hold): no attack on covered territory", holding),
    )
    for title, cell in tables:
        rows = [[pid, *(cell(s, pid) for s in tl.snapshots)] for pid in tl.recurring]
        grid(console, cols, rows, title=title)
    held = [[_date(s), f"{s.analysis.held_area_share:.1%}", _forecasts(s)] for s in tl.snapshots]
    grid(
        console,
        [Column("snapshot", justify="left"), Column("held"), Column("nearest", "", "left", True)],
        held,
        title="Area held by the defender; forecasts' nearest proposal",
    )
    say(console, "[bold]What changed[/bold]", hang=0)
    for c in tl.changes:
        say(console, Text(f"{c.after[-7:]} ({c.origin}) {c.subject}: {c.what}"), indent=2)


def _forecasts(s: Snapshot) -> str:
    near = sorted({f.nearest_proposal for f in s.analysis.forecasts if f.nearest_proposal})
    return ", ".join(near) or "—"


def _line_chart(tl: Timeline, value: Any, title: str, fmt: str) -> go.Figure:
    """One line per proposal (every proposal, not only the recurring), over the snapshots."""
    fig = go.Figure()
    ids = list(dict.fromkeys(p.id for s in tl.snapshots for p in s.analysis.proposals))
    x = [_date(s) for s in tl.snapshots]
    for pid in ids:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[value(s, pid) for s in tl.snapshots],
                mode="lines+markers",
                name=pid,
                line={"width": 3 if pid in tl.recurring else 1},
            )
        )
    fig.update_layout(
        title=title,
        yaxis={"tickformat": fmt, "rangemode": "tozero"},
        height=380,
        margin={"l": 50, "r": 10, "t": 40, "b": 40},
    )
    return fig


def _held_chart(tl: Timeline) -> go.Figure:
    x = [_date(s) for s in tl.snapshots]
    fig = go.Figure(
        go.Scatter(x=x, y=[s.analysis.held_area_share for s in tl.snapshots], mode="lines+markers")
    )
    fig.update_layout(
        title="Share of the recognised area held by the defender",
        yaxis={"tickformat": ".1%"},
        height=300,
        margin={"l": 50, "r": 10, "t": 40, "b": 40},
    )
    return fig


def _blockers_count(tl: Timeline, s: Snapshot, pid: str) -> int | None:
    p = tl.result(s, pid)
    return None if p is None else len(p.blockers)


def render(tl: Timeline) -> str:
    """The timeline page as one HTML string that works offline."""
    from plotly.offline import get_plotlyjs

    figures = {
        "hold": figure_html(
            _line_chart(tl, p_hold, "P(hold) of each proposal's guarantee game", ".0%"),
            "timeline-hold",
        ),
        "pass": figure_html(
            _line_chart(tl, p_pass, "P(pass) over the stated ranges", ".0%"), "timeline-pass"
        ),
        "blockers": figure_html(
            _line_chart(tl, lambda s, pid: _blockers_count(tl, s, pid), "Number of blockers", "d"),
            "timeline-blockers",
        ),
        "held": figure_html(_held_chart(tl), "timeline-held"),
    }
    return (
        _env()
        .get_template("timeline.html.j2")
        .render(
            tl=tl,
            figures=figures,
            cell=lambda s, pid: _cell(tl, s, pid),
            p_pass=p_pass,
            p_hold=p_hold,
            date=_date,
            forecasts=_forecasts,
            plotlyjs=get_plotlyjs(),
        )
    )
