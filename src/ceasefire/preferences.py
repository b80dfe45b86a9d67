"""Utilities, red lines and acceptance (``docs/specs/preferences.md``).

One utility function serves acceptance, veto players, the win-set and rescues:

    w_id   = s_id / Σ_d s_id                 (all-zero saliences: indifferent, w_i = 0)
    U_i(x) = - Σ_d w_id |x_d - p_id| / 100   ∈ [-1, 0]
    U_i(no deal) = U_i(q) - war_cost_i / 100 if fighting continues, else U_i(q)

Actor ``i`` accepts ``x`` iff ``x`` respects all of ``i``'s red lines and
``U_i(x) >= U_i(no deal)`` (ties accept); the margin is ``U_i(x) - U_i(no deal)``.
Everything is vectorised. :func:`accept` is the one batched kernel of the acceptance stage:
a single run calls it with a batch of one (:func:`acceptance`), a sweep with its draws
(``uncertainty/pipeline.evaluate``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ceasefire._types import BoolArray, FloatArray
from ceasefire.scenario import SCALE_MAX, SCALE_MIN, Scenario

# Ties accept (spec "Acceptance"); sums of weighted distances carry rounding error of a few
# ulps, which must not turn an exact tie into a rejection. The institutions stage compares its
# weighted vote shares with a threshold with the same allowance. (The win-set's LPs use a
# looser one, ``winset.TOL``, for solver round-off.)
TIE_TOLERANCE = 1e-12


def normalised_weights(saliences: FloatArray) -> FloatArray:
    """``w_id = s_id / Σ_d s_id`` over the last axis; rows with all-zero salience stay zero."""
    s = np.asarray(saliences, dtype=np.float64)
    total = s.sum(axis=-1, keepdims=True)
    safe = np.where(total > 0, total, 1.0)
    out: FloatArray = np.where(total > 0, s / safe, 0.0)
    return out


def utility(points: FloatArray, ideal: FloatArray, weights: FloatArray) -> FloatArray:
    """``U_i(x) = -Σ_d w_id |x_d - p_id| / 100`` for points ``(..., D)`` and actors ``(n, D)``.

    Returns an array of shape ``(..., n)``. ``ideal`` and ``weights`` may carry leading batch
    axes that broadcast against ``points[..., None, :]`` (see :func:`accept`).
    """
    x = np.asarray(points, dtype=np.float64)[..., None, :]
    out: FloatArray = -(np.abs(x - ideal) * weights).sum(axis=-1) / 100.0
    return out


@dataclass(frozen=True)
class Preferences:
    """The arrays of the preferences stage, in scenario order (actors x dimensions).

    ideal, salience, weights: (n, D); war_cost: (n,); lower, upper: (n, D) red-line bounds
    (0 and 100 where an actor has none); status_quo: (D,); fighting: whether fighting continues
    without a deal.
    """

    actor_ids: tuple[str, ...]
    dimension_ids: tuple[str, ...]
    ideal: FloatArray
    salience: FloatArray
    weights: FloatArray
    war_cost: FloatArray
    lower: FloatArray
    upper: FloatArray
    status_quo: FloatArray
    fighting: bool

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> Preferences:
        dims = scenario.dimension_ids
        index = {d: j for j, d in enumerate(dims)}
        n, d = len(scenario.actors), len(dims)
        ideal = np.array([[a.position[k] for k in dims] for a in scenario.actors], dtype=float)
        sal = np.array([[a.salience[k] for k in dims] for a in scenario.actors], dtype=float)
        lower = np.full((n, d), SCALE_MIN)
        upper = np.full((n, d), SCALE_MAX)
        for i, a in enumerate(scenario.actors):
            for rl in a.parsed_red_lines:
                j = index[rl.dimension]
                if rl.op == ">=":
                    lower[i, j] = max(lower[i, j], rl.bound)
                else:
                    upper[i, j] = min(upper[i, j], rl.bound)
        return cls(
            actor_ids=scenario.actor_ids,
            dimension_ids=dims,
            ideal=ideal,
            salience=sal,
            weights=normalised_weights(sal),
            war_cost=np.array([a.war_cost for a in scenario.actors], dtype=float),
            lower=lower,
            upper=upper,
            status_quo=np.array([scenario.status_quo.position[k] for k in dims], dtype=float),
            fighting=scenario.status_quo.fighting,
        )

    def utility(self, points: FloatArray) -> FloatArray:
        """``U_i(x)`` for points ``(..., D)``: shape ``(..., n)``."""
        return utility(points, self.ideal, self.weights)

    def no_deal(self) -> FloatArray:
        """``U_i(no deal)``, shape ``(n,)`` (:func:`no_deal_utility`)."""
        return no_deal_utility(
            self.status_quo, self.ideal, self.weights, self.war_cost, self.fighting
        )

    def red_line_excess(self, points: FloatArray) -> FloatArray:
        """How far each point lies beyond each actor's red lines, ``(..., n, D)`` (0 inside)."""
        x = np.asarray(points, dtype=np.float64)[..., None, :]
        out: FloatArray = np.maximum(self.lower - x, 0.0) + np.maximum(x - self.upper, 0.0)
        return out


def no_deal_utility(
    status_quo: FloatArray,
    ideal: FloatArray,
    weights: FloatArray,
    war_cost: FloatArray,
    fighting: bool,
) -> FloatArray:
    """``U_i(no deal) = U_i(q) - war_cost_i / 100`` if fighting continues, else ``U_i(q)``.

    ``ideal`` and ``weights`` ``(..., n, D)``, ``war_cost`` ``(..., n)``; returns ``(..., n)``.
    """
    u_q = utility(status_quo, ideal, weights)
    out: FloatArray = u_q - war_cost / 100.0 if fighting else u_q
    return out


@dataclass(frozen=True)
class Acceptance:
    """Acceptance of points ``P`` by actors ``n``: arrays ``(..., P, n)`` (``...``: the batch).

    ``red_line_excess`` is ``(..., P, n, D)``: how far each point lies beyond each red line.
    """

    utility: FloatArray
    no_deal: FloatArray  # (..., n)
    margin: FloatArray
    respects_red_lines: BoolArray
    accepts: BoolArray
    red_line_excess: FloatArray


def accept(
    points: FloatArray,
    ideal: FloatArray,
    weights: FloatArray,
    no_deal: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
) -> Acceptance:
    """Each actor's acceptance of each point (spec "Acceptance"; ties accept), batched.

    ``points`` ``(P, D)``; ``ideal``, ``weights``, ``lower``, ``upper`` ``(..., n, D)``;
    ``no_deal`` ``(..., n)``. ``i`` accepts ``x`` iff ``lower_i <= x <= upper_i`` on every
    dimension and ``U_i(x) - U_i(no deal) >= -TIE_TOLERANCE``.
    """
    x = np.asarray(points, dtype=np.float64)
    # broadcast points (P, 1, D) against actors (..., 1, n, D): results (..., P, n)
    u = utility(x, ideal[..., None, :, :], weights[..., None, :, :])
    margin = u - no_deal[..., None, :]
    xe = x[:, None, :]
    excess: FloatArray = np.maximum(lower[..., None, :, :] - xe, 0.0) + np.maximum(
        xe - upper[..., None, :, :], 0.0
    )
    respects: BoolArray = np.asarray(~(excess > 0).any(axis=-1), dtype=bool)
    return Acceptance(
        utility=u,
        no_deal=no_deal,
        margin=margin,
        respects_red_lines=respects,
        accepts=respects & (margin >= -TIE_TOLERANCE),
        red_line_excess=excess,
    )


def acceptance(prefs: Preferences, points: FloatArray) -> Acceptance:
    """Each actor's acceptance of points ``(P, D)``: :func:`accept` on a batch of one.

    Arrays ``(P, n)``; ``no_deal`` ``(n,)``.
    """
    pts = np.atleast_2d(np.asarray(points, dtype=np.float64))
    batch = accept(
        pts,
        prefs.ideal[None],
        prefs.weights[None],
        prefs.no_deal()[None],
        prefs.lower[None],
        prefs.upper[None],
    )
    return Acceptance(
        utility=batch.utility[0],
        no_deal=batch.no_deal[0],
        margin=batch.margin[0],
        respects_red_lines=batch.respects_red_lines[0],
        accepts=batch.accepts[0],
        red_line_excess=batch.red_line_excess[0],
    )
