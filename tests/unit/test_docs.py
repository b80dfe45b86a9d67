"""The specs travel with the code: every ``specs/<name>.md`` a docstring cites exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CITATION = re.compile(r"specs/([A-Za-z0-9_-]+)\.md")


def cited_specs() -> dict[str, set[str]]:
    """Spec file name -> the files that cite it, over the package, tests and scripts."""
    cited: dict[str, set[str]] = {}
    for folder in ("src", "tests", "benchmarks", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            for name in CITATION.findall(path.read_text("utf-8")):
                cited.setdefault(name, set()).add(path.relative_to(ROOT).as_posix())
    return cited


def test_the_package_cites_specs() -> None:
    assert len(cited_specs()) >= 4


def test_every_cited_spec_is_in_docs_specs() -> None:
    missing = {
        name: sorted(files)
        for name, files in cited_specs().items()
        if not (ROOT / "docs" / "specs" / f"{name}.md").is_file()
    }
    assert not missing, f"cited but not in docs/specs/: {missing}"
