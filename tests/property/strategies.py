"""Reusable hypothesis strategies: random scenarios' pieces for property tests."""

from __future__ import annotations

from typing import get_args

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ceasefire.scenario import Proposal, TerritoryUnit

#: every territorial term and mechanism the scenario schema allows (read from it, not copied)
TERRITORIAL_TERMS: tuple[str, ...] = get_args(Proposal.model_fields["territory"].annotation)
MECHANISMS: tuple[str, ...] = get_args(get_args(Proposal.model_fields["mechanisms"].annotation)[0])

scale = st.floats(min_value=0, max_value=100, allow_nan=False)
share = st.floats(min_value=0, max_value=1, allow_nan=False)


@st.composite
def territories(draw, min_units=1, max_units=8):
    n = draw(st.integers(min_units, max_units))
    units = []
    for k in range(n):
        units.append(
            TerritoryUnit(
                code=f"U{k}",
                area_km2=draw(st.floats(min_value=0.5, max_value=1e5, allow_nan=False)),
                population=draw(st.floats(min_value=0, max_value=1e7, allow_nan=False)),
                controlled_share=draw(share),
                controlled_population_share=draw(st.none() | share),
                claimed_by_aggressor=draw(st.booleans()),
            )
        )
    return tuple(units)


@st.composite
def proposals(draw, codes=("U0",)):
    terms = draw(st.sampled_from(TERRITORIAL_TERMS))
    returned = {}
    if terms == "partial-return":
        returned = {c: draw(share) for c in codes if draw(st.booleans())}
    return Proposal(
        id="p",
        invitation=draw(st.sampled_from(["recognized", "controlled", "none"])),
        guarantee=draw(st.sampled_from(["recognized", "controlled", "bilateral", "none"])),
        territory=terms,
        returned=returned,
        position={"a": 50.0},
    )


@st.composite
def preference_arrays(draw, max_actors=6, max_dims=4):
    """(ideal (n, D), saliences (n, D)) with some all-zero salience rows allowed."""
    n = draw(st.integers(1, max_actors))
    d = draw(st.integers(1, max_dims))
    ideal = draw(arrays(np.float64, (n, d), elements=scale))
    sal = draw(arrays(np.float64, (n, d), elements=scale))
    return ideal, sal


# ---- whole scenarios (the single run and the sweep must agree on them) -----------------------


@st.composite
def _point(draw, dims, candidates):
    """A position: each coordinate a random value or one of ``candidates`` (to make ties)."""
    return {d: draw(st.sampled_from(candidates[d]) | scale) for d in dims}


@st.composite
def _actor(draw, i, dims, status_quo):
    position = {d: draw(scale) for d in dims}
    actor = {
        "id": f"A{i}",
        "capability": draw(st.floats(0, 10, allow_nan=False)),
        "war_cost": draw(st.sampled_from([0.0, 10.0]) | st.floats(0, 100, allow_nan=False)),
        "position": position,
        "salience": {d: draw(st.sampled_from([0.0, 50.0]) | scale) for d in dims},
    }
    red = []
    for d in dims:
        op = draw(st.sampled_from(["", "<=", ">="]))
        if op:
            # bounds at the status quo or the actor's position put proposals on the boundary
            bound = draw(st.sampled_from([status_quo[d], position[d]]) | scale)
            # positional notation (the red-line grammar has no exponent), exact to the last bit
            red.append(f"{d} {op} {np.format_float_positional(bound, trim='-')}")
    if red:
        actor["red_lines"] = red
    if draw(st.booleans()):
        actor["range"] = {"war_cost": [0.0, 100.0]}
    return actor


@st.composite
def _institution(draw, j, actor_ids):
    members = draw(st.lists(st.sampled_from(actor_ids), min_size=1, unique=True))
    rule = draw(st.sampled_from(["unanimity", "all", "qualified-majority"]))
    inst = {"id": f"I{j}", "rule": rule, "members": members}
    if rule == "qualified-majority":
        weights = {m: draw(st.sampled_from([1.0, 2.0, 0.1, 0.7])) for m in members}
        inst["weights"] = weights
        # a threshold equal to some coalition's share makes a tie at the tolerance
        subset = draw(st.lists(st.sampled_from(members), min_size=1, unique=True))
        # (all members: 1 up to rounding, which may land above the schema's bound of 1)
        exact = min(1.0, sum(weights[m] for m in subset) / sum(weights.values()))
        inst["threshold"] = draw(st.sampled_from([exact, 0.5, 1.0]))
        if draw(st.booleans()):
            inst["min_count"] = draw(st.integers(1, len(members)))
    return inst


@st.composite
def _proposal(draw, k, dims, candidates, units, institution_ids):
    terms = draw(st.sampled_from(TERRITORIAL_TERMS))
    prop = {
        "id": f"P{k}",
        "invitation": draw(st.sampled_from(["recognized", "controlled", "none"])),
        "guarantee": draw(st.sampled_from(["recognized", "controlled", "bilateral", "none"])),
        "territory": terms,
        "mechanisms": draw(st.lists(st.sampled_from(MECHANISMS), unique=True, max_size=3)),
        "ceasefire_before_accession": draw(
            st.sampled_from(["ceasefire-first", "guarantee-first", "open", "n/a"])
        ),
        "position": draw(_point(dims, candidates)),
        "requires": draw(st.lists(st.sampled_from(institution_ids), unique=True))
        if institution_ids
        else [],
    }
    if terms == "partial-return":
        prop["returned"] = {u.code: draw(share) for u in units if draw(st.booleans())}
    return prop


@st.composite
def scenarios(draw):
    """A random scenario as a raw dict (``scenario.from_dict``) that exercises every branch.

    Every territorial term (with ``partial-return`` shares), every institution rule (weighted
    qualified majorities with thresholds equal to a coalition's share), red lines and
    proposals at the status quo or an actor's ideal point (exact ties), with and without
    fighting, with and without an aggressor.
    """
    dims = [f"d{j}" for j in range(draw(st.integers(1, 3)))]
    status_quo = {d: draw(scale) for d in dims}
    n = draw(st.integers(1, 4))
    actors = [draw(_actor(i, dims, status_quo)) for i in range(n)]
    actor_ids = [a["id"] for a in actors]
    units = draw(territories(1, 4))
    territory = [u.model_dump(exclude_none=True, exclude_defaults=True) for u in units]
    for u, raw in zip(units, territory, strict=True):
        raw.update(code=u.code, area_km2=u.area_km2, controlled_share=u.controlled_share)
        raw["population"] = u.population
        if draw(st.booleans()):
            raw["controlled_share_range"] = [0.0, 1.0]
    institutions = [draw(_institution(j, actor_ids)) for j in range(draw(st.integers(0, 3)))]
    candidates = {d: [status_quo[d], *(a["position"][d] for a in actors)] for d in dims}
    proposals = [
        draw(_proposal(k, dims, candidates, units, [i["id"] for i in institutions]))
        for k in range(draw(st.integers(1, 4)))
    ]
    meta = {"id": "random", "title": "random"}
    if draw(st.booleans()):
        meta["aggressor"] = draw(st.sampled_from(actor_ids))
    return {
        "scenario": meta,
        "dimensions": [{"id": d} for d in dims],
        "status_quo": {"position": status_quo, "fighting": draw(st.booleans())},
        "actors": actors,
        "territory": territory,
        "proposals": proposals,
        "institutions": institutions,
        "monte_carlo": {"draws": 10, "seed": 1},
    }
