"""Ceasefire durability: a Weibull proportional-hazards model (``docs/specs/deterrence.md`` §2).

```
S(t) = exp( -(t / η)^k * HR )          P(breakdown by t) = 1 - S(t)
HR   = max( floor, Π_m hr_m ^ x_m )     x_m ∈ {0, 1}: mechanism m present in the proposal
```

The baseline is given as ``(k, p5_bare)``: the Weibull shape and the probability that a bare
ceasefire (no mechanism) breaks down within 5 years; ``η`` follows from them
(:func:`eta_from_p5`). Pure functions over arrays; every random draw comes from an explicit
``numpy.random.Generator``; uncertainty as in §3.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import gamma

from ceasefire._types import FloatArray
from ceasefire.deterrence import ParameterRange, sample_parameters, summarise_draws
from ceasefire.scenario.schema import DURABILITY_INPUTS, Distribution
from ceasefire.scenario.schema import MECHANISMS as MECHANISMS  # the order of hr_<mechanism>

#: the horizon (years) at which the bare-ceasefire breakdown probability p5_bare is stated
REFERENCE_YEARS = 5.0

_PRIOR = "PRIOR, not a published estimate"
_STRONG = (
    f"{_PRIOR}: anchored on S_FORTNA03 (stronger agreements - DMZs, peacekeeping, third-party "
    "guarantees, joint commissions - make peace last longer; tables not yet read)"
)

# Priors of docs/specs/deterrence.md §2, anchored on Fortna 2003/2004 but not read off their tables
# (sources.csv: "Tables not retrieved"). Names: k, p5_bare, floor, hr_<mechanism>.
DURABILITY_DEFAULTS: Mapping[str, ParameterRange] = MappingProxyType(
    {
        "k": ParameterRange(
            0.7,
            0.5,
            0.9,
            f"{_PRIOR}: Weibull shape < 1, hazard falls with time, as in S_FORTNA04",
        ),
        "p5_bare": ParameterRange(
            0.45,
            0.35,
            0.55,
            f"{_PRIOR}: P(breakdown by 5 y) of a bare ceasefire; S_FORTNA04 reports renewed "
            "fighting after almost half of post-1945 interstate cease-fires, most of it early",
        ),
        "floor": ParameterRange(
            0.15, 0.15, 0.15, f"{_PRIOR}: judgement, docs/specs/deterrence.md §2"
        ),
        "hr_monitoring": ParameterRange(0.75, 0.6, 0.9, f"{_PRIOR}: judgement after S_FORTNA03"),
        "hr_dmz": ParameterRange(0.5, 0.3, 0.7, _STRONG),
        "hr_peacekeepers": ParameterRange(
            0.5,
            0.3,
            0.7,
            f"{_STRONG}; S_FORTNA_PK (civil wars: peacekeepers cut the risk of renewed fighting "
            "by 50-75 %)",
        ),
        "hr_third_party_guarantee": ParameterRange(0.5, 0.3, 0.7, _STRONG),
        "hr_joint_commission": ParameterRange(0.5, 0.3, 0.7, _STRONG),
        "hr_collective_defence": ParameterRange(
            0.4,
            0.2,
            0.6,
            f"{_PRIOR}: judgement (the guarantee of §1 covering the defender's held territory)",
        ),
    }
)

#: k, p5_bare, floor and hr_<mechanism> in the order of MECHANISMS: the names of the
#: scenario's [durability] table
DURABILITY_PARAMETERS: tuple[str, ...] = DURABILITY_INPUTS


def validate_mechanisms(mechanisms: Iterable[str]) -> frozenset[str]:
    """Return the mechanisms as a frozenset; ValueError naming any unknown one."""
    ms = frozenset(mechanisms)
    bad = sorted(ms - set(MECHANISMS))
    if bad:
        raise ValueError(
            f"unknown mechanism(s): {', '.join(repr(b) for b in bad)}; "
            f"expected some of {', '.join(MECHANISMS)}"
        )
    return ms


def mechanism_vector(mechanisms: Iterable[str]) -> NDArray[np.bool_]:
    """``x_m`` of §2: a boolean vector over ``MECHANISMS``, True where ``m`` is present."""
    ms = validate_mechanisms(mechanisms)
    return np.array([m in ms for m in MECHANISMS], dtype=bool)


def eta_from_p5(k: ArrayLike, p5: ArrayLike, years: float = REFERENCE_YEARS) -> FloatArray:
    """Weibull scale ``η`` for which a bare ceasefire breaks down by ``years`` with prob. ``p5``.

    ``η = years / (-ln(1 - p5))^(1/k)`` (§2, worked example). Broadcasts.
    """
    k_ = np.asarray(k, dtype=np.float64)
    p = np.asarray(p5, dtype=np.float64)
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError("p5 must lie strictly between 0 and 1")
    if np.any(k_ <= 0):
        raise ValueError("k must be positive")
    return np.asarray(years / (-np.log1p(-p)) ** (1.0 / k_))


def hazard_ratio(present: ArrayLike, hr: ArrayLike, floor: ArrayLike = 0.0) -> FloatArray:
    """``HR = max(floor, Π_m hr_m ^ x_m)`` (§2), over the last axis.

    ``present`` is ``(..., M)`` boolean, ``hr`` ``(..., M)`` positive; they broadcast, and
    ``floor`` broadcasts with the result (shape ``...``).
    """
    x = np.asarray(present, dtype=bool)
    r = np.asarray(hr, dtype=np.float64)
    if np.any(r <= 0):
        raise ValueError("hazard ratios must be positive")
    # hr^x with x in {0, 1} is hr where present and 1 otherwise
    prod = np.prod(np.where(x, r, 1.0), axis=-1)
    return np.asarray(np.maximum(np.asarray(floor, dtype=np.float64), prod))


def breakdown_probability(
    t: ArrayLike, k: ArrayLike, eta: ArrayLike, hazard: ArrayLike = 1.0
) -> FloatArray:
    """``P(breakdown by t) = 1 - exp(-(t/η)^k · HR)`` (§2). Broadcasts; ``t`` in years ≥ 0."""
    t_ = np.asarray(t, dtype=np.float64)
    if np.any(t_ < 0):
        raise ValueError("t must be non-negative")
    cum = (t_ / np.asarray(eta, dtype=np.float64)) ** np.asarray(k, dtype=np.float64)
    # -expm1 keeps small probabilities accurate
    return np.asarray(-np.expm1(-cum * np.asarray(hazard, dtype=np.float64)))


def survival_curve(
    t_grid: ArrayLike, k: ArrayLike, eta: ArrayLike, hazard: ArrayLike = 1.0
) -> FloatArray:
    """``S(t)`` on a 1-D time grid (§2): shape ``(..., T)``, ``...`` the parameters' shape."""
    grid = np.asarray(t_grid, dtype=np.float64)
    if grid.ndim != 1:
        raise ValueError("t_grid must be one-dimensional")

    def col(x: ArrayLike) -> FloatArray:
        return np.asarray(x, dtype=np.float64)[..., np.newaxis]

    return np.asarray(1.0 - breakdown_probability(grid, col(k), col(eta), col(hazard)))


def median_time(k: ArrayLike, eta: ArrayLike, hazard: ArrayLike = 1.0) -> FloatArray:
    """Median time to breakdown, ``η (ln 2 / HR)^(1/k)`` years (where ``S = 1/2``)."""
    k_ = np.asarray(k, dtype=np.float64)
    return np.asarray(np.asarray(eta) * (math.log(2.0) / np.asarray(hazard)) ** (1.0 / k_))


def expected_time(k: ArrayLike, eta: ArrayLike, hazard: ArrayLike = 1.0) -> FloatArray:
    """Expected time to breakdown, ``η HR^(-1/k) Γ(1 + 1/k)`` years.

    The proportional-hazards model is again Weibull, with scale ``η HR^(-1/k)``.
    """
    k_ = np.asarray(k, dtype=np.float64)
    return np.asarray(np.asarray(eta) * np.asarray(hazard) ** (-1.0 / k_) * gamma(1.0 + 1.0 / k_))


# --------------------------------------------------------------------------------------------
# Run for one proposal
# --------------------------------------------------------------------------------------------

DURABILITY_OUTPUTS: tuple[str, ...] = (
    "hazard_ratio",
    "eta",
    "p_breakdown_1y",
    "p_breakdown_2y",
    "p_breakdown_5y",
    "median_years",
    "expected_years",
)


@dataclass(frozen=True)
class DurabilityOutputs:
    """Outputs of §2 for one set of mechanisms; arrays of one shape (scalar or per draw)."""

    hazard_ratio: FloatArray
    eta: FloatArray
    p_breakdown_1y: FloatArray
    p_breakdown_2y: FloatArray
    p_breakdown_5y: FloatArray
    median_years: FloatArray
    expected_years: FloatArray

    def as_dict(self) -> dict[str, FloatArray]:
        """The outputs by name (the order of ``DURABILITY_OUTPUTS``)."""
        return {name: getattr(self, name) for name in DURABILITY_OUTPUTS}


def durability(
    present: ArrayLike,
    k: ArrayLike,
    p5_bare: ArrayLike,
    hr: ArrayLike,
    floor: ArrayLike,
    controls: ArrayLike = 1.0,
) -> DurabilityOutputs:
    """Evaluate §2 given the baseline ``(k, p5_bare)``, mechanisms and hazard ratios.

    ``present`` is ``(M,)`` (or ``(..., M)``) over ``MECHANISMS``; ``hr`` is ``(..., M)``;
    ``k``, ``p5_bare``, ``floor`` broadcast with the leading shape. ``controls`` is Fortna's
    controls' ratio ``HR_c`` (:func:`control_hazard_ratio`, docs/specs/durability.md §1): the
    baseline of a war with those traits, multiplying ``HR`` after the floor.
    """
    eta = eta_from_p5(k, p5_bare)
    hz = hazard_ratio(present, hr, floor) * np.asarray(controls, dtype=np.float64)
    return DurabilityOutputs(
        hazard_ratio=hz,
        eta=eta,
        p_breakdown_1y=breakdown_probability(1.0, k, eta, hz),
        p_breakdown_2y=breakdown_probability(2.0, k, eta, hz),
        p_breakdown_5y=breakdown_probability(5.0, k, eta, hz),
        median_years=median_time(k, eta, hz),
        expected_years=expected_time(k, eta, hz),
    )


@dataclass(frozen=True)
class DurabilityRun:
    """One proposal's durability: central run, draws, drawn inputs and summaries.

    ``summary``: output name -> {median, p05, p95}, plain floats.
    """

    mechanisms: frozenset[str]
    n_draws: int
    central: DurabilityOutputs
    draws: DurabilityOutputs
    parameters: Mapping[str, FloatArray]
    summary: Mapping[str, Mapping[str, float]]


def run_durability(
    mechanisms: Iterable[str],
    ranges: Mapping[str, Sequence[float] | ParameterRange] = DURABILITY_DEFAULTS,
    n_draws: int = 2000,
    *,
    rng: np.random.Generator,
    distribution: Distribution = "uniform",
    controls: Iterable[str] = (),
) -> DurabilityRun:
    """Central run and Monte Carlo of §2 for a proposal with the given mechanisms (§3).

    ``ranges`` must name every parameter of ``DURABILITY_PARAMETERS``. All of them are drawn
    (also the hazard ratios of absent mechanisms), so the draws for two proposals from the same
    seed share their random numbers — differences between proposals are then due to the
    mechanisms, not to noise. ``controls``: Fortna's controls that describe the war (§1 of
    docs/specs/durability.md), at their central ratio in the central run and drawn (after every
    other parameter, so the other draws are unchanged) in the Monte Carlo.
    """
    ms = validate_mechanisms(mechanisms)
    cs = list(controls)
    missing = [p for p in DURABILITY_PARAMETERS if p not in ranges]
    if missing:
        raise ValueError(f"ranges lack parameter(s): {', '.join(missing)}")
    unknown = sorted(set(ranges) - set(DURABILITY_PARAMETERS))
    if unknown:
        raise ValueError(f"unknown parameter(s) in ranges: {', '.join(unknown)}")
    present = mechanism_vector(ms)

    def central_of(name: str) -> float:
        return float(ranges[name][0])

    central = durability(
        present,
        central_of("k"),
        central_of("p5_bare"),
        np.array([central_of(f"hr_{m}") for m in MECHANISMS]),
        central_of("floor"),
        control_hazard_ratio(cs, {c: CONTROL_DEFAULTS[c].central for c in cs}),
    )
    params = sample_parameters(ranges, n_draws, rng, distribution)
    ctrl = sample_parameters({c: CONTROL_DEFAULTS[c] for c in cs}, n_draws, rng, distribution)
    hr = np.stack([params[f"hr_{m}"] for m in MECHANISMS], axis=-1)
    draws = durability(
        present, params["k"], params["p5_bare"], hr, params["floor"], control_hazard_ratio(cs, ctrl)
    )
    summary = {name: summarise_draws(arr) for name, arr in draws.as_dict().items()}
    return DurabilityRun(
        mechanisms=ms,
        n_draws=n_draws,
        central=central,
        draws=draws,
        parameters=MappingProxyType(params),
        summary=MappingProxyType(summary),
    )


# --------------------------------------------------------------------------------------------
# The data's support, the published record and the controls (docs/specs/durability.md §1)
# --------------------------------------------------------------------------------------------

#: S_FORTNA03 p. 337 (the article's first page): "the duration of peace after international wars
#: ending between 1946 and 1997". The end of follow-up (1998) is not stated in the pages read:
#: judgement (no observation can postdate the article's preparation). No cease-fire in those
#: data was watched for longer than 1998 - 1946 = 52 years, so no horizon past that is reported.
DATA_FIRST_YEAR = 1946
DATA_LAST_FOLLOW_UP = 1998
SUPPORT_YEARS = float(DATA_LAST_FOLLOW_UP - DATA_FIRST_YEAR)

#: the horizons of the event tree (years); :func:`supported_horizons` drops those past support
HORIZONS: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0)

_NOT_READ = (
    "PRIOR, not a published estimate: S_FORTNA03's tables of hazard estimates were not "
    "retrieved; only its abstract and first page (p. 337) were read; the abstract controls for "
    "'the decisiveness of victory, the cost of war, relative capabilities, and others' that "
    "'affect the baseline prospects for peace'; direction and size are judgement"
)

#: Fortna's controls (S_FORTNA03 abstract: decisiveness of victory, cost of war, relative
#: capabilities "and others"; S_FORTNA04: contiguity, previous conflict, existential stakes) as
#: hazard ratios. Every one is a labelled PRIOR until her tables are read.
CONTROL_DEFAULTS: Mapping[str, ParameterRange] = MappingProxyType(
    {
        "decisive_victory": ParameterRange(
            0.5, 0.3, 0.8, f"{_NOT_READ}: a decisive victory settles who is stronger"
        ),
        "high_war_cost": ParameterRange(
            0.7, 0.4, 1.0, f"{_NOT_READ}: a costly war teaches both sides its price"
        ),
        "contiguity": ParameterRange(
            1.2,
            1.0,
            1.5,
            f"{_NOT_READ}: neighbours have more occasions to fight; small, because most wars in "
            "the pooled baseline were between neighbours already",
        ),
        "previous_conflict": ParameterRange(
            1.3, 1.0, 2.0, f"{_NOT_READ}: a history of war between the pair"
        ),
        "existential_stakes": ParameterRange(
            1.5, 1.0, 3.0, f"{_NOT_READ}: a side whose survival is at stake risks more"
        ),
    }
)
CONTROLS: tuple[str, ...] = tuple(CONTROL_DEFAULTS)


def supported_horizons(
    horizons: Iterable[float] = HORIZONS, support: float = SUPPORT_YEARS
) -> tuple[float, ...]:
    """The horizons within the data's support (``0 < H <= support``), in the given order."""
    return tuple(float(h) for h in horizons if 0.0 < float(h) <= support)


def control_hazard_ratio(present: Iterable[str], hr: Mapping[str, ArrayLike]) -> FloatArray:
    """``HR_c = Π_c hr_c`` over the controls that describe the war (§1); ValueError on unknown."""
    names = list(present)
    bad = sorted(set(names) - set(CONTROLS))
    if bad:
        raise ValueError(f"unknown control(s): {', '.join(bad)}; expected some of {CONTROLS}")
    out = np.asarray(1.0, dtype=np.float64)
    for name in names:
        out = out * np.asarray(hr[name], dtype=np.float64)
    return np.asarray(out)


# --------------------------------------------------------------------------------------------
# The hazard coupled to the guarantee game (docs/specs/durability.md §2) and the commitment
# problem (§3)
# --------------------------------------------------------------------------------------------

#: the period of the guarantee game's choice, in years: P(hold) is read as the probability that
#: the aggressor does not move within one year (judgement; docs/specs/durability.md §2)
PERIOD_YEARS = 1.0

#: the floor under P(hold) before the logarithm (so a certain attack gives a finite hazard)
_P_MIN = 1e-12

# 12-point Gauss-Legendre nodes on [-1, 1]: the integral of the commitment-problem term
# (relative error below 1e-5 against adaptive quadrature for k in [0.5, 1.5], c <= 1.5 and
# spans up to 10 years; 16 points cost a third more for no visible gain)
_GL_X, _GL_W = np.polynomial.legendre.leggauss(12)


def game_hazard(p_hold: ArrayLike, period: float = PERIOD_YEARS) -> FloatArray:
    """Per-year hazard scale ``λ = -ln P(hold) / period`` (§2); stronger deterrence, lower λ."""
    p = np.clip(np.asarray(p_hold, dtype=np.float64), _P_MIN, 1.0)
    return np.asarray(-np.log(p) / period)


def shape_integral(a: ArrayLike, b: ArrayLike, k: ArrayLike, c: ArrayLike = 0.0) -> FloatArray:
    """``I(a, b) = ∫_a^b k s^(k-1) e^(c s) ds`` (§2-§3), ``0 <= a <= b``; broadcasts.

    With ``u = s^k`` this is ``∫_{a^k}^{b^k} exp(c u^(1/k)) du``, a smooth integrand, taken by
    12-point Gauss-Legendre quadrature; exact (``b^k - a^k``) when ``c = 0``.
    """
    k_ = np.asarray(k, dtype=np.float64)
    c_ = np.asarray(c, dtype=np.float64)
    ua = np.asarray(a, dtype=np.float64) ** k_
    ub = np.asarray(b, dtype=np.float64) ** k_
    if not np.any(c_) or np.array_equal(ua, ub):
        return np.asarray(ub - ua)  # no power shift (or no span): the closed form
    half = (ub - ua) / 2.0
    mid = (ub + ua) / 2.0
    nodes = np.maximum(mid[..., None] + half[..., None] * _GL_X, 1e-300)
    # s = u^(1/k), written as exp(ln u / k): one transcendental call instead of a power
    s = np.exp(np.log(nodes) / k_[..., None])
    return np.asarray(half * (np.exp(c_[..., None] * s) @ _GL_W))


def commitment_rate(power_shift: ArrayLike, sensitivity: ArrayLike) -> FloatArray:
    """``c = β |r|`` (§3): the hazard grows by ``e^(c t)`` as power shifts ``r`` a year."""
    return np.asarray(
        np.asarray(sensitivity, dtype=np.float64) * np.abs(np.asarray(power_shift, dtype=float))
    )


def coupled_cumulative_hazard(
    lam_before: ArrayLike,
    lam_after: ArrayLike,
    switch: ArrayLike,
    tau: ArrayLike,
    k: ArrayLike,
    c: ArrayLike = 0.0,
) -> FloatArray:
    """``Λ(τ) = λ_0 I(0, min(τ, D)) + λ_1 I(min(τ, D), τ)`` (§2): the phase's λ before and after
    the guarantee enters into force at ``D = switch`` years after the ceasefire.

    Each ``λ`` already carries the mechanisms' and controls' hazard ratios; ``k`` is the Weibull
    shape (hazard falling with time since the ceasefire), ``c`` the commitment-problem rate.
    """
    t = np.asarray(tau, dtype=np.float64)
    d = np.minimum(np.asarray(switch, dtype=np.float64), t)
    first = np.asarray(lam_before, dtype=np.float64) * shape_integral(0.0, d, k, c)
    second = np.asarray(lam_after, dtype=np.float64) * shape_integral(d, t, k, c)
    return np.asarray(first + second)


# --------------------------------------------------------------------------------------------
# The in-region reference class (docs/specs/durability.md §4)
# --------------------------------------------------------------------------------------------


def observed_survival(
    years: ArrayLike, broke: ArrayLike, horizons: Sequence[float]
) -> tuple[FloatArray, NDArray[np.int_]]:
    """Kaplan-Meier survival of a reference class at each horizon, and the number at risk.

    ``years``: time from the ceasefire to breakdown (``broke``) or to the end of follow-up.
    ``S(H) = Π_{t_i <= H} (1 - d_i / n_i)`` over the distinct breakdown times ``t_i``.
    """
    y = np.asarray(years, dtype=np.float64)
    b = np.asarray(broke, dtype=bool)
    s_out = np.empty(len(horizons))
    at_risk = np.empty(len(horizons), dtype=np.int_)
    for j, h in enumerate(horizons):
        s = 1.0
        for t in np.unique(y[b & (y <= h)]):
            s *= 1.0 - np.sum(b & (y == t)) / np.sum(y >= t)
        s_out[j] = s
        at_risk[j] = int(np.sum(y >= h))
    return s_out, at_risk


# --------------------------------------------------------------------------------------------
# The game's time scale against the record (docs/specs/durability.md §6)
# --------------------------------------------------------------------------------------------

#: the periods (years) a fit of the time scale may take: a month to a century (judgement:
#: the span of the data's horizons, 1 month to 52 years, with room on both sides)
PERIOD_BOUNDS = (1.0 / 12.0, 100.0)
#: the drop in log likelihood that bounds a 95 % profile-likelihood interval (χ²₁ / 2)
PROFILE_DROP = 1.920729410347062


@dataclass(frozen=True)
class PeriodFit:
    """The period that best reproduces a set of yes/no records (§6): the maximum-likelihood
    ``period`` with its 95 % profile-likelihood interval (``low``/``high`` None where the
    likelihood has not dropped by :data:`PROFILE_DROP` at :data:`PERIOD_BOUNDS`) and the log
    likelihood at the stated and at the fitted period."""

    period: float
    low: float | None
    high: float | None
    log_lik_stated: float
    log_lik_fitted: float


def rescale(p_stated: ArrayLike, period: ArrayLike, stated: float = PERIOD_YEARS) -> FloatArray:
    """``p(τ) = p(τ₀)^(τ₀/τ)`` (§6): every hazard of the event tree is ``-ln P(hold) / τ``, so
    a probability of no breakdown ``exp(-Λ)`` computed at ``τ₀`` becomes this at ``τ``."""
    p = np.clip(np.asarray(p_stated, dtype=np.float64), 0.0, 1.0)
    return np.asarray(p ** (stated / np.asarray(period, dtype=np.float64)))


def period_log_likelihood(
    period: float, p_stated: ArrayLike, held: ArrayLike, stated: float = PERIOD_YEARS
) -> float:
    """``Σ_i y_i ln p_i(τ) + (1 - y_i) ln(1 - p_i(τ))`` over the records (probabilities
    floored at 1e-12 as the deterrence fit's, so a certain miss costs 27.6, not infinity)."""
    p = np.clip(rescale(p_stated, period, stated), 1e-12, 1.0 - 1e-12)
    y = np.asarray(held, dtype=bool)
    return float(np.sum(np.where(y, np.log(p), np.log1p(-p))))


def fit_period(p_stated: ArrayLike, held: ArrayLike, stated: float = PERIOD_YEARS) -> PeriodFit:
    """The maximum-likelihood period of §6 (bounded search over ``ln τ``, scipy's Brent) and
    its profile-likelihood interval (Brent's root of ``ℓ(τ) = ℓ_max - 1.92`` on each side)."""
    from scipy.optimize import brentq, minimize_scalar

    lo, hi = math.log(PERIOD_BOUNDS[0]), math.log(PERIOD_BOUNDS[1])

    def ll(log_tau: float) -> float:
        return period_log_likelihood(math.exp(log_tau), p_stated, held, stated)

    best = minimize_scalar(lambda v: -ll(v), bounds=(lo, hi), method="bounded")
    top = ll(float(best.x))

    def edge(end: float) -> float | None:
        if ll(end) > top - PROFILE_DROP:
            return None
        return math.exp(brentq(lambda v: ll(v) - (top - PROFILE_DROP), end, float(best.x)))

    return PeriodFit(
        period=math.exp(float(best.x)),
        low=edge(lo),
        high=edge(hi),
        log_lik_stated=period_log_likelihood(stated, p_stated, held, stated),
        log_lik_fitted=top,
    )
