"""Fixtures for the bargaining-engine tests.

The loop-based reference implementations live in ``_reference.py`` beside this file and are
loaded by file path, so the tests work whatever pytest's import mode is.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from ceasefire.bargaining.base import Problem

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data" / "bdm"


def load_reference() -> ModuleType:
    """Import ``_reference.py`` by path (also used by ``benchmarks/bench_bdm.py``)."""
    spec = importlib.util.spec_from_file_location(
        "ceasefire_tests_reference", HERE / "_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def ref() -> ModuleType:
    """The loop-based reference implementations."""
    return load_reference()


@pytest.fixture(scope="session")
def smp_ref() -> ModuleType:
    """The loop-based reference of KTAB's SMP (``smp_reference.py``), loaded by path once."""
    name = "_ceasefire_smp_reference"  # the name test_smp.py registers it under
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / "smp_reference.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def ec10() -> dict[str, np.ndarray | list[str]]:
    """EC-10 inputs (saliences on [0, 1]) and the replication's round-by-round output."""
    rows = _read("ExampleActors.csv")
    names = [r["Actor"] for r in rows]
    golden = _read("ExampleActors_positions_by_round.csv")
    return {
        "names": names,
        "position": np.array([float(r["Position"]) for r in rows]),
        "salience": np.array([float(r["Salience"]) for r in rows]),
        "capability": np.array([float(r["Capability"]) for r in rows]),
        "positions_by_round": np.array([[float(g[a]) for a in names] for g in golden]),
        "risk_by_round": np.array([[float(g["r_" + a]) for a in names] for g in golden]),
        "median": np.array([float(g["median"]) for g in golden]),
        "mean": np.array([float(g["weighted_mean"]) for g in golden]),
    }


@pytest.fixture(scope="session")
def sultan() -> dict[str, np.ndarray | list[str]]:
    """Sultan inputs (saliences on [0, 1])."""
    rows = _read("Sultan.csv")
    return {
        "names": [r["Actor"] for r in rows],
        "position": np.array([float(r["Position"]) for r in rows]),
        "salience": np.array([float(r["Salience"]) for r in rows]),
        "capability": np.array([float(r["Capability"]) for r in rows]),
    }


def random_problem(
    seed: int, b: int, n: int, d: int, zero_salience: float = 0.0, integer: bool = False
) -> Problem:
    """A random problem: positions, saliences and status quo on 0-100, capability on (0, 1].

    ``zero_salience`` is the chance that a salience is set to 0; ``integer`` rounds positions
    (to create shared positions and ties).
    """
    rng = np.random.default_rng(seed)
    pos = rng.uniform(0, 100, (b, n, d))
    if integer:
        pos = np.round(pos / 10.0) * 10.0
    sal = rng.uniform(1, 100, (b, n, d))
    sal = np.where(rng.uniform(size=sal.shape) < zero_salience, 0.0, sal)
    cap = rng.uniform(0.05, 1.0, (b, n))
    sq = rng.uniform(0, 100, (b, d))
    return Problem(positions=pos, saliences=sal, capability=cap, status_quo=sq)


def take(problem: Problem, idx: int) -> Problem:
    """Batch element ``idx`` as a batch of one."""
    sl = slice(idx, idx + 1)
    return Problem(
        positions=problem.positions[sl],
        saliences=problem.saliences[sl],
        capability=problem.capability[sl],
        status_quo=problem.status_quo[sl],
    )


@pytest.fixture(scope="session")
def make_problem():  # type: ignore[no-untyped-def]
    """The ``random_problem`` helper."""
    return random_problem


@pytest.fixture(scope="session")
def take_one():  # type: ignore[no-untyped-def]
    """The ``take`` helper."""
    return take
