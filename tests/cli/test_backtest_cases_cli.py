"""``ceasefire backtest cases``: output, files, and bad input -> a located message and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ceasefire.backtest.cases import Scorecard
from ceasefire.cli import app
from tests.backtest.test_cases import CASE

runner = CliRunner()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def test_a_case_file_prints_a_scorecard_within_80_columns(tmp_path: Path) -> None:
    path = tmp_path / "case.toml"
    path.write_text(CASE, encoding="utf-8")
    r = invoke("backtest", "cases", str(path))
    assert r.exit_code == 0, r.output
    assert "synthetic-edc" in r.output and "MISS" in r.output and "Pooled over cases" in r.output
    assert max(len(line) for line in r.output.splitlines()) <= 80


def test_json_and_out_folder(tmp_path: Path) -> None:
    out = tmp_path / "bt"
    r = invoke("backtest", "cases", "korea-1953", "--json", "--out", str(out))
    assert r.exit_code == 0, r.output
    printed = Scorecard.model_validate_json(r.stdout)
    written = json.loads((out / "results.json").read_text())
    assert printed == Scorecard.model_validate(written)
    assert [c.case for c in printed.cases] == ["korea-1953"]
    page = (out / "report.html").read_text()
    assert 'id="probabilities"' in page and "korea-1953" in page
    assert "<script src=" not in page and "<link" not in page  # self-contained, offline
    again = invoke("backtest", "cases", "korea-1953", "--out", str(out))
    assert again.exit_code == 2 and "not empty" in again.output
    assert invoke("backtest", "cases", "korea-1953", "--out", str(out), "--force").exit_code == 0


def test_unknown_id_is_exit_2() -> None:
    r = invoke("backtest", "cases", "no-such-case")
    assert r.exit_code == 2
    assert "no-such-case: no such file, and not a built-in scenario" in r.output


def test_a_scenario_without_observed_rows_is_exit_2(tmp_path: Path) -> None:
    r = invoke("backtest", "cases", "ukraine-2024-11")
    assert r.exit_code == 2
    assert "ukraine-2024-11: scenario 'ukraine-2024-11' has no [[observed]] rows" in r.output
    path = tmp_path / "plain.toml"
    path.write_text(CASE[: CASE.index("[[observed]]")], encoding="utf-8")
    r = invoke("backtest", "cases", str(path))
    assert r.exit_code == 2 and f"{path}: scenario 'synthetic-edc' has no [[observed]]" in r.output


def test_a_bad_case_file_gets_a_located_message(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(CASE.replace('actors = ["FRA"]', 'actors = ["GBR"]'), encoding="utf-8")
    r = invoke("backtest", "cases", str(path))
    assert r.exit_code == 2
    assert "unknown actor 'GBR'" in r.output and "line" in r.output


@pytest.mark.slow  # several seconds (README: the quick subset leaves it out)
def test_no_id_runs_every_builtin_case() -> None:
    r = invoke("backtest", "cases", "--json")
    assert r.exit_code == 0, r.output
    cases = [c.case for c in Scorecard.model_validate_json(r.stdout).cases]
    assert {"frg-1954", "nordic-2022", "bucharest-2008", "minsk-2015", "korea-1953"} <= set(cases)
    assert "ukraine-2024-11" not in cases
