"""``linear`` and ``bilinear``, exported through ``ndgrad.nn.functional``; the layers, attention
and ``linear_cross_entropy`` build on ``linear``."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .._errors import c_type_name
from ..ops._util import dtype_name
from ..ops.products import Addmm, Mm
from ..ops.shape import ReshapeCopy

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = ["bilinear", "linear"]


def _dtype_letter(t: Tensor) -> str:
    return dtype_name(t._data.dtype)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = input @ weightᵀ + bias"""
    xs, ws = input._data.shape, weight._data.shape
    if input._data.ndim == 0 or weight._data.ndim != 2 or xs[-1] != ws[1]:
        rows = int(np.prod(xs[:-1])) if input._data.ndim > 1 else 1
        cols = xs[-1] if xs else 1
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{cols} and {ws[-1]}x{ws[0]})"
        )
    if input._data.dtype != weight._data.dtype:
        if bias is not None:  # PyTorch's addmm path, as nn.Linear takes by default
            raise RuntimeError(
                "mat1 and mat2 must have the same dtype, but got "
                f"{_dtype_letter(input)} and {_dtype_letter(weight)}"
            )
        # Without a bias PyTorch runs matmul, whose message names the C types.
        da, dw = input._data.dtype.name, weight._data.dtype.name
        raise RuntimeError(
            "expected m1 and m2 to have the same dtype, but got: "
            f"{c_type_name(da)} != {c_type_name(dw)}"
        )
    # Composed as PyTorch's at::linear composes it, so that the graph is PyTorch's: the
    # weight enters through weight.t() (TBackward0); a 2-d input, and a contiguous one of any
    # other rank with a contiguous 1-d bias, go through addmm (mm without a bias) on a 2-d
    # view; others (a 0-d or expanded bias too) through matmul's mm of the rows, the bias added
    # in place.
    wt = weight.t()
    nd, k = input._data.ndim, xs[-1]
    if nd == 2:
        return Addmm.apply(bias, input, wt, 1, 1) if bias is not None else Mm.apply(input, wt)
    rows = math.prod(xs[:-1])  # not -1: a size may be 0
    if bias is not None and bias._data.ndim == 1 and bias.is_contiguous() and input.is_contiguous():
        out = Addmm.apply(bias, input.reshape(rows, k), wt, 1, 1)  # _flatten_nd_linear
        return out.view((*xs[:-1], ws[0]))
    if nd == 1:  # matmul of a vector: a 1-row matrix and back
        out = Mm.apply(input.unsqueeze(0), wt).squeeze_(0)
    else:  # matmul folds the batch dims into the rows (a copy where the input is not contiguous)
        out = ReshapeCopy.apply(Mm.apply(input.reshape(rows, k), wt), (*xs[:-1], ws[0]))
    return out if bias is None else out.add_(bias)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y_k = x1ᵀ W_k x2 + b_k"""
    out, in1, in2 = weight.shape
    # x1 (N, in1) @ W viewed as (in1, out*in2) gives x1ᵀ W_k for every k at once
    t = input1 @ weight.permute(1, 0, 2).reshape(in1, out * in2)
    t = t.reshape((*input1.shape[:-1], out, in2))
    y = (t * input2.unsqueeze(-2)).sum(-1)
    return y + bias if bias is not None else y
