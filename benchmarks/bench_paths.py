"""Event-tree benchmark (issue 15): a sweep with the tree in time against the same without it.

Run: ``python benchmarks/bench_paths.py [--draws 10000] [--repeat 3]``. Times
``uncertainty.pipeline.evaluate`` on the built-in scenario over the same draws, for the same
engine set, with ``paths=False`` (the sweep as it was before issue 15) and ``paths=True``,
alternating the two and keeping each one's best of ``--repeat`` runs, and prints the ratio
(target: at most 1.20) in wall-clock time and in this process's CPU time
(``time.process_time``: on a shared machine other processes inflate wall time unevenly, CPU
time much less). The load average is printed before and after. Checks nothing (tests check
correctness).
"""

from __future__ import annotations

import argparse
import os
import time

from ceasefire.scenario import load
from ceasefire.uncertainty.backends import SweepSpec
from ceasefire.uncertainty.pipeline import compile_model, evaluate
from ceasefire.uncertainty.ranges import chunk_seeds, sample_chunk

SCENARIO = "ukraine-2024-11"
ENGINE_SETS: dict[str, tuple[str, ...]] = {"none": (), "compromise+nash": ("compromise", "nash")}
TARGET_RATIO = 1.20


def _load() -> str:
    try:
        return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


def _time(draws: int, engines: tuple[str, ...], repeat: int, clock: str) -> tuple[float, float]:
    model = compile_model(load(SCENARIO), SweepSpec(draws=draws, seed=0, engines=engines))
    seed = chunk_seeds(1, 1)[0]
    values = sample_chunk(model.inputs, "lhs", 0, draws, seed, 1)
    evaluate(model, values[:2], seed=seed)  # warm up imports and compiled kernels
    now = time.process_time if clock == "cpu" else time.perf_counter
    best = {False: float("inf"), True: float("inf")}
    for i in range(repeat):
        # alternate which runs first, so allocation and cache effects favour neither
        for with_paths in (False, True) if i % 2 == 0 else (True, False):
            t0 = now()
            evaluate(model, values, seed=seed, paths=with_paths)
            best[with_paths] = min(best[with_paths], now() - t0)
    return best[False], best[True]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(_load())
    for name, engines in ENGINE_SETS.items():
        for clock in ("wall", "cpu"):
            before, after = _time(args.draws, engines, args.repeat, clock)
            ratio = after / before
            flag = "ok" if ratio <= TARGET_RATIO else "OVER TARGET"
            print(
                f"{name:16s} {args.draws} draws, {clock:4s}: without tree {before:7.2f} s, "
                f"with tree {after:7.2f} s, ratio {ratio:.3f} (target <= {TARGET_RATIO}) {flag}"
            )
    print(_load())


if __name__ == "__main__":
    main()
