"""Rescues per draw in sweeps (issue 13): the ``rescues`` stage of the uncertainty pipeline."""

from __future__ import annotations

import numpy as np
import pytest

from ceasefire.scenario import loads
from ceasefire.scenario.io import builtin_text
from ceasefire.uncertainty.pipeline import SweepSpec, compile_model, evaluate, evaluate_central
from ceasefire.uncertainty.ranges import to_values, unit_sample


@pytest.fixture(scope="module")
def model():
    s = loads(builtin_text("ukraine-2024-11"))
    return compile_model(s, SweepSpec(draws=40, seed=5, engines=(), winsets=True))


def test_rescues_are_off_by_default(model) -> None:
    assert "rescue.exists" not in evaluate_central(model, engines=False, paths=False)


def test_central_rescue_is_the_single_runs(model) -> None:
    out = evaluate_central(model, engines=False, paths=False, rescues=True)
    k = model.proposal_ids.index("west-german-model")
    assert bool(out["rescue.exists"][0, k]) and not bool(out["passes"][0, k])
    # UKR's distance of the single run's rescue: alliance 60 -> 40 at weight 90 / 325
    assert out["rescue.distance"][0, k] == pytest.approx(20 * 90 / 325, abs=1e-4)


def test_share_of_rescuable_draws_and_agreement_with_winsets(model) -> None:
    """Over the drawn red lines the West German model is rescuable in some draws and not in
    others; a failing proposal is rescuable exactly when its chain's win-set is non-empty."""
    unit = unit_sample("lhs", len(model.inputs), 0, 40, np.random.SeedSequence(5), 5)
    out = evaluate(
        model,
        to_values(unit, model.inputs),
        seed=np.random.SeedSequence(0),
        engines=False,
        paths=False,
        winsets=True,
        rescues=True,
    )
    k = model.proposal_ids.index("west-german-model")
    exists, passes = out["rescue.exists"][:, k], out["passes"][:, k]
    assert 0 < exists.mean() < 1
    chain = model.chains[model.proposal_chain[k]][0]
    failing = ~passes
    assert np.array_equal(exists[failing], ~out[f"winset_empty.{chain}"][failing])
    assert np.all(out["rescue.distance"][passes, k] == 0)
    assert np.all(np.isnan(out["rescue.distance"][~exists, k]))


# ---- in the sweep's summary, terminal and report (`ceasefire sweep --rescues`) ----------------


@pytest.fixture(scope="module")
def rescued_sweep():
    from ceasefire.uncertainty.backends import run_sweep, summarise_run

    s = loads(builtin_text("ukraine-2024-11"))
    spec = SweepSpec(draws=60, seed=5, chunk=20, engines=(), rescues=True)
    m = compile_model(s, spec)
    run = run_sweep(m, spec)
    summary = summarise_run(m, spec, run, sensitivity="none", backend="serial")
    return m, run, summary


def test_summary_counts_the_rescuable_draws(rescued_sweep) -> None:
    """The summary's shares are the stage's columns counted: rescuable includes passing, and
    "rescuable only" is exactly rescuable minus passing; the move is over the rescued draws."""
    m, run, summary = rescued_sweep
    exists = np.concatenate(list(run.store.column("rescue.exists")))
    passes = np.concatenate(list(run.store.column("passes")))
    dist = np.concatenate(list(run.store.column("rescue.distance")))
    assert summary.spec.rescues and [r.id for r in summary.rescues] == list(m.proposal_ids)
    for k, r in enumerate(summary.rescues):
        assert r.p_rescuable == pytest.approx(exists[:, k].mean())
        assert r.p_rescue_only == pytest.approx((exists[:, k] & ~passes[:, k]).mean())
        assert r.ci95[0] <= r.p_rescuable <= r.ci95[1]
        moved = dist[exists[:, k] & ~passes[:, k], k]
        if moved.size:
            assert r.distance.median == pytest.approx(float(np.median(moved)))
        else:
            assert r.distance.median is None
    wgm = next(r for r in summary.rescues if r.id == "west-german-model")
    assert 0 < wgm.p_rescue_only < 1


def test_rescues_are_shown_in_the_terminal_and_the_report(rescued_sweep) -> None:
    import io

    from rich.console import Console

    from ceasefire.report import html
    from ceasefire.report.terminal_sweep import print_sweep

    _, _, summary = rescued_sweep
    buf = io.StringIO()
    print_sweep(summary, Console(file=buf, width=80))
    assert buf.getvalue().count("passes or is rescuable in") == len(summary.rescues)
    page = html.render_sweep(summary, loads(builtin_text("ukraine-2024-11")))
    assert "Rescuable: how often" in page
    plain = summary.model_copy(update={"rescues": []})
    buf = io.StringIO()
    print_sweep(plain, Console(file=buf, width=80))
    assert "rescuable" not in buf.getvalue()
    assert "Rescuable: how often" not in html.render_sweep(
        plain, loads(builtin_text("ukraine-2024-11"))
    )


def test_a_sweep_folder_written_before_rescues_existed_resumes_without_them(tmp_path) -> None:
    """An older manifest has no ``rescues`` field: it holds a sweep without the stage, so a
    resume without ``--rescues`` continues it and one with it is refused, naming the field."""
    import json

    from ceasefire.uncertainty.backends import SweepError, run_sweep

    s = loads(builtin_text("ukraine-2024-11"))
    spec = SweepSpec(draws=20, seed=5, chunk=10, engines=())
    m = compile_model(s, spec)
    run_sweep(m, spec, out=tmp_path / "s", sha256="abc")
    path = tmp_path / "s" / "manifest.json"
    man = json.loads(path.read_text())
    del man["rescues"]
    path.write_text(json.dumps(man))
    assert run_sweep(m, spec, out=tmp_path / "s", sha256="abc").resumed_chunks == 2
    with pytest.raises(SweepError, match="rescues: False here, True asked"):
        run_sweep(
            m,
            SweepSpec(draws=20, seed=5, chunk=10, engines=(), rescues=True),
            out=tmp_path / "s",
            sha256="abc",
        )


def test_cli_sweep_rescues_flag(tmp_path) -> None:
    import json

    from typer.testing import CliRunner

    from ceasefire.cli import app

    args = ["sweep", "--draws", "20", "--engines", "none", "--sensitivity", "none", "-o"]
    res = CliRunner().invoke(app, [*args, str(tmp_path / "a"), "--rescues"])
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "a" / "summary.json").read_text())
    assert summary["spec"]["rescues"] and len(summary["rescues"]) == len(summary["proposals"])
    res = CliRunner().invoke(app, [*args, str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "b" / "summary.json").read_text())["rescues"] == []
