"""The scenario model: loading, immutability, cross-checks, located errors."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from ceasefire.scenario import (
    RedLine,
    ScenarioError,
    builtin_ids,
    builtin_text,
    json_schema,
    loads,
)

MINIMAL = """
[scenario]
id = "mini"
title = "Minimal"

[[dimensions]]
id = "a"

[[dimensions]]
id = "b"

[status_quo]
position = { a = 10, b = 20 }

[[actors]]
id = "X"
capability = 1
position = { a = 0, b = 0 }
salience = { a = 50, b = 50 }

[[actors]]
id = "Y"
capability = 2
war_cost = 5
position = { a = 100, b = 100 }
salience = { a = 10, b = 90 }
red_lines = ["a >= 20"]
range = { a = [90, 100], war_cost = [0, 10] }

[[territory]]
code = "U1"
area_km2 = 10
population = 100
controlled_share = 0.5

[[proposals]]
id = "p"
proposer = "X"
invitation = "recognized"
guarantee = "controlled"
position = { a = 50, b = 50 }
requires = ["both"]

[[institutions]]
id = "both"
rule = "all"
members = ["X", "Y"]
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        loads(text, "t.toml")
    return info.value.lines()


def test_minimal_loads_and_is_immutable():
    s = loads(MINIMAL)
    assert s.dimension_ids == ("a", "b")
    assert s.actor("Y").parsed_red_lines == (RedLine("a", ">=", 20.0),)
    with pytest.raises(ValidationError):
        s.actors[0].capability = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        s.actors[0].position["a"] = 3  # type: ignore[index]
    assert isinstance(s.actors, tuple)


def test_builtin_scenarios_load():
    assert "ukraine-2024-11" in builtin_ids()
    for sid in builtin_ids():
        s = loads(builtin_text(sid), sid)
        assert s.id == sid


def test_all_problems_reported_at_once():
    bad = MINIMAL.replace("salience = { a = 10, b = 90 }", "salience = { a = 10 }")
    bad = bad.replace('requires = ["both"]', 'requires = ["nope"]')
    bad = bad.replace("controlled_share = 0.5", "controlled_share = 1.5")
    bad = bad.replace('red_lines = ["a >= 20"]', 'red_lines = ["zz >= 20"]')
    lines = problems_of(bad)
    assert "t.toml: actors[1].salience.b: missing (a salience on every dimension)" in lines
    assert "t.toml: proposals[0].requires[0]: unknown institution 'nope'" in lines
    assert any(line.startswith("t.toml: territory[0].controlled_share:") for line in lines)
    assert "t.toml: actors[1].red_lines[0]: unknown dimension 'zz'" in lines


def test_syntax_error_has_line_and_column():
    lines = problems_of(MINIMAL.replace('id = "mini"', 'id = "mini'))
    assert len(lines) == 1
    assert "line 3" in lines[0] and "column" in lines[0]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("capability = 2", 'capability = "big"'), "actors[1].capability: Input should be"),
        (("capability = 2", "capability = 2\ncolour = 3"), "actors[1].colour: unknown field"),
        (("area_km2 = 10", "area_km2 = -10"), "territory[0].area_km2: Input should be greater"),
        (('id = "Y"', 'id = "X"'), "actors[1].id: duplicate id 'X'"),
        (("position = { a = 0, b = 0 }", "position = { a = 0, b = 120 }"), "lies outside"),
        (("range = { a = [90, 100]", "range = { a = [95, 99]"), "central value 100"),
        (('members = ["X", "Y"]', 'members = ["X", "Q"]'), "unknown actor 'Q'"),
        (('proposer = "X"', 'proposer = "Z"'), "proposals[0].proposer: unknown actor 'Z'"),
        (('"a >= 20"', '"a => 20"'), "is not of the form"),
        (('rule = "all"', 'rule = "most"'), "institutions[0].rule: Input should be"),
    ],
)
def test_located_errors(change, expected):
    lines = problems_of(MINIMAL.replace(*change))
    assert any(expected in line for line in lines), lines
    assert all(line.startswith("t.toml: ") for line in lines)


def test_empty_actor_list():
    start = MINIMAL.index("[[actors]]")
    end = MINIMAL.index("[[territory]]")
    text = MINIMAL[:start] + MINIMAL[end:]
    text = text.replace('proposer = "X"\n', "").replace('members = ["X", "Y"]', "members = []")
    text = text.replace("[scenario]", "actors = []\n[scenario]")
    lines = problems_of(text)
    assert any(line == "t.toml: actors: must not be empty" for line in lines)


def test_qualified_majority_needs_threshold():
    text = MINIMAL.replace('rule = "all"', 'rule = "qualified-majority"')
    assert "t.toml: institutions[0].threshold: missing (required by qualified-majority)" in (
        problems_of(text)
    )


def test_red_line_parse_and_violation():
    rl = RedLine.parse("alliance<=40")
    assert (rl.dimension, rl.op, rl.bound) == ("alliance", "<=", 40.0)
    assert rl.violation(60) == 20 and rl.violation(40) == 0
    assert RedLine.parse("x >= 12.5").violation(10) == 2.5
    with pytest.raises(ValueError):
        RedLine.parse("x == 3")


def test_json_schema_is_json_and_names_the_tables():
    schema = json_schema()
    text = json.dumps(schema)
    for key in ("actors", "territory", "proposals", "institutions", "status_quo"):
        assert key in schema["properties"]
    assert "qualified-majority" in text
