"""Plotly figures of an :class:`~ceasefire.results.Analysis` (shared by the report and web UI).

Each function renders data already computed by the pipeline; none computes a result. Maps are
drawn as filled ``Scatter`` polygons on equal-aspect axes, which needs no map tiles or
topojson from a CDN and so renders offline.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ceasefire.results import Analysis, ProposalResult
from ceasefire.scenario.geometry import Ring, UnitGeometry
from ceasefire.sweep_results import OutputSensitivity, ProposalSweep, Quantiles, SweepSummary

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


def _outline(rings: tuple[Ring, ...]) -> tuple[list[float | None], list[float | None]]:
    """One unit's rings as a single polyline, rings separated by None (plotly's gaps)."""
    xs: list[float | None] = []
    ys: list[float | None] = []
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


def _equal_aspect(fig: go.Figure, panels: int, geometry: UnitGeometry) -> None:
    """Equal distances on each panel: one degree of longitude is cos(latitude) of one of
    latitude, taken at the middle of the geometry's bounding box (an equirectangular view)."""
    ratio = 1 / math.cos(math.radians(geometry.mid_latitude))
    for k in range(panels):
        axis = "" if k == 0 else str(k + 1)
        fig.update_layout(
            {f"yaxis{axis}": {"scaleanchor": f"x{axis}", "scaleratio": ratio, "visible": False}}
        )


def coverage_map(
    analysis: Analysis, geometry: UnitGeometry | None, columns: int = 3
) -> go.Figure | None:
    """Small multiples: the units of the disputed state coloured by status, one per proposal.

    ``geometry`` is the scenario's own map (``Loaded.geometry``,
    :func:`ceasefire.scenario.read_geometry`); without one there is no map (None) and the
    report prints :data:`NO_MAP` instead.
    """
    if geometry is None:
        return None
    props = analysis.proposals
    rows = max(1, math.ceil(len(props) / columns))
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=[p.id for p in props],
        horizontal_spacing=0.01,
        vertical_spacing=0.06,
    )
    shown: set[str] = set()
    for k, p in enumerate(props):
        r, c = divmod(k, columns)
        for u in p.coverage.units:
            cat = category(u)
            colour, label = CATEGORIES[cat]
            xs, ys = _outline(geometry.rings.get(u.code, ()))
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    fill="toself",
                    fillcolor=colour,
                    line={"color": "#444", "width": 0.5},
                    mode="lines",
                    name=label,
                    legendgroup=cat,
                    showlegend=cat not in shown,
                    hoverinfo="text",
                    text=_hover(u),
                    hoveron="fills",
                ),
                row=r + 1,
                col=c + 1,
            )
            shown.add(cat)
    fig.update_xaxes(visible=False)
    _equal_aspect(fig, len(props), geometry)
    fig.update_layout(
        height=300 * rows + 80,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "y": -0.02},
        plot_bgcolor="white",
    )
    return fig


#: the colour of a cell whose proposal crosses the actor's red line (a rejection, any margin)
RED_LINE_COLOUR = "#4d4d4d"


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


def acceptance_heatmap(analysis: Analysis) -> go.Figure:
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
    common = {"x": [_proposal_label(p) for p in props], "y": actors, "hoverinfo": "text"}
    fig = go.Figure(
        [
            go.Heatmap(
                z=margins,
                text=text,
                texttemplate="%{text}",
                hovertext=hover,
                colorscale="RdBu",
                zmid=0,
                zmin=-bound,
                zmax=bound,
                colorbar={"title": "margin"},
                name="margin",
                **common,
            ),
            go.Heatmap(
                z=lines,
                text=text,
                texttemplate="%{text}",
                hovertext=hover,
                colorscale=[[0.0, RED_LINE_COLOUR], [1.0, RED_LINE_COLOUR]],
                showscale=False,
                name="crosses a red line",
                **common,
            ),
        ]
    )
    fig.update_layout(
        height=22 * len(actors) + 160,
        margin={"l": 60, "r": 10, "t": 30, "b": 120},
        yaxis={"autorange": "reversed"},
    )
    return fig


def coverage_bars(analysis: Analysis) -> go.Figure:
    """Grouped bars: invited, guaranteed, ceded and occupied area shares per proposal."""
    props: list[ProposalResult] = analysis.proposals
    fig = go.Figure()
    for key, label, colour in (
        ("invited_area_share", "invited", CATEGORIES["invited"][0]),
        ("guaranteed_area_share", "guaranteed", CATEGORIES["guaranteed"][0]),
        ("ceded_area_share", "ceded de jure", CATEGORIES["ceded"][0]),
        ("occupied_area_share", "occupied, claim kept", CATEGORIES["occupied"][0]),
    ):
        fig.add_trace(
            go.Bar(
                name=label,
                x=[p.id for p in props],
                y=[getattr(p.coverage, key) for p in props],
                marker_color=colour,
            )
        )
    fig.update_layout(
        barmode="group",
        yaxis={"tickformat": ".0%", "range": [0, 1]},
        height=360,
        margin={"l": 50, "r": 10, "t": 20, "b": 80},
    )
    return fig


def deterrence_curves(analysis: Analysis) -> go.Figure:
    """P(hold) and P(guarantor drawn into war) against the guarantors' credibility q."""
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=(
            "P(aggressor keeps the line)",
            "P(guarantor drawn into direct war)",
        ),
        horizontal_spacing=0.08,
    )
    palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000"]
    for k, p in enumerate(analysis.proposals):
        if p.deterrence is None:
            continue
        colour = palette[k % len(palette)]
        for col, key in ((1, "p_hold"), (2, "p_guarantor_war")):
            fig.add_trace(
                go.Scatter(
                    x=p.deterrence.curve["q"],
                    y=p.deterrence.curve[key],
                    mode="lines",
                    name=p.id,
                    legendgroup=p.id,
                    showlegend=col == 1,
                    line={"color": colour},
                    hovertemplate=f"{p.id}<br>q=%{{x:.2f}}<br>{key}=%{{y:.3f}}<extra></extra>",
                ),
                row=1,
                col=col,
            )
    q = analysis.deterrence_inputs.get("q")
    if q is not None:
        for col in (1, 2):
            fig.add_vrect(
                x0=q.low, x1=q.high, fillcolor="#999", opacity=0.15, line_width=0, row=1, col=col
            )
            fig.add_vline(x=q.central, line_dash="dot", line_color="#555", row=1, col=col)
    fig.update_xaxes(title_text="credibility q (shaded: the stated range)", range=[0, 1])
    fig.update_yaxes(range=[0, 1.02], row=1, col=1)
    fig.update_layout(height=380, margin={"l": 50, "r": 10, "t": 40, "b": 50})
    return fig


def survival_curves(analysis: Analysis) -> go.Figure:
    """Probability that the ceasefire still holds, by years since it began, per proposal."""
    fig = go.Figure()
    for p in analysis.proposals:
        if p.durability is None:
            continue
        fig.add_trace(
            go.Scatter(
                x=p.durability.survival["years"],
                y=p.durability.survival["survival"],
                mode="lines",
                name=f"{p.id} ({', '.join(p.durability.mechanisms) or 'no mechanism'})",
            )
        )
    fig.update_layout(
        xaxis_title="years since the ceasefire",
        yaxis={"title": "P(still holding)", "range": [0, 1.02], "tickformat": ".0%"},
        height=380,
        margin={"l": 60, "r": 10, "t": 20, "b": 50},
    )
    return fig


def winset_picture(analysis: Analysis, chain: str) -> go.Figure | None:
    """Each veto player's acceptable region, the win-set and the proposals, in a 2-D slice."""
    ws = analysis.winset(chain)
    pic = ws.picture
    if pic is None:
        return None
    dx, dy = pic.dimensions
    fig = go.Figure()
    for actor, poly in pic.regions.items():
        if not poly:
            continue
        xs = [v[0] for v in poly] + [poly[0][0]]
        ys = [v[1] for v in poly] + [poly[0][1]]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"width": 1},
                name=actor,
                opacity=0.6,
                hoverinfo="name",
            )
        )
    if pic.winset:
        poly = pic.winset
        fig.add_trace(
            go.Scatter(
                x=[v[0] for v in poly] + [poly[0][0]],
                y=[v[1] for v in poly] + [poly[0][1]],
                fill="toself",
                fillcolor="rgba(0,114,178,0.35)",
                line={"color": "#0072B2", "width": 3},
                name="win-set (slice)",
            )
        )
    # proposals at the same point of the plane share one marker and one label
    at: dict[tuple[float, float], list[str]] = {}
    for p in analysis.proposals:
        at.setdefault((p.position[dx], p.position[dy]), []).append(p.id)
    fig.add_trace(
        go.Scatter(
            x=[xy[0] for xy in at],
            y=[xy[1] for xy in at],
            mode="markers+text",
            text=["<br>".join(ids) for ids in at.values()],
            textposition="top center",
            textfont={"size": 10},
            marker={"symbol": "x", "size": 10, "color": "#000"},
            name="proposals",
        )
    )
    fixed = ", ".join(f"{d} = {v:.0f}" for d, v in pic.fixed.items())
    fig.update_layout(
        title=f"{chain}: acceptable regions in the plane {dx} × {dy}"
        + (f" (slice at {fixed})" if fixed else ""),
        xaxis={"title": dx, "range": [-2, 102], "constrain": "domain"},
        yaxis={"title": dy, "range": [-2, 102], "scaleanchor": "x", "constrain": "domain"},
        legend={"font": {"size": 9}},
        height=560,
        margin={"l": 50, "r": 10, "t": 50, "b": 50},
    )
    return fig


def forecast_paths(analysis: Analysis) -> go.Figure | None:
    """Each engine's forecast point round by round, one panel per dimension."""
    fcs = analysis.forecasts
    if not fcs:
        return None
    dims = analysis.dimensions
    cols = min(2, len(dims))
    rows = math.ceil(len(dims) / cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=dims, vertical_spacing=0.12)
    palette = ["#0072B2", "#56B4E9", "#E69F00", "#009E73", "#D55E00", "#CC79A7"]
    for k, d in enumerate(dims):
        r, c = divmod(k, cols)
        for m, f in enumerate(fcs):
            ys = [step[d] for step in f.path]
            xs = list(range(len(ys)))
            if len(ys) == 1:  # closed-form engines: a level line over the longest path
                longest = max(len(g.path) for g in fcs)
                xs, ys = [0, max(longest - 1, 1)], ys * 2
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    name=f"{f.engine} ({f.variant})",
                    legendgroup=f"{f.engine}-{f.variant}",
                    showlegend=k == 0,
                    line={
                        "color": palette[m % len(palette)],
                        "dash": "dot" if len(f.path) == 1 else "solid",
                    },
                ),
                row=r + 1,
                col=c + 1,
            )
        for p in analysis.proposals:
            fig.add_hline(y=p.position[d], line_width=0.5, line_color="#999", row=r + 1, col=c + 1)
    fig.update_yaxes(range=[0, 100])
    fig.update_xaxes(title_text="round")
    fig.update_layout(height=330 * rows, margin={"l": 50, "r": 10, "t": 40, "b": 40})
    return fig


# ---------------------------------------------------------------------------------------------
# Uncertainty (a sweep's summary, ceasefire.sweep_results.SweepSummary)


def pass_probability_bars(summary: SweepSummary) -> go.Figure:
    """P(passes) per proposal and institution, with 95 % Wilson intervals."""
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
    if not output.sobol:
        return None
    # the output's factors come largest first; plotly draws the first bar at the bottom
    kept = [x for x in output.sobol if (x.st or 0.0) >= TORNADO_MIN_ST] or output.sobol[:1]
    kept = kept[::-1]
    names = [x.label for x in kept]
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
    first, with the 95 % bootstrap interval; an input whose half-sample estimate falls outside
    the interval is marked "not converged". None when the output has no variance."""
    kept = output.top_given(12, TORNADO_MIN_ST) or output.given[:1]
    if not kept:
        return None
    kept = kept[::-1]  # plotly draws the first bar at the bottom
    names = [x.label + ("" if x.converged is not False else " (not converged)") for x in kept]
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


def path_timelines(analysis: Analysis) -> go.Figure | None:
    """P(ceasefire in place and holding at t | passes) per proposal and order of events.

    docs/specs/durability.md §5; the ratification window (central) is marked per proposal.
    ``None`` when no proposal has an event tree.
    """
    fig = go.Figure()
    for p in analysis.proposals:
        if p.paths is None:
            continue
        for o in p.paths.orders:
            fig.add_trace(
                go.Scatter(
                    x=o.curve.get("years", []),
                    y=o.curve.get("p_in_place", []),
                    mode="lines",
                    line={"dash": "dot" if o.order == "guarantee-first" else "solid"},
                    name=f"{p.id}: {o.order}",
                )
            )
    if not fig.data:
        return None
    fig.update_layout(
        xaxis_title="years since signature (ratification window, then in force)",
        yaxis={"title": "P(ceasefire in place | passes)", "range": [0, 1.02], "tickformat": ".0%"},
        height=400,
        margin={"l": 60, "r": 10, "t": 20, "b": 50},
    )
    return fig
