"""Issue 11: one implementation per stage, engines that declare what they need, one run entry."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from ceasefire import bargaining
from ceasefire.institutions import DecisionRule, decide_batch
from ceasefire.outputs import STAMP_FORMAT, new_folder_path, stamp, write_run
from ceasefire.preferences import TIE_TOLERANCE
from ceasefire.uncertainty.backends import SweepError, run_sweep
from ceasefire.uncertainty.pipeline import SweepSpec, compile_model


def test_results_schema_imports_no_numerical_engine():
    code = "import ceasefire.results, sys; print('scipy' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# no branch on an engine's name outside bargaining/: tests/unit/test_layers.py (an AST check of
# every module)


def test_every_engine_declares_its_capabilities():
    for name in bargaining.ENGINES:
        caps = bargaining.capabilities(name)
        assert isinstance(caps, bargaining.Capabilities)
    assert bargaining.capabilities("bdm").takes_rounds
    assert dict(bargaining.runs(("bdm",), rounds=4)[0][1]) == {"variant": "scholz2011", "rounds": 4}
    assert bargaining.runs(("smp",))[0][1] == {"on_degenerate": "stop"}
    with pytest.raises(KeyError):
        bargaining.capabilities("nope")


def test_results_record_each_engines_version(builtin_analysis):
    from importlib import import_module

    for f in builtin_analysis.forecasts:
        assert f.version == import_module(f"ceasefire.bargaining.{f.engine}").VERSION


def test_qualified_majority_ties_at_the_tolerance():
    rule = DecisionRule(
        weights=np.array([1.0, 1.0, 1.0]), unanimity=False, threshold=2 / 3, min_count=0
    )
    accepts = np.array([[True, True, False], [True, False, False]])
    passed, share = decide_batch(accepts, rule)
    assert passed.tolist() == [True, False]
    # a share short of the threshold by less than the tolerance is a tie, and ties pass
    near = DecisionRule(rule.weights, False, 2 / 3 + TIE_TOLERANCE / 2, 0)
    far = DecisionRule(rule.weights, False, 2 / 3 + 10 * TIE_TOLERANCE, 0)
    assert decide_batch(accepts[:1], near)[0].tolist() == [True]
    assert decide_batch(accepts[:1], far)[0].tolist() == [False]
    count = DecisionRule(rule.weights, False, 0.5, 3)
    assert decide_batch(accepts, count)[0].tolist() == [False, False]
    unanimity = DecisionRule(rule.weights, True, 0.0, 0)
    assert decide_batch(np.ones((2, 3), dtype=bool), unanimity)[0].tolist() == [True, True]
    assert share.tolist() == [2 / 3, 1 / 3]


def test_a_sweep_runs_what_its_model_was_compiled_with(builtin):
    spec = SweepSpec(draws=10, seed=1, chunk=10, engines=("compromise",))
    model = compile_model(builtin, spec)
    assert model.engine_names == ("compromise",) and model.engine_keys == (
        "compromise-mean",
        "compromise-median",
    )
    with pytest.raises(SweepError, match="compiled with"):
        run_sweep(model, SweepSpec(draws=10, seed=1, chunk=10))  # default engines differ
    assert run_sweep(model, spec).total_chunks == 1


def test_run_and_sweep_folders_share_one_utc_stamp(tmp_path):
    berlin = datetime(2026, 11, 30, 13, 5, 9, tzinfo=timezone(timedelta(hours=1)))
    assert stamp(berlin) == "20261130T120509Z"
    assert datetime.strptime(stamp(), STAMP_FORMAT).replace(tzinfo=UTC) <= datetime.now(UTC)
    first = new_folder_path(tmp_path, "sweep-x")
    assert re.fullmatch(r"\d{8}T\d{6}Z-sweep-x", first.name)
    first.mkdir()
    assert new_folder_path(tmp_path, "sweep-x").name in (f"{first.name}-2", first.name)


def test_write_run_writes_atomically(tmp_path, builtin_analysis):
    paths = write_run(tmp_path, builtin_analysis, report_html="<html></html>")
    assert [p.name for p in paths] == ["results.json", "report.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "results.json"]  # no temps
    assert (tmp_path / "results.json").read_text("utf-8") == builtin_analysis.to_json()


def test_winset_command_runs_no_engine_and_no_outcome_model(monkeypatch):
    from typer.testing import CliRunner

    from ceasefire import deterrence, durability
    from ceasefire.cli import app
    from ceasefire.deterrence import game

    def refuse(*args, **kwargs):
        raise AssertionError("ceasefire winset ran a stage it does not need")

    monkeypatch.setattr(bargaining, "engine", refuse)
    monkeypatch.setattr(deterrence, "run_deterrence", refuse)
    monkeypatch.setattr(game, "run_extended", refuse)  # the game the analysis runs (issue 14)
    monkeypatch.setattr(durability, "run_durability", refuse)
    r = CliRunner().invoke(app, ["winset"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "alliance moves from 60 to 40" in r.output
