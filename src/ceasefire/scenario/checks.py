"""Cross-checks of a scenario on its raw data: one small function per rule.

They run on the parsed TOML mapping, not on the validated models, so that they run even when
the structural pass (pydantic) has found errors and every problem is reported at once: every
id a scenario refers to exists, every actor has a position and salience on every dimension,
red lines name real dimensions, central values lie inside their ranges, ids are unique, a
warning's wording uses only its warning's fields, and an ``[[observed]]`` row keeps to the
contract of docs/specs/observed.md. Each rule returns its problems; :func:`cross_check`
combines them in a fixed order.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from ceasefire.scenario.problems import Problem
from ceasefire.scenario.schema import (
    GAME_INPUT_DOMAINS,
    MAX_CAPABILITY,
    MAX_WAR_COST,
    MODEL_INPUT_DOMAINS,
    OBSERVED_KINDS,
    OBSERVED_MODELS,
    RANGE_PREFIXES,
    SCALE_MAX,
    SCALE_MIN,
    WARNING_FIELDS,
    WARNING_TEXT_FIELDS,
    Domain,
    RedLine,
    flatten_range,
)


def items(raw: Mapping[str, Any], key: str) -> list[tuple[int, Mapping[str, Any]]]:
    """The tables of the array ``key`` with their index (anything else is skipped)."""
    value = raw.get(key)
    if not isinstance(value, list | tuple):  # a tuple: a dumped Scenario model
        return []
    return [(i, v) for i, v in enumerate(value) if isinstance(v, Mapping)]


def _as_list(value: Any) -> list[Any] | tuple[Any, ...]:
    """``value`` if it is a list (the structural pass reports anything else), else empty."""
    return value if isinstance(value, list | tuple) else []


def ids(raw: Mapping[str, Any], key: str, field: str = "id") -> list[str]:
    """The string ids of the array ``key``."""
    return [str(v[field]) for _, v in items(raw, key) if isinstance(v.get(field), str)]


def _is_number(v: Any) -> TypeGuard[int | float]:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _is_pair(v: Any) -> TypeGuard[list[Any]]:
    return isinstance(v, list) and len(v) == 2 and all(_is_number(b) for b in v)


@dataclass(frozen=True)
class _Ids:
    """The ids the rules check references against."""

    dims: tuple[str, ...]
    actors: frozenset[str]
    institutions: frozenset[str]
    proposals: frozenset[str]
    codes: frozenset[str]
    sources: frozenset[str]

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> _Ids:
        return cls(
            dims=tuple(ids(raw, "dimensions")),
            actors=frozenset(ids(raw, "actors")),
            institutions=frozenset(ids(raw, "institutions")),
            proposals=frozenset(ids(raw, "proposals")),
            codes=frozenset(ids(raw, "territory", "code")),
            sources=frozenset(ids(raw, "sources", "key")),
        )

    def unknown_dimension(self, name: str) -> bool:
        return bool(self.dims) and name not in self.dims


# ---------------------------------------------------------------------------------------------
# Rules


_UNIQUE = (
    ("dimensions", "id"),
    ("actors", "id"),
    ("proposals", "id"),
    ("institutions", "id"),
    ("territory", "code"),
    ("observed", "id"),
)


def check_unique_ids(raw: Mapping[str, Any], _: _Ids) -> Iterator[Problem]:
    """Ids are unique within each array (territory units by code)."""
    for key, field in _UNIQUE:
        seen: set[str] = set()
        for i, item in items(raw, key):
            v = item.get(field)
            if isinstance(v, str):
                if v in seen:
                    yield Problem(f"{key}[{i}].{field}", f"duplicate id {v!r}")
                seen.add(v)


def _point(ref: _Ids, path: str, point: Any, what: str) -> Iterator[Problem]:
    """A point names every dimension, on the 0-100 scale, and no other key."""
    if not isinstance(point, Mapping):
        return  # the structural pass reports it
    for d in ref.dims:
        if d not in point:
            yield Problem(f"{path}.{d}", f"missing ({what} on every dimension)")
        elif _is_number(point[d]) and not SCALE_MIN <= point[d] <= SCALE_MAX:
            yield Problem(f"{path}.{d}", f"{point[d]} lies outside the 0-100 scale")
    for k in point:
        if ref.unknown_dimension(k):
            yield Problem(f"{path}.{k}", f"unknown dimension {k!r}")


def check_status_quo(raw: Mapping[str, Any], ref: _Ids) -> Iterator[Problem]:
    """The no-deal point lies on every dimension."""
    sq = raw.get("status_quo")
    if isinstance(sq, Mapping):
        yield from _point(ref, "status_quo.position", sq.get("position"), "the no-deal point")


def _red_lines(actor: Mapping[str, Any]) -> Iterator[tuple[int, RedLine]]:
    """The actor's parseable red lines (the structural pass reports the others)."""
    texts = actor.get("red_lines")
    for j, text in enumerate(texts if isinstance(texts, list) else []):
        if isinstance(text, str):
            try:
                yield j, RedLine.parse(text)
            except ValueError:
                continue


def check_actors(raw: Mapping[str, Any], ref: _Ids) -> Iterator[Problem]:
    """Each actor has a position and salience on every dimension; red lines name one."""
    for i, a in items(raw, "actors"):
        base = f"actors[{i}]"
        yield from _point(ref, f"{base}.position", a.get("position"), "a position")
        yield from _point(ref, f"{base}.salience", a.get("salience"), "a salience")
        for j, rl in _red_lines(a):
            if ref.unknown_dimension(rl.dimension):
                yield Problem(f"{base}.red_lines[{j}]", f"unknown dimension {rl.dimension!r}")
        yield from _actor_ranges(base, a, ref)
        yield from _red_line_terms(base, a)


def _red_line_terms(base: str, a: Mapping[str, Any]) -> Iterator[Problem]:
    """Each ``red_line_terms.<dimension>`` names a red line of the actor; soft has a penalty."""
    terms = a.get("red_line_terms")
    if not isinstance(terms, Mapping):
        return
    lines = {rl.dimension for _, rl in _red_lines(a)}
    for dim, t in terms.items():
        path = f"{base}.red_line_terms.{dim}"
        if dim not in lines:
            yield Problem(path, f"the actor has no red line on {dim!r} to qualify")
        if isinstance(t, Mapping) and t.get("kind") == "soft" and t.get("penalty") is None:
            yield Problem(path, "a soft red line needs a penalty (utility per point beyond it)")


def _range_centre(a: Mapping[str, Any], key: str, ref: _Ids) -> tuple[Any, bool] | str:
    """The central value a range key of an actor ranges over, and whether it is on 0-100.

    Returns a message instead when the key names no input of the actor.
    """
    prefix, _, dim = key.partition(".")
    if key in ref.dims:
        pos = a.get("position")
        return (pos.get(key) if isinstance(pos, Mapping) else None), True
    if key in ("war_cost", "capability"):
        return a.get(key, 0.0 if key == "war_cost" else None), False
    if not (prefix in RANGE_PREFIXES and dim):
        return (
            f"unknown dimension or input {key!r} (a dimension id, war_cost, capability, "
            "salience.<dimension> or red_line.<dimension>)"
        )
    if ref.unknown_dimension(dim):
        return f"unknown dimension {dim!r}"
    if prefix == "salience":
        sal = a.get("salience")
        return (sal.get(dim) if isinstance(sal, Mapping) else None), True
    lines = [rl for _, rl in _red_lines(a) if rl.dimension == dim]
    if len(lines) != 1:
        if not lines:
            return f"the actor has no red line on {dim!r} to range"
        return f"the actor has {len(lines)} red lines on {dim!r}: ambiguous"
    return lines[0].bound, True


def _bounds(path: str, bounds: Any, centre: Any, on_scale: bool) -> Iterator[Problem]:
    """A range's bounds are ordered, hold the central value and stay on their scale."""
    if not _is_pair(bounds):
        return
    lo, hi = bounds
    if lo > hi:
        yield Problem(path, f"low {lo} is above high {hi}")
    elif _is_number(centre) and not lo <= centre <= hi:
        yield Problem(path, f"central value {centre} lies outside [{lo}, {hi}]")
    if on_scale and (lo < SCALE_MIN or hi > SCALE_MAX):
        yield Problem(path, "range lies outside the 0-100 scale")
    elif not on_scale and lo < 0:
        yield Problem(path, "range must not go below 0")


#: the upper limits of an actor's unscaled inputs (schema.MAX_CAPABILITY, MAX_WAR_COST)
_ACTOR_LIMITS = {"capability": MAX_CAPABILITY, "war_cost": MAX_WAR_COST}


def _actor_ranges(base: str, a: Mapping[str, Any], ref: _Ids) -> Iterator[Problem]:
    """Range keys name an input of the actor, bounds are ordered and hold the central value."""
    rng = flatten_range(a.get("range"))
    if not isinstance(rng, Mapping):
        return
    for k, bounds in rng.items():
        found = _range_centre(a, k, ref)
        if isinstance(found, str):
            yield Problem(f"{base}.range.{k}", found)
            continue
        yield from _bounds(f"{base}.range.{k}", bounds, *found)
        limit = _ACTOR_LIMITS.get(k)
        if limit is not None and _is_pair(bounds) and bounds[1] > limit:
            yield Problem(f"{base}.range.{k}", f"high {bounds[1]} is above the limit {limit:g}")
    dist = flatten_range(a.get("distribution"))
    if isinstance(dist, Mapping):
        for k in dist:
            if k not in rng:
                yield Problem(f"{base}.distribution.{k}", f"no range {k!r} to give a distribution")


def check_territory(raw: Mapping[str, Any], _: _Ids) -> Iterator[Problem]:
    """A unit's range of the controlled share is ordered and holds its central value."""
    for i, t in items(raw, "territory"):
        r, c = t.get("controlled_share_range"), t.get("controlled_share")
        where = f"territory[{i}].controlled_share_range"
        if not _is_pair(r):
            continue
        if r[0] > r[1]:
            yield Problem(where, "low is above high")
        elif _is_number(c) and not r[0] <= c <= r[1]:
            yield Problem(where, f"central value {c} lies outside [{r[0]}, {r[1]}]")


def _returned(base: str, p: Mapping[str, Any], ref: _Ids) -> Iterator[Problem]:
    """``returned`` names real units, shares in [0, 1], only with ``partial-return``."""
    returned = p.get("returned")
    if not isinstance(returned, Mapping):
        return
    for code, share in returned.items():
        if code not in ref.codes:
            yield Problem(f"{base}.returned.{code}", f"unknown territory unit {code!r}")
        elif _is_number(share) and not 0 <= share <= 1:
            yield Problem(f"{base}.returned.{code}", "share outside [0, 1]")
    if returned and p.get("territory", "claim-kept") != "partial-return":
        yield Problem(f"{base}.returned", "only meaningful with territory = 'partial-return'")


def check_proposals(raw: Mapping[str, Any], ref: _Ids) -> Iterator[Problem]:
    """A proposal lies on every dimension and names real actors, institutions and units."""
    for i, p in items(raw, "proposals"):
        base = f"proposals[{i}]"
        yield from _point(ref, f"{base}.position", p.get("position"), "a position")
        proposer = p.get("proposer")
        if isinstance(proposer, str) and proposer not in ref.actors:
            yield Problem(f"{base}.proposer", f"unknown actor {proposer!r}")
        requires = p.get("requires")
        for j, inst in enumerate(requires if isinstance(requires, list) else []):
            if isinstance(inst, str) and inst not in ref.institutions:
                yield Problem(f"{base}.requires[{j}]", f"unknown institution {inst!r}")
        yield from _returned(base, p, ref)
        covers = p.get("invitation", "none") != "none" or p.get("guarantee", "none") in (
            "recognized",
            "controlled",
        )
        if covers and not ref.codes:
            yield Problem(
                base, "an invitation or collective-defence guarantee needs [[territory]] units"
            )


def _members(base: str, inst: Mapping[str, Any], ref: _Ids) -> Iterator[Problem]:
    members = inst.get("members")
    seen: set[str] = set()
    for j, m in enumerate(members if isinstance(members, list) else []):
        if isinstance(m, str):
            if m not in ref.actors:
                yield Problem(f"{base}.members[{j}]", f"unknown actor {m!r}")
            if m in seen:
                yield Problem(f"{base}.members[{j}]", f"duplicate member {m!r}")
            seen.add(m)


def _weights(base: str, inst: Mapping[str, Any]) -> Iterator[Problem]:
    """Weights are given to members only, and are not negative."""
    members = inst.get("members")
    listed = {m for m in members if isinstance(m, str)} if isinstance(members, list) else set()
    weights = inst.get("weights")
    for m, w in weights.items() if isinstance(weights, Mapping) else ():
        if m not in listed:
            yield Problem(f"{base}.weights.{m}", f"{m!r} is not a member")
        elif _is_number(w) and not 0 <= w <= MAX_CAPABILITY:
            yield Problem(f"{base}.weights.{m}", f"weight must lie in [0, {MAX_CAPABILITY:g}]")


def check_institutions(raw: Mapping[str, Any], ref: _Ids) -> Iterator[Problem]:
    """Members are known actors, once each; weights and threshold fit the rule."""
    for i, inst in items(raw, "institutions"):
        base = f"institutions[{i}]"
        yield from _members(base, inst, ref)
        yield from _weights(base, inst)
        rule, threshold, weights = inst.get("rule"), inst.get("threshold"), inst.get("weights")
        if rule == "qualified-majority" and threshold is None:
            yield Problem(f"{base}.threshold", "missing (required by qualified-majority)")
        if rule in ("unanimity", "all") and (threshold is not None or weights):
            yield Problem(base, "weights and threshold apply only to qualified-majority")


def check_model_inputs(raw: Mapping[str, Any], _: _Ids) -> Iterator[Problem]:
    """Ranged model inputs (deterrence, durability, the extended game, the timeline): ranges
    ordered, holding their central value."""
    for table in ("deterrence", "durability", "guarantee_game", "timeline"):
        inputs = raw.get(table)
        for name, spec in inputs.items() if isinstance(inputs, Mapping) else ():
            if not isinstance(spec, Mapping):
                continue
            r, c = spec.get("range"), spec.get("central")
            if not _is_pair(r):
                continue
            where = f"{table}.{name}.range"
            if r[0] > r[1]:
                yield Problem(where, f"low {r[0]} is above high {r[1]}")
            elif _is_number(c) and not r[0] <= c <= r[1]:
                yield Problem(where, f"central value {c} lies outside [{r[0]}, {r[1]}]")


def _outside(where: str, value: Any, domain: Domain, what: str) -> Iterator[Problem]:
    if _is_number(value) and not domain.contains(value):
        yield Problem(where, f"{what} {value} lies outside {domain} ({domain.why})")


def check_model_domains(raw: Mapping[str, Any], _: _Ids) -> Iterator[Problem]:
    """Every deterrence and durability input, central value and range, lies in its domain.

    The domains are those of docs/specs/deterrence.md (probabilities in [0, 1], costs and
    precision not negative, Weibull shape and hazard ratios positive, 0 < p5 < 1), bounded
    where the spec is open so that the models' outputs stay finite (``MODEL_INPUT_DOMAINS``).
    """
    for table, domains in MODEL_INPUT_DOMAINS.items():
        inputs = raw.get(table)
        for name, spec in inputs.items() if isinstance(inputs, Mapping) else ():
            if name not in domains or not isinstance(spec, Mapping):
                continue
            base = f"{table}.{name}"
            yield from _outside(f"{base}.central", spec.get("central"), domains[name], "central")
            r = spec.get("range")
            for end, value in zip(("low", "high"), r if _is_pair(r) else (), strict=False):
                yield from _outside(f"{base}.range", value, domains[name], end)


def check_actor_references(raw: Mapping[str, Any], ref: _Ids) -> Iterator[Problem]:
    """The aggressor and the disputed state are actors."""
    det = raw.get("deterrence")
    if isinstance(det, Mapping):
        agg = det.get("aggressor")
        if isinstance(agg, str) and agg not in ref.actors:
            yield Problem("deterrence.aggressor", f"unknown actor {agg!r}")
    meta = raw.get("scenario")
    if isinstance(meta, Mapping):
        for field in ("disputed_state", "aggressor"):
            v = meta.get(field)
            if isinstance(v, str) and v not in ref.actors:
                yield Problem(f"scenario.{field}", f"unknown actor {v!r}")
        dim = meta.get("ceasefire_dimension")
        if isinstance(dim, str) and ref.unknown_dimension(dim):
            yield Problem("scenario.ceasefire_dimension", f"unknown dimension {dim!r}")


def check_map(raw: Mapping[str, Any], ref: _Ids) -> Iterator[Problem]:
    """A map needs territory units to draw (the file itself is checked when it is read)."""
    if isinstance(raw.get("map"), Mapping) and not ref.codes:
        yield Problem("map", "a map needs [[territory]] units to draw")


def _template_problem(code: str, text: str) -> str | None:
    """What is wrong with a warning's wording: an unknown field or a bad format spec."""
    fields = WARNING_FIELDS[code]
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as err:
        return f"not a format string: {err}"
    for name in names:
        if name not in fields:
            known = ", ".join(fields) if fields else "none"
            return f"unknown field {{{name}}} (the fields of {code!r}: {known})"
    sample = {f: ("" if f in WARNING_TEXT_FIELDS else 0.5) for f in fields}
    try:
        text.format(**sample)
    except (ValueError, IndexError, KeyError) as err:
        return f"cannot be formatted: {err}"
    return None


def check_warnings(raw: Mapping[str, Any], _: _Ids) -> Iterator[Problem]:
    """A scenario words only known warnings, with their own fields."""
    table = raw.get("warnings")
    for code, spec in table.items() if isinstance(table, Mapping) else ():
        if code not in WARNING_FIELDS:
            yield Problem(
                f"warnings.{code}",
                f"unknown warning {code!r} (known: {', '.join(WARNING_FIELDS)})",
            )
            continue
        text = spec.get("text") if isinstance(spec, Mapping) else None
        if isinstance(text, str):
            problem = _template_problem(code, text)
            if problem is not None:
                yield Problem(f"warnings.{code}.text", problem)


# ---------------------------------------------------------------------------------------------
# [[observed]] rows (docs/specs/observed.md)


_ROW_FIELDS = {kind: frozenset(model.model_fields) for kind, model in OBSERVED_MODELS.items()}


def _observed_fields(base: str, row: Mapping[str, Any], kind: str) -> Iterator[Problem]:
    """Every field of a row belongs to its kind."""
    own = _ROW_FIELDS[kind]
    for key in row:
        if key not in own:
            where = [k for k in OBSERVED_KINDS if key in _ROW_FIELDS[k]]
            hint = f" (a field of {', '.join(repr(k) for k in where)})" if where else ""
            yield Problem(f"{base}.{key}", f"does not belong to kind {kind!r}{hint}")


def _observed_refs(base: str, row: Mapping[str, Any], ref: _Ids) -> Iterator[Problem]:
    """A row's proposal, institution, source and actors exist."""
    single = (
        ("proposal", ref.proposals, "proposal"),
        ("institution", ref.institutions, "institution"),
        ("source", ref.sources, "source key"),
    )
    for field, known, what in single:
        v = row.get(field)
        if isinstance(v, str) and v not in known:
            yield Problem(f"{base}.{field}", f"unknown {what} {v!r}")
    for field in ("blockers", "actors"):
        listed = row.get(field)
        for j, v in enumerate(listed if isinstance(listed, list) else []):
            if isinstance(v, str) and v not in ref.actors:
                yield Problem(f"{base}.{field}[{j}]", f"unknown actor {v!r}")


def _observed_values(base: str, row: Mapping[str, Any]) -> Iterator[Problem]:
    """``blockers`` only with ``passed = false``; a horizon is positive."""
    if row.get("blockers") and row.get("passed") is not False:
        yield Problem(f"{base}.blockers", "only with passed = false")
    h = row.get("horizon_years")
    if _is_number(h) and not h > 0:
        yield Problem(f"{base}.horizon_years", f"must be > 0 (is {h})")


def check_observed(raw: Mapping[str, Any], ref: _Ids) -> Iterator[Problem]:
    """Each ``[[observed]]`` row keeps to the contract of its kind."""
    for i, row in items(raw, "observed"):
        base = f"observed[{i}]"
        kind = row.get("kind")
        if isinstance(kind, str) and kind in _ROW_FIELDS:  # else the structural pass reports it
            yield from _observed_fields(base, row, kind)
        yield from _observed_refs(base, row, ref)
        yield from _observed_values(base, row)


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string inside a TOML value with its dotted path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from _strings(v, f"{path}[{i}]")


def _late_sources(raw: Mapping[str, Any], as_of: dt.date) -> dict[str, dt.date]:
    """Sources published after ``as_of`` and not marked ``hindsight``: key -> date."""
    return {
        str(s["key"]): s["published"]
        for _, s in items(raw, "sources")
        if isinstance(s.get("key"), str)
        and isinstance(s.get("published"), dt.date)
        and s["published"] > as_of
        and s.get("hindsight") is not True
    }


def citations(raw: Mapping[str, Any], keys: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(path, key) for each input text that names one of ``keys`` (docs/specs/observed.md).

    An input is any text outside ``[[observed]]`` and ``[[sources]]``; a key counts as cited
    where it stands as a whole word.
    """
    wanted = sorted(set(keys))
    if not wanted:
        return
    cited = re.compile(r"\b(" + "|".join(map(re.escape, wanted)) + r")\b")
    for key, value in raw.items():
        if key in ("observed", "sources"):
            continue
        for path, text in _strings(value, key):
            for k in sorted(set(cited.findall(text))):
                yield path, k


def _as_of(raw: Mapping[str, Any]) -> dt.date | None:
    meta = raw.get("scenario")
    as_of = meta.get("as_of") if isinstance(meta, Mapping) else None
    return as_of if isinstance(as_of, dt.date) else None


def hindsight_inputs(raw: Mapping[str, Any]) -> dict[str, list[str]]:
    """Source key -> the input paths citing it, for sources published after ``as_of``.

    These are the inputs that know more than the decision moment did (marked
    ``hindsight = true``, or they would not validate); the report shows them in a box of their
    own (issue 19). Accepts the raw TOML mapping or ``Scenario.model_dump()``.
    """
    as_of = _as_of(raw)
    if as_of is None:
        return {}
    later = [
        str(s["key"])
        for _, s in items(raw, "sources")
        if isinstance(s.get("key"), str)
        and isinstance(s.get("published"), dt.date)
        and s["published"] > as_of
    ]
    out: dict[str, list[str]] = {}
    for path, key in citations(raw, later):
        out.setdefault(key, []).append(path)
    return out


def check_source_dates(raw: Mapping[str, Any], _: _Ids) -> Iterator[Problem]:
    """Inputs cite only sources published on or before ``as_of`` (docs/specs/observed.md).

    A key of ``[[sources]]`` named in any text outside ``[[observed]]`` and ``[[sources]]``
    counts as cited. A case (a scenario with ``[[observed]]`` rows) and a scenario with an
    ``as_of`` date every source (issue 19: an undated source cannot be checked against as_of).
    """
    as_of = _as_of(raw)
    if items(raw, "observed") or as_of is not None:
        why = (
            "a historical case dates every source"
            if items(raw, "observed")
            else f"a scenario as of {as_of} dates every source, so that each can be checked "
            "against that date"
        )
        for i, s in items(raw, "sources"):
            if "published" not in s:
                yield Problem(f"sources[{i}].published", f"missing: {why}")
    if as_of is None:
        return
    late = _late_sources(raw, as_of)
    for path, k in citations(raw, late):
        yield Problem(
            path,
            f"cites {k}, published {late[k]}, after as_of {as_of}: an "
            "input may use only sources available then (if intended, mark "
            "the source hindsight = true)",
        )


def check_source_records(raw: Mapping[str, Any], _: _Ids) -> Iterator[Problem]:
    """Source keys are unique; ``hindsight = true`` comes with the date it is about (issue 19).

    A hindsight flag says "published after as_of, used on purpose"; without ``published`` the
    report could not show when, and the flag would hide nothing and prove nothing.
    """
    seen: set[str] = set()
    for i, s in items(raw, "sources"):
        key = s.get("key")
        if isinstance(key, str):
            if key in seen:
                yield Problem(f"sources[{i}].key", f"duplicate source key {key!r}")
            seen.add(key)
        if s.get("hindsight") is True and "published" not in s:
            yield Problem(
                f"sources[{i}].published",
                "missing: a source marked hindsight = true gives the date it was published",
            )


# ---------------------------------------------------------------------------------------------
# Territorial terms per unit (issue 17)

_CONTROL_TERMS = frozenset({"withdraw", "buffer-zone", "restore"})
_STATUS_TERMS = frozenset({"recognise-de-facto", "cede-de-jure"})
#: the terms that make sense on the aggressor's own territory held by the defender
_FOREIGN_TERMS = frozenset({"keep", "freeze", "withdraw"})


def _unit_term(where: str, t: Mapping[str, Any], foreign: frozenset[str]) -> Iterator[Problem]:
    """One ``unit_terms`` row's own consistency (its unit is known)."""
    term, part = t.get("term"), t.get("part", "whole")
    if term == "withdraw" and part == "occupied":
        yield Problem(f"{where}.part", "'withdraw' is from the held part, not the occupied one")
    if term == "restore" and part == "held":
        yield Problem(f"{where}.part", "'restore' returns the occupied part, not the held one")
    if t.get("administered_by") and term != "buffer-zone":
        yield Problem(f"{where}.administered_by", "only meaningful with term = 'buffer-zone'")
    if t.get("unit") in foreign and term not in _FOREIGN_TERMS:
        yield Problem(
            f"{where}.term",
            f"unit {t.get('unit')!r} is the aggressor's territory: only keep, freeze or withdraw",
        )


def _all_text(*values: Any) -> bool:
    return all(isinstance(v, str) for v in values)


def _term_parts(t: Mapping[str, Any]) -> tuple[str, ...]:
    term, part = t.get("term"), t.get("part", "whole")
    if term == "withdraw":
        return ("held",)
    if term == "restore":
        return ("occupied",)
    return ("held", "occupied") if part == "whole" else (str(part),)


def check_unit_terms(raw: Mapping[str, Any], ref: _Ids) -> Iterator[Problem]:
    """Each proposal's ``unit_terms`` name known units, fit their part, and state at most one
    control term and one status term per part of a unit."""
    foreign = frozenset(
        str(t.get("code")) for _, t in items(raw, "territory") if t.get("belongs_to") == "aggressor"
    )
    for i, p in items(raw, "proposals"):
        seen: dict[tuple[str, str, str], int] = {}
        for j, t in enumerate(_as_list(p.get("unit_terms"))):
            where = f"proposals[{i}].unit_terms[{j}]"
            if not isinstance(t, Mapping) or not _all_text(t.get("unit"), t.get("term")):
                continue  # the structural pass reports a row, unit or term of the wrong type
            if t.get("unit") not in ref.codes:
                yield Problem(f"{where}.unit", f"unknown territory unit {t.get('unit')!r}")
                continue
            yield from _unit_term(where, t, foreign)
            kind = "control" if t.get("term") in _CONTROL_TERMS else "status"
            if t.get("term") not in _CONTROL_TERMS | _STATUS_TERMS:
                continue
            for part in _term_parts(t):
                key = (str(t.get("unit")), part, kind)
                if key in seen:
                    yield Problem(
                        where,
                        f"a second {kind} term on the {part} part of {key[0]!r} "
                        f"(first: unit_terms[{seen[key]}])",
                    )
                seen.setdefault(key, j)


#: the [timeline] inputs' domains (docs/specs/durability.md §2-§3)
_TIMELINE_DOMAINS: Mapping[str, tuple[float, float, str]] = {
    "interim_q": (0.0, 1.0, "a credibility is a probability"),
    "power_shift": (-1.0, 1.0, "a yearly shift of the balance's share"),
    "power_sensitivity": (0.0, 20.0, "the hazard's growth per unit shift"),
}


def _timeline_input(name: str, spec: Any) -> Iterator[Problem]:
    if not isinstance(spec, Mapping):
        return
    lo, hi, why = _TIMELINE_DOMAINS[name]
    r, c = spec.get("range"), spec.get("central")
    values = ([c] if _is_number(c) else []) + (list(r) if _is_pair(r) else [])
    if any(_is_number(v) and not lo <= v <= hi for v in values):
        yield Problem(f"timeline.{name}", f"outside [{lo:g}, {hi:g}] ({why})")
    if _is_pair(r) and _is_number(c) and not r[0] <= c <= r[1]:
        yield Problem(f"timeline.{name}.range", f"central value {c} lies outside [{r[0]}, {r[1]}]")


def check_timeline(raw: Mapping[str, Any], ref: _Ids) -> Iterator[Problem]:
    """``[timeline]``: inputs in their domains, windows of known institutions, once each."""
    tl = raw.get("timeline")
    if not isinstance(tl, Mapping):
        return
    for name in _TIMELINE_DOMAINS:
        yield from _timeline_input(name, tl.get(name))
    seen: set[str] = set()
    for i, w in items(tl, "ratification"):
        iid = w.get("institution")
        if isinstance(iid, str) and iid not in ref.institutions:
            yield Problem(f"timeline.ratification[{i}].institution", f"unknown institution {iid!r}")
        elif iid in seen:
            yield Problem(f"timeline.ratification[{i}].institution", f"duplicate window {iid!r}")
        seen.add(str(iid))
    controls = tl.get("controls")
    if isinstance(controls, list) and len(set(map(str, controls))) < len(controls):
        yield Problem("timeline.controls", "a control is listed twice")


Rule = Callable[[Mapping[str, Any], _Ids], Iterator[Problem]]


#: every cross-check, in the order their problems are reported
def check_side_issues(raw: Mapping[str, Any], ref: _Ids) -> Iterator[Problem]:
    """Side issues name actors, with rates >= 0; no actor both pays and values one (issue 13)."""
    for i, s in items(raw, "side_issues"):
        base = f"side_issues[{i}]"
        for field in ("payers", "values"):
            table = s.get(field)
            for actor, rate in table.items() if isinstance(table, Mapping) else []:
                if actor not in ref.actors:
                    yield Problem(f"{base}.{field}.{actor}", f"unknown actor {actor!r}")
                if _is_number(rate) and rate < 0:
                    yield Problem(f"{base}.{field}.{actor}", "a rate must not be negative")
        payers, values = s.get("payers"), s.get("values")
        if isinstance(payers, Mapping) and isinstance(values, Mapping):
            for actor in set(payers) & set(values):
                yield Problem(f"{base}.values.{actor}", "an actor cannot both pay and value it")


def _defining_term(text: Any) -> RedLine | None:
    try:
        return RedLine.parse(text) if isinstance(text, str) else None
    except ValueError:
        return None  # the structural pass reports it


def check_defining_terms(raw: Mapping[str, Any], ref: _Ids) -> Iterator[Problem]:
    """A proposal's defining terms name dimensions and hold at its own position."""
    for i, p in items(raw, "proposals"):
        terms = p.get("defining_terms")
        pos = p.get("position")
        for j, text in enumerate(terms if isinstance(terms, list) else []):
            rl = _defining_term(text)
            path = f"proposals[{i}].defining_terms[{j}]"
            if rl is None:
                continue
            if ref.unknown_dimension(rl.dimension):
                yield Problem(path, f"unknown dimension {rl.dimension!r}")
                continue
            value = pos.get(rl.dimension) if isinstance(pos, Mapping) else None
            if _is_number(value) and rl.violation(float(value)) > 0:
                yield Problem(path, f"the proposal's own position violates {rl}")


RULES: tuple[Rule, ...] = (
    check_unique_ids,
    check_status_quo,
    check_actors,
    check_territory,
    check_proposals,
    check_unit_terms,
    check_institutions,
    check_model_inputs,
    check_model_domains,
    check_actor_references,
    check_map,
    check_warnings,
    check_observed,
    check_source_dates,
    check_source_records,
    check_timeline,
    check_side_issues,
    check_defining_terms,
)


# ---------------------------------------------------------------------------------------------
# Stakeholder groups and actor sets (issue 16)


def _unique(key: str, raw: Mapping[str, Any], taken: set[str]) -> Iterator[Problem]:
    for i, item in items(raw, key):
        v = item.get("id")
        if isinstance(v, str):
            if v in taken:
                yield Problem(f"{key}[{i}].id", f"duplicate id {v!r}")
            taken.add(v)


def check_groups(raw: Mapping[str, Any], ref: _Ids) -> Iterator[Problem]:
    """Group ids are unique and differ from actor ids; members are known actors, once each."""
    yield from _unique("groups", raw, set(ref.actors))
    for i, g in items(raw, "groups"):
        yield from _members(f"groups[{i}]", g, ref)


def check_actor_sets(raw: Mapping[str, Any], ref: _Ids) -> Iterator[Problem]:
    """Set ids are unique; members are known actors or groups, once each, and a set holds no
    actor twice (neither directly nor through a group)."""
    yield from _unique("actor_sets", raw, set())
    groups = {
        str(g["id"]): [m for m in _as_list(g.get("members")) if isinstance(m, str)]
        for _, g in items(raw, "groups")
        if isinstance(g.get("id"), str)
    }
    for i, s in items(raw, "actor_sets"):
        members = s.get("members")
        seen: set[str] = set()
        for j, m in enumerate(members if isinstance(members, list) else []):
            if not isinstance(m, str):
                continue
            where = f"actor_sets[{i}].members[{j}]"
            if m not in ref.actors and m not in groups:
                yield Problem(where, f"unknown actor or group {m!r}")
            covered = groups.get(m, [m])
            twice = sorted(seen.intersection(covered))
            if twice:
                yield Problem(where, f"{', '.join(twice)} already in the set")
            seen.update(covered)


def _ends(spec: Mapping[str, Any]) -> list[Any]:
    r = spec.get("range")
    return list(r) if _is_pair(r) else []


def _rule_weights(where: str, weights: Mapping[str, Any]) -> Iterator[Problem]:
    """A rule's weights: in [0, 1e12] (central and range) and not all 0."""
    centrals = [w.get("central") for w in weights.values() if isinstance(w, Mapping)]
    ends = [x for w in weights.values() if isinstance(w, Mapping) for x in _ends(w)]
    if any(_is_number(x) and x > MAX_CAPABILITY for x in centrals + ends):
        yield Problem(where, f"weights must be <= {MAX_CAPABILITY:g}")
    if any(_is_number(c) and c < 0 for c in centrals):
        yield Problem(where, "weights must be >= 0")
    elif centrals and all(_is_number(c) and c == 0 for c in centrals):
        yield Problem(where, "at least one weight must be > 0")


def check_capability_rules(raw: Mapping[str, Any], _: _Ids) -> Iterator[Problem]:
    """Rule ids are unique; weights are >= 0 and not all 0; every actor has every component
    a rule weighs."""
    yield from _unique("capability_rules", raw, set())
    actors = items(raw, "actors")
    for i, rule in items(raw, "capability_rules"):
        weights = rule.get("weights")
        if not isinstance(weights, Mapping):
            continue
        yield from _rule_weights(f"capability_rules[{i}].weights", weights)
        for k, a in actors:
            inputs = a.get("capability_inputs")
            have = inputs if isinstance(inputs, Mapping) else {}
            missing = [c for c in weights if c not in have]
            if missing:
                yield Problem(
                    f"actors[{k}].capability_inputs",
                    f"actor {a.get('id')!r} has no {', '.join(missing)} for capability rule "
                    f"{rule.get('id')!r} (capability_rules[{i}])",
                )


RULES = (*RULES, check_groups, check_actor_sets, check_capability_rules)


def cross_check(raw: Mapping[str, Any]) -> list[Problem]:
    """Every problem of every rule on the raw scenario mapping."""
    ref = _Ids.of(raw)
    return [p for rule in RULES for p in rule(raw, ref)]


def _ranged_in(base: str, spec: Any, domain: Domain) -> Iterator[Problem]:
    if isinstance(spec, Mapping):
        yield from _outside(f"{base}.central", spec.get("central"), domain, "central")
        r = spec.get("range")
        for end, value in zip(("low", "high"), r if _is_pair(r) else (), strict=False):
            yield from _outside(f"{base}.range", value, domain, end)


_SHARE = Domain(0.0, 1.0, "docs/specs/deterrence.md §4.4: a probability or a share")


def check_game_domains(raw: Mapping[str, Any], _: _Ids) -> Iterator[Problem]:
    """§4's inputs and every commitment's credibility and weight lie in their domains."""
    table = raw.get("guarantee_game")
    for name, spec in table.items() if isinstance(table, Mapping) else ():
        if name in GAME_INPUT_DOMAINS:
            yield from _ranged_in(f"guarantee_game.{name}", spec, GAME_INPUT_DOMAINS[name])
    for i, p in items(raw, "proposals"):
        commitments = p.get("commitments")
        for j, c in enumerate(commitments if isinstance(commitments, list) else []):
            if isinstance(c, Mapping):
                for field in ("credibility", "weight"):
                    where = f"proposals[{i}].commitments[{j}].{field}"
                    yield from _ranged_in(where, c.get(field), _SHARE)


RULES = (*RULES, check_game_domains)
