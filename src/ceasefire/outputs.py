"""Writing a run folder: results.json and report.html, atomically, never over a user's files.

I/O edge. A run folder is either new (a timestamped folder under ``runs/``), or a folder the
user names; an existing non-empty folder is refused unless ``force`` is given.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path


class OutputError(Exception):
    """A run folder that cannot be used; the message says why."""


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and a rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        # mkstemp creates 0600; give the file the mode a plain open() would (0666 & ~umask)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def prepare_run_dir(out: Path | None, scenario_id: str, force: bool, base: Path) -> Path:
    """The folder to write into: ``out`` (checked) or a new ``base/<timestamp>-<id>``."""
    if out is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        candidate = base / f"{stamp}-{scenario_id}"
        n = 1
        while candidate.exists():
            n += 1
            candidate = base / f"{stamp}-{scenario_id}-{n}"
        candidate.mkdir(parents=True)
        return candidate
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise OutputError(
            f"{out}: folder exists and is not empty; choose another --out or add --force "
            "to overwrite results.json and report.html in it"
        )
    out.mkdir(parents=True, exist_ok=True)
    return out
