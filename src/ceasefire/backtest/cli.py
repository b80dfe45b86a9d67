"""``ceasefire backtest``: forecast accuracy on data with known outcomes (a typer sub-app).

I/O edge: reads the file, calls the pure parser and runner, prints or writes. Bad input
(a missing or unreadable file, another layout, bad cells, an unusable --out folder) prints a
located message on stderr and exits with status 2, never a traceback. Commands: ``deu``
(engines against DEU III) and ``cases`` (the historical cases' ``[[observed]]`` rows).
"""

from __future__ import annotations

import hashlib
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ceasefire.console import err_console, fail, out_console

if TYPE_CHECKING:
    from ceasefire.scenario import Scenario


backtest_app = typer.Typer(
    help="How accurate are the engines? Backtests on decisions with known outcomes.",
    no_args_is_help=True,
)

# the options both commands share: where to write, whether to reuse the folder, JSON output
OutOption = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Also write results.json and report.html here."),
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Write into an existing non-empty --out folder.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the results as JSON.")]


class Capability(StrEnum):
    gdp = "gdp"
    equal = "equal"
    votes = "votes"


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        fail([f"{file}: file not found"])
    except IsADirectoryError:
        fail([f"{file}: is a folder, not a file"])
    except UnicodeDecodeError as err:
        fail([f"{file}: not UTF-8 text (byte {err.start})"])
    except OSError as err:
        fail([f"{file}: cannot read: {err.strerror}"])


@backtest_app.command("deu")
def deu(
    file: Annotated[
        Path,
        typer.Argument(
            help="A DEU III table: deu3.csv of blksv/predictioneers_game (tab-separated, GDP "
            "row) or the deposit's table (doi:10.34810/data53). Not shipped: bring your own."
        ),
    ],
    capability: Annotated[
        Capability | None,
        typer.Option(
            help="Actor capabilities: gdp (the file's GDP row; default when it has one), "
            "equal (default otherwise) or votes (Council votes under the Treaty of Nice)."
        ),
    ] = None,
    out: OutOption = None,
    force: ForceOption = False,
    as_json: JsonOption = False,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the bootstrap and engines.")] = 0,
) -> None:
    """Score every engine on DEU III (EU legislative issues with known outcomes)."""
    from ceasefire import __version__
    from ceasefire.backtest import render
    from ceasefire.backtest.deu import DeuFormatError, parse
    from ceasefire.backtest.runner import backtest

    text = _read(file)
    try:
        data = parse(text, str(file))
        cap = capability.value if capability else ("gdp" if data.gdp is not None else "equal")
        result = backtest(
            data,
            source=file.name,
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            capability=cap,
            seed=seed,
            package_version=__version__,
        )
    except DeuFormatError as err:
        fail([err.located(str(file))])
    if out is not None:
        _write(out, force, "deu", result.model_dump_json(indent=2) + "\n", render.html(result))
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        render.terminal(result, out_console)
    if out is not None:
        err_console.print(f"Wrote {out / 'results.json'} and {out / 'report.html'}", markup=False)


def _load_case(ref: str) -> tuple[Scenario, str]:
    """A scenario with observed rows, from a built-in id or a file path; exit 2 otherwise."""
    from ceasefire.scenario import ScenarioError, read

    try:
        loaded = read(ref)
    except ScenarioError as err:
        fail(err.lines(located=True))
    if not loaded.scenario.observed:
        fail(
            [
                f"{loaded.source}: scenario {loaded.scenario.id!r} has no [[observed]] rows: "
                "nothing to score (see docs/specs/observed.md)"
            ]
        )
    return loaded.scenario, loaded.sha256


def case_ids() -> list[str]:
    """The built-in scenarios that record what happened (have ``[[observed]]`` rows)."""
    from ceasefire.scenario import builtin_ids, load

    return [sid for sid in builtin_ids() if load(sid).observed]


def _write(out: Path, force: bool, kind: str, results_json: str, report_html: str) -> None:
    """Write results.json and report.html into a new ``--out`` folder; exit 2 if it cannot."""
    from ceasefire.outputs import OutputError, atomic_write, prepare_run_dir

    try:
        folder = prepare_run_dir(out, kind, force, Path("runs"))
        atomic_write(folder / "results.json", results_json)
        atomic_write(folder / "report.html", report_html)
    except OutputError as err:
        fail([str(err)])
    except OSError as err:
        fail([f"{out}: cannot write: {err.strerror}"])


@backtest_app.command("cases")
def cases(
    refs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Built-in case ids or scenario files with [[observed]] rows; none = every "
            "built-in case.",
            show_default=False,
        ),
    ] = None,
    out: OutOption = None,
    force: ForceOption = False,
    as_json: JsonOption = False,
) -> None:
    """Score the model against historical cases: decisions, blockers, rescues, durability."""
    from ceasefire import __version__
    from ceasefire.backtest import render_cases
    from ceasefire.backtest.cases import run_cases

    loaded = [_load_case(ref) for ref in (refs or case_ids())]
    result = run_cases([s for s, _ in loaded], package_version=__version__)
    if out is not None:
        _write(
            out, force, "cases", result.model_dump_json(indent=2) + "\n", render_cases.html(result)
        )
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        render_cases.terminal(result, out_console)
    if out is not None:
        err_console.print(f"Wrote {out / 'results.json'} and {out / 'report.html'}", markup=False)
