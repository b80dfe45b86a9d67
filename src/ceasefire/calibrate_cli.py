"""``ceasefire calibrate``: fit the guarantee game to observed choices (deterrence.md §4.7).

I/O edge: reads the scenarios (built-in ids or TOML files), calls the pure fit, prints a
table or JSON. Bad input prints a located message on stderr and exits with status 2.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ceasefire.console import fail, out_console

#: the flagship and the historical cases with an observed deterrence choice (issue 14)
DEFAULT_CASES: tuple[str, ...] = ("ukraine-2024-11", "frg-1954", "bucharest-2008", "korea-1953")


def _num(x: float | None) -> str:
    return "—" if x is None else f"{x:.3g}"


def calibrate(
    scenarios: Annotated[
        list[str] | None,
        typer.Argument(help="Scenario TOML files or built-in ids (default: flagship + cases)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the fit as JSON.")] = False,
) -> None:
    """Fit λ, the aggressor's cost of war and chance of prevailing to the observed choices."""
    from rich.table import Table

    from ceasefire.backtest.calibration import calibration
    from ceasefire.scenario import ScenarioError, read

    loaded = []
    for ref in scenarios or DEFAULT_CASES:
        try:
            loaded.append(read(ref).scenario)
        except ScenarioError as err:
            fail(err.lines(located=True))
    try:
        result = calibration(loaded)
    except ValueError as err:
        fail([f"calibrate: {err}"])
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        return
    params = Table(title="Fitted parameters (docs/specs/deterrence.md §4.7)")
    for col in ("parameter", "case", "fitted", "stated", "range", "reproduces on"):
        params.add_column(col)
    for p in result.parameters:
        params.add_row(
            p.name,
            p.case,
            f"{p.value:.3g}",
            f"{p.central:.3g}",
            f"{p.low:.3g}-{p.high:.3g}",
            f"{_num(p.reproduces_from)}-{_num(p.reproduces_to)}",
        )
    targets = Table(title="Observed choices: P(observed) before → after the fit")
    for col in ("case", "observed", "before", "after", "residual"):
        targets.add_column(col)
    for t in result.targets:
        targets.add_row(
            t.case,
            t.observed,
            f"{t.probability_before:.3f}",
            f"{t.probability_after:.3f}",
            f"{t.residual:.3f}",
        )
    out_console.print(params)
    out_console.print(targets)
    out_console.print(
        f"objective {result.objective_before:.4f} → {result.objective_after:.4f}"
        + ("" if result.converged else " (the optimiser did not report convergence)")
    )
