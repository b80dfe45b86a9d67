"""Side issues and package rescues (issue 13): format, exact MILP, defining terms."""

from __future__ import annotations

import numpy as np
import pytest

from ceasefire import packages as pk
from ceasefire.analysis import analyze
from ceasefire.scenario import ScenarioError, loads
from tests.unit.test_red_lines import small

SOFT = 'red_line_terms.x = { kind = "soft", penalty = 0.03 }'
SIDE = """
[[side_issues]]
id = "aid"
label = "Aid to L"
unit = "EUR bn"
payers = { A = 0.02 }
values = { L = 0.05 }
max_units = 10
source = "judgement"
"""


def scenario(terms: str = SOFT, side: str = SIDE, defining: str = ""):
    text = small(terms) + side
    if defining:
        old = 'position = { x = 70, cf = 60 }\nrequires = ["ally"]'
        text = text.replace(old, f'{old}\ndefining_terms = ["{defining}"]')
    return loads(text)


def test_a_soft_red_line_is_bought_when_the_defining_term_forbids_moving():
    """L crosses its soft line x <= 60 by 10 points (0.3 utility) and gains 0.2: short 0.1.
    Keeping x >= 70, the package pays L 0.1 utility = 2 units of aid, costing A 0.04."""
    p = analyze(scenario(defining="x >= 70"), draws=10).proposal("alliance")
    assert p.blockers == ["L"] and p.blocker_reasons["L"].label == "red line"
    kept = p.package
    assert kept is not None and kept.exists and kept.keeps_defining_terms
    assert kept.units["aid"] == pytest.approx(2.0, abs=1e-6)
    assert kept.payment_cost == pytest.approx(0.04, abs=1e-8)
    assert kept.paid_by == pytest.approx({"A": 0.04}, abs=1e-8)
    assert kept.price_per_blocker == pytest.approx({"L": 0.04}, abs=1e-8)
    assert kept.point is not None and kept.point["x"] == pytest.approx(70.0)
    # the unrestricted package may move x instead, and is labelled as abandoning the terms
    free = p.package_unrestricted
    assert free is not None and not free.keeps_defining_terms and free.exists
    assert free.payment_cost + free.move_cost <= kept.payment_cost + kept.move_cost + 1e-9


def test_a_hard_red_line_cannot_be_bought():
    p = analyze(scenario(terms="", defining="x >= 70"), draws=10).proposal("alliance")
    assert p.package is not None and not p.package.exists
    assert "cannot buy a hard red line" in p.package.why and "x" in p.package.why
    assert p.package_unrestricted is not None and p.package_unrestricted.exists
    assert p.rescue is not None and p.rescue_keeps_defining_terms is False


def test_integer_side_issues_round_up():
    side = SIDE.replace("max_units = 10", "max_units = 10\ninteger = true").replace(
        "L = 0.05", "L = 0.04"
    )
    p = analyze(scenario(side=side, defining="x >= 70"), draws=10).proposal("alliance")
    assert p.package is not None and p.package.units["aid"] == pytest.approx(3.0)


def test_the_cap_can_make_a_package_impossible():
    side = SIDE.replace("max_units = 10", "max_units = 1")
    p = analyze(scenario(side=side, defining="x >= 70"), draws=10).proposal("alliance")
    assert p.package is not None and not p.package.exists
    assert "limits" in p.package.why


@pytest.mark.parametrize(
    ("side", "says"),
    [
        (SIDE.replace("A = 0.02", "Z = 0.02"), "unknown actor 'Z'"),
        (SIDE.replace("A = 0.02", "A = -0.02"), "must not be negative"),
        (SIDE.replace("A = 0.02", "L = 0.02"), "cannot both pay and value"),
    ],
)
def test_bad_side_issues_are_located(side, says):
    with pytest.raises(ScenarioError, match=says):
        loads(small(SOFT) + side, "s.toml")


def test_defining_terms_must_hold_at_the_proposal():
    with pytest.raises(ScenarioError, match="own position violates"):
        scenario(defining="x >= 80")


def test_the_west_german_model_keeping_its_terms_has_no_rescue(builtin_analysis):
    """Done means: the WGM's rescue that keeps its defining terms is shown not to exist
    (three hard alliance red lines at 40 against alliance >= 60), and the unrestricted rescue
    abandons them."""
    wgm = builtin_analysis.proposal("west-german-model")
    assert wgm.defining_terms == ["alliance >= 60", "sovereignty >= 50"]
    assert wgm.package is not None and not wgm.package.exists
    assert "alliance" in wgm.package.why
    assert wgm.rescue_keeps_defining_terms is False
    free = wgm.package_unrestricted
    assert free is not None and free.exists and free.moves is not None
    assert free.moves["alliance"] == pytest.approx(-20.0)


def test_side_arrays_of_the_builtin(builtin):
    side = pk.SideArrays.of(builtin)
    assert side.ids == ("eu-funds-hungary",)
    hun, eu = builtin.actor_ids.index("HUN"), builtin.actor_ids.index("EU")
    assert side.value[hun, 0] == 0.01 and side.cost[eu, 0] == 0.002
    assert np.isfinite(side.max_units).all()


def test_the_builtin_nato_winset_is_a_knife_edge(builtin_analysis):
    """Issue 13 / review F8: alliance in [40, 40]; any tightening of UKR >= 40 empties it."""
    w = builtin_analysis.winset("nato-accession+ukraine")
    assert not w.empty and w.knife_edge == pytest.approx(0.0, abs=1e-6)
    assert w.knife_edge_empties and w.knife_edge_actor in {"UKR", "USA", "HUN", "SVK"}
    assert w.knife_edge_red_line is not None and "alliance" in w.knife_edge_red_line


def test_knife_edge_of_an_empty_set_names_the_line_to_relax():
    from ceasefire import winset as wsm

    # two actors indifferent to policy (utility 0 >= no deal -1), red lines 30 <= x and x <= 20
    p = np.array([[50.0], [50.0]])
    w = np.array([[1.0], [1.0]])
    nd = np.array([-1.0, -1.0])
    lo, up = np.array([[30.0], [0.0]]), np.array([[100.0], [20.0]])
    e = wsm.knife_edge(p, w, nd, lo, up, empty=True)
    assert e.change == pytest.approx(10.0) and not e.empties and e.dimension == 0
    ws = wsm.winset(p, w, nd, lo + np.array([[-10.0], [0.0]]), up, volume=False)
    assert not ws.empty  # relaxing by exactly that much fills it
    # a non-empty set: slack of the tightest line
    lo2 = np.array([[10.0], [0.0]])
    ws2 = wsm.winset(p, w, nd, lo2, up, volume=False)
    e2 = wsm.knife_edge(p, w, nd, lo2, up, empty=False, extent=ws2.extent)
    assert e2.empties and e2.change == pytest.approx(10.0)
