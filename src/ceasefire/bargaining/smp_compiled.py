"""Compiled kernel of KTAB's SMP in its default configuration (``docs/specs/smp.md`` §3-§7).

Optional: needs ``numba`` (the ``fast`` extra). :mod:`ceasefire.bargaining.smp` uses it for the
default settings (Linear victory, Proportional votes, Conditional PCE, Deterministic
transitions, Mid/OneThird risk, Semi commitment, S2P2 bargains, no accommodation) and keeps its
numpy path for every variant and whenever numba is missing. The two give the same numbers bit
for bit (``tests/bargaining/test_smp_compiled.py``), so which one ran is not a modelling choice.

Why a kernel: batched numpy spends its time in whole-array passes over small ``(n, n)`` and
``(n, n, n)`` blocks; at n = 10 that is about 60 µs per problem-turn, and a 10 000-draw Monte
Carlo wants a few µs (``benchmarks/bench_engines.py`` compares both with the loop reference).
The kernel is a per-problem loop, written like the loop reference
(``tests/bargaining/smp_reference.py``) with the third-party loops arranged to vectorise, and
run over the batch in threads (problems are independent, so the thread count cannot change a
number).

Numerical conventions (§10) as in the numpy engine: every reduction is a left-to-right loop,
formulas are evaluated literally, and numba does not contract ``a*b + c`` into a fused
multiply-add without ``fastmath`` (checked by the bit-for-bit tests).
"""

from __future__ import annotations

import functools
import itertools
import math
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numba as nb
import numpy as np

from ceasefire.bargaining.base import FloatArray, IntArray
from ceasefire.bargaining.smp import (  # the model's constants, one definition (§1, §6)
    DEGENERATE_NORM,
    EPS_B,
    EPS_C,
    EPS_P,
    MAX_TURNS,
    MIN_TURNS,
    RATIO_OFFSET,
    STOP_RATIO,
    TAU_EU,
    TAU_POS,
)

# cached on disk (compiling takes 10-20 s once; loading about 1 s); nogil lets threads share
# the batch. Typed as Any: the decorated kernels take and return plain arrays and floats.
_jit: Any = nb.njit(nogil=True, cache=True)


@_jit
def _wdist(ideal: FloatArray, sal: FloatArray, y: FloatArray, den: float) -> float:
    """``δ_a(y)`` of §3.1 (numerator summed over ``d`` in order; ``den = Σ_d s_ad²``)."""
    num = 0.0
    for d in range(ideal.shape[0]):
        t = sal[d] * (ideal[d] - y[d])
        num = num + t * t
    return math.sqrt(num / den)


@_jit
def _util(delta: float, r: float) -> float:
    """``u(δ, r)`` of §3.2."""
    if delta <= 1.0:
        return (1.0 - delta) * (1.0 + delta * r)
    return (1.0 - delta) * (1.0 + r)


@_jit
def _rho(z: float) -> float:
    """``ρ(z)`` of §3.6: ``0.5 + z·10⁴``, truncated, divided by ``10⁴``."""
    return float(np.trunc(0.5 + z * 1e4)) / 1e4


@_jit
def _election(w: FloatArray, v: FloatArray, n_opt: int, out: FloatArray) -> None:
    """``Election(w, V)`` of §3.4 (Proportional, Linear, Conditional) into ``out[:n_opt]``.

    ``v[a, m]``: utility of option ``m`` to voter ``a`` (only the first ``n_opt`` columns are
    read). Coalitions accumulate voters in index order from ``ε_P``; the PCE product runs over
    ``j`` in order from 1; the normalising sum runs over options in order.
    """
    n_vot = w.shape[0]
    coal = np.empty((n_opt, n_opt))
    for i in range(n_opt):
        for j in range(n_opt):
            coal[i, j] = EPS_P
    for a in range(n_vot):
        wa = w[a]
        for i in range(n_opt):
            vi = v[a, i]
            for j in range(n_opt):  # the diagonal gains exact zeros and is never read
                coal[i, j] = coal[i, j] + max(wa * (vi - v[a, j]), 0.0)
    total = 0.0
    for i in range(n_opt):
        prod = 1.0
        for j in range(n_opt):
            p_ij = 0.5 if i == j else coal[i, j] / (coal[i, j] + coal[j, i])
            prod = prod * p_ij
        out[i] = prod
        total = total + prod
    for i in range(n_opt):
        out[i] = out[i] / total


@_jit
def _assess(
    x: FloatArray,
    sal: FloatArray,
    den: FloatArray,
    cap: FloatArray,
    dist: FloatArray,
    risk: FloatArray,
    own: FloatArray,
) -> bool:
    """§4 for one state: fills ``dist[i, j] = δ_i(x_j)``, ``risk`` and ``own[a, j] = U^a_aj``.

    Returns whether the state is degenerate (``P_max = P_min`` or one of KTAB's Frobenius-norm
    aborts, tested only where some distance lies strictly between 0 and 1, as in the numpy
    engine); where ``P_max = P_min`` ``risk`` is 0, as in the numpy engine.
    """
    n = x.shape[0]
    for i in range(n):
        for j in range(n):
            dist[i, j] = _wdist(x[i], sal[i], x[j], den[i])
    u0 = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            u0[i, j] = _util(dist[i, j], 0.0)
    p0 = np.empty(n)
    _election(cap, u0, n, p0)
    pmax = p0[0]
    pmin = p0[0]
    for i in range(1, n):
        pmax = max(pmax, p0[i])
        pmin = min(pmin, p0[i])
    spread = pmax - pmin
    degenerate = not spread > 0.0
    for i in range(n):
        if degenerate:
            risk[i] = 0.0
        else:
            risk[i] = (3.0 * p0[i] - (pmax + 2.0 * pmin)) / (2.0 * spread)
    # KTAB's aborts: ||u0 - U^R||_F <= 1e-6, or ||U^h - U^R||_F <= 1e-6 for some h, where
    # U^R_ij = u(d_ij, R_i). The second is screened with the O(n²) identity of the numpy
    # engine (U^h_ij - U^R_ij = (1 - d_ij) d_ij (r_hi - R_i) in real arithmetic) and evaluated
    # literally only near the threshold.
    sq0 = 0.0
    g = np.zeros(n)
    inside = True
    # the norm tests say nothing where every distance is 0 or 1 (smp._assess)
    informative = False
    for i in range(n):
        for j in range(n):
            dd = dist[i, j]
            if dd > 1.0:
                inside = False
            if 0.0 < dd < 1.0:
                informative = True
            t = u0[i, j] - _util(dd, risk[i])
            sq0 = sq0 + t * t
            e = (1.0 - dd) * dd
            g[i] = g[i] + e * e
    if informative and math.sqrt(sq0) <= DEGENERATE_NORM:
        degenerate = True
    if informative and not degenerate:
        for h in range(n):
            acc = 0.0
            for i in range(n):
                dr = (2.0 * risk[h] + risk[i]) / 3.0 - risk[i]
                acc = acc + g[i] * (dr * dr)
            approx = math.sqrt(acc)
            if inside and approx > 2.0 * DEGENERATE_NORM:
                continue
            if inside and approx < 0.5 * DEGENERATE_NORM:
                degenerate = True
                break
            lit = 0.0
            for i in range(n):
                r_hi = (2.0 * risk[h] + risk[i]) / 3.0
                for j in range(n):
                    t = _util(dist[i, j], r_hi) - _util(dist[i, j], risk[i])
                    lit = lit + t * t
            if math.sqrt(lit) <= DEGENERATE_NORM:
                degenerate = True
                break
    for a in range(n):
        r_aa = (2.0 * risk[a] + risk[a]) / 3.0
        for j in range(n):
            own[a, j] = _util(dist[a, j], r_aa)
    return degenerate


@_jit
def _euclid(p: FloatArray, q: FloatArray) -> float:
    """Euclidean distance of two positions (§3.5), summed over ``d`` in order."""
    s = 0.0
    for d in range(p.shape[0]):
        t = p[d] - q[d]
        s = s + t * t
    return math.sqrt(s)


@_jit
def _probabilities(
    x: FloatArray, cap: FloatArray, own: FloatArray, p_opt: FloatArray, p_act: FloatArray
) -> None:
    """§7: per-option probabilities at each representative's index, per-actor probabilities."""
    n = x.shape[0]
    reps = np.empty(n, dtype=np.int64)
    n_rep = 0
    for a in range(n):  # greedy first-come representatives (§3.5)
        found = False
        for m in range(n_rep):
            if _euclid(x[a], x[reps[m]]) < TAU_POS:
                found = True
                break
        if not found:
            reps[n_rep] = a
            n_rep += 1
    last = np.empty(n, dtype=np.int64)
    for a in range(n):  # the last equivalent representative, possibly one after a (§7)
        for m in range(n_rep):
            if _euclid(x[a], x[reps[m]]) < TAU_POS:
                last[a] = reps[m]
    v = np.empty((n, n_rep))
    for a in range(n):
        for m in range(n_rep):
            v[a, m] = own[a, reps[m]]
    pm = np.empty(n_rep)
    _election(cap, v, n_rep, pm)
    for a in range(n):
        p_opt[a] = 0.0
    for m in range(n_rep):
        p_opt[reps[m]] = pm[m]
    for a in range(n):
        p_act[a] = p_opt[last[a]]


@_jit
def _turn(
    x: FloatArray,
    sal: FloatArray,
    den: FloatArray,
    cap: FloatArray,
    w: FloatArray,
    stot: FloatArray,
    dist: FloatArray,
    risk: FloatArray,
    own: FloatArray,
    new_x: FloatArray,
) -> None:
    """One turn, §5.1-§5.6, into ``new_x``."""
    n, dims = x.shape
    dist_t = np.empty((n, n))  # dist_t[j, m] = d_mj
    for m in range(n):
        for j in range(n):
            dist_t[j, m] = dist[m, j]
    ut = np.empty((n, n))  # ut[j, m] = U^i_mj for the current initiator i (m contiguous)
    r_h = np.empty(n)  # (2 R_i + R_m) / 3 for the current i
    umm = np.empty(n)  # U^i_mm
    theta = np.empty((n, n))  # theta[j, m]: third party m's weight in the challenge i -> j
    acc_a = np.empty(n)
    acc_b = np.empty(n)
    target = np.full(n, -1, dtype=np.int64)
    b_init = np.empty((n, dims))
    b_recv = np.empty((n, dims))
    for i in range(n):  # §5.1-5.2, with h = k = i
        r_i2 = 2.0 * risk[i]
        for m in range(n):
            r_h[m] = (r_i2 + risk[m]) / 3.0
        for j in range(n):
            for m in range(n):
                ut[j, m] = _util(dist_t[j, m], r_h[m])
        for m in range(n):
            umm[m] = ut[m, m]
        u_ii = ut[i, i]
        u_mi = ut[i]
        for j in range(n):  # (j = i is computed too, harmlessly, and never read)
            u_ij = ut[j, i]
            alpha = w[i] * (u_ii - u_ij)
            beta = w[j] * (ut[i, j] - ut[j, j])
            # "x + v if v > 0 else x" as x + max(v, 0): adding a zero to a positive coalition is
            # exact, and the branch-free form avoids mispredictions in the O(n³) loops
            a0 = (EPS_C + max(alpha, 0.0)) + max(beta, 0.0)
            b0 = (EPS_C - min(alpha, 0.0)) - min(beta, 0.0)
            acc_a[j] = a0
            acc_b[j] = b0
            u_mj = ut[j]
            th = theta[j]
            # every third party's θ_m at once (no reduction, so the loop vectorises); θ is 0 at
            # m = i and m = j, and adding 0 is exact
            for m in range(n):
                umi = u_mi[m]
                umj = u_mj[m]
                uvm = umm[m]
                gamma = w[m] * (umi - umj)
                a1 = a0 + max(gamma, 0.0)
                b1 = b0 - min(gamma, 0.0)
                pi = a1 / (a1 + b1)
                pib = 1.0 - pi
                j_i = pi * (umi + umi + uvm) + pib * (umj + umj + umj)
                j_j = pi * (umi + umi + umi) + pib * (umj + umj + uvm)
                th[m] = w[m] * (j_i - j_j)
            th[i] = 0.0
            th[j] = 0.0
        # the coalitions accumulate θ in increasing m for every j (§10), all j side by side
        for m in range(n):
            for j in range(n):
                t = theta[j, m]
                acc_a[j] = acc_a[j] + max(t, 0.0)
                acc_b[j] = acc_b[j] - min(t, 0.0)
        best = -1
        best_gain = -1.0
        best_p = 0.0
        for j in range(n):
            if j == i:
                continue
            u_ij = ut[j, i]
            a = acc_a[j]
            b = acc_b[j]
            p = a / (a + b)
            q = b / (a + b)
            eu_sq = u_ii + u_ij
            eu_win = u_ii + u_ii
            eu_lose = u_ij + u_ij
            eu_contest = p * eu_win + q * eu_lose
            eu_chlg = (1.0 - stot[j]) * eu_win + stot[j] * eu_contest
            gain = eu_chlg - eu_sq
            if gain > TAU_EU and gain > best_gain:
                best = j
                best_gain = gain
                best_p = p
        target[i] = best
        if best < 0:
            continue
        j = best
        pp = best_p
        qq = 1.0 - pp
        for d in range(dims):  # §5.3, S2P2 and ρ of §3.6
            om_i = (sal[i, d] * sal[i, d]) * (pp * pp)
            om_j = (sal[j, d] * sal[j, d]) * (qq * qq)
            dn = (om_i + EPS_B) + om_j
            b_init[i, d] = _rho(((om_i + EPS_B) * x[i, d] + om_j * x[j, d]) / dn)
            b_recv[i, d] = _rho((om_i * x[i, d] + (EPS_B + om_j) * x[j, d]) / dn)
    # §5.5 values of the status quo and of every bargain, to every actor
    # every initiator's bargain side by side (i innermost, so the loops below vectorise);
    # initiators without a target get harmless zeros that no candidate list reads
    bi_t = np.zeros((dims, n))
    br_t = np.zeros((dims, n))
    for i in range(n):
        if target[i] >= 0:
            for d in range(dims):
                bi_t[d, i] = b_init[i, d]
                br_t[d, i] = b_recv[i, d]
    num_i = np.empty(n)
    num_r = np.empty(n)
    v_sq = np.empty(n)
    v_b = np.empty((n, n))  # v_b[a, i]
    for a in range(n):
        s = 0.0
        for q in range(n):
            s = s + own[a, q]
        v_sq[a] = s / n
        # δ_a of every bargain (§3.1: the numerator summed over d in order, from 0)
        num_i[:] = 0.0
        num_r[:] = 0.0
        for d in range(dims):
            sd = sal[a, d]
            xd = x[a, d]
            for i in range(n):
                t = sd * (xd - bi_t[d, i])
                num_i[i] = num_i[i] + t * t
                t = sd * (xd - br_t[d, i])
                num_r[i] = num_r[i] + t * t
        va = v_b[a]
        r_a = risk[a]
        for i in range(n):
            va[i] = _util(math.sqrt(num_i[i] / den[a]), r_a) + _util(
                math.sqrt(num_r[i] / den[a]), r_a
            )
        # Σ over q ∉ {i, target(i)} in increasing q for every i side by side (adding an
        # exact zero for the excluded q)
        for q in range(n):
            oq = own[a, q]
            for i in range(n):
                va[i] = va[i] + (oq if (q != i) & (q != target[i]) else 0.0)
        for i in range(n):
            va[i] = va[i] / n
    # §5.4 candidate lists and §5.6 choice
    cands = np.empty(n + 1, dtype=np.int64)
    vk = np.empty((n, n + 1))
    pk = np.empty(n + 1)
    for k in range(n):
        n_c = 1
        cands[0] = -1
        for i in range(n):
            if target[i] >= 0 and (i == k or target[i] == k):
                cands[n_c] = i
                n_c += 1
        chosen = -1
        if n_c > 1:
            for a in range(n):
                vk[a, 0] = v_sq[a]
                for c in range(1, n_c):
                    vk[a, c] = v_b[a, cands[c]]
            _election(cap, vk, n_c, pk)
            best_idx = 0
            for c in range(1, n_c):
                if pk[c] > pk[best_idx]:
                    best_idx = c
            chosen = cands[best_idx]
        for d in range(dims):
            if chosen < 0:
                new_x[k, d] = x[k, d]
            elif chosen == k:
                new_x[k, d] = b_init[chosen, d]
            else:
                new_x[k, d] = b_recv[chosen, d]


@_jit
def _run_one(
    x0: FloatArray,
    sal: FloatArray,
    cap: FloatArray,
    traj: FloatArray,
    sprob: FloatArray,
    oprob: FloatArray,
    ratio: FloatArray,
    risk: FloatArray,
) -> tuple[int, bool]:
    """One problem, §4-§7: fills the per-state records; returns ``(turns, degenerate)``."""
    n, dims = x0.shape
    # S_a, w_a = S_a c_a and Σ_d s_ad² (§3.1, §5.1), summed over d in order as the numpy engine
    stot = np.zeros(n)
    den = np.zeros(n)
    for a in range(n):
        for d in range(dims):
            stot[a] = stot[a] + sal[a, d]
            den[a] = den[a] + sal[a, d] * sal[a, d]
    w = stot * cap
    dist = np.empty((n, n))
    own = np.empty((n, n))
    x = x0.copy()
    new_x = np.empty((n, dims))
    last = traj.shape[0] - 1  # 100, or 0 when only the final state is kept (it overwrites)
    traj[0] = x
    deg = _assess(x, sal, den, cap, dist, risk, own)
    _probabilities(x, cap, own, oprob[0], sprob[0])
    if deg:
        return 0, True
    delta1 = 0.0
    t = 0
    while True:
        t += 1
        _turn(x, sal, den, cap, w, stot, dist, risk, own, new_x)
        step = 0.0
        for a in range(n):
            sq = 0.0
            for d in range(dims):
                diff = new_x[a, d] - x[a, d]
                sq = sq + diff * diff
            step = step + math.sqrt(sq)
        if t == 1:
            delta1 = step
        r = step / (delta1 + RATIO_OFFSET)
        ratio[t - 1] = r
        x[:, :] = new_x
        slot = min(t, last)
        traj[slot] = x
        deg = _assess(x, sal, den, cap, dist, risk, own)
        _probabilities(x, cap, own, oprob[slot], sprob[slot])
        if deg or t >= MAX_TURNS or (t >= MIN_TURNS and r < STOP_RATIO):
            return t, deg


@_jit
def _run_range(
    x0: FloatArray,
    sal: FloatArray,
    cap: FloatArray,
    traj: FloatArray,
    sprob: FloatArray,
    oprob: FloatArray,
    ratio: FloatArray,
    risk: FloatArray,
    rounds: IntArray,
    degenerate: FloatArray,
    start: int,
    stop: int,
) -> None:
    """Problems ``start..stop-1`` of the batch (the GIL is released: threads run ranges).

    ``traj`` ``(S, B, n, D)``, ``sprob`` and ``oprob`` ``(S, B, n)`` are time-major with
    ``S = 101`` record slots, or 1 to keep the final state only (see :func:`run_batch`);
    ``ratio`` ``(B, 100)``, ``risk`` ``(B, n)``, ``rounds`` and ``degenerate`` ``(B,)``.
    """
    for b in range(start, stop):
        t, deg = _run_one(
            x0[b], sal[b], cap[b], traj[:, b], sprob[:, b], oprob[:, b], ratio[b], risk[b]
        )
        rounds[b] = t
        degenerate[b] = 1.0 if deg else 0.0


@_jit
def _pad(arr: FloatArray, rounds: IntArray, n_states: int) -> None:
    """In place, time-major ``arr[t, b]``: ``arr[t, b] = arr[rounds[b], b]`` for
    ``rounds[b] < t < n_states`` (each problem's final state repeated)."""
    for b in range(arr.shape[1]):
        last = rounds[b]
        for t in range(last + 1, n_states):
            for k in range(arr.shape[2]):
                arr[t, b, k] = arr[last, b, k]


def run_batch(
    x0: FloatArray,
    sal: FloatArray,
    cap: FloatArray,
    workers: int | None = None,
    record: bool = True,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, IntArray, FloatArray, FloatArray]:
    """Run every problem of the batch (§4-§7): positions and saliences on the [0, 1] scale.

    Returns ``(trajectory, state_probs, option_probs, ratio, rounds, risk, degenerate)`` with
    the shapes and padding of the numpy engine's pool: states after a problem's last are copies
    of its last, ratios after its last turn NaN; ``degenerate`` is 0/1. The batch is split into
    ranges run by ``workers`` threads (default: the CPUs this process may use); problems are
    independent, so the split cannot change a number.

    Memory: the per-state records are allocated for the most states a run can have (101) but
    time-major, so the states past the longest run are one untouched block that the operating
    system never commits; the results are views of the states used, batch axis first. With
    ``record=False`` only the final state is kept (one record slot each, overwritten every turn).
    """
    if workers is None:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    bsz, n, dims = x0.shape
    args = [np.ascontiguousarray(a, dtype=np.float64) for a in (x0, sal, cap)]
    slots = MAX_TURNS + 1 if record else 1
    traj = np.empty((slots, bsz, n * dims))
    sprob = np.empty((slots, bsz, n))
    oprob = np.empty((slots, bsz, n))
    ratio = np.full((bsz, MAX_TURNS), np.nan)
    risk = np.empty((bsz, n))
    rounds = np.empty(bsz, dtype=np.int64)
    deg = np.empty(bsz)
    runner: Any = _run_range
    job = functools.partial(
        runner, *args, traj.reshape(slots, bsz, n, dims), sprob, oprob, ratio, risk,
        rounds, deg,
    )  # fmt: skip
    if workers == 1 or bsz == 1:
        job(0, bsz)
    else:
        # many small ranges, handed out as threads free up: turn counts vary a lot between
        # problems (2 to 100), so equal halves would leave one thread idle
        bounds = np.linspace(0, bsz, min(bsz, 16 * workers) + 1).astype(int)
        with ThreadPoolExecutor(workers) as ex:
            futures = [ex.submit(job, int(lo), int(hi)) for lo, hi in itertools.pairwise(bounds)]
            for f in futures:
                f.result()
    n_states = int(rounds.max()) + 1
    if record:
        for arr in (traj, sprob, oprob):
            _pad(arr, rounds, n_states)
    kept = n_states if record else 1
    return (
        np.moveaxis(traj[:kept].reshape(kept, bsz, n, dims), 0, 1),
        np.moveaxis(sprob[:kept], 0, 1),
        np.moveaxis(oprob[:kept], 0, 1),
        ratio[:, : n_states - 1],
        rounds,
        risk,
        deg,
    )
