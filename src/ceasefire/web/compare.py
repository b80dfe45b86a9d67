"""Two runs side by side: what changed in the inputs, what changed in the conclusions.

Nothing is computed here: the inputs are the two scenario files, flattened to paths keyed by
ids (``actors[HUN].red_lines``) so that reordering rows is not a change; the conclusions are
read from the two :class:`~ceasefire.results.Analysis` objects and set next to each other.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ceasefire.report.format import MISSING, interval_of, pct
from ceasefire.results import Analysis, ProposalResult

_KEYS = ("id", "code", "key")


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Every leaf of a parsed scenario under a readable path; rows are named by their id."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, v in enumerate(value):
            name = next((str(v[k]) for k in _KEYS if isinstance(v.get(k), str)), str(i))
            out.update(flatten(v, f"{prefix}[{name}]"))
    elif isinstance(value, list):
        out[prefix] = ", ".join(_show(v) for v in value) if value else "[]"
    else:
        out[prefix] = value
    return out


def _show(value: Any) -> str:
    if value is None:
        return MISSING
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return f"{value:g}"
    return json.dumps(value, default=str)


@dataclass
class Row:
    """One line of a comparison: what, the value in run A, in run B, and whether it changed."""

    section: str
    item: str
    a: str
    b: str
    changed: bool
    note: str = ""


def input_changes(raw_a: dict[str, Any], raw_b: dict[str, Any]) -> list[Row]:
    """The inputs that differ between two scenarios (added, removed or changed leaves)."""
    fa, fb = flatten(raw_a), flatten(raw_b)
    rows = []
    for key in dict.fromkeys([*fa, *fb]):
        if fa.get(key, _MISSING) != fb.get(key, _MISSING):
            a = _show(fa[key]) if key in fa else "(absent)"
            b = _show(fb[key]) if key in fb else "(absent)"
            rows.append(Row(key.split("[", 1)[0].split(".", 1)[0], key, a, b, True))
    return rows


_MISSING = object()


def text_diff(text_a: str, text_b: str) -> str:
    """A unified diff of the two scenario files, for the reader who wants every byte."""
    return "".join(
        difflib.unified_diff(
            text_a.splitlines(keepends=True),
            text_b.splitlines(keepends=True),
            fromfile="run A: scenario.toml",
            tofile="run B: scenario.toml",
        )
    )


def _names(xs: list[str]) -> str:
    return ", ".join(xs) if xs else "none"


def _blocker_note(ba: list[str], bb: list[str]) -> str:
    gone = [x for x in ba if x not in bb]
    new = [x for x in bb if x not in ba]
    parts = (
        f"no longer blocking: {', '.join(gone)}" if gone else "",
        f"newly blocking: {', '.join(new)}" if new else "",
    )
    return "; ".join(part for part in parts if part)


def _institution_rows(pid: str, pa: ProposalResult | None, pb: ProposalResult | None) -> list[Row]:
    """Per institution either run needs: its result and its blockers, A beside B."""
    rows = []
    ia = pa.institutions if pa else {}
    ib = pb.institutions if pb else {}
    for iid in dict.fromkeys([*ia, *ib]):
        ra, rb = ia.get(iid), ib.get(iid)
        res_a = "(absent)" if ra is None else ("passes" if ra.passed else "fails")
        res_b = "(absent)" if rb is None else ("passes" if rb.passed else "fails")
        rows.append(Row(pid, f"{iid}: result", res_a, res_b, res_a != res_b))
        ba = ra.blockers if ra else []
        bb = rb.blockers if rb else []
        a = MISSING if ra is None else f"{_names(ba)} ({len(ba)})"
        b = MISSING if rb is None else f"{_names(bb)} ({len(bb)})"
        rows.append(Row(pid, f"{iid}: blockers", a, b, a != b, _blocker_note(ba, bb)))
    return rows


def _accepting(p: ProposalResult) -> str:
    return f"{sum(r.accepts for r in p.acceptance.values())} / {len(p.acceptance)}"


def _det(name: str) -> Callable[[ProposalResult], str]:
    return lambda p: interval_of(getattr(p.deterrence, name) if p.deterrence else None)


#: (row label, how the row shows a proposal's result) of the key numbers compared
_FIGURES: tuple[tuple[str, Callable[[ProposalResult], str]], ...] = (
    ("actors accepting", _accepting),
    ("guaranteed area", lambda p: pct(p.coverage.guaranteed_area_share)),
    ("ceded de jure (area)", lambda p: pct(p.coverage.ceded_area_share)),
    ("P(aggressor keeps the line) (90% interval)", _det("p_hold")),
    ("P(guarantor drawn into war)", _det("p_guarantor_war")),
    (
        "P(ceasefire breaks down within 5 years)",
        lambda p: interval_of(p.durability.p_breakdown_5y if p.durability else None),
    ),
    ("smallest rescue (distance)", lambda p: _rescue(p)),
)


def _proposal_rows(pid: str, pa: ProposalResult | None, pb: ProposalResult | None) -> list[Row]:
    def row(item: str, fn: Callable[[ProposalResult], str]) -> Row:
        a = "(absent)" if pa is None else fn(pa)
        b = "(absent)" if pb is None else fn(pb)
        return Row(pid, item, a, b, a != b)

    return [
        row("verdict", _verdict),
        *_institution_rows(pid, pa, pb),
        *(row(item, fn) for item, fn in _FIGURES),
    ]


def _verdict(p: ProposalResult) -> str:
    return "passes" if p.passes else "fails"


def _rescue(p: ProposalResult) -> str:
    if p.passes:
        return "not needed"
    if p.rescue is None:
        return "none (no settlement all veto players accept)"
    return f"{p.rescue.distance:.1f} points, binding: {_names(p.rescue.binding_actors)}"


def conclusion_changes(a: Analysis, b: Analysis) -> list[Row]:
    """Pass/fail per proposal and institution, blockers and key numbers, run A beside run B."""
    rows: list[Row] = []
    ids = list(dict.fromkeys([*(p.id for p in a.proposals), *(p.id for p in b.proposals)]))
    pa = {p.id: p for p in a.proposals}
    pb = {p.id: p for p in b.proposals}
    for pid in ids:
        rows.extend(_proposal_rows(pid, pa.get(pid), pb.get(pid)))
    fa = {f"{f.engine} ({f.variant})": f for f in a.forecasts}
    fb = {f"{f.engine} ({f.variant})": f for f in b.forecasts}
    for key in dict.fromkeys([*fa, *fb]):
        va = fa.get(key)
        vb = fb.get(key)

        def point(f: Any) -> str:
            if f is None:
                return "(absent)"
            return ", ".join(f"{d} {v:.1f}" for d, v in f.outcome.items())

        rows.append(Row("forecasts", key, point(va), point(vb), point(va) != point(vb)))
    return rows
