"""Terminal summary of a sweep (``ceasefire sweep``): renders a summary, computes nothing."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from ceasefire.report.format import input_label, pct_bounded, quantity_label
from ceasefire.report.terminal import Cell, Column, grid, say
from ceasefire.sweep_results import (
    DecisionSwitches,
    Headline,
    ProposalSweep,
    RescueSweep,
    SweepSummary,
)

#: an input is named among the most influential when its first-order index exceeds this
MIN_ST = 0.01


def influential(summary: SweepSummary, proposal: ProposalSweep, n: int = 3) -> list[str]:
    """The proposal's most influential inputs: first-order indices of its smallest veto
    margin and of its P(hold) when the sensitivity analysis ran, else the sweep's
    correlations."""
    outputs = summary.sensitivity.outputs if summary.sensitivity else []
    given: list[str] = []
    for quantity in ("min_veto_margin", "p_hold"):
        for o in outputs:
            if (o.output.quantity, o.output.subject) != (quantity, proposal.id):
                continue
            items = [
                f"{input_label(x.input, x.label)} (S1 {x.s1:.2f} ± {x.s1_conf:.2f})"
                for x in o.top_given(n, MIN_ST)
            ]
            if items:
                given.append(f"{quantity_label(quantity)}: " + "; ".join(items))
    if given:
        return given
    out: list[str] = []
    inf = proposal.influential
    for what, rows in (
        ("passes", inf.passes),
        ("min_veto_margin", inf.min_veto_margin),
        ("p_hold", inf.p_hold),
    ):
        if rows:
            named = (f"{input_label(r.input, r.label)} (r {r.r:+.2f})" for r in rows[:n])
            out.append(f"{quantity_label(what)}: " + "; ".join(named))
    return out


SWEEP_COLUMNS = (
    Column("proposal", justify="left"),
    Column("central", justify="left"),
    Column("P(passes) [95% CI]"),
    Column("by institution", justify="left", wrap=True),
)


def _row(p: ProposalSweep) -> list[Cell]:
    """A proposal's central verdict and pass probabilities ("< 0.1%" rather than a rounded 0)."""
    lo, hi = p.passes.ci95
    insts = ", ".join(f"{iid} {pct_bounded(r.p_pass)}" for iid, r in p.institutions.items())
    return [
        Text(p.id),
        "passes" if p.passes.central else "fails",
        f"{pct_bounded(p.passes.p_pass)} [{pct_bounded(lo)}, {pct_bounded(hi)}]",
        Text(insts),
    ]


def _switch_lines(p: ProposalSweep, switches: dict[tuple[str, str], DecisionSwitches]) -> list[str]:
    """Per institution: the switch points of its conclusion, or that no single input flips it."""
    out: list[str] = []
    for iid in p.institutions:
        e = switches.get((p.id, iid))
        if e is None:
            continue
        out += [
            "switch: " + s.sentence.replace(s.label, input_label(s.input, s.label))
            for s in e.switches
        ]
        if not e.switches:
            verdict = "passes" if e.central else "fails"
            out.append(f"{verdict} {iid} whatever any single input does within its range")
    return out


def rescue_line(r: RescueSweep) -> str:
    """How often a proposal passes or is rescuable, and how far its rescuer moves."""
    lo, hi = r.ci95
    move = r.distance.median
    by = "" if move is None else f"; median move of its rescuer {move:.1f} salience-weighted points"
    return (
        f"passes or is rescuable in {pct_bounded(r.p_rescuable)} of draws "
        f"[{pct_bounded(lo)}, {pct_bounded(hi)}] (rescuable only: "
        f"{pct_bounded(r.p_rescue_only)}{by}; any term may move, its defining ones included)"
    )


def _headline(h: Headline) -> str:
    """A headline output in words (``smallest veto margin · wgm``), no internal names."""
    return " · ".join(
        [quantity_label(h.quantity), h.subject, *([h.dimension] if h.dimension else [])]
    )


def sensitivity_flags(summary: SweepSummary) -> list[str]:
    """What the sensitivity analysis could not settle, with what to do about it: given-data
    indices whose first-half estimate disagrees with the full one, and Sobol' indices whose
    interval is wide or outside [0, 1] (an interval narrows as 1/sqrt(N): 4 N halves it)."""
    sens = summary.sensitivity
    if sens is None:
        return []
    out: list[str] = []
    unconverged = sens.unconverged()
    chance = sens.chance_flags()
    if len(unconverged) > chance:
        outputs = list(dict.fromkeys(_headline(h) for h, _ in unconverged))
        more = f" and {len(outputs) - 2} more outputs" if len(outputs) > 2 else ""
        out.append(
            f"{len(unconverged)} of {sens.checked()} first-order indices not converged (the "
            f"first half of the draws disagrees with all of them: {'; '.join(outputs[:2])}"
            f"{more}; chance alone explains up to {chance}); increase --draws (now "
            f"{summary.draws:,}; try {2 * summary.draws:,})"
        )
    elif unconverged:
        out.append(
            f"{len(unconverged)} of {sens.checked()} first-order indices' first-half estimates "
            f"fall outside their interval: no more than chance explains (up to {chance} at "
            f"95 %), so no sign that more draws would change them"
        )
    unresolved = sens.unresolved()
    if unresolved:
        n = sens.sobol_n or 0
        out.append(
            f"{len(unresolved)} Sobol' indices not resolved (interval wider than ±0.1 or "
            f"outside [0, 1]); increase --sobol-n (now {n:,}; try {4 * n:,})"
        )
    return out


def print_sweep(summary: SweepSummary, console: Console) -> None:
    """Per proposal: pass probabilities, the most influential inputs and the switch points."""
    console.print(
        f"{summary.draws:,} draws of {len(summary.inputs)} ranged inputs "
        f"({summary.spec.method}, seed {summary.spec.seed})",
        markup=False,
    )
    grid(console, SWEEP_COLUMNS, [_row(p) for p in summary.proposals])
    switches = {(e.proposal, e.institution): e for e in summary.switch_points}
    rescues = {r.id: r for r in summary.rescues}
    for p in summary.proposals:
        console.print(f"\n{p.id}", markup=False, style="bold")
        lines = [f"most influential — {x}" for x in influential(summary, p)]
        if p.id in rescues:
            lines.append(rescue_line(rescues[p.id]))
        for line in lines + _switch_lines(p, switches):
            say(console, Text(line), indent=2)
    flags = sensitivity_flags(summary)
    if flags:
        console.print("\nsensitivity", markup=False, style="bold")
    for line in flags:
        say(console, Text(line), indent=2)
