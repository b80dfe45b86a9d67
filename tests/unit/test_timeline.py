"""``ceasefire timeline`` (issue 17): snapshots in date order, what moved and why."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from typer.testing import CliRunner

import ceasefire
from ceasefire.cli import app
from ceasefire.report import timeline_view
from ceasefire.timeline import input_changes, order, recurring_ids, run_timeline


@pytest.fixture(scope="module")
def tl():
    # given out of order: the timeline sorts by as_of
    return run_timeline(
        [ceasefire.load("ukraine-2025-06"), ceasefire.load("ukraine-2025-03")], draws=20
    )


def test_snapshots_run_in_date_order(tl):
    assert [s.id for s in tl.snapshots] == ["ukraine-2025-03", "ukraine-2025-06"]
    assert set(tl.recurring) == {"bare-ceasefire", "russia-june-2024", "west-german-model"}


def test_changes_are_labelled_data_or_judgement(tl):
    by = {(c.subject, c.origin) for c in tl.changes}
    assert ("line of contact", "data") in by  # Donetsk 31.4% -> 29.4% (DeepState)
    assert ("russia-truce-package", "data") in by  # tabled
    # the flagship's actors are carried unchanged: no actor change is reported
    assert not any(c.subject == "actors" for c in tl.changes)


def test_a_recoded_actor_is_judgement():
    a = ceasefire.load("ukraine-2025-03")
    actors = list(a.actors)
    actors[0] = actors[0].model_copy(update={"war_cost": actors[0].war_cost + 1})
    b = a.model_copy(update={"actors": tuple(actors)})
    changes = input_changes(a, b, "a", "b")
    assert [(c.subject, c.origin) for c in changes] == [("actors", "judgement")]


def test_order_and_recurring_ids():
    s = [ceasefire.load("ukraine-2025-11"), ceasefire.load("ukraine-2024-11")]
    assert [x.id for x in order(s)] == ["ukraine-2024-11", "ukraine-2025-11"]
    assert "us-28-point-plan" not in recurring_ids(s)


def test_terminal_fits_80_columns(tl):
    buf = io.StringIO()
    timeline_view.terminal(tl, Console(file=buf, width=80, color_system=None))
    text = buf.getvalue()
    assert "Who blocks each recurring proposal" in text and "(data)" in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_the_page_renders_offline(tl):
    page = timeline_view.render(tl)
    assert "<script src" not in page and "timeline-hold" in page
    assert "ukraine-2025-06" in page and 'class="data"' in page


def test_cli_refuses_a_single_or_bad_scenario(tmp_path):
    r = CliRunner().invoke(app, ["timeline", "ukraine-2025-03"])
    assert r.exit_code == 2
    bad = tmp_path / "bad.toml"
    bad.write_text("[scenario]\nid = 'x'\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["timeline", str(bad), "ukraine-2025-03"])
    assert r.exit_code == 2 and "bad.toml" in r.output


def test_web_timeline_route(tmp_path):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from ceasefire.web.app import create_app

    with TestClient(create_app(tmp_path / "ws"), base_url="http://127.0.0.1") as client:
        r = client.get("/timeline", params={"ids": "ukraine-2025-03,ukraine-2025-06"})
        assert r.status_code == 200 and "How the answers moved" in r.text
        assert client.get("/timeline", params={"ids": "../etc/passwd,x"}).status_code == 404
