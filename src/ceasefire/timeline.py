"""A timeline of dated snapshots: run each in date order and say what moved, and why (issue 17).

Each snapshot is analysed as a single run (``run.run``) with a sweep of its stated ranges
(``SweepOptions(engines=(), sensitivity="none")``: pass probabilities and P(hold) quantiles,
no forecast sweep or sensitivity, to keep the whole timeline within seconds). A proposal that
appears in two or more snapshots under the same id is *recurring*; its verdict, blockers,
pass probability and P(hold) are followed across them.

What changed between two consecutive snapshots is told apart by its origin (issue 17's "new
data vs new judgement"), comparing the two scenarios' inputs:

* ``data``: the line of contact (a unit's ``controlled_share``), the proposals on the table
  (added or withdrawn), the institutions;
* ``judgement``: an actor's position, salience, capability, war cost or red lines; a recurring
  proposal's coded terms or position; new dimensions (their scales and every coding on them);
  the deterrence and durability inputs.

A recurring proposal whose outcome moved while neither its coding nor any actor changed moved
because of data (the line, or the institutions it requires). No I/O: the CLI reads the
scenarios and writes the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ceasefire.results import Analysis, ProposalResult
from ceasefire.run import SweepOptions, run
from ceasefire.scenario import Proposal, Scenario

#: the sweep of each snapshot: decisions and P(hold) over the stated ranges, no engines
TIMELINE_SWEEP = SweepOptions(engines=(), sensitivity="none")
#: draws per snapshot (the built-ins state 2,000; 300 keeps five snapshots under 30 s on two
#: shared cores and the pass probabilities within about +-0.06 at 95 %: judgement)
TIMELINE_DRAWS = 300


@dataclass(frozen=True)
class Snapshot:
    """One scenario of the timeline and its analysis."""

    id: str
    as_of: dt.date | None
    title: str
    analysis: Analysis


@dataclass(frozen=True)
class Change:
    """One thing that moved between two consecutive snapshots, and its origin."""

    before: str
    after: str
    subject: str
    what: str
    origin: str  # "data" or "judgement"


@dataclass(frozen=True)
class Timeline:
    """The snapshots in date order, the recurring proposals and what changed."""

    snapshots: tuple[Snapshot, ...]
    recurring: tuple[str, ...]
    changes: tuple[Change, ...]

    def result(self, snapshot: Snapshot, proposal_id: str) -> ProposalResult | None:
        """The proposal's result in one snapshot, None when it was not on the table."""
        return next((p for p in snapshot.analysis.proposals if p.id == proposal_id), None)


def order(scenarios: Sequence[Scenario]) -> list[Scenario]:
    """Scenarios by ``as_of`` (undated last, in the order given)."""
    return sorted(scenarios, key=lambda s: (s.scenario.as_of is None, s.scenario.as_of or 0))


def recurring_ids(scenarios: Sequence[Scenario]) -> tuple[str, ...]:
    """Ids of proposals on the table in two or more snapshots, in order of first appearance."""
    seen: dict[str, int] = {}
    for s in scenarios:
        for p in s.proposals:
            seen[p.id] = seen.get(p.id, 0) + 1
    return tuple(pid for pid, n in seen.items() if n >= 2)


def _actor_changes(a: Scenario, b: Scenario) -> list[str]:
    before = {x.id: x for x in a.actors}
    return sorted(
        x.id
        for x in b.actors
        if x.id in before
        and before[x.id].model_dump(exclude={"source", "red_line_source", "name"})
        != x.model_dump(exclude={"source", "red_line_source", "name"})
    )


def _line_changes(a: Scenario, b: Scenario) -> list[str]:
    before = {u.code: u.controlled_share for u in a.territory}
    return [
        f"{u.name or u.code} {before[u.code]:.1%} -> {u.controlled_share:.1%}"
        for u in b.territory
        if u.code in before and abs(before[u.code] - u.controlled_share) >= 0.005
    ]


def _proposal_changes(a: Scenario, b: Scenario) -> list[tuple[str, str, str]]:
    """(subject, what, origin) for proposals tabled, withdrawn, recoded or re-routed."""
    old, new = {p.id for p in a.proposals}, {p.id for p in b.proposals}
    out = [(pid, "tabled", "data") for pid in sorted(new - old)]
    out += [(pid, "off the table", "data") for pid in sorted(old - new)]
    pa = {p.id: p for p in a.proposals}
    for p in b.proposals:
        q = pa.get(p.id)
        if q is None:
            continue
        if _coding(q) != _coding(p):
            out.append((p.id, "terms or position recoded", "judgement"))
        if set(q.requires) != set(p.requires):
            out.append((p.id, f"now needs {', '.join(p.requires)}", "data"))
    return out


def _structure_changes(a: Scenario, b: Scenario) -> list[tuple[str, str, str]]:
    """(subject, what, origin) for actors, institutions, dimensions and model inputs."""
    out = []
    actors = _actor_changes(a, b)
    if actors:
        out.append(("actors", ", ".join(actors), "judgement"))
    inst_a, inst_b = {i.id for i in a.institutions}, {i.id for i in b.institutions}
    if inst_a != inst_b:
        out.append(
            ("institutions", f"added: {', '.join(sorted(inst_b - inst_a)) or 'none'}", "data")
        )
    if a.dimension_ids != b.dimension_ids:
        added = ", ".join(d for d in b.dimension_ids if d not in a.dimension_ids) or "none"
        out.append(("dimensions", f"added: {added}", "judgement"))
    if a.deterrence != b.deterrence or a.durability != b.durability:
        out.append(("model inputs", "deterrence/durability", "judgement"))
    return out


def input_changes(a: Scenario, b: Scenario, before: str, after: str) -> list[Change]:
    """What differs in the inputs of two consecutive snapshots, labelled data or judgement."""
    line = _line_changes(a, b)
    rows = [("line of contact", "; ".join(line), "data")] if line else []
    rows += _proposal_changes(a, b) + _structure_changes(a, b)
    return [Change(before, after, subject, what, origin) for subject, what, origin in rows]


def _coding(p: Proposal) -> dict[str, object]:
    """A proposal's coded terms and position (not its wording, proposer or institutions)."""
    return p.model_dump(exclude={"label", "rationale", "proposer", "requires"})


def _verdict(p: ProposalResult) -> str:
    return "passes" if p.passes else "blocked by " + (", ".join(p.blockers) or "nobody")


def outcome_changes(
    tl_snapshots: Sequence[Snapshot],
    scenarios: Sequence[Scenario],
    recurring: Sequence[str],
) -> list[Change]:
    """How each recurring proposal's verdict and blockers moved, with the origin of the move:
    judgement if its coding or any actor changed, else data (the line, the institutions)."""
    out: list[Change] = []
    pairs = zip(tl_snapshots, tl_snapshots[1:], scenarios, scenarios[1:], strict=False)
    for sa, sb, a, b in pairs:
        coded = {c.subject for c in input_changes(a, b, sa.id, sb.id) if c.origin == "judgement"}
        for pid in recurring:
            ra = next((p for p in sa.analysis.proposals if p.id == pid), None)
            rb = next((p for p in sb.analysis.proposals if p.id == pid), None)
            if ra is None or rb is None or _verdict(ra) == _verdict(rb):
                continue
            origin = "judgement" if pid in coded or "actors" in coded else "data"
            what = f"{_verdict(ra)} -> {_verdict(rb)}"
            out.append(Change(sa.id, sb.id, pid, what, origin))
    return out


def run_timeline(
    scenarios: Sequence[Scenario],
    *,
    draws: int = TIMELINE_DRAWS,
    progress: Callable[[str], None] | None = None,
) -> Timeline:
    """Analyse each scenario in date order and collect what moved between them."""
    ordered = order(scenarios)
    snaps: list[Snapshot] = []
    for s in ordered:
        if progress is not None:
            progress(s.id)
        a = run(s, draws=draws, sweep=TIMELINE_SWEEP)
        snaps.append(Snapshot(s.id, s.scenario.as_of, s.scenario.title, a))
    recurring = recurring_ids(ordered)
    changes = [
        c
        for sa, sb, a, b in zip(snaps, snaps[1:], ordered, ordered[1:], strict=False)
        for c in input_changes(a, b, sa.id, sb.id)
    ]
    changes += outcome_changes(snaps, ordered, recurring)
    return Timeline(tuple(snaps), recurring, tuple(changes))


def p_pass(snapshot: Snapshot, proposal_id: str) -> float | None:
    """The share of the snapshot's draws in which the proposal passes (None: not swept)."""
    u = snapshot.analysis.uncertainty
    if u is None:
        return None
    sweep = next((p for p in u.proposals if p.id == proposal_id), None)
    return None if sweep is None else sweep.passes.p_pass


def p_hold(snapshot: Snapshot, proposal_id: str) -> float | None:
    """The central P(hold) of the proposal's guarantee game in the snapshot (None: no game)."""
    p = next((x for x in snapshot.analysis.proposals if x.id == proposal_id), None)
    if p is None or p.deterrence is None:
        return None
    return p.deterrence.p_hold.central
