"""Decision rules, veto players and blockers (``docs/specs/preferences.md``, "Institutions").

* ``unanimity`` / ``all``: passes iff every member accepts; every member is a veto player.
* ``qualified-majority``: passes iff the accepting members' weights reach ``threshold`` of the
  total weight (and, if given, at least ``min_count`` members accept). No single member is a
  veto player unless the others' weight alone falls short of the threshold.

A proposal needs the chain of institutions its ``requires`` names; it passes iff each does.
It ends the fighting (:func:`ends_fighting`) only if that chain includes every belligerent and
its ceasefire term is not "fighting continues" (docs/specs/preferences.md, "Peace only counts
when it comes").

:func:`decide_batch` is the one implementation of the rules: a single run calls it with a
batch of one (:func:`decide`), a sweep with its draws (``uncertainty/pipeline.evaluate``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ceasefire._types import BoolArray, FloatArray
from ceasefire.preferences import TIE_TOLERANCE
from ceasefire.scenario import Institution, Proposal, Scenario


@dataclass(frozen=True)
class DecisionRule:
    """An institution's rule as arrays: its members' weights ``(M,)``, in member order.

    ``unanimity``: ``unanimity``/``all``; otherwise a qualified majority of ``threshold`` of
    the total weight with at least ``min_count`` accepting members (0: no minimum).
    """

    weights: FloatArray
    unanimity: bool
    threshold: float
    min_count: int

    @classmethod
    def of(cls, inst: Institution) -> DecisionRule:
        return cls(
            weights=np.array([float(inst.weights.get(m, 1.0)) for m in inst.members]),
            unanimity=inst.rule in ("unanimity", "all"),
            threshold=float(inst.threshold or 0.0),
            min_count=int(inst.min_count or 0),
        )


def decide_batch(accepts: BoolArray, rule: DecisionRule) -> tuple[BoolArray, FloatArray]:
    """Whether the institution passes, and the accepted weight share, for ``accepts (..., M)``.

    Unanimity passes iff every member accepts. A qualified majority passes iff
    ``Σ_m w_m a_m / Σ_m w_m >= threshold`` (within ``TIE_TOLERANCE``: weighted sums carry
    rounding error) and ``Σ_m a_m >= min_count``. Returns arrays of shape ``(...)``.
    """
    acc = np.asarray(accepts, dtype=bool)
    total = float(rule.weights.sum())
    share: FloatArray = (
        np.asarray((acc * rule.weights).sum(axis=-1) / total, dtype=np.float64)
        if total > 0
        else np.zeros(acc.shape[:-1])
    )
    if rule.unanimity:
        passed: BoolArray = np.asarray(acc.all(axis=-1), dtype=bool)
    else:
        passed = np.asarray(
            (share >= rule.threshold - TIE_TOLERANCE) & (acc.sum(axis=-1) >= rule.min_count),
            dtype=bool,
        )
    return passed, share


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
        if total <= 0 or rest / total < inst.threshold - TIE_TOLERANCE or not count_ok:
            out.append(m)
    return tuple(out)


def decide(inst: Institution, accepts: Mapping[str, bool]) -> Vote:
    """Apply the institution's rule to members' acceptance (:func:`decide_batch`, one batch)."""
    accepting = tuple(m for m in inst.members if accepts[m])
    rejecting = tuple(m for m in inst.members if not accepts[m])
    passed, share = decide_batch(
        np.array([[accepts[m] for m in inst.members]], dtype=bool), DecisionRule.of(inst)
    )
    ok = bool(passed[0])
    # Under QMV no member blocks alone in general: report the rejecting members as the
    # blocking coalition when the proposal fails (under unanimity each of them blocks).
    return Vote(
        institution=inst.id,
        passed=ok,
        accepting=accepting,
        rejecting=rejecting,
        blockers=() if ok else rejecting,
        veto_players=veto_players(inst),
        accepted_weight_share=float(share[0]),
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


def belligerents(scenario: Scenario) -> tuple[str, ...]:
    """The warring states: the aggressor and the disputed state, those the scenario names."""
    meta = scenario.scenario
    named = (meta.aggressor, meta.disputed_state)
    return tuple(a for a in scenario.actor_ids if a in named)


def chain_ends_fighting(scenario: Scenario, institution_ids: tuple[str, ...]) -> bool:
    """Whether a chain's consent includes every belligerent (a war going on needs them)."""
    if not scenario.status_quo.fighting:
        return True
    members: set[str] = set()
    for iid in institution_ids:
        members.update(scenario.institution(iid).members)
    return all(b in members for b in belligerents(scenario))


def ends_fighting(scenario: Scenario, proposal: Proposal) -> float:
    """``f_k``: 1 if the proposal ends the fighting, else 0 (docs/specs/preferences.md).

    A deal stops a war only if every belligerent must consent to it — a member of some
    institution the proposal ``requires`` — and its ceasefire term (``[scenario]
    ceasefire_dimension``) is above 0, "fighting continues". Without a war going on, or
    without named belligerents, every proposal counts as ending it (the rule before issue 13).
    """
    if not scenario.status_quo.fighting:
        return 1.0
    if not chain_ends_fighting(scenario, proposal.requires):
        return 0.0
    dim = scenario.scenario.ceasefire_dimension
    if dim is not None and proposal.position[dim] <= 0.0:
        return 0.0
    return 1.0


def ends_fighting_all(scenario: Scenario) -> FloatArray:
    """:func:`ends_fighting` of every proposal, ``(P,)``."""
    return np.array([ends_fighting(scenario, p) for p in scenario.proposals], dtype=np.float64)
