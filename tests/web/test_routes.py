"""The app's shape: routers by concern, shared state, and the start page's cached built-ins."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute

from ceasefire.web.routes import api, drafts, pages, runs
from tests.web.conftest import BUILTIN

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient


def test_every_route_comes_from_a_router(app: Any, client: TestClient) -> None:
    # create_app declares no route of its own: it includes the routers
    assert not any(isinstance(r, APIRoute) for r in app.routes)
    paths = {
        r.path
        for m in (pages, drafts, runs, api)
        for r in m.router.routes
        if isinstance(m.router, APIRouter) and isinstance(r, APIRoute)
    }
    assert {"/", "/drafts", "/runs/{run_id}", "/api/runs/{run_id}", "/compare"} <= paths
    assert client.get("/static/plotly.min.js").status_code == 200


def test_the_app_shares_its_state(app: Any) -> None:
    for name in ("workspace", "runner", "templates", "figures", "max_body"):
        assert getattr(app.state, name) is not None, name


def test_the_start_page_parses_the_builtins_once(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages.builtins.cache_clear()
    calls: list[str] = []
    real = pages.loads

    def counting(text: str, source: str = "") -> Any:
        calls.append(source)
        return real(text, source)

    monkeypatch.setattr(pages, "loads", counting)
    for _ in range(3):
        r = client.get("/")
        assert r.status_code == 200 and BUILTIN in r.text
    assert calls.count(BUILTIN) == 1
    pages.builtins.cache_clear()
