"""The extended game for a sweep: every proposal over a batch of draws (deterrence.md §4).

:func:`plan` compiles a scenario's proposals (commitments, conditions, phase, the scopes that
set ``g``) once; :func:`batch_game` runs §4 for draws ``(B,)`` of the core inputs and ``g``,
``h`` of shape ``(B, P)``. §4's own inputs and the credibility of commitments whose template
fixes it stay at their central values; a commitment whose template leaves credibility open
(NATO Article 5) takes the drawn ``q``. The central draw equals ``analysis``'s central run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ceasefire._types import FloatArray
from ceasefire.deterrence import ParameterRange, resolve
from ceasefire.deterrence.commitments import COMMITMENT_TYPES
from ceasefire.deterrence.game import (
    EXTENDED_PARAMETERS,
    Conditions,
    ResolvedCommitment,
    extended_game,
    fold,
)
from ceasefire.scenario import Proposal, Scenario

OUTPUTS = ("p_hold", "p_attack_uncovered", "p_attack_covered", "p_guarantor_war", "q_critical")


@dataclass(frozen=True)
class ProposalPlan:
    """One proposal's part of the game: what does not change between draws."""

    commitments: tuple[ResolvedCommitment, ...]
    uses_q: tuple[bool, ...]
    conditions: Conditions
    phase: float
    #: the guarantee scopes that set g (None: the coverage stage's g as it is)
    scopes: tuple[str, ...] | None


@dataclass(frozen=True)
class Plan:
    extended: Mapping[str, float]
    proposals: tuple[ProposalPlan, ...]


def _scopes(p: Proposal, comms: list[ResolvedCommitment]) -> tuple[str, ...] | None:
    if p.commitments is None and p.guarantee != "bilateral":
        return None
    return tuple(sorted({c.scope for c in comms}))


def _uses_q(p: Proposal, comms: list[ResolvedCommitment]) -> tuple[bool, ...]:
    given = p.commitments or ()
    out = []
    for k, c in enumerate(comms):
        own = given[k].credibility if k < len(given) else None
        out.append(own is None and COMMITMENT_TYPES[c.type].credibility is None)
    return tuple(out)


def plan(scenario: Scenario, phases: tuple[str, ...]) -> Plan | None:
    """The scenario's plan; ``phases``: each proposal's own order of events."""
    ranges = resolve.game_ranges(scenario)
    if ranges is None:
        return None
    props = []
    for p, phase in zip(scenario.proposals, phases, strict=True):
        comms = resolve.commitments(p, ranges["q"])
        props.append(
            ProposalPlan(
                commitments=tuple(comms),
                uses_q=_uses_q(p, comms),
                conditions=resolve.conditions(p),
                phase=1.0 if phase == "after_ceasefire" else 0.0,
                scopes=_scopes(p, comms),
            )
        )
    ext = {k: float(ranges[k].central) for k in EXTENDED_PARAMETERS}
    return Plan(extended=ext, proposals=tuple(props))


def drawn_commitments(pl: Plan) -> list[tuple[int, int, str, ParameterRange]]:
    """Each commitment's credibility (unless it takes the drawn ``q``) and weight with a range
    ``low < high``: ``(proposal, commitment, "credibility" | "weight", range)``, the inputs a
    sweep draws (docs/specs/deterrence.md §4.4)."""
    out = []
    for k, pp in enumerate(pl.proposals):
        for j, (c, uq) in enumerate(zip(pp.commitments, pp.uses_q, strict=True)):
            for field, r in (("credibility", None if uq else c.credibility), ("weight", c.weight)):
                if r is not None and r.high > r.low:
                    out.append((k, j, field, r))
    return out


def proposal_game(
    pl: Plan,
    k: int,
    g: FloatArray,
    core: Mapping[str, FloatArray],
    commitments: Mapping[tuple[int, int, str], FloatArray] | None = None,
) -> tuple[FloatArray, dict[str, FloatArray], Conditions]:
    """Proposal ``k``'s game as §4 plays it: ``g`` ``(B,)`` and the inputs ``core`` (§1's and
    §4's own, name -> ``(B,)``) with its commitments folded in — their drawn credibility and
    weight from ``commitments`` (:func:`drawn_commitments`' keys), else their central values;
    what the batch does not draw takes the plan's central value — and its conditions."""
    drawn = commitments or {}
    pp = pl.proposals[k]
    params = dict(pl.extended) | {n: np.asarray(v, dtype=float) for n, v in core.items()}
    creds = [
        params["q"] if uq else drawn.get((k, j, "credibility"), c.credibility.central)
        for j, (c, uq) in enumerate(zip(pp.commitments, pp.uses_q, strict=True))
    ]
    weights = [drawn.get((k, j, "weight"), c.weight.central) for j, c in enumerate(pp.commitments)]
    g_k, folded = fold(g, params, pp.commitments, creds, weights)
    return g_k, folded, pp.conditions


def batch_game(
    pl: Plan,
    g: FloatArray,
    h: FloatArray,
    core: Mapping[str, FloatArray],
    commitments: Mapping[tuple[int, int, str], FloatArray] | None = None,
) -> dict[str, FloatArray]:
    """§4 for every proposal (:func:`proposal_game`): ``g``, ``h`` ``(B, P)``; out ``(B, P)``."""
    out = {k: np.zeros(g.shape) for k in OUTPUTS}
    for k, pp in enumerate(pl.proposals):
        gk, folded, conditions = proposal_game(pl, k, g[:, k], core, commitments)
        res = extended_game(gk, h[:, k], folded, conditions, pp.phase)
        for name in OUTPUTS:
            out[name][:, k] = np.broadcast_to(getattr(res, name), g.shape[:1])
    return out
