"""The [[observed]] rows of a historical case and dated sources (docs/specs/observed.md)."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from ceasefire.scenario import (
    ObservedAttackCovered,
    ObservedConsentBought,
    ObservedDecision,
    ObservedHeld,
    ScenarioError,
    dumps,
    loads,
)

CASE = """
[scenario]
id = "edc-1954"
title = "The European Defence Community before the French vote"
as_of = 1954-08-01

[[dimensions]]
id = "integration"

[status_quo]
position = { integration = 20 }

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
blockers = ["FRA"]
date = 1954-08-30
source = "S_ASSEMBLEE_1954"

[[observed]]
id = "frg-bought"
kind = "consent-bought"
proposal = "edc"
actors = ["FRG"]
source = "S_ASSEMBLEE_1954"
note = "illustrative row"

[[observed]]
id = "held-5y"
kind = "held"
proposal = "edc"
start = 1954-08-30
horizon_years = 5.0
held = true
source = "S_ASSEMBLEE_1954"

[[observed]]
id = "no-attack"
kind = "attack-covered"
proposal = "edc"
start = 1955-05-09
horizon_years = 10
attacked = false
source = "S_ASSEMBLEE_1954"

[[sources]]
key = "S_ASSEMBLEE_1954"
citation = "Journal officiel, debates of the Assemblee nationale, 30 August 1954"
published = 1954-08-31
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        loads(text, "case.toml")
    return info.value.lines(located=True)


def test_a_valid_case_loads_every_kind():
    s = loads(CASE, "case.toml")
    kinds = [type(o) for o in s.observed]
    assert kinds == [ObservedDecision, ObservedConsentBought, ObservedHeld, ObservedAttackCovered]
    decision = s.observed[0]
    assert isinstance(decision, ObservedDecision)
    assert (decision.passed, decision.blockers, decision.date) == (
        False,
        ("FRA",),
        dt.date(1954, 8, 30),
    )
    assert s.sources[0].published == dt.date(1954, 8, 31)
    held = s.observed[2]
    assert isinstance(held, ObservedHeld) and held.horizon_years == 5.0
    assert s.scenario.as_of == dt.date(1954, 8, 1)


def test_a_case_round_trips_through_the_writer():
    raw = tomllib.loads(CASE)
    assert tomllib.loads(dumps(raw)) == raw
    assert loads(dumps(raw)) == loads(CASE)


SOURCE_LINE = 'source = "S_ASSEMBLEE_1954: the vote"'


def test_a_case_dates_every_source():
    undated = CASE.replace("published = 1954-08-31\n", "")
    assert problems(undated) == [
        "case.toml: sources[0].published: missing: a historical case dates every source "
        f"[line {_line(undated, '[[sources]]')}, id 'S_ASSEMBLEE_1954']"
    ]


def test_a_scenario_without_observed_rows_or_as_of_may_leave_sources_undated():
    plain = CASE[: CASE.index("[[observed]]")] + CASE[CASE.index("[[sources]]") :]
    undated = plain.replace("published = 1954-08-31\n", "")
    s = loads(undated.replace("as_of = 1954-08-01\n", ""))
    assert s.sources[0].published is None and s.observed == ()
    # with an as_of every source is dated: an undated one cannot be checked against it
    assert problems(undated) == [
        "case.toml: sources[0].published: missing: a scenario as of 1954-08-01 dates every "
        "source, so that each can be checked against that date "
        f"[line {_line(undated, '[[sources]]')}, id 'S_ASSEMBLEE_1954']"
    ]


INPUT_CITES_LATER = CASE.replace(
    "salience = { integration = 80 }",
    'salience = { integration = 80 }\nsource = "S_ASSEMBLEE_1954: the vote"',
)


def test_an_input_citing_a_later_source_is_located():
    # S_ASSEMBLEE_1954 appeared on 31 Aug 1954, after as_of (1 Aug): hindsight in an input
    assert problems(INPUT_CITES_LATER) == [
        "case.toml: actors[0].source: cites S_ASSEMBLEE_1954, published 1954-08-31, after "
        "as_of 1954-08-01: an input may use only sources available then (if intended, mark "
        f"the source hindsight = true) [line {_line(INPUT_CITES_LATER, SOURCE_LINE)}, "
        "id 'FRA']"
    ]


def test_observed_rows_may_cite_later_sources_and_marked_hindsight_may_be_used():
    assert loads(CASE).observed  # the rows cite the same late source: allowed
    marked = INPUT_CITES_LATER.replace(
        "published = 1954-08-31", "published = 1954-08-31\nhindsight = true"
    )
    assert loads(marked).sources[0].hindsight is True


def test_a_source_published_on_as_of_is_available():
    on_the_day = INPUT_CITES_LATER.replace("published = 1954-08-31", "published = 1954-08-01")
    assert loads(on_the_day).sources[0].published == dt.date(1954, 8, 1)


def _line(text: str, needle: str) -> int:
    """The 1-based line of the first occurrence of ``needle``."""
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'id = "frg-bought"',
            'id = "edc-assemblee"',
            "observed[1].id: duplicate id 'edc-assemblee'",
        ),
        (
            'proposal = "edc"\ninstitution',
            'proposal = "ecd"\ninstitution',
            "observed[0].proposal: unknown proposal 'ecd'",
        ),
        (
            'institution = "fra-parliament"',
            'institution = "senate"',
            "observed[0].institution: unknown institution 'senate'",
        ),
        (
            'blockers = ["FRA"]',
            'blockers = ["GBR"]',
            "observed[0].blockers[0]: unknown actor 'GBR'",
        ),
        (
            'actors = ["FRG"]',
            'actors = ["FRG", "ITA"]',
            "observed[1].actors[1]: unknown actor 'ITA'",
        ),
        (
            'passed = false\nblockers = ["FRA"]\ndate = 1954-08-30\nsource = "S_ASSEMBLEE_1954"',
            'passed = false\nblockers = ["FRA"]\ndate = 1954-08-30\nsource = "S_NOWHERE"',
            "observed[0].source: unknown source key 'S_NOWHERE'",
        ),
        ("passed = false", "passed = true", "observed[0].blockers: only with passed = false"),
        ("horizon_years = 5.0", "horizon_years = 0", "observed[2].horizon_years: must be > 0"),
        ("horizon_years = 10", "horizon_years = -1", "observed[3].horizon_years: must be > 0"),
        (
            "held = true",
            "held = true\nattacked = false",
            "observed[2].attacked: does not belong to kind 'held' (a field of 'attack-covered')",
        ),
        (
            'kind = "consent-bought"',
            'kind = "consent-bought"\npassed = true',
            "observed[1].passed: does not belong to kind 'consent-bought' (a field of 'decision')",
        ),
        ('kind = "held"', 'kind = "hold"', "observed[2].kind: unknown kind 'hold'"),
        ('kind = "held"\n', "", "observed[2].kind: missing (one of decision, consent-bought"),
        ("held = true\n", "", "observed[2].held: missing"),
    ],
)
def test_each_cross_check_is_located(old, new, expected):
    assert CASE.count(old) >= 1
    text = CASE.replace(old, new, 1)
    lines = problems(text)
    hits = [line for line in lines if line.startswith(f"case.toml: {expected}")]
    assert hits, lines
    # located: the row's id and the line of the field (or of the row's header)
    row = int(expected.split("[", 1)[1].split("]", 1)[0])
    headers = [n for n, line in enumerate(text.splitlines(), 1) if line == "[[observed]]"]
    assert "[line " in hits[0]
    line = int(hits[0].rsplit("[line ", 1)[1].split(",")[0].rstrip("]"))
    following = headers[row + 1] if row + 1 < len(headers) else len(text.splitlines()) + 1
    assert headers[row] <= line < following
    assert "id '" in hits[0]


def test_a_field_of_another_kind_is_reported_once():
    text = CASE.replace("held = true", "held = true\npassed = false")
    lines = [line for line in problems(text) if "observed[2].passed" in line]
    assert len(lines) == 1, lines


def test_the_line_points_at_the_field():
    text = CASE.replace('institution = "fra-parliament"', 'institution = "senate"')
    (hit,) = [line for line in problems(text) if "observed[0].institution" in line]
    line = _line(text, 'institution = "senate"')
    assert f"[line {line}, id 'edc-assemblee']" in hit
