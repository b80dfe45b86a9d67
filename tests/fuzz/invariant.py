"""The fuzz invariant: every input either fails validation with located problems, or the analysis
completes with only finite numbers in its JSON (which loads back as an :class:`Analysis`).

:func:`classify` runs one file the way ``ceasefire run`` does (``scenario.read``, then
``analysis.analyze``, then the JSON ``outputs.write_run`` writes, the HTML report and the terminal
summary at 80 columns) and names the outcome:
``refused`` (located), ``unlocated`` (a problem naming neither a path, a line nor a byte),
``completed``, ``non-finite`` (the JSON holds NaN/Infinity, or a float field of the result is
not finite, or the JSON does not load back) or ``crash`` (any other exception).
"""

from __future__ import annotations

import io
import json
import math
import re
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from ceasefire.analysis import analyze
from ceasefire.report import html, terminal
from ceasefire.results import Analysis
from ceasefire.scenario import Loaded, Problem, ScenarioError, read

#: draws of the analysis under fuzzing: enough to exercise every draw path, cheap to run
FUZZ_DRAWS = 20

_WHOLE_FILE = re.compile(r"byte \d|line \d|limit|not UTF-8|file not found|TOML syntax error")


def located(p: Problem) -> bool:
    """A problem a person can find: a dotted path, a line, a byte offset or a named limit."""
    return bool(p.path) or p.line is not None or bool(_WHOLE_FILE.search(p.message))


def _non_finite(node: Any, path: str = "") -> str | None:
    """The path of the first float in ``node`` that is not finite."""
    if isinstance(node, float) and not math.isfinite(node):
        return path or "<root>"
    if isinstance(node, dict):
        for k, v in node.items():
            found = _non_finite(v, f"{path}.{k}")
            if found:
                return found
    if isinstance(node, list | tuple):
        for i, v in enumerate(node):
            found = _non_finite(v, f"{path}[{i}]")
            if found:
                return found
    return None


@dataclass(frozen=True)
class Outcome:
    kind: str
    detail: str = ""


def _render(result: Analysis, loaded: Loaded) -> None:
    """What ``ceasefire run`` shows besides the JSON: the report and the terminal summary at
    80 columns (issue 18: "runs to completion" includes them; a crash here is a crash)."""
    html.render(result, loaded.scenario, loaded.geometry)
    terminal.summary(result, Console(file=io.StringIO(), width=80))


def _analyse(path: Path) -> Outcome:
    loaded = read(path)
    result = analyze(loaded.scenario, sha256=loaded.sha256, source=str(path), draws=FUZZ_DRAWS)
    _render(result, loaded)
    where = _non_finite(result.model_dump(mode="python"))
    if where:
        return Outcome("non-finite", where)
    text = result.to_json()
    constants: list[str] = []
    # parse, don't grep: a unit code "UA-Infinity" is a string, not a number
    json.loads(text, parse_constant=constants.append)
    if constants:
        return Outcome("non-finite", f"{constants[0]} in the JSON")
    Analysis.model_validate_json(text)
    return Outcome("completed")


def classify(path: Path) -> Outcome:
    """Run one scenario file through validation and analysis; never raises."""
    try:
        return _analyse(path)
    except ScenarioError as err:
        bad = [p for p in err.problems if not located(p)]
        if bad or not err.problems:
            return Outcome("unlocated", "; ".join(p.render(err.source) for p in bad))
        return Outcome("refused", err.problems[0].render(err.source, located=True)[:200])
    except RecursionError:
        return Outcome("crash", "RecursionError\n" + traceback.format_exc(limit=-4))
    except Exception as err:  # the fuzzer records every other failure
        return Outcome("crash", f"{type(err).__name__}: {err}\n" + traceback.format_exc(limit=-4))
