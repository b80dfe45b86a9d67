"""Bargaining engines behind one protocol (``base.Problem`` -> ``base.Forecast``).

``ENGINES`` names the engines and the variants a run reports by default; :func:`engine`
returns an engine's ``forecast`` function and :func:`capabilities` what it declares it needs
and returns (``base.Capabilities``; imported lazily: engines are independent plugins).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from ceasefire.bargaining.base import Capabilities, Engine, Forecast, Problem

#: engine name -> the variants ``ceasefire forecast --engine all`` runs, in report order
ENGINES: dict[str, tuple[dict[str, Any], ...]] = {
    "compromise": ({"variant": "mean"}, {"variant": "median"}),
    "nash": ({},),
    "bdm": ({"variant": "scholz2011"},),
    "smp": ({},),
}


def runs(engines: tuple[str, ...], rounds: int = 10) -> list[tuple[str, dict[str, Any]]]:
    """(engine, keyword parameters) for every variant of the engines a pipeline runs.

    ``rounds`` goes to engines that declare a fixed number of rounds (bdm), and each engine's
    declared ``pipeline_params`` are added (smp stops a degenerate state instead of raising,
    so a sweep or report still gets an answer).
    """
    out: list[tuple[str, dict[str, Any]]] = []
    for name in engines:
        caps = capabilities(name)
        for variant in ENGINES[name]:
            params = dict(variant)
            if caps.takes_rounds:
                params["rounds"] = rounds
            params.update(caps.pipeline_params)
            out.append((name, params))
    return out


def capabilities(name: str) -> Capabilities:
    """What an engine declares (its module's ``CAPABILITIES``; KeyError for an unknown one)."""
    if name not in ENGINES:
        raise KeyError(name)
    caps: Capabilities = import_module(f"ceasefire.bargaining.{name}").CAPABILITIES
    return caps


def engine(name: str) -> Engine:
    """The ``forecast`` function of an engine by name (KeyError for an unknown one)."""
    if name not in ENGINES:
        raise KeyError(name)
    module = import_module(f"ceasefire.bargaining.{name}")
    fn: Engine = module.forecast
    return fn


__all__ = [
    "ENGINES",
    "Capabilities",
    "Engine",
    "Forecast",
    "Problem",
    "capabilities",
    "engine",
    "runs",
]
