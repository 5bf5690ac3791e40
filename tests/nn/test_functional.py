"""nn.functional against PyTorch (values and gradients, float64) plus gradcheck/gradgradcheck."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from tests.helpers import assert_close, assert_zero_signs, requires_torch, torch

import ndgrad
import ndgrad.nn
import ndgrad.nn.functional as F
from ndgrad.autograd import gradcheck, gradgradcheck

R = np.random.default_rng(1234)


@pytest.fixture(autouse=True)
def _no_default_device_mode() -> None:
    """torch.set_default_device (tests/breadth/test_tensor_api.py calls it) leaves a
    TorchFunctionMode on, and under any mode PyTorch 2.13's F.l1_loss drops its ``weight``."""
    if torch is not None:
        torch.set_default_device(None)


def U(*shape: int, lo: float = -2.0, hi: float = 2.0) -> np.ndarray:
    return R.uniform(lo, hi, size=shape)


class C:
    """An input given without requires_grad (e.g. a loss's class weights)."""

    def __init__(self, a: np.ndarray) -> None:
        self.a = a


def IDX(high: int, *shape: int) -> np.ndarray:
    return R.integers(0, high, size=shape).astype(np.int64)


def MASK(*shape: int) -> np.ndarray:
    """A boolean attention mask with the first key always visible (no fully masked rows)."""
    m = R.random(shape) < 0.6
    m[..., 0] = True
    return m


DEAD_ROW = np.ones((3, 4), dtype=bool)
DEAD_ROW[1] = False  # the second query may attend to nothing: PyTorch gives zeros there


# name, f(F, *tensors) using the library's functional module, input arrays, run gradgradcheck
# (the last field: True = gradcheck and gradgradcheck, False = gradcheck only, None = neither:
# the padding row of an embedding reaches the output but by design gets no gradient)
CASES: list[tuple[str, Callable[..., Any], list[Any], bool | None]] = [
    ("linear", lambda F, x, w, b: F.linear(x, w, b), [U(3, 4), U(2, 4), U(2)], True),
    ("linear_nobias_3d", lambda F, x, w: F.linear(x, w), [U(2, 3, 4), U(5, 4)], True),
    ("linear_1d", lambda F, x, w, b: F.linear(x, w, b), [U(4), U(2, 4), U(2)], True),
    ("linear_nobias", lambda F, x, w: F.linear(x, w), [U(3, 4), U(2, 4)], True),
    ("linear_nobias_1d", lambda F, x, w: F.linear(x, w), [U(4), U(2, 4)], True),
    ("linear_4d", lambda F, x, w, b: F.linear(x, w, b), [U(2, 1, 3, 4), U(2, 4), U(2)], True),
    (
        "bilinear",
        lambda F, a, b, w, c: F.bilinear(a, b, w, c),
        [U(3, 2), U(3, 4), U(5, 2, 4), U(5)],
        True,
    ),
    ("log_softmax", lambda F, x: F.log_softmax(x, 1), [U(3, 4)], True),
    ("log_softmax_d0", lambda F, x: F.log_softmax(x, 0), [U(3, 4, 2)], True),
    ("softmax", lambda F, x: F.softmax(x, -1), [U(3, 4)], True),
    ("leaky_relu", lambda F, x: F.leaky_relu(x, 0.2), [U(3, 4)], True),
    ("gelu", lambda F, x: F.gelu(x), [U(3, 4)], True),
    ("gelu_tanh", lambda F, x: F.gelu(x, approximate="tanh"), [U(3, 4)], True),
    ("elu", lambda F, x: F.elu(x, 0.7), [U(3, 4)], True),
    ("silu", lambda F, x: F.silu(x), [U(3, 4)], True),
    ("softplus", lambda F, x: F.softplus(x, 2.0, 3.0), [U(3, 4)], True),
    ("conv2d", lambda F, x, w, b: F.conv2d(x, w, b), [U(2, 3, 5, 5), U(4, 3, 3, 3), U(4)], True),
    (
        "conv2d_stride_pad_dil",
        lambda F, x, w: F.conv2d(x, w, None, 2, 1, 2),
        [U(1, 2, 7, 6), U(3, 2, 2, 3)],
        True,
    ),
    (
        "conv2d_same",
        lambda F, x, w: F.conv2d(x, w, padding="same", dilation=(1, 2)),
        [U(1, 2, 5, 5), U(2, 2, 3, 2)],
        True,
    ),
    (
        "conv2d_groups",
        lambda F, x, w, b: F.conv2d(x, w, b, groups=2, stride=(1, 2)),
        [U(2, 4, 4, 5), U(6, 2, 2, 2), U(6)],
        True,
    ),
    (
        "conv2d_unbatched",
        lambda F, x, w: F.conv2d(x, w, padding=(0, 1)),
        [U(2, 4, 4), U(3, 2, 3, 3)],
        False,
    ),
    (
        "conv1d",
        lambda F, x, w, b: F.conv1d(x, w, b, stride=2, padding=1),
        [U(2, 3, 7), U(4, 3, 3), U(4)],
        True,
    ),
    (
        "conv1d_same_groups",
        lambda F, x, w: F.conv1d(x, w, padding="same", groups=2),
        [U(1, 4, 6), U(2, 2, 3)],
        False,
    ),
    (
        "conv_transpose2d",
        lambda F, x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
        [U(2, 3, 3, 3), U(3, 2, 3, 3), U(2)],
        True,
    ),
    (
        "conv_transpose2d_groups_dil",
        lambda F, x, w: F.conv_transpose2d(x, w, groups=2, dilation=2),
        [U(1, 4, 3, 2), U(4, 1, 2, 2)],
        False,
    ),
    ("max_pool2d", lambda F, x: F.max_pool2d(x, 2), [U(2, 3, 4, 5)], True),
    (
        "max_pool2d_overlap",
        lambda F, x: F.max_pool2d(x, 3, stride=1, padding=1),
        [U(1, 2, 4, 4)],
        True,
    ),
    (
        "max_pool2d_ceil_dil",
        lambda F, x: F.max_pool2d(x, 2, stride=2, dilation=2, ceil_mode=True),
        [U(1, 2, 7, 6)],
        False,
    ),
    ("avg_pool2d", lambda F, x: F.avg_pool2d(x, 2), [U(2, 3, 4, 5)], True),
    ("avg_pool2d_pad", lambda F, x: F.avg_pool2d(x, 3, 2, 1), [U(1, 2, 5, 6)], True),
    (
        "avg_pool2d_nopad_ceil",
        lambda F, x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        [U(1, 2, 6, 5)],
        False,
    ),
    (
        "avg_pool2d_divisor",
        lambda F, x: F.avg_pool2d(x, 2, 1, divisor_override=3),
        [U(1, 1, 3, 3)],
        False,
    ),
    ("adaptive_avg_pool2d", lambda F, x: F.adaptive_avg_pool2d(x, (2, 3)), [U(2, 2, 5, 7)], True),
    ("adaptive_avg_pool2d_1", lambda F, x: F.adaptive_avg_pool2d(x, 1), [U(2, 3, 4, 4)], False),
    (
        "batch_norm_train",
        lambda F, x, w, b: F.batch_norm(x, None, None, w, b, True),
        [U(4, 3, 2, 2), U(3), U(3)],
        True,
    ),
    (
        "batch_norm_1d",
        lambda F, x: F.batch_norm(x, None, None, training=True, eps=1e-3),
        [U(5, 3)],
        True,
    ),
    (
        "batch_norm_eval",
        lambda F, x, m, v, w, b: F.batch_norm(x, m, v, w, b, False),
        [U(4, 3), C(U(3)), C(U(3, lo=0.5)), U(3), U(3)],
        True,
    ),
    (
        "layer_norm",
        lambda F, x, w, b: F.layer_norm(x, (3, 4), w, b),
        [U(2, 3, 4), U(3, 4), U(3, 4)],
        True,
    ),
    ("group_norm", lambda F, x, w, b: F.group_norm(x, 2, w, b), [U(2, 4, 3), U(4), U(4)], True),
    ("group_norm_4d_plain", lambda F, x: F.group_norm(x, 3), [U(2, 6, 2, 2)], True),
    (
        "group_norm_4d_affine",
        lambda F, x, w, b: F.group_norm(x, 3, w, b),
        [U(2, 6, 2, 2), U(6), U(6)],
        True,
    ),
    (
        "batch_norm_2d_affine",
        lambda F, x, w, b: F.batch_norm(x, None, None, w, b, True),
        [U(5, 3), U(3), U(3)],
        True,
    ),
    ("layer_norm_plain", lambda F, x: F.layer_norm(x, (4,)), [U(2, 3, 4)], True),
    ("layer_norm_weight", lambda F, x, w: F.layer_norm(x, (4,), w), [U(3, 4), U(4)], True),
    (
        "batch_norm_eval_plain",
        lambda F, x, m, v: F.batch_norm(x, m, v),
        [U(4, 3, 2), C(U(3)), C(U(3, lo=0.5))],
        True,
    ),
    ("embedding", lambda F, i, w: F.embedding(i, w), [IDX(5, 2, 3), U(5, 3)], True),
    (
        "embedding_pad",
        lambda F, i, w: F.embedding(i, w, padding_idx=1),
        [np.array([[1, 0, 1, 4]]), U(5, 3)],
        None,
    ),
    ("mse", lambda F, x, y: F.mse_loss(x, y), [U(3, 4), U(3, 4)], True),
    ("mse_sum", lambda F, x, y: F.mse_loss(x, y, reduction="sum"), [U(3, 4), U(3, 4)], True),
    ("mse_none", lambda F, x, y: F.mse_loss(x, y, reduction="none"), [U(3, 4), U(3, 4)], True),
    (
        "mse_weight",
        lambda F, x, y, w: F.mse_loss(x, y, weight=w),
        [U(3, 4), U(3, 4), U(3, 4)],
        True,
    ),
    ("l1_none", lambda F, x, y: F.l1_loss(x, y, reduction="none"), [U(3, 4), U(3, 4)], True),
    ("l1", lambda F, x, y: F.l1_loss(x, y), [U(3, 4), U(3, 4)], True),
    ("l1_weight", lambda F, x, y, w: F.l1_loss(x, y, weight=w), [U(3, 4), U(3, 4), U(3, 4)], True),
    (
        "smooth_l1_none",
        lambda F, x, y: F.smooth_l1_loss(x, y, reduction="none"),
        [U(5), U(5)],
        True,
    ),
    ("smooth_l1_beta0", lambda F, x, y: F.smooth_l1_loss(x, y, beta=0.0), [U(5), U(5)], True),
    (
        "huber_weight_mean",
        lambda F, x, y, w: F.huber_loss(x, y, weight=w),
        [U(3, 4), U(3, 4), U(3, 4)],
        True,
    ),
    ("smooth_l1", lambda F, x, y: F.smooth_l1_loss(x, y, beta=0.5), [U(3, 4), U(3, 4)], True),
    (
        "huber",
        lambda F, x, y: F.huber_loss(x, y, delta=0.7, reduction="sum"),
        [U(3, 4), U(3, 4)],
        True,
    ),
    ("nll", lambda F, x, t: F.nll_loss(x, t), [U(4, 3), IDX(3, 4)], True),
    (
        "nll_weight_ignore",
        lambda F, x, t, w: F.nll_loss(x, t, w, ignore_index=1),
        [U(5, 3), np.array([0, 1, 2, 2, 1]), C(U(3, lo=0.1))],
        True,
    ),
    (
        "nll_2d_none",
        lambda F, x, t: F.nll_loss(x, t, reduction="none"),
        [U(2, 3, 2, 2), IDX(3, 2, 2, 2)],
        True,
    ),
    ("nll_1d", lambda F, x, t: F.nll_loss(x, t), [U(3), np.array(1)], True),
    (
        "nll_3d_none",
        lambda F, x, t: F.nll_loss(x, t, reduction="none"),
        [U(2, 3, 2), IDX(3, 2, 2)],
        True,
    ),
    ("nll_3d", lambda F, x, t: F.nll_loss(x, t), [U(2, 3, 2), IDX(3, 2, 2)], True),
    (
        "nll_5d_none",
        lambda F, x, t: F.nll_loss(x, t, reduction="none"),
        [U(2, 3, 2, 1, 2), IDX(3, 2, 2, 1, 2)],
        True,
    ),
    ("cross_entropy", lambda F, x, t: F.cross_entropy(x, t), [U(4, 5), IDX(5, 4)], True),
    (
        "cross_entropy_sum",
        lambda F, x, t: F.cross_entropy(x, t, reduction="sum"),
        [U(4, 5), IDX(5, 4)],
        True,
    ),
    (
        "cross_entropy_ls_w_ign",
        lambda F, x, t, w: F.cross_entropy(x, t, w, ignore_index=0, label_smoothing=0.2),
        [U(6, 3), np.array([0, 1, 2, 1, 2, 0]), C(U(3, lo=0.1))],
        True,
    ),
    (
        "cross_entropy_ls_none",
        lambda F, x, t: F.cross_entropy(x, t, reduction="none", label_smoothing=0.1),
        [U(4, 3, 2), IDX(3, 4, 2)],
        True,
    ),
    (
        "cross_entropy_ls_sum",
        lambda F, x, t: F.cross_entropy(x, t, reduction="sum", label_smoothing=0.3),
        [U(4, 3), IDX(3, 4)],
        True,
    ),
    (
        "cross_entropy_probs",
        lambda F, x, p: F.cross_entropy(x, p),
        [U(4, 3), U(4, 3, lo=0, hi=1)],
        True,
    ),
    (
        "cross_entropy_probs_ls_w",
        lambda F, x, p, w: F.cross_entropy(x, p, w, label_smoothing=0.2),
        [U(4, 3, 2), U(4, 3, 2, lo=0, hi=1), C(U(3))],
        True,
    ),
    ("cross_entropy_1d", lambda F, x, t: F.cross_entropy(x, t), [U(4), np.array(2)], True),
    (
        "bce",
        lambda F, x, y: F.binary_cross_entropy(x, y),
        [U(3, 4, lo=0.05, hi=0.95), U(3, 4, lo=0, hi=1)],
        True,
    ),
    (
        "bce_weight_none",
        lambda F, x, y, w: F.binary_cross_entropy(x, y, w, reduction="none"),
        [U(3, 4, lo=0.05, hi=0.95), U(3, 4, lo=0, hi=1), C(U(4))],
        True,
    ),
    (
        "bce_logits",
        lambda F, x, y: F.binary_cross_entropy_with_logits(x, y),
        [U(3, 4, lo=-5, hi=5), U(3, 4, lo=0, hi=1)],
        True,
    ),
    (
        "bce_logits_none",
        lambda F, x, y: F.binary_cross_entropy_with_logits(x, y, reduction="none"),
        [U(3, 4, lo=-5, hi=5), U(3, 4, lo=0, hi=1)],
        True,
    ),
    (
        "bce_logits_pw",
        lambda F, x, y, w, p: F.binary_cross_entropy_with_logits(
            x, y, w, pos_weight=p, reduction="sum"
        ),
        [U(3, 4), U(3, 4, lo=0, hi=1), C(U(4)), C(U(4, lo=0.5))],
        True,
    ),
    (
        "kl_div",
        lambda F, x, y: F.kl_div(x, y, reduction="batchmean"),
        [U(3, 4), U(3, 4, lo=0.01, hi=1)],
        True,
    ),
    (
        "kl_div_log_target",
        lambda F, x, y: F.kl_div(x, y, reduction="sum", log_target=True),
        [U(3, 4), U(3, 4)],
        True,
    ),
]


CASES += [
    (
        "sdpa",
        lambda F, q, k, v: F.scaled_dot_product_attention(q, k, v),
        [U(2, 3, 4, 5), U(2, 3, 6, 5), U(2, 3, 6, 2)],
        True,
    ),
    (
        "sdpa_causal_scale",
        lambda F, q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.3),
        [U(2, 4, 3), U(2, 5, 3), U(2, 5, 3)],
        True,
    ),
    (
        "sdpa_bool_mask",
        lambda F, q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
        [U(2, 3, 5), U(2, 4, 5), U(2, 4, 3), MASK(3, 4)],
        True,
    ),
    (
        "sdpa_float_mask",
        lambda F, q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
        [U(1, 2, 3, 5), U(1, 2, 4, 5), U(1, 2, 4, 3), C(U(2, 3, 4))],
        True,
    ),
    (
        "sdpa_dead_row",
        lambda F, q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
        [U(2, 3, 5), U(2, 4, 5), U(2, 4, 3), DEAD_ROW],
        True,
    ),
    (
        "sdpa_2d",
        lambda F, q, k, v: F.scaled_dot_product_attention(q, k, v),
        [U(3, 4), U(5, 4), U(5, 2)],
        True,
    ),
    (
        "sdpa_gqa",
        lambda F, q, k, v: F.scaled_dot_product_attention(q, k, v, enable_gqa=True),
        [U(1, 4, 3, 2), U(1, 2, 3, 2), U(1, 2, 3, 2)],
        False,
    ),
]

CASES += [
    ("relu6", lambda F, x: F.relu6(x * 4), [U(3, 4)], True),
    ("hardtanh", lambda F, x: F.hardtanh(x, -0.5, 0.7), [U(3, 4)], True),
    ("hardshrink", lambda F, x: F.hardshrink(x, 0.3), [U(3, 4)], True),
    ("softshrink", lambda F, x: F.softshrink(x, 0.3), [U(3, 4)], True),
    ("threshold", lambda F, x: F.threshold(x, 0.1, 20.0), [U(3, 4)], True),
    ("celu", lambda F, x: F.celu(x, 0.7), [U(3, 4)], True),
    ("selu", lambda F, x: F.selu(x), [U(3, 4)], True),
    ("glu", lambda F, x: F.glu(x, 1), [U(3, 4, 2)], True),
    ("glu_last", lambda F, x: F.glu(x), [U(2, 6)], True),
    ("mish", lambda F, x: F.mish(x), [U(3, 4, lo=-4, hi=4)], True),
    ("hardswish", lambda F, x: F.hardswish(x), [U(3, 4, lo=-5, hi=5)], True),
    ("hardsigmoid", lambda F, x: F.hardsigmoid(x), [U(3, 4, lo=-5, hi=5)], True),
    ("logsigmoid", lambda F, x: F.logsigmoid(x), [U(3, 4, lo=-5, hi=5)], True),
    ("tanhshrink", lambda F, x: F.tanhshrink(x), [U(3, 4)], True),
    ("softsign", lambda F, x: F.softsign(x), [U(3, 4)], True),
    ("softmin", lambda F, x: F.softmin(x, 1), [U(3, 4)], True),
    ("prelu", lambda F, x, w: F.prelu(x, w), [U(2, 3, 4), U(3)], True),
    ("prelu_shared", lambda F, x, w: F.prelu(x, w), [U(2, 3), U(1)], True),
    ("rrelu_eval", lambda F, x: F.rrelu(x, 0.1, 0.3), [U(3, 4)], True),
    ("normalize", lambda F, x: F.normalize(x), [U(3, 4)], True),
    ("normalize_p1", lambda F, x: F.normalize(x, 1.0, 0), [U(3, 4)], True),
    ("cosine_similarity", lambda F, a, b: F.cosine_similarity(a, b), [U(3, 4), U(3, 4)], True),
    (
        "cosine_similarity_bcast",
        lambda F, a, b: F.cosine_similarity(a, b, -1),
        [U(2, 3, 4), U(3, 4)],
        True,
    ),
    ("pairwise_distance", lambda F, a, b: F.pairwise_distance(a, b), [U(3, 4), U(3, 4)], True),
    (
        "pairwise_distance_p3",
        lambda F, a, b: F.pairwise_distance(a, b, 3.0, keepdim=True),
        [U(3, 4), U(3, 4)],
        True,
    ),
    ("pdist", lambda F, x: F.pdist(x), [U(4, 3)], False),  # PyTorch: no double backward
]

CASES += [
    ("pad_constant", lambda F, x: F.pad(x, (1, 2), value=0.5), [U(2, 3)], True),
    ("pad_constant_crop", lambda F, x: F.pad(x, (-1, 2, 1, -1)), [U(2, 3, 4)], True),
    ("pad_reflect_1d", lambda F, x: F.pad(x, (2, 1), "reflect"), [U(2, 3, 4)], True),
    ("pad_reflect_2d", lambda F, x: F.pad(x, (1, 2, 2, 1), "reflect"), [U(1, 2, 3, 4)], True),
    ("pad_replicate_2d", lambda F, x: F.pad(x, (2, 0, 1, 3), "replicate"), [U(1, 2, 3, 4)], True),
    ("pad_replicate_3d", lambda F, x: F.pad(x, (1, 1, 1, 0, 0, 2), "replicate"), [U(1, 1, 2, 3, 2)],
     True),
    ("pad_circular_1d", lambda F, x: F.pad(x, (2, 3), "circular"), [U(2, 2, 4)], True),
    ("pad_circular_2d", lambda F, x: F.pad(x, (1, 1, 2, 0), "circular"), [U(1, 2, 3, 3)], True),
    ("rms_norm", lambda F, x, w: F.rms_norm(x, (4,), w), [U(2, 3, 4), U(4)], True),
    ("rms_norm_eps", lambda F, x: F.rms_norm(x, (3, 4), eps=1e-3), [U(2, 3, 4)], True),
]  # fmt: skip


def PM1(*shape: int) -> np.ndarray:
    return np.where(R.random(shape) < 0.5, -1.0, 1.0)


CASES += [
    (
        "margin_ranking",
        lambda F, a, b, y: F.margin_ranking_loss(a, b, y, 0.3),
        [U(5), U(5), C(PM1(5))],
        True,
    ),
    (
        "margin_ranking_none",
        lambda F, a, b, y: F.margin_ranking_loss(a, b, y, reduction="none"),
        [U(5), U(5), C(PM1(5))],
        True,
    ),
    (
        "hinge_embedding",
        lambda F, x, y: F.hinge_embedding_loss(x, y, 0.8),
        [U(3, 4), C(PM1(3, 4))],
        True,
    ),
    (
        "cosine_embedding",
        lambda F, a, b, y: F.cosine_embedding_loss(a, b, y, 0.2),
        [U(4, 3), U(4, 3), C(PM1(4))],
        True,
    ),
    (
        "cosine_embedding_1d",
        lambda F, a, b, y: F.cosine_embedding_loss(a, b, y, reduction="sum"),
        [U(3), U(3), C(np.array(-1.0))],
        True,
    ),
    (
        "triplet",
        lambda F, a, p, n: F.triplet_margin_loss(a, p, n, 0.5),
        [U(4, 3), U(4, 3), U(4, 3)],
        True,
    ),
    (
        "triplet_swap_p1",
        lambda F, a, p, n: F.triplet_margin_loss(a, p, n, 2.0, p=1, swap=True),
        [U(4, 3), U(4, 3), U(4, 3)],
        False,
    ),
    (
        "triplet_distance",
        lambda F, a, p, n: F.triplet_margin_with_distance_loss(
            a, p, n, distance_function=lambda x, y: 1 - F.cosine_similarity(x, y), margin=0.5
        ),
        [U(4, 3), U(4, 3), U(4, 3)],
        True,
    ),
    (
        "multilabel_soft_margin",
        lambda F, x, y: F.multilabel_soft_margin_loss(x, y),
        [U(3, 4), C((R.random((3, 4)) < 0.5).astype(float))],
        True,
    ),
    (
        "multilabel_soft_margin_w",
        lambda F, x, y, w: F.multilabel_soft_margin_loss(x, y, w, reduction="none"),
        [U(3, 4), C((R.random((3, 4)) < 0.5).astype(float)), C(U(4, lo=0.1))],
        True,
    ),
    ("soft_margin", lambda F, x, y: F.soft_margin_loss(x, y), [U(3, 4), C(PM1(3, 4))], True),
    (
        "soft_margin_sum",
        lambda F, x, y: F.soft_margin_loss(x, y, reduction="sum"),
        [U(5), C(U(5))],
        True,
    ),
    ("poisson_nll", lambda F, x, y: F.poisson_nll_loss(x, y), [U(3, 4), U(3, 4, lo=0, hi=4)], True),
    (
        "poisson_nll_full",
        lambda F, x, y: F.poisson_nll_loss(x, y, log_input=False, full=True),
        [U(3, 4, lo=0.5, hi=3), U(3, 4, lo=0, hi=4)],
        True,
    ),
    (
        "gaussian_nll",
        lambda F, x, y, v: F.gaussian_nll_loss(x, y, v),
        [U(3, 4), U(3, 4), U(3, 4, lo=0.1)],
        True,
    ),
    (
        "gaussian_nll_homo_full",
        lambda F, x, y, v: F.gaussian_nll_loss(x, y, v, full=True, reduction="sum"),
        [U(3, 4), U(3, 4), U(3, lo=0.1)],
        True,
    ),
]

# Cases whose recorded node still differs from PyTorch's (not yet fused into one Function).
# case -> PyTorch's node name() where ndgrad's differs. Circular padding records a CopySlices node
# as PyTorch does (printed as grad_fn=<CopySlices>), but PyTorch's name() of its C++ nodes carries
# the "torch::autograd::" prefix, which ndgrad's nodes do not yet.
NODE_PENDING = {
    "pad_circular_1d": "torch::autograd::CopySlices",
    "pad_circular_2d": "torch::autograd::CopySlices",
}


def _lib_inputs(lib: Any, arrays: list[np.ndarray]) -> list[Any]:
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


@requires_torch
@pytest.mark.parametrize(("name", "fn", "arrays", "_"), CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name: str, fn: Any, arrays: list[np.ndarray], _: bool) -> None:
    nd_in = _lib_inputs(ndgrad, arrays)
    th_in = _lib_inputs(torch, arrays)
    nd_out = fn(F, *nd_in)
    th_out = fn(torch.nn.functional, *th_in)
    assert_close(nd_out, th_out, rtol=1e-10, atol=1e-12)
    assert nd_out.dtype.name == str(th_out.dtype).replace("torch.", "")
    if name not in NODE_PENDING:
        assert nd_out.grad_fn.name() == th_out.grad_fn.name()
    w = np.random.default_rng(0).standard_normal(tuple(th_out.shape))
    (nd_out * ndgrad.tensor(w)).sum().backward()
    (th_out * torch.tensor(w)).sum().backward()
    for a, b in zip(nd_in, th_in, strict=True):
        if b.requires_grad:
            assert_close(a.grad, b.grad, rtol=1e-10, atol=1e-12)
            assert_zero_signs(a.grad, b.grad)


@pytest.mark.parametrize(("name", "fn", "arrays", "twice"), CASES, ids=[c[0] for c in CASES])
def test_gradcheck(name: str, fn: Any, arrays: list[np.ndarray], twice: bool | None) -> None:
    if twice is None:
        pytest.skip("not differentiable by design")
    inputs = _lib_inputs(ndgrad, arrays)

    def f(*xs: Any) -> Any:
        return fn(F, *xs)

    assert gradcheck(f, inputs)
    if twice:
        assert gradgradcheck(f, inputs)


@requires_torch
def test_max_pool_indices_match_torch() -> None:
    x = U(2, 2, 5, 6)
    y, i = F.max_pool2d(ndgrad.tensor(x), 3, 2, 1, return_indices=True)
    ty, ti = torch.nn.functional.max_pool2d(torch.tensor(x), 3, 2, 1, return_indices=True)
    assert_close(y, ty)
    assert np.array_equal(i.numpy(), ti.numpy())


def test_dropout() -> None:
    x = ndgrad.ones(1000, requires_grad=True)
    y = F.dropout(x, 0.25)
    assert set(y.detach().numpy().tolist()) <= {0.0, float(np.float32(1 / 0.75))}
    assert 0.15 < float((y == 0).sum()) / 1000 < 0.35
    y.sum().backward()
    assert_close(x.grad, y.detach())
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 1.0).abs().sum().item() == 0.0


def test_batch_norm_updates_running_stats() -> None:
    x = U(6, 3)
    rm, rv = ndgrad.zeros(3, dtype=ndgrad.float64), ndgrad.ones(3, dtype=ndgrad.float64)
    F.batch_norm(ndgrad.tensor(x), rm, rv, training=True, momentum=0.2)
    assert_close(rm, 0.2 * x.mean(0))
    assert_close(rv, 0.8 + 0.2 * x.var(0, ddof=1))


ERRORS = [
    ("F.linear(T.zeros(3, 3), T.zeros(2, 2))", RuntimeError,
     "mat1 and mat2 shapes cannot be multiplied (3x3 and 2x2)"),
    ("F.linear(T.zeros(3, 2, dtype=T.float64), T.zeros(2, 2))", RuntimeError,
     "expected m1 and m2 to have the same dtype, but got: double != float"),
    ("F.linear(T.zeros(3, 2, dtype=T.float64), T.zeros(2, 2), T.zeros(2))", RuntimeError,
     "mat1 and mat2 must have the same dtype, but got Double and Float"),
    ("T.nn.Linear(2, 2)(T.zeros(3, 2, dtype=T.float64))", RuntimeError,
     "mat1 and mat2 must have the same dtype, but got Double and Float"),
    ("T.nn.Linear(2, 2, bias=False)(T.zeros(2, dtype=T.float64))", RuntimeError,
     "expected m1 and m2 to have the same dtype, but got: double != float"),
    ("F.nll_loss(T.zeros(2, 3), T.tensor([0, 3]))", IndexError, "Target 3 is out of bounds."),
    ("F.cross_entropy(T.zeros(2, 3), T.tensor([0, 1, 2]))", ValueError,
     "Expected input batch_size (2) to match target batch_size (3)."),
    ("F.binary_cross_entropy(T.ones(2) * 2, T.ones(2))", RuntimeError,
     "all elements of input should be between 0 and 1"),
    ("F.binary_cross_entropy(T.ones(2, 1) / 2, T.ones(2))", ValueError,
     "Using a target size (torch.Size([2])) that is different to the input size "
     "(torch.Size([2, 1])) is deprecated. Please ensure they have the same size."),
    ("F.binary_cross_entropy_with_logits(T.ones(2, 1), T.ones(2))", ValueError,
     "Target size (torch.Size([2])) must be the same as input size (torch.Size([2, 1]))"),
    ("F.conv2d(T.zeros(1, 3, 4, 4), T.zeros(2, 2, 3, 3))", RuntimeError,
     "Given groups=1, weight of size [2, 2, 3, 3], expected input[1, 3, 4, 4] to have 2 "
     "channels, but got 3 channels instead"),
    ("F.conv2d(T.zeros(1, 1, 2, 2), T.zeros(1, 1, 3, 3))", RuntimeError,
     "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size "
     "can't be greater than actual input size"),
    ("F.max_pool2d(T.zeros(1, 1, 4, 4), 2, padding=2)", RuntimeError,
     "pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and "
     "dilation=1"),
    ("F.embedding(T.tensor([5]), T.zeros(5, 2))", IndexError, "index out of range in self"),
    ("F.embedding(T.tensor([-1]), T.zeros(5, 2))", IndexError, "index out of range in self"),
    ("F.mse_loss(T.zeros(2), T.zeros(2), weight=T.ones(1))", ValueError,
     "Weights and input must have the same size."),
    ("F.huber_loss(T.zeros(2), T.zeros(2), reduction='avg')", ValueError,
     "avg is not a valid value for reduction"),
    ("F.smooth_l1_loss(T.zeros(2), T.zeros(2), beta=-1.0)", RuntimeError,
     "smooth_l1_loss does not support negative values for beta."),
    ("F.pad(T.zeros(2, 3, 4), (5, 5), mode='reflect')", RuntimeError,
     "Argument #4: Padding size should be less than the corresponding input dimension, but got: "
     "padding (5, 5) at dimension 2 of input [2, 3, 4]"),
    ("F.pad(T.zeros(2, 3, 4), (1,))", RuntimeError, "Padding length must be divisible by 2"),
    ("F.pad(T.zeros(2, 3, 4), (1, 1), mode='foo')", NotImplementedError,
     "Unrecognised padding mode foo"),
    ("F.soft_margin_loss(T.zeros(2), T.zeros(2, requires_grad=True))", RuntimeError,
     "The function 'soft_margin_loss' is not differentiable with respect to argument 'target'."),
    ("F.gaussian_nll_loss(T.zeros(2, 3), T.zeros(2, 3), T.ones(3))", ValueError,
     "var is of incorrect size"),
    ("F.gaussian_nll_loss(T.zeros(2), T.zeros(2), -T.ones(2))", ValueError,
     "var has negative entry/entries"),
    ("F.triplet_margin_loss(T.zeros(2), T.zeros(2), T.zeros(2), margin=0.0)", ValueError,
     "margin must be greater than 0, got 0.0"),
    ("F.mse_loss(T.zeros(2), T.zeros(2), reduction='avg')", ValueError,
     "avg is not a valid value for reduction"),
    ("F.dropout(T.zeros(2), 1.5)", ValueError,
     "dropout probability has to be between 0 and 1, but got 1.5"),
    ("F.batch_norm(T.zeros(1, 3), None, None, training=True)", ValueError,
     "Expected more than 1 value per channel when training, got input size torch.Size([1, 3])"),
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


def test_size_warning() -> None:
    with pytest.warns(UserWarning, match=re.escape("Using a target size (torch.Size([3]))")):
        F.mse_loss(ndgrad.zeros(3, 1), ndgrad.zeros(3))


def test_all_targets_ignored_gives_nan_quietly() -> None:
    x = ndgrad.zeros(2, 3, requires_grad=True)
    t = ndgrad.tensor([-100, -100])
    assert np.isnan(F.cross_entropy(x, t).item())
    assert np.isnan(F.cross_entropy(x, t, label_smoothing=0.1).item())


def test_class_weights_follow_the_input_dtype() -> None:
    w = ndgrad.tensor([1.0, 2.0, 3.0], dtype=ndgrad.float64)
    loss = F.cross_entropy(ndgrad.zeros(2, 3), ndgrad.tensor([1, 2]), w, reduction="none")
    assert loss.dtype == ndgrad.float32


@requires_torch
@pytest.mark.parametrize("padding_idx", [None, 0, 1])
def test_embedding_scale_grad_by_freq_matches_torch(padding_idx):
    """Each looked-up row's gradient divided by how often its index occurs (PyTorch's
    heuristic, not a derivative: so no gradcheck), and its backward with respect to the
    incoming gradient (what create_graph differentiates)."""
    idx = np.array([[1, 2, 1], [3, 1, 0]])
    rng = np.random.default_rng(0)
    w0, g0, v0 = (
        rng.standard_normal((5, 3)),
        rng.standard_normal((2, 3, 3)),
        rng.standard_normal((5, 3)),
    )
    results = []
    for lib in (ndgrad, torch):
        w = lib.tensor(w0, requires_grad=True)
        g = lib.tensor(g0, requires_grad=True)
        y = lib.nn.functional.embedding(
            lib.tensor(idx), w, padding_idx=padding_idx, scale_grad_by_freq=True
        )
        (gw,) = lib.autograd.grad(y, w, g, create_graph=True)
        (gg,) = lib.autograd.grad((gw * lib.tensor(v0)).sum(), g)
        results.append((gw.detach().numpy(), gg.numpy()))
    for nd, th in zip(results[0], results[1], strict=True):
        np.testing.assert_allclose(nd, th, rtol=1e-12, atol=1e-15)
    layer = ndgrad.nn.Embedding(5, 3, scale_grad_by_freq=True)
    assert repr(layer) == "Embedding(5, 3, scale_grad_by_freq=True)"
