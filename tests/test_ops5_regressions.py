"""Ops that recorded other nodes or raised other errors than PyTorch's, fifth batch: ``aminmax``
as one AminmaxBackward0 node, ``scatter``'s invalid gradient for an index smaller than src, and
``amax``/``amin``'s errors for a dim of the wrong type.

Each program runs under ndgrad and, where it is installed, under PyTorch (everything returned
must agree); each also has a check worked out by hand, so it is tested without PyTorch too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import gradcheck, gradgradcheck

from .helpers import requires_torch, torch
from .programs import assert_same as _assert_same
from .programs import leaf64 as _f64
from .programs import modified as _modified
from .programs import raises as _raises
from .programs import run_with_offsets as _run

# --- 1: aminmax records one AminmaxBackward0 with two outputs ----------------------------------

_TIES = [[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]
_NAN = float("nan")
_INF = float("inf")


def _aminmax_program(values: Any, kwargs: dict[str, Any], use: str, method: bool) -> Any:
    def program(lib: Any) -> Any:
        x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
        mn, mx = x.aminmax(**kwargs) if method else lib.aminmax(x, **kwargs)
        fn = mn.grad_fn
        loss = 0
        if "n" in use:
            loss = loss + (2 * mn).sum()
        if "x" in use:
            loss = loss + (5 * mx).sum()
        loss.backward()
        return (
            mn,
            mx,
            fn is mx.grad_fn,
            [mn.output_nr, mx.output_nr],
            [type(f).__name__ for f, _ in fn.next_functions],
            x.grad,
        )

    return program


_AMINMAX = [
    (values, kwargs, use, method)
    for values in (_TIES, [[1.0, _NAN, 2.0], [3.0, 4.0, 5.0]], [[1.0, _INF, _INF], [1.0, 1.0, 1.0]])
    for kwargs in ({}, {"dim": 1}, {"dim": 0, "keepdim": True}, {"dim": -1, "keepdim": False})
    for use in ("nx", "n", "x")
    for method in (False, True)
] + [
    (3.0, {}, "nx", False),
    (3.0, {"dim": 0}, "nx", True),
    (3.0, {"dim": -1, "keepdim": True}, "x", True),
    ([_NAN, _NAN], {}, "x", False),
]


@pytest.mark.parametrize(("values", "kwargs", "use", "method"), _AMINMAX)
@requires_torch
def test_aminmax_matches_torch(values: Any, kwargs: dict[str, Any], use: str, method: bool) -> None:
    program = _aminmax_program(values, kwargs, use, method)
    _assert_same(_run(program, ndgrad), _run(program, torch))


def _aminmax_write(where: str) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        x = lib.tensor(_TIES, dtype=lib.float64, requires_grad=True)
        z = x * 1
        mn, mx = z.aminmax(dim=1)
        {"self": z, "min": mn, "max": mx}[where].add_(1)
        (mn.sum() + mx.sum()).backward()
        return x.grad

    return program


def _aminmax_twice(lib: Any) -> Any:
    x = lib.tensor(_TIES, dtype=lib.float64, requires_grad=True)
    mn, mx = lib.aminmax(x)
    (mn + mx).backward()
    (mn + mx).backward()


def _aminmax_out(lib: Any) -> Any:
    x = lib.tensor(_TIES, dtype=lib.float64)
    lo, hi = lib.empty(0, dtype=lib.float64), lib.empty(0, dtype=lib.float64)
    r = lib.aminmax(x, dim=1, out=(lo, hi))
    return r.min is lo, r.max is hi, lo, hi, lib.aminmax(lib.tensor([1, 5, 3]))


@pytest.mark.parametrize(
    "program",
    [
        _aminmax_write("self"),
        _aminmax_write("min"),
        _aminmax_write("max"),
        _aminmax_twice,
        _aminmax_out,
    ],
)
@requires_torch
def test_aminmax_saves_match_torch(program: Callable[[Any], Any]) -> None:
    _assert_same(_run(program, ndgrad), _run(program, torch))


def test_aminmax_by_hand() -> None:
    mn, mx, same, nrs, nexts, grad = _aminmax_program(_TIES, {}, "nx", False)(ndgrad)
    assert mn.grad_fn.name() == "AminmaxBackward0" and same and nrs == [0, 1]
    assert nexts == ["AccumulateGrad"] and (mn.item(), mx.item()) == (0.0, 3.0)
    # the minimum 0 once gets 2; the maximum 3 twice gets 5 / 2 each
    np.testing.assert_array_equal(grad.numpy(), [[0.0, 2.5, 2.5], [0.0, 0.0, 2.0]])
    mn, mx, *_, grad = _aminmax_program(_TIES, {"dim": 1}, "nx", True)(ndgrad)
    np.testing.assert_array_equal(mn.detach().numpy(), np.min(_TIES, axis=1))
    np.testing.assert_array_equal(mx.detach().numpy(), np.max(_TIES, axis=1))
    np.testing.assert_array_equal(grad.numpy(), [[2.0, 2.5, 2.5], [2.5, 2.5, 2.0]])
    *_, grad = _aminmax_program(_TIES, {"dim": 0, "keepdim": True}, "x", True)(ndgrad)
    np.testing.assert_array_equal(grad.numpy(), [[0.0, 5.0, 5.0], [5.0, 0.0, 0.0]])
    # a nan result: no element equals it, the weights are 0/0 for the other output too
    nan_rows = [[1.0, _NAN, 2.0], [3.0, 4.0, 5.0]]
    *_, grad = _aminmax_program(nan_rows, {"dim": 1}, "x", False)(ndgrad)
    np.testing.assert_array_equal(grad.numpy(), [[_NAN] * 3, [0.0, 0.0, 5.0]])
    *_, grad = _aminmax_program(3.0, {}, "nx", False)(ndgrad)
    assert grad.item() == 7.0
    for where, name in (("self", "Add"), ("min", "Aminmax"), ("max", "Aminmax")):
        nr = 1 if where == "max" else 0
        what = f"torch.DoubleTensor [{'2, 3' if where == 'self' else '2'}]], which is output"
        _raises(_aminmax_write(where), RuntimeError, _modified(f"{what} {nr} of {name},"))
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        _aminmax_twice(ndgrad)


@pytest.mark.parametrize("kwargs", [{}, {"dim": 1}, {"dim": 0, "keepdim": True}])
def test_aminmax_gradcheck(kwargs: dict[str, Any]) -> None:
    def f(x: Any) -> Any:
        return tuple(ndgrad.aminmax(x, **kwargs))

    x = _f64(3, 4)
    assert gradcheck(f, (x,)) and gradgradcheck(f, (x,))


# --- 2: scatter with an index smaller than src: src's gradient has the index's shape ---------


def _scatter_program(op: str, need: str, src_shape: tuple[int, ...] = (2, 3)) -> Any:
    def program(lib: Any) -> Any:
        x = lib.zeros(3, 4, dtype=lib.float64, requires_grad="x" in need)
        n = int(np.prod(src_shape))
        src = lib.arange(n, dtype=lib.float64).reshape(src_shape).requires_grad_("s" in need)
        index = lib.tensor([[0, 1], [2, 0]])
        if op == "scatter":
            y = lib.scatter(x, 1, index, src)
        elif op == "scatter_":
            y = (x * 1).scatter_(1, index, src)
        elif op == "scatter_add":
            y = lib.scatter_add(x, 1, index, src)
        elif op == "scatter_add_":
            y = (x * 1).scatter_add_(1, index, src)
        else:
            y = lib.scatter_reduce(x, 1, index, src, op)
        names = [None if f is None else type(f).__name__ for f, _ in y.grad_fn.next_functions]
        y.sum().backward()
        return y, names, x.grad, src.grad

    return program


_SCATTERS = ("scatter", "scatter_", "scatter_add", "scatter_add_", "sum", "mean")


@pytest.mark.parametrize("op", _SCATTERS)
@pytest.mark.parametrize("need", ["xs", "s", "x"])
@requires_torch
def test_scatter_src_larger_than_index_matches_torch(op: str, need: str) -> None:
    for shape in ((2, 3), (2, 2), (3, 2)):
        program = _scatter_program(op, need, shape)
        _assert_same(_run(program, ndgrad), _run(program, torch))


def _invalid(node: str, got: str, expected: str) -> str:
    return (
        f"Function {node} returned an invalid gradient at index 1 - got [{got}] but expected "
        f"shape compatible with [{expected}]"
    )


@pytest.mark.parametrize("op", _SCATTERS)
def test_scatter_src_larger_than_index_by_hand(op: str) -> None:
    node = {"scatter": "ScatterBackward0", "scatter_": "ScatterBackward0"}.get(op)
    node = node or ("ScatterAddBackward0" if "add" in op else "ScatterReduceBackward0")
    for need in ("xs", "s"):
        _raises(_scatter_program(op, need), RuntimeError, _invalid(node, "2, 2", "2, 3"))
        _raises(_scatter_program(op, need, (3, 2)), RuntimeError, _invalid(node, "2, 2", "3, 2"))
    # the values use src's leading block; x alone gets its gradient
    y, names, x_grad, src_grad = _scatter_program(op, "x")(ndgrad)
    assert src_grad is None and x_grad is not None and names[1] is None
    expected = np.zeros((3, 4))
    block = np.array([[0.0, 1.0], [3.0, 4.0]])
    index = np.array([[0, 1], [2, 0]])
    for i in range(2):
        for j in range(2):
            if op.startswith("scatter") and "add" not in op:
                expected[i, index[i, j]] = block[i, j]
            else:
                expected[i, index[i, j]] += block[i, j]
    if op == "mean":
        expected[0, :2] /= 2
        expected[1, [0, 2]] /= 2
    np.testing.assert_allclose(y.detach().numpy(), expected)
    # an index of src's shape: src gets the gradient at the index
    *_, src_grad = _scatter_program(op, "xs", (2, 2))(ndgrad)
    assert src_grad.shape == (2, 2)


def test_scatter_1d_src_larger_than_index() -> None:
    x = ndgrad.zeros(5, dtype=ndgrad.float64, requires_grad=True)
    src = ndgrad.arange(4.0, dtype=ndgrad.float64, requires_grad=True)
    y = ndgrad.scatter(x, 0, ndgrad.tensor([1, 3]), src)
    assert y.tolist() == [0.0, 0.0, 0.0, 1.0, 0.0]
    with pytest.raises(RuntimeError) as info:
        y.sum().backward()
    assert str(info.value) == _invalid("ScatterBackward0", "2", "4")


@pytest.mark.parametrize("op", ["scatter", "scatter_add", "sum", "mean"])
def test_scatter_gradcheck(op: str) -> None:
    index = ndgrad.tensor([[0, 1], [2, 3]])

    def f(x: Any, src: Any) -> Any:
        if op == "scatter":
            return ndgrad.scatter(x, 1, index, src)
        if op == "scatter_add":
            return ndgrad.scatter_add(x, 1, index, src)
        return ndgrad.scatter_reduce(x, 1, index, src, op)

    x, src = _f64(3, 4), _f64(2, 2, seed=1)
    assert gradcheck(f, (x, src)) and gradgradcheck(f, (x, src))
