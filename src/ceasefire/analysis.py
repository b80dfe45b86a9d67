"""The pipeline: Scenario -> Analysis, nothing else.

``analyze(scenario)`` runs the pure stages (coverage, preferences, institutions) and returns
an :class:`Analysis`: one JSON-serialisable result object (``to_json``) with pandas views
(``acceptance_frame`` and friends). The report, the terminal summary and the web UI render
this object and compute nothing of their own.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from ceasefire import __version__
from ceasefire import coverage as cov
from ceasefire import institutions as inst
from ceasefire.preferences import Preferences, acceptance
from ceasefire.scenario import Scenario

SCHEMA_VERSION = "1.0"


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UnitCoverage(_Result):
    code: str
    name: str
    invited: float
    guaranteed: float
    ceded: float
    occupied: float
    controlled: float


class CoverageResult(_Result):
    invited_area_share: float
    invited_population_share: float
    guaranteed_area_share: float
    guaranteed_population_share: float
    ceded_area_share: float
    ceded_population_share: float
    occupied_area_share: float
    occupied_population_share: float
    units: list[UnitCoverage]


class WarningResult(_Result):
    code: str
    text: str


class RedLineViolation(_Result):
    red_line: str
    value: float
    excess: float


class ActorAcceptance(_Result):
    utility: float
    no_deal_utility: float
    margin: float
    accepts: bool
    red_line_violations: list[RedLineViolation]


class InstitutionResult(_Result):
    required: bool
    passed: bool
    blockers: list[str]
    accepting: list[str]
    rejecting: list[str]
    accepted_weight_share: float


class ProposalResult(_Result):
    id: str
    label: str
    proposer: str | None
    position: dict[str, float]
    terms: dict[str, Any]
    coverage: CoverageResult
    warnings: list[WarningResult]
    acceptance: dict[str, ActorAcceptance]
    institutions: dict[str, InstitutionResult]
    veto_players: list[str]
    blockers: list[str]
    passes: bool


class ScenarioInfo(_Result):
    id: str
    title: str
    as_of: str | None
    sha256: str
    source: str


class Analysis(_Result):
    """The whole result of analysing one scenario."""

    schema_version: str
    package_version: str
    scenario: ScenarioInfo
    dimensions: list[str]
    actors: list[str]
    status_quo: dict[str, float]
    fighting: bool
    no_deal_utility: dict[str, float]
    held_area_share: float
    held_population_share: float
    proposals: list[ProposalResult]

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent)

    def proposal(self, proposal_id: str) -> ProposalResult:
        for p in self.proposals:
            if p.id == proposal_id:
                return p
        raise KeyError(proposal_id)

    # pandas views (imported lazily: pandas is slow to import and not needed by the core)
    def acceptance_frame(self) -> Any:
        """Long table: one row per (proposal, actor) with utility, margin and acceptance."""
        import pandas as pd

        rows = [
            {
                "proposal": p.id,
                "actor": a,
                "utility": r.utility,
                "no_deal_utility": r.no_deal_utility,
                "margin": r.margin,
                "accepts": r.accepts,
                "red_lines_violated": "; ".join(v.red_line for v in r.red_line_violations),
            }
            for p in self.proposals
            for a, r in p.acceptance.items()
        ]
        return pd.DataFrame(rows)

    def coverage_frame(self) -> Any:
        """One row per proposal with its coverage shares."""
        import pandas as pd

        return pd.DataFrame(
            [{"proposal": p.id, **p.coverage.model_dump(exclude={"units"})} for p in self.proposals]
        ).set_index("proposal")

    def institutions_frame(self) -> Any:
        """One row per (proposal, required institution): passed and blockers."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "proposal": p.id,
                    "institution": iid,
                    "passed": r.passed,
                    "blockers": ", ".join(r.blockers),
                }
                for p in self.proposals
                for iid, r in p.institutions.items()
            ]
        )


def scenario_digest(scenario: Scenario) -> str:
    """sha256 of the scenario's canonical JSON (used when no file text is at hand)."""
    canonical = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def analyze(scenario: Scenario, *, sha256: str | None = None, source: str = "") -> Analysis:
    """Run every stage on a scenario and return the :class:`Analysis`."""
    prefs = Preferences.from_scenario(scenario)
    dims = scenario.dimension_ids
    points = np.array([[p.position[d] for d in dims] for p in scenario.proposals], dtype=float)
    acc = acceptance(prefs, points.reshape(-1, len(dims)))
    no_deal = acc.no_deal
    proposals: list[ProposalResult] = []
    for k, prop in enumerate(scenario.proposals):
        c = cov.coverage(scenario, prop)
        warns = cov.warnings(scenario, prop, c)
        per_actor: dict[str, ActorAcceptance] = {}
        for i, actor in enumerate(scenario.actors):
            violations = [
                RedLineViolation(
                    red_line=str(rl),
                    value=prop.position[rl.dimension],
                    excess=rl.violation(prop.position[rl.dimension]),
                )
                for rl in actor.parsed_red_lines
                if rl.violation(prop.position[rl.dimension]) > 0
            ]
            per_actor[actor.id] = ActorAcceptance(
                utility=float(acc.utility[k, i]),
                no_deal_utility=float(no_deal[i]),
                margin=float(acc.margin[k, i]),
                accepts=bool(acc.accepts[k, i]),
                red_line_violations=violations,
            )
        accepts = {a: r.accepts for a, r in per_actor.items()}
        votes: dict[str, InstitutionResult] = {}
        for institution in scenario.institutions:
            if institution.id not in prop.requires:
                continue
            v = inst.decide(institution, accepts)
            votes[institution.id] = InstitutionResult(
                required=True,
                passed=v.passed,
                blockers=list(v.blockers),
                accepting=list(v.accepting),
                rejecting=list(v.rejecting),
                accepted_weight_share=v.accepted_weight_share,
            )
        # keep the order of the chain as the proposal declares it
        votes = {iid: votes[iid] for iid in prop.requires}
        vetoes = inst.proposal_veto_players(scenario, prop)
        blockers: list[str] = []
        for r in votes.values():
            blockers.extend(b for b in r.blockers if b not in blockers)
        units = [
            UnitCoverage(
                code=u.code,
                name=u.name,
                invited=float(c.units.invited[j]),
                guaranteed=float(c.units.guaranteed[j]),
                ceded=float(c.units.ceded[j]),
                occupied=float(c.units.occupied[j]),
                controlled=u.controlled_share,
            )
            for j, u in enumerate(scenario.territory)
        ]
        proposals.append(
            ProposalResult(
                id=prop.id,
                label=prop.label,
                proposer=prop.proposer,
                position={d: float(prop.position[d]) for d in dims},
                terms={
                    "invitation": prop.invitation,
                    "guarantee": prop.guarantee,
                    "territory": prop.territory,
                    "mechanisms": list(prop.mechanisms),
                    "ceasefire_before_accession": prop.ceasefire_before_accession,
                    "requires": list(prop.requires),
                },
                coverage=CoverageResult(
                    invited_area_share=c.invited_area_share,
                    invited_population_share=c.invited_population_share,
                    guaranteed_area_share=c.guaranteed_area_share,
                    guaranteed_population_share=c.guaranteed_population_share,
                    ceded_area_share=c.ceded_area_share,
                    ceded_population_share=c.ceded_population_share,
                    occupied_area_share=c.occupied_area_share,
                    occupied_population_share=c.occupied_population_share,
                    units=units,
                ),
                warnings=[WarningResult(code=w.code, text=w.text) for w in warns],
                acceptance=per_actor,
                institutions=votes,
                veto_players=list(vetoes),
                blockers=blockers,
                passes=all(v.passed for v in votes.values()),
            )
        )
    held_area, held_pop = cov.held_shares(scenario)
    meta = scenario.scenario
    return Analysis(
        schema_version=SCHEMA_VERSION,
        package_version=__version__,
        scenario=ScenarioInfo(
            id=meta.id,
            title=meta.title,
            as_of=meta.as_of.isoformat() if meta.as_of else None,
            sha256=sha256 or scenario_digest(scenario),
            source=source,
        ),
        dimensions=list(dims),
        actors=list(scenario.actor_ids),
        status_quo={d: float(scenario.status_quo.position[d]) for d in dims},
        fighting=scenario.status_quo.fighting,
        no_deal_utility={a: float(no_deal[i]) for i, a in enumerate(scenario.actor_ids)},
        held_area_share=held_area,
        held_population_share=held_pop,
        proposals=proposals,
    )
