"""Global sensitivity (SALib) and switch points. Pure: explicit seeds, no I/O.

docs/specs/sensitivity.md gives the equations, the choice of estimator and its tests.

* **Given-data first-order indices** (the default; no model evaluation beyond the sweep's own
  draws): RBD-FAST in Plischke's EASI form (Tarantola, Gatelli & Mara 2006,
  doi:10.1016/j.ress.2005.06.003; Plischke 2010, doi:10.1016/j.ress.2009.11.005) with the bias
  correction of Tissot & Prieur 2012 (doi:10.1016/j.ress.2012.06.010) — the estimator of
  ``SALib.analyze.rbd_fast``, vectorised over inputs and outputs. For input ``i`` the draws are
  reordered by ``x_i`` into a "zig-zag" (even ranks ascending, odd ranks descending), which
  makes ``E[Y | x_i]`` a periodic signal; its power in the first ``M`` harmonics over the total
  power is ``S1``:
  ``Ŝ1 = 2 Σ_{k=1..M} |F_k|² / (n Σ_j (y_j - ȳ)²)``, ``F_k = Σ_j y_(j) e^{-2πi jk/n}``, then
  ``S1 = Ŝ1 - λ/(1-λ) (1 - Ŝ1)``, ``λ = 2M/n``. The 95 % interval is ``± 1.96 ×`` the delta method's
  standard error, ``sd(IF) / sqrt(n)`` with the index's influence function
  ``IF = ((1 - S1)(y - ȳ)² - (y - ŷ)²) / Var(Y)`` and ``ŷ`` the estimator's own fit of
  ``E[Y | x_i]`` (its first ``M`` harmonics; no resampling; Da Veiga & Gamboa 2013,
  docs/specs/sensitivity.md §2a); the convergence check compares the estimate on the first
  half of the draws with the estimate on all of them.
* **Morris screening** on request (Morris 1991; Campolongo, Cariboni & Saltelli 2007,
  ``mu_star``): ``r`` trajectories of ``d + 1`` points on a 4-level grid of the unit cube.
* **Sobol' indices** on request (Saltelli 2002; Saltelli et al. 2010, ``S1`` and ``ST`` with
  bootstrap 95 % intervals; ``N (k + 2)`` model runs for ``k`` factors), over *groups*: each of
  the inputs the given-data indices rank most influential for some headline output is its own
  group, every other input is one group "all other inputs".
* **Switch points**: for each conclusion "proposal P passes / fails institution I" at the
  central values, every single input whose range holds a value that flips it, the others
  held central. Each input's range is scanned on a grid (both ends included), then the flip
  is located by bisection to ``tol`` (relative to the range). The pipeline's pass/fail is
  monotone in each single input of the preference model (utility margins are monotone in a
  position, a salience, a war cost or a red-line bound), so the grid finds every switch.

Unit-cube samples are mapped to input values by the same inverse CDFs as the sweep
(``ranges.to_values``), so triangular ranges are honoured by every analysis.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from ceasefire._types import FloatArray
from ceasefire.sweep_results import (
    OTHERS,
    SOBOL_MAX_HALF_WIDTH,
    DecisionSwitches,
    GivenDataIndex,
    MorrisEffect,
    OutputSensitivity,
    Sensitivity,
    SobolIndex,
    SwitchPoint,
)
from ceasefire.uncertainty.pipeline import DECISION_KINDS, Model, decide, evaluate
from ceasefire.uncertainty.ranges import central_values, to_values
from ceasefire.uncertainty.summary import Target, headline_keys

Outputs = Callable[[FloatArray], dict[str, FloatArray]]
Column = Callable[[str], Iterator[NDArray[Any]]]

#: the analyses ``--sensitivity`` offers; ``rbd-fast`` reads the draws, the others evaluate
#: the model again on designs of their own
METHODS: tuple[str, ...] = ("rbd-fast", "sobol", "morris", "none")
#: harmonics summed by RBD-FAST (SALib's default ``M``; Plischke 2010 §3)
HARMONICS = 10
#: the estimator needs ``λ = 2M/n`` well below 1; fewer draws give no given-data indices
#: (judgement: λ <= 0.2)
MIN_DRAWS = 10 * HARMONICS
#: given-data indices read at most this many draws (the first ones): memory stays
#: ``8 d`` bytes per draw, and at 20,000 draws the interval is already ~±0.02 (judgement)
MAX_DRAWS = 20_000
#: draws over which the interval's influence function is averaged at most (its standard
#: deviation's relative error is then about 1/sqrt(2 × 2000) = 1.6 %; judgement): the
#: interval's cost stops growing with the draws, as the estimate's does not
INFLUENCE_DRAWS = 2000
#: harmonics' values (draws x 2M x inputs) gathered per block of inputs (~2 MB; measured:
#: smaller blocks stay in cache)
RBD_BLOCK = 250_000
#: inputs sorted at a time (:func:`_argsort`)
SORT_BLOCK = 16
#: products with at least this many elements go to BLAS, smaller ones to einsum (measured:
#: OpenBLAS's threads cost more than they save on small products on a busy machine)
BLAS_MIN = 500_000
#: inputs kept, with their intervals, per output (the largest first; judgement: the report
#: shows five, a requested Sobol' analysis names eight)
TOP = 8
#: half-sample and full estimates closer than this count as converged even when the interval
#: is narrower (judgement: a hundredth of the variance changes no ranking or conclusion; it
#: keeps near-zero indices, whose interval is very narrow, from raising false alarms)
CONVERGENCE_FLOOR = 0.01
#: inputs a requested Sobol' analysis names on their own (the rest form one group)
SOBOL_GROUPS = 8
Z95 = 1.959963984540054


def _clean(x: Any) -> float | None:
    v = float(x)
    return None if math.isnan(v) or math.isinf(v) else v


# ---------------------------------------------------------------------------------------------
# Given-data first-order indices (RBD-FAST / EASI)


def _zigzag(rows: NDArray[Any]) -> NDArray[Any]:
    """Plischke's reordering of sorted rows ``(..., n)``: even ranks ascending, then odd ranks
    descending (along the last axis)."""
    return np.concatenate([rows[..., ::2], rows[..., 1::2][..., ::-1]], axis=-1)


@functools.lru_cache(maxsize=4)
def _harmonics(n: int, m: int) -> FloatArray:
    """The cosine and sine columns of the first ``m`` harmonics of a length-``n`` DFT,
    ``(n, 2m)`` (cached: the full sample and the interval reuse it, the half sample its own)."""
    ang = 2.0 * np.pi * np.outer(np.arange(n), np.arange(1, m + 1)) / n
    w = np.concatenate([np.cos(ang), np.sin(ang)], axis=1)
    w.flags.writeable = False
    return w


def _s1_rows(yc: FloatArray, var_sum: Any, m: int) -> FloatArray:
    """Bias-corrected S1 from centred outputs in zig-zag order along the last axis
    ``(..., n)`` and their ``Σ (y - ȳ)²`` (shape ``(...)`` or a scalar)."""
    n = yc.shape[-1]
    block = yc.reshape(-1, n)
    w = _harmonics(n, m)
    f = block @ w if block.size >= BLAS_MIN else np.einsum("pn,nk->pk", block, w)
    raw = 2.0 * (f * f).sum(axis=1).reshape(yc.shape[:-1]) / (n * var_sum)
    lam = 2.0 * m / n
    return np.asarray(raw - lam / (1.0 - lam) * (1.0 - raw), dtype=np.float64)


def _argsort(x: FloatArray) -> NDArray[Any]:
    """The draws sorted by each input, ``(d, n)``, in 32-bit integers (half the memory of
    numpy's, whose fresh pages cost as much as the sort here, measured), a block of inputs at
    a time. numpy's default (vectorised) sort: ~4x faster than the stable one (measured);
    ties among distinct draws have probability zero for the continuous ranges, and SALib's
    ``rbd_fast`` sorts the same way."""
    n, d = x.shape
    out = np.empty((d, n), dtype=np.int32 if n < 1 << 31 else np.intp)
    for i0 in range(0, d, SORT_BLOCK):
        out[i0 : i0 + SORT_BLOCK] = np.argsort(x[:, i0 : i0 + SORT_BLOCK].T, axis=1)
    return out


def _positions(order: NDArray[Any]) -> NDArray[np.int32]:
    """Each draw's place in the zig-zag of each input ``(d, n)``, from the draws sorted by each
    input: rank ``2q`` goes to place ``q``, rank ``2q + 1`` to place ``n - 1 - q``."""
    d, n = order.shape
    pos = np.empty((d, n), dtype=np.int32)
    h = (n + 1) // 2
    rows = np.arange(d)[:, None]
    pos[rows, order[:, ::2]] = np.arange(h, dtype=np.int32)
    pos[rows, order[:, 1::2]] = np.arange(n - 1, h - 1, -1, dtype=np.int32)
    return pos


def rbd_fast(
    x: FloatArray, y: FloatArray, m: int = HARMONICS, by_input: NDArray[Any] | None = None
) -> FloatArray:
    """First-order indices ``(d, t)`` of outputs ``y (n, t)`` on inputs ``x (n, d)``.

    RBD-FAST/EASI (module docstring): equal to ``SALib.analyze.rbd_fast`` 's ``S1`` for each
    pair, computed for all inputs and outputs at once. Outputs must be finite and vary.
    ``by_input``: the draws sorted by each input ``(d, n)`` (:func:`_argsort`) when the
    caller has them.

    ``F_k = Σ_j y_(j) e^{-2πi jk/n}`` is computed as ``Σ_r y_r e^{-2πi p_r k/n}`` with ``p_r``
    draw ``r``'s place in the zig-zag: the harmonics' rows are gathered per input (contiguous
    rows, shared by every output) instead of the outputs per (input, output) pair, and one
    matrix product per block of inputs serves all outputs.
    """
    return _rbd_fast(x, y, m, by_input)[0]


def _rbd_fast(
    x: FloatArray, y: FloatArray, m: int, by_input: NDArray[Any] | None
) -> tuple[FloatArray, FloatArray]:
    """:func:`rbd_fast`'s indices ``(d, t)`` and the harmonics' coefficients ``(d, t, 2m)``
    (``Σ_r (y_r - ȳ) cos``, then ``sin``, of ``2πkp_r/n``): the interval's fit reuses them."""
    n, d = x.shape
    pos = _positions(_argsort(x) if by_input is None else by_input)
    yc = np.ascontiguousarray((y - y.mean(axis=0)).T, dtype=np.float64)  # (t, n)
    w = _harmonics(n, m)
    block = max(1, RBD_BLOCK // w.size)
    # one buffer, reused: a fresh one per block costs page faults (measured, 0.1 s)
    buf = np.empty((min(block, d), n, w.shape[1]))
    coef = np.empty((d, yc.shape[0], w.shape[1]))
    for i0 in range(0, d, block):
        wb = buf[: min(block, d - i0)]
        np.take(w, pos[i0 : i0 + wb.shape[0]], axis=0, out=wb, mode="clip")
        np.matmul(yc, wb, out=coef[i0 : i0 + wb.shape[0]])  # (inputs, t, 2m)
    power = np.einsum("itk,itk->it", coef, coef)
    raw = 2.0 * power / (n * (yc * yc).sum(axis=1))
    lam = 2.0 * m / n
    return np.asarray(raw - lam / (1.0 - lam) * (1.0 - raw), dtype=np.float64), coef


def _influence_sd(
    by_input: NDArray[Any],
    y: FloatArray,
    s1: FloatArray,
    coef: FloatArray,
    pairs: Sequence[tuple[int, int]],
    m: int,
) -> FloatArray:
    """Standard error of S1 for each (input, output) pair, by the delta method: the sample
    standard deviation of the index's influence function over ``sqrt(n)``.

    For ``S1 = Var(m(X_i)) / Var(Y)`` with ``m(x) = E[Y | X_i = x]`` the influence function is
    ``IF = ((1 - S1) (y - ȳ)² - (y - m(x_i))²) / Var(Y)`` (docs/specs/sensitivity.md §2a: the
    influence functions of ``E[(m(X) - μ)²]`` — Da Veiga & Gamboa 2013 — and of ``Var(Y)``,
    combined for the ratio). ``m`` at each draw is the estimator's own low-pass fit, the first
    ``M`` harmonics of the zig-zag: ``ŷ_r - ȳ = (2/n) W_{p_r} F``, ``W`` the harmonics' table
    (:func:`_harmonics`), ``p_r`` the draw's place in the zig-zag, ``F`` the pair's coefficients
    ``coef`` ``(len(pairs), 2M)`` from the full sample. The standard deviation of ``IF`` is
    taken over the first :data:`INFLUENCE_DRAWS` draws (all of them below that). No
    resampling, no random numbers. ``s1`` ``(len(pairs),)`` is the pairs' estimate.
    """
    n = by_input.shape[1]
    ns = min(n, INFLUENCE_DRAWS)
    # the pairs grouped by input (a stable sort), so that each input's pairs are one slice
    inp = np.array([i for i, _ in pairs])
    perm = np.argsort(inp, kind="stable")
    inputs, starts = np.unique(inp[perm], return_index=True)
    outs = np.array([t for _, t in pairs])[perm]
    mean = y[:, outs].mean(axis=0)
    var = ((y[:, outs] - mean) ** 2).mean(axis=0)
    yc = y[:ns, outs] - mean  # (ns, pairs), in the grouped order
    f = (2.0 / n) * coef[perm].T  # (2M, pairs)
    pos = _positions(by_input[inputs])[:, :ns]  # the first ns draws' places
    w = _harmonics(n, m)
    resid = np.empty_like(yc)
    for k, (a, b) in enumerate(zip(starts, [*starts[1:], len(pairs)], strict=True)):
        # the harmonics at each draw's place in the input's zig-zag (ns, 2M), times F
        np.matmul(w[pos[k]], f[:, a:b], out=resid[:, a:b])
    resid -= yc
    infl = ((1.0 - s1[perm]) * yc * yc - resid * resid) / var
    sd = np.empty(len(pairs))
    sd[perm] = infl.std(axis=0, ddof=1) / math.sqrt(n)
    return sd


def _half_sample(
    y: FloatArray, by_input: NDArray[Any], pairs: Sequence[tuple[int, int]], m: int
) -> FloatArray:
    """S1 on the first half of the draws of each kept (input, output) pair, NaN when the draws
    are too few to halve or the output is constant on the first half (only the kept pairs are
    checked for convergence, so only they are estimated: each pair's outputs in the zig-zag
    order, then one product for all pairs)."""
    nh = by_input.shape[1] // 2
    if nh < MIN_DRAWS or not pairs:
        return np.full(len(pairs), np.nan)
    inputs = sorted({i for i, _ in pairs})
    pos = {i: p for p, i in enumerate(inputs)}
    col = np.array([pos[i] for i, _ in pairs])
    outs, out = np.unique([t for _, t in pairs], return_inverse=True)  # outputs kept only
    # the first half's order is the full order without the later draws (no new sort)
    rows = by_input[inputs]
    perm = _zigzag(rows[rows < nh].reshape(len(inputs), nh))
    used = y[:nh, outs]
    yc = np.ascontiguousarray((used - used.mean(axis=0)).T)  # (kept outputs, nh)
    var_sum = (yc * yc).sum(axis=1)[out]
    with np.errstate(divide="ignore", invalid="ignore"):
        s1 = _s1_rows(yc[out[:, None], perm[col]], var_sum, m)
    return np.where(var_sum > 0, s1, np.nan)


def given_data(
    x: FloatArray,
    y: FloatArray,
    *,
    top: int = TOP,
    m: int = HARMONICS,
) -> list[dict[str, Any]]:
    """Given-data S1 of each output column of ``y (n, t)``: its ``top`` inputs with intervals.

    Returns per output ``{"order", "s1", "s1_conf", "s1_half", "total"}`` (indices of the
    inputs largest first, their S1, 95 % half-widths, S1 on the first half of the draws, and
    ``Σ S1`` over all inputs), or ``{}`` for an output that is not finite or does not vary, or
    when the draws are fewer than :data:`MIN_DRAWS`. The half-widths are the delta method's
    (:func:`_influence_sd`): deterministic, no random numbers.
    """
    n = x.shape[0]
    finite = np.all(np.isfinite(y), axis=0)
    ok = finite & (np.ptp(np.where(np.isfinite(y), y, 0.0), axis=0) > 0)
    if n < MIN_DRAWS or not ok.any():
        return [{} for _ in range(y.shape[1])]
    full = np.full((x.shape[1], y.shape[1]), np.nan)
    coef = np.zeros((x.shape[1], y.shape[1], 2 * m))
    order = _argsort(x)
    full[:, ok], coef[:, ok] = _rbd_fast(x, y[:, ok], m, order)
    tops = {int(t): np.argsort(-full[:, t], kind="stable")[:top] for t in np.flatnonzero(ok)}
    pairs = [(int(i), int(t)) for t, idx in tops.items() for i in idx]
    half = dict(zip(pairs, _half_sample(y, order, pairs, m), strict=True))
    i_, t_ = np.array(pairs).T
    sd = _influence_sd(order, y, full[i_, t_], coef[i_, t_], pairs, m)
    conf = dict(zip(pairs, Z95 * sd, strict=True))
    out: list[dict[str, Any]] = []
    for t in range(y.shape[1]):
        if t not in tops:
            out.append({})
            continue
        idx = tops[t]
        out.append(
            {
                "order": [int(i) for i in idx],
                "s1": [float(v) for v in full[idx, t]],
                "s1_conf": [float(conf[(int(i), t)]) for i in idx],
                "s1_half": [_clean(half[(int(i), t)]) for i in idx],
                "total": float(full[:, t].sum()),
            }
        )
    return out


def _first(column: Column, key: str, limit: int) -> NDArray[Any] | None:
    """The first ``limit`` draws of output ``key``, all its columns (None if never stored).

    Copied chunk by chunk into one array of ``limit`` rows (pages never written cost
    nothing), not gathered and concatenated: half the fresh memory."""
    out: NDArray[Any] | None = None
    got = 0
    for arr in column(key):
        if got >= limit:
            break
        a = np.asarray(arr)[: limit - got]
        if out is None:
            out = np.empty((limit, *a.shape[1:]), dtype=a.dtype)
        out[got : got + a.shape[0]] = a
        got += a.shape[0]
    return None if out is None else out[:got]


def _read_draws(
    model: Model, column: Column, targets: Sequence[Target], limit: int
) -> tuple[FloatArray, FloatArray]:
    """The first ``limit`` draws' input values ``(n, d)`` and target outputs ``(n, t)``; each
    output is read once for all the targets it holds (a proposal's, a dimension's)."""
    values = _first(column, "values", limit)
    x = np.zeros((0, len(model.inputs))) if values is None else np.asarray(values, np.float64)
    blocks = {key: _first(column, key, limit) for key in dict.fromkeys(t.key for t in targets)}
    cols = [np.zeros(0) if (b := blocks[t.key]) is None else t.pick(b) for t in targets]
    y = np.stack(cols, axis=1) if cols else np.zeros((x.shape[0], 0))
    return x, y


def _given_rows(res: dict[str, Any], model: Model) -> list[GivenDataIndex]:
    """One output's given-data result as records (largest S1 first)."""
    if not res:
        return []
    rows = []
    for i, s1, conf, half in zip(
        res["order"], res["s1"], res["s1_conf"], res["s1_half"], strict=True
    ):
        x = model.inputs[i]
        converged = None if half is None else abs(half - s1) <= max(conf, CONVERGENCE_FLOOR)
        rows.append(
            GivenDataIndex(
                input=x.key, label=x.label, s1=s1, s1_conf=conf, s1_half=half, converged=converged
            )
        )
    return rows


def _seed(seed: int) -> int:
    """A non-zero seed derived from the sweep's: SALib seeds its own generator only for a
    non-zero seed (``if seed:``) and otherwise draws from numpy's global state."""
    return int(np.random.SeedSequence(seed).generate_state(1)[0]) | 1


def from_draws(
    model: Model, column: Column, *, max_draws: int = MAX_DRAWS
) -> tuple[int, dict[str, dict[str, Any]]]:
    """Given-data indices of every headline output from the sweep's stored draws.

    Returns the number of draws read and, per headline key, the :func:`given_data` result.
    """
    keys = headline_keys(model, all_dimensions=True)
    x, y = _read_draws(model, column, [t for _, t in keys], max_draws)
    res = given_data(x, y) if model.inputs else [{} for _ in keys]
    return x.shape[0], {head.key: r for (head, _), r in zip(keys, res, strict=True)}


def _problem(names: Sequence[str], groups: Sequence[str] | None = None) -> dict[str, Any]:
    """SALib's problem over the unit cube (the inputs' inverse CDFs map it to their ranges)."""
    problem: dict[str, Any] = {
        "num_vars": len(names),
        "names": list(names),
        "bounds": [[0.0, 1.0]] * len(names),
    }
    if groups is not None:
        problem["groups"] = list(groups)
    return problem


def sobol_sample(problem: dict[str, Any], n: int, *, seed: int) -> FloatArray:
    """Saltelli's design, ``N (k + 2)`` points (scrambled Sobol', second order off)."""
    from SALib.sample import sobol as sobol_sample_

    x = sobol_sample_.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)
    return np.asarray(x, dtype=np.float64)


def sobol_analyze(
    problem: dict[str, Any], ys: dict[str, FloatArray], *, seed: int, num_resamples: int = 200
) -> dict[str, dict[str, Any]]:
    """Sobol' S1 and ST (95 % CIs) of each output ``ys[key]`` over :func:`sobol_sample`'s
    points: output -> {"names", "S1", "S1_conf", "ST", "ST_conf"} over the factors (the
    groups when given); outputs without variance get None."""
    from SALib.analyze import sobol as sobol_analyze_

    groups = problem.get("groups")
    factors = list(dict.fromkeys(groups)) if groups is not None else list(problem["names"])
    out: dict[str, dict[str, Any]] = {}
    for key, y in ys.items():
        y = np.asarray(y, dtype=np.float64)
        if not np.all(np.isfinite(y)) or float(np.var(y)) <= 1e-24:
            out[key] = {"names": factors, "S1": None, "S1_conf": None, "ST": None, "ST_conf": None}
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sobol_analyze_.analyze(
                problem,
                y,
                calc_second_order=False,
                num_resamples=num_resamples,
                conf_level=0.95,
                seed=seed,
            )
        out[key] = {
            "names": factors,
            **{k: [_clean(v) for v in res[k]] for k in ("S1", "S1_conf", "ST", "ST_conf")},
        }
    return out


def sobol_indices(
    fn: Outputs,
    names: Sequence[str],
    n: int,
    *,
    seed: int,
    groups: Sequence[str] | None = None,
    num_resamples: int = 200,
) -> dict[str, dict[str, Any]]:
    """Sobol' S1 and ST (with 95 % CIs) of every output of ``fn`` over the unit cube.

    ``fn`` maps unit-cube points ``(N, d)`` to named outputs ``(N,)``; ``n`` is the base
    sample size (a power of two). Returns output -> {"names", "S1", "S1_conf", "ST",
    "ST_conf"} over the factors (the groups when given); outputs without variance get None.
    """
    problem = _problem(names, groups)
    ys = fn(sobol_sample(problem, n, seed=seed))
    return sobol_analyze(problem, ys, seed=seed, num_resamples=num_resamples)


def morris_sample(problem: dict[str, Any], r: int, *, seed: int, num_levels: int = 4) -> FloatArray:
    """``r`` Morris trajectories of ``d + 1`` points on a ``num_levels`` grid."""
    from SALib.sample import morris as morris_sample_

    x = morris_sample_.sample(problem, r, num_levels=num_levels, seed=seed)
    return np.asarray(x, dtype=np.float64)


def morris_analyze(
    problem: dict[str, Any], x: FloatArray, ys: dict[str, FloatArray], *, seed: int,
    num_levels: int = 4,
) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Morris ``mu_star`` (95 % CI) and ``sigma`` of each output over the points ``x``."""
    from SALib.analyze import morris as morris_analyze_

    out: dict[str, dict[str, Any]] = {}
    for key, y in ys.items():
        y = np.asarray(y, dtype=np.float64)
        if not np.all(np.isfinite(y)):
            y = np.where(np.isfinite(y), y, 0.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = morris_analyze_.analyze(
                problem, x, y, num_levels=num_levels, conf_level=0.95, seed=seed
            )
        out[key] = {
            "names": list(problem["names"]),
            "mu_star": [_clean(v) for v in res["mu_star"]],
            "mu_star_conf": [_clean(v) for v in res["mu_star_conf"]],
            "sigma": [_clean(v) for v in res["sigma"]],
        }
    return out


def morris_screening(
    fn: Outputs, names: Sequence[str], r: int, *, seed: int, num_levels: int = 4
) -> dict[str, dict[str, Any]]:
    """Morris ``mu_star`` (with 95 % CI) and ``sigma`` of every output over the unit cube."""
    problem = _problem(names)
    x = morris_sample(problem, r, seed=seed, num_levels=num_levels)
    return morris_analyze(problem, x, fn(x), seed=seed, num_levels=num_levels)


def headline_outputs(model: Model, unit: FloatArray, seed: int = 0) -> dict[str, FloatArray]:
    """Unit-cube points ``(N, d)`` -> the headline outputs of ``model`` (one batch through the
    pipeline), keyed by :attr:`Headline.key`: per proposal its smallest veto margin and (with
    a guarantee game) P(hold); per engine the forecast on each dimension. Each point's
    outputs depend on that point only, so a design may be evaluated in chunks anywhere."""
    out = evaluate(
        model, to_values(unit, model.inputs), seed=np.random.SeedSequence(seed), winsets=False
    )
    return {
        head.key: target.pick(out[target.key])
        for head, target in headline_keys(model, all_dimensions=True)
    }


def headline_function(model: Model, *, seed: int = 0) -> Outputs:
    """:func:`headline_outputs` of ``model`` as a function of the unit-cube points."""
    return lambda unit: headline_outputs(model, unit, seed)


def _choose(given: dict[str, dict[str, Any]], names: Sequence[str], top: int) -> set[str]:
    """Each output's most influential inputs by given-data S1, in turn, until ``top``."""
    ranked = [
        [i for i, v in zip(r["order"], r["s1"], strict=True) if v > 0] for r in given.values() if r
    ]
    order: list[int] = []
    for depth in range(max((len(r) for r in ranked), default=0)):
        for r in ranked:
            if depth < len(r) and r[depth] not in order and len(order) < top:
                order.append(r[depth])
    return {names[i] for i in order}


def sobol_base(draws: int, sobol_n: int | None = None) -> int:
    """The Sobol' base sample: ``sobol_n`` if given, else the power of two nearest the draws
    asked for (at least 16), so the indices' precision follows the sweep's."""
    if sobol_n is not None:
        return sobol_n
    return int(2 ** max(4, round(math.log2(max(draws, 1)))))


def morris_trajectories(draws: int, d: int, morris_r: int | None = None) -> int:
    """Morris trajectories: ``morris_r`` if given, else about the draws' number of evaluations
    (``r (d + 1) ≈ draws``), between 4 and 50 (judgement: Campolongo et al. 2007 use 10-20)."""
    if morris_r is not None:
        return morris_r
    return max(4, min(50, draws // max(d + 1, 1)))


def extra_evaluations(
    model: Model,
    method: str,
    draws: int,
    *,
    sobol_n: int | None = None,
    morris_r: int | None = None,
) -> int:
    """Model evaluations ``method`` adds to the sweep's draws (0 for the given-data indices):
    Sobol' ``N (k + 2)`` over ``k`` factors, Morris ``r (d + 1)``. Known before the draws, so
    for Sobol' an upper bound: ``k`` counts :data:`SOBOL_GROUPS` inputs and "all other
    inputs"; the draws may single out fewer (``Sensitivity.extra_evaluations`` is exact)."""
    d = len(model.inputs)
    if method == "sobol" and d:
        k = min(d, SOBOL_GROUPS) + (1 if d > SOBOL_GROUPS else 0)
        return sobol_base(draws, sobol_n) * (k + 2)
    if method == "morris" and d:
        return morris_trajectories(draws, d, morris_r) * (d + 1)
    return 0


def _resolved(est: float | None, conf: float | None) -> bool:
    """An index is resolved when its 95 % interval is narrow and meets [0, 1]."""
    if est is None or conf is None:
        return False
    return conf <= SOBOL_MAX_HALF_WIDTH and est + conf >= 0.0 and est - conf <= 1.0


def _sobol_rows(sobol: dict[str, Any], labels: dict[str, str]) -> list[SobolIndex]:
    """One output's Sobol' indices as records, largest ST first; "not resolved" flagged."""
    if not sobol.get("ST"):
        return []
    cols = ("names", "S1", "S1_conf", "ST", "ST_conf")
    rows = [
        SobolIndex(
            factor=f,
            label=labels.get(f, f),
            s1=s1,
            s1_conf=s1c,
            st=st,
            st_conf=stc,
            resolved=_resolved(s1, s1c) and _resolved(st, stc),
        )
        for f, s1, s1c, st, stc in zip(*(sobol[c] for c in cols), strict=True)
    ]
    return sorted(rows, key=lambda x: -(x.st or 0.0))


def _morris_rows(morris: dict[str, Any], labels: dict[str, str]) -> list[MorrisEffect]:
    """One output's Morris effects as records, largest ``mu_star`` first."""
    if not morris:
        return []
    cols = ("names", "mu_star", "mu_star_conf", "sigma")
    effects = [
        MorrisEffect(input=nm, label=labels.get(nm, nm), mu_star=mu, mu_star_conf=muc, sigma=sd)
        for nm, mu, muc, sd in zip(*(morris[c] for c in cols), strict=True)
    ]
    return sorted(effects, key=lambda x: -(x.mu_star or 0.0))


@dataclass(frozen=True)
class Design:
    """A Sobol' or Morris design over the unit cube: its points ``unit (N, d)``, SALib's
    problem (with the Sobol' groups) and the seed of its sampling and bootstrap."""

    method: Literal["sobol", "morris"]
    unit: FloatArray
    problem: dict[str, Any]
    seed: int
    sobol_n: int | None = None
    morris_r: int | None = None

    @property
    def groups(self) -> list[str]:
        """The Sobol' factors in order (empty for Morris)."""
        return list(dict.fromkeys(self.problem.get("groups", [])))

    def identity(self) -> dict[str, Any]:
        """What a resumed design must agree on (its sha256 covers the points and groups)."""
        h = hashlib.sha256(self.unit.tobytes())
        h.update(json.dumps(self.problem.get("groups", [])).encode())
        return {
            "method": self.method,
            "rows": int(self.unit.shape[0]),
            "seed": self.seed,
            "sobol_n": self.sobol_n,
            "morris_r": self.morris_r,
            "design_sha256": h.hexdigest(),
        }


def plan_design(
    model: Model,
    given: dict[str, dict[str, Any]],
    method: str,
    draws: int,
    *,
    seed: int,
    sobol_n: int | None = None,
    morris_r: int | None = None,
) -> Design | None:
    """The design ``method`` asks for, sized from ``draws`` (or ``sobol_n`` / ``morris_r``);
    None for the given-data indices alone or a model without ranged inputs."""
    names = [x.key for x in model.inputs]
    if not names or method not in ("sobol", "morris"):
        return None
    if method == "sobol":
        chosen = _choose(given, names, SOBOL_GROUPS)
        problem = _problem(names, [nm if nm in chosen else OTHERS for nm in names])
        n = sobol_base(draws, sobol_n)
        unit = sobol_sample(problem, n, seed=_seed(seed))
        return Design("sobol", unit, problem, _seed(seed), sobol_n=n)
    r = morris_trajectories(draws, len(names), morris_r)
    problem = _problem(names)
    return Design("morris", morris_sample(problem, r, seed=_seed(seed)), problem, _seed(seed),
                  morris_r=r)  # fmt: skip


#: evaluates a design's points: ``Design -> {headline key: (N,)}`` (serial in this process by
#: default; ``backends`` runs it in chunks on the sweep's backend, streamed and resumable)
DesignRunner = Callable[[Design], dict[str, FloatArray]]


def analyze(
    model: Model,
    column: Column,
    *,
    seed: int,
    method: str = "rbd-fast",
    draws: int = 0,
    sobol_n: int | None = None,
    morris_r: int | None = None,
    run_design: DesignRunner | None = None,
) -> Sensitivity:
    """Given-data indices from the sweep's draws; with ``method`` "sobol" or "morris" also
    that analysis on a design of its own, sized from ``draws`` (module docstring), its points
    evaluated by ``run_design``."""
    if method not in METHODS[:-1]:
        raise ValueError(f"unknown sensitivity method {method!r}; choose from {METHODS}")
    used, given = from_draws(model, column)
    labels = {x.key: x.label for x in model.inputs} | {OTHERS: OTHERS}
    design = plan_design(model, given, method, draws, seed=seed, sobol_n=sobol_n, morris_r=morris_r)
    sobol: dict[str, dict[str, Any]] = {}
    morris: dict[str, dict[str, Any]] = {}
    if design is not None:
        runner = run_design or (lambda d: headline_outputs(model, d.unit, seed))
        ys = runner(design)
        if design.method == "sobol":
            sobol = sobol_analyze(design.problem, ys, seed=design.seed)
        else:
            morris = morris_analyze(design.problem, design.unit, ys, seed=design.seed)
    outputs = [
        OutputSensitivity(
            output=head,
            given=_given_rows(given[head.key], model),
            first_order_total=given[head.key].get("total"),
            sobol=_sobol_rows(sobol.get(head.key, {}), labels),
            morris=_morris_rows(morris.get(head.key, {}), labels),
        )
        for head, _ in headline_keys(model, all_dimensions=True)
    ]
    return Sensitivity(
        method=method,
        draws=used,
        extra_evaluations=0 if design is None else int(design.unit.shape[0]),
        sobol_n=design.sobol_n if design else None,
        morris_r=design.morris_r if design else None,
        groups=design.groups if design else [],
        outputs=outputs,
    )


class Decisions:
    """:func:`pipeline.decide` with one input moved from the centre, memoised per (input,
    value): the bisection reuses the grid's evaluations, and candidates that share an input
    and a bracket (several rules flipped by the same input) share every evaluation."""

    def __init__(self, model: Model, centre: FloatArray) -> None:
        self.model, self.centre = model, centre
        self.memo: dict[tuple[int, float], NDArray[np.bool_]] = {}
        #: model evaluations made (rows of the decision stages)
        self.evaluations = 0

    def __call__(self, js: Sequence[int], values: Sequence[float]) -> NDArray[np.bool_]:
        """Decisions ``(N, R)`` with input ``js[k]`` at ``values[k]``, the others central."""
        keys = list(zip((int(j) for j in js), (float(v) for v in values), strict=True))
        new = list(dict.fromkeys(k for k in keys if k not in self.memo))
        if new:
            rows = np.repeat(self.centre[None], len(new), axis=0)
            rows[np.arange(len(new)), [j for j, _ in new]] = [v for _, v in new]
            self.memo.update(zip(new, decide(self.model, rows), strict=True))
            self.evaluations += len(new)
        if not keys:
            return np.zeros((0, len(self.model.rules)), dtype=bool)
        return np.stack([self.memo[k] for k in keys])


#: (input j, rule r, the nearest value that keeps the conclusion, the nearest grid value that
#: flips it)
Candidate = tuple[int, int, float, float]


def _side_candidates(
    j: int, r: int, gv: FloatArray, flips: NDArray[np.bool_], c: float
) -> list[Candidate]:
    """On each side of the centre ``c``: the grid point nearest it that flips rule ``r``, and
    the point before it (a grid point that does not flip — it is nearer — or the centre)."""
    out: list[Candidate] = []
    for side in (1, -1):  # above the centre, then below
        beyond = [i for i in range(len(gv)) if (gv[i] - c) * side > 0]
        hits = [i for i in beyond if flips[i]]
        if hits:
            i = min(hits, key=lambda i: abs(gv[i] - c))
            keep = float(gv[i - side]) if i - side in beyond else c
            out.append((j, r, keep, float(gv[i])))
    return out


def _grid_candidates(
    model: Model, dec: Decisions, central: NDArray[np.bool_], g: int, inputs: Sequence[int]
) -> list[Candidate]:
    """Scan each of ``inputs`` over its range on ``g`` points (both ends included), the others
    central; the bracket of every flip nearest the centre (:func:`_side_candidates`)."""
    levels = np.linspace(0.0, 1.0, g)
    x = model.inputs
    grids = {j: x[j].low + levels * (x[j].high - x[j].low) for j in inputs}
    js = [j for j in inputs for _ in range(g)]
    res = dec(js, np.concatenate([grids[j] for j in inputs]).tolist()).reshape(len(inputs), g, -1)
    cand: list[Candidate] = []
    for k, j in enumerate(inputs):
        for r in np.flatnonzero((res[k] != central).any(axis=0)):
            cand += _side_candidates(j, int(r), grids[j], res[k, :, r] != central[r], dec.centre[j])
    return cand


def _bisect(
    model: Model,
    dec: Decisions,
    central: NDArray[np.bool_],
    cand: list[Candidate],
    tol: float,
) -> FloatArray:
    """Every candidate's switch value, located by bisection to ``tol`` of its input's range
    (all candidates at once, one batch per halving, shared evaluations computed once)."""
    a = np.array([x[2] for x in cand])
    b = np.array([x[3] for x in cand])
    js = np.array([x[0] for x in cand])
    rs = np.array([x[1] for x in cand])
    width = np.array([model.inputs[j].high - model.inputs[j].low for j in js])
    rows = np.arange(len(cand))
    while np.any(np.abs(b - a) > tol * width):
        mid = (a + b) / 2.0
        flipped = dec(js.tolist(), mid.tolist())[rows, rs] != central[rs]
        b = np.where(flipped, mid, b)
        a = np.where(flipped, a, mid)
    return b


def _switch(model: Model, j: int, r: int, value: float, passes: bool) -> SwitchPoint:
    """The switch of input ``j`` at ``value`` for rule ``r``, with its sentence."""
    x = model.inputs[j]
    rule = model.rules[r]
    direction: Literal["above", "below"] = "above" if value > x.central else "below"
    label, name = model.proposal_labels[rule.proposal], model.institution_names[rule.institution]
    verb = f"stops {label} in {name}" if passes else f"lets {label} through {name}"
    sentence = f"{x.label} {direction} {value:.3g} {verb}"
    return SwitchPoint(
        input=x.key,
        label=x.label,
        central_value=x.central,
        value=value,
        direction=direction,
        sentence=sentence[0].upper() + sentence[1:] + ".",
    )


def switch_points(model: Model, *, grid: int = 9, tol: float = 1e-6) -> list[DecisionSwitches]:
    """For each (proposal, institution): the single inputs that flip its central conclusion.

    Returns one entry per (proposal, institution) with ``central`` (passes at the centre) and
    its :class:`SwitchPoint` s, the switch value being the first value beyond which the
    conclusion flips (a grid of ``grid`` points, then bisection to ``tol`` of the range).
    Only the inputs the decision stages read (``pipeline.DECISION_KINDS``) are scanned, and
    only those stages run (:class:`Decisions`); the other inputs cannot flip a decision.
    """
    c = central_values(model.inputs)
    dec = Decisions(model, c)
    central = decide(model, c[None])[0]
    # a grid point at an input's central value is the central run itself
    dec.memo.update({(j, float(v)): central for j, v in enumerate(c)})
    found: list[list[SwitchPoint]] = [[] for _ in model.rules]
    inputs = [j for j, x in enumerate(model.inputs) if x.kind in DECISION_KINDS]
    if inputs and model.rules:
        cand = _grid_candidates(model, dec, central, grid, inputs)
        values = _bisect(model, dec, central, cand, tol) if cand else np.zeros(0)
        for (j, r, _, _), value in zip(cand, values, strict=True):
            found[r].append(_switch(model, j, r, float(value), bool(central[r])))
    return [
        DecisionSwitches(
            proposal=model.proposal_ids[rule.proposal],
            institution=rule.institution,
            central=bool(central[r]),
            switches=found[r],
        )
        for r, rule in enumerate(model.rules)
    ]
