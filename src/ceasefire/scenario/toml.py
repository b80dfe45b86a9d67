"""Writing scenarios: a raw scenario mapping as TOML (the inverse of ``tomllib.loads``)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_\-]+$")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("TOML scenario values must be finite")
        return repr(value)
    if isinstance(value, str):
        # JSON string escapes are a subset of TOML basic-string escapes
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def dumps(raw: Mapping[str, Any], header: str = "") -> str:
    """Write a scenario's raw mapping as TOML: tables, arrays of tables, inline sub-tables.

    The inverse of ``tomllib.loads`` for the scenario format (``loads(dumps(d))`` gives ``d``).
    """
    scalars: list[str] = []
    out: list[str] = []
    for key, value in raw.items():
        if isinstance(value, Mapping):
            body = "".join(f"{_toml_key(k)} = {_toml_value(v)}\n" for k, v in value.items())
            out.append(f"[{_toml_key(key)}]\n{body}")
        elif (
            isinstance(value, list | tuple) and value and all(isinstance(v, Mapping) for v in value)
        ):
            for item in value:
                body = "".join(f"{_toml_key(k)} = {_toml_value(v)}\n" for k, v in item.items())
                out.append(f"[[{_toml_key(key)}]]\n{body}")
        else:
            scalars.append(f"{_toml_key(key)} = {_toml_value(value)}\n")
    head = [header.rstrip() + "\n"] if header else []
    return "\n".join([*head, *(["".join(scalars)] if scalars else []), *out])
