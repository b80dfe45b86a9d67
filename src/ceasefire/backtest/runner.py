"""Run every registered engine on every DEU issue with an outcome, and score it.

Pure: takes a parsed :class:`~ceasefire.backtest.deu.DeuData`, returns a
:class:`~ceasefire.backtest.models.DeuBacktest`. Engines come from the registry
(:data:`ceasefire.bargaining.ENGINES` through :func:`ceasefire.bargaining.runs`), so an engine
registered later is scored too.

Conventions (also written into the result's ``notes``):

* Each issue is a one-dimensional problem. Its actors are those with a position and a salience
  > 0 (a missing salience counts as 0; such an actor has weight ``c s = 0`` in every engine,
  and in nash it would make the bargaining set empty by definition).
* Issues are batched by their number of actors: one engine call per group of equal size
  (the batch API; no call per issue). If a call raises, its issues are retried one by one so
  that only the issues the engine refuses are refused, each with the engine's message.
* An issue is refused when the engine raises on it, returns a non-finite forecast, or reports
  a reason in ``extras["refusal"]`` (smp: a degenerate initial state); refusals are counted
  and listed, never dropped silently.
* The status quo is the reference point ``rp``. Issues without one are run twice, with the
  status quo at 0 and at 100: an engine whose forecast differs (nash) is refused there ("no
  reference point"); an engine that ignores the status quo is scored.
* Baselines: the salience-weighted mean of every actor with a position, the median of the
  positions, and the reference point. Every engine is compared with the first.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ceasefire.backtest import stacking, stats
from ceasefire.backtest.deu import DeuData, DeuFormatError, DeuIssue, capabilities
from ceasefire.backtest.models import (
    DeuBacktest,
    ErrorStats,
    Interval,
    IssueRow,
    Record,
    Refusal,
    Skipped,
    Stacking,
)

FloatArray = NDArray[np.float64]

WEIGHTED_MEAN = "salience-weighted mean"
MEDIAN = "median position"
REFERENCE = "reference point"
BASELINES = (WEIGHTED_MEAN, MEDIAN, REFERENCE)
SAME = 1e-9  # forecasts this close count as identical
SQ_PROBES = (0.0, 100.0)  # status quo values tried where an issue has no reference point

NOTES = (
    "Actors of an issue: those with a position and a salience > 0 (a missing salience is 0).",
    "Engines run through the batch API, one call per group of issues with equal actor counts.",
    "Status quo = the reference point; without one, an engine whose forecast moves when the "
    "status quo goes from 0 to 100 is refused on that issue.",
    "Baselines use every actor with a position: the salience-weighted mean, the median of "
    "the positions, the reference point.",
    "combined = weights >= 0 summing to 1 over every forecaster above (a missing forecast "
    "counts as the salience-weighted mean's), fitted by least absolute error; scored out of "
    f"sample: {stacking.FOLDS}-fold cross-validation, folds by legislative proposal.",
    "beats = share of issues where the engine's absolute error is strictly below the "
    "salience-weighted mean's; the interval is a paired percentile bootstrap of the MAE "
    "difference (engine - weighted mean).",
)


COMBINED = "combined (stacked, CV by proposal)"


def _stack(scored: Scored, forecasts: dict[str, FloatArray], seed: int) -> stacking.Stack | None:
    """The combined forecast, cross-validated by proposal (``stacking``); None with fewer
    than two proposals or no forecaster."""
    groups = [i.proposal or i.id for i in scored.issues]
    base = scored.baselines[WEIGHTED_MEAN]
    ok = np.isfinite(base)
    if len(set(groups)) < 2 or not ok.all():
        return None
    labels = list(forecasts)
    f = np.stack([np.where(np.isfinite(forecasts[k]), forecasts[k], base) for k in labels], 1)
    return stacking.cross_validate(f, scored.outcome, groups, labels, seed=seed)


def _stacking(stack: stacking.Stack, scored: Scored, seed: int) -> Stacking:
    return Stacking(
        folds=int(stack.fold.max()) + 1,
        proposals=len({i.proposal or i.id for i in scored.issues}),
        seed=seed,
        weights={k: float(w) for k, w in zip(stack.labels, stack.weights, strict=True)},
        fold_range={
            k: [float(stack.fold_weights[:, j].min()), float(stack.fold_weights[:, j].max())]
            for j, k in enumerate(stack.labels)
        },
    )


@dataclass(frozen=True)
class Scored:
    """The issues that are scored, with their one-dimensional problems."""

    issues: tuple[DeuIssue, ...]
    outcome: FloatArray  # (m,)
    reference: FloatArray  # (m,), NaN without a reference point
    positions: tuple[FloatArray, ...]  # active actors per issue
    saliences: tuple[FloatArray, ...]
    capability: tuple[FloatArray, ...]
    baselines: dict[str, FloatArray]  # name -> (m,), NaN where undefined


def _issue_problem(
    issue: DeuIssue, caps: Sequence[float | None], actors: Sequence[str], gdp_line: int | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Positions, saliences, capabilities of the issue's active actors (module docstring)."""
    pos, sal, cap = [], [], []
    for k, (p, s) in enumerate(zip(issue.positions, issue.saliences, strict=True)):
        if p is None or not s:
            continue
        c = caps[k]
        if c is None:
            raise DeuFormatError(
                f"actor {actors[k]!r} takes part in issue {issue.id!r} (line {issue.line}) but "
                "has no capability value",
                line=gdp_line,
                column=f"p{actors[k]}",
            )
        pos.append(p)
        sal.append(s)
        cap.append(c)
    return np.array(pos), np.array(sal), np.array(cap)


def _baselines(issue: DeuIssue) -> tuple[float | None, float | None, float | None]:
    """Weighted mean, median position, reference point of one issue (None = undefined)."""
    held = [(p, s or 0.0) for p, s in zip(issue.positions, issue.saliences, strict=True)]
    held = [(p, s) for p, s in held if p is not None]
    x = np.array([p for p, _ in held], dtype=np.float64)
    w = np.array([s for _, s in held], dtype=np.float64)
    return stats.weighted_mean(x, w), stats.median_position(x), issue.reference_point


def prepare(data: DeuData, capability: str) -> tuple[Scored, list[Skipped]]:
    """Select the issues with an outcome and a salient actor; build their problems."""
    caps = capabilities(data, capability)
    keep: list[DeuIssue] = []
    skipped: list[Skipped] = []
    probs: list[tuple[FloatArray, FloatArray, FloatArray]] = []
    base: list[tuple[float | None, float | None, float | None]] = []
    for issue in data.issues:
        if issue.outcome is None:
            skipped.append(Skipped(issue=issue.id, line=issue.line, reason="no outcome"))
            continue
        prob = _issue_problem(issue, caps, data.actors, data.gdp_line)
        if prob[0].size == 0:
            reason = "no actor with a position and a salience > 0"
            skipped.append(Skipped(issue=issue.id, line=issue.line, reason=reason))
            continue
        keep.append(issue)
        probs.append(prob)
        base.append(_baselines(issue))

    def col(k: int) -> FloatArray:
        return np.array([np.nan if b[k] is None else b[k] for b in base], dtype=np.float64)

    scored = Scored(
        issues=tuple(keep),
        outcome=np.array([i.outcome for i in keep], dtype=np.float64),
        reference=col(2),
        positions=tuple(p[0] for p in probs),
        saliences=tuple(p[1] for p in probs),
        capability=tuple(p[2] for p in probs),
        baselines={name: col(k) for k, name in enumerate(BASELINES)},
    )
    return scored, skipped


# ---------------------------------------------------------------------------------------------
# Running the engines
# ---------------------------------------------------------------------------------------------

EngineFn = Callable[..., Any]


@dataclass
class EngineRun:
    """One engine variant's forecasts over the scored issues."""

    forecast: FloatArray  # (m,), NaN where refused
    refusal: list[str | None]
    case: list[str | None]


def _call(
    fn: EngineFn, params: dict[str, Any], pos: FloatArray, sal: FloatArray, cap: FloatArray,
    sq: FloatArray, seed: int,
) -> tuple[FloatArray, list[str | None], list[str | None]]:  # fmt: skip
    """One batch call: forecasts (k,), per-element refusal reasons and case labels."""
    from ceasefire.bargaining import Problem

    prob = Problem(pos[:, :, None], sal[:, :, None], cap, sq[:, None])
    fc = fn(prob, np.random.default_rng(seed), **params)
    out = np.asarray(fc.outcome, dtype=np.float64)[:, 0]
    k = out.size
    reasons: list[str | None] = list(fc.extras.get("refusal") or [None] * k)
    for i in range(k):
        if reasons[i] is None and not np.isfinite(out[i]):
            reasons[i] = "non-finite forecast"
    cases: list[str | None] = [None] * k
    if "case" in fc.extras and "case_names" in fc.extras:
        names = fc.extras["case_names"]
        cases = [str(names[int(c)]) for c in np.asarray(fc.extras["case"])]
    return out, reasons, cases


def _call_or_split(
    fn: EngineFn, params: dict[str, Any], pos: FloatArray, sal: FloatArray, cap: FloatArray,
    sq: FloatArray, seed: int,
) -> tuple[FloatArray, list[str | None], list[str | None]]:  # fmt: skip
    """:func:`_call`; if the batch raises, each element alone (only those that raise refuse)."""
    try:
        return _call(fn, params, pos, sal, cap, sq, seed)
    except Exception:  # an engine's refusal of some element: find which, below
        pass
    k = pos.shape[0]
    out = np.full(k, np.nan)
    reasons: list[str | None] = [None] * k
    cases: list[str | None] = [None] * k
    for i in range(k):
        sl = slice(i, i + 1)
        try:
            o, r, c = _call(fn, params, pos[sl], sal[sl], cap[sl], sq[sl], seed)
        except Exception as exc:  # the engine refuses this issue; its message is the reason
            reasons[i] = f"{type(exc).__name__}: {exc}"
            continue
        out[i], reasons[i], cases[i] = o[0], r[0], c[0]
    return out, reasons, cases


def _needs_reference(
    fn: EngineFn, params: dict[str, Any], batch: tuple[FloatArray, FloatArray, FloatArray],
    ref: FloatArray, out: FloatArray, reasons: list[str | None], seed: int,
) -> None:  # fmt: skip
    """Refuse, in ``reasons``, issues without a reference point whose forecast moves when the
    status quo goes from ``SQ_PROBES[0]`` (the value ``out`` was computed with) to
    ``SQ_PROBES[1]``."""
    free = np.flatnonzero(np.isnan(ref))
    if free.size == 0:
        return
    pos, sal, cap = (a[free] for a in batch)
    alt, _, _ = _call_or_split(fn, params, pos, sal, cap, np.full(free.size, SQ_PROBES[1]), seed)
    for j, a in zip(free.tolist(), alt.tolist(), strict=True):
        if reasons[j] is None and not abs(out[j] - a) <= SAME:
            reasons[j] = (
                "no reference point, and the forecast depends on the status quo "
                f"({out[j]:.2f} at {SQ_PROBES[0]:g}, {a:.2f} at {SQ_PROBES[1]:g})"
            )


def run_engine(scored: Scored, fn: EngineFn, params: dict[str, Any], seed: int) -> EngineRun:
    """Forecasts of one engine variant on every scored issue (module docstring)."""
    m = len(scored.issues)
    result = EngineRun(np.full(m, np.nan), [None] * m, [None] * m)
    groups: dict[int, list[int]] = {}
    for i, p in enumerate(scored.positions):
        groups.setdefault(p.size, []).append(i)
    for idx_list in groups.values():
        batch = (
            np.stack([scored.positions[i] for i in idx_list]),
            np.stack([scored.saliences[i] for i in idx_list]),
            np.stack([scored.capability[i] for i in idx_list]),
        )
        ref = scored.reference[idx_list]
        sq = np.where(np.isnan(ref), SQ_PROBES[0], ref)
        out, reasons, cases = _call_or_split(fn, params, *batch, sq, seed)
        _needs_reference(fn, params, batch, ref, out, reasons, seed)
        for j, i in enumerate(idx_list):
            result.refusal[i] = reasons[j]
            result.case[i] = cases[j] if reasons[j] is None else None
            result.forecast[i] = np.nan if reasons[j] is not None else out[j]
    return result


# ---------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------


def _error_stats(err: FloatArray, base_err: FloatArray, mask: NDArray[np.bool_]) -> ErrorStats:
    return ErrorStats(
        n=int(mask.sum()),
        mae=stats.mae(err[mask]),
        median_ae=stats.median_ae(err[mask]),
        baseline_mae=stats.mae(base_err[mask]),
    )


def _splits(
    scored: Scored, err: FloatArray, base_err: FloatArray, ok: NDArray[np.bool_]
) -> tuple[dict[str, ErrorStats], dict[str, ErrorStats]]:
    rules = np.array([i.voting_rule for i in scored.issues])
    by_rule = {
        str(r): _error_stats(err, base_err, ok & (rules == r)) for r in sorted(set(rules.tolist()))
    }
    has_rp = ~np.isnan(scored.reference)
    by_rp = {
        "with reference point": _error_stats(err, base_err, ok & has_rp),
        "without reference point": _error_stats(err, base_err, ok & ~has_rp),
    }
    return by_rule, by_rp


def score(
    scored: Scored,
    label: str,
    forecast: FloatArray,
    *,
    kind: str,
    rng: np.random.Generator,
    draws: int,
    refusal: Sequence[str | None] = (),
    case: Sequence[str | None] = (),
    engine: str | None = None,
    params: dict[str, Any] | None = None,
) -> Record:
    """Statistics of one forecaster against the outcomes and the salience-weighted mean."""
    base = scored.baselines[WEIGHTED_MEAN]
    ok = np.isfinite(forecast) & np.isfinite(base)
    err = np.where(ok, stats.absolute_errors(np.nan_to_num(forecast), scored.outcome), np.nan)
    base_err = stats.absolute_errors(np.nan_to_num(base), scored.outcome)
    by_rule, by_rp = _splits(scored, err, base_err, ok)
    boot = stats.bootstrap_mae_difference(err[ok], base_err[ok], rng, draws)
    refusals = [
        Refusal(issue=i.id, line=i.line, reason=r)
        for i, r in zip(scored.issues, refusal, strict=False)
        if r is not None
    ]
    return Record(
        label=label,
        kind=kind,
        engine=engine,
        params={k: v for k, v in (params or {}).items() if isinstance(v, str | int | float)},
        overall=_error_stats(err, base_err, ok),
        beats_share=stats.beats_share(err[ok], base_err[ok]),
        ties_share=stats.ties_share(err[ok], base_err[ok]),
        difference=None
        if boot is None
        else Interval(
            estimate=boot[0], low=boot[1], high=boot[2], confidence=stats.CONFIDENCE, draws=draws
        ),
        by_voting_rule=by_rule,
        by_reference_point=by_rp,
        refusals=refusals,
        cases=dict(Counter(c for c in case if c is not None)),
    )


def _identical(label: str, forecasts: dict[str, FloatArray]) -> dict[str, int]:
    """For every other forecaster, on how many issues its forecast equals ``label``'s."""
    mine = forecasts[label]
    return {
        other: int(np.sum(np.abs(mine - f) <= SAME))
        for other, f in forecasts.items()
        if other != label
    }


def _execution(name: str) -> dict[str, Any]:
    """Settings that change how an engine computes, never what (its outputs are identical).

    The engine's sweep parameters (the backtest, like a sweep, reads outcomes only) and, when
    its accelerator is installed, the parameters that always select the accelerated kernel:
    an engine's own per-call heuristics judge each call by its size, but the backtest makes
    one small call per actor count, each too small to pay for loading the kernel, and together
    they are not (``Capabilities.accelerated_params``).
    """
    from ceasefire.bargaining import capabilities

    caps = capabilities(name)
    out = dict(caps.sweep_params)
    if caps.accelerator and importlib.util.find_spec(caps.accelerator) is not None:
        out.update(caps.accelerated_params)
    return out


def engine_runs() -> list[tuple[str, str, EngineFn, dict[str, Any]]]:
    """(label, engine name, forecast function, parameters) of every registered variant."""
    from ceasefire.bargaining import ENGINES, engine, runs

    out = []
    for name, params in runs(tuple(ENGINES)):
        label = f"{name}/{params['variant']}" if "variant" in params else name
        out.append((label, name, engine(name), {**params, **_execution(name)}))
    return out


def backtest(
    data: DeuData,
    *,
    source: str,
    sha256: str,
    capability: str,
    seed: int = 0,
    draws: int = stats.BOOTSTRAP_DRAWS,
    package_version: str = "",
) -> DeuBacktest:
    """Score every registered engine and the baselines on ``data`` (module docstring).

    ``seed`` seeds the engines' generators and, through one ``numpy`` Generator, the bootstrap
    (each record draws its replicates in turn, baselines first).
    """
    scored, skipped = prepare(data, capability)
    rng = np.random.default_rng(seed)
    records = [
        score(scored, name, scored.baselines[name], kind="baseline", rng=rng, draws=draws)
        for name in BASELINES
    ]
    forecasts: dict[str, FloatArray] = dict(scored.baselines)
    for label, name, fn, params in engine_runs():
        run = run_engine(scored, fn, params, seed)
        forecasts[label] = run.forecast
        records.append(
            score(
                scored,
                label,
                run.forecast,
                kind="engine",
                rng=rng,
                draws=draws,
                refusal=run.refusal,
                case=run.case,
                engine=name,
                params=params,
            )
        )
    stack = _stack(scored, forecasts, seed)
    if stack is not None:
        records.append(score(scored, COMBINED, stack.oof, kind="combined", rng=rng, draws=draws))
        forecasts[COMBINED] = stack.oof
    records = [
        r.model_copy(update={"identical_to": _identical(r.label, forecasts)}) for r in records
    ]
    rows = [
        IssueRow(
            id=issue.id,
            line=issue.line,
            voting_rule=issue.voting_rule,
            reference_point=issue.reference_point,
            outcome=float(scored.outcome[i]),
            actors=int(scored.positions[i].size),
            forecasts={
                k: (None if not np.isfinite(v[i]) else float(v[i])) for k, v in forecasts.items()
            },
        )
        for i, issue in enumerate(scored.issues)
    ]
    return DeuBacktest(
        package_version=package_version,
        source=source,
        sha256=sha256,
        layout=data.layout,
        capability=capability,
        seed=seed,
        issues_in_file=len(data.issues),
        scored=len(scored.issues),
        skipped=skipped,
        baseline=WEIGHTED_MEAN,
        records=records,
        issues=rows,
        notes=list(NOTES),
        stacking=None if stack is None else _stacking(stack, scored, seed),
    )
