"""What the routes share: the workspace, the runner and the templates from ``app.state``, and
the responses every router renders (a page, an error)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import PackageLoader
from starlette.exceptions import HTTPException

from ceasefire.report.format import jinja_env
from ceasefire.results import Analysis
from ceasefire.scenario import Problem
from ceasefire.web import editor
from ceasefire.web.jobs import Runner
from ceasefire.web.store import Workspace
from ceasefire.web.views import FigureCache


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st: a place in the run queue."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def templates() -> Jinja2Templates:
    """The web pages' templates in the report's own Jinja environment (one set of filters;
    the report's uncertainty section is included as is)."""
    env = jinja_env(PackageLoader("ceasefire.web", "templates"))
    env.filters["ordinal"] = ordinal
    return Jinja2Templates(env=env)


def get_workspace(request: Request) -> Workspace:
    ws: Workspace = request.app.state.workspace
    return ws


def get_runner(request: Request) -> Runner:
    runner: Runner = request.app.state.runner
    return runner


def get_figures(request: Request) -> FigureCache:
    cache: FigureCache = request.app.state.figures
    return cache


Ws = Annotated[Workspace, Depends(get_workspace)]
Jobs = Annotated[Runner, Depends(get_runner)]
Figures = Annotated[FigureCache, Depends(get_figures)]


def page(request: Request, name: str, code: int = 200, **context: Any) -> HTMLResponse:
    """A page of the app rendered with ``context``."""
    tpl: Jinja2Templates = request.app.state.templates
    response: HTMLResponse = tpl.TemplateResponse(request, name, context, status_code=code)
    return response


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error(request: Request, status: int, message: str, lines: Sequence[str] = ()) -> Response:
    """An error as JSON for the API, as a page for a browser."""
    if wants_json(request):
        return JSONResponse({"error": message, "problems": list(lines)}, status_code=status)
    return page(request, "error.html", status, status=status, message=message, lines=lines)


def problem_json(p: Problem, source: str, view: editor.View | None) -> dict[str, str]:
    """A scenario problem for the editor: its location, message, text and table cell."""
    return {
        "path": p.path,
        "message": p.message,
        "text": p.render(source),
        "cell": view.cell(p.path) if view is not None else "",
    }


def analysis(ws: Workspace, run_id: str) -> Analysis:
    """A run's results.json, read back into an :class:`Analysis`."""
    return Analysis.model_validate_json(ws.run_file(run_id, "results.json").read_text("utf-8"))


def finished(ws: Workspace, run_id: str, name: str) -> Path:
    """A file of a finished run (409 while the run is not done)."""
    meta = ws.run_meta(run_id)
    if meta.get("status") != "done":
        raise HTTPException(409, f"run {run_id} has not finished ({meta.get('status')})")
    return ws.run_file(run_id, name)
