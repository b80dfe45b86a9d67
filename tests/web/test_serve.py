"""`ceasefire serve`: prints its address, binds loopback unless told, warns otherwise."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ceasefire.cli import app

runner = CliRunner()


@pytest.fixture
def fake_uvicorn(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    import uvicorn

    seen: dict[str, Any] = {}

    def run(web_app: Any, host: str, port: int, **kw: Any) -> None:
        seen.update(app=web_app, host=host, port=port)

    monkeypatch.setattr(uvicorn, "run", run)
    return seen


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_serve_defaults_to_loopback(fake_uvicorn: dict[str, Any], tmp_path: Path) -> None:
    port = free_port()
    ws = tmp_path / "ws"
    r = runner.invoke(app, ["serve", "--port", str(port), "--workspace", str(ws)])
    assert r.exit_code == 0, r.output
    assert f"http://127.0.0.1:{port}/" in r.output
    assert "warning" not in r.output
    assert fake_uvicorn["host"] == "127.0.0.1" and fake_uvicorn["port"] == port
    assert (ws / "drafts").is_dir() and (ws / "runs").is_dir()


def test_serve_on_other_hosts_warns(fake_uvicorn: dict[str, Any], tmp_path: Path) -> None:
    port = free_port()
    r = runner.invoke(
        app, ["serve", "--host", "0.0.0.0", "--port", str(port), "--workspace", str(tmp_path)]
    )
    assert r.exit_code == 0, r.output
    assert "warning: binding 0.0.0.0" in r.output and "no login" in r.output
    assert fake_uvicorn["host"] == "0.0.0.0"


def test_serve_on_a_busy_port_fails_with_a_sentence(
    fake_uvicorn: dict[str, Any], tmp_path: Path
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = runner.invoke(app, ["serve", "--port", str(port), "--workspace", str(tmp_path)])
    assert r.exit_code == 2
    assert f"--port {port}: cannot listen there" in r.output
    assert "Traceback" not in r.output and not fake_uvicorn


def test_serve_with_an_unusable_workspace(fake_uvicorn: dict[str, Any], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    r = runner.invoke(
        app, ["serve", "--port", str(free_port()), "--workspace", str(blocker / "ws")]
    )
    assert r.exit_code == 2 and "cannot use this folder" in r.output
