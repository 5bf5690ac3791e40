"""The torch-level questions about tensors and dtypes: is_complex, is_nonzero, is_same_size,
is_signed, typename, result_type, promote_types, can_cast, broadcast_shapes, and the
conjugation names, which are the identity on real tensors (complex numbers are out of scope)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from ._tensor import Size, Tensor
from .ops._util import require_tensor

__all__ = [
    "adjoint",
    "broadcast_shapes",
    "can_cast",
    "conj",
    "conj_physical",
    "finfo",
    "iinfo",
    "imag",
    "is_complex",
    "is_conj",
    "is_inference",
    "is_neg",
    "is_nonzero",
    "is_same_size",
    "is_signed",
    "promote_types",
    "real",
    "resolve_conj",
    "resolve_neg",
    "result_type",
    "typename",
]


def is_complex(input: Tensor) -> bool:
    """False: ndgrad has no complex dtypes."""
    require_tensor(input, "is_complex")
    return input.is_complex()


def is_conj(input: Tensor) -> bool:
    require_tensor(input, "is_conj")
    return False


def is_neg(input: Tensor) -> bool:
    require_tensor(input, "is_neg")
    return False


def is_inference(input: Tensor) -> bool:
    require_tensor(input, "is_inference")
    return False


def is_nonzero(input: Tensor) -> bool:
    require_tensor(input, "is_nonzero")
    return input.is_nonzero()


def is_same_size(input: Tensor, other: Tensor) -> bool:
    require_tensor(input, "is_same_size")
    return input.is_same_size(other)


def is_signed(input: Tensor) -> bool:
    require_tensor(input, "is_signed")
    return input.is_signed()


def conj(input: Tensor) -> Tensor:
    require_tensor(input, "conj")
    return input


conj_physical = resolve_conj = resolve_neg = real = conj


def imag(input: Tensor) -> Tensor:
    require_tensor(input, "imag")
    return input.imag


def adjoint(input: Tensor) -> Tensor:
    require_tensor(input, "adjoint")
    return input.adjoint()


def typename(obj: Any) -> str:
    """``'torch.FloatTensor'`` for a tensor; for a class or function its own qualified name
    (``typename(nn.Parameter)``, ``typename(len)`` is ``'len'``); else its type's."""
    if isinstance(obj, Tensor):
        return obj.type()
    named = obj if hasattr(obj, "__qualname__") else type(obj)
    module = getattr(named, "__module__", None)
    if module in ("builtins", "__builtin__", "", None):
        return named.__qualname__
    return f"{module}.{named.__qualname__}"


def result_type(tensor1: Any, tensor2: Any) -> dtypes.dtype:
    """The dtype an arithmetic op on these two operands (tensors or numbers) returns."""
    ops = [t._data if isinstance(t, Tensor) else t for t in (tensor1, tensor2)]
    return dtypes.from_numpy_dtype(dtypes.result_type(*ops))


def promote_types(type1: Any, type2: Any) -> dtypes.dtype:
    a, b = dtypes.to_dtype(type1).np, dtypes.to_dtype(type2).np
    return dtypes.from_numpy_dtype(dtypes.promote_types(a, b))


def can_cast(from_: Any, to: Any) -> bool:
    """PyTorch's casting rule: no cast to a lower kind (float to int, int to bool)."""
    return dtypes.can_cast(dtypes.to_dtype(from_).np, dtypes.to_dtype(to).np)


def broadcast_shapes(*shapes: Any) -> Size:
    """The shape tensors of these shapes broadcast to, with PyTorch's error if they do not."""
    norm = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    result: list[int] = []
    for i, shape in enumerate(norm):
        for k in range(1, len(shape) + 1):
            n = shape[-k]
            if k > len(result):
                result.insert(0, n)
            elif result[-k] == 1:
                result[-k] = n
            elif n not in (1, result[-k]):
                # the argument as given (a list, a tuple or a torch.Size), as PyTorch prints it
                given = shape if isinstance(shapes[i], int) else shapes[i]
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {n} at -{k}! Mismatching "
                    f"argument at index {i} had {given}; but expected shape should be "
                    f"broadcastable to {result}"
                )
    return Size(np.broadcast_shapes(*norm)) if norm else Size(())


class finfo:
    """Machine limits of a floating dtype (the default dtype without an argument)."""

    def __init__(self, type: Any = None) -> None:
        dt = dtypes.get_default_dtype() if type is None else dtypes.to_dtype(type)
        if dt.np.kind != "f":
            raise TypeError(
                "torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                "'torch.finfo'"
            )
        info = np.finfo(dt.np)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = float(info.resolution)
        self.dtype = dt.np.name

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
            f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, "
            f"dtype={self.dtype})"
        )


class iinfo:
    """Limits of an integer dtype."""

    def __init__(self, type: Any) -> None:
        dt = dtypes.to_dtype(type)
        if dt.np.kind == "b":
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if dt.np.kind not in "iu":
            raise TypeError(
                "torch.iinfo() requires an integer input type. Use torch.finfo to handle "
                "'torch.iinfo'"
            )
        info = np.iinfo(dt.np)
        self.bits = int(info.bits)
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = dt.np.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"
