"""Sensitivity benchmark (issue 21): the draw loop against everything after it.

Run: ``python benchmarks/bench_sensitivity.py [--draws 1000] [--engines compromise,nash,bdm]
[--sensitivity rbd-fast,none,sobol,morris]``. For the built-in scenario, serial backend, it
times the draw loop (``backends.run_sweep``) once, then for each sensitivity method the part
after it (``backends.summarise_run``: aggregation, switch points and the sensitivity
analysis), split into its pieces, and prints the ratio after/loop. Target (issue 21): with the
default sensitivity (``rbd-fast``) the part after the loop is at most 20 % of the loop.
Checks nothing (tests check correctness); other processes on the machine skew every figure,
so the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import time

from ceasefire.scenario import load
from ceasefire.uncertainty import sensitivity as sens
from ceasefire.uncertainty.backends import SweepSpec, run_sweep, summarise_run
from ceasefire.uncertainty.pipeline import compile_model

SCENARIO = "ukraine-2024-11"
TARGET = 0.20


def _load() -> str:
    try:
        return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--engines", default="compromise,nash,bdm")
    ap.add_argument("--sensitivity", default="rbd-fast,none")
    args = ap.parse_args()
    engines = tuple(e for e in args.engines.split(",") if e and e != "none")
    print(f"{_load()} on {os.cpu_count()} CPUs")
    spec = SweepSpec(draws=args.draws, seed=1, engines=engines)
    model = compile_model(load(SCENARIO), spec)
    run_sweep(model, SweepSpec(draws=8, seed=2, chunk=4, engines=engines))  # warm up
    t0 = time.perf_counter()
    run = run_sweep(model, spec, backend="serial")
    loop = time.perf_counter() - t0
    print(
        f"{SCENARIO}: {args.draws:,} draws, {len(model.inputs)} ranged inputs, engines "
        f"{'+'.join(engines) or 'none'}, serial\n  draw loop {loop:8.2f} s"
    )
    t0 = time.perf_counter()
    sens.switch_points(model)
    t_switch = time.perf_counter() - t0
    print(f"  after the loop in every method: switch points {t_switch:.2f} s")
    for method in args.sensitivity.split(","):
        extra = sens.extra_evaluations(model, method, args.draws)
        t0 = time.perf_counter()
        if method != "none":
            sens.analyze(model, run.store.column, seed=1, method=method, draws=args.draws)
        t_sens = time.perf_counter() - t0
        t0 = time.perf_counter()
        summarise_run(model, spec, run, sensitivity=method)
        after = time.perf_counter() - t0
        ratio = after / loop
        ok = (
            ""
            if method != "rbd-fast"
            else f" (target <= {TARGET:.0%}: " + ("meets)" if ratio <= TARGET else "misses)")
        )
        print(
            f"  after the loop, --sensitivity {method:<8} {after:8.2f} s = {ratio:6.1%} of the "
            f"loop{ok}; sensitivity alone {t_sens:.2f} s, {extra:,} extra evaluations"
        )
    print(_load())


if __name__ == "__main__":
    main()
