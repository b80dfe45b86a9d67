"""``ceasefire calibrate``'s pipeline: the observed choices of several scenarios, one fit
(docs/specs/deterrence.md §4.7). Each scenario is analysed (deterrence only) for the game's
inputs of the proposals its ``[[observed]]`` rows name."""

from __future__ import annotations

from collections.abc import Sequence

from ceasefire.analysis import analyze
from ceasefire.deterrence import calibrate as cal
from ceasefire.deterrence import fit
from ceasefire.results import CalibrationResult
from ceasefire.scenario import Scenario


def targets(scenario: Scenario) -> list[cal.Target]:
    """Every observed choice of the scenario the game can be held to."""
    if not fit.observed_rows(scenario):
        return fit.status_quo_target(scenario)
    analysis = analyze(scenario, draws=10, engines=None, stages={"deterrence"})
    return fit.targets(scenario, lambda pid: analysis.proposal(pid).deterrence)


def calibration(scenarios: Sequence[Scenario]) -> CalibrationResult:
    """Fit §4.7 on every observed choice of ``scenarios``."""
    return fit.result([t for s in scenarios for t in targets(s)])
