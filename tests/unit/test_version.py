"""The package version is written once, in ``ceasefire/__init__.py`` (hatch reads it there)."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import ceasefire

ROOT = Path(__file__).resolve().parents[2]


def test_pyproject_takes_the_version_from_the_package():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "version" not in meta["project"]
    assert "version" in meta["project"]["dynamic"]
    source = ROOT / meta["tool"]["hatch"]["version"]["path"]
    assert source == Path(ceasefire.__file__)
    (written,) = re.findall(r'^__version__ = "([^"]+)"$', source.read_text("utf-8"), re.M)
    assert written == ceasefire.__version__


def test_installed_metadata_agrees():
    assert version("ceasefire") == ceasefire.__version__
