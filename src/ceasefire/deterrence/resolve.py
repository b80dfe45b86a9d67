"""A scenario's inputs to the extended game (``docs/specs/deterrence.md`` §4): ranges,
commitments with their templates filled in, conditions. Pure functions of the scenario."""

from __future__ import annotations

from ceasefire.deterrence import ParameterRange
from ceasefire.deterrence.commitments import COMMITMENT_TYPES, SHORTHAND
from ceasefire.deterrence.game import EXTENDED_DEFAULTS, Conditions, ResolvedCommitment
from ceasefire.inputs import _ranges, deterrence_inputs
from ceasefire.scenario import Proposal, Scenario
from ceasefire.scenario.schema import GAME_INPUTS, Commitment, Ranged


def game_ranges(scenario: Scenario) -> dict[str, ParameterRange] | None:
    """Core inputs (``inputs.deterrence_inputs``) and §4's, the scenario's over the defaults."""
    core = deterrence_inputs(scenario)
    if core is None:
        return None
    return core | _ranges(EXTENDED_DEFAULTS, scenario.guarantee_game, GAME_INPUTS)


def _range(r: Ranged | None, default: ParameterRange) -> ParameterRange:
    if r is None:
        return default
    lo, hi = r.range if r.range is not None else (r.central, r.central)
    return ParameterRange(r.central, lo, hi, r.source or "scenario input")


def resolve(c: Commitment, q: ParameterRange, scope: str | None = None) -> ResolvedCommitment:
    """A commitment with its template's values in every field it leaves out (§4.4)."""
    t = COMMITMENT_TYPES[c.type]
    return ResolvedCommitment(
        type=c.type,
        label=t.label,
        guarantors=c.guarantors or t.guarantors,
        scope=c.scope or scope or t.scope,
        automaticity=c.automaticity or t.automaticity,
        tripwire=t.tripwire if c.tripwire is None else c.tripwire,
        credibility=_range(c.credibility, t.credibility if t.credibility is not None else q),
        weight=_range(c.weight, t.weight),
        source=c.source or t.basis,
    )


def commitments(proposal: Proposal, q: ParameterRange) -> list[ResolvedCommitment]:
    """The proposal's commitments; without a list, the ``guarantee`` shorthand's (§4.4)."""
    if proposal.commitments is not None:
        return [resolve(c, q) for c in proposal.commitments]
    scope = proposal.guarantee if proposal.guarantee in ("recognized", "controlled") else None
    return [resolve(Commitment(type=name), q, scope) for name in SHORTHAND[proposal.guarantee]]


def conditions(proposal: Proposal) -> Conditions:
    """The proposal's conditions on the protégé as 0/1 (§4.2)."""
    on = set(proposal.conditions)
    return Conditions(
        defensive_only=float("defensive_only" in on),
        administrative_control=float("administrative_control" in on),
        renunciation_of_force=float("renunciation_of_force" in on),
    )
