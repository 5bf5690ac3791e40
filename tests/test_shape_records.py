"""A tensor keeps its shape and dtype record (``Tensor._meta``) after the graph recorders first
look it up; every way of giving a tensor another array must drop it, or the next op would record
an edge with the old shape and dtype and backward would reduce or cast gradients wrongly.

Each case uses the tensor in a recorded op first (so the record is cached), then rebinds its
array, then checks what the next op records and what backward computes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ndgrad as torch
from ndgrad.autograd.function import _METAS


def _edge_shapes(node: Any) -> list[tuple[int, ...]]:
    return [shape for _, _, shape, _ in filter(None, node._edges)]


def test_data_setter_on_a_non_leaf_records_the_new_shape() -> None:
    x = torch.ones(2, 3, requires_grad=True)
    y = x * 2
    _ = y + 1  # y's record is now cached
    y.data = torch.zeros(4)
    w = y * 3
    assert w.shape == (4,)
    assert _edge_shapes(w.grad_fn)[0] == (4,)
    # PyTorch's error: the gradient of y's new shape does not fit MulBackward0's input
    with pytest.raises(RuntimeError, match=r"returned an invalid gradient at index 0 - got \[4\]"):
        w.sum().backward()


def test_data_setter_with_another_dtype_records_it() -> None:
    a = torch.ones(3, dtype=torch.float64, requires_grad=True)
    _ = a * 2
    a.data = a.data.float()
    b = a * 2
    assert b.dtype == torch.float32
    assert b.grad_fn._edges[0][3] == np.float32  # (node, input_nr, shape, dtype)
    b.sum().backward()
    assert a.grad.dtype == torch.float32


def test_inplace_transpose_of_a_non_leaf() -> None:
    p = torch.arange(6.0).reshape(2, 3).requires_grad_()
    q = p * 1
    _ = q + 1
    q.t_()
    assert q.shape == (3, 2)
    s = (q * torch.arange(6.0).reshape(3, 2)).sum()
    assert _edge_shapes(s.grad_fn.next_functions[0][0])[0] == (3, 2)
    s.backward()
    assert np.array_equal(p.grad.numpy(), np.arange(6.0).reshape(3, 2).T)


def test_resize_of_a_constant_used_before() -> None:
    m = torch.ones(2, 2)
    n = torch.ones(4, requires_grad=True)
    _ = n.reshape(2, 2) * m
    m.resize_(4)
    out = n * m
    assert _edge_shapes(out.grad_fn) == [(4,), (4,)]
    out.sum().backward()
    assert np.array_equal(n.grad.numpy(), np.ones(4))


def test_out_argument_that_is_resized() -> None:
    o = torch.zeros(2)
    x = torch.ones(3, requires_grad=True)
    _ = o * x[:2]  # o's record: shape (2,)
    with pytest.warns(UserWarning, match="resized"):
        torch.add(torch.ones(3), torch.ones(3), out=o)
    y = x * o
    assert _edge_shapes(y.grad_fn)[1] == (3,)
    y.sum().backward()
    assert np.array_equal(x.grad.numpy(), np.full(3, 2.0))


def test_records_are_shared_and_the_table_is_bounded() -> None:
    a = torch.ones(5, 7, requires_grad=True)
    b = torch.ones(5, 7)
    y = a * b
    # equal shapes and dtypes share one record: the output's is its inputs'
    assert y._meta is a._meta is b._meta
    for n in range(1, 5000):  # a program of ever-new shapes
        torch.ones(n, requires_grad=True).exp()
    assert len(_METAS) <= 4096
