"""Show a cases backtest: a rich scorecard for the terminal (80 columns) and an HTML page.

Renders :class:`~ceasefire.backtest.cases.Scorecard` only; computes no score. The HTML page
inlines plotly.js once, as ``ceasefire.report`` does, so it works offline.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ceasefire.backtest.cases import (
    BASELINE_BRIER,
    BASELINE_LOG,
    STAGE_LABELS,
    CaseScorecard,
    RowScore,
    Scorecard,
    StageScore,
    TimeScaleCheck,
    stage_summary,
)
from ceasefire.backtest.render import points_trace
from ceasefire.report.format import MISSING, num

HIT, MISS = "hit", "MISS"


def mark(r: RowScore) -> str:
    """``hit``, ``MISS`` or ``—`` (not modelled)."""
    return MISSING if r.hit is None else (HIT if r.hit else MISS)


def row_label(r: RowScore) -> str:
    """The row's id; a decision's blocker set, which follows its decision, as ``└ blockers``."""
    parent, _, part = r.id.rpartition(":")
    return f"  └ {part}" if parent and r.stage == "blockers" else r.id


def rows_table(case: CaseScorecard) -> Table:
    """One line per scored row: id, stage, observed, predicted, hit, Brier."""
    t = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))
    t.add_column("row", no_wrap=True, overflow="ellipsis", max_width=26)
    t.add_column("stage", no_wrap=True)
    t.add_column("observed", overflow="fold", max_width=12)
    t.add_column("model", overflow="fold", min_width=15, max_width=17)
    t.add_column("", no_wrap=True)
    t.add_column("Brier", justify="right", no_wrap=True)
    for r in case.rows:
        t.add_row(
            row_label(r),
            r.stage,
            r.observed,
            r.predicted,
            Text(mark(r), style="bold red" if r.hit is False else ""),
            num(r.brier, "%.3f"),
        )
    return t


def stage_lines(stages: list[StageScore]) -> list[str]:
    return [f"  {s.stage}: {stage_summary(s)}" for s in stages]


def terminal(sc: Scorecard, console: Console) -> None:
    """Print every case's rows and stage summary, then the pooled summary (80 columns)."""
    console.print(
        f"Historical cases scored: {len(sc.cases)}. Misses are findings about the model, "
        f"not errors. Brier and log scores: lower is better; the uninformed p = 0.5 scores "
        f"{BASELINE_BRIER:.2f} and {BASELINE_LOG:.3f}.",
        markup=False,
    )
    for case in sc.cases:
        console.print()
        console.print(f"{case.case}: {case.title} (as of {case.as_of or MISSING})", markup=False)
        console.print(rows_table(case))
        for line in stage_lines(case.stages):
            console.print(line, markup=False)
    console.print()
    console.print("Pooled over cases", markup=False)
    for line in stage_lines(sc.stages):
        console.print(line, markup=False)
    if sc.time_scale is not None:
        console.print()
        for line in time_scale_lines(sc.time_scale):
            console.print(line, markup=False)


def _years(x: float | None, edge: str) -> str:
    return edge if x is None else f"{x:.2g}"


def time_scale_lines(ts: TimeScaleCheck) -> list[str]:
    """The time-scale check in words (docs/specs/durability.md §6): the fitted period with its
    interval, the scores at the stated, fitted and held-out period, and what follows."""
    n = len(ts.rows)
    cases = len({r.case for r in ts.rows})
    interval = f"[{_years(ts.period_low, '< 1 month')}, {_years(ts.period_high, '> 100')}]"
    lines = [
        f"Durability time scale (docs/specs/durability.md §6): the guarantee game's P(hold) is "
        f"read per {ts.stated_period:g} year (judgement). Fitted to the {n} record(s) of "
        f"{cases} case(s) the coupled tree scores: {ts.period:.2g} years, 95 % interval "
        f"{interval}.",
        f"  mean log loss: stated {ts.log_loss_stated:.3f}, fitted {ts.log_loss_in_sample:.3f}"
        + (
            ""
            if ts.log_loss_out_of_sample is None
            else f", each case with the period of the others {ts.log_loss_out_of_sample:.3f}"
        )
        + f"; Brier {ts.brier_stated:.3f}, {ts.brier_in_sample:.3f}"
        + ("" if ts.brier_out_of_sample is None else f", {ts.brier_out_of_sample:.3f}"),
    ]
    if ts.resolved:
        lines.append(
            "  The interval excludes the stated period: against this record the coupled "
            "model's durability is mis-scaled."
        )
    else:
        lines.append(
            "  The interval holds the stated period: the record cannot tell them apart; the "
            "stated period is kept."
        )
    oos = ts.log_loss_out_of_sample
    if oos is not None and oos >= ts.log_loss_stated:
        lines.append(
            "  A period fitted on the other cases predicts a held-out case worse than the "
            "stated one: the fit is noise, not a calibration."
        )
    return lines


# ---------------------------------------------------------------------------------------------
# HTML


def probability_figure(sc: Scorecard) -> Any:
    """Each probability row: the model's P against what happened (0 or 1), one point per row."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for stage in ("durability", "deterrence"):
        pts = [
            (r.probability, float(r.outcome), f"{c.case}: {r.id}")
            for c in sc.cases
            for r in c.rows
            if r.stage == stage and r.probability is not None and r.outcome is not None
        ]
        if not pts:
            continue
        fig.add_trace(
            points_trace(
                pts,
                name=STAGE_LABELS[stage],
                marker={"size": 10, "opacity": 0.7},
                hovertemplate="%{text}: P = %{x:.3f}, happened = %{y:.0f}",
            )
        )
    fig.update_layout(
        xaxis_title="model probability of the event", yaxis_title="event happened (1) or not (0)",
        xaxis={"range": [-0.03, 1.03]}, yaxis={"range": [-0.2, 1.2], "tickvals": [0, 1]},
        height=380, margin={"l": 60, "r": 20, "t": 20, "b": 50},
    )  # fmt: skip
    return fig


def html(sc: Scorecard) -> str:
    """The scorecard as one HTML string that works offline (plotly.js inlined once)."""
    from plotly.offline import get_plotlyjs

    from ceasefire.report.format import jinja_env
    from ceasefire.report.html import figure_html

    return (
        jinja_env()
        .get_template("backtest_cases.html.j2")
        .render(
            sc=sc,
            plotlyjs=get_plotlyjs(),
            fig_probability=figure_html(probability_figure(sc), "probabilities"),
            labels=STAGE_LABELS,
            summary=stage_summary,
            mark=mark,
            num=num,
            time_scale_lines=time_scale_lines,
        )
    )
