"""Territorial terms per unit or part of a unit (issue 17, docs/specs/coverage.md)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire.coverage import (
    analyst_warnings,
    compile_terms,
    coverage,
    fractions,
    shorthand_terms,
)
from ceasefire.scenario import ScenarioError, UnitTerm, loads
from tests.unit.test_scenario import MINIMAL

#: two units of the disputed state and one of the aggressor's, held in part by the defender
UNITS = """
[[territory]]
code = "U2"
area_km2 = 30
population = 300
controlled_share = 0.25
claimed_by_aggressor = true

[[territory]]
code = "R1"
area_km2 = 100
population = 1000
controlled_share = 0.05
belongs_to = "aggressor"
"""


def scenario(terms: str, extra: str = "") -> object:
    """MINIMAL (unit U1 half held) plus UNITS, its proposal with ``terms`` appended."""
    text = MINIMAL.replace("[[proposals]]", UNITS + "\n[[proposals]]", 1)
    text = text.replace('guarantee = "controlled"', 'guarantee = "controlled"' + extra, 1)
    return loads(text + "\n" + terms)


def test_withdrawal_into_a_de_facto_buffer_zone():
    """The 28-point plan's Donetsk clause: the held part becomes a demilitarised buffer zone
    recognised de facto as the aggressor's; the occupied part recognised de facto."""
    s = scenario(
        """
[[proposals.unit_terms]]
unit = "U2"
term = "recognise-de-facto"

[[proposals.unit_terms]]
unit = "U2"
term = "buffer-zone"
part = "held"
administered_by = "nobody's forces (judgement)"
"""
    )
    c = coverage(s, s.proposals[0])
    total = 10 + 30  # R1 is the aggressor's: no share of the recognised territory
    assert c.withdrawn_area_share == pytest.approx(30 * 0.25 / total)
    assert c.buffer_area_share == pytest.approx(30 * 0.25 / total)
    assert c.recognised_area_share == pytest.approx(30 / total)
    assert c.ceded_area_share == 0.0
    # occupied = aggressor control without cession: U1's half and U2's occupied 3/4
    assert c.occupied_area_share == pytest.approx((5 + 30 * 0.75) / total)
    assert c.frozen_area_share == pytest.approx(5 / total)  # U1 frozen on the line, not U2
    codes = [w.code for w in analyst_warnings(s, s.proposals[0], c)]
    assert {"withdrawal", "buffer-zone", "de-facto-cession", "bargaining-chip"} <= set(codes)


def test_recognising_the_held_part_implies_withdrawal():
    s = scenario('[[proposals.unit_terms]]\nunit = "U2"\nterm = "cede-de-jure"\n')
    c = coverage(s, s.proposals[0])
    assert c.ceded_area_share == pytest.approx(30 / 40)
    assert c.withdrawn_area_share == pytest.approx(7.5 / 40)
    assert c.buffer_area_share == 0.0


def test_the_aggressors_unit_is_a_bargaining_chip():
    s = scenario('[[proposals.unit_terms]]\nunit = "R1"\nterm = "withdraw"\n')
    c = coverage(s, s.proposals[0])
    assert c.foreign_held_km2 == pytest.approx(5.0)
    assert c.foreign_returned_km2 == pytest.approx(5.0)
    assert c.withdrawn_area_share == 0.0  # not the disputed state's territory
    kept = scenario("")
    ck = coverage(kept, kept.proposals[0])
    assert ck.foreign_returned_km2 == 0.0
    # the guarantee covers the disputed state's held area only: U1 5 + U2 7.5 of 40 km2
    assert ck.guaranteed_area_share == pytest.approx(12.5 / 40)


def test_partial_restore_share():
    s = scenario('[[proposals.unit_terms]]\nunit = "U1"\nterm = "restore"\nshare = 0.4\n')
    c = coverage(s, s.proposals[0])
    assert c.returned_area_share == pytest.approx(0.5 * 0.4 * 10 / 40)


@pytest.mark.parametrize(
    ("terms", "path"),
    [
        ('unit = "NOPE"\nterm = "keep"', "proposals[0].unit_terms[0].unit"),
        ('unit = "U1"\nterm = "withdraw"\npart = "occupied"', "proposals[0].unit_terms[0].part"),
        ('unit = "U1"\nterm = "restore"\npart = "held"', "proposals[0].unit_terms[0].part"),
        ('unit = "R1"\nterm = "cede-de-jure"', "proposals[0].unit_terms[0].term"),
        ('unit = "U1"\nterm = "keep"\nadministered_by = "x"', "unit_terms[0].administered_by"),
    ],
)
def test_bad_unit_terms_are_located(terms, path):
    with pytest.raises(ScenarioError) as err:
        scenario("[[proposals.unit_terms]]\n" + terms + "\n")
    assert path in str(err.value)


def test_two_control_terms_on_one_part_are_refused():
    twice = '[[proposals.unit_terms]]\nunit = "U1"\nterm = "withdraw"\n'
    with pytest.raises(ScenarioError) as err:
        scenario(twice + twice.replace("withdraw", "buffer-zone"))
    assert "unit_terms[1]" in str(err.value) and "second control term" in str(err.value)


SHORTHANDS = (
    "ceded-claimed",
    "ceded-occupied",
    "ceded-occupied-de-facto",
    "ceded-occupied-implicitly",
    "claim-kept",
    "partial-return",
    "restored",
)
shares = st.floats(0.0, 1.0, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    held=st.lists(shares, min_size=3, max_size=3),
    ret=st.lists(shares, min_size=3, max_size=3),
    claimed=st.lists(st.booleans(), min_size=3, max_size=3),
    territory=st.sampled_from(SHORTHANDS),
)
def test_shorthand_keeps_the_old_ceded_and_occupied(held, ret, claimed, territory):
    """The four switches compile to outcomes that give the old ceded/occupied fractions."""
    h, r, cl = np.array(held), np.array(ret), np.array(claimed)
    f = fractions(h, cl, r, invitation="none", guarantee="none", territory=territory)
    ceded_old = {
        "ceded-claimed": np.where(cl, 1.0, 0.0),
        "ceded-occupied": 1 - h,
    }.get(territory, np.zeros(3))
    occupied_old = {
        "ceded-claimed": np.where(cl, 0.0, 1 - h),
        "ceded-occupied": np.zeros(3),
        "partial-return": (1 - h) * (1 - r),
        "restored": np.zeros(3),
    }.get(territory, 1 - h)
    np.testing.assert_allclose(f.ceded, ceded_old, atol=1e-12)
    np.testing.assert_allclose(f.occupied, occupied_old, atol=1e-12)


term_rows = st.builds(
    UnitTerm,
    unit=st.sampled_from(["A", "B"]),
    term=st.sampled_from(["keep", "withdraw", "buffer-zone", "restore", "recognise-de-facto"]),
    part=st.sampled_from(["whole", "held", "occupied"]),
    share=shares,
)


@settings(max_examples=80, deadline=None)
@given(held=st.lists(shares, min_size=2, max_size=2), rows=st.lists(term_rows, max_size=4))
def test_outcomes_partition_each_unit(held, rows):
    """Whatever the terms, every unit's mass is split exactly: ceded + occupied + buffer not
    ceded + defender-controlled not ceded = 1, withdrawn <= held, returned + frozen <= occupied."""
    h = np.array(held)
    base = shorthand_terms("claim-kept", np.zeros(2, bool), np.zeros(2))
    terms = compile_terms(base, ("A", "B"), np.zeros(2, bool), tuple(rows))
    f = fractions(
        h, np.zeros(2, bool), np.zeros(2), invitation="none", guarantee="none", territory=terms
    )
    m = h[:, None, None] * terms.held + (1 - h)[:, None, None] * terms.occupied
    rest = m[:, 0, :2].sum(axis=-1) + m[:, 2, :2].sum(axis=-1)
    np.testing.assert_allclose(f.ceded + f.occupied + rest, 1.0, atol=1e-9)
    assert np.all(f.withdrawn <= h + 1e-12)
    assert np.all(f.returned + f.frozen <= 1 - h + 1e-12)
