"""Pooling, resampling and patch ops (nn/_pooling.py, nn/pooling.py) against numpy and PyTorch."""

from __future__ import annotations

import inspect
import re
from typing import Any

import numpy as np
import pytest
from tests.helpers import assert_close, requires_torch, torch

import ndgrad
import ndgrad.nn as nn
import ndgrad.nn.functional as F
from ndgrad.autograd import gradcheck, gradgradcheck

R = np.random.default_rng(7)


def U(*shape: int) -> np.ndarray:
    return R.uniform(-2.0, 2.0, size=shape)


def SAMPLES(*shape: int) -> np.ndarray:
    return R.uniform(0.0, 1.0, size=shape)


def F_(name: str, *args: Any, **kw: Any) -> Any:
    """f(F, x) calling F.name(x, *args, **kw); the first output when the op returns a pair."""

    def f(lib_f: Any, x: Any) -> Any:
        out = getattr(lib_f, name)(x, *args, **kw)
        return out[0] if isinstance(out, tuple) else out

    return f


def I(**kw: Any) -> Any:  # noqa: E743
    return F_("interpolate", **kw)


# name, f(F, x), input shape; every case runs values+node+gradients vs PyTorch, gradcheck and
# gradgradcheck in float64
CASES: list[tuple[str, Any, tuple[int, ...]]] = [
    ("max_pool1d", F_("max_pool1d", 3, 2, 1), (2, 3, 9)),
    ("max_pool1d_unbatched", F_("max_pool1d", 2), (3, 8)),
    ("max_pool1d_dil_ceil", F_("max_pool1d", 2, 2, 0, 2, True), (2, 2, 8)),
    ("max_pool1d_with_indices", F_("max_pool1d_with_indices", 3), (2, 2, 7)),
    ("max_pool2d_with_indices", F_("max_pool2d_with_indices", (2, 3), 1, (1, 1)), (2, 2, 5, 6)),
    ("max_pool2d_with_indices_unbatched", F_("max_pool2d_with_indices", 2), (2, 4, 5)),
    ("max_pool3d", F_("max_pool3d", 2), (2, 2, 4, 4, 4)),
    ("max_pool3d_unbatched", F_("max_pool3d", (2, 3, 2), 1, (1, 1, 0)), (2, 3, 4, 3)),
    ("max_pool3d_ceil_dil", F_("max_pool3d", 2, 2, 0, (1, 2, 1), True), (1, 2, 5, 5, 4)),
    ("avg_pool1d", F_("avg_pool1d", 3, 2, 1), (2, 3, 9)),
    ("avg_pool1d_unbatched_nopad", F_("avg_pool1d", 3, 2, 1, True, False), (3, 8)),
    ("avg_pool3d", F_("avg_pool3d", 2), (2, 2, 4, 4, 4)),
    ("avg_pool3d_pad_ceil", F_("avg_pool3d", 3, 2, 1, True, False), (1, 2, 5, 4, 6)),
    ("avg_pool3d_divisor", F_("avg_pool3d", 2, 1, 0, False, True, 5), (3, 3, 4, 3)),
    ("adaptive_avg_pool1d", F_("adaptive_avg_pool1d", 4), (2, 3, 7)),
    ("adaptive_avg_pool1d_1", F_("adaptive_avg_pool1d", 1), (2, 3, 7)),
    ("adaptive_avg_pool2d", F_("adaptive_avg_pool2d", (3, None)), (2, 3, 7, 5)),
    ("adaptive_avg_pool2d_unbatched", F_("adaptive_avg_pool2d", 4), (3, 7, 5)),
    ("adaptive_avg_pool3d", F_("adaptive_avg_pool3d", (2, 3, 4)), (2, 2, 5, 7, 6)),
    ("adaptive_avg_pool3d_1", F_("adaptive_avg_pool3d", 1), (2, 2, 3, 3, 3)),
    ("adaptive_max_pool1d", F_("adaptive_max_pool1d", 4), (2, 3, 7)),
    ("adaptive_max_pool2d", F_("adaptive_max_pool2d", (3, 5)), (2, 3, 7, 9)),
    ("adaptive_max_pool2d_unbatched", F_("adaptive_max_pool2d", 2), (3, 5, 5)),
    ("adaptive_max_pool3d", F_("adaptive_max_pool3d", (2, 3, 2)), (2, 2, 5, 7, 4)),
    ("lp_pool1d", F_("lp_pool1d", 2, 3, 2), (2, 3, 9)),
    ("lp_pool2d", F_("lp_pool2d", 4, (2, 3)), (2, 2, 6, 6)),
    ("lp_pool3d", F_("lp_pool3d", 2, 2), (2, 2, 4, 4, 4)),
    ("pixel_shuffle", F_("pixel_shuffle", 2), (2, 8, 3, 4)),
    ("pixel_shuffle_5d", F_("pixel_shuffle", 2), (2, 2, 4, 2, 3)),
    ("pixel_unshuffle", F_("pixel_unshuffle", 3), (2, 2, 6, 3)),
    ("channel_shuffle", F_("channel_shuffle", 3), (2, 6, 2, 3)),
    ("unfold", F_("unfold", (2, 3), (1, 2), 1, (2, 1)), (2, 3, 6, 7)),
    ("unfold_unbatched", F_("unfold", 2), (3, 4, 5)),
    ("fold", F_("fold", (5, 6), (2, 3), 1, 1, (2, 1)), (2, 12, 18)),
    ("fold_unbatched", F_("fold", (4, 4), 2), (8, 9)),
    ("interpolate_nearest_1d", I(scale_factor=2), (2, 3, 5)),
    ("interpolate_nearest_2d", I(size=(7, 3)), (2, 3, 5, 4)),
    ("interpolate_nearest_3d", I(scale_factor=1.5), (1, 2, 3, 4, 3)),
    ("interpolate_nearest_exact", I(size=(7, 3), mode="nearest-exact"), (1, 2, 5, 4)),
    ("interpolate_linear", I(scale_factor=1.7, mode="linear"), (2, 3, 5)),
    ("interpolate_linear_ac", I(size=8, mode="linear", align_corners=True), (2, 2, 5)),
    ("interpolate_bilinear", I(size=(7, 3), mode="bilinear"), (2, 2, 5, 4)),
    ("interpolate_bilinear_ac", I(scale_factor=2, mode="bilinear", align_corners=True),
     (1, 2, 3, 4)),
    ("interpolate_bilinear_recompute",
     I(scale_factor=2.3, mode="bilinear", recompute_scale_factor=True), (1, 2, 3, 4)),
    ("interpolate_bilinear_aa", I(size=(3, 2), mode="bilinear", antialias=True), (1, 2, 7, 5)),
    ("interpolate_bicubic", I(size=(6, 9), mode="bicubic"), (2, 2, 4, 5)),
    ("interpolate_bicubic_ac", I(size=(3, 7), mode="bicubic", align_corners=True), (1, 2, 5, 4)),
    ("interpolate_bicubic_aa", I(scale_factor=0.5, mode="bicubic", antialias=True),
     (1, 2, 8, 6)),
    ("interpolate_trilinear", I(size=(3, 5, 2), mode="trilinear"), (1, 2, 4, 3, 3)),
    ("interpolate_area", I(size=(3, 2), mode="area"), (2, 2, 7, 5)),
    ("interpolate_area_1d", I(scale_factor=0.5, mode="area"), (2, 2, 7)),
]  # fmt: skip


def _pair(name: str, fn: Any, shape: tuple[int, ...]) -> tuple[Any, Any, Any, Any]:
    x = U(*shape)
    a, b = ndgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    return a, b, fn(F, a), fn(torch.nn.functional, b)


@requires_torch
@pytest.mark.parametrize(("name", "fn", "shape"), CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name: str, fn: Any, shape: tuple[int, ...]) -> None:
    a, b, ya, yb = _pair(name, fn, shape)
    assert_close(ya, yb, rtol=1e-12, atol=1e-13)
    assert ya.grad_fn.name() == yb.grad_fn.name()
    w = R.standard_normal(tuple(yb.shape))
    (ya * ndgrad.tensor(w)).sum().backward()
    (yb * torch.tensor(w)).sum().backward()
    assert_close(a.grad, b.grad, rtol=1e-12, atol=1e-13)


@requires_torch
@pytest.mark.parametrize(("name", "fn", "shape"), CASES[::4], ids=[c[0] for c in CASES[::4]])
def test_float32_matches_torch(name: str, fn: Any, shape: tuple[int, ...]) -> None:
    x = U(*shape).astype(np.float32)
    ya, yb = fn(F, ndgrad.tensor(x)), fn(torch.nn.functional, torch.tensor(x))
    assert ya.dtype == ndgrad.float32
    assert_close(ya, yb, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("name", "fn", "shape"), CASES, ids=[c[0] for c in CASES])
def test_gradcheck(name: str, fn: Any, shape: tuple[int, ...]) -> None:
    x = ndgrad.tensor(U(*shape), requires_grad=True)

    def f(t: Any) -> Any:
        return fn(F, t)

    assert gradcheck(f, [x])
    assert gradgradcheck(f, [x])


# --- values against plain numpy ------------------------------------------------------------------
def test_pools_match_numpy_loops() -> None:
    x = U(2, 3, 5, 6, 7)
    k = (2, 3, 2)
    want_max = np.empty((2, 3, 4, 4, 6))
    want_avg = np.empty_like(want_max)
    for i in range(4):
        for j in range(4):
            for m in range(6):
                win = x[:, :, i : i + k[0], j : j + k[1], m : m + k[2]]
                want_max[:, :, i, j, m] = win.max(axis=(2, 3, 4))
                want_avg[:, :, i, j, m] = win.mean(axis=(2, 3, 4))
    t = ndgrad.tensor(x)
    assert_close(F.max_pool3d(t, k, 1), want_max)
    assert_close(F.avg_pool3d(t, k, 1), want_avg)
    assert_close(F.lp_pool1d(ndgrad.tensor(x[0, 0, 0]), 2, 3), np.sqrt(
        np.stack([(x[0, 0, 0, :, s : s + 3] ** 2).sum(-1) for s in (0, 3)], -1)))  # fmt: skip


def test_adaptive_windows_match_numpy() -> None:
    x = U(2, 10)
    starts, ends = [0, 3, 6], [4, 7, 10]  # PyTorch's ⌊i·n/o⌋ and ⌈(i+1)·n/o⌉ for n=10, o=3
    want = np.stack([x[:, s:e].mean(-1) for s, e in zip(starts, ends, strict=True)], -1)
    assert_close(F.adaptive_avg_pool1d(ndgrad.tensor(x), 3), want)
    want = np.stack([x[:, s:e].max(-1) for s, e in zip(starts, ends, strict=True)], -1)
    y, idx = F.adaptive_max_pool1d(ndgrad.tensor(x), 3, return_indices=True)
    assert_close(y, want)
    assert np.array_equal(
        idx.numpy(),
        np.stack([x[:, s:e].argmax(-1) + s for s, e in zip(starts, ends, strict=True)], -1),
    )


def test_interpolate_matches_numpy() -> None:
    x = U(1, 1, 4)
    assert_close(F.interpolate(ndgrad.tensor(x), scale_factor=2), np.repeat(x, 2, axis=-1))
    lin = F.interpolate(ndgrad.tensor(x), size=7, mode="linear", align_corners=True)
    assert_close(lin, np.interp(np.linspace(0, 3, 7), np.arange(4), x[0, 0])[None, None])


def test_shuffles_and_patches_match_numpy() -> None:
    x = U(2, 8, 3, 3)
    want = x.reshape(2, 2, 2, 2, 3, 3).transpose(0, 1, 4, 2, 5, 3).reshape(2, 2, 6, 6)
    assert_close(F.pixel_shuffle(ndgrad.tensor(x), 2), want)
    assert_close(F.pixel_unshuffle(F.pixel_shuffle(ndgrad.tensor(x), 2), 2), x)
    assert_close(F.channel_shuffle(ndgrad.tensor(x), 2), x[:, [0, 4, 1, 5, 2, 6, 3, 7]])
    img = U(2, 3, 4, 5)
    cols = F.unfold(ndgrad.tensor(img), 2)
    want = np.stack(
        [img[:, :, i : i + 2, j : j + 2].reshape(2, -1) for i in range(3) for j in range(4)], -1
    )
    assert_close(cols, want)
    ones = F.fold(F.unfold(ndgrad.ones(1, 1, 4, 5, dtype=ndgrad.float64), 2), (4, 5), 2)
    assert_close(ones, np.outer([1, 2, 2, 1], [1, 2, 2, 2, 1])[None, None])


# --- indices, unpooling, fractional --------------------------------------------------------------
@requires_torch
@pytest.mark.parametrize(
    ("fn", "shape"),
    [
        (lambda F, x: F.max_pool1d(x, 3, 2, 1, return_indices=True), (2, 3, 9)),
        (lambda F, x: F.max_pool2d_with_indices(x, 3, 2, 1), (2, 2, 5, 6)),
        (lambda F, x: F.max_pool3d(x, 2, return_indices=True), (2, 2, 4, 5, 4)),
        (lambda F, x: F.adaptive_max_pool2d(x, (3, 2), return_indices=True), (2, 3, 7, 5)),
        (lambda F, x: F.adaptive_max_pool3d(x, 2, return_indices=True), (2, 3, 4, 5, 3)),
    ],
)
def test_indices_match_torch(fn: Any, shape: tuple[int, ...]) -> None:
    x = U(*shape)
    (ya, ia), (yb, ib) = fn(F, ndgrad.tensor(x)), fn(torch.nn.functional, torch.tensor(x))
    assert_close(ya, yb)
    assert ia.dtype == ndgrad.int64 and np.array_equal(ia.numpy(), ib.numpy())
    assert not ia.requires_grad


@requires_torch
def test_nan_windows_point_where_torchs_do() -> None:
    x = U(2, 1, 6, 6)
    x[:, :, ::2, 1::3] = np.nan
    x[1, 0, 0, :3] = [np.nan, 1.0, np.nan]
    for code in ("max_pool2d_with_indices(x, 3, 2, 1)", "adaptive_max_pool2d(x, 4, True)",
                 "max_pool1d(x[:, 0], 4, return_indices=True)"):  # fmt: skip
        ya, ia = eval("F." + code, {"F": F, "x": ndgrad.tensor(x)})
        yb, ib = eval("F." + code, {"F": torch.nn.functional, "x": torch.tensor(x)})
        assert_close(ya, yb)  # NaN where PyTorch has NaN
        assert np.array_equal(ia.numpy(), ib.numpy())


@requires_torch
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_max_unpool_matches_torch(nd: int) -> None:
    x = U(2, 2, *([5] * nd))
    pool = getattr(F, f"max_pool{nd}d")
    unpool = f"max_unpool{nd}d"
    y, idx = pool(ndgrad.tensor(x), 2, return_indices=True)
    ty, tidx = getattr(torch.nn.functional, f"max_pool{nd}d")(
        torch.tensor(x), 2, return_indices=True
    )
    a, b = ndgrad.tensor(y.numpy(), requires_grad=True), ty.clone().requires_grad_()
    ua = getattr(F, unpool)(a, idx, 2, output_size=x.shape[2:])
    ub = getattr(torch.nn.functional, unpool)(b, tidx, 2, output_size=x.shape[2:])
    assert_close(ua, ub)
    assert ua.grad_fn.name() == ub.grad_fn.name()
    w = R.standard_normal(tuple(ub.shape))
    (ua * ndgrad.tensor(w)).sum().backward()
    (ub * torch.tensor(w)).sum().backward()
    assert_close(a.grad, b.grad)

    def f(t: Any) -> Any:
        return getattr(F, unpool)(t, idx, 2, output_size=x.shape[2:])

    assert gradcheck(f, [a]) and gradgradcheck(f, [a])


@requires_torch
@pytest.mark.parametrize("nd", [2, 3])
def test_fractional_max_pool_matches_torch(nd: int) -> None:
    x = U(2, 3, *([7] * nd))
    s = SAMPLES(2, 3, nd)
    name = f"fractional_max_pool{nd}d"
    a = ndgrad.tensor(x, requires_grad=True)
    ya, ia = getattr(F, name)(
        a, 2, output_size=4, return_indices=True, _random_samples=ndgrad.tensor(s)
    )
    yb, ib = getattr(torch.nn.functional, name)(
        torch.tensor(x), 2, output_size=4, return_indices=True, _random_samples=torch.tensor(s)
    )
    assert_close(ya, yb)
    assert np.array_equal(ia.numpy(), ib.numpy())
    assert ya.grad_fn.name() == f"FractionalMaxPool{nd}DBackward0"

    def f(t: Any) -> Any:
        return getattr(F, name)(t, 2, output_size=4, _random_samples=ndgrad.tensor(s))

    assert gradcheck(f, [a]) and gradgradcheck(f, [a])
    # without samples both draw them from the default generator, value for value
    ndgrad.manual_seed(5)
    torch.manual_seed(5)
    assert_close(
        getattr(F, name)(ndgrad.tensor(x), 3, output_ratio=(0.5,) * nd),
        getattr(torch.nn.functional, name)(torch.tensor(x), 3, output_ratio=(0.5,) * nd),
    )


EMPTY_BATCH = [
    "F.max_pool1d(x(0, 2, 4), 2)", "F.max_pool2d_with_indices(x(0, 2, 4, 4), 2)[0]",
    "F.max_pool3d(x(0, 1, 2, 2, 2), 2)", "F.avg_pool1d(x(0, 2, 4), 2)",
    "F.avg_pool3d(x(0, 1, 2, 2, 2), 2)", "F.adaptive_max_pool2d(x(0, 2, 4, 4), 2)",
    "F.adaptive_avg_pool3d(x(0, 2, 4, 4, 4), 2)", "F.interpolate(x(0, 2, 3, 3), scale_factor=2)",
    "F.unfold(x(0, 2, 4, 4), 2)", "F.fold(x(0, 8, 9), 4, 2)",
    "F.grid_sample(x(0, 1, 4, 4), x(0, 2, 2, 2), align_corners=False)",
    "F.fractional_max_pool2d(x(0, 2, 5, 5), 2, output_size=3)",
]  # fmt: skip


# (not pixel_shuffle: PyTorch 2.13's own backward fails on an empty batch)
@requires_torch
@pytest.mark.parametrize("code", EMPTY_BATCH)
def test_empty_batch(code: str) -> None:
    shapes = []
    for lib in (ndgrad, torch):
        make = lambda *s, lib=lib: lib.zeros(*s, requires_grad=True)  # noqa: E731
        y = eval(code, {"F": lib.nn.functional, "x": make})
        y.sum().backward()
        shapes.append(tuple(y.shape))
    assert shapes[0] == shapes[1]


# --- modules ----------------------------------------------------------------------------------
MODULES = [
    ("MaxPool1d(3, 2, 1)", (2, 3, 9)), ("MaxPool1d(2, return_indices=True)", (3, 8)),
    ("MaxPool3d((2, 1, 2), ceil_mode=True)", (1, 2, 5, 4, 5)), ("AvgPool1d(3, 2, 1)", (2, 3, 9)),
    ("AvgPool3d(2, divisor_override=3)", (2, 4, 4, 4)), ("AdaptiveAvgPool1d(3)", (2, 3, 7)),
    ("AdaptiveAvgPool3d((2, None, 3))", (1, 2, 4, 5, 6)), ("AdaptiveMaxPool1d(3)", (2, 3, 7)),
    ("AdaptiveMaxPool2d((2, 3), return_indices=True)", (2, 2, 5, 7)),
    ("AdaptiveMaxPool3d(2)", (1, 2, 4, 5, 6)), ("LPPool1d(2, 3)", (2, 3, 9)),
    ("LPPool2d(4, (2, 3), stride=1)", (2, 2, 5, 6)), ("LPPool3d(2, 2)", (1, 2, 4, 4, 4)),
    ("FractionalMaxPool2d(2, output_size=3, _random_samples=S(1, 2, 2))", (1, 2, 6, 6)),
    ("FractionalMaxPool3d(2, output_size=(3, 2, 3), _random_samples=S(1, 2, 3))",
     (1, 2, 5, 5, 5)),
    ("Upsample(scale_factor=2)", (2, 3, 4)),
    ("Upsample(size=(5, 3), mode='bilinear')", (1, 2, 3, 4)),
    ("Upsample(scale_factor=(1.5, 2, 1), mode='trilinear', align_corners=True)", (1, 1, 2, 3, 4)),
    ("UpsamplingNearest2d(scale_factor=2)", (1, 2, 3, 3)),
    ("UpsamplingBilinear2d(size=(5, 6))", (1, 2, 3, 3)), ("PixelShuffle(2)", (2, 8, 2, 3)),
    ("PixelUnshuffle(2)", (2, 2, 4, 6)), ("ChannelShuffle(2)", (2, 4, 3, 3)),
    ("Fold((4, 5), 2)", (2, 8, 12)), ("Unfold(2, padding=1, stride=2)", (2, 3, 4, 5)),
]  # fmt: skip


@requires_torch
@pytest.mark.parametrize(("code", "shape"), MODULES, ids=[c for c, _ in MODULES])
def test_module_matches_torch(code: str, shape: tuple[int, ...]) -> None:
    samples = {}

    def S(*shape: int) -> Any:
        samples.setdefault(shape, SAMPLES(*shape))
        return samples[shape]

    ours = eval("nn." + code, {"nn": nn, "S": lambda *s: ndgrad.tensor(S(*s))})
    theirs = eval("nn." + code, {"nn": torch.nn, "S": lambda *s: torch.tensor(S(*s))})
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = U(*shape)
    a, b = ndgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yb = ours(a), theirs(b)
    if isinstance(yb, tuple):
        assert np.array_equal(ya[1].numpy(), yb[1].numpy())
        ya, yb = ya[0], yb[0]
    assert_close(ya, yb, rtol=1e-12, atol=1e-13)
    assert ya.grad_fn.name() == yb.grad_fn.name()
    w = R.standard_normal(tuple(yb.shape))
    (ya * ndgrad.tensor(w)).sum().backward()
    (yb * torch.tensor(w)).sum().backward()
    assert_close(a.grad, b.grad, rtol=1e-12, atol=1e-13)


@requires_torch
def test_unpool_modules_match_torch() -> None:
    for nd in (1, 2, 3):
        ours, theirs = getattr(nn, f"MaxUnpool{nd}d")(2), getattr(torch.nn, f"MaxUnpool{nd}d")(2)
        assert repr(ours) == repr(theirs)
        x = U(1, 2, *([4] * nd))
        y, i = getattr(F, f"max_pool{nd}d")(ndgrad.tensor(x), 2, return_indices=True)
        ty, ti = getattr(torch.nn.functional, f"max_pool{nd}d")(
            torch.tensor(x), 2, return_indices=True
        )
        assert_close(ours(y, i, output_size=[5] * nd), theirs(ty, ti, output_size=[5] * nd))


# --- torch.* aliases and signatures -------------------------------------------------------------
@requires_torch
def test_torch_level_aliases() -> None:
    x = U(2, 3, 8)
    a, b = ndgrad.tensor(x), torch.tensor(x)
    for name, args in [
        ("max_pool1d", (3, [], 1)), ("avg_pool1d", (3, 2, 1, True, False)),
        ("adaptive_avg_pool1d", (3,)), ("max_pool3d", (2,)),
    ]:  # fmt: skip
        xa, xb = (a[None], b[None]) if name == "max_pool3d" else (a, b)
        assert_close(getattr(ndgrad, name)(xa, *args), getattr(torch, name)(xb, *args))
    for name in ("adaptive_max_pool1d", "max_pool1d_with_indices"):
        (ya, ia), (yb, ib) = getattr(ndgrad, name)(a, 3), getattr(torch, name)(b, 3)
        assert_close(ya, yb)
        assert np.array_equal(ia.numpy(), ib.numpy())
    y = U(2, 8, 2, 2)
    for name, r in [("pixel_shuffle", 2), ("pixel_unshuffle", 2), ("channel_shuffle", 4),
                    ("native_channel_shuffle", 4)]:  # fmt: skip
        assert_close(getattr(ndgrad, name)(ndgrad.tensor(y), r), getattr(torch, name)(
            torch.tensor(y), r))  # fmt: skip


SIGNED = [
    "max_pool1d", "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d",
    "max_pool3d_with_indices", "avg_pool1d", "avg_pool3d", "adaptive_avg_pool1d",
    "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices", "max_unpool1d", "max_unpool2d", "max_unpool3d",
    "lp_pool1d", "lp_pool2d", "lp_pool3d", "fractional_max_pool2d", "fractional_max_pool3d",
    "fractional_max_pool2d_with_indices", "fractional_max_pool3d_with_indices", "interpolate",
    "upsample", "upsample_nearest", "upsample_bilinear", "fold", "unfold", "affine_grid",
    "grid_sample",
]  # fmt: skip


@requires_torch
@pytest.mark.parametrize("name", SIGNED)
def test_signature_is_torchs(name: str) -> None:
    ours = [(p.name, p.default) for p in inspect.signature(getattr(F, name)).parameters.values()]
    fn = getattr(torch.nn.functional, name)
    if isinstance(fn, type(torch.abs)):  # a builtin: its docstring's first line is the signature
        args = ", ".join(n if d is inspect.Parameter.empty else f"{n}={d}" for n, d in ours)
        assert fn.__doc__.strip().splitlines()[0].startswith(f"{name}({args})")
        return
    if "args" in inspect.signature(fn).parameters:  # boolean-dispatched: the values-only form
        fn = getattr(torch.nn.functional, "_" + name)
    theirs = [(p.name, p.default) for p in inspect.signature(fn).parameters.values()]
    assert ours == theirs


def test_deprecated_upsample_warns() -> None:
    x = ndgrad.zeros(1, 1, 2, 2)
    for name in ("upsample", "upsample_nearest", "upsample_bilinear"):
        with pytest.warns(UserWarning, match=f"`nn.functional.{name}` is deprecated"):
            getattr(F, name)(x, scale_factor=2)


# --- affine_grid / grid_sample ----------------------------------------------------------------
GRID_CASES = [
    (nd, mode, pad, ac)
    for nd in (2, 3)
    for mode in ("bilinear", "nearest", "bicubic")
    for pad in ("zeros", "border", "reflection")
    for ac in (False, True)
    if not (nd == 3 and mode == "bicubic")
]


def _grid_inputs(nd: int) -> tuple[np.ndarray, np.ndarray]:
    x = U(2, 3, *((4, 5) if nd == 2 else (3, 4, 5)))
    g = R.uniform(-1.3, 1.3, (2, *((3, 2) if nd == 2 else (2, 3, 2)), nd))  # some outside
    return x, g


@requires_torch
@pytest.mark.parametrize(("nd", "mode", "pad", "ac"), GRID_CASES)
def test_grid_sample_matches_torch(nd: int, mode: str, pad: str, ac: bool) -> None:
    x, g = _grid_inputs(nd)
    xa, ga = ndgrad.tensor(x, requires_grad=True), ndgrad.tensor(g, requires_grad=True)
    xt, gt = torch.tensor(x, requires_grad=True), torch.tensor(g, requires_grad=True)
    ya = F.grid_sample(xa, ga, mode, pad, ac)
    yb = torch.nn.functional.grid_sample(xt, gt, mode, pad, ac)
    assert_close(ya, yb, rtol=1e-12, atol=1e-13)
    assert ya.grad_fn.name() == yb.grad_fn.name()
    w = R.standard_normal(tuple(yb.shape))
    (ya * ndgrad.tensor(w)).sum().backward()
    (yb * torch.tensor(w)).sum().backward()
    assert_close(xa.grad, xt.grad, rtol=1e-12, atol=1e-13)
    assert_close(ga.grad, gt.grad, rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize(("nd", "mode", "pad", "ac"), GRID_CASES[::2])
def test_grid_sample_gradcheck(nd: int, mode: str, pad: str, ac: bool) -> None:
    x, g = _grid_inputs(nd)
    inputs = [ndgrad.tensor(x, requires_grad=True), ndgrad.tensor(g, requires_grad=True)]

    def f(a: Any, b: Any) -> Any:
        return F.grid_sample(a, b, mode, pad, ac)

    assert gradcheck(f, inputs)
    assert gradgradcheck(f, inputs)


def test_identity_grid_reproduces_the_input() -> None:
    x = U(2, 3, 4, 5)
    theta = ndgrad.tensor(np.tile(np.eye(2, 3), (2, 1, 1)))
    for ac in (False, True):
        grid = F.affine_grid(theta, (2, 3, 4, 5), align_corners=ac)
        assert_close(F.grid_sample(ndgrad.tensor(x), grid, align_corners=ac), x)
    # the base grid: x along the last dim, y along the one before, in [-1, 1]
    grid = F.affine_grid(theta, (2, 3, 4, 5), align_corners=True).numpy()
    assert_close(grid[0, 0, :, 0], np.linspace(-1, 1, 5))
    assert_close(grid[0, :, 0, 1], np.linspace(-1, 1, 4))


@requires_torch
@pytest.mark.parametrize(("nd", "ac"), [(2, False), (2, True), (3, False), (3, True)])
def test_affine_grid_matches_torch(nd: int, ac: bool) -> None:
    th = U(2, nd, nd + 1)
    size = (2, 3, 4, 5) if nd == 2 else (2, 3, 2, 4, 5)
    a, b = ndgrad.tensor(th, requires_grad=True), torch.tensor(th, requires_grad=True)
    ya = F.affine_grid(a, size, align_corners=ac)
    yb = torch.nn.functional.affine_grid(b, size, align_corners=ac)
    assert_close(ya, yb, rtol=1e-12, atol=1e-13)
    assert ya.grad_fn.name() == yb.grad_fn.name()
    w = R.standard_normal(tuple(yb.shape))
    (ya * ndgrad.tensor(w)).sum().backward()
    (yb * torch.tensor(w)).sum().backward()
    assert_close(a.grad, b.grad, rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda t: F.affine_grid(t, size, align_corners=ac), [a])
    assert gradgradcheck(lambda t: F.affine_grid(t, size, align_corners=ac), [a])
    assert_close(ndgrad.affine_grid_generator(a, size, ac), yb)


@requires_torch
def test_grid_sampler_aliases() -> None:
    x, g = _grid_inputs(2)
    want = torch.grid_sampler(torch.tensor(x), torch.tensor(g), 2, 1, True)
    assert_close(ndgrad.grid_sampler(ndgrad.tensor(x), ndgrad.tensor(g), 2, 1, True), want)
    assert_close(ndgrad.grid_sampler_2d(ndgrad.tensor(x), ndgrad.tensor(g), 2, 1, True), want)
    x, g = _grid_inputs(3)
    want = torch.grid_sampler_3d(torch.tensor(x), torch.tensor(g), 1, 2, False)
    assert_close(ndgrad.grid_sampler_3d(ndgrad.tensor(x), ndgrad.tensor(g), 1, 2, False), want)


def test_align_corners_default_warns() -> None:
    with pytest.warns(UserWarning, match="Default grid_sample and affine_grid behavior"):
        F.affine_grid(ndgrad.zeros(1, 2, 3), (1, 1, 2, 2))
    with pytest.warns(UserWarning, match="Default grid_sample and affine_grid behavior"):
        F.grid_sample(ndgrad.zeros(1, 1, 2, 2), ndgrad.zeros(1, 1, 1, 2))


# --- errors ---------------------------------------------------------------------------------
ERRORS = [
    # max_pool1d with indices: PyTorch checks the dims, then runs max_pool2d_with_indices
    ("F.max_pool1d(T.zeros(1, 1, 1, 4), 3, return_indices=True)", RuntimeError,
     "Expected 2 to 3 dimensions, but got 4-dimensional tensor for argument #1 'self' (while "
     "checking arguments for max_pool1d)"),
    ("F.max_pool1d(T.zeros(1, 1, 4), 3, 0, return_indices=True)", RuntimeError,
     "stride should not be zero"),
    ("F.max_pool1d(T.zeros(1, 1, 5), 3, 3, 2, return_indices=True)", RuntimeError,
     "pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and "
     "dilation=1"),
    ("F.max_pool1d(T.zeros(1, 1, 2), 3, return_indices=True)", RuntimeError,
     "Given input size: (1x1x2). Calculated output size: (1x1x0). Output size is too small"),
    # pooling_output_shape, then pool2d/pool3d_shape_check, in PyTorch's order
    ("F.max_pool2d(T.zeros(1, 1, 4, 4), 3, (1, -1))", RuntimeError,
     "stride should be greater than zero, but got dH: 1 dW: -1"),
    ("F.max_pool2d(T.zeros(1, 1, 4, 4), 3, 1, -1)", RuntimeError,
     "pad must be non-negative, but got pad: -1"),
    ("F.max_pool2d(T.zeros(1, 1, 6, 6), 3, 1, 2, dilation=2)", RuntimeError,
     "pad should be smaller than or equal to half of kernel size, but got padW = 2, padH = 2, "
     "kW = 3, kH = 3"),
    ("F.max_pool3d(T.zeros(1, 1, 6, 6, 6), (3, 5, 3), 1, (1, 2, 2), dilation=2)", RuntimeError,
     "pad should be smaller than or equal to half of kernel size, but got kT: 3 kW: 3 kH: 5 "
     "padT: 1 padW: 2 padH: 2"),
    ("F.avg_pool2d(T.zeros(1, 3, 5, 4), (2, 1), 0)", RuntimeError, "stride should not be zero"),
    ("F.avg_pool2d(T.zeros(1, 1, 4, 4), 3, (1, -2))", RuntimeError,
     "stride should be greater than zero, but got dH: 1 dW: -2"),
    ("F.avg_pool2d(T.zeros(1, 1, 4, 4), 2, divisor_override=0)", RuntimeError,
     "divisor must be not zero"),
    ("F.avg_pool2d(T.zeros(1, 1, 1, 1, 6, 6), 2)", RuntimeError,
     "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
     "got:[1, 1, 1, 1, 6, 6]"),
    ("F.avg_pool2d(T.zeros(6, 6), 2)", IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got -3)"),
    ("F.adaptive_max_pool2d(T.zeros(2, 2), (4, 3))", ValueError,
     "Input dimension should be at least 3"),
    ("F.max_pool1d(T.zeros(4), 2)", RuntimeError,
     "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
     "input, but got:[4]"),
    ("F.max_pool1d(T.zeros(1, 2, 4), 2, padding=2)", RuntimeError,
     "max_pool1d() padding should be at most half of kernel size, but got padding=2 and "
     "kernel_size=2"),
    ("F.max_pool1d(T.zeros(1, 2, 2), 3)", RuntimeError,
     "max_pool1d() Invalid computed output size: 0"),
    ("F.max_pool1d(T.zeros(1, 2, 4), 2, stride=0)", RuntimeError,
     "max_pool1d() stride must be greater than zero, but got 0"),
    ("F.max_pool3d(T.zeros(1, 1, 4, 4, 4), 2, 0)", RuntimeError, "stride should not be zero"),
    ("F.max_pool3d(T.zeros(1, 1, 4, 4, 4), 2, 1, 0, 0)", RuntimeError,
     "dilation should be greater than zero, but got dilationT: 0 dilationH: 0 dilationW: 0"),
    ("F.avg_pool3d(T.zeros(1, 1, 4, 4, 4), (2, 2))", RuntimeError,
     "avg_pool3d: kernel_size must be a single int, or a tuple of three ints"),
    ("F.avg_pool1d(T.zeros(1, 1, 4), (2, 2))", RuntimeError,
     "avg_pool1d() argument 'kernel_size' should contain one int (got 2)"),
    ("F.max_pool2d_with_indices(T.zeros(1, 1, 4, 4), 2, 1, 0, 0)", RuntimeError,
     "dilation should be greater than zero, but got dilationH: 0 dilationW: 0"),
    ("F.max_pool3d(T.zeros(2, 4, 4), 2)", RuntimeError,
     "non-empty 4D or 5D (batch mode) tensor expected for input"),
    ("F.max_pool2d(T.zeros(4), 2)", RuntimeError,
     "non-empty 3D or 4D (batch mode) tensor expected for input"),
    ("F.max_pool2d(T.zeros(2, 0, 4, 4), 2)", RuntimeError,
     "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
     "got:[2, 0, 4, 4]"),
    ("F.max_pool2d(T.zeros(3, 0, 4), 2)", RuntimeError,
     "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
     "got:[3, 0, 4]"),
    ("F.max_pool1d(T.zeros(3, 0), 2)", RuntimeError,
     "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
     "input, but got:[3, 0]"),
    ("F.max_pool3d(T.zeros(2, 0, 4, 4, 4), 2)", RuntimeError,
     "max_pool3d_with_indices_out_cpu_template(): Expected input's non-batch dimensions to have "
     "positive length, but input has a shape of [2, 0, 4, 4, 4] and non-batch dimension 0 has "
     "length zero!"),
    ("F.max_pool3d(T.zeros(1, 2, 0, 4, 4), 2)", RuntimeError,
     "max_pool3d_with_indices_out_cpu_template(): Expected input's non-batch dimensions to have "
     "positive length, but input has a shape of [1, 2, 0, 4, 4] and non-batch dimension 0 has "
     "length zero!"),
    ("F.max_pool3d(T.zeros(1, 1, 4, 4, 4), 2, padding=2)", RuntimeError,
     "pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and "
     "dilation=1"),
    ("F.max_pool3d(T.zeros(1, 1, 1, 4, 4), 2)", RuntimeError,
     "Given input size: (1x1x4x4). Calculated output size: (1x0x2x2). Output size is too small"),
    ("F.max_pool3d(T.zeros(1, 1, 4, 4, 4), (2, 2))", RuntimeError,
     "max_pool3d: kernel_size must either be a single int, or a tuple of three ints"),
    ("F.avg_pool1d(T.zeros(4), 2)", RuntimeError,
     "Expected 2 to 3 dimensions, but got 1-dimensional tensor for argument #1 'self' (while "
     "checking arguments for avg_pool1d)"),
    ("F.avg_pool1d(T.zeros(1, 2, 2), 3)", RuntimeError,
     "Given input size: (2x1x2). Calculated output size: (2x1x0). Output size is too small"),
    ("F.avg_pool3d(T.zeros(1, 1, 1, 4, 4), 2)", RuntimeError,
     "input image (T: 1 H: 4 W: 4) smaller than kernel size (kT: 2 kH: 2 kW: 2)"),
    ("F.avg_pool3d(T.zeros(1, 1, 4, 4, 4), 2, divisor_override=0)", RuntimeError,
     "divisor must be not zero"),
    ("F.adaptive_avg_pool1d(T.zeros(1, 2, 4), (2, 2))", RuntimeError,
     "adaptive_avg_pool1d() argument 'output_size' should contain one int (got 2)"),
    ("F.adaptive_avg_pool2d(T.zeros(4), 2)", RuntimeError,
     "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [4]"),
    ("F.adaptive_avg_pool3d(T.zeros(4, 4), 2)", RuntimeError,
     "adaptive_avg_pool3d(): Expected 4D or 5D tensor, but got [4, 4]"),
    ("F.adaptive_avg_pool2d(T.zeros(1, 2, 0, 4), 2)", RuntimeError,
     "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, "
     "but input has sizes [1, 2, 0, 4] with dimension 2 being empty"),
    ("F.adaptive_max_pool2d(T.zeros(4), 2)", RuntimeError,
     "adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: [4]"),
    ("F.adaptive_max_pool2d(T.zeros(1, 2, 4, 4), (2, 2, 2))", RuntimeError,
     "adaptive_max_pool2d(): internal error: output_size.size() must be 2"),
    ("F.adaptive_avg_pool2d(T.zeros(1, 2, 4, 4), (2, 2, 2))", RuntimeError,
     "adaptive_avg_pool2d: output_size must be 2"),
    ("F.pixel_shuffle(T.zeros(2, 3), 2)", RuntimeError,
     "pixel_shuffle expects input to have at least 3 dimensions, but got input with 2 "
     "dimension(s)"),
    ("F.pixel_shuffle(T.zeros(1, 3, 2, 2), 2)", RuntimeError,
     "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
     "upscale_factor, but input.size(-3)=3 is not divisible by 4"),
    ("F.pixel_shuffle(T.zeros(1, 4, 2, 2), 0)", RuntimeError,
     "pixel_shuffle expects a positive upscale_factor, but got 0"),
    ("F.pixel_unshuffle(T.zeros(1, 1, 4, 3), 2)", RuntimeError,
     "pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)=3 "
     "is not divisible by 2"),
    ("F.channel_shuffle(T.zeros(1, 3, 2, 2), 2)", RuntimeError,
     "Number of channels must be divisible by groups. Got 3 channels and 2 groups."),
    ("F.channel_shuffle(T.zeros(3), 2)", RuntimeError,
     "channel_shuffle expects input with > 2 dims, but got input with sizes [3]"),
    ("F.unfold(T.zeros(1, 2, 3, 4, 5), 2)", RuntimeError,
     "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
     "dimensions for input, but got: [1, 2, 3, 4, 5]"),
    ("F.unfold(T.zeros(1, 2, 3, 3), 4)", RuntimeError,
     "Given input with spatial size (3, 3), kernel_size=(4, 4), dilation=(1, 1), "
     "padding=(0, 0), calculated shape of the array of sliding blocks as (0, 0), but its "
     "components must be at least one."),
    ("F.unfold(T.zeros(1, 2, 3, 3), 2, stride=0)", RuntimeError,
     "stride should be greater than zero, but got stride_height: 0 stride_width: 0"),
    ("F.fold(T.zeros(1, 11, 9), (4, 4), 2)", RuntimeError,
     "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
     "got input.size(1)=11 and kernel_size=(2, 2)."),
    ("F.fold(T.zeros(1, 12, 8), (4, 4), 2)", RuntimeError,
     "Given output_size=(4, 4), kernel_size=(2, 2), dilation=(1, 1), padding=(0, 0), "
     "stride=(1, 1), expected size of input's dimension 2 to match the calculated number of "
     "sliding blocks 3 * 3 = 9, but got input.size(2)=8."),
    ("F.interpolate(T.zeros(1, 2, 4), size=3, scale_factor=2)", ValueError,
     "only one of size or scale_factor should be defined"),
    ("F.interpolate(T.zeros(1, 2, 4))", ValueError,
     "either size or scale_factor should be defined"),
    ("F.interpolate(T.zeros(1, 2, 4), size=3, mode='bilinear')", NotImplementedError,
     "Got 3D input, but bilinear mode needs 4D input"),
    ("F.interpolate(T.zeros(1, 2, 4, 4), size=3, mode='foo')", NotImplementedError,
     "Input Error: Only 3D, 4D and 5D input Tensors supported (got 4D) for the modes: nearest "
     "| linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact (got foo)"),
    ("F.interpolate(T.zeros(1, 2, 4, 4), size=3, align_corners=True)", ValueError,
     "align_corners option can only be set with the interpolating modes: linear | bilinear | "
     "bicubic | trilinear"),
    ("F.interpolate(T.zeros(1, 2, 4, 4), size=(3, 3, 3))", ValueError,
     "Input and output must have the same number of spatial dimensions, but got input with "
     "spatial dimensions of [4, 4] and output size of (3, 3, 3)."),
    ("F.interpolate(T.zeros(1, 2, 4), size=3, antialias=True)", ValueError,
     "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a "
     "4-D tensor as input"),
    ("F.interpolate(T.zeros(1, 2, 4, 4), scale_factor=0.1)", RuntimeError,
     "Input and output sizes should be greater than 0, but got input (H: 4, W: 4) output "
     "(H: 0, W: 0)"),
    ("F.max_unpool2d(T.zeros(1, 1, 2, 2), T.zeros(1, 1, 2, 2, dtype=T.long), 2, "
     "output_size=(5, 5, 5))", ValueError,
     "output_size should be a sequence containing 2 or 4 elements, but it has a length of '3'"),
    ("F.max_unpool2d(T.zeros(1, 1, 2, 2), T.full((1, 1, 2, 2), 100), 2)", RuntimeError,
     "Found an invalid max index: 100 (output volumes are of size 4x4)"),
    ("F.max_unpool2d(T.zeros(1, 1, 2, 2), T.zeros(1, 1, 2, 2), 2)", RuntimeError,
     "elements in indices should be type int64 but got: Float"),
    ("F.max_unpool2d(T.zeros(1, 1, 2, 2), T.zeros(1, 1, 2, 2, dtype=T.long), 2, "
     "output_size=(9, 9))", ValueError,
     'invalid output_size "(9, 9)" (dim 0 must be between 2 and 6)'),
    ("F.max_unpool2d(T.zeros(1, 1, 2, 2), T.zeros(1, 1, 2, 3, dtype=T.long), 2)", RuntimeError,
     "Expected shape of indices to be same as that of the input tensor ([1, 1, 2, 2]) but got "
     "indices tensor with shape: [1, 1, 2, 3]"),
    ("F.fractional_max_pool2d(T.zeros(1, 1, 4, 4), 2)", ValueError,
     "fractional_max_pool2d requires specifying either an output_size or an output_ratio"),
    ("F.fractional_max_pool2d(T.zeros(1, 1, 4, 4), 2, output_size=4)", RuntimeError,
     "fractional_max_pool2d(): pool height 2 too large relative to input height 4"),
    ("T.nn.FractionalMaxPool2d(2, output_ratio=1.5)", ValueError,
     "output_ratio must be between 0 and 1 (got 1.5)"),
    ("T.nn.FractionalMaxPool2d(2, output_size=2, output_ratio=0.5)", ValueError,
     "only one of output_size and output_ratio may be specified"),
    ("F.grid_sample(T.zeros(1, 1, 4, 4), T.zeros(1, 3, 3, 3), align_corners=False)",
     RuntimeError, "grid_sampler(): expected grid to have size 2 in last dimension, but got "
     "grid with sizes [1, 3, 3, 3]"),
    ("F.grid_sample(T.zeros(1, 1, 4, 4), T.zeros(1, 3, 3, 2), mode='foo')", ValueError,
     "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
     "but got: 'foo'"),
    ("F.grid_sample(T.zeros(1, 1, 4, 4), T.zeros(1, 3, 3, 2), padding_mode='foo')", ValueError,
     "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
     "'reflection', but got: 'foo'"),
    ("F.grid_sample(T.zeros(1, 1, 4, 4), T.zeros(2, 3, 3, 2), align_corners=False)",
     RuntimeError, "grid_sampler(): expected grid and input to have same batch size, but got "
     "input with sizes [1, 1, 4, 4] and grid with sizes [2, 3, 3, 2]"),
    ("F.grid_sample(T.zeros(1, 1, 2, 2), T.zeros(1, 1, 1, 1, 2), align_corners=False)",
     RuntimeError, "grid_sampler(): expected 4D input and grid with same number of dimensions, "
     "but got input with sizes [1, 1, 2, 2] and grid with sizes [1, 1, 1, 1, 2]"),
    ("F.grid_sample(T.zeros(1, 1, 2, 2, 2), T.zeros(1, 1, 1, 1, 3), 'bicubic', "
     "align_corners=False)", RuntimeError,
     "grid_sampler(): bicubic interpolation only supports 4D input"),
    ("F.affine_grid(T.zeros(1, 2, 3), (1, 1, 4), align_corners=False)", NotImplementedError,
     "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
     "respectively. Got size (1, 1, 4)."),
    ("F.affine_grid(T.zeros(1, 3, 3), (1, 1, 4, 4), align_corners=False)", ValueError,
     "Expected a batch of 2D affine matrices of shape Nx2x3 for size (1, 1, 4, 4). Got "
     "torch.Size([1, 3, 3])."),
    ("F.affine_grid(T.zeros(1, 2, 3), (2, 1, 4, 4), align_corners=False)", RuntimeError,
     "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [1, 3]."),
    ("F.affine_grid(T.zeros(1, 2, 3, dtype=T.long), (1, 1, 4, 4), align_corners=False)",
     ValueError, "Expected theta to have floating point type, but got torch.int64"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "exc", "msg"), ERRORS)
def test_errors(code: str, exc: type[Exception], msg: str) -> None:
    with pytest.raises(exc, match=re.escape(msg)):
        eval(code, {"F": F, "T": ndgrad})


@requires_torch
@pytest.mark.parametrize(("code", "exc", "msg"), ERRORS)
def test_error_texts_are_torchs(code: str, exc: type[Exception], msg: str) -> None:
    with pytest.raises(exc, match=re.escape(msg)):
        eval(code, {"F": torch.nn.functional, "T": torch})


def test_max_unpool_writes_repeated_indices() -> None:
    # overlapping windows can share a maximum: PyTorch writes each value in turn (the last one
    # stays), it does not add them; the gradient of each input is the gradient at its index
    x = ndgrad.tensor([[[1.0], [2.0], [3.0]]], requires_grad=True)
    idx = ndgrad.tensor([[[[0], [0], [1]]]])
    y = F.max_unpool2d(x.unsqueeze(0), idx, (1, 1))
    assert y.flatten().tolist() == [2.0, 3.0, 0.0]
    y.backward(ndgrad.tensor([[[[10.0], [20.0], [30.0]]]]))
    assert x.grad.flatten().tolist() == [10.0, 10.0, 20.0]
    z = F.max_unpool3d(x.reshape(1, 1, 3, 1, 1), idx.reshape(1, 1, 3, 1, 1), (1, 1, 1))
    assert z.flatten().tolist() == [2.0, 3.0, 0.0]


def test_max_pool_kernel_one_with_a_larger_stride() -> None:
    # one window along the width (stride 3 over 3 columns): positions 0 and 3 of the plane
    x = ndgrad.arange(6.0).reshape(1, 1, 2, 3).requires_grad_()
    y, i = F.max_pool2d(x, 1, stride=(1, 3), return_indices=True)
    assert y.flatten().tolist() == [0.0, 3.0] and i.flatten().tolist() == [0, 3]
    y.sum().backward()
    assert x.grad.flatten().tolist() == [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]


def test_avg_pool2d_unbatched_node() -> None:
    # PyTorch's avg_pool2d takes a (C, H, W) input itself (no unsqueeze/squeeze around it)
    x = ndgrad.arange(12.0).reshape(1, 3, 4).requires_grad_()
    y = F.avg_pool2d(x, (1, 2), stride=3, ceil_mode=True)
    assert y.grad_fn.name() == "AvgPool2DBackward0"
    assert y.tolist() == [[[0.5, 3.0]]]
    (g,) = ndgrad.autograd.grad((y * y).sum(), x, create_graph=True)
    assert g.grad_fn.name() == "AvgPool2DBackwardBackward0"
    # d/dx of sum(y^2) = y / 2 over each 2-wide window (the last one holds x[3] alone: / 1)
    assert g.flatten().tolist()[:4] == [0.5, 0.5, 0.0, 6.0]


def test_max_unpool_empty_output_and_invalid_index() -> None:
    # an empty output plane is returned without reading the indices; its backward is
    # PyTorch's gather from the empty plane, which fails
    # (the pooling of a (1, 2, 2, 4) input by MaxPool2d(2, (3, 1), 1) unpools to 0 x 4)
    y = ndgrad.ones(1, 2, 1, 5, requires_grad=True)
    idx = ndgrad.tensor([[[[0, 1, 2, 3, 3]], [[0, 1, 2, 3, 3]]]])
    z = F.max_unpool2d(y, idx, 2, (3, 1), 1)
    assert tuple(z.shape) == (1, 2, 0, 4)
    with pytest.raises(
        RuntimeError, match=r"^index 0 is out of bounds for dimension 2 with size 0$"
    ):
        z.sum().backward()
    # of several invalid indices, PyTorch's loop reports the last one it meets
    bad = ndgrad.tensor([0, 1, 20, 3, 40, 5, 0, 9, 2, 3, -4, 70]).reshape(2, 2, 1, 3)
    with pytest.raises(
        RuntimeError, match=r"invalid max index: 70 \(output volumes are of size 1x6\)"
    ):
        F.max_unpool2d(ndgrad.zeros(2, 2, 1, 3), bad, (1, 2))


def test_adaptive_avg_pool_to_one_is_a_mean_of_any_input() -> None:
    # PyTorch takes the mean of the last dims before it checks the input's dims
    x = ndgrad.arange(24.0).reshape(1, 2, 3, 4).requires_grad_()
    y = F.adaptive_avg_pool2d(x.reshape(1, 1, 2, 3, 4), 1)
    assert tuple(y.shape) == (1, 1, 2, 1, 1) and y.flatten().tolist() == [5.5, 17.5]
    assert y.grad_fn.name() == "MeanBackward1"
    assert tuple(F.adaptive_avg_pool2d(ndgrad.ones(2, 0, 4, 4), 1).shape) == (2, 0, 1, 1)
    assert F.adaptive_avg_pool3d(x[0], 1).flatten().tolist() == [11.5]
