"""More constructors: logspace, range (deprecated in PyTorch), scalar_tensor, asarray, vander,
unravel_index, and the signal windows (hann, hamming, blackman, bartlett, kaiser)."""

from __future__ import annotations

import builtins
import math
import warnings
from typing import Any

import numpy as np

from ._creation import as_tensor, tensor, zeros
from ._device import check_device
from ._errors import not_implemented
from ._tensor import Tensor
from .dtypes import checked_scalar, get_default_dtype, python_number, to_dtype
from .ops.shape import cat, stack

__all__ = [
    "asarray",
    "bartlett_window",
    "blackman_window",
    "constant_pad_nd",
    "empty_permuted",
    "empty_strided",
    "from_dlpack",
    "frombuffer",
    "get_device",
    "hamming_window",
    "hann_window",
    "kaiser_window",
    "logspace",
    "range",
    "scalar_tensor",
    "to_dlpack",
    "unravel_index",
    "vander",
]


def _float_dtype(dtype: Any) -> np.dtype:
    return (get_default_dtype() if dtype is None else to_dtype(dtype)).np


def _finish(values: np.ndarray, dtype: Any, requires_grad: bool) -> Tensor:
    out = Tensor._make(np.ascontiguousarray(values.astype(_float_dtype(dtype))))
    if requires_grad:
        out.requires_grad_(True)
    return out


def logspace(
    start: Any,
    end: Any,
    steps: int,
    base: float = 10.0,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **ignored: Any,
) -> Tensor:
    """``steps`` values base**x for x evenly spaced from start to end."""
    check_device(device)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = _float_dtype(dtype)
    if dt.kind == "b" and steps > 1:  # (one value or none: PyTorch's kernel does not run)
        raise not_implemented("logspace_cpu", dt)
    if dt.kind in "iu" and steps > 1:  # the ends go into the dtype first, checked
        start, end = (checked_scalar(python_number(v), dt) for v in (start, end))
    if dt.kind in "iu" and steps == 1:  # the one value is checked into the dtype
        checked_scalar(_pow(float(base), float(start)), dt)
    return _finish(
        _logspace_values(float(start), float(end), steps, float(base), dt), dtype, requires_grad
    )


def _pow(base: float, e: float) -> float:
    """The C library's ``pow(base, e)`` (inf where it overflows; Python raises instead)."""
    try:
        return math.pow(base, e)
    except OverflowError:
        return math.inf
    except ValueError:  # a negative base to a non-integer power
        return math.nan


def _logspace_values(start: float, end: float, steps: int, base: float, dt: np.dtype) -> np.ndarray:
    """PyTorch's CPU logspace: start and end rounded to the dtype, ``step = (end - start) /
    (steps - 1)`` in double, and value i is ``pow(base, start + step * i)`` for the first half
    (i < steps // 2), ``pow(base, end - step * (steps - i - 1))`` for the rest, in double."""
    if steps <= 1:
        return np.array([_pow(base, start)] * steps, dtype=np.float64)
    lo, hi = dt.type(start), dt.type(end)
    # the difference in a float dtype, as PyTorch's kernel (an integer one's, signed)
    step = (float(hi) - float(lo) if dt.kind in "iu" else float(hi - lo)) / (steps - 1)
    half = steps // 2
    exps = [
        float(lo) + step * i if i < half else float(hi) - step * (steps - i - 1)
        for i in builtins.range(steps)
    ]
    return np.array([_pow(base, e) for e in exps], dtype=np.float64)


def range(
    start: Any = 0,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **ignored: Any,
) -> Tensor:
    """Values from start to end *inclusive* (deprecated in PyTorch in favour of arange)."""
    warnings.warn(
        "torch.range is deprecated and will be removed in a future release because its behavior "
        "is inconsistent with Python's range builtin. Instead, use torch.arange, which produces "
        "values in [start, end).",
        UserWarning,
        stacklevel=2,
    )
    check_device(device)
    if end is None:
        start, end = 0, start
    if dtype is not None and _float_dtype(dtype).kind == "b":
        raise not_implemented("range_cpu", _float_dtype(dtype))
    if float(step) == 0:
        raise RuntimeError("step must be nonzero")
    if (float(end) - float(start)) * float(step) < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    # in PyTorch's CPU accumulate type: double for float32 and float64, float for float16,
    # int64 for the integers
    dt = _float_dtype(dtype)
    acc = np.dtype(np.float32 if dt == np.float16 else np.float64 if dt.kind == "f" else np.int64)
    first, last, by = (
        np.asarray(int(v) if acc.kind == "i" else float(v), dtype=acc)[()]
        for v in (start, end, step)
    )
    with np.errstate(divide="ignore"):
        n = int(np.floor((last - first) / by)) + 1 if by else 0
    values = first + np.arange(builtins.max(n, 0), dtype=acc) * by
    return _finish(values, dtype, requires_grad)


def scalar_tensor(
    s: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False, **ignored: Any
) -> Tensor:
    """A 0-d tensor holding ``s`` (of the default float dtype unless ``dtype`` is given)."""
    check_device(device)
    return tensor(s, dtype=_float_dtype(dtype), requires_grad=requires_grad)


def asarray(
    obj: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    copy: bool | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """``obj`` as a tensor, sharing memory with a tensor or numpy array when it can (unless
    ``copy=True``); Python floats give the default dtype."""
    check_device(device)
    if isinstance(obj, Tensor):
        out = obj if dtype is None else obj.to(dtype)
        out = out.clone() if copy else out
    elif isinstance(obj, np.ndarray) and not copy:
        out = as_tensor(obj, dtype=dtype)
    else:
        out = tensor(obj, dtype=dtype)
    if requires_grad:
        out = out.detach().requires_grad_(True)
    return out


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of the 1-D ``x``: columns x**(N-1), ..., x**0 (reversed when
    ``increasing``); differentiable in x."""
    if x._data.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x._data.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    powers = np.arange(n) if increasing else np.arange(n)[::-1]

    if n == 0:
        return x.new_zeros(x._data.shape[0], 0)
    cols = [x * 0 + 1 if p == 0 else x ** builtins.int(p) for p in powers]
    out = stack(cols, 1)
    return out if out._data.dtype.kind == "f" or x._data.dtype.kind == "f" else out.long()


def unravel_index(indices: Any, shape: Any) -> tuple[Tensor, ...]:
    """The coordinates of flat ``indices`` in an array of ``shape`` (row-major)."""
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError("expected 'indices' to be integer dtype, but got " + str(idx.dtype))
    dims = (shape,) if isinstance(shape, int) else tuple(shape)
    total = math.prod(dims)
    if idx.size and (idx.min() < -total or idx.max() >= total):
        raise RuntimeError(f"'indices' must be in range [-{total}, {total - 1}]")
    coords = np.unravel_index(np.where(idx < 0, idx + total, idx), dims)
    return tuple(Tensor._make(np.asarray(c, np.int64)) for c in coords)


def _window(n: int, periodic: bool, fn: Any, dtype: Any, requires_grad: bool) -> Tensor:
    if n < 0:
        raise RuntimeError(f"window_length must be non-negative, got {n}")
    if n == 0:
        return _finish(np.zeros(0), dtype, requires_grad)
    if n == 1:
        return _finish(np.ones(1), dtype, requires_grad)
    m = n + 1 if periodic else n
    return _finish(fn(m)[:n], dtype, requires_grad)


def hann_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **ignored: Any,
) -> Tensor:
    """0.5 - 0.5 cos(2πk / (N-1)); ``periodic`` computes it for N+1 and drops the last."""
    check_device(device)
    return _window(window_length, periodic, np.hanning, dtype, requires_grad)


def hamming_window(
    window_length: int,
    periodic: bool = True,
    alpha: float = 0.54,
    beta: float = 0.46,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **ignored: Any,
) -> Tensor:
    """alpha - beta cos(2πk / (N-1))."""
    check_device(device)

    def fn(m: int) -> np.ndarray:
        return alpha - beta * np.cos(2 * np.pi * np.arange(m) / (m - 1))

    return _window(window_length, periodic, fn, dtype, requires_grad)


def blackman_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **ignored: Any,
) -> Tensor:
    """0.42 - 0.5 cos(2πk / (N-1)) + 0.08 cos(4πk / (N-1))."""
    check_device(device)
    return _window(window_length, periodic, np.blackman, dtype, requires_grad)


def bartlett_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **ignored: Any,
) -> Tensor:
    """The triangular window 1 - |2k / (N-1) - 1|."""
    check_device(device)
    return _window(window_length, periodic, np.bartlett, dtype, requires_grad)


def kaiser_window(
    window_length: int,
    periodic: bool = True,
    beta: float = 12.0,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **ignored: Any,
) -> Tensor:
    """I0(β √(1 - (2k/(N-1) - 1)²)) / I0(β)."""
    check_device(device)
    return _window(window_length, periodic, lambda m: np.kaiser(m, beta), dtype, requires_grad)


def empty_strided(
    size: Any,
    stride: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **ignored: Any,
) -> Tensor:
    """A zero-filled tensor of ``size`` (ndgrad lays it out row-major whatever ``stride`` says)."""
    check_device(device)
    return zeros((*size,), dtype=dtype, requires_grad=requires_grad)


def empty_permuted(
    size: Any,
    physical_layout: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **ignored: Any,
) -> Tensor:
    """A zero-filled tensor of ``size`` whose dims lie in memory in ``physical_layout``'s order,
    the outermost first: ``empty_permuted((2, 3, 4), (0, 2, 1)).stride()`` is ``(12, 1, 3)``."""
    check_device(device)
    size, layout = tuple(size), tuple(physical_layout)
    n = len(size)
    if len(layout) != n:
        raise RuntimeError(
            "Number of dimensions in size does not match the length of the physical_layout; "
            f"i.e. len(size) = {n} is not equal to len(physical_layout) = {len(layout)}"
        )
    seen: set[int] = set()
    for i, d in enumerate(layout):
        if not 0 <= d < n:
            raise RuntimeError(
                f"Dimension out of range (expected to be between 0 and {n - 1}, but got {d} at "
                f"index {i}).  NB: negative dims not currently supported; file an issue if you "
                "want it."
            )
        if d in seen:
            raise RuntimeError("Duplicate dim not allowed")
        seen.add(d)
    physical = zeros(tuple(size[d] for d in layout), dtype=dtype)._data
    out = Tensor._make(physical.transpose(np.argsort(layout)))
    if requires_grad:
        out.requires_grad_(True)
    return out


def frombuffer(
    buffer: Any, *, dtype: Any, count: int = -1, offset: int = 0, requires_grad: bool = False
) -> Tensor:
    """A 1-D tensor that shares memory with an object exposing the buffer protocol."""
    data = np.frombuffer(buffer, dtype=to_dtype(dtype).np, count=count, offset=offset)
    out = Tensor._make(data)
    if requires_grad:
        out.requires_grad_(True)
    return out


class _Capsule:
    """A DLPack capsule (``to_dlpack``'s, the legacy protocol) as the object with
    ``__dlpack__`` that numpy's from_dlpack takes: it hands over the capsule."""

    def __init__(self, capsule: Any) -> None:
        self._capsule = capsule

    def __dlpack__(self, **kwargs: Any) -> Any:
        return self._capsule

    def __dlpack_device__(self) -> tuple[int, int]:
        return (1, 0)  # kDLCPU, device 0


class _Writeable:
    """The memory of ``array`` (kept alive) described as writeable: numpy imports a legacy
    capsule read-only, as that protocol has no read-only flag; PyTorch's tensor writes to it."""

    def __init__(self, array: np.ndarray) -> None:
        self._array = array
        interface = dict(array.__array_interface__)
        interface["data"] = (interface["data"][0], False)
        self.__array_interface__ = interface


def from_dlpack(ext_tensor: Any) -> Tensor:
    """A tensor sharing memory with a DLPack-capable object (a numpy array, another library's
    CPU tensor) or with a DLPack capsule (``to_dlpack``'s)."""
    if isinstance(ext_tensor, Tensor):
        return ext_tensor
    if type(ext_tensor).__name__ == "PyCapsule":
        try:
            array = np.from_dlpack(_Capsule(ext_tensor))
        except ValueError:  # (numpy renames a capsule it took: "used_dltensor")
            raise RuntimeError(
                "from_dlpack received an invalid capsule. Note that DLTensor capsules can be "
                "consumed only once, so you might have already constructed a tensor from it once."
            ) from None
        return Tensor._make(np.asarray(_Writeable(array)))
    return Tensor._make(np.from_dlpack(ext_tensor))


def to_dlpack(tensor: Tensor) -> Any:
    """A DLPack capsule of the tensor's memory (numpy's)."""
    return tensor._data.__dlpack__()


def get_device(input: Tensor) -> int:
    """-1: the CPU, as in PyTorch."""
    return -1


def constant_pad_nd(input: Tensor, pad: Any, value: Any = 0) -> Tensor:
    """``input`` padded with ``value``: ``pad`` lists (before, after) amounts for the last dim,
    then the one before it, and so on; negative amounts crop."""
    pads = list(pad)
    if len(pads) % 2 or len(pads) // 2 > input.ndim:
        raise RuntimeError(
            f"Length of pad must be even but instead it equals {len(pads)}"
            if len(pads) % 2
            else "Length of pad should be no more than twice the number of dimensions of the input."
        )
    out = input
    for k in builtins.range(len(pads) // 2):
        d = input.ndim - 1 - k
        before, after = pads[2 * k], pads[2 * k + 1]
        if before < 0:
            out = out.narrow(d, -before, out.shape[d] + before)
            before = 0
        if after < 0:
            out = out.narrow(d, 0, out.shape[d] + after)
            after = 0
        parts = []
        for amount in (before, after):
            shape = list(out.shape)
            shape[d] = amount
            parts.append(out.new_full(shape, value) if amount else None)
        pieces = [p for p in (parts[0], out, parts[1]) if p is not None]
        out = cat(pieces, d) if len(pieces) > 1 else out
    return out
