"""Stakeholder groups and actor sets (issue 16, part 1): the merge of a group, the checks of the
declarations, and the forecasts per set with their spread."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ceasefire
from ceasefire.actor_sets import merge_group, run_actor_sets
from ceasefire.scenario import ScenarioError, builtin_text, loads

BASE = builtin_text("ukraine-2024-11")


def test_merge_group_hand_checked():
    """Members at 0 (capability 1) and 100 (capability 3), saliences 50 and 50 on dim 0; on
    dim 1 only the first cares (salience 20 at position 10): position (0*50 + 3*100*50) /
    (50 + 150) = 75 and 10; salience (50 + 150) / 4 = 50 and 20 / 4 = 5; capability 4;
    war cost (1*10 + 3*30) / 4 = 25."""
    pos = np.array([[0.0, 10.0], [100.0, 60.0]])
    sal = np.array([[50.0, 20.0], [50.0, 0.0]])
    p, s, c, w = merge_group(pos, sal, np.array([1.0, 3.0]), np.array([10.0, 30.0]), None)
    np.testing.assert_allclose(p, [75.0, 10.0])
    np.testing.assert_allclose(s, [50.0, 5.0])
    assert c == 4.0 and w == 25.0
    # a stated capability replaces the sum; nobody caring: the capability-weighted mean
    p, s, c, _ = merge_group(pos, np.zeros((2, 2)), np.array([1.0, 3.0]), np.zeros(2), 2.5)
    np.testing.assert_allclose(p, [75.0, 47.5])
    np.testing.assert_allclose(s, [0.0, 0.0])
    assert c == 2.5


@settings(deadline=None, max_examples=40)
@given(
    pos=st.lists(st.floats(0, 100), min_size=6, max_size=6),
    sal=st.lists(st.floats(1, 100), min_size=6, max_size=6),
    cap=st.lists(st.floats(0.1, 50), min_size=3, max_size=3),
)
def test_merging_with_summed_capability_keeps_the_compromise_mean(pos, sal, cap):
    """C_g s_g x_g = sum_m c_m s_m x_m and C_g s_g = sum_m c_m s_m: the weighted mean of a
    set is the same whether the members bargain alone or as a group."""
    x = np.array(pos).reshape(3, 2)
    s = np.array(sal).reshape(3, 2)
    c = np.array(cap)
    gp, gs, gc, _ = merge_group(x, s, c, np.zeros(3), None)
    w = c[:, None] * s
    np.testing.assert_allclose(gc * gs * gp, (w * x).sum(axis=0), rtol=1e-9)
    np.testing.assert_allclose(gc * gs, w.sum(axis=0), rtol=1e-9)


def test_builtin_declares_sets_and_the_spread_covers_them():
    scenario = ceasefire.load("ukraine-2024-11")
    sets = {s.id: s for s in scenario.actor_sets}
    assert {"all", "principals", "blocs"} <= set(sets)
    assert set(sets["all"].members) == set(scenario.actor_ids)
    assert sets["principals"].members == (
        "UKR", "RUS", "USA", "CHN", "EU", "GBR", "FRA", "DEU", "TUR", "POL", "HUN"
    )  # fmt: skip
    assert all(s.source for s in scenario.actor_sets) and all(g.source for g in scenario.groups)
    per_set, spread = run_actor_sets(scenario, ("compromise", "bdm"), rule_ids=())
    by = {(f.set_id, f.engine, f.variant): f for f in per_set}
    # blocs merge with summed capability: the weighted mean equals the all-actors one
    for d in scenario.dimension_ids:
        assert by[("blocs", "compromise", "mean")].outcome[d] == pytest.approx(
            by[("all", "compromise", "mean")].outcome[d], abs=1e-9
        )
    for s in spread:
        mine = [f for f in per_set if (f.engine, f.variant) == (s.engine, s.variant)]
        assert len(mine) == len(sets)
        for d in scenario.dimension_ids:
            assert s.low[d] == min(f.outcome[d] for f in mine)
            assert s.high[d] == max(f.outcome[d] for f in mine)
    # the EU bloc reports its members' spread (Hungary's low sovereignty among them)
    bloc = by[("blocs", "compromise", "mean")].group_spread["EU_BLOC"]
    assert bloc["sovereignty"][0] < bloc["sovereignty"][1]


def test_the_whole_actor_list_set_reuses_the_whole_forecasts_with_the_same_numbers():
    """The "all" set is the scenario's own problem: the analysis hands its forecasts over
    instead of running every engine again (issue 18 item 2), and nothing changes."""
    from ceasefire.analysis import run_forecasts
    from ceasefire.bargaining import ENGINES

    scenario = ceasefire.load("ukraine-2024-11")
    engines = tuple(ENGINES)
    whole, _ = run_forecasts(scenario, engines, seed=7)
    fresh, _ = run_actor_sets(scenario, engines, seed=7, rule_ids=())
    reused, _ = run_actor_sets(scenario, engines, seed=7, rule_ids=(), whole=whole)
    assert reused == fresh
    assert [f.engine for f in reused if f.set_id == "all"] == [f.engine for f in whole]
    # only a set equal to the whole actor list takes them: a marker in the handed-over
    # forecasts shows up in "all" and nowhere else
    marked = [f.model_copy(update={"note": "handed over"}) for f in whole]
    got, _ = run_actor_sets(scenario, engines, seed=7, rule_ids=(), whole=marked)
    assert {f.set_id for f in got if f.note == "handed over"} == {"all"}


def test_analysis_and_report_lead_with_the_spread():
    from ceasefire.report.html import render

    scenario = ceasefire.load("ukraine-2024-11")
    a = ceasefire.analyze(scenario, stages=())
    assert a.forecast_spread and a.actor_set_forecasts
    html = render(a, scenario)
    assert html.index("depends on who is counted") < html.index("nearest proposal (mean")


def _problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        loads(text, "f.toml")
    return info.value.lines(located=True)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[[actor_sets]]\nid = "x"\nmembers = ["UKR", "NOPE"]\n', "unknown actor or group 'NOPE'"),
        ('[[actor_sets]]\nid = "x"\nmembers = ["FRA", "EU_BLOC"]\n', "FRA already in the set"),
        ('[[groups]]\nid = "UKR"\nmembers = ["RUS"]\n', "duplicate id 'UKR'"),
        ('[[groups]]\nid = "G"\nmembers = ["RUS", "XX"]\n', "unknown actor 'XX'"),
        ('[[actor_sets]]\nid = "all"\nmembers = ["UKR"]\n', "duplicate id 'all'"),
    ],
)
def test_bad_declarations_are_located(table, message):
    lines = _problems(BASE + "\n" + table)
    assert any(message in line for line in lines), lines


# ----------------------------------------------------------------------------- capability rules


def test_shipped_rule_reproduces_the_shipped_capabilities():
    """actors-notes.md: capability = 100 (0.2 g + 0.2 m + 0.3 w + 0.3 s); the CSV rounds the
    inputs to 3 decimals and the capability to 1, so they agree within 0.1."""
    from ceasefire.actor_sets import rule, rule_capability

    scenario = ceasefire.load("ukraine-2024-11")
    cap = rule_capability(scenario, rule(scenario, "shipped"))
    shipped = np.array([a.capability for a in scenario.actors])
    np.testing.assert_allclose(cap, shipped, atol=0.1)


def test_rule_capability_hand_checked_and_weights_normalised():
    """UKR: g 0.007, m 0.070 -> hard power 100 (0.5*0.007 + 0.5*0.070) = 3.85; weights 2 and
    2 give the same (only ratios matter); weights 1 and 3: 100 (0.007 + 3*0.070) / 4 = 5.425."""
    from ceasefire.actor_sets import rule, rule_capability

    scenario = ceasefire.load("ukraine-2024-11")
    r = rule(scenario, "hard-power")
    ukr = scenario.actor_ids.index("UKR")
    assert rule_capability(scenario, r)[ukr] == pytest.approx(3.85)
    assert rule_capability(scenario, r, {"gdp": 2.0, "defence": 2.0})[ukr] == pytest.approx(3.85)
    assert rule_capability(scenario, r, {"gdp": 1.0, "defence": 3.0})[ukr] == pytest.approx(5.425)
    with pytest.raises(KeyError, match="hard-power"):
        rule(scenario, "nope")


def test_capability_rules_move_the_forecasts_and_corners_are_reported():
    from ceasefire.actor_sets import run_capability_rules

    scenario = ceasefire.load("ukraine-2024-11")
    out = run_capability_rules(scenario, ("compromise",), corners=True, rule_ids=["hard-power"])
    labels = {f.set_id for f in out}
    assert labels == {
        "capability:hard-power",
        *(f"capability:hard-power:{k}={e}" for k in ("gdp", "defence") for e in ("low", "high")),
    }
    mean = {f.set_id: f.outcome for f in out if f.variant == "mean"}
    # hard power (issue 16's table: 27/60/64/51) moves the weighted mean from the shipped 36/65
    assert mean["capability:hard-power"]["alliance"] == pytest.approx(27.4, abs=0.05)
    assert mean["capability:hard-power"]["sovereignty"] == pytest.approx(60.3, abs=0.05)


def test_capability_rule_needs_every_input():
    text = BASE.replace("capability_inputs = { gdp", "capability_inputs = { gdpx", 1)
    assert any("has no gdp for capability rule" in line for line in _problems(text))


@pytest.mark.parametrize("bad", [(), (1,), (0, 3), (0, 1, 2, 3, 4)])
def test_a_rejected_batch_keeps_the_others_and_their_numbers(bad, monkeypatch):
    """smp rejects an element with a capability of 0; the rest of the batch is forecast as
    each element would be alone, and with one culprit the rest runs as one batch."""
    from ceasefire import bargaining
    from ceasefire.actor_sets import _batch_or_each

    rng = np.random.default_rng(3)
    b, n, d = 5, 4, 2
    cap = rng.uniform(1, 10, (b, n))
    for k in bad:
        cap[k, 0] = 0.0
    problem = bargaining.Problem(
        positions=rng.uniform(0, 100, (b, n, d)),
        saliences=rng.uniform(10, 90, (b, n, d)),
        capability=cap,
        status_quo=np.zeros((b, d)),
        war_cost=np.zeros((b, n)),
    )
    smp = bargaining.engine("smp")
    accepted: list[int] = []

    def counted(p, generator, **params):
        f = smp(p, generator, **params)
        accepted.append(p.shape[0])
        return f

    monkeypatch.setattr(bargaining, "engine", lambda name: counted)
    got = _batch_or_each(problem, "smp", {"on_degenerate": "stop"}, seed=0)
    assert [k for k, _, _ in got] == [k for k in range(b) if k not in bad]
    for k, f, j in got:
        alone = smp(
            bargaining.Problem(
                problem.positions[k : k + 1], problem.saliences[k : k + 1], cap[k : k + 1],
                problem.status_quo[k : k + 1], problem.war_cost[k : k + 1],
            ),
            np.random.default_rng(0), on_degenerate="stop",
        )  # fmt: skip
        np.testing.assert_array_equal(f.outcome[j], alone.outcome[0])
    if len(bad) <= 1:
        assert accepted == [b - len(bad)]  # one batch of the accepted elements
