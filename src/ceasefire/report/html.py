"""The self-contained HTML report: one file, no network (plotly.js inlined once)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from jinja2 import Environment

from ceasefire.report import charts, text
from ceasefire.report.charts_game import game_curves
from ceasefire.report.format import jinja_env
from ceasefire.results import Analysis
from ceasefire.scenario import Scenario, UnitGeometry
from ceasefire.scenario.checks import citations, hindsight_inputs
from ceasefire.scenario.schema import SOURCE_KIND_LABELS
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
        "game_curves": figure_html(game_curves(analysis), "game-curves"),
    }
    timelines = charts.path_timelines(analysis)
    if timelines is not None:
        out["timeline"] = figure_html(timelines, "path-timelines")
    paths = charts.forecast_paths(analysis)
    if paths is not None:
        out["forecasts"] = figure_html(paths, "forecast-paths")
    for k, w in enumerate(analysis.winsets):
        fig = charts.winset_picture(analysis, w.id)
        if fig is not None:
            out[f"winset:{w.id}"] = figure_html(fig, f"winset-{k}")
    return out


_ITEM = re.compile(r"^(actors|territory|proposals|institutions)\[(\d+)\]")


def _input_label(path: str, scenario: Scenario) -> str:
    """``territory[2].source`` -> ``territory UA-09.source``: the item's id, not its index."""
    m = _ITEM.match(path)
    if not m:
        return path
    table, i = m.group(1), int(m.group(2))
    item = getattr(scenario, table)[i]
    return f"{table} {getattr(item, 'code', None) or getattr(item, 'id', i)}{path[m.end() :]}"


def source_context(scenario: Scenario) -> dict[str, Any]:
    """What the report's source list needs (issue 19): the inputs that use hindsight, by
    source; the sources the territory table as a whole cites; the labels of source kinds."""
    later = hindsight_inputs(scenario.model_dump(mode="python"))
    territory = {"territory": [{"source": u.source} for u in scenario.territory]}
    known = [src.key for src in scenario.sources]
    return {
        "hindsight": {k: [_input_label(p, scenario) for p in paths] for k, paths in later.items()},
        "territory_sources": [k for k in known if k in {c for _, c in citations(territory, known)}],
        "kind_labels": SOURCE_KIND_LABELS,
    }


def render(analysis: Analysis, scenario: Scenario, geometry: UnitGeometry | None = None) -> str:
    """The report as one HTML string that works offline (``geometry``: the scenario's map)."""
    from plotly.offline import get_plotlyjs

    template = _env().get_template("report.html.j2")
    return template.render(
        a=analysis,
        s=scenario,
        sources=source_context(scenario),
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
