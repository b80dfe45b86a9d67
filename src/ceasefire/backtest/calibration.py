"""The observed choices of scenarios as calibration targets, and the fit (deterrence.md §4.7).

For each scenario: the status quo at ``as_of`` when ``[guarantee_game] status_quo_observed``
says what the aggressor did (no deal, nothing covered, ``h = 0``); each ``attack-covered`` row
(the proposal's game inputs, attacked or not); each ``held`` row of a proposal the game
covers (P(hold) or its complement). The game's inputs are those the analysis used.
"""

from __future__ import annotations

from collections.abc import Sequence

from ceasefire.analysis import analyze
from ceasefire.deterrence import calibrate as cal
from ceasefire.deterrence import resolve
from ceasefire.deterrence.game import Conditions
from ceasefire.results import CalibrationResult, CalibrationTarget, FittedParameter
from ceasefire.scenario import Scenario
from ceasefire.scenario.schema import ObservedAttackCovered, ObservedHeld

_PHASE = {"during_fighting": 0.0, "after_ceasefire": 1.0}


def _status_quo(scenario: Scenario) -> list[cal.Target]:
    gi = scenario.guarantee_game
    ranges = resolve.game_ranges(scenario)
    if gi.status_quo_observed is None or ranges is None:
        return []
    return [
        cal.Target(
            case=scenario.id,
            label="status quo at as_of (no deal)",
            observed=gi.status_quo_observed,
            g=0.0,
            h=0.0,
            phase=0.0 if scenario.status_quo.fighting else 1.0,
            ranges=ranges,
            conditions=Conditions(),
            source=gi.status_quo_source,
        )
    ]


def targets(scenario: Scenario) -> list[cal.Target]:
    """Every observed choice of the scenario the game can be held to (module docstring)."""
    out = _status_quo(scenario)
    rows = [r for r in scenario.observed if isinstance(r, ObservedAttackCovered | ObservedHeld)]
    ranges = resolve.game_ranges(scenario)
    if not rows or ranges is None:
        return out
    analysis = analyze(scenario, draws=10, engines=None, stages={"deterrence"})
    for row in rows:
        det = analysis.proposal(row.proposal).deterrence
        if det is None:
            continue
        prop = next(p for p in scenario.proposals if p.id == row.proposal)
        if isinstance(row, ObservedAttackCovered):
            observed = "attack-covered" if row.attacked else "no-attack-covered"
        else:
            observed = "hold" if row.held else "attack"
        out.append(
            cal.Target(
                case=scenario.id,
                label=f"{row.id} ({row.proposal})",
                observed=observed,
                g=det.g,
                h=det.h,
                phase=_PHASE[det.sequence],
                ranges=ranges,
                commitments=resolve.commitments(prop, ranges["q"]),
                conditions=resolve.conditions(prop),
                source=row.source,
            )
        )
    return out


def calibration(scenarios: Sequence[Scenario]) -> CalibrationResult:
    """Fit §4.7 on every observed choice of ``scenarios``; the results' record of it."""
    ts = [t for s in scenarios for t in targets(s)]
    fit = cal.calibrate(ts)
    params = [
        FittedParameter(
            name=s.name,
            case=s.case or "all",
            value=float(x),
            central=s.prior.central,
            low=s.prior.low,
            high=s.prior.high,
            reproduces_from=lo,
            reproduces_to=hi,
        )
        for s, x, (lo, hi) in zip(fit.slots, fit.theta, fit.reproduces, strict=True)
    ]
    rows = [
        CalibrationTarget(
            case=f"{t.case}: {t.label}",
            observed=t.observed,
            probability_before=b,
            probability_after=a,
            residual=1.0 - a,
            source=t.source,
        )
        for t, b, a in zip(ts, fit.before, fit.after, strict=True)
    ]
    return CalibrationResult(
        parameters=params,
        targets=rows,
        objective_before=fit.objective_before,
        objective_after=fit.objective_after,
        converged=fit.converged,
    )
