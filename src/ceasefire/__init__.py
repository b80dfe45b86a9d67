"""ceasefire: judge proposals to end a war.

>>> import ceasefire
>>> result = ceasefire.analyze(ceasefire.load("ukraine-2024-11"))
>>> result.proposal("west-german-model").coverage.invited_area_share
1.0
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from ceasefire.results import Analysis
    from ceasefire.scenario import Scenario

__all__ = ["__version__", "analyze", "load"]


def load(ref: Any) -> Scenario:
    """Load and validate a scenario from a TOML path or a built-in id."""
    from ceasefire.scenario import load as _load

    return _load(ref)


def analyze(scenario: Scenario, **kwargs: Any) -> Analysis:
    """Analyse a scenario: coverage, acceptance and institutions (see ``analysis.analyze``)."""
    from ceasefire.analysis import analyze as _analyze

    return _analyze(scenario, **kwargs)
