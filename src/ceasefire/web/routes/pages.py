"""The start page, two runs side by side, and plotly.js served from the installed package."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from ceasefire.report import charts
from ceasefire.report.html import figure_html
from ceasefire.scenario import ScenarioError, builtin_ids, builtin_text, loads
from ceasefire.web import compare, sandbox, work
from ceasefire.web.routes.deps import Ws, analysis, page

router = APIRouter()


@lru_cache(maxsize=1)
def builtins() -> tuple[dict[str, str], ...]:
    """The built-in scenarios' ids and titles, parsed once: they ship with the package."""
    out = []
    for sid in builtin_ids():
        try:
            title = loads(builtin_text(sid), sid).scenario.title
        except ScenarioError:
            title = "(does not load)"
        out.append({"id": sid, "title": title})
    return tuple(out)


def home_page(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    """The start page (also shown, with the problems, after a refused upload)."""
    ws = request.app.state.workspace
    return page(
        request,
        "home.html",
        status,
        builtins=builtins(),
        drafts=ws.drafts(),
        runs=ws.runs(),
        workspace=str(ws.root),
        max_mb=request.app.state.max_body // (1024 * 1024),
        **context,
    )


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """Start page: the built-in scenarios, the upload form, drafts and runs."""
    return home_page(request)


@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, ws: Ws, a: str = "", b: str = "") -> HTMLResponse:
    """Two finished runs side by side: changed inputs, then changed conclusions."""
    ma, mb = ws.run_meta(a), ws.run_meta(b)
    for m in (ma, mb):
        if m.get("status") != "done":
            raise HTTPException(409, f"run {m['id']} has not finished ({m.get('status')})")
    text_a = ws.run_file(a, "scenario.toml").read_text("utf-8")
    text_b = ws.run_file(b, "scenario.toml").read_text("utf-8")
    ra, rb = analysis(ws, a), analysis(ws, b)
    return page(
        request,
        "compare.html",
        ma=ma,
        mb=mb,
        ra=ra,
        rb=rb,
        inputs=sandbox.call(work.compare_inputs, text_a, text_b),
        conclusions=compare.conclusion_changes(ra, rb),
        diff=compare.text_diff(text_a, text_b),
        heat_a=figure_html(charts.acceptance_heatmap(ra), "heatmap-a"),
        heat_b=figure_html(charts.acceptance_heatmap(rb), "heatmap-b"),
    )


@lru_cache(maxsize=1)
def _plotly_js() -> bytes:
    return (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()


@router.get("/static/plotly.min.js")
def plotly_js() -> Response:
    """plotly.js from the installed plotly package: the pages never need a CDN."""
    return Response(
        _plotly_js(),
        media_type="text/javascript",
        headers={"cache-control": "public, max-age=86400"},
    )
