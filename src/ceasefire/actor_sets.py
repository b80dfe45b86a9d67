"""Forecasts on each declared actor set, stakeholder groups merged (issue 16, part 1).

The same actor data give very different forecasts depending on who is counted: thirty NATO/EU
rows with near-identical positions carry the engines to their side (KTAB's own guidance is 5 to
50 stakeholder groups). A scenario may therefore declare stakeholder groups (``[[groups]]``)
and named actor sets (``[[actor_sets]]``); every engine runs on every set and the result
reports the spread across the sets (docs/specs/bargaining.md, "Actor sets").

A group is one stakeholder. With member weights ``v_m = c_m`` (capability) and the group's
capability ``C`` (stated, else ``sum_m c_m``), on each dimension ``d``:

    position_d = sum_m c_m s_md x_md / sum_m c_m s_md   (the members' compromise point; if no
                 member cares about d, the capability-weighted mean of their positions)
    salience_d = sum_m c_m s_md / sum_m c_m             war cost = sum_m c_m w_m / sum_m c_m

and the members' lowest and highest positions are reported beside the forecast (the spread the
merge hides). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ceasefire import bargaining
from ceasefire._types import FloatArray
from ceasefire.feasibility import check
from ceasefire.preferences import Preferences
from ceasefire.results import ActorSetForecast, ForecastResult, ForecastSpread
from ceasefire.scenario import Scenario
from ceasefire.scenario.schema import ActorGroup, ActorSet, CapabilityRule


@dataclass(frozen=True)
class SetProblem:
    """The bargaining inputs of one actor set: one row per stakeholder."""

    set_id: str
    title: str
    labels: tuple[str, ...]
    positions: FloatArray  # (n, D)
    saliences: FloatArray  # (n, D)
    capability: FloatArray  # (n,)
    war_cost: FloatArray  # (n,)
    #: group id -> (lowest, highest) member position per dimension, (D,) each
    spread: dict[str, tuple[FloatArray, FloatArray]]


def merge_group(
    pos: FloatArray, sal: FloatArray, cap: FloatArray, war: FloatArray, own: float | None
) -> tuple[FloatArray, FloatArray, float, float]:
    """A group's (position (D,), salience (D,), capability, war cost) from its members'
    ``(m, D)``, ``(m, D)``, ``(m,)``, ``(m,)`` (module docstring)."""
    total = float(cap.sum())
    v = cap if total > 0 else np.ones_like(cap)
    w = v[:, None] * sal
    wsum = w.sum(axis=0)
    plain = (v[:, None] * pos).sum(axis=0) / v.sum()
    position = np.where(wsum > 0, (w * pos).sum(axis=0) / np.where(wsum > 0, wsum, 1.0), plain)
    salience = wsum / v.sum()
    war_cost = float((v * war).sum() / v.sum())
    return position, salience, total if own is None else float(own), war_cost


def set_problem(scenario: Scenario, prefs: Preferences, actor_set: ActorSet) -> SetProblem:
    """The stakeholders of ``actor_set``: its actors as they are, its groups merged."""
    index = {a: i for i, a in enumerate(prefs.actor_ids)}
    groups: dict[str, ActorGroup] = {g.id: g for g in scenario.groups}
    cap = np.array([a.capability for a in scenario.actors], dtype=float)
    war = prefs.war_cost if prefs.fighting else np.zeros_like(prefs.war_cost)
    rows: list[tuple[FloatArray, FloatArray, float, float]] = []
    spread: dict[str, tuple[FloatArray, FloatArray]] = {}
    for member in actor_set.members:
        if member in groups:
            k = [index[m] for m in groups[member].members]
            rows.append(
                merge_group(prefs.ideal[k], prefs.salience[k], cap[k], war[k],
                            groups[member].capability)
            )  # fmt: skip
            spread[member] = (prefs.ideal[k].min(axis=0), prefs.ideal[k].max(axis=0))
        else:
            i = index[member]
            rows.append((prefs.ideal[i], prefs.salience[i], float(cap[i]), float(war[i])))
    return SetProblem(
        set_id=actor_set.id,
        title=actor_set.title or actor_set.id,
        labels=tuple(actor_set.members),
        positions=np.stack([r[0] for r in rows]),
        saliences=np.stack([r[1] for r in rows]),
        capability=np.array([r[2] for r in rows]),
        war_cost=np.array([r[3] for r in rows]),
        spread=spread,
    )


def _forecast(
    sp: SetProblem, dims: Sequence[str], status_quo: FloatArray, name: str, params: dict[str, Any],
    rng: np.random.Generator,
) -> ActorSetForecast | None:  # fmt: skip
    """One engine on one set (None if the engine rejects the set's data, e.g. smp's two
    equal blocs: the skip is the engine's, reported by the whole-scenario forecast)."""
    problem = bargaining.Problem.single(
        sp.positions, sp.saliences, sp.capability, status_quo, sp.war_cost
    )
    try:
        f = bargaining.engine(name)(problem, rng, **params)
    except ValueError:
        return None
    return ActorSetForecast(
        set_id=sp.set_id,
        title=sp.title,
        stakeholders=list(sp.labels),
        engine=f.method,
        variant=f.variant,
        outcome={d: float(v) for d, v in zip(dims, f.outcome[0], strict=True)},
        note=bargaining.capabilities(name).note_of(f),
        group_spread={
            g: {d: [float(lo[k]), float(hi[k])] for k, d in enumerate(dims)}
            for g, (lo, hi) in sp.spread.items()
        },
    )


def _is_whole(scenario: Scenario, actor_set: ActorSet) -> bool:
    """Whether ``actor_set`` is every actor of the scenario, in order, none merged: its
    problem (:func:`set_problem`) is then the whole scenario's (``analysis.run_forecasts``)."""
    groups = {g.id for g in scenario.groups}
    members = list(actor_set.members)
    return members == list(scenario.actor_ids) and not groups.intersection(members)


def _from_whole(sp: SetProblem, f: ForecastResult) -> ActorSetForecast:
    """A whole-scenario forecast as the forecast on the set ``sp`` that has the same problem.

    The same numbers as running the engine again: the engines' pipeline runs do not draw from
    their generator (``bdm``, ``compromise`` and ``nash`` never do; ``smp`` only with
    stochastic transitions, which the pipeline does not set), so the different seed the whole
    scenario's run is given changes nothing. The note is the whole forecast's (nash's also names
    the actors left at the status quo)."""
    return ActorSetForecast(
        set_id=sp.set_id,
        title=sp.title,
        stakeholders=list(sp.labels),
        engine=f.engine,
        variant=f.variant,
        outcome=dict(f.outcome),
        note=f.note,
    )


def spread(forecasts: Sequence[ActorSetForecast], dims: Sequence[str]) -> list[ForecastSpread]:
    """Per engine variant, each dimension's lowest and highest forecast over the sets."""
    keys: dict[tuple[str, str], list[ActorSetForecast]] = {}
    for f in forecasts:
        keys.setdefault((f.engine, f.variant), []).append(f)
    return [
        ForecastSpread(
            engine=engine,
            variant=variant,
            sets=[f.set_id for f in fs],
            low={d: min(f.outcome[d] for f in fs) for d in dims},
            high={d: max(f.outcome[d] for f in fs) for d in dims},
        )
        for (engine, variant), fs in keys.items()
    ]


def run_actor_sets(
    scenario: Scenario,
    engines: tuple[str, ...],
    *,
    rounds: int = 10,
    seed: int = 0,
    rule_ids: Sequence[str] | None = None,
    corners: bool = False,
    whole: Sequence[ForecastResult] | None = None,
) -> tuple[list[ActorSetForecast], list[ForecastSpread]]:
    """Every engine on every declared actor set and on the whole actor list under the
    capability rules ``rule_ids`` (None: all; :func:`run_capability_rules`, ``corners`` adds
    the ends of each weight's range); the spread across all of them.

    ``whole``: the forecasts on the whole actor list already made with the same engines and
    rounds (``analysis.run_forecasts``); a set that is the whole actor list as it stands takes
    them instead of running every engine again (None: run them)."""
    if not engines:
        return [], []
    prefs = Preferences.from_scenario(scenario)
    dims = prefs.dimension_ids
    out: list[ActorSetForecast] = []
    for actor_set in scenario.actor_sets:
        sp = set_problem(scenario, prefs, actor_set)
        if whole is not None and _is_whole(scenario, actor_set):
            out += [_from_whole(sp, f) for f in whole]
            continue
        for name, params in bargaining.runs(engines, rounds):
            rng = np.random.default_rng(np.random.SeedSequence(seed))
            f = _forecast(sp, dims, prefs.status_quo, name, params, rng)
            if f is not None:
                out.append(f)
    out += run_capability_rules(
        scenario, engines, rounds=rounds, seed=seed, rule_ids=rule_ids, corners=corners
    )
    out = [
        f.model_copy(
            update={"check": check(scenario, prefs, np.array([f.outcome[d] for d in dims]))}
        )
        for f in out
    ]
    return out, spread(out, dims)


# ---------------------------------------------------------------------------------------------
# Capability rules (issue 16, part 2)


def rule(scenario: Scenario, rule_id: str) -> CapabilityRule:
    """The scenario's capability rule ``rule_id`` (KeyError naming the rules it has)."""
    for r in scenario.capability_rules:
        if r.id == rule_id:
            return r
    known = ", ".join(r.id for r in scenario.capability_rules) or "none"
    raise KeyError(f"no capability rule {rule_id!r} (the scenario has: {known})")


def rule_capability(
    scenario: Scenario, capability_rule: CapabilityRule, weights: Mapping[str, float] = {}
) -> FloatArray:
    """``c_i = scale * sum_k (w_k / sum_j w_j) x_ik`` (:class:`CapabilityRule`), (n,).

    ``weights`` overrides the rule's central weights (e.g. a corner of their ranges)."""
    w = {k: float(weights.get(k, r.central)) for k, r in capability_rule.weights.items()}
    total = sum(w.values())
    x = np.array([[a.capability_inputs[k] for k in w] for a in scenario.actors], dtype=float)
    out: FloatArray = capability_rule.scale * (x @ np.array(list(w.values()))) / total
    return out


def with_capability(
    scenario: Scenario, rule_id: str, weights: Mapping[str, float] = {}
) -> Scenario:
    """The scenario with every actor's capability given by capability rule ``rule_id``."""
    cap = rule_capability(scenario, rule(scenario, rule_id), weights)
    actors = tuple(
        a.model_copy(update={"capability": float(c)})
        for a, c in zip(scenario.actors, cap, strict=True)
    )
    return scenario.model_copy(update={"actors": actors})


def rule_variants(
    scenario: Scenario, rule_ids: Sequence[str] | None = None, corners: bool = False
) -> list[tuple[str, FloatArray]]:
    """(label, capabilities (n,)) of the capability rules ``rule_ids`` (None: all) at their
    central weights and, with ``corners``, at each corner where one weight sits at an end of
    its range and the others at their centres."""
    out: list[tuple[str, FloatArray]] = []
    for r in scenario.capability_rules:
        if rule_ids is not None and r.id not in rule_ids:
            continue
        out.append((r.id, rule_capability(scenario, r)))
        for k, w in r.weights.items() if corners else ():
            for end, value in zip(("low", "high"), w.range or (), strict=False):
                out.append((f"{r.id}:{k}={end}", rule_capability(scenario, r, {k: value})))
    return out


def run_capability_rules(
    scenario: Scenario,
    engines: tuple[str, ...],
    *,
    rounds: int = 10,
    seed: int = 0,
    rule_ids: Sequence[str] | None = None,
    corners: bool = False,
) -> list[ActorSetForecast]:
    """Every engine on the whole actor list under every :func:`rule_variants` capability
    vector: one batch per engine (how forecasts move with the rule)."""
    variants = rule_variants(scenario, rule_ids, corners)
    if not variants:
        return []
    prefs = Preferences.from_scenario(scenario)
    dims = prefs.dimension_ids
    b = len(variants)
    war = prefs.war_cost if prefs.fighting else np.zeros_like(prefs.war_cost)
    problem = bargaining.Problem(
        positions=np.repeat(prefs.ideal[None], b, axis=0),
        saliences=np.repeat(prefs.salience[None], b, axis=0),
        capability=np.stack([c for _, c in variants]),
        status_quo=np.repeat(prefs.status_quo[None], b, axis=0),
        war_cost=np.repeat(war[None], b, axis=0),
    )
    out: list[ActorSetForecast] = []
    for name, params in bargaining.runs(engines, rounds):
        for k, f, j in _batch_or_each(problem, name, params, seed):
            label = variants[k][0]
            out.append(
                ActorSetForecast(
                    set_id=f"capability:{label}",
                    title=f"all actors, capability {label}",
                    stakeholders=list(prefs.actor_ids),
                    engine=f.method,
                    variant=f.variant,
                    outcome={d: float(v) for d, v in zip(dims, f.outcome[j], strict=True)},
                    note=bargaining.capabilities(name).note_of(f, j),
                )
            )
    return out


def _take(problem: bargaining.Problem, idx: list[int]) -> bargaining.Problem:
    return bargaining.Problem(
        problem.positions[idx],
        problem.saliences[idx],
        problem.capability[idx],
        problem.status_quo[idx],
        None if problem.war_cost is None else problem.war_cost[idx],
    )


def _run(
    problem: bargaining.Problem, name: str, params: dict[str, Any], seed: int, idx: list[int]
) -> list[tuple[int, bargaining.Forecast, int]] | None:
    """(element, forecast, index in that forecast) of one engine on the elements ``idx`` of
    a batch; None if the engine rejects them (a ``ValueError``)."""
    try:
        f = bargaining.engine(name)(
            _take(problem, idx), np.random.default_rng(np.random.SeedSequence(seed)), **params
        )
    except ValueError:
        return None
    return [(k, f, j) for j, k in enumerate(idx)]


def _batch_or_each(
    problem: bargaining.Problem, name: str, params: dict[str, Any], seed: int,
    idx: list[int] | None = None,
) -> list[tuple[int, bargaining.Forecast, int]]:  # fmt: skip
    """(element, forecast, index in that forecast) of one engine on a batch, leaving out the
    elements it rejects (e.g. smp: a rule gives some actor capability 0).

    A rejected batch of three or more is first tried without each element in turn: if one
    element is the cause, the others still run as one batch (an engine checks its input
    before it runs, so a rejection costs little, and a batch costs less than its elements one
    by one: smp on two rules of the built-in 0.18 s, not 0.24 s). Otherwise the batch is
    halved until the elements it rejects are alone. Either way an element's numbers are the
    same: an engine computes each element of a batch on its own (for smp, see its pool in
    ``bargaining.smp.forecast``)."""
    idx = list(range(problem.shape[0])) if idx is None else idx
    done = _run(problem, name, params, seed, idx)
    if done is not None:
        return done
    if len(idx) == 1:
        return []
    for drop in idx if len(idx) > 2 else ():
        done = _run(problem, name, params, seed, [k for k in idx if k != drop])
        if done is not None:
            return done
    half = len(idx) // 2
    return _batch_or_each(problem, name, params, seed, idx[:half]) + _batch_or_each(
        problem, name, params, seed, idx[half:]
    )
