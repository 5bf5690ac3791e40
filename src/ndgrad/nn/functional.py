"""ndgrad.nn.functional: the layers and losses as functions, as ``torch.nn.functional``.

Most are defined in the private modules beside it (``_activations``, ``_linear``, ``_norm``,
``_pooling``, ``_cross_entropy``, ``_losses``, ``_reduction``...), which import one another but
never this module; it re-exports them and defines the rest (gelu, silu, embedding, the pointwise
and binary losses, kl_div).

The hot paths (linear, log_softmax, nll_loss, convolution, pooling, normalisation) are fused
Functions computed in numpy. Each backward is written with ndgrad ops or with sibling Functions
whose own backwards close the set (convolution's input and weight gradients are each other's
backward), so gradients are differentiable again.
"""

from __future__ import annotations

import importlib
import math
import warnings
from typing import Any

import numpy as np

from .._errors import broadcast_mismatch, floating_only
from .._kernels import add_rows_at
from .._namespace import public_dir
from .._tensor import Tensor
from ..ops.arithmetic import NumpyFunction
from ..ops.out import xlogy
from ..ops.unary import sigmoid as _sigmoid
from ..ops.unary import tanh as _tanh
from . import _activations, _losses, _losses2, _pooling
from ._activations import *  # noqa: F403
from ._activations import Softplus
from ._attention import multi_head_attention_forward, scaled_dot_product_attention
from ._conv import (
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
)
from ._cross_entropy import cross_entropy, nll_loss
from ._dropout import (
    alpha_dropout,
    dropout,
    dropout1d,
    dropout2d,
    dropout3d,
    feature_alpha_dropout,
)
from ._embedding_bag import embedding_bag, embedding_renorm_
from ._linear import _dtype_letter, bilinear, linear
from ._linear_ce import linear_cross_entropy
from ._losses import *  # noqa: F403
from ._losses2 import *  # noqa: F403
from ._norm import batch_norm, group_norm, instance_norm, layer_norm, local_response_norm
from ._padding import pad, rms_norm
from ._pooling import *  # noqa: F403
from ._pooling import adaptive_avg_pool2d
from ._reduction import (
    _check_reduction,
    _legacy_reduction,
    _reduce,
    _reduce_array,
    _spread,
)

__all__ = [
    "adaptive_avg_pool2d",
    "batch_norm",
    "bilinear",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv1d",
    "conv2d",
    "conv_transpose2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose3d",
    "alpha_dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "feature_alpha_dropout",
    "instance_norm",
    "local_response_norm",
    "embedding_bag",
    "linear_cross_entropy",
    "cross_entropy",
    "dropout",
    "embedding",
    "gelu",
    "group_norm",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "layer_norm",
    "linear",
    "mse_loss",
    "multi_head_attention_forward",
    "nll_loss",
    "one_hot",
    "pad",
    "rms_norm",
    "scaled_dot_product_attention",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "tanh",
    *_activations.__all__,
    *_losses.__all__,
    *_losses2.__all__,
    *_pooling.__all__,
]
__dir__ = public_dir(__name__)


def _const(array: Any) -> Tensor:
    return Tensor._make(np.asarray(array))


# --- activations -------------------------------------------------------------------------------
def tanh(input: Tensor) -> Tensor:
    return _tanh(input)


def sigmoid(input: Tensor) -> Tensor:
    return _sigmoid(input)


def _erf(x: np.ndarray) -> np.ndarray:
    try:  # scipy, when installed, is much faster than math.erf element by element
        erf = importlib.import_module("scipy.special").erf
        return np.asarray(erf(x), dtype=x.dtype)
    except ImportError:
        return np.vectorize(math.erf, otypes=[x.dtype])(x)


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + _erf(x * (1 / math.sqrt(2))))


class NormalCdf(NumpyFunction):
    """y = Φ(x) = (1 + erf(x/√2)) / 2; dy/dx = φ(x) = exp(-x²/2) / √(2π)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return _normal_cdf(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * ((x * x) * -0.5).exp() * (1 / math.sqrt(2 * math.pi))


_SQRT_2_PI = math.sqrt(2 / math.pi)  # the tanh approximation's √(2/π)


class Gelu(NumpyFunction):
    """y = x Φ(x); dy/dx = Φ(x) + x φ(x).
    With approximate='tanh': y = x (1 + tanh u) / 2, u = √(2/π)(x + 0.044715 x³),
    dy/dx = (1 + tanh u) / 2 + x (1 - tanh² u) √(2/π)(1 + 3 · 0.044715 x²) / 2"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, approximate: str) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            return 0.5 * x * (1 + np.tanh(_SQRT_2_PI * (x + 0.044715 * x**3)))
        return x * (0.5 * (1.0 + _erf(x * (1 / math.sqrt(2)))))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (x,) = ctx.saved_tensors
        return GeluBackward.apply(grad, x, ctx.approximate), None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        (x,) = ctx.saved_arrays
        return _gelu_backward_np(grad, x, ctx.approximate), None


def _gelu_backward_np(g: np.ndarray, x: np.ndarray, approximate: str) -> np.ndarray:
    """g · gelu'(x) on arrays (Gelu's first-order backward, GeluBackward's forward)."""
    if approximate == "tanh":
        th = np.tanh((x + x * x * x * 0.044715) * _SQRT_2_PI)
        slope = (x * x * (3 * 0.044715) + 1) * _SQRT_2_PI
        return g * ((th + 1) * 0.5 + x * (1 - th * th) * slope * 0.5)
    pdf = np.exp((x * x) * -0.5) * (1 / math.sqrt(2 * math.pi))
    return g * (_normal_cdf(x) + x * pdf)


class GeluBackward(NumpyFunction):
    """gx = g · gelu'(x), gelu's backward as one op of the gradient and the input, as PyTorch's
    gelu_backward (so a create_graph gradient has grad_fn=<GeluBackwardBackward0> and keeps x).
    d/dg = gelu'(x); d/dx = g · gelu''(x), with gelu'' = φ(x)(2 - x²), or for the tanh form
    (1 - t²)(u' + x (u'' - 2 t u'²) / 2), t = tanh u, u' = √(2/π)(1 + 3 · 0.044715 x²),
    u'' = 6 · 0.044715 · √(2/π) x."""

    @staticmethod
    def forward(ctx: Any, g: np.ndarray, x: np.ndarray, approximate: str) -> np.ndarray:
        ctx.save_for_backward(g, x)
        ctx.approximate = approximate
        return _gelu_backward_np(g, x, approximate)

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple[Any, ...]:
        g, x = ctx.saved_tensors
        need_g, need_x = ctx.needs_input_grad[:2]
        if ctx.approximate == "tanh":
            th = _tanh((x + x * x * x * 0.044715) * _SQRT_2_PI)
            du = (x * x * (3 * 0.044715) + 1) * _SQRT_2_PI
            first = (th + 1) * 0.5 + x * (1 - th * th) * du * 0.5
            d2u = x * (6 * 0.044715 * _SQRT_2_PI)
            second = (1 - th * th) * (du + x * (d2u - th * du * du * 2) * 0.5)
        else:
            pdf = ((x * x) * -0.5).exp() * (1 / math.sqrt(2 * math.pi))
            first = NormalCdf.apply(x) + x * pdf
            second = pdf * (2 - x * x)
        grad_g = gg * first if need_g else None
        grad_x = gg * g * second if need_x else None
        return grad_g, grad_x, None


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """y = x Φ(x), or with approximate='tanh': x (1 + tanh(√(2/π)(x + 0.044715 x³))) / 2"""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    floating_only(input, "GeluKernelImpl")
    return Gelu.apply(input, approximate)


class Silu(NumpyFunction):
    """y = x σ(x); dy/dx = σ(x) (1 + x (1 - σ(x)))"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        e = np.exp(-np.abs(x))  # the stable sigmoid, as ops.unary.Sigmoid computes it
        return x * np.where(x >= 0, 1 / (1 + e), e / (1 + e))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        s = _sigmoid(x)
        return grad * (s * (x * (1 - s) + 1))


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """y = x σ(x)"""
    floating_only(input, "silu_cpu")
    if inplace:
        return input._inplace(Silu.apply)
    return Silu.apply(input)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    data = tensor._data
    if data.dtype.kind not in "iu":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes <= 0 and not data.size:
        raise RuntimeError("Can not infer total number of classes from empty tensor.")
    if data.size and data.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(data.max()) + 1
    if data.size and data.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._make((data[..., None] == np.arange(num_classes)).astype(np.int64))


# --- embedding ---------------------------------------------------------------------------------
class Embedding(NumpyFunction):
    """y = W[idx]; dW = rows of g added at idx (none to padding_idx), each divided by how often
    its index occurs in idx when ``scale`` (scale_grad_by_freq) is given.

    The node saves the indices (the index tensor when ``embedding`` passes one), as PyTorch's
    EmbeddingBackward0 does: a write into them before backward is reported, and backward frees
    them (a second backward raises). PyTorch's node lists the weight alone."""

    _listed_inputs = (0,)

    @staticmethod
    def forward(
        ctx: Any,
        w: np.ndarray,
        idx: np.ndarray,
        padding_idx: int | None,
        scale: np.ndarray | None = None,
    ) -> np.ndarray:
        ctx.idx, ctx.num, ctx.padding_idx, ctx.scale = idx, w.shape[0], padding_idx, scale
        ctx.save_for_backward(idx)
        return w[idx]

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        ctx.saved_arrays  # noqa: B018  (checks the indices' version; raises once freed)
        g = EmbeddingBackward.apply(grad, ctx.idx, ctx.num, ctx.padding_idx, ctx.scale)
        return g, None, None, None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        ctx.saved_arrays  # noqa: B018
        g = _embedding_grad(grad, ctx.idx, ctx.num, ctx.padding_idx, ctx.scale)
        return g, None, None, None


def _embedding_grad(
    g: np.ndarray, idx: np.ndarray, num: int, pad: int | None, scale: np.ndarray | None = None
) -> np.ndarray:
    rows = g.reshape(-1, g.shape[-1])
    if scale is not None:
        rows = rows * scale.reshape(-1, 1).astype(g.dtype)
    out = add_rows_at(num, idx.reshape(-1), rows)
    if pad is not None:
        out[pad] = 0
    return out


def _frequency_scale(idx: np.ndarray, num: int) -> np.ndarray:
    """1 / (the number of times each position's index occurs in idx), for scale_grad_by_freq."""
    counts = np.bincount(idx.reshape(-1), minlength=num)
    return 1.0 / counts[idx]


class EmbeddingBackward(NumpyFunction):
    """dW = Σ over positions of g scattered to rows idx; its backward gathers rows back"""

    @staticmethod
    def forward(
        ctx: Any,
        g: np.ndarray,
        idx: np.ndarray,
        num: int,
        pad: int | None,
        scale: np.ndarray | None = None,
    ) -> Any:
        ctx.idx, ctx.pad, ctx.scale = idx, pad, scale
        return _embedding_grad(g, idx, num, pad, scale)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        # The gathered rows, not scaled by frequency: PyTorch's double backward of embedding
        # ignores scale_grad_by_freq (that scaling is a heuristic, not a derivative).
        rows = Embedding.apply(grad, ctx.idx, None)
        if ctx.pad is not None:
            rows = rows * _const((ctx.idx != ctx.pad)[..., None].astype(grad._data.dtype))
        return rows, None, None, None, None


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    if sparse:
        raise NotImplementedError(
            "embedding: sparse=True is not supported by ndgrad (sparse tensors are out of scope)"
        )
    idx = input._data
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {input.type()} instead (while checking arguments for "
            "embedding)"
        )
    num = weight._data.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= num):  # PyTorch refuses -1 too
        raise IndexError("index out of range in self")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += num
    if max_norm is not None:  # rows looked up are first scaled down in place, as PyTorch does
        embedding_renorm_(weight, input, max_norm, norm_type)
    scale = _frequency_scale(idx, num) if scale_grad_by_freq else None
    return Embedding.apply(weight, input, padding_idx, scale)


# --- losses ------------------------------------------------------------------------------------
def _warn_size(input: Tensor, target: Tensor) -> None:
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
        )


def _check_weight(weight: Tensor, input: Tensor) -> None:
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")


def _weighted(loss: Tensor, weight: Tensor, reduction: str) -> Tensor:
    """PyTorch's weighted mse and l1: 'mean' divides by the total weight."""
    loss = loss * weight
    if reduction == "mean":
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


class MseLoss(NumpyFunction):
    """ℓ = (x - y)², reduced; dℓ/dx = 2(x - y) = -dℓ/dy"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, reduction: str) -> np.ndarray:
        ctx.save_for_backward(x, y)
        d = x - y
        ctx.reduction, ctx.count = reduction, d.size
        return _reduce_array(d * d, reduction)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad[:2]
        # one gradient op per input, as PyTorch's mse_loss_backward(grad, x, y) and (grad, y, x),
        # so that a create_graph gradient keeps x and y (and a write into either is caught)
        gx = MseLossBackward.apply(grad, x, y, ctx.reduction) if need_x else None
        gy = MseLossBackward.apply(grad, y, x, ctx.reduction) if need_y else None
        return gx, gy, None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        x, y = ctx.saved_arrays
        need_x, need_y = ctx.needs_input_grad[:2]
        gx = _mse_backward_np(grad, x, y, ctx.reduction) if need_x else None
        gy = _mse_backward_np(grad, y, x, ctx.reduction) if need_y else None
        return gx, gy, None


def _mse_norm(reduction: str, count: int) -> float:
    """2, or 2 / count for the mean (inf for an empty mean, whose gradient is empty)."""
    if reduction != "mean":
        return 2.0
    return 2.0 / count if count else math.inf


def _mse_backward_np(g: np.ndarray, a: np.ndarray, b: np.ndarray, reduction: str) -> np.ndarray:
    """norm · (a - b) · g, in PyTorch's order (mse_loss_backward)."""
    return (a - b) * _mse_norm(reduction, a.size) * g


class MseLossBackward(NumpyFunction):
    """ga = norm · (a - b) · g, mse's gradient for its input a against b (norm: 2, or 2/n for
    the mean). d/dg = norm · (a - b) · gg, summed to g's shape; d/da = norm · g · gg = -d/db."""

    @staticmethod
    def forward(ctx: Any, g: np.ndarray, a: np.ndarray, b: np.ndarray, reduction: str) -> Any:
        ctx.save_for_backward(g, a, b)
        ctx.reduction = reduction
        return _mse_backward_np(g, a, b, reduction)

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple[Any, ...]:
        g, a, b = ctx.saved_tensors
        need_g, need_a, need_b = ctx.needs_input_grad[:3]
        norm = _mse_norm(ctx.reduction, a._data.size)
        dg = da = db = None
        if need_g:
            dg = (a - b) * norm * gg
            if ctx.reduction != "none":
                dg = dg.sum()
        if need_a or need_b:
            d = gg * g * norm
            da = d if need_a else None
            db = -d if need_b else None
        return dg, da, db, None


def _check_broadcast(a: Tensor, b: Tensor) -> None:
    """PyTorch's losses broadcast input and target first (torch.broadcast_tensors)."""
    sa, sb = tuple(a.shape), tuple(b.shape)
    if sa != sb:
        try:
            np.broadcast_shapes(sa, sb)
        except ValueError:
            raise broadcast_mismatch(sa, sb) from None


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """ℓ = (x - y)²"""
    _warn_size(input, target)
    _check_broadcast(input, target)
    reduction = _check_reduction(_legacy_reduction(size_average, reduce, reduction))
    if weight is not None:
        _check_weight(weight, input)
        d = input - target
        return _weighted(d * d, weight, reduction)
    if input.shape != target.shape:
        # PyTorch broadcasts by torch.broadcast_tensors first (the shapes were checked above):
        # MseLossBackward0 then saves the expanded views (ExpandBackward0 in the graph)
        shape = np.broadcast_shapes(tuple(input.shape), tuple(target.shape))
        if tuple(input.shape) != shape:
            input = input.expand(shape)
        if tuple(target.shape) != shape:
            target = target.expand(shape)
    return MseLoss.apply(input, target, reduction)


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """ℓ = |x - y| (PyTorch records it as abs and a reduction too)"""
    _warn_size(input, target)
    reduction = _check_reduction(_legacy_reduction(size_average, reduce, reduction))
    loss = (input - target).abs()
    if weight is not None:
        _check_weight(weight, input)
        return _weighted(loss, weight, reduction)
    return _reduce(loss, reduction)


class SmoothL1Loss(NumpyFunction):
    """ℓ = d²/(2β) where |d| < β, else |d| - β/2, d = x - y; dℓ/dx = clamp(d/β, -1, 1) = -dℓ/dy"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, reduction: str, beta: float) -> Any:
        ctx.save_for_backward(x, y)
        d = x - y
        ad = np.abs(d)
        ctx.reduction, ctx.count, ctx.beta = reduction, d.size, beta
        loss = np.where(ad < beta, (0.5 / beta) * d * d, ad - 0.5 * beta).astype(d.dtype)
        return _reduce_array(loss, reduction)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, y = ctx.saved_tensors
        g = _spread(ctx, grad) * ((x - y) * (1.0 / ctx.beta)).clamp(-1.0, 1.0)
        return g, -g if ctx.needs_input_grad[1] else None, None, None


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """ℓ = d²/(2β) where d = |x - y| < β, else d - β/2"""
    _warn_size(input, target)
    _check_broadcast(input, target)
    reduction = _check_reduction(_legacy_reduction(size_average, reduce, reduction))
    if beta == 0.0:  # PyTorch's l1_loss then
        return _reduce((input - target).abs(), reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return SmoothL1Loss.apply(input, target, reduction, float(beta))


class HuberLoss(NumpyFunction):
    """ℓ = d²/2 where |d| < δ, else δ(|d| - δ/2), d = x - y; dℓ/dx = clamp(d, -δ, δ) = -dℓ/dy"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, reduction: str, delta: float) -> Any:
        ctx.save_for_backward(x, y)
        d = x - y
        ad = np.abs(d)
        ctx.reduction, ctx.count, ctx.delta = reduction, d.size, delta
        # PyTorch writes the loss into a tensor like the input: a wider target does not promote
        loss = np.where(ad < delta, 0.5 * d * d, delta * (ad - 0.5 * delta)).astype(x.dtype)
        return _reduce_array(loss, reduction)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, y = ctx.saved_tensors
        g = _spread(ctx, grad) * (x - y).clamp(-ctx.delta, ctx.delta)
        return g, -g if ctx.needs_input_grad[1] else None, None, None


def huber_loss(
    input: Tensor,
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Tensor | None = None,
) -> Tensor:
    """ℓ = d²/2 where d = |x - y| < δ, else δ (d - δ/2)"""
    _warn_size(input, target)
    _check_broadcast(input, target)
    _check_reduction(reduction)
    if not delta > 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is None:
        return HuberLoss.apply(input, target, reduction, float(delta))
    _check_weight(weight, input)
    return _reduce(HuberLoss.apply(input, target, "none", float(delta)) * weight, reduction)


class ClampMin(NumpyFunction):
    """y = max(x, c); dy/dx = 1 where x ≥ c"""

    node_name = "ClampMinBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, c: float) -> np.ndarray:
        ctx.save_for_backward(x >= c)
        return np.maximum(x, np.asarray(c, dtype=x.dtype))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (keep,) = ctx.saved_tensors
        return grad * keep, None


class BinaryCrossEntropy(NumpyFunction):
    """ℓ = -w (y log x + (1 - y) log(1 - x)), logs clamped at -100 as PyTorch does;
    dℓ/dx = w (x - y) / max(x (1 - x), 1e-12); dℓ/dy = w (log(1 - x) - log x)"""

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, y: np.ndarray, w: np.ndarray | None, reduction: str
    ) -> np.ndarray:
        ctx.save_for_backward(x, y)
        ctx.w, ctx.reduction, ctx.count = w, reduction, x.size
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x), -100.0)
            log_1mx = np.maximum(np.log(1 - x), -100.0)
        loss = -(y * log_x + (1 - y) * log_1mx)
        if w is not None:
            loss = loss * w
        return _reduce_array(loss.astype(x.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, y = ctx.saved_tensors
        g = _spread(ctx, grad)
        if ctx.w is not None:
            g = g * _const(ctx.w)
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = g * (x - y) / (x * (1 - x)).clamp(min=1e-12)
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore"):
                gy = g * (ClampMin.apply((1 - x).log(), -100.0) - ClampMin.apply(x.log(), -100.0))
        return gx, gy, None, None


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """ℓ = -(y log x + (1 - y) log(1 - x)), each log clamped at -100 as PyTorch does"""
    reduction = _check_reduction(_legacy_reduction(size_average, reduce, reduction))
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}) is deprecated. Please ensure they have the same size."
        )
    if target._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"Found dtype {_dtype_letter(target)} but expected {_dtype_letter(input)}"
        )
    x = input._data
    if np.any((x < 0) | (x > 1)):
        raise RuntimeError("all elements of input should be between 0 and 1")
    w = None
    if weight is not None:
        w = np.broadcast_to(weight._data, x.shape).astype(x.dtype)
    return BinaryCrossEntropy.apply(input, target, w, reduction)


class BinaryCrossEntropyWithLogits(NumpyFunction):
    """ℓ = w ((1 - y) x + c softplus(-x)), c = 1 + (p - 1) y: BCE of σ(x), computed stably;
    dℓ/dx = w (c σ(x) - p y); dℓ/dy = w ((p - 1) softplus(-x) - x)"""

    @staticmethod
    def forward(
        ctx: Any,
        x: np.ndarray,
        y: np.ndarray,
        w: np.ndarray | None,
        pw: np.ndarray | None,
        reduction: str,
    ) -> np.ndarray:
        ctx.save_for_backward(x, y)
        ctx.w, ctx.pw, ctx.reduction, ctx.count = w, pw, reduction, x.size
        sp = np.logaddexp(0, -x)
        c = 1 if pw is None else 1 + (pw - 1) * y
        loss = (1 - y) * x + c * sp
        if w is not None:
            loss = loss * w
        return _reduce_array(np.asarray(loss, dtype=x.dtype), reduction)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, y = ctx.saved_tensors
        g = _spread(ctx, grad)
        if ctx.w is not None:
            g = g * _const(ctx.w)
        pw = None if ctx.pw is None else _const(ctx.pw)
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = g * (x.sigmoid() - y if pw is None else (1 + (pw - 1) * y) * x.sigmoid() - pw * y)
        if ctx.needs_input_grad[1]:
            sp = Softplus.apply(-x, 1.0, math.inf)
            gy = -g * x if pw is None else g * ((pw - 1) * sp - x)
        return gx, gy, None, None, None


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """ℓ = (1 - y) x + (1 + (p - 1) y) softplus(-x): BCE of σ(x), computed stably"""
    reduction = _check_reduction(_legacy_reduction(size_average, reduce, reduction))
    if target.shape != input.shape:
        raise ValueError(
            f"Target size ({target.shape}) must be the same as input size ({input.shape})"
        )
    if target._data.dtype == np.bool_:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead."
        )
    if not target.is_floating_point():
        raise RuntimeError(
            f"result type {_dtype_letter(input)} can't be cast to the desired output type "
            f"{_dtype_letter(target)}"
        )
    dt = input._data.dtype
    w = None if weight is None else np.broadcast_to(weight._data, input.shape).astype(dt)
    pw = None if pos_weight is None else np.asarray(pos_weight._data, dtype=dt)
    return BinaryCrossEntropyWithLogits.apply(input, target, w, pw, reduction)


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """ℓ = y (log y - x) (0 where y = 0), with x and optionally y given as logs"""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    # PyTorch's forms; xlogy(target, target) is 0 where the target is 0
    loss = target.exp() * (target - input) if log_target else xlogy(target, target) - target * input
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
            UserWarning,
            stacklevel=2,
        )
    return _reduce(loss, reduction)
