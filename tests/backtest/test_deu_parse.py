"""Reading DEU III tables of both layouts, and every kind of bad input, located."""

from __future__ import annotations

import pytest

from ceasefire.backtest import deu
from ceasefire.backtest.deu import DeuFormatError, parse
from tests.backtest.synth import ACTORS, GDP, table

ISSUES = [
    ("a1", "QMV", [0, 100, None, 50, 20], [50, None, 0, 80, 60], 0, 40),
    ("a2", "Unan", [100, 100, 0, None, None], [50, 50, 100, None, None], None, 100),
    ("a3", "QMV", [10, 20, 30, 40, 50], [10, 10, 10, 10, 10], 50, None),
]


@pytest.mark.parametrize("layout", ["derived", "deposit"])
def test_both_layouts_read_the_same_issues(layout: str) -> None:
    data = parse(table(ISSUES, layout=layout), "t.csv")
    assert data.layout == layout
    assert data.delimiter == ("\t" if layout == "derived" else ";")
    assert data.actors == ACTORS
    assert [i.id for i in data.issues] == ["a1", "a2", "a3"]
    a1, a2, a3 = data.issues
    assert a1.positions == (0.0, 100.0, None, 50.0, 20.0)
    assert a1.saliences == (50.0, None, 0.0, 80.0, 60.0)
    assert (a1.reference_point, a1.outcome, a1.voting_rule) == (0.0, 40.0, "QMV")
    assert (a2.reference_point, a2.voting_rule) == (None, "Unan")
    assert a3.outcome is None
    first = 3 if layout == "derived" else 2  # the derived layout's row 2 is the GDP row
    assert [i.line for i in data.issues] == [first, first + 1, first + 2]


def test_derived_layout_gdp_row_gives_capabilities() -> None:
    data = parse(table(ISSUES), "t.csv")
    assert data.gdp == GDP and data.gdp_line == 2
    assert deu.capabilities(data, "gdp") == GDP
    assert deu.capabilities(data, "equal") == (1.0,) * 5


def test_votes_are_the_nice_weights() -> None:
    data = parse(table(ISSUES, layout="deposit"), "t.csv")
    assert deu.capabilities(data, "votes") == (29, 29, 29, 29, 27)
    states = {k: v for k, v in deu.NICE_VOTES.items() if k not in ("com", "ep")}
    assert len(states) == 28 and sum(states.values()) == 352  # the Nice total with Croatia


def test_gdp_capability_needs_the_gdp_row() -> None:
    data = parse(table(ISSUES, layout="deposit"), "t.csv")
    with pytest.raises(DeuFormatError, match="GDP row"):
        deu.capabilities(data, "gdp")


def _error(text: str) -> DeuFormatError:
    with pytest.raises(DeuFormatError) as info:
        parse(text, "t.csv")
    return info.value


def test_empty_file() -> None:
    for text in ("", "\n\n", "\ufeff"):
        err = _error(text)
        assert err.line == 1 and "empty file" in err.message
        assert err.located("f.csv").startswith("f.csv:1: empty file")


def test_another_layout_names_the_missing_columns() -> None:
    ktab = "Scenario,Description,3,1,\nActor,Description,Power,Pstn1,Sal1,\nA,x,1,10,50,\n"
    err = _error(ktab)
    assert err.line == 1 and "not a DEU III table" in err.message
    for col in ("isnr", "counvte", "rp", "out"):
        assert col in err.message


def test_missing_column() -> None:
    text = table(ISSUES).replace('"out"', '"outcome"')
    err = _error(text)
    assert err.line == 1 and "lacks the column(s) out" in err.message


def test_no_actor_columns() -> None:
    text = "isnr;counvte;rp;out\nx;QMV;0;50\n"
    assert "no actor columns" in _error(text).message


@pytest.mark.parametrize("layout", ["derived", "deposit"])
def test_non_numeric_cell_is_located(layout: str) -> None:
    bad = [("a1", "QMV", [0, 100, None, 50, 20], [50, None, 0, 80, 60], 0, 40)]
    text = table(bad, layout=layout)
    lines = text.splitlines()
    sep = "\t" if layout == "derived" else ";"
    row = lines[-1].split(sep)
    row[16] = "fifty"  # the position of France ("pfr")
    lines[-1] = sep.join(row)
    err = _error("\n".join(lines))
    assert err.column == "pfr" and "not a number: 'fifty'" in err.message
    assert err.line == len(lines)
    assert err.located("x.csv") == f"x.csv:{len(lines)}: column 'pfr': not a number: 'fifty'"


def test_out_of_range_value_and_missing_code() -> None:
    text = table([("a1", "QMV", [0, 100, 150, 50, 20], [50, 50, 50, 50, 50], 0, 40)])
    err = _error(text)
    assert err.column == "pde" and "outside [0, 100]" in err.message and err.line == 3
    ok = parse(table([("a1", "QMV", [0, 100, 999, 50, 20], [50] * 5, 0, 999)]))
    assert ok.issues[0].positions[2] is None and ok.issues[0].outcome is None


def test_row_of_the_wrong_length() -> None:
    text = table(ISSUES) + "1\t2\t3\n"
    err = _error(text)
    assert err.line == 6 and "3 cells, the header has 25" in err.message


def test_duplicate_issue_id() -> None:
    text = table([ISSUES[0], ISSUES[0]])
    err = _error(text)
    assert err.line == 4 and err.column == "isnr" and "repeats line 3" in err.message


def test_header_without_issues() -> None:
    text = table([], layout="deposit")
    assert "no issue rows" in _error(text).message
