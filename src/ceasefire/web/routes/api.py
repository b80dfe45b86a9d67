"""The JSON API of the pages' scripts: save a draft, start a run, poll a run's status."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from ceasefire.scenario import ScenarioError
from ceasefire.web import editor, sandbox, work
from ceasefire.web.routes.deps import Jobs, Ws, problem_json
from ceasefire.web.routes.drafts import DEFAULT_DRAWS, MAX_DRAWS, MAX_SWEEP_DRAWS
from ceasefire.web.store import now

router = APIRouter(prefix="/api")


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
    note: str = Field("", max_length=500)

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


@router.get("/health")
async def health(runner: Jobs) -> JSONResponse:
    """Is the server answering: runs waiting and running (async: no worker thread needed)."""
    return JSONResponse(
        {"status": "ok", "queued": len(runner.queue), "running": len(runner.running)}
    )


@router.put("/drafts/{draft_id}")
def save_draft(ws: Ws, draft_id: str, edit: editor.Edit) -> JSONResponse:
    """Save the editor's tables and raw TOML into the draft; answer with every problem.

    The draft is saved even when the scenario has problems (work is never lost), unless
    the raw TOML does not parse or the result could not be opened again: then nothing is
    saved and the problem is returned. The merge runs in a bounded worker process.
    """
    meta = ws.draft_meta(draft_id)
    saved: work.Saved = sandbox.call(work.save, ws.draft_text(draft_id), meta["name"], edit)
    if saved.text is None or saved.view is None:
        return JSONResponse(
            {
                "saved": False,
                "valid": False,
                "problems": [problem_json(p, meta["name"], None) for p in saved.problems],
            },
            status_code=422,
        )
    ws.save_draft(draft_id, saved.text, saved.title, edit.note)
    return JSONResponse(
        {
            "saved": True,
            "valid": not saved.problems,
            "problems": [problem_json(p, meta["name"], saved.view) for p in saved.problems],
            "dimensions": saved.view.dimensions,
        }
    )


@router.post("/drafts/{draft_id}/runs", status_code=202)
def start_run(ws: Ws, runner: Jobs, draft_id: str, body: RunRequest) -> JSONResponse:
    """Start analysing the saved draft in the background; answer with the run's id."""
    meta = ws.draft_meta(draft_id)
    text = ws.draft_text(draft_id)
    try:
        scenario: work.Facts = sandbox.call(work.facts, text, meta["name"])
    except ScenarioError as err:
        return JSONResponse(
            {"error": "the draft has problems; fix them first", "problems": err.lines()},
            status_code=422,
        )
    previous = next((r for r in ws.runs() if r.get("draft") == draft_id), None)
    changed = None
    if previous is not None:
        old = ws.run_file(previous["id"], "scenario.toml").read_text("utf-8")
        changed = {"since": previous["id"], **sandbox.call(work.changes, old, text)}
    run_id = ws.create_run(
        text,
        {
            "kind": body.kind,
            "status": "queued",
            "draft": draft_id,
            "name": meta["name"],
            "scenario_id": scenario.id,
            "title": scenario.title,
            "draws": body.draws,
            "seed": body.seed if body.seed is not None else scenario.seed,
            "note": body.note.strip(),
            "changes": changed,
            "created": now(),
        },
    )
    runner.submit(run_id, text, meta["name"], body.draws, body.seed, sweep=body.kind == "sweep")
    return JSONResponse(
        {"id": run_id, "url": f"/runs/{run_id}", "status_url": f"/api/runs/{run_id}"},
        status_code=202,
    )


@router.get("/runs/{run_id}")
def run_status(ws: Ws, runner: Jobs, run_id: str) -> JSONResponse:
    """A run's status (queued, running, done, failed) for the page that polls it.

    ``progress`` (sweeps only, else null): ``{"stage", "done", "total"}`` — draws done of
    the total; the stage is ``analysis`` (the central run), ``sweep`` (the draws), then
    ``sensitivity`` (sensitivity indices and switch points, after the last draw).
    ``position``: the run's place in the queue (1: next to start), null when not waiting.
    """
    meta = ws.run_meta(run_id)
    keys = ("id", "kind", "status", "error", "created", "started", "finished", "draws")
    return JSONResponse(
        {k: meta.get(k) for k in keys}
        | {
            "progress": meta.get("progress"),
            "seconds": meta.get("seconds"),
            "url": f"/runs/{run_id}",
            "position": runner.position(run_id),
            "budget": runner.seconds,
        }
    )


@router.post("/runs/{run_id}/cancel")
def cancel_run(ws: Ws, runner: Jobs, run_id: str) -> JSONResponse:
    """Cancel a queued or running run (its worker process is killed)."""
    ws.run_meta(run_id)  # 404 when unknown
    if not runner.cancel(run_id):
        return JSONResponse(
            {"error": f"run {run_id} is not queued or running", "problems": []}, status_code=409
        )
    return JSONResponse({"id": run_id, "status": "cancelled"})
