"""Utilities, red lines and acceptance (``specs/preferences.md``).

One utility function serves acceptance, veto players, the win-set and rescues:

    w_id   = s_id / Σ_d s_id                 (all-zero saliences: indifferent, w_i = 0)
    U_i(x) = - Σ_d w_id |x_d - p_id| / 100   ∈ [-1, 0]
    U_i(no deal) = U_i(q) - war_cost_i / 100 if fighting continues, else U_i(q)

Actor ``i`` accepts ``x`` iff ``x`` respects all of ``i``'s red lines and
``U_i(x) >= U_i(no deal)`` (ties accept); the margin is ``U_i(x) - U_i(no deal)``.
Everything is vectorised: points of shape ``(..., D)`` against ``n`` actors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ceasefire.scenario import SCALE_MAX, SCALE_MIN, Scenario

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]

# Ties accept (spec "Acceptance"); sums of weighted distances carry rounding error of a few
# ulps, which must not turn an exact tie into a rejection.
TIE_TOLERANCE = 1e-12


def normalised_weights(saliences: Floats) -> Floats:
    """``w_id = s_id / Σ_d s_id`` over the last axis; rows with all-zero salience stay zero."""
    s = np.asarray(saliences, dtype=np.float64)
    total = s.sum(axis=-1, keepdims=True)
    safe = np.where(total > 0, total, 1.0)
    out: Floats = np.where(total > 0, s / safe, 0.0)
    return out


def utility(points: Floats, ideal: Floats, weights: Floats) -> Floats:
    """``U_i(x) = -Σ_d w_id |x_d - p_id| / 100`` for points ``(..., D)`` and actors ``(n, D)``.

    Returns an array of shape ``(..., n)``.
    """
    x = np.asarray(points, dtype=np.float64)[..., None, :]
    out: Floats = -(np.abs(x - ideal) * weights).sum(axis=-1) / 100.0
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
    ideal: Floats
    salience: Floats
    weights: Floats
    war_cost: Floats
    lower: Floats
    upper: Floats
    status_quo: Floats
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

    def utility(self, points: Floats) -> Floats:
        """``U_i(x)`` for points ``(..., D)``: shape ``(..., n)``."""
        return utility(points, self.ideal, self.weights)

    def no_deal(self) -> Floats:
        """``U_i(no deal)``, shape ``(n,)``."""
        u_q = self.utility(self.status_quo)
        return u_q - self.war_cost / 100.0 if self.fighting else u_q

    def red_line_excess(self, points: Floats) -> Floats:
        """How far each point lies beyond each actor's red lines, ``(..., n, D)`` (0 inside)."""
        x = np.asarray(points, dtype=np.float64)[..., None, :]
        out: Floats = np.maximum(self.lower - x, 0.0) + np.maximum(x - self.upper, 0.0)
        return out


@dataclass(frozen=True)
class Acceptance:
    """Acceptance of points ``(P, D)`` by actors ``n``: arrays of shape ``(P, n)``."""

    utility: Floats
    no_deal: Floats  # (n,)
    margin: Floats
    respects_red_lines: Bools
    accepts: Bools
    red_line_excess: Floats  # (P, n, D)


def acceptance(prefs: Preferences, points: Floats) -> Acceptance:
    """Each actor's acceptance of each point (spec "Acceptance"; ties accept)."""
    pts = np.atleast_2d(np.asarray(points, dtype=np.float64))
    u = prefs.utility(pts)
    nd = prefs.no_deal()
    margin = u - nd
    excess = prefs.red_line_excess(pts)
    respects: Bools = np.asarray(~(excess > 0).any(axis=-1), dtype=bool)
    accepts = respects & (margin >= -TIE_TOLERANCE)
    return Acceptance(
        utility=u,
        no_deal=nd,
        margin=margin,
        respects_red_lines=respects,
        accepts=accepts,
        red_line_excess=excess,
    )
