"""A run's results page and its files (results.json, report.html, scenario.toml)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from ceasefire.report import text
from ceasefire.web import sandbox, views, work
from ceasefire.web.routes.deps import Figures, Jobs, Ws, analysis, finished, page

#: rendering a finished run's page or report (about 2 s of CPU for the built-in scenario)
RENDER_BUDGET: dict[str, Any] = {
    "seconds": 120.0,
    "memory": 1024 * sandbox.MiB,
    "what": "rendering the run's charts",
}

router = APIRouter(prefix="/runs")


@router.get("/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, ws: Ws, runner: Jobs, cache: Figures, run_id: str) -> HTMLResponse:
    """A run's results on one page (while it runs: its progress and a cancel button; if it
    failed: why)."""
    meta = ws.run_meta(run_id)
    others = [r for r in ws.runs() if r.get("status") == "done" and r["id"] != run_id]
    if meta.get("status") != "done":
        return page(
            request,
            "run.html",
            run=meta,
            others=others,
            a=None,
            position=runner.position(run_id),
            budget=runner.seconds,
        )
    a = analysis(ws, run_id)
    figures = cache.get(
        run_id,
        ws.run_dir(run_id) / work.FIGURES,
        lambda: sandbox.call(work.render_run, ws.root, run_id, **RENDER_BUDGET),
    )
    return page(
        request,
        "run.html",
        run=meta,
        others=others,
        a=a,
        figures=figures,
        u=a.uncertainty,
        ufig=views.uncertainty_figures(figures),
        **text.sentences(a),
    )


@router.post("/{run_id}/cancel")
def cancel_run(ws: Ws, runner: Jobs, run_id: str) -> Response:
    """Cancel a queued or running run (the page's button) and show the run again."""
    ws.run_meta(run_id)  # 404 when unknown
    runner.cancel(run_id)  # a run that has already ended stays as it ended
    return RedirectResponse(f"/runs/{run_id}", status_code=303)


@router.get("/{run_id}/results.json")
def download_results(ws: Ws, run_id: str) -> Response:
    """Download a finished run's results.json (every number, versioned)."""
    path = finished(ws, run_id, "results.json")
    return FileResponse(path, media_type="application/json", filename="results.json")


@router.get("/{run_id}/report.html")
def download_report(ws: Ws, cache: Figures, run_id: str) -> Response:
    """Download the self-contained report.html of a finished run (rendered once, kept)."""
    path = ws.run_file(run_id, "report.html")
    if not path.is_file():
        finished(ws, run_id, "results.json")
        cache.once(path, lambda: sandbox.call(work.render_report, ws.root, run_id, **RENDER_BUDGET))
    return FileResponse(path, media_type="text/html", filename="report.html")


@router.get("/{run_id}/scenario.toml")
def download_run_scenario(ws: Ws, run_id: str) -> Response:
    """Download the exact scenario text a run analysed."""
    path = ws.run_file(run_id, "scenario.toml")
    return FileResponse(path, media_type="application/toml", filename="scenario.toml")
