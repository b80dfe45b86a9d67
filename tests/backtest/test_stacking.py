"""The combined forecast (issue 16, part 5): stacking weights by least absolute error,
cross-validated with folds by legislative proposal."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire.backtest import runner, stacking
from ceasefire.backtest.deu import parse
from tests.backtest.synth import random_table


def test_a_perfect_forecaster_takes_all_the_weight():
    y = np.array([0.0, 10.0, 20.0, 70.0])
    f = np.stack([y, np.full(4, 50.0)], axis=1)
    np.testing.assert_allclose(stacking.fit_weights(f, y), [1.0, 0.0], atol=1e-9)


def test_two_biased_forecasters_average_out():
    """f1 = y + 6, f2 = y - 6: the error of w f1 + (1 - w) f2 is |12 w - 6|, zero at w = 1/2."""
    y = np.array([5.0, 40.0, 90.0])
    f = np.stack([y + 6.0, y - 6.0], axis=1)
    np.testing.assert_allclose(stacking.fit_weights(f, y), [0.5, 0.5], atol=1e-9)


@settings(deadline=None, max_examples=30)
@given(st.lists(st.integers(0, 7), min_size=2, max_size=40), st.integers(1, 5))
def test_folds_never_split_a_proposal(groups, folds):
    names = [f"p{g}" for g in groups]
    fold = stacking.folds_by_group(names, folds, seed=3)
    for g in set(names):
        assert len({int(fold[i]) for i, n in enumerate(names) if n == g}) == 1
    assert int(fold.max()) + 1 == min(folds, len(set(names)))


def test_out_of_fold_forecasts_do_not_see_their_fold():
    rng = np.random.default_rng(0)
    groups = [f"p{k // 2}" for k in range(40)]
    f = rng.uniform(0, 100, (40, 3))
    y = rng.uniform(0, 100, 40)
    a = stacking.cross_validate(f, y, groups, ["a", "b", "c"], folds=5, seed=1)
    test = a.fold == 0
    y2 = y.copy()
    y2[test] = 100.0 - y2[test]  # change only fold 0's outcomes
    b = stacking.cross_validate(f, y2, groups, ["a", "b", "c"], folds=5, seed=1)
    np.testing.assert_allclose(a.oof[test], b.oof[test])
    assert np.allclose(a.fold_weights.sum(axis=1), 1.0)


def test_backtest_lists_the_combined_forecast_beside_every_forecaster():
    data = parse(random_table(60, seed=2), "synth.csv")
    res = runner.backtest(data, source="s", sha256="0" * 64, capability="equal", seed=1, draws=50)
    labels = [r.label for r in res.records]
    assert labels[-1] == runner.COMBINED
    rec = res.records[-1]
    assert rec.kind == "combined" and rec.overall.n == res.scored and rec.difference is not None
    assert res.stacking is not None
    assert sum(res.stacking.weights.values()) == pytest.approx(1.0)
    assert set(res.stacking.weights) == set(labels[:-1])
    assert res.stacking.proposals == len({i.proposal for i in data.issues if i.outcome is not None})
