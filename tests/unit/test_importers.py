"""Importers: KTAB SMP CSV and BDM tables to scenarios every command accepts."""

from __future__ import annotations

import tomllib

import pytest

from ceasefire import importers
from ceasefire.formats import FormatError
from ceasefire.scenario import dumps, loads


def read(data_dir, *parts):
    return (data_dir.joinpath(*parts)).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "name", ["dummyData_3Dim.csv", "SOE-Pol-Comp.csv", "dummyData_6Dim.csv", "SOE-Policy.csv"]
)
def test_ktab_round_trip(data_dir, name):
    raw = importers.from_ktab(read(data_dir, "ktab", name), name)
    s = loads(dumps(raw), name)
    from ceasefire.formats.ktab import parse_ktab_csv

    k = parse_ktab_csv(read(data_dir, "ktab", name))
    assert len(s.actors) == k.n_actors and len(s.dimensions) == k.n_dims
    for i, a in enumerate(s.actors):
        assert a.capability == k.capability[i]
        for j, d in enumerate(s.dimension_ids):
            assert a.position[d] == k.positions[i, j]  # 0-100 already: kept
            assert a.salience[d] == k.saliences[i, j]
    assert all(d.scale_from is None for d in s.dimensions)
    assert s.status_quo.fighting is False


def test_bdm_saliences_scaled_and_positions_kept(data_dir):
    raw = importers.from_bdm(read(data_dir, "bdm", "ExampleActors.csv"), "ExampleActors.csv")
    s = loads(dumps(raw))
    nl = s.actor("Netherlands")
    assert nl.position["issue"] == 4 and nl.salience["issue"] == pytest.approx(80.0)
    assert nl.capability == 0.08


def test_bdm_out_of_range_positions_are_mapped_and_recorded():
    text = "Actor,Capability,Position,Salience\nA,1,-50,0.5\nB,2,150,1\nC,1,50,0.2\n"
    s = loads(dumps(importers.from_bdm(text, "wide.csv")))
    assert s.dimensions[0].scale_from == (-50.0, 150.0)
    assert [a.position["issue"] for a in s.actors] == [0.0, 100.0, 50.0]


def test_actor_names_become_valid_unique_ids():
    text = "Actor,Capability,Position,Salience\nUnited States,1,10,0.5\nUnited States,1,20,0.5\n"
    s = loads(dumps(importers.from_bdm(text, "x.csv")))
    assert s.actor_ids == ("United-States", "United-States-2")
    assert s.actors[0].name == "United States"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("Actor,Capability,Position\nA,1,2\n", "line 1, column 'Salience': missing column"),
        (
            "Actor,Capability,Position,Salience\nA,1,x,0.5\nB,1,2,0.5\n",
            "line 2, column 'Position': not a number",
        ),
        ("Actor,Capability,Position,Salience\nA,1,2,1.5\nB,1,2,0.5\n", "salience must lie"),
        ("Actor,Capability,Position,Salience\nA,-1,2,0.5\nB,1,2,0.5\n", "capability must be"),
        ("Actor,Capability,Position,Salience\nA,1,2,0.5\n", "at least two actors"),
    ],
)
def test_bdm_errors_are_located(text, message):
    with pytest.raises(FormatError) as info:
        importers.from_bdm(text, "x.csv")
    assert message in str(info.value)


def test_ktab_errors_are_located():
    with pytest.raises(FormatError) as info:
        importers.from_ktab("name,desc,3,1\nActor,Desc,Power,P,S\nA,,1,50,x\n", "k.csv")
    assert "line" in str(info.value)


def test_dumps_is_the_inverse_of_loads():
    raw = {
        "scenario": {"id": "x", "title": 'quote " and \\ backslash'},
        "dimensions": [{"id": "a", "anchors": {"0": "zero", "100": "all"}}],
        "status_quo": {"position": {"a": 1.5}, "fighting": True},
        "actors": [
            {
                "id": "A",
                "capability": 1,
                "position": {"a": 0.0},
                "salience": {"a": 50.0},
                "red_lines": ["a >= 1"],
            }
        ],
    }
    assert tomllib.loads(dumps(raw)) == raw
