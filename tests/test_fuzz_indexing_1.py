"""Regressions found by a random differential fuzzer of indexing (x[key], x[key] = v and the
functional index ops: index_put, scatter*, take*, put, index_*, masked_*) against PyTorch.

Each program runs under ndgrad and, where it is installed, under PyTorch (everything returned
must agree); each test also checks the expected outcome by hand, so it runs without PyTorch too.
Each program failed before its fix.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, torch
from .programs import assert_same, run

# --- scatter_reduce amax/amin: PyTorch counts self's tied element even with include_self=False ---


def _scatter_amin_tie_with_self(lib: Any) -> Any:
    # fuzz seed 3237: src's 0.5 is the minimum and self's 0.5 ties it; PyTorch's formula
    # divides src's share by 2 (self's element is counted, then its own share is dropped)
    x = lib.tensor([[1.0, 2.0, 0.5]], dtype=lib.float64, requires_grad=True)
    src = lib.tensor([[-0.5, 0.5, 3.0], [1.0, 1.0, 0.5]], dtype=lib.float64, requires_grad=True)
    index = lib.zeros(2, 3, dtype=lib.int64)
    y = x.scatter_reduce(0, index, src, "amin", include_self=False)
    y.backward(lib.tensor([[1.0, 2.0, 4.0]], dtype=lib.float64))
    return y, x.grad, src.grad


def test_scatter_amin_ties_by_hand() -> None:
    y, gx, gsrc = _scatter_amin_tie_with_self(ndgrad)
    assert y.tolist() == [[-0.5, 0.5, 0.5]]
    assert gx.tolist() == [[0.0, 0.0, 0.0]]
    # columns 0 and 1: one src element is the minimum; column 2: src[1, 2] ties self's 0.5
    assert gsrc.tolist() == [[1.0, 2.0, 0.0], [0.0, 0.0, 2.0]]
    assert _scatter_reduce_0d(ndgrad) == [
        (3.0, 1.0, 1.0),
        (3.0, 0.0, 1.0),
        (2.0, 1.0, 1.0),
        (2.0, 0.0, 1.0),
        (0.0, 0.0, 0.0),  # two zero factors: no gradient
        (0.0, 0.0, 2.0),
    ]


def _scatter_reduce_0d(lib: Any) -> Any:
    # fuzz seed 6399: on 0-d tensors numpy's comparisons give scalars, which the tie (and
    # zero) counts were accumulated into without effect: self and src each got the whole
    # gradient of a tie, and a product's zero counts were wrong
    out = []
    for reduce, a, b in [("amin", 3.0, 3.0), ("amax", 2.0, 2.0), ("prod", 0.0, 0.0)]:
        for include_self in (True, False):
            x = lib.tensor(a, dtype=lib.float64, requires_grad=True)
            src = lib.tensor(b, dtype=lib.float64, requires_grad=True)
            y = x.scatter_reduce(0, lib.tensor(0), src, reduce, include_self=include_self)
            y.backward(lib.tensor(2.0, dtype=lib.float64))
            out.append((y.item(), x.grad.item(), src.grad.item()))
    return out


# --- x[key] = v: a bare False writes nothing; only tensors and Python numbers are values -----


def _setitem_false(lib: Any) -> Any:
    # fuzz seeds 1254, 1613, 2344: PyTorch's __setitem__ returns at once for a bare False,
    # whatever the value's shape or dtype (ndgrad recorded a CopySlices, or raised)
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64, requires_grad=True)
    y = x.clone()
    v = lib.tensor(2.5, dtype=lib.float64, requires_grad=True)
    y[False] = v
    y[False] = lib.ones(5, dtype=lib.int64)
    y.sum().backward()
    return y, y._version, x.grad, v.grad


def _setitem_bad_values(lib: Any) -> Any:
    x = lib.zeros(2, 3, dtype=lib.float64)
    out = []
    for key, value in [
        (0, [1.0, 2.0, 3.0]),
        (False, "a"),
        (0, np.array([1.0, 2.0, 3.0])),
        (0, np.float32(1.0)),
        (0, np.bool_(True)),
        (np.bool_(True), 1.0),
    ]:
        try:
            x[key] = value
        except (TypeError, IndexError) as e:
            out.append((type(e).__name__, str(e)))
    x[1] = np.int32(2)
    x[0, 1] = np.float64(1.5)
    return out, x


def _setitem_bools_and_masks(lib: Any) -> Any:
    # fuzz seeds 10310, 11270, 11887, 11711, 10218: a bare True copies into x.unsqueeze(0)
    # (any dtype, CopySlices); a 0-d mask is an index tensor [0] or [] in Python's indexing,
    # never a masked_fill (ndgrad refused a byte one); a one-element value is a masked_fill
    # only through exactly one mask (else index_put_ wants the dtypes equal); the value's
    # shape is checked before its dtype
    x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=lib.float64, requires_grad=True)
    y = x.clone()
    y[True] = lib.tensor([7.0, 8.0, 9.0], dtype=lib.float32)
    z = x.clone()
    z[lib.tensor(2, dtype=lib.uint8)] = lib.tensor(2.5, dtype=lib.float64)
    out: list[Any] = [y, z]
    for key, value in [
        ((lib.tensor([True, False]), [True, False, True]), lib.tensor(1)),
        ((lib.tensor(True), 0), lib.tensor(1.5, dtype=lib.float32)),
        (lib.tensor([-1]), lib.tensor([1, 2])),
    ]:
        try:
            x.detach().clone()[key] = value
        except RuntimeError as e:
            out.append(str(e))
    return out


# --- parsing a key: PyTorch's order of checks and its words ----------------------------------


def _key_errors(lib: Any) -> Any:
    # fuzz seeds 9, 97, 1206, 1519, 1174, 10106, 10575: a select's bad int is reported at its
    # position in the key (not at a dim: None, True and Ellipsis shift them apart); an index
    # tensor of a bad dtype counts one dim in "too many indices" and is refused after the
    # slicing, before the masks; a 0-d tensor into a 0-d tensor is "too many indices"
    x = lib.zeros(2, 0, 3, dtype=lib.float64)
    flt = lib.tensor([0.0])
    out = []
    for key in [
        (None, False, slice(None), 1),
        (Ellipsis, 5),
        (None, Ellipsis, lib.tensor(-4), 0),
        (0, flt, slice(None), 1),
        (flt, lib.tensor([True]), 7),
        (flt, lib.tensor([True, False])),
        (0, slice(None, None, -1), flt),
    ]:
        try:
            x[key]
        except (IndexError, ValueError) as e:
            out.append(str(e))
    for key in [lib.tensor(0), lib.tensor(1), 0, slice(None, None, -1)]:  # (a 0-d tensor)
        try:
            lib.tensor(1.0)[key]
        except (IndexError, ValueError) as e:
            out.append(str(e))
    # a 0-d integer tensor of any integer dtype but uint8 is an int (a select)
    y = lib.arange(6.0).reshape(2, 3)
    out.append(y[lib.tensor(1, dtype=lib.int16), lib.tensor(-1, dtype=lib.int8)])
    return out


def _setitem_into_expanded(lib: Any) -> Any:
    # fuzz seeds 10504, 10612, 10644, 11862, 21339, 28652: through an index into an expanded
    # tensor whose base needs no gradient, a value that needs one: PyTorch writes and records
    # CopySlices, and the value's gradient is the base's read through the view (ndgrad dropped
    # the value from the graph for one value, and refused a tensor value)
    out = []
    for key, shape in [([0], ()), ([True, False, True], ()), ([[0, 1]], (2,))]:
        b = lib.zeros(1, dtype=lib.float64)
        x = b.expand(3)
        v = lib.arange(1.0, 1.0 + (shape[0] if shape else 1), dtype=lib.float64)
        v = v.reshape(shape).requires_grad_()
        with warnings.catch_warnings():  # (PyTorch deprecates the write)
            warnings.simplefilter("ignore")
            x[key] = v
        (x * lib.tensor([1.0, 2.0, 4.0], dtype=lib.float64)).sum().backward()
        out.append((x, b, v.grad))
    return out


def _several_ellipses(lib: Any) -> Any:
    # fuzz seeds 2502, 11356, 20924, 22410, 22675: PyTorch takes several Ellipsis, each
    # skipping the dims the key does not name; an entry left with no dim is out of range
    # (ndgrad refused a second Ellipsis as numpy does)
    x = lib.arange(24.0, dtype=lib.float64).reshape(2, 3, 4).requires_grad_()
    y = x[..., ...]
    z = x[..., 0, ...]
    w = x[0, ..., 1, ...]
    (y.sum() + z.sum() + w.sum()).backward()
    out: list[Any] = [y, z, w, x.grad]
    v = x.detach().clone()
    v[..., 1:, ...] = 0.0
    out.append(v)
    out.append(x[..., ..., :].shape)  # (seed 106592: a whole ':' past the dims is skipped)
    for key in [
        (Ellipsis, 0, Ellipsis, None),
        (Ellipsis, 0, Ellipsis, slice(1, 2)),
        (Ellipsis, Ellipsis, lib.tensor([0])),
        (Ellipsis, 0, Ellipsis, lib.ones(1, dtype=lib.bool)),
        (Ellipsis, Ellipsis, lib.ones(1, 3, dtype=lib.bool)),  # (seed 104168: its shape first)
    ]:
        try:
            x[key]
        except IndexError as e:
            out.append(str(e))
    return out


# --- index_put(_): a tuple of index tensors, not Python's indexing --------------------------


def _index_put_nodes(lib: Any) -> Any:
    # fuzz seeds 27, 5392: a 0-d int tensor (or 0-d byte mask) is an index tensor here, not a
    # select: PyTorch records IndexPutBackward0 (ndgrad wrote through a view: CopySlices)
    x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=lib.float64, requires_grad=True)
    v = lib.tensor([10.0, 20.0], dtype=lib.float64, requires_grad=True)
    y = x.clone()
    y.index_put_((lib.tensor(1), lib.tensor([True, False, True])), v)
    z = x.index_put((lib.tensor(1, dtype=lib.uint8), lib.tensor(0)), v[:1], accumulate=False)
    (y.sum() + 2 * z.sum()).backward()
    return y, z, x.grad, v.grad


def _index_put_value_shapes(lib: Any) -> Any:
    # fuzz seed 42: index_put keeps the value's leading 1s (only x[key] = v drops them), but a
    # one-element value through one mask is a masked_fill unless accumulating; ndgrad's
    # accumulating path crashed in numpy
    x = lib.zeros(2, 3, dtype=lib.float64)
    out = []
    for index, shape in [
        ((lib.tensor([0, 1]),), (1, 2, 3)),
        ((lib.tensor(1),), (1, 3)),
        ((lib.tensor([True, False]),), (1, 1, 1)),
    ]:
        for accumulate in (False, True):
            try:
                out.append(x.index_put(index, lib.ones(shape, dtype=lib.float64), accumulate))
            except RuntimeError as e:
                out.append(str(e))
    return out


def _index_put_not_tensors(lib: Any) -> Any:
    # fuzz seeds 233, 258: PyTorch wants a tensor at every position (ndgrad read None as ':')
    x = lib.zeros(2, 3, dtype=lib.float64)
    v = lib.ones(3, dtype=lib.float64)
    out = []
    for call in (
        lambda: lib.index_put(x, (None, lib.tensor([0])), v),
        lambda: x.index_put([lib.tensor([0]), None], v, accumulate=True),
        lambda: x.index_put_((lib.tensor([0]), 1), v),
    ):
        try:
            call()
        except TypeError as e:
            out.append(str(e))
    return out


def _index_put_accumulate(lib: Any) -> Any:
    # fuzz seed 5725: a value broadcast along a 2-d index: numpy's np.add.at read past the
    # value (wrong sums, NaN); seed 291: the result is laid out as a clone of x (permuted)
    x = lib.tensor([1.0, 2.0], dtype=lib.float64)
    v = lib.tensor([10.0, 100.0], dtype=lib.float64)
    a = x.index_put((lib.tensor([[0, 1], [-2, -1], [1, 1]]),), v, accumulate=True)
    p = lib.arange(6.0, dtype=lib.float64).reshape(2, 3).t()
    b = p.index_put((lib.tensor([0, 0]),), lib.ones(2, dtype=lib.float64), accumulate=True)
    return a, b


# --- take_along_dim, gather, scatter, put: PyTorch's checks and wrapping --------------------


def _take_along_dim_checks(lib: Any) -> Any:
    # fuzz seeds 74, 105, 270, 5005: along a dim PyTorch takes int64 indices only, modulo the
    # dim's size (-3 and 7 of a dim of 2 both read row 1); the broadcast error is infer_size's;
    # a 0-d input has no sizes to ask. Flattened (dim=None), int32 is fine and nothing wraps.
    x = lib.arange(10.0, dtype=lib.float64).reshape(2, 5).requires_grad_()
    y = lib.take_along_dim(x, lib.tensor([[-3, 7, 0, -1, 1]]), 0)
    y.sum().backward()
    out: list[Any] = [y, x.grad, lib.take_along_dim(x, lib.tensor([[0, 1]], dtype=lib.int32))]
    for indices, dim in [
        (lib.tensor([[0, 1]], dtype=lib.int32), 1),
        (lib.tensor([[0, 1]]), 0),
        (lib.tensor([[0], [1], [0]]), 1),
        (lib.tensor([-1]), None),
    ]:
        try:
            lib.take_along_dim(x, indices, dim)
        except RuntimeError as e:
            out.append(str(e))
    try:
        lib.take_along_dim(lib.tensor(1.0), lib.tensor(0), -1)
    except IndexError as e:
        out.append(str(e))
    return out


def _empty_index_any_dtype(lib: Any) -> Any:
    # fuzz seed 5697: an empty index may have any dtype (PyTorch checks the dtype of an index
    # that reads something); seed 1729: put into a 0-d tensor crashed in numpy
    x = lib.tensor([1.0, 2.0], dtype=lib.float64)
    empty = lib.tensor([], dtype=lib.float64)
    s = lib.tensor(3.0, dtype=lib.float64, requires_grad=True)
    p = lib.put(lib.tensor(1.0, dtype=lib.float64), lib.tensor(0), s, True)
    p.backward()
    return (
        lib.gather(x, 0, empty).shape,  # (the strides of an empty result differ: not compared)
        x.scatter(0, empty, x),
        x.scatter_add(0, empty, x),
        x.scatter_reduce(0, empty, x, "amax"),
        p,
        s.grad,
    )


def _scatter_with_reduce(lib: Any) -> Any:
    # fuzz seeds 68, 171, 194: scatter's reduce='add'/'multiply' (src or value): ndgrad
    # raised NotImplementedError; PyTorch computes it and records no derivative
    x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
    src = lib.tensor([2.0, 3.0, 4.0], dtype=lib.float64)
    index = lib.tensor([0, 0, 2])
    out: list[Any] = [
        x.scatter(0, index, src, reduce="add"),
        x.scatter(0, index, src, reduce="multiply"),
        x.scatter(0, index, 2.0, reduce="multiply"),
        x.detach().clone().scatter_(0, index, 2.5, reduce="add"),
    ]
    for call in (
        lambda: out[0].sum().backward(),
        lambda: x.clone().scatter_(0, index, 2.0, reduce="add").sum().backward(),
        lambda: x.scatter(0, lib.tensor([0, 5]), src, reduce="mean"),  # before the bounds
    ):
        try:
            call()
        except RuntimeError as e:
            out.append(str(e))
    return out


def _along_dim_first_bad_index(lib: Any) -> Any:
    # fuzz seeds 2107, 5713, 5941: PyTorch reports the first bad index its kernel reads: along
    # dim innermost when dim is the last; otherwise along dim just outside the inner loop over
    # the last dims (ndgrad: the first in row-major order)
    x = lib.zeros(2, 3, 4, dtype=lib.float64)
    bad = lib.tensor([[[0, 0], [5, 0]], [[7, 0], [0, 0]]])  # 5 first in row-major order
    out = []
    for call in (
        lambda: x.gather(0, bad),  # x's dims 1, 2 do not merge: 7 is read first
        lambda: x[:, :2, :2].contiguous().gather(0, bad),  # they merge: row-major
        lambda: x.scatter_add(0, bad, x),
        lambda: x.gather(2, bad.transpose(0, 2)),  # along the last dim: row-major
    ):
        try:
            call()
        except RuntimeError as e:
            out.append(str(e))
    return out


# --- index_add, index_copy, index_fill: PyTorch's checks -------------------------------------


def _index_add_checks(lib: Any) -> Any:
    # fuzz seeds 181, 211, 5010, 5249, 5764: a 0-d self or source is compared whole; PyTorch
    # scatter_adds (and words a bad index as scatter_add) only along the first or last dim
    # with alpha 1 and an int64 index: else it is "index out of range in self"
    x = lib.zeros(4, 3, dtype=lib.float64)
    out = []
    for call in (
        lambda: lib.tensor(0.0, dtype=lib.float64).index_add(0, lib.tensor([0]), x[0, :1]),
        lambda: lib.zeros(3, dtype=lib.float64).index_add(0, lib.tensor([0]), x[0, 0]),
        lambda: lib.tensor(0.0, dtype=lib.float64).index_add(0, lib.tensor([0, 0]), x[0, 0]),
        lambda: x.index_add(0, lib.tensor([0, 7]), x[:2], alpha=1),
        lambda: x.index_add(0, lib.tensor([0, 7]), x[:2], alpha=2),
        lambda: x.index_add(0, lib.tensor([0, 7], dtype=lib.int32), x[:2]),  # (seed 51474)
        lambda: x.index_add(1, lib.tensor([0, -1]), x[:, :2], alpha=-0.5),
    ):
        try:
            call()
        except (RuntimeError, IndexError) as e:
            out.append((type(e).__name__, str(e)))
    return out


def _index_ops_into_empty(lib: Any) -> Any:
    # fuzz seeds 94, 141, 1777, 5078: into an empty tensor PyTorch's kernels write nothing
    # and check no index (ndgrad refused the index, or numpy did)
    # (into an empty dim PyTorch's index_fill and index_copy fail with a setStorage error of
    # their own, not copied; a 1-d index_add checks the index)
    x = lib.zeros(0, 3, dtype=lib.float64, requires_grad=True)
    i = lib.tensor([5, -9])
    y = x.index_fill(1, i, 1.5)
    y.sum().backward()
    out = [
        x.index_add(1, i, lib.ones(0, 2, dtype=lib.float64), alpha=2),
        x.index_copy(1, i, lib.ones(0, 2, dtype=lib.float64)),
        y,
        x.grad,
    ]
    # (an empty tensor's strides differ in ndgrad: not compared here)
    return [(tuple(t.shape), t.grad_fn and t.grad_fn.name()) for t in out]


def _index_copy_fill_messages(lib: Any) -> Any:
    # fuzz seeds 5032, 5446: index_copy_ names the source's slice "at dimension 0" whatever the
    # dim; index_fill checks the index's dtype before the dim
    x = lib.zeros(2, 3, dtype=lib.float64)
    out = []
    for call in (
        lambda: x.index_copy(1, lib.tensor([0]), lib.ones(3, 1, dtype=lib.float64)),
        lambda: x.index_fill(5, lib.tensor([0], dtype=lib.int32), 1.0),
    ):
        try:
            call()
        except (RuntimeError, IndexError) as e:
            out.append(str(e))
    return out


def _index_select_checks(lib: Any) -> Any:
    # fuzz seeds 10421, 10992, 11744: index_select checks the dim, the index's dims and a 0-d
    # input's one value before the index's dtype
    out = []
    for x, dim, index in [
        (lib.zeros(3), 1, lib.tensor([0.0])),
        (lib.tensor(1.0), 0, lib.tensor([0, 0], dtype=lib.uint8)),
        (lib.zeros(3), 0, lib.zeros(1, 1)),
        (lib.zeros(3), 0, lib.tensor([0.0])),
    ]:
        try:
            x.index_select(dim, index)
        except (RuntimeError, IndexError) as e:
            out.append(str(e))
    return out


# --- masked_fill(_), masked_scatter_: the order and words of PyTorch's checks -----------------


def _masked_errors(lib: Any) -> Any:
    # fuzz seeds 1280, 10079, 10069, 1862: out of place, masked_fill broadcasts mask and input
    # first (the mask is "a"), in place after the mask's dtype (self is "a"); masked_scatter_
    # expands a bool mask in its kernel, whose message names the type as C++ does
    x = lib.zeros(1, 4, dtype=lib.float64)
    out = []
    for call in (
        lambda: x.masked_fill(lib.ones(1, 5, dtype=lib.uint8), 1.0),
        lambda: x.clone().masked_fill_(lib.ones(1, 5, dtype=lib.uint8), 1.0),
        lambda: x.clone().masked_fill_(lib.ones(1, 5, dtype=lib.bool), 1.0),
        lambda: x.clone().masked_scatter_(lib.ones(2, 1, 4, dtype=lib.bool), x),
        lambda: x.clone().masked_scatter_(lib.ones(2, 1, 4, dtype=lib.uint8), x),
    ):
        try:
            call()
        except RuntimeError as e:
            out.append(str(e))
    return out


PROGRAMS = [
    _scatter_amin_tie_with_self,
    _scatter_reduce_0d,
    _setitem_false,
    _setitem_bad_values,
    _setitem_bools_and_masks,
    _setitem_into_expanded,
    _several_ellipses,
    _key_errors,
    _masked_errors,
    _index_put_nodes,
    _index_put_value_shapes,
    _index_put_not_tensors,
    _index_put_accumulate,
    _take_along_dim_checks,
    _empty_index_any_dtype,
    _scatter_with_reduce,
    _along_dim_first_bad_index,
    _index_add_checks,
    _index_ops_into_empty,
    _index_copy_fill_messages,
    _index_select_checks,
]


@pytest.mark.parametrize("program", PROGRAMS)
@requires_torch
def test_matches_torch(program: Callable[[Any], Any]) -> None:
    assert_same(run(program, ndgrad), run(program, torch))


def test_setitem_false_and_values_by_hand() -> None:
    y, version, gx, gv = _setitem_false(ndgrad)
    assert y.grad_fn.name() == "CloneBackward0" and version == 0
    assert gx.tolist() == [[1.0, 1.0], [1.0, 1.0]] and gv is None
    errors, x = _setitem_bad_values(ndgrad)
    assert errors == [
        ("TypeError", "can't assign a list to a torch.DoubleTensor"),
        ("TypeError", "can't assign a str to a torch.DoubleTensor"),
        ("TypeError", "can't assign a numpy.ndarray to a torch.DoubleTensor"),
        ("TypeError", "can't assign a numpy.float32 to a torch.DoubleTensor"),
        ("TypeError", "can't assign a numpy.bool to a torch.DoubleTensor"),
        (
            "IndexError",
            "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
            "valid indices (got numpy.bool)",
        ),
    ]
    assert x.tolist() == [[0.0, 1.5, 0.0], [2.0, 2.0, 2.0]]


def test_setitem_bools_and_masks_by_hand() -> None:
    y, z, *errors = _setitem_bools_and_masks(ndgrad)
    assert y.grad_fn.name() == z.grad_fn.name() == "torch::autograd::CopySlices"
    assert y.tolist() == [[7.0, 8.0, 9.0], [7.0, 8.0, 9.0]]
    assert z.tolist() == [[2.5, 2.5, 2.5], [2.5, 2.5, 2.5]]
    dtypes = "Index put requires the source and destination dtypes match, got Double for the "
    assert errors == [
        dtypes + "destination and Long for the source.",
        dtypes + "destination and Float for the source.",
        "shape mismatch: value tensor of shape [2] cannot be broadcast to indexing result of "
        "shape [1, 3]",
    ]


def test_key_errors_by_hand() -> None:
    *errors, picked = _key_errors(ndgrad)
    bad_dtype = "tensors used as indices must be long, int, byte or bool tensors"
    invalid = (
        "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in "
        "C++ to convert a 0-dim tensor to a number"
    )
    assert errors == [
        "index 1 is out of bounds for dimension 3 with size 0",
        "index 5 is out of bounds for dimension 1 with size 3",
        "index -4 is out of bounds for dimension 2 with size 0",
        "too many indices for tensor of dimension 3",
        "index 7 is out of bounds for dimension 2 with size 3",
        bad_dtype,
        "step must be greater than zero",
        "too many indices for tensor of dimension 0",
        "too many indices for tensor of dimension 0",
        invalid,
        "step must be greater than zero",  # (seed 26972: before "slice() cannot be applied")
    ]
    assert picked.item() == 5.0


def test_setitem_into_expanded_by_hand() -> None:
    got = _setitem_into_expanded(ndgrad)
    # d/dv sum(w * x) = sum(w) = 7 per element written (the mask writes the value twice)
    assert [g.tolist() for _, _, g in got] == [7.0, 14.0, [7.0, 7.0]]
    assert [x.tolist() for x, _, _ in got] == [[1.0] * 3, [1.0] * 3, [2.0] * 3]
    assert all(b.grad_fn.name() == "torch::autograd::CopySlices" for _, b, _ in got)


def test_several_ellipses_by_hand() -> None:
    y, z, w, grad, v, whole, *errors = _several_ellipses(ndgrad)
    assert tuple(whole) == (2, 3, 4)
    x = np.arange(24.0).reshape(2, 3, 4)
    assert y.tolist() == x.tolist() and y.grad_fn.name() == "AliasBackward0"
    assert z.tolist() == x[..., 0].tolist() and w.tolist() == x[0, :, 1].tolist()
    want = np.ones((2, 3, 4))
    want[..., 0] += 1
    want[0, :, 1] += 1
    assert grad.tolist() == want.tolist()
    written = x.copy()
    written[..., 1:] = 0.0
    assert v.tolist() == written.tolist()
    out_of_range = "Dimension out of range (expected to be in range of [{}, {}], but got {})"
    assert errors == [
        out_of_range.format(-3, 2, 4),
        out_of_range.format(-2, 1, 2),
        "too many indices for tensor of dimension 3 (got 5)",
        "too many indices for tensor of dimension 2 (got 3)",
        "The shape of the mask [1, 3] at index 0 does not match the shape of the indexed tensor "
        "[2, 3, 4] at index 2",
    ]


def test_index_put_by_hand() -> None:
    y, z, gx, gv = _index_put_nodes(ndgrad)
    assert y.grad_fn.name() == z.grad_fn.name() == "IndexPutBackward0"
    assert y.tolist() == [[1.0, 2.0, 3.0], [10.0, 5.0, 20.0]]
    assert z.tolist() == [[10.0, 10.0, 10.0], [4.0, 5.0, 6.0]]  # (the 0-d mask selects all)
    assert gx.tolist() == [[1.0, 1.0, 1.0], [2.0, 3.0, 2.0]] and gv.tolist() == [7.0, 1.0]
    refused = "shape mismatch: value tensor of shape {} cannot be broadcast to indexing result of "
    got = _index_put_value_shapes(ndgrad)
    assert (
        got[:4]
        == [refused.format("[1, 2, 3]") + "shape [2, 3]"] * 2
        + [refused.format("[1, 3]") + "shape [3]"] * 2
    )
    # accumulating, the mask is an index (no masked_fill): the leading 1s are refused again
    assert got[4].tolist() == [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]
    assert got[5] == refused.format("[1, 1, 1]") + "shape [1, 3]"
    assert _index_put_not_tensors(ndgrad) == [
        "expected Tensor as element 0 in argument 1, but got NoneType",
        "expected Tensor as element 1 in argument 0, but got NoneType",
        "expected Tensor as element 1 in argument 0, but got int",
    ]
    a, b = _index_put_accumulate(ndgrad)
    assert a.tolist() == [21.0, 312.0]
    assert b.stride() == (1, 3) and b.tolist() == [[2.0, 5.0], [1.0, 4.0], [2.0, 5.0]]


def test_take_along_dim_and_empty_index_by_hand() -> None:
    y, gx, flat, *errors = _take_along_dim_checks(ndgrad)
    assert y.tolist() == [[5.0, 6.0, 2.0, 8.0, 9.0]]
    assert gx.tolist() == [[0.0, 0.0, 1.0, 0.0, 0.0], [1.0, 1.0, 0.0, 1.0, 1.0]]
    assert flat.tolist() == [0.0, 1.0]
    assert errors == [
        "torch.take_along_dim(): dtype of indices should be Long but got Int",
        "The size of tensor a (5) must match the size of tensor b (2) at non-singleton dimension 1",
        "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0",
        "index -1 is out of bounds for dimension 0 with size 10",
        "Dimension specified as 0 but tensor has no dimensions",
    ]
    *same, p, gs = _empty_index_any_dtype(ndgrad)
    assert same[0] == (0,) and [t.tolist() for t in same[1:]] == [[1.0, 2.0]] * 3
    assert p.item() == 4.0 and gs.item() == 1.0


def test_scatter_reduce_argument_by_hand() -> None:
    with warnings.catch_warnings():  # (PyTorch's deprecation of reduce with src: once only)
        warnings.simplefilter("ignore")
        got = _scatter_with_reduce(ndgrad)
    assert [t.tolist() for t in got[:4]] == [
        [6.0, 2.0, 7.0],
        [6.0, 2.0, 12.0],
        [4.0, 2.0, 6.0],
        [6.0, 2.0, 5.5],
    ]
    # (PyTorch's NotImplemented node is a C++ one: its name has the namespace)
    assert got[0].grad_fn.name() == "torch::autograd::NotImplemented"
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    assert ndgrad.floor_divide(x, 2).grad_fn.name() == "torch::autograd::NotImplemented"
    assert got[4:] == [
        "derivative for aten::scatter is not implemented",
        "derivative for aten::scatter_ is not implemented",
        "reduce argument must be either add or multiply.",
    ]
    assert _along_dim_first_bad_index(ndgrad) == [
        "index 7 is out of bounds for dimension 0 with size 2",
        "index 5 is out of bounds for dimension 0 with size 2",
        "index 7 is out of bounds for dimension 0 with size 2",
        "index 7 is out of bounds for dimension 2 with size 4",
    ]


def test_index_add_copy_fill_by_hand() -> None:
    shape_error = (
        "RuntimeError",
        "source tensor shape must match self tensor shape, excluding the specified dimension. "
        "Got self.shape = {} source.shape = {}",
    )
    assert _index_add_checks(ndgrad) == [
        (shape_error[0], shape_error[1].format("[]", "[1]")),
        (shape_error[0], shape_error[1].format("[3]", "[]")),
        ("IndexError", "Dimension specified as 0 but tensor has no dimensions"),
        ("RuntimeError", "index 7 is out of bounds for dimension 0 with size 4"),
        ("IndexError", "index out of range in self"),
        ("IndexError", "index out of range in self"),
        ("IndexError", "index out of range in self"),
    ]
    assert _index_ops_into_empty(ndgrad) == [
        ((0, 3), "IndexAddBackward0"),
        ((0, 3), "IndexCopyBackward0"),
        ((0, 3), "IndexFillBackward0"),
        ((0, 3), None),
    ]
    assert _index_copy_fill_messages(ndgrad) == [
        "index_copy_(): Source/destination tensor must have same slice shapes. Destination "
        "slice shape: 2 at dimension 1 and source slice shape: 3 at dimension 0.",
        "index_fill_(): Expected dtype int64 for index.",
    ]


def test_masked_errors_by_hand() -> None:
    sizes = "The size of tensor a ({}) must match the size of tensor b ({}) at non-singleton "
    expand = (
        "expand({}{{[2, 1, 4]}}, size=[1, 4]): the number of sizes provided (2) must be greater "
        "or equal to the number of dimensions in the tensor (3)"
    )
    assert _masked_errors(ndgrad) == [
        sizes.format(5, 4) + "dimension 1",
        "masked_fill_ only supports boolean masks, but got mask with dtype unsigned char",
        sizes.format(4, 5) + "dimension 1",
        expand.format("CPUBoolType"),
        expand.format("torch.ByteTensor"),
    ]


def test_index_select_checks_by_hand() -> None:
    assert _index_select_checks(ndgrad) == [
        "Dimension out of range (expected to be in range of [-1, 0], but got 1)",
        "index_select(): Index to scalar can have only 1 value, got 2 value(s)",
        "index_select(): Index is supposed to be a vector",
        "index_select(): Expected dtype int32 or int64 for index",
    ]
