"""Convolution (1-3 d, plain and transposed), normalisation and dropout against PyTorch: values,
gradients and node names in float64, gradcheck/gradgradcheck, seeded init, reprs and errors."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from tests.helpers import assert_close, requires_torch, torch

import ndgrad
import ndgrad.nn as nn
import ndgrad.nn.functional as F
from ndgrad.autograd import gradcheck, gradgradcheck
from ndgrad.nn import _conv

R = np.random.default_rng(4321)


def U(*shape: int, lo: float = -2.0, hi: float = 2.0) -> np.ndarray:
    return R.uniform(lo, hi, size=shape)


class C:
    """An input given without requires_grad (running statistics, say)."""

    def __init__(self, a: np.ndarray) -> None:
        self.a = a


def _inputs(lib: Any, arrays: list[Any]) -> list[Any]:
    out = []
    for a in arrays:
        if isinstance(a, C):
            out.append(lib.tensor(a.a))
            continue
        t = lib.tensor(a)
        if a.dtype.kind == "f":
            t.requires_grad_()
        out.append(t)
    return out


# name, f(lib, F, *tensors) with lib the top-level module (ndgrad or torch), input arrays, whether
# to run gradgradcheck too
CASES: list[tuple[str, Callable[..., Any], list[Any], bool]] = [
    ("conv1d", lambda T, F, x, w, b: F.conv1d(x, w, b, 2, 1), [U(2, 2, 7), U(3, 2, 3), U(3)], True),
    ("conv1d_unbatched", lambda T, F, x, w: F.conv1d(x, w, padding="same", dilation=2),
     [U(2, 6), U(3, 2, 2)], True),
    ("conv2d_stride_tuple", lambda T, F, x, w: F.conv2d(x, w, None, (2, 1), (1, 0)),
     [U(1, 2, 5, 4), U(2, 2, 3, 2)], True),
    ("conv3d", lambda T, F, x, w, b: F.conv3d(x, w, b), [U(2, 2, 3, 4, 3), U(3, 2, 2, 2, 2), U(3)],
     True),
    ("conv3d_groups_stride_pad_dil",
     lambda T, F, x, w: F.conv3d(x, w, None, (1, 2, 1), (1, 0, 1), (2, 1, 1), 2),
     [U(1, 4, 4, 5, 3), U(2, 2, 2, 2, 2)], True),
    ("conv3d_same", lambda T, F, x, w: F.conv3d(x, w, padding="same"),
     [U(1, 1, 3, 3, 4), U(2, 1, 2, 3, 2)], True),
    ("conv3d_unbatched", lambda T, F, x, w: F.conv3d(x, w, padding=1),
     [U(1, 2, 3, 2), U(2, 1, 1, 2, 2)], True),
    ("conv_transpose1d", lambda T, F, x, w, b: F.conv_transpose1d(x, w, b, 2, 1, 1),
     [U(2, 3, 4), U(3, 2, 3), U(2)], True),
    ("conv_transpose1d_groups_dil",
     lambda T, F, x, w: F.conv_transpose1d(x, w, None, 3, 0, 1, 2, 2),
     [U(1, 4, 3), U(4, 1, 2)], True),
    ("conv_transpose1d_unbatched", lambda T, F, x, w: F.conv_transpose1d(x, w),
     [U(2, 3), U(2, 2, 2)], True),
    ("conv_transpose2d_bias", lambda T, F, x, w, b: F.conv_transpose2d(x, w, b, 2, 1),
     [U(1, 2, 3, 2), U(2, 3, 3, 2), U(3)], True),
    ("conv_transpose3d", lambda T, F, x, w, b: F.conv_transpose3d(x, w, b, 2, 0, 1),
     [U(1, 2, 2, 2, 3), U(2, 2, 2, 1, 2), U(2)], True),
    ("conv_transpose3d_groups",
     lambda T, F, x, w: F.conv_transpose3d(x, w, None, (1, 2, 1), (0, 1, 0), 0, 2, (1, 1, 2)),
     [U(1, 2, 2, 3, 2), U(2, 2, 1, 2, 2)], True),
    ("torch_convolution",
     lambda T, F, x, w, b: T.convolution(x, w, b, [1, 2], [1, 0], [1, 1], False, [0, 0], 1),
     [U(1, 2, 4, 4), U(3, 2, 2, 3), U(3)], True),
    ("torch_convolution_transposed",
     lambda T, F, x, w: T.convolution(x, w, None, [2], [1], [1], True, [1], 1),
     [U(1, 2, 4), U(2, 3, 3)], True),
    ("torch_conv3d", lambda T, F, x, w: T.conv3d(x, w, None, 1, 1),
     [U(1, 1, 2, 2, 2), U(1, 1, 2, 2, 2)], True),
    ("torch_conv_transpose1d", lambda T, F, x, w: T.conv_transpose1d(x, w, None, 2),
     [U(1, 2, 3), U(2, 1, 2)], True),
    ("torch_conv_transpose3d", lambda T, F, x, w: T.conv_transpose3d(x, w, None, 2),
     [U(1, 1, 2, 1, 2), U(1, 2, 2, 2, 1)], True),
]  # fmt: skip


@requires_torch
@pytest.mark.parametrize(("name", "fn", "arrays", "_"), CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name: str, fn: Any, arrays: list[Any], _: bool) -> None:
    nd_in, th_in = _inputs(ndgrad, arrays), _inputs(torch, arrays)
    with warnings.catch_warnings():  # warnings once per process are tested on their own
        warnings.simplefilter("ignore")
        nd_out = fn(ndgrad, F, *nd_in)
        th_out = fn(torch, torch.nn.functional, *th_in)
    assert_close(nd_out, th_out, rtol=1e-10, atol=1e-12)
    assert nd_out.dtype.name == str(th_out.dtype).replace("torch.", "")
    assert nd_out.grad_fn.name() == th_out.grad_fn.name()
    w = np.random.default_rng(0).standard_normal(tuple(th_out.shape))
    (nd_out * ndgrad.tensor(w)).sum().backward()
    (th_out * torch.tensor(w)).sum().backward()
    for a, b in zip(nd_in, th_in, strict=True):
        if b.requires_grad:
            assert_close(a.grad, b.grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("name", "fn", "arrays", "twice"), CASES, ids=[c[0] for c in CASES])
def test_gradcheck(name: str, fn: Any, arrays: list[Any], twice: bool) -> None:
    inputs = _inputs(ndgrad, arrays)

    def f(*xs: Any) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(ndgrad, F, *xs)

    assert gradcheck(f, inputs)
    if twice:
        assert gradgradcheck(f, inputs)


def _conv_reference(x: np.ndarray, w: np.ndarray, stride: int, pad: int) -> np.ndarray:
    """Direct loops over every output position of an N-d convolution (groups=1)."""
    n = x.ndim - 2
    xp = np.pad(x, [(0, 0), (0, 0)] + [(pad, pad)] * n)
    k = w.shape[2:]
    out = [(s - kk) // stride + 1 for s, kk in zip(xp.shape[2:], k, strict=True)]
    y = np.zeros((x.shape[0], w.shape[0], *out))
    for pos in np.ndindex(*out):
        sl = tuple(slice(p * stride, p * stride + kk) for p, kk in zip(pos, k, strict=True))
        patch = xp[(slice(None), slice(None), *sl)]
        y[(slice(None), slice(None), *pos)] = np.tensordot(patch, w, axes=(
            [1, *range(2, 2 + n)], [1, *range(2, 2 + n)]))  # fmt: skip
    return y


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_conv_values_against_loops(dims: int) -> None:
    x = U(2, 3, *([5] * dims))
    w = U(4, 3, *([2] * dims))
    fn = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[dims]
    assert_close(fn(ndgrad.tensor(x), ndgrad.tensor(w), None, 2, 1), _conv_reference(x, w, 2, 1))
    # a transposed convolution is the adjoint: <conv(x), y> = <x, conv_transpose(y)>
    tfn = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}[dims]
    y = U(*_conv_reference(x, w, 2, 1).shape)
    left = float((_conv_reference(x, w, 2, 1) * y).sum())
    xt = tfn(ndgrad.tensor(y), ndgrad.tensor(w), None, 2, 1, output_padding=1)
    assert xt.shape == x.shape
    assert abs(left - float((x * xt.numpy()).sum())) < 1e-9 * max(1.0, abs(left))


def test_same_padding_with_an_even_span_warns_once() -> None:
    _conv._warned["same"] = False
    x, w = ndgrad.zeros(1, 1, 3), ndgrad.zeros(1, 1, 2)
    msg = "Using padding='same' with even kernel lengths and odd dilation may require"
    with pytest.warns(UserWarning, match=re.escape(msg)):
        F.conv1d(x, w, padding="same")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.conv1d(x, w, padding="same")  # not again
        F.conv1d(x, ndgrad.zeros(1, 1, 3), padding="same")  # nor for an odd kernel


# --- modules -------------------------------------------------------------------------------------
LAYERS = [
    ("Conv3d(2, 4, 3, padding=1, groups=2)", (2, 2, 3, 4, 3)),
    ("Conv3d(2, 3, (1, 2, 2), stride=(1, 2, 1), padding='valid', dilation=(1, 1, 2))",
     (1, 2, 3, 4, 5)),
    ("ConvTranspose1d(2, 4, 3, stride=2, padding=1, output_padding=1, groups=2)", (2, 2, 5)),
    ("ConvTranspose1d(3, 2, 2, bias=False, dilation=2)", (3, 4)),
    ("ConvTranspose3d(2, 3, 2, stride=(2, 1, 1))", (1, 2, 2, 3, 2)),
]  # fmt: skip


def _seeded_pair(code: str) -> tuple[Any, Any]:
    ndgrad.manual_seed(7)
    ours = eval("nn." + code, {"nn": nn})
    torch.manual_seed(7)
    theirs = eval("nn." + code, {"nn": torch.nn})
    return ours, theirs


@requires_torch
@pytest.mark.parametrize(("code", "shape"), LAYERS, ids=[c for c, _ in LAYERS])
def test_layer_matches_torch(code: str, shape: tuple[int, ...]) -> None:
    ours, theirs = _seeded_pair(code)
    sd, tsd = ours.state_dict(), theirs.state_dict()
    assert list(sd) == list(tsd)
    for k, v in sd.items():  # the same default init from the same seed
        assert v.dtype.name == str(tsd[k].dtype).replace("torch.", "")
        assert np.array_equal(v.numpy(), tsd[k].numpy()), k
    assert repr(ours) == repr(theirs)
    ours, theirs = ours.double(), theirs.double()
    a = np.random.default_rng(0).standard_normal(shape)
    x, tx = ndgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    for _ in range(2):  # twice: running statistics change in between
        y, ty = ours(x), theirs(tx)
        assert_close(y, ty, rtol=1e-10, atol=1e-12)
        assert y.grad_fn.name() == ty.grad_fn.name()
        w = np.random.default_rng(1).standard_normal(tuple(ty.shape))
        (y * ndgrad.tensor(w)).sum().backward()
        (ty * torch.tensor(w)).sum().backward()
        assert_close(x.grad, tx.grad, rtol=1e-10, atol=1e-12)
        for (n, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
            assert_close(p.grad, q.grad, rtol=1e-10, atol=1e-12), n
    for (_, b), (_, tb) in zip(ours.named_buffers(), theirs.named_buffers(), strict=True):
        assert_close(b, tb, rtol=1e-10, atol=1e-12)
    ours.eval()
    theirs.eval()
    assert_close(ours(x), theirs(tx), rtol=1e-10, atol=1e-12)


@requires_torch
def test_conv_transpose_output_size() -> None:
    for dims, shape, size in [
        (1, (1, 2, 3), [7]),
        (1, (2, 3), [3, 7]),
        (3, (1, 2, 2, 2, 2), [5, 4, 5]),
    ]:
        ours, theirs = _seeded_pair(f"ConvTranspose{dims}d(2, 3, 2, stride=2)")
        a = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
        assert_close(
            ours(ndgrad.tensor(a), size), theirs(torch.tensor(a), size), rtol=1e-6, atol=1e-6
        )


ERRORS = [
    ("F.conv3d(T.zeros(1, 2, 3), T.zeros(1, 2, 1, 1, 1))", RuntimeError,
     "Expected 4D (unbatched) or 5D (batched) input to conv3d, but got input of size: [1, 2, 3]"),
    ("F.conv1d(T.zeros(1, 2, 3, 3), T.zeros(1, 2, 1))", RuntimeError,
     "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: "
     "[1, 2, 3, 3]"),
    ("F.conv1d(T.zeros(1, 2, 2), T.zeros(1, 2, 3))", RuntimeError,
     "Calculated padded input size per channel: (2). Kernel size: (3). Kernel size can't be "
     "greater than actual input size"),
    ("F.conv3d(T.zeros(1, 2, 2, 2, 2), T.zeros(1, 2, 3, 3, 3))", RuntimeError,
     "Calculated padded input size per channel: (2 x 2 x 2). Kernel size: (3 x 3 x 3)."),
    ("F.conv3d(T.zeros(1, 3, 2, 2, 2), T.zeros(1, 2, 1, 1, 1))", RuntimeError,
     "Given groups=1, weight of size [1, 2, 1, 1, 1], expected input[1, 3, 2, 2, 2] to have 2 "
     "channels, but got 3 channels instead"),
    ("F.conv_transpose3d(T.zeros(1, 2, 3), T.zeros(2, 2, 1, 1, 1))", RuntimeError,
     "Expected 4D (unbatched) or 5D (batched) input to conv_transpose3d, but got input of size: "
     "[1, 2, 3]"),
    ("F.conv_transpose1d(T.zeros(1, 3, 3), T.zeros(2, 2, 1))", RuntimeError,
     "Given transposed=1, weight of size [2, 2, 1], expected input[1, 3, 3] to have 2 channels, "
     "but got 3 channels instead"),
    ("F.conv_transpose1d(T.zeros(1, 2, 3), T.zeros(2, 2, 2), stride=2, output_padding=2)",
     RuntimeError,
     "output padding must be smaller than either stride or dilation, but got "
     "output_padding_height: 0 output_padding_width: 2 stride_height: 1 stride_width: 2 "
     "dilation_height: 1 dilation_width: 1"),
    ("F.conv_transpose3d(T.zeros(1, 2, 3, 3, 3), T.zeros(2, 2, 1, 1, 1), output_padding=1)",
     RuntimeError,
     "output padding must be smaller than either stride or dilation, but got "
     "output_padding_depth: 1 output_padding_height: 1 output_padding_width: 1 stride_depth: 1 "
     "stride_height: 1 stride_width: 1 dilation_depth: 1 dilation_height: 1 dilation_width: 1"),
    ("F.conv_transpose1d(T.zeros(1, 2, 3), T.zeros(2, 2, 1), padding=2)", RuntimeError,
     "Given input size per channel: (1 x 3). Calculated output size per channel: (1 x -1). "
     "Output size is too small"),
    ("F.conv_transpose3d(T.zeros(1, 2, 3, 3, 3), T.zeros(2, 2, 1, 1, 1), padding=2)", RuntimeError,
     "Given input size per channel: (3 x 3 x 3). Calculated output size per channel: "
     "(-1 x -1 x -1). Output size is too small"),
    ("F.conv_transpose1d(T.zeros(1, 2, 3), T.zeros(2, 2, 2), padding='same')", TypeError,
     "conv_transpose1d(): argument 'padding' must be tuple of ints, not str"),
    ("F.conv3d(T.zeros(1, 2, 3, 3, 3), T.zeros(1, 2, 2, 2, 2), padding='same', stride=2)",
     RuntimeError, "padding='same' is not supported for strided convolutions"),
    ("F.conv3d(T.zeros(1, 2, 3, 3, 3), T.zeros(1, 2, 2, 2, 2), padding='foo')", RuntimeError,
     "Invalid padding string: 'foo'"),
    ("F.conv3d(T.zeros(1, 2, 3, 3, 3, dtype=T.float64), T.zeros(1, 2, 2, 2, 2))", RuntimeError,
     "expected scalar type Double but found Float"),
    ("F.conv1d(T.zeros(1, 2, 3), T.zeros(1, 2, 2), T.zeros(1, dtype=T.float64))", RuntimeError,
     "Input type (float) and bias type (double) should be the same"),
    ("F.conv1d(T.zeros(1, 2, 3), T.zeros(1, 2, 2), padding=(1, 2))", RuntimeError,
     "expected padding to be a single integer value or a list of 1 values to match the "
     "convolution dimensions, but got padding=[1, 2]"),
    ("F.conv1d(T.zeros(1, 2, 3), T.zeros(1, 2, 2), stride=0)", RuntimeError,
     "non-positive stride is not supported"),
    ("F.conv1d(T.zeros(1, 2, 3), T.zeros(1, 2, 2), padding=-1)", RuntimeError,
     "negative padding is not supported"),
    ("F.conv1d(T.zeros(1, 2, 3), T.zeros(1, 2, 2), dilation=0)", RuntimeError,
     "dilation should be greater than zero, but got [1, 0]"),
    ("F.conv1d(T.zeros(1, 2, 3), T.zeros(1, 2, 2), groups=0)", RuntimeError,
     "non-positive groups is not supported"),
    ("F.conv1d(T.zeros(1, 2, 3), T.zeros(1, 2, 2, 2))", RuntimeError,
     "Expected 4-dimensional input for 4-dimensional weight [1, 2, 2, 2], but got 3-dimensional "
     "input of size [1, 2, 3] instead"),
    ("F.conv2d(T.zeros(1, 2, 3, 3), T.zeros(3, 2, 2, 2), T.zeros(2))", RuntimeError,
     "Given weight of size [3, 2, 2, 2], expected bias to be 1-dimensional with 3 elements, but "
     "got bias of size [2] instead"),
    ("F.conv_transpose1d(T.zeros(1, 2, 3), T.zeros(2, 2, 2), T.zeros(3))", RuntimeError,
     "Given transposed=1, weight of size [2, 2, 2], expected bias to be 1-dimensional with 2 "
     "elements, but got bias of size [3] instead"),
    ("F.conv2d(T.zeros(1, 2, 3, 3), T.zeros(3, 1, 2, 2), groups=2)", RuntimeError,
     "Given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of size "
     "[[3, 1, 2, 2]] instead"),
    ("nn.ConvTranspose3d(2, 3, 2, padding_mode='reflect')", ValueError,
     'Only "zeros" padding mode is supported for ConvTranspose3d'),
    ("nn.ConvTranspose1d(2, 3, 2, stride=2)(T.zeros(1, 2, 3), output_size=[1, 2, 3, 4])",
     ValueError, "ConvTranspose1D: for 3D input, output_size must have 1 or 3 elements (got 4)"),
    ("nn.ConvTranspose1d(2, 2, 2, stride=2)(T.zeros(1, 2, 3), output_size=[9])", ValueError,
     "requested an output size of [9], but valid sizes range from [6] to [7] (for an input of "
     "torch.Size([3]))"),
    ("nn.Conv3d(2, 3, 2, groups=2)", ValueError, "out_channels must be divisible by groups"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "exc", "msg"), ERRORS)
def test_errors(code: str, exc: type[Exception], msg: str) -> None:
    with pytest.raises(exc, match=re.escape(msg)):
        eval(code, {"F": F, "T": ndgrad, "nn": nn})


@requires_torch
@pytest.mark.parametrize(("code", "exc", "msg"), ERRORS)
def test_error_texts_are_torchs(code: str, exc: type[Exception], msg: str) -> None:
    with pytest.raises(exc, match=re.escape(msg)):
        eval(code, {"F": torch.nn.functional, "T": torch, "nn": torch.nn})
