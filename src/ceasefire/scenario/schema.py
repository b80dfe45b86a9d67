"""The scenario format: pydantic models of a moment of a war, validated and immutable.

This module is the single source of every name the format defines: the Literals of proposal
terms, mechanisms and distributions (``MECHANISMS = get_args(Mechanism)``), the red-line
grammar, the proposal defaults, the names of the deterrence and durability inputs
(``DETERRENCE_INPUTS``, ``DURABILITY_INPUTS``; the numerical models import them from here),
the codes and fields of the analyst warnings, and the ``[[observed]]`` rows of a historical
case (docs/specs/observed.md). It imports no numerical model and does no I/O.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType, UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

SCALE_MIN = 0.0
SCALE_MAX = 100.0

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


def _number_at(annotation: Any, top: bool) -> bool:
    """Whether a number is read at the top of a field's type (``top``) or anywhere in it."""
    if annotation is float or annotation is int:
        return True
    if isinstance(annotation, type):
        return False  # bool, str, a nested model (it checks its own fields), ...
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _number_at(args[0], top)
    if top and origin not in (Union, UnionType):
        return False  # a container: pydantic's own "must be a list" error is the better one
    return any(_number_at(a, top) for a in args)


def _misread_bool(annotation: Any, value: Any) -> bool:
    """True where pydantic's lax mode would read a ``true``/``false`` as a number."""
    if isinstance(value, bool):
        return _number_at(annotation, top=True)
    items = value.values() if isinstance(value, Mapping) else value
    if isinstance(value, list | tuple | Mapping) and any(isinstance(v, bool) for v in items):
        return _number_at(annotation, top=False)  # a nested model's type is no number: it checks
    return False


class _Model(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, allow_inf_nan=False
    )

    @model_validator(mode="before")
    @classmethod
    def _no_bool_as_number(cls, data: Any) -> Any:
        # pydantic's lax mode reads true as 1.0: a "central = true" typo would pass as a number
        if not isinstance(data, Mapping):
            return data
        for name, value in data.items():
            field = cls.model_fields.get(name) if isinstance(name, str) else None
            if field is not None and _misread_bool(field.annotation, value):
                raise ValueError(f"{name}: true/false where a number or text belongs")
        return data


# ---------------------------------------------------------------------------------------------
# The format


class Meta(_Model):
    """The ``[scenario]`` table: what moment this is."""

    id: Id
    title: str
    as_of: dt.date | None = None
    description: str = ""
    disputed_state: str | None = Field(
        default=None, description="Actor id of the state whose territory is disputed."
    )
    aggressor: str | None = Field(
        default=None, description="Actor id of the state that attacks (guarantee game)."
    )
    ceasefire_dimension: str | None = Field(
        default=None,
        description="The dimension whose value 0 means 'fighting continues': a proposal at 0 "
        "on it does not end the war (docs/specs/preferences.md, 'Peace only counts when it "
        "comes').",
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


#: the red-line grammar ``dimension <= number`` / ``dimension >= number``: the head (dimension
#: and operator) is shared with the web editor, which splits cells before they are numbers
RED_LINE_HEAD = r"^\s*([A-Za-z0-9][A-Za-z0-9_.\-]*)\s*(<=|>=)\s*"
_RED_LINE = re.compile(RED_LINE_HEAD + r"(-?[0-9]+(?:\.[0-9]+)?)\s*$")
#: the same grammar with the bound left as typed (group 3), for tolerant splitting
RED_LINE_LOOSE = re.compile(RED_LINE_HEAD + r"(.*)$")


@dataclass(frozen=True)
class RedLine:
    """A bound on one dimension an actor will not accept a settlement outside of."""

    dimension: str
    op: Literal["<=", ">="]
    bound: float
    #: ``hard`` (never accepted beyond the bound) or ``soft`` (``penalty`` utility per point)
    kind: str = "hard"
    #: utility lost per scale point beyond the bound (``inf``: hard; docs/specs/preferences.md)
    penalty: float = float("inf")
    #: probability that the line holds at all (sweeps draw it; a single run assumes it holds)
    probability: float = 1.0
    #: the source of the line's kind, penalty and probability, and the basis of the coding
    source: str = ""
    basis: str = ""

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
DISTRIBUTIONS: tuple[str, ...] = get_args(Distribution)

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


#: capabilities are relative (the built-ins use 0-100); at most 1e12 (judgement) so that sums
#: and products over MAX_ACTORS actors stay finite (1e308 gave NaN forecasts: reliability.md)
MAX_CAPABILITY = 1e12
#: war cost on the 0-100 utility scale may exceed the scale, but at most 1e6 (judgement): the
#: guarantee game's c1 = war_cost / 100 then stays within its domain (MODEL_INPUT_DOMAINS)
MAX_WAR_COST = 1e6


class Actor(_Model):
    """A party to the negotiation (a state, a bloc, a leader)."""

    id: Id
    name: str = ""
    kind: str = ""
    capability: float = Field(
        ge=0.0,
        le=MAX_CAPABILITY,
        description="Influence on the negotiation, >= 0 (relative; at most 1e12).",
    )
    war_cost: float = Field(
        default=0.0,
        ge=0.0,
        le=MAX_WAR_COST,
        description="Cost of continued war on the 0-100 utility scale (docs/specs/preferences.md).",
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
    #: components a capability rule combines (issue 16): name -> value on the rule's stated
    #: scale (the built-in: shares of the US value of GDP, defence spending, aid; gatekeeping)
    capability_inputs: Annotated[
        dict[str, Annotated[float, Field(ge=0.0, le=MAX_CAPABILITY)]],
        AfterValidator(_freeze),
        PlainSerializer(dict, return_type=dict),
    ] = Field(
        default_factory=dict,
        validate_default=True,
        description="Components a capability rule combines, each >= 0 and at most 1e12.",
    )
    red_line_terms: Annotated[
        dict[str, RedLineTerms],
        AfterValidator(_freeze),
        PlainSerializer(dict, return_type=dict),
    ] = Field(
        default_factory=dict,
        validate_default=True,
        description="Dimension -> the kind, penalty, probability and source of the actor's red "
        "line on it (a red line without an entry is hard, holds for sure, source "
        "red_line_source).",
    )

    @field_validator("range", "distribution", mode="before")
    @classmethod
    def _flat_range(cls, v: Any) -> Any:
        return flatten_range(v)

    @field_validator("distribution")
    @classmethod
    def _distribution_names(cls, v: Mapping[str, str]) -> Mapping[str, str]:
        for key, name in v.items():
            if name not in DISTRIBUTIONS:
                raise ValueError(
                    f"{key}: distribution {name!r} is not "
                    + " or ".join(repr(d) for d in DISTRIBUTIONS)
                )
        return v

    @property
    def parsed_red_lines(self) -> tuple[RedLine, ...]:
        """The red lines with their terms (``red_line_terms[<dimension>]``; default hard)."""
        out = []
        for t in self.red_lines:
            rl = RedLine.parse(t)
            terms = self.red_line_terms.get(rl.dimension)
            if terms is not None:
                rl = terms.apply(rl)
            elif self.red_line_source:
                rl = dataclasses.replace(rl, source=self.red_line_source)
            out.append(rl)
        return tuple(out)


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
    belongs_to: Literal["defender", "aggressor"] = Field(
        default="defender",
        description="Whose recognised territory the unit is: 'defender' (a unit of the "
        "disputed state) or 'aggressor' (the aggressor's own territory, of which the "
        "defender holds controlled_share, e.g. a salient held as a bargaining chip). "
        "Aggressor units count in no share of the recognised territory.",
    )


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
MECHANISMS: tuple[str, ...] = get_args(Mechanism)


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
    unit_terms: tuple[UnitTerm, ...] = Field(
        default=(),
        description="Territorial terms per unit or part of a unit ([[proposals.unit_terms]]); "
        "units not named follow the shorthand 'territory' (docs/specs/coverage.md).",
    )
    halts_arms_deliveries: bool = Field(
        default=False,
        description="The proposal halts foreign arms deliveries to the defender (the commitment "
        "problem's power shift stops; docs/specs/durability.md §3).",
    )
    commitments: tuple[Commitment, ...] | None = Field(
        default=None,
        description="The guarantee as a list of commitments (docs/specs/deterrence.md §4.4); "
        "default: the `guarantee` shorthand.",
    )
    conditions: tuple[Condition, ...] = Field(
        default=(), description="The guarantee's conditions on the protégé (§4.2)."
    )
    defining_terms: tuple[RedLineText, ...] = Field(
        default=(),
        description="Positions the proposal must not leave to stay itself (red-line grammar, "
        "e.g. 'alliance >= 60'): rescues that keep them search only among these settlements.",
    )


#: the format's defaults of a proposal's terms (what a proposal that says nothing means)
PROPOSAL_TERM_DEFAULTS: Mapping[str, str] = MappingProxyType(
    {
        key: Proposal.model_fields[key].default
        for key in ("invitation", "guarantee", "territory", "ceasefire_before_accession")
    }
)


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


class DeterrenceInputs(_Model):
    """The ``[deterrence]`` table: inputs of the guarantee game (docs/specs/deterrence.md §1).

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


#: names of the guarantee game's inputs (docs/specs/deterrence.md §1), in the model's order;
#: ``ceasefire.deterrence.GAME_PARAMETERS`` is this tuple
DETERRENCE_INPUTS: tuple[str, ...] = tuple(
    name for name in DeterrenceInputs.model_fields if name != "aggressor"
)
#: names of the durability model's inputs (§2): shape, bare-ceasefire breakdown, floor and one
#: hazard ratio per mechanism, ``hr_<mechanism>`` in the order of ``MECHANISMS``;
#: ``ceasefire.durability.DURABILITY_PARAMETERS`` is this tuple
DURABILITY_INPUTS: tuple[str, ...] = tuple(DurabilityInputs.model_fields)


@dataclass(frozen=True)
class Domain:
    """The values a model input may take: ``low``..``high``, each end open or closed, and why.

    The spec's domain (a probability lies in [0, 1], a cost is not negative, a Weibull shape is
    positive) narrowed, where the spec leaves it open, to a span that keeps every output of the
    model finite in float64 (labelled judgement in ``why``).
    """

    low: float
    high: float
    why: str
    low_open: bool = False
    high_open: bool = False

    def contains(self, x: float) -> bool:
        above = x > self.low if self.low_open else x >= self.low
        below = x < self.high if self.high_open else x <= self.high
        return above and below

    def __str__(self) -> str:
        left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
        return f"{left}{self.low:g}, {self.high:g}{right}"


_DET = "docs/specs/deterrence.md §1"
_DUR = "docs/specs/deterrence.md §2"
#: utility inputs of the game are bounded at 1e12 utility units (judgement: a whole-range move
#: on every salient dimension is 1, preferences.md; the spec's limit c2 -> inf is reached long
#: before), so that expected utilities and λ·EU stay finite
_UTILITY = Domain(0.0, 1e12, f"{_DET}: utility units, not negative; at most 1e12 (judgement)")
_PROBABILITY = Domain(0.0, 1.0, f"{_DET}: a probability")
#: hazard ratios between 1/1000 and 1000 (judgement; the spec's priors are 0.2-0.9): with
#: k >= 0.1 the scale η·HR^(-1/k) and Γ(1 + 1/k) stay finite for any six mechanisms
_HAZARD = Domain(1e-3, 1e3, f"{_DUR}: a hazard ratio, positive; 0.001-1000 (judgement)")

#: the domain of every ``[deterrence]`` and ``[durability]`` input, central value and range
MODEL_INPUT_DOMAINS: Mapping[str, Mapping[str, Domain]] = MappingProxyType(
    {
        "deterrence": MappingProxyType(
            {
                "v": _UTILITY,
                "p1": _PROBABILITY,
                "p2": _PROBABILITY,
                "c1": _UTILITY,
                "c2": _UTILITY,
                "q": Domain(0.0, 1.0, f"{_DET}: credibility, a probability"),
                "lam": Domain(
                    0.0, 1e4, f"{_DET}: logit precision, not negative; at most 1e4 (judgement)"
                ),
            }
        ),
        "durability": MappingProxyType(
            {
                "k": Domain(
                    0.1,
                    10.0,
                    f"{_DUR}: Weibull shape, positive; 0.1-10 (judgement: the prior is 0.5-0.9, "
                    "and below 0.1 Γ(1 + 1/k) and η overflow)",
                ),
                "p5_bare": Domain(
                    1e-3,
                    1 - 1e-3,
                    f"{_DUR}: P(breakdown by 5 years), strictly between 0 and 1; 0.001-0.999 "
                    "(judgement)",
                ),
                "floor": Domain(0.0, 1.0, f"{_DUR}: the floor of the hazard ratio"),
                **{f"hr_{m}": _HAZARD for m in MECHANISMS},
            }
        ),
    }
)


#: the draws a scenario may ask for: 50x the built-ins' 2,000; every proposal draws the game's
#: and the durability model's inputs this many times (100,000 draws of the built-in: about 4 s
#: and 160 MB, so the old limit of 1,000,000 meant about 40 s per run, more with MAX_PROPOSALS)
MAX_SCENARIO_DRAWS = 100_000


class MonteCarlo(_Model):
    """The ``[monte_carlo]`` table: draws and seed of the built-in uncertainty."""

    draws: int = Field(default=2000, ge=10, le=MAX_SCENARIO_DRAWS)
    seed: int = Field(default=20241130, ge=0)
    distribution: Distribution = Field(
        default="uniform",
        description="Default distribution of every range in sweeps: 'uniform' between low and "
        "high, or 'triangular' with its mode at the central value.",
    )


#: what a source is, from the strongest evidence to the weakest; ``secondary-unverified`` is a
#: copy, summary or report whose original publication could not be established (issue 19)
SourceKind = Literal[
    "primary-text",
    "official-statistic",
    "peer-reviewed",
    "news",
    "dataset",
    "analyst-judgement",
    "secondary-unverified",
]
SOURCE_KINDS: tuple[str, ...] = get_args(SourceKind)
#: how the report names each kind
SOURCE_KIND_LABELS: dict[str, str] = {
    "primary-text": "primary text",
    "official-statistic": "official statistic",
    "peer-reviewed": "peer-reviewed",
    "news": "wire / newspaper",
    "dataset": "dataset",
    "analyst-judgement": "analyst judgement",
    "secondary-unverified": "secondary, unverified",
}


class Source(_Model):
    """A source key and its citation, with its publication date and kind.

    ``locator`` is the original publication: the publisher's URL, the DOI or the official
    reference; ``archived`` the copy actually read when it is not the original (a mirror or an
    archive), so that the citation points to the publisher and still says what was read.
    ``published`` (a TOML date) lets a historical case show that its inputs use only sources
    published on or before ``[scenario] as_of`` (docs/specs/observed.md); ``hindsight`` marks a
    later source that an input uses all the same, so that the report can say so. ``kind`` and
    ``published`` are optional in a user's scenario (a case must date every source); every
    built-in scenario gives both (tests/unit/test_builtin_sources.py).
    """

    key: str
    citation: str
    locator: str = ""
    archived: str = Field(
        default="",
        description="The copy actually read (mirror, archive) when it is not the original "
        "publication named by locator.",
    )
    notes: str = ""
    kind: SourceKind | None = Field(
        default=None,
        description="primary-text, official-statistic, peer-reviewed, news, dataset, "
        "analyst-judgement or secondary-unverified (no original publication established).",
    )
    published: dt.date | None = None
    hindsight: bool = Field(
        default=False,
        description="The source was published after [scenario] as_of and an input uses it on "
        "purpose (e.g. a later compilation of data from before as_of); without this flag an "
        "input citing a source published after as_of is an error.",
    )


class MapSpec(_Model):
    """The ``[map]`` table: the geometry the report draws the territory units on.

    ``geometry`` is ``"builtin:<file>"`` for a GeoJSON shipped with the package beside the
    built-in scenarios, else a path relative to the scenario file. Each feature's property
    ``unit_property`` holds the code of a ``[[territory]]`` unit. Without a ``[map]`` table
    the report draws no map and says so.
    """

    geometry: str = Field(min_length=1)
    unit_property: str = Field(min_length=1)
    source: str = ""


#: the prefix of a ``[map] geometry`` shipped with the package
BUILTIN_GEOMETRY = "builtin:"

# ---------------------------------------------------------------------------------------------
# Analyst warnings: stable codes and the fields each carries (the engine fills them; a
# scenario may word them in its own terms, e.g. name the ceding state's legal procedure)

WarningCode = Literal[
    "implicit-concession",
    "partial-guarantee",
    "guarantee-over-occupied",
    "guarantee-during-fighting",
    "guarantee-without-membership",
    "de-jure-cession",
    "de-facto-cession",
    "no-mechanisms",
    "withdrawal",
    "buffer-zone",
    "bargaining-chip",
]
WARNING_CODES: tuple[str, ...] = get_args(WarningCode)

#: the fields of each warning, by code: shares are fractions 0-1 (write ``{x:.1%}``), ``*_km2``
#: areas, ``*_count`` integers; the names in ``WARNING_TEXT_FIELDS`` are text
WARNING_FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "implicit-concession": ("invited_area", "uninvited_area", "uninvited_population"),
        "partial-guarantee": ("guaranteed_area", "unguaranteed_area"),
        "guarantee-over-occupied": ("occupied_now",),
        "guarantee-during-fighting": ("sequencing", "front_count", "front_units"),
        "guarantee-without-membership": (),
        "de-jure-cession": ("ceded_area", "ceded_population", "held_ceded_km2", "withdrawal"),
        "de-facto-cession": ("left_occupied",),
        "no-mechanisms": (),
        "withdrawal": (
            "withdrawn_area",
            "withdrawn_population",
            "withdrawn_km2",
            "withdrawn_units",
        ),
        "buffer-zone": (
            "buffer_area",
            "buffer_km2",
            "buffer_units",
            "demilitarised",
            "administered_by",
        ),
        "bargaining-chip": ("foreign_held_km2", "foreign_returned_km2"),
    }
)
#: warning fields that hold text, not numbers (``withdrawal``: the engine's sentence on the
#: held territory a cession gives up, empty when it gives up none)
WARNING_TEXT_FIELDS = frozenset(
    {
        "sequencing",
        "front_units",
        "withdrawal",
        "withdrawn_units",
        "buffer_units",
        "demilitarised",
        "administered_by",
    }
)


class WarningText(_Model):
    """A scenario's wording of one analyst warning (``[warnings.<code>]``).

    ``text`` is a Python format string over the warning's fields (``WARNING_FIELDS``), e.g.
    ``"Cedes {ceded_area:.1%} ... (Constitution Art. 73)."``; it replaces the engine's generic
    sentence, so country-specific analogies and legal procedures live in the scenario.
    """

    text: str = Field(min_length=1)
    source: str = ""


# ---------------------------------------------------------------------------------------------
# What happened afterwards: the [[observed]] rows of a historical case (docs/specs/observed.md)


class _ObservedRow(_Model):
    id: Id
    proposal: str
    source: str
    date: dt.date | None = Field(default=None, description="When it happened.")
    note: str = ""


class ObservedDecision(_ObservedRow):
    """An institution's decision on a proposal, or the proposal's fate (``institution`` left
    out: passed = every required institution passed)."""

    kind: Literal["decision"]
    institution: str | None = None
    passed: bool
    blockers: tuple[str, ...] = Field(
        default=(), description="The actors that in fact withheld consent (passed = false)."
    )


class ObservedConsentBought(_ObservedRow):
    """Whose consent was obtained by a side payment or concession."""

    kind: Literal["consent-bought"]
    actors: tuple[str, ...] = Field(min_length=1)


class ObservedHeld(_ObservedRow):
    """Did the ceasefire or settlement hold (no return to war) over the horizon."""

    kind: Literal["held"]
    start: dt.date
    horizon_years: float = Field(gt=0.0)
    held: bool


class ObservedAttackCovered(_ObservedRow):
    """Did the aggressor attack territory covered by the proposal's guarantee in the horizon."""

    kind: Literal["attack-covered"]
    start: dt.date
    horizon_years: float = Field(gt=0.0)
    attacked: bool


Observed = Annotated[
    ObservedDecision | ObservedConsentBought | ObservedHeld | ObservedAttackCovered,
    Field(discriminator="kind"),
]
OBSERVED_MODELS: Mapping[str, type[_ObservedRow]] = MappingProxyType(
    {
        "decision": ObservedDecision,
        "consent-bought": ObservedConsentBought,
        "held": ObservedHeld,
        "attack-covered": ObservedAttackCovered,
    }
)
OBSERVED_KINDS: tuple[str, ...] = tuple(OBSERVED_MODELS)


class ActorGroup(_Model):
    """Actors that bargain as one stakeholder (e.g. the EU-27 as a bloc).

    In a forecast the group is one actor: capability ``capability`` (default: the members'
    sum); on each dimension the position is the members' capability x salience weighted mean,
    the salience their capability-weighted mean salience, the war cost their
    capability-weighted mean. The members' own spread is reported beside it.
    """

    id: Id
    name: str = ""
    members: tuple[str, ...] = Field(min_length=1)
    capability: float | None = Field(
        default=None, ge=0.0, description="The bloc's own capability; default the members' sum."
    )
    source: str = ""


class ActorSet(_Model):
    """A named set of actors and groups that the forecasts run on (issue 16)."""

    id: Id
    title: str = ""
    members: tuple[str, ...] = Field(min_length=1, description="Actor or group ids.")
    source: str = ""


class CapabilityRule(_Model):
    """Capability as a formula over sourced components (issue 16, part 2).

    ``capability_i = scale * sum_k (w_k / sum_j w_j) * capability_inputs_i[k]``: the weights are
    ranged inputs and only their ratios matter (they are normalised to sum 1).
    """

    id: Id
    title: str = ""
    weights: dict[str, Ranged] = Field(min_length=1)
    scale: float = Field(default=100.0, gt=0.0, le=MAX_CAPABILITY)
    source: str = ""


# Sizes that bound a run's memory and time (each a located error at validation). The analysis
# grows about with the cube of the actor count (SMP and BDM rounds over pairs of actors; the
# reliability review measured 1.1 s at 36 actors, 5.4 s at 136, 13.6 s at 236, 127 s at 536):
# 150 actors is 4x the largest built-in (36) and the 80-actor KTAB test data, and runs in
# seconds. The win-set needs 2·D linear programs and an exact volume only up to 6 dimensions:
# 20 dimensions is 5x the built-ins' 4. Coverage is linear in units: 1,000 units is 37x the 27
# oblasts of Ukraine and more than the first-level units of any state. Every proposal runs
# every stage and engine: 100 is 16x the built-ins' 6. Institutions: 100 (built-ins: 7).
MAX_ACTORS = 150
MAX_DIMENSIONS = 20
MAX_UNITS = 1_000
MAX_PROPOSALS = 100
MAX_INSTITUTIONS = 100


class Scenario(_Model):
    """A whole scenario, validated and immutable."""

    scenario: Meta
    dimensions: tuple[Dimension, ...] = Field(min_length=1, max_length=MAX_DIMENSIONS)
    status_quo: StatusQuo
    actors: tuple[Actor, ...] = Field(min_length=1, max_length=MAX_ACTORS)
    territory: tuple[TerritoryUnit, ...] = Field(default=(), max_length=MAX_UNITS)
    proposals: tuple[Proposal, ...] = Field(default=(), max_length=MAX_PROPOSALS)
    institutions: tuple[Institution, ...] = Field(default=(), max_length=MAX_INSTITUTIONS)
    deterrence: DeterrenceInputs = Field(default_factory=DeterrenceInputs)
    durability: DurabilityInputs = Field(default_factory=DurabilityInputs)
    monte_carlo: MonteCarlo = Field(default_factory=MonteCarlo)
    sources: tuple[Source, ...] = ()
    map: MapSpec | None = None
    warnings: Annotated[
        dict[str, WarningText],
        AfterValidator(_freeze),
        PlainSerializer(dict, return_type=dict),
    ] = Field(
        default_factory=dict,
        validate_default=True,
        description="Warning code -> the scenario's wording of that warning.",
    )
    observed: tuple[Observed, ...] = ()
    #: stakeholder groups: several actors bargaining as one (issue 16; docs/specs/bargaining.md,
    #: "Actor sets")
    groups: tuple[ActorGroup, ...] = ()
    #: named actor sets the forecasts run on, each of actors and groups
    actor_sets: tuple[ActorSet, ...] = ()
    #: capability as a stated formula over the actors' ``capability_inputs`` (issue 16)
    capability_rules: tuple[CapabilityRule, ...] = ()
    timeline: TimelineInputs = Field(default_factory=lambda: TimelineInputs())
    guarantee_game: GameInputs = Field(default_factory=lambda: GameInputs())
    side_issues: tuple[SideIssue, ...] = ()

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
# Territorial terms per unit or part of a unit (issue 17; docs/specs/coverage.md)

#: what a proposal does with a unit or part of one. Control terms move who holds the part
#: (``withdraw``: the defender leaves its held part to the aggressor; ``buffer-zone``: the part
#: becomes a demilitarised zone; ``restore``: the aggressor leaves the occupied part); status
#: terms change its legal status (``recognise-de-facto``, ``cede-de-jure``); ``keep`` and
#: ``freeze`` state the default explicitly (the held part stays held, the occupied part stays
#: occupied with the claim kept: a freeze on the line).
UnitTermKind = Literal[
    "keep",
    "freeze",
    "withdraw",
    "buffer-zone",
    "restore",
    "recognise-de-facto",
    "cede-de-jure",
]
UNIT_TERM_KINDS: tuple[str, ...] = get_args(UnitTermKind)
#: the terms that move control of a part, and those that change its legal status
UNIT_CONTROL_TERMS = frozenset({"withdraw", "buffer-zone", "restore"})
UNIT_STATUS_TERMS = frozenset({"recognise-de-facto", "cede-de-jure"})
#: which part of a unit a term applies to: the part the defender holds, the part the aggressor
#: occupies, or both
UnitPart = Literal["whole", "held", "occupied"]


class UnitTerm(_Model):
    """One territorial term on one unit or part of a unit (``[[proposals.unit_terms]]``).

    ``share`` is the share of the part the term covers (1: all of it), e.g. the occupied part
    of a unit returned in part. ``administered_by`` names who administers a buffer zone (an
    actor id or free text) and ``demilitarised`` whether it is; both only for ``buffer-zone``.
    """

    unit: Id
    term: UnitTermKind
    part: UnitPart = "whole"
    share: Share = 1.0
    demilitarised: bool = True
    administered_by: str = ""
    source: str = ""
    note: str = ""


# Red lines with a kind and uncertainty (issue 13; docs/specs/preferences.md, "Red lines")

RedLineKind = Literal["hard", "soft"]
RED_LINE_KINDS: tuple[str, ...] = get_args(RedLineKind)


class RedLineTerms(_Model):
    """How firm an actor's red line on one dimension is (``red_line_terms.<dimension>``).

    ``hard``: never accepted beyond the bound. ``soft``: each scale point beyond the bound
    costs ``penalty`` utility (the ``[-1, 0]`` scale of docs/specs/preferences.md), so a price
    can outweigh it. ``probability``: that the line holds at all (a sweep draws it; a single
    run assumes it holds). ``source``: the source key of this coding; ``basis``: why this kind
    and range (a constitution is firmer than an anonymously sourced options paper).
    """

    kind: RedLineKind = "hard"
    penalty: float | None = Field(
        default=None,
        gt=0.0,
        description="soft: utility lost per scale point beyond the bound (required for soft).",
    )
    probability: Share = 1.0
    source: str = ""
    basis: str = ""

    def apply(self, rl: RedLine) -> RedLine:
        """``rl`` with these terms (a hard line's penalty is infinite)."""
        penalty = self.penalty if self.kind == "soft" and self.penalty is not None else None
        return dataclasses.replace(
            rl,
            kind=self.kind,
            penalty=float("inf") if penalty is None else penalty,
            probability=self.probability,
            source=self.source,
            basis=self.basis,
        )


class SideIssue(_Model):
    """A side issue or side payment outside the proposal's dimensions (issue 13).

    A transfer, an arms sale, a concession: ``payers`` actor -> utility each loses per unit
    given, ``values`` actor -> utility each gains per unit received (the ``[-1, 0]`` utility
    scale of docs/specs/preferences.md); ``max_units`` caps it, ``integer`` makes it indivisible
    (aircraft). ``source``: the source key of the rates, or "judgement".
    """

    id: Id
    label: str = ""
    unit: str = ""
    payers: FrozenFloats = Field(default_factory=dict, validate_default=True)
    values: FrozenFloats = Field(default_factory=dict, validate_default=True)
    max_units: float | None = Field(default=None, gt=0.0)
    integer: bool = False
    source: str = ""
    note: str = ""


# The event tree in time and the coupled durability model (docs/specs/durability.md)

#: Fortna's controls of the baseline hazard (docs/specs/durability.md §1)
Control = Literal[
    "decisive_victory", "high_war_cost", "contiguity", "previous_conflict", "existential_stakes"
]


class RatificationWindow(_Model):
    """How long one institution takes from signature to its consent in force (days)."""

    institution: Id
    days: tuple[float, float] = Field(description="[shortest, longest] days, both >= 0.")
    central: float | None = Field(default=None, description="Central days (default: midpoint).")
    needs_ceasefire: bool = Field(
        default=False,
        description="The institution can only act once a ceasefire holds (e.g. a referendum).",
    )
    source: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> RatificationWindow:
        low, high = self.days
        c = (low + high) / 2 if self.central is None else self.central
        if not 0 <= low <= c <= high:
            raise ValueError("need 0 <= days[0] <= central <= days[1]")
        return self


class TimelineInputs(_Model):
    """The ``[timeline]`` table: the event tree in time (docs/specs/durability.md §2-§5)."""

    controls: tuple[Control, ...] = Field(
        default=(), description="Fortna's controls that describe this war (hazard ratios §1)."
    )
    ratification: tuple[RatificationWindow, ...] = ()
    interim_q: Ranged | None = Field(
        default=None,
        description="Credibility of interim assurances while ratification runs (default 0).",
    )
    power_shift: Ranged | None = Field(
        default=None,
        description="Relative-power shift per year under a ceasefire (share of the balance).",
    )
    power_sensitivity: Ranged | None = Field(
        default=None, description="beta: the hazard grows by exp(beta * |shift| * t)."
    )


# The extended guarantee game (docs/specs/deterrence.md §4; issue 14)


class GameInputs(_Model):
    """The ``[guarantee_game]`` table: inputs of §4 beside the core ``[deterrence]`` ones.

    Any input left out takes the default of ``ceasefire.deterrence.game.EXTENDED_DEFAULTS``.
    ``status_quo_observed`` records what the aggressor did at ``as_of`` under no deal (the
    backcast of §4.7: ``"attack"`` = it kept attacking), with its source.
    """

    s: Ranged | None = None
    rho: Ranged | None = None
    cb: Ranged | None = None
    kappa: Ranged | None = None
    w: Ranged | None = None
    pd: Ranged | None = None
    pdg: Ranged | None = None
    cd: Ranged | None = None
    e: Ranged | None = None
    forfeit: Ranged | None = None
    status_quo_observed: Literal["attack", "hold"] | None = None
    status_quo_source: str = ""


#: the names of §4's own inputs, in the model's order (``game.EXTENDED_PARAMETERS``)
GAME_INPUTS: tuple[str, ...] = tuple(
    name for name, f in GameInputs.model_fields.items() if not name.startswith("status_quo")
)

CommitmentTypeName = Literal[
    "nato-art5", "bilateral-2024", "art5-like-single", "coalition-tripwire", "budapest-1994"
]
Automaticity = Literal["automatic", "consult", "none"]
Condition = Literal["defensive_only", "administrative_control", "renunciation_of_force"]
CONDITIONS: tuple[str, ...] = get_args(Condition)


class Commitment(_Model):
    """One commitment of a proposal's guarantee, coded ATOP-style (§4.4).

    ``type`` names a template (``ceasefire.deterrence.commitments.COMMITMENT_TYPES``) whose
    values fill every field left out.
    """

    type: CommitmentTypeName
    guarantors: str = ""
    scope: Literal["recognized", "controlled"] | None = None
    automaticity: Automaticity | None = None
    tripwire: bool | None = None
    credibility: Ranged | None = None
    weight: Ranged | None = Field(
        default=None, description="Share of the alliance-war cost c2 these guarantors impose."
    )
    source: str = ""


#: the domains of §4's inputs (checked like MODEL_INPUT_DOMAINS)
GAME_INPUT_DOMAINS: Mapping[str, Domain] = MappingProxyType(
    {
        "s": _PROBABILITY,
        "rho": Domain(0.0, 1.0, "docs/specs/deterrence.md §4.1: a probe is answered less often"),
        "cb": _UTILITY,
        "kappa": _UTILITY,
        "w": _UTILITY,
        "pd": _PROBABILITY,
        "pdg": _PROBABILITY,
        "cd": _UTILITY,
        "e": _PROBABILITY,
        "forfeit": _UTILITY,
    }
)


Proposal.model_rebuild()
Actor.model_rebuild()
Scenario.model_rebuild()
