"""Loop-based reference implementation of KTAB's SMP, default configuration (``docs/specs/smp.md``).

Plain Python floats and ``math``, one formula per spec line, no numpy in the model: slow but
obviously a transcription of §3-§7. Used by ``test_smp.py`` to check the vectorised engine
(``ceasefire.bargaining.smp``) state by state and by ``benchmarks/bench_smp.py`` for timing.
Loaded by file path (``importlib``), so it works whatever the test directory's package layout.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

EPS_P = 1e-8
EPS_C = 1e-10
EPS_B = 1e-6
TAU_POS = 1e-3
TAU_EU = 1e-5


def wdist(ideal: list[float], sal: list[float], y: list[float]) -> float:
    """§3.1."""
    num = 0.0
    den = 0.0
    for d in range(len(ideal)):
        t = sal[d] * (ideal[d] - y[d])
        num = num + t * t
        den = den + sal[d] * sal[d]
    return math.sqrt(num / den)


def util(delta: float, r: float) -> float:
    """§3.2."""
    if delta <= 1.0:
        return (1.0 - delta) * (1.0 + delta * r)
    return (1.0 - delta) * (1.0 + r)


def election(w: list[float], v: list[list[float]]) -> list[float]:
    """§3.4: Proportional votes, Linear victory, Conditional PCE. ``v[a][m]``."""
    n_vot = len(w)
    m_opt = len(v[0])
    coal = [[0.0] * m_opt for _ in range(m_opt)]
    for i in range(m_opt):
        for j in range(m_opt):
            if i == j:
                continue
            c = EPS_P
            for a in range(n_vot):
                c = c + max(0.0, w[a] * (v[a][i] - v[a][j]))
            coal[i][j] = c
    pi = []
    for i in range(m_opt):
        prod = 1.0
        for j in range(m_opt):
            p = 0.5 if i == j else coal[i][j] / (coal[i][j] + coal[j][i])
            prod = prod * p
        pi.append(prod)
    total = 0.0
    for m in range(m_opt):
        total = total + pi[m]
    return [p / total for p in pi]


def representatives(x: list[list[float]]) -> list[int]:
    """§3.5."""
    reps: list[int] = []
    for a in range(len(x)):
        if not any(euclid(x[a], x[r]) < TAU_POS for r in reps):
            reps.append(a)
    return reps


def euclid(p: list[float], q: list[float]) -> float:
    s = 0.0
    for d in range(len(p)):
        s = s + (p[d] - q[d]) * (p[d] - q[d])
    return math.sqrt(s)


def rho(z: float) -> float:
    """§3.6."""
    return math.trunc(0.5 + z * 1e4) / 1e4


@dataclass
class Assessed:
    """§4 for one state."""

    x: list[list[float]]
    p0: list[float]
    risk: list[float]
    u: list[list[list[float]]]  # u[h][i][j]


def assess(x: list[list[float]], sal: list[list[float]], cap: list[float]) -> Assessed:
    n = len(x)
    dist = [[wdist(x[i], sal[i], x[j]) for j in range(n)] for i in range(n)]
    u0 = [[util(dist[i][j], 0.0) for j in range(n)] for i in range(n)]
    p0 = election(cap, u0)
    pmax, pmin = max(p0), min(p0)
    if not pmax > pmin:
        raise ValueError("degenerate state")
    risk = [(3.0 * p0[i] - (pmax + 2.0 * pmin)) / (2.0 * (pmax - pmin)) for i in range(n)]
    u = [
        [[util(dist[i][j], (2.0 * risk[h] + risk[i]) / 3.0) for j in range(n)] for i in range(n)]
        for h in range(n)
    ]
    return Assessed(x=x, p0=p0, risk=risk, u=u)


def challenge(
    st: Assessed, w: list[float], stot: list[float], i: int, j: int
) -> tuple[float, float]:
    """§5.1 with h = k = i: returns (P, ΔEU)."""
    u = st.u[i]
    n = len(w)
    alpha = w[i] * (u[i][i] - u[i][j])
    beta = w[j] * (u[j][i] - u[j][j])
    a = EPS_C
    b = EPS_C
    if alpha > 0:
        a = a + alpha
    if alpha < 0:
        b = b + (-alpha)
    if beta > 0:
        a = a + beta
    if beta < 0:
        b = b + (-beta)
    a0, b0 = a, b
    for m in range(n):
        if m in (i, j):
            continue
        gamma = w[m] * (u[m][i] - u[m][j])
        a1 = a0 + gamma if gamma > 0 else a0
        b1 = b0 - gamma if gamma < 0 else b0
        pi = a1 / (a1 + b1)
        pib = 1.0 - pi
        j_i = pi * (u[m][i] + u[m][i] + u[m][m]) + pib * (u[m][j] + u[m][j] + u[m][j])
        j_j = pi * (u[m][i] + u[m][i] + u[m][i]) + pib * (u[m][j] + u[m][j] + u[m][m])
        theta = w[m] * (j_i - j_j)
        if theta > 0:
            a = a + theta
        if theta < 0:
            b = b + (-theta)
    p = a / (a + b)
    q = b / (a + b)
    k = i
    eu_sq = u[k][i] + u[k][j]
    eu_win = u[k][i] + u[k][i]
    eu_lose = u[k][j] + u[k][j]
    eu_contest = p * eu_win + q * eu_lose
    eu_chlg = (1.0 - stot[j]) * eu_win + stot[j] * eu_contest
    return p, eu_chlg - eu_sq


@dataclass
class Turn:
    """Intermediates of one turn (§5)."""

    targets: list[int | None]
    p: list[float | None]
    gain: list[float | None]
    b_init: list[list[float] | None]
    b_recv: list[list[float] | None]
    choice: list[int | None]  # None = status quo, else the initiator of the chosen bargain
    new_x: list[list[float]]


def turn(st: Assessed, sal: list[list[float]], cap: list[float], stot: list[float]) -> Turn:
    n = len(cap)
    dims = len(sal[0])
    w = [stot[a] * cap[a] for a in range(n)]
    targets: list[int | None] = [None] * n
    probs: list[float | None] = [None] * n
    gains: list[float | None] = [None] * n
    b_init: list[list[float] | None] = [None] * n
    b_recv: list[list[float] | None] = [None] * n
    for i in range(n):  # §5.2
        best, best_gain, best_p = None, -1.0, 0.0
        for j in range(n):
            if j == i:
                continue
            p, g = challenge(st, w, stot, i, j)
            if g > TAU_EU and g > best_gain:
                best, best_gain, best_p = j, g, p
        if best is None:
            continue
        targets[i], probs[i], gains[i] = best, best_p, best_gain
        j = best
        p, q = best_p, 1.0 - best_p
        bi, br = [], []
        for d in range(dims):  # §5.3
            om_i = (sal[i][d] * sal[i][d]) * (p * p)
            om_j = (sal[j][d] * sal[j][d]) * (q * q)
            den = (om_i + EPS_B) + om_j
            bi.append(rho(((om_i + EPS_B) * st.x[i][d] + om_j * st.x[j][d]) / den))
            br.append(rho((om_i * st.x[i][d] + (EPS_B + om_j) * st.x[j][d]) / den))
        b_init[i], b_recv[i] = bi, br
    choice: list[int | None] = []
    new_x = []
    for k in range(n):  # §5.4-5.6
        cands: list[int | None] = [None]
        for i in range(n):
            if targets[i] is not None and (i == k or targets[i] == k):
                cands.append(i)
        vals = [[0.0] * len(cands) for _ in range(n)]
        for a in range(n):
            for c_idx, c in enumerate(cands):
                if c is None:
                    s = 0.0
                    for q in range(n):
                        s = s + st.u[a][a][q]
                else:
                    bi, br = b_init[c], b_recv[c]
                    assert bi is not None and br is not None
                    s = util(wdist(st.x[a], sal[a], bi), st.risk[a]) + util(
                        wdist(st.x[a], sal[a], br), st.risk[a]
                    )
                    for q in range(n):
                        if q not in (c, targets[c]):
                            s = s + st.u[a][a][q]
                vals[a][c_idx] = s / n
        pk = election(cap, vals)
        best_idx = 0
        for c_idx in range(1, len(cands)):
            if pk[c_idx] > pk[best_idx]:
                best_idx = c_idx
        c = cands[best_idx]
        choice.append(c)
        if c is None:
            new_x.append(list(st.x[k]))
        elif c == k:
            new_x.append(list(b_init[c] or []))
        else:
            new_x.append(list(b_recv[c] or []))
    return Turn(targets, probs, gains, b_init, b_recv, choice, new_x)


def probabilities(st: Assessed, cap: list[float]) -> tuple[list[int], list[float], list[float]]:
    """§7: (representatives, per-option, per-actor)."""
    reps = representatives(st.x)
    n = len(cap)
    v = [[st.u[a][a][r] for r in reps] for a in range(n)]
    p_opt = election(cap, v)
    p_act = []
    for a in range(n):
        last = None
        for m, r in enumerate(reps):
            if euclid(st.x[a], st.x[r]) < TAU_POS:
                last = m
        assert last is not None
        p_act.append(p_opt[last])
    return reps, p_opt, p_act


@dataclass
class Run:
    states: list[list[list[float]]] = field(default_factory=list)  # [0,1] scale
    ratios: list[float] = field(default_factory=list)
    actor_probs: list[list[float]] = field(default_factory=list)
    option_probs: list[tuple[list[int], list[float]]] = field(default_factory=list)
    first_state: Assessed | None = None
    first_turn: Turn | None = None


def run(positions: list[list[float]], saliences: list[list[float]], capability: list[float]) -> Run:
    """The whole model (§2 scaling, §4-§7) on 0-100 inputs."""
    x = [[p / 100.0 for p in row] for row in positions]
    sal = [[s / 100.0 for s in row] for row in saliences]
    cap = [float(c) for c in capability]
    n = len(cap)
    stot = []
    for a in range(n):
        s = 0.0
        for v in sal[a]:
            s = s + v
        stot.append(s)
    out = Run()
    st = assess(x, sal, cap)
    out.first_state = st
    out.states.append(x)
    reps, p_opt, p_act = probabilities(st, cap)
    out.actor_probs.append(p_act)
    out.option_probs.append((reps, p_opt))
    delta1 = 0.0
    t = 0
    while True:
        t += 1
        tr = turn(st, sal, cap, stot)
        if t == 1:
            out.first_turn = tr
        new_x = tr.new_x
        step = 0.0
        for a in range(n):
            step = step + euclid(new_x[a], st.x[a])
        if t == 1:
            delta1 = step
        ratio = step / (delta1 + 1e-4)
        out.ratios.append(ratio)
        st = assess(new_x, sal, cap)
        out.states.append(new_x)
        reps, p_opt, p_act = probabilities(st, cap)
        out.actor_probs.append(p_act)
        out.option_probs.append((reps, p_opt))
        if t >= 100 or (t >= 2 and ratio < 0.02):
            return out
