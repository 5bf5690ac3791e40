"""Ops that were missing or recorded other nodes than PyTorch's, fourth batch: ``as_strided``,
what ``index_copy`` and ``put`` save, ``ldexp``'s node, integer ``pow`` with negative
exponents (``aminmax`` and ``scatter``'s invalid gradient: tests/test_ops5_regressions.py).

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

# --- 1: as_strided, a view of the storage -----------------------------------------------------


def _as_strided_overlapping(lib: Any) -> Any:
    x = lib.arange(12.0, dtype=lib.float64).requires_grad_()
    y = x.as_strided((3, 3), (1, 1))
    y.sum().backward()
    return y, y._base is x, type(y.grad_fn.next_functions[0][0]).__name__, x.grad


def _as_strided_of_a_transpose(lib: Any) -> Any:
    x = lib.arange(12.0, dtype=lib.float64).reshape(3, 4).requires_grad_()
    y = x.t().as_strided((2, 2), (2, 1), 1)
    y.backward(lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64))
    return y, type(y.grad_fn.next_functions[0][0]).__name__, x.grad


def _as_strided_outside_its_input(lib: Any) -> Any:
    # the view reads storage elements 0 and 1, which x[2:5] does not cover: no gradient there
    x = lib.arange(12.0, dtype=lib.float64).requires_grad_()
    y = x[2:5].as_strided((4,), (1,), 0)
    y.backward(lib.tensor([1.0, 2.0, 3.0, 4.0], dtype=lib.float64))
    return y, x.grad


def _as_strided_of_an_expanded_input(lib: Any) -> Any:
    # each storage element appears twice in the expanded input: each copy gets half
    a = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
    y = a.expand(2, 3).as_strided((2,), (1,), 0)
    y.backward(lib.tensor([1.0, 5.0], dtype=lib.float64))
    return y, a.grad


def _as_strided_default_offset(lib: Any) -> Any:
    z = lib.arange(12.0)[2:]
    return z.as_strided((2,), (1,)), z.as_strided((2,), (1,), 0), lib.as_strided(z, [2], [3], 1)


def _as_strided_in_place(lib: Any) -> Any:
    x = lib.arange(12.0, dtype=lib.float64).requires_grad_()
    z = x * 1
    w = z.as_strided_((3, 3), (1, 1))
    w.sum().backward()
    return w is z, w, type(w.grad_fn.next_functions[0][0]).__name__, z._version, x.grad


def _as_strided_in_place_no_grad(lib: Any) -> Any:
    z = lib.arange(6.0)
    lib.as_strided_(z, (2, 2), (1, 2), 1)
    return z


def _as_strided_written(lib: Any) -> Any:
    x = lib.arange(6.0, dtype=lib.float64, requires_grad=True)
    y = (x * 1).as_strided((2, 2), (1, 2), 1)
    y.mul_(2)
    y.sum().backward()
    return y, y._base.grad_fn.name(), x.grad


def _as_strided_overlap_written(lib: Any) -> Any:
    x = lib.arange(6.0, dtype=lib.float64)
    x.clone().as_strided((3,), (0,)).mul_(2)


def _as_strided_leaf_in_place(lib: Any) -> Any:
    lib.arange(4.0, requires_grad=True).as_strided_((2,), (1,))


def _as_strided_of_a_permuted_result(lib: Any) -> Any:
    # x * 1 of a permuted (unfolded) x keeps x's layout: its storage is dense, not in C order
    # (fuzz_views: ndgrad refused, "the tensor's memory is a strided numpy array")
    x = lib.arange(16.0, dtype=lib.float64).reshape(4, 4).requires_grad_()
    z = x.unfold(0, 2, 2) * 1
    y = lib.as_strided(z, (2, 3), (2, 5))
    y.mul_(2)
    y.sum().backward()
    return z.stride(), y, z, x.grad


def _as_strided_error(*args: Any, method: bool = True) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        t = lib.arange(6.0)
        return t.as_strided(*args) if method else lib.as_strided(t, *args)

    return program


_AS_STRIDED_ERRORS: list[tuple[tuple[Any, ...], bool, type, str]] = [
    (((2, 2), (1,)), True, RuntimeError, "mismatch in length of strides and shape"),
    (
        ((2,), (-1,), -1),
        False,
        RuntimeError,
        "as_strided: Negative strides are not supported at the moment, got strides: [-1]",
    ),
    (((2,), (1,), -1), True, RuntimeError, "Tensor: invalid storage offset -1"),
    (
        ((3,), (1,), 4),
        True,
        RuntimeError,
        "setStorage: sizes [3], strides [1], storage offset 4, and itemsize 4 requiring a "
        "storage size of 28 are out of bounds for storage of size 24",
    ),
    (
        ((), (), 6),
        False,
        RuntimeError,
        "setStorage: sizes [], strides [], storage offset 6, and itemsize 4 requiring a storage "
        "size of 28 are out of bounds for storage of size 24",
    ),
    (
        ((-1,), (1,)),
        True,
        RuntimeError,
        "Storage size calculation overflowed with sizes=[-1] and strides=[1]",
    ),
    (
        (2, (1,)),
        False,
        TypeError,
        "as_strided(): argument 'size' (position 2) must be tuple of ints, not int",
    ),
    (
        ((2,), [1.0]),
        True,
        TypeError,
        "as_strided(): argument 'stride' (position 2) must be tuple of ints, but found element "
        "of type float at pos 0",
    ),
    (
        ((2,), (1,), True),
        True,
        TypeError,
        "as_strided(): argument 'storage_offset' (position 3) must be int, not bool",
    ),
]

_AS_STRIDED_PROGRAMS = [
    _as_strided_overlapping,
    _as_strided_of_a_transpose,
    _as_strided_outside_its_input,
    _as_strided_of_an_expanded_input,
    _as_strided_default_offset,
    _as_strided_in_place,
    _as_strided_in_place_no_grad,
    _as_strided_written,
    _as_strided_overlap_written,
    _as_strided_leaf_in_place,
    _as_strided_of_a_permuted_result,
    *(_as_strided_error(*args, method=m) for args, m, _, _ in _AS_STRIDED_ERRORS),
]


@pytest.mark.parametrize("program", _AS_STRIDED_PROGRAMS)
@requires_torch
def test_as_strided_matches_torch(program: Callable[[Any], Any]) -> None:
    _assert_same(_run(program, ndgrad), _run(program, torch))


def test_as_strided_values_against_numpy() -> None:
    storage = np.arange(24.0)
    x = ndgrad.tensor(storage)
    for size, stride, offset in [((3, 3), (1, 1), 0), ((2, 4), (5, 2), 3), ((4,), (0,), 7)]:
        expected = np.lib.stride_tricks.as_strided(
            storage[offset:], size, tuple(8 * s for s in stride)
        )
        y = x.reshape(4, 6).t().as_strided(size, stride, offset)
        np.testing.assert_array_equal(y.numpy(), expected)
        assert y.stride() == stride and y.storage_offset() == offset and y._base is x


def test_as_strided_by_hand() -> None:
    y, is_view, _, grad = _as_strided_overlapping(ndgrad)
    assert is_view and y.grad_fn.name() == "AsStridedBackward0"
    # element k of the storage appears in min(k + 1, 3, 5 - k) places of the 3x3 window
    assert grad.tolist() == [1.0, 2.0, 3.0, 2.0, 1.0] + [0.0] * 7
    assert _as_strided_outside_its_input(ndgrad)[1].tolist() == [0, 0, 3, 4] + [0.0] * 8
    assert _as_strided_of_an_expanded_input(ndgrad)[1].tolist() == [1.0, 5.0, 0.0]
    same, w, _, version, grad = _as_strided_in_place(ndgrad)
    assert same and w.grad_fn.name() == "AsStridedBackward1" and version == 1
    assert [v.tolist() for v in _as_strided_default_offset(ndgrad)] == [
        [2.0, 3.0],
        [0.0, 1.0],
        [1.0, 4.0],
    ]
    z = _as_strided_in_place_no_grad(ndgrad)
    assert z.tolist() == [[1.0, 3.0], [2.0, 4.0]] and z.stride() == (1, 2)
    assert _as_strided_written(ndgrad)[2].tolist() == [0.0, 2.0, 2.0, 2.0, 2.0, 0.0]
    strides, y, z, grad = _as_strided_of_a_permuted_result(ndgrad)
    # z[i, j, k] = x[2i + k, j] = 8i + 4k + j sits at storage position 8i + j + 4k: z's
    # storage is 0..15 in order, and y covers positions 0, 5, 10 and 2, 7, 12
    assert strides == (8, 1, 4) and y.tolist() == [[0.0, 10.0, 20.0], [4.0, 14.0, 24.0]]
    flat = [2.0 * k if k in (0, 2, 5, 7, 10, 12) else float(k) for k in range(16)]
    assert z.permute(0, 2, 1).reshape(-1).tolist() == flat
    assert grad.tolist() == [[2, 0, 2, 0], [0, 2, 0, 2], [0, 0, 2, 0], [2, 0, 0, 0]]
    # the storage offset of an expanded view counts from its storage, as PyTorch's
    assert ndgrad.arange(6.0)[1:].expand(2, 5).storage_offset() == 1


@pytest.mark.parametrize(("args", "method", "error", "message"), _AS_STRIDED_ERRORS)
def test_as_strided_errors(args: tuple[Any, ...], method: bool, error: type, message: str) -> None:
    _raises(_as_strided_error(*args, method=method), error, message)


_AS_STRIDED_FUNCTIONS: list[Callable[[Any], Any]] = [
    lambda x: x.as_strided((3, 3), (1, 1)),
    lambda x: x.t().as_strided((2, 2), (2, 1), 1),
    lambda x: x[1].expand(2, 4).as_strided((3,), (1,), 5),
    lambda x: x[1:].as_strided((2, 2), (0, 3)),
    lambda x: ndgrad.as_strided(x, (), (), 11),
    lambda x: (x * 1).as_strided_((2, 2), (1, 1), 2),
]


@pytest.mark.parametrize("fn", _AS_STRIDED_FUNCTIONS)
def test_as_strided_gradcheck(fn: Callable[[Any], Any]) -> None:
    x = _f64(3, 4)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


# --- 2: index_copy and put save the index, and the source when it needs a gradient ----------


def _written_after(op: str, x_grad: bool, source_grad: bool, write: str) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        x = lib.zeros(5, 3, dtype=lib.float64, requires_grad=x_grad)
        s0 = lib.ones(2, 3, dtype=lib.float64, requires_grad=source_grad)
        index = lib.tensor([0, 4])
        source = s0 * 1 if source_grad else s0.clone()
        x1 = x * 1 if x_grad else x.clone()
        if op == "index_copy":
            y = x1.index_copy(0, index, source)
        elif op == "index_copy_":
            y = x1.index_copy_(0, index, source)
        else:
            y = getattr(x1, op.rstrip("a"))(index, source[0, :2], accumulate=op.endswith("a"))
        if "i" in write:
            index.add_(0)
        if "s" in write:
            source.add_(0)
        y.sum().backward()
        return (x.grad if x_grad else None), (s0.grad if source_grad else None)

    return program


_SAVES = [
    (op, x_grad, source_grad, write)
    for op in ("index_copy", "index_copy_", "put", "put_", "puta")
    for x_grad, source_grad in ((True, True), (True, False), (False, True))
    for write in ("i", "s", "is")
]


@pytest.mark.parametrize(("op", "x_grad", "source_grad", "write"), _SAVES)
@requires_torch
def test_index_copy_and_put_saves_match_torch(
    op: str, x_grad: bool, source_grad: bool, write: str
) -> None:
    program = _written_after(op, x_grad, source_grad, write)
    _assert_same(_run(program, ndgrad), _run(program, torch))


@pytest.mark.parametrize("op", ["index_copy", "index_copy_", "put", "put_", "puta"])
def test_index_copy_and_put_saves_by_hand(op: str) -> None:
    index_written = _modified("torch.LongTensor [2]]")
    source = "torch.DoubleTensor [2, 3]], which is output 0 of Add,"
    if op.startswith("put"):  # source[0, :2], re-derived from source after its write
        source = "torch.DoubleTensor [2]], which is output 0 of AsStrided,"
    _raises(_written_after(op, True, True, "is"), RuntimeError, index_written)
    _raises(_written_after(op, False, True, "s"), RuntimeError, _modified(source))
    # a source that needs no gradient is not saved
    assert _written_after(op, True, False, "s")(ndgrad)[0] is not None


def _put_graph(lib: Any) -> Any:
    out = []
    for accumulate in (False, True):
        x = lib.tensor(np.arange(6.0).reshape(2, 3), dtype=lib.float64, requires_grad=True)
        s = lib.tensor([10.0, 20.0, 30.0], dtype=lib.float64, requires_grad=True)
        y = (x * 1).t().put(lib.tensor([0, -1, 0]), s * 1, accumulate=accumulate)
        y.backward(lib.arange(6.0, dtype=lib.float64).reshape(3, 2))
        names = [type(f).__name__ for f, _ in y.grad_fn.next_functions]
        out.append((y, names, x.grad, s.grad))
    return out


def _put_errors(lib: Any) -> Any:
    out = []
    x = lib.zeros(3, 5).t()
    calls = [
        lambda: x.put(lib.tensor([20]), lib.ones(1)),
        lambda: x.put(lib.tensor([-16]), lib.ones(1)),
        lambda: lib.zeros(0).put(lib.tensor([0]), lib.ones(1)),
        lambda: lib.zeros(3).put(lib.tensor([0], dtype=lib.int32), lib.ones(1)),
        lambda: lib.zeros(3).put(lib.tensor([0, 1]), lib.ones(1, dtype=lib.float64)),
    ]
    for call in calls:
        try:
            call()
        except Exception as e:
            out.append((type(e).__name__, str(e)))
    return out


@pytest.mark.parametrize("program", [_put_graph, _put_errors])
@requires_torch
def test_put_matches_torch(program: Callable[[Any], Any]) -> None:
    _assert_same(_run(program, ndgrad), _run(program, torch))


def test_put_by_hand() -> None:
    (y, names, x_grad, s_grad), (y_acc, _, x_grad_acc, s_grad_acc) = _put_graph(ndgrad)
    # a copy in x's layout (PyTorch's clone) written in row-major order: one PutBackward0
    assert y.grad_fn.name() == "PutBackward0" and names == ["TBackward0", "MulBackward0"]
    assert y.stride() == (1, 3)
    np.testing.assert_array_equal(y.detach().numpy(), [[30.0, 3.0], [1.0, 4.0], [2.0, 20.0]])
    assert x_grad.tolist() == [[0.0, 2.0, 4.0], [1.0, 3.0, 0.0]]
    assert s_grad.tolist() == [0.0, 5.0, 0.0]
    np.testing.assert_array_equal(y_acc.detach().numpy(), [[40.0, 3.0], [1.0, 4.0], [2.0, 25.0]])
    assert x_grad_acc.tolist() == [[0.0, 2.0, 4.0], [1.0, 3.0, 5.0]]
    assert s_grad_acc.tolist() == [0.0, 5.0, 0.0]
    messages = [message for _, message in _put_errors(ndgrad)]
    assert messages == [
        "out of range: tried to access index 20 on a tensor of 15 elements.",
        "out of range: tried to access index -16 on a tensor of 15 elements.",
        "put_(): Tried to put elements into an empty tensor",
        "put_(): Expected a long tensor for index, but got Int",
        "put_(): self and source expected to have the same dtype, but got self.dtype = Float "
        "and source.dtype = Double",
    ]


@pytest.mark.parametrize("accumulate", [False, True])
def test_put_gradcheck(accumulate: bool) -> None:
    index = ndgrad.tensor([0, -1, 5])

    def f(x: Any, s: Any) -> Any:
        return x.t().put(index, s, accumulate=accumulate)

    inputs = (_f64(3, 4), _f64(3, seed=1))
    assert gradcheck(f, inputs) and gradgradcheck(f, inputs)


def test_index_copy_gradcheck() -> None:
    def f(x: Any, s: Any) -> Any:
        return x.index_copy(0, ndgrad.tensor([2, 0]), s)

    inputs = (_f64(3, 4), _f64(2, 4, seed=1))
    assert gradcheck(f, inputs) and gradgradcheck(f, inputs)
    y = ndgrad.zeros(5).index_copy(0, ndgrad.tensor([2]), ndgrad.tensor(3.0))
    assert y.tolist() == [0.0, 0.0, 3.0, 0.0, 0.0]


# --- 3: ldexp records LdexpBackward0, saving other (when x needs a gradient) and the result ---


def _ldexp_program(x_grad: bool, other_grad: bool, write: str, integer: bool = False) -> Any:
    def program(lib: Any) -> Any:
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=x_grad)
        if integer:  # PyTorch's pow(2, other) in integers: 0 where other is negative
            other = lib.tensor([1, 0, -1])
        else:
            other = lib.tensor([1.0, 0.0, -1.0], dtype=lib.float64, requires_grad=other_grad)
        o = other * 1 if other_grad else other.clone()
        y = lib.ldexp(x * 1 if x_grad else x.clone(), o)
        names = [None if f is None else type(f).__name__ for f, _ in y.grad_fn.next_functions]
        if "o" in write:
            o.add_(0)
        if "r" in write:
            y.add_(0)
        y.sum().backward()
        return y, names, x.grad, (other.grad if other_grad else None)

    return program


_LDEXP = [
    (x_grad, other_grad, write, False)
    for x_grad, other_grad in ((True, True), (True, False), (False, True))
    for write in ("", "o", "r", "or")
] + [(True, False, write, True) for write in ("", "o", "r", "or")]


@pytest.mark.parametrize(("x_grad", "other_grad", "write", "integer"), _LDEXP)
@requires_torch
def test_ldexp_matches_torch(x_grad: bool, other_grad: bool, write: str, integer: bool) -> None:
    program = _ldexp_program(x_grad, other_grad, write, integer)
    _assert_same(_run(program, ndgrad), _run(program, torch))


def _ldexp_values(lib: Any) -> Any:
    t = lib.tensor
    return [
        lib.ldexp(t([0.0, 1.0, 3.0]), t([2000.0, 200.0, 0.5])),
        lib.ldexp(t([0.0, 1.0]), t([2000, 200])),
        lib.ldexp(t([0.0, 1.0], dtype=lib.float16), t([20, 2])),
        lib.ldexp(t([1, 2]), t([1, 2])),
        lib.ldexp(t([1.0, 2.0]), t([1.0, 2.0], dtype=lib.float64)),
        lib.ldexp(t([1.0, 2.0]), t(3.0, dtype=lib.float64)),
        t([1.0, 2.0], requires_grad=True).mul(1).ldexp_(t([1, 2])),
    ]


def _ldexp_number(lib: Any) -> Any:
    return lib.tensor([1.0]).ldexp(2)


@pytest.mark.parametrize("program", [_ldexp_values, _ldexp_number])
@requires_torch
def test_ldexp_values_match_torch(program: Callable[[Any], Any]) -> None:
    _assert_same(_run(program, ndgrad), _run(program, torch))


def test_ldexp_by_hand() -> None:
    y, names, x_grad, other_grad = _ldexp_program(True, True, "")(ndgrad)
    assert y.grad_fn.name() == "LdexpBackward0" and names == ["MulBackward0", "MulBackward0"]
    np.testing.assert_allclose(x_grad.numpy(), [2.0, 1.0, 0.5])
    np.testing.assert_allclose(other_grad.numpy(), np.array([2.0, 2.0, 1.5]) * np.log(2.0))
    assert _ldexp_program(True, False, "", integer=True)(ndgrad)[2].tolist() == [2.0, 1.0, 0.0]
    result = "torch.DoubleTensor [3]], which is output 0 of Ldexp,"
    _raises(_ldexp_program(False, True, "r"), RuntimeError, _modified(result))
    _raises(
        _ldexp_program(True, False, "or", integer=True),
        RuntimeError,
        _modified("torch.LongTensor [3]]"),
    )
    _ldexp_program(False, True, "o")(ndgrad)  # other is not saved when x needs no gradient
    values = [v.detach().numpy() for v in _ldexp_values(ndgrad)]
    x = np.array([0.0, 1.0, 3.0], np.float32)
    with np.errstate(over="ignore", invalid="ignore"):
        expected = x * np.exp2(np.float32([2000.0, 200.0, 0.5]))
        exact = np.ldexp(np.float32([0.0, 1.0]), [2000, 200])
    np.testing.assert_array_equal(values[0], expected)
    np.testing.assert_array_equal(values[1], exact)
    assert values[2].dtype == np.float16 and values[3].dtype == np.float32
    assert values[4].dtype == np.float64 and values[5].dtype == np.float32
    _raises(
        _ldexp_number, TypeError, "ldexp(): argument 'other' (position 1) must be Tensor, not int"
    )


def test_ldexp_gradcheck() -> None:
    x, other = _f64(4), _f64(4, seed=1)
    assert gradcheck(ndgrad.ldexp, (x, other)) and gradgradcheck(ndgrad.ldexp, (x, other))
    exponents = ndgrad.tensor([1, 0, 2, 3])

    def f(x: Any) -> Any:
        return ndgrad.ldexp(x, exponents)

    assert gradcheck(f, (x,)) and gradgradcheck(f, (x,))


def _integer_powers(lib: Any) -> list[Any]:
    """Integer pow with tensor exponents below 0: PyTorch gives 1 for a base of 1, +-1 for -1,
    0 otherwise (numpy refused the whole call with a ValueError)."""
    cases = [
        lambda: lib.pow(2, lib.tensor([-1, 0, 3])),
        lambda: lib.tensor([2, -1, 1, 3, 0, -1, -3]) ** lib.tensor([-2, -3, -5, 2, -1, -2, -1]),
        lambda: lib.pow(-1, lib.tensor([-1, -2])),
        lambda: lib.tensor([2, 3], dtype=lib.uint8) ** lib.tensor([-1, 2]),
    ]
    return [(r.tolist(), str(r.dtype)) for r in (case() for case in cases)]


def test_integer_powers_with_negative_exponents() -> None:
    assert _integer_powers(ndgrad) == [
        ([0, 1, 8], "torch.int64"),
        ([0, -1, 1, 9, 0, 1, 0], "torch.int64"),
        ([-1, 1], "torch.int64"),
        ([0, 9], "torch.int64"),
    ]


@requires_torch
def test_integer_powers_with_negative_exponents_as_pytorch() -> None:
    assert _integer_powers(ndgrad) == _integer_powers(torch)
