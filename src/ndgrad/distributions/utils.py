"""Helpers shared by the distributions: broadcasting parameters, probs ↔ logits, draws."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._creation import tensor
from .._namespace import public_dir
from .._random import rand, randn
from .._tensor import Tensor
from ..dtypes import get_default_dtype
from ..nn.functional import softmax
from ..ops.out import arange
from ..ops.shape import broadcast_tensors
from .distribution import lazy_property

__all__ = [
    "broadcast_all",
    "clamp_probs",
    "euler_constant",
    "lazy_property",
    "logits_to_probs",
    "probs_to_logits",
    "tril_matrix_to_vec",
    "vec_to_tril_matrix",
]
__dir__ = public_dir(__name__)

euler_constant = 0.57721566490153286060  # Euler-Mascheroni constant, as torch.distributions.utils


def broadcast_all(*values: Any) -> tuple[Tensor, ...]:
    """Numbers become tensors of the tensors' dtype (or the default dtype); all are expanded to
    one broadcast shape."""
    tensors = [v for v in values if isinstance(v, Tensor)]
    if not all(isinstance(v, Tensor | numbers.Number) for v in values):
        raise ValueError(
            "Input arguments must all be instances of Number, torch.Tensor or objects "
            "implementing __torch_function__."
        )
    dtype = tensors[0].dtype if tensors else get_default_dtype()
    full = [v if isinstance(v, Tensor) else tensor(float(v), dtype=dtype) for v in values]
    try:
        shape = np.broadcast_shapes(*(tuple(v.shape) for v in full))
    except ValueError:
        broadcast_tensors(*full)  # raises PyTorch's RuntimeError naming the sizes
        raise
    return tuple(v if tuple(v.shape) == shape else v.expand((*shape,)) for v in full)


def clamp_probs(probs: Tensor) -> Tensor:
    eps = float(np.finfo(probs._data.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    if is_binary:
        return logits.sigmoid()
    return softmax(logits, -1)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    ps = clamp_probs(probs)
    if is_binary:
        return ps.log() - (-ps).log1p()
    return ps.log()


def uniform(shape: tuple[int, ...], like: Tensor) -> np.ndarray:
    """U[0, 1) draws of like's dtype from ndgrad's global generator: ``torch.rand(shape,
    dtype=like.dtype)``, as PyTorch's samplers draw them."""
    return rand((*shape,), dtype=like.dtype)._data


def normal(shape: tuple[int, ...], like: Tensor) -> np.ndarray:
    """Standard normal draws of like's dtype: PyTorch's ``_standard_normal(shape, dtype)``, an
    empty tensor's ``normal_()``."""
    return randn((*shape,), dtype=like.dtype)._data


def _tril_mask(n: int, diag: int) -> Tensor:
    index = arange(n)
    return index < index.view(-1, 1) + (diag + 1)


def tril_matrix_to_vec(mat: Tensor, diag: int = 0) -> Tensor:
    """The lower triangle of (a batch of) D×D matrices down from diagonal diag, row by row."""
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    return mat[..., _tril_mask(n, diag)]


def vec_to_tril_matrix(vec: Tensor, diag: int = 0) -> Tensor:
    """The inverse of tril_matrix_to_vec: D solves D² + (1 + 2 diag) D - |diag| (diag + 1) =
    2 len(vec)."""
    k = 1 + 2 * diag
    n = (-k + (k**2 + 8 * vec.shape[-1] + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    if round(n) - n > float(np.finfo(vec._data.dtype).eps):
        raise ValueError(
            f"The size of last dimension is {vec.shape[-1]} which cannot be expressed as "
            "the lower triangular part of a square D x D matrix."
        )
    size = round(n)
    mat = vec.new_zeros((*vec.shape[:-1], size, size))
    mat[..., _tril_mask(size, diag)] = vec
    return mat
