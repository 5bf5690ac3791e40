"""nll_loss and cross_entropy, exported through ``ndgrad.nn.functional``; ``linear_cross_entropy``
builds on them. cross_entropy is PyTorch's composition: log_softmax then nll_loss for class
indices, the weighted sum of -q log p for class probabilities. nll_loss is one Function under
PyTorch's node names."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from ..autograd.grad_mode import is_grad_enabled
from ..ops.arithmetic import DivScalar, MulScalar, NumpyFunction, where
from ._activations import log_softmax
from ._linear import _dtype_letter
from ._reduction import _legacy_reduction

__all__ = ["cross_entropy", "nll_loss"]


def _const(array: Any) -> Tensor:
    return Tensor._make(np.asarray(array))


class NllLoss(NumpyFunction):
    """ℓₙ = -w[tₙ] x[n, tₙ] (0 where tₙ = ignore_index); mean divides by Σ w[tₙ]

    A 1-d x is one sample (its target 0-d or of one element). The node saves x, the target and
    the weight, as PyTorch's NllLossBackward0 does: a write into one of them before backward is
    reported (in that order), and backward frees them (a second backward raises). PyTorch's
    node lists x alone among its inputs."""

    _listed_inputs = (0,)

    @staticmethod
    def forward(
        ctx: Any,
        x: np.ndarray,
        target: np.ndarray,
        weight: np.ndarray | None,
        ignore_index: int,
        reduction: str,
    ) -> np.ndarray:
        ctx.save_for_backward(x, target, weight)
        ctx.shape = x.shape
        # PyTorch's forward takes a 1-d x with a target of one element, its backward does not
        ctx.refused = x.ndim == 1 and target.ndim == 1
        if x.ndim == 1:
            x, target = x[None], target.reshape(1)
        c = x.shape[1]
        valid = target != ignore_index
        safe = np.where(valid, target, 0)
        if np.any((safe < 0) | (safe >= c)):
            bad = safe[(safe < 0) | (safe >= c)].flat[0]
            raise IndexError(f"Target {bad} is out of bounds.")
        w = valid.astype(x.dtype) if weight is None else weight[safe].astype(x.dtype) * valid
        picked = np.take_along_axis(x, np.expand_dims(safe, 1), axis=1).squeeze(1)
        losses = -w * picked
        scale = w
        if reduction == "mean":
            total = w.sum()
            with np.errstate(divide="ignore", invalid="ignore"):  # all ignored: nan, as PyTorch
                out = np.asarray(losses.sum() / total, dtype=x.dtype)
                scale = w / total
        elif reduction == "sum":
            out = np.asarray(losses.sum(), dtype=x.dtype)
        else:
            out = losses.reshape(()) if len(ctx.shape) == 1 else losses
        ctx.safe, ctx.scale, ctx.reduction, ctx.work_shape = safe, scale, reduction, x.shape
        ctx.valid = valid
        return out

    # The gradient is -scale · g at each sample's target class and +0 everywhere else, an
    # ignored sample's row included (PyTorch writes into zeros; a product with a mask of zeros
    # would leave -0 where g is positive).

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        ctx.saved_arrays  # noqa: B018  (checks the versions; raises once backward freed them)
        _check_backward_sizes(ctx)
        coef = np.zeros(ctx.work_shape, dtype=grad._data.dtype)
        at = np.expand_dims(ctx.safe, 1)
        np.put_along_axis(coef, at, -np.expand_dims(ctx.scale, 1), axis=1)
        picked = np.zeros(ctx.work_shape, dtype=bool)
        np.put_along_axis(picked, at, np.expand_dims(ctx.valid, 1), axis=1)
        if len(ctx.shape) == 1:  # one sample: the work arrays have a batch dim of 1
            coef, picked = coef.reshape(ctx.shape), picked.reshape(ctx.shape)
            g = grad
        else:
            g = grad.unsqueeze(1) if ctx.reduction == "none" else grad
        return where(_const(picked), g * _const(coef), 0.0), None, None, None, None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        ctx.saved_arrays  # noqa: B018
        _check_backward_sizes(ctx)
        g = grad.reshape(1, 1) if grad.ndim == 0 else grad
        g = np.expand_dims(g, 1) if ctx.reduction == "none" and grad.ndim else g
        picked = -np.expand_dims(ctx.scale, 1) * g
        picked = np.where(np.expand_dims(ctx.valid, 1), picked, picked.dtype.type(0))
        out = np.zeros(ctx.work_shape, dtype=grad.dtype)
        np.put_along_axis(out, np.expand_dims(ctx.safe, 1), picked, axis=1)
        return out.reshape(ctx.shape), None, None, None, None


def _check_backward_sizes(ctx: Any) -> None:
    """nll_loss_backward's check: a 1-d input goes with a 0-d target only (its forward also
    takes a target of one element, F.nll_loss's and F.cross_entropy's 1-d case)."""
    if ctx.refused:
        raise RuntimeError(f"size mismatch (got input: {list(ctx.shape)}, target: [1])")


class NllLoss2D(NllLoss):
    node_name = "NllLoss2DBackward0"


def _nll_fn(ndim: int) -> type[NllLoss]:
    return NllLoss if ndim < 3 else NllLoss2D


def _check_target_dtype(target: Tensor) -> None:
    if target._data.dtype not in (np.int64, np.uint8):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {_dtype_letter(target)}"
        )


def _check_nll_target(input: Tensor, target: Tensor) -> None:
    """PyTorch's checks of nll_loss's arguments, in its order"""
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    target_batch = target.shape[0] if target.ndim else 0  # PyTorch reports 0 for a 0-d target
    if input.ndim != 1 and input.shape[0] != target_batch:
        raise ValueError(
            f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
            f"({target_batch})."
        )
    if input.ndim <= 2:
        if target.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        _check_target_dtype(target)
        if input.ndim == 1 and target.ndim == 1 and target.shape[0] != 1:
            raise ValueError(
                f"For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}"
            )
        return
    expected = [input.shape[0], *input.shape[2:]]
    if input.ndim == 4:  # PyTorch's nll_loss2d checks the dtype first
        _check_target_dtype(target)
        if list(target.shape) != expected:
            raise RuntimeError(
                f"size mismatch (got input: {list(input.shape)} , target: {list(target.shape)}"
            )
        return
    if list(target.shape) != expected:
        raise RuntimeError(f"Expected target size {expected}, got {list(target.shape)}")
    _check_target_dtype(target)


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """ℓₙ = -weight[tₙ] · input[n, tₙ], over class dim 1"""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    _check_nll_target(input, target)
    ndim = input.ndim
    if weight is not None and weight.requires_grad and is_grad_enabled():
        kernel = "nll_loss_forward" if ndim <= 2 else "nll_loss2d_forward"
        raise RuntimeError(
            f"The function '{kernel}' is not differentiable with respect to argument 'weight'. "
            "This input cannot have requires_grad True."
        )
    classes = input.shape[0 if ndim == 1 else 1]
    if weight is not None and tuple(weight.shape) != (classes,):
        raise RuntimeError(
            f"weight tensor should be defined either for all {classes} classes or no "
            f"classes but got weight tensor of shape: {list(weight.shape)}"
        )
    out_shape = None
    if ndim == 3 or ndim > 4:  # PyTorch's nll_loss_nd: as (N, C, 1, -1) views, nll_loss2d
        n, c = input.shape[0], input.shape[1]
        out_shape = (n, *input.shape[2:])
        empty = input._data.size == 0
        input = input.contiguous().view(n, c, *((0, 0) if empty else (1, -1)))
        empty = target._data.size == 0
        target = target.contiguous().view(n, *((0, 0) if empty else (1, -1)))
    out = _nll_fn(ndim).apply(input, target, weight, ignore_index, reduction)
    return out.view(out_shape) if out_shape is not None and reduction == "none" else out


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """ℓ = -Σ_c q_c log softmax(x)_c, with q the (smoothed) target class or distribution"""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input.ndim == 1 else 1
    logp = log_softmax(input, class_dim)
    c = input.shape[class_dim]
    wview = None
    if weight is not None:
        wview = weight.reshape(-1, *([1] * (input.ndim - class_dim - 1)))
    if target.shape == input.shape:  # class probabilities, as PyTorch decides it: by shape
        if not target.is_floating_point():
            raise RuntimeError(
                "Expected floating point type for target with class probabilities, got "
                f"{_dtype_letter(target)}"
            )
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        q = target * (1 - label_smoothing) + label_smoothing / c if label_smoothing else target
        terms = logp * q if wview is None else logp * q * wview
        if reduction == "mean":  # PyTorch's -Σ / n, a division by a number (DivBackward1)
            n = input._data.size // c if input.ndim > 1 else 1
            return DivScalar.apply(-terms.sum(), float(n))
        if reduction == "sum":
            return -terms.sum()
        return -terms.sum(class_dim)
    nll = nll_loss(logp, target, weight, None, ignore_index, None, reduction)
    if not label_smoothing:
        return nll
    # PyTorch's composite (cross_entropy_loss_label_smoothing): the ignored terms are filled
    # with 0 (so their gradient is 0, even when the mean divides by 0 and its gradient is inf),
    # and the mean divides by a tensor: the count, or the weights, of the terms kept
    valid = target._data != ignore_index
    smooth = -(logp if wview is None else logp * wview).sum(class_dim)
    smooth = smooth.masked_fill_(_const(~valid), 0.0)
    if reduction == "mean":
        if weight is None:
            denom = _const(np.asarray(valid.sum(), dtype=np.int64))
        else:
            denom = _const(weight._data[target._data[valid]].sum())
        smooth = smooth.sum() / denom  # nan when all are ignored
    elif reduction == "sum":
        smooth = smooth.sum()
    # (1 - ε) * nll + ret * (ε / C) in C++: each a tensor times a number (MulBackward1)
    return MulScalar.apply(nll, 1 - label_smoothing) + MulScalar.apply(smooth, label_smoothing / c)
