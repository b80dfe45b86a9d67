"""The JSON API of the pages' scripts: save a draft, start a run, poll a run's status."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from ceasefire.scenario import ScenarioError, loads, parse_toml
from ceasefire.web import editor
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


@router.put("/drafts/{draft_id}")
def save_draft(ws: Ws, draft_id: str, edit: editor.Edit) -> JSONResponse:
    """Save the editor's tables and raw TOML into the draft; answer with every problem.

    The draft is saved even when the scenario has problems (work is never lost), unless
    the raw TOML does not parse: then nothing is saved and the syntax error is returned.
    """
    meta = ws.draft_meta(draft_id)
    old = parse_toml(ws.draft_text(draft_id))
    merged = editor.merge(old, edit)
    if merged.text is None or merged.raw is None:
        return JSONResponse(
            {
                "saved": False,
                "valid": False,
                "problems": [problem_json(p, meta["name"], None) for p in merged.problems],
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
            "problems": [problem_json(p, meta["name"], v) for p in problems],
            "dimensions": v.dimensions,
        }
    )


@router.post("/drafts/{draft_id}/runs", status_code=202)
def start_run(ws: Ws, runner: Jobs, draft_id: str, body: RunRequest) -> JSONResponse:
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


@router.get("/runs/{run_id}")
def run_status(ws: Ws, run_id: str) -> JSONResponse:
    """A run's status (queued, running, done, failed) for the page that polls it.

    ``progress`` (sweeps only, else null): ``{"stage", "done", "total"}`` — draws done of
    the total; the stage is ``analysis`` (the central run), ``sweep`` (the draws), then
    ``sensitivity`` (sensitivity indices and switch points, after the last draw).
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
