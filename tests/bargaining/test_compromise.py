"""Tests of the compromise engine (docs/specs/bargaining.md, compromise)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire.bargaining import compromise
from ceasefire.bargaining.base import Problem

RNG = np.random.default_rng(0)

shapes = st.tuples(
    st.integers(0, 2**32 - 1),
    st.integers(1, 3),
    st.integers(1, 6),
    st.integers(1, 3),
    st.sampled_from([0.0, 0.3]),
    st.booleans(),
)


@pytest.mark.parametrize("variant", ["mean", "median"])
@settings(deadline=None, max_examples=60)
@given(args=shapes)
def test_matches_reference(variant, args, ref, make_problem):
    seed, b, n, d, zero, integer = args
    p = make_problem(seed, b, n, d, zero, integer)
    fast = compromise.forecast(p, RNG, variant=variant)
    slow = ref.compromise(p.positions, p.saliences, p.capability, p.status_quo, variant)
    np.testing.assert_allclose(fast.outcome, slow, rtol=0, atol=1e-9)


def test_mean_by_hand():
    p = Problem.single([[0.0], [100.0]], [[50.0], [50.0]], [1.0, 3.0], [10.0])
    assert compromise.forecast(p, RNG).outcome[0, 0] == pytest.approx(75.0)


def test_median_by_hand():
    # weights 1, 1, 2 at 10, 20, 30: cumulative 1, 2, 4; half = 2 -> reached at 20
    p = Problem.single([[30.0], [10.0], [20.0]], [[10.0], [10.0], [10.0]], [2.0, 1.0, 1.0], [0.0])
    assert compromise.forecast(p, RNG, variant="median").outcome[0, 0] == 20.0
    # weights 1, 1, 3: half = 2.5, reached only at 30
    p = Problem.single([[30.0], [10.0], [20.0]], [[10.0], [10.0], [10.0]], [3.0, 1.0, 1.0], [0.0])
    assert compromise.forecast(p, RNG, variant="median").outcome[0, 0] == 30.0


@pytest.mark.parametrize("variant", ["mean", "median"])
def test_zero_weight_gives_status_quo(variant):
    pos = [[10.0, 20.0], [90.0, 80.0]]
    sal = [[50.0, 0.0], [50.0, 0.0]]  # nobody cares about dimension 1
    p = Problem.single(pos, sal, [1.0, 1.0], [33.0, 44.0])
    out = compromise.forecast(p, RNG, variant=variant).outcome
    assert out[0, 1] == 44.0
    assert out[0, 0] != 33.0
    p0 = Problem.single(pos, [[50.0, 50.0], [50.0, 50.0]], [0.0, 0.0], [33.0, 44.0])
    np.testing.assert_array_equal(compromise.forecast(p0, RNG, variant=variant).outcome, [[33, 44]])


@pytest.mark.parametrize("variant", ["mean", "median"])
def test_capability_scale_invariance(variant, make_problem):
    p = make_problem(1, 4, 7, 3)
    q = Problem(p.positions, p.saliences, p.capability * 37.5, p.status_quo)
    np.testing.assert_allclose(
        compromise.forecast(p, RNG, variant=variant).outcome,
        compromise.forecast(q, RNG, variant=variant).outcome,
        rtol=1e-12,
    )


@pytest.mark.parametrize("variant", ["mean", "median"])
def test_permutation_invariance(variant, make_problem):
    p = make_problem(2, 3, 6, 2)
    perm = np.random.default_rng(5).permutation(6)
    q = Problem(p.positions[:, perm], p.saliences[:, perm], p.capability[:, perm], p.status_quo)
    np.testing.assert_allclose(
        compromise.forecast(p, RNG, variant=variant).outcome,
        compromise.forecast(q, RNG, variant=variant).outcome,
        rtol=1e-12,
    )


@pytest.mark.parametrize("variant", ["mean", "median"])
def test_batch_consistency(variant, make_problem, take_one):
    p = make_problem(3, 3, 5, 4, zero_salience=0.2)
    whole = compromise.forecast(p, RNG, variant=variant)
    for i in range(3):
        one = compromise.forecast(take_one(p, i), RNG, variant=variant)
        np.testing.assert_array_equal(one.outcome[0], whole.outcome[i])


def test_forecast_fields(make_problem):
    p = make_problem(4, 2, 3, 2)
    f = compromise.forecast(p, RNG, variant="median")
    assert f.method == "compromise" and f.variant == "median"
    assert f.rounds.dtype == np.int64 and f.rounds.shape == (2,) and not f.rounds.any()
    assert f.trajectory is not None and f.trajectory.shape == (2, 1, 3, 2)
    np.testing.assert_array_equal(f.trajectory[:, 0], p.positions)
    with pytest.raises(ValueError):
        compromise.forecast(p, RNG, variant="mode")
