"""The package's import graph has no cycle, counting imports deferred into function bodies.

Each module's edges are read from its source (``ast``): ``import a.b`` and ``from .x import y``
anywhere in the file (module level or inside a function), except under ``if TYPE_CHECKING:``,
which never runs. ``from pkg import name`` depends on ``pkg.name`` when that is a module, else
on ``pkg``. A deferred import that closes a cycle only moves the cycle from import time to call
time, so it counts (CONTRIBUTING.md describes the layers).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "src" / "ndgrad"


def _module_name(path: Path) -> str:
    parts = ("ndgrad", *path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in ROOT.rglob("*.py")}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of the package that ``name`` imports anywhere outside TYPE_CHECKING."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def owner(target: str) -> str | None:
        while target and target not in known:  # a name inside a module: the module
            target = target.rpartition(".")[0]
        return target or None

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for orelse in child.orelse:
                    visit(orelse)
                continue
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = package
                for _ in range(child.level - 1):
                    base = base.rpartition(".")[0]
                if child.level == 0:
                    base = ""
                module = ".".join(p for p in (base, child.module or "") if p)
                targets = [f"{module}.{alias.name}" for alias in child.names]
            else:
                visit(child)
                continue
            for target in targets:
                dep = owner(target)
                if dep is not None and dep != name:
                    found.add(dep)

    visit(ast.parse(path.read_text(encoding="utf8")))
    return found


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of modules, or None (depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep not in state:
                cycle = walk(dep)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = walk(node)
            if cycle:
                return cycle
    return None


def test_import_graph_has_no_cycle() -> None:
    modules = _modules()
    graph = {name: _imports(name, path, set(modules)) for name, path in modules.items()}
    cycle = _find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f():\n    from ._tensor import Tensor\n", {"ndgrad._tensor"}),
        ("from . import ops\n", {"ndgrad.ops"}),
        ("from .ops.shape import cat\n", {"ndgrad.ops.shape"}),
        ("from . import tensor\n", {"ndgrad"}),  # a name of the root: the root itself
        ("if TYPE_CHECKING:\n    from ._tensor import Tensor\n", set()),
        ("import numpy\n", set()),
    ],
)
def test_reader_sees_edges(tmp_path: Path, source: str, expected: set[str]) -> None:
    # The reader is what makes the check able to fail: deferred imports and names of the root
    # are edges, type-only imports are not. (Read as if the source were ndgrad/_probe.py.)
    known = set(_modules())
    path = tmp_path / "_probe.py"
    path.write_text(source)
    assert _imports("ndgrad._probe", path, known | {"ndgrad._probe"}) - {"ndgrad._probe"} == (
        expected - {"ndgrad._probe"}
    )


def test_cycle_finder() -> None:
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert _find_cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
