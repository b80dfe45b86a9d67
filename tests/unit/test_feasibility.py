"""Feasible or flagged (issue 16, part 3): a forecast's red lines, blocking institutions and
the nearest proposal in the terms that define proposals (ceasefire.feasibility)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ceasefire
from ceasefire.feasibility import anchor_of, check
from ceasefire.preferences import Preferences

SCENARIO = ceasefire.load("ukraine-2024-11")
PREFS = Preferences.from_scenario(SCENARIO)
DIMS = SCENARIO.dimension_ids


def test_anchor_bands_hand_checked():
    """alliance anchors 0, 20, 40, 60, 80, 100: 59.9 has the terms of 40 (no invitation)."""
    alliance = SCENARIO.dimensions[DIMS.index("alliance")]
    assert anchor_of(alliance, 59.9) == 40.0
    assert anchor_of(alliance, 60.0) == 60.0
    assert anchor_of(alliance, 40.0 - 1e-9) == 40.0  # rounding of an engine's output
    assert anchor_of(alliance, 0.0) == 0.0


def test_bdm_point_of_issue_16_is_flagged():
    """(40, 90, 80, 95): Russia's red lines alliance <= 20 and sovereignty <= 25 are crossed, so
    the belligerents' 'all' rule fails with Russia; the mean-distance nearest proposal, the West
    German model (60, 50, 60, 90), has an invitation (alliance 60) and a freeze (sovereignty 50):
    the point violates both terms and the check says so."""
    c = check(SCENARIO, PREFS, np.array([40.0, 90.0, 80.0, 95.0]))
    assert "RUS alliance <= 20 (forecast 40.0)" in c.red_lines_crossed
    assert "RUS sovereignty <= 25 (forecast 90.0)" in c.red_lines_crossed
    assert c.blocked["belligerents"] == ["RUS"]
    violated = [t.split(":")[0] for t in c.terms_violated["west-german-model"]]
    assert violated == ["alliance", "sovereignty"]
    assert "no invitation" in c.terms_violated["west-german-model"][0]


def test_a_proposal_has_its_own_terms():
    for p in SCENARIO.proposals:
        pos = np.array([p.position[d] for d in DIMS])
        c = check(SCENARIO, PREFS, pos)
        assert c.terms_violated[p.id] == []
        assert c.terms_violated[c.nearest_in_terms] == []


@settings(deadline=None, max_examples=30)
@given(st.lists(st.floats(0, 100), min_size=4, max_size=4))
def test_nearest_in_terms_violates_the_fewest(point):
    c = check(SCENARIO, PREFS, np.array(point))
    fewest = min(len(v) for v in c.terms_violated.values())
    assert len(c.terms_violated[c.nearest_in_terms]) == fewest
    # every crossed red line is one the acceptance stage sees
    excess = PREFS.red_line_excess(np.array(point))
    assert len(c.red_lines_crossed) == int((excess > 0).sum())
    assert set(c.rejecting) >= {r.split(" ", 1)[0] for r in c.red_lines_crossed}


def test_every_forecast_of_the_analysis_carries_its_check():
    from ceasefire.analysis import run_forecasts

    fcs, _ = run_forecasts(SCENARIO, ("compromise", "bdm"))
    for f in fcs:
        assert f.check is not None
        point = np.array([f.outcome[d] for d in DIMS])
        assert f.check == check(SCENARIO, PREFS, point)
    bdm = next(f for f in fcs if f.engine == "bdm")
    assert bdm.check.red_lines_crossed, "issue 16: BDM's forecast crosses Russia's red lines"


def test_report_names_violated_terms_beside_the_nearest_proposal():
    from ceasefire.report.html import render

    a = ceasefire.analyze(SCENARIO, stages=())
    html = render(a, SCENARIO)
    assert "violates its terms on alliance, sovereignty" in html
    assert "Is the forecast feasible?" in html


@pytest.mark.parametrize("width", [80])
def test_terminal_says_it(width):
    import io

    from rich.console import Console

    from ceasefire.report import terminal

    a = ceasefire.analyze(SCENARIO, stages=())
    buf = io.StringIO()
    terminal.summary(a, Console(file=buf, width=width, force_terminal=False))
    out = " ".join(buf.getvalue().split())
    assert (
        "nearest in terms: west-german-model (violates its terms on alliance, sovereignty)" in out
    )
    assert "the median cycles" in out  # the bdm warning reaches the terminal summary
