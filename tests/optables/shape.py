"""Shape ops: flatten/unflatten, movedim/swapaxes, broadcast_to, repeat/tile, flip, roll,
cat/hstack/vstack, split/chunk, narrow/select, tril/triu, diag/diagonal/trace, squeeze."""

from __future__ import annotations

import numpy as np

from . import OpInfo, Sample


def _s(*shapes, nc=False, **kwargs):
    return Sample(tuple(shapes), kwargs, non_contiguous=nc)


def _np_flatten(x, start_dim=0, end_dim=-1):
    if x.ndim == 0:
        return x.reshape(1)
    s, e = start_dim % x.ndim, end_dim % x.ndim
    return x.reshape((*x.shape[:s], -1, *x.shape[e + 1 :]))


def _np_repeat(x, reps):
    return np.tile(x.reshape((1,) * (len(reps) - x.ndim) + x.shape), reps)


def _np_roll(x, shifts, dims=None):
    return np.roll(x, shifts, axis=dims)


def _np_split(x, size, dim=0):
    n = x.shape[dim]
    cuts = list(range(size, n, size)) if isinstance(size, int) else list(np.cumsum(size)[:-1])
    return tuple(np.split(x, cuts, axis=dim))


def _np_chunk(x, chunks, dim=0):
    return _np_split(x, -(-x.shape[dim] // chunks), dim)


def _np_narrow(x, dim, start, length):
    start %= x.shape[dim]
    return np.take(x, range(start, start + length), axis=dim)


def _np_diag(x, diagonal=0):
    return np.diag(x, diagonal)


OPS = [
    OpInfo(
        "reshape_alias",  # a non-contiguous input whose strides allow the view
        lambda lib, x: x.mT.reshape(2, 2, 3),
        lambda x: x.T.reshape(2, 2, 3),
        [_s((3, 4))],
    ),
    OpInfo(
        "flatten",
        lambda lib, x, **kw: x.flatten(**kw),
        _np_flatten,
        [
            _s(()),
            _s((3,)),
            _s((2, 3, 4)),
            _s((2, 3, 4), start_dim=1),
            _s((2, 3, 4), start_dim=-3, end_dim=-2),
            _s((2, 3, 4), start_dim=1, end_dim=1),
            _s((3, 2), nc=True),
        ],
    ),
    OpInfo(
        "flatten_fn",
        lambda lib, x: lib.flatten(x, 0, 1),
        lambda x: x.reshape((-1, *x.shape[2:])),
        [_s((2, 3, 4)), _s((3, 2), nc=True)],
    ),
    OpInfo(
        "unflatten",
        lambda lib, x, dim, sizes: x.unflatten(dim, sizes),
        lambda x, dim, sizes: (
            x.reshape(x.shape[:dim] + sizes + x.shape[dim + 1 :])
            if dim >= 0
            else x.reshape(x.shape[:dim] + sizes)
        ),
        [
            _s((6,), dim=0, sizes=(2, 3)),
            _s((2, 6), dim=1, sizes=(-1, 2)),
            _s((2, 6), dim=-1, sizes=(3, 2)),
            _s((4, 2, 3), dim=0, sizes=(2, 2)),
        ],
    ),
    OpInfo(
        "swapaxes",
        lambda lib, x: lib.swapaxes(x, 0, -1),
        lambda x: np.swapaxes(x, 0, -1),
        [_s((3,)), _s((2, 3)), _s((2, 3, 4)), _s((3, 2), nc=True)],
    ),
    OpInfo(
        "swapdims",
        lambda lib, x: x.swapdims(1, 2),
        lambda x: np.swapaxes(x, 1, 2),
        [_s((2, 3, 4))],
    ),
    OpInfo(
        "movedim",
        lambda lib, x, s, d: x.movedim(s, d),
        lambda x, s, d: np.moveaxis(x, s, d),
        [
            _s((2, 3, 4), s=0, d=-1),
            _s((2, 3, 4), s=(0, 1), d=(2, 0)),
            _s((2, 3, 4), s=-1, d=0),
            _s((3,), s=0, d=0),
            _s((3, 2), nc=True, s=0, d=1),
        ],
    ),
    OpInfo(
        "moveaxis",
        lambda lib, x: lib.moveaxis(x, (0, 2), (1, 0)),
        lambda x: np.moveaxis(x, (0, 2), (1, 0)),
        [_s((2, 3, 4))],
    ),
    OpInfo(
        "broadcast_to",
        lambda lib, x, size: lib.broadcast_to(x, size),
        lambda x, size: np.broadcast_to(x, size),
        [
            _s((), size=(2,)),
            _s((3, 1), size=(2, 3, 4)),
            _s((4,), size=(2, 3, 4)),
            _s((3, 2), nc=True, size=(2, 3, 2)),
        ],
    ),
    OpInfo(
        "expand_as",
        lambda lib, x, y: x.expand_as(y),
        lambda x, y: np.broadcast_to(x, y.shape),
        [_s((3, 1), (2, 3, 4))],
        differentiable=(0,),
    ),
    OpInfo(
        "repeat",
        lambda lib, x, reps: x.repeat(reps),
        _np_repeat,
        [
            _s((), reps=()),
            _s((), reps=(3,)),
            _s((3,), reps=(2,)),
            _s((3,), reps=(2, 2)),
            _s((2, 3), reps=(2, 1, 3)),
            _s((2, 3, 4), reps=(1, 2, 1)),
            _s((2, 3), reps=(0, 2)),
            _s((3, 2), nc=True, reps=(2, 2)),
        ],
    ),
    OpInfo(
        "tile",
        lambda lib, x, reps: x.tile(reps),
        np.tile,
        [_s((3,), reps=(2,)), _s((2, 3), reps=(2,)), _s((2, 3), reps=(2, 1, 2))],
    ),
    OpInfo(
        "flip",
        lambda lib, x, dims: lib.flip(x, dims=dims),
        lambda x, dims: np.flip(x, dims) if x.ndim else x,
        [
            _s((), dims=(0,)),
            _s((3,), dims=(0,)),
            _s((2, 3), dims=(-1,)),
            _s((2, 3, 4), dims=(0, 2)),
            _s((3, 2), nc=True, dims=(0, 1)),
        ],
    ),
    OpInfo(
        "roll",
        lambda lib, x, **kw: x.roll(**kw),
        _np_roll,
        [
            _s((3,), shifts=1),
            _s((2, 3), shifts=-4),
            _s((2, 3, 4), shifts=(1, -2), dims=(0, 2)),
            _s((2, 3, 4), shifts=5, dims=-1),
            _s((3, 2), nc=True, shifts=1, dims=0),
        ],
    ),
    OpInfo(
        "cat",
        lambda lib, a, b, dim: lib.cat([a, b], dim),
        lambda a, b, dim: np.concatenate([a, b], dim),
        [
            _s((3,), (2,), dim=0),
            _s((2, 3), (4, 3), dim=0),
            _s((2, 3), (2, 1), dim=-1),
            _s((2, 3, 4), (2, 2, 4), dim=1),
            _s((0, 3), (2, 3), dim=0),
            _s((3, 2), (3, 2), nc=True, dim=1),
        ],
    ),
    OpInfo(
        "cat_legacy_empty",
        lambda lib, a, b: lib.cat([a, b, a], 1),
        lambda a, b: np.concatenate([a, a], 1),
        [_s((2, 3), (0,))],
    ),
    OpInfo(
        "concat",
        lambda lib, a, b, c: lib.concat((a, b, c), dim=-1),
        lambda a, b, c: np.concatenate([a, b, c], -1),
        [_s((2, 1), (2, 3), (2, 2))],
    ),
    OpInfo(
        "hstack",
        lambda lib, a, b: lib.hstack([a, b]),
        lambda a, b: np.hstack([a, b]),
        [_s((), ()), _s((3,), (2,)), _s((2, 3), (2, 1)), _s((2, 3, 4), (2, 1, 4))],
    ),
    OpInfo(
        "vstack",
        lambda lib, a, b: lib.vstack([a, b]),
        lambda a, b: np.vstack([a, b]),
        [_s((), ()), _s((3,), (3,)), _s((3,), (2, 3)), _s((2, 3, 4), (1, 3, 4))],
    ),
    OpInfo(
        "dstack",
        lambda lib, a, b: lib.dstack([a, b]),
        lambda a, b: np.dstack([a, b]),
        [_s((), ()), _s((3,), (3,)), _s((2, 3), (2, 3)), _s((2, 3, 1), (2, 3, 2))],
    ),
    OpInfo(
        "column_stack",
        lambda lib, a, b: lib.column_stack([a, b]),
        lambda a, b: np.column_stack([a, b]),
        [_s((), ()), _s((3,), (3,)), _s((3,), (3, 2)), _s((3, 2), (3, 2), nc=True)],
    ),
    OpInfo(
        "atleast_nd",
        lambda lib, a: (lib.atleast_1d(a), lib.atleast_2d(a), lib.atleast_3d(a)),
        lambda a: (np.atleast_1d(a), np.atleast_2d(a), np.atleast_3d(a)),
        [_s(()), _s((3,)), _s((2, 3)), _s((2, 3, 4))],
    ),
    OpInfo(
        "ravel",
        lambda lib, x: x.ravel(),
        np.ravel,
        [_s(()), _s((2, 3, 4)), _s((3, 2), nc=True)],
    ),
    OpInfo(
        "fliplr_flipud",
        lambda lib, x: (lib.fliplr(x), x.flipud()),
        lambda x: (np.fliplr(x), np.flipud(x)),
        [_s((2, 3)), _s((2, 3, 4)), _s((3, 2), nc=True)],
    ),
    OpInfo(
        "split",
        lambda lib, x, size, dim=0: x.split(size, dim),
        _np_split,
        [
            _s((5,), size=2),
            _s((4, 3), size=2),
            _s((2, 3, 4), size=3, dim=-1),
            _s((2, 3, 4), size=[1, 0, 2], dim=1),
            _s((3, 2), nc=True, size=[1, 2]),
        ],
    ),
    OpInfo(
        "split_fn",
        lambda lib, x: lib.split(x, [2, 1], dim=1),
        lambda x: _np_split(x, [2, 1], 1),
        [_s((2, 3))],
    ),
    OpInfo(
        "chunk",
        lambda lib, x, chunks, dim=0: x.chunk(chunks, dim),
        _np_chunk,
        [
            _s((5,), chunks=2),
            _s((5,), chunks=5),
            _s((2, 3, 4), chunks=3, dim=-1),
            _s((3, 2), nc=True, chunks=2),
        ],
    ),
    OpInfo(
        "narrow",
        lambda lib, x, dim, start, length: x.narrow(dim, start, length),
        _np_narrow,
        [
            _s((4,), dim=0, start=1, length=2),
            _s((2, 3, 4), dim=-1, start=-3, length=2),
            _s((2, 3, 4), dim=1, start=1, length=0),
            _s((3, 2), nc=True, dim=1, start=1, length=1),
        ],
    ),
    OpInfo(
        "select",
        lambda lib, x, dim, index: x.select(dim, index),
        lambda x, dim, index: np.take(x, index, axis=dim),
        [
            _s((3,), dim=0, index=1),
            _s((2, 3), dim=1, index=-1),
            _s((2, 3, 4), dim=-2, index=2),
            _s((3, 2), nc=True, dim=0, index=2),
        ],
    ),
    OpInfo(
        "tril",
        lambda lib, x, k=0: x.tril(k),
        lambda x, k=0: np.tril(x, k),
        [_s((3, 3)), _s((3, 4), k=1), _s((2, 3, 4), k=-1), _s((4, 3), nc=True, k=10)],
    ),
    OpInfo(
        "triu",
        lambda lib, x, k=0: lib.triu(x, k),
        lambda x, k=0: np.triu(x, k),
        [_s((3, 3)), _s((3, 4), k=-1), _s((2, 3, 4), k=2), _s((4, 3), nc=True)],
    ),
    OpInfo(
        "diag",
        lambda lib, x, **kw: lib.diag(x, **kw),
        _np_diag,
        [
            _s((3,)),
            _s((3,), diagonal=1),
            _s((2,), diagonal=-2),
            _s((3, 3)),
            _s((3, 4), diagonal=2),
            _s((3, 4), diagonal=-5),
            _s((4, 3), nc=True, diagonal=-1),
        ],
    ),
    OpInfo(
        "diagonal",
        lambda lib, x, **kw: x.diagonal(**kw),
        lambda x, offset=0, dim1=0, dim2=1: np.diagonal(x, offset, dim1, dim2),
        [
            _s((3, 3)),
            _s((3, 4), offset=1),
            _s((3, 4), offset=-2),
            _s((2, 3, 4), offset=1, dim1=-1, dim2=0),
            _s((2, 3, 4), dim1=2, dim2=1),
            _s((2, 3), offset=5),
            _s((4, 3), nc=True, offset=-1),
        ],
    ),
    OpInfo(
        "trace",
        lambda lib, x: x.trace(),
        np.trace,
        [_s((3, 3)), _s((2, 4)), _s((4, 3), nc=True)],
    ),
    OpInfo(
        "squeeze_dims",
        lambda lib, x, dim: x.squeeze(dim),
        lambda x, dim: np.squeeze(x, tuple(d for d in dim if x.ndim and x.shape[d] == 1)),
        [
            _s((1, 3, 1), dim=(0, 2)),
            _s((2, 1, 1), dim=(-1, 0)),
            _s((1,), dim=(0,)),
            _s((), dim=(0,)),
        ],
    ),
    OpInfo("t", lambda lib, x: lib.t(x), lambda x: x.T, [_s(()), _s((3,)), _s((2, 3))]),
    OpInfo("mT", lambda lib, x: x.mT, lambda x: np.swapaxes(x, -1, -2), [_s((2, 3, 4))]),
    OpInfo(
        "unbind",
        lambda lib, x, dim=0: x.unbind(dim),
        lambda x, dim=0: tuple(np.moveaxis(x, dim, 0)),
        [_s((3,)), _s((2, 3, 4), dim=-1)],
    ),
]

# as_strided_copy / as_strided_scatter (issue 11). PyTorch 2.13's gradient of
# as_strided_scatter with respect to its input is wrong (its own gradcheck fails: it keeps the
# gradient at the written positions and drops it elsewhere), so that op is checked against
# numpy and by gradcheck only.
OPS += [
    OpInfo(
        "as_strided_copy",
        lambda lib, a: lib.as_strided_copy(a * 1, (3, 2), (2, 1), 1),
        lambda a: np.lib.stride_tricks.as_strided(
            a.reshape(-1)[1:], (3, 2), (2 * a.itemsize, a.itemsize)
        ).copy(),
        [Sample(((3, 3),)), Sample(((8,),))],
    ),
    OpInfo(
        "as_strided_copy_overlapping",
        lambda lib, a: lib.as_strided_copy(a * 1, (4, 3), (1, 1)),
        None,
        [Sample(((7,),))],
    ),
    OpInfo(
        "as_strided_scatter",
        lambda lib, a, s: lib.as_strided_scatter(a * 1, s, (2, 2), (3, 1), 1),
        None,
        [Sample(((9,), (2, 2)))],
        torch_parity=False,
    ),
]
