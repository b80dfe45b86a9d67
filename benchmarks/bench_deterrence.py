"""Benchmark: 2,000 draws of the extended guarantee game (docs/specs/deterrence.md §4) for every
proposal of the built-in scenario, in both orders of events where the proposal leaves it open.

Times (a) the vectorised game on the drawn inputs against the loop-based reference of the
tests (``tests/deterrence/test_extended_game.py``) on the same draws, printing the ratio, and
(b) the whole Monte Carlo (:func:`ceasefire.deterrence.game.run_extended`: draws, commitments,
game, summaries) for all proposals. Target (issue 14): (b) under 1 s. Timings on a shared
machine are noisy: compare the ratio, measured in the same run.

Run: ``python benchmarks/bench_deterrence.py [--draws 2000]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from tests.deterrence.test_extended_game import _loop_reference  # noqa: E402

from ceasefire.analysis import analyze  # noqa: E402
from ceasefire.deterrence import resolve  # noqa: E402
from ceasefire.deterrence.game import extended_game, run_extended  # noqa: E402
from ceasefire.scenario import load  # noqa: E402

_PHASE = {"during_fighting": 0.0, "after_ceasefire": 1.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=2000)
    args = ap.parse_args()
    n = args.draws
    scenario = load("ukraine-2024-11")
    ranges = resolve.game_ranges(scenario)
    assert ranges is not None
    res = analyze(scenario, draws=10, engines=None, stages={"deterrence"})
    jobs = []
    for prop, pr in zip(scenario.proposals, res.proposals, strict=True):
        det = pr.deterrence
        assert det is not None
        for d in (det, *det.alternatives.values()):
            jobs.append((prop, d.g, d.h, d.sequence))
    rng = np.random.default_rng(14)
    draws = {k: rng.uniform(r.low, r.high, n) for k, r in ranges.items()}

    t0 = time.perf_counter()
    for _, g, h, seq in jobs:
        extended_game(g, h, draws, phase=_PHASE[seq])
    vec = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _, g, h, seq in jobs:
        for i in range(n):
            _loop_reference(g, h, {k: float(v[i]) for k, v in draws.items()}, _PHASE[seq])
    loop = time.perf_counter() - t0
    print(f"game only, {len(jobs)} proposal-orders x {n} draws")
    print(f"  vectorised {vec:.4f} s   loop reference {loop:.3f} s   ratio {loop / vec:.0f}x")

    t0 = time.perf_counter()
    for prop, g, h, seq in jobs:
        run_extended(
            g,
            h,
            ranges,
            resolve.commitments(prop, ranges["q"]),
            n,
            rng=np.random.default_rng(1),
            conditions=resolve.conditions(prop),
            phase=seq,
        )
    full = time.perf_counter() - t0
    verdict = "under" if full < 1.0 else "OVER"
    print(
        f"whole Monte Carlo (run_extended), all proposals: {full:.3f} s ({verdict} the 1 s target)"
    )


if __name__ == "__main__":
    main()
