"""Indexing: x[key] (basic, advanced, masks, mixed), x[key] = v, gather, scatter, scatter_add,
index_select, masked_fill, masked_select, take.

Integer and boolean index inputs come from ``makers`` and are not differentiated. Index inputs
of ops that overwrite (setitem, scatter) have no repeats: which write wins would be unspecified.
"""

from __future__ import annotations

import numpy as np

from . import OpInfo, Sample


def ints(low, high):
    """A maker of int64 indices in [low, high) (repeats likely)."""
    return lambda rng, shape: rng.integers(low, high, size=shape)


def unique_along(n, dim):
    """A maker of indices into a dim of size n, distinct along ``dim`` (no repeated writes)."""

    def make(rng, shape):
        k = shape[dim]
        rest = [s for i, s in enumerate(shape) if i != dim]
        m = int(np.prod(rest))
        cols = np.stack([rng.permutation(n)[:k] for _ in range(m)], axis=-1)  # (k, m)
        return np.moveaxis(cols.reshape((k, *rest)), 0, dim)

    return make


def mask(rng, shape):
    return rng.uniform(size=shape) > 0.4


def _s(*shapes, nc=False, makers=(), **kwargs):
    return Sample(tuple(shapes), kwargs, non_contiguous=nc, makers=makers)


def _getitem_samples(keys, shape=(3, 4, 2)):
    return [_s(shape, key=k) for k in keys]


def _setitem(lib, x, v, key):
    y = x * 1
    y[key] = v
    return y


def _np_setitem(x, v, key):
    y = x.copy()
    y[key] = v
    return y


def _np_gather(x, index, dim):
    if x.ndim == 0:
        return x.copy()
    sliced = x[tuple(slice(0, s) if k != dim else slice(None) for k, s in enumerate(index.shape))]
    return np.take_along_axis(sliced, index, axis=dim)


def _np_scatter(x, index, src, dim, add=False):
    if x.ndim == 0:  # PyTorch treats 0-d as one dim of size 1
        src = src.reshape(-1) if isinstance(src, np.ndarray) else src
        return _np_scatter(x.reshape(1), index.reshape(-1), src, 0, add).reshape(())
    out = x.copy()
    grid = list(np.indices(index.shape))
    grid[dim] = index
    values = src[tuple(slice(0, s) for s in index.shape)] if isinstance(src, np.ndarray) else src
    if add:
        np.add.at(out, tuple(grid), values)
    else:
        out[tuple(grid)] = values
    return out


def _along(x, dim, i):
    return (slice(None),) * (dim % x.ndim) + (i,)


def _np_index_add(x, i, src, dim, alpha=1):
    out = x.copy()
    np.add.at(out, _along(x, dim, i), alpha * np.moveaxis(src, dim, dim % x.ndim))
    return out


def _np_index_put(x, i, values, dim):
    out = x.copy()
    out[_along(x, dim, i)] = values
    return out


def _np_masked_fill(x, m, value):
    return np.where(m, value, x)


def _np_masked_select(x, m):
    shape = np.broadcast_shapes(x.shape, m.shape)
    return np.broadcast_to(x, shape)[np.broadcast_to(m, shape)]


BASIC_KEYS = [
    0,
    -1,
    slice(1, None),
    slice(-2, None),
    slice(5, 10),  # empty
    (slice(None), slice(None, None, 2)),
    (slice(None, None, 2), -3, slice(1, 2)),
    (Ellipsis, None, 1),
    (None,),
    (slice(-2, None), 0),
    (1, 2, 0),
    (),
    Ellipsis,
]
# numpy reads these as PyTorch does (no ints mixed with index lists)
ADVANCED_KEYS = [
    [2, 0, 2, 2],
    [-1],
    [],
    ([0, 1], [1, 1]),
    (slice(None), [3, 0, 3]),
    ([[0, 2], [2, 2]], slice(1, None), [[1], [0]]),  # broadcast index arrays, non-adjacent
    (Ellipsis, [1, 1]),
    (None, [0, 0], slice(None, None, 2)),
    True,
]
# PyTorch applies the ints first, unlike numpy: checked against torch only
MIXED_KEYS = [
    (0, slice(None), [0, 1]),
    ([0, 2], 1, [1, 1]),
    (slice(None), [1, 1, 0], 1),
    (1, [[0], [3]], [0, 1]),
]

OPS = [
    OpInfo(
        "getitem_basic",
        lambda lib, x, key: x[key],
        lambda x, key: x[key],
        [*_getitem_samples(BASIC_KEYS), _s((3, 2), nc=True, key=(slice(1, None), 1))],
    ),
    OpInfo(
        "getitem_0d",
        lambda lib, x, key: x[key],
        lambda x, key: x[key],
        [_s((), key=k) for k in (None, Ellipsis, (), (None, Ellipsis, None))],
    ),
    OpInfo(
        "getitem_advanced",
        lambda lib, x, key: x[key],
        lambda x, key: x[key],
        [*_getitem_samples(ADVANCED_KEYS), _s((3, 2), nc=True, key=(slice(None), [1, 1, 0]))],
    ),
    OpInfo(
        "getitem_mixed",
        lambda lib, x, key: x[key],
        None,
        _getitem_samples(MIXED_KEYS),
    ),
    OpInfo(
        "getitem_index_tensor",
        lambda lib, x, i: x[i],
        lambda x, i: x[i],
        [
            _s((4,), (6,), makers=(None, ints(-4, 4))),
            _s((3, 4), (2, 3), makers=(None, ints(-3, 3))),
            _s((3, 2), (5,), nc=True, makers=(None, ints(0, 3))),
            _s((3,), (), makers=(None, ints(0, 3))),
        ],
        differentiable=(0,),
    ),
    OpInfo(
        "getitem_index_tensor_dim1",
        lambda lib, x, i: x[:, i, None],
        lambda x, i: x[:, i, None],
        [_s((2, 3, 4), (2, 2), makers=(None, ints(0, 3)))],
        differentiable=(0,),
    ),
    OpInfo(
        "getitem_mask",
        lambda lib, x, m: x[m],
        lambda x, m: x[m],
        [
            _s((5,), (5,), makers=(None, mask)),
            _s((3, 4), (3, 4), makers=(None, mask)),
            _s((3, 4, 2), (3,), makers=(None, mask)),
            _s((3, 2), (3, 2), nc=True, makers=(None, mask)),
            _s((), (), makers=(None, mask)),
        ],
        differentiable=(0,),
    ),
    OpInfo(
        "getitem_mask_dim1",
        lambda lib, x, m: x[1:, m],
        lambda x, m: x[1:, m],
        [_s((3, 4, 2), (4, 2), makers=(None, mask))],
        differentiable=(0,),
    ),
    OpInfo(
        "getitem_chain",  # indexing a view of a view, then an advanced index of that
        lambda lib, x: x[1:][:, ::2][[0, 0, 1]][..., 0],
        lambda x: x[1:][:, ::2][[0, 0, 1]][..., 0],
        [_s((3, 4, 2))],
    ),
    OpInfo(
        "setitem",
        _setitem,
        _np_setitem,
        [
            _s((3, 4), (4,), key=0),
            _s((3, 4), (), key=(slice(None), -1)),
            _s((3, 4), (1, 4), key=slice(1, None)),
            _s((3, 4), (1, 1, 2), key=(slice(None), slice(None, None, 2))),
            _s((3, 4), (2, 4), key=[2, 0]),
            _s((3, 4), (2,), key=([0, 1], [3, 3])),
            _s((2, 3, 4), (3, 1), key=(Ellipsis, [0, 2])),
            _s((3, 4), (3, 4), key=Ellipsis),
            _s((3, 4), (), key=Ellipsis),
            _s((), (), key=()),
            _s((3, 2), (3,), nc=True, key=(slice(None), 1)),
        ],
    ),
    OpInfo(
        "setitem_mixed",
        _setitem,
        None,
        [_s((2, 3, 4), (3, 2), key=(0, slice(None), [1, 3]))],
    ),
    OpInfo(
        "setitem_number",
        lambda lib, x, key: _setitem(lib, x, 2.5, key),
        lambda x, key: _np_setitem(x, 2.5, key),
        [_s((3, 4), key=1), _s((3, 4), key=[0, 2]), _s((3, 4), key=(slice(None), slice(1, 3)))],
    ),
    OpInfo(
        "setitem_mask",
        lambda lib, x, v, m: _setitem(lib, x, v, m),
        lambda x, v, m: _np_setitem(x, v, m),
        [
            _s((3, 4), (), (3, 4), makers=(None, None, mask)),
            _s((3, 4), (4,), (3,), makers=(None, None, mask)),
        ],
        differentiable=(0, 1),
    ),
    OpInfo(
        "gather",
        lambda lib, x, i, dim: lib.gather(x, dim, i),
        _np_gather,
        [
            _s((4,), (6,), dim=0, makers=(None, ints(0, 4))),
            _s((3, 4), (2, 4), dim=0, makers=(None, ints(0, 3))),
            _s((3, 4), (2, 5), dim=-1, makers=(None, ints(0, 4))),
            _s((2, 3, 4), (2, 2, 3), dim=1, makers=(None, ints(0, 3))),
            _s((3, 2), (3, 2), nc=True, dim=1, makers=(None, ints(0, 2))),
            _s((), (), dim=0, makers=(None, ints(0, 1))),
        ],
        differentiable=(0,),
    ),
    OpInfo(
        "scatter",
        lambda lib, x, i, src, dim: x.scatter(dim, i, src),
        _np_scatter,
        [
            _s((), (), (), dim=0, makers=(None, ints(0, 1))),
            _s((4,), (3,), (3,), dim=0, makers=(None, unique_along(4, 0))),
            _s((3, 4), (2, 4), (2, 4), dim=0, makers=(None, unique_along(3, 0))),
            _s((2, 3, 4), (2, 2, 3), (2, 2, 3), dim=-1, makers=(None, unique_along(4, 2))),
            _s((3, 2), (2, 2), (2, 2), nc=True, dim=0, makers=(None, unique_along(3, 0))),
        ],
        differentiable=(0, 2),
    ),
    OpInfo(
        "scatter_value",
        lambda lib, x, i, dim: lib.scatter(x, dim, i, -1.5),
        lambda x, i, dim: _np_scatter(x, i, -1.5, dim),
        [
            _s((3, 4), (2, 4), dim=0, makers=(None, ints(0, 3))),
            _s((2, 3, 4), (2, 3, 2), dim=-1, makers=(None, ints(0, 4))),
        ],
        differentiable=(0,),
    ),
    OpInfo(
        "scatter_add",
        lambda lib, x, i, src, dim: x.scatter_add(dim, i, src),
        lambda x, i, src, dim: _np_scatter(x, i, src, dim, add=True),
        [
            _s((), (3,), (3,), dim=0, makers=(None, ints(0, 1))),
            _s((4,), (6,), (6,), dim=0, makers=(None, ints(0, 4))),
            _s((3, 4), (5, 4), (5, 4), dim=0, makers=(None, ints(0, 3))),
            _s((2, 3, 4), (2, 3, 6), (2, 3, 6), dim=-1, makers=(None, ints(0, 4))),
            _s((3, 2), (4, 2), (4, 2), nc=True, dim=0, makers=(None, ints(0, 3))),
        ],
        differentiable=(0, 2),
    ),
    OpInfo(
        # src larger than index: only its leading block is written; src gets no gradient, as
        # PyTorch's backward refuses src's (of the index's shape: see test_ops5_regressions)
        "scatter_src_larger",
        lambda lib, x, i, src: (x.scatter(1, i, src), x.scatter_add(1, i, src)),
        lambda x, i, src: (_np_scatter(x, i, src, 1), _np_scatter(x, i, src, 1, add=True)),
        [_s((3, 4), (2, 2), (3, 3), makers=(None, unique_along(4, 1)))],
        differentiable=(0,),
    ),
    OpInfo(
        "index_select",
        lambda lib, x, i, dim: x.index_select(dim, i),
        lambda x, i, dim: np.take(x, i.reshape(-1), axis=dim) if x.ndim else x.copy(),
        [
            _s((4,), (6,), dim=0, makers=(None, ints(0, 4))),
            _s((3, 4), (5,), dim=1, makers=(None, ints(0, 4))),
            _s((2, 3, 4), (4,), dim=-2, makers=(None, ints(0, 3))),
            _s((2, 3, 4), (), dim=0, makers=(None, ints(0, 2))),
            _s((3, 2), (0,), dim=0, makers=(None, ints(0, 3))),
            _s((), (1,), dim=-1, makers=(None, ints(0, 1))),
            _s((3, 2), (3,), nc=True, dim=1, makers=(None, ints(0, 2))),
        ],
        differentiable=(0,),
    ),
    OpInfo(
        "index_select_fn",
        lambda lib, x, i: lib.index_select(x, 0, i),
        lambda x, i: x[i],
        [_s((3, 4), (4,), makers=(None, ints(0, 3)))],
        differentiable=(0,),
    ),
    OpInfo(
        "index_add",
        lambda lib, x, i, src, dim, alpha=1: x.index_add(dim, i, src, alpha=alpha),
        _np_index_add,
        [
            _s((4,), (6,), (6,), dim=0, makers=(None, ints(0, 4))),
            _s((3, 4), (5,), (3, 5), dim=1, alpha=-2.5, makers=(None, ints(0, 4))),
            _s((2, 3, 4), (2,), (2, 2, 4), dim=-2, makers=(None, ints(0, 3))),
            _s((3, 2), (4,), (4, 2), nc=True, dim=0, makers=(None, ints(0, 3))),
        ],
        differentiable=(0, 2),
    ),
    OpInfo(
        "index_fill",
        lambda lib, x, i, dim: lib.index_fill(x, dim, i, -1.5),
        lambda x, i, dim: _np_index_put(x, i, -1.5, dim),
        [
            _s((4,), (2,), dim=0, makers=(None, ints(-4, 4))),
            _s((2, 3, 4), (3,), dim=-1, makers=(None, ints(0, 4))),
            _s((3, 2), (2,), nc=True, dim=1, makers=(None, ints(0, 2))),
        ],
        differentiable=(0,),
    ),
    OpInfo(
        "index_fill_tensor",
        lambda lib, x, i, v: x.index_fill(1, i, v),
        lambda x, i, v: _np_index_put(x, i, v, 1),
        [_s((3, 4), (2,), (), makers=(None, ints(0, 4)))],
        differentiable=(0, 2),
    ),
    OpInfo(
        "index_copy",
        lambda lib, x, i, src, dim: x.index_copy(dim, i, src),
        _np_index_put,
        [
            _s((4,), (3,), (3,), dim=0, makers=(None, unique_along(4, 0))),
            _s((3, 4), (2,), (3, 2), dim=1, makers=(None, unique_along(4, 0))),
            _s((3, 2), (2,), (2, 2), nc=True, dim=0, makers=(None, unique_along(3, 0))),
        ],
        differentiable=(0, 2),
    ),
    OpInfo(
        "masked_fill",
        lambda lib, x, m: x.masked_fill(m, 0.5),
        lambda x, m: _np_masked_fill(x, m, 0.5),
        [
            _s((), (), makers=(None, mask)),
            _s((5,), (5,), makers=(None, mask)),
            _s((2, 3), (3,), makers=(None, mask)),
            _s((3,), (2, 3), makers=(None, mask)),
            _s((2, 3, 4), (2, 3, 4), makers=(None, mask)),
            _s((3, 2), (3, 2), nc=True, makers=(None, mask)),
        ],
        differentiable=(0,),
    ),
    OpInfo(
        "masked_fill_tensor",
        lambda lib, x, m, v: lib.masked_fill(x, m, v),
        _np_masked_fill,
        [
            _s((5,), (5,), (), makers=(None, mask)),
            _s((2, 3), (2, 1), (), makers=(None, mask)),
            _s((2, 3, 4), (2, 3, 4), (), makers=(None, mask)),
        ],
        differentiable=(0, 2),
    ),
    OpInfo(
        "masked_select",
        lambda lib, x, m: x.masked_select(m),
        _np_masked_select,
        [
            _s((), (), makers=(None, mask)),
            _s((5,), (5,), makers=(None, mask)),
            _s((2, 3), (2, 3), makers=(None, mask)),
            _s((3,), (2, 3), makers=(None, mask)),
            _s((2, 3, 4), (4,), makers=(None, mask)),
            _s((3, 2), (3, 2), nc=True, makers=(None, mask)),
        ],
        differentiable=(0,),
    ),
    OpInfo(
        "take",
        lambda lib, x, i: lib.take(x, i),
        lambda x, i: x.reshape(-1)[i],
        [
            _s((), (3,), makers=(None, ints(-1, 1))),
            _s((5,), (7,), makers=(None, ints(-5, 5))),
            _s((2, 3), (2, 2), makers=(None, ints(0, 6))),
            _s((2, 3, 4), (), makers=(None, ints(0, 24))),
            _s((3, 2), (4,), nc=True, makers=(None, ints(0, 6))),
        ],
        differentiable=(0,),
    ),
]
