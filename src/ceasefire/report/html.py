"""The self-contained HTML report: one file, no network (plotly.js inlined once)."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ceasefire.analysis import Analysis
from ceasefire.report import charts, text
from ceasefire.scenario import Scenario, UnitGeometry


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("ceasefire.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda x: f"{100 * x:.1f}%"
    env.filters["signed"] = lambda x: f"{x:+.3f}"
    env.globals["zip"] = zip
    return env


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
        blockers={p.id: text.blocker_sentences(p) for p in analysis.proposals},
        rescues=text.rescue_sentences(analysis),
        changes={p.id: text.actor_change_sentences(p) for p in analysis.proposals},
        smp_options={
            f"{f.engine}-{f.variant}": text.smp_options(f)[:6]
            for f in analysis.forecasts
            if f.probabilities
        },
        verdicts={p.id: text.verdict(p) for p in analysis.proposals},
        paragraphs={
            p.id: text.deterrence_paragraph(p, analysis.aggressor) for p in analysis.proposals
        },
        population_approximated=any(
            u.controlled_population_share is None for u in scenario.territory
        ),
    )


def uncertainty_figures(summary: dict[str, Any]) -> dict[str, str]:
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
    for out in (summary.get("sensitivity") or {}).get("sobol", {}):
        fig = charts.sobol_tornado(summary, out)
        if fig is not None:
            figs[f"tornado:{out}"] = figure_html(fig, f"tornado-{out.replace('|', '-')}")
    return figs


_SWEEP_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ceasefire sweep — {{ s.scenario.title }}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; color: #1b1b1b; line-height: 1.45; }
  main { max-width: 1200px; margin: 0 auto; padding: 1rem 1.5rem 4rem; }
  h2 { border-bottom: 2px solid #0072B2; padding-bottom: .2rem; margin-top: 2.2rem; }
  table { border-collapse: collapse; margin: .6rem 0; font-size: .9rem; }
  th, td { border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top; }
  th { background: #f2f5f8; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .pass { color: #006d2c; font-weight: 600; } .fail { color: #b2182b; font-weight: 600; }
  .small { font-size: .8rem; color: #555; }
</style>
<script>{{ plotlyjs | safe }}</script></head>
<body><main><h1>{{ s.scenario.title }}</h1>
<p class="small">Scenario <code>{{ s.scenario.id }}</code> ·
sha256 <code>{{ (u.scenario_sha256 or "")[:16] }}</code></p>
{% include "_uncertainty.html.j2" %}
</main></body></html>
"""


def render_sweep(summary: dict[str, Any], scenario: Scenario) -> str:
    """A sweep's own report (``ceasefire sweep``): the uncertainty section, offline."""
    from plotly.offline import get_plotlyjs

    env = _env()
    return env.from_string(_SWEEP_PAGE).render(
        u=summary, s=scenario, ufig=uncertainty_figures(summary), plotlyjs=get_plotlyjs()
    )
