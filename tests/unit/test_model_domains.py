"""Every deterrence and durability input is checked against its domain (docs/specs/deterrence.md)
at validation, with a located error; inside the domains the models' outputs are finite; sizes
that would exhaust a run's memory or time are refused with the limit named."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from ceasefire import deterrence as det
from ceasefire import durability as dur
from ceasefire.scenario import MECHANISMS, ScenarioError, builtin_text, loads
from ceasefire.scenario.schema import (
    MAX_ACTORS,
    MAX_DIMENSIONS,
    MAX_PROPOSALS,
    MAX_UNITS,
    MODEL_INPUT_DOMAINS,
)

BASE = builtin_text("ukraine-2024-11")

# one value below and one above each domain (None: that side is unbounded in practice)
OUTSIDE = {
    "v": (-0.1, 1e13),
    "p1": (-0.01, 1.01),
    "p2": (-0.01, 1.5),
    "c1": (-1.0, 1e13),
    "c2": (-1.0, 1e13),
    "q": (-0.2, 1.2),
    "lam": (-1.0, 1e5),
    "k": (0.0, 11.0),
    "p5_bare": (0.0, 1.0),
    "floor": (-0.1, 1.5),
    **{f"hr_{m}": (0.0, 1e4) for m in MECHANISMS},
}


def _problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        loads(text, "f.toml")
    return info.value.lines(located=True)


def _with_input(table: str, name: str, body: str) -> str:
    """The built-in scenario with ``[table] name = {body}`` (replacing any line for it)."""
    text = re.sub(rf"^{name} = .*\n", "", BASE, flags=re.M)
    return text.replace(f"[{table}]\n", f"[{table}]\n{name} = {{ {body} }}\n", 1)


CASES = [
    (table, name, value)
    for table, domains in MODEL_INPUT_DOMAINS.items()
    for name in domains
    for value in OUTSIDE[name]
]


def test_every_input_has_outside_values() -> None:
    assert {n for d in MODEL_INPUT_DOMAINS.values() for n in d} == set(OUTSIDE)


@pytest.mark.parametrize(("table", "name", "value"), CASES)
def test_central_outside_the_domain_is_located(table: str, name: str, value: float) -> None:
    lines = _problems(_with_input(table, name, f"central = {value!r}"))
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"f.toml: {table}.{name}.central: central {value!r} lies outside")
    assert "docs/specs/deterrence.md §" in lines[0] and "[line " in lines[0]


@pytest.mark.parametrize(("table", "name", "value"), CASES)
def test_range_outside_the_domain_is_located(table: str, name: str, value: float) -> None:
    domain = MODEL_INPUT_DOMAINS[table][name]
    inside = min(max(domain.low, 0.5), domain.high)
    pair = sorted([value, inside])
    lines = _problems(_with_input(table, name, f"central = {inside!r}, range = {pair!r}"))
    assert any(line.startswith(f"f.toml: {table}.{name}.range: ") for line in lines), lines


def _corners(name: str) -> tuple[float, ...]:
    for domains in MODEL_INPUT_DOMAINS.values():
        if name in domains:
            return (domains[name].low, domains[name].high)
    raise KeyError(name)


def test_durability_is_finite_at_every_corner_of_its_domain() -> None:
    """Every combination of domain ends (hazard ratios all low or all high), every mechanism
    set: the bounds keep η, Γ(1 + 1/k) and the times finite."""
    sets = [np.zeros(len(MECHANISMS), bool), np.ones(len(MECHANISMS), bool)]
    for k, p5, hr, floor, present in itertools.product(
        _corners("k"), _corners("p5_bare"), _corners("hr_dmz"), _corners("floor"), sets
    ):
        out = dur.durability(present, k, p5, np.full(len(MECHANISMS), hr), floor)
        for name, value in out.as_dict().items():
            assert np.all(np.isfinite(value)), (name, k, p5, hr, floor, present)


def test_deterrence_is_finite_at_every_corner_of_its_domain() -> None:
    names = ("v", "p1", "p2", "c1", "c2", "q", "lam")
    for g in (0.0, 0.5, 1.0):
        for values in itertools.product(*(_corners(n) for n in names)):
            kw = dict(zip(names, values, strict=True))
            res = det.guarantee_game(g=g, h=-1.0, **kw)
            for field in ("p_hold", "p_attack_uncovered", "p_attack_covered", "p_guarantor_war"):
                assert np.isfinite(getattr(res, field)), (field, g, kw)


def _repeat_table(header: str, count: int, id_field: str = "id") -> str:
    """The built-in with its first ``[[header]]`` block repeated to ``count`` blocks in all."""
    blocks = BASE.split(f"[[{header}]]\n")
    first = blocks[1].split("\n[")[0]
    extra = "".join(
        f"[[{header}]]\n"
        + re.sub(rf'^{id_field} = "[^"]*"', f'{id_field} = "X{i}"', first, flags=re.M)
        + "\n"
        for i in range(count)
    )
    return BASE + "\n" + extra


@pytest.mark.parametrize(
    ("header", "limit", "path"),
    [
        ("actors", MAX_ACTORS, "actors"),
        ("dimensions", MAX_DIMENSIONS, "dimensions"),
        ("territory", MAX_UNITS, "territory"),
        ("proposals", MAX_PROPOSALS, "proposals"),
    ],
)
def test_sizes_over_their_limit_are_refused(header: str, limit: int, path: str) -> None:
    field = "code" if header == "territory" else "id"
    lines = _problems(_repeat_table(header, limit, field))
    expected = f"f.toml: {path}: more than {limit:,} entries: over the limit"
    assert any(line.startswith(expected) for line in lines), lines[:3]


def test_capability_and_war_cost_are_bounded() -> None:
    text = re.sub(r"^capability = [0-9.]+", "capability = 1e308", BASE, count=1, flags=re.M)
    assert any("actors[0].capability" in line for line in _problems(text))
    text = re.sub(r"war_cost = \[12.8, 38.2\]", "war_cost = [12.8, 1e300]", BASE, count=1)
    assert any("actors[0].range.war_cost: high 1e+300" in line for line in _problems(text))


def test_scenario_draws_are_bounded() -> None:
    text = re.sub(r"^draws = \d+", "draws = 100001", BASE, count=1, flags=re.M)
    lines = _problems(text)
    assert len(lines) == 1 and lines[0].startswith("f.toml: monte_carlo.draws: ")
    assert "100000" in lines[0] and "[line " in lines[0]


def test_capability_components_and_rule_weights_are_bounded() -> None:
    """A capability rule's inputs and weights stay finite (fuzz seed 13, #7188: a component of
    1e308 made an actor-set forecast NaN); each is refused at its place."""
    big = BASE.replace("defence = 0.07,", "defence = 1e308,", 1)
    assert big != BASE
    with pytest.raises(ScenarioError, match=r"capability_inputs\.defence"):
        loads(big, source="big.toml")
    heavy = BASE.replace(
        "weights.gdp = { central = 0.2, range = [0.1, 0.3] }",
        "weights.gdp = { central = 0.2, range = [0.1, 1e300] }",
        1,
    )
    assert heavy != BASE
    with pytest.raises(ScenarioError, match=r"weights must be <= 1e\+12"):
        loads(heavy, source="heavy.toml")
