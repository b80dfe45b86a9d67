"""Writing run and sweep folders: atomically, never over a user's files, stamped in UTC.

I/O edge. A run folder is either new (a timestamped folder under ``runs/``), or a folder the
user names; an existing non-empty folder is refused unless ``force`` is given. Every file is
written to a temporary name in its folder and renamed (:func:`atomic_write`), so a file that
exists is complete. Run and sweep folders share one timestamp convention (:func:`stamp`, UTC):
``runs/20261130T120000Z-<scenario>`` and ``runs/20261130T120000Z-sweep-<scenario>``.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ceasefire.results import Analysis

#: the timestamp of run and sweep folders: UTC, ISO 8601 basic format
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"


class OutputError(Exception):
    """A run folder that cannot be used; the message says why."""


def stamp(when: datetime | None = None) -> str:
    """``when`` (default: now) in UTC as ``STAMP_FORMAT``."""
    return (when or datetime.now(UTC)).astimezone(UTC).strftime(STAMP_FORMAT)


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8) to ``path``: a temporary file in its folder, then a rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        # mkstemp creates 0600; give the file the mode a plain open() would (0666 & ~umask)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def new_folder_path(base: Path, name: str) -> Path:
    """A path ``base/<stamp>-<name>`` that does not exist yet (``-2``, ``-3``... appended)."""
    first = base / f"{stamp()}-{name}"
    candidate, n = first, 1
    while candidate.exists():
        n += 1
        candidate = first.with_name(f"{first.name}-{n}")
    return candidate


def prepare_run_dir(out: Path | None, scenario_id: str, force: bool, base: Path) -> Path:
    """The folder to write into: ``out`` (checked) or a new ``base/<stamp>-<id>``."""
    if out is None:
        while True:  # mkdir is the claim: a run started in the same second takes the next name
            candidate = new_folder_path(base, scenario_id)
            try:
                candidate.mkdir(parents=True)
            except FileExistsError:
                continue
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


#: the file a run holds in its folder while it writes there (its process id inside); left
#: behind by a killed run, it marks the folder's results as incomplete
CLAIM = ".ceasefire-writing"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _stale(claim: Path) -> bool:
    """Whether a claim was left by a process that no longer runs (killed mid-run)."""
    try:
        return not _pid_alive(int(claim.read_text("utf-8").strip()))
    except (OSError, ValueError):
        return False


def _take(folder: Path) -> None:
    """Create ``folder/CLAIM`` atomically (O_EXCL): exactly one of two runs started together
    gets it; the other is refused instead of silently writing over the first."""
    fd = os.open(folder / CLAIM, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(f"{os.getpid()}\n")


def claim_run_dir(out: Path | None, scenario_id: str, force: bool, base: Path) -> Path:
    """:func:`prepare_run_dir`, then claim the folder for this process (:data:`CLAIM`);
    :func:`release` gives it back once every file is written.

    Raises :class:`OutputError` when another live run holds the folder, or when it started
    writing there at the same moment (issue 18, item 9: two ``run --out SAME``). With
    ``force``, a claim left by a killed run is taken over.
    """
    folder = prepare_run_dir(out, scenario_id, force, base)
    try:
        _take(folder)
    except FileExistsError:
        if not (force and _stale(folder / CLAIM)):
            raise OutputError(
                f"{folder}: another run is writing into this folder; wait for it to finish "
                "or choose another --out"
            ) from None
        (folder / CLAIM).unlink(missing_ok=True)
        try:
            _take(folder)
        except FileExistsError:
            raise OutputError(f"{folder}: another run took this folder just now") from None
    return folder


def release(folder: Path) -> None:
    """Give back the claim of :func:`claim_run_dir` (the run's files are complete)."""
    (folder / CLAIM).unlink(missing_ok=True)


def write_run(folder: Path, result: Analysis, *, report_html: str | None = None) -> list[Path]:
    """Write a run folder: ``results.json`` and, when given, ``report.html``; the paths written."""
    written = [folder / "results.json"]
    atomic_write(written[0], result.to_json())
    if report_html is not None:
        written.append(folder / "report.html")
        atomic_write(written[1], report_html)
    return written
