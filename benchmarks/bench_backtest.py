"""Benchmark: every registered engine on every issue of a DEU III table (``backtest deu``).

Times, per engine variant, :func:`ceasefire.backtest.runner.run_engine` on all scored issues
(the batch API: one call per group of issues with equal actor counts), then the whole
backtest (engines, baselines, bootstrap) and the HTML report. The first smp call includes
loading numba and its compiled kernel from the cache (the ``fast`` extra); it is timed apart.

The data: the file given as ``--file`` (e.g. ``deu3.csv`` of ``blksv/predictioneers_game``,
not shipped), else a synthetic table of 353 issues shaped like it (30 actors, coarse
positions, a third of the issues with every actor at 0 or 100; see
``tests/backtest/synth.py``). Target: everything under 15 s on a 2-core machine.

Run: ``python benchmarks/bench_backtest.py [--file deu3.csv] [--capability gdp]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from ceasefire.backtest import render, runner  # noqa: E402
from ceasefire.backtest.deu import parse  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path, default=None)
    ap.add_argument("--capability", default=None, choices=("gdp", "equal", "votes"))
    ap.add_argument("--issues", type=int, default=353, help="synthetic issues without --file")
    args = ap.parse_args()
    if args.file is not None and args.file.exists():
        text, source = args.file.read_text(encoding="utf-8-sig"), str(args.file)
    else:
        from tests.backtest.synth import random_table

        text, source = random_table(args.issues, seed=1), f"synthetic ({args.issues} issues)"
    t0 = time.perf_counter()
    data = parse(text, source)
    cap = args.capability or ("gdp" if data.gdp is not None else "equal")
    scored, _ = runner.prepare(data, cap)
    print(f"{source}: {len(scored.issues)} scored issues, capability {cap}; "
          f"parse {time.perf_counter() - t0:.2f} s")  # fmt: skip
    total = 0.0
    for label, _, fn, params in runner.engine_runs():
        t = time.perf_counter()
        run = runner.run_engine(scored, fn, params, 0)
        first = time.perf_counter() - t
        t = time.perf_counter()
        runner.run_engine(scored, fn, params, 0)
        warm = time.perf_counter() - t
        total += first
        refused = sum(r is not None for r in run.refusal)
        print(f"  {label:20s} first {first:6.2f} s  again {warm:6.2f} s  refused {refused}")
    t = time.perf_counter()
    res = runner.backtest(data, source=source, sha256="-", capability=cap)
    whole = time.perf_counter() - t
    t = time.perf_counter()
    render.html(res)
    page = time.perf_counter() - t
    print(f"engines (first calls) {total:.2f} s; whole backtest again {whole:.2f} s; "
          f"report.html {page:.2f} s; target < 15 s")  # fmt: skip


if __name__ == "__main__":
    main()
