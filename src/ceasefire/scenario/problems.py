"""Located problems of a scenario: where (file, dotted path, item id, line) and what.

Every problem a scenario can have is a :class:`Problem` with a dotted path inside the file
(``actors[3].salience.alliance``), the id of the item the path runs through (``HUN``) and, when
the scenario was read from text, the line the path points at. :class:`ScenarioError` carries
them all, so that a user sees every problem at once. Nothing here prints or exits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where it is (a dotted path) and what is wrong.

    ``item`` is the id of the array item the path runs through (``actors[3]`` -> ``"HUN"``),
    ``line`` the 1-based line of the TOML text the path points at; both are filled in by the
    reader when it knows them (``None`` otherwise) and only shown by ``render(located=True)``.
    """

    path: str
    message: str
    item: str | None = None
    line: int | None = None

    def render(self, source: str, located: bool = False) -> str:
        where = f"{self.path}: " if self.path else ""
        text = f"{source}: {where}{self.message}"
        if not located:
            return text
        parts = [f"line {self.line}"] if self.line is not None else []
        if self.item is not None:
            parts.append(f"id {self.item!r}")
        return f"{text} [{', '.join(parts)}]" if parts else text


class ScenarioError(Exception):
    """A scenario that cannot be loaded, with every problem found."""

    def __init__(self, source: str, problems: Iterable[Problem]):
        self.source = source
        self.problems = tuple(problems)
        super().__init__("\n".join(self.lines(located=True)))

    def lines(self, located: bool = False) -> list[str]:
        """One line per problem: ``file: path: message``, plus ``[line N, id 'X']`` if located."""
        return [p.render(self.source, located) for p in self.problems]


def dotted(loc: Iterable[Any]) -> str:
    """``("actors", 3, "salience", "a")`` -> ``"actors[3].salience.a"``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
