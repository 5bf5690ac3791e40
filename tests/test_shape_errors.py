"""Shape ops: PyTorch's exception types and messages for bad arguments, and the node names."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, torch


def _x(lib):
    return lib.zeros(2, 3, 4)


def _s(lib):
    return lib.tensor(1.0)


# Each case runs under ndgrad and torch; both must raise the same type with the same message.
ERRORS = {
    "flatten_order": lambda lib: _x(lib).flatten(2, 1),
    "flatten_neg_order": lambda lib: _x(lib).flatten(-1, 0),
    "flatten_dim": lambda lib: _x(lib).flatten(5),
    "unflatten_product": lambda lib: _x(lib).unflatten(2, (3, 2)),
    "unflatten_empty": lambda lib: _x(lib).unflatten(2, ()),
    "movedim_lengths": lambda lib: _x(lib).movedim((0, 1), (0,)),
    "movedim_repeat_src": lambda lib: _x(lib).movedim((0, 0), (1, 2)),
    "movedim_repeat_dst": lambda lib: _x(lib).movedim((0, 1), (1, 1)),
    "movedim_dim": lambda lib: _x(lib).movedim(0, 5),
    "swapdims_dim": lambda lib: _x(lib).swapdims(0, 5),
    "broadcast_to_fewer": lambda lib: _x(lib).broadcast_to((3, 4)),
    "repeat_fewer": lambda lib: _x(lib).repeat(2),
    "repeat_negative": lambda lib: _x(lib).repeat(2, 2, 2, -1),
    "roll_align": lambda lib: _x(lib).roll((1, 2), (0,)),
    "roll_empty": lambda lib: _x(lib).roll((), ()),
    "roll_dim": lambda lib: _x(lib).roll(1, 5),
    "flip_repeat": lambda lib: _x(lib).flip(0, 0),
    "flip_dim": lambda lib: _x(lib).flip(5),
    "cat_empty_list": lambda lib: lib.cat([]),
    "cat_ndim": lambda lib: lib.cat([_x(lib), _x(lib)[0]]),
    "cat_sizes": lambda lib: lib.cat([_x(lib), _x(lib)[:, :2]]),
    "cat_zero_dim": lambda lib: lib.cat([_s(lib), _s(lib)]),
    "cat_empty_2d": lambda lib: lib.cat([_x(lib), lib.zeros(0, 3)]),
    "cat_dim": lambda lib: lib.cat([_x(lib), _x(lib)], 3),
    "cat_not_tensor": lambda lib: lib.cat([_x(lib), 1]),
    "cat_tensor": lambda lib: lib.cat(_x(lib)),
    "hstack_empty": lambda lib: lib.hstack([]),
    "vstack_sizes": lambda lib: lib.vstack([lib.zeros(4), lib.zeros(2)]),
    "split_zero": lambda lib: _x(lib).split(0),
    "split_negative": lambda lib: _x(lib).split(-1),
    "split_sizes_negative": lambda lib: _x(lib).split([1, -1]),
    "split_sizes_sum": lambda lib: _x(lib).split([1, 2]),
    "chunk_zero": lambda lib: _x(lib).chunk(0),
    "chunk_negative": lambda lib: _x(lib).chunk(-1),
    "narrow_start": lambda lib: _x(lib).narrow(1, 4, 0),
    "narrow_start_neg": lambda lib: _x(lib).narrow(1, -4, 1),
    "narrow_length": lambda lib: _x(lib).narrow(1, 2, 2),
    "narrow_negative_length": lambda lib: _x(lib).narrow(1, 0, -1),
    "narrow_0d": lambda lib: _s(lib).narrow(0, 0, 1),
    "select_index": lambda lib: _x(lib).select(1, 3),
    "select_index_neg": lambda lib: _x(lib).select(1, -4),
    "select_0d": lambda lib: _s(lib).select(0, 0),
    "select_dim": lambda lib: _x(lib).select(3, 0),
    "tril_1d": lambda lib: lib.zeros(3).tril(),
    "triu_0d": lambda lib: _s(lib).triu(),
    "diag_3d": lambda lib: _x(lib).diag(),
    "diag_0d": lambda lib: _s(lib).diag(),
    "diagonal_same_dims": lambda lib: _x(lib).diagonal(0, 1, 1),
    "diagonal_dim": lambda lib: _x(lib).diagonal(0, 1, 3),
    "trace_3d": lambda lib: _x(lib).trace(),
    "trace_1d": lambda lib: lib.zeros(3).trace(),
    "trace_bool": lambda lib: lib.ones(2, 2, dtype=lib.bool).trace(),
    "fliplr_1d": lambda lib: lib.zeros(3).fliplr(),
    "flipud_0d": lambda lib: _s(lib).flipud(),
    "dstack_empty": lambda lib: lib.dstack([]),
    "column_stack_empty": lambda lib: lib.column_stack([]),
    "squeeze_repeat": lambda lib: _x(lib).squeeze((0, 0)),
    "squeeze_dim": lambda lib: _x(lib).squeeze(5),
    "squeeze_0d_repeat": lambda lib: _s(lib).squeeze((0, -1)),
    "t_3d": lambda lib: _x(lib).t(),
    "unbind_dim": lambda lib: _x(lib).unbind(3),
    "stack_sizes": lambda lib: lib.stack([lib.zeros(2), lib.zeros(3)]),
    "split_0d": lambda lib: _s(lib).split(1),
    "split_sizes_0d": lambda lib: _s(lib).split([1]),
    "split_sizes_dim_as_given": lambda lib: _x(lib).split([1, 2], -3),
    "chunk_0d": lambda lib: _s(lib).chunk(2),
    "roll_0d_dim": lambda lib: _s(lib).roll(1, -1),
    "narrow_length_checked_first": lambda lib: lib.zeros(3).narrow(1, 0, -1),
    "narrow_start_at_end": lambda lib: lib.zeros(1, 0).narrow(0, 1, 2),
}


def _raised(fn, lib):
    try:
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


# The same messages checked as text, so they are tested without torch too.
@pytest.mark.parametrize(
    ("name", "exc", "message"),
    [
        (
            "flatten_order",
            RuntimeError,
            "flatten() has invalid args: start_dim cannot come after end_dim",
        ),
        (
            "cat_zero_dim",
            RuntimeError,
            "zero-dimensional tensor (at position 0) cannot be concatenated",
        ),
        (
            "cat_sizes",
            RuntimeError,
            "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 2 for "
            "tensor number 1 in the list.",
        ),
        (
            "split_sizes_sum",
            RuntimeError,
            "split_with_sizes expects split_sizes to sum exactly to 2 (input tensor's size at "
            "dimension 0), but got split_sizes=[1, 2]",
        ),
        (
            "select_index",
            IndexError,
            "select(): index 3 out of range for tensor of size [2, 3, 4] at dimension 1",
        ),
        ("narrow_length", RuntimeError, "start (2) + length (2) exceeds dimension size (3)."),
        ("diag_3d", RuntimeError, "diag(): Supports 1D or 2D tensors. Got 3D"),
        (
            "flip_dim",
            IndexError,
            "Dimension out of range (expected to be in range of [-3, 2], but got 5)",
        ),
    ],
)
def test_error_text(name: str, exc: type[Exception], message: str) -> None:
    with pytest.raises(exc, match="^" + re.escape(message) + "$"):
        ERRORS[name](ndgrad)


def test_cat_type_promotion() -> None:
    a = ndgrad.zeros(2, dtype=ndgrad.int32)
    assert ndgrad.cat([a, ndgrad.zeros(1, dtype=ndgrad.bool)]).dtype == ndgrad.int32
    assert ndgrad.cat([a, ndgrad.zeros(1, dtype=ndgrad.float64)]).dtype == ndgrad.float64
    assert ndgrad.cat([ndgrad.zeros(1), ndgrad.zeros(1, dtype=ndgrad.float64)]).dtype == (
        ndgrad.float64
    )
    # the gradient comes back in each input's own dtype
    x = ndgrad.ones(2, requires_grad=True)
    y = ndgrad.ones(3, dtype=ndgrad.float64, requires_grad=True)
    ndgrad.cat([x, y]).sum().backward()
    assert x.grad.dtype == ndgrad.float32 and y.grad.dtype == ndgrad.float64


NODES = {
    "flatten": lambda x: x.flatten(),
    "flatten_noncontiguous": lambda x: x.transpose(0, 2).flatten(),
    "unflatten": lambda x: x.unflatten(2, (2, 2)),
    "swapaxes": lambda x: x.swapaxes(0, 1),
    "movedim": lambda x: x.movedim(0, 2),
    "broadcast_to": lambda x: x.broadcast_to((2, 2, 3, 4)),
    "repeat": lambda x: x.repeat(1, 2, 1),
    "tile": lambda x: x.tile((2,)),
    "flip": lambda x: x.flip(0),
    "roll": lambda x: x.roll(1, 0),
    "roll_flat": lambda x: x.roll(1),
    "hstack": lambda x: ndgrad_or_torch(x).hstack([x, x]),
    "split": lambda x: x.split(1)[0],
    "split_sizes": lambda x: x.split([1, 2], 1)[1],
    "chunk": lambda x: x.chunk(2, 2)[0],
    "narrow": lambda x: x.narrow(1, 0, 2),
    "select": lambda x: x.select(1, 0),
    "tril": lambda x: x.tril(),
    "triu": lambda x: x.triu(1),
    "diag_vector": lambda x: x[0, 0].diag(),
    "diag_matrix": lambda x: x[0].diag(),
    "diagonal": lambda x: x.diagonal(),
    "trace": lambda x: x[0].trace(),
    "squeeze_dims": lambda x: x[:, :1].squeeze((0, 1)),
    "squeeze_dim": lambda x: x[:, :1].squeeze(1),
    "squeeze_all": lambda x: x[:, :1].squeeze(),
    "t_matrix": lambda x: x[0].t(),
    "t_vector": lambda x: x[0, 0].t(),
    "t_fn": lambda x: ndgrad_or_torch(x).t(x[0]),
    "T_property": lambda x: x[0].T,
    "movedim_0d": lambda x: x[0, 0, 0].movedim(0, -1),
    "swapaxes_0d": lambda x: x[0, 0, 0].swapaxes(0, -1),
    "roll_empty_any_dim": lambda x: x[:0].roll(1, 7),
    "ravel": lambda x: x.ravel(),
    "ravel_noncontiguous": lambda x: x.transpose(0, 1).ravel(),
    "fliplr": lambda x: x.fliplr(),
    "flipud": lambda x: x.flipud(),
    "atleast_1d_0d": lambda x: ndgrad_or_torch(x).atleast_1d(x[0, 0, 0]),
    "atleast_2d_0d": lambda x: ndgrad_or_torch(x).atleast_2d(x[0, 0, 0]),
    "atleast_2d_1d": lambda x: ndgrad_or_torch(x).atleast_2d(x[0, 0]),
    "atleast_3d_0d": lambda x: ndgrad_or_torch(x).atleast_3d(x[0, 0, 0]),
    "atleast_3d_1d": lambda x: ndgrad_or_torch(x).atleast_3d(x[0, 0]),
    "atleast_3d_2d": lambda x: ndgrad_or_torch(x).atleast_3d(x[0]),
    "atleast_list": lambda x: ndgrad_or_torch(x).atleast_2d([x[0, 0], x])[0],
    "dstack": lambda x: ndgrad_or_torch(x).dstack([x[0], x[1]]),
    "column_stack": lambda x: ndgrad_or_torch(x).column_stack([x[0, :, 0], x[0]]),
}


def ndgrad_or_torch(x):
    return ndgrad if isinstance(x, ndgrad.Tensor) else torch


@requires_torch
@pytest.mark.parametrize("name", sorted(NODES))
def test_node_names_match_torch(name: str) -> None:
    fn = NODES[name]
    x_nd = ndgrad.zeros(2, 3, 4, requires_grad=True)
    x_th = torch.zeros(2, 3, 4, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = type(fn(x_th).grad_fn).__name__
    assert type(fn(x_nd).grad_fn).__name__ == expected


def test_views_share_storage_and_version() -> None:
    x = ndgrad.zeros(3, 4)
    for view in (
        x.narrow(1, 1, 2),
        x.select(0, 1),
        x.diagonal(),
        x.split(2)[1],
        x.chunk(2, 1)[0],
        x.unflatten(1, (2, 2)),
        x.movedim(0, 1),
        x.flatten(),
        x.unbind(1)[2],
        next(iter(x)),
    ):
        before = x._version
        view.fill_(1.0)  # writes through to x
        assert x._version == before + 1 == view._version
    assert x.sum().item() == 12.0
    d = ndgrad.zeros(3, 3)
    d.diagonal(1).fill_(2.0)
    assert d.tolist() == [[0, 2, 0], [0, 0, 2], [0, 0, 0]]


def test_copies_do_not_share_storage() -> None:
    x = ndgrad.zeros(2, 3)
    for out in (x.flip(0), x.roll(1), x.repeat(1, 1), x.tril(), x[0].diag(), ndgrad.cat([x, x])):
        out.fill_(1.0)
    assert x.sum().item() == 0.0 and x._version == 0


def test_method_argument_forms() -> None:
    x = ndgrad.arange(6.0).reshape(2, 3)
    expected = np.flip(np.arange(6.0).reshape(2, 3), (0, 1))
    for out in (x.flip(0, 1), x.flip((0, 1)), x.flip(dims=[0, 1]), ndgrad.flip(x, (0, 1))):
        assert out.tolist() == expected.tolist()
    assert x.tile(2).shape == x.tile((2,)).shape == x.tile(dims=(1, 2)).shape == (2, 6)
    assert x.repeat(2, 1).shape == x.repeat((2, 1)).shape == x.repeat(repeats=[2, 1]).shape
    assert x.repeat(2, 1).shape == (4, 3)


@requires_torch
def test_integer_and_bool_dtypes_match_torch() -> None:
    def run(lib):
        x = lib.tensor([[1, 2, 3], [4, 5, 6]])
        b = x > 2
        f = lib.tensor([[0.5, 1.5, 2.5], [3.5, 4.5, 5.5]], dtype=lib.float64)
        return [
            x.repeat(2, 1),
            x.flip(0),
            x.roll(1),
            lib.cat([x, f]),
            lib.cat([b, x]),
            lib.hstack([b, b]),
            lib.vstack([x[0], f[1]]),
            x.tril(),
            x.diag(),
            x.trace(),
            b.flip(1),
            b.t(),
            b.diag(),
            x.split([1, 1])[1],
        ]

    for a, b in zip(run(ndgrad), run(torch), strict=True):
        assert str(a.dtype) == str(b.dtype) and a.tolist() == b.tolist()


# --- found by a differential run of 5,000 random shape/join calls against torch 2.13 ---------


def test_stack_checks_the_dim_before_the_sizes() -> None:
    with pytest.raises(IndexError, match=r"expected to be in range of \[-2, 1\], but got 3"):
        ndgrad.stack([ndgrad.ones(3), ndgrad.ones(2)], 3)


def test_cross_takes_one_dtype() -> None:
    a, b = ndgrad.ones(2, 3, dtype=ndgrad.int64), ndgrad.ones(2, 3, dtype=ndgrad.float64)
    for fn in (ndgrad.linalg.cross, lambda x, y: ndgrad.cross(x, y, dim=1)):
        with pytest.raises(RuntimeError, match="expected scalar type Long but found Double"):
            fn(a, b)
    with pytest.raises(RuntimeError, match=r"tensor a \(2\) must match the size of tensor b \(4\)"):
        ndgrad.linalg.cross(ndgrad.ones(2, 3), ndgrad.ones(4, 3, dtype=ndgrad.float64))


def test_block_diag_promotes_a_0d_input_as_0d() -> None:
    out = ndgrad.block_diag(
        ndgrad.ones(2, 2, dtype=ndgrad.int8), ndgrad.tensor(3, dtype=ndgrad.int16)
    )
    assert out.dtype == ndgrad.int8 and out.tolist() == [[1, 1, 0], [1, 1, 0], [0, 0, 3]]
    one_d = ndgrad.block_diag(
        ndgrad.ones(2, 2, dtype=ndgrad.int8), ndgrad.ones(1, dtype=ndgrad.int16)
    )
    assert one_d.dtype == ndgrad.int16
