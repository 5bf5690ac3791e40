"""Layouts and memory formats: the names PyTorch code passes around.

ndgrad tensors are dense numpy arrays: the layout is always ``strided``, and the memory formats
``contiguous_format`` and ``preserve_format`` are accepted where PyTorch takes one
(``x.contiguous(memory_format=torch.contiguous_format)``); ``channels_last`` copies lay the
channels fastest (``ops/arithmetic.py``). ``empty_like_torch`` gives the layout of PyTorch's
``empty_like``, which its random fills (``rand_like``, dropout's mask) walk in memory order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _errors

__all__ = [
    "channels_last",
    "channels_last_3d",
    "contiguous_format",
    "layout",
    "legacy_contiguous_format",
    "memory_format",
    "preserve_format",
    "strided",
]


class layout:
    """A tensor layout; ndgrad has one, ``strided``."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"torch.{self._name}"

    def __reduce__(self) -> str:
        return self._name


class memory_format:
    """A memory format, as PyTorch's ``torch.memory_format``."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"torch.{self._name}"

    def __reduce__(self) -> str:
        return self._name


strided = layout("strided")
contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
legacy_contiguous_format = memory_format("legacy_contiguous_format")


def iter_order(shape: Sequence[int], operands: Sequence[Sequence[int]]) -> list[int]:
    """The dims of an elementwise result, outermost first, as PyTorch's TensorIterator orders
    them (its reorder_dimensions): for each pair of dims the first operand whose strides (of the
    broadcast shape) are both nonzero and differ decides, equal strides putting the smaller size
    inside; where no operand decides the dims keep their order."""
    n = len(shape)
    perm = list(range(n - 1, -1, -1))  # perm[0] is the innermost dim

    def should_swap(d0: int, d1: int) -> int:
        for strides in operands:
            s0, s1 = strides[d0], strides[d1]
            if s0 == 0 or s1 == 0:
                continue
            if s0 != s1:
                return 1 if s0 > s1 else -1
            if shape[d0] > shape[d1]:
                return 1
        return 0

    for i in range(1, n):  # insertion sort, stable
        d1 = i
        for d0 in range(i - 1, -1, -1):
            c = should_swap(perm[d0], perm[d1])
            if c > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif c < 0:
                break
    return perm[::-1]


def _torch_order(shape: tuple[int, ...], strides: tuple[int, ...]) -> list[int]:
    """The dims as PyTorch's empty_like(preserve_format) orders them, outermost first (its
    infer_dense_strides): the order of one operand, a stride-0 (expanded) dim keeping its
    place."""
    return iter_order(shape, [strides])


def empty_like_torch(x: np.ndarray, dt: Any = None) -> np.ndarray:
    """An uninitialised array of x's shape laid out as PyTorch's ``empty_like(x)``
    (preserve_format): x's own layout when x is dense, else the dense one ``_torch_order``
    gives. A kernel that fills it in memory order (``bernoulli_``) fills it as PyTorch's."""
    dt = x.dtype if dt is None else dt
    if x.flags.c_contiguous:
        return np.empty(x.shape, dt)
    if _errors.is_dense(x):
        return np.empty_like(x, dtype=dt, order="K")
    return empty_strided_like(x, dt)


def empty_strided_like(x: np.ndarray, dt: Any) -> np.ndarray:
    """A new dense array of x's shape with its dims in ``_torch_order`` (PyTorch's
    infer_dense_strides)."""
    outer_first = _torch_order(x.shape, x.strides)
    shape = tuple(x.shape[d] for d in outer_first)
    return np.empty(shape, dt).transpose(np.argsort(outer_first))


def suggests_channels_last(a: np.ndarray) -> bool:
    """Whether PyTorch takes a 4-d or 5-d ``a`` for channels-last (``suggest_memory_format``):
    its strides grow, or stay, taking channels first, then the spatial dims from the last, the
    batch last; a dim of size n > 1 makes the next stride at least n times its own. Ambiguous
    layouts are contiguous: channels of stride 0, and a batch whose stride equals that bound
    when it is the channels' stride (an N111 tensor). cat's result and a convolution's output
    follow it."""
    order = {4: (1, 3, 2, 0), 5: (1, 4, 3, 2, 0)}.get(a.ndim)
    if order is None or a.strides[1] == 0:
        return False
    least = 0
    for d in order:
        n, st = a.shape[d], a.strides[d]
        if n == 0 or st < least or (d == 0 and least == a.strides[1]):
            return False
        least = st * n if n > 1 else st
    return True


def empty_in_format(x: np.ndarray, fmt: Any, dt: Any, op: str = "empty_like") -> np.ndarray:
    """An uninitialised array of x's shape laid out as PyTorch's ``empty_like(x,
    memory_format=fmt)``: as x (``preserve_format``, the default), row-major, or channels
    fastest (``channels_last`` for 4-d, ``channels_last_3d`` for 5-d)."""
    if fmt is None or fmt is preserve_format:
        return empty_like_torch(x, dt)
    if fmt is contiguous_format or fmt is legacy_contiguous_format:
        return np.empty(x.shape, dt)
    rank = {channels_last: 4, channels_last_3d: 5}.get(fmt)
    if rank is None:
        raise TypeError(
            f"{op}(): argument 'memory_format' must be torch.memory_format, not "
            f"{type(fmt).__name__}"
        )
    if x.ndim != rank:
        raise RuntimeError(f"required rank {rank} tensor to use {fmt._name} format")
    moved = np.empty((x.shape[0], *x.shape[2:], x.shape[1]), dt)
    return np.moveaxis(moved, -1, 1)
