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

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Warning:
    """A warning an analyst would raise about a proposal: a stable code and a sentence."""

    code: str
    text: str


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


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def warnings(scenario: Scenario, proposal: Proposal, cov: Coverage) -> tuple[Warning, ...]:
    """The warnings an analyst would raise about a proposal's terms and coverage."""
    out: list[Warning] = []
    occupied_now = 1.0 - cov.controlled_area_share
    units = scenario.territory
    front = [u for u in units if 0.0 < u.controlled_share < 1.0]

    if proposal.invitation == "controlled" and occupied_now > 0:
        out.append(
            Warning(
                "implicit-concession",
                f"The invitation covers only the {_pct(cov.invited_area_share)} of the recognised "
                f"territory under government control: inviting part of a country implicitly "
                f"concedes the rest ({_pct(1 - cov.invited_area_share)} of the area, about "
                f"{_pct(1 - cov.invited_population_share)} of the population).",
            )
        )
    if (
        proposal.invitation == "recognized"
        and proposal.guarantee == "controlled"
        and occupied_now > 0
    ):
        out.append(
            Warning(
                "partial-guarantee",
                f"All recognised territory is invited, but collective defence covers only the "
                f"{_pct(cov.guaranteed_area_share)} under government control; "
                f"{_pct(1 - cov.guaranteed_area_share)} is claimed but unprotected, as the GDR "
                f"was for the FRG in 1955.",
            )
        )
    if proposal.guarantee == "recognized" and occupied_now > 0:
        out.append(
            Warning(
                "guarantee-over-occupied",
                f"Collective defence over all recognised territory includes the "
                f"{_pct(occupied_now)} occupied now: the guarantors would be at war with the "
                f"occupier from the day the guarantee takes effect unless it withdraws.",
            )
        )
    if (
        proposal.guarantee in ("recognized", "controlled")
        and proposal.ceasefire_before_accession in ("open", "guarantee-first")
        and scenario.status_quo.fighting
        and front
    ):
        names = ", ".join(u.name or u.code for u in front)
        out.append(
            Warning(
                "guarantee-during-fighting",
                f"The order of ceasefire and accession is {proposal.ceasefire_before_accession}: "
                f"if the guarantee takes effect while fighting continues, guaranteed territory "
                f"borders an active front in {len(front)} units ({names}) -- the NATO dilemma.",
            )
        )
    if proposal.guarantee in ("recognized", "controlled") and proposal.invitation == "none":
        out.append(
            Warning(
                "guarantee-without-membership",
                "A collective-defence guarantee without an invitation: say who guarantees.",
            )
        )
    if cov.ceded_area_share > 0:
        held_ceded = float(
            sum(
                u.area_km2 * u.controlled_share * c
                for u, c in zip(units, cov.units.ceded, strict=True)
            )
        )
        text = (
            f"Cedes {_pct(cov.ceded_area_share)} of the recognised territory de jure "
            f"({_pct(cov.ceded_population_share)} of the population)."
        )
        if held_ceded > 0:
            text += (
                f" That includes {held_ceded:,.0f} km2 the government holds now, which it would "
                f"have to withdraw from."
            )
        text += (
            " A de jure cession usually needs the ceding state's constitutional procedure "
            "(for Ukraine an all-Ukrainian referendum, Constitution Art. 73)."
        )
        out.append(Warning("de-jure-cession", text))
    if proposal.territory in ("ceded-occupied-de-facto",) and occupied_now > 0:
        out.append(
            Warning(
                "de-facto-cession",
                f"Leaves {_pct(cov.occupied_area_share)} of the recognised territory under "
                f"occupation with no stated path back: a de facto cession.",
            )
        )
    if not proposal.mechanisms and proposal.guarantee in ("none", "bilateral"):
        out.append(
            Warning(
                "no-mechanisms",
                "A ceasefire with no mechanism against renewed aggression (no monitoring, "
                "demilitarised zone, peacekeepers or guarantee): the kind that fails most often.",
            )
        )
    return tuple(out)
