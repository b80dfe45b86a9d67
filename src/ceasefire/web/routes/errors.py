"""Every error as a sentence for the user (a page, or JSON under ``/api/``), never a traceback."""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from ceasefire.scenario import ScenarioError
from ceasefire.web.routes.deps import error
from ceasefire.web.sandbox import BudgetExceeded
from ceasefire.web.store import UnknownId

log = logging.getLogger("ceasefire.web")

_MESSAGES = {404: "no such page", 405: "this address does not accept that method"}


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else ""
    if detail == HTTPStatus(exc.status_code).phrase:  # Starlette's generic detail
        detail = ""
    return error(request, exc.status_code, detail or _MESSAGES.get(exc.status_code, "error"))


async def unknown_id(request: Request, exc: Exception) -> Response:
    return error(request, 404, str(exc))


async def bad_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    lines = []
    for e in exc.errors():
        loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body", "query"))
        lines.append(f"{loc}: {e.get('msg', 'invalid')}" if loc else str(e.get("msg")))
    return error(request, 422, "the request is not what this page expects", lines)


async def scenario_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ScenarioError)
    return error(request, 422, "the scenario cannot be read", exc.lines(located=True))


async def over_budget(request: Request, exc: Exception) -> Response:
    return error(request, 422, str(exc))


async def disconnected(request: Request, exc: Exception) -> Response:
    # the client went away (mid-upload): nobody reads the answer, and it is no server error
    log.info("client disconnected on %s %s", request.method, request.url.path)
    return Response(status_code=400)


async def internal(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error(request, 500, "internal error (the server's log has the details)")


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(UnknownId, unknown_id)
    app.add_exception_handler(RequestValidationError, bad_request)
    app.add_exception_handler(ScenarioError, scenario_error)
    app.add_exception_handler(BudgetExceeded, over_budget)
    app.add_exception_handler(ClientDisconnect, disconnected)
    app.add_exception_handler(Exception, internal)
