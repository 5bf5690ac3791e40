"""Indexing: x[key] and x[key] = v (gradients, views, versions), the index ops' errors."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import gradcheck, gradgradcheck

from .helpers import assert_close, requires_torch, torch


def _leaf(shape, seed=0):
    data = np.random.default_rng(seed).standard_normal(shape)
    return ndgrad.tensor(data, requires_grad=True)


# --- gradients -----------------------------------------------------------------------------------


def test_repeated_indices_accumulate() -> None:
    x = _leaf((4,))
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0, 0.0]


def test_repeated_indices_accumulate_weighted_2d() -> None:
    x = _leaf((3, 2))
    idx = ndgrad.tensor([[1, 1], [2, 1]])
    w = np.arange(1.0, 9.0).reshape(2, 2, 2)
    (x[idx] * ndgrad.tensor(w)).sum().backward()
    expected = np.zeros((3, 2))
    np.add.at(expected, idx.numpy(), w)
    assert_close(x.grad, expected)


@pytest.mark.parametrize(
    "op",
    [
        lambda x, i: x.index_select(0, i),
        lambda x, i: x.take(i),
        lambda x, i: x.gather(0, i),
        lambda x, i: x[i],
    ],
    ids=["index_select", "take", "gather", "getitem"],
)
def test_repeated_indices_accumulate_in_index_ops(op) -> None:
    x = _leaf((3,))
    op(x, ndgrad.tensor([2, 2, 2, 0])).sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 3.0]


def test_scatter_add_accumulates_repeated_indices() -> None:
    x = ndgrad.zeros(3)
    src = ndgrad.tensor([1.0, 2.0, 4.0])
    out = x.scatter_add(0, ndgrad.tensor([1, 1, 1]), src)
    assert out.tolist() == [0.0, 7.0, 0.0]


def test_setitem_gradient_reaches_old_and_written_values() -> None:
    x = _leaf((3, 4))
    v = _leaf((4,), seed=1)
    y = x * 2
    y[1] = v
    w = np.random.default_rng(2).standard_normal((3, 4))
    (y * ndgrad.tensor(w)).sum().backward()
    expected_x = 2 * w
    expected_x[1] = 0  # overwritten positions get no gradient
    assert_close(x.grad, expected_x)
    assert_close(v.grad, w[1])


def test_setitem_broadcast_value_gradient_is_summed() -> None:
    x = _leaf((3, 4))
    v = _leaf((3, 1), seed=1)
    y = x.clone()
    y[:, [0, 2]] = v
    w = np.random.default_rng(2).standard_normal((3, 4))
    (y * ndgrad.tensor(w)).sum().backward()
    assert_close(v.grad, w[:, [0, 2]].sum(1, keepdims=True))
    expected_x = w.copy()
    expected_x[:, [0, 2]] = 0
    assert_close(x.grad, expected_x)


def test_setitem_mask_and_scalar() -> None:
    x = _leaf((2, 3))
    y = x * 1
    m = y > 0
    y[m] = 0.0
    y.sum().backward()
    assert_close(x.grad, np.where(m.numpy(), 0.0, 1.0))


def test_setitem_into_plain_tensor_records_value_gradient() -> None:
    v = _leaf((2,))
    buf = ndgrad.zeros(3, 2)
    buf[0] = v
    buf[2] = v * 3
    assert buf.requires_grad and not buf.is_leaf
    buf.sum().backward()
    assert v.grad.tolist() == [4.0, 4.0]


def test_setitem_twice_differentiable() -> None:
    def f(x, v):
        y = x * x
        y[1:, [0, 2]] = v * v
        return y

    x, v = _leaf((3, 4)), _leaf((2, 1), seed=1)
    assert gradcheck(f, (x, v))
    assert gradgradcheck(f, (x, v))


def test_getitem_gradgrad_with_repeats() -> None:
    x = _leaf((3, 2))
    assert gradgradcheck(lambda t: t[[0, 0, 2]][:, None, 1] ** 2, (x,))


def test_setitem_after_use_is_detected_in_backward() -> None:
    x = _leaf((3,))
    y = x * 2
    z = y * y  # saves y
    y[0] = 1.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


# --- in-place rules ------------------------------------------------------------------------------


def test_setitem_on_leaf_requiring_grad_raises() -> None:
    x = _leaf((3,))
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "a leaf Variable that requires grad is being used in an in-place operation."
        ),
    ):
        x[[0]] = 1.0
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
        ),
    ):
        x[0] = 1.0
    assert x._version == 0


def test_setitem_under_no_grad_is_plain() -> None:
    x = _leaf((3,))
    before = x.detach().numpy().copy()
    with ndgrad.no_grad():
        x[1] = 5.0
        x[[0, 0]] = ndgrad.tensor([7.0, 7.0], dtype=ndgrad.float64)
    assert x.is_leaf and x.requires_grad and x._version == 2
    assert x.tolist() == [7.0, 5.0, before[2]]


def test_setitem_casts_for_basic_keys_and_checks_dtype_for_index_keys() -> None:
    x = ndgrad.zeros(2, 3, dtype=ndgrad.int64)
    x[0] = ndgrad.tensor(2.7)
    x[1, 1:] = ndgrad.tensor([1.9, -1.5])
    assert x.tolist() == [[2, 2, 2], [0, 1, -1]]
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "Index put requires the source and destination dtypes match, got Long for the "
            "destination and Float for the source."
        ),
    ):
        x[[0]] = ndgrad.tensor([2.5])


# --- views ---------------------------------------------------------------------------------------


def test_basic_index_is_a_view() -> None:
    x = ndgrad.zeros(3, 4)
    row = x[1]
    row[2] = 5.0  # writes through the view
    assert x[1, 2].item() == 5.0
    assert x._version == row._version == 1
    x[0, ::2] = 1.0
    assert x.tolist()[0] == [1.0, 0.0, 1.0, 0.0]
    assert row._version == 2
    sub = x[:, 1:3][None]
    sub.fill_(9.0)
    assert x[:, 1:3].sum().item() == 9.0 * 6
    assert x[...]._version == x._version


def test_advanced_index_is_a_copy() -> None:
    x = ndgrad.zeros(3, 4)
    picked = x[[0, 1]]
    picked.fill_(1.0)
    masked = x[x == 0]
    masked.fill_(1.0)
    assert x.sum().item() == 0.0 and x._version == 0


def test_iteration_still_unbinds() -> None:
    x = _leaf((3, 2))
    rows = list(x)
    assert len(rows) == 3 and rows[1].tolist() == x[1].tolist()
    sum(r.sum() for r in rows).backward()
    assert x.grad.tolist() == [[1.0, 1.0]] * 3


# --- errors and node names vs torch --------------------------------------------------------------


def _x(lib):
    return lib.zeros(2, 3, 4)


def _setitem(lib, key, value):
    x = _x(lib)
    x[key] = value(lib) if callable(value) else value


ERRORS = {
    "float_index": lambda lib: _x(lib)[lib.tensor([1.0])],
    "float_0d_index": lambda lib: _x(lib)[lib.tensor(0.0)],
    "int16_index": lambda lib: _x(lib)[lib.tensor([1], dtype=lib.int16)],
    "float_key": lambda lib: _x(lib)[1.5],
    "str_key": lambda lib: _x(lib)["a"],
    "str_list_key": lambda lib: _x(lib)[["a"]],
    "dict_key": lambda lib: _x(lib)[{}],
    "int_out_of_range": lambda lib: _x(lib)[5],
    "int_out_of_range_neg": lambda lib: _x(lib)[-3],
    "int_out_of_range_dim2": lambda lib: _x(lib)[0, 0, 4],
    "tensor_out_of_range": lambda lib: _x(lib)[lib.tensor([5])],
    "tensor_out_of_range_second": lambda lib: _x(lib)[:, lib.tensor([5, -7])],
    "list_out_of_range": lambda lib: _x(lib)[[0, 1], :, [0, 5]],
    "out_of_range_first_by_position": lambda lib: lib.zeros(1, 2, 4)[None, [0, 1], [-3, 3]],
    "too_many": lambda lib: _x(lib)[0, 0, 0, 0],
    "too_many_0d": lambda lib: lib.tensor(1.0)[[0]],
    "int_on_0d": lambda lib: lib.tensor(1.0)[0],
    "slice_on_0d": lambda lib: lib.tensor(1.0)[:],
    "negative_step": lambda lib: _x(lib)[::-1],
    "zero_step": lambda lib: _x(lib)[::0],
    "mask_shape": lambda lib: _x(lib)[lib.ones(3, dtype=lib.bool)],
    "mask_shape_2d": lambda lib: _x(lib)[:, lib.ones(3, 3, dtype=lib.bool)],
    "mask_shape_after_none": lambda lib: _x(lib)[None, lib.ones(3, dtype=lib.bool)],
    "int_out_of_range_after_none": lambda lib: _x(lib)[None, 0, 5],
    "tuple_int_on_0d": lambda lib: lib.tensor(1.0)[0,],
    "index_into_empty_dim": lambda lib: lib.zeros(0, 3)[lib.tensor([0])],
    "broadcast_indices": lambda lib: _x(lib)[[0, 1], [0, 1, 2]],
    "set_leaf": lambda lib: lib.zeros(3, requires_grad=True).__setitem__([0], 1.0),
    "set_leaf_view": lambda lib: lib.zeros(3, requires_grad=True).__setitem__(0, 1.0),
    "set_shape": lambda lib: _setitem(lib, 0, lambda lib: lib.zeros(2, 4)),
    "set_shape_fewer": lambda lib: _setitem(lib, (0, 0, 0), lambda lib: lib.zeros(2)),
    "set_shape_advanced": lambda lib: _setitem(lib, [0, 1], lambda lib: lib.zeros(3, 3, 4)),
    "set_dtype_advanced": lambda lib: _setitem(lib, [0], lambda lib: lib.zeros(1, 3, 4).double()),
    "set_out_of_range": lambda lib: _setitem(lib, 5, 1.0),
    "set_out_of_range_advanced": lambda lib: _setitem(lib, [5], 1.0),
    "set_float_index": lambda lib: _setitem(lib, lib.tensor([0.0]), 1.0),
    "set_shape_checked_before_bounds": lambda lib: _setitem(
        lib, (None, [2], 0), lambda lib: lib.ones(2)
    ),
    "set_out_of_range_empty_dim": lambda lib: lib.zeros(0, 3).__setitem__([0], 1.0),
    "set_byte_mask_one_value": lambda lib: _setitem(
        lib, lib.tensor([0, 1], dtype=lib.uint8), lambda lib: lib.tensor(1.0)
    ),
    "set_mask_dtype_many_values": lambda lib: _setitem(
        lib, lib.ones(2, 3, dtype=lib.bool), lambda lib: lib.ones(4, dtype=lib.float64)
    ),
    "gather_ndim": lambda lib: _x(lib).gather(0, lib.zeros(1, 3, dtype=lib.long)),
    "gather_size": lambda lib: _x(lib).gather(0, lib.zeros(1, 5, 4, dtype=lib.long)),
    "gather_bounds": lambda lib: _x(lib).gather(0, lib.full((1, 3, 4), 5)),
    "gather_negative": lambda lib: _x(lib).gather(1, lib.full((1, 3, 4), -1)),
    "gather_dtype": lambda lib: _x(lib).gather(0, lib.zeros(1, 3, 4)),
    "scatter_ndim": lambda lib: _x(lib).scatter(0, lib.zeros(1, 3, dtype=lib.long), 1.0),
    "scatter_size": lambda lib: _x(lib).scatter(0, lib.zeros(1, 5, 4, dtype=lib.long), 1.0),
    "scatter_src_size": lambda lib: _x(lib).scatter(
        0, lib.zeros(1, 3, 4, dtype=lib.long), _x(lib)[:1, :2]
    ),
    "scatter_src_dtype": lambda lib: _x(lib).scatter(
        0, lib.zeros(1, 3, 4, dtype=lib.long), _x(lib).double()
    ),
    "scatter_bounds": lambda lib: _x(lib).scatter(0, lib.full((1, 3, 4), 7), 1.0),
    "scatter_dtype": lambda lib: _x(lib).scatter(0, lib.zeros(1, 3, 4), 1.0),
    "scatter_add_number": lambda lib: _x(lib).scatter_add(
        0, lib.zeros(1, 3, 4, dtype=lib.long), 1.0
    ),
    "index_select_matrix": lambda lib: _x(lib).index_select(0, lib.tensor([[0]])),
    "index_select_float": lambda lib: _x(lib).index_select(0, lib.tensor([0.0])),
    "index_select_bounds": lambda lib: _x(lib).index_select(0, lib.tensor([5])),
    "index_select_negative": lambda lib: _x(lib).index_select(0, lib.tensor([-1])),
    "masked_fill_float_mask": lambda lib: _x(lib).masked_fill(_x(lib), 1.0),
    "masked_fill_value_dim": lambda lib: _x(lib).masked_fill(_x(lib) > 0, lib.tensor([1.0])),
    "masked_fill_broadcast": lambda lib: _x(lib).masked_fill(lib.ones(5, dtype=lib.bool), 1.0),
    "masked_select_float_mask": lambda lib: _x(lib).masked_select(_x(lib)),
    "masked_select_broadcast": lambda lib: _x(lib).masked_select(lib.ones(5, dtype=lib.bool)),
    "take_bounds": lambda lib: _x(lib).take(lib.tensor([24])),
    "take_bounds_neg": lambda lib: _x(lib).take(lib.tensor([-25])),
    "take_int32": lambda lib: _x(lib).take(lib.tensor([1], dtype=lib.int32)),
    "take_float": lambda lib: _x(lib).take(lib.tensor([1.0])),
    "take_from_empty": lambda lib: lib.zeros(0).take(lib.tensor([0])),
    "index_add_count": lambda lib: _x(lib).index_add(0, lib.tensor([0, 1]), lib.ones(3, 3, 4)),
    "index_add_shape": lambda lib: _x(lib).index_add(0, lib.tensor([0, 1]), lib.ones(2, 3, 5)),
    "index_add_dtype": lambda lib: _x(lib).index_add(0, lib.tensor([0.0]), lib.ones(1, 3, 4)),
    "index_add_matrix": lambda lib: _x(lib).index_add(0, lib.tensor([[0]]), lib.ones(1, 3, 4)),
    "index_add_bounds": lambda lib: _x(lib).index_add(0, lib.tensor([0, 5]), lib.ones(2, 3, 4)),
    "index_add_negative": lambda lib: _x(lib).index_add(0, lib.tensor([-1]), lib.ones(1, 3, 4)),
    "index_add_bounds_middle_dim": lambda lib: _x(lib).index_add(
        1, lib.tensor([3]), lib.ones(2, 1, 4)
    ),
    "index_add_bounds_1d": lambda lib: lib.zeros(3).index_add(0, lib.tensor([3]), lib.ones(1)),
    "index_add_src_dtype": lambda lib: _x(lib).index_add(
        0, lib.tensor([0]), lib.ones(1, 3, 4, dtype=lib.float64)
    ),
    "index_fill_bounds": lambda lib: _x(lib).index_fill(1, lib.tensor([7]), 1.0),
    "index_fill_int32": lambda lib: _x(lib).index_fill(1, lib.tensor([1], dtype=lib.int32), 1.0),
    "index_fill_matrix": lambda lib: _x(lib).index_fill(1, lib.tensor([[1]]), 1.0),
    "index_fill_value_dim": lambda lib: _x(lib).index_fill(1, lib.tensor([1]), lib.ones(1)),
    "index_copy_count": lambda lib: _x(lib).index_copy(0, lib.tensor([0, 1]), lib.ones(3, 3, 4)),
    "index_copy_shape": lambda lib: _x(lib).index_copy(0, lib.tensor([0, 1]), lib.ones(2, 3, 5)),
    "index_copy_bounds": lambda lib: _x(lib).index_copy(0, lib.tensor([0, 5]), lib.ones(2, 3, 4)),
    "index_copy_negative": lambda lib: _x(lib).index_copy(0, lib.tensor([-1]), lib.ones(1, 3, 4)),
    "index_copy_int32": lambda lib: _x(lib).index_copy(
        0, lib.tensor([0], dtype=lib.int32), lib.ones(1, 3, 4)
    ),
    "index_copy_src_dtype": lambda lib: _x(lib).index_copy(
        0, lib.tensor([0]), lib.ones(1, 3, 4, dtype=lib.float64)
    ),
    "gather_0d_bounds": lambda lib: lib.tensor(1.0).gather(0, lib.tensor([1])),
    "gather_0d_ndim": lambda lib: lib.tensor(1.0).gather(0, lib.zeros(1, 1, dtype=lib.long)),
    "index_select_0d_count": lambda lib: lib.tensor(1.0).index_select(0, lib.tensor([0, 0])),
    "index_select_empty_dim": lambda lib: lib.zeros(0, 3).index_select(0, lib.tensor([0])),
    "index_select_dim1_bounds": lambda lib: _x(lib).index_select(1, lib.tensor([0, 3])),
    "index_select_1d_bounds": lambda lib: lib.zeros(3).index_select(0, lib.tensor([3])),
}


def _raised(fn, lib):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(lib)
    except Exception as e:  # the exception itself is what is compared
        return type(e).__name__, str(e)
    return None


@requires_torch
@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_matches_torch(name: str) -> None:
    fn = ERRORS[name]
    expected = _raised(fn, torch)
    assert expected is not None, "the case must be an error in PyTorch"
    assert _raised(fn, ndgrad) == expected


@pytest.mark.parametrize(
    ("name", "exc", "message"),
    [
        (
            "float_index",
            IndexError,
            "tensors used as indices must be long, int, byte or bool tensors",
        ),
        ("int_out_of_range", IndexError, "index 5 is out of bounds for dimension 0 with size 2"),
        ("tensor_out_of_range", IndexError, "index 5 is out of bounds for dimension 0 with size 2"),
        ("too_many", IndexError, "too many indices for tensor of dimension 3"),
        ("negative_step", ValueError, "step must be greater than zero"),
        (
            "mask_shape",
            IndexError,
            "The shape of the mask [3] at index 0 does not match the shape of the indexed tensor "
            "[2, 3, 4] at index 0",
        ),
        (
            "broadcast_indices",
            IndexError,
            "shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]",
        ),
        ("index_select_bounds", IndexError, "index out of range in self"),
        (
            "take_bounds",
            IndexError,
            "out of range: tried to access index 24 on a tensor of 24 elements.",
        ),
    ],
)
def test_error_text(name: str, exc: type[Exception], message: str) -> None:
    with pytest.raises(exc, match="^" + re.escape(message) + "$"):
        ERRORS[name](ndgrad)


GETITEM_KEYS = {
    "int": lambda lib: 0,
    "slice": lambda lib: slice(1, None),
    "full_slice": lambda lib: slice(None),
    "int_full_slice": lambda lib: (0, slice(None)),
    "full_slices": lambda lib: (slice(None), slice(0, 3)),
    "ellipsis": lambda lib: Ellipsis,
    "empty_tuple": lambda lib: (),
    "none": lambda lib: None,
    "slice_none": lambda lib: (slice(1, None), None),
    "none_slice": lambda lib: (None, slice(1, None)),
    "ellipsis_int": lambda lib: (Ellipsis, 0),
    "int_tensor_0d": lambda lib: lib.tensor(1),
    "list": lambda lib: [0, 1],
    "mask": lambda lib: lib.ones(2, 3, dtype=lib.bool),
    "bool": lambda lib: True,
    "int_and_list": lambda lib: (0, [0, 1]),
    "numpy_int": lambda lib: np.int64(1),
    "float_list": lambda lib: [1.5, 0.9],
    "range": lambda lib: range(1, 2),
    "slice_as_written": lambda lib: slice(-2, None),  # selects all of dim 0, still a slice
    "slice_past_end": lambda lib: (slice(0, 9), 0),
    "tensor_slice_bounds": lambda lib: slice(lib.tensor(1), None),
    "empty_result_no_bounds_check": lambda lib: (slice(0, 0), [7]),
    "mask_then_none": lambda lib: (lib.ones(2, dtype=lib.bool), None, slice(1, None)),
}

SETITEM_CASES = {
    "int": (lambda lib: 0, lambda lib: lib.ones(3, 4)),
    "int_tensor_value": (lambda lib: 0, lambda lib: lib.tensor(2.0)),
    "slice": (lambda lib: slice(1, None), lambda lib: lib.ones(3, 4)),
    "list": (lambda lib: [0, 1], lambda lib: lib.tensor(2.0)),
    "mask": (lambda lib: lib.ones(2, 3, dtype=lib.bool), lambda lib: lib.tensor(2.0)),
    "int_and_list": (lambda lib: (0, slice(None), [0, 1]), lambda lib: lib.ones(3, 2)),
    "ellipsis_number": (lambda lib: Ellipsis, lambda lib: 2.0),
    "ellipsis_tensor": (lambda lib: Ellipsis, lambda lib: lib.ones(3, 4)),
    "full_slice_0d": (lambda lib: slice(None), lambda lib: lib.tensor(1.0)),
    "full_slice_one_element": (lambda lib: slice(None), lambda lib: lib.ones(1)),
    "full_slices_int": (lambda lib: (slice(0, 9), 1), lambda lib: lib.ones(4)),
    "bool": (lambda lib: True, lambda lib: lib.ones(3, 4)),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(GETITEM_KEYS))
def test_getitem_node_and_view_match_torch(name: str) -> None:
    key = GETITEM_KEYS[name]
    results = []
    for lib in (ndgrad, torch):
        x = lib.zeros(2, 3, 4, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = x[key(lib)]
        results.append((type(y.grad_fn).__name__, tuple(y.shape), y._base is not None))
    assert results[0] == results[1]


@requires_torch
@pytest.mark.parametrize("name", sorted(SETITEM_CASES))
def test_setitem_node_matches_torch(name: str) -> None:
    key, value = SETITEM_CASES[name]
    names = []
    for lib in (ndgrad, torch):
        y = lib.zeros(2, 3, 4, requires_grad=True) * 1
        y[key(lib)] = value(lib)
        names.append((type(y.grad_fn).__name__, y._version))
    assert names[0] == names[1]


@requires_torch
def test_index_op_nodes_match_torch() -> None:
    def ops(lib):
        x = lib.zeros(2, 3, 4, requires_grad=True)
        i = lib.zeros(1, 3, 4, dtype=lib.long)
        return [
            x.gather(0, i),
            x.scatter(0, i, x[:1]),
            x.scatter(0, i, 1.0),
            x.scatter_add(0, i, x[:1]),
            x.index_select(1, lib.tensor([0, 0])),
            x.masked_fill(x > 0, 1.0),
            x.masked_fill(x > 0, lib.tensor(1.0)),
            x.masked_select(x > 0),
            x.take(lib.tensor([0, 5])),
            x.index_add(1, lib.tensor([0, 0]), x[:, :2], alpha=2),
            x.index_fill(1, lib.tensor([0, 2]), 2.0),
            x.index_fill(1, lib.tensor([0, 2]), lib.tensor(2.0)),
            x.index_copy(1, lib.tensor([0, 2]), x[:, :2]),
        ]

    names = [[type(t.grad_fn).__name__ for t in ops(lib)] for lib in (ndgrad, torch)]
    assert names[0] == names[1]


def test_scatter_add_messages_name_scatter() -> None:
    x = ndgrad.zeros(2, 3)
    with pytest.raises(RuntimeError, match=re.escape("scatter(): Expected dtype int32/int64")):
        x.scatter_add(0, ndgrad.zeros(1, 3), x)
    with pytest.raises(RuntimeError, match=re.escape("scatter(): Expected self.dtype to be")):
        x.scatter_add(0, ndgrad.zeros(1, 3, dtype=ndgrad.long), x.double())


# --- in-place writes through views of graph tensors ----------------------------------------------


def _write_through_view(lib, case, x, v):
    y = x * x
    if case == "setitem_on_row":
        r = y[0]
        r[1:3] = v
    elif case == "chained_index":
        y[1][[0, 2]] = v
    elif case == "mul_on_column":
        y[:, 1].mul_(v[0])
    elif case == "view_of_view":
        r = y.t()[2]
        r[::2] = v
        r.add_(1.0)
    elif case == "diagonal":
        y.diagonal()[0:2] = v * 2
    elif case == "into_plain_buffer":
        buf = lib.zeros(3, 4, dtype=lib.float64)
        buf[1][1:3] = v
        y = buf + y
    return y


VIEW_CASES = [
    "setitem_on_row",
    "chained_index",
    "mul_on_column",
    "view_of_view",
    "diagonal",
    "into_plain_buffer",
]


@requires_torch
@pytest.mark.parametrize("case", VIEW_CASES)
def test_write_through_view_matches_torch(case: str) -> None:
    results = []
    for lib in (ndgrad, torch):
        x = lib.tensor(np.arange(12.0).reshape(3, 4) / 7, requires_grad=True)
        v = lib.tensor([0.5, -1.5], dtype=lib.float64, requires_grad=True)
        y = _write_through_view(lib, case, x, v)
        (y * lib.tensor(np.arange(12.0).reshape(3, 4))).sum().backward()
        results.append((type(y.grad_fn).__name__, y, x.grad, v.grad))
    nd, th = results
    assert nd[0] == th[0]
    for a, b in zip(nd[1:], th[1:], strict=True):
        assert_close(a, b)


@pytest.mark.parametrize("case", VIEW_CASES)
def test_write_through_view_twice_differentiable(case: str) -> None:
    x, v = _leaf((3, 4)), _leaf((2,), seed=1)
    assert gradcheck(lambda a, b: _write_through_view(ndgrad, case, a, b), (x, v))
    assert gradgradcheck(lambda a, b: _write_through_view(ndgrad, case, a, b), (x, v))


def test_write_through_view_updates_base_and_nodes() -> None:
    x = _leaf((2, 3))
    y = x * 1
    row = y[1]
    row[0] = 10.0
    assert y[1, 0].item() == 10.0 and y._version == row._version == 1
    assert type(y.grad_fn).__name__ == "CopySlices"
    assert type(row.grad_fn).__name__ == "AsStridedBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [[1.0, 1.0, 1.0], [0.0, 1.0, 1.0]]


def test_write_through_view_of_leaf_raises() -> None:
    x = _leaf((2, 3))
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
        ),
    ):
        x[0].mul_(2)


@requires_torch
def test_index_ops_on_0d_and_empty_match_torch() -> None:
    def run(lib):
        s = lib.tensor(2.0, dtype=lib.float64, requires_grad=True)
        x = lib.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
        long = lib.long
        outs = [
            s.gather(0, lib.tensor(0)),
            s.gather(-1, lib.zeros(3, dtype=long)),
            s.scatter(0, lib.zeros(2, dtype=long), 5.0),
            s.scatter_add(0, lib.tensor(0), s * 3),
            s.index_select(0, lib.tensor([0])),
            s.take(lib.tensor([0, -1])),
            x.gather(0, lib.zeros(0, 5, dtype=long)),  # empty index: no size checks
            x.gather(1, lib.zeros(0, dtype=long)),
            x.scatter_add(0, lib.zeros(0, 7, dtype=long), lib.zeros(0, 7, dtype=lib.float64)),
            x.index_select(1, lib.zeros(0, dtype=long)),
        ]
        loss = sum((o * (i + 1)).sum() for i, o in enumerate(outs))
        grads = lib.autograd.grad(loss, [s, x])
        return [type(o.grad_fn).__name__ for o in outs], [*outs, *grads]

    (names_nd, values_nd), (names_th, values_th) = run(ndgrad), run(torch)
    assert names_nd == names_th
    for a, b in zip(values_nd, values_th, strict=True):
        assert_close(a, b)


INPLACE = {
    "index_add_": lambda lib, y: y.index_add_(1, lib.tensor([2, 2]), y[:, :2].detach() + 1),
    "index_fill_": lambda lib, y: y.index_fill_(0, lib.tensor([1]), -1.0),
    "index_copy_": lambda lib, y: y.index_copy_(1, lib.tensor([2, 0]), y[:, :2].detach() + 1),
    "masked_fill_": lambda lib, y: y.masked_fill_(y > 0, 1.0),
    "masked_fill_tensor_": lambda lib, y: y.masked_fill_(y > 0, lib.tensor(1.0, dtype=lib.float64)),
    "scatter_value_": lambda lib, y: y.scatter_(0, lib.tensor([[2, 0, 1]]), 2.0),
    "scatter_": lambda lib, y: y.scatter_(0, lib.tensor([[2, 0, 1]]), y[:1].detach() * 3),
    "scatter_add_": lambda lib, y: y.scatter_add_(0, lib.tensor([[2, 2, 1]]), y[1:].detach() + 1),
    "tril_": lambda lib, y: y.tril_(),
    "triu_": lambda lib, y: y.triu_(1),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_variants_match_torch(name: str) -> None:
    results = []
    for lib in (ndgrad, torch):
        x = lib.tensor(np.arange(9.0).reshape(3, 3) - 4, requires_grad=True)
        y = x * 1
        out = INPLACE[name](lib, y)
        assert out is y and y._version == 1
        (y * lib.tensor(np.arange(9.0).reshape(3, 3))).sum().backward()
        results.append((type(y.grad_fn).__name__, y, x.grad))
    assert results[0][0] == results[1][0]
    assert_close(results[0][1], results[1][1])
    assert_close(results[0][2], results[1][2])


# --- random keys against torch -------------------------------------------------------------------


def _random_entry(rng, size):
    """One entry of a key: int, slice, None, index list, index tensor or mask (possibly invalid)."""
    kind = rng.integers(6)
    if kind == 0:
        return ("int", int(rng.integers(-size - 1, size + 1)))
    if kind == 1:
        bounds = [None, *range(-size - 2, size + 3)]
        start, stop = (bounds[i] for i in rng.integers(len(bounds), size=2))
        return ("slice", slice(start, stop, [None, 1, 2, 3][rng.integers(4)]))
    if kind == 2:
        return ("none", None)
    if kind == 3:
        return ("list", [int(i) for i in rng.integers(-size, max(size, 1), size=rng.integers(4))])
    if kind == 4:
        return ("tensor", rng.integers(0, max(size, 1), size=(2,)))
    return ("mask", rng.random(size) > 0.5)


def _build_key(lib, entries):
    out = []
    for kind, e in entries:
        out.append(lib.tensor(e) if kind in ("tensor", "mask") else e)
    return tuple(out)


def _outcome(lib, shape, entries, value_shape=None):
    x = lib.tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)
    key = _build_key(lib, entries)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if value_shape is None:
                y = x[key]
            else:
                y = x * 1
                y[key] = lib.tensor(np.ones(value_shape) * 3)
    except Exception as e:  # the exception itself is what is compared
        return f"{type(e).__name__}: {e}"
    w = np.random.default_rng(1).standard_normal(tuple(y.shape))
    (x.grad,) = lib.autograd.grad((y * lib.tensor(w)).sum(), [x])
    return type(y.grad_fn).__name__, y.detach().numpy().copy(), x.grad.numpy().copy()


def _same(a, b) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return (
        a[0] == b[0]
        and a[1].shape == b[1].shape
        and np.allclose(a[1], b[1])
        and np.allclose(a[2], b[2])
    )


@requires_torch
@pytest.mark.parametrize("seed", range(4))
def test_random_keys_match_torch(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(60):
        shape = tuple(int(s) for s in rng.integers(0, 4, size=rng.integers(0, 4)))
        n = int(rng.integers(1, 4))
        entries = [_random_entry(rng, shape[j] if j < len(shape) else 2) for j in range(n)]
        nd_result, th_result = _outcome(ndgrad, shape, entries), _outcome(torch, shape, entries)
        assert _same(nd_result, th_result), (shape, entries, nd_result, th_result)


@requires_torch
@pytest.mark.parametrize("seed", range(4))
def test_random_setitem_match_torch(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    checked = 0
    while checked < 40:
        shape = tuple(int(s) for s in rng.integers(1, 4, size=rng.integers(1, 4)))
        n = int(rng.integers(1, 3))
        entries = [_random_entry(rng, shape[j] if j < len(shape) else 2) for j in range(n)]
        if any(kind in ("list", "tensor") for kind, _ in entries):
            continue  # repeated writes to one position have no defined winner
        try:
            target = tuple(torch.zeros(shape)[_build_key(torch, entries)].shape)
        except (IndexError, ValueError):
            target = (2,)
        value_shape = target[int(rng.integers(len(target) + 1)) :]
        result = _outcome(ndgrad, shape, entries, value_shape)
        assert _same(result, _outcome(torch, shape, entries, value_shape)), (shape, entries)
        checked += 1


def test_setitem_through_masks_casts_a_one_element_value() -> None:
    # PyTorch fills through boolean masks with a one-element value of any dtype
    x = ndgrad.zeros(2, 3, dtype=ndgrad.float64)
    m = ndgrad.tensor([[True, False, True], [False, False, True]])
    x[m] = ndgrad.tensor([2.5])
    x[ndgrad.tensor([True, False]), 1] = ndgrad.tensor(7)
    assert x.tolist() == [[2.5, 7.0, 2.5], [0.0, 0.0, 2.5]]


@requires_torch
def test_integer_and_bool_dtypes_match_torch() -> None:
    def run(lib):
        x = lib.tensor([[1, 2, 3], [4, 5, 6]])
        b = x > 2
        i = lib.tensor([[0], [2]])
        y = x.clone()
        y[0] = 2.7  # basic keys cast the value
        y[b] = -1
        y[:, 1] = lib.tensor([8.9, 9.9])
        return [
            x[b],
            x[:, [0, 0]],
            b[0],
            x.gather(1, i),
            x.scatter(1, i, 9),
            x.scatter_add(1, i, x[:, :1]),
            x.index_select(0, lib.tensor([1, 1])),
            x.masked_fill(b, 7.9),
            x.masked_select(b),
            x.take(lib.tensor([5])),
            y,
        ]

    for a, b in zip(run(ndgrad), run(torch), strict=True):
        assert str(a.dtype) == str(b.dtype) and a.tolist() == b.tolist()


# Basic keys: the create_graph gradient's node is the backward of the key's first step, as in
# PyTorch (a ":" is no step); the second derivative is checked for each key as well.
BASIC_KEYS = {
    "[1]": lambda x: x[1],
    "[:, 0]": lambda x: x[:, 0],
    "[1:]": lambda x: x[1:],
    "[None]": lambda x: x[None],
    "[None, 1]": lambda x: x[None, 1],
    "[..., 0]": lambda x: x[..., 0],
    "[1:, 0]": lambda x: x[1:, 0],
    "[0, 1:]": lambda x: x[0, 1:],
    "[:, None]": lambda x: x[:, None],
    "[::2]": lambda x: x[::2],
    "[-1]": lambda x: x[-1],
}


def _second_order_through(lib, f):
    """The create_graph gradient's node name and the second derivative, of sum(f(x)²)."""
    x = lib.tensor([[1.0, -2.0], [0.5, 3.0], [2.0, 1.0]], dtype=lib.float64, requires_grad=True)
    y = f(x)
    (g,) = lib.autograd.grad((y * y).sum(), [x], create_graph=True)
    (gg,) = lib.autograd.grad((g * g).sum(), [x])
    return g.grad_fn.name(), gg.detach().numpy()


@pytest.mark.parametrize("key", BASIC_KEYS)
def test_basic_index_second_order_gradcheck(key):
    x = ndgrad.tensor([[1.0, -2.0], [0.5, 3.0], [2.0, 1.0]], dtype=ndgrad.float64)
    assert gradgradcheck(BASIC_KEYS[key], (x.requires_grad_(),))


@requires_torch
@pytest.mark.parametrize("key", BASIC_KEYS)
def test_basic_index_create_graph_node_matches_torch(key):
    ours = _second_order_through(ndgrad, BASIC_KEYS[key])
    theirs = _second_order_through(torch, BASIC_KEYS[key])
    assert ours[0] == theirs[0]
    np.testing.assert_allclose(ours[1], theirs[1])


# Indexing with tensors: the create_graph gradient is the op PyTorch's formula uses
# (_index_put_impl_ for x[idx], index_add, scatter_add, put, masked_scatter for the others).
TENSOR_KEYS = {
    "x[idx]": lambda lib, x: x[lib.tensor([0, 2, 2])],
    "x[mask]": lambda lib, x: x[x > 0],
    "index_select": lambda lib, x: x.index_select(0, lib.tensor([0, 2, 2])),
    "gather": lambda lib, x: x.gather(1, lib.tensor([[0, 1], [1, 1], [0, 0]])),
    "take": lambda lib, x: x.take(lib.tensor([0, 3, 3])),
    "masked_select": lambda lib, x: x.masked_select(x > 0),
}


@pytest.mark.parametrize("name", TENSOR_KEYS)
def test_tensor_index_second_order_gradcheck(name):
    x = ndgrad.tensor([[1.0, -2.0], [0.5, 3.0], [2.0, 1.0]], dtype=ndgrad.float64)
    x.requires_grad_()
    assert gradgradcheck(lambda x: TENSOR_KEYS[name](ndgrad, x), (x,))


@requires_torch
@pytest.mark.parametrize("name", TENSOR_KEYS)
def test_tensor_index_create_graph_node_matches_torch(name):
    ours = _second_order_through(ndgrad, lambda x: TENSOR_KEYS[name](ndgrad, x))
    theirs = _second_order_through(torch, lambda x: TENSOR_KEYS[name](torch, x))
    assert ours[0] == theirs[0]
    np.testing.assert_allclose(ours[1], theirs[1])
