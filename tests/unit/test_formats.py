"""File formats: located errors, the BDM table's arrays, the placeholder status quo."""

from __future__ import annotations

import numpy as np
import pytest

from ceasefire import importers
from ceasefire.formats import (
    BdmFormatError,
    FormatError,
    KtabFormatError,
    parse_bdm_table,
    parse_ktab_csv,
    placeholder_status_quo,
)

KTAB = (
    "s,d,3,2\nActor,Desc,Power,P1,S1,P2,S2\nA,,10,0,50,100,50\nB,,30,100,20,0,0\nC,,60,40,0,0,30\n"
)


def test_format_errors_share_one_located_base():
    for cls in (KtabFormatError, BdmFormatError):
        err = cls("not a number: 'x'", 4, "Salience")
        assert isinstance(err, FormatError) and isinstance(err, ValueError)
        assert str(err) == "line 4, column 'Salience': not a number: 'x'"
        assert (err.message, err.line, err.column) == ("not a number: 'x'", 4, "Salience")
    assert str(FormatError("empty file")) == "empty file"
    assert str(FormatError("missing header line", line=2)) == "line 2: missing header line"


def test_placeholder_status_quo_is_the_weighted_mean_and_50_without_weight():
    cap = np.array([1.0, 3.0])
    sal = np.array([[1.0, 0.0], [1.0, 0.0]])
    pos = np.array([[0.0, 10.0], [100.0, 90.0]])
    # dimension 0: (1*1*0 + 3*1*100) / (1 + 3) = 75; dimension 1: nobody weighs it -> 50
    assert placeholder_status_quo(cap, sal, pos).tolist() == [75.0, 50.0]


def test_ktab_scenario_status_quo_is_the_placeholder():
    k = parse_ktab_csv(KTAB)
    sq = k.to_problem().status_quo[0]
    # P1: (10*50*0 + 30*20*100 + 0) / (500 + 600) ; P2: (10*50*100 + 0 + 60*30*0) / (500 + 1800)
    assert sq == pytest.approx([60000 / 1100, 50000 / 2300])
    assert np.array_equal(sq, placeholder_status_quo(k.capability, k.saliences, k.positions))


def test_importer_status_quo_is_the_placeholder_of_the_scaled_positions():
    text = "Actor,Capability,Position,Salience\nA,1,-50,0.5\nB,3,150,1\n"
    raw = importers.from_bdm(text, "wide.csv")
    # positions mapped onto 0-100: A -> 0, B -> 100; weights 1*50 and 3*100
    assert raw["status_quo"]["position"]["issue"] == pytest.approx(100 * 300 / 350)


def test_bdm_table_keeps_the_files_numbers_and_ignores_extra_columns_and_blank_lines():
    text = "Note,Salience,Position,Actor,Capability\nx,0.5,-3,A ,2\n\n,1, 7,B,0\n"
    t = parse_bdm_table(text)
    assert t.actor_names == ("A", "B")
    assert t.capability.tolist() == [2.0, 0.0]
    assert t.position.tolist() == [-3.0, 7.0]
    assert t.salience.tolist() == [0.5, 1.0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Actor,Capability,Position,Salience\nA,1,2,0.5\n,1,2,0.5\n", "line 3, column 'Actor'"),
        ("Actor,Capability,Position,Salience\nA,1,inf,0.5\nB,1,2,0.5\n", "not a finite"),
    ],
)
def test_bdm_table_errors_are_located(text, message):
    with pytest.raises(BdmFormatError) as info:
        parse_bdm_table(text)
    assert message in str(info.value)
