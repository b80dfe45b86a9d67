"""``ceasefire calibrate``: fit the guarantee game to observed choices (deterrence.md §4.7).

I/O edge: reads the scenarios (built-in ids or TOML files), calls the pure fit, prints a
table or JSON. Bad input prints a located message on stderr and exits with status 2.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from ceasefire.console import fail, out_console

if TYPE_CHECKING:  # the results models cost ~80 ms to import: not at `ceasefire --help`
    from rich.table import Table

    from ceasefire.results import CalibrationCheck

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
    from ceasefire.backtest.calibration import check
    from ceasefire.report.format import input_label
    from ceasefire.scenario import ScenarioError, read

    loaded = []
    for ref in scenarios or DEFAULT_CASES:
        try:
            loaded.append(read(ref).scenario)
        except ScenarioError as err:
            fail(err.lines(located=True))
    try:
        result, held = check(loaded)
    except ValueError as err:
        fail([f"calibrate: {err}"])
    if as_json:
        doc = result.model_dump(mode="json")
        doc["out_of_sample"] = None if held is None else held.model_dump(mode="json")
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return
    params = _table(
        "Fitted parameters (docs/specs/deterrence.md §4.7)",
        ("parameter", "case", "fitted", "stated", "range", "reproduces on"),
        [
            (
                input_label(f"deterrence.{p.name}", p.name),
                p.case,
                f"{p.value:.3g}",
                f"{p.central:.3g}",
                f"{p.low:.3g}-{p.high:.3g}",
                f"{_num(p.reproduces_from)}-{_num(p.reproduces_to)}",
            )
            for p in result.parameters
        ],
    )
    targets = _table(
        "Observed choices: P(observed) before → after the fit",
        ("case", "observed", "before", "after", "residual"),
        [
            (
                t.case,
                t.observed,
                f"{t.probability_before:.3f}",
                f"{t.probability_after:.3f}",
                f"{t.residual:.3f}",
            )
            for t in result.targets
        ],
    )
    out_console.print(params)
    out_console.print(targets)
    out_console.print(
        f"objective {result.objective_before:.4f} → {result.objective_after:.4f}"
        + ("" if result.converged else " (the optimiser did not report convergence)")
    )
    if held is not None:
        _print_held_out(held)


def _table(title: str, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> Table:
    """A titled table whose cells fold rather than cut at 80 columns."""
    from rich.table import Table

    table = Table(title=title)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table


def _print_held_out(held: CalibrationCheck) -> None:
    """The leave-one-case-out table and the three scores (stated, in sample, out of sample)."""
    table = _table(
        "Out of sample: each case predicted with λ fitted on the other cases only "
        "(its own c1, p1 at their stated values)",
        ("case", "observed", "stated", "in sample", "out of sample", "λ (others)"),
        [
            (
                t.case,
                t.observed,
                f"{t.probability_before:.3f}",
                f"{t.probability_in_sample:.3f}",
                f"{t.probability_out_of_sample:.3f}",
                f"{t.lam_out_of_sample:.3g}",
            )
            for t in held.targets
        ],
    )
    out_console.print(table)
    out_console.print(
        f"mean log loss: stated {held.log_loss_before:.3f}, in sample "
        f"{held.log_loss_in_sample:.3f}, out of sample {held.log_loss_out_of_sample:.3f}; "
        f"Brier: {held.brier_before:.3f}, {held.brier_in_sample:.3f}, "
        f"{held.brier_out_of_sample:.3f}"
    )
    if all(t.probability_before > 0.5 for t in held.targets):
        out_console.print(
            "every observed choice is already the likelier one at the stated values: a larger λ "
            "sharpens them all, so a better score here does not show that the game tells "
            "outcomes apart (a case the game gets wrong would)"
        )
    if held.log_loss_out_of_sample >= held.log_loss_before:
        out_console.print(
            "the fitted λ does not predict a held-out case better than the stated value: "
            "treat the fit as descriptive, not as a calibration"
        )
