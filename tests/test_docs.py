"""Every ```python block of the documentation runs (docs/**/*.md), and so do the doc examples.

The blocks of one page run in order in one namespace, as a reader would paste them. A block
right after a line ``<!-- docs-test: skip -->`` is not run.
"""

from __future__ import annotations

import os
import re
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

import ndgrad

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SKIP_MARK = "<!-- docs-test: skip -->"
FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def python_blocks(text: str) -> list[tuple[int, str]]:
    """(line number, code) of each ```python block not preceded by the skip mark."""
    blocks = []
    for m in FENCE.finditer(text):
        before = text[: m.start()].rstrip().splitlines()
        if before and before[-1].strip() == SKIP_MARK:
            continue
        blocks.append((text.count("\n", 0, m.start()) + 1, m.group(1)))
    return blocks


PAGES = sorted(DOCS.rglob("*.md"))
CODE_PAGES = [p for p in PAGES if python_blocks(p.read_text(encoding="utf-8"))]


def test_the_runner_finds_and_skips_blocks():
    text = (
        "intro\n```python\na = 1\n```\n"
        f"{SKIP_MARK}\n```python\nraise SystemExit\n```\n"
        "```bash\nls\n```\n```python title='x'\nb = a + 1\n```\n"
    )
    assert [code for _, code in python_blocks(text)] == ["a = 1\n", "b = a + 1\n"]
    assert len(PAGES) >= 10 and len(CODE_PAGES) >= 9


@pytest.mark.parametrize("page", CODE_PAGES, ids=[str(p.relative_to(DOCS)) for p in CODE_PAGES])
def test_page_code_runs(page: Path, tmp_path, monkeypatch, capsys):
    blocks = python_blocks(page.read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)  # blocks that write files write them here
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    ndgrad.manual_seed(0)
    for line, code in blocks:
        try:
            exec(compile(code, f"{page.relative_to(ROOT)}:{line}", "exec"), namespace)
        except Exception as exc:
            raise AssertionError(f"the block at {page.name}:{line} failed: {exc!r}") from exc
    capsys.readouterr()


def test_example_see_the_graph(tmp_path, capsys):
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        module = runpy.run_path(str(ROOT / "examples" / "see_the_graph.py"))
    finally:
        sys.path.remove(str(ROOT / "examples"))
    t = module["main"](str(tmp_path))
    out = capsys.readouterr().out
    assert os.path.exists(tmp_path / "mlp.dot")
    assert "AccumulateGrad (w1)" in out and "MmBackward0" in out
    assert t.records[0].op == "MeanBackward0"


def test_doc_images_descent_plot_is_current(tmp_path):
    """docs/img/descent.svg is what examples/doc_images.py makes (regenerate it if this fails)."""
    module = runpy.run_path(str(ROOT / "examples" / "doc_images.py"))
    written = module["main"](str(tmp_path))
    assert str(tmp_path / "descent.svg") in written
    made = (tmp_path / "descent.svg").read_text()
    assert made == (DOCS / "img" / "descent.svg").read_text()
    path = module["descent_path"](0.02, 40)
    assert len(path) == 41 and np.hypot(*path[-1]) < np.hypot(*path[0])


def test_mkdocs_hook_fences_doctest_examples():
    pytest.importorskip("mkdocs")
    module = runpy.run_path(str(DOCS / "hooks" / "pycon.py"))
    import markdown

    md = markdown.Markdown(extensions=[module["DoctestFences"](), "fenced_code"])
    text = "Intro.\n>>> x = 1\n>>> x\n1\n\nAfter.\n```python\n>>> not touched\n```\n"
    lines = md.preprocessors["ndgrad_doctest_fences"].run(text.splitlines())
    assert lines == [
        "Intro.",
        "",
        "```pycon",
        ">>> x = 1",
        ">>> x",
        "1",
        "```",
        "",
        "After.",
        "```python",
        ">>> not touched",
        "```",
    ]
    html = md.convert(">>> 1 + 1\n2")
    assert "<code" in html and "&gt;&gt;&gt;" in html


def test_mkdocs_hook_ops_table_lists_the_ops():
    module = runpy.run_path(str(DOCS / "hooks" / "ops_table.py"))
    table = module["ops_table"]()
    assert "| unary | `TanhBackward0` | y = tanh(x); dy/dx = 1 - y² |" in table.splitlines()
    assert "NumpyFunction" not in table
    page = (DOCS / "reference" / "ops.md").read_text()
    assert module["MARKER"] in page
    assert module["MARKER"] not in module["on_page_markdown"](page, None)
