"""Charts whose encoding must match their legend (issue 18 item 6)."""

from __future__ import annotations

import json
from typing import Any

from ceasefire.analysis import analyze
from ceasefire.report.charts import (
    RED_LINE_COLOUR,
    _simplify,
    acceptance_heatmap,
    category,
    coverage_bars,
    coverage_map,
    deterrence_curves,
    winset_picture,
)
from ceasefire.report.charts_game import game_curves


def test_red_line_rejections_are_never_drawn_in_the_margin_colours(builtin: Any) -> None:
    a = analyze(builtin, engines=None)
    margins, lines = acceptance_heatmap(a)["data"]
    crossed = 0
    for i, actor in enumerate(a.actors):
        for j, p in enumerate(a.proposals):
            red = bool(p.acceptance[actor].red_line_violations)
            crossed += red
            # a crossing sits only in the grey layer; every other cell only in the margin layer
            assert (margins["z"][i][j] is None) is red
            assert (lines["z"][i][j] is not None) is red
    # HUN, SVK and the incoming US administration cross their red lines on the West German model
    assert crossed > 0
    assert {c for _, c in lines["colorscale"]} == {RED_LINE_COLOUR}


# --- the report's figures are plain dicts, small and cheap (issue 18, item 2) ---------------


def test_the_map_draws_one_trace_per_category_and_panel(builtin: Any) -> None:
    from ceasefire.scenario import read_geometry

    a = analyze(builtin, engines=None)
    geometry = read_geometry(builtin)
    assert geometry is not None
    fig = coverage_map(a, geometry)
    assert fig is not None and isinstance(fig, dict)
    by_panel: dict[str, list[dict[str, Any]]] = {}
    for t in fig["data"]:
        by_panel.setdefault(t["xaxis"], []).append(t)
    assert len(by_panel) == len(a.proposals)
    for p, traces in zip(a.proposals, by_panel.values(), strict=True):
        # units with an outline (the Kursk salient, the aggressor's territory, has none)
        drawn = [u for u in p.coverage.units if u.code in geometry.rings]
        categories = {category(u) for u in drawn}
        # one filled trace per category present, plus one hover layer with a text per unit
        assert len(traces) == len(categories) + 1
        assert len(traces[-1]["text"]) == len(drawn)
        assert all(u.name in " ".join(traces[-1]["text"]) for u in drawn)
    # was 990 kB for the built-in (one trace per unit and panel, every vertex)
    assert len(json.dumps(fig)) < 400_000


def test_simplify_keeps_the_shape_and_drops_collinear_vertices() -> None:
    line = (*((float(x), 0.0) for x in range(11)), (10.0, 5.0), (0.0, 0.0))
    assert _simplify(line, 0.01) == [(0.0, 0.0), (10.0, 0.0), (10.0, 5.0), (0.0, 0.0)]
    bump = ((0.0, 0.0), (1.0, 0.0), (2.0, 0.5), (3.0, 0.0), (4.0, 0.0), (0.0, 0.0))
    assert (2.0, 0.5) in _simplify(bump, 0.1)
    assert (2.0, 0.5) not in _simplify(bump, 1.0)


def test_report_figures_are_serialised_without_graph_objects(builtin: Any) -> None:
    from ceasefire.report import html
    from ceasefire.scenario import read_geometry

    a = analyze(builtin)
    assert all(
        isinstance(f, dict) for f in (acceptance_heatmap(a), coverage_bars(a), deterrence_curves(a))
    )
    out = html.figures(a, read_geometry(builtin))
    assert 'Plotly.newPlot("coverage-map"' in out["map"]
    # the layout carries the look of plotly's template, not the 7 kB template itself
    assert out["bars"].count('"plot_bgcolor":"#E5ECF6"') == 1
    assert "</script>" not in out["heatmap"].split("<script", 1)[1][: -len("</script></div>")]


def test_winset_slice_labels_are_never_cut_and_the_slice_is_explained(builtin: Any) -> None:
    a = analyze(builtin, engines=None)
    for w in a.winsets:
        fig = winset_picture(a, w.id)
        if fig is None:
            continue
        marks = fig["data"][-1]
        assert marks["cliponaxis"] is False
        for x, pos in zip(marks["x"], marks["textposition"], strict=True):
            # a label next to the right or left edge is written inwards
            assert not (x > 90 and pos.endswith("right")) and not (x < 10 and pos.endswith("left"))
        assert "weigh most" in fig["layout"]["title"]["text"]


def test_the_margin_scale_is_blue_for_acceptance_as_the_legend_says(builtin: Any) -> None:
    """A plain figure must spell the scale out: plotly.js reads the name "RdBu" the other way
    round from plotly.py (there blue is high: a positive margin, acceptance)."""
    import plotly.graph_objects as go

    margins = acceptance_heatmap(analyze(builtin, engines=None))["data"][0]
    assert [tuple(x) for x in margins["colorscale"]] == list(
        go.Heatmap(colorscale="RdBu").colorscale
    )
    assert margins["colorscale"][-1][1] == "rgb(5,48,97)"  # dark blue at the top


def test_the_report_carries_little_beside_plotly_js(builtin: Any) -> None:
    """The built-in report was 6.05 MB, 1.2 MB of it besides plotly.js (the map alone 1 MB)."""
    from ceasefire.report import html
    from ceasefire.scenario import read_geometry

    page = html.render(analyze(builtin), builtin, read_geometry(builtin))
    assert page.count(html.plotly_js()) == 1
    assert len(page.encode()) - len(html.plotly_js().encode()) < 700_000


def test_the_game_curves_are_a_plain_figure_with_shared_columns_and_shaded_ranges(
    builtin: Any,
) -> None:
    a = analyze(builtin, engines=None)
    fig = game_curves(a)
    assert isinstance(fig, dict)
    covered = [p for p in a.proposals if p.deterrence is not None and p.deterrence.curves]
    assert covered
    # q*, q*_probe and P(hold) against c2 and s for every proposal the game covers
    assert len(fig["data"]) == 6 * len(covered)
    assert [t["showlegend"] for t in fig["data"]].count(True) == 1
    first = covered[0].deterrence
    assert first is not None
    c2 = next(c for c in first.curves if c.parameter == "c2")
    lay = fig["layout"]
    for t in fig["data"]:
        # c2 in the left column (x, x3, x5), s in the right one
        assert (t["xaxis"] in ("x", "x3", "x5")) is ("c2=" in t["hovertemplate"])
        assert t["yaxis"] == "y" + t["xaxis"][1:]
    assert fig["data"][2]["y"] == c2.p_hold and fig["data"][2]["yaxis"] == "y5"
    # the upper rows follow the bottom row's x axis; c2's axis is logarithmic
    assert lay["xaxis"]["matches"] == "x5" and lay["xaxis4"]["matches"] == "x6"
    assert "matches" not in lay["xaxis5"] and lay["xaxis3"]["type"] == "log"
    assert "type" not in lay["xaxis2"]
    assert lay["yaxis5"]["title"]["text"] == "P(hold)"
    # each input's stated range shaded and its central value dotted on its three panels
    shaded = [s for s in lay["shapes"] if s["type"] == "rect"]
    assert len(shaded) == len(lay["shapes"]) / 2 == 6
    assert {(s["x0"], s["x1"]) for s in shaded if s["xref"] in ("x", "x3", "x5")} == {
        (c2.low, c2.high)
    }
    assert all(s["yref"] == s["xref"].replace("x", "y") + " domain" for s in lay["shapes"])


def test_the_report_module_does_not_load_plotly_graph_objects() -> None:
    """The report's charts are plain dicts: ``plotly.graph_objects`` costs ~0.2 s to import
    (issue 18, item 2), only the sweep's charts use it."""
    import subprocess
    import sys

    code = (
        "import sys, ceasefire.report.html, ceasefire.report.charts_game; "
        "print(sorted(m for m in sys.modules if m.startswith('plotly')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
