"""Reading scenarios: TOML text or files to validated models, with located problems.

A scenario is checked in two passes that both always run, so that a user sees every problem
at once: structure and types (pydantic, unknown fields forbidden), then the cross-checks of
:mod:`ceasefire.scenario.checks` on the raw data. Every problem carries its dotted path, the
id of the item the path runs through and, when the text is known, its line. Nothing here
prints or exits: the CLI renders the errors.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from ceasefire.scenario.checks import cross_check
from ceasefire.scenario.geometry import UnitGeometry, parse_geometry
from ceasefire.scenario.problems import Problem, ScenarioError, dotted
from ceasefire.scenario.schema import BUILTIN_GEOMETRY, OBSERVED_KINDS, Scenario

# ---------------------------------------------------------------------------------------------
# The structural pass's errors, in the format's words


#: pydantic's container errors in the format's words (a scalar where a list or table belongs)
_TYPE_WORDS = {
    "tuple_type": "must be a list",
    "list_type": "must be a list",
    "dict_type": "must be a table",
}


def _message(e: ErrorDetails) -> str:
    kind, msg = e["type"], e["msg"]
    if kind == "missing":
        return "missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "too_short":
        n = (e.get("ctx") or {}).get("min_length", 1)
        return "must not be empty" if n == 1 else f"needs at least {n} entries"
    if kind in _TYPE_WORDS:
        return _TYPE_WORDS[kind]
    if kind == "too_long":
        n = (e.get("ctx") or {}).get("max_length")
        return f"more than {n:,} entries: over the limit (a run's memory and time)"
    if kind == "union_tag_not_found":
        return f"missing (one of {', '.join(OBSERVED_KINDS)})"
    if kind == "union_tag_invalid":
        tag = (e.get("ctx") or {}).get("tag")
        return f"unknown kind {tag!r} (one of {', '.join(OBSERVED_KINDS)})"
    return msg.removeprefix("Value error, ")


def _loc(e: ErrorDetails) -> list[Any]:
    """The error's location without pydantic's validator and union-tag segments."""
    loc = [p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
    loc = ['""' if p == "" else p for p in loc]  # an empty key is still a place in the file
    if loc[:1] == ["observed"] and len(loc) > 2 and loc[2] in OBSERVED_KINDS:
        del loc[2]  # observed[i].<kind>.field -> observed[i].field
    if e["type"] in ("union_tag_not_found", "union_tag_invalid"):
        loc.append("kind")
    return loc


def _pydantic_problems(err: ValidationError) -> list[Problem]:
    return [Problem(dotted(_loc(e)), _message(e)) for e in err.errors(include_url=False)]


def _merge(structural: list[Problem], checks: list[Problem]) -> list[Problem]:
    """Both passes' problems, each once.

    On an ``[[observed]]`` row a cross-check states what is wrong more precisely than the
    structural pass at the same path (a field of another kind, a non-positive horizon), so
    there it replaces the structural message.
    """
    precise = {p.path for p in checks if p.path.startswith("observed[")}
    out = [p for p in structural if p.path not in precise]
    seen = {(p.path, p.message) for p in out}
    for p in checks:
        if (p.path, p.message) not in seen:
            out.append(p)
            seen.add((p.path, p.message))
    return out


def _split(path: str) -> tuple[str, str]:
    """``actors[2].range.war_cost`` -> (``actors[2]``, ``range.war_cost``): the item and the
    field within it (the item is the path up to its last ``[i]``)."""
    cut = path.rfind("].")
    return (path[: cut + 1], path[cut + 2 :]) if cut >= 0 else ("", path)


def _misspelt(field: str, others: list[str]) -> str | None:
    """The field among ``others`` that ``field`` is a misspelling of, if one is close."""
    close = difflib.get_close_matches(field, others, n=1, cutoff=0.75)
    return close[0] if close else None


def drop_follow_ons(problems: list[Problem]) -> list[Problem]:
    """One mistake, one problem (issue 18, item 4).

    - A misspelt key (``warcost: unknown field``) leaves its real field at its default or
      missing; the problems that follow at that field of the same item (``war_cost``,
      ``range.war_cost``: "central value 0.0 lies outside ...", "Field required") are dropped,
      and the unknown key's message names the field it was probably meant to be.
    - A central value that is itself wrong (``position.sovereignty = 140``) is not reported
      again as lying outside its range (``range.sovereignty``).
    """
    by_item: dict[str, set[str]] = {}
    for p in problems:
        item, field = _split(p.path)
        by_item.setdefault(item, set()).add(field)
    drop: set[tuple[str, str]] = set()
    renamed: dict[int, str] = {}
    for k, p in enumerate(problems):
        item, field = _split(p.path)
        if p.message == "unknown field" and "." not in field:
            bases = {f.removeprefix("range.").split(".")[0] for f in by_item[item] if f != field}
            meant = _misspelt(field, sorted(bases))
            if meant is not None:
                renamed[k] = f"unknown field (did you mean {meant!r}?)"
                drop |= {(item, f) for f in by_item[item] if f in (meant, f"range.{meant}")}
        elif field.startswith("range.") and "central value" in p.message:
            key = field.removeprefix("range.")
            if {key, f"position.{key}"} & by_item[item]:
                drop.add((item, field))
    drop |= _red_line_follow_ons(problems)
    return [
        replace(p, message=renamed.get(k, p.message))
        for k, p in enumerate(problems)
        if _split(p.path) not in drop or p.message.startswith("unknown field")
    ]


def _red_line_follow_ons(problems: list[Problem]) -> set[tuple[str, str]]:
    """A red line that is itself wrong (``aliance <= 40``) leaves its range and its terms
    (``range.red_line.alliance``, ``red_line_terms.alliance``) with "no red line to qualify":
    those follow from the one mistake."""
    broken = {_split(p.path)[0] for p in problems if _split(p.path)[1].startswith("red_lines")}
    return {
        _split(p.path)
        for p in problems
        if _split(p.path)[0] in broken and "has no red line on" in p.message
    }


# ---------------------------------------------------------------------------------------------
# Where a problem is: the item's id and the line of the text


_ID_FIELD = {"territory": "code", "sources": "key"}
_HEAD = re.compile(r'^([A-Za-z0-9_\-]+|"[^"]*")(?:\[(\d+)\])?')  # a quoted key: "" too


def _item_id(raw: Mapping[str, Any], path: str) -> str | None:
    """The id of the array item a path starts in: ``actors[3].x`` -> ``raw["actors"][3]["id"]``."""
    m = _HEAD.match(path)
    if not m or m.group(2) is None:
        return None
    rows = raw.get(m.group(1))
    k = int(m.group(2))
    if not isinstance(rows, list) or k >= len(rows) or not isinstance(rows[k], Mapping):
        return None
    v = rows[k].get(_ID_FIELD.get(m.group(1), "id"))
    return v if isinstance(v, str) else None


_HEADER = re.compile(r'^\s*(\[\[?)\s*([A-Za-z0-9_\-."]+?)\s*\]\]?\s*(?:#.*)?$')


def _block(lines: list[str], table: str, index: int | None) -> tuple[int, int] | None:
    """First and one-past-last line index of ``[table]`` or of the ``index``-th ``[[table]]``.

    The file's root (the lines before any header) when ``table`` is ``""``.
    """
    start = 0 if table == "" else None
    count = 0
    for n, line in enumerate(lines):
        m = _HEADER.match(line)
        if not m:
            continue
        if start is not None:
            return start, n
        if m.group(2).strip('"') != table:
            continue
        if m.group(1) == "[[":
            start = n if count == index else None
            count += 1
        elif index is None:
            start = n
    return (start, len(lines)) if start is not None else None


def _key_line(lines: list[str], lo: int, hi: int, key: str) -> int | None:
    pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*[.=]')
    return next((n for n in range(lo, hi) if pattern.match(lines[n])), None)


def _table_line(lines: list[str], keys: list[str]) -> int | None:
    """The line index of ``keys`` under the longest ``[a.b]`` header that holds it."""
    for n in range(len(keys), 0, -1):
        block = _block(lines, ".".join(keys[:n]), None)
        if block is not None:
            found = _key_line(lines, block[0] + 1, block[1], keys[n]) if n < len(keys) else None
            return block[0] if found is None else found
    root = _block(lines, "", None)
    return _key_line(lines, *root, keys[0]) if root else None  # a key of the root


def line_of(text: str, path: str) -> int | None:
    """The 1-based line a dotted path points at (best effort; None when not found).

    The line of the path's first key inside its item (``actors[3].salience.a`` -> the
    ``salience = ...`` line of the fourth ``[[actors]]``) or table (``[warnings.x]`` for
    ``warnings.x.text``), else the item's or table's header line.
    """
    m = _HEAD.match(path)
    if not m:
        return None
    lines = text.splitlines()
    keys = [k for k in re.split(r"\.|\[\d+\]", path[m.end() :]) if k]
    if m.group(2) is None:
        head = m.group(1).strip('"')
        root = _block(lines, "", None) if head == "" else None  # the key "" of the root
        found = _table_line(lines, [head, *keys]) if root is None else _key_line(lines, *root, "")
        return None if found is None else found + 1
    block = _block(lines, m.group(1), int(m.group(2)))
    if block is None:
        return None
    found = _key_line(lines, block[0] + 1, block[1], keys[0]) if keys else None
    return (block[0] if found is None else found) + 1


def _locate(problems: Iterable[Problem], raw: Mapping[str, Any], text: str | None) -> list[Problem]:
    return [
        replace(
            p,
            item=_item_id(raw, p.path),
            line=line_of(text, p.path) if text is not None and p.path else None,
        )
        for p in problems
    ]


# ---------------------------------------------------------------------------------------------
# Loading


def from_dict(
    raw: Mapping[str, Any], source: str = "<scenario>", text: str | None = None
) -> Scenario:
    """Validate a parsed scenario; raise :class:`ScenarioError` with every problem.

    ``text``, the TOML the mapping was parsed from, lets each problem name its line.
    """
    structural: list[Problem] = []
    scenario: Scenario | None = None
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as err:
        structural = _pydantic_problems(err)
    problems = drop_follow_ons(_merge(structural, cross_check(raw)))
    if problems or scenario is None:
        raise ScenarioError(source, _locate(problems, raw, text))
    return scenario


# ---------------------------------------------------------------------------------------------
# Guarding the TOML parser: untrusted text (a CLI argument, a web upload) is measured before
# ``tomllib`` sees it. The stdlib parser recurses once per level of bracket or brace nesting
# (``RecursionError`` near 330 inline tables or 450 arrays) and its time and memory grow
# quadratically with the depth of a dotted key (20,000 levels: 13 s and 1.5 GB; 100,000: killed
# for memory at 23.6 GB; docs/../reviews: reliability.md §2.2). Each limit is far above what the
# built-in scenarios use (largest 70 KB, longest line 1,187 characters, dotted keys of 2 parts,
# nesting 3, about 3,000 keys and items) and far below what hurts the parser.

#: total size of a scenario's text, bytes: 15x the largest built-in scenario (70 KB); a scenario
#: at the actor limit (MAX_ACTORS, ~1.7 KB per actor) stays under 400 KB
MAX_TEXT_BYTES = 1_048_576
#: characters on one line: 8x the longest built-in line (1,187)
MAX_LINE_CHARS = 10_000
#: parts of one dotted key or table header (``a.b.c`` has 3): the format needs at most 3
MAX_KEY_PARTS = 16
#: open brackets and braces at once: the format needs 3; tomllib fails near 330
MAX_NESTING = 32
#: keys, table headers and array items in all: 30x the ~3,400 of the largest built-in
MAX_ENTRIES = 100_000

_TOKEN = re.compile(
    r'''(?P<string>"""(?:[^"\\]|\\[\s\S]|"(?!""))*""""{0,2}
        |\'\'\'[\s\S]*?\'\'\'\'{0,2}
        |"(?:[^"\\\n]|\\.)*"
        |'[^'\n]*')
      |(?P<comment>\#[^\n]*)
      |(?P<open>[\[{])
      |(?P<close>[\]}])
      |(?P<entry>[=,])
      |(?P<newline>\n)
      |(?P<dot>\.)
      |(?P<name>[A-Za-z0-9_+\-]+)''',
    re.VERBOSE,
)


def _limit(source: str, text: str, pos: int, message: str) -> ScenarioError:
    line = text.count("\n", 0, pos) + 1
    return ScenarioError(source, [Problem("", message, line=line)])


def _scan(text: str, source: str) -> None:
    """Raise :class:`ScenarioError` at the first nesting, dotted key or count over its limit.

    A lexical pass (strings and comments skipped, as TOML reads them): brackets and braces
    nest, a run of names joined by dots is one dotted key (a float ``1.5`` counts 2 parts),
    ``=`` and ``,`` each start an entry.
    """
    depth = parts = entries = 0
    after_dot = False
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("open", "entry"):
            entries += 1
            if entries > MAX_ENTRIES:
                raise _limit(source, text, m.start(), f"more than {MAX_ENTRIES:,} keys and items")
        if kind == "open":
            depth += 1
            if depth > MAX_NESTING:
                raise _limit(source, text, m.start(), f"brackets nested deeper than {MAX_NESTING}")
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind in ("name", "string"):
            parts = parts + 1 if after_dot else 1
            if parts > MAX_KEY_PARTS:
                raise _limit(source, text, m.start(), f"a key of more than {MAX_KEY_PARTS} parts")
        after_dot = kind == "dot"


def _check_size(text: str, source: str) -> None:
    """Refuse text over the size or line-length limit, located at the first long line."""
    size = len(text.encode("utf-8"))
    if size > MAX_TEXT_BYTES:
        raise ScenarioError(
            source, [Problem("", f"{size:,} bytes, over the limit of {MAX_TEXT_BYTES:,}")]
        )
    long_line = re.search(rf"^[^\n]{{{MAX_LINE_CHARS + 1},}}", text, re.MULTILINE)
    if long_line:
        raise _limit(source, text, long_line.start(), f"a line over {MAX_LINE_CHARS:,} characters")


def parse_toml(text: str, source: str = "<scenario>") -> dict[str, Any]:
    """``tomllib.loads`` behind the limits above; :class:`ScenarioError` (located) otherwise.

    Every reader of untrusted scenario text should parse through this function.
    """
    _check_size(text, source)
    _scan(text, source)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(source, [Problem("", f"TOML syntax error: {err}")]) from None
    except RecursionError:  # unreachable behind MAX_NESTING; kept so no traceback escapes
        raise ScenarioError(source, [Problem("", "nested too deeply")]) from None


def loads(text: str, source: str = "<scenario>") -> Scenario:
    """Parse TOML text into a validated :class:`Scenario` (limits: :func:`parse_toml`)."""
    return from_dict(parse_toml(text, source), source, text)


def builtin_ids() -> tuple[str, ...]:
    """Ids of the scenarios shipped with the package."""
    from ceasefire import builtin  # the data package: imported where it is read

    return builtin.ids()


def builtin_text(scenario_id: str) -> str:
    """The TOML text of a built-in scenario."""
    if scenario_id not in builtin_ids():
        raise ScenarioError(
            scenario_id,
            [
                Problem(
                    "",
                    f"no such file, and not a built-in scenario (built-in: "
                    f"{', '.join(builtin_ids())})",
                )
            ],
        )
    from ceasefire import builtin

    return builtin.text(scenario_id)


@dataclass(frozen=True)
class Loaded:
    """A scenario with where it came from, the sha256 of its text and its map's geometry."""

    scenario: Scenario
    source: str
    sha256: str
    text: str
    #: the outlines of the ``[map]`` table, None when the scenario declares no map
    geometry: UnitGeometry | None = None


def _read_text(ref: str | Path) -> str:
    path = Path(ref)
    if path.exists() and not path.is_file() and not path.is_dir():
        # a FIFO would block the read forever, a device never end (issue 18, item 9)
        raise ScenarioError(
            str(ref), [Problem("", "not a regular file (a pipe, socket or device)")]
        )
    try:
        with path.open("rb") as f:  # a bounded read: /dev/zero or a huge file cannot fill memory
            data = f.read(MAX_TEXT_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError(str(ref), [Problem("", "file not found")]) from None
    except IsADirectoryError:
        raise ScenarioError(str(ref), [Problem("", "is a directory, not a file")]) from None
    except OSError as err:
        raise ScenarioError(str(ref), [Problem("", f"cannot read: {err.strerror}")]) from None
    if len(data) > MAX_TEXT_BYTES:
        raise ScenarioError(
            str(ref), [Problem("", f"larger than the limit of {MAX_TEXT_BYTES:,} bytes")]
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ScenarioError(str(ref), [Problem("", f"not UTF-8 text (byte {err.start})")]) from None


def read(ref: str | Path) -> Loaded:
    """Load a scenario, and its map, from a file path or a built-in id (I/O edge)."""
    path = Path(ref)
    is_file = path.suffix == ".toml" or path.exists()
    text = _read_text(path) if is_file else builtin_text(str(ref))
    source = str(ref)
    scenario = loads(text, source)
    folder = path.parent if is_file else None
    geometry = read_geometry(scenario, folder, source, text)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Loaded(scenario, source, sha, text, geometry)


def load(ref: str | Path) -> Scenario:
    """Load a scenario from a file path or a built-in id."""
    return read(ref).scenario


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the scenario format."""
    return Scenario.model_json_schema()


# ---------------------------------------------------------------------------------------------
# The map's geometry


def _geometry_text(ref: str, folder: Path | None) -> str:
    """The GeoJSON text ``[map] geometry`` names; ValueError saying why it cannot be read."""
    if ref.startswith(BUILTIN_GEOMETRY):
        name = ref.removeprefix(BUILTIN_GEOMETRY)
        node = resources.files("ceasefire.builtin") / name
        if "/" in name or "\\" in name or not node.is_file():
            raise ValueError(f"no geometry {name!r} is shipped with the package")
        return node.read_text("utf-8")
    if folder is None:
        raise ValueError("a path relative to the scenario file, but the scenario has no file")
    try:
        return (folder / ref).read_text("utf-8")
    except FileNotFoundError:
        raise ValueError(f"file not found: {folder / ref}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ValueError(f"cannot read {folder / ref}: {err}") from None


def geometry_or_none(scenario: Scenario, folder: Path | None = None) -> UnitGeometry | None:
    """The scenario's map where it can be read, else None (a page that must render anyway)."""
    try:
        return read_geometry(scenario, folder)
    except ScenarioError:
        return None


def read_geometry(
    scenario: Scenario,
    folder: Path | None = None,
    source: str = "<scenario>",
    text: str | None = None,
) -> UnitGeometry | None:
    """The outlines of the scenario's ``[map]``; None without one (I/O edge).

    ``folder`` is the scenario file's folder (relative geometry paths start there; None for a
    scenario without a file, which can still use a ``builtin:`` geometry). Every unit of the
    disputed state must have an outline. Raises :class:`ScenarioError` located at ``map.geometry``.
    """
    spec = scenario.map
    if spec is None:
        return None
    try:
        geometry = parse_geometry(_geometry_text(spec.geometry, folder), spec.unit_property)
    except ValueError as err:
        problems = [Problem("map.geometry", f"{spec.geometry}: {err}")]
    else:
        # the map draws the disputed state: the aggressor's own units need no outline
        missing = [
            u.code
            for u in scenario.territory
            if u.code not in geometry.rings and u.belongs_to == "defender"
        ]
        if not missing:
            return geometry
        problems = [
            Problem(
                "map.geometry",
                f"{spec.geometry}: no feature with {spec.unit_property} = "
                f"{', '.join(repr(c) for c in missing)}",
            )
        ]
    located = [replace(p, line=line_of(text, p.path)) for p in problems] if text else problems
    raise ScenarioError(source, located)
