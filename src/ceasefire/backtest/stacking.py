"""A combined forecast: a stacking of the engines and baselines, fitted out of sample
(issue 16, part 5).

The combined forecast of an issue is ``sum_k w_k f_k`` over the forecasters ``k`` (every
engine variant and baseline of the backtest), ``w >= 0``, ``sum_k w_k = 1`` (Breiman 1996,
"Stacked regressions", Machine Learning 24: non-negative weights; here also summing to 1, so the
combination stays on the 0-100 scale). The weights minimise the mean absolute error on the
training issues, the backtest's own score: a linear programme (``min sum_i t_i`` s.t.
``t_i >= +-(F_i w - y_i)``), solved with HiGHS (``scipy.optimize.linprog``).

Where a forecaster gives no forecast on an issue (nash without a reference point, a refusal)
its value there is the salience-weighted mean's, so that every issue keeps every forecaster.

Out of sample: ``FOLDS``-fold cross-validation with folds by legislative proposal (never by
issue within a proposal: issues of one proposal share actors and bargaining, so splitting them
would leak); proposals are shuffled with the seed and dealt round-robin into folds. Each fold's
issues are forecast with weights fitted on the other folds. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linprog

FloatArray = NDArray[np.float64]

FOLDS = 10


def fit_weights(f: FloatArray, y: FloatArray) -> FloatArray:
    """Weights ``w`` (k,) on the simplex minimising ``sum_i |f_i . w - y_i|``; f (m, k)."""
    m, k = f.shape
    # variables: w (k), t (m); minimise sum t
    c = np.concatenate([np.zeros(k), np.ones(m)])
    eye = np.eye(m)
    a_ub = np.block([[f, -eye], [-f, -eye]])
    b_ub = np.concatenate([y, -y])
    a_eq = np.concatenate([np.ones(k), np.zeros(m)])[None, :]
    res = linprog(
        c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0],
        bounds=[(0.0, None)] * (k + m), method="highs",
    )  # fmt: skip
    if res.status != 0:
        raise ValueError(f"stacking LP failed: {res.message}")
    w: FloatArray = np.clip(np.asarray(res.x[:k], dtype=np.float64), 0.0, None)
    out: FloatArray = w / w.sum()
    return out


def folds_by_group(groups: Sequence[str], folds: int, seed: int) -> NDArray[np.int64]:
    """Fold index (m,) of every issue: its group's, groups shuffled with ``seed`` and dealt
    round-robin into ``min(folds, number of groups)`` folds."""
    names = sorted(set(groups))
    order = np.random.default_rng(seed).permutation(len(names))
    k = max(1, min(folds, len(names)))
    fold_of = {names[j]: pos % k for pos, j in enumerate(order)}
    return np.array([fold_of[g] for g in groups], dtype=np.int64)


@dataclass(frozen=True)
class Stack:
    """Out-of-fold combined forecasts and the weights behind them."""

    labels: tuple[str, ...]
    oof: FloatArray  # (m,) each issue forecast by weights fitted without its fold
    fold: NDArray[np.int64]  # (m,)
    fold_weights: FloatArray  # (folds, k)
    weights: FloatArray  # (k,) fitted on every issue (what would be shipped)


def cross_validate(
    f: FloatArray, y: FloatArray, groups: Sequence[str], labels: Sequence[str], *,
    folds: int = FOLDS, seed: int = 0,
) -> Stack:  # fmt: skip
    """:func:`fit_weights` out of sample, folds by ``groups`` (module docstring)."""
    fold = folds_by_group(groups, folds, seed)
    k = int(fold.max()) + 1
    oof = np.full(y.shape, np.nan)
    fw = np.zeros((k, f.shape[1]))
    for j in range(k):
        test = fold == j
        if k == 1:  # one group only: nothing to hold out against
            break
        fw[j] = fit_weights(f[~test], y[~test])
        oof[test] = f[test] @ fw[j]
    return Stack(tuple(labels), oof, fold, fw, fit_weights(f, y))
