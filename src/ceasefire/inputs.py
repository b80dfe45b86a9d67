"""The model inputs a scenario implies: one source for the single run and the sweep.

Each function reads a :class:`~ceasefire.scenario.Scenario` and returns the inputs of a
numerical model as used by both :func:`ceasefire.analysis.analyze` and
:func:`ceasefire.uncertainty.pipeline.compile_model`:

* :func:`deterrence_inputs` — the guarantee game's ``{name: ParameterRange}``: the scenario's
  values, else the defaults of ``deterrence.DETERRENCE_DEFAULTS``; ``c1`` is coupled to the
  aggressor's ``war_cost / 100`` with its range (``docs/specs/deterrence.md`` §1, "Coupling");
* :func:`durability_inputs` — the survival model's, over ``durability.DURABILITY_DEFAULTS``;
* :func:`sequences` — the orders of events to evaluate for a proposal (§1, "NATO dilemma");
* :func:`aggressor` — the actor the guarantee game deters.

Pure: no I/O, no random numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ceasefire import deterrence as det
from ceasefire import durability as dur
from ceasefire.deterrence import Order, ParameterRange
from ceasefire.scenario import DETERRENCE_INPUTS, DURABILITY_INPUTS, Proposal, Scenario


def _ranges(
    defaults: Mapping[str, ParameterRange], given: Any, names: tuple[str, ...]
) -> dict[str, ParameterRange]:
    """``defaults`` overridden by every input ``given`` states (a point or ``{central, range}``)."""
    out = dict(defaults)
    for name in names:
        r = getattr(given, name)
        if r is not None:
            lo, hi = r.range if r.range is not None else (r.central, r.central)
            out[name] = ParameterRange(r.central, lo, hi, r.source or "scenario input")
    return out


def aggressor(scenario: Scenario) -> str | None:
    """The aggressor of the guarantee game: ``[deterrence] aggressor``, else the scenario's."""
    return scenario.deterrence.aggressor or scenario.scenario.aggressor


def deterrence_inputs(scenario: Scenario) -> dict[str, ParameterRange] | None:
    """The guarantee game's inputs: the scenario's, else the spec's defaults.

    ``c1`` defaults to the aggressor's ``war_cost / 100`` with its range (docs/specs/deterrence.md
    §1, "Coupling"). ``None`` when the scenario names no aggressor.
    """
    who = aggressor(scenario)
    if who is None:
        return None
    a = scenario.actor(who)
    lo, hi = a.range.get("war_cost", (a.war_cost, a.war_cost))
    base = dict(det.DETERRENCE_DEFAULTS)
    base["c1"] = ParameterRange(
        a.war_cost / 100, lo / 100, hi / 100, f"{who} war_cost / 100 (actor data)"
    )
    return _ranges(base, scenario.deterrence, DETERRENCE_INPUTS)


def durability_inputs(scenario: Scenario) -> dict[str, ParameterRange]:
    """The survival model's inputs: the scenario's, else the spec's priors."""
    return _ranges(dur.DURABILITY_DEFAULTS, scenario.durability, DURABILITY_INPUTS)


def sequences(scenario: Scenario, proposal: Proposal) -> tuple[Order, ...]:
    """Orders of events to evaluate, the proposal's own first (docs/specs/deterrence.md §1).

    Without fighting there is only "after the ceasefire"; with fighting, ``guarantee-first``
    puts the guarantee during the fighting, ``open`` evaluates both orders.
    """
    if not scenario.status_quo.fighting:
        return ("after_ceasefire",)
    own: dict[str, tuple[Order, ...]] = {
        "guarantee-first": ("during_fighting",),
        "open": ("during_fighting", "after_ceasefire"),
    }
    return own.get(proposal.ceasefire_before_accession, ("after_ceasefire",))


__all__ = ["aggressor", "deterrence_inputs", "durability_inputs", "sequences"]
