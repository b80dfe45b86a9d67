"""The background runs: each analysis in its own bounded child process, outside any request.

A request only creates the run folder and queues the job; the browser then polls the run's
status. A job runs in a child process (:mod:`ceasefire.web.sandbox`) with a time budget and a
memory budget, at most ``max_workers`` at once; the others wait in a queue whose position the
status reports. A run over its time budget is killed and marked failed with a sentence that
names the budget; a run can be cancelled, queued or running (its process is killed). So a
scenario that would take hours holds one worker for at most the budget, and the server process
itself never analyses anything: it stays responsive while runs fill the workers.

A run is :func:`ceasefire.web.work.execute`: :func:`ceasefire.run.run`, written by
:func:`ceasefire.outputs.write_run` — what ``ceasefire run`` does — and the results page's
figures, rendered once. The child writes the run's status and progress in its ``meta.json``.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from ceasefire.web import sandbox
from ceasefire.web.store import STOPPED_MESSAGE, Workspace, now
from ceasefire.web.work import Job, execute

log = logging.getLogger("ceasefire.web")

MAX_WORKERS = 2
#: a run's time budget (judgement): ten minutes, so an analysis whose time grows with the cube
#: of the actors cannot hold a worker for hours (reliability.md §1.4: 236 actors 13.6 s, 536
#: actors 127 s, 1,036 more than 5 minutes; validation now stops at 150 actors)
RUN_SECONDS = 600.0
#: memory a run may add to its process (judgement: measured, a 200-draw sweep of the built-in
#: peaked at 466 MB of address space in all, 200 MB resident; 3 GiB leaves room for large sweeps)
RUN_MEMORY = 3 * 1024 * sandbox.MiB


class Runner:
    """Runs analyses in bounded child processes and records their status in the workspace.

    ``sweep_options``: fields of :class:`ceasefire.run.SweepOptions` (``sensitivity``,
    ``sobol_n``, ``morris_r``), the same for every sweep this runner does. ``seconds`` and
    ``memory``: each run's budgets.
    """

    def __init__(
        self,
        workspace: Workspace,
        max_workers: int = MAX_WORKERS,
        sweep_options: Mapping[str, Any] | None = None,
        *,
        seconds: float = RUN_SECONDS,
        memory: int = RUN_MEMORY,
        target: Callable[[Job], None] = execute,
    ):
        self.workspace = workspace
        self.max_workers = max_workers
        self.sweep_options = dict(sweep_options or {})
        self.seconds = seconds
        self.memory = memory
        self.target = target  # what a job runs (tests substitute a module-level function)
        self.queue: deque[Job] = deque()
        self.running: dict[str, sandbox.Child | None] = {}  # None: starting
        self.cancelled: set[str] = set()
        self.changed = threading.Condition()
        self.closed = False

    # -- the queue -----------------------------------------------------------------------

    def submit(
        self,
        run_id: str,
        text: str,
        source: str,
        draws: int,
        seed: int | None,
        *,
        sweep: bool = False,
    ) -> None:
        job = Job(self.workspace.root, run_id, text, source, draws, seed, sweep, self.sweep_options)
        with self.changed:
            self.queue.append(job)
        self._dispatch()

    def position(self, run_id: str) -> int | None:
        """1 for the next run to start, None when the run is not waiting."""
        with self.changed:
            for i, job in enumerate(self.queue):
                if job.run_id == run_id:
                    return i + 1
        return None

    def _dispatch(self) -> None:
        """Start queued jobs while workers are free."""
        with self.changed:
            while self.queue and len(self.running) < self.max_workers and not self.closed:
                job = self.queue.popleft()
                self.running[job.run_id] = None
                threading.Thread(
                    target=self._watch, args=(job,), name=f"ceasefire-run-{job.run_id[:8]}"
                ).start()
            self.changed.notify_all()

    # -- one job -------------------------------------------------------------------------

    def _watch(self, job: Job) -> None:
        """Start a job's process and wait for it within the budget (in its own thread)."""
        try:
            child = sandbox.start(self.target, (job,), self.memory)
            with self.changed:
                self.running[job.run_id] = child
                stop = job.run_id in self.cancelled or self.closed
            if stop:
                sandbox.kill(child.proc)
            child.ready()
            sandbox.outcome(child, self.seconds, "the run", self.memory)
        except sandbox.BudgetExceeded as err:
            self._ended(job.run_id, str(err))
        except sandbox.WorkerError:
            log.exception("run %s failed", job.run_id)
            self._ended(job.run_id, "internal error while analysing this scenario (see the log)")
        except Exception:
            log.exception("run %s could not be started", job.run_id)
            self._ended(job.run_id, "internal error while starting this run (see the log)")
        finally:
            with self.changed:
                self.running.pop(job.run_id, None)
            self._dispatch()

    def _ended(self, run_id: str, error: str) -> None:
        """Record how a run that did not finish by itself ended (cancelled, or its budget)."""
        with self.changed:
            cancelled = run_id in self.cancelled
            self.cancelled.discard(run_id)
        if cancelled:
            self.workspace.update_run(run_id, status="cancelled", finished=now(), error="")
        elif self.closed:
            self.workspace.update_run(
                run_id, status="failed", finished=now(), error=STOPPED_MESSAGE
            )
        else:
            self.workspace.update_run(run_id, status="failed", finished=now(), error=error)

    def cancel(self, run_id: str) -> bool:
        """Cancel a queued or running run (its process is killed); False when it is neither."""
        with self.changed:
            for job in self.queue:
                if job.run_id == run_id:
                    self.queue.remove(job)
                    break
            else:
                job = None
            if job is None and run_id not in self.running:
                return False
            self.cancelled.add(run_id)
            child = self.running.get(run_id)
        if job is not None:
            self._ended(run_id, "")
        elif child is not None:
            sandbox.kill(child.proc)  # its watcher records the cancellation
        return True

    # -- tests and shutdown --------------------------------------------------------------

    def busy(self) -> bool:
        with self.changed:
            return bool(self.queue or self.running)

    def wait(self, timeout: float | None = None) -> None:
        """Wait for every submitted run (tests and shutdown)."""
        with self.changed:
            if not self.changed.wait_for(lambda: not (self.queue or self.running), timeout):
                raise TimeoutError(f"runs still going after {timeout} s")

    def shutdown(self) -> None:
        """Drop the queue and kill the running processes."""
        with self.changed:
            self.closed = True
            self.queue.clear()
            children = [c for c in self.running.values() if c is not None]
        for child in children:
            sandbox.kill(child.proc)
