"""Package rescues: the cheapest side payments and policy moves that win every veto player.

(docs/specs/preferences.md, "Side payments and package rescues"; issue 13.) Arrays, one row per
veto player, as in ``winset``: ``ideal``, ``weights`` ``(n, D)``, ``no_deal`` ``(n,)`` (the
chain's, war cost included where its deals end the war), hard ``lower``/``upper`` ``(n, D)``, soft
``penalty`` ``(n, D)`` (``inf``: hard or none). Side issues ``j = 1..J``: ``value`` ``(n, J)``
utility per unit to each row, ``cost`` ``(n, J)`` utility per unit to each paying row, and
``payer_cost`` ``(J,)`` the utility per unit lost by all payers together (veto players or not).

The package ``(x, s)``, ``s_j ∈ [0, max_j]`` units of side issue ``j`` (integers where asked),
solves one mixed-integer linear programme (HiGHS through ``scipy.optimize.milp``)::

    min   Σ_j payer_cost_j s_j  +  Σ_d w_rd |x_d - x0_d| / 100          (utility units)
    s.t.  U_i(x) - Σ_d π_id e_id + Σ_j (value_ij - cost_ij) s_j >= no_deal_i    (every row i)
          lower_id <= x_d <= upper_id   (hard red lines; and the proposal's defining terms)
          e_id >= lower_id - x_d, e_id >= x_d - upper_id, e_id >= 0   (soft red lines)

with ``U_i(x) = -Σ_d w_id t_id / 100``, ``t_id >= ±(x_d - p_id)``. The first term is what the
payers give up, the second the rescuer's (the proposer's) utility lost by moving the proposal:
both in the utility units of docs/specs/preferences.md, summed across actors — an
interpersonal comparison, a judgement the report states. Pure: no I/O, no global state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from ceasefire._types import BoolArray, FloatArray
from ceasefire.scenario import SCALE_MAX, SCALE_MIN, Scenario

#: tie-break weight on the unweighted city-block move (as ``winset.RESCUE_TIE_BREAK``)
TIE_BREAK = 1e-6
#: a feasibility slack of the solver, in utility units (as ``winset.TOL``)
TOL = 1e-9


@dataclass(frozen=True)
class SideArrays:
    """The scenario's side issues as arrays over its actors (scenario order)."""

    ids: tuple[str, ...]
    value: FloatArray  # (N, J)
    cost: FloatArray  # (N, J)
    max_units: FloatArray  # (J,), inf where unbounded
    integer: BoolArray  # (J,)

    @classmethod
    def of(cls, scenario: Scenario) -> SideArrays:
        actors = scenario.actor_ids
        issues = scenario.side_issues
        value = np.zeros((len(actors), len(issues)))
        cost = np.zeros((len(actors), len(issues)))
        for j, s in enumerate(issues):
            for a, v in s.values.items():
                value[actors.index(a), j] = v
            for a, c in s.payers.items():
                cost[actors.index(a), j] = c
        return cls(
            ids=tuple(s.id for s in issues),
            value=value,
            cost=cost,
            max_units=np.array(
                [np.inf if s.max_units is None else s.max_units for s in issues], dtype=float
            ),
            integer=np.array([s.integer for s in issues], dtype=bool),
        )

    @property
    def payer_cost(self) -> FloatArray:
        """Utility per unit lost by all payers of each issue, ``(J,)``."""
        out: FloatArray = self.cost.sum(axis=0)
        return out


@dataclass(frozen=True)
class Package:
    """The cheapest package, or why none exists (``point`` is None then)."""

    point: FloatArray | None
    units: FloatArray  # (J,)
    payment_cost: float
    move_cost: float
    #: dimensions on which the hard red lines and the defining terms leave no point
    conflicts: tuple[int, ...] = ()

    @property
    def exists(self) -> bool:
        return self.point is not None

    @property
    def cost(self) -> float:
        return self.payment_cost + self.move_cost


@dataclass(frozen=True)
class _Layout:
    """Column offsets of the MILP: x (D), u (D), s (J), t (pairs), e (soft lines)."""

    d: int
    j: int
    pairs: list[tuple[int, int]]
    soft: list[tuple[int, int]]

    @property
    def n(self) -> int:
        return 2 * self.d + self.j + len(self.pairs) + len(self.soft)

    def s(self, k: int) -> int:
        return 2 * self.d + k

    def t(self, k: int) -> int:
        return 2 * self.d + self.j + k

    def e(self, k: int) -> int:
        return 2 * self.d + self.j + len(self.pairs) + k


def _box(
    lower: FloatArray, upper: FloatArray, soft: BoolArray, keep: tuple[FloatArray, FloatArray]
) -> tuple[FloatArray, FloatArray, tuple[int, ...]]:
    """The bounds of ``x``: hard red lines of every row and the defining terms ``keep``."""
    lo = np.where(soft, SCALE_MIN, lower).max(axis=0, initial=SCALE_MIN)
    hi = np.where(soft, SCALE_MAX, upper).min(axis=0, initial=SCALE_MAX)
    lo, hi = np.maximum(lo, keep[0]), np.minimum(hi, keep[1])
    bad = np.flatnonzero(lo > hi + 1e-12)
    return lo, hi, tuple(int(k) for k in bad)


def _rows(
    lay: _Layout,
    x0: FloatArray,
    ideal: FloatArray,
    weights: FloatArray,
    no_deal: FloatArray,
    gain: FloatArray,
    soft_bounds: tuple[FloatArray, FloatArray, FloatArray],
) -> tuple[FloatArray, FloatArray]:
    """``A z <= b``: |x - x0| and |x - p| definitions, soft excess, one utility row per actor."""
    lower, upper, penalty = soft_bounds
    n_rows = 2 * lay.d + 2 * len(lay.pairs) + 2 * len(lay.soft) + ideal.shape[0]
    a, b = np.zeros((n_rows, lay.n)), np.zeros(n_rows)
    r = 0
    for k in range(lay.d):  # u_k >= ±(x_k - x0_k)
        a[r, k], a[r, lay.d + k], b[r] = 1.0, -1.0, x0[k]
        a[r + 1, k], a[r + 1, lay.d + k], b[r + 1] = -1.0, -1.0, -x0[k]
        r += 2
    for q, (i, k) in enumerate(lay.pairs):  # t_ik >= ±(x_k - p_ik)
        a[r, k], a[r, lay.t(q)], b[r] = 1.0, -1.0, ideal[i, k]
        a[r + 1, k], a[r + 1, lay.t(q)], b[r + 1] = -1.0, -1.0, -ideal[i, k]
        r += 2
    for q, (i, k) in enumerate(lay.soft):  # e_ik >= lower - x_k, e_ik >= x_k - upper
        a[r, k], a[r, lay.e(q)], b[r] = -1.0, -1.0, -lower[i, k]
        a[r + 1, k], a[r + 1, lay.e(q)], b[r + 1] = 1.0, -1.0, upper[i, k]
        r += 2
    for i in range(ideal.shape[0]):
        # Σ_d w_id t_id + 100 Σ π e - 100 Σ_j gain_ij s_j <= -100 no_deal_i
        for q, (ii, k) in enumerate(lay.pairs):
            if ii == i:
                a[r, lay.t(q)] = weights[i, k]
        for q, (ii, k) in enumerate(lay.soft):
            if ii == i:
                a[r, lay.e(q)] = 100.0 * penalty[i, k]
        a[r, 2 * lay.d : 2 * lay.d + lay.j] = -100.0 * gain[i]
        b[r] = -100.0 * no_deal[i]
        r += 1
    return a, b


def cheapest_package(
    x0: FloatArray,
    rescuer_weights: FloatArray,
    ideal: FloatArray,
    weights: FloatArray,
    no_deal: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    side: SideArrays,
    rows: list[int],
    *,
    penalty: FloatArray | None = None,
    keep: tuple[FloatArray, FloatArray] | None = None,
    move: bool = True,
) -> Package:
    """The cheapest package making every row accept (module docstring), exactly, by MILP.

    ``rows``: the veto players' rows in the scenario's actor order (for ``side``); the other
    arrays are already restricted to them. ``keep``: lower and upper bounds ``(D,)`` the point
    must stay within (the proposal's defining terms). ``move=False``: side payments only.
    """
    n, d = ideal.shape
    pen = np.full((n, d), np.inf) if penalty is None else penalty
    soft = np.isfinite(pen) & ((lower > SCALE_MIN) | (upper < SCALE_MAX))
    keep = keep or (np.full(d, SCALE_MIN), np.full(d, SCALE_MAX))
    if not move:
        keep = (np.maximum(keep[0], x0), np.minimum(keep[1], x0))
    lo, hi, conflicts = _box(lower, upper, soft, keep)
    j = len(side.ids)
    if conflicts:
        return Package(None, np.zeros(j), np.inf, np.inf, conflicts)
    lay = _Layout(
        d=d,
        j=j,
        pairs=[(i, k) for i in range(n) for k in range(d) if weights[i, k] > 0],
        soft=[(int(i), int(k)) for i, k in zip(*np.nonzero(soft), strict=True)],
    )
    gain = side.value[rows] - side.cost[rows]
    a, b = _rows(lay, x0, ideal, weights, no_deal, gain, (lower, upper, pen))
    c = np.zeros(lay.n)
    c[lay.d : 2 * lay.d] = rescuer_weights / 100.0 + TIE_BREAK
    c[2 * d : 2 * d + j] = side.payer_cost
    lb = np.concatenate([lo, np.zeros(d + j), np.full(len(lay.pairs) + len(lay.soft), 0.0)])
    ub = np.concatenate(
        [hi, np.full(d, np.inf), side.max_units, np.full(lay.n - 2 * d - j, np.inf)]
    )
    integrality = np.zeros(lay.n)
    integrality[2 * d : 2 * d + j] = side.integer
    res = milp(
        c,
        constraints=LinearConstraint(a, -np.inf, b + 100.0 * TOL),
        integrality=integrality,
        bounds=Bounds(lb, ub),
    )
    if res.status != 0 or res.x is None:
        return Package(None, np.zeros(j), np.inf, np.inf)
    # HiGHS may return a unit a feasibility tolerance below 0: no issue is bought negatively
    x = np.asarray(res.x[:d])
    s = np.clip(np.asarray(res.x[2 * d : 2 * d + j]), 0.0, side.max_units)
    return Package(
        point=x,
        units=s,
        payment_cost=float(side.payer_cost @ s),
        move_cost=float(rescuer_weights @ np.abs(x - x0) / 100.0),
    )


def price_per_blocker(package: Package, side: SideArrays, rows: list[int]) -> FloatArray:
    """What the package pays for each row: each issue's payer cost split among the rows that
    value it, in proportion to the utility each receives, ``(len(rows),)``."""
    got = side.value[rows] * package.units  # (n, J) utility received
    total = got.sum(axis=0)
    share = np.divide(got, total, out=np.zeros_like(got), where=total > 0)
    out: FloatArray = (share * (side.payer_cost * package.units)).sum(axis=1)
    return out


def paid_by(package: Package, side: SideArrays) -> FloatArray:
    """Utility each actor (scenario order) gives up for the package, ``(N,)``."""
    out: FloatArray = side.cost @ package.units
    return out
