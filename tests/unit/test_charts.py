"""Charts whose encoding must match their legend (issue 18 item 6)."""

from __future__ import annotations

from typing import Any

from ceasefire.analysis import analyze
from ceasefire.report.charts import RED_LINE_COLOUR, acceptance_heatmap


def test_red_line_rejections_are_never_drawn_in_the_margin_colours(builtin: Any) -> None:
    a = analyze(builtin, engines=None)
    margins, lines = acceptance_heatmap(a).data
    crossed = 0
    for i, actor in enumerate(a.actors):
        for j, p in enumerate(a.proposals):
            red = bool(p.acceptance[actor].red_line_violations)
            crossed += red
            # a crossing sits only in the grey layer; every other cell only in the margin layer
            assert (margins.z[i][j] is None) is red
            assert (lines.z[i][j] is not None) is red
    # HUN, SVK and the incoming US administration cross their red lines on the West German model
    assert crossed > 0
    assert {c for _, c in lines.colorscale} == {RED_LINE_COLOUR}
