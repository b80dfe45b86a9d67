"""Built-in scenarios and package data (TOML scenarios, the in-region reference ceasefires)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from importlib import resources

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
