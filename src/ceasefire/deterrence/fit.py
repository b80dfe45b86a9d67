"""A scenario's observed choices as calibration targets, and the fit as results (§4.7).

Targets: the status quo at ``as_of`` when ``[guarantee_game] status_quo_observed`` records
what the aggressor did (no deal, nothing covered, ``h = 0``); each ``attack-covered`` row (the
proposal's game inputs as the analysis used them; attacked or not); each ``held`` row of a
proposal the game covers (P(hold) or its complement). Pure: the caller passes each proposal's
deterrence result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ceasefire.deterrence import calibrate as cal
from ceasefire.deterrence import resolve
from ceasefire.deterrence.game import Conditions
from ceasefire.results import (
    CalibrationResult,
    CalibrationTarget,
    DeterrenceResult,
    FittedParameter,
)
from ceasefire.scenario import Scenario
from ceasefire.scenario.schema import ObservedAttackCovered, ObservedHeld

_PHASE = {"during_fighting": 0.0, "after_ceasefire": 1.0}


def status_quo_target(scenario: Scenario) -> list[cal.Target]:
    """The status quo's observed choice, if the scenario records one."""
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


def observed_rows(scenario: Scenario) -> list[ObservedAttackCovered | ObservedHeld]:
    """The ``[[observed]]`` rows the game can be held to."""
    return [r for r in scenario.observed if isinstance(r, ObservedAttackCovered | ObservedHeld)]


def targets(
    scenario: Scenario, deterrence_of: Callable[[str], DeterrenceResult | None]
) -> list[cal.Target]:
    """Every observed choice of the scenario (module docstring)."""
    out = status_quo_target(scenario)
    ranges = resolve.game_ranges(scenario)
    if ranges is None:
        return out
    for row in observed_rows(scenario):
        det = deterrence_of(row.proposal)
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


def result(ts: Sequence[cal.Target]) -> CalibrationResult:
    """Fit §4.7 on ``ts``; the results' record of it."""
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
