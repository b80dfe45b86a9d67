"""Plotly figures of an :class:`~ceasefire.results.Analysis` (shared by the report and web UI).

Each function renders data already computed by the pipeline; none computes a result. Maps are
drawn as filled ``Scatter`` polygons on equal-aspect axes, which needs no map tiles or
topojson from a CDN and so renders offline.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ceasefire.report.format import input_label
from ceasefire.results import Analysis, ProposalResult
from ceasefire.scenario.geometry import Ring, UnitGeometry
from ceasefire.sweep_results import OutputSensitivity, ProposalSweep, Quantiles, SweepSummary

if TYPE_CHECKING:  # the sweep's charts import plotly where they are drawn (start-up time)
    import plotly.graph_objects as go

# Colour-blind-safe categories for the coverage map (Okabe-Ito palette).
CATEGORIES: dict[str, tuple[str, str]] = {
    "guaranteed": ("#0072B2", "under collective defence"),
    "partly": ("#56B4E9", "partly under collective defence (front-line unit)"),
    "invited": ("#F0E442", "invited, not guaranteed"),
    "occupied": ("#999999", "occupied, claim kept"),
    "ceded": ("#D55E00", "ceded de jure"),
    "held": ("#E8E8E8", "held, no guarantee"),
    "recognised": ("#CC79A7", "recognised de facto as the aggressor's"),
    "buffer": ("#009E73", "buffer zone"),
    "withdrawn": ("#E69F00", "withdrawn from (held now)"),
}


def category(u: Any) -> str:
    """The map category of a unit's coverage under one proposal."""
    if u.ceded >= 0.5:
        return "ceded"
    if getattr(u, "buffer", 0.0) >= 0.5:
        return "buffer"
    if getattr(u, "withdrawn", 0.0) >= 0.5:
        return "withdrawn"
    if getattr(u, "recognised", 0.0) >= 0.5:
        return "recognised"
    if u.guaranteed >= 0.999:
        return "guaranteed"
    if u.guaranteed > 0:
        return "partly"
    if u.invited > 0:
        return "invited"
    if u.occupied >= 0.5:
        return "occupied"
    return "held"


#: what the report says instead of a map when the scenario has none
NO_MAP = (
    "No map: the scenario declares no geometry (a [map] table naming a GeoJSON file and the "
    "feature property that holds each unit's code), or it could not be read here."
)


#: plotly's default colour sequence (its "plotly" template's colorway)
PLOTLY_COLOURS = (
    "#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A",
    "#19d3f3", "#FF6692", "#B6E880", "#FF97FF", "#FECB52",
)  # fmt: skip

#: a figure as plotly's own JSON (``{"data": [...], "layout": {...}}``). The report's charts are
#: built as plain dicts, not ``graph_objects``: plotly validates and deep-copies every property
#: of a graph object, which made the built-in report take seconds (issue 18, item 2)
Figure = dict[str, Any]


def _axis_ids(k: int) -> tuple[str, str]:
    """The x and y axis ids of the k-th panel (row-major): ``x``, ``x2``, ..."""
    n = "" if k == 0 else str(k + 1)
    return f"x{n}", f"y{n}"


def _grid(
    rows: int, cols: int, titles: list[str], hspace: float = 0.08, vspace: float = 0.1
) -> Figure:
    """A figure of ``rows`` x ``cols`` panels (row-major, the first at the top left), each
    titled: the layout ``plotly.subplots.make_subplots`` would write, without its cost."""
    width = (1 - hspace * (cols - 1)) / cols
    height = (1 - vspace * (rows - 1)) / rows
    layout: dict[str, Any] = {"annotations": []}
    for k in range(rows * cols):
        r, c = divmod(k, cols)
        x0, y1 = c * (width + hspace), 1 - r * (height + vspace)
        xid, yid = _axis_ids(k)
        layout[f"xaxis{xid[1:]}"] = {"domain": [x0, x0 + width], "anchor": yid}
        layout[f"yaxis{yid[1:]}"] = {"domain": [y1 - height, y1], "anchor": xid}
        if k < len(titles):
            layout["annotations"].append(
                {
                    "text": titles[k],
                    "x": x0 + width / 2,
                    "y": y1,
                    "xref": "paper",
                    "yref": "paper",
                    "xanchor": "center",
                    "yanchor": "bottom",
                    "showarrow": False,
                    "font": {"size": 14},
                }
            )
    return {"data": [], "layout": layout}


def _axes(fig: Figure, kind: str, **props: Any) -> None:
    """Set ``props`` on every x (``kind`` "x") or y axis of ``fig``."""
    for key, axis in fig["layout"].items():
        if key.startswith(f"{kind}axis"):
            axis.update(props)


def _farthest(ring: Ring, i: int, j: int) -> tuple[float, int]:
    """The vertex strictly between ``i`` and ``j`` farthest from the chord i-j, and its distance
    (from vertex i when the chord has no length: a closed ring's ends coincide)."""
    ax, ay = ring[i]
    dx, dy = ring[j][0] - ax, ring[j][1] - ay
    length = math.hypot(dx, dy)
    best, at = -1.0, i + 1
    for k in range(i + 1, j):
        x, y = ring[k]
        dist = abs(dx * (y - ay) - dy * (x - ax)) if length > 0 else math.hypot(x - ax, y - ay)
        if dist > best:
            best, at = dist, k
    return (best / length if length > 0 else best), at


def _simplify(ring: Ring, tolerance: float) -> list[tuple[float, float]]:
    """Ramer-Douglas-Peucker: the ring's vertices without those closer than ``tolerance``
    (degrees) to the simplified outline (Douglas & Peucker 1973), rounded to 0.001 degree.

    A map panel is about 400 px wide, so a tolerance of 1/1000 of the map's extent changes
    nothing visible while it keeps the report small (issue 18: the map was 1 MB of the report;
    the built-in's 9,512 vertices become 2,616).
    """
    n = len(ring)
    keep = [True] * n if n <= 4 else [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)] if n > 4 else []
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        dist, k = _farthest(ring, i, j)
        if dist > tolerance:
            keep[k] = True
            stack += [(i, k), (k, j)]
    return [(round(x, 3), round(y, 3)) for (x, y), kept in zip(ring, keep, strict=True) if kept]


def _outlines(geometry: UnitGeometry) -> dict[str, list[list[tuple[float, float]]]]:
    """Every unit's rings, simplified once for all panels."""
    x0, y0, x1, y1 = geometry.bbox
    tolerance = max(x1 - x0, y1 - y0) / 1000
    return {
        code: [_simplify(r, tolerance) for r in rings] for code, rings in geometry.rings.items()
    }


def _polyline(rings: list[list[tuple[float, float]]]) -> tuple[list[Any], list[Any]]:
    """Rings as one polyline, separated by None: plotly fills each part of a ``toself`` trace
    on its own, so one trace draws every polygon of a category."""
    xs: list[Any] = []
    ys: list[Any] = []
    for ring in rings:
        xs += [pt[0] for pt in ring] + [None]
        ys += [pt[1] for pt in ring] + [None]
    return xs, ys


def _hover(u: Any) -> str:
    return (
        f"<b>{u.name}</b> ({u.code})<br>held by the government: {u.controlled:.0%}"
        f"<br>invited: {u.invited:.0%}<br>guaranteed: {u.guaranteed:.0%}"
        f"<br>ceded de jure: {u.ceded:.0%}<br>occupied, claim kept: {u.occupied:.0%}"
        + _hover_terms(u)
    )


def _hover_terms(u: Any) -> str:
    """The per-unit terms of issue 17 in a unit's hover text (only those that apply)."""
    parts = [
        (getattr(u, "recognised", 0.0), "recognised de facto"),
        (getattr(u, "withdrawn", 0.0), "withdrawn from"),
        (getattr(u, "buffer", 0.0), "buffer zone"),
        (getattr(u, "returned", 0.0), "returned"),
    ]
    text = "".join(f"<br>{label}: {x:.0%}" for x, label in parts if x > 0)
    admin = getattr(u, "buffer_administered_by", "")
    return text + (f" (administered by {admin})" if admin else "")


def _equal_aspect(fig: Figure, panels: int, geometry: UnitGeometry) -> None:
    """Equal distances on each panel: one degree of longitude is cos(latitude) of one of
    latitude, taken at the middle of the geometry's bounding box (an equirectangular view)."""
    ratio = 1 / math.cos(math.radians(geometry.mid_latitude))
    for k in range(panels):
        xid, yid = _axis_ids(k)
        fig["layout"][f"yaxis{yid[1:]}"].update(
            {"scaleanchor": xid, "scaleratio": ratio, "visible": False}
        )


def _map_panel(
    p: ProposalResult, outlines: dict[str, Any], k: int, shown: set[str]
) -> list[dict[str, Any]]:
    """One proposal's panel: one filled trace per category, and invisible markers at the units'
    centres that carry each unit's hover text (a filled area hovers only as a whole)."""
    xid, yid = _axis_ids(k)
    by_cat: dict[str, list[Any]] = {}
    hx, hy, htext = [], [], []
    for u in p.coverage.units:
        rings = outlines.get(u.code, [])
        if rings:  # a unit without an outline (the aggressor's own territory) is not drawn
            by_cat.setdefault(category(u), []).extend(rings)
            outer = max(rings, key=len)
            hx.append(round(sum(x for x, _ in outer) / len(outer), 3))
            hy.append(round(sum(y for _, y in outer) / len(outer), 3))
            htext.append(_hover(u))
    traces = []
    for cat, rings in sorted(by_cat.items(), key=lambda kv: list(CATEGORIES).index(kv[0])):
        colour, label = CATEGORIES[cat]
        xs, ys = _polyline(rings)
        traces.append(
            {
                "type": "scatter",
                **{"x": xs, "y": ys, "xaxis": xid, "yaxis": yid},
                "fill": "toself",
                "fillcolor": colour,
                "line": {"color": "#444", "width": 0.5},
                "mode": "lines",
                "name": label,
                "legendgroup": cat,
                "showlegend": cat not in shown,
                "hoverinfo": "name",
                "hoveron": "fills",
            }
        )
        shown.add(cat)
    traces.append(
        {
            "type": "scatter",
            **{"x": hx, "y": hy, "xaxis": xid, "yaxis": yid},
            "mode": "markers",
            "marker": {"size": 10, "opacity": 0},
            "text": htext,
            "hoverinfo": "text",
            "showlegend": False,
        }
    )
    return traces


def coverage_map(
    analysis: Analysis, geometry: UnitGeometry | None, columns: int = 3
) -> Figure | None:
    """Small multiples: the units of the disputed state coloured by status, one per proposal.

    ``geometry`` is the scenario's own map (``Loaded.geometry``,
    :func:`ceasefire.scenario.read_geometry`); without one there is no map (None) and the
    report prints :data:`NO_MAP` instead.
    """
    if geometry is None:
        return None
    props = analysis.proposals
    rows = max(1, math.ceil(len(props) / columns))
    fig = _grid(rows, columns, [p.id for p in props], hspace=0.01, vspace=0.06)
    outlines = _outlines(geometry)
    shown: set[str] = set()
    for k, p in enumerate(props):
        fig["data"] += _map_panel(p, outlines, k, shown)
    _axes(fig, "x", visible=False)
    _equal_aspect(fig, len(props), geometry)
    fig["layout"].update(
        height=300 * rows + 80,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "y": -0.02},
        plot_bgcolor="white",
        hovermode="closest",
    )
    return fig


#: the colour of a cell whose proposal crosses the actor's red line (a rejection, any margin)
RED_LINE_COLOUR = "#4d4d4d"

#: ColorBrewer's RdBu as plotly.py writes it (red low, blue high). Spelled out: the name
#: "RdBu" alone means the reverse to plotly.js (blue low), which would paint acceptance red
RDBU = (
    (0.0, "rgb(103,0,31)"), (0.1, "rgb(178,24,43)"), (0.2, "rgb(214,96,77)"),
    (0.3, "rgb(244,165,130)"), (0.4, "rgb(253,219,199)"), (0.5, "rgb(247,247,247)"),
    (0.6, "rgb(209,229,240)"), (0.7, "rgb(146,197,222)"), (0.8, "rgb(67,147,195)"),
    (0.9, "rgb(33,102,172)"), (1.0, "rgb(5,48,97)"),
)  # fmt: skip


def _hard_crossed(p: ProposalResult, actor: str) -> bool:
    """The proposal crosses a hard red line of the actor (a soft one is priced in the margin)."""
    return any(v.kind == "hard" for v in p.acceptance[actor].red_line_violations)


def _acceptance_mark(p: ProposalResult, actor: str) -> str:
    """A cell's text: ✓ accepts, ✗ rejects, "✗ red line" crosses one of the actor's hard lines."""
    r = p.acceptance[actor]
    return "✓" if r.accepts else ("✗ red line" if _hard_crossed(p, actor) else "✗")


def _acceptance_hover(p: ProposalResult, actor: str) -> str:
    """A cell's hover: the margin, every red line the proposal crosses, the war left going on."""
    r = p.acceptance[actor]
    crossed = "; ".join(f"{v.red_line} ({v.kind})" for v in r.red_line_violations)
    war = f"<br>war goes on after it: -{r.war_after:.3f} utility" if r.war_after > 0 else ""
    return (
        f"{actor} on {p.id}<br>margin {r.margin:+.3f}"
        + (f"<br>crosses {crossed}" if crossed else "")
        + war
    )


def _proposal_label(p: ProposalResult) -> str:
    """The column label: the id, marked when the deal leaves the war going on (issue 13)."""
    return p.id if p.ends_fighting >= 1 else f"{p.id} (war goes on)"


def acceptance_heatmap(analysis: Analysis) -> Figure:
    """Actors x proposals: the acceptance margin; a red-line crossing in its own dark grey."""
    props = analysis.proposals
    actors = analysis.actors
    z = [[p.acceptance[a].margin for p in props] for a in actors]
    text = [[_acceptance_mark(p, a) for p in props] for a in actors]
    hover = [[_acceptance_hover(p, a) for p in props] for a in actors]
    bound = max(0.05, max((abs(v) for row in z for v in row), default=0.05))
    # A red-line rejection is a rejection whatever the margin: drawn in its own colour, never
    # in the margin's blue (issue 18: the legend must match the cells)
    crossed = [[_hard_crossed(p, a) for p in props] for a in actors]
    margins = [
        [None if c else v for v, c in zip(zr, cr, strict=True)]
        for zr, cr in zip(z, crossed, strict=True)
    ]
    lines = [[1.0 if c else None for c in cr] for cr in crossed]
    common = {
        "type": "heatmap",
        "x": [_proposal_label(p) for p in props],
        "y": actors,
        "hoverinfo": "text",
        "text": text,
        "texttemplate": "%{text}",
        "hovertext": hover,
    }
    margin_layer = {
        **common,
        "z": margins,
        "colorscale": [list(stop) for stop in RDBU],
        "zmid": 0,
        "zmin": -bound,
        "zmax": bound,
        "colorbar": {"title": {"text": "margin"}},
        "name": "margin",
    }
    line_layer = {
        **common,
        "z": lines,
        "colorscale": [[0.0, RED_LINE_COLOUR], [1.0, RED_LINE_COLOUR]],
        "showscale": False,
        "name": "crosses a red line",
    }
    layout = {
        "height": 22 * len(actors) + 160,
        "margin": {"l": 60, "r": 10, "t": 30, "b": 120},
        "yaxis": {"autorange": "reversed"},
    }
    return {"data": [margin_layer, line_layer], "layout": layout}


def coverage_bars(analysis: Analysis) -> Figure:
    """Grouped bars: invited, guaranteed, ceded and occupied area shares per proposal."""
    props: list[ProposalResult] = analysis.proposals
    data = [
        {
            "type": "bar",
            "name": label,
            "x": [p.id for p in props],
            "y": [getattr(p.coverage, key) for p in props],
            "marker": {"color": colour},
        }
        for key, label, colour in (
            ("invited_area_share", "invited", CATEGORIES["invited"][0]),
            ("guaranteed_area_share", "guaranteed", CATEGORIES["guaranteed"][0]),
            ("ceded_area_share", "ceded de jure", CATEGORIES["ceded"][0]),
            ("occupied_area_share", "occupied, claim kept", CATEGORIES["occupied"][0]),
        )
    ]
    layout = {
        "barmode": "group",
        "yaxis": {"tickformat": ".0%", "range": [0, 1]},
        "height": 360,
        "margin": {"l": 50, "r": 10, "t": 20, "b": 80},
    }
    return {"data": data, "layout": layout}


_PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000")


def _q_band(fig: Figure, q: Any) -> None:
    """The stated range of the credibility q shaded, its central value dotted, on both panels."""
    shapes = []
    for k in (0, 1):
        xid, yid = _axis_ids(k)
        shapes += [
            {
                "type": "rect",
                **{"xref": xid, "yref": f"{yid} domain", "x0": q.low, "x1": q.high},
                **{"y0": 0, "y1": 1, "fillcolor": "#999", "opacity": 0.15, "line": {"width": 0}},
            },
            {
                "type": "line",
                **{"xref": xid, "yref": f"{yid} domain", "x0": q.central, "x1": q.central},
                **{"y0": 0, "y1": 1, "line": {"dash": "dot", "color": "#555"}},
            },
        ]
    fig["layout"]["shapes"] = shapes


def deterrence_curves(analysis: Analysis) -> Figure:
    """P(hold) and P(guarantor drawn into war) against the guarantors' credibility q."""
    fig = _grid(
        1, 2, ["P(aggressor keeps the line)", "P(guarantor drawn into direct war)"], hspace=0.08
    )
    for k, p in enumerate(analysis.proposals):
        if p.deterrence is None:
            continue
        colour = _PALETTE[k % len(_PALETTE)]
        for col, key in enumerate(("p_hold", "p_guarantor_war")):
            xid, yid = _axis_ids(col)
            fig["data"].append(
                {
                    "type": "scatter",
                    **{"x": p.deterrence.curve["q"], "y": p.deterrence.curve[key]},
                    **{"xaxis": xid, "yaxis": yid, "mode": "lines", "name": p.id},
                    "legendgroup": p.id,
                    "showlegend": col == 0,
                    "line": {"color": colour},
                    "hovertemplate": f"{p.id}<br>q=%{{x:.2f}}<br>{key}=%{{y:.3f}}<extra></extra>",
                }
            )
    q = analysis.deterrence_inputs.get("q")
    if q is not None:
        _q_band(fig, q)
    _axes(fig, "x", title={"text": "credibility q (shaded: the stated range)"}, range=[0, 1])
    fig["layout"]["yaxis"]["range"] = [0, 1.02]
    fig["layout"].update(height=380, margin={"l": 50, "r": 10, "t": 40, "b": 50})
    return fig


def survival_curves(analysis: Analysis) -> Figure:
    """Probability that the ceasefire still holds, by years since it began, per proposal."""
    data = [
        {
            "type": "scatter",
            "x": p.durability.survival["years"],
            "y": p.durability.survival["survival"],
            "mode": "lines",
            "name": f"{p.id} ({', '.join(p.durability.mechanisms) or 'no mechanism'})",
        }
        for p in analysis.proposals
        if p.durability is not None
    ]
    layout = {
        "xaxis": {"title": {"text": "years since the ceasefire"}},
        "yaxis": {"title": {"text": "P(still holding)"}, "range": [0, 1.02], "tickformat": ".0%"},
        "height": 380,
        "margin": {"l": 60, "r": 10, "t": 20, "b": 50},
    }
    return {"data": data, "layout": layout}


def _closed(poly: list[list[float]]) -> tuple[list[float], list[float]]:
    return [v[0] for v in poly] + [poly[0][0]], [v[1] for v in poly] + [poly[0][1]]


def _label_position(x: float) -> str:
    """Where a proposal's label goes: away from the nearer side edge, so it is never cut."""
    return "middle left" if x > 66 else ("middle right" if x < 34 else "top center")


def _proposal_markers(analysis: Analysis, dx: str, dy: str) -> dict[str, Any]:
    """Proposals at the same point of the plane share one marker and one label."""
    at: dict[tuple[float, float], list[str]] = {}
    for p in analysis.proposals:
        at.setdefault((p.position[dx], p.position[dy]), []).append(p.id)
    return {
        "type": "scatter",
        "x": [xy[0] for xy in at],
        "y": [xy[1] for xy in at],
        "mode": "markers+text",
        "text": ["<br>".join(ids) for ids in at.values()],
        "textposition": [_label_position(xy[0]) for xy in at],
        "textfont": {"size": 10},
        "cliponaxis": False,
        "marker": {"symbol": "x", "size": 10, "color": "#000"},
        "name": "proposals",
    }


def winset_slice_note(ws: Any) -> str:
    """Why the slice is where it is: the plane of the two dimensions the veto players weigh
    most (salience x capability), the others fixed at the win-set's deepest point, or at the
    least-violating point when there is no win-set (analysis._picture)."""
    pic = ws.picture
    fixed = ", ".join(f"{d} = {v:.0f}" for d, v in pic.fixed.items())
    where = "the deepest point of the win-set" if not ws.empty else "the point nearest to one"
    return "the two dimensions the veto players weigh most (salience × capability)" + (
        f"; {fixed}: {where}" if fixed else ""
    )


def winset_picture(analysis: Analysis, chain: str) -> Figure | None:
    """Each veto player's acceptable region, the win-set and the proposals, in a 2-D slice."""
    ws = analysis.winset(chain)
    pic = ws.picture
    if pic is None:
        return None
    dx, dy = pic.dimensions
    data: list[dict[str, Any]] = []
    for actor, poly in pic.regions.items():
        if poly:
            xs, ys = _closed(poly)
            data.append(
                {
                    "type": "scatter",
                    **{"x": xs, "y": ys, "mode": "lines", "line": {"width": 1}},
                    **{"name": actor, "opacity": 0.6, "hoverinfo": "name"},
                }
            )
    if pic.winset:
        xs, ys = _closed(pic.winset)
        data.append(
            {
                "type": "scatter",
                **{"x": xs, "y": ys, "fill": "toself", "fillcolor": "rgba(0,114,178,0.35)"},
                **{"line": {"color": "#0072B2", "width": 3}, "name": "win-set (slice)"},
            }
        )
    data.append(_proposal_markers(analysis, dx, dy))
    layout = {
        "title": {
            "text": f"{chain}: acceptable regions in the plane {dx} × {dy}"
            f"<br><sup>{winset_slice_note(ws)}</sup>",
        },
        "xaxis": {"title": {"text": dx}, "range": [-2, 102], "constrain": "domain"},
        "yaxis": {
            "title": {"text": dy},
            "range": [-2, 102],
            "scaleanchor": "x",
            "constrain": "domain",
        },
        "legend": {"font": {"size": 9}},
        "height": 580,
        "margin": {"l": 50, "r": 10, "t": 70, "b": 50},
    }
    return {"data": data, "layout": layout}


def forecast_paths(analysis: Analysis) -> Figure | None:
    """Each engine's forecast point round by round, one panel per dimension; the proposals'
    positions as thin grey levels."""
    fcs = analysis.forecasts
    if not fcs:
        return None
    dims = analysis.dimensions
    cols = min(2, len(dims))
    rows = math.ceil(len(dims) / cols)
    fig = _grid(rows, cols, list(dims), vspace=0.12)
    palette = ["#0072B2", "#56B4E9", "#E69F00", "#009E73", "#D55E00", "#CC79A7"]
    longest = max(max(len(g.path) for g in fcs) - 1, 1)
    shapes = []
    for k, d in enumerate(dims):
        xid, yid = _axis_ids(k)
        for m, f in enumerate(fcs):
            ys = [step[d] for step in f.path]
            xs = list(range(len(ys)))
            if len(ys) == 1:  # closed-form engines: a level line over the longest path
                xs, ys = [0, longest], ys * 2
            fig["data"].append(
                {
                    "type": "scatter",
                    **{"x": xs, "y": ys, "xaxis": xid, "yaxis": yid, "mode": "lines"},
                    "name": f"{f.engine} ({f.variant})",
                    "legendgroup": f"{f.engine}-{f.variant}",
                    "showlegend": k == 0,
                    "line": {
                        "color": palette[m % len(palette)],
                        "dash": "dot" if len(f.path) == 1 else "solid",
                    },
                }
            )
        shapes += [
            {
                "type": "line",
                **{"xref": f"{xid} domain", "yref": yid, "x0": 0, "x1": 1},
                **{"y0": p.position[d], "y1": p.position[d]},
                "line": {"width": 0.5, "color": "#999"},
            }
            for p in analysis.proposals
        ]
    fig["layout"]["shapes"] = shapes
    _axes(fig, "y", range=[0, 100])
    for k in range(len(dims)):  # the x title under the bottom panel of each column only
        if k + cols >= len(dims):
            fig["layout"][f"xaxis{_axis_ids(k)[0][1:]}"]["title"] = {"text": "round"}
    fig["layout"].update(height=330 * rows, margin={"l": 50, "r": 10, "t": 40, "b": 40})
    return fig


# ---------------------------------------------------------------------------------------------
# Uncertainty (a sweep's summary, ceasefire.sweep_results.SweepSummary)


def pass_probability_bars(summary: SweepSummary) -> go.Figure:
    """P(passes) per proposal and institution, with 95 % Wilson intervals."""
    import plotly.graph_objects as go

    fig = go.Figure()
    insts = list(dict.fromkeys(i for p in summary.proposals for i in p.institutions))
    for iid in [*insts, "all required"]:
        xs, ys, lo, hi = [], [], [], []
        for p in summary.proposals:
            r = p.passes if iid == "all required" else p.institutions.get(iid)
            if r is None:
                continue
            xs.append(p.id)
            ys.append(r.p_pass)
            lo.append(r.p_pass - r.ci95[0])
            hi.append(r.ci95[1] - r.p_pass)
        fig.add_bar(
            x=xs,
            y=ys,
            name=iid,
            error_y={"type": "data", "array": hi, "arrayminus": lo, "visible": True},
        )
    fig.update_layout(
        barmode="group",
        yaxis={"title": "probability of passing", "range": [0, 1.05]},
        xaxis={
            "categoryorder": "array",
            "categoryarray": [p.id for p in summary.proposals],
        },
        height=380,
        margin={"t": 30, "b": 40},
    )
    return fig


def acceptance_probability_heatmap(summary: SweepSummary) -> go.Figure:
    """Actors x proposals: the probability each actor accepts each proposal over the draws."""
    import plotly.graph_objects as go

    actors = summary.actors
    props = [p.id for p in summary.proposals]
    z = [[p.acceptance[a].p_accept for p in summary.proposals] for a in actors]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=props,
            y=actors,
            zmin=0,
            zmax=1,
            colorscale="RdBu",
            colorbar={"title": "P(accepts)"},
            hovertemplate="%{y} / %{x}: %{z:.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        height=max(400, 18 * len(actors)), margin={"t": 30}, yaxis={"autorange": "reversed"}
    )
    return fig


#: a tornado chart shows the factors whose Sobol' total index is at least this (and at least one)
TORNADO_MIN_ST = 0.01


def sobol_tornado(output: OutputSensitivity) -> go.Figure | None:
    """The tornado chart of one headline output: Sobol' indices of its inputs, largest first.

    One horizontal bar per factor of the Sobol' analysis (an input Morris ranked among the
    most influential, or the group "all other inputs"): its total index ST with the 95 %
    bootstrap interval, and over it its first-order index S1. Factors with ST below
    ``TORNADO_MIN_ST`` are left out; small negative estimates (sampling noise) are drawn as 0.
    None when the output has no variance within the ranges.
    """
    import plotly.graph_objects as go

    if not output.sobol:
        return None
    # the output's factors come largest first; plotly draws the first bar at the bottom
    kept = [x for x in output.sobol if (x.st or 0.0) >= TORNADO_MIN_ST] or output.sobol[:1]
    kept = kept[::-1]
    names = [input_label(x.factor, x.label) for x in kept]
    fig = go.Figure()
    fig.add_bar(
        y=names,
        x=[max(x.st or 0.0, 0.0) for x in kept],
        orientation="h",
        name="total (ST)",
        marker_color="#0072B2",
        error_x={"type": "data", "array": [x.st_conf or 0.0 for x in kept]},
        customdata=[x.st for x in kept],
        hovertemplate="%{y}: ST %{customdata:.3f}<extra></extra>",
    )
    fig.add_bar(
        y=names,
        x=[max(x.s1 or 0.0, 0.0) for x in kept],
        orientation="h",
        name="first order (S1)",
        marker_color="#E69F00",
        width=0.4,
        customdata=[x.s1 for x in kept],
        hovertemplate="%{y}: S1 %{customdata:.3f}<extra></extra>",
    )
    fig.update_layout(
        barmode="overlay",
        title=output.output.title,
        height=140 + 30 * len(kept),
        margin={"l": 320, "t": 40, "b": 40},
        xaxis={"title": "Sobol' index (share of the output's variance)", "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.35 if len(kept) < 4 else -0.2},
    )
    return fig


def s1_tornado(output: OutputSensitivity) -> go.Figure | None:
    """The tornado chart of one headline output from the sweep's own draws: the first-order
    index S1 of its most influential inputs (RBD-FAST, docs/specs/sensitivity.md), largest
    first, with the 95 % interval (delta method); an input whose half-sample estimate falls outside
    the interval is marked "not converged". None when the output has no variance."""
    import plotly.graph_objects as go

    kept = output.top_given(12, TORNADO_MIN_ST) or output.given[:1]
    if not kept:
        return None
    kept = kept[::-1]  # plotly draws the first bar at the bottom
    names = [
        input_label(x.input, x.label) + ("" if x.converged is not False else " (not converged)")
        for x in kept
    ]
    fig = go.Figure()
    fig.add_bar(
        y=names,
        x=[max(x.s1, 0.0) for x in kept],
        orientation="h",
        name="first order (S1)",
        marker_color="#E69F00",
        error_x={"type": "data", "array": [x.s1_conf for x in kept]},
        customdata=[x.s1 for x in kept],
        hovertemplate="%{y}: S1 %{customdata:.3f}<extra></extra>",
    )
    fig.update_layout(
        title=output.output.title,
        height=140 + 30 * len(kept),
        margin={"l": 320, "t": 40, "b": 40},
        xaxis={
            "title": "first-order index S1 (share of the output's variance)",
            "rangemode": "tozero",
        },
    )
    return fig


def _quantile_box(
    fig: go.Figure,
    x: str,
    q: Quantiles,
    *,
    name: str,
    color: str,
    show_legend: bool,
    row: int,
    col: int,
) -> None:
    """One box drawn from precomputed quantiles: whiskers 5-95 %, box 25-75 %, median line,
    and the central run's value as a diamond."""
    import plotly.graph_objects as go

    if q.median is None:
        return
    fig.add_trace(
        go.Box(
            x=[x],
            lowerfence=[q.p05],
            q1=[q.p25],
            median=[q.median],
            q3=[q.p75],
            upperfence=[q.p95],
            name=name,
            legendgroup=name,
            marker_color=color,
            showlegend=show_legend,
            hoverinfo="y",
        ),
        row=row,
        col=col,
    )
    if q.central is not None:
        fig.add_trace(
            go.Scatter(
                x=[x],
                y=[q.central],
                mode="markers",
                marker={"symbol": "diamond", "size": 9, "color": "#1b1b1b"},
                name="central run",
                legendgroup="central run",
                showlegend=False,
                hovertemplate=f"{x}: central run %{{y:.3g}}<extra></extra>",
            ),
            row=row,
            col=col,
        )


_OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")


def _central_legend(fig: go.Figure) -> None:
    import plotly.graph_objects as go

    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={"symbol": "diamond", "size": 9, "color": "#1b1b1b"},
            name="central run",
        )
    )


def forecast_distributions(summary: SweepSummary) -> go.Figure | None:
    """Each engine's forecast on each dimension over the draws, one panel per dimension.

    Boxes from the summary's quantiles: whiskers 5th-95th percentile, box 25th-75th, line at
    the median; the diamond is the central run's forecast. None without engines.
    """
    from plotly.subplots import make_subplots

    forecasts, dims = summary.forecasts, summary.dimensions
    if not forecasts or not dims:
        return None
    fig = make_subplots(
        rows=1, cols=len(dims), shared_yaxes=True, subplot_titles=dims, horizontal_spacing=0.03
    )
    for e, f in enumerate(forecasts):
        for j, d in enumerate(dims):
            _quantile_box(
                fig,
                f.engine,
                f.dimensions[d],
                name=f.engine,
                color=_OKABE_ITO[e % len(_OKABE_ITO)],
                show_legend=j == 0,
                row=1,
                col=j + 1,
            )
    _central_legend(fig)
    fig.update_yaxes(range=[0, 100])
    fig.update_yaxes(title_text="forecast position (0-100)", row=1, col=1)
    fig.update_xaxes(showticklabels=False)
    fig.update_layout(
        height=400, margin={"t": 40, "b": 30}, legend={"orientation": "h", "y": -0.08}
    )
    return fig


def _det(name: str) -> Callable[[ProposalSweep], Quantiles | None]:
    return lambda p: getattr(p.deterrence, name) if p.deterrence else None


#: (label, whether a probability, the distribution) of the panels of outcome_distributions
OUTCOME_PANELS: tuple[tuple[str, bool, Callable[[ProposalSweep], Quantiles | None]], ...] = (
    ("smallest veto margin", False, lambda p: p.min_veto_margin),
    ("P(hold)", True, _det("p_hold")),
    ("P(guarantor war)", True, _det("p_guarantor_war")),
    ("P(breakdown within 5 years)", True, lambda p: p.durability.p_breakdown_5y),
)


def outcome_distributions(summary: SweepSummary) -> go.Figure | None:
    """Per proposal, the distributions of its smallest veto margin, the guarantee game's
    P(hold) and P(guarantor war) and the 5-year breakdown probability (boxes as in
    :func:`forecast_distributions`)."""
    from plotly.subplots import make_subplots

    props = summary.proposals
    panels = [x for x in OUTCOME_PANELS if any(x[2](p) for p in props)]
    if not props or not panels:
        return None
    fig = make_subplots(
        rows=len(panels), cols=1, shared_xaxes=True, subplot_titles=[p[0] for p in panels],
        vertical_spacing=0.06,
    )  # fmt: skip
    for r, (_, probability, quant) in enumerate(panels, start=1):
        for k, p in enumerate(props):
            q = quant(p)
            if q is not None:
                _quantile_box(
                    fig,
                    p.id,
                    q,
                    name=p.id,
                    color=_OKABE_ITO[k % len(_OKABE_ITO)],
                    show_legend=False,
                    row=r,
                    col=1,
                )
        if probability:
            fig.update_yaxes(range=[0, 1.02], row=r, col=1)
    fig.update_xaxes(
        categoryorder="array", categoryarray=[p.id for p in props], showticklabels=True
    )
    fig.update_layout(height=230 * len(panels) + 60, margin={"t": 40, "b": 40}, showlegend=False)
    return fig


def path_timelines(analysis: Analysis) -> Figure | None:
    """P(ceasefire in place and holding at t | passes) per proposal and order of events.

    docs/specs/durability.md §5; the ratification window (central) is marked per proposal.
    ``None`` when no proposal has an event tree.
    """
    data = [
        {
            "type": "scatter",
            "x": o.curve.get("years", []),
            "y": o.curve.get("p_in_place", []),
            "mode": "lines",
            "line": {"dash": "dot" if o.order == "guarantee-first" else "solid"},
            "name": f"{p.id}: {o.order}",
        }
        for p in analysis.proposals
        if p.paths is not None
        for o in p.paths.orders
    ]
    if not data:
        return None
    layout = {
        "xaxis": {"title": {"text": "years since signature (ratification window, then in force)"}},
        "yaxis": {
            "title": {"text": "P(ceasefire in place | passes)"},
            "range": [0, 1.02],
            "tickformat": ".0%",
        },
        "height": 400,
        "margin": {"l": 60, "r": 10, "t": 20, "b": 50},
    }
    return {"data": data, "layout": layout}
