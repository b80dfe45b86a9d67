"""``true``/``false`` where the format wants a number is a located error, never a silent 1.0/0.0.

pydantic's lax mode coerces booleans to floats; the 100,000-mutant fuzz run (seed 11, #14229)
found ``k = { central = true, range = [0.5, 0.9] }`` validated as central 1.0 and then crashed the
durability model on an unordered range. tests/data/fuzz/fuzz-11-14229.toml keeps that file.
"""

from __future__ import annotations

import pytest

from ceasefire.scenario import ScenarioError, builtin_text, loads

BASE = builtin_text("ukraine-2024-11")

CASES = [
    ("k = { central = 0.7,", "k = { central = true,", "durability.k", "central"),
    ("capability = 61.5  #", "capability = true  #", "actors[0]", "capability"),
    (
        "controlled_share_range = [1, 1]",
        "controlled_share_range = [true, 1]",
        "territory[0]",
        "controlled_share_range",
    ),
    ("seed = 20241130", "seed = false", "monte_carlo", "seed"),
    ("position = { alliance = 40,", "position = { alliance = true,", "status_quo", "position"),
]


@pytest.mark.parametrize(("old", "new", "path", "field"), CASES)
def test_bool_where_a_number_belongs_is_refused_with_its_place(
    old: str, new: str, path: str, field: str
) -> None:
    assert old in BASE
    with pytest.raises(ScenarioError) as err:
        loads(BASE.replace(old, new, 1), source="bool.toml")
    problem = err.value.problems[0]
    assert problem.path.startswith(path), problem
    assert field in problem.message and "true/false" in problem.message
    assert problem.line is not None


def test_booleans_where_the_format_wants_them_still_load() -> None:
    loads(BASE, source="builtin.toml")  # fighting = true, claimed_by_aggressor = true ...
