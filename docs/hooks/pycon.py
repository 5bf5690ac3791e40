"""MkDocs hook: show the doctest examples of docstrings as code (```pycon blocks).

Docstrings carry plain ``>>>`` examples, which doctest runs (tests/test_doctests.py) but which
Markdown would read as nested block quotes. This hook adds a Markdown preprocessor that wraps
each run of doctest lines (from a ``>>>`` line to the next blank line) in a ``pycon`` fence,
outside existing fences. It registers before mkdocstrings reads the Markdown extensions.
"""

from __future__ import annotations

import re
from typing import Any

from markdown import Extension
from markdown.preprocessors import Preprocessor
from mkdocs.plugins import event_priority

_FENCE = re.compile(r"^\s*(```|~~~)")


class _DoctestFences(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        in_fence = in_doctest = False
        for line in lines:
            if in_doctest and not line.strip():
                out.append("```")
                in_doctest = False
            if not in_doctest and _FENCE.match(line):
                in_fence = not in_fence
            elif not in_fence and not in_doctest and line.lstrip().startswith(">>>"):
                indent = line[: len(line) - len(line.lstrip())]
                if out and out[-1].strip():
                    out.append("")
                out.append(f"{indent}```pycon")
                in_doctest = True
            out.append(line)
        if in_doctest:
            out.append("```")
        return out


class DoctestFences(Extension):
    def extendMarkdown(self, md: Any) -> None:
        # Before the fenced-code preprocessors (superfences registers at 25 and up).
        md.preprocessors.register(_DoctestFences(md), "ndgrad_doctest_fences", 40)


@event_priority(100)  # before mkdocstrings copies the list of extensions
def on_config(config: Any) -> Any:
    config.markdown_extensions.append(DoctestFences())
    return config
