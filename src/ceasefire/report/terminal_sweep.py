"""Terminal summary of a sweep (``ceasefire sweep``): renders a summary, computes nothing."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ceasefire.report.format import pct
from ceasefire.sweep_results import ProposalSweep, SweepSummary

#: an input is named among the most influential when its first-order index exceeds this
MIN_ST = 0.01


def influential(summary: SweepSummary, proposal: ProposalSweep, n: int = 3) -> list[str]:
    """The proposal's most influential inputs: first-order indices of its smallest veto
    margin (or P(hold)) when the sensitivity analysis ran, else the sweep's correlations."""
    outputs = summary.sensitivity.outputs if summary.sensitivity else []
    for quantity in ("min_veto_margin", "p_hold"):
        for o in outputs:
            if (o.output.quantity, o.output.subject) != (quantity, proposal.id):
                continue
            items = [f"{x.label} (S1 {x.s1:.2f} ± {x.s1_conf:.2f})" for x in o.top_given(n, MIN_ST)]
            if items:
                return [f"{quantity}: " + "; ".join(items)]
    out: list[str] = []
    inf = proposal.influential
    for what, rows in (
        ("passes", inf.passes),
        ("min_veto_margin", inf.min_veto_margin),
        ("p_hold", inf.p_hold),
    ):
        if rows:
            out.append(f"{what}: " + "; ".join(f"{r.label} (r {r.r:+.2f})" for r in rows[:n]))
    return out


def print_sweep(summary: SweepSummary, console: Console) -> None:
    """Per proposal: pass probabilities, the most influential inputs and the switch points."""
    console.print(
        f"{summary.draws:,} draws of {len(summary.inputs)} ranged inputs "
        f"({summary.spec.method}, seed {summary.spec.seed})",
        markup=False,
    )
    table = Table(show_lines=False)
    table.add_column("proposal")
    table.add_column("central")
    table.add_column("P(passes) [95% CI]", justify="right")
    table.add_column("by institution")
    for p in summary.proposals:
        lo, hi = p.passes.ci95
        insts = ", ".join(f"{iid} {pct(r.p_pass)}" for iid, r in p.institutions.items())
        table.add_row(
            p.id,
            "passes" if p.passes.central else "fails",
            f"{pct(p.passes.p_pass)} [{pct(lo)}, {pct(hi)}]",
            insts,
        )
    console.print(table)
    switches = {(e.proposal, e.institution): e for e in summary.switch_points}
    for p in summary.proposals:
        console.print(f"\n{p.id}", markup=False, style="bold")
        for line in influential(summary, p):
            console.print(f"  most influential — {line}", markup=False)
        for iid in p.institutions:
            e = switches.get((p.id, iid))
            if e is None:
                continue
            for s in e.switches:
                console.print(f"  switch: {s.sentence}", markup=False)
            if not e.switches:
                verdict = "passes" if e.central else "fails"
                console.print(
                    f"  {verdict} {iid} whatever any single input does within its range",
                    markup=False,
                )
