"""Shared fixtures and the hypothesis profiles (``ci`` is derandomised, as CI must be)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=60)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def builtin():
    from ceasefire.scenario import load

    return load("ukraine-2024-11")


@pytest.fixture(scope="session")
def builtin_analysis(builtin):
    from ceasefire.analysis import analyze

    return analyze(builtin)
