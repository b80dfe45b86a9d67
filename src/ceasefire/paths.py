"""The event tree in time: signature, ratification, entry into force, survival (durability.md §5).

For one proposal and one order of ceasefire and accession, over a batch of draws ``(B,)`` (a
single run is a batch of one):

```
ceasefire-first   ceasefire at 0; the ratification window (0, D) runs under interim assurances;
                  the guarantee is in force from D.
                  Λ(τ) = λ_int I(0, min(τ, D)) + λ_force I(min(τ, D), τ)            (§2)
                  P(line holds through ratification) = exp(-Λ(min(D, H)))
                  P(ceasefire survives to H | line held) = exp(-(Λ(H) - Λ(min(D, H))))
guarantee-first   the war goes on during (0, D) (the guarantee is not yet in force; interim
                  assurances only); the ceasefire starts at D under the guarantee.
                  P(line holds through ratification) = exp(-λ_fight min(D, H))
                  P(ceasefire survives to H | line held) = exp(-λ_force I(0, H - D)), 0 if D >= H
P(path) = P(passes) × P(line holds) × P(survives)
λ_phase = -ln P(hold | phase's guarantee and order) / period × HR_mechanisms
```

``I(a, b) = ∫_a^b k s^(k-1) e^(c s) ds`` (:func:`ceasefire.durability.shape_integral`) carries
the Weibull time shape and the commitment-problem term ``c = β |r|`` (§3). ``λ_fight`` has no
mechanism ratio: mechanisms act on a ceasefire, and there is none while the war goes on.

The guarantee game is read through one adapter, :func:`game_p_hold`, so a rewritten game only
has to keep a ``p_hold`` array. Pure functions; every draw comes from an explicit generator.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike

from ceasefire import deterrence as det
from ceasefire import durability as dur
from ceasefire._types import FloatArray
from ceasefire.deterrence import ParameterRange
from ceasefire.deterrence import game as det_game
from ceasefire.scenario.schema import Proposal, RatificationWindow, Scenario, TimelineInputs

#: the two orders of ceasefire and accession the tree compares
ORDERS: tuple[str, ...] = ("ceasefire-first", "guarantee-first")

_DAYS = 365.25

_NATO_ROUNDS = (
    "Accession protocol signed to membership in force, recorded rounds: FRG 23 Oct 1954 - "
    "6 May 1955, 195 days (S_FRG_1955); Montenegro 19 May 2016 - 5 Jun 2017, 382 days "
    "(S_MNE); North Macedonia 6 Feb 2019 - 27 Mar 2020, 415 days (S_MKD; the protocol's day is "
    "analyst knowledge, the source gives Feb 2019); Finland 5 Jul 2022 - 4 Apr 2023, 273 days "
    "and Sweden 5 Jul 2022 - 7 Mar 2024, 611 days (protocols: S_MEMO of nordic-2022; "
    "membership: S_FIN, S_SWE); central = the median round (382 days)"
)

#: ratification windows used when a scenario states none for an institution of that id
DEFAULT_WINDOWS: Mapping[str, RatificationWindow] = MappingProxyType(
    {
        "nato-accession": RatificationWindow(
            institution="nato-accession", days=(195.0, 611.0), central=382.0, source=_NATO_ROUNDS
        ),
    }
)

#: the [timeline] inputs' defaults when a scenario leaves them out: no interim assurance and no
#: power shift (so an old scenario keeps a time-constant hazard ratio)
TIMELINE_DEFAULTS: Mapping[str, ParameterRange] = MappingProxyType(
    {
        "interim_q": ParameterRange(0.0, 0.0, 0.0, "default: no interim assurance"),
        "power_shift": ParameterRange(0.0, 0.0, 0.0, "default: no power shift stated"),
        "power_sensitivity": ParameterRange(0.0, 0.0, 0.0, "default: no commitment term"),
    }
)


# --------------------------------------------------------------------------------------------
# Inputs from the scenario
# --------------------------------------------------------------------------------------------


def timeline_ranges(timeline: TimelineInputs) -> dict[str, ParameterRange]:
    """``interim_q``, ``power_shift``, ``power_sensitivity``: the scenario's, else the defaults."""
    out = dict(TIMELINE_DEFAULTS)
    for name in out:
        r = getattr(timeline, name)
        if r is not None:
            low, high = r.range if r.range is not None else (r.central, r.central)
            out[name] = ParameterRange(r.central, low, high, r.source)
    return out


def windows(scenario: Scenario, proposal: Proposal) -> tuple[RatificationWindow, ...]:
    """The ratification windows of the institutions the proposal requires (scenario first)."""
    stated = {w.institution: w for w in scenario.timeline.ratification}
    out = []
    for iid in proposal.requires:
        w = stated.get(iid, DEFAULT_WINDOWS.get(iid))
        if w is not None:
            out.append(w)
    return tuple(out)


def window_years(ws: Sequence[RatificationWindow], u: ArrayLike) -> FloatArray:
    """``D``: the longest window, each at quantile ``u`` (years) of a two-piece uniform
    distribution on [low, high] whose median is the window's central day (the midpoint when
    none is stated): ``low + 2u (central - low)`` for ``u <= 1/2``, ``central + (2u - 1)(high -
    central)`` above. So ``u = 1/2`` gives every window's central day, the central run's.

    Institutions ratify in parallel (NATO's allies do), so the window is their maximum; one
    ``u`` ``(B,)`` serves every window (a slow round is slow everywhere, judgement).
    """
    q = np.asarray(u, dtype=np.float64)
    d = np.zeros(q.shape)
    for w in ws:
        low, high = w.days
        mid = w.central if w.central is not None else (low + high) / 2
        days = np.where(q <= 0.5, low + 2 * q * (mid - low), mid + (2 * q - 1) * (high - mid))
        d = np.maximum(d, days / _DAYS)
    return d


def central_window_years(ws: Sequence[RatificationWindow]) -> float:
    """``D`` at every window's central day (:func:`window_years` at ``u = 1/2``)."""
    return float(window_years(ws, 0.5))


def guarantee_first_feasible(ws: Iterable[RatificationWindow]) -> bool:
    """A window that needs a ceasefire first (a referendum) cannot close while the war goes on."""
    return not any(w.needs_ceasefire for w in ws)


# --------------------------------------------------------------------------------------------
# The adapter to the guarantee game
# --------------------------------------------------------------------------------------------


def game_p_hold(
    g: ArrayLike,
    h: ArrayLike,
    params: Mapping[str, ArrayLike],
    phase: float = 1.0,
    conditions: det_game.Conditions | None = None,
) -> FloatArray:
    """P(the aggressor holds for one period) from the guarantee game (the one coupling point).

    ``params``: the game's inputs ``v, p1, p2, c1, c2, q, lam`` (``(B,)`` or scalars) and, when
    the scenario has them, §4's (``det_game.EXTENDED_PARAMETERS``): then the extended game of
    docs/specs/deterrence.md §4 decides, with its limited probe, ``phase`` (1 after a
    ceasefire, 0 while fighting goes on) and the proposal's ``conditions``; ``g`` and
    ``params`` are then the proposal's own, its commitments folded in
    (``det_game.fold``), so the tree reads the same game as the deterrence results; without
    them the §1 game.
    """
    if all(k in params for k in det_game.EXTENDED_PARAMETERS):
        return np.asarray(det_game.extended_game(g, h, params, conditions, phase).p_hold)
    res = det.guarantee_game(
        g=g, v=params["v"], p1=params["p1"], p2=params["p2"], c1=params["c1"],
        c2=params["c2"], q=params["q"], h=h, lam=params["lam"],
    )  # fmt: skip
    return np.asarray(res.p_hold, dtype=np.float64)


# --------------------------------------------------------------------------------------------
# The tree
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PathInputs:
    """One proposal's inputs to the tree, arrays ``(B,)``.

    ``p_hold_interim``: the game after a ceasefire with interim assurances only;
    ``p_hold_force``: after a ceasefire with the guarantee in force; ``p_hold_fight``: while the
    war goes on, interim assurances only. ``hr``: the mechanisms' hazard ratio; ``k`` the
    Weibull shape; ``c`` the commitment rate; ``years`` the ratification window ``D``.
    """

    p_pass: FloatArray
    years: FloatArray
    p_hold_interim: FloatArray
    p_hold_force: FloatArray
    p_hold_fight: FloatArray
    hr: FloatArray
    k: FloatArray
    c: FloatArray
    guarantee_first_feasible: bool = True


@dataclass(frozen=True)
class OrderPaths:
    """The tree in one order: arrays ``(..., H)``, the inputs' shape and the horizons."""

    order: str
    horizons: tuple[float, ...]
    p_line_holds: FloatArray
    p_survives: FloatArray
    p_path_if_passed: FloatArray
    p_path: FloatArray


def _ceasefire_first(x: PathInputs, h: FloatArray) -> tuple[FloatArray, FloatArray]:
    lam_int = (dur.game_hazard(x.p_hold_interim) * x.hr)[..., None]
    lam_force = (dur.game_hazard(x.p_hold_force) * x.hr)[..., None]
    d, k, c = x.years[..., None], x.k[..., None], x.c[..., None]
    in_window = np.minimum(d, h)
    # Λ of §2 split at min(D, H): the window's part, then the part in force (one integral each)
    cum_window = lam_int * dur.shape_integral(0.0, in_window, k, c)
    cum_after = lam_force * dur.shape_integral(in_window, h, k, c)
    return np.exp(-cum_window), np.exp(-cum_after)


def _guarantee_first(x: PathInputs, h: FloatArray) -> tuple[FloatArray, FloatArray]:
    lam_fight = dur.game_hazard(x.p_hold_fight)[..., None]
    lam_force = (dur.game_hazard(x.p_hold_force) * x.hr)[..., None]
    d = x.years[..., None]
    line = np.exp(-lam_fight * np.minimum(d, h))
    tau = np.maximum(h - d, 0.0)
    survives = np.exp(-lam_force * dur.shape_integral(0.0, tau, x.k[..., None], x.c[..., None]))
    # no ceasefire yet at H: nothing has survived to H
    survives = np.where(h > d, survives, 0.0)
    if not x.guarantee_first_feasible:
        line = np.zeros_like(line)
        survives = np.zeros_like(survives)
    return line, survives


def event_tree(x: PathInputs, order: str, horizons: Sequence[float] = dur.HORIZONS) -> OrderPaths:
    """Evaluate the tree of the module docstring in ``order`` at the supported horizons.

    The inputs' arrays share a leading shape (``(B,)`` draws, or ``(B, G)`` from
    :func:`stack_inputs`); the outputs add the horizons as the last axis.
    """
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}; expected one of {ORDERS}")
    hs = dur.supported_horizons(horizons)
    h = np.asarray(hs, dtype=np.float64)
    line, survives = (_ceasefire_first if order == ORDERS[0] else _guarantee_first)(x, h)
    if_passed = line * survives
    return OrderPaths(
        order=order,
        horizons=hs,
        p_line_holds=line,
        p_survives=survives,
        p_path_if_passed=if_passed,
        p_path=np.asarray(x.p_pass, dtype=np.float64)[..., None] * if_passed,
    )


def stack_inputs(xs: Sequence[PathInputs]) -> PathInputs:
    """Several proposals' inputs ``(B,)`` as one batch ``(B, G)`` for :func:`event_tree`.

    They must share the window ``years``, ``k``, ``c`` and feasibility (kept as ``(B, 1)``), so
    the time integrals are computed once for the group and broadcast over its proposals.
    """
    first = xs[0]

    def col(name: str) -> FloatArray:
        return np.stack([np.asarray(getattr(x, name), dtype=np.float64) for x in xs], axis=-1)

    return PathInputs(
        p_pass=col("p_pass"),
        years=first.years[..., None],
        p_hold_interim=col("p_hold_interim"),
        p_hold_force=col("p_hold_force"),
        p_hold_fight=col("p_hold_fight"),
        hr=col("hr"),
        k=first.k[..., None],
        c=first.c[..., None],
        guarantee_first_feasible=first.guarantee_first_feasible,
    )


def orders_of(proposal: Proposal, years: float, fighting: bool = True) -> tuple[str, ...]:
    """The orders to show, the proposal's own first (as ``ceasefire.inputs.sequences``: with
    fighting, ``guarantee-first`` and ``open`` put the guarantee first); one order when nothing
    needs ratifying or no war is going on.
    """
    if years <= 0.0 or not fighting:
        return ("ceasefire-first",)
    if proposal.ceasefire_before_accession in ("guarantee-first", "open"):
        return ("guarantee-first", "ceasefire-first")
    return ORDERS


def commitment_c(
    power_shift: ArrayLike, sensitivity: ArrayLike, halts_arms_deliveries: bool
) -> FloatArray:
    """``c = β |r|``, zero when the proposal halts the arms deliveries that move the balance."""
    c = dur.commitment_rate(power_shift, sensitivity)
    return np.zeros_like(c) if halts_arms_deliveries else c


def path_inputs(
    *,
    g: ArrayLike,
    h_after: ArrayLike,
    h_fight: ArrayLike,
    game: Mapping[str, FloatArray],
    durability: Mapping[str, FloatArray],
    timeline: Mapping[str, FloatArray],
    years: FloatArray,
    p_pass: ArrayLike,
    mechanisms: Iterable[str],
    halts_arms_deliveries: bool,
    feasible: bool,
    conditions: det_game.Conditions | None = None,
) -> PathInputs:
    """Assemble the tree's inputs for one proposal from ``(B,)`` parameter arrays.

    ``game``: ``v, p1, p2, c1, c2, q, lam`` and §4's own, the proposal's commitments folded in
    (``q`` is then theirs; the interim phases replace it with ``interim_q``), with ``g`` and
    ``conditions`` as the deterrence stage reads them; ``durability``: ``k``, ``floor``, ``hr_<m>``;
    ``timeline``: ``interim_q``, ``power_shift``, ``power_sensitivity``. Collective defence is
    left out of the mechanisms' ratio: the game's ``g`` and ``q`` carry the guarantee, and
    counting it twice would let the prior overrule the game. Fortna's controls are left out
    too: they describe the dyad, which the game's own inputs already describe
    (docs/specs/durability.md §2).
    """
    mech = [m for m in mechanisms if m != "collective_defence"]
    hr_m = dur.hazard_ratio(
        dur.mechanism_vector(mech),
        np.stack([durability[f"hr_{m}"] for m in dur.MECHANISMS], axis=-1),
        durability["floor"],
    )
    hr = hr_m
    interim = {**game, "q": timeline["interim_q"]}
    p_int = game_p_hold(g, h_after, interim, 1.0, conditions)
    return PathInputs(
        p_pass=np.asarray(p_pass, dtype=np.float64),
        years=np.asarray(years, dtype=np.float64),
        p_hold_interim=p_int,
        p_hold_force=game_p_hold(g, h_after, game, 1.0, conditions),
        # while the war goes on: no ceasefire to break (phase 0), interim assurances only
        p_hold_fight=game_p_hold(g, h_fight, interim, 0.0, conditions),
        hr=np.asarray(hr * np.ones_like(np.asarray(years, dtype=np.float64))),
        k=np.asarray(durability["k"], dtype=np.float64),
        c=commitment_c(
            timeline["power_shift"], timeline["power_sensitivity"], halts_arms_deliveries
        ),
        guarantee_first_feasible=feasible,
    )


def why_orders_differ(order: str) -> str:
    """One sentence on what the order changes in the tree (for the report)."""
    if order == "ceasefire-first":
        return (
            "The ceasefire starts at signature, so the line must hold through the whole "
            "ratification window with interim assurances only; Article 5 covers it from entry "
            "into force."
        )
    return (
        "The war goes on until every ally has ratified, so the line must survive the fighting "
        "for the ratification window and the ceasefire starts later, under the guarantee."
    )


__all__ = [
    "DEFAULT_WINDOWS",
    "ORDERS",
    "TIMELINE_DEFAULTS",
    "OrderPaths",
    "PathInputs",
    "central_window_years",
    "commitment_c",
    "event_tree",
    "game_p_hold",
    "guarantee_first_feasible",
    "orders_of",
    "path_inputs",
    "stack_inputs",
    "timeline_ranges",
    "why_orders_differ",
    "window_years",
    "windows",
]
