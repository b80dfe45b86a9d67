"""The extended guarantee game of docs/specs/deterrence.md §4 (issue 14)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire.deterrence import DETERRENCE_DEFAULTS
from ceasefire.deterrence.commitments import COMMITMENT_TYPES
from ceasefire.deterrence.game import (
    EXTENDED_DEFAULTS,
    Conditions,
    ResolvedCommitment,
    extended_game,
    run_extended,
)

EXAMPLE = {
    "v": 1.0,
    "p1": 0.25,
    "p2": 0.005,
    "c1": 0.15,
    "c2": 4.0,
    "q": 0.5,
    "lam": 4.0,
    "s": 0.05,
    "rho": 0.5,
    "cb": 0.4,
    "kappa": 0.05,
    "w": 0.5,
    "pd": 0.05,
    "pdg": 0.3,
    "cd": 0.15,
    "e": 0.5,
    "forfeit": 0.5,
}
RANGES = dict(DETERRENCE_DEFAULTS) | dict(EXTENDED_DEFAULTS)


def test_worked_example_after_a_ceasefire() -> None:
    """§4.6, by hand."""
    r = extended_game(1.0, -0.1, EXAMPLE, phase=1.0)
    assert r.eu[1] == pytest.approx(-0.118125, abs=1e-12)
    assert r.eu[2] == pytest.approx(-1.9975, abs=1e-12)
    assert math.isnan(r.eu[3])
    z = 1.0 + math.exp(-0.0725) + math.exp(-7.59)
    assert float(r.p_hold) == pytest.approx(1 / z, abs=1e-9)
    assert float(r.p_hold) == pytest.approx(0.517981407, abs=1e-9)
    assert float(r.p_probe) == pytest.approx(math.exp(-0.0725) / z, abs=1e-9)
    assert float(r.p_attack_uncovered) == 0.0
    assert float(r.eu_protege) == pytest.approx(-0.14375, abs=1e-12)
    p_move = 1 / (1 + math.exp(0.575))
    assert float(r.p_protege_moves) == pytest.approx(p_move, abs=1e-9)
    war = 1 - (1 - math.exp(-7.59) / z * 0.5 - math.exp(-0.0725) / z * 0.25) * (1 - p_move / 4)
    assert float(r.p_guarantor_war) == pytest.approx(war, abs=1e-9)
    assert float(r.p_guarantor_war) == pytest.approx(0.199737243, abs=1e-9)
    assert float(r.q_critical) == pytest.approx(0.15 / 4.095, abs=1e-9)
    assert float(r.q_critical_probe) == pytest.approx(0.0925 / 0.22125, abs=1e-9)


def test_worked_example_during_fighting_and_with_conditions() -> None:
    during = extended_game(1.0, -0.1, EXAMPLE, phase=0.0)
    assert during.eu[1] == pytest.approx(-0.068125, abs=1e-12)
    assert float(during.p_hold) == pytest.approx(0.468032828, abs=1e-9)
    assert float(during.p_protege_moves) == pytest.approx(1 / (1 + math.exp(0.375)), abs=1e-9)
    assert float(during.q_critical) == pytest.approx(0.2 / 4.095, abs=1e-9)
    assert float(during.q_critical_probe) == pytest.approx(0.1425 / 0.22125, abs=1e-9)
    bound = extended_game(1.0, -0.1, EXAMPLE, Conditions(1.0, 1.0, 1.0), phase=1.0)
    assert float(bound.eu_protege) == pytest.approx(-0.68125, abs=1e-12)
    assert float(bound.p_protege_moves) == pytest.approx(1 / (1 + math.exp(2.725)), abs=1e-9)


def _loop_reference(g: float, h: float, p: dict[str, float], phi: float) -> list[float]:
    """One element at a time, in plain Python: §4.2-4.3 written out again."""
    qb = min(1.0, p["rho"] * p["q"])
    k = phi * p["kappa"]
    eus = [("hold", h, True)]
    eus.append(("probe", qb * -p["cb"] + (1 - qb) * p["s"] * (p["v"] - p["c1"]) - k, p["s"] > 0))
    cov = p["q"] * (p["p2"] * g * p["v"] - p["c2"]) + (1 - p["q"]) * (
        p["p1"] * g * p["v"] - p["c1"]
    )
    eus.append(("covered", cov - k, g > 0))
    eus.append(("uncovered", p["p1"] * (1 - g) * p["v"] - p["c1"] - k, g < 1))
    top = max(u for _, u, a in eus if a)
    ws = [math.exp(p["lam"] * (u - top)) if a else 0.0 for _, u, a in eus]
    probs = [x / sum(ws) for x in ws]
    f = p["q"] * p["e"]
    eu_d = (f * p["pdg"] + (1 - f) * p["pd"]) * p["w"] - p["cd"] - k
    move = 1 / (1 + math.exp(-p["lam"] * eu_d))
    war = 1 - (1 - probs[2] * p["q"] - probs[1] * qb) * (1 - move * f)
    return [*probs, move, war]


def test_vectorised_game_matches_the_loop_reference() -> None:
    rng = np.random.default_rng(14)
    n = 300
    draws = {k: rng.uniform(r.low, r.high, n) for k, r in RANGES.items()}
    g = rng.choice([0.0, 0.4, 1.0], n)
    h = rng.uniform(-0.3, 0.2, n)
    phi = rng.choice([0.0, 1.0], n)
    res = extended_game(g, h, draws, phase=phi)
    fast = np.column_stack([res.prob, res.p_protege_moves, res.p_guarantor_war])
    for i in range(n):
        one = {k: float(v[i]) for k, v in draws.items()}
        assert fast[i] == pytest.approx(_loop_reference(g[i], h[i], one, phi[i]), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    q_lo=st.floats(0.0, 1.0),
    q_hi=st.floats(0.0, 1.0),
    h=st.floats(-1.0, 0.5),
    g=st.floats(0.0, 1.0),
)
def test_credibility_never_raises_attacks_on_covered_land(
    q_lo: float, q_hi: float, h: float, g: float
) -> None:
    lo, hi = sorted((q_lo, q_hi))
    base = {k: r.central for k, r in RANGES.items()}
    a = extended_game(g, h, base | {"q": lo})
    b = extended_game(g, h, base | {"q": hi})
    assert b.p_attack_covered + b.p_probe <= a.p_attack_covered + a.p_probe + 1e-12


def test_phase_changes_the_numbers_where_it_changes_a_payoff() -> None:
    base = {k: r.central for k, r in RANGES.items()}
    after = extended_game(1.0, -0.1, base, phase=1.0)
    during = extended_game(1.0, -0.1, base, phase=0.0)
    assert float(during.p_hold) < float(after.p_hold)
    assert float(during.p_protege_moves) > float(after.p_protege_moves)
    same = extended_game(1.0, -0.1, base | {"kappa": 0.0}, phase=1.0)
    again = extended_game(1.0, -0.1, base | {"kappa": 0.0}, phase=0.0)
    assert np.allclose(same.prob, again.prob)


def test_conditions_contain_entrapment() -> None:
    base = {k: r.central for k, r in RANGES.items()}
    free = extended_game(1.0, -0.1, base)
    for cond in (Conditions(defensive_only=1.0), Conditions(administrative_control=1.0)):
        assert extended_game(1.0, -0.1, base, cond).p_protege_moves < free.p_protege_moves
    pledged = extended_game(1.0, -0.1, base, Conditions(renunciation_of_force=1.0))
    assert pledged.p_protege_moves < free.p_protege_moves
    assert pledged.p_guarantor_war < free.p_guarantor_war


def resolve(name: str, tripwire: bool | None = None) -> ResolvedCommitment:
    t = COMMITMENT_TYPES[name]
    cred = t.credibility if t.credibility is not None else RANGES["q"]
    wire = t.tripwire if tripwire is None else tripwire
    return ResolvedCommitment(
        name, t.label, t.guarantors, t.scope, t.automaticity, wire, cred, t.weight, t.basis
    )


def _p_hold(names: tuple[str, ...], credible: bool = False, tripwire: bool | None = None) -> float:
    ranges = dict(RANGES)
    if credible:
        ranges["q"] = type(RANGES["q"])(0.75, 0.75, 0.75, "the high end")
    run = run_extended(
        1.0,
        -0.1274,
        ranges,
        [resolve(n, tripwire) for n in names],
        2000,
        rng=np.random.default_rng(3),
    )
    return run.summary["p_hold"]["median"]


def test_short_of_article5_deters_more_than_nothing_and_less_than_article5() -> None:
    """Same terms: same scope, same g and h, and the same forces on the ground."""
    nothing = _p_hold(())
    assert nothing < _p_hold(("bilateral-2024",)) < _p_hold(("nato-art5",), credible=True)
    coalition = _p_hold(("coalition-tripwire",))
    assert nothing < coalition < _p_hold(("nato-art5",), credible=True, tripwire=True)
    assert _p_hold(("budapest-1994",)) < _p_hold(("bilateral-2024",))


def test_one_automatic_commitment_is_the_core_game() -> None:
    """§4.4: one automatic commitment, no tripwire, W = 1 leaves q, p2, c2 unchanged."""
    run = run_extended(1.0, -0.1, RANGES, [resolve("nato-art5")], 10, rng=np.random.default_rng(0))
    c = run.central_inputs
    assert c["q"] == pytest.approx(RANGES["q"].central)
    assert c["c2"] == pytest.approx(RANGES["c2"].central)
    assert c["rho"] == pytest.approx(RANGES["rho"].central)
