"""Tests of the guarantee game (docs/specs/deterrence.md §1, §3; data/deterrence_defaults.md)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire.deterrence import (
    DETERRENCE_DEFAULTS,
    GAME_OUTPUTS,
    GAME_PARAMETERS,
    DeterrenceRun,
    GameResult,
    attack_curve,
    guarantee_game,
    hold_value,
    run_deterrence,
    sample_parameters,
    summarise_draws,
)

CENTRAL = {name: r.central for name, r in DETERRENCE_DEFAULTS.items()}
#: the §1 game's hand check was written with the values before issue 14 (p1 = 0.08, derived
#: from 2025 data: look-ahead, since replaced); the arithmetic of §1 is checked at those values
BEFORE_14 = CENTRAL | {"p1": 0.08}
RANGES_BEFORE_14 = dict(DETERRENCE_DEFAULTS) | {
    "p1": DETERRENCE_DEFAULTS["p1"]._replace(central=0.08, low=0.02, high=0.20)
}


def game(**overrides: float) -> GameResult:
    args = dict(CENTRAL, g=0.5, h=0.0)
    args.update(overrides)
    return guarantee_game(**args)


# ---------------------------------------------------------------- slow scalar reference


def reference_game(g, v, p1, p2, c1, c2, q, h, lam):  # type: ignore[no-untyped-def]
    """Obviously-correct scalar version of §1, written independently of the module."""
    actions = {"hold": h}
    if g < 1:
        actions["uncovered"] = p1 * (1 - g) * v - c1
    if g > 0:
        actions["covered"] = q * (p2 * g * v - c2) + (1 - q) * (p1 * g * v - c1)
    best = max(actions.values())
    weights = {a: math.exp(lam * (eu - best)) for a, eu in actions.items()}
    total = sum(weights.values())
    p = {a: weights.get(a, 0.0) / total for a in ("hold", "uncovered", "covered")}
    # q_critical by definition: smallest q in [0, 1] with EU(covered) <= max(others)
    if g == 0:
        qc = 0.0
    else:
        other = max(h, actions.get("uncovered", -math.inf))

        def eu_cov(qq: float) -> float:
            return qq * (p2 * g * v - c2) + (1 - qq) * (p1 * g * v - c1)

        if eu_cov(0.0) <= other:
            qc = 0.0
        elif eu_cov(1.0) > other:
            qc = math.nan
        else:  # bisection on the decreasing linear function
            lo, hi = 0.0, 1.0
            for _ in range(200):
                mid = 0.5 * (lo + hi)
                if eu_cov(mid) <= other:
                    hi = mid
                else:
                    lo = mid
            qc = hi
    return {
        "eu_hold": h,
        "eu_uncovered": actions.get("uncovered", math.nan),
        "eu_covered": actions.get("covered", math.nan),
        "p_hold": p["hold"],
        "p_attack_uncovered": p["uncovered"],
        "p_attack_covered": p["covered"],
        "p_guarantor_war": p["covered"] * q,
        "q_critical": qc,
    }


def random_inputs(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    g = rng.uniform(0, 1, n)
    g[: n // 10] = 0.0
    g[n // 10 : n // 5] = 1.0
    p1 = rng.uniform(0, 0.5, n)
    c1 = rng.uniform(0, 0.5, n)
    return {
        "g": g,
        "v": rng.uniform(0.1, 2, n),
        "p1": p1,
        "p2": p1 * rng.uniform(0, 1, n),
        "c1": c1,
        "c2": c1 + rng.uniform(0, 5, n),
        "q": rng.uniform(0, 1, n),
        "h": rng.uniform(-0.5, 0.5, n),
        "lam": rng.uniform(0, 20, n),
    }


def test_vectorised_matches_scalar_reference() -> None:
    inputs = random_inputs(np.random.default_rng(20241130), 400)
    fast = guarantee_game(**inputs).as_dict()
    for i in range(400):
        ref = reference_game(**{k: float(a[i]) for k, a in inputs.items()})
        for name in GAME_OUTPUTS:
            assert fast[name][i] == pytest.approx(ref[name], abs=1e-9, nan_ok=True), (name, i)


def test_reference_agrees_on_spec_violating_slopes() -> None:
    # p2 > p1 or c2 < c1: EU(covered) may rise with q; q_critical must still be the definition
    rng = np.random.default_rng(7)
    n = 200
    inputs = {
        "g": rng.uniform(0.01, 1, n),
        "v": rng.uniform(0.1, 2, n),
        "p1": rng.uniform(0, 1, n),
        "p2": rng.uniform(0, 1, n),
        "c1": rng.uniform(0, 1, n),
        "c2": rng.uniform(0, 1, n),
        "q": rng.uniform(0, 1, n),
        "h": rng.uniform(-0.5, 0.5, n),
        "lam": rng.uniform(0, 20, n),
    }
    fast = guarantee_game(**inputs).q_critical
    for i in range(n):
        ref = reference_game(**{k: float(a[i]) for k, a in inputs.items()})["q_critical"]
        assert fast[i] == pytest.approx(ref, abs=1e-9, nan_ok=True)


# ---------------------------------------------------------------- shapes and basic laws


def test_broadcasting_and_probabilities_sum_to_one() -> None:
    res = guarantee_game(
        g=np.array([0.0, 0.3, 1.0])[:, None],
        v=1.0,
        p1=0.1,
        p2=0.01,
        c1=0.1,
        c2=np.array([1.0, 2.0, 3.0, 4.0]),
        q=0.5,
        h=0.0,
        lam=4.0,
    )
    for name in GAME_OUTPUTS:
        assert getattr(res, name).shape == (3, 4)
    total = res.p_hold + res.p_attack_uncovered + res.p_attack_covered
    np.testing.assert_allclose(total, 1.0, rtol=0, atol=1e-12)


def test_invalid_inputs_raise() -> None:
    with pytest.raises(ValueError, match="g"):
        game(g=1.2)
    with pytest.raises(ValueError, match="q"):
        game(q=-0.1)
    with pytest.raises(ValueError, match="lam"):
        game(lam=-1.0)


# ---------------------------------------------------------------- the limits of §1


def test_q_zero_guarantors_stay_out() -> None:
    res = game(q=0.0, g=0.4)
    assert res.eu_covered == pytest.approx(CENTRAL["p1"] * 0.4 * CENTRAL["v"] - CENTRAL["c1"])
    assert res.p_guarantor_war == 0.0


def test_q_one_guarantors_fight() -> None:
    res = game(q=1.0, g=0.4)
    assert res.eu_covered == pytest.approx(CENTRAL["p2"] * 0.4 * CENTRAL["v"] - CENTRAL["c2"])
    assert res.p_guarantor_war == pytest.approx(float(res.p_attack_covered))


@pytest.mark.parametrize("g", [0.1, 0.5, 1.0])
def test_q_one_and_huge_c2_deters_covered_attack(g: float) -> None:
    res = game(q=1.0, c2=1e12, g=g, lam=1.0)
    assert res.p_attack_covered == pytest.approx(0.0, abs=1e-300)
    assert res.p_guarantor_war == pytest.approx(0.0, abs=1e-300)
    assert np.isfinite(res.p_hold)


def test_infinite_c2_is_handled_at_both_ends_of_q() -> None:
    at_zero = game(q=0.0, c2=np.inf, g=0.5)
    assert np.isfinite(at_zero.eu_covered)
    at_one = game(q=1.0, c2=np.inf, g=0.5)
    assert at_one.p_attack_covered == 0.0


def test_g_zero_makes_covered_unavailable() -> None:
    res = game(g=0.0, lam=1e6, h=-100.0, c2=-100.0)  # covered would otherwise dominate
    assert np.isnan(res.eu_covered)
    assert res.p_attack_covered == 0.0
    assert res.p_guarantor_war == 0.0
    assert res.q_critical == 0.0
    assert res.p_hold + res.p_attack_uncovered == pytest.approx(1.0)


def test_g_one_makes_uncovered_unavailable() -> None:
    res = game(g=1.0, lam=1e6, c1=-100.0, h=-100.0)  # uncovered would otherwise dominate
    assert np.isnan(res.eu_uncovered)
    assert res.p_attack_uncovered == 0.0
    assert res.p_hold + res.p_attack_covered == pytest.approx(1.0)


@pytest.mark.parametrize("lam", [1e6, np.inf])
def test_lambda_to_infinity_gives_argmax(lam: float) -> None:
    inputs = random_inputs(np.random.default_rng(3), 300)
    inputs["lam"] = np.full(300, lam)
    res = guarantee_game(**inputs)
    eu = np.stack(
        [
            res.eu_hold,
            np.where(np.isnan(res.eu_uncovered), -np.inf, res.eu_uncovered),
            np.where(np.isnan(res.eu_covered), -np.inf, res.eu_covered),
        ],
        axis=-1,
    )
    probs = np.stack([res.p_hold, res.p_attack_uncovered, res.p_attack_covered], axis=-1)
    assert np.all(np.isfinite(probs))
    # gaps between the best and the runner-up: wide enough for lam = 1e6 to be decisive
    srt = np.sort(eu, axis=-1)
    clear = (srt[:, -1] - srt[:, -2]) > 1e-4
    best = np.argmax(eu, axis=-1)
    np.testing.assert_allclose(probs[clear, best[clear]], 1.0, atol=1e-12)


def test_infinite_lambda_shares_ties() -> None:
    eu_uncovered = CENTRAL["p1"] * CENTRAL["v"] - CENTRAL["c1"]  # -0.07 up to rounding
    res = game(g=0.0, h=eu_uncovered, lam=np.inf)
    assert res.p_hold == pytest.approx(0.5)
    assert res.p_attack_uncovered == pytest.approx(0.5)


def test_lambda_zero_is_uniform_over_available_actions() -> None:
    assert game(g=0.0, lam=0.0).p_hold == pytest.approx(0.5)
    assert game(g=0.5, lam=0.0).p_hold == pytest.approx(1 / 3)


def test_stable_softmax_with_extreme_utilities() -> None:
    res = game(h=1e8, lam=1e6, g=0.5)
    assert res.p_hold == 1.0
    assert np.isfinite(res.p_attack_covered)


@settings(max_examples=150, deadline=None)
@given(
    g=st.floats(0.0, 1.0),
    v=st.floats(0.0, 3.0),
    p1=st.floats(0.0, 1.0),
    p2_frac=st.floats(0.0, 1.0),
    c1=st.floats(0.0, 1.0),
    c2_extra=st.floats(0.0, 20.0),
    h=st.floats(-2.0, 2.0),
    lam=st.floats(0.0, 1e3),
    q_a=st.floats(0.0, 1.0),
    q_b=st.floats(0.0, 1.0),
)
def test_raising_q_never_raises_p_attack_covered(
    g: float,
    v: float,
    p1: float,
    p2_frac: float,
    c1: float,
    c2_extra: float,
    h: float,
    lam: float,
    q_a: float,
    q_b: float,
) -> None:
    # the spec's conditions for a non-positive slope: p2 <= p1 and c2 >= c1
    lo, hi = sorted((q_a, q_b))
    args = dict(g=g, v=v, p1=p1, p2=p1 * p2_frac, c1=c1, c2=c1 + c2_extra, h=h, lam=lam)
    p_lo = guarantee_game(q=lo, **args).p_attack_covered
    p_hi = guarantee_game(q=hi, **args).p_attack_covered
    assert p_hi <= p_lo + 1e-12


# ---------------------------------------------------------------- the hand check


@pytest.mark.parametrize(
    ("g", "h", "p_hold"),
    [(0.0, -0.0355, 0.534), (0.0, 0.1065, 0.670), (1.0, -0.1274, 0.998)],
    ids=["bare-ceasefire", "vance-plan", "west-german-model"],
)
def test_hand_check_of_deterrence_defaults(g: float, h: float, p_hold: float) -> None:
    res = guarantee_game(g=g, h=h, **BEFORE_14)
    assert CENTRAL["c1"] == 0.15
    assert res.p_hold == pytest.approx(p_hold, abs=5e-4)
    if g == 0.0:
        assert res.eu_uncovered == pytest.approx(-0.07)


def test_hand_check_west_german_model_eu_and_q_star() -> None:
    res = guarantee_game(g=1.0, h=-0.1274, **BEFORE_14)
    assert res.eu_covered == pytest.approx(-1.679, abs=5e-4)
    assert res.q_critical == pytest.approx(0.015, abs=5e-4)
    # closed form: (h - (p1 v - c1)) / ((p2 - p1) v - (c2 - c1))
    assert res.q_critical == pytest.approx((-0.1274 + 0.07) / (-0.075 - 3.85), rel=1e-12)


def test_hand_check_h_from_actor_data() -> None:
    # RUS position (0, 0, 5, 0), salience (95, 90, 55, 70); status quo (40, 50, 0, 100)
    pos = np.array([0, 0, 5, 0])
    w = np.array([95, 90, 55, 70]) / 310

    def u(x: list[float]) -> float:
        return float(-np.sum(w * np.abs(np.array(x) - pos)) / 100)

    sq = u([40, 50, 0, 100])
    assert hold_value(u([40, 50, 30, 100]), sq, 15) == pytest.approx(-0.0355, abs=5e-5)
    assert hold_value(u([20, 35, 60, 60]), sq, 15) == pytest.approx(0.1065, abs=5e-5)
    assert hold_value(u([60, 50, 60, 90]), sq, 15) == pytest.approx(-0.1274, abs=5e-5)


# ---------------------------------------------------------------- q_critical


def test_q_critical_consistency() -> None:
    inputs = random_inputs(np.random.default_rng(11), 2000)
    res = guarantee_game(**inputs)
    qc = res.q_critical
    interior = np.isfinite(qc) & (qc > 1e-6) & (qc < 1 - 1e-6)
    assert interior.sum() > 50
    sub = {k: a[interior] for k, a in inputs.items()}
    eps = 1e-7
    above = guarantee_game(**{**sub, "q": qc[interior] + eps})
    below = guarantee_game(**{**sub, "q": qc[interior] - eps})
    other_a = np.fmax(above.eu_hold, above.eu_uncovered)
    other_b = np.fmax(below.eu_hold, below.eu_uncovered)
    assert np.all(above.eu_covered <= other_a)
    assert np.all(below.eu_covered > other_b)


def test_q_critical_zero_when_deterred_at_q_zero_and_nan_when_never() -> None:
    assert game(g=0.5, h=10.0).q_critical == 0.0
    # guarantors change nothing (p2 = p1, c2 = c1) and covered beats uncovered (g > 1/2)
    never = game(g=0.9, h=-10.0, c2=CENTRAL["c1"], p2=CENTRAL["p1"])
    assert np.isnan(never.q_critical)


# ---------------------------------------------------------------- sequencing


def test_hold_value_orders() -> None:
    u_p = np.array([-0.6, -0.4])
    u_sq = -0.5
    after = hold_value(u_p, u_sq, 15, "after_ceasefire")
    during = hold_value(u_p, u_sq, 15, "during_fighting")
    np.testing.assert_allclose(after, [-0.1, 0.1])
    np.testing.assert_allclose(during, [-0.1, 0.0])
    assert np.all(after >= during)  # "proposals that stop the fighting first raise h"
    # with an explicit imposed-only point
    np.testing.assert_allclose(
        hold_value(u_p, u_sq, 15, "during_fighting", u_halt=-0.55), [-0.1, -0.05]
    )
    with pytest.raises(ValueError, match="sequence"):
        hold_value(u_p, u_sq, 15, "sometime")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="war_cost"):
        hold_value(u_p, u_sq, -1.0)


def test_war_cost_sets_c1() -> None:
    from ceasefire import load
    from ceasefire.inputs import deterrence_inputs

    r = deterrence_inputs(load("ukraine-2024-11"))
    assert r is not None
    assert tuple(r["c1"])[:3] == pytest.approx((0.15, 0.075, 0.225))  # RUS war_cost 15, 7.5-22.5
    assert r["q"] == DETERRENCE_DEFAULTS["q"]


# ---------------------------------------------------------------- sampling and summaries


def test_defaults_table() -> None:
    assert set(DETERRENCE_DEFAULTS) == set(GAME_PARAMETERS)
    expected = {
        "v": (1.0, 0.5, 1.5),
        "p1": (0.25, 0.10, 0.40),
        "p2": (0.005, 0.0, 0.02),
        "c1": (0.15, 0.075, 0.225),
        "c2": (4.0, 2.0, 10.0),
        "q": (0.41, 0.22, 0.75),
        "lam": (4.0, 1.0, 10.0),
    }
    for name, (central, low, high) in expected.items():
        r = DETERRENCE_DEFAULTS[name]
        assert (r.central, r.low, r.high) == (central, low, high)
        assert r.basis
    assert "S_BF2018" in DETERRENCE_DEFAULTS["q"].basis
    assert "S_LLM2000" in DETERRENCE_DEFAULTS["q"].basis


@pytest.mark.parametrize("distribution", ["uniform", "triangular"])
def test_sampling_is_reproducible_and_in_range(distribution: str) -> None:
    a = sample_parameters(DETERRENCE_DEFAULTS, 500, np.random.default_rng(5), distribution)
    b = sample_parameters(
        dict(reversed(list(DETERRENCE_DEFAULTS.items()))),
        500,
        np.random.default_rng(5),
        distribution,
    )
    for name, r in DETERRENCE_DEFAULTS.items():
        np.testing.assert_array_equal(a[name], b[name])
        assert a[name].shape == (500,)
        assert np.all((a[name] >= r.low) & (a[name] <= r.high))


def test_triangular_mode_and_constant_ranges() -> None:
    draws = sample_parameters(
        {"x": (0.1, 0.0, 1.0), "c": (0.3, 0.3, 0.3)},
        20000,
        np.random.default_rng(1),
        "triangular",
    )
    assert np.mean(draws["x"]) == pytest.approx((0.1 + 0.0 + 1.0) / 3, abs=0.01)
    assert np.all(draws["c"] == 0.3)
    with pytest.raises(ValueError, match="low <= central <= high"):
        sample_parameters({"x": (2.0, 0.0, 1.0)}, 3, np.random.default_rng(1))
    with pytest.raises(ValueError, match="distribution"):
        sample_parameters({"x": (0.5, 0.0, 1.0)}, 3, np.random.default_rng(1), "normal")  # type: ignore[arg-type]


def test_summarise_draws() -> None:
    x = np.concatenate([np.arange(101.0), [np.nan] * 101])
    s = summarise_draws(x, nan_label="share_undeterrable")
    assert s == {"median": 50.0, "p05": 5.0, "p95": 95.0, "share_undeterrable": 0.5}
    empty = summarise_draws(np.full(4, np.nan))
    assert all(math.isnan(v) for v in empty.values())


def test_run_deterrence() -> None:
    rng = np.random.default_rng
    run = run_deterrence(1.0, -0.1274, RANGES_BEFORE_14, n_draws=1000, rng=rng(2024))
    again = run_deterrence(1.0, -0.1274, RANGES_BEFORE_14, n_draws=1000, rng=rng(2024))
    assert isinstance(run, DeterrenceRun)
    assert run.central.p_hold == pytest.approx(0.998, abs=5e-4)
    assert run.draws.p_hold.shape == (1000,)
    assert set(run.summary) == set(GAME_OUTPUTS)
    assert "share_undeterrable" in run.summary["q_critical"]
    assert run.summary == again.summary  # same seed, same numbers
    for name in GAME_PARAMETERS:
        np.testing.assert_array_equal(run.parameters[name], again.parameters[name])
    s = run.summary["p_hold"]
    assert s["p05"] <= s["median"] <= s["p95"]


def test_run_deterrence_rejects_incomplete_ranges_and_takes_h_draws() -> None:
    ranges = dict(DETERRENCE_DEFAULTS)
    del ranges["q"]
    with pytest.raises(ValueError, match="q"):
        run_deterrence(0.5, 0.0, ranges, rng=np.random.default_rng(0))
    run = run_deterrence(
        0.0, 0.0, n_draws=10, rng=np.random.default_rng(0), h_draws=np.linspace(-1, 1, 10)
    )
    np.testing.assert_array_equal(run.draws.eu_hold, np.linspace(-1, 1, 10))


# ---------------------------------------------------------------- attack curve


def test_attack_curve_matches_game_pointwise() -> None:
    grid = np.linspace(0, 1, 11)
    params = {k: v for k, v in CENTRAL.items() if k != "q"}
    curve = attack_curve(g=0.6, h=-0.1, q_grid=grid, **params)
    assert curve.p_hold.shape == (11,)
    for i, q in enumerate(grid):
        res = guarantee_game(g=0.6, h=-0.1, q=q, **params)
        assert curve.p_guarantor_war[i] == pytest.approx(float(res.p_guarantor_war), abs=1e-15)
        assert curve.p_hold[i] == pytest.approx(float(res.p_hold), abs=1e-15)
    assert np.all(np.diff(curve.p_attack_covered) <= 1e-15)


def test_attack_curve_over_draws() -> None:
    draws = sample_parameters(DETERRENCE_DEFAULTS, 50, np.random.default_rng(9))
    params = {k: v for k, v in draws.items() if k != "q"}
    curve = attack_curve(g=0.8, h=0.0, q_grid=np.linspace(0, 1, 21), **params)
    assert curve.p_guarantor_war.shape == (50, 21)
    assert curve.q.shape == (50, 21)
