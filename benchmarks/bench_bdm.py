"""Benchmark: vectorised ``bdm`` engine against the loop-based reference of the tests.

A 37-actor, 4-dimension random problem (positions and saliences on 0-100, like the built-in
scenario's size) batched B = 1, 100, 1000, 10 000, 10 rounds. The reference loops over batch
elements and dimensions in pure Python, so its time is measured on a few elements and scaled
linearly (marked "extrapolated"). Run: ``python benchmarks/bench_bdm.py``.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ceasefire.bargaining import bdm  # noqa: E402
from ceasefire.bargaining.base import Problem  # noqa: E402


def load_reference():  # type: ignore[no-untyped-def]
    path = ROOT / "tests" / "bargaining" / "_reference.py"
    spec = importlib.util.spec_from_file_location("bdm_reference", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def problem(b: int, n: int = 37, d: int = 4, seed: int = 0) -> Problem:
    rng = np.random.default_rng(seed)
    return Problem(
        positions=rng.uniform(0, 100, (b, n, d)),
        saliences=rng.uniform(1, 100, (b, n, d)),
        capability=rng.uniform(0.05, 1.0, (b, n)),
        status_quo=rng.uniform(0, 100, (b, d)),
    )


def best_of(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ref = load_reference()
    rounds = 10
    rng = np.random.default_rng(0)
    # reference: seconds per batch element, measured on two elements
    sample = problem(2)
    t_ref_two = best_of(
        lambda: ref.bdm(sample.positions, sample.saliences, sample.capability, rounds), 1
    )
    per_element = t_ref_two / 2
    fast_two = bdm.forecast(sample, rng, rounds=rounds)
    _, traj, _, _ = ref.bdm(sample.positions, sample.saliences, sample.capability, rounds)
    err = float(np.abs(fast_two.trajectory - traj).max())
    print(f"bdm, n=37 actors, D=4 dimensions, T={rounds} rounds; max |fast - ref| = {err:.1e}")
    print(f"{'B':>6} {'vectorised s':>14} {'ms/problem':>11} {'reference s':>14} {'ratio':>10}")
    for b in (1, 100, 1000, 10000):
        p = problem(b)
        t_fast = best_of(lambda p=p: bdm.forecast(p, rng, rounds=rounds), 3 if b < 1000 else 1)
        if b == 1:
            t_ref = best_of(lambda p=p: ref.bdm(p.positions, p.saliences, p.capability, rounds), 1)
            note = "measured"
        else:
            t_ref = per_element * b
            note = "extrapolated"
        print(
            f"{b:>6} {t_fast:>14.4f} {1e3 * t_fast / b:>11.3f} {t_ref:>14.2f}"
            f" {t_ref / t_fast:>9.0f}x  ({note})"
        )


if __name__ == "__main__":
    main()
