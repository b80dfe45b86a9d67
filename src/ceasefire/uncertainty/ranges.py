"""Ranged inputs and sampling: which numbers of a scenario vary, and how they are drawn.

Every numeric input that carries a range with ``low < high`` is one *ranged input*: actor
positions (``range.<dimension>``), saliences (``range.salience.<dimension>``), red-line bounds
(``range.red_line.<dimension>``), war costs, capabilities, territorial control shares
(``controlled_share_range``), the inputs of the deterrence and durability models
(``{central, range}``; absent ones take the spec's defaults, as in a single run), the extended
guarantee game's own inputs, the [timeline] inputs, the hazard ratios of the listed
controls and each proposal's commitments' credibility and weight. A range with
``low == high`` fixes the input. ``c1`` of the guarantee game is the aggressor's
``war_cost / 100`` unless the scenario gives it (``docs/specs/deterrence.md`` §1, "Coupling"), so it
is not an input of its own: it moves with the aggressor's war cost.

Sampling (pure: an explicit seed, no global state):

* ``random``: independent uniforms from ``numpy.random.default_rng(child)``;
* ``lhs``: ``scipy.stats.qmc.LatinHypercube`` — one Latin hypercube *per chunk*, seeded by the
  chunk's child seed (a union of Latin hypercubes is stratified within each chunk);
* ``sobol``: one scrambled ``scipy.stats.qmc.Sobol`` sequence for the whole sweep, scrambled
  from the root seed; chunk ``c`` takes points ``start .. start + count`` (``fast_forward``).

Child seeds are spawned in the parent (``SeedSequence(seed).spawn(n_chunks)``), so the draws of
a chunk depend only on (seed, method, draws, chunk size, chunk index) — never on the backend or
the number of workers. Unit-cube points are mapped to each input's range by its inverse CDF:
uniform ``lo + u (hi - lo)``, or triangular with its mode at the central value.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ceasefire import durability as dur
from ceasefire import paths as pth
from ceasefire._types import FloatArray
from ceasefire.deterrence import ParameterRange
from ceasefire.deterrence import batch as det_batch
from ceasefire.deterrence.game import EXTENDED_PARAMETERS
from ceasefire.deterrence.resolve import game_ranges
from ceasefire.inputs import deterrence_inputs, durability_inputs
from ceasefire.scenario import Actor, Scenario

METHODS: tuple[str, ...] = ("lhs", "sobol", "random")


@dataclass(frozen=True)
class RangedInput:
    """One scenario input that varies in a sweep.

    ``key`` is stable and unique (``actors.HUN.red_line.alliance``, ``territory.UA-14``,
    ``deterrence.q``); ``label`` says it in words ("Hungary's alliance red line"); ``kind`` is
    one of position, salience, red_line, war_cost, capability, controlled_share, deterrence,
    durability, guarantee_game, timeline, control, commitment;
    ``actor``/``dimension``/``unit``/``name`` locate it (-1 or "" where unused; for a red line
    ``name`` is its operator, ``>=`` or ``<=``).
    """

    key: str
    label: str
    kind: str
    central: float
    low: float
    high: float
    distribution: str = "uniform"
    actor: int = -1
    dimension: int = -1
    unit: int = -1
    name: str = ""
    #: a proposal's commitment (``kind`` commitment): the proposal's and the commitment's index
    proposal: int = -1
    commitment: int = -1


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _actor_inputs(scenario: Scenario, i: int, default: str) -> list[RangedInput]:
    """Actor ``i``'s ranged inputs: positions by dimension, saliences, red lines, war cost,
    capability."""
    a = scenario.actors[i]
    who = _possessive(a.name or a.id)
    red = {rl.dimension: rl for rl in a.parsed_red_lines}
    wanted: list[tuple[str, str, str, float, int, str]] = []
    for j, d in enumerate(scenario.dimension_ids):
        wanted.append((d, f"{who} {d} position", "position", a.position[d], j, ""))
    for j, d in enumerate(scenario.dimension_ids):
        wanted.append((f"salience.{d}", f"{who} salience of {d}", "salience", a.salience[d], j, ""))
    for j, d in enumerate(scenario.dimension_ids):
        if f"red_line.{d}" in a.range:
            rl = red[d]
            wanted.append((f"red_line.{d}", f"{who} {d} red line", "red_line", rl.bound, j, rl.op))
    wanted.append(("war_cost", f"{who} war cost", "war_cost", a.war_cost, -1, ""))
    wanted.append(("capability", f"{who} capability", "capability", a.capability, -1, ""))
    return [*_ranged(a, i, wanted, default), *_holds(scenario, i)]


def _holds(scenario: Scenario, i: int) -> list[RangedInput]:
    """Red lines that hold with a probability below 1: one uniform draw each (issue 13).

    ``central`` is the probability; the pipeline opens the bound where the draw is above it.
    """
    a = scenario.actors[i]
    who = _possessive(a.name or a.id)
    dims = scenario.dimension_ids
    return [
        RangedInput(
            key=f"actors.{a.id}.red_line_holds.{rl.dimension}",
            label=f"whether {who} {rl.dimension} red line holds",
            kind="red_line_holds",
            central=rl.probability,
            low=0.0,
            high=1.0,
            actor=i,
            dimension=dims.index(rl.dimension),
            name=rl.op,
        )
        for rl in a.parsed_red_lines
        if rl.probability < 1.0
    ]


def _ranged(
    a: Actor, i: int, wanted: list[tuple[str, str, str, float, int, str]], default: str
) -> list[RangedInput]:
    """The wanted inputs of actor ``a`` that carry a range with ``low < high``."""
    return [
        RangedInput(
            key=f"actors.{a.id}.{key}",
            label=label,
            kind=kind,
            central=float(central),
            low=float(a.range[key][0]),
            high=float(a.range[key][1]),
            distribution=a.distribution.get(key, default),
            actor=i,
            dimension=j,
            name=op,
        )
        for key, label, kind, central, j, op in wanted
        if key in a.range and a.range[key][1] > a.range[key][0]
    ]


def _territory_inputs(scenario: Scenario, default: str) -> list[RangedInput]:
    """Each territorial unit's held share, where a range is stated."""
    return [
        RangedInput(
            key=f"territory.{t.code}",
            label=f"the government-held share of {t.name or t.code}",
            kind="controlled_share",
            central=t.controlled_share,
            low=float(t.controlled_share_range[0]),
            high=float(t.controlled_share_range[1]),
            distribution=default,
            unit=u,
        )
        for u, t in enumerate(scenario.territory)
        if t.controlled_share_range is not None
        and t.controlled_share_range[1] > t.controlled_share_range[0]
    ]


def _model_inputs(scenario: Scenario, default: str) -> list[RangedInput]:
    """The deterrence and durability inputs with a range (``c1`` only when given itself)."""
    det = dict(deterrence_inputs(scenario) or {})
    if scenario.deterrence.c1 is None:
        det.pop("c1", None)  # coupled to the aggressor's war cost, drawn with it
    return [
        *_table_inputs("deterrence", "the guarantee game's", det, scenario.deterrence, default),
        *_table_inputs(
            "durability",
            "the durability model's",
            durability_inputs(scenario),
            scenario.durability,
            default,
        ),
    ]


def _table_inputs(
    kind: str, label: str, ranges: Mapping[str, ParameterRange], table: object, default: str
) -> list[RangedInput]:
    """The inputs of one table of ranges (``kind.name``) whose range is not degenerate; the
    distribution the scenario's ``table`` states for one, else ``default``."""
    out = []
    for name, r in sorted(ranges.items()):
        if r.high > r.low:
            given = getattr(table, name, None)
            out.append(
                RangedInput(
                    key=f"{kind}.{name}",
                    label=f"{label} {name}",
                    kind=kind,
                    central=float(r.central),
                    low=float(r.low),
                    high=float(r.high),
                    distribution=getattr(given, "distribution", None) or default,
                    name=name,
                )
            )
    return out


def _game_and_timeline_inputs(scenario: Scenario, default: str) -> list[RangedInput]:
    """The extended guarantee game's own inputs (deterrence.md §4.1), the [timeline] inputs and
    the hazard ratios of the controls the scenario lists (durability.md §1, §3): each a stated
    range, so each is drawn like every other."""
    game = game_ranges(scenario)
    ext = {} if game is None else {k: game[k] for k in EXTENDED_PARAMETERS}
    controls: dict[str, ParameterRange] = {
        c: dur.CONTROL_DEFAULTS[c] for c in scenario.timeline.controls
    }
    timeline = pth.timeline_ranges(scenario.timeline)
    return [
        *_table_inputs(
            "guarantee_game", "the extended guarantee game's", ext, scenario.guarantee_game, default
        ),
        *_table_inputs("timeline", "the event tree's", timeline, scenario.timeline, default),
        *_table_inputs("control", "the durability model's control", controls, None, default),
        *_window_input(scenario),
    ]


def _window_input(scenario: Scenario) -> list[RangedInput]:
    """The ratification windows' quantile (``paths.window_years``; 1/2 = every window's central
    day), uniform on [0, 1] as a quantile must be, when the event tree has a window to draw."""
    if game_ranges(scenario) is None or not any(
        pth.windows(scenario, p) for p in scenario.proposals
    ):
        return []
    return [
        RangedInput(
            key="timeline.window_quantile",
            label="the event tree's window_quantile",
            kind="timeline",
            central=0.5,
            low=0.0,
            high=1.0,
            distribution="uniform",
            name="window_quantile",
        )
    ]


def _commitment_inputs(scenario: Scenario, default: str) -> list[RangedInput]:
    """Each proposal's commitments' credibility and weight where their range is not degenerate
    (a commitment that takes the game's ``q`` draws it with ``deterrence.q``)."""
    pl = det_batch.plan(scenario, tuple("after_ceasefire" for _ in scenario.proposals))
    if pl is None:
        return []
    out = []
    for k, j, field, r in det_batch.drawn_commitments(pl):
        prop, c = scenario.proposals[k], pl.proposals[k].commitments[j]
        out.append(
            RangedInput(
                key=f"proposals.{prop.id}.commitments.{j}.{field}",
                label=f"{prop.id}: the {c.label} commitment's {field}",
                kind="commitment",
                central=float(r.central),
                low=float(r.low),
                high=float(r.high),
                distribution=default,
                name=field,
                proposal=k,
                commitment=j,
            )
        )
    return out


def ranged_inputs(scenario: Scenario) -> tuple[RangedInput, ...]:
    """Every input of ``scenario`` with a non-degenerate range, in a fixed order.

    Order: actors (in scenario order; positions by dimension, saliences, red lines, war cost,
    capability), territory units, deterrence inputs, durability inputs, the extended game's,
    the [timeline] inputs, the controls' hazard ratios, the proposals' commitments. The order
    fixes which column of a sample each input takes, so it must not depend on mapping order.
    """
    default = scenario.monte_carlo.distribution
    out: list[RangedInput] = []
    for i in range(len(scenario.actors)):
        out.extend(_actor_inputs(scenario, i, default))
    out.extend(_territory_inputs(scenario, default))
    out.extend(_model_inputs(scenario, default))
    out.extend(_game_and_timeline_inputs(scenario, default))
    out.extend(_commitment_inputs(scenario, default))
    return tuple(out)


def central_values(inputs: tuple[RangedInput, ...]) -> FloatArray:
    """The central value of every input, shape ``(d,)``."""
    return np.array([x.central for x in inputs], dtype=np.float64)


def to_values(unit: FloatArray, inputs: tuple[RangedInput, ...]) -> FloatArray:
    """Map unit-cube points ``(B, d)`` to input values by each input's inverse CDF.

    Uniform: ``lo + u (hi - lo)``. Triangular on ``[lo, hi]`` with mode ``c`` (the central
    value), ``F^-1(u) = lo + sqrt(u (hi - lo)(c - lo))`` for ``u < (c - lo)/(hi - lo)``, else
    ``hi - sqrt((1 - u)(hi - lo)(hi - c))``.
    """
    u = np.asarray(unit, dtype=np.float64)
    if not inputs:
        return np.zeros((u.shape[0], 0))
    lo = np.array([x.low for x in inputs])
    hi = np.array([x.high for x in inputs])
    c = np.array([x.central for x in inputs])
    tri = np.array([x.distribution == "triangular" for x in inputs])
    width = hi - lo
    out = lo + u * width
    if tri.any():
        split = (c - lo) / width
        left = lo + np.sqrt(u * width * (c - lo))
        right = hi - np.sqrt((1.0 - u) * width * (hi - c))
        out = np.where(tri, np.where(u < split, left, right), out)
    return np.asarray(out, dtype=np.float64)


def chunk_plan(draws: int, chunk: int) -> list[tuple[int, int]]:
    """``(start, count)`` of every chunk of a sweep of ``draws`` in chunks of ``chunk``."""
    if draws < 1 or chunk < 1:
        raise ValueError("draws and chunk must be positive")
    return [(s, min(chunk, draws - s)) for s in range(0, draws, chunk)]


def chunk_seeds(seed: int, n_chunks: int) -> list[np.random.SeedSequence]:
    """Child seeds of every chunk, spawned in the parent from the root seed."""
    return np.random.SeedSequence(seed).spawn(n_chunks)


def unit_sample(
    method: str,
    d: int,
    start: int,
    count: int,
    child: np.random.SeedSequence,
    root_seed: int,
) -> FloatArray:
    """Unit-cube points ``(count, d)`` of one chunk (see the module docstring)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    if d == 0:
        return np.zeros((count, 0))
    if method == "random":
        return np.random.default_rng(child).random((count, d))
    from scipy.stats import qmc  # here: scipy.stats costs ~0.4 s of every CLI start (issue 18)

    if method == "lhs":
        return np.asarray(
            qmc.LatinHypercube(d, seed=np.random.default_rng(child)).random(count),
            dtype=np.float64,
        )
    sobol = qmc.Sobol(d, scramble=True, seed=np.random.default_rng(root_seed))
    if start:
        sobol.fast_forward(start)
    with warnings.catch_warnings():
        # balance properties need powers of two; chunks of any size are still low-discrepancy
        warnings.simplefilter("ignore", UserWarning)
        return np.asarray(sobol.random(count), dtype=np.float64)


def sample_chunk(
    inputs: tuple[RangedInput, ...],
    method: str,
    start: int,
    count: int,
    child: np.random.SeedSequence,
    root_seed: int,
) -> FloatArray:
    """Input values ``(count, d)`` of one chunk."""
    return to_values(unit_sample(method, len(inputs), start, count, child, root_seed), inputs)
