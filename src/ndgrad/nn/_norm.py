"""Normalisation as ``torch.nn.functional`` and ``torch.*`` compute it: batch, layer, group,
instance and local response norm (exported through ``ndgrad.nn.functional``).

Batch, layer and group norm share one fused Function, ``Normalize`` (the statistics over some
axes of the input viewed as groups, then the affine map), under each one's PyTorch node name;
batch norm in evaluation mode, with the running statistics, is ``BatchNormEval``.

``instance_norm`` is PyTorch's: batch norm over the input viewed as one sample of N·C channels,
viewed back (so it records ``ViewBackward0``), with weight, bias and running statistics repeated
per sample and the running statistics averaged back over the samples. ``local_response_norm``
is the composite PyTorch writes in Python (it records ``DivBackward0``); ``CrossMapLRN2d`` is the
legacy fused op with its own node.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._kernels import sum_to_np
from .._tensor import Tensor
from ..autograd.grad_mode import is_grad_enabled, no_grad
from ..dtypes import dtype_name
from ..ops.arithmetic import NumpyFunction
from ..ops.reduction import mean_np
from ..ops.shape import sum_to
from ._padding import pad

__all__ = [
    "batch_norm",
    "cross_map_lrn2d",
    "group_norm",
    "instance_norm",
    "layer_norm",
    "local_response_norm",
    "torch_instance_norm",
]


def _const(array: Any) -> Tensor:
    return Tensor._make(np.asarray(array))


class Normalize(NumpyFunction):
    """y = x̂ w + b with x̂ = (x - mean) / √(var + ε) over `axes` of x viewed as `groups`
    (biased var; w and b optional, broadcast against x, or viewed as `channels` first: batch
    and group norm take them per channel, as PyTorch's node does, with no view node between);
    dx = (ĝ - mean(ĝ) - x̂ mean(ĝ x̂)) / √(var + ε) with ĝ = g w; dw = g x̂; db = g"""

    node_name = "NativeBatchNormBackward0"
    _listed_inputs = (0, 1, 2)  # a missing weight or bias too

    @staticmethod
    def forward(
        ctx: Any,
        x: np.ndarray,
        w: np.ndarray | None,
        b: np.ndarray | None,
        groups: tuple[int, ...],
        axes: tuple[int, ...],
        eps: float,
        channels: tuple[int, ...] | None = None,
        moments_out: list[np.ndarray] | None = None,
    ) -> np.ndarray:
        ctx.save_for_backward(x, w)
        ctx.groups, ctx.axes, ctx.eps, ctx.channels = groups, axes, eps, channels
        xr = x.reshape(groups)
        mean = mean_np(xr, axes, True)
        y = xr - mean  # a new array: the steps below work in it, in place
        var = mean_np(y * y, axes, True)
        # The mean and 1/√(var + ε) are kept for backward_np, which used to recompute them
        # (two reductions and two passes over x); mean and var go to batch_norm's running
        # statistics through moments_out (it computed them again with x.mean and x.var).
        if moments_out is not None:
            moments_out += (mean, var)
        ctx.mean, ctx.invstd = mean, _invstd(var, eps)
        invstd = ctx.invstd
        y *= invstd  # (x - mean) * invstd, as PyTorch's kernels scale by 1/√(var + ε)
        y = y.reshape(x.shape)
        if w is not None:
            y *= w if channels is None else w.reshape(channels)
        if b is not None:
            y += b if channels is None else b.reshape(channels)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, w, *_ = ctx.saved_tensors  # (layer norm's bias after them)
        axes, channels = ctx.axes, ctx.channels
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        # recomputed with ndgrad ops, so that this gradient is differentiable again
        xr = x.reshape(ctx.groups)
        xc = xr - xr.mean(axes, keepdim=True)
        invstd = ((xc * xc).mean(axes, keepdim=True) + ctx.eps).rsqrt()
        xhat = xc * invstd
        if channels is not None and 0 in axes:  # batch norm (group norm's groups may be x's shape)
            gx, gw, gb = _batch_norm_grads(ctx, grad, w, xhat, invstd, sum_to)
            return gx, _in_graph(gw, x, w), _in_graph(gb, x, w), *(None,) * 5
        gx = None
        if need_x:
            wc = w if w is None or channels is None else w.reshape(channels)
            gh = (grad if wc is None else grad * wc).reshape(ctx.groups)
            t = xhat * (gh * xhat).mean(axes, keepdim=True) + gh.mean(axes, keepdim=True)
            gx = ((gh - t) * invstd).reshape(x.shape)  # as backward_np computes it
        gw = grad * xhat.reshape(x.shape) if need_w else None
        gb = grad if need_b else None
        if channels is not None:  # per channel: summed over the other dims here
            gw = None if gw is None else sum_to(gw, channels).reshape(-1)
            gb = None if gb is None else sum_to(gb, channels).reshape(-1)
        if isinstance(ctx, NativeLayerNorm._backward_cls):
            b = getattr(ctx, "bias_anchor", None)
            gw, gb = _in_graph(gw, x, w, b), _in_graph(gb, x, w, b)
        return gx, gw, gb, None, None, None, None, None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        x, w, *_ = ctx.saved_arrays
        axes, channels = ctx.axes, ctx.channels
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        xr = x.reshape(ctx.groups)
        invstd = ctx.invstd
        xhat = xr - ctx.mean
        xhat *= invstd
        if channels is not None and 0 in axes:  # batch norm (group norm's groups may be x's shape)
            return (*_batch_norm_grads(ctx, grad, w, xhat, invstd, sum_to_np), *(None,) * 5)
        gx = None
        if need_x:
            wc = w if w is None or channels is None else w.reshape(channels)
            gh = (grad if wc is None else grad * wc).reshape(ctx.groups)
            # (gh - mean(gh) - x̂ mean(gh x̂)) invstd, in two new arrays instead of four
            t = xhat * mean_np(gh * xhat, axes, True)
            t += mean_np(gh, axes, True)
            gx = gh - t
            gx *= invstd
            gx = gx.reshape(x.shape)
        gw = grad * xhat.reshape(x.shape) if need_w else None
        gb = grad if need_b else None
        if channels is not None:
            gw = None if gw is None else sum_to_np(gw, channels).reshape(-1)
            gb = None if gb is None else sum_to_np(gb, channels).reshape(-1)
        return gx, gw, gb, None, None, None, None, None


def _invstd(var: np.ndarray, eps: float) -> np.ndarray:
    """1 / √(var + ε), in var's dtype."""
    invstd = np.sqrt(var + eps)
    return np.divide(1, invstd, out=invstd)


class _InGraph(NumpyFunction):
    """y = g, recorded with ``anchor`` as an input that gets no gradient from it."""

    node_name = "NativeLayerNormBackwardBackward0"

    @staticmethod
    def forward(ctx: Any, g: np.ndarray, anchor: np.ndarray) -> np.ndarray:
        return g.copy()

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return grad, None


def _in_graph(
    g: Tensor | None, x: Tensor, w: Tensor | None, b: Tensor | None = None
) -> Tensor | None:
    """A weight or bias gradient of layer_norm or batch_norm as PyTorch's create_graph backward
    returns it: one node computes all three gradients and they all require grad, also one that
    depends on no tensor that does (the bias's, ``Σ g``, or the weight's when only it requires
    grad). Its derivative with respect to x and w is none (autograd.grad gives None). For
    layer_norm the bias alone requiring grad is enough (``b``, kept on the node for this);
    not for batch_norm, as in PyTorch."""
    if g is None or g.requires_grad or not is_grad_enabled():
        return g
    anchor = next((t for t in (x, w, b) if t is not None and t.requires_grad), None)
    return g if anchor is None else _InGraph.apply(g, anchor)


def _batch_norm_grads(
    ctx: Any, grad: Any, w: Any, xhat: Any, invstd: Any, sum_to_fn: Any
) -> tuple[Any, Any, Any]:
    """Normalize's gradients when each channel is one normalisation set (batch norm), on
    arrays (``sum_to_fn`` = sum_to_np) or on tensors (sum_to, differentiable again): the weight
    is then constant over the set, so the two means of dx's formula are the per-channel sums
    db = Σ g and dw = Σ g x̂ scaled by w / n, as PyTorch's batch_norm_backward computes them.
    Two reductions and a pass over x fewer than the general formula (a (32, 32, 8, 8) float32
    batch norm's forward and backward: 520 -> 450 us)."""
    need_x, need_w, need_b = ctx.needs_input_grad[:3]
    channels = ctx.channels
    sum_g: Any = sum_to_fn(grad, channels) if need_x or need_b else None
    sum_gx: Any = sum_to_fn(grad * xhat, channels) if need_x or need_w else None
    gx = None
    if need_x:
        n = math.prod(ctx.groups) // ctx.groups[1]
        wc = None if w is None else w.reshape(channels)
        gh = grad if wc is None else grad * wc
        mean_g, mean_gx = sum_g / n, sum_gx / n
        if wc is not None:
            mean_g, mean_gx = mean_g * wc, mean_gx * wc
        gx = (gh - mean_g - xhat * mean_gx) * invstd
    gw = sum_gx.reshape(-1) if need_w else None
    gb = sum_g.reshape(-1) if need_b else None
    return gx, gw, gb


class NativeLayerNorm(Normalize):
    node_name = "NativeLayerNormBackward0"

    @staticmethod
    def forward(
        ctx: Any,
        x: np.ndarray,
        w: np.ndarray | None,
        b: np.ndarray | None,
        groups: tuple[int, ...],
        axes: tuple[int, ...],
        eps: float,
        channels: tuple[int, ...] | None = None,
        moments_out: list[np.ndarray] | None = None,
    ) -> np.ndarray:
        y = Normalize.forward(ctx, x, w, b, groups, axes, eps, channels, moments_out)
        # PyTorch's node saves the bias too (its backward takes it, unused): an in-place write
        # into the bias before backward is reported, as there
        ctx.save_for_backward(x, w, b)
        return np.asarray(y, order="C")  # PyTorch's kernel writes a contiguous output


class NativeGroupNorm(Normalize):
    node_name = "NativeGroupNormBackward0"


class BatchNormEval(NumpyFunction):
    """y = (x - m) / √(v + ε) w + b with running stats m, v (constants); dx = g w / √(v + ε),
    dw = g x̂, db = g"""

    node_name = "NativeBatchNormBackward0"
    _listed_inputs = (0, 1, 2)

    @staticmethod
    def forward(
        ctx: Any,
        x: np.ndarray,
        w: np.ndarray | None,
        b: np.ndarray | None,
        mean: np.ndarray,
        invstd: np.ndarray,
    ) -> np.ndarray:
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, w)
        ctx.mean, ctx.invstd = mean, invstd  # both shaped (1, C, 1, ...)
        y = (x - mean) * invstd
        if w is not None:
            y = y * w.reshape(mean.shape)
        if b is not None:
            y = y + b.reshape(mean.shape)
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        invstd = _const(ctx.invstd)
        channels = ctx.invstd.shape
        gx = None
        if need_x:
            gx = grad * invstd if w is None else grad * (w.reshape(channels) * invstd)
        gw = gb = None
        if need_w:  # per channel: summed over the other dims here
            gw = sum_to(grad * ((x - _const(ctx.mean)) * invstd), channels).reshape(-1)
        if need_b:
            gb = sum_to(grad, channels).reshape(-1)
        return gx, gw, gb, None, None


def _check_batch_norm_sizes(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None,
    bias: Tensor | None,
    training: bool,
) -> None:
    """at::batch_norm's checks, after F.batch_norm's (more than 1 value per channel)."""
    if training and input.ndim >= 2 and input.shape[0] * math.prod(input.shape[2:]) == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {input.shape}"
        )
    if input._data.size == 0 or input.ndim < 2:
        return
    features = input.shape[1]
    for name, t in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        if t is not None and t._data.size != features:
            raise RuntimeError(f"{name} should contain {features} elements not {t._data.size}")


def _check_parameter_dtypes(input: Tensor, *params: Tensor | None) -> None:
    """PyTorch's dtype rules for the CPU norms' weight, bias (and running statistics): the
    first parameter given sets the case. Of the input's dtype, every other must be too; of
    another, the input must be float16 with float32 parameters (computed in float32, the
    output float16), else PyTorch's "mixed dtype" error."""
    given = [p._data.dtype for p in params if p is not None]
    x = input._data.dtype
    if not given:
        return
    if given[0] == x:
        for dt in given[1:]:
            if dt != x:
                raise RuntimeError(
                    f"expected scalar type {dtype_name(x)} but found {dtype_name(dt)}"
                )
        return
    if any(dt != np.float32 for dt in given):
        raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
    if x != np.float16:
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """y = (x - mean) / √(var + ε) · weight + bias per channel (dim 1)"""
    nd = input.ndim
    _check_batch_norm_sizes(input, running_mean, running_var, weight, bias, training)
    _check_parameter_dtypes(input, weight, bias, running_mean, running_var)
    axes = (0, *range(2, nd))
    if training:
        count = input._data.size // input.shape[1]
        if count <= 1:
            raise ValueError(
                "Expected more than 1 value per channel when training, got input size "
                f"{input.shape}"
            )
        channels = (1, input.shape[1], *([1] * (nd - 2)))
        moments: list[np.ndarray] = []  # the batch's mean and biased variance, kept dims
        y = Normalize.apply(input, weight, bias, input.shape, axes, eps, channels, moments)
        if running_mean is not None and running_var is not None:
            with no_grad():
                batch_mean = moments[0].reshape(-1)
                batch_var = moments[1].reshape(-1) * (count / (count - 1))
                rm, rv = running_mean._data, running_var._data
                rm *= 1 - momentum
                rm += momentum * batch_mean
                rv *= 1 - momentum
                rv += momentum * batch_var
                running_mean._bump_version()
                running_var._bump_version()
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
        dt = input._data.dtype
        shape = (1, -1, *([1] * (nd - 2)))
        invstd = (1.0 / np.sqrt(running_var._data + eps)).astype(dt).reshape(shape)
        mean = running_mean._data.astype(dt).reshape(shape)
        y = BatchNormEval.apply(input, weight, bias, mean, invstd)
    return y


def layer_norm(
    input: Tensor,
    normalized_shape: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """y = (x - mean) / √(var + ε) · weight + bias over the last len(normalized_shape) dims"""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.ndim - len(shape) :]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(str(s) for s in shape)}], but got input of size{list(input.shape)}"
        )
    _check_parameter_dtypes(input, weight, bias)
    axes = tuple(range(input.ndim - len(shape), input.ndim))
    y = NativeLayerNorm.apply(input, weight, bias, input.shape, axes, eps)
    if y.grad_fn is not None and bias is not None and bias.requires_grad:
        y.grad_fn.bias_anchor = bias  # (only _in_graph reads it: when nothing else needs grad)
    return y


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """y = x normalised over each group of channels (and all positions), then per channel affine"""
    n, c = input.shape[0], input.shape[1]
    if c % num_groups:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(input.shape)} and num_groups={num_groups}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t._data.size != c):
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {list(t.shape)} and input of shape "
                f"{list(input.shape)}"
            )
    _check_parameter_dtypes(input, weight, bias)
    groups = (n, num_groups, input._data.size // max(n * num_groups, 1))
    channels = (1, c, *([1] * (input.ndim - 2)))
    return NativeGroupNorm.apply(input, weight, bias, groups, (2,), eps, channels)


def torch_instance_norm(
    input: Tensor,
    weight: Tensor | None,
    bias: Tensor | None,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    use_input_stats: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool,
) -> Tensor:
    """``torch.instance_norm``: every argument given, weight and bias before the statistics."""
    n, c = input.shape[0], input.shape[1]
    shape = (1, n * c, *input.shape[2:])

    def repeat(t: Tensor | None) -> Tensor | None:
        return None if t is None else t.repeat(n)

    def tiled(t: Tensor | None) -> Tensor | None:  # a copy batch_norm may update
        return None if t is None else Tensor._make(np.tile(t._data, n))

    rm, rv = tiled(running_mean), tiled(running_var)
    y = batch_norm(
        input.contiguous().view(shape),
        rm,
        rv,
        repeat(weight),
        repeat(bias),
        use_input_stats,
        momentum,
        eps,
    )
    if use_input_stats:
        for stat, new in ((running_mean, rm), (running_var, rv)):
            if stat is not None and new is not None:
                stat._data[...] = new._data.reshape(n, c).mean(axis=0)
                stat._bump_version()
    return y.view(input.shape)


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """y = (x - mean) / √(var + ε) · weight + bias, the statistics per sample and channel"""
    if use_input_stats and int(np.prod(input.shape[2:])) == 1:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size {input.shape}"
        )
    return torch_instance_norm(
        input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, False
    )


def local_response_norm(
    input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Tensor:
    """y = x / (k + α/n · Σ x² over n neighbouring channels)^β (zeros past the edges)"""
    dim = input.ndim
    if dim < 3:
        # PyTorch's text keeps the indentation of a continued line: 26 spaces
        raise ValueError(
            f"Expected 3D or higher dimensionality{' ' * 26}input (got {dim} dimensions)"
        )
    if input.numel() == 0:
        return input
    sq = input * input
    c = input.shape[1]
    padded = pad(sq, (0, 0) * (dim - 2) + (size // 2, (size - 1) // 2))
    total = padded[:, 0:c]
    for i in range(1, size):
        total = total + padded[:, i : i + c]
    div = (total / size * alpha + k) ** beta
    return input / div


def _cross_map_window(c: int, size: int, dtype: np.dtype) -> np.ndarray:
    """M[c, j] = 1 when channel j enters channel c's sum. The legacy kernel slides a running sum
    from channel 0 and never subtracts channel 0 itself, so it stays in every window."""
    reach = int((size - 1) / 2 + 1)
    m = np.zeros((c, c), dtype=dtype)
    for i in range(c):
        m[i, max(0, i - reach + 1) : min(c, i + reach)] = 1
    m[:, 0] = 1
    return m


class CrossMapLRN2dFunction(NumpyFunction):
    """y = x s^-β with s = k + α/n Σ_{j ∈ window(c)} x_j²;
    dx = g s^-β - 2αβ/n · x · Σ_{c: j ∈ window(c)} g_c x_c s_c^(-β-1)"""

    node_name = "CrossMapLRN2dBackward"

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, size: int, alpha: float, beta: float, k: float
    ) -> np.ndarray:
        m = _cross_map_window(x.shape[1], size, x.dtype)
        ctx.save_for_backward(x)
        ctx.m, ctx.args = m, (size, alpha, beta, k)
        s = np.einsum("cj,nj...->nc...", m, x * x) * (alpha / size) + k
        return x * s**-beta

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (x,) = ctx.saved_tensors
        size, alpha, beta, k = ctx.args
        # with ndgrad ops, so that the gradient is differentiable again
        m = Tensor._make(ctx.m)
        flat = (x * x).movedim(1, -1)  # (N, H, W, C)
        s = (flat @ m.mT * (alpha / size) + k).movedim(-1, 1)
        spread = (grad * x * s ** (-beta - 1)).movedim(1, -1) @ m
        gx = grad * s**-beta - x * spread.movedim(-1, 1) * (2 * alpha * beta / size)
        return gx, None, None, None, None


def cross_map_lrn2d(
    input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Tensor:
    if input.ndim != 4:
        raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.ndim}D instead.")
    return CrossMapLRN2dFunction.apply(input, size, alpha, beta, k)
