"""Win-set volume: exact (half-space intersection + convex hull) vs Monte Carlo estimates.

A 35-actor, 4-dimension problem (about the size of NATO accession plus the belligerents).
Prints the time of each method and the ratio, and how far the estimates fall from the exact
share. Run: ``python benchmarks/bench_winset.py``.
"""

from __future__ import annotations

import time

import numpy as np

from ceasefire.winset import acceptable, rescue, utility, volume_qmc, winset


def problem(seed: int = 0, n: int = 35, d: int = 4):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0, 100, (n, d))
    s = rng.uniform(10, 100, (n, d))
    w = s / s.sum(axis=1, keepdims=True)
    q = np.full(d, 50.0)
    nd = utility(q, p, w) - rng.uniform(10, 20, n) / 100.0
    return p, w, nd, np.zeros((n, d)), np.full((n, d), 100.0)


def timed(fn, repeat: int = 3):
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    p, w, nd, lo, up = problem()
    n, d = p.shape
    t_exact, ws = timed(lambda: winset(p, w, nd, lo, up, conflicts=False))
    print(f"{n} actors, D = {d}: win-set empty={ws.empty}, method={ws.volume_method}")
    print(f"  exact (all of winset: centre, extent, volume) {t_exact * 1e3:8.1f} ms")
    t_novol, _ = timed(lambda: winset(p, w, nd, lo, up, conflicts=False, volume=False))
    t_vol = max(t_exact - t_novol, 1e-9)
    print(f"  of which exact volume (hull)                  {t_vol * 1e3:8.1f} ms")
    print(f"  exact volume share                            {ws.volume_share:.6g}")

    t_qmc, (share_q, err_q) = timed(lambda: volume_qmc(p, w, nd, lo, up, seed=1))
    print(
        f"  scrambled Sobol 8 x 2^13 points  {t_qmc * 1e3:8.1f} ms  share {share_q:.6g} "
        f"± {err_q:.2g} (95%)  |error| {abs(share_q - ws.volume_share):.2g}"
    )

    m = 2**16
    rng = np.random.default_rng(1)

    def mc() -> float:
        hits = 0
        for _ in range(8):
            x = rng.uniform(0, 100, (m // 8, d))
            hits += int(acceptable(x, p, w, nd, lo, up).in_winset.sum())
        return hits / m

    t_mc, share_mc = timed(mc)
    se = np.sqrt(max(share_mc * (1 - share_mc), 1e-300) / m)
    print(
        f"  plain Monte Carlo 2^16 points     {t_mc * 1e3:8.1f} ms  share {share_mc:.6g} "
        f"± {1.96 * se:.2g} (95%)  |error| {abs(share_mc - ws.volume_share):.2g}"
    )
    print(f"  time ratio vs exact volume: QMC {t_qmc / t_vol:.1f}x, MC {t_mc / t_vol:.1f}x")

    x0 = np.array([90.0, 10.0, 90.0, 10.0])
    t_r, r = timed(lambda: rescue(x0, w[0], p, w, nd, lo, up))
    print(f"  rescue LP {t_r * 1e3:8.1f} ms, distance {r.distance if r else float('nan'):.3f}")

    nd_tight = np.full(n, -0.3)
    t_c, wc = timed(lambda: winset(p, w, nd_tight, lo, up), repeat=1)
    print(
        f"  empty win-set with conflicts {t_c * 1e3:8.1f} ms: {len(wc.conflicts)} minimal sets"
        f" (empty={wc.empty})"
    )

    builtin()


def builtin() -> None:
    """All win-sets, rescues and package rescues of the built-in scenario (issues 4 and 13:
    under 2 s together)."""
    import ceasefire
    from ceasefire.analysis import packages_of_proposal, rescue_of_proposal, winset_of_chain
    from ceasefire.preferences import Preferences

    s = ceasefire.load("ukraine-2024-11")
    prefs = Preferences.from_scenario(s)
    dims = prefs.dimension_ids

    def all_of_them() -> None:
        for chain in dict.fromkeys(p.requires for p in s.proposals if p.requires):
            winset_of_chain(s, prefs, chain)
        for p in s.proposals:
            x0 = np.array([p.position[d] for d in dims])
            rescue_of_proposal(s, prefs, p, x0)

    def packages() -> None:
        for p in s.proposals:
            x0 = np.array([p.position[d] for d in dims])
            packages_of_proposal(s, prefs, p, x0)

    t, _ = timed(lambda: all_of_them(), repeat=3)
    t_p, _ = timed(lambda: packages(), repeat=3)
    print(
        f"\nbuilt-in: all win-sets (with knife edges), pictures and rescues {t:.2f} s; package "
        f"rescues (kept and unrestricted) {t_p:.2f} s; together {t + t_p:.2f} s (target < 2 s)"
    )


if __name__ == "__main__":
    main()
