"""Instance normalisation and local response normalisation, as ``torch.nn.functional`` and
``torch.*`` compute them.

``instance_norm`` is PyTorch's: batch norm over the input viewed as one sample of N·C channels,
viewed back (so it records ``ViewBackward0``), with weight, bias and running statistics repeated
per sample and the running statistics averaged back over the samples. ``local_response_norm``
is the composite PyTorch writes in Python (it records ``DivBackward0``); ``CrossMapLRN2d`` is the
legacy fused op with its own node.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from ..ops.arithmetic import NumpyFunction
from ._padding import pad

__all__ = ["cross_map_lrn2d", "instance_norm", "local_response_norm", "torch_instance_norm"]


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
    from .functional import batch_norm  # functional imports this module

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
