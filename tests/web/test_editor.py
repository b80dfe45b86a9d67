"""The editor's tables and the comparison of runs, without the web layer."""

from __future__ import annotations

import tomllib

from ceasefire.scenario import builtin_text, from_dict
from ceasefire.web import compare, editor
from tests.web.conftest import TINY


def unchanged(raw: dict) -> editor.Edit:
    v = editor.view(raw)
    return editor.Edit.model_validate(
        {"actors": v.actors, "proposals": v.proposals, "rest": v.rest}
    )


def test_view_then_merge_changes_nothing() -> None:
    for text in (builtin_text("ukraine-2024-11"), TINY):
        raw = tomllib.loads(text)
        merged = editor.merge(raw, unchanged(raw))
        assert merged.problems == [] and merged.text is not None
        assert tomllib.loads(merged.text) == raw
        assert from_dict(tomllib.loads(merged.text)) == from_dict(raw)


def test_red_lines_sit_in_their_dimension_cells() -> None:
    raw = tomllib.loads(builtin_text("ukraine-2024-11"))
    v = editor.view(raw)
    ukr = v.actors[0]
    assert ukr["red_lines"] == {"sovereignty": ">= 50", "alliance": ">= 40"}
    assert v.cell("actors[0].red_lines[1]") == "actors[0].red_lines.alliance"
    assert v.cell("actors[0].position.alliance") == "actors[0].position.alliance"
    assert v.cell("institutions[0].members[3]") == "rest"


def test_unknown_dimension_gets_a_column() -> None:
    raw = tomllib.loads(TINY)
    raw["actors"][0]["position"]["ceasefire"] = 10
    assert editor.view(raw).dimensions == ["alliance", "sovereignty", "ceasefire"]


def test_unparsed_red_lines_are_kept() -> None:
    raw = tomllib.loads(TINY)
    raw["actors"][1]["red_lines"] = ["alliance <= 50", "whatever"]
    merged = editor.merge(raw, unchanged(raw))
    assert merged.raw is not None
    assert merged.raw["actors"][1]["red_lines"] == ["alliance <= 50", "whatever"]


def test_flatten_names_rows_by_id() -> None:
    raw = tomllib.loads(TINY)
    flat = compare.flatten(raw)
    assert flat["actors[B].red_lines"] == "alliance <= 50"
    assert flat["institutions[both].members"] == "A, B"
    swapped = dict(raw, actors=raw["actors"][::-1])
    assert compare.input_changes(raw, swapped) == []


def test_input_changes() -> None:
    a = tomllib.loads(TINY)
    b = tomllib.loads(TINY.replace("alliance <= 50", "alliance <= 60"))
    del b["proposals"][0]["requires"]
    rows = compare.input_changes(a, b)
    assert [(r.item, r.a, r.b) for r in rows] == [
        ("actors[B].red_lines", "alliance <= 50", "alliance <= 60"),
        ("proposals[deal].requires", "both", "(absent)"),
    ]
