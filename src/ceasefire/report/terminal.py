"""The terminal summary of an Analysis (rich tables; rendering only)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ceasefire.analysis import Analysis
from ceasefire.report import text


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def summary(analysis: Analysis, console: Console) -> None:
    """Proposals x key figures, then who blocks what and why."""
    a = analysis
    console.print(f"[bold]{a.scenario.title}[/bold]  ({a.scenario.id})")
    console.print(
        f"Government holds {_pct(a.held_area_share)} of the recognised area; "
        f"fighting {'continues' if a.fighting else 'has stopped'} without a deal."
    )
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
    for p in a.proposals:
        n_acc = sum(r.accepts for r in p.acceptance.values())
        table.add_row(
            p.id,
            _pct(p.coverage.invited_area_share),
            _pct(p.coverage.guaranteed_area_share),
            _pct(p.coverage.ceded_area_share),
            _pct(p.coverage.occupied_area_share),
            f"{n_acc}/{len(p.acceptance)}",
            "[green]yes[/green]" if p.passes else "[red]no[/red]",
        )
    console.print(table)
    console.print("[bold]Who blocks what, and why[/bold]")
    for p in a.proposals:
        verdict = text.verdict(p)
        colour = "green" if p.passes else "red"
        console.print(f"  [{colour}]{p.id}[/{colour}]: {verdict}")
        for line in text.blocker_sentences(p):
            console.print(f"      {line}")
        for w in p.warnings:
            console.print(f"      [yellow]! {w.code}:[/yellow] {w.text}", highlight=False)
