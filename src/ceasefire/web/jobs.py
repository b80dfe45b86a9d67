"""The background worker: analyses run in a thread pool, outside any request.

A request only creates the run folder and submits the job; the browser then polls the run's
status. So a client that disconnects mid-run changes nothing: the job belongs to the pool,
not to the request. Threads rather than processes because the core is pure (no global state:
two analyses at once share nothing but read-only module data), numpy releases the GIL in its
heavy loops, and a thread needs no pickling nor a second interpreter's import time. Each run
writes only inside its own folder, atomically.

A run is :func:`ceasefire.run.run`, written by :func:`ceasefire.outputs.write_run` — what
``ceasefire run`` does. A sweep (``kind="sweep"``) is ``ceasefire run --draws N``: the central
analysis, then a sweep over every stated range, stored as ``Analysis.uncertainty``. Its
progress (draws done of the total, and the stage) is written to the run's ``meta.json`` after
every chunk, where the page's polling reads it.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from ceasefire.results import Analysis
from ceasefire.scenario import ScenarioError, loads
from ceasefire.web.store import Workspace, now

log = logging.getLogger("ceasefire.web")

MAX_WORKERS = 2


def _summary(result: Analysis) -> list[dict[str, Any]]:
    """What the runs list shows without loading results.json: pass/fail and blockers."""
    return [
        {"id": p.id, "passes": p.passes, "blockers": list(p.blockers)} for p in result.proposals
    ]


class Runner:
    """Runs analyses in a thread pool and records their status in the workspace.

    ``sweep_options``: fields of :class:`ceasefire.run.SweepOptions` (``sensitivity``,
    ``sobol_n``, ``morris_r``), the same for every sweep this runner does.
    """

    def __init__(
        self,
        workspace: Workspace,
        max_workers: int = MAX_WORKERS,
        sweep_options: Mapping[str, Any] | None = None,
    ):
        self.workspace = workspace
        self.pool = ThreadPoolExecutor(max_workers, thread_name_prefix="ceasefire-run")
        self.futures: dict[str, Future[None]] = {}
        self.sweep_options = dict(sweep_options or {})

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
        self.futures[run_id] = self.pool.submit(
            self._execute, run_id, text, source, draws, seed, sweep
        )

    def _progress(self, run_id: str, draws: int) -> Callable[[int], None]:
        """A callback that records a sweep's draws done in the run's meta.json, chunk by chunk."""
        ws = self.workspace
        done = 0

        def progress(count: int) -> None:  # called in this worker thread, once per chunk
            nonlocal done
            done = min(draws, done + count)
            stage = "sweep" if done < draws else "sensitivity"  # then indices, switch points
            ws.update_run(run_id, progress={"stage": stage, "done": done, "total": draws})

        return progress

    def _execute(
        self, run_id: str, text: str, source: str, draws: int, seed: int | None, sweep: bool
    ) -> None:
        from ceasefire.backtest.record import load as load_track_record
        from ceasefire.outputs import write_run
        from ceasefire.run import SweepOptions, run

        ws = self.workspace
        ws.update_run(
            run_id,
            status="running",
            started=now(),
            **({"progress": {"stage": "analysis", "done": 0, "total": draws}} if sweep else {}),
        )
        start = time.monotonic()
        try:
            scenario = loads(text, source)
            result = run(
                scenario,
                sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                source=source,
                draws=draws,
                seed=seed,
                sweep=SweepOptions(**self.sweep_options) if sweep else None,
                progress=self._progress(run_id, draws) if sweep else None,
                track_record=load_track_record(),
            )
            write_run(ws.run_dir(run_id), result)
            ws.update_run(
                run_id,
                status="done",
                finished=now(),
                seconds=round(time.monotonic() - start, 2),
                seed=result.monte_carlo["seed"],
                summary=_summary(result),
                **({"progress": {"stage": "done", "done": draws, "total": draws}} if sweep else {}),
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
