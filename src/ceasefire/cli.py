"""The command line: thin — parse, call the pipeline, print.

Bad input (a scenario with problems, a folder that would be overwritten) prints located
messages on stderr and exits with status 2, never a traceback.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ceasefire import __version__, calibrate_cli
from ceasefire.backtest.cli import backtest_app
from ceasefire.console import err_console, fail, out_console

if TYPE_CHECKING:
    from ceasefire.scenario import Loaded

# Start-up time (issue 18, item 2): this module imports typer and rich only. Every command
# imports what it needs when it runs: `--help`, `list`, `show` and `schema` load neither
# pydantic's models nor numpy, scipy, pandas or plotly (tests/cli/test_startup.py checks it).

DEFAULT_SCENARIO = "ukraine-2024-11"
#: the most draws of `run` and `deter`: as in a scenario file (schema.MAX_SCENARIO_DRAWS) and
#: the web app's runs; a test checks the three agree
MAX_RUN_DRAWS = 100_000

app = typer.Typer(
    name="ceasefire",
    help="Judge proposals to end a war: what each covers and concedes, who can veto it, every "
    "settlement all veto players accept, where bargaining ends, whether it deters and holds, "
    "and how sure we are.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _load(ref: str) -> Loaded:
    from ceasefire.scenario import ScenarioError, read

    try:
        return read(ref)
    except ScenarioError as err:
        fail(err.lines(located=True))


SeedOpt = Annotated[int | None, typer.Option(min=0, help="Random seed (default: the scenario's).")]
ScenarioArg = Annotated[
    str,
    typer.Argument(help="A scenario TOML file or a built-in id (see `ceasefire list`)."),
]


@app.command()
def run(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Run folder (default: a new folder under runs/)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Write into an existing non-empty --out folder.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No terminal summary.")] = False,
    draws: Annotated[
        int | None,
        typer.Option(
            min=10,
            max=MAX_RUN_DRAWS,
            help="Monte Carlo draws (default: the scenario's; at most 100,000); given, also "
            "sweeps every stated range (with a progress bar) and adds the uncertainty section "
            "to the report.",
        ),
    ] = None,
    seed: SeedOpt = None,
) -> None:
    """Analyse a scenario; print a summary; write results.json and report.html."""
    from ceasefire.backtest import record
    from ceasefire.outputs import write_run
    from ceasefire.report import html, terminal
    from ceasefire.run import SweepOptions
    from ceasefire.run import run as run_scenario

    # a named folder is claimed before the (slow) load: a refusal comes at once, and of two
    # runs started together into one folder the second is refused (issue 18, item 9)
    made = out is None or not out.exists()  # a folder this run creates, it may remove again
    folder = _claim(out, "", force) if out is not None else None
    try:
        loaded = _load(scenario)
        folder = folder or _claim(None, loaded.scenario.id, force)
        # --draws also sweeps every stated range (in memory) for the uncertainty section
        # with --draws, the sweep's progress bar (it was 30 s of silence for 2,000 draws)
        bar = _draws_bar(draws) if draws is not None else nullcontext(None)
        with bar as advance:
            result = run_scenario(
                loaded.scenario,
                sha256=loaded.sha256,
                source=loaded.source,
                draws=draws,
                seed=seed,
                sweep=SweepOptions() if draws is not None else None,
                progress=advance,
                track_record=record.load(),
            )
        report = html.render(result, loaded.scenario, loaded.geometry)
        write_run(folder, result, report_html=report)
    finally:
        _release(folder, made)
    if not quiet:
        terminal.summary(result, out_console)
        out_console.print()
    out_console.print(f"Wrote {folder / 'results.json'} and {folder / 'report.html'}")


def _claim(out: Path | None, scenario_id: str, force: bool) -> Path:
    """The run folder, claimed for this process (``outputs.claim_run_dir``); exit 2 if not."""
    from ceasefire.outputs import OutputError, claim_run_dir

    try:
        return claim_run_dir(out, scenario_id, force, Path("runs"))
    except OutputError as err:
        fail([str(err)])
    except OSError as err:
        fail([f"{out}: cannot create the run folder: {err.strerror}"])


def _release(folder: Path | None, made: bool) -> None:
    """Give the folder's claim back; a folder this run made and left empty (it failed) goes."""
    from ceasefire.outputs import release

    if folder is None:
        return
    release(folder)
    if made and not any(folder.iterdir()):
        folder.rmdir()


ENGINE_CHOICES = ("compromise", "nash", "bdm", "smp", "all")


def _module_missing(module: str) -> bool:
    """Whether an optional module (an engine's ``Capabilities.accelerator``) is not installed."""
    return importlib.util.find_spec(module) is None


def _sweep_engines(
    method: str, backend: str, address: str | None, engines: str, sensitivity: str = "rbd-fast"
) -> tuple[str, ...]:
    """The engines a sweep runs, after checking its options (every problem at once, exit 2)."""
    from ceasefire.uncertainty.backends import BACKENDS
    from ceasefire.uncertainty.ranges import METHODS
    from ceasefire.uncertainty.sensitivity import METHODS as SENSITIVITY

    problems = []
    if sensitivity not in SENSITIVITY:
        choices = ", ".join(SENSITIVITY)
        problems.append(f"--sensitivity {sensitivity}: unknown (choose from {choices})")
    if method not in METHODS:
        problems.append(f"--method {method}: unknown (choose from {', '.join(METHODS)})")
    if backend not in BACKENDS:
        problems.append(f"--backend {backend}: unknown (choose from {', '.join(BACKENDS)})")
    if address is not None and backend != "dask":
        problems.append("--address: needs --backend dask")
    names = tuple(e for e in engines.split(",") if e and e != "none")
    bad = [e for e in names if e not in ENGINE_CHOICES[:-1]]
    if bad:
        problems.append(
            f"--engines {engines}: unknown engine(s) {', '.join(bad)} (choose from "
            f"{', '.join(ENGINE_CHOICES[:-1])}, comma-separated, or none)"
        )
    if problems:
        fail(problems)
    return names


@contextmanager
def _draws_bar(total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (draws done, draws/s, time left); yields its ``advance``."""
    import time

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("draws · {task.fields[rate]} draws/s · left"),
        TimeRemainingColumn(),
    )
    start = time.perf_counter()
    with Progress(*columns, console=err_console, transient=False) as bar:
        task = bar.add_task("sweep", total=total, rate="-")

        def advance(n: int) -> None:
            bar.advance(task, n)
            rate = bar.tasks[0].completed / max(time.perf_counter() - start, 1e-9)
            bar.update(task, rate=f"{rate:,.0f}")

        yield advance


@app.command()
def sweep(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    draws: Annotated[
        int,
        typer.Option(
            min=10,
            max=100_000_000,
            help="Draws (streamed to the folder in chunks, so beyond a run's 100,000).",
        ),
    ] = 2000,
    seed: SeedOpt = None,
    method: Annotated[str, typer.Option(help="lhs | sobol | random")] = "lhs",
    backend: Annotated[str, typer.Option(help="serial | processes | dask")] = "serial",
    address: Annotated[
        str | None, typer.Option(help="Dask scheduler tcp://HOST:PORT (default: local cluster).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Workers (processes, or local Dask workers).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Sweep folder; rerun into it to resume."),
    ] = None,
    chunk: Annotated[int, typer.Option(min=1, max=1_000_000, help="Draws per chunk.")] = 500,
    engines: Annotated[
        str, typer.Option(help="Comma-separated engines (compromise,nash,bdm,smp) or none.")
    ] = "compromise,nash",
    winsets: Annotated[
        bool, typer.Option("--winsets", help="Also test win-set emptiness (an LP per draw).")
    ] = False,
    rescues: Annotated[
        bool,
        typer.Option(
            "--rescues",
            help="Also find whether each failing proposal is rescuable (an LP per failing "
            "proposal and draw).",
        ),
    ] = False,
    sensitivity: Annotated[
        str,
        typer.Option(
            help="rbd-fast (from the draws, no extra runs) | sobol | morris (extra runs) | none."
        ),
    ] = "rbd-fast",
    sobol_n: Annotated[
        int | None,
        typer.Option(min=8, help="Sobol' base sample (power of 2; default: nearest the draws)."),
    ] = None,
) -> None:
    """How sure are we: Monte Carlo over every stated range, sensitivity, switch points."""
    import time

    from ceasefire import bargaining
    from ceasefire.outputs import atomic_write, new_folder_path
    from ceasefire.report import html
    from ceasefire.report.terminal_sweep import print_sweep
    from ceasefire.uncertainty.backends import SweepError, run_sweep, summarise_run, write_json
    from ceasefire.uncertainty.pipeline import SweepSpec, compile_model
    from ceasefire.uncertainty.sensitivity import extra_evaluations

    names = _sweep_engines(method, backend, address, engines, sensitivity)
    loaded = _load(scenario)
    folder = out or new_folder_path(Path("runs"), f"sweep-{loaded.scenario.id}")
    spec = SweepSpec(
        draws=draws,
        seed=seed if seed is not None else loaded.scenario.monte_carlo.seed,
        method=method,
        chunk=chunk,
        engines=names,
        winsets=winsets,
        rescues=rescues,
    )
    model = compile_model(loaded.scenario, spec)
    for name in names:
        module = bargaining.capabilities(name).accelerator
        if module is not None and _module_missing(module):
            err_console.print(
                f"note: {name} runs on numpy; install the 'fast' extra ({module}) for its "
                "compiled kernel, faster with the same numbers"
            )
    extra = extra_evaluations(model, sensitivity, draws, sobol_n=sobol_n)
    if extra:
        err_console.print(
            f"--sensitivity {sensitivity}: up to {extra:,} model evaluations after the "
            f"{draws:,} draws (on the {backend} backend, streamed to "
            f"{folder / ('sensitivity-' + sensitivity)})"
        )
    started = time.perf_counter()
    with _draws_bar(draws) as advance:
        try:
            result = run_sweep(
                model,
                spec,
                backend=backend,
                out=folder,
                sha256=loaded.sha256,
                workers=workers,
                address=address,
                progress=advance,
            )
        except SweepError as err:
            fail([str(err)])
        except OSError as err:
            fail([f"{folder}: {err.strerror or err}"])
    rate = (draws - result.resumed_chunks * chunk) / (time.perf_counter() - started)

    def on_design(total: int, left: int) -> None:
        # the exact count, once the draws have chosen the Sobol' groups; before it starts
        eta = f", expected ~{left / rate:,.0f} s at the draw loop's rate" if rate > 0 else ""
        resumed = f" ({total - left:,} done before)" if left < total else ""
        err_console.print(f"--sensitivity {sensitivity}: {total:,} model evaluations{resumed}{eta}")

    try:
        summary = summarise_run(
            model,
            spec,
            result,
            sensitivity=sensitivity,
            sobol_n=sobol_n,
            backend=backend,
            scenario_sha256=loaded.sha256,
            out=folder,
            on_design=on_design,
        )
    except SweepError as err:
        fail([str(err)])
    write_json(folder / "summary.json", summary.model_dump(mode="json"))
    atomic_write(folder / "report.html", html.render_sweep(summary, loaded.scenario))
    print_sweep(summary, out_console)
    if result.resumed_chunks:
        out_console.print(
            f"Resumed: {result.resumed_chunks} of {result.total_chunks} chunks were already done."
        )
    out_console.print(f"\nWrote {folder / 'summary.json'} and {folder / 'report.html'}")


@app.command()
def forecast(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    engine: Annotated[
        str, typer.Option("--engine", "-e", help="compromise | nash | bdm | smp | all")
    ] = "all",
    rounds: Annotated[
        int, typer.Option(min=0, max=1000, help="Rounds of engines with a fixed count (bdm).")
    ] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print {'forecasts': [...]}.")] = False,
    capability: Annotated[
        str | None,
        typer.Option(
            "--capability",
            help="A capability rule of the scenario ([[capability_rules]]): actors' capability "
            "by its formula; the spread adds the ends of each weight's range.",
        ),
    ] = None,
) -> None:
    """Where will bargaining end up: each engine's forecast per dimension."""
    from ceasefire.actor_sets import run_actor_sets, with_capability
    from ceasefire.analysis import run_forecasts
    from ceasefire.report import terminal

    if engine not in ENGINE_CHOICES:
        fail([f"--engine {engine}: unknown engine (choose from {', '.join(ENGINE_CHOICES)})"])
    loaded = _load(scenario)
    names = tuple(e for e in ENGINE_CHOICES[:-1] if engine in (e, "all"))
    seed = loaded.scenario.monte_carlo.seed
    chosen = loaded.scenario
    if capability is not None:
        try:
            chosen = with_capability(loaded.scenario, capability)
        except KeyError as err:
            fail([f"--capability: {err.args[0]}"])
    result, skipped = run_forecasts(chosen, names, rounds=rounds, seed=seed)
    rules = None if capability is None else [capability]
    per_set, spread = run_actor_sets(
        chosen, names, rounds=rounds, seed=seed, rule_ids=rules, corners=capability is not None
    )
    if as_json:
        payload: dict[str, Any] = {"forecasts": [f.model_dump(mode="json") for f in result]}
        if skipped:
            payload["skipped"] = [s.model_dump(mode="json") for s in skipped]
        if per_set:
            payload["actor_sets"] = [f.model_dump(mode="json") for f in per_set]
            payload["spread"] = [s.model_dump(mode="json") for s in spread]
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    terminal.forecast_spread(spread, loaded.scenario.dimension_ids, out_console)
    terminal.forecasts(result, loaded.scenario, out_console)
    for s in skipped:
        err_console.print(f"{s.engine} ({s.variant}) gave no forecast: {s.reason}", markup=False)


@app.command()
def deter(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    draws: Annotated[
        int | None,
        typer.Option(
            min=10,
            max=MAX_RUN_DRAWS,
            help="Monte Carlo draws (default: the scenario's; at most 100,000).",
        ),
    ] = None,
    seed: SeedOpt = None,
) -> None:
    """Will it deter, will it hold: the guarantee game and ceasefire durability per proposal."""
    from ceasefire.analysis import analyze
    from ceasefire.report import terminal

    loaded = _load(scenario)
    result = analyze(
        loaded.scenario, sha256=loaded.sha256, source=loaded.source, draws=draws, seed=seed
    )
    terminal.deterrence(result, out_console)


@app.command()
def winset(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    institution: Annotated[
        list[str] | None,
        typer.Option(
            "--institution",
            "-i",
            help="Institution id (repeat for a chain); default: every chain a proposal needs.",
        ),
    ] = None,
) -> None:
    """Who can say no: win-sets of institution chains, and the smallest rescuing concessions."""
    from ceasefire.analysis import WINSET_STAGES, analyze, winset_of_chain
    from ceasefire.preferences import Preferences
    from ceasefire.report import terminal

    loaded = _load(scenario)
    known = {i.id for i in loaded.scenario.institutions}
    unknown = [i for i in institution or [] if i not in known]
    if unknown:
        fail(
            [
                f"--institution {i}: unknown institution (known: {', '.join(sorted(known))})"
                for i in unknown
            ]
        )
    # only what win-sets and rescues need: no engines, no deterrence or durability model
    result = analyze(
        loaded.scenario,
        sha256=loaded.sha256,
        source=loaded.source,
        engines=None,
        stages=WINSET_STAGES,
    )
    chains = result.winsets
    if institution:
        prefs = Preferences.from_scenario(loaded.scenario)
        chains = [winset_of_chain(loaded.scenario, prefs, tuple(institution))]
    terminal.winsets(result, chains, out_console)


@app.command()
def validate(
    files: Annotated[list[str], typer.Argument(help="Scenario files (or built-in ids).")],
) -> None:
    """Check scenario files; list every problem found, each with its location."""
    from ceasefire.scenario import ScenarioError, read

    problems: list[str] = []
    for f in files:
        try:
            loaded = read(f)
        except ScenarioError as err:
            problems.extend(err.lines(located=True))
            continue
        s = loaded.scenario
        counts = (
            (s.dimensions, "dimension"),
            (s.actors, "actor"),
            (s.territory, "territory unit"),
            (s.proposals, "proposal"),
            (s.institutions, "institution"),
        )
        said = ", ".join(f"{len(xs)} {noun}{'' if len(xs) == 1 else 's'}" for xs, noun in counts)
        out_console.print(f"{f}: ok ({said})", markup=False)
    if problems:
        fail(problems)


@app.command()
def show(scenario: ScenarioArg = DEFAULT_SCENARIO) -> None:
    """Print a scenario's TOML (copy a built-in one to edit: `ceasefire show ID > my.toml`)."""
    from ceasefire import builtin

    if scenario in builtin.ids() and not Path(scenario).exists():
        # a built-in is printed as shipped (the tests validate every one); a file is checked
        sys.stdout.write(builtin.text(scenario))
        return
    sys.stdout.write(_load(scenario).text)


@app.command("list")
def list_() -> None:
    """List the built-in scenarios."""
    from rich import box
    from rich.table import Table

    from ceasefire import builtin

    # a plain rich table, not report.terminal's grid: that would import the result models
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("id", no_wrap=True)
    table.add_column("title", overflow="fold")
    for sid in builtin.ids():
        table.add_row(sid, builtin.title(sid))
    out_console.print(table)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the scenario format."""
    from ceasefire import builtin

    sys.stdout.write(builtin.schema_text())


@app.command()
def version() -> None:
    """Print the version."""
    out_console.print(__version__)


@app.command()
def serve(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
    host: Annotated[
        str, typer.Option(help="Address to bind (anything but loopback is reachable by others).")
    ] = "127.0.0.1",
    workspace: Annotated[
        Path, typer.Option(help="Folder for drafts and runs (created if missing).")
    ] = Path("ceasefire-workspace"),
) -> None:
    """Start the local web app: edit a scenario, run it, read and compare the results."""
    import socket

    try:
        import uvicorn

        from ceasefire.web import create_app
        from ceasefire.web.guard import LOOPBACK_HOSTS
    except ImportError as err:
        fail([f"the web app needs the 'web' extra ({err.name} is missing): pip install '.[web]'"])
    loopback = host in LOOPBACK_HOSTS
    if not loopback:
        err_console.print(
            f"warning: binding {host}: anyone who can reach this machine on port {port} can read "
            "and change your drafts and start runs; there is no login.",
            markup=False,
        )
    # fail with a sentence, before printing an address that would not work
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as err:
        fail([f"--host {host} --port {port}: cannot listen there: {err.strerror}"])
    try:
        web_app = create_app(workspace, allowed_hosts=LOOPBACK_HOSTS if loopback else None)
    except OSError as err:
        fail([f"--workspace {workspace}: cannot use this folder: {err.strerror}"])
    shown = f"[{host}]" if ":" in host else host
    out_console.print(
        f"ceasefire web app on http://{shown}:{port}/  (workspace: {workspace.resolve()}; "
        "Ctrl+C stops it)",
        markup=False,
    )
    uvicorn.run(web_app, host=host, port=port, log_level="warning")


import_app = typer.Typer(
    help="Write a scenario TOML from a peer tool's data file (KTAB SMP CSV, BDM table).",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")
app.add_typer(backtest_app, name="backtest")
app.command("calibrate")(calibrate_cli.calibrate)


def _register_timeline() -> None:
    # issue 17: the timeline command lives in its own module
    from ceasefire.timeline_cli import timeline

    app.command("timeline")(timeline)


_register_timeline()


def _import(kind: str, file: Path, out: Path | None, force: bool) -> None:
    from ceasefire import importers
    from ceasefire.formats import FormatError
    from ceasefire.outputs import atomic_write
    from ceasefire.scenario import dumps, from_dict

    if file.exists() and not file.is_file() and not file.is_dir():  # a FIFO would hang
        fail([f"{file}: not a regular file (a pipe, socket or device)"])
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        fail([f"{file}: file not found"])
    except UnicodeDecodeError as err:
        fail([f"{file}: not UTF-8 text (byte {err.start})"])
    except OSError as err:
        fail([f"{file}: cannot read: {err.strerror}"])
    try:
        raw = (
            importers.from_ktab(text, file.name)
            if kind == "ktab"
            else importers.from_bdm(text, file.name)
        )
    except FormatError as err:
        fail([f"{file}: {err}"])
    header = f"# Scenario imported by `ceasefire import {kind} {file.name}`."
    toml = dumps(raw, header=header)
    from_dict(raw, str(file))  # what we write must load
    if out is None:
        sys.stdout.write(toml)
        return
    if out.exists() and not force:
        fail([f"{out}: exists; choose another -o or add --force to overwrite it"])
    try:
        atomic_write(out, toml)
    except OSError as err:
        fail([f"{out}: cannot write: {err.strerror}"])
    out_console.print(f"Wrote {out}", markup=False)


FileArg = Annotated[Path, typer.Argument(help="The file to import.")]
OutOpt = Annotated[
    Path | None, typer.Option("--out", "-o", help="Write the TOML here (default: print it).")
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite an existing --out file.")]


@import_app.command("ktab")
def import_ktab(file: FileArg, out: OutOpt = None, force: ForceOpt = False) -> None:
    """Import a KTAB SMP CSV (one dimension per issue; positions and saliences 0-100)."""
    _import("ktab", file, out, force)


@import_app.command("bdm")
def import_bdm(file: FileArg, out: OutOpt = None, force: ForceOpt = False) -> None:
    """Import a BDM one-issue table (Actor, Capability, Position, Salience on [0, 1])."""
    _import("bdm", file, out, force)


def main() -> None:
    """Entry point of the ``ceasefire`` script."""
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)


__all__ = ["app", "main"]
