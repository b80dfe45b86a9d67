"""CLI start-up and the whole built-in run, against ``python -c pass`` (issue 18, item 2).

Each command runs in a fresh process, best of ``--repeat`` (wall time), after one warm-up run
that also writes the byte-code caches (``PYTHONDONTWRITEBYTECODE`` is removed from the child's
environment: "warm" means compiled modules on disk, as after any first use). Prints each
command's time, its ratio to ``python -c pass`` measured in the same run, the target and
whether it is met, and the size of the report written by ``run``. Timings on a shared machine
are noisy: read the best-of figures and the ratios, not one run.

Run: ``uv run python benchmarks/bench_startup.py [--repeat 5] [--skip-run]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: (label, arguments after ``ceasefire``, target in seconds) — the targets of issue 18, item 2
COMMANDS: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("--help", ("--help",), 0.3),
    ("list", ("list",), 0.3),
    ("show", ("show", "ukraine-2024-11"), 0.3),
    ("schema", ("schema",), 0.3),
    ("validate", ("validate", "ukraine-2024-11"), 0.6),
)
RUN_TARGET = 1.5


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["COLUMNS"] = "100"
    return env


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def best_of(argv: list[str], repeat: int, fresh_out: bool = False) -> tuple[float, float]:
    """The shortest wall and CPU (user + system) times of ``repeat`` runs of ``argv``, after
    one warm-up run. On a loaded machine the wall time includes waiting for a core; the CPU
    time does not, and is what the wall time would be on an idle one."""
    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeat + 1):
            extra = ["--out", str(Path(tmp) / f"r{i}")] if fresh_out else []
            t0, c0 = time.perf_counter(), _cpu()
            subprocess.run(argv + extra, env=_env(), check=True, stdout=subprocess.DEVNULL, cwd=tmp)
            if i:  # the first run warms the caches
                walls.append(time.perf_counter() - t0)
                cpus.append(_cpu() - c0)
        if fresh_out:
            size = (Path(tmp) / "r1" / "report.html").stat().st_size
            print(f"  report.html: {size / 1e6:.2f} MB")
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-run", action="store_true", help="Start-up commands only.")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "ceasefire"]
    ref, ref_cpu = best_of([sys.executable, "-c", "pass"], args.repeat)
    print(
        f"python -c pass: {ref * 1e3:.1f} ms wall, {ref_cpu * 1e3:.1f} ms CPU (best of "
        f"{args.repeat}; the reference); load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores"
    )
    print(
        f"{'command':<22}{'wall s':>8}{'x pass':>8}{'CPU s':>8}{'x pass':>8}{'target s':>10}  met"
    )
    rows = [(label, cli + list(argv), target, False) for label, argv, target in COMMANDS]
    if not args.skip_run:
        rows.append(("run (+ report.html)", [*cli, "run", "-q"], RUN_TARGET, True))
    for label, argv, target, fresh in rows:
        wall, cpu = best_of(argv, args.repeat, fresh_out=fresh)
        met = "yes" if wall <= target else ("CPU only" if cpu <= target else "NO")
        print(
            f"{label:<22}{wall:>8.3f}{wall / ref:>8.0f}{cpu:>8.3f}{cpu / max(ref_cpu, 1e-3):>8.0f}"
            f"{target:>10.2f}  {met}"
        )


if __name__ == "__main__":
    main()
