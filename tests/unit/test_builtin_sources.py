"""Every source of a built-in scenario can be handed on (issue 19).

It has a publication date and a kind; its locator names the original publication, not a mirror
or aggregator of the deny-list kept in tests/data/mirror_hosts.txt (a mirror may stay as the
``archived`` copy read); and no text says how a file was found rather than where the fact is
published.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ceasefire.scenario import load
from ceasefire.scenario.io import builtin_ids, builtin_text, loads
from ceasefire.scenario.problems import ScenarioError
from ceasefire.scenario.schema import SOURCE_KIND_LABELS, Source

#: text about how a file was found (a search tool, an index's file ids), not where it is published
SEARCH_NOTE = re.compile(r"search[- ]?(index|tool|engine)|file id|found in a public", re.I)
URL = re.compile(
    r"(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,}|\d{1,3}(?:\.\d{1,3}){3})(?=[/:\s;,)]|$)"
)


def mirror_hosts(data_dir: Path) -> frozenset[str]:
    lines = (data_dir / "mirror_hosts.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip().lower() for x in lines if x.strip() and not x.startswith("#"))


def hosts(text: str) -> list[str]:
    """The host names in a locator: URLs with or without a scheme, separated by ' ; '."""
    out = []
    for m in URL.finditer(text.lower()):
        host = urlsplit("//" + m.group(1)).hostname or ""
        out.append(host.rstrip("."))
    return out


def on_list(host: str, deny: frozenset[str]) -> bool:
    """A host on the deny-list, or a subdomain of one."""
    return any(host == d or host.endswith("." + d) for d in deny)


def problems(src: Source, deny: frozenset[str]) -> list[str]:
    """What keeps one source from being handed on."""
    out = []
    if src.published is None:
        out.append("no publication date")
    if src.kind is None:
        out.append("no kind")
    out += [f"locator names the mirror {h}" for h in hosts(src.locator) if on_list(h, deny)]
    for field in ("citation", "locator", "archived", "notes"):
        if SEARCH_NOTE.search(getattr(src, field)):
            out.append(f"{field} says how a file was found")
    return out


@pytest.mark.parametrize("sid", builtin_ids())
def test_every_builtin_source_is_dated_typed_and_primary(data_dir, sid):
    deny = mirror_hosts(data_dir)
    bad = {s.key: p for s in load(sid).sources if (p := problems(s, deny))}
    assert bad == {}


def test_the_check_catches_each_fault(data_dir):
    deny = mirror_hosts(data_dir)
    ok = Source(
        key="K",
        citation="c",
        locator="https://www.nato.int/x",
        kind="primary-text",
        published=dt.date(2020, 1, 1),
    )
    assert problems(ok, deny) == []
    faulty = Source(
        key="K",
        citation="c",
        locator="https://www.nato.int/x ; studylib.net/doc/1 ; http://a.softbeam.net/t.html",
        notes="as transcribed in a file (search-index file id 123)",
    )
    assert problems(faulty, deny) == [
        "no publication date",
        "no kind",
        "locator names the mirror studylib.net",
        "locator names the mirror a.softbeam.net",
        "notes says how a file was found",
    ]


def test_the_deny_list_is_not_empty_and_names_hosts(data_dir):
    deny = mirror_hosts(data_dir)
    assert {"mooseriverrockdodgers.com", "studylib.net", "wiki.inamatrix.xyz"} <= deny
    assert all(" " not in h and "/" not in h for h in deny)


def test_a_later_source_without_hindsight_fails_with_a_located_error():
    # S_DS_ANNUAL (1 Jan 2026) feeds the control ranges of a scenario dated 30 Nov 2024
    text = builtin_text("ukraine-2024-11")
    marked = "published = 2026-01-01\nhindsight = true\n"
    assert marked in text
    with pytest.raises(ScenarioError) as info:
        loads(text.replace(marked, "published = 2026-01-01\n"), "ukraine.toml")
    lines = info.value.lines(located=True)
    assert lines and all("cites S_DS_ANNUAL" in x or "S_PRESS" in x for x in lines)
    assert any(x.startswith("ukraine.toml: territory[") and "[line " in x for x in lines)


@pytest.fixture(scope="module")
def page(builtin, builtin_analysis):
    from ceasefire.report import html

    return html.render(builtin_analysis, builtin)


def _section(page: str, start: str, end: str) -> str:
    return page[page.index(start) : page.index(end, page.index(start))]


def test_the_report_boxes_the_inputs_that_use_hindsight(page):
    box = _section(page, 'id="hindsight"', "</div>")
    assert "S_DS_ANNUAL</b> (published 2026-01-01)" in box
    assert "S_PRESS_2025_01" in box
    assert "territory UA-09.source" in box
    # issue 14: the guarantee game's p1 no longer uses the 2025 summary (look-ahead)
    assert "deterrence.p1.source" not in box
    assert "S_DS_POLY" not in box  # published 2024-11-25, before as_of


def test_the_report_shows_each_source_date_and_kind_and_the_original(builtin, page, data_dir):
    table = _section(page, '<h2 id="sources">', "</table>")
    for s in builtin.sources:
        row = _section(table, f"<tr><td>{s.key}</td>", "</tr>")
        assert f'<td class="num">{s.published}' in row
        assert s.kind is not None and f"<td>{SOURCE_KIND_LABELS[s.kind]}</td>" in row
    assert "copy read: https://like123.com/" in table  # the mirror stays, as the copy read
    unverified = _section(page, 'id="unverified"', "</p>")
    assert (
        "S_AREA" in unverified and "S_PRESS_2025_01" in unverified and "S_TREATY" not in unverified
    )


def test_the_territory_note_names_the_sources_of_the_whole_table(builtin, page):
    note = _section(page, "Territory (28 units):", "</p>")  # 27 of Ukraine + Kursk
    assert "S_AREA, S_POP22, S_POP14, S_DS_POLY, S_NE_GEOM, S_DS_ANNUAL" in note
    assert "No occupied area" not in note  # one unit's note stays with its unit
    units = _section(page, "Territorial units:", "</details>")
    assert all(u.code in units for u in builtin.territory)
    assert "No occupied area on DeepStateMap on 2024-11-25" in units
