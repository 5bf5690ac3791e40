"""``torch.testing.make_tensor``: a tensor of random values in a dtype's default or given range.

It draws as PyTorch 2.13's does, with the same calls on the same generator (``randint`` for bool
and integer dtypes, ``uniform_`` for floating ones), so under one ``manual_seed`` it gives
PyTorch's values wherever ndgrad's ``randint`` and ``uniform_`` give PyTorch's.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

from . import _random, dtypes
from ._creation import empty
from ._queries import finfo, iinfo
from ._tensor import Tensor

_INTEGRAL = (dtypes.uint8, dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64)
_FLOATING = (dtypes.float16, dtypes.float32, dtypes.float64)
_BOOL_OR_INTEGRAL = (dtypes.bool, *_INTEGRAL)


def _bounds(
    low: Any,
    high: Any,
    dtype: Any,
    *,
    lowest: Any,
    highest: Any,
    default_low: Any,
    default_high: Any,
) -> tuple[Any, Any]:
    """``low`` and ``high`` checked, defaulted and clamped to ``[lowest, highest)``."""
    low = default_low if low is None else low
    high = default_high if high is None else high
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got {low=} and {high=}")
    if low == high and dtype in _FLOATING:
        warnings.warn(
            "Passing `low==high` to `torch.testing.make_tensor` for floating or complex types "
            "is deprecated since 2.1 and will be removed in 2.3. Use `torch.full(...)` instead.",
            FutureWarning,
            stacklevel=3,
        )
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest or low >= highest:
        raise ValueError(
            f"The value interval specified by `low` and `high` is [{low}, {high}), "
            f"but {dtype} only supports [{lowest}, {highest})"
        )
    low = min(max(low, lowest), highest)
    high = min(max(high, lowest), highest)
    if dtype in _BOOL_OR_INTEGRAL:
        # randint's high is exclusive: both bounds round up
        return math.ceil(low), math.ceil(high)
    return low, high


def make_tensor(
    *shape: Any,
    dtype: Any,
    device: Any,
    low: float | None = None,
    high: float | None = None,
    requires_grad: bool = False,
    noncontiguous: bool = False,
    exclude_zero: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """A tensor of ``shape`` filled with values drawn uniformly from ``[low, high)``.

    Without ``low``/``high`` the range follows the dtype: bool [0, 2), uint8 [0, 10), the other
    integer dtypes [-9, 10), floating dtypes [-9, 9); given bounds are clamped to the dtype's
    finite range. ``noncontiguous`` returns every other element of a tensor twice as long in its
    last dimension (ignored for fewer than two elements), ``exclude_zero`` replaces zeros by 1
    (bool, integers) or the dtype's ``finfo.tiny``, and ``requires_grad`` is for floating dtypes
    only. Values come from the global generator through ``randint`` / ``uniform_``, as PyTorch's.

    >>> import ndgrad as torch
    >>> from ndgrad.testing import make_tensor
    >>> t = make_tensor(2, 3, dtype=torch.int64, device="cpu", low=0, high=5)
    >>> t.shape, t.dtype, bool(((t >= 0) & (t < 5)).all())
    (torch.Size([2, 3]), torch.int64, True)
    """
    dims = tuple(shape[0] if len(shape) == 1 and isinstance(shape[0], Sequence) else shape)
    if noncontiguous and memory_format is not None:
        raise ValueError(
            "The parameters `noncontiguous` and `memory_format` are mutually exclusive, "
            f"but got {noncontiguous=} and {memory_format=}"
        )
    if requires_grad and dtype in _BOOL_OR_INTEGRAL:
        raise ValueError(
            "`requires_grad=True` is not supported for boolean and integral dtypes, "
            f"but got {dtype=}"
        )
    noncontiguous = noncontiguous and math.prod(dims) > 1
    if noncontiguous:
        # twice as long in the last dim, so that the elements kept are not all alike
        dims = (*dims[:-1], 2 * dims[-1])

    result: Any
    if dtype is dtypes.bool:
        lo, hi = _bounds(low, high, dtype, lowest=0, highest=2, default_low=0, default_high=2)
        result = _random.randint(lo, hi, dims, device=device, dtype=dtype)
    elif dtype in _INTEGRAL:
        info = iinfo(dtype)
        # randint takes its bounds as int64, so int64's largest value cannot be drawn
        highest = info.max + (1 if dtype is not dtypes.int64 else 0)
        lo, hi = _bounds(
            low, high, dtype, lowest=info.min, highest=highest, default_low=-9, default_high=10
        )
        result = _random.randint(lo, hi, dims, device=device, dtype=dtype)
    elif dtype in _FLOATING:
        fi = finfo(dtype)
        lo, hi = _bounds(
            low, high, dtype, lowest=fi.min, highest=fi.max, default_low=-9, default_high=9
        )
        result = empty(dims, device=device, dtype=dtype)
        if hi - lo >= fi.max:
            # uniform_ needs its range to be finite: draw half of it and double
            _random.uniform_(result, lo / 2, hi / 2).mul_(2)
        else:
            _random.uniform_(result, lo, hi)
    else:
        raise TypeError(
            f"The requested dtype '{dtype}' is not supported by torch.testing.make_tensor()."
            " To request support, file an issue at: https://github.com/pytorch/pytorch/issues"
        )

    if noncontiguous:
        result = result[..., 1::2]  # from the second element, to catch offset errors too
    elif memory_format is not None:
        result = result.clone(memory_format=memory_format)
    if exclude_zero:
        result[result == 0] = 1 if dtype in _BOOL_OR_INTEGRAL else finfo(dtype).tiny
    if dtype in _FLOATING:
        result.requires_grad = requires_grad
    return result
