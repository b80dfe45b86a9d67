"""The historical case nordic-2022: sourcing and the [[observed]] rows, checked with tomllib alone.

The scenario validator checks the format; this test checks what it does not: every source key a
row cites exists and carries a `published` date, every source an input cites was published on
or before `as_of` (only [[observed]] rows may cite hindsight), and the observed rows name the
scenario's own proposals, institutions and actors with the fields of their kind
(/work/wt/OBSERVED.md contract, issue 12 part 2). Pure tomllib, so it does not depend on the
schema helper's changes.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest

CASE = "nordic-2022"
KEY = re.compile(r"\bS_[A-Z0-9_]+\b")
ROW_FIELDS = {  # the fields each kind may carry besides id, kind, proposal, source, date, note
    "decision": {"institution", "passed", "blockers"},
    "consent-bought": {"actors"},
    "held": {"start", "horizon_years", "held"},
    "attack-covered": {"start", "horizon_years", "attacked"},
}
COMMON = {"id", "kind", "proposal", "source", "date", "note"}


@pytest.fixture(scope="module")
def case() -> dict[str, Any]:
    text = (resources.files("ceasefire.builtin") / f"{CASE}.toml").read_text("utf-8")
    return tomllib.loads(text)


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a TOML value (tables and arrays walked recursively)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _cited(value: Any) -> set[str]:
    return {k for s in _strings(value) for k in KEY.findall(s)}


def _input_citations(case: dict[str, Any]) -> set[str]:
    """Source keys cited by everything except the [[observed]] rows and the sources table."""
    inputs = {k: v for k, v in case.items() if k not in ("observed", "sources")}
    return _cited(inputs)


def test_every_cited_source_exists(case):
    keys = {s["key"] for s in case["sources"]}
    missing = _cited({k: v for k, v in case.items() if k != "sources"}) - keys
    assert not missing, f"cited but not in [[sources]]: {sorted(missing)}"


def test_every_source_is_cited_and_dated(case):
    keys = [s["key"] for s in case["sources"]]
    assert len(keys) == len(set(keys)), "duplicate source keys"
    uncited = set(keys) - _cited({k: v for k, v in case.items() if k != "sources"})
    assert not uncited, f"sources nobody cites: {sorted(uncited)}"
    for s in case["sources"]:
        assert isinstance(s.get("published"), dt.date), f"{s['key']}: no published date"
        assert s.get("citation") and s.get("locator"), f"{s['key']}: citation and locator needed"


def test_inputs_use_only_sources_published_by_as_of(case):
    as_of = case["scenario"]["as_of"]
    published = {s["key"]: s["published"] for s in case["sources"]}
    late = {k: published[k] for k in _input_citations(case) if published[k] > as_of}
    assert not late, f"inputs cite sources published after as_of {as_of}: {late}"


def test_hindsight_sources_are_cited_only_by_observed_rows(case):
    as_of = case["scenario"]["as_of"]
    later = {s["key"] for s in case["sources"] if s["published"] > as_of}
    assert later, "a case with no hindsight source has nothing to score"
    assert later <= _cited(case["observed"])


def test_observed_rows_name_existing_ids(case):
    proposals = {p["id"] for p in case["proposals"]}
    institutions = {i["id"] for i in case["institutions"]}
    actors = {a["id"] for a in case["actors"]}
    keys = {s["key"] for s in case["sources"]}
    ids = [r["id"] for r in case["observed"]]
    assert len(ids) == len(set(ids)), "duplicate observed ids"
    for r in case["observed"]:
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+", r["id"]), r["id"]
        assert r["kind"] in ROW_FIELDS, r["id"]
        assert set(r) <= COMMON | ROW_FIELDS[r["kind"]], f"{r['id']}: {set(r) - COMMON}"
        assert r["proposal"] in proposals, r["id"]
        assert r["source"] in keys, r["id"]
        if "institution" in r:
            assert r["institution"] in institutions, r["id"]
            proposal = next(p for p in case["proposals"] if p["id"] == r["proposal"])
            assert r["institution"] in proposal["requires"], r["id"]
        for a in r.get("blockers", []) + r.get("actors", []):
            assert a in actors, f"{r['id']}: unknown actor {a}"
        if "blockers" in r:
            assert r["passed"] is False, f"{r['id']}: blockers only with passed = false"
        if "horizon_years" in r:
            assert r["horizon_years"] > 0, r["id"]


def test_observed_rows_are_hindsight_and_blockers_are_members(case):
    as_of = case["scenario"]["as_of"]
    members = {i["id"]: set(i["members"]) for i in case["institutions"]}
    for r in case["observed"]:
        assert r.get("date", r.get("start", as_of)) >= as_of, r["id"]
        if "institution" in r:
            assert set(r.get("blockers", [])) <= members[r["institution"]], r["id"]


def test_horizons_end_at_the_stated_today(case):
    """attack-covered horizons run from accession to 2026-11-30, the case's 'today'."""
    today = dt.date(2026, 11, 30)
    for r in case["observed"]:
        if r["kind"] == "attack-covered":
            years = (today - r["start"]).days / 365.25
            assert r["horizon_years"] == pytest.approx(years, abs=0.01), r["id"]


def test_day_counts_in_notes_match_dates(case):
    """'N days after the protocol' in a note agrees with the row's date (protocols: 5 Jul 2022)."""
    protocols = dt.date(2022, 7, 5)
    checked = 0
    for r in case["observed"]:
        m = re.search(r"(\d+) days after", r.get("note", ""))
        if m:
            assert (r["date"] - protocols).days == int(m.group(1)), r["id"]
            checked += 1
    assert checked == 2  # one per accession


def test_every_input_row_has_a_source(case):
    for a in case["actors"]:
        assert a.get("source"), a["id"]
        if a.get("red_lines"):
            assert a.get("red_line_source"), f"{a['id']}: red line without its source"
    for t in case["territory"]:
        assert _cited(t["source"]), t["code"]
    for i in case["institutions"]:
        assert _cited(i["source"]), i["id"]
    assert _cited(case["status_quo"]["source"])
