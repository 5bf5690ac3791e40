"""Hooks: tensor hooks, retain_grad, post-accumulate hooks, node hooks, removable handles."""

from __future__ import annotations

import re

import numpy as np
import pytest

import ndgrad
from tests.helpers import assert_close, requires_torch, torch


def _x(values, requires_grad=True):
    return ndgrad.tensor(np.array(values, dtype=np.float64), requires_grad=requires_grad)


def test_leaf_hook_changes_accumulated_grad_and_can_be_removed():
    x = _x([1.0, 2.0])
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.clone()) or g * 10)
    (x * 3).sum().backward()
    assert_close(seen[0], [3.0, 3.0])
    assert_close(x.grad, [30.0, 30.0])
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    assert_close(x.grad, [3.0, 3.0])
    handle.remove()  # removing twice is harmless


def test_hook_returning_none_observes_only():
    x = _x([1.0])
    calls = []
    x.register_hook(lambda g: calls.append(1))
    (x * 2).sum().backward()
    assert calls == [1]
    assert_close(x.grad, [2.0])


def test_non_leaf_hook_changes_gradient_flowing_on():
    x = _x([1.0, 2.0])
    y = x * 2
    y.register_hook(lambda g: g + 1)
    (y * y).sum().backward()
    # dL/dy = 2y = [4, 8]; the hook makes it [5, 9]; dy/dx = 2.
    assert_close(x.grad, [10.0, 18.0])


def test_hooks_run_in_registration_order():
    x = _x([1.0])
    order = []
    x.register_hook(lambda g: order.append("a") or g * 2)
    x.register_hook(lambda g: order.append("b") or g + 1)
    (x * 1).sum().backward()
    assert order == ["a", "b"]
    assert_close(x.grad, [3.0])


def test_handle_as_context_manager():
    x = _x([1.0])
    with x.register_hook(lambda g: g * 0):
        (x * 1).sum().backward()
    assert_close(x.grad, [0.0])
    (x * 1).sum().backward()
    assert_close(x.grad, [1.0])


def test_hook_errors():
    with pytest.raises(
        RuntimeError,
        match=re.escape("cannot register a hook on a tensor that doesn't require gradient"),
    ):
        _x([1.0], requires_grad=False).register_hook(lambda g: g)

    def hook(g):
        return ndgrad.ones(3, dtype=ndgrad.float64)

    x = _x([1.0, 2.0])
    x.register_hook(hook)
    with pytest.raises(RuntimeError, match=re.escape("hook 'hook' has changed the size of value")):
        (x * 2).sum().backward()

    y = _x([1.0, 2.0])
    y.register_hook(lambda g: 3)
    with pytest.raises(TypeError, match=re.escape("expected Variable, but hook returned 'int'")):
        (y * 2).sum().backward()

    z = _x([1.0]) * 2
    z.register_hook(lambda g: ndgrad.ones(2, dtype=ndgrad.float64))
    with pytest.raises(
        RuntimeError, match=re.escape("hook '<lambda>' has changed the size of value")
    ):
        z.sum().backward()


def test_retain_grad():
    x = _x([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    assert y.retains_grad
    (y * y).sum().backward()
    assert_close(y.grad, [4.0, 8.0])
    with pytest.raises(
        RuntimeError, match=re.escape("can't retain_grad on Tensor that has requires_grad=False")
    ):
        _x([1.0], requires_grad=False).retain_grad()
    x.retain_grad()  # a no-op on a leaf
    assert not x.retains_grad


def test_retained_grad_sees_hook_result_whatever_the_order():
    for hook_first in (True, False):
        x = _x([1.0, 2.0])
        y = x * 2
        if hook_first:
            y.register_hook(lambda g: g * 100)
            y.retain_grad()
        else:
            y.retain_grad()
            y.register_hook(lambda g: g * 100)
        (y * 1).sum().backward()
        assert_close(y.grad, [100.0, 100.0])
        assert_close(x.grad, [200.0, 200.0])


def test_post_accumulate_grad_hook():
    x = _x([1.0, 2.0])
    seen = []
    x.register_post_accumulate_grad_hook(lambda t: seen.append((t is x, t.grad.clone())))
    x.register_hook(lambda g: g * 2)
    (x * 1).sum().backward()
    (x * 1).sum().backward()
    assert [s[0] for s in seen] == [True, True]
    assert_close(seen[0][1], [2.0, 2.0])
    assert_close(seen[1][1], [4.0, 4.0])
    with pytest.raises(
        RuntimeError,
        match=re.escape("post accumulate grad hooks cannot be registered on non-leaf tensors"),
    ):
        (x * 2).register_post_accumulate_grad_hook(lambda t: None)
    with pytest.raises(
        RuntimeError,
        match=re.escape("cannot register a hook on a tensor that doesn't require gradient"),
    ):
        _x([1.0], requires_grad=False).register_post_accumulate_grad_hook(lambda t: None)


def test_post_accumulate_hook_can_update_parameter_like_an_optimizer():
    w = _x([1.0, 2.0])

    def step(p):
        with ndgrad.no_grad():
            p.sub_(p.grad * 0.5)
        p.grad = None

    w.register_post_accumulate_grad_hook(step)
    (w * w).sum().backward()
    assert_close(w, [0.0, 0.0])
    assert w.grad is None


def test_node_hooks():
    x = _x([1.0, 2.0])
    y = x * 3
    calls = []
    pre = y.grad_fn.register_prehook(lambda go: calls.append(("pre", go)) or (go[0] * 10,))
    post = y.grad_fn.register_hook(
        lambda gi, go: calls.append(("post", gi, go)) or (gi[0] + 1, gi[1])
    )
    y.sum().backward(retain_graph=True)
    assert_close(x.grad, [31.0, 31.0])
    assert calls[0][0] == "pre" and calls[1][0] == "post"
    assert_close(calls[1][1][0], [30.0, 30.0])
    assert calls[1][1][1] is None
    assert_close(calls[1][2][0], [10.0, 10.0])
    pre.remove()
    post.remove()
    x.grad = None
    y.sum().backward()
    assert_close(x.grad, [3.0, 3.0])


@requires_torch
def test_hooks_match_torch():
    def run(lib):
        x = lib.tensor([0.5, -1.5, 2.0], dtype=lib.float64, requires_grad=True)
        w = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        h = x * w
        h.register_hook(lambda g: g * 2)
        h.retain_grad()
        e = h.exp()
        e.grad_fn.register_prehook(lambda go: (go[0] + 1,))
        e.grad_fn.register_hook(lambda gi, go: (gi[0] * 3,))
        w.register_hook(lambda g: g - 1)
        (e * x).sum().backward()
        return x.grad, w.grad, h.grad

    assert_close(run(ndgrad), run(torch), rtol=1e-12)


# --- When hooks run around captured gradients and missing ones (fuzz_views, widened) ---------
# PyTorch's engine: a captured node that does not run itself (a leaf under autograd.grad, a
# non-leaf input that leads to no other input) gets its tensor hooks first and the result is
# captured; one that runs on is captured as it arrives. Tensor hooks run before retain_grad and
# before the node's own pre-hooks. An output with no gradient has its hooks called with None.


def _hook_programs(lib):
    out = []
    a = lib.tensor([0.5, 1.0], dtype=lib.float64, requires_grad=True)
    y = a * 2
    y.register_hook(lambda g: out.append("tensor hook") or g * 2)
    y.grad_fn.register_prehook(lambda gs: out.append("node pre-hook") or None)
    (y * 3).sum().backward()
    out.append(a.grad.tolist())
    b = lib.tensor([0.5, 1.0], dtype=lib.float64, requires_grad=True)
    b.register_hook(lambda g: g + 1.0)
    out.append(lib.autograd.grad(lib.sin(b).sum(), [b])[0].tolist())  # cos(b) + 1
    t0 = lib.tensor([0.5, 1.0], dtype=lib.float64, requires_grad=True)
    t1 = t0 * 2
    t1.register_hook(lambda g: g + 3.0)
    out.append([g.tolist() for g in lib.autograd.grad(t1.sum(), [t0, t1])])  # runs on: 1
    t1 = t0 * 2
    t1.register_hook(lambda g: g + 3.0)
    out.append([g.tolist() for g in lib.autograd.grad(t1.sum(), [t1])])  # does not run: 4
    x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    p, q = (x * 2).split(2)
    p.register_hook(lambda g: out.append(("p", g)))
    q.sum().backward()
    out.append(x.grad.tolist())
    p, q = (x * 2).split(2)
    p.register_hook(lambda g: lib.ones(2))
    try:
        q.sum().backward()
    except RuntimeError as e:
        out.append(str(e))
    return out


def test_hooks_around_captures_and_missing_gradients():
    expected_cos = np.cos([0.5, 1.0]) + 1.0
    out = _hook_programs(ndgrad)
    assert out[:3] == ["tensor hook", "node pre-hook", [12.0, 12.0]]
    np.testing.assert_allclose(out[3], expected_cos, rtol=1e-15)
    assert out[4:] == [
        [[2.0 * 4, 2.0 * 4], [1.0, 1.0]],  # t0's gradient through the hooked g + 3
        [[4.0, 4.0]],
        ("p", None),
        [0.0, 0.0, 2.0, 2.0],
        "can't replace a None gradient with a non-None value",
    ]


@requires_torch
def test_hooks_around_captures_and_missing_gradients_as_pytorch():
    assert repr(_hook_programs(ndgrad)) == repr(_hook_programs(torch))


def test_leaf_hook_called_with_none_when_no_gradient_arrives():
    class Cut(ndgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return None

    x = _x([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(g))
    Cut.apply(x).sum().backward()
    assert seen == [None] and x.grad is None


def _node_hook_arity(lib):
    """What a node's hook (grad_fn.register_hook) receives: one grad_input per entry of
    next_functions, as PyTorch's, not one per forward argument (a dim, a mask, a number)."""
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    out = []
    for f in (
        lambda y: y.masked_fill(y > 2, 0.5),
        lambda y: lib.gather(y, 1, lib.tensor([[0], [1]])),
        lambda y: y * 2.0,
        lambda y: y.clamp(0, 3),
        lambda y: y.sum(1),
        lambda y: lib.cat([y, x], 0),
        lambda y: lib.add(y, x, alpha=2),
    ):
        z = f(x * 1)
        seen = []
        z.grad_fn.register_hook(
            lambda gi, go, seen=seen: seen.append(
                [None if g is None else tuple(g.shape) for g in gi]
            )
        )
        z.sum().backward()
        out.append((seen, len(z.grad_fn.next_functions)))
    return out


def test_node_hook_gets_one_gradient_per_listed_input():
    listed = [(seen[0], n) for seen, n in _node_hook_arity(ndgrad)]
    assert all(len(s) == n for s, n in listed)
    assert [s for s, _ in listed] == [
        [(2, 2)],
        [(2, 2)],
        [(2, 2), None],  # mul by a number lists the number, with no gradient
        [(2, 2)],
        [(2, 2)],
        [(2, 2), (2, 2)],
        [(2, 2), (2, 2)],
    ]


def test_node_hook_replaces_the_listed_gradients():
    x = _x([1.0, 2.0])
    y = x * 1
    z = ndgrad.cat([y, y * 3], 0)
    z.grad_fn.register_hook(lambda gi, go: (gi[0] * 10, gi[1]))
    z.sum().backward()
    assert_close(x.grad, [10.0 + 3.0, 10.0 + 3.0])


@requires_torch
def test_node_hook_arity_as_pytorch():
    assert _node_hook_arity(ndgrad) == _node_hook_arity(torch)
