"""Issue 11: the package's layers, read from the source with ``ast``.

A module may import its own layer and the layers below it, never one above. Imports inside
functions count as much as those at the top of a module (a lazy import is still a dependency),
and so do imports under ``if TYPE_CHECKING:``. The layers, lowest first:

0. schema: the scenario format and the results schema -- data and validation, no model;
1. models: the numerical models and what feeds them (the engines, the peer tools' formats);
2. pipeline: running the models over a scenario, once or over a sweep, the backtest against
   historical data, and writing the run and sweep folders (:mod:`ceasefire.outputs` is the
   pipeline's persistence: the resumable sweep checkpoints its chunks through it);
3. presentation: the report (text, charts, HTML) -- renders results, computes nothing;
4. adapters: the command line, the web UI and the package facade.

The scenario package importing no numerical model is tested by running it
(tests/unit/test_scenario_package.py); here the rule is the static one for every module.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from ceasefire import bargaining

SRC = Path(__file__).resolve().parents[2] / "src" / "ceasefire"

#: lowest first; a name is a module or a package below ``ceasefire`` (a package takes its
#: modules along unless one of them is placed itself); "__init__" is the package facade
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("schema", ("_types", "scenario", "results", "sweep_results", "builtin")),
    (
        "models",
        (
            "preferences",
            "institutions",
            "coverage",
            "winset",
            "packages",
            "deterrence",
            "durability",
            "paths",
            "bargaining",
            "inputs",
            "formats",
            "importers",
        ),
    ),
    (
        "pipeline",
        (
            "analysis",
            "actor_sets",
            "feasibility",
            "uncertainty",
            "run",
            "outputs",
            "backtest",
            "timeline",
        ),
    ),
    ("presentation", ("report", "backtest.render", "backtest.render_cases")),
    (
        "adapters",
        (
            "cli",
            "console",
            "web",
            "backtest.cli",
            "timeline_cli",
            "calibrate_cli",
            "__init__",
            "__main__",
        ),
    ),
)

#: names every module may read from the facade: package metadata. Python runs the package's
#: ``__init__`` before any of its modules anyway, and the facade imports the rest of the package
#: only inside its functions (test_the_facade_is_lazy), so this adds no dependency.
FACADE_METADATA = {"__version__"}


def module_name(path: Path) -> str:
    """``src/ceasefire/report/html.py`` -> ``ceasefire.report.html`` (a package: its name)."""
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def layer_of(module: str) -> int:
    """The layer of a ``ceasefire`` module: the one whose longest name prefixes it."""
    local = module.removeprefix("ceasefire").removeprefix(".") or "__init__"
    matches = [
        (len(name), level)
        for level, (_, names) in enumerate(LAYERS)
        for name in names
        if local == name or local.startswith(name + ".")
    ]
    if not matches:
        raise LookupError(f"{module} is in no layer: place it in LAYERS in {Path(__file__).name}")
    return max(matches)[1]


def imports(module: str, source: str) -> Iterator[tuple[int, str, str | None]]:
    """Every ``ceasefire`` import of ``module`` as (line, imported module, name or None).

    ``from ceasefire.report import charts`` imports the module ``ceasefire.report.charts``;
    ``from ceasefire.report.html import render`` imports ``ceasefire.report.html`` (name
    ``render``); relative imports are resolved against ``module``'s package.
    """
    is_package = MODULES.get(module, Path("x.py")).name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "ceasefire":
                    yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, *([base] if base else [])])
            if base.split(".")[0] != "ceasefire":
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in MODULES:
                    yield node.lineno, sub, None
                else:
                    yield node.lineno, base, alias.name


def upward_imports(module: str, source: str) -> list[str]:
    """The imports of ``module`` that reach a layer above its own, as located messages."""
    own = layer_of(module)
    bad = []
    for line, target, name in imports(module, source):
        if target == "ceasefire" and name in FACADE_METADATA:
            continue
        level = layer_of(target)
        if level > own:
            what = f"{target}.{name}" if name else target
            bad.append(f"{module}:{line} ({LAYERS[own][0]}) imports {what} ({LAYERS[level][0]})")
    return bad


def test_every_module_is_in_a_layer():
    for module in MODULES:
        layer_of(module)  # raises, naming the module, when it is in none


def test_no_module_imports_a_higher_layer():
    bad = [
        message
        for module, path in MODULES.items()
        for message in upward_imports(module, path.read_text("utf-8"))
    ]
    assert not bad, "\n".join(bad)


def _eager_imports(tree: ast.Module) -> Iterator[ast.stmt]:
    """The import statements run when a module is imported (not under ``TYPE_CHECKING``)."""
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and ast.unparse(node.test) != "TYPE_CHECKING":
            yield from _eager_imports(ast.Module(body=node.body + node.orelse, type_ignores=[]))


def test_the_facade_is_lazy():
    """``import ceasefire`` (which every module's import runs first) loads nothing else of the
    package: the facade imports the analysis and the scenario inside its functions."""
    tree = ast.parse(MODULES["ceasefire"].read_text("utf-8"))
    eager = [ast.unparse(node) for node in _eager_imports(tree)]
    assert eager and not [line for line in eager if "ceasefire" in line], eager


def test_the_check_sees_lazy_relative_and_facade_imports():
    """The checker itself: each of these is an upward import it must report."""
    lazy = "def f():\n    from ceasefire.cli import app\n"
    assert upward_imports("ceasefire.report.html", lazy) == [
        "ceasefire.report.html:2 (presentation) imports ceasefire.cli.app (adapters)"
    ]
    assert upward_imports("ceasefire.scenario.io", "from .. import analysis\n") == [
        "ceasefire.scenario.io:1 (schema) imports ceasefire.analysis (pipeline)"
    ]
    assert upward_imports("ceasefire.winset", "from ceasefire import analyze\n") == [
        "ceasefire.winset:1 (models) imports ceasefire.analyze (adapters)"
    ]
    assert upward_imports("ceasefire.winset", "from ceasefire import __version__\n") == []
    assert upward_imports("ceasefire.cli", "import ceasefire.report.html\n") == []
    with pytest.raises(LookupError, match=r"ceasefire\.nowhere is in no layer"):
        layer_of("ceasefire.nowhere")


def test_result_models_are_imported_from_their_own_layer():
    """A class or function is imported from a module of its own layer, not through a higher
    layer's re-export (``ceasefire.analysis`` re-exports the results schema for the public
    API only: the report and the web UI read ``ceasefire.results``)."""
    bad = []
    for module, path in MODULES.items():
        for line, target, name in imports(module, path.read_text("utf-8")):
            if name is None or target == "ceasefire":
                continue
            home = getattr(getattr(importlib.import_module(target), name), "__module__", "")
            if home.startswith("ceasefire") and layer_of(home) < layer_of(target):
                bad.append(f"{module}:{line} imports {name} from {target}, not from {home}")
    assert not bad, "\n".join(bad)


# -- no branch on an engine's name outside the engines ---------------------------------------

_MEMBERSHIP = (ast.Eq, ast.NotEq, ast.In, ast.NotIn, ast.Is, ast.IsNot)


def _engine_names(node: ast.expr) -> list[str]:
    """The engine names a comparison operand spells out: a string, or a tuple/list/set of them."""
    items = node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set) else [node]
    return [
        i.value
        for i in items
        if isinstance(i, ast.Constant)
        and isinstance(i.value, str)
        and i.value in bargaining.ENGINES
    ]


def engine_branches(source: str) -> list[tuple[int, str]]:
    """(line, name) of every comparison or ``case`` against a registered engine's name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare) and any(isinstance(op, _MEMBERSHIP) for op in node.ops):
            for operand in (node.left, *node.comparators):
                found += [(node.lineno, name) for name in _engine_names(operand)]
        elif isinstance(node, ast.MatchValue):
            found += [(node.lineno, name) for name in _engine_names(node.value)]
    return found


def test_generic_code_does_not_branch_on_engine_names():
    """What an engine needs or offers is in its ``Capabilities``; code outside
    ``bargaining/`` asks for those, never ``if name == "smp"``."""
    bad = [
        f"{module}:{line} compares with the engine name {name!r}"
        for module, path in MODULES.items()
        if not (module + ".").startswith("ceasefire.bargaining.")
        for line, name in engine_branches(path.read_text("utf-8"))
    ]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(
    "snippet",
    [
        'if name == "smp": pass',
        'ok = "nash" != engine',
        'x = engine in ("bdm", "other")',
        'x = engine not in {"compromise"}',
        'match name:\n    case "smp":\n        pass',
    ],
)
def test_the_engine_name_check_sees_every_form(snippet):
    assert len(engine_branches(snippet)) == 1


def test_the_engine_name_check_ignores_other_strings():
    assert engine_branches('if kind == "uniform" or name in ("a", "b"): pass') == []
    assert engine_branches('ENGINES = ("smp", "bdm")\nrun("smp")') == []
