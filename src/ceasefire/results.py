"""The result schema: what ``analyze`` returns and ``results.json`` holds, nothing else.

Frozen pydantic models only, so that everything that renders or compares results (the
report, the terminal summary, the web app) imports this module without the numerical stages
(numpy, scipy, the engines): ``python -c "import ceasefire.results"`` loads no scipy. The
pipeline that fills these models is :mod:`ceasefire.analysis`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from ceasefire.sweep_results import SweepSummary

#: the version of this schema; 1.1 added ``ForecastResult.version`` (the engine's version),
#: 1.2 ``Analysis.track_record`` (each stage's measured out-of-sample record); 1.4 (session 4,
#: fields added only): blocker reasons, packages and knife edges (issue 13), the extended game,
#: backcast and calibration (14), the event tree and reference class (15), actor sets,
#: feasibility and BDM stability (16), per-unit coverage shares (17)
SCHEMA_VERSION = "1.4"


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UnitCoverage(_Result):
    code: str
    name: str
    invited: float
    guaranteed: float
    ceded: float
    occupied: float
    controlled: float
    recognised: float = 0.0
    withdrawn: float = 0.0
    frozen: float = 0.0
    buffer: float = 0.0
    returned: float = 0.0
    belongs_to: str = "defender"
    foreign_returned: float = 0.0
    buffer_administered_by: str = ""


class CoverageResult(_Result):
    invited_area_share: float
    invited_population_share: float
    guaranteed_area_share: float
    guaranteed_population_share: float
    ceded_area_share: float
    ceded_population_share: float
    occupied_area_share: float
    occupied_population_share: float
    units: list[UnitCoverage]
    recognised_area_share: float = 0.0
    recognised_population_share: float = 0.0
    withdrawn_area_share: float = 0.0
    withdrawn_population_share: float = 0.0
    frozen_area_share: float = 0.0
    frozen_population_share: float = 0.0
    buffer_area_share: float = 0.0
    buffer_population_share: float = 0.0
    returned_area_share: float = 0.0
    returned_population_share: float = 0.0
    foreign_held_km2: float = 0.0
    foreign_returned_km2: float = 0.0


class WarningResult(_Result):
    code: str
    text: str


class RedLineViolation(_Result):
    red_line: str
    value: float
    excess: float
    #: issue 13: hard or soft, the soft line's penalty (utility per point), P(the line holds)
    kind: str = "hard"
    penalty: float | None = None
    probability: float = 1.0
    source: str = ""


class ActorAcceptance(_Result):
    utility: float
    no_deal_utility: float
    margin: float
    accepts: bool
    red_line_violations: list[RedLineViolation]
    #: utility lost to soft red lines crossed, and to a war the deal leaves going on
    soft_penalty: float = 0.0
    war_after: float = 0.0


class InstitutionResult(_Result):
    required: bool
    passed: bool
    blockers: list[str]
    accepting: list[str]
    rejecting: list[str]
    accepted_weight_share: float


class ProposalResult(_Result):
    id: str
    label: str
    proposer: str | None
    position: dict[str, float]
    terms: dict[str, Any]
    coverage: CoverageResult
    warnings: list[WarningResult]
    acceptance: dict[str, ActorAcceptance]
    institutions: dict[str, InstitutionResult]
    veto_players: list[str]
    blockers: list[str]
    passes: bool
    deterrence: DeterrenceResult | None = None
    durability: DurabilityResult | None = None
    rescue: RescueResult | None = None
    single_actor_changes: list[ActorChangeResult] = []
    paths: PathsResult | None = None
    #: issue 13: how far the proposal ends the fighting (1: credited with the war's end)
    ends_fighting: float = 1.0
    #: why each blocker rejects: a red line (kind, source) or utility (by how much)
    blocker_reasons: dict[str, BlockerReason] = {}
    #: the proposal's defining terms, and whether its plain rescue keeps them
    defining_terms: list[str] = []
    rescue_keeps_defining_terms: bool | None = None
    #: the cheapest package keeping the defining terms, and the unrestricted one
    package: PackageResult | None = None
    package_unrestricted: PackageResult | None = None


class Interval(_Result):
    """A model output over the Monte Carlo draws: central run, median and 5th-95th percentiles."""

    central: float | None
    median: float | None
    p05: float | None
    p95: float | None
    share_undeterrable: float | None = None


class GameOutcome(_Result):
    """The guarantee game for one proposal and one order of events (docs/specs/deterrence.md §1)."""

    sequence: str
    g: float
    h: float
    p_attack_covered: Interval
    p_attack_uncovered: Interval
    p_hold: Interval
    p_guarantor_war: Interval
    q_critical: Interval
    curve: dict[str, list[float]]
    p_probe: Interval | None = None
    p_protege_moves: Interval | None = None
    q_critical_probe: Interval | None = None
    commitments: list[CommitmentResult] = []
    conditions: list[str] = []
    curves: list[GameCurve] = []


class DeterrenceResult(GameOutcome):
    """The game in the proposal's order of events, and in the other order when it is open."""

    alternatives: dict[str, GameOutcome]


class DurabilityResult(_Result):
    """Ceasefire durability for one proposal (docs/specs/deterrence.md §2; priors)."""

    mechanisms: list[str]
    hazard_ratio: Interval
    p_breakdown_1y: Interval
    p_breakdown_2y: Interval
    p_breakdown_5y: Interval
    median_years: Interval
    survival: dict[str, list[float]]


class ModelInput(_Result):
    """One input of the deterrence or durability model as used: value, range, basis."""

    central: float
    low: float
    high: float
    source: str


class RescueResult(_Result):
    """The smallest rescuing concession: the nearest point of the win-set.

    (docs/specs/preferences.md.)
    """

    chain: str
    point: dict[str, float]
    moves: dict[str, float]
    rescuer: str | None
    distance: float
    binding_actor: str | None
    binding_actors: list[str]


class ActorChangeResult(_Result):
    """The smallest change to one rejecting veto player that makes it accept the proposal."""

    actor: str
    margin: float
    red_lines_crossed: list[str]
    red_line_relaxed: dict[str, float]
    war_cost: float | None
    position_move: dict[str, float] | None
    position_distance: float | None
    salience_dimension: str | None
    salience_value: float | None
    salience_change: float | None


class WinSetPicture(_Result):
    """A 2-D slice of the win-set through its centre, on the two most salient dimensions."""

    dimensions: list[str]
    fixed: dict[str, float]
    regions: dict[str, list[list[float]]]
    winset: list[list[float]]


class WinSetResult(_Result):
    """The win-set of an institution chain: the points every veto player prefers to no deal."""

    id: str
    institutions: list[str]
    veto_players: list[str]
    empty: bool
    volume_share: float
    volume_method: str
    volume_error: float
    center: dict[str, float] | None
    #: the depth of the centre in utility units; None when no veto player's margin binds
    #: (no veto players: the whole scale is acceptable)
    min_margin: float | None
    extent: dict[str, list[float]] | None
    conflicts: list[list[str]]
    unexplained: bool
    picture: WinSetPicture | None
    #: issue 13: the smallest change to one red-line bound (scale points) that empties the
    #: win-set (or, when empty, fills it), with the actor and the red line; None: no red line
    knife_edge: float | None = None
    knife_edge_actor: str | None = None
    knife_edge_red_line: str | None = None
    knife_edge_empties: bool | None = None
    #: issue 13: the smallest change to one veto player's salience on one dimension (signed,
    #: 0-100 salience points) that empties the win-set (or fills an empty one), the actor, the
    #: dimension and the new salience; None: no single salience in [0, 100] does it
    salience_edge: float | None = None
    salience_edge_actor: str | None = None
    salience_edge_dimension: str | None = None
    salience_edge_value: float | None = None
    salience_edge_empties: bool | None = None


class ForecastResult(_Result):
    """Where one engine expects the negotiation to end (docs/specs/bargaining.md)."""

    engine: str
    variant: str
    #: the engine's own version (``Forecast.version``): which implementation gave the numbers
    version: str = ""
    params: dict[str, Any]
    dimensions: list[str]
    actors: list[str]
    outcome: dict[str, float]
    rounds: int
    trajectory: list[list[list[float]]]
    path: list[dict[str, float]]
    distances: dict[str, float]
    nearest_proposal: str | None
    probabilities: dict[str, float] | None = None
    outcome_original_units: dict[str, float] | None = None
    note: str = ""
    #: engines with rounds (bdm): the forecast's range over rounds T-2..T+2 per dimension,
    #: [low, high] (round-count sensitivity, docs/specs/bdm.md §8.1); None for other engines
    round_range: dict[str, list[float]] | None = None
    #: engines that report one: the status of each dimension's forecast (bdm: settled, cycle,
    #: unsettled; §8.1)
    status: dict[str, str] | None = None
    #: red lines, institutions and proposal terms at the forecast point (``ceasefire.feasibility``)
    check: ForecastCheck | None = None


class ForecastSkip(_Result):
    """An engine that gave no forecast for this scenario, and why (e.g. smp needs 2 actors)."""

    engine: str
    variant: str
    reason: str


class ScenarioInfo(_Result):
    id: str
    title: str
    as_of: str | None
    sha256: str
    source: str


# ---------------------------------------------------------------------------------------------
# The track record: each stage's measured out-of-sample accuracy (issue 12, part 3). Produced by
# scripts/track_record.py from the project's own backtests (``ceasefire backtest deu`` on the
# user's DEU III file, ``ceasefire backtest cases`` on the built-in cases), shipped as package
# data and attached to an Analysis at the I/O edge; it is not a number of the scenario's
# analysis.

NOT_VALIDATED = "not validated out of sample"
#: the model stages with a track-record line, beside the output each one speaks to
RECORD_STAGES: dict[str, str] = {
    "consent": "institutions and blockers",
    "rescue": "rescue (whose consent must be won)",
    "winset": "win-set",
    "deterrence": "guarantee game",
    "durability": "ceasefire durability",
}


class DeuFigure(_Result):
    """One forecaster on DEU III: its errors beside the baseline's on the same issues."""

    label: str
    kind: str
    engine: str | None
    variant: str | None
    n: int
    mae: float | None
    median_ae: float | None
    #: the baseline's (salience-weighted mean's) MAE on the same issues
    baseline_mae: float | None
    beats_share: float | None
    refused: int


class DeuRecord(_Result):
    """``ceasefire backtest deu`` on a DEU III file: which file, when, and every forecaster."""

    dataset: str
    file: str
    sha256: str
    layout: str
    capability: str
    seed: int
    measured: str
    package_version: str
    baseline: str
    scored: int
    figures: list[DeuFigure]


class CaseStageFigure(_Result):
    """One stage pooled over the historical cases (``ceasefire backtest cases``)."""

    stage: str
    n: int
    scored: int
    hits: int
    n_probability: int
    brier: float | None
    log_score: float | None
    #: of the rows with a probability, those whose event happened
    events: int = 0


class TimeScaleFigure(_Result):
    """The guarantee game's period fitted to the durability records (docs/specs/durability.md
    §6): maximum likelihood with its 95 % profile interval (None: open on that side),
    ``resolved`` False when the interval holds the stated period, and the mean log loss at the
    stated period and each case held out."""

    stated_period: float
    period: float
    period_low: float | None
    period_high: float | None
    resolved: bool
    log_loss_stated: float
    log_loss_out_of_sample: float | None


class CasesRecord(_Result):
    cases: list[str]
    measured: str
    package_version: str
    stages: list[CaseStageFigure]
    time_scale: TimeScaleFigure | None = None


class TrackRecord(_Result):
    """Every stage's measured record; ``line`` and ``forecast_line`` say it in one line."""

    schema_version: str = "1.0"
    generated_by: str = "scripts/track_record.py"
    deu: DeuRecord | None = None
    cases: CasesRecord | None = None

    def _case(self, stage: str) -> CaseStageFigure | None:
        figures = [] if self.cases is None else self.cases.stages
        return next((f for f in figures if f.stage == stage and f.scored), None)

    def _deu(self, engine: str, variant: str) -> DeuFigure | None:
        figures = [] if self.deu is None else self.deu.figures
        return next(
            (
                f
                for f in figures
                if f.kind == "engine" and f.engine == engine and f.variant in (None, variant)
            ),
            None,
        )

    def forecast_line(self, engine: str, variant: str, short: bool = False) -> str:
        """``bdm: MAE x on DEU III (n = 353) against y for the weighted mean ...`` or the label."""
        f, d = self._deu(engine, variant), self.deu
        if f is None or d is None or f.mae is None or f.baseline_mae is None:
            return f"{engine}: {NOT_VALIDATED}"
        if short:
            return (
                f"{f.label}: MAE {f.mae:.2f} on DEU III (n = {f.n}), "
                f"{d.baseline} {f.baseline_mae:.2f}"
            )
        beats = "" if f.beats_share is None else f", nearer the outcome on {f.beats_share:.0%}"
        return (
            f"{f.label}: MAE {f.mae:.2f} on DEU III (n = {f.n}) against {f.baseline_mae:.2f} "
            f"for the {d.baseline}{beats} of issues; {f.refused} refused (measured "
            f"{d.measured}; EU legislative decisions, not wars)"
        )

    def line(self, stage: str) -> str:
        """The stage's record on the historical cases, or ``not validated out of sample``."""
        parts = {
            "consent": [
                self._hits("consent", "decisions"),
                self._probabilities("consent", "P(pass) over the draws: "),
                self._hits("blockers", "blocker sets"),
            ],
            "rescue": [self._hits("rescue", "sets of actors whose consent was bought")],
            "durability": [self._probabilities("durability"), self._time_scale()],
        }.get(stage, [self._probabilities(stage)])
        said = [p for p in parts if p]
        c = self.cases
        if not said or c is None:
            return f"{RECORD_STAGES.get(stage, stage)}: {NOT_VALIDATED}"
        return (
            f"{RECORD_STAGES.get(stage, stage)}: {len(c.cases)} historical cases "
            f"(measured {c.measured}): {'; '.join(said)}"
        )

    def lines(self, forecasts: list[tuple[str, str]]) -> list[str]:
        """One short line per forecast engine (``(engine, variant)``) and per model stage."""
        engines = [self.forecast_line(e, v, short=True) for e, v in dict.fromkeys(forecasts)]
        return engines + [self.line(stage) for stage in RECORD_STAGES]

    def _time_scale(self) -> str:
        """The fitted time scale, and whether the records can tell it from the stated one."""
        t = None if self.cases is None else self.cases.time_scale
        if t is None:
            return ""
        low = "<1 month" if t.period_low is None else f"{t.period_low:.2g}"
        high = ">100" if t.period_high is None else f"{t.period_high:.2g}"
        verdict = (
            "it excludes the stated period"
            if t.resolved
            else "it holds the stated period, so these records cannot calibrate it"
        )
        return (
            f"the game's time scale fitted to them: {t.period:.2g} years (95 % {low}-{high}; "
            f"stated {t.stated_period:g}): {verdict}"
        )

    def _hits(self, stage: str, what: str) -> str:
        f = self._case(stage)
        return "" if f is None else f"{f.hits} of {f.scored} {what} right"

    def _probabilities(self, stage: str, head: str = "") -> str:
        """Hits on the side of 0.5 (or ``head``: the hits are said elsewhere) and mean scores."""
        f = self._case(stage)
        if f is None or f.brier is None or f.log_score is None:
            return ""
        hits = head or f"{f.hits} of {f.scored} on the right side of 0.5; "
        # a record whose outcomes are all alike rewards a constant forecast: say so
        alike = f.events in (0, f.n_probability)
        caveat = (
            f"; every one of the {f.n_probability} outcomes was the same, so this record "
            "cannot show that the model tells cases apart"
            if alike
            else f" ({f.events} of {f.n_probability} events happened)"
        )
        return (
            f"{hits}Brier {f.brier:.3f} (p = 0.5 scores 0.25), log score {f.log_score:.3f} "
            f"(ln 2 = 0.693), n = {f.n_probability}{caveat}"
        )


class Analysis(_Result):
    """The whole result of analysing one scenario."""

    schema_version: str
    package_version: str
    scenario: ScenarioInfo
    dimensions: list[str]
    actors: list[str]
    status_quo: dict[str, float]
    fighting: bool
    no_deal_utility: dict[str, float]
    held_area_share: float
    held_population_share: float
    proposals: list[ProposalResult]
    aggressor: str | None = None
    monte_carlo: dict[str, int]
    deterrence_inputs: dict[str, ModelInput]
    durability_inputs: dict[str, ModelInput]
    #: the extended guarantee game's own inputs (docs/specs/deterrence.md §4.1) and the event
    #: tree's [timeline] inputs (durability.md §3, §5), each with its range and basis
    game_inputs: dict[str, ModelInput] = {}
    timeline_inputs: dict[str, ModelInput] = {}
    winsets: list[WinSetResult] = []
    forecasts: list[ForecastResult] = []
    forecasts_skipped: list[ForecastSkip] = []
    #: ``run --draws N``: the summary of a sweep over every stated range (see
    #: ``ceasefire.uncertainty``); None when no sweep was run
    uncertainty: SweepSummary | None = None
    #: each stage's measured out-of-sample record (package data attached by the caller: ``run``
    #: in the CLI and the web app); None when the analysis was not given one
    track_record: TrackRecord | None = None
    #: every engine's forecast on every declared actor set (issue 16; empty without sets)
    actor_set_forecasts: list[ActorSetForecast] = []
    #: per engine, the range of its forecasts over the actor sets (what the report leads with)
    forecast_spread: list[ForecastSpread] = []
    #: the in-region reference class against the durability models (docs/specs/durability.md §4)
    reference: ReferenceComparison | None = None
    #: the status-quo backcast of the guarantee game (docs/specs/deterrence.md §4.7)
    backcast: BackcastResult | None = None
    #: the guarantee game fitted to this scenario's observed choices (§4.7); None without any
    calibration: CalibrationResult | None = None

    def winset(self, chain_id: str) -> WinSetResult:
        for w in self.winsets:
            if w.id == chain_id:
                return w
        raise KeyError(chain_id)

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent)

    def proposal(self, proposal_id: str) -> ProposalResult:
        for p in self.proposals:
            if p.id == proposal_id:
                return p
        raise KeyError(proposal_id)

    # pandas views (imported lazily: pandas is slow to import and not needed by the core)
    def acceptance_frame(self) -> Any:
        """Long table: one row per (proposal, actor) with utility, margin and acceptance."""
        import pandas as pd

        rows = [
            {
                "proposal": p.id,
                "actor": a,
                "utility": r.utility,
                "no_deal_utility": r.no_deal_utility,
                "margin": r.margin,
                "accepts": r.accepts,
                "red_lines_violated": "; ".join(v.red_line for v in r.red_line_violations),
            }
            for p in self.proposals
            for a, r in p.acceptance.items()
        ]
        return pd.DataFrame(rows)

    def coverage_frame(self) -> Any:
        """One row per proposal with its coverage shares."""
        import pandas as pd

        return pd.DataFrame(
            [{"proposal": p.id, **p.coverage.model_dump(exclude={"units"})} for p in self.proposals]
        ).set_index("proposal")

    def institutions_frame(self) -> Any:
        """One row per (proposal, required institution): passed and blockers."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "proposal": p.id,
                    "institution": iid,
                    "passed": r.passed,
                    "blockers": ", ".join(r.blockers),
                }
                for p in self.proposals
                for iid, r in p.institutions.items()
            ]
        )


# ---------------------------------------------------------------------------------------------
# Forecasts per actor set (issue 16, part 1): the same engines on each declared set of actors
# and stakeholder groups, and the spread across the sets.


class ActorSetForecast(_Result):
    """One engine's forecast on one actor set (``ceasefire.actor_sets``)."""

    set_id: str
    title: str
    #: the stakeholders of the set: actor ids and group ids
    stakeholders: list[str]
    engine: str
    variant: str
    outcome: dict[str, float]
    note: str = ""
    #: per group of the set: each dimension's [lowest, highest] member position
    group_spread: dict[str, dict[str, list[float]]] = {}
    #: red lines, institutions and proposal terms at the forecast point
    check: ForecastCheck | None = None


class ForecastSpread(_Result):
    """One engine's forecasts over every actor set: each dimension's [low, high]."""

    engine: str
    variant: str
    sets: list[str]
    low: dict[str, float]
    high: dict[str, float]


class ForecastCheck(_Result):
    """Is a forecast feasible (``ceasefire.feasibility``): red lines it crosses, institutions
    whose rule fails at it (with their blockers), and the defining terms of every proposal it
    violates; the nearest proposal in those terms."""

    red_lines_crossed: list[str] = []
    #: actors who would reject the point (red line, or prefer no deal)
    rejecting: list[str] = []
    blocked: dict[str, list[str]] = {}
    terms_violated: dict[str, list[str]] = {}
    nearest_in_terms: str | None = None


# The event tree in time (docs/specs/durability.md §5)


class PathHorizon(_Result):
    """One horizon of one order: the branch probabilities, central run and draws' interval."""

    years: float
    p_line_holds: Interval
    p_survives: Interval
    p_path_if_passed: Interval
    p_path: Interval


class PathOrder(_Result):
    """The event tree of one proposal in one order of ceasefire and accession."""

    order: str
    feasible: bool
    why: str
    ratification_years: Interval
    p_pass: Interval
    p_hold_interim: Interval
    p_hold_in_force: Interval
    p_hold_fighting: Interval
    horizons: list[PathHorizon]
    #: central run on a time grid: ``years`` and ``p_in_place`` = P(the ceasefire is in place and
    #: holding at t | the proposal passes), for the timeline chart
    curve: dict[str, list[float]] = {}


class PathsResult(_Result):
    """A proposal's paths from signature to a lasting ceasefire, per order and horizon."""

    orders: list[PathOrder]
    hazard_ratio: Interval
    support_years: float
    windows: list[str]
    basis: str


class ReferenceCeasefire(_Result):
    """One ceasefire of the in-region reference class (docs/specs/durability.md §4)."""

    id: str
    label: str
    start: str
    end: str
    years: float
    broke: bool
    mechanisms: list[str]
    source: str


class ReferenceComparison(_Result):
    """Observed survival of the reference class against the models, per horizon."""

    cases: list[ReferenceCeasefire]
    horizons: list[float]
    observed: list[float]
    at_risk: list[int]
    prior_bare: list[float]
    coupled_bare: dict[str, list[float]]
    note: str


# The extended guarantee game (docs/specs/deterrence.md §4; issue 14)


class CommitmentResult(_Result):
    """One commitment of a proposal's guarantee as used (§4.4): ``[central, low, high]``."""

    type: str
    label: str
    guarantors: str
    scope: str
    automaticity: str
    tripwire: bool
    credibility: list[float]
    weight: list[float]
    source: str


class GameCurve(_Result):
    """q*, q*_probe and P(hold) along one input (§4.8), its stated range to shade."""

    parameter: str
    x: list[float]
    q_critical: list[float | None]
    q_critical_probe: list[float | None]
    p_hold: list[float]
    central: float
    low: float
    high: float


class FittedParameter(_Result):
    """One fitted parameter (§4.7): value, stated range, and where the fit still holds."""

    name: str
    case: str
    value: float
    central: float
    low: float
    high: float
    reproduces_from: float | None = None
    reproduces_to: float | None = None


class CalibrationTarget(_Result):
    """One observed choice the fit reproduces (§4.7) and its residual 1 - P(observed)."""

    case: str
    observed: str
    probability_before: float
    probability_after: float
    residual: float
    source: str = ""


class CalibrationResult(_Result):
    """The fit of §4.7 over one or more cases."""

    parameters: list[FittedParameter]
    targets: list[CalibrationTarget]
    objective_before: float
    objective_after: float
    converged: bool


class BackcastResult(_Result):
    """The status-quo backcast (§4.7): no deal, during fighting, at the stated inputs."""

    phase: str
    observed: str | None
    source: str
    p_keeps_attacking: Interval
    p_hold: Interval
    reproduces: bool | None


class BlockerReason(_Result):
    """Why a blocker rejects, in one word (issue 13): ``red line`` or ``utility``.

    ``red line``: it crosses a hard red line, or a soft one whose penalty turns a positive
    utility margin negative (``red_lines`` says which, with kind and source). ``utility``: no
    red line decides; ``shortfall`` is how much utility it lacks (``-margin``).
    """

    actor: str
    label: str
    red_lines: list[RedLineViolation]
    shortfall: float

    def text(self) -> str:
        """``red line (hard: alliance <= 40, WSJ 6 Nov 2024)`` or ``utility (-0.021)``."""
        if self.label == "red line":
            parts = [f"{v.kind}: {v.red_line}" for v in self.red_lines]
            return "red line (" + "; ".join(parts) + ")"
        return f"utility (short by {self.shortfall:.3f})"


class PackageResult(_Result):
    """The cheapest package of side payments and policy moves that wins every veto player.

    (docs/specs/preferences.md, "Side payments and package rescues".) ``exists`` false: no
    package does it (``why`` says why). Costs are in utility units: ``payment_cost`` what the
    payers give up, ``move_cost`` the rescuer's utility lost by moving the proposal.
    """

    chain: str
    keeps_defining_terms: bool
    exists: bool
    why: str
    point: dict[str, float] | None
    moves: dict[str, float] | None
    units: dict[str, float]
    payment_cost: float | None
    move_cost: float | None
    price_per_blocker: dict[str, float]
    paid_by: dict[str, float]


class HeldOutTarget(_Result):
    """One observed choice predicted out of sample: λ fitted on the other cases only (§4.7)."""

    case: str
    observed: str
    probability_before: float
    probability_in_sample: float
    probability_out_of_sample: float
    lam_out_of_sample: float


class CalibrationCheck(_Result):
    """Leave-one-case-out check of the fit: mean log loss ``-ln P(observed)`` and Brier score
    ``(1 - P(observed))²`` over the targets at the stated values, in sample and out of sample.
    """

    targets: list[HeldOutTarget]
    log_loss_before: float
    log_loss_in_sample: float
    log_loss_out_of_sample: float
    brier_before: float
    brier_in_sample: float
    brier_out_of_sample: float


ForecastResult.model_rebuild()
ActorSetForecast.model_rebuild()
GameOutcome.model_rebuild()
DeterrenceResult.model_rebuild()
ProposalResult.model_rebuild()
Analysis.model_rebuild()
