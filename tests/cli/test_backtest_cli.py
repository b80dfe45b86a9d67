"""``ceasefire backtest deu``: output, files, and bad input -> a located message and exit 2."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ceasefire.cli import app
from tests.backtest.synth import random_table

runner = CliRunner()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def derived(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("deu") / "deu3.csv"
    path.write_text(random_table(24, seed=3), encoding="utf-8")
    return path


def test_terminal_table_fits_80_columns(derived: Path) -> None:
    r = invoke("backtest", "deu", str(derived))
    assert r.exit_code == 0, r.output
    for label in ("salience-weighted mean", "median position", "reference point", "smp", "nash"):
        assert label in r.output
    assert "capability gdp" in r.output  # the derived layout's default
    assert max(len(line) for line in r.output.splitlines()) <= 80


def test_json_and_out_folder(derived: Path, tmp_path: Path) -> None:
    out = tmp_path / "bt"
    r = invoke(
        "backtest", "deu", str(derived), "--json", "--capability", "votes", "--out", str(out)
    )
    assert r.exit_code == 0, r.output
    printed = json.loads(r.stdout)
    written = json.loads((out / "results.json").read_text())
    assert printed == written and written["capability"] == "votes"
    assert written["scored"] == 24 and len(written["issues"]) == 24
    page = (out / "report.html").read_text()
    assert 'id="errors"' in page and 'id="scatter"' in page
    assert "<script src=" not in page and "<link" not in page  # self-contained, offline
    again = invoke("backtest", "deu", str(derived), "--out", str(out))
    assert again.exit_code == 2 and "not empty" in again.output


def _bad(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    r = invoke("backtest", "deu", str(path))
    assert r.exit_code == 2, r.output
    return r.output


def test_empty_file(tmp_path: Path) -> None:
    assert "bad.csv:1: empty file" in _bad(tmp_path, "")


def test_another_layout(tmp_path: Path) -> None:
    out = _bad(tmp_path, "Actor,Capability,Position,Salience\nA,1,10,0.5\n")
    assert "bad.csv:1: not a DEU III table" in out


def test_missing_columns(tmp_path: Path) -> None:
    text = random_table(2).replace('"counvte"', '"vote"').replace('"rp"', '"ref"')
    assert "lacks the column(s) counvte, rp" in _bad(tmp_path, text)


def test_non_numeric_cell(tmp_path: Path) -> None:
    lines = random_table(3, layout="deposit").splitlines()
    row = lines[2].split(";")
    row[-1] = "n/a"
    lines[2] = ";".join(row)
    assert "bad.csv:3: column 'out': not a number: 'n/a'" in _bad(tmp_path, "\n".join(lines))


def test_gdp_capability_on_the_deposit_layout(tmp_path: Path) -> None:
    out = _bad_with(tmp_path, random_table(2, layout="deposit"), "--capability", "gdp")
    assert "GDP row" in out


def _bad_with(tmp_path: Path, text: str, *args: str) -> str:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    r = invoke("backtest", "deu", str(path), *args)
    assert r.exit_code == 2, r.output
    return r.output


def test_missing_file_and_not_utf8(tmp_path: Path) -> None:
    r = invoke("backtest", "deu", str(tmp_path / "nope.csv"))
    assert r.exit_code == 2 and "file not found" in r.output
    path = tmp_path / "latin.csv"
    path.write_bytes(b"isnr;counvte\n\xe9\n")
    r = invoke("backtest", "deu", str(path))
    assert r.exit_code == 2 and "not UTF-8" in r.output


@pytest.mark.parametrize("width", [60, 80])
def test_terminal_wraps_with_indentation(
    derived: Path, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Narrow consoles: no line wider than the console, no cut cell, and a wrapped refusal or
    diagnostic line continues indented under its first line (issue 18)."""
    from rich.console import Console

    from ceasefire.backtest import cli as backtest_cli

    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    monkeypatch.setattr(backtest_cli, "out_console", console)
    assert invoke("backtest", "deu", str(derived)).exit_code == 0
    out = console.export_text()
    lines = out.splitlines()
    assert all(len(line) <= width for line in lines) and "…" not in out
    tail = lines[next(k for k, x in enumerate(lines) if x == "Refusals") :]
    labels = ("Refusals", "Diagnostics", "compromise", "nash", "bdm", "smp", "combined")
    starts = [x for x in tail if not x.startswith(" ") and not x.startswith(labels)]
    assert len(tail) > 2 and not starts, starts
