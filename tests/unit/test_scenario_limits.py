"""The guarded TOML reader: bounded size, lines, dotted keys, nesting and entries, each refused
with a located error naming its limit before ``tomllib`` parses; scalars where lists belong."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from ceasefire.scenario import ScenarioError, builtin_ids, builtin_text, loads, parse_toml, read
from ceasefire.scenario import io as scenario_io


def _problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        loads(text, "f.toml")
    return info.value.lines(located=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x = " + "[" * 500 + "]" * 500, "brackets nested deeper than 32 [line 1]"),
        ("x = " + "{a=" * 400 + "1" + "}" * 400, "brackets nested deeper than 32 [line 1]"),
        ("a = 1\nx = " + "[" * 33 + "]" * 33, "brackets nested deeper than 32 [line 2]"),
        ("x" + ".x" * 4000 + " = 1", "a key of more than 16 parts [line 1]"),
        ("a = 1\n[" + "x." * 3000 + "x]", "a key of more than 16 parts [line 2]"),
        ("x = '" + "a" * 20_000 + "'", "a line over 10,000 characters [line 1]"),
        ("a = [\n" + "1,\n" * 100_001 + "]", "more than 100,000 keys and items [line 100000]"),
        ("x = 1\n" * 200_000, "over the limit of 1,048,576"),
    ],
    ids=["arrays", "inline-tables", "nesting-line", "dotted", "header", "line", "entries", "size"],
)
def test_limits_refused_with_location(text: str, expected: str) -> None:
    lines = _problems(text)
    assert len(lines) == 1
    assert lines[0].startswith("f.toml: ")
    assert lines[0].endswith(expected)


def test_a_100000_level_dotted_key_never_reaches_tomllib(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bomb of the reliability review (200 KB, 23.6 GB when parsed) is refused unparsed."""

    def boom(_: str) -> None:
        raise AssertionError("tomllib was called")

    monkeypatch.setattr(scenario_io.tomllib, "loads", boom)
    bomb = "x" + ".x" * 100_000 + " = 1"
    wrapped = "\n".join(bomb[i : i + 9000] for i in range(0, len(bomb), 9000))
    for text, limit in ((bomb, "over 10,000 characters"), (wrapped, "more than 16 parts")):
        start = time.perf_counter()
        with pytest.raises(ScenarioError, match=limit):
            parse_toml(text, "f")
        assert time.perf_counter() - start < 1.0


def test_strings_and_comments_do_not_count() -> None:
    """Brackets, dots and commas inside strings or comments are text, not structure."""
    deep = "[" * 40
    text = (
        f'a = "{deep} a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r ,,,"\n'
        f"b = '{deep}'\n"
        f'c = """\n{deep}\n"""\n'
        f"d = '''{deep}'''\n"
        f"# {deep}\n"
        'e = "quote \\" [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["\n'
    )
    assert parse_toml(text)["b"] == deep


@pytest.mark.parametrize("scenario_id", builtin_ids())
def test_builtins_stay_well_inside_the_limits(scenario_id: str) -> None:
    text = builtin_text(scenario_id)
    assert len(text.encode()) * 5 < scenario_io.MAX_TEXT_BYTES  # the largest is ~105 KB
    assert max(map(len, text.splitlines())) * 5 < scenario_io.MAX_LINE_CHARS
    structure = re.sub(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*', "", text)
    assert structure.count("=") + structure.count(",") < scenario_io.MAX_ENTRIES / 10


def test_read_is_bounded(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (scenario_io.MAX_TEXT_BYTES + 10))
    with pytest.raises(ScenarioError, match="larger than the limit of 1,048,576 bytes"):
        read(big)


BASE = builtin_text("ukraine-2024-11")


@pytest.mark.parametrize(
    ("key", "value", "path"),
    [
        ("red_lines", "5", "actors[0].red_lines"),
        ("red_lines", "true", "actors[0].red_lines"),
        ("members", "3.0", "institutions[0].members"),
        ("mechanisms", "true", "proposals[0].mechanisms"),
        ("requires", "5", "proposals[0].requires"),
        ("position", "5", "status_quo.position"),
        ("range", "2.5", "actors[0].range"),
    ],
)
def test_scalar_where_a_list_or_table_belongs(key: str, value: str, path: str) -> None:
    text, n = re.subn(rf"^{key} = .*$", f"{key} = {value}", BASE, count=1, flags=re.M)
    assert n == 1
    lines = _problems(text)
    assert any(f"f.toml: {path}: must be a " in line and "[line " in line for line in lines)


def test_an_empty_key_is_named_and_located() -> None:
    assert _problems('"" = 1\n' + BASE) == ['f.toml: "": unknown field [line 1]']
    assert _problems('# a comment\n\n"" = 1\n' + BASE) == ['f.toml: "": unknown field [line 3]']


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_an_endless_file_is_refused_without_reading_it_all() -> None:
    with pytest.raises(ScenarioError, match="not a regular file"):  # a device (issue 18)
        read("/dev/zero")


def test_a_huge_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    from ceasefire.scenario.io import MAX_TEXT_BYTES

    big = tmp_path / "big.toml"
    with big.open("wb") as f:  # sparse: no disk or memory spent
        f.truncate(MAX_TEXT_BYTES * 1000)
    with pytest.raises(ScenarioError, match="larger than the limit"):
        read(big)
