"""Running one small program under ndgrad and under PyTorch, and comparing what it returns.

The regression files of the fuzzers (tests/test_fuzz_*_regressions.py, test_ops*_regressions.py)
write each defect as a function of the library; ``run`` gives what it returned (tensors as their
values, node name, flag and layout) or the error it raised, and ``assert_same`` compares two
runs: values to fuzz_views' tolerances, everything else exactly.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import torch

HINT = (
    "Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
    "with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)


def modified(what: str, version: int = 1, expected: int = 0) -> str:
    """PyTorch's message for a saved tensor written in place (``what``: "torch.DoubleTensor
    [2]]..." as it is printed after the bracket)."""
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{what} is at version {version}; expected version {expected} instead. " + HINT
    )


def observe(value: Any, offset: bool = False) -> Any:
    """What a program returned, as plain comparable data: a tensor as (values, node name,
    requires_grad, strides[, storage offset])."""
    if isinstance(value, tuple | list):
        return [observe(v, offset) for v in value]
    if isinstance(value, ndgrad.Tensor) or (torch is not None and isinstance(value, torch.Tensor)):
        fn = value.grad_fn
        seen = (
            "tensor",
            value.detach().numpy().copy(),
            None if fn is None else type(fn).__name__,
            value.requires_grad,
            tuple(value.stride()),
        )
        return (*seen, value.storage_offset()) if offset else seen
    return value


def run(program: Callable[[Any], Any], lib: Any, offset: bool = False) -> Any:
    """``observe(program(lib))``, or ("error", class name, message) if it raised."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return observe(program(lib), offset)
    except Exception as e:  # the error is part of the observed behaviour
        return ("error", type(e).__name__, re.sub(r"0x[0-9a-f]+", "0x", str(e)))


def assert_same(a: Any, b: Any, rtol: float = 1e-7, atol: float = 1e-9) -> None:
    """Two runs agree: values to ``rtol``/``atol`` (fuzz_views' float64 tolerances by
    default), everything else exactly."""
    if isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), (a, b)
        for x, y in zip(a, b, strict=True):
            assert_same(x, y, rtol, atol)
    elif isinstance(a, tuple) and a and a[0] == "tensor":
        assert isinstance(b, tuple) and b[0] == "tensor", (a, b)
        np.testing.assert_allclose(a[1], b[1], rtol=rtol, atol=atol)
        assert a[1].shape == b[1].shape and a[2:] == b[2:], (a, b)
    else:
        assert a == b, (a, b)


def raises(program: Callable[[Any], Any], error: type, message: str) -> None:
    """``program(ndgrad)`` raises ``error`` with exactly ``message``."""
    with pytest.raises(error) as info:
        program(ndgrad)
    assert str(info.value) == message


def run_with_offsets(program: Callable[[Any], Any], lib: Any) -> Any:
    """``run`` that compares each tensor's storage offset too (for views of a storage)."""
    return run(program, lib, offset=True)


def leaf64(*shape: int, seed: int = 0) -> ndgrad.Tensor:
    """A float64 leaf that requires grad, of standard normal values (seeded): for gradcheck."""
    values = np.random.default_rng(seed).standard_normal(shape)
    return ndgrad.tensor(values, dtype=ndgrad.float64, requires_grad=True)


def graph_names(fn: Any, depth: int) -> Any:
    """Node ``fn``'s name and, ``depth`` levels down, its next_functions' names (None for no
    node): a graph as nested (name, [inputs]) tuples, comparable between the two libraries."""
    if fn is None:
        return None
    if depth == 0:
        return fn.name()
    return fn.name(), [graph_names(f, depth - 1) for f, _ in fn.next_functions]
