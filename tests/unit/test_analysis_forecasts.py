"""Forecasts as the pipeline reports them (results.json ``forecasts``)."""

from __future__ import annotations

import json

import pytest

from ceasefire.analysis import analyze, run_forecasts
from ceasefire.importers import from_bdm
from ceasefire.scenario import dumps, loads


def test_every_engine_reports_the_issue_fields(builtin, builtin_analysis):
    fcs = builtin_analysis.forecasts
    assert [(f.engine, f.variant) for f in fcs] == [
        ("compromise", "mean"),
        ("compromise", "median"),
        ("nash", "quadratic"),
        ("bdm", "scholz2011"),
        ("smp", "default"),
    ]
    for f in fcs:
        assert f.dimensions == list(builtin.dimension_ids)
        assert f.actors == list(builtin.actor_ids)
        assert set(f.outcome) == set(f.dimensions)
        assert len(f.trajectory) == f.rounds + 1 or f.rounds == 0
        # round 0 is the input: every actor's position on every dimension
        for a, row in zip(builtin.actors, f.trajectory[0], strict=True):
            assert row == pytest.approx([a.position[d] for d in f.dimensions], abs=1e-9)
        assert f.nearest_proposal in {p.id for p in builtin.proposals}
    smp = fcs[-1]
    assert smp.probabilities is not None and set(smp.probabilities) == set(builtin.actor_ids)
    bdm = fcs[3]
    assert bdm.rounds == 10 and len(bdm.path) == 11
    assert bdm.outcome == bdm.path[-1]  # the final round's median


def test_json_and_rounds_option(builtin):
    fcs = run_forecasts(builtin, ("bdm",), rounds=3)[0]
    assert fcs[0].rounds == 3 and len(fcs[0].trajectory) == 4
    data = json.loads(analyze(builtin, draws=20, engines=("compromise",)).to_json())
    assert [f["engine"] for f in data["forecasts"]] == ["compromise", "compromise"]


def test_bdm_golden_case_through_the_importer(data_dir):
    """EC-10 imported as a scenario reproduces the replication's round-10 median."""
    import csv

    raw = from_bdm((data_dir / "bdm" / "ExampleActors.csv").read_text(), "ExampleActors.csv")
    s = loads(dumps(raw))
    f = run_forecasts(s, ("bdm",), rounds=10)[0][0]
    with (data_dir / "bdm" / "ExampleActors_positions_by_round.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    medians = [float(r["median"]) for r in rows]
    assert [p["issue"] for p in f.path] == pytest.approx(medians, abs=1e-9)
    for k, r in enumerate(rows):  # every actor's position in every round
        expected = [float(r[a.name]) for a in s.actors]
        assert [row[0] for row in f.trajectory[k]] == pytest.approx(expected, abs=1e-9)


def test_original_units_for_mapped_dimensions():
    text = "Actor,Capability,Position,Salience\nA,1,-50,0.5\nB,2,150,1\nC,1,50,0.2\n"
    s = loads(dumps(from_bdm(text, "wide.csv")))
    f = run_forecasts(s, ("compromise",))[0][0]
    x = f.outcome["issue"]
    assert f.outcome_original_units["issue"] == pytest.approx(-50 + 200 * x / 100)
