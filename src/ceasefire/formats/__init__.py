"""Peer tools' file formats, read from text into plain arrays (no I/O, no scenario mapping).

* :mod:`ceasefire.formats.ktab` -- KTAB SMP CSV files (``docs/specs/smp.md`` §2);
* :mod:`ceasefire.formats.bdm` -- the BDM replications' one-issue tables
  (``docs/specs/bdm.md`` §1.1).

Both raise a subclass of :class:`FormatError` naming the line and column. Turning what they
read into a scenario is :mod:`ceasefire.importers`' job; running a model on it is an engine's.
"""

from __future__ import annotations

from ceasefire.formats.base import FormatError, placeholder_status_quo
from ceasefire.formats.bdm import BdmFormatError, BdmTable, parse_bdm_table
from ceasefire.formats.ktab import KtabFormatError, KtabScenario, parse_ktab_csv

__all__ = [
    "BdmFormatError",
    "BdmTable",
    "FormatError",
    "KtabFormatError",
    "KtabScenario",
    "parse_bdm_table",
    "parse_ktab_csv",
    "placeholder_status_quo",
]
