"""What the results page shows: the report's own charts and sentences for one Analysis.

The figures come from :mod:`ceasefire.report.charts` (the sentences from
:func:`ceasefire.report.text.sentences`) — the same components as report.html, not a second
implementation. Figures are emitted without plotly.js, which the page loads once from the app.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

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
    """Rendered figures of finished runs (immutable once done), a few at a time.

    Rendering the map of every proposal takes about half a second; a reader flipping between
    a run and a comparison should not pay it on every page.
    """

    def __init__(self, size: int = 8):
        self.size = size
        self._items: OrderedDict[str, dict[str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self, run_id: str, analysis: Analysis, geometry: UnitGeometry | None = None
    ) -> dict[str, str]:
        with self._lock:
            if run_id in self._items:
                self._items.move_to_end(run_id)
                return self._items[run_id]
        figs = figures(analysis, geometry)
        with self._lock:
            self._items[run_id] = figs
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return figs
