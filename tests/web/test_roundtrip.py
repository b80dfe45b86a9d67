"""Issue 20 item 2: everything the web app saves, it can open again.

Arbitrary edits (hypothesis) go through the same routes as the editor page — ``PUT`` of the
tables and the raw TOML, and uploads of whole files — and every draft the app stored is then
opened in the editor. The values are those that broke the editor before (reliability.md §2.3,
W3): ``nan`` and ``inf``, TOML times of day and local date-times, ``dimensions = 5``, deep
nesting, an empty key, long and odd strings, numbers past every limit.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import tomllib
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceasefire.web import create_app, editor
from tests.web.conftest import TINY
from tests.web.test_app import upload

# -- a TOML writer for the test's values (nan, inf, times: what the app's writer refused) ----


def toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if v != v else ("inf" if v > 0 else "-inf")
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dt.time | dt.date):
        return v.isoformat()
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + " }"
    return "[" + ", ".join(toml_value(x) for x in v) + "]"


def nested(depth: int, inner: Any) -> Any:
    for i in range(depth):
        inner = [inner] if i % 2 else {"a": inner}
    return inner


scalars = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.booleans(),
    st.text(max_size=40),
    st.times(),
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    st.dates(),
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=5),
    st.builds(nested, st.integers(1, 40), scalars),
    st.dictionaries(st.text(max_size=8), scalars, max_size=4),
    st.lists(st.integers(0, 9), min_size=0, max_size=3000),  # a long array: one long line
)
# top-level keys, the format's own among them (`dimensions = 5`), and the empty key
keys = st.one_of(
    st.sampled_from(["dimensions", "scenario", "monte_carlo", "status_quo", "", "x", "deep"]),
    st.text(min_size=1, max_size=12),
)
cells = st.one_of(
    st.sampled_from(["nan", "inf", "-inf", "1e400", "", "5", "0", "-1", "1e12", "abc"]),
    st.text(max_size=200),
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app = create_app(tmp_path_factory.mktemp("roundtrip") / "ws")
    with TestClient(app, base_url="http://localhost") as c:
        yield c


def reopen_every_draft(client: TestClient, seen: set[str] | None = None) -> None:
    """Open every draft in the editor (but those in ``seen``, opened before: they are kept
    as they were)."""
    ws = client.app.state.workspace  # type: ignore[attr-defined]
    for meta in ws.drafts():
        if seen is not None and meta["id"] in seen:
            continue
        r = client.get(f"/drafts/{meta['id']}")
        assert r.status_code == 200, (r.status_code, r.text[:2000], ws.draft_text(meta["id"]))
        assert tomllib.loads(ws.draft_text(meta["id"])) is not None


def tiny_draft(client: TestClient) -> str:
    r = upload(client, "tiny.toml", TINY.encode())
    assert r.status_code == 303, r.text
    return str(r.headers["location"]).rsplit("/", 1)[1]


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    key=keys,
    value=values,
    replace=st.booleans(),
    cell=cells,
    column=st.sampled_from(["name", "capability", "war_cost", "id", "position", "red_lines"]),
)
def test_every_saved_edit_reopens(
    client: TestClient, key: str, value: Any, replace: bool, cell: str, column: str
) -> None:
    draft = tiny_draft(client)
    ws = client.app.state.workspace  # type: ignore[attr-defined]
    v = editor.view(tomllib.loads(ws.draft_text(draft)))
    rest = tomllib.loads(v.rest)
    line = f"{json.dumps(key)} = {toml_value(value)}\n"
    if replace and key in rest:  # the key in place of the file's own table
        rest.pop(key)
        rest_text = line + editor.write(rest)
    else:
        rest_text = line + v.rest
    actors = [dict(row) for row in v.actors]
    if column in ("position", "red_lines"):
        actors[0][column] = {**actors[0][column], "alliance": cell}
    else:
        actors[0][column] = cell
    r = client.put(
        f"/api/drafts/{draft}", json={"actors": actors, "proposals": v.proposals, "rest": rest_text}
    )
    assert r.status_code in (200, 422), r.text
    assert r.json()["saved"] == (r.status_code == 200)
    reopen_every_draft(client)
    # the same text as a file of its own: refused with a sentence or stored, then reopened
    r = upload(client, "edited.toml", (line + TINY).encode())
    assert r.status_code in (303, 422), r.text
    assert "Traceback" not in r.text
    reopen_every_draft(client)
    for meta in ws.drafts():  # keep the workspace small: every example checks every draft
        ws.delete_draft(meta["id"])


@pytest.mark.parametrize(
    "text",
    [
        "x = nan\n",
        "x = 07:32:00\n",
        "x = 1979-05-27T07:32:00\n",
        'x = [1, "a", { b = inf }]\n',
        "dimensions = 5\n",
        "actors = 5\n",
        '"" = 1\n',
        "x = " + "[" * 30 + "]" * 30 + "\n",
    ],
)
def test_the_reviews_broken_drafts_open(client: TestClient, text: str) -> None:
    """The eight kinds of draft the review could store but not open (W3), uploaded."""
    body = text + (TINY.replace("[[dimensions]]", "[[dims_old]]") if "dimensions" in text else TINY)
    if text.startswith("actors"):
        body = text + TINY.replace("[[actors]]", "[[people]]")
    ws = client.app.state.workspace  # type: ignore[attr-defined]
    before = {m["id"] for m in ws.drafts()}
    r = upload(client, "broken.toml", body.encode())
    assert r.status_code in (303, 422) and "Traceback" not in r.text
    reopen_every_draft(client, before)
