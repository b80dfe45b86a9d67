"""Show a DEU backtest: rich tables for the terminal (80 columns) and a self-contained HTML page.

Renders :class:`~ceasefire.backtest.models.DeuBacktest` only; computes no result. The HTML
inlines plotly.js once, as ``ceasefire.report`` does, so the page works offline.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ceasefire.backtest.models import DeuBacktest, ErrorStats, Record
from ceasefire.report.format import MISSING, num, pct
from ceasefire.report.terminal import say, show

MAX_IDS = 6  # issue ids listed per refusal reason in the terminal
# one colour per forecaster, the same in both figures (Okabe-Ito, then greys)
PALETTE = ("#999999", "#666666", "#BBBBBB", "#0072B2", "#56B4E9", "#D55E00", "#009E73",
           "#CC79A7", "#E69F00", "#F0E442", "#000000")  # fmt: skip


def _colour(k: int) -> str:
    return PALETTE[k % len(PALETTE)]


def _interval(r: Record) -> str:
    d = r.difference
    if d is None:
        return MISSING
    return f"{d.estimate:+.1f} [{d.low:+.1f}, {d.high:+.1f}]"


def summary_table(res: DeuBacktest) -> Table:
    """Per forecaster: n, MAE, median AE, beats share, the bootstrap interval, refusals."""
    t = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 0))
    for name, just in (
        ("forecaster", "left"), ("n", "right"), ("MAE", "right"), ("MdAE", "right"),
        ("beats", "right"), ("ΔMAE [95% CI]", "right"), ("ref.", "right"),
    ):  # fmt: skip
        t.add_column(name, justify=just, no_wrap=True)  # type: ignore[arg-type]
    for r in res.records:
        o = r.overall
        t.add_row(
            r.label if r.kind == "engine" else Text(r.label, style="dim"),
            str(o.n),
            num(o.mae, "%.2f"),
            num(o.median_ae, "%.2f"),
            pct(r.beats_share, 0),
            _interval(r),
            str(len(r.refusals)),
        )
    return t


def _cell(s: ErrorStats | None) -> str:
    return MISSING if s is None or s.mae is None else f"{s.mae:.1f} ({s.n})"


def split_table(res: DeuBacktest, which: str) -> Table:
    """MAE (n) per forecaster by voting rule (``which="rule"``) or by reference point."""

    def groups(r: Record) -> dict[str, ErrorStats]:
        return r.by_voting_rule if which == "rule" else r.by_reference_point

    keys = list(dict.fromkeys(k for r in res.records for k in groups(r)))
    t = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 0))
    t.add_column("MAE (n)", no_wrap=True)
    for k in keys:
        t.add_column(k.replace(" reference point", " rp"), justify="right", no_wrap=True)
    for r in res.records:
        t.add_row(r.label, *(_cell(groups(r).get(k)) for k in keys))
    return t


def refusal_lines(res: DeuBacktest, max_ids: int | None = MAX_IDS) -> list[str]:
    """Per engine with refusals: the count, then each reason with (up to ``max_ids``) ids."""
    lines: list[str] = []
    for r in res.records:
        if not r.refusals:
            continue
        lines.append(f"{r.label}: refused {len(r.refusals)} issue(s)")
        by_reason: dict[str, list[str]] = defaultdict(list)
        for x in r.refusals:
            by_reason[x.reason].append(x.issue)
        for reason, ids in by_reason.items():
            keep = len(ids) if max_ids is None else max_ids
            more = f" and {len(ids) - keep} more" if len(ids) > keep else ""
            lines.append(f"  {len(ids)} × {reason}: {', '.join(ids[:keep])}{more}")
    return lines


def diagnostic_lines(res: DeuBacktest) -> list[str]:
    """Where an engine's forecast coincides with another forecaster's, and its own cases."""
    lines: list[str] = []
    for r in res.records:
        if r.kind != "engine":
            continue
        n = r.overall.n
        same = [f"{other} on {k}" for other, k in r.identical_to.items() if k >= max(1, n // 10)]
        if same:
            lines.append(f"{r.label} (n = {n}) equals " + "; ".join(same))
        if r.cases:
            cases = ", ".join(f"{k} {v}" for k, v in sorted(r.cases.items()))
            lines.append(f"{r.label} cases: {cases}")
    return lines + stacking_lines(res)


def stacking_lines(res: DeuBacktest) -> list[str]:
    """The combined forecast's weights: fitted on every issue, and their range over the folds."""
    st = res.stacking
    if st is None:
        return []
    used = [
        f"{k} {w:.2f} [{st.fold_range[k][0]:.2f}-{st.fold_range[k][1]:.2f}]"
        for k, w in sorted(st.weights.items(), key=lambda kv: -kv[1])
        if w > 0 or st.fold_range[k][1] > 0
    ]
    return [
        f"combined forecast: weights fitted on all {res.scored} issues [range over the "
        f"{st.folds} folds, {st.proposals} proposals]: " + "; ".join(used)
    ]


def terminal(res: DeuBacktest, console: Console) -> None:
    """Print the whole backtest; every table fits 80 columns."""
    skipped = f", {len(res.skipped)} skipped" if res.skipped else ""
    console.print(
        f"DEU backtest of {res.source} ({res.layout} layout; capability {res.capability}): "
        f"{res.scored} issues scored of {res.issues_in_file}{skipped}. Errors on the 0-100 "
        f"scale; beats and ΔMAE against the {res.baseline} (seed {res.seed}).",
        markup=False,
    )
    show(console, summary_table(res))
    for title, which in (
        ("By Council voting rule", "rule"),
        ("By whether the issue has a reference point", "rp"),
    ):
        console.print(title, markup=False)
        show(console, split_table(res, which))
    for title, lines in (
        ("Refusals", refusal_lines(res)),
        ("Diagnostics (identical forecasts, engine cases)", diagnostic_lines(res)),
    ):
        if lines:
            console.print(title, markup=False)
            for line in lines:
                # a reason's line is indented under its engine; wrapped lines keep the indent
                indent = len(line) - len(line.lstrip())
                say(console, Text(line.lstrip()), indent=indent, hang=4)


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------


def points_trace(pts: list[tuple[float, float, str]], **style: Any) -> Any:
    """A marker scatter of ``(x, y, label)`` points (both backtest reports draw their points so)."""
    import plotly.graph_objects as go

    return go.Scatter(
        x=[p[0] for p in pts],
        y=[p[1] for p in pts],
        text=[p[2] for p in pts],
        mode="markers",
        **style,
    )


def error_figure(res: DeuBacktest) -> Any:
    """Box plot of the absolute errors of every forecaster (all points shown)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for k, r in enumerate(res.records):
        errs = [
            abs(v - row.outcome)
            for row in res.issues
            if (v := row.forecasts.get(r.label)) is not None
        ]
        fig.add_trace(
            go.Box(
                y=errs,
                name=r.label,
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                marker_size=3,
                marker_color=_colour(k),
            )
        )
    fig.update_layout(
        yaxis_title="absolute error (0-100 scale)", showlegend=False, height=480,
        margin={"l": 60, "r": 20, "t": 20, "b": 80},
    )  # fmt: skip
    return fig


def scatter_figure(res: DeuBacktest) -> Any:
    """Per-issue forecast against outcome, one trace per forecaster, and the diagonal."""
    import numpy as np
    import plotly.graph_objects as go

    jitter = np.random.default_rng(res.seed).uniform(-1.0, 1.0, len(res.issues))
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[0, 100],
            y=[0, 100],
            mode="lines",
            name="forecast = outcome",
            line={"color": "#999", "dash": "dot"},
            hoverinfo="skip",
        )
    )
    for c, r in enumerate(res.records):
        pts = [
            (row.outcome + jitter[k], v, row.id)
            for k, row in enumerate(res.issues)
            if (v := row.forecasts.get(r.label)) is not None
        ]
        fig.add_trace(
            points_trace(
                pts,
                name=r.label,
                marker={"size": 5, "opacity": 0.6, "color": _colour(c)},
                hovertemplate="%{text}: outcome %{x:.0f}, forecast %{y:.1f}",
                visible=True if r.kind == "engine" else "legendonly",
            )
        )
    fig.update_layout(
        xaxis_title="observed outcome", yaxis_title="forecast", height=560,
        xaxis={"range": [-3, 103]}, yaxis={"range": [-3, 103]},
        margin={"l": 60, "r": 20, "t": 20, "b": 50},
    )  # fmt: skip
    return fig


def html(res: DeuBacktest) -> str:
    """The report as one HTML string that works offline (plotly.js inlined once)."""
    from plotly.offline import get_plotlyjs

    from ceasefire.report.format import jinja_env
    from ceasefire.report.html import figure_html

    split_keys = {
        key: list(dict.fromkeys(k for r in res.records for k in getattr(r, key)))
        for key in ("by_voting_rule", "by_reference_point")
    }
    return (
        jinja_env()
        .get_template("backtest_deu.html.j2")
        .render(
            r=res,
            plotlyjs=get_plotlyjs(),
            fig_errors=figure_html(error_figure(res), "errors"),
            fig_scatter=figure_html(scatter_figure(res), "scatter"),
            split_keys=split_keys,
            refusals=refusal_lines(res, max_ids=None),
            diagnostics=diagnostic_lines(res),
            num=num,
            pct=pct,
        )
    )
