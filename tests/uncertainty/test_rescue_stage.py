"""Rescues per draw in sweeps (issue 13): the ``rescues`` stage of the uncertainty pipeline."""

from __future__ import annotations

import numpy as np
import pytest

from ceasefire.scenario import loads
from ceasefire.scenario.io import builtin_text
from ceasefire.uncertainty.pipeline import SweepSpec, compile_model, evaluate, evaluate_central
from ceasefire.uncertainty.ranges import to_values, unit_sample


@pytest.fixture(scope="module")
def model():
    s = loads(builtin_text("ukraine-2024-11"))
    return compile_model(s, SweepSpec(draws=40, seed=5, engines=(), winsets=True))


def test_rescues_are_off_by_default(model) -> None:
    assert "rescue.exists" not in evaluate_central(model, engines=False, paths=False)


def test_central_rescue_is_the_single_runs(model) -> None:
    out = evaluate_central(model, engines=False, paths=False, rescues=True)
    k = model.proposal_ids.index("west-german-model")
    assert bool(out["rescue.exists"][0, k]) and not bool(out["passes"][0, k])
    # UKR's distance of the single run's rescue: alliance 60 -> 40 at weight 90 / 325
    assert out["rescue.distance"][0, k] == pytest.approx(20 * 90 / 325, abs=1e-4)


def test_share_of_rescuable_draws_and_agreement_with_winsets(model) -> None:
    """Over the drawn red lines the West German model is rescuable in some draws and not in
    others; a failing proposal is rescuable exactly when its chain's win-set is non-empty."""
    unit = unit_sample("lhs", len(model.inputs), 0, 40, np.random.SeedSequence(5), 5)
    out = evaluate(
        model,
        to_values(unit, model.inputs),
        seed=np.random.SeedSequence(0),
        engines=False,
        paths=False,
        winsets=True,
        rescues=True,
    )
    k = model.proposal_ids.index("west-german-model")
    exists, passes = out["rescue.exists"][:, k], out["passes"][:, k]
    assert 0 < exists.mean() < 1
    chain = model.chains[model.proposal_chain[k]][0]
    failing = ~passes
    assert np.array_equal(exists[failing], ~out[f"winset_empty.{chain}"][failing])
    assert np.all(out["rescue.distance"][passes, k] == 0)
    assert np.all(np.isnan(out["rescue.distance"][~exists, k]))
