"""The fuzz invariant on a small seeded budget and on every input that ever broke it.

Every input either fails validation with located problems (and ``ceasefire validate`` exits 2
without a traceback), or the analysis completes with only finite numbers in its JSON. The large
budget is ``scripts/fuzz.py --count N``; every failing input it finds is kept in
``tests/data/fuzz/`` and checked here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fuzz.invariant import classify
from tests.fuzz.mutate import mutant

DATA = Path(__file__).resolve().parents[1] / "data" / "fuzz"
REGRESSIONS = sorted(DATA.glob("*.toml"))

#: the normal suite's budget: a few seconds (the built-ins' mutants take ~60 ms each)
SEED, BUDGET = 20261130, 25


def test_regression_cases_exist() -> None:
    assert len(REGRESSIONS) >= 12


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.stem for p in REGRESSIONS])
def test_regression_case_holds_the_invariant(path: Path) -> None:
    outcome = classify(path)
    assert outcome.kind in ("refused", "completed"), outcome


@pytest.mark.parametrize("index", range(BUDGET))
def test_mutant_holds_the_invariant(index: int, tmp_path: Path) -> None:
    m = mutant(SEED, index)
    path = tmp_path / f"{SEED}-{index}.toml"
    path.write_bytes(m.data)
    outcome = classify(path)
    assert outcome.kind in ("refused", "completed"), (m.base, m.ops, outcome)


def test_mutants_are_reproducible_and_varied() -> None:
    assert mutant(SEED, 7) == mutant(SEED, 7)
    families = {mutant(SEED, i).family for i in range(BUDGET)}
    assert families == {"structured", "text", "bytes"}


def test_validate_exits_2_without_traceback() -> None:
    """``ceasefire validate`` on inputs that once gave tracebacks: exit 2, every file named."""
    names = ["deep-arrays-500", "requires-int", "durability-k-0", "dotted-key-5000"]
    r = subprocess.run(
        [sys.executable, "-m", "ceasefire", "validate", *(str(DATA / f"{n}.toml") for n in names)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    assert all(f"{n}.toml" in r.stdout + r.stderr for n in names)


def test_string_holding_infinity_is_not_a_number() -> None:
    """A unit code "UA-Infinity" is text: the invariant parses the JSON rather than grepping it."""
    outcome = classify(DATA / "fuzz-11-1749.toml")
    assert outcome.kind == "completed", outcome
