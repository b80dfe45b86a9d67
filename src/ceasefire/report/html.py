"""The self-contained HTML report: one file, no network (plotly.js inlined once)."""

from __future__ import annotations

import json
import re
from contextlib import suppress
from functools import lru_cache
from importlib import resources
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache

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
    env = jinja_env()
    # Compiling the report's templates costs ~0.3 s a process: Jinja keeps the compiled code in
    # a private per-user folder of the temp directory, keyed by each template's checksum
    # (no usable temp folder: compile every time)
    with suppress(OSError, RuntimeError):
        env.bytecode_cache = FileSystemBytecodeCache()
    return env


#: what plotly's default template gives a figure, in brief: the report's charts are plain
#: dicts (charts.Figure), and the full template is 7 kB per figure and 0.2 s to load
LOOK: dict[str, Any] = {
    "layout": {
        "colorway": list(charts.PLOTLY_COLOURS),
        "font": {"color": "#2a3f5f"},
        "hovermode": "closest",
        "paper_bgcolor": "white",
        "plot_bgcolor": "#E5ECF6",
        "title": {"x": 0.05},
        "xaxis": {"gridcolor": "white", "linecolor": "white", "zerolinecolor": "white"},
        "yaxis": {"gridcolor": "white", "linecolor": "white", "zerolinecolor": "white"},
    }
}
_CONFIG = {"displaylogo": False, "responsive": True}


def figure_html(fig: Any, div_id: str) -> str:
    """A figure as an HTML fragment that draws it with the page's plotly.js.

    ``fig``: a plain figure dict (:data:`charts.Figure`), serialised as it is, or a plotly
    ``graph_objects.Figure`` (the sweep's charts).
    """
    if not isinstance(fig, dict):
        html: str = fig.to_html(
            full_html=False, include_plotlyjs=False, div_id=div_id, config=_CONFIG
        )
        return html
    layout = {"template": LOOK, **fig["layout"]}
    height = f"{layout['height']}px" if "height" in layout else "100%"
    # "</" inside a script would end it early: JSON allows the escaped form
    args = ",".join(
        json.dumps(x, separators=(",", ":")).replace("</", "<\\/")
        for x in (div_id, fig["data"], layout, _CONFIG)
    )
    return (
        f'<div><div id="{div_id}" class="plotly-graph-div" style="height:{height}; width:100%;">'
        f'</div><script type="text/javascript">window.PLOTLYENV=window.PLOTLYENV || {{}};'
        f'if (document.getElementById("{div_id}")) {{Plotly.newPlot({args})}};</script></div>'
    )


def plotly_js() -> str:
    """plotly.js as shipped with the plotly package (what ``plotly.offline.get_plotlyjs``
    reads, without importing plotly's figure machinery)."""
    return (resources.files("plotly") / "package_data" / "plotly.min.js").read_text("utf-8")


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
    template = _env().get_template("report.html.j2")
    return template.render(
        a=analysis,
        s=scenario,
        sources=source_context(scenario),
        u=analysis.uncertainty,
        ufig=uncertainty_figures(analysis.uncertainty) if analysis.uncertainty else {},
        figures=figures(analysis, geometry),
        plotlyjs=plotly_js(),
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
    return (
        _env()
        .get_template("sweep.html.j2")
        .render(u=summary, s=scenario, ufig=uncertainty_figures(summary), plotlyjs=plotly_js())
    )
