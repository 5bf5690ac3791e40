"""Convolution (1-3 d, plain and transposed), normalisation, dropout, embedding bags and linear
cross entropy against PyTorch: values, gradients and node names in float64,
gradcheck/gradgradcheck, seeded init, reprs and errors."""

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


def I(values: Any) -> np.ndarray:  # noqa: E743
    return np.array(values, dtype=np.int64)


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
    ("instance_norm", lambda T, F, x: F.instance_norm(x), [U(2, 3, 4)], True),
    ("instance_norm_affine_2d", lambda T, F, x, w, b: F.instance_norm(x, weight=w, bias=b),
     [U(2, 3, 2, 3), U(3), U(3)], True),
    ("instance_norm_running_3d",
     lambda T, F, x, m, v: F.instance_norm(x, m, v, momentum=0.3, eps=1e-3),
     [U(2, 2, 2, 1, 3), C(U(2)), C(U(2, lo=0.5))], True),
    ("instance_norm_eval_stats",
     lambda T, F, x, m, v, w: F.instance_norm(x, m, v, w, use_input_stats=False),
     [U(2, 3, 4), C(U(3)), C(U(3, lo=0.5)), U(3)], True),
    ("torch_instance_norm",
     lambda T, F, x, w, b: T.instance_norm(x, w, b, None, None, True, 0.1, 1e-5, False),
     [U(1, 2, 5), U(2), U(2)], True),
    ("local_response_norm_3d", lambda T, F, x: F.local_response_norm(x, 2), [U(2, 5, 3)], True),
    ("local_response_norm_4d", lambda T, F, x: F.local_response_norm(x, 3, 0.5, 0.6, 2.0),
     [U(2, 4, 2, 3)], True),
    ("embedding_bag_sum", lambda T, F, i, o, w: F.embedding_bag(i, w, o, mode="sum"),
     [I([1, 2, 4, 5, 4, 3, 2, 9]), I([0, 4, 4]), U(10, 3)], True),
    ("embedding_bag_mean", lambda T, F, i, o, w: F.embedding_bag(i, w, o),
     [I([1, 2, 4, 5, 4, 3, 2, 9]), I([0, 1, 4]), U(10, 3)], True),
    ("embedding_bag_max", lambda T, F, i, o, w: F.embedding_bag(i, w, o, mode="max"),
     [I([1, 2, 4, 5, 4, 3, 2, 9]), I([0, 3, 3]), U(10, 3)], True),
    ("embedding_bag_2d", lambda T, F, i, w: F.embedding_bag(i, w), [I([[1, 2], [3, 1]]), U(5, 4)],
     True),
    ("embedding_bag_psw",
     lambda T, F, i, o, w, s: F.embedding_bag(i, w, o, mode="sum", per_sample_weights=s),
     [I([1, 2, 4, 5, 4]), I([0, 2]), U(6, 3), U(5)], True),
    ("embedding_bag_psw_2d_pad",
     lambda T, F, i, w, s: F.embedding_bag(i, w, mode="sum", per_sample_weights=s, padding_idx=2),
     [I([[1, 2, 4], [2, 0, 0]]), U(6, 3), U(2, 3)], True),
    ("embedding_bag_mean_pad_last",
     lambda T, F, i, o, w: F.embedding_bag(i, w, o, include_last_offset=True, padding_idx=-1),
     [I([1, 5, 4, 5, 0]), I([0, 2, 2, 5]), U(6, 2)], True),
    ("embedding_bag_max_pad", lambda T, F, i, w: F.embedding_bag(i, w, mode="max", padding_idx=0),
     [I([[1, 0], [0, 0], [3, 2]]), U(4, 3)], True),
    ("torch_embedding_bag",
     lambda T, F, w, i, o: T.embedding_bag(w, i, o, False, 1, False, None, False, None)[0],
     [U(6, 2), I([1, 5, 4, 5, 0]), I([0, 2, 2])], True),
    ("linear_cross_entropy", lambda T, F, x, w, t: F.linear_cross_entropy(x, w, t),
     [U(3, 4), U(5, 4), I([0, 4, 2])], True),
    ("linear_cross_entropy_kdim_bias_ls",
     lambda T, F, x, w, b, t: F.linear_cross_entropy(
         x, w, t, linear_bias=b, reduction="sum", label_smoothing=0.2, ignore_index=1),
     [U(2, 3), U(4, 2, 3), U(4, 2), I([[0, 1], [3, 2]])], True),
    ("linear_cross_entropy_unbatched_probs",
     lambda T, F, x, w, p: F.linear_cross_entropy(x, w, p, reduction="none"),
     [U(3), U(4, 3), C(np.array([0.1, 0.2, 0.3, 0.4]))], True),
    ("local_response_norm_5d", lambda T, F, x: F.local_response_norm(x, 4, 0.2, 1.1),
     [U(1, 6, 2, 1, 2)], True),
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
    ("Conv1d(2, 3, 3, padding=2, padding_mode='circular')", (2, 2, 5)),
    ("Conv2d(2, 2, (2, 3), padding='same', padding_mode='reflect')", (1, 2, 4, 5)),
    ("Conv3d(2, 2, 2, padding=(1, 0, 1), stride=2, padding_mode='replicate')", (1, 2, 3, 3, 4)),
    ("BatchNorm3d(3)", (2, 3, 2, 1, 2)),
    ("BatchNorm3d(3, momentum=None, affine=False)", (2, 3, 2, 2, 1)),
    ("InstanceNorm1d(3)", (2, 3, 4)),
    ("InstanceNorm1d(3, affine=True, track_running_stats=True)", (2, 3, 4)),
    ("InstanceNorm2d(2, momentum=None, track_running_stats=True)", (3, 2, 2, 3)),
    ("InstanceNorm2d(2, affine=True)", (2, 2, 3)),
    ("InstanceNorm3d(2, affine=True, bias=False, track_running_stats=True)", (2, 2, 1, 2, 3)),
    ("LocalResponseNorm(3)", (2, 4, 3)),
    ("EmbeddingBag(5, 3, padding_idx=1)", None),
    ("EmbeddingBag(5, 2, mode='max', max_norm=1.0)", None),
    ("LocalResponseNorm(2, alpha=0.3, beta=0.5, k=2.0)", (2, 4, 2, 2)),
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
    if shape is None:  # an embedding: integer input
        a = np.array([[0, 1, 3], [4, 1, 1]])
        x, tx = ndgrad.tensor(a), torch.tensor(a)
    else:
        a = np.random.default_rng(0).standard_normal(shape)
        x, tx = ndgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    for _ in range(2):  # twice: running statistics change in between
        y, ty = ours(x), theirs(tx)
        assert_close(y, ty, rtol=1e-10, atol=1e-12)
        assert y.grad_fn.name() == ty.grad_fn.name()
        w = np.random.default_rng(1).standard_normal(tuple(ty.shape))
        (y * ndgrad.tensor(w)).sum().backward()
        (ty * torch.tensor(w)).sum().backward()
        if shape is not None:
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
        (2, (1, 2, 3, 3), [1, 3, 7, 6]),
        (1, (1, 2, 3), [7]),
        (1, (2, 3), [3, 7]),
        (3, (1, 2, 2, 2, 2), [5, 4, 5]),
    ]:
        ours, theirs = _seeded_pair(f"ConvTranspose{dims}d(2, 3, 2, stride=2)")
        a = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
        assert_close(
            ours(ndgrad.tensor(a), size), theirs(torch.tensor(a), size), rtol=1e-6, atol=1e-6
        )


def test_conv_transpose_output_padding_at_least_the_stride() -> None:
    # output_padding 1 with stride 1 is allowed below dilation 2: the extra column is zero and
    # the input keeps its 3 windows, y[i + 2 j] += x[i] w[j]
    x = ndgrad.tensor([[[0.0, 1.0, 2.0]]], requires_grad=True)
    w = ndgrad.tensor([[[1.0, 10.0, 100.0]]])
    y = F.conv_transpose1d(x, w, dilation=2, output_padding=1)
    assert y.tolist() == [[[0.0, 1.0, 2.0, 10.0, 20.0, 100.0, 200.0, 0.0]]]
    (y * ndgrad.arange(8.0)).sum().backward()
    # dx[i] = sum_j w[j] g[i + 2 j] with g = 0..7
    assert x.grad.tolist() == [[[420.0, 531.0, 642.0]]]


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
    ("nn.ConvTranspose2d(2, 3, 2, padding_mode='circular')", ValueError,
     'Only "zeros" padding mode is supported for ConvTranspose2d'),
    ("nn.Conv2d(2, 3, 2, padding_mode='wrap')", ValueError, "padding_mode must be one of {"),
    ("F.instance_norm(T.zeros(2, 3, 1))", ValueError,
     "Expected more than 1 spatial element when training, got input size torch.Size([2, 3, 1])"),
    ("F.local_response_norm(T.zeros(2, 3), 2)", ValueError,
     "Expected 3D or higher dimensionality" + " " * 26 + "input (got 2 dimensions)"),
    ("nn.CrossMapLRN2d(3)(T.zeros(2, 3, 4))", ValueError,
     "CrossMapLRN2d: Expected input to be 4D, got 3D instead."),
    ("nn.BatchNorm3d(3)(T.zeros(2, 3, 4))", ValueError, "expected 5D input (got 3D input)"),
    ("F.conv2d(T.zeros(2, 4, 5, 5), T.zeros(0, 4, 3, 3))", RuntimeError,
     "Given groups=1, expected weight to be at least 1 at dimension 0, but got weight of size "
     "[0, 4, 3, 3] instead"),
    ("F.conv1d(T.zeros(2, 4, 5), T.zeros(1, 2, 3), groups=2)", RuntimeError,
     "Given groups=2, expected weight to be at least 2 at dimension 0, but got weight of size "
     "[1, 2, 3] instead"),
    ("nn.InstanceNorm1d(3)(T.zeros(2, 3, 4, 4))", ValueError,
     "expected 2D or 3D input (got 4D input)"),
    ("nn.InstanceNorm3d(3)(T.zeros(2, 3, 4))", ValueError,
     "expected 4D or 5D input (got 3D input)"),
    ("nn.InstanceNorm2d(3, affine=True)(T.zeros(2, 4, 4, 4))", ValueError,
     "expected input's size at dim=1 to match num_features (3), but got: 4."),
    ("F.dropout1d(T.zeros(2, 3, 4, 4))", RuntimeError,
     "dropout1d: Expected 2D or 3D input, but received a 4D input. Note that dropout1d exists to "
     "provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and "
     "an optional batch dimension (i.e. 2D or 3D inputs)."),
    ("F.dropout2d(T.zeros(2, 3), 1.5)", ValueError,
     "dropout probability has to be between 0 and 1, but got 1.5"),
    ("F.alpha_dropout(T.zeros(2, 3), -0.1)", ValueError,
     "dropout probability has to be between 0 and 1, but got -0.1"),
    ("nn.FeatureAlphaDropout(2)", ValueError,
     "dropout probability has to be between 0 and 1, but got 2"),
    ("T.feature_dropout(T.zeros(3), 0.5, True)", RuntimeError,
     "Feature dropout requires at least 2 dimensions in the input"),
    ("T.alpha_dropout(T.zeros(3), 1.5, True)", RuntimeError,
     "dropout probability has to be between 0 and 1, but got 1.5"),
    ("F.embedding_bag(T.tensor([[1, 2], [3, 4]]), T.zeros(5, 2), T.tensor([0]))", ValueError,
     "if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed "
     "length sequences. However, found offsets of type <class 'torch.Tensor'>"),
    ("F.embedding_bag(T.tensor([1, 2, 3]), T.zeros(5, 2))", ValueError,
     "offsets has to be a 1D Tensor but got None"),
    ("F.embedding_bag(T.tensor([1, 2, 3]), T.zeros(5, 2), T.tensor([[0]]))", ValueError,
     "offsets has to be a 1D Tensor"),
    ("F.embedding_bag(T.tensor([1, 2, 3]), T.zeros(5, 2), T.tensor([0, 1]), mode='max', "
     "per_sample_weights=T.ones(3))", NotImplementedError,
     "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for "
     "mode='sum' (got mode='max'). Please open a feature request on GitHub."),
    ("F.embedding_bag(T.tensor([1, 2, 3]), T.zeros(5, 2), T.tensor([0, 1]), mode='foo')",
     ValueError, "mode has to be one of sum, mean or max"),
    ("F.embedding_bag(T.tensor([1, 2, 3]), T.zeros(5, 2), T.tensor([0, 1]), mode='sum', "
     "per_sample_weights=T.ones(2))", ValueError,
     "embedding_bag: If per_sample_weights (torch.Size([2])) is not None, then it must have the "
     "same shape as the input (torch.Size([3]))"),
    ("F.embedding_bag(T.tensor([1, 2, 3]), T.zeros(5, 2), T.tensor([1, 2]))", RuntimeError,
     "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
     "position 0. However, got 1"),
    ("F.embedding_bag(T.tensor([1., 2]), T.zeros(5, 2), T.tensor([0, 1]))", RuntimeError,
     "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, "
     "Int; but got torch.FloatTensor instead (while checking arguments for embedding_bag)"),
    ("F.embedding_bag(T.tensor([1, 2, 3]), T.zeros(5, 2), T.tensor([0, 5]))", RuntimeError,
     "offsets[-1] can not be greater than input's length 3 but got offsets[-1] of 5"),
    ("F.embedding_bag(T.tensor([1, 2, 3]), T.zeros(5, 2), T.tensor([0, 1]), padding_idx=11)",
     RuntimeError, "padding_idx must be within the number of embeddings, -5 through 4, but got 11"),
    ("F.linear_cross_entropy(T.zeros(2, 3), T.zeros(4, 2), T.tensor([0, 1]))", RuntimeError,
     "expected equal input and linear_weight last dimensions (in_features), got 3 and 2, "
     "respectively"),
    ("F.linear_cross_entropy(T.zeros(1, 2, 3), T.zeros(4, 3), T.tensor([0]))", RuntimeError,
     "expected input with dimensionality 1 or 2, got 3"),
    ("F.linear_cross_entropy(T.zeros(3), T.zeros(4, 2, 3), T.tensor([0]))", RuntimeError,
     "K-dimensional loss defined by linear_weight shape (4, 2, 3) requires batched input, "
     "(N, 3), got unbatched input with shape (3,)"),
    ("F.linear_cross_entropy(T.zeros(2, 3), T.zeros(4, 3), T.zeros(2, 4), ignore_index=0)",
     RuntimeError, "ignore_index cannot be specified when target contains probabilities"),
    ("nn.LinearCrossEntropyLoss(3, 4, label_smoothing=2.0)", RuntimeError,
     "expected label_smoothing to be in range [0, 1], got 2.0"),
    ("T.dropout_(T.ones(3, requires_grad=True), 0.5, True)", RuntimeError,
     "a leaf Variable that requires grad is being used in an in-place operation."),
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


def test_instance_norm_running_stats_are_averaged_over_samples() -> None:
    x = U(4, 3, 5)
    rm, rv = ndgrad.zeros(3, dtype=ndgrad.float64), ndgrad.ones(3, dtype=ndgrad.float64)
    y = F.instance_norm(ndgrad.tensor(x), rm, rv, momentum=0.2)
    assert_close(rm, 0.2 * x.mean(2).mean(0))
    assert_close(rv, 0.8 + 0.2 * x.var(2, ddof=1).mean(0))
    mu, var = x.mean(2, keepdims=True), x.var(2, keepdims=True)
    assert_close(y, (x - mu) / np.sqrt(var + 1e-5))


def test_local_response_norm_values() -> None:
    x, size, a, b, k = U(2, 5, 3), 3, 0.4, 0.7, 1.5
    sq = np.pad(x * x, ((0, 0), (1, 1), (0, 0)))
    div = (k + a * (sq[:, :-2] + sq[:, 1:-1] + sq[:, 2:]) / size) ** b
    assert_close(F.local_response_norm(ndgrad.tensor(x), size, a, b, k), x / div)


def _cross_map(x: Any) -> Any:
    return nn.CrossMapLRN2d(3, alpha=0.3, beta=0.6, k=1.5)(x)


def test_cross_map_lrn2d_gradients() -> None:
    x = ndgrad.tensor(U(2, 4, 2, 2), requires_grad=True)
    assert gradcheck(_cross_map, [x])
    assert gradgradcheck(_cross_map, [x])


@requires_torch
@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
def test_cross_map_lrn2d_matches_torch(size: int) -> None:
    """Values and node; not gradients: PyTorch's legacy backward does not match its own forward
    (torch.autograd.gradcheck fails on it), ndgrad's is the forward's true derivative."""
    a = U(2, 6, 3, 2)
    ours = nn.CrossMapLRN2d(size, 0.3, 0.6, 1.5)(ndgrad.tensor(a, requires_grad=True))
    theirs = torch.nn.CrossMapLRN2d(size, 0.3, 0.6, 1.5)(torch.tensor(a, requires_grad=True))
    assert_close(ours, theirs, rtol=1e-12, atol=1e-14)
    assert ours.grad_fn.name() == theirs.grad_fn.name()
    x32 = U(1, 3, 2, 2).astype(np.float32)
    assert_close(_cross_map(ndgrad.tensor(x32)), _cross_map_torch(torch.tensor(x32)), 1e-6, 1e-7)


def _cross_map_torch(x: Any) -> Any:
    return torch.nn.CrossMapLRN2d(3, alpha=0.3, beta=0.6, k=1.5)(x)


# --- dropout: the same masks as PyTorch from the same seed ---------------------------------------
DROPOUTS = [
    ("dropout1d", lambda T, F, x: F.dropout1d(x, 0.4), (3, 5, 2)),
    ("dropout1d_unbatched", lambda T, F, x: F.dropout1d(x, 0.4), (6, 2)),
    ("dropout2d", lambda T, F, x: F.dropout2d(x, 0.3), (4, 5, 2, 2)),
    ("dropout3d", lambda T, F, x: F.dropout3d(x, 0.5), (2, 3, 2, 1, 2)),
    ("dropout3d_unbatched", lambda T, F, x: F.dropout3d(x, 0.5), (4, 1, 2, 2)),
    ("alpha_dropout", lambda T, F, x: F.alpha_dropout(x, 0.2, True), (30, 4)),
    ("feature_alpha_dropout", lambda T, F, x: F.feature_alpha_dropout(x, 0.3, True), (6, 4, 3)),
    ("alpha_dropout_p1", lambda T, F, x: F.alpha_dropout(x, 1.0, True), (3, 4)),
    ("alpha_dropout_eval", lambda T, F, x: F.alpha_dropout(x, 0.3) * 1, (3, 4)),
    ("dropout2d_inplace", lambda T, F, x: F.dropout2d(x * 1, 0.5, inplace=True), (4, 3, 2, 1)),
    ("alpha_dropout_inplace", lambda T, F, x: F.alpha_dropout(x * 1, 0.5, True, True), (9, 2)),
    ("torch_feature_dropout", lambda T, F, x: T.feature_dropout(x, 0.25, True), (5, 6)),
    ("torch_feature_dropout_", lambda T, F, x: T.feature_dropout_(x * 1, 0.25, True), (5, 6)),
    ("torch_alpha_dropout", lambda T, F, x: T.alpha_dropout(x, 0.25, True), (5, 6)),
    ("torch_alpha_dropout_", lambda T, F, x: T.alpha_dropout_(x * 1, 0.25, True), (5, 6)),
    ("torch_feature_alpha_dropout", lambda T, F, x: T.feature_alpha_dropout(x, 0.6, True),
     (5, 6, 2)),
    ("torch_feature_alpha_dropout_",
     lambda T, F, x: T.feature_alpha_dropout_(x * 1, 0.6, True), (5, 6, 2)),
    ("torch_dropout_", lambda T, F, x: T.dropout_(x * 1, 0.5, True), (5, 6)),
    ("module_dropout2d", lambda T, F, x: T.nn.Dropout2d(0.3)(x), (4, 5, 2, 2)),
    ("module_alpha_dropout", lambda T, F, x: T.nn.AlphaDropout(0.3)(x), (20, 3)),
]  # fmt: skip


@requires_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("name", "fn", "shape"), DROPOUTS, ids=[c[0] for c in DROPOUTS])
def test_dropout_matches_torch(name: str, fn: Any, shape: tuple[int, ...], dtype: str) -> None:
    a = np.random.default_rng(2).standard_normal(shape).astype(dtype)
    x, tx = ndgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    ndgrad.manual_seed(11)
    torch.manual_seed(11)
    y, ty = fn(ndgrad, F, x), fn(torch, torch.nn.functional, tx)
    tol = 1e-6 if dtype == "float32" else 1e-14
    assert_close(y, ty, rtol=tol, atol=tol)
    assert y.dtype.name == dtype
    assert y.grad_fn.name() == ty.grad_fn.name()
    w = np.random.default_rng(3).standard_normal(shape).astype(dtype)
    (y * ndgrad.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    assert_close(x.grad, tx.grad, rtol=tol, atol=tol)
    assert ndgrad.rand(3).tolist() == torch.rand(3).tolist()  # the streams stay in step


@pytest.mark.parametrize(("name", "fn", "shape"), DROPOUTS, ids=[c[0] for c in DROPOUTS])
def test_dropout_gradcheck(name: str, fn: Any, shape: tuple[int, ...]) -> None:
    x = ndgrad.tensor(np.random.default_rng(2).standard_normal(shape), requires_grad=True)

    def f(x: Any) -> Any:
        ndgrad.manual_seed(11)  # the same mask at every evaluation
        return fn(ndgrad, F, x)

    assert gradcheck(f, [x])
    assert gradgradcheck(f, [x])


def test_dropout_statistics_and_modes() -> None:
    x = ndgrad.ones(400, 50)
    y = F.dropout2d(x.reshape(400, 50, 1, 1), 0.25).reshape(400, 50).numpy()
    assert set(np.unique(y).tolist()) <= {0.0, float(np.float32(1) / np.float32(0.75))}
    assert 0.2 < float((y == 0).mean()) < 0.3
    z = F.alpha_dropout(ndgrad.randn(20000), 0.3, True).numpy()
    assert abs(z.mean()) < 0.05 and abs(z.std() - 1) < 0.05  # SELU's fixed point kept
    modules = [nn.Dropout1d(), nn.Dropout2d(), nn.Dropout3d(), nn.AlphaDropout()]
    for m, shape in zip(modules, [(2, 3, 4), (2, 3, 2, 2), (2, 3, 2, 2, 2), (3,)], strict=True):
        m.eval()
        t = ndgrad.randn(*shape)
        assert m(t) is t
    assert F.alpha_dropout(x, 0.5) is x  # training defaults to False
    assert F.feature_alpha_dropout(x, 0.5) is x


def test_dropout2d_warnings() -> None:
    with pytest.warns(UserWarning, match="dropout2d: Received a 3D input to dropout2d"):
        F.dropout2d(ndgrad.ones(2, 3, 4))
    with pytest.warns(UserWarning, match="dropout3d: Received a 2-D input to dropout3d"):
        F.dropout3d(ndgrad.ones(2, 3))


REPRS = [
    "nn.Conv3d(2, 4, 3, padding='same')",
    "nn.ConvTranspose1d(2, 4, 3, groups=2, dilation=2, bias=False)",
    "nn.ConvTranspose3d(2, 3, (1, 2, 3), stride=2, output_padding=1)",
    "nn.BatchNorm3d(3)",
    "nn.InstanceNorm1d(3, affine=True, track_running_stats=True)",
    "nn.InstanceNorm3d(3, momentum=None)",
    "nn.LocalResponseNorm(3)",
    "nn.LocalResponseNorm(2, alpha=0.5, beta=1, k=2)",
    "nn.CrossMapLRN2d(3)",
    "nn.Dropout1d()",
    "nn.Dropout2d(0.3, inplace=True)",
    "nn.Dropout3d(0.1)",
    "nn.AlphaDropout(0.2)",
    "nn.FeatureAlphaDropout()",
    "nn.EmbeddingBag(10, 3)",
    "nn.Conv1d(2, 3, 3, padding=1, padding_mode='circular')",
    "nn.Conv3d(2, 3, 3, padding='same', padding_mode='reflect', bias=False)",
    "nn.LinearCrossEntropyLoss(4, 3)",
    "nn.LinearCrossEntropyLoss(4, 3, out_features=(2,), bias=True, label_smoothing=0.1)",
    "nn.EmbeddingBag(10, 3, max_norm=1.0, norm_type=3, scale_grad_by_freq=True, mode='sum', "
    "padding_idx=0, include_last_offset=True)",
]


@requires_torch
@pytest.mark.parametrize("code", REPRS)
def test_repr_matches_torch(code: str) -> None:
    assert repr(eval(code, {"nn": nn})) == repr(eval(code, {"nn": torch.nn}))
    if "Norm" in code or "Loss" in code:
        assert list(eval(code, {"nn": nn}).state_dict()) == list(
            eval(code, {"nn": torch.nn}).state_dict()
        )


@requires_torch
def test_embedding_renorm_and_max_norm() -> None:
    w = np.random.default_rng(0).standard_normal((6, 3)) * 2
    idx = np.array([1, 4, 4, 0])
    ours, theirs = ndgrad.tensor(w), torch.tensor(w)
    ndgrad.embedding_renorm_(ours, ndgrad.tensor(idx), 1.5, 3.0)
    torch.embedding_renorm_(theirs, torch.tensor(idx), 1.5, 3.0)
    assert_close(ours, theirs, rtol=1e-12, atol=1e-14)
    assert ours._version == 1
    ours, theirs = ndgrad.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    y = F.embedding_bag(ndgrad.tensor(idx), ours, ndgrad.tensor([0, 2]), max_norm=1.0)
    ty = torch.nn.functional.embedding_bag(torch.tensor(idx), theirs, torch.tensor([0, 2]), 1.0)
    assert_close(y, ty, rtol=1e-12, atol=1e-14)
    assert_close(ours.detach(), theirs.detach(), rtol=1e-12, atol=1e-14)


@requires_torch
def test_embedding_bag_aux_outputs() -> None:
    w, i, o = ndgrad.randn(10, 3), ndgrad.tensor([1, 2, 4, 5, 4, 3, 2, 9]), ndgrad.tensor([0, 1, 1])
    t = [torch.tensor(v.numpy()) for v in (w, i, o)]
    for mode in (1, 2):
        ours = ndgrad.embedding_bag(w, i, o, False, mode, False, None)
        theirs = torch.embedding_bag(*t, False, mode, False, None)
        for a, b in zip(ours, theirs, strict=True):
            assert_close(a, b)


@requires_torch
def test_linear_cross_entropy_options() -> None:
    a, w, t = U(6, 4), U(5, 4), np.array([0, 4, 2, 1, 1, 3])
    for lib, fn in ((ndgrad, F), (torch, torch.nn.functional)):
        opts = lib.nn.LinearCrossEntropyOptions(batch_chunk_size=2)
        got = fn.linear_cross_entropy(lib.tensor(a), lib.tensor(w), lib.tensor(t), options=opts)
        ref = fn.linear_cross_entropy(lib.tensor(a), lib.tensor(w), lib.tensor(t))
        assert_close(got, ref, rtol=1e-12, atol=1e-12)  # chunking changes memory, not values
        msg = "linear_cross_entropy: ``options`` ignored; chunked path needs reduction in"
        with pytest.warns(UserWarning, match=re.escape(msg)):
            fn.linear_cross_entropy(
                lib.tensor(a), lib.tensor(w), lib.tensor(t), label_smoothing=0.1, options=opts
            )
    for kw, msg in [
        ({"acc_policy": "x"}, "invalid acc_policy: 'x'"),
        ({"chunking_method": "foo"}, "invalid chunking_method: 'foo'"),
        ({"batch_chunk_size": 0}, "batch_chunk_size must be positive int or None, got 0"),
    ]:
        for lib in (nn, torch.nn):
            with pytest.raises(ValueError, match=re.escape(msg)):
                lib.LinearCrossEntropyOptions(**kw)
    assert repr(nn.LinearCrossEntropyOptions()) == repr(torch.nn.LinearCrossEntropyOptions())


@requires_torch
def test_embedding_max_norm_matches_torch() -> None:
    w = np.random.default_rng(1).standard_normal((5, 3)) * 2
    idx = np.array([[0, 3], [3, 4]])
    ours, theirs = ndgrad.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    y = F.embedding(ndgrad.tensor(idx), ours, max_norm=1.2, norm_type=1.5)
    ty = torch.nn.functional.embedding(torch.tensor(idx), theirs, max_norm=1.2, norm_type=1.5)
    assert_close(y, ty, rtol=1e-12, atol=1e-14)
    assert_close(ours.detach(), theirs.detach(), rtol=1e-12, atol=1e-14)  # renormed in place
    y.sum().backward()
    ty.sum().backward()
    assert_close(ours.grad, theirs.grad)
    for kw in ({"max_norm": 1.0}, {"padding_idx": 1, "norm_type": 3.0, "sparse": True}):
        assert repr(nn.Embedding(5, 3, **kw)) == repr(torch.nn.Embedding(5, 3, **kw))


# The two layouts of convolution's products (nn/_conv.py: _channels_last for the input's
# gradient, _im2col_channels_last for the output and the weight's gradient) against each other
# and PyTorch: (conv function, x shape, w shape, keyword arguments), channels from fewer to more
# than the output columns.
LAYOUT_CASES = [
    ("conv1d", (2, 1, 9), (3, 1, 3), {"padding": 1}),
    ("conv1d", (2, 6, 5), (4, 3, 2), {"stride": 2, "dilation": 2, "groups": 2, "padding": 2}),
    ("conv2d", (3, 2, 6, 7), (4, 2, 3, 3), {"padding": 1}),
    ("conv2d", (2, 8, 4, 4), (6, 8, 3, 3), {"padding": 1}),
    ("conv2d", (2, 4, 7, 5), (4, 2, 2, 3), {"stride": (2, 1), "dilation": (1, 2), "groups": 2}),
    ("conv2d", (2, 4, 5, 5), (4, 1, 3, 3), {"groups": 4, "padding": "same"}),
    ("conv3d", (1, 5, 3, 4, 3), (2, 5, 2, 2, 2), {"padding": (1, 0, 1), "stride": (1, 2, 1)}),
    ("conv_transpose2d", (2, 3, 3, 4), (3, 5, 3, 2), {"stride": 2, "padding": 1}),
    ("conv_transpose1d", (1, 6, 4), (6, 1, 3), {"groups": 2, "dilation": 2}),
]


@pytest.mark.parametrize(("fn", "xs", "ws", "kw"), LAYOUT_CASES)
def test_conv_layouts_agree(
    fn: str, xs: tuple[int, ...], ws: tuple[int, ...], kw: dict[str, Any], monkeypatch: Any
) -> None:
    x0, w0, g0 = U(*xs), U(*ws), None
    results = []
    for last in (True, False):
        monkeypatch.setattr(_conv, "_channels_last", lambda w, geo, last=last: last)
        monkeypatch.setattr(_conv, "_im2col_channels_last", lambda x, geo, last=last: last)
        x = ndgrad.tensor(x0, requires_grad=True)
        w = ndgrad.tensor(w0, requires_grad=True)
        y = getattr(F, fn)(x, w, **kw)
        if g0 is None:
            g0 = U(*y.shape)
        gx, gw = ndgrad.autograd.grad(y, [x, w], ndgrad.tensor(g0))
        results.append((y, gx, gw))
        assert gradcheck(lambda a, b: getattr(F, fn)(a, b, **kw), [x, w])
        assert gradgradcheck(lambda a, b: getattr(F, fn)(a, b, **kw), [x, w])
    for a, b in zip(*results, strict=True):
        assert_close(a, b, rtol=1e-12, atol=1e-12)
    if torch is not None:
        tx = torch.tensor(x0, requires_grad=True)
        tw = torch.tensor(w0, requires_grad=True)
        ty = getattr(torch.nn.functional, fn)(tx, tw, **kw)
        expected = (ty, *torch.autograd.grad(ty, [tx, tw], torch.tensor(g0)))
        for a, b in zip(results[0], expected, strict=True):
            assert_close(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("last", [True, False])
@pytest.mark.parametrize(
    ("fn", "xs", "ws", "kw"),
    [
        ("conv2d", (0, 4, 5, 5), (3, 4, 3, 3), {"padding": 1}),
        ("conv1d", (0, 6, 5), (4, 3, 2), {"groups": 2}),
        ("conv_transpose2d", (0, 3, 3, 4), (3, 5, 3, 2), {"stride": 2}),
    ],
)
def test_conv_of_an_empty_batch(
    fn: str,
    xs: tuple[int, ...],
    ws: tuple[int, ...],
    kw: dict[str, Any],
    last: bool,
    monkeypatch: Any,
) -> None:
    """A batch of 0 gives an empty output and zero weight gradients, as in PyTorch, in both
    layouts of the products."""
    monkeypatch.setattr(_conv, "_channels_last", lambda w, geo: last)
    monkeypatch.setattr(_conv, "_im2col_channels_last", lambda x, geo: last)
    x = ndgrad.zeros(*xs, dtype=ndgrad.float64, requires_grad=True)
    w = ndgrad.tensor(U(*ws), requires_grad=True)
    y = getattr(F, fn)(x, w, **kw)
    y.sum().backward()
    assert x.grad is not None and w.grad is not None
    assert x.grad.shape == x.shape and not w.grad.numpy().any()
    if torch is not None:
        ty = getattr(torch.nn.functional, fn)(torch.zeros(*xs), torch.zeros(*ws), **kw)
        assert tuple(y.shape) == tuple(ty.shape)


def test_group_norm_with_one_channel_per_group_on_a_3d_input() -> None:
    # groups of one channel on (N, C, L) view x as its own shape: still normalised per sample
    # and channel, never over the batch as batch norm does
    rng = np.random.default_rng(5)
    x = ndgrad.tensor(rng.standard_normal((2, 2, 3)), requires_grad=True)
    w = ndgrad.tensor([1.5, -0.5], dtype=ndgrad.float64, requires_grad=True)
    g = rng.standard_normal((2, 2, 3))
    F.group_norm(x, 2, w).backward(ndgrad.tensor(g))
    a = x.detach().numpy()
    invstd = 1 / np.sqrt(a.var(axis=2, keepdims=True) + 1e-5)
    xhat = (a - a.mean(axis=2, keepdims=True)) * invstd
    gh = g * np.array([1.5, -0.5])[:, None]
    expected = (gh - gh.mean(2, keepdims=True) - xhat * (gh * xhat).mean(2, keepdims=True)) * invstd
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), (g * xhat).sum(axis=(0, 2)), rtol=1e-10)
    # one value per group: the output is the bias alone and x's gradient is 0
    x1 = ndgrad.tensor(rng.standard_normal((2, 2, 1)), requires_grad=True)
    F.group_norm(x1, 2, w).backward(ndgrad.ones(2, 2, 1))
    assert np.abs(x1.grad.numpy()).max() < 1e-12


@pytest.mark.parametrize(
    ("code", "exc", "msg"),
    [
        ("F.batch_norm(T.ones(2, 5), T.zeros(4), T.ones(4))", RuntimeError,
         "running_mean should contain 5 elements not 4"),
        ("F.batch_norm(T.ones(2, 3), T.zeros(3), T.ones(2))", RuntimeError,
         "running_var should contain 3 elements not 2"),
        ("F.batch_norm(T.ones(3, 2, 1, 2), None, None, T.ones(1), training=True)", RuntimeError,
         "weight should contain 2 elements not 1"),
        ("F.batch_norm(T.ones(3, 2), None, None, None, T.ones(3), training=True)", RuntimeError,
         "bias should contain 2 elements not 3"),
        ("F.group_norm(T.ones(2, 3), 1, T.ones(2))", RuntimeError,
         "Expected weight to be a vector of size equal to the number of channels in input, but "
         "got weight of shape [2] and input of shape [2, 3]"),
        ("F.group_norm(T.ones(2, 5), 2)", RuntimeError,
         "Expected number of channels in input to be divisible by num_groups, but got input of "
         "shape [2, 5] and num_groups=2"),
        ("F.layer_norm(T.ones(2, 3), [2, 2])", RuntimeError,
         "Given normalized_shape=[2, 2], expected input with shape [*, 2, 2], but got input of "
         "size[2, 3]"),
        ("F.rms_norm(T.ones(2, 3), [2, 2])", RuntimeError,
         "Given normalized_shape=[2, 2], expected input with shape [*2, 2], but got input of "
         "size[2, 3]"),
    ],
)  # fmt: skip
def test_norm_size_errors(code: str, exc: type[Exception], msg: str) -> None:
    # PyTorch 2.13's texts (its C++ prints sizes as [2, 3], and rms_norm's shape as [*2, 2])
    with pytest.raises(exc) as info:
        eval(code, {"F": F, "T": ndgrad})
    assert str(info.value) == msg
