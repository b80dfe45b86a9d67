"""A single run and a one-draw sweep at the central values give identical numbers (issue 11).

``analyze`` (a batch of one) and ``uncertainty.pipeline.evaluate`` (a batch of draws) call the
same kernels for coverage, acceptance and institutions; this property keeps it so on random
scenarios that exercise every territorial term, every institution rule and exact ties.
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings

from ceasefire.analysis import analyze
from ceasefire.scenario import from_dict
from ceasefire.uncertainty.pipeline import (
    COVERAGE_OUTPUTS,
    SweepSpec,
    compile_model,
    evaluate_central,
)
from tests.property.strategies import scenarios


def _same(single: float | None, swept: float) -> bool:
    """Equal to the last bit; a single run reports NaN (e.g. an undeterrable game) as None."""
    return math.isnan(swept) if single is None else single == swept


@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_single_run_equals_a_one_draw_sweep(raw):
    scenario = from_dict(raw, "random.toml")  # the strategy makes only valid scenarios
    a = analyze(scenario, engines=None, stages={"deterrence", "durability"})
    model = compile_model(scenario, SweepSpec(draws=1, seed=0, engines=()))
    o = evaluate_central(model)
    for k, p in enumerate(a.proposals):
        assert [p.acceptance[x].accepts for x in a.actors] == list(o["accepts"][0, k])
        assert [p.acceptance[x].margin for x in a.actors] == list(o["margin"][0, k])
        assert p.passes == bool(o["passes"][0, k])
        for r in model.requires[k]:
            rule = model.rules[r]
            assert p.institutions[rule.institution].passed == bool(o["institution_passes"][0, r])
        for name in COVERAGE_OUTPUTS:
            assert getattr(p.coverage, name) == o[name][0, k], name
        if p.deterrence is not None:
            assert _same(p.deterrence.p_hold.central, o["det.p_hold"][0, k])
        else:
            assert "det.p_hold" not in o
        assert p.durability is not None
        assert _same(p.durability.p_breakdown_5y.central, o["dur.p_breakdown_5y"][0, k])
