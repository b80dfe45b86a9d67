"""KTAB's Spatial Model of Politics (SMP), deterministic default mode (``specs/smp.md``).

This module holds two pure functions and their helpers:

* :func:`forecast` -- the ``smp`` engine behind the bargaining protocol (``base.py``). It runs
  KTAB's SMP turn by turn (spec §4-§6) on a batch of problems and reports the final state as
  KTAB does (§7).
* :func:`parse_ktab_csv` -- reads the *text* of a KTAB SMP CSV file (§2) into a
  :class:`KtabScenario`. The caller reads the file; this module does no I/O.

Numerical conventions (§10) are followed throughout: every reduction that the spec orders
(distances over dimensions, coalitions over voters, third parties over ``m``, candidate values
over ``q``, PCE products over ``j``, the stopping sum over actors) is an explicit loop over the
reduced axis that accumulates whole numpy arrays, never ``numpy.sum``; formulas are evaluated
literally (``U + U + U``, not ``3U``). Python floats and numpy ``float64`` are both IEEE double,
so the loop-based reference implementation in the tests agrees with this one bit for bit.

Vectorisation (§9): inside a turn everything is vectorised over the batch and over actors,
``(initiator, target)`` pairs, voters' options and candidate lists; loops remain only over the
reduced axes above. The batch runs **in lockstep**: each turn is computed for the sub-batch of
elements that have not yet met the stopping rule (§6); finished elements are frozen, so their
trajectory repeats the final state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ceasefire.bargaining.base import FloatArray, Forecast, IntArray, Problem

BoolArray = NDArray[np.bool_]

__all__ = [
    "DEFAULT_PARAMS",
    "KtabFormatError",
    "KtabScenario",
    "SmpDegenerateError",
    "forecast",
    "parse_ktab_csv",
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
    n_vot, m = v.shape[-2], v.shape[-1]
    shape = np.broadcast_shapes(w.shape[:-1], v.shape[:-2])
    c = np.full((*shape, m, m), EPS_P)
    for a in range(n_vot):
        va = v[..., a, :]
        vote = _vote(w[..., a, None, None], va[..., :, None], va[..., None, :], rule)
        c = c + np.maximum(0.0, vote)
    p = _victory(c, victory)
    full = np.ones((*shape, m), dtype=bool)
    mask = full if mask is None else np.broadcast_to(mask, full.shape)
    if pce == "Conditional":
        pm = np.where(mask[..., None, :], p, 1.0)
        pi = np.ones((*shape, m), dtype=np.float64)
        for j in range(m):
            pi = pi * pm[..., :, j]
        pi = np.where(mask, pi, 0.0)
        return pi / _seqsum(pi, -1)[..., None]
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
    ``degenerate``; for them ``R`` is replaced by 0 (risk-neutral) so that the state can still
    be reported when ``on_degenerate="stop"``.
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
    util = _util(dist[:, None, :, :], r_hi[:, :, :, None])  # (B, h, i, j)
    ar = np.arange(n)
    own = util[:, ar, ar, :]
    # KTAB's aborts: ||u0 - U^R||_F <= 1e-6, or ||U^h - U^R||_F <= 1e-6 for some h.
    u_r = _util(dist, risk[:, :, None])
    norm0 = np.sqrt(np.sum((u0 - u_r) ** 2, axis=(-2, -1)))
    degenerate = degenerate | (norm0 <= DEGENERATE_NORM)
    if adj != "Full":  # under Full every U^h equals U^R by construction
        norm_h = np.sqrt(np.sum((util - u_r[:, None]) ** 2, axis=(-2, -1)))
        degenerate = degenerate | np.any(norm_h <= DEGENERATE_NORM, axis=-1)
    return _State(x=x, ideal=ideal, risk=risk, util=util, own=own, degenerate=degenerate)


# ---------------------------------------------------------------------------------------------
# One turn (§5)
# ---------------------------------------------------------------------------------------------


def _challenges(
    st: _State, w: FloatArray, stot: FloatArray, cfg: dict[str, Any]
) -> tuple[FloatArray, FloatArray]:
    """``E(i; i → j; i)`` for every pair (§5.1): returns ``(P, ΔEU)``, each ``(B, n_i, n_j)``.

    Vectorised over the pairs; the third parties ``m`` are a loop (summation order, §10).
    """
    u = st.util  # (B, h, i, j)
    n = u.shape[1]
    ar = np.arange(n)
    rule = cfg["voting_rule"]
    diag13 = np.diagonal(u, axis1=1, axis2=3)  # [b, m, h] = U[b, h, m, h]
    diag23 = np.diagonal(u, axis1=2, axis2=3)  # [b, h, m] = U[b, h, m, m]
    u_ii = u[:, ar, ar, ar][:, :, None]  # U^i_ii
    u_ij = st.util[:, ar, ar, :]  # U^i_ij
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
    a0, b0 = a, b
    commit = cfg["third_party_commit"]
    for m in range(n):
        third = (ar != m)[:, None] & (ar != m)[None, :]
        u_mi = diag13[:, m, :, None]  # U^i_mi
        u_mj = u[:, :, m, :]  # U^i_mj
        u_mm = diag23[:, :, m, None]  # U^i_mm
        w_m = w[:, m, None, None]
        gamma = _vote(w_m, u_mi, u_mj, rule)
        a1 = np.where(gamma > 0, a0 + gamma, a0)
        b1 = np.where(gamma < 0, b0 - gamma, b0)
        pi = a1 / (a1 + b1)
        pib = 1.0 - pi
        if commit == "Semi":
            j_i = pi * (u_mi + u_mi + u_mm) + pib * (u_mj + u_mj + u_mj)
            j_j = pi * (u_mi + u_mi + u_mi) + pib * (u_mj + u_mj + u_mm)
        elif commit == "Full":
            j_i = pi * (u_mi + u_mi + u_mi) + pib * (u_mj + u_mj + u_mj)
            j_j = pi * (u_mi + u_mi + u_mi) + pib * (u_mj + u_mj + u_mj)
        else:  # None
            j_i = pi * (u_mi + u_mi + u_mm) + pib * (u_mj + u_mj + u_mm)
            j_j = pi * (u_mi + u_mi + u_mm) + pib * (u_mj + u_mj + u_mm)
        theta = _vote(w_m, j_i, j_j, rule)
        a = np.where(third & (theta > 0), a + theta, a)
        b = np.where(third & (theta < 0), b - theta, b)
    p = a / (a + b)
    q = b / (a + b)
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
    for q in range(n):
        keep = (ar != q)[None, None, :] & (target != q)[:, None, :]
        acc = np.where(keep, acc + own[:, :, q, None], acc)
    v_b = acc / float(n)
    v_full = np.concatenate([v_sq[:, :, None], v_b], axis=-1)  # (B, a, 1 + n)
    # §5.4 candidate lists: σ_k, then β_i with i == k or target(i) == k, increasing i
    involved = has[:, None, :] & (
        (ar[None, :, None] == ar[None, None, :]) | (target[:, None, :] == ar[None, :, None])
    )  # (B, k, i)
    incl = np.concatenate([np.ones((bsz, n, 1), dtype=bool), involved], axis=-1)
    order = np.argsort(~incl, axis=-1, kind="stable")
    length = int(incl.sum(axis=-1).max())
    cand = order[:, :, :length]  # (B, k, L)
    cmask = np.take_along_axis(incl, cand, axis=-1)
    vk = np.take_along_axis(
        np.broadcast_to(v_full[:, None, :, :], (bsz, n, n, n + 1)),
        np.broadcast_to(cand[:, :, None, :], (bsz, n, n, length)),
        axis=-1,
    )  # (B, k, a, L)
    pk = _election(cap[:, None, :], vk, cmask, cfg["victory_prob"], cfg["voting_rule"], cfg["pce"])
    # §5.6 choice
    if uniforms is None:
        pick = np.argmax(np.where(cmask, pk, -np.inf), axis=-1)
    else:
        cum = np.zeros(pk.shape[:-1])
        pick = np.full(pk.shape[:-1], -1, dtype=np.int64)
        for ell in range(length):
            cum = cum + pk[..., ell]
            pick = np.where((pick < 0) & cmask[..., ell] & (uniforms < cum), ell, pick)
        last = cmask.sum(axis=-1) - 1
        pick = np.where(pick < 0, last, pick)
    chosen = np.take_along_axis(cand, pick[:, :, None], axis=-1)[:, :, 0]  # (B, k)
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
    p_opt = _election(cap, st.own, is_rep, cfg["victory_prob"], cfg["voting_rule"], cfg["pce"])
    n = st.x.shape[1]
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


def forecast(problem: Problem, rng: np.random.Generator, **params: Any) -> Forecast:
    """Run KTAB's SMP (``specs/smp.md``) on every problem of the batch.

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
    * ``on_degenerate``: "raise" (default; :class:`SmpDegenerateError`) or "stop" -- a
      documented deviation: a degenerate state (§4: all actors' risk-neutral probabilities
      equal, or KTAB's Frobenius-norm aborts, i.e. (almost) everyone at one position) ends that
      element's run as converged; its risk attitudes are reported as 0.

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
      states; ``degenerate`` (B,) whether a run was ended by a degenerate state.
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
        accom_rest = 1.0 - _seqsum(accom, -1)
    stochastic = cfg["transitions"] == "Stochastic"

    st = _assess(x0, x0.copy(), sal, den, cap, cfg)
    if cfg["on_degenerate"] == "raise" and np.any(st.degenerate):
        bad = np.flatnonzero(st.degenerate).tolist()
        raise SmpDegenerateError(
            f"smp: degenerate initial state (everyone at one position?) in batch elements {bad}"
        )
    po, pa = _state_probabilities(st, cap, cfg)
    traj = [x0]
    state_probs = [pa]
    option_probs = [po]
    ratios: list[FloatArray] = []
    x = x0
    ideal = x0.copy()
    risk = st.risk
    util = st.util
    own = st.own
    degenerate = st.degenerate.copy()
    active = ~degenerate
    rounds = np.zeros(bsz, dtype=np.int64)
    delta1 = np.zeros(bsz)
    t = 0
    while np.any(active):
        t += 1
        idx = np.flatnonzero(active)
        sub = _State(
            x=x[idx],
            ideal=ideal[idx],
            risk=risk[idx],
            util=util[idx],
            own=own[idx],
            degenerate=degenerate[idx],
        )
        uniforms = rng.random((idx.size, n)) if stochastic else None
        new_x = _turn(sub, sal[idx], den[idx], cap[idx], w[idx], stot[idx], cfg, uniforms)
        if accom is None:
            new_ideal = new_x
        else:
            a_sub = accom[idx]
            mix = np.zeros_like(new_x)
            for j in range(n):
                mix = mix + a_sub[:, :, j, None] * new_x[:, None, j, :]
            new_ideal = mix + accom_rest[idx][:, :, None] * sub.ideal
        nst = _assess(new_x, new_ideal, sal[idx], den[idx], cap[idx], cfg)
        if cfg["on_degenerate"] == "raise" and np.any(nst.degenerate):
            bad = idx[nst.degenerate].tolist()
            raise SmpDegenerateError(
                f"smp: degenerate state after turn {t} in batch elements {bad}"
            )
        # §6 stopping rule
        step = np.zeros(idx.size)
        diff = new_x - sub.x
        for a in range(n):
            sq = np.zeros(idx.size)
            for d in range(dims):
                sq = sq + diff[:, a, d] * diff[:, a, d]
            step = step + np.sqrt(sq)
        if t == 1:
            delta1[idx] = step
        ratio = step / (delta1[idx] + RATIO_OFFSET)
        stop = (t >= MAX_TURNS) | ((t >= MIN_TURNS) & (ratio < STOP_RATIO)) | nst.degenerate
        po_new, pa_new = _state_probabilities(nst, cap[idx], cfg)

        x = x.copy()
        ideal = ideal.copy()
        risk = risk.copy()
        util = util.copy()
        own = own.copy()
        x[idx], ideal[idx], risk[idx], util[idx], own[idx] = (
            new_x,
            new_ideal,
            nst.risk,
            nst.util,
            nst.own,
        )
        degenerate[idx] = nst.degenerate
        rounds[idx] = t
        pa = pa.copy()
        pa[idx] = pa_new
        po = po.copy()
        po[idx] = po_new
        r_full = np.full(bsz, np.nan)
        r_full[idx] = ratio
        ratios.append(r_full)
        traj.append(x)
        state_probs.append(pa)
        option_probs.append(po)
        active[idx[stop]] = False

    final = _State(x=x, ideal=ideal, risk=risk, util=util, own=own, degenerate=degenerate)
    p_opt, p_act = _state_probabilities(final, cap, cfg)
    outcome = np.zeros((bsz, dims))
    for a in range(n):
        outcome = outcome + p_opt[:, a, None] * x[:, a, :]
    mode_idx = np.argmax(p_opt, axis=-1)
    mode = np.take_along_axis(x, mode_idx[:, None, None], axis=1)[:, 0, :]
    ratio_arr = np.stack(ratios, axis=1) if ratios else np.zeros((bsz, 0))
    return Forecast(
        outcome=outcome * 100.0,
        rounds=rounds,
        method="smp",
        variant=variant,
        params={k: v for k, v in cfg.items() if k != "accommodation"}
        | {"accommodation": None if accom is None else "matrix"},
        version=VERSION,
        trajectory=np.stack(traj, axis=1) * 100.0,
        extras={
            "probabilities": p_act,
            "option_probabilities": p_opt,
            "state_probabilities": np.stack(state_probs, axis=1),
            # the expected position of every state (§7 applied to each state): the path of
            # the forecast over the turns, (B, T+1, D) on the 0-100 scale
            "path": np.einsum(
                "btn,btnd->btd", np.stack(option_probs, axis=1), np.stack(traj, axis=1)
            )
            * 100.0,
            "mode": mode * 100.0,
            "risk": risk,
            "ratio": ratio_arr,
            "states": rounds + 1,
            "degenerate": degenerate,
        },
    )


# ---------------------------------------------------------------------------------------------
# KTAB CSV (§2)
# ---------------------------------------------------------------------------------------------


class KtabFormatError(ValueError):
    """Malformed KTAB SMP CSV text; the message names the line (1-based) and column."""

    def __init__(self, message: str, line: int | None = None, column: str | None = None):
        where = []
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class KtabScenario:
    """A KTAB SMP scenario as read from its CSV (§2), values as in the file (0-100 scale).

    ``positions``/``saliences`` (n, D) and ``capability`` (n,) are the file's numbers; the
    model scales them by ``scaling`` (positions and saliences divided by 100, capability raw)
    -- :func:`forecast` does that itself from a 0-100 :class:`Problem`. Text fields keep their
    spaces as the spec says (e.g. ``"  XYZ Position"``); strip them for display if wanted.
    """

    name: str
    description: str
    actor_names: tuple[str, ...]
    actor_descriptions: tuple[str, ...]
    dimension_names: tuple[str, ...]
    salience_labels: tuple[str, ...]
    capability_label: str
    capability: FloatArray
    positions: FloatArray
    saliences: FloatArray
    scaling: dict[str, str] = field(
        default_factory=lambda: {
            "positions": "file value / 100 (model works on [0, 1]; reported x100)",
            "saliences": "file value / 100",
            "capability": "raw file value",
        }
    )

    @property
    def n_actors(self) -> int:
        return len(self.actor_names)

    @property
    def n_dims(self) -> int:
        return len(self.dimension_names)

    def to_problem(self, status_quo: Any = None) -> Problem:
        """A batch-of-one :class:`Problem` on the 0-100 scale.

        The KTAB format has no status quo (SMP ignores it); by default we put the capability x
        salience weighted mean of the positions, which is only a placeholder for engines that
        need one.
        """
        if status_quo is None:
            wts = self.capability[:, None] * self.saliences
            tot = wts.sum(axis=0)
            status_quo = np.where(
                tot > 0, (wts * self.positions).sum(axis=0) / np.where(tot > 0, tot, 1), 50.0
            )
        return Problem.single(self.positions, self.saliences, self.capability, status_quo)


def _split_fields(line: str, lineno: int) -> list[str]:
    """Split one CSV record as §2 describes (quotes, ``&quot;``, ``$$``, trailing comma)."""
    fields: list[str] = []
    i, end = 0, len(line)
    while True:
        if i < end and line[i] == '"':
            close = line.find('"', i + 1)
            if close < 0:
                raise KtabFormatError("unterminated double quote", line=lineno)
            k = line.find(",", close + 1)
        else:
            k = line.find(",", i)
        if k < 0:
            k = end
        raw = line[i:k]
        if raw.startswith('"'):
            raw = raw[1:]
        if raw.endswith('"'):
            raw = raw[:-1]
        fields.append(raw.replace("&quot;", '"').replace("$$", ","))
        if k >= end:
            break
        i = k + 1
    if len(fields) > 1 and fields[-1] == "":
        fields.pop()
    return fields


def _number(text: str, lineno: int, column: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise KtabFormatError(f"not a number: {text!r}", line=lineno, column=column) from None
    if not np.isfinite(value):
        raise KtabFormatError(f"not a finite number: {text!r}", line=lineno, column=column)
    return value


def _integer(text: str, lineno: int, column: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise KtabFormatError(f"not an integer: {text!r}", line=lineno, column=column) from None


def parse_ktab_csv(text: str) -> KtabScenario:
    """Parse the text of a KTAB SMP CSV file (§2) and validate it.

    Raises :class:`KtabFormatError` (a ``ValueError``) naming the line and column for missing
    lines or columns, non-numeric values and out-of-range values: ``n`` in [3, 250], ``D`` >= 1,
    capability in (0, 1e8], positions and saliences in [0, 100], each actor's saliences summing
    to <= 100 (with 1e-9 slack for decimal round-off, our choice) and > 0. Extra fields after
    the expected ones and lines after line ``n + 2`` are ignored.
    """
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise KtabFormatError("empty input: expected the scenario line", line=1)
    head = _split_fields(lines[0], 1)
    labels = ("scenario name", "scenario description", "number of actors", "number of dimensions")
    if len(head) < 4:
        raise KtabFormatError(
            f"expected 4 fields (name, description, n, D), got {len(head)}",
            line=1,
            column=labels[len(head)],
        )
    name, desc = head[0], head[1]
    n = _integer(head[2], 1, labels[2])
    dims = _integer(head[3], 1, labels[3])
    if len(name) > 512:
        raise KtabFormatError("scenario name longer than 512 characters", 1, labels[0])
    if len(desc) > 512:
        raise KtabFormatError("scenario description longer than 512 characters", 1, labels[1])
    if not 3 <= n <= 250:
        raise KtabFormatError(f"number of actors {n} not in [3, 250]", 1, labels[2])
    if dims < 1:
        raise KtabFormatError(f"number of dimensions {dims} < 1", 1, labels[3])
    if len(lines) < 2:
        raise KtabFormatError("missing header line", line=2)
    header = _split_fields(lines[1], 2)
    ncols = 3 + 2 * dims
    if len(header) < ncols:
        raise KtabFormatError(
            f"header has {len(header)} fields, expected {ncols} (3 + 2 x {dims} dimensions)",
            line=2,
            column=f"field {len(header) + 1}",
        )
    dim_names = tuple(header[3 + 2 * d] for d in range(dims))
    sal_labels = tuple(header[4 + 2 * d] for d in range(dims))
    cap_label = header[2]
    if len(lines) < n + 2:
        raise KtabFormatError(
            f"expected {n} actor lines (lines 3..{n + 2}), file has {max(len(lines) - 2, 0)}",
            line=len(lines) + 1,
        )
    names: list[str] = []
    descs: list[str] = []
    cap = np.empty(n)
    pos = np.empty((n, dims))
    sal = np.empty((n, dims))
    for a in range(n):
        ln = a + 3
        f = _split_fields(lines[a + 2], ln)
        if len(f) < ncols:
            missing = header[len(f)] if len(f) < len(header) else f"field {len(f) + 1}"
            raise KtabFormatError(
                f"actor line has {len(f)} fields, expected {ncols}", line=ln, column=missing
            )
        if not 1 <= len(f[0]) <= 25 or not f[0].strip():
            raise KtabFormatError("actor name must have 1-25 characters", ln, header[0])
        if len(f[1]) > 256:
            raise KtabFormatError("actor description longer than 256 characters", ln, header[1])
        names.append(f[0])
        descs.append(f[1])
        c = _number(f[2], ln, cap_label)
        if not 0.0 < c <= 1e8:
            raise KtabFormatError(f"capability {c} not in (0, 1e8]", ln, cap_label)
        cap[a] = c
        for d in range(dims):
            p = _number(f[3 + 2 * d], ln, dim_names[d])
            s = _number(f[4 + 2 * d], ln, sal_labels[d])
            if not 0.0 <= p <= 100.0:
                raise KtabFormatError(f"position {p} not in [0, 100]", ln, dim_names[d])
            if not 0.0 <= s <= 100.0:
                raise KtabFormatError(f"salience {s} not in [0, 100]", ln, sal_labels[d])
            pos[a, d] = p
            sal[a, d] = s
        total = float(np.cumsum(sal[a])[-1])
        if total > 100.0 + 1e-9:
            raise KtabFormatError(f"saliences sum to {total} > 100", ln, sal_labels[-1])
        if total <= 0.0:
            raise KtabFormatError("saliences sum to 0; the model needs > 0", ln, sal_labels[-1])
    return KtabScenario(
        name=name,
        description=desc,
        actor_names=tuple(names),
        actor_descriptions=tuple(descs),
        dimension_names=dim_names,
        salience_labels=sal_labels,
        capability_label=cap_label,
        capability=cap,
        positions=pos,
        saliences=sal,
    )
