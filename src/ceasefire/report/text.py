"""Plain-language sentences about results (shared by the terminal, the report and the web UI)."""

from __future__ import annotations

from typing import Any

from ceasefire.report.format import interval_of, pct, pct_bounded, sig
from ceasefire.results import Analysis, ProposalResult


def _line(v: Any) -> str:
    """``crosses its hard red line alliance <= 40 [S_WSJ_2024_11; holds with p 0.5] (...)``."""
    notes = [n for n in (v.source, f"holds with p {v.probability:g}" if v.probability < 1 else "")]
    if v.penalty is not None:
        notes.append(f"{v.penalty:g} utility per point")
    tag = f" [{'; '.join(n for n in notes if n)}]" if any(notes) else ""
    return (
        f"crosses its {v.kind} red line {v.red_line}{tag} (proposal at {v.value:g}, "
        f"{v.excess:g} points beyond)"
    )


def why(p: ProposalResult, actor: str) -> str:
    """Why an actor rejects a proposal: the red line crossed, or the utility shortfall."""
    r = p.acceptance[actor]
    if r.red_line_violations:
        short = f"; and prefers no deal by {-r.margin:.3f} utility" if r.margin < 0 else ""
        return "; ".join(_line(v) for v in r.red_line_violations) + short
    if not r.accepts:
        return f"prefers no deal by {-r.margin:.3f} utility ({-100 * r.margin:.1f} scale points)"
    return f"accepts with margin {r.margin:+.3f}"


def label(p: ProposalResult, actor: str) -> str:
    """The blocker's reason in one word: ``red line`` or ``utility`` (issue 13)."""
    r = p.blocker_reasons.get(actor)
    if r is not None:
        return r.label
    return "red line" if p.acceptance[actor].red_line_violations else "utility"


def blocker_sentences(p: ProposalResult) -> list[str]:
    """One sentence per blocker of a proposal: institution, one-word reason, the detail."""
    out = []
    for iid, res in p.institutions.items():
        for b in res.blockers:
            out.append(f"{b} blocks {iid} [{label(p, b)}]: {why(p, b)}.")
    if p.blockers and p.ends_fighting < 1:
        out.append(WAR_GOES_ON)
    return out


#: said of a proposal that does not end the fighting (docs/specs/preferences.md)
WAR_GOES_ON = (
    "The war goes on after this deal (its institutions lack a belligerent, or its ceasefire "
    "term says fighting continues): no actor is credited with the end of the war's cost."
)


def verdict(p: ProposalResult) -> str:
    """A one-line verdict on a proposal, each blocker labelled ``red line`` or ``utility``."""
    if not p.institutions:
        return "requires no institution's consent"
    failed = [iid for iid, r in p.institutions.items() if not r.passed]
    if not failed:
        return "passes every institution it needs (" + ", ".join(p.institutions) + ")"
    who = ", ".join(f"{b} ({label(p, b)})" for b in p.blockers)
    return "fails " + ", ".join(failed) + f" -- blocked by {who}"


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
    parts.extend(_path_sentences(p))
    return " ".join(parts)


def _path_sentences(p: ProposalResult) -> list[str]:
    """The event tree in time (docs/specs/durability.md §5): the 5-year path in each order."""
    if p.paths is None:
        return []
    out = []
    for o in p.paths.orders:
        h5 = next((h for h in o.horizons if h.years == 5.0), None)
        if h5 is not None:
            out.append(
                f"Along the path in time ({o.order}), the ceasefire is in place and holding "
                f"5 years after signature with probability {_range(h5.p_path_if_passed)} if the "
                "proposal passes."
            )
    return out


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
        options = _change_options(c)
        if c.red_lines_crossed:
            relax = "; ".join(f"'{rl}' to admit {_fmt(v)}" for rl, v in c.red_line_relaxed.items())
            if options:  # soft lines only: their price is in the options
                out.append(
                    f"{c.actor} would have to relax its red line {relax}, or, paying the soft "
                    "line's price, accept if " + ", or ".join(options) + "."
                )
            else:
                out.append(f"{c.actor} would have to relax its red line {relax}.")
            continue
        if options:
            out.append(f"{c.actor} accepts if " + ", or ".join(options) + ".")
        else:
            out.append(f"{c.actor}: no single change of position, salience or war cost suffices.")
    return out


def _change_options(c: Any) -> list[str]:
    """What single change to one actor makes it accept (war cost, ideal point, salience)."""
    options = []
    if c.war_cost is not None:
        options.append(f"its war cost rises to {_fmt(c.war_cost)}")
    if c.position_distance is not None:
        options.append(f"its ideal point moves by {_fmt(c.position_distance)} points")
    if c.salience_dimension is not None and c.salience_value is not None:
        options.append(f"its salience of {c.salience_dimension} becomes {_fmt(c.salience_value)}")
    return options


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


def _package_sentence(pkg: Any, has_terms: bool) -> str:
    """One package in words: where it moves, what it pays, to whom, who pays."""
    label = "Abandoning its defining terms: "
    if pkg.keeps_defining_terms:
        label = "Keeping its defining terms: " if has_terms else ""
    if not pkg.exists:
        return f"{label}no package exists ({pkg.why})."
    moves = [f"{d} {v:+.1f}" for d, v in (pkg.moves or {}).items() if v != 0]
    units = [f"{u:.3g} of {i}" for i, u in pkg.units.items()]
    prices = [f"{a} {v:.3f}" for a, v in pkg.price_per_blocker.items()]
    payers = [f"{a} {v:.3f}" for a, v in pkg.paid_by.items()]
    parts = [f"moves {', '.join(moves)}" if moves else "no policy move"]
    if units:
        parts.append(f"side payments {', '.join(units)} (price per blocker: {', '.join(prices)}; "
                     f"paid by {', '.join(payers)})")  # fmt: skip
    return (
        f"{label}the cheapest package {'; '.join(parts)} — {pkg.payment_cost:.3f} utility paid, "
        f"{pkg.move_cost:.3f} moved."
    )


def package_sentences(p: ProposalResult) -> list[str]:
    """The package rescues of a failing proposal (issue 13), kept terms first."""
    terms = bool(p.defining_terms)
    return [
        _package_sentence(x, terms) for x in (p.package, p.package_unrestricted) if x is not None
    ]


def salience_edge_sentence(w: Any) -> str:
    """A win-set's robustness to one salience in words (issue 13); "" when none flips it."""
    if getattr(w, "salience_edge", None) is None:
        return ""
    old = w.salience_edge_value - w.salience_edge
    verb = "empties it" if w.salience_edge_empties else "would make it non-empty"
    return (
        f"Changing {w.salience_edge_actor}'s salience of {w.salience_edge_dimension} from "
        f"{old:.3g} to {w.salience_edge_value:.3g} ({w.salience_edge:+.3g}) {verb}."
    )


def knife_edge_sentence(w: Any) -> str:
    """A win-set's robustness in words (issue 13): which one red line flips it, by how much,
    and which one salience (``salience_edge_sentence``), when one does."""
    out = _red_line_edge_sentence(w)
    more = salience_edge_sentence(w)
    return f"{out} {more}" if more else out


def _red_line_edge_sentence(w: Any) -> str:
    """Which one red line flips the win-set's emptiness, by how much."""
    if w.knife_edge is None:
        if w.empty:
            return f"{w.id}: empty, and no change to any single red line makes it non-empty."
        return f"{w.id}: no veto player's red line bounds it."
    who = f"{w.knife_edge_actor}'s red line {w.knife_edge_red_line}"
    if not w.knife_edge_empties:
        return (
            f"{w.id}: empty; relaxing {who} by {w.knife_edge:.3g} points would make it non-empty."
        )
    if w.knife_edge <= 1e-9:
        return f"{w.id}: a knife edge — tightening {who} by any amount empties it."
    return f"{w.id}: tightening {who} by more than {w.knife_edge:.3g} points empties it."


def sentences(analysis: Analysis) -> dict[str, Any]:
    """Every plain-language sentence of the report and the results page, per proposal."""
    props = analysis.proposals
    return {
        "verdicts": {p.id: verdict(p) for p in props},
        "blockers": {p.id: blocker_sentences(p) for p in props},
        "rescues": rescue_sentences(analysis),
        "changes": {p.id: actor_change_sentences(p) for p in props},
        "packages": {p.id: package_sentences(p) for p in props},
        "knife_edges": [knife_edge_sentence(w) for w in analysis.winsets],
        "paragraphs": {p.id: deterrence_paragraph(p, analysis.aggressor) for p in props},
    }


def check_line(f: Any) -> str:
    """A forecast's feasibility in one line (issue 16): the nearest proposal in terms and the
    terms it violates, the red lines crossed, the institutions that would block it."""
    c = f.check
    if c is None:
        return f"nearest: {f.nearest_proposal or '-'}"
    parts = []
    if c.nearest_in_terms:
        bad = [t.split(":", 1)[0] for t in c.terms_violated[c.nearest_in_terms]]
        near = f"nearest in terms: {c.nearest_in_terms}"
        parts.append(f"{near} (violates its terms on {', '.join(bad)})" if bad else near)
    if c.red_lines_crossed:
        who = sorted({r.split(" ", 1)[0] for r in c.red_lines_crossed})
        parts.append(f"crosses {len(c.red_lines_crossed)} red line(s) of {', '.join(who)}")
    if c.blocked:
        parts.append(
            "blocked in " + "; ".join(f"{i} ({', '.join(b)})" for i, b in c.blocked.items())
        )
    return "; ".join(parts) or "feasible: no red line crossed, no institution blocks"
