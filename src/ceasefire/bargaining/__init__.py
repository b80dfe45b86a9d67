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


def runs(engines: tuple[str, ...], rounds: int = 10) -> list[tuple[str, dict[str, Any]]]:
    """(engine, keyword parameters) for every variant of the engines a pipeline runs.

    ``rounds`` goes to engines with a fixed number of rounds (bdm); smp stops a degenerate
    state instead of raising, so a sweep or report still gets an answer.
    """
    out: list[tuple[str, dict[str, Any]]] = []
    for name in engines:
        for variant in ENGINES[name]:
            params = dict(variant)
            if name == "bdm":
                params["rounds"] = rounds
            if name == "smp":
                params["on_degenerate"] = "stop"
            out.append((name, params))
    return out


def engine(name: str) -> Engine:
    """The ``forecast`` function of an engine by name (KeyError for an unknown one)."""
    if name not in ENGINES:
        raise KeyError(name)
    module = import_module(f"ceasefire.bargaining.{name}")
    fn: Engine = module.forecast
    return fn


__all__ = ["ENGINES", "Engine", "Forecast", "Problem", "engine", "runs"]
