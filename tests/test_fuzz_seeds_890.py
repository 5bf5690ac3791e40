"""Regressions found by the view fuzzer (tests/fuzz_views.py) at seeds 890 and on.

Each program runs under ndgrad and, where it is installed, under PyTorch (everything returned
must agree); each test also checks the expected outcome by hand, so it runs without PyTorch too.
Each program failed before its fix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, torch
from .programs import assert_same, run

# --- tensor hooks registered after an in-place view op (t_, squeeze_...) ----------------------


def _var_hooks_around_t_(lib: Any) -> Any:
    # fuzz seed 89x: PyTorch runs both hooks at the node of var, in the order registered
    # ((g + 2) * 0.5); ndgrad ran the later one first, at the node of t_
    t0 = lib.tensor([[-1.4], [-1.8], [0.8]], dtype=lib.float64, requires_grad=True)
    t1 = t0.var(correction=1)
    t1.register_hook(lambda g: g + 2.0)
    t1.t_()
    t1.register_hook(lambda g: g * 0.5)
    t1.backward()
    return t0.grad


def _shapes_seen(op: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        x = lib.arange(6.0, dtype=lib.float64).view(2, 3).requires_grad_()
        y = x * 1
        seen = []
        y.register_hook(lambda g: seen.append(("first", tuple(g.shape))))
        op(y)
        y.register_hook(lambda g: seen.append(("second", tuple(g.shape))))
        (y * lib.arange(1.0, 7.0, dtype=lib.float64).view(y.shape)).sum().backward()
        return seen, x.grad

    return program


_IN_PLACE_VIEWS = {
    "t_": lambda y: y.t_(),
    "transpose_": lambda y: y.transpose_(0, 1),
    "swapdims_": lambda y: y.swapdims_(1, 0),
    "unsqueeze_": lambda y: y.unsqueeze_(1),
    "squeeze_": lambda y: (y.unsqueeze_(0), y.squeeze_(0)),
    "as_strided_": lambda y: y.as_strided_((3, 2), (1, 3)),
    # a rebasing in-place op in between starts a new hook dict (the later hook runs first)
    "t_ then mul_": lambda y: (y.t_(), y.mul_(2)),
    "mul_ then t_": lambda y: (y.mul_(2), y.t_()),
}


@pytest.mark.parametrize(
    "program",
    [_var_hooks_around_t_, *(_shapes_seen(op) for op in _IN_PLACE_VIEWS.values())],
    ids=["var", *_IN_PLACE_VIEWS],
)
@requires_torch
def test_hooks_around_in_place_view_ops_match_torch(program: Callable[[Any], Any]) -> None:
    assert_same(run(program, ndgrad), run(program, torch))


def test_hooks_around_in_place_view_ops_by_hand() -> None:
    # var's gradient 2 (x - mean) / 2 times the hooks' factor (1 + 2) * 0.5
    np.testing.assert_allclose(_var_hooks_around_t_(ndgrad).numpy().ravel(), [-0.9, -1.5, 2.4])
    seen, grad = _shapes_seen(_IN_PLACE_VIEWS["t_"])(ndgrad)
    # both hooks at x * 1's node: in the order registered, on the (2, 3) gradient
    assert seen == [("first", (2, 3)), ("second", (2, 3))]
    np.testing.assert_array_equal(grad.numpy(), [[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]])
    seen, _ = _shapes_seen(_IN_PLACE_VIEWS["mul_ then t_"])(ndgrad)
    assert seen == [("second", (3, 2)), ("first", (2, 3))]


# --- F.linear with a bias that is not contiguous: matmul, then the bias added ------------------


def _linear_expanded_bias(lib: Any) -> Any:
    # fuzz seed 92x: PyTorch's flattened addmm form of linear needs a contiguous bias; with an
    # expanded one it takes matmul and add_, so the result is not a view and a later sub_ on it
    # records SubBackward0 (ndgrad made it a view: AsStridedBackward0)
    t0 = lib.tensor([[[-1.8], [1.3]], [[-1.1], [1.4]]], dtype=lib.float64, requires_grad=True)
    t1 = lib.tensor(1.4, dtype=lib.float64)
    t2 = lib.as_strided(t1, (2,), (0,), 0)
    t3 = t0.max(2).values
    t4 = t0.unfold(1, 2, 2)
    t5 = lib.nn.functional.linear(t4, t3, t2)
    names = [t5.grad_fn.name(), t5._base is not None]
    t5.sub_(t1)
    names.append(t5.grad_fn.name())
    t5.sum().backward()
    return names, t0.grad


@requires_torch
def test_linear_with_an_expanded_bias_matches_torch() -> None:
    assert_same(run(_linear_expanded_bias, ndgrad), run(_linear_expanded_bias, torch))


@pytest.mark.parametrize("nd", [1, 2, 3, 4])
def test_linear_bias_layout_picks_the_form(nd: int) -> None:
    w = ndgrad.ones(3, 2, dtype=ndgrad.float64, requires_grad=True)
    x = ndgrad.ones(*([2] * (nd - 1)), 2, dtype=ndgrad.float64, requires_grad=True)
    contiguous = ndgrad.nn.functional.linear(x, w, ndgrad.ones(3, dtype=ndgrad.float64))
    expanded = ndgrad.nn.functional.linear(x, w, ndgrad.tensor(1.0).double().expand(3))
    if nd == 2:
        assert contiguous.grad_fn.name() == expanded.grad_fn.name() == "AddmmBackward0"
    else:
        assert contiguous.grad_fn.name() == "ViewBackward0" and contiguous._base is not None
        assert expanded.grad_fn.name() == "AddBackward0" and expanded._base is None
    np.testing.assert_array_equal(contiguous.detach().numpy(), expanded.detach().numpy())


# --- layer_norm and batch_norm: create_graph gradients that require grad as PyTorch's --------


def _norm_grads(kind: str, needs: tuple[bool, bool, bool]) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        f = lib.nn.functional
        g = np.random.default_rng(0)
        x, w, b = (
            lib.tensor(g.standard_normal(shape), dtype=lib.float64, requires_grad=need)
            for shape, need in zip([(3, 4), (4,), (4,)], needs, strict=True)
        )
        y = f.layer_norm(x, (4,), w, b) if kind == "ln" else f.batch_norm(x, None, None, w, b, True)
        wanted = [t for t in (x, w, b) if t.requires_grad]
        grads = lib.autograd.grad(y[1].sum(), wanted, create_graph=True)
        # (values and flags: the node names of a create_graph gradient are each library's own)
        out: list[Any] = [(gr.detach(), gr.requires_grad, gr.is_leaf) for gr in grads]
        if grads[-1].requires_grad:  # the bias's: connected, but of no derivative
            out.append(lib.autograd.grad(grads[-1].sum(), wanted, allow_unused=True))
        return out

    return program


_NEEDS = [(True, True, True), (False, True, True), (True, False, True), (False, False, True)]


@pytest.mark.parametrize("kind", ["ln", "bn"])
@pytest.mark.parametrize("needs", _NEEDS, ids=str)
@requires_torch
def test_norm_create_graph_grads_match_torch(kind: str, needs: tuple[bool, bool, bool]) -> None:
    # fuzz seed 93x: layer_norm(t0, (2,), weight, bias) and autograd.grad(..., [bias],
    # create_graph=True): PyTorch's bias gradient requires grad (one double-backward node
    # computes all three), ndgrad's was a constant
    assert_same(run(_norm_grads(kind, needs), ndgrad), run(_norm_grads(kind, needs), torch))


def test_norm_create_graph_grads_by_hand() -> None:
    out = _norm_grads("ln", (False, False, True))(ndgrad)
    gb, requires_grad, is_leaf = out[0]
    assert requires_grad and not is_leaf
    np.testing.assert_array_equal(gb.numpy(), [1.0, 1.0, 1.0, 1.0])
    assert out[1] == (None,)
    # batch_norm's bias gradient requires grad only through x or the weight, as in PyTorch
    ((gb, requires_grad, _),) = _norm_grads("bn", (False, False, True))(ndgrad)
    assert not requires_grad


# --- in-place ops: PyTorch's view rules before the op's own checks -----------------------------


def _split_of_detached_then_overlapping_write(op: str) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        # fuzz seed 95x: a split of a detached tensor written with a value that requires grad
        # and overlaps it: PyTorch refuses the multi-output view first, ndgrad the overlap
        t0 = lib.tensor(
            [[-0.8, -0.7, 1.0], [0.7, -1.8, 1.4]], dtype=lib.float64, requires_grad=True
        )
        t2, _ = t0.detach().split(1, -2)
        if op == "index_put_":
            idx = (lib.tensor([0, 0]), lib.tensor([-3, 2]))
            return lib.index_put_(t2, idx, t0.unbind(1)[2])
        if op == "copy_":
            return t2.copy_(t0[1:])
        if op == "clamp_":
            return t2.clamp_(min=t0[0])
        return getattr(t2, op)(t0[0])

    return program


_WRITES = ["index_put_", "add_", "mul_", "copy_", "clamp_"]


@pytest.mark.parametrize("op", _WRITES)
@requires_torch
def test_view_rule_before_overlap_matches_torch(op: str) -> None:
    program = _split_of_detached_then_overlapping_write(op)
    assert_same(run(program, ndgrad), run(program, torch))


@pytest.mark.parametrize("op", _WRITES)
def test_view_rule_before_overlap_by_hand(op: str) -> None:
    with pytest.raises(RuntimeError, match="A view was created in no_grad mode"):
        _split_of_detached_then_overlapping_write(op)(ndgrad)


def _tril_of_broadcast_leaf(lib: Any) -> Any:
    # fuzz seed 96x: a 1-d view of a leaf: PyTorch's leaf-view error before tril's 2-d check
    t0 = lib.tensor(2.0, dtype=lib.float64, requires_grad=True)
    return lib.broadcast_to(t0, (2,)).tril_(2)


@requires_torch
def test_tril_of_broadcast_leaf_matches_torch() -> None:
    assert_same(run(_tril_of_broadcast_leaf, ndgrad), run(_tril_of_broadcast_leaf, torch))


def test_tril_of_broadcast_leaf_by_hand() -> None:
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        _tril_of_broadcast_leaf(ndgrad)
    with pytest.raises(RuntimeError, match="tril: input tensor must have at least 2 dimensions"):
        ndgrad.broadcast_to(ndgrad.tensor(2.0), (2,)).tril_()


def test_in_graph_passthrough_is_identity_in_g() -> None:
    # the node that keeps a norm layer's create_graph bias gradient in the graph: y = g, with
    # no derivative for its anchor
    from ndgrad.nn._norm import _InGraph

    g = ndgrad.tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
    anchor = ndgrad.ones(4, dtype=ndgrad.float64, requires_grad=True)
    y = _InGraph.apply(g, anchor)
    np.testing.assert_array_equal(y.detach().numpy(), g.detach().numpy())
    assert ndgrad.autograd.gradcheck(lambda t: _InGraph.apply(t, anchor), (g,))
    assert ndgrad.autograd.gradgradcheck(lambda t: _InGraph.apply(t, anchor) ** 2, (g,))
    assert ndgrad.autograd.grad(y.sum(), [anchor], allow_unused=True) == (None,)


# --- add/sub with alpha on integer and bool tensors: computed in the result dtype --------------

_ALPHA_CASES = [
    ("add", "bool", "bool", 2),
    ("add", "bool", True, 3),
    ("add", "int8", "int8", 3),
    ("add", "int8", 5, 30),
    ("sub", "int8", 5, 30),
    ("sub", "uint8", "uint8", -3),
    ("add", "int16", 7, -3),
]


def _alpha_program(op: str, d1: str, other: Any, alpha: Any) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        a = lib.tensor([1, 0, 3]).to(getattr(lib, d1))
        b = lib.tensor([1, 100, 5]).to(getattr(lib, other)) if isinstance(other, str) else other
        r = getattr(lib, op)(a, b, alpha=alpha)
        a.__getattribute__(op + "_")(b, alpha=alpha)  # the in-place form too
        return r, a

    return program


@pytest.mark.parametrize("case", _ALPHA_CASES, ids=str)
@requires_torch
def test_alpha_on_integers_matches_torch(case: Any) -> None:
    # a helper's pointwise fuzzer left these open: bool + alpha * bool gave an int64 3 (PyTorch
    # stays in bool), int8 + 30 * 5 raised numpy's OverflowError (PyTorch wraps: -105)
    program = _alpha_program(*case)
    assert_same(run(program, ndgrad), run(program, torch))


def test_alpha_on_integers_by_hand() -> None:
    t, f = True, False
    r = ndgrad.add(ndgrad.tensor([t, f]), ndgrad.tensor([t, t]), alpha=2)
    assert r.dtype == ndgrad.bool and r.tolist() == [t, t]
    r = ndgrad.add(ndgrad.tensor([1], dtype=ndgrad.int8), 5, alpha=30)
    assert r.dtype == ndgrad.int8 and r.tolist() == [-105]
    r = ndgrad.sub(ndgrad.tensor([1], dtype=ndgrad.int8), 5, alpha=30)
    assert r.tolist() == [107]
