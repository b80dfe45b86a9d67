"""The asymmetric Nash bargaining solution with quadratic, salience-weighted utilities.

Spec: ``docs/specs/bargaining.md``, section "nash — the asymmetric Nash bargaining solution".

Utilities ``u_i(x) = -sum_d s_id (x_d - x_id)^2``, disagreement point the status quo ``q``. With
the gains ``g_i(x) = u_i(x) - u_i(q)`` the solution maximises

    F(x) = sum_i c_i log g_i(x)   over   S = { x : g_i(x) > 0 for every i with c_i > 0 }.

Method (vectorised over the batch):

1. **Is S empty?** Each ``g_i`` is a concave quadratic with ``g_i(q) = 0``, so
   ``g_i(x) <= a_i . (x - q)`` with ``a_i = grad g_i(q) = 2 s_i * (x_i - q)``. Hence S is non-empty
   iff some direction ``v`` has ``a_i . v > 0`` for every active actor (conversely such a ``v``
   gives ``g_i(q + t v) = t a_i.v - t^2 sum_d s_id v_d^2 > 0`` for small ``t > 0``). We look for
   ``v`` first with cheap vectorised candidates (the compromise mean minus ``q``, the sum of the
   normalised ``a_i``, and iterates of Gilbert's minimum-norm-point algorithm on the normalised
   ``a_i``); batch elements still undecided get an exact test, one element at a time (about
   20 microseconds each): the least-distance programme ``min |v| s.t. a_i.v / |a_i| >= 1``,
   solved through non-negative least squares (Lawson & Hanson 1974, ch. 23;
   ``scipy.optimize.nnls``), which is infeasible exactly when 0 lies in the convex hull of the
   normalised ``a_i``, i.e. when S is empty. A direction is accepted when its margin
   ``min_i a_i.v / (|a_i| |v|)`` exceeds ``FEASIBILITY_TOL``; otherwise S is declared empty
   (this treats sets thinner than that angular margin as empty).
2. **Strictly feasible start**: on the ray ``q + t v`` every gain is
   ``g_i = t a_i.v - t^2 sum_d s_id v_d^2``, positive for ``0 < t < t_max = min_i a_i.v /
   sum_d s_id v_d^2``; the start is ``t = t_max / 2``.
3. **Two Newton phases**: first with equal weights on the active actors (this centres every
   gain away from its boundary quickly), then, from there, with the capabilities. Started
   directly with very unequal capabilities, Newton crawls when a low-capability actor begins
   near its boundary (its barrier is under-weighted in the Newton model and cuts every step).
   Each phase is a **damped Newton** method on ``F`` with the weights normalised to sum 1
   (the maximiser does not change): direction ``-H^{-1} grad F``; backtracking (halving)
   until every ``g_i`` stays positive and the Armijo condition holds. Once the Newton decrement
   ``lambda^2 = grad^T (-H)^{-1} grad`` (twice the predicted gain in F) is below
   ``PURE_NEWTON_DEC`` the Armijo test is dropped (F is then too flat to show progress through
   rounding) and full, feasibility-checked Newton steps are taken. An element stops after a
   step no longer than ``STEP_TOL`` in every coordinate (the step is taken; quadratic
   convergence makes the remaining error negligible), when the decrement stops falling in the
   pure Newton phase (rounding floor), when no step is feasible, or after ``max_iter``.

Choices where the spec is silent (documented here and in ``extras``):

* Actors with ``c_i = 0`` are ignored entirely. If no actor has ``c_i > 0`` the objective is
  constant; the outcome is ``q`` (case ``no_active_actors``).
* Dimensions on which every active actor has zero salience do not enter ``F``; the outcome there
  is ``q_d`` (as for the compromise model).
* No clipping to [0, 100] is done or needed: at the optimum ``grad F = 0`` gives, per dimension,
  ``x_d = sum_i (c_i s_id / g_i) x_id / sum_i (c_i s_id / g_i)``, a positive-weight mean of the
  ideals, so the solution lies in the box spanned by the ideal points.
* ``rounds`` is 0 (a solution concept, not a process); Newton iterations are in
  ``extras["iterations"]``. ``trajectory`` is the input positions, shape ``(B, 1, n, D)``.

``extras["case"]`` is an int8 array (B,) with codes ``CASE_NAMES[code]``:
0 ``solved``, 1 ``ideal_at_q`` (an active actor cannot gain over ``q``: its ideal equals ``q`` on
every dimension it cares about, or it cares about none), 2 ``no_common_gain`` (no point improves on
``q`` for every active actor), 3 ``no_active_actors``. Cases 1-3 have outcome ``q``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import nnls

from ceasefire.bargaining.base import Capabilities, FloatArray, Forecast, IntArray, Problem

BoolArray = NDArray[np.bool_]

VERSION = "1"
CASE_SOLVED = 0
CASE_IDEAL_AT_Q = 1
CASE_NO_COMMON_GAIN = 2
CASE_NO_ACTIVE_ACTORS = 3
CASE_NAMES = ("solved", "ideal_at_q", "no_common_gain", "no_active_actors")
#: the warning each case puts on a forecast (none when solved)
NOTE_NAMES = (
    "",
    "an actor without war cost has its ideal at the status quo on every dimension it cares "
    "about, so it gains from no move there: those dimensions stay at the status quo (its only "
    "individually rational values) and the others are bargained among the rest",
    "no point improves on the no-deal point for every actor: the outcome is the status quo",
    "no actor has capability: the outcome is the status quo",
)

FEASIBILITY_TOL = 1e-9
PURE_NEWTON_DEC = 1e-8
STEP_TOL = 1e-9
CONVERGED_DEC = 1e-10
GILBERT_ITERATIONS = 64


def _margin(ahat: FloatArray, active: BoolArray, v: FloatArray) -> FloatArray:
    """min over active i of ahat_i . v / |v| (B,), ahat normalised rows (B, n, D)."""
    norm = np.linalg.norm(v, axis=-1)
    dots = np.einsum("bnd,bd->bn", ahat, v)
    dots = np.where(active, dots, np.inf)
    m = dots.min(axis=1)
    return np.where(norm > 0, m / np.where(norm > 0, norm, 1.0), -np.inf)


def _ldp_direction(ahat: FloatArray) -> tuple[float, FloatArray]:
    """Exact check for one element by least-distance programming (Lawson & Hanson 1974, ch. 23).

    ``min |v| s.t. ahat v >= 1`` is solved through the non-negative least squares problem
    ``min_{u >= 0} |E u - f|`` with ``E = [ahat^T; 1^T]``, ``f = (0, ..., 0, 1)``: a zero
    residual means no such ``v`` exists (0 lies in the convex hull of the rows); otherwise
    ``v = -r[:D] / r[D]`` with ``r = E u - f``. Returns ``(margin, v)``, margin as in ``_margin``.
    """
    n, d = ahat.shape
    e = np.vstack([ahat.T, np.ones((1, n))])
    f = np.zeros(d + 1)
    f[-1] = 1.0
    u, _ = nnls(e, f)
    r = e @ u - f
    if not r[-1] < 0:
        return -np.inf, np.zeros(d)
    v = -r[:d] / r[-1]
    norm = float(np.linalg.norm(v))
    if norm == 0.0 or not np.isfinite(norm):
        return -np.inf, np.zeros(d)
    return float(np.min(ahat @ v)) / norm, v


def _feasible_direction(
    a: FloatArray, active: BoolArray, cand0: FloatArray
) -> tuple[FloatArray, BoolArray]:
    """A direction v (B, D) with a_i . v > 0 for all active i, and whether one exists (B,)."""
    b, _, d = a.shape
    anorm = np.linalg.norm(a, axis=-1)
    ahat = np.where(active[..., None], a / np.where(anorm > 0, anorm, 1.0)[..., None], 0.0)
    best_v = np.zeros((b, d))
    best_m = np.full(b, -np.inf)

    def consider(v: FloatArray) -> None:
        # elements already decided keep their direction, so the result for one element does
        # not depend on the rest of the batch
        m = _margin(ahat, active, v)
        better = (m > best_m) & (best_m <= FEASIBILITY_TOL)
        best_m[better] = m[better]
        best_v[better] = v[better]

    consider(cand0)
    consider(ahat.sum(axis=1))
    # Gilbert's algorithm: minimum-norm point of conv{ahat_i}; if it is p != 0 then p is a
    # direction with ahat_i . p >= |p|^2 > 0 for all i.
    first = np.argmax(active, axis=1)
    p = ahat[np.arange(b), first].copy()
    for _ in range(GILBERT_ITERATIONS):
        todo = best_m <= FEASIBILITY_TOL
        if not todo.any():
            break
        dots = np.einsum("bnd,bd->bn", ahat, p)
        dots = np.where(active, dots, np.inf)
        k = np.argmin(dots, axis=1)
        s = ahat[np.arange(b), k]
        diff = s - p
        den = np.einsum("bd,bd->b", diff, diff)
        lam = np.clip(-np.einsum("bd,bd->b", p, diff) / np.where(den > 0, den, 1.0), 0.0, 1.0)
        p = p + lam[:, None] * diff
        consider(p)
    feasible = best_m > FEASIBILITY_TOL
    for i in np.flatnonzero(~feasible):
        rows = ahat[i][active[i]]
        m, v = _ldp_direction(rows)
        if m > FEASIBILITY_TOL:
            best_v[i] = v
            feasible[i] = True
    return best_v, feasible


def gains(
    x: FloatArray, pos: FloatArray, sal: FloatArray, q: FloatArray, k: FloatArray | None = None
) -> FloatArray:
    """``g_i(x) = u_i(x) - u_i(d) = sum_d s_id (q_d - x_d)(q_d + x_d - 2 x_id) + k_i``, (B, n).

    ``k`` (B, n) is the disagreement cost :func:`disagreement_cost` (None: 0). The factored
    form avoids the cancellation of ``(q - x_i)^2 - (x - x_i)^2`` near the boundary.
    """
    qb = q[:, None, :]
    xb = x[:, None, :]
    out: FloatArray = np.einsum("bnd,bnd->bn", sal, (qb - xb) * (qb + xb - 2.0 * pos))
    return out if k is None else out + k


def disagreement_cost(problem: Problem) -> FloatArray:
    """``k_i = S_i w_i^2`` (B, n) with ``S_i = sum_d s_id`` and ``w_i`` the war cost.

    ``docs/specs/preferences.md`` ("No deal") defines a war cost of ``w`` as being as bad as
    moving ``w`` points away from the ideal on a dimension that carries all of the actor's
    salience; with this engine's quadratic loss that move costs ``S_i w_i^2``. So the
    disagreement point is ``u_i(d) = u_i(q) - k_i``, the acceptance stage's no-deal utility
    in this engine's units (0 where the problem gives no war cost).
    """
    b, n, _ = problem.shape
    if problem.war_cost is None:
        return np.zeros((b, n))
    out: FloatArray = problem.saliences.sum(axis=2) * problem.war_cost**2
    return out


def _restrict(
    a: FloatArray, sal: FloatArray, active: BoolArray, tight: BoolArray
) -> tuple[BoolArray, BoolArray]:
    """Actors at the disagreement point and the dimensions they pin, ``(B, n)``, ``(B, D)``.

    An active actor with no disagreement cost (``tight``) whose gradient at ``q`` vanishes on
    every free dimension has ``g_i(x) = -sum_d s_id (x_d - q_d)^2 <= 0`` there: its only
    individually rational points keep ``x_d = q_d`` wherever ``s_id > 0``. Those dimensions
    are pinned at ``q`` and the actor leaves the product (its factor is 0 on the whole
    individually rational set); repeated, since pinning can leave another actor with nothing.
    """
    b, n, d = a.shape
    stuck = np.zeros((b, n), dtype=bool)
    fixed = np.zeros((b, d), dtype=bool)
    for _ in range(n):
        free = np.where(fixed[:, None, :], 0.0, a)
        new = active & tight & ~stuck & ~np.any(free != 0, axis=-1)
        if not new.any():
            break
        stuck |= new
        fixed |= np.any(new[:, :, None] & (sal > 0), axis=1)
    return stuck, fixed


def _objective(
    x: FloatArray, pos: FloatArray, sal: FloatArray, c: FloatArray, q: FloatArray, k: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Gains g (B, n) and objective F (B,) (-inf where some active gain is <= 0)."""
    g = gains(x, pos, sal, q, k)
    active = c > 0
    ok = np.all(np.where(active, g > 0, True), axis=1)
    logs = np.where(active & (g > 0), np.log(np.where(g > 0, g, 1.0)), 0.0)
    f = np.where(ok, (c * logs).sum(axis=1), -np.inf)
    return g, f


def _normalise(cap: FloatArray, live: BoolArray) -> FloatArray:
    """Capabilities of the live actors, summing to 1 per element (0 elsewhere)."""
    c = np.where(live, cap, 0.0)
    csum = c.sum(axis=1)
    out: FloatArray = c / np.where(csum > 0, csum, 1.0)[:, None]
    return out


def forecast(
    problem: Problem,
    rng: np.random.Generator,
    variant: str = "quadratic",
    max_iter: int = 500,
    **params: Any,
) -> Forecast:
    """Asymmetric Nash bargaining solution for every batch element.

    (``docs/specs/bargaining.md``, nash.)

    Deterministic: ``rng`` is accepted for the protocol and not used. See the module docstring
    for the method, the feasibility test and the case codes. ``extras``: ``case`` (B,) int8,
    ``case_names``, ``note_names`` (the warning of each case), ``at_q`` (B, n) the actors at
    the disagreement point, ``disagreement_cost`` (B, n), ``iterations`` (B,) Newton
    iterations, ``decrement`` (B,) final Newton decrement ``lambda^2`` (0 where not solved),
    ``converged`` (B,) bool, ``gains`` (B, n) ``u_i(outcome) - u_i(d)``.
    """
    if params:
        raise TypeError(f"nash: unknown parameters {sorted(params)}")
    if variant != "quadratic":
        raise ValueError(f"nash: the only variant is 'quadratic', got {variant!r}")
    pos, sal, cap, q = problem.positions, problem.saliences, problem.capability, problem.status_quo
    b = pos.shape[0]
    k = disagreement_cost(problem)
    active = cap > 0
    a = 2.0 * sal * (pos - q[:, None, :])  # grad g_i at q
    stuck, fixed = _restrict(a, sal, active, k <= 0)
    live = active & ~stuck
    cared = np.any(live[:, :, None] & (sal > 0), axis=1) & ~fixed  # (B, D)

    case = np.full(b, CASE_SOLVED, dtype=np.int8)
    case[stuck.any(axis=1)] = CASE_IDEAL_AT_Q
    case[~active.any(axis=1)] = CASE_NO_ACTIVE_ACTORS
    outcome = q.copy()
    iterations = np.zeros(b, dtype=np.int64)
    decrement = np.zeros(b)
    idx = np.flatnonzero(live.any(axis=1) & cared.any(axis=1))
    if idx.size:
        c = _normalise(cap[idx], live[idx])
        af = np.where(cared[idx, None, :], a[idx], 0.0)
        need = live[idx] & (k[idx] <= 0)  # actors who gain only by moving away from q
        v, feasible = _directions(af, need, c, sal[idx], pos[idx], q[idx], cared[idx])
        case[idx[~feasible & (case[idx] == CASE_SOLVED)]] = CASE_NO_COMMON_GAIN
        sel, keep = idx[feasible], feasible
        if sel.size:
            x, its, lam2 = _solve(pos[sel], sal[sel], c[keep], q[sel], k[sel], af[keep],
                                  v[keep], need[keep], cared[sel], max_iter)  # fmt: skip
            outcome[sel] = np.where(cared[sel], x, q[sel])
            iterations[sel], decrement[sel] = its, lam2

    return Forecast(
        outcome=outcome,
        rounds=np.zeros(b, dtype=np.int64),
        method="nash",
        variant=variant,
        params={"variant": variant, "max_iter": max_iter},
        version=VERSION,
        trajectory=pos[:, None, :, :].copy(),
        extras={
            "case": case,
            "case_names": CASE_NAMES,
            "note_names": NOTE_NAMES,
            "at_q": stuck,
            "disagreement_cost": k,
            "iterations": iterations,
            "decrement": decrement,
            "converged": (case != CASE_SOLVED) | (decrement <= CONVERGED_DEC),
            "gains": gains(outcome, pos, sal, q, k),
        },
    )


def _directions(
    af: FloatArray, need: BoolArray, c: FloatArray, sal: FloatArray, pos: FloatArray,
    q: FloatArray, cared: BoolArray,
) -> tuple[FloatArray, BoolArray]:  # fmt: skip
    """Step 1 of the method on the actors that must gain strictly by moving (``need``);
    elements without such actors are feasible at ``q`` itself (direction 0)."""
    m, _, d = af.shape
    v = np.zeros((m, d))
    feasible = np.ones(m, dtype=bool)
    sub = np.flatnonzero(need.any(axis=1))
    if sub.size:
        w = c[sub, :, None] * sal[sub]
        wsum = w.sum(axis=1)
        cmean = (w * pos[sub]).sum(axis=1) / np.where(wsum > 0, wsum, 1.0)
        cand0 = np.where(cared[sub], cmean - q[sub], 0.0)
        v[sub], feasible[sub] = _feasible_direction(af[sub], need[sub], cand0)
    return v, feasible


def _solve(
    pos: FloatArray, sal: FloatArray, c: FloatArray, q: FloatArray, k: FloatArray,
    a: FloatArray, v: FloatArray, need: BoolArray, cared: BoolArray, max_iter: int,
) -> tuple[FloatArray, IntArray, FloatArray]:  # fmt: skip
    """Steps 2-3: a strictly feasible start, then Newton with equal weights, then with ``c``."""
    x0 = _start(pos, sal, c, q, k, a, v, need)
    ceq = np.where(c > 0, 1.0, 0.0)
    ceq /= ceq.sum(axis=1, keepdims=True)
    x1, it1, _ = _newton(x0, pos, sal, ceq, q, k, cared, max_iter)
    x, it2, lam2 = _newton(x1, pos, sal, c, q, k, cared, max_iter)
    return x, it1 + it2, lam2


def _start(
    pos: FloatArray,
    sal: FloatArray,
    c: FloatArray,
    q: FloatArray,
    k: FloatArray,
    a: FloatArray,
    v: FloatArray,
    need: BoolArray,
) -> FloatArray:
    """A strictly feasible point ``q + t v`` with ``t = t_max / 2`` over the ``need`` actors
    (module docstring, step 2), halved while an actor with a disagreement cost would lose."""
    av = np.einsum("bnd,bd->bn", a, v)
    sv = np.einsum("bnd,bd->bn", sal, v * v)
    ratio = np.where(need & (sv > 0), av / np.where(sv > 0, sv, 1.0), np.inf)
    t = 0.5 * ratio.min(axis=1)
    t = np.where(np.isfinite(t), t, 1.0)
    x = q + t[:, None] * v
    _, f = _objective(x, pos, sal, c, q, k)
    # guard: if rounding made x infeasible, shrink t towards q until feasible
    for _ in range(60):
        bad = ~np.isfinite(f)
        if not bad.any():
            break
        t = np.where(bad, 0.5 * t, t)
        x = q + t[:, None] * v
        _, f = _objective(x, pos, sal, c, q, k)
    return x


def _newton(
    x0: FloatArray,
    pos: FloatArray,
    sal: FloatArray,
    c: FloatArray,
    q: FloatArray,
    k: FloatArray,
    cared: BoolArray,
    max_iter: int,
) -> tuple[FloatArray, IntArray, FloatArray]:
    """Damped Newton with feasibility-keeping backtracking from ``x0`` (module docstring).

    Returns the maximiser (m, D), the iterations used (m,) and the last Newton decrement (m,).
    Each iteration works only on the elements still running.
    """
    m, _, d = pos.shape
    active = c > 0
    x = x0.copy()
    g, f = _objective(x, pos, sal, c, q, k)
    iterations = np.zeros(m, dtype=np.int64)
    lam2 = np.zeros(m)
    eye = np.eye(d)
    run = np.flatnonzero(np.isfinite(f))
    prev = np.full(m, np.inf)
    for _ in range(max_iter):
        if run.size == 0:
            break
        xr, gr, fr = x[run], g[run], f[run]
        pr, sr, cr, ar, kr = pos[run], sal[run], c[run], active[run], cared[run]
        ginv = np.where(ar, cr / np.where(gr > 0, gr, 1.0), 0.0)  # c_i / g_i
        dg = -2.0 * sr * (xr[:, None, :] - pr)  # grad g_i (r, n, D)
        grad = np.einsum("bn,bnd->bd", ginv, dg)
        # H = sum_i c_i [ -2 diag(s_i) / g_i - dg_i dg_i^T / g_i^2 ]
        hdiag = -2.0 * np.einsum("bn,bnd->bd", ginv, sr)
        outer = np.einsum("bn,bnd,bne->bde", ginv / np.where(gr > 0, gr, 1.0), dg, dg)
        h = hdiag[:, :, None] * eye - outer
        # dimensions nobody cares about stay fixed (identity block, zero gradient)
        grad = np.where(kr, grad, 0.0)
        h = np.where(kr[:, :, None] & kr[:, None, :], h, 0.0) - (~kr)[:, :, None] * eye
        step = -np.linalg.solve(h, grad[..., None])[..., 0]
        dec = np.einsum("bd,bd->b", grad, step)
        lam2[run] = dec
        iterations[run] += 1
        # backtracking: stay feasible, Armijo with alpha = 0.25. Near the optimum (decrement
        # below PURE_NEWTON_DEC) F is too flat for Armijo to see progress through rounding, so
        # full Newton steps are taken whenever feasible (quadratic convergence region).
        pure = dec <= PURE_NEWTON_DEC
        tiny = np.abs(step).max(axis=1) <= STEP_TOL
        stalled = pure & (dec >= prev[run])
        prev[run] = dec
        s = np.ones(run.size)
        accept = np.zeros(run.size, dtype=bool)
        xn, gn, fn = xr.copy(), gr.copy(), fr.copy()
        for _ in range(80):
            xt = xr + s[:, None] * step
            gt, ft = _objective(xt, pr, sr, cr, q[run], k[run])
            ok = np.isfinite(ft) & ((ft >= fr + 0.25 * s * dec) | pure)
            new = ok & ~accept
            xn[new], gn[new], fn[new] = xt[new], gt[new], ft[new]
            accept |= ok
            if accept.all():
                break
            s = np.where(accept, s, 0.5 * s)
        x[run], g[run], f[run] = xn, gn, fn
        # stop: converged (tiny step, taken), rounding floor reached (decrement no longer
        # falls in the pure Newton phase), or no acceptable step
        done = tiny | stalled | (dec <= 0) | ~accept
        run = run[~done]
    return x, iterations, lam2


# What the pipeline reads (``base.Capabilities``):
# the solution's case (interior, boundary, ...) is the note.
CAPABILITIES = Capabilities(note=("case", "note_names"))
