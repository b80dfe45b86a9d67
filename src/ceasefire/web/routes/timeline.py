"""``GET /timeline``: the timeline of dated built-in snapshots, the same page as ``ceasefire
timeline --out`` (issue 17). Only built-in ids are accepted (never a path); the built-ins ship
with the package, so a timeline is computed once per set of ids and kept."""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException

from ceasefire.scenario import builtin_ids, builtin_text, loads

router = APIRouter()


@lru_cache(maxsize=4)
def _page(ids: tuple[str, ...]) -> str:
    from ceasefire.report import timeline_view
    from ceasefire.timeline import run_timeline

    return timeline_view.render(run_timeline([loads(builtin_text(i), i) for i in ids]))


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(ids: str = "") -> HTMLResponse:
    """The snapshots named in ``ids`` (comma-separated built-in ids; default: the Ukraine
    snapshots) in date order: who blocks what, P(pass), P(hold), and what changed."""
    from ceasefire.timeline_cli import DEFAULT_SNAPSHOTS

    chosen = tuple(i for i in ids.split(",") if i) or DEFAULT_SNAPSHOTS
    unknown = [i for i in chosen if i not in builtin_ids()]
    if unknown or len(chosen) < 2:
        raise HTTPException(404, f"not two or more built-in scenarios: {', '.join(unknown)}")
    return HTMLResponse(_page(tuple(sorted(set(chosen)))))
