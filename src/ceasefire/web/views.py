"""What the results page shows: the report's own charts and sentences for one Analysis.

The figures come from :mod:`ceasefire.report.charts` (the sentences from
:func:`ceasefire.report.text.sentences`) — the same components as report.html, not a second
implementation. Figures are emitted without plotly.js, which the page loads once from the app.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from ceasefire.report import html
from ceasefire.results import Analysis
from ceasefire.scenario import UnitGeometry

#: prefix of the uncertainty section's figures in :func:`figures`' dict
UNCERTAINTY = "u:"


def figures(analysis: Analysis, geometry: UnitGeometry | None = None) -> dict[str, str]:
    """Every chart of the results page as an HTML fragment.

    When a sweep ran, also the uncertainty section's charts, under keys starting with
    :data:`UNCERTAINTY`: those of the report (:func:`ceasefire.report.html.uncertainty_figures`).
    """
    out = html.figures(analysis, geometry)
    if analysis.uncertainty:
        for key, fragment in html.uncertainty_figures(analysis.uncertainty).items():
            out[UNCERTAINTY + key] = fragment
    return out


def uncertainty_figures(figs: dict[str, str]) -> dict[str, str]:
    """The uncertainty section's figures out of :func:`figures`' dict (the report's keys)."""
    return {k[len(UNCERTAINTY) :]: v for k, v in figs.items() if k.startswith(UNCERTAINTY)}


class FigureCache:
    """Rendered figures of finished runs: on disk with the run, a few in memory, rendered once.

    A finished run's figures are rendered by its worker and kept in its folder
    (``figures.json``). A run without them (finished by an older version) is rendered on its
    first view; concurrent views of the same run wait for that one rendering instead of
    rendering again (reliability.md §2.2: ten first views rendered ten times, 21.4 s of CPU).
    :meth:`once` gives the same single flight to any file rendered on demand (report.html).
    """

    def __init__(self, size: int = 8):
        self.size = size
        self._items: OrderedDict[str, dict[str, str]] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[Path, threading.Lock] = {}

    def once(self, path: Path, render: Callable[[], None]) -> None:
        """Make sure ``path`` exists, calling ``render`` (which writes it) at most once at a
        time for the same path; later callers wait for the first and find the file."""
        if path.is_file():
            return
        with self._lock:
            flight = self._flights.setdefault(path, threading.Lock())
        with flight:
            if not path.is_file():
                render()
        with self._lock:
            self._flights.pop(path, None)

    def get(self, run_id: str, path: Path, render: Callable[[], None]) -> dict[str, str]:
        """The figures of run ``run_id`` kept at ``path`` (rendered by ``render`` if missing)."""
        with self._lock:
            if run_id in self._items:
                self._items.move_to_end(run_id)
                return self._items[run_id]
        self.once(path, render)
        figs: dict[str, str] = json.loads(path.read_text("utf-8"))
        with self._lock:
            self._items[run_id] = figs
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return figs
