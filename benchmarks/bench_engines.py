"""Benchmark: every bargaining engine, batched, against its loop reference in the same run.

For each engine and each problem size (the built-in scenario; random problems with
n = 10, 40, 80, 160 actors and D = 1, 4) it times the fast engine on a batch of 1 and a batch
of ``--batch`` problems (default 10 000) and the reference implementation of the tests on a
few problems, and prints per-problem throughput ratios (reference seconds per problem / fast
seconds per problem). The reference is timed on ``--ref-problems`` problems only and scaled
linearly (it is a plain loop over problems, so its cost is linear by construction). When one
fast batch would exceed ``--budget`` seconds (estimated from a probe batch of 64), a smaller
batch runs instead, printed as ``B=k``, so the whole run fits on a 2-core machine. For the
smp implementations, which run problems independently, per-problem cost hardly depends on
the batch size; for the other engines a smaller batch only understates their throughput.

``smp`` runs the compiled kernel when numba is installed (the ``fast`` extra) and
``smp-numpy`` the numpy engine, both against the same reference timing.

Also: a single smp run on KTAB's 80-actor data (target < 1 s) and on a 160-actor problem made
of that data twice (target < 10 s), and peak memory (ru_maxrss).

Run: ``python benchmarks/bench_engines.py [--batch 10000] [--quick]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ceasefire.bargaining import Problem, engine  # noqa: E402

HAVE_NUMBA = importlib.util.find_spec("numba") is not None


def _load(name: str, file: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / "bargaining" / file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


REF = _load("engines_reference", "_reference.py")
SMP_REF = _load("smp_reference_bench", "smp_reference.py")


def reference(name: str, p: Problem) -> None:
    """Run the loop reference of ``name`` on every problem of the batch."""
    if name == "compromise":
        REF.compromise(p.positions, p.saliences, p.capability, p.status_quo)
    elif name == "nash":
        REF.nash(p.positions, p.saliences, p.capability, p.status_quo)
    elif name == "bdm":
        REF.bdm(p.positions, p.saliences, p.capability, rounds=10)
    elif name == "smp":
        for k in range(p.shape[0]):
            SMP_REF.run(p.positions[k].tolist(), p.saliences[k].tolist(), p.capability[k].tolist())


def random_problem(b: int, n: int, d: int, seed: int) -> Problem:
    rng = np.random.default_rng(seed)
    return Problem(
        positions=rng.uniform(0, 100, (b, n, d)),
        saliences=rng.uniform(1, 100, (b, n, d)) / d,  # KTAB: saliences sum to <= 100
        capability=rng.uniform(0.5, 100.0, (b, n)),
        status_quo=rng.uniform(0, 100, (b, d)),
    )


def builtin_problem(b: int) -> Problem:
    import ceasefire
    from ceasefire.preferences import Preferences

    s = ceasefire.load("ukraine-2024-11")
    pr = Preferences.from_scenario(s)
    cap = np.array([a.capability for a in s.actors])
    one = Problem.single(pr.ideal, pr.salience / 4, cap, pr.status_quo)
    return Problem(
        np.repeat(one.positions, b, 0),
        np.repeat(one.saliences, b, 0),
        np.repeat(one.capability, b, 0),
        np.repeat(one.status_quo, b, 0),
    )


def timed(fn: Any, *args: Any, **kw: Any) -> float:
    t = time.perf_counter()
    fn(*args, **kw)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=10_000)
    ap.add_argument("--ref-problems", type=int, default=2)
    ap.add_argument("--budget", type=float, default=60.0, help="seconds per fast batch")
    ap.add_argument("--quick", action="store_true", help="n = 10, 40 only; batch 1000")
    ap.add_argument(
        "--engines", default="compromise,nash,bdm,smp,smp-numpy", help="comma-separated subset"
    )
    args = ap.parse_args()
    batch = 1000 if args.quick else args.batch
    sizes: list[tuple[str, int, int]] = [("built-in", 36, 4)]
    for n in (10, 40) if args.quick else (10, 40, 80, 160):
        for d in (1, 4):
            sizes.append((f"random n={n} D={d}", n, d))
    rng = np.random.default_rng(0)
    kw: dict[str, dict[str, Any]] = {
        "smp": {"on_degenerate": "stop", "kernel": "compiled" if HAVE_NUMBA else "numpy"},
        "smp-numpy": {"on_degenerate": "stop", "kernel": "numpy"},
    }
    print(
        f"{'engine':<11}{'problem':<22}{'B=1 s':>9}{f'B={batch} s':>12}"
        f"{'ref s/problem':>15}{'ratio B=1':>11}{f'ratio B={batch}':>15}"
    )
    ref_cache: dict[tuple[str, str], float] = {}
    names = [e for e in args.engines.split(",") if e != "smp-numpy" or HAVE_NUMBA]
    for name in names:
        fn = engine(name.removesuffix("-numpy"))
        for label, n, d in sizes:

            def make(b: int, label: str = label, n: int = n, d: int = d) -> Problem:
                return builtin_problem(b) if label == "built-in" else random_problem(b, n, d, 1)

            one = make(1)
            fn(one, rng, **kw.get(name, {}))  # warm-up (imports, caches)
            t1 = timed(fn, one, rng, **kw.get(name, {}))
            ref_n = args.ref_problems
            if name.startswith("smp") and n >= 80:
                ref_n = 1
            ref_budget_guess = t1 * 400 * ref_n  # references are 10-1000x slower than B=1
            base = name.removesuffix("-numpy")  # smp-numpy shares smp's reference timing
            if (label, base) in ref_cache:
                ref = ref_cache[(label, base)]
            elif base in ("smp", "bdm") and n >= 160 and ref_budget_guess > 600:
                ref = float("nan")
            else:
                ref = timed(reference, base, make(ref_n)) / ref_n
                ref_cache[(label, base)] = ref
            # One batch must fit in the budget. The compiled smp kernel and the numpy pool run
            # problems independently, so a smaller batch measures the same per-problem cost;
            # such a batch is printed as "B=k".
            # The per-problem cost in a batch is estimated from a probe batch of 64 (a batch of
            # one says little about vectorised engines at large n).
            probe = min(batch, 64)
            per_guess = timed(fn, make(probe), rng, **kw.get(name, {})) / probe
            b_run = batch if per_guess * batch <= args.budget else int(args.budget / per_guess)
            tb = float("nan") if b_run < 2 else timed(fn, make(b_run), rng, **kw.get(name, {}))
            r1 = ref / t1
            rb = ref / (tb / b_run) if tb == tb else float("nan")
            shown = "skipped" if tb != tb else (f"{tb:.2f}" if b_run == batch else f"B={b_run}")
            print(
                f"{name:<11}{label:<22}{t1:>9.4f}{shown:>12}"
                f"{(f'{ref:.4f}' if ref == ref else 'skipped'):>15}"
                f"{(f'{r1:.1f}x' if r1 == r1 else '—'):>11}"
                f"{(f'{rb:.0f}x' if rb == rb else '—'):>15}",
                flush=True,
            )

    from ceasefire.formats.ktab import parse_ktab_csv

    k80 = parse_ktab_csv((ROOT / "tests" / "data" / "ktab" / "dummyData-a080.csv").read_text())
    p80 = k80.to_problem()
    smp = engine("smp")
    t80 = timed(smp, p80, rng, kernel=kw["smp"]["kernel"])
    p160 = Problem.single(
        np.vstack([k80.positions, np.clip(k80.positions + 0.37, 0, 100)]),
        np.vstack([k80.saliences, k80.saliences]),
        np.concatenate([k80.capability, k80.capability * 1.01]),
        p80.status_quo[0],
    )
    t160 = timed(smp, p160, rng, **kw["smp"])
    print(f"\nsmp ({kw['smp']['kernel']} kernel, loaded) single runs:")
    print(f"smp single run, KTAB dummyData-a080 (80 actors): {t80:.2f} s (target < 1 s)")
    print(f"smp single run, 160 actors (a080 twice, shifted): {t160:.2f} s (target < 10 s)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (ru_maxrss): {peak:.0f} MiB (target < 2048 MiB)")


if __name__ == "__main__":
    main()
