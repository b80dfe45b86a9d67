"""Time the vectorised ``smp`` engine against the loop-based reference.

Runs every bundled KTAB scenario (``tests/data/ktab``) through both implementations, checks that
they agree bit for bit, and prints wall-clock times and the speed-up. Also times a Monte-Carlo
style batch (the golden 13-actor case with jittered capabilities) in lockstep against a Python
loop over single runs.

With ``--throughput``: instead, single runs on KTAB's 80-actor data and on a 160-actor problem
(that data twice, shifted by 0.37 with capabilities x1.01, as in ``bench_engines.py``), and
per-problem throughput of a batch of ``--batch`` random problems (n = 10, 40; D = 1, 4) against
the loop reference (timed on a few problems), each for the compiled kernel (if numba is
installed) and the numpy engine.

With ``--memory``: the peak memory of one batch of ``--batch`` random problems (n = 10, 40;
D = 4), with every state kept and with the final state only, each in a fresh process.

Usage: ``python benchmarks/bench_smp.py [--repeat N] [--batch B] [--kernel K] [--throughput]
[--memory]``
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
from ceasefire.bargaining.smp import forecast
from ceasefire.formats.ktab import parse_ktab_csv

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


def random_problem(b: int, n: int, d: int, seed: int) -> Problem:
    """Random problems as ``bench_engines.py`` makes them."""
    rng = np.random.default_rng(seed)
    return Problem(
        positions=rng.uniform(0, 100, (b, n, d)),
        saliences=rng.uniform(1, 100, (b, n, d)) / d,
        capability=rng.uniform(0.5, 100.0, (b, n)),
        status_quo=rng.uniform(0, 100, (b, d)),
    )


def throughput(ref: ModuleType, batch: int, repeat: int) -> None:
    import resource

    rng = np.random.default_rng(0)
    kernels = ["compiled", "numpy"] if importlib.util.find_spec("numba") else ["numpy"]
    k80 = parse_ktab_csv((DATA / "dummyData-a080.csv").read_text())
    p80 = k80.to_problem()
    p160 = Problem.single(
        np.vstack([k80.positions, np.clip(k80.positions + 0.37, 0, 100)]),
        np.vstack([k80.saliences, k80.saliences]),
        np.concatenate([k80.capability, k80.capability * 1.01]),
        p80.status_quo[0],
    )
    for kernel in kernels:
        forecast(p80, rng, kernel=kernel)  # load (and on first use compile) the kernel
        t80, _ = best_of(lambda kernel=kernel: forecast(p80, rng, kernel=kernel), repeat)
        t160, _ = best_of(
            lambda kernel=kernel: forecast(p160, rng, on_degenerate="stop", kernel=kernel), 1
        )
        print(f"{kernel:>8} single run, dummyData-a080 (80 actors): {t80:.3f} s (target < 1 s)")
        print(f"{kernel:>8} single run, 160 actors (a080 twice, shifted): {t160:.3f} s (< 10 s)")
    for n in (10, 40):
        for d in (1, 4):
            n_ref = 4 if n == 10 else 2
            pr = random_problem(n_ref, n, d, 1)
            t0 = time.perf_counter()
            for k in range(n_ref):
                ref.run(
                    pr.positions[k].tolist(), pr.saliences[k].tolist(), pr.capability[k].tolist()
                )
            t_ref = (time.perf_counter() - t0) / n_ref
            pb = random_problem(batch, n, d, 1)
            for kernel in kernels:
                t_b, _ = best_of(
                    lambda pb=pb, kernel=kernel: forecast(
                        pb, rng, on_degenerate="stop", kernel=kernel
                    ),
                    1,
                )
                per = t_b / batch
                print(
                    f"n={n:<3} D={d} {kernel:>8}: reference {t_ref * 1e3:9.2f} ms/problem, batch "
                    f"of {batch}: {t_b:7.2f} s = {per * 1e3:8.3f} ms/problem, "
                    f"ratio {t_ref / per:5.0f}x"
                )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (ru_maxrss): {peak:.0f} MiB")


def memory(batch: int) -> None:
    """Peak memory of one ``forecast`` call per configuration, each in a fresh process."""
    import subprocess

    code = (
        "import resource, sys, numpy as np\n"
        "sys.path.insert(0, {bench!r})\n"
        "from bench_smp import random_problem\n"
        "from ceasefire.bargaining.smp import forecast\n"
        "p = random_problem({b}, {n}, {d}, 1)\n"
        "forecast(p, np.random.default_rng(0), on_degenerate='stop', kernel={k!r},"
        " trajectory={tr})\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    kernel = "compiled" if importlib.util.find_spec("numba") else "numpy"
    for n, d in ((10, 4), (40, 4)):
        for tr in (True, False):
            src = code.format(bench=str(Path(__file__).parent), b=batch, n=n, d=d, k=kernel, tr=tr)
            out = subprocess.run(
                [sys.executable, "-c", src], capture_output=True, text=True, check=True
            )
            peak = float(out.stdout.split()[-1])
            what = "every state" if tr else "final state only (trajectory=False)"
            print(f"n={n} D={d} batch {batch} {kernel}, {what}: peak {peak:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="best of N for the fast engine")
    parser.add_argument("--batch", type=int, default=64, help="batch size for the batch test")
    parser.add_argument(
        "--throughput", action="store_true", help="single-run and batch-throughput targets"
    )
    parser.add_argument(
        "--kernel", default="auto", choices=["auto", "numpy", "compiled"], help="smp kernel"
    )
    parser.add_argument(
        "--memory", action="store_true", help="peak memory per configuration (subprocesses)"
    )
    args = parser.parse_args()
    if args.memory:
        memory(args.batch)
        return
    ref = load_reference()
    if args.throughput:
        throughput(ref, args.batch, args.repeat)
        return
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
        t_fast, fc = best_of(lambda prob=prob: forecast(prob, rng, kernel=args.kernel), args.repeat)
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
    t_batch, fc = best_of(lambda: forecast(prob, rng, kernel=args.kernel), 1)
    singles = [
        Problem(
            prob.positions[i : i + 1],
            prob.saliences[i : i + 1],
            prob.capability[i : i + 1],
            prob.status_quo[i : i + 1],
        )
        for i in range(b)
    ]
    t_loop, outs = best_of(lambda: [forecast(p, rng, kernel=args.kernel) for p in singles], 1)
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
