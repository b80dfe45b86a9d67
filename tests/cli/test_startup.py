"""Start-up: the CLI's light commands import no numerical or plotting library (issue 18,
item 2). Each check runs in a fresh interpreter, since this test process has imported them.

The timings themselves are in ``benchmarks/bench_startup.py`` (noisy on a shared machine, so
not asserted here); what the tests pin is the cause of a slow start: what gets imported.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("numpy", "scipy", "pandas", "plotly", "jinja2", "SALib", "numba")

_PROBE = """
import json, sys
from ceasefire.cli import app
args = json.loads(sys.argv[1])
if args:
    try:
        app(args)
    except SystemExit:
        pass
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r} or
                        m in ("ceasefire.scenario", "ceasefire.results"))), file=sys.stderr)
"""


def _imported(args: list[str]) -> list[str]:
    probe = _PROBE.format(heavy=set(HEAVY))
    done = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(args)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return list(json.loads(done.stderr.strip().splitlines()[-1]))


def test_importing_the_cli_imports_no_heavy_library() -> None:
    assert _imported([]) == []


@pytest.mark.parametrize(
    "args", [["--help"], ["list"], ["show", "ukraine-2024-11"], ["schema"], ["version"]]
)
def test_light_commands_load_neither_models_nor_numerics(args: list[str]) -> None:
    # not even the scenario models: list, show and schema read the shipped files
    assert _imported(args) == []


def test_validate_loads_the_models_but_no_numerics() -> None:
    assert [m for m in _imported(["validate", "ukraine-2024-11"]) if "." not in m] == []
