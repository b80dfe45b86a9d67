"""Time the vectorised ``smp`` engine against the loop-based reference.

Runs every bundled KTAB scenario (``tests/data/ktab``) through both implementations, checks that
they agree bit for bit, and prints wall-clock times and the speed-up. Also times a Monte-Carlo
style batch (the golden 13-actor case with jittered capabilities) in lockstep against a Python
loop over single runs.

Usage: ``python benchmarks/bench_smp.py [--repeat N] [--batch B]``
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType

import numpy as np

from ceasefire.bargaining.base import Problem
from ceasefire.bargaining.smp import forecast, parse_ktab_csv

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "ktab"
SCENARIOS = [
    "dummyData_3Dim",
    "SOE-Pol-Comp",
    "dummyData_6Dim",
    "SOE-Policy",
    "SOE-Competitive",
    "dummyData-a040",
    "dummyData-a080",
]


def load_reference() -> ModuleType:
    name = "_ceasefire_smp_reference"
    spec = importlib.util.spec_from_file_location(
        name, ROOT / "tests" / "bargaining" / "smp_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def best_of(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="best of N for the fast engine")
    parser.add_argument("--batch", type=int, default=64, help="batch size for the batch test")
    args = parser.parse_args()
    ref = load_reference()
    rng = np.random.default_rng(0)

    print(f"{'scenario':<18}{'n x D':>8}{'states':>8}{'reference s':>13}{'fast s':>10}{'ratio':>9}")
    total_ref = total_fast = 0.0
    for name in SCENARIOS:
        sc = parse_ktab_csv((DATA / f"{name}.csv").read_text())
        prob = sc.to_problem()
        t_ref, run = best_of(
            lambda sc=sc: ref.run(
                sc.positions.tolist(), sc.saliences.tolist(), sc.capability.tolist()
            ),
            1,
        )
        t_fast, fc = best_of(lambda prob=prob: forecast(prob, rng), args.repeat)
        same = np.array_equal(np.array(run.states) * 100.0, fc.trajectory[0])  # type: ignore[attr-defined]
        total_ref += t_ref
        total_fast += t_fast
        flag = "" if same else "  MISMATCH"
        print(
            f"{name:<18}{sc.n_actors:>4} x {sc.n_dims:<3}{len(run.states):>6}"  # type: ignore[attr-defined]
            f"{t_ref:>13.3f}{t_fast:>10.3f}{t_ref / t_fast:>8.1f}x{flag}"
        )
    print(
        f"{'total':<18}{'':>14}{total_ref:>13.3f}{total_fast:>10.3f}{total_ref / total_fast:>8.1f}x"
    )

    # batch in lockstep vs a loop of single calls (fast engine both ways)
    sc = parse_ktab_csv((DATA / "SOE-Pol-Comp.csv").read_text())
    b = args.batch
    jitter = np.random.default_rng(1).uniform(0.8, 1.2, (b, sc.n_actors))
    prob = Problem(
        np.broadcast_to(sc.positions, (b, *sc.positions.shape)).copy(),
        np.broadcast_to(sc.saliences, (b, *sc.saliences.shape)).copy(),
        sc.capability[None, :] * jitter,
        np.full((b, sc.n_dims), 50.0),
    )
    t_batch, fc = best_of(lambda: forecast(prob, rng), 1)
    singles = [
        Problem(
            prob.positions[i : i + 1],
            prob.saliences[i : i + 1],
            prob.capability[i : i + 1],
            prob.status_quo[i : i + 1],
        )
        for i in range(b)
    ]
    t_loop, outs = best_of(lambda: [forecast(p, rng) for p in singles], 1)
    same = all(
        np.array_equal(o.outcome[0], fc.outcome[i])  # type: ignore[attr-defined]
        for i, o in enumerate(outs)  # type: ignore[arg-type]
    )
    print(
        f"\nbatch of {b} x SOE-Pol-Comp (jittered capability; rounds "
        f"{fc.rounds.min()}-{fc.rounds.max()}): lockstep {t_batch:.3f} s, "  # type: ignore[attr-defined]
        f"loop of single calls {t_loop:.3f} s, ratio {t_loop / t_batch:.1f}x"
        f"{'' if same else '  MISMATCH'}"
    )


if __name__ == "__main__":
    main()
