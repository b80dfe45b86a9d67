"""Tests of the ``smp`` engine (``docs/specs/smp.md``) and the KTAB CSV parser.

* golden cases of §12 and the worked intermediates of §8;
* every scenario of ``expected_final.csv`` (KTAB ``smpc`` output);
* the vectorised engine against the loop-based reference (``smp_reference.py``), state by
  state, bit for bit; batches in lockstep against single runs;
* parser errors, determinism, variants.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from ceasefire.bargaining import smp
from ceasefire.bargaining.base import Problem
from ceasefire.bargaining.smp import SmpDegenerateError, forecast
from ceasefire.formats.ktab import KtabFormatError, KtabScenario, parse_ktab_csv

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data" / "ktab"


def _load_reference() -> ModuleType:
    """Load ``smp_reference.py`` from this directory by path (no package layout assumed)."""
    name = "_ceasefire_smp_reference"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE / "smp_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


ref = _load_reference()

SCENARIOS = {
    "dummyData_3Dim": 11,
    "SOE-Pol-Comp": 28,
    "dummyData_6Dim": 30,
    "SOE-Policy": 20,
    "SOE-Competitive": 36,
    "dummyData-a040": 21,
    "dummyData-a080": 18,
}
RNG = np.random.default_rng(12345)


def _scenario(name: str) -> KtabScenario:
    return parse_ktab_csv((DATA / f"{name}.csv").read_text())


_CACHE: dict[str, smp.Forecast] = {}


def _run(name: str) -> smp.Forecast:
    if name not in _CACHE:
        _CACHE[name] = forecast(_scenario(name).to_problem(), np.random.default_rng(0))
    return _CACHE[name]


def _expected() -> dict[str, list[dict[str, str]]]:
    rows: dict[str, list[dict[str, str]]] = {}
    with (DATA / "expected_final.csv").open() as fh:
        for row in csv.DictReader(fh):
            rows.setdefault(row["scenario"], []).append(row)
    return rows


def _ref_inputs(sc: KtabScenario) -> tuple[list[list[float]], list[list[float]], list[float]]:
    return sc.positions.tolist(), sc.saliences.tolist(), sc.capability.tolist()


# ---------------------------------------------------------------------------------------------
# Golden case 12.1 and the worked intermediates of §8
# ---------------------------------------------------------------------------------------------

GOLD_3DIM = {
    "SActor-00": ((78.56, 31.76, 74.05), 0.3340),
    "SActor-01": ((78.56, 31.76, 74.05), 0.3340),
    "SActor-02": ((82.45, 90.89, 0.07), 0.0183),
    "SActor-03": ((67.12, 50.12, 63.73), 0.0957),
    "SActor-04": ((78.60, 31.65, 74.11), 0.1512),
    "SActor-05": ((79.88, 34.37, 75.16), 0.4009),
    "SActor-06": ((78.60, 31.65, 74.11), 0.1512),
}


def test_golden_dummy_3dim() -> None:
    sc = _scenario("dummyData_3Dim")
    fc = _run("dummyData_3Dim")
    assert fc.rounds.tolist() == [10]
    assert fc.extras["states"].tolist() == [11]
    assert fc.trajectory is not None and fc.trajectory.shape == (1, 11, 7, 3)
    final = fc.trajectory[0, -1]
    for a, actor in enumerate(sc.actor_names):
        pos, prob = GOLD_3DIM[actor]
        np.testing.assert_allclose(final[a], pos, rtol=0, atol=1e-9)
        assert round(float(fc.extras["probabilities"][0, a]), 4) == prob
    # SActor-02 never moves
    np.testing.assert_array_equal(fc.trajectory[0, :, 2], np.tile(sc.positions[2], (11, 1)))
    ratios = [0.9999, 0.7631, 0.1780, 0.0801, 0.0853, 0.0686, 0.0639, 0.1058, 0.0398, 0.0045]
    np.testing.assert_array_equal(np.round(fc.extras["ratio"][0], 4), ratios)
    actor0 = [0.0047, 0.6059, 0.3618, 0.2234, 0.2420, 0.4040, 0.4031, 0.3546, 0.4593, 0.3962]
    actor0 += [0.3340]
    np.testing.assert_array_equal(np.round(fc.extras["state_probabilities"][0, :, 0], 4), actor0)


P0_3DIM = [0.0018, 0.0209, 0.0021, 0.1078, 0.7054, 0.1276, 0.0345]
R_3DIM = [-0.5000, -0.4593, -0.4995, -0.2741, 1.0000, -0.2319, -0.4303]
# initiator -> (target, P, ΔEU, b^I, b^R)
TURN1_3DIM = {
    0: (6, 0.7643, 0.0947, (75.61, 24.78, 71.95), (75.61, 24.79, 71.95)),
    1: (0, 0.7964, 0.2810, (81.69, 73.16, 64.50), (81.69, 73.16, 64.50)),
    2: (6, 0.8334, 0.4711, (82.26, 82.56, 2.06), (82.26, 82.56, 2.06)),
    3: (0, 0.8056, 0.2839, (65.82, 50.76, 63.02), (65.82, 50.76, 63.02)),
    4: (0, 0.5836, 0.0116, (79.54, 44.72, 72.05), (79.54, 44.71, 72.05)),
    5: (1, 0.8510, 0.2986, (84.39, 34.05, 86.34), (84.39, 34.05, 86.34)),
    6: (1, 0.3970, 0.0286, (78.93, 56.33, 72.52), (78.93, 56.33, 72.52)),
}
# actor -> chosen bargain's initiator (None = status quo)
CHOICE_3DIM = [4, 6, None, 3, 4, 5, 0]
STATE0_PROBS_3DIM = [0.0047, 0.0302, 0.0054, 0.1492, 0.6001, 0.1447, 0.0656]


def _fast_turn1(sc: KtabScenario) -> dict[str, np.ndarray]:
    """The §8 intermediates from the vectorised building blocks."""
    cfg = dict(smp.DEFAULT_PARAMS)
    prob = sc.to_problem()
    x = prob.positions / 100.0
    sal = prob.saliences / 100.0
    cap = prob.capability
    stot = smp._seqsum(sal, -1)
    den = smp._sal_den(sal)
    st = smp._assess(x, x.copy(), sal, den, cap, cfg)
    p, gain = smp._challenges(st, stot * cap, stot, cfg)
    n = x.shape[1]
    masked = np.where(~np.eye(n, dtype=bool) & (gain > smp.TAU_EU), gain, -np.inf)
    target = np.argmax(masked, axis=-1)
    p_t = np.take_along_axis(p, target[:, :, None], axis=-1)[:, :, 0]
    g_t = np.take_along_axis(gain, target[:, :, None], axis=-1)[:, :, 0]
    b_i, b_r = smp._bargains(x, sal, target, p_t, "S2P2")
    new_x = smp._turn(st, sal, den, cap, stot * cap, stot, cfg, None)
    _, pa = smp._state_probabilities(st, cap, cfg)
    return {
        "risk": st.risk[0],
        "target": target[0],
        "p": p_t[0],
        "gain": g_t[0],
        "b_i": b_i[0] * 100.0,
        "b_r": b_r[0] * 100.0,
        "new_x": new_x[0] * 100.0,
        "probs0": pa[0],
    }


def test_worked_intermediates_section8_fast() -> None:
    sc = _scenario("dummyData_3Dim")
    got = _fast_turn1(sc)
    np.testing.assert_array_equal(np.round(got["risk"], 4), R_3DIM)
    np.testing.assert_array_equal(np.round(got["probs0"], 4), STATE0_PROBS_3DIM)
    for i, (tgt, p, gain, bi, br) in TURN1_3DIM.items():
        assert got["target"][i] == tgt
        assert round(float(got["p"][i]), 4) == p
        assert round(float(got["gain"][i]), 4) == gain
        np.testing.assert_allclose(got["b_i"][i], bi, rtol=0, atol=1e-9)
        np.testing.assert_allclose(got["b_r"][i], br, rtol=0, atol=1e-9)
    # choices: the new positions are the chosen bargain copies
    for k, c in enumerate(CHOICE_3DIM):
        if c is None:
            expect = sc.positions[k]
        elif c == k:
            expect = np.array(TURN1_3DIM[c][3])
        else:
            expect = np.array(TURN1_3DIM[c][4])
        np.testing.assert_allclose(got["new_x"][k], expect, rtol=0, atol=1e-9)
    # the risk-neutral election P0 (§4 step 3)
    prob = sc.to_problem()
    x = prob.positions / 100.0
    sal = prob.saliences / 100.0
    dist = smp._wdist(x[:, :, None], sal[:, :, None], x[:, None], smp._sal_den(sal)[:, :, None])
    p0 = smp._election(prob.capability, smp._util(dist, np.zeros_like(dist)), None)
    np.testing.assert_array_equal(np.round(p0[0], 4), P0_3DIM)


def test_worked_intermediates_section8_reference() -> None:
    sc = _scenario("dummyData_3Dim")
    run = ref.run(*_ref_inputs(sc))
    st, tr = run.first_state, run.first_turn
    assert [round(v, 4) for v in st.p0] == P0_3DIM
    assert [round(v, 4) for v in st.risk] == R_3DIM
    assert [round(v, 4) for v in run.actor_probs[0]] == STATE0_PROBS_3DIM
    for i, (tgt, p, gain, bi, br) in TURN1_3DIM.items():
        assert tr.targets[i] == tgt
        assert round(tr.p[i], 4) == p
        assert round(tr.gain[i], 4) == gain
        np.testing.assert_allclose(np.array(tr.b_init[i]) * 100, bi, rtol=0, atol=1e-9)
        np.testing.assert_allclose(np.array(tr.b_recv[i]) * 100, br, rtol=0, atol=1e-9)
    assert tr.choice == CHOICE_3DIM
    assert len(run.states) == 11


# ---------------------------------------------------------------------------------------------
# Golden case 12.2
# ---------------------------------------------------------------------------------------------

GOLD_POLCOMP = {
    "XJ": ((43.18, 43.30), 0.2299),
    "LK": ((43.23, 43.27), 0.2299),
    "ZG": ((38.66, 28.82), 0.1104),
    "MK": ((38.57, 28.79), 0.1104),
    "LH": ((38.66, 28.82), 0.1104),
    "XS": ((38.59, 29.52), 0.2202),
    "WY": ((15.00, 60.00), 0.0002),
    "NEA": ((38.72, 28.97), 0.2063),
    "MLR": ((38.72, 28.97), 0.2063),
    "MEP": ((38.71, 28.95), 0.2063),
    "MOF": ((38.82, 30.72), 0.2330),
    "SHX": ((38.82, 30.77), 0.2330),
    "HLJ": ((38.82, 30.77), 0.2330),
}


def test_golden_soe_pol_comp() -> None:
    sc = _scenario("SOE-Pol-Comp")
    fc = _run("SOE-Pol-Comp")
    assert fc.rounds.tolist() == [27]
    assert fc.trajectory is not None and fc.trajectory.shape[1] == 28
    final = fc.trajectory[0, -1]
    for a, actor in enumerate(sc.actor_names):
        pos, prob = GOLD_POLCOMP[actor]
        np.testing.assert_allclose(final[a], pos, rtol=0, atol=1e-9)
        assert round(float(fc.extras["probabilities"][0, a]), 4) == prob
    np.testing.assert_array_equal(np.round(fc.extras["ratio"][0, -3:], 4), [0.0930, 0.0874, 0.0083])
    wy = sc.actor_names.index("WY")
    np.testing.assert_array_equal(fc.trajectory[0, :, wy], np.tile(sc.positions[wy], (28, 1)))
    # six distinct options, summing to 1
    opt = fc.extras["option_probabilities"][0]
    assert np.count_nonzero(opt) == 6
    assert sorted(np.round(opt[opt > 0], 4).tolist()) == sorted(
        [0.2299, 0.1104, 0.2202, 0.2063, 0.2330, 0.0002]
    )
    assert opt.sum() == pytest.approx(1.0, abs=1e-12)


# ---------------------------------------------------------------------------------------------
# expected_final.csv: every scenario
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_expected_final(name: str) -> None:
    rows = _expected()[name]
    sc = _scenario(name)
    fc = _run(name)
    assert fc.extras["states"][0] == int(rows[0]["states"]) == SCENARIOS[name]
    assert fc.trajectory is not None
    final = fc.trajectory[0, -1]
    actors = [a.strip() for a in sc.actor_names]
    dims = [d.strip() for d in sc.dimension_names]
    assert len(rows) == len(actors) * len(dims)
    for row in rows:
        a, d = actors.index(row["actor"]), dims.index(row["dim"])
        # bargained positions are multiples of 0.01 and the CSV prints 4 decimals: exact
        assert abs(final[a, d] - float(row["final_position"])) <= 1e-9
        assert round(float(fc.extras["probabilities"][0, a]), 4) == float(row["final_prob"])


# ---------------------------------------------------------------------------------------------
# Vectorised engine vs the loop-based reference, state by state
# ---------------------------------------------------------------------------------------------


def _compare_with_reference(fc: smp.Forecast, b: int, run: object) -> None:
    states = np.array(run.states) * 100.0  # type: ignore[attr-defined]
    t = len(states)
    assert fc.rounds[b] == t - 1
    assert fc.trajectory is not None
    np.testing.assert_array_equal(fc.trajectory[b, :t], states)
    np.testing.assert_array_equal(fc.extras["state_probabilities"][b, :t], run.actor_probs)  # type: ignore[attr-defined]
    np.testing.assert_array_equal(fc.extras["ratio"][b, : t - 1], run.ratios)  # type: ignore[attr-defined]
    # padding repeats the final state
    for s in range(t, fc.trajectory.shape[1]):
        np.testing.assert_array_equal(fc.trajectory[b, s], states[-1])
    reps, p_opt = run.option_probs[-1]  # type: ignore[attr-defined]
    got = fc.extras["option_probabilities"][b]
    np.testing.assert_array_equal(got[reps], p_opt)
    assert np.count_nonzero(got) == len(reps)


#: the reference runs of several seconds each (README: the quick subset leaves them out)
_SLOW = ("dummyData-a080", "dummyData-a040", "SOE-Competitive")


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.slow) if n in _SLOW else n for n in SCENARIOS],
)
def test_matches_reference_bit_for_bit(name: str) -> None:
    sc = _scenario(name)
    _compare_with_reference(_run(name), 0, ref.run(*_ref_inputs(sc)))


def _random_problem(rng: np.random.Generator, b: int, n: int, d: int) -> Problem:
    pos = np.round(rng.uniform(0, 100, (b, n, d)), 2)
    sal = rng.uniform(1, 100, (b, n, d))
    sal = np.round(sal / sal.sum(axis=-1, keepdims=True) * rng.uniform(20, 99, (b, n, 1)), 2)
    cap = np.round(rng.uniform(1, 200, (b, n)), 3)
    return Problem(pos, sal, cap, np.full((b, d), 50.0))


@pytest.mark.parametrize(("n", "d"), [(3, 1), (5, 2), (8, 3), (12, 1)])
def test_batch_lockstep_matches_reference(n: int, d: int) -> None:
    rng = np.random.default_rng(1000 + 10 * n + d)
    prob = _random_problem(rng, 4, n, d)
    fc = forecast(prob, np.random.default_rng(0))
    assert fc.trajectory is not None
    assert fc.trajectory.shape[1] == fc.rounds.max() + 1
    for b in range(4):
        run = ref.run(
            prob.positions[b].tolist(), prob.saliences[b].tolist(), prob.capability[b].tolist()
        )
        _compare_with_reference(fc, b, run)
        # and a batch of one gives the same as the element of the batch
        single = forecast(
            Problem(
                prob.positions[b : b + 1],
                prob.saliences[b : b + 1],
                prob.capability[b : b + 1],
                prob.status_quo[b : b + 1],
            ),
            np.random.default_rng(0),
        )
        t = single.rounds[0] + 1
        assert single.trajectory is not None
        np.testing.assert_array_equal(single.trajectory[0], fc.trajectory[b, :t])
        np.testing.assert_array_equal(single.outcome[0], fc.outcome[b])


def test_batch_with_different_stopping_times() -> None:
    prob = Problem(
        np.concatenate(
            [_random_problem(np.random.default_rng(s), 1, 6, 2).positions for s in range(6)]
        ),
        np.concatenate(
            [_random_problem(np.random.default_rng(s), 1, 6, 2).saliences for s in range(6)]
        ),
        np.concatenate(
            [_random_problem(np.random.default_rng(s), 1, 6, 2).capability for s in range(6)]
        ),
        np.full((6, 2), 50.0),
    )
    fc = forecast(prob, RNG)
    assert len(set(fc.rounds.tolist())) > 1, "want elements that stop at different turns"
    for b in range(6):
        run = ref.run(
            prob.positions[b].tolist(), prob.saliences[b].tolist(), prob.capability[b].tolist()
        )
        _compare_with_reference(fc, b, run)


# ---------------------------------------------------------------------------------------------
# Output contract, determinism, variants, degenerate states
# ---------------------------------------------------------------------------------------------


def test_forecast_contract() -> None:
    fc = _run("SOE-Pol-Comp")
    assert fc.method == "smp"
    assert fc.variant == "default"
    assert fc.outcome.shape == (1, 2)
    assert fc.rounds.dtype == np.int64
    assert fc.extras["probabilities"].shape == (1, 13)
    assert fc.trajectory is not None
    np.testing.assert_array_equal(fc.trajectory[0, 0], _scenario("SOE-Pol-Comp").positions)
    # outcome = probability-weighted mean of the distinct final options
    opt = fc.extras["option_probabilities"][0]
    expect = (opt[:, None] * fc.trajectory[0, -1]).sum(axis=0)
    np.testing.assert_allclose(fc.outcome[0], expect, rtol=1e-12)
    mode = fc.trajectory[0, -1][np.argmax(opt)]
    np.testing.assert_array_equal(fc.extras["mode"][0], mode)


def test_deterministic_and_rng_untouched() -> None:
    prob = _scenario("dummyData_3Dim").to_problem()
    rng1 = np.random.default_rng(1)
    rng2 = np.random.default_rng(2)
    before = rng1.bit_generator.state
    a = forecast(prob, rng1)
    b = forecast(prob, rng2)
    assert rng1.bit_generator.state == before  # the default mode draws nothing
    np.testing.assert_array_equal(a.trajectory, b.trajectory)
    np.testing.assert_array_equal(a.outcome, b.outcome)
    np.testing.assert_array_equal(a.extras["probabilities"], b.extras["probabilities"])


def test_inputs_not_mutated() -> None:
    prob = _scenario("dummyData_3Dim").to_problem()
    copies = [prob.positions.copy(), prob.saliences.copy(), prob.capability.copy()]
    forecast(prob, RNG)
    np.testing.assert_array_equal(prob.positions, copies[0])
    np.testing.assert_array_equal(prob.saliences, copies[1])
    np.testing.assert_array_equal(prob.capability, copies[2])


def test_actor_order_matters_only_through_ties() -> None:
    """Relabelling actors changes nothing here (no ties in this scenario)."""
    sc = _scenario("SOE-Pol-Comp")
    perm = np.random.default_rng(3).permutation(13)
    prob = Problem.single(sc.positions[perm], sc.saliences[perm], sc.capability[perm], [50, 50])
    fc = forecast(prob, RNG)
    base = _run("SOE-Pol-Comp")
    assert fc.rounds[0] == base.rounds[0]
    assert fc.trajectory is not None and base.trajectory is not None
    np.testing.assert_array_equal(fc.trajectory[0, -1], base.trajectory[0, -1][perm])


def test_identity_accommodation_is_default() -> None:
    prob = _scenario("dummyData_3Dim").to_problem()
    a = forecast(prob, RNG, accommodation=np.eye(7))
    b = _run("dummyData_3Dim")
    assert a.variant == "accommodation"
    np.testing.assert_array_equal(a.trajectory, b.trajectory)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("victory_prob", "Square"),
        ("victory_prob", "Quartic"),
        ("victory_prob", "Octic"),
        ("victory_prob", "Binary"),
        ("voting_rule", "Binary"),
        ("voting_rule", "PropBin"),
        ("voting_rule", "PropCbc"),
        ("voting_rule", "Cubic"),
        ("voting_rule", "ASymProsp"),
        ("pce", "MarkovUniform"),
        ("pce", "MarkovIncentive"),
        ("big_r_range", "Min"),
        ("big_r_range", "Max"),
        ("big_r_adjust", "None"),
        ("big_r_adjust", "Half"),
        ("big_r_adjust", "TwoThirds"),
        ("big_r_adjust", "Full"),
        ("third_party_commit", "Full"),
        ("third_party_commit", "None"),
        ("inter_vec_brgn", "S1P1"),
        ("inter_vec_brgn", "S2PMax"),
        ("accommodation", 0.5 * np.eye(7)),
    ],
)
def test_variants_run(key: str, value: object) -> None:
    prob = _scenario("dummyData_3Dim").to_problem()
    fc = forecast(prob, RNG, **{key: value})
    assert fc.variant != "default"
    assert np.all(np.isfinite(fc.outcome))
    assert np.all((fc.outcome >= 0) & (fc.outcome <= 100))
    assert 2 <= fc.rounds[0] <= 100
    opt = fc.extras["option_probabilities"][0]
    assert opt.sum() == pytest.approx(1.0, abs=1e-6)


def test_markov_pce_on_two_options() -> None:
    """With two options both Markov PCEs give the pairwise probability (stationary point)."""
    w = np.array([1.0, 3.0])
    v = np.array([[1.0, 0.0], [0.0, 1.0]])
    for pce in ("MarkovUniform", "MarkovIncentive"):
        p = smp._election(w, v, None, pce=pce)
        c01, c10 = 1e-8 + 1.0, 1e-8 + 3.0
        assert p[0] == pytest.approx(c01 / (c01 + c10), abs=1e-5)


def test_stochastic_transitions_reproducible() -> None:
    prob = _scenario("dummyData_3Dim").to_problem()
    a = forecast(prob, np.random.default_rng(7), transitions="Stochastic")
    b = forecast(prob, np.random.default_rng(7), transitions="Stochastic")
    np.testing.assert_array_equal(a.trajectory, b.trajectory)
    assert a.variant == "transitions=Stochastic"


def test_degenerate_state_raises_or_stops() -> None:
    pos = np.full((4, 2), 40.0)
    sal = np.full((4, 2), 30.0)
    prob = Problem.single(pos, sal, [1.0, 2.0, 3.0, 4.0], [50, 50])
    with pytest.raises(SmpDegenerateError):
        forecast(prob, RNG)
    fc = forecast(prob, RNG, on_degenerate="stop")
    assert fc.rounds.tolist() == [0]
    assert fc.extras["degenerate"].tolist() == [True]
    np.testing.assert_allclose(fc.outcome[0], [40.0, 40.0])
    assert fc.extras["option_probabilities"][0].tolist() == [1.0, 0.0, 0.0, 0.0]


def test_degenerate_element_does_not_stop_the_batch() -> None:
    sc = _scenario("SOE-Pol-Comp")
    pos = np.stack([sc.positions, np.full((13, 2), 40.0)])
    sal = np.stack([sc.saliences, sc.saliences])
    cap = np.stack([sc.capability, sc.capability])
    fc = forecast(Problem(pos, sal, cap, np.full((2, 2), 50.0)), RNG, on_degenerate="stop")
    assert fc.rounds.tolist() == [27, 0]
    base = _run("SOE-Pol-Comp")
    np.testing.assert_array_equal(fc.trajectory[0], base.trajectory[0])  # type: ignore[index]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"victory_prob": "Nope"}, "victory_prob"),
        ({"bargn_model": "PWCompInterp"}, "bargn_model"),
    ],
)
def test_bad_params(kwargs: dict[str, str], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        forecast(_scenario("dummyData_3Dim").to_problem(), RNG, **kwargs)
    with pytest.raises(TypeError):
        forecast(_scenario("dummyData_3Dim").to_problem(), RNG, rounds=3)


def test_bad_problem_values() -> None:
    sc = _scenario("dummyData_3Dim")
    cap = sc.capability.copy()
    cap[1] = 0.0
    with pytest.raises(ValueError, match="capability"):
        forecast(Problem.single(sc.positions, sc.saliences, cap, [50] * 3), RNG)
    sal = sc.saliences.copy()
    sal[2] = 0.0
    with pytest.raises(ValueError, match="salience"):
        forecast(Problem.single(sc.positions, sal, sc.capability, [50] * 3), RNG)


# ---------------------------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------------------------


def test_parse_dummy_3dim() -> None:
    sc = _scenario("dummyData_3Dim")
    assert sc.name == "DummyData_3Dim "
    assert sc.description == "Dummy scenario to test reading format"
    assert sc.n_actors == 7 and sc.n_dims == 3
    assert sc.dimension_names == ("Pstn1", "Pstn2", "Pstn3")
    assert sc.salience_labels == ("Sal1", "Sal2", "Sal3")
    assert sc.capability_label == "Power"
    assert sc.actor_names[0] == "SActor-00"
    assert sc.actor_descriptions[0] == " Random Spatial Actor"
    np.testing.assert_array_equal(sc.positions[0], [75.79, 6.37, 70.45])
    np.testing.assert_array_equal(sc.saliences[0], [49.53, 5.91, 28.15])
    assert sc.capability[0] == 102.543
    assert "100" in sc.scaling["positions"]
    prob = sc.to_problem()
    assert prob.shape == (1, 7, 3)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_parse_all_bundled(name: str) -> None:
    sc = _scenario(name)
    first = (DATA / f"{name}.csv").read_text().splitlines()[0]
    n, d = (int(v) for v in first.split(",")[2:4])
    assert sc.positions.shape == (n, d) == sc.saliences.shape
    assert sc.capability.shape == (n,)


def test_parse_quotes_and_escapes() -> None:
    text = (
        '"Scen, with comma","A &quot;quoted&quot; desc$$ and more",3,1,\n'
        "Actor,Description,Power,Dim A,Sal A,\n"
        'A,"x, y",10,10,50,\n'
        "B,,20, 50 ,50\n"
        'C,desc$$c,30,"90",50,\n'
        "ignored trailing line\n"
    )
    sc = parse_ktab_csv(text)
    assert sc.name == "Scen, with comma"
    assert sc.description == 'A "quoted" desc, and more'
    assert sc.actor_descriptions == ("x, y", "", "desc,c")
    np.testing.assert_array_equal(sc.positions[:, 0], [10, 50, 90])
    np.testing.assert_array_equal(sc.capability, [10, 20, 30])


GOOD = (
    "S,desc,3,2,\n"
    "Actor,Description,Power,P1,S1,P2,S2,\n"
    "A,a,10,10,50,20,40,\n"
    "B,b,20,50,50,60,30,\n"
    "C,c,30,90,50,70,20,\n"
)


def _mutate(line: int, new: str) -> str:
    lines = GOOD.splitlines()
    lines[line - 1] = new
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("", 1, None),
        ("S,desc,3\n", 1, "number of dimensions"),
        (_mutate(1, "S,desc,three,2"), 1, "number of actors"),
        (_mutate(1, "S,desc,2,2"), 1, "number of actors"),
        (_mutate(1, "S,desc,251,2"), 1, "number of actors"),
        (_mutate(1, "S,desc,3,0"), 1, "number of dimensions"),
        (_mutate(2, "Actor,Description,Power,P1,S1,P2"), 2, "field 7"),
        (_mutate(3, "A,a,10,10,50,20"), 3, "S2"),
        (_mutate(3, "A,a,10,10,fifty,20,40"), 3, "S1"),
        (_mutate(4, "B,b,20,50,50,nan,30"), 4, "P2"),
        (_mutate(4, "B,b,lots,50,50,60,30"), 4, "Power"),
        (_mutate(4, "B,b,0,50,50,60,30"), 4, "Power"),
        (_mutate(4, "B,b,2e8,50,50,60,30"), 4, "Power"),
        (_mutate(5, "C,c,30,101,50,70,20"), 5, "P1"),
        (_mutate(5, "C,c,30,90,-1,70,20"), 5, "S1"),
        (_mutate(5, "C,c,30,90,60,70,41"), 5, "S2"),
        (_mutate(5, "C,c,30,90,0,70,0"), 5, "S2"),
        (_mutate(5, ",c,30,90,50,70,20"), 5, "Actor"),
        (_mutate(5, "A-name-that-is-far-too-long,c,30,90,50,70,20"), 5, "Actor"),
        (GOOD.replace("C,c,30,90,50,70,20,\n", ""), 5, None),
        (_mutate(3, '"A,a,10,10,50,20,40'), 3, None),
    ],
)
def test_parse_errors(text: str, line: int, column: str | None) -> None:
    with pytest.raises(KtabFormatError) as info:
        parse_ktab_csv(text)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.line == line
    assert f"line {line}" in str(err)
    if column is not None:
        assert err.column == column
        assert repr(column) in str(err)


def test_parse_good_roundtrip() -> None:
    sc = parse_ktab_csv(GOOD)
    fc = forecast(sc.to_problem(), RNG)
    assert fc.outcome.shape == (1, 2)
    # CRLF line endings are fine too
    sc2 = parse_ktab_csv(GOOD.replace("\n", "\r\n"))
    np.testing.assert_array_equal(sc.positions, sc2.positions)


@pytest.mark.parametrize("pce", ["MarkovUniform", "MarkovIncentive"])
def test_markov_batch_equals_single_runs(pce: str) -> None:
    prob = _random_problem(np.random.default_rng(99), 3, 5, 2)
    fc = forecast(prob, RNG, pce=pce)
    assert fc.trajectory is not None
    for b in range(3):
        one = Problem(
            prob.positions[b : b + 1],
            prob.saliences[b : b + 1],
            prob.capability[b : b + 1],
            prob.status_quo[b : b + 1],
        )
        single = forecast(one, RNG, pce=pce)
        assert single.rounds[0] == fc.rounds[b]
        np.testing.assert_array_equal(single.outcome[0], fc.outcome[b])


def test_issue_with_every_actor_at_an_end_runs_and_matches_the_reference(
    smp_ref: ModuleType,
) -> None:
    """Every actor at 0 or 100 on one dimension: every distance is 0 or 1, so KTAB's
    Frobenius-norm test fires although R is defined (P_max > P_min). The engine runs the model
    (a documented deviation from KTAB's abort), state for state as the loop reference, which
    implements §4-§6 without the norm test."""
    pos = [[0.0], [0.0], [100.0], [0.0], [100.0]]
    sal = [[60.0], [80.0], [50.0], [40.0], [90.0]]
    cap = [1.0, 2.0, 3.0, 1.0, 2.0]
    fc = forecast(Problem.single(pos, sal, cap, [0.0]), RNG, kernel="numpy")
    assert fc.rounds[0] > 0 and not fc.extras["degenerate"][0]
    assert fc.extras["refusal"] == [None]
    run = smp_ref.run(pos, sal, cap)
    assert fc.trajectory is not None
    np.testing.assert_array_equal(fc.trajectory[0], np.array(run.states) * 100.0)


def test_two_equal_blocs_are_refused_with_the_reason() -> None:
    """Two blocs of equal weight at 0 and 100: P_max = P_min, R is 0/0 -- the message and the
    per-element refusal say so (not "everyone at one position")."""
    prob = Problem.single([[0.0], [100.0]], [[50.0], [70.0]], [1.0, 1.0], [0.0])
    with pytest.raises(SmpDegenerateError, match=r"initial state in batch elements \[0\]"):
        forecast(prob, RNG, kernel="numpy")
    fc = forecast(prob, RNG, on_degenerate="stop")
    (reason,) = fc.extras["refusal"]
    assert reason is not None and "same probability (P_max = P_min)" in reason
