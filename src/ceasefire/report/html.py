"""The self-contained HTML report: one file, no network (plotly.js inlined once)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment

from ceasefire.report import charts, text
from ceasefire.report.format import jinja_env
from ceasefire.results import Analysis
from ceasefire.scenario import Scenario, UnitGeometry
from ceasefire.sweep_results import SweepSummary


@lru_cache(maxsize=1)
def _env() -> Environment:
    return jinja_env()


def figure_html(fig: Any, div_id: str) -> str:
    html: str = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
    )
    return html


def figures(analysis: Analysis, geometry: UnitGeometry | None = None) -> dict[str, str]:
    """Every chart of an analysis as an HTML fragment without plotly.js (report and web UI).

    ``geometry``: the scenario's map; without one the map's place says there is none.
    """
    fig_map = charts.coverage_map(analysis, geometry)
    out = {
        "map": figure_html(fig_map, "coverage-map")
        if fig_map is not None
        else f'<p class="small" id="coverage-map-none">{charts.NO_MAP}</p>',
        "bars": figure_html(charts.coverage_bars(analysis), "coverage-bars"),
        "heatmap": figure_html(charts.acceptance_heatmap(analysis), "acceptance-heatmap"),
        "deterrence": figure_html(charts.deterrence_curves(analysis), "deterrence-curves"),
        "survival": figure_html(charts.survival_curves(analysis), "survival-curves"),
    }
    paths = charts.forecast_paths(analysis)
    if paths is not None:
        out["forecasts"] = figure_html(paths, "forecast-paths")
    for k, w in enumerate(analysis.winsets):
        fig = charts.winset_picture(analysis, w.id)
        if fig is not None:
            out[f"winset:{w.id}"] = figure_html(fig, f"winset-{k}")
    return out


def render(analysis: Analysis, scenario: Scenario, geometry: UnitGeometry | None = None) -> str:
    """The report as one HTML string that works offline (``geometry``: the scenario's map)."""
    from plotly.offline import get_plotlyjs

    template = _env().get_template("report.html.j2")
    return template.render(
        a=analysis,
        s=scenario,
        u=analysis.uncertainty,
        ufig=uncertainty_figures(analysis.uncertainty) if analysis.uncertainty else {},
        figures=figures(analysis, geometry),
        plotlyjs=get_plotlyjs(),
        smp_options={
            f"{f.engine}-{f.variant}": text.smp_options(f)[:6]
            for f in analysis.forecasts
            if f.probabilities
        },
        **text.sentences(analysis),
        population_approximated=any(
            u.controlled_population_share is None for u in scenario.territory
        ),
    )


def uncertainty_figures(summary: SweepSummary) -> dict[str, str]:
    """The uncertainty section's figures as HTML fragments."""
    figs = {
        "bars": figure_html(charts.pass_probability_bars(summary), "pass-probability"),
        "heatmap": figure_html(charts.acceptance_probability_heatmap(summary), "acceptance-prob"),
    }
    outcomes = charts.outcome_distributions(summary)
    if outcomes is not None:
        figs["outcomes"] = figure_html(outcomes, "outcome-distributions")
    forecasts = charts.forecast_distributions(summary)
    if forecasts is not None:
        figs["forecasts"] = figure_html(forecasts, "forecast-distributions")
    for out in summary.sensitivity.outputs if summary.sensitivity else []:
        fig = charts.sobol_tornado(out) if out.sobol else charts.s1_tornado(out)
        if fig is not None:
            figs[f"tornado:{out.output.key}"] = figure_html(fig, f"tornado-{out.output.key}")
    return figs


def render_sweep(summary: SweepSummary, scenario: Scenario) -> str:
    """A sweep's own report (``ceasefire sweep``): the uncertainty section, offline."""
    from plotly.offline import get_plotlyjs

    return (
        _env()
        .get_template("sweep.html.j2")
        .render(u=summary, s=scenario, ufig=uncertainty_figures(summary), plotlyjs=get_plotlyjs())
    )
