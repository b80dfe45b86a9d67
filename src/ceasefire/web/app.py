"""The local web app: pick or upload a scenario, edit it, run it, read and compare results.

``create_app(workspace)`` builds the FastAPI application; ``ceasefire serve`` runs it with
uvicorn. The app renders :class:`~ceasefire.analysis.Analysis` data with the report's own
charts and sentences and computes nothing of its own. Every file it touches lives in the
workspace folder, under names it generated (:mod:`ceasefire.web.store`).
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from http import HTTPStatus
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from starlette.exceptions import HTTPException

from ceasefire import __version__
from ceasefire.report import charts
from ceasefire.report import html as html_report
from ceasefire.scenario import (
    Problem,
    ScenarioError,
    builtin_ids,
    builtin_text,
    geometry_or_none,
    loads,
)
from ceasefire.web import compare, editor, views
from ceasefire.web.guard import LOOPBACK_HOSTS, MAX_BODY, Guard
from ceasefire.web.jobs import Runner
from ceasefire.web.store import UnknownId, Workspace, display_name, now
from ceasefire.web.uploads import UploadError, file_from_multipart

log = logging.getLogger("ceasefire.web")

MAX_DRAWS = 100_000
MAX_SWEEP_DRAWS = 20_000
DEFAULT_DRAWS = 2000


class RunRequest(BaseModel):
    """What the editor sends to start a run.

    ``kind``: ``single`` (the central analysis; ``draws`` are the Monte Carlo draws of the
    deterrence and durability models) or ``sweep`` (also every stated range, ``draws`` times,
    as ``ceasefire run --draws N``: at most :data:`MAX_SWEEP_DRAWS`).
    """

    model_config = ConfigDict(extra="forbid")
    kind: Literal["single", "sweep"] = "single"
    draws: int = Field(DEFAULT_DRAWS, ge=10, le=MAX_DRAWS)
    seed: int | None = Field(None, ge=0, le=2**63 - 1)

    @field_validator("draws")
    @classmethod
    def _sweep_draws(cls, draws: int, info: ValidationInfo) -> int:
        if info.data.get("kind") == "sweep" and draws > MAX_SWEEP_DRAWS:
            raise PydanticCustomError(
                "sweep_draws",
                "a sweep takes 10 to {limit} draws, not {draws}",
                {"limit": f"{MAX_SWEEP_DRAWS:,}", "draws": f"{draws:,}"},
            )
        return draws


def _templates() -> Jinja2Templates:
    env = Environment(
        # the report's templates too: the uncertainty section is the report's own fragment
        loader=ChoiceLoader(
            [
                PackageLoader("ceasefire.web", "templates"),
                PackageLoader("ceasefire.report", "templates"),
            ]
        ),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda x: "—" if x is None else f"{100 * x:.1f}%"
    env.filters["num"] = lambda x, fmt="%.3f": "—" if x is None else fmt % x
    # numerically zero (float noise such as 1e-16) shown as 0
    env.filters["sig"] = lambda x, fmt="%.3g": (
        "—" if x is None else fmt % (x if abs(x) > 1e-9 else 0)
    )
    env.globals["version"] = __version__
    env.globals["zip"] = zip  # (the report's uncertainty fragment uses it)
    return Jinja2Templates(env=env)


def _problem_json(p: Problem, source: str, view: editor.View | None) -> dict[str, str]:
    return {
        "path": p.path,
        "message": p.message,
        "text": p.render(source),
        "cell": view.cell(p.path) if view is not None else "",
    }


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(
    workspace: Path,
    *,
    allowed_hosts: Sequence[str] | None = LOOPBACK_HOSTS,
    max_body: int = MAX_BODY,
    sweep_options: Mapping[str, Any] | None = None,
) -> FastAPI:
    """The web app over one workspace folder (created if missing).

    ``allowed_hosts``: the Host headers accepted (``None``: any, for ``--host`` other than
    loopback). ``max_body``: the largest request body accepted, in bytes. ``sweep_options``:
    ``sobol_n`` and ``morris_r`` of every sweep (default: those of ``ceasefire run --draws``).
    """
    ws = Workspace(workspace)
    ws.mark_interrupted()
    runner = Runner(ws, sweep_options=sweep_options)
    templates = _templates()
    figure_cache = views.FigureCache()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
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
    app.add_middleware(Guard, max_body=max_body, allowed_hosts=allowed_hosts)
    static = resources.files("ceasefire.web") / "static"
    app.mount("/static/app", StaticFiles(directory=str(static)), name="static")

    def page(request: Request, name: str, code: int = 200, **context: Any) -> HTMLResponse:
        response: HTMLResponse = templates.TemplateResponse(
            request, name, context, status_code=code
        )
        return response

    def error(request: Request, status: int, message: str, lines: Sequence[str] = ()) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": message, "problems": list(lines)}, status_code=status)
        return page(request, "error.html", status, status=status, message=message, lines=lines)

    # -- errors: a sentence for the user, never a traceback --------------------------------

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        messages = {404: "no such page", 405: "this address does not accept that method"}
        detail = exc.detail if isinstance(exc.detail, str) else ""
        if detail == HTTPStatus(exc.status_code).phrase:  # Starlette's generic detail
            detail = ""
        return error(request, exc.status_code, detail or messages.get(exc.status_code, "error"))

    @app.exception_handler(UnknownId)
    async def unknown_id(request: Request, exc: UnknownId) -> Response:
        return error(request, 404, str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        lines = []
        for e in exc.errors():
            loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body", "query"))
            lines.append(f"{loc}: {e.get('msg', 'invalid')}" if loc else str(e.get("msg")))
        return error(request, 422, "the request is not what this page expects", lines)

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error(request, 500, "internal error (the server's log has the details)")

    # -- pages -----------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        """Start page: the built-in scenarios, the upload form, drafts and runs."""
        return _home(request)

    def _home(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
        builtins = []
        for sid in builtin_ids():
            try:
                title = loads(builtin_text(sid), sid).scenario.title
            except ScenarioError:
                title = "(does not load)"
            builtins.append({"id": sid, "title": title})
        return page(
            request,
            "home.html",
            status,
            builtins=builtins,
            drafts=ws.drafts(),
            runs=ws.runs(),
            workspace=str(ws.root),
            max_mb=max_body // (1024 * 1024),
            **context,
        )

    @app.post("/drafts")
    def new_draft(request: Request, builtin: str = Form(..., max_length=200)) -> Response:
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

    @app.post("/drafts/upload")
    async def upload(request: Request) -> Response:
        """Upload a scenario file (TOML, parsed only, never executed) as a new draft.

        A file that is not UTF-8 or not TOML is refused with its located error; a TOML file
        with problems becomes a draft anyway (so it can be fixed in the editor) and the start
        page lists every problem at its location.
        """
        body = await request.body()
        try:
            filename, data = file_from_multipart(
                request.headers.get("content-type", ""), body, "file"
            )
        except UploadError as err:
            return _home(request, 422, upload_errors=[str(err)])
        name = display_name(filename)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            return _home(request, 422, upload_errors=[f"{name}: not UTF-8 text (byte {err.start})"])
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            return _home(request, 422, upload_errors=[f"{name}: TOML syntax error: {err}"])
        draft_id = ws.create_draft(text, name, f"upload {name}")
        try:
            loads(text, name)
        except ScenarioError as err:
            return _home(
                request, 422, upload_errors=err.lines(), upload_draft=draft_id, upload_name=name
            )
        return RedirectResponse(f"/drafts/{draft_id}", status_code=303)

    @app.get("/drafts/{draft_id}", response_class=HTMLResponse)
    def edit_draft(request: Request, draft_id: str) -> HTMLResponse:
        """The editor: actors and proposals as tables, the rest as TOML, problems on cells."""
        meta = ws.draft_meta(draft_id)
        raw = tomllib.loads(ws.draft_text(draft_id))
        v = editor.view(raw)
        problems = [_problem_json(p, meta["name"], v) for p in editor.problems_of(raw)]
        mc = raw.get("monte_carlo") if isinstance(raw.get("monte_carlo"), dict) else {}
        draws = mc.get("draws") if isinstance(mc, dict) else None
        runs = [r for r in ws.runs() if r.get("draft") == draft_id]
        return page(
            request,
            "editor.html",
            draft=meta,
            view=v,
            problems=problems,
            choices=editor.CHOICES,
            mechanisms=editor.MECHANISMS,
            draws=draws if isinstance(draws, int) and 10 <= draws <= MAX_DRAWS else DEFAULT_DRAWS,
            max_draws=MAX_DRAWS,
            max_sweep_draws=MAX_SWEEP_DRAWS,
            runs=runs,
            title=(raw.get("scenario") or {}).get("title", "")
            if isinstance(raw.get("scenario"), dict)
            else "",
        )

    @app.get("/drafts/{draft_id}/scenario.toml")
    def download_draft(draft_id: str) -> Response:
        """Download a draft as a TOML file."""
        meta = ws.draft_meta(draft_id)
        return Response(
            ws.draft_text(draft_id),
            media_type="application/toml; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{meta["name"]}"'},
        )

    @app.post("/drafts/{draft_id}/delete")
    def delete_draft(draft_id: str) -> Response:
        """Delete a draft (its runs are kept) and go back to the start page."""
        ws.delete_draft(draft_id)
        return RedirectResponse("/", status_code=303)

    def _analysis(run_id: str) -> Any:
        from ceasefire.analysis import Analysis

        return Analysis.model_validate_json(ws.run_file(run_id, "results.json").read_text("utf-8"))

    @app.get("/runs/{run_id}", response_class=HTMLResponse)
    def run_page(request: Request, run_id: str) -> HTMLResponse:
        """A run's results on one page (while it runs: its progress; if it failed: why)."""
        meta = ws.run_meta(run_id)
        others = [r for r in ws.runs() if r.get("status") == "done" and r["id"] != run_id]
        if meta.get("status") != "done":
            return page(request, "run.html", run=meta, others=others, a=None)
        a = _analysis(run_id)
        scenario = loads(ws.run_file(run_id, "scenario.toml").read_text("utf-8"), "run")
        figures = figure_cache.get(run_id, a, geometry_or_none(scenario))
        return page(
            request,
            "run.html",
            run=meta,
            others=others,
            a=a,
            figures=figures,
            u=a.uncertainty,
            ufig=views.uncertainty_figures(figures),
            **views.sentences(a),
        )

    @app.get("/runs/{run_id}/results.json")
    def download_results(run_id: str) -> Response:
        """Download a finished run's results.json (every number, versioned)."""
        path = _finished(run_id, "results.json")
        return FileResponse(path, media_type="application/json", filename="results.json")

    @app.get("/runs/{run_id}/report.html")
    def download_report(run_id: str) -> Response:
        """Download the self-contained report.html of a finished run (rendered once, kept)."""
        from ceasefire.report import html

        path = ws.run_file(run_id, "report.html")
        if not path.is_file():
            _finished(run_id, "results.json")
            scenario = loads(ws.run_file(run_id, "scenario.toml").read_text("utf-8"), "run")
            ws.write_run_file(
                run_id,
                "report.html",
                html.render(_analysis(run_id), scenario, geometry_or_none(scenario)),
            )
        return FileResponse(path, media_type="text/html", filename="report.html")

    @app.get("/runs/{run_id}/scenario.toml")
    def download_run_scenario(run_id: str) -> Response:
        """Download the exact scenario text a run analysed."""
        path = ws.run_file(run_id, "scenario.toml")
        return FileResponse(path, media_type="application/toml", filename="scenario.toml")

    def _finished(run_id: str, name: str) -> Path:
        meta = ws.run_meta(run_id)
        if meta.get("status") != "done":
            raise HTTPException(409, f"run {run_id} has not finished ({meta.get('status')})")
        return ws.run_file(run_id, name)

    @app.get("/compare", response_class=HTMLResponse)
    def compare_page(request: Request, a: str = "", b: str = "") -> HTMLResponse:
        """Two finished runs side by side: changed inputs, then changed conclusions."""
        ma, mb = ws.run_meta(a), ws.run_meta(b)
        for m in (ma, mb):
            if m.get("status") != "done":
                raise HTTPException(409, f"run {m['id']} has not finished ({m.get('status')})")
        text_a = ws.run_file(a, "scenario.toml").read_text("utf-8")
        text_b = ws.run_file(b, "scenario.toml").read_text("utf-8")
        ra, rb = _analysis(a), _analysis(b)
        return page(
            request,
            "compare.html",
            ma=ma,
            mb=mb,
            ra=ra,
            rb=rb,
            inputs=compare.input_changes(tomllib.loads(text_a), tomllib.loads(text_b)),
            conclusions=compare.conclusion_changes(ra, rb),
            diff=compare.text_diff(text_a, text_b),
            heat_a=html_report.figure_html(charts.acceptance_heatmap(ra), "heatmap-a"),
            heat_b=html_report.figure_html(charts.acceptance_heatmap(rb), "heatmap-b"),
        )

    # -- JSON API for the pages' scripts ---------------------------------------------------

    @app.put("/api/drafts/{draft_id}")
    def save_draft(draft_id: str, edit: editor.Edit) -> JSONResponse:
        """Save the editor's tables and raw TOML into the draft; answer with every problem.

        The draft is saved even when the scenario has problems (work is never lost), unless
        the raw TOML does not parse: then nothing is saved and the syntax error is returned.
        """
        meta = ws.draft_meta(draft_id)
        old = tomllib.loads(ws.draft_text(draft_id))
        merged = editor.merge(old, edit)
        if merged.text is None or merged.raw is None:
            return JSONResponse(
                {
                    "saved": False,
                    "valid": False,
                    "problems": [_problem_json(p, meta["name"], None) for p in merged.problems],
                },
                status_code=422,
            )
        scenario = merged.raw.get("scenario")
        title = scenario.get("title") if isinstance(scenario, dict) else None
        ws.save_draft(draft_id, merged.text, title if isinstance(title, str) else None)
        v = editor.view(merged.raw)
        problems = editor.problems_of(merged.raw, merged.problems)
        return JSONResponse(
            {
                "saved": True,
                "valid": not problems,
                "problems": [_problem_json(p, meta["name"], v) for p in problems],
                "dimensions": v.dimensions,
            }
        )

    @app.post("/api/drafts/{draft_id}/runs", status_code=202)
    def start_run(draft_id: str, body: RunRequest) -> JSONResponse:
        """Start analysing the saved draft in the background; answer with the run's id."""
        meta = ws.draft_meta(draft_id)
        text = ws.draft_text(draft_id)
        try:
            scenario = loads(text, meta["name"])
        except ScenarioError as err:
            return JSONResponse(
                {"error": "the draft has problems; fix them first", "problems": err.lines()},
                status_code=422,
            )
        run_id = ws.create_run(
            text,
            {
                "kind": body.kind,
                "status": "queued",
                "draft": draft_id,
                "name": meta["name"],
                "scenario_id": scenario.id,
                "title": scenario.scenario.title,
                "draws": body.draws,
                "seed": body.seed if body.seed is not None else scenario.monte_carlo.seed,
                "created": now(),
            },
        )
        runner.submit(run_id, text, meta["name"], body.draws, body.seed, sweep=body.kind == "sweep")
        return JSONResponse(
            {"id": run_id, "url": f"/runs/{run_id}", "status_url": f"/api/runs/{run_id}"},
            status_code=202,
        )

    @app.get("/api/runs/{run_id}")
    def run_status(run_id: str) -> JSONResponse:
        """A run's status (queued, running, done, failed) for the page that polls it.

        ``progress`` (sweeps only, else null): ``{"stage", "done", "total"}`` — draws done of
        the total; the stage is ``analysis`` (the central run), ``sweep`` (the draws), then
        ``sensitivity`` (Morris, Sobol' and switch points, after the last draw).
        """
        meta = ws.run_meta(run_id)
        keys = ("id", "kind", "status", "error", "created", "started", "finished", "draws")
        return JSONResponse(
            {k: meta.get(k) for k in keys}
            | {
                "progress": meta.get("progress"),
                "seconds": meta.get("seconds"),
                "url": f"/runs/{run_id}",
            }
        )

    @app.get("/static/plotly.min.js")
    def plotly_js() -> Response:
        """plotly.js from the installed plotly package: the pages never need a CDN."""
        return Response(
            _plotly_js(),
            media_type="text/javascript",
            headers={"cache-control": "public, max-age=86400"},
        )

    return app


@lru_cache(maxsize=1)
def _plotly_js() -> bytes:
    return (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()


__all__ = ["create_app"]
