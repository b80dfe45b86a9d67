"""Reading peers' data: KTAB SMP CSVs and the BDM replications' one-issue tables.

Each importer turns a file's *text* into a scenario mapping (one dimension per issue, the
actors; no territory or proposals) that :func:`ceasefire.scenario.dumps` writes as TOML and
every command accepts. Conventions (``specs/bargaining.md``, "Importers"):

* positions that lie within 0-100 are kept in the file's units; otherwise the file's range
  ``[min, max]`` of positions on that issue is mapped affinely onto 0-100 and recorded as the
  dimension's ``scale_from``, so results can be shown in the original units;
* saliences given on (0, 1] (the BDM tables) are stored x100, since scenario saliences are
  0-100 and the ``bdm`` engine divides by 100; KTAB saliences are already 0-100;
* neither format has a status quo: the scenario gets the capability x salience weighted mean
  of the positions as a placeholder, with fighting false, and says so in its source field.

Malformed input raises :class:`ImportFormatError` naming the line and column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from ceasefire.bargaining.smp import KtabFormatError, parse_ktab_csv


class ImportFormatError(KtabFormatError):
    """A malformed input file; ``line`` (1-based) and ``column`` say where.

    Located like the KTAB parser's own errors (the same message format), for either format.
    """


_ID_BAD = re.compile(r"[^A-Za-z0-9_.\-]+")


def _ids(names: Sequence[str]) -> list[str]:
    """Scenario ids from free-text actor names: invalid characters become '-', made unique."""
    out: list[str] = []
    seen: set[str] = set()
    for k, name in enumerate(names):
        base = _ID_BAD.sub("-", name.strip()).strip("-.") or f"actor-{k + 1}"
        if not base[0].isalnum():
            base = f"a{base}"
        ident, n = base, 2
        while ident in seen:
            ident, n = f"{base}-{n}", n + 1
        seen.add(ident)
        out.append(ident)
    return out


def _scale(column: np.ndarray) -> tuple[np.ndarray, tuple[float, float] | None]:
    """Keep a dimension's positions if they lie in 0-100, else map [min, max] onto 0-100."""
    lo, hi = float(column.min()), float(column.max())
    if lo >= 0.0 and hi <= 100.0:
        return column.astype(float), None
    if hi == lo:
        return np.full_like(column, 50.0, dtype=float), (lo - 1.0, hi + 1.0)
    return (column - lo) / (hi - lo) * 100.0, (lo, hi)


def _scenario(
    sid: str,
    title: str,
    description: str,
    dims: Sequence[str],
    names: Sequence[str],
    capability: np.ndarray,
    positions: np.ndarray,
    saliences: np.ndarray,
    source: str,
) -> dict[str, Any]:
    dim_ids = _ids(dims)
    scaled = np.empty_like(positions, dtype=float)
    scale_from: list[tuple[float, float] | None] = []
    for j in range(positions.shape[1]):
        scaled[:, j], sf = _scale(positions[:, j])
        scale_from.append(sf)
    weights = capability[:, None] * saliences
    tot = weights.sum(axis=0)
    sq = np.where(tot > 0, (weights * scaled).sum(axis=0) / np.where(tot > 0, tot, 1.0), 50.0)
    dimensions = []
    for j, (d, name) in enumerate(zip(dim_ids, dims, strict=True)):
        entry: dict[str, Any] = {"id": d, "name": name.strip()}
        if scale_from[j] is not None:
            entry["scale_from"] = list(scale_from[j])  # type: ignore[arg-type]
        dimensions.append(entry)
    actors = []
    for i, (aid, name) in enumerate(zip(_ids(names), names, strict=True)):
        actors.append(
            {
                "id": aid,
                "name": name.strip(),
                "capability": float(capability[i]),
                "position": {d: float(scaled[i, j]) for j, d in enumerate(dim_ids)},
                "salience": {d: float(saliences[i, j]) for j, d in enumerate(dim_ids)},
                "source": source,
            }
        )
    return {
        "scenario": {"id": sid, "title": title, "description": description},
        "dimensions": dimensions,
        "status_quo": {
            "position": {d: float(round(v, 6)) for d, v in zip(dim_ids, sq, strict=True)},
            "fighting": False,
            "source": "placeholder: the imported file has no status quo; the capability x "
            "salience weighted mean of the positions",
        },
        "actors": actors,
    }


def _scenario_id(name: str, fallback: str) -> str:
    ident = _ids([name])[0] if name.strip() else fallback
    return ident.lower()


def from_ktab(text: str, source: str) -> dict[str, Any]:
    """A scenario mapping from the text of a KTAB SMP CSV (``specs/smp.md`` §2)."""
    try:
        k = parse_ktab_csv(text)
    except KtabFormatError as err:
        raise ImportFormatError(str(err).split(": ", 1)[-1], err.line, err.column) from None
    return _scenario(
        _scenario_id(k.name, "ktab-import"),
        k.name.strip() or "Imported KTAB scenario",
        k.description.strip(),
        k.dimension_names,
        k.actor_names,
        k.capability,
        k.positions,
        k.saliences,
        f"imported from {source} (KTAB SMP CSV)",
    )


def _bdm_cell(row: list[str], k: int, line: int, name: str) -> str:
    """The stripped text of column ``name`` (index ``k``) on ``line``; empty is an error."""
    if k >= len(row) or not row[k].strip():
        raise ImportFormatError("empty value", line, name)
    return row[k].strip()


def _bdm_number(row: list[str], k: int, line: int, name: str) -> float:
    """A finite number of a BDM table's column, in the range its column allows."""
    text = _bdm_cell(row, k, line, name)
    try:
        v = float(text)
    except ValueError:
        raise ImportFormatError(f"not a number: {text!r}", line, name) from None
    if not np.isfinite(v):
        raise ImportFormatError("not a finite number", line, name)
    if name == "Capability" and v < 0:
        raise ImportFormatError("capability must be >= 0", line, name)
    if name == "Salience" and not 0.0 <= v <= 1.0:
        raise ImportFormatError("salience must lie in [0, 1]", line, name)
    return v


def from_bdm(text: str, source: str, issue: str = "issue") -> dict[str, Any]:
    """A scenario mapping from a BDM replication table (``specs/bdm.md`` §1.1).

    Columns located by header name: ``Actor``, ``Capability``, ``Position``, ``Salience``
    (extra columns ignored). Saliences must lie in [0, 1] (stored x100).
    """
    reader = csv.reader(io.StringIO(text))
    rows = [(n, r) for n, r in enumerate(reader, start=1) if any(c.strip() for c in r)]
    if not rows:
        raise ImportFormatError("empty file: expected a header Actor,Capability,Position,Salience")
    header_line, header = rows[0]
    cols = {h.strip(): k for k, h in enumerate(header)}
    need = ("Actor", "Capability", "Position", "Salience")
    for name in need:
        if name not in cols:
            raise ImportFormatError(f"missing column {name!r}", header_line, name)
    names: list[str] = []
    values: list[list[float]] = []
    for line, r in rows[1:]:
        names.append(_bdm_cell(r, cols["Actor"], line, "Actor"))
        values.append([_bdm_number(r, cols[name], line, name) for name in need[1:]])
    if len(names) < 2:
        raise ImportFormatError("needs at least two actors", header_line)
    arr = np.array(values, dtype=float)
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "bdm-import"
    return _scenario(
        _scenario_id(stem, "bdm-import"),
        f"Imported BDM table {stem}",
        "One-issue table in the layout of the BDM replications (specs/bdm.md 1.1).",
        [issue],
        names,
        arr[:, 0],
        arr[:, 1:2],
        arr[:, 2:3] * 100.0,
        f"imported from {source} (BDM table; salience x100)",
    )
