"""Small defects of the output (issue 18, item 7): each fails on the code before the fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from ceasefire import cli
from ceasefire.analysis import analyze
from ceasefire.report import html, text

runner = CliRunner()
BDM_TABLE = Path(__file__).resolve().parents[1] / "data" / "bdm" / "ExampleActors.csv"


def _report(builtin: Any) -> str:
    a = analyze(builtin)
    page = html.render(a, builtin)
    return page[: page.index("<script")] + page[page.rindex("</script>") :]


def test_the_acceptance_formula_keeps_its_line_break(builtin: Any) -> None:
    page = _report(builtin)
    assert "continuesaccepts" not in page
    assert "if fighting continues\ni accepts x  ⇔" in page


def test_model_inputs_are_named_in_words_not_by_symbol(builtin: Any) -> None:
    page = _report(builtin)
    for symbol in ("lam", "c2", "p5_bare", "k"):
        assert f"<td>{symbol}</td>" not in page
    assert "how sharply the aggressor responds to expected gains (λ)" in page


def test_deterrence_sentences_bound_tiny_percentiles(builtin: Any) -> None:
    a = analyze(builtin)
    p = a.proposal("west-german-model")
    assert p.deterrence is not None and 0 < p.deterrence.p_attack_covered.p05 < 0.0005
    sentence = text.deterrence_paragraph(p, "RUS")
    assert "interval < 0.1%–" in sentence and "interval 0.0%–" not in sentence


def test_bdm_json_names_its_parameters_as_a_user_passes_them() -> None:
    r = runner.invoke(cli.app, ["forecast", "--engine", "bdm", "--json"])
    assert r.exit_code == 0
    params = json.loads(r.stdout)["forecasts"][0]["params"]
    assert "range" in params and not [k for k in params if k.endswith("_")]


def test_validate_counts_in_the_singular_where_there_is_one(tmp_path: Any) -> None:
    scenario = tmp_path / "one.toml"
    r = runner.invoke(cli.app, ["import", "bdm", str(BDM_TABLE), "-o", str(scenario)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli.app, ["validate", str(scenario)])
    assert r.exit_code == 0 and "(1 dimension, 10 actors," in " ".join(r.output.split())
