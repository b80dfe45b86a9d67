"""Issue 21: switch points and Sobol'/Morris designs run as jobs on the sweep's backend,
reuse what was computed (memoised decisions, a kept switch-point file, resumable design
chunks), and every estimator finds known indices (Ishigami, a linear model).
"""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest

from ceasefire.report.terminal_sweep import sensitivity_flags
from ceasefire.scenario.io import loads
from ceasefire.uncertainty import backends
from ceasefire.uncertainty import sensitivity as sens
from ceasefire.uncertainty.backends import SweepError, run_sweep, summarise_run
from ceasefire.uncertainty.pipeline import (
    DECISION_KINDS,
    DECISION_STAGES,
    SweepSpec,
    compile_model,
    evaluate,
)
from ceasefire.uncertainty.ranges import central_values
from tests.uncertainty.test_uncertainty import SMALL

# ---- the stage interface ---------------------------------------------------------------------


def test_evaluate_runs_the_stages_asked_for_and_hides_internal_arrays():
    model = compile_model(loads(SMALL), SweepSpec(draws=1, seed=0, engines=("compromise",)))
    c = central_values(model.inputs)[None]
    seed = np.random.SeedSequence(0)
    full = evaluate(model, c, seed=seed)
    only = evaluate(model, c, seed=seed, stages=DECISION_STAGES)
    assert set(only) == {
        "margin", "accepts", "effective_margin", "min_veto_margin", "institution_passes",
        "passes",
    }  # fmt: skip
    assert "forecast.compromise-mean" in full and "dur.p_breakdown_5y" in full
    assert not any(k.startswith("_") for k in full)
    for k in only:
        assert np.array_equal(only[k], full[k]), k


# ---- switch points ---------------------------------------------------------------------------


def test_switch_points_scan_only_deciding_inputs_and_never_evaluate_a_point_twice(monkeypatch):
    model = compile_model(loads(SMALL), SweepSpec(draws=1, seed=0, engines=()))
    seen: list[np.ndarray] = []
    real = sens.decide

    def counting(m, values):
        seen.append(np.array(values))
        return real(m, values)

    monkeypatch.setattr(sens, "decide", counting)
    (entry,) = sens.switch_points(model)
    rows = np.concatenate(seen)
    centre = central_values(model.inputs)
    moved = {int(j) for j in np.flatnonzero((rows != centre).any(axis=0))}
    assert moved and all(model.inputs[j].kind in DECISION_KINDS for j in moved)
    assert any(x.kind not in DECISION_KINDS for x in model.inputs)  # some were skipped
    assert len({r.tobytes() for r in rows}) == len(rows)  # memoised: no point twice
    (sw,) = [s for s in entry.switches if s.input == "actors.HUN.red_line.alliance"]
    assert sw.value == pytest.approx(60.0, abs=1e-3)


def test_switch_points_run_beside_the_draws_and_are_kept_for_a_resume(tmp_path, monkeypatch):
    spec = SweepSpec(draws=40, seed=3, chunk=20, engines=())
    model = compile_model(loads(SMALL), spec)
    want = sens.switch_points(model)
    run = run_sweep(model, spec, backend="processes", workers=2, out=tmp_path / "s")
    assert run.switch_points == want
    kept = json.loads((tmp_path / "s" / backends.SWITCH_POINTS).read_text())
    assert kept == [x.model_dump(mode="json") for x in want]

    def fail(*_):
        raise AssertionError("switch points computed again")

    # a resumed sweep reads them back; the summary uses the run's own
    monkeypatch.setattr(backends, "switch_points_job", fail)
    monkeypatch.setattr(sens, "switch_points", fail)
    again = run_sweep(model, spec, out=tmp_path / "s")
    assert again.switch_points == want
    assert summarise_run(model, spec, again).switch_points == want


# ---- Sobol' and Morris designs on the backend, streamed and resumed ---------------------------


def _sobol(model, spec, run, **kw):
    return summarise_run(model, spec, run, sensitivity="sobol", sobol_n=16, **kw).sensitivity


def test_sobol_design_streams_resumes_and_gives_the_same_numbers(tmp_path):
    spec = SweepSpec(draws=100, seed=4, chunk=50, engines=("compromise",))
    model = compile_model(loads(SMALL), spec)
    serial = _sobol(model, spec, run_sweep(model, spec))
    folder = tmp_path / "s"
    run = run_sweep(model, spec, backend="processes", workers=2, out=folder)
    sizes: list[tuple[int, int]] = []
    first = _sobol(model, spec, run, out=folder, on_design=lambda t, left: sizes.append((t, left)))
    assert first == serial
    design = folder / "sensitivity-sobol"
    chunks = sorted((design / "chunks").glob("chunk-*.npz"))
    assert len(chunks) > 1 and (design / "manifest.json").exists()
    # an interruption: one chunk lost; the resume runs that chunk only
    chunks[1].unlink()
    done: list[int] = []
    resumed = _sobol(model, spec, run, out=folder, progress=done.append)
    assert resumed == serial and sum(done) == serial.extra_evaluations
    total = serial.extra_evaluations
    assert sizes == [(total, total)]
    # another design in the same folder is refused
    with pytest.raises(SweepError, match="sobol_n"):
        summarise_run(model, spec, run, sensitivity="sobol", sobol_n=32, out=folder)


def test_morris_design_and_switch_points_same_on_every_backend():
    spec = SweepSpec(draws=100, seed=4, chunk=50, engines=())
    model = compile_model(loads(SMALL), spec)
    serial = summarise_run(model, spec, run_sweep(model, spec), sensitivity="morris", morris_r=4)
    assert serial.sensitivity.morris_r == 4 and serial.switch_points
    for kw in (
        {"backend": "processes", "workers": 2},
        {"backend": "dask", "workers": 1, "local_processes": False},
    ):
        run = run_sweep(model, spec, **kw)
        assert run.switch_points == serial.switch_points
        other = summarise_run(model, spec, run, sensitivity="morris", morris_r=4)
        assert other.sensitivity == serial.sensitivity, kw


# ---- every estimator on known indices ---------------------------------------------------------


def _ishigami(u: np.ndarray) -> dict[str, np.ndarray]:
    x = -np.pi + 2 * np.pi * u
    return {"y": np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])}


#: Ishigami (a = 7, b = 0.1): S1 and ST (Ishigami & Homma 1990; Saltelli et al. 2008 §4)
ISHIGAMI = {"S1": [0.3139, 0.4424, 0.0], "ST": [0.5576, 0.4424, 0.2437]}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sobol_ranks_ishigami_and_its_intervals_cover_the_known_indices(seed):
    res = sens.sobol_indices(_ishigami, ["x1", "x2", "x3"], 2048, seed=seed)["y"]
    assert np.argsort(res["ST"]).tolist() == [2, 1, 0]
    assert np.argsort(res["S1"])[::-1][:2].tolist() == [1, 0]
    for k in ("S1", "ST"):
        for est, conf, want in zip(res[k], res[f"{k}_conf"], ISHIGAMI[k], strict=True):
            # 95 % intervals, widened by 1.5: three fixed seeds must not fail by chance
            assert abs(est - want) <= 1.5 * conf, (k, est, conf, want)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sobol_and_morris_on_a_linear_model(seed):
    a = np.array([1.0, 2.0, 3.0, 0.0])
    names = ["x1", "x2", "x3", "x4"]
    res = sens.sobol_indices(lambda u: {"y": u @ a}, names, 1024, seed=seed)["y"]
    want = a**2 / (a**2).sum()
    for k in ("S1", "ST"):
        assert np.argsort(res[k])[::-1].tolist() == [2, 1, 0, 3]
        for est, conf, w in zip(res[k], res[f"{k}_conf"], want, strict=True):
            assert abs(est - w) <= 1.5 * conf + 1e-9, (k, est, conf, w)
    # Morris: the elementary effect of x_i on the unit cube is exactly a_i
    mor = sens.morris_screening(lambda u: {"y": u @ a}, names, 10, seed=seed)["y"]
    assert np.argsort(mor["mu_star"])[::-1].tolist() == [2, 1, 0, 3]
    for est, conf, w in zip(mor["mu_star"], mor["mu_star_conf"], a, strict=True):
        assert abs(est - w) <= conf + 1e-9


# ---- flags ------------------------------------------------------------------------------------


def test_small_designs_and_samples_are_flagged_with_what_to_increase():
    spec = SweepSpec(draws=120, seed=4, chunk=60, engines=("compromise",))
    model = compile_model(loads(SMALL), spec)
    summary = summarise_run(model, spec, run_sweep(model, spec), sensitivity="sobol", sobol_n=8)
    flags = " ".join(sensitivity_flags(summary))
    assert "not resolved" in flags and "increase --sobol-n (now 8; try 32)" in flags
    none = summarise_run(model, spec, run_sweep(model, spec), sensitivity="none")
    assert sensitivity_flags(none) == []


# ---- chunk files -------------------------------------------------------------------------------


def test_store_reads_uncompressed_chunks_at_their_offsets_and_old_compressed_ones(tmp_path):
    rng = np.random.default_rng(0)
    arrays = {"values": rng.random((7, 3)), "passes": rng.random((7, 2)) > 0.5}
    store = backends.DirStore(tmp_path / "s")
    store.put(0, 0, arrays, 0.1)
    assert backends._stored_offsets(store.path(0)) is not None
    # a chunk written compressed by an earlier version is still read
    more = {"values": rng.random((5, 3)), "passes": rng.random((5, 2)) > 0.5}
    np.savez_compressed(store.path(1), **more)
    assert backends._stored_offsets(store.path(1)) is None
    for key in arrays:
        got = np.concatenate(list(store.column(key)))
        assert np.array_equal(got, np.concatenate([arrays[key], more[key]])), key
        assert got.dtype == arrays[key].dtype
    assert list(store.column("absent")) == []


def test_sweep_batches_select_an_installed_accelerator_whatever_their_size():
    from ceasefire.uncertainty.pipeline import execution_params

    numba = importlib.util.find_spec("numba") is not None
    assert execution_params("smp", 2).get("kernel") == ("compiled" if numba else None)
    assert "kernel" not in execution_params("smp", 1)  # the central run: the engine's rule
    assert execution_params("smp", 2)["trajectory"] is False  # its sweep parameters
    assert "kernel" not in execution_params("bdm", 500)


def test_binomial_quantile_is_scipys():
    from scipy.stats import binom

    from ceasefire.sweep_results import binomial_quantile

    for n, p in [(0, 0.05), (1, 0.05), (40, 0.05), (192, 0.05), (500, 0.2), (30, 0.5)]:
        assert binomial_quantile(n, p, 0.95) == int(binom.ppf(0.95, n, p)), (n, p)


def test_unconverged_flags_are_read_against_chance():
    # 40 checked indices: chance explains up to 4 flags at 95 % (Binomial(40, 0.05)); the
    # advice to add draws comes only beyond that
    spec = SweepSpec(draws=400, seed=4, chunk=200, engines=("compromise",))
    model = compile_model(loads(SMALL), spec)
    summary = summarise_run(model, spec, run_sweep(model, spec), sensitivity="rbd-fast")
    assert summary.sensitivity is not None
    g = next(o.given[0] for o in summary.sensitivity.outputs if o.given)

    def with_flags(k: int) -> str:
        given = [g.model_copy(update={"converged": i >= k}) for i in range(40)]
        out = summary.sensitivity.outputs[0].model_copy(update={"given": given})  # type: ignore[union-attr]
        sens = summary.sensitivity.model_copy(update={"outputs": [out]})  # type: ignore[union-attr]
        return " ".join(sensitivity_flags(summary.model_copy(update={"sensitivity": sens})))

    assert with_flags(0) == ""
    assert "no more than chance explains (up to 4" in with_flags(3)
    assert "increase --draws (now 400; try 800)" in with_flags(9)
    assert "9 of 40 first-order indices not converged" in with_flags(9)


def test_the_terminal_names_what_drives_the_veto_margin_and_p_hold():
    # both headline outputs of a proposal get their line: a judgement that decides P(hold)
    # (the extended game's probe response, say) is shown even when the margin has its own
    from ceasefire.report.terminal_sweep import influential
    from ceasefire.scenario import load

    spec = SweepSpec(draws=300, seed=2, chunk=300, engines=())
    model = compile_model(load("ukraine-2024-11"), spec)
    summary = summarise_run(model, spec, run_sweep(model, spec), sensitivity="rbd-fast")
    wgm = next(p for p in summary.proposals if p.id == "west-german-model")
    lines = influential(summary, wgm)
    assert [line.split(":")[0] for line in lines] == ["smallest veto margin", "P(hold)"]
