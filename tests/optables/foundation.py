"""The ops of the foundation: + - * / **, neg, exp, log, sqrt, tanh, sigmoid, relu, abs,
sum, mean, view, reshape, matmul (and the shape helpers the engine needs)."""

from __future__ import annotations

import numpy as np

from . import OpInfo, Sample

BINARY_SHAPES = [
    ((), ()),
    ((3,), (3,)),
    ((2, 3), (2, 3)),
    ((2, 1), (1, 3)),
    ((4, 3), (3,)),
    ((2, 3, 4), (4,)),
    ((3,), ()),
]
UNARY_SHAPES = [(), (3,), (2, 3), (2, 3, 4)]


def _binary(shapes=BINARY_SHAPES):
    out = [Sample(s) for s in shapes]
    out.append(Sample(((3, 2), (3, 2)), non_contiguous=True))
    return out


def _unary():
    return [Sample((s,)) for s in UNARY_SHAPES] + [Sample(((3, 2),), non_contiguous=True)]


def _reductions():
    samples = [
        Sample(((2, 3, 4),), {"dim": d, "keepdim": k})
        for d in (0, -1, (0, 1))
        for k in (False, True)
    ]
    samples += [Sample(((2, 3),)), Sample(((),))]
    samples.append(Sample(((3, 2),), {"dim": 0}, non_contiguous=True))
    return samples


def _np_sum(x, dim=None, keepdim=False):
    return np.sum(x, axis=dim, keepdims=keepdim)


def _np_mean(x, dim=None, keepdim=False):
    return np.mean(x, axis=dim, keepdims=keepdim)


OPS = [
    OpInfo("add", lambda lib, a, b: a + b, np.add, _binary()),
    OpInfo(
        "add_alpha",
        lambda lib, a, b: lib.add(a, b, alpha=2.5),
        lambda a, b: a + 2.5 * b,
        _binary()[:4],
    ),
    OpInfo("radd_scalar", lambda lib, a: 1.5 + a, lambda a: 1.5 + a, _unary()),
    OpInfo("sub", lambda lib, a, b: a - b, np.subtract, _binary()),
    OpInfo(
        "sub_alpha",
        lambda lib, a, b: lib.sub(a, b, alpha=-0.5),
        lambda a, b: a + 0.5 * b,
        _binary()[:4],
    ),
    OpInfo("rsub_scalar", lambda lib, a: 2 - a, lambda a: 2 - a, _unary()),
    OpInfo(
        "rsub_scalar_alpha",
        lambda lib, a: lib.rsub(a, 2, alpha=1.5),
        lambda a: 2 - 1.5 * a,
        _unary(),
    ),
    OpInfo("rsub", lambda lib, a, b: lib.rsub(a, b), lambda a, b: b - a, _binary()),
    OpInfo(
        "rsub_alpha",
        lambda lib, a, b: lib.rsub(a, b, alpha=-0.5),
        lambda a, b: b + 0.5 * a,
        _binary()[:4],
    ),
    OpInfo("mul", lambda lib, a, b: a * b, np.multiply, _binary()),
    OpInfo("mul_scalar", lambda lib, a: a * 3, lambda a: a * 3, _unary()),
    OpInfo("div", lambda lib, a, b: a / b, np.divide, _binary(), domain=(0.5, 2.0)),
    OpInfo("rdiv_scalar", lambda lib, a: 2 / a, lambda a: 2 / a, _unary(), domain=(0.5, 2.0)),
    OpInfo("pow", lambda lib, a, b: a**b, np.power, _binary(), domain=(0.5, 2.0)),
    OpInfo("pow_scalar", lambda lib, a: a**3, lambda a: a**3, _unary()),
    OpInfo("pow_scalar_frac", lambda lib, a: a**2.5, lambda a: a**2.5, _unary(), domain=(0.5, 2)),
    OpInfo("rpow_scalar", lambda lib, a: 2.0**a, lambda a: 2.0**a, _unary()),
    OpInfo("neg", lambda lib, a: -a, np.negative, _unary()),
    OpInfo("exp", lambda lib, a: lib.exp(a), np.exp, _unary()),
    OpInfo("log", lambda lib, a: lib.log(a), np.log, _unary(), domain=(0.5, 2.0)),
    OpInfo("sqrt", lambda lib, a: a.sqrt(), np.sqrt, _unary(), domain=(0.5, 2.0)),
    OpInfo("tanh", lambda lib, a: a.tanh(), np.tanh, _unary()),
    OpInfo("sigmoid", lambda lib, a: lib.sigmoid(a), lambda a: 1 / (1 + np.exp(-a)), _unary()),
    OpInfo("relu", lambda lib, a: lib.relu(a), lambda a: np.maximum(a, 0), _unary(), avoid=(0,)),
    OpInfo("abs", lambda lib, a: a.abs(), np.abs, _unary(), avoid=(0,)),
    OpInfo("sum", lambda lib, a, **kw: a.sum(**kw), _np_sum, _reductions()),
    OpInfo("mean", lambda lib, a, **kw: a.mean(**kw), _np_mean, _reductions()),
    OpInfo(
        "view", lambda lib, a: a.view(4, -1), lambda a: a.reshape(4, -1), [Sample(((2, 3, 4),))]
    ),
    OpInfo(
        "reshape",
        lambda lib, a: a.reshape(-1),
        lambda a: a.reshape(-1),
        [Sample(((2, 3),)), Sample(((3, 2),), non_contiguous=True)],
    ),
    OpInfo(
        "matmul",
        lambda lib, a, b: a @ b,
        np.matmul,
        [
            Sample(((3,), (3,))),
            Sample(((2, 3), (3,))),
            Sample(((3,), (3, 2))),
            Sample(((2, 3), (3, 4))),
            Sample(((2, 2, 3), (2, 3, 4))),
            Sample(((2, 2, 3), (3, 4))),
            Sample(((3,), (2, 3, 2))),
            Sample(((2, 2, 3), (3,))),
            Sample(((2, 1, 2, 3), (3, 3, 2))),
            Sample(((3, 2), (2, 3)), non_contiguous=True),
        ],
    ),
    OpInfo(
        "expand",
        lambda lib, a: a.expand(2, 3, 4),
        lambda a: np.broadcast_to(a, (2, 3, 4)),
        [Sample(((3, 1),)), Sample(((4,),))],
    ),
    OpInfo(
        "unsqueeze_squeeze",
        lambda lib, a: a.unsqueeze(1).squeeze(),
        np.squeeze,
        [Sample(((2, 3),)), Sample(((1, 3),))],
    ),
    OpInfo(
        "transpose",
        lambda lib, a: a.transpose(0, -1),
        lambda a: np.swapaxes(a, 0, -1),
        [Sample(((2, 3, 4),))],
    ),
    OpInfo(
        "permute",
        lambda lib, a: a.permute(2, 0, 1),
        lambda a: np.transpose(a, (2, 0, 1)),
        [Sample(((2, 3, 4),))],
    ),
    OpInfo(
        "where",
        lambda lib, a, b: lib.where(a > 0, a, b),
        lambda a, b: np.where(a > 0, a, b),
        [Sample(((2, 3), (3,))), Sample(((3,), (2, 3)))],
        avoid=(0,),
    ),
    OpInfo(
        "stack",
        lambda lib, a, b: lib.stack([a, b], dim=1),
        lambda a, b: np.stack([a, b], 1),
        [Sample(((2, 3), (2, 3)))],
    ),
]
