"""``ceasefire.backtest.cases``: every row kind scored by hand on small synthetic cases."""

from __future__ import annotations

import math

import pytest

from ceasefire.analysis import analyze
from ceasefire.backtest.cases import (
    BASELINE_BRIER,
    BASELINE_LOG,
    RowScore,
    Scorecard,
    brier,
    log_score,
    run_cases,
    score_case,
    scorecard,
    stage_summary,
)
from ceasefire.results import Analysis, Interval, ProposalResult
from ceasefire.scenario import Scenario, builtin_ids, load, loads

# One dimension, no war: FRA (at 30) prefers the status quo (20) to the EDC (90) and rejects
# it, FRG (at 90) accepts. "nato" needs no institution, so it passes by construction.
CASE = """
[scenario]
id = "synthetic-edc"
title = "Synthetic EDC"
as_of = 1954-08-01

[[dimensions]]
id = "integration"

[status_quo]
position = { integration = 20 }
fighting = false

[[actors]]
id = "FRA"
capability = 30
position = { integration = 30 }
salience = { integration = 80 }

[[actors]]
id = "FRG"
capability = 20
position = { integration = 90 }
salience = { integration = 70 }

[[proposals]]
id = "edc"
position = { integration = 90 }
requires = ["fra-parliament"]

[[proposals]]
id = "nato"
position = { integration = 60 }

[[institutions]]
id = "fra-parliament"
rule = "all"
members = ["FRA"]

[[observed]]
id = "edc-assemblee"
kind = "decision"
proposal = "edc"
institution = "fra-parliament"
passed = false
blockers = ["FRA", "FRG"]
source = "S"

[[observed]]
id = "edc-fate"
kind = "decision"
proposal = "edc"
passed = true
source = "S"

[[observed]]
id = "nato-in-parliament"
kind = "decision"
proposal = "nato"
institution = "fra-parliament"
passed = true
source = "S"

[[observed]]
id = "fra-bought"
kind = "consent-bought"
proposal = "edc"
actors = ["FRA"]
source = "S"

[[observed]]
id = "nato-bought"
kind = "consent-bought"
proposal = "nato"
actors = ["FRG"]
source = "S"

[[observed]]
id = "held-5y"
kind = "held"
proposal = "edc"
start = 1954-08-30
horizon_years = 5.0
held = true
source = "S"

[[observed]]
id = "no-attack"
kind = "attack-covered"
proposal = "edc"
start = 1955-05-09
horizon_years = 10
attacked = false
source = "S"

[[sources]]
key = "S"
citation = "Synthetic record"
published = 1960-01-01
"""


@pytest.fixture(scope="module")
def case() -> tuple[Scenario, Analysis]:
    scenario = loads(CASE, "case.toml")
    return scenario, analyze(scenario)


def _rows(case: tuple[Scenario, Analysis]) -> dict[str, RowScore]:
    scenario, analysis = case
    return {r.id: r for r in score_case(scenario, analysis).rows}


def test_brier_and_log_score_by_hand() -> None:
    assert brier(0.8, True) == pytest.approx(0.04)
    assert brier(0.8, False) == pytest.approx(0.64)
    assert log_score(0.8, True) == pytest.approx(-math.log(0.8))
    assert log_score(0.8, False) == pytest.approx(-math.log(0.2))
    assert log_score(1.0, False) == pytest.approx(-math.log(1e-6))  # clipped, finite
    assert brier(0.5, True) == BASELINE_BRIER and log_score(0.5, False) == BASELINE_LOG


def test_decision_rows_and_blockers(case: tuple[Scenario, Analysis]) -> None:
    rows = _rows(case)
    inst = rows["edc-assemblee"]
    assert (inst.stage, inst.observed, inst.predicted, inst.hit) == (
        "consent",
        "failed",
        "failed",
        True,
    )
    # the record names FRA and FRG, the model FRA only: exact set missed, precision 1, recall 1/2
    blk = rows["edc-assemblee:blockers"]
    assert (blk.stage, blk.observed, blk.predicted, blk.hit) == (
        "blockers",
        "FRA, FRG",
        "FRA",
        False,
    )
    assert (blk.precision, blk.recall) == (1.0, 0.5)
    fate = rows["edc-fate"]
    assert (fate.predicted, fate.hit) == ("failed", False)
    assert "edc-fate:blockers" not in rows  # no blockers recorded, none scored
    # nato does not require the parliament: the model says nothing about that decision
    nato = rows["nato-in-parliament"]
    assert (nato.predicted, nato.hit) == ("not modelled", None)


def test_consent_bought_rows(case: tuple[Scenario, Analysis]) -> None:
    rows = _rows(case)
    assert (rows["fra-bought"].predicted, rows["fra-bought"].hit) == ("FRA", True)
    # nato passes as tabled: the model names nobody whose consent must be bought
    bought = rows["nato-bought"]
    assert (bought.stage, bought.predicted, bought.hit) == ("rescue", "none", False)
    assert (bought.precision, bought.recall) == (None, 0.0)


def test_held_row_is_the_weibull_survival_at_central_inputs(
    case: tuple[Scenario, Analysis],
) -> None:
    # no mechanism: HR = max(0.15, 1) = 1, and the prior p5_bare = 0.45 is P(breakdown by 5 y),
    # so S(5) = 1 - 0.45 = 0.55 whatever k is
    held = _rows(case)["held-5y"]
    assert held.probability == pytest.approx(0.55)
    assert held.brier == pytest.approx(0.45**2)
    assert held.log_score == pytest.approx(-math.log(0.55))
    assert (held.hit, held.outcome, held.horizon_years) == (True, True, 5.0)


def test_held_row_uses_the_hazard_ratio(case: tuple[Scenario, Analysis]) -> None:
    # HR = 0.5 at t = 5: S = exp(-0.5 (-ln 0.55)) = sqrt(0.55)
    scenario, analysis = case
    edc = analysis.proposal("edc")
    assert edc.durability is not None
    hr = edc.durability.hazard_ratio.model_copy(update={"central": 0.5})
    patched = _with_proposal(
        analysis,
        edc.model_copy(
            update={"durability": edc.durability.model_copy(update={"hazard_ratio": hr})}
        ),
    )
    rows = {r.id: r for r in score_case(scenario, patched).rows}
    assert rows["held-5y"].probability == pytest.approx(math.sqrt(0.55))


def _with_proposal(analysis: Analysis, proposal: ProposalResult) -> Analysis:
    proposals = [proposal if p.id == proposal.id else p for p in analysis.proposals]
    return analysis.model_copy(update={"proposals": proposals})


def test_attack_covered_row(case: tuple[Scenario, Analysis]) -> None:
    scenario, analysis = case
    # no aggressor: no guarantee game, the row is not modelled
    assert _rows(case)["no-attack"].predicted == "not modelled"
    # a game result with P(attack on covered) = 0.2, against no attack: Brier 0.04, log -ln 0.8
    korea = load("korea-1953")
    game = analyze(korea).proposals[0].deterrence
    assert game is not None
    p = Interval(central=0.2, median=0.2, p05=0.1, p95=0.3)
    edc = analysis.proposal("edc").model_copy(
        # issue 14: a probe counts as an attack on covered territory; none here
        update={"deterrence": game.model_copy(update={"p_attack_covered": p, "p_probe": None})}
    )
    rows = {r.id: r for r in score_case(scenario, _with_proposal(analysis, edc)).rows}
    row = rows["no-attack"]
    assert (row.stage, row.probability, row.hit, row.outcome) == ("deterrence", 0.2, True, False)
    assert row.brier == pytest.approx(0.04) and row.log_score == pytest.approx(-math.log(0.8))


def test_stage_summaries_per_case_and_pooled(case: tuple[Scenario, Analysis]) -> None:
    scenario, analysis = case
    one = score_case(scenario, analysis)
    stages = {s.stage: s for s in one.stages}
    assert (stages["consent"].n, stages["consent"].scored, stages["consent"].hits) == (3, 2, 1)
    assert (stages["blockers"].hits, stages["rescue"].hits) == (0, 1)
    assert stages["durability"].brier == pytest.approx(0.2025)
    assert stages["deterrence"].brier is None and stages["deterrence"].scored == 0
    assert stage_summary(stages["consent"]) == "1 of 2 right (1 not modelled)"
    # (0.55 - 1)² = 0.2025 prints as 0.202 (binary 0.20249...); -ln 0.55 = 0.598
    assert stage_summary(stages["durability"]) == "1 of 1 right; Brier 0.202, log 0.598 (n = 1)"
    pooled = scorecard([one, one])
    assert {s.stage: (s.n, s.hits) for s in pooled.stages}["consent"] == (6, 2)


def test_json_round_trip(case: tuple[Scenario, Analysis]) -> None:
    scenario, analysis = case
    sc = scorecard([score_case(scenario, analysis)], "9.9")
    assert Scorecard.model_validate_json(sc.model_dump_json()) == sc


@pytest.mark.slow  # several seconds (README: the quick subset leaves it out)
def test_the_shipped_cases_are_scored_structurally() -> None:
    """Every built-in case with observed rows scores every row; the hits are findings."""
    ids = [sid for sid in builtin_ids() if load(sid).observed]
    assert {"frg-1954", "nordic-2022", "bucharest-2008", "minsk-2015", "korea-1953"} <= set(ids)
    sc = run_cases([load(sid) for sid in ids])
    assert [c.case for c in sc.cases] == ids
    for c, sid in zip(sc.cases, ids, strict=True):
        observed = {o.id for o in load(sid).observed}
        assert {r.id.split(":")[0] for r in c.rows} == observed
        for r in c.rows:
            if r.stage in ("durability", "deterrence") and r.probability is not None:
                assert 0.0 <= r.probability <= 1.0 and r.brier is not None
    assert sum(s.n for s in sc.stages) == sum(len(c.rows) for c in sc.cases)


def test_decisions_carry_p_pass_over_the_draws() -> None:
    # no input of the synthetic case has a range: every draw is the central run, so
    # P(pass) is 0 for the EDC (FRA rejects), and the Brier score of each row is 0 or 1
    sc = run_cases([loads(CASE, "case.toml")])
    rows = {r.id: r for r in sc.cases[0].rows}
    assert (rows["edc-assemblee"].probability, rows["edc-assemblee"].brier) == (0.0, 0.0)
    assert (rows["edc-fate"].probability, rows["edc-fate"].brier) == (0.0, 1.0)
    assert rows["edc-fate"].log_score == pytest.approx(-math.log(1e-6))
    assert rows["nato-in-parliament"].probability is None  # not among nato's institutions
    consent = {s.stage: s for s in sc.stages}["consent"]
    assert (consent.n_probability, consent.brier) == (2, 0.5)
    assert run_cases([loads(CASE, "case.toml")], sweep=False).cases[0].rows[0].probability is None


def test_a_pass_after_bought_consent_is_still_a_miss_but_says_so(
    case: tuple[Scenario, Analysis],
) -> None:
    # edc-fate: passed in the record, failed as tabled; fra-bought records FRA's consent bought
    row = _rows(case)["edc-fate"]
    assert row.hit is False
    assert row.note.endswith("passed after consent was bought (fra-bought): as tabled")
    assert "bought" not in _rows(case)["edc-assemblee"].note  # a hit: nothing to explain
