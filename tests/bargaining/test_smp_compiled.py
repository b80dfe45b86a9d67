"""The compiled SMP kernel (``smp_compiled.py``) against the numpy engine and the references.

The kernel must give the numpy engine's numbers bit for bit (every output, every state), so
that which one ran never matters; the numpy engine is itself checked against KTAB's output and
the loop reference in ``test_smp.py``. Here: the bundled KTAB scenarios through the kernel
against ``expected_final.csv`` and the loop reference; random problems (hypothesis), including
coinciding positions and degenerate ones; thread splits; kernel selection; final-state-only runs.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("numba")

from ceasefire.bargaining import smp, smp_compiled
from ceasefire.bargaining.base import Forecast, Problem
from ceasefire.bargaining.smp import SmpDegenerateError, forecast
from ceasefire.formats.ktab import parse_ktab_csv

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data" / "ktab"
#: every bundled KTAB scenario (expected_final.csv holds KTAB's results for all of them)
SCENARIOS = sorted(p.stem for p in DATA.glob("*.csv") if p.stem != "expected_final")


def _uniform_problem(seed: int, b: int, n: int, d: int) -> Problem:
    rng = np.random.default_rng(seed)
    return Problem(
        rng.uniform(0, 100, (b, n, d)),
        rng.uniform(1, 50, (b, n, d)),
        rng.uniform(1, 100, (b, n)),
        np.full((b, d), 50.0),
    )


def _run(prob: Problem, kernel: str, **kw: Any) -> Forecast:
    return forecast(prob, np.random.default_rng(0), kernel=kernel, **kw)


def _assert_identical(a: Forecast, b: Forecast) -> None:
    """Every output of two forecasts equal bit for bit (NaN where NaN)."""
    np.testing.assert_array_equal(a.outcome, b.outcome)
    np.testing.assert_array_equal(a.rounds, b.rounds)
    assert a.trajectory is not None and b.trajectory is not None
    np.testing.assert_array_equal(a.trajectory, b.trajectory)
    assert a.extras.keys() == b.extras.keys()
    for key, value in a.extras.items():
        np.testing.assert_array_equal(np.asarray(value), np.asarray(b.extras[key]), err_msg=key)
    assert a.variant == b.variant
    assert a.params == b.params


# ---------------------------------------------------------------------------------------------
# KTAB's bundled scenarios
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SCENARIOS)
def test_bundled_scenarios_match_numpy_bit_for_bit(name: str) -> None:
    prob = parse_ktab_csv((DATA / f"{name}.csv").read_text()).to_problem()
    _assert_identical(_run(prob, "compiled"), _run(prob, "numpy"))


def test_bundled_scenarios_match_ktab_output() -> None:
    """``expected_final.csv`` (KTAB ``smpc``) straight through the kernel."""
    rows: dict[str, list[dict[str, str]]] = {}
    with (DATA / "expected_final.csv").open() as fh:
        for row in csv.DictReader(fh):
            rows.setdefault(row["scenario"], []).append(row)
    for name in SCENARIOS:
        sc = parse_ktab_csv((DATA / f"{name}.csv").read_text())
        fc = _run(sc.to_problem(), "compiled")
        assert fc.trajectory is not None
        assert fc.extras["states"][0] == int(rows[name][0]["states"]), name
        actors = [a.strip() for a in sc.actor_names]
        dims = [d.strip() for d in sc.dimension_names]
        for row in rows[name]:
            a, d = actors.index(row["actor"]), dims.index(row["dim"])
            assert abs(fc.trajectory[0, -1, a, d] - float(row["final_position"])) <= 1e-9
            assert round(float(fc.extras["probabilities"][0, a]), 4) == float(row["final_prob"])


@pytest.mark.parametrize("name", ["dummyData_3Dim", "SOE-Pol-Comp", "SOE-Competitive"])
def test_bundled_scenarios_match_loop_reference(name: str, smp_ref: ModuleType) -> None:
    sc = parse_ktab_csv((DATA / f"{name}.csv").read_text())
    fc = _run(sc.to_problem(), "compiled")
    run = smp_ref.run(sc.positions.tolist(), sc.saliences.tolist(), sc.capability.tolist())
    states = np.array(run.states) * 100.0
    assert fc.trajectory is not None
    np.testing.assert_array_equal(fc.trajectory[0], states)
    np.testing.assert_array_equal(fc.extras["state_probabilities"][0], run.actor_probs)
    np.testing.assert_array_equal(fc.extras["ratio"][0], run.ratios)


# ---------------------------------------------------------------------------------------------
# Random problems
# ---------------------------------------------------------------------------------------------


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    """Small batches; positions drawn from a coarse grid half of the time, so that actors
    coincide (representatives, ties, degenerate states)."""
    b = draw(st.integers(1, 4))
    n = draw(st.integers(2, 12))
    d = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    coarse = draw(st.booleans())
    rng = np.random.default_rng(seed)
    if coarse:
        pos = rng.integers(0, 3, (b, n, d)) * 50.0
    else:
        pos = np.round(rng.uniform(0, 100, (b, n, d)), 2)
    sal = np.round(rng.uniform(1, 100, (b, n, d)) / d, 2)
    cap = np.round(rng.uniform(0.5, 200, (b, n)), 3)
    return Problem(pos, sal, cap, np.full((b, d), 50.0))


@pytest.mark.slow  # several seconds (README: the quick subset leaves it out)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_random_problems_match_numpy_bit_for_bit(prob: Problem) -> None:
    _assert_identical(
        _run(prob, "compiled", on_degenerate="stop"), _run(prob, "numpy", on_degenerate="stop")
    )


def test_random_batch_matches_loop_reference(smp_ref: ModuleType) -> None:
    prob = _uniform_problem(77, 6, 9, 2)
    fc = _run(prob, "compiled", on_degenerate="stop")
    assert fc.trajectory is not None
    assert len(set(fc.rounds.tolist())) > 1, "want problems that stop at different turns"
    for b in range(6):
        run = smp_ref.run(
            prob.positions[b].tolist(), prob.saliences[b].tolist(), prob.capability[b].tolist()
        )
        t = len(run.states)
        assert fc.rounds[b] == t - 1
        np.testing.assert_array_equal(fc.trajectory[b, :t], np.array(run.states) * 100.0)
        np.testing.assert_array_equal(fc.trajectory[b, t:], fc.trajectory[b, t - 1 : t].repeat(
            fc.trajectory.shape[1] - t, axis=0
        ))  # fmt: skip
        np.testing.assert_array_equal(fc.extras["ratio"][b, : t - 1], run.ratios)
        assert np.all(np.isnan(fc.extras["ratio"][b, t - 1 :]))


# ---------------------------------------------------------------------------------------------
# Threads, degenerate states
# ---------------------------------------------------------------------------------------------


def test_threads_change_nothing() -> None:
    prob = _uniform_problem(5, 40, 7, 2)
    args = (prob.positions / 100.0, prob.saliences / 100.0, prob.capability)
    one = smp_compiled.run_batch(*args, workers=1)
    three = smp_compiled.run_batch(*args, workers=3)
    assert len(set(one[4].tolist())) > 1
    assert one[0].shape == (40, int(one[4].max()) + 1, 7, 2)
    for a, b in zip(one, three, strict=True):
        np.testing.assert_array_equal(a, b)


def test_degenerate_states_raise_or_stop_as_numpy() -> None:
    sc = parse_ktab_csv((DATA / "SOE-Pol-Comp.csv").read_text())
    prob = Problem(
        np.stack([sc.positions, np.full((13, 2), 40.0)]),
        np.stack([sc.saliences, sc.saliences]),
        np.stack([sc.capability, sc.capability]),
        np.full((2, 2), 50.0),
    )
    for kernel in ("compiled", "numpy"):
        with pytest.raises(SmpDegenerateError, match=r"initial state.*elements \[1\]"):
            _run(prob, kernel)
    fc = _run(prob, "compiled", on_degenerate="stop")
    _assert_identical(fc, _run(prob, "numpy", on_degenerate="stop"))
    assert fc.rounds.tolist() == [27, 0]
    assert fc.extras["degenerate"].tolist() == [False, True]


def test_state_turning_degenerate_raises_or_stops_as_numpy() -> None:
    """Three actors who bargain their way to one position: degenerate after some turn."""
    prob = Problem.single([[10.0], [60.0], [90.0]], [[50.0]] * 3, [10.0, 20.0, 30.0], [50.0])
    messages = []
    for kernel in ("compiled", "numpy"):
        with pytest.raises(
            SmpDegenerateError, match=r"after turn \d+ in batch elements \[0\]"
        ) as e:
            _run(prob, kernel)
        messages.append(str(e.value))
    assert messages[0] == messages[1]
    fc = _run(prob, "compiled", on_degenerate="stop")
    _assert_identical(fc, _run(prob, "numpy", on_degenerate="stop"))
    assert fc.extras["degenerate"].tolist() == [True]
    assert fc.rounds[0] >= 1


# ---------------------------------------------------------------------------------------------
# Kernel selection
# ---------------------------------------------------------------------------------------------


def test_kernel_selection() -> None:
    cfg, _ = smp._config({})
    assert smp._compiled_kernel(cfg, "numpy", 10**9) is None
    assert smp._compiled_kernel(cfg, "compiled", 1) is smp_compiled
    assert smp._compiled_kernel(cfg, "auto", 10**9) is smp_compiled
    variant, _ = smp._config({"victory_prob": "Square"})
    assert smp._compiled_kernel(variant, "auto", 10**9) is None
    stop, _ = smp._config({"on_degenerate": "stop"})
    assert smp._compiled_kernel(stop, "auto", 10**9) is smp_compiled


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"kernel": "gpu"}, "kernel='gpu'"),
        ({"kernel": "compiled", "victory_prob": "Square"}, "default settings only"),
        ({"kernel": "compiled", "accommodation": np.eye(7)}, "default settings only"),
    ],
)
def test_bad_kernel_requests(kwargs: dict[str, Any], match: str) -> None:
    prob = parse_ktab_csv((DATA / "dummyData_3Dim.csv").read_text()).to_problem()
    with pytest.raises(ValueError, match=match):
        forecast(prob, np.random.default_rng(0), **kwargs)


def test_without_numba_auto_falls_back_and_compiled_says_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prob = parse_ktab_csv((DATA / "SOE-Pol-Comp.csv").read_text()).to_problem()
    expected = _run(prob, "numpy")
    monkeypatch.setitem(sys.modules, "ceasefire.bargaining.smp_compiled", None)  # import fails
    cfg, _ = smp._config({})
    assert smp._compiled_kernel(cfg, "auto", 10**9) is None
    _assert_identical(_run(prob, "auto"), expected)
    with pytest.raises(ValueError, match=r"unavailable.*'fast' extra"):
        _run(prob, "compiled")


@pytest.mark.parametrize("kernel", ["compiled", "numpy"])
def test_final_state_only_changes_nothing_else(kernel: str) -> None:
    """``trajectory=False`` (Monte Carlo use) drops the per-state records and nothing else."""
    sc = parse_ktab_csv((DATA / "SOE-Pol-Comp.csv").read_text())
    rng = np.random.default_rng(3)
    pos = np.stack([sc.positions, np.full((13, 2), 40.0), rng.uniform(0, 100, (13, 2))])
    prob = Problem(
        pos,
        np.stack([sc.saliences] * 3),
        np.stack([sc.capability] * 3),
        np.full((3, 2), 50.0),
    )
    full = _run(prob, kernel, on_degenerate="stop")
    final = _run(prob, kernel, on_degenerate="stop", trajectory=False)
    assert final.trajectory is None
    assert full.trajectory is not None
    assert len(set(full.rounds.tolist())) == 3  # a degenerate start, two different stops
    assert set(full.extras) - set(final.extras) == {"state_probabilities", "path"}
    np.testing.assert_array_equal(final.outcome, full.outcome)
    np.testing.assert_array_equal(final.rounds, full.rounds)
    for key, value in final.extras.items():
        np.testing.assert_array_equal(value, full.extras[key], err_msg=key)


def test_actors_at_both_ends_run_as_numpy() -> None:
    """Every distance 0 or 1 (actors at 0 and 100): KTAB's norm test is skipped in both kernels."""
    prob = Problem(
        np.array(
            [[[0.0], [0.0], [100.0], [0.0], [100.0]], [[0.0], [100.0], [0.0], [100.0], [0.0]]]
        ),
        np.array([[[60.0], [80.0], [50.0], [40.0], [90.0]]] * 2),
        np.array([[1.0, 2.0, 3.0, 1.0, 2.0]] * 2),
        np.zeros((2, 1)),
    )
    fc = _run(prob, "compiled")
    _assert_identical(fc, _run(prob, "numpy"))
    assert fc.rounds.min() > 0 and not fc.extras["degenerate"].any()
