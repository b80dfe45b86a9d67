"""Reading peers' data: KTAB SMP CSVs and the BDM replications' one-issue tables.

Each importer turns a file's *text* into a scenario mapping (one dimension per issue, the
actors; no territory or proposals) that :func:`ceasefire.scenario.dumps` writes as TOML and
every command accepts. Conventions (``docs/specs/bargaining.md``, "Importers"):

* positions that lie within 0-100 are kept in the file's units; otherwise the file's range
  ``[min, max]`` of positions on that issue is mapped affinely onto 0-100 and recorded as the
  dimension's ``scale_from``, so results can be shown in the original units;
* saliences given on (0, 1] (the BDM tables) are stored x100, since scenario saliences are
  0-100 and the ``bdm`` engine divides by 100; KTAB saliences are already 0-100;
* neither format has a status quo: the scenario gets the capability x salience weighted mean
  of the positions as a placeholder, with fighting false, and says so in its source field.

The formats themselves are read by :mod:`ceasefire.formats`; malformed input raises its
:class:`~ceasefire.formats.FormatError` (naming the line and column), which passes through.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from ceasefire.formats.base import placeholder_status_quo
from ceasefire.formats.bdm import parse_bdm_table
from ceasefire.formats.ktab import parse_ktab_csv

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
    sq = placeholder_status_quo(capability, saliences, scaled)
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
    """A scenario mapping from the text of a KTAB SMP CSV (``docs/specs/smp.md`` §2).

    Raises :class:`~ceasefire.formats.KtabFormatError` for malformed text.
    """
    k = parse_ktab_csv(text)
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


def from_bdm(text: str, source: str, issue: str = "issue") -> dict[str, Any]:
    """A scenario mapping from a BDM replication table (``docs/specs/bdm.md`` §1.1).

    Columns located by header name: ``Actor``, ``Capability``, ``Position``, ``Salience``
    (extra columns ignored). Saliences must lie in [0, 1] (stored x100). Raises
    :class:`~ceasefire.formats.BdmFormatError` for malformed text.
    """
    table = parse_bdm_table(text)
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "bdm-import"
    return _scenario(
        _scenario_id(stem, "bdm-import"),
        f"Imported BDM table {stem}",
        "One-issue table in the layout of the BDM replications (docs/specs/bdm.md 1.1).",
        [issue],
        table.actor_names,
        table.capability,
        table.position[:, None],
        table.salience[:, None] * 100.0,
        f"imported from {source} (BDM table; salience x100)",
    )
