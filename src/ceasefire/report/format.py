"""How numbers are shown, once, for the terminal, the report and the web app.

Every renderer formats through these functions (and the Jinja filters of the same names in
:func:`jinja_env`), so one decision holds everywhere: a missing value (None, e.g. ``q*`` where
no credibility deters, or a percentile where no draw is finite) is shown as :data:`MISSING`,
never as "n/a" in one place and an exception in another.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from jinja2 import BaseLoader, ChoiceLoader, Environment, PackageLoader, select_autoescape

from ceasefire import __version__

#: what every renderer shows for a missing value
MISSING = "—"


def _missing(x: float | None) -> bool:
    return x is None or math.isnan(x)


def pct(x: float | None, digits: int = 1) -> str:
    """A share as a percentage: ``0.4567`` -> ``45.7%``."""
    if x is None or math.isnan(x):
        return MISSING
    return f"{100 * x:.{digits}f}%"


def num(x: float | None, fmt: str = "%.3f") -> str:
    """A number with a printf format (``%.3f`` by default)."""
    if x is None or math.isnan(x):
        return MISSING
    return fmt % x


def sig(x: float | None, fmt: str = "%.3g") -> str:
    """A number with a printf format, numerically zero (float noise such as 1e-16) as 0."""
    if x is None or math.isnan(x):
        return MISSING
    return fmt % (x if abs(x) > 1e-9 else 0)


def dec3(x: float | None) -> str:
    """Three decimals with a true minus sign, never ``-0.000``: ``-0.0123`` -> ``−0.012``."""
    if x is None or math.isnan(x):
        return MISSING
    return f"{0.0 if abs(x) < 0.0005 else x:.3f}".replace("-", "−")


def signed(x: float | None) -> str:
    """A difference with its sign: ``+0.125``."""
    if x is None or math.isnan(x):
        return MISSING
    return f"{x:+.3f}"


def interval(
    central: float | None,
    low: float | None,
    high: float | None,
    fmt: Callable[[float | None], str] = num,
    *,
    label: str = "",
    brackets: bool = False,
) -> str:
    """A central value and its interval: ``0.512 (0.401–0.634)``, or with ``brackets``
    ``0.512 [0.401, 0.634]`` (terminal tables); the central value alone when the interval is
    missing, :data:`MISSING` when the central value is.

    ``label`` names the interval (``90% interval``)."""
    if _missing(central):
        return MISSING
    if _missing(low) or _missing(high):
        return fmt(central)
    if brackets:
        return f"{fmt(central)} [{fmt(low)}, {fmt(high)}]"
    lead = f"{label} " if label else ""
    return f"{fmt(central)} ({lead}{fmt(low)}–{fmt(high)})"


def interval_of(
    iv: Any, fmt: Callable[[float | None], str] = num, *, label: str = "", brackets: bool = False
) -> str:
    """:func:`interval` of an object with ``central``, ``p05`` and ``p95`` (an Interval)."""
    if iv is None:
        return MISSING
    return interval(iv.central, iv.p05, iv.p95, fmt, label=label, brackets=brackets)


FILTERS: dict[str, Callable[..., str]] = {
    "pct": pct,
    "num": num,
    "sig": sig,
    "dec3": dec3,
    "signed": signed,
    "interval": interval_of,
}


def jinja_env(*loaders: BaseLoader) -> Environment:
    """The one Jinja environment of the report and the web app.

    Templates are looked up in ``loaders`` first (the web app adds its own pages), then in
    the report's templates, so the uncertainty section and the sweep page are shared.
    """
    env = Environment(
        loader=ChoiceLoader([*loaders, PackageLoader("ceasefire.report", "templates")]),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.globals["zip"] = zip
    env.globals["version"] = __version__
    return env
