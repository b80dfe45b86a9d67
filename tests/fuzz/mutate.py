"""A seeded generator of mutated scenario files, from every built-in scenario.

Mutant ``i`` of seed ``s`` is a pure function of ``(s, i)`` (``random.Random(f"{s}:{i}")``), so any
mutant can be regenerated from its number. Three families:

- structured: the built-in is parsed, 1-4 operators edit the mapping (extreme, non-finite or
  wrongly typed values, deleted or unknown keys, emptied, duplicated, truncated or reversed
  lists, duplicate ids, unknown references, deep nesting, huge strings, out-of-domain model
  inputs, many actors), and an emitter that can write nan, inf and huge integers writes it back;
- text: line deletion, duplication and swaps, bad number tokens, character flips, stray headers,
  CRLF endings;
- bytes: truncation, invalid UTF-8, a BOM, UTF-16, Latin-1.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import random
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from ceasefire.scenario import builtin_ids, builtin_text

# ---------------------------------------------------------------------------------------------
# Emitting TOML that may hold what the format forbids (nan, inf, huge integers, deep nesting)


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_\-]+", k) else json.dumps(k)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, Deep):
        return v.toml()
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(str(k))} = {_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(type(v).__name__)


def emit(raw: dict[str, Any]) -> str:
    """Tables as ``[t]``, arrays of tables as ``[[t]]``, everything below them inline."""
    head: list[str] = []
    body: list[str] = []
    for k, v in raw.items():
        if isinstance(v, dict):
            rows = "".join(f"{_key(str(a))} = {_value(b)}\n" for a, b in v.items())
            body.append(f"[{_key(k)}]\n{rows}")
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            for item in v:
                rows = "".join(f"{_key(str(a))} = {_value(b)}\n" for a, b in item.items())
                body.append(f"[[{_key(k)}]]\n{rows}")
        else:
            head.append(f"{_key(k)} = {_value(v)}\n")
    return "".join(head) + "\n".join(body)


# ---------------------------------------------------------------------------------------------
# Structured operators on the parsed mapping

Path = list[str | int]

EXTREMES: tuple[Any, ...] = (
    0,
    -1,
    -1e-9,
    1e308,
    -1e308,
    10**40,
    2**64,
    float("nan"),
    float("inf"),
    float("-inf"),
    5e-324,
    1e-300,
    "text",
    "",
    True,
    False,
    {},
    [],
    {"central": 0},
    dt.date(1, 1, 1),
    dt.time(12, 30),
)


def _leaves(node: Any, path: Path | None = None) -> list[Path]:
    path = path or []
    out: list[Path] = [path] if path else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _leaves(v, [*path, k])
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _leaves(v, [*path, i])
    return out


def _get(raw: Any, path: Path) -> Any:
    for p in path:
        raw = raw[p]
    return raw


def _set(raw: Any, path: Path, value: Any) -> None:
    _get(raw, path[:-1])[path[-1]] = value


def _delete(raw: Any, path: Path) -> None:
    parent = _get(raw, path[:-1])
    del parent[path[-1]]


def op_extreme(raw: dict[str, Any], rng: random.Random) -> None:
    path = rng.choice(_leaves(raw))
    _set(raw, path, copy.deepcopy(rng.choice(EXTREMES)))


def op_number(raw: dict[str, Any], rng: random.Random) -> None:
    """A number made negative, huge, tiny or non-finite (numbers only, where it hurts most)."""
    paths = [p for p in _leaves(raw) if isinstance(_get(raw, p), int | float)]
    paths = [p for p in paths if not isinstance(_get(raw, p), bool)]
    if paths:
        path = rng.choice(paths)
        x = _get(raw, path)
        _set(raw, path, rng.choice([-x, x * 1e6, x * 1e300, float("nan"), float("inf"), 1e-300]))


def op_delete(raw: dict[str, Any], rng: random.Random) -> None:
    _delete(raw, rng.choice(_leaves(raw)))


def op_unknown_key(raw: dict[str, Any], rng: random.Random) -> None:
    tables = [p for p in _leaves(raw) if isinstance(_get(raw, p), dict)] + [[]]
    _get(raw, rng.choice(tables))[rng.choice(["zzz", "", "war-cost", "salienc"])] = 1


def op_list(raw: dict[str, Any], rng: random.Random) -> None:
    lists = [p for p in _leaves(raw) if isinstance(_get(raw, p), list)]
    if not lists:
        return
    path = rng.choice(lists)
    xs = _get(raw, path)
    how = rng.randrange(4)
    new = (
        []
        if how == 0
        else xs + xs[:1]
        if how == 1
        else xs[: len(xs) // 2]
        if how == 2
        else xs[::-1]
    )
    _set(raw, path, copy.deepcopy(new))


def op_duplicate_id(raw: dict[str, Any], rng: random.Random) -> None:
    key = rng.choice(["actors", "dimensions", "proposals", "institutions", "territory", "observed"])
    rows = raw.get(key)
    if isinstance(rows, list) and len(rows) > 1:
        field = "code" if key == "territory" else "id"
        rows[-1][field] = rows[0].get(field)


def op_unknown_reference(raw: dict[str, Any], rng: random.Random) -> None:
    paths = [p for p in _leaves(raw) if isinstance(_get(raw, p), str) and len(_get(raw, p)) < 40]
    if paths:
        _set(raw, rng.choice(paths), rng.choice(["NOPE", "alliance", "RUS", "x <= 5", "nato"]))


@dataclass(frozen=True)
class Deep:
    """Arrays or inline tables nested ``depth`` deep, written as text (no recursion here)."""

    depth: int
    table: bool

    def toml(self) -> str:
        if self.table:
            return "{a = " * self.depth + "1" + " }" * self.depth
        return "[" * self.depth + "1" + "]" * self.depth


def op_deep(raw: dict[str, Any], rng: random.Random) -> None:
    depth = rng.choice([5, 20, 40, 200, 600, 5000])
    _set(raw, rng.choice(_leaves(raw)), Deep(depth, rng.random() < 0.5))


def op_huge_string(raw: dict[str, Any], rng: random.Random) -> None:
    paths = [p for p in _leaves(raw) if isinstance(_get(raw, p), str)]
    if paths:
        _set(raw, rng.choice(paths), "<b>" + "x" * rng.choice([1_000, 9_000, 200_000]))


def op_model_input(raw: dict[str, Any], rng: random.Random) -> None:
    """An out-of-domain or edge deterrence/durability input, central or range."""
    table = rng.choice(["deterrence", "durability"])
    names = {
        "deterrence": ["v", "p1", "p2", "c1", "c2", "q", "lam"],
        "durability": ["k", "p5_bare", "floor", "hr_dmz", "hr_monitoring", "hr_peacekeepers"],
    }[table]
    value = rng.choice([-1.0, 0.0, 1e-12, 0.5, 1.0, 1.5, 1e6, 1e13, 1e308, float("nan")])
    spec: dict[str, Any] = {"central": value}
    if rng.random() < 0.5:
        spec["range"] = sorted([value, rng.choice([0.0, 0.5, 1.0, 10.0])])
    raw.setdefault(table, {})[rng.choice(names)] = spec


def op_actors(raw: dict[str, Any], rng: random.Random) -> None:
    """Every capability (or war cost) set to one extreme, or many copies of the actors."""
    actors = raw.get("actors")
    if not isinstance(actors, list) or not actors:
        return
    how = rng.randrange(3)
    if how < 2:
        field = "capability" if how == 0 else "war_cost"
        value = rng.choice([0, 1e308, 1e12, 1e-300])
        for a in actors:
            a[field] = value
        return
    extra = rng.choice([10, 60, 200])
    for n in range(extra):
        a = copy.deepcopy(actors[n % len(actors)])
        a["id"] = f"Z{n}"
        actors.append(a)


def op_institution(raw: dict[str, Any], rng: random.Random) -> None:
    insts = raw.get("institutions")
    if isinstance(insts, list) and insts:
        inst = rng.choice(insts)
        inst["rule"] = "qualified-majority"
        inst["threshold"] = rng.choice([1e-300, 1e-9, 0.5, 1.0])
        members = inst.get("members") or []
        inst["weights"] = {
            m: rng.choice([0, 1, 1e12, 1e-300]) for m in members if isinstance(m, str)
        }


def op_monte_carlo(raw: dict[str, Any], rng: random.Random) -> None:
    raw["monte_carlo"] = {
        "draws": rng.choice([10, 11, 10**7, -5]),
        "seed": rng.choice([0, -1, 2**70]),
    }


STRUCTURED: tuple[Callable[[dict[str, Any], random.Random], None], ...] = (
    op_extreme,
    op_number,
    op_number,
    op_delete,
    op_unknown_key,
    op_list,
    op_duplicate_id,
    op_unknown_reference,
    op_deep,
    op_huge_string,
    op_model_input,
    op_model_input,
    op_actors,
    op_institution,
    op_monte_carlo,
)

# ---------------------------------------------------------------------------------------------
# Text and byte operators

BAD_NUMBERS = (
    "1e999",
    "nan",
    "-inf",
    "0x7f",
    "1_000",
    "Infinity",
    "1e-400",
    "--1",
    "1.",
    "9" * 400,
)


def text_mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(lines))
        how = rng.randrange(7)
        if how == 0:
            del lines[i]
        elif how == 1:
            lines.insert(i, lines[i])
        elif how == 2:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif how == 3:
            lines[i] = re.sub(r"\b\d+(\.\d+)?\b", rng.choice(BAD_NUMBERS), lines[i], count=1)
        elif how == 4 and lines[i]:
            k = rng.randrange(len(lines[i]))
            lines[i] = lines[i][:k] + rng.choice("[]{}=\",.#'\\x0") + lines[i][k + 1 :]
        elif how == 5:
            lines.insert(i, rng.choice(["[actors]", "[[scenario]]", "[deterrence.q]", "[x.y.z]"]))
        if not lines:
            lines = [""]
    out = "\n".join(lines)
    return out.replace("\n", "\r\n") if rng.random() < 0.05 else out


def byte_mutate(text: str, rng: random.Random) -> bytes:
    data = text.encode("utf-8")
    how = rng.randrange(5)
    if how == 0:
        return data[: rng.randrange(len(data))]
    if how == 1:
        k = rng.randrange(len(data))
        bad = rng.choice([b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\x00", b"\xe2\x82"])
        return data[:k] + bad + data[k:]
    if how == 2:
        return b"\xef\xbb\xbf" + data
    if how == 3:
        return text.encode("utf-16")
    return text.replace("e", "é").encode("latin-1", errors="replace")


# ---------------------------------------------------------------------------------------------
# Mutants


@dataclass(frozen=True)
class Mutant:
    """One mutated scenario file: its number, base, family, operators and bytes."""

    index: int
    base: str
    family: str
    ops: tuple[str, ...]
    data: bytes


@cache
def _bases() -> tuple[tuple[str, str], ...]:
    return tuple((b, builtin_text(b)) for b in builtin_ids())


def mutant(seed: int, index: int) -> Mutant:
    """Mutant ``index`` of ``seed``: 60 % structured, 28 % text, 12 % bytes."""
    rng = random.Random(f"{seed}:{index}")
    base, text = rng.choice(_bases())
    family = rng.choices(["structured", "text", "bytes"], weights=[60, 28, 12])[0]
    if family == "text":
        return Mutant(index, base, family, ("text",), text_mutate(text, rng).encode("utf-8"))
    if family == "bytes":
        return Mutant(index, base, family, ("bytes",), byte_mutate(text, rng))
    raw = tomllib.loads(text)
    ops = [rng.choice(STRUCTURED) for _ in range(rng.randint(1, 4))]
    for op in ops:
        try:
            op(raw, rng)
        except (TypeError, KeyError, IndexError, AttributeError):
            continue  # an earlier operator changed the shape this one expects: skip it
    return Mutant(index, base, family, tuple(o.__name__ for o in ops), emit(raw).encode("utf-8"))
