"""The historical case ``bucharest-2008``: what the scenario validator does not check.

Pure ``tomllib`` on the shipped text (independent of the scenario schema), so it holds before
and after the ``[[observed]]`` table joins the format:

- every source key cited anywhere names a ``[[sources]]`` entry, and every entry has a
  ``published`` date;
- no input rests on hindsight: every key cited outside ``[[observed]]`` was published on or
  before ``as_of``; a source published later is marked HINDSIGHT and serves observed rows only;
- the observed rows follow the contract of the scenario format (``OBSERVED.md``): kinds, their
  fields, and references to existing proposals, institutions, actors and sources.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from datetime import date
from importlib import resources
from typing import Any

import pytest

CASE = "bucharest-2008"
KEY = re.compile(r"\bS_[A-Z0-9_]+\b")
COMMON = {"id", "kind", "proposal", "source", "date", "note"}
KIND_FIELDS = {
    "decision": {"institution", "passed", "blockers"},
    "consent-bought": {"actors"},
    "held": {"start", "horizon_years", "held"},
    "attack-covered": {"start", "horizon_years", "attacked"},
}
KIND_REQUIRED = {
    "decision": {"passed"},
    "consent-bought": {"actors"},
    "held": {"start", "horizon_years", "held"},
    "attack-covered": {"start", "horizon_years", "attacked"},
}


@pytest.fixture(scope="module")
def case() -> dict[str, Any]:
    text = (resources.files("ceasefire.builtin") / f"{CASE}.toml").read_text("utf-8")
    return tomllib.loads(text)


def strings(value: Any) -> Iterator[str]:
    """Every string inside a TOML value (tables, arrays, inline tables)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def cited(value: Any) -> set[str]:
    return {k for s in strings(value) for k in KEY.findall(s)}


def sources(case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["key"]: s for s in case["sources"]}


def inputs(case: dict[str, Any]) -> dict[str, Any]:
    """Everything but the hindsight rows and the source list itself."""
    return {k: v for k, v in case.items() if k not in ("observed", "sources")}


def test_source_keys_are_unique_and_dated(case: dict[str, Any]) -> None:
    keys = [s["key"] for s in case["sources"]]
    assert len(keys) == len(set(keys))
    for s in case["sources"]:
        assert isinstance(s.get("published"), date), s["key"]
        assert s["citation"] and s["locator"], s["key"]


def test_every_cited_key_exists(case: dict[str, Any]) -> None:
    missing = cited(case) - set(sources(case))
    assert not missing


def test_every_source_is_used(case: dict[str, Any]) -> None:
    unused = set(sources(case)) - cited(inputs(case)) - cited(case.get("observed", []))
    assert not unused


def test_inputs_use_no_hindsight(case: dict[str, Any]) -> None:
    as_of = case["scenario"]["as_of"]
    by_key = sources(case)
    late = {k for k in cited(inputs(case)) if by_key[k]["published"] > as_of}
    assert not late
    for key, s in by_key.items():
        if s["published"] > as_of:
            assert "HINDSIGHT" in s.get("notes", ""), key


def test_every_input_row_is_sourced(case: dict[str, Any]) -> None:
    rows = [*case["actors"], *case["proposals"], *case["institutions"], case["status_quo"]]
    for row in rows:
        text = row.get("source") or row.get("rationale", "")
        assert KEY.search(text), row.get("id", "status_quo")
    for actor in case["actors"]:
        if actor.get("red_lines"):
            assert KEY.search(actor["red_line_source"]), actor["id"]


def test_institution_is_the_nac_of_26(case: dict[str, Any]) -> None:
    (nac,) = case["institutions"]
    assert nac["rule"] == "unanimity"
    assert len(nac["members"]) == len(set(nac["members"])) == 26
    actor_ids = {a["id"] for a in case["actors"]}
    assert set(nac["members"]) | {"GEO", "UKR", "RUS"} == actor_ids
    assert all(re.fullmatch(r"[A-Z]{3}", a) for a in actor_ids)  # ISO 3166 alpha-3


def test_observed_rows_follow_the_contract(case: dict[str, Any]) -> None:
    rows = case["observed"]
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    proposals = {p["id"] for p in case["proposals"]}
    institutions = {i["id"] for i in case["institutions"]}
    actors = {a["id"] for a in case["actors"]}
    for r in rows:
        kind = r["kind"]
        assert kind in KIND_FIELDS, r["id"]
        assert set(r) <= COMMON | KIND_FIELDS[kind], r["id"]
        assert KIND_REQUIRED[kind] <= set(r), r["id"]
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+", r["id"])
        assert r["proposal"] in proposals, r["id"]
        assert r["source"] in sources(case), r["id"]
        assert r.get("institution", next(iter(institutions))) in institutions, r["id"]
        assert set(r.get("blockers", [])) | set(r.get("actors", [])) <= actors, r["id"]
        if r.get("blockers"):
            assert r["passed"] is False, r["id"]
        if "horizon_years" in r:
            assert r["horizon_years"] > 0, r["id"]


def test_observed_rows_are_after_the_decision_moment(case: dict[str, Any]) -> None:
    as_of = case["scenario"]["as_of"]
    for r in case["observed"]:
        for field in ("date", "start"):
            if field in r:
                assert r[field] > as_of, r["id"]
        if "start" in r and "date" in r:
            assert r["date"] >= r["start"], r["id"]


def test_the_record_is_coded(case: dict[str, Any]) -> None:
    """The facts the case exists for: MAP refused by DEU and FRA, the promise adopted, the war."""
    by_id = {r["id"]: r for r in case["observed"]}
    refused = by_id["map-refused-bucharest"]
    assert (refused["proposal"], refused["passed"]) == ("map-both", False)
    assert set(refused["blockers"]) == {"DEU", "FRA"}
    adopted = by_id["promise-adopted-bucharest"]
    assert (adopted["proposal"], adopted["passed"]) == ("promise-no-map", True)
    war = by_id["georgia-status-quo-broke-6m"]
    assert war["held"] is False
    assert war["start"] <= war["date"] <= date(2008, 8, 12)
