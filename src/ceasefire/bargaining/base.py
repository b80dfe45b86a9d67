"""The protocol every bargaining engine follows (``docs/specs/bargaining.md``, "The protocol").

A problem is batch-first: ``positions`` and ``saliences`` are ``(B, n, D)`` arrays on the
0-100 scale, ``capability`` is ``(B, n)`` and ``status_quo`` is ``(B, D)``. One analysis is a
batch of one; a Monte Carlo of 100 000 draws is one call. Engines are pure functions
``forecast(problem, rng, **params) -> Forecast``; every random draw comes from ``rng``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from ceasefire._types import FloatArray, IntArray


@dataclass(frozen=True)
class Problem:
    """A batch of bargaining problems.

    positions:  (B, n, D) ideal points, 0-100
    saliences:  (B, n, D) salience of each dimension to each actor, 0-100
    capability: (B, n)    influence, >= 0
    status_quo: (B, D)    the no-deal point, 0-100 (used by ``nash``)
    war_cost:   (B, n)    what no deal costs each actor beyond the status quo, on the 0-100
                          scale of ``docs/specs/preferences.md`` ("No deal"; 0 if fighting
                          stops without a deal); None = 0 for every actor (used by ``nash``)
    """

    positions: FloatArray
    saliences: FloatArray
    capability: FloatArray
    status_quo: FloatArray
    war_cost: FloatArray | None = None

    def __post_init__(self) -> None:
        pos = np.asarray(self.positions, dtype=np.float64)
        sal = np.asarray(self.saliences, dtype=np.float64)
        cap = np.asarray(self.capability, dtype=np.float64)
        sq = np.asarray(self.status_quo, dtype=np.float64)
        if pos.ndim != 3:
            raise ValueError(f"positions must be (B, n, D), got shape {pos.shape}")
        b, n, d = pos.shape
        if sal.shape != (b, n, d):
            raise ValueError(f"saliences must have shape {(b, n, d)}, got {sal.shape}")
        if cap.shape != (b, n):
            raise ValueError(f"capability must have shape {(b, n)}, got {cap.shape}")
        if sq.shape != (b, d):
            raise ValueError(f"status_quo must have shape {(b, d)}, got {sq.shape}")
        object.__setattr__(self, "positions", pos)
        object.__setattr__(self, "saliences", sal)
        object.__setattr__(self, "capability", cap)
        object.__setattr__(self, "status_quo", sq)
        if self.war_cost is not None:
            wc = np.asarray(self.war_cost, dtype=np.float64)
            if wc.shape != (b, n):
                raise ValueError(f"war_cost must have shape {(b, n)}, got {wc.shape}")
            if np.any(wc < 0):
                raise ValueError("war_cost must be >= 0")
            object.__setattr__(self, "war_cost", wc)

    @property
    def shape(self) -> tuple[int, int, int]:
        """(B, n, D)."""
        b, n, d = self.positions.shape
        return b, n, d

    @classmethod
    def single(
        cls,
        positions: Any,
        saliences: Any,
        capability: Any,
        status_quo: Any,
        war_cost: Any = None,
    ) -> Problem:
        """A batch of one from unbatched arrays: (n, D), (n, D), (n,), (D,), war cost (n,)."""
        return cls(
            positions=np.asarray(positions, dtype=np.float64)[None],
            saliences=np.asarray(saliences, dtype=np.float64)[None],
            capability=np.asarray(capability, dtype=np.float64)[None],
            status_quo=np.asarray(status_quo, dtype=np.float64)[None],
            war_cost=None if war_cost is None else np.asarray(war_cost, dtype=np.float64)[None],
        )


@dataclass(frozen=True)
class Forecast:
    """Where an engine expects a batch of negotiations to end, and how it got there.

    outcome:    (B, D) forecast point
    rounds:     (B,)   rounds used (0 for closed-form engines)
    trajectory: (B, T+1, n, D) every actor's position in rounds 0..T (round 0 is the input),
                or None for engines without rounds
    method:     engine name; variant: named variant; params: the parameters used
    extras:     engine-specific arrays (e.g. ``probabilities`` for smp, ``case`` for nash)
    """

    outcome: FloatArray
    rounds: IntArray
    method: str
    variant: str
    params: dict[str, Any]
    version: str = "1"
    trajectory: FloatArray | None = None
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Capabilities:
    """What an engine needs from a pipeline and returns beyond the protocol.

    Each engine module declares ``CAPABILITIES``; the generic code (``bargaining.runs``,
    ``analysis``, ``uncertainty.pipeline``) reads it instead of branching on engine names.

    takes_rounds:    the engine runs a fixed number of rounds, given as ``rounds``
    pipeline_params: keyword parameters every analysis and sweep passes
    sweep_params:    further keyword parameters a sweep passes (it keeps outcomes only)
    path:            the ``extras`` key of the per-round forecast point ``(B, T+1, D)``;
                     None: the outcome is the only point
    note:            ``(codes, names)``: ``extras`` keys of a per-problem code ``(B,)`` and
                     the names of the codes, shown as a note on the forecast; None: no note
    accelerator:     an optional module that makes the engine faster with the same numbers
                     (the CLI says when it is missing); None: none
    accelerated_params: keyword parameters that select the accelerated implementation for
                     every call once ``accelerator`` is installed (for callers that make many
                     small calls, e.g. a backtest, where per-call heuristics never pay off)
    """

    takes_rounds: bool = False
    pipeline_params: Mapping[str, Any] = field(default_factory=dict)
    sweep_params: Mapping[str, Any] = field(default_factory=dict)
    path: str | None = None
    note: tuple[str, str] | None = None
    accelerator: str | None = None
    accelerated_params: Mapping[str, Any] = field(default_factory=dict)

    def note_of(self, forecast: Forecast, b: int = 0) -> str:
        """The note on problem ``b`` of a forecast ("" without one)."""
        if self.note is None:
            return ""
        codes, names = self.note
        return str(forecast.extras[names][int(forecast.extras[codes][b])])

    def path_of(self, forecast: Forecast, b: int = 0) -> FloatArray:
        """The forecast point in each round of problem ``b``, ``(T+1, D)`` (or ``(1, D)``)."""
        if self.path is None:
            return np.asarray(forecast.outcome[b][None, :], dtype=np.float64)
        return np.asarray(forecast.extras[self.path][b], dtype=np.float64)


class Engine(Protocol):
    """An engine: a pure function from a problem and an RNG to a forecast."""

    def __call__(self, problem: Problem, rng: np.random.Generator, **params: Any) -> Forecast: ...


__all__ = ["Capabilities", "Engine", "FloatArray", "Forecast", "IntArray", "Problem"]
