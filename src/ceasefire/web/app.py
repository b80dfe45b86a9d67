"""The local web app: pick or upload a scenario, edit it, run it, read and compare results.

``create_app(workspace)`` builds the FastAPI application; ``ceasefire serve`` runs it with
uvicorn. The routes live in :mod:`ceasefire.web.routes`, one router per concern, and read
what they share (workspace, runner, templates, figure cache) from ``app.state``. The app
renders :class:`~ceasefire.analysis.Analysis` data with the report's own charts, sentences
and Jinja environment and computes nothing of its own. Every file it touches lives in the
workspace folder, under names it generated (:mod:`ceasefire.web.store`).
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from anyio import to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ceasefire import __version__
from ceasefire.web import sandbox, views
from ceasefire.web.guard import LOOPBACK_HOSTS, MAX_BODY, Guard
from ceasefire.web.jobs import RUN_MEMORY, RUN_SECONDS, Runner
from ceasefire.web.routes import api, drafts, errors, pages, runs, timeline
from ceasefire.web.routes.api import RunRequest
from ceasefire.web.routes.deps import templates
from ceasefire.web.routes.drafts import DEFAULT_DRAWS, MAX_DRAWS, MAX_SWEEP_DRAWS
from ceasefire.web.store import Workspace

#: threads answering plain (``def``) routes at once; more requests wait their turn
REQUEST_THREADS = 8


def create_app(
    workspace: Path,
    *,
    allowed_hosts: Sequence[str] | None = LOOPBACK_HOSTS,
    max_body: int = MAX_BODY,
    sweep_options: Mapping[str, Any] | None = None,
    run_seconds: float = RUN_SECONDS,
    run_memory: int = RUN_MEMORY,
) -> FastAPI:
    """The web app over one workspace folder (created if missing).

    ``allowed_hosts``: the Host headers accepted (``None``: any, for ``--host`` other than
    loopback). ``max_body``: the largest request body accepted, in bytes. ``sweep_options``:
    ``sensitivity``, ``sobol_n`` and ``morris_r`` of every sweep (default: those of
    ``ceasefire run --draws``: given-data indices from the draws). ``run_seconds`` and
    ``run_memory``: each run's time and memory budgets (:mod:`ceasefire.web.jobs`).
    """
    ws = Workspace(workspace)
    ws.mark_interrupted()
    runner = Runner(ws, sweep_options=sweep_options, seconds=run_seconds, memory=run_memory)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # the fork server imports the package once for every worker: start it before the
        # first request needs it
        threading.Thread(target=sandbox.warm, name="ceasefire-warm", daemon=True).start()
        # few request threads: the heavy work is in child processes, and forty threads
        # rendering pages at once would starve the event loop of the GIL (a health request
        # then waits seconds)
        to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
        yield
        runner.shutdown()

    app = FastAPI(
        title="ceasefire",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,  # the docs pages load their scripts from a CDN: not in an offline app
        redoc_url=None,
        openapi_url=None,
    )
    app.state.workspace = ws
    app.state.runner = runner
    app.state.templates = templates()
    app.state.figures = views.FigureCache()
    app.state.max_body = max_body
    app.add_middleware(Guard, max_body=max_body, allowed_hosts=allowed_hosts)
    static = resources.files("ceasefire.web") / "static"
    app.mount("/static/app", StaticFiles(directory=str(static)), name="static")
    errors.install(app)
    for module in (pages, drafts, runs, api, timeline):
        app.include_router(module.router)
    return app


__all__ = ["DEFAULT_DRAWS", "MAX_DRAWS", "MAX_SWEEP_DRAWS", "RunRequest", "create_app"]
