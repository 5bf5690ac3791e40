"""The numpy backward formulas (``backward_np``) against the tensor formulas they mirror.

A first-order backward runs each node's ``backward_np`` on arrays; ``create_graph`` (and
``engine.ARRAY_BACKWARD = False``) runs the tensor ``backward``, which stays the definition. Over
every case of the op table, both paths must give the same gradients, bit for bit: they are the
same arithmetic in the same order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import _engine as engine
from ndgrad.autograd.function import BackwardNode, Function

from .test_optable import CASES, _diff_indices, _float_outputs, _inputs, _nd_inputs


def _grads(op: Any, sample: Any, arrays: list[np.ndarray], arrays_mode: bool) -> list[Any]:
    ts = _nd_inputs(op, arrays)
    diff = _diff_indices(op, arrays)
    out = op.op(ndgrad, *ts, **sample.kwargs)
    outs = _float_outputs(out)
    rng = np.random.default_rng(7)
    weights = [ndgrad.from_numpy(rng.standard_normal(tuple(o.shape))) for o in outs]
    previous = engine.ARRAY_BACKWARD
    engine.ARRAY_BACKWARD = arrays_mode
    try:
        grads = ndgrad.autograd.grad(outs, [ts[i] for i in diff], weights, allow_unused=True)
    finally:
        engine.ARRAY_BACKWARD = previous
    return [None if g is None else g.numpy() for g in grads]


def _node_names(op: Any, sample: Any, arrays: list[np.ndarray]) -> set[str]:
    ts = _nd_inputs(op, arrays)
    out = op.op(ndgrad, *ts, **sample.kwargs)
    return _graph_names([o.grad_fn for o in _float_outputs(out)])


GRAD_CASES = [c for c in CASES if c.values[0].gradcheck]


@pytest.mark.parametrize(("op", "sample"), GRAD_CASES)
def test_array_backward_matches_tensor_backward(op: Any, sample: Any) -> None:
    arrays = _inputs(op, sample)
    if not _diff_indices(op, arrays):
        pytest.skip("no differentiable input")
    fast = _grads(op, sample, arrays, True)
    slow = _grads(op, sample, arrays, False)
    assert len(fast) == len(slow)
    for f, s in zip(fast, slow, strict=True):
        assert (f is None) == (s is None)
        if f is not None:
            assert f.dtype == s.dtype and f.shape == s.shape
            np.testing.assert_array_equal(f, s)


# The nn ops with a numpy backward are not in the op table: their cases, float64 inputs, the
# differentiable ones first (``n_diff`` of them).
_IDX = np.array([[1, 0, 3], [2, 2, 4]])
_MASK = np.array([[True, False, False, True]] * 3)
NN_CASES: list[tuple[str, Any, list[tuple[int, ...]], int]] = [
    ("mse_loss", lambda T, x, y: T.nn.functional.mse_loss(x, y), [(3, 4), (3, 4)], 2),
    (
        "mse_loss_sum",
        lambda T, x, y: T.nn.functional.mse_loss(x, y, reduction="sum"),
        [(3, 4), (3, 4)],
        1,
    ),
    (
        "mse_loss_none",
        lambda T, x, y: T.nn.functional.mse_loss(x, y, reduction="none"),
        [(2, 3), (2, 3)],
        2,
    ),
    ("linear", lambda T, x, w, b: T.nn.functional.linear(x, w, b), [(5, 3), (4, 3), (4,)], 3),
    ("linear_3d", lambda T, x, w, b: T.nn.functional.linear(x, w, b), [(2, 5, 3), (4, 3), (4,)], 3),
    ("linear_nobias", lambda T, x, w: T.nn.functional.linear(x, w), [(5, 3), (4, 3)], 2),
    ("linear_1d", lambda T, x, w, b: T.nn.functional.linear(x, w, b), [(3,), (4, 3), (4,)], 3),
    ("linear_1d_nobias", lambda T, x, w: T.nn.functional.linear(x, w), [(3,), (4, 3)], 2),
    (
        "layer_norm",
        lambda T, x, w, b: T.nn.functional.layer_norm(x, (4,), w, b),
        [(3, 4), (4,), (4,)],
        3,
    ),
    ("layer_norm_plain", lambda T, x: T.nn.functional.layer_norm(x, (3, 4)), [(2, 3, 4)], 1),
    (
        "group_norm",
        lambda T, x, w, b: T.nn.functional.group_norm(x, 2, w, b),
        [(2, 4, 3), (4,), (4,)],
        3,
    ),
    (
        "batch_norm_train",
        lambda T, x, w, b: T.nn.functional.batch_norm(x, None, None, w, b, training=True),
        [(5, 3), (3,), (3,)],
        3,
    ),
    ("embedding", lambda T, w: T.nn.functional.embedding(T.from_numpy(_IDX), w), [(5, 3)], 1),
    (
        "embedding_pad",
        lambda T, w: T.nn.functional.embedding(T.from_numpy(_IDX), w, padding_idx=2),
        [(5, 3)],
        1,
    ),
    (
        "embedding_freq",
        lambda T, w: T.nn.functional.embedding(T.from_numpy(_IDX), w, scale_grad_by_freq=True),
        [(5, 3)],
        1,
    ),
    ("gelu", lambda T, x: T.nn.functional.gelu(x), [(3, 4)], 1),
    ("gelu_tanh", lambda T, x: T.nn.functional.gelu(x, approximate="tanh"), [(3, 4)], 1),
    (
        "cross_entropy",
        lambda T, x: T.nn.functional.cross_entropy(x, T.from_numpy(np.array([1, 0, 3]))),
        [(3, 4)],
        1,
    ),
    *[
        (
            f"nll_loss_{red}",
            lambda T, x, w, red=red: T.nn.functional.nll_loss(
                x, T.from_numpy(np.array([1, 0, 3, 2])), w, ignore_index=2, reduction=red
            ),
            [(4, 5), (5,)],
            1,
        )
        for red in ("mean", "sum", "none")
    ],
    (
        "nll_loss_2d",
        lambda T, x: T.nn.functional.nll_loss(x, T.from_numpy(np.array([[[1, 0], [2, 1]]]))),
        [(1, 3, 2, 2)],
        1,
    ),
    ("masked_fill", lambda T, x: x.masked_fill(T.from_numpy(_MASK), -1.5), [(3, 4)], 1),
    (
        "margin_ranking_loss",  # its margin is added as a number: AddBackward1
        lambda T, a, b, t: T.nn.functional.margin_ranking_loss(a, b, t, margin=0.3),
        [(4,), (4,), (4,)],
        3,
    ),
    (
        "masked_fill_tensor",
        lambda T, x, v: x.masked_fill(T.from_numpy(_MASK), v),
        [(3, 4), ()],
        2,
    ),
    ("split", lambda T, x: x.split([1, 3], dim=1), [(3, 4)], 1),
    ("chunk", lambda T, x: x.chunk(2, dim=0), [(4, 3)], 1),
    # a dtype conversion (ToCopyBackward0): no op-table case records one, their inputs being
    # float64 throughout
    ("to_float32", lambda T, x: x.to(T.float32) * 2, [(3, 4)], 1),
]


def _nn_grads(fn: Any, shapes: list[Any], n_diff: int, arrays_mode: bool) -> list[Any]:
    rng = np.random.default_rng(3)
    ts = [ndgrad.from_numpy(rng.standard_normal(s)) for s in shapes]
    for t in ts[:n_diff]:
        t.requires_grad_(True)
    out = fn(ndgrad, *ts)
    outs = list(out) if isinstance(out, tuple) else [out]
    weights = [ndgrad.from_numpy(rng.standard_normal(tuple(o.shape))) for o in outs]
    previous = engine.ARRAY_BACKWARD
    engine.ARRAY_BACKWARD = arrays_mode
    try:
        grads = ndgrad.autograd.grad(outs, ts[:n_diff], weights)
    finally:
        engine.ARRAY_BACKWARD = previous
    return [g.numpy() for g in grads]


@pytest.mark.parametrize(("name", "fn", "shapes", "n_diff"), NN_CASES, ids=[c[0] for c in NN_CASES])
def test_nn_array_backward_matches_tensor_backward(
    name: str, fn: Any, shapes: list[Any], n_diff: int
) -> None:
    fast = _nn_grads(fn, shapes, n_diff, True)
    slow = _nn_grads(fn, shapes, n_diff, False)
    for f, s in zip(fast, slow, strict=True):
        assert f.dtype == s.dtype and f.shape == s.shape
        np.testing.assert_array_equal(f, s)


def _nn_node_names(fn: Any, shapes: list[Any], n_diff: int) -> set[str]:
    rng = np.random.default_rng(3)
    ts = [ndgrad.from_numpy(rng.standard_normal(s)) for s in shapes]
    for t in ts[:n_diff]:
        t.requires_grad_(True)
    out = fn(ndgrad, *ts)
    return _graph_names([o.grad_fn for o in (out if isinstance(out, tuple) else (out,))])


def _graph_names(roots: list[Any]) -> set[str]:
    names: set[str] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node is None or node.name() in names:
            continue
        names.add(node.name())
        stack.extend(n for n, _ in node.next_functions)
    return names


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_subclasses(sub))
    return out


def test_every_numpy_backward_is_exercised_by_the_op_table() -> None:
    """A backward_np no op-table case runs would be checked by nothing above."""
    with_np = {
        f._backward_cls.__name__
        for f in _subclasses(Function)
        if getattr(f, "_backward_cls", None) is not None
        and f._backward_cls._np_backward is not None
    }
    with_np.discard("IndexViewBackward0")  # recorded only as its subclasses (Select, Slice...)
    seen: set[str] = set()
    for case in GRAD_CASES:
        op, sample = case.values
        arrays = _inputs(op, sample)
        if _diff_indices(op, arrays):
            seen |= _node_names(op, sample, arrays)
    for _, fn, shapes, n_diff in NN_CASES:
        seen |= _nn_node_names(fn, shapes, n_diff)
    assert with_np - seen == set()


def test_a_subclass_overriding_backward_does_not_inherit_backward_np() -> None:
    class Base(Function):
        _numpy_forward = True

        @staticmethod
        def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
            return x * 2

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g * 2

        @staticmethod
        def backward_np(ctx: Any, g: np.ndarray) -> np.ndarray:
            return g * 2

    class Child(Base):
        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g * 3

    assert issubclass(Base._backward_cls, BackwardNode)
    assert Base._backward_cls._np_backward is not None
    assert Child._backward_cls._np_backward is None
    x = ndgrad.ones(2, requires_grad=True)
    Child.apply(x).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
