"""The scenario package: one source of the format's names, located problems, warnings worded
by the scenario, the scenario's own map."""

from __future__ import annotations

import inspect
import json
import math
import string
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ceasefire import coverage, deterrence, durability
from ceasefire.cli import app
from ceasefire.report import charts, html
from ceasefire.scenario import (
    DETERRENCE_INPUTS,
    DISTRIBUTIONS,
    DURABILITY_INPUTS,
    MECHANISMS,
    WARNING_CODES,
    WARNING_FIELDS,
    Proposal,
    ScenarioError,
    line_of,
    loads,
    read,
    read_geometry,
)
from tests.unit.test_scenario import MINIMAL

# -- one source of the format's names ------------------------------------------------------


def test_models_take_their_input_names_from_the_schema():
    assert deterrence.GAME_PARAMETERS is DETERRENCE_INPUTS
    assert DETERRENCE_INPUTS == ("v", "p1", "p2", "c1", "c2", "q", "lam")
    assert durability.DURABILITY_PARAMETERS is DURABILITY_INPUTS
    assert ("k", "p5_bare", "floor", *(f"hr_{m}" for m in MECHANISMS)) == DURABILITY_INPUTS
    assert durability.MECHANISMS is MECHANISMS
    assert DISTRIBUTIONS == ("uniform", "triangular")


def test_the_scenario_package_imports_no_numerical_model():
    code = (
        "import sys, ceasefire.scenario\n"
        "bad = [m for m in sys.modules if m.startswith('ceasefire.') and "
        "not m.startswith('ceasefire.scenario')]\n"
        "print(','.join(bad + [m for m in ('numpy', 'scipy') if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_every_cross_check_is_small():
    """Each rule is one short function (the old single check had a complexity of 74)."""
    from ceasefire.scenario import checks

    for rule in checks.RULES:
        assert rule.__doc__, rule.__name__
        assert len(inspect.getsource(rule).splitlines()) <= 40, rule.__name__


# -- located problems ------------------------------------------------------------------------


def test_line_of_points_at_the_key_inside_its_item():
    text = MINIMAL
    lines = text.splitlines()
    n = line_of(text, "actors[1].salience.b")
    assert n is not None and lines[n - 1].startswith("salience = { a = 10, b = 90 }")
    n = line_of(text, "proposals[0].requires[0]")
    assert n is not None and lines[n - 1].startswith("requires = ")
    n = line_of(text, "status_quo.position.a")
    assert n is not None and lines[n - 1].startswith("position = { a = 10")
    # a key the item does not have: the item's header
    n = line_of(text, "actors[1].colour")
    assert n is not None and lines[n - 1] == "[[actors]]"
    assert line_of(text, "monte_carlo.seed") is None


def test_located_lines_name_the_line_and_the_item():
    text = MINIMAL.replace("salience = { a = 10, b = 90 }", "salience = { a = 10 }")
    with pytest.raises(ScenarioError) as info:
        loads(text, "t.toml")
    line = text[: text.index("salience = { a = 10 }")].count("\n") + 1
    assert (
        f"t.toml: actors[1].salience.b: missing (a salience on every dimension) "
        f"[line {line}, id 'Y']"
    ) in info.value.lines(located=True)
    # the plain form is unchanged
    assert "t.toml: actors[1].salience.b: missing (a salience on every dimension)" in (
        info.value.lines()
    )


# -- warnings: generic engine, the scenario's own words --------------------------------------


def test_engine_texts_use_only_their_declared_fields():
    assert set(coverage.DEFAULT_TEXTS) == set(WARNING_CODES) == set(WARNING_FIELDS)
    for code, text in coverage.DEFAULT_TEXTS.items():
        names = {n for _, n, _, _ in string.Formatter().parse(text) if n}
        assert names <= set(WARNING_FIELDS[code]), code


def test_a_scenario_without_wording_gets_no_country_prose(builtin):
    bare = builtin.model_copy(update={"warnings": {}})
    texts = [
        w.text
        for p in bare.proposals
        for w in coverage.analyst_warnings(bare, p, coverage.coverage(bare, p))
    ]
    assert texts
    for word in ("GDR", "FRG", "Ukrain", "NATO", "Art. 73"):
        assert not any(word in t for t in texts), word


def test_the_builtin_words_its_warnings_as_before(builtin):
    p = next(p for p in builtin.proposals if p.id == "west-german-model")
    ws = {w.code: w for w in coverage.analyst_warnings(builtin, p, coverage.coverage(builtin, p))}
    w = ws["partial-guarantee"]
    assert w.text.endswith("is claimed but unprotected, as the GDR was for the FRG in 1955.")
    share = w.fields["unguaranteed_area"]
    assert isinstance(share, float) and f"{100 * share:.1f}%" in w.text
    cession = next(p for p in builtin.proposals if p.territory == "ceded-claimed")
    (dj,) = [
        w
        for w in coverage.analyst_warnings(builtin, cession, coverage.coverage(builtin, cession))
        if w.code == "de-jure-cession"
    ]
    assert dj.text.endswith("(for Ukraine an all-Ukrainian referendum, Constitution Art. 73).")
    assert isinstance(dj.fields["held_ceded_km2"], float) and dj.fields["held_ceded_km2"] > 0


def test_scenario_wording_replaces_the_engine_sentence():
    text = MINIMAL + (
        '\n[warnings.partial-guarantee]\ntext = "Only {guaranteed_area:.0%} is covered."\n'
    )
    s = loads(text)
    p = s.proposals[0]
    (w,) = [
        w
        for w in coverage.analyst_warnings(s, p, coverage.coverage(s, p))
        if w.code == "partial-guarantee"
    ]
    assert w.text == "Only 50% is covered."


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ('[warnings.no-such]\ntext = "x"', "warnings.no-such: unknown warning 'no-such'"),
        (
            '[warnings.partial-guarantee]\ntext = "{ceded_area:.1%}"',
            "warnings.partial-guarantee.text: unknown field {ceded_area}",
        ),
        (
            '[warnings.guarantee-during-fighting]\ntext = "{front_units:.1%}"',
            "warnings.guarantee-during-fighting.text: cannot be formatted",
        ),
        ('[warnings.no-mechanisms]\ntext = "{"', "warnings.no-mechanisms.text: not a format"),
    ],
)
def test_bad_wording_is_located(table, expected):
    text = MINIMAL + "\n" + table + "\n"
    with pytest.raises(ScenarioError) as info:
        loads(text, "t.toml")
    lines = info.value.lines(located=True)
    assert any(line.startswith(f"t.toml: {expected}") and "[line " in line for line in lines), lines


# -- the scenario's own map ------------------------------------------------------------------

SQUARE = [[[10.0, 59.0], [12.0, 59.0], [12.0, 61.0], [10.0, 61.0], [10.0, 59.0]]]


def _geojson(code: str = "U1", prop: str = "ref") -> str:
    feature = {
        "type": "Feature",
        "properties": {prop: code},
        "geometry": {"type": "Polygon", "coordinates": SQUARE},
    }
    return json.dumps({"type": "FeatureCollection", "features": [feature]})


def _with_map(tmp_path: Path, geojson: str | None, geometry: str = "units.geojson") -> Path:
    if geojson is not None:
        (tmp_path / "units.geojson").write_text(geojson, "utf-8")
    path = tmp_path / "s.toml"
    table = f'\n[map]\ngeometry = "{geometry}"\nunit_property = "ref"\n'
    path.write_text(MINIMAL + table, "utf-8")
    return path


def test_a_map_relative_to_the_scenario_file(tmp_path):
    loaded = read(_with_map(tmp_path, _geojson()))
    g = loaded.geometry
    assert g is not None and set(g.rings) == {"U1"}
    assert g.bbox == (10.0, 59.0, 12.0, 61.0) and g.mid_latitude == 60.0


def test_the_map_aspect_comes_from_the_bounding_box(tmp_path):
    from ceasefire.analysis import analyze

    loaded = read(_with_map(tmp_path, _geojson()))
    fig = charts.coverage_map(analyze(loaded.scenario), loaded.geometry)
    assert fig is not None
    assert fig["layout"]["yaxis"]["scaleratio"] == pytest.approx(1 / math.cos(math.radians(60.0)))


def test_no_geometry_no_map_and_the_report_says_so():
    from ceasefire.analysis import analyze

    s = loads(MINIMAL)
    a = analyze(s)
    assert s.map is None and charts.coverage_map(a, None) is None
    page = html.render(a, s)
    assert charts.NO_MAP in page and 'id="coverage-map"' not in page


def test_the_builtin_ships_its_map(builtin):
    assert builtin.map is not None and builtin.map.geometry.startswith("builtin:")
    g = read_geometry(builtin)
    ukraine = {u.code for u in builtin.territory if u.belongs_to == "defender"}
    assert g is not None and ukraine <= set(g.rings)  # the aggressor's units need no outline
    assert 44 < g.mid_latitude < 53  # Ukraine's bounding box, not a constant


@pytest.mark.parametrize(
    ("geojson", "geometry", "message"),
    [
        (None, "units.geojson", "file not found"),
        (_geojson("U2"), "units.geojson", "no feature with ref = 'U1'"),
        (_geojson(prop="name"), "units.geojson", "feature 0 has no text property 'ref'"),
        ("{not json", "units.geojson", "not JSON"),
        (None, "builtin:nowhere.geojson", "no geometry 'nowhere.geojson' is shipped"),
    ],
)
def test_a_bad_map_is_a_located_error_with_exit_2(tmp_path, geojson, geometry, message):
    path = _with_map(tmp_path, geojson, geometry)
    with pytest.raises(ScenarioError) as info:
        read(path)
    (line,) = info.value.lines(located=True)
    assert line.startswith(f"{path}: map.geometry: {geometry}: ") and message in line
    assert "[line " in line
    r = CliRunner().invoke(app, ["validate", str(path)])
    assert r.exit_code == 2 and message in r.output


def test_proposal_defaults_are_the_schema_defaults():
    from ceasefire.web import editor

    assert {
        k: Proposal.model_fields[k].default
        for k in ("invitation", "guarantee", "territory", "ceasefire_before_accession")
    } == editor.DEFAULTS


def test_a_scenario_without_territory_reports_terms_not_zero_shares():
    from ceasefire.analysis import analyze
    from ceasefire.scenario import load

    s = load("bucharest-2008")  # a summit decision: no territorial units
    assert not s.territory
    page = html.render(analyze(s, engines=None), s)
    assert 'id="no-territory"' in page and "Today the government" not in page
    assert 'id="coverage-map"' not in page
