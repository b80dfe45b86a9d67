"""Module-level stand-ins for a run's work, for the bounded worker processes of the tests.

A worker process is forked from the fork server and imports what it runs by name, so what a
test substitutes must be a module-level function (a monkeypatch in the test's own process
cannot reach it).
"""

from __future__ import annotations

import time
from typing import Any

from ceasefire.web.work import Job


def explode(job: Job) -> None:
    """An analysis that fails with an unexpected exception."""
    raise RuntimeError("engine exploded")


def sleep(job: Job) -> None:
    """An analysis that never ends by itself (a scenario far too large for its budget)."""
    from ceasefire.web.store import Workspace, now

    Workspace(job.root).update_run(job.run_id, status="running", started=now())
    time.sleep(3600)


def spin(seconds: float) -> str:
    """Busy for ``seconds``, then an answer."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return "finished"


def hog(megabytes: int) -> int:
    """Allocate ``megabytes`` and touch them."""
    block: list[Any] = [bytearray(1024 * 1024) for _ in range(megabytes)]
    return len(block)
