"""Curves of the extended game for the report (``docs/specs/deterrence.md`` §4.8).

q* and P(hold) against the inputs that decide them (``c2``, the probe share ``s``), with the
stated range to shade, and the old curve over ``q``. Pure functions; plain lists out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ceasefire._types import FloatArray
from ceasefire.deterrence import ParameterRange
from ceasefire.deterrence.game import (
    Conditions,
    ExtendedRun,
    ResolvedCommitment,
    extended_game,
    fold,
)

#: the grids of §4.8 (judgement: wide enough to show where the conclusion turns around the
#: stated ranges of deterrence_defaults.md, c2 2-10 and s 0.01-0.10)
GRIDS: Mapping[str, FloatArray] = {
    "c2": np.geomspace(0.25, 16.0, 25),
    "s": np.linspace(0.005, 0.25, 25),
}


def _floats(x: Any) -> list[float | None]:
    return [None if math.isnan(v) else float(v) for v in np.asarray(x, dtype=float).ravel()]


def q_curve(run: ExtendedRun, grid: FloatArray, cond: Conditions) -> dict[str, list[float]]:
    """P(hold) and P(guarantors in direct war) over ``q`` at the folded central inputs."""
    p = dict(run.central_inputs) | {"q": np.asarray(grid, dtype=float)}
    phi = 1.0 if run.phase == "after_ceasefire" else 0.0
    res = extended_game(run.g, run.h, p, cond, phi)
    return {
        "q": [float(x) for x in grid],
        "p_hold": [float(x) for x in res.p_hold],
        "p_guarantor_war": [float(x) for x in res.p_guarantor_war],
    }


def input_curves(
    g: float,
    h: float,
    ranges: Mapping[str, ParameterRange],
    comms: Sequence[ResolvedCommitment],
    cond: Conditions,
    phase: str,
) -> list[dict[str, Any]]:
    """q*, q*_probe and P(hold) along each grid of ``GRIDS``, the other inputs central."""
    phi = 1.0 if phase == "after_ceasefire" else 0.0
    central = {k: float(r.central) for k, r in ranges.items()}
    out = []
    for name, grid in GRIDS.items():
        p = central | {name: grid}
        g_, folded = fold(
            g, p, comms, [c.credibility.central for c in comms], [c.weight.central for c in comms]
        )
        res = extended_game(g_, h, folded, cond, phi)
        r = ranges[name]
        out.append(
            {
                "parameter": name,
                "x": [float(x) for x in grid],
                "q_critical": _floats(res.q_critical),
                "q_critical_probe": _floats(res.q_critical_probe),
                "p_hold": [float(x) for x in np.broadcast_to(res.p_hold, grid.shape)],
                "central": float(r.central),
                "low": float(r.low),
                "high": float(r.high),
            }
        )
    return out


def commitment_row(c: ResolvedCommitment) -> dict[str, Any]:
    """A resolved commitment as the results' ``CommitmentResult`` fields."""
    cr, w = c.credibility, c.weight
    return {
        "type": c.type,
        "label": c.label,
        "guarantors": c.guarantors,
        "scope": c.scope,
        "automaticity": c.automaticity,
        "tripwire": c.tripwire,
        "credibility": [cr.central, cr.low, cr.high],
        "weight": [w.central, w.low, w.high],
        "source": c.source,
    }


def complement(interval: Any) -> dict[str, float | None]:
    """``1 - x`` of an Interval's statistics (the 5th and 95th percentiles swap)."""

    def one(x: float | None) -> float | None:
        return None if x is None else 1.0 - x

    return {
        "central": one(interval.central),
        "median": one(interval.median),
        "p05": one(interval.p95),
        "p95": one(interval.p05),
    }
