"""Sweeps from the web app: N draws over every stated range, with progress, then the section.

A sweep run does what ``ceasefire run --draws N`` does (the central analysis, then
``sweep_in_memory``), in the background worker, reporting draws done through the polled
status; the results page then shows the report's own uncertainty section.
"""

from __future__ import annotations

import html
import re
import warnings
from typing import Any

import pytest

from ceasefire.scenario import loads
from ceasefire.uncertainty.backends import sweep_in_memory
from tests.web.conftest import TEST_SWEEP, open_builtin, wait_run
from tests.web.test_app import edit_of, set_red_line

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

SWEEP_DRAWS = 200  # enough for the given-data indices (sensitivity.MIN_DRAWS)


def start_sweep(client: TestClient, draft_id: str, draws: int = SWEEP_DRAWS, **extra: Any) -> str:
    r = client.post(f"/api/drafts/{draft_id}/runs", json={"kind": "sweep", "draws": draws, **extra})
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One finished sweep of the built-in scenario (shared: the pages only read it)."""
    from ceasefire.web import create_app

    app = create_app(tmp_path_factory.mktemp("sweep") / "ws", sweep_options=TEST_SWEEP)
    with TestClient(app, base_url="http://localhost") as client:
        draft_id = open_builtin(client)
        run_id = start_sweep(client, draft_id, seed=3)
        assert wait_run(client, run_id)["status"] == "done"
        yield client, run_id


def test_the_editor_offers_single_runs_and_sweeps(client: TestClient) -> None:
    page = client.get(f"/drafts/{open_builtin(client)}").text
    assert 'name="run-kind" value="single" checked' in page
    assert 'name="run-kind" value="sweep"' in page
    assert 'data-max-sweep="20000"' in page
    assert "Single runs only" not in page and "not available" not in page


@pytest.mark.slow  # several seconds (README: the quick subset leaves it out)
def test_sweep_reports_its_progress(
    client: TestClient, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Draws done of the total, chunk by chunk (500 draws each), then sensitivity, then done.

    The run's work (:func:`ceasefire.web.work.execute`, what the worker process runs) is
    called here in this process, so its meta.json updates can be recorded; the web run of the
    same sweep then ends with the same final progress.
    """
    from ceasefire.web import work
    from ceasefire.web.store import Workspace

    ws = app.state.workspace
    seen: list[dict[str, Any]] = []
    update = Workspace.update_run

    def recording(self: Workspace, run_id: str, **changes: Any) -> dict[str, Any]:
        if "progress" in changes:
            seen.append(changes["progress"])
        return update(self, run_id, **changes)

    draft_id = open_builtin(client)
    text = ws.draft_text(draft_id)
    run_id = ws.create_run(text, {"kind": "sweep", "status": "queued", "draws": 1100})
    monkeypatch.setattr(Workspace, "update_run", recording)
    work.execute(work.Job(ws.root, run_id, text, "x.toml", 1100, None, True, TEST_SWEEP))
    monkeypatch.undo()
    assert [(p["stage"], p["done"]) for p in seen] == [
        ("analysis", 0),
        ("sweep", 0),
        ("sweep", 500),
        ("sweep", 1000),
        ("sensitivity", 1100),
        ("done", 1100),
    ]
    assert all(p["total"] == 1100 for p in seen)
    web_id = start_sweep(client, draft_id, draws=1100)
    polled = client.get(f"/api/runs/{web_id}").json()
    assert polled["kind"] == "sweep" and polled["draws"] == 1100
    status = wait_run(client, web_id, timeout=180)
    assert status["status"] == "done"
    assert status["progress"] == {"stage": "done", "done": 1100, "total": 1100}


def test_a_single_run_has_no_progress_nor_uncertainty(client: TestClient) -> None:
    r = client.post(f"/api/drafts/{open_builtin(client)}/runs", json={"draws": 20})
    run_id = r.json()["id"]
    status = wait_run(client, run_id)
    assert status["kind"] == "single" and status["progress"] is None
    assert client.get(f"/runs/{run_id}/results.json").json()["uncertainty"] is None
    page = client.get(f"/runs/{run_id}").text
    assert 'id="uncertainty"' not in page and "P(passes)" not in page


def test_finished_sweep_stores_the_uncertainty_summary(swept: Any) -> None:
    client, run_id = swept
    data = client.get(f"/runs/{run_id}/results.json").json()
    u = data["uncertainty"]
    assert u["draws"] == SWEEP_DRAWS and u["spec"]["seed"] == 3
    assert data["monte_carlo"] == {**data["monte_carlo"], "draws": SWEEP_DRAWS, "seed": 3}
    assert {p["id"] for p in u["proposals"]} == {p["id"] for p in data["proposals"]}
    assert u["sensitivity"]["method"] == TEST_SWEEP["sensitivity"]
    assert u["sensitivity"]["morris_r"] == TEST_SWEEP["morris_r"]
    assert u["switch_points"]
    # what `ceasefire run --draws 200 --seed 3` stores
    scenario = loads(client.get(f"/runs/{run_id}/scenario.toml").text, "x")
    expected = sweep_in_memory(scenario, SWEEP_DRAWS, 3, **TEST_SWEEP)
    assert u == expected.model_dump(mode="json")


def test_results_page_shows_the_uncertainty_section(swept: Any) -> None:
    client, run_id = swept
    u = client.get(f"/runs/{run_id}/results.json").json()["uncertainty"]
    page = client.get(f"/runs/{run_id}")
    assert page.status_code == 200
    text = page.text
    assert 'href="#uncertainty"' in text and 'id="uncertainty"' in text
    assert "How sure are we: 200 draws over every stated range" in text
    # pass probabilities per proposal and institution, acceptance probabilities: the report's
    for anchor in ("pass-probability", "acceptance-prob"):
        assert f'id="{anchor}"' in text
    assert "P(nato-accession)" in text
    wgm = next(p for p in u["proposals"] if p["id"] == "west-german-model")
    share = f"{100 * wgm['passes']['p_pass']:.1f}%"
    assert re.search(rf'id="summary-west-german-model".*?{re.escape(share)}', text, re.S)
    # switch points in words
    assert "Switch points: the single assumption that flips a conclusion" in text
    for e in u["switch_points"]:
        for s in e["switches"]:
            assert html.escape(s["sentence"]) in text
        if not e["switches"]:
            verdict = "passes" if e["central"] else "fails"
            assert f"{e['proposal']} {verdict} {e['institution']} whatever" in text
    # sensitivity: the given-data indices (table and the report's tornado charts) and Morris
    assert "Sensitivity: which inputs drive each headline output" in text
    assert 'id="tornado-' in text
    assert 'id="morris-table"' in text and "μ*" in text
    assert "Traceback" not in text


def test_report_of_a_sweep_has_the_section(swept: Any) -> None:
    client, run_id = swept
    report = client.get(f"/runs/{run_id}/report.html")
    assert report.status_code == 200
    assert "How sure are we: 200 draws" in report.text and 'id="pass-probability"' in report.text


def test_runs_lists_say_sweep(swept: Any) -> None:
    client, run_id = swept
    home = client.get("/").text
    assert re.search(
        rf'href="/runs/{run_id}".*?200<br><span class="small">sweep</span>', home, re.S
    )


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"kind": "sweep", "draws": 5}, "draws: Input should be greater than or equal to 10"),
        ({"kind": "sweep", "draws": 20_001}, "draws: a sweep takes 10 to 20,000 draws, not 20,001"),
        ({"kind": "sweep", "draws": 100_000}, "a sweep takes 10 to 20,000 draws"),
        ({"kind": "sweep", "draws": "many"}, "draws: Input should be a valid integer"),
        ({"kind": "sweeps", "draws": 40}, "kind: Input should be 'single' or 'sweep'"),
        ({"kind": "sweep", "draws": 40, "sobol_n": 4}, "sobol_n: Extra inputs are not permitted"),
    ],
)
def test_invalid_sweep_is_a_readable_422(
    client: TestClient, app: Any, body: dict[str, Any], says: str
) -> None:
    r = client.post(f"/api/drafts/{open_builtin(client)}/runs", json=body)
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert any(says in line for line in problems), problems
    assert "Traceback" not in r.text
    assert app.state.workspace.runs() == []


def test_single_runs_keep_their_larger_limit() -> None:
    from ceasefire.web.app import MAX_DRAWS, MAX_SWEEP_DRAWS, RunRequest

    assert RunRequest(kind="single", draws=MAX_DRAWS).draws == MAX_DRAWS
    assert RunRequest(kind="sweep", draws=MAX_SWEEP_DRAWS).draws == MAX_SWEEP_DRAWS


@pytest.mark.slow  # several seconds (README: the quick subset leaves it out)
def test_two_sweeps_at_once_do_not_corrupt_each_other(client: TestClient, app: Any) -> None:
    base = open_builtin(client)
    changed = open_builtin(client)
    edit = edit_of(app, changed)
    # the USA's red line: Hungary also rejects the WGM on utility (issue 13, no war-cost credit)
    set_red_line(edit, "USA", "<= 60")
    assert client.put(f"/api/drafts/{changed}", json=edit).json()["valid"]
    # both submitted before either finishes: the pool has two workers
    run_a = start_sweep(client, base, draws=40, seed=7)
    run_b = start_sweep(client, changed, draws=60, seed=11)
    app.state.runner.wait(timeout=120)
    for run_id, draws, seed in ((run_a, 40, 7), (run_b, 60, 11)):
        status = wait_run(client, run_id)
        assert status["status"] == "done"
        assert status["progress"] == {"stage": "done", "done": draws, "total": draws}
        data = client.get(f"/runs/{run_id}/results.json").json()
        scenario = loads(client.get(f"/runs/{run_id}/scenario.toml").text, "x")
        # each equals the same sweep run alone: nothing leaked between the two threads
        alone = sweep_in_memory(scenario, draws, seed, **TEST_SWEEP)
        assert data["uncertainty"] == alone.model_dump(mode="json")
    b = client.get(f"/runs/{run_b}/results.json").json()
    wgm = next(p for p in b["proposals"] if p["id"] == "west-german-model")
    assert wgm["blockers"] == ["HUN", "SVK"]
