"""The background worker: analyses run in a thread pool, outside any request.

A request only creates the run folder and submits the job; the browser then polls the run's
status. So a client that disconnects mid-run changes nothing: the job belongs to the pool,
not to the request. Threads rather than processes because the core is pure (no global state:
two analyses at once share nothing but read-only module data), numpy releases the GIL in its
heavy loops, and a thread needs no pickling nor a second interpreter's import time. Each run
writes only inside its own folder, atomically.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from ceasefire.scenario import ScenarioError, loads
from ceasefire.web.store import Workspace, now

log = logging.getLogger("ceasefire.web")

MAX_WORKERS = 2


def sweep_function() -> Any | None:
    """``ceasefire.uncertainty.sweep`` when that module exists, else ``None``.

    HOOK (issue 7): sweeps with N draws and a progress indicator are offered only when the
    uncertainty module (built in parallel) provides a ``sweep`` function; until then the web
    app runs single analyses only and says so on the editor page.
    """
    if importlib.util.find_spec("ceasefire.uncertainty") is None:
        return None
    module = importlib.import_module("ceasefire.uncertainty")
    fn = getattr(module, "sweep", None)
    return fn if callable(fn) else None


def _summary(result: Any) -> list[dict[str, Any]]:
    """What the runs list shows without loading results.json: pass/fail and blockers."""
    return [
        {"id": p.id, "passes": p.passes, "blockers": list(p.blockers)} for p in result.proposals
    ]


class Runner:
    """Runs analyses in a thread pool and records their status in the workspace."""

    def __init__(self, workspace: Workspace, max_workers: int = MAX_WORKERS):
        self.workspace = workspace
        self.pool = ThreadPoolExecutor(max_workers, thread_name_prefix="ceasefire-run")
        self.futures: dict[str, Future[None]] = {}

    def submit(self, run_id: str, text: str, source: str, draws: int, seed: int | None) -> None:
        self.futures[run_id] = self.pool.submit(self._execute, run_id, text, source, draws, seed)

    def _execute(self, run_id: str, text: str, source: str, draws: int, seed: int | None) -> None:
        from ceasefire.analysis import analyze

        ws = self.workspace
        ws.update_run(run_id, status="running", started=now())
        start = time.monotonic()
        try:
            scenario = loads(text, source)
            result = analyze(
                scenario,
                sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                source=source,
                draws=draws,
                seed=seed,
            )
            ws.write_run_file(run_id, "results.json", result.to_json())
            ws.update_run(
                run_id,
                status="done",
                finished=now(),
                seconds=round(time.monotonic() - start, 2),
                seed=result.monte_carlo["seed"],
                summary=_summary(result),
            )
        except ScenarioError as err:
            ws.update_run(run_id, status="failed", finished=now(), error="\n".join(err.lines()))
        except Exception:
            # the user gets a sentence; the traceback goes to the server's log only
            log.exception("run %s failed", run_id)
            ws.update_run(
                run_id,
                status="failed",
                finished=now(),
                error="internal error while analysing this scenario (see the server's log)",
            )
        finally:
            self.futures.pop(run_id, None)

    def wait(self, timeout: float | None = None) -> None:
        """Wait for every submitted run (tests and shutdown)."""
        for fut in list(self.futures.values()):
            fut.result(timeout=timeout)

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
