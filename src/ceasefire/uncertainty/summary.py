"""Aggregation of a sweep's draws into what an analyst reads (pure; arrays in, a
:class:`~ceasefire.sweep_results.SweepSummary` out).

Draws arrive chunk by chunk through ``column(key)``, a function returning an iterator over the
chunks' arrays of one output, so at most one output of all draws (8 bytes x N per proposal or
dimension it holds) is in memory at a time:

* probabilities (an institution passes, a proposal passes, an actor accepts, a win-set is
  empty) are means of indicators, with a 95 % Wilson score interval
  ``(p + z²/2N ± z sqrt(p(1-p)/N + z²/4N²)) / (1 + z²/N)``, z = 1.96;
* a pass/fail conclusion of the central run is *robust* when the share of draws agreeing with
  it is at least :data:`~ceasefire.sweep_results.ROBUST_AGREEMENT`;
* distributions (median, 5th, 25th, 75th and 95th percentiles) are exact: ``numpy.percentile`` with
  linear interpolation over the column of all draws, NaN draws left out (``q_critical`` is
  NaN where no credibility deters);
* "the inputs that matter most" in the sweep itself are Pearson correlations between each
  input and each headline output, accumulated as running sums (the first-order indices of
  :mod:`~ceasefire.uncertainty.sensitivity`, from the same draws, are the variance-based
  answer).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ceasefire._types import FloatArray
from ceasefire.sweep_results import (
    ROBUST_AGREEMENT,
    AcceptanceSweep,
    CoverageSweep,
    Decision,
    DecisionSwitches,
    DeterrenceSweep,
    DurabilitySweep,
    ForecastSweep,
    Headline,
    Influence,
    InputRange,
    ProposalInfluence,
    ProposalSweep,
    Quantiles,
    RescueSweep,
    Sensitivity,
    SweepSettings,
    SweepSummary,
    WinsetSweep,
)
from ceasefire.uncertainty.pipeline import (
    COVERAGE_OUTPUTS,
    DETERRENCE_OUTPUTS,
    DURABILITY_OUTPUTS,
    Model,
    evaluate_central,
)

Column = Callable[[str], Iterator[NDArray[Any]]]

Z95 = 1.959963984540054


def wilson(successes: float, n: int) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion."""
    if n == 0:
        return (math.nan, math.nan)
    p = successes / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # at p = 0 (p = 1) the bound is exactly 0 (1); the subtraction leaves float noise
    low = 0.0 if successes <= 0 else max(0.0, centre - half)
    high = 1.0 if successes >= n else min(1.0, centre + half)
    return (low, high)


def decision(did: str, name: str, central: bool, successes: float, n: int) -> Decision:
    """A conclusion of the central run against the draws: P(passes), its Wilson interval, the
    share of draws agreeing with the centre and whether that share makes it robust."""
    p = successes / n
    agreement = p if central else 1.0 - p
    return Decision(
        id=did,
        name=name,
        central=central,
        p_pass=p,
        ci95=wilson(successes, n),
        agreement=agreement,
        robust=agreement >= ROBUST_AGREEMENT,
    )


def _num(x: Any) -> float | None:
    v = float(x)
    return None if math.isnan(v) or math.isinf(v) else v


def quantiles(x: FloatArray, central: Any = math.nan) -> Quantiles:
    """Median, 5th, 25th, 75th and 95th percentile ignoring NaN (None when no finite draw),
    with the central run's value.

    The quartiles are there for the report's box charts (``report.charts``)."""
    finite = x[np.isfinite(x)]
    if not finite.size:
        return Quantiles(central=_num(central), median=None, p05=None, p25=None, p75=None, p95=None)
    p05, p25, med, p75, p95 = (float(v) for v in np.percentile(finite, [5, 25, 50, 75, 95]))
    return Quantiles(central=_num(central), median=med, p05=p05, p25=p25, p75=p75, p95=p95)


def column_quantiles(block: FloatArray, central: NDArray[Any]) -> list[Quantiles]:
    """:func:`quantiles` of each column of ``block (N, P)`` against ``central (P,)``: one
    ``numpy.percentile`` call for all columns when every draw is finite (the same numbers)."""
    if block.shape[0] and np.isfinite(block).all():
        cols = np.percentile(block, [5, 25, 50, 75, 95], axis=0).T
        names = ("p05", "p25", "median", "p75", "p95")
        return [
            Quantiles(central=_num(c), **{k: float(v) for k, v in zip(names, qs, strict=True)})
            for c, qs in zip(central, cols, strict=True)
        ]
    return [quantiles(block[:, k], c) for k, c in enumerate(central)]


@dataclass(frozen=True)
class Target:
    """An output column of the pipeline, one proposal's (``k``) or one dimension's (``j``)."""

    key: str
    k: int = -1
    j: int = -1

    def pick(self, arr: NDArray[Any]) -> FloatArray:
        return np.asarray(arr[:, self.k if self.k >= 0 else self.j], dtype=np.float64)


def headline_keys(model: Model, *, all_dimensions: bool = False) -> list[tuple[Headline, Target]]:
    """The headline outputs of a model and where the pipeline's outputs hold them: per
    proposal its smallest veto margin and P(hold), per engine its forecast on the first
    dimension (on every dimension with ``all_dimensions``, as the sensitivity analysis has)."""
    out: list[tuple[Headline, Target]] = []
    for k, pid in enumerate(model.proposal_ids):
        out.append(
            (Headline(quantity="min_veto_margin", subject=pid), Target("min_veto_margin", k))
        )
        if model.aggressor >= 0:
            out.append((Headline(quantity="p_hold", subject=pid), Target("det.p_hold", k)))
    dims = list(model.dimension_ids) if all_dimensions else list(model.dimension_ids[:1])
    for ek in model.engine_keys:
        for j, dim in enumerate(dims):
            head = Headline(quantity="forecast", subject=ek, dimension=dim)
            out.append((head, Target(f"forecast.{ek}", j=j)))
    return out


def _sums(column: Column, key: str) -> tuple[NDArray[Any], int]:
    """The sum over all draws of an indicator output, and the number of draws."""
    total: NDArray[Any] | None = None
    n = 0
    for arr in column(key):
        a = np.asarray(arr)
        total = a.sum(axis=0) if total is None else total + a.sum(axis=0)
        n += a.shape[0]
    return (np.zeros(0) if total is None else total), n


def _winsets(model: Model, column: Column, n: int) -> list[WinsetSweep]:
    """P(the win-set is empty) of every chain whose emptiness the sweep tested."""
    out = []
    for cid, _ in model.chains:
        parts = [float(np.asarray(a).sum()) for a in column(f"winset_empty.{cid}")]
        if parts:
            s = sum(parts)
            out.append(WinsetSweep(chain=cid, p_empty=s / n, ci95=wilson(s, n)))
    return out


def _stacked(column: Column, key: str) -> NDArray[Any] | None:
    """Every draw of output ``key`` in one array (None when the sweep never stored it)."""
    parts = [np.asarray(a) for a in column(key)]
    return np.concatenate(parts) if parts else None


def _rescues(model: Model, column: Column, n: int) -> list[RescueSweep]:
    """Per proposal, the share of draws in which it passes or is rescuable, and the rescuer's
    move where it fails but is rescuable (only when the sweep ran the rescues stage)."""
    exists, dist = _stacked(column, "rescue.exists"), _stacked(column, "rescue.distance")
    passes = _stacked(column, "passes")
    if exists is None or dist is None or passes is None:
        return []
    exists, passes = exists.astype(bool), passes.astype(bool)
    out = []
    for k, pid in enumerate(model.proposal_ids):
        ok, moved = exists[:, k], exists[:, k] & ~passes[:, k]
        s = float(ok.sum())
        out.append(
            RescueSweep(
                id=pid,
                p_rescuable=s / n,
                ci95=wilson(s, n),
                p_rescue_only=float(moved.sum()) / n,
                distance=quantiles(dist[moved, k]),
            )
        )
    return out


class Correlations:
    """Running sums of every input and every target output over the draws.

    ``r = (Σxy/n - x̄ȳ) / sqrt((Σx²/n - x̄²)(Σy²/n - ȳ²))``; non-finite outputs count as 0.
    """

    def __init__(self, model: Model, column: Column, targets: Sequence[Target], n: int):
        d, t = len(model.inputs), len(targets)
        self.model, self.targets, self.n = model, list(targets), n
        self.sx, self.sxx = np.zeros(d), np.zeros(d)
        self.sy, self.syy, self.sxy = np.zeros(t), np.zeros(t), np.zeros((t, d))
        keys = sorted({x.key for x in targets})
        iters = {key: column(key) for key in keys}
        for values in column("values"):
            x = np.asarray(values, dtype=np.float64)
            self.sx += x.sum(axis=0)
            self.sxx += (x * x).sum(axis=0)
            arrays = {key: np.asarray(next(iters[key])) for key in keys}
            for i, target in enumerate(targets):
                y = target.pick(arrays[target.key])
                y = np.where(np.isfinite(y), y, 0.0)
                self.sy[i] += y.sum()
                self.syy[i] += (y * y).sum()
                self.sxy[i] += y @ x

    def top(self, target: Target, top: int = 5) -> list[Influence]:
        """The ``top`` inputs most correlated with ``target`` (by |r|), strongest first."""
        n, inputs = self.n, self.model.inputs
        if n < 2 or not inputs:
            return []
        t = self.targets.index(target)
        vx = self.sxx / n - (self.sx / n) ** 2
        vy = self.syy[t] / n - (self.sy[t] / n) ** 2
        cov = self.sxy[t] / n - (self.sx / n) * (self.sy[t] / n)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = cov / np.sqrt(vx * vy)
        r = np.where(np.isfinite(r), r, 0.0)
        order = np.argsort(-np.abs(r), kind="stable")[:top]
        return [
            Influence(input=inputs[i].key, label=inputs[i].label, r=float(r[i]))
            for i in order
            if abs(r[i]) > 1e-12
        ]


@dataclass(frozen=True)
class _Context:
    """What every proposal's summary reads: the model, the columns, the central run, sums."""

    model: Model
    column: Column
    central: dict[str, NDArray[Any]]
    sums: dict[str, NDArray[Any]]
    n: int
    corr: Correlations

    cache: dict[str, list[Quantiles]] = field(default_factory=dict)

    def quantiles(self, key: str, k: int) -> Quantiles:
        """The quantiles of column ``k`` of output ``key``; the output is read once for all
        its columns (one output of all draws in memory at a time)."""
        if key not in self.cache:
            parts = [np.asarray(a, dtype=np.float64) for a in self.column(key)]
            block = np.concatenate(parts) if parts else np.zeros((0, self.central[key].shape[1]))
            self.cache[key] = column_quantiles(block, self.central[key][0])
        return self.cache[key][k]


def _targets(model: Model) -> list[Target]:
    """Every output correlated with the inputs: the headline outputs and each pass indicator."""
    heads = [t for _, t in headline_keys(model)]
    return heads + [Target("passes", k) for k in range(len(model.proposal_ids))]


def _proposal(ctx: _Context, k: int) -> ProposalSweep:
    m, n, central, sums = ctx.model, ctx.n, ctx.central, ctx.sums
    pid = m.proposal_ids[k]
    institutions = {}
    for r in m.requires[k]:
        iid = m.rules[r].institution
        institutions[iid] = decision(
            iid,
            m.institution_names[iid],
            bool(central["institution_passes"][0, r]),
            float(sums["institution_passes"][r]),
            n,
        )
    all_required = "all required institutions"
    passes = decision(
        "all", all_required, bool(central["passes"][0, k]), float(sums["passes"][k]), n
    )
    det = None
    if m.aggressor >= 0:
        det = DeterrenceSweep(**{x: ctx.quantiles(f"det.{x}", k) for x in DETERRENCE_OUTPUTS})
    return ProposalSweep(
        id=pid,
        label=m.proposal_labels[k],
        passes=passes,
        institutions=institutions,
        acceptance={
            a: AcceptanceSweep(
                central=bool(central["accepts"][0, k, i]),
                p_accept=float(sums["accepts"][k, i]) / n,
            )
            for i, a in enumerate(m.actor_ids)
        },
        min_veto_margin=ctx.quantiles("min_veto_margin", k),
        coverage=CoverageSweep(**{x: ctx.quantiles(x, k) for x in COVERAGE_OUTPUTS}),
        durability=DurabilitySweep(**{x: ctx.quantiles(f"dur.{x}", k) for x in DURABILITY_OUTPUTS}),
        deterrence=det,
        influential=ProposalInfluence(
            passes=ctx.corr.top(Target("passes", k)),
            min_veto_margin=ctx.corr.top(Target("min_veto_margin", k)),
            p_hold=ctx.corr.top(Target("det.p_hold", k)) if m.aggressor >= 0 else None,
        ),
    )


def _forecasts(ctx: _Context) -> list[ForecastSweep]:
    m = ctx.model
    out = []
    for ek in m.engine_keys:
        key = f"forecast.{ek}"
        dims = {dim: ctx.quantiles(key, j) for j, dim in enumerate(m.dimension_ids)}
        influential = ctx.corr.top(Target(key, j=0)) if m.dimension_ids else []
        out.append(ForecastSweep(engine=ek, dimensions=dims, influential=influential))
    return out


def _inputs(model: Model) -> list[InputRange]:
    return [
        InputRange(
            key=x.key,
            label=x.label,
            central=x.central,
            low=x.low,
            high=x.high,
            distribution=x.distribution,
        )
        for x in model.inputs
    ]


def summarise(
    model: Model,
    column: Column,
    *,
    draws: int,
    spec: SweepSettings,
    scenario_sha256: str | None = None,
    switch_points: Sequence[DecisionSwitches] = (),
    sensitivity: Sensitivity | None = None,
) -> SweepSummary:
    """The sweep summary from the chunks' columns (module docstring).

    ``switch_points`` and ``sensitivity`` come from :mod:`~ceasefire.uncertainty.sensitivity`
    (switch points rerun the pipeline; the default sensitivity reads the draws).
    """
    sums: dict[str, NDArray[Any]] = {}
    for key in ("institution_passes", "accepts"):
        sums[key], _ = _sums(column, key)
    sums["passes"], n = _sums(column, "passes")
    if n != draws:
        raise ValueError(f"the chunks hold {n} draws, expected {draws}")
    corr = Correlations(model, column, _targets(model), n)
    ctx = _Context(model, column, evaluate_central(model), sums, n, corr)
    return SweepSummary(
        scenario=model.scenario_id,
        scenario_sha256=scenario_sha256,
        draws=n,
        spec=spec,
        dimensions=list(model.dimension_ids),
        actors=list(model.actor_ids),
        actor_names=dict(zip(model.actor_ids, model.actor_names, strict=True)),
        engines=list(model.engine_keys),
        inputs=_inputs(model),
        proposals=[_proposal(ctx, k) for k in range(len(model.proposal_ids))],
        forecasts=_forecasts(ctx),
        winsets=_winsets(model, column, n),
        switch_points=list(switch_points),
        sensitivity=sensitivity,
        rescues=_rescues(model, column, n),
    )
