"""Plotly figures of the extended guarantee game (docs/specs/deterrence.md §4.8).

q*, q*_probe and P(hold) against ``c2`` and against the probe share ``s`` for every proposal
the game covers, the stated range shaded. Renders data already computed by the pipeline.
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ceasefire.results import Analysis, GameCurve

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000")
#: (row, column, series, axis title) of each panel
PANELS = (
    (1, "q_critical", "q* (full attack)"),
    (2, "q_critical_probe", "q* (probe)"),
    (3, "p_hold", "P(hold)"),
)
LABELS = {"c2": "c2: cost of war with the guarantors", "s": "s: probe share of held territory"}


def _trace(curve: GameCurve, series: str, name: str, colour: str, first: bool) -> go.Scatter:
    return go.Scatter(
        x=curve.x,
        y=getattr(curve, series),
        mode="lines",
        name=name,
        legendgroup=name,
        showlegend=first,
        line={"color": colour},
        hovertemplate=f"{name}<br>{curve.parameter}=%{{x:.3g}}<br>{series}=%{{y:.3f}}<extra></extra>",
    )


def game_curves(analysis: Analysis) -> go.Figure:
    """A 3 x 2 grid: q*, q*_probe, P(hold) (rows) against c2 and s (columns)."""
    params = ("c2", "s")
    fig = make_subplots(
        rows=3,
        cols=2,
        shared_xaxes="columns",
        vertical_spacing=0.06,
        horizontal_spacing=0.08,
        column_titles=[LABELS[p] for p in params],
    )
    first = True
    for k, p in enumerate(analysis.proposals):
        if p.deterrence is None or not p.deterrence.curves:
            continue
        colour = PALETTE[k % len(PALETTE)]
        for col, curve in enumerate(
            sorted(p.deterrence.curves, key=lambda c: params.index(c.parameter)), start=1
        ):
            for row, series, _ in PANELS:
                fig.add_trace(
                    _trace(curve, series, p.id, colour, first and row == 1 and col == 1),
                    row=row,
                    col=col,
                )
        first = False
        _shade(fig, p.deterrence.curves)
    for row, _, title in PANELS:
        fig.update_yaxes(title_text=title, range=[0, 1.02], row=row, col=1)
        fig.update_yaxes(range=[0, 1.02], row=row, col=2)
    fig.update_xaxes(type="log", col=1)
    fig.update_layout(height=720, margin={"l": 60, "r": 10, "t": 40, "b": 40})
    return fig


def _shade(fig: go.Figure, curves: list[GameCurve]) -> None:
    """The stated range of each input, shaded once per panel."""
    if fig.layout.shapes:
        return
    for col, c in enumerate(sorted(curves, key=lambda c: c.parameter != "c2"), start=1):
        for row in (1, 2, 3):
            fig.add_vrect(
                x0=c.low, x1=c.high, fillcolor="#999", opacity=0.15, line_width=0, row=row, col=col
            )
            fig.add_vline(x=c.central, line_dash="dot", line_color="#555", row=row, col=col)
