"""What the graph keeps alive, checked with weak references and the cyclic collector switched off.

* backward without retain_graph frees every node's saved values; the nodes themselves live as
  long as the output that holds them, and die with it;
* retain_graph keeps the saved values (a second backward gives the same gradients);
* create_graph: the gradient's own graph keeps exactly the nodes reachable from it, and they
  all go when the gradient is dropped;
* none of this makes reference cycles: after the usual forward/backward work the cyclic
  collector finds nothing.
"""

from __future__ import annotations

import contextlib
import gc
import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np

import ndgrad
from ndgrad.autograd._graph import walk
from ndgrad.autograd.function import _INPUT, _OUTPUT, AccumulateGrad, Node, _entries


@contextlib.contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Only reference counting frees objects inside; anything kept alive by a cycle stays."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _ours(o: Any) -> bool:
    return isinstance(o, ndgrad.Tensor | Node | np.ndarray) or type(o).__module__.startswith(
        "ndgrad"
    )


def _collectable() -> list[str]:
    """Type names of ndgrad's objects (tensors, nodes, arrays, ...) that only the cyclic
    collector could free; empty if none. (A lazy import elsewhere may leave other garbage.)"""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        found = sorted({type(o).__qualname__ for o in gc.garbage if _ours(o)})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    return found


def _saved_refs(nodes: list[Any]) -> list[weakref.ref[Any]]:
    """Weak references to what the nodes saved (tensors saved as inputs, arrays as outputs),
    leaving out the leaves, which the caller holds anyway."""
    refs = []
    for node in nodes:
        for entry in _entries(node._saved):
            if entry is None:
                continue
            intermediate = entry[0] == _INPUT and entry[1].grad_fn is not None
            if intermediate or entry[0] == _OUTPUT:
                refs.append(weakref.ref(entry[1]))
    return refs


def _forward(x: ndgrad.Tensor) -> ndgrad.Tensor:
    # exp saves its output, log and sin their inputs (intermediate tensors), tanh its output.
    return (x.exp().log().sin() * x.tanh()).sum()


def test_backward_frees_saved_values_but_not_the_graph() -> None:
    with no_cyclic_gc():
        x = ndgrad.tensor([0.5, 1.5, -0.3], dtype=ndgrad.float64, requires_grad=True)
        y = _forward(x)
        nodes = walk([y.grad_fn])
        saved = _saved_refs(nodes)
        assert len(saved) >= 4
        assert all(r() is not None for r in saved)
        node_refs = [weakref.ref(n) for n in nodes]
        names = [n.name() for n in nodes]
        del nodes

        y.backward()
        assert all(r() is None for r in saved), "saved values outlived backward"
        alive = [r() for r in node_refs]
        assert all(n is not None for n in alive), "the graph must live as long as its output"
        assert all(n._saved is None for n in alive)
        assert [n.name() for n in walk([y.grad_fn])] == names  # structure intact
        del alive

        del y
        assert all(r() is None for r in node_refs), "nodes outlived their output"
        assert x.grad is not None and x._accumulator_ref() is None
        assert _collectable() == []


def test_retain_graph_keeps_saved_values_until_the_last_backward() -> None:
    with no_cyclic_gc():
        x = ndgrad.tensor([0.5, 1.5, -0.3], dtype=ndgrad.float64, requires_grad=True)
        y = _forward(x)
        saved = _saved_refs(walk([y.grad_fn]))
        saving = [n for n in walk([y.grad_fn]) if n._saved is not None]
        assert len(saving) >= 4
        y.backward(retain_graph=True)
        first = x.grad.numpy().copy()
        assert all(r() is not None for r in saved), "retain_graph dropped a saved value"
        assert all(n._saved is not None for n in saving)
        del saving

        x.grad = None
        y.backward(retain_graph=True)
        np.testing.assert_array_equal(x.grad.numpy(), first)
        assert all(r() is not None for r in saved)

        x.grad = None
        y.backward()  # the last one frees
        np.testing.assert_array_equal(x.grad.numpy(), first)
        assert all(r() is None for r in saved)
        del y
        assert _collectable() == []


def test_autograd_grad_frees_like_backward() -> None:
    with no_cyclic_gc():
        x = ndgrad.tensor([0.5, 1.5], dtype=ndgrad.float64, requires_grad=True)
        y = _forward(x)
        saved = _saved_refs(walk([y.grad_fn]))
        (g,) = ndgrad.autograd.grad(y, x, retain_graph=True)
        assert all(r() is not None for r in saved)
        (g2,) = ndgrad.autograd.grad(y, x)
        np.testing.assert_array_equal(g.numpy(), g2.numpy())
        assert all(r() is None for r in saved)
        assert g.grad_fn is None and x.grad is None
        del y
        assert _collectable() == []


def test_create_graph_keeps_exactly_what_the_gradient_needs() -> None:
    with no_cyclic_gc():
        x = ndgrad.tensor([0.5, 1.5, -0.3], dtype=ndgrad.float64, requires_grad=True)
        y = _forward(x)
        forward_refs = [weakref.ref(n) for n in walk([y.grad_fn])]
        y.backward(create_graph=True)
        g = x.grad
        assert g.grad_fn is not None and g.requires_grad
        grad_refs = [weakref.ref(n) for n in walk([g.grad_fn])]

        del y
        reachable = set(walk([g.grad_fn]))
        alive = {r() for r in forward_refs + grad_refs} - {None}
        assert alive <= reachable, sorted(n.name() for n in alive - reachable)
        # The gradient of exp reuses exp's output, so exp's node is part of the new graph.
        assert "ExpBackward0" in {n.name() for n in alive}
        # The forward's root (the sum) is not needed by the gradient and is gone.
        assert forward_refs[0]() is None
        del reachable, alive

        # The graph of the gradient works: d/dx of sum(dy/dx), checked by finite differences.
        (gg,) = ndgrad.autograd.grad(g.sum(), x, retain_graph=True)
        xs = x.detach().numpy()
        eps = 1e-6

        def dsum(v: np.ndarray) -> float:
            t = ndgrad.tensor(v, requires_grad=True)
            (d,) = ndgrad.autograd.grad(_forward(t), t)
            return float(d.numpy().sum())

        fd = [(dsum(xs + eps * e) - dsum(xs - eps * e)) / (2 * eps) for e in np.eye(3)]
        np.testing.assert_allclose(gg.numpy(), fd, rtol=1e-6, atol=1e-8)

        x.grad = None
        del g, gg
        assert all(r() is None for r in forward_refs + grad_refs), "graph outlived its gradient"
        assert x._accumulator_ref() is None
        assert _collectable() == []


def test_leaf_accumulator_is_shared_while_a_graph_uses_it_then_freed() -> None:
    with no_cyclic_gc():
        x = ndgrad.ones(3, requires_grad=True)
        a, b = x * 2, x.exp()
        acc = a.grad_fn.next_functions[0][0]
        assert isinstance(acc, AccumulateGrad) and acc is b.grad_fn.next_functions[0][0]
        ref = weakref.ref(acc)
        del acc, a
        assert ref() is not None  # b's graph still uses it
        del b
        assert ref() is None


class _Scale(ndgrad.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Any, k: float) -> Any:
        ctx.save_for_backward(x)
        ctx.k = k
        return x * k

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * ctx.k + 0 * x, None


def _typical_work() -> None:
    """Forward and backward the ways users do: broadcasting, matmul, in place, retain_grad,
    hooks, a custom Function, autograd.grad with create_graph, no_grad updates."""
    rng = np.random.default_rng(0)
    w = ndgrad.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    b = ndgrad.zeros(3, requires_grad=True)
    x = ndgrad.tensor(rng.standard_normal((5, 4)))
    for _ in range(3):
        h = (x @ w + b).tanh()
        h.retain_grad()
        h.register_hook(lambda g: g * 1.0)
        z = _Scale.apply(h, 2.0).sigmoid()
        z2 = z * 1.0
        z2.add_(1.0)  # in place on a non-leaf
        loss = (z2**2).mean() + w.abs().sum() * 1e-3
        loss.backward(retain_graph=True)
        (gw,) = ndgrad.autograd.grad(loss, w, create_graph=True)
        (gw * gw).sum().backward()
        with ndgrad.no_grad():
            w -= 0.1 * w.grad
            b -= 0.1 * b.grad
        w.grad = None
        b.grad = None
        assert h.grad is not None


def test_typical_training_makes_no_reference_cycles() -> None:
    with no_cyclic_gc():
        _typical_work()  # warm caches (numpy, dtype tables) outside the measured run
        assert _collectable() == []
        for _ in range(5):
            _typical_work()
        assert _collectable() == []
        assert gc.collect() == 0
