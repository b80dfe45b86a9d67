"""Bueno de Mesquita's expected-utility group-decision model (Scholz, Calbert & Smith 2011 reading).

Spec: ``docs/specs/bdm.md`` (normative); ``docs/specs/bargaining.md`` section "bdm".

The model is one-dimensional. ``forecast`` runs it on every dimension independently (§9.1): the
``(B, n, D)`` problem is reshaped to ``B*D`` independent one-issue runs of ``n`` actors, and all
runs advance together, one vectorised computation per round (§9.2). Per round (§3): risk exponents
from the dangers with every exponent 1 (§5), win probabilities with the new exponents (§4.2),
expected utilities ``A_ij``, ``B_ij`` (§4.4), offer classification and choice (§6), simultaneous
update, forecasts (§7).

Choices where the spec leaves one (all documented):

* **Saliences** arrive on the problem's 0-100 scale and are divided by 100 inside the engine,
  because the model uses them as probabilities (§1). :func:`simulate` takes them on [0, 1].
* **Capability** is the problem's ``(B, n)`` capability, common to all dimensions (§9.1).
* **Outcome** = the median (pairwise-vote winner, §7) after the last round ``T``; the weighted
  mean and the median of every round are in ``extras``. ``rounds`` is ``T`` for every element
  (fixed number of rounds, §8).
* **Cost (§9.2)**: the numerators ``sum_k max(0, w_k (D[k,b] - D[k,a]))`` are computed by the
  literal ``O(n^3)`` sum, accumulated over blocks of voters (:func:`numerators_direct`) for
  ``n <= DIRECT_MAX_N`` actors, and above that from prefix sums over the voters sorted by
  position (:func:`numerators`, ``O(n^2)`` memory and arithmetic plus cheap comparisons);
  the two agree to rounding (tested). The normaliser is ``Z = 2 sum_{a,b} num[a,b]`` (valid
  because ``w_k >= 0``), and the pairwise denominator is ``num + num^T``. These building
  blocks serve :func:`offer_step` and the ``Q < 1`` path of :func:`simulate`.
* **Fast round (Q = 1)**: :func:`simulate` (and :func:`risk_step`) sort each run's actors once
  per round and share that frame between the risk and offer steps (:func:`_fast_round`):
  the midpoint counts ``J_ab`` (:func:`_sorted_pairs`, ``n^3 / 6`` byte comparisons) and the
  prefix sums give every numerator in ``O(n^2)`` for any ``n``; dangers are column sums of
  ``d (1 - P)`` (with every exponent 1, ``U_s = 2d``, ``U_f = -2d``, ``U_q = 0``); ``U_s``,
  ``U_f`` are computed once for ``A`` and ``B`` (same distance and receiver exponent); only
  the chosen compromise positions are formed. Results equal the per-step functions to
  rounding; since compromise moves amplify rounding over rounds (as between those and the
  loop reference), trajectories agree to about 1e-9 after 10 rounds of a 36-actor problem.
* **Degenerate inputs**: ``Δ = 0`` (all positions equal, §2) runs with ``Δ`` replaced by 1: every
  distance is 0, nobody moves, and median and mean are the common position, as the spec asks.
  ``Z = 0`` (e.g. all weights zero) gives ``P = 0``. Equal dangers give ``r = 1`` (§5.6). If the
  total weight ``sum_k w_k`` is 0, median and mean use equal weights instead.
* Pairs at equal positions have their ``EU`` set to exactly 0 (§4.4 "0 in exact arithmetic") and
  make no offers (§6.1).
* **Early exit (§8)**: if no actor of any run moved in a round, the remaining rows are copies.
* Large batches are advanced in chunks of about ``_CHUNK_ELEMENTS / n^2`` runs (the runs are
  independent; the chunking only keeps the ``(M, n, n)`` temporaries in cache; about 100 runs
  of 36 actors was fastest on the 2-core machine). The fast round reuses named work arrays
  (``_Frame.buf``) across rounds: fresh megabyte temporaries are returned to the OS and
  page-faulted back every round, which cost about as much as the arithmetic.

Variants (§10). ``variant`` selects a named flag set; keyword flags override single flags (the
reported variant is then ``"custom"`` unless they agree with the named set):

=================  ==========================================================================
``scholz2011``      default: ``prob="all_triples"``, ``vote_exponent="voter"``,
                    ``perspective="receiver"``, ``capitulation=False``,
                    ``compromise_choice="weighted_key"``, ``range_="initial"``, ``Q=1``
``pairwise``        ``prob="pairwise"`` (paper eq. 30/31)
``linear``          ``vote_exponent="linear"`` (votes always with exponent 1)
``own``             ``perspective="own"`` (``B = A^T``)
``capitulation``    ``capitulation=True`` (paper's "compel" offers)
``least_move``      ``compromise_choice="least_move"``
``dynamic``         ``range_="dynamic"`` (Δ recomputed from the current positions every round)
=================  ==========================================================================

``Q < 1`` (paper eq. 7, untested by the spec) is the keyword ``Q`` with the reading
``T = 1 iff |x_c - mu| < |x_c - x_t|`` (``mu`` = median of the current positions).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ceasefire.bargaining.base import Capabilities, FloatArray, Forecast, IntArray, Problem

VERSION = "1"

OFFER_NONE = 0
OFFER_CONFRONTATION = 1
OFFER_COMPROMISE = 2
OFFER_CAPITULATION = 3
OFFER_NAMES = ("none", "confrontation", "compromise", "capitulation")

# elements per temporary block of the cubic numerator (about 32 MB of doubles)
_BLOCK_ELEMENTS = 1 << 22
# runs advanced together: (M, n, n) temporaries of about this many elements stay in cache
_CHUNK_ELEMENTS = 1 << 17
# up to this many actors the literal cubic sum is faster than the sorted prefix sums (measured)
DIRECT_MAX_N = 48


@dataclass(frozen=True)
class Flags:
    """The §10 flags; defaults are variant ``scholz2011``."""

    prob: str = "all_triples"  # or "pairwise"
    vote_exponent: str = "voter"  # or "linear"
    perspective: str = "receiver"  # or "own"
    capitulation: bool = False
    compromise_choice: str = "weighted_key"  # or "least_move"
    range_: str = "initial"  # or "dynamic"
    Q: float = 1.0

    def check(self) -> None:
        """Raise ValueError on an unknown flag value."""
        allowed = {
            "prob": ("all_triples", "pairwise"),
            "vote_exponent": ("voter", "linear"),
            "perspective": ("receiver", "own"),
            "compromise_choice": ("weighted_key", "least_move"),
            "range_": ("initial", "dynamic"),
        }
        for name, values in allowed.items():
            if getattr(self, name) not in values:
                raise ValueError(
                    f"bdm: {name} must be one of {values}, got {getattr(self, name)!r}"
                )
        if not 0.0 <= self.Q <= 1.0:
            raise ValueError(f"bdm: Q must be in [0, 1], got {self.Q}")


VARIANTS: dict[str, Flags] = {
    "scholz2011": Flags(),
    "pairwise": Flags(prob="pairwise"),
    "linear": Flags(vote_exponent="linear"),
    "own": Flags(perspective="own"),
    "capitulation": Flags(capitulation=True),
    "least_move": Flags(compromise_choice="least_move"),
    "dynamic": Flags(range_="dynamic"),
}


# --------------------------------------------------------------------------------------------
# building blocks on (M, n) arrays: M independent one-issue runs of n actors
# --------------------------------------------------------------------------------------------


def numerators_direct(y: FloatArray, w: FloatArray) -> FloatArray:
    """``num[m, a, b] = sum_k w[m, k] * max(0, y[m, k, b] - y[m, k, a])`` (§4.2), (M, n, n).

    The literal ``O(n^3)`` form, accumulated over blocks of voters ``k`` (§9.2); used for
    ``n <= DIRECT_MAX_N`` actors, :func:`numerators` above that.
    """
    m, n, _ = y.shape
    out = np.zeros((m, n, n))
    kb = max(1, _BLOCK_ELEMENTS // max(1, m * n * n))
    for k0 in range(0, n, kb):
        yk = y[:, k0 : k0 + kb, :]  # (M, kb, n)
        diff = yk[:, :, None, :] - yk[:, :, :, None]  # [m, k, a, b] = y_kb - y_ka
        np.maximum(diff, 0.0, out=diff)
        out += np.einsum("mk,mkab->mab", w[:, k0 : k0 + kb], diff, optimize=False)
    return out


def _count_below(xs: FloatArray, v: FloatArray) -> NDArray[np.int32]:
    """``#{k : xs[m, k] < v[m, ...]}`` for rows ``xs`` (M, n) and ``v`` (M, ...), as int32.

    One comparison pass per voter over ``v`` (cheap, bounded memory)."""
    m, n = xs.shape
    flat = v.reshape(m, -1)
    count = np.zeros(flat.shape, dtype=np.int32)
    below = np.empty(flat.shape, dtype=bool)
    for k in range(n):
        np.less(xs[:, k : k + 1], flat, out=below)
        count += below
    return count.reshape(v.shape)


def numerators(x: FloatArray, y: FloatArray, w: FloatArray) -> FloatArray:
    """``num[m, a, b] = sum_k w[m, k] * max(0, y[m, k, b] - y[m, k, a])`` (§4.2), (M, n, n).

    ``y[m, k, p] = d(x_k, x_p)^{rho_k}`` with ``rho_k > 0``, so ``y_kb > y_ka`` exactly when voter
    ``k`` is nearer to ``x_a`` than to ``x_b``, i.e. on ``a``'s side of the midpoint
    ``(x_a + x_b) / 2``. With the voters sorted by position and prefix sums
    ``C[j, p] = sum_{k < j} w_k y_kp``, the sum over the voters below the midpoint is
    ``C[j, b] - C[j, a]`` (``j`` = their number) and the sum over the rest is the complement:
    ``O(n^2)`` arithmetic and memory per run (plus ``n^3`` cheap comparisons to count the
    voters below each midpoint) instead of the literal ``O(n^3)`` arithmetic of
    :func:`numerators_direct` (§9.2).
    Voters exactly at the midpoint contribute 0 either way.
    """
    m, n = x.shape
    order = np.argsort(x, axis=1, kind="stable")
    xs = np.take_along_axis(x, order, axis=1)
    ys = np.take_along_axis(y, order[:, :, None], axis=1)  # voters sorted; columns as given
    ws = np.take_along_axis(w, order, axis=1)
    c = np.zeros((m, n + 1, n))
    np.cumsum(ws[:, :, None] * ys, axis=1, out=c[:, 1:, :])
    total = c[:, n, :]  # (M, n)
    midpoint = 0.5 * (x[:, :, None] + x[:, None, :])
    j = _count_below(xs, midpoint)  # (M, n, n)
    cflat = c.reshape(-1)
    base = (np.arange(m) * ((n + 1) * n))[:, None, None] + j * n  # (M, n, n) row offsets
    cols = np.arange(n)
    cb = cflat[base + cols[None, None, :]]
    ca = cflat[base + cols[None, :, None]]
    low = cb - ca  # voters below the midpoint: y_kb - y_ka
    high = (total[:, None, :] - cb) - (total[:, :, None] - ca)  # the others
    xa = x[:, :, None]
    xb = x[:, None, :]
    num = np.where(xa < xb, low, np.where(xa > xb, high, 0.0))
    return np.maximum(num, 0.0)


def win_probabilities(
    x: FloatArray, w: FloatArray, delta: FloatArray, rho: FloatArray, prob: str
) -> tuple[FloatArray, FloatArray]:
    """``P[m, a, b] = P(x_a, x_b)`` (§4.2 or §10 ``pairwise``) and the normaliser ``Z`` (M,).

    ``rho`` (M, n) are the voters' exponents. ``P = 0`` where ``x_a == x_b`` exactly, and where the
    denominator is 0.
    """
    dist = np.abs(x[:, :, None] - x[:, None, :]) / delta[:, None, None]
    y = dist ** rho[:, :, None]
    num = numerators_direct(y, w) if x.shape[1] <= DIRECT_MAX_N else numerators(x, y, w)
    same = x[:, :, None] == x[:, None, :]
    if prob == "all_triples":
        z = 2.0 * num.sum(axis=(1, 2))
        den = np.broadcast_to(z[:, None, None], num.shape)
    else:
        z = 2.0 * num.sum(axis=(1, 2))
        den = num + np.swapaxes(num, 1, 2)
    p = np.where(same | (den <= 0), 0.0, num / np.where(den > 0, den, 1.0))
    return p, z


def _u(d: FloatArray, rho: FloatArray, sign: float) -> FloatArray:
    """``2 - 4 (0.5 + sign * 0.5 d)^rho``: ``U_s`` for sign -1, ``U_f`` for +1 (§4.3)."""
    return 2.0 - 4.0 * (0.5 + sign * 0.5 * d) ** rho


def expected_utility(
    dist: FloatArray,
    p_ab: FloatArray,
    s_target: FloatArray,
    rho: FloatArray,
    q_term: FloatArray,
) -> FloatArray:
    """``EU(a -> b; rho)`` of §4.4 elementwise; ``q_term`` is ``Q U_q + (1-Q)(...)`` to subtract."""
    us = _u(dist, rho, -1.0)
    uf = _u(dist, rho, +1.0)
    return s_target * (p_ab * us + (1.0 - p_ab) * uf) + (1.0 - s_target) * us - q_term


def weighted_stats(
    x: FloatArray, w: FloatArray, absd: FloatArray | None = None
) -> tuple[FloatArray, FloatArray]:
    """Median (§7: argmin over held positions of ``sum_k w_k |x_k - p|``, lowest on exact ties)
    and weighted mean; (M,) each. Equal weights are used where the total weight is 0.
    ``absd`` optionally passes ``|x_k - x_p|`` (M, n, n) if already computed."""
    total = w.sum(axis=1)
    w = np.where((total > 0)[:, None], w, 1.0)
    if absd is None:
        absd = np.abs(x[:, :, None] - x[:, None, :])
    wd = np.einsum("mk,mkp->mp", w, absd)
    best = wd.min(axis=1)
    median = np.where(wd == best[:, None], x, np.inf).min(axis=1)
    mean = (w * x).sum(axis=1) / w.sum(axis=1)
    return median, mean


def _q_terms(
    x: FloatArray,
    dist: FloatArray,
    delta: FloatArray,
    rho_persp: FloatArray,
    q: float,
    mu: FloatArray | None,
    challenger_axis: int,
) -> FloatArray:
    """``Q U_q(rho) + (1-Q)[T U_b + (1-T) U_w]`` for pairs (M, n, n) (§4.4, §10 ``Q``).

    ``rho_persp`` broadcasts against (M, n, n). ``challenger_axis`` (1 or 2) says which pair
    index is the challenger ``c``; the other is the target ``t``.
    """
    uq = 2.0 - 4.0 * 0.5**rho_persp
    if q == 1.0 or mu is None:
        return np.broadcast_to(uq, dist.shape)
    xc = x[:, :, None] if challenger_axis == 1 else x[:, None, :]
    to_mu = np.abs(xc - mu[:, None, None])
    to_t = dist * delta[:, None, None]
    spread = 0.25 * (to_mu + to_t) / delta[:, None, None]
    ub = 2.0 - 4.0 * (0.5 - spread) ** rho_persp
    uw = 2.0 - 4.0 * (0.5 + spread) ** rho_persp
    t = to_mu < to_t
    return q * uq + (1.0 - q) * np.where(t, ub, uw)


@dataclass(frozen=True)
class RiskStep:
    """§5 quantities of one round for (M, n) runs."""

    r: FloatArray  # (M, n) risk exponents
    danger: FloatArray  # (M, n)
    z: FloatArray  # (M,) normaliser with all exponents 1
    p: FloatArray  # (M, n, n) probabilities with all exponents 1


def risk_step(
    x: FloatArray,
    s: FloatArray,
    w: FloatArray,
    delta: FloatArray,
    flags: Flags,
    mu: FloatArray | None = None,
) -> RiskStep:
    """Risk exponents (§5): dangers ``D_i = sum_{k != i} EU(k -> i; 1)`` with every exponent 1."""
    if flags.Q == 1.0:
        # the computation :func:`simulate` uses (identical results)
        fr = _Frame(*x.shape)
        sf = _sort_frame(fr, x, w, delta)
        r, danger, z, p_s = _fast_risk(fr, sf, s, flags.prob)
        p = np.take(p_s.reshape(-1), _unsort_index(fr, sf.order))
        return RiskStep(r=r, danger=danger, z=z, p=p)
    ones = np.ones_like(x)
    p, z = win_probabilities(x, w, delta, ones, flags.prob)
    dist = np.abs(x[:, :, None] - x[:, None, :]) / delta[:, None, None]
    same = x[:, :, None] == x[:, None, :]
    # pair [m, k, i]: challenger k, target i
    q_term = _q_terms(x, dist, delta, np.ones((1, 1, 1)), flags.Q, mu, challenger_axis=1)
    eu = expected_utility(dist, p, s[:, None, :], np.ones((1, 1, 1)), q_term)
    eu = np.where(same, 0.0, eu)
    danger = eu.sum(axis=1)
    dmax = danger.max(axis=1, keepdims=True)
    dmin = danger.min(axis=1, keepdims=True)
    span = dmax - dmin
    big_r = (2.0 * danger - dmax - dmin) / np.where(span > 0, span, 1.0)
    r = (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)
    r = np.where(span > 0, r, 1.0)
    return RiskStep(r=r, danger=danger, z=z, p=p)


@dataclass(frozen=True)
class OfferStep:
    """§4.4 and §6 quantities of one round for (M, n) runs (receiver ``i`` = axis 1)."""

    p: FloatArray  # (M, n, n) P(x_a, x_b) with the offer-step exponents
    z: FloatArray  # (M,)
    a: FloatArray  # (M, n, n) A_ij
    b: FloatArray  # (M, n, n) B_ij
    offer_type: IntArray  # (M, n) accepted offer type (OFFER_*)
    proposer: IntArray  # (M, n) proposer index, -1 for none
    new_x: FloatArray  # (M, n)


def offer_step(
    x: FloatArray,
    s: FloatArray,
    w: FloatArray,
    delta: FloatArray,
    r: FloatArray,
    flags: Flags,
    mu: FloatArray | None = None,
    p_linear: FloatArray | None = None,
    z_linear: FloatArray | None = None,
) -> OfferStep:
    """Expected utilities with the round's exponents (§4.4) and the accepted moves (§6)."""
    if flags.vote_exponent == "linear" and p_linear is not None and z_linear is not None:
        p, z = p_linear, z_linear
    else:
        rho_v = r if flags.vote_exponent == "voter" else np.ones_like(r)
        p, z = win_probabilities(x, w, delta, rho_v, flags.prob)
    dist = np.abs(x[:, :, None] - x[:, None, :]) / delta[:, None, None]
    same = x[:, :, None] == x[:, None, :]
    rho_i = r[:, :, None]  # receiver's exponent, broadcast over j
    # A_ij = EU(i -> j; r_i): challenger i (axis 1), target j
    qa = _q_terms(x, dist, delta, rho_i, flags.Q, mu, challenger_axis=1)
    a = expected_utility(dist, p, s[:, None, :], rho_i, qa)
    a = np.where(same, 0.0, a)
    if flags.perspective == "own":
        b = np.swapaxes(a, 1, 2)
    else:
        # B_ij = EU(j -> i; r_i): challenger j (axis 2), target i, P(x_j, x_i)
        qb = _q_terms(x, dist, delta, rho_i, flags.Q, mu, challenger_axis=2)
        b = expected_utility(dist, np.swapaxes(p, 1, 2), s[:, :, None], rho_i, qb)
        b = np.where(same, 0.0, b)

    xi = x[:, :, None]
    xj = x[:, None, :]
    valid = ~same
    absa = np.abs(a)
    conf = valid & (b > a) & (a > 0)
    comp = valid & (b > 0) & (a < 0) & (b > absa)
    move = np.abs(xj - xi)
    bsafe = np.where(b > 0, b, 1.0)
    comp_pos = xi + (xj - xi) * absa / bsafe
    inf = np.inf
    key_conf = np.where(conf, move, inf)
    if flags.compromise_choice == "weighted_key":
        den = absa + np.abs(b)
        kc = (absa * xi + np.abs(b) * xj) / np.where(den > 0, den, 1.0)
    else:
        kc = np.abs(comp_pos - xi)
    key_comp = np.where(comp, kc, inf)
    j_conf = np.argmin(key_conf, axis=2)  # first index on ties = earliest in input order
    j_comp = np.argmin(key_comp, axis=2)
    has_conf = conf.any(axis=2)
    has_comp = comp.any(axis=2)
    m_idx = np.arange(x.shape[0])[:, None]
    i_idx = np.arange(x.shape[1])[None, :]

    offer = np.full(x.shape, OFFER_NONE, dtype=np.int64)
    proposer = np.full(x.shape, -1, dtype=np.int64)
    new_x = x.copy()
    if flags.capitulation:
        capit = valid & (b > 0) & (a < 0) & (b < absa)
        j_cap = np.argmin(np.where(capit, move, inf), axis=2)
        has_cap = capit.any(axis=2)
        sel = has_cap & ~has_conf & ~has_comp
        offer[sel] = OFFER_CAPITULATION
        proposer[sel] = j_cap[sel]
        new_x = np.where(sel, x[m_idx, j_cap], new_x)
    sel = has_comp & ~has_conf
    offer[sel] = OFFER_COMPROMISE
    proposer[sel] = j_comp[sel]
    new_x = np.where(sel, comp_pos[m_idx, i_idx, j_comp], new_x)
    sel = has_conf
    offer[sel] = OFFER_CONFRONTATION
    proposer[sel] = j_conf[sel]
    new_x = np.where(sel, x[m_idx, j_conf], new_x)
    return OfferStep(p=p, z=z, a=a, b=b, offer_type=offer, proposer=proposer, new_x=new_x)


# --------------------------------------------------------------------------------------------
# fast path of :func:`simulate` (Q = 1): one sorted frame per round, shared by both steps
# --------------------------------------------------------------------------------------------


class _Frame:
    """Per-chunk constants of the fast round (M runs of n actors)."""

    def __init__(self, m: int, n: int) -> None:
        ar = np.arange(n)
        self.m, self.n = m, n
        self.upper = ar[:, None] < ar[None, :]  # strict upper triangle (sorted frame)
        # counts J <= n fit uint8 below 256 actors; flat indices fit int32 per chunk
        self.count_dtype = np.uint8 if n < 256 else np.int32
        self.index_dtype = np.int32 if m * (n + 1) * n < 2**31 else np.intp
        # J_ab = (min(a, b) + 1) + count of voters strictly between a and b below the midpoint
        base = np.minimum(ar[:, None], ar[None, :]) + 1
        np.fill_diagonal(base, 0)
        self.j_base = base.astype(self.count_dtype)
        # flat index of C[m, 0, b] and the shift from column b to column a
        self.c_base = ((np.arange(m) * ((n + 1) * n))[:, None, None] + ar[None, None, :]).astype(
            self.index_dtype
        )
        self.c_shift = (ar[:, None] - ar[None, :]).astype(self.index_dtype)
        self.nn_base = (np.arange(m) * (n * n))[:, None, None]
        self.c = np.zeros((m, n + 1, n))
        self._work: dict[str, NDArray[Any]] = {}

    def buf(self, name: str, shape: tuple[int, ...] | None = None, dtype: Any = float) -> Any:
        """A named work array reused across rounds: fresh large temporaries every round would
        be returned to the OS and page-faulted back in, which costs more than the arithmetic."""
        shape = (self.m, self.n, self.n) if shape is None else shape
        arr = self._work.get(name)
        if arr is None or arr.shape != shape or arr.dtype != dtype:
            arr = self._work[name] = np.empty(shape, dtype=dtype)
        return arr


def _sorted_pairs(fr: _Frame, xs: FloatArray) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Flat indices into ``C`` (M, n+1, n) of ``C[J_ab, b]`` and ``C[J_ab, a]`` (sorted frame).

    ``J_ab = J_ba`` = number of voters strictly below the midpoint ``(x_a + x_b) / 2``. For
    ``a < b`` (sorted) that is every voter up to ``a`` plus the voters ``a < k < b`` that pass
    the comparison ``2 x_k < x_a + x_b`` (a voter ``k >= b`` never passes): ``n^3 / 6`` cheap
    comparisons per run. A voter exactly at a midpoint, or tied with ``a`` or ``b``,
    contributes 0 to the numerator either way.
    """
    m, n = xs.shape
    # layout (a, b, run): the blocks below are long contiguous runs
    xt = np.ascontiguousarray(xs.T)
    sums = np.add(xt[:, None, :], xt[None, :, :], out=fr.buf("sums", (n, n, m)))
    twice = 2.0 * xt
    cnt = fr.buf("cnt", (n, n, m), fr.count_dtype)
    cnt.fill(0)
    below = fr.buf("below", (n, n, m), bool)
    below_n = below.view(np.uint8)
    for k in range(1, n - 1):
        # voter k against the pairs a < k < b
        np.less(twice[k], sums[:k, k + 1 :], out=below[:k, k + 1 :])
        np.add(cnt[:k, k + 1 :], below_n[:k, k + 1 :], out=cnt[:k, k + 1 :])
    j = fr.buf("j", None, fr.count_dtype)
    np.copyto(j, cnt.transpose(2, 0, 1))  # 0 on and below the diagonal
    j += np.swapaxes(j, 1, 2)  # symmetric: J_ba = J_ab
    j += fr.j_base  # voters up to min(a, b)
    idx_b = np.multiply(j, n, dtype=fr.index_dtype, out=fr.buf("idx_b", None, fr.index_dtype))
    idx_b += fr.c_base
    return idx_b, np.add(idx_b, fr.c_shift, out=fr.buf("idx_a", None, fr.index_dtype))


def _sorted_probabilities(
    fr: _Frame,
    ys: FloatArray,
    ws: FloatArray,
    idx_b: NDArray[np.intp],
    idx_a: NDArray[np.intp],
    prob: str,
    tag: str = "",
) -> tuple[FloatArray, FloatArray]:
    """``P`` (sorted frame, (M, n, n)) and ``Z`` (M,) from ``ys[m, k, p] = y_kp`` (sorted frame).

    Prefix sums over the sorted voters ``C[j, p] = sum_{k < j} w_k y_kp`` give the numerator
    ``num[a, b] = C[J_ab, b] - C[J_ab, a]`` for ``x_a < x_b`` (voters below the midpoint are
    nearer to ``a``) and ``num[b, a] = (T_a - T_b) + num[a, b]`` (the voters above it), with
    ``T = C[n]``; O(n^2) per run after the counts (§9.2).
    """
    n = fr.n
    c = fr.c
    wy = np.multiply(ys, ws[:, :, None], out=fr.buf("tmp"))
    for k in range(n):
        np.add(c[:, k], wy[:, k], out=c[:, k + 1])
    cf = c.reshape(-1)
    g = np.take(cf, idx_b, out=fr.buf("g"))
    g -= np.take(cf, idx_a, out=fr.buf("tmp"))
    total = c[:, n]
    num = np.subtract(total[:, None, :], total[:, :, None], out=fr.buf("p" + tag))  # T_b - T_a
    num -= g  # lower triangle: num[b, a] = T_a - T_b + g[a, b] = T_a - T_b - g[b, a]
    np.copyto(num, g, where=fr.upper)
    np.maximum(num, 0.0, out=num)
    z = 2.0 * num.sum(axis=(1, 2))
    if prob == "all_triples":
        p = np.divide(num, np.where(z > 0, z, 1.0)[:, None, None], out=num)
    else:
        den = num + np.swapaxes(num, 1, 2)
        p = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    return p, z


@dataclass(frozen=True)
class _Sorted:
    """One round's sorted frame: voters (and pair indices) in ascending order of position."""

    order: IntArray  # (M, n) argsort of x
    ds: FloatArray  # (M, n, n) |x_k - x_p| / delta, both axes sorted
    ws: FloatArray  # (M, n) weights, sorted
    idx_b: IntArray  # (M, n, n) flat indices of C[J_ab, b]
    idx_a: IntArray  # (M, n, n) flat indices of C[J_ab, a]


def _sort_frame(fr: _Frame, x: FloatArray, w: FloatArray, delta: FloatArray) -> _Sorted:
    order = np.argsort(x, axis=1, kind="stable")
    xs = np.take_along_axis(x, order, axis=1)
    ds = np.subtract(xs[:, :, None], xs[:, None, :], out=fr.buf("ds"))
    np.abs(ds, out=ds)
    ds /= delta[:, None, None]
    idx_b, idx_a = _sorted_pairs(fr, xs)
    return _Sorted(order, ds, np.take_along_axis(w, order, axis=1), idx_b, idx_a)


def _fast_risk(
    fr: _Frame, sf: _Sorted, s: FloatArray, prob: str
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """§5 for Q = 1: ``(r, danger, z, p_sorted)``; with every exponent 1, ``y = d``,
    ``U_s = 2d``, ``U_f = -2d``, ``U_q = 0``, so ``D_i = 2 sum_k d_ki - 4 s_i sum_k d_ki (1 -
    P_ki)`` (column sums)."""
    p1, z = _sorted_probabilities(fr, sf.ds, sf.ws, sf.idx_b, sf.idx_a, prob, "1")
    ss = np.take_along_axis(s, sf.order, axis=1)
    sum_d = sf.ds.sum(axis=1)
    sum_dp = np.einsum("mki,mki->mi", sf.ds, p1)
    danger_s = 2.0 * sum_d - 4.0 * ss * (sum_d - sum_dp)
    danger = np.empty_like(danger_s)
    np.put_along_axis(danger, sf.order, danger_s, axis=1)
    dmax = danger.max(axis=1, keepdims=True)
    dmin = danger.min(axis=1, keepdims=True)
    span = dmax - dmin
    big_r = (2.0 * danger - dmax - dmin) / np.where(span > 0, span, 1.0)
    r = (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)
    r = np.where(span > 0, r, 1.0)
    return r, danger, z, p1


def _unsort_index(fr: _Frame, order: IntArray, transpose: bool = False) -> IntArray:
    """Flat indices mapping a sorted-frame (M, n, n) array back to input order (or its
    transpose, contiguous)."""
    n = fr.n
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(n)[None, :], axis=1)
    row = (rank * n).astype(fr.index_dtype)  # rank_a n
    col = (rank + fr.nn_base[:, :, 0]).astype(fr.index_dtype)  # m n^2 + rank_b
    name = "pidx_t" if transpose else "pidx"
    rows, cols = (
        (row[:, None, :], col[:, :, None]) if transpose else (row[:, :, None], col[:, None, :])
    )
    out: IntArray = np.add(rows, cols, out=fr.buf(name, None, fr.index_dtype))
    return out


def _fast_round(
    fr: _Frame,
    x: FloatArray,
    absd: FloatArray,
    s: FloatArray,
    w: FloatArray,
    delta: FloatArray,
    flags: Flags,
) -> tuple[FloatArray, FloatArray, IntArray, IntArray]:
    """One round (§3) for Q = 1: ``(r, new_x, offer_type, proposer)``.

    Same quantities as :func:`risk_step` then :func:`offer_step`; the numerators of both steps
    share one sort and one set of midpoint counts, dangers are column sums, and only the chosen
    compromise positions are computed.
    """
    sf = _sort_frame(fr, x, w, delta)
    order, ds, ws, idx_b, idx_a = sf.order, sf.ds, sf.ws, sf.idx_b, sf.idx_a
    dinv = delta[:, None, None]
    r, _, _, p1 = _fast_risk(fr, sf, s, flags.prob)

    # offer step (§4.4, §6)
    if flags.vote_exponent == "voter":
        rs = np.take_along_axis(r, order, axis=1)
        ys = np.power(ds, rs[:, :, None], out=fr.buf("ys"))
        p_s, _ = _sorted_probabilities(fr, ys, ws, idx_b, idx_a, flags.prob, "2")
    else:
        p_s = p1
    pidx = _unsort_index(fr, order)
    pf = p_s.reshape(-1)
    p = np.take(pf, pidx, out=fr.buf("p"))
    same = np.equal(absd, 0.0, out=fr.buf("same", None, bool))
    rho = r[:, :, None]
    half = np.divide(absd, dinv, out=fr.buf("uf"))  # d
    half *= 0.5
    us = np.subtract(0.5, half, out=fr.buf("us"))
    np.power(us, rho, out=us)
    us *= 4.0
    np.subtract(2.0, us, out=us)
    uf = np.add(0.5, half, out=half)
    np.power(uf, rho, out=uf)
    uf *= 4.0
    np.subtract(2.0, uf, out=uf)
    q = (2.0 - 4.0 * 0.5**r)[:, :, None]

    tmp = fr.buf("tmp")

    def eu(pp: FloatArray, st: FloatArray, out: FloatArray) -> FloatArray:
        t: FloatArray = np.multiply(pp, us, out=out)
        np.subtract(1.0, pp, out=tmp)
        np.multiply(tmp, uf, out=tmp)
        t += tmp
        t *= st
        np.multiply(1.0 - st, us, out=tmp)
        t += tmp
        t -= q
        np.copyto(t, 0.0, where=same)
        return t

    a = eu(p, s[:, None, :], fr.buf("a"))
    if flags.perspective == "own":
        b = np.swapaxes(a, 1, 2)
    else:
        pidx_t = _unsort_index(fr, order, transpose=True)
        pt = np.take(pf, pidx_t, out=fr.buf("g"))
        b = eu(pt, s[:, :, None], fr.buf("b"))

    xi = x[:, :, None]
    xj = x[:, None, :]
    absa = np.abs(a, out=fr.buf("absa"))
    bool_tmp = fr.buf("bool_tmp", None, bool)
    conf = np.greater(b, a, out=fr.buf("conf", None, bool))
    conf &= np.greater(a, 0.0, out=bool_tmp)
    comp = np.greater(b, 0.0, out=fr.buf("comp", None, bool))
    comp &= np.less(a, 0.0, out=bool_tmp)
    comp &= np.greater(b, absa, out=bool_tmp)
    inf = np.inf
    key_conf = fr.buf("ys")
    key_conf.fill(inf)
    np.copyto(key_conf, absd, where=conf)
    j_conf = np.argmin(key_conf, axis=2)[:, :, None]
    has_conf = np.take_along_axis(key_conf, j_conf, axis=2)[:, :, 0] < inf
    j_conf = j_conf[:, :, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        if flags.compromise_choice == "weighted_key":
            absb = np.abs(b, out=fr.buf("us"))
            kc = np.multiply(absa, xi, out=fr.buf("p"))
            kc += np.multiply(absb, xj, out=tmp)
            kc /= np.add(absa, absb, out=tmp)
        else:
            bsafe = np.where(b > 0, b, 1.0)
            kc = np.abs(xi + (xj - xi) * absa / bsafe - xi)
    key_comp = kc
    np.copyto(key_comp, inf, where=np.logical_not(comp, out=bool_tmp))
    j_comp = np.argmin(key_comp, axis=2)[:, :, None]
    has_comp = np.take_along_axis(key_comp, j_comp, axis=2)[:, :, 0] < inf
    a_sel = np.take_along_axis(absa, j_comp, axis=2)[:, :, 0]
    b_sel = np.take_along_axis(b, j_comp, axis=2)[:, :, 0]
    j_comp = j_comp[:, :, 0]
    x_comp = np.take_along_axis(x, j_comp, axis=1)
    comp_pos = x + (x_comp - x) * a_sel / np.where(b_sel > 0, b_sel, 1.0)

    offer = np.full(x.shape, OFFER_NONE, dtype=np.int64)
    proposer = np.full(x.shape, -1, dtype=np.int64)
    new_x = x.copy()
    if flags.capitulation:
        capit = (b > 0) & (a < 0) & (b < absa)
        key_cap = np.where(capit, absd, inf)
        j_cap = np.argmin(key_cap, axis=2)
        has_cap = np.take_along_axis(key_cap, j_cap[:, :, None], axis=2)[:, :, 0] < inf
        sel = has_cap & ~has_conf & ~has_comp
        offer[sel] = OFFER_CAPITULATION
        proposer[sel] = j_cap[sel]
        new_x = np.where(sel, np.take_along_axis(x, j_cap, axis=1), new_x)
    sel = has_comp & ~has_conf
    offer[sel] = OFFER_COMPROMISE
    proposer[sel] = j_comp[sel]
    new_x = np.where(sel, comp_pos, new_x)
    offer[has_conf] = OFFER_CONFRONTATION
    proposer[has_conf] = j_conf[has_conf]
    new_x = np.where(has_conf, np.take_along_axis(x, j_conf, axis=1), new_x)
    return r, new_x, offer, proposer


@dataclass(frozen=True)
class Run:
    """Output of :func:`simulate` for (M, n) runs over rounds 0..T."""

    positions: FloatArray  # (M, T+1, n)
    median: FloatArray  # (M, T+1)
    mean: FloatArray  # (M, T+1)
    risk: FloatArray  # (M, T+1, n), row 0 all ones
    offer_type: IntArray  # (M, T, n)
    proposer: IntArray  # (M, T, n)


def simulate(
    positions: FloatArray,
    saliences: FloatArray,
    capability: FloatArray,
    rounds: int = 10,
    flags: Flags | None = None,
) -> Run:
    """Run ``M`` independent one-issue BDM models together for ``rounds`` rounds (§3, §8).

    ``positions``, ``saliences`` (on [0, 1]) and ``capability`` are (M, n). Pure and vectorised.
    """
    flags = flags or Flags()
    flags.check()
    x = np.asarray(positions, dtype=np.float64).copy()
    s = np.asarray(saliences, dtype=np.float64)
    c = np.asarray(capability, dtype=np.float64)
    if x.ndim != 2 or s.shape != x.shape or c.shape != x.shape:
        raise ValueError("bdm.simulate: positions, saliences, capability must share shape (M, n)")
    if rounds < 0:
        raise ValueError("bdm.simulate: rounds must be >= 0")
    m, n = x.shape
    chunk = max(1, _CHUNK_ELEMENTS // (n * n))
    if m > chunk:
        # independent runs: process them in cache-sized chunks and stack the results
        parts = [
            simulate(x[i : i + chunk], s[i : i + chunk], c[i : i + chunk], rounds, flags)
            for i in range(0, m, chunk)
        ]
        return Run(
            **{
                name: np.concatenate([getattr(part, name) for part in parts], axis=0)
                for name in ("positions", "median", "mean", "risk", "offer_type", "proposer")
            }
        )
    w = c * s
    delta0 = x.max(axis=1) - x.min(axis=1)
    delta0 = np.where(delta0 > 0, delta0, 1.0)

    pos = np.empty((m, rounds + 1, n))
    med = np.empty((m, rounds + 1))
    mean = np.empty((m, rounds + 1))
    risk = np.ones((m, rounds + 1, n))
    offer = np.zeros((m, rounds, n), dtype=np.int64)
    prop = np.full((m, rounds, n), -1, dtype=np.int64)
    pos[:, 0] = x
    if flags.Q == 1.0:
        _simulate_fast(x, s, w, delta0, flags, pos, med, mean, risk, offer, prop)
        return Run(positions=pos, median=med, mean=mean, risk=risk, offer_type=offer, proposer=prop)
    med[:, 0], mean[:, 0] = weighted_stats(x, w)

    for t in range(1, rounds + 1):
        if flags.range_ == "dynamic":
            delta = x.max(axis=1) - x.min(axis=1)
            delta = np.where(delta > 0, delta, 1.0)
        else:
            delta = delta0
        mu = med[:, t - 1] if flags.Q < 1.0 else None
        rs = risk_step(x, s, w, delta, flags, mu)
        os_ = offer_step(x, s, w, delta, rs.r, flags, mu, rs.p, rs.z)
        moved = np.any(os_.new_x != x)
        x = os_.new_x
        pos[:, t] = x
        med[:, t], mean[:, t] = weighted_stats(x, w)
        risk[:, t] = rs.r
        offer[:, t - 1] = os_.offer_type
        prop[:, t - 1] = os_.proposer
        if not moved and t < rounds:
            # §8: the state is positions only, so every later round repeats this one
            pos[:, t + 1 :] = x[:, None, :]
            med[:, t + 1 :] = med[:, t : t + 1]
            mean[:, t + 1 :] = mean[:, t : t + 1]
            risk[:, t + 1 :] = rs.r[:, None, :]
            offer[:, t:] = os_.offer_type[:, None, :]
            prop[:, t:] = os_.proposer[:, None, :]
            break
    return Run(positions=pos, median=med, mean=mean, risk=risk, offer_type=offer, proposer=prop)


def _simulate_fast(
    x: FloatArray,
    s: FloatArray,
    w: FloatArray,
    delta0: FloatArray,
    flags: Flags,
    pos: FloatArray,
    med: FloatArray,
    mean: FloatArray,
    risk: FloatArray,
    offer: IntArray,
    prop: IntArray,
) -> None:
    """The round loop of :func:`simulate` for ``Q = 1`` with :func:`_fast_round`; fills the
    output arrays in place (row 0 of ``pos`` is already set)."""
    m, n = x.shape
    rounds = offer.shape[1]
    fr = _Frame(m, n)
    absd = np.abs(x[:, :, None] - x[:, None, :])
    med[:, 0], mean[:, 0] = weighted_stats(x, w, absd)
    for t in range(1, rounds + 1):
        if flags.range_ == "dynamic":
            delta = x.max(axis=1) - x.min(axis=1)
            delta = np.where(delta > 0, delta, 1.0)
        else:
            delta = delta0
        r, new_x, ot, pr = _fast_round(fr, x, absd, s, w, delta, flags)
        moved = np.any(new_x != x)
        x = new_x
        absd = np.subtract(x[:, :, None], x[:, None, :], out=fr.buf("absd"))
        np.abs(absd, out=absd)
        pos[:, t] = x
        med[:, t], mean[:, t] = weighted_stats(x, w, absd)
        risk[:, t] = r
        offer[:, t - 1] = ot
        prop[:, t - 1] = pr
        if not moved and t < rounds:
            # §8: the state is positions only, so every later round repeats this one
            pos[:, t + 1 :] = x[:, None, :]
            med[:, t + 1 :] = med[:, t : t + 1]
            mean[:, t + 1 :] = mean[:, t : t + 1]
            risk[:, t + 1 :] = r[:, None, :]
            offer[:, t:] = ot[:, None, :]
            prop[:, t:] = pr[:, None, :]
            break


# --------------------------------------------------------------------------------------------
# the stopping rule (§8.1): is round T's median a resting point, part of a cycle, or neither?
# --------------------------------------------------------------------------------------------

#: rounds either side of T over which the median's round-count sensitivity is measured
WINDOW = 2
#: positions (0-100 scale) this close count as equal when the median is compared across rounds
#: and when a state is matched with an earlier one
STABLE_TOL = 1e-9
STATUS_SETTLED = 0
STATUS_CYCLE = 1
STATUS_UNSETTLED = 2
STATUS_NAMES = ("settled", "cycle", "unsettled")
#: the note on a forecast, by the worst status over its dimensions
STABILITY_NOTES = (
    "",
    "the median cycles: the state repeats an earlier round, so the forecast depends on the "
    "round count (see the round range)",
    "the median has not settled: it moves between rounds T-2 and T+2, so the forecast "
    "depends on the round count (see the round range)",
)


@dataclass(frozen=True)
class Stability:
    """§8.1 per run (M,): status code, the median's range over rounds ``T-WINDOW .. T+WINDOW``
    (clipped at 0), and the period of the cycle the state has entered (0: none found)."""

    status: IntArray
    low: FloatArray
    high: FloatArray
    period: IntArray


def stability(positions: FloatArray, median: FloatArray, rounds: int) -> Stability:
    """Classify round ``T = rounds`` of runs simulated for ``T + WINDOW`` rounds (§8.1).

    ``positions`` (M, T+WINDOW+1, n), ``median`` (M, T+WINDOW+1). The median's range over
    rounds ``max(0, T-WINDOW) .. T+WINDOW`` is the round-count sensitivity. Status: *settled*
    if that range is at most ``STABLE_TOL``; else *cycle* if the last state equals an earlier
    one (every position within ``STABLE_TOL``; the model is deterministic and its state is the
    positions, §8, so it then repeats with that period for ever); else *unsettled*.
    """
    last = median.shape[1] - 1
    window = median[:, max(0, rounds - WINDOW) :]
    low, high = window.min(axis=1), window.max(axis=1)
    settled = high - low <= STABLE_TOL
    same = np.all(np.abs(positions[:, :last] - positions[:, last : last + 1]) <= STABLE_TOL, axis=2)
    # the latest earlier round with the same state gives the shortest period
    latest = np.where(same.any(axis=1), last - 1 - np.argmax(same[:, ::-1], axis=1), -1)
    period = np.where(latest >= 0, last - latest, 0)
    status = np.where(settled, STATUS_SETTLED, np.where(period > 0, STATUS_CYCLE, STATUS_UNSETTLED))
    return Stability(status.astype(np.int64), low, high, period.astype(np.int64))


def resolve_flags(variant: str, overrides: dict[str, Any]) -> tuple[str, Flags]:
    """The flag set of a named variant with keyword overrides; the reported variant name."""
    if variant not in VARIANTS:
        raise ValueError(f"bdm: variant must be one of {sorted(VARIANTS)}, got {variant!r}")
    base = VARIANTS[variant]
    if "range" in overrides:
        overrides = dict(overrides)
        overrides["range_"] = overrides.pop("range")
    unknown = set(overrides) - set(asdict(base))
    if unknown:
        raise TypeError(f"bdm: unknown parameters {sorted(unknown)}")
    flags = replace(base, **overrides)
    flags.check()
    name = variant if flags == base else "custom"
    return name, flags


def forecast(
    problem: Problem,
    rng: np.random.Generator,
    variant: str = "scholz2011",
    rounds: int = 10,
    **flags: Any,
) -> Forecast:
    """BDM forecast per dimension for every batch element (``docs/specs/bdm.md``).

    Deterministic: ``rng`` is accepted for the protocol and not used. Saliences are divided by
    100 (§1). ``outcome`` (B, D) is the final round's median (§7); ``trajectory`` is
    (B, T+1, n, D). ``extras``: ``median`` and ``mean`` (B, T+1, D) per round, ``risk``
    (B, T+1, n, D) exponents used in each round (row 0 = 1), ``offer_type`` and ``proposer``
    (B, T, n, D) accepted offers (codes ``OFFER_NAMES``; proposer -1 = none), ``offer_names``.
    """
    name, fl = resolve_flags(variant, flags)
    if int(rounds) != rounds or rounds < 0:
        raise ValueError(f"bdm: rounds must be a non-negative integer, got {rounds}")
    rounds = int(rounds)
    b, n, d = problem.shape
    x = problem.positions.transpose(0, 2, 1).reshape(b * d, n)
    s = (problem.saliences / 100.0).transpose(0, 2, 1).reshape(b * d, n)
    c = np.broadcast_to(problem.capability[:, None, :], (b, d, n)).reshape(b * d, n)
    # §8.1: WINDOW rounds beyond T tell whether round T's median is a resting point
    long = simulate(x, s, c, rounds + WINDOW, fl)
    st = stability(long.positions, long.median, rounds)
    run = Run(
        positions=long.positions[:, : rounds + 1],
        median=long.median[:, : rounds + 1],
        mean=long.mean[:, : rounds + 1],
        risk=long.risk[:, : rounds + 1],
        offer_type=long.offer_type[:, :rounds],
        proposer=long.proposer[:, :rounds],
    )

    def back3(a: np.ndarray) -> np.ndarray:  # (B*D, T, n) -> (B, T, n, D)
        return a.reshape(b, d, a.shape[1], n).transpose(0, 2, 3, 1)

    def back2(a: np.ndarray) -> np.ndarray:  # (B*D, T) -> (B, T, D)
        return a.reshape(b, d, a.shape[1]).transpose(0, 2, 1)

    def back1(a: np.ndarray) -> np.ndarray:  # (B*D,) -> (B, D)
        return np.ascontiguousarray(a.reshape(b, d))

    median = back2(run.median)
    # reported under the names a user passes (``range``, not the field ``range_``; issue 18)
    params = {"rounds": rounds, **{k.rstrip("_"): v for k, v in asdict(fl).items()}}
    return Forecast(
        outcome=np.ascontiguousarray(median[:, -1, :]),
        rounds=np.full(b, rounds, dtype=np.int64),
        method="bdm",
        variant=name,
        params=params,
        version=VERSION,
        trajectory=np.ascontiguousarray(back3(run.positions)),
        extras={
            "median": np.ascontiguousarray(median),
            "mean": np.ascontiguousarray(back2(run.mean)),
            "risk": np.ascontiguousarray(back3(run.risk)),
            "offer_type": np.ascontiguousarray(back3(run.offer_type)),
            "proposer": np.ascontiguousarray(back3(run.proposer)),
            "offer_names": OFFER_NAMES,
            "status": back1(st.status),
            "status_names": STATUS_NAMES,
            "round_low": back1(st.low),
            "round_high": back1(st.high),
            "cycle_period": back1(st.period),
            "stability": back1(st.status).max(axis=1),
            "stability_names": STABILITY_NOTES,
        },
    )


# What the pipeline reads (``base.Capabilities``):
# fixed rounds; the per-round median is the forecast path; the note says whether it settled.
CAPABILITIES = Capabilities(takes_rounds=True, path="median", note=("stability", "stability_names"))
