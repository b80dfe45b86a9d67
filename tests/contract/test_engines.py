"""One suite every bargaining engine must pass (the protocol of docs/specs/bargaining.md)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ceasefire.bargaining import ENGINES, Problem, engine

CASES = [(name, variant) for name, variants in ENGINES.items() for variant in variants]
if importlib.util.find_spec("numba") is not None:  # smp's compiled kernel passes the suite too
    CASES.append(("smp", {"kernel": "compiled"}))
IDS = [f"{n}-{v.get('variant', v.get('kernel', 'default'))}" for n, v in CASES]


def random_problem(rng: np.random.Generator, b: int, n: int, d: int) -> Problem:
    return Problem(
        positions=rng.uniform(0, 100, (b, n, d)),
        saliences=rng.uniform(5, 100, (b, n, d)),
        capability=rng.uniform(0.5, 10, (b, n)),
        status_quo=rng.uniform(0, 100, (b, d)),
    )


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_shapes_bounds_and_provenance(name, params):
    p = random_problem(np.random.default_rng(1), 3, 5, 2)
    f = engine(name)(p, np.random.default_rng(0), **params)
    assert f.outcome.shape == (3, 2)
    assert f.rounds.shape == (3,) and f.rounds.dtype.kind == "i"
    assert np.all(f.outcome >= -1e-9) and np.all(f.outcome <= 100 + 1e-9)
    assert f.method == name and f.variant and isinstance(f.params, dict)
    assert f.trajectory is not None and f.trajectory.shape[0] == 3
    np.testing.assert_allclose(f.trajectory[:, 0], p.positions, atol=1e-12)  # round 0 = input


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_batch_equals_singles(name, params):
    p = random_problem(np.random.default_rng(2), 4, 6, 3)
    fn = engine(name)
    batch = fn(p, np.random.default_rng(0), **params)
    for k in range(4):
        single = fn(
            Problem.single(p.positions[k], p.saliences[k], p.capability[k], p.status_quo[k]),
            np.random.default_rng(0),
            **params,
        )
        np.testing.assert_allclose(batch.outcome[k], single.outcome[0], rtol=0, atol=1e-9)
        assert batch.rounds[k] == single.rounds[0]


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_same_seed_same_numbers(name, params):
    p = random_problem(np.random.default_rng(3), 2, 5, 2)
    fn = engine(name)
    a = fn(p, np.random.default_rng(42), **params)
    b = fn(p, np.random.default_rng(42), **params)
    np.testing.assert_array_equal(a.outcome, b.outcome)


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_unanimity_is_the_outcome(name, params):
    """When every actor holds the same position, every engine forecasts it."""
    rng = np.random.default_rng(4)
    x = rng.uniform(0, 100, 2)
    n = 4
    p = Problem.single(
        np.tile(x, (n, 1)) + rng.uniform(-1e-3, 1e-3, (n, 2)) * (name == "smp"),
        rng.uniform(10, 50, (n, 2)),
        rng.uniform(1, 5, n),
        rng.uniform(0, 100, 2),
    )
    params = {**params, **({"on_degenerate": "stop"} if name == "smp" else {})}
    f = engine(name)(p, np.random.default_rng(0), **params)
    np.testing.assert_allclose(f.outcome[0], x, atol=1e-2)


@settings(max_examples=20, deadline=None)
@given(st.data())
def test_weighted_mean_lies_in_the_hull(data):
    """compromise: the outcome lies between the smallest and largest position per dimension."""
    n = data.draw(st.integers(1, 6))
    pos = data.draw(arrays(np.float64, (n, 2), elements=st.floats(0, 100)))
    sal = data.draw(arrays(np.float64, (n, 2), elements=st.floats(1, 100)))
    cap = data.draw(arrays(np.float64, (n,), elements=st.floats(0.1, 10)))
    f = engine("compromise")(Problem.single(pos, sal, cap, [50, 50]), np.random.default_rng(0))
    assert np.all(f.outcome[0] >= pos.min(axis=0) - 1e-9)
    assert np.all(f.outcome[0] <= pos.max(axis=0) + 1e-9)


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_permuting_actors_changes_nothing_else(name, params):
    p = random_problem(np.random.default_rng(5), 2, 6, 2)
    perm = np.random.default_rng(6).permutation(6)
    q = Problem(p.positions[:, perm], p.saliences[:, perm], p.capability[:, perm], p.status_quo)
    fn = engine(name)
    a = fn(p, np.random.default_rng(0), **params)
    b = fn(q, np.random.default_rng(0), **params)
    np.testing.assert_allclose(a.outcome, b.outcome, atol=1e-9)
    np.testing.assert_array_equal(a.rounds, b.rounds)


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_scaling_all_capabilities_changes_nothing(name, params):
    p = random_problem(np.random.default_rng(7), 2, 5, 2)
    q = Problem(p.positions, p.saliences, p.capability * 7.5, p.status_quo)
    fn = engine(name)
    a = fn(p, np.random.default_rng(0), **params)
    b = fn(q, np.random.default_rng(0), **params)
    np.testing.assert_allclose(a.outcome, b.outcome, atol=1e-9)


def degenerate_problems() -> dict[str, Problem]:
    rng = np.random.default_rng(8)
    base = random_problem(rng, 1, 4, 2)
    sal_zero_dim = base.saliences.copy()
    sal_zero_dim[..., 1] = 0.0
    return {
        "one-actor": Problem(
            base.positions[:, :1], base.saliences[:, :1], base.capability[:, :1], base.status_quo
        ),
        "all-saliences-zero": Problem(
            base.positions, np.zeros_like(base.saliences), base.capability, base.status_quo
        ),
        "all-capabilities-zero": Problem(
            base.positions, base.saliences, np.zeros_like(base.capability), base.status_quo
        ),
        "identical-positions": Problem(
            np.full_like(base.positions, 37.0), base.saliences, base.capability, base.status_quo
        ),
        "dimension-nobody-cares-about": Problem(
            base.positions, sal_zero_dim, base.capability, base.status_quo
        ),
    }


@pytest.mark.parametrize("case", sorted(degenerate_problems()))
@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_degenerate_input_gives_an_answer_or_a_clear_error(name, params, case):
    p = degenerate_problems()[case]
    try:
        f = engine(name)(p, np.random.default_rng(0), **params)
    except ValueError as err:  # a clear error is acceptable; it must say what is wrong
        assert str(err)
        return
    assert np.all(np.isfinite(f.outcome)), f"{name} {case}: {f.outcome}"
    assert np.all(f.outcome >= -1e-9) and np.all(f.outcome <= 100 + 1e-9)
