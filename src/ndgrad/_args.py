"""Reading the size and dtype arguments shared by the tensor, the creation functions and the ops:
sizes given as ``f(2, 3)`` or ``f((2, 3))``, PyTorch's error for a negative size, and the names
PyTorch's messages give dtypes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _tensor_ref
from .dtypes import from_numpy_dtype

__all__ = ["check_dims", "dtype_name", "parse_shape"]


def dtype_name(dt: np.dtype) -> str:
    """'Float', 'Long', ...: how PyTorch's messages name a dtype."""
    names = {
        "float16": "Half",
        "float32": "Float",
        "float64": "Double",
        "int64": "Long",
        "int32": "Int",
        "int16": "Short",
        "int8": "Char",
        "uint8": "Byte",
        "bool": "Bool",
    }
    return names.get(from_numpy_dtype(dt).name, dt.name)


def parse_shape(args: Sequence[Any]) -> tuple[int, ...]:
    """Sizes given as ``f(2, 3)``, ``f((2, 3))`` or ``f([2, 3])``."""
    if len(args) == 1 and isinstance(args[0], Sequence | np.ndarray):
        args = tuple(args[0])
    T = _tensor_ref.Tensor
    out = []
    for s in args:
        if isinstance(s, T):
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
