"""Decision rules, veto players and blockers (``specs/preferences.md``, "Institutions").

* ``unanimity`` / ``all``: passes iff every member accepts; every member is a veto player.
* ``qualified-majority``: passes iff the accepting members' weights reach ``threshold`` of the
  total weight (and, if given, at least ``min_count`` members accept). No single member is a
  veto player unless the others' weight alone falls short of the threshold.

A proposal needs the chain of institutions its ``requires`` names; it passes iff each does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ceasefire.scenario import Institution, Proposal, Scenario

# Weighted sums of accepted shares compared with a threshold: allow for float rounding.
_EPS = 1e-12


@dataclass(frozen=True)
class Vote:
    """The outcome of one institution's decision on one proposal."""

    institution: str
    passed: bool
    accepting: tuple[str, ...]
    rejecting: tuple[str, ...]
    blockers: tuple[str, ...]
    veto_players: tuple[str, ...]
    accepted_weight_share: float


def _weights(inst: Institution) -> dict[str, float]:
    return {m: float(inst.weights.get(m, 1.0)) for m in inst.members}


def veto_players(inst: Institution) -> tuple[str, ...]:
    """Members whose rejection alone makes the institution fail, whatever the others do."""
    if inst.rule in ("unanimity", "all"):
        return inst.members
    w = _weights(inst)
    total = sum(w.values())
    assert inst.threshold is not None
    out = []
    for m in inst.members:
        rest = total - w[m]
        count_ok = inst.min_count is None or len(inst.members) - 1 >= inst.min_count
        if total <= 0 or rest / total < inst.threshold - _EPS or not count_ok:
            out.append(m)
    return tuple(out)


def decide(inst: Institution, accepts: Mapping[str, bool]) -> Vote:
    """Apply the institution's rule to members' acceptance."""
    accepting = tuple(m for m in inst.members if accepts[m])
    rejecting = tuple(m for m in inst.members if not accepts[m])
    w = _weights(inst)
    total = sum(w.values())
    share = sum(w[m] for m in accepting) / total if total > 0 else 0.0
    if inst.rule in ("unanimity", "all"):
        passed = not rejecting
        blockers = rejecting
    else:
        assert inst.threshold is not None
        passed = share >= inst.threshold - _EPS and (
            inst.min_count is None or len(accepting) >= inst.min_count
        )
        # Under QMV no member blocks alone in general: report the rejecting members as the
        # blocking coalition when the proposal fails.
        blockers = () if passed else rejecting
    return Vote(
        institution=inst.id,
        passed=passed,
        accepting=accepting,
        rejecting=rejecting,
        blockers=blockers,
        veto_players=veto_players(inst),
        accepted_weight_share=share,
    )


def chain_veto_players(scenario: Scenario, institution_ids: tuple[str, ...]) -> tuple[str, ...]:
    """Veto players of a chain: members of every unanimity/all institution, in actor order."""
    vetoes: set[str] = set()
    for iid in institution_ids:
        vetoes.update(veto_players(scenario.institution(iid)))
    return tuple(a for a in scenario.actor_ids if a in vetoes)


def proposal_veto_players(scenario: Scenario, proposal: Proposal) -> tuple[str, ...]:
    """Veto players of a proposal: the veto players of the institutions it requires."""
    return chain_veto_players(scenario, proposal.requires)
