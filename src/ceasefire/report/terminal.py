"""The terminal summary of an Analysis (rich tables; rendering only).

Every view fits the console's width (``console.width``) and never cuts a number: a table is
shown with its full headers when it fits, else with abbreviated headers and a key, else as a
vertical list of records (:func:`grid`); wrapped lines keep their indentation (:func:`say`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ceasefire.report import text
from ceasefire.report.format import MISSING, interval_of, num, pct, prob
from ceasefire.results import Analysis

#: the narrowest text a wrapped line is given, however deep its indentation
MIN_TEXT = 24
#: the narrowest a wrapping column of a table may become (else the records layout is used)
MIN_WRAP = 20
#: separator of the fields of a record in the vertical layout
SEP = " · "


@dataclass(frozen=True)
class Column:
    """A column of :func:`grid`: its header, an abbreviation used when the full headers do not
    fit (explained in a key), its alignment, and whether its text may wrap (numbers never)."""

    header: str
    short: str = ""
    justify: str = "right"
    wrap: bool = False


Cell = str | Text


def _text(cell: Cell) -> Text:
    return cell if isinstance(cell, Text) else Text.from_markup(cell)


def say(console: Console, line: Cell, indent: int = 0, hang: int = 4) -> None:
    """Print ``line`` wrapped to the console, its first line indented by ``indent`` and the
    continuation lines by ``indent + hang`` (a wrapped line keeps its place in the outline)."""
    body = _text(line)
    one = body.cell_len <= console.width - indent and "\n" not in body.plain
    width = max(console.width - indent - (0 if one else hang), MIN_TEXT)
    for k, part in enumerate(body.wrap(console, width)):
        part.rstrip()
        console.print(Text(" " * (indent if k == 0 else indent + hang)) + part, highlight=False)


def _table(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], short: bool) -> Table:
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 0),  # the box's blank vertical line separates the columns
    )
    for c in columns:
        table.add_column(
            (c.short or c.header) if short else c.header,
            justify=c.justify,  # type: ignore[arg-type]
            no_wrap=not c.wrap,
            overflow="fold",
        )
    for row in rows:
        table.add_row(*(_text(x) for x in row))
    return table


def fits(console: Console, table: Table) -> bool:
    """Whether ``table`` fits the console without cutting a cell: its natural width, less
    what its wrapping columns can give up (down to their longest word)."""
    wide = console.options.update(width=10_000, max_width=10_000)
    natural = console.measure(table, options=wide).maximum
    slack = 0
    for column in table.columns:
        if column.no_wrap:
            continue
        cells = [_text(column.header), *(_text(c) for c in column.cells)]  # type: ignore[arg-type]
        longest = max(c.cell_len for c in cells)
        word = max((len(w) for c in cells for w in c.plain.split()), default=0)
        slack += longest - min(longest, max(word, MIN_WRAP))
    return natural - slack <= console.width


def grid(
    console: Console,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    *,
    title: str = "",
    heading: int = 1,
) -> None:
    """Rows under columns, fitted to the console: the table with full headers, else with the
    abbreviated headers and a key, else one record per row (its first ``heading`` cells as a
    heading, then ``header value`` pairs)."""
    if title:
        say(console, f"[bold]{title}[/bold]", hang=0)
    if not rows:  # headers over nothing read as a fault; say it is empty
        say(console, Text("none", style="dim"), indent=2)
        return
    for short in (False, True):
        if short and not any(c.short for c in columns):
            break
        table = _table(columns, rows, short)
        if fits(console, table):
            console.print(table)
            if short:
                key = ", ".join(f"{c.short} = {c.header}" for c in columns if c.short)
                say(console, Text(f"Key: {key}", style="dim"), hang=2)
            return
    _records(console, columns, rows, heading)


def _records(
    console: Console, columns: Sequence[Column], rows: Sequence[Sequence[Cell]], heading: int
) -> None:
    """The vertical layout of :func:`grid`: fields packed into lines of the console's width."""
    width = max(console.width - 2, MIN_TEXT)
    for row in rows:
        head = Text(SEP).join(_text(x) for x in row[:heading] if _text(x).plain)
        head.stylize("bold")
        console.print(head, highlight=False)
        line = Text()
        for col, cell in zip(columns[heading:], row[heading:], strict=True):
            value = _text(cell)
            if not value.plain:
                continue
            field = Text(f"{col.header} ") + value
            if line.plain and line.cell_len + len(SEP) + field.cell_len > width:
                say(console, line, indent=2)
                line = Text()
            line = line + Text(SEP) + field if line.plain else field
        if line.plain:
            say(console, line, indent=2)


def show(console: Console, table: Table, heading: int = 1) -> None:
    """Print a table built elsewhere when it fits the console, else its rows as records
    (:func:`grid`'s vertical layout, under the table's own headers)."""
    if fits(console, table):
        console.print(table)
        return
    columns = [Column(str(c.header)) for c in table.columns]
    cells = [list(c.cells) for c in table.columns]
    rows: list[list[Cell]] = [[_cell(col[k]) for col in cells] for k in range(table.row_count)]
    _records(console, columns, rows, heading)


def _cell(cell: Any) -> Cell:
    return cell if isinstance(cell, Text) else str(cell)


def abbreviations(names: Sequence[str], width: int = 4) -> dict[str, str]:
    """Unique abbreviations of ``names``: the shortest prefixes of at least ``width``
    characters that tell them apart (a name no longer than ``width`` stays whole)."""
    for n in range(width, max((len(x) for x in names), default=width) + 1):
        cut = {x: x[:n] for x in names}
        if len(set(cut.values())) == len(names):
            return {x: ("" if a == x else a) for x, a in cut.items()}
    return dict.fromkeys(names, "")


PROPOSAL_COLUMNS = (
    Column("proposal", justify="left"),
    Column("invited", "inv"),
    Column("guaranteed", "guar"),
    Column("ceded"),
    Column("occupied", "occ"),
    Column("withdrawn", "wdr"),
    Column("accept", "acc"),
    Column("passes", "pass", justify="center"),
    Column("P(hold)", "hold"),
    Column("P(break 5y)", "brk5"),
)


def _proposal_row(p: Any) -> list[Cell]:
    n_acc = sum(r.accepts for r in p.acceptance.values())
    hold = p.deterrence.p_hold.central if p.deterrence else None
    brk = p.durability.p_breakdown_5y.central if p.durability else None
    return [
        Text(p.id, style="bold"),
        pct(p.coverage.invited_area_share),
        pct(p.coverage.guaranteed_area_share),
        pct(p.coverage.ceded_area_share),
        pct(p.coverage.occupied_area_share),
        pct(p.coverage.withdrawn_area_share),
        f"{n_acc}/{len(p.acceptance)}",
        "[green]yes[/green]" if p.passes else "[red]no[/red]",
        num(hold, "%.2f"),
        num(brk, "%.2f"),
    ]


def summary(analysis: Analysis, console: Console) -> None:
    """Proposals x key figures, then who blocks what and why."""
    a = analysis
    say(console, Text(f"{a.scenario.title}  ({a.scenario.id})", style="bold"), hang=2)
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
    say(console, Text(f"{held}{no_deal}."), hang=0)
    if not a.proposals:
        say(console, "The scenario has no proposals: nothing to judge.", hang=0)
    else:
        _proposals(a, console)
    if a.forecasts:
        console.print("[bold]Where bargaining ends up[/bold] (details: ceasefire forecast)")
        forecast_spread(a.forecast_spread, a.dimensions, console, indent=2)
        for f in a.forecasts:
            where = ", ".join(f"{d} {v:.0f}" for d, v in f.outcome.items())
            say(console, Text(f"{f.engine} ({f.variant}): {where} — {text.check_line(f)}"), 2)
        forecast_notes(a.forecasts, console)
    track_record(a, console)


def forecast_spread(
    spread: list[Any], dims: Sequence[str], console: Console, indent: int = 0
) -> None:
    """Each engine's range of forecasts over the scenario's actor sets (issue 16), first."""
    if not spread:
        return
    sets = ", ".join(spread[0].sets)
    head = Text("Forecasts depend on who is counted", "bold") + Text(f" (actor sets: {sets}):")
    say(console, head, indent=indent)
    for s in spread:
        spans = ", ".join(f"{d} {s.low[d]:.0f}-{s.high[d]:.0f}" for d in dims)
        say(console, Text(f"{s.engine} ({s.variant}): {spans}"), indent=indent + 2)


def forecast_notes(results: list[Any], console: Console) -> None:
    """Each forecast's warning (its engine's note) with bdm's round-count sensitivity."""
    for f in results:
        if not f.note:
            continue
        line = f"{f.engine} ({f.variant}): {f.note}"
        if f.round_range:
            spans = "; ".join(f"{d} {lo:.1f}-{hi:.1f}" for d, (lo, hi) in f.round_range.items())
            line += f". Rounds {max(f.rounds - 2, 0)}-{f.rounds + 2}: {spans}"
        say(console, Text(f"! {line}", "yellow"), indent=2, hang=4)


def _proposals(a: Analysis, console: Console) -> None:
    """The proposals table, its notes, and who blocks what."""
    grid(
        console,
        PROPOSAL_COLUMNS,
        [_proposal_row(p) for p in a.proposals],
        title="Proposals (shares of the recognised area)",
    )
    notes = (
        "accept: actors preferring the proposal to no deal; "
        "passes: every institution the proposal needs consents."
    )
    if a.aggressor:
        notes += (
            f" P(hold): chance {a.aggressor} keeps the line (guarantee game, central run); "
            "P(break 5y): prior chance a ceasefire breaks down within 5 years. "
            "Details: ceasefire deter."
        )
    say(console, Text(notes, style="dim"), hang=0)
    _blockers(a, console)


def _blockers(a: Analysis, console: Console) -> None:
    """Per proposal: the verdict, each blocker's reason, the rescue and the warnings."""
    console.print("[bold]Who blocks what, and why[/bold]")
    rescues = text.rescue_sentences(a)
    for p in a.proposals:
        colour = "green" if p.passes else "red"
        verdict = Text.assemble((p.id, colour), f": {text.verdict(p)}")
        say(console, verdict, indent=2, hang=2)
        for line in text.blocker_sentences(p):
            say(console, Text(line), indent=6, hang=2)
        if not p.passes:
            say(console, Text.assemble(("rescue: ", "cyan"), rescues[p.id]), indent=6, hang=2)
            for line in text.package_sentences(p):
                say(console, Text.assemble(("package: ", "cyan"), line), indent=6, hang=2)
        for w in p.warnings:
            say(console, Text.assemble((f"! {w.code}: ", "yellow"), w.text), indent=6, hang=2)


def track_record(a: Analysis, console: Console) -> None:
    """One line per stage: its measured out-of-sample record (issue 12), when attached."""
    if a.track_record is None:
        return
    console.print("[bold]Track record[/bold] (out of sample; details: ceasefire backtest)")
    for line in a.track_record.lines([(f.engine, f.variant) for f in a.forecasts]):
        say(console, Text(line), indent=2)


def _iv(iv: Any) -> str:
    return interval_of(iv, prob, brackets=True)


GAME_COLUMNS = (
    Column("proposal", justify="left"),
    Column("order", justify="left"),
    Column("g"),
    Column("P(hold)", "hold"),
    Column("P(probe)", "probe"),
    Column("P(attack covered)", "att"),
    Column("P(protégé moves)", "moves"),
    Column("P(guarantor war)", "war"),
    Column("q*"),
)
DURABILITY_COLUMNS = (
    Column("proposal", justify="left"),
    Column("mechanisms", justify="left", wrap=True),
    Column("P(break ≤1y)", "≤1y"),
    Column("P(break ≤5y)", "≤5y"),
    Column("median years", "years"),
)


def _game_rows(a: Analysis) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for p in a.proposals:
        d = p.deterrence
        if d is None:
            continue
        for o in [d, *d.alternatives.values()]:
            qc = o.q_critical.central
            rows.append(
                [
                    Text(p.id, style="bold"),
                    o.sequence.replace("_", " "),
                    f"{o.g:.2f}",
                    _iv(o.p_hold),
                    _iv(o.p_probe) if o.p_probe is not None else "—",
                    _iv(o.p_attack_covered),
                    _iv(o.p_protege_moves) if o.p_protege_moves is not None else "—",
                    _iv(o.p_guarantor_war),
                    "none" if qc is None else prob(qc),
                ]
            )
    return rows


def _backcast_line(a: Analysis, console: Console) -> None:
    """The status-quo backcast of docs/specs/deterrence.md §4.7, beside the forecasts."""
    b = a.backcast
    if b is None:
        return
    verdict = (
        "no observed choice recorded"
        if b.observed is None
        else f"observed: {b.observed} — " + ("reproduced" if b.reproduces else "NOT reproduced")
    )
    say(
        console,
        Text(
            f"Status-quo backcast (no deal, {b.phase.replace('_', ' ')}): P(keeps attacking) "
            f"{_iv(b.p_keeps_attacking)}; {verdict}"
        ),
    )


def deterrence(analysis: Analysis, console: Console) -> None:
    """The guarantee game and durability per proposal: central value [5th, 95th percentile]."""
    a = analysis
    draws = a.monte_carlo["draws"]
    if a.aggressor is None:
        console.print("The scenario names no aggressor: the guarantee game is not run.")
    else:
        grid(
            console,
            GAME_COLUMNS,
            _game_rows(a),
            title=f"Guarantee game (aggressor {a.aggressor}; central [5%, 95%] over {draws:,} "
            "draws)",
            heading=2,
        )
        _backcast_line(a, console)
    rows: list[list[Cell]] = [
        [
            Text(p.id, style="bold"),
            ", ".join(m.replace("_", " ") for m in p.durability.mechanisms) or "none",
            _iv(p.durability.p_breakdown_1y),
            _iv(p.durability.p_breakdown_5y),
            num(p.durability.median_years.central, "%.1f"),
        ]
        for p in a.proposals
        if p.durability is not None
    ]
    grid(
        console,
        DURABILITY_COLUMNS,
        rows,
        title="Ceasefire durability (priors, not published estimates)",
    )
    for p in a.proposals:
        say(
            console, Text.assemble((p.id, "bold"), f": {text.deterrence_paragraph(p, a.aggressor)}")
        )


def winsets(analysis: Analysis, chains: list[Any], console: Console) -> None:
    """Win-sets of institution chains, then the rescues of the rejected proposals."""
    for w in chains:
        state = Text("empty", "red") if w.empty else Text("not empty", "green")
        say(
            console,
            Text.assemble((w.id, "bold"), f": {len(w.veto_players)} veto players — ", state),
        )
        if w.empty:
            for c in w.conflicts:
                say(console, Text(f"conflicting: {' × '.join(c)}"), indent=4)
            if w.unexplained:
                say(console, Text("no conflicting set of three or fewer veto players"), indent=4)
            continue
        share = f"{w.volume_share:.4g}"
        if w.volume_method == "degenerate":
            share += " (flat: the win-set is lower-dimensional)"
        say(console, Text(f"volume share of the space: {share}"), indent=4)
        assert w.center is not None and w.extent is not None
        rows: list[list[Cell]] = [
            [Text(d), f"{v:.1f}", f"{w.extent[d][0]:.1f} – {w.extent[d][1]:.1f}"]
            for d, v in w.center.items()
        ]
        grid(
            console,
            (Column("dimension", justify="left"), Column("deep point"), Column("extent")),
            rows,
        )
    if not analysis.proposals:
        console.print("[bold]Rescues[/bold]: none (the scenario has no proposals)")
        return
    console.print("[bold]Knife edges[/bold]")
    for w in analysis.winsets:
        say(console, Text(text.knife_edge_sentence(w)), indent=2, hang=2)
    console.print("[bold]Rescues[/bold]")
    rescues = text.rescue_sentences(analysis)
    for p in analysis.proposals:
        say(console, Text(rescues[p.id]), indent=2, hang=2)
        for line in text.actor_change_sentences(p):
            say(console, Text(line), indent=6, hang=2)
        for line in text.package_sentences(p):
            say(console, Text.assemble(("package: ", "cyan"), line), indent=6, hang=2)


def forecasts(results: list[Any], scenario: Any, console: Console) -> None:
    """Per dimension, where each engine expects the negotiation to end; the proposals'
    positions below them; then each engine's nearest proposal."""
    if not results:
        return
    dims = list(results[0].dimensions)
    short = abbreviations(dims)
    columns = (
        Column("engine", justify="left"),
        *(Column(d, short[d]) for d in dims),
        Column("rounds", "rnd"),
    )
    rows: list[list[Cell]] = [
        [f"{f.engine} ({f.variant})", *(f"{f.outcome[d]:.1f}" for d in dims), str(f.rounds)]
        for f in results
    ]
    rows += [
        [Text(f"proposal {p.id}", "dim"), *(Text(f"{p.position[d]:g}", "dim") for d in dims), ""]
        for p in scenario.proposals
    ]
    grid(console, columns, rows, title="Bargaining forecasts (0-100 scale per dimension)")
    say(
        console,
        "[bold]Each forecast's nearest proposal[/bold] (the smallest mean absolute distance "
        "per dimension, in scale points)",
        hang=0,
    )
    for f in results:
        near = f.nearest_proposal
        where = f"{near} ({f.distances[near]:.1f})" if near else MISSING
        bad = [t.split(":", 1)[0] for t in f.check.terms_violated.get(near, [])] if f.check else []
        if bad:
            where += f" - violates its terms on {', '.join(bad)}"
        say(console, Text(f"{f.engine} ({f.variant}): {where}"), indent=2)
    say(console, "[bold]Is each forecast feasible?[/bold] (red lines, institutions, terms)", hang=0)
    for f in results:
        say(console, Text(f"{f.engine} ({f.variant}): {text.check_line(f)}"), indent=2)
    forecast_notes(results, console)
    for f in results:
        if f.probabilities:
            _options(f, dims, console)


def _options(f: Any, dims: list[str], console: Console) -> None:
    """SMP's final options (the four most likely) and what the rest add up to."""
    options = text.smp_options(f)
    console.print(f"[bold]{f.engine}[/bold]: final options and their probabilities")
    for p, pos, holders in options[:4]:
        where = ", ".join(f"{d} {v:.1f}" for d, v in zip(dims, pos, strict=True))
        say(console, Text(f"p = {p:.3f}  at {where}  ({', '.join(holders)})"), indent=4)
    rest = options[4:]
    if rest:
        say(
            console,
            Text(f"{len(rest)} more option(s), together p = {sum(o[0] for o in rest):.3f}"),
            indent=4,
        )
