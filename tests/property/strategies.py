"""Reusable hypothesis strategies: random scenarios' pieces for property tests."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ceasefire.scenario import Proposal, TerritoryUnit

scale = st.floats(min_value=0, max_value=100, allow_nan=False)
share = st.floats(min_value=0, max_value=1, allow_nan=False)


@st.composite
def territories(draw, min_units=1, max_units=8):
    n = draw(st.integers(min_units, max_units))
    units = []
    for k in range(n):
        units.append(
            TerritoryUnit(
                code=f"U{k}",
                area_km2=draw(st.floats(min_value=0.5, max_value=1e5, allow_nan=False)),
                population=draw(st.floats(min_value=0, max_value=1e7, allow_nan=False)),
                controlled_share=draw(share),
                controlled_population_share=draw(st.none() | share),
                claimed_by_aggressor=draw(st.booleans()),
            )
        )
    return tuple(units)


@st.composite
def proposals(draw, codes=("U0",)):
    terms = draw(
        st.sampled_from(
            [
                "ceded-claimed",
                "ceded-occupied",
                "ceded-occupied-de-facto",
                "ceded-occupied-implicitly",
                "claim-kept",
                "partial-return",
                "restored",
            ]
        )
    )
    returned = {}
    if terms == "partial-return":
        returned = {c: draw(share) for c in codes if draw(st.booleans())}
    return Proposal(
        id="p",
        invitation=draw(st.sampled_from(["recognized", "controlled", "none"])),
        guarantee=draw(st.sampled_from(["recognized", "controlled", "bilateral", "none"])),
        territory=terms,
        returned=returned,
        position={"a": 50.0},
    )


@st.composite
def preference_arrays(draw, max_actors=6, max_dims=4):
    """(ideal (n, D), saliences (n, D)) with some all-zero salience rows allowed."""
    n = draw(st.integers(1, max_actors))
    d = draw(st.integers(1, max_dims))
    ideal = draw(arrays(np.float64, (n, d), elements=scale))
    sal = draw(arrays(np.float64, (n, d), elements=scale))
    return ideal, sal
