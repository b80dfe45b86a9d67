"""Soft red lines and the peace credit in the acceptance kernel (issue 13).

A soft red line with an infinite penalty is a hard one; a larger penalty never makes an actor
accept more; a deal that leaves the war going on is never accepted more than one that ends it.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ceasefire import preferences as pref

N, D, P = 4, 3, 5
scale = st.floats(0.0, 100.0, allow_nan=False)


@st.composite
def worlds(draw):
    ideal = draw(arrays(np.float64, (N, D), elements=scale))
    sal = draw(arrays(np.float64, (N, D), elements=st.floats(0.0, 10.0)))
    lower = draw(arrays(np.float64, (N, D), elements=st.floats(0.0, 50.0)))
    upper = draw(arrays(np.float64, (N, D), elements=st.floats(50.0, 100.0)))
    points = draw(arrays(np.float64, (P, D), elements=scale))
    q = draw(arrays(np.float64, (D,), elements=scale))
    war = draw(arrays(np.float64, (N,), elements=st.floats(0.0, 40.0)))
    return ideal, pref.normalised_weights(sal), lower, upper, points, q, war


def _accept(world, penalty=None, ends=None):
    ideal, w, lo, up, x, q, war = world
    nd = pref.no_deal_utility(q, ideal, w, war, True)
    return pref.accept(
        x, ideal[None], w[None], nd[None], lo[None], up[None],
        penalty=None if penalty is None else penalty[None],
        war_left=pref.war_after(war[None], ends, True),
    )  # fmt: skip


@given(worlds())
def test_soft_with_infinite_penalty_is_hard(world):
    hard = _accept(world)
    soft = _accept(world, penalty=np.full((N, D), np.inf))
    assert np.array_equal(hard.accepts, soft.accepts)
    assert np.array_equal(hard.margin, soft.margin)


@given(worlds(), st.floats(1e-3, 1.0), st.floats(1.0, 100.0))
def test_a_larger_penalty_never_accepts_more(world, pi, factor):
    low = _accept(world, penalty=np.full((N, D), pi))
    high = _accept(world, penalty=np.full((N, D), pi * factor))
    hard = _accept(world)
    assert not np.any(high.accepts & ~low.accepts)
    assert not np.any(hard.accepts & ~high.accepts)  # hard is the limit: never more lenient


@given(worlds())
def test_a_huge_penalty_equals_hard_beyond_a_point(world):
    """With π = 1e9 per point, any crossing of 1e-6 points or more costs 1000 utility."""
    _, _, lo, up, x, _, _ = world
    excess = np.maximum(lo[None] - x[:, None], 0) + np.maximum(x[:, None] - up[None], 0)
    clear = ~((excess > 0) & (excess < 1e-6)).any(axis=-1)  # (P, N)
    hard = _accept(world).accepts[0]
    soft = _accept(world, penalty=np.full((N, D), 1e9)).accepts[0]
    assert np.array_equal(hard[clear], soft[clear])


@given(worlds(), arrays(np.float64, (P,), elements=st.floats(0.0, 1.0)))
def test_peace_credit_only_helps(world, ends):
    """A deal credited with ending the war is accepted by everyone who accepts it without."""
    full = _accept(world, ends=np.ones(P))
    partial = _accept(world, ends=ends)
    assert not np.any(partial.accepts & ~full.accepts)
    _, _, _, _, _, _, war = world
    assert np.allclose(full.margin - partial.margin, (1 - ends)[:, None] * war / 100.0)
