"""dtypes: ndgrad.float32 and friends, the default dtype, and PyTorch's type promotion."""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

from ._namespace import public_dir

__all__ = [
    "bool",
    "double",
    "dtype",
    "float",
    "float16",
    "float32",
    "float64",
    "get_default_dtype",
    "half",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "long",
    "set_default_dtype",
    "short",
    "uint8",
]
__dir__ = public_dir(__name__)

# This module defines `float`, `int` and `bool` as dtypes, as torch does; keep the builtins at hand.
_builtin_bool = builtins.bool
_builtin_int = builtins.int
_builtin_float = builtins.float


class dtype:
    """A tensor element type; wraps a numpy dtype.

    It prints as ``torch.float32`` so that printed tensors read exactly as PyTorch's do.
    """

    __slots__ = ("is_floating_point", "is_signed", "itemsize", "name", "np")

    def __init__(self, name: str, np_dtype: Any) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.is_signed = self.np.kind in "fi"
        self.itemsize = self.np.itemsize

    @property
    def is_complex(self) -> _builtin_bool:
        return False

    def __repr__(self) -> str:
        return "torch." + self.name

    def __reduce__(self) -> str:
        return self.name


float16 = half = dtype("float16", np.float16)
float32 = float = dtype("float32", np.float32)
float64 = double = dtype("float64", np.float64)
uint8 = dtype("uint8", np.uint8)
int8 = dtype("int8", np.int8)
int16 = short = dtype("int16", np.int16)
int32 = int = dtype("int32", np.int32)
int64 = long = dtype("int64", np.int64)
bool = dtype("bool", np.bool_)

_ALL = (float16, float32, float64, uint8, int8, int16, int32, int64, bool)
_FROM_NUMPY: dict[np.dtype, dtype] = {d.np: d for d in _ALL}

_default = float32


def get_default_dtype() -> dtype:
    """The dtype of tensors made from Python floats (float32 unless changed)."""
    return _default


def set_default_dtype(d: dtype) -> None:
    """Set the dtype of tensors made from Python floats; must be a floating dtype."""
    global _default
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default = d


def from_numpy_dtype(np_dtype: np.dtype) -> dtype:
    """The ndgrad dtype of a numpy dtype; a clear TypeError for ones ndgrad does not support."""
    try:
        return _FROM_NUMPY[np_dtype]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np_dtype}. The only supported types are: "
            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


def to_dtype(d: Any) -> dtype:
    """Accept an ndgrad dtype, a numpy dtype or a Python type (float, int, bool)."""
    if isinstance(d, dtype):
        return d
    if d is _builtin_float:
        return _default
    if d is _builtin_int:
        return int64
    if d is _builtin_bool:
        return bool
    try:
        return from_numpy_dtype(np.dtype(d))
    except TypeError:
        raise TypeError(f"expected an ndgrad dtype (e.g. ndgrad.float32), got {d!r}") from None


# --- type promotion -------------------------------------------------------------------------
# PyTorch orders operands by priority: tensors with dimensions, then 0-d tensors, then Python
# numbers. A lower-priority operand changes the result only when its category (bool < integer
# < floating) is higher; a Python float then brings the default dtype, a 0-d tensor its own.

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def _category(np_dtype: np.dtype) -> _builtin_int:
    return _CATEGORY[np_dtype.kind]


def can_cast(src: np.dtype, dst: np.dtype) -> _builtin_bool:
    """PyTorch's canCast: a result may be written into a tensor of any dtype of its category or
    a higher one (int16 into uint8 wraps, as numpy's "same_kind" would refuse), never lower
    (float into an integer, an integer into bool)."""
    return _CATEGORY[src.kind] <= _CATEGORY[dst.kind]


def scalar_numpy_dtype(value: Any) -> np.dtype:
    """The dtype a Python number takes when it wins promotion on its own."""
    if isinstance(value, _builtin_bool | np.bool_):
        return np.dtype(np.bool_)
    if isinstance(value, _builtin_int | np.integer):
        return np.dtype(np.int64)
    return _default.np


def promote_types(a: np.dtype, b: np.dtype) -> np.dtype:
    """PyTorch's promote_types on numpy dtypes.

    numpy's table agrees except for integer with float: numpy widens the float to hold every
    integer (int64 + float32 -> float64), PyTorch keeps the float (float32).
    """
    if a.kind == "f" and b.kind != "f":
        return a
    if b.kind == "f" and a.kind != "f":
        return b
    return np.promote_types(a, b)


def result_type(*operands: Any) -> np.dtype:
    """The numpy dtype PyTorch gives ``op(*operands)``; operands are arrays or numbers."""
    dims: np.dtype | None = None
    zero_dim: np.dtype | None = None
    scalar_cat = -1
    scalar_dtype: np.dtype | None = None
    for x in operands:
        if isinstance(x, np.ndarray):
            if x.ndim:
                dims = x.dtype if dims is None else promote_types(dims, x.dtype)
            else:
                zero_dim = x.dtype if zero_dim is None else promote_types(zero_dim, x.dtype)
        elif x is not None:
            dt = scalar_numpy_dtype(x)
            if _category(dt) > scalar_cat:
                scalar_cat, scalar_dtype = _category(dt), dt
    result = dims
    for lower in (zero_dim, scalar_dtype):
        if lower is None:
            continue
        if result is None or _category(lower) > _category(result):
            result = lower
    assert result is not None, "result_type needs at least one operand"
    return result


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


# --- numbers converted into a dtype, as PyTorch converts a scalar argument ---------------------

# The range of each integer dtype, by numpy's dtype character.
INT_RANGES = {
    np.dtype(d).char: (builtins.int(np.iinfo(d).min), builtins.int(np.iinfo(d).max))
    for d in (np.uint8, np.int8, np.int16, np.int32, np.int64)
}


def wrap_int(value: builtins.int, dt: np.dtype) -> builtins.int:
    """A Python int as PyTorch converts it to an integer tensor's dtype in a binary op: it
    wraps (``uint8_tensor + 256`` adds 0, ``int8_tensor < 128`` compares with -128), where numpy
    raises OverflowError. PyTorch reads the int as a 64-bit integer first, and only that can
    overflow."""
    if value >= 1 << 64:
        raise OverflowError("int too big to convert")
    if value < -(1 << 63):
        raise OverflowError("can't convert negative int to unsigned")
    bits = 8 * dt.itemsize
    value %= 1 << bits
    return value - (1 << bits) if dt.kind == "i" and value >= 1 << (bits - 1) else value


# How c10's checked conversions name each dtype in their messages.
_CHECKED_NAMES = {
    "bool": "bool",
    "uint8": "uint8_t",
    "int8": "int8_t",
    "int16": "int16_t",
    "int32": "int",
    "int64": "int64_t",
    "float16": "c10::Half",
    "float32": "float",
    "float64": "double",
}


def checked_type_name(dt: np.dtype) -> str:
    """The C type c10's checked conversions name ``dt`` by ("value cannot be converted to
    type int8_t without overflow")."""
    return _CHECKED_NAMES[dt.name]


_F16, _F32, _F64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)


def astype_torch(a: np.ndarray, dt: np.dtype) -> np.ndarray:
    """``a.astype(dt)`` as PyTorch converts: float64 into float16 goes through float32, as
    c10::Half is made from a float (so a double rounds twice: 4.056096217598422e-05 becomes
    the half with bits 680, where one rounding gives 681)."""
    if dt == _F16 and a.dtype == _F64:
        return a.astype(_F32).astype(_F16)
    return a.astype(dt)


def checked_scalar(value: Any, dt: np.dtype) -> Any:
    """A Python number as PyTorch converts a scalar argument into the dtype an op computes in,
    where it checks the conversion (clamp's bounds): RuntimeError if it overflows ``dt``. An
    unsigned dtype takes a negative int whose magnitude fits and wraps it (uint8: -1 is 255,
    -256 overflows), as c10's ``overflows`` allows; an infinity fits a float dtype."""
    if isinstance(value, builtins.bool) or dt.kind == "b":
        return value
    if isinstance(value, builtins.int):
        if value >= 1 << 64:
            raise OverflowError("int too big to convert")
        if value < -(1 << 63):
            raise OverflowError("can't convert negative int to unsigned")
    if dt.kind == "f":
        fits = not math.isfinite(value) or abs(value) <= builtins.float(np.finfo(dt).max)
    else:
        lo, hi = INT_RANGES[dt.char]
        if isinstance(value, builtins.float):  # c10: fits if lowest <= value <= max (so
            # 127.5 overflows int8 and -0.5 uint8), then truncated as C++ casts it
            if not math.isfinite(value) or not lo <= value <= hi:
                value = hi + 1
            else:
                value = builtins.int(value)
        fits = value <= hi and (value >= lo if dt.kind == "i" else -value <= hi)
    if not fits:
        raise RuntimeError(
            f"value cannot be converted to type {_CHECKED_NAMES[dt.name]} without overflow"
        )
    return wrap_int(value, dt) if dt.kind in "iu" else value


def python_number(x: Any) -> Any:
    """A numpy scalar (bool, integer, float) as the Python number it holds, as PyTorch's
    argument parser takes it: a number, which does not promote a tensor of its category
    (numpy would: ``float32 array * np.float64(2)`` is float64). Anything else as it is."""
    if isinstance(x, np.generic) and x.dtype.kind in "biuf":
        return x.item()
    return x


def rounded_to(x: builtins.float, dt: np.dtype) -> builtins.float:
    """The Python number ``x`` rounded to float dtype ``dt`` (inf where it overflows, without
    numpy's warning), as a Python float: how PyTorch takes a number into a float16 tensor."""
    with np.errstate(over="ignore"):
        return builtins.float(dt.type(x))
