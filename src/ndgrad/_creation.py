"""Making tensors: from data, filled, ranges (random ones are in _random.py)."""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _errors
from ._args import check_dims, parse_shape
from ._device import check_device
from ._layout import empty_in_format, preserve_format
from ._tensor import Tensor
from .dtypes import dtype, from_numpy_dtype, get_default_dtype, promote_types, to_dtype

__all__ = [
    "arange",
    "as_tensor",
    "empty",
    "empty_like",
    "eye",
    "from_numpy",
    "full",
    "full_like",
    "linspace",
    "ones",
    "ones_like",
    "tensor",
    "zeros",
    "zeros_like",
]


def _finish(data: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(data)
    if requires_grad:
        if data.dtype.kind != "f":
            raise RuntimeError(_errors.INT_REQUIRES_GRAD)
        t._requires_grad = True
    return t


def _np_dtype(d: Any, default: np.dtype | None = None) -> np.dtype | None:
    return to_dtype(d).np if d is not None else default


# --- from data -------------------------------------------------------------------------------


def _infer(data: Any) -> tuple[tuple[int, ...], np.dtype, bool]:
    """Shape and dtype of nested Python data, with PyTorch's errors for ragged or bad input.

    Walks the nesting level by level (no recursion): all items of one level must be sequences
    of one length, or all scalars.
    """
    shape: list[int] = []
    level = [data]
    kinds: set[str] = set()
    typed: set[np.dtype] = set()  # dtypes of tensors, arrays and numpy scalars in the data
    has_tensors = False
    while True:
        if any(isinstance(x, Tensor | np.ndarray) for x in level):
            # Tensors and arrays inside lists (torch.tensor([t1, t2])) count by their values,
            # and their dtypes take part in the result's, as in PyTorch.
            has_tensors = True
            level = [x._data if isinstance(x, Tensor) else x for x in level]
            typed.update(x.dtype for x in level if isinstance(x, np.ndarray))
            level = [x.item() if isinstance(x, np.ndarray) and x.ndim == 0 else x for x in level]
        if shape and level and isinstance(level[0], str):
            # PyTorch takes a string that leads a nested level for one more level of nesting.
            raise ValueError("too many dimensions 'str'")
        seqs = [
            isinstance(x, Sequence | np.ndarray) and not isinstance(x, str | bytes) for x in level
        ]
        if not any(seqs):
            break
        if not all(seqs):
            # Mixed nesting, worded as PyTorch words it: a scalar where a sequence was expected
            # is "not a sequence"; a sequence where a number was expected cannot be a number.
            bad = level[seqs.index(False)]
            if isinstance(bad, str | bytes):
                raise TypeError(f"new(): invalid data type '{type(bad).__name__}'")
            if seqs[0]:
                raise TypeError("not a sequence")
            culprit = level[seqs.index(True)]
            raise TypeError(
                f"'{type(culprit).__name__}' object cannot be interpreted as an integer"
            )
        n = len(level[0])
        for x in level:
            if len(x) != n:
                raise ValueError(
                    f"expected sequence of length {n} at dim {len(shape)} (got {len(x)})"
                )
        shape.append(n)
        level = [item for x in level for item in x]
    for x in level:
        if isinstance(x, np.bool_ | np.integer | np.floating):
            typed.add(x.dtype)  # a numpy scalar keeps its dtype (np.float64(1.0): float64)
        elif isinstance(x, bool):
            kinds.add("b")
        elif isinstance(x, numbers.Integral):
            kinds.add("i")
        elif isinstance(x, numbers.Real):
            kinds.add("f")
        elif isinstance(x, str | bytes):
            raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
        elif isinstance(x, numbers.Complex):
            raise TypeError("ndgrad does not support complex numbers")
        else:
            raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")
    if "f" in kinds:
        dt = get_default_dtype().np
    elif "i" in kinds:
        dt = np.dtype(np.int64)
    elif "b" in kinds:
        dt = np.dtype(np.bool_)
    elif typed:
        dt = typed.pop()
    else:
        dt = get_default_dtype().np  # empty data
    for other in typed:  # PyTorch promotes the types of all the elements
        dt = promote_types(dt, other)
    return tuple(shape), dt, has_tensors


def _array_from_data(data: Any, dt: np.dtype | None) -> np.ndarray:
    if isinstance(data, Tensor):
        arr = data._data
        return arr.astype(dt) if dt is not None and dt != arr.dtype else arr.copy()
    if isinstance(data, np.ndarray):
        from_numpy_dtype(data.dtype)  # refuse unsupported dtypes clearly
        return np.array(data, dtype=dt, copy=True)
    shape, inferred, has_tensors = _infer(data)
    if has_tensors:
        data = _tensors_to_arrays(data)
    arr = np.array(data, dtype=dt or inferred)
    if arr.shape != shape:  # pragma: no cover - _infer checked the nesting
        raise ValueError(f"could not build a tensor of shape {shape} from the data")
    return arr


def _tensors_to_arrays(data: Any) -> Any:
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, list | tuple):
        return [_tensors_to_arrays(x) for x in data]
    return data


def tensor(
    data: Any,
    dtype: dtype | Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays or tensors).

    Python floats give the default dtype (float32), ints int64, bools bool.

    >>> import ndgrad
    >>> ndgrad.tensor([[1, 2], [3, 4]])
    tensor([[1, 2],
            [3, 4]])
    """
    check_device(device)
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.clone().detach() "
            "or sourceTensor.clone().detach().requires_grad_(True), rather than "
            "torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
    return _finish(_array_from_data(data, _np_dtype(dtype)), requires_grad)


def as_tensor(data: Any, dtype: dtype | Any = None, device: Any = None) -> Tensor:
    """Like ``tensor`` but shares memory with a tensor or numpy array when no cast is needed."""
    check_device(device)
    dt = _np_dtype(dtype)
    if isinstance(data, Tensor):
        return data if dt is None or dt == data._data.dtype else data.to(from_numpy_dtype(dt))
    if isinstance(data, np.ndarray):
        from_numpy_dtype(data.dtype)
        if dt is None or dt == data.dtype:
            return Tensor._make(data)
    return _finish(_array_from_data(data, dt), False)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (writes show through both ways)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    from_numpy_dtype(array.dtype)
    return Tensor._make(array)


def _legacy_tensor_data(args: tuple[Any, ...], kwargs: dict[str, Any]) -> np.ndarray:
    """``ndgrad.Tensor(...)``: data (as float32) or sizes (uninitialised, here zeros)."""
    check_device(kwargs.pop("device", None))
    if kwargs:
        raise TypeError(f"Tensor() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if len(args) == 1 and not isinstance(args[0], int):
        return _array_from_data(args[0], np.dtype(np.float32))
    return np.zeros(parse_shape(args), dtype=np.float32)


# --- filled ----------------------------------------------------------------------------------


def _filled(
    size: tuple[Any, ...],
    fill: Any,
    dtype: Any,
    device: Any,
    requires_grad: bool,
    name: str,
    **ignored: Any,
) -> Tensor:
    check_device(device)
    shape = parse_shape(size)
    if name == "zeros" and any(s < 0 for s in shape):  # PyTorch's zeros has its own message
        raise RuntimeError("zeros: Dimension size must be non-negative.")
    check_dims(shape)
    dt = _np_dtype(dtype, get_default_dtype().np)
    fmt = ignored.get("memory_format")
    if fmt is not None and name == "empty":  # (PyTorch's zeros and ones take no format)
        if fmt is preserve_format:
            raise RuntimeError("unsupported memory format Preserve")
        data = empty_in_format(np.empty(shape, np.bool_), fmt, dt, name)
        data[...] = fill
        return _finish(data, requires_grad)
    return _finish(np.full(shape, fill, dtype=dt), requires_grad)


def zeros(
    *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, **kw: Any
) -> Tensor:
    return _filled(size, 0, dtype, device, requires_grad, "zeros", **kw)


def ones(
    *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, **kw: Any
) -> Tensor:
    return _filled(size, 1, dtype, device, requires_grad, "ones", **kw)


def empty(
    *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, **kw: Any
) -> Tensor:
    """Like PyTorch's uninitialised tensor, but zero-filled: ndgrad never exposes stale memory."""
    return _filled(size, 0, dtype, device, requires_grad, "empty", **kw)


def full(
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **kw: Any,
) -> Tensor:
    if dtype is None:
        if isinstance(fill_value, bool):
            dtype = np.bool_
        elif isinstance(fill_value, int):
            dtype = np.int64
    return _filled(
        (size,) if isinstance(size, int) else tuple(size),
        fill_value,
        dtype,
        device,
        requires_grad,
        "full",
        **kw,
    )


def _like_dtype(input: Tensor, dtype: Any) -> Any:
    return dtype if dtype is not None else input.dtype


def _filled_like(
    input: Tensor,
    fill: Any,
    dtype: Any,
    device: Any,
    requires_grad: bool,
    op: str,
    memory_format: Any = None,
) -> Tensor:
    """``fill`` in an array laid out as PyTorch's ``empty_like(input, memory_format=...)``:
    as the input by default (a channels-last or transposed input gives the same strides)."""
    t = full(input._data.shape, fill, dtype=dtype, device=device, requires_grad=requires_grad)
    data = input._data
    if data.flags.c_contiguous and memory_format is None:
        return t
    out = empty_in_format(data, memory_format, t._data.dtype, op)
    out[...] = t._data
    t._set_data(out)
    return t


def zeros_like(
    input: Tensor,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
    **kw: Any,
) -> Tensor:
    dt = _like_dtype(input, dtype)
    return _filled_like(input, 0, dt, device, requires_grad, "zeros_like", memory_format)


def ones_like(
    input: Tensor,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
    **kw: Any,
) -> Tensor:
    dt = _like_dtype(input, dtype)
    return _filled_like(input, 1, dt, device, requires_grad, "ones_like", memory_format)


def empty_like(
    input: Tensor,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
    **kw: Any,
) -> Tensor:
    dt = _like_dtype(input, dtype)
    return _filled_like(input, 0, dt, device, requires_grad, "empty_like", memory_format)


def full_like(
    input: Tensor,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
    **kw: Any,
) -> Tensor:
    dt = _like_dtype(input, dtype)
    return _filled_like(input, fill_value, dt, device, requires_grad, "full_like", memory_format)


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    check_device(device)
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"n must be greater or equal to 0, got {n if n < 0 else m}")
    return _finish(np.eye(n, m, dtype=_np_dtype(dtype, get_default_dtype().np)), requires_grad)


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Values from ``start`` (default 0) up to, not including, ``end``, ``step`` apart."""
    check_device(device)
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if values[2] == 0:
        raise RuntimeError("step must be nonzero")
    if (values[1] - values[0]) * values[2] < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        is_int = all(isinstance(v, int) for v in values)
        dt = np.dtype(np.int64) if is_int else get_default_dtype().np
    else:
        dt = to_dtype(dtype).np
    n = max(int(np.ceil((values[1] - values[0]) / values[2])), 0)
    data = (
        (values[0] + np.arange(n, dtype=np.float64) * values[2])
        if dt.kind == "f"
        else (np.arange(values[0], values[1], values[2]))
    )
    return _finish(data.astype(dt), requires_grad)


def linspace(
    start: Any,
    end: Any,
    steps: int,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    check_device(device)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = _np_dtype(dtype, get_default_dtype().np)
    return _finish(np.linspace(float(start), float(end), steps).astype(dt), requires_grad)
