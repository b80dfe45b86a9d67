"""Every terminal view shows every number of its result, whatever the width (issue 18, item 1).

Each view is rendered into a recording console of 80 and of 120 columns, on the built-in
scenario and on a historical case; the tests assert that no line is wider than the console,
that nothing is cut with an ellipsis, and that each row's figures (formatted as the view formats
them, read from the result) appear in the row's stretch of the output, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from rich.console import Console

from ceasefire.analysis import analyze
from ceasefire.report import terminal
from ceasefire.report.format import interval_of, num, pct, pct_bounded, prob
from ceasefire.report.terminal_sweep import print_sweep
from ceasefire.results import Analysis
from ceasefire.scenario import read

WIDTHS = (80, 120)
SCENARIOS = ("ukraine-2024-11", "nordic-2022")


def render(width: int, view: Callable[[Console], None]) -> str:
    console = Console(width=width, record=True, color_system=None, file=_Null())
    view(console)
    out = console.export_text()
    lines = out.splitlines()
    too_wide = [line for line in lines if len(line) > width]
    assert not too_wide, f"{len(too_wide)} lines exceed {width} columns: {too_wide[:3]}"
    assert "…" not in out, "a cell was cut"
    return out


class _Null:
    def write(self, _: str) -> int:
        return 0

    def flush(self) -> None:
        pass


def section(out: str, start: str, end: str | None) -> str:
    i = out.index(start)
    j = out.index(end, i) if end else len(out)
    return out[i:j]


def in_order(text: str, figures: Iterable[str], what: str) -> None:
    """Each figure occurs in ``text`` after the previous one."""
    at = 0
    for f in figures:
        k = text.find(f, at)
        assert k >= 0, f"{what}: {f!r} missing after position {at} in:\n{text}"
        at = k + len(f)


def rows(text: str, heads: list[str]) -> Iterable[tuple[int, str]]:
    """The stretch of ``text`` from each row's heading to the next one's (rows in order)."""
    at: list[int] = []
    for h in heads:
        at.append(text.index(h, at[-1] + 1 if at else 0))
    at.append(len(text))
    for k in range(len(heads)):
        yield k, text[at[k] : at[k + 1]]


@pytest.fixture(scope="module", params=SCENARIOS)
def analysis(request: pytest.FixtureRequest) -> tuple[Analysis, Any]:
    loaded = read(request.param)
    return analyze(loaded.scenario, draws=200), loaded.scenario


@pytest.mark.parametrize("width", WIDTHS)
def test_run_summary_shows_every_figure(analysis: tuple[Analysis, Any], width: int) -> None:
    a, _ = analysis
    out = render(width, lambda c: terminal.summary(a, c))
    table = section(out, "Proposals (shares", "Who blocks what")
    for k, part in rows(table, [p.id for p in a.proposals]):
        p = a.proposals[k]
        cov = p.coverage
        in_order(
            part,
            [
                p.id,
                pct(cov.invited_area_share),
                pct(cov.guaranteed_area_share),
                pct(cov.ceded_area_share),
                pct(cov.occupied_area_share),
                f"{sum(r.accepts for r in p.acceptance.values())}/{len(p.acceptance)}",
                "yes" if p.passes else "no",
                num(p.deterrence.p_hold.central if p.deterrence else None, "%.2f"),
                num(p.durability.p_breakdown_5y.central if p.durability else None, "%.2f"),
            ],
            p.id,
        )


@pytest.mark.parametrize("width", WIDTHS)
def test_wrapped_lines_keep_their_indentation(analysis: tuple[Analysis, Any], width: int) -> None:
    a, _ = analysis
    out = render(width, lambda c: terminal.summary(a, c))
    blocks = section(out, "Who blocks what, and why", "Where bargaining ends up")
    lines = blocks.splitlines()[1:]
    assert lines and all(line.startswith("  ") for line in lines), [
        line for line in lines if not line.startswith("  ")
    ][:3]
    # a blocker's reason and its continuation lines sit deeper than the proposal's verdict
    for line in lines:
        if " blocks " in line and ":" in line:
            assert line.startswith("      "), line


@pytest.mark.parametrize("width", WIDTHS)
def test_deter_shows_every_figure(analysis: tuple[Analysis, Any], width: int) -> None:
    a, _ = analysis
    out = render(width, lambda c: terminal.deterrence(a, c))
    game = section(out, "Guarantee game", "Ceasefire durability")
    heads, expected = [], []
    for p in a.proposals:
        if p.deterrence is None:
            continue
        for o in [p.deterrence, *p.deterrence.alternatives.values()]:
            heads.append(p.id)
            qc = o.q_critical.central
            figures = [p.id, o.sequence.replace("_", " "), f"{o.g:.2f}"]
            for iv in (o.p_hold, o.p_attack_covered, o.p_guarantor_war):
                figures.append(interval_of(iv, prob, brackets=True))
            expected.append([*figures, "none" if qc is None else prob(qc)])
    for k, part in rows(game, heads):
        in_order(part, expected[k], heads[k])
    durability = section(out, "Ceasefire durability", None)
    props = [p for p in a.proposals if p.durability is not None]
    for k, part in rows(durability, [p.id for p in props]):
        u = props[k].durability
        assert u is not None
        in_order(
            part,
            [
                interval_of(u.p_breakdown_1y, prob, brackets=True),
                interval_of(u.p_breakdown_5y, prob, brackets=True),
                num(u.median_years.central, "%.1f"),
            ],
            props[k].id,
        )


@pytest.mark.parametrize("width", WIDTHS)
def test_forecast_shows_every_figure(analysis: tuple[Analysis, Any], width: int) -> None:
    a, scenario = analysis
    out = render(width, lambda c: terminal.forecasts(a.forecasts, scenario, c))
    table = section(out, "Bargaining forecasts", "nearest proposal")
    labels = [f"{f.engine} ({f.variant})" for f in a.forecasts]
    labels += [f"proposal {p.id}" for p in scenario.proposals]
    dims = list(a.forecasts[0].dimensions)
    for k, part in rows(table, labels):
        if k < len(a.forecasts):
            f = a.forecasts[k]
            figures = [*(f"{f.outcome[d]:.1f}" for d in dims), str(f.rounds)]
        else:
            p = scenario.proposals[k - len(a.forecasts)]
            figures = [f"{p.position[d]:g}" for d in dims]
        in_order(part, figures, labels[k])
    for d in dims:  # each dimension named, in full or in the key
        assert d in table
    nearest = section(out, "nearest proposal", None)
    for f in a.forecasts:
        near = f.nearest_proposal
        if near:
            in_order(nearest, [f"{f.engine} ({f.variant}): {near} ({f.distances[near]:.1f})"], near)


@pytest.mark.parametrize("width", WIDTHS)
def test_winset_shows_every_figure(width: int) -> None:
    loaded = read("ukraine-2024-11")
    a = analyze(loaded.scenario, engines=None, stages=("winset",))
    out = render(width, lambda c: terminal.winsets(a, a.winsets, c))
    for w in a.winsets:
        if w.empty or w.center is None or w.extent is None:
            continue
        part = out[out.index(w.id) :]
        figures = []
        for d, v in w.center.items():
            lo, hi = w.extent[d]
            figures += [d, f"{v:.1f}", f"{lo:.1f} – {hi:.1f}"]
        in_order(part, figures, w.id)
    rescues = out[out.index("Rescues") :].splitlines()[1:]
    assert rescues and all(line.startswith("  ") for line in rescues), rescues[:3]


@pytest.fixture(scope="module")
def sweep() -> Any:
    from ceasefire.uncertainty.backends import sweep_in_memory

    return sweep_in_memory(read("ukraine-2024-11").scenario, 200, 4, sobol_n=16, morris_r=2)


@pytest.mark.parametrize("width", WIDTHS)
def test_sweep_summary_shows_every_figure_and_no_internal_name(sweep: Any, width: int) -> None:
    out = render(width, lambda c: print_sweep(sweep, c))
    table = out[: out.index("\n\n")]
    for k, part in rows(table, [p.id for p in sweep.proposals]):
        p = sweep.proposals[k]
        lo, hi = p.passes.ci95
        figures = [p.id, pct_bounded(p.passes.p_pass), pct_bounded(lo), pct_bounded(hi)]
        figures += [f"{iid} {pct_bounded(r.p_pass)}" for iid, r in p.institutions.items()]
        in_order(" ".join(part.split()), figures, p.id)
    for internal in ("min_veto_margin", "p_hold", "'s lam", "'s c2", "'s k ", "hr_"):
        assert internal not in out, internal


def test_list_aligns_without_tabs(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from ceasefire import cli
    from ceasefire.scenario import builtin_ids

    console = Console(width=80, record=True, color_system=None, file=_Null())
    monkeypatch.setattr(cli, "out_console", console)
    assert CliRunner().invoke(cli.app, ["list"]).exit_code == 0
    out = console.export_text()
    assert "\t" not in out
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines)
    starts = set()
    for sid in builtin_ids():
        line = next(x for x in lines if x.startswith(sid + " "))
        title = read(sid).scenario.scenario.title
        starts.add(line.index(title.split()[0], len(sid)))
    assert len(starts) == 1, "titles start in different columns"


def test_a_scenario_without_proposals_says_so() -> None:
    """An imported scenario has no proposals: no bare headers, no ``None`` (issue 18, item 7)."""
    from pathlib import Path

    from ceasefire import importers
    from ceasefire.scenario import from_dict

    path = Path(__file__).parents[1] / "data" / "ktab" / "dummyData_3Dim.csv"
    scenario = from_dict(importers.from_ktab(path.read_text(encoding="utf-8-sig"), path.name), "")
    a = analyze(scenario, draws=50)
    assert not a.proposals
    for view in (
        lambda c: terminal.summary(a, c),
        lambda c: terminal.deterrence(a, c),
        lambda c: terminal.winsets(a, a.winsets, c),
    ):
        out = render(80, view)
        assert "None" not in out and "proposal " not in out.replace("no proposals", "")
    assert "no proposals" in render(80, lambda c: terminal.summary(a, c))


def test_a_small_critical_credibility_is_not_rounded_to_zero(
    analysis: tuple[Analysis, Any],
) -> None:
    a, _ = analysis
    out = render(120, lambda c: terminal.deterrence(a, c))
    assert "probability above 0.00." not in out
    for p in a.proposals:
        qc = p.deterrence.q_critical.central if p.deterrence else None
        if qc:
            assert f"probability above {qc:.2g}." in " ".join(out.split())
