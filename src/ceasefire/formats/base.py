"""What every file format shares: the located error and the placeholder status quo."""

from __future__ import annotations

import numpy as np

from ceasefire._types import FloatArray


class FormatError(ValueError):
    """Malformed file text; ``line`` (1-based) and ``column`` say where in the file.

    The message reads ``line 3, column 'Salience': not a number: 'x'`` (either part left out
    when unknown); ``message`` keeps the bare text. The parsers read text, not files, so the
    caller puts the file's name in front.
    """

    def __init__(self, message: str, line: int | None = None, column: str | None = None):
        where = []
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
        self.message = message
        self.line = line
        self.column = column


def placeholder_status_quo(
    capability: FloatArray, saliences: FloatArray, positions: FloatArray
) -> FloatArray:
    """The capability x salience weighted mean of the positions, per dimension: (D,).

    ``sq_d = sum_i c_i s_id x_id / sum_i c_i s_id`` (50 where nobody weighs dimension ``d``).
    Neither the KTAB CSV (``docs/specs/smp.md`` §2) nor the BDM tables (``docs/specs/bdm.md`` §1.1)
    carry a status quo; this is only a placeholder for engines and scenarios that need one
    (judgement: the point the actors' weight pulls towards, not a measured status quo).
    ``capability`` is (n,), ``saliences`` and ``positions`` are (n, D).
    """
    weights = capability[:, None] * saliences
    tot = weights.sum(axis=0)
    mean: FloatArray = np.where(
        tot > 0, (weights * positions).sum(axis=0) / np.where(tot > 0, tot, 1.0), 50.0
    )
    return mean
