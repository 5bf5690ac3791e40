"""F.pad in every mode and F.rms_norm, exported through ``ndgrad.nn.functional``.

``pad`` takes PyTorch's flat ``(left, right, top, bottom, ...)`` widths, last dim first.
Constant padding (negative widths crop) is one Function whose backward crops; reflect,
replicate and circular padding gather every output element from an input position, and their
backward adds the gradient back at those positions (a sibling Function whose own backward is
the gather again, so the gradient is differentiable).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from ..ops.arithmetic import NumpyFunction, _copy_like_torch

__all__ = ["pad", "rms_norm"]


class ConstantPadNd(NumpyFunction):
    """y = x surrounded by `value` (negative widths crop); dx = g with the border cut off"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, widths: tuple[tuple[int, int], ...], value: float) -> Any:
        ctx.widths = widths
        cut = tuple(
            slice(max(-b, 0), n - max(-a, 0)) for (b, a), n in zip(widths, x.shape, strict=True)
        )
        grow = [(max(b, 0), max(a, 0)) for b, a in widths]
        kept = x[cut] if cut else x
        if not any(b or a for b, a in grow):
            # no positive width: PyTorch returns a clone of the cropped input (its layout)
            return _copy_like_torch(kept)
        # a new C-contiguous tensor, as PyTorch's (np.pad keeps a Fortran-ordered input's order)
        out = np.full(
            tuple(n + b + a for n, (b, a) in zip(kept.shape, grow, strict=True)), value, x.dtype
        )
        out[tuple(slice(b, b + n) for n, (b, _) in zip(kept.shape, grow, strict=True))] = kept
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        inner = tuple(
            slice(max(b, 0), n - max(a, 0))
            for (b, a), n in zip(ctx.widths, grad.shape, strict=True)
        )
        g = grad[inner]
        back = tuple((max(-b, 0), max(-a, 0)) for b, a in ctx.widths)
        if any(b or a for b, a in back):
            g = ConstantPadNd.apply(g, back, 0.0)
        return g, None, None


def _source(n: int, before: int, after: int, mode: str) -> np.ndarray:
    """For each output position along one dim, the input position it copies."""
    idx = np.arange(-before, n + after)
    if mode == "reflect":
        return np.where(idx < 0, -idx, np.where(idx >= n, 2 * (n - 1) - idx, idx))
    if mode == "replicate":
        return np.clip(idx, 0, n - 1)
    # circular: PyTorch first crops the negative widths, then wraps within what is left
    lo, hi = max(-before, 0), n - max(-after, 0)
    if hi <= lo:
        return idx % n
    return lo + (idx - lo) % (hi - lo)


class PadGather(NumpyFunction):
    """y[i] = x[src[i]] along each padded dim; dx = Σ of g over the positions copying each x"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, sources: tuple[Any, ...]) -> np.ndarray:
        ctx.sources, ctx.shape = sources, x.shape
        for axis, src in enumerate(sources):
            if src is not None:
                x = np.take(x, src, axis=axis)
        return x

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return PadScatter.apply(grad, ctx.sources, ctx.shape), None


class PadScatter(NumpyFunction):
    """The adjoint of PadGather: g added back at the input positions; its backward gathers"""

    @staticmethod
    def forward(ctx: Any, g: np.ndarray, sources: tuple[Any, ...], shape: tuple[int, ...]) -> Any:
        ctx.sources = sources
        for axis in reversed(range(len(sources))):
            src = sources[axis]
            if src is None:
                continue
            out_shape = list(g.shape)
            out_shape[axis] = shape[axis]
            out = np.zeros(out_shape, dtype=g.dtype)
            moved = np.moveaxis(out, axis, 0)
            np.add.at(moved, src, np.moveaxis(g, axis, 0))
            g = out
        return g

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return PadGather.apply(grad, ctx.sources), None, None


# PyTorch's node names, by mode and number of padded dims
class ReflectionPad1D(PadGather):
    node_name = "ReflectionPad1DBackward0"


class ReflectionPad2D(PadGather):
    node_name = "ReflectionPad2DBackward0"


class ReflectionPad3D(PadGather):
    node_name = "ReflectionPad3DBackward0"


class ReplicationPad1D(PadGather):
    node_name = "ReplicationPad1DBackward0"


class ReplicationPad2D(PadGather):
    node_name = "ReplicationPad2DBackward0"


class ReplicationPad3D(PadGather):
    node_name = "ReplicationPad3DBackward0"


class CircularPad(PadGather):
    """PyTorch pads circularly by writing slices of the input into a new tensor: its graph
    ends in a CopySlices node (one gather here, with the same gradient)."""

    node_name = "CopySlices"


_GATHERS: dict[tuple[str, int], type[PadGather]] = {
    ("circular", 1): CircularPad,
    ("circular", 2): CircularPad,
    ("circular", 3): CircularPad,
    ("reflect", 1): ReflectionPad1D,
    ("reflect", 2): ReflectionPad2D,
    ("reflect", 3): ReflectionPad3D,
    ("replicate", 1): ReplicationPad1D,
    ("replicate", 2): ReplicationPad2D,
    ("replicate", 3): ReplicationPad3D,
}


def _check_reflect_replicate_size(shape: Any, out_shape: list[int], k: int, mode: str) -> None:
    """The 1-d and 2-d reflect and replicate kernels' own check: an output of no width (1-d),
    or of neither height nor width (2-d); the replicate 2-d message has a stray space."""
    if k == 1 and out_shape[-1] < 1:
        raise RuntimeError(
            f"input (W: {shape[-1]}) is too small. Calculated output W: {out_shape[-1]}"
        )
    if k == 2 and out_shape[-2] < 1 and out_shape[-1] < 1:
        space = " " if mode == "replicate" else ""
        raise RuntimeError(
            f"input (H: {shape[-2]}, W: {shape[-1]}{space}) is too small. Calculated output H: "
            f"{out_shape[-2]} W: {out_shape[-1]}"
        )


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last len(pad)//2 dims: pad = (left, right, top, bottom, front, back)."""
    widths = [int(p) for p in pad]
    if len(widths) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(widths) // 2
    if k > input.ndim:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(widths)} and input of dimension {input.ndim}"
        )
    per_dim: list[tuple[int, int]] = [(0, 0)] * input.ndim
    for j in range(k):
        per_dim[input.ndim - 1 - j] = (widths[2 * j], widths[2 * j + 1])
    if mode == "constant":
        # PyTorch crops a negative width by narrow, dim by dim, before it pads
        for (b, a), n in zip(per_dim, input.shape, strict=True):
            n += min(b, 0)
            if n < 0 or n + min(a, 0) < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
        return ConstantPadNd.apply(input, tuple(per_dim), 0.0 if value is None else float(value))
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if not 1 <= k <= 3 or input.ndim not in (k + 1, k + 2):  # PyTorch's kernels: (N,) C, *k
        raise NotImplementedError(
            f"Padding size {len(widths)} is not supported for {input.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
        )
    out_shape = [n + b + a for n, (b, a) in zip(input.shape, per_dim, strict=True)]
    if mode == "circular":  # PyTorch's checks, the first padded dim first
        for (b, a), n, m in zip(per_dim[-k:], input.shape[-k:], out_shape[-k:], strict=True):
            if b > n or a > n:
                raise RuntimeError("Padding value causes wrapping around more than once.")
            if m < 0:
                raise RuntimeError("Negative padding value is resulting in an empty dimension")
    sources: list[Any] = [None] * input.ndim
    for d in range(input.ndim - 1, input.ndim - k - 1, -1):  # PyTorch checks the last dim first
        b, a = per_dim[d]
        n = input.shape[d]
        if mode == "reflect" and (b >= n or a >= n):
            arg = 4 + 2 * (input.ndim - 1 - d)  # PyTorch's #4 (left, right), #6 (top, bottom)
            raise RuntimeError(
                f"Argument #{arg}: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({b}, {a}) at dimension {d} of input "
                f"{list(input.shape)}"
            )
        if mode == "circular" and (b > n or a > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        sources[d] = _source(n, b, a, mode)
    if mode != "circular":
        _check_reflect_replicate_size(input.shape, out_shape, k, mode)
    negative = [m for m in out_shape if m < 0]
    if negative and mode == "reflect" and k == 2:
        raise RuntimeError("numel: integer multiplication overflow")
    if negative:  # negative widths wider than the input: the output cannot be made
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {negative[0]}: {out_shape}"
        )
    fn = _GATHERS.get((mode, k), PadGather)
    return fn.apply(input, tuple(sources))


def rms_norm(
    input: Tensor,
    normalized_shape: Any,
    weight: Tensor | None = None,
    eps: float | None = None,
) -> Tensor:
    """y = x / √(mean(x²) + eps) · weight over the last len(normalized_shape) dims"""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.ndim - len(shape) :]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*{', '.join(str(s) for s in shape)}], but got input of size{list(input.shape)}"
        )
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    y = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return y * weight if weight is not None else y
