"""The deterrence and durability stages as the pipeline wires them (docs/specs/deterrence.md)."""

from __future__ import annotations

import json
import math

import pytest

from ceasefire.analysis import analyze
from ceasefire.scenario import loads
from tests.unit.test_scenario import MINIMAL


def _logit(*eu: float, lam: float = 4.0) -> float:
    """The first action's logit probability (docs/specs/deterrence.md §1, §4.3)."""
    w = [math.exp(lam * u) for u in eu]
    return w[0] / sum(w)


def test_hand_check_of_deterrence_defaults(builtin_analysis):
    """§4 at the central values of deterrence_defaults.md (p1 0.25, c1 0.15, s 0.03, rho 0.5,
    cb 0.4, kappa 0.05, q 0.41, λ 4), by hand."""
    a = builtin_analysis
    bare = a.proposal("bare-ceasefire").deterrence
    assert bare.g == 0 and bare.h == pytest.approx(-0.0355, abs=5e-5)
    assert bare.sequence == "after_ceasefire"
    # hold h; probe s (v - c1) - κ (nobody answers); uncovered p1 v - c1 - κ
    expected = _logit(bare.h, 0.03 * 0.85 - 0.05, 0.25 - 0.15 - 0.05)
    assert bare.p_hold.central == pytest.approx(expected, abs=1e-9)
    assert bare.p_attack_covered.central == 0
    vance = a.proposal("vance-plan").deterrence
    assert vance.h == pytest.approx(0.1065, abs=5e-5)
    assert vance.p_hold.central == pytest.approx(
        _logit(vance.h, 0.03 * 0.85 - 0.05, 0.25 - 0.15 - 0.05), abs=1e-9
    )
    wgm = a.proposal("west-german-model").deterrence
    assert wgm.g == pytest.approx(1.0)
    assert wgm.h == pytest.approx(-0.1274, abs=5e-5)
    # during fighting (φ = 0): probe answered with q_b = 0.5 * 0.41
    qb = 0.205
    probe = qb * -0.4 + (1 - qb) * 0.03 * 0.85
    covered = 0.41 * (0.005 - 4) + 0.59 * (0.25 - 0.15)
    assert wgm.p_hold.central == pytest.approx(_logit(wgm.h, probe, covered), abs=1e-9)
    assert wgm.q_critical.central == pytest.approx((wgm.h - 0.1) / (0.005 - 0.25 - 3.85), abs=1e-9)
    # the seed's order question: the WGM leaves it open, so both orders are reported
    assert wgm.sequence == "during_fighting" and set(wgm.alternatives) == {"after_ceasefire"}
    for iv in (wgm.p_hold, wgm.p_guarantor_war):
        assert iv.p05 <= iv.median <= iv.p95


def test_durability_mechanisms_and_priors(builtin_analysis):
    a = builtin_analysis
    bare = a.proposal("bare-ceasefire").durability
    assert bare.mechanisms == []
    # the bare 0.45 of the prior, with the built-in's Fortna controls (durability.md §1)
    from ceasefire.durability import CONTROL_DEFAULTS

    hr_c = 1.0
    for c in ("high_war_cost", "contiguity", "previous_conflict", "existential_stakes"):
        hr_c *= CONTROL_DEFAULTS[c].central
    assert bare.hazard_ratio.central == pytest.approx(hr_c)
    assert bare.p_breakdown_5y.central == pytest.approx(1 - 0.55**hr_c)
    wgm = a.proposal("west-german-model").durability
    assert wgm.mechanisms == ["monitoring", "collective_defence"]
    assert wgm.p_breakdown_5y.central < a.proposal("vance-plan").durability.p_breakdown_5y.central
    assert "PRIOR" in a.durability_inputs["hr_dmz"].source
    assert a.deterrence_inputs["c1"].central == pytest.approx(0.15)  # RUS war_cost / 100


def test_same_seed_same_numbers_other_seed_differs(builtin):
    a = analyze(builtin, draws=300, seed=7)
    b = analyze(builtin, draws=300, seed=7)
    c = analyze(builtin, draws=300, seed=8)
    assert a.to_json() == b.to_json()
    pa = a.proposal("bare-ceasefire").deterrence.p_hold
    pc = c.proposal("bare-ceasefire").deterrence.p_hold
    assert pa.central == pc.central and (pa.p05, pa.p95) != (pc.p05, pc.p95)


def test_json_has_the_issue_fields(builtin_analysis):
    data = json.loads(builtin_analysis.to_json())
    p = data["proposals"][0]
    for key in (
        "p_attack_covered",
        "p_attack_uncovered",
        "p_hold",
        "p_guarantor_war",
        "q_critical",
    ):
        assert set(p["deterrence"][key]) >= {"median", "p05", "p95"}
    for key in ("p_breakdown_1y", "p_breakdown_2y", "p_breakdown_5y"):
        assert set(p["durability"][key]) >= {"median", "p05", "p95"}


def test_scenario_inputs_override_defaults():
    text = (
        MINIMAL
        + """
[deterrence]
aggressor = "Y"
q = { central = 1.0, range = [1.0, 1.0], source = "certain" }
c2 = { central = 1e9 }

[monte_carlo]
draws = 50
seed = 1
"""
    )
    a = analyze(loads(text))
    d = a.proposals[0].deterrence
    assert a.aggressor == "Y" and a.deterrence_inputs["q"].source == "certain"
    assert d.p_attack_covered.central == pytest.approx(0.0, abs=1e-12)
    assert a.monte_carlo == {"draws": 50, "seed": 1}


def test_no_aggressor_no_game():
    a = analyze(loads(MINIMAL))
    assert a.aggressor is None and a.proposals[0].deterrence is None
    assert a.proposals[0].durability is not None


def test_bad_deterrence_inputs_are_located():
    from ceasefire.scenario import ScenarioError

    text = MINIMAL + '\n[deterrence]\naggressor = "Z"\nq = { central = 0.9, range = [0.1, 0.5] }\n'
    with pytest.raises(ScenarioError) as info:
        loads(text, "t.toml")
    lines = info.value.lines()
    assert "t.toml: deterrence.aggressor: unknown actor 'Z'" in lines
    assert "t.toml: deterrence.q.range: central value 0.9 lies outside [0.1, 0.5]" in lines
