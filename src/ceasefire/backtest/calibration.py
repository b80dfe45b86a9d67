"""``ceasefire calibrate``'s pipeline: the observed choices of several scenarios, one fit
(docs/specs/deterrence.md §4.7). Each scenario is analysed (deterrence only) for the game's
inputs of the proposals its ``[[observed]]`` rows name."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ceasefire.analysis import analyze
from ceasefire.deterrence import calibrate as cal
from ceasefire.deterrence import fit
from ceasefire.results import CalibrationCheck, CalibrationResult, HeldOutTarget
from ceasefire.scenario import Scenario


def targets(scenario: Scenario) -> list[cal.Target]:
    """Every observed choice of the scenario the game can be held to."""
    if not fit.observed_rows(scenario):
        return fit.status_quo_target(scenario)
    analysis = analyze(scenario, draws=10, engines=None, stages={"deterrence"})
    return fit.targets(scenario, lambda pid: analysis.proposal(pid).deterrence)


def _mean(xs: Sequence[float]) -> float:
    return float(sum(xs) / len(xs)) if xs else math.nan


def check(scenarios: Sequence[Scenario]) -> tuple[CalibrationResult, CalibrationCheck | None]:
    """The fit and its leave-one-case-out check (None with fewer than two cases)."""
    ts = [t for s in scenarios for t in targets(s)]
    result = fit.result(ts)
    held = {h.case: h for h in cal.held_out(ts)}
    if not held:
        return result, None
    seen: dict[str, int] = {}
    rows = []
    for t, row in zip(ts, result.targets, strict=True):
        k = seen[t.case] = seen.get(t.case, -1) + 1
        h = held[t.case]
        rows.append(
            HeldOutTarget(
                case=row.case,
                observed=row.observed,
                probability_before=row.probability_before,
                probability_in_sample=row.probability_after,
                probability_out_of_sample=h.after[k],
                lam_out_of_sample=h.lam,
            )
        )
    floor = 1e-12  # as the fit's objective: a probability of 0 costs -ln(1e-12), not infinity

    def loss(ps: list[float]) -> float:
        return _mean([-math.log(max(p, floor)) for p in ps])

    def brier(ps: list[float]) -> float:
        return _mean([(1.0 - p) ** 2 for p in ps])

    before = [r.probability_before for r in rows]
    inside = [r.probability_in_sample for r in rows]
    outside = [r.probability_out_of_sample for r in rows]
    return result, CalibrationCheck(
        targets=rows,
        log_loss_before=loss(before),
        log_loss_in_sample=loss(inside),
        log_loss_out_of_sample=loss(outside),
        brier_before=brier(before),
        brier_in_sample=brier(inside),
        brier_out_of_sample=brier(outside),
    )
