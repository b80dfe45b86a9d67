"""Win-sets of institution chains and rescues, as the pipeline reports them."""

from __future__ import annotations

import json
import re

import pytest

from ceasefire.analysis import analyze
from ceasefire.report import text
from ceasefire.scenario import builtin_text, loads


def test_west_german_model_rescue(builtin_analysis):
    p = builtin_analysis.proposal("west-german-model")
    r = p.rescue
    assert r is not None and r.rescuer == "UKR" and r.chain == "nato-accession+ukraine"
    assert r.point == pytest.approx(
        {"alliance": 40, "sovereignty": 50, "ceasefire": 60, "sanctions": 90}, abs=1e-6
    )
    assert r.moves["alliance"] == pytest.approx(-20, abs=1e-6)
    # UKR's salience-weighted city-block distance: 20 points at weight 90 / 325
    assert r.distance == pytest.approx(20 * 90 / 325, abs=1e-4)
    assert r.binding_actor in {"USA", "HUN", "SVK"}
    assert set(r.binding_actors) == {"USA", "HUN", "SVK"}
    assert "alliance moves from 60 to 40" in text.rescue_sentence(p)
    hun = next(c for c in p.single_actor_changes if c.actor == "HUN")
    assert hun.red_lines_crossed == ["alliance <= 40"] and hun.red_line_relaxed == {
        "alliance <= 40": 60.0
    }


def test_winsets_of_the_builtin(builtin_analysis):
    ws = {w.id: w for w in builtin_analysis.winsets}
    assert set(ws) == {"nato-accession+ukraine", "belligerents", "nato-accession+belligerents"}
    nato = ws["nato-accession+ukraine"]
    assert not nato.empty and len(nato.veto_players) == 33
    assert nato.extent["alliance"] == pytest.approx([40, 40], abs=1e-6)
    assert nato.volume_share == 0 and nato.volume_method == "degenerate"
    bell = ws["belligerents"]
    assert bell.empty and bell.conflicts == [["UKR", "RUS"]] and bell.center is None
    assert builtin_analysis.proposal("bare-ceasefire").rescue is None


def test_relaxed_red_lines_leave_a_utility_blocker():
    """Without the allies' alliance red lines the WGM fails on utility alone: its chain lacks
    Russia, so no war-cost credit (issue 13), and Hungary prefers the war's status quo."""
    toml = re.sub(r", red_line\.alliance = \[\d+, \d+\]", "", builtin_text("ukraine-2024-11"))
    toml = toml.replace('red_lines = ["alliance <= 40"]', 'red_lines = ["alliance <= 60"]')
    a = analyze(loads(toml), draws=20)
    p = a.proposal("west-german-model")
    assert not p.passes and p.blockers == ["HUN"]
    reason = p.blocker_reasons["HUN"]
    assert reason.label == "utility" and reason.red_lines == []
    assert reason.shortfall == pytest.approx(-p.acceptance["HUN"].margin) and reason.shortfall > 0
    nato = a.winset("nato-accession+ukraine")
    assert nato.volume_share > 0 and nato.extent["alliance"][1] == pytest.approx(60, abs=1e-6)


def test_json_fields(builtin_analysis):
    data = json.loads(builtin_analysis.to_json())
    p = next(p for p in data["proposals"] if p["id"] == "west-german-model")
    assert p["proposer"] == "UKR" and p["position"]["alliance"] == 60
    assert set(p["rescue"]) >= {"point", "moves", "rescuer", "distance", "binding_actor"}
    assert "HUN" in p["veto_players"]
    w = data["winsets"][0]
    assert set(w) >= {
        "id",
        "veto_players",
        "empty",
        "volume_share",
        "center",
        "extent",
        "conflicts",
    }


def test_nordic_plain_rescue_prices_the_soft_turkish_line() -> None:
    """Turkey's red line on its terms is soft (nordic-2022): the plain rescue prices it as the
    package does, instead of walling it and moving turkey_terms by the full 35 points."""
    from ceasefire.analysis import WINSET_STAGES

    a = analyze(loads(builtin_text("nordic-2022")), engines=None, stages=WINSET_STAGES)
    joint = a.proposal("joint-accession")
    r, pkg = joint.rescue, joint.package
    assert r is not None and pkg is not None and pkg.exists and not pkg.units
    assert 0 < r.moves["turkey_terms"] < 35 - 1
    # no side payment is bought, so the package is the plain rescue (same objective up to scale)
    assert r.point == pytest.approx(pkg.point, abs=1e-4)
    assert r.binding_actor == "TUR"
    for pid in ("finland-accession", "sweden-accession"):
        p = a.proposal(pid)
        assert p.rescue is not None and p.package is not None
        assert p.rescue.point == pytest.approx(p.package.point, abs=1e-4)


def test_salience_edge_sentence() -> None:
    from types import SimpleNamespace

    w = SimpleNamespace(
        id="a+b", empty=False, knife_edge=None, salience_edge=-12.5,
        salience_edge_actor="TUR", salience_edge_dimension="turkey_terms",
        salience_edge_value=37.5, salience_edge_empties=True,
    )  # fmt: skip
    line = text.knife_edge_sentence(w)
    assert line.startswith("a+b: no veto player's red line bounds it.")
    assert "TUR's salience of turkey_terms from 50 to 37.5 (-12.5) empties it." in line
    w.salience_edge = None
    assert text.salience_edge_sentence(w) == ""
