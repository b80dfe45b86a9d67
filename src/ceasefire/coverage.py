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
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from ceasefire.scenario import Proposal, Scenario, TerritoryUnit

Floats = NDArray[np.float64]

_OCCUPATION_KEPT = {"claim-kept", "ceded-occupied-de-facto", "ceded-occupied-implicitly"}


@dataclass(frozen=True)
class UnitFractions:
    """Per-unit fractions (arrays over units, in scenario order) for one proposal."""

    codes: tuple[str, ...]
    invited: Floats
    guaranteed: Floats
    ceded: Floats
    occupied: Floats
    invited_pop: Floats
    guaranteed_pop: Floats
    ceded_pop: Floats
    occupied_pop: Floats


def held_fractions(units: tuple[TerritoryUnit, ...]) -> tuple[Floats, Floats]:
    """Per unit: share of area and of population the defending government holds.

    The population share defaults to the area share (population spread evenly by area).
    """
    held = np.array([u.controlled_share for u in units], dtype=np.float64)
    held_pop = np.array(
        [
            u.controlled_population_share
            if u.controlled_population_share is not None
            else u.controlled_share
            for u in units
        ],
        dtype=np.float64,
    )
    return held, held_pop


def _scope(scope: str, held: Floats) -> Floats:
    if scope == "recognized":
        return np.ones_like(held)
    if scope == "controlled":
        return held.copy()
    return np.zeros_like(held)


def unit_fractions(units: tuple[TerritoryUnit, ...], proposal: Proposal) -> UnitFractions:
    """The fraction of each unit invited, guaranteed, ceded and left occupied (see module doc)."""
    held, held_pop = held_fractions(units)
    claimed = np.array([u.claimed_by_aggressor for u in units], dtype=bool)
    returned = np.array([proposal.returned.get(u.code, 0.0) for u in units], dtype=np.float64)

    guarantee = proposal.guarantee if proposal.guarantee in ("recognized", "controlled") else "none"

    def ceded_occupied(h: Floats) -> tuple[Floats, Floats]:
        terms = proposal.territory
        if terms == "ceded-claimed":
            return np.where(claimed, 1.0, 0.0), np.where(claimed, 0.0, 1.0 - h)
        if terms == "ceded-occupied":
            return 1.0 - h, np.zeros_like(h)
        if terms == "partial-return":
            return np.zeros_like(h), (1.0 - h) * (1.0 - returned)
        if terms == "restored":
            return np.zeros_like(h), np.zeros_like(h)
        assert terms in _OCCUPATION_KEPT
        return np.zeros_like(h), 1.0 - h

    ceded, occupied = ceded_occupied(held)
    ceded_pop, occupied_pop = ceded_occupied(held_pop)
    return UnitFractions(
        codes=tuple(u.code for u in units),
        invited=_scope(proposal.invitation, held),
        guaranteed=_scope(guarantee, held),
        ceded=ceded,
        occupied=occupied,
        invited_pop=_scope(proposal.invitation, held_pop),
        guaranteed_pop=_scope(guarantee, held_pop),
        ceded_pop=ceded_pop,
        occupied_pop=occupied_pop,
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


def _share(frac: Floats, weight: Floats) -> float:
    total = float(weight.sum())
    return float((frac * weight).sum() / total) if total > 0 else 0.0


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


_COLLECTIVE = ("recognized", "controlled")


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
    p = ctx.proposal
    return {} if not p.mechanisms and p.guarantee in ("none", "bilateral") else None


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
