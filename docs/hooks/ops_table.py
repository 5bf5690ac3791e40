"""MkDocs hook: the table of operations and their derivatives on reference/ops.md.

Every built-in op is a Function subclass whose docstring is its math in one line; this hook
replaces the marker ``<!-- ops-table -->`` with a table of them (family, node name, math), read
from the ndgrad package itself, so the page lists exactly the ops the code has.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from pathlib import Path
from typing import Any

MARKER = "<!-- ops-table -->"


def ops_table() -> str:
    src = str(Path(__file__).resolve().parents[2] / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    ops = importlib.import_module("ndgrad.ops")
    function = importlib.import_module("ndgrad.autograd.function").Function
    rows = ["| family | node (`grad_fn`) | math |", "| --- | --- | --- |"]
    for info in sorted(pkgutil.iter_modules(ops.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"ndgrad.ops.{info.name}")
        # vars(), not dir(): a module's dir() lists its API only (ndgrad/_namespace.py)
        for _, cls in sorted(vars(module).items()):
            if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                continue
            if not issubclass(cls, function):
                continue
            if "_numpy_forward" in cls.__dict__:  # the base class of the built-in ops
                continue
            doc = inspect.getdoc(cls)
            if not doc or not hasattr(cls, "_backward_cls"):
                continue
            math = doc.splitlines()[0].replace("|", "\\|")
            rows.append(f"| {info.name} | `{cls._backward_cls.__name__}` | {math} |")
    return "\n".join(rows)


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    if MARKER in markdown:
        return markdown.replace(MARKER, ops_table())
    return markdown
