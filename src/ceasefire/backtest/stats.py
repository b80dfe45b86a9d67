"""Accuracy statistics of a backtest (pure functions on arrays; no I/O, no global state).

Notation: issue ``i = 1..n``, forecast ``f_i``, observed outcome ``o_i``, absolute error
``e_i = |f_i - o_i|``; a baseline's errors are ``b_i``. Every function takes the errors of the
issues it should use (the caller aligns model and baseline on the same issues).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

BOOTSTRAP_DRAWS = 2000
CONFIDENCE = 0.95


def absolute_errors(forecast: FloatArray, outcome: FloatArray) -> FloatArray:
    """``e_i = |f_i - o_i|``."""
    return np.abs(np.asarray(forecast, dtype=np.float64) - np.asarray(outcome, dtype=np.float64))


def mae(errors: FloatArray) -> float | None:
    """Mean absolute error ``MAE = (1/n) sum_i e_i``; None when ``n = 0``."""
    e = np.asarray(errors, dtype=np.float64)
    return float(e.mean()) if e.size else None


def median_ae(errors: FloatArray) -> float | None:
    """Median absolute error: the middle ``e_(k)`` of the sorted errors (the mean of the two
    middle ones when ``n`` is even); None when ``n = 0``."""
    e = np.asarray(errors, dtype=np.float64)
    return float(np.median(e)) if e.size else None


def beats_share(model: FloatArray, baseline: FloatArray) -> float | None:
    """Share of issues where the model is strictly nearer the outcome than the baseline:
    ``(1/n) sum_i 1[e_i < b_i]`` (ties do not count); None when ``n = 0``."""
    m = np.asarray(model, dtype=np.float64)
    b = np.asarray(baseline, dtype=np.float64)
    return float(np.mean(m < b)) if m.size else None


def ties_share(model: FloatArray, baseline: FloatArray, tol: float = 1e-9) -> float | None:
    """Share of issues where model and baseline are equally near: ``(1/n) sum_i 1[|e_i - b_i|
    <= tol]``; None when ``n = 0``."""
    m = np.asarray(model, dtype=np.float64)
    b = np.asarray(baseline, dtype=np.float64)
    return float(np.mean(np.abs(m - b) <= tol)) if m.size else None


def bootstrap_mae_difference(
    model: FloatArray,
    baseline: FloatArray,
    rng: np.random.Generator,
    draws: int = BOOTSTRAP_DRAWS,
    confidence: float = CONFIDENCE,
) -> tuple[float, float, float] | None:
    """Paired bootstrap of the MAE difference ``Delta = MAE_model - MAE_baseline``.

    ``Delta = (1/n) sum_i d_i`` with ``d_i = e_i - b_i``. Each of ``draws`` replicates draws
    ``n`` issue indices uniformly with replacement (from ``rng``) and takes the mean of their
    ``d``; the interval is the percentile interval of the replicates, the
    ``(1 - confidence)/2`` and ``(1 + confidence)/2`` quantiles (Efron & Tibshirani 1993,
    ch. 13; numpy's linear-interpolation quantile). Negative = the model is more accurate.
    Returns ``(Delta, low, high)``; None when ``n = 0``.
    """
    d = np.asarray(model, dtype=np.float64) - np.asarray(baseline, dtype=np.float64)
    n = d.size
    if n == 0:
        return None
    idx = rng.integers(0, n, size=(draws, n))
    reps = d[idx].mean(axis=1)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(reps, [alpha, 1.0 - alpha])
    return float(d.mean()), float(low), float(high)


def weighted_mean(positions: FloatArray, weights: FloatArray) -> float | None:
    """``sum_a w_a x_a / sum_a w_a`` over the actors given; None when ``sum_a w_a = 0``."""
    x = np.asarray(positions, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    total = float(w.sum())
    return float((w * x).sum() / total) if total > 0 else None


def median_position(positions: FloatArray) -> float | None:
    """The (unweighted) median of the actors' positions (mean of the two middle ones for an
    even count); None without actors."""
    x = np.asarray(positions, dtype=np.float64)
    return float(np.median(x)) if x.size else None
