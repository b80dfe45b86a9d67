"""Bargaining engines behind one protocol (``base.Problem`` -> ``base.Forecast``)."""

from ceasefire.bargaining.base import Engine, Forecast, Problem

__all__ = ["Engine", "Forecast", "Problem"]
