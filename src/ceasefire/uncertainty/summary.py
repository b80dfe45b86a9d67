"""Aggregation of a sweep's draws into what an analyst reads (pure; arrays in, a dict out).

Draws arrive chunk by chunk through ``column(key)``, a function returning an iterator over the
chunks' arrays of one output, so at most one output column of all draws (8 bytes x N) is in
memory at a time:

* probabilities (an institution passes, a proposal passes, an actor accepts, a win-set is
  empty) are means of indicators, with a 95 % Wilson score interval
  ``(p + z²/2N ± z sqrt(p(1-p)/N + z²/4N²)) / (1 + z²/N)``, z = 1.96;
* distributions (median, 5th, 25th, 75th and 95th percentiles) are exact: ``numpy.percentile`` with
  linear interpolation over the column of all draws, NaN draws left out (``q_critical`` is
  NaN where no credibility deters);
* "the inputs that matter most" in the sweep itself are Pearson correlations between each
  input and each headline output, accumulated as running sums (the Sobol' and Morris
  analyses of :mod:`~ceasefire.uncertainty.sensitivity` are the variance-based answer).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ceasefire.uncertainty.pipeline import (
    COVERAGE_OUTPUTS,
    DETERRENCE_OUTPUTS,
    DURABILITY_OUTPUTS,
    Model,
    evaluate_central,
)

Floats = NDArray[np.float64]
Column = Callable[[str], Iterator[NDArray[Any]]]

Z95 = 1.959963984540054


def wilson(successes: float, n: int) -> list[float]:
    """95 % Wilson score interval of a proportion."""
    if n == 0:
        return [math.nan, math.nan]
    p = successes / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return [max(0.0, centre - half), min(1.0, centre + half)]


def _num(x: Any) -> float | None:
    v = float(x)
    return None if math.isnan(v) or math.isinf(v) else v


def quantiles(x: Floats) -> dict[str, float | None]:
    """Median, 5th, 25th, 75th and 95th percentile ignoring NaN (None when no finite draw).

    The quartiles are there for the report's box charts (``report.charts``)."""
    finite = x[np.isfinite(x)]
    if not finite.size:
        return {"median": None, "p05": None, "p95": None, "p25": None, "p75": None}
    p05, p25, med, p75, p95 = np.percentile(finite, [5.0, 25.0, 50.0, 75.0, 95.0])
    return {
        "median": float(med),
        "p05": float(p05),
        "p95": float(p95),
        "p25": float(p25),
        "p75": float(p75),
    }


def headline_keys(model: Model) -> list[tuple[str, str, int, int]]:
    """(label, output key, proposal index or -1, dimension index or -1) of headline outputs."""
    out = []
    for k, pid in enumerate(model.proposal_ids):
        out.append((f"min_veto_margin|{pid}", "min_veto_margin", k, -1))
        if model.aggressor >= 0:
            out.append((f"p_hold|{pid}", "det.p_hold", k, -1))
    for ek in model.engine_keys:
        out.append((f"forecast|{ek}|{model.dimension_ids[0]}", f"forecast.{ek}", -1, 0))
    return out


def _pick(arr: NDArray[Any], k: int, j: int) -> Floats:
    if k >= 0:
        return np.asarray(arr[:, k], dtype=np.float64)
    return np.asarray(arr[:, j], dtype=np.float64)


def summarise(
    model: Model, column: Column, *, draws: int, top: int = 5, meta: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The sweep summary (a JSON-ready dict) from the chunks' columns (module docstring)."""
    n = 0
    sums: dict[str, NDArray[Any]] = {}
    for key in ("passes", "institution_passes", "accepts"):
        for arr in column(key):
            a = np.asarray(arr)
            sums[key] = sums.get(key, 0) + a.sum(axis=0)
            if key == "passes":
                n += a.shape[0]
    chains = [cid for cid, _ in model.chains]
    win_empty: dict[str, float] = {}
    for cid in chains:
        total = 0.0
        seen = False
        for arr in column(f"winset_empty.{cid}"):
            seen = True
            total += float(np.asarray(arr).sum())
        if seen:
            win_empty[cid] = total
    if n != draws:
        raise ValueError(f"the chunks hold {n} draws, expected {draws}")

    central = evaluate_central(model)

    def col(key: str, k: int = -1, j: int = -1) -> Floats:
        parts = [_pick(np.asarray(a), k, j) for a in column(key)]
        return np.concatenate(parts) if parts else np.zeros(0)

    # correlations of every input with every headline output (and each pass indicator)
    d = len(model.inputs)
    targets = [(lbl, key, k, j) for lbl, key, k, j in headline_keys(model)]
    targets += [(f"passes|{pid}", "passes", k, -1) for k, pid in enumerate(model.proposal_ids)]
    sx = np.zeros(d)
    sxx = np.zeros(d)
    sy = np.zeros(len(targets))
    syy = np.zeros(len(targets))
    sxy = np.zeros((len(targets), d))
    keys = sorted({t[1] for t in targets})
    iters = {key: column(key) for key in keys}
    for values in column("values"):
        x = np.asarray(values, dtype=np.float64)
        sx += x.sum(axis=0)
        sxx += (x * x).sum(axis=0)
        arrays = {key: np.asarray(next(iters[key])) for key in keys}
        for t, (_, key, k, j) in enumerate(targets):
            y = _pick(arrays[key], k, j)
            y = np.where(np.isfinite(y), y, 0.0)
            sy[t] += y.sum()
            syy[t] += (y * y).sum()
            sxy[t] += y @ x

    def correlations(t: int) -> list[dict[str, Any]]:
        if n < 2 or d == 0:
            return []
        vx = sxx / n - (sx / n) ** 2
        vy = syy[t] / n - (sy[t] / n) ** 2
        cov = sxy[t] / n - (sx / n) * (sy[t] / n)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = cov / np.sqrt(vx * vy)
        r = np.where(np.isfinite(r), r, 0.0)
        order = np.argsort(-np.abs(r), kind="stable")[:top]
        return [
            {"key": model.inputs[i].key, "label": model.inputs[i].label, "r": float(r[i])}
            for i in order
            if abs(r[i]) > 1e-12
        ]

    tindex = {t[0]: i for i, t in enumerate(targets)}
    proposals = []
    for k, pid in enumerate(model.proposal_ids):
        p_pass = float(sums["passes"][k]) / n
        insts = {}
        for r in model.requires[k]:
            rule = model.rules[r]
            s = float(sums["institution_passes"][r])
            insts[rule.institution] = {
                "name": model.institution_names[rule.institution],
                "central": bool(central["institution_passes"][0, r]),
                "p_pass": s / n,
                "ci95": wilson(s, n),
            }
        entry: dict[str, Any] = {
            "id": pid,
            "label": model.proposal_labels[k],
            "central_passes": bool(central["passes"][0, k]),
            "p_pass": p_pass,
            "ci95": wilson(float(sums["passes"][k]), n),
            "institutions": insts,
            "acceptance": {
                a: {
                    "central": bool(central["accepts"][0, k, i]),
                    "p_accept": float(sums["accepts"][k, i]) / n,
                }
                for i, a in enumerate(model.actor_ids)
            },
            "min_veto_margin": {
                "central": _num(central["min_veto_margin"][0, k]),
                **quantiles(col("min_veto_margin", k)),
            },
            "coverage": {
                name: {"central": _num(central[name][0, k]), **quantiles(col(name, k))}
                for name in COVERAGE_OUTPUTS
            },
            "durability": {
                name: {
                    "central": _num(central[f"dur.{name}"][0, k]),
                    **quantiles(col(f"dur.{name}", k)),
                }
                for name in DURABILITY_OUTPUTS
            },
            "influential": {
                "passes": correlations(tindex[f"passes|{pid}"]),
                "min_veto_margin": correlations(tindex[f"min_veto_margin|{pid}"]),
            },
        }
        if model.aggressor >= 0:
            entry["deterrence"] = {
                name: {
                    "central": _num(central[f"det.{name}"][0, k]),
                    **quantiles(col(f"det.{name}", k)),
                }
                for name in DETERRENCE_OUTPUTS
            }
            entry["influential"]["p_hold"] = correlations(tindex[f"p_hold|{pid}"])
        proposals.append(entry)
    forecasts = {}
    for ek in model.engine_keys:
        key = f"forecast.{ek}"
        forecasts[ek] = {
            dim: {"central": _num(central[key][0, j]), **quantiles(col(key, -1, j))}
            for j, dim in enumerate(model.dimension_ids)
        }
        lbl = f"forecast|{ek}|{model.dimension_ids[0]}"
        forecasts[ek]["influential"] = correlations(tindex[lbl])  # type: ignore[assignment]
    return {
        **(meta or {}),
        "draws": n,
        "scenario": model.scenario_id,
        "dimensions": list(model.dimension_ids),
        "actors": list(model.actor_ids),
        "actor_names": dict(zip(model.actor_ids, model.actor_names, strict=True)),
        "engines": list(model.engine_keys),
        "inputs": [
            {
                "key": x.key,
                "label": x.label,
                "central": x.central,
                "low": x.low,
                "high": x.high,
                "distribution": x.distribution,
            }
            for x in model.inputs
        ],
        "proposals": proposals,
        "forecasts": forecasts,
        "winsets": {cid: {"p_empty": s / n, "ci95": wilson(s, n)} for cid, s in win_empty.items()},
    }
