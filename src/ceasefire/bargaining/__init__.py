"""Bargaining engines behind one protocol (``base.Problem`` -> ``base.Forecast``).

``ENGINES`` names the engines and the variants a run reports by default; :func:`engine`
returns an engine's ``forecast`` function (imported lazily: engines are independent plugins).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from ceasefire.bargaining.base import Engine, Forecast, Problem

#: engine name -> the variants ``ceasefire forecast --engine all`` runs, in report order
ENGINES: dict[str, tuple[dict[str, Any], ...]] = {
    "compromise": ({"variant": "mean"}, {"variant": "median"}),
    "nash": ({},),
    "bdm": ({"variant": "scholz2011"},),
    "smp": ({},),
}


def engine(name: str) -> Engine:
    """The ``forecast`` function of an engine by name (KeyError for an unknown one)."""
    if name not in ENGINES:
        raise KeyError(name)
    module = import_module(f"ceasefire.bargaining.{name}")
    fn: Engine = module.forecast
    return fn


__all__ = ["ENGINES", "Engine", "Forecast", "Problem", "engine"]
