"""Figures of the extended guarantee game (docs/specs/deterrence.md §4.8).

q*, q*_probe and P(hold) against ``c2`` and against the probe share ``s`` for every proposal
the game covers, the stated range shaded. Renders data already computed by the pipeline, as a
plain figure dict (:data:`charts.Figure`: building plotly ``graph_objects`` and
``make_subplots`` cost the report ~0.4 s, issue 18 item 2).
"""

from __future__ import annotations

from typing import Any

from ceasefire.report.charts import Figure, _axis_ids, _grid
from ceasefire.results import Analysis, GameCurve

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000")
#: (row, series, axis title) of each panel
PANELS = (
    (1, "q_critical", "q* (full attack)"),
    (2, "q_critical_probe", "q* (probe)"),
    (3, "p_hold", "P(hold)"),
)
#: the columns: the input each curve runs along
PARAMS = ("c2", "s")
LABELS = {"c2": "c2: cost of war with the guarantors", "s": "s: probe share of held territory"}


def _panel(row: int, param: str) -> tuple[str, str]:
    """The (x, y) axis ids of the panel of ``row`` (1-3) and input ``param``'s column."""
    return _axis_ids((row - 1) * len(PARAMS) + PARAMS.index(param))


def _trace(curve: GameCurve, row: int, series: str, name: str, colour: str, first: bool) -> Any:
    xid, yid = _panel(row, curve.parameter)
    return {
        "type": "scatter",
        **{"x": curve.x, "y": getattr(curve, series), "xaxis": xid, "yaxis": yid},
        **{"mode": "lines", "name": name, "legendgroup": name, "showlegend": first},
        "line": {"color": colour},
        "hovertemplate": (
            f"{name}<br>{curve.parameter}=%{{x:.3g}}<br>{series}=%{{y:.3f}}<extra></extra>"
        ),
    }


def _axes(fig: Figure) -> None:
    """Rows share each column's x axis (ticks on the bottom row only); c2's axis is log."""
    rows = len(PANELS)
    for row, _, title in PANELS:
        for param in PARAMS:
            xid, yid = _panel(row, param)
            x = fig["layout"][f"xaxis{xid[1:]}"]
            y = fig["layout"][f"yaxis{yid[1:]}"]
            if row < rows:
                x.update(matches=_panel(rows, param)[0], showticklabels=False)
            if param == "c2":
                x["type"] = "log"
                y["title"] = {"text": title}
            y["range"] = [0, 1.02]


def _shade(curves: list[GameCurve]) -> list[dict[str, Any]]:
    """The stated range of each input shaded, its central value dotted, on every panel."""
    shapes: list[dict[str, Any]] = []
    for c in sorted(curves, key=lambda c: PARAMS.index(c.parameter)):
        for row, _, _ in PANELS:
            xid, yid = _panel(row, c.parameter)
            ref = {"xref": xid, "yref": f"{yid} domain", "y0": 0, "y1": 1}
            shapes += [
                {"type": "rect", **ref, "x0": c.low, "x1": c.high, "fillcolor": "#999"}
                | {"opacity": 0.15, "line": {"width": 0}},
                {"type": "line", **ref, "x0": c.central, "x1": c.central}
                | {"line": {"dash": "dot", "color": "#555"}},
            ]
    return shapes


def game_curves(analysis: Analysis) -> Figure:
    """A 3 x 2 grid: q*, q*_probe, P(hold) (rows) against c2 and s (columns)."""
    fig = _grid(len(PANELS), len(PARAMS), [LABELS[p] for p in PARAMS], vspace=0.06)
    first = True
    for k, p in enumerate(analysis.proposals):
        if p.deterrence is None or not p.deterrence.curves:
            continue
        colour = PALETTE[k % len(PALETTE)]
        curves = sorted(p.deterrence.curves, key=lambda c: PARAMS.index(c.parameter))
        for curve in curves:
            for row, series, _ in PANELS:
                show = first and row == 1 and curve is curves[0]
                fig["data"].append(_trace(curve, row, series, p.id, colour, show))
        if first:  # the stated ranges are the scenario's, the same for every proposal
            fig["layout"]["shapes"] = _shade(p.deterrence.curves)
        first = False
    _axes(fig)
    fig["layout"].update(height=720, margin={"l": 60, "r": 10, "t": 40, "b": 40})
    return fig
