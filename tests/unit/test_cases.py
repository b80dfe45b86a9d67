"""The library of historical cases (issue 12 §2): every built-in case is a complete, dated case.

What the scenario checks (``check_observed``, ``check_source_dates``) enforce on any file is
tested in ``test_observed.py``; here: that the shipped cases use them fully.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ceasefire.scenario import builtin_ids, load

DATA = Path(__file__).resolve().parents[1] / "data" / "cases"
CASES = tuple(i for i in builtin_ids() if load(i).observed)
#: the five cases issue 12 names
REQUIRED = {"frg-1954", "nordic-2022", "bucharest-2008", "minsk-2015", "korea-1953"}


def test_the_library_holds_the_five_cases() -> None:
    assert set(CASES) >= REQUIRED


@pytest.mark.parametrize("case_id", CASES)
def test_a_case_is_dated_sourced_and_documented(case_id: str) -> None:
    case = load(case_id)
    assert case.scenario.as_of is not None
    assert all(s.published is not None for s in case.sources)
    assert (DATA / case_id / "README.md").is_file()
    keys = {s.key for s in case.sources}
    assert {row.source for row in case.observed} <= keys


@pytest.mark.parametrize("case_id", CASES)
def test_a_case_records_decisions_and_an_outcome_in_time(case_id: str) -> None:
    kinds = {row.kind for row in load(case_id).observed}
    assert "decision" in kinds
    assert kinds & {"held", "attack-covered"}


@pytest.mark.parametrize("case_id", CASES)
def test_hindsight_sources_used_by_inputs_say_so(case_id: str) -> None:
    case = load(case_id)
    as_of = case.scenario.as_of
    assert as_of is not None
    for s in case.sources:
        if s.hindsight:
            assert s.published is not None and s.published > as_of, s.key
