"""ndgrad.utils.checkpoint: same gradients, far fewer saved values, deep stacks."""

from __future__ import annotations

import re

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import grad
from ndgrad.autograd.function import next_edges
from ndgrad.utils.checkpoint import checkpoint
from tests.helpers import assert_close

RNG = np.random.default_rng(11)
WEIGHTS = [RNG.standard_normal((6, 6)) / 3 for _ in range(4)]


def _params():
    return [ndgrad.tensor(w, requires_grad=True) for w in WEIGHTS]


def layer(h, w):
    return (w @ h).tanh() * 1.5 + h.sigmoid()


def _model(x, ws, use_checkpoint):
    h = x
    for w in ws:
        h = checkpoint(layer, h, w, use_reentrant=False) if use_checkpoint else layer(h, w)
    return (h * h).sum()


def _graph_stats(root):
    """(number of nodes, number of saved values) reachable from ``root``'s grad_fn."""
    seen, stack, saved = set(), [root.grad_fn], 0
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        saved += len(node._saved or ())
        stack.extend(nxt for _, nxt, _ in next_edges(node))
    return len(seen), saved


def test_gradients_equal_with_backward_and_grad():
    x0 = RNG.standard_normal(6)
    ws, wc = _params(), _params()
    x1, x2 = ndgrad.tensor(x0, requires_grad=True), ndgrad.tensor(x0, requires_grad=True)
    _model(x1, ws, False).backward()
    _model(x2, wc, True).backward()
    assert_close(x2.grad, x1.grad, rtol=1e-12)
    for a, b in zip(wc, ws, strict=True):
        assert_close(a.grad, b.grad, rtol=1e-12)
    # autograd.grad reaches the parameters too (they are part of the checkpoint's boundary).
    x3 = ndgrad.tensor(x0, requires_grad=True)
    got = grad(_model(x3, wc, True), [x3, *wc])
    assert_close(got, [x1.grad, *(w.grad for w in ws)], rtol=1e-12)


def test_closure_parameters_get_gradients():
    w = _params()[0]
    x = ndgrad.tensor(RNG.standard_normal(6))  # input does not require grad

    def segment(h):
        return (w @ h).exp().sum(0, keepdim=True)

    out = checkpoint(segment, x, use_reentrant=False)
    assert type(out.grad_fn).__name__ == "CheckpointFunctionBackward"
    out.sum().backward()
    expected = np.exp(WEIGHTS[0] @ x.numpy())[:, None] * x.numpy()[None, :]
    assert_close(w.grad, expected, rtol=1e-12)


def test_saves_far_fewer_values():
    x = ndgrad.tensor(RNG.standard_normal(6), requires_grad=True)
    ws = _params()
    plain_nodes, plain_saved = _graph_stats(_model(x, ws, False))
    ck_nodes, ck_saved = _graph_stats(_model(x, ws, True))
    # Each checkpointed layer is one node saving only its input; plain layers keep everything.
    assert ck_nodes < plain_nodes / 2
    assert ck_saved <= len(ws) * 2 + 2  # + the final h * h
    assert plain_saved >= 4 * len(ws)


def test_double_backward_through_checkpoint():
    x0 = RNG.standard_normal(6)
    ws = _params()
    results = []
    for use in (False, True):
        x = ndgrad.tensor(x0, requires_grad=True)
        (g,) = grad(_model(x, ws, use), x, create_graph=True)
        (h,) = grad((g * g).sum(), x)
        results.append((g, h))
    assert_close(results[1], results[0], rtol=1e-10)


def test_random_state_is_replayed():
    x = ndgrad.tensor(RNG.standard_normal(5), requires_grad=True)

    def noisy(h):
        return h * ndgrad.rand(5, dtype=ndgrad.float64)

    ndgrad.manual_seed(5)
    out = checkpoint(noisy, x, use_reentrant=False)
    mask = (out / x).detach()
    ndgrad.rand(3)  # move the stream on before backward
    out.sum().backward()
    assert_close(x.grad, mask, rtol=1e-12)


def test_deep_stack_of_segments_and_deep_segment():
    x = ndgrad.tensor([0.5, -0.25], dtype=ndgrad.float64, requires_grad=True)

    def small(h):
        return h * 0.999 + 0.001

    h = x
    for _ in range(1050):
        h = checkpoint(small, h, use_reentrant=False)
    h.sum().backward()
    assert_close(x.grad, [0.999**1050] * 2, rtol=1e-10)

    def deep(h):
        for _ in range(1500):
            h = h * 1.0001
        return h

    x.grad = None
    checkpoint(deep, x, use_reentrant=False).sum().backward()
    assert_close(x.grad, [1.0001**1500] * 2, rtol=1e-10)


def test_nested_checkpoints_and_tuple_outputs():
    x = ndgrad.tensor(RNG.standard_normal(4), requires_grad=True)

    def inner(h):
        return h.exp(), h * 3

    def outer(h):
        a, b = checkpoint(inner, h, use_reentrant=False)
        return (a * b).sum()

    checkpoint(outer, x, use_reentrant=False).backward()
    v = x.detach().numpy()
    assert_close(x.grad, 3 * np.exp(v) * (1 + v), rtol=1e-12)


def test_input_modified_in_place_before_backward_raises():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    out = checkpoint(lambda t: t.exp(), h, use_reentrant=False)
    h.add_(1)
    with pytest.raises(RuntimeError, match=re.escape("modified by an inplace operation")):
        out.sum().backward()


def test_no_grad_and_warning():
    x = ndgrad.tensor([1.0], requires_grad=True)
    with ndgrad.no_grad():
        out = checkpoint(lambda t: t * 2, x, use_reentrant=False)
    assert out.grad_fn is None
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
        out = checkpoint(lambda t: t * 2, x)
    out.backward()
    assert_close(x.grad, [2.0])


def test_non_tensor_outputs_pass_through():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    a, n, b = checkpoint(lambda t: (t * 2, 5, t.exp()), x, use_reentrant=False)
    assert n == 5 and isinstance(n, int)
    (a.sum() + b.sum()).backward()
    assert_close(x.grad, 2 + np.exp([1.0, 2.0]), rtol=1e-6)


def test_use_reentrant_true_and_kwargs_and_retain_graph():
    x = ndgrad.tensor([0.5, 1.5], dtype=ndgrad.float64, requires_grad=True)

    def f(t, *, scale):
        return (t * scale).exp()

    out = checkpoint(f, x, use_reentrant=True, scale=2.0).sum()
    out.backward(retain_graph=True)
    out.backward()  # recomputed again
    assert_close(x.grad, 2 * 2 * np.exp(2 * np.array([0.5, 1.5])), rtol=1e-12)
    with pytest.raises(RuntimeError, match=re.escape("Trying to backward through the graph")):
        out.backward()
