"""Sweep benchmark: the vectorised batch pipeline vs a loop of single runs, and backends.

Run: ``python benchmarks/bench_sweep.py [--draws 200]``. Prints times and ratios; checks
nothing (tests check correctness).

1. The same draws through ``uncertainty.pipeline.evaluate`` as one batch, and through a
   reference loop that evaluates one draw at a time (a batch of one: the cost of a loop of
   single runs of the same stages, without analyze()'s report-only extras).
2. Throughput (draws/s) of the serial and processes backends on a larger sweep.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from ceasefire.scenario import load
from ceasefire.uncertainty.backends import SweepSpec, run_sweep
from ceasefire.uncertainty.pipeline import compile_model, evaluate
from ceasefire.uncertainty.ranges import chunk_seeds, sample_chunk


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--sweep-draws", type=int, default=10_000)
    args = ap.parse_args()
    model = compile_model(load("ukraine-2024-11"))
    seed = chunk_seeds(1, 1)[0]
    values = sample_chunk(model.inputs, "lhs", 0, args.draws, seed, 1)
    evaluate(model, values[:2], seed=seed)  # warm up imports
    t0 = time.perf_counter()
    batch = evaluate(model, values, seed=seed)
    t_batch = time.perf_counter() - t0
    t0 = time.perf_counter()
    loop = [evaluate(model, values[i : i + 1], seed=seed) for i in range(args.draws)]
    t_loop = time.perf_counter() - t0
    same = all(
        np.allclose(batch["passes"][i], loop[i]["passes"][0])
        and np.allclose(batch["forecast.nash"][i], loop[i]["forecast.nash"][0], atol=1e-6)
        for i in range(args.draws)
    )
    print(f"{args.draws} draws, engines {', '.join(model.engine_keys)}")
    print(f"  batch pipeline   {t_batch:8.3f} s")
    print(f"  loop of singles  {t_loop:8.3f} s   ratio {t_loop / t_batch:6.1f}x   same: {same}")

    spec = SweepSpec(draws=args.sweep_draws, seed=1, chunk=1000)
    for backend in ("serial", "processes"):
        t0 = time.perf_counter()
        run_sweep(model, spec, backend=backend, workers=os.cpu_count())
        dt = time.perf_counter() - t0
        rate = args.sweep_draws / dt
        print(f"  {backend:<10} {args.sweep_draws} draws  {dt:7.2f} s  {rate:9.0f} draws/s")


if __name__ == "__main__":
    main()
