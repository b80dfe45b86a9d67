"""A run's results page and its files (results.json, report.html, scenario.toml)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from ceasefire.report import html, text
from ceasefire.scenario import geometry_or_none, loads
from ceasefire.web import views
from ceasefire.web.routes.deps import Figures, Ws, analysis, finished, page

router = APIRouter(prefix="/runs")


@router.get("/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, ws: Ws, cache: Figures, run_id: str) -> HTMLResponse:
    """A run's results on one page (while it runs: its progress; if it failed: why)."""
    meta = ws.run_meta(run_id)
    others = [r for r in ws.runs() if r.get("status") == "done" and r["id"] != run_id]
    if meta.get("status") != "done":
        return page(request, "run.html", run=meta, others=others, a=None)
    a = analysis(ws, run_id)
    # the map is the run's own scenario's (its [map] table), so read the scenario it analysed
    scenario = loads(ws.run_file(run_id, "scenario.toml").read_text("utf-8"), "run")
    figures = cache.get(run_id, a, geometry_or_none(scenario))
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


@router.get("/{run_id}/results.json")
def download_results(ws: Ws, run_id: str) -> Response:
    """Download a finished run's results.json (every number, versioned)."""
    path = finished(ws, run_id, "results.json")
    return FileResponse(path, media_type="application/json", filename="results.json")


@router.get("/{run_id}/report.html")
def download_report(ws: Ws, run_id: str) -> Response:
    """Download the self-contained report.html of a finished run (rendered once, kept)."""
    path = ws.run_file(run_id, "report.html")
    if not path.is_file():
        finished(ws, run_id, "results.json")
        scenario = loads(ws.run_file(run_id, "scenario.toml").read_text("utf-8"), "run")
        report = html.render(analysis(ws, run_id), scenario, geometry_or_none(scenario))
        ws.write_run_file(run_id, "report.html", report)
    return FileResponse(path, media_type="text/html", filename="report.html")


@router.get("/{run_id}/scenario.toml")
def download_run_scenario(ws: Ws, run_id: str) -> Response:
    """Download the exact scenario text a run analysed."""
    path = ws.run_file(run_id, "scenario.toml")
    return FileResponse(path, media_type="application/toml", filename="scenario.toml")
