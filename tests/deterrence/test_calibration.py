"""Issue 14: the backcast, the flagship's extended outputs, and the calibration (§4.7)."""

from __future__ import annotations

import re
import tomllib
from functools import cache

import numpy as np
import pytest
from typer.testing import CliRunner

from ceasefire.analysis import analyze
from ceasefire.backtest.calibration import check, targets
from ceasefire.cli import app
from ceasefire.deterrence import DETERRENCE_DEFAULTS
from ceasefire.deterrence import calibrate as cal
from ceasefire.deterrence.game import EXTENDED_DEFAULTS
from ceasefire.results import Analysis
from ceasefire.scenario import Scenario, builtin_text, load
from ceasefire.scenario.checks import hindsight_inputs

CASES = ("ukraine-2024-11", "frg-1954", "bucharest-2008", "korea-1953")


@cache
def flagship() -> Analysis:
    return analyze(load("ukraine-2024-11"), draws=400, engines=None)


def test_status_quo_backcast_reproduces_the_observed_offensive() -> None:
    b = flagship().backcast
    assert b is not None
    assert b.phase == "during_fighting" and b.observed == "attack"
    assert b.p_keeps_attacking.central is not None and b.p_keeps_attacking.central > 0.5
    assert b.p_keeps_attacking.median is not None and b.p_keeps_attacking.median > 0.5
    assert b.reproduces is True


def test_flagship_deterrence_inputs_cite_no_source_after_as_of() -> None:
    raw = tomllib.loads(builtin_text("ukraine-2024-11"))
    late = hindsight_inputs(raw)
    for paths in late.values():
        assert not [p for p in paths if p.startswith(("deterrence", "guarantee_game"))]
    assert "S_DS_ANNUAL" not in DETERRENCE_DEFAULTS["p1"].basis
    assert "S_AFP_ISW_2024_10" in DETERRENCE_DEFAULTS["p1"].basis


def test_west_german_model_has_probe_protege_and_phase() -> None:
    det = flagship().proposal("west-german-model").deterrence
    assert det is not None and det.p_probe is not None and det.p_protege_moves is not None
    assert det.p_probe.central is not None and det.p_probe.central > 0.01
    assert det.conditions == ["renunciation_of_force"]
    other = det.alternatives["after_ceasefire"]
    assert det.sequence == "during_fighting"
    assert other.p_hold.central != pytest.approx(det.p_hold.central, abs=1e-6)
    assert other.p_protege_moves is not None
    assert other.p_protege_moves.central != pytest.approx(det.p_protege_moves.central, abs=1e-6)
    assert {c.parameter for c in det.curves} == {"c2", "s"}


def test_bilateral_package_and_durability_agree_in_direction() -> None:
    """The Paris-Declaration-like package of the review: bilateral guarantee, monitoring,
    peacekeepers, third-party guarantee. The game now credits the guarantee (P(hold) above the
    bare ceasefire's), as durability credits its mechanisms (breakdown below the bare one's)."""
    sc = load("ukraine-2024-11")
    bare = next(p for p in sc.proposals if p.id == "bare-ceasefire")
    package = bare.model_copy(
        update={
            "id": "paris-like",
            "guarantee": "bilateral",
            "mechanisms": ("monitoring", "peacekeepers", "third_party_guarantee"),
        }
    )
    scenario = Scenario.model_validate(
        sc.model_dump() | {"proposals": [*(p.model_dump() for p in sc.proposals), package]}
    )
    res = analyze(scenario, draws=400, engines=None)
    b, p = res.proposal("bare-ceasefire"), res.proposal("paris-like")
    assert b.deterrence is not None and p.deterrence is not None
    assert b.durability is not None and p.durability is not None
    assert p.deterrence.g > 0.9  # the bilateral guarantee covers the held territory
    assert p.deterrence.p_hold.central > b.deterrence.p_hold.central
    assert p.durability.p_breakdown_5y.central < b.durability.p_breakdown_5y.central


@cache
def fitted() -> object:
    return check([load(c) for c in CASES])[0]


def test_calibration_reproduces_every_observed_choice() -> None:
    res = fitted()
    assert res.converged  # type: ignore[attr-defined]
    cases = {t.case.split(":")[0] for t in res.targets}  # type: ignore[attr-defined]
    assert cases == set(CASES)
    for t in res.targets:  # type: ignore[attr-defined]
        assert t.probability_after > 0.5, t.case
        assert t.residual == pytest.approx(1.0 - t.probability_after)
    assert res.objective_after <= res.objective_before + 1e-12  # type: ignore[attr-defined]
    for p in res.parameters:  # type: ignore[attr-defined]
        assert p.low <= p.value <= p.high


def test_targets_of_the_cases() -> None:
    frg = targets(load("frg-1954"))
    assert [t.observed for t in frg] == ["no-attack-covered"]
    geo = targets(load("bucharest-2008"))
    assert [t.observed for t in geo] == ["attack"] and geo[0].g == 0.0
    sq = targets(load("ukraine-2024-11"))
    assert sq[0].observed == "attack" and sq[0].phase == 0.0


def test_objective_is_the_likelihood_plus_the_prior() -> None:
    ranges = dict(DETERRENCE_DEFAULTS) | dict(EXTENDED_DEFAULTS)
    t = cal.Target("x", "sq", "attack", 0.0, 0.0, 0.0, ranges)
    sl = cal.slots([t])
    theta = np.array([s.prior.central for s in sl])
    p = cal.probability(t, {"lam": 4.0, "c1": 0.15, "p1": 0.25})
    assert cal.objective(theta, [t], sl) == pytest.approx(-np.log(p), abs=1e-12)
    theta[0] += 4.5  # λ half-range 4.5: prior term 0.5
    p2 = cal.probability(t, {"lam": theta[0], "c1": 0.15, "p1": 0.25})
    assert cal.objective(theta, [t], sl) == pytest.approx(-np.log(p2) + 0.5, abs=1e-12)
    with pytest.raises(ValueError):
        cal.calibrate([])


def test_calibrate_cli_bad_input_exits_2() -> None:
    r = CliRunner().invoke(app, ["calibrate", "no-such-scenario.toml"])
    assert r.exit_code == 2
    assert "Traceback" not in r.output


def test_report_shows_the_backcast_beside_the_forecasts_and_the_curves() -> None:
    from ceasefire.report import html

    sc = load("ukraine-2024-11")
    page = html.render(flagship(), sc)
    part = page[page.index('id="guarantee-game"') :]
    assert "Status-quo backcast" in part and "reproduced" in part and "NOT" not in part[:1500]
    assert "P(protégé moves)" in part and "renunciation of force" in part
    assert 'id="game-curves"' in part
    assert "Calibration on observed choices" in part
    a = flagship()
    assert a.calibration is not None
    assert a.calibration.targets[0].probability_after > 0.5


def test_terminal_prints_probe_protege_and_backcast() -> None:
    from rich.console import Console

    from ceasefire.report import terminal

    console = Console(width=160, record=True)
    terminal.deterrence(flagship(), console)
    out = console.export_text()
    assert "P(probe)" in out and "P(protégé moves)" in out
    assert "Status-quo backcast" in out and "observed: attack — reproduced" in out


# ---- out of sample: leave one case out ---------------------------------------------------------


def _synthetic(case: str, observed: str, g: float) -> cal.Target:
    ranges = dict(DETERRENCE_DEFAULTS) | dict(EXTENDED_DEFAULTS)
    return cal.Target(case, "t", observed, g, 0.0, 0.0, ranges)


def test_held_out_uses_only_the_other_cases() -> None:
    """A case's out-of-sample λ is the fit on the other cases (loop reference), and does not
    move when that case's own observation is reversed; one case alone has no held-out check."""
    ts = [
        _synthetic("a", "attack", 0.0),
        _synthetic("b", "hold", 0.8),
        _synthetic("c", "attack", 0.1),
    ]
    held = cal.held_out(ts)
    assert [h.case for h in held] == ["a", "b", "c"]
    for h in held:
        rest = [t for t in ts if t.case != h.case]
        lam = cal.calibrate(rest).theta[0]
        assert h.lam == pytest.approx(lam, abs=1e-12)
        mine = [t for t in ts if t.case == h.case]
        assert list(h.after) == pytest.approx([cal.probability(t, {"lam": lam}) for t in mine])
        assert list(h.before) == pytest.approx([cal.probability(t, {}) for t in mine])
    flipped = [_synthetic("a", "hold", 0.0), *ts[1:]]
    assert cal.held_out(flipped)[0].lam == pytest.approx(held[0].lam, abs=1e-12)
    assert cal.held_out(flipped)[1].lam != pytest.approx(held[1].lam, abs=1e-6)
    assert cal.held_out(ts[:1]) == []


def test_calibrate_cli_reports_out_of_sample_scores() -> None:
    import json

    r = CliRunner().invoke(app, ["calibrate", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    oos = doc["out_of_sample"]
    assert len(oos["targets"]) == len(doc["targets"])
    losses = [-np.log(t["probability_out_of_sample"]) for t in oos["targets"]]
    assert oos["log_loss_out_of_sample"] == pytest.approx(float(np.mean(losses)))
    # the in-sample fit is at least as good as the out-of-sample prediction on these cases
    assert oos["log_loss_in_sample"] <= oos["log_loss_out_of_sample"] + 1e-9
    text = CliRunner().invoke(app, ["calibrate"], env={"COLUMNS": "80"}).output
    assert "Out of sample" in text and "mean log loss" in text
    # the inputs' labels, not the model's symbols (issue 18, item 7)
    assert "(λ)" in text
    assert re.search(r"\blam\b", text) is None
