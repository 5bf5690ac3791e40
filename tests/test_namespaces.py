"""What ``dir()`` of each public ndgrad module shows: its API, as PyTorch's counterpart shows it.

Tab completion and ``help()`` read ``dir()``. Every public module (no ``_`` in its dotted path)
names its API in ``__all__`` and lists only that, its public submodules and its dunders in
``dir()`` (``ndgrad/_namespace.py``); numpy, typing names, Function classes and helpers stay
importable but out of sight. Against PyTorch (skipped without torch) every name ``dir()`` shows
must exist in the counterpart module, or in its parent package, or be listed in ``EXTRAS`` with
the reason: an extra is a decision, not an accident.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import pkgutil
import types

import pytest

import ndgrad


def _public_modules() -> list[str]:
    found = ["ndgrad"]
    for info in pkgutil.walk_packages(ndgrad.__path__, "ndgrad."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            found.append(info.name)
    return sorted(found)


PUBLIC = _public_modules()


def _shown(module: types.ModuleType) -> set[str]:
    return {n for n in dir(module) if not n.startswith("_")}


@pytest.mark.parametrize("name", PUBLIC)
def test_dir_lists_the_api_and_public_submodules_only(name: str) -> None:
    module = importlib.import_module(name)
    api = module.__all__
    assert len(set(api)) == len(api), f"{name}.__all__ repeats a name"
    assert not [n for n in api if n.startswith("_")], f"{name}.__all__ lists a private name"
    for n in api:
        assert hasattr(module, n), f"{name}.__all__ lists {n!r}, which does not exist"
    submodules = {
        n
        for n, v in vars(module).items()
        if isinstance(v, types.ModuleType) and v.__name__ == f"{name}.{n}" and n[0] != "_"
    }
    assert _shown(module) == set(api) | submodules


def test_helpers_and_imports_are_hidden_but_still_importable() -> None:
    import ndgrad.nn.functional as F

    shown = set(dir(F))
    for hidden in ("np", "math", "Any", "importlib", "warnings", "NumpyFunction", "ClampMin"):
        assert hidden not in shown
        assert hasattr(F, hidden)  # the code that uses them is unchanged
    assert {"relu", "softmax", "cross_entropy"} <= shown
    assert "annotations" not in dir(ndgrad.autograd)  # `from __future__ import annotations`


def test_star_import_gives_the_api() -> None:
    scope: dict[str, object] = {}
    exec("from ndgrad.nn.functional import *", scope)
    names = {n for n in scope if n != "__builtins__"}
    import ndgrad.nn.functional as F

    assert names == set(F.__all__)


# Counterparts that the rule "torch + the same dotted suffix" does not find.
def _counterparts(name: str) -> list[str]:
    suffix = name[len("ndgrad") :]
    parts = name.split(".")
    if name.startswith("ndgrad.ops") or name == "ndgrad.dtypes":
        return ["torch"]  # the op library and the dtypes are torch's top-level names
    if len(parts) == 3 and parts[1] == "nn" and importlib.util.find_spec(f"torch{suffix}") is None:
        # ndgrad.nn.loss, .layers...: ndgrad's files of torch.nn classes
        return ["torch.nn", f"torch.nn.modules.{parts[2]}"]
    parent = "torch" + suffix.rsplit(".", 1)[0] if suffix.count(".") > 1 else "torch"
    return [f"torch{suffix}", parent]


# Names ndgrad shows that PyTorch's counterpart (or its parent package) does not, and why.
_LEARNER_TOOLS = {"explain", "explain_nan", "gradcheck_graph", "record", "trace"}
EXTRAS: dict[str, set[str]] = {
    # ndgrad's own modules: the dtype table, and the graph explorer
    "ndgrad": {"dtypes", "viz"},
    # the learner tools (docs/reference/tools.md) and their result types (PyTorch's
    # torch.autograd has a `trace` of its own)
    "ndgrad.autograd": (_LEARNER_TOOLS - {"trace"})
    | {"Explanation", "GraphCheckReport", "NanReport", "TraceRecord", "Tracer", "record_inputs"},
    "ndgrad.autograd.explain": {"CAUSES", "Explanation", "explain"},
    "ndgrad.autograd.explain_nan": {"NanReport", "explain_nan"},
    "ndgrad.autograd.gradcheck_graph": {"GraphCheckReport", "NodeCheck", "gradcheck_graph"},
    "ndgrad.autograd.record": {
        "NodeRecord",
        "RecordedArg",
        "creation_site",
        "no_grad_origin",
        "record_inputs",
    },
    "ndgrad.autograd.trace": {"GradStats", "TraceRecord", "Tracer", "trace"},
    "ndgrad.viz": {"Explorer", "explore", "render", "to_dot", "to_mermaid"},
    # ndgrad's file layout of torch.nn (PyTorch's paths also work: ndgrad.nn.modules.<name>)
    "ndgrad.nn": {
        "activation",
        "adaptive",
        "containers",
        "conv",
        "layers",
        "lazy",
        "linear_cross_entropy",
        "loss",
        "module",
        "normalization",
        "padding",
        "pooling",
        "rnn",
        "transformer",
        # two classes PyTorch keeps in torch.nn.modules.lazy / .linear only; ndgrad.nn.modules
        # finds its classes in ndgrad.nn
        "LazyModuleMixin",
        "NonDynamicallyQuantizableLinear",
    },
    "ndgrad.nn.modules": {"LazyModuleMixin"},
    "ndgrad.nn.transformer": {"NonDynamicallyQuantizableLinear"},
    # PyTorch's optimizers that live in private modules there (torch.optim._adafactor, _muon)
    "ndgrad.optim": {"adafactor", "muon"},
    # the op library, one module per family (the package exports nothing itself)
    "ndgrad.ops": {
        "aliases",
        "arithmetic",
        "indexing",
        "out",
        "pointwise",
        "products",
        "reduction",
        "search",
        "shape",
        "unary",
    },
    # ndgrad's comparison with an installed torch (docs/reference/testing.md)
    "ndgrad.testing": {"Comparison", "Difference", "compare_with_torch"},
}


def _has(modules: list[types.ModuleType], name: str) -> bool:
    for m in modules:
        if hasattr(m, name):
            return True
        if hasattr(m, "__path__") and importlib.util.find_spec(f"{m.__name__}.{name}") is not None:
            return True  # a submodule PyTorch loads lazily
    return False


@pytest.mark.parametrize("name", PUBLIC)
def test_dir_matches_pytorch_except_listed_extras(name: str) -> None:
    pytest.importorskip("torch")
    counterparts = []
    for c in _counterparts(name):
        with contextlib.suppress(ImportError):
            counterparts.append(importlib.import_module(c))
    module = importlib.import_module(name)
    extras = {n for n in _shown(module) if not _has(counterparts, n)}
    assert extras == EXTRAS.get(name, set())


def test_extras_name_existing_modules() -> None:
    assert set(EXTRAS) <= set(PUBLIC)
