"""The typed sweep summary: its schema, its classifications, and its round trip in results.json."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ceasefire.analysis import Analysis, analyze
from ceasefire.scenario import loads
from ceasefire.sweep_results import (
    MORRIS_ZERO,
    ROBUST_AGREEMENT,
    CoverageSweep,
    DeterrenceSweep,
    DurabilitySweep,
    Headline,
    MorrisEffect,
    OutputSensitivity,
    SweepSummary,
)
from ceasefire.uncertainty.backends import sweep_in_memory
from ceasefire.uncertainty.pipeline import (
    COVERAGE_OUTPUTS,
    DETERRENCE_OUTPUTS,
    DURABILITY_OUTPUTS,
)
from ceasefire.uncertainty.summary import decision
from tests.uncertainty.test_uncertainty import SMALL


@pytest.fixture(scope="module")
def small_summary() -> tuple[SweepSummary, Analysis]:
    scenario = loads(SMALL)
    summary = sweep_in_memory(scenario, 120, 4, sensitivity="morris", morris_r=2)
    return summary, analyze(scenario, draws=10).model_copy(update={"uncertainty": summary})


def test_the_schema_imports_no_numerical_library() -> None:
    code = (
        "import sys, ceasefire.sweep_results\n"
        "bad = [m for m in ('numpy', 'scipy', 'ceasefire.analysis') if m in sys.modules]\n"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_output_records_have_the_pipelines_outputs_as_fields() -> None:
    assert tuple(CoverageSweep.model_fields) == COVERAGE_OUTPUTS
    assert tuple(DeterrenceSweep.model_fields) == DETERRENCE_OUTPUTS
    assert tuple(DurabilitySweep.model_fields) == DURABILITY_OUTPUTS


def test_results_json_with_a_sweep_round_trips(small_summary: tuple[SweepSummary, Analysis]):
    summary, analysis = small_summary
    text = analysis.model_dump_json()
    back = Analysis.model_validate_json(text)
    assert back == analysis
    assert isinstance(back.uncertainty, SweepSummary)
    assert json.loads(text)["uncertainty"]["schema_version"] == summary.schema_version
    # and summary.json alone
    assert SweepSummary.model_validate_json(summary.model_dump_json()) == summary


@pytest.mark.parametrize(
    ("central", "passes", "robust"),
    [
        (True, 95, True),  # 95 of 100 agree: exactly the threshold
        (True, 94, False),
        (False, 5, True),
        (False, 6, False),
        (False, 0, True),
    ],
)
def test_a_conclusion_is_robust_when_enough_draws_agree(central, passes, robust):
    d = decision("nato", "NATO", central, passes, 100)
    assert d.agreement == pytest.approx(passes / 100 if central else 1 - passes / 100)
    assert d.robust is robust
    assert d.robust == (d.agreement >= ROBUST_AGREEMENT)
    assert d.ci95[0] <= d.p_pass <= d.ci95[1]


def test_the_summary_counts_robust_conclusions(small_summary):
    summary, _ = small_summary
    (p,) = summary.proposals
    # Hungary's red line flips the West German model in NATO in about 40 % of the draws
    assert [d.robust for d in p.decisions()] == [False, False]
    assert summary.robust_count() == 0 and len(summary.decisions()) == 2
    assert summary.proposal(p.id) is p and summary.proposal("none") is None
    (sw,) = [s for s in summary.switches(p.id, "nato") if "Hungary" in s.label]
    assert sw.direction == "above"


def test_morris_effects_are_stored_largest_first(small_summary):
    summary, _ = small_summary
    assert summary.sensitivity is not None
    for out in summary.sensitivity.outputs:
        mus = [m.mu_star or 0.0 for m in out.morris]
        assert mus == sorted(mus, reverse=True)
        s1 = [g.s1 for g in out.given]
        assert s1 == sorted(s1, reverse=True)
    assert summary.sensitivity.morris_r == 2
    assert summary.sensitivity.extra_evaluations == 2 * (len(summary.inputs) + 1)


def test_top_morris_leaves_out_numerically_zero_effects():
    effects = [
        MorrisEffect(input=k, label=k, mu_star=mu, mu_star_conf=0.0, sigma=0.0)
        for k, mu in (("a", 3.0), ("b", 2.0), ("c", MORRIS_ZERO / 2), ("d", None))
    ]
    out = OutputSensitivity(
        output=Headline(quantity="min_veto_margin", subject="p"), sobol=[], morris=effects
    )
    assert [m.input for m in out.top_morris()] == ["a", "b"]
    assert [m.input for m in out.top_morris(1)] == ["a"]


def test_headline_names():
    h = Headline(quantity="forecast", subject="nash", dimension="alliance")
    assert (h.key, h.title) == ("forecast-nash-alliance", "forecast · nash · alliance")
