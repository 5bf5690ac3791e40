"""More losses as functions, exported through ``ndgrad.nn.functional``.

soft_margin_loss is one Function (PyTorch has a kernel and a SoftMarginLossBackward0 node); the
others PyTorch composes from elementary ops, and so do these, in the same order.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .._creation import full_like
from .._errors import broadcast_mismatch
from .._tensor import Tensor
from ..autograd.grad_mode import is_grad_enabled
from ..ops.arithmetic import NumpyFunction, add_scalar, where
from ._activations import logsigmoid, pairwise_distance
from ._reduction import _check_reduction, _legacy_reduction, _reduce, _reduce_array, _spread

__all__ = [
    "cosine_embedding_loss",
    "gaussian_nll_loss",
    "hinge_embedding_loss",
    "margin_ranking_loss",
    "multilabel_soft_margin_loss",
    "poisson_nll_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
]


def _const(array: Any) -> Tensor:
    return Tensor._make(np.asarray(array))


def _reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    return _check_reduction(_legacy_reduction(size_average, reduce, reduction))


def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """ℓ = max(0, -y (x1 - x2) + margin)"""
    reduction = _reduction(size_average, reduce, reduction)
    if not (input1.ndim == input2.ndim == target.ndim):
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} "
        )
    # The margin is added as a number (add.Scalar: AddBackward1), as PyTorch's C++ adds it.
    return _reduce(add_scalar(-target * (input1 - input2), margin).clamp_min(0), reduction)


def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """ℓ = x where y = 1, max(0, margin - x) where y = -1"""
    reduction = _reduction(size_average, reduce, reduction)
    try:  # PyTorch's where(target != 1, ...) broadcasts the target with the input
        np.broadcast_shapes(tuple(target.shape), tuple(input.shape))
    except ValueError:
        raise broadcast_mismatch(tuple(target.shape), tuple(input.shape)) from None
    zero = input * 0
    margin_clamp = (margin - input).clamp_min(0)
    output_margin = where(target != 1, margin_clamp, zero)
    output_self = where(target != -1, input, zero)
    return _reduce(output_margin + output_self, reduction)


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """ℓ = 1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1"""
    reduction = _reduction(size_average, reduce, reduction)
    dim = input1.ndim - 1
    eps = 1e-12
    prod_sum = (input1 * input2).sum(dim)
    mag_square1 = (input1 * input1).sum(dim) + eps
    mag_square2 = (input2 * input2).sum(dim) + eps
    cos = prod_sum / (mag_square1 * mag_square2).sqrt()
    zero = cos * 0
    pos = where(target == 1, 1 - cos, zero)
    neg = where(target == -1, (cos - margin).clamp_min(0), zero)
    return _reduce(pos + neg, reduction)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """ℓ = max(0, d(a, p) - d(a, n) + margin), d the p-norm distance (swap: min with d(p, n))"""
    reduction = _reduction(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and "
            f"negative {negative.ndim}D inputs"
        )
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = d_neg.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """ℓ = max(0, d(a, p) - d(a, n) + margin) with any distance d"""
    _reduction(None, None, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    d = distance_function if distance_function is not None else pairwise_distance
    d_pos, d_neg = d(anchor, positive), d(anchor, negative)
    if swap:
        d_neg = d_neg.minimum(d(positive, negative))
    return _reduce((d_pos - d_neg + margin).clamp_min(0), reduction)


def multilabel_soft_margin_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """ℓ = -mean_c [y log σ(x) + (1 - y) log σ(-x)] (times weight)"""
    reduction = _reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    return _reduce(loss, reduction)


class SoftMarginLoss(NumpyFunction):
    """ℓ = log(1 + e^(-y x)); dℓ/dx = -y σ(-y x) (the target gets no gradient, as in PyTorch)"""

    _listed_inputs = (0,)  # not the target

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, reduction: str) -> np.ndarray:
        ctx.save_for_backward(x, y)
        ctx.reduction = reduction
        loss = np.logaddexp(0, -y * x).astype(x.dtype, copy=False)
        ctx.count = loss.size
        return _reduce_array(loss, reduction)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, y = ctx.saved_tensors
        g = _spread(ctx, grad) * (-(y * x)).sigmoid()
        return -g * y, None, None


def soft_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """ℓ = log(1 + exp(-y x))"""
    if target.requires_grad and is_grad_enabled():
        raise RuntimeError(
            "The function 'soft_margin_loss' is not differentiable with respect to argument "
            "'target'. This input cannot have requires_grad True."
        )
    try:  # PyTorch's kernel writes into an output of the input's shape
        shape = np.broadcast_shapes(tuple(input.shape), tuple(target.shape))
    except ValueError:
        raise broadcast_mismatch(tuple(input.shape), tuple(target.shape)) from None
    if shape != tuple(input.shape):
        raise RuntimeError(
            f"output with shape {list(input.shape)} doesn't match the broadcast shape {list(shape)}"
        )
    return SoftMarginLoss.apply(input, target, _reduction(size_average, reduce, reduction))


def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average: Any = None,
    eps: float = 1e-8,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """ℓ = eˣ - y x (log_input) or x - y log(x + eps), plus Stirling's term for y > 1 (full)"""
    reduction = _reduction(size_average, reduce, reduction)
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        t = target
        stirling = t * t.log() - t + 0.5 * (2 * math.pi * t).log()
        loss = loss + stirling.masked_fill(t <= 1, 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var: Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """ℓ = (log max(var, eps) + (x - y)² / max(var, eps)) / 2 (+ log(2π)/2 with full)"""
    if not isinstance(var, Tensor):
        var = full_like(input, float(var))
    v: Tensor = var
    if v.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(v.shape):
            v = v.unsqueeze(-1)
        elif tuple(input.shape[:-1]) == tuple(v.shape[:-1]) and v.shape[-1] == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(reduction + " is not valid")
    if bool((v._data < 0).any()):
        raise ValueError("var has negative entry/entries")
    # PyTorch clamps a copy of var in place under no_grad: the clamp passes gradients unchanged
    v = v + _const(np.maximum(v._data, eps) - v._data)
    loss = 0.5 * (v.log() + (input - target) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
