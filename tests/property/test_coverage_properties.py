"""Coverage invariants on random territories and proposals, against an exact loop reference."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from ceasefire.coverage import coverage
from ceasefire.scenario import Actor, Dimension, Meta, Scenario, StatusQuo
from tests.property.strategies import proposals, territories


def scenario_with(units, proposal):
    return Scenario(
        scenario=Meta(id="t", title="t"),
        dimensions=(Dimension(id="a"),),
        status_quo=StatusQuo(position={"a": 0.0}),
        actors=(Actor(id="X", capability=1, position={"a": 0.0}, salience={"a": 1.0}),),
        territory=units,
        proposals=(proposal,),
    )


def reference(units, p):
    """Loop reference, written from the module docstring's definitions."""
    area = math.fsum(u.area_km2 for u in units)
    inv = g = ced = occ = 0.0
    for u in units:
        c = u.controlled_share
        inv += u.area_km2 * {"recognized": 1.0, "controlled": c, "none": 0.0}[p.invitation]
        g += u.area_km2 * {"recognized": 1.0, "controlled": c}.get(p.guarantee, 0.0)
        if p.territory == "ceded-claimed":
            ced += u.area_km2 * (1.0 if u.claimed_by_aggressor else 0.0)
            occ += u.area_km2 * (0.0 if u.claimed_by_aggressor else 1 - c)
        elif p.territory == "ceded-occupied":
            ced += u.area_km2 * (1 - c)
        elif p.territory == "partial-return":
            occ += u.area_km2 * (1 - c) * (1 - p.returned.get(u.code, 0.0))
        elif p.territory != "restored":
            occ += u.area_km2 * (1 - c)
    return inv / area, g / area, ced / area, occ / area


@given(st.data())
def test_shares_match_reference_and_stay_in_bounds(data):
    units = data.draw(territories())
    p = data.draw(proposals(codes=tuple(u.code for u in units)))
    c = coverage(scenario_with(units, p), p)
    inv, g, ced, occ = reference(units, p)
    assert math.isclose(c.invited_area_share, inv, rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(c.guaranteed_area_share, g, rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(c.ceded_area_share, ced, rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(c.occupied_area_share, occ, rel_tol=1e-9, abs_tol=1e-12)
    for v in (
        c.invited_area_share,
        c.guaranteed_area_share,
        c.ceded_area_share,
        c.occupied_area_share,
        c.invited_population_share,
        c.guaranteed_population_share,
        c.ceded_population_share,
        c.occupied_population_share,
    ):
        assert -1e-12 <= v <= 1 + 1e-12
    # what is ceded and what stays occupied never exceed the whole territory
    assert c.ceded_area_share + c.occupied_area_share <= 1 + 1e-9
    # an invitation or guarantee limited to held territory covers exactly the held share
    if p.guarantee == "controlled":
        assert math.isclose(c.guaranteed_area_share, c.controlled_area_share, abs_tol=1e-12)


@given(territories())
def test_population_defaults_to_area_split(units):
    from ceasefire.scenario import Proposal

    p = Proposal(id="p", invitation="controlled", guarantee="controlled", position={"a": 0.0})
    c = coverage(scenario_with(units, p), p)
    pop = math.fsum(u.population for u in units)
    if pop > 0:
        expected = (
            math.fsum(
                u.population
                * (
                    u.controlled_population_share
                    if u.controlled_population_share is not None
                    else u.controlled_share
                )
                for u in units
            )
            / pop
        )
        assert math.isclose(c.guaranteed_population_share, expected, rel_tol=1e-9, abs_tol=1e-12)
