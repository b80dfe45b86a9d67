"""Is a forecast feasible, and which proposal does it resemble in the terms that define them?
(issue 16, part 3).

A bargaining engine's forecast is a point on the scenario's dimensions. This module checks it
the way a proposal is checked (``docs/specs/preferences.md``), through the public functions of
the preferences and institutions stages (read-only):

* **red lines**: every actor's red line the point crosses (``Preferences.red_line_excess``);
* **institutions**: each institution whose rule fails at the point, with its blockers
  (``preferences.acceptance`` then ``institutions.decide``: a member accepts iff the point
  respects its red lines and ``U_i(x) >= U_i(no deal)``, i.e. the point lies in its part of the
  win-set);
* **terms**: a dimension's anchors (``[[dimensions]].anchors``) name the terms at scale points;
  a value *has* the terms of the highest anchor at or below it (alliance 40 is "no invitation"
  until it reaches 60, "NATO invitation"). A proposal's defining terms are the anchor terms of
  its position; the forecast violates them on every dimension where its anchor differs. The
  nearest proposal *in terms* violates the fewest (ties: the smallest mean absolute distance),
  and its violated terms are always listed with it.
"""

from __future__ import annotations

import numpy as np

from ceasefire import institutions as inst
from ceasefire._types import FloatArray
from ceasefire.preferences import Preferences, acceptance
from ceasefire.results import ForecastCheck
from ceasefire.scenario import Scenario
from ceasefire.scenario.schema import Dimension

#: a value within this of an anchor counts as reaching it (rounding of engine outputs)
ANCHOR_TOL = 1e-6


def anchor_of(dim: Dimension, value: float) -> float | None:
    """The highest anchor of ``dim`` at or below ``value`` (None without anchors)."""
    points = sorted(float(k) for k in dim.anchors)
    below = [p for p in points if p <= value + ANCHOR_TOL]
    return below[-1] if below else (points[0] if points else None)


def _anchor_text(dim: Dimension, anchor: float) -> str:
    for k, text in dim.anchors.items():
        if float(k) == anchor:
            return text
    return ""


def violated_terms(scenario: Scenario, point: FloatArray, position: FloatArray) -> list[str]:
    """The dimensions on which ``point`` lies in another anchor band than ``position``, each
    as a sentence naming both bands' terms."""
    out = []
    for k, dim in enumerate(scenario.dimensions):
        mine, theirs = anchor_of(dim, float(point[k])), anchor_of(dim, float(position[k]))
        if mine is None or theirs is None or mine == theirs:
            continue
        out.append(
            f"{dim.id}: forecast {point[k]:.0f} ({_anchor_text(dim, mine)}) where the proposal "
            f"has {position[k]:g} ({_anchor_text(dim, theirs)})"
        )
    return out


def _crossed(prefs: Preferences, point: FloatArray) -> list[str]:
    """Every red line ``point`` crosses, as 'ACTOR dim op bound (forecast x)'."""
    excess = prefs.red_line_excess(point)  # (n, D)
    out = []
    for i, j in zip(*np.nonzero(excess > 0), strict=True):
        x = float(point[j])
        dim = prefs.dimension_ids[j]
        line = (
            f"{dim} >= {prefs.lower[i, j]:g}" if x < prefs.lower[i, j] else
            f"{dim} <= {prefs.upper[i, j]:g}"
        )  # fmt: skip
        out.append(f"{prefs.actor_ids[i]} {line} (forecast {x:.1f})")
    return out


def check(scenario: Scenario, prefs: Preferences, point: FloatArray) -> ForecastCheck:
    """Red lines crossed, institutions that would block, terms of every proposal (module
    docstring) for one forecast point ``(D,)``."""
    acc = acceptance(prefs, point[None])
    accepts = {a: bool(acc.accepts[0, i]) for i, a in enumerate(prefs.actor_ids)}
    blocked = {}
    for institution in scenario.institutions:
        vote = inst.decide(institution, accepts)
        if not vote.passed:
            blocked[institution.id] = list(vote.blockers)
    terms = {}
    distance = {}
    for p in scenario.proposals:
        pos = np.array([p.position[d] for d in prefs.dimension_ids])
        terms[p.id] = violated_terms(scenario, point, pos)
        distance[p.id] = float(np.abs(point - pos).mean())
    nearest = min(terms, key=lambda k: (len(terms[k]), distance[k])) if terms else None
    return ForecastCheck(
        red_lines_crossed=_crossed(prefs, point),
        rejecting=[a for a, ok in accepts.items() if not ok],
        blocked=blocked,
        terms_violated=terms,
        nearest_in_terms=nearest,
    )
