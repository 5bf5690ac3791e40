"""Randomized differential tests of nn layers and losses against PyTorch.

Each case draws a random but valid configuration from ``random.Random(seed)``, builds the
layer in PyTorch (float64 unless drawn otherwise), copies its state into the same ndgrad
layer, runs both on one input and compares the outputs (values, shapes, dtypes, node names),
then runs backward with one random upstream gradient and compares the gradients of the
inputs and of every parameter, and the buffers (running statistics) after the forward.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from tests.helpers import requires_torch, torch

import ndgrad

pytestmark = requires_torch


class C:
    """An input given without requires_grad (a mask, a target)."""

    def __init__(self, a: Any) -> None:
        self.a = a


def _wrap(lib: Any, a: Any) -> Any:
    if isinstance(a, C):
        return lib.tensor(np.array(a.a)) if isinstance(a.a, np.ndarray) else a.a
    if isinstance(a, np.ndarray):
        t = lib.tensor(a.copy())
        if a.dtype.kind == "f":
            t.requires_grad_()
        return t
    if isinstance(a, tuple):
        return tuple(_wrap(lib, v) for v in a)
    return a


def _flat(x: Any) -> list[Any]:
    if isinstance(x, tuple | list):
        return [y for v in x for y in _flat(v)]
    return [x]


def _np(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def _dt(t: Any) -> str:
    return str(t.dtype).replace("torch.", "")


def _close(a: Any, e: Any, rtol: float, atol: float, what: str) -> None:
    assert tuple(a.shape) == tuple(e.shape), f"{what}: shape {tuple(a.shape)} != {tuple(e.shape)}"
    assert _dt(a) == _dt(e), f"{what}: dtype {_dt(a)} != {_dt(e)}"
    np.testing.assert_allclose(_np(a), _np(e), rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def _tol(dtype: str) -> tuple[float, float]:
    return (1e-5, 1e-6) if dtype == "float32" else (1e-7, 1e-9)


def compare(
    seed: int,
    make: Callable[[Any], Any] | None,
    args: list[Any],
    call: Callable[..., Any] | None = None,
    dtype: str = "float64",
    train: bool = True,
    prepare: Callable[[Any], None] | None = None,
) -> None:
    """Build ``make(nn)`` in both libraries (torch's state copied into ndgrad), apply
    ``call(module, F, *inputs)`` (default ``module(*inputs)``), and compare everything."""
    rtol, atol = _tol(dtype)
    rng = np.random.default_rng(seed)
    tm = nm = None
    if make is not None:
        torch.manual_seed(seed)
        try:
            tm = make(torch.nn).to(getattr(torch, dtype))
        except Exception as e:  # an invalid configuration: ndgrad refuses it the same way
            with pytest.raises(type(e)) as info:
                make(ndgrad.nn)
            assert str(info.value) == str(e)
            return
        if prepare is not None:
            with torch.no_grad():
                prepare(tm)
        nm = make(ndgrad.nn).to(getattr(ndgrad, dtype))
        nm.load_state_dict({k: ndgrad.tensor(_np(v).copy()) for k, v in tm.state_dict().items()})
        tm.train(train)
        nm.train(train)
    t_in = [_wrap(torch, a) for a in args]
    n_in = [_wrap(ndgrad, a) for a in args]
    fn = call or (lambda m, F, *xs: m(*xs))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # which invalid index a kernel reports depends on its threads
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                t_out = fn(tm, torch.nn.functional, *t_in)
            except Exception as e:  # an invalid configuration: ndgrad raises the same
                with pytest.raises(type(e)) as info:
                    fn(nm, ndgrad.nn.functional, *n_in)
                assert str(info.value) == str(e)
                return
            n_out = fn(nm, ndgrad.nn.functional, *n_in)
    finally:
        torch.set_num_threads(threads)
    t_flat, n_flat = _flat(t_out), _flat(n_out)
    assert len(t_flat) == len(n_flat)
    for i, (a, e) in enumerate(zip(n_flat, t_flat, strict=True)):
        if e is None:
            assert a is None, f"output {i}: expected None"
            continue
        _close(a, e, rtol, atol, f"output {i}")
        e_name = None if e.grad_fn is None else e.grad_fn.name()
        a_name = None if a.grad_fn is None else a.grad_fn.name()
        assert a_name == e_name, f"output {i}: grad_fn {a_name} != {e_name}"
    if tm is not None:
        tb, nb = dict(tm.named_buffers()), dict(nm.named_buffers())
        assert sorted(tb) == sorted(nb)
        for k in tb:
            if tb[k] is None:
                assert nb[k] is None
            else:
                _close(nb[k], tb[k], rtol, atol, f"buffer {k}")
    # backward with one random upstream gradient over every output that requires grad
    t_loss: Any = 0
    n_loss: Any = 0
    for a, e in zip(n_flat, t_flat, strict=True):
        if e is not None and e.requires_grad:
            g = rng.standard_normal(tuple(e.shape)).astype(dtype)
            t_loss = t_loss + (e * torch.tensor(g)).sum()
            n_loss = n_loss + (a * ndgrad.tensor(g)).sum()
    if isinstance(t_loss, int):
        return
    try:
        t_loss.backward()
    except RuntimeError as e:  # a backward PyTorch refuses: ndgrad refuses it the same way
        with pytest.raises(RuntimeError) as info:
            n_loss.backward()
        assert str(info.value) == str(e)
        return
    n_loss.backward()
    for i, (a, e) in enumerate(zip(_flat(n_in), _flat(t_in), strict=True)):
        if isinstance(e, torch.Tensor) and e.requires_grad:
            if e.grad is None:
                assert a.grad is None, f"input {i}: grad should be None"
            else:
                _close(a.grad, e.grad, rtol, atol, f"grad of input {i}")
    if tm is not None:
        tp, np_ = dict(tm.named_parameters()), dict(nm.named_parameters())
        assert sorted(tp) == sorted(np_)
        for k, p in tp.items():
            if p.grad is None:
                assert np_[k].grad is None, f"grad of {k} should be None"
            else:
                _close(np_[k].grad, p.grad, rtol, atol, f"grad of {k}")


def _u(rng: random.Random, *shape: int, dtype: str = "float64") -> np.ndarray:
    return np.random.default_rng(rng.randrange(2**32)).uniform(-2, 2, size=shape).astype(dtype)


def _distinct(rng: random.Random, *shape: int) -> np.ndarray:
    """Values without ties (max pooling picks one winner in both libraries)."""
    n = int(np.prod(shape))
    perm = np.random.default_rng(rng.randrange(2**32)).permutation(n)
    return (perm.astype(np.float64) / n * 4 - 2).reshape(shape)


def _per_dim(rng: random.Random, d: int, lo: int, hi: int) -> Any:
    """An int or a d-tuple of ints in [lo, hi]."""
    if rng.random() < 0.5:
        return rng.randint(lo, hi)
    return tuple(rng.randint(lo, hi) for _ in range(d))


def _seed_dtype(seed: int) -> str:
    """float32 for one case in seven, float64 for the others."""
    return "float32" if seed % 7 == 3 else "float64"


def _cast(args: list[Any], dtype: str) -> list[Any]:
    """The floating arrays of args (inside tuples too) in dtype."""

    def one(a: Any) -> Any:
        if isinstance(a, tuple):
            return tuple(one(v) for v in a)
        if isinstance(a, np.ndarray) and a.dtype.kind == "f":
            return a.astype(dtype)
        return a

    return [one(a) for a in args]


def _tup(v: Any, d: int) -> tuple[int, ...]:
    return tuple(v) if isinstance(v, tuple) else (v,) * d


# ---------------------------------------------------------------- convolutions


def _conv_case(seed: int) -> tuple[Any, list[Any], str]:
    rng = random.Random(seed)
    transposed = rng.random() < 0.35
    d = rng.choice([1, 2]) if transposed else rng.choice([1, 1, 2, 2, 3])
    groups = rng.choice([1, 1, 2, 3])
    cin, cout = groups * rng.randint(1, 2), groups * rng.randint(1, 2)
    k = _per_dim(rng, d, 1, 3)
    stride = _per_dim(rng, d, 1, 2) if rng.random() < 0.6 else 1
    dil = _per_dim(rng, d, 1, 2) if rng.random() < 0.4 else 1
    bias = rng.random() < 0.7
    dtype = "float32" if rng.random() < 0.15 else "float64"
    kt, st, dt = _tup(k, d), _tup(stride, d), _tup(dil, d)
    kw: dict[str, Any] = {"stride": stride, "dilation": dil, "groups": groups, "bias": bias}
    if transposed:
        pad = _per_dim(rng, d, 0, 2)
        kw["padding"] = pad
        if rng.random() < 0.4:
            kw["output_padding"] = tuple(
                rng.randint(0, max(s, dd) - 1) for s, dd in zip(st, dt, strict=True)
            )
        sizes = []
        for i in range(d):
            x = rng.randint(1, 4)
            # float32 transposed convolutions with an empty output are backend-dependent in
            # PyTorch (oneDNN returns an empty tensor or fails): keep outputs non-empty there
            while (
                dtype == "float32"
                and (x - 1) * st[i] - 2 * _tup(pad, d)[i] + dt[i] * (kt[i] - 1) + 1 <= 0
            ):
                x += 1
            sizes.append(x)
        name = f"ConvTranspose{d}d"
    else:
        mode = rng.choice(["zeros", "zeros", "reflect", "replicate", "circular"])
        kw["padding_mode"] = mode
        r = rng.random()
        if r < 0.15 and all(s == 1 for s in st):
            pad: Any = "same"
        elif r < 0.25:
            pad = "valid"
        else:
            pad = _per_dim(rng, d, 0, 2)
        kw["padding"] = pad
        sizes = []
        for i in range(d):
            span = dt[i] * (kt[i] - 1) + 1
            p = 0 if isinstance(pad, str) else _tup(pad, d)[i]
            lo = max(1, span - 2 * p, p + 1)  # reflect needs padding < size
            sizes.append(lo + rng.randint(0, 3))
        name = f"Conv{d}d"
    batched = rng.random() < 0.75
    shape = ([rng.randint(1, 2)] if batched else []) + [cin, *sizes]
    bad = rng.random() < 0.12  # an invalid configuration, which both must refuse alike
    if bad:
        what = rng.choice(["same_stride", "groups", "mode", "neg_pad", "channels", "ndim"])
        if what == "same_stride" and not transposed:
            kw["padding"], kw["stride"] = "same", 2
        elif what == "groups":
            cin += 1
        elif what == "mode":  # (an unknown mode's message prints a set, whose order varies
            # with the hash seed between modules: not drawn)
            kw["padding_mode"] = "reflect"
            if not transposed:  # reflection of a padding as large as the input
                kw["padding"] = max(shape[-d:])
        elif what == "neg_pad":
            kw["padding"] = -1
        elif what == "channels":
            shape[-d - 1] += 1
        else:
            shape = [1, *shape] if batched else shape[1:]
    x = _u(rng, *shape, dtype=dtype)

    def make(nn: Any) -> Any:
        return getattr(nn, name)(cin, cout, k, **kw)

    return make, [x], dtype


@pytest.mark.parametrize("seed", range(120))
def test_conv(seed: int) -> None:
    make, args, dtype = _conv_case(seed)
    compare(seed, make, args, dtype=dtype)


# ---------------------------------------------------------------- pooling


def _pool_case(seed: int) -> tuple[Any, list[Any], Any]:
    rng = random.Random(seed)
    kind = rng.choice(["max", "max", "avg", "avg", "adaptive_avg", "adaptive_max", "unpool"])
    d = 2 if kind in ("adaptive_avg", "adaptive_max", "unpool") else rng.choice([1, 2])
    k = _per_dim(rng, d, 1, 3)
    kt = _tup(k, d)
    stride = None if rng.random() < 0.3 else _per_dim(rng, d, 1, 3)
    pad = _per_dim(rng, d, 0, 1) if rng.random() < 0.5 else 0
    pad = tuple(min(p, kk // 2) for p, kk in zip(_tup(pad, d), kt, strict=True))
    pad = pad[0] if rng.random() < 0.5 and len(set(pad)) == 1 else pad
    kw: dict[str, Any] = {"stride": stride, "padding": pad, "ceil_mode": rng.random() < 0.4}
    dil = 1
    if kind in ("max", "unpool") and rng.random() < 0.4:
        dil = _per_dim(rng, d, 1, 2)
        kw["dilation"] = dil
    # (with a dilation, a window can fall wholly in the padding: PyTorch then gives -inf and an
    # index outside the plane, whose backward writes out of bounds; not drawn)
    sizes = [
        max(1, dd * (kk - 1) + 1 - (2 * pp if dd == 1 else 0)) + rng.randint(0, 4)
        for kk, dd, pp in zip(kt, _tup(dil, d), _tup(pad, d), strict=True)
    ]
    batched = rng.random() < 0.75
    shape = ([rng.randint(1, 2)] if batched else []) + [rng.randint(1, 3), *sizes]
    if rng.random() < 0.1:  # an invalid configuration, which both must refuse alike
        what = rng.choice(["pad", "stride", "ndim"])
        if what == "pad":
            kw["padding"] = max(kt) // 2 + 1
        elif what == "stride":
            kw["stride"] = 0
        else:
            shape = [1, 1, *shape] if batched else shape[1:]
    x = _distinct(rng, *shape)
    call = None
    if kind == "max":
        kw["return_indices"] = rng.random() < 0.3

        def make(nn: Any) -> Any:
            return getattr(nn, f"MaxPool{d}d")(k, **kw)
    elif kind == "avg":
        kw["count_include_pad"] = rng.random() < 0.5
        if d == 2 and rng.random() < 0.3:
            kw["divisor_override"] = rng.randint(1, 5)

        def make(nn: Any) -> Any:
            return getattr(nn, f"AvgPool{d}d")(k, **kw)
    elif kind.startswith("adaptive"):
        out: Any = _per_dim(rng, d, 1, 4)
        if isinstance(out, tuple) and rng.random() < 0.3:
            out = (None, out[1])
        extra = {"return_indices": rng.random() < 0.4} if kind == "adaptive_max" else {}
        cls = "AdaptiveAvgPool2d" if kind == "adaptive_avg" else "AdaptiveMaxPool2d"

        def make(nn: Any) -> Any:
            return getattr(nn, cls)(out, **extra)
    else:
        kw["return_indices"] = True
        with_size = rng.random() < 0.4

        def make(nn: Any) -> Any:
            return nn.ModuleList([nn.MaxPool2d(k, **kw), nn.MaxUnpool2d(k, stride, pad)])

        def call(m: Any, F: Any, x: Any) -> Any:
            y, i = m[0](x)
            size = None
            if with_size:  # the largest size that gives back y's sizes
                size = [
                    (o - 1) * s - 2 * p + kk + s - 1
                    for o, s, p, kk in zip(
                        y.shape[-2:], _tup(stride or k, 2), _tup(pad, 2), kt, strict=True
                    )
                ]
            return m[1](y, i, size)

    return make, [x], call


@pytest.mark.parametrize("seed", range(100))
def test_pool(seed: int) -> None:
    make, args, call = _pool_case(seed)
    compare(seed, make, args, call)


# ---------------------------------------------------------------- normalization


def _randomize_buffers(m: Any) -> None:
    """Running statistics away from their initial 0 and 1 (PyTorch's module, before the copy)."""
    g = torch.Generator().manual_seed(0)
    for name, b in m.named_buffers():
        if name.endswith("running_mean"):
            b.copy_(torch.rand(b.shape, generator=g, dtype=b.dtype) - 0.5)
        elif name.endswith("running_var"):
            b.copy_(torch.rand(b.shape, generator=g, dtype=b.dtype) + 0.5)
        elif name.endswith("num_batches_tracked"):
            b.fill_(3)
    for p in m.parameters():  # affine parameters away from 1 and 0
        p.copy_(torch.rand(p.shape, generator=g, dtype=p.dtype) + 0.5)


def _norm_case(seed: int) -> tuple[Any, list[Any], bool]:
    rng = random.Random(seed)
    kind = rng.choice(["bn1", "bn1", "bn2", "bn2", "ln", "ln", "gn", "in1", "in2"])
    train = rng.random() < 0.6
    c = rng.randint(1, 4)
    n = rng.randint(2, 3)
    if kind.startswith("bn"):
        kw: dict[str, Any] = {
            "affine": rng.random() < 0.7,
            "track_running_stats": rng.random() < 0.75,
            "momentum": None if rng.random() < 0.3 else rng.choice([0.1, 0.3]),
            "eps": rng.choice([1e-5, 1e-3]),
        }
        d = int(kind[2])
        if d == 1:
            shape = [n, c] if rng.random() < 0.5 else [n, c, rng.randint(1, 4)]
        else:
            shape = [n, c, rng.randint(1, 3), rng.randint(1, 3)]

        def make(nn: Any) -> Any:
            return getattr(nn, f"BatchNorm{d}d")(c, **kw)
    elif kind == "ln":
        lead = [rng.randint(1, 3) for _ in range(rng.randint(0, 2))]
        norm = [rng.randint(1, 4) for _ in range(rng.randint(1, 3))]
        shape = lead + norm
        ns: Any = norm[0] if len(norm) == 1 and rng.random() < 0.5 else tuple(norm)
        kw = {"elementwise_affine": rng.random() < 0.7, "bias": rng.random() < 0.7}

        def make(nn: Any) -> Any:
            return nn.LayerNorm(ns, **kw)
    elif kind == "gn":
        groups = rng.randint(1, 3)
        c = groups * rng.randint(1, 2)
        shape = [n, c] + [rng.randint(1, 3) for _ in range(rng.randint(0, 2))]
        kw = {"affine": rng.random() < 0.7, "eps": rng.choice([1e-5, 1e-3])}

        def make(nn: Any) -> Any:
            return nn.GroupNorm(groups, c, **kw)
    else:
        d = int(kind[2])
        kw = {
            "affine": rng.random() < 0.5,
            "track_running_stats": rng.random() < 0.5,
            "momentum": None if rng.random() < 0.3 else 0.2,
        }
        batched = rng.random() < 0.7
        shape = ([n] if batched else []) + [c] + [rng.randint(2, 4) for _ in range(d)]

        def make(nn: Any) -> Any:
            return getattr(nn, f"InstanceNorm{d}d")(c, **kw)

    if rng.random() < 0.1:  # an invalid input, which both must refuse alike
        shape = (
            [*shape[:-1], shape[-1] + 1] if kind == "ln" else [shape[0], shape[1] + 1, *shape[2:]]
        )
    return make, [_u(rng, *shape)], train


@pytest.mark.parametrize("seed", range(80))
def test_norm(seed: int) -> None:
    # float64 only: in float32, sets of one or two values (GroupNorm(1, 1) on (2, 1), LayerNorm
    # over 2 values) give gradients that differ from PyTorch's by its kernels' rounding (an
    # exact 0 is -3e-05 there), which says nothing about the semantics compared here
    make, args, train = _norm_case(seed)
    compare(seed, make, args, train=train, prepare=_randomize_buffers)


# ---------------------------------------------------------------- recurrent layers


def _rnn_case(seed: int) -> tuple[Any, list[Any], Any]:
    rng = random.Random(seed)
    kind = rng.choice(["RNN", "LSTM", "GRU"])
    inp, hidden = rng.randint(1, 4), rng.randint(1, 4)
    layers = rng.randint(1, 3)
    bi = rng.random() < 0.5
    bf = rng.random() < 0.5
    kw: dict[str, Any] = {"num_layers": layers, "bidirectional": bi, "batch_first": bf}
    kw["bias"] = rng.random() < 0.8
    if kind == "RNN":
        kw["nonlinearity"] = rng.choice(["tanh", "relu"])
    proj = 0
    if kind == "LSTM" and hidden > 1 and rng.random() < 0.35:
        proj = rng.randint(1, hidden - 1)
        kw["proj_size"] = proj
    t, n = rng.randint(1, 4), rng.randint(1, 3)
    batched = rng.random() < 0.75
    shape = ([n, t, inp] if bf else [t, n, inp]) if batched else [t, inp]
    if rng.random() < 0.08:  # an invalid input size, which both must refuse alike
        shape[-1] += 1
    x = _u(rng, *shape)
    dirs = 2 if bi else 1
    state_lead = [layers * dirs] + ([n] if batched else [])
    args: list[Any] = [x]
    if rng.random() < 0.5:
        if rng.random() < 0.1:  # a state of the wrong shape
            state_lead[0] += 1
        h0 = _u(rng, *state_lead, proj or hidden)
        if kind == "LSTM":
            args.append((h0, _u(rng, *state_lead, hidden)))
        else:
            args.append(h0)

    def make(nn: Any) -> Any:
        return getattr(nn, kind)(inp, hidden, **kw)

    return make, args, None


@pytest.mark.parametrize("seed", range(60))
def test_rnn(seed: int) -> None:
    # float32 takes RNN and GRU one case in seven; a float32 LSTM is oneDNN's in PyTorch on CPU
    # (see test_float32_lstm_is_onednns_node)
    make, args, call = _rnn_case(seed)
    dtype = _seed_dtype(seed)
    if "LSTM" in repr(make(torch.nn)):
        dtype = "float64"
    compare(seed, make, _cast(args, dtype), call, dtype=dtype)


def test_float32_lstm_is_onednns_node() -> None:
    # PyTorch 2.13 runs a float32 LSTM without proj_size on CPU through oneDNN: the output of
    # a batched, not batch-first, one-direction LSTM is a MkldnnRnnLayerBackward0 node (ndgrad
    # records the per-step graph under a node of that name)
    torch.manual_seed(0)
    theirs = torch.nn.LSTM(3, 4)
    ours = ndgrad.nn.LSTM(3, 4)
    ours.load_state_dict({k: ndgrad.tensor(_np(v)) for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 2, 3)).astype(np.float32)
    y_th = theirs(torch.tensor(x, requires_grad=True))[0]
    y_nd = ours(ndgrad.tensor(x, requires_grad=True))[0]
    np.testing.assert_allclose(_np(y_nd), _np(y_th), rtol=1e-5, atol=1e-6)
    assert y_nd.grad_fn.name() == y_th.grad_fn.name() == "MkldnnRnnLayerBackward0"


# ---------------------------------------------------------------- attention


def _mask(rng: random.Random, shape: tuple[int, ...], as_bool: bool) -> Any:
    """A random mask that leaves the first key of every row free (no row fully masked)."""
    m = np.random.default_rng(rng.randrange(2**32)).random(shape) < 0.3
    m[..., 0] = False
    if as_bool:
        return C(m)
    return C(np.where(m, -np.inf, np.random.default_rng(1).uniform(-1, 1, shape)))


def _mha_case(seed: int) -> tuple[Any, list[Any], Any]:
    rng = random.Random(seed)
    heads = rng.randint(1, 3)
    e = heads * rng.randint(1, 3)
    kw: dict[str, Any] = {
        "batch_first": rng.random() < 0.5,
        "bias": rng.random() < 0.8,
        "add_bias_kv": rng.random() < 0.3,
        "add_zero_attn": rng.random() < 0.3,
    }
    kd = vd = e
    if rng.random() < 0.35:
        kd, vd = rng.randint(1, 4), rng.randint(1, 4)
        kw["kdim"], kw["vdim"] = kd, vd
    L, S, n = rng.randint(1, 4), rng.randint(1, 4), rng.randint(1, 3)
    batched = rng.random() < 0.8
    bf = kw["batch_first"]

    def shape(t: int, d: int) -> tuple[int, ...]:
        if not batched:
            return (t, d)
        return (n, t, d) if bf else (t, n, d)

    q = _u(rng, *shape(L, e))
    if kd == e and vd == e and rng.random() < 0.3:  # self-attention: one tensor thrice
        k = v = q
        S = L
    else:
        k, v = _u(rng, *shape(S, kd)), _u(rng, *shape(S, vd))
    opts: dict[str, Any] = {
        "need_weights": rng.random() < 0.7,
        "average_attn_weights": rng.random() < 0.5,
    }
    extra = (1 if kw["add_bias_kv"] else 0) + (1 if kw["add_zero_attn"] else 0)
    masks: list[Any] = []
    names: list[str] = []
    as_bool = rng.random() < 0.5
    if rng.random() < 0.5:
        masks.append(_mask(rng, (n, S) if batched else (S,), as_bool))
        names.append("key_padding_mask")
    if rng.random() < 0.5:
        shp = (L, S) if rng.random() < 0.6 or not batched else (n * heads, L, S)
        # the mask types must agree with key_padding_mask's (PyTorch deprecates mixing them)
        masks.append(_mask(rng, shp, as_bool))
        names.append("attn_mask")
    _ = extra
    same = k is q

    def make(nn: Any) -> Any:
        return nn.MultiheadAttention(e, heads, **kw)

    def call(m: Any, F: Any, q: Any, *rest: Any) -> Any:
        if same:
            kk = vv = q
            ms = rest
        else:
            kk, vv, *ms = rest
        return m(q, kk, vv, **dict(zip(names, ms, strict=True)), **opts)

    args = [q] + ([] if same else [k, v]) + masks
    return make, args, call


@pytest.mark.parametrize("seed", range(70))
def test_multihead_attention(seed: int) -> None:
    make, args, call = _mha_case(seed)
    compare(seed, make, args, call)


def _encoder_case(seed: int) -> tuple[Any, list[Any], Any]:
    rng = random.Random(seed)
    heads = rng.randint(1, 2)
    d = heads * rng.randint(1, 3)
    kw: dict[str, Any] = {
        "dim_feedforward": rng.randint(1, 6),
        "dropout": 0.0,
        "activation": rng.choice(["relu", "gelu"]),
        "norm_first": rng.random() < 0.5,
        "batch_first": rng.random() < 0.5,
        "layer_norm_eps": rng.choice([1e-5, 1e-3]),
        "bias": rng.random() < 0.8,
    }
    L, n = rng.randint(1, 4), rng.randint(1, 3)
    batched = rng.random() < 0.8
    shape = ((n, L, d) if kw["batch_first"] else (L, n, d)) if batched else (L, d)
    x = _u(rng, *shape)
    masks: list[Any] = []
    names: list[str] = []
    as_bool = rng.random() < 0.5
    if rng.random() < 0.4:
        masks.append(_mask(rng, (L, L), as_bool))
        names.append("src_mask")
    if rng.random() < 0.4 and batched:
        masks.append(_mask(rng, (n, L), as_bool))
        names.append("src_key_padding_mask")

    def make(nn: Any) -> Any:
        return nn.TransformerEncoderLayer(d, heads, **kw)

    def call(m: Any, F: Any, x: Any, *ms: Any) -> Any:
        return m(x, **dict(zip(names, ms, strict=True)))

    return make, [x, *masks], call


@pytest.mark.parametrize("seed", range(40))
def test_transformer_encoder_layer(seed: int) -> None:
    make, args, call = _encoder_case(seed)
    compare(seed, make, args, call, train=seed % 3 != 0)


# ---------------------------------------------------------------- losses


def _loss_case(seed: int) -> tuple[list[Any], Any]:
    rng = random.Random(seed)
    nrng = np.random.default_rng(rng.randrange(2**32))
    kind = rng.choice(["ce", "ce", "ce", "nll", "bce", "bcel", "sl1", "huber", "kl", "ctc"])
    red = rng.choice(["mean", "sum", "none"])
    n, c = rng.randint(1, 4), rng.randint(2, 4)
    extra = [rng.randint(1, 3) for _ in range(rng.choice([0, 0, 1, 2]))]
    grad_target = rng.random() < 0.3

    def maybe_grad(a: np.ndarray) -> Any:
        return a if grad_target else C(a)

    if kind in ("ce", "nll"):
        batched = rng.random() < 0.85 or extra
        shape = [n, c, *extra] if batched else [c]
        tshape = [n, *extra] if batched else []
        x = _u(rng, *shape)
        kw: dict[str, Any] = {"reduction": red}
        if rng.random() < 0.4:
            kw["weight"] = C(nrng.uniform(0.2, 2.0, c))
        probs = kind == "ce" and rng.random() < 0.35
        if probs:
            p = nrng.random(shape)
            tgt: Any = maybe_grad(p / p.sum(axis=0 if not batched else 1, keepdims=True))
        else:
            t = nrng.integers(0, c, tshape)
            if rng.random() < 0.4:
                ig = rng.choice([-100, 0, c - 1])
                kw["ignore_index"] = ig
                t = np.where(nrng.random(tshape) < 0.3, ig, t)
            tgt = C(np.asarray(t, dtype=np.int64))
        if kind == "ce" and rng.random() < 0.4:
            kw["label_smoothing"] = rng.choice([0.1, 0.25, 0.5])
        if kind == "nll":
            x = np.log(np.exp(x) / np.exp(x).sum(axis=1 if batched else 0, keepdims=True))
        weight = kw.pop("weight", None)
        fname = "cross_entropy" if kind == "ce" else "nll_loss"

        def call(m: Any, F: Any, x: Any, t: Any, *w: Any) -> Any:
            return getattr(F, fname)(x, t, *w, **kw)

        return [x, tgt] + ([weight] if weight is not None else []), call
    shape = [n, c, *extra]
    if kind in ("bce", "bcel"):
        x = nrng.uniform(0.05, 0.95, shape) if kind == "bce" else _u(rng, *shape)
        tgt = maybe_grad(nrng.random(shape)) if kind == "bcel" else C(nrng.random(shape))
        opt: list[Any] = []
        names: list[str] = []
        if rng.random() < 0.4:
            opt.append(C(nrng.uniform(0.2, 2.0, shape[-rng.randint(1, len(shape)) :])))
            names.append("weight")
        if kind == "bcel" and rng.random() < 0.5:
            opt.append(C(nrng.uniform(0.2, 3.0, shape[-1:])))
            names.append("pos_weight")
        fname = "binary_cross_entropy" if kind == "bce" else "binary_cross_entropy_with_logits"

        def call(m: Any, F: Any, x: Any, t: Any, *o: Any) -> Any:
            return getattr(F, fname)(x, t, **dict(zip(names, o, strict=True)), reduction=red)

        return [x, tgt, *opt], call
    if kind in ("sl1", "huber"):
        x, t = _u(rng, *shape), nrng.uniform(-2, 2, shape)
        par = rng.choice([0.0, 0.5, 1.0, 2.0]) if kind == "sl1" else rng.choice([0.5, 1.0, 2.0])

        def call(m: Any, F: Any, x: Any, t: Any) -> Any:
            if kind == "sl1":
                return F.smooth_l1_loss(x, t, reduction=red, beta=par)
            return F.huber_loss(x, t, reduction=red, delta=par)

        return [x, maybe_grad(t)], call
    if kind == "kl":
        log_target = rng.random() < 0.5
        red = rng.choice(["mean", "sum", "none", "batchmean"])
        x = np.log(nrng.dirichlet(np.ones(c), size=[n, *extra]))
        p = nrng.dirichlet(np.ones(c), size=[n, *extra])
        t = np.log(p) if log_target else p

        def call(m: Any, F: Any, x: Any, t: Any) -> Any:
            return F.kl_div(x, t, reduction=red, log_target=log_target)

        return [x, maybe_grad(t)], call
    # ctc
    T, blank = rng.randint(3, 7), rng.choice([0, c - 1])
    logits = nrng.uniform(-2, 2, (T, n, c))
    lp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    s_len = rng.randint(1, 3)
    labels = [i for i in range(c) if i != blank]
    tl = np.array([rng.randint(0 if rng.random() < 0.2 else 1, s_len) for _ in range(n)])
    il = np.array([rng.randint(max(1, T - 2), T) for _ in range(n)])
    if rng.random() < 0.5:  # padded (N, S) targets
        tg = np.array([[rng.choice(labels) for _ in range(s_len)] for _ in range(n)])
    else:  # concatenated
        tg = np.array([rng.choice(labels) for _ in range(int(tl.sum()))])
    zero_inf = rng.random() < 0.5

    def call(m: Any, F: Any, lp: Any, tg: Any, il: Any, tl: Any) -> Any:
        return F.ctc_loss(lp, tg, il, tl, blank=blank, reduction=red, zero_infinity=zero_inf)

    return [lp, C(tg.astype(np.int64)), C(il.astype(np.int64)), C(tl.astype(np.int64))], call


@pytest.mark.parametrize("seed", range(150))
def test_loss(seed: int) -> None:
    args, call = _loss_case(seed)
    rng = random.Random(-seed)
    if rng.random() < 0.08 and isinstance(args[1], C) and isinstance(args[1].a, np.ndarray):
        t = args[1].a  # a target of another shape, which both must refuse alike
        args[1] = C(np.concatenate([t, t[:1]]) if t.ndim else t[None])
    compare(seed, None, args, call)
