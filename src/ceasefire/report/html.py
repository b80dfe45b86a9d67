"""The self-contained HTML report: one file, no network (plotly.js inlined once)."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ceasefire.analysis import Analysis
from ceasefire.report import charts, text
from ceasefire.scenario import Scenario


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("ceasefire.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda x: f"{100 * x:.1f}%"
    env.filters["signed"] = lambda x: f"{x:+.3f}"
    return env


def _figure(fig: Any, div_id: str) -> str:
    html: str = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
    )
    return html


def render(analysis: Analysis, scenario: Scenario) -> str:
    """The report as one HTML string that works offline."""
    from plotly.offline import get_plotlyjs

    figures = {
        "map": _figure(charts.coverage_map(analysis), "coverage-map"),
        "bars": _figure(charts.coverage_bars(analysis), "coverage-bars"),
        "heatmap": _figure(charts.acceptance_heatmap(analysis), "acceptance-heatmap"),
        "deterrence": _figure(charts.deterrence_curves(analysis), "deterrence-curves"),
        "survival": _figure(charts.survival_curves(analysis), "survival-curves"),
    }
    paths = charts.forecast_paths(analysis)
    if paths is not None:
        figures["forecasts"] = _figure(paths, "forecast-paths")
    for w in analysis.winsets:
        fig = charts.winset_picture(analysis, w.id)
        if fig is not None:
            figures[f"winset:{w.id}"] = _figure(fig, f"winset-{w.id}")
    template = _env().get_template("report.html.j2")
    return template.render(
        a=analysis,
        s=scenario,
        figures=figures,
        plotlyjs=get_plotlyjs(),
        blockers={p.id: text.blocker_sentences(p) for p in analysis.proposals},
        rescues={p.id: text.rescue_sentence(p) for p in analysis.proposals},
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
