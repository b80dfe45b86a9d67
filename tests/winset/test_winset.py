"""Tests of ``ceasefire.winset`` against ``docs/specs/preferences.md``.

Exactness is checked against slow, loop-based references that share no code with the module:
interval intersection (D = 1), Sutherland-Hodgman clipping of the square by every actor's
half-planes (D = 2, exact polygon and area), and the exact L1 rescue on that polygon (the
optimum lies at a polygon vertex or where an edge crosses an axis line through ``x0``).
Monte Carlo is used only as a sanity check, with a binomial error bound.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceasefire.winset import (
    TOL,
    acceptable,
    halfspaces,
    rescue,
    single_actor_changes,
    utility,
    volume_qmc,
    winset,
)

FAST = settings(
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)


def free_bounds(n: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros((n, d)), np.full((n, d), 100.0)


# --------------------------------------------------------------------------------------------
# Slow references (loops, no shared code)
# --------------------------------------------------------------------------------------------


def ref_accepts(x, p, w, nd, lo, up) -> bool:
    """Loop-based acceptance by every row (ties accept within TOL)."""
    for i in range(len(p)):
        u = 0.0
        for k in range(len(x)):
            if x[k] < lo[i][k] - 1e-7 or x[k] > up[i][k] + 1e-7:
                return False
            u -= w[i][k] * abs(x[k] - p[i][k]) / 100.0
        if u < nd[i] - TOL:
            return False
    return True


def ref_interval(p, w, nd, lo, up) -> tuple[float, float] | None:
    """D = 1: each actor's acceptable set is an interval; intersect them."""
    a, b = 0.0, 100.0
    for i in range(len(p)):
        a, b = max(a, lo[i][0]), min(b, up[i][0])
        if w[i][0] > 0:
            r = -100.0 * nd[i] / w[i][0]
            a, b = max(a, p[i][0] - r), min(b, p[i][0] + r)
        elif nd[i] > 0:
            return None
    return (a, b) if a <= b else None


def clip(poly, a0, a1, b):
    """Sutherland-Hodgman: keep the part of polygon ``poly`` with a0 x + a1 y <= b."""
    out = []
    m = len(poly)
    for j in range(m):
        cur, nxt = poly[j], poly[(j + 1) % m]
        fc = a0 * cur[0] + a1 * cur[1] - b
        fn = a0 * nxt[0] + a1 * nxt[1] - b
        if fc <= 0:
            out.append(cur)
        if (fc < 0 < fn) or (fn < 0 < fc):
            s = fc / (fc - fn)
            out.append((cur[0] + s * (nxt[0] - cur[0]), cur[1] + s * (nxt[1] - cur[1])))
    return out


def ref_polygon(p, w, nd, lo, up):
    """D = 2: the win-set polygon, clipping the square by every actor's four half-planes.

    Written out per actor: Σ_d w_d |x_d - p_d| <= R is the four inequalities
    ±w_0 (x - p_0) ± w_1 (y - p_1) <= R.
    """
    poly = [(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0)]
    for i in range(len(p)):
        poly = clip(poly, -1.0, 0.0, -lo[i][0])
        poly = clip(poly, 1.0, 0.0, up[i][0])
        poly = clip(poly, 0.0, -1.0, -lo[i][1])
        poly = clip(poly, 0.0, 1.0, up[i][1])
        r = -100.0 * nd[i]
        if w[i][0] == 0 and w[i][1] == 0:
            if r < 0:
                return []
            continue
        for s0 in (-1.0, 1.0):
            for s1 in (-1.0, 1.0):
                a0, a1 = s0 * w[i][0], s1 * w[i][1]
                poly = clip(poly, a0, a1, r + a0 * p[i][0] + a1 * p[i][1])
        if not poly:
            return []
    return poly


def area(poly) -> float:
    s = 0.0
    for j in range(len(poly)):
        x0, y0 = poly[j]
        x1, y1 = poly[(j + 1) % len(poly)]
        s += x0 * y1 - x1 * y0
    return abs(s) / 2.0


def ref_rescue_2d(poly, x0, wr) -> tuple[float, tuple[float, float]]:
    """Exact min of Σ w_r |x - x0| over a convex polygon: the objective is linear on each cell
    cut by the lines x = x0_0 and y = x0_1, so the optimum is at a polygon vertex, an edge
    crossing of those lines, or x0 itself (if inside)."""
    if not poly:
        return np.inf, None
    crosses = [
        (b[0] - a[0]) * (x0[1] - a[1]) - (b[1] - a[1]) * (x0[0] - a[0])
        for a, b in zip(poly, poly[1:] + poly[:1], strict=True)
    ]
    if all(c >= 0 for c in crosses) or all(c <= 0 for c in crosses):
        return 0.0, (x0[0], x0[1])  # x0 inside the convex polygon
    cands = list(poly)
    for j in range(len(poly)):
        (ax, ay), (bx, by) = poly[j], poly[(j + 1) % len(poly)]
        for k, (a, b) in enumerate(((ax, bx), (ay, by))):
            if (a - x0[k]) * (b - x0[k]) < 0:
                s = (x0[k] - a) / (b - a)
                cands.append((ax + s * (bx - ax), ay + s * (by - ay)))
    best, arg = np.inf, None
    for c in cands:
        dist = wr[0] * abs(c[0] - x0[0]) + wr[1] * abs(c[1] - x0[1])
        if dist < best:
            best, arg = dist, c
    return best, arg


# --------------------------------------------------------------------------------------------
# Random problems
# --------------------------------------------------------------------------------------------


@st.composite
def problems(draw, d_min=1, d_max=3, n_max=5, red_lines=True):
    d = draw(st.integers(d_min, d_max))
    n = draw(st.integers(1, n_max))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    p = rng.uniform(0, 100, (n, d)).round(1)
    s = rng.uniform(0, 100, (n, d)).round(0)
    s[rng.random((n, d)) < 0.2] = 0.0  # some zero saliences, sometimes an indifferent actor
    tot = s.sum(axis=1, keepdims=True)
    w = np.divide(s, tot, out=np.zeros_like(s), where=tot > 0)
    q = rng.uniform(0, 100, d).round(1)
    wc = rng.uniform(0, 40, n).round(1)
    nd = utility(q, p, w) - wc / 100.0
    lo, up = free_bounds(n, d)
    if red_lines:
        for i, k in zip(*np.nonzero(rng.random((n, d)) < 0.15), strict=True):
            if rng.random() < 0.5:
                lo[i, k] = rng.uniform(0, 60)
            else:
                up[i, k] = rng.uniform(40, 100)
    return p, w, nd, lo, up


# --------------------------------------------------------------------------------------------
# acceptable and the half-space representation
# --------------------------------------------------------------------------------------------


def test_acceptable_vectorised_shapes_and_ties() -> None:
    p = np.array([[20.0], [60.0]])
    w = np.ones((2, 1))
    nd = np.array([-0.3, -0.25])
    lo, up = free_bounds(2, 1)
    up[1, 0] = 45.0
    x = np.array([[[50.0], [35.0]], [[45.0], [46.0]]])  # (2, 2, 1)
    acc = acceptable(x, p, w, nd, lo, up)
    assert acc.margins.shape == (2, 2, 2)
    assert acc.in_winset.shape == (2, 2)
    # 50 is exactly actor 0's boundary (tie accepts) but beyond actor 1's red line by 5
    assert acc.accepts[0, 0, 0]
    assert acc.red_line_gap[0, 0, 1] == pytest.approx(5.0)
    assert acc.in_winset.tolist() == [[False, True], [True, False]]


@FAST
@given(problems(red_lines=True), st.integers(0, 2**32 - 1))
def test_halfspaces_equal_utility_constraint(prob, seed) -> None:
    p, w, nd, lo, up = prob
    a, b = halfspaces(p, w, nd, lo, up)
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 100, (300, p.shape[1]))
    const_ok = np.all((w.sum(axis=1) > 0) | (nd <= TOL))
    lhs = x @ a.T - b
    by_hs = np.all(lhs <= 1e-9, axis=1) & const_ok
    by_u = acceptable(x, p, w, nd, lo, up).in_winset
    # points within 1e-6 of a boundary may differ by round-off; none else may
    clear = np.all(np.abs(lhs) > 1e-6, axis=1)
    np.testing.assert_array_equal(by_hs[clear], by_u[clear])
    for xi, ok in zip(x[:30], by_u[:30], strict=True):
        if np.all(np.abs(xi @ a.T - b) > 1e-6):
            assert ok == ref_accepts(xi, p, w, nd, lo, up)


# --------------------------------------------------------------------------------------------
# Hand cases
# --------------------------------------------------------------------------------------------


def test_two_actors_one_dimension() -> None:
    # Actor 0 at 20 accepts within 30 points: [0, 50]; actor 1 at 60 within 25: [35, 85].
    p = np.array([[20.0], [60.0]])
    w = np.ones((2, 1))
    ws = winset(p, w, [-0.3, -0.25], *free_bounds(2, 1))
    assert not ws.empty
    np.testing.assert_allclose(ws.extent, [[35.0, 50.0]], atol=1e-7)
    assert ws.volume_share == pytest.approx(0.15)
    assert ws.volume_method == "exact"
    # deepest point equalises the margins: 42.5, margin 0.075 each
    np.testing.assert_allclose(ws.center, [42.5], atol=1e-7)
    assert ws.min_margin == pytest.approx(0.075)
    assert ws.conflicts == []


def diamond_and_strip(red_line: bool):
    """Actor 0: equal weights at (50, 50), no deal -0.1: the diamond |u| + |v| <= 20.
    Actor 1: x1 in [35, 45], by utility (all weight on x1 at 40, no deal -0.05) or by red
    lines of an indifferent actor. W: the diamond cut to u in [-15, -5], area
    ∫_5^15 2 (20 - a) da = 200, share 0.02; extent x1 [35, 45], x2 [35, 65]."""
    p = np.array([[50.0, 50.0], [40.0, 0.0]])
    lo, up = free_bounds(2, 2)
    if red_line:
        # indifferent apart from its red lines; war cost 20 makes any deal beat no deal
        w = np.array([[0.5, 0.5], [0.0, 0.0]])
        nd = np.array([-0.1, -0.2])
        lo[1, 0], up[1, 0] = 35.0, 45.0
    else:
        w = np.array([[0.5, 0.5], [1.0, 0.0]])
        nd = np.array([-0.1, -0.05])
    return p, w, nd, lo, up


@pytest.mark.parametrize("red_line", [False, True])
def test_known_polygon(red_line: bool) -> None:
    p, w, nd, lo, up = diamond_and_strip(red_line)
    ws = winset(p, w, nd, lo, up)
    assert not ws.empty
    assert ws.volume_share == pytest.approx(200.0 / 100.0**2, rel=1e-9)
    np.testing.assert_allclose(ws.extent, [[35.0, 45.0], [35.0, 65.0]], atol=1e-7)
    # maximin: margin of actor 0 is 0.1 - 0.005 (|u| + |v|); actor 1's margin (or red-line
    # slack / 100) is 0.05 - |x1 - 40| / 100; both 0.05 at (40, 50), uniquely.
    np.testing.assert_allclose(ws.center, [40.0, 50.0], atol=1e-6)
    assert ws.min_margin == pytest.approx(0.05)
    assert area(ref_polygon(p, w, nd, lo, up)) == pytest.approx(200.0)


@pytest.mark.parametrize("d", [3, 4, 5])
def test_cross_polytope_volume(d: int) -> None:
    # One actor at the centre: Σ w_d |x_d - 50| <= r is a cross-polytope with semi-axes r/w_d,
    # volume 2^D / D! · Π_d (r / w_d) when it fits inside the cube.
    w = np.arange(1.0, d + 1)
    w /= w.sum()
    r = 2.0  # largest semi-axis 2 / (1/15) = 30 < 50 for D <= 5: inside the cube
    ws = winset(np.full((1, d), 50.0), w[None, :], [-r / 100.0], *free_bounds(1, d))
    expected = 2.0**d / np.prod(np.arange(1, d + 1)) * np.prod(r / w) / 100.0**d
    assert ws.volume_method == "exact"
    assert ws.volume_share == pytest.approx(expected, rel=1e-9)
    np.testing.assert_allclose(ws.extent, np.column_stack([50 - r / w, 50 + r / w]), atol=1e-6)


def test_thin_winset_found() -> None:
    # x1 in [37.1234, 37.1334] (width 0.01) from two opposed one-dimensional actors; a grid of
    # step 0.1 would miss it.
    p = np.array([[0.0, 50.0], [100.0, 50.0]])
    w = np.array([[1.0, 0.0], [1.0, 0.0]])
    nd = np.array([-0.371334, -(100.0 - 37.1234) / 100.0])
    ws = winset(p, w, nd, *free_bounds(2, 2))
    assert not ws.empty
    assert 37.1234 - 1e-7 <= ws.center[0] <= 37.1334 + 1e-7
    np.testing.assert_allclose(ws.extent[0], [37.1234, 37.1334], atol=1e-7)
    assert ws.volume_share == pytest.approx(0.01 * 100.0 / 100.0**2, rel=1e-6)
    grid = np.stack(np.meshgrid(np.arange(0, 100.01, 0.1), [50.0]), axis=-1).reshape(-1, 2)
    assert not acceptable(grid, p, w, nd, *free_bounds(2, 2)).in_winset.any()


def test_degenerate_winsets_have_zero_volume() -> None:
    lo, up = free_bounds(1, 2)
    # A single point: an actor who accepts only its ideal point (no deal = 0).
    ws = winset([[50.0, 50.0]], [[0.5, 0.5]], [0.0], lo, up)
    assert not ws.empty and ws.volume_share == 0.0 and ws.volume_method == "degenerate"
    np.testing.assert_allclose(ws.center, [50.0, 50.0], atol=1e-7)
    # A segment x1 = 30.
    ws = winset([[30.0, 0.0]], [[1.0, 0.0]], [0.0], lo, up)
    assert not ws.empty and ws.volume_share == 0.0
    np.testing.assert_allclose(ws.extent, [[30.0, 30.0], [0.0, 100.0]], atol=1e-7)
    np.testing.assert_allclose(ws.center, [30.0, 50.0], atol=1e-6)  # ties: middle of extent
    # 3-D: a square face (x3 fixed by two red lines).
    lo3, up3 = free_bounds(1, 3)
    lo3[0, 2] = up3[0, 2] = 70.0
    ws = winset([[0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0]], [0.0], lo3, up3)
    assert not ws.empty and ws.volume_share == 0.0


def test_centre_ties_broken_toward_middle() -> None:
    # Nobody weighs x2 and the two actors' margins tie along x1 = 50 for any x2 in [20, 90]
    # (a red line x2 >= 20 and x2 <= 90 of actor 1): the centre is the middle, x2 = 55.
    lo, up = free_bounds(2, 2)
    lo[1, 1], up[1, 1] = 20.0, 90.0
    p = np.array([[0.0, 0.0], [100.0, 0.0]])
    w = np.array([[1.0, 0.0], [1.0, 0.0]])
    ws = winset(p, w, [-0.6, -0.6], lo, up)
    np.testing.assert_allclose(ws.center, [50.0, 55.0], atol=1e-6)
    assert ws.min_margin == pytest.approx(0.1)
    assert ws.volume_share == pytest.approx(0.2 * 0.7)


def test_disjoint_pair_conflicts() -> None:
    # [0, 30] and [60, 100] on one dimension, and a third actor who accepts everything.
    p = np.array([[0.0], [100.0], [50.0]])
    w = np.ones((3, 1))
    ws = winset(p, w, [-0.3, -0.4, -1.0], *free_bounds(3, 1))
    assert ws.empty and ws.conflicts == [[0, 1]] and not ws.unexplained
    assert np.isnan(ws.extent).all() and ws.volume_share == 0.0
    assert ws.min_margin < 0  # the least-violating point is still reported


def test_red_lines_conflict_and_singletons() -> None:
    lo, up = free_bounds(4, 1)
    lo[0, 0] = 60.0  # actor 0: x >= 60
    up[1, 0] = 40.0  # actor 1: x <= 40
    lo[2, 0], up[2, 0] = 70.0, 20.0  # actor 2: contradictory red lines
    w = np.zeros((4, 1))
    w[3, 0] = 1.0
    nd = np.array([0.0, 0.0, 0.0, 0.05])  # actor 3: no deal above 0 — nothing acceptable
    ws = winset(np.full((4, 1), 50.0), w, nd, lo, up)
    assert ws.empty
    assert ws.conflicts == [[2], [3], [0, 1]]


def test_triple_conflicts_only_jointly() -> None:
    # x1 <= 40, x2 <= 40 and x1 + x2 >= 100: every pair meets, the three do not.
    p = np.array([[0.0, 0.0], [0.0, 0.0], [100.0, 100.0]])
    w = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    ws = winset(p, w, [-0.4, -0.4, -0.5], *free_bounds(3, 2))
    assert ws.empty and ws.conflicts == [[0, 1, 2]]


def test_conflict_of_four_is_unexplained() -> None:
    # In 3-D: x_k <= 30 for k = 1..3 and x1 + x2 + x3 >= 100. Any three meet; all four do not
    # (Helly: in R^3 a conflict may need D + 1 = 4 sets).
    p = np.array([[0.0, 0, 0], [0, 0, 0], [0, 0, 0], [100, 100, 100]])
    w = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [1 / 3, 1 / 3, 1 / 3]])
    nd = np.array([-0.3, -0.3, -0.3, -2.0 / 3.0])
    ws = winset(p, w, nd, *free_bounds(4, 3))
    assert ws.empty and ws.conflicts == [] and ws.unexplained


def test_volume_qmc_high_dimension_box() -> None:
    # D = 7, one actor per dimension accepting [15, 85]: W is a box of share 0.7^7.
    d = 7
    p = np.full((d, d), 50.0)
    w = np.eye(d)
    nd = np.full(d, -0.35)
    ws = winset(p, w, nd, *free_bounds(d, d), seed=np.random.default_rng(7))
    assert ws.volume_method == "qmc"
    assert 0 < ws.volume_error < 0.01
    assert abs(ws.volume_share - 0.7**7) <= ws.volume_error
    np.testing.assert_allclose(ws.extent, np.tile([15.0, 85.0], (d, 1)), atol=1e-7)
    # same seed, same answer
    again = winset(p, w, nd, *free_bounds(d, d), seed=np.random.default_rng(7))
    assert again.volume_share == ws.volume_share


def test_qmc_agrees_with_exact_volume_3d() -> None:
    rng = np.random.default_rng(11)
    n, d = 6, 3
    p = rng.uniform(20, 80, (n, d))
    s = rng.uniform(10, 100, (n, d))
    w = s / s.sum(axis=1, keepdims=True)
    nd = utility(np.full(d, 50.0), p, w) - 0.15
    lo, up = free_bounds(n, d)
    ws = winset(p, w, nd, lo, up)
    assert ws.volume_method == "exact" and ws.volume_share > 0.01
    share, err = volume_qmc(p, w, nd, lo, up, seed=3)
    assert abs(share - ws.volume_share) <= err


# --------------------------------------------------------------------------------------------
# Rescue: closed forms
# --------------------------------------------------------------------------------------------


def test_rescue_one_dimension() -> None:
    p = np.array([[20.0], [60.0]])
    w = np.ones((2, 1))
    nd = [-0.3, -0.25]
    lo, up = free_bounds(2, 1)
    r = rescue([80.0], [1.0], p, w, nd, lo, up)  # W = [35, 50]
    assert r is not None
    np.testing.assert_allclose(r.point, [50.0], atol=1e-7)
    assert r.distance == pytest.approx(30.0)
    np.testing.assert_allclose(r.moves, [-30.0], atol=1e-7)
    assert r.binding == 0  # actor 0's upper limit 50 binds; relaxing it by 1 saves 1 point
    assert r.duals[0] == pytest.approx(1.0, abs=1e-5)
    r = rescue([10.0], [1.0], p, w, nd, lo, up)
    assert r is not None and r.binding == 1 and r.distance == pytest.approx(25.0)
    r = rescue([40.0], [1.0], p, w, nd, lo, up)  # already inside
    assert r is not None and r.distance == 0.0 and r.binding is None
    assert rescue([40.0], [1.0], p, w, [-0.3, 0.1], lo, up) is None  # W empty


@pytest.mark.parametrize(
    ("wr", "x0", "point", "distance", "binding"),
    [
        # x0 = (50, 90): nearest point is the strip/diamond corner (45, 65) for both rescuers.
        # Duals: relaxing the diamond by 1 point lets x2 rise 2 (saves 2 w_r2); relaxing the
        # strip by 1 lets x1 and x2 both rise 1 (saves w_r1 + w_r2 = 1).
        ((0.2, 0.8), (50.0, 90.0), (45.0, 65.0), 0.2 * 5 + 0.8 * 25, 0),
        ((0.9, 0.1), (50.0, 90.0), (45.0, 65.0), 0.9 * 5 + 0.1 * 25, 1),
        # the rescuer cares only about x1: x2 is a tie, broken toward x0 (unweighted L1).
        ((1.0, 0.0), (80.0, 50.0), (45.0, 50.0), 35.0, 1),
    ],
)
@pytest.mark.parametrize("red_line", [False, True])
def test_rescue_two_dimensions(wr, x0, point, distance, binding, red_line) -> None:
    p, w, nd, lo, up = diamond_and_strip(red_line)
    r = rescue(x0, wr, p, w, nd, lo, up)
    assert r is not None
    np.testing.assert_allclose(r.point, point, atol=1e-5)
    assert r.distance == pytest.approx(distance, abs=1e-5)
    assert r.binding == binding  # with red_line=True, actor 1's red line binds
    ref, _ = ref_rescue_2d(ref_polygon(p, w, nd, lo, up), x0, wr)
    assert r.distance == pytest.approx(ref, abs=1e-6)


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------


@FAST
@given(problems())
def test_centre_in_winset_and_extent(prob) -> None:
    p, w, nd, lo, up = prob
    ws = winset(p, w, nd, lo, up, volume=False)
    acc = acceptable(ws.center, p, w, nd, lo, up, tol=1e-7)
    if ws.empty:
        assert ws.min_margin < 0 or not np.all((w.sum(axis=1) > 0) | (nd <= TOL))
        assert ws.conflicts or ws.unexplained
        return
    assert acc.in_winset
    assert ws.min_margin >= -TOL
    assert np.all(ws.extent[:, 0] <= ws.center + 1e-7)
    assert np.all(ws.center <= ws.extent[:, 1] + 1e-7)


@FAST
@given(problems(d_min=1, d_max=2, n_max=5))
def test_exact_against_reference_1d_2d(prob) -> None:
    p, w, nd, lo, up = prob
    ws = winset(p, w, nd, lo, up)
    if p.shape[1] == 1:
        ref = ref_interval(p, w, nd, lo, up)
        if ref is None:
            assert ws.empty
        else:
            assert not ws.empty
            np.testing.assert_allclose(ws.extent[0], ref, atol=1e-6)
            assert ws.volume_share == pytest.approx((ref[1] - ref[0]) / 100.0, abs=1e-8)
        return
    poly = ref_polygon(p, w, nd, lo, up)
    if ws.min_margin < -1e-6:
        assert ws.empty and area(poly) < 1e-6
        for members in ws.conflicts:  # each reported conflict is real and minimal
            assert not ref_polygon(p[members], w[members], nd[members], lo[members], up[members])
            for sub in itertools.combinations(members, len(members) - 1):
                sub = list(sub)
                assert ref_polygon(p[sub], w[sub], nd[sub], lo[sub], up[sub]) or not sub
        return
    if ws.min_margin > 1e-6:
        assert not ws.empty and poly
        xs = [v[0] for v in poly]
        ys = [v[1] for v in poly]
        np.testing.assert_allclose(ws.extent, [[min(xs), max(xs)], [min(ys), max(ys)]], atol=1e-6)
        assert ws.volume_share == pytest.approx(area(poly) / 1e4, abs=1e-8)


@FAST
@given(problems(d_min=2, d_max=2, n_max=4), st.integers(0, 2**32 - 1))
def test_rescue_against_reference_2d(prob, seed) -> None:
    p, w, nd, lo, up = prob
    rng = np.random.default_rng(seed)
    x0 = rng.uniform(0, 100, 2).round(1)
    wr = rng.dirichlet(np.ones(2))
    r = rescue(x0, wr, p, w, nd, lo, up)
    poly = ref_polygon(p, w, nd, lo, up)
    ws = winset(p, w, nd, lo, up, volume=False, conflicts=False)
    if ws.min_margin < -1e-6:
        assert r is None
        return
    if ws.min_margin > 1e-6:
        assert r is not None
        assert acceptable(r.point, p, w, nd, lo, up, tol=1e-7).in_winset
        ref, _ = ref_rescue_2d(poly, x0, wr)
        # the tie-break can cost at most 1e-6 per scale point of unweighted movement
        assert r.distance == pytest.approx(ref, abs=1e-3)
        assert r.distance >= ref - 1e-6


@FAST
@given(problems(d_min=1, d_max=4, n_max=5), st.integers(0, 2**32 - 1))
def test_rescue_nearest_among_sampled_points(prob, seed) -> None:
    p, w, nd, lo, up = prob
    rng = np.random.default_rng(seed)
    d = p.shape[1]
    x0 = rng.uniform(0, 100, d)
    wr = rng.dirichlet(np.ones(d))
    r = rescue(x0, wr, p, w, nd, lo, up)
    ws = winset(p, w, nd, lo, up, volume=False, conflicts=False)
    if ws.empty:
        assert r is None or ws.min_margin > -1e-6
        return
    assert r is not None
    assert acceptable(r.point, p, w, nd, lo, up, tol=1e-7).in_winset
    assert r.distance == pytest.approx(float(np.sum(wr * np.abs(r.point - x0))))
    np.testing.assert_allclose(r.moves, r.point - x0)
    # no point of W (sampled, plus the centre and the segment centre-x0) is nearer
    pts = np.vstack(
        [
            rng.uniform(ws.extent[:, 0], ws.extent[:, 1], (2000, d)),
            ws.center + np.linspace(0, 1, 50)[:, None] * (x0 - ws.center),
        ]
    )
    inside = pts[acceptable(pts, p, w, nd, lo, up).in_winset]
    if inside.size:
        dists = np.sum(wr * np.abs(inside - x0), axis=1)
        assert dists.min() >= r.distance - 1e-3


def test_monte_carlo_sanity() -> None:
    """Sample points: every point in W satisfies every constraint (slow reference), lies in the
    extent, is no deeper than the centre, and the hit rate agrees with the exact volume
    within a binomial bound."""
    rng = np.random.default_rng(2024)
    n, d = 5, 3
    p = rng.uniform(20, 80, (n, d))
    s = rng.uniform(10, 100, (n, d))
    w = s / s.sum(axis=1, keepdims=True)
    nd = utility(np.full(d, 50.0), p, w) - 0.12
    lo, up = free_bounds(n, d)
    up[0, 0] = 60.0
    ws = winset(p, w, nd, lo, up)
    assert not ws.empty and ws.volume_method == "exact"
    m = 20000
    x = rng.uniform(0, 100, (m, d))
    acc = acceptable(x, p, w, nd, lo, up)
    hits = x[acc.in_winset]
    for xi in hits[:200]:
        assert ref_accepts(xi, p, w, nd, lo, up)
    assert np.all(hits >= ws.extent[:, 0] - 1e-9) and np.all(hits <= ws.extent[:, 1] + 1e-9)
    assert acc.margins[acc.in_winset].min(axis=1).max() <= ws.min_margin + 1e-9
    v = ws.volume_share
    assert abs(acc.in_winset.mean() - v) <= 4.0 * np.sqrt(v * (1 - v) / m) + 1.0 / m


def test_performance_35_actors_empty() -> None:
    rng = np.random.default_rng(2)
    n, d = 35, 4
    p = rng.uniform(0, 100, (n, d))
    s = rng.uniform(10, 100, (n, d))
    w = s / s.sum(axis=1, keepdims=True)
    ws = winset(p, w, np.full(n, -0.3), *free_bounds(n, d))
    assert ws.empty and ws.conflicts
    assert all(len(c) in (2, 3) for c in ws.conflicts)


# --------------------------------------------------------------------------------------------
# single_actor_changes
# --------------------------------------------------------------------------------------------


def margin_of(x0, q, p, s, wc, fighting, lo=None, up=None) -> float:
    """Slow acceptance margin of one actor (loops): U(x0) - U(q) + wc/100 if fighting."""
    tot = sum(s)
    ux = uq = 0.0
    for k in range(len(x0)):
        wk = s[k] / tot if tot > 0 else 0.0
        ux -= wk * abs(x0[k] - p[k]) / 100.0
        uq -= wk * abs(q[k] - p[k]) / 100.0
    return ux - uq + (wc / 100.0 if fighting else 0.0)


def test_single_actor_changes_closed_forms() -> None:
    # q = (50, 50), x0 = (100, 60); the actor at p = (0, 50) with saliences (60, 40) and war
    # cost 28. g = 100 (U(q) - U(x0)) = 0.6 * 50 + 0.4 * 10 = 34 > 28: rejects.
    x0, q = np.array([100.0, 60.0]), np.array([50.0, 50.0])
    p = np.array([[0.0, 50.0], [100.0, 60.0]])  # row 1 sits at x0 and accepts
    s = np.array([[60.0, 40.0], [50.0, 50.0]])
    wc = np.array([28.0, 0.0])
    lo, up = free_bounds(2, 2)
    (ch,) = single_actor_changes(x0, p, s, wc, True, lo, up, q)
    assert ch.row == 0 and not ch.red_line_violated
    assert ch.margin == pytest.approx(-0.06)
    # (a) war cost 34
    assert ch.war_cost == pytest.approx(34.0)
    # (b) position: x1 would be cheaper per unit (w = 0.6) but p1 = 0 lies 50 points beyond q1
    # (flat stretch); moving p2 by 7.5 toward 60 lowers g by 2 * 0.4 * 7.5 = 6. Greedy by weight
    # alone would wrongly move p1 by 5.
    np.testing.assert_allclose(ch.position_move, [0.0, 7.5], atol=1e-9)
    assert ch.position_distance == pytest.approx(7.5)
    # (c) salience: dim 0 down to 360/11 (weights 0.45/0.55, g = 22.5 + 5.5 = 28)
    assert ch.salience_dim == 0
    assert ch.salience_value == pytest.approx(360.0 / 11.0)
    assert ch.salience_change == pytest.approx(360.0 / 11.0 - 60.0)

    # just accepting at the returned values, rejecting slightly short of them
    assert margin_of(x0, q, p[0], s[0], ch.war_cost, True) >= -1e-12
    assert margin_of(x0, q, p[0], s[0], ch.war_cost - 1e-6, True) < 0
    moved = p[0] + ch.position_move
    assert margin_of(x0, q, moved, s[0], 28.0, True) >= -1e-12
    assert margin_of(x0, q, p[0] + 0.999 * ch.position_move, s[0], 28.0, True) < 0
    s_new = s[0].copy()
    s_new[0] = ch.salience_value
    assert margin_of(x0, q, p[0], s_new, 28.0, True) >= -1e-12
    s_new[0] += 1e-6
    assert margin_of(x0, q, p[0], s_new, 28.0, True) < 0


def test_single_actor_changes_red_line_and_no_fighting() -> None:
    x0, q = np.array([100.0, 60.0]), np.array([50.0, 50.0])
    p = np.array([[0.0, 50.0], [100.0, 60.0]])
    s = np.array([[60.0, 40.0], [50.0, 50.0]])
    lo, up = free_bounds(2, 2)
    up[1, 0] = 90.0  # row 1 has a red line x1 <= 90, broken by x0
    out = single_actor_changes(x0, p, s, [28.0, 0.0], False, lo, up, q)
    assert [c.row for c in out] == [0, 1]
    assert out[0].war_cost is None  # no fighting: war cost cannot help
    assert out[0].position_distance is not None
    assert out[1].red_line_violated
    assert out[1].war_cost is None and out[1].position_move is None
    assert out[1].salience_change is None


@FAST
@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.booleans())
def test_single_actor_changes_are_just_accepting(seed, d, fighting) -> None:
    rng = np.random.default_rng(seed)
    n = 4
    p = rng.uniform(0, 100, (n, d)).round(1)
    s = rng.uniform(0, 100, (n, d)).round(0)
    q = rng.uniform(0, 100, d).round(1)
    x0 = rng.uniform(0, 100, d).round(1)
    wc = rng.uniform(0, 30, n).round(1)
    lo, up = free_bounds(n, d)
    for ch in single_actor_changes(x0, p, s, wc, fighting, lo, up, q):
        i = ch.row
        assert margin_of(x0, q, p[i], s[i], wc[i], fighting) < 0
        if fighting:
            assert margin_of(x0, q, p[i], s[i], ch.war_cost, True) >= -1e-12
        else:
            assert ch.war_cost is None
        move = ch.position_move
        assert margin_of(x0, q, p[i] + move, s[i], wc[i], fighting) >= -1e-9
        assert margin_of(x0, q, p[i] + 0.999 * move, s[i], wc[i], fighting) < 0
        # exactness: no random move of smaller city-block length accepts
        dirs = rng.normal(size=(300, d))
        dirs /= np.abs(dirs).sum(axis=1, keepdims=True)
        for v in dirs * ch.position_distance * 0.999:
            assert margin_of(x0, q, p[i] + v, s[i], wc[i], fighting) < 1e-12
        if ch.salience_dim is not None:
            s_new = s[i].copy()
            s_new[ch.salience_dim] = ch.salience_value
            assert 0 <= ch.salience_value <= 100
            assert margin_of(x0, q, p[i], s_new, wc[i], fighting) >= -1e-9
        # no smaller salience change on any dimension accepts (a fine scan of each)
        best = abs(ch.salience_change) if ch.salience_change is not None else np.inf
        for e in range(d):
            for val in np.linspace(0, 100, 201):
                if abs(val - s[i, e]) < best - 1e-6:
                    s_try = s[i].copy()
                    s_try[e] = val
                    assert margin_of(x0, q, p[i], s_try, wc[i], fighting) < 1e-12


# --------------------------------------------------------------------------------------------
# Soft red lines: priced, not walls (issue 13; spec "Red lines")
# --------------------------------------------------------------------------------------------


def _soft_pair() -> tuple[np.ndarray, ...]:
    """Two actors on one dimension; actor 0 has a red line ``x <= 40``, actor 1 wants 80.

    Actor 0: ideal 20, no deal -0.5 (accepts up to x = 70 on utility alone); actor 1: ideal
    80, no deal -0.2 (accepts x >= 60). A hard line empties W; a soft one with penalty π
    costs actor 0 ``π (x - 40)`` beyond 40, so it accepts iff ``(x - 20)/100 + π (x - 40) <=
    0.5``: with π = 0.0025, ``0.0125 x <= 0.8``, ``x <= 64``, so W = [60, 64].
    """
    p = np.array([[20.0], [80.0]])
    w = np.ones((2, 1))
    nd = np.array([-0.5, -0.2])
    lo = np.zeros((2, 1))
    up = np.array([[40.0], [100.0]])
    return p, w, nd, lo, up


def test_soft_red_line_priced_in_winset() -> None:
    p, w, nd, lo, up = _soft_pair()
    assert winset(p, w, nd, lo, up).empty  # hard: 40 < 60, no common point
    pen = np.array([[0.0025], [np.inf]])
    ws = winset(p, w, nd, lo, up, penalty=pen)
    assert not ws.empty
    assert ws.extent[0] == pytest.approx([60.0, 64.0], abs=1e-6)
    assert ws.volume_share == pytest.approx(0.04, abs=1e-9)
    # the deep point is in W as acceptable() reads the soft line
    assert bool(acceptable(ws.center, p, w, nd, lo, up, penalty=pen).in_winset)
    assert not bool(acceptable(ws.center, p, w, nd, lo, up).in_winset)  # crosses the hard one
    # a dear soft line is a wall again: π = 0.05 gives x <= 45
    assert winset(p, w, nd, lo, up, penalty=np.array([[0.05], [np.inf]])).empty


def test_soft_red_line_rescue_crosses_when_cheaper() -> None:
    p, w, nd, lo, up = _soft_pair()
    pen = np.array([[0.0025], [np.inf]])
    assert rescue([90.0], [1.0], p, w, nd, lo, up) is None  # hard: W empty
    r = rescue([90.0], [1.0], p, w, nd, lo, up, penalty=pen)
    assert r is not None
    assert r.point[0] == pytest.approx(64.0, abs=1e-6)  # crosses 40 by 24 points
    assert r.binding == 0


def test_soft_red_line_halfspaces_match_acceptance() -> None:
    """The branch rows of ``halfspaces`` describe the same set as ``acceptable``."""
    rng = np.random.default_rng(3)
    n, d = 4, 3
    p = rng.uniform(0, 100, (n, d))
    w = rng.uniform(0.1, 1, (n, d))
    w /= w.sum(axis=1, keepdims=True)
    nd = utility(np.full(d, 50.0), p, w) - 0.1
    lo, up = free_bounds(n, d)
    lo[0, 1], up[1, 2], up[2, 0], lo[2, 0] = 55.0, 30.0, 70.0, 20.0
    pen = np.full((n, d), np.inf)
    pen[0, 1], pen[1, 2], pen[2, 0] = 0.004, 0.02, 0.01
    a, b = halfspaces(p, w, nd, lo, up, penalty=pen)
    x = rng.uniform(0, 100, (4000, d))
    inside = np.all(x @ a.T <= b + 1e-9, axis=1)
    acc = acceptable(x, p, w, nd, lo, up, penalty=pen, tol=0.0).in_winset
    assert np.array_equal(inside, acc)
    assert inside.any() and not inside.all()
    ws = winset(p, w, nd, lo, up, penalty=pen)
    share, err = volume_qmc(p, w, nd, lo, up, seed=1, penalty=pen)
    assert abs(ws.volume_share - share) <= err + 1e-3


@FAST
@given(
    prob=st.integers(0, 10_000),
    x0=st.lists(st.floats(0, 100), min_size=2, max_size=2),
)
def test_soft_line_with_huge_penalty_is_hard(prob, x0) -> None:
    """A soft line with a prohibitive penalty equals the hard line (win-set and rescue)."""
    rng = np.random.default_rng(prob)
    n, d = 3, 2
    p = rng.uniform(0, 100, (n, d))
    w = rng.uniform(0.1, 1, (n, d))
    w /= w.sum(axis=1, keepdims=True)
    nd = utility(np.full(d, 50.0), p, w) - rng.uniform(0.05, 0.3, n)
    lo, up = free_bounds(n, d)
    lo[0, 0] = rng.uniform(0, 60)
    up[1, 1] = rng.uniform(40, 100)
    pen = np.full((n, d), np.inf)
    pen[0, 0] = pen[1, 1] = 1e6  # a point beyond costs more than the whole utility range
    hard, soft = winset(p, w, nd, lo, up), winset(p, w, nd, lo, up, penalty=pen)
    assert hard.empty == soft.empty
    if not hard.empty:
        assert soft.extent == pytest.approx(hard.extent, abs=1e-4)
        assert soft.volume_share == pytest.approx(hard.volume_share, abs=1e-6)
    r_h = rescue(x0, w[2], p, w, nd, lo, up)
    r_s = rescue(x0, w[2], p, w, nd, lo, up, penalty=pen)
    assert (r_h is None) == (r_s is None)
    if r_h is not None and r_s is not None:
        assert r_s.distance == pytest.approx(r_h.distance, abs=1e-4)


# --------------------------------------------------------------------------------------------
# Knife edges over saliences (issue 13; spec "Knife edges")
# --------------------------------------------------------------------------------------------


def _salience_problem(seed: int) -> tuple[np.ndarray, ...]:
    """Three actors, two dimensions, red lines that keep the status quo out of W."""
    from ceasefire.preferences import normalised_weights

    rng = np.random.default_rng(seed)
    n, d = 3, 2
    p, s = rng.uniform(0, 100, (n, d)), rng.uniform(5, 100, (n, d))
    q, wc = np.full(d, 50.0), rng.uniform(0, 15, n)
    lo, up = free_bounds(n, d)
    lo[0, 0], up[1, 1] = rng.uniform(50, 90), rng.uniform(10, 50)
    return p, s, q, wc, lo, up, normalised_weights


def _empty_with(p, s, q, wc, lo, up, norm) -> bool:
    w = norm(s)
    return winset(p, w, utility(q, p, w) - wc / 100, lo, up, volume=False, conflicts=False).empty


@pytest.mark.parametrize("seed", [0, 2, 10])
def test_salience_knife_edge_against_a_scan(seed: int) -> None:
    """The edge flips W, and no salience on a grid of 2 points flips it nearer (seeds chosen
    to cover a non-empty W, an empty one, and a flip of about one point)."""
    from ceasefire.winset import salience_knife_edge

    p, s, q, wc, lo, up, norm = _salience_problem(seed)
    w = norm(s)
    nd = utility(q, p, w) - wc / 100
    ws = winset(p, w, nd, lo, up, volume=False, conflicts=False)
    e = salience_knife_edge(
        p, s, nd, lo, up, q, empty=ws.empty, center=None if ws.empty else ws.center
    )
    assert e.row is not None and e.dimension is not None and e.empties == (not ws.empty)
    s2 = s.copy()
    s2[e.row, e.dimension] = e.value
    assert _empty_with(p, s2, q, wc, lo, up, norm) != ws.empty  # it flips
    assert e.value - e.change == pytest.approx(s[e.row, e.dimension])
    nearest = np.inf
    for i, k in itertools.product(range(3), range(2)):
        for v in np.linspace(0, 100, 51):
            s3 = s.copy()
            s3[i, k] = v
            if _empty_with(p, s3, q, wc, lo, up, norm) != ws.empty:
                nearest = min(nearest, abs(v - s[i, k]))
    assert abs(e.change) <= nearest + 1e-9
    assert nearest <= abs(e.change) + 2.0


def test_salience_knife_edge_none_when_status_quo_is_in_w() -> None:
    """Without red lines and with a war cost, the status quo is in W for every salience (its
    margin is the war cost): no salience empties W."""
    from ceasefire.winset import salience_knife_edge

    p, s, q, wc, _, _, norm = _salience_problem(0)
    lo, up = free_bounds(3, 2)
    w = norm(s)
    nd = utility(q, p, w) - (wc + 1) / 100
    ws = winset(p, w, nd, lo, up)
    e = salience_knife_edge(p, s, nd, lo, up, q, empty=False, center=ws.center)
    assert e.row is None and e.change == np.inf


def _soft_margin(x0, q, p, s, wc, fighting, lo, up, pen) -> float:
    """``margin_of`` less the soft lines' price ``Σ_d π_d e_d(x0)`` (utility units)."""
    excess = np.maximum(lo - x0, 0.0) + np.maximum(x0 - up, 0.0)
    priced = np.where(np.isfinite(pen), np.where(np.isfinite(pen), pen, 0.0) * excess, 0.0)
    return margin_of(x0, q, p, s, wc, fighting) - float(np.sum(priced))


@FAST
@given(st.integers(0, 2**32 - 1), st.integers(1, 3), st.booleans())
def test_single_actor_changes_price_a_soft_red_line(seed, d, fighting) -> None:
    # a soft line crossed is priced, not a wall: the war-cost threshold, the position and the
    # salience changes each make the actor accept with the price paid, and a little less does
    # not; where no position change can pay it (even an ideal point at x0 rejects), None
    rng = np.random.default_rng(seed)
    n = 3
    p = rng.uniform(0, 100, (n, d)).round(1)
    s = rng.uniform(1, 100, (n, d)).round(0)
    q = rng.uniform(0, 100, d).round(1)
    x0 = rng.uniform(0, 100, d).round(1)
    wc = rng.uniform(0, 30, n).round(1)
    lo, up = free_bounds(n, d)
    up[:, 0] = np.maximum(x0[0] - rng.uniform(1, 30, n), 0.0)  # every row's line crossed
    pen = np.full((n, d), np.inf)
    pen[:, 0] = rng.uniform(0.0005, 0.01, n)
    out = single_actor_changes(x0, p, s, wc, fighting, lo, up, q, penalty=pen)
    for ch in out:
        i = ch.row
        args = (lo[i], up[i], pen[i])
        assert not ch.red_line_violated
        assert _soft_margin(x0, q, p[i], s[i], wc[i], fighting, *args) < 0
        if fighting:
            assert _soft_margin(x0, q, p[i], s[i], ch.war_cost, True, *args) >= -1e-9
            assert _soft_margin(x0, q, p[i], s[i], ch.war_cost - 1e-3, True, *args) < 0
        if ch.position_move is None:
            assert _soft_margin(x0, q, x0, s[i], wc[i], fighting, *args) < 1e-9
        else:
            moved = p[i] + ch.position_move
            assert _soft_margin(x0, q, moved, s[i], wc[i], fighting, *args) >= -1e-9
            short = p[i] + 0.999 * ch.position_move
            assert _soft_margin(x0, q, short, s[i], wc[i], fighting, *args) < 0
        if ch.salience_dim is not None:
            s_new = s[i].copy()
            s_new[ch.salience_dim] = ch.salience_value
            assert _soft_margin(x0, q, p[i], s_new, wc[i], fighting, *args) >= -1e-9
    # the same lines hard: every rejecting row is a red-line violation, nothing to compute
    hard = single_actor_changes(x0, p, s, wc, fighting, lo, up, q)
    assert all(c.red_line_violated and c.position_move is None for c in hard)
