"""The batch pipeline: the whole analysis for a batch of B perturbed scenarios at once.

A :class:`Model` is a scenario compiled into arrays at its central values, plus the list of
its ranged inputs; the engines and rounds come from its :class:`SweepSpec`. :func:`evaluate`
takes input values ``(B, d)`` and runs, each as one vectorised batch over the draws (no Python
loop over draws), the same kernels a single run calls with a batch of one:

* coverage (``coverage.fractions``, ``share``, ``guarantee_share``): per-unit fractions
  invited / guaranteed / ceded / occupied from the drawn control shares, their area-weighted
  shares, and ``g``, the share of the defender-held area under collective defence;
* acceptance (``preferences.accept``, ``docs/specs/preferences.md``):
  ``U_i(x) = -Σ_d w_id |x_d - p_id| / 100``, ``U_i(no deal) = U_i(q) - war_cost_i / 100`` if
  fighting continues; accept iff red lines are respected and the margin is ``>= 0`` (ties
  accept, ``preferences.TIE_TOLERANCE``);
* institutions (``institutions.decide_batch``): unanimity/all, or qualified majority by weight
  and count;
* the guarantee game (``docs/specs/deterrence.md`` §1) with ``h`` from ``deterrence.hold_value`` in
  the proposal's own order of events, and ``c1 = war_cost_A / 100`` unless given;
* durability (§2), with collective defence added as a mechanism where ``g > 0``;
* each bargaining engine as one ``Problem`` of shape ``(B, n, D)``, with the parameters its
  ``Capabilities`` declare for a sweep.

The win-set stage is the exception: non-emptiness of each institution chain's win-set is an
LP (``winset.winset``, HiGHS) per draw, so :func:`evaluate` with ``winsets=True`` loops over
draws for that stage only. It is off by default: about 40 ms per draw for a 33-member chain,
which would dominate a sweep; rescues (a second LP per failing proposal and draw) are not
swept — they explain a single run's conclusion, and the switch points of
``sensitivity.switch_points`` answer the same question across the ranges.

Pure: no I/O, no printing, no global state; the engines' random numbers come from ``seed``
(one child per engine run).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ceasefire import bargaining
from ceasefire import coverage as cov
from ceasefire import deterrence as det
from ceasefire import durability as dur
from ceasefire import institutions as inst
from ceasefire import preferences as pref
from ceasefire._types import BoolArray, FloatArray, IntArray
from ceasefire.deterrence import Order
from ceasefire.inputs import aggressor, deterrence_inputs, durability_inputs, sequences
from ceasefire.preferences import Preferences
from ceasefire.scenario import Scenario
from ceasefire.uncertainty.ranges import RangedInput, central_values, ranged_inputs

#: engines a sweep runs by default: the fast closed-form ones (bdm costs ~30 ms and smp
#: ~250 ms per draw on the built-in scenario; ask for them with ``engines=``)
DEFAULT_ENGINES: tuple[str, ...] = ("compromise", "nash")

DETERRENCE_OUTPUTS = ("p_hold", "p_attack_uncovered", "p_attack_covered", "p_guarantor_war")
DURABILITY_OUTPUTS = ("hazard_ratio", "p_breakdown_1y", "p_breakdown_5y", "median_years")
COVERAGE_OUTPUTS = (
    "invited_area_share",
    "guaranteed_area_share",
    "ceded_area_share",
    "occupied_area_share",
)


@dataclass(frozen=True)
class SweepSpec:
    """What determines a sweep's numbers (the manifest's identity fields).

    The one source of truth for what a sweep runs: :func:`compile_model` takes the engines
    and rounds from it, and ``backends.run_sweep`` refuses a spec that disagrees with them.
    """

    draws: int
    seed: int
    method: str = "lhs"
    chunk: int = 500
    engines: tuple[str, ...] = DEFAULT_ENGINES
    rounds: int = 10
    winsets: bool = False


@dataclass(frozen=True)
class Rule:
    """One (proposal, institution) decision: the members' actor rows and the rule."""

    proposal: int
    institution: str
    members: IntArray
    decision: inst.DecisionRule


@dataclass(frozen=True)
class Model:
    """A scenario compiled into arrays (central values) and its ranged inputs."""

    scenario_id: str
    actor_ids: tuple[str, ...]
    actor_names: tuple[str, ...]
    dimension_ids: tuple[str, ...]
    proposal_ids: tuple[str, ...]
    proposal_labels: tuple[str, ...]
    institution_names: dict[str, str]
    points: FloatArray  # (P, D)
    ideal: FloatArray  # (n, D)
    salience: FloatArray  # (n, D)
    capability: FloatArray  # (n,)
    war_cost: FloatArray  # (n,)
    lower: FloatArray  # (n, D)
    upper: FloatArray  # (n, D)
    status_quo: FloatArray  # (D,)
    fighting: bool
    area: FloatArray  # (U,)
    held: FloatArray  # (U,)
    claimed: BoolArray  # (U,)
    returned: FloatArray  # (P, U)
    invitation: tuple[str, ...]
    guarantee: tuple[str, ...]
    territory: tuple[str, ...]
    rules: tuple[Rule, ...]
    requires: tuple[tuple[int, ...], ...]  # per proposal: indices into rules
    vetoes: tuple[IntArray, ...]  # per proposal: veto players' rows
    chains: tuple[tuple[str, IntArray], ...]  # (chain id, veto rows)
    aggressor: int  # -1: no guarantee game
    sequence: tuple[Order, ...]  # per proposal: its own order of events
    deterrence: dict[str, float]
    c1_coupled: bool
    durability: dict[str, float]
    mechanisms: BoolArray  # (P, M), without collective defence
    inputs: tuple[RangedInput, ...]
    engines: tuple[tuple[str, dict[str, Any]], ...] = field(default=())
    #: the engine names and rounds the model was compiled with (from its ``SweepSpec``)
    engine_names: tuple[str, ...] = ()
    rounds: int = 10
    #: (n, D) utility per point beyond a soft red line (inf: hard); None: all hard (issue 13)
    penalty: FloatArray | None = None
    #: (P,) how far each proposal ends the fighting (``institutions.ends_fighting``)
    ends: FloatArray | None = None
    #: per chain (as ``chains``): whether its deals end the fighting
    chain_ends: tuple[bool, ...] = ()

    @property
    def engine_keys(self) -> tuple[str, ...]:
        """``engine-variant`` names of the engine runs, in order."""
        return tuple(_engine_key(n, p) for n, p in self.engines)


def _engine_key(name: str, params: dict[str, Any]) -> str:
    v = params.get("variant")
    return f"{name}-{v}" if v else name


def _rules(scenario: Scenario) -> tuple[tuple[Rule, ...], tuple[tuple[int, ...], ...]]:
    """Every (proposal, required institution) decision, and each proposal's indices into it."""
    actors = scenario.actor_ids
    rules: list[Rule] = []
    requires: list[tuple[int, ...]] = []
    for k, p in enumerate(scenario.proposals):
        idx = []
        for iid in p.requires:
            i = scenario.institution(iid)
            idx.append(len(rules))
            members = np.array([actors.index(m) for m in i.members], dtype=np.int64)
            rules.append(Rule(k, iid, members, inst.DecisionRule.of(i)))
        requires.append(tuple(idx))
    return tuple(rules), tuple(requires)


def _rows(actors: tuple[str, ...], ids: tuple[str, ...]) -> IntArray:
    return np.array([actors.index(a) for a in ids], dtype=np.int64)


def _names(scenario: Scenario) -> dict[str, Any]:
    """Ids and display names of the actors, dimensions, proposals and institutions."""
    return {
        "scenario_id": scenario.id,
        "actor_ids": scenario.actor_ids,
        "actor_names": tuple(a.name or a.id for a in scenario.actors),
        "dimension_ids": scenario.dimension_ids,
        "proposal_ids": tuple(p.id for p in scenario.proposals),
        "proposal_labels": tuple(p.label or p.id for p in scenario.proposals),
        "institution_names": {i.id: i.name or i.id for i in scenario.institutions},
    }


def _actor_arrays(scenario: Scenario) -> dict[str, Any]:
    """The preferences stage's arrays (``Preferences``) and the capabilities."""
    prefs = Preferences.from_scenario(scenario)
    return {
        "ideal": prefs.ideal,
        "salience": prefs.salience,
        "capability": np.array([a.capability for a in scenario.actors], dtype=float),
        "war_cost": prefs.war_cost,
        "lower": prefs.lower,
        "upper": prefs.upper,
        "status_quo": prefs.status_quo,
        "fighting": prefs.fighting,
        "penalty": prefs.penalty,
        "ends": inst.ends_fighting_all(scenario),
    }


def _proposal_arrays(scenario: Scenario) -> dict[str, Any]:
    """Each proposal's point, territorial terms and mechanisms, and the territory's arrays."""
    props, units, dims = scenario.proposals, scenario.territory, scenario.dimension_ids
    points = [[p.position[d] for d in dims] for p in props]
    mechanisms = [[m in p.mechanisms for m in dur.MECHANISMS] for p in props]
    return {
        "points": np.array(points, dtype=float).reshape(len(props), len(dims)),
        "area": np.array([u.area_km2 for u in units], dtype=float),
        "held": cov.held_fractions(units)[0],
        "claimed": cov.claimed_units(units),
        "returned": np.array([cov.returned_shares(units, p) for p in props], dtype=float).reshape(
            len(props), len(units)
        ),
        "invitation": tuple(p.invitation for p in props),
        "guarantee": tuple(p.guarantee for p in props),
        "territory": tuple(p.territory for p in props),
        "mechanisms": np.array(mechanisms, dtype=bool).reshape(len(props), len(dur.MECHANISMS)),
        "sequence": tuple(sequences(scenario, p)[0] for p in props),
    }


def _decision_arrays(scenario: Scenario) -> dict[str, Any]:
    """The institutions' rules per proposal, and the veto players of proposals and chains."""
    actors, props = scenario.actor_ids, scenario.proposals
    rules, requires = _rules(scenario)
    chains = dict.fromkeys(p.requires for p in props if p.requires)
    return {
        "rules": rules,
        "requires": requires,
        "vetoes": tuple(_rows(actors, inst.proposal_veto_players(scenario, p)) for p in props),
        "chains": tuple(
            ("+".join(c), _rows(actors, inst.chain_veto_players(scenario, c))) for c in chains
        ),
        "chain_ends": tuple(inst.chain_ends_fighting(scenario, c) for c in chains),
    }


def _model_inputs(scenario: Scenario) -> dict[str, Any]:
    """The deterrence and durability inputs at their central values, and the ranged inputs."""
    who = aggressor(scenario)
    det_ranges = deterrence_inputs(scenario)
    dur_ranges = durability_inputs(scenario)
    return {
        "aggressor": scenario.actor_ids.index(who) if who is not None and det_ranges else -1,
        "deterrence": {k: r.central for k, r in (det_ranges or {}).items()},
        "c1_coupled": scenario.deterrence.c1 is None,
        "durability": {k: r.central for k, r in dur_ranges.items()},
        "inputs": ranged_inputs(scenario),
    }


def compile_model(scenario: Scenario, spec: SweepSpec | None = None) -> Model:
    """Compile ``scenario`` into a :class:`Model`: the engines and rounds of ``spec``.

    Without ``spec`` the model runs ``DEFAULT_ENGINES`` for 10 rounds.
    """
    spec = spec or SweepSpec(draws=1, seed=0)
    return Model(
        **_names(scenario),
        **_actor_arrays(scenario),
        **_proposal_arrays(scenario),
        **_decision_arrays(scenario),
        **_model_inputs(scenario),
        engines=tuple(bargaining.runs(spec.engines, spec.rounds)),
        engine_names=spec.engines,
        rounds=spec.rounds,
    )


@dataclass(frozen=True)
class Batch:
    """The perturbed arrays of B draws."""

    ideal: FloatArray  # (B, n, D)
    salience: FloatArray  # (B, n, D)
    lower: FloatArray  # (B, n, D)
    upper: FloatArray  # (B, n, D)
    war_cost: FloatArray  # (B, n)
    capability: FloatArray  # (B, n)
    held: FloatArray  # (B, U)
    deterrence: dict[str, FloatArray]  # name -> (B,)
    durability: dict[str, FloatArray]  # name -> (B,)


def build_batch(model: Model, values: FloatArray) -> Batch:
    """Central arrays repeated B times with the ranged inputs set to ``values`` ``(B, d)``.

    The loop runs over inputs (columns), never over draws.
    """
    v = np.atleast_2d(np.asarray(values, dtype=np.float64))
    b = v.shape[0]

    def rep(x: FloatArray) -> FloatArray:
        return np.repeat(x[None], b, axis=0)

    bt = Batch(
        ideal=rep(model.ideal),
        salience=rep(model.salience),
        lower=rep(model.lower),
        upper=rep(model.upper),
        war_cost=rep(model.war_cost),
        capability=rep(model.capability),
        held=rep(model.held),
        deterrence={k: np.full(b, c) for k, c in model.deterrence.items()},
        durability={k: np.full(b, c) for k, c in model.durability.items()},
    )
    for col, x in enumerate(model.inputs):
        _set_input(bt, x, v[:, col])
    if model.aggressor >= 0 and model.c1_coupled:
        bt.deterrence["c1"] = bt.war_cost[:, model.aggressor] / 100.0
    return bt


def _set_input(bt: Batch, x: RangedInput, val: FloatArray) -> None:
    """Write one ranged input's drawn values into the batch's arrays (in place)."""
    if x.kind == "position":
        bt.ideal[:, x.actor, x.dimension] = val
    elif x.kind == "salience":
        bt.salience[:, x.actor, x.dimension] = val
    elif x.kind == "red_line":
        # the ranged red line is the actor's only one on that dimension (validated)
        bound = bt.lower if x.name == ">=" else bt.upper
        bound[:, x.actor, x.dimension] = val
    elif x.kind == "red_line_holds":
        # drawn u ~ U(0, 1): the line holds iff u <= its probability (x.central); where it
        # does not, the bound opens to the end of the scale
        gone = val > x.central
        bound = bt.lower if x.name == ">=" else bt.upper
        bound[gone, x.actor, x.dimension] = 0.0 if x.name == ">=" else 100.0
    elif x.kind == "war_cost":
        bt.war_cost[:, x.actor] = val
    elif x.kind == "capability":
        bt.capability[:, x.actor] = val
    elif x.kind == "controlled_share":
        bt.held[:, x.unit] = val
    elif x.kind == "deterrence":
        bt.deterrence[x.name] = val.copy()
    elif x.kind == "durability":
        bt.durability[x.name] = val.copy()


# ---------------------------------------------------------------------------------------------
# The stages: each calls the one batched kernel of its core module


def _coverage(model: Model, held: FloatArray) -> dict[str, FloatArray]:
    """Coverage shares ``(B, P)`` and ``g`` (``coverage.fractions``), batched over draws."""
    b, p = held.shape[0], len(model.proposal_ids)
    out = {k: np.zeros((b, p)) for k in (*COVERAGE_OUTPUTS, "g")}
    for k in range(p):
        f = cov.fractions(
            held,
            model.claimed,
            model.returned[k],
            invitation=model.invitation[k],
            guarantee=model.guarantee[k],
            territory=model.territory[k],
        )
        out["invited_area_share"][:, k] = cov.share(f.invited, model.area)
        out["guaranteed_area_share"][:, k] = cov.share(f.guaranteed, model.area)
        out["ceded_area_share"][:, k] = cov.share(f.ceded, model.area)
        out["occupied_area_share"][:, k] = cov.share(f.occupied, model.area)
        out["g"][:, k] = cov.guarantee_share(model.area, held, f.guaranteed)
    return out


def _acceptance(model: Model, bt: Batch) -> tuple[pref.Acceptance, dict[str, FloatArray]]:
    """``preferences.accept`` over the draws, and the margins a sweep reports."""
    weights = pref.normalised_weights(bt.salience)  # (B, n, D)
    no_deal = pref.no_deal_utility(model.status_quo, bt.ideal, weights, bt.war_cost, model.fighting)
    acc = pref.accept(
        model.points, bt.ideal, weights, no_deal, bt.lower, bt.upper,
        penalty=None if model.penalty is None else model.penalty[None],
        war_left=pref.war_after(bt.war_cost, model.ends, model.fighting),
    )  # fmt: skip
    excess = acc.red_line_excess.sum(axis=-1)  # (B, P, n)
    effective = np.where(
        acc.respects_red_lines, acc.margin, np.minimum(acc.margin, 0.0) - excess / 100.0
    )
    b, p = effective.shape[:2]
    mvm = np.full((b, p), np.inf)
    for k, rows in enumerate(model.vetoes):
        if rows.size:
            mvm[:, k] = effective[:, k, rows].min(axis=-1)
    out = {
        "margin": acc.margin,
        "accepts": acc.accepts,
        "effective_margin": effective,
        "min_veto_margin": mvm,
    }
    return acc, out


def _institutions(model: Model, accepts: BoolArray) -> dict[str, FloatArray]:
    """``institutions.decide_batch`` for every rule, and each proposal's chain."""
    b, p = accepts.shape[0], len(model.proposal_ids)
    passes_rule = np.zeros((b, len(model.rules)), dtype=bool)
    for r, rule in enumerate(model.rules):
        passes_rule[:, r] = inst.decide_batch(
            accepts[:, rule.proposal, rule.members], rule.decision
        )[0]
    passes = np.ones((b, p), dtype=bool)
    for k, idx in enumerate(model.requires):
        for r in idx:
            passes[:, k] &= passes_rule[:, r]
    return {"institution_passes": passes_rule, "passes": passes}


def _deterrence(
    model: Model, bt: Batch, utility: FloatArray, g: FloatArray
) -> dict[str, FloatArray]:
    """The guarantee game, all proposals at once ``(B, P)`` (``docs/specs/deterrence.md`` §1)."""
    if model.aggressor < 0:
        return {}
    ia = model.aggressor
    weights = pref.normalised_weights(bt.salience)
    u_q = pref.utility(model.status_quo, bt.ideal, weights)[:, ia]  # (B,)
    h = np.empty(g.shape)
    for seq in dict.fromkeys(model.sequence):
        cols = [k for k in range(len(model.sequence)) if model.sequence[k] == seq]
        h[:, cols] = det.hold_value(utility[:, cols, ia], u_q[:, None], sequence=seq)
    d = {k: v[:, None] for k, v in bt.deterrence.items()}
    game = det.guarantee_game(
        g=g, v=d["v"], p1=d["p1"], p2=d["p2"], c1=d["c1"], c2=d["c2"], q=d["q"], h=h,
        lam=d["lam"],
    )  # fmt: skip
    out = {
        f"det.{name}": np.asarray(getattr(game, name), dtype=np.float64)
        for name in DETERRENCE_OUTPUTS
    }
    out["det.q_critical"] = game.q_critical
    return out


def _durability(model: Model, bt: Batch, g: FloatArray) -> dict[str, FloatArray]:
    """Ceasefire durability ``(B, P)``, collective defence added where ``g > 0`` (§2)."""
    cd = dur.MECHANISMS.index("collective_defence")
    present = np.repeat(model.mechanisms[None], g.shape[0], axis=0)
    present[:, :, cd] |= g > 0
    dv = bt.durability
    hr = np.stack([dv[f"hr_{m}"] for m in dur.MECHANISMS], axis=-1)[:, None, :]
    res = dur.durability(
        present, dv["k"][:, None], dv["p5_bare"][:, None], hr, dv["floor"][:, None]
    )
    return {
        f"dur.{name}": np.asarray(getattr(res, name), dtype=np.float64)
        for name in DURABILITY_OUTPUTS
    }


def _forecasts(model: Model, bt: Batch, seed: np.random.SeedSequence) -> dict[str, FloatArray]:
    """Each engine run as one ``Problem`` of shape ``(B, n, D)``, with its sweep parameters."""
    b = bt.ideal.shape[0]
    problem = bargaining.Problem(
        positions=bt.ideal,
        saliences=bt.salience,
        capability=bt.capability,
        status_quo=np.repeat(model.status_quo[None], b, axis=0),
    )
    out: dict[str, FloatArray] = {}
    for (name, params), ss in zip(model.engines, seed.spawn(len(model.engines)), strict=True):
        extra = bargaining.capabilities(name).sweep_params
        f = bargaining.engine(name)(problem, np.random.default_rng(ss), **params, **extra)
        out[f"forecast.{_engine_key(name, params)}"] = np.asarray(f.outcome, dtype=np.float64)
    return out


def _winsets(model: Model, bt: Batch) -> dict[str, FloatArray]:
    """Emptiness of each chain's win-set: an LP per draw and chain (the one loop over draws)."""
    from ceasefire import winset as wsm

    weights = pref.normalised_weights(bt.salience)
    no_deal = pref.no_deal_utility(model.status_quo, bt.ideal, weights, bt.war_cost, model.fighting)
    b = bt.ideal.shape[0]
    out: dict[str, FloatArray] = {}
    ends = model.chain_ends or (True,) * len(model.chains)
    for (cid, rows), chain_ends in zip(model.chains, ends, strict=True):
        # a chain without every belligerent leaves the war going on: no war-cost credit
        nd = no_deal if chain_ends or not model.fighting else no_deal + bt.war_cost / 100.0
        empty = np.zeros(b, dtype=bool)
        for i in range(b):
            ws = wsm.winset(
                bt.ideal[i, rows],
                weights[i, rows],
                nd[i, rows],
                bt.lower[i, rows],
                bt.upper[i, rows],
                volume=False,
                conflicts=False,
            )
            empty[i] = ws.empty
        out[f"winset_empty.{cid}"] = empty
    return out


def evaluate(
    model: Model,
    values: FloatArray,
    *,
    seed: np.random.SeedSequence,
    engines: bool = True,
    winsets: bool = False,
) -> dict[str, FloatArray]:
    """Every output of the pipeline for input values ``(B, d)`` (module docstring).

    Returns arrays with the draws first: ``margin`` and ``accepts`` ``(B, P, n)``;
    ``effective_margin`` ``(B, P, n)`` — the utility margin, or where a red line is crossed
    ``min(margin, 0) - excess / 100`` (so its sign always says accept or reject);
    ``min_veto_margin`` ``(B, P)``, the smallest effective margin among the proposal's veto
    players (``+inf`` without veto players); ``institution_passes`` ``(B, R)`` over
    ``model.rules``; ``passes`` ``(B, P)``; coverage shares and ``g`` ``(B, P)``;
    ``det.<output>`` and ``dur.<output>`` ``(B, P)``; ``forecast.<engine-variant>``
    ``(B, D)``; with ``winsets``, ``winset_empty.<chain>`` ``(B,)`` (LP per draw).
    """
    bt = build_batch(model, values)
    acc, out = _acceptance(model, bt)
    out.update(_institutions(model, acc.accepts))
    out.update(_coverage(model, bt.held))
    out.update(_deterrence(model, bt, acc.utility, out["g"]))
    out.update(_durability(model, bt, out["g"]))
    if engines and model.engines:
        out.update(_forecasts(model, bt, seed))
    if winsets:
        out.update(_winsets(model, bt))
    return out


def evaluate_central(model: Model, **kwargs: Any) -> dict[str, FloatArray]:
    """:func:`evaluate` at the central values (a batch of one)."""
    seed = kwargs.pop("seed", None) or np.random.SeedSequence(0)
    return evaluate(model, central_values(model.inputs)[None], seed=seed, **kwargs)
