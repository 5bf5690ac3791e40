"""Reductions: sum and mean over all elements or over ``dim`` (an int or a tuple), with keepdim."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ._util import dtype_name, normalize_dims, reduced_shape
from .arithmetic import NumpyFunction

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = ["mean", "sum"]


def _expand_grad(grad: Tensor, ctx: Any) -> Tensor:
    """Spread a reduced gradient back over the input's shape (the backward of every reduction)."""
    return grad.reshape(ctx.kept_shape).expand(*ctx.in_shape)


class Sum(NumpyFunction):
    """y = Σ x over the axes; dy/dx = 1 everywhere"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, axes: tuple[int, ...] | None, keepdim: bool) -> Any:
        ctx.in_shape = x.shape
        ctx.kept_shape = reduced_shape(x.shape, axes)
        # PyTorch sums integers and bools as int64.
        dt = np.int64 if x.dtype.kind in "iub" else None
        return x.sum(axis=axes, dtype=dt, keepdims=keepdim)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return _expand_grad(grad, ctx), None, None


class SumDim(Sum):
    node_name = "SumBackward1"


class Mean(NumpyFunction):
    """y = Σ x / n over the axes; dy/dx = 1/n"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, axes: tuple[int, ...] | None, keepdim: bool) -> Any:
        ctx.in_shape = x.shape
        ctx.kept_shape = reduced_shape(x.shape, axes)
        ctx.count = x.size if axes is None else int(np.prod([x.shape[a] for a in axes]))
        return x.mean(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        scale = 1.0 / ctx.count if ctx.count else float("nan")
        return _expand_grad(grad, ctx) * scale, None, None


class MeanDim(Mean):
    node_name = "MeanBackward1"


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Sum of all elements, or over ``dim`` (int or tuple), keeping reduced dims with keepdim."""
    if dtype is not None:
        input = input.to(dtype)
    axes = normalize_dims(dim, input._data.ndim)
    if axes == () and input._data.ndim:  # PyTorch: dim=() reduces all dims
        axes = None
    if dim is None and not keepdim:
        return Sum.apply(input, None, False)
    return SumDim.apply(input, axes, keepdim)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Mean of all elements, or over ``dim``; the input must be floating point."""
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {dtype_name(input._data.dtype)}"
        )
    axes = normalize_dims(dim, input._data.ndim)
    if axes == () and input._data.ndim:
        axes = None
    if dim is None and not keepdim:
        return Mean.apply(input, None, False)
    return MeanDim.apply(input, axes, keepdim)


class ReductionMethods:
    """Tensor methods of the reductions."""

    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return sum(self, dim, keepdim, dtype=dtype)  # type: ignore[arg-type]

    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return mean(self, dim, keepdim, dtype=dtype)  # type: ignore[arg-type]
