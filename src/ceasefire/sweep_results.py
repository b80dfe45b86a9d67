"""The schema of a sweep's summary (``summary.json``, ``Analysis.uncertainty``): pydantic only.

A sweep (:mod:`ceasefire.uncertainty`) runs the whole analysis once per draw of every stated
range; :func:`ceasefire.uncertainty.summary.summarise` reduces the draws to a
:class:`SweepSummary`. This module holds only the models, so the report and the web app can
read a summary without importing numpy, scipy or an engine. Every number is computed by the
uncertainty package; the models carry it, plus two classifications the renderers used to
compute themselves: whether a conclusion is *robust* (:data:`ROBUST_AGREEMENT`), the ranking
of inputs (stored sorted), whether a given-data index has converged and whether a Sobol' index
is resolved.

Probabilities carry a 95 % Wilson score interval (``ci95``); distributions carry the central
run's value and the 5th, 25th, 50th, 75th and 95th percentiles of the draws (None where no
draw is finite, e.g. ``q_critical`` where no credibility deters).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

#: version of this schema; bumped when a field changes meaning or is removed
SWEEP_SCHEMA_VERSION = "2.0"

#: a pass/fail conclusion of the central run is robust when at least this share of the draws
#: agrees with it (judgement: the conventional 95 %, the level of the Wilson intervals)
ROBUST_AGREEMENT = 0.95

#: a Morris effect below this is numerically zero (float noise), not an effect
MORRIS_ZERO = 1e-9

#: the factor of a grouped Sobol' analysis that holds every input not named on its own
OTHERS = "all other inputs"

#: a Sobol' index whose 95 % half-width exceeds this is "not resolved" (judgement: a tenth of
#: the output's variance, the resolution at which a ranking of a dozen factors means anything)
SOBOL_MAX_HALF_WIDTH = 0.1


class _Schema(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Quantiles(_Schema):
    """The central run's value and percentiles of the draws (NaN draws left out)."""

    central: float | None
    median: float | None
    p05: float | None
    p25: float | None
    p75: float | None
    p95: float | None


class Decision(_Schema):
    """One pass/fail conclusion of the central run set against the draws.

    ``agreement`` is the share of draws that agree with the central run (``p_pass`` when it
    passes, ``1 - p_pass`` when it fails); ``robust`` is ``agreement >= ROBUST_AGREEMENT``.
    """

    id: str
    name: str
    central: bool
    p_pass: float
    ci95: tuple[float, float]
    agreement: float
    robust: bool


class AcceptanceSweep(_Schema):
    """Whether an actor accepts a proposal at the centre, and the share of draws it does."""

    central: bool
    p_accept: float


class CoverageSweep(_Schema):
    """The coverage shares of the recognised area over the draws."""

    invited_area_share: Quantiles
    guaranteed_area_share: Quantiles
    ceded_area_share: Quantiles
    occupied_area_share: Quantiles


class DeterrenceSweep(_Schema):
    """The guarantee game's probabilities over the draws (docs/specs/deterrence.md §1)."""

    p_hold: Quantiles
    p_attack_uncovered: Quantiles
    p_attack_covered: Quantiles
    p_guarantor_war: Quantiles


class DurabilitySweep(_Schema):
    """The durability model's outputs over the draws (docs/specs/deterrence.md §2)."""

    hazard_ratio: Quantiles
    p_breakdown_1y: Quantiles
    p_breakdown_5y: Quantiles
    median_years: Quantiles


class Influence(_Schema):
    """Pearson correlation ``r`` of one ranged input with an output over the draws."""

    input: str
    label: str
    r: float


class ProposalInfluence(_Schema):
    """The inputs most correlated with a proposal's headline outputs, strongest first."""

    passes: list[Influence]
    min_veto_margin: list[Influence]
    p_hold: list[Influence] | None = None


class ProposalSweep(_Schema):
    """One proposal over the draws: its decisions, acceptance and outcome distributions."""

    id: str
    label: str
    #: the proposal passes every institution it requires
    passes: Decision
    institutions: dict[str, Decision]
    acceptance: dict[str, AcceptanceSweep]
    min_veto_margin: Quantiles
    coverage: CoverageSweep
    durability: DurabilitySweep
    deterrence: DeterrenceSweep | None = None
    influential: ProposalInfluence

    def decisions(self) -> list[Decision]:
        """The proposal's conclusions: all required institutions first, then each one."""
        return [self.passes, *self.institutions.values()]


class ForecastSweep(_Schema):
    """One engine's forecast on each dimension over the draws."""

    engine: str
    dimensions: dict[str, Quantiles]
    #: inputs most correlated with the forecast on the first dimension
    influential: list[Influence]


class WinsetSweep(_Schema):
    """The probability that an institution chain's win-set is empty."""

    chain: str
    p_empty: float
    ci95: tuple[float, float]


class RescueSweep(_Schema):
    """How often a proposal passes or can be rescued over the draws (issue 13).

    ``p_rescuable`` is the share of draws in which it passes or the plain rescue
    (``winset.rescue``, soft red lines priced) finds a settlement every veto player of its chain
    accepts; ``p_rescue_only`` the share in which it fails but is rescuable; ``distance`` the
    rescuer's salience-weighted move in those draws (NaN-free percentiles; None when none).
    """

    id: str
    p_rescuable: float
    ci95: tuple[float, float]
    p_rescue_only: float
    distance: Quantiles


class InputRange(_Schema):
    """One ranged input of the sweep (see :class:`ceasefire.uncertainty.ranges.RangedInput`)."""

    key: str
    label: str
    central: float
    low: float
    high: float
    distribution: str


class SwitchPoint(_Schema):
    """A single input whose value beyond ``value`` flips a conclusion, the others central."""

    input: str
    label: str
    central_value: float
    value: float
    direction: Literal["above", "below"]
    sentence: str


class DecisionSwitches(_Schema):
    """Every switch point of one (proposal, institution) conclusion of the central run."""

    proposal: str
    institution: str
    central: bool
    switches: list[SwitchPoint]


class Headline(_Schema):
    """A headline output of the sensitivity analysis: a proposal's smallest veto margin or
    P(hold), or an engine's forecast on one dimension."""

    quantity: Literal["min_veto_margin", "p_hold", "forecast"]
    #: the proposal's id, or the engine's key for a forecast
    subject: str
    dimension: str | None = None

    @property
    def key(self) -> str:
        """A stable name of the output, usable in an HTML id (``min_veto_margin-wgm``)."""
        return "-".join(x for x in (self.quantity, self.subject, self.dimension) if x)

    @property
    def title(self) -> str:
        """The output in a heading (``min_veto_margin · wgm``)."""
        return " · ".join(x for x in (self.quantity, self.subject, self.dimension) if x)


class GivenDataIndex(_Schema):
    """First-order index ``s1`` of one input estimated from the sweep's own draws (RBD-FAST,
    docs/specs/sensitivity.md): the share of the output's variance its effect alone explains.

    ``s1_conf`` is the half-width of the 95 % interval (delta method); ``s1_half`` the estimate on
    the first half of the draws; ``converged`` is ``|s1_half - s1| <= max(s1_conf, 0.01)``
    (``sensitivity.CONVERGENCE_FLOOR``; None when the draws are too few to halve).
    """

    input: str
    label: str
    s1: float
    s1_conf: float
    s1_half: float | None
    converged: bool | None


class SobolIndex(_Schema):
    """Sobol' first-order (``s1``) and total (``st``) index of one factor, 95 % intervals.

    ``resolved`` is False when an interval is wider than ±:data:`SOBOL_MAX_HALF_WIDTH` or lies
    wholly outside [0, 1]: the design was too small to tell the index."""

    factor: str
    label: str
    s1: float | None
    s1_conf: float | None
    st: float | None
    st_conf: float | None
    resolved: bool = True


class MorrisEffect(_Schema):
    """Morris mean absolute elementary effect ``mu_star`` (95 % interval) and ``sigma``."""

    input: str
    label: str
    mu_star: float | None
    mu_star_conf: float | None
    sigma: float | None


class OutputSensitivity(_Schema):
    """The sensitivity of one headline output.

    ``given``: the inputs with the largest given-data first-order index, largest first (empty
    when the output does not vary within the ranges or the draws are too few);
    ``first_order_total``: ``Σ s1`` over every input (well below 1: interactions matter).
    ``sobol`` (sorted by the total index) and ``morris`` (by ``mu_star``) are filled only when
    that analysis was asked for.
    """

    output: Headline
    given: list[GivenDataIndex] = []
    first_order_total: float | None = None
    sobol: list[SobolIndex] = []
    morris: list[MorrisEffect] = []

    def top_given(self, n: int = 5, min_s1: float = 0.01) -> list[GivenDataIndex]:
        """The ``n`` inputs with the largest first-order index above ``min_s1``."""
        return [g for g in self.given if g.s1 > min_s1][:n]

    def top_morris(self, n: int = 5) -> list[MorrisEffect]:
        """The ``n`` inputs with the largest effect, numerically zero effects left out."""
        return [m for m in self.morris if (m.mu_star or 0.0) > MORRIS_ZERO][:n]

    def top_sobol(self, min_st: float) -> list[SobolIndex]:
        """The factors whose total index is above ``min_st``, largest first."""
        return [s for s in self.sobol if (s.st or 0.0) > min_st]


def binomial_quantile(n: int, p: float, level: float) -> int:
    """The smallest ``k`` with ``P(Binomial(n, p) <= k) >= level`` (summed term by term)."""
    term = (1.0 - p) ** n
    total, k = term, 0
    while total < level and k < n:
        term *= (n - k) / (k + 1) * p / (1.0 - p)
        k += 1
        total += term
    return k


class Sensitivity(_Schema):
    """Global sensitivity of the headline outputs: given-data first-order indices from the
    sweep's draws, and Sobol' or Morris on a design of its own when asked for."""

    method: Literal["rbd-fast", "sobol", "morris"]
    #: the sweep's draws the given-data indices read (the first ones)
    draws: int
    #: model evaluations beyond the sweep's draws (0 for the given-data indices alone)
    extra_evaluations: int = 0
    sobol_n: int | None = None
    morris_r: int | None = None
    #: the Sobol' factors: inputs analysed on their own, then :data:`OTHERS`
    groups: list[str] = []
    outputs: list[OutputSensitivity]

    def unconverged(self) -> list[tuple[Headline, GivenDataIndex]]:
        """Every given-data index whose half-sample estimate is outside its interval."""
        return [(o.output, g) for o in self.outputs for g in o.given if g.converged is False]

    def checked(self) -> int:
        """The given-data indices with a half-sample estimate (the convergence check's tests)."""
        return sum(g.converged is not None for o in self.outputs for g in o.given)

    def chance_flags(self) -> int:
        """How many unconverged flags chance alone explains: the 95th percentile of
        ``Binomial(checked, 0.05)`` (each check is a 95 % interval, so one converged index in
        twenty is flagged; docs/specs/sensitivity.md §2)."""
        return binomial_quantile(self.checked(), 0.05, 0.95)

    def unresolved(self) -> list[tuple[Headline, SobolIndex]]:
        """Every Sobol' index flagged "not resolved"."""
        return [(o.output, s) for o in self.outputs for s in o.sobol if not s.resolved]


class SweepSettings(_Schema):
    """What determined the sweep's numbers, as it ran."""

    method: str
    seed: int
    chunk: int
    #: the engines asked for (``engines`` of the summary: the keys of what they produced)
    engines: list[str]
    rounds: int
    winsets: bool
    backend: str | None = None
    #: whether the sweep ran the rescues stage (``ceasefire sweep --rescues``)
    rescues: bool = False


class SweepSummary(_Schema):
    """A sweep's summary: probabilities, distributions, influences, switch points."""

    schema_version: str = SWEEP_SCHEMA_VERSION
    scenario: str
    scenario_sha256: str | None = None
    draws: int
    spec: SweepSettings
    robust_agreement: float = ROBUST_AGREEMENT
    dimensions: list[str]
    actors: list[str]
    actor_names: dict[str, str]
    #: the keys of the engines' forecasts (``compromise-mean``, ``nash``, ...)
    engines: list[str]
    inputs: list[InputRange]
    proposals: list[ProposalSweep]
    forecasts: list[ForecastSweep]
    winsets: list[WinsetSweep]
    switch_points: list[DecisionSwitches] = []
    sensitivity: Sensitivity | None = None
    #: per proposal, how often it is rescuable (only with ``ceasefire sweep --rescues``)
    rescues: list[RescueSweep] = []

    def proposal(self, pid: str) -> ProposalSweep | None:
        """The proposal of this id, or None."""
        return next((p for p in self.proposals if p.id == pid), None)

    def switches(self, proposal: str, institution: str) -> list[SwitchPoint]:
        """The switch points of one (proposal, institution) conclusion."""
        for e in self.switch_points:
            if (e.proposal, e.institution) == (proposal, institution):
                return e.switches
        return []

    def decisions(self) -> list[Decision]:
        """Every conclusion of the central run, proposal by proposal."""
        return [d for p in self.proposals for d in p.decisions()]

    def robust_count(self) -> int:
        """How many conclusions are robust."""
        return sum(d.robust for d in self.decisions())


__all__ = [
    "MORRIS_ZERO",
    "OTHERS",
    "ROBUST_AGREEMENT",
    "SOBOL_MAX_HALF_WIDTH",
    "SWEEP_SCHEMA_VERSION",
    "AcceptanceSweep",
    "CoverageSweep",
    "Decision",
    "DecisionSwitches",
    "DeterrenceSweep",
    "DurabilitySweep",
    "ForecastSweep",
    "GivenDataIndex",
    "Headline",
    "Influence",
    "InputRange",
    "MorrisEffect",
    "OutputSensitivity",
    "ProposalInfluence",
    "ProposalSweep",
    "Quantiles",
    "RescueSweep",
    "Sensitivity",
    "SobolIndex",
    "SweepSettings",
    "SweepSummary",
    "SwitchPoint",
    "WinsetSweep",
]
