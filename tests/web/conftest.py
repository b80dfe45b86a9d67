"""Fixtures of the web tests: an app over a temporary workspace, and a real server.

Unit tests drive the app in process with FastAPI's TestClient; the server fixture runs the
same app under uvicorn on 127.0.0.1 and a free port in a background thread, for the
browser tests and the disconnect tests.
"""

from __future__ import annotations

import socket
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    # starlette's notice about httpx vs httpx2: not ours to act on
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from ceasefire.web import create_app

BUILTIN = "ukraine-2024-11"
TEST_DRAWS = 20  # modest Monte Carlo: the web layer is under test, not the models
# a small Morris design on request (next to the default given-data indices), so the pages'
# Morris table is under test too; the sensitivity step then takes a fraction of a second
TEST_SWEEP: dict[str, Any] = {"sensitivity": "morris", "morris_r": 2}

TINY = """\
[scenario]
id = "tiny"
title = "A tiny two-actor scenario"

[[dimensions]]
id = "alliance"

[[dimensions]]
id = "sovereignty"

[status_quo]
position = { alliance = 40, sovereignty = 50 }

[[actors]]
id = "A"
capability = 10
position = { alliance = 60, sovereignty = 50 }
salience = { alliance = 50, sovereignty = 50 }

[[actors]]
id = "B"
capability = 10
position = { alliance = 20, sovereignty = 30 }
salience = { alliance = 50, sovereignty = 50 }
red_lines = ["alliance <= 50"]

[[proposals]]
id = "deal"
position = { alliance = 45, sovereignty = 45 }
requires = ["both"]

[[institutions]]
id = "both"
rule = "unanimity"
members = ["A", "B"]
"""

# TINY with actor A's salience on alliance removed: loads as TOML, fails validation
BROKEN = TINY.replace(
    "salience = { alliance = 50, sovereignty = 50 }\n", "salience = { sovereignty = 50 }\n", 1
)


@pytest.fixture
def app(tmp_path: Path) -> Any:
    return create_app(tmp_path / "workspace", sweep_options=TEST_SWEEP)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://localhost") as c:
        yield c


def open_builtin(client: TestClient, builtin: str = BUILTIN) -> str:
    """Open a built-in scenario as a draft; return the draft's id."""
    r = client.post("/drafts", data={"builtin": builtin}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return str(r.headers["location"]).rsplit("/", 1)[1]


def wait_run(client: TestClient, run_id: str, timeout: float = 60.0) -> dict[str, Any]:
    """Poll a run until it is done or failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status: dict[str, Any] = client.get(f"/api/runs/{run_id}").json()
        if status["status"] in ("done", "failed"):
            return status
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """uvicorn serving the app on 127.0.0.1 in a background thread."""

    def __init__(self, workspace: Path):
        import uvicorn

        self.app = create_app(workspace, sweep_options=TEST_SWEEP)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with Server(tmp_path_factory.mktemp("web") / "workspace") as s:
        yield s
