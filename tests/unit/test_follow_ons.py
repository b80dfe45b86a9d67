"""One mistake, one error (issue 18, item 4); every error names the item's id and its line."""

from __future__ import annotations

import re

import pytest

from ceasefire.scenario import ScenarioError, builtin_text, loads

BASE = builtin_text("ukraine-2024-11")
HUN = BASE.index('id = "HUN"')


def _errors(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        loads(text, "my.toml")
    return err.value.lines(located=True)


def _in_hun(old: str, new: str) -> str:
    at = BASE.index(old, HUN)
    return BASE[:at] + new + BASE[at + len(old) :]


def test_a_misspelt_key_is_one_error_naming_the_key_it_meant() -> None:
    # before: also "actors[26].range.war_cost: central value 0.0 lies outside [5.2, 15.8]"
    lines = _errors(_in_hun("war_cost = 10.5", "warcost = 10.5"))
    assert len(lines) == 1, lines
    assert "actors[26].warcost: unknown field (did you mean 'war_cost'?)" in lines[0]
    assert re.search(r"\[line \d+, id 'HUN'\]$", lines[0])


def test_a_misspelt_required_table_is_one_error() -> None:
    lines = _errors(_in_hun("position = {", "positon = {"))
    assert len(lines) == 1, lines
    assert "actors[26].positon: unknown field (did you mean 'position'?)" in lines[0]


def test_a_wrong_central_value_is_not_reported_again_against_its_range() -> None:
    # before: also "actors[26].range.sovereignty: central value 140 lies outside [25, 55]"
    lines = _errors(_in_hun("sovereignty = 40,", "sovereignty = 140,"))
    assert len(lines) == 1, lines
    assert "actors[26].position.sovereignty: 140 lies outside the 0-100 scale" in lines[0]


def test_independent_mistakes_are_all_reported() -> None:
    text = _in_hun("war_cost = 10.5", "warcost = 10.5")
    at = text.index('id = "HUN"')
    text = text[:at] + text[at:].replace('["alliance <= 40"]', '["aliance <= 40"]', 1)
    at = text.index('id = "GRC"')
    text = text[:at] + text[at:].replace("capability = ", "capabilty = ", 1)
    lines = _errors(text)
    assert len(lines) == 3, lines
    assert any("unknown dimension 'aliance'" in x and "id 'HUN'" in x for x in lines)
    assert any("capabilty: unknown field (did you mean 'capability'?)" in x for x in lines)


def test_a_range_that_misses_a_correct_central_value_is_still_reported() -> None:
    lines = _errors(_in_hun("war_cost = [5.2, 15.8]", "war_cost = [11, 15.8]"))
    assert lines == [
        next(x for x in lines if "actors[26].range.war_cost: central value 10.5 lies outside" in x)
    ]
