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
    # a model input's name in words (``deterrence.lam`` -> "how sharply ... (λ)"), defined below
    env.filters["input_label"] = input_label
    env.globals["zip"] = zip
    env.globals["version"] = __version__
    return env


def pct_bounded(x: float | None, digits: int = 1) -> str:
    """:func:`pct`, except that a share which rounds to 0% or 100% without being exactly 0 or 1
    says so: ``0.00038`` -> ``< 0.1%``, ``0.9996`` -> ``> 99.9%`` (an upper bound of 10,000
    draws must not read ``0.0%``)."""
    if _missing(x):
        return MISSING
    assert x is not None
    step = 10.0**-digits / 100
    if 0 < x < step / 2:
        return f"< {pct(step, digits)}"
    if 1 - step / 2 <= x < 1:
        return f"> {pct(1 - step, digits)}"
    return pct(x, digits)


def prob(x: float | None, digits: int = 3) -> str:
    """A probability with ``digits`` decimals, bounded like :func:`pct_bounded`:
    ``0.0004`` -> ``< 0.001``, ``0.9996`` -> ``> 0.999``, ``0.25`` -> ``0.250``."""
    if _missing(x):
        return MISSING
    assert x is not None
    step = 10.0**-digits
    if 0 < x < step / 2:
        return f"< {step:.{digits}f}"
    if 1 - step / 2 <= x < 1:
        return f"> {1 - step:.{digits}f}"
    return f"{x:.{digits}f}"


#: readable names of the models' inputs (docs/specs/deterrence.md §1, §2), for output that
#: would otherwise show the spec's symbols (``lam``, ``c2``)
MODEL_INPUT_LABELS: dict[str, str] = {
    "deterrence.v": "the aggressor's value of taking the defender's territory (v)",
    "deterrence.p1": "the aggressor's chance of winning against the defender alone (p1)",
    "deterrence.p2": "the aggressor's chance of winning against the guarantors (p2)",
    "deterrence.c1": "the aggressor's cost of war against the defender alone (c1)",
    "deterrence.c2": "the aggressor's cost of war against the guarantors (c2)",
    "deterrence.q": "the guarantors' credibility (q)",
    "deterrence.h": "the aggressor's value of holding the line (h)",
    "deterrence.lam": "how sharply the aggressor responds to expected gains (λ)",
    "durability.k": "the durability model's Weibull shape (k)",
    "durability.p5_bare": "a bare ceasefire's 5-year breakdown chance (p5)",
    "durability.floor": "the durability model's floor of the hazard ratio",
    "guarantee_game.s": "the share of covered land a limited grab takes (s)",
    "guarantee_game.rho": "how often the guarantors answer a probe, against a full attack (ρ)",
    "guarantee_game.cb": "the aggressor's cost of a limited clash with the guarantors (cb)",
    "guarantee_game.kappa": "the aggressor's cost of breaking a ceasefire (κ)",
    "guarantee_game.w": "the protégé's value of retaking the occupied land (w)",
    "guarantee_game.pd": "the protégé's chance of retaking it alone (pd)",
    "guarantee_game.pdg": "the protégé's chance of retaking it with the guarantors (pdg)",
    "guarantee_game.cd": "the protégé's cost of an offensive (cd)",
    "guarantee_game.e": "how often guarantors follow the protégé's offensive (e)",
    "guarantee_game.forfeit": "what the protégé loses by breaking a renunciation of force",
    "timeline.interim_q": "the credibility of interim assurances",
    "timeline.power_shift": "the defender's relative-power gain a year under a ceasefire (r)",
    "timeline.power_sensitivity": "the hazard's growth with the power shift (β)",
    "timeline.window_quantile": "how long ratification takes (each window's quantile)",
}

#: readable names of the sensitivity analysis' headline outputs
QUANTITY_LABELS: dict[str, str] = {
    "min_veto_margin": "smallest veto margin",
    "p_hold": "P(hold)",
    "forecast": "forecast",
}


def input_label(key: str, label: str) -> str:
    """The readable label of a ranged input: its label, unless that is built from a model's
    symbol (``the guarantee game's lam``); a mechanism's hazard ratio is named in words."""
    if key in MODEL_INPUT_LABELS:
        return MODEL_INPUT_LABELS[key]
    if key.startswith("durability.hr_"):
        mechanism = key.removeprefix("durability.hr_").replace("_", " ")
        return f"the hazard ratio of {mechanism} (durability model)"
    if key.startswith("control."):
        control = key.removeprefix("control.").replace("_", " ")
        return f"the hazard ratio of the control '{control}' (durability model)"
    return label


def quantity_label(quantity: str) -> str:
    """The readable name of a headline output (``min_veto_margin`` -> smallest veto margin)."""
    return QUANTITY_LABELS.get(quantity, quantity.replace("_", " "))
