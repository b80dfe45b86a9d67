"""Terminal summary of a sweep (``ceasefire sweep``): renders a summary dict, computes nothing."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def influential(summary: dict[str, Any], proposal: dict[str, Any], n: int = 3) -> list[str]:
    """The proposal's most influential inputs: Sobol' total indices of its smallest veto
    margin (or P(hold)) when the sensitivity analysis ran, else the sweep's correlations."""
    sens = summary.get("sensitivity") or {}
    labels = sens.get("labels", {})
    for key in (f"min_veto_margin|{proposal['id']}", f"p_hold|{proposal['id']}"):
        res = (sens.get("sobol") or {}).get(key)
        if res and res.get("ST"):
            pairs = sorted(
                ((st or 0.0, nm) for nm, st in zip(res["names"], res["ST"], strict=True)),
                reverse=True,
            )
            items = [f"{labels.get(nm, nm)} (ST {st:.2f})" for st, nm in pairs[:n] if st > 0.01]
            if items:
                return [f"{key.split('|')[0]}: " + "; ".join(items)]
    out: list[str] = []
    for what, rows in proposal.get("influential", {}).items():
        if rows:
            out.append(f"{what}: " + "; ".join(f"{r['label']} (r {r['r']:+.2f})" for r in rows[:n]))
    return out


def print_sweep(summary: dict[str, Any], console: Console) -> None:
    """Per proposal: pass probabilities, the most influential inputs and the switch points."""
    console.print(
        f"{summary['draws']:,} draws of {len(summary['inputs'])} ranged inputs "
        f"({summary['method']}, seed {summary['seed']})",
        markup=False,
    )
    table = Table(show_lines=False)
    table.add_column("proposal")
    table.add_column("central")
    table.add_column("P(passes) [95% CI]", justify="right")
    table.add_column("by institution")
    for p in summary["proposals"]:
        lo, hi = p["ci95"]
        insts = ", ".join(f"{iid} {_pct(r['p_pass'])}" for iid, r in p["institutions"].items())
        table.add_row(
            p["id"],
            "passes" if p["central_passes"] else "fails",
            f"{_pct(p['p_pass'])} [{_pct(lo)}, {_pct(hi)}]",
            insts,
        )
    console.print(table)
    switches = {(e["proposal"], e["institution"]): e for e in summary.get("switch_points", [])}
    for p in summary["proposals"]:
        console.print(f"\n{p['id']}", markup=False, style="bold")
        for line in influential(summary, p):
            console.print(f"  most influential — {line}", markup=False)
        for iid in p["institutions"]:
            e = switches.get((p["id"], iid))
            if e is None:
                continue
            if e["switches"]:
                for s in e["switches"]:
                    console.print(f"  switch: {s['sentence']}", markup=False)
            else:
                verdict = "passes" if e["central"] else "fails"
                console.print(
                    f"  {verdict} {iid} whatever any single input does within its range",
                    markup=False,
                )
