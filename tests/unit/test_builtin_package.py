"""The built-in package's light readers agree with the validated models (issue 18, item 2)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from ceasefire import builtin
from ceasefire.scenario import builtin_ids, json_schema, read

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("sid", builtin_ids())
def test_titles_read_without_the_models_match_the_loaded_ones(sid: str) -> None:
    assert builtin.title(sid) == read(sid).scenario.scenario.title


def test_the_shipped_json_schema_is_current() -> None:
    """``ceasefire schema`` prints the shipped file: it must be the models' schema."""
    spec = importlib.util.spec_from_file_location("build_schema", ROOT / "scripts/build_schema.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    shipped = builtin.schema_text()
    assert json.loads(shipped) == json_schema(), (
        "scenario.schema.json is stale: run `uv run python scripts/build_schema.py`"
    )
    assert shipped == script.render()


def test_ids_are_the_toml_files() -> None:
    assert builtin.ids() == builtin_ids()
    assert "ukraine-2024-11" in builtin.ids() and builtin.SCHEMA_FILE not in builtin.ids()
