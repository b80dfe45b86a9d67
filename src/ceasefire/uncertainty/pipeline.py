"""The batch pipeline: the whole analysis for a batch of B perturbed scenarios at once.

A :class:`Model` is a scenario compiled into arrays at its central values, plus the list of
its ranged inputs. :func:`evaluate` takes input values ``(B, d)`` and runs, each as one
vectorised batch over the draws (no Python loop over draws):

* coverage (``coverage.py``): per-unit fractions invited / guaranteed / ceded / occupied from
  the drawn control shares, and their area-weighted shares; ``g``, the share of the
  defender-held area under collective defence (as in ``analysis.analyze``);
* acceptance (``specs/preferences.md``): ``U_i(x) = -Σ_d w_id |x_d - p_id| / 100``,
  ``U_i(no deal) = U_i(q) - war_cost_i / 100`` if fighting continues; accept iff red lines
  are respected and the margin is ``>= 0`` (ties accept, ``preferences.TIE_TOLERANCE``);
* institutions (``institutions.py``): unanimity/all, or qualified majority by weight and count;
* the guarantee game (``specs/deterrence.md`` §1) with ``h`` from ``deterrence.hold_value`` in
  the proposal's own order of events, and ``c1 = war_cost_A / 100`` unless given;
* durability (§2), with collective defence added as a mechanism where ``g > 0``;
* each bargaining engine as one ``Problem`` of shape ``(B, n, D)``.

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
from numpy.typing import NDArray

from ceasefire import bargaining
from ceasefire import deterrence as det
from ceasefire import durability as dur
from ceasefire import institutions as inst
from ceasefire.preferences import TIE_TOLERANCE, Preferences, normalised_weights
from ceasefire.scenario import Scenario
from ceasefire.uncertainty.ranges import RangedInput, central_values, ranged_inputs

Floats = NDArray[np.float64]

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

# Qualified-majority sums compared with a threshold: the rounding allowance of institutions.py
_EPS = 1e-12


@dataclass(frozen=True)
class Rule:
    """One (proposal, institution) decision: members' actor rows, weights and rule."""

    proposal: int
    institution: str
    members: NDArray[np.int64]
    weights: Floats
    unanimity: bool
    threshold: float
    min_count: int


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
    points: Floats  # (P, D)
    ideal: Floats  # (n, D)
    salience: Floats  # (n, D)
    capability: Floats  # (n,)
    war_cost: Floats  # (n,)
    lower: Floats  # (n, D)
    upper: Floats  # (n, D)
    status_quo: Floats  # (D,)
    fighting: bool
    area: Floats  # (U,)
    held: Floats  # (U,)
    held_pop: Floats | None  # (U,) explicit population shares, NaN where they follow area
    population: Floats  # (U,)
    claimed: NDArray[np.bool_]  # (U,)
    returned: Floats  # (P, U)
    invitation: tuple[str, ...]
    guarantee: tuple[str, ...]
    territory: tuple[str, ...]
    rules: tuple[Rule, ...]
    requires: tuple[tuple[int, ...], ...]  # per proposal: indices into rules
    vetoes: tuple[NDArray[np.int64], ...]  # per proposal: veto players' rows
    chains: tuple[tuple[str, NDArray[np.int64]], ...]  # (chain id, veto rows)
    aggressor: int  # -1: no guarantee game
    sequence: tuple[str, ...]  # per proposal: its own order of events
    deterrence: dict[str, float]
    c1_coupled: bool
    durability: dict[str, float]
    mechanisms: NDArray[np.bool_]  # (P, M), without collective defence
    inputs: tuple[RangedInput, ...]
    engines: tuple[tuple[str, dict[str, Any]], ...] = field(default=())

    @property
    def engine_keys(self) -> tuple[str, ...]:
        """``engine-variant`` names of the engine runs, in order."""
        return tuple(_engine_key(n, p) for n, p in self.engines)


def _engine_key(name: str, params: dict[str, Any]) -> str:
    v = params.get("variant")
    return f"{name}-{v}" if v else name


def compile_model(
    scenario: Scenario, engines: tuple[str, ...] = DEFAULT_ENGINES, *, rounds: int = 10
) -> Model:
    """Compile ``scenario`` into a :class:`Model` (engines and their variants as in a run)."""
    from ceasefire.analysis import _sequences, deterrence_inputs, durability_inputs

    prefs = Preferences.from_scenario(scenario)
    dims = scenario.dimension_ids
    actors = scenario.actor_ids
    props = scenario.proposals
    units = scenario.territory
    rules: list[Rule] = []
    requires: list[tuple[int, ...]] = []
    for k, p in enumerate(props):
        idx = []
        for iid in p.requires:
            i = scenario.institution(iid)
            idx.append(len(rules))
            rules.append(
                Rule(
                    proposal=k,
                    institution=iid,
                    members=np.array([actors.index(m) for m in i.members], dtype=np.int64),
                    weights=np.array([float(i.weights.get(m, 1.0)) for m in i.members]),
                    unanimity=i.rule in ("unanimity", "all"),
                    threshold=float(i.threshold or 0.0),
                    min_count=int(i.min_count or 0),
                )
            )
        requires.append(tuple(idx))
    vetoes = tuple(
        np.array([actors.index(a) for a in inst.proposal_veto_players(scenario, p)], dtype=np.int64)
        for p in props
    )
    chains = tuple(
        (
            "+".join(c),
            np.array([actors.index(a) for a in inst.chain_veto_players(scenario, c)], dtype=int),
        )
        for c in dict.fromkeys(p.requires for p in props if p.requires)
    )
    aggressor = scenario.deterrence.aggressor or scenario.scenario.aggressor
    det_ranges = deterrence_inputs(scenario)
    dur_ranges = durability_inputs(scenario)
    held_pop = np.array(
        [
            np.nan if u.controlled_population_share is None else u.controlled_population_share
            for u in units
        ]
    )
    runs = bargaining.runs(engines, rounds)
    return Model(
        scenario_id=scenario.id,
        actor_ids=actors,
        actor_names=tuple(a.name or a.id for a in scenario.actors),
        dimension_ids=dims,
        proposal_ids=tuple(p.id for p in props),
        proposal_labels=tuple(p.label or p.id for p in props),
        institution_names={i.id: i.name or i.id for i in scenario.institutions},
        points=np.array([[p.position[d] for d in dims] for p in props], dtype=float).reshape(
            len(props), len(dims)
        ),
        ideal=prefs.ideal,
        salience=prefs.salience,
        capability=np.array([a.capability for a in scenario.actors], dtype=float),
        war_cost=prefs.war_cost,
        lower=prefs.lower,
        upper=prefs.upper,
        status_quo=prefs.status_quo,
        fighting=prefs.fighting,
        area=np.array([u.area_km2 for u in units], dtype=float),
        held=np.array([u.controlled_share for u in units], dtype=float),
        held_pop=held_pop,
        population=np.array([u.population for u in units], dtype=float),
        claimed=np.array([u.claimed_by_aggressor for u in units], dtype=bool),
        returned=np.array(
            [[p.returned.get(u.code, 0.0) for u in units] for p in props], dtype=float
        ).reshape(len(props), len(units)),
        invitation=tuple(p.invitation for p in props),
        guarantee=tuple(p.guarantee for p in props),
        territory=tuple(p.territory for p in props),
        rules=tuple(rules),
        requires=tuple(requires),
        vetoes=vetoes,
        chains=chains,
        aggressor=actors.index(aggressor) if aggressor is not None and det_ranges else -1,
        sequence=tuple(_sequences(scenario, p)[0] for p in props),
        deterrence={k: r.central for k, r in (det_ranges or {}).items()},
        c1_coupled=scenario.deterrence.c1 is None,
        durability={k: r.central for k, r in dur_ranges.items()},
        mechanisms=np.array(
            [[m in p.mechanisms for m in dur.MECHANISMS] for p in props], dtype=bool
        ).reshape(len(props), len(dur.MECHANISMS)),
        inputs=ranged_inputs(scenario),
        engines=tuple(runs),
    )


@dataclass(frozen=True)
class Batch:
    """The perturbed arrays of B draws."""

    ideal: Floats  # (B, n, D)
    salience: Floats  # (B, n, D)
    lower: Floats  # (B, n, D)
    upper: Floats  # (B, n, D)
    war_cost: Floats  # (B, n)
    capability: Floats  # (B, n)
    held: Floats  # (B, U)
    deterrence: dict[str, Floats]  # name -> (B,)
    durability: dict[str, Floats]  # name -> (B,)


def build_batch(model: Model, values: Floats) -> Batch:
    """Central arrays repeated B times with the ranged inputs set to ``values`` ``(B, d)``.

    The loop runs over inputs (columns), never over draws.
    """
    v = np.atleast_2d(np.asarray(values, dtype=np.float64))
    b = v.shape[0]

    def rep(x: Floats) -> Floats:
        return np.repeat(x[None], b, axis=0)

    ideal, sal, lower, upper = (
        rep(model.ideal),
        rep(model.salience),
        rep(model.lower),
        rep(model.upper),
    )
    war_cost, cap, held = rep(model.war_cost), rep(model.capability), rep(model.held)
    detv = {k: np.full(b, c) for k, c in model.deterrence.items()}
    durv = {k: np.full(b, c) for k, c in model.durability.items()}
    for col, x in enumerate(model.inputs):
        val = v[:, col]
        if x.kind == "position":
            ideal[:, x.actor, x.dimension] = val
        elif x.kind == "salience":
            sal[:, x.actor, x.dimension] = val
        elif x.kind == "red_line":
            # the ranged red line is the actor's only one on that dimension (validated)
            if x.name == ">=":
                lower[:, x.actor, x.dimension] = val
            else:
                upper[:, x.actor, x.dimension] = val
        elif x.kind == "war_cost":
            war_cost[:, x.actor] = val
        elif x.kind == "capability":
            cap[:, x.actor] = val
        elif x.kind == "controlled_share":
            held[:, x.unit] = val
        elif x.kind == "deterrence":
            detv[x.name] = val.copy()
        elif x.kind == "durability":
            durv[x.name] = val.copy()
    if model.aggressor >= 0 and model.c1_coupled:
        detv["c1"] = war_cost[:, model.aggressor] / 100.0
    return Batch(ideal, sal, lower, upper, war_cost, cap, held, detv, durv)


def _share(frac: Floats, weight: Floats) -> Floats:
    total = float(weight.sum())
    if total <= 0:
        return np.zeros(frac.shape[:-1])
    return np.asarray((frac * weight).sum(axis=-1) / total, dtype=np.float64)


def _scope(scope: str, h: Floats) -> Floats:
    if scope == "recognized":
        return np.ones_like(h)
    if scope == "controlled":
        return h
    return np.zeros_like(h)


def _coverage(model: Model, held: Floats) -> dict[str, Floats]:
    """Coverage shares ``(B, P)`` and ``g`` (see ``coverage.unit_fractions``), batched."""
    b, p = held.shape[0], len(model.proposal_ids)
    explicit = model.held_pop if model.held_pop is not None else np.full(held.shape[1], np.nan)
    held_pop = np.where(np.isnan(explicit), held, explicit)
    out = {k: np.zeros((b, p)) for k in (*COVERAGE_OUTPUTS, "g")}
    held_area = (model.area * held).sum(axis=-1)
    for k in range(p):
        guarantee = model.guarantee[k] if model.guarantee[k] in ("recognized", "controlled") else ""
        terms = model.territory[k]
        if terms == "ceded-claimed":
            ceded = np.broadcast_to(np.where(model.claimed, 1.0, 0.0), held.shape)
            occupied = np.where(model.claimed, 0.0, 1.0 - held)
        elif terms == "ceded-occupied":
            ceded, occupied = 1.0 - held, np.zeros_like(held)
        elif terms == "partial-return":
            ceded, occupied = np.zeros_like(held), (1.0 - held) * (1.0 - model.returned[k])
        elif terms == "restored":
            ceded, occupied = np.zeros_like(held), np.zeros_like(held)
        else:
            ceded, occupied = np.zeros_like(held), 1.0 - held
        guaranteed = _scope(guarantee, held)
        out["invited_area_share"][:, k] = _share(_scope(model.invitation[k], held), model.area)
        out["guaranteed_area_share"][:, k] = _share(guaranteed, model.area)
        out["ceded_area_share"][:, k] = _share(ceded, model.area)
        out["occupied_area_share"][:, k] = _share(occupied, model.area)
        num = (model.area * np.minimum(guaranteed, held)).sum(axis=-1)
        safe = np.where(held_area > 0, held_area, 1.0)
        out["g"][:, k] = np.where(held_area > 0, num / safe, 0.0)
    del held_pop  # population shares are not headline outputs of a sweep
    return out


def evaluate(
    model: Model,
    values: Floats,
    *,
    seed: np.random.SeedSequence,
    engines: bool = True,
    winsets: bool = False,
) -> dict[str, Floats]:
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
    b = bt.ideal.shape[0]
    out: dict[str, Floats] = {}

    # acceptance: the same element-wise operations as preferences.acceptance, batched
    weights = normalised_weights(bt.salience)  # (B, n, D)
    x = model.points[None, :, None, :]  # (1, P, 1, D)
    u = -(np.abs(x - bt.ideal[:, None]) * weights[:, None]).sum(axis=-1) / 100.0  # (B, P, n)
    u_q = -(np.abs(model.status_quo[None, None, :] - bt.ideal) * weights).sum(axis=-1) / 100.0
    no_deal = u_q - bt.war_cost / 100.0 if model.fighting else u_q  # (B, n)
    margin = u - no_deal[:, None, :]
    excess = (np.maximum(bt.lower[:, None] - x, 0.0) + np.maximum(x - bt.upper[:, None], 0.0)).sum(
        axis=-1
    )  # (B, P, n)
    respects = ~(excess > 0)
    accepts = respects & (margin >= -TIE_TOLERANCE)
    effective = np.where(respects, margin, np.minimum(margin, 0.0) - excess / 100.0)
    out["margin"], out["accepts"], out["effective_margin"] = margin, accepts, effective

    p = len(model.proposal_ids)
    mvm = np.full((b, p), np.inf)
    for k, rows in enumerate(model.vetoes):
        if rows.size:
            mvm[:, k] = effective[:, k, rows].min(axis=-1)
    out["min_veto_margin"] = mvm

    # institutions
    passes_rule = np.zeros((b, len(model.rules)), dtype=bool)
    for r, rule in enumerate(model.rules):
        acc = accepts[:, rule.proposal, rule.members]  # (B, M)
        if rule.unanimity:
            passes_rule[:, r] = acc.all(axis=-1)
        else:
            total = rule.weights.sum()
            share = (acc * rule.weights).sum(axis=-1) / total if total > 0 else np.zeros(b)
            passes_rule[:, r] = (share >= rule.threshold - _EPS) & (
                acc.sum(axis=-1) >= rule.min_count
            )
    out["institution_passes"] = passes_rule
    passes = np.ones((b, p), dtype=bool)
    for k, idx in enumerate(model.requires):
        for r in idx:
            passes[:, k] &= passes_rule[:, r]
    out["passes"] = passes

    # coverage
    out.update(_coverage(model, bt.held))
    g = out["g"]

    # the guarantee game, all proposals at once (B, P)
    if model.aggressor >= 0:
        ia = model.aggressor
        h = np.empty((b, p))
        for seq in set(model.sequence):
            cols = [k for k in range(p) if model.sequence[k] == seq]
            h[:, cols] = det.hold_value(u[:, cols, ia], u_q[:, ia, None], sequence=seq)  # type: ignore[arg-type]
        d = {k: v[:, None] for k, v in bt.deterrence.items()}
        game = det.guarantee_game(
            g=g, v=d["v"], p1=d["p1"], p2=d["p2"], c1=d["c1"], c2=d["c2"], q=d["q"], h=h,
            lam=d["lam"],
        )  # fmt: skip
        for name in DETERRENCE_OUTPUTS:
            out[f"det.{name}"] = np.asarray(getattr(game, name), dtype=np.float64)
        out["det.q_critical"] = game.q_critical

    # durability (B, P)
    cd = dur.MECHANISMS.index("collective_defence")
    present = np.repeat(model.mechanisms[None], b, axis=0)
    present[:, :, cd] |= g > 0
    dv = bt.durability
    hr = np.stack([dv[f"hr_{m}"] for m in dur.MECHANISMS], axis=-1)[:, None, :]
    res = dur.durability(
        present, dv["k"][:, None], dv["p5_bare"][:, None], hr, dv["floor"][:, None]
    )
    for name in DURABILITY_OUTPUTS:
        out[f"dur.{name}"] = np.asarray(getattr(res, name), dtype=np.float64)

    # bargaining engines: one batch each
    if engines and model.engines:
        problem = bargaining.Problem(
            positions=bt.ideal,
            saliences=bt.salience,
            capability=bt.capability,
            status_quo=np.repeat(model.status_quo[None], b, axis=0),
        )
        seeds = seed.spawn(len(model.engines))
        for (name, params), ss in zip(model.engines, seeds, strict=True):
            # a sweep keeps outcomes only: smp need not hold up to 101 states per draw
            only_final = {"trajectory": False} if name == "smp" else {}
            f = bargaining.engine(name)(problem, np.random.default_rng(ss), **params, **only_final)
            out[f"forecast.{_engine_key(name, params)}"] = np.asarray(f.outcome, dtype=np.float64)

    # win-sets: an LP per draw and chain (the one stage that loops over draws)
    if winsets:
        from ceasefire import winset as wsm

        for cid, rows in model.chains:
            empty = np.zeros(b, dtype=bool)
            for i in range(b):
                ws = wsm.winset(
                    bt.ideal[i, rows],
                    weights[i, rows],
                    no_deal[i, rows],
                    bt.lower[i, rows],
                    bt.upper[i, rows],
                    volume=False,
                    conflicts=False,
                )
                empty[i] = ws.empty
            out[f"winset_empty.{cid}"] = empty
    return out


def evaluate_central(model: Model, **kwargs: Any) -> dict[str, Floats]:
    """:func:`evaluate` at the central values (a batch of one)."""
    seed = kwargs.pop("seed", None) or np.random.SeedSequence(0)
    return evaluate(model, central_values(model.inputs)[None], seed=seed, **kwargs)
