"""The guarantee game (``docs/specs/deterrence.md`` §1) and its uncertainty (§3).

After a proposal takes effect the aggressor A chooses one of three actions — ``hold``,
attack ``uncovered`` territory, attack ``covered`` territory — with logit probabilities over
the expected utilities

```
EU(hold)      = h
EU(uncovered) = p1 * (1 - g) * v - c1                                  # only if g < 1
EU(covered)   = q * (p2 * g * v - c2) + (1 - q) * (p1 * g * v - c1)     # only if g > 0
```

Everything here is a pure function of its arguments: no I/O, no global state, and every random
draw comes from an explicit ``numpy.random.Generator``. All functions broadcast over their
array arguments, so one call serves a single central run or a Monte Carlo of many draws.

Sequencing (§1, "NATO dilemma"; ``data/deterrence_defaults.md``, "Sequencing") is handled by
:func:`hold_value`, which turns the preferences stage's utilities into ``h`` for either order
of events; see its docstring for the reasoning.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ceasefire._types import FloatArray
from ceasefire.scenario.schema import DETERRENCE_INPUTS, DISTRIBUTIONS
from ceasefire.scenario.schema import Distribution as Distribution

Order = Literal["during_fighting", "after_ceasefire"]

SEQUENCES: tuple[str, ...] = ("during_fighting", "after_ceasefire")
#: the game's inputs (v, p1, p2, c1, c2, q, lam): the names of the scenario's [deterrence] table
GAME_PARAMETERS: tuple[str, ...] = DETERRENCE_INPUTS
GAME_OUTPUTS: tuple[str, ...] = (
    "eu_hold",
    "eu_uncovered",
    "eu_covered",
    "p_hold",
    "p_attack_uncovered",
    "p_attack_covered",
    "p_guarantor_war",
    "q_critical",
)


class ParameterRange(NamedTuple):
    """One scenario input: central value (single runs), Monte Carlo range, and its basis.

    ``basis`` names source keys of ``data/sources.csv`` or says "judgement".
    """

    central: float
    low: float
    high: float
    basis: str


# Defaults of data/deterrence_defaults.md (scenario ukraine-2024-11, aggressor RUS). Every one
# is a scenario input; the report must print them with their basis.
DETERRENCE_DEFAULTS: Mapping[str, ParameterRange] = MappingProxyType(
    {
        "v": ParameterRange(
            1.0,
            0.5,
            1.5,
            "judgement: value of taking all Kyiv-held territory, Russia's maximal aims "
            "(S_PUTIN_2024_06) normalised to one whole-range move",
        ),
        "p1": ParameterRange(
            0.25,
            0.10,
            0.40,
            "judgement, dated before as_of (issue 14): A's expected chance of reaching its aims "
            "by continuing, not a rate of gain. Basis: gains accelerating through 2024, more than "
            "2,660 km2 taken 1 Jan-27 Oct 2024 against 584 km2 in all of 2023 (S_AFP_ISW_2024_10) "
            "and about 490 km2 in October 2024, the largest month of 2024 (S_DS_2024_10); "
            "checked by the status-quo backcast (docs/specs/deterrence.md §4.7)",
        ),
        "p2": ParameterRange(0.005, 0.0, 0.02, "judgement"),
        # c1 defaults to the aggressor's war_cost / 100 (docs/specs/deterrence.md §1, "Coupling");
        # 0.15 is RUS war_cost 15 (range 7.5-22.5) of actors_2024_11.csv;
        # ``inputs.deterrence_inputs`` sets it from the scenario's aggressor.
        "c1": ParameterRange(
            0.15, 0.075, 0.225, "aggressor war_cost/100 (actors_2024_11.csv, RUS 15, 7.5-22.5)"
        ),
        "c2": ParameterRange(
            4.0, 2.0, 10.0, "judgement: direct war with NATO, nuclear escalation risk"
        ),
        "q": ParameterRange(
            0.41,
            0.22,
            0.75,
            "S_BF2018 (41 % defence pacts, 22 % after 1945); S_LLM2000 (74.5 % for 1816-1944)",
        ),
        "lam": ParameterRange(4.0, 1.0, 10.0, "judgement"),
    }
)


# --------------------------------------------------------------------------------------------
# Sequencing
# --------------------------------------------------------------------------------------------


def hold_value(
    u_proposal: ArrayLike,
    u_status_quo: ArrayLike,
    war_cost: ArrayLike = 0.0,
    sequence: Order = "after_ceasefire",
    *,
    u_halt: ArrayLike | None = None,
) -> FloatArray:
    """A's value of holding, ``h``, for one order of events (§1 "NATO dilemma" and "Coupling").

    ``u_proposal`` and ``u_status_quo`` are A's utilities (``docs/specs/preferences.md``) of the
    proposal's point and of the status-quo point, without any war cost.

    The game's utilities share one zero: the status-quo line at peace. Attacking means
    fighting for the defender's territory, so both attack utilities pay the war's cost once,
    through ``c1`` (by default ``war_cost / 100``) and ``c2``.

    ``"after_ceasefire"`` (the guarantee comes after a ceasefire):
        ``h = u_proposal - u_status_quo``. A is at peace under the deal; holding keeps the deal
        (its sanctions relief, recognition, the deal itself), attacking gives it up and
        reopens the war. This is the spec's and ``deterrence_defaults.md``'s
        ``h = U_A(proposal) - U_A(status quo)``.

    ``"during_fighting"`` (the guarantee takes effect while fighting continues, the seed's
    NATO dilemma):
        ``h = min(u_proposal, u_halt) - u_status_quo``, with ``u_halt`` defaulting to
        ``u_status_quo``, so by default ``h = min(h_after, 0)``.
        The guarantee is in force whatever A does, and no settlement has been concluded, so
        holding means halting at the line under the guarantee with nothing in hand: "h is
        only what A gains by stopping". The inducements only a negotiated settlement delivers
        (sanctions relief, recognition) are not on offer, so A gains nothing from the deal by
        halting (hence at most the status quo, ``u_halt``), while what the proposal costs A
        is still borne (hence at most ``h_after``). The gain from stopping itself — no longer
        paying for the war — is *not* added to ``h``: it already enters once through ``c1``
        in ``EU(uncovered)`` and ``EU(covered)``, and adding ``war_cost / 100`` to ``h`` as
        well (the acceptance margin of ``preferences.md`` when fighting continues) would
        count it twice and would make the fighting-first order *raise* ``h``, against the
        spec ("proposals that stop the fighting first raise h").
        This gives ``h_during <= h_after`` always: equal when A dislikes the deal on balance
        (h_after <= 0), lower by the deal's net value to A when A likes it. A caller who can
        split the proposal into what the guarantors impose unilaterally and what needs a
        settlement passes A's utility of the imposed-only point as ``u_halt``.

    ``war_cost`` (0-100 scale) is taken so that callers pass the whole no-deal description;
    for the reason above it does not enter ``h`` (it is validated as non-negative only).
    Returns an array broadcast over the inputs.
    """
    up = np.asarray(u_proposal, dtype=np.float64)
    us = np.asarray(u_status_quo, dtype=np.float64)
    wc = np.asarray(war_cost, dtype=np.float64)
    if np.any(wc < 0):
        raise ValueError("war_cost must be non-negative")
    h_after = up - us + np.zeros_like(wc)
    if sequence == "after_ceasefire":
        return h_after
    if sequence == "during_fighting":
        uh = us if u_halt is None else np.asarray(u_halt, dtype=np.float64)
        return np.minimum(up, uh) - us + np.zeros_like(wc)
    raise ValueError(f"unknown sequence {sequence!r}; expected one of {SEQUENCES}")


# --------------------------------------------------------------------------------------------
# The game
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GameResult:
    """Outputs of the guarantee game (§1), one array per output, all of one broadcast shape.

    ``eu_uncovered`` is NaN where ``g = 1`` and ``eu_covered`` NaN where ``g = 0`` (the action
    is unavailable; its probability is 0). ``q_critical`` is NaN where no ``q`` in [0, 1]
    deters an attack on covered territory, 0 where A is deterred even at ``q = 0`` or where
    there is no covered territory (``g = 0``).
    """

    eu_hold: FloatArray
    eu_uncovered: FloatArray
    eu_covered: FloatArray
    p_hold: FloatArray
    p_attack_uncovered: FloatArray
    p_attack_covered: FloatArray
    p_guarantor_war: FloatArray
    q_critical: FloatArray

    def as_dict(self) -> dict[str, FloatArray]:
        """The outputs by name (the order of ``GAME_OUTPUTS``)."""
        return {name: getattr(self, name) for name in GAME_OUTPUTS}


def _logit(eu: FloatArray, available: NDArray[np.bool_], lam: FloatArray) -> FloatArray:
    """Logit choice probabilities over the last axis, unavailable actions excluded.

    Stable for any λ ≥ 0 including ``inf``: utilities are shifted by their maximum before the
    multiplication, and the maximal action is given exponent exactly 0 (``inf * 0`` would be
    NaN), so λ → ∞ gives the arg-max with ties shared equally.
    """
    eu_avail = np.where(available, eu, -np.inf)
    top = np.max(eu_avail, axis=-1, keepdims=True)
    diff = eu_avail - top  # <= 0, -inf where unavailable
    lam_ = lam[..., np.newaxis]
    with np.errstate(invalid="ignore", over="ignore"):
        z = np.where(diff == 0.0, 0.0, lam_ * diff)
    # λ = 0 with an unavailable action: 0 * -inf is NaN, and the action must get weight 0
    z = np.where(available, z, -np.inf)
    w = np.exp(z)
    return np.asarray(w / np.sum(w, axis=-1, keepdims=True), dtype=np.float64)


def guarantee_game(
    g: ArrayLike,
    v: ArrayLike,
    p1: ArrayLike,
    p2: ArrayLike,
    c1: ArrayLike,
    c2: ArrayLike,
    q: ArrayLike,
    h: ArrayLike,
    lam: ArrayLike,
) -> GameResult:
    """Solve the guarantee game of ``docs/specs/deterrence.md`` §1, vectorised.

    All arguments broadcast together (floats or arrays, e.g. one entry per Monte Carlo draw):
    ``g`` guaranteed share in [0, 1], ``v`` value of gain, ``p1``/``p2`` A's chance of
    prevailing against the defender alone / the guarantors, ``c1``/``c2`` the matching war
    costs, ``q`` credibility in [0, 1], ``h`` value of holding, ``lam`` logit precision ≥ 0
    (``inf`` allowed: arg-max).

    ``q_critical`` is the smallest q in [0, 1] with ``EU(covered) ≤ max(EU(hold),
    EU(uncovered))``, in closed form from ``EU(covered) = a + b q`` with
    ``a = p1 g v - c1`` and ``b = (p2 - p1) g v - (c2 - c1)``.
    """
    arrs = np.broadcast_arrays(
        *(np.asarray(x, dtype=np.float64) for x in (g, v, p1, p2, c1, c2, q, h, lam))
    )
    g_, v_, p1_, p2_, c1_, c2_, q_, h_, lam_ = (np.array(a) for a in arrs)
    if np.any((g_ < 0) | (g_ > 1)):
        raise ValueError("g (guaranteed_share) must lie in [0, 1]")
    if np.any((q_ < 0) | (q_ > 1)):
        raise ValueError("q (credibility) must lie in [0, 1]")
    if np.any(lam_ < 0):
        raise ValueError("lam (precision) must be non-negative")

    has_uncovered = g_ < 1.0
    has_covered = g_ > 0.0

    eu_hold = h_
    eu_unc_raw = p1_ * (1.0 - g_) * v_ - c1_
    alone = p1_ * g_ * v_ - c1_  # EU(covered) at q = 0: guarantors stay out
    allied = p2_ * g_ * v_ - c2_  # EU(covered) at q = 1: guarantors fight
    with np.errstate(invalid="ignore"):
        # the end points are taken exactly so that c2 = inf at q = 0 stays finite
        eu_cov_raw = np.where(
            q_ == 0.0, alone, np.where(q_ == 1.0, allied, q_ * allied + (1.0 - q_) * alone)
        )

    eu = np.stack([eu_hold, eu_unc_raw, eu_cov_raw], axis=-1)
    available = np.stack([np.ones_like(has_covered), has_uncovered, has_covered], axis=-1)
    prob = _logit(eu, available, lam_)
    p_hold, p_unc, p_cov = prob[..., 0], prob[..., 1], prob[..., 2]

    # q_critical: smallest q in [0, 1] with a + b q <= threshold
    threshold = np.where(has_uncovered, np.maximum(eu_hold, eu_unc_raw), eu_hold)
    slope = (p2_ - p1_) * g_ * v_ - (c2_ - c1_)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        q_star = (threshold - alone) / slope
    deterred_at_zero = (alone <= threshold) | ~has_covered
    reachable = (slope < 0) & (q_star <= 1.0)
    q_critical = np.where(deterred_at_zero, 0.0, np.where(reachable, q_star, np.nan))

    return GameResult(
        eu_hold=np.asarray(eu_hold),
        eu_uncovered=np.asarray(np.where(has_uncovered, eu_unc_raw, np.nan)),
        eu_covered=np.asarray(np.where(has_covered, eu_cov_raw, np.nan)),
        p_hold=np.asarray(p_hold),
        p_attack_uncovered=np.asarray(p_unc),
        p_attack_covered=np.asarray(p_cov),
        p_guarantor_war=np.asarray(p_cov * q_),
        q_critical=np.asarray(q_critical),
    )


@dataclass(frozen=True)
class AttackCurve:
    """Game outputs along a grid of credibility values (for the report's chart).

    Arrays have shape ``(..., Q)``: the broadcast shape of the other parameters, then the grid.
    """

    q: FloatArray
    p_hold: FloatArray
    p_attack_uncovered: FloatArray
    p_attack_covered: FloatArray
    p_guarantor_war: FloatArray


def attack_curve(
    g: ArrayLike,
    v: ArrayLike,
    p1: ArrayLike,
    p2: ArrayLike,
    c1: ArrayLike,
    c2: ArrayLike,
    h: ArrayLike,
    lam: ArrayLike,
    q_grid: ArrayLike | None = None,
) -> AttackCurve:
    """``p_guarantor_war`` and ``p_hold`` as functions of ``q`` on a grid (§1), vectorised.

    ``q_grid`` is a 1-D grid in [0, 1] (default 101 points); the other parameters broadcast
    together and gain a trailing grid axis.
    """
    grid = np.linspace(0.0, 1.0, 101) if q_grid is None else np.asarray(q_grid, dtype=np.float64)
    if grid.ndim != 1:
        raise ValueError("q_grid must be one-dimensional")

    def col(x: ArrayLike) -> FloatArray:
        return np.asarray(x, dtype=np.float64)[..., np.newaxis]

    res = guarantee_game(col(g), col(v), col(p1), col(p2), col(c1), col(c2), grid, col(h), col(lam))
    shape = res.p_hold.shape
    return AttackCurve(
        q=np.broadcast_to(grid, shape).copy(),
        p_hold=res.p_hold,
        p_attack_uncovered=res.p_attack_uncovered,
        p_attack_covered=res.p_attack_covered,
        p_guarantor_war=res.p_guarantor_war,
    )


# --------------------------------------------------------------------------------------------
# Uncertainty (§3)
# --------------------------------------------------------------------------------------------


def sample_parameters(
    ranges: Mapping[str, Sequence[float] | ParameterRange],
    n: int,
    rng: np.random.Generator,
    distribution: Distribution = "uniform",
) -> dict[str, FloatArray]:
    """Draw ``n`` values of every parameter in ``ranges`` (``docs/specs/deterrence.md`` §3).

    Each range is ``(central, low, high, ...)`` — a :class:`ParameterRange` fits. ``uniform``
    draws between low and high; ``triangular`` uses the central value as the mode. Parameters
    are drawn in sorted name order, so the same seed and the same ranges give the same numbers
    whatever the mapping's insertion order. A range with ``low == high`` gives a constant.
    """
    if n < 0:
        raise ValueError("n must be non-negative")
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"unknown distribution {distribution!r}; expected uniform or triangular")
    out: dict[str, FloatArray] = {}
    for name in sorted(ranges):
        r = ranges[name]
        central, low, high = float(r[0]), float(r[1]), float(r[2])
        if not low <= central <= high:
            raise ValueError(f"{name}: need low <= central <= high, got {low}, {central}, {high}")
        if low == high:
            out[name] = np.full(n, central)
        elif distribution == "uniform":
            out[name] = rng.uniform(low, high, size=n)
        else:
            out[name] = rng.triangular(low, central, high, size=n)
    return out


def summarise_draws(draws: ArrayLike, *, nan_label: str | None = None) -> dict[str, float]:
    """Median, 5th and 95th percentile of the draws, ignoring NaN (§3).

    With ``nan_label`` the share of NaN draws is added under that key (``run_deterrence`` uses
    ``"share_undeterrable"`` for ``q_critical``, whose NaN means no q in [0, 1] deters).
    All-NaN or empty draws give NaN statistics.
    """
    x = np.asarray(draws, dtype=np.float64).ravel()
    finite = x[~np.isnan(x)]
    if finite.size:
        p05, med, p95 = np.percentile(finite, [5.0, 50.0, 95.0])
        out = {"median": float(med), "p05": float(p05), "p95": float(p95)}
    else:
        out = {"median": math.nan, "p05": math.nan, "p95": math.nan}
    if nan_label is not None:
        out[nan_label] = float(np.mean(np.isnan(x))) if x.size else math.nan
    return out


@dataclass(frozen=True)
class DeterrenceRun:
    """One proposal's guarantee game: central run, Monte Carlo draws and their summary.

    ``central``: the game at the central values. ``draws``: the game for every draw (arrays of
    length ``n_draws``). ``parameters``: the drawn inputs by name (for sensitivity analysis).
    ``summary``: output name -> {median, p05, p95} (plus ``share_undeterrable`` for
    ``q_critical``), plain floats.
    """

    g: float
    h: float
    n_draws: int
    central: GameResult
    draws: GameResult
    parameters: Mapping[str, FloatArray]
    summary: Mapping[str, Mapping[str, float]]


def run_deterrence(
    g: float,
    h: float,
    ranges: Mapping[str, Sequence[float] | ParameterRange] = DETERRENCE_DEFAULTS,
    n_draws: int = 2000,
    *,
    rng: np.random.Generator,
    distribution: Distribution = "uniform",
    h_draws: ArrayLike | None = None,
) -> DeterrenceRun:
    """Central run and Monte Carlo of the guarantee game for one proposal (§1, §3).

    ``g`` comes from the coverage stage, ``h`` from :func:`hold_value`. ``ranges`` must name
    every parameter of ``GAME_PARAMETERS`` (v, p1, p2, c1, c2, q, lam). ``h_draws`` (length
    ``n_draws``), when given, replaces ``h`` in the draws, e.g. when actor data are perturbed.
    """
    missing = [p for p in GAME_PARAMETERS if p not in ranges]
    if missing:
        raise ValueError(f"ranges lack parameter(s): {', '.join(missing)}")
    unknown = sorted(set(ranges) - set(GAME_PARAMETERS))
    if unknown:
        raise ValueError(f"unknown parameter(s) in ranges: {', '.join(unknown)}")
    central_values = {p: float(ranges[p][0]) for p in GAME_PARAMETERS}
    central = guarantee_game(g=g, h=h, **central_values)

    params = sample_parameters(ranges, n_draws, rng, distribution)
    hd = np.full(n_draws, float(h)) if h_draws is None else np.asarray(h_draws, dtype=np.float64)
    if hd.shape != (n_draws,):
        raise ValueError(f"h_draws must have shape ({n_draws},), got {hd.shape}")
    draws = guarantee_game(g=g, h=hd, **params)

    summary = {
        name: summarise_draws(arr, nan_label="share_undeterrable" if name == "q_critical" else None)
        for name, arr in draws.as_dict().items()
    }
    return DeterrenceRun(
        g=float(g),
        h=float(h),
        n_draws=n_draws,
        central=central,
        draws=draws,
        parameters=MappingProxyType(params),
        summary=MappingProxyType(summary),
    )
