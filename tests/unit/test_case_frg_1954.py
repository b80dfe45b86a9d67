"""The historical case frg-1954: sourcing rules the scenario validator does not check.

Pure tomllib on the built-in file's text, so it does not depend on the scenario schema's
support for ``[[observed]]`` rows and ``published`` dates (tests/data/cases/frg-1954/README.md):

- every source key cited anywhere exists, and every source has a ``published`` date;
- every source an input cites (actors, status quo, territory, proposals, institutions,
  deterrence) was published on or before ``as_of``, except the named later compilations of
  contemporaneous data, which must say so in their notes;
- the observed rows name existing proposals, institutions and actors, with fields fitting
  their kind (the [[observed]] contract of the case library).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest

CASE = "frg-1954"
KEY = re.compile(r"\bS_[A-Z0-9_]+\b")

#: Sources published after as_of that hold data dated before it (README, "Later compilations").
LATER_COMPILATIONS = frozenset({"S_COW_NMC", "S_BERLIN_1946", "S_SBZ_A_Z"})

#: The fields of each kind of observed row besides the common ones (OBSERVED.md).
COMMON = {"id", "kind", "proposal", "source", "date", "note"}
KIND_FIELDS = {
    "decision": {"institution", "passed", "blockers"},
    "consent-bought": {"actors"},
    "held": {"start", "horizon_years", "held"},
    "attack-covered": {"start", "horizon_years", "attacked"},
}


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


def _input_keys(case: dict[str, Any]) -> set[str]:
    """Source keys cited by the inputs: everything except [[observed]] and [[sources]]."""
    inputs = {k: v for k, v in case.items() if k not in ("observed", "sources")}
    return {m for s in _strings(inputs) for m in KEY.findall(s)}


def _sources(case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["key"]: s for s in case["sources"]}


def test_every_cited_source_exists(case):
    cited = {m for s in _strings(case) for m in KEY.findall(s)}
    keys = set(_sources(case))
    assert cited, "the case cites no source at all"
    assert cited <= keys, f"cited but not in [[sources]]: {sorted(cited - keys)}"


def test_every_source_has_a_publication_date(case):
    undated = [k for k, s in _sources(case).items() if not isinstance(s.get("published"), dt.date)]
    assert not undated


def test_inputs_use_only_sources_published_by_as_of(case):
    as_of = case["scenario"]["as_of"]
    sources = _sources(case)
    late = {
        k
        for k in _input_keys(case)
        if sources[k]["published"] > as_of and k not in LATER_COMPILATIONS
    }
    assert not late, f"inputs cite sources published after {as_of}: {sorted(late)}"


def test_later_compilations_are_declared_as_such(case):
    sources = _sources(case)
    for key in LATER_COMPILATIONS:
        assert "later compilation" in sources[key].get("notes", "").lower(), key


def test_observed_rows_name_existing_ids(case):
    proposals = {p["id"] for p in case["proposals"]}
    institutions = {i["id"] for i in case["institutions"]}
    actors = {a["id"] for a in case["actors"]}
    rows = case["observed"]
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert r["proposal"] in proposals, r["id"]
        if "institution" in r:
            assert r["institution"] in institutions, r["id"]
        assert set(r.get("blockers", [])) <= actors, r["id"]
        assert set(r.get("actors", [])) <= actors, r["id"]


def test_observed_rows_fit_their_kind(case):
    for r in case["observed"]:
        extra = set(r) - COMMON - KIND_FIELDS[r["kind"]]
        assert not extra, (r["id"], extra)
        if "blockers" in r:
            assert r["passed"] is False, r["id"]
        if "horizon_years" in r:
            assert r["horizon_years"] > 0, r["id"]


def test_observed_rows_cover_the_case(case):
    """The rows the case exists for: the EDC's blocker, the package's passage, the bought
    consent and the attack horizon."""
    by_id = {r["id"]: r for r in case["observed"]}
    assert by_id["edc-assemblee"]["blockers"] == ["FRA-AN"]
    assert by_id["frg-nato-accession"]["passed"] is True
    assert by_id["uk-commitment"]["kind"] == "consent-bought"
    assert by_id["no-soviet-attack-1955-1990"]["attacked"] is False
