"""Coverage: shares of territory invited, guaranteed, ceded and occupied, and warnings."""

from __future__ import annotations

import csv
import math

import pytest

from ceasefire.coverage import analyst_warnings, coverage
from ceasefire.scenario import loads
from tests.unit.test_scenario import MINIMAL


def kyiv_controlled_share(data_dir) -> tuple[float, float]:
    with (data_dir / "ukraine-2024-11" / "ukraine_regions.csv").open(encoding="utf-8") as f:
        rs = [r for r in csv.DictReader(f) if r["iso_3166_2"] != "UA"]
    area = math.fsum(float(r["area_km2"]) for r in rs)
    held = math.fsum(
        float(r["area_km2"]) * float(r["gov_control_pct_late_nov_2024"]) / 100 for r in rs
    )
    pop = math.fsum(float(r["population"]) for r in rs)
    held_pop = math.fsum(
        float(r["population"]) * float(r["gov_control_pct_late_nov_2024"]) / 100 for r in rs
    )
    return held / area, held_pop / pop


def by_id(scenario, pid):
    return next(p for p in scenario.proposals if p.id == pid)


def test_west_german_model(builtin, data_dir):
    area_share, pop_share = kyiv_controlled_share(data_dir)
    c = coverage(builtin, by_id(builtin, "west-german-model"))
    assert c.invited_area_share == 1.0
    assert c.guaranteed_area_share == pytest.approx(area_share, abs=1e-12)
    assert c.guaranteed_population_share == pytest.approx(pop_share, abs=1e-12)
    assert 0.80 < c.guaranteed_area_share < 0.83  # about 18 % occupied in late Nov 2024
    assert c.ceded_area_share == 0.0
    assert c.occupied_area_share == pytest.approx(1 - area_share, abs=1e-12)
    codes = {w.code for w in analyst_warnings(builtin, by_id(builtin, "west-german-model"), c)}
    assert "partial-guarantee" in codes and "implicit-concession" not in codes


def test_controlled_only_invitation_concedes(builtin, data_dir):
    area_share, _ = kyiv_controlled_share(data_dir)
    p = by_id(builtin, "controlled-only-invitation")
    c = coverage(builtin, p)
    assert c.invited_area_share == pytest.approx(area_share, abs=1e-12)
    ws = [w for w in analyst_warnings(builtin, p, c) if w.code == "implicit-concession"]
    assert len(ws) == 1 and "concedes" in ws[0].text


def test_russia_terms_cede_claimed_units(builtin):
    c = coverage(builtin, by_id(builtin, "russia-june-2024"))
    claimed = [u for u in builtin.territory if u.claimed_by_aggressor]
    # the recognised territory of Ukraine: Kursk (belongs_to = aggressor) counts in no share
    total = sum(u.area_km2 for u in builtin.territory if u.belongs_to == "defender")
    assert c.ceded_area_share == pytest.approx(sum(u.area_km2 for u in claimed) / total)
    # what stays occupied without cession: only the unclaimed units' occupied parts
    unclaimed_occ = sum(
        u.area_km2 * (1 - u.controlled_share)
        for u in builtin.territory
        if not u.claimed_by_aggressor and u.belongs_to == "defender"
    )
    assert c.occupied_area_share == pytest.approx(unclaimed_occ / total)
    assert c.guaranteed_area_share == 0.0


def test_restoration_leaves_nothing_occupied(builtin):
    c = coverage(builtin, by_id(builtin, "full-membership-restoration"))
    assert c.guaranteed_area_share == 1.0 and c.occupied_area_share == 0.0


def test_population_split_by_area_unless_given():
    s = loads(MINIMAL)
    c = coverage(s, s.proposals[0])
    assert c.guaranteed_population_share == pytest.approx(0.5)
    s2 = loads(
        MINIMAL.replace(
            "controlled_share = 0.5", "controlled_share = 0.5\ncontrolled_population_share = 0.9"
        )
    )
    c2 = coverage(s2, s2.proposals[0])
    assert c2.guaranteed_area_share == pytest.approx(0.5)
    assert c2.guaranteed_population_share == pytest.approx(0.9)


def test_partial_return():
    text = MINIMAL.replace(
        'guarantee = "controlled"',
        'guarantee = "controlled"\nterritory = "partial-return"\nreturned = { U1 = 0.4 }',
    )
    s = loads(text)
    c = coverage(s, s.proposals[0])
    assert c.occupied_area_share == pytest.approx(0.5 * 0.6)
    assert c.ceded_area_share == 0.0


def test_no_mechanism_warning(builtin):
    p = by_id(builtin, "bare-ceasefire")
    assert "no-mechanisms" in {w.code for w in analyst_warnings(builtin, p, coverage(builtin, p))}
    p = by_id(builtin, "vance-plan")  # has a DMZ
    assert "no-mechanisms" not in {
        w.code for w in analyst_warnings(builtin, p, coverage(builtin, p))
    }


def test_no_mechanism_warning_needs_a_war(builtin):
    # where nobody fights without a deal (e.g. a summit decision), nothing is a bare ceasefire
    calm = builtin.model_copy(
        update={"status_quo": builtin.status_quo.model_copy(update={"fighting": False})}
    )
    p = by_id(calm, "bare-ceasefire")
    assert "no-mechanisms" not in {w.code for w in analyst_warnings(calm, p, coverage(calm, p))}
