"""Win-sets, conflicting sets and rescues by linear programming (``docs/specs/preferences.md``).

Everything here works on plain arrays, one row per veto player:

``ideal``   (n, D) ideal points ``p_i`` on the 0-100 scale of each dimension;
``weights`` (n, D) normalised saliences ``w_id = s_id / Σ_d s_id`` (rows sum to 1, or are all
            zero for an indifferent actor);
``no_deal`` (n,)   ``U_i(no deal)``, war cost already included ("No deal");
``lower``, ``upper`` (n, D) red-line bounds ("Red lines"): 0 and 100 where there is none.

Utility is ``U_i(x) = -Σ_d w_id |x_d - p_id| / 100`` ("Utility of a point"). Actor ``i``'s
acceptable set is ``{x ∈ [0,100]^D : lower_i <= x <= upper_i, U_i(x) >= U_i(no deal)}``
("Acceptance"; ties accept) and the win-set ``W`` is the intersection over the rows
("The win-set"). Each acceptable set is a convex polytope, so ``W`` is one too, and every
question here is a linear programme (HiGHS through ``scipy.optimize.linprog``) in ``x`` and
auxiliary variables ``t_id >= ±(x_d - p_id)``: since ``w_id >= 0``, the constraint
``Σ_d w_id t_id <= -100 U_i(no deal)`` has a solution ``t`` iff ``x`` is acceptable to ``i``.

Units: margins are in utility units (``[-1, 0]`` scale of ``U``); distances and moves are in
scale points (0-100). A utility margin of ``m`` equals ``100 m`` scale points of movement on a
dimension carrying all of an actor's salience, which is how red-line slack (scale points) is
put on the same footing as utility margins below.

The module is pure: no I/O, no printing, no global state; the only randomness (the
quasi-Monte Carlo volume for ``D > 6``) takes an explicit seed or ``numpy.random.Generator``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linprog
from scipy.spatial import ConvexHull, HalfspaceIntersection, QhullError

from ceasefire import preferences
from ceasefire._types import BoolArray, FloatArray
from ceasefire.scenario import SCALE_MAX, SCALE_MIN

#: Utility-unit tolerance for "ties accept" (docs/specs/preferences.md, "Acceptance"). 1e-9 utility
#: is 1e-7 scale points: far below any meaningful difference, far above LP round-off.
TOL = 1e-9
#: Exact polytope volume up to this dimension (docs/specs/preferences.md, "The win-set").
MAX_EXACT_DIM = 6
#: Weight of the unweighted-L1 tie-break in the rescue objective (see ``rescue``).
RESCUE_TIE_BREAK = 1e-6
#: Maximum dimensions with room to move for the exact position-change enumeration.
MAX_POSITION_DIMS = 16

_HIGHS = "highs"


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Acceptability:
    """Acceptance of points by the rows, with the LP tolerance.

    (docs/specs/preferences.md, "Acceptance".)

    (``preferences.Acceptance`` is the acceptance stage's result; this one adds ``in_winset``
    and uses ``TOL``, loose enough for solver round-off.)

    margins:        (..., n) ``U_i(x) - U_i(no deal)`` in utility units
    red_line_gap:   (..., n) largest red-line violation of actor ``i`` at ``x`` in scale points
                    (0 when every red line is respected)
    accepts:        (..., n) respects every red line and margin >= -tol (ties accept)
    in_winset:      (...)    accepted by every row
    """

    margins: FloatArray
    red_line_gap: FloatArray
    accepts: BoolArray
    in_winset: BoolArray


@dataclass(frozen=True)
class WinSet:
    """The win-set of a set of veto players (docs/specs/preferences.md, "The win-set").

    empty:          no point of ``[0,100]^D`` is acceptable to every row
    center:         (D,) the deep point: maximises the depth (see ``winset``). When ``W`` is
                    empty it is still the least-violating point (depth < 0)
    min_margin:     the depth at ``center`` in utility units (>= 0 iff not empty)
    margins:        (n,) each row's utility margin at ``center``
    extent:         (D, 2) min and max of each coordinate over ``W``; NaN when empty
    volume_share:   volume of ``W`` / 100^D (a length for D = 1); 0 when empty
    volume_method:  "exact", "degenerate" (non-empty, lower-dimensional: volume 0), "qmc"
                    (D > 6 or qhull failure), or "empty"
    volume_error:   half-width of a ~95% confidence interval for ``volume_share`` (0 if exact)
    conflicts:      when empty, the minimal conflicting sets of row indices: ``[i]`` for a row
                    whose own acceptable set is empty, pairs, then triples none of whose pairs
                    conflict; sorted by size then indices. Empty list when ``W`` is non-empty
    unexplained:    ``W`` is empty but no conflicting set of at most 3 rows exists (possible
                    only for D >= 3, by Helly's theorem some set of at most D + 1 rows conflicts)
    """

    empty: bool
    center: FloatArray
    min_margin: float
    margins: FloatArray
    extent: FloatArray
    volume_share: float
    volume_method: str
    volume_error: float
    conflicts: list[list[int]]
    unexplained: bool


@dataclass(frozen=True)
class Rescue:
    """The smallest rescuing concession.

    (docs/specs/preferences.md, "The smallest rescuing concession".)

    point:     (D,) ``x*``, the point of ``W`` nearest to ``x0`` for the rescuer
    moves:     (D,) ``x* - x0``
    distance:  ``Σ_d w_rd |x*_d - x0_d|`` in scale points (0-100 units)
    binding:   the row whose constraints (utility or red lines) carry the largest total dual
               value at ``x*``; None when ``x0`` is already in ``W``
    binding_rows: the rows that reject ``x0`` and are tight at ``x*`` (all the actors the move
               was made for; ``binding`` is the one among them with the largest dual)
    duals:     (n,) per row, the sum of |dual values| of its constraints (scale points of
               distance saved per scale point of relaxation)
    """

    point: FloatArray
    moves: FloatArray
    distance: float
    binding: int | None
    duals: FloatArray
    binding_rows: tuple[int, ...] = ()


@dataclass(frozen=True)
class ActorChange:
    """The smallest change to one rejecting actor that makes it accept ``x0`` as it stands.

    row:                the actor's row
    margin:             its current margin ``U_i(x0) - Σ_d π_id e_id(x0) - U_i(no deal)``
                        (utility units; soft red lines priced in)
    red_line_violated:  ``x0`` breaks one of its hard red lines; then no change below can help
                        and all of them are None (a soft line crossed is priced: the changes
                        below are computed with its penalty)
    war_cost:           the war cost (0-100 scale) at and above which it accepts; None when
                        fighting does not continue
    position_move:      (D,) the smallest city-block move ``Δp`` of its ideal point
    position_distance:  ``Σ_d |Δp_d|`` in scale points
    salience_dim:       the dimension whose salience needs the smallest change
    salience_value:     the new salience of that dimension (0-100), others fixed
    salience_change:    new minus old salience (signed); None when no value in [0,100] works
    """

    row: int
    margin: float
    red_line_violated: bool
    war_cost: float | None
    position_move: FloatArray | None
    position_distance: float | None
    salience_dim: int | None
    salience_value: float | None
    salience_change: float | None


# --------------------------------------------------------------------------------------------
# Input handling and acceptance
# --------------------------------------------------------------------------------------------


def _arrays(
    ideal: ArrayLike, weights: ArrayLike, no_deal: ArrayLike, lower: ArrayLike, upper: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    p = np.atleast_2d(np.asarray(ideal, dtype=np.float64))
    n, d = p.shape
    w = np.asarray(weights, dtype=np.float64).reshape(n, d)
    nd = np.asarray(no_deal, dtype=np.float64).reshape(n)
    lo = np.asarray(lower, dtype=np.float64).reshape(n, d)
    up = np.asarray(upper, dtype=np.float64).reshape(n, d)
    if np.any(w < 0):
        raise ValueError("weights must be >= 0")
    return p, w, nd, lo, up


def _penalty(penalty: ArrayLike | None, shape: tuple[int, ...]) -> FloatArray:
    """Soft red lines' penalties ``(n, D)`` (utility per scale point beyond the bound); ``inf``
    where a line is hard or absent (the default: every red line hard)."""
    if penalty is None:
        return np.full(shape, np.inf)
    pen = np.asarray(penalty, dtype=np.float64).reshape(shape)
    if np.any(pen < 0):
        raise ValueError("penalties must be >= 0")
    return pen


def _hard(lo: FloatArray, up: FloatArray, pen: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The red-line bounds with the soft lines opened: the hard half-spaces only."""
    soft = np.isfinite(pen)
    return np.where(soft, SCALE_MIN, lo), np.where(soft, SCALE_MAX, up)


def _soft_lines(lo: FloatArray, up: FloatArray, pen: FloatArray) -> list[tuple[int, int]]:
    """The (i, d) of every soft red line that excludes something (``lower > 0`` or
    ``upper < 100``, finite penalty)."""
    soft = np.isfinite(pen) & ((lo > SCALE_MIN) | (up < SCALE_MAX))
    return [(int(i), int(k)) for i, k in zip(*np.nonzero(soft), strict=True)]


def utility(x: ArrayLike, ideal: ArrayLike, weights: ArrayLike) -> FloatArray:
    """``U_i(x) = -Σ_d w_id |x_d - p_id| / 100`` for points ``x`` (..., D) -> (..., n).

    docs/specs/preferences.md, "Utility of a point".
    """
    p = np.atleast_2d(np.asarray(ideal, dtype=np.float64))
    w = np.asarray(weights, dtype=np.float64).reshape(p.shape)
    return preferences.utility(np.asarray(x, dtype=np.float64), p, w)


def acceptable(
    x: ArrayLike,
    ideal: ArrayLike,
    weights: ArrayLike,
    no_deal: ArrayLike,
    lower: ArrayLike,
    upper: ArrayLike,
    *,
    tol: float = TOL,
    penalty: ArrayLike | None = None,
) -> Acceptability:
    """Margins and acceptance of points ``x`` (..., D) by every row (vectorised).

    docs/specs/preferences.md, "Acceptance": ``i`` accepts ``x`` iff ``x`` respects all of ``i``'s
    hard red lines and ``U_i(x) - Σ_d π_id e_id(x) >= U_i(no deal)`` (soft lines, ``penalty``
    finite, are priced into the margin); ties accept, within ``tol`` utility units (and
    ``100 * tol`` scale points for red lines) so that LP round-off does not flip a tie.
    """
    p, w, nd, lo_all, up_all = _arrays(ideal, weights, no_deal, lower, upper)
    pen = _penalty(penalty, p.shape)
    lo, up = _hard(lo_all, up_all, pen)
    xa = np.asarray(x, dtype=np.float64)
    xe = xa[..., None, :]
    excess = np.maximum(lo_all - xe, 0.0) + np.maximum(xe - up_all, 0.0)
    priced, _ = preferences.soft_penalty(excess, pen)
    margins = utility(xa, p, w) - priced - nd
    gap = np.maximum(np.max(lo - xe, axis=-1), np.max(xe - up, axis=-1))
    gap = np.maximum(gap, 0.0)
    accepts = (margins >= -tol) & (gap <= 100.0 * tol)
    return Acceptability(
        margins=margins, red_line_gap=gap, accepts=accepts, in_winset=np.all(accepts, axis=-1)
    )


# --------------------------------------------------------------------------------------------
# The LP system shared by every question
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _System:
    """``A_ub @ z <= b_ub`` over ``z = (x, [extra], t, e, [m])``.

    owner[k] is the row (actor) a constraint belongs to, -1 for the |x - p| definitions.
    """

    a_ub: FloatArray
    b_ub: FloatArray
    owner: NDArray[np.int64]
    n_vars: int
    n_extra: int
    margin_col: int | None


def _system(
    rows: NDArray[np.int64] | list[int],
    p: FloatArray,
    w: FloatArray,
    nd: FloatArray,
    lo: FloatArray,
    up: FloatArray,
    *,
    margin: bool = False,
    n_extra: int = 0,
    pen: FloatArray | None = None,
) -> _System:
    """Build the LP constraints of the acceptable sets of ``rows``.

    Columns: x (D), ``n_extra`` caller columns, then ``t_id`` for each (i, d) with
    ``w_id > 0`` (a zero weight needs no ``t``), then ``e_id`` for each soft red line (finite
    ``pen``), then the margin ``m`` if requested.
    Constraints (the "t_id >= ±(x_d - p_id)" formulation of docs/specs/preferences.md):

    * ``x_d - t_id <= p_id`` and ``-x_d - t_id <= -p_id``                       (owner -1)
    * soft lines, ``e_id >= max(lower_id - x_d, x_d - upper_id, 0)``: ``-x_d - e_id <=
      -lower_id``, ``x_d - e_id <= upper_id`` (where they bind), ``-e_id <= 0``  (owner -1)
    * ``Σ_d w_id t_id + 100 Σ_d π_id e_id [+ 100 m] <= -100 U_i(no deal)``       (owner i)
    * hard red lines, only where they bind anything (``lower > 0``, ``upper < 100``):
      ``-x_d [+ 100 m] <= -lower_id`` and ``x_d [+ 100 m] <= upper_id``          (owner i)

    The penalty ``π e`` is convex piecewise linear in ``x``, so ``U_i - π e`` stays concave and
    the LP is exact: minimising pressure on ``e`` comes from the utility row alone, and any
    ``e`` above the excess only tightens that row, so a feasible ``(x, t, e)`` exists iff
    ``x`` is acceptable (the same argument as for ``t``).

    With ``m`` the rows say "margin >= m", with red-line slack counted as slack/100 so that
    one scale point of red-line room equals one point of movement at full salience.
    Indifferent rows (all weights zero) have no utility row: their acceptance does not depend
    on ``x`` and is handled by the callers.
    """
    d = p.shape[1]
    pen = np.full(p.shape, np.inf) if pen is None else pen
    pairs, util_rows, red, soft = _lp_rows(rows, w, lo, up, pen)
    t0 = d + n_extra
    e0 = t0 + len(pairs)
    n_vars = e0 + len(soft) + (1 if margin else 0)
    m_col = n_vars - 1 if margin else None
    n_def = 2 * len(pairs) + 3 * len(soft)
    a = np.zeros((n_def + len(util_rows) + len(red), n_vars))
    b = np.zeros(a.shape[0])
    owner = np.full(a.shape[0], -1, dtype=np.int64)
    t_index = _distance_rows(a, b, pairs, p, t0)
    e_index = _excess_rows(a[2 * len(pairs) : n_def], b[2 * len(pairs) : n_def], soft, lo, up, e0)
    r = n_def
    for i in util_rows:
        # Σ_d w_id t_id + 100 Σ_d π_id e_id [+ 100 m] <= -100 U_i(no deal)
        cols = [t_index[(i, k)] for k in range(d) if w[i, k] > 0]
        a[r, cols] = [w[i, k] for k in range(d) if w[i, k] > 0]
        for k in (k for (ii, k) in soft if ii == i):
            a[r, e_index[(i, k)]] = 100.0 * pen[i, k]
        b[r], owner[r] = -100.0 * nd[i], i
        r += 1
    for i, k, sign in red:
        a[r, k] = float(sign)
        b[r], owner[r] = (up[i, k] if sign > 0 else -lo[i, k]), i
        r += 1
    if m_col is not None:
        a[n_def:, m_col] = 100.0
    return _System(a, b, owner, n_vars, n_extra, m_col)


def _lp_rows(
    rows: NDArray[np.int64] | list[int],
    w: FloatArray,
    lo: FloatArray,
    up: FloatArray,
    pen: FloatArray,
) -> tuple[list[tuple[int, int]], list[int], list[tuple[int, int, int]], list[tuple[int, int]]]:
    """The (i, d) pairs with a weight, the rows with a utility row, the binding hard red
    lines, and the (i, d) of the binding soft ones.

    A row with a soft line has a utility row even when it weighs nothing (its penalty depends
    on ``x``).
    """
    d = w.shape[1]
    hard = ~np.isfinite(pen)
    cells = [(int(i), k) for i in rows for k in range(d)]
    pairs = [(i, k) for i, k in cells if w[i, k] > 0]
    red = [(i, k, -1) for i, k in cells if lo[i, k] > 0 and hard[i, k]] + [
        (i, k, +1) for i, k in cells if up[i, k] < 100 and hard[i, k]
    ]
    soft = [(i, k) for i, k in cells if not hard[i, k] and (lo[i, k] > 0 or up[i, k] < 100)]
    with_soft = {i for i, _ in soft}
    util_rows = [int(i) for i in rows if np.any(w[i] > 0) or int(i) in with_soft]
    return pairs, util_rows, red, soft


def _excess_rows(
    a: FloatArray,
    b: FloatArray,
    soft: list[tuple[int, int]],
    lo: FloatArray,
    up: FloatArray,
    e0: int,
) -> dict[tuple[int, int], int]:
    """Fill ``e_id >= lower_id - x_d``, ``e_id >= x_d - upper_id`` and ``e_id >= 0`` for each
    soft line ``j`` (rows ``3j .. 3j + 2`` of the views ``a``, ``b``; ``e`` in column ``e0 + j``).

    An absent side (``lower = 0`` or ``upper = 100``) gives a row implied by ``e >= 0``.
    """
    e_index: dict[tuple[int, int], int] = {}
    for j, (i, k) in enumerate(soft):
        col, r = e0 + j, 3 * j
        e_index[(i, k)] = col
        a[r, k], a[r, col], b[r] = -1.0, -1.0, -lo[i, k]
        a[r + 1, k], a[r + 1, col], b[r + 1] = 1.0, -1.0, up[i, k]
        a[r + 2, col] = -1.0
    return e_index


def _distance_rows(
    a: FloatArray, b: FloatArray, pairs: list[tuple[int, int]], p: FloatArray, t0: int
) -> dict[tuple[int, int], int]:
    """Fill ``x_d - t_id <= p_id`` and ``-x_d - t_id <= -p_id`` for each (i, d) in ``pairs``.

    Rows ``2j`` and ``2j + 1`` belong to pair ``j``, whose ``t`` is column ``t0 + j``; returns
    the column of each pair's ``t``.
    """
    t_index: dict[tuple[int, int], int] = {}
    for j, (i, k) in enumerate(pairs):
        col, r = t0 + j, 2 * j
        t_index[(i, k)] = col
        a[r, k], a[r, col], b[r] = 1.0, -1.0, p[i, k]
        a[r + 1, k], a[r + 1, col], b[r + 1] = -1.0, -1.0, -p[i, k]
    return t_index


def _bounds(system: _System, d: int, extra: list[tuple[float | None, float | None]]) -> list[Any]:
    n_rest = system.n_vars - d - system.n_extra
    return [(0.0, 100.0)] * d + extra + [(None, None)] * n_rest


def _constant_rows_ok(w: FloatArray, nd: FloatArray, tol: float = TOL) -> BoolArray:
    """Indifferent rows (all weights 0) have U = 0 everywhere: they accept iff 0 >= no deal."""
    const = ~np.any(w > 0, axis=1)
    ok: BoolArray = ~const | (nd <= tol)
    return ok


def _feasible_point(
    rows: list[int],
    p: FloatArray,
    w: FloatArray,
    nd: FloatArray,
    lo: FloatArray,
    up: FloatArray,
    pen: FloatArray | None = None,
) -> FloatArray | None:
    """A point acceptable to every row of ``rows`` (LP feasibility), or None."""
    idx = np.asarray(rows, dtype=np.int64)
    if not np.all(_constant_rows_ok(w[idx], nd[idx])):
        return None
    d = p.shape[1]
    sys_ = _system(idx, p, w, nd, lo, up, pen=pen)
    if sys_.a_ub.shape[0] == 0:
        return np.full(d, 50.0)
    res = linprog(
        np.zeros(sys_.n_vars),
        A_ub=sys_.a_ub,
        b_ub=sys_.b_ub,
        bounds=_bounds(sys_, d, []),
        method=_HIGHS,
    )
    if res.status != 0:
        return None
    return np.asarray(res.x[:d], dtype=np.float64)


# --------------------------------------------------------------------------------------------
# The win-set
# --------------------------------------------------------------------------------------------


def _deep_point(
    p: FloatArray,
    w: FloatArray,
    nd: FloatArray,
    lo: FloatArray,
    up: FloatArray,
    pen: FloatArray | None = None,
) -> tuple[FloatArray, float]:
    """Maximise the depth ``m`` (see ``winset``) by LP; returns (x, m)."""
    n, d = p.shape
    sys_ = _system(np.arange(n), p, w, nd, lo, up, margin=True, pen=pen)
    if sys_.a_ub.shape[0] == 0:
        # No row depends on x: every point is equally deep; take the middle of the cube.
        return np.full(d, 50.0), np.inf
    c = np.zeros(sys_.n_vars)
    assert sys_.margin_col is not None
    c[sys_.margin_col] = -1.0
    res = linprog(c, A_ub=sys_.a_ub, b_ub=sys_.b_ub, bounds=_bounds(sys_, d, []), method=_HIGHS)
    if res.status != 0:  # pragma: no cover - always feasible (m free) and bounded (rows exist)
        raise RuntimeError(f"deep-point LP failed: {res.message}")
    return np.asarray(res.x[:d], dtype=np.float64), float(res.x[sys_.margin_col])


def _recentre(
    p: FloatArray,
    w: FloatArray,
    nd: FloatArray,
    lo: FloatArray,
    up: FloatArray,
    depth: float,
    target: FloatArray,
    pen: FloatArray | None = None,
) -> FloatArray | None:
    """Among the deepest points, the one nearest (city-block) to ``target``.

    The maximiser of the depth need not be unique: along a direction no binding row cares
    about (a dimension nobody weighs, a strip) every point is equally deep, and the solver
    would return a vertex on the edge of ``W``. Keeping the depth at its optimum (less 1e-10)
    and minimising ``Σ_d |x_d - target_d|`` (``target`` = the middle of the extent) picks a
    central point among them; when the maximiser is unique this changes nothing.
    """
    n, d = p.shape
    sys_ = _system(np.arange(n), p, w, nd, lo, up, margin=True, n_extra=d, pen=pen)
    assert sys_.margin_col is not None
    eye = np.eye(d)
    extra = np.zeros((2 * d + 1, sys_.n_vars))
    extra[:d, :d], extra[:d, d : 2 * d] = eye, -eye
    extra[d : 2 * d, :d], extra[d : 2 * d, d : 2 * d] = -eye, -eye
    extra[2 * d, sys_.margin_col] = -1.0
    a_ub = np.vstack([sys_.a_ub, extra])
    b_ub = np.concatenate([sys_.b_ub, target, -target, [-(depth - 1e-10)]])
    c = np.zeros(sys_.n_vars)
    c[d : 2 * d] = 1.0
    bounds = _bounds(sys_, d, [(0.0, None)] * d)
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method=_HIGHS)
    if res.status != 0:  # numerically fragile single-point W: keep the first-stage point
        return None
    return np.asarray(res.x[:d], dtype=np.float64)


def _extent(
    p: FloatArray,
    w: FloatArray,
    nd: FloatArray,
    lo: FloatArray,
    up: FloatArray,
    fallback: FloatArray,
    pen: FloatArray | None = None,
) -> FloatArray:
    """Min and max of each coordinate over ``W``: 2·D LPs."""
    n, d = p.shape
    sys_ = _system(np.arange(n), p, w, nd, lo, up, pen=pen)
    out = np.column_stack([fallback, fallback]).astype(np.float64)
    if sys_.a_ub.shape[0] == 0:
        out[:, 0], out[:, 1] = 0.0, 100.0
        return out
    bounds = _bounds(sys_, d, [])
    for k in range(d):
        for j, sign in enumerate((1.0, -1.0)):
            c = np.zeros(sys_.n_vars)
            c[k] = sign
            res = linprog(c, A_ub=sys_.a_ub, b_ub=sys_.b_ub, bounds=bounds, method=_HIGHS)
            # A numerically single-point W can make HiGHS call the LP infeasible; the deep
            # point (fallback) is then the extent.
            if res.status == 0:
                out[k, j] = res.x[k]
    # The deep point is in W, so the extent must contain it (guards against round-off).
    out[:, 0] = np.minimum(out[:, 0], fallback)
    out[:, 1] = np.maximum(out[:, 1], fallback)
    return out


def halfspaces(
    ideal: ArrayLike,
    weights: ArrayLike,
    no_deal: ArrayLike,
    lower: ArrayLike,
    upper: ArrayLike,
    *,
    penalty: ArrayLike | None = None,
) -> tuple[FloatArray, FloatArray]:
    """The win-set as ``A x <= b`` without auxiliary variables.

    ``Σ_d w_id |x_d - p_id| = max over s ∈ {±1}^D of Σ_d w_id s_d (x_d - p_id)`` (each term is
    maximised separately by ``s_d = sign(x_d - p_id)``), so ``U_i(x) >= U_i(no deal)`` iff
    ``Σ_d w_id s_d (x_d - p_id) <= -100 U_i(no deal)`` for all ``2^D`` sign vectors ``s``.
    Only the dimensions with ``w_id > 0`` need signs (``2^{|support|}`` rows per actor).
    The box ``[0,100]^D`` and the hard red lines add ``2D`` rows (the tightest bound per side).
    A soft red line's penalty ``100 π e`` is the larger of 0 and ``100 π (lower - x_d)`` (or
    ``100 π (x_d - upper)``), so it doubles the actor's rows: each row takes one of the two
    branches (``_soft_blocks``). Indifferent rows without soft lines contribute nothing
    (callers check them with ``_constant_rows_ok``).
    """
    p, w, nd, lo_all, up_all = _arrays(ideal, weights, no_deal, lower, upper)
    pen = _penalty(penalty, p.shape)
    lo, up = _hard(lo_all, up_all, pen)
    soft = _soft_lines(lo_all, up_all, pen)
    n, d = p.shape
    a_rows: list[FloatArray] = []
    b_rows: list[float] = []
    for i in range(n):
        support = np.flatnonzero(w[i] > 0)
        mine = [k for ii, k in soft if ii == i]
        if support.size == 0 and not mine:
            continue
        signs = np.array(list(itertools.product((-1.0, 1.0), repeat=support.size)))
        block = np.zeros((signs.shape[0], d))
        block[:, support] = signs * w[i, support]
        rhs = block @ p[i] - 100.0 * nd[i]
        for k in mine:
            block, rhs = _soft_blocks(block, rhs, k, lo_all[i, k], up_all[i, k], pen[i, k])
        a_rows.extend(block)
        b_rows.extend(rhs)
    lo_all = np.maximum(0.0, lo.max(axis=0, initial=0.0))
    up_all = np.minimum(100.0, up.min(axis=0, initial=100.0))
    eye = np.eye(d)
    a = np.vstack([*a_rows, -eye, eye]) if a_rows else np.vstack([-eye, eye])
    b = np.concatenate([np.asarray(b_rows, dtype=np.float64), -lo_all, up_all])
    return a, b


def _soft_blocks(
    block: FloatArray, rhs: FloatArray, k: int, lower: float, upper: float, pen: float
) -> tuple[FloatArray, FloatArray]:
    """Add one soft line's branches to the rows ``block @ x <= rhs`` of an actor.

    ``100 π e(x) = max(0, 100 π (lower - x_k), 100 π (x_k - upper))`` (a side is absent when
    ``lower = 0`` or ``upper = 100``): each row is repeated once per branch, the branch's
    linear term moved to the left (``-100 π x_k <= rhs - 100 π lower``, and so on).
    """
    blocks, rhss = [block], [rhs]
    if lower > SCALE_MIN:
        b2 = block.copy()
        b2[:, k] -= 100.0 * pen
        blocks.append(b2)
        rhss.append(rhs - 100.0 * pen * lower)
    if upper < SCALE_MAX:
        b3 = block.copy()
        b3[:, k] += 100.0 * pen
        blocks.append(b3)
        rhss.append(rhs + 100.0 * pen * upper)
    return np.vstack(blocks), np.concatenate(rhss)


def _chebyshev(a: FloatArray, b: FloatArray) -> tuple[FloatArray, float]:
    """Centre and radius of the largest ball in ``{a x <= b}`` (LP)."""
    d = a.shape[1]
    norms = np.linalg.norm(a, axis=1)
    c = np.zeros(d + 1)
    c[-1] = -1.0
    res = linprog(
        c,
        A_ub=np.column_stack([a, norms]),
        b_ub=b,
        bounds=[(None, None)] * d + [(0.0, None)],
        method=_HIGHS,
    )
    if res.status != 0:
        return np.full(d, np.nan), -1.0
    return np.asarray(res.x[:d]), float(res.x[-1])


def _volume_exact(a: FloatArray, b: FloatArray) -> tuple[float, str]:
    """Volume share of ``{a x <= b}`` (x on 0-100) by half-space intersection + convex hull."""
    # Work on the unit cube: the volume is then directly the share, and qhull is well scaled.
    norms = np.linalg.norm(a, axis=1)
    keep = norms > 0
    a_u = a[keep] / norms[keep, None]
    b_u = b[keep] / norms[keep] / 100.0
    centre, radius = _chebyshev(a_u, b_u)
    # A ball of radius 1e-9 of the cube's side cannot carry a meaningful volume: the polytope
    # is (numerically) lower-dimensional and its volume is 0.
    if radius <= 1e-9:
        return 0.0, "degenerate"
    try:
        hs = HalfspaceIntersection(np.column_stack([a_u, -b_u]), centre)
        vol = float(ConvexHull(hs.intersections).volume)
    except (QhullError, ValueError):
        if radius <= 1e-6:
            return 0.0, "degenerate"
        raise
    return min(max(vol, 0.0), 1.0), "exact"


def volume_qmc(
    ideal: ArrayLike,
    weights: ArrayLike,
    no_deal: ArrayLike,
    lower: ArrayLike,
    upper: ArrayLike,
    *,
    seed: int | np.random.Generator = 0,
    log2_points: int = 13,
    replicates: int = 8,
    chunk: int = 4096,
    penalty: ArrayLike | None = None,
) -> tuple[float, float]:
    """Randomised quasi-Monte Carlo volume share of ``W`` with an error bound.

    ``replicates`` independent scrambled-Sobol sequences (Owen scrambling, each from a child
    of ``seed``) of ``2^log2_points`` points each. Each replicate is an unbiased estimate of
    the share; the estimate is their mean and the error is the half-width of a 95% Student-t
    interval over replicates, floored at ``3 / N`` (N = all points: the 95% "rule of three"
    bound when few or no points fall in ``W``, where the replicate spread says nothing).
    Returns ``(share, error)``.
    """
    # imported here: scipy.stats costs ~0.4 s of start-up and only D > 6 needs it (issue 18)
    from scipy.stats import qmc
    from scipy.stats import t as student_t

    p, w, nd, lo, up = _arrays(ideal, weights, no_deal, lower, upper)
    d = p.shape[1]
    rng = np.random.default_rng(seed)
    children = rng.spawn(replicates)
    n_pts = 2**log2_points
    shares = np.empty(replicates)
    for r, child in enumerate(children):
        pts = qmc.Sobol(d, scramble=True, rng=child).random_base2(log2_points) * 100.0
        hits = 0
        for s in range(0, n_pts, chunk):
            hits += int(
                np.count_nonzero(
                    acceptable(pts[s : s + chunk], p, w, nd, lo, up, penalty=penalty).in_winset
                )
            )
        shares[r] = hits / n_pts
    share = float(shares.mean())
    se = float(shares.std(ddof=1) / np.sqrt(replicates)) if replicates > 1 else np.inf
    err = float(student_t.ppf(0.975, max(replicates - 1, 1)) * se)
    return share, max(err, 3.0 / (n_pts * replicates))


def _best_points(
    p: FloatArray, w: FloatArray, lo: FloatArray, up: FloatArray, pen: FloatArray
) -> tuple[FloatArray, BoolArray]:
    """Each row's best point (utility less soft penalties) within its hard red lines and the cube.

    Utility and penalties are separable and concave piecewise linear in each coordinate, so on
    each dimension the best point of the hard box is one of the breakpoints — the ideal point
    and the soft bounds — clipped to the box; without soft lines it is the clipped ideal point.
    Also returns whether the row's hard red lines leave any room at all.
    """
    hlo, hup = _hard(lo, up, pen)
    lo_c = np.maximum(hlo, 0.0)
    up_c = np.minimum(hup, 100.0)
    room = np.all(lo_c <= up_c, axis=1)
    top = np.maximum(lo_c, up_c)
    cand = np.clip(np.stack([p, lo, up], axis=-1), lo_c[..., None], top[..., None])  # (n, D, 3)
    excess = np.maximum(lo[..., None] - cand, 0.0) + np.maximum(cand - up[..., None], 0.0)
    price = np.where(np.isfinite(pen), pen, 0.0)[..., None] * excess
    value = -w[..., None] * np.abs(cand - p[..., None]) / 100.0 - price
    best = np.take_along_axis(cand, np.argmax(value, axis=-1)[..., None], axis=-1)[..., 0]
    return best, room


def _conflicts(
    p: FloatArray,
    w: FloatArray,
    nd: FloatArray,
    lo: FloatArray,
    up: FloatArray,
    extra_points: FloatArray,
    max_size: int = 3,
    pen: FloatArray | None = None,
) -> list[list[int]]:
    """Minimal conflicting sets of size 1, 2 and 3 (docs/specs/preferences.md, "The win-set").

    Singletons: a row's own acceptable set is empty — closed form, since the row's best point
    is its ideal point clipped to its red lines (``_best_points``). Pairs (among rows with a
    non-empty set) then triples (only those none of whose pairs conflict) by LP feasibility,
    after a cheap pre-filter: acceptable sets are convex, so if any point on the segment
    between two rows' best points, or a witness point already found, is acceptable to every
    row of the group, the group does not conflict and no LP is needed.
    """
    n, d = p.shape
    pen = np.full(p.shape, np.inf) if pen is None else pen
    best, room = _best_points(p, w, lo, up, pen)
    best_margin = acceptable(best, p, w, nd, lo, up, penalty=pen).margins[
        np.arange(n), np.arange(n)
    ]
    single = ~room | (best_margin < -TOL)
    conflicts: list[list[int]] = [[int(i)] for i in np.flatnonzero(single)]
    ok = [int(i) for i in np.flatnonzero(~single)]
    if max_size < 2 or len(ok) < 2:
        return conflicts

    # Candidate witnesses: segment points between best points of each pair, plus extras.
    witnesses: list[FloatArray] = [np.asarray(x, dtype=np.float64) for x in extra_points]
    pair_conflict = _pair_conflicts(ok, best, p, w, nd, lo, up, witnesses, pen)
    conflicts += [[i, j] for (i, j), c in sorted(pair_conflict.items()) if c]
    if max_size < 3 or len(ok) < 3:
        return conflicts
    wit = np.asarray(witnesses, dtype=np.float64).reshape(-1, d)
    conflicts += _triple_conflicts(ok, pair_conflict, wit, p, w, nd, lo, up, pen)
    return conflicts


def _pair_conflicts(
    ok: list[int],
    best: FloatArray,
    p: FloatArray,
    w: FloatArray,
    nd: FloatArray,
    lo: FloatArray,
    up: FloatArray,
    witnesses: list[FloatArray],
    pen: FloatArray,
) -> dict[tuple[int, int], bool]:
    """Whether each pair of ``ok`` rows conflicts; appends the common points found to ``witnesses``.

    Disjoint hard red-line boxes conflict without an LP; a segment point between the two best
    points acceptable to both proves no conflict; otherwise an LP decides.
    """
    ts = np.linspace(0.0, 1.0, 17)
    hlo, hup = _hard(lo, up, pen)
    pair_conflict: dict[tuple[int, int], bool] = {}
    for i, j in itertools.combinations(ok, 2):
        if np.any(np.maximum(hlo[i], hlo[j]) > np.minimum(hup[i], hup[j])):
            pair_conflict[(i, j)] = True
            continue
        seg = best[i] + ts[:, None] * (best[j] - best[i])
        two = [i, j]
        acc = acceptable(seg, p[two], w[two], nd[two], lo[two], up[two], penalty=pen[two])
        if np.any(acc.in_winset):
            # Keep the segment point deepest for the pair as a witness for triples.
            k = int(np.argmax(np.where(acc.in_winset, acc.margins.min(axis=1), -np.inf)))
            witnesses.append(seg[k])
            pair_conflict[(i, j)] = False
            continue
        x = _feasible_point([i, j], p, w, nd, lo, up, pen)
        pair_conflict[(i, j)] = x is None
        if x is not None:
            witnesses.append(x)
    return pair_conflict


def _triple_conflicts(
    ok: list[int],
    pair_conflict: dict[tuple[int, int], bool],
    wit: FloatArray,
    p: FloatArray,
    w: FloatArray,
    nd: FloatArray,
    lo: FloatArray,
    up: FloatArray,
    pen: FloatArray,
) -> list[list[int]]:
    """Minimal conflicting triples: no pair of them conflicts, no witness, and the LP fails."""
    # Which witnesses each row accepts: a triple with a common witness does not conflict.
    accepted_by = acceptable(wit, p, w, nd, lo, up, penalty=pen).accepts  # (n_witnesses, n)
    found: list[list[int]] = []
    for i, j, k in itertools.combinations(ok, 3):
        if pair_conflict[(i, j)] or pair_conflict[(i, k)] or pair_conflict[(j, k)]:
            continue
        if wit.shape[0] and np.any(accepted_by[:, i] & accepted_by[:, j] & accepted_by[:, k]):
            continue
        if _feasible_point([i, j, k], p, w, nd, lo, up, pen) is None:
            found.append([i, j, k])
    return found


def winset(
    ideal: ArrayLike,
    weights: ArrayLike,
    no_deal: ArrayLike,
    lower: ArrayLike,
    upper: ArrayLike,
    *,
    volume: bool = True,
    conflicts: bool = True,
    seed: int | np.random.Generator = 0,
    penalty: ArrayLike | None = None,
) -> WinSet:
    """The win-set of the rows (veto players) and its report (docs/specs/preferences.md).

    ``W = {x ∈ [0,100]^D : lower_i <= x <= upper_i and U_i(x) >= U_i(no deal) for every row}``.

    Depth and the deep point (the spec asks for "a deep point (maximise the smallest margin by
    LP)"; it is silent on red lines and ties). The depth of ``x`` is the smallest of

    * every utility margin ``U_i(x) - U_i(no deal)`` of a row that is not indifferent, and
    * every red-line slack in utility units: ``(x_d - lower_id) / 100`` and
      ``(upper_id - x_d) / 100`` for each red line that excludes something (``lower > 0`` or
      ``upper < 100``). A slack of s scale points counts like a utility margin of s/100, the
      margin of s points of movement on a dimension carrying all of an actor's salience.

    The cube walls ``[0,100]`` do not count: a settlement at the end of a scale is legitimate.
    Indifferent rows (all weights zero) are left out of the maximisation (their margin
    ``-U_i(no deal)`` is the same everywhere and would make every point a tie) but included in
    ``min_margin``. ``center`` maximises the depth (one LP, auxiliary ``t_id >= ±(x_d - p_id)``);
    ``W`` is empty iff that maximum is negative (beyond ``TOL``) or an indifferent row rejects
    everything. The centre is returned even when ``W`` is empty: the least-violating point.
    Ties (several deepest points, e.g. along a dimension no binding row weighs) are broken by
    a second LP: the deepest point nearest in city-block distance to the middle of the extent
    (``_recentre``); when no row depends on ``x`` the centre is the middle of the cube.

    Extent: 2·D LPs. Volume share: exact for D <= 6 (half-space representation from
    ``halfspaces``, ``scipy.spatial.HalfspaceIntersection`` from the Chebyshev centre, then
    ``ConvexHull.volume``); a non-empty ``W`` with no interior (Chebyshev radius ~0) has
    volume 0 ("degenerate"); D = 1 is the length of the extent. For D > 6 (or if qhull fails
    on a polytope that has an interior) ``volume_qmc`` with ``seed``. ``volume=False`` skips
    the volume (``volume_share`` NaN, method "skipped"); ``conflicts=False`` skips conflicts.

    Soft red lines (``penalty`` finite, utility per scale point beyond the bound; ``inf`` or
    None: hard) are priced, not walls: the rows read ``U_i(x) - Σ_d π_id e_id(x) >= U_i(no
    deal)`` with one auxiliary ``e_id >= max(lower_id - x_d, x_d - upper_id, 0)`` per soft line
    (``_system``), still a convex polytope; their slack is not counted in the depth (the margin
    already carries it).
    """
    p, w, nd, lo, up = _arrays(ideal, weights, no_deal, lower, upper)
    pen = _penalty(penalty, p.shape)
    d = p.shape[1]
    center, depth = _deep_point(p, w, nd, lo, up, pen)
    const_ok = _constant_rows_ok(w, nd)
    const = ~np.any(w > 0, axis=1)
    margins = acceptable(center, p, w, nd, lo, up, penalty=pen).margins
    # The depth of the LP, and the constant margins of indifferent rows (inf: no rows at all).
    min_margin = float(min(depth, float(margins[const].min()) if const.any() else np.inf))
    empty = bool(depth < -TOL or not np.all(const_ok))

    if empty:
        found = _conflicts(p, w, nd, lo, up, center[None, :], pen=pen) if conflicts else []
        return WinSet(
            empty=True,
            center=center,
            min_margin=min_margin,
            margins=margins,
            extent=np.full((d, 2), np.nan),
            volume_share=0.0,
            volume_method="empty",
            volume_error=0.0,
            conflicts=found,
            unexplained=bool(conflicts and not found),
        )

    extent = _extent(p, w, nd, lo, up, center, pen)
    if np.isfinite(depth):
        better = _recentre(p, w, nd, lo, up, depth, extent.mean(axis=1), pen)
        if better is not None:
            center = better
            margins = acceptable(center, p, w, nd, lo, up, penalty=pen).margins
    share, method, err = float("nan"), "skipped", float("nan")
    if volume:
        if d == 1:
            share, method, err = float(extent[0, 1] - extent[0, 0]) / 100.0, "exact", 0.0
        elif d <= MAX_EXACT_DIM:
            a, b = halfspaces(p, w, nd, lo, up, penalty=pen)
            try:
                share, method = _volume_exact(a, b)
                err = 0.0
            except (QhullError, ValueError):
                share, err = volume_qmc(p, w, nd, lo, up, seed=seed, penalty=pen)
                method = "qmc"
        else:
            share, err = volume_qmc(p, w, nd, lo, up, seed=seed, penalty=pen)
            method = "qmc"
    return WinSet(
        empty=False,
        center=center,
        min_margin=min_margin,
        margins=margins,
        extent=extent,
        volume_share=share,
        volume_method=method,
        volume_error=err,
        conflicts=[],
        unexplained=False,
    )


# --------------------------------------------------------------------------------------------
# Knife edges (issue 13)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnifeEdge:
    """The smallest change to one red-line bound that flips the win-set's emptiness.

    ``empties``: for a non-empty ``W``, tightening the bound by more than ``change`` scale
    points empties it (``change = 0``: any tightening does, a knife edge); for an empty ``W``
    (``empties`` False), relaxing it by ``change`` makes it non-empty. ``row`` None: no single
    red line does it (``change`` inf).
    """

    row: int | None
    dimension: int | None
    op: str
    change: float
    empties: bool


def _lines(lo: FloatArray, up: FloatArray, pen: FloatArray) -> list[tuple[int, int, str]]:
    """The hard red lines that exclude something (a soft line is a price, not a wall)."""
    n, d = lo.shape
    hard = ~np.isfinite(pen)
    return [
        (i, k, ">=") for i in range(n) for k in range(d) if lo[i, k] > SCALE_MIN and hard[i, k]
    ] + [(i, k, "<=") for i in range(n) for k in range(d) if up[i, k] < SCALE_MAX and hard[i, k]]


def _farthest(
    p: FloatArray,
    w: FloatArray,
    nd: FloatArray,
    lo: FloatArray,
    up: FloatArray,
    k: int,
    sign: float,
    pen: FloatArray | None = None,
) -> float | None:
    """``max sign·x_k`` over ``W`` (one LP); None when ``W`` is empty."""
    n, d = p.shape
    if not np.all(_constant_rows_ok(w, nd)):
        return None
    sys_ = _system(np.arange(n), p, w, nd, lo, up, pen=pen)
    if sys_.a_ub.shape[0] == 0:
        return SCALE_MAX if sign > 0 else -SCALE_MIN
    c = np.zeros(sys_.n_vars)
    c[k] = -sign
    res = linprog(c, A_ub=sys_.a_ub, b_ub=sys_.b_ub, bounds=_bounds(sys_, d, []), method=_HIGHS)
    return None if res.status != 0 else float(sign * res.x[k])


def knife_edge(
    ideal: ArrayLike,
    weights: ArrayLike,
    no_deal: ArrayLike,
    lower: ArrayLike,
    upper: ArrayLike,
    *,
    empty: bool,
    extent: FloatArray | None = None,
    penalty: ArrayLike | None = None,
) -> KnifeEdge:
    """The win-set's robustness to one red-line bound (issue 13; docs/specs/preferences.md).

    Non-empty ``W``: a lower bound ``l_id`` empties it once raised above ``max_W x_d``, an
    upper bound ``u_id`` once lowered below ``min_W x_d`` (the ``extent``), so its slack is
    ``max_W x_d - l_id`` or ``u_id - min_W x_d``; the robustness is the smallest slack. Empty
    ``W``: drop one line; if the rest ``W_-`` is non-empty, the line must relax by
    ``l_id - max_{W_-} x_d`` (or ``min_{W_-} x_d - u_id``): one LP per line, the smallest wins.
    Only hard lines are searched: moving a soft line's bound moves a price, not a wall.
    """
    p, w, nd, lo, up = _arrays(ideal, weights, no_deal, lower, upper)
    pen = _penalty(penalty, p.shape)
    best = KnifeEdge(None, None, "", float("inf"), not empty)
    for i, k, op in _lines(lo, up, pen):
        if not empty:
            assert extent is not None
            change = extent[k, 1] - lo[i, k] if op == ">=" else up[i, k] - extent[k, 0]
        else:
            lo2, up2 = lo.copy(), up.copy()
            if op == ">=":
                lo2[i, k] = SCALE_MIN
            else:
                up2[i, k] = SCALE_MAX
            far = _farthest(p, w, nd, lo2, up2, k, 1.0 if op == ">=" else -1.0, pen)
            if far is None:
                continue
            change = lo[i, k] - far if op == ">=" else -far - up[i, k]
        change = max(0.0, float(change))
        if change < best.change:
            best = KnifeEdge(i, k, op, change, not empty)
    return best


@dataclass(frozen=True)
class SalienceEdge:
    """The smallest change to one veto player's salience on one dimension that flips the
    win-set's emptiness (``salience_knife_edge``).

    ``value``: the new salience (0-100); ``change``: ``value`` minus the old salience (signed);
    ``empties``: True for a non-empty ``W`` (the change empties it), False for an empty one (it
    fills it). ``row`` None: no single salience in [0, 100] does it (``change`` inf).
    """

    row: int | None
    dimension: int | None
    value: float
    change: float
    empties: bool


#: precision of the salience bisection, in salience points (0-100 scale)
SALIENCE_TOL = 0.01


def _reweighted(
    p: FloatArray, s: FloatArray, q: FloatArray, allowance: FloatArray, i: int, k: int, v: float
) -> tuple[FloatArray, FloatArray]:
    """Weights and no-deal utilities with actor ``i``'s salience on ``k`` set to ``v``.

    ``U_i(no deal) = U_i(q) - allowance_i / 100`` is recomputed because ``U_i(q)`` depends on
    the weights (docs/specs/preferences.md, "No deal").
    """
    s2 = s.copy()
    s2[i, k] = v
    w = preferences.normalised_weights(s2)
    return w, utility(q, p, w) - allowance / 100.0


def _flips(
    arrays: tuple[FloatArray, ...],
    i: int,
    k: int,
    v: float,
    witnesses: list[FloatArray],
    empty: bool,
) -> bool:
    """Whether setting salience ``(i, k)`` to ``v`` flips the emptiness of ``W``.

    A witness point still accepted by every row proves ``W`` non-empty without an LP. Every
    point an LP finds joins ``witnesses``: only row ``i``'s weights and no-deal utility move
    with ``s_ik``, so it stays a point of the other rows' win-set, and (margins linear in
    ``s_ik``, see :func:`salience_knife_edge`) it decides every later step on its side.
    """
    p, s, q, allowance, lo, up, pen = arrays
    w, nd = _reweighted(p, s, q, allowance, i, k, v)
    if witnesses and bool(
        np.any(acceptable(np.stack(witnesses), p, w, nd, lo, up, penalty=pen).in_winset)
    ):
        return empty
    point = _feasible_point(list(range(p.shape[0])), p, w, nd, lo, up, pen)
    if point is not None:
        witnesses.append(point)
    return (point is None) != empty


def salience_knife_edge(
    ideal: ArrayLike,
    saliences: ArrayLike,
    no_deal: ArrayLike,
    lower: ArrayLike,
    upper: ArrayLike,
    status_quo: ArrayLike,
    *,
    empty: bool,
    center: ArrayLike | None = None,
    penalty: ArrayLike | None = None,
    tol: float = SALIENCE_TOL,
) -> SalienceEdge:
    """The win-set's robustness to one salience (issue 13; docs/specs/preferences.md, "Knife
    edges"): the smallest ``|Δs_ik|`` of one row ``i`` on one dimension ``k`` (others fixed,
    weights renormalised, ``U_i(no deal)`` recomputed from ``status_quo`` with the war cost
    ``100 (U_i(q) - no_deal_i)`` the chain already carries) that empties a non-empty ``W`` or
    fills an empty one.

    Why bisection is exact (to ``tol``): for a fixed ``x``, ``i``'s margin times ``100 S_i``
    is linear in ``s_ik`` (``Σ_d s_id (|q_d - p_id| - |x_d - p_id|) + allowance_i S_i - 100
    π e_i(x) S_i``), so the saliences at which ``x`` is acceptable form a half-line, and the
    saliences at which ``W`` is non-empty — a union over ``x`` of half-lines — are a union of
    at most two rays; the saliences that empty it are one interval. From an empty ``W`` the
    nearest filling value on each side is found by bisection toward 0 or 100 when that end
    fills it. From a non-empty ``W`` each end that empties it is bisected toward; an emptying
    interval strictly inside (0, 100) with both ends non-empty is not searched (stated in the
    spec). Each step is one LP (``_feasible_point``), skipped when ``center`` (a point of
    ``W``) or, for an empty ``W``, a point of the others' win-set still decides it.
    """
    p, s, nd, lo, up = _arrays(ideal, saliences, no_deal, lower, upper)
    n, d = p.shape
    pen = _penalty(penalty, p.shape)
    q = np.asarray(status_quo, dtype=np.float64).reshape(d)
    allowance = 100.0 * (utility(q, p, preferences.normalised_weights(s)) - nd)
    arrays = (p, s, q, allowance, lo, up, pen)
    best = SalienceEdge(None, None, float("nan"), float("inf"), not empty)
    for i in range(n):
        witness = _edge_witness(p, s, nd, lo, up, pen, i, empty, center)
        if empty and witness is None:
            continue  # the others alone leave nothing: no salience of i can fill W
        # points of the others' win-set found for row i; shared by its dimensions
        witnesses = [] if witness is None else [witness]
        for k in range(d):
            best = _salience_side(arrays, i, k, witnesses, empty, best, tol)
    return best


def _edge_witness(
    p: FloatArray,
    s: FloatArray,
    nd: FloatArray,
    lo: FloatArray,
    up: FloatArray,
    pen: FloatArray,
    i: int,
    empty: bool,
    center: ArrayLike | None,
) -> FloatArray | None:
    """A point of ``W`` (non-empty), or of the win-set of every row but ``i`` (empty ``W``)."""
    if not empty:
        return None if center is None else np.asarray(center, dtype=np.float64)
    w = preferences.normalised_weights(s)
    others = [r for r in range(p.shape[0]) if r != i]
    if not others:
        return np.full(p.shape[1], 50.0)
    return _feasible_point(others, p, w, nd, lo, up, pen)


def _salience_side(
    arrays: tuple[FloatArray, ...],
    i: int,
    k: int,
    witnesses: list[FloatArray],
    empty: bool,
    best: SalienceEdge,
    tol: float,
) -> SalienceEdge:
    """Try both directions for salience ``(i, k)``; keep the smaller flip (see above)."""
    s0 = float(arrays[1][i, k])
    for end in (SCALE_MIN, SCALE_MAX):
        # one crossing between s0 and the end (see salience_knife_edge): no flip at the
        # nearer of the end and the best change so far means nothing nearer on this side
        reach = min(abs(end - s0), abs(best.change))
        limit = s0 + np.sign(end - s0) * reach
        if reach <= tol or not _flips(arrays, i, k, limit, witnesses, empty):
            continue
        a, b = s0, float(limit)  # invariant: a does not flip, b flips
        while abs(b - a) > tol:
            m = 0.5 * (a + b)
            a, b = (a, m) if _flips(arrays, i, k, m, witnesses, empty) else (m, b)
        if abs(b - s0) < abs(best.change):
            best = SalienceEdge(i, k, b, b - s0, not empty)
    return best


# --------------------------------------------------------------------------------------------
# The smallest rescuing concession
# --------------------------------------------------------------------------------------------


def rescue(
    x0: ArrayLike,
    rescuer_weights: ArrayLike,
    ideal: ArrayLike,
    weights: ArrayLike,
    no_deal: ArrayLike,
    lower: ArrayLike,
    upper: ArrayLike,
    *,
    penalty: ArrayLike | None = None,
) -> Rescue | None:
    """The point of ``W`` nearest to ``x0`` for the rescuer (docs/specs/preferences.md, "The
    smallest rescuing concession"): ``min Σ_d w_rd |x_d - x0_d|  s.t.  x ∈ W``, one LP with ``u_d >=
    ±(x_d - x0_d)``.

    Ties: the rescuer may weigh some dimensions 0, and then many points of ``W`` are equally
    near. We add ``RESCUE_TIE_BREAK`` (1e-6) times the unweighted city-block distance
    ``Σ_d |x_d - x0_d|`` to the objective, which picks, among the (near-)nearest points, the
    one that moves least in plain scale points — deterministic and the natural reading of
    "smallest concession". It can cost at most 1e-6 × 400 = 4e-4 scale points of rescuer
    distance, and none when the LP has a unique optimum. ``distance`` is the rescuer's own
    distance of the returned point, without the tie-break.

    Binding actor: red lines are constraints of the row that declared them, so a red line can
    bind. Each constraint's dual is HiGHS's ``res.ineqlin.marginals`` (scale points of
    distance per scale point of relaxation, comparable between utility rows — whose right-hand
    side is ``-100 U_i(no deal)`` — and red lines); a row's dual is the sum of the absolute
    duals of its constraints, and ``binding`` is the row with the largest (None if all are 0).
    Returns None when ``W`` is empty; when ``x0`` is already in ``W`` (within ``TOL``), ``x*``
    is ``x0``, distance 0, binding None.

    Soft red lines (``penalty`` finite) are priced in each row's utility (``_system``), so the
    rescue may cross one where crossing is cheaper than moving elsewhere.
    """
    p, w, nd, lo, up = _arrays(ideal, weights, no_deal, lower, upper)
    n, d = p.shape
    pen = _penalty(penalty, p.shape)
    x0a = np.asarray(x0, dtype=np.float64).reshape(d)
    wr = np.asarray(rescuer_weights, dtype=np.float64).reshape(d)
    if not np.all(_constant_rows_ok(w, nd)):
        return None
    if bool(acceptable(x0a, p, w, nd, lo, up, penalty=pen).in_winset):
        return Rescue(x0a.copy(), np.zeros(d), 0.0, None, np.zeros(n))
    sys_ = _system(np.arange(n), p, w, nd, lo, up, n_extra=d, pen=pen)
    # Rows u_d >= ±(x_d - x0_d): x_d - u_d <= x0_d, -x_d - u_d <= -x0_d.
    eye = np.eye(d)
    extra = np.zeros((2 * d, sys_.n_vars))
    extra[:d, :d], extra[:d, d : 2 * d] = eye, -eye
    extra[d:, :d], extra[d:, d : 2 * d] = -eye, -eye
    a_ub = np.vstack([sys_.a_ub, extra])
    b_ub = np.concatenate([sys_.b_ub, x0a, -x0a])
    owner = np.concatenate([sys_.owner, np.full(2 * d, -1, dtype=np.int64)])
    c = np.zeros(sys_.n_vars)
    c[d : 2 * d] = wr + RESCUE_TIE_BREAK
    res = linprog(
        c, A_ub=a_ub, b_ub=b_ub, bounds=_bounds(sys_, d, [(0.0, None)] * d), method=_HIGHS
    )
    if res.status != 0:
        return None
    x = np.asarray(res.x[:d], dtype=np.float64)
    marg = np.abs(np.asarray(res.ineqlin.marginals, dtype=np.float64))
    duals = np.zeros(n)
    mine = owner >= 0
    np.add.at(duals, owner[mine], marg[mine])
    # The LP is degenerate whenever x0 lies on some row's boundary (a red line at exactly the
    # proposal's value): that row then carries a one-sided dual although relaxing it would not
    # shorten the move. The rows that reject x0 and are tight at x* are the ones the move was
    # made for, so the binding row is chosen among them (largest dual, ties in input order),
    # and among all rows only if none of them is tight.
    at_x0 = acceptable(x0a, p, w, nd, lo, up, penalty=pen)
    at_x = acceptable(x, p, w, nd, lo, up, penalty=pen)
    hlo, hup = _hard(lo, up, pen)
    gap_lo = np.where(hlo > SCALE_MIN, np.abs(x - hlo), np.inf).min(axis=-1)
    gap_up = np.where(hup < SCALE_MAX, np.abs(hup - x), np.inf).min(axis=-1)
    tight = (np.abs(at_x.margins) <= 1e-7) | (np.minimum(gap_lo, gap_up) <= 1e-6)
    movers = np.flatnonzero(~at_x0.accepts & tight)
    binding: int | None
    if movers.size:
        binding = int(movers[np.argmax(duals[movers])])
    else:
        binding = int(np.argmax(duals)) if duals.max(initial=0.0) > 0 else None
    return Rescue(
        point=x,
        moves=x - x0a,
        distance=float(np.sum(wr * np.abs(x - x0a))),
        binding=binding,
        duals=duals,
        binding_rows=tuple(int(i) for i in movers),
    )


# --------------------------------------------------------------------------------------------
# The smallest change to one actor
# --------------------------------------------------------------------------------------------


def _position_change(
    x0: FloatArray, q: FloatArray, p: FloatArray, w: FloatArray, allowance: float
) -> FloatArray:
    """Smallest city-block move ``Δp`` with ``Σ_d w_d (|x0_d - p'_d| - |q_d - p'_d|) <= allowance``.

    The acceptance condition ``U(x0) >= U(q) - allowance/100`` is ``g(p) <= allowance`` with
    ``g(p) = Σ_d f_d(p_d)``, ``f_d(p_d) = w_d (|x0_d - p_d| - |q_d - p_d|)``. Each ``f_d`` is
    monotone piecewise linear: ``+w_d |x0_d - q_d|`` beyond ``q_d`` (on the side away from
    ``x0_d``), ``-w_d |x0_d - q_d|`` beyond ``x0_d``, and slope ``2 w_d`` in between
    (``f_d`` falls by ``2 w_d`` per point moved toward ``x0_d``). Moving ``p_d`` away from
    ``x0_d``, or past it, never lowers ``f_d``, so an optimal move goes straight toward
    ``x0_d``, and lowering ``f_d`` by ``a_d`` (up to its room ``cap_d = f_d(p_d) + w_d |x0_d -
    q_d|``) costs ``dead_d + a_d / (2 w_d)``, where ``dead_d = |p_d - q_d|`` if ``p_d`` lies
    beyond ``q_d`` (the flat stretch to cross first) and 0 otherwise.

    Minimising ``Σ_d cost_d(a_d)`` s.t. ``Σ_d a_d >= g(p) - allowance`` is a fractional
    knapsack with fixed charges ``dead_d``. Greedy by largest ``w_d`` alone is optimal only
    without fixed charges (all ``p_d`` between ``q_d`` and ``x0_d``). Exact method: for every
    subset ``S`` of the dimensions with room, pay ``Σ_{d∈S} dead_d`` and fill the rest greedily
    by largest ``w_d`` within ``S`` — optimal for that support, because the remaining cost is
    linear with unit cost ``1/(2 w_d)`` and capacities. An optimal solution has some support
    ``S*``, and its cost is at least the value enumerated for ``S*``; so the minimum over
    subsets is the optimum. ``p' = x0`` always accepts (``g = -Σ w |x0 - q| <= 0``), so a
    solution exists. ``2^k`` subsets for ``k`` dimensions with room (``k <= 16``).
    """
    f = w * (np.abs(x0 - p) - np.abs(q - p))
    need = float(f.sum() - allowance)
    dmove = np.zeros_like(p)
    if need <= 0:
        return dmove
    cap = f + w * np.abs(x0 - q)
    beyond_q = (p - q) * (x0 - q) < 0
    dead = np.where(beyond_q, np.abs(p - q), 0.0)
    dims = [int(k) for k in np.argsort(-w, kind="stable") if cap[k] > 0 and w[k] > 0]
    if len(dims) > MAX_POSITION_DIMS:
        raise ValueError(f"exact position change limited to {MAX_POSITION_DIMS} dimensions")
    best_cost, best_alloc = np.inf, None
    for r in range(1, len(dims) + 1):
        for subset in itertools.combinations(dims, r):  # kept in descending-w order
            if sum(cap[k] for k in subset) < need:
                continue
            cost = sum(dead[k] for k in subset)
            left, alloc = need, {}
            for k in subset:
                a = min(cap[k], left)
                alloc[k] = a
                cost += a / (2.0 * w[k])
                left -= a
                if left <= 0:
                    break
            if cost < best_cost - 1e-12:
                best_cost, best_alloc = cost, alloc
    assert best_alloc is not None  # p' = x0 always works (see docstring)
    for k, a in best_alloc.items():
        if a > 0:
            dmove[k] = np.sign(x0[k] - p[k]) * (dead[k] + a / (2.0 * w[k]))
    return dmove


def _salience_change(
    x0: FloatArray, q: FloatArray, p: FloatArray, s: FloatArray, allowance: float
) -> tuple[int | None, float | None, float | None]:
    """Smallest change to one salience (0-100) that makes the actor accept.

    With weights ``s_d / S``, acceptance ``Σ_d w_d (|q_d - p_d| - |x0_d - p_d|) + allowance >= 0``
    is, multiplied by ``S = Σ_d s_d > 0``, ``h = Σ_d s_d c_d + allowance · S >= 0`` with
    ``c_d = |q_d - p_d| - |x0_d - p_d|`` — linear in each salience (the margin itself is a
    ratio of linear functions of ``s_e``; its sign is that of ``h``). So for dimension ``e``,
    ``h(s) = h_0 + s (c_e + allowance)`` with the others fixed, and the nearest accepting value
    is the root ``s* = -h_0 / (c_e + allowance)`` if it lies in [0, 100] on the right side.
    (``S = 0`` is the indifferent actor, who accepts; ``h(0) = 0`` agrees.)
    """
    c = np.abs(q - p) - np.abs(x0 - p)
    best: tuple[int | None, float | None, float | None] = (None, None, None)
    for e in range(p.shape[0]):
        others = np.arange(p.shape[0]) != e
        h0 = float(np.sum(s[others] * c[others]) + allowance * np.sum(s[others]))
        slope = float(c[e] + allowance)
        if slope == 0.0:
            continue
        root = -h0 / slope
        # h(s_e) < 0 now; the accepting side is s >= root (slope > 0) or s <= root (< 0).
        value = max(root, s[e]) if slope > 0 else min(root, s[e])
        if not (0.0 <= value <= 100.0):
            continue
        if allowance < 0 and value + float(np.sum(s[others])) == 0.0:
            continue  # caring about nothing leaves a priced soft line's cost in place

        change = value - float(s[e])
        if best[2] is None or abs(change) < abs(best[2]):
            best = (e, value, change)
    return best


def single_actor_changes(
    x0: ArrayLike,
    ideal: ArrayLike,
    saliences: ArrayLike,
    war_cost: ArrayLike,
    fighting: bool,
    lower: ArrayLike,
    upper: ArrayLike,
    status_quo: ArrayLike,
    *,
    penalty: ArrayLike | None = None,
) -> list[ActorChange]:
    """For each row that rejects ``x0``, the smallest change to that one actor that makes it
    accept ``x0`` as it stands (docs/specs/preferences.md, "No deal" and "Acceptance").

    ``saliences`` (n, D) are raw 0-100 saliences (weights are their normalisation);
    ``war_cost`` (n,) on the 0-100 scale; ``fighting``: whether fighting continues;
    ``status_quo`` (D,) the point ``q``. ``U_i(no deal)`` is recomputed from ``q`` because each
    change below moves it. A row rejects iff ``x0`` breaks one of its red lines or
    ``U_i(x0) < U_i(q) - war_cost_i/100`` (war cost only if fighting), beyond ``TOL``.

    (a) war cost: accept iff ``war_cost >= 100 (U_i(q) - U_i(x0))`` — the threshold is
        returned; None when fighting does not continue.
    (b) position: the smallest ``Σ_d |Δp_d|`` (``_position_change``, exact).
    (c) salience: the smallest ``|Δs_e|`` over dimensions ``e`` (``_salience_change``, exact).
    A hard red line crossed cannot be fixed by any of these: all three are None. A soft line
    crossed (``penalty`` ``(n, D)`` finite) costs ``P_i = Σ_d π_id e_id(x0)`` whatever the
    actor's position or saliences, so it lowers the allowance by ``100 P_i`` scale points: the
    war-cost threshold rises by ``100 P_i``, and a position or salience change must make up
    for it (None where none can: at ``p = x0`` the actor still rejects).
    """
    p = np.atleast_2d(np.asarray(ideal, dtype=np.float64))
    n, d = p.shape
    s = np.asarray(saliences, dtype=np.float64).reshape(n, d)
    wc = np.asarray(war_cost, dtype=np.float64).reshape(n)
    lo = np.asarray(lower, dtype=np.float64).reshape(n, d)
    up = np.asarray(upper, dtype=np.float64).reshape(n, d)
    q = np.asarray(status_quo, dtype=np.float64).reshape(d)
    x = np.asarray(x0, dtype=np.float64).reshape(d)
    total = s.sum(axis=1, keepdims=True)
    w = np.divide(s, total, out=np.zeros_like(s), where=total > 0)
    allowance = wc if fighting else np.zeros(n)
    u_q = utility(q, p, w)
    nd = u_q - allowance / 100.0
    pen = None if penalty is None else np.asarray(penalty, dtype=np.float64).reshape(n, d)
    acc = acceptable(x, p, w, nd, lo, up, penalty=pen)
    excess = np.maximum(lo - x, 0.0) + np.maximum(x - up, 0.0)
    priced = preferences.soft_penalty(excess, pen)[0]  # (n,) utility units
    u_x = utility(x, p, w)
    out: list[ActorChange] = []
    for i in (int(k) for k in np.flatnonzero(~acc.accepts)):
        if acc.red_line_gap[i] > 100.0 * TOL:  # a hard line: no change below helps
            out.append(
                ActorChange(i, float(acc.margins[i]), True, None, None, None, None, None, None)
            )
            continue
        out.append(_one_change(i, x, q, p[i], w[i], s[i], float(acc.margins[i]), (
            float(100.0 * (u_q[i] - u_x[i] + priced[i])) if fighting else None,
            float(allowance[i] - 100.0 * priced[i]),
        )))  # fmt: skip
    return out


def _one_change(
    i: int,
    x: FloatArray,
    q: FloatArray,
    p: FloatArray,
    w: FloatArray,
    s: FloatArray,
    margin: float,
    war_and_allowance: tuple[float | None, float],
) -> ActorChange:
    """Row ``i``'s war-cost threshold, position and salience changes (:func:`single_actor_changes`)
    with ``allowance`` its war cost less its soft lines' price, in scale points."""
    war, allowance = war_and_allowance
    # at p = x0 the actor's own terms cost nothing: a position change helps only if that suffices
    reachable = -float(np.sum(w * np.abs(x - q))) <= allowance + 100.0 * TOL
    move = _position_change(x, q, p, w, allowance) if reachable else None
    dim, value, change = _salience_change(x, q, p, s, allowance)
    return ActorChange(
        row=i,
        margin=margin,
        red_line_violated=False,
        war_cost=war,
        position_move=move,
        position_distance=None if move is None else float(np.abs(move).sum()),
        salience_dim=dim,
        salience_value=value,
        salience_change=change,
    )


def slice_polygon(
    ideal: ArrayLike,
    weights: ArrayLike,
    no_deal: ArrayLike,
    lower: ArrayLike,
    upper: ArrayLike,
    dims: tuple[int, int],
    fixed: ArrayLike,
    *,
    penalty: ArrayLike | None = None,
) -> FloatArray:
    """Vertices (k, 2) of the 2-D slice of the rows' common acceptable set.

    The slice fixes every coordinate but ``dims`` at ``fixed`` (D,) and keeps the half-spaces of
    :func:`halfspaces` restricted to the plane; the polygon is the unit square clipped by each
    half-plane in turn (Sutherland-Hodgman, exact for convex sets). Empty: shape (0, 2).
    """
    a, b = halfspaces(ideal, weights, no_deal, lower, upper, penalty=penalty)
    f = np.asarray(fixed, dtype=np.float64)
    i, j = dims
    others = [k for k in range(f.shape[0]) if k not in dims]
    rhs = b - a[:, others] @ f[others]
    # plain floats: a polygon of a handful of vertices clipped by each half-plane in turn is
    # ~10x faster in Python arithmetic than in 2-element numpy arrays (measured, issue 18)
    poly: list[tuple[float, float]] = [
        (SCALE_MIN, SCALE_MIN),
        (SCALE_MAX, SCALE_MIN),
        (SCALE_MAX, SCALE_MAX),
        (SCALE_MIN, SCALE_MAX),
    ]
    a2 = a[:, [i, j]]
    # a half-plane that holds at the square's four corners holds on all of it (convexity)
    # and cannot clip: most of the 2^D rows per actor are such, dropped before the loop
    worst = np.maximum(a2[:, 0] * SCALE_MIN, a2[:, 0] * SCALE_MAX) + np.maximum(
        a2[:, 1] * SCALE_MIN, a2[:, 1] * SCALE_MAX
    )
    cuts = worst > rhs
    for (ai, aj), r in zip(a2[cuts].tolist(), rhs[cuts].tolist(), strict=True):
        if not poly:
            break
        if ai == 0.0 and aj == 0.0:
            # a constraint on the fixed coordinates only; LP centres sit on such a boundary
            # up to solver tolerance, hence the slack
            if r < -1e-6:
                poly = []
            continue
        poly = _clip(poly, ai, aj, r)
    return np.array(poly, dtype=np.float64).reshape(-1, 2)


def _clip(
    poly: list[tuple[float, float]], ai: float, aj: float, r: float
) -> list[tuple[float, float]]:
    """One Sutherland-Hodgman step: ``poly`` clipped to ``ai x + aj y <= r``."""
    out: list[tuple[float, float]] = []
    for k, (px, py) in enumerate(poly):
        qx, qy = poly[(k + 1) % len(poly)]
        fp, fq = ai * px + aj * py - r, ai * qx + aj * qy - r
        if fp <= 1e-9:
            out.append((px, py))
        if (fp < 0 < fq) or (fq < 0 < fp):
            u = fp / (fp - fq)
            out.append((px + u * (qx - px), py + u * (qy - py)))
    return out
