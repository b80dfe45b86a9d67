"""Package rescues (issue 13): payers never gain; a package is no dearer than buying each
blocker separately, and no cheaper than the dearest of them."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ceasefire import packages as pk
from ceasefire import preferences as pref

N, D, J = 4, 2, 3  # veto players, dimensions, side issues; one extra payer row (index N)
scale = st.floats(0.0, 100.0, allow_nan=False)
rate = st.floats(0.0, 0.1, allow_nan=False)


@st.composite
def instances(draw):
    ideal = draw(arrays(np.float64, (N, D), elements=scale))
    w = pref.normalised_weights(draw(arrays(np.float64, (N, D), elements=st.floats(0.1, 10))))
    x0 = draw(arrays(np.float64, (D,), elements=scale))
    # no-deal: each row short of x0 by up to 0.2 utility (or not short at all)
    short = draw(arrays(np.float64, (N,), elements=st.floats(-0.1, 0.2)))
    nd = pref.utility(x0, ideal, w) + short
    value = draw(arrays(np.float64, (N + 1, J), elements=rate))
    value[N] = 0.0  # the payer values nothing
    cost = np.zeros((N + 1, J))
    cost[N] = draw(arrays(np.float64, (J,), elements=st.floats(0.001, 0.1)))
    side = pk.SideArrays(("a", "b", "c"), value, cost, np.full(J, np.inf), np.zeros(J, bool))
    return ideal, w, nd, x0, side


def _package(inst, rows):
    ideal, w, nd, x0, side = inst
    r = list(rows)
    lo, hi = np.zeros((len(r), D)), np.full((len(r), D), 100.0)
    return pk.cheapest_package(
        x0, np.full(D, 0.5), ideal[r], w[r], nd[r], lo, hi, side, r, move=False
    )


@given(instances())
def test_a_side_payment_never_makes_the_payer_better_off(inst):
    _, _, _, _, side = inst
    p = _package(inst, range(N))
    if p.exists:
        net = (side.value - side.cost) @ p.units  # utility each actor gains from the package
        assert net[N] <= 1e-12
        assert np.all(pk.paid_by(p, side) >= 0)


@given(instances())
def test_a_package_is_no_dearer_than_the_single_actor_rescues_it_contains(inst):
    whole = _package(inst, range(N))
    singles = [_package(inst, [i]) for i in range(N)]
    if not all(s.exists for s in singles):
        assert not whole.exists  # if one blocker cannot be bought, the package cannot either
        return
    assert whole.exists  # the sum of the single purchases is a package
    costs = [s.payment_cost for s in singles]
    assert whole.payment_cost <= sum(costs) + 1e-7
    assert whole.payment_cost >= max(costs) - 1e-7


@given(instances())
def test_the_package_wins_every_veto_player(inst):
    ideal, w, nd, x0, side = inst
    p = _package(inst, range(N))
    if p.exists:
        gain = (side.value[:N] - side.cost[:N]) @ p.units
        assert np.all(pref.utility(x0, ideal, w) + gain - nd >= -1e-6)
