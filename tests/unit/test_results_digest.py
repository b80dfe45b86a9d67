"""The numbers of the built-in scenario's results.json are pinned (issue 11: a refactor moves none).

The digest covers every number (and boolean, and null) in ``results.json`` with its path, keys
sorted, so reordering fields changes nothing but any changed, added or removed number does.
Version fields (the schema's, the package's, any engine's) are ignored: they are allowed to
move without the numbers moving. Strings are ignored (labels, warnings' prose).

To re-pin after a deliberate change of a model, print ``numbers_digest(...)`` and say in the
commit which numbers changed and why.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import ceasefire

PINNED = "7fb8b21649e7f342cc66175a3acf2db6874d80b2e0c643cc6b45a2b39b114735"


def _is_version(key: str) -> bool:
    return key == "version" or key.endswith("_version")


def _numbers(value: Any, path: str, out: list[str]) -> None:
    if isinstance(value, dict):
        for key in sorted(value):
            if not _is_version(key):
                _numbers(value[key], f"{path}.{key}", out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _numbers(item, f"{path}[{i}]", out)
    elif value is None or isinstance(value, bool | int | float):
        out.append(f"{path}={value!r}")


def numbers_digest(results_json: str) -> str:
    """sha256 over ``path=repr(number)`` lines of every number in a results.json text."""
    lines: list[str] = []
    _numbers(json.loads(results_json), "", lines)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_digest_sees_a_changed_number():
    a = numbers_digest('{"x": [1.0, 2.5], "package_version": "1"}')
    assert a == numbers_digest('{"package_version": "2", "x": [1.0, 2.5]}')
    assert a != numbers_digest('{"x": [1.0, 2.5000000000000004]}')
    assert a != numbers_digest('{"x": [1.0, 2.5, null]}')


def test_builtin_results_json_numbers_are_unchanged():
    result = ceasefire.analyze(ceasefire.load("ukraine-2024-11"))
    assert numbers_digest(result.to_json()) == PINNED
