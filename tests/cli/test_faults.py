"""Faults a user can cause (issue 18, items 7 and 9): a FIFO as the scenario, two runs into
one folder at once, a run killed mid-write; and the options' messages and limits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ceasefire import cli
from ceasefire.outputs import CLAIM, OutputError, claim_run_dir, release

runner = CliRunner()


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("command", ["validate", "run", "show"])
def test_a_fifo_as_the_scenario_is_refused_not_waited_on(tmp_path: Path, command: str) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    # in a child process with a time-out: the old reader blocked in open() forever
    done = subprocess.run(
        [sys.executable, "-m", "ceasefire", command, str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    assert f"{fifo}: not a regular file" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_to_import_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "ceasefire", "import", "bdm", str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "not a regular file" in done.stderr


def test_a_claimed_folder_is_refused_to_a_second_run(tmp_path: Path) -> None:
    first = claim_run_dir(tmp_path / "out", "x", False, tmp_path)
    assert (first / CLAIM).read_text().strip() == str(os.getpid())
    with pytest.raises(OutputError, match="not empty"):
        claim_run_dir(tmp_path / "out", "x", False, tmp_path)
    # even with --force, a live run's folder is not taken
    with pytest.raises(OutputError, match="another run is writing"):
        claim_run_dir(tmp_path / "out", "x", True, tmp_path)
    release(first)
    assert not (first / CLAIM).exists()


def test_the_race_between_the_check_and_the_claim_is_lost_by_one(tmp_path: Path) -> None:
    """Both runs found the folder empty; the O_EXCL claim lets exactly one of them in."""
    out = tmp_path / "out"
    out.mkdir()
    (out / CLAIM).write_text(f"{os.getpid()}\n")  # the other run claimed it a moment ago
    with pytest.raises(OutputError, match="another run is writing"):
        claim_run_dir(out, "x", True, tmp_path)


def test_force_takes_over_the_claim_of_a_killed_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    (out / CLAIM).write_text(dead + "\n")
    with pytest.raises(OutputError, match="not empty"):  # a killed run's folder: incomplete
        claim_run_dir(out, "x", False, tmp_path)
    assert claim_run_dir(out, "x", True, tmp_path) == out
    assert (out / CLAIM).read_text().strip() == str(os.getpid())


def test_run_gives_its_claim_back_and_refuses_a_claimed_folder(in_tmp: Path) -> None:
    r = runner.invoke(cli.app, ["run", "-q", "--out", "a"])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (in_tmp / "a").iterdir()) == ["report.html", "results.json"]
    (in_tmp / "b").mkdir()
    (in_tmp / "b" / CLAIM).write_text(f"{os.getpid()}\n")
    r = runner.invoke(cli.app, ["run", "-q", "--out", "b", "--force"])
    assert r.exit_code == 2 and "another run is writing" in r.output


def test_a_refused_scenario_leaves_no_empty_folder(in_tmp: Path) -> None:
    r = runner.invoke(cli.app, ["run", "nothere.toml", "--out", "new"])
    assert r.exit_code == 2 and "file not found" in r.output
    assert not (in_tmp / "new").exists()
    (in_tmp / "mine").mkdir()  # but an empty folder the user made stays
    r = runner.invoke(cli.app, ["run", "nothere.toml", "--out", "mine"])
    assert r.exit_code == 2 and (in_tmp / "mine").is_dir()
    assert not list((in_tmp / "mine").iterdir())


@pytest.mark.slow
def test_two_runs_into_one_folder_at_once_one_is_refused(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "ceasefire", "run", "-q", "--out", "same"]
    procs = [
        subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    codes = sorted(p.wait(timeout=300) for p in procs)
    assert codes == [0, 2]
    assert not (tmp_path / "same" / CLAIM).exists()


def test_engine_errors_list_the_valid_engines() -> None:
    r = runner.invoke(cli.app, ["sweep", "--engines", "nash,bmd", "--draws", "10"])
    assert r.exit_code == 2
    assert "unknown engine(s) bmd (choose from compromise, nash, bdm, smp" in r.output


def test_draw_limits_agree_between_run_scenario_and_web() -> None:
    from ceasefire.scenario.schema import MAX_SCENARIO_DRAWS

    assert cli.MAX_RUN_DRAWS == MAX_SCENARIO_DRAWS
    drafts = pytest.importorskip("ceasefire.web.routes.drafts")
    assert drafts.MAX_DRAWS == cli.MAX_RUN_DRAWS
    for command in ("run", "deter"):
        r = runner.invoke(cli.app, [command, "--draws", str(cli.MAX_RUN_DRAWS + 1)])
        assert r.exit_code == 2 and "--draws" in r.output


def test_run_with_draws_shows_progress(in_tmp: Path) -> None:
    r = runner.invoke(cli.app, ["run", "-q", "--draws", "20", "--out", "d"])
    assert r.exit_code == 0, r.output
    assert "20/20" in r.output and "draws" in r.output
