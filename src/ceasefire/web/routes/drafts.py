"""Drafts: open a built-in scenario or upload one, edit it, download it, delete it."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.requests import ClientDisconnect

from ceasefire.scenario import ScenarioError, builtin_ids, builtin_text
from ceasefire.scenario import schema as limits
from ceasefire.web import editor, sandbox, work
from ceasefire.web.routes.deps import Jobs, Ws, error, page, problem_json
from ceasefire.web.routes.pages import home_page
from ceasefire.web.store import display_name
from ceasefire.web.uploads import UploadError, file_from_multipart

#: the most Monte Carlo draws a run takes, and the default
MAX_DRAWS = 100_000
DEFAULT_DRAWS = 2000
#: the most draws a sweep (every stated range) takes from the web app
MAX_SWEEP_DRAWS = 20_000

#: the size limits validation enforces (scenario/schema.py), shown in the editor
LIMITS = {
    "actors": limits.MAX_ACTORS,
    "dimensions": limits.MAX_DIMENSIONS,
    "territorial units": limits.MAX_UNITS,
    "proposals": limits.MAX_PROPOSALS,
    "institutions": limits.MAX_INSTITUTIONS,
    "draws": limits.MAX_SCENARIO_DRAWS,
}

log = logging.getLogger("ceasefire.web")
router = APIRouter(prefix="/drafts")


@router.post("")
def new_draft(request: Request, ws: Ws, builtin: str = Form(..., max_length=200)) -> Response:
    """Open a built-in scenario as a new draft and go to its editor."""
    if builtin not in builtin_ids():
        return error(
            request,
            404,
            f"no built-in scenario {builtin[:60]!r}",
            [f"built-in scenarios: {', '.join(builtin_ids())}"],
        )
    draft_id = ws.create_draft(builtin_text(builtin), f"{builtin}.toml", f"built-in {builtin}")
    return RedirectResponse(f"/drafts/{draft_id}", status_code=303)


@router.post("/upload")
async def upload(request: Request, ws: Ws) -> Response:
    """Upload a scenario file (TOML, parsed only, never executed) as a new draft.

    A file that is not UTF-8 or not TOML is refused with its located error; a TOML file
    with problems becomes a draft anyway (so it can be fixed in the editor) and the start
    page lists every problem at its location. The text is read in a bounded worker process
    (:mod:`ceasefire.web.sandbox`), never in the server's event loop.
    """
    try:
        body = await request.body()
    except ClientDisconnect:  # the browser went away mid-upload: nothing to answer, no traceback
        log.info("client disconnected during an upload")
        return Response(status_code=400)
    try:
        filename, data = file_from_multipart(request.headers.get("content-type", ""), body, "file")
    except UploadError as err:
        return home_page(request, 422, upload_errors=[str(err)])
    name = display_name(filename)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return home_page(request, 422, upload_errors=[f"{name}: not UTF-8 text (byte {err.start})"])
    try:
        problems: list[str] = await run_in_threadpool(sandbox.call, work.upload, text, name)
    except ScenarioError as err:
        return home_page(request, 422, upload_errors=err.lines(located=True))
    except sandbox.BudgetExceeded as err:
        return home_page(request, 422, upload_errors=[f"{name}: {err}"])
    draft_id = ws.create_draft(text, name, f"upload {name}")
    if problems:
        return home_page(
            request, 422, upload_errors=problems, upload_draft=draft_id, upload_name=name
        )
    return RedirectResponse(f"/drafts/{draft_id}", status_code=303)


@router.get("/{draft_id}", response_class=HTMLResponse)
def edit_draft(request: Request, ws: Ws, runner: Jobs, draft_id: str) -> HTMLResponse:
    """The editor: actors and proposals as tables, the rest as TOML, problems on cells."""
    meta = ws.draft_meta(draft_id)
    opened: work.Opened = sandbox.call(work.open_draft, ws.draft_text(draft_id), meta["name"])
    raw, v = opened.raw, opened.view
    mc = raw.get("monte_carlo")
    draws = mc.get("draws") if isinstance(mc, dict) else None
    scenario = raw.get("scenario")
    return page(
        request,
        "editor.html",
        draft=meta,
        view=v,
        problems=[problem_json(p, meta["name"], v) for p in opened.problems],
        choices=editor.CHOICES,
        mechanisms=editor.MECHANISMS,
        draws=draws if isinstance(draws, int) and 10 <= draws <= MAX_DRAWS else DEFAULT_DRAWS,
        max_draws=MAX_DRAWS,
        max_sweep_draws=MAX_SWEEP_DRAWS,
        limits=LIMITS,
        budget=runner.seconds,
        runs=[r for r in ws.runs() if r.get("draft") == draft_id],
        title=scenario.get("title", "") if isinstance(scenario, dict) else "",
    )


@router.get("/{draft_id}/scenario.toml")
def download_draft(ws: Ws, draft_id: str) -> Response:
    """Download a draft as a TOML file."""
    meta = ws.draft_meta(draft_id)
    return Response(
        ws.draft_text(draft_id),
        media_type="application/toml; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{meta["name"]}"'},
    )


@router.post("/{draft_id}/delete")
def delete_draft(ws: Ws, draft_id: str) -> Response:
    """Delete a draft (its runs are kept) and go back to the start page."""
    ws.delete_draft(draft_id)
    return RedirectResponse("/", status_code=303)
