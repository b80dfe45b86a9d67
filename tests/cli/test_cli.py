"""Every command, and bad input of every kind: located messages, exit status 2, no traceback."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from ceasefire.cli import app
from tests.unit.test_scenario import MINIMAL

runner = CliRunner()


def invoke(*args, **kw):
    result = runner.invoke(app, list(args), catch_exceptions=False, **kw)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_run_builtin_writes_both_files(in_tmp):
    r = invoke("run", "--out", "out")
    assert r.exit_code == 0, r.output
    assert "west-german-model" in r.output and "blocks" in r.output
    data = json.loads((in_tmp / "out" / "results.json").read_text())
    assert data["schema_version"] and data["package_version"]
    assert data["scenario"]["id"] == "ukraine-2024-11"
    assert re.fullmatch(r"[0-9a-f]{64}", data["scenario"]["sha256"])
    wgm = next(p for p in data["proposals"] if p["id"] == "west-german-model")
    for key in (
        "invited_area_share",
        "guaranteed_area_share",
        "guaranteed_population_share",
        "ceded_area_share",
        "occupied_area_share",
    ):
        assert key in wgm["coverage"]
    hun = wgm["acceptance"]["HUN"]
    assert set(hun) >= {"utility", "no_deal_utility", "margin", "accepts", "red_line_violations"}
    assert wgm["institutions"]["nato-accession"]["required"] is True
    assert "HUN" in wgm["institutions"]["nato-accession"]["blockers"]
    html = (in_tmp / "out" / "report.html").read_text()
    assert "<script src=" not in html and "<link" not in html  # self-contained
    assert "west-german-model" in html and "Plotly" in html


def test_run_default_folder_and_refuse_overwrite(in_tmp):
    r = invoke("run", "-q")
    assert r.exit_code == 0
    folders = list((in_tmp / "runs").iterdir())
    assert len(folders) == 1 and (folders[0] / "results.json").exists()
    (in_tmp / "mine").mkdir()
    (in_tmp / "mine" / "notes.txt").write_text("keep me")
    r = invoke("run", "-q", "--out", "mine")
    assert r.exit_code == 2 and "not empty" in r.output
    assert (in_tmp / "mine" / "notes.txt").read_text() == "keep me"
    assert not (in_tmp / "mine" / "results.json").exists()
    r = invoke("run", "-q", "--out", "mine", "--force")
    assert r.exit_code == 0 and (in_tmp / "mine" / "results.json").exists()
    assert (in_tmp / "mine" / "notes.txt").read_text() == "keep me"


@pytest.mark.slow  # several seconds (README: the quick subset leaves it out)
def test_show_edit_run_sees_the_difference(in_tmp):
    r = invoke("show", "ukraine-2024-11")
    assert r.exit_code == 0
    (in_tmp / "my.toml").write_text(r.output)
    base = invoke("run", "-q", "my.toml", "--out", "a")
    assert base.exit_code == 0, base.output
    # Hungary drops its alliance red line to 60: it no longer blocks the West German model
    text = r.output.replace('name = "Hungary (Orban)"', 'name = "Hungary (Orban)"\n# edited')
    # the USA: Hungary also rejects the WGM on utility (no war-cost credit, issue 13)
    start = text.index('id = "USA"')
    end = text.index("[[actors]]", start)
    block = text[start:end].replace(
        'red_lines = ["alliance <= 40"]', 'red_lines = ["alliance <= 60"]'
    )
    (in_tmp / "my.toml").write_text(text[:start] + block + text[end:])
    assert invoke("run", "-q", "my.toml", "--out", "b").exit_code == 0
    a = json.loads((in_tmp / "a" / "results.json").read_text())
    b = json.loads((in_tmp / "b" / "results.json").read_text())
    wa = next(p for p in a["proposals"] if p["id"] == "west-german-model")
    wb = next(p for p in b["proposals"] if p["id"] == "west-german-model")
    assert "USA" in wa["institutions"]["nato-accession"]["blockers"]
    assert "USA" not in wb["institutions"]["nato-accession"]["blockers"]
    assert a["scenario"]["sha256"] != b["scenario"]["sha256"]


def test_list_schema_validate_ok(in_tmp):
    r = invoke("list")
    assert "ukraine-2024-11" in r.output
    r = invoke("schema")
    assert json.loads(r.output)["title"] == "Scenario"
    (in_tmp / "ok.toml").write_text(MINIMAL)
    r = invoke("validate", "ok.toml", "ukraine-2024-11")
    assert r.exit_code == 0 and "ok.toml: ok" in r.output


BAD = {
    "syntax": (MINIMAL.replace('title = "Minimal"', 'title = "Minimal'), r"bad\.toml: .*line 4"),
    "unknown-id": (
        MINIMAL.replace('requires = ["both"]', 'requires = ["nato"]'),
        r"bad\.toml: proposals\[0\]\.requires\[0\]: unknown institution 'nato'",
    ),
    "missing-salience": (
        MINIMAL.replace("salience = { a = 10, b = 90 }", "salience = { a = 10 }"),
        r"bad\.toml: actors\[1\]\.salience\.b: missing",
    ),
    "share": (
        MINIMAL.replace("controlled_share = 0.5", "controlled_share = 1.2"),
        r"bad\.toml: territory\[0\]\.controlled_share: ",
    ),
    "duplicate": (
        MINIMAL.replace('id = "Y"', 'id = "X"'),
        r"bad\.toml: actors\[1\]\.id: duplicate id 'X'",
    ),
    "wrong-type": (
        MINIMAL.replace("capability = 2", 'capability = "two"'),
        r"bad\.toml: actors\[1\]\.capability: ",
    ),
    "unknown-field": (
        MINIMAL.replace("capability = 2", "capability = 2\nmood = 1"),
        r"bad\.toml: actors\[1\]\.mood: unknown field",
    ),
    "negative-area": (
        MINIMAL.replace("area_km2 = 10", "area_km2 = -1"),
        r"bad\.toml: territory\[0\]\.area_km2: ",
    ),
    "red-line-dimension": (
        MINIMAL.replace('"a >= 20"', '"alliance >= 20"'),
        r"bad\.toml: actors\[1\]\.red_lines\[0\]: unknown dimension",
    ),
    "position-range": (
        MINIMAL.replace("position = { a = 50, b = 50 }", "position = { a = 50, b = 150 }"),
        r"bad\.toml: proposals\[0\]\.position\.b: 150",
    ),
    "not-utf8": (None, r"bad\.toml: not UTF-8"),
    "infinite": (
        MINIMAL.replace("capability = 2", "capability = inf"),
        r"bad\.toml: actors\[1\]\.capability: ",
    ),
    "empty-actors": (
        "actors = []\n" + MINIMAL[: MINIMAL.index("[[actors]]")],
        r"bad\.toml: actors: must not be empty",
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD))
@pytest.mark.parametrize("command", ["validate", "run"])
def test_bad_input(in_tmp, kind, command):
    text, pattern = BAD[kind]
    path = in_tmp / "bad.toml"
    if text is None:
        path.write_bytes(b"\xff\xfe[scenario]\n")
    else:
        path.write_text(text)
    r = invoke(command, "bad.toml")
    assert r.exit_code == 2, r.output
    assert re.search(pattern, r.output), r.output
    assert not (in_tmp / "runs").exists()


def test_missing_file_and_unknown_builtin(in_tmp):
    r = invoke("validate", "nope.toml")
    assert r.exit_code == 2 and "nope.toml: file not found" in r.output
    r = invoke("run", "no-such-scenario")
    assert r.exit_code == 2 and "not a built-in scenario" in r.output
    r = invoke("show", "no-such-scenario")
    assert r.exit_code == 2


def test_validate_reports_every_file(in_tmp):
    (in_tmp / "a.toml").write_text(BAD["duplicate"][0])
    (in_tmp / "b.toml").write_text(BAD["missing-salience"][0])
    r = invoke("validate", "a.toml", "b.toml")
    assert r.exit_code == 2
    assert "a.toml: actors[1].id" in r.output and "b.toml: actors[1].salience.b" in r.output


def test_entry_point_runs_as_a_process(tmp_path):
    (tmp_path / "bad.toml").write_text("[scenario\n")
    proc = subprocess.run(
        [sys.executable, "-m", "ceasefire", "validate", "bad.toml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "bad.toml:" in proc.stderr and "Traceback" not in proc.stderr


def test_deter_prints_both_models():
    r = invoke("deter", "--draws", "200", "--seed", "3")
    assert r.exit_code == 0, r.output
    assert "Guarantee game" in r.output and "durability" in r.output
    assert "west-german-model" in r.output and "during fighting" in r.output


def test_winset_command():
    r = invoke("winset")
    assert r.exit_code == 0, r.output
    assert "nato-accession+ukraine" in r.output and "UKR × RUS" in r.output
    assert "alliance moves from 60 to 40" in r.output
    r = invoke("winset", "--institution", "belligerents")
    assert r.exit_code == 0 and "empty" in r.output
    r = invoke("winset", "--institution", "nope")
    assert r.exit_code == 2 and "unknown institution" in r.output


def test_import_commands(in_tmp, data_dir):
    r = invoke("import", "ktab", str(data_dir / "ktab" / "dummyData_3Dim.csv"))
    assert r.exit_code == 0 and "[[actors]]" in r.output
    r = invoke("import", "bdm", str(data_dir / "bdm" / "ExampleActors.csv"), "-o", "ec10.toml")
    assert r.exit_code == 0 and (in_tmp / "ec10.toml").exists()
    before = (in_tmp / "ec10.toml").read_text()
    r = invoke("import", "bdm", str(data_dir / "bdm" / "Sultan.csv"), "-o", "ec10.toml")
    assert r.exit_code == 2 and "exists" in r.output
    assert (in_tmp / "ec10.toml").read_text() == before
    assert invoke("validate", "ec10.toml").exit_code == 0
    (in_tmp / "bad.csv").write_text("Actor,Capability,Position,Salience\nA,1,x,0.5\n")
    r = invoke("import", "bdm", "bad.csv")
    assert r.exit_code == 2 and "bad.csv: line 2, column 'Position'" in r.output
    r = invoke("import", "ktab", "missing.csv")
    assert r.exit_code == 2 and "missing.csv: file not found" in r.output


def test_forecast_command():
    r = invoke("forecast", "--engine", "compromise")
    assert r.exit_code == 0, r.output
    assert "compromise (mean)" in r.output and "nearest proposal" in r.output
    r = invoke("forecast", "--engine", "bdm", "--rounds", "4", "--json")
    data = json.loads(r.output)
    assert next(iter(data)) == "forecasts" and data["forecasts"][0]["rounds"] == 4
    # the built-in declares actor sets: every set's forecast and the spread across them
    assert {f["set_id"] for f in data["actor_sets"]} >= {"all", "principals", "blocs"}
    assert data["spread"][0]["engine"] == "bdm"
    assert len(data["forecasts"][0]["trajectory"]) == 5
    r = invoke("forecast", "--engine", "nope")
    assert r.exit_code == 2 and "unknown engine" in r.output
