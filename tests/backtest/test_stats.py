"""The backtest statistics against values computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from ceasefire.backtest import stats


def test_absolute_errors_mae_and_median() -> None:
    e = stats.absolute_errors(np.array([10.0, 50.0, 0.0, 90.0]), np.array([9.0, 48.0, 3.0, 100.0]))
    assert e.tolist() == [1.0, 2.0, 3.0, 10.0]
    assert stats.mae(e) == 4.0  # (1 + 2 + 3 + 10) / 4
    assert stats.median_ae(e) == 2.5  # mean of the middle pair 2 and 3
    assert stats.median_ae(np.array([7.0, 1.0, 4.0])) == 4.0
    assert stats.mae(np.array([])) is None and stats.median_ae(np.array([])) is None


def test_beats_and_ties_shares() -> None:
    model, base = np.array([1.0, 5.0, 3.0]), np.array([2.0, 5.0, 1.0])
    assert stats.beats_share(model, base) == pytest.approx(1 / 3)  # only 1 < 2; the tie is no win
    assert stats.ties_share(model, base) == pytest.approx(1 / 3)
    assert stats.beats_share(np.array([]), np.array([])) is None


def test_bootstrap_of_a_constant_difference_is_that_constant() -> None:
    got = stats.bootstrap_mae_difference(
        np.array([3.0, 5.0, 9.0]), np.array([1.0, 3.0, 7.0]), np.random.default_rng(1)
    )
    assert got == (2.0, 2.0, 2.0)


def test_bootstrap_of_two_issues_spans_their_differences() -> None:
    """d = (0, 2): resampled means are 0, 1, 2 with probabilities 1/4, 1/2, 1/4, so the 2.5%
    and 97.5% quantiles of 2000 replicates are 0 and 2; the estimate is the mean, 1."""
    est, low, high = stats.bootstrap_mae_difference(
        np.array([5.0, 7.0]), np.array([5.0, 5.0]), np.random.default_rng(7), draws=2000
    ) or (None, None, None)
    assert (est, low, high) == (1.0, 0.0, 2.0)


def test_bootstrap_is_reproducible_from_its_seed() -> None:
    rng = np.random.default_rng(3)
    m, b = rng.uniform(0, 50, 40), rng.uniform(0, 50, 40)
    one = stats.bootstrap_mae_difference(m, b, np.random.default_rng(11))
    two = stats.bootstrap_mae_difference(m, b, np.random.default_rng(11))
    assert one == two and one is not None and one[1] < one[0] < one[2]
    assert stats.bootstrap_mae_difference(np.array([]), np.array([]), rng) is None


def test_weighted_mean_and_median_position() -> None:
    assert stats.weighted_mean(np.array([0.0, 100.0]), np.array([1.0, 3.0])) == 75.0
    assert stats.weighted_mean(np.array([10.0, 20.0]), np.array([0.0, 0.0])) is None
    assert stats.median_position(np.array([0.0, 100.0, 50.0, 20.0])) == 35.0  # (20 + 50) / 2
    assert stats.median_position(np.array([])) is None
