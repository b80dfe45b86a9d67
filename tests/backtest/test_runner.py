"""The DEU backtest on small synthetic tables: every statistic against hand-computed values,
refusals listed with reasons, engines taken from the registry."""

from __future__ import annotations

import sys
import types
from typing import Any

import numpy as np
import pytest

from ceasefire.backtest import runner
from ceasefire.backtest.deu import parse
from ceasefire.backtest.models import DeuBacktest, Record
from ceasefire.bargaining import ENGINES
from ceasefire.bargaining.base import Capabilities, Forecast, Problem
from tests.backtest.synth import table

# (isnr, counvte, positions com ep de fr pl, saliences, rp, out)
ISSUES = [
    ("i1", "QMV", [0, 100, None, 50, 20], [50, None, 0, 80, 60], 0, 40),
    ("i2", "Unan", [100, 100, 0, None, None], [50, 50, 100, None, None], None, 100),
    ("i3", "QMV", [10, 20, 30, 40, 50], [10] * 5, 50, None),  # no outcome: skipped
    ("i4", "QMV", [60, 80, 100, 40, 0], [10] * 5, 100, 70),
]
# by hand, salience-weighted mean over actors with a position (missing salience = 0):
#   i1: (0*50 + 100*0 + 50*80 + 20*60) / (50 + 0 + 80 + 60) = 5200 / 190
#   i2: (100*50 + 100*50 + 0*100) / 200 = 50;  i4: (60 + 80 + 100 + 40 + 0) / 5 = 56
WMEAN_ERR = [abs(5200 / 190 - 40), 50.0, 14.0]
# median of positions: i1 median(0, 100, 50, 20) = 35; i2 median(100, 100, 0) = 100; i4 60
MEDIAN_ERR = [5.0, 0.0, 10.0]
# reference point: i1 |0 - 40| = 40; i4 |100 - 70| = 30; i2 has none
RP_ERR = [40.0, 30.0]


def _run(layout: str = "derived", capability: str = "equal", issues: Any = ISSUES) -> DeuBacktest:
    data = parse(table(issues, layout=layout), "t.csv")
    return runner.backtest(data, source="t.csv", sha256="0" * 64, capability=capability, seed=5)


def _rec(res: DeuBacktest, label: str) -> Record:
    return next(r for r in res.records if r.label == label)


@pytest.mark.parametrize("layout", ["derived", "deposit"])
def test_baselines_by_hand(layout: str) -> None:
    res = _run(layout)
    assert res.scored == 3 and [s.issue for s in res.skipped] == ["i3"]
    assert res.skipped[0].reason == "no outcome"
    wm = _rec(res, runner.WEIGHTED_MEAN)
    assert wm.overall.n == 3
    assert wm.overall.mae == pytest.approx(sum(WMEAN_ERR) / 3)
    assert wm.overall.median_ae == pytest.approx(14.0)
    med = _rec(res, runner.MEDIAN)
    assert med.overall.mae == pytest.approx(5.0) and med.overall.median_ae == pytest.approx(5.0)
    assert med.beats_share == 1.0  # 5 < 12.6, 0 < 50, 10 < 14
    assert med.by_voting_rule["QMV"].mae == pytest.approx(7.5)  # i1, i4
    assert med.by_voting_rule["QMV"].baseline_mae == pytest.approx((WMEAN_ERR[0] + 14) / 2)
    assert med.by_voting_rule["Unan"].mae == 0.0 and med.by_voting_rule["Unan"].n == 1
    assert med.by_reference_point["without reference point"].mae == 0.0
    assert med.difference is not None
    assert med.difference.estimate == pytest.approx(5.0 - sum(WMEAN_ERR) / 3)
    rp = _rec(res, runner.REFERENCE)
    assert (rp.overall.n, rp.overall.mae) == (2, pytest.approx(35.0))
    assert rp.overall.baseline_mae == pytest.approx((WMEAN_ERR[0] + 14) / 2)


def _without_lines(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _without_lines(v) for k, v in x.items() if k != "line"}
    if isinstance(x, list):
        return [_without_lines(v) for v in x]
    return x


def test_layouts_give_identical_results() -> None:
    """Same numbers from both layouts; only the layout and the line numbers (the derived
    layout's GDP row) differ."""
    a = _without_lines(_run("derived").model_dump())
    b = _without_lines(_run("deposit").model_dump())
    assert a.pop("layout") == "derived" and b.pop("layout") == "deposit"
    assert a == b


def test_every_registered_engine_is_scored_and_compromise_mean_is_the_baseline() -> None:
    res = _run()
    engines = {r.engine for r in res.records if r.kind == "engine"}
    assert engines == set(ENGINES)
    cm = _rec(res, "compromise/mean")
    assert cm.overall.mae == pytest.approx(sum(WMEAN_ERR) / 3)
    assert cm.beats_share == 0.0 and cm.ties_share == 1.0
    assert cm.identical_to[runner.WEIGHTED_MEAN] == 3


def test_gdp_capabilities_weight_the_compromise_mean() -> None:
    """i4 with GDP weights (4.1, 4.1, 4.1, 2.8, 0.55) and equal saliences:
    (60*4.1 + 80*4.1 + 100*4.1 + 40*2.8 + 0) / (3*4.1 + 2.8 + 0.55)."""
    res = _run(capability="gdp")
    row = next(r for r in res.issues if r.id == "i4")
    want = (240 * 4.1 + 40 * 2.8) / (3 * 4.1 + 2.8 + 0.55)
    assert row.forecasts["compromise/mean"] == pytest.approx(want)
    assert row.forecasts[runner.WEIGHTED_MEAN] == pytest.approx(56.0)


def test_nash_is_refused_without_a_reference_point() -> None:
    res = _run()
    nash = _rec(res, "nash")
    assert [(r.issue, r.line) for r in nash.refusals] == [("i2", 4)]
    assert "no reference point" in nash.refusals[0].reason
    assert nash.overall.n == 2
    assert sum(nash.cases.values()) == 2


def test_engine_refusals_are_listed_with_their_reasons() -> None:
    issues = [
        *ISSUES,
        # two equal blocs at 0 and 100: smp's model is undefined (P_max = P_min)
        ("tie", "QMV", [0, 100, None, None, None], [50, 50, None, None, None], 0, 30),
        # one actor with a salience: smp needs two and raises; the batch is split
        ("one", "QMV", [20, 40, None, None, None], [50, 0, None, None, None], 0, 30),
        ("one2", "QMV", [None, 70, None, None, None], [None, 50, None, None, None], 0, 60),
    ]
    res = _run(issues=issues)
    smp = _rec(res, "smp")
    reasons = {r.issue: r.reason for r in smp.refusals}
    assert set(reasons) == {"tie", "one", "one2"}
    assert "P_max = P_min" in reasons["tie"]
    assert "at least two actors" in reasons["one"] and "ValueError" in reasons["one"]
    assert smp.overall.n == res.scored - 3
    row = next(r for r in res.issues if r.id == "one")
    assert row.forecasts["smp"] is None and row.forecasts["compromise/mean"] == 20.0


def _fake_forecast(problem: Problem, rng: np.random.Generator, **params: Any) -> Forecast:
    """An engine that forecasts the first actor's position and refuses issues with 3 actors."""
    b = problem.shape[0]
    if problem.shape[1] == 3:
        raise ValueError("fake: three actors")
    return Forecast(
        outcome=problem.positions[:, 0, :].copy(),
        rounds=np.zeros(b, dtype=np.int64),
        method="fake",
        variant="",
        params={},
    )


def test_an_engine_registered_later_is_scored(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("ceasefire.bargaining.fake")
    module.forecast = _fake_forecast  # type: ignore[attr-defined]
    module.CAPABILITIES = Capabilities()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ceasefire.bargaining.fake", module)
    monkeypatch.setitem(ENGINES, "fake", ({},))
    res = _run()
    fake = _rec(res, "fake")
    # i1 has 3 salient actors (com, fr, pl): refused; i2 (3 actors) refused; i4: com at 60
    assert sorted(r.issue for r in fake.refusals) == ["i1", "i2"]
    assert fake.overall.n == 1 and fake.overall.mae == pytest.approx(10.0)
