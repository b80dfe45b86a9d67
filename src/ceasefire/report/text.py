"""Plain-language sentences about results (shared by the terminal, the report and the web UI)."""

from __future__ import annotations

from ceasefire.analysis import ProposalResult


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
