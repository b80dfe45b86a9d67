"""Tests of the nash engine (docs/specs/bargaining.md, nash)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire.bargaining import nash
from ceasefire.bargaining.base import Problem

RNG = np.random.default_rng(0)


def with_sq(p: Problem, sq: np.ndarray) -> Problem:
    return Problem(p.positions, p.saliences, p.capability, sq)


def gradient(p: Problem, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """grad of sum_i c_i log g_i at x (B, D), over actors with c_i > 0, and the sum of its
    terms' magnitudes (B, D): an actor whose gain is nearly zero contributes terms of
    thousands that cancel, so the gradient is judged relative to them."""
    g = np.einsum("bnd,bnd->bn", p.saliences, (p.status_quo[:, None] - p.positions) ** 2)
    g = g - np.einsum("bnd,bnd->bn", p.saliences, (x[:, None] - p.positions) ** 2)
    dg = -2 * p.saliences * (x[:, None] - p.positions)
    c = np.where(p.capability > 0, p.capability, 0) / p.capability.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = (c / g)[..., None] * dg
        return terms.sum(axis=1), np.abs(terms).sum(axis=1)


@pytest.mark.slow  # several seconds (README: the quick subset leaves it out)
@settings(deadline=None, max_examples=30)
@given(
    seed=st.integers(0, 2**32 - 1),
    b=st.integers(1, 3),
    n=st.integers(1, 5),
    d=st.integers(1, 3),
    corner=st.booleans(),
)
def test_matches_reference(seed, b, n, d, corner, ref, make_problem):
    p = make_problem(seed, b, n, d, zero_salience=0.15)
    if corner:  # a status quo near a corner makes a non-empty set likely
        p = with_sq(p, np.random.default_rng(seed + 1).uniform(-30, 5, (b, d)))
    fast = nash.forecast(p, RNG)
    slow, cases = ref.nash(p.positions, p.saliences, p.capability, p.status_quo)
    assert [nash.CASE_NAMES[k] for k in fast.extras["case"]] == cases
    np.testing.assert_allclose(fast.outcome, slow, atol=1e-8, rtol=0)
    solved = fast.extras["case"] == nash.CASE_SOLVED
    if solved.any():
        assert np.all(fast.extras["gains"][solved][p.capability[solved] > 0] > 0)
        grad, scale = gradient(with_sq(p, p.status_quo), fast.outcome)
        cared = np.any((p.saliences > 0) & (p.capability[..., None] > 0), axis=1)[solved]
        tol = 1e-8 * np.maximum(1.0, scale[solved])
        assert np.all(np.abs(np.where(cared, grad[solved], 0)) < tol)


@pytest.mark.parametrize("d", [1, 2, 4])
def test_one_actor_gets_its_ideal(d):
    rng = np.random.default_rng(d)
    pos = rng.uniform(0, 100, (1, d))
    p = Problem.single(pos, rng.uniform(1, 100, (1, d)), [0.7], rng.uniform(0, 100, d))
    f = nash.forecast(p, RNG)
    assert f.extras["case"][0] == nash.CASE_SOLVED
    np.testing.assert_allclose(f.outcome[0], pos[0], atol=1e-9)


@pytest.mark.parametrize(
    ("x1", "x2", "q", "s1", "s2"),
    [(10.0, 40.0, 90.0, 50.0, 50.0), (60.0, 20.0, 95.0, 10.0, 100.0), (70.0, 30.0, 0.0, 5.0, 80.0)],
)
def test_two_actors_one_dimension_closed_form(x1, x2, q, s1, s2):
    """Equal weights, q outside [x1, x2].

    Put q to the right of both ideals (mirror otherwise). g_i(x) = s_i (q - x)(q + x - 2 x_i),
    so the saliences only scale g_i and drop out. With a = q - 2 x1 and b = q - 2 x2 the first
    order condition of log g_1 + log g_2 is 1/(x + a) + 1/(x + b) = 2/(q - x), i.e.
    4 x^2 + (3(a + b) - 2q) x + 2ab - (a + b) q = 0, whose root in the feasible interval
    (max(-a, -b), q) is the solution: the gains' log-derivatives balance.
    """
    sign = 1.0 if q > max(x1, x2) else -1.0
    y1, y2, qq = sign * x1, sign * x2, sign * q
    a, b = qq - 2 * y1, qq - 2 * y2
    coeffs = [4.0, 3 * (a + b) - 2 * qq, 2 * a * b - (a + b) * qq]
    roots = [r.real for r in np.roots(coeffs) if abs(r.imag) < 1e-12]
    lo = max(-a, -b)
    inside = [r for r in roots if lo < r < qq]
    assert len(inside) == 1
    expected = sign * inside[0]
    p = Problem.single([[x1], [x2]], [[s1], [s2]], [2.0, 2.0], [q])
    f = nash.forecast(p, RNG)
    assert f.extras["case"][0] == nash.CASE_SOLVED
    assert f.outcome[0, 0] == pytest.approx(expected, abs=1e-9)
    assert min(x1, x2) <= f.outcome[0, 0] <= max(x1, x2)


def test_empty_sets_give_status_quo():
    # q between two actors on one dimension: no common gain
    p = Problem.single([[10.0], [90.0]], [[50.0], [50.0]], [1.0, 1.0], [50.0])
    f = nash.forecast(p, RNG)
    assert f.extras["case"][0] == nash.CASE_NO_COMMON_GAIN
    assert f.outcome[0, 0] == 50.0
    # an actor whose ideal is q on every dimension it cares about (dimension 0): that dimension
    # is pinned at q (its only individually rational value); dimension 1 is bargained by the
    # other actor alone, who gets its ideal 10 there
    p = Problem.single([[20.0, 70.0], [90.0, 10.0]], [[50.0, 0.0], [50.0, 50.0]], [1, 1], [20.0, 5])
    f = nash.forecast(p, RNG)
    assert f.extras["case"][0] == nash.CASE_IDEAL_AT_Q
    np.testing.assert_allclose(f.outcome[0], [20.0, 10.0], atol=1e-9)
    np.testing.assert_array_equal(f.extras["at_q"][0], [True, False])
    assert "ideal at the status quo" in nash.CAPABILITIES.note_of(f)
    # ... unless it has no capability: then it is ignored and the other gets its ideal
    p = Problem.single([[20.0, 70.0], [90.0, 10.0]], [[50.0, 0.0], [50.0, 50.0]], [0, 1], [20.0, 5])
    f = nash.forecast(p, RNG)
    assert f.extras["case"][0] == nash.CASE_SOLVED
    np.testing.assert_allclose(f.outcome[0], [90.0, 10.0], atol=1e-9)
    # nobody has capability
    p = Problem.single([[20.0], [90.0]], [[50.0], [50.0]], [0.0, 0.0], [33.0])
    f = nash.forecast(p, RNG)
    assert f.extras["case"][0] == nash.CASE_NO_ACTIVE_ACTORS
    assert f.outcome[0, 0] == 33.0


def test_three_directions_cancel_in_two_dimensions():
    # q at the centre of a triangle of ideals: the gradients at q positively span the plane
    ang = np.array([0, 2 * math.pi / 3, 4 * math.pi / 3])
    pos = np.stack([50 + 30 * np.cos(ang), 50 + 30 * np.sin(ang)], axis=1)
    p = Problem.single(pos, np.full((3, 2), 40.0), [1, 2, 3], [50.0, 50.0])
    f = nash.forecast(p, RNG)
    assert f.extras["case"][0] == nash.CASE_NO_COMMON_GAIN


def test_uncared_dimension_stays_at_status_quo():
    p = Problem.single([[10.0, 80.0], [30.0, 20.0]], [[50.0, 0.0], [20.0, 0.0]], [1, 1], [90.0, 45])
    f = nash.forecast(p, RNG)
    assert f.extras["case"][0] == nash.CASE_SOLVED
    assert f.outcome[0, 1] == 45.0


def test_permutation_invariance(make_problem):
    p = make_problem(11, 4, 5, 3)
    p = with_sq(p, np.random.default_rng(3).uniform(-20, 0, (4, 3)))
    perm = np.array([3, 0, 4, 2, 1])
    q = Problem(p.positions[:, perm], p.saliences[:, perm], p.capability[:, perm], p.status_quo)
    f, g = nash.forecast(p, RNG), nash.forecast(q, RNG)
    np.testing.assert_array_equal(f.extras["case"], g.extras["case"])
    assert (f.extras["case"] == nash.CASE_SOLVED).any()
    np.testing.assert_allclose(f.outcome, g.outcome, atol=1e-9)


def test_capability_scale_invariance(make_problem):
    p = make_problem(12, 3, 4, 2)
    p = with_sq(p, np.full((3, 2), -10.0))
    q = Problem(p.positions, p.saliences, p.capability * 250.0, p.status_quo)
    np.testing.assert_allclose(
        nash.forecast(p, RNG).outcome, nash.forecast(q, RNG).outcome, atol=1e-9
    )


def test_batch_consistency(make_problem, take_one):
    p = make_problem(13, 3, 4, 3)
    p = with_sq(p, np.array([[-10.0, -10.0, -10.0], [50.0, 50.0, 50.0], [110.0, -5.0, 30.0]]))
    whole = nash.forecast(p, RNG)
    for i in range(3):
        one = nash.forecast(take_one(p, i), RNG)
        assert one.extras["case"][0] == whole.extras["case"][i]
        np.testing.assert_allclose(one.outcome[0], whole.outcome[i], atol=1e-12)


def test_forecast_fields(make_problem):
    p = make_problem(14, 2, 3, 2)
    f = nash.forecast(p, RNG)
    assert f.method == "nash" and f.variant == "quadratic"
    assert f.rounds.shape == (2,) and f.rounds.dtype == np.int64
    assert f.trajectory is not None and f.trajectory.shape == (2, 1, 3, 2)
    assert f.extras["case"].shape == (2,)
    with pytest.raises(TypeError):
        nash.forecast(p, RNG, tolerance=1.0)


# ----------------------------------------------------------------------------- war costs


def test_war_cost_opens_the_bargaining_set_closed_form():
    """q = 50 between ideals 10 and 90 (no common gain without war costs). Actor 2 has war cost
    40, so k_2 = S_2 40^2 and g_2 = s (40^2 - (x - 90)^2 + 40^2); actor 1 none, g_1 = s (40^2 -
    (x - 10)^2). Equal weights: (x - 10) g_2 + (x - 90) g_1 = 0 (s cancels), a cubic whose
    root in (10, 50) -- where g_1 > 0 and g_2 > 0 -- is the solution."""
    p1 = np.poly1d([1.0, -10.0])
    p2 = np.poly1d([1.0, -90.0])
    g1 = 1600.0 - p1 * p1
    g2 = 3200.0 - p2 * p2
    roots = [r.real for r in (p1 * g2 + p2 * g1).roots if abs(r.imag) < 1e-9]
    inside = [r for r in roots if 10.0 < r < 50.0 and g1(r) > 0 and g2(r) > 0]
    assert len(inside) == 1
    base = Problem.single([[10.0], [90.0]], [[50.0], [50.0]], [1.0, 1.0], [50.0])
    assert nash.forecast(base, RNG).extras["case"][0] == nash.CASE_NO_COMMON_GAIN
    p = Problem.single([[10.0], [90.0]], [[50.0], [50.0]], [1.0, 1.0], [50.0], [0.0, 40.0])
    f = nash.forecast(p, RNG)
    assert f.extras["case"][0] == nash.CASE_SOLVED
    assert f.outcome[0, 0] == pytest.approx(inside[0], abs=1e-8)
    np.testing.assert_allclose(f.extras["disagreement_cost"][0], [0.0, 50.0 * 1600.0])


def test_war_cost_of_an_actor_at_q_keeps_it_in_the_product():
    """An actor at q with a war cost gains from any deal near q: it is not at the disagreement
    point, so nothing is pinned (contrast with test_empty_sets_give_status_quo)."""
    p = Problem.single([[20.0], [90.0]], [[50.0], [50.0]], [1.0, 1.0], [20.0], [10.0, 0.0])
    f = nash.forecast(p, RNG)
    assert f.extras["case"][0] == nash.CASE_SOLVED
    assert not f.extras["at_q"].any()
    assert 20.0 < f.outcome[0, 0] < 90.0
    assert np.all(f.extras["gains"][0] > 0)


@settings(deadline=None, max_examples=20)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 4), d=st.integers(1, 3))
def test_war_costs_match_reference(seed, n, d, ref, make_problem):
    p = make_problem(seed, 1, n, d, zero_salience=0.15)
    wc = np.random.default_rng(seed + 2).choice([0.0, 5.0, 30.0], size=(1, n))
    p = Problem(p.positions, p.saliences, p.capability, p.status_quo, wc)
    fast = nash.forecast(p, RNG)
    slow, cases = ref.nash(p.positions, p.saliences, p.capability, p.status_quo, wc)
    assert [nash.CASE_NAMES[k] for k in fast.extras["case"]] == cases
    np.testing.assert_allclose(fast.outcome, slow, atol=1e-6, rtol=0)


def test_war_cost_shape_is_checked():
    with pytest.raises(ValueError, match="war_cost"):
        Problem.single([[10.0], [90.0]], [[50.0], [50.0]], [1.0, 1.0], [50.0], [1.0])
    with pytest.raises(ValueError, match="war_cost"):
        Problem.single([[10.0], [90.0]], [[50.0], [50.0]], [1.0, 1.0], [50.0], [1.0, -1.0])
