"""The DEU III data (Arregui & Perarnaud 2021, doi:10.34810/data53): parsing from text.

Pure: :func:`parse` takes the file's text and its name (for messages) and returns a
:class:`DeuData`; the caller reads the file. Bad input raises :class:`DeuFormatError` with the
line and the column.

Two layouts share the variable names of the deposit, one row per contested issue:

* **derived** -- ``deu3.csv`` of the public repository ``blksv/predictioneers_game`` (read
  2026-11-30, commit 21b9737): tab-separated, quoted headers; its README says it is "the above
  validation dataset with GDPs (the second line) added and invalid outcome values removed".
  Row 2 therefore carries no issue (``isnr`` empty) and gives each actor's GDP in its position
  column; the tool uses it as capabilities (``--capability gdp``).
* **deposit** -- the same table without the GDP row. We could not read the deposit's codebook;
  its layout here rests on secondary evidence (that README, and another public project's
  reader of ``Dataset_DEU_III.csv``, which describes it as semicolon-separated with ``999``
  for a missing outcome). The reader therefore accepts tab, semicolon or comma as the
  delimiter (chosen from the header line) and reads exactly ``999`` in a numeric column as
  missing. Any other value outside [0, 100] is an error.

Columns used: ``isnr`` (issue id), ``counvte`` (Council voting rule), ``rp`` (reference point),
``out`` (outcome), and for every actor code ``X`` a position column ``pX`` with its salience
column ``sX`` (the actors are every ``pX`` whose ``sX`` exists: ``com``, ``ep`` and the member
states in the files seen). An empty cell is a missing value: an actor without a position takes
no part in the issue; a missing salience counts as 0.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MISSING_CODE = 999.0  # the deposit's missing-value code (secondary evidence, module docstring)
REQUIRED = ("isnr", "counvte", "rp", "out")
DELIMITERS = ("\t", ";", ",")

#: Council votes under the Treaty of Nice weighting, in force 1 Nov 2004 - 31 Oct 2014 (Protocol
#: on the enlargement of the EU, Art. 3, OJ C 80, 10.3.2001, as adapted by the Acts of
#: Accession of 2003, 2005 and 2012; total 352 with Croatia). Applied to every issue whatever
#: its date (judgement: DEU I issues of 1999-2000 were voted under the older weights).
NICE_VOTES: dict[str, float] = {
    "de": 29, "fr": 29, "it": 29, "uk": 29, "es": 27, "pl": 27, "ro": 14, "nl": 13,
    "be": 12, "cz": 12, "el": 12, "hu": 12, "pt": 12, "at": 10, "bu": 10, "se": 10,
    "cr": 7, "dk": 7, "ie": 7, "lt": 7, "sk": 7, "fi": 7,
    "cy": 4, "ee": 4, "lv": 4, "lu": 4, "si": 4, "mt": 3,
    # judgement: the Commission and the Parliament weigh as the largest member state, as the
    # derived file's GDP row gives them Germany's GDP
    "com": 29, "ep": 29,
}  # fmt: skip

CAPABILITIES = ("gdp", "equal", "votes")


class DeuFormatError(ValueError):
    """A DEU file that cannot be read; ``line`` (1-based) and ``column`` locate the problem."""

    def __init__(self, message: str, line: int | None = None, column: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def located(self, source: str) -> str:
        """``source:line: column 'x': message`` (the parts that are known)."""
        where = source
        if self.line is not None:
            where += f":{self.line}"
        if self.column is not None:
            where += f": column {self.column!r}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class DeuIssue:
    """One contested issue: every actor's position and salience (None = missing), 0-100."""

    id: str
    line: int
    voting_rule: str
    positions: tuple[float | None, ...]
    saliences: tuple[float | None, ...]
    reference_point: float | None
    outcome: float | None
    #: the legislative proposal the issue belongs to (column ``prnr``; the issue id if absent):
    #: cross-validation folds never split a proposal's issues
    proposal: str = ""


@dataclass(frozen=True)
class DeuData:
    """A parsed DEU table: the actor codes, the GDP row (derived layout) and the issues."""

    layout: str  # "derived" (with the GDP row) or "deposit"
    source: str
    delimiter: str
    actors: tuple[str, ...]
    gdp: tuple[float | None, ...] | None
    gdp_line: int | None
    issues: tuple[DeuIssue, ...]


def _delimiter(header_line: str) -> str:
    """The delimiter that splits the header into the required columns, else an error."""
    for delim in DELIMITERS:
        names = _names(next(csv.reader([header_line], delimiter=delim)))
        if all(r in names for r in REQUIRED):
            return delim
    best = max(DELIMITERS, key=header_line.count)
    names = _names(next(csv.reader([header_line], delimiter=best)))
    missing = [r for r in REQUIRED if r not in names]
    raise DeuFormatError(
        f"not a DEU III table: the header lacks the column(s) {', '.join(missing)} "
        "(expected tab-, semicolon- or comma-separated variables isnr, counvte, rp, out, "
        "pcom/scom, ...)",
        line=1,
    )


def _names(cells: list[str]) -> list[str]:
    return [c.strip().strip('"').strip().lower() for c in cells]


def _actor_codes(names: list[str]) -> tuple[str, ...]:
    """Every ``X`` with both ``pX`` and ``sX`` columns, in header order."""
    present = set(names)
    codes = tuple(
        n[1:] for n in names if n.startswith("p") and len(n) > 1 and f"s{n[1:]}" in present
    )
    if not codes:
        raise DeuFormatError(
            "not a DEU III table: no actor columns (a position pX with its salience sX)",
            line=1,
        )
    return codes


def _number(
    cell: str, line: int, column: str, *, lo: float = 0.0, hi: float = 100.0
) -> float | None:
    """A numeric cell: empty or the missing code 999 -> None; else a number in [lo, hi]."""
    text = cell.strip().strip('"').strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise DeuFormatError(f"not a number: {text!r}", line=line, column=column) from None
    if value == MISSING_CODE:
        return None
    if not lo <= value <= hi:
        raise DeuFormatError(
            f"{value:g} is outside [{lo:g}, {hi:g}] (999 is read as missing)",
            line=line,
            column=column,
        )
    return value


def _row_values(
    row: list[str], col: dict[str, int], codes: tuple[str, ...], prefix: str, line: int, hi: float
) -> tuple[float | None, ...]:
    return tuple(_number(row[col[prefix + c]], line, prefix + c, hi=hi) for c in codes)


def _issue(row: list[str], col: dict[str, int], codes: tuple[str, ...], line: int) -> DeuIssue:
    return DeuIssue(
        id=row[col["isnr"]].strip(),
        line=line,
        voting_rule=row[col["counvte"]].strip() or "(none)",
        positions=_row_values(row, col, codes, "p", line, hi=100.0),
        saliences=_row_values(row, col, codes, "s", line, hi=100.0),
        reference_point=_number(row[col["rp"]], line, "rp"),
        outcome=_number(row[col["out"]], line, "out"),
        proposal=(row[col["prnr"]].strip() if "prnr" in col else "") or row[col["isnr"]].strip(),
    )


def _rows(reader: Any, width: int) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of every non-blank row; a row of another width is an error."""
    for row in reader:
        if not any(c.strip() for c in row):
            continue
        if len(row) != width:
            raise DeuFormatError(f"{len(row)} cells, the header has {width}", line=reader.line_num)
        yield reader.line_num, row


def parse(text: str, source: str = "<text>") -> DeuData:
    """Read a DEU III table (derived or deposit layout; module docstring) from its text.

    Raises :class:`DeuFormatError` (located by line and column) for an empty file, a table of
    another layout, rows of the wrong length, non-numeric or out-of-range cells, a duplicate
    issue id, or a table without issues. ``source`` names the text in nothing but the result's
    provenance (messages carry line and column; the caller adds the file).
    """
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise DeuFormatError("empty file: expected a header line", line=1)
    delim = _delimiter(lines[0])
    reader = csv.reader(io.StringIO(text), delimiter=delim, quotechar='"')
    names = _names(next(reader))
    col = {n: i for i, n in enumerate(names)}
    codes = _actor_codes(names)
    gdp: tuple[float | None, ...] | None = None
    gdp_line: int | None = None
    issues: list[DeuIssue] = []
    seen: dict[str, int] = {}
    for line, row in _rows(reader, len(names)):
        issue_id = row[col["isnr"]].strip()
        if not issue_id and gdp is None and not issues:
            # the derived layout's GDP row: capabilities in the position columns
            gdp = _row_values(row, col, codes, "p", line, hi=float("inf"))
            gdp_line = line
            continue
        if not issue_id or issue_id in seen:
            where = f"repeats line {seen[issue_id]}" if issue_id else "is empty"
            raise DeuFormatError(f"issue id {issue_id!r} {where}", line=line, column="isnr")
        seen[issue_id] = line
        issues.append(_issue(row, col, codes, line))
    if not issues:
        raise DeuFormatError("no issue rows after the header", line=2)
    return DeuData(
        layout="derived" if gdp is not None else "deposit",
        source=source,
        delimiter=delim,
        actors=codes,
        gdp=gdp,
        gdp_line=gdp_line,
        issues=tuple(issues),
    )


def capabilities(data: DeuData, kind: str) -> tuple[float | None, ...]:
    """Each actor's capability: ``equal`` (1), ``gdp`` (the GDP row) or ``votes``
    (:data:`NICE_VOTES`). An actor without a value gets None (the runner reports issues where
    it takes part). Raises :class:`DeuFormatError` when the layout lacks what ``kind`` needs.
    """
    if kind == "equal":
        return tuple(1.0 for _ in data.actors)
    if kind == "gdp":
        if data.gdp is None:
            raise DeuFormatError(
                "--capability gdp needs the GDP row of the derived layout (row 2); this file "
                "has none: use --capability equal or votes",
                line=2,
            )
        return data.gdp
    if kind == "votes":
        return tuple(NICE_VOTES.get(code) for code in data.actors)
    raise ValueError(f"capability must be one of {CAPABILITIES}, got {kind!r}")
