"""Run one expression under ndgrad and under PyTorch and compare what comes back.

An expression is Python text using the name ``torch`` (the library under test), e.g.
``"torch.unique(torch.tensor([3, 1, 3]), return_counts=True)"``. Both results must agree:
tensors in dtype, shape and values (NaN equal to NaN), tuples and lists element by element,
other values by ``==``; an exception must have the same type and the same message.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import ndgrad

from ..helpers import torch


def evaluate(expr: str, lib: Any) -> tuple[str, Any]:
    try:
        return "ok", eval(expr, {"torch": lib, "np": np, "nan": float("nan"), "inf": float("inf")})
    except Exception as e:  # the exception is the result being compared
        return "error", (type(e).__name__, str(e).split("\n")[0])


def _dtype_name(t: Any) -> str:
    return str(t.dtype).replace("ndgrad.", "torch.")


def assert_same(nd: Any, th: Any, where: str) -> None:
    if torch is not None and isinstance(th, torch.Tensor):
        assert isinstance(nd, ndgrad.Tensor), f"{where}: {type(nd).__name__} is not a Tensor"
        assert _dtype_name(nd) == _dtype_name(th), f"{where}: dtype {nd.dtype} != {th.dtype}"
        assert tuple(nd.shape) == tuple(th.shape), f"{where}: shape {nd.shape} != {th.shape}"
        a = nd.detach().numpy()
        b = th.detach().numpy()
        if a.dtype.kind == "f":
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7, equal_nan=True, err_msg=where)
        else:
            np.testing.assert_array_equal(a, b, err_msg=where)
        assert nd.requires_grad == th.requires_grad, f"{where}: requires_grad differs"
    elif isinstance(th, tuple | list):
        assert isinstance(nd, tuple | list), f"{where}: {type(nd).__name__} is not a sequence"
        assert len(nd) == len(th), f"{where}: length {len(nd)} != {len(th)}"
        for i, (x, y) in enumerate(zip(nd, th, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    elif torch is not None and isinstance(th, torch.Size):
        assert tuple(nd) == tuple(th), f"{where}: {nd} != {th}"
    elif isinstance(th, bool | int | float | str | type(None)):
        assert nd == th or (nd != nd and th != th), f"{where}: {nd!r} != {th!r}"
    else:  # dtypes, devices, return types...: compared by how they print
        assert repr(nd).replace("ndgrad", "torch") == repr(th), f"{where}: {nd!r} != {th!r}"


def check(expr: str) -> None:
    kind_th, th = evaluate(expr, torch)
    kind_nd, nd = evaluate(expr, ndgrad)
    assert kind_nd == kind_th, f"{expr}: ndgrad gave {kind_nd} {nd!r}, torch {kind_th} {th!r}"
    if kind_th == "error":
        assert nd == th, f"{expr}: error {nd} != torch's {th}"
    else:
        assert_same(nd, th, expr)
