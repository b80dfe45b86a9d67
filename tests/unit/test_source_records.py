"""The ``[[sources]]`` records of any scenario: kinds, copies read, hindsight flags (issue 19)."""

from __future__ import annotations

import pytest

from ceasefire.scenario.io import builtin_text, loads
from ceasefire.scenario.problems import ScenarioError

BASE = builtin_text("korea-1953")
FIRST = BASE.index("[[sources]]")


def _with_source(extra: str) -> str:
    return BASE[:FIRST] + f"[[sources]]\n{extra}\n\n" + BASE[FIRST:]


def test_a_source_with_kind_and_archived_copy_loads():
    s = loads(
        _with_source(
            'key = "S_NEW"\ncitation = "c"\nlocator = "https://example.org/a"\n'
            'archived = "https://mirror.example/a"\nkind = "news"\npublished = 1953-01-01'
        )
    )
    src = s.sources[0]
    assert (src.kind, src.archived) == ("news", "https://mirror.example/a")


def test_an_unknown_kind_is_a_located_error():
    with pytest.raises(ScenarioError) as info:
        loads(
            _with_source('key = "S_NEW"\ncitation = "c"\nkind = "blog"\npublished = 1953-01-01'),
            "k.toml",
        )
    assert any(x.startswith("k.toml: sources[0].kind:") for x in info.value.lines())


def test_hindsight_without_a_date_and_a_duplicate_key_are_located_errors():
    text = _with_source('key = "S_ARMISTICE"\ncitation = "c"\nhindsight = true')
    with pytest.raises(ScenarioError) as info:
        loads(text, "k.toml")
    lines = info.value.lines()
    assert any("sources[0].published: missing: a source marked hindsight" in x for x in lines)
    assert any("duplicate source key 'S_ARMISTICE'" in x for x in lines)
