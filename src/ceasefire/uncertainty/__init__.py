"""How sure are we: Monte Carlo over every stated range, global sensitivity, sweeps.

* :mod:`~ceasefire.uncertainty.ranges` — the ranged inputs of a scenario and their sampling;
* :mod:`~ceasefire.uncertainty.pipeline` — the whole analysis for a batch of draws at once;
* :mod:`~ceasefire.uncertainty.summary` — aggregation of draws into probabilities and
  quantiles;
* :mod:`~ceasefire.uncertainty.sensitivity` — first-order indices from the draws (RBD-FAST),
  Sobol' indices and Morris screening on request (SALib), and switch points;
* :mod:`~ceasefire.uncertainty.backends` — sweeps in chunks on serial / processes / Dask, with
  chunk files, a manifest and resumption (the only module here that does I/O).
"""

from __future__ import annotations

from ceasefire.uncertainty.pipeline import (
    DEFAULT_ENGINES,
    Model,
    SweepSpec,
    compile_model,
    evaluate,
)
from ceasefire.uncertainty.ranges import METHODS, RangedInput, ranged_inputs

__all__ = [
    "DEFAULT_ENGINES",
    "METHODS",
    "Model",
    "RangedInput",
    "SweepSpec",
    "compile_model",
    "evaluate",
    "ranged_inputs",
]
