"""Achen's compromise model: the capability-and-salience weighted mean (or median).

Spec: ``docs/specs/bargaining.md``, section "compromise — the weighted mean (and median)".

For every batch element ``b`` and dimension ``d`` the weights are ``w_id = c_i * s_id``
(capability times salience) and

* variant ``mean``:   ``outcome_d = sum_i w_id x_id / sum_i w_id``;
* variant ``median``: the weighted median of ``x_id`` with weights ``w_id``, defined by the spec as
  the smallest position at which the cumulative weight (positions sorted ascending) reaches half
  the total weight.

If ``sum_i w_id == 0`` (nobody cares about ``d``) the outcome on ``d`` is the status quo ``q_d``.

Choices where the spec is silent:

* "Reaches half the total" is tested as ``cumsum >= 0.5 * total`` where ``total`` is the last
  element of the same cumulative sum (so rounding in the sum cannot make the test unreachable).
  Actors sharing a position are summed before the comparison, so their order does not matter.
* Saliences are used on the 0-100 scale of the problem as they come; both statistics are
  invariant to a common scaling of the weights, so the scale does not matter here.
* The engine has no rounds: ``rounds`` is 0 and ``trajectory`` is the input positions as the
  only row, shape ``(B, 1, n, D)``, so that every engine reports a trajectory.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ceasefire.bargaining.base import Capabilities, FloatArray, Forecast, Problem

VERSION = "1"
VARIANTS = ("mean", "median")


def weighted_mean(x: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Weighted mean over axis 1 of ``(B, n, D)`` arrays; returns ``(mean, total_weight)``.

    Where the total weight is zero the mean is returned as 0 (callers replace it).
    """
    total = w.sum(axis=1)
    num = (w * x).sum(axis=1)
    safe = np.where(total > 0, total, 1.0)
    return np.where(total > 0, num / safe, 0.0), total


def weighted_median(x: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Lower weighted median over axis 1 of ``(B, n, D)`` arrays; returns ``(median, total)``.

    The smallest ``x`` at which the cumulative weight of the ascending-sorted positions reaches
    half the total (``docs/specs/bargaining.md``, compromise, variant ``median``). Where the total
    weight is zero the returned value is meaningless (callers replace it).
    """
    order = np.argsort(x, axis=1, kind="stable")
    xs = np.take_along_axis(x, order, axis=1)
    ws = np.take_along_axis(w, order, axis=1)
    cum = np.cumsum(ws, axis=1)
    total = cum[:, -1, :]
    reached = cum >= 0.5 * total[:, None, :]
    idx = np.argmax(reached, axis=1)  # first True; always exists since cum[-1] == total
    med = np.take_along_axis(xs, idx[:, None, :], axis=1)[:, 0, :]
    return med, total


def forecast(
    problem: Problem,
    rng: np.random.Generator,
    variant: str = "mean",
    **params: Any,
) -> Forecast:
    """Achen's compromise outcome for every batch element.

    (``docs/specs/bargaining.md``, compromise.)

    Deterministic: ``rng`` is accepted for the protocol and not used.
    Returns ``outcome`` (B, D), ``rounds`` zeros (B,), ``trajectory`` (B, 1, n, D) = the input
    positions; ``extras["total_weight"]`` (B, D) is ``sum_i c_i s_id`` (0 where the status quo
    was used).
    """
    if params:
        raise TypeError(f"compromise: unknown parameters {sorted(params)}")
    if variant not in VARIANTS:
        raise ValueError(f"compromise: variant must be one of {VARIANTS}, got {variant!r}")
    x = problem.positions
    w = problem.capability[:, :, None] * problem.saliences
    if variant == "mean":
        stat, total = weighted_mean(x, w)
    else:
        stat, total = weighted_median(x, w)
    outcome = np.where(total > 0, stat, problem.status_quo)
    b = x.shape[0]
    return Forecast(
        outcome=outcome,
        rounds=np.zeros(b, dtype=np.int64),
        method="compromise",
        variant=variant,
        params={"variant": variant},
        version=VERSION,
        trajectory=x[:, None, :, :].copy(),
        extras={"total_weight": total},
    )


# What the pipeline reads (``base.Capabilities``):
# closed form: no rounds, no per-round path, no note.
CAPABILITIES = Capabilities()
