"""The pipeline: Scenario -> Analysis, nothing else.

``analyze(scenario)`` runs the pure stages (coverage, preferences, institutions) and returns
an :class:`Analysis`: one JSON-serialisable result object (``to_json``) with pandas views
(``acceptance_frame`` and friends). The report, the terminal summary and the web UI render
this object and compute nothing of their own.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from ceasefire import __version__, bargaining
from ceasefire import coverage as cov
from ceasefire import deterrence as det
from ceasefire import durability as dur
from ceasefire import institutions as inst
from ceasefire import winset as wsm
from ceasefire.deterrence import ParameterRange
from ceasefire.preferences import Preferences, acceptance
from ceasefire.scenario import DETERRENCE_INPUTS, DURABILITY_INPUTS, Scenario
from ceasefire.sweep_results import SweepSummary

SCHEMA_VERSION = "1.0"


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


class WarningResult(_Result):
    code: str
    text: str


class RedLineViolation(_Result):
    red_line: str
    value: float
    excess: float


class ActorAcceptance(_Result):
    utility: float
    no_deal_utility: float
    margin: float
    accepts: bool
    red_line_violations: list[RedLineViolation]


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
    single_actor_changes: list[ActorChange] = []


class Interval(_Result):
    """A model output over the Monte Carlo draws: central run, median and 5th-95th percentiles."""

    central: float | None
    median: float | None
    p05: float | None
    p95: float | None
    share_undeterrable: float | None = None


class GameOutcome(_Result):
    """The guarantee game for one proposal and one order of events (specs/deterrence.md §1)."""

    sequence: str
    g: float
    h: float
    p_attack_covered: Interval
    p_attack_uncovered: Interval
    p_hold: Interval
    p_guarantor_war: Interval
    q_critical: Interval
    curve: dict[str, list[float]]


class DeterrenceResult(GameOutcome):
    """The game in the proposal's order of events, and in the other order when it is open."""

    alternatives: dict[str, GameOutcome]


class DurabilityResult(_Result):
    """Ceasefire durability for one proposal (specs/deterrence.md §2; priors, not estimates)."""

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
    """The smallest rescuing concession (specs/preferences.md): nearest point of the win-set."""

    chain: str
    point: dict[str, float]
    moves: dict[str, float]
    rescuer: str | None
    distance: float
    binding_actor: str | None
    binding_actors: list[str]


class ActorChange(_Result):
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
    min_margin: float
    extent: dict[str, list[float]] | None
    conflicts: list[list[str]]
    unexplained: bool
    picture: WinSetPicture | None


class ForecastResult(_Result):
    """Where one engine expects the negotiation to end (specs/bargaining.md)."""

    engine: str
    variant: str
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
    winsets: list[WinSetResult] = []
    forecasts: list[ForecastResult] = []
    forecasts_skipped: list[ForecastSkip] = []
    #: ``run --draws N``: the summary of a sweep over every stated range (see
    #: ``ceasefire.uncertainty``); None when no sweep was run
    uncertainty: SweepSummary | None = None

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


Q_GRID = np.linspace(0.0, 1.0, 21)
T_GRID = np.linspace(0.0, 10.0, 41)


def _value(x: Any) -> float | None:
    v = float(np.asarray(x))
    return None if np.isnan(v) else v


def _interval(central: Any, summary: Mapping[str, float]) -> Interval:
    return Interval(
        central=_value(central),
        median=_value(summary["median"]),
        p05=_value(summary["p05"]),
        p95=_value(summary["p95"]),
        share_undeterrable=summary.get("share_undeterrable"),
    )


def _ranges(
    defaults: Mapping[str, ParameterRange], given: Any, names: tuple[str, ...]
) -> dict[str, ParameterRange]:
    out = dict(defaults)
    for name in names:
        r = getattr(given, name)
        if r is not None:
            lo, hi = r.range if r.range is not None else (r.central, r.central)
            out[name] = ParameterRange(r.central, lo, hi, r.source or "scenario input")
    return out


def deterrence_inputs(scenario: Scenario) -> dict[str, ParameterRange] | None:
    """The guarantee game's inputs: the scenario's, else the spec's defaults.

    ``c1`` defaults to the aggressor's ``war_cost / 100`` with its range (specs/deterrence.md
    §1, "Coupling"). ``None`` when the scenario names no aggressor.
    """
    aggressor = scenario.deterrence.aggressor or scenario.scenario.aggressor
    if aggressor is None:
        return None
    a = scenario.actor(aggressor)
    lo, hi = a.range.get("war_cost", (a.war_cost, a.war_cost))
    base = dict(det.DETERRENCE_DEFAULTS)
    base["c1"] = ParameterRange(
        a.war_cost / 100, lo / 100, hi / 100, f"{aggressor} war_cost / 100 (actor data)"
    )
    return _ranges(base, scenario.deterrence, DETERRENCE_INPUTS)


def durability_inputs(scenario: Scenario) -> dict[str, ParameterRange]:
    """The survival model's inputs: the scenario's, else the spec's priors."""
    return _ranges(dur.DURABILITY_DEFAULTS, scenario.durability, DURABILITY_INPUTS)


def _sequences(scenario: Scenario, prop: Any) -> tuple[str, ...]:
    """Orders of events to evaluate, the proposal's own first (specs/deterrence.md §1)."""
    if not scenario.status_quo.fighting:
        return ("after_ceasefire",)
    return {
        "guarantee-first": ("during_fighting",),
        "open": ("during_fighting", "after_ceasefire"),
    }.get(prop.ceasefire_before_accession, ("after_ceasefire",))


def _game(
    g: float,
    h: float,
    sequence: str,
    ranges: Mapping[str, ParameterRange],
    draws: int,
    seed: np.random.SeedSequence,
) -> GameOutcome:
    run = det.run_deterrence(g, h, ranges, draws, rng=np.random.default_rng(seed))
    c = {k: float(v[0]) for k, v in ranges.items()}
    curve = det.attack_curve(
        g, c["v"], c["p1"], c["p2"], c["c1"], c["c2"], h, c["lam"], q_grid=Q_GRID
    )
    return GameOutcome(
        sequence=sequence,
        g=g,
        h=h,
        p_attack_covered=_interval(run.central.p_attack_covered, run.summary["p_attack_covered"]),
        p_attack_uncovered=_interval(
            run.central.p_attack_uncovered, run.summary["p_attack_uncovered"]
        ),
        p_hold=_interval(run.central.p_hold, run.summary["p_hold"]),
        p_guarantor_war=_interval(run.central.p_guarantor_war, run.summary["p_guarantor_war"]),
        q_critical=_interval(run.central.q_critical, run.summary["q_critical"]),
        curve={
            "q": [float(x) for x in curve.q],
            "p_hold": [float(x) for x in curve.p_hold],
            "p_guarantor_war": [float(x) for x in curve.p_guarantor_war],
        },
    )


def _durability(
    mechanisms: list[str],
    ranges: Mapping[str, ParameterRange],
    draws: int,
    seed: np.random.SeedSequence,
) -> DurabilityResult:
    run = dur.run_durability(mechanisms, ranges, draws, rng=np.random.default_rng(seed))
    c = run.central
    curve = dur.survival_curve(T_GRID, ranges["k"].central, c.eta, c.hazard_ratio)
    return DurabilityResult(
        mechanisms=mechanisms,
        hazard_ratio=_interval(c.hazard_ratio, run.summary["hazard_ratio"]),
        p_breakdown_1y=_interval(c.p_breakdown_1y, run.summary["p_breakdown_1y"]),
        p_breakdown_2y=_interval(c.p_breakdown_2y, run.summary["p_breakdown_2y"]),
        p_breakdown_5y=_interval(c.p_breakdown_5y, run.summary["p_breakdown_5y"]),
        median_years=_interval(c.median_years, run.summary["median_years"]),
        survival={"years": [float(t) for t in T_GRID], "survival": [float(x) for x in curve]},
    )


def _model_inputs(ranges: Mapping[str, ParameterRange] | None) -> dict[str, ModelInput]:
    if ranges is None:
        return {}
    return {
        k: ModelInput(central=r.central, low=r.low, high=r.high, source=r.basis)
        for k, r in ranges.items()
    }


def chain_id(institutions: tuple[str, ...] | list[str]) -> str:
    """The id of an institution chain: its institutions joined by '+', in order."""
    return "+".join(institutions)


def _point(dims: tuple[str, ...], x: Any) -> dict[str, float]:
    return {d: float(v) for d, v in zip(dims, x, strict=True)}


def winset_of_chain(
    scenario: Scenario, prefs: Preferences, institutions: tuple[str, ...]
) -> WinSetResult:
    """The win-set of the veto players of an institution chain, with its 2-D picture.

    Veto players are the members of the chain's unanimity/all institutions (and any member
    of a qualified-majority institution who can sink it alone): a qualified majority's
    acceptable set is a union over winning coalitions, not convex, so it is not intersected.
    """
    dims = prefs.dimension_ids
    vetoes = inst.chain_veto_players(scenario, institutions)
    rows = [prefs.actor_ids.index(a) for a in vetoes]
    nd = prefs.no_deal()
    args = (
        prefs.ideal[rows],
        prefs.weights[rows],
        nd[rows],
        prefs.lower[rows],
        prefs.upper[rows],
    )
    ws = wsm.winset(*args, seed=0)
    picture = None
    if len(dims) >= 2 and rows:
        # most salient in the negotiation: saliences weighted by capability
        cap = np.array([scenario.actor(a).capability for a in vetoes])
        totals = (prefs.salience[rows] * cap[:, None]).sum(axis=0)
        i, j = (int(k) for k in np.argsort(-totals, kind="stable")[:2])
        fixed = ws.center
        regions = {
            a: wsm.slice_polygon(
                args[0][[r]],
                args[1][[r]],
                args[2][[r]],
                args[3][[r]],
                args[4][[r]],
                dims=(i, j),
                fixed=fixed,
            ).tolist()
            for r, a in enumerate(vetoes)
        }
        picture = WinSetPicture(
            dimensions=[dims[i], dims[j]],
            fixed={d: float(fixed[k]) for k, d in enumerate(dims) if k not in (i, j)},
            regions=regions,
            winset=wsm.slice_polygon(*args, dims=(i, j), fixed=fixed).tolist(),
        )
    return WinSetResult(
        id=chain_id(institutions),
        institutions=list(institutions),
        veto_players=list(vetoes),
        empty=ws.empty,
        volume_share=ws.volume_share,
        volume_method=ws.volume_method,
        volume_error=ws.volume_error,
        center=None if ws.empty else _point(dims, ws.center),
        min_margin=ws.min_margin,
        extent=None
        if ws.empty
        else {d: [float(ws.extent[k, 0]), float(ws.extent[k, 1])] for k, d in enumerate(dims)},
        conflicts=[[vetoes[r] for r in c] for c in ws.conflicts],
        unexplained=ws.unexplained,
        picture=picture,
    )


def _rescuer(scenario: Scenario, prop: Any) -> str | None:
    """Whose distance a rescue minimises: the proposer, else the disputed state, else none."""
    if prop.proposer is not None:
        return str(prop.proposer)
    if scenario.scenario.disputed_state is not None:
        return scenario.scenario.disputed_state
    return None


def rescue_of_proposal(
    scenario: Scenario, prefs: Preferences, prop: Any, x0: Any
) -> tuple[RescueResult | None, list[ActorChange]]:
    """The smallest rescuing concession and the single-actor alternatives for one proposal."""
    dims = prefs.dimension_ids
    vetoes = inst.chain_veto_players(scenario, prop.requires)
    rows = [prefs.actor_ids.index(a) for a in vetoes]
    if not rows:
        return None, []
    nd = prefs.no_deal()
    rescuer = _rescuer(scenario, prop)
    w_r = (
        prefs.weights[prefs.actor_ids.index(rescuer)]
        if rescuer is not None
        else np.full(len(dims), 1.0 / len(dims))
    )
    res = wsm.rescue(
        x0,
        w_r,
        prefs.ideal[rows],
        prefs.weights[rows],
        nd[rows],
        prefs.lower[rows],
        prefs.upper[rows],
    )
    rescue = None
    if res is not None:
        rescue = RescueResult(
            chain=chain_id(prop.requires),
            point=_point(dims, res.point),
            moves=_point(dims, res.moves),
            rescuer=rescuer,
            distance=float(res.distance),
            binding_actor=None if res.binding is None else vetoes[res.binding],
            binding_actors=[vetoes[i] for i in res.binding_rows],
        )
    changes = []
    for ch in wsm.single_actor_changes(
        x0,
        prefs.ideal[rows],
        prefs.salience[rows],
        prefs.war_cost[rows],
        prefs.fighting,
        prefs.lower[rows],
        prefs.upper[rows],
        prefs.status_quo,
    ):
        actor = scenario.actor(vetoes[ch.row])
        crossed = [
            rl for rl in actor.parsed_red_lines if rl.violation(x0[dims.index(rl.dimension)])
        ]
        changes.append(
            ActorChange(
                actor=actor.id,
                margin=float(ch.margin),
                red_lines_crossed=[str(rl) for rl in crossed],
                red_line_relaxed={str(rl): float(x0[dims.index(rl.dimension)]) for rl in crossed},
                war_cost=ch.war_cost,
                position_move=None if ch.position_move is None else _point(dims, ch.position_move),
                position_distance=ch.position_distance,
                salience_dimension=None if ch.salience_dim is None else dims[ch.salience_dim],
                salience_value=ch.salience_value,
                salience_change=ch.salience_change,
            )
        )
    return rescue, changes


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def forecasts(
    scenario: Scenario,
    engines: tuple[str, ...] = tuple(bargaining.ENGINES),
    *,
    rounds: int = 10,
    seed: int = 0,
) -> list[ForecastResult]:
    """Every requested engine's forecast (see :func:`run_forecasts`; skipped ones dropped)."""
    return run_forecasts(scenario, engines, rounds=rounds, seed=seed)[0]


def run_forecasts(
    scenario: Scenario,
    engines: tuple[str, ...] = tuple(bargaining.ENGINES),
    *,
    rounds: int = 10,
    seed: int = 0,
) -> tuple[list[ForecastResult], list[ForecastSkip]]:
    """Every requested engine's forecast on the scenario (a batch of one).

    Positions, saliences (0-100) and capabilities are the actors'; the status quo is the
    no-deal point. ``rounds`` is the number of rounds of engines with a fixed count (``bdm``;
    its outcome is the final round's median). ``path`` is the engine's forecast point in each
    round: the median for ``bdm``, the expected position of each state for ``smp``, the
    outcome itself for the closed-form engines. An engine that rejects the scenario's data
    (a ``ValueError``: e.g. smp needs two actors and positive saliences) is reported as
    skipped with its reason instead of failing the whole analysis.
    """
    prefs = Preferences.from_scenario(scenario)
    dims = prefs.dimension_ids
    cap = np.array([a.capability for a in scenario.actors], dtype=float)
    problem = bargaining.Problem.single(prefs.ideal, prefs.salience, cap, prefs.status_quo)
    points = {
        p.id: np.array([p.position[d] for d in dims], dtype=float) for p in scenario.proposals
    }
    seeds = dict(zip(engines, np.random.SeedSequence(seed).spawn(len(engines)), strict=True))
    out: list[ForecastResult] = []
    skipped: list[ForecastSkip] = []
    for name, params in bargaining.runs(engines, rounds):
        ss = seeds[name]
        fn = bargaining.engine(name)
        try:
            f = fn(problem, np.random.default_rng(ss), **params)
        except ValueError as err:
            skipped.append(
                ForecastSkip(
                    engine=name, variant=str(params.get("variant", "default")), reason=str(err)
                )
            )
            continue
        outcome = f.outcome[0]
        traj = f.trajectory[0] if f.trajectory is not None else problem.positions
        if "median" in f.extras:
            path = f.extras["median"][0]
        elif "path" in f.extras:
            path = f.extras["path"][0]
        else:
            path = outcome[None, :]
        distances = {pid: float(np.abs(outcome - x).mean()) for pid, x in points.items()}
        original = None
        if any(d.scale_from for d in scenario.dimensions):
            original = {}
            for k, d in enumerate(scenario.dimensions):
                lo, hi = d.scale_from or (0.0, 100.0)
                original[d.id] = float(lo + (hi - lo) * outcome[k] / 100.0)
        note = ""
        if name == "nash":
            note = str(f.extras["case_names"][int(f.extras["case"][0])])
        out.append(
            ForecastResult(
                engine=name,
                variant=f.variant,
                params=_jsonable(f.params),
                dimensions=list(dims),
                actors=list(prefs.actor_ids),
                outcome=_point(dims, outcome),
                rounds=int(f.rounds[0]),
                trajectory=np.asarray(traj, dtype=float).tolist(),
                path=[_point(dims, row) for row in np.asarray(path, dtype=float)],
                distances=distances,
                nearest_proposal=min(distances, key=lambda k: distances[k]) if distances else None,
                probabilities={
                    a: float(v)
                    for a, v in zip(prefs.actor_ids, f.extras["probabilities"][0], strict=True)
                }
                if "probabilities" in f.extras
                else None,
                outcome_original_units=original,
                note=note,
            )
        )
    return out, skipped


def scenario_digest(scenario: Scenario) -> str:
    """sha256 of the scenario's canonical JSON (used when no file text is at hand)."""
    canonical = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def analyze(
    scenario: Scenario,
    *,
    sha256: str | None = None,
    source: str = "",
    draws: int | None = None,
    seed: int | None = None,
    engines: tuple[str, ...] | None = tuple(bargaining.ENGINES),
    rounds: int = 10,
) -> Analysis:
    """Run every stage on a scenario and return the :class:`Analysis`.

    ``draws`` and ``seed`` override the scenario's ``[monte_carlo]`` table for the deterrence
    and durability models. Every proposal uses the same random numbers (common random
    numbers), so differences between proposals are due to their terms, not to noise.
    ``engines`` are the bargaining engines to run (``None``: none), ``rounds`` their rounds.
    """
    prefs = Preferences.from_scenario(scenario)
    mc_draws = draws if draws is not None else scenario.monte_carlo.draws
    mc_seed = seed if seed is not None else scenario.monte_carlo.seed
    det_seed, dur_seed = np.random.SeedSequence(mc_seed).spawn(2)
    det_ranges = deterrence_inputs(scenario)
    dur_ranges = durability_inputs(scenario)
    aggressor = scenario.deterrence.aggressor or scenario.scenario.aggressor
    u_status_quo = prefs.utility(prefs.status_quo)
    held_units, _ = cov.held_fractions(scenario.territory)
    unit_area = np.array([u.area_km2 for u in scenario.territory], dtype=float)
    dims = scenario.dimension_ids
    points = np.array([[p.position[d] for d in dims] for p in scenario.proposals], dtype=float)
    acc = acceptance(prefs, points.reshape(-1, len(dims)))
    no_deal = acc.no_deal
    proposals: list[ProposalResult] = []
    for k, prop in enumerate(scenario.proposals):
        c = cov.coverage(scenario, prop)
        warns = cov.analyst_warnings(scenario, prop, c)
        per_actor: dict[str, ActorAcceptance] = {}
        for i, actor in enumerate(scenario.actors):
            violations = [
                RedLineViolation(
                    red_line=str(rl),
                    value=prop.position[rl.dimension],
                    excess=rl.violation(prop.position[rl.dimension]),
                )
                for rl in actor.parsed_red_lines
                if rl.violation(prop.position[rl.dimension]) > 0
            ]
            per_actor[actor.id] = ActorAcceptance(
                utility=float(acc.utility[k, i]),
                no_deal_utility=float(no_deal[i]),
                margin=float(acc.margin[k, i]),
                accepts=bool(acc.accepts[k, i]),
                red_line_violations=violations,
            )
        accepts = {a: r.accepts for a, r in per_actor.items()}
        votes: dict[str, InstitutionResult] = {}
        for institution in scenario.institutions:
            if institution.id not in prop.requires:
                continue
            v = inst.decide(institution, accepts)
            votes[institution.id] = InstitutionResult(
                required=True,
                passed=v.passed,
                blockers=list(v.blockers),
                accepting=list(v.accepting),
                rejecting=list(v.rejecting),
                accepted_weight_share=v.accepted_weight_share,
            )
        # keep the order of the chain as the proposal declares it
        votes = {iid: votes[iid] for iid in prop.requires}
        vetoes = inst.proposal_veto_players(scenario, prop)
        blockers: list[str] = []
        for r in votes.values():
            blockers.extend(b for b in r.blockers if b not in blockers)
        units = [
            UnitCoverage(
                code=u.code,
                name=u.name,
                invited=float(c.units.invited[j]),
                guaranteed=float(c.units.guaranteed[j]),
                ceded=float(c.units.ceded[j]),
                occupied=float(c.units.occupied[j]),
                controlled=u.controlled_share,
            )
            for j, u in enumerate(scenario.territory)
        ]
        # g: share of the defender-held area under the collective-defence guarantee
        held_area = float((unit_area * held_units).sum())
        g = (
            float((unit_area * np.minimum(c.units.guaranteed, held_units)).sum()) / held_area
            if held_area > 0
            else 0.0
        )
        deterrence: DeterrenceResult | None = None
        if det_ranges is not None and aggressor is not None:
            ia = scenario.actor_ids.index(aggressor)
            outcomes = []
            for seq in _sequences(scenario, prop):
                h = float(
                    det.hold_value(acc.utility[k, ia], u_status_quo[ia], sequence=seq)  # type: ignore[arg-type]
                )
                outcomes.append(_game(g, h, seq, det_ranges, mc_draws, det_seed))
            first = outcomes[0]
            deterrence = DeterrenceResult(
                **first.model_dump(),
                alternatives={o.sequence: o for o in outcomes[1:]},
            )
        passes = all(v.passed for v in votes.values())
        rescue, changes = (
            (None, []) if passes else rescue_of_proposal(scenario, prefs, prop, points[k])
        )
        mechanisms: list[str] = list(prop.mechanisms)
        if g > 0 and "collective_defence" not in mechanisms:
            mechanisms.append("collective_defence")
        durability = _durability(mechanisms, dur_ranges, mc_draws, dur_seed)
        proposals.append(
            ProposalResult(
                id=prop.id,
                label=prop.label,
                proposer=prop.proposer,
                position={d: float(prop.position[d]) for d in dims},
                terms={
                    "invitation": prop.invitation,
                    "guarantee": prop.guarantee,
                    "territory": prop.territory,
                    "mechanisms": list(prop.mechanisms),
                    "ceasefire_before_accession": prop.ceasefire_before_accession,
                    "requires": list(prop.requires),
                },
                coverage=CoverageResult(
                    **{name: getattr(c, name) for name in cov.SHARES}, units=units
                ),
                warnings=[WarningResult(code=w.code, text=w.text) for w in warns],
                acceptance=per_actor,
                institutions=votes,
                veto_players=list(vetoes),
                blockers=blockers,
                passes=passes,
                deterrence=deterrence,
                durability=durability,
                rescue=rescue,
                single_actor_changes=changes,
            )
        )
    fcs, skipped = (
        run_forecasts(scenario, engines, rounds=rounds, seed=mc_seed) if engines else ([], [])
    )
    held_area, held_pop = cov.held_shares(scenario)
    meta = scenario.scenario
    return Analysis(
        schema_version=SCHEMA_VERSION,
        package_version=__version__,
        scenario=ScenarioInfo(
            id=meta.id,
            title=meta.title,
            as_of=meta.as_of.isoformat() if meta.as_of else None,
            sha256=sha256 or scenario_digest(scenario),
            source=source,
        ),
        dimensions=list(dims),
        actors=list(scenario.actor_ids),
        status_quo={d: float(scenario.status_quo.position[d]) for d in dims},
        fighting=scenario.status_quo.fighting,
        no_deal_utility={a: float(no_deal[i]) for i, a in enumerate(scenario.actor_ids)},
        held_area_share=held_area,
        held_population_share=held_pop,
        proposals=proposals,
        aggressor=aggressor,
        monte_carlo={"draws": mc_draws, "seed": mc_seed},
        deterrence_inputs=_model_inputs(det_ranges),
        durability_inputs=_model_inputs(dur_ranges),
        winsets=[
            winset_of_chain(scenario, prefs, chain)
            for chain in dict.fromkeys(p.requires for p in scenario.proposals if p.requires)
        ],
        forecasts=fcs,
        forecasts_skipped=skipped,
    )
