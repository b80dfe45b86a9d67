"""BDM's stopping rule (docs/specs/bdm.md §8.1): settled, cycle or unsettled, and the median's
range over rounds T-2..T+2. Expected values are read off the spec's golden tables (§13)."""

from __future__ import annotations

import numpy as np
import pytest

from ceasefire.bargaining import bdm
from ceasefire.bargaining.base import Problem

RNG = np.random.default_rng(0)


def one_issue(case) -> Problem:
    return Problem.single(
        case["position"][:, None],
        case["salience"][:, None] * 100.0,
        case["capability"],
        [50.0],
    )


def test_ec10_unsettled_range_from_the_golden_table(ec10):
    """§13.1 medians of rounds 6..10: 7.472046, 8.824594, 9.671130, 9.671130, 7.000000."""
    f = bdm.forecast(one_issue(ec10), RNG, rounds=8)
    assert f.outcome[0, 0] == pytest.approx(9.671130, abs=1e-6)  # round 8 of the table
    assert f.extras["status"][0, 0] == bdm.STATUS_UNSETTLED
    assert f.extras["round_low"][0, 0] == pytest.approx(7.0, abs=1e-9)
    assert f.extras["round_high"][0, 0] == pytest.approx(9.671130, abs=1e-6)
    assert f.extras["cycle_period"][0, 0] == 0
    assert "not settled" in bdm.CAPABILITIES.note_of(f)
    # the reported rounds are still 0..T (golden reproduction unchanged)
    assert f.trajectory is not None and f.trajectory.shape[1] == 9


def test_sultan_settled(sultan):
    """§13.4: nothing moves, so the median is 13.9 in every round of the window."""
    f = bdm.forecast(one_issue(sultan), RNG, rounds=10)
    assert f.extras["status"][0, 0] == bdm.STATUS_SETTLED
    assert f.extras["round_low"][0, 0] == pytest.approx(13.9)
    assert f.extras["round_high"][0, 0] == pytest.approx(13.9)
    assert bdm.CAPABILITIES.note_of(f) == ""


def test_round_zero_window_is_clipped(ec10):
    """T = 0: the window is rounds 0..2 (7.0, 8.415932, 9.610859 in §13.1)."""
    f = bdm.forecast(one_issue(ec10), RNG, rounds=0)
    assert f.extras["round_low"][0, 0] == pytest.approx(7.0)
    assert f.extras["round_high"][0, 0] == pytest.approx(9.610859, abs=1e-6)


def test_classifier_on_hand_made_paths():
    """Three runs of 2 actors over rounds 0..4 (T = 2): a 2-cycle, a settled median with
    moving actors, and a drift."""
    pos = np.array(
        [
            [[0, 10], [10, 0], [0, 10], [10, 0], [0, 10]],  # state of round 4 = round 2
            [[0, 10], [1, 10], [2, 10], [3, 10], [4, 10]],
            [[0, 10], [1, 10], [2, 10], [3, 10], [4, 10]],
        ],
        dtype=float,
    )
    med = np.array([[0, 10, 0, 10, 0], [5, 5, 5, 5, 5], [0, 1, 2, 3, 4]], dtype=float)
    st = bdm.stability(pos, med, rounds=2)
    np.testing.assert_array_equal(
        st.status, [bdm.STATUS_CYCLE, bdm.STATUS_SETTLED, bdm.STATUS_UNSETTLED]
    )
    np.testing.assert_array_equal(st.period, [2, 0, 0])
    np.testing.assert_array_equal(st.low, [0, 5, 0])
    np.testing.assert_array_equal(st.high, [10, 5, 4])


def test_per_dimension_status_and_note_takes_the_worst(ec10, sultan):
    """Two dimensions in one problem: EC-10 (unsettled) and Sultan-like (settled)."""
    n = 10
    pos = np.stack([ec10["position"], np.full(n, 30.0)], axis=1)
    sal = np.stack([ec10["salience"], ec10["salience"]], axis=1) * 100.0
    f = bdm.forecast(Problem.single(pos, sal, ec10["capability"], [50.0, 50.0]), RNG, rounds=8)
    np.testing.assert_array_equal(f.extras["status"][0], [bdm.STATUS_UNSETTLED, bdm.STATUS_SETTLED])
    assert f.extras["stability"][0] == bdm.STATUS_UNSETTLED
