"""The scenario: a moment of a war turned into validated, immutable data.

A scenario is read from TOML (``load``/``loads``) and checked in two passes that both always
run, so that a user sees every problem at once:

1. structure and types (pydantic v2 models, unknown fields forbidden);
2. cross-references on the raw data (every id referenced exists, every actor has a position
   and salience on every dimension, red lines name real dimensions, central values lie inside
   their ranges, ids are unique).

Every problem is a :class:`Problem` with a dotted path inside the file
(``actors[3].salience.alliance``); :class:`ScenarioError` carries them all. Nothing here
prints or exits: the CLI renders the errors.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    field_validator,
)

from ceasefire.deterrence import GAME_PARAMETERS
from ceasefire.durability import DURABILITY_PARAMETERS

SCALE_MIN = 0.0
SCALE_MAX = 100.0

# ---------------------------------------------------------------------------------------------
# Located problems


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where it is (a dotted path) and what is wrong."""

    path: str
    message: str

    def render(self, source: str) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{source}: {where}{self.message}"


class ScenarioError(Exception):
    """A scenario that cannot be loaded, with every problem found."""

    def __init__(self, source: str, problems: Iterable[Problem]):
        self.source = source
        self.problems = tuple(problems)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [p.render(self.source) for p in self.problems]


def _path(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


# ---------------------------------------------------------------------------------------------
# Immutable mappings that still serialise as plain JSON objects


def _freeze(value: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


FrozenFloats = Annotated[
    dict[str, float],
    AfterValidator(_freeze),
    PlainSerializer(dict, return_type=dict),
]
FrozenRanges = Annotated[
    dict[str, tuple[float, float]],
    AfterValidator(_freeze),
    PlainSerializer(dict, return_type=dict),
]
FrozenStrings = Annotated[
    dict[str, str],
    AfterValidator(_freeze),
    PlainSerializer(dict, return_type=dict),
]

Id = Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
Share = Annotated[float, Field(ge=0.0, le=1.0)]


class _Model(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, allow_inf_nan=False
    )


# ---------------------------------------------------------------------------------------------
# The format


class Meta(_Model):
    """The ``[scenario]`` table: what moment this is."""

    id: Id
    title: str
    as_of: date | None = None
    description: str = ""
    disputed_state: str | None = Field(
        default=None, description="Actor id of the state whose territory is disputed."
    )
    aggressor: str | None = Field(
        default=None, description="Actor id of the state that attacks (guarantee game)."
    )


class Dimension(_Model):
    """An issue dimension: a 0-100 scale with anchored points."""

    id: Id
    name: str = ""
    description: str = ""
    anchors: FrozenStrings = Field(default_factory=dict, validate_default=True)
    scale_from: tuple[float, float] | None = Field(
        default=None,
        description="The original units [low, high] that 0 and 100 stand for, when the data "
        "were mapped onto 0-100 (results can be shown in the original units).",
    )

    @field_validator("anchors")
    @classmethod
    def _anchor_keys(cls, v: Mapping[str, str]) -> Mapping[str, str]:
        for key in v:
            try:
                point = float(key)
            except ValueError:
                raise ValueError(f"anchor key {key!r} is not a number on the 0-100 scale") from None
            if not SCALE_MIN <= point <= SCALE_MAX:
                raise ValueError(f"anchor key {key!r} lies outside 0-100")
        return v


class StatusQuo(_Model):
    """The no-deal point and whether fighting continues without a deal."""

    position: FrozenFloats
    fighting: bool = True
    source: str = ""


_RED_LINE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9_.\-]*)\s*(<=|>=)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*$")


@dataclass(frozen=True)
class RedLine:
    """A bound on one dimension an actor will not accept a settlement outside of."""

    dimension: str
    op: Literal["<=", ">="]
    bound: float

    @classmethod
    def parse(cls, text: str) -> RedLine:
        m = _RED_LINE.match(text)
        if not m:
            raise ValueError(
                f"red line {text!r} is not of the form 'dimension >= number' or "
                "'dimension <= number'"
            )
        op: Literal["<=", ">="] = "<=" if m.group(2) == "<=" else ">="
        return cls(m.group(1), op, float(m.group(3)))

    def violation(self, value: float) -> float:
        """How far ``value`` lies beyond the line (0 when it respects it)."""
        if self.op == ">=":
            return max(0.0, self.bound - value)
        return max(0.0, value - self.bound)

    def __str__(self) -> str:
        return f"{self.dimension} {self.op} {self.bound:g}"


def _check_red_line(text: str) -> str:
    rl = RedLine.parse(text)
    if not SCALE_MIN <= rl.bound <= SCALE_MAX:
        raise ValueError(f"red line {text!r}: bound lies outside 0-100")
    return text


RedLineText = Annotated[str, AfterValidator(_check_red_line)]

Distribution = Literal["uniform", "triangular"]

#: prefixes of an actor's range keys that are not positions (``salience.alliance``)
RANGE_PREFIXES = ("salience", "red_line")


def flatten_range(value: Any) -> Any:
    """``{salience = {alliance = [a, b]}}`` -> ``{"salience.alliance": [a, b]}``.

    TOML reads the dotted key ``salience.alliance = [a, b]`` as a nested table; the quoted key
    ``"salience.alliance" = [a, b]`` as a flat one. Both mean the same range, so both are
    accepted and stored flat. Anything else is left for validation to report.
    """
    if not isinstance(value, Mapping):
        return value
    out: dict[str, Any] = {}
    for k, v in value.items():
        if isinstance(v, Mapping):
            for sub, bounds in v.items():
                out[f"{k}.{sub}"] = bounds
        else:
            out[str(k)] = v
    return out


class Actor(_Model):
    """A party to the negotiation (a state, a bloc, a leader)."""

    id: Id
    name: str = ""
    kind: str = ""
    capability: float = Field(ge=0.0, description="Influence on the negotiation, >= 0.")
    war_cost: float = Field(
        default=0.0,
        ge=0.0,
        description="Cost of continued war on the 0-100 utility scale (specs/preferences.md).",
    )
    position: FrozenFloats
    salience: FrozenFloats
    red_lines: tuple[RedLineText, ...] = ()
    range: FrozenRanges = Field(
        default_factory=dict,
        validate_default=True,
        description="Plausible [low, high] of a dimension's position (key: the dimension id), "
        "'war_cost', 'capability', a salience ('salience.<dimension>') or the bound of the "
        "actor's red line on a dimension ('red_line.<dimension>').",
    )
    distribution: FrozenStrings = Field(
        default_factory=dict,
        validate_default=True,
        description="Range key -> 'uniform' or 'triangular' (mode at the central value); "
        "default: [monte_carlo] distribution.",
    )
    source: str = ""
    red_line_source: str = ""

    @field_validator("range", "distribution", mode="before")
    @classmethod
    def _flat_range(cls, v: Any) -> Any:
        return flatten_range(v)

    @field_validator("distribution")
    @classmethod
    def _distribution_names(cls, v: Mapping[str, str]) -> Mapping[str, str]:
        for key, name in v.items():
            if name not in ("uniform", "triangular"):
                raise ValueError(f"{key}: distribution {name!r} is not 'uniform' or 'triangular'")
        return v

    @property
    def parsed_red_lines(self) -> tuple[RedLine, ...]:
        return tuple(RedLine.parse(t) for t in self.red_lines)


class TerritoryUnit(_Model):
    """A first-level unit of the disputed state."""

    code: Id
    name: str = ""
    area_km2: float = Field(gt=0.0)
    population: float = Field(ge=0.0)
    controlled_share: Share = Field(
        description="Share of the unit's area under the defending government's control."
    )
    controlled_share_range: tuple[Share, Share] | None = None
    controlled_population_share: Share | None = Field(
        default=None,
        description="Share of the population under government control; if absent, the area "
        "share is used (an approximation: population is assumed spread evenly by area).",
    )
    claimed_by_aggressor: bool = False
    source: str = ""


InvitationScope = Literal["recognized", "controlled", "none"]
GuaranteeScope = Literal["recognized", "controlled", "bilateral", "none"]
TerritorialTerms = Literal[
    "ceded-claimed",
    "ceded-occupied",
    "ceded-occupied-de-facto",
    "ceded-occupied-implicitly",
    "claim-kept",
    "partial-return",
    "restored",
]
Mechanism = Literal[
    "monitoring",
    "dmz",
    "peacekeepers",
    "third_party_guarantee",
    "joint_commission",
    "collective_defence",
]
Sequencing = Literal["ceasefire-first", "guarantee-first", "open", "n/a"]


class Proposal(_Model):
    """A proposal on the table: structured terms and a position on every dimension."""

    id: Id
    label: str = ""
    proposer: str | None = None
    invitation: InvitationScope = "none"
    guarantee: GuaranteeScope = "none"
    territory: TerritorialTerms = "claim-kept"
    returned: FrozenFloats = Field(
        default_factory=dict,
        validate_default=True,
        description="For 'partial-return': unit code -> share of the unit's occupied area "
        "returned.",
    )
    mechanisms: tuple[Mechanism, ...] = ()
    ceasefire_before_accession: Sequencing = "n/a"
    position: FrozenFloats
    requires: tuple[str, ...] = ()
    rationale: str = ""


class Institution(_Model):
    """A body whose consent a proposal may need, with its decision rule."""

    id: Id
    name: str = ""
    rule: Literal["unanimity", "all", "qualified-majority"]
    members: tuple[str, ...] = Field(min_length=1)
    weights: FrozenFloats = Field(
        default_factory=dict,
        validate_default=True,
        description="qualified-majority: member -> voting weight (default 1 each).",
    )
    threshold: float | None = Field(
        default=None,
        gt=0.0,
        le=1.0,
        description="qualified-majority: share of the total weight that must accept.",
    )
    min_count: int | None = Field(default=None, ge=1)
    source: str = ""


class Ranged(_Model):
    """A model input with a central value (single runs) and an optional Monte Carlo range."""

    central: float
    range: tuple[float, float] | None = None
    distribution: Distribution | None = Field(
        default=None,
        description="'uniform' or 'triangular' (mode at the central value); default: "
        "[monte_carlo] distribution.",
    )
    source: str = ""


DETERRENCE_INPUTS = GAME_PARAMETERS
DURABILITY_INPUTS = DURABILITY_PARAMETERS


class DeterrenceInputs(_Model):
    """The ``[deterrence]`` table: inputs of the guarantee game (specs/deterrence.md §1).

    Any input left out takes the spec's default; ``c1`` defaults to the aggressor's
    ``war_cost / 100`` with its range.
    """

    aggressor: str | None = Field(
        default=None, description="Actor id of the aggressor (default: scenario.aggressor)."
    )
    v: Ranged | None = None
    p1: Ranged | None = None
    p2: Ranged | None = None
    c1: Ranged | None = None
    c2: Ranged | None = None
    q: Ranged | None = None
    lam: Ranged | None = None


class DurabilityInputs(_Model):
    """The ``[durability]`` table: priors of the Weibull survival model (§2)."""

    k: Ranged | None = None
    p5_bare: Ranged | None = None
    floor: Ranged | None = None
    hr_monitoring: Ranged | None = None
    hr_dmz: Ranged | None = None
    hr_peacekeepers: Ranged | None = None
    hr_third_party_guarantee: Ranged | None = None
    hr_joint_commission: Ranged | None = None
    hr_collective_defence: Ranged | None = None


class MonteCarlo(_Model):
    """The ``[monte_carlo]`` table: draws and seed of the built-in uncertainty."""

    draws: int = Field(default=2000, ge=10, le=1_000_000)
    seed: int = Field(default=20241130, ge=0)
    distribution: Distribution = Field(
        default="uniform",
        description="Default distribution of every range in sweeps: 'uniform' between low and "
        "high, or 'triangular' with its mode at the central value.",
    )


class Source(_Model):
    """A source key and its citation."""

    key: str
    citation: str
    locator: str = ""
    notes: str = ""


class Scenario(_Model):
    """A whole scenario, validated and immutable."""

    scenario: Meta
    dimensions: tuple[Dimension, ...] = Field(min_length=1)
    status_quo: StatusQuo
    actors: tuple[Actor, ...] = Field(min_length=1)
    territory: tuple[TerritoryUnit, ...] = ()
    proposals: tuple[Proposal, ...] = ()
    institutions: tuple[Institution, ...] = ()
    deterrence: DeterrenceInputs = Field(default_factory=DeterrenceInputs)
    durability: DurabilityInputs = Field(default_factory=DurabilityInputs)
    monte_carlo: MonteCarlo = Field(default_factory=MonteCarlo)
    sources: tuple[Source, ...] = ()

    @property
    def id(self) -> str:
        return self.scenario.id

    @property
    def dimension_ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.dimensions)

    @property
    def actor_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.actors)

    def actor(self, actor_id: str) -> Actor:
        for a in self.actors:
            if a.id == actor_id:
                return a
        raise KeyError(actor_id)

    def institution(self, institution_id: str) -> Institution:
        for i in self.institutions:
            if i.id == institution_id:
                return i
        raise KeyError(institution_id)


# ---------------------------------------------------------------------------------------------
# Cross-checks on the raw data (they run even when the structure has errors)


def _items(raw: Mapping[str, Any], key: str) -> list[tuple[int, Mapping[str, Any]]]:
    value = raw.get(key)
    if not isinstance(value, list):
        return []
    return [(i, v) for i, v in enumerate(value) if isinstance(v, Mapping)]


def _ids(raw: Mapping[str, Any], key: str, field: str = "id") -> list[str]:
    return [str(v[field]) for _, v in _items(raw, key) if isinstance(v.get(field), str)]


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _check_actor_ranges(
    base: str, a: Mapping[str, Any], dims: list[str], dimset: set[str]
) -> list[Problem]:
    """Range keys name an input of the actor, bounds are ordered and hold the central value."""
    problems: list[Problem] = []
    rng = flatten_range(a.get("range"))
    if not isinstance(rng, Mapping):
        return problems
    red_lines: dict[str, list[RedLine]] = {}
    for text in a.get("red_lines") or []:
        if isinstance(text, str):
            try:
                rl = RedLine.parse(text)
            except ValueError:
                continue
            red_lines.setdefault(rl.dimension, []).append(rl)
    for k, bounds in rng.items():
        p = f"{base}.range.{k}"
        centre: Any = None
        on_scale = False
        prefix, _, dim = k.partition(".")
        if k in dimset:
            pos = a.get("position")
            centre = pos.get(k) if isinstance(pos, Mapping) else None
            on_scale = True
        elif k in ("war_cost", "capability"):
            centre = a.get(k, 0.0 if k == "war_cost" else None)
        elif prefix in RANGE_PREFIXES and dim:
            if dims and dim not in dimset:
                problems.append(Problem(p, f"unknown dimension {dim!r}"))
                continue
            on_scale = True
            if prefix == "salience":
                sal = a.get("salience")
                centre = sal.get(dim) if isinstance(sal, Mapping) else None
            else:
                lines = red_lines.get(dim, [])
                if len(lines) != 1:
                    problems.append(
                        Problem(
                            p,
                            f"the actor has no red line on {dim!r} to range"
                            if not lines
                            else f"the actor has {len(lines)} red lines on {dim!r}: ambiguous",
                        )
                    )
                    continue
                centre = lines[0].bound
        else:
            problems.append(
                Problem(
                    p,
                    f"unknown dimension or input {k!r} (a dimension id, war_cost, capability, "
                    "salience.<dimension> or red_line.<dimension>)",
                )
            )
            continue
        if isinstance(bounds, list) and len(bounds) == 2 and all(_is_number(b) for b in bounds):
            lo, hi = bounds
            if lo > hi:
                problems.append(Problem(p, f"low {lo} is above high {hi}"))
            elif _is_number(centre) and not lo <= centre <= hi:
                problems.append(Problem(p, f"central value {centre} lies outside [{lo}, {hi}]"))
            if on_scale and (lo < SCALE_MIN or hi > SCALE_MAX):
                problems.append(Problem(p, "range lies outside the 0-100 scale"))
            elif not on_scale and lo < 0:
                problems.append(Problem(p, "range must not go below 0"))
    dist = flatten_range(a.get("distribution"))
    if isinstance(dist, Mapping):
        for k in dist:
            if k not in rng:
                problems.append(
                    Problem(f"{base}.distribution.{k}", f"no range {k!r} to give a distribution")
                )
    return problems


def _cross_check(raw: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    dims = _ids(raw, "dimensions")
    dimset = set(dims)
    actor_ids = _ids(raw, "actors")
    actorset = set(actor_ids)
    inst_ids = _ids(raw, "institutions")

    for key, field in (
        ("dimensions", "id"),
        ("actors", "id"),
        ("proposals", "id"),
        ("institutions", "id"),
        ("territory", "code"),
    ):
        seen: set[str] = set()
        for i, item in _items(raw, key):
            v = item.get(field)
            if isinstance(v, str):
                if v in seen:
                    problems.append(Problem(f"{key}[{i}].{field}", f"duplicate id {v!r}"))
                seen.add(v)

    def check_point(path: str, point: Any, what: str, check_range: bool = True) -> None:
        if not isinstance(point, Mapping):
            return  # the structural pass reports it
        for d in dims:
            if d not in point:
                problems.append(Problem(f"{path}.{d}", f"missing ({what} on every dimension)"))
            elif check_range and _is_number(point[d]) and not SCALE_MIN <= point[d] <= SCALE_MAX:
                problems.append(Problem(f"{path}.{d}", f"{point[d]} lies outside the 0-100 scale"))
        for k in point:
            if dims and k not in dimset:
                problems.append(Problem(f"{path}.{k}", f"unknown dimension {k!r}"))

    sq = raw.get("status_quo")
    if isinstance(sq, Mapping):
        check_point("status_quo.position", sq.get("position"), "the no-deal point")

    for i, a in _items(raw, "actors"):
        base = f"actors[{i}]"
        check_point(f"{base}.position", a.get("position"), "a position")
        check_point(f"{base}.salience", a.get("salience"), "a salience")
        for j, text in enumerate(a.get("red_lines") or []):
            if isinstance(text, str):
                try:
                    rl = RedLine.parse(text)
                except ValueError:
                    continue  # reported by the structural pass
                if dims and rl.dimension not in dimset:
                    problems.append(
                        Problem(f"{base}.red_lines[{j}]", f"unknown dimension {rl.dimension!r}")
                    )
        problems.extend(_check_actor_ranges(base, a, dims, dimset))

    for i, t in _items(raw, "territory"):
        r = t.get("controlled_share_range")
        c = t.get("controlled_share")
        if isinstance(r, list) and len(r) == 2 and all(_is_number(b) for b in r):
            if r[0] > r[1]:
                problems.append(
                    Problem(f"territory[{i}].controlled_share_range", "low is above high")
                )
            elif _is_number(c) and not r[0] <= c <= r[1]:
                problems.append(
                    Problem(
                        f"territory[{i}].controlled_share_range",
                        f"central value {c} lies outside [{r[0]}, {r[1]}]",
                    )
                )

    codes = set(_ids(raw, "territory", "code"))
    for i, p in _items(raw, "proposals"):
        base = f"proposals[{i}]"
        check_point(f"{base}.position", p.get("position"), "a position")
        proposer = p.get("proposer")
        if isinstance(proposer, str) and proposer not in actorset:
            problems.append(Problem(f"{base}.proposer", f"unknown actor {proposer!r}"))
        for j, inst in enumerate(p.get("requires") or []):
            if isinstance(inst, str) and inst not in inst_ids:
                problems.append(Problem(f"{base}.requires[{j}]", f"unknown institution {inst!r}"))
        returned = p.get("returned")
        if isinstance(returned, Mapping):
            for code, share in returned.items():
                if code not in codes:
                    problems.append(
                        Problem(f"{base}.returned.{code}", f"unknown territory unit {code!r}")
                    )
                elif _is_number(share) and not 0 <= share <= 1:
                    problems.append(Problem(f"{base}.returned.{code}", "share outside [0, 1]"))
        if (
            isinstance(returned, Mapping)
            and returned
            and p.get("territory", "claim-kept") != "partial-return"
        ):
            problems.append(
                Problem(f"{base}.returned", "only meaningful with territory = 'partial-return'")
            )
        covers = p.get("invitation", "none") != "none" or p.get("guarantee", "none") in (
            "recognized",
            "controlled",
        )
        if covers and not codes:
            problems.append(
                Problem(
                    f"{base}",
                    "an invitation or collective-defence guarantee needs [[territory]] units",
                )
            )

    for i, inst in _items(raw, "institutions"):
        base = f"institutions[{i}]"
        members = inst.get("members") or []
        seen_m: set[str] = set()
        for j, m in enumerate(members if isinstance(members, list) else []):
            if isinstance(m, str):
                if m not in actorset:
                    problems.append(Problem(f"{base}.members[{j}]", f"unknown actor {m!r}"))
                if m in seen_m:
                    problems.append(Problem(f"{base}.members[{j}]", f"duplicate member {m!r}"))
                seen_m.add(m)
        weights = inst.get("weights")
        if isinstance(weights, Mapping):
            for m, w in weights.items():
                if m not in seen_m:
                    problems.append(Problem(f"{base}.weights.{m}", f"{m!r} is not a member"))
                elif _is_number(w) and w < 0:
                    problems.append(Problem(f"{base}.weights.{m}", "weight must be >= 0"))
        if inst.get("rule") == "qualified-majority" and inst.get("threshold") is None:
            problems.append(
                Problem(f"{base}.threshold", "missing (required by qualified-majority)")
            )
        if inst.get("rule") in ("unanimity", "all") and (
            inst.get("threshold") is not None or weights
        ):
            problems.append(
                Problem(f"{base}", "weights and threshold apply only to qualified-majority")
            )

    for table in ("deterrence", "durability"):
        inputs = raw.get(table)
        if not isinstance(inputs, Mapping):
            continue
        for name, spec in inputs.items():
            if not isinstance(spec, Mapping):
                continue
            r, c = spec.get("range"), spec.get("central")
            if isinstance(r, list) and len(r) == 2 and all(_is_number(b) for b in r):
                where = f"{table}.{name}.range"
                if r[0] > r[1]:
                    problems.append(Problem(where, f"low {r[0]} is above high {r[1]}"))
                elif _is_number(c) and not r[0] <= c <= r[1]:
                    problems.append(
                        Problem(where, f"central value {c} lies outside [{r[0]}, {r[1]}]")
                    )
    det = raw.get("deterrence")
    if (
        isinstance(det, Mapping)
        and isinstance(det.get("aggressor"), str)
        and det["aggressor"] not in actorset
    ):
        problems.append(Problem("deterrence.aggressor", f"unknown actor {det['aggressor']!r}"))

    meta = raw.get("scenario")
    if isinstance(meta, Mapping):
        for field in ("disputed_state", "aggressor"):
            v = meta.get(field)
            if isinstance(v, str) and v not in actorset:
                problems.append(Problem(f"scenario.{field}", f"unknown actor {v!r}"))
    return problems


# ---------------------------------------------------------------------------------------------
# Loading


def _pydantic_problems(err: ValidationError) -> list[Problem]:
    out = []
    for e in err.errors(include_url=False):
        loc = [p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        msg = e["msg"]
        if e["type"] == "missing":
            msg = "missing"
        elif e["type"] == "extra_forbidden":
            msg = "unknown field"
        elif e["type"] == "too_short":
            n = (e.get("ctx") or {}).get("min_length", 1)
            msg = "must not be empty" if n == 1 else f"needs at least {n} entries"
        elif msg.startswith("Value error, "):
            msg = msg.removeprefix("Value error, ")
        out.append(Problem(_path(loc), msg))
    return out


def from_dict(raw: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a parsed scenario; raise :class:`ScenarioError` with every problem."""
    problems: list[Problem] = []
    scenario: Scenario | None = None
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as err:
        problems.extend(_pydantic_problems(err))
    seen = {(p.path, p.message) for p in problems}
    for p in _cross_check(raw):
        if (p.path, p.message) not in seen:
            problems.append(p)
            seen.add((p.path, p.message))
    if problems or scenario is None:
        raise ScenarioError(source, problems)
    return scenario


def loads(text: str, source: str = "<scenario>") -> Scenario:
    """Parse TOML text into a validated :class:`Scenario`."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(source, [Problem("", f"TOML syntax error: {err}")]) from None
    return from_dict(raw, source)


def builtin_ids() -> tuple[str, ...]:
    """Ids of the scenarios shipped with the package."""
    folder = resources.files("ceasefire.builtin")
    return tuple(
        sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))
    )


def builtin_text(scenario_id: str) -> str:
    """The TOML text of a built-in scenario."""
    if scenario_id not in builtin_ids():
        raise ScenarioError(
            scenario_id,
            [
                Problem(
                    "",
                    f"no such file, and not a built-in scenario (built-in: "
                    f"{', '.join(builtin_ids())})",
                )
            ],
        )
    return (resources.files("ceasefire.builtin") / f"{scenario_id}.toml").read_text("utf-8")


@dataclass(frozen=True)
class Loaded:
    """A scenario with where it came from and the sha256 of its text."""

    scenario: Scenario
    source: str
    sha256: str
    text: str


def read(ref: str | Path) -> Loaded:
    """Load a scenario from a file path or a built-in id (I/O edge)."""
    path = Path(ref)
    if path.suffix == ".toml" or path.exists():
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ScenarioError(str(ref), [Problem("", "file not found")]) from None
        except IsADirectoryError:
            raise ScenarioError(str(ref), [Problem("", "is a directory, not a file")]) from None
        except OSError as err:
            raise ScenarioError(str(ref), [Problem("", f"cannot read: {err.strerror}")]) from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise ScenarioError(
                str(ref), [Problem("", f"not UTF-8 text (byte {err.start})")]
            ) from None
        source = str(ref)
    else:
        text = builtin_text(str(ref))
        source = str(ref)
    scenario = loads(text, source)
    return Loaded(scenario, source, hashlib.sha256(text.encode("utf-8")).hexdigest(), text)


def load(ref: str | Path) -> Scenario:
    """Load a scenario from a file path or a built-in id."""
    return read(ref).scenario


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the scenario format."""
    return Scenario.model_json_schema()


# ---------------------------------------------------------------------------------------------
# Writing


_BARE_KEY = re.compile(r"^[A-Za-z0-9_\-]+$")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("TOML scenario values must be finite")
        return repr(value)
    if isinstance(value, str):
        # JSON string escapes are a subset of TOML basic-string escapes
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def dumps(raw: Mapping[str, Any], header: str = "") -> str:
    """Write a scenario's raw mapping as TOML: tables, arrays of tables, inline sub-tables.

    The inverse of ``tomllib.loads`` for the scenario format (``loads(dumps(d))`` gives ``d``).
    """
    scalars: list[str] = []
    out: list[str] = []
    for key, value in raw.items():
        if isinstance(value, Mapping):
            body = "".join(f"{_toml_key(k)} = {_toml_value(v)}\n" for k, v in value.items())
            out.append(f"[{_toml_key(key)}]\n{body}")
        elif (
            isinstance(value, list | tuple) and value and all(isinstance(v, Mapping) for v in value)
        ):
            for item in value:
                body = "".join(f"{_toml_key(k)} = {_toml_value(v)}\n" for k, v in item.items())
                out.append(f"[[{_toml_key(key)}]]\n{body}")
        else:
            scalars.append(f"{_toml_key(key)} = {_toml_value(value)}\n")
    head = [header.rstrip() + "\n"] if header else []
    return "\n".join([*head, *(["".join(scalars)] if scalars else []), *out])
