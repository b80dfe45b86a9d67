"""The pipeline: Scenario -> Analysis, nothing else.

``analyze(scenario)`` runs the stages in order and returns an :class:`Analysis` (the schema
is :mod:`ceasefire.results`): per proposal, coverage (``coverage.py``), acceptance
(``preferences.py``), institutions (``institutions.py``), the guarantee game and durability
(``deterrence.py``, ``durability.py``) and, for a failing proposal, the rescue
(``winset.py``); then the win-set of each institution chain and each engine's forecast
(``bargaining/``). Coverage, acceptance and institutions are the same batched kernels the
sweep runs (``uncertainty/pipeline.py``), here on a batch of one. The report, the terminal
summary and the web UI render the result and compute nothing of their own.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ceasefire import __version__, bargaining, feasibility, paths
from ceasefire import coverage as cov
from ceasefire import deterrence as det
from ceasefire import durability as dur
from ceasefire import institutions as inst
from ceasefire import packages as pk
from ceasefire import winset as wsm
from ceasefire._types import FloatArray
from ceasefire.builtin import FOLLOW_UP_END, reference_ceasefires
from ceasefire.deterrence import Order, ParameterRange
from ceasefire.deterrence import curves as det_curves
from ceasefire.deterrence import fit as det_fit
from ceasefire.deterrence import game as det_game
from ceasefire.deterrence import resolve as det_resolve
from ceasefire.inputs import aggressor, deterrence_inputs, durability_inputs, sequences
from ceasefire.preferences import Acceptance, Preferences, acceptance
from ceasefire.results import (
    SCHEMA_VERSION,
    ActorAcceptance,
    ActorChangeResult,
    Analysis,
    BackcastResult,
    BlockerReason,
    CalibrationResult,
    CommitmentResult,
    CoverageResult,
    DeterrenceResult,
    DurabilityResult,
    ForecastResult,
    ForecastSkip,
    GameCurve,
    GameOutcome,
    InstitutionResult,
    Interval,
    ModelInput,
    PackageResult,
    PathHorizon,
    PathOrder,
    PathsResult,
    ProposalResult,
    RedLineViolation,
    ReferenceCeasefire,
    ReferenceComparison,
    RescueResult,
    ScenarioInfo,
    UnitCoverage,
    WarningResult,
    WinSetPicture,
    WinSetResult,
)
from ceasefire.scenario import Actor, Proposal, RedLine, Scenario
from ceasefire.scenario.schema import RatificationWindow

#: the stages ``analyze`` may skip (coverage, acceptance and institutions always run)
OPTIONAL_STAGES: frozenset[str] = frozenset({"deterrence", "durability", "rescue", "winsets"})
#: what ``ceasefire winset`` needs: the win-sets and the rescues of failing proposals
WINSET_STAGES: frozenset[str] = frozenset({"rescue", "winsets"})

Q_GRID = np.linspace(0.0, 1.0, 21)
T_GRID = np.linspace(0.0, 10.0, 41)


@dataclass(frozen=True)
class _Context:
    """What every proposal's stages share: the scenario's arrays, inputs and seeds."""

    scenario: Scenario
    prefs: Preferences
    points: FloatArray  # (P, D)
    acc: Acceptance  # (P, n)
    u_status_quo: FloatArray  # (n,)
    area: FloatArray  # (U,)
    held: FloatArray  # (U,)
    det_ranges: dict[str, ParameterRange] | None
    game_ranges: dict[str, ParameterRange] | None
    dur_ranges: dict[str, ParameterRange]
    aggressor: str | None
    draws: int
    seed: int
    det_seed: np.random.SeedSequence
    dur_seed: np.random.SeedSequence
    stages: frozenset[str]


def _context(
    scenario: Scenario, draws: int | None, seed: int | None, stages: Collection[str]
) -> _Context:
    prefs = Preferences.from_scenario(scenario)
    dims = scenario.dimension_ids
    points = np.array([[p.position[d] for d in dims] for p in scenario.proposals], dtype=float)
    mc_seed = seed if seed is not None else scenario.monte_carlo.seed
    det_seed, dur_seed = np.random.SeedSequence(mc_seed).spawn(2)
    return _Context(
        scenario=scenario,
        prefs=prefs,
        points=points.reshape(-1, len(dims)),
        acc=acceptance(prefs, points.reshape(-1, len(dims)), inst.ends_fighting_all(scenario)),
        u_status_quo=prefs.utility(prefs.status_quo),
        area=cov.recognised_weights(scenario.territory),
        held=cov.held_fractions(scenario.territory)[0],
        det_ranges=deterrence_inputs(scenario),
        game_ranges=det_resolve.game_ranges(scenario),
        dur_ranges=durability_inputs(scenario),
        aggressor=aggressor(scenario),
        draws=draws if draws is not None else scenario.monte_carlo.draws,
        seed=mc_seed,
        det_seed=det_seed,
        dur_seed=dur_seed,
        stages=frozenset(stages),
    )


# ---------------------------------------------------------------------------------------------
# Small conversions


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


def _point(dims: tuple[str, ...], x: Any) -> dict[str, float]:
    return {d: float(v) for d, v in zip(dims, x, strict=True)}


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


# ---------------------------------------------------------------------------------------------
# Per-proposal stages


def _administrators(prop: Proposal) -> dict[str, str]:
    """Who administers each unit's buffer zone under the proposal (unit code -> text)."""
    return {t.unit: t.administered_by for t in prop.unit_terms if t.term == "buffer-zone"}


def _coverage_result(scenario: Scenario, prop: Proposal, c: cov.Coverage) -> CoverageResult:
    f, admin = c.units.area, _administrators(prop)
    units = [
        UnitCoverage(
            code=u.code,
            name=u.name,
            **{o: float(getattr(f, o)[j]) for o in cov.OUTCOMES},
            controlled=u.controlled_share,
            belongs_to=u.belongs_to,
            foreign_returned=float(f.foreign_returned[j]),
            buffer_administered_by=admin.get(u.code, ""),
        )
        for j, u in enumerate(scenario.territory)
    ]
    return CoverageResult(
        **{name: getattr(c, name) for name in cov.SHARES},
        units=units,
        foreign_held_km2=c.foreign_held_km2,
        foreign_returned_km2=c.foreign_returned_km2,
    )


def _violations(actor: Actor, prop: Proposal) -> list[RedLineViolation]:
    """The red lines of ``actor`` that ``prop`` crosses, with kind, penalty and source."""
    return [
        RedLineViolation(
            red_line=str(rl),
            value=prop.position[rl.dimension],
            excess=rl.violation(prop.position[rl.dimension]),
            kind=rl.kind,
            penalty=rl.penalty if np.isfinite(rl.penalty) else None,
            probability=rl.probability,
            source=rl.source,
        )
        for rl in actor.parsed_red_lines
        if rl.violation(prop.position[rl.dimension]) > 0
    ]


def _acceptance_results(ctx: _Context, k: int, prop: Proposal) -> dict[str, ActorAcceptance]:
    """Each actor's utility, margin, acceptance and crossed red lines for proposal ``k``."""
    out: dict[str, ActorAcceptance] = {}
    soft, left = ctx.acc.soft_penalty, ctx.acc.war_after
    assert soft is not None and left is not None
    for i, actor in enumerate(ctx.scenario.actors):
        out[actor.id] = ActorAcceptance(
            utility=float(ctx.acc.utility[k, i]),
            no_deal_utility=float(ctx.acc.no_deal[i]),
            margin=float(ctx.acc.margin[k, i]),
            accepts=bool(ctx.acc.accepts[k, i]),
            red_line_violations=_violations(actor, prop),
            soft_penalty=float(soft[k, i]),
            war_after=float(left[k, i]),
        )
    return out


def blocker_reason(actor: str, a: ActorAcceptance) -> BlockerReason:
    """Label a rejection: ``red line`` (a hard line crossed, or a soft line's penalty turns a
    non-negative margin negative) or ``utility`` (short by ``-margin``)."""
    hard = [v for v in a.red_line_violations if v.kind == "hard"]
    soft = [v for v in a.red_line_violations if v.kind != "hard"]
    by_soft = bool(soft) and a.margin < 0 <= a.margin + a.soft_penalty
    lines = hard or (soft if by_soft else [])
    return BlockerReason(
        actor=actor,
        label="red line" if lines else "utility",
        red_lines=lines,
        shortfall=max(0.0, -a.margin),
    )


def _institution_results(
    scenario: Scenario, prop: Proposal, accepts: Mapping[str, bool]
) -> dict[str, InstitutionResult]:
    """The decision of each institution the proposal requires, in the chain's order."""
    out: dict[str, InstitutionResult] = {}
    for iid in prop.requires:
        v = inst.decide(scenario.institution(iid), accepts)
        out[iid] = InstitutionResult(
            required=True,
            passed=v.passed,
            blockers=list(v.blockers),
            accepting=list(v.accepting),
            rejecting=list(v.rejecting),
            accepted_weight_share=v.accepted_weight_share,
        )
    return out


def _game(ctx: _Context, g: float, h: float, sequence: Order, prop: Proposal) -> GameOutcome:
    """The extended game (deterrence.md §4) at ``g`` and ``h``: central run, Monte Carlo, curves."""
    ranges = ctx.game_ranges
    assert ranges is not None
    comms = det_resolve.commitments(prop, ranges["q"])
    cond = det_resolve.conditions(prop)
    run = det_game.run_extended(
        g,
        h,
        ranges,
        comms,
        ctx.draws,
        rng=np.random.default_rng(ctx.det_seed),
        conditions=cond,
        phase=sequence,
    )
    names = det_game.EXTENDED_OUTPUTS
    intervals = {n: _interval(getattr(run.central, n), run.summary[n]) for n in names}
    curve = det_curves.q_curve(run, Q_GRID, cond)
    return GameOutcome(
        sequence=sequence,
        g=g,
        h=h,
        **intervals,
        curve=curve,
        commitments=[CommitmentResult(**det_curves.commitment_row(c)) for c in comms],
        conditions=list(prop.conditions),
        curves=[
            GameCurve(**c) for c in det_curves.input_curves(g, h, ranges, comms, cond, sequence)
        ],
    )


def _game_share(ctx: _Context, prop: Proposal, g: float) -> float:
    """g for the proposal's commitments: the share their widest scope covers (§4.4)."""
    if prop.commitments is None and prop.guarantee != "bilateral":
        return g
    ranges = ctx.game_ranges
    assert ranges is not None
    scopes = {c.scope for c in det_resolve.commitments(prop, ranges["q"])}
    shares = [
        float(
            cov.guarantee_share(
                ctx.area,
                ctx.held,
                cov.coverage(
                    ctx.scenario, prop.model_copy(update={"guarantee": s})
                ).units.guaranteed,
            )
        )
        for s in scopes
    ]
    return max(shares, default=0.0)


def _deterrence_result(ctx: _Context, k: int, prop: Proposal, g: float) -> DeterrenceResult | None:
    """The game in the proposal's own order of events, and in the other when it is open."""
    if ctx.det_ranges is None or ctx.aggressor is None or "deterrence" not in ctx.stages:
        return None
    ia = ctx.scenario.actor_ids.index(ctx.aggressor)
    g_game = _game_share(ctx, prop, g)
    outcomes = []
    for seq in sequences(ctx.scenario, prop):
        h = float(det.hold_value(ctx.acc.utility[k, ia], ctx.u_status_quo[ia], sequence=seq))
        outcomes.append(_game(ctx, g_game, h, seq, prop))
    first = outcomes[0]
    return DeterrenceResult(
        **first.model_dump(), alternatives={o.sequence: o for o in outcomes[1:]}
    )


def _within_support(iv: Interval) -> Interval:
    """A time beyond the data's support (52 years, docs/specs/durability.md §1) is not reported."""

    def cap(x: float | None) -> float | None:
        return None if x is None or x > dur.SUPPORT_YEARS else x

    return Interval(
        central=cap(iv.central), median=cap(iv.median), p05=cap(iv.p05), p95=cap(iv.p95)
    )


def _calibration(ctx: _Context, proposals: list[ProposalResult]) -> CalibrationResult | None:
    """The game fitted to the scenario's own observed choices (§4.7), if it records any."""
    if ctx.game_ranges is None or "deterrence" not in ctx.stages:
        return None
    by_id = {p.id: p.deterrence for p in proposals}
    targets = det_fit.targets(ctx.scenario, lambda pid: by_id.get(pid))
    return det_fit.result(targets) if targets else None


def _backcast(ctx: _Context) -> BackcastResult | None:
    """The status quo at the stated inputs (§4.7): no deal, nothing covered, h = 0."""
    if ctx.game_ranges is None or ctx.aggressor is None or "deterrence" not in ctx.stages:
        return None
    gi = ctx.scenario.guarantee_game
    phase: Order = "during_fighting" if ctx.scenario.status_quo.fighting else "after_ceasefire"
    run = det_game.run_extended(
        0.0,
        0.0,
        ctx.game_ranges,
        [],
        ctx.draws,
        rng=np.random.default_rng(ctx.det_seed),
        phase=phase,
    )
    p_hold = _interval(run.central.p_hold, run.summary["p_hold"])
    attack = det_curves.complement(p_hold)
    keeps = None if p_hold.central is None else 1.0 - p_hold.central
    observed = gi.status_quo_observed
    reproduces = (
        None if observed is None or keeps is None else (keeps > 0.5) == (observed == "attack")
    )
    return BackcastResult(
        phase=phase,
        observed=observed,
        source=gi.status_quo_source,
        p_keeps_attacking=Interval(**attack),
        p_hold=p_hold,
        reproduces=reproduces,
    )


def _durability_result(ctx: _Context, prop: Proposal, g: float) -> DurabilityResult | None:
    """Durability with the proposal's mechanisms, plus collective defence where ``g > 0``."""
    if "durability" not in ctx.stages:
        return None
    mechanisms: list[str] = list(prop.mechanisms)
    if g > 0 and "collective_defence" not in mechanisms:
        mechanisms.append("collective_defence")
    rng = np.random.default_rng(ctx.dur_seed)
    run = dur.run_durability(
        mechanisms, ctx.dur_ranges, ctx.draws, rng=rng, controls=ctx.scenario.timeline.controls
    )
    c = run.central
    curve = dur.survival_curve(T_GRID, ctx.dur_ranges["k"].central, c.eta, c.hazard_ratio)
    names = ("hazard_ratio", "p_breakdown_1y", "p_breakdown_2y", "p_breakdown_5y")
    return DurabilityResult(
        mechanisms=mechanisms,
        **{name: _interval(getattr(c, name), run.summary[name]) for name in names},
        median_years=_within_support(_interval(c.median_years, run.summary["median_years"])),
        survival={"years": [float(t) for t in T_GRID], "survival": [float(x) for x in curve]},
    )


def _path_params(ctx: _Context, n: int | None) -> dict[str, dict[str, FloatArray]]:
    """The tree's durability and timeline arrays: central (``n = None``, a batch of one) or
    ``n`` draws.

    Draws share the durability model's seed (common random numbers); the timeline inputs and
    the window quantile ``u`` come from a third child seed. The game's inputs are the
    proposal's own (:func:`_path_game`).
    """
    tl = paths.timeline_ranges(ctx.scenario.timeline)

    def central(ranges: Mapping[str, Any]) -> dict[str, FloatArray]:
        return {k: np.array([float(r[0])]) for k, r in ranges.items()}

    if n is None:
        return {"dur": central(ctx.dur_ranges), "tl": central(tl)}
    path_seed = np.random.SeedSequence(ctx.seed).spawn(3)[2]
    rng = np.random.default_rng(path_seed)
    return {
        "dur": det.sample_parameters(ctx.dur_ranges, n, np.random.default_rng(ctx.dur_seed)),
        "tl": det.sample_parameters(tl, n, rng),
        "u": {"u": rng.uniform(size=n)},
    }


def _path_game(
    ctx: _Context, prop: Proposal | None, g_game: float, n: int | None
) -> tuple[FloatArray, dict[str, FloatArray], det_game.Conditions | None]:
    """The game the tree reads, as the deterrence stage plays it (deterrence.md §4): ``g_game``
    the share under the proposal's commitments' scope (:func:`_game_share`), the inputs with
    its commitments folded in (the central run's, or with ``n`` the deterrence Monte Carlo's
    own draws: same seed, same order) and its conditions. ``prop`` None: a bare ceasefire, no
    commitment, no condition."""
    ranges = ctx.game_ranges
    assert ranges is not None
    comms = [] if prop is None else det_resolve.commitments(prop, ranges["q"])
    if n is None:
        central, cred_c, weight_c = det_game.central_inputs(ranges, comms)
        params: dict[str, Any] = {k: np.array([v]) for k, v in central.items()}
        cred: list[Any] = list(cred_c)
        weight: list[Any] = list(weight_c)
    else:
        rng = np.random.default_rng(ctx.det_seed)
        params, cred, weight = det_game.draw_inputs(ranges, comms, n, rng)
    g_k, folded = det_game.fold(g_game, params, comms, cred, weight)
    return g_k, folded, None if prop is None else det_resolve.conditions(prop)


def _path_batch(
    ctx: _Context, k: int, prop: Proposal, g: float, passes: bool, n: int | None
) -> tuple[paths.PathInputs, tuple[RatificationWindow, ...]]:
    """One proposal's tree inputs, central (``n = None``) or over ``n`` draws; ``g`` the share
    under its commitments' scope (:func:`_game_share`)."""
    assert ctx.aggressor is not None
    ia = ctx.scenario.actor_ids.index(ctx.aggressor)
    u_p, u_q = ctx.acc.utility[k, ia], ctx.u_status_quo[ia]
    ws = paths.windows(ctx.scenario, prop)
    prm = _path_params(ctx, n)
    g_k, game, conditions = _path_game(ctx, prop, g, n)
    years = (
        np.array([paths.central_window_years(ws)])
        if n is None
        else paths.window_years(ws, prm["u"]["u"])
    )
    x = paths.path_inputs(
        g=g_k,
        h_after=float(det.hold_value(u_p, u_q, sequence="after_ceasefire")),
        h_fight=float(det.hold_value(u_p, u_q, sequence="during_fighting")),
        game=game,
        conditions=conditions,
        durability=prm["dur"],
        timeline=prm["tl"],
        years=years,
        p_pass=np.full(years.shape, float(passes)),
        mechanisms=prop.mechanisms,
        halts_arms_deliveries=prop.halts_arms_deliveries,
        feasible=paths.guarantee_first_feasible(ws),
    )
    return x, ws


def _iv(central: FloatArray, draws: FloatArray) -> Interval:
    return _interval(float(central[0]), det.summarise_draws(draws))


#: the timeline chart's grid: monthly from one month to 10 years (the tree's longest horizon)
TIMELINE_GRID = tuple(float(t) for t in np.arange(1, 121) / 12)


def _path_order(c: paths.PathInputs, d: paths.PathInputs, order: str) -> PathOrder:
    tc, td = paths.event_tree(c, order), paths.event_tree(d, order)
    grid = paths.event_tree(c, order, TIMELINE_GRID)
    feasible = order == "ceasefire-first" or c.guarantee_first_feasible
    return PathOrder(
        order=order,
        feasible=feasible,
        why=paths.why_orders_differ(order),
        ratification_years=_iv(c.years, d.years),
        p_pass=_iv(c.p_pass, d.p_pass),
        p_hold_interim=_iv(c.p_hold_interim, d.p_hold_interim),
        p_hold_in_force=_iv(c.p_hold_force, d.p_hold_force),
        p_hold_fighting=_iv(c.p_hold_fight, d.p_hold_fight),
        horizons=[
            PathHorizon(
                years=h,
                **{
                    name: _iv(getattr(tc, name)[:, j], getattr(td, name)[:, j])
                    for name in ("p_line_holds", "p_survives", "p_path_if_passed", "p_path")
                },
            )
            for j, h in enumerate(tc.horizons)
        ],
        curve={
            # at signature the ceasefire is in place unless the war goes on through a window
            "years": [0.0, *grid.horizons],
            "p_in_place": [
                0.0 if order == "guarantee-first" and c.years[0] > 0 else 1.0,
                *(float(x) for x in grid.p_path_if_passed[0]),
            ],
        },
    )


def _paths_result(
    ctx: _Context, k: int, prop: Proposal, g: float, passes: bool
) -> PathsResult | None:
    """The event tree in time for one proposal (docs/specs/durability.md §5)."""
    if "durability" not in ctx.stages or ctx.det_ranges is None or ctx.aggressor is None:
        return None
    g_game = _game_share(ctx, prop, g)  # the deterrence stage's g: once for both batches
    c, ws = _path_batch(ctx, k, prop, g_game, passes, None)
    d, _ = _path_batch(ctx, k, prop, g_game, passes, ctx.draws)
    orders = paths.orders_of(prop, float(c.years[0]), ctx.scenario.status_quo.fighting)
    return PathsResult(
        orders=[_path_order(c, d, o) for o in orders],
        hazard_ratio=_iv(c.hr, d.hr),
        support_years=dur.SUPPORT_YEARS,
        windows=[f"{w.institution}: {w.days[0]:g}-{w.days[1]:g} days ({w.source})" for w in ws],
        basis=(
            "hazard = -ln P(hold) per year from the guarantee game x the mechanisms' hazard "
            "ratios (PRIORS: Fortna's tables not retrieved); docs/specs/durability.md §2"
        ),
    )


def _bare_coupled(ctx: _Context, hs: tuple[float, ...]) -> list[float]:
    """S(H) of a bare ceasefire under the coupled model: the game at g = 0, h = 0 (§4)."""
    prm = _path_params(ctx, None)
    _, game, _ = _path_game(ctx, None, 0.0, None)
    p_hold = paths.game_p_hold(0.0, 0.0, game)
    c = dur.commitment_rate(prm["tl"]["power_shift"], prm["tl"]["power_sensitivity"])
    lam = dur.game_hazard(p_hold)
    k = prm["dur"]["k"]
    return [float(np.exp(-lam * dur.shape_integral(0.0, h, k, c))[0]) for h in hs]


def _reference(ctx: _Context, proposals: list[ProposalResult]) -> ReferenceComparison | None:
    """The in-region reference class against the prior and the coupled model (§4)."""
    if "durability" not in ctx.stages or ctx.det_ranges is None or ctx.aggressor is None:
        return None
    rows = reference_ceasefires()
    hs = dur.supported_horizons()
    observed, at_risk = dur.observed_survival([r.years for r in rows], [r.broke for r in rows], hs)
    k, p5 = ctx.dur_ranges["k"].central, ctx.dur_ranges["p5_bare"].central
    controls = ctx.scenario.timeline.controls
    hr_c = dur.control_hazard_ratio(
        controls, {c: dur.CONTROL_DEFAULTS[c].central for c in controls}
    )
    prior = 1.0 - dur.breakdown_probability(np.array(hs), k, dur.eta_from_p5(k, p5), hr_c)
    coupled = {"bare ceasefire (game at g = 0, h = 0)": _bare_coupled(ctx, hs)}
    for p in proposals:
        if p.paths is not None:
            first = p.paths.orders[0]
            coupled[f"{p.id} ({first.order}, if it passes)"] = [
                float(h.p_path_if_passed.central or 0.0) for h in first.horizons
            ]
    return ReferenceComparison(
        cases=[
            ReferenceCeasefire(
                id=r.id,
                label=r.label,
                start=r.start.isoformat(),
                end=r.end.isoformat() if r.end else "",
                years=round(r.years, 2),
                broke=r.broke,
                mechanisms=list(r.mechanisms),
                source=r.source,
            )
            for r in rows
        ],
        horizons=list(hs),
        observed=[float(x) for x in observed],
        at_risk=[int(x) for x in at_risk],
        prior_bare=[float(x) for x in prior],
        coupled_bare=coupled,
        note=(
            "Kaplan-Meier survival of five post-Soviet ceasefires (follow-up to "
            f"{FOLLOW_UP_END.isoformat()}); five cases, so a check of order of magnitude, not an "
            "estimate. The prior is the Weibull of docs/specs/deterrence.md §2 for a bare "
            "ceasefire with this war's controls; the coupled model is docs/specs/durability.md §2."
        ),
    )


def _terms(prop: Proposal) -> dict[str, Any]:
    return {
        "invitation": prop.invitation,
        "guarantee": prop.guarantee,
        "territory": prop.territory,
        "mechanisms": list(prop.mechanisms),
        "ceasefire_before_accession": prop.ceasefire_before_accession,
        "requires": list(prop.requires),
        "unit_terms": [t.model_dump(exclude_defaults=True) for t in prop.unit_terms],
    }


def _proposal_result(ctx: _Context, k: int, prop: Proposal) -> ProposalResult:
    """Every stage for one proposal, in order."""
    scenario = ctx.scenario
    c = cov.coverage(scenario, prop)
    per_actor = _acceptance_results(ctx, k, prop)
    votes = _institution_results(scenario, prop, {a: r.accepts for a, r in per_actor.items()})
    blockers: list[str] = []
    for r in votes.values():
        blockers.extend(b for b in r.blockers if b not in blockers)
    # g: share of the defender-held area under the collective-defence guarantee
    g = float(cov.guarantee_share(ctx.area, ctx.held, c.units.guaranteed))
    passes = all(v.passed for v in votes.values())
    rescue, changes = (
        rescue_of_proposal(scenario, ctx.prefs, prop, ctx.points[k])
        if not passes and "rescue" in ctx.stages
        else (None, [])
    )
    package, package_any = (
        packages_of_proposal(scenario, ctx.prefs, prop, ctx.points[k])
        if not passes and "rescue" in ctx.stages
        else (None, None)
    )
    reasons = {b: blocker_reason(b, per_actor[b]) for b in blockers}
    return ProposalResult(
        id=prop.id,
        label=prop.label,
        proposer=prop.proposer,
        position={d: float(prop.position[d]) for d in scenario.dimension_ids},
        terms=_terms(prop),
        coverage=_coverage_result(scenario, prop, c),
        warnings=[
            WarningResult(code=w.code, text=w.text) for w in cov.analyst_warnings(scenario, prop, c)
        ],
        acceptance=per_actor,
        institutions=votes,
        veto_players=list(inst.proposal_veto_players(scenario, prop)),
        blockers=blockers,
        passes=passes,
        deterrence=_deterrence_result(ctx, k, prop, g),
        durability=_durability_result(ctx, prop, g),
        rescue=rescue,
        single_actor_changes=changes,
        paths=_paths_result(ctx, k, prop, g, passes),
        ends_fighting=inst.ends_fighting(scenario, prop),
        blocker_reasons=reasons,
        defining_terms=list(prop.defining_terms),
        rescue_keeps_defining_terms=None
        if rescue is None or not prop.defining_terms
        else _keeps(scenario, prop, rescue.point),
        package=package,
        package_unrestricted=package_any,
    )


# ---------------------------------------------------------------------------------------------
# Win-sets and rescues (winset.py)


def chain_no_deal(
    scenario: Scenario, prefs: Preferences, institutions: tuple[str, ...]
) -> FloatArray:
    """``U_i(no deal)`` as a chain's deals see it, ``(n,)``.

    A chain without every belligerent leaves the war going on after its deal, so its deals
    carry the war cost too: comparing ``U_i(x) - war_cost_i/100`` with ``U_i(q) - war_cost_i/100``
    is comparing ``U_i(x)`` with ``U_i(q)`` (docs/specs/preferences.md, "Peace only counts when
    it comes"). A chain with every belligerent is credited with ending it (a point at
    "fighting continues" on the ceasefire dimension is a face of measure zero, ignored here).
    """
    nd = prefs.no_deal()
    if inst.chain_ends_fighting(scenario, institutions) or not prefs.fighting:
        return nd
    out: FloatArray = nd + prefs.war_cost / 100.0
    return out


def _picture(
    scenario: Scenario,
    prefs: Preferences,
    vetoes: tuple[str, ...],
    rows: list[int],
    center: FloatArray,
    nd: FloatArray,
) -> WinSetPicture:
    """The win-set's 2-D slice through ``center`` on the two most salient dimensions."""
    dims = prefs.dimension_ids
    # most salient in the negotiation: saliences weighted by capability
    cap = np.array([scenario.actor(a).capability for a in vetoes])
    totals = (prefs.salience[rows] * cap[:, None]).sum(axis=0)
    i, j = (int(k) for k in np.argsort(-totals, kind="stable")[:2])

    def polygon(r: list[int]) -> list[list[float]]:
        vertices: list[list[float]] = wsm.slice_polygon(
            prefs.ideal[r],
            prefs.weights[r],
            nd[r],
            prefs.lower[r],
            prefs.upper[r],
            dims=(i, j),
            fixed=center,
            penalty=_penalties(prefs, r),
        ).tolist()
        return vertices

    return WinSetPicture(
        dimensions=[dims[i], dims[j]],
        fixed={d: float(center[k]) for k, d in enumerate(dims) if k not in (i, j)},
        regions={a: polygon([r]) for a, r in zip(vetoes, rows, strict=True)},
        winset=polygon(rows),
    )


def _penalties(prefs: Preferences, rows: list[int]) -> FloatArray | None:
    """The soft red lines' penalties of ``rows`` (``inf``: hard), None when all are hard."""
    return None if prefs.penalty is None else prefs.penalty[rows]


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
    nd = chain_no_deal(scenario, prefs, institutions)
    pen = _penalties(prefs, rows)
    ws = wsm.winset(
        prefs.ideal[rows], prefs.weights[rows], nd[rows], prefs.lower[rows], prefs.upper[rows],
        seed=0, penalty=pen,
    )  # fmt: skip
    picture = None
    if len(dims) >= 2 and rows:
        picture = _picture(scenario, prefs, vetoes, rows, ws.center, nd)
    edge = wsm.knife_edge(
        prefs.ideal[rows], prefs.weights[rows], nd[rows], prefs.lower[rows], prefs.upper[rows],
        empty=ws.empty, extent=None if ws.empty else ws.extent, penalty=pen,
    )  # fmt: skip
    edge_fields: dict[str, Any] = {}
    if edge.row is not None and edge.dimension is not None:
        bound = (prefs.lower if edge.op == ">=" else prefs.upper)[rows[edge.row], edge.dimension]
        edge_fields = {
            "knife_edge": edge.change,
            "knife_edge_actor": vetoes[edge.row],
            "knife_edge_red_line": f"{dims[edge.dimension]} {edge.op} {bound:g}",
            "knife_edge_empties": edge.empties,
        }
    edge_fields.update(_salience_edge(prefs, rows, vetoes, nd, ws, pen))
    return WinSetResult(
        id=chain_id(institutions),
        institutions=list(institutions),
        veto_players=list(vetoes),
        empty=ws.empty,
        volume_share=ws.volume_share,
        volume_method=ws.volume_method,
        volume_error=ws.volume_error,
        center=None if ws.empty else _point(dims, ws.center),
        # inf when no veto player binds (a qualified majority no single member can sink): the
        # whole scale is acceptable and no margin exists; JSON has no inf, so it is None
        min_margin=ws.min_margin if np.isfinite(ws.min_margin) else None,
        extent=None
        if ws.empty
        else {d: [float(ws.extent[k, 0]), float(ws.extent[k, 1])] for k, d in enumerate(dims)},
        conflicts=[[vetoes[r] for r in c] for c in ws.conflicts],
        unexplained=ws.unexplained,
        picture=picture,
        **edge_fields,
    )


def _salience_edge(
    prefs: Preferences,
    rows: list[int],
    vetoes: tuple[str, ...],
    nd: FloatArray,
    ws: wsm.WinSet,
    pen: FloatArray | None,
) -> dict[str, Any]:
    """The win-set's knife edge over one salience (``winset.salience_knife_edge``), as fields."""
    if not rows:
        return {}
    edge = wsm.salience_knife_edge(
        prefs.ideal[rows], prefs.salience[rows], nd[rows], prefs.lower[rows], prefs.upper[rows],
        prefs.status_quo, empty=ws.empty, center=None if ws.empty else ws.center, penalty=pen,
    )  # fmt: skip
    if edge.row is None or edge.dimension is None:
        return {}
    return {
        "salience_edge": edge.change,
        "salience_edge_actor": vetoes[edge.row],
        "salience_edge_dimension": prefs.dimension_ids[edge.dimension],
        "salience_edge_value": edge.value,
        "salience_edge_empties": edge.empties,
    }


def _rescuer(scenario: Scenario, prop: Proposal) -> str | None:
    """Whose distance a rescue minimises: the proposer, else the disputed state, else none."""
    if prop.proposer is not None:
        return str(prop.proposer)
    if scenario.scenario.disputed_state is not None:
        return scenario.scenario.disputed_state
    return None


def _rescue(
    scenario: Scenario, prefs: Preferences, prop: Proposal, x0: FloatArray, vetoes: tuple[str, ...]
) -> RescueResult | None:
    """The nearest point of the chain's win-set for the rescuer (``winset.rescue``)."""
    dims = prefs.dimension_ids
    rows = [prefs.actor_ids.index(a) for a in vetoes]
    rescuer = _rescuer(scenario, prop)
    w_r = (
        prefs.weights[prefs.actor_ids.index(rescuer)]
        if rescuer is not None
        else np.full(len(dims), 1.0 / len(dims))
    )
    nd = chain_no_deal(scenario, prefs, prop.requires)
    res = wsm.rescue(
        x0, w_r, prefs.ideal[rows], prefs.weights[rows], nd[rows], prefs.lower[rows],
        prefs.upper[rows], penalty=_penalties(prefs, rows),
    )  # fmt: skip
    if res is None:
        return None
    return RescueResult(
        chain=chain_id(prop.requires),
        point=_point(dims, res.point),
        moves=_point(dims, res.moves),
        rescuer=rescuer,
        distance=float(res.distance),
        binding_actor=None if res.binding is None else vetoes[res.binding],
        binding_actors=[vetoes[i] for i in res.binding_rows],
    )


def _actor_changes(
    scenario: Scenario,
    prefs: Preferences,
    x0: FloatArray,
    vetoes: tuple[str, ...],
    fighting: bool,
) -> list[ActorChangeResult]:
    """The smallest change to each rejecting veto player (``winset.single_actor_changes``).

    ``fighting``: whether the deal is credited with ending a war (a deal that leaves it going
    on carries its cost on both sides of the comparison, as if no war were fought).
    """
    dims = prefs.dimension_ids
    rows = [prefs.actor_ids.index(a) for a in vetoes]
    changes = []
    for ch in wsm.single_actor_changes(
        x0, prefs.ideal[rows], prefs.salience[rows], prefs.war_cost[rows], fighting,
        prefs.lower[rows], prefs.upper[rows], prefs.status_quo,
        penalty=None if prefs.penalty is None else prefs.penalty[rows],
    ):  # fmt: skip
        actor = scenario.actor(vetoes[ch.row])
        crossed = [
            rl for rl in actor.parsed_red_lines if rl.violation(x0[dims.index(rl.dimension)])
        ]
        changes.append(
            ActorChangeResult(
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
    return changes


def _keeps(scenario: Scenario, prop: Proposal, point: Mapping[str, float]) -> bool:
    """Whether ``point`` keeps every defining term of ``prop`` (within 1e-6 points)."""
    return all(
        RedLine.parse(t).violation(point[RedLine.parse(t).dimension]) <= 1e-6
        for t in prop.defining_terms
    )


def _terms_box(scenario: Scenario, prop: Proposal) -> tuple[FloatArray, FloatArray]:
    """The box ``[lo, hi]^D`` the proposal's defining terms leave (the whole cube if none)."""
    dims = scenario.dimension_ids
    lo, hi = np.zeros(len(dims)), np.full(len(dims), 100.0)
    for text in prop.defining_terms:
        rl = RedLine.parse(text)
        k = dims.index(rl.dimension)
        if rl.op == ">=":
            lo[k] = max(lo[k], rl.bound)
        else:
            hi[k] = min(hi[k], rl.bound)
    return lo, hi


def _rescuer_weights(scenario: Scenario, prefs: Preferences, prop: Proposal) -> FloatArray:
    """The rescuer's normalised saliences (equal weights without a rescuer)."""
    rescuer = _rescuer(scenario, prop)
    if rescuer is None:
        return np.full(len(prefs.dimension_ids), 1.0 / len(prefs.dimension_ids))
    out: FloatArray = prefs.weights[prefs.actor_ids.index(rescuer)]
    return out


def _package_why(pkg: pk.Package, dims: tuple[str, ...], terms: bool) -> str:
    """Why no package exists ("" when one does)."""
    if pkg.exists:
        return ""
    if not pkg.conflicts:
        return "no package within the side issues' limits wins every veto player"
    named = ", ".join(dims[k] for k in pkg.conflicts)
    also = " and the defining terms" if terms else ""
    return (
        f"hard red lines{also} leave no point on {named}; side payments cannot buy a hard red line"
    )


def _package_result(
    scenario: Scenario,
    prefs: Preferences,
    prop: Proposal,
    x0: FloatArray,
    keep: bool,
) -> PackageResult:
    """The cheapest package for ``prop``'s veto players (``packages.cheapest_package``)."""
    dims = prefs.dimension_ids
    vetoes = inst.chain_veto_players(scenario, prop.requires)
    rows = [prefs.actor_ids.index(a) for a in vetoes]
    side = pk.SideArrays.of(scenario)
    nd = chain_no_deal(scenario, prefs, prop.requires)
    pen = prefs.penalty if prefs.penalty is not None else np.full(prefs.ideal.shape, np.inf)
    pkg = pk.cheapest_package(
        x0, _rescuer_weights(scenario, prefs, prop), prefs.ideal[rows], prefs.weights[rows],
        nd[rows], prefs.lower[rows], prefs.upper[rows], side, rows, penalty=pen[rows],
        keep=_terms_box(scenario, prop) if keep else None,
    )  # fmt: skip
    if pkg.point is None:
        return PackageResult(
            chain=chain_id(prop.requires), keeps_defining_terms=keep, exists=False,
            why=_package_why(pkg, dims, keep and bool(prop.defining_terms)), point=None,
            moves=None, units={}, payment_cost=None, move_cost=None, price_per_blocker={},
            paid_by={},
        )  # fmt: skip
    # solver noise below 1e-6 scale points is no move
    moves = np.where(np.abs(pkg.point - x0) < 1e-6, 0.0, pkg.point - x0)
    prices = pk.price_per_blocker(pkg, side, rows)
    paid = pk.paid_by(pkg, side)
    return PackageResult(
        chain=chain_id(prop.requires),
        keeps_defining_terms=keep,
        exists=True,
        why="",
        point=_point(dims, x0 + moves),
        moves=_point(dims, moves),
        units={i: float(u) for i, u in zip(side.ids, pkg.units, strict=True) if u > 1e-9},
        payment_cost=pkg.payment_cost,
        move_cost=pkg.move_cost,
        price_per_blocker={vetoes[k]: float(v) for k, v in enumerate(prices) if v > 1e-12},
        paid_by={a: float(v) for a, v in zip(prefs.actor_ids, paid, strict=True) if v > 1e-12},
    )


def packages_of_proposal(
    scenario: Scenario, prefs: Preferences, prop: Proposal, x0: FloatArray
) -> tuple[PackageResult | None, PackageResult | None]:
    """The cheapest package keeping the defining terms, and the unrestricted one (issue 13).

    Without defining terms the two are the same search: only the first is returned.
    """
    if not inst.chain_veto_players(scenario, prop.requires):
        return None, None
    kept = _package_result(scenario, prefs, prop, x0, keep=True)
    if not prop.defining_terms:
        return kept, None
    return kept, _package_result(scenario, prefs, prop, x0, keep=False)


def rescue_of_proposal(
    scenario: Scenario, prefs: Preferences, prop: Proposal, x0: FloatArray
) -> tuple[RescueResult | None, list[ActorChangeResult]]:
    """The smallest rescuing concession and the single-actor alternatives for one proposal."""
    vetoes = inst.chain_veto_players(scenario, prop.requires)
    if not vetoes:
        return None, []
    fighting = prefs.fighting and inst.ends_fighting(scenario, prop) > 0
    return _rescue(scenario, prefs, prop, x0, vetoes), _actor_changes(
        scenario, prefs, x0, vetoes, fighting
    )


# ---------------------------------------------------------------------------------------------
# Forecasts (bargaining/)


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


def _original_units(scenario: Scenario, outcome: FloatArray) -> dict[str, float] | None:
    """The outcome on the dimensions' original scales, when any dimension states one."""
    if not any(d.scale_from for d in scenario.dimensions):
        return None
    out = {}
    for k, d in enumerate(scenario.dimensions):
        lo, hi = d.scale_from or (0.0, 100.0)
        out[d.id] = float(lo + (hi - lo) * outcome[k] / 100.0)
    return out


def _forecast_result(
    scenario: Scenario, prefs: Preferences, problem: bargaining.Problem, f: bargaining.Forecast
) -> ForecastResult:
    """One engine's forecast (batch element 0) as a result; what it adds, from its capabilities."""
    caps = bargaining.capabilities(f.method)
    dims = prefs.dimension_ids
    outcome = f.outcome[0]
    traj = f.trajectory[0] if f.trajectory is not None else problem.positions
    distances = {
        p.id: float(np.abs(outcome - np.array([p.position[d] for d in dims])).mean())
        for p in scenario.proposals
    }
    probabilities = f.extras.get("probabilities")
    return ForecastResult(
        engine=f.method,
        variant=f.variant,
        version=f.version,
        params=_jsonable(f.params),
        dimensions=list(dims),
        actors=list(prefs.actor_ids),
        outcome=_point(dims, outcome),
        rounds=int(f.rounds[0]),
        trajectory=np.asarray(traj, dtype=float).tolist(),
        path=[_point(dims, row) for row in caps.path_of(f)],
        distances=distances,
        nearest_proposal=min(distances, key=lambda k: distances[k]) if distances else None,
        probabilities=None
        if probabilities is None
        else {a: float(v) for a, v in zip(prefs.actor_ids, probabilities[0], strict=True)},
        outcome_original_units=_original_units(scenario, outcome),
        note=_note(caps, f, prefs.actor_ids),
        check=feasibility.check(scenario, prefs, outcome),
        round_range=_round_range(dims, f),
        status=_status(dims, f),
    )


def _note(caps: bargaining.Capabilities, f: bargaining.Forecast, actors: tuple[str, ...]) -> str:
    """The engine's note, naming the actors it flags (nash: those at the disagreement point)."""
    note = caps.note_of(f)
    flagged = f.extras.get("at_q")
    if note and flagged is not None and np.any(flagged[0]):
        names = [a for a, hit in zip(actors, flagged[0], strict=True) if hit]
        note += f" (at the status quo: {', '.join(names)})"
    return note


def _round_range(dims: tuple[str, ...], f: bargaining.Forecast) -> dict[str, list[float]] | None:
    """An engine's per-dimension round-count sensitivity (``round_low``/``round_high``)."""
    if "round_low" not in f.extras:
        return None
    low, high = f.extras["round_low"][0], f.extras["round_high"][0]
    return {d: [float(low[k]), float(high[k])] for k, d in enumerate(dims)}


def _status(dims: tuple[str, ...], f: bargaining.Forecast) -> dict[str, str] | None:
    """An engine's per-dimension status (``status`` codes named by ``status_names``)."""
    if "status" not in f.extras:
        return None
    names = f.extras["status_names"]
    return {d: str(names[int(c)]) for d, c in zip(dims, f.extras["status"][0], strict=True)}


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
    round (``Capabilities.path``: the median for ``bdm``, the expected position of each state
    for ``smp``), else the outcome itself. An engine that rejects the scenario's data
    (a ``ValueError``: e.g. smp needs two actors and positive saliences) is reported as
    skipped with its reason instead of failing the whole analysis.
    """
    prefs = Preferences.from_scenario(scenario)
    cap = np.array([a.capability for a in scenario.actors], dtype=float)
    # the no-deal point of nash carries the acceptance stage's war costs (zero without fighting)
    war_cost = prefs.war_cost if prefs.fighting else np.zeros_like(prefs.war_cost)
    problem = bargaining.Problem.single(
        prefs.ideal, prefs.salience, cap, prefs.status_quo, war_cost
    )
    seeds = dict(zip(engines, np.random.SeedSequence(seed).spawn(len(engines)), strict=True))
    out: list[ForecastResult] = []
    skipped: list[ForecastSkip] = []
    for name, params in bargaining.runs(engines, rounds):
        try:
            f = bargaining.engine(name)(problem, np.random.default_rng(seeds[name]), **params)
        except ValueError as err:
            variant = str(params.get("variant", "default"))
            skipped.append(ForecastSkip(engine=name, variant=variant, reason=str(err)))
            continue
        out.append(_forecast_result(scenario, prefs, problem, f))
    return out, skipped


# ---------------------------------------------------------------------------------------------
# The whole analysis


def scenario_digest(scenario: Scenario) -> str:
    """sha256 of the scenario's canonical JSON (used when no file text is at hand)."""
    canonical = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _scenario_info(scenario: Scenario, sha256: str | None, source: str) -> ScenarioInfo:
    meta = scenario.scenario
    return ScenarioInfo(
        id=meta.id,
        title=meta.title,
        as_of=meta.as_of.isoformat() if meta.as_of else None,
        sha256=sha256 or scenario_digest(scenario),
        source=source,
    )


def _winsets(ctx: _Context) -> list[WinSetResult]:
    """The win-set of every distinct institution chain a proposal requires."""
    if "winsets" not in ctx.stages:
        return []
    chains = dict.fromkeys(p.requires for p in ctx.scenario.proposals if p.requires)
    return [winset_of_chain(ctx.scenario, ctx.prefs, chain) for chain in chains]


def analyze(
    scenario: Scenario,
    *,
    sha256: str | None = None,
    source: str = "",
    draws: int | None = None,
    seed: int | None = None,
    engines: tuple[str, ...] | None = tuple(bargaining.ENGINES),
    rounds: int = 10,
    stages: Collection[str] = OPTIONAL_STAGES,
) -> Analysis:
    """Run every stage on a scenario and return the :class:`Analysis`.

    ``draws`` and ``seed`` override the scenario's ``[monte_carlo]`` table for the deterrence
    and durability models. Every proposal uses the same random numbers (common random
    numbers), so differences between proposals are due to their terms, not to noise.
    ``engines`` are the bargaining engines to run (``None``: none), ``rounds`` their rounds.
    ``stages``: the optional stages to run (``OPTIONAL_STAGES``; e.g. ``WINSET_STAGES``).
    """
    ctx = _context(scenario, draws, seed, stages)
    proposals = [_proposal_result(ctx, k, p) for k, p in enumerate(scenario.proposals)]
    fcs, skipped = (
        run_forecasts(scenario, engines, rounds=rounds, seed=ctx.seed) if engines else ([], [])
    )
    from ceasefire.actor_sets import run_actor_sets

    set_fcs, spread = run_actor_sets(
        scenario, engines or (), rounds=rounds, seed=ctx.seed, whole=fcs
    )
    held_area, held_pop = cov.held_shares(scenario)
    dims = scenario.dimension_ids
    return Analysis(
        schema_version=SCHEMA_VERSION,
        package_version=__version__,
        scenario=_scenario_info(scenario, sha256, source),
        dimensions=list(dims),
        actors=list(scenario.actor_ids),
        status_quo={d: float(scenario.status_quo.position[d]) for d in dims},
        fighting=scenario.status_quo.fighting,
        no_deal_utility={a: float(ctx.acc.no_deal[i]) for i, a in enumerate(scenario.actor_ids)},
        held_area_share=held_area,
        held_population_share=held_pop,
        proposals=proposals,
        aggressor=ctx.aggressor,
        monte_carlo={"draws": ctx.draws, "seed": ctx.seed},
        deterrence_inputs=_model_inputs(ctx.det_ranges),
        durability_inputs=_model_inputs(ctx.dur_ranges),
        game_inputs=_model_inputs(
            None
            if ctx.game_ranges is None
            else {k: ctx.game_ranges[k] for k in det_game.EXTENDED_PARAMETERS}
        ),
        timeline_inputs=_model_inputs(paths.timeline_ranges(scenario.timeline)),
        winsets=_winsets(ctx),
        forecasts=fcs,
        forecasts_skipped=skipped,
        actor_set_forecasts=set_fcs,
        forecast_spread=spread,
        reference=_reference(ctx, proposals),
        backcast=_backcast(ctx),
        calibration=_calibration(ctx, proposals),
    )


__all__ = [
    "OPTIONAL_STAGES",
    "SCHEMA_VERSION",
    "WINSET_STAGES",
    "ActorAcceptance",
    "ActorChangeResult",
    "Analysis",
    "CoverageResult",
    "DeterrenceResult",
    "DurabilityResult",
    "ForecastResult",
    "ForecastSkip",
    "GameOutcome",
    "InstitutionResult",
    "Interval",
    "ModelInput",
    "ProposalResult",
    "RedLineViolation",
    "RescueResult",
    "ScenarioInfo",
    "UnitCoverage",
    "WarningResult",
    "WinSetPicture",
    "WinSetResult",
    "analyze",
    "chain_id",
    "rescue_of_proposal",
    "run_forecasts",
    "scenario_digest",
    "winset_of_chain",
]
