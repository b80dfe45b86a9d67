"""SMP when every actor sits at 0 or 100 (29% of DEU III issues; issue 16): a forecast where
KTAB's model is defined, a precise refusal where it is not (docs/specs/smp.md §4, §5)."""

from __future__ import annotations

import numpy as np
import pytest

from ceasefire.bargaining import smp
from ceasefire.bargaining.base import Problem

RNG = np.random.default_rng(0)


def two_ends(caps: list[float], ends: list[float], sal: float = 50.0) -> Problem:
    n = len(caps)
    return Problem.single(np.array(ends)[:, None], np.full((n, 1), sal), caps, [50.0])


def test_two_actors_at_the_ends_hand_checked():
    """Actors at 0 (capability 2) and 100 (capability 1), saliences 0.5.

    §4: every d_ij is 0 or 1, so u(d, r) is 1 or 0 whatever r; P0 = (2/3, 1/3), R = (1, -1/2).
    §5.1 (w = S c = (1, 0.5)): actor 0 challenging 1 has P = 1/(1 + 0.5) = 2/3 and
    dEU = 0.5*2 + 0.5*(4/3) - 1 = 2/3 > 0; actor 1 challenging 0 has P = 1/3, dEU = 1/3 > 0.
    §5.3: omega_0 = 0.25 * (2/3)^2 = 1/9, omega_1 = 0.25 * (1/3)^2 = 1/36, so both bargains are
    at (1/36) / (5/36) = 0.2, i.e. 20 on the 0-100 scale (rounded to 4 decimals).
    §5.5: actor 0 values the bargain u(0.2, 1) = 0.96 against 0.5 for the status quo, actor 1
    values it u(0.8, -1/2) = 0.12 against 0.5: C = 2*0.46 = 0.92 against 0.38, the bargain wins
    for both. After turn 1 everyone is at 20: consensus (a degenerate state, §4), the run stops.
    """
    f = smp.forecast(two_ends([2.0, 1.0], [0.0, 100.0]), RNG, on_degenerate="stop")
    assert f.outcome[0, 0] == pytest.approx(20.0, abs=1e-9)
    assert f.rounds[0] == 1
    assert f.extras["refusal"][0] is None


def test_mirror_image_gives_the_mirrored_forecast():
    f = smp.forecast(two_ends([1.0, 2.0], [0.0, 100.0]), RNG, on_degenerate="stop")
    assert f.outcome[0, 0] == pytest.approx(80.0, abs=1e-9)


def test_equal_blocs_are_refused_with_the_reason():
    """Two equal blocs: P0 = (1/2, 1/2), so R = 0/0 (§4) and KTAB's model is undefined."""
    f = smp.forecast(two_ends([1.0, 1.0], [0.0, 100.0]), RNG, on_degenerate="stop")
    reason = f.extras["refusal"][0]
    assert reason is not None and "P_max = P_min" in reason
    with pytest.raises(smp.SmpDegenerateError, match="P_max = P_min"):
        smp.forecast(two_ends([1.0, 1.0], [0.0, 100.0]), RNG)


def test_many_actors_at_two_ends_get_a_forecast_between_them():
    f = smp.forecast(
        two_ends([1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 100.0, 100.0]), RNG, on_degenerate="stop"
    )
    assert f.extras["refusal"][0] is None
    assert 0.0 < f.outcome[0, 0] < 100.0
