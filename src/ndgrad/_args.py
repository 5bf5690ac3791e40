"""Reading the size arguments shared by the creation functions and the ops: sizes given as
``f(2, 3)`` or ``f((2, 3))`` (a 0-d tensor counts as its value), and PyTorch's error for a
negative size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._tensor import Tensor

__all__ = ["check_dims", "parse_shape"]


def parse_shape(args: Sequence[Any]) -> tuple[int, ...]:
    """Sizes given as ``f(2, 3)``, ``f((2, 3))`` or ``f([2, 3])``."""
    if len(args) == 1 and isinstance(args[0], Sequence | np.ndarray):
        args = tuple(args[0])
    out = []
    for s in args:
        if isinstance(s, Tensor):
            s = s.item()
        if not isinstance(s, int | np.integer) or isinstance(s, bool):
            raise TypeError(f"sizes must be integers, got {type(s).__name__} in {tuple(args)!r}")
        out.append(int(s))
    return tuple(out)


def check_dims(shape: tuple[int, ...]) -> tuple[int, ...]:
    """``shape``, the sizes of a new tensor, or PyTorch's error for its first negative size."""
    for d in shape:
        if d < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {d}: {list(shape)}"
            )
    return shape
