"""The uncertainty section of the reports: charts from a small sweep's summary, and the HTML."""

from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go
import pytest

from ceasefire.analysis import analyze
from ceasefire.report import charts, html
from ceasefire.scenario import loads
from ceasefire.uncertainty.backends import SweepSpec, run_sweep, summarise_run
from ceasefire.uncertainty.pipeline import compile_model
from ceasefire.uncertainty.summary import quantiles
from tests.uncertainty.test_uncertainty import SMALL  # one red line (Hungary) decides NATO

ENGINES = ("compromise", "nash")


@pytest.fixture(scope="module")
def small():
    return loads(SMALL)


@pytest.fixture(scope="module")
def summary(small):
    spec = SweepSpec(draws=200, seed=3, chunk=50, engines=ENGINES)
    model = compile_model(small, spec)
    run = run_sweep(model, spec)
    return summarise_run(model, spec, run, sensitivity="sobol", sobol_n=64)


@pytest.fixture(scope="module")
def given_summary(small):
    """The default sensitivity: first-order indices from the draws only."""
    spec = SweepSpec(draws=400, seed=3, chunk=100, engines=ENGINES)
    model = compile_model(small, spec)
    return summarise_run(model, spec, run_sweep(model, spec))


def test_quantiles_hold_quartiles_in_order():
    q = quantiles(np.append(np.arange(101.0), np.nan), 7.0)
    assert (q.p05, q.p25, q.median, q.p75, q.p95) == (5.0, 25.0, 50.0, 75.0, 95.0)
    assert q.central == 7.0
    assert quantiles(np.array([np.nan])).p25 is None


def test_forecast_distributions_one_box_per_engine_and_dimension(summary):
    fig = charts.forecast_distributions(summary)
    assert isinstance(fig, go.Figure)
    boxes = [t for t in fig.data if t.type == "box"]
    assert len(boxes) == len(summary.engines) * len(summary.dimensions)
    f, dim = summary.forecasts[0], summary.dimensions[0]
    box = next(b for b in boxes if b.x[0] == f.engine)
    q = f.dimensions[dim]
    assert (box.lowerfence[0], box.q1[0], box.median[0], box.q3[0], box.upperfence[0]) == (
        q.p05,
        q.p25,
        q.median,
        q.p75,
        q.p95,
    )
    # the central run's forecast is drawn as a marker
    assert any(t.type == "scatter" and t.y[0] == q.central for t in fig.data)


def test_forecast_distributions_none_without_engines(summary):
    assert charts.forecast_distributions(summary.model_copy(update={"forecasts": []})) is None


def test_outcome_distributions(summary):
    fig = charts.outcome_distributions(summary)
    assert isinstance(fig, go.Figure)
    medians = [b.median[0] for b in fig.data if b.type == "box"]
    p = summary.proposals[0]
    assert p.min_veto_margin.median in medians
    assert p.durability.p_breakdown_5y.median in medians


def test_tornado_per_headline_output(summary):
    (out,) = [o for o in summary.sensitivity.outputs if o.output.key == "min_veto_margin-wgm"]
    assert out.sobol
    # stored largest first
    sts = [x.st or 0.0 for x in out.sobol]
    assert sts == sorted(sts, reverse=True)
    fig = charts.sobol_tornado(out)
    assert isinstance(fig, go.Figure)
    st, s1 = fig.data
    assert st.orientation == "h" and s1.orientation == "h"
    # the largest total index is drawn last (at the top), and tiny factors are left out
    assert list(st.x) == sorted(st.x)
    assert all(x >= charts.TORNADO_MIN_ST for x in st.x)
    best = max(out.sobol, key=lambda x: x.st or 0.0)
    assert st.y[-1] == best.label
    assert charts.sobol_tornado(out.model_copy(update={"sobol": []})) is None


def test_s1_tornado_from_the_draws(given_summary, small):
    sens = given_summary.sensitivity
    assert sens.method == "rbd-fast" and sens.extra_evaluations == 0 and sens.draws == 400
    (out,) = [o for o in sens.outputs if o.output.key == "min_veto_margin-wgm"]
    assert not out.sobol and not out.morris and out.given
    s1 = [x.s1 for x in out.given]
    assert s1 == sorted(s1, reverse=True)
    fig = charts.s1_tornado(out)
    (bars,) = fig.data
    assert list(bars.x) == sorted(bars.x) and bars.y[-1].startswith(out.given[0].label)
    assert charts.s1_tornado(out.model_copy(update={"given": []})) is None
    page = html.render_sweep(given_summary, small)
    assert 'id="tornado-min_veto_margin-wgm"' in page
    assert "Sobol&#39; indices" not in page and "first half of the draws" in page


def test_pass_probability_bars_keep_the_proposals_order(summary):
    fig = charts.pass_probability_bars(summary)
    assert list(fig.layout.xaxis.categoryarray) == [p.id for p in summary.proposals]


def test_sweep_report_has_every_part(summary, small):
    page = html.render_sweep(summary, small)
    for div in (
        "pass-probability",
        "acceptance-prob",
        "outcome-distributions",
        "forecast-distributions",
        "tornado-min_veto_margin-wgm",
    ):
        assert f'id="{div}"' in page, div
    assert "Forecast distributions" in page
    assert "Tornado charts" in page
    assert "Sobol&#39; indices" in page or "Sobol' indices" in page
    # robust or flips, per proposal and institution, with numbers: the red line of Hungary
    # flips the West German model in NATO in roughly 40 % of the draws (test_uncertainty)
    p = summary.proposals[0].passes
    assert not p.central and 0.3 < p.p_pass < 0.5
    assert not p.robust and p.agreement == pytest.approx(1 - p.p_pass)
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert f"flips : passes in {100 * p.p_pass:.1f}% of draws" in text
    assert "0 of 2 conclusions are robust" in text
    assert "lets the West German model through NATO" in text


def test_run_report_includes_the_uncertainty_charts(summary, small):
    a = analyze(small, draws=10).model_copy(update={"uncertainty": summary})
    page = html.render(a, small)
    assert 'id="forecast-distributions"' in page
    assert 'id="tornado-min_veto_margin-wgm"' in page
    assert "Which conclusions of the single run are robust" in page
