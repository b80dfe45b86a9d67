"""One way to show numbers: the formatters and the one Jinja environment."""

from __future__ import annotations

import math

import pytest

from ceasefire.analysis import Interval
from ceasefire.report import format as fmt


@pytest.mark.parametrize("missing", [None, math.nan])
def test_every_formatter_shows_a_missing_value_the_same_way(missing):
    for f in (fmt.pct, fmt.num, fmt.sig, fmt.dec3, fmt.signed):
        assert f(missing) == fmt.MISSING
    assert fmt.interval(missing, 0.1, 0.2) == fmt.MISSING
    assert fmt.interval_of(None) == fmt.MISSING


def test_values():
    assert fmt.pct(0.4567) == "45.7%"
    assert fmt.pct(0.95, 0) == "95%"
    assert fmt.num(1 / 3) == "0.333"
    assert fmt.num(2.26, "%.1f") == "2.3"
    assert fmt.sig(1e-16) == "0"
    assert fmt.dec3(-0.0001) == "0.000"
    assert fmt.dec3(-0.0123) == "−0.012"
    assert fmt.signed(0.125) == "+0.125"


def test_intervals():
    assert fmt.interval(0.5, 0.4, 0.6) == "0.500 (0.400–0.600)"
    assert fmt.interval(0.5, None, 0.6) == "0.500"
    assert fmt.interval(0.5, 0.4, 0.6, fmt.pct, label="90% interval") == (
        "50.0% (90% interval 40.0%–60.0%)"
    )
    iv = Interval(central=0.5, median=0.5, p05=0.4, p95=0.6)
    assert fmt.interval_of(iv, brackets=True) == "0.500 [0.400, 0.600]"


def test_the_jinja_environment_uses_these_formatters():
    env = fmt.jinja_env()
    assert env.from_string("{{ x | pct }} {{ y | pct }}").render(x=0.5, y=None) == "50.0% —"
    for name, f in fmt.FILTERS.items():
        assert env.filters[name] is f


def test_pct_bounded_says_less_than_instead_of_rounding_to_zero() -> None:
    from ceasefire.report.format import pct_bounded, prob

    # the Wilson upper bound of 0 in 10,000 draws is about 0.038%
    assert pct_bounded(0.00038) == "< 0.1%"
    assert pct_bounded(0.99962) == "> 99.9%"
    assert pct_bounded(0.0) == "0.0%" and pct_bounded(1.0) == "100.0%"
    assert pct_bounded(0.0005) == "0.1%" and pct_bounded(0.4567) == "45.7%"
    assert pct_bounded(None) == pct_bounded(float("nan")) == "—"
    assert prob(0.0004) == "< 0.001" and prob(0.9996) == "> 0.999"
    assert prob(0.0) == "0.000" and prob(0.25) == "0.250"


def test_input_labels_name_model_inputs_in_words() -> None:
    from ceasefire.report.format import input_label, quantity_label

    for symbol in ("v", "p1", "p2", "c1", "c2", "q", "lam"):
        readable = input_label(f"deterrence.{symbol}", f"the guarantee game's {symbol}")
        shown = "λ" if symbol == "lam" else symbol
        assert readable.endswith(f"({shown})") and "guarantee game's" not in readable
    assert "collective defence" in input_label("durability.hr_collective_defence", "x")
    assert input_label("actors.RUS.war_cost", "Russia's war cost") == "Russia's war cost"
    assert quantity_label("min_veto_margin") == "smallest veto margin"
    assert quantity_label("p_hold") == "P(hold)"
