"""The reductions beyond sum/mean (those are in foundation.py): prod, max/min, amax/amin,
argmax/argmin, var/std, logsumexp, norm, cumsum/cumprod, all/any, count_nonzero, median, sort,
argsort, topk.

Random inputs are continuous, so they hold no ties: the conventions at ties and zeros are tested
against fixed values in tests/test_reduction_conventions.py.
"""

from __future__ import annotations

import numpy as np

from . import OpInfo, Sample

SHAPE = (2, 3, 4)


def _reduce_samples(dims=(None, 0, -1, (0, 1)), full_keepdim=True, zero_d_dim=True):
    """dim in ``dims`` with keepdim both ways, a 0-d input, and non-contiguous inputs."""
    out = []
    for d in dims:
        for k in (False, True):
            if d is None and not full_keepdim:
                kw = {}
                if k:
                    continue
            else:
                kw = {"keepdim": k} if d is None else {"dim": d, "keepdim": k}
            out.append(Sample((SHAPE,), kw))
    out.append(Sample(((),)))
    if zero_d_dim:
        out.append(Sample(((),), {"dim": 0}))
    out.append(Sample(((3, 2),), {"dim": 0}, non_contiguous=True))
    out.append(Sample(((3, 2),), {"dim": -1, "keepdim": True}, non_contiguous=True))
    return out


def _as_vector(x):
    """numpy refs treat a 0-d input as a 1-element vector and squeeze back, as PyTorch does."""
    return (x.reshape(1), True) if x.ndim == 0 else (x, False)


def _np_reduce(fn):
    def ref(x, dim=None, keepdim=False):
        axis = tuple(dim) if isinstance(dim, tuple) else dim
        if x.ndim == 0:
            axis = None
        return fn(x, axis=axis, keepdims=keepdim)

    return ref


def _np_select(value_fn, index_fn):
    """(values, indices) along dim; the whole-tensor value without dim."""

    def ref(x, dim=None, keepdim=False):
        if dim is None:
            return value_fn(x)
        v, zero_d = _as_vector(x)
        idx = index_fn(v, dim)
        vals = np.take_along_axis(v, idx, dim)
        if zero_d:
            return vals.reshape(()), idx.reshape(())
        if not keepdim:
            vals, idx = vals.squeeze(dim), idx.squeeze(dim)
        return vals, idx

    return ref


def _np_lower_median(x):
    return np.sort(x.reshape(-1))[(x.size - 1) // 2]


def _np_median_index(x, dim):
    order = np.argsort(x, axis=dim, kind="stable")
    return np.take(order, [(x.shape[dim] - 1) // 2], axis=dim)


def _np_var(correction):
    def ref(x, dim=None, keepdim=False, **kw):
        c = correction if not kw else kw.get("correction", 0 if kw.get("unbiased") is False else 1)
        axis = tuple(dim) if isinstance(dim, tuple) else dim
        return np.var(x, axis=axis, ddof=c, keepdims=keepdim)

    return ref


def _np_mean_like_var(x, dim=None, keepdim=False, **_):
    axis = tuple(dim) if isinstance(dim, tuple) else dim
    return np.mean(x, axis=axis, keepdims=keepdim)


def _np_softmax(x, dim):
    x1 = x.reshape(1) if x.ndim == 0 else x
    e = np.exp(x1 - x1.max(axis=dim, keepdims=True))
    return (e / e.sum(axis=dim, keepdims=True)).reshape(x.shape)


def _np_log_softmax(x, dim):
    return np.log(_np_softmax(x, dim))


_SOFTMAX_SAMPLES = [
    Sample(((3, 4),), {"dim": 1}),
    Sample(((3, 4),), {"dim": 0}),
    Sample(((2, 3, 4),), {"dim": -2}),
    Sample(((3, 4),), {"dim": -1}, non_contiguous=True),
    Sample(((),), {"dim": 0}),
]


def _np_logsumexp(x, dim, keepdim=False):
    axis = tuple(dim) if isinstance(dim, tuple) else dim
    if x.ndim == 0:
        return x.copy()
    with np.errstate(divide="ignore"):  # an empty sum is 0: log gives -inf
        return np.log(np.exp(x).sum(axis=axis, keepdims=keepdim))


def _np_norm(p):
    def ref(x, dim=None, keepdim=False):
        axis = tuple(dim) if isinstance(dim, tuple) else dim
        a = np.abs(x)
        if p == np.inf:
            return a.max(axis=axis, keepdims=keepdim)
        if p == -np.inf:
            return a.min(axis=axis, keepdims=keepdim)
        if p == 0:
            return (a != 0).sum(axis=axis, keepdims=keepdim).astype(x.dtype)
        return (a**p).sum(axis=axis, keepdims=keepdim) ** (1 / p)

    return ref


def _np_cumulative(fn):
    def ref(x, dim):
        return x.copy() if x.ndim == 0 else fn(x, axis=dim)

    return ref


def _np_sort(x, dim=-1, descending=False):
    v, zero_d = _as_vector(x)
    if descending:
        order = np.argsort(-v, axis=dim, kind="stable")
    else:
        order = np.argsort(v, axis=dim, kind="stable")
    vals = np.take_along_axis(v, order, dim)
    return (vals.reshape(()), order.reshape(())) if zero_d else (vals, order)


def _np_topk(x, k, dim=-1, largest=True):
    v, zero_d = _as_vector(x)
    vals, idx = _np_sort(v, dim, descending=largest)
    sl = [slice(None)] * v.ndim
    sl[dim] = slice(0, k)
    vals, idx = vals[tuple(sl)], idx[tuple(sl)]
    return (vals.reshape(()), idx.reshape(())) if zero_d else (vals, idx)


def _with_zeros(count):
    """Inputs holding ``count`` exact zeros (per call), the rest away from 0."""

    def make(rng, shape):
        a = rng.uniform(0.5, 1.5, size=shape) * rng.choice([-1, 1], size=shape)
        flat = a.reshape(-1)
        flat[rng.choice(flat.size, count, replace=False)] = 0.0
        return a

    return make


def _bits(rng, shape):
    """Zeros and ones, so that all/any/count_nonzero see both."""
    return rng.integers(0, 2, size=shape).astype(np.float64)


def _prod_samples():
    samples = [s for s in _reduce_samples(dims=(None, 0, -1), full_keepdim=False)]
    for zeros in (1, 2):
        samples.append(Sample(((5,),), makers=(_with_zeros(zeros),)))
        samples.append(Sample(((3, 4),), {"dim": 1}, makers=(_with_zeros(zeros),)))
    return samples


def _select_samples():
    """max/min/median: the whole tensor, or along one dim (values, indices)."""
    out = [Sample((SHAPE,))]
    out += [Sample((SHAPE,), {"dim": d, "keepdim": k}) for d in (0, -1) for k in (False, True)]
    out += [Sample(((),)), Sample(((),), {"dim": 0}), Sample(((),), {"dim": -1, "keepdim": True})]
    out.append(Sample(((3, 2),), {"dim": 0}, non_contiguous=True))
    out.append(Sample(((4, 3),)))  # an even count: the lower median
    return out


def _var_samples():
    out = _reduce_samples(zero_d_dim=False)[:-3]  # a 0-d input has no degrees of freedom
    out += [
        Sample((SHAPE,), {"dim": 1, "correction": 0}),
        Sample((SHAPE,), {"dim": (0, 2), "unbiased": False, "keepdim": True}),
        Sample((SHAPE,), {"correction": 2}),
        Sample(((3, 2),), {"dim": 0}, non_contiguous=True),
    ]
    return out


def _cumulative_samples(extra=()):
    out = [Sample((SHAPE,), {"dim": d}) for d in (0, 1, -1)] + _empty(((2, 0), {"dim": 1}))
    out += [Sample(((),), {"dim": 0}), Sample(((3, 2),), {"dim": 0}, non_contiguous=True)]
    return out + list(extra)


def _logical_samples():
    out = [
        Sample((SHAPE,), {"dim": d, "keepdim": k}, makers=(_bits,))
        for d in (0, -1, (0, 1))
        for k in (False, True)
    ]
    return [*out, Sample((SHAPE,), makers=(_bits,)), Sample(((),), makers=(_bits,))]


def _sort_samples():
    out = [Sample((SHAPE,), {"dim": d, "descending": s}) for d in (0, -1) for s in (False, True)]
    out += [Sample(((),)), Sample(((3, 2),), {"dim": 0}, non_contiguous=True)]
    return out + _empty(((0, 3), {"dim": 0}))


def _topk_samples():
    out = [Sample((SHAPE,), {"k": 2, "largest": big}) for big in (True, False)]
    out += [
        Sample((SHAPE,), {"k": 3, "dim": 1}),
        Sample((SHAPE,), {"k": 1, "dim": 0, "largest": False}),
        Sample((SHAPE,), {"k": 0}),
        Sample(((),), {"k": 1}),
        Sample(((3, 2),), {"k": 2, "dim": 0}, non_contiguous=True),
    ]
    return out


def _empty(*samples):
    """Empty inputs where PyTorch allows the op on them."""
    return [Sample((shape,), kw) for shape, kw in samples]


def _values_only(name, op, ref, samples, **kw):
    return OpInfo(name, op, ref, samples, gradcheck=False, **kw)


NORM_PS = [("2", 2), ("1", 1), ("inf", np.inf), ("-inf", -np.inf), ("3", 3), ("0.5", 0.5)]

OPS = [
    OpInfo("softmax", lambda lib, a, dim: lib.softmax(a, dim), _np_softmax, _SOFTMAX_SAMPLES),
    OpInfo(
        "log_softmax",
        lambda lib, a, dim: lib.log_softmax(a, dim),
        _np_log_softmax,
        _SOFTMAX_SAMPLES,
        domain=(-3.0, 3.0),
    ),
    OpInfo(
        "prod",
        lambda lib, a, **kw: a.prod(**kw),
        _np_reduce(np.prod),
        _prod_samples() + _empty(((0,), {}), ((0, 3), {"dim": 0}), ((3, 0), {"dim": 0})),
    ),
    OpInfo(
        "prod_fn_dtype",
        lambda lib, a: lib.prod(a, 0, dtype=lib.float64),
        lambda a: np.prod(a, axis=0),
        [Sample(((3, 2),))],
    ),
    OpInfo(
        "max",
        lambda lib, a, **kw: a.max(**kw),
        _np_select(np.max, lambda x, d: np.argmax(x, axis=d, keepdims=True)),
        _select_samples(),
    ),
    OpInfo(
        "min",
        lambda lib, a, **kw: lib.min(a, **kw),
        _np_select(np.min, lambda x, d: np.argmin(x, axis=d, keepdims=True)),
        _select_samples(),
    ),
    OpInfo(
        "amax",
        lambda lib, a, **kw: a.amax(**kw),
        _np_reduce(np.max),
        _reduce_samples() + _empty(((0, 3), {"dim": 1})),
    ),
    OpInfo("amin", lambda lib, a, **kw: lib.amin(a, **kw), _np_reduce(np.min), _reduce_samples()),
    _values_only(
        "argmax",
        lambda lib, a, **kw: a.argmax(**kw),
        lambda a, dim=None, keepdim=False: (
            np.argmax(a, axis=dim, keepdims=keepdim)
            if dim is not None
            else np.full((1,) * a.ndim if keepdim else (), np.argmax(a))
        ),
        [s for s in _reduce_samples(dims=(None, 0, -1)) if s.shapes[0] != ()],
    ),
    _values_only(
        "argmin",
        lambda lib, a, **kw: lib.argmin(a, **kw),
        lambda a, dim=None, keepdim=False: np.argmin(a, axis=dim, keepdims=keepdim),
        [Sample((SHAPE,), {"dim": d, "keepdim": k}) for d in (0, -1) for k in (False, True)],
    ),
    OpInfo("var", lambda lib, a, **kw: a.var(**kw), _np_var(1), _var_samples()),
    OpInfo(
        "std",
        lambda lib, a, **kw: lib.std(a, **kw),
        lambda a, **kw: np.sqrt(_np_var(1)(a, **kw)),
        _var_samples(),
    ),
    OpInfo(
        "var_mean",
        lambda lib, a, **kw: lib.var_mean(a, **kw),
        lambda a, **kw: (
            _np_var(1)(a, **kw),
            _np_reduce(np.mean)(a, kw.get("dim"), kw.get("keepdim", False)),
        ),
        _var_samples(),
    ),
    OpInfo(
        "std_mean",
        lambda lib, a, **kw: lib.std_mean(a, **kw),
        lambda a, **kw: (
            np.sqrt(_np_var(1)(a, **kw)),
            _np_reduce(np.mean)(a, kw.get("dim"), kw.get("keepdim", False)),
        ),
        _var_samples(),
    ),
    OpInfo(
        "logsumexp",
        lambda lib, a, **kw: a.logsumexp(**kw),
        _np_logsumexp,
        [s for s in _reduce_samples() if "dim" in s.kwargs] + _empty(((0, 3), {"dim": 0})),
        domain=(-3.0, 3.0),
    ),
    OpInfo(
        "logsumexp_large",
        lambda lib, a: lib.logsumexp(a + 1000.0, 1),
        lambda a: np.log(np.exp(a).sum(axis=1)) + 1000.0,
        [Sample(((3, 4),))],
    ),
    OpInfo(
        "logsumexp_int",
        lambda lib, a: lib.logsumexp((a * 3).long(), 0),
        None,
        [Sample(((3, 2),))],
        gradcheck=False,
    ),
    *[
        OpInfo(
            f"norm_p{name}",
            lambda lib, a, p=p, **kw: a.norm(p, **kw),
            _np_norm(p),
            _reduce_samples() if p in (2, 1, np.inf) else _reduce_samples()[1::2],
            # |x| kinks at 0 (but ±inf norms: avoid's pushing would create ties in |x|)
            avoid=(0.0,) if p not in (2, np.inf, -np.inf) else (),
        )
        for name, p in NORM_PS
    ],
    OpInfo(
        "norm_fro",
        lambda lib, a, **kw: lib.norm(a, "fro", **kw),
        _np_norm(2),
        _reduce_samples(dims=(None, 0, (0, 1))),
    ),
    OpInfo(
        "norm_default",
        lambda lib, a, **kw: lib.norm(a, **kw),
        _np_norm(2),
        [
            Sample((SHAPE,)),
            Sample(((),)),
            Sample(((3, 2),), non_contiguous=True),
            *_empty(((0,), {}), ((0, 3), {"dim": 0})),
        ],
    ),
    OpInfo(
        "norm_p0",
        lambda lib, a, **kw: a.norm(0, **kw),
        _np_norm(0),
        [Sample((SHAPE,), {"dim": 1}), Sample((SHAPE,), makers=(_with_zeros(3),))],
        gradcheck=False,
    ),
    OpInfo(
        "cumsum",
        lambda lib, a, **kw: a.cumsum(**kw),
        _np_cumulative(np.cumsum),
        _cumulative_samples(),
    ),
    OpInfo(
        "cumprod",
        lambda lib, a, **kw: lib.cumprod(a, **kw),
        _np_cumulative(np.cumprod),
        _cumulative_samples(
            [
                Sample(((5,),), {"dim": 0}, makers=(_with_zeros(1),)),
                Sample(((6,),), {"dim": 0}, makers=(_with_zeros(2),)),
                Sample(((2, 5),), {"dim": 1}, makers=(_with_zeros(3),)),
            ]
        ),
        avoid=(0.0,),
    ),
    _values_only(
        "all",
        lambda lib, a, **kw: a.all(**kw),
        _np_reduce(np.all),
        _logical_samples(),
    ),
    _values_only(
        "any",
        lambda lib, a, **kw: lib.any(a, **kw),
        _np_reduce(np.any),
        _logical_samples(),
    ),
    _values_only(
        "count_nonzero",
        lambda lib, a, **kw: a.count_nonzero(**kw),
        lambda a, dim=None: np.count_nonzero(a, axis=dim),
        [Sample((SHAPE,), {"dim": d}, makers=(_bits,)) for d in (None, 0, -1, (0, 1))],
    ),
    OpInfo(
        "median",
        lambda lib, a, **kw: a.median(**kw),
        _np_select(_np_lower_median, _np_median_index),
        _select_samples(),
    ),
    OpInfo("sort", lambda lib, a, **kw: a.sort(**kw), _np_sort, _sort_samples()),
    _values_only(
        "argsort",
        lambda lib, a, **kw: lib.argsort(a, **kw),
        lambda a, dim=-1, descending=False: _np_sort(a, dim, descending)[1],
        _sort_samples()[:4],
    ),
    OpInfo("topk", lambda lib, a, **kw: a.topk(**kw), _np_topk, _topk_samples()),
]
