"""Global sensitivity (SALib) and switch points. Pure: explicit seeds, no I/O.

* **Morris screening** (Morris 1991; Campolongo, Cariboni & Saltelli 2007, ``mu_star``) over
  every ranged input: ``r`` trajectories of ``d + 1`` points on a 4-level grid of the unit
  cube (``SALib.sample.morris``), the mean absolute elementary effect ``mu_star`` and its
  bootstrap confidence interval (``SALib.analyze.morris``).
* **Sobol' indices** (Saltelli 2002; Saltelli et al. 2010, first-order ``S1`` and total
  ``ST`` with bootstrap 95 % confidence intervals; ``SALib.sample.sobol`` and
  ``SALib.analyze.sobol``, ``calc_second_order=False``: ``N (k + 2)`` model runs for ``k``
  factors). With 200 inputs and a few hundred base samples that would be 10^5 runs, so the
  Sobol' analysis of a scenario is over *groups* (SALib's ``groups``): each of the inputs
  Morris ranks most influential for some headline output is its own group, and every other
  input is one group "all other inputs" — variance is still fully accounted for, and the
  named groups' indices are those of the inputs themselves.
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

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from ceasefire._types import FloatArray
from ceasefire.sweep_results import (
    OTHERS,
    DecisionSwitches,
    Headline,
    MorrisEffect,
    OutputSensitivity,
    Sensitivity,
    SobolIndex,
    SwitchPoint,
)
from ceasefire.uncertainty.pipeline import Model, evaluate
from ceasefire.uncertainty.ranges import central_values, to_values
from ceasefire.uncertainty.summary import headline_keys

Outputs = Callable[[FloatArray], dict[str, FloatArray]]


def _clean(x: Any) -> float | None:
    v = float(x)
    return None if math.isnan(v) or math.isinf(v) else v


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
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    problem: dict[str, Any] = {
        "num_vars": len(names),
        "names": list(names),
        "bounds": [[0.0, 1.0]] * len(names),
    }
    if groups is not None:
        problem["groups"] = list(groups)
    x = sobol_sample.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)
    ys = fn(np.asarray(x, dtype=np.float64))
    factors = list(dict.fromkeys(groups)) if groups is not None else list(names)
    out: dict[str, dict[str, Any]] = {}
    for key, y in ys.items():
        y = np.asarray(y, dtype=np.float64)
        if not np.all(np.isfinite(y)) or float(np.var(y)) <= 1e-24:
            out[key] = {"names": factors, "S1": None, "S1_conf": None, "ST": None, "ST_conf": None}
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sobol_analyze.analyze(
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


def morris_screening(
    fn: Outputs, names: Sequence[str], r: int, *, seed: int, num_levels: int = 4
) -> dict[str, dict[str, Any]]:
    """Morris ``mu_star`` (with 95 % CI) and ``sigma`` of every output over the unit cube."""
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    x = morris_sample.sample(problem, r, num_levels=num_levels, seed=seed)
    ys = fn(np.asarray(x, dtype=np.float64))
    out: dict[str, dict[str, Any]] = {}
    for key, y in ys.items():
        y = np.asarray(y, dtype=np.float64)
        if not np.all(np.isfinite(y)):
            y = np.where(np.isfinite(y), y, 0.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = morris_analyze.analyze(
                problem, x, y, num_levels=num_levels, conf_level=0.95, seed=seed
            )
        out[key] = {
            "names": list(names),
            "mu_star": [_clean(v) for v in res["mu_star"]],
            "mu_star_conf": [_clean(v) for v in res["mu_star_conf"]],
            "sigma": [_clean(v) for v in res["sigma"]],
        }
    return out


def headline_function(model: Model, *, seed: int = 0) -> Outputs:
    """Unit-cube points -> the headline outputs of ``model`` (one batch through the pipeline).

    Per proposal its smallest veto margin and (with a guarantee game) P(hold); per engine the
    forecast on the first dimension; keyed by :attr:`Headline.key`.
    """
    keys = headline_keys(model)

    def fn(unit: FloatArray) -> dict[str, FloatArray]:
        out = evaluate(
            model, to_values(unit, model.inputs), seed=np.random.SeedSequence(seed), winsets=False
        )
        return {head.key: target.pick(out[target.key]) for head, target in keys}

    return fn


def _choose(morris: dict[str, dict[str, Any]], names: Sequence[str], top: int) -> set[str]:
    """Each output's few most influential inputs by ``mu_star``, in turn, until ``top``."""
    ranked = []
    for res in morris.values():
        mu = np.array([v or 0.0 for v in res["mu_star"]])
        ranked.append([int(i) for i in np.argsort(-mu, kind="stable") if mu[i] > 0])
    order: list[int] = []
    for depth in range(len(names)):
        for r in ranked:
            if depth < len(r) and r[depth] not in order and len(order) < top:
                order.append(r[depth])
        if len(order) >= top or all(depth >= len(r) for r in ranked):
            break
    return {names[i] for i in order}


def _output(
    head: Headline, morris: dict[str, Any], sobol: dict[str, Any], labels: dict[str, str]
) -> OutputSensitivity:
    """One output's indices as records, each list sorted largest first (ST, then mu_star)."""
    indices = []
    if sobol["ST"]:
        rows = zip(
            sobol["names"],
            sobol["S1"],
            sobol["S1_conf"],
            sobol["ST"],
            sobol["ST_conf"],
            strict=True,
        )
        indices = [
            SobolIndex(factor=f, label=labels.get(f, f), s1=s1, s1_conf=s1c, st=st, st_conf=stc)
            for f, s1, s1c, st, stc in rows
        ]
        indices.sort(key=lambda x: -(x.st or 0.0))
    effects = [
        MorrisEffect(input=nm, label=labels.get(nm, nm), mu_star=mu, mu_star_conf=muc, sigma=sd)
        for nm, mu, muc, sd in zip(
            morris["names"], morris["mu_star"], morris["mu_star_conf"], morris["sigma"], strict=True
        )
    ]
    effects.sort(key=lambda x: -(x.mu_star or 0.0))
    return OutputSensitivity(output=head, sobol=indices, morris=effects)


def analyze(
    model: Model, *, seed: int, sobol_n: int = 256, morris_r: int = 10, top: int = 12
) -> Sensitivity:
    """Morris over every ranged input, then Sobol' over the most influential (module doc)."""
    names = [x.key for x in model.inputs]
    if not names:
        return Sensitivity(morris_r=morris_r, sobol_n=sobol_n, groups=[], outputs=[])
    fn = headline_function(model, seed=seed)
    # SALib seeds its own generator only for a non-zero seed (``if seed:``) and otherwise
    # draws from numpy's global state; derive a non-zero seed so seed 0 is reproducible too
    seed = int(np.random.SeedSequence(seed).generate_state(1)[0]) | 1
    morris = morris_screening(fn, names, morris_r, seed=seed)
    chosen = _choose(morris, names, top)
    groups = [nm if nm in chosen else OTHERS for nm in names]
    sobol = sobol_indices(fn, names, sobol_n, seed=seed, groups=groups)
    labels = {x.key: x.label for x in model.inputs}
    labels[OTHERS] = OTHERS
    return Sensitivity(
        morris_r=morris_r,
        sobol_n=sobol_n,
        groups=list(dict.fromkeys(groups)),
        outputs=[
            _output(head, morris[head.key], sobol[head.key], labels)
            for head, _ in headline_keys(model)
        ],
    )


#: a batch of input values -> institution decisions ``(N, R)``, the other inputs central
Decide = Callable[[FloatArray], NDArray[np.bool_]]
#: (input j, rule r, a value that keeps the conclusion, the nearest grid value that flips it)
Candidate = tuple[int, int, float, float]


def _grid_candidates(
    model: Model, run: Decide, c: FloatArray, central: NDArray[np.bool_], g: int
) -> list[Candidate]:
    """Scan each input's range on ``g`` points (both ends included), the others central; on
    each side of the centre, the grid point nearest the centre that flips a decision."""
    inputs = model.inputs
    d = len(inputs)
    lows = np.array([x.low for x in inputs])
    highs = np.array([x.high for x in inputs])
    levels = np.linspace(0.0, 1.0, g)
    vals = np.repeat(c[None], d * g, axis=0)
    grid_vals = (lows[:, None] + levels[None, :] * (highs - lows)[:, None]).ravel()
    vals[np.arange(d * g), np.repeat(np.arange(d), g)] = grid_vals
    res = run(vals).reshape(d, g, -1)  # (d, g, R)
    cand: list[Candidate] = []
    for j in range(d):
        gv = grid_vals.reshape(d, g)[j]
        for r in range(len(model.rules)):
            flips = res[j, :, r] != central[r]
            if not flips.any():
                continue
            for side in (1, -1):
                idx = [i for i in range(g) if (gv[i] - c[j]) * side > 0 and flips[i]]
                if idx:
                    i = min(idx, key=lambda i: abs(gv[i] - c[j]))
                    cand.append((j, r, float(c[j]), float(gv[i])))
    return cand


def _bisect(
    model: Model,
    run: Decide,
    c: FloatArray,
    central: NDArray[np.bool_],
    cand: list[Candidate],
    tol: float,
) -> FloatArray:
    """Every candidate's switch value, located by bisection to ``tol`` of its input's range
    (all candidates at once, one batch per halving)."""
    a = np.array([x[2] for x in cand])
    b = np.array([x[3] for x in cand])
    js = np.array([x[0] for x in cand])
    rs = np.array([x[1] for x in cand])
    width = np.array([model.inputs[j].high - model.inputs[j].low for j in js])
    rows = np.arange(len(cand))
    while np.any(np.abs(b - a) > tol * width):
        mid = (a + b) / 2.0
        v = np.repeat(c[None], len(cand), axis=0)
        v[rows, js] = mid
        flipped = run(v)[rows, rs] != central[rs]
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
    """
    c = central_values(model.inputs)
    seed = np.random.SeedSequence(0)

    def run(values: FloatArray) -> NDArray[np.bool_]:
        out = evaluate(model, values, seed=seed, engines=False)
        return np.asarray(out["institution_passes"], dtype=bool)

    central = run(c[None])[0]
    found: list[list[SwitchPoint]] = [[] for _ in model.rules]
    if model.inputs and model.rules:
        cand = _grid_candidates(model, run, c, central, grid)
        values = _bisect(model, run, c, central, cand, tol) if cand else np.zeros(0)
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
