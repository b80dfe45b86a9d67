"""The extended guarantee game (``docs/specs/deterrence.md`` §4), batch-first and vectorised.

The aggressor A chooses among four actions, the protégé D whether to move to retake occupied
land; both by logit (§4.3). Expected utilities (§4.2), with ``φ = 1`` after a ceasefire and 0
during fighting:

```
EU_A(hold)      = h
EU_A(uncovered) = p1 (1 - g) v - c1 - φ κ                               # only if g < 1
EU_A(covered)   = q (p2' g v - c2') + (1 - q) (p1 g v - c1) - φ κ        # only if g > 0
EU_A(probe)     = q_b (-c_b) + (1 - q_b) s (v - c1) - φ κ                # only if s > 0
EU_D(move)      = f p_dg w' + (1 - f) p_d w' - c_d - φ κ - r L ;  EU_D(stay) = 0
```

Every argument broadcasts (one entry per Monte Carlo draw, per proposal, or both); a single
run is a batch of one. Pure: no I/O, no global state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ceasefire._types import FloatArray
from ceasefire.deterrence import ParameterRange, _logit, sample_parameters, summarise_draws
from ceasefire.deterrence import commitments as cm

#: actions of the aggressor, in the order of the probability axis
ACTIONS: tuple[str, ...] = ("hold", "probe", "covered", "uncovered")
#: the extended game's own inputs (§4.1), beside the core ones of ``GAME_PARAMETERS``
EXTENDED_PARAMETERS: tuple[str, ...] = (
    "s",
    "rho",
    "cb",
    "kappa",
    "w",
    "pd",
    "pdg",
    "cd",
    "e",
    "forfeit",
)
EXTENDED_OUTPUTS: tuple[str, ...] = (
    "p_hold",
    "p_probe",
    "p_attack_covered",
    "p_attack_uncovered",
    "p_protege_moves",
    "p_guarantor_war",
    "q_critical",
    "q_critical_probe",
)

#: defaults of §4.1 — every one judgement, shown as such in the report (deterrence_defaults.md)
EXTENDED_DEFAULTS: Mapping[str, ParameterRange] = MappingProxyType(
    {
        "s": ParameterRange(
            0.03,
            0.01,
            0.10,
            "judgement: a limited grab of a few per cent of covered land (Schelling's salami "
            "tactics; Altman 2017 on the fait accompli)",
        ),
        "rho": ParameterRange(
            0.5,
            0.25,
            1.0,
            "judgement: the guarantors answer a probe less often than a full attack "
            "(q_probe = rho q)",
        ),
        "cb": ParameterRange(
            0.4, 0.3, 0.5, "judgement: A's cost of a limited clash with the guarantors"
        ),
        "kappa": ParameterRange(
            0.05,
            0.0,
            0.15,
            "judgement: cost of breaking a ceasefire (remobilisation, sanctions snap-back); "
            "paid only after a ceasefire",
        ),
        "w": ParameterRange(
            0.5, 0.2, 1.0, "judgement: the protégé's value of retaking the occupied land"
        ),
        "pd": ParameterRange(
            0.05, 0.01, 0.15, "judgement: the protégé's chance of retaking it alone"
        ),
        "pdg": ParameterRange(
            0.3, 0.1, 0.5, "judgement: the protégé's chance with the guarantors fighting"
        ),
        "cd": ParameterRange(0.15, 0.05, 0.3, "judgement: the protégé's cost of an offensive"),
        "e": ParameterRange(
            0.5,
            0.2,
            0.8,
            "judgement: how often guarantors who would defend also follow an offensive "
            "(Snyder 1984, entrapment)",
        ),
        "forfeit": ParameterRange(
            0.5,
            0.2,
            1.0,
            "judgement: what the protégé loses by breaking a renunciation of force (the "
            "guarantee itself)",
        ),
    }
)


@dataclass(frozen=True)
class Conditions:
    """A guarantee's conditions on the protégé (§4.2), 0/1 each, broadcastable arrays.

    ``defensive_only``: the guarantors are not bound to join an offensive (``f = 0``).
    ``administrative_control``: the guarantee stops at the line, so land the protégé retakes
    would be uncovered and the aggressor could take it back: ``w' = w (1 - p1)``.
    ``renunciation_of_force``: moving breaks a pledge and forfeits the guarantee (cost ``L``).
    """

    defensive_only: ArrayLike = 0.0
    administrative_control: ArrayLike = 0.0
    renunciation_of_force: ArrayLike = 0.0


@dataclass(frozen=True)
class ExtendedResult:
    """Outputs of §4 per element of the broadcast shape; ``eu`` and ``prob`` end in an action
    axis ordered as ``ACTIONS`` (NaN / 0 where an action is unavailable)."""

    eu: FloatArray
    prob: FloatArray
    eu_protege: FloatArray
    p_protege_moves: FloatArray
    p_guarantor_war: FloatArray
    q_critical: FloatArray
    q_critical_probe: FloatArray

    @property
    def p_hold(self) -> FloatArray:
        return np.asarray(self.prob[..., 0])

    @property
    def p_probe(self) -> FloatArray:
        return np.asarray(self.prob[..., 1])

    @property
    def p_attack_covered(self) -> FloatArray:
        return np.asarray(self.prob[..., 2])

    @property
    def p_attack_uncovered(self) -> FloatArray:
        return np.asarray(self.prob[..., 3])

    def as_dict(self) -> dict[str, FloatArray]:
        """The outputs by name (``EXTENDED_OUTPUTS``)."""
        return {name: np.asarray(getattr(self, name)) for name in EXTENDED_OUTPUTS}


def _arr(x: ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def _q_star(alone: FloatArray, slope: FloatArray, threshold: FloatArray) -> FloatArray:
    """Smallest x in [0, 1] with ``alone + slope x <= threshold``; 0 if at x = 0; NaN if none."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x = (threshold - alone) / slope
    reachable = (slope < 0) & (x <= 1.0)
    return np.asarray(np.where(alone <= threshold, 0.0, np.where(reachable, x, np.nan)))


def aggressor_utilities(
    g: ArrayLike,
    h: ArrayLike,
    p: Mapping[str, ArrayLike],
    phase: ArrayLike,
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """``EU_A`` of the four actions (§4.2) and their availability, action axis last.

    ``p`` holds v, p1, p2, c1, c2, q, rho, s, cb, kappa (``p2``/``c2`` already those of the
    responding guarantors, §4.4); ``phase`` is φ (1 after a ceasefire, 0 during fighting).
    """
    g_, h_, phi = _arr(g), _arr(h), _arr(phase)
    v, p1, p2, c1, c2 = (_arr(p[k]) for k in ("v", "p1", "p2", "c1", "c2"))
    q, s, cb, kappa = _arr(p["q"]), _arr(p["s"]), _arr(p["cb"]), _arr(p["kappa"])
    qb = np.minimum(1.0, _arr(p["rho"]) * q)
    restart = phi * kappa
    eu_unc = p1 * (1.0 - g_) * v - c1 - restart
    alone, allied = p1 * g_ * v - c1, p2 * g_ * v - c2
    with np.errstate(invalid="ignore"):
        eu_cov = np.where(q == 1.0, allied, q * allied + (1.0 - q) * alone) - restart
    eu_probe = qb * (-cb) + (1.0 - qb) * s * (v - c1) - restart
    eu = np.stack(np.broadcast_arrays(h_, eu_probe, eu_cov, eu_unc), axis=-1)
    g_b = np.broadcast_to(g_, eu.shape[:-1])
    s_b = np.broadcast_to(s, eu.shape[:-1])
    avail = np.stack([np.ones_like(g_b, dtype=bool), s_b > 0, g_b > 0, g_b < 1], axis=-1)
    return np.asarray(eu), avail


def protege_utility(
    p: Mapping[str, ArrayLike], conditions: Conditions, phase: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """``EU_D(move)`` and the follow probability ``f = q e (1 - defensive_only)`` (§4.2)."""
    q, e = _arr(p["q"]), _arr(p["e"])
    f = q * e * (1.0 - _arr(conditions.defensive_only))
    w = _arr(p["w"]) * (1.0 - _arr(conditions.administrative_control) * _arr(p["p1"]))
    gain = (f * _arr(p["pdg"]) + (1.0 - f) * _arr(p["pd"])) * w
    cost = _arr(p["cd"]) + _arr(phase) * _arr(p["kappa"])
    cost = cost + _arr(conditions.renunciation_of_force) * _arr(p["forfeit"])
    return np.asarray(gain - cost), np.asarray(f)


def extended_game(
    g: ArrayLike,
    h: ArrayLike,
    params: Mapping[str, ArrayLike],
    conditions: Conditions | None = None,
    phase: ArrayLike = 1.0,
) -> ExtendedResult:
    """Solve §4 for every element of the broadcast shape.

    ``params`` names v, p1, p2, c1, c2, q, lam and the ``EXTENDED_PARAMETERS``. Logit over the
    available actions for A (§4.3, the same stable logit as §1), binary logit for D with the
    same λ. ``P(guarantors in direct war) = 1 - (1 - P(covered) q - P(probe) q_b)(1 - P(move) f)``
    (A's and D's moves independent). ``q_critical``: smallest q deterring the full attack
    against the best of hold and uncovered; ``q_critical_probe``: smallest q deterring the
    probe, with ``q_b = rho q`` (NaN if none in [0, 1]).
    """
    cond = conditions or Conditions()
    eu, avail = aggressor_utilities(g, h, params, phase)
    lam = np.broadcast_to(_arr(params["lam"]), eu.shape[:-1])
    prob = _logit(eu, avail, np.asarray(lam))
    eu_d, f = protege_utility(params, cond, phase)
    lam_d = _arr(params["lam"])
    with np.errstate(over="ignore"):
        p_move = 1.0 / (1.0 + np.exp(-lam_d * eu_d))
    q = _arr(params["q"])
    qb = np.minimum(1.0, _arr(params["rho"]) * q)
    a_war = prob[..., 2] * q + prob[..., 1] * qb
    war = 1.0 - (1.0 - a_war) * (1.0 - p_move * f)
    return ExtendedResult(
        eu=np.where(avail, eu, np.nan),
        prob=prob,
        eu_protege=np.asarray(eu_d),
        p_protege_moves=np.asarray(p_move),
        p_guarantor_war=np.asarray(war),
        q_critical=_critical(g, params, phase, eu, avail, probe=False),
        q_critical_probe=_critical(g, params, phase, eu, avail, probe=True),
    )


def _critical(
    g: ArrayLike,
    p: Mapping[str, ArrayLike],
    phase: ArrayLike,
    eu: FloatArray,
    avail: NDArray[np.bool_],
    *,
    probe: bool,
) -> FloatArray:
    """q* of §4.5: the action's EU is ``alone + slope q``; it is deterred at or below
    ``max(EU(hold), EU(uncovered))``. 0 where the action is unavailable."""
    g_, v, p1, c1 = _arr(g), _arr(p["v"]), _arr(p["p1"]), _arr(p["c1"])
    restart = _arr(phase) * _arr(p["kappa"])
    threshold = np.where(avail[..., 3], np.maximum(eu[..., 0], eu[..., 3]), eu[..., 0])
    if probe:
        grab = _arr(p["s"]) * (v - c1)
        alone, slope, idx = grab - restart, _arr(p["rho"]) * (-_arr(p["cb"]) - grab), 1
    else:
        alone = p1 * g_ * v - c1 - restart
        slope, idx = (_arr(p["p2"]) - p1) * g_ * v - (_arr(p["c2"]) - c1), 2
    shape = threshold.shape
    out = _q_star(
        np.broadcast_to(alone, shape), np.broadcast_to(slope, shape), np.asarray(threshold)
    )
    return np.asarray(np.where(avail[..., idx], out, 0.0))


# --------------------------------------------------------------------------------------------
# Commitments and the Monte Carlo (§4.4, §3)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedCommitment:
    """One commitment of a proposal with its template's defaults filled in (§4.4)."""

    type: str
    label: str
    guarantors: str
    scope: str
    automaticity: str
    tripwire: bool
    credibility: ParameterRange
    weight: ParameterRange
    source: str


def fold(
    g: ArrayLike,
    params: Mapping[str, ArrayLike],
    commitments: Sequence[ResolvedCommitment],
    credibility: Sequence[ArrayLike],
    weight: Sequence[ArrayLike],
) -> tuple[FloatArray, dict[str, FloatArray]]:
    """The game's ``g`` and inputs once the commitments are folded in (§4.4).

    No commitment: ``q = 0`` (nobody answers), ``g`` as the scope gives it.
    """
    agg = cm.aggregate(
        [_arr(x) for x in credibility],
        [cm.AUTOMATICITY[c.automaticity] for c in commitments],
        [c.tripwire for c in commitments],
        [_arr(x) for x in weight],
        _arr(params["rho"]),
    )
    p2, c2 = cm.allied_terms(
        _arr(params["p1"]), _arr(params["p2"]), _arr(params["c1"]), _arr(params["c2"]), agg.weight
    )
    out = {k: _arr(v) for k, v in params.items()}
    out.update(q=agg.q, rho=agg.rho, p2=p2, c2=c2)
    return _arr(g), out


def draw_inputs(
    ranges: Mapping[str, ParameterRange],
    commitments: Sequence[ResolvedCommitment],
    n_draws: int,
    rng: np.random.Generator,
) -> tuple[dict[str, FloatArray], list[FloatArray], list[FloatArray]]:
    """The Monte Carlo's draws (§3): every input of ``ranges`` (sorted by name), then each
    commitment's credibility and weight, in this order from ``rng`` — so a caller with the
    same generator state gets :func:`run_extended`'s draws (the event tree does)."""
    drawn = sample_parameters(ranges, n_draws, rng)
    per = sample_parameters(
        {f"c{i:03d}_cred": c.credibility for i, c in enumerate(commitments)}
        | {f"c{i:03d}_weight": c.weight for i, c in enumerate(commitments)},
        n_draws,
        rng,
    )
    cred = [per[f"c{i:03d}_cred"] for i in range(len(commitments))]
    weight = [per[f"c{i:03d}_weight"] for i in range(len(commitments))]
    return drawn, cred, weight


def central_inputs(
    ranges: Mapping[str, ParameterRange], commitments: Sequence[ResolvedCommitment]
) -> tuple[dict[str, float], list[float], list[float]]:
    """:func:`draw_inputs` at the central values: the central run's inputs."""
    central = {k: float(r.central) for k, r in ranges.items()}
    return (
        central,
        [c.credibility.central for c in commitments],
        [c.weight.central for c in commitments],
    )


@dataclass(frozen=True)
class ExtendedRun:
    """One proposal, one phase: central run, draws and the summary of every output."""

    g: float
    h: float
    phase: str
    central: ExtendedResult
    draws: ExtendedResult
    central_inputs: Mapping[str, float]
    summary: Mapping[str, Mapping[str, float]]


def run_extended(
    g: float,
    h: float,
    ranges: Mapping[str, ParameterRange],
    commitments: Sequence[ResolvedCommitment],
    n_draws: int,
    *,
    rng: np.random.Generator,
    conditions: Conditions | None = None,
    phase: str = "after_ceasefire",
) -> ExtendedRun:
    """Central run and Monte Carlo of §4 for one proposal (uniform draws in every range).

    ``ranges`` names the core inputs (``GAME_PARAMETERS``) and ``EXTENDED_PARAMETERS``; the
    scenario's ``q`` is the credibility of commitments whose template leaves it open.
    """
    phi = 1.0 if phase == "after_ceasefire" else 0.0
    central_p, cred_c, weight_c = central_inputs(ranges, commitments)
    g_c, p_c = fold(g, central_p, commitments, cred_c, weight_c)
    central = extended_game(g_c, h, p_c, conditions, phi)

    drawn, cred, weight = draw_inputs(ranges, commitments, n_draws, rng)
    g_d, p_d = fold(g, drawn, commitments, cred, weight)
    draws = extended_game(g_d, h, p_d, conditions, phi)
    summary = {
        name: summarise_draws(
            arr, nan_label="share_undeterrable" if name.startswith("q_critical") else None
        )
        for name, arr in draws.as_dict().items()
    }
    return ExtendedRun(
        g=float(g),
        h=float(h),
        phase=phase,
        central=central,
        draws=draws,
        central_inputs=MappingProxyType({k: float(np.asarray(v)) for k, v in p_c.items()}),
        summary=MappingProxyType(summary),
    )
