"""Sweeps: ranges, sampling, the batch pipeline vs analyze(), sensitivity, backends, resume."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from ceasefire.analysis import analyze
from ceasefire.cli import app
from ceasefire.scenario import ScenarioError, builtin_text, loads
from ceasefire.sweep_results import SWEEP_SCHEMA_VERSION, SweepSummary
from ceasefire.uncertainty import ranges as R
from ceasefire.uncertainty.backends import SweepError, SweepSpec, run_sweep
from ceasefire.uncertainty.pipeline import compile_model, evaluate_central
from ceasefire.uncertainty.sensitivity import sobol_indices, switch_points

SMALL = """
[scenario]
id = "small"
title = "One red line blocks"

[[dimensions]]
id = "alliance"

[status_quo]
position = { alliance = 0 }

[[actors]]
id = "HUN"
name = "Hungary"
capability = 1
war_cost = 10
position = { alliance = 60 }
salience = { alliance = 50 }
red_lines = ["alliance <= 40"]
range = { red_line.alliance = [30, 80], war_cost = [5, 15] }

[[actors]]
id = "UKR"
capability = 2
war_cost = 20
position = { alliance = 70 }
salience = { alliance = 80 }
range = { alliance = [60, 90], salience.alliance = [60, 100] }

[[proposals]]
id = "wgm"
label = "the West German model"
position = { alliance = 60 }
requires = ["nato"]

[[institutions]]
id = "nato"
name = "NATO"
rule = "unanimity"
members = ["HUN", "UKR"]
"""


@pytest.fixture(scope="module")
def model(builtin):
    return compile_model(builtin)


# ---- ranges and validation -------------------------------------------------------------------


def test_new_range_keys_are_inputs():
    s = loads(SMALL)
    keys = [x.key for x in R.ranged_inputs(s)]
    assert "actors.HUN.red_line.alliance" in keys
    assert "actors.UKR.salience.alliance" in keys
    red = next(x for x in R.ranged_inputs(s) if x.kind == "red_line")
    assert (red.central, red.low, red.high, red.name) == (40.0, 30.0, 80.0, "<=")


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        (
            "red_line.alliance = [30, 80]",
            "red_line.alliance = [50, 80]",
            "actors[0].range.red_line.alliance",
            "central value 40.0 lies outside",
        ),
        (
            "salience.alliance = [60, 100]",
            "salience.alliance = [90, 100]",
            "actors[1].range.salience.alliance",
            "central value 80 lies outside",
        ),
        (
            "salience.alliance = [60, 100]",
            "salience.nope = [60, 100]",
            "actors[1].range.salience.nope",
            "unknown dimension",
        ),
        (
            "salience.alliance = [60, 100]",
            "red_line.alliance = [0, 100]",
            "actors[1].range.red_line.alliance",
            "no red line",
        ),
        (
            "war_cost = [5, 15]",
            "war_cost = [15, 5]",
            "actors[0].range.war_cost",
            "low 15 is above high 5",
        ),
    ],
)
def test_range_errors_are_located(old, new, path, message):
    with pytest.raises(ScenarioError) as err:
        loads(SMALL.replace(old, new), "my.toml")
    lines = err.value.lines()
    assert any(line.startswith(f"my.toml: {path}: ") and message in line for line in lines), lines


def test_builtin_loads_unchanged(builtin):
    assert loads(builtin_text("ukraine-2024-11")) == builtin


def test_triangular_inverse_cdf():
    x = R.RangedInput("k", "k", "durability", 2.0, 0.0, 10.0, "triangular")
    u = np.linspace(0, 1, 100001)[:, None]
    v = R.to_values(u, (x,))[:, 0]
    assert v[0] == 0.0 and v[-1] == 10.0
    # mean of a triangular distribution: (lo + mode + hi) / 3
    assert abs(v.mean() - 4.0) < 1e-3


# ---- sampling --------------------------------------------------------------------------------


@pytest.mark.parametrize("method", R.METHODS)
def test_sampling_reproducible(model, method):
    seeds = R.chunk_seeds(7, 3)
    a = R.sample_chunk(model.inputs, method, 100, 50, seeds[2], 7)
    b = R.sample_chunk(model.inputs, method, 100, 50, R.chunk_seeds(7, 3)[2], 7)
    assert np.array_equal(a, b)
    lo = np.array([x.low for x in model.inputs])
    hi = np.array([x.high for x in model.inputs])
    assert np.all((a >= lo) & (a <= hi))


def test_sobol_does_not_depend_on_chunking(model):
    seeds = R.chunk_seeds(3, 1)
    whole = R.sample_chunk(model.inputs, "sobol", 0, 64, seeds[0], 3)
    parts = np.vstack(
        [R.sample_chunk(model.inputs, "sobol", s, 16, seeds[0], 3) for s in range(0, 64, 16)]
    )
    assert np.array_equal(whole, parts)


# ---- the batch pipeline vs analyze() ---------------------------------------------------------


def test_batch_pipeline_matches_analyze_at_the_centre(builtin, model):
    a = analyze(builtin, engines=("compromise", "nash"))
    o = evaluate_central(model, winsets=True)
    for k, p in enumerate(a.proposals):
        assert [p.acceptance[x].accepts for x in a.actors] == list(o["accepts"][0, k])
        assert np.array_equal([p.acceptance[x].margin for x in a.actors], o["margin"][0, k])
        assert p.passes == bool(o["passes"][0, k])
        for r in model.requires[k]:
            rule = model.rules[r]
            assert p.institutions[rule.institution].passed == bool(o["institution_passes"][0, r])
        assert p.coverage.guaranteed_area_share == pytest.approx(o["guaranteed_area_share"][0, k])
        assert p.coverage.ceded_area_share == pytest.approx(o["ceded_area_share"][0, k])
        assert p.deterrence.p_hold.central == o["det.p_hold"][0, k]
        assert p.durability.p_breakdown_5y.central == o["dur.p_breakdown_5y"][0, k]
    for f in a.forecasts:
        key = (
            f"forecast.{f.engine}-{f.variant}"
            if f.engine == "compromise"
            else f"forecast.{f.engine}"
        )
        assert np.allclose(list(f.outcome.values()), o[key][0], atol=1e-9)
    for w in a.winsets:
        assert w.empty == bool(o[f"winset_empty.{w.id}"][0])


# ---- sensitivity -----------------------------------------------------------------------------


def test_sobol_indices_of_an_additive_model():
    # y = Σ a_i x_i, x_i ~ U(0, 1) independent: S1_i = ST_i = a_i² / Σ a_j²
    a = np.array([1.0, 2.0, 3.0])
    res = sobol_indices(lambda u: {"y": u @ a}, ["x1", "x2", "x3"], 1024, seed=1)["y"]
    want = a**2 / (a**2).sum()
    assert np.allclose(res["S1"], want, atol=0.03)
    assert np.allclose(res["ST"], want, atol=0.03)
    assert all(c is not None and c < 0.1 for c in res["ST_conf"])


def test_sobol_indices_ishigami():
    # Ishigami (a=7, b=0.1) on [-pi, pi]^3: S1 = 0.3139, 0.4424, 0; ST3 = 0.2437
    def ishigami(u):
        x = -np.pi + 2 * np.pi * u
        y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
        return {"y": y}

    res = sobol_indices(ishigami, ["x1", "x2", "x3"], 4096, seed=2)["y"]
    assert np.allclose(res["S1"], [0.3139, 0.4424, 0.0], atol=0.04)
    assert res["ST"][2] == pytest.approx(0.2437, abs=0.04)


def test_switch_point_of_a_single_blocking_red_line():
    m = compile_model(loads(SMALL), SweepSpec(draws=1, seed=0, engines=()))
    entries = switch_points(m)
    (e,) = entries
    assert e.central is False
    (sw,) = [s for s in e.switches if s.input == "actors.HUN.red_line.alliance"]
    assert sw.value == pytest.approx(60.0, abs=1e-3)
    assert sw.direction == "above"
    assert (
        sw.sentence
        == "Hungary's alliance red line above 60 lets the West German model through NATO."
    )


def test_builtin_has_no_single_switch_for_the_west_german_model(model):
    e = next(
        x
        for x in switch_points(model)
        if (x.proposal, x.institution) == ("west-german-model", "nato-accession")
    )
    assert e.central is False and e.switches == []


# ---- backends, streaming, resume -------------------------------------------------------------


def _columns(store, keys):
    return {k: np.concatenate(list(store.column(k))) for k in keys}


KEYS = ("values", "margin", "passes", "det.p_hold", "forecast.compromise-mean", "forecast.nash")


def test_serial_processes_dask_bit_for_bit(model):
    spec = SweepSpec(draws=60, seed=11, method="lhs", chunk=20)
    serial = _columns(run_sweep(model, spec).store, KEYS)
    procs = _columns(run_sweep(model, spec, backend="processes", workers=2).store, KEYS)
    dask = _columns(
        run_sweep(model, spec, backend="dask", workers=1, local_processes=False).store, KEYS
    )
    for k in KEYS:
        assert np.array_equal(serial[k], procs[k]), k
        assert np.array_equal(serial[k], dask[k]), k


def test_resume_after_interruption(model, tmp_path):
    spec = SweepSpec(draws=50, seed=5, method="random", chunk=10)
    whole = _columns(run_sweep(model, spec).store, KEYS)

    class Stop(Exception):
        pass

    calls = []

    def interrupt(n):
        calls.append(n)
        if len(calls) == 2:
            raise Stop

    with pytest.raises(Stop):
        run_sweep(model, spec, out=tmp_path / "s", sha256="abc", progress=interrupt)
    # a chunk cut short leaves only a temporary file and a partial progress line
    (tmp_path / "s" / "progress.jsonl").open("a").write('{"chunk": 4, "sha')
    resumed = run_sweep(model, spec, out=tmp_path / "s", sha256="abc")
    assert resumed.resumed_chunks == 2 and resumed.total_chunks == 5
    again = _columns(resumed.store, KEYS)
    for k in KEYS:
        assert np.array_equal(whole[k], again[k]), k
    man = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert (man["seed"], man["draws"], man["chunk"], man["scenario_sha256"]) == (5, 50, 10, "abc")
    with pytest.raises(SweepError, match="seed: 5 here, 6 asked"):
        run_sweep(
            model,
            SweepSpec(draws=50, seed=6, method="random", chunk=10),
            out=tmp_path / "s",
            sha256="abc",
        )
    with pytest.raises(SweepError, match="scenario_sha256"):
        run_sweep(model, spec, out=tmp_path / "s", sha256="other")


# ---- CLI -------------------------------------------------------------------------------------


def test_cli_sweep_writes_summary(tmp_path):
    scen = tmp_path / "small.toml"
    scen.write_text(SMALL)
    res = CliRunner().invoke(
        app,
        [
            "sweep",
            str(scen),
            "--draws",
            "200",
            "--chunk",
            "50",
            "--out",
            str(tmp_path / "o"),
            "--sobol-n",
            "64",
        ],
    )
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    (p,) = summary["proposals"]
    # passes iff Hungary's red line is drawn at 60 or above: (80 - 60) / (80 - 30) = 40 %
    assert 0.3 < p["passes"]["p_pass"] < 0.5
    # summary.json is the typed summary, schema version and all
    assert SweepSummary.model_validate(summary).schema_version == SWEEP_SCHEMA_VERSION
    assert "lets the West German model through NATO" in " ".join(res.output.split())
    assert (tmp_path / "o" / "report.html").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--method", "grid"], "--method grid: unknown"),
        (["--backend", "ray"], "--backend ray: unknown"),
        (["--address", "tcp://127.0.0.1:1"], "--address: needs --backend dask"),
    ],
)
def test_cli_sweep_bad_options(args, message, tmp_path):
    res = CliRunner().invoke(app, ["sweep", "--draws", "10", "--out", str(tmp_path / "x"), *args])
    assert res.exit_code == 2
    assert message in res.output
    assert "Traceback" not in res.output


@pytest.mark.parametrize("missing", [True, False])
def test_cli_sweep_smp_says_when_the_fast_extra_is_missing(missing, tmp_path, monkeypatch):
    from ceasefire import cli

    monkeypatch.setattr(cli, "_module_missing", lambda module: missing and module == "numba")
    scen = tmp_path / "small.toml"
    scen.write_text(SMALL)
    args = ["sweep", str(scen), "--draws", "16", "--chunk", "16", "--engines", "smp"]
    res = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "o"), "--sobol-n", "8"])
    assert res.exit_code == 0, res.output
    assert ("install the 'fast' extra" in res.output) is missing
