"""Build the built-in scenario TOML files from the sourced CSVs in tests/data/ukraine-2024-11/.

Run from the repository root: ``python scripts/build_builtin.py``. The generated files are
committed as package data; ``tests/unit/test_builtin.py`` checks that they still agree with the
CSVs number by number, so an edit to either side that the other does not follow fails CI.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "ukraine-2024-11"
OUT = ROOT / "src" / "ceasefire" / "builtin"

DIMS = ("alliance", "sovereignty", "ceasefire", "sanctions")

# Anchors copied from dimensions.md (the scale points of each dimension).
ANCHORS = {
    "alliance": (
        "Ukraine's security arrangement after the war",
        {
            0: "Permanent neutrality written into a treaty, caps on Ukraine's armed forces, "
            "no foreign forces or Western arms",
            20: "Permanent neutrality, no caps, Western arms allowed",
            40: "Bilateral security commitments (arms, training, sanctions) without any "
            "mutual-defence obligation; NATO door formally open but no invitation",
            60: "NATO invitation covering all of Ukraine within its recognised borders, "
            "Article 5 applied only to territory under Kyiv's control (the 'West German model')",
            80: "NATO membership with Article 5 over all recognised territory, phased in or "
            "made conditional",
            100: "Immediate full NATO membership, Article 5 over all recognised territory",
        },
    ),
    "sovereignty": (
        "Status of the territory Russia occupies or claims",
        {
            0: "Ukraine recognises de jure Russia's annexation of Crimea and all four oblasts "
            "Russia claims, including the parts it does not occupy, and withdraws from them",
            25: "De jure recognition of Russian sovereignty over the territory Russia occupies now",
            50: "De facto freeze on the line of contact; no recognition, Ukraine keeps its claim "
            "and renounces force to change the line",
            75: "Freeze plus negotiated return of some territory (e.g. the ZNPP area, parts of "
            "Kharkiv/Kherson)",
            100: "Full restoration of Ukraine's 1991 borders",
        },
    ),
    "ceasefire": (
        "How and when fighting stops",
        {
            0: "No ceasefire: fighting continues until one side's terms are met",
            30: "Unmonitored ceasefire on the line of contact",
            60: "Monitored ceasefire with a demilitarised zone",
            100: "Ceasefire with demilitarised zone, international peacekeeping force and a "
            "verification mechanism with snap-back",
        },
    ),
    "sanctions": (
        "Western sanctions on Russia",
        {
            0: "All sanctions lifted at once, frozen assets returned",
            50: "Phased relief tied to compliance",
            100: "Sanctions kept or tightened; frozen assets used for Ukraine",
        },
    ),
}

# Units Russia claims as its own in their administrative borders (Crimea and Sevastopol since
# 2014; Donetsk, Luhansk, Zaporizhzhia, Kherson since 30 Sep 2022); Putin's terms of
# 14 Jun 2024 demand withdrawal from all of them (source S_PUTIN_2024_06).
CLAIMED = {"UA-09", "UA-14", "UA-23", "UA-65", "UA-40", "UA-43"}

# Institutions each proposal needs. Judgement: an invitation needs NATO's unanimous decision
# and Ukraine's acceptance; any term that Russia must carry out (a ceasefire it signs, a
# withdrawal, recognition) needs both belligerents. The West German model and the
# controlled-only invitation are offers NATO and Ukraine can make without Russia's signature:
# Russia's answer to them is modelled by the guarantee game, not as a veto.
REQUIRES = {
    "west-german-model": ["nato-accession", "ukraine"],
    "controlled-only-invitation": ["nato-accession", "ukraine"],
    "bare-ceasefire": ["belligerents"],
    "vance-plan": ["belligerents"],
    "russia-june-2024": ["belligerents"],
    "full-membership-restoration": ["nato-accession", "belligerents"],
}


# This scenario's wording of three analyst warnings: the engine's sentences are generic; the
# analogy (the GDR and the FRG in 1955), the "NATO dilemma" and Ukraine's legal procedure for
# a cession are this conflict's. Fields: ceasefire.scenario.WARNING_FIELDS.
WARNING_TEXTS = {
    "partial-guarantee": (
        "All recognised territory is invited, but collective defence covers only the "
        "{guaranteed_area:.1%} under government control; {unguaranteed_area:.1%} is claimed but "
        "unprotected, as the GDR was for the FRG in 1955.",
        "judgement: the FRG joined NATO in 1955 claiming the GDR, which Article 5 did not cover",
    ),
    "guarantee-during-fighting": (
        "The order of ceasefire and accession is {sequencing}: if the guarantee takes effect "
        "while fighting continues, guaranteed territory borders an active front in "
        "{front_count} units ({front_units}) -- the NATO dilemma.",
        "docs/specs/deterrence.md section 1 (the guarantor drawn into direct war)",
    ),
    "de-jure-cession": (
        "Cedes {ceded_area:.1%} of the recognised territory de jure ({ceded_population:.1%} of "
        "the population).{withdrawal} A de jure cession usually needs the ceding state's "
        "constitutional procedure (for Ukraine an all-Ukrainian referendum, Constitution "
        "Art. 73).",
        "Constitution of Ukraine Art. 73 (cited in actors_2024_11.csv)",
    ),
}


def warning_tables() -> str:
    """The [warnings.<code>] tables: this scenario's wording of three warnings."""
    out = ["# How this scenario words three of the engine's warnings (fields in braces)"]
    for code, (text, source) in WARNING_TEXTS.items():
        out.append(f"[warnings.{code}]\ntext = {q(text)}\nsource = {q(source)}\n")
    return "\n".join(out)


# The positions a proposal must keep to stay itself (issue 13): rescues that keep them search
# only there. The West German model is the invitation (alliance 60: all recognised territory
# invited, Article 5 over the controlled part) without giving up the claim (sovereignty 50: no
# cession); the controlled-only invitation keeps its invitation (alliance 60). Judgement, from
# the seed's definition of the model and the anchors of dimensions.md.
DEFINING: dict[str, tuple[str, ...]] = {
    "west-german-model": ("alliance >= 60", "sovereignty >= 50"),
    "controlled-only-invitation": ("alliance >= 60",),
}


def side_issue_tables() -> str:
    """The [[side_issues]] tables from side_issues_2024_11.csv (issue 13)."""
    out = []
    for r in rows("side_issues_2024_11.csv"):

        def table(cell: str) -> str:
            pairs = [p.split(":") for p in cell.split(";") if p]
            return "{ " + ", ".join(f"{a} = {num(float(v))}" for a, v in pairs) + " }"

        lines = [
            "[[side_issues]]",
            f"id = {q(r['id'])}",
            f"label = {q(r['label'])}",
            f"unit = {q(r['unit'])}",
            f"payers = {table(r['payers'])}",
            f"values = {table(r['values'])}",
            f"max_units = {num(float(r['max_units']))}",
            f"integer = {r['integer']}",
            f"source = {q(r['source'])}",
            f"note = {q(r['note'])}",
        ]
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def q(s: str) -> str:
    """A TOML basic string (JSON escapes are a subset TOML accepts)."""
    return json.dumps(s, ensure_ascii=False)


def num(x: float) -> str:
    return f"{x:g}" if float(x) != int(float(x)) else str(int(float(x)))


def inline(d: dict[str, float]) -> str:
    return "{ " + ", ".join(f"{k} = {num(v)}" for k, v in d.items()) + " }"


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def actor_block(r: dict[str, str], as_id: str | None = None) -> str:
    pos = {d: float(r[f"pos_{d}"]) for d in DIMS}
    sal = {d: float(r[f"sal_{d}"]) for d in DIMS}
    rng = ", ".join(
        f"{d} = [{num(float(r[f'{d}_low']))}, {num(float(r[f'{d}_high']))}]" for d in DIMS
    )
    rng += f", war_cost = [{num(float(r['war_cost_low']))}, {num(float(r['war_cost_high']))}]"
    red = [t.strip().replace(">=", " >= ").replace("<=", " <= ") for t in r["red_lines"].split(";")]
    red = [" ".join(t.split()) for t in red if t]
    terms = red_line_rows(r["id"], red)
    rng += "".join(
        f", red_line.{t['dimension']} = [{num(float(t['low']))}, {num(float(t['high']))}]"
        for t in terms
        if float(t["low"]) < float(t["high"])
    )
    lines = [
        "[[actors]]",
        f"id = {q(as_id or r['id'])}",
        f"name = {q(r['name'])}",
        f"kind = {q(r['kind'])}",
        f"capability = {num(float(r['capability']))}"
        "  # formula in actors-notes.md: 100*(0.2g + 0.2m + 0.3w + 0.3s)",
        f"war_cost = {num(float(r['war_cost']))}  # judgement (rule in actors-notes.md) x 0.3",
        f"position = {inline(pos)}",
        f"salience = {inline(sal)}",
        f"red_lines = [{', '.join(q(t) for t in red)}]",
        f"range = {{ {rng} }}",
        f"source = {q(r['sources'])}",
    ]
    if r["red_line_sources"]:
        lines.append(f"red_line_source = {q(r['red_line_sources'])}")
    inputs = capability_inputs(r["sources"])
    if inputs:
        lines.append(f"capability_inputs = {inline(inputs)}  # actors-notes.md, capability formula")
    lines += [red_line_terms(t) for t in terms]
    return "\n".join(lines)


#: the components of the capability formula (actors-notes.md) as each row's sources state them
CAPABILITY_INPUTS = {"g": "gdp", "m": "defence", "w": "aid", "s": "gatekeeping"}


def capability_inputs(sources: str) -> dict[str, float]:
    """``capability inputs g=0.007 m=0.070 w=1.000 s=1.00`` of a row's sources, by name."""
    import re

    found = re.search(r"capability inputs ((?:[gmws]=[0-9.]+ ?)+)", sources)
    if not found:
        return {}
    pairs = (t.split("=") for t in found.group(1).split())
    return {CAPABILITY_INPUTS[k]: float(v) for k, v in pairs}


def aggressor_units() -> list[str]:
    """The aggressor's territory the defender holds (aggressor_held.csv): Ukraine's Kursk
    salient, a bargaining chip on 30 Nov 2024 (issue 17)."""
    out = []
    for r in rows("aggressor_held.csv"):
        area = float(r["area_km2"])
        share = float(r["held_km2"]) / area
        lo, hi = float(r["held_km2_low"]) / area, float(r["held_km2_high"]) / area
        lines = [
            "[[territory]]",
            f"code = {q(r['code'])}",
            f"name = {q(r['name_en'])}",
            f"area_km2 = {num(area)}",
            f"population = {num(float(r['population']))}  # {r['population_basis']}",
            f"controlled_share = {num(round(share, 8))}  # {r['held_km2']} km2 held",
            f"controlled_share_range = [{num(round(lo, 6))}, {num(round(hi, 6))}]",
            f"source = {q(r['sources'].replace(';', '; ') + ' -- ' + r['note'])}",
            'belongs_to = "aggressor"',
        ]
        out.append("\n".join(lines) + "\n")
    return out


#: per-unit territorial terms of the flagship's proposals beyond their shorthand (judgement):
#: Russia's terms require Ukraine to leave the Kursk salient (Russian statements since Aug
#: 2024 ruled out talks while Ukrainian troops were in Kursk); every other proposal freezes the
#: line, which leaves the salient held.
UNIT_TERMS = {
    "russia-june-2024": [
        (
            "RU-KRS",
            "withdraw",
            "judgement: Russia's terms require withdrawal from Kursk (S_KURSK_REUTERS_2024_11)",
        )
    ],
}


def unit_terms(proposal_id: str) -> list[str]:
    """The ``[[proposals.unit_terms]]`` rows of one flagship proposal."""
    return [
        f"\n[[proposals.unit_terms]]\nunit = {q(u)}\nterm = {q(t)}\nsource = {q(src)}"
        for u, t, src in UNIT_TERMS.get(proposal_id, [])
    ]


def red_line_rows(actor: str, red: list[str]) -> list[dict[str, str]]:
    """The rows of red_lines_2024_11.csv for ``actor``; each must match a red line of its row."""
    out = [t for t in rows("red_lines_2024_11.csv") if t["actor"] == actor]
    coded = {f"{t['dimension']} {t['op']} {num(float(t['bound']))}" for t in out}
    if coded != set(red):
        raise SystemExit(f"{actor}: red_lines_2024_11.csv codes {coded}, actors CSV says {red}")
    return out


def red_line_terms(t: dict[str, str]) -> str:
    """``red_line_terms.<dimension> = {...}``: kind, penalty, probability, source and basis."""
    fields = [f"kind = {q(t['kind'])}"]
    if t["penalty"]:
        fields.append(f"penalty = {num(float(t['penalty']))}")
    fields += [
        f"probability = {num(float(t['probability']))}",
        f"source = {q(t['source'])}",
        f"basis = {q(t['basis'])}",
    ]
    return f"red_line_terms.{t['dimension']} = {{ {', '.join(fields)} }}"


def build(variant: str) -> str:
    actors = rows("actors_2024_11.csv")
    by_id = {r["id"]: r for r in actors}
    nato = [r["iso3"] for r in rows("nato_members.csv")]
    out: list[str] = []
    if variant == "incoming":
        sid, title, us_row = (
            "ukraine-2024-11",
            "Ending the hot phase of the Russia-Ukraine war, late November 2024",
            "USA",
        )
        us_note = (
            "# The USA row is the incoming Trump administration. The outgoing Biden\n"
            "# administration (row USA_B of actors_2024_11.csv) is the documented alternative:\n"
            "# the built-in scenario 'ukraine-2024-11-outgoing' uses it in place of this row.\n"
            "# Never load both: there is one United States at the table.\n"
        )
    else:
        sid, title, us_row = (
            "ukraine-2024-11-outgoing",
            "Ending the hot phase of the Russia-Ukraine war, late November 2024 "
            "(alternative: outgoing US administration)",
            "USA_B",
        )
        us_note = (
            "# ALTERNATIVE scenario: the USA row is the outgoing Biden administration\n"
            "# (row USA_B of actors_2024_11.csv, loaded under the id USA so that NATO's\n"
            "# membership list applies). Everything else equals 'ukraine-2024-11'.\n"
        )
    out.append(
        f"# Built-in scenario {sid} -- generated by scripts/build_builtin.py from the sourced\n"
        "# CSVs in tests/data/ukraine-2024-11/ (see the README there for provenance).\n"
        "# Every number carries a source or is labelled judgement. Scales: 0-100 per dimension.\n"
    )
    out.append(
        "[scenario]\n"
        f"id = {q(sid)}\n"
        f"title = {q(title)}\n"
        "as_of = 2024-11-30\n"
        "description = "
        + q(
            "Zelensky's 'West German model' (NATO invites all of Ukraine within its recognised "
            "borders; Article 5 covers only the territory Kyiv controls) against a bare "
            "ceasefire, an invitation limited to controlled territory, territorial concession "
            "with neutrality, Russia's June 2024 terms and full membership with restoration."
        )
        + "\n"
        'disputed_state = "UKR"\n'
        'aggressor = "RUS"\n'
        'ceasefire_dimension = "ceasefire"\n'
    )
    for d in DIMS:
        name, anchors = ANCHORS[d]
        out.append(
            "[[dimensions]]\n"
            f"id = {q(d)}\n"
            f"name = {q(name)}\n"
            "anchors = { " + ", ".join(f'"{k}" = {q(v)}' for k, v in anchors.items()) + " }\n"
        )
    out.append(
        "[status_quo]  # the no-deal point (dimensions.md): occupation de facto, claims kept\n"
        "position = { alliance = 40, sovereignty = 50, ceasefire = 0, sanctions = 100 }\n"
        "fighting = true\n"
        'source = "dimensions.md, status quo of late November 2024 (judgement anchored on the '
        'scale points)"\n'
    )
    out.append(us_note)
    for r in actors:
        if r["id"] in ("USA", "USA_B"):
            if r["id"] == us_row:
                out.append(actor_block(r, as_id="USA") + "\n")
            continue
        out.append(actor_block(r) + "\n")
    assert by_id[us_row]
    out.append(
        "[map]  # the outlines the report draws the units on (shipped beside this file)\n"
        'geometry = "builtin:ukraine_admin1_ne.geojson"\n'
        'unit_property = "iso_3166_2"\n'
        'source = "S_NE_GEOM"\n'
    )
    for r in rows("ukraine_regions.csv"):
        if r["iso_3166_2"] == "UA":
            continue
        share = float(r["gov_control_pct_late_nov_2024"]) / 100
        lo = float(r["gov_control_pct_low"]) / 100
        hi = float(r["gov_control_pct_high"]) / 100
        lines = [
            "[[territory]]",
            f"code = {q(r['iso_3166_2'])}",
            f"name = {q(r['name_en'])}",
            f"area_km2 = {num(float(r['area_km2']))}",
            f"population = {num(float(r['population']))}  # {r['population_basis']}",
            f"controlled_share = {num(round(share, 6))}",
            f"controlled_share_range = [{num(round(lo, 6))}, {num(round(hi, 6))}]",
        ]
        if r["iso_3166_2"] in CLAIMED:
            lines.append("claimed_by_aggressor = true  # S_PUTIN_2024_06")
        lines.append(f"source = {q(r['sources'] + ' -- ' + r['control_note'])}")
        out.append("\n".join(lines) + "\n")
    out.extend(aggressor_units())
    for r in rows("proposals_positions.csv"):
        mech = [m for m in r["mechanisms"].split(",") if m]
        pos = {d: float(r[d]) for d in DIMS}
        lines = [
            "[[proposals]]",
            f"id = {q(r['id'])}",
            f"label = {q(r['label'])}",
        ]
        if r["proposer"]:
            lines.append(f"proposer = {q(r['proposer'])}")
        lines += [
            f"invitation = {q(r['invitation'])}",
            f"guarantee = {q(r['guarantee'])}",
            f"territory = {q(r['territory'])}",
            f"mechanisms = [{', '.join(q(m) for m in mech)}]",
            f"ceasefire_before_accession = {q(r['ceasefire_before_accession'])}",
            f"position = {inline(pos)}",
            f"requires = [{', '.join(q(i) for i in REQUIRES[r['id']])}]"
            "  # judgement: see scripts/build_builtin.py",
            f"rationale = {q(r['rationale'])}",
        ]
        lines += unit_terms(r["id"])
        if r["id"] in CONDITIONS:
            lines.append(f"conditions = [{', '.join(q(c) for c in CONDITIONS[r['id']])}]")
        if r["id"] in DEFINING:
            terms = ", ".join(q(t) for t in DEFINING[r["id"]])
            lines.append(f"defining_terms = [{terms}]  # see DEFINING in scripts/build_builtin.py")
        out.append("\n".join(lines) + "\n")
    out.append(side_issue_tables())
    out.append(
        "[[institutions]]\n"
        'id = "nato-accession"\n'
        'name = "NATO accession (Art. 10: unanimous invitation, then every Ally ratifies)"\n'
        'rule = "unanimity"\n'
        f"members = [{', '.join(q(m) for m in nato)}]\n"
        'source = "North Atlantic Treaty Art. 10 (S_TREATY); accession steps (S_ENL_1995, '
        'S_ENL_STEPS); members: nato_members.csv (S_NATO_LISTS)"\n'
    )
    out.append(
        "[[institutions]]\n"
        'id = "belligerents"\n'
        'name = "Both belligerents (a ceasefire or settlement they must carry out)"\n'
        'rule = "all"\n'
        'members = ["UKR", "RUS"]\n'
        'source = "judgement: a ceasefire binds only those who sign it"\n'
    )
    out.append(
        "[[institutions]]\n"
        'id = "ukraine"\n'
        'name = "Ukraine (acceptance of an invitation or settlement; territorial change needs an '
        'all-Ukrainian referendum, Constitution Art. 73)"\n'
        'rule = "all"\n'
        'members = ["UKR"]\n'
        'source = "Constitution of Ukraine Art. 73 (cited in actors_2024_11.csv)"\n'
    )
    out.append(actor_set_tables())
    out.append(capability_rule_tables())
    out.append(warning_tables())
    out.append(deterrence_tables())
    out.append(timeline_table())
    for r in rows("sources.csv"):
        lines = [
            "[[sources]]",
            f"key = {q(r['key'])}",
            f"citation = {q(r['citation'])}",
        ]
        for field in ("locator", "archived", "kind"):
            if r[field]:
                lines.append(f"{field} = {q(r[field])}")
        lines.append(f"published = {r['published']}")  # a TOML date, unquoted
        if r["hindsight"] == "true":
            lines.append("hindsight = true")
        if r["notes"]:
            lines.append(f"notes = {q(r['notes'])}")
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def actor_set_tables() -> str:
    """The [[groups]] and [[actor_sets]] of actor_sets.csv (issue 16): stakeholder groups and
    the named sets of actors and groups the forecasts run on, each with its source."""
    out = []
    for r in rows("actor_sets.csv"):
        table = "groups" if r["kind"] == "group" else "actor_sets"
        label = "name" if r["kind"] == "group" else "title"
        lines = [
            f"[[{table}]]",
            f"id = {q(r['id'])}",
            f"{label} = {q(r['title'])}",
            f"members = [{', '.join(q(m) for m in r['members'].split())}]",
        ]
        if r["capability"]:
            lines.append(f"capability = {num(float(r['capability']))}")
        lines.append(f"source = {q(r['source'])}")
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


#: capability rules over the components of actors-notes.md (issue 16): id, title, weights as
#: (central, low, high) per component, source
CAPABILITY_RULES = (
    (
        "shipped",
        "as shipped: 0.2 GDP + 0.2 defence + 0.3 aid + 0.3 gatekeeping",
        {
            "gdp": (0.2, 0.1, 0.3),
            "defence": (0.2, 0.1, 0.3),
            "aid": (0.3, 0.2, 0.4),
            "gatekeeping": (0.3, 0.2, 0.4),
        },
        "actors-notes.md, capability formula (judgement; ranges +-0.1 are judgement)",
    ),
    (
        "hard-power",
        "hard power: 0.5 GDP + 0.5 defence",
        {"gdp": (0.5, 0.3, 0.7), "defence": (0.5, 0.3, 0.7)},
        "judgement: the alternative rule of issue 16's table (economic and military weight only)",
    ),
    (
        "involvement",
        "involvement: 0.5 aid + 0.5 gatekeeping",
        {"aid": (0.5, 0.3, 0.7), "gatekeeping": (0.5, 0.3, 0.7)},
        "judgement: weight by what an actor puts into this war and whose consent a deal needs",
    ),
)


def capability_rule_tables() -> str:
    """The [[capability_rules]] (issue 16): capability as a stated formula with ranged weights."""
    out = []
    for rid, title, weights, source in CAPABILITY_RULES:
        lines = ["[[capability_rules]]", f"id = {q(rid)}", f"title = {q(title)}",
                 f"source = {q(source)}"]  # fmt: skip
        for k, (c, lo, hi) in weights.items():
            lines.append(f"weights.{k} = {{ central = {num(c)}, range = [{num(lo)}, {num(hi)}] }}")
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


#: the guarantee's conditions on the protégé (docs/specs/deterrence.md §4.2): the West German
#: model renounces force to regain occupied land, "as West Germany did in 1954" (the seed,
#: Zelensky, Sky News, 29 Nov 2024; proposals_positions.csv rationale)
CONDITIONS: dict[str, tuple[str, ...]] = {"west-german-model": ("renunciation_of_force",)}

#: what Russia did under no deal at as_of (the backcast of §4.7), with sources dated before it
STATUS_QUO_SOURCE = (
    "S_AFP_ISW_2024_10;S_DS_2024_10 -- Russia's offensive continued through October and "
    "November 2024 (largest monthly gains of 2024); S_PUTIN_2024_06 -- a ceasefire only if "
    "Ukraine withdraws from the four oblasts"
)


def deterrence_tables() -> str:
    """The [deterrence], [durability] and [monte_carlo] tables from deterrence_defaults.md.

    The values are those of ``ceasefire.deterrence.DETERRENCE_DEFAULTS`` and
    ``ceasefire.durability.DURABILITY_DEFAULTS`` (which cite deterrence_defaults.md and the
    spec), written out so that the scenario file shows and lets a user edit every input.
    ``c1`` is left out: it defaults to the aggressor's war_cost / 100 and its range.
    """
    from ceasefire.deterrence import DETERRENCE_DEFAULTS
    from ceasefire.deterrence.game import EXTENDED_DEFAULTS
    from ceasefire.durability import DURABILITY_DEFAULTS

    def table(name: str, params: dict, skip: tuple[str, ...] = ()) -> str:
        lines = [f"[{name}]"]
        if name == "deterrence":
            lines.append('aggressor = "RUS"')
        for key, pr in params.items():
            if key in skip:
                continue
            lines.append(
                f"{key} = {{ central = {num(pr.central)}, range = [{num(pr.low)}, {num(pr.high)}], "
                f"source = {q(pr.basis)} }}"
            )
        return "\n".join(lines) + "\n"

    return (
        "# Guarantee game (docs/specs/deterrence.md section 1); values of deterrence_defaults.md.\n"
        "# c1 (cost of war against the defender alone) defaults to RUS war_cost / 100.\n"
        + table("deterrence", dict(DETERRENCE_DEFAULTS), skip=("c1",))
        + "\n# Extended game (section 4): probe, protege, phase; deterrence_defaults.md.\n"
        + table("guarantee_game", dict(EXTENDED_DEFAULTS))
        + 'status_quo_observed = "attack"\n'
        + f"status_quo_source = {q(STATUS_QUO_SOURCE)}\n"
        + "\n# Ceasefire durability (section 2): PRIORS anchored on Fortna 2003/2004, not\n"
        "# published estimates.\n"
        + table("durability", dict(DURABILITY_DEFAULTS))
        + "\n[monte_carlo]  # draws and seed of the uncertainty of both models\n"
        "draws = 2000\nseed = 20241130\n"
    )


def timeline_table() -> str:
    """The [timeline] table (docs/specs/durability.md): Fortna's controls that describe this war,
    and the commitment problem's power shift. Judgement, labelled; the NATO ratification window
    is the package default (ceasefire.paths.DEFAULT_WINDOWS) and is not repeated here.
    """
    return (
        "\n# The event tree in time and the coupled durability model (docs/specs/durability.md).\n"
        "# Controls: a war of neighbours (contiguity), fought before (2014-2022:\n"
        "# previous_conflict), costly (high_war_cost) and existential for Ukraine\n"
        "# (existential_stakes): judgement.\n"
        "[timeline]\n"
        'controls = ["high_war_cost", "contiguity", "previous_conflict", "existential_stakes"]\n'
        "power_shift = { central = 0.05, range = [0, 0.15], source = "
        + q(
            "judgement: the defender's gain in relative military power per year while it "
            "rearms with foreign deliveries under a ceasefire (share of the dyad's balance)"
        )
        + " }\n"
        "power_sensitivity = { central = 2, range = [0, 5], source = "
        + q(
            "judgement: the hazard grows by exp(beta |shift| t); Werner & Yuen 2005 (IO 59(2), "
            "abstract): peace is precarious when a renewed war promises better terms"
        )
        + " }\n"
    )


def main() -> None:
    for variant, name in (
        ("incoming", "ukraine-2024-11"),
        ("outgoing", "ukraine-2024-11-outgoing"),
    ):
        (OUT / f"{name}.toml").write_text(build(variant), encoding="utf-8")


if __name__ == "__main__":
    main()
