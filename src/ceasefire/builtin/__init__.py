"""The scenarios shipped with the package, their map, the format's JSON Schema and the
in-region reference ceasefires (data).

Read without pydantic's models, so that ``ceasefire list``, ``show`` and ``schema`` start in
a fraction of a second (issue 18, item 2). ``scenario.schema.json`` is generated from the
models by ``scripts/build_schema.py``; ``tests/unit/test_builtin.py`` checks it is current.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tomllib
from dataclasses import dataclass
from importlib import resources

#: the JSON Schema of the scenario format, as ``ceasefire schema`` prints it
SCHEMA_FILE = "scenario.schema.json"

_SCENARIO_TABLE = re.compile(r"^\[scenario\][^\n]*\n(.*?)(?=^\[|\Z)", re.DOTALL | re.MULTILINE)


def ids() -> tuple[str, ...]:
    """Ids of the scenarios shipped with the package."""
    folder = resources.files(__name__)
    return tuple(
        sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))
    )


def text(scenario_id: str) -> str:
    """The TOML text of a built-in scenario (``scenario_id`` one of :func:`ids`)."""
    return (resources.files(__name__) / f"{scenario_id}.toml").read_text("utf-8")


def title(scenario_id: str) -> str:
    """A built-in scenario's ``[scenario] title``, read from that table alone."""
    block = _SCENARIO_TABLE.search(text(scenario_id))
    table = tomllib.loads(block.group(1)) if block else {}
    return str(table.get("title", scenario_id))


def schema_text() -> str:
    """The scenario format's JSON Schema (``scripts/build_schema.py`` writes it)."""
    return (resources.files(__name__) / SCHEMA_FILE).read_text("utf-8")


#: the end of follow-up of the reference class (the date of the track record)
FOLLOW_UP_END = dt.date(2026, 11, 30)

REFERENCE_FILE = "reference_ceasefires.csv"


@dataclass(frozen=True)
class ReferenceRow:
    """One ceasefire of the in-region reference class (docs/specs/durability.md §4)."""

    id: str
    label: str
    start: dt.date
    end: dt.date | None
    broke: bool
    mechanisms: tuple[str, ...]
    source: str
    note: str

    @property
    def years(self) -> float:
        """Years from the ceasefire to breakdown, or to the end of follow-up."""
        return ((self.end or FOLLOW_UP_END) - self.start).days / 365.25


def reference_ceasefires() -> tuple[ReferenceRow, ...]:
    """The package's reference class, from ``reference_ceasefires.csv``."""
    text = (resources.files(__name__) / REFERENCE_FILE).read_text("utf-8")
    return tuple(
        ReferenceRow(
            id=r["id"],
            label=r["label"],
            start=dt.date.fromisoformat(r["start"]),
            end=dt.date.fromisoformat(r["end"]) if r["end"] else None,
            broke=r["broke"] == "true",
            mechanisms=tuple(m for m in r["mechanisms"].split(";") if m),
            source=r["source"],
            note=r["note"],
        )
        for r in csv.DictReader(io.StringIO(text))
    )
