"""Issue 20: untrusted text and runs are bounded in time and memory; runs queue and cancel."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ceasefire.web import create_app, sandbox
from ceasefire.web.jobs import Runner
from ceasefire.web.store import Workspace, now
from tests.web import workers
from tests.web.conftest import TINY, open_builtin
from tests.web.test_app import start_run, upload


def big_scenario(actors: int) -> str:
    """TINY with ``actors`` more actors (valid but for their number)."""
    row = (
        '\n[[actors]]\nid = "X{i}"\ncapability = 1\n'
        "position = {{ alliance = 50, sovereignty = 50 }}\n"
        "salience = {{ alliance = 50, sovereignty = 50 }}\n"
    )
    extra = "".join(row.format(i=i) for i in range(actors))
    return TINY.replace("[[proposals]]", extra + "\n[[proposals]]")


def queued_run(ws: Workspace) -> str:
    return ws.create_run(TINY, {"kind": "single", "status": "queued", "created": now()})


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead too
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        return f.read().split(")")[-1].split()[0] != "Z"


# -- the sandbox ------------------------------------------------------------------------------


def test_work_over_its_time_budget_is_killed_with_a_sentence() -> None:
    start = time.monotonic()
    with pytest.raises(sandbox.BudgetExceeded, match=r"time budget of 0\.5 s") as err:
        sandbox.call(workers.spin, 30.0, seconds=0.5, what="spinning")
    assert err.value.kind == "time"
    assert time.monotonic() - start < 20  # not the 30 s of work
    assert sandbox.call(workers.spin, 0.0, seconds=30) == "finished"


def test_work_over_its_memory_budget_is_stopped_with_a_sentence() -> None:
    with pytest.raises(sandbox.BudgetExceeded, match=r"memory budget of 64 MB") as err:
        sandbox.call(workers.hog, 512, memory=64 * sandbox.MiB, what="hogging")
    assert err.value.kind == "memory"
    assert sandbox.call(workers.hog, 8, memory=256 * sandbox.MiB) == 8


def test_an_upload_over_the_parse_budget_is_a_located_refusal(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no time at all: validation takes milliseconds, the budget one microsecond
    monkeypatch.setattr(sandbox, "PARSE_SECONDS", 1e-6)
    r = upload(client, "tiny.toml", TINY.encode())
    assert r.status_code == 422
    assert (
        "tiny.toml: reading the scenario stopped" in r.text and "time budget of 1e-06 s" in r.text
    )
    assert 'class="top"' in r.text  # the app's page, styled
    assert client.get("/").status_code == 200
    assert not client.app.state.workspace.drafts()  # type: ignore[attr-defined]


# -- runs: budget, cancel, queue ----------------------------------------------------------------


def test_an_unexpected_error_in_a_run_is_a_failed_run(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    runner = Runner(ws, target=workers.explode)
    run_id = queued_run(ws)
    runner.submit(run_id, TINY, "tiny.toml", 20, None)
    runner.wait(60)
    meta = ws.run_meta(run_id)
    assert meta["status"] == "failed"
    assert meta["error"].startswith("internal error") and "exploded" not in meta["error"]


def test_a_run_over_its_time_budget_is_stopped_with_a_clear_message(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    runner = Runner(ws, target=workers.sleep, seconds=1.0)
    run_id = queued_run(ws)
    runner.submit(run_id, TINY, "tiny.toml", 20, None)
    runner.wait(60)
    meta = ws.run_meta(run_id)
    assert meta["status"] == "failed"
    assert meta["error"] == "the run stopped: it took longer than its time budget of 1 s"


def test_runs_queue_show_their_position_and_cancel(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    runner = Runner(ws, max_workers=1, target=workers.sleep)
    first, second, third = (queued_run(ws) for _ in range(3))
    for run_id in (first, second, third):
        runner.submit(run_id, TINY, "tiny.toml", 20, None)
    assert runner.position(first) is None  # running
    assert (runner.position(second), runner.position(third)) == (1, 2)
    assert runner.cancel(second)  # queued: dropped from the queue
    assert ws.run_meta(second)["status"] == "cancelled" and runner.position(third) == 1
    deadline = time.monotonic() + 60
    while ws.run_meta(first)["status"] != "running" and time.monotonic() < deadline:
        time.sleep(0.05)
    child = runner.running[first]
    assert child is not None and child.proc.pid is not None
    pid = child.proc.pid
    assert runner.cancel(first)  # running: its process is killed, the next one starts
    deadline = time.monotonic() + 30
    while runner.position(third) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert runner.position(third) is None and not alive(pid)
    assert ws.run_meta(first)["status"] == "cancelled"
    assert runner.cancel(third)
    runner.wait(30)
    assert ws.run_meta(third)["status"] == "cancelled"
    assert not runner.cancel(first)  # already ended


def test_the_run_page_cancels_and_the_status_says_the_queue_position(tmp_path: Path) -> None:
    app = create_app(tmp_path / "ws")
    app.state.runner.target = workers.sleep
    app.state.runner.max_workers = 1
    with TestClient(app, base_url="http://localhost") as client:
        draft = open_builtin(client)
        first, second = start_run(client, draft), start_run(client, draft)
        status = client.get(f"/api/runs/{second}").json()
        assert status["status"] == "queued" and status["position"] == 1
        page = client.get(f"/runs/{second}")
        assert 'id="cancel-run"' in page.text and "1st in the queue" in page.text
        r = client.post(f"/runs/{second}/cancel", follow_redirects=False)
        assert r.status_code == 303
        assert client.get(f"/api/runs/{second}").json()["status"] == "cancelled"
        r = client.post(f"/api/runs/{first}/cancel")
        assert r.status_code == 200
        app.state.runner.wait(30)
        assert client.get(f"/api/runs/{first}").json()["status"] == "cancelled"
        assert "cancelled" in client.get(f"/runs/{first}").text
        assert client.post(f"/api/runs/{first}/cancel").status_code == 409


def test_a_thousand_actor_scenario_is_refused_at_validation(client: TestClient) -> None:
    r = upload(client, "big.toml", big_scenario(1000).encode())
    assert r.status_code == 422
    assert "actors: more than 150 entries" in r.text
    draft = client.app.state.workspace.drafts()[0]["id"]  # type: ignore[attr-defined]
    r = client.post(f"/api/drafts/{draft}/runs", json={"draws": 20})
    assert r.status_code == 422
    assert any("more than 150" in line for line in r.json()["problems"])
    editor = client.get(f"/drafts/{draft}")
    assert editor.status_code == 200 and "150 actors" in editor.text  # the limits are shown


def test_the_server_answers_while_runs_fill_the_workers(tmp_path: Path) -> None:
    app = create_app(tmp_path / "ws")
    app.state.runner.target = workers.sleep
    with TestClient(app, base_url="http://localhost") as client:
        draft = open_builtin(client)
        runs = [start_run(client, draft) for _ in range(4)]
        start = time.monotonic()
        assert client.get("/").status_code == 200
        assert client.get(f"/drafts/{draft}").status_code == 200
        assert time.monotonic() - start < 10
        for run_id in runs:
            client.post(f"/api/runs/{run_id}/cancel")
        app.state.runner.wait(30)


# -- issue 18 item 8: names, notes and what changed ---------------------------------------------


def test_runs_and_drafts_carry_notes_and_say_what_changed(client: TestClient) -> None:
    from tests.web.test_app import edit_of, set_hungary

    app = client.app
    draft = open_builtin(client)
    edit = edit_of(app, draft)
    r = client.put(f"/api/drafts/{draft}", json={**edit, "note": "Hungary softened"})
    assert r.status_code == 200
    first = client.post(f"/api/drafts/{draft}/runs", json={"draws": 20, "note": "baseline"})
    set_hungary(edit, "<= 60")
    client.put(f"/api/drafts/{draft}", json=edit)  # no note: the draft keeps its note
    second = client.post(f"/api/drafts/{draft}/runs", json={"draws": 20, "note": "HUN at 60"})
    app.state.runner.wait(180)  # type: ignore[attr-defined]
    meta = app.state.workspace.run_meta(second.json()["id"])  # type: ignore[attr-defined]
    assert meta["note"] == "HUN at 60"
    assert meta["changes"]["count"] == 1 and meta["changes"]["since"] == first.json()["id"]
    (path,) = meta["changes"]["paths"]
    assert path.startswith("actors[") and ".red_lines" in path
    home = client.get("/").text
    assert "baseline" in home and "HUN at 60" in home and "Hungary softened" in home
    assert "1 input changed since the previous run" in home
    page = client.get(f"/drafts/{draft}").text
    assert "1 input changed since the previous run" in page and 'value="Hungary softened"' in page


def test_long_names_are_not_clipped_in_the_editor(client: TestClient) -> None:
    long = "A very long actor name " * 6
    r = upload(
        client, "long.toml", TINY.replace('id = "A"\n', f'id = "A"\nname = "{long}"\n').encode()
    )
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert f'title="{long}"' in page and "w10 grow" in page
    assert "field-sizing: content" in client.get("/static/app/app.css").text


# -- no 500s: hostile headers, oversize bodies, odd keys ------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1:8765@evil.example", "evil.example", "127.0.0.1.evil.example", "127.0.0.1/x", ""],
)
def test_a_host_header_is_parsed_not_split(client: TestClient, host: str) -> None:
    r = client.get("/", headers={"host": host})
    assert r.status_code == 400 and "unexpected Host header" in r.text
    assert 'class="top"' in r.text  # the app's own page


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost", "[::1]:8765", "LOCALHOST:1"])
def test_loopback_host_headers_pass(client: TestClient, host: str) -> None:
    assert client.get("/", headers={"host": host}).status_code == 200


def test_the_413_page_is_styled(client: TestClient) -> None:
    r = client.post("/drafts/upload", content=b"x" * (3 * 1024 * 1024))
    assert r.status_code == 413
    assert '<link rel="stylesheet" href="/static/app/app.css">' in r.text
    assert 'class="top"' in r.text and "larger than 2 MB" in r.text


def test_a_top_level_empty_key_is_located(client: TestClient) -> None:
    r = upload(client, "empty-key.toml", ('# a comment\n\n"" = 1\n' + TINY).encode())
    assert r.status_code == 422
    assert "empty-key.toml: &#34;&#34;: unknown field [line 3]" in r.text


def test_a_scenario_error_anywhere_is_a_located_422(client: TestClient) -> None:
    draft = open_builtin(client)
    ws = client.app.state.workspace  # type: ignore[attr-defined]
    (ws.draft_path(draft, ".toml")).write_text("x = [\n", "utf-8")  # damaged on disk
    r = client.get(f"/drafts/{draft}")
    assert r.status_code == 422 and "TOML syntax error" in r.text and 'class="top"' in r.text


# -- render once ------------------------------------------------------------------------------


def test_concurrent_first_views_render_once(tmp_path: Path) -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from ceasefire.web.views import FigureCache

    cache = FigureCache()
    path = tmp_path / "figures.json"
    calls = []
    gate = threading.Event()

    def render() -> None:
        calls.append(1)
        gate.wait(5)  # slow: every other view arrives while this one renders
        path.write_text('{"map": "<div></div>"}', "utf-8")

    with ThreadPoolExecutor(10) as pool:
        futures = [pool.submit(cache.get, "run", path, render) for _ in range(10)]
        time.sleep(0.3)
        gate.set()
        results = [f.result(10) for f in futures]
    assert len(calls) == 1 and all(r == {"map": "<div></div>"} for r in results)


def test_a_finished_run_keeps_its_rendered_figures(client: TestClient) -> None:
    draft = open_builtin(client)
    run_id = start_run(client, draft)
    client.app.state.runner.wait(180)  # type: ignore[attr-defined]
    folder = client.app.state.workspace.run_dir(run_id)  # type: ignore[attr-defined]
    assert (folder / "figures.json").is_file()  # rendered by the run's worker
    stamp = (folder / "figures.json").stat().st_mtime_ns
    assert client.get(f"/runs/{run_id}").status_code == 200
    assert (folder / "figures.json").stat().st_mtime_ns == stamp  # read, not rendered again
    (folder / "figures.json").unlink()  # a run of an older version: rendered on first view
    client.app.state.figures = type(client.app.state.figures)()  # type: ignore[attr-defined]
    assert client.get(f"/runs/{run_id}").status_code == 200
    assert (folder / "figures.json").is_file()


def test_ranges_and_sources_are_edited_in_the_actors_table(client: TestClient) -> None:
    import tomllib

    from tests.web.test_app import edit_of

    app = client.app
    draft = open_builtin(client)
    ws = app.state.workspace  # type: ignore[attr-defined]
    before = tomllib.loads(ws.draft_text(draft))
    edit = edit_of(app, draft)
    assert edit["actors"][0]["range"]["alliance"] == "60, 100"  # as the page shows it
    assert client.put(f"/api/drafts/{draft}", json=edit).json()["valid"]
    assert tomllib.loads(ws.draft_text(draft)) == before  # shown and sent back: unchanged
    edit["actors"][0]["range"]["alliance"] = "[55, 95]"
    edit["actors"][0]["range"]["sanctions"] = ""  # no range any more
    edit["actors"][0]["source"] = "a new source"
    r = client.put(f"/api/drafts/{draft}", json=edit)
    assert r.status_code == 200 and r.json()["valid"], r.json()
    actor = tomllib.loads(ws.draft_text(draft))["actors"][0]
    assert actor["range"]["alliance"] == [55, 95] and "sanctions" not in actor["range"]
    assert actor["source"] == "a new source"
    assert actor["range"]["war_cost"] == before["actors"][0]["range"]["war_cost"]
    edit["actors"][0]["range"]["alliance"] = "wide"
    problems = client.put(f"/api/drafts/{draft}", json=edit).json()["problems"]
    assert any(p["cell"] == "actors[0].range.alliance" for p in problems), problems
    page = client.get(f"/drafts/{draft}").text
    assert 'data-path="actors[0].range.alliance" value="wide"' in page
    assert 'value="a new source"' in page
