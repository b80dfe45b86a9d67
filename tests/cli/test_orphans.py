"""Killing a processes-backend sweep leaves no worker behind (issue 18, item 9)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux's /proc"),
]


def _children(pid: int) -> set[int]:
    kids: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text()
        kids |= {int(x) for x in text.split()}
    return kids


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited


def test_sigkill_of_a_processes_sweep_leaves_no_workers(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "ceasefire", "sweep", "--backend", "processes"]
    cmd += ["--workers", "2", "--draws", "200000", "--chunk", "200", "--out", "s"]
    cmd += ["--sensitivity", "none"]
    parent = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 180
        workers: set[int] = set()
        while time.monotonic() < deadline and not (tmp_path / "s" / "chunks").exists():
            time.sleep(0.2)
        while time.monotonic() < deadline and len(workers) < 2:
            workers = _children(parent.pid)
            time.sleep(0.2)
        assert len(workers) >= 2, "the pool's workers never started"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.2)
        left = [w for w in workers if _alive(w)]
    finally:
        parent.kill()
    for w in left:  # clean up before failing: never leave them running
        os.kill(w, signal.SIGKILL)
    assert left == [], f"orphaned workers: {left}"
