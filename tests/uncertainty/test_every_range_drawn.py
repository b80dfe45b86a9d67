"""Every stated range is drawn by the sweep (durability.md §5, deterrence.md §4.4).

The extended guarantee game's own inputs, the [timeline] inputs, the hazard ratios of the
controls a scenario lists and each proposal's commitments' credibility and weight are ranged
inputs like any other: each is in the sweep's inputs, and moving it from its low to its high
end moves the outputs that read it (a test that fails when an input is listed but not wired).
"""

from __future__ import annotations

import numpy as np
import pytest

from ceasefire import durability as dur
from ceasefire import paths as pth
from ceasefire.deterrence import resolve
from ceasefire.deterrence.game import EXTENDED_PARAMETERS
from ceasefire.scenario import load
from ceasefire.uncertainty.pipeline import Model, SweepSpec, compile_model, evaluate
from ceasefire.uncertainty.ranges import central_values


def _model(sid: str) -> Model:
    return compile_model(load(sid), SweepSpec(draws=1, seed=0, engines=()))


def _ends(model: Model, key: str) -> dict[str, np.ndarray]:
    """The outputs with input ``key`` at its low end (row 0) and its high end (row 1)."""
    j = next(i for i, x in enumerate(model.inputs) if x.key == key)
    values = np.repeat(central_values(model.inputs)[None], 2, axis=0)
    values[:, j] = [model.inputs[j].low, model.inputs[j].high]
    return evaluate(model, values, seed=np.random.SeedSequence(3))


def test_the_built_in_lists_every_stated_range() -> None:
    scenario = load("ukraine-2024-11")
    keys = {x.key for x in _model("ukraine-2024-11").inputs}
    game = resolve.game_ranges(scenario)
    assert game is not None
    for name in EXTENDED_PARAMETERS:
        r = game[name]
        assert (f"guarantee_game.{name}" in keys) == (r.high > r.low), name
    for name, r in pth.timeline_ranges(scenario.timeline).items():
        assert (f"timeline.{name}" in keys) == (r.high > r.low), name
    assert scenario.timeline.controls
    for c in scenario.timeline.controls:
        assert f"control.{c}" in keys


@pytest.mark.parametrize("name", ["s", "rho", "cb", "kappa"])
def test_the_extended_games_inputs_move_its_outputs(name: str) -> None:
    out = _ends(_model("ukraine-2024-11"), f"guarantee_game.{name}")
    moved = [k for k in out if k.startswith("det.") and not np.allclose(out[k][0], out[k][1])]
    assert moved, name


def test_the_timeline_inputs_move_the_event_tree() -> None:
    model = _model("ukraine-2024-11")
    for key in ("timeline.power_shift", "timeline.power_sensitivity"):
        out = _ends(model, key)
        five = out["paths.p_survives.5"]
        assert not np.allclose(five[0], five[1]), key


def test_a_controls_ratio_scales_the_hazard() -> None:
    model = _model("ukraine-2024-11")
    x = next(x for x in model.inputs if x.key == "control.existential_stakes")
    out = _ends(model, x.key)
    hr = out["dur.hazard_ratio"]
    np.testing.assert_allclose(hr[1] / hr[0], x.high / x.low)
    assert dur.CONTROL_DEFAULTS["existential_stakes"].high == x.high


def test_a_commitments_credibility_and_weight_are_drawn() -> None:
    model = _model("ukraine-2025-11")
    keys = [x.key for x in model.inputs if x.kind == "commitment"]
    assert "proposals.us-28-point-plan.commitments.0.credibility" in keys
    k = model.proposal_ids.index("us-28-point-plan")
    for key in ("proposals.us-28-point-plan.commitments.0.credibility",
                "proposals.us-28-point-plan.commitments.0.weight"):  # fmt: skip
        p_hold = _ends(model, key)["det.p_hold"][:, k]
        assert p_hold[0] != pytest.approx(p_hold[1], abs=1e-9), key


def test_the_central_run_is_unchanged_by_the_ranges() -> None:
    # a batch of one at the central values gives the single run's game: the drawn inputs'
    # central values are the plan's
    model = _model("ukraine-2025-11")
    seed = np.random.SeedSequence(3)
    central = central_values(model.inputs)[None]
    out = evaluate(model, central, seed=seed)
    blank = compile_model(load("ukraine-2025-11"), SweepSpec(draws=1, seed=0, engines=()))
    keep = [i for i, x in enumerate(blank.inputs) if x.kind not in ("guarantee_game", "timeline",
            "control", "commitment")]  # fmt: skip
    fewer = Model(**{**blank.__dict__, "inputs": tuple(blank.inputs[i] for i in keep)})
    ref = evaluate(fewer, central[:, keep], seed=seed)
    for k in ("det.p_hold", "dur.hazard_ratio", "paths.p_survives.5"):
        np.testing.assert_allclose(out[k], ref[k], rtol=1e-12, err_msg=k)


def test_a_stated_distribution_is_kept() -> None:
    # a triangular range stated for an extended-game input is drawn triangular, like any other
    from ceasefire.scenario.io import builtin_text, loads
    from ceasefire.uncertainty.ranges import ranged_inputs

    text = builtin_text("ukraine-2024-11")
    old = "rho = { central = 0.5, range = [0.25, 1], "
    assert old in text
    scenario = loads(text.replace(old, old + 'distribution = "triangular", '))
    rho = next(x for x in ranged_inputs(scenario) if x.key == "guarantee_game.rho")
    assert rho.distribution == "triangular"
    kappa = next(x for x in ranged_inputs(scenario) if x.key == "guarantee_game.kappa")
    assert kappa.distribution == scenario.monte_carlo.distribution
