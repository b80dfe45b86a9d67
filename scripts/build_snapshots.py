"""Generate the dated built-in snapshots ``src/ceasefire/builtin/ukraine-YYYY-MM.toml`` (issue 17).

Each snapshot is the flagship ``ukraine-2024-11`` (actors, dimensions, status quo, deterrence
and durability inputs, map, warnings: unchanged, a judgement stated in each scenario's
description) with what changed since as data:

* the line of contact: per-oblast shares held by Ukraine on the snapshot's DeepState day
  (``tests/data/ukraine-snapshots/control_shares.csv``, made by ``scripts/control_shares.py``);
  Crimea and Sevastopol stay 0 (their overlay residual is a coastline mismatch, as in the
  flagship); the range is the share +-1.5 points on front-line units (judgement: trackers'
  overlays differ by 1-2 points, ukraine-2024-11/ukraine_regions.csv);
* the proposals then on the table (``proposals.csv``) with their per-unit territorial terms
  (``unit_terms.csv``): sources dated by the snapshot's ``as_of``, positions judgement on the
  flagship's anchors;
* the institutions the 2025 agenda needs (EU unanimity on sanctions, Ukraine's referendum, US
  sanctions relief, troop contributors' parliaments);
* the sources: the flagship's plus ``sources.csv``; a source published after ``as_of`` is
  marked ``hindsight`` only where an input cites it (the flagship's own hindsight sources).

Ukraine's Kursk salient is left out of every snapshot: it was being retaken in March 2025 (no
dated area was read) and gone by the summer (judgement). Run ``uv run python
scripts/build_snapshots.py``; ``tests/unit/test_snapshots.py`` checks the files agree.
"""

from __future__ import annotations

import csv
import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

from ceasefire.scenario import dumps

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "ukraine-snapshots"
BUILTIN = ROOT / "src" / "ceasefire" / "builtin"
DIMS = ("alliance", "sovereignty", "ceasefire", "sanctions")

#: snapshot -> (as_of, DeepState day of its line, title, what happened)
SNAPSHOTS: dict[str, tuple[dt.date, str, str, str]] = {
    "2025-03": (
        dt.date(2025, 3, 14),
        "20250311",
        "After Jeddah: the 30-day ceasefire Ukraine accepted, March 2025",
        "Jeddah, 11 Mar 2025: Ukraine accepts a US proposal for an immediate 30-day ceasefire "
        "subject to Russia's acceptance; Russia keeps its June 2024 terms.",
    ),
    "2025-06": (
        dt.date(2025, 6, 3),
        "20250602",
        "Istanbul talks and Russia's memorandum, June 2025",
        "Istanbul, 2 Jun 2025: Russia hands over a memorandum (settlement terms; two ceasefire "
        "options, one a truce with no arms deliveries or foreign forces); Ukraine proposes an "
        "unconditional ceasefire and guarantees.",
    ),
    "2025-11": (
        dt.date(2025, 11, 30),
        "20251120",
        "The US 28-point plan, its Geneva successor and the European counter-proposal, "
        "November 2025",
        "20-24 Nov 2025: the US 28-point plan (territory per unit, army cap, no NATO), the "
        "US-Ukraine Geneva framework (19 points) and the E3 counter-proposal.",
    ),
    "2026-01": (
        dt.date(2026, 1, 31),
        "20260123",
        "The Paris declaration and the first trilateral talks, January 2026",
        "The 20-point framework (24 Dec 2025), the coalition of the willing's Paris declaration "
        "(6 Jan 2026) and the first US-Russia-Ukraine talks in Abu Dhabi (23-24 Jan 2026), "
        "where Russia demanded all of Donbas.",
    ),
}

#: EU member states among the flagship's actors (TEU Art. 31 unanimity; S_TEU_31)
EU_MEMBERS = [
    "FRA",
    "DEU",
    "POL",
    "EST",
    "LVA",
    "LTU",
    "FIN",
    "SWE",
    "DNK",
    "NLD",
    "BEL",
    "LUX",
    "CZE",
    "ROU",
    "BGR",
    "HRV",
    "SVN",
    "SVK",
    "HUN",
    "GRC",
    "PRT",
    "ESP",
    "ITA",
]

INSTITUTIONS: list[dict[str, Any]] = [
    {
        "id": "ukraine-referendum",
        "name": "All-Ukrainian referendum on a change of territory (Constitution Art. 73); "
        "precondition: martial law lifted or a ceasefire long enough to hold it (60 days in "
        "the 20-point framework)",
        "rule": "all",
        "members": ["UKR"],
        "source": "S_UA_CONST_73; the public's vote is stood in for by the UKR actor (judgement)",
    },
    {
        "id": "eu-sanctions",
        "name": "EU Council unanimity to lift or change sanctions (TEU Art. 31)",
        "rule": "unanimity",
        "members": EU_MEMBERS,
        "source": "S_TEU_31",
    },
    {
        "id": "us-sanctions-relief",
        "name": "US sanctions relief subject to congressional review (CAATSA sec. 216)",
        "rule": "all",
        "members": ["USA"],
        "source": "S_CAATSA_216; Congress stood in for by the USA actor (judgement)",
    },
]
TROOPS = {
    "id": "troop-contributors",
    "name": "National (parliamentary) approval of the states leading the multinational force",
    "rule": "all",
    "members": ["GBR", "FRA"],
    "source": "S_PARIS_2026_01 (parliamentary approval needed in most coalition countries); "
    "each state's acceptance stands in for its parliament (judgement)",
}


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def flagship() -> dict[str, Any]:
    return tomllib.loads((BUILTIN / "ukraine-2024-11.toml").read_text(encoding="utf-8"))


def territory(units: list[dict[str, Any]], day: str) -> list[dict[str, Any]]:
    """The flagship's units of Ukraine with the snapshot day's control shares."""
    shares = {
        r["iso_3166_2"]: float(r[f"gov_control_pct_{day}"]) / 100
        for r in rows("control_shares.csv")
    }
    out = []
    for u in units:
        if u.get("belongs_to") == "aggressor":
            continue
        c = 0.0 if u["code"] in ("UA-40", "UA-43") else round(shares[u["code"]], 4)
        lo, hi = (max(0.0, c - 0.015), min(1.0, c + 0.015)) if 0 < c < 1 else (c, c)
        out.append(
            {
                **u,
                "controlled_share": c,
                "controlled_share_range": [round(lo, 4), round(hi, 4)],
                "source": f"S_AREA; S_POP22; S_POP14; S_DS_{day}; S_NE_GEOM -- share held "
                f"on {day[:4]}-{day[4:6]}-{day[6:]} by this project's overlay; range +-1.5 "
                "points on front-line units (judgement)",
            }
        )
    return out


def proposals(snapshot: str) -> list[dict[str, Any]]:
    terms = [t for t in rows("unit_terms.csv") if t["snapshot"] == snapshot]
    out = []
    for r in (p for p in rows("proposals.csv") if p["snapshot"] == snapshot):
        p: dict[str, Any] = {"id": r["id"], "label": r["label"], "proposer": r["proposer"]}
        p |= {k: r[k] for k in ("invitation", "guarantee", "territory")}
        p["mechanisms"] = [m for m in r["mechanisms"].split(";") if m]
        p["ceasefire_before_accession"] = r["ceasefire_before_accession"]
        p["position"] = {d: float(r[d]) for d in DIMS}
        p["requires"] = [i for i in r["requires"].split(";") if i]
        p["rationale"] = f"{r['rationale']} Sources: {r['sources']}."
        own = [t for t in terms if t["proposal"] == r["id"]]
        if own:
            p["unit_terms"] = [_unit_term(t) for t in own]
        out.append(p)
    return out


def _unit_term(t: dict[str, str]) -> dict[str, Any]:
    row: dict[str, Any] = {"unit": t["unit"], "term": t["term"], "part": t["part"]}
    row["share"] = float(t["share"])
    if t["administered_by"]:
        row["administered_by"] = t["administered_by"]
    row["source"] = t["source"]
    return row


def sources(base: list[dict[str, Any]], as_of: dt.date) -> list[dict[str, Any]]:
    """The flagship's sources (hindsight kept only where still after as_of) and the new ones
    published by as_of (later ones are left out: a later snapshot has them)."""
    out = []
    for s in base:
        s = dict(s)
        if s.get("hindsight") and s["published"] <= as_of:
            del s["hindsight"]
        out.append(s)
    for r in rows("sources.csv"):
        published = dt.date.fromisoformat(r["published"])
        if published > as_of:
            continue
        s = {"key": r["key"], "citation": r["citation"]}
        s |= {k: r[k] for k in ("locator", "archived", "kind") if r[k]}
        s["published"] = published
        if r["notes"]:
            s["notes"] = r["notes"]
        out.append(s)
    return out


#: the snapshots that carry the 2025 agenda's dimensions (issue 17): the moments whose plans
#: state an army cap, foreign forces, arms deliveries during a truce and a guarantee's strength
NEW_DIMENSION_SNAPSHOTS = ("2025-11", "2026-01")


def _anchors(text: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in text.split("|"))


def add_dimensions(raw: dict[str, Any], snapshot: str) -> None:
    """The four new dimensions: scales, the no-deal point, every actor's position and
    salience (``actors_new_dimensions.csv``; ``*``: the rule for the others) and every
    proposal's position (``proposals_new_dimensions.csv``)."""
    dims = rows("new_dimensions.csv")
    for d in dims:
        raw["dimensions"].append(
            {
                "id": d["id"],
                "name": d["name"],
                "description": f"Sources: {d['sources']}.",
                "anchors": _anchors(d["anchors"]),
            }
        )
        raw["status_quo"]["position"][d["id"]] = float(d["status_quo"])
    coding = {r["id"]: r for r in rows("actors_new_dimensions.csv")}
    for a in raw["actors"]:
        r = coding.get(a["id"], coding["*"])
        for d in dims:
            a["position"][d["id"]] = float(r[d["id"]])
            a["salience"][d["id"]] = float(r[f"sal_{d['id']}"])
        if r["red_lines"]:
            a["red_lines"] = [*a.get("red_lines", []), r["red_lines"]]
        a["source"] = f"{a.get('source', '')} | 2025 dimensions: {r['sources']}"
    positions = {
        r["id"]: r for r in rows("proposals_new_dimensions.csv") if r["snapshot"] == snapshot
    }
    for p in raw["proposals"]:
        r = positions[p["id"]]
        for d in dims:
            p["position"][d["id"]] = float(r[d["id"]])
        p["rationale"] += f" 2025 dimensions: {r['sources']}."


def build(snapshot: str) -> str:
    as_of, day, title, what = SNAPSHOTS[snapshot]
    raw = flagship()
    raw["scenario"] = {
        **raw["scenario"],
        "id": f"ukraine-{snapshot}",
        "title": title,
        "as_of": as_of,
        "description": f"{what} Derived from ukraine-2024-11: actors' positions, saliences, "
        "capabilities, war costs and red lines, the status quo and the deterrence and "
        "durability inputs are the flagship's (judgement: unchanged); new data are the line "
        "of contact and the proposals' texts; new judgement is the coding of each proposal "
        "on the scales (scripts/build_snapshots.py).",
    }
    raw["territory"] = territory(raw["territory"], day)
    raw["proposals"] = proposals(snapshot)
    raw["institutions"] = [
        *raw["institutions"],
        *INSTITUTIONS,
        *([TROOPS] if snapshot >= "2026-01" else []),
    ]
    raw["sources"] = sources(raw["sources"], as_of)
    if snapshot in NEW_DIMENSION_SNAPSHOTS:
        add_dimensions(raw, snapshot)
    header = (
        f"# Generated by scripts/build_snapshots.py from tests/data/ukraine-snapshots/ and "
        f"ukraine-2024-11.toml.\n# Do not edit by hand. Snapshot {snapshot}, as of "
        f"{as_of.isoformat()}."
    )
    return dumps(raw, header)


def main() -> None:
    for snapshot in SNAPSHOTS:
        path = BUILTIN / f"ukraine-{snapshot}.toml"
        path.write_text(build(snapshot), encoding="utf-8")
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
