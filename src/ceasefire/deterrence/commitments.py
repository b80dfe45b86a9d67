"""Guarantees short of Article 5: commitment types and their aggregation (deterrence.md §4.4).

A proposal's guarantee is a list of commitments, each coded the way ATOP codes an alliance
obligation (Leeds et al. 2002): who guarantees, the territorial scope, how automatic the
response is (``automatic`` / ``consult`` / ``none``), whether forces are on the ground (a
tripwire) and a credibility distribution with its source. Commitment k answers a full attack
with ``π_k = 1 - (1 - a_k q_k)(1 - t_k)`` and a probe with ``πb_k = 1 - (1 - ρ a_k q_k)(1 - t_k)``
(``a_k`` the automaticity factor, ``t_k`` the tripwire's pull); responders act independently:

```
q   = 1 - Π_k (1 - π_k)          q_b = 1 - Π_k (1 - πb_k)          ρ' = q_b / q
W   = Σ_k π_k w_k / Σ_k π_k      p2' = p1 + (p2 - p1) W            c2' = c1 + (c2 - c1) W
```

``w_k`` is the share of the alliance-war cost ``c2`` that these guarantors impose (NATO with
the United States = 1). One automatic commitment without a tripwire and ``w = 1`` gives back
the game of §1. Pure functions, batch-first arrays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from ceasefire._types import FloatArray
from ceasefire.deterrence import ParameterRange

#: automaticity factor a_k (judgement, deterrence_defaults.md): an automatic pledge (ATOP
#: "defence obligation" without further conditions) is taken at its credibility; one that
#: promises consultation first at 0.6 of it; an assurance with no response pledged at 0.25
AUTOMATICITY: Mapping[str, float] = MappingProxyType(
    {"automatic": 1.0, "consult": 0.6, "none": 0.25}
)
#: t: chance that forces on the ground, once attacked, draw their states in whatever the
#: capitals' first intent (judgement; Schelling 1966, the "trip wire" of forces in Berlin)
TRIPWIRE_PULL = 0.3

_DEFENCE_PACTS = (
    "S_BF2018 (41 % of defence-pact obligations honoured 1816-2003; 22 % of all obligations "
    "after 1945; abstract); S_LLM2000 (74.5 %, 1816-1944; abstract)"
)


@dataclass(frozen=True)
class CommitmentType:
    """A template of one commitment: the defaults a proposal's commitment may override."""

    label: str
    guarantors: str
    scope: str
    automaticity: str
    tripwire: bool
    credibility: ParameterRange | None  # None: the scenario's [deterrence] q
    weight: ParameterRange
    basis: str


COMMITMENT_TYPES: Mapping[str, CommitmentType] = MappingProxyType(
    {
        "nato-art5": CommitmentType(
            "NATO Article 5",
            "NATO members",
            "controlled",
            "automatic",
            False,
            None,
            ParameterRange(1.0, 1.0, 1.0, "definition: the alliance war of c2"),
            "North Atlantic Treaty (1949) Art. 5; credibility = the scenario's q ("
            + _DEFENCE_PACTS
            + ")",
        ),
        "bilateral-2024": CommitmentType(
            "Bilateral security agreement (2024 kind)",
            "the signatory",
            "controlled",
            "consult",
            False,
            ParameterRange(
                0.10,
                0.02,
                0.22,
                "judgement: the 2024 agreements under the G7 Joint Declaration of 12 Jul 2023 "
                "pledge assistance and consultation, not to fight; B&F 2018's 22 % after 1945 "
                "(honouring any obligation) is the upper end for entering a war",
            ),
            ParameterRange(0.5, 0.3, 0.8, "judgement: signatories short of the whole alliance"),
            "G7 Joint Declaration of Support for Ukraine (12 Jul 2023); UK-Ukraine Agreement on "
            "Security Co-operation (12 Jan 2024): consultations within 24 hours",
        ),
        "art5-like-single": CommitmentType(
            "Article-5-like guarantee by one power",
            "one great power",
            "controlled",
            "automatic",
            False,
            ParameterRange(0.41, 0.22, 0.75, "defence-pact prior: " + _DEFENCE_PACTS),
            ParameterRange(0.9, 0.7, 1.0, "judgement: the United States alone"),
            "judgement: an automatic pledge as Article 5's, by one power",
        ),
        "coalition-tripwire": CommitmentType(
            "Coalition reassurance force with a tripwire",
            "a coalition of European states",
            "controlled",
            "consult",
            True,
            ParameterRange(
                0.30, 0.15, 0.50, "judgement below the defence-pact prior: " + _DEFENCE_PACTS
            ),
            ParameterRange(0.3, 0.2, 0.5, "judgement: European forces without the US"),
            "judgement: forces on the ground behind the line; their states consult first",
        ),
        "budapest-1994": CommitmentType(
            "Budapest-1994-style assurance",
            "the signatories",
            "recognized",
            "none",
            False,
            ParameterRange(
                0.02,
                0.0,
                0.10,
                "judgement: the 1994 assurances (UN doc A/49/765) were not honoured by force "
                "in 2014 or 2022",
            ),
            ParameterRange(0.9, 0.7, 1.0, "judgement: great powers among the signatories"),
            "Memorandum on Security Assurances, Budapest, 5 Dec 1994 (UN doc A/49/765)",
        ),
    }
)

#: the old ``guarantee`` values as shorthand for a list of commitment types
SHORTHAND: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "recognized": ("nato-art5",),
        "controlled": ("nato-art5",),
        "bilateral": ("bilateral-2024",),
        "none": (),
    }
)


@dataclass(frozen=True)
class Aggregate:
    """The commitments folded into the game's inputs (§4.4), arrays of the draw shape."""

    q: FloatArray
    rho: FloatArray
    weight: FloatArray


def aggregate(
    credibility: Sequence[FloatArray],
    automaticity: Sequence[float],
    tripwire: Sequence[bool],
    weight: Sequence[FloatArray],
    rho: FloatArray,
) -> Aggregate:
    """Fold K commitments into ``q``, ``ρ'`` and ``W`` (module docstring); K = 0 gives 0s."""
    r = np.asarray(rho, dtype=np.float64)
    if not credibility:
        zero = np.zeros_like(r)
        return Aggregate(q=zero, rho=r.copy(), weight=zero)
    q_k = np.stack([np.asarray(x, dtype=np.float64) for x in np.broadcast_arrays(*credibility, r)])[
        :-1
    ]
    a = np.asarray(automaticity, dtype=np.float64).reshape((-1,) + (1,) * (q_k.ndim - 1))
    t = TRIPWIRE_PULL * np.asarray(tripwire, dtype=np.float64).reshape(a.shape)
    w_k = np.stack(np.broadcast_arrays(*weight, q_k[0]))[:-1]
    pi = 1.0 - (1.0 - a * q_k) * (1.0 - t)
    pib = 1.0 - (1.0 - r * a * q_k) * (1.0 - t)
    q = 1.0 - np.prod(1.0 - pi, axis=0)
    qb = 1.0 - np.prod(1.0 - pib, axis=0)
    total = pi.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho_eff = np.where(q > 0, qb / q, r)
        w = np.where(total > 0, (pi * w_k).sum(axis=0) / total, 0.0)
    return Aggregate(q=np.asarray(q), rho=np.asarray(rho_eff), weight=np.minimum(w, 1.0))


def allied_terms(
    p1: FloatArray, p2: FloatArray, c1: FloatArray, c2: FloatArray, weight: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """``p2' = p1 + (p2 - p1) W`` and ``c2' = c1 + (c2 - c1) W`` (module docstring)."""
    w = np.asarray(weight, dtype=np.float64)
    return np.asarray(p1 + (p2 - p1) * w), np.asarray(c1 + (c2 - c1) * w)
