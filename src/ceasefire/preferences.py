"""Utilities, red lines and acceptance (``docs/specs/preferences.md``).

One utility function serves acceptance, veto players, the win-set and rescues:

    w_id   = s_id / Σ_d s_id                 (all-zero saliences: indifferent, w_i = 0)
    U_i(x) = - Σ_d w_id |x_d - p_id| / 100   ∈ [-1, 0]
    U_i(no deal) = U_i(q) - war_cost_i / 100 if fighting continues, else U_i(q)

A red line is hard (penalty ``π = inf``) or soft (finite ``π_id`` utility per scale point beyond
the bound, ``e_id(x)``); a deal that does not end the fighting (``f_k < 1``) leaves the war's cost
with it:

    V_i(x_k) = U_i(x_k) - Σ_{d soft} π_id e_id(x_k) - (1 - f_k) war_cost_i / 100

Actor ``i`` accepts ``x`` iff ``x`` respects all of ``i``'s hard red lines and
``V_i(x) >= U_i(no deal)`` (ties accept); the margin is ``V_i(x) - U_i(no deal)``.
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
    without a deal; penalty: (n, D) utility per point beyond a soft red line (``inf``: hard or
    none); holds: (n, D) the probability that the red line on the dimension holds.
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
    penalty: FloatArray | None = None
    holds: FloatArray | None = None

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> Preferences:
        dims = scenario.dimension_ids
        index = {d: j for j, d in enumerate(dims)}
        n, d = len(scenario.actors), len(dims)
        ideal = np.array([[a.position[k] for k in dims] for a in scenario.actors], dtype=float)
        sal = np.array([[a.salience[k] for k in dims] for a in scenario.actors], dtype=float)
        lower = np.full((n, d), SCALE_MIN)
        upper = np.full((n, d), SCALE_MAX)
        penalty = np.full((n, d), np.inf)
        holds = np.ones((n, d))
        for i, a in enumerate(scenario.actors):
            for rl in a.parsed_red_lines:
                j = index[rl.dimension]
                if rl.op == ">=":
                    lower[i, j] = max(lower[i, j], rl.bound)
                else:
                    upper[i, j] = min(upper[i, j], rl.bound)
                # one kind per actor and dimension (checks.py): the terms are keyed by dimension
                penalty[i, j], holds[i, j] = rl.penalty, rl.probability
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
            penalty=penalty,
            holds=holds,
        )

    @property
    def soft(self) -> BoolArray:
        """Where a red line is soft (finite penalty), ``(n, D)``."""
        pen = self.penalty if self.penalty is not None else np.full(self.ideal.shape, np.inf)
        out: BoolArray = np.isfinite(pen)
        return out

    def hard_bounds(self) -> tuple[FloatArray, FloatArray]:
        """``lower``, ``upper`` with soft red lines removed (the LP's hard half-spaces)."""
        soft = self.soft
        return np.where(soft, SCALE_MIN, self.lower), np.where(soft, SCALE_MAX, self.upper)

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

    ``red_line_excess`` is ``(..., P, n, D)``: how far each point lies beyond each red line;
    ``respects_red_lines``: no hard red line crossed (a soft one is priced into ``margin``).
    """

    utility: FloatArray
    no_deal: FloatArray  # (..., n)
    margin: FloatArray
    respects_red_lines: BoolArray
    accepts: BoolArray
    red_line_excess: FloatArray
    #: utility lost to soft red lines crossed, ``(..., P, n)``
    soft_penalty: FloatArray | None = None
    #: utility lost because the war goes on after the deal, ``(..., P, n)``
    war_after: FloatArray | None = None


def soft_penalty(excess: FloatArray, penalty: FloatArray | None) -> tuple[FloatArray, BoolArray]:
    """``Σ_d π_id e_id`` over soft lines and whether every hard line is respected.

    ``excess`` ``(..., n, D)`` scale points beyond each red line; ``penalty`` broadcastable to
    it (``inf``: hard). A hard line crossed by any amount rejects; an infinite penalty is
    never multiplied (``inf * 0`` would be NaN).
    """
    if penalty is None:
        hard_ok: BoolArray = np.asarray(~(excess > 0).any(axis=-1), dtype=bool)
        return np.zeros(excess.shape[:-1]), hard_ok
    soft = np.isfinite(penalty)
    cost: FloatArray = np.where(soft, np.where(soft, penalty, 0.0) * excess, 0.0).sum(axis=-1)
    hard_ok = np.asarray(~((excess > 0) & ~soft).any(axis=-1), dtype=bool)
    return cost, hard_ok


def war_after(war_cost: FloatArray, ends: FloatArray | None, fighting: bool) -> FloatArray:
    """``(1 - f_k) war_cost_i / 100``, ``(..., P, n)``: the war a deal leaves going on.

    ``war_cost`` ``(..., n)``; ``ends`` ``(P,)`` the extent ``f_k ∈ [0, 1]`` to which proposal
    ``k`` ends the fighting (``institutions.ends_fighting``); none when no war is going on.
    """
    wc = np.asarray(war_cost, dtype=np.float64)
    if ends is None or not fighting:
        return np.zeros((*wc.shape[:-1], 1, wc.shape[-1]))
    f = np.asarray(ends, dtype=np.float64)
    out: FloatArray = (1.0 - f)[:, None] * wc[..., None, :] / 100.0
    return out


def accept(
    points: FloatArray,
    ideal: FloatArray,
    weights: FloatArray,
    no_deal: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    *,
    penalty: FloatArray | None = None,
    war_left: FloatArray | None = None,
) -> Acceptance:
    """Each actor's acceptance of each point (spec "Acceptance"; ties accept), batched.

    ``points`` ``(P, D)``; ``ideal``, ``weights``, ``lower``, ``upper``, ``penalty`` (``inf``:
    hard) ``(..., n, D)``; ``no_deal`` ``(..., n)``; ``war_left`` ``(..., P, n)`` from
    :func:`war_after`. ``i`` accepts ``x`` iff it respects every hard red line and
    ``U_i(x) - Σ_soft π_id e_id(x) - war_left - U_i(no deal) >= -TIE_TOLERANCE``.
    """
    x = np.asarray(points, dtype=np.float64)
    # broadcast points (P, 1, D) against actors (..., 1, n, D): results (..., P, n)
    u = utility(x, ideal[..., None, :, :], weights[..., None, :, :])
    xe = x[:, None, :]
    excess: FloatArray = np.maximum(lower[..., None, :, :] - xe, 0.0) + np.maximum(
        xe - upper[..., None, :, :], 0.0
    )
    pen, hard_ok = soft_penalty(excess, None if penalty is None else penalty[..., None, :, :])
    left = np.zeros_like(u) if war_left is None else np.broadcast_to(war_left, u.shape)
    margin = u - pen - left - no_deal[..., None, :]
    # respects_red_lines: no HARD line crossed; a soft line crossed is priced into the margin
    return Acceptance(
        utility=u,
        no_deal=no_deal,
        margin=margin,
        respects_red_lines=hard_ok,
        accepts=hard_ok & (margin >= -TIE_TOLERANCE),
        red_line_excess=excess,
        soft_penalty=pen,
        war_after=np.asarray(left, dtype=np.float64),
    )


def acceptance(
    prefs: Preferences, points: FloatArray, ends: FloatArray | None = None
) -> Acceptance:
    """Each actor's acceptance of points ``(P, D)``: :func:`accept` on a batch of one.

    ``ends`` ``(P,)``: how far each point ends the fighting (default: fully, the old rule).
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
        penalty=None if prefs.penalty is None else prefs.penalty[None],
        war_left=war_after(prefs.war_cost[None], ends, prefs.fighting),
    )
    assert batch.soft_penalty is not None and batch.war_after is not None
    return Acceptance(
        utility=batch.utility[0],
        no_deal=batch.no_deal[0],
        margin=batch.margin[0],
        respects_red_lines=batch.respects_red_lines[0],
        accepts=batch.accepts[0],
        red_line_excess=batch.red_line_excess[0],
        soft_penalty=batch.soft_penalty[0],
        war_after=batch.war_after[0],
    )
