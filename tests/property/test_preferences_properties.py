"""Utility and acceptance invariants (docs/specs/preferences.md), against a loop reference."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ceasefire.preferences import Preferences, acceptance, normalised_weights, utility
from tests.property.strategies import preference_arrays, scale


def ref_utility(x, p, s):
    total = math.fsum(s)
    if total == 0:
        return 0.0
    return -math.fsum(si / total * abs(xi - pi) for xi, pi, si in zip(x, p, s, strict=True)) / 100


@given(preference_arrays(), st.data())
def test_utility_matches_reference_and_bounds(arrs, data):
    ideal, sal = arrs
    n, d = ideal.shape
    pts = data.draw(arrays(np.float64, (3, d), elements=scale))
    u = utility(pts, ideal, normalised_weights(sal))
    assert u.shape == (3, n)
    for k in range(3):
        for i in range(n):
            assert math.isclose(u[k, i], ref_utility(pts[k], ideal[i], sal[i]), abs_tol=1e-12)
    assert (u <= 0).all() and (u >= -1 - 1e-12).all()
    # each actor's ideal point is its best point
    assert np.allclose(np.diagonal(utility(ideal, ideal, normalised_weights(sal))), 0.0)


@given(preference_arrays(), st.data())
def test_moving_toward_the_ideal_never_hurts(arrs, data):
    ideal, sal = arrs
    n, d = ideal.shape
    x = data.draw(arrays(np.float64, (d,), elements=scale))
    t = data.draw(st.floats(0, 1))
    w = normalised_weights(sal)
    for i in range(n):
        y = x + t * (ideal[i] - x)
        assert (
            utility(y, ideal[i : i + 1], w[i : i + 1])[0]
            >= utility(x, ideal[i : i + 1], w[i : i + 1])[0] - 1e-12
        )


def make_prefs(ideal, sal, war_cost, q, fighting=True):
    n, d = ideal.shape
    return Preferences(
        actor_ids=tuple(f"A{i}" for i in range(n)),
        dimension_ids=tuple(f"d{j}" for j in range(d)),
        ideal=ideal,
        salience=sal,
        weights=normalised_weights(sal),
        war_cost=war_cost,
        lower=np.zeros((n, d)),
        upper=np.full((n, d), 100.0),
        status_quo=q,
        fighting=fighting,
    )


@given(preference_arrays(), st.data())
def test_higher_war_cost_never_turns_accept_into_reject(arrs, data):
    ideal, sal = arrs
    n, d = ideal.shape
    q = data.draw(arrays(np.float64, (d,), elements=scale))
    x = data.draw(arrays(np.float64, (4, d), elements=scale))
    wc = data.draw(arrays(np.float64, (n,), elements=st.floats(0, 50)))
    extra = data.draw(arrays(np.float64, (n,), elements=st.floats(0, 50)))
    a1 = acceptance(make_prefs(ideal, sal, wc, q), x)
    a2 = acceptance(make_prefs(ideal, sal, wc + extra, q), x)
    assert (a2.accepts | ~a1.accepts).all()
    assert (a2.margin >= a1.margin - 1e-12).all()


def test_no_deal_includes_war_cost_only_when_fighting():
    ideal = np.array([[0.0, 0.0]])
    sal = np.array([[50.0, 50.0]])
    q = np.array([40.0, 20.0])
    fighting = make_prefs(ideal, sal, np.array([10.0]), q, fighting=True)
    peace = make_prefs(ideal, sal, np.array([10.0]), q, fighting=False)
    assert fighting.no_deal()[0] == -0.3 - 0.1
    assert peace.no_deal()[0] == -0.3


def test_ties_accept_and_red_lines_override_margin():
    ideal = np.array([[0.0], [100.0]])
    sal = np.array([[1.0], [1.0]])
    prefs = make_prefs(ideal, sal, np.array([0.0, 0.0]), np.array([50.0]), fighting=False)
    acc = acceptance(prefs, np.array([[50.0]]))
    assert acc.accepts.all() and np.allclose(acc.margin, 0)
    prefs_rl = Preferences(**{**prefs.__dict__, "upper": np.array([[40.0], [100.0]])})
    acc = acceptance(prefs_rl, np.array([[30.0]]))
    assert not acc.accepts[0, 1]  # actor 1 is worse off at 30 than at 50
    assert acc.accepts[0, 0]
    acc = acceptance(prefs_rl, np.array([[45.0]]))
    assert not acc.accepts[0, 0] and acc.margin[0, 0] > 0  # red line wins over a good margin


def test_hand_check_russia_bare_ceasefire(builtin):
    """deterrence_defaults.md hand check: U_RUS(bare ceasefire) - U_RUS(q) = -0.0355."""
    prefs = Preferences.from_scenario(builtin)
    i = prefs.actor_ids.index("RUS")
    bare = next(p for p in builtin.proposals if p.id == "bare-ceasefire")
    x = np.array([bare.position[d] for d in prefs.dimension_ids])
    h = prefs.utility(x)[i] - prefs.utility(prefs.status_quo)[i]
    # only the ceasefire dimension differs: |30 - 5| - |0 - 5| = 20 points at weight 55/310
    assert math.isclose(h, -(55 * 20) / 310 / 100, rel_tol=1e-12)
    assert round(h, 4) == -0.0355
