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
import math
import re
import tomllib
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


def dimensions_of(raw: dict[str, Any]) -> list[str]:
    """Columns of the tables: the declared dimensions, then any other key the rows use.

    A position on an unknown dimension gets a column too, so its "unknown dimension" problem
    has a cell to sit on and can be fixed there.
    """
    dims: list[str] = []
    for d in raw.get("dimensions") or []:
        if isinstance(d, dict) and isinstance(d.get("id"), str) and d["id"] not in dims:
            dims.append(d["id"])
    for key in TABLES:
        for row in _rows(raw, key) or []:
            for part in ("position", "salience"):
                point = row.get(part)
                if isinstance(point, dict):
                    dims.extend(str(k) for k in point if str(k) not in dims)
            for text in (
                row.get("red_lines") or [] if isinstance(row.get("red_lines"), list) else []
            ):
                m = _RL.match(str(text))
                if m and m.group(1) not in dims:
                    dims.append(m.group(1))
    return dims


def view(raw: dict[str, Any]) -> View:
    """Split a parsed draft into the two tables and the raw rest."""
    dims = dimensions_of(raw)
    managed = {key: _rows(raw, key) is not None for key in TABLES}
    actors: list[dict[str, Any]] = []
    other: dict[int, list[str]] = {}
    cells: dict[str, str] = {}
    for i, a in enumerate(_rows(raw, "actors") or []):
        lines: dict[str, list[str]] = {}
        rl = a.get("red_lines")
        for j, text in enumerate(rl if isinstance(rl, list) else []):
            m = _RL.match(str(text))
            if m and m.group(1) in dims:
                lines.setdefault(m.group(1), []).append(f"{m.group(2)} {m.group(3).strip()}")
                cells[f"actors[{i}].red_lines[{j}]"] = f"actors[{i}].red_lines.{m.group(1)}"
            else:
                other.setdefault(i, []).append(str(text))
        pos, sal = a.get("position"), a.get("salience")
        actors.append(
            {
                "orig": i,
                "id": _cell(a.get("id")),
                "name": _cell(a.get("name")),
                "capability": _cell(a.get("capability")),
                "war_cost": _cell(a.get("war_cost")),
                "position": {d: _cell(pos.get(d)) for d in dims} if isinstance(pos, dict) else {},
                "salience": {d: _cell(sal.get(d)) for d in dims} if isinstance(sal, dict) else {},
                "red_lines": {d: "; ".join(v) for d, v in lines.items()},
            }
        )
    proposals: list[dict[str, Any]] = []
    for i, p in enumerate(_rows(raw, "proposals") or []):
        pos = p.get("position")
        mech, req = p.get("mechanisms"), p.get("requires")
        proposals.append(
            {
                "orig": i,
                "id": _cell(p.get("id")),
                "label": _cell(p.get("label")),
                "proposer": _cell(p.get("proposer")),
                **{key: _cell(p.get(key, default)) for key, default in DEFAULTS.items()},
                "mechanisms": ", ".join(map(str, mech)) if isinstance(mech, list) else "",
                "requires": ", ".join(map(str, req)) if isinstance(req, list) else "",
                "position": {d: _cell(pos.get(d)) for d in dims} if isinstance(pos, dict) else {},
            }
        )
    rest = {k: v for k, v in raw.items() if not (k in TABLES and managed[k])}
    return View(dims, actors, proposals, dumps(rest), managed, other, cells)


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


def merge(old_raw: dict[str, Any], edit: Edit) -> Merged:
    """Apply the editor's tables and raw rest to a draft and write the TOML text."""
    try:
        rest = tomllib.loads(edit.rest)
    except tomllib.TOMLDecodeError as err:
        return Merged(None, None, [Problem("rest", f"TOML syntax error: {err}")])
    old = view(old_raw)
    problems: list[Problem] = []
    for key in TABLES:
        if old.managed[key] and key in rest:
            problems.append(
                Problem(key, f"{key} are edited in the {key} table; remove them from the raw TOML")
            )
    if problems:
        return Merged(None, None, problems)

    new: dict[str, Any] = {}
    if old.managed["actors"]:
        previous = _rows(old_raw, "actors") or []
        actors = []
        for i, row in enumerate(edit.actors):
            base = f"actors[{i}]"
            a = _previous(previous, row.orig)
            _set(a, "id", row.id.strip())
            _set(a, "name", row.name.strip())
            _set(a, "capability", _number(row.capability, f"{base}.capability", problems))
            _set(a, "war_cost", _number(row.war_cost, f"{base}.war_cost", problems))
            a["position"] = _point(row.position, f"{base}.position", problems)
            a["salience"] = _point(row.salience, f"{base}.salience", problems)
            lines = []
            for d, text in row.red_lines.items():
                for part in _list(text):
                    m = _RL.match(part)
                    lines.append(part if m and m.group(1) == d else f"{d} {part}")
            if row.orig is not None:
                lines.extend(old.other_red_lines.get(row.orig, []))
            if lines or "red_lines" in a:  # an explicit empty list stays, as written
                a["red_lines"] = lines
            actors.append(a)
        new["actors"] = actors
    if old.managed["proposals"]:
        previous = _rows(old_raw, "proposals") or []
        proposals = []
        for i, prow in enumerate(edit.proposals):
            base = f"proposals[{i}]"
            p = _previous(previous, prow.orig)
            _set(p, "id", prow.id.strip())
            _set(p, "label", prow.label.strip())
            _set(p, "proposer", prow.proposer.strip())
            for key in CHOICES:
                value = getattr(prow, key).strip()
                if key in p or value != DEFAULTS[key]:
                    _set(p, key, value)
            for key in ("mechanisms", "requires"):
                items = _list(getattr(prow, key))
                if key in p or items:
                    p[key] = items
            p["position"] = _point(prow.position, f"{base}.position", problems)
            proposals.append(p)
        new["proposals"] = proposals
    merged = {**rest, **new}
    raw = {k: merged[k] for k in ORDER if k in merged}
    raw.update({k: v for k, v in merged.items() if k not in raw})
    try:
        text = dumps(raw)
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
