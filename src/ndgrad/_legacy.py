"""PyTorch's legacy tensor types: ``ndgrad.FloatTensor``, ``LongTensor``...

Old scripts still build tensors with ``torch.FloatTensor([1, 2])`` or ``torch.LongTensor(3, 4)``
and test ``isinstance(x, torch.FloatTensor)``. Each type here is a constructor for its dtype
(data is copied and cast; sizes allocate, here zero-filled) and an ``isinstance`` check on dtype,
as in PyTorch; ``Tensor.type()`` names them. Their instances are ordinary ``Tensor`` objects.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._args import parse_shape
from ._creation import _array_from_data
from ._device import check_device
from ._errors import c_type_name
from ._tensor import Tensor
from .dtypes import dtype, from_numpy_dtype

__all__ = [
    "BoolTensor",
    "ByteTensor",
    "CharTensor",
    "DoubleTensor",
    "FloatTensor",
    "HalfTensor",
    "IntTensor",
    "LongTensor",
    "ShortTensor",
]


class _TensorType(type):
    """The metaclass of the legacy types: calling one builds a Tensor of its dtype."""

    np_dtype: np.dtype

    @property
    def dtype(cls) -> dtype:
        return from_numpy_dtype(cls.np_dtype)

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj._data.dtype == cls.np_dtype

    def __call__(cls, *args: Any, **kwargs: Any) -> Tensor:
        check_device(kwargs.pop("device", None))
        if kwargs:
            raise TypeError(
                f"new() received an invalid combination of arguments - got an unexpected "
                f"keyword argument '{next(iter(kwargs))}'"
            )
        if len(args) == 1 and isinstance(args[0], Tensor):
            if args[0]._data.dtype != cls.np_dtype:
                raise TypeError(
                    f"expected {_options(cls.np_dtype)} (got {_options(args[0]._data.dtype)})"
                )
            return args[0].detach()
        if len(args) == 1 and not isinstance(args[0], int | np.integer):
            data = _array_from_data(args[0], cls.np_dtype)
        else:
            data = np.zeros(parse_shape(args) if args else (0,), dtype=cls.np_dtype)
        return Tensor._make(data)

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


def _options(np_dtype: np.dtype) -> str:
    """PyTorch's TensorOptions text, which its legacy constructors print on a dtype mismatch."""
    return (
        f"TensorOptions(dtype={c_type_name(np_dtype)}, device=cpu, layout=Strided, "
        "requires_grad=false (default), pinned_memory=false (default), memory_format=(nullopt))"
    )


def _tensor_type(name: str, np_dtype: Any) -> _TensorType:
    return _TensorType(name, (), {"np_dtype": np.dtype(np_dtype), "__module__": "ndgrad"})


FloatTensor = _tensor_type("FloatTensor", np.float32)
DoubleTensor = _tensor_type("DoubleTensor", np.float64)
HalfTensor = _tensor_type("HalfTensor", np.float16)
LongTensor = _tensor_type("LongTensor", np.int64)
IntTensor = _tensor_type("IntTensor", np.int32)
ShortTensor = _tensor_type("ShortTensor", np.int16)
CharTensor = _tensor_type("CharTensor", np.int8)
ByteTensor = _tensor_type("ByteTensor", np.uint8)
BoolTensor = _tensor_type("BoolTensor", np.bool_)

_BY_NAME = {
    f"torch.{t.__name__}": t
    for t in (
        FloatTensor,
        DoubleTensor,
        HalfTensor,
        LongTensor,
        IntTensor,
        ShortTensor,
        CharTensor,
        ByteTensor,
        BoolTensor,
    )
}


def legacy_dtype(spec: Any) -> dtype | None:
    """The dtype a legacy type or its name (``'torch.LongTensor'``) stands for, else None."""
    if isinstance(spec, _TensorType):
        return spec.dtype
    if isinstance(spec, str):
        t = _BY_NAME.get(spec)
        if t is None:
            raise ValueError(f"invalid type: '{spec}'")
        return t.dtype
    return None
