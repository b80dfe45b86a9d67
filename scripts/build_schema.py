"""Write ``src/ceasefire/builtin/scenario.schema.json`` from the scenario models.

``ceasefire schema`` prints that file rather than building the schema from pydantic's models
at every start (0.3-0.4 s; issue 18, item 2). Rerun after changing ``scenario/schema.py``:
``uv run python scripts/build_schema.py`` (``tests/unit/test_builtin.py`` fails until then).
"""

from __future__ import annotations

import json
from pathlib import Path

from ceasefire.builtin import SCHEMA_FILE
from ceasefire.scenario import json_schema

OUT = Path(__file__).resolve().parents[1] / "src" / "ceasefire" / "builtin" / SCHEMA_FILE


def render() -> str:
    """The file's text: the schema as ``ceasefire schema`` always printed it."""
    return json.dumps(json_schema(), indent=2) + "\n"


if __name__ == "__main__":
    OUT.write_text(render(), "utf-8")
    print(f"wrote {OUT.name}")
