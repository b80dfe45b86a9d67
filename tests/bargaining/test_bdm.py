"""Tests of the bdm engine (docs/specs/bdm.md; golden cases §13, checklist §12)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire.bargaining import bdm
from ceasefire.bargaining.base import Problem

RNG = np.random.default_rng(0)
TOL = 1e-9  # the spec asks for 1e-6; we reproduce the replication to ~1e-13


def one_issue(case, scale_salience: float = 100.0) -> Problem:
    """A one-dimension problem from a golden case (saliences to the problem's 0-100 scale)."""
    return Problem.single(
        case["position"][:, None],
        case["salience"][:, None] * scale_salience,
        case["capability"],
        [float(np.mean(case["position"]))],
    )


def simulate_case(case, rounds=10, flags=None):
    return bdm.simulate(
        case["position"][None], case["salience"][None], case["capability"][None], rounds, flags
    )


# ----------------------------------------------------------------------------- golden: EC-10


def test_ec10_round0(ec10):
    f = bdm.forecast(one_issue(ec10), RNG, rounds=0)
    assert f.extras["median"][0, 0, 0] == 7.0
    assert f.extras["mean"][0, 0, 0] == pytest.approx(7.389956, abs=1e-6)
    assert f.outcome[0, 0] == 7.0


def test_ec10_full_table(ec10):
    f = bdm.forecast(one_issue(ec10), RNG)
    assert f.method == "bdm" and f.variant == "scholz2011"
    assert f.trajectory is not None and f.trajectory.shape == (1, 11, 10, 1)
    np.testing.assert_allclose(f.trajectory[0, :, :, 0], ec10["positions_by_round"], atol=TOL)
    np.testing.assert_allclose(f.extras["median"][0, :, 0], ec10["median"], atol=TOL)
    np.testing.assert_allclose(f.extras["mean"][0, :, 0], ec10["mean"], atol=TOL)
    np.testing.assert_allclose(f.extras["risk"][0, :, :, 0], ec10["risk_by_round"], atol=TOL)
    assert f.outcome[0, 0] == pytest.approx(7.0, abs=TOL)
    np.testing.assert_array_equal(f.rounds, [10])


def test_ec10_accepted_offers(ec10):
    """§13.1: types and proposers of every accepted offer, exactly."""
    names = ec10["names"]
    run = simulate_case(ec10)
    conf, comp = bdm.OFFER_CONFRONTATION, bdm.OFFER_COMPROMISE
    bel, lux, ire = names.index("Belgium"), names.index("Luxembourg"), names.index("Ireland")
    for t in range(1, 11):
        types = run.offer_type[0, t - 1]
        props = [names[j] if j >= 0 else None for j in run.proposer[0, t - 1]]
        movers = {i for i in range(10) if types[i] != bdm.OFFER_NONE}
        assert movers == {bel, lux, ire}, t
        assert (types[bel], props[bel]) == (
            comp,
            "Netherlands" if t in (4, 9) else "France",
        ), t
        assert (types[lux], props[lux]) == (conf, "Belgium"), t
        assert (types[ire], props[ire]) == (conf, "Luxembourg" if t <= 5 else "Belgium"), t


def test_ec10_round1_intermediates(ec10):
    """§5 check values and §13.2."""
    x = ec10["position"][None]
    s = ec10["salience"][None]
    w = ec10["capability"][None] * s
    delta = np.array([6.0])
    flags = bdm.Flags()
    rs = bdm.risk_step(x, s, w, delta, flags)
    assert rs.z[0] == pytest.approx(28.233, abs=1e-9)
    names = ec10["names"]
    dangers = {
        "Netherlands": -5.249283,
        "Belgium": 1.428336,
        "Luxembourg": 5.437679,
        "UK": -8.640899,
        "Ireland": 5.607084,
        "Denmark": -8.811603,
    }
    for name, value in dangers.items():
        assert rs.danger[0, names.index(name)] == pytest.approx(value, abs=1e-6)
    np.testing.assert_allclose(rs.r[0], ec10["risk_by_round"][1], atol=TOL)
    os_ = bdm.offer_step(x, s, w, delta, rs.r, flags)
    assert os_.z[0] == pytest.approx(28.333460341640, abs=1e-11)
    table = [
        ("Belgium", "France", 0.007313873, 0.004582576, -0.114830503473, 0.243296594523),
        ("Luxembourg", "Belgium", 0.003147746, 0.008984912, 0.245509222483, 0.542246100211),
        ("Ireland", "Luxembourg", 0.008984912, 0.003147746, 0.538237766433, 0.682477825251),
    ]
    for ri, pj, pij, pji, a, b in table:
        i, j = names.index(ri), names.index(pj)
        assert os_.p[0, i, j] == pytest.approx(pij, abs=1e-9)
        assert os_.p[0, j, i] == pytest.approx(pji, abs=1e-9)
        assert os_.a[0, i, j] == pytest.approx(a, abs=1e-11)
        assert os_.b[0, i, j] == pytest.approx(b, abs=1e-11)


def test_ec10_matches_reference(ec10, ref):
    res = ref.bdm_run(ec10["position"], ec10["salience"], ec10["capability"], 10)
    np.testing.assert_allclose(np.array(res["positions"]), ec10["positions_by_round"], atol=TOL)
    np.testing.assert_allclose(res["median"], ec10["median"], atol=TOL)
    np.testing.assert_allclose(np.array(res["risk"]), ec10["risk_by_round"], atol=TOL)


# ----------------------------------------------------------------------------- golden: Sultan


def test_sultan_nothing_moves(sultan):
    f = bdm.forecast(one_issue(sultan), RNG)
    traj = f.trajectory[0, :, :, 0]
    np.testing.assert_array_equal(traj, np.broadcast_to(sultan["position"], traj.shape))
    np.testing.assert_allclose(f.extras["median"][0, :, 0], 13.9, atol=1e-12)
    np.testing.assert_allclose(f.extras["mean"][0, :, 0], 13.619912, atol=1e-6)
    assert not f.extras["offer_type"].any()
    assert (f.extras["proposer"] == -1).all()


def test_sultan_early_exit_equals_full_computation(sultan):
    """§8: the early exit must give what computing every round gives (reference, 3 rounds)."""
    x = sultan["position"][None]
    s = sultan["salience"][None]
    run = bdm.simulate(x, s, sultan["capability"][None], 3)
    w = sultan["capability"][None] * s
    delta = np.array([np.ptp(x)])
    r = bdm.risk_step(x, s, w, delta, bdm.Flags()).r
    for t in (1, 2, 3):
        np.testing.assert_array_equal(run.risk[0, t], r[0])


# ----------------------------------------------------------------------------- variants (§10)


@pytest.mark.parametrize(
    ("variant", "medians"),
    [
        ("linear", [8.43, 9.62, 9.96, 9.96, 9.96, 7.52, 8.87, 9.70, 9.70, 7.00]),
        ("own", [8.78, 9.80, 9.97, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0]),
        ("least_move", [8.42, 9.61, 9.96, 10.0, 10.0, 10.0, 10.0]),
        ("pairwise", [7.0] * 10),
    ],
)
def test_variants_on_ec10(ec10, variant, medians):
    """The §10 measurements (two decimals)."""
    f = bdm.forecast(one_issue(ec10), RNG, variant=variant)
    assert f.variant == variant
    got = f.extras["median"][0, 1 : 1 + len(medians), 0]
    np.testing.assert_allclose(got, medians, atol=0.006)
    if variant == "pairwise":
        np.testing.assert_allclose(f.extras["mean"][0, 4:, 0], 7.0, atol=1e-9)
        np.testing.assert_allclose(f.trajectory[0, -1, :, 0], 7.0, atol=1e-9)


@pytest.mark.parametrize("variant", ["capitulation", "dynamic"])
def test_variants_without_effect_on_ec10(ec10, variant):
    base = bdm.forecast(one_issue(ec10), RNG)
    f = bdm.forecast(one_issue(ec10), RNG, variant=variant)
    np.testing.assert_allclose(f.trajectory, base.trajectory, atol=1e-12)


def test_dynamic_range_differs_when_extremes_move():
    # after round 2 nobody is left at the lowest position 14: the range shrinks from 81 to 44
    x = np.array([[51.0, 95.0, 14.0, 95.0, 31.0]])
    s = np.array([[0.5, 0.8, 0.5, 0.6, 0.1]])
    c = np.array([[0.8, 0.6, 0.4, 0.8, 0.4]])
    a = bdm.simulate(x, s, c, 6)
    b = bdm.simulate(x, s, c, 6, bdm.VARIANTS["dynamic"])
    np.testing.assert_array_equal(a.positions[0, :3], b.positions[0, :3])  # same 2 rounds
    assert a.positions[0, 2].min() > x.min()
    assert not np.allclose(a.positions, b.positions)


def test_flag_overrides_and_errors(ec10):
    p = one_issue(ec10)
    f = bdm.forecast(p, RNG, perspective="own")
    g = bdm.forecast(p, RNG, variant="own")
    assert f.variant == "custom" and g.variant == "own"
    np.testing.assert_array_equal(f.trajectory, g.trajectory)
    assert bdm.forecast(p, RNG, variant="own", perspective="own").variant == "own"
    assert f.params["perspective"] == "own" and f.params["rounds"] == 10
    with pytest.raises(ValueError):
        bdm.forecast(p, RNG, variant="paper")
    with pytest.raises(ValueError):
        bdm.forecast(p, RNG, prob="triples")
    with pytest.raises(TypeError):
        bdm.forecast(p, RNG, temperature=1.0)


def test_q_below_one_runs(ec10):
    f = bdm.forecast(one_issue(ec10), RNG, Q=0.8)
    assert f.variant == "custom" and f.params["Q"] == 0.8
    assert np.all(np.isfinite(f.trajectory))
    lo, hi = ec10["position"].min(), ec10["position"].max()
    assert np.all((f.trajectory >= lo) & (f.trajectory <= hi))


# ----------------------------------------------------------------------------- degenerate (§12.5)


def test_all_positions_equal():
    p = Problem.single([[30.0], [30.0], [30.0]], [[50.0], [20.0], [90.0]], [1, 2, 3], [0.0])
    f = bdm.forecast(p, RNG)
    np.testing.assert_array_equal(f.trajectory[0, :, :, 0], 30.0)
    np.testing.assert_array_equal(f.extras["median"], 30.0)
    np.testing.assert_allclose(f.extras["mean"], 30.0)
    np.testing.assert_array_equal(f.extras["risk"], 1.0)


def test_equal_dangers_give_unit_exponents():
    # two identical actors facing each other: equal dangers
    x = np.array([[20.0, 80.0]])
    s = np.array([[0.5, 0.5]])
    c = np.array([[1.0, 1.0]])
    rs = bdm.risk_step(x, s, c * s, np.array([60.0]), bdm.Flags())
    assert rs.danger[0, 0] == rs.danger[0, 1]
    np.testing.assert_array_equal(rs.r, 1.0)
    run = bdm.simulate(x, s, c, 3)
    assert np.all(np.isfinite(run.positions))


def test_single_distinct_proposer_position(ref):
    # everyone but one actor shares a position: one distinct proposer position
    x = np.array([[10.0, 10.0, 10.0, 70.0]])
    s = np.array([[0.8, 0.4, 0.6, 0.9]])
    c = np.array([[0.3, 0.5, 0.2, 0.6]])
    run = bdm.simulate(x, s, c, 5)
    res = ref.bdm_run(x[0], s[0], c[0], 5)
    np.testing.assert_allclose(run.positions[0], np.array(res["positions"]), atol=1e-12)
    np.testing.assert_allclose(run.median[0], res["median"], atol=1e-12)


def test_zero_total_weight_uses_equal_weights():
    p = Problem.single([[10.0], [20.0], [60.0]], [[0.0], [0.0], [0.0]], [1, 1, 1], [0.0])
    f = bdm.forecast(p, RNG, rounds=2)
    np.testing.assert_allclose(f.extras["mean"], 30.0)
    np.testing.assert_array_equal(f.extras["median"], 20.0)


# ----------------------------------------------------------------------------- invariances (§12.6)


def test_capability_scaling(ec10, sultan):
    for case in (ec10, sultan):
        p = one_issue(case)
        q = Problem(p.positions, p.saliences, p.capability * 123.0, p.status_quo)
        a, b = bdm.forecast(p, RNG), bdm.forecast(q, RNG)
        np.testing.assert_allclose(a.trajectory, b.trajectory, atol=1e-9)
        np.testing.assert_array_equal(a.extras["offer_type"], b.extras["offer_type"])


def test_affine_relabelling(ec10):
    p = one_issue(ec10)
    alpha, beta = 7.5, -3.0
    q = Problem(p.positions * alpha + beta, p.saliences, p.capability, p.status_quo)
    a, b = bdm.forecast(p, RNG), bdm.forecast(q, RNG)
    np.testing.assert_allclose(b.trajectory, a.trajectory * alpha + beta, atol=1e-8)
    np.testing.assert_allclose(b.extras["median"], a.extras["median"] * alpha + beta, atol=1e-8)
    np.testing.assert_allclose(b.extras["mean"], a.extras["mean"] * alpha + beta, atol=1e-8)
    np.testing.assert_allclose(b.extras["risk"], a.extras["risk"], atol=1e-9)
    np.testing.assert_array_equal(b.extras["proposer"], a.extras["proposer"])


# ----------------------------------------------------------------------------- batch and reference


def test_dimensions_are_independent_runs(make_problem):
    p = make_problem(5, 2, 6, 3)
    f = bdm.forecast(p, RNG, rounds=4)
    for d in range(3):
        sub = Problem(
            p.positions[:, :, d : d + 1],
            p.saliences[:, :, d : d + 1],
            p.capability,
            p.status_quo[:, d : d + 1],
        )
        g = bdm.forecast(sub, RNG, rounds=4)
        np.testing.assert_array_equal(g.trajectory[..., 0], f.trajectory[..., d])
        np.testing.assert_array_equal(g.extras["median"][..., 0], f.extras["median"][..., d])


def test_batch_consistency(make_problem, take_one):
    p = make_problem(6, 3, 7, 2)
    whole = bdm.forecast(p, RNG, rounds=5)
    for i in range(3):
        one = bdm.forecast(take_one(p, i), RNG, rounds=5)
        np.testing.assert_allclose(one.trajectory[0], whole.trajectory[i], atol=1e-12)
        np.testing.assert_allclose(one.outcome[0], whole.outcome[i], atol=1e-12)
        np.testing.assert_array_equal(one.extras["proposer"][0], whole.extras["proposer"][i])


@pytest.mark.parametrize("integer", [False, True])
def test_fast_numerators_match_literal_sum(monkeypatch, integer, make_problem):
    """The O(n^2 log n) numerators equal the literal O(n^3) sum, blocked or not (§4.2, §9.2)."""
    p = make_problem(8, 3, 9, 2, integer=integer)
    x = p.positions.transpose(0, 2, 1).reshape(6, 9)
    w = np.repeat(p.capability, 2, axis=0) * x  # any non-negative weights
    rho = np.random.default_rng(1).uniform(0.5, 2.0, x.shape)
    delta = np.ptp(x, axis=1)
    y = (np.abs(x[:, :, None] - x[:, None, :]) / delta[:, None, None]) ** rho[:, :, None]
    fast = bdm.numerators(x, y, w)
    direct = bdm.numerators_direct(y, w)
    np.testing.assert_allclose(fast, direct, atol=1e-13)
    monkeypatch.setattr(bdm, "_BLOCK_ELEMENTS", 50)  # forces blocks of one voter
    np.testing.assert_allclose(bdm.numerators_direct(y, w), direct, atol=1e-13)


@settings(deadline=None, max_examples=25)
@given(
    seed=st.integers(0, 2**32 - 1),
    b=st.integers(1, 2),
    n=st.integers(2, 7),
    d=st.integers(1, 2),
    rounds=st.integers(1, 4),
)
def test_matches_reference(seed, b, n, d, rounds, ref, make_problem):
    p = make_problem(seed, b, n, d)
    fast = bdm.forecast(p, RNG, rounds=rounds)
    outcome, traj, med, mean = ref.bdm(p.positions, p.saliences, p.capability, rounds)
    np.testing.assert_allclose(fast.trajectory, traj, atol=1e-9)
    np.testing.assert_allclose(fast.extras["median"], med, atol=1e-9)
    np.testing.assert_allclose(fast.extras["mean"], mean, atol=1e-9)
    np.testing.assert_allclose(fast.outcome, outcome, atol=1e-9)


@settings(deadline=None, max_examples=15)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(3, 8))
def test_matches_reference_with_shared_positions(seed, n, ref, make_problem):
    """Positions on a 10-point grid: shared positions, equal-position pairs, median ties."""
    p = make_problem(seed, 1, n, 1, integer=True)
    fast = bdm.forecast(p, RNG, rounds=3)
    _, traj, med, _ = ref.bdm(p.positions, p.saliences, p.capability, 3)
    np.testing.assert_allclose(fast.trajectory, traj, atol=1e-9)
    np.testing.assert_allclose(fast.extras["median"], med, atol=1e-9)


def test_chunked_batch_equals_one_chunk(monkeypatch, make_problem):
    p = make_problem(9, 4, 6, 2)
    whole = bdm.forecast(p, RNG, rounds=4)
    monkeypatch.setattr(bdm, "_CHUNK_ELEMENTS", 3 * 36)  # three runs per chunk
    chunked = bdm.forecast(p, RNG, rounds=4)
    np.testing.assert_array_equal(chunked.trajectory, whole.trajectory)
    np.testing.assert_array_equal(chunked.extras["risk"], whole.extras["risk"])
    np.testing.assert_array_equal(chunked.extras["proposer"], whole.extras["proposer"])
