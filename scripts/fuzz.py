"""Fuzz the scenario reader and the analysis with N seeded mutants of the built-in scenarios.

    uv run python scripts/fuzz.py --count 10000 [--seed 1] [--workers 2] [--keep DIR] [--cli 50]

Every mutant must either be refused with located problems or analyse to a result whose numbers
are all finite (tests/fuzz/invariant.py). Prints the outcome counts; writes every mutant that
broke the invariant to ``--keep`` (default ``fuzz-failures/``) as ``<seed>-<index>.toml`` with
its outcome beside it, ready to be copied into tests/data/fuzz/ as a regression case.
``--cli N`` also runs the first N refused mutants through ``ceasefire validate`` in a
subprocess and checks exit status 2 and no traceback.
"""

from __future__ import annotations

import argparse
import collections
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fuzz.invariant import Outcome, classify  # noqa: E402
from tests.fuzz.mutate import mutant  # noqa: E402

#: seconds one mutant may take (validation and analysis) before it counts as a hang
TIME_LIMIT = 120


def _alarm(_signum: int, _frame: FrameType | None) -> None:
    raise TimeoutError(f"over {TIME_LIMIT} s")


def run_one(args: tuple[int, int, str]) -> tuple[int, str, str, str]:
    seed, index, folder = args
    m = mutant(seed, index)
    path = Path(folder) / f"{seed}-{index}.toml"
    path.write_bytes(m.data)
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIME_LIMIT)
    try:
        outcome = classify(path)
    except TimeoutError as err:
        outcome = Outcome("hang", str(err))
    finally:
        signal.alarm(0)
    if outcome.kind in ("refused", "completed"):
        path.unlink()
    return index, m.family, outcome.kind, f"{m.base} {' '.join(m.ops)}: {outcome.detail}"


def cli_check(path: Path) -> str | None:
    """What is wrong with ``ceasefire validate`` on a refused file (None: exit 2, no traceback)."""
    r = subprocess.run(
        [sys.executable, "-m", "ceasefire", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        check=False,
    )
    if r.returncode != 2 or "Traceback" in r.stdout + r.stderr:
        return f"exit {r.returncode}: {(r.stderr or r.stdout)[-300:]}"
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--keep", type=Path, default=Path("fuzz-failures"))
    ap.add_argument("--cli", type=int, default=0)
    a = ap.parse_args()
    a.keep.mkdir(parents=True, exist_ok=True)
    counts: collections.Counter[str] = collections.Counter()
    families: collections.Counter[tuple[str, str]] = collections.Counter()
    start = time.perf_counter()
    jobs = [(a.seed, i, str(a.keep)) for i in range(a.start, a.start + a.count)]
    with ProcessPoolExecutor(a.workers) as pool:
        for index, family, kind, detail in pool.map(run_one, jobs, chunksize=8):
            counts[kind] += 1
            if sum(counts.values()) % 1000 == 0:
                print(f"{sum(counts.values())} done: {dict(counts)}", flush=True)
            families[(family, kind)] += 1
            if kind not in ("refused", "completed"):
                (a.keep / f"{a.seed}-{index}.txt").write_text(f"{kind}\n{detail}\n", "utf-8")
                print(f"{a.seed}-{index} {kind}: {detail[:300]}", flush=True)
    took = time.perf_counter() - start
    print(f"{a.count} mutants (seed {a.seed}) in {took:.0f} s: {dict(counts)}")
    print("by family:", {f"{f}/{k}": n for (f, k), n in sorted(families.items())})
    cli_bad = _cli_sample(a.seed, a.start, a.cli) if a.cli else 0
    return 1 if set(counts) - {"refused", "completed"} or cli_bad else 0


def _cli_sample(seed: int, start: int, n: int) -> int:
    bad = checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        i = start
        while checked < n:
            path = Path(tmp) / f"{seed}-{i}.toml"
            path.write_bytes(mutant(seed, i).data)
            i += 1
            if classify(path).kind != "refused":
                continue
            checked += 1
            problem = cli_check(path)
            if problem:
                bad += 1
                print(f"CLI {path.name}: {problem}")
    print(f"CLI: {checked} refused mutants through `ceasefire validate`, {bad} not exit 2")
    return bad


if __name__ == "__main__":
    raise SystemExit(main())
