"""The historical case ``minsk-2015`` keeps its sourcing contract (pure tomllib).

These checks are what the scenario validator does not do: every source a row cites exists and
carries a publication date; every source an *input* cites was published on or before
``as_of`` (only the ``[[observed]]`` rows may cite later, hindsight sources); the observed rows
name proposals, institutions and actors that exist. They read the TOML text directly, so they
do not depend on the scenario schema accepting ``[[observed]]`` or ``published`` yet.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from importlib import resources
from typing import Any

import pytest

CASE = "minsk-2015"
KEY = re.compile(r"\bS_[A-Z0-9_]+\b")
KINDS = {"decision", "consent-bought", "held", "attack-covered"}


@pytest.fixture(scope="module")
def case() -> dict[str, Any]:
    text = (resources.files("ceasefire.builtin") / f"{CASE}.toml").read_text("utf-8")
    return tomllib.loads(text)


def _keys(case: dict[str, Any]) -> set[str]:
    return {s["key"] for s in case["sources"]}


def _cited(value: Any) -> set[str]:
    """Every ``S_...`` key mentioned anywhere inside a TOML value (strings, tables, lists)."""
    if isinstance(value, str):
        return set(KEY.findall(value))
    if isinstance(value, dict):
        return set().union(*(_cited(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_cited(v) for v in value)) if value else set()
    return set()


def _input_citations(case: dict[str, Any]) -> set[str]:
    """Keys cited by the inputs: every table except the observed rows and the sources list."""
    return _cited({k: v for k, v in case.items() if k not in ("observed", "sources")})


def test_every_source_has_a_publication_date(case):
    for s in case["sources"]:
        assert isinstance(s.get("published"), dt.date), s["key"]
        assert s.get("citation") and s.get("locator"), s["key"]


def test_source_keys_are_unique(case):
    keys = [s["key"] for s in case["sources"]]
    assert len(keys) == len(set(keys))


def test_every_cited_source_exists(case):
    known = _keys(case)
    cited = _input_citations(case) | _cited(case["observed"])
    assert cited, "the case cites no source at all"
    assert cited <= known, sorted(cited - known)
    for row in case["observed"]:
        assert row["source"] in known, row["id"]


def test_inputs_use_only_sources_published_by_as_of(case):
    as_of = case["scenario"]["as_of"]
    published = {s["key"]: s["published"] for s in case["sources"]}
    late = {k for k in _input_citations(case) if published[k] > as_of}
    assert not late, f"inputs cite sources published after {as_of}: {sorted(late)}"


def test_some_observed_rows_use_hindsight(case):
    # the rows record what happened later; at least one source must postdate as_of
    as_of = case["scenario"]["as_of"]
    published = {s["key"]: s["published"] for s in case["sources"]}
    assert any(published[r["source"]] > as_of for r in case["observed"])


def test_every_actor_number_is_sourced_or_judgement(case):
    known = _keys(case)
    for a in case["actors"]:
        text = a.get("source", "")
        assert KEY.search(text) or "judgement" in text.lower(), a["id"]
        if a.get("red_lines"):
            rl = a.get("red_line_source", "")
            assert rl and (set(KEY.findall(rl)) & known or "judgement" in rl.lower()), a["id"]
    for u in case["territory"]:
        assert set(KEY.findall(u.get("source", ""))) & known, u["code"]


def test_observed_rows_name_existing_ids(case):
    proposals = {p["id"] for p in case["proposals"]}
    institutions = {i["id"] for i in case["institutions"]}
    actors = {a["id"] for a in case["actors"]}
    ids = [r["id"] for r in case["observed"]]
    assert len(ids) == len(set(ids))
    for r in case["observed"]:
        assert r["kind"] in KINDS, r["id"]
        assert r["proposal"] in proposals, r["id"]
        if "institution" in r:
            assert r["institution"] in institutions, r["id"]
        for actor in r.get("blockers", []) + r.get("actors", []):
            assert actor in actors, (r["id"], actor)
        if "blockers" in r:
            assert r["kind"] == "decision" and r["passed"] is False, r["id"]
        if r["kind"] in ("held", "attack-covered"):
            assert r["horizon_years"] > 0 and isinstance(r["start"], dt.date), r["id"]


def test_institution_members_and_requirements_exist(case):
    actors = {a["id"] for a in case["actors"]}
    institutions = {i["id"] for i in case["institutions"]}
    for i in case["institutions"]:
        assert set(i["members"]) <= actors, i["id"]
    for p in case["proposals"]:
        assert p["requires"] and set(p["requires"]) <= institutions, p["id"]


def test_the_adopted_deal_is_recorded(case):
    # Minsk II passed; the ceasefire of 15 Feb 2015 was broken within the first month
    rows = {r["id"]: r for r in case["observed"]}
    assert rows["minsk-ii-signed"]["passed"] is True
    one_month = rows["ceasefire-held-1m"]
    assert one_month["held"] is False
    assert one_month["start"] == dt.date(2015, 2, 15)
