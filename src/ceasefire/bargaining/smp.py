"""KTAB's Spatial Model of Politics (SMP), deterministic default mode (``docs/specs/smp.md``).

This module holds the ``smp`` engine, :func:`forecast`, behind the bargaining protocol
(``base.py``), and its helpers. It runs KTAB's SMP turn by turn (spec §4-§6) on a batch of
problems and reports the final state as KTAB does (§7). KTAB's CSV files (§2) are read by
:mod:`ceasefire.formats.ktab`.

Numerical conventions (§10) are followed throughout: every reduction that the spec orders
(distances over dimensions, coalitions over voters, third parties over ``m``, candidate values
over ``q``, PCE products over ``j``, the stopping sum over actors) is an explicit loop over the
reduced axis that accumulates whole numpy arrays, never ``numpy.sum``; formulas are evaluated
literally (``U + U + U``, not ``3U``). Python floats and numpy ``float64`` are both IEEE double,
so the loop-based reference implementation in the tests agrees with this one bit for bit.

Vectorisation (§9): inside a turn everything is vectorised over the batch and over actors,
``(initiator, target)`` pairs, third parties, voters, options and candidate lists; explicit loops
remain only where they fix a summation order (they accumulate whole arrays in place, in index
order, so the results are bit for bit those of the loop reference). Candidate elections are
grouped by list length, so no election is padded. The batch runs through a **pool** of a
bounded number of elements (memory and cache): each element advances one turn per step at its
own turn count, leaves the pool when it meets the stopping rule (§6), and waiting elements join;
the reported trajectory repeats an element's final state after it stopped.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ceasefire.bargaining.base import Capabilities, FloatArray, Forecast, IntArray, Problem

BoolArray = NDArray[np.bool_]

__all__ = [
    "DEFAULT_PARAMS",
    "SmpDegenerateError",
    "forecast",
]

VERSION = "1"

# Fixed constants of the model (§1, §6); they are not settings.
EPS_P = 1e-8  # seed of every coalition in an election (§3.4)
EPS_C = 1e-10  # seed of the two coalitions of a challenge (§5.1)
EPS_B = 1e-6  # tie weight in bargain interpolation (§5.3)
TAU_POS = 1e-3  # position equivalence tolerance, [0, 1] scale (§3.5)
TAU_EU = 1e-5  # smallest worthwhile expected gain (§5.2)
MAX_TURNS = 100  # §6
MIN_TURNS = 2  # §6
STOP_RATIO = 0.02  # §6
RATIO_OFFSET = 1e-4  # §6
DEGENERATE_NORM = 1e-6  # §4, KTAB's Frobenius-norm abort threshold
_COMPILED_MIN_WORK = 2_000_000  # B·n³ above which "auto" loads the compiled kernel

#: KTAB's default settings (the only configuration tested against KTAB, §1-§9).
DEFAULT_PARAMS: dict[str, Any] = {
    "victory_prob": "Linear",
    "voting_rule": "Proportional",
    "pce": "Conditional",
    "transitions": "Deterministic",
    "big_r_range": "Mid",
    "big_r_adjust": "OneThird",
    "third_party_commit": "Semi",
    "inter_vec_brgn": "S2P2",
    "bargn_model": "InitOnlyInterp",
    "accommodation": None,
    "on_degenerate": "raise",
}

_CHOICES: dict[str, tuple[str, ...]] = {
    "victory_prob": ("Linear", "Square", "Quartic", "Octic", "Binary"),
    "voting_rule": ("Proportional", "Binary", "PropBin", "PropCbc", "Cubic", "ASymProsp"),
    "pce": ("Conditional", "MarkovUniform", "MarkovIncentive"),
    "transitions": ("Deterministic", "Stochastic"),
    "big_r_range": ("Mid", "Min", "Max"),
    "big_r_adjust": ("OneThird", "None", "Half", "TwoThirds", "Full"),
    "third_party_commit": ("Semi", "Full", "None"),
    "inter_vec_brgn": ("S2P2", "S1P1", "S2PMax"),
    "bargn_model": ("InitOnlyInterp",),
    "on_degenerate": ("raise", "stop"),
}


class SmpDegenerateError(ValueError):
    """A state in which KTAB's SMP is undefined (§4, "Degenerate states")."""


# ---------------------------------------------------------------------------------------------
# Building blocks (§3)
# ---------------------------------------------------------------------------------------------


def _seqsum(a: FloatArray, axis: int) -> FloatArray:
    """Left-to-right sum of ``a`` over ``axis`` (§10.2): an explicit accumulation loop."""
    a = np.moveaxis(a, axis, 0)
    acc = np.zeros(a.shape[1:], dtype=np.float64)
    for k in range(a.shape[0]):
        acc = acc + a[k]
    return acc


def _wdist(ideal: FloatArray, sal: FloatArray, y: FloatArray, den: FloatArray) -> FloatArray:
    """Weighted distance ``δ_a(y)`` of §3.1; the last axis is the dimension.

    ``den`` is ``Σ_d s_ad²`` (computed once by :func:`_sal_den`); numerator summed over ``d``
    in order.
    """
    shape = np.broadcast_shapes(ideal.shape, sal.shape, y.shape)[:-1]
    num = np.zeros(shape, dtype=np.float64)
    for d in range(ideal.shape[-1]):
        t = sal[..., d] * (ideal[..., d] - y[..., d])
        num = num + t * t
    return np.sqrt(num / den)


def _sal_den(sal: FloatArray) -> FloatArray:
    """``Σ_d s_ad²`` in dimension order (§3.1)."""
    den = np.zeros(sal.shape[:-1], dtype=np.float64)
    for d in range(sal.shape[-1]):
        den = den + sal[..., d] * sal[..., d]
    return den


def _util(delta: FloatArray, r: FloatArray) -> FloatArray:
    """Utility of a distance, ``u(δ, r)`` of §3.2."""
    inside = (1.0 - delta) * (1.0 + delta * r)
    outside = (1.0 - delta) * (1.0 + r)
    return np.where(delta <= 1.0, inside, outside)


def _vote(w: FloatArray, u1: FloatArray, u2: FloatArray, rule: str) -> FloatArray:
    """A voter's vote for option 1 over option 2 (§3.3; other rules §11 VotingRule)."""
    if rule == "Proportional":
        return w * (u1 - u2)
    delta = u1 - u2
    b = np.clip(delta / 1e-8, -1.0, 1.0)
    if rule == "Binary":
        return w * b
    if rule == "PropBin":
        return w * (0.8 * delta + 0.2 * b)
    if rule == "PropCbc":
        return w * (0.5 * delta + 0.5 * delta * delta * delta)
    if rule == "Cubic":
        return w * (delta * delta * delta)
    if rule == "ASymProsp":
        return np.where(delta < 0.0, w * delta, 2.0 * w * delta / 3.0)
    raise ValueError(f"unknown voting rule {rule!r}")


def _victory(c: FloatArray, model: str) -> FloatArray:
    """Pairwise victory probabilities ``p_ij`` from coalitions ``C_ij`` (§3.4 step 2, §11).

    ``c`` has shape ``(..., M, M)``; the diagonal of the result is ½.
    """
    ct = np.swapaxes(c, -1, -2)
    if model == "Binary":
        m = c.shape[-1]
        upper = np.triu(np.ones((m, m), dtype=bool), 1)
        r = c / (c + ct)
        mid = (2.1 * r - 1.0) / 0.1
        mid = np.where(upper, mid, 1.0 - np.swapaxes(mid, -1, -2))
        x = np.where(c >= 1.1 * ct, 1.0, np.where(ct >= 1.1 * c, 1e-6, mid))
        xt = np.swapaxes(x, -1, -2)
    else:
        power = {"Linear": 1, "Square": 2, "Quartic": 4, "Octic": 8}[model]
        x = c
        for _ in range(power.bit_length() - 1):
            x = x * x
        xt = np.swapaxes(x, -1, -2)
    p = x / (x + xt)
    m = c.shape[-1]
    eye = np.eye(m, dtype=bool)
    return np.where(eye, 0.5, p)


def _coalitions(w: FloatArray, v: FloatArray, rule: str) -> FloatArray:
    """Coalitions ``C_ij = ε_P + Σ_a max(0, vote_a(i, j))`` of §3.4 step 1, batched.

    ``w``: ``(..., N)``, ``v``: ``(..., N, M)``; returns ``(..., M, M)``. Each voter's votes are
    computed for all option pairs at once into a reused buffer (in cache) and accumulated in
    place, voters in index order from the seed (§10.2). Under the Proportional rule
    ``max(0, w·(u_i − u_j)) = w·max(0, u_i − u_j)`` exactly (``w > 0``; the sign of a product
    is exact and ``w·0 = 0``).
    """
    n_vot, m = v.shape[-2], v.shape[-1]
    shape = np.broadcast_shapes(w.shape[:-1], v.shape[:-2])
    c = np.full((*shape, m, m), EPS_P)
    if rule != "Proportional":
        for a in range(n_vot):
            va = v[..., a, :]
            vote = _vote(w[..., a, None, None], va[..., :, None], va[..., None, :], rule)
            c += np.maximum(0.0, vote)
        return c
    tmp = np.empty_like(c)
    w_b = np.broadcast_to(w, (*shape, n_vot))
    for a in range(n_vot):
        va = v[..., a, :]
        np.subtract(va[..., :, None], va[..., None, :], out=tmp)
        np.maximum(tmp, 0.0, out=tmp)
        tmp *= w_b[..., a, None, None]
        c += tmp
    return c


def _election(
    w: FloatArray,
    v: FloatArray,
    mask: BoolArray | None,
    victory: str = "Linear",
    rule: str = "Proportional",
    pce: str = "Conditional",
) -> FloatArray:
    """``Election(w, V)`` of §3.4, batched.

    ``w``: ``(..., N)`` voter weights; ``v``: ``(..., N, M)`` utility of option ``m`` to voter
    ``a``; ``mask``: ``(..., M)`` which options exist (padding for ragged option lists), or
    None. Returns ``(..., M)`` probabilities, 0 on padded options. Coalitions are accumulated
    over voters in index order from the seed ``ε_P``; the PCE product runs over ``j`` in order
    (padded options contribute an exact factor 1).
    """
    m = v.shape[-1]
    shape = np.broadcast_shapes(w.shape[:-1], v.shape[:-2])
    c = _coalitions(w, v, rule)
    p = _victory(c, victory)
    if pce == "Conditional":
        if mask is not None:
            mask = np.broadcast_to(mask, (*shape, m))
            p = np.where(mask[..., None, :], p, 1.0)
        pi = np.ones((*shape, m), dtype=np.float64)
        for j in range(m):
            pi *= p[..., :, j]
        if mask is not None:
            pi = np.where(mask, pi, 0.0)
        return pi / _seqsum(pi, -1)[..., None]
    full = np.ones((*shape, m), dtype=bool)
    mask = full if mask is None else np.broadcast_to(mask, full.shape)
    return _markov_pce(c, p, mask, pce)


def _markov_pce(c: FloatArray, p: FloatArray, mask: BoolArray, pce: str) -> FloatArray:
    """MarkovUniform / MarkovIncentive PCE (§11), iterated to the stated tolerances."""
    pair = mask[..., :, None] & mask[..., None, :]
    p = np.where(pair, p, 0.0)
    count = mask.sum(axis=-1, keepdims=True).astype(np.float64)
    prob = np.where(mask, 1.0 / count, 0.0)
    if pce == "MarkovUniform":
        tol = 1e-6
        g = None
    elif pce == "MarkovIncentive":
        tol = 1e-8
        m = c.shape[-1]
        g = c * p + np.where(np.eye(m, dtype=bool), 1e-10, 0.0)
        g = np.where(pair, g, 0.0)
        colsum = _seqsum(g, -2)[..., None, :]
        g = np.where(pair, g / np.where(colsum > 0, colsum, 1.0), 0.0)
    else:
        raise ValueError(f"unknown PCE model {pce!r}")
    # Each problem of the batch iterates until its own convergence (then it is frozen), so a
    # batch gives the same numbers as single runs. The last half-step is applied, then we stop.
    finished = np.zeros(prob.shape[:-1], dtype=bool)
    for _ in range(100_000):
        if g is None:
            q = _seqsum(p * (prob[..., :, None] + prob[..., None, :]), -1) / count
        else:
            gt = np.swapaxes(g, -1, -2)
            q = _seqsum(p * (prob[..., :, None] * gt + prob[..., None, :] * g), -1)
        done = np.max(np.abs(q - prob), axis=-1) <= tol
        prob = np.where(finished[..., None], prob, (prob + q) / 2.0)
        finished = finished | done
        if np.all(finished):
            break
    return np.where(mask, prob, 0.0)


def _round4(z: FloatArray) -> FloatArray:
    """``ρ(z)`` of §3.6: ``0.5 + z·10⁴``, truncated, divided by ``10⁴``."""
    return np.trunc(0.5 + z * 1e4) / 1e4


def _representatives(x: FloatArray) -> tuple[BoolArray, BoolArray]:
    """Greedy unique options of a state (§3.5).

    ``x``: ``(B, n, D)``. Returns ``(is_rep (B, n), equiv (B, n, n))`` where ``equiv[b, a, r]``
    says that positions ``a`` and ``r`` are within ``τ_pos`` (Euclidean).
    """
    b, n, dims = x.shape
    sq = np.zeros((b, n, n), dtype=np.float64)
    for d in range(dims):
        t = x[:, :, None, d] - x[:, None, :, d]
        sq = sq + t * t
    equiv = np.sqrt(sq) < TAU_POS
    is_rep = np.zeros((b, n), dtype=bool)
    for a in range(n):
        is_rep[:, a] = ~np.any(equiv[:, a, :a] & is_rep[:, :a], axis=-1)
    return is_rep, equiv


# ---------------------------------------------------------------------------------------------
# Assessing a state (§4)
# ---------------------------------------------------------------------------------------------


@dataclass
class _State:
    """An assessed state for a (sub-)batch: everything §5 reads from state ``t``."""

    x: FloatArray  # (B, n, D) positions, [0, 1]
    ideal: FloatArray  # (B, n, D)
    risk: FloatArray  # (B, n) R_a
    util: FloatArray  # (B, n, n, n) U^h_ij
    own: FloatArray  # (B, n, n) U^a_aj
    degenerate: BoolArray  # (B,)


def _assess(
    x: FloatArray,
    ideal: FloatArray,
    sal: FloatArray,
    den: FloatArray,
    cap: FloatArray,
    cfg: dict[str, Any],
) -> _State:
    """§4: distances, risk-neutral election, risk attitudes, perspective utilities.

    Degenerate states (``P_max = P_min`` or KTAB's Frobenius-norm aborts) are flagged in
    ``degenerate``. Where ``P_max = P_min``, ``R`` (undefined, 0/0) is replaced by 0
    (risk-neutral) so that the state can still be reported when ``on_degenerate="stop"``; after
    a norm abort ``R`` is well defined and kept.

    The norm aborts are applied only to states with some distance ``0 < d_ij < 1`` (a
    documented deviation from KTAB). Where every ``d_ij`` is 0 or 1 -- e.g. every actor at
    an end (0 or 100) of a one-dimensional issue -- ``u(d, r) = (1 - d)(1 + d r)`` is 1 or 0
    whatever ``r``, so ``U^h = U^R = u0`` exactly and the test fires although ``R`` is well
    defined (``P_max > P_min``) and every step of §5 is too; KTAB aborts there, we run.
    """
    n = x.shape[1]
    # d_ij = δ_i(x_j): i's ideal and saliences, j's position
    dist = _wdist(ideal[:, :, None, :], sal[:, :, None, :], x[:, None, :, :], den[:, :, None])
    zero = np.zeros_like(dist)
    u0 = _util(dist, zero)
    p0 = _election(cap, u0, None, cfg["victory_prob"], cfg["voting_rule"], cfg["pce"])
    pmax = np.max(p0, axis=-1, keepdims=True)
    pmin = np.min(p0, axis=-1, keepdims=True)
    spread = pmax - pmin
    degenerate = ~(spread[:, 0] > 0.0)
    safe = np.where(spread > 0.0, spread, 1.0)
    rr = cfg["big_r_range"]
    if rr == "Mid":
        risk = (3.0 * p0 - (pmax + 2.0 * pmin)) / (2.0 * safe)
    elif rr == "Min":
        risk = (p0 - pmin) / safe
    else:  # Max
        risk = (2.0 * p0 - pmax - pmin) / safe
    risk = np.where(degenerate[:, None], 0.0, risk)
    rh = risk[:, :, None]
    ri = risk[:, None, :]
    adj = cfg["big_r_adjust"]
    if adj == "OneThird":
        r_hi = (2.0 * rh + ri) / 3.0
    elif adj == "None":
        r_hi = np.broadcast_to(rh, (x.shape[0], n, n))
    elif adj == "Half":
        r_hi = (rh + ri) / 2.0
    elif adj == "TwoThirds":
        r_hi = (rh + 2.0 * ri) / 3.0
    else:  # Full
        r_hi = np.broadcast_to(ri, (x.shape[0], n, n))
    inside = bool(np.all(dist <= 1.0))  # always, for valid inputs (§3.2)
    if inside:
        # u(δ, r) = (1 − δ)(1 + δ·r), evaluated in place on the (B, h, i, j) tensor
        util = np.multiply(dist[:, None, :, :], r_hi[:, :, :, None])
        util += 1.0
        util *= (1.0 - dist)[:, None, :, :]
    else:
        util = _util(dist[:, None, :, :], r_hi[:, :, :, None])  # (B, h, i, j)
    ar = np.arange(n)
    own = util[:, ar, ar, :]
    # KTAB's aborts: ||u0 - U^R||_F <= 1e-6, or ||U^h - U^R||_F <= 1e-6 for some h.
    u_r = _util(dist, risk[:, :, None])
    norm0 = np.sqrt(np.sum((u0 - u_r) ** 2, axis=(-2, -1)))
    # the norm test says nothing where every distance is 0 or 1 (docstring)
    informative = np.any((dist > 0.0) & (dist < 1.0), axis=(-2, -1))
    degenerate = degenerate | (informative & (norm0 <= DEGENERATE_NORM))
    if adj != "Full":  # under Full every U^h equals U^R by construction
        if inside:
            # U^h_ij − U^R_ij = (1 − d_ij)·d_ij·(r_hi − R_i) exactly in real arithmetic, so
            # ||U^h − U^R||² = Σ_i g_i (r_hi − R_i)² with g_i = Σ_j ((1 − d_ij) d_ij)²: O(n²).
            # Rounding moves this by far less than the margin below; near the threshold the
            # norm is evaluated literally.
            g = (1.0 - dist) * dist
            g = np.einsum("bij,bij->bi", g, g)
            dr = r_hi - risk[:, None, :]
            approx = np.sqrt(np.einsum("bi,bhi->bh", g, dr * dr))
            sure_no = approx > 2.0 * DEGENERATE_NORM
            sure_yes = approx < 0.5 * DEGENERATE_NORM
            hit = np.any(sure_yes, axis=-1)
            close = np.argwhere(~sure_no & ~sure_yes)
            for bb, hh in close:
                diff = util[bb, hh] - u_r[bb]
                if np.sqrt(np.sum(diff * diff)) <= DEGENERATE_NORM:
                    hit[bb] = True
        else:
            norm_h = np.sqrt(np.sum((util - u_r[:, None]) ** 2, axis=(-2, -1)))
            hit = np.any(norm_h <= DEGENERATE_NORM, axis=-1)
        degenerate = degenerate | (informative & hit)
    return _State(x=x, ideal=ideal, risk=risk, util=util, own=own, degenerate=degenerate)


# ---------------------------------------------------------------------------------------------
# One turn (§5)
# ---------------------------------------------------------------------------------------------


_BLOCK = 1 << 16  # elements per block of the (row, m, j) tensors in _challenges
_POOL_ELEMS = 1 << 20  # perspective utilities per pool of running elements in forecast


def _challenges(
    st: _State, w: FloatArray, stot: FloatArray, cfg: dict[str, Any]
) -> tuple[FloatArray, FloatArray]:
    """``E(i; i → j; i)`` for every pair (§5.1): returns ``(P, ΔEU)``, each ``(B, n_i, n_j)``.

    Vectorised over the pairs and the third parties ``m`` (rows ``(b, i)`` in cache-sized
    blocks); the coalitions then accumulate the third parties' votes in increasing ``m`` (§10).
    """
    u = st.util  # (B, h, i, j)
    bsz, n = u.shape[0], u.shape[1]
    ar = np.arange(n)
    rule = cfg["voting_rule"]
    diag13 = np.diagonal(u, axis1=1, axis2=3)  # [b, m, h] = U[b, h, m, h]
    diag23 = np.diagonal(u, axis1=2, axis2=3)  # [b, h, m] = U[b, h, m, m]
    u_ii = u[:, ar, ar, ar][:, :, None]  # U^i_ii
    u_ij = u[:, ar, ar, :]  # U^i_ij
    u_ji = np.swapaxes(diag13, 1, 2)  # U^i_ji
    u_jj = diag23  # U^i_jj
    w_i = w[:, :, None]
    w_j = w[:, None, :]
    alpha = _vote(w_i, u_ii, u_ij, rule)
    beta = _vote(w_j, u_ji, u_jj, rule)
    a = np.full(u_ij.shape, EPS_C)
    b = np.full(u_ij.shape, EPS_C)
    a = np.where(alpha > 0, a + alpha, a)
    b = np.where(alpha < 0, b - alpha, b)
    a = np.where(beta > 0, a + beta, a)
    b = np.where(beta < 0, b - beta, b)
    commit = cfg["third_party_commit"]
    # rows r = (b, i): the initiator's perspective U^i; tensors indexed [r, m, j]
    rows = bsz * n
    u_r = u.reshape(rows, n, n)  # U^i_mj
    u_mi_r = np.ascontiguousarray(np.swapaxes(diag13, 1, 2)).reshape(rows, n)  # U^i_mi
    u_mm_r = np.ascontiguousarray(diag23).reshape(rows, n)  # U^i_mm
    w_r = np.repeat(w, n, axis=0)  # w_m per row
    a_r = a.reshape(rows, n)
    b_r = b.reshape(rows, n)
    # third parties only (m ∉ {i, j}): θ is set to 0 at m = i and m = j, and adding 0 to a
    # coalition (> 0) is exact, so the masked accumulation equals the conditional one
    a_out = np.empty((rows, n))
    b_out = np.empty((rows, n))
    step = max(1, _BLOCK // (n * n))
    diag_mj = np.arange(n) * (n + 1)  # flat [m, j] offsets of m == j
    for r0 in range(0, rows, step):
        r1 = min(rows, r0 + step)
        sl = slice(r0, r1)
        nr = r1 - r0
        umj = u_r[sl]
        umi = u_mi_r[sl][:, :, None]
        umm = u_mm_r[sl][:, :, None]
        wm = w_r[sl][:, :, None]
        a0 = a_r[sl][:, None, :]
        b0 = b_r[sl][:, None, :]
        gamma = _vote(wm, umi, umj, rule)
        a1 = np.maximum(gamma, 0.0)  # a0 + γ if γ > 0 else a0 (adding 0 is exact)
        a1 += a0
        b1 = np.minimum(gamma, 0.0, out=gamma)  # b0 − γ if γ < 0 else b0
        np.subtract(b0, b1, out=b1)
        pi = a1 + b1
        np.divide(a1, pi, out=pi)
        pib = np.subtract(1.0, pi, out=a1)
        two = umj + umj
        if commit == "Semi":
            j_i = np.add(two, umj, out=b1)
            j_i *= pib
            j_i += pi * (umi + umi + umm)
            j_j = np.add(two, umm, out=two)
            j_j *= pib
            j_j += pi * (umi + umi + umi)
        elif commit == "Full":
            j_i = np.add(two, umj, out=b1)
            j_i *= pib
            j_i += pi * (umi + umi + umi)
            j_j = np.add(two, umj, out=two)
            j_j *= pib
            j_j += pi * (umi + umi + umi)
        else:  # None
            j_i = np.add(two, umm, out=b1)
            j_i *= pib
            j_i += pi * (umi + umi + umm)
            j_j = np.add(two, umm, out=two)
            j_j *= pib
            j_j += pi * (umi + umi + umm)
        # j_i, j_j now hold pib·Y + pi·X; IEEE addition is commutative, so this equals
        # pi·X + pib·Y exactly
        if rule == "Proportional":
            theta = np.subtract(j_i, j_j, out=j_i)
            theta *= wm
        else:
            theta = _vote(wm, j_i, j_j, rule)
        flat = theta.reshape(nr, n * n)
        flat[:, diag_mj] = 0.0  # m == j
        theta[np.arange(nr), np.arange(r0, r1) % n, :] = 0.0  # m == i
        pos = np.maximum(theta, 0.0, out=pi)
        neg = np.minimum(theta, 0.0, out=theta)
        acc_a = a_r[sl].copy()
        acc_b = b_r[sl].copy()
        for m in range(n):
            acc_a += pos[:, m, :]
            acc_b -= neg[:, m, :]
        a_out[sl] = acc_a
        b_out[sl] = acc_b
    a_all: FloatArray = a_out.reshape(bsz, n, n)
    b_all: FloatArray = b_out.reshape(bsz, n, n)
    p = a_all / (a_all + b_all)
    q = b_all / (a_all + b_all)
    s_j = stot[:, None, :]
    eu_sq = u_ii + u_ij
    eu_win = u_ii + u_ii
    eu_lose = u_ij + u_ij
    eu_contest = p * eu_win + q * eu_lose
    eu_chlg = (1.0 - s_j) * eu_win + s_j * eu_contest
    return p, eu_chlg - eu_sq


def _bargains(
    x: FloatArray, sal: FloatArray, target: IntArray, p: FloatArray, mode: str
) -> tuple[FloatArray, FloatArray]:
    """Initiator's and receiver's copies ``b^I``, ``b^R`` of every initiator's bargain (§5.3).

    ``target``: ``(B, n)``; ``p``: ``(B, n)`` the initiator's win probability. Rows whose
    initiator has no target are garbage and must be masked by the caller.
    """
    idx = target[:, :, None]
    x_i, s_i = x, sal
    x_j = np.take_along_axis(x, idx, axis=1)
    s_j = np.take_along_axis(sal, idx, axis=1)
    pp = p[:, :, None]
    qq = 1.0 - pp
    if mode == "S2PMax":
        e_i = np.maximum(0.0, qq - pp)
        e_j = np.maximum(0.0, pp - qq)
        f_i = e_i * (s_j * s_j) / (e_i * (s_j * s_j) + EPS_B + (1.0 - e_i) * (s_i * s_i))
        f_j = e_j * (s_i * s_i) / (e_j * (s_i * s_i) + EPS_B + (1.0 - e_j) * (s_j * s_j))
        return x_i + f_i * (x_j - x_i), x_j + f_j * (x_i - x_j)
    if mode == "S2P2":
        w_i = (s_i * s_i) * (pp * pp)
        w_j = (s_j * s_j) * (qq * qq)
    else:  # S1P1
        w_i = s_i * pp
        w_j = s_j * qq
    den = (w_i + EPS_B) + w_j
    b_i = _round4(((w_i + EPS_B) * x_i + w_j * x_j) / den)
    b_r = _round4((w_i * x_i + (EPS_B + w_j) * x_j) / den)
    return b_i, b_r


def _turn(
    st: _State,
    sal: FloatArray,
    den: FloatArray,
    cap: FloatArray,
    w: FloatArray,
    stot: FloatArray,
    cfg: dict[str, Any],
    uniforms: FloatArray | None,
) -> FloatArray:
    """One turn, §5.1-§5.6: returns the new positions ``(B, n, D)``."""
    bsz, n, _ = st.x.shape
    ar = np.arange(n)
    # §5.1-5.2 targets
    p, gain = _challenges(st, w, stot, cfg)
    offdiag = ~np.eye(n, dtype=bool)
    ok = offdiag & (gain > TAU_EU)
    masked = np.where(ok, gain, -np.inf)
    target = np.argmax(masked, axis=-1)
    has = np.any(ok, axis=-1)
    p_t = np.take_along_axis(p, target[:, :, None], axis=-1)[:, :, 0]
    # §5.3 bargains
    b_i, b_r = _bargains(st.x, sal, target, p_t, cfg["inter_vec_brgn"])
    # §5.5 values: V[a, σ] and V[a, β_i]
    own = st.own
    v_sq = _seqsum(own, -1) / float(n)  # (B, a)
    ideal_a = st.ideal[:, :, None, :]
    sal_a = sal[:, :, None, :]
    den_a = den[:, :, None]
    r_a = st.risk[:, :, None]
    u_bi = _util(_wdist(ideal_a, sal_a, b_i[:, None, :, :], den_a), r_a)  # (B, a, i)
    u_br = _util(_wdist(ideal_a, sal_a, b_r[:, None, :, :], den_a), r_a)
    acc = u_bi + u_br
    # Σ over q ∉ {i, target(i)} in increasing q, as masked in-place adds
    keep = (ar[None, :, None] != ar[None, None, :]) & (target[:, None, :] != ar[None, :, None])
    keep = np.ascontiguousarray(np.broadcast_to(keep, (bsz, n, n)))  # [b, q, i]
    own_t = np.ascontiguousarray(np.swapaxes(own, 1, 2))  # [b, q, a]
    for q in range(n):
        np.add(acc, own_t[:, q, :, None], out=acc, where=keep[:, q, None, :])
    v_b = acc / float(n)
    v_full = np.concatenate([v_sq[:, :, None], v_b], axis=-1)  # (B, a, 1 + n)
    # §5.4 candidate lists: σ_k, then β_i with i == k or target(i) == k, increasing i
    involved = has[:, None, :] & (
        (ar[None, :, None] == ar[None, None, :]) | (target[:, None, :] == ar[None, :, None])
    )  # (B, k, i)
    incl = np.concatenate([np.ones((bsz, n, 1), dtype=bool), involved], axis=-1)
    lengths = incl.sum(axis=-1)  # (B, k)
    order = np.argsort(~incl, axis=-1, kind="stable")
    # §5.6 choice. Elections are grouped by list length (no padding): the coalitions of the
    # real options do not depend on the others, so this gives the same numbers.
    chosen = np.zeros((bsz, n), dtype=np.int64)  # 0 = σ, else 1 + initiator
    flat_len = lengths.ravel()
    flat_order = order.reshape(bsz * n, n + 1)
    flat_b = np.repeat(np.arange(bsz), n)
    flat_chosen = chosen.reshape(-1)
    for length in np.unique(flat_len):
        length = int(length)
        rows = np.flatnonzero(flat_len == length)
        cand = flat_order[rows, :length]  # (G, L)
        if length == 1:
            pk = np.ones((rows.size, 1))
        else:
            vk = v_full[flat_b[rows][:, None, None], ar[None, :, None], cand[:, None, :]]
            pk = _election(
                cap[flat_b[rows]], vk, None, cfg["victory_prob"], cfg["voting_rule"], cfg["pce"]
            )
        if uniforms is None:
            pick = np.argmax(pk, axis=-1)
        else:
            u_rows = uniforms.reshape(-1)[rows]
            cum = np.zeros(rows.size)
            pick = np.full(rows.size, -1, dtype=np.int64)
            for ell in range(length):
                cum = cum + pk[:, ell]
                pick = np.where((pick < 0) & (u_rows < cum), ell, pick)
            pick = np.where(pick < 0, length - 1, pick)
        flat_chosen[rows] = cand[np.arange(rows.size), pick]
    init = np.maximum(chosen - 1, 0)
    from_bi = np.take_along_axis(b_i, init[:, :, None], axis=1)
    from_br = np.take_along_axis(b_r, init[:, :, None], axis=1)
    new = np.where(
        (chosen == 0)[:, :, None],
        st.x,
        np.where((init == ar[None, :])[:, :, None], from_bi, from_br),
    )
    return new


def _state_probabilities(
    st: _State, cap: FloatArray, cfg: dict[str, Any]
) -> tuple[FloatArray, FloatArray]:
    """Per-option and per-actor probabilities of a state (§7).

    Returns ``(option (B, n), actor (B, n))``: ``option[b, r]`` is the probability of the
    option whose representative is actor ``r`` (0 for non-representatives; sums to 1);
    ``actor[b, a]`` is the probability of the last representative equivalent to ``a``.
    """
    is_rep, equiv = _representatives(st.x)
    bsz, n = is_rep.shape
    # the representatives' columns only, in increasing index (padding masked): the coalitions
    # of real options and the PCE products and sum are unchanged (padding contributes exact
    # factors 1 and terms 0)
    m = int(is_rep.sum(axis=-1).max())
    cols = np.argsort(~is_rep, axis=-1, kind="stable")[:, :m]  # (B, M)
    cmask = np.take_along_axis(is_rep, cols, axis=-1)
    v = np.take_along_axis(st.own, cols[:, None, :], axis=-1)  # (B, a, M)
    p_m = _election(cap, v, cmask, cfg["victory_prob"], cfg["voting_rule"], cfg["pce"])
    p_opt = np.zeros((bsz, n))
    np.put_along_axis(p_opt, cols, np.where(cmask, p_m, 0.0), axis=-1)
    cand = np.where(equiv & is_rep[:, None, :], np.arange(n)[None, None, :], -1)
    last = np.max(cand, axis=-1)  # every actor is equivalent to itself or an earlier rep
    p_act = np.take_along_axis(p_opt, last, axis=-1)
    return p_opt, p_act


# ---------------------------------------------------------------------------------------------
# The engine
# ---------------------------------------------------------------------------------------------


def _config(params: dict[str, Any]) -> tuple[dict[str, Any], str]:
    unknown = set(params) - set(DEFAULT_PARAMS)
    if unknown:
        raise TypeError(f"unknown smp parameter(s): {sorted(unknown)}")
    cfg = {**DEFAULT_PARAMS, **params}
    for key, allowed in _CHOICES.items():
        if cfg[key] not in allowed:
            raise ValueError(f"smp parameter {key}={cfg[key]!r}; supported: {allowed}")
    changed = [
        f"{k}={cfg[k]}" for k in _CHOICES if k != "on_degenerate" and cfg[k] != DEFAULT_PARAMS[k]
    ]
    if cfg["accommodation"] is not None:
        changed.append("accommodation")
    return cfg, (",".join(changed) if changed else "default")


def _check_problem(problem: Problem) -> None:
    pos, sal, cap = problem.positions, problem.saliences, problem.capability
    if pos.shape[1] < 2:
        raise ValueError("smp needs at least two actors (KTAB requires 3)")
    if not np.all(np.isfinite(pos)) or np.any(pos < 0) or np.any(pos > 100):
        raise ValueError("smp: positions must lie in [0, 100]")
    if not np.all(np.isfinite(sal)) or np.any(sal < 0) or np.any(sal > 100):
        raise ValueError("smp: saliences must lie in [0, 100]")
    if not np.all(np.isfinite(cap)) or np.any(cap <= 0):
        raise ValueError("smp: every capability must be > 0 (spec §2)")
    if np.any(_seqsum(sal, -1) <= 0):
        raise ValueError("smp: every actor's total salience must be > 0 (spec §2)")


def forecast(
    problem: Problem,
    rng: np.random.Generator,
    *,
    kernel: str = "auto",
    trajectory: bool = True,
    **params: Any,
) -> Forecast:
    """Run KTAB's SMP (``docs/specs/smp.md``) on every problem of the batch.

    Inputs are scaled as in §2 (positions and saliences divided by 100, capabilities raw);
    ``status_quo`` is ignored. Each element runs turns (§5) until the stopping rule of §6
    (at least 2 turns, at most 100, stop once ``Δ_t / (Δ_1 + 1e-4) < 0.02``).

    Parameters (keyword; KTAB names, §11; defaults = KTAB's defaults, the only configuration
    checked against KTAB):

    * ``victory_prob``: Linear | Square | Quartic | Octic | Binary (§3.4 step 2)
    * ``voting_rule``: Proportional | Binary | PropBin | PropCbc | Cubic | ASymProsp
    * ``pce``: Conditional | MarkovUniform | MarkovIncentive
    * ``transitions``: Deterministic | Stochastic (draws ``U(0,1)`` per actor and turn from
      ``rng`` and picks the candidate by inverse CDF of ``P^k``)
    * ``big_r_range``: Mid | Min | Max; ``big_r_adjust``: OneThird | None | Half | TwoThirds |
      Full; ``third_party_commit``: Semi | Full | None; ``inter_vec_brgn``: S2P2 | S1P1 |
      S2PMax. ``bargn_model``: only InitOnlyInterp (InitRcvrInterp and PWCompInterp are not
      implemented).
    * ``accommodation``: None (identity) or an ``(n, n)`` / ``(B, n, n)`` matrix ``A``; ideals
      then follow §5.7's general form.
    * ``kernel`` (not a model setting): "auto" runs the compiled kernel of
      :mod:`ceasefire.bargaining.smp_compiled` when numba is installed (the ``fast`` extra) and
      every setting is KTAB's default, else this module's numpy code; "numpy" forces numpy;
      "compiled" requires the kernel. Both give the same numbers bit for bit.
    * ``trajectory`` (not a model setting): False keeps only each run's final state -- no
      ``trajectory``, ``state_probabilities`` or ``path`` -- for Monte Carlo use, where a batch
      of 10 000 runs of up to 101 states would otherwise hold every state in memory. Every
      other output is unchanged.
    * ``on_degenerate``: "raise" (default; :class:`SmpDegenerateError`) or "stop" -- a
      documented deviation: a degenerate state (§4: all actors' risk-neutral probabilities
      equal, or KTAB's Frobenius-norm aborts, i.e. (almost) everyone at one position; the norm
      aborts are not applied where every distance is 0 or 1, see :func:`_assess`) ends that
      element's run as converged; its risk attitudes are reported as 0 where they are
      undefined (``P_max = P_min``), as computed otherwise.

    Output (§7):

    * ``outcome`` (B, D), 0-100: the **probability-weighted mean of the final state's distinct
      options**, ``Σ_m P_m r_m`` over the representatives of §3.5 with the per-option
      probabilities of §7 (which sum to 1). The spec leaves the point to us; this is the
      expected final position. ``extras["mode"]`` holds the alternative, the most probable
      option's position (first representative on ties).
    * ``rounds`` (B,): turns run (states - 1); ``trajectory`` (B, T+1, n, D), 0-100, padded by
      repeating the final state after an element stops.
    * ``extras``: ``probabilities`` (B, n) the final per-actor probabilities (§7, as KTAB
      prints them before rounding); ``option_probabilities`` (B, n) the per-option vector,
      stored at each representative's actor index (0 elsewhere); ``state_probabilities``
      (B, T+1, n) per-actor probabilities of every state; ``risk`` (B, n) final ``R``;
      ``ratio`` (B, T) ``ratio_t`` per turn (NaN after the stop); ``states`` (B,) number of
      states; ``degenerate`` (B,) whether a run was ended by a degenerate state;
      ``refusal`` (list of B) why an element's model could not start (a degenerate initial
      state: its outcome is then the input state's, not a forecast), else None.
    """
    cfg, variant = _config(params)
    _check_problem(problem)
    bsz, n, dims = problem.shape
    x0 = problem.positions / 100.0
    sal = problem.saliences / 100.0
    cap = problem.capability
    stot = _seqsum(sal, -1)
    w = stot * cap
    den = _sal_den(sal)
    accom = cfg["accommodation"]
    if accom is not None:
        accom = np.broadcast_to(np.asarray(accom, dtype=np.float64), (bsz, n, n))
    stochastic = cfg["transitions"] == "Stochastic"

    # The batch runs through a pool of about _POOL_ELEMS perspective utilities (memory and
    # cache): finished elements leave, waiting ones join; every element's numbers do not
    # depend on its companions. Stochastic runs keep the whole batch in the pool so that the
    # draws from ``rng`` keep their order.
    pool = bsz if stochastic else max(1, _POOL_ELEMS // (n * n * n))
    compiled = _compiled_kernel(cfg, kernel, bsz * n**3)
    if cfg["on_degenerate"] == "raise" and pool < bsz and compiled is None:
        # report a degenerate initial state before running anything, as for one pool
        for c0 in range(0, bsz, pool):
            sl = slice(c0, min(bsz, c0 + pool))
            _raise_initial(_assess(x0[sl], x0[sl], sal[sl], den[sl], cap[sl], cfg), c0)
    if compiled is not None:
        traj_arr, state_probs, option_probs, ratio_arr, rounds, risk, deg01 = compiled.run_batch(
            x0, sal, cap, record=trajectory
        )
        degenerate = deg01 > 0.5
        if cfg["on_degenerate"] == "raise":
            _raise_compiled(degenerate, rounds)
    else:
        out = _run_pool(x0, sal, den, cap, w, stot, accom, cfg, rng, pool, record=trajectory)
        traj_arr, state_probs, option_probs, ratio_arr, rounds, risk, degenerate = out
    x = traj_arr[:, -1]
    p_opt = option_probs[:, -1]
    p_act = state_probs[:, -1]
    outcome = np.zeros((bsz, dims))
    for a in range(n):
        outcome = outcome + p_opt[:, a, None] * x[:, a, :]
    mode_idx = np.argmax(p_opt, axis=-1)
    mode = np.take_along_axis(x, mode_idx[:, None, None], axis=1)[:, 0, :]
    # the expected position of every state (§7 applied to each state): the path of the
    # forecast over the turns, (B, T+1, D) on the 0-100 scale
    per_state: dict[str, Any] = {}
    if trajectory:
        per_state["path"] = np.einsum("btn,btnd->btd", option_probs, traj_arr) * 100.0
        per_state["state_probabilities"] = state_probs
        traj_arr *= 100.0  # in place (memory); x, mode and path are taken above
    return Forecast(
        outcome=outcome * 100.0,
        rounds=rounds,
        method="smp",
        variant=variant,
        params={k: v for k, v in cfg.items() if k != "accommodation"}
        | {"accommodation": None if accom is None else "matrix"},
        version=VERSION,
        trajectory=traj_arr if trajectory else None,
        extras={
            "probabilities": p_act,
            "option_probabilities": p_opt,
            **per_state,
            "mode": mode * 100.0,
            "risk": risk,
            "ratio": ratio_arr,
            "states": rounds + 1,
            "degenerate": degenerate,
            "refusal": _refusals(x0, sal, den, cap, cfg, degenerate & (rounds == 0)),
        },
    )


def _compiled_kernel(cfg: dict[str, Any], kernel: str, work: int) -> Any:
    """The compiled SMP module if ``kernel`` asks for it and the settings allow it, else None.

    The kernel implements KTAB's default settings only; ``kernel="compiled"`` with another
    setting, or without numba installed, is an error rather than a silent fallback. Under
    "auto", loading numba and the cached kernel costs about 2 s once per process, so the
    kernel is used once loaded, or for a batch whose ``work = B·n³`` would keep numpy busy for
    about that long (``_COMPILED_MIN_WORK``; numpy runs about 1 µs per unit, see
    ``benchmarks/bench_smp.py``).
    """
    if kernel not in ("auto", "numpy", "compiled"):
        raise ValueError(f"smp kernel={kernel!r}; supported: ('auto', 'numpy', 'compiled')")
    if kernel == "numpy":
        return None
    default = cfg["accommodation"] is None and all(
        cfg[k] == DEFAULT_PARAMS[k] for k in _CHOICES if k != "on_degenerate"
    )
    loaded = "ceasefire.bargaining.smp_compiled" in sys.modules
    if kernel == "auto" and not (default and (loaded or work >= _COMPILED_MIN_WORK)):
        return None
    try:
        smp_compiled = importlib.import_module("ceasefire.bargaining.smp_compiled")
    except (ImportError, RuntimeError) as exc:  # RuntimeError: numba found no cache directory
        if kernel == "compiled":
            raise ValueError(
                f"smp kernel='compiled' is unavailable ({exc}); install the 'fast' extra"
            ) from exc
        return None
    if not default:
        if kernel == "compiled":
            raise ValueError("smp kernel='compiled' implements KTAB's default settings only")
        return None
    return smp_compiled


def _raise_compiled(degenerate: BoolArray, rounds: IntArray) -> None:
    """Raise :class:`SmpDegenerateError` as the numpy path does, after a compiled run."""
    if not np.any(degenerate):
        return
    initial = degenerate & (rounds == 0)
    if np.any(initial):
        bad = np.flatnonzero(initial).tolist()
        raise _degenerate_error(bad, [])
    bad = np.flatnonzero(degenerate).tolist()
    raise _degenerate_error(bad, sorted(set(rounds[degenerate].tolist())))


#: why a state is degenerate (§4), in words, by kind
DEGENERATE_REASONS = {
    "tie": "the risk-neutral election gives every position the same probability (P_max = "
    "P_min), so the risk attitudes R are 0/0 (e.g. everyone at one position, or two "
    "equal blocs)",
    "norm": "risk attitudes change no utility (KTAB's Frobenius-norm abort: (almost) every "
    "actor at one position)",
}


def _degenerate_error(bad: list[int], turns: list[int]) -> SmpDegenerateError:
    """The error for degenerate states in batch elements ``bad``, initial if no ``turns``."""
    why = f"{DEGENERATE_REASONS['tie']}, or {DEGENERATE_REASONS['norm']}"
    if not turns:
        return SmpDegenerateError(
            f"smp: degenerate initial state in batch elements {bad}: KTAB's model is undefined "
            f"there: {why}"
        )
    return SmpDegenerateError(
        f"smp: degenerate state after turn {', '.join(map(str, turns))} in batch elements {bad}"
        f": {why}"
    )


def _refusals(
    x0: FloatArray,
    sal: FloatArray,
    den: FloatArray,
    cap: FloatArray,
    cfg: dict[str, Any],
    initial: BoolArray,
) -> list[str | None]:
    """Per element: why the model could not start (a degenerate initial state), else None.

    The kind is told by re-assessing the initial states of those elements only (§4).
    """
    out: list[str | None] = [None] * x0.shape[0]
    idx = np.flatnonzero(initial)
    if idx.size == 0:
        return out
    dist = _wdist(x0[idx, :, None], sal[idx, :, None], x0[idx, None], den[idx, :, None])
    p0 = _election(
        cap[idx],
        _util(dist, np.zeros_like(dist)),
        None,
        cfg["victory_prob"],
        cfg["voting_rule"],
        cfg["pce"],
    )
    tie = ~(p0.max(axis=-1) - p0.min(axis=-1) > 0.0)
    for k, b in enumerate(idx.tolist()):
        kind = "tie" if tie[k] else "norm"
        out[b] = f"degenerate initial state: {DEGENERATE_REASONS[kind]}"
    return out


def _raise_initial(st: _State, offset: int) -> None:
    if np.any(st.degenerate):
        bad = (np.flatnonzero(st.degenerate) + offset).tolist()
        raise _degenerate_error(bad, [])


@dataclass
class _Pool:
    """The elements currently running: global indices, turn counters, inputs and state."""

    idx: IntArray
    t: IntArray
    delta1: FloatArray
    sal: FloatArray
    den: FloatArray
    cap: FloatArray
    w: FloatArray
    stot: FloatArray
    acc: FloatArray | None
    rest: FloatArray | None
    st: _State

    def take(self, keep: IntArray) -> _Pool:
        return _Pool(
            idx=self.idx[keep],
            t=self.t[keep],
            delta1=self.delta1[keep],
            sal=self.sal[keep],
            den=self.den[keep],
            cap=self.cap[keep],
            w=self.w[keep],
            stot=self.stot[keep],
            acc=None if self.acc is None else self.acc[keep],
            rest=None if self.rest is None else self.rest[keep],
            st=_take_state(self.st, keep),
        )

    def join(self, other: _Pool) -> _Pool:
        def cat(a: Any, b: Any) -> Any:
            return None if a is None else np.concatenate([a, b])

        s, o = self.st, other.st
        return _Pool(
            idx=cat(self.idx, other.idx),
            t=cat(self.t, other.t),
            delta1=cat(self.delta1, other.delta1),
            sal=cat(self.sal, other.sal),
            den=cat(self.den, other.den),
            cap=cat(self.cap, other.cap),
            w=cat(self.w, other.w),
            stot=cat(self.stot, other.stot),
            acc=cat(self.acc, other.acc),
            rest=cat(self.rest, other.rest),
            st=_State(
                x=cat(s.x, o.x),
                ideal=cat(s.ideal, o.ideal),
                risk=cat(s.risk, o.risk),
                util=cat(s.util, o.util),
                own=cat(s.own, o.own),
                degenerate=cat(s.degenerate, o.degenerate),
            ),
        )


@dataclass(frozen=True)
class _Batch:
    """The whole batch's inputs on the [0, 1] scale; the pool admits slices of it."""

    x0: FloatArray  # (B, n, D) initial positions
    sal: FloatArray
    den: FloatArray
    cap: FloatArray
    w: FloatArray
    stot: FloatArray
    acc: FloatArray | None  # (B, n, n) accommodation, or None
    rest: FloatArray | None  # (B, n) 1 - sum_j acc_ij, or None

    @classmethod
    def of(
        cls,
        x0: FloatArray,
        sal: FloatArray,
        den: FloatArray,
        cap: FloatArray,
        w: FloatArray,
        stot: FloatArray,
        accom: FloatArray | None,
    ) -> _Batch:
        rest = None if accom is None else 1.0 - _seqsum(accom, -1)
        return cls(x0, sal, den, cap, w, stot, accom, rest)


_StateRecord = tuple[IntArray, IntArray, FloatArray, FloatArray, FloatArray]


@dataclass
class _Outcome:
    """What a run keeps per element: its states (all, or the last), ratios and final values."""

    record: bool
    states: list[_StateRecord]  # (global indices, turns, positions, state probs, option probs)
    ratios: list[tuple[IntArray, IntArray, FloatArray]]
    fin_x: FloatArray  # final state when ``record`` is False
    fin_s: FloatArray
    fin_o: FloatArray
    rounds: IntArray
    risk: FloatArray
    degenerate: BoolArray

    @classmethod
    def empty(cls, bsz: int, n: int, dims: int, record: bool) -> _Outcome:
        return cls(
            record=record,
            states=[],
            ratios=[],
            fin_x=np.zeros((bsz, n, dims)),
            fin_s=np.zeros((bsz, n)),
            fin_o=np.zeros((bsz, n)),
            rounds=np.zeros(bsz, dtype=np.int64),
            risk=np.zeros((bsz, n)),
            degenerate=np.zeros(bsz, dtype=bool),
        )

    def keep_state(
        self, gi: IntArray, ti: IntArray, xs: FloatArray, pa: FloatArray, po: FloatArray
    ) -> None:
        if self.record:
            self.states.append((gi, ti, xs, pa, po))
        else:  # states arrive in turn order, so the last one written is the final one
            self.fin_x[gi], self.fin_s[gi], self.fin_o[gi] = xs, pa, po

    def finish(self, pl: _Pool, stop: BoolArray) -> None:
        """Elements ``stop`` of the pool met the stopping rule at their current turn."""
        done = pl.idx[stop]
        self.rounds[done] = pl.t[stop]
        self.risk[done] = pl.st.risk[stop]
        self.degenerate[done] = pl.st.degenerate[stop]

    def result(
        self,
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, IntArray, FloatArray, BoolArray]:
        """``(trajectory, state_probs, option_probs, ratio, rounds, risk, degenerate)``."""
        bsz = self.rounds.size
        n_states = int(self.rounds.max()) + 1
        ratio_arr = np.full((bsz, n_states - 1), np.nan)
        for gi, ti, rs in self.ratios:
            ratio_arr[gi, ti - 1] = rs
        if self.record:
            traj, sprob, oprob = self._trajectories(n_states)
        else:
            traj, sprob, oprob = self.fin_x[:, None], self.fin_s[:, None], self.fin_o[:, None]
        return traj, sprob, oprob, ratio_arr, self.rounds, self.risk, self.degenerate

    def _trajectories(self, n_states: int) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Every recorded state in its slot; each element's final state repeated after it."""
        (bsz, n, dims), rounds = self.fin_x.shape, self.rounds
        traj = np.zeros((bsz, n_states, n, dims))
        sprob = np.zeros((bsz, n_states, n))
        oprob = np.zeros((bsz, n_states, n))
        while self.states:  # fill and free the records as we go (memory)
            gi, ti, xs, pa, po = self.states.pop()
            traj[gi, ti] = xs
            sprob[gi, ti] = pa
            oprob[gi, ti] = po
        pad_b, pad_t = np.nonzero(np.arange(n_states)[None, :] > rounds[:, None])
        if pad_b.size:
            last = rounds[pad_b]
            traj[pad_b, pad_t] = traj[pad_b, last]
            sprob[pad_b, pad_t] = sprob[pad_b, last]
            oprob[pad_b, pad_t] = oprob[pad_b, last]
        return traj, sprob, oprob


def _run_pool(
    x0: FloatArray,
    sal: FloatArray,
    den: FloatArray,
    cap: FloatArray,
    w: FloatArray,
    stot: FloatArray,
    accom: FloatArray | None,
    cfg: dict[str, Any],
    rng: np.random.Generator,
    pool_size: int,
    record: bool = True,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, IntArray, FloatArray, BoolArray]:
    """Run every element's turns (§5-§6); elements run in a pool, each at its own turn.

    Returns ``(trajectory, state_probs, option_probs, ratio, rounds, risk, degenerate)`` on
    the [0, 1] scale, padded after each element's last state as :func:`forecast` reports; with
    ``record=False`` the three per-state arrays hold the final state only (one slot). Waiting
    elements join when the pool is at most three quarters full.
    """
    bsz, n, dims = x0.shape
    batch = _Batch.of(x0, sal, den, cap, w, stot, accom)
    out = _Outcome.empty(bsz, n, dims, record)
    pending = 0
    pl: _Pool | None = None
    while True:
        size = 0 if pl is None else pl.idx.size
        if pending < bsz and size <= (3 * pool_size) // 4:
            end = min(bsz, pending + pool_size - size)
            pl = _join(pl, _admit(batch, slice(pending, end), cfg, out))
            pending = end
        elif pl is None or size == 0:
            break
        else:
            pl = _advance(pl, cfg, rng, out)
    return out.result()


def _join(pl: _Pool | None, new: _Pool) -> _Pool:
    return new if pl is None or pl.idx.size == 0 else pl.join(new)


def _admit(batch: _Batch, sl: slice, cfg: dict[str, Any], out: _Outcome) -> _Pool:
    """Elements ``sl`` of the batch at turn 0: assessed, recorded, the degenerate left out."""
    gi = np.arange(sl.start, sl.stop)
    x0 = batch.x0[sl]
    st = _assess(x0, x0.copy(), batch.sal[sl], batch.den[sl], batch.cap[sl], cfg)
    if cfg["on_degenerate"] == "raise":
        _raise_initial(st, sl.start)
    po, pa = _state_probabilities(st, batch.cap[sl], cfg)
    out.keep_state(gi, np.zeros(gi.size, dtype=np.int64), x0, pa, po)
    out.risk[sl] = st.risk
    out.degenerate[sl] = st.degenerate
    keep = np.flatnonzero(~st.degenerate)
    new = _Pool(
        idx=gi,
        t=np.zeros(gi.size, dtype=np.int64),
        delta1=np.zeros(gi.size),
        sal=batch.sal[sl],
        den=batch.den[sl],
        cap=batch.cap[sl],
        w=batch.w[sl],
        stot=batch.stot[sl],
        acc=None if batch.acc is None else batch.acc[sl],
        rest=None if batch.rest is None else batch.rest[sl],
        st=st,
    )
    return new if keep.size == gi.size else new.take(keep)


def _advance(pl: _Pool, cfg: dict[str, Any], rng: np.random.Generator, out: _Outcome) -> _Pool:
    """One turn (§5) for every element of the pool; those that stop (§6) leave it."""
    sub = pl.st
    pl.t += 1
    t = pl.t
    stochastic = cfg["transitions"] == "Stochastic"
    uniforms = rng.random((pl.idx.size, sub.x.shape[1])) if stochastic else None
    new_x = _turn(sub, pl.sal, pl.den, pl.cap, pl.w, pl.stot, cfg, uniforms)
    nst = _assess(new_x, _new_ideals(pl, new_x), pl.sal, pl.den, pl.cap, cfg)
    if cfg["on_degenerate"] == "raise" and np.any(nst.degenerate):
        bad = pl.idx[nst.degenerate].tolist()
        turns = sorted(set(t[nst.degenerate].tolist()))
        raise _degenerate_error(bad, turns)
    ratio, stop = _stopping(pl, new_x, nst)
    po, pa = _state_probabilities(nst, pl.cap, cfg)
    out.keep_state(pl.idx, t.copy(), new_x, pa, po)
    out.ratios.append((pl.idx, t.copy(), ratio))
    pl.st = nst
    if np.any(stop):
        out.finish(pl, stop)
        pl = pl.take(np.flatnonzero(~stop))
    return pl


def _new_ideals(pl: _Pool, new_x: FloatArray) -> FloatArray:
    """Ideal points after a turn: the new positions, or with accommodation
    ``ideal_i = sum_j acc_ij x_j + (1 - sum_j acc_ij) ideal_i`` (j in index order)."""
    if pl.acc is None or pl.rest is None:
        return new_x
    n = new_x.shape[1]
    mix = np.zeros_like(new_x)
    for j in range(n):
        mix = mix + pl.acc[:, :, j, None] * new_x[:, None, j, :]
    ideal: FloatArray = mix + pl.rest[:, :, None] * pl.st.ideal
    return ideal


def _stopping(pl: _Pool, new_x: FloatArray, nst: _State) -> tuple[FloatArray, BoolArray]:
    """§6: the step ``sum_a ||x_a(t) - x_a(t-1)||``, its ratio to the first step, and who stops.

    An element stops after ``MAX_TURNS`` turns, or from turn ``MIN_TURNS`` on when
    ``step / (step_1 + RATIO_OFFSET) < STOP_RATIO``, or in a degenerate state. Records the
    first step in ``pl.delta1``; ``pl.st`` must still be the previous state.
    """
    t = pl.t
    step = _step_length(new_x, pl.st.x)
    pl.delta1 = np.where(t == 1, step, pl.delta1)
    ratio = step / (pl.delta1 + RATIO_OFFSET)
    stop = (t >= MAX_TURNS) | ((t >= MIN_TURNS) & (ratio < STOP_RATIO)) | nst.degenerate
    return ratio, stop


def _step_length(new_x: FloatArray, old_x: FloatArray) -> FloatArray:
    """``sum_a sqrt(sum_d (x_ad - x'_ad)^2)`` per element, summed in index order (§10)."""
    bsz, n, dims = new_x.shape
    step = np.zeros(bsz)
    diff = new_x - old_x
    for a in range(n):
        sq = np.zeros(bsz)
        for d in range(dims):
            sq = sq + diff[:, a, d] * diff[:, a, d]
        step = step + np.sqrt(sq)
    return step


def _take_state(st: _State, keep: IntArray) -> _State:
    return _State(
        x=st.x[keep],
        ideal=st.ideal[keep],
        risk=st.risk[keep],
        util=st.util[keep],
        own=st.own[keep],
        degenerate=st.degenerate[keep],
    )


# What the pipeline reads (``base.Capabilities``):
# a degenerate state stops instead of raising; a sweep keeps outcomes only (not up to
# 101 states per draw); the expected position of each round's state is the forecast path;
# numba compiles its kernel (7-10x faster, the same numbers).
CAPABILITIES = Capabilities(
    pipeline_params={"on_degenerate": "stop"},
    sweep_params={"trajectory": False},
    path="path",
    accelerator="numba",
    accelerated_params={"kernel": "compiled"},
)
