"""What each proposal covers and concedes: territory x proposal accounting, and warnings.

For a proposal and each territorial unit ``u`` with area ``A_u``, population ``P_u``, share of
area held by the defending government ``c_u`` (and of population ``pc_u``, which defaults to
``c_u``: population is assumed spread evenly by area inside a unit), the stage computes the
fraction of the unit that is

* invited into the alliance: 1 (``recognized``), ``c_u`` (``controlled``), 0 (``none``);
* under the collective-defence guarantee: 1, ``c_u`` or 0 likewise (``bilateral`` is not
  collective defence and counts 0);
* ceded de jure: the whole unit if the aggressor claims it (``ceded-claimed``), its occupied
  part (``ceded-occupied``), else 0;
* occupied de facto after the settlement without cession: the occupied part ``1 - c_u`` (less
  what ``partial-return`` gives back, nothing for ``restored``).

Shares are exact area- (population-) weighted sums over units divided by the total.

:func:`fractions`, :func:`share` and :func:`guarantee_share` are the one batched kernel of the
stage: they take held shares ``(..., U)``, so a single run (``analysis.analyze``, through
:func:`coverage`) and a sweep's draws (``uncertainty/pipeline.evaluate``) run the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from ceasefire._types import BoolArray, FloatArray
from ceasefire.scenario import Proposal, Scenario, TerritoryUnit

_OCCUPATION_KEPT = {"claim-kept", "ceded-occupied-de-facto", "ceded-occupied-implicitly"}
#: the guarantees that are collective defence (``bilateral`` is not, and counts 0)
_COLLECTIVE = ("recognized", "controlled")
#: the guarantees that are collective defence (``bilateral`` is not, and counts 0)


@dataclass(frozen=True)
class UnitFractions:
    """Per-unit fractions (arrays over units, in scenario order) for one proposal."""

    codes: tuple[str, ...]
    invited: FloatArray
    guaranteed: FloatArray
    ceded: FloatArray
    occupied: FloatArray
    invited_pop: FloatArray
    guaranteed_pop: FloatArray
    ceded_pop: FloatArray
    occupied_pop: FloatArray


# --------------------------------------------------------------------------------------------
# The batched kernel: one implementation for a single run (a batch of one) and a sweep
# --------------------------------------------------------------------------------------------


class Fractions(NamedTuple):
    """Fractions of each unit, arrays ``(..., U)`` like the held shares they came from."""

    invited: FloatArray
    guaranteed: FloatArray
    ceded: FloatArray
    occupied: FloatArray


def _scope(scope: str, held: FloatArray) -> FloatArray:
    """1 for ``recognized``, the held share ``c_u`` for ``controlled``, else 0."""
    if scope == "recognized":
        return np.ones_like(held)
    if scope == "controlled":
        return held.copy()
    return np.zeros_like(held)


def _ceded_occupied(
    territory: str, held: FloatArray, claimed: BoolArray, returned: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Ceded de jure and left occupied, per unit (module docstring)."""
    if territory == "ceded-claimed":
        ceded = np.broadcast_to(np.where(claimed, 1.0, 0.0), held.shape).copy()
        return ceded, np.where(claimed, 0.0, 1.0 - held)
    if territory == "ceded-occupied":
        return 1.0 - held, np.zeros_like(held)
    if territory == "partial-return":
        return np.zeros_like(held), (1.0 - held) * (1.0 - returned)
    if territory == "restored":
        return np.zeros_like(held), np.zeros_like(held)
    if territory not in _OCCUPATION_KEPT:
        raise ValueError(f"unknown territorial terms {territory!r}")
    return np.zeros_like(held), 1.0 - held


def fractions(
    held: FloatArray,
    claimed: BoolArray,
    returned: FloatArray,
    *,
    invitation: str,
    guarantee: str,
    territory: str,
) -> Fractions:
    """The fraction of each unit invited, guaranteed, ceded and left occupied.

    ``held`` is the defending government's share of each unit, ``(..., U)`` (a batch of draws
    or a single run); ``claimed`` ``(U,)`` whether the aggressor claims the unit; ``returned``
    ``(U,)`` the share of its occupied part that ``partial-return`` gives back. The terms are
    the proposal's (module docstring). Pass population shares as ``held`` for the population
    fractions.
    """
    h = np.asarray(held, dtype=np.float64)
    ceded, occupied = _ceded_occupied(territory, h, claimed, returned)
    return Fractions(
        invited=_scope(invitation, h),
        guaranteed=_scope(guarantee if guarantee in _COLLECTIVE else "none", h),
        ceded=ceded,
        occupied=occupied,
    )


def share(fraction: FloatArray, weight: FloatArray) -> FloatArray:
    """``Σ_u f_u W_u / Σ_u W_u`` over the last axis (0 when the weights sum to 0): ``(...)``."""
    total = float(weight.sum())
    if total <= 0:
        return np.zeros(fraction.shape[:-1])
    return np.asarray((fraction * weight).sum(axis=-1) / total, dtype=np.float64)


def guarantee_share(area: FloatArray, held: FloatArray, guaranteed: FloatArray) -> FloatArray:
    """``g``: the share of the defender-held area under collective defence, ``(...)``.

    ``g = Σ_u A_u min(guaranteed_u, c_u) / Σ_u A_u c_u`` (0 when nothing is held), the input
    of the guarantee game (``docs/specs/deterrence.md`` §1).
    """
    held_area = (area * held).sum(axis=-1)
    covered = (area * np.minimum(guaranteed, held)).sum(axis=-1)
    safe = np.where(held_area > 0, held_area, 1.0)
    return np.asarray(np.where(held_area > 0, covered / safe, 0.0), dtype=np.float64)


def population_held(held: FloatArray, explicit: FloatArray) -> FloatArray:
    """Held population shares: the stated ones, NaN where they follow the area share ``held``."""
    return np.asarray(np.where(np.isnan(explicit), held, explicit), dtype=np.float64)


# --------------------------------------------------------------------------------------------
# One proposal of a scenario (the single run's view of the kernel)
# --------------------------------------------------------------------------------------------


def held_fractions(units: tuple[TerritoryUnit, ...]) -> tuple[FloatArray, FloatArray]:
    """Per unit: share of area and of population the defending government holds.

    The population share defaults to the area share (population spread evenly by area).
    """
    held = np.array([u.controlled_share for u in units], dtype=np.float64)
    return held, population_held(held, stated_population_shares(units))


def stated_population_shares(units: tuple[TerritoryUnit, ...]) -> FloatArray:
    """Each unit's stated held population share, NaN where none is stated."""
    return np.array(
        [
            np.nan if u.controlled_population_share is None else u.controlled_population_share
            for u in units
        ],
        dtype=np.float64,
    )


def claimed_units(units: tuple[TerritoryUnit, ...]) -> BoolArray:
    """Whether the aggressor claims each unit, ``(U,)``."""
    return np.array([u.claimed_by_aggressor for u in units], dtype=bool)


def returned_shares(units: tuple[TerritoryUnit, ...], proposal: Proposal) -> FloatArray:
    """The share of each unit's occupied part the proposal returns, ``(U,)``."""
    return np.array([proposal.returned.get(u.code, 0.0) for u in units], dtype=np.float64)


def proposal_fractions(
    proposal: Proposal, held: FloatArray, units: tuple[TerritoryUnit, ...]
) -> Fractions:
    """:func:`fractions` with the proposal's terms."""
    return fractions(
        held,
        claimed_units(units),
        returned_shares(units, proposal),
        invitation=proposal.invitation,
        guarantee=proposal.guarantee,
        territory=proposal.territory,
    )


def unit_fractions(units: tuple[TerritoryUnit, ...], proposal: Proposal) -> UnitFractions:
    """The fraction of each unit invited, guaranteed, ceded and left occupied (see module doc)."""
    held, held_pop = held_fractions(units)
    area = proposal_fractions(proposal, held, units)
    pop = proposal_fractions(proposal, held_pop, units)
    return UnitFractions(
        codes=tuple(u.code for u in units),
        invited=area.invited,
        guaranteed=area.guaranteed,
        ceded=area.ceded,
        occupied=area.occupied,
        invited_pop=pop.invited,
        guaranteed_pop=pop.guaranteed,
        ceded_pop=pop.ceded,
        occupied_pop=pop.occupied,
    )


#: the shares of the recognised territory reported for every proposal
SHARES = (
    "invited_area_share",
    "invited_population_share",
    "guaranteed_area_share",
    "guaranteed_population_share",
    "ceded_area_share",
    "ceded_population_share",
    "occupied_area_share",
    "occupied_population_share",
)


@dataclass(frozen=True)
class Coverage:
    """Shares of the recognised territory (area and population) for one proposal."""

    invited_area_share: float
    invited_population_share: float
    guaranteed_area_share: float
    guaranteed_population_share: float
    ceded_area_share: float
    ceded_population_share: float
    occupied_area_share: float
    occupied_population_share: float
    controlled_area_share: float
    units: UnitFractions


def _share(frac: FloatArray, weight: FloatArray) -> float:
    return float(share(frac, weight))


def coverage(scenario: Scenario, proposal: Proposal) -> Coverage:
    """Area and population shares for one proposal (exact weighted sums over units)."""
    units = scenario.territory
    area = np.array([u.area_km2 for u in units], dtype=np.float64)
    pop = np.array([u.population for u in units], dtype=np.float64)
    held, _ = held_fractions(units)
    f = unit_fractions(units, proposal)
    return Coverage(
        invited_area_share=_share(f.invited, area),
        invited_population_share=_share(f.invited_pop, pop),
        guaranteed_area_share=_share(f.guaranteed, area),
        guaranteed_population_share=_share(f.guaranteed_pop, pop),
        ceded_area_share=_share(f.ceded, area),
        ceded_population_share=_share(f.ceded_pop, pop),
        occupied_area_share=_share(f.occupied, area),
        occupied_population_share=_share(f.occupied_pop, pop),
        controlled_area_share=_share(held, area),
        units=f,
    )


def held_shares(scenario: Scenario) -> tuple[float, float]:
    """Shares of the recognised area and population the defending government holds now."""
    units = scenario.territory
    area = np.array([u.area_km2 for u in units], dtype=np.float64)
    pop = np.array([u.population for u in units], dtype=np.float64)
    held, held_pop = held_fractions(units)
    return _share(held, area), _share(held_pop, pop)


# ---------------------------------------------------------------------------------------------
# Analyst warnings: a stable code, structured fields (scenario.WARNING_FIELDS) and a sentence.
# The engine's sentences are generic; a scenario words a warning in its own terms
# (``[warnings.<code>] text = "..."``: an analogy, the ceding state's legal procedure).


@dataclass(frozen=True)
class AnalystWarning:
    """A warning an analyst would raise about a proposal: a stable code, its fields, a sentence.

    ``fields`` holds the numbers (shares are fractions 0-1) and names the sentence is made of,
    so that a reader other than the sentence can use them.
    """

    code: str
    text: str
    fields: Mapping[str, float | int | str] = field(default_factory=dict)


#: the engine's generic wording of each warning (``str.format`` over its fields)
DEFAULT_TEXTS: Mapping[str, str] = MappingProxyType(
    {
        "implicit-concession": (
            "The invitation covers only the {invited_area:.1%} of the recognised territory "
            "under government control: inviting part of a country implicitly concedes the rest "
            "({uninvited_area:.1%} of the area, about {uninvited_population:.1%} of the "
            "population)."
        ),
        "partial-guarantee": (
            "All recognised territory is invited, but collective defence covers only the "
            "{guaranteed_area:.1%} under government control; {unguaranteed_area:.1%} is claimed "
            "but unprotected."
        ),
        "guarantee-over-occupied": (
            "Collective defence over all recognised territory includes the {occupied_now:.1%} "
            "occupied now: the guarantors would be at war with the occupier from the day the "
            "guarantee takes effect unless it withdraws."
        ),
        "guarantee-during-fighting": (
            "The order of ceasefire and accession is {sequencing}: if the guarantee takes "
            "effect while fighting continues, guaranteed territory borders an active front in "
            "{front_count} units ({front_units})."
        ),
        "guarantee-without-membership": (
            "A collective-defence guarantee without an invitation: say who guarantees."
        ),
        "de-jure-cession": (
            "Cedes {ceded_area:.1%} of the recognised territory de jure ({ceded_population:.1%} "
            "of the population).{withdrawal} A de jure cession usually needs the ceding state's "
            "constitutional procedure."
        ),
        "de-facto-cession": (
            "Leaves {left_occupied:.1%} of the recognised territory under occupation with no "
            "stated path back: a de facto cession."
        ),
        "no-mechanisms": (
            "A ceasefire with no mechanism against renewed aggression (no monitoring, "
            "demilitarised zone, peacekeepers or guarantee): the kind that fails most often."
        ),
    }
)

Fields = dict[str, float | int | str]


@dataclass(frozen=True)
class _Context:
    scenario: Scenario
    proposal: Proposal
    cov: Coverage
    occupied_now: float


def _implicit_concession(ctx: _Context) -> Fields | None:
    if ctx.proposal.invitation != "controlled" or ctx.occupied_now <= 0:
        return None
    return {
        "invited_area": ctx.cov.invited_area_share,
        "uninvited_area": 1 - ctx.cov.invited_area_share,
        "uninvited_population": 1 - ctx.cov.invited_population_share,
    }


def _partial_guarantee(ctx: _Context) -> Fields | None:
    p = ctx.proposal
    if p.invitation != "recognized" or p.guarantee != "controlled" or ctx.occupied_now <= 0:
        return None
    return {
        "guaranteed_area": ctx.cov.guaranteed_area_share,
        "unguaranteed_area": 1 - ctx.cov.guaranteed_area_share,
    }


def _guarantee_over_occupied(ctx: _Context) -> Fields | None:
    if ctx.proposal.guarantee != "recognized" or ctx.occupied_now <= 0:
        return None
    return {"occupied_now": ctx.occupied_now}


def _guarantee_during_fighting(ctx: _Context) -> Fields | None:
    p = ctx.proposal
    front = [u for u in ctx.scenario.territory if 0.0 < u.controlled_share < 1.0]
    if (
        p.guarantee not in _COLLECTIVE
        or p.ceasefire_before_accession not in ("open", "guarantee-first")
        or not ctx.scenario.status_quo.fighting
        or not front
    ):
        return None
    return {
        "sequencing": p.ceasefire_before_accession,
        "front_count": len(front),
        "front_units": ", ".join(u.name or u.code for u in front),
    }


def _guarantee_without_membership(ctx: _Context) -> Fields | None:
    p = ctx.proposal
    return {} if p.guarantee in _COLLECTIVE and p.invitation == "none" else None


def _de_jure_cession(ctx: _Context) -> Fields | None:
    cov = ctx.cov
    if cov.ceded_area_share <= 0:
        return None
    units = ctx.scenario.territory
    held_ceded = float(
        sum(
            u.area_km2 * u.controlled_share * c for u, c in zip(units, cov.units.ceded, strict=True)
        )
    )
    withdrawal = (
        f" That includes {held_ceded:,.0f} km2 the government holds now, which it would "
        "have to withdraw from."
        if held_ceded > 0
        else ""
    )
    return {
        "ceded_area": cov.ceded_area_share,
        "ceded_population": cov.ceded_population_share,
        "held_ceded_km2": held_ceded,
        "withdrawal": withdrawal,
    }


def _de_facto_cession(ctx: _Context) -> Fields | None:
    if ctx.proposal.territory != "ceded-occupied-de-facto" or ctx.occupied_now <= 0:
        return None
    return {"left_occupied": ctx.cov.occupied_area_share}


def _no_mechanisms(ctx: _Context) -> Fields | None:
    # a ceasefire needs a war: where nobody fights without a deal there is nothing to hold
    p = ctx.proposal
    bare = not p.mechanisms and p.guarantee in ("none", "bilateral")
    return {} if bare and ctx.scenario.status_quo.fighting else None


#: the rule of each warning, in the order warnings are reported
_RULES: tuple[tuple[str, Callable[[_Context], Fields | None]], ...] = (
    ("implicit-concession", _implicit_concession),
    ("partial-guarantee", _partial_guarantee),
    ("guarantee-over-occupied", _guarantee_over_occupied),
    ("guarantee-during-fighting", _guarantee_during_fighting),
    ("guarantee-without-membership", _guarantee_without_membership),
    ("de-jure-cession", _de_jure_cession),
    ("de-facto-cession", _de_facto_cession),
    ("no-mechanisms", _no_mechanisms),
)


def analyst_warnings(
    scenario: Scenario, proposal: Proposal, cov: Coverage
) -> tuple[AnalystWarning, ...]:
    """The warnings an analyst would raise about a proposal's terms and coverage.

    Each rule decides whether its warning applies and returns its fields; the sentence is the
    scenario's wording of that code (``scenario.warnings``) or the engine's generic one
    (:data:`DEFAULT_TEXTS`), formatted with the fields.
    """
    ctx = _Context(scenario, proposal, cov, 1.0 - cov.controlled_area_share)
    out: list[AnalystWarning] = []
    for code, rule in _RULES:
        found = rule(ctx)
        if found is None:
            continue
        own = scenario.warnings.get(code)
        template = own.text if own is not None else DEFAULT_TEXTS[code]
        out.append(AnalystWarning(code, template.format(**found), MappingProxyType(found)))
    return tuple(out)
