"""The README's two commands work on a Python that refuses ``pip install`` (PEP 668), and CI
runs the README's test command as written (issue 18, item 3)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _two_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line and not line.startswith("#")]


def test_the_readme_installs_nothing_into_the_system_python() -> None:
    commands = _two_commands()
    assert len(commands) == 2
    for cmd in commands:
        # pip runs only inside the virtual environment the command creates first
        assert cmd.startswith("python3 -m venv .venv && .venv/bin/python -m pip install")
        assert not re.search(r"(^|&& )(python3 -m )?pip3? install", cmd)
        assert "--break-system-packages" not in cmd and "--user" not in cmd
    assert commands[0].endswith("uv run --frozen ceasefire run")
    assert commands[1].endswith("uv run --frozen --extra dev pytest")


def test_ci_runs_the_readme_test_command_as_written() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8").splitlines()
    assert _two_commands()[1] in ci


def test_the_readme_says_how_long_the_suite_takes_and_how_to_run_a_subset() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert re.search(r"takes about \d+ minutes", readme)
    assert '-m "not slow and not e2e"' in readme
