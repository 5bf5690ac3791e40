"""Making tensors: from data, filled, ranges (random ones are in _random.py)."""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _errors
from ._args import check_dims, parse_shape, size_args
from ._device import check_device
from ._kernels import fma_np
from ._layout import empty_in_format, preserve_format
from ._tensor import Tensor
from .dtypes import (
    astype_torch,
    checked_scalar,
    dtype,
    from_numpy_dtype,
    get_default_dtype,
    promote_types,
    python_number,
    to_dtype,
)

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
            # Tensors and arrays inside lists count by their values, and their dtypes take part
            # in the result's, as in PyTorch: a tensor is one number (torch.tensor([t1, t2])
            # of one-element tensors), an array a sequence.
            has_tensors = True
            if any(isinstance(x, np.ndarray) for x in level):
                _warn_arrays_in_list()
            for x in level:
                if isinstance(x, Tensor) and x._data.size != 1:
                    raise ValueError("only one element tensors can be converted to Python scalars")
                if isinstance(x, np.ndarray) and x.ndim == 0:
                    raise TypeError("len() of unsized object")
            level = [x._data.reshape(()) if isinstance(x, Tensor) else x for x in level]
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
        return astype_torch(arr, dt) if dt is not None and dt != arr.dtype else arr.copy()
    if isinstance(data, np.ndarray):
        from_numpy_dtype(data.dtype)  # refuse unsupported dtypes clearly
        if dt is not None and dt != data.dtype:
            return astype_torch(data, dt)
        return np.array(data, copy=True)
    shape, inferred, has_tensors = _infer(data)
    if has_tensors:
        data = _tensors_to_arrays(data)
    try:
        if dt is not None and dt == np.float16 and inferred.kind == "f":
            # Python floats are doubles: into float16 through float32, as PyTorch
            arr = astype_torch(np.array(data, dtype=np.float64), dt)
        else:
            arr = np.array(data, dtype=dt or inferred)
    except (OverflowError, ValueError):
        if dt is None or dt.kind not in "iu":
            raise
        arr = _checked_integers(data, dt)
    if arr.shape != shape:  # pragma: no cover - _infer checked the nesting
        raise ValueError(f"could not build a tensor of shape {shape} from the data")
    return arr


def _checked_integers(data: Any, dt: np.dtype) -> np.ndarray:
    """Numbers numpy would not convert to integer dtype ``dt`` (out of its range, or nan), each
    as PyTorch converts it: a negative int whose magnitude fits an unsigned dtype wraps (-1 is
    255 in uint8), a float is truncated if it fits, anything else is its overflow error."""
    values = np.array(data, dtype=object)  # each element as the Python number it was
    try:
        converted = [checked_scalar(v, dt) for v in values.reshape(-1).tolist()]
    except RuntimeError:
        message = f"value cannot be converted to type {dt.name} without overflow"
        raise RuntimeError(message) from None
    return np.array([int(v) for v in converted], dtype=dt).reshape(values.shape)


def _warn_arrays_in_list() -> None:
    """PyTorch's warning (once per process) for numpy arrays inside the data of a new tensor."""
    _errors.warn_once(
        "arrays_in_list",
        "Creating a tensor from a list of numpy.ndarrays is extremely slow. Please consider "
        "converting the list to a single numpy.ndarray with numpy.array() before converting "
        "to a tensor.",
    )


def _tensors_to_arrays(data: Any) -> Any:
    if isinstance(data, Tensor):
        return data._data.reshape(())  # one number (_infer checked it has one element)
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
    if dt is not None and (type(fill) is not int or not 0 <= fill <= 1):  # (zeros, ones: fine)
        fill = checked_scalar(python_number(fill), dt)  # PyTorch's overflow check of the value
        if dt.kind == "b":
            fill = bool(fill)
    return _finish(np.full(shape, fill, dtype=dt), requires_grad)


def zeros(
    *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, **kw: Any
) -> Tensor:
    size = size_args("zeros", size, kw)
    return _filled(size, 0, dtype, device, requires_grad, "zeros", **kw)


def ones(
    *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, **kw: Any
) -> Tensor:
    size = size_args("ones", size, kw)
    return _filled(size, 1, dtype, device, requires_grad, "ones", **kw)


def empty(
    *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, **kw: Any
) -> Tensor:
    """Like PyTorch's uninitialised tensor, but zero-filled: ndgrad never exposes stale memory."""
    size = size_args("empty", size, kw)
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
        if isinstance(fill_value, bool | np.bool_):
            dtype = np.bool_
        elif isinstance(fill_value, int | np.integer):  # (a numpy integer is an int to PyTorch)
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


_ARANGE_SIGNATURES = (
    " * (Number end, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, "
    "torch.device device = None, bool pin_memory = False, bool requires_grad = False)\n"
    " * (Number start, Number end, *, torch.dtype dtype = None, torch.layout layout = None, "
    "torch.device device = None, bool pin_memory = False, bool requires_grad = False)\n"
    " * (Number start, Number end, Number step = 1, *, Tensor out = None, torch.dtype dtype = None"
    ", torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool "
    "requires_grad = False)\n"
)


def arange(
    start: Any = None,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Values from ``start`` (default 0) up to, not including, ``end``, ``step`` apart."""
    check_device(device)
    if start is None and end is None:
        raise TypeError(
            "arange() received an invalid combination of arguments - got (), but expected one "
            f"of:\n{_ARANGE_SIGNATURES}"
        )
    if end is None:
        start, end = 0, start
    elif start is None:  # arange(end=n)
        start = 0
    values = [python_number(v.item() if isinstance(v, Tensor) else v) for v in (start, end, step)]
    if dtype is not None and to_dtype(dtype).np.kind == "b":  # (PyTorch's first check)
        raise _errors.not_implemented("arange_cpu", to_dtype(dtype).np)
    if values[2] == 0:
        raise RuntimeError("step must be nonzero")
    if (values[1] - values[0]) * values[2] < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        is_int = all(isinstance(v, int) for v in values)
        dt = np.dtype(np.int64) if is_int else get_default_dtype().np
    else:
        dt = to_dtype(dtype).np
    if dt.kind == "f":
        n = max(int(np.ceil((values[1] - values[0]) / values[2])), 0)
        return _finish(_arange_values(float(values[0]), float(values[2]), n, dt), requires_grad)
    return _finish(_integer_arange(values, dt), requires_grad)


def _integer_arange(values: list[Any], dt: np.dtype) -> np.ndarray:
    """PyTorch's arange into an integer dtype: value i is ``start + i * step`` of start and step
    truncated to 64-bit integers (arange(0, 5, 0.2, dtype=int8) is 25 zeros), wrapped into the
    dtype; the length ``ceil((end - start) / step)`` in double, except for int64, whose
    length takes the truncated numbers too (a step that truncates to 0 is refused there)."""
    start, end, step = (int(v) for v in values)  # C++'s casts: toward zero
    if dt == np.int64:
        if step == 0:
            raise ValueError("step must be nonzero")
        n = -((start - end) // step)  # ceil((end - start) / step), exact
    else:
        n = int(np.ceil((float(values[1]) - float(values[0])) / float(values[2])))
    return (start + step * np.arange(max(n, 0), dtype=np.int64)).astype(dt)


def _arange_values(start: float, step: float, n: int, dt: np.dtype) -> np.ndarray:
    """PyTorch's CPU arange kernel for a float dtype: value i is ``start + step * i`` (a fused
    multiply-add in double; in float for float16), rounded to the dtype.

    Its vectorised loop (32-byte vectors: 16 halves, 8 floats or 4 doubles, two per pass; the
    elements left over go one by one) computes a vector from its first value rounded to the
    dtype: ``base + k * step`` for k below the width, again fused."""
    acc = np.dtype(np.float32) if dt == np.float16 else np.dtype(np.float64)
    i = np.arange(n, dtype=acc)
    out = fma_np(np.full(n, step, acc), i, acc.type(start)).astype(dt)
    width = 32 // dt.itemsize
    full = n // (2 * width) * (2 * width)
    if not full:
        return out
    base = out[:full:width].astype(acc)
    k = np.arange(width, dtype=acc)
    block = fma_np(np.broadcast_to(k, (base.size, width)), acc.type(step), base[:, None])
    out[:full] = block.astype(dt).reshape(-1)
    return out


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
    assert dt is not None
    if dt.kind == "b" and steps > 1:  # (one value or none: PyTorch's kernel does not run)
        raise _errors.not_implemented("linspace_cpu", dt)
    if dt.kind == "c":
        return _finish(np.linspace(complex(start), complex(end), steps).astype(dt), requires_grad)
    if dt.kind in "iub":  # the ends as given: an int end converts into the dtype as an int
        return _finish(_linspace_values(start, end, steps, dt), requires_grad)
    return _finish(_linspace_values(float(start), float(end), steps, dt), requires_grad)


def _linspace_values(start: float, end: float, steps: int, dt: np.dtype) -> np.ndarray:
    """PyTorch's CPU linspace kernel: ``step = (end - start) / (steps - 1)`` and value i is
    ``start + step * i`` for the first half (i < steps // 2), ``end - step * (steps - i - 1)``
    for the rest, each rounded once as the fused multiply-add its compiled kernel does.

    A float tensor works in its own dtype (start and end rounded to it first; float16 rounds
    after each operation, as c10::Half does); an integer one in double, truncated."""
    if steps == 0:
        return np.empty(0, dt)
    work = dt if dt.kind == "f" else np.dtype(np.float64)
    if dt.kind == "f":
        first, last = work.type(dt.type(start)), work.type(dt.type(end))
    else:  # the ends converted into the dtype first (checked; -1 is 255 in uint8)
        first, last = (
            np.float64(dt.type(checked_scalar(python_number(v), dt)))
            for v in (start, end if steps > 1 else 0)  # (one step: end is not read)
        )
    if steps == 1:
        return np.array([first], dtype=dt)
    step = (last - first) / work.type(steps - 1)
    i = np.arange(steps)
    up = i < steps // 2
    k = np.where(up, i, steps - i - 1).astype(work)
    if work == np.float16:  # each Half operation rounds to half
        values = np.where(up, first + step * k, last - step * k)
    else:
        values = np.where(up, fma_np(step, k, first), fma_np(-step, k, last))
    return values.astype(dt)
