"""Tests of the ceasefire-durability model (docs/specs/deterrence.md §2, §3)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire.durability import (
    DURABILITY_DEFAULTS,
    DURABILITY_OUTPUTS,
    DURABILITY_PARAMETERS,
    MECHANISMS,
    DurabilityRun,
    breakdown_probability,
    durability,
    eta_from_p5,
    expected_time,
    hazard_ratio,
    mechanism_vector,
    median_time,
    run_durability,
    survival_curve,
)


def test_worked_example_of_the_spec() -> None:
    k = 0.7
    eta = 5 / (-math.log(0.55)) ** (1 / 0.7)
    assert eta_from_p5(k, 0.45) == pytest.approx(eta, rel=1e-14)
    present = mechanism_vector({"dmz", "peacekeepers"})
    hz = hazard_ratio(present, np.full(len(MECHANISMS), 0.5), 0.15)
    assert hz == pytest.approx(0.25, abs=1e-15)
    p5 = breakdown_probability(5.0, k, eta, hz)
    assert abs(p5 - (1 - 0.55**0.25)) < 1e-9
    assert abs(p5 - 0.138826) < 1e-6
    # no mechanism: the bare ceasefire's own 0.45
    assert breakdown_probability(5.0, k, eta) == pytest.approx(0.45, abs=1e-12)


def test_mechanisms_and_validation() -> None:
    assert MECHANISMS == (
        "monitoring",
        "dmz",
        "peacekeepers",
        "third_party_guarantee",
        "joint_commission",
        "collective_defence",
    )
    np.testing.assert_array_equal(
        mechanism_vector(["dmz", "collective_defence"]), [False, True, False, False, False, True]
    )
    with pytest.raises(ValueError, match="'blue_helmets'"):
        mechanism_vector({"dmz", "blue_helmets"})
    with pytest.raises(ValueError, match="'dmz '"):
        run_durability({"dmz "}, rng=np.random.default_rng(0))


def test_hazard_ratio_floor_and_broadcast() -> None:
    hr = np.array([0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
    assert hazard_ratio(np.ones(6, bool), hr, 0.15) == 0.15  # 0.5^6 < floor
    assert hazard_ratio(np.zeros(6, bool), hr, 0.15) == 1.0
    batch = hazard_ratio(
        np.array([True, False, True, False, False, False]), np.full((4, 6), 0.6), 0.0
    )
    np.testing.assert_allclose(batch, 0.36)
    with pytest.raises(ValueError):
        hazard_ratio(np.ones(6, bool), np.zeros(6))


def test_survival_curve() -> None:
    grid = np.linspace(0, 20, 41)
    eta = eta_from_p5(0.7, 0.45)
    s = survival_curve(grid, 0.7, eta, 0.5)
    assert s.shape == (41,)
    assert s[0] == 1.0
    assert np.all(np.diff(s) <= 0)
    np.testing.assert_allclose(1 - s, breakdown_probability(grid, 0.7, eta, 0.5))
    batch = survival_curve(grid, np.array([0.5, 0.7, 0.9]), eta_from_p5([0.5, 0.7, 0.9], 0.45))
    assert batch.shape == (3, 41)
    np.testing.assert_allclose(batch[:, 10], 0.55)  # t = 5 years


def test_median_and_expected_time() -> None:
    k, hz = 0.7, 0.4
    eta = eta_from_p5(k, 0.45)
    med = median_time(k, eta, hz)
    assert breakdown_probability(med, k, eta, hz) == pytest.approx(0.5, abs=1e-12)
    # expected time: numerical integral of the survival function
    t = np.linspace(0, 1e5, 2_000_001)
    s = survival_curve(t, k, eta, hz)
    integral = float(np.sum((s[1:] + s[:-1]) / 2 * np.diff(t)))
    assert expected_time(k, eta, hz) == pytest.approx(integral, rel=1e-3)


@settings(max_examples=150, deadline=None)
@given(
    present=st.lists(st.booleans(), min_size=6, max_size=6),
    added=st.integers(0, 5),
    hr=st.lists(st.floats(0.01, 1.0), min_size=6, max_size=6),
    floor=st.floats(0.0, 1.0),
    k=st.floats(0.3, 2.0),
    p5=st.floats(0.01, 0.99),
    t=st.floats(0.0, 50.0),
)
def test_adding_a_mechanism_never_raises_breakdown_probability(
    present: list[bool],
    added: int,
    hr: list[float],
    floor: float,
    k: float,
    p5: float,
    t: float,
) -> None:
    before = np.array(present)
    after = before.copy()
    after[added] = True
    hrs = np.array(hr)
    eta = eta_from_p5(k, p5)
    p_before = breakdown_probability(t, k, eta, hazard_ratio(before, hrs, floor))
    p_after = breakdown_probability(t, k, eta, hazard_ratio(after, hrs, floor))
    assert p_after <= p_before + 1e-15


def test_defaults_are_priors_with_spec_ranges() -> None:
    assert set(DURABILITY_DEFAULTS) == set(DURABILITY_PARAMETERS)
    spec = {
        "k": (0.5, 0.9),
        "p5_bare": (0.35, 0.55),
        "floor": (0.15, 0.15),
        "hr_monitoring": (0.6, 0.9),
        "hr_dmz": (0.3, 0.7),
        "hr_peacekeepers": (0.3, 0.7),
        "hr_third_party_guarantee": (0.3, 0.7),
        "hr_joint_commission": (0.3, 0.7),
        "hr_collective_defence": (0.2, 0.6),
    }
    for name, (low, high) in spec.items():
        r = DURABILITY_DEFAULTS[name]
        assert (r.low, r.high) == (low, high)
        assert low <= r.central <= high
        assert "PRIOR" in r.basis
    assert "S_FORTNA04" in DURABILITY_DEFAULTS["p5_bare"].basis
    assert "S_FORTNA03" in DURABILITY_DEFAULTS["hr_dmz"].basis
    assert "S_FORTNA_PK" in DURABILITY_DEFAULTS["hr_peacekeepers"].basis


def test_run_durability_central_and_reproducible() -> None:
    run = run_durability({"dmz", "peacekeepers"}, n_draws=1000, rng=np.random.default_rng(42))
    again = run_durability({"peacekeepers", "dmz"}, n_draws=1000, rng=np.random.default_rng(42))
    assert isinstance(run, DurabilityRun)
    assert run.central.p_breakdown_5y == pytest.approx(1 - 0.55**0.25, abs=1e-12)
    assert run.central.hazard_ratio == pytest.approx(0.25)
    assert set(run.summary) == set(DURABILITY_OUTPUTS)
    assert run.summary == again.summary
    np.testing.assert_array_equal(run.draws.p_breakdown_5y, again.draws.p_breakdown_5y)
    for name in DURABILITY_OUTPUTS:
        s = run.summary[name]
        assert s["p05"] <= s["median"] <= s["p95"]
    p = run.summary
    assert (
        p["p_breakdown_1y"]["median"]
        < p["p_breakdown_2y"]["median"]
        < p["p_breakdown_5y"]["median"]
    )


def test_run_durability_common_random_numbers_across_proposals() -> None:
    bare = run_durability(set(), n_draws=500, rng=np.random.default_rng(1))
    strong = run_durability(
        {"monitoring", "dmz", "peacekeepers"}, n_draws=500, rng=np.random.default_rng(1)
    )
    assert bare.central.p_breakdown_5y == pytest.approx(0.45)
    assert np.all(bare.draws.hazard_ratio == 1.0)
    assert np.all(strong.draws.p_breakdown_5y <= bare.draws.p_breakdown_5y)
    lo, hi = DURABILITY_DEFAULTS["p5_bare"].low, DURABILITY_DEFAULTS["p5_bare"].high
    assert np.all(
        (bare.draws.p_breakdown_5y >= lo - 1e-12) & (bare.draws.p_breakdown_5y <= hi + 1e-12)
    )


def test_run_durability_triangular_and_missing_ranges() -> None:
    run = run_durability(
        {"monitoring"}, n_draws=200, rng=np.random.default_rng(3), distribution="triangular"
    )
    assert run.draws.p_breakdown_5y.shape == (200,)
    ranges = dict(DURABILITY_DEFAULTS)
    del ranges["k"]
    with pytest.raises(ValueError, match="k"):
        run_durability(set(), ranges, rng=np.random.default_rng(0))


def test_vectorised_durability_matches_scalar_loop() -> None:
    rng = np.random.default_rng(99)
    n = 200
    present = rng.random((n, 6)) < 0.5
    hr = rng.uniform(0.2, 1.0, (n, 6))
    k = rng.uniform(0.5, 0.9, n)
    p5 = rng.uniform(0.35, 0.55, n)
    floor = rng.uniform(0.0, 0.3, n)
    res = durability(present, k, p5, hr, floor)
    for i in range(n):
        eta = 5 / (-math.log(1 - p5[i])) ** (1 / k[i])
        prod = 1.0
        for m in range(6):
            if present[i, m]:
                prod *= hr[i, m]
        hz = max(floor[i], prod)
        for t, got in ((1, res.p_breakdown_1y), (2, res.p_breakdown_2y), (5, res.p_breakdown_5y)):
            assert got[i] == pytest.approx(1 - math.exp(-((t / eta) ** k[i]) * hz), abs=1e-12)
        assert res.expected_years[i] == pytest.approx(
            eta * hz ** (-1 / k[i]) * math.gamma(1 + 1 / k[i]), rel=1e-12
        )


def test_controls_multiply_the_hazard_and_leave_the_other_draws_alone() -> None:
    from ceasefire.durability import CONTROL_DEFAULTS

    controls = ("contiguity", "existential_stakes")
    plain = run_durability({"dmz"}, n_draws=300, rng=np.random.default_rng(4))
    ctrl = run_durability({"dmz"}, n_draws=300, rng=np.random.default_rng(4), controls=controls)
    hr_c = CONTROL_DEFAULTS["contiguity"].central * CONTROL_DEFAULTS["existential_stakes"].central
    assert ctrl.central.hazard_ratio == pytest.approx(plain.central.hazard_ratio * hr_c)
    # the controls are drawn after every other parameter: the mechanisms' draws are unchanged
    np.testing.assert_array_equal(ctrl.parameters["hr_dmz"], plain.parameters["hr_dmz"])
    ratio = ctrl.draws.hazard_ratio / plain.draws.hazard_ratio
    lo = CONTROL_DEFAULTS["contiguity"].low * CONTROL_DEFAULTS["existential_stakes"].low
    hi = CONTROL_DEFAULTS["contiguity"].high * CONTROL_DEFAULTS["existential_stakes"].high
    assert np.all((ratio >= lo - 1e-12) & (ratio <= hi + 1e-12))
    assert np.all(ctrl.draws.p_breakdown_5y >= plain.draws.p_breakdown_5y - 1e-12)
