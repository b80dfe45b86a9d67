"""The workspace folder: drafts and runs on disk (the web app's only file I/O).

Layout::

    <workspace>/drafts/<id>.toml       the draft's scenario text
    <workspace>/drafts/<id>.json       its metadata (name, origin, times)
    <workspace>/runs/<id>/meta.json    a run's status, inputs and times
    <workspace>/runs/<id>/scenario.toml  the exact text that was analysed
    <workspace>/runs/<id>/results.json   Analysis.to_json()
    <workspace>/runs/<id>/report.html    rendered on first download, then kept

Ids are generated here (uuid4 hex) and every id that arrives in a request is checked
against :data:`ID_PATTERN` before it becomes part of a path, so no request parameter is ever
used as a file name; every path is then also checked to lie inside the workspace. Writes are
atomic (a temporary file and a rename), so a reader never sees half a file and two runs never
share a file.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ceasefire.outputs import atomic_write

STOPPED_MESSAGE = "the server stopped before this run finished; run it again"
ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")
# A user-supplied file name is only ever shown, never used as a path: keep it short and plain.
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.\-]+")


class UnknownId(LookupError):
    """An id that is malformed or names nothing in the workspace."""

    def __init__(self, kind: str, value: str):
        self.kind = kind
        self.value = value
        shown = value if len(value) <= 60 else value[:57] + "..."
        super().__init__(f"no {kind} with id {shown!r}")


def new_id() -> str:
    return uuid.uuid4().hex


def now() -> str:
    # milliseconds: runs started in the same second still sort in order
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def display_name(filename: str | None, default: str = "upload.toml") -> str:
    """A user's file name reduced to something safe to show (never used as a path)."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _SAFE_NAME.sub("_", base).strip("._")[:80]
    return base or default


class Workspace:
    """Drafts and runs inside one folder."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self.drafts_dir = self.root / "drafts"
        self.runs_dir = self.root / "runs"
        self.drafts_dir.mkdir(parents=True, exist_ok=True)
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        # meta.json is read-modify-written by the worker and by requests: serialise those
        self._lock = threading.Lock()

    # -- paths ---------------------------------------------------------------------------

    def _inside(self, path: Path) -> Path:
        resolved = path.resolve()
        if not resolved.is_relative_to(self.root):
            raise UnknownId("file", str(path.name))
        return resolved

    def _checked(self, kind: str, value: str) -> str:
        if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
            raise UnknownId(kind, str(value))
        return value

    def draft_path(self, draft_id: str, suffix: str) -> Path:
        return self._inside(self.drafts_dir / f"{self._checked('draft', draft_id)}{suffix}")

    def run_dir(self, run_id: str) -> Path:
        return self._inside(self.runs_dir / self._checked("run", run_id))

    # -- drafts --------------------------------------------------------------------------

    def create_draft(self, text: str, name: str, origin: str) -> str:
        draft_id = new_id()
        stamp = now()
        meta = {"id": draft_id, "name": name, "origin": origin, "created": stamp}
        meta["updated"] = stamp
        atomic_write(self.draft_path(draft_id, ".toml"), text)
        atomic_write(self.draft_path(draft_id, ".json"), json.dumps(meta, indent=2))
        return draft_id

    def draft_meta(self, draft_id: str) -> dict[str, Any]:
        path = self.draft_path(draft_id, ".json")
        if not path.is_file():
            raise UnknownId("draft", draft_id)
        meta: dict[str, Any] = json.loads(path.read_text("utf-8"))
        return meta

    def draft_text(self, draft_id: str) -> str:
        path = self.draft_path(draft_id, ".toml")
        if not path.is_file():
            raise UnknownId("draft", draft_id)
        return path.read_text("utf-8")

    def save_draft(
        self, draft_id: str, text: str, title: str | None = None, note: str | None = None
    ) -> None:
        with self._lock:
            meta = self.draft_meta(draft_id)
            atomic_write(self.draft_path(draft_id, ".toml"), text)
            meta["updated"] = now()
            if title is not None:
                meta["title"] = title
            if note is not None:
                meta["note"] = note.strip()
            atomic_write(self.draft_path(draft_id, ".json"), json.dumps(meta, indent=2))

    def delete_draft(self, draft_id: str) -> None:
        self.draft_meta(draft_id)  # raises when unknown
        for suffix in (".toml", ".json"):
            self.draft_path(draft_id, suffix).unlink(missing_ok=True)

    def drafts(self) -> list[dict[str, Any]]:
        """Every draft's metadata, newest first."""
        out = []
        for path in self.drafts_dir.glob("*.json"):
            if ID_PATTERN.fullmatch(path.stem):
                try:
                    out.append(json.loads(path.read_text("utf-8")))
                except (OSError, ValueError):
                    continue  # a damaged metadata file hides one draft, not the list
        return sorted(out, key=lambda m: str(m.get("updated", "")), reverse=True)

    # -- runs ----------------------------------------------------------------------------

    def create_run(self, text: str, meta: dict[str, Any]) -> str:
        run_id = new_id()
        folder = self.run_dir(run_id)
        folder.mkdir()
        atomic_write(folder / "scenario.toml", text)
        atomic_write(folder / "meta.json", json.dumps({**meta, "id": run_id}, indent=2))
        return run_id

    def run_meta(self, run_id: str) -> dict[str, Any]:
        path = self.run_dir(run_id) / "meta.json"
        if not path.is_file():
            raise UnknownId("run", run_id)
        meta: dict[str, Any] = json.loads(path.read_text("utf-8"))
        return meta

    def update_run(self, run_id: str, **changes: Any) -> dict[str, Any]:
        with self._lock:
            meta = self.run_meta(run_id)
            meta.update(changes)
            atomic_write(self.run_dir(run_id) / "meta.json", json.dumps(meta, indent=2))
            return meta

    def run_file(self, run_id: str, name: str) -> Path:
        """A file of a run; ``name`` is one of this module's fixed names, never user input."""
        assert name in ("scenario.toml", "results.json", "report.html")
        self.run_meta(run_id)  # raises when unknown
        return self.run_dir(run_id) / name

    def write_run_file(self, run_id: str, name: str, text: str) -> None:
        atomic_write(self.run_file(run_id, name), text)

    def runs(self) -> list[dict[str, Any]]:
        """Every run's metadata, newest first."""
        out = []
        for folder in self.runs_dir.iterdir():
            if ID_PATTERN.fullmatch(folder.name) and (folder / "meta.json").is_file():
                try:
                    out.append(json.loads((folder / "meta.json").read_text("utf-8")))
                except (OSError, ValueError):
                    continue
        return sorted(out, key=lambda m: str(m.get("created", "")), reverse=True)

    def mark_interrupted(self) -> None:
        """Runs left queued or running by a previous server process will never finish."""
        for meta in self.runs():
            if meta.get("status") in ("queued", "running"):
                self.update_run(
                    meta["id"],
                    status="failed",
                    error=STOPPED_MESSAGE,
                )
