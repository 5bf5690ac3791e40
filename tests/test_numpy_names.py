"""numpy's parameter names (axis, keepdims, x, a, x1, x2) where PyTorch's functions take them.

PyTorch's C++ functions and methods accept them through its argument parser; ndgrad accepts them
on those that take a dim or keepdim (src/ndgrad/_numpy_names.py). The list of those names is
read from PyTorch; with torch installed, it is checked to be current.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad import _numpy_names

from .helpers import requires_torch, torch

NAMESPACES = {
    "torch": ("torch", "ndgrad"),
    "Tensor": ("torch.Tensor", "ndgrad.Tensor"),
    "nn.functional": ("torch.nn.functional", "ndgrad.nn.functional"),
    "linalg": ("torch.linalg", "ndgrad.linalg"),
    "special": ("torch.special", "ndgrad.special"),
}


def _resolve(path: str) -> Any:
    """A module, or the Tensor class of one ("torch.Tensor")."""
    if path.endswith(".Tensor"):
        return importlib.import_module(path.removesuffix(".Tensor")).Tensor
    return importlib.import_module(path)


def _takes_dim(fn: Any) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return "dim" in params or "keepdim" in params


@requires_torch
@pytest.mark.parametrize("key", list(NAMESPACES))
def test_the_list_is_pytorchs(key: str) -> None:
    """WITH_DIM holds exactly the names that are C++ functions in PyTorch and take a dim or a
    keepdim in ndgrad (run this test to see the list to paste when it is stale)."""
    theirs, ours = (_resolve(p) for p in NAMESPACES[key])
    expected = {
        name
        for name in dir(theirs)
        if not name.startswith("_")
        and hasattr(ours, name)
        and type(inspect.getattr_static(theirs, name)).__name__
        in ("builtin_function_or_method", "method_descriptor")
        and callable(getattr(ours, name))
        and _takes_dim(getattr(ours, name))
    }
    assert sorted(expected) == sorted(_numpy_names.WITH_DIM[key])


@pytest.mark.parametrize("key", list(NAMESPACES))
def test_every_listed_name_takes_axis(key: str) -> None:
    ours = _resolve(NAMESPACES[key][1])
    for name in _numpy_names.WITH_DIM[key]:
        fn = getattr(ours, name)
        assert hasattr(fn, "__wrapped__"), name  # the wrapper renames numpy's names
        assert _takes_dim(fn)  # and shows the function's own signature


x = np.arange(12.0).reshape(3, 4)
MASK = np.array([[True, False, False, True]] * 3)

CALLS: dict[str, Callable[[Any, Any], Any]] = {
    "sum keepdims": lambda T, t: t.sum(1, keepdims=True),
    "sum axis": lambda T, t: t.sum(axis=0),
    "torch.sum axis keepdims": lambda T, t: T.sum(t, axis=1, keepdims=True),
    "torch.sum a": lambda T, t: T.sum(a=t),
    "torch.sum input axis": lambda T, t: T.sum(input=t, axis=0),
    "mean axis keepdims": lambda T, t: t.mean(axis=1, keepdims=True),
    "max axis": lambda T, t: t.max(axis=0).values,
    "torch.max axis keepdims": lambda T, t: T.max(t, axis=1, keepdims=True)[0],
    "torch.min axis": lambda T, t: T.min(t, axis=0).indices,
    "argmax axis": lambda T, t: t.argmax(axis=1),
    "std axis": lambda T, t: t.std(axis=0),
    "var axis keepdims": lambda T, t: t.var(axis=0, keepdims=True),
    "cat axis": lambda T, t: T.cat([t, t], axis=0),
    "stack axis": lambda T, t: T.stack([t, t], axis=1),
    "softmax axis": lambda T, t: t.softmax(axis=1),
    "cumsum axis": lambda T, t: t.cumsum(axis=0),
    "prod axis": lambda T, t: t.prod(axis=0),
    "amax axis keepdims": lambda T, t: t.amax(axis=0, keepdims=True),
    "logsumexp axis": lambda T, t: t.logsumexp(axis=1),
    "squeeze axis": lambda T, t: t[None].squeeze(axis=0),
    "unsqueeze axis": lambda T, t: t.unsqueeze(axis=0),
    "all axis": lambda T, t: (t > 0).all(axis=0),
    "any axis keepdims": lambda T, t: (t > 0).any(axis=0, keepdims=True),
    "median axis": lambda T, t: t.median(axis=0).values,
    "sort axis": lambda T, t: t.sort(axis=0, descending=True).values,
    "topk axis": lambda T, t: t.topk(2, axis=1).values,
    "gather axis": lambda T, t: t.gather(axis=1, index=T.tensor([[0], [1], [2]])),
    "index_select axis": lambda T, t: t.index_select(axis=0, index=T.tensor([2, 0])),
    "chunk axis": lambda T, t: t.chunk(2, axis=1)[1],
    "select axis": lambda T, t: t.select(axis=0, index=1),
    "unbind axis": lambda T, t: t.unbind(axis=1)[2],
    "repeat_interleave axis": lambda T, t: t.repeat_interleave(2, axis=0),
    "size axis": lambda T, t: t.size(axis=1),
    "linalg.vector_norm axis": lambda T, t: T.linalg.vector_norm(t, axis=0),
    "special.logsumexp axis": lambda T, t: T.special.logsumexp(t, axis=0),
    "cosine_similarity x1 x2": lambda T, t: T.nn.functional.cosine_similarity(t, t + 1, axis=0),
    "diff axis": lambda T, t: T.diff(t, axis=0),
}


def _run(call: Callable[[Any, Any], Any], lib: Any) -> Any:
    try:
        out = call(lib, lib.tensor(x))
    except Exception as e:  # the error is part of the behaviour
        return type(e).__name__, str(e)
    return out.tolist() if hasattr(out, "tolist") else out


@requires_torch
@pytest.mark.parametrize("name", list(CALLS))
def test_numpy_names_as_pytorch(name: str) -> None:
    ours, theirs = _run(CALLS[name], ndgrad), _run(CALLS[name], torch)
    np.testing.assert_allclose(np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float))


def test_numpy_names_by_hand() -> None:
    t = ndgrad.tensor(x)
    # the bigram normalisation of a well-known tutorial
    assert (t / t.sum(1, keepdims=True)).sum(axis=1).tolist() == pytest.approx([1.0] * 3)
    assert ndgrad.sum(t, axis=0, keepdims=True).tolist() == [x.sum(0).tolist()]
    assert ndgrad.cat([t, t], axis=1).shape == (3, 8)
    assert t.max(axis=1, keepdims=True).values.tolist() == [[3.0], [7.0], [11.0]]
    assert ndgrad.sum(a=t).item() == 66.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda t: t.sum(dim=0, axis=0), "sum() got an unexpected keyword argument 'axis'"),
        (
            lambda t: ndgrad.mean(t, keepdim=True, keepdims=True),
            "mean() got an unexpected keyword argument 'keepdims'",
        ),
    ],
)
def test_both_names_is_an_error(call: Callable[[Any], Any], message: str) -> None:
    with pytest.raises(TypeError) as info:
        call(ndgrad.tensor(x))
    assert str(info.value) == message


@requires_torch
def test_both_names_is_an_error_in_pytorch_too() -> None:
    t = torch.tensor(x)
    with pytest.raises(TypeError, match="sum\\(\\) got an unexpected keyword argument 'axis'"):
        t.sum(dim=0, axis=0)


def test_python_level_functions_take_pytorchs_names_only() -> None:
    # Tensor.split is a Python function in PyTorch too: its TypeError names it as Python does
    with pytest.raises(TypeError) as info:
        ndgrad.tensor(x).split(2, axis=1)
    assert str(info.value) == "Tensor.split() got an unexpected keyword argument 'axis'"
