"""Array aliases shared by the whole package (one spelling for each array type)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

#: float64 array of any shape
FloatArray = NDArray[np.float64]
#: boolean array of any shape
BoolArray = NDArray[np.bool_]
#: int64 array of any shape
IntArray = NDArray[np.int64]

__all__ = ["BoolArray", "FloatArray", "IntArray"]
