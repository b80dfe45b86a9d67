"""Benchmark: every engine on every actor set of the built-in scenario (issue 16).

Times :func:`ceasefire.actor_sets.run_actor_sets` (all declared sets, all engines) against
:func:`ceasefire.analysis.run_forecasts` on the whole actor list in the same run, and prints the
ratio (timings on a shared machine are noisy; the ratio is the comparable figure). Target:
all sets, all engines, under 2 s. The first call of each (numba loading for smp, if installed)
is a warm-up and not timed.

Run: ``python benchmarks/bench_actor_sets.py [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import ceasefire  # noqa: E402
from ceasefire.actor_sets import run_actor_sets  # noqa: E402
from ceasefire.analysis import run_forecasts  # noqa: E402
from ceasefire.bargaining import ENGINES  # noqa: E402

TARGET_S = 2.0


def best(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    scenario = ceasefire.load("ukraine-2024-11")
    engines = tuple(ENGINES)
    run_actor_sets(scenario, engines)  # warm-up
    run_forecasts(scenario, engines)
    sets = best(lambda: run_actor_sets(scenario, engines, rule_ids=()), args.repeat)
    both = best(lambda: run_actor_sets(scenario, engines), args.repeat)
    one = best(lambda: run_forecasts(scenario, engines), args.repeat)
    n, r = len(scenario.actor_sets), len(scenario.capability_rules)
    print(f"all {n} actor sets x {len(engines)} engines: {sets:.3f} s (best of {args.repeat})")
    print(f"  plus {r} capability rules (as in the report): {both:.3f} s")
    print(f"the whole actor list alone:            {one:.3f} s")
    print(f"ratio sets / whole list: {sets / one:.2f}; target {TARGET_S:.1f} s: "
          f"{'met' if sets < TARGET_S else 'MISSED'}")  # fmt: skip


if __name__ == "__main__":
    main()
