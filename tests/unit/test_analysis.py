"""The pipeline result: values, serialisation, pandas views."""

from __future__ import annotations

import json

import pytest

import ceasefire


def test_public_face(builtin):
    a = ceasefire.analyze(ceasefire.load("ukraine-2024-11"))
    assert a.proposal("west-german-model").coverage.invited_area_share == 1.0
    assert a.scenario.sha256 == ceasefire.analyze(builtin).scenario.sha256


def test_margin_by_hand(builtin_analysis):
    """HUN on the West German model, computed by hand from the scenario's numbers."""
    p = builtin_analysis.proposal("west-german-model")
    hun = p.acceptance["HUN"]
    # HUN ideal (15, 40, 30, 30), saliences (65, 35, 85, 75) sum 260; WGM (60, 50, 60, 90)
    u = -(65 * 45 + 35 * 10 + 85 * 30 + 75 * 60) / 260 / 100
    # status quo (40, 50, 0, 100), war cost 10.5 while fighting continues
    nd = -(65 * 25 + 35 * 10 + 85 * 30 + 75 * 70) / 260 / 100 - 0.105
    assert hun.utility == pytest.approx(u, abs=1e-12)
    assert hun.no_deal_utility == pytest.approx(nd, abs=1e-12)
    # the WGM's chain (NATO + Ukraine) lacks Russia: the war goes on after it, so its cost is
    # not credited to the deal (docs/specs/preferences.md, "Peace only counts when it comes")
    assert hun.war_after == pytest.approx(0.105, abs=1e-12)
    assert hun.margin == pytest.approx(u - 0.105 - nd, abs=1e-12)
    assert hun.margin < 0 and not hun.accepts  # worse than the war's status quo, and a red line
    assert [v.red_line for v in hun.red_line_violations] == ["alliance <= 40"]


def test_built_in_story(builtin_analysis):
    a = builtin_analysis
    wgm = a.proposal("west-german-model")
    assert not wgm.passes
    assert set(wgm.institutions["nato-accession"].blockers) == {"USA", "HUN", "SVK"}
    assert wgm.institutions["ukraine"].passed
    assert len(wgm.veto_players) == 33  # 32 allies and Ukraine
    assert a.proposal("bare-ceasefire").blockers == ["RUS"]
    assert "UKR" in a.proposal("russia-june-2024").blockers


def test_json_round_trip_and_frames(builtin_analysis):
    data = json.loads(builtin_analysis.to_json())
    assert data["dimensions"] == ["alliance", "sovereignty", "ceasefire", "sanctions"]
    assert len(data["proposals"]) == 6
    acc = builtin_analysis.acceptance_frame()
    assert len(acc) == 6 * 36
    assert set(acc.columns) >= {"proposal", "actor", "margin", "accepts"}
    cov = builtin_analysis.coverage_frame()
    assert cov.loc["west-german-model", "invited_area_share"] == 1.0
    inst = builtin_analysis.institutions_frame()
    assert set(inst["institution"]) == {"nato-accession", "ukraine", "belligerents"}
