"""The BDM replications' one-issue tables: text into a :class:`BdmTable`.

``docs/specs/bdm.md`` §1.1.

A CSV with a header row; the columns are found by name -- ``Actor``, ``Capability``,
``Position``, ``Salience`` -- and any others are ignored, as are blank lines. The caller reads
the file; this module does no I/O.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np

from ceasefire._types import FloatArray
from ceasefire.formats.base import FormatError

__all__ = ["COLUMNS", "BdmFormatError", "BdmTable", "parse_bdm_table"]

COLUMNS = ("Actor", "Capability", "Position", "Salience")


class BdmFormatError(FormatError):
    """Malformed BDM table text; the message names the line (1-based) and column."""


@dataclass(frozen=True)
class BdmTable:
    """A BDM table's actors and numbers, as in the file.

    ``capability`` (n,) is >= 0, ``position`` (n,) is in the file's units (any finite number),
    ``salience`` (n,) is on the tables' (0, 1] scale -- [0, 1] accepted.
    """

    actor_names: tuple[str, ...]
    capability: FloatArray
    position: FloatArray
    salience: FloatArray


def _cell(row: list[str], k: int, line: int, name: str) -> str:
    """The stripped text of column ``name`` (index ``k``) on ``line``; empty is an error."""
    if k >= len(row) or not row[k].strip():
        raise BdmFormatError("empty value", line, name)
    return row[k].strip()


def _number(row: list[str], k: int, line: int, name: str) -> float:
    """A finite number of a BDM table's column, in the range its column allows."""
    text = _cell(row, k, line, name)
    try:
        v = float(text)
    except ValueError:
        raise BdmFormatError(f"not a number: {text!r}", line, name) from None
    if not np.isfinite(v):
        raise BdmFormatError("not a finite number", line, name)
    if name == "Capability" and v < 0:
        raise BdmFormatError("capability must be >= 0", line, name)
    if name == "Salience" and not 0.0 <= v <= 1.0:
        raise BdmFormatError("salience must lie in [0, 1]", line, name)
    return v


def _columns(header: list[str], line: int) -> dict[str, int]:
    """Index of each of :data:`COLUMNS` in the header row; a missing one is an error."""
    cols = {h.strip(): k for k, h in enumerate(header)}
    for name in COLUMNS:
        if name not in cols:
            raise BdmFormatError(f"missing column {name!r}", line, name)
    return cols


def parse_bdm_table(text: str) -> BdmTable:
    """Parse the text of a BDM replication table (``docs/specs/bdm.md`` §1.1) and validate it.

    Raises :class:`BdmFormatError` (a :class:`FormatError`) naming the line and column for a
    missing header or column, an empty or non-numeric cell, a negative capability, a salience
    outside [0, 1], or fewer than two actors.
    """
    reader = csv.reader(io.StringIO(text))
    rows = [(n, r) for n, r in enumerate(reader, start=1) if any(c.strip() for c in r)]
    if not rows:
        raise BdmFormatError("empty file: expected a header Actor,Capability,Position,Salience")
    header_line, header = rows[0]
    cols = _columns(header, header_line)
    names: list[str] = []
    values: list[list[float]] = []
    for line, r in rows[1:]:
        names.append(_cell(r, cols["Actor"], line, "Actor"))
        values.append([_number(r, cols[name], line, name) for name in COLUMNS[1:]])
    if len(names) < 2:
        raise BdmFormatError("needs at least two actors", header_line)
    arr = np.array(values, dtype=float)
    return BdmTable(
        actor_names=tuple(names),
        capability=arr[:, 0],
        position=arr[:, 1],
        salience=arr[:, 2],
    )
