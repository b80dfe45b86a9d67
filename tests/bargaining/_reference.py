"""Slow, loop-based reference implementations of the bargaining engines (tests only).

Written directly from ``docs/specs/bargaining.md`` and ``docs/specs/bdm.md`` with plain Python
loops over batch elements, dimensions and actors, so that each line can be checked against the
spec by eye.
Loaded by ``conftest.py`` (fixture ``ref``) and by ``benchmarks/bench_bdm.py`` by file path.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import linprog, minimize, root

# ----------------------------------------------------------------------------- compromise


def compromise(positions, saliences, capability, status_quo, variant="mean"):
    """Achen's compromise model, loop over b, d, i. Returns (B, D)."""
    b_n, n, d_n = np.shape(positions)
    out = np.zeros((b_n, d_n))
    for b in range(b_n):
        for d in range(d_n):
            ws = [float(capability[b][i]) * float(saliences[b][i][d]) for i in range(n)]
            xs = [float(positions[b][i][d]) for i in range(n)]
            total = sum(ws)
            if total == 0:
                out[b, d] = status_quo[b][d]
                continue
            if variant == "mean":
                out[b, d] = sum(w * x for w, x in zip(ws, xs, strict=True)) / total
            else:
                pairs = sorted(zip(xs, ws, strict=True))
                cum = 0.0
                for x, w in pairs:
                    cum += w
                    if cum >= 0.5 * total:
                        out[b, d] = x
                        break
    return out


# ----------------------------------------------------------------------------- nash


def nash_one(pos, sal, cap, q, k=None):
    """Asymmetric Nash solution for one problem: (outcome (D,), case name).

    ``k`` (n,) disagreement costs (None: 0). An active actor with ``k_i = 0`` whose ideal is
    ``q`` on every dimension it cares about pins those dimensions at ``q`` and leaves; the
    rest is solved as a smaller problem (one actor at a time, recursively). Feasibility by a
    linear programme on the gradients at q of the actors with ``k_i = 0`` (see ``nash.py``),
    optimum by Nelder-Mead restarted from its own result, on -sum c_i log g_i (inf outside the
    set), polished by a root finder on the gradient.
    """
    pos = np.asarray(pos, float)
    sal = np.asarray(sal, float)
    cap = np.asarray(cap, float)
    q = np.asarray(q, float)
    n, d_n = pos.shape
    k = np.zeros(n) if k is None else np.asarray(k, float)
    act = [i for i in range(n) if cap[i] > 0]
    if not act:
        return q.copy(), "no_active_actors"
    for i in act:
        if k[i] == 0 and all(sal[i, d] == 0 or pos[i, d] == q[d] for d in range(d_n)):
            free = [d for d in range(d_n) if sal[i, d] == 0]
            others = [j for j in range(n) if j != i]
            out = q.copy()
            if free and others:
                sub, _ = nash_one(
                    pos[np.ix_(others, free)], sal[np.ix_(others, free)], cap[others],
                    q[free], k[others],
                )  # fmt: skip
                out[free] = sub
            return out, "ideal_at_q"
    tight = [i for i in act if k[i] == 0]
    a_all = {i: [2 * sal[i, d] * (pos[i, d] - q[d]) for d in range(d_n)] for i in act}
    a = [a_all[i] for i in tight]
    if not tight:
        v = np.zeros(d_n)
    else:
        v = _nash_direction(a, d_n)
        if v is None:
            return q.copy(), "no_common_gain"
    return _nash_solve(pos, sal, cap, q, k, act, tight, a, v), "solved"


def _nash_direction(a, d_n):
    """A direction v with a_i . v > 0 for every row of ``a`` (an LP), or None."""
    rows = np.array([np.array(row) / math.sqrt(sum(v * v for v in row)) for row in a])
    c = np.zeros(d_n + 1)
    c[-1] = -1
    res = linprog(
        c,
        A_ub=np.hstack([-rows, np.ones((len(a), 1))]),
        b_ub=np.zeros(len(a)),
        bounds=[(-1, 1)] * d_n + [(None, 1)],
        method="highs",
    )
    v = res.x[:d_n]
    if np.linalg.norm(v) == 0 or min(rows @ v) / np.linalg.norm(v) <= 1e-9:
        return None
    return v


def _nash_solve(pos, sal, cap, q, k, act, tight, a, v):
    """The maximiser from a strictly feasible start on the ray ``q + t v``."""
    d_n = pos.shape[1]
    cared = [any(sal[i, d] > 0 for i in act) for d in range(d_n)]

    def gain(i, x):  # (q - x_i)^2 - (x - x_i)^2 = (q - x)(q + x - 2 x_i), without cancellation
        return k[i] + sum(
            sal[i, d] * (q[d] - x[d]) * (q[d] + x[d] - 2 * pos[i, d]) for d in range(d_n)
        )

    ratios = [
        sum(a[m][d] * v[d] for d in range(d_n)) / sum(sal[i, d] * v[d] ** 2 for d in range(d_n))
        for m, i in enumerate(tight)
    ]
    t = 0.5 * min(ratios) if ratios else 1.0
    x0 = q + t * v
    while any(gain(i, x0) <= 0 for i in act):
        t *= 0.5
        x0 = q + t * v
    csum = sum(cap[i] for i in act)

    def negf(x):
        total = 0.0
        for i in act:
            g = gain(i, x)
            if g <= 0:
                return math.inf
            total += cap[i] / csum * math.log(g)
        return -total

    x = x0
    for _ in range(2):
        r = minimize(
            negf,
            x,
            method="Nelder-Mead",
            options={"xatol": 1e-11, "fatol": 1e-15, "maxiter": 20000, "maxfev": 40000},
        )
        x = r.x

    # polish: solve grad F = 0 (MINPACK hybrid method) from the Nelder-Mead point, which is
    # only accurate to ~1e-5 along flat directions; keep the result if it is feasible, not worse
    # in F and has a smaller gradient
    def grad(x):
        out = np.zeros(d_n)
        for i in act:
            g = gain(i, x)
            for d in range(d_n):
                out[d] += cap[i] / csum * (-2 * sal[i, d] * (x[d] - pos[i, d])) / g
        return [out[d] if cared[d] else x[d] - q[d] for d in range(d_n)]

    sol = root(grad, x, method="hybr", options={"xtol": 1e-14})
    if (
        math.isfinite(negf(sol.x))
        and negf(sol.x) <= negf(x) + 1e-12
        and np.linalg.norm(grad(sol.x)) < np.linalg.norm(grad(x))
    ):
        x = sol.x
    return np.array([x[d] if cared[d] else q[d] for d in range(d_n)])


def nash(positions, saliences, capability, status_quo, war_cost=None):
    """Loop over the batch; returns (outcomes (B, D), list of case names). ``war_cost`` (B, n)
    becomes the disagreement cost ``k_i = sum_d s_id * w_i^2`` (``nash.disagreement_cost``)."""
    outs, cases = [], []
    for b in range(len(positions)):
        k = None
        if war_cost is not None:
            k = np.sum(saliences[b], axis=1) * np.asarray(war_cost[b], float) ** 2
        x, case = nash_one(positions[b], saliences[b], capability[b], status_quo[b], k)
        outs.append(x)
        cases.append(case)
    return np.array(outs), cases


# ----------------------------------------------------------------------------- bdm


def bdm_run(x0, s, c, rounds=10):
    """One one-issue BDM run, variant scholz2011, literally as docs/specs/bdm.md §2-§8.

    x0, s (on [0, 1]), c: lists of n floats. Returns a dict with per-round lists:
    positions (T+1 lists), median, mean, risk (T+1 lists, round 0 all 1), offers (T lists of
    (type, proposer) per actor; type in {"none", "confrontation", "compromise"}).
    """
    n = len(x0)
    x = [float(v) for v in x0]
    s = [float(v) for v in s]
    w = [float(c[k]) * s[k] for k in range(n)]
    delta = max(x) - min(x)
    if delta == 0:
        delta = 1.0  # degenerate: every distance is 0, nobody moves

    def dist(a, b):
        return abs(a - b) / delta

    def support(k, rho_k, a, b, xs):  # §4.1
        return w[k] * (dist(xs[k], b) ** rho_k - dist(xs[k], a) ** rho_k)

    def normaliser(rho, xs):  # §4.2 Z, literal triple sum over actors
        z = 0.0
        for k in range(n):
            for p in range(n):
                for q in range(n):
                    z += abs(support(k, rho[k], xs[p], xs[q], xs))
        return z

    def prob(a, b, rho, z, xs):  # §4.2
        if a == b or z == 0:
            return 0.0
        return sum(max(0.0, support(k, rho[k], a, b, xs)) for k in range(n)) / z

    def eu(ia, ib, rho_persp, rho_votes, z, xs):  # §4.4, challenger ia, target ib
        a, b = xs[ia], xs[ib]
        if a == b:
            return 0.0
        dd = dist(a, b)
        us = 2 - 4 * (0.5 - 0.5 * dd) ** rho_persp
        uf = 2 - 4 * (0.5 + 0.5 * dd) ** rho_persp
        uq = 2 - 4 * 0.5**rho_persp
        p = prob(a, b, rho_votes, z, xs)
        return s[ib] * (p * us + (1 - p) * uf) + (1 - s[ib]) * us - uq

    def stats(xs):  # §7
        best, med = None, None
        for p in sorted(set(xs)):
            wp = sum(w[k] * abs(xs[k] - p) for k in range(n))
            if best is None or wp < best:
                best, med = wp, p
        mean = sum(w[k] * xs[k] for k in range(n)) / sum(w)
        return med, mean

    out = {"positions": [list(x)], "median": [], "mean": [], "risk": [[1.0] * n], "offers": []}
    m0, a0 = stats(x)
    out["median"].append(m0)
    out["mean"].append(a0)
    for _ in range(rounds):
        ones = [1.0] * n
        z1 = normaliser(ones, x)
        danger = [sum(eu(k, i, 1.0, ones, z1, x) for k in range(n) if k != i) for i in range(n)]
        dmax, dmin = max(danger), min(danger)
        if dmax == dmin:
            r = [1.0] * n
        else:
            r = []
            for i in range(n):
                big_r = (2 * danger[i] - dmax - dmin) / (dmax - dmin)
                r.append((1 - big_r / 3) / (1 + big_r / 3))
        z = normaliser(r, x)
        new_x = list(x)
        offers = []
        for i in range(n):
            conf, comp = [], []
            for j in range(n):
                if j == i or x[j] == x[i]:
                    continue
                a_ij = eu(i, j, r[i], r, z, x)
                b_ij = eu(j, i, r[i], r, z, x)
                if b_ij > a_ij > 0:
                    conf.append((abs(x[j] - x[i]), j, x[j]))
                elif b_ij > 0 > a_ij and b_ij > abs(a_ij):
                    key = (abs(a_ij) * x[i] + abs(b_ij) * x[j]) / (abs(a_ij) + abs(b_ij))
                    comp.append((key, j, x[i] + (x[j] - x[i]) * abs(a_ij) / b_ij))
            if conf:
                _, j, pos = min(conf, key=lambda e: (e[0], e[1]))
                new_x[i] = pos
                offers.append(("confrontation", j))
            elif comp:
                _, j, pos = min(comp, key=lambda e: (e[0], e[1]))
                new_x[i] = pos
                offers.append(("compromise", j))
            else:
                offers.append(("none", -1))
        x = new_x
        med, mean = stats(x)
        out["positions"].append(list(x))
        out["median"].append(med)
        out["mean"].append(mean)
        out["risk"].append(list(r))
        out["offers"].append(offers)
    return out


def bdm(positions, saliences, capability, rounds=10):
    """Loop over batch and dimensions; saliences on 0-100 (divided by 100 as the engine does).

    Returns (outcome (B, D), trajectory (B, T+1, n, D), median (B, T+1, D), mean (B, T+1, D)).
    """
    positions = np.asarray(positions, float)
    b_n, n, d_n = positions.shape
    outcome = np.zeros((b_n, d_n))
    traj = np.zeros((b_n, rounds + 1, n, d_n))
    med = np.zeros((b_n, rounds + 1, d_n))
    mean = np.zeros((b_n, rounds + 1, d_n))
    for b in range(b_n):
        for d in range(d_n):
            res = bdm_run(
                [positions[b][i][d] for i in range(n)],
                [saliences[b][i][d] / 100.0 for i in range(n)],
                [capability[b][i] for i in range(n)],
                rounds,
            )
            traj[b, :, :, d] = np.array(res["positions"])
            med[b, :, d] = res["median"]
            mean[b, :, d] = res["mean"]
            outcome[b, d] = res["median"][-1]
    return outcome, traj, med, mean
