"""Calibration of the extended game on observed choices (``docs/specs/deterrence.md`` §4.7).

Fits ``θ = (λ, c1_case, p1_case)`` — λ shared by every case, the aggressor's cost of war and
chance of prevailing per case — by minimising

```
J(θ) = - Σ_t log P_t(observed choice | θ) + ½ Σ_j ((θ_j - θ0_j) / half-range_j)²
```

within the stated ranges (scipy L-BFGS-B). Pure: the targets carry everything the game needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import minimize

from ceasefire._types import FloatArray
from ceasefire.deterrence import ParameterRange
from ceasefire.deterrence.game import Conditions, ResolvedCommitment, extended_game, fold

#: the free parameters (§4.7); λ is shared, the others are per case
FREE: tuple[str, ...] = ("lam", "c1", "p1")
#: what a target observed: the aggressor kept attacking (any attack), held, attacked covered
#: territory (full or probe), or did not
OBSERVATIONS: tuple[str, ...] = ("attack", "hold", "attack-covered", "no-attack-covered")
_FLOOR = 1e-12  # keeps log finite when a choice has probability 0 (judgement)


@dataclass(frozen=True)
class Target:
    """One observed choice: the game's inputs at the central values and what happened."""

    case: str
    label: str
    observed: str
    g: float
    h: float
    phase: float
    ranges: Mapping[str, ParameterRange]
    commitments: Sequence[ResolvedCommitment] = ()
    conditions: Conditions = field(default_factory=Conditions)
    source: str = ""


def probability(t: Target, values: Mapping[str, float]) -> float:
    """P(the observed choice) at the central inputs with ``values`` substituted (§4.7)."""
    return float(choice_probability(t, values))


def choice_probability(t: Target, values: Mapping[str, Any]) -> FloatArray:
    """:func:`probability` for values that may be arrays (the game broadcasts over them)."""
    p = {k: float(r.central) for k, r in t.ranges.items()} | dict(values)
    creds = [c.credibility.central for c in t.commitments]
    weights = [c.weight.central for c in t.commitments]
    g, folded = fold(t.g, p, t.commitments, creds, weights)
    # the game's own shape follows g and h: give them the shape of any array value (e.g. λ)
    shape = np.broadcast_shapes(np.shape(g), *(np.shape(v) for v in folded.values()))
    g = np.broadcast_to(np.asarray(g, dtype=np.float64), shape)
    r = extended_game(g, t.h, folded, t.conditions, t.phase)
    hold, covered = np.asarray(r.p_hold), np.asarray(r.p_attack_covered + r.p_probe)
    return {
        "attack": 1.0 - hold,
        "hold": hold,
        "attack-covered": covered,
        "no-attack-covered": 1.0 - covered,
    }[t.observed]


@dataclass(frozen=True)
class Slot:
    """One coordinate of θ: parameter, the case it belongs to ("" for λ: every case)."""

    name: str
    case: str
    prior: ParameterRange


def slots(targets: Sequence[Target]) -> list[Slot]:
    """λ once (the first target's range), then c1 and p1 for every case in order."""
    cases: dict[str, Target] = {}
    for t in targets:
        cases.setdefault(t.case, t)
    first = targets[0]
    out = [Slot("lam", "", first.ranges["lam"])]
    for case, t in cases.items():
        out += [Slot(n, case, t.ranges[n]) for n in FREE[1:]]
    return out


def _values(theta: np.ndarray, sl: Sequence[Slot], case: str) -> dict[str, float]:
    return {s.name: float(x) for s, x in zip(sl, theta, strict=True) if s.case in ("", case)}


def objective(theta: np.ndarray, targets: Sequence[Target], sl: Sequence[Slot]) -> float:
    """J(θ) of the module docstring."""
    nll = -sum(np.log(max(probability(t, _values(theta, sl, t.case)), _FLOOR)) for t in targets)
    prior = 0.0
    for s, x in zip(sl, theta, strict=True):
        half = (s.prior.high - s.prior.low) / 2.0
        prior += 0.0 if half <= 0 else 0.5 * ((x - s.prior.central) / half) ** 2
    return float(nll + prior)


@dataclass(frozen=True)
class Fit:
    """The result of :func:`calibrate` (plain values for ``results.CalibrationResult``)."""

    slots: Sequence[Slot]
    theta: np.ndarray
    before: Sequence[float]
    after: Sequence[float]
    objective_before: float
    objective_after: float
    converged: bool
    reproduces: Sequence[tuple[float | None, float | None]]


def _reproducing_interval(
    k: int, theta: np.ndarray, targets: Sequence[Target], sl: Sequence[Slot]
) -> tuple[float | None, float | None]:
    """Where along slot k's range, the rest at the fit, every affected target has P > 0.5."""
    s = sl[k]
    mine = [t for t in targets if s.case in ("", t.case)]
    xs = np.linspace(s.prior.low, s.prior.high, 101)
    good = np.ones(xs.shape, dtype=bool)
    for t in mine:  # all 101 points of the slot in one call of the game per target
        good &= choice_probability(t, _values(theta, sl, t.case) | {s.name: xs}) > 0.5
    ok = xs[good]
    return (float(ok.min()), float(ok.max())) if ok.size else (None, None)


def calibrate(targets: Sequence[Target]) -> Fit:
    """Fit θ (§4.7); the start is the stated central values."""
    if not targets:
        raise ValueError("calibrate needs at least one observed choice")
    sl = slots(targets)
    theta0 = np.array([s.prior.central for s in sl], dtype=float)
    bounds = [(s.prior.low, s.prior.high) for s in sl]
    res = minimize(objective, theta0, args=(targets, sl), method="L-BFGS-B", bounds=bounds)
    theta = np.asarray(res.x, dtype=float)
    return Fit(
        slots=sl,
        theta=theta,
        before=[probability(t, _values(theta0, sl, t.case)) for t in targets],
        after=[probability(t, _values(theta, sl, t.case)) for t in targets],
        objective_before=objective(theta0, targets, sl),
        objective_after=float(res.fun),
        converged=bool(res.success),
        reproduces=[_reproducing_interval(k, theta, targets, sl) for k in range(len(sl))],
    )


@dataclass(frozen=True)
class HeldOut:
    """One case predicted by a fit on the other cases only (leave one case out).

    ``lam`` is λ fitted on the other cases; the case's own ``c1`` and ``p1`` stay at their
    stated values (no observation of the case informs them); ``before``, ``after`` are
    P(observed) of each of its targets at the stated values and with that λ.
    """

    case: str
    lam: float
    before: Sequence[float]
    after: Sequence[float]


def held_out(targets: Sequence[Target]) -> list[HeldOut]:
    """Leave-one-case-out predictions of every case (empty with fewer than two cases).

    Only λ is shared across cases (§4.7), so only λ carries information from the other cases
    to the held-out one: this measures whether the fitted λ generalises, the in-sample fit of
    ``c1`` and ``p1`` to a case's own one to three observations cannot be tested here.
    """
    cases = list(dict.fromkeys(t.case for t in targets))
    if len(cases) < 2:
        return []
    out = []
    for case in cases:
        mine = [t for t in targets if t.case == case]
        lam = float(calibrate([t for t in targets if t.case != case]).theta[0])
        out.append(
            HeldOut(
                case=case,
                lam=lam,
                before=[probability(t, {}) for t in mine],
                after=[probability(t, {"lam": lam}) for t in mine],
            )
        )
    return out
