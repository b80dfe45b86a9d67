"""Plain-language sentences about results (shared by the terminal, the report and the web UI)."""

from __future__ import annotations

from typing import Any

from ceasefire.report.format import interval_of, pct, pct_bounded, sig
from ceasefire.results import Analysis, ProposalResult


def why(p: ProposalResult, actor: str) -> str:
    """Why an actor rejects a proposal: the red line crossed, or the utility shortfall."""
    r = p.acceptance[actor]
    if r.red_line_violations:
        parts = [
            f"crosses its red line {v.red_line} (proposal at {v.value:g}, "
            f"{v.excess:g} points beyond)"
            for v in r.red_line_violations
        ]
        return "; ".join(parts)
    if not r.accepts:
        return f"prefers no deal by {-r.margin:.3f} utility ({-100 * r.margin:.1f} scale points)"
    return f"accepts with margin {r.margin:+.3f}"


def blocker_sentences(p: ProposalResult) -> list[str]:
    """One sentence per blocker of a proposal, naming the institution and the reason."""
    out = []
    for iid, res in p.institutions.items():
        for b in res.blockers:
            out.append(f"{b} blocks {iid}: {why(p, b)}.")
    return out


def verdict(p: ProposalResult) -> str:
    """A one-line verdict on a proposal."""
    if not p.institutions:
        return "requires no institution's consent"
    failed = [iid for iid, r in p.institutions.items() if not r.passed]
    if not failed:
        return "passes every institution it needs (" + ", ".join(p.institutions) + ")"
    return "fails " + ", ".join(failed) + f" -- blocked by {', '.join(p.blockers)}"


def _range(iv: Any) -> str:
    # bounded: a 5th percentile of 0.0003 reads "< 0.1%", not "0.0%" (issue 18, item 7)
    return interval_of(iv, pct_bounded, label="90% interval")


def deterrence_paragraph(p: ProposalResult, aggressor: str | None) -> str:
    """A plain-language paragraph on deterrence and durability for one proposal."""
    d, u = p.deterrence, p.durability
    parts: list[str] = []
    who = aggressor or "the aggressor"
    if d is not None:
        when = {
            "during_fighting": "if the guarantee takes effect while fighting continues",
            "after_ceasefire": "once the deal is in force",
        }[d.sequence]
        if d.g > 0:
            parts.append(
                f"A collective-defence guarantee covers {pct(d.g)} of the territory the defender "
                f"holds. {when.capitalize()}, {who} keeps the line with probability "
                f"{_range(d.p_hold)} and attacks guaranteed territory with probability "
                f"{_range(d.p_attack_covered)}; the guarantors are drawn into direct war with "
                f"probability {_range(d.p_guarantor_war)}."
            )
            qc = d.q_critical
            if qc.central is None:
                parts.append("No credibility of the guarantee in [0, 1] deters an attack.")
            elif qc.central == 0:
                parts.append(
                    "Attacking guaranteed territory does not pay even if the guarantors never "
                    "honour the guarantee: deterrence rests on costs, not on credibility."
                )
            else:
                parts.append(
                    f"The guarantee deters as long as the guarantors honour it with probability "
                    f"above {sig(qc.central, '%.2g')}."  # 0.004, not 0.00
                )
        else:
            parts.append(
                f"No collective-defence guarantee. {when.capitalize()}, {who} keeps the line "
                f"with probability {_range(d.p_hold)} and attacks again with probability "
                f"{_range(d.p_attack_uncovered)}."
            )
        for seq, alt in d.alternatives.items():
            label = "after a ceasefire" if seq == "after_ceasefire" else "during fighting"
            parts.append(
                f"With the other order of events ({label}): keeps the line with probability "
                f"{_range(alt.p_hold)}, guarantor war {_range(alt.p_guarantor_war)}."
            )
    if u is not None:
        mech = ", ".join(m.replace("_", " ") for m in u.mechanisms) or "no mechanism"
        parts.append(
            f"If a ceasefire is agreed ({mech}), the prior probability it breaks down within "
            f"5 years is {_range(u.p_breakdown_5y)} "
            f"(within 1 year {pct(u.p_breakdown_1y.central)})."
        )
    return " ".join(parts)


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def rescue_sentence(p: ProposalResult, conflicts: list[list[str]] | None = None) -> str:
    """The smallest rescuing concession in words, or why there is none.

    ``conflicts``: the minimal conflicting sets of the proposal's institution chain, named
    when no rescue exists.
    """
    if p.passes:
        return f"{p.id} passes as it stands."
    r = p.rescue
    if r is None:
        chain = " + ".join(p.terms["requires"])
        if conflicts:
            who = "; ".join(" × ".join(c) for c in conflicts)
            return (
                f"{p.id} cannot be rescued: no settlement is acceptable to every veto player of "
                f"{chain} — these have no acceptable point in common: {who}."
            )
        return (
            f"{p.id} cannot be rescued: no settlement is acceptable to every veto player of "
            f"{chain}."
        )
    moves = [
        f"{d} moves from {_fmt(p.position[d])} to {_fmt(r.point[d])}"
        for d, m in r.moves.items()
        if abs(m) > 1e-6
    ]
    who = ", ".join(r.binding_actors) if r.binding_actors else (r.binding_actor or "no one")
    verb = "binds" if len(r.binding_actors) <= 1 else "bind"
    by = f" (the smallest move for {r.rescuer}: {_fmt(r.distance)} salience-weighted points)"
    return f"{p.id} passes if {' and '.join(moves)} — {who} {verb}{by if r.rescuer else ''}."


def actor_change_sentences(p: ProposalResult) -> list[str]:
    """The alternative: the smallest change to one rejecting actor that makes it accept."""
    out = []
    if len(p.single_actor_changes) > 1:
        out.append(
            f"{len(p.single_actor_changes)} veto players reject it, so no change to one actor "
            "alone passes it; each would have to change:"
        )
    for c in p.single_actor_changes:
        if c.red_lines_crossed:
            relax = "; ".join(f"'{rl}' to admit {_fmt(v)}" for rl, v in c.red_line_relaxed.items())
            out.append(f"{c.actor} would have to relax its red line {relax}.")
            continue
        options = []
        if c.war_cost is not None:
            options.append(f"its war cost rises to {_fmt(c.war_cost)}")
        if c.position_distance is not None:
            options.append(f"its ideal point moves by {_fmt(c.position_distance)} points")
        if c.salience_dimension is not None and c.salience_value is not None:
            options.append(
                f"its salience of {c.salience_dimension} becomes {_fmt(c.salience_value)}"
            )
        if options:
            out.append(f"{c.actor} accepts if " + ", or ".join(options) + ".")
        else:
            out.append(f"{c.actor}: no single change of position, salience or war cost suffices.")
    return out


def smp_options(f: Any) -> list[tuple[float, tuple[float, ...], list[str]]]:
    """The distinct final positions of an smp forecast with their probability and holders."""
    import math

    from ceasefire.bargaining.smp import TAU_POS

    # KTAB's equivalence of positions (docs/specs/smp.md §3.5): within TAU_POS on the [0, 1] scale
    groups: list[tuple[tuple[float, ...], list[str]]] = []
    for actor, pos in zip(f.actors, f.trajectory[-1], strict=True):
        for rep, holders in groups:
            if math.dist(rep, pos) / 100.0 < TAU_POS:
                holders.append(actor)
                break
        else:
            groups.append((tuple(pos), [actor]))
    out = [(f.probabilities[h[0]], pos, h) for pos, h in groups]
    return sorted(out, key=lambda t: -t[0])


def rescue_sentences(analysis: Any) -> dict[str, str]:
    """:func:`rescue_sentence` for every proposal, naming the chain's conflicting sets."""
    conflicts = {w.id: w.conflicts for w in analysis.winsets}
    return {
        p.id: rescue_sentence(p, conflicts.get("+".join(p.terms["requires"])))
        for p in analysis.proposals
    }


def sentences(analysis: Analysis) -> dict[str, Any]:
    """Every plain-language sentence of the report and the results page, per proposal."""
    props = analysis.proposals
    return {
        "verdicts": {p.id: verdict(p) for p in props},
        "blockers": {p.id: blocker_sentences(p) for p in props},
        "rescues": rescue_sentences(analysis),
        "changes": {p.id: actor_change_sentences(p) for p in props},
        "paragraphs": {p.id: deterrence_paragraph(p, analysis.aggressor) for p in props},
    }
