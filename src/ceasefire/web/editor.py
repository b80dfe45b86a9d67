"""The editor's view of a draft: tables of actors and proposals, raw TOML for the rest.

A draft is stored as TOML text. The editor shows the actors and the proposals as tables of
cells (strings, as typed) and every other table as raw TOML; saving merges the cells back
into the rows they came from (fields the table does not show — ranges, sources — are kept),
writes TOML with :func:`ceasefire.scenario.dumps` and validates with
:func:`ceasefire.scenario.from_dict`, so every message is the CLI's own, located at the path
inside the file (``actors[3].salience.alliance``); the page puts it on the matching cell.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, Field

from ceasefire.scenario import (
    PROPOSAL_TERM_DEFAULTS,
    RED_LINE_LOOSE,
    GuaranteeScope,
    InvitationScope,
    Mechanism,
    Problem,
    ScenarioError,
    Sequencing,
    TerritorialTerms,
    dumps,
    from_dict,
    parse_toml,
)

TABLES = ("actors", "proposals")
# The order tables are written in, as in the built-in scenario (unknown tables go last).
ORDER = (
    "scenario",
    "dimensions",
    "status_quo",
    "actors",
    "territory",
    "proposals",
    "institutions",
    "deterrence",
    "durability",
    "monte_carlo",
    "sources",
)
CHOICES: dict[str, tuple[str, ...]] = {
    "invitation": get_args(InvitationScope),
    "guarantee": get_args(GuaranteeScope),
    "territory": get_args(TerritorialTerms),
    "ceasefire_before_accession": get_args(Sequencing),
}
MECHANISMS: tuple[str, ...] = get_args(Mechanism)
# the format's defaults: a select showing one of these adds nothing the file did not say
DEFAULTS = PROPOSAL_TERM_DEFAULTS

_CELL = 200  # characters in one cell
_NAME = 2000


class ActorRow(BaseModel):
    """One row of the actors table, as typed (strings)."""

    model_config = ConfigDict(extra="forbid")
    orig: int | None = None
    id: str = Field("", max_length=_CELL)
    name: str = Field("", max_length=_NAME)
    capability: str = Field("", max_length=_CELL)
    war_cost: str = Field("", max_length=_CELL)
    position: dict[str, str] = Field(default_factory=dict, max_length=200)
    salience: dict[str, str] = Field(default_factory=dict, max_length=200)
    red_lines: dict[str, str] = Field(default_factory=dict, max_length=200)
    #: ranges as typed ("lo, hi") per dimension, capability and war_cost; None: keep the file's
    range: dict[str, str] | None = Field(None, max_length=200)
    #: the actor's source; None: keep the file's
    source: str | None = Field(None, max_length=_NAME)


class ProposalRow(BaseModel):
    """One row of the proposals table, as typed (strings)."""

    model_config = ConfigDict(extra="forbid")
    orig: int | None = None
    id: str = Field("", max_length=_CELL)
    label: str = Field("", max_length=_NAME)
    proposer: str = Field("", max_length=_CELL)
    invitation: str = Field("", max_length=_CELL)
    guarantee: str = Field("", max_length=_CELL)
    territory: str = Field("", max_length=_CELL)
    mechanisms: str = Field("", max_length=_NAME)
    ceasefire_before_accession: str = Field("", max_length=_CELL)
    requires: str = Field("", max_length=_NAME)
    position: dict[str, str] = Field(default_factory=dict, max_length=200)


class Edit(BaseModel):
    """What the editor page sends when it saves: both tables and the raw TOML of the rest."""

    model_config = ConfigDict(extra="forbid")
    actors: list[ActorRow] = Field(default_factory=list, max_length=2000)
    proposals: list[ProposalRow] = Field(default_factory=list, max_length=2000)
    rest: str = ""
    #: the draft's note (what it is for, what changed); None: keep the note it has
    note: str | None = Field(None, max_length=500)


@dataclass
class View:
    """A draft as the editor shows it."""

    dimensions: list[str]
    actors: list[dict[str, Any]]
    proposals: list[dict[str, Any]]
    rest: str
    managed: dict[str, bool]
    other_red_lines: dict[int, list[str]] = field(default_factory=dict)
    # the cell each red line sits in: "actors[i].red_lines[j]" -> "actors[i].red_lines.<dim>"
    red_line_cells: dict[str, str] = field(default_factory=dict)

    def cell(self, path: str) -> str:
        """The editor cell a problem's path points at (the page falls back to its row)."""
        head = re.match(r"^actors\[\d+\]\.red_lines\[\d+\]", path)
        if head and head.group(0) in self.red_line_cells:
            return self.red_line_cells[head.group(0)]
        if self.managed.get(path.split("[", 1)[0].split(".", 1)[0], False):
            return path
        return "rest"


def _tokens(value: Any, tokens: list[str]) -> Any:
    """``value`` with every float that is not finite and every time of day replaced by a
    placeholder string; ``tokens`` gets the TOML each placeholder stands for."""
    if isinstance(value, dict):
        return {k: _tokens(v, tokens) for k, v in value.items()}
    if isinstance(value, list):
        return [_tokens(v, tokens) for v in value]
    token = None
    if isinstance(value, float) and not math.isfinite(value):
        token = "nan" if value != value else ("inf" if value > 0 else "-inf")
    elif isinstance(value, dt.time) or (isinstance(value, dt.datetime) and value.tzinfo is None):
        token = value.isoformat()  # a local time or date-time: TOML writes it bare
    if token is None:
        return value
    tokens.append(token)
    return f"\x00{tokens[0]}:{len(tokens) - 1}\x00"  # tokens[0]: this call's nonce


def write(raw: dict[str, Any]) -> str:
    """A draft's mapping as TOML, with every value TOML can hold — also ``nan``, ``inf`` and
    times of day, which :func:`ceasefire.scenario.dumps` refuses (no scenario input means
    anything as one): the editor must show and keep what the user wrote, and validation then
    names the cell. So everything the editor saves, it can open again."""
    tokens = [uuid.uuid4().hex]  # no string a user typed holds this placeholder
    text = dumps(_tokens(raw, tokens))
    for i, token in enumerate(tokens[1:], 1):
        text = text.replace(json.dumps(f"\x00{tokens[0]}:{i}\x00"), token)
    return text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | str):
        return str(value)
    return str(value)


def _rows(raw: dict[str, Any], key: str) -> list[dict[str, Any]] | None:
    value = raw.get(key, [])
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return value
    return None  # not a list of tables: the raw view keeps it as it is


_RL = RED_LINE_LOOSE  # the format's red-line grammar, the bound as typed


def _dims_named_by(row: dict[str, Any]) -> list[str]:
    """The dimensions a row names: the keys of its position and salience, its red lines' heads."""
    names = [
        str(k)
        for part in ("position", "salience")
        if isinstance(row.get(part), dict)
        for k in row[part]
    ]
    matches = (_RL.match(str(text)) for text in _red_line_list(row))
    return names + [m.group(1) for m in matches if m]


def _red_line_list(row: dict[str, Any]) -> list[Any]:
    """A row's red lines when they are a list (anything else stays in the raw TOML's care)."""
    lines = row.get("red_lines")
    return lines if isinstance(lines, list) else []


def dimensions_of(raw: dict[str, Any]) -> list[str]:
    """Columns of the tables: the declared dimensions, then any other key the rows use.

    A position on an unknown dimension gets a column too, so its "unknown dimension" problem
    has a cell to sit on and can be fixed there.
    """
    listed = raw.get("dimensions")
    declared = [
        d["id"]
        for d in (listed if isinstance(listed, list) else [])  # `dimensions = 5`: none
        if isinstance(d, dict) and isinstance(d.get("id"), str)
    ]
    used = [name for key in TABLES for row in _rows(raw, key) or [] for name in _dims_named_by(row)]
    return list(dict.fromkeys(declared + used))  # first occurrence wins, in order


def _point_cells(point: Any, dims: list[str]) -> dict[str, str]:
    """A position or salience table as cells, one per column (nothing when it is no table)."""
    return {d: _cell(point.get(d)) for d in dims} if isinstance(point, dict) else {}


def _joined(items: Any) -> str:
    """A list as one comma-separated cell (anything else: an empty cell)."""
    return ", ".join(map(str, items)) if isinstance(items, list) else ""


@dataclass
class _RedLines:
    """One actor's red lines as the table shows them."""

    by_dimension: dict[str, list[str]] = field(default_factory=dict)  # "op bound" per column
    other: list[str] = field(default_factory=list)  # not on a known dimension: kept as written
    cells: dict[str, str] = field(default_factory=dict)  # "actors[i].red_lines[j]" -> its cell


def _red_lines(i: int, actor: dict[str, Any], dims: list[str]) -> _RedLines:
    """Sort actor ``i``'s red lines into the dimension cells, the rest kept aside."""
    out = _RedLines()
    for j, text in enumerate(_red_line_list(actor)):
        m = _RL.match(str(text))
        if m and m.group(1) in dims:
            out.by_dimension.setdefault(m.group(1), []).append(f"{m.group(2)} {m.group(3).strip()}")
            out.cells[f"actors[{i}].red_lines[{j}]"] = f"actors[{i}].red_lines.{m.group(1)}"
        else:
            out.other.append(str(text))
    return out


#: the actor inputs besides the dimensions that can carry a range
RANGED = ("capability", "war_cost")


def _range_cell(value: Any) -> str:
    """A range ``[lo, hi]`` as one cell, ``lo, hi`` (anything else as written)."""
    if isinstance(value, list) and len(value) == 2:
        return f"{_cell(value[0])}, {_cell(value[1])}"
    return "" if value is None else _cell(value)


def _range_cells(a: dict[str, Any], dims: list[str]) -> dict[str, str]:
    ranges = a.get("range")
    if not isinstance(ranges, dict):
        return {}
    return {k: _range_cell(ranges.get(k)) for k in [*dims, *RANGED] if k in ranges}


def _actor_row(i: int, a: dict[str, Any], dims: list[str], lines: _RedLines) -> dict[str, Any]:
    """Row ``i`` of the actors table."""
    return {
        "range": _range_cells(a, dims),
        "source": _cell(a.get("source")),
        "orig": i,
        "id": _cell(a.get("id")),
        "name": _cell(a.get("name")),
        "capability": _cell(a.get("capability")),
        "war_cost": _cell(a.get("war_cost")),
        "position": _point_cells(a.get("position"), dims),
        "salience": _point_cells(a.get("salience"), dims),
        "red_lines": {d: "; ".join(v) for d, v in lines.by_dimension.items()},
    }


def _proposal_row(i: int, p: dict[str, Any], dims: list[str]) -> dict[str, Any]:
    """Row ``i`` of the proposals table (a term the file leaves out shows its default)."""
    return {
        "orig": i,
        "id": _cell(p.get("id")),
        "label": _cell(p.get("label")),
        "proposer": _cell(p.get("proposer")),
        **{key: _cell(p.get(key, default)) for key, default in DEFAULTS.items()},
        "mechanisms": _joined(p.get("mechanisms")),
        "requires": _joined(p.get("requires")),
        "position": _point_cells(p.get("position"), dims),
    }


def _actor_table(
    raw: dict[str, Any], dims: list[str]
) -> tuple[list[dict[str, Any]], dict[int, list[str]], dict[str, str]]:
    """The actors table: its rows, the red lines no cell shows (by row), each red line's cell."""
    rows: list[dict[str, Any]] = []
    other: dict[int, list[str]] = {}
    cells: dict[str, str] = {}
    for i, a in enumerate(_rows(raw, "actors") or []):
        lines = _red_lines(i, a, dims)
        if lines.other:
            other[i] = lines.other
        cells.update(lines.cells)
        rows.append(_actor_row(i, a, dims, lines))
    return rows, other, cells


def view(raw: dict[str, Any]) -> View:
    """Split a parsed draft into the two tables and the raw rest."""
    dims = dimensions_of(raw)
    managed = {key: _rows(raw, key) is not None for key in TABLES}
    actors, other, cells = _actor_table(raw, dims)
    proposals = [_proposal_row(i, p, dims) for i, p in enumerate(_rows(raw, "proposals") or [])]
    rest = {k: v for k, v in raw.items() if not (k in TABLES and managed[k])}
    return View(dims, actors, proposals, write(rest), managed, other, cells)


def _number(text: str, path: str, problems: list[Problem]) -> Any:
    """A cell's number; text that is not one stays text, so validation names the cell."""
    s = text.strip()
    try:
        value: int | float = int(s)
    except ValueError:
        try:
            value = float(s)
        except ValueError:
            return s
    if isinstance(value, float) and not math.isfinite(value):
        # TOML could hold it, but no scenario input is meaningful as nan or infinity
        problems.append(Problem(path, f"{s!r} is not a finite number"))
        return s
    return value


def _point(cells: dict[str, str], path: str, problems: list[Problem]) -> dict[str, Any]:
    return {d: _number(v, f"{path}.{d}", problems) for d, v in cells.items() if v.strip() != ""}


def _list(text: str) -> list[str]:
    return [t.strip() for t in re.split(r"[,;\n]", text) if t.strip()]


def _set(row: dict[str, Any], key: str, value: Any) -> None:
    if value in ("", None):
        row.pop(key, None)
    else:
        row[key] = value


def _previous(rows: list[dict[str, Any]], orig: int | None) -> dict[str, Any]:
    """A copy of the row a table row came from (a new row starts empty)."""
    if orig is not None and 0 <= orig < len(rows):
        return copy.deepcopy(rows[orig])
    return {}


@dataclass
class Merged:
    """The result of applying an edit: the new text (when it could be built) and problems."""

    text: str | None
    raw: dict[str, Any] | None
    problems: list[Problem]


def _misplaced(old: View, rest: dict[str, Any]) -> list[Problem]:
    """A table the editor shows as rows must not come back in the raw TOML as well."""
    return [
        Problem(key, f"{key} are edited in the {key} table; remove them from the raw TOML")
        for key in TABLES
        if old.managed[key] and key in rest
    ]


def _merged_red_lines(row: ActorRow, kept: list[str]) -> list[str]:
    """The red lines of a row: each cell's parts (the cell's dimension added when a part does
    not name it), then the ones the table could not show (``kept``)."""
    lines = []
    for d, text in row.red_lines.items():
        for part in _list(text):
            m = _RL.match(part)
            lines.append(part if m and m.group(1) == d else f"{d} {part}")
    return lines + kept


def _range(text: str, path: str, problems: list[Problem]) -> Any:
    """A range cell ``lo, hi`` (or ``[lo, hi]``, ``lo to hi``) as ``[lo, hi]``; text that is
    not two numbers stays text, so validation names the cell."""
    parts = [p for p in re.split(r"\s*(?:,|;|\bto\b)\s*", text.strip().strip("[]")) if p]
    if len(parts) != 2:
        return text.strip()
    bounds = [_number(p, path, problems) for p in parts]
    return bounds if all(isinstance(b, int | float) for b in bounds) else text.strip()


def _merged_ranges(a: dict[str, Any], row: ActorRow, base: str, problems: list[Problem]) -> None:
    """The row's range cells merged into the actor's ``range`` table (keys no cell shows kept)."""
    if row.range is None:
        return
    old = a.get("range")
    ranges = dict(old) if isinstance(old, dict) else {}
    for key, text in row.range.items():
        if text.strip():
            ranges[key] = _range(text, f"{base}.range.{key}", problems)
        else:
            ranges.pop(key, None)
    if ranges or isinstance(old, dict):
        a["range"] = ranges


def _merged_actor(
    i: int, row: ActorRow, previous: list[dict[str, Any]], old: View, problems: list[Problem]
) -> dict[str, Any]:
    """Actor row ``i`` merged into the actor it came from in ``previous`` (a new row: a new
    actor); a cell that is not a number is left as text and recorded in ``problems``."""
    base = f"actors[{i}]"
    a = _previous(previous, row.orig)
    _set(a, "id", row.id.strip())
    _set(a, "name", row.name.strip())
    _set(a, "capability", _number(row.capability, f"{base}.capability", problems))
    _set(a, "war_cost", _number(row.war_cost, f"{base}.war_cost", problems))
    a["position"] = _point(row.position, f"{base}.position", problems)
    a["salience"] = _point(row.salience, f"{base}.salience", problems)
    _merged_ranges(a, row, base, problems)
    if row.source is not None:
        _set(a, "source", row.source.strip())
    kept = old.other_red_lines.get(row.orig, []) if row.orig is not None else []
    lines = _merged_red_lines(row, kept)
    if lines or "red_lines" in a:  # an explicit empty list stays, as written
        a["red_lines"] = lines
    return a


def _merged_proposal(
    i: int, row: ProposalRow, previous: list[dict[str, Any]], problems: list[Problem]
) -> dict[str, Any]:
    """Proposal row ``i`` merged into the proposal it came from in ``previous`` (a new row: a
    new proposal).

    A term left at the format's default is written only when the file already had it, and a
    list only when the file had it or it is not empty: saving adds nothing the file did not say.
    """
    p = _previous(previous, row.orig)
    _set(p, "id", row.id.strip())
    _set(p, "label", row.label.strip())
    _set(p, "proposer", row.proposer.strip())
    for key in CHOICES:
        value = getattr(row, key).strip()
        if key in p or value != DEFAULTS[key]:
            _set(p, key, value)
    for key in ("mechanisms", "requires"):
        items = _list(getattr(row, key))
        if key in p or items:
            p[key] = items
    p["position"] = _point(row.position, f"proposals[{i}].position", problems)
    return p


def _in_order(merged: dict[str, Any]) -> dict[str, Any]:
    """The tables in :data:`ORDER`, then any other, as they came."""
    raw = {k: merged[k] for k in ORDER if k in merged}
    raw.update({k: v for k, v in merged.items() if k not in raw})
    return raw


def _merged_tables(
    old_raw: dict[str, Any], old: View, edit: Edit, problems: list[Problem]
) -> dict[str, Any]:
    """The tables the editor shows as rows (``old.managed``), merged from ``edit``'s rows."""
    new: dict[str, Any] = {}
    if old.managed["actors"]:
        actors = _rows(old_raw, "actors") or []
        new["actors"] = [
            _merged_actor(i, row, actors, old, problems) for i, row in enumerate(edit.actors)
        ]
    if old.managed["proposals"]:
        proposals = _rows(old_raw, "proposals") or []
        new["proposals"] = [
            _merged_proposal(i, row, proposals, problems) for i, row in enumerate(edit.proposals)
        ]
    return new


def merge(old_raw: dict[str, Any], edit: Edit) -> Merged:
    """Apply the editor's tables and raw rest to a draft and write the TOML text."""
    try:
        rest = parse_toml(edit.rest, "rest")
    except ScenarioError as err:
        return Merged(None, None, [Problem("rest", p.message) for p in err.problems])
    old = view(old_raw)
    problems = _misplaced(old, rest)
    if problems:
        return Merged(None, None, problems)
    raw = _in_order({**rest, **_merged_tables(old_raw, old, edit, problems)})
    try:
        text = write(raw)
    except (TypeError, ValueError) as err:
        return Merged(None, None, [*problems, Problem("", f"cannot write TOML: {err}")])
    return Merged(text, raw, problems)


def problems_of(raw: dict[str, Any], extra: list[Problem] | None = None) -> list[Problem]:
    """Every problem of a parsed draft: the web's own cell checks, then the CLI's."""
    problems = list(extra or [])
    seen = {p.path for p in problems}
    try:
        from_dict(raw)
    except ScenarioError as err:
        # a cell this module already flagged (nan) would get a second, vaguer message
        problems.extend(p for p in err.problems if p.path not in seen)
    return problems
