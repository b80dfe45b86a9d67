"""The guarantee game's time scale against the durability records (durability.md §6).

Known values: records drawn from a known period are fitted back within the profile interval;
the fit's maximum equals a brute-force grid's (a loop reference); the event tree's
probabilities scale exactly as ``p^(τ₀/τ)``, which is what makes one analysis enough.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from ceasefire import durability as dur
from ceasefire.analysis import analyze
from ceasefire.backtest import cases as bc
from ceasefire.backtest.render_cases import time_scale_lines
from ceasefire.scenario import read


def _loop_log_likelihood(period: float, p: list[float], held: list[bool]) -> float:
    total = 0.0
    for q, h in zip(p, held, strict=True):
        r = min(max(q ** (dur.PERIOD_YEARS / period), 1e-12), 1.0 - 1e-12)
        total += math.log(r) if h else math.log(1.0 - r)
    return total


def test_fit_recovers_a_known_period_and_matches_a_grid() -> None:
    rng = np.random.default_rng(5)
    p = rng.uniform(0.05, 0.95, 400)  # the tree's probabilities at the stated period
    truth = 3.0
    held = rng.random(400) < dur.rescale(p, truth)
    fit = dur.fit_period(p, held)
    assert fit.low is not None and fit.high is not None
    assert fit.low < truth < fit.high and fit.high < 10 * fit.low
    grid = np.exp(np.linspace(math.log(0.5), math.log(20.0), 4001))
    best = grid[np.argmax([_loop_log_likelihood(t, list(p), list(held)) for t in grid])]
    assert fit.period == pytest.approx(best, rel=2e-3)
    assert fit.log_lik_fitted >= fit.log_lik_stated
    # at the interval's ends the likelihood has dropped by chi2_1(0.95) / 2
    for end in (fit.low, fit.high):
        drop = fit.log_lik_fitted - dur.period_log_likelihood(end, p, held)
        assert drop == pytest.approx(dur.PROFILE_DROP, abs=1e-6)


def test_records_all_held_leave_the_interval_open_above() -> None:
    fit = dur.fit_period([0.9, 0.8, 0.6], [True, True, True])
    assert fit.high is None and fit.period > 50


def test_rescale_at_the_stated_period_changes_nothing() -> None:
    p = np.array([0.0, 0.2, 0.7, 1.0])
    assert np.array_equal(dur.rescale(p, dur.PERIOD_YEARS), p)
    assert np.allclose(dur.rescale(dur.rescale(p, 2.0), 4.0, stated=2.0), dur.rescale(p, 4.0))


def test_the_event_tree_scales_as_the_fit_assumes(monkeypatch: pytest.MonkeyPatch) -> None:
    # every hazard of the tree is -ln P(hold) / period: the analysis at period 2 must give
    # the records' probabilities at period 1 to the power 1/2 (monthly grid points exactly)
    scenario = read("minsk-2015").scenario
    stated = bc.score_case(scenario, analyze(scenario))
    original = dur.game_hazard
    monkeypatch.setattr(dur, "game_hazard", lambda p, period=2.0: original(p, period))
    doubled = bc.score_case(scenario, analyze(scenario))
    pairs = [
        (a.probability, b.probability)
        for a, b in zip(stated.rows, doubled.rows, strict=True)
        if a.time_scaled
    ]
    assert len(pairs) >= 3
    for p1, p2 in pairs:
        assert p2 == pytest.approx(float(dur.rescale(p1, 2.0)), abs=2e-3)


def _row(case: str, p: float, held: bool) -> bc.RowScore:
    return bc.RowScore(
        case=case, id=f"{case}-{p}", stage="durability", proposal="x", observed="",
        predicted="", probability=p, outcome=held, horizon_years=1.0, time_scaled=True,
    )  # fmt: skip


def test_each_case_is_predicted_with_the_period_of_the_others() -> None:
    rows = [
        _row("a", 0.3, False),
        _row("a", 0.6, True),
        _row("b", 0.8, True),
        _row("c", 0.2, False),
    ]
    ts = bc.time_scale_check(
        [*rows, _row("d", 0.5, True).model_copy(update={"time_scaled": False})]
    )
    assert ts is not None and [r.case for r in ts.rows] == ["a", "a", "b", "c"]
    others = dur.fit_period([0.8, 0.2], [True, False]).period
    assert ts.rows[0].period_out_of_sample == pytest.approx(others)
    assert ts.rows[1].p_out_of_sample == pytest.approx(float(dur.rescale(0.6, others)))
    want = np.mean([-math.log(1 - 0.3), -math.log(0.6), -math.log(0.8), -math.log(0.8)])
    assert ts.log_loss_stated == pytest.approx(want)
    assert bc.time_scale_check([rows[2]]) is not None
    assert bc.time_scale_check([rows[2]]).log_loss_out_of_sample is None  # type: ignore[union-attr]
    assert bc.time_scale_check([]) is None


def test_the_shipped_record_and_what_is_said_of_it() -> None:
    sc = bc.run_cases([read(c).scenario for c in ("bucharest-2008", "minsk-2015")], sweep=False)
    ts = sc.time_scale
    assert ts is not None and len(ts.rows) == 5
    text = " ".join(time_scale_lines(ts))
    assert f"{ts.period:.2g} years" in text
    assert ("cannot tell them apart" in text) != ts.resolved
