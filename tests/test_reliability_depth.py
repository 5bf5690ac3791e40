"""Depth: one chain of a million ops, built once, through every graph walker.

autograd.grad, backward, repr, ndgrad.viz.to_dot and del must all be iterative (the chain is a
thousand times deeper than Python's default recursion limit). Measured on a loaded 2-core
machine, in CPU time: build 15 s, autograd.grad 11 s, backward 10 s, repr 0 s, to_dot 9 s
(125 MB of DOT text), del 0.5 s; about 46 s in all, so well under two minutes on an idle
machine. Run with ``-m slow -s`` to see the phases' times.
"""

from __future__ import annotations

import gc
import sys
import time
import weakref

import numpy as np
import pytest

import ndgrad
from ndgrad.viz import to_dot

DEPTH = 1_000_000
FACTOR = 1.000001


@pytest.mark.slow
def test_million_op_chain_through_grad_backward_repr_to_dot_and_del() -> None:
    assert 100 * sys.getrecursionlimit() < DEPTH
    times: dict[str, float] = {}
    start = time.process_time()

    def lap(name: str) -> None:
        nonlocal start
        now = time.process_time()
        times[name] = now - start
        start = now

    x = ndgrad.ones(1, dtype=ndgrad.float64, requires_grad=True)
    y = x
    for _ in range(DEPTH):
        y = y * FACTOR
    deepest = weakref.ref(x._accumulator())
    first_op = weakref.ref(y.grad_fn)
    lap("build")

    seed = ndgrad.ones(1, dtype=ndgrad.float64)
    (g,) = ndgrad.autograd.grad(y, x, seed, retain_graph=True)
    expected = FACTOR**DEPTH
    np.testing.assert_allclose(g.numpy(), [expected], rtol=1e-9)
    lap("autograd.grad")

    y.backward(seed)
    np.testing.assert_allclose(x.grad.numpy(), [expected], rtol=1e-9)
    lap("backward")

    text = repr(y)
    assert text.startswith("tensor([") and "grad_fn=<MulBackward0>" in text
    lap("repr")

    dot = to_dot(y)
    assert dot.count("MulBackward0") == DEPTH
    assert dot.count("->") == DEPTH + 1  # the chain's edges plus the one to the output
    del dot
    lap("to_dot")

    gc.disable()  # the chain must go by reference counting alone
    try:
        del y
        assert first_op() is None and deepest() is None
    finally:
        gc.enable()
    lap("del")
    print("\n" + ", ".join(f"{k} {v:.1f} s" for k, v in times.items()))
