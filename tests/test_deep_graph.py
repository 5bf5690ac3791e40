"""Deep graphs: the walk, the freeing and printing are iterative (no RecursionError)."""

from __future__ import annotations

import gc
import sys
import weakref

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import grad

DEPTH = 1_000_000


@pytest.mark.slow
def test_million_op_chain_backpropagates() -> None:
    assert 100 * sys.getrecursionlimit() < DEPTH
    x = ndgrad.ones(1, dtype=ndgrad.float64, requires_grad=True)
    y = x
    for _ in range(DEPTH):
        y = y * 1.000001
    y.backward(ndgrad.ones(1, dtype=ndgrad.float64))
    np.testing.assert_allclose(x.grad.numpy(), [1.000001**DEPTH], rtol=1e-9)
    assert "grad_fn=<MulBackward0>" in repr(y)
    del y  # freeing a million nodes must not recurse either


def test_deep_chain_autograd_grad_and_del() -> None:
    x = ndgrad.tensor(1.0, dtype=ndgrad.float64, requires_grad=True)
    y = x
    for _ in range(50_000):
        y = y + 1e-6
    (g,) = grad(y, x)
    assert g.item() == 1.0
    del y


def test_graph_is_freed_without_the_garbage_collector() -> None:
    gc.disable()
    try:
        x = ndgrad.ones(3, requires_grad=True)
        y = (x * 2).exp().sum()
        node_ref = weakref.ref(y.grad_fn)
        inner_ref = weakref.ref(y.grad_fn.next_functions[0][0])
        del y
        assert node_ref() is None and inner_ref() is None
        # The same after a backward with retain_graph: nothing keeps the graph alive.
        y = (x * 2).exp().sum()
        y.backward(retain_graph=True)
        node_ref = weakref.ref(y.grad_fn)
        del y
        assert node_ref() is None
    finally:
        gc.enable()


def test_saved_values_are_released_after_backward() -> None:
    x = ndgrad.ones(3, requires_grad=True)
    y = x.exp()
    node = y.grad_fn
    y.sum().backward()
    assert node._saved is None
    z = x.exp()
    z.sum().backward(retain_graph=True)
    assert z.grad_fn._saved is not None


def test_leaf_is_not_kept_alive_by_its_accumulator() -> None:
    gc.disable()
    try:
        x = ndgrad.ones(3, requires_grad=True)
        ref = weakref.ref(x)
        _ = (x * 2).sum()
        del x, _
        assert ref() is None
    finally:
        gc.enable()
