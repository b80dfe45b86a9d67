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
from ceasefire.scenario import Proposal, Scenario, TerritoryUnit, UnitTerm

_OCCUPATION_KEPT = {"claim-kept", "ceded-occupied-de-facto", "ceded-occupied-implicitly"}
#: the guarantees that are collective defence (``bilateral`` is not, and counts 0)
_COLLECTIVE = ("recognized", "controlled")
#: the guarantees that are collective defence (``bilateral`` is not, and counts 0)


# --------------------------------------------------------------------------------------------
# The batched kernel: one implementation for a single run (a batch of one) and a sweep
# --------------------------------------------------------------------------------------------


class Fractions(NamedTuple):
    """Fractions of each unit, arrays ``(..., U)`` like the held shares they came from.

    ``recognised`` (de facto), ``withdrawn`` (held part the defender leaves), ``frozen``
    (occupied part left to the aggressor, not ceded de jure, in a unit the line crosses and
    whose held part stays held: a freeze on the line), ``buffer``
    (demilitarised zone) and ``returned`` (occupied part the aggressor leaves) are 0 for units
    of the aggressor; ``foreign_kept``/``foreign_returned`` are the shares of an aggressor's
    unit the defender keeps / hands back (0 for the defender's units).
    """

    invited: FloatArray
    guaranteed: FloatArray
    ceded: FloatArray
    occupied: FloatArray
    recognised: FloatArray
    withdrawn: FloatArray
    frozen: FloatArray
    buffer: FloatArray
    returned: FloatArray
    foreign_kept: FloatArray
    foreign_returned: FloatArray


# Control after the settlement (first axis of a part's outcome) and legal status (second axis)
DEFENDER, AGGRESSOR, BUFFER = 0, 1, 2
CLAIM_KEPT, DE_FACTO, DE_JURE = 0, 1, 2


@dataclass(frozen=True)
class Terms:
    """A proposal's territorial terms compiled per unit: the joint distribution of (control,
    status) after the settlement, ``(U, 3, 3)``, for the part the defender holds now
    (``held``) and the part the aggressor occupies now (``occupied``); rows of control
    DEFENDER/AGGRESSOR/BUFFER, columns of status CLAIM_KEPT/DE_FACTO/DE_JURE, each summing
    to 1. ``foreign`` marks units of the aggressor (``belongs_to = 'aggressor'``), where "held"
    is the part the defender holds of the aggressor's territory.
    """

    held: FloatArray
    occupied: FloatArray
    foreign: BoolArray


def _scope(scope: str, held: FloatArray) -> FloatArray:
    """1 for ``recognized``, the held share ``c_u`` for ``controlled``, else 0."""
    if scope == "recognized":
        return np.ones_like(held)
    if scope == "controlled":
        return held.copy()
    return np.zeros_like(held)


def _outcome(control: int, status: int) -> FloatArray:
    out = np.zeros((3, 3))
    out[control, status] = 1.0
    return out


#: the default outcome of each part: the held part stays held, the occupied part occupied,
#: the claim kept (a freeze on the line)
_HELD_DEFAULT = _outcome(DEFENDER, CLAIM_KEPT)
_OCC_DEFAULT = _outcome(AGGRESSOR, CLAIM_KEPT)


def shorthand_terms(territory: str, claimed: BoolArray, returned: FloatArray) -> Terms:
    """The four-switch shorthand (``Proposal.territory``) as per-unit outcomes.

    ``ceded-claimed``: claimed units ceded de jure whole (the held part withdrawn); others
    frozen. ``ceded-occupied``: the occupied part ceded de jure. ``ceded-occupied-de-facto``:
    the occupied part left to the aggressor with no path back (recognised de facto).
    ``claim-kept``/``ceded-occupied-implicitly``: a freeze. ``partial-return``: share ``r_u``
    of the occupied part returned. ``restored``: the occupied part returned.
    """
    n = len(claimed)
    held = np.broadcast_to(_HELD_DEFAULT, (n, 3, 3)).copy()
    occ = np.broadcast_to(_OCC_DEFAULT, (n, 3, 3)).copy()
    cede = _outcome(AGGRESSOR, DE_JURE)
    if territory == "ceded-claimed":
        held[claimed], occ[claimed] = cede, cede
    elif territory == "ceded-occupied":
        occ[:] = cede
    elif territory == "ceded-occupied-de-facto":
        occ[:] = _outcome(AGGRESSOR, DE_FACTO)
    elif territory in ("partial-return", "restored"):
        r = returned if territory == "partial-return" else np.ones(n)
        occ = r[:, None, None] * _outcome(DEFENDER, CLAIM_KEPT) + (1 - r)[:, None, None] * occ
    elif territory not in _OCCUPATION_KEPT:
        raise ValueError(f"unknown territorial terms {territory!r}")
    return Terms(held=held, occupied=occ, foreign=np.zeros(n, dtype=bool))


_CONTROL_TARGET = {"withdraw": AGGRESSOR, "buffer-zone": BUFFER, "restore": DEFENDER}
_STATUS_TARGET = {"recognise-de-facto": DE_FACTO, "cede-de-jure": DE_JURE}


def _parts(term: UnitTerm) -> tuple[str, ...]:
    """The parts a term acts on: ``withdraw`` only moves the held part, ``restore`` only the
    occupied one; every other term acts on the parts its ``part`` names."""
    if term.term == "withdraw":
        return ("held",)
    if term.term == "restore":
        return ("occupied",)
    return ("held", "occupied") if term.part == "whole" else (term.part,)


def _part_outcome(part: str, terms: list[UnitTerm]) -> FloatArray:
    """The (control, status) outcome of one part of one unit under its terms.

    Control C and status S are distributions over 3 values: a control term with share s moves
    s of the part from its default control to the term's; a status term likewise. The joint is
    the product C ⊗ S (the two are independent within the part), except that recognising or
    ceding the held part without a control term implies the defender withdraws from what it
    recognises or cedes (joint: s at (aggressor, status), 1 - s at (defender, claim kept)).
    """
    default = _HELD_DEFAULT if part == "held" else _OCC_DEFAULT
    control = default.sum(axis=1)
    status = default.sum(axis=0)
    has_control = False
    for t in terms:
        if t.term in _CONTROL_TARGET:
            control = (1 - t.share) * control + t.share * np.eye(3)[_CONTROL_TARGET[t.term]]
            has_control = True
        elif t.term in _STATUS_TARGET:
            status = (1 - t.share) * status + t.share * np.eye(3)[_STATUS_TARGET[t.term]]
    if part == "held" and not has_control and status[CLAIM_KEPT] < 1:
        out: FloatArray = status[CLAIM_KEPT] * _HELD_DEFAULT
        out[AGGRESSOR, 1:] = status[1:]
        return out
    return np.asarray(np.outer(control, status), dtype=np.float64)


def compile_terms(
    base: Terms, codes: tuple[str, ...], foreign: BoolArray, unit_terms: tuple[UnitTerm, ...]
) -> Terms:
    """``base`` (the shorthand) with the units named in ``unit_terms`` replaced: a named part
    starts from its default (freeze) and takes its terms (:func:`_part_outcome`)."""
    held, occ = base.held.copy(), base.occupied.copy()
    index = {c: j for j, c in enumerate(codes)}
    by_part: dict[tuple[int, str], list[UnitTerm]] = {}
    for t in unit_terms:
        for part in _parts(t):
            by_part.setdefault((index[t.unit], part), []).append(t)
    for (j, part), terms in by_part.items():
        target = held if part == "held" else occ
        target[j] = _part_outcome(part, terms)
    return Terms(held=held, occupied=occ, foreign=foreign.copy())


def _mix(held: FloatArray, terms: Terms) -> FloatArray:
    """Outcome mass per unit, ``(..., U, 3, 3)``: ``c_u H_u + (1 - c_u) O_u``."""
    h = held[..., None, None]
    return np.asarray(h * terms.held + (1.0 - h) * terms.occupied, dtype=np.float64)


def fractions(
    held: FloatArray,
    claimed: BoolArray,
    returned: FloatArray,
    *,
    invitation: str,
    guarantee: str,
    territory: str | Terms,
) -> Fractions:
    """The fraction of each unit invited, guaranteed, ceded, left occupied, and the rest.

    ``held`` is the defending government's share of each unit, ``(..., U)`` (a batch of draws
    or a single run); ``claimed`` ``(U,)`` whether the aggressor claims the unit; ``returned``
    ``(U,)`` the share of its occupied part that ``partial-return`` gives back. ``territory``
    is the shorthand switch or the compiled per-unit :class:`Terms` (:func:`proposal_terms`).
    With ``m_u = c_u H_u + (1 - c_u) O_u`` the unit's outcome mass: ceded = Σ m[·, de jure];
    occupied = Σ m[aggressor, not de jure]; recognised = Σ m[·, de facto]; withdrawn =
    c_u (1 - Σ H[defender, ·]); frozen = (1 - c_u) Σ O[aggressor, not de jure] Σ H[defender, ·]
    [c_u > 0] (the line crosses the unit and stays the boundary); buffer =
    Σ m[buffer, ·]; returned = (1 - c_u) Σ O[defender, ·]. Units of the aggressor count in
    none of these but in foreign_kept = c_u Σ H[defender, ·] and foreign_returned = c_u - kept.
    Pass population shares as ``held`` for the population fractions.
    """
    h = np.asarray(held, dtype=np.float64)
    terms = (
        territory if isinstance(territory, Terms) else shorthand_terms(territory, claimed, returned)
    )
    own = np.where(terms.foreign, 0.0, 1.0)
    m = _mix(h, terms) * own[:, None, None]
    kept_held = terms.held[:, DEFENDER, :].sum(axis=-1)
    return Fractions(
        invited=_scope(invitation, h) * own,
        guaranteed=_scope(guarantee if guarantee in _COLLECTIVE else "none", h) * own,
        ceded=m[..., DE_JURE].sum(axis=-1),
        occupied=m[..., AGGRESSOR, :DE_JURE].sum(axis=-1),
        recognised=m[..., DE_FACTO].sum(axis=-1),
        withdrawn=h * (1.0 - kept_held) * own,
        # frozen on the line: the occupied part stays with the aggressor (not ceded de jure)
        # in a unit the line crosses (c_u > 0) whose held part stays held
        frozen=(1.0 - h)
        * terms.occupied[:, AGGRESSOR, :DE_JURE].sum(axis=-1)
        * kept_held
        * (h > 0)
        * own,
        buffer=m[..., BUFFER, :].sum(axis=-1),
        returned=(1.0 - h) * terms.occupied[:, DEFENDER, :].sum(axis=-1) * own,
        foreign_kept=h * kept_held * (1.0 - own),
        foreign_returned=h * (1.0 - kept_held) * (1.0 - own),
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


def foreign_units(units: tuple[TerritoryUnit, ...]) -> BoolArray:
    """Whether each unit is the aggressor's own territory (``belongs_to``), ``(U,)``."""
    return np.array([u.belongs_to == "aggressor" for u in units], dtype=bool)


def recognised_weights(units: tuple[TerritoryUnit, ...], of: str = "area") -> FloatArray:
    """Area (or population) of each unit of the disputed state, 0 for the aggressor's units:
    the weights of every share of the recognised territory."""
    w = np.array([u.area_km2 if of == "area" else u.population for u in units], dtype=np.float64)
    return np.where(foreign_units(units), 0.0, w)


def proposal_terms(proposal: Proposal, units: tuple[TerritoryUnit, ...]) -> Terms:
    """The proposal's territorial terms per unit: the shorthand, then its ``unit_terms``."""
    base = shorthand_terms(
        proposal.territory, claimed_units(units), returned_shares(units, proposal)
    )
    codes = tuple(u.code for u in units)
    return compile_terms(base, codes, foreign_units(units), proposal.unit_terms)


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
        territory=proposal_terms(proposal, units),
    )


@dataclass(frozen=True)
class UnitFractions:
    """Per-unit fractions (arrays over units, in scenario order) for one proposal: of area
    (``area``) and of population (``pop``), :class:`Fractions` each."""

    codes: tuple[str, ...]
    area: Fractions
    pop: Fractions

    @property
    def invited(self) -> FloatArray:
        return self.area.invited

    @property
    def guaranteed(self) -> FloatArray:
        return self.area.guaranteed

    @property
    def ceded(self) -> FloatArray:
        return self.area.ceded

    @property
    def occupied(self) -> FloatArray:
        return self.area.occupied


def unit_fractions(units: tuple[TerritoryUnit, ...], proposal: Proposal) -> UnitFractions:
    """The fractions of each unit under the proposal (module doc, :func:`fractions`)."""
    held, held_pop = held_fractions(units)
    return UnitFractions(
        codes=tuple(u.code for u in units),
        area=proposal_fractions(proposal, held, units),
        pop=proposal_fractions(proposal, held_pop, units),
    )


#: the outcomes reported as shares of the recognised territory, each of area and population
OUTCOMES = (
    "invited",
    "guaranteed",
    "ceded",
    "occupied",
    "recognised",
    "withdrawn",
    "frozen",
    "buffer",
    "returned",
)
#: the shares of the recognised territory reported for every proposal
SHARES = tuple(f"{o}_{w}_share" for o in OUTCOMES for w in ("area", "population"))


@dataclass(frozen=True)
class Coverage:
    """Shares of the recognised territory (area and population) for one proposal.

    ``shares`` maps each name of :data:`SHARES` to its value; ``foreign_held_km2`` is the
    aggressor's territory the defender holds now, ``foreign_returned_km2`` what the proposal
    hands back of it (a bargaining chip).
    """

    shares: Mapping[str, float]
    controlled_area_share: float
    foreign_held_km2: float
    foreign_returned_km2: float
    units: UnitFractions

    def __getattr__(self, name: str) -> float:
        # the shares read as attributes (``cov.ceded_area_share``), as the results do
        shares = self.__dict__.get("shares", {})
        if name in shares:
            return float(shares[name])
        raise AttributeError(name)


def _share(frac: FloatArray, weight: FloatArray) -> float:
    return float(share(frac, weight))


def coverage(scenario: Scenario, proposal: Proposal) -> Coverage:
    """Area and population shares for one proposal (exact weighted sums over units)."""
    units = scenario.territory
    weights = {"area": recognised_weights(units), "population": recognised_weights(units, "pop")}
    held, _ = held_fractions(units)
    f = unit_fractions(units, proposal)
    parts = {"area": f.area, "population": f.pop}
    area_km2 = np.array([u.area_km2 for u in units], dtype=np.float64)
    return Coverage(
        shares=MappingProxyType(
            {
                f"{o}_{w}_share": _share(getattr(parts[w], o), weights[w])
                for o in OUTCOMES
                for w in ("area", "population")
            }
        ),
        controlled_area_share=_share(held, weights["area"]),
        foreign_held_km2=float((held * area_km2 * foreign_units(units)).sum()),
        foreign_returned_km2=float((f.area.foreign_returned * area_km2).sum()),
        units=f,
    )


def held_shares(scenario: Scenario) -> tuple[float, float]:
    """Shares of the recognised area and population the defending government holds now."""
    units = scenario.territory
    held, held_pop = held_fractions(units)
    return (
        _share(held, recognised_weights(units)),
        _share(held_pop, recognised_weights(units, "pop")),
    )


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
        "withdrawal": (
            "The government withdraws from {withdrawn_area:.1%} of the recognised territory "
            "it holds now ({withdrawn_km2:,.0f} km2, about {withdrawn_population:.1%} of the "
            "population) in {withdrawn_units}: territory given up without a battle, which "
            "the aggressor has not taken."
        ),
        "buffer-zone": (
            "A buffer zone over {buffer_area:.1%} of the recognised territory "
            "({buffer_km2:,.0f} km2 in {buffer_units}), {demilitarised}; administered by "
            "{administered_by}."
        ),
        "bargaining-chip": (
            "The government holds {foreign_held_km2:,.0f} km2 of the aggressor's own "
            "territory; the proposal hands back {foreign_returned_km2:,.0f} km2 of it."
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
    front = [
        u
        for u in ctx.scenario.territory
        if 0.0 < u.controlled_share < 1.0 and u.belongs_to == "defender"
    ]
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
    # the shorthand 'ceded-occupied-de-facto' or any unit term recognising occupation de facto
    if ctx.cov.recognised_area_share <= 0 or ctx.occupied_now <= 0:
        return None
    return {"left_occupied": ctx.cov.occupied_area_share}


def _unit_names(ctx: _Context, frac: FloatArray) -> str:
    return ", ".join(
        u.name or u.code for u, x in zip(ctx.scenario.territory, frac, strict=True) if x > 0
    )


def _km2(ctx: _Context, frac: FloatArray) -> float:
    return float(sum(u.area_km2 * x for u, x in zip(ctx.scenario.territory, frac, strict=True)))


def _withdrawal(ctx: _Context) -> Fields | None:
    f = ctx.cov.units.area
    if ctx.cov.withdrawn_area_share <= 0:
        return None
    return {
        "withdrawn_area": ctx.cov.withdrawn_area_share,
        "withdrawn_population": ctx.cov.withdrawn_population_share,
        "withdrawn_km2": _km2(ctx, f.withdrawn),
        "withdrawn_units": _unit_names(ctx, f.withdrawn),
    }


def _buffer_zone(ctx: _Context) -> Fields | None:
    f = ctx.cov.units.area
    zones = [t for t in ctx.proposal.unit_terms if t.term == "buffer-zone"]
    if ctx.cov.buffer_area_share <= 0 or not zones:
        return None
    admins = sorted({t.administered_by for t in zones if t.administered_by})
    return {
        "buffer_area": ctx.cov.buffer_area_share,
        "buffer_km2": _km2(ctx, f.buffer),
        "buffer_units": _unit_names(ctx, f.buffer),
        "demilitarised": "demilitarised"
        if all(t.demilitarised for t in zones)
        else "not (wholly) demilitarised",
        "administered_by": "; ".join(admins) if admins else "nobody named",
    }


def _bargaining_chip(ctx: _Context) -> Fields | None:
    if ctx.cov.foreign_held_km2 <= 0:
        return None
    return {
        "foreign_held_km2": ctx.cov.foreign_held_km2,
        "foreign_returned_km2": ctx.cov.foreign_returned_km2,
    }


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
    ("withdrawal", _withdrawal),
    ("buffer-zone", _buffer_zone),
    ("bargaining-chip", _bargaining_chip),
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
