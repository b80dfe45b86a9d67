"""Tests of the event tree in time and the coupled hazard (docs/specs/durability.md §2-§5)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

import ceasefire
from ceasefire import durability as dur
from ceasefire import paths
from ceasefire.builtin import reference_ceasefires
from ceasefire.scenario import ScenarioError, builtin_text, io, loads
from ceasefire.scenario.schema import Proposal, RatificationWindow
from ceasefire.uncertainty.pipeline import SweepSpec, compile_model, evaluate_central

GAME = {"v": 1.0, "p1": 0.08, "p2": 0.005, "c1": 0.6, "c2": 4.0, "q": 0.41, "lam": 4.0}


def _inputs(**kw: object) -> paths.PathInputs:
    base: dict[str, object] = {
        "p_pass": np.array([1.0]),
        "years": np.array([1.0]),
        "p_hold_interim": np.array([0.5]),
        "p_hold_force": np.array([0.95]),
        "p_hold_fight": np.array([0.6]),
        "hr": np.array([1.0]),
        "k": np.array([1.0]),
        "c": np.array([0.0]),
    }
    base.update(kw)
    return paths.PathInputs(**base)  # type: ignore[arg-type]


def test_shape_integral_against_quadrature() -> None:
    for k, c, a, b in ((0.7, 0.0, 0.0, 5.0), (0.6, 0.3, 0.0, 3.0), (0.9, 0.5, 1.0, 7.0)):
        want = integrate.quad(lambda s, k=k, c=c: k * s ** (k - 1) * math.exp(c * s), a, b)[0]
        assert dur.shape_integral(a, b, k, c) == pytest.approx(want, rel=1e-6)
    # c = 0: the Weibull cumulative hazard exactly
    assert dur.shape_integral(2.0, 5.0, 0.7) == pytest.approx(5**0.7 - 2**0.7, rel=1e-12)


def test_one_year_survival_is_the_games_p_hold() -> None:
    """Consistency by construction: no mechanism, no control, no power shift -> S(1) = P(hold)."""
    rng = np.random.default_rng(5)
    p = rng.uniform(0.05, 0.999, 50)
    k = rng.uniform(0.5, 0.9, 50)
    s1 = np.exp(-dur.game_hazard(p) * dur.shape_integral(0.0, 1.0, k))
    np.testing.assert_allclose(s1, p, rtol=1e-12)
    # through the tree: a proposal with nothing to ratify
    x = _inputs(
        years=np.zeros(50), p_pass=np.ones(50), p_hold_interim=p, p_hold_force=p,
        p_hold_fight=p, hr=np.ones(50), k=k, c=np.zeros(50),
    )  # fmt: skip
    tree = paths.event_tree(x, "ceasefire-first", (1.0,))
    np.testing.assert_allclose(tree.p_survives[:, 0], p, rtol=1e-12)


@settings(max_examples=100, deadline=None)
@given(
    q_lo=st.floats(0.0, 1.0),
    dq=st.floats(0.0, 1.0),
    g=st.floats(0.0, 1.0),
    h=st.floats(-1.0, 0.5),
    t=st.floats(0.1, 10.0),
    k=st.floats(0.4, 1.5),
)
def test_stronger_deterrence_never_raises_the_hazard(
    q_lo: float, dq: float, g: float, h: float, t: float, k: float
) -> None:
    """A more credible guarantee (higher q) never lowers P(hold), so never raises the hazard."""
    q_hi = min(1.0, q_lo + dq)
    weak = np.atleast_1d(paths.game_p_hold(g, h, {**GAME, "q": q_lo}))
    strong = np.atleast_1d(paths.game_p_hold(g, h, {**GAME, "q": q_hi}))
    assert strong[0] >= weak[0] - 1e-12
    assert dur.game_hazard(strong)[0] <= dur.game_hazard(weak)[0] + 1e-12
    x_weak = _inputs(p_hold_interim=weak, p_hold_force=weak, years=np.zeros(1), k=np.array([k]))
    x_strong = _inputs(
        p_hold_interim=strong, p_hold_force=strong, years=np.zeros(1), k=np.array([k])
    )
    s_weak = paths.event_tree(x_weak, "ceasefire-first", (t,)).p_survives
    s_strong = paths.event_tree(x_strong, "ceasefire-first", (t,)).p_survives
    assert s_strong[0, 0] >= s_weak[0, 0] - 1e-12


def test_the_two_orders_differ_and_decompose() -> None:
    x = _inputs(years=np.array([1.5]))
    cf = paths.event_tree(x, "ceasefire-first", (1.0, 2.0, 5.0))
    gf = paths.event_tree(x, "guarantee-first", (1.0, 2.0, 5.0))
    # ceasefire-first: the line holds through the window at the interim hazard
    assert cf.p_line_holds[0, 1] == pytest.approx(0.5**1.5)
    assert cf.p_survives[0, 1] == pytest.approx(0.95**0.5)
    # guarantee-first: the war goes on for 1.5 years at the fighting hazard, no ceasefire by 1 y
    assert gf.p_line_holds[0, 1] == pytest.approx(0.6**1.5)
    assert gf.p_survives[0, 0] == 0.0
    assert gf.p_survives[0, 1] == pytest.approx(0.95**0.5)
    np.testing.assert_allclose(cf.p_path_if_passed, cf.p_line_holds * cf.p_survives)
    assert not np.allclose(cf.p_path, gf.p_path)
    # with nothing to ratify both orders are the same tree
    z = _inputs(years=np.zeros(1))
    np.testing.assert_allclose(
        paths.event_tree(z, "ceasefire-first").p_path, paths.event_tree(z, "guarantee-first").p_path
    )


def test_referendum_makes_guarantee_first_infeasible() -> None:
    ws = (RatificationWindow(institution="ref", days=(60.0, 120.0), needs_ceasefire=True),)
    assert not paths.guarantee_first_feasible(ws)
    x = _inputs(guarantee_first_feasible=False)
    assert np.all(paths.event_tree(x, "guarantee-first").p_path == 0.0)


def test_windows_defaults_and_years() -> None:
    s = io.loads(io.builtin_text("ukraine-2024-11"))
    wgm = next(p for p in s.proposals if p.id == "west-german-model")
    ws = paths.windows(s, wgm)
    assert [w.institution for w in ws] == ["nato-accession"]
    assert ws[0].days == (195.0, 611.0)
    np.testing.assert_allclose(paths.window_years(ws, [0.0, 1.0]), [195 / 365.25, 611 / 365.25])
    assert paths.central_window_years(ws) == pytest.approx(382 / 365.25)
    bare = next(p for p in s.proposals if p.id == "bare-ceasefire")
    assert paths.windows(s, bare) == ()
    assert paths.orders_of(bare, 0.0) == ("ceasefire-first",)
    # "open": both orders, the guarantee first as in ceasefire.inputs.sequences
    assert paths.orders_of(wgm, 1.0) == ("guarantee-first", "ceasefire-first")
    assert paths.orders_of(wgm, 1.0, fighting=False) == ("ceasefire-first",)


def test_commitment_problem_raises_the_hazard_and_an_arms_halt_removes_it() -> None:
    base = _inputs(years=np.zeros(1))
    shifted = _inputs(years=np.zeros(1), c=paths.commitment_c([0.1], [3.0], False))
    s0 = paths.event_tree(base, "ceasefire-first", (5.0,)).p_survives
    s1 = paths.event_tree(shifted, "ceasefire-first", (5.0,)).p_survives
    assert s1[0, 0] < s0[0, 0]
    prop = Proposal(id="p", position={"a": 0.0}, halts_arms_deliveries=True)
    assert paths.commitment_c([0.1], [3.0], prop.halts_arms_deliveries)[0] == 0.0


def test_horizons_are_capped_at_the_datas_support() -> None:
    assert dur.SUPPORT_YEARS == 52.0
    assert dur.supported_horizons((1, 10, 52, 60, 93)) == (1.0, 10.0, 52.0)
    tree = paths.event_tree(_inputs(), "ceasefire-first", (1.0, 60.0))
    assert tree.horizons == (1.0,)


def test_reference_class_and_kaplan_meier() -> None:
    rows = reference_ceasefires()
    assert {r.id for r in rows} == {
        "minsk-i", "minsk-ii", "karabakh-1994", "transnistria-1992", "georgia-2008",
    }  # fmt: skip
    assert all(r.source for r in rows)
    minsk = next(r for r in rows if r.id == "minsk-i")
    assert minsk.broke and minsk.years == pytest.approx(140 / 365.25)
    s, n = dur.observed_survival([r.years for r in rows], [r.broke for r in rows], [1.0, 5.0, 10.0])
    # one of five broke within a year; Minsk II at 7.0 y is one of four still at risk
    np.testing.assert_allclose(s, [0.8, 0.8, 0.6])
    assert list(n) == [4, 4, 3]


def test_control_hazard_ratio() -> None:
    hr = {c: np.array([2.0]) for c in dur.CONTROLS}
    assert dur.control_hazard_ratio([], hr) == 1.0
    assert dur.control_hazard_ratio(["contiguity", "high_war_cost"], hr) == 4.0
    with pytest.raises(ValueError, match="bogus"):
        dur.control_hazard_ratio(["bogus"], hr)
    for r in dur.CONTROL_DEFAULTS.values():
        assert "PRIOR" in r.basis and r.low <= r.central <= r.high


def _problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        loads(text, source="f.toml")
    return info.value.lines(located=True)


def test_timeline_checks_locate_bad_input() -> None:
    text = builtin_text("ukraine-2024-11")
    bad_q = text.replace("[timeline]\n", "[timeline]\ninterim_q = { central = 1.5 }\n")
    lines = _problems(bad_q)
    assert any(x.startswith("f.toml: timeline.interim_q: outside [0, 1]") for x in lines), lines
    assert all("[line " in x for x in lines)
    window = '[[timeline.ratification]]\ninstitution = "nope"\ndays = [1, 2]\n'
    lines = _problems(text.replace("\n[[sources]]", "\n" + window + "\n[[sources]]", 1))
    assert any(
        "timeline.ratification[0].institution: unknown institution 'nope'" in x for x in lines
    )
    shuffled = '[[timeline.ratification]]\ninstitution = "ukraine"\ndays = [9, 2]\n'
    lines = _problems(text.replace("\n[[sources]]", "\n" + shuffled + "\n[[sources]]", 1))
    assert any("timeline.ratification" in x for x in lines), lines


def test_sweep_hook_runs_the_same_tree() -> None:
    import ceasefire
    from ceasefire.uncertainty.pipeline import PATH_OUTPUTS, compile_model, evaluate_central

    scenario = ceasefire.load("ukraine-2024-11")
    model = compile_model(scenario)
    out = evaluate_central(model)
    hs = dur.supported_horizons()
    for n in PATH_OUTPUTS:
        for h in hs:
            arr = out[f"paths.{n}.{h:g}"]
            assert arr.shape == (1, len(model.proposal_ids))
            assert np.all((arr >= 0) & (arr <= 1))
    np.testing.assert_allclose(
        out["paths.p_path.5"], out["passes"] * out["paths.p_path_if_passed.5"]
    )
    # the statistical model carries the controls in the sweep as in the single run
    a = ceasefire.analyze(scenario, engines=None, draws=50)
    k = model.proposal_ids.index("bare-ceasefire")
    central = a.proposal("bare-ceasefire").durability
    assert central is not None
    assert out["dur.p_breakdown_5y"][0, k] == pytest.approx(central.p_breakdown_5y.central)
    # bare ceasefire: nothing to ratify, so the sweep's tree equals the single run's
    bare = a.proposal("bare-ceasefire").paths
    assert bare is not None
    assert out["paths.p_path_if_passed.5"][0, k] == pytest.approx(
        bare.orders[0].horizons[2].p_path_if_passed.central
    )
    no_tree = evaluate_central(model, paths=False)
    assert not any(key.startswith("paths.") for key in no_tree)


def test_builtin_west_german_model_orders_differ_and_report_shows_them() -> None:
    import json

    import ceasefire
    from ceasefire.report.html import render

    scenario = ceasefire.load("ukraine-2024-11")
    a = ceasefire.analyze(scenario, engines=None, draws=200)
    wgm = a.proposal("west-german-model").paths
    assert wgm is not None
    orders = {o.order: o for o in wgm.orders}
    assert set(orders) == set(paths.ORDERS)
    gf, cf = orders["guarantee-first"], orders["ceasefire-first"]
    assert gf.why != cf.why
    at5 = [next(h for h in o.horizons if h.years == 5.0) for o in (gf, cf)]
    assert at5[0].p_path_if_passed.central != pytest.approx(at5[1].p_path_if_passed.central)
    # no ceasefire yet one year after signature when the guarantee comes first (D > 1 year)
    assert gf.horizons[0].p_survives.central == 0.0
    assert all(h.years <= dur.SUPPORT_YEARS for o in wgm.orders for h in o.horizons)
    data = json.loads(a.to_json())
    p = next(x for x in data["proposals"] if x["id"] == "west-german-model")
    assert [o["order"] for o in p["paths"]["orders"]] == ["guarantee-first", "ceasefire-first"]
    assert data["reference"]["observed"] == pytest.approx([0.8, 0.8, 0.8, 0.6])
    html = render(a, scenario)
    assert 'id="paths"' in html and "path-timelines" in html and 'id="reference-class"' in html
    assert gf.why in html and cf.why in html


@settings(max_examples=100, deadline=None)
@given(
    p_int=st.floats(0.01, 1.0),
    p_force=st.floats(0.01, 1.0),
    p_fight=st.floats(0.01, 1.0),
    years=st.floats(0.0, 3.0),
    k=st.floats(0.4, 1.5),
    c=st.floats(0.0, 1.0),
    hr=st.floats(0.1, 3.0),
)
def test_tree_probabilities_are_probabilities_and_fall_with_the_horizon(
    p_int: float, p_force: float, p_fight: float, years: float, k: float, c: float, hr: float
) -> None:
    x = _inputs(
        years=np.array([years]), p_hold_interim=np.array([p_int]),
        p_hold_force=np.array([p_force]), p_hold_fight=np.array([p_fight]),
        hr=np.array([hr]), k=np.array([k]), c=np.array([c]),
    )  # fmt: skip
    for order in paths.ORDERS:
        t = paths.event_tree(x, order, (0.5, 1.0, 2.0, 5.0, 10.0))
        for arr in (t.p_line_holds, t.p_survives, t.p_path_if_passed, t.p_path):
            assert np.all((arr >= -1e-12) & (arr <= 1 + 1e-12))
        assert np.all(np.diff(t.p_line_holds[0]) <= 1e-12)
        if order == "ceasefire-first":
            assert np.all(np.diff(t.p_path_if_passed[0]) <= 1e-12)


def test_the_tree_reads_the_same_game_as_the_deterrence_results() -> None:
    """Issue 14/15: the event tree's P(hold) once the guarantee is in force after a ceasefire is
    the deterrence stage's P(hold) after a ceasefire for the same proposal (one game, §4)."""
    import ceasefire

    a = ceasefire.analyze(ceasefire.load("ukraine-2024-11"), engines=None)
    wgm = a.proposal("west-german-model")
    assert wgm.deterrence is not None and wgm.paths is not None
    after = wgm.deterrence.alternatives["after_ceasefire"].p_hold.central
    for order in wgm.paths.orders:
        assert order.p_hold_in_force.central == pytest.approx(after, abs=1e-12)


# ---- the tree reads the deterrence stage's game --------------------------------------------


@pytest.mark.parametrize("sid", ["ukraine-2024-11", "ukraine-2025-11", "frg-1954", "korea-1953"])
def test_the_trees_guarantee_in_force_is_the_deterrence_stages_game(sid: str) -> None:
    # after a ceasefire with the guarantee in force the tree plays the deterrence stage's own
    # game: the proposal's commitments' scope and credibility folded in, its conditions, the
    # same Monte Carlo draws. Until 30 Nov 2026 it read the coverage's g and the raw q: on
    # ukraine-2025-11 the US 28-point plan's 0.553 read 0.517, a bare ceasefire's 0.290 0.318
    result = ceasefire.analyze(ceasefire.load(sid))
    checked = 0
    for p in result.proposals:
        if p.deterrence is None or p.paths is None:
            continue
        games = [p.deterrence, *p.deterrence.alternatives.values()]
        for game in (g for g in games if g.sequence == "after_ceasefire"):
            tree = p.paths.orders[0].p_hold_in_force
            for q in ("central", "p05", "median", "p95"):
                assert getattr(tree, q) == pytest.approx(getattr(game.p_hold, q), abs=1e-12)
            checked += 1
    assert checked >= 2


def test_the_sweeps_tree_is_the_single_runs_at_the_central_values() -> None:
    # the sweep folds the same commitments and, at the central values, takes every window's
    # central day (its quantile 1/2): its batch of one is the single run's central tree
    scenario = ceasefire.load("ukraine-2025-11")
    result = ceasefire.analyze(scenario)
    out = evaluate_central(compile_model(scenario, SweepSpec(draws=1, seed=0, engines=())))
    checked = 0
    for k, p in enumerate(result.proposals):
        if p.paths is None:
            continue
        (five,) = [h for h in p.paths.orders[0].horizons if h.years == 5]
        for name in ("p_survives", "p_line_holds"):
            got = float(out[f"paths.{name}.5"][0, k])
            assert got == pytest.approx(getattr(five, name).central, rel=1e-9), (p.id, name)
        checked += bool(p.paths.windows)
    assert checked >= 1  # with a ratification window


def test_a_window_is_drawn_around_its_central_day() -> None:
    # two-piece uniform: the low end at u = 0, the central day at u = 1/2, the high end at 1
    w = RatificationWindow(institution="nato-accession", days=(195, 611), central=382, source="s")
    u = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    days = paths.window_years([w], u) * 365.25
    np.testing.assert_allclose(days, [195, 288.5, 382, 496.5, 611], rtol=1e-12)
    assert paths.central_window_years([w]) * 365.25 == pytest.approx(382)
    draws = paths.window_years([w], np.random.default_rng(1).uniform(size=20_000)) * 365.25
    assert np.median(draws) == pytest.approx(382, abs=4)
