"""The terminal summary of an Analysis (rich tables; rendering only)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from ceasefire.report import text
from ceasefire.report.format import interval_of, num, pct
from ceasefire.results import Analysis


def summary(analysis: Analysis, console: Console) -> None:
    """Proposals x key figures, then who blocks what and why."""
    a = analysis
    console.print(f"[bold]{a.scenario.title}[/bold]  ({a.scenario.id})")
    held = (
        f"Government holds {pct(a.held_area_share)} of the recognised area; "
        if any(p.coverage.units for p in a.proposals)
        else ""
    )
    no_deal = (
        "fighting continues without a deal"
        if a.fighting
        else "no fighting without a deal (the no-deal point carries no war costs)"
    )
    console.print(f"{held}{no_deal}.")
    table = Table(
        title="Proposals (shares of the recognised area)",
        caption="accept: actors preferring the proposal to no deal; "
        "passes: every institution the proposal needs consents",
    )
    table.add_column("proposal", style="bold", no_wrap=True)
    table.add_column("invited", justify="right")
    table.add_column("guaranteed", justify="right")
    table.add_column("ceded", justify="right")
    table.add_column("occupied", justify="right")
    table.add_column("accept", justify="right")
    table.add_column("passes", justify="center")
    table.add_column("P(hold)", justify="right")
    table.add_column("P(break 5y)", justify="right")
    for p in a.proposals:
        n_acc = sum(r.accepts for r in p.acceptance.values())
        hold = p.deterrence.p_hold.central if p.deterrence else None
        brk = p.durability.p_breakdown_5y.central if p.durability else None
        table.add_row(
            p.id,
            pct(p.coverage.invited_area_share),
            pct(p.coverage.guaranteed_area_share),
            pct(p.coverage.ceded_area_share),
            pct(p.coverage.occupied_area_share),
            f"{n_acc}/{len(p.acceptance)}",
            "[green]yes[/green]" if p.passes else "[red]no[/red]",
            num(hold, "%.2f"),
            num(brk, "%.2f"),
        )
    console.print(table)
    if a.aggressor:
        console.print(
            f"P(hold): chance {a.aggressor} keeps the line (guarantee game, central run); "
            "P(break 5y): prior chance a ceasefire breaks down within 5 years. "
            "Details: ceasefire deter.",
            style="dim",
        )
    console.print("[bold]Who blocks what, and why[/bold]")
    rescues = text.rescue_sentences(a)
    for p in a.proposals:
        verdict = text.verdict(p)
        colour = "green" if p.passes else "red"
        console.print(f"  [{colour}]{p.id}[/{colour}]: {verdict}")
        for line in text.blocker_sentences(p):
            console.print(f"      {line}")
        if not p.passes:
            console.print(f"      [cyan]rescue:[/cyan] {rescues[p.id]}", highlight=False)
        for w in p.warnings:
            console.print(f"      [yellow]! {w.code}:[/yellow] {w.text}", highlight=False)
    if a.forecasts:
        console.print("[bold]Where bargaining ends up[/bold] (details: ceasefire forecast)")
        for f in a.forecasts:
            where = ", ".join(f"{d} {v:.0f}" for d, v in f.outcome.items())
            console.print(
                f"  {f.engine} ({f.variant}): {where} — nearest: {f.nearest_proposal}",
                highlight=False,
            )
    track_record(a, console)


def track_record(a: Analysis, console: Console) -> None:
    """One line per stage: its measured out-of-sample record (issue 12), when attached."""
    if a.track_record is None:
        return
    console.print("[bold]Track record[/bold] (out of sample; details: ceasefire backtest)")
    for line in a.track_record.lines([(f.engine, f.variant) for f in a.forecasts]):
        console.print(f"  {line}", markup=False, highlight=False)


def _iv(iv: Any) -> str:
    return interval_of(iv, brackets=True)


def deterrence(analysis: Analysis, console: Console) -> None:
    """The guarantee game and durability per proposal: central value [5th, 95th percentile]."""
    a = analysis
    draws = a.monte_carlo["draws"]
    if a.aggressor is None:
        console.print("The scenario names no aggressor: the guarantee game is not run.")
    else:
        table = Table(
            title=f"Guarantee game (aggressor {a.aggressor}; central [5%, 95%] over {draws} draws)"
        )
        for col in (
            "proposal",
            "order",
            "g",
            "P(hold)",
            "P(attack covered)",
            "P(guarantor war)",
            "q*",
        ):
            table.add_column(
                col,
                justify="left" if col in ("proposal", "order") else "right",
                no_wrap=col in ("proposal", "order"),
            )
        for p in a.proposals:
            d = p.deterrence
            if d is None:
                continue
            for k, o in enumerate([d, *d.alternatives.values()]):
                qc = o.q_critical.central
                table.add_row(
                    p.id if k == 0 else "",
                    o.sequence.replace("_", " "),
                    f"{o.g:.2f}",
                    _iv(o.p_hold),
                    _iv(o.p_attack_covered),
                    _iv(o.p_guarantor_war),
                    "none" if qc is None else num(qc),
                )
        console.print(table)
    table = Table(title="Ceasefire durability (priors, not published estimates)")
    for col in ("proposal", "mechanisms", "P(break ≤1y)", "P(break ≤5y)", "median years"):
        table.add_column(
            col,
            justify="left" if col in ("proposal", "mechanisms") else "right",
            no_wrap=col == "proposal",
        )
    for p in a.proposals:
        u = p.durability
        if u is None:
            continue
        table.add_row(
            p.id,
            ", ".join(u.mechanisms) or "none",
            _iv(u.p_breakdown_1y),
            _iv(u.p_breakdown_5y),
            num(u.median_years.central, "%.1f"),
        )
    console.print(table)
    for p in a.proposals:
        console.print(f"[bold]{p.id}[/bold]: {text.deterrence_paragraph(p, a.aggressor)}")


def winsets(analysis: Analysis, chains: list[Any], console: Console) -> None:
    """Win-sets of institution chains, then the rescues of the rejected proposals."""
    for w in chains:
        console.print(
            f"[bold]{w.id}[/bold]: {len(w.veto_players)} veto players — "
            + ("[red]empty[/red]" if w.empty else "[green]not empty[/green]")
        )
        if w.empty:
            for c in w.conflicts:
                console.print(f"    conflicting: {' × '.join(c)}")
            if w.unexplained:
                console.print("    no conflicting set of three or fewer veto players")
            continue
        share = f"{w.volume_share:.4g}"
        if w.volume_method == "degenerate":
            share += " (flat: the win-set is lower-dimensional)"
        console.print(f"    volume share of the space: {share}")
        table = Table(show_header=True)
        table.add_column("dimension")
        table.add_column("deep point", justify="right")
        table.add_column("extent", justify="right")
        assert w.center is not None and w.extent is not None
        for d, v in w.center.items():
            lo, hi = w.extent[d]
            table.add_row(d, f"{v:.1f}", f"{lo:.1f} – {hi:.1f}")
        console.print(table)
    console.print("[bold]Rescues[/bold]")
    rescues = text.rescue_sentences(analysis)
    for p in analysis.proposals:
        console.print(f"  {rescues[p.id]}")
        for line in text.actor_change_sentences(p):
            console.print(f"      {line}")


def forecasts(results: list[Any], scenario: Any, console: Console) -> None:
    """Per dimension, where each engine expects the negotiation to end."""
    if not results:
        return
    dims = results[0].dimensions
    table = Table(title="Bargaining forecasts (0-100 scale per dimension)")
    table.add_column("engine", no_wrap=True)
    for d in dims:
        table.add_column(d, justify="right")
    table.add_column("rounds", justify="right")
    table.add_column("nearest proposal", no_wrap=True)
    for f in results:
        table.add_row(
            f"{f.engine} ({f.variant})",
            *(f"{f.outcome[d]:.1f}" for d in dims),
            str(f.rounds),
            f"{f.nearest_proposal} ({f.distances[f.nearest_proposal]:.1f})"
            if f.nearest_proposal
            else "—",
        )
    for p in scenario.proposals:
        table.add_row(
            f"[dim]proposal {p.id}[/dim]", *(f"[dim]{p.position[d]:g}[/dim]" for d in dims), "", ""
        )
    console.print(table)
    console.print(
        "nearest proposal: the smallest mean absolute distance per dimension (scale points)."
    )
    for f in results:
        if f.probabilities:
            console.print(f"[bold]{f.engine}[/bold]: final options and their probabilities")
            for prob, pos, holders in text.smp_options(f)[:4]:
                where = ", ".join(f"{d} {v:.1f}" for d, v in zip(dims, pos, strict=True))
                console.print(f"    p = {prob:.3f}  at {where}  ({', '.join(holders)})")
