"""Score historical cases: the model's outputs against what happened (``docs/specs/observed.md``).

A case is a scenario with ``[[observed]]`` rows. Each row is scored by the model stage that
speaks to it:

=================  ===========  ==========================================================
row kind           stage        model output compared
=================  ===========  ==========================================================
decision           consent      the institution's (or the proposal's) pass/fail, and
                                P(pass) over the Monte Carlo draws of every stated range
decision+blockers  blockers     the set of blocking actors (exact set; precision, recall)
consent-bought     rescue       the rejecting veto players the model says must be won over
held               durability   P(ceasefire in place by the horizon | passes), the event
                                tree coupled to the game (durability.md §5); the Weibull
                                model (§2) where the tree has no game to read
attack-covered     deterrence   P(attack or probe of covered territory), game (§4)
=================  ===========  ==========================================================

(§ = ``docs/specs/deterrence.md``.) Probabilities are scored by the Brier score ``(p - y)²``
(Brier 1950, doi:10.1175/1520-0493(1950)078<0001:VOFEIT>2.0.CO;2) and the log score
``-ln p(y)`` (Gneiting & Raftery 2007, doi:10.1198/016214506000001437); lower is better, and
the uninformed forecast p = 0.5 scores 0.25 and ln 2 ≈ 0.693. A probability is a hit when it
lies on the outcome's side of 0.5. Categorical outputs are hits or misses; a decision's hit is
the central run's verdict, and its P(pass) over the draws (``ceasefire.uncertainty``, the
scenario's own draws and seed) is scored as a probability beside it. Pure: takes the scenario,
its analysis and optionally its sweep, returns typed results; misses are findings, not errors.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from ceasefire import durability as dur
from ceasefire.results import Analysis, CaseStageFigure, Interval, ProposalResult
from ceasefire.scenario import Scenario
from ceasefire.scenario.schema import (
    ObservedAttackCovered,
    ObservedConsentBought,
    ObservedDecision,
    ObservedHeld,
)
from ceasefire.sweep_results import SweepSummary

SCHEMA_VERSION = "1.0"
Stage = Literal["consent", "blockers", "rescue", "durability", "deterrence"]
STAGES: tuple[Stage, ...] = ("consent", "blockers", "rescue", "durability", "deterrence")
#: what each stage's rows compare (shown in the scorecards)
STAGE_LABELS: dict[str, str] = {
    "consent": "institutions' decisions (pass/fail)",
    "blockers": "blocking actors (exact set)",
    "rescue": "whose consent had to be bought",
    "durability": "P(ceasefire holds over the horizon)",
    "deterrence": "P(attack on covered territory)",
}
#: Brier and log score of the uninformed forecast p = 0.5
BASELINE_BRIER = 0.25
BASELINE_LOG = math.log(2.0)
#: probabilities are clipped to [EPS, 1 - EPS] in the log score so a certain miss stays finite
EPS = 1e-6

Row = ObservedDecision | ObservedConsentBought | ObservedHeld | ObservedAttackCovered


class _Score(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RowScore(_Score):
    """One observed row (or its blockers) against the model's output for it.

    ``hit`` is None when the model gives no output for the row ("not modelled"). For set rows
    ``precision`` and ``recall`` are those of the predicted set against the observed one
    (None when the set they divide by is empty).
    """

    case: str
    id: str
    stage: Stage
    proposal: str
    observed: str
    predicted: str
    hit: bool | None = None
    probability: float | None = None
    outcome: bool | None = None
    brier: float | None = None
    log_score: float | None = None
    horizon_years: float | None = None
    precision: float | None = None
    recall: float | None = None
    note: str = ""
    #: the probability is the coupled event tree's ``exp(-Λ)``, every hazard of which is
    #: ``-ln P(hold) / PERIOD_YEARS``: the rows the time-scale check reads (durability.md §6)
    time_scaled: bool = False


class StageScore(CaseStageFigure):
    """A stage's record over rows (the record's :class:`CaseStageFigure`, its stage typed).

    ``n`` rows, ``scored`` with a model output, ``hits``; ``n_probability`` rows with a
    probability, their mean ``brier`` and ``log_score``, and ``events`` that happened.
    """

    stage: Stage


class CaseScorecard(_Score):
    case: str
    title: str
    as_of: str | None
    rows: list[RowScore]
    stages: list[StageScore]


class TimeScaleRow(_Score):
    """One durability record at the stated period, at the period fitted on every case, and at
    the period fitted on the other cases only (``docs/specs/durability.md`` §6)."""

    case: str
    id: str
    horizon_years: float
    outcome: bool
    p_stated: float
    p_in_sample: float
    p_out_of_sample: float | None
    period_out_of_sample: float | None


class TimeScaleCheck(_Score):
    """The game's period (years) that best reproduces the durability records, with its 95 %
    profile-likelihood interval (None: unbounded on that side within ``PERIOD_BOUNDS``), and
    each record predicted in and out of sample; mean log loss ``-ln P(observed)`` and Brier
    score at the stated, the fitted and the held-out period. ``resolved`` is False when the
    interval holds the stated period: the record cannot tell the two apart."""

    stated_period: float
    period: float
    period_low: float | None
    period_high: float | None
    resolved: bool
    rows: list[TimeScaleRow]
    log_loss_stated: float
    log_loss_in_sample: float
    log_loss_out_of_sample: float | None
    brier_stated: float
    brier_in_sample: float
    brier_out_of_sample: float | None


class Scorecard(_Score):
    """Every case scored, and the stages pooled over cases (``backtest cases``' results.json)."""

    schema_version: str = SCHEMA_VERSION
    package_version: str = ""
    baseline_brier: float = BASELINE_BRIER
    baseline_log_score: float = BASELINE_LOG
    cases: list[CaseScorecard]
    stages: list[StageScore]
    time_scale: TimeScaleCheck | None = None


# ---------------------------------------------------------------------------------------------
# Scores


def brier(p: float, outcome: bool) -> float:
    """Brier score ``(p - y)²`` of probability ``p`` for an event with outcome ``y``."""
    return (p - float(outcome)) ** 2


def log_score(p: float, outcome: bool) -> float:
    """Log score ``-ln p(y)``: ``-ln p`` if the event happened, ``-ln(1 - p)`` if not."""
    q = min(max(p if outcome else 1.0 - p, EPS), 1.0 - EPS)
    return -math.log(q)


def _names(actors: Iterable[str]) -> str:
    listed = sorted(actors)
    return ", ".join(listed) if listed else "none"


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _set_row(
    case: str,
    row_id: str,
    stage: Stage,
    proposal: str,
    observed: Iterable[str],
    predicted: Iterable[str],
) -> RowScore:
    """Exact-set hit of the predicted actors against the observed ones, with precision/recall."""
    obs, pred = set(observed), set(predicted)
    both = len(obs & pred)
    note = f"{both} of {len(obs)} observed named; {len(pred - obs)} named but not observed"
    return RowScore(
        case=case,
        id=row_id,
        stage=stage,
        proposal=proposal,
        observed=_names(obs),
        predicted=_names(pred),
        hit=obs == pred,
        precision=_ratio(both, len(pred)),
        recall=_ratio(both, len(obs)),
        note=note,
    )


def _verdict(passed: bool) -> str:
    return "passed" if passed else "failed"


def p_pass(sweep: SweepSummary | None, row: ObservedDecision) -> float | None:
    """P(pass) of the row's institution (or of the whole proposal) over the sweep's draws."""
    ps = None if sweep is None else sweep.proposal(row.proposal)
    if ps is None:
        return None
    if row.institution is None:
        return ps.passes.p_pass
    decision = ps.institutions.get(row.institution)
    return None if decision is None else decision.p_pass


def _with_p_pass(score: RowScore, p: float | None, passed: bool) -> RowScore:
    if p is None:
        return score
    return score.model_copy(
        update={
            "probability": p,
            "outcome": passed,
            "brier": brier(p, passed),
            "log_score": log_score(p, passed),
            "note": f"{score.note}; P(pass) = {p:.3f} over the draws",
        }
    )


def _decision_rows(
    case: str, row: ObservedDecision, result: ProposalResult, sweep: SweepSummary | None = None
) -> list[RowScore]:
    """The pass/fail row (with P(pass) over the draws) and, with recorded blockers, theirs."""
    if row.institution is None:
        passed, blockers, what = result.passes, result.blockers, "the proposal as a whole"
    elif row.institution in result.institutions:
        inst = result.institutions[row.institution]
        passed, blockers, what = inst.passed, inst.blockers, f"institution {row.institution}"
    else:
        return [
            RowScore(
                case=case,
                id=row.id,
                stage="consent",
                proposal=row.proposal,
                observed=_verdict(row.passed),
                predicted="not modelled",
                note=f"{row.institution} is not among the proposal's institutions",
            )
        ]
    verdict = RowScore(
        case=case,
        id=row.id,
        stage="consent",
        proposal=row.proposal,
        observed=_verdict(row.passed),
        predicted=_verdict(passed),
        hit=passed == row.passed,
        note=what,
    )
    rows = [_with_p_pass(verdict, p_pass(sweep, row), row.passed)]
    if row.blockers:
        rows.append(
            _set_row(case, f"{row.id}:blockers", "blockers", row.proposal, row.blockers, blockers)
        )
    return rows


def rescue_actors(result: ProposalResult) -> list[str]:
    """Whose consent the model says must be won: the rejecting veto players (none if it passes).

    The blockers of the proposal's institutions and the actors of its single-actor changes
    (``winset.single_actor_changes``: the rejecting veto players).
    """
    if result.passes:
        return []
    return sorted({c.actor for c in result.single_actor_changes} | set(result.blockers))


def p_hold(analysis: Analysis, result: ProposalResult, years: float) -> float | None:
    """P(no breakdown by ``years``) = ``S(t) = exp(-(t/η)^k · HR)`` at the central inputs.

    ``η`` from ``(k, p5_bare)`` as in :func:`ceasefire.durability.eta_from_p5`; ``HR`` is the
    proposal's central hazard ratio (``docs/specs/deterrence.md`` §2). None without durability.
    """
    if result.durability is None or result.durability.hazard_ratio.central is None:
        return None
    k = analysis.durability_inputs["k"].central
    eta = dur.eta_from_p5(k, analysis.durability_inputs["p5_bare"].central)
    hazard = result.durability.hazard_ratio.central
    return float(1.0 - dur.breakdown_probability(years, k, eta, hazard))


def p_hold_paths(result: ProposalResult, years: float) -> float | None:
    """P(the ceasefire is in place and holding at ``years`` | the proposal passes), central run.

    Read off the proposal's own order's monthly curve (``docs/specs/durability.md`` §5) by
    linear interpolation; None without an event tree or past the curve's 10 years.
    """
    if result.paths is None:
        return None
    curve = result.paths.orders[0].curve
    t, p = curve.get("years", []), curve.get("p_in_place", [])
    if not t or not t[0] <= years <= t[-1]:
        return None
    return float(np.interp(years, t, p))


def _held_row(case: str, row: ObservedHeld, analysis: Analysis) -> RowScore:
    """A ``held`` row: the coupled tree where there is one, else the Weibull prior (§2)."""
    result = analysis.proposal(row.proposal)
    where = f"{row.horizon_years:g} years from {row.start}"
    if row.horizon_years > dur.SUPPORT_YEARS:
        note = f"not scored: {where} is past the data's {dur.SUPPORT_YEARS:g}-year support"
        return _probability_row(case, row, "durability", None, row.held, "held", note)
    p = p_hold_paths(result, row.horizon_years)
    if p is not None:
        note = f"event tree coupled to the guarantee game (durability.md §5), {where}"
        score = _probability_row(case, row, "durability", p, row.held, "held", note)
        return score.model_copy(update={"time_scaled": True})
    p = p_hold(analysis, result, row.horizon_years)
    note = f"Weibull model at the central inputs, {where}"
    return _probability_row(case, row, "durability", p, row.held, "held", note)


def _probability_row(
    case: str,
    row: ObservedHeld | ObservedAttackCovered,
    stage: Stage,
    p: float | None,
    outcome: bool,
    event: str,
    note: str,
) -> RowScore:
    """A probability against a yes/no record: Brier, log score, hit on the side of 0.5."""
    common = {
        "case": case,
        "id": row.id,
        "stage": stage,
        "proposal": row.proposal,
        "observed": f"{event}: {'yes' if outcome else 'no'}",
        "horizon_years": row.horizon_years,
        "outcome": outcome,
        "note": note,
    }
    if p is None:
        return RowScore.model_validate({**common, "predicted": "not modelled"})
    return RowScore.model_validate(
        {
            **common,
            "predicted": f"P({event}) = {p:.3f}",
            "probability": p,
            "hit": (p > 0.5) == outcome if p != 0.5 else False,
            "brier": brier(p, outcome),
            "log_score": log_score(p, outcome),
        }
    )


def _p_attack_covered(full: Interval, probe: Interval | None) -> float | None:
    """P(full attack on covered territory) + P(probe of it), central values."""
    if full.central is None:
        return None
    extra = probe.central if probe is not None and probe.central is not None else 0.0
    return full.central + extra


def score_row(
    case: str, row: Row, analysis: Analysis, sweep: SweepSummary | None = None
) -> list[RowScore]:
    """The scores of one ``[[observed]]`` row (two for a decision with blockers)."""
    result = analysis.proposal(row.proposal)
    if isinstance(row, ObservedDecision):
        return _decision_rows(case, row, result, sweep)
    if isinstance(row, ObservedConsentBought):
        return [_set_row(case, row.id, "rescue", row.proposal, row.actors, rescue_actors(result))]
    if isinstance(row, ObservedHeld):
        return [_held_row(case, row, analysis)]
    det = result.deterrence
    # a limited probe of covered territory is an attack on it too (deterrence.md §4, issue 14)
    p = None if det is None else _p_attack_covered(det.p_attack_covered, det.p_probe)
    note = f"one-shot guarantee game; record over {row.horizon_years:g} years from {row.start}"
    return [_probability_row(case, row, "deterrence", p, row.attacked, "attack", note)]


def _mean(xs: Sequence[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def _stage_score(stage: Stage, rows: Sequence[RowScore]) -> StageScore:
    briers = [r.brier for r in rows if r.brier is not None]
    logs = [r.log_score for r in rows if r.log_score is not None]
    return StageScore(
        stage=stage,
        n=len(rows),
        scored=sum(r.hit is not None for r in rows),
        hits=sum(r.hit is True for r in rows),
        n_probability=len(briers),
        brier=_mean(briers),
        log_score=_mean(logs),
        events=sum(r.outcome is True for r in rows if r.brier is not None),
    )


def stage_scores(rows: Sequence[RowScore]) -> list[StageScore]:
    """Hits and mean Brier and log scores per stage (stages without rows are left out)."""
    by_stage = {stage: [r for r in rows if r.stage == stage] for stage in STAGES}
    return [_stage_score(stage, mine) for stage, mine in by_stage.items() if mine]


def _bought_note(rows: list[RowScore], scenario: Scenario) -> list[RowScore]:
    """Mark a "passed" the model calls "failed" when the case records consent bought for it.

    The model judges the proposal as tabled; the record's pass came after a purchase, which
    the ``consent-bought`` row scores. The row stays a miss (docs/specs/observed.md).
    """
    bought: dict[str, list[str]] = {}
    for o in scenario.observed:
        if isinstance(o, ObservedConsentBought):
            bought.setdefault(o.proposal, []).append(o.id)
    out = []
    for r in rows:
        ids = bought.get(r.proposal)
        if r.stage == "consent" and r.hit is False and r.observed == "passed" and ids:
            note = f"{r.note}; passed after consent was bought ({', '.join(ids)}): as tabled"
            r = r.model_copy(update={"note": note})
        out.append(r)
    return out


def score_case(
    scenario: Scenario, analysis: Analysis, sweep: SweepSummary | None = None
) -> CaseScorecard:
    """Score every observed row of ``scenario`` against its analysis (and optionally sweep)."""
    rows = [s for row in scenario.observed for s in score_row(scenario.id, row, analysis, sweep)]
    rows = _bought_note(rows, scenario)
    meta = scenario.scenario
    return CaseScorecard(
        case=scenario.id,
        title=meta.title,
        as_of=None if meta.as_of is None else meta.as_of.isoformat(),
        rows=rows,
        stages=stage_scores(rows),
    )


def scorecard(cases: Sequence[CaseScorecard], package_version: str = "") -> Scorecard:
    """The cases and their stages pooled (each row counts once), and the time-scale check."""
    rows = [r for c in cases for r in c.rows]
    return Scorecard(
        package_version=package_version,
        cases=list(cases),
        stages=stage_scores(rows),
        time_scale=time_scale_check(rows),
    )


def _losses(p: Sequence[float], y: Sequence[bool]) -> tuple[float, float]:
    """Mean log loss (floored at 1e-12, as the fit) and mean Brier score of records ``y``."""
    obs = [max(q if h else 1.0 - q, 1e-12) for q, h in zip(p, y, strict=True)]
    return float(np.mean(-np.log(obs))), float(np.mean([(1.0 - o) ** 2 for o in obs]))


def _held_out(
    used: Sequence[RowScore], p: Sequence[float], y: Sequence[bool]
) -> tuple[list[float | None], dict[str, float]]:
    """Each record at the period fitted on the other cases' records (None: no other case)."""
    out: list[float | None] = [None] * len(used)
    periods: dict[str, float] = {}
    for case in dict.fromkeys(r.case for r in used):
        rest = [i for i, r in enumerate(used) if r.case != case]
        if not rest:
            continue
        periods[case] = dur.fit_period([p[i] for i in rest], [y[i] for i in rest]).period
        for i, r in enumerate(used):
            if r.case == case:
                out[i] = float(dur.rescale(p[i], periods[case]))
    return out, periods


def _excludes(low: float | None, high: float | None, value: float) -> bool:
    """Whether the interval ``[low, high]`` (None: open on that side) leaves ``value`` out."""
    return not ((low or 0.0) <= value <= (math.inf if high is None else high))


def time_scale_check(rows: Sequence[RowScore]) -> TimeScaleCheck | None:
    """Fit the game's period to the records scored by the coupled event tree (§6 of
    ``docs/specs/durability.md``), on every case and leaving each case out in turn; None
    without such a record."""
    used = [r for r in rows if r.time_scaled and r.probability is not None]
    if not used:
        return None
    p = [float(r.probability or 0.0) for r in used]
    y = [bool(r.outcome) for r in used]
    fit = dur.fit_period(p, y)
    inside = [float(v) for v in dur.rescale(p, fit.period)]
    out, periods = _held_out(used, p, y)
    stated, in_sample = _losses(p, y), _losses(inside, y)
    held = [v for v in out if v is not None]
    oos = _losses(held, y) if len(held) == len(used) else (None, None)
    return TimeScaleCheck(
        stated_period=dur.PERIOD_YEARS,
        period=fit.period,
        period_low=fit.low,
        period_high=fit.high,
        resolved=_excludes(fit.low, fit.high, dur.PERIOD_YEARS),
        rows=[
            TimeScaleRow(
                case=r.case,
                id=r.id,
                horizon_years=float(r.horizon_years or 0.0),
                outcome=y[i],
                p_stated=p[i],
                p_in_sample=inside[i],
                p_out_of_sample=out[i],
                period_out_of_sample=periods.get(r.case),
            )
            for i, r in enumerate(used)
        ],
        log_loss_stated=stated[0],
        log_loss_in_sample=in_sample[0],
        log_loss_out_of_sample=oos[0],
        brier_stated=stated[1],
        brier_in_sample=in_sample[1],
        brier_out_of_sample=oos[1],
    )


def stage_summary(s: StageScore) -> str:
    """One line: ``k of m right`` and, with probabilities, the mean Brier and log score (n).

    The uninformed baselines (0.25, ln 2) are stated once by whoever shows the lines.
    """
    text = f"{s.hits} of {s.scored} right"
    if s.n > s.scored:
        text += f" ({s.n - s.scored} not modelled)"
    if s.brier is not None and s.log_score is not None:
        text += f"; Brier {s.brier:.3f}, log {s.log_score:.3f} (n = {s.n_probability})"
    return text


def run_cases(
    scenarios: Sequence[Scenario], package_version: str = "", sweep: bool = True
) -> Scorecard:
    """Analyse each scenario (every stage) and score it: the whole backtest.

    With ``sweep`` each scenario is also swept over every stated range (its own
    ``[monte_carlo]`` draws and seed, no bargaining engine: about a second a case) for the
    decisions' P(pass). Pure: deterministic given the scenarios' seeds.
    """
    from ceasefire.analysis import analyze
    from ceasefire.uncertainty.backends import sweep_in_memory

    def one(s: Scenario) -> CaseScorecard:
        mc = s.monte_carlo
        summary = sweep_in_memory(s, mc.draws, mc.seed, engines=()) if sweep else None
        return score_case(s, analyze(s), summary)

    return scorecard([one(s) for s in scenarios], package_version)
