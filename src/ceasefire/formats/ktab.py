"""KTAB SMP CSV files (``docs/specs/smp.md`` §2): the text of a file into a :class:`KtabScenario`.

The file is ``n + 2`` lines: the scenario line (name, description, ``n``, ``D``), a header
line (actor, description, capability label, then a position and a salience label per
dimension) and one line per actor. The caller reads the file; this module does no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ceasefire._types import FloatArray
from ceasefire.bargaining.base import Problem
from ceasefire.formats.base import FormatError, placeholder_status_quo

__all__ = ["KtabFormatError", "KtabScenario", "parse_ktab_csv"]

# Limits of §2 (KTAB's own checks); the salience-sum slack is our choice (decimal round-off).
MIN_ACTORS, MAX_ACTORS = 3, 250
MAX_TEXT = 512  # scenario name and description
MAX_ACTOR_NAME = 25
MAX_ACTOR_DESCRIPTION = 256
MAX_CAPABILITY = 1e8
SALIENCE_SLACK = 1e-9

_HEAD_LABELS = ("scenario name", "scenario description", "number of actors", "number of dimensions")


class KtabFormatError(FormatError):
    """Malformed KTAB SMP CSV text; the message names the line (1-based) and column."""


@dataclass(frozen=True)
class KtabScenario:
    """A KTAB SMP scenario as read from its CSV (§2), values as in the file (0-100 scale).

    ``positions``/``saliences`` (n, D) and ``capability`` (n,) are the file's numbers; the
    model scales them by ``scaling`` (positions and saliences divided by 100, capability raw)
    -- the ``smp`` engine does that itself from a 0-100 :class:`Problem`. Text fields keep
    their spaces as the spec says (e.g. ``"  XYZ Position"``); strip them for display if wanted.
    """

    name: str
    description: str
    actor_names: tuple[str, ...]
    actor_descriptions: tuple[str, ...]
    dimension_names: tuple[str, ...]
    salience_labels: tuple[str, ...]
    capability_label: str
    capability: FloatArray
    positions: FloatArray
    saliences: FloatArray
    scaling: dict[str, str] = field(
        default_factory=lambda: {
            "positions": "file value / 100 (model works on [0, 1]; reported x100)",
            "saliences": "file value / 100",
            "capability": "raw file value",
        }
    )

    @property
    def n_actors(self) -> int:
        return len(self.actor_names)

    @property
    def n_dims(self) -> int:
        return len(self.dimension_names)

    def to_problem(self, status_quo: Any = None) -> Problem:
        """A batch-of-one :class:`Problem` on the 0-100 scale.

        The KTAB format has no status quo (SMP ignores it); by default we put the capability x
        salience weighted mean of the positions (:func:`placeholder_status_quo`), which is only
        a placeholder for engines that need one.
        """
        if status_quo is None:
            status_quo = placeholder_status_quo(self.capability, self.saliences, self.positions)
        return Problem.single(self.positions, self.saliences, self.capability, status_quo)


@dataclass(frozen=True)
class _Header:
    """The header line (line 2): every field, and the labels the actor lines are read by."""

    fields: list[str]
    capability_label: str
    dimension_names: tuple[str, ...]
    salience_labels: tuple[str, ...]

    @property
    def n_columns(self) -> int:
        return 3 + 2 * len(self.dimension_names)


@dataclass(frozen=True)
class _Actor:
    name: str
    description: str
    capability: float
    positions: list[float]
    saliences: list[float]


def _split_fields(line: str, lineno: int) -> list[str]:
    """Split one CSV record as §2 describes (quotes, ``&quot;``, ``$$``, trailing comma)."""
    fields: list[str] = []
    i, end = 0, len(line)
    while True:
        k = _field_end(line, i, lineno)
        fields.append(_unquote(line[i:k]))
        if k >= end:
            break
        i = k + 1
    if len(fields) > 1 and fields[-1] == "":
        fields.pop()
    return fields


def _field_end(line: str, start: int, lineno: int) -> int:
    """Index of the comma that ends the field starting at ``start`` (or the line's end)."""
    search = start
    if start < len(line) and line[start] == '"':  # a quoted field may hold commas as-is
        close = line.find('"', start + 1)
        if close < 0:
            raise KtabFormatError("unterminated double quote", line=lineno)
        search = close + 1
    k = line.find(",", search)
    return len(line) if k < 0 else k


def _unquote(raw: str) -> str:
    """A field's text: one leading and one trailing quote dropped, §2's escapes replaced."""
    if raw.startswith('"'):
        raw = raw[1:]
    if raw.endswith('"'):
        raw = raw[:-1]
    return raw.replace("&quot;", '"').replace("$$", ",")


def _number(text: str, lineno: int, column: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise KtabFormatError(f"not a number: {text!r}", line=lineno, column=column) from None
    if not np.isfinite(value):
        raise KtabFormatError(f"not a finite number: {text!r}", line=lineno, column=column)
    return value


def _integer(text: str, lineno: int, column: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise KtabFormatError(f"not an integer: {text!r}", line=lineno, column=column) from None


def _scenario_line(lines: list[str]) -> tuple[str, str, int, int]:
    """Line 1: ``(name, description, n, D)``, each within §2's limits."""
    if not lines or not lines[0].strip():
        raise KtabFormatError("empty input: expected the scenario line", line=1)
    head = _split_fields(lines[0], 1)
    if len(head) < 4:
        raise KtabFormatError(
            f"expected 4 fields (name, description, n, D), got {len(head)}",
            line=1,
            column=_HEAD_LABELS[len(head)],
        )
    name, desc = head[0], head[1]
    n = _integer(head[2], 1, _HEAD_LABELS[2])
    dims = _integer(head[3], 1, _HEAD_LABELS[3])
    _check_scenario_line(name, desc, n, dims)
    return name, desc, n, dims


def _check_scenario_line(name: str, desc: str, n: int, dims: int) -> None:
    if len(name) > MAX_TEXT:
        raise KtabFormatError(
            f"scenario name longer than {MAX_TEXT} characters", 1, _HEAD_LABELS[0]
        )
    if len(desc) > MAX_TEXT:
        raise KtabFormatError(
            f"scenario description longer than {MAX_TEXT} characters", 1, _HEAD_LABELS[1]
        )
    if not MIN_ACTORS <= n <= MAX_ACTORS:
        raise KtabFormatError(
            f"number of actors {n} not in [{MIN_ACTORS}, {MAX_ACTORS}]", 1, _HEAD_LABELS[2]
        )
    if dims < 1:
        raise KtabFormatError(f"number of dimensions {dims} < 1", 1, _HEAD_LABELS[3])


def _header_line(lines: list[str], dims: int) -> _Header:
    """Line 2: the capability label and, per dimension, the position and salience labels."""
    if len(lines) < 2:
        raise KtabFormatError("missing header line", line=2)
    header = _split_fields(lines[1], 2)
    ncols = 3 + 2 * dims
    if len(header) < ncols:
        raise KtabFormatError(
            f"header has {len(header)} fields, expected {ncols} (3 + 2 x {dims} dimensions)",
            line=2,
            column=f"field {len(header) + 1}",
        )
    return _Header(
        fields=header,
        capability_label=header[2],
        dimension_names=tuple(header[3 + 2 * d] for d in range(dims)),
        salience_labels=tuple(header[4 + 2 * d] for d in range(dims)),
    )


def _actor_line(line: str, ln: int, header: _Header) -> _Actor:
    """One actor's line (line ``ln``): name, description, capability, positions, saliences."""
    f = _split_fields(line, ln)
    _check_actor_text(f, ln, header)
    cap_label = header.capability_label
    c = _number(f[2], ln, cap_label)
    if not 0.0 < c <= MAX_CAPABILITY:
        raise KtabFormatError(f"capability {c} not in (0, 1e8]", ln, cap_label)
    pos, sal = _actor_values(f, ln, header)
    return _Actor(f[0], f[1], c, pos, sal)


def _check_actor_text(f: list[str], ln: int, header: _Header) -> None:
    """Enough fields, a name of 1-25 characters, a description of at most 256 (§2)."""
    ncols, labels = header.n_columns, header.fields
    if len(f) < ncols:
        missing = labels[len(f)] if len(f) < len(labels) else f"field {len(f) + 1}"
        raise KtabFormatError(
            f"actor line has {len(f)} fields, expected {ncols}", line=ln, column=missing
        )
    if not 1 <= len(f[0]) <= MAX_ACTOR_NAME or not f[0].strip():
        raise KtabFormatError("actor name must have 1-25 characters", ln, labels[0])
    if len(f[1]) > MAX_ACTOR_DESCRIPTION:
        raise KtabFormatError("actor description longer than 256 characters", ln, labels[1])


def _actor_values(f: list[str], ln: int, header: _Header) -> tuple[list[float], list[float]]:
    """Per dimension a position and a salience in [0, 100]; saliences sum to (0, 100]."""
    pos: list[float] = []
    sal: list[float] = []
    for d, (p_label, s_label) in enumerate(
        zip(header.dimension_names, header.salience_labels, strict=True)
    ):
        p = _number(f[3 + 2 * d], ln, p_label)
        s = _number(f[4 + 2 * d], ln, s_label)
        if not 0.0 <= p <= 100.0:
            raise KtabFormatError(f"position {p} not in [0, 100]", ln, p_label)
        if not 0.0 <= s <= 100.0:
            raise KtabFormatError(f"salience {s} not in [0, 100]", ln, s_label)
        pos.append(p)
        sal.append(s)
    total = float(np.cumsum(np.array(sal))[-1])  # left to right, as KTAB adds them
    if total > 100.0 + SALIENCE_SLACK:
        raise KtabFormatError(f"saliences sum to {total} > 100", ln, header.salience_labels[-1])
    if total <= 0.0:
        raise KtabFormatError(
            "saliences sum to 0; the model needs > 0", ln, header.salience_labels[-1]
        )
    return pos, sal


def _actor_lines(lines: list[str], n: int, header: _Header) -> list[_Actor]:
    """Lines 3 .. n + 2, one actor each; lines after them are ignored."""
    if len(lines) < n + 2:
        raise KtabFormatError(
            f"expected {n} actor lines (lines 3..{n + 2}), file has {max(len(lines) - 2, 0)}",
            line=len(lines) + 1,
        )
    return [_actor_line(lines[a + 2], a + 3, header) for a in range(n)]


def parse_ktab_csv(text: str) -> KtabScenario:
    """Parse the text of a KTAB SMP CSV file (§2) and validate it.

    Raises :class:`KtabFormatError` (a :class:`FormatError`, a ``ValueError``) naming the line
    and column for missing lines or columns, non-numeric values and out-of-range values:
    ``n`` in [3, 250], ``D`` >= 1, capability in (0, 1e8], positions and saliences in
    [0, 100], each actor's saliences summing to <= 100 (with 1e-9 slack for decimal round-off,
    our choice) and > 0. Extra fields after the expected ones and lines after line ``n + 2``
    are ignored.
    """
    lines = text.splitlines()
    name, desc, n, dims = _scenario_line(lines)
    header = _header_line(lines, dims)
    actors = _actor_lines(lines, n, header)
    return KtabScenario(
        name=name,
        description=desc,
        actor_names=tuple(a.name for a in actors),
        actor_descriptions=tuple(a.description for a in actors),
        dimension_names=header.dimension_names,
        salience_labels=header.salience_labels,
        capability_label=header.capability_label,
        capability=np.array([a.capability for a in actors], dtype=float),
        positions=np.array([a.positions for a in actors], dtype=float).reshape(n, dims),
        saliences=np.array([a.saliences for a in actors], dtype=float).reshape(n, dims),
    )
