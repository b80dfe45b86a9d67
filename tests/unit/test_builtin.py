"""The built-in scenario agrees, number by number, with the sourced CSVs it was built from."""

from __future__ import annotations

import csv

import pytest

from ceasefire.scenario import RedLine, load

DIMS = ("alliance", "sovereignty", "ceasefire", "sanctions")


def rows(data_dir, name):
    with (data_dir / "ukraine-2024-11" / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize(
    ("sid", "us_row"), [("ukraine-2024-11", "USA"), ("ukraine-2024-11-outgoing", "USA_B")]
)
def test_actors_match_csv(data_dir, sid, us_row):
    s = load(sid)
    by_id = {a.id: a for a in s.actors}
    csv_rows = [r for r in rows(data_dir, "actors_2024_11.csv") if r["id"] != "USA_B"]
    assert len(s.actors) == len(csv_rows) == 36  # one US row only, never both
    for r in rows(data_dir, "actors_2024_11.csv"):
        if r["id"] in ("USA", "USA_B"):
            if r["id"] != us_row:
                continue
            a = by_id["USA"]
        else:
            a = by_id[r["id"]]
        for d in DIMS:
            assert a.position[d] == float(r[f"pos_{d}"])
            assert a.salience[d] == float(r[f"sal_{d}"])
            assert a.range[d] == (float(r[f"{d}_low"]), float(r[f"{d}_high"]))
        assert a.capability == float(r["capability"])
        assert a.war_cost == float(r["war_cost"])
        assert a.range["war_cost"] == (float(r["war_cost_low"]), float(r["war_cost_high"]))
        expected = {RedLine.parse(t) for t in r["red_lines"].split(";") if t.strip()}
        assert {(x.dimension, x.op, x.bound) for x in a.parsed_red_lines} == {
            (x.dimension, x.op, x.bound) for x in expected
        }
        assert a.source == r["sources"]


def test_territory_matches_csv(data_dir, builtin):
    units = {u.code: u for u in builtin.territory if u.belongs_to == "defender"}
    csv_rows = [r for r in rows(data_dir, "ukraine_regions.csv") if r["iso_3166_2"] != "UA"]
    assert len(units) == len(csv_rows) == 27
    for r in csv_rows:
        u = units[r["iso_3166_2"]]
        assert u.area_km2 == float(r["area_km2"])
        assert u.population == float(r["population"])
        assert u.controlled_share == pytest.approx(float(r["gov_control_pct_late_nov_2024"]) / 100)
        assert u.controlled_share_range == pytest.approx(
            (float(r["gov_control_pct_low"]) / 100, float(r["gov_control_pct_high"]) / 100)
        )
    total = next(r for r in rows(data_dir, "ukraine_regions.csv") if r["iso_3166_2"] == "UA")
    assert sum(u.area_km2 for u in units.values()) == float(total["area_km2"])
    assert sum(u.population for u in units.values()) == float(total["population"])


def test_aggressor_held_matches_csv(data_dir, builtin):
    """Ukraine's Kursk salient (issue 17): the aggressor's territory held by the defender."""
    foreign = [u for u in builtin.territory if u.belongs_to == "aggressor"]
    (r,) = rows(data_dir, "aggressor_held.csv")
    assert [u.code for u in foreign] == [r["code"]]
    (u,) = foreign
    assert u.area_km2 * u.controlled_share == pytest.approx(float(r["held_km2"]), abs=0.01)
    lo, hi = u.controlled_share_range or (0.0, 0.0)
    assert u.area_km2 * lo == pytest.approx(float(r["held_km2_low"]), abs=0.01)
    assert u.area_km2 * hi == pytest.approx(float(r["held_km2_high"]), abs=0.01)
    russia = next(p for p in builtin.proposals if p.id == "russia-june-2024")
    assert [(t.unit, t.term) for t in russia.unit_terms] == [("RU-KRS", "withdraw")]


def test_proposals_and_institutions(data_dir, builtin):
    props = {p.id: p for p in builtin.proposals}
    for r in rows(data_dir, "proposals_positions.csv"):
        p = props[r["id"]]
        assert {d: p.position[d] for d in DIMS} == {d: float(r[d]) for d in DIMS}
        assert (p.invitation, p.guarantee, p.territory) == (
            r["invitation"],
            r["guarantee"],
            r["territory"],
        )
        assert set(p.mechanisms) == {m for m in r["mechanisms"].split(",") if m}
    nato = builtin.institution("nato-accession")
    assert nato.rule == "unanimity"
    assert set(nato.members) == {r["iso3"] for r in rows(data_dir, "nato_members.csv")}
    assert len(nato.members) == 32
    assert set(builtin.institution("belligerents").members) == {"UKR", "RUS"}
    assert builtin.institution("ukraine").members == ("UKR",)


def test_every_actor_has_a_source(builtin):
    for a in builtin.actors:
        assert a.source
        if a.red_lines:
            assert a.red_line_source
