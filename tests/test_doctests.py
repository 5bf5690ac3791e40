"""The examples in ndgrad's docstrings run and print what they show (doctest)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import ndgrad


def _modules() -> list[str]:
    names = ["ndgrad"]
    for info in pkgutil.walk_packages(ndgrad.__path__, prefix="ndgrad."):
        names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(module, name) if t.examples]
    ndgrad.manual_seed(0)
    for test in tests:
        runner.run(test, out=lambda s: None)
    result = runner.summarize(verbose=False)
    if result.failed:
        # Re-run verbosely so the failure shows in the test output.
        report: list[str] = []
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        for test in tests:
            runner.run(test, out=report.append)
        pytest.fail("".join(report))


def test_every_module_is_found() -> None:
    names = _modules()
    assert "ndgrad.viz" in names and "ndgrad.autograd.trace" in names
