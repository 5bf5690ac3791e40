"""``torch.testing.assert_close`` and the deprecated ``assert_allclose``, as PyTorch 2.13 has them.

The inputs are walked as PyTorch walks them: sequences (not strings) and mappings element by
element, each leaf then compared as None, a boolean, a Python or numpy number, or a tensor-like
(tensors, and two objects of related types that ``as_tensor`` accepts, such as numpy arrays).
Only the first failure is raised, with PyTorch's exception type and message, followed by the
path of the failing item ("The failure occurred for item [1]['a']"). A failure found while
pairing the inputs up (mismatched lengths or keys, unsupported types, only one of rtol/atol)
is raised with the generated message even when ``msg`` is given, as PyTorch does.

Values are compared in numpy with PyTorch's arithmetic: the closeness test and the greatest
differences are computed in the compared dtype (integers' differences in int64, their relative
ones in the default dtype), so the printed numbers are the ``repr`` of the same floats.
"""

from __future__ import annotations

import cmath
import collections.abc
import contextlib
import warnings
from collections.abc import Callable
from typing import Any, NamedTuple, NoReturn

import numpy as np

from . import dtypes
from ._creation import as_tensor, tensor
from ._tensor import Tensor

# {dtype: (rtol, atol)}; dtypes not listed (integers, bool) compare exactly
_PRECISIONS: dict[dtypes.dtype, tuple[float, float]] = {
    dtypes.float16: (0.001, 1e-5),
    dtypes.float32: (1.3e-6, 1e-5),
    dtypes.float64: (1e-7, 1e-7),
}
# assert_allclose's older table
_ALLCLOSE_PRECISIONS: dict[dtypes.dtype, tuple[float, float]] = {
    dtypes.float16: (1e-3, 1e-3),
    dtypes.float32: (1e-4, 1e-5),
    dtypes.float64: (1e-5, 1e-8),
}
# the dtype whose tolerances a Python number gets (complex: complex128's, the same as float64's)
_NUMBER_PRECISIONS: dict[type, tuple[float, float]] = {
    int: (0.0, 0.0),
    float: _PRECISIONS[dtypes.float64],
    complex: _PRECISIONS[dtypes.float64],
}

_ISSUES = (
    "If you are a user and see this message during normal operation please file an issue at "
    "https://github.com/pytorch/pytorch/issues. If you are a developer and working on the "
    "comparison functions, please except the previous error and raise an expressive `ErrorMeta` "
    "instead."
)


class _Failure(Exception):
    """A failure to report: the exception type, the generated message and the item's path."""

    def __init__(self, type_: type[Exception], msg: str, path: tuple[Any, ...]) -> None:
        super().__init__(msg)
        self.type = type_
        self.msg = msg
        self.path = path

    def to_error(self, msg: str | Callable[[str], str] | None = None) -> Exception:
        if isinstance(msg, str):
            return self.type(msg)
        text = self.msg
        if self.path:
            text += f"\n\nThe failure occurred for item {_path_text(self.path)}"
        return self.type(msg(text) if callable(msg) else text)


class _Unsupported(Exception):
    """This kind of pair does not take these inputs: try the next kind."""


def _path_text(path: tuple[Any, ...]) -> str:
    return "".join(str([item]) for item in path)


def _type_text(obj: Any) -> str:
    """``str(type(obj))`` with ndgrad's classes under the torch names they stand for."""
    cls = type(obj)
    if cls is Tensor:
        return "<class 'torch.Tensor'>"
    module = cls.__module__
    if module == "ndgrad" or module.startswith("ndgrad."):
        return f"<class 'torch{module[len('ndgrad') :]}.{cls.__qualname__}'>"
    return str(cls)


def _tolerances(
    precisions: list[tuple[float, float]], rtol: Any, atol: Any, path: tuple[Any, ...]
) -> tuple[Any, Any]:
    if (rtol is None) != (atol is None):
        missing = "rtol" if rtol is None else "atol"
        raise _Failure(
            ValueError,
            f"Both 'rtol' and 'atol' must be either specified or omitted, but got no {missing}.",
            path,
        )
    if rtol is not None:
        return rtol, atol
    return max(p[0] for p in precisions), max(p[1] for p in precisions)


# --- messages -----------------------------------------------------------------------------------


def _mismatch_text(
    identifier: str,
    extra: str,
    abs_diff: Any,
    abs_idx: tuple[int, ...] | None,
    rel_diff: Any,
    rel_idx: tuple[int, ...] | None,
    rtol: Any,
    atol: Any,
) -> str:
    equality = rtol == 0 and atol == 0
    lines = [f"{identifier} are not {'equal' if equality else 'close'}!", "", extra.strip()]
    for kind, diff, idx, tol in (
        ("absolute", abs_diff, abs_idx, atol),
        ("relative", rel_diff, rel_idx, rtol),
    ):
        if idx is None:
            line = f"{kind.title()} difference: {diff}"
        else:
            line = f"Greatest {kind} difference: {diff} at index {idx}"
        if not equality:
            line += f" (up to {tol} allowed)"
        lines.append(line)
    return "\n".join(lines)


def _scalar_mismatch_text(actual: Any, expected: Any, rtol: Any, atol: Any) -> str:
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_text(
        "Scalars",
        f"Expected {expected} but got {actual}.",
        abs_diff,
        None,
        rel_diff,
        None,
        rtol,
        atol,
    )


def _tensor_mismatch_text(
    a: np.ndarray, b: np.ndarray, matches: np.ndarray, rtol: Any, atol: Any
) -> str:
    n = matches.size
    bad = n - int(np.count_nonzero(matches))
    extra = f"Mismatched elements: {bad} / {n} ({bad / n:.1%})"
    af, bf, mf = a.reshape(-1), b.reshape(-1), matches.reshape(-1)
    with np.errstate(all="ignore"):
        if a.dtype.kind != "f":
            # integers and bools: differences in int64, relative ones in the default dtype
            af, bf = af.astype(np.int64), bf.astype(np.int64)
            abs_diff = np.abs(af - bf)
            abs_diff[mf] = 0
            real = dtypes.get_default_dtype().np
            rel_diff = abs_diff.astype(real) / np.abs(bf).astype(real)
        else:
            abs_diff = np.abs(af - bf)
            abs_diff[mf] = 0
            rel_diff = abs_diff / np.abs(bf)
        rel_diff[mf] = 0
    abs_at, rel_at = _argmax(abs_diff), _argmax(rel_diff)
    return _mismatch_text(
        "Tensor-likes",
        extra,
        abs_diff[abs_at].item(),
        _unravel(abs_at, a.shape),
        rel_diff[rel_at].item(),
        _unravel(rel_at, a.shape),
        rtol,
        atol,
    )


def _argmax(values: np.ndarray) -> int:
    """The index torch.max(values, 0) gives: the first nan if any, else the first maximum."""
    nans = np.isnan(values) if values.dtype.kind == "f" else None
    if nans is not None and nans.any():
        return int(np.argmax(nans))
    return int(np.argmax(values))


def _unravel(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()


# --- closeness ----------------------------------------------------------------------------------


def _isclose(a: np.ndarray, b: np.ndarray, rtol: Any, atol: Any, equal_nan: bool) -> np.ndarray:
    """torch.isclose on two arrays of one dtype, with PyTorch's arithmetic per dtype."""
    with np.errstate(all="ignore"):
        close = np.asarray(a == b)
        if equal_nan and a.dtype.kind == "f":
            close |= np.isnan(a) & np.isnan(b)
        if rtol == 0 and atol == 0:
            return close
        if a.dtype.kind == "b":
            real = dtypes.get_default_dtype().np
            a, b = a.astype(real), b.astype(real)
        if a.dtype.kind == "f":
            # Scalars join a float tensor in the tensor's dtype; float16 computes in float32 and
            # rounds each result to float16, as PyTorch's CPU kernels do.
            work = np.float32 if a.dtype == np.float16 else a.dtype.type
            allowed = (work(atol) + np.abs(work(rtol) * b.astype(work)).astype(a.dtype)).astype(
                a.dtype
            )
            error = np.abs(a - b)
            close |= np.isfinite(error) & (error <= allowed)
        else:
            # integers: rtol * other in the default dtype, the difference in the input's dtype
            real = dtypes.get_default_dtype().np
            allowed = real.type(atol) + np.abs(real.type(rtol) * b.astype(real))
            error = np.abs(a - b).astype(real)
            close |= error <= allowed
    return close


# --- the pairs ----------------------------------------------------------------------------------


class _Options(NamedTuple):
    allow_subclasses: bool
    rtol: Any
    atol: Any
    equal_nan: bool
    check_device: bool
    check_dtype: bool
    check_layout: bool
    check_stride: bool


def _none_pair(actual: Any, expected: Any, path: tuple[Any, ...]) -> Callable[[], None]:
    def compare() -> None:
        if not (actual is None and expected is None):
            raise _Failure(AssertionError, f"None mismatch: {actual} is not {expected}", path)

    return compare


def _bool_pair(actual: Any, expected: Any, path: tuple[Any, ...]) -> Callable[[], None]:
    a, e = bool(actual), bool(expected)

    def compare() -> None:
        if a is not e:
            raise _Failure(AssertionError, f"Booleans mismatch: {a} is not {e}", path)

    return compare


def _number_pair(
    actual: Any, expected: Any, path: tuple[Any, ...], opts: _Options
) -> Callable[[], None]:
    a = actual.item() if isinstance(actual, np.number) else actual
    e = expected.item() if isinstance(expected, np.number) else expected
    try:
        precisions = [_NUMBER_PRECISIONS[type(a)], _NUMBER_PRECISIONS[type(e)]]
    except KeyError as error:
        # a bool with a number: PyTorch's number pair has no dtype for bool and fails unexpectedly
        raise RuntimeError(
            f"Originating a NumberPair() at item {_path_text(path)} with\n\n"
            f"{type(actual).__name__}(): {actual}\n\nand\n\n"
            f"{type(expected).__name__}(): {expected}\n\n"
            f"resulted in the unexpected exception above. {_ISSUES}"
        ) from error
    rtol, atol = _tolerances(precisions, opts.rtol, opts.atol, path)
    check_dtype, equal_nan = opts.check_dtype, opts.equal_nan

    def compare() -> None:
        if check_dtype and type(a) is not type(e):
            raise _Failure(
                AssertionError, f"The (d)types do not match: {type(a)} != {type(e)}.", path
            )
        if a == e:
            return
        if equal_nan and cmath.isnan(a) and cmath.isnan(e):
            return
        diff = abs(a - e)
        if cmath.isfinite(diff) and diff <= atol + rtol * abs(e):
            return
        raise _Failure(AssertionError, _scalar_mismatch_text(a, e, rtol, atol), path)

    return compare


_TENSOR_OPTIONS = ("equal_nan", "check_device", "check_dtype", "check_layout", "check_stride")


def _to_tensor(obj: Any) -> Tensor:
    if isinstance(obj, Tensor):
        return obj
    try:
        return as_tensor(obj)
    except Exception:
        raise _Unsupported from None


def _tensor_pair(
    actual: Any, expected: Any, path: tuple[Any, ...], opts: _Options
) -> Callable[[], None]:
    if not (isinstance(actual, type(expected)) or isinstance(expected, type(actual))):
        raise _Unsupported
    if not opts.allow_subclasses and type(actual) is not type(expected):
        raise _Unsupported
    a, e = _to_tensor(actual), _to_tensor(expected)
    precisions = [_PRECISIONS.get(a.dtype, (0.0, 0.0)), _PRECISIONS.get(e.dtype, (0.0, 0.0))]
    rtol, atol = _tolerances(precisions, opts.rtol, opts.atol, path)

    def mismatch(name: str, x: Any, y: Any) -> NoReturn:
        raise _Failure(
            AssertionError, f"The values for attribute '{name}' do not match: {x} != {y}.", path
        )

    def describe() -> str:
        fields = [("id", path), ("actual", a), ("expected", e), ("rtol", rtol), ("atol", atol)]
        fields += [(k, getattr(opts, k)) for k in _TENSOR_OPTIONS]
        return "\n".join(["TensorLikePair(", *(f"    {k}={v!s}," for k, v in fields), ")"])

    def compare() -> None:
        if a.shape != e.shape:
            mismatch("shape", a.shape, e.shape)
        if a.layout != e.layout:
            if opts.check_layout:
                mismatch("layout", a.layout, e.layout)
        elif opts.check_stride and a.stride() != e.stride():
            mismatch("stride()", a.stride(), e.stride())
        if opts.check_device and a.device != e.device:
            mismatch("device", a.device, e.device)
        if opts.check_dtype and a.dtype != e.dtype:
            mismatch("dtype", a.dtype, e.dtype)
        x, y = a._data, e._data
        if x.dtype != y.dtype:
            common = dtypes.promote_types(x.dtype, y.dtype)
            x, y = x.astype(common), y.astype(common)
        for name, tol in (("rtol", rtol), ("atol", atol)):
            if tol < 0:  # isclose refuses it, which PyTorch reports as an unexpected failure
                raise RuntimeError(
                    f"Comparing\n\n{describe()}\n\nresulted in the unexpected exception above. "
                    f"{_ISSUES}"
                ) from RuntimeError(
                    f"{name} must be greater than or equal to zero, but got {tol:g}"
                )
        matches = _isclose(x, y, rtol, atol, opts.equal_nan)
        if matches.all():
            return
        if x.shape == ():
            text = _scalar_mismatch_text(x.item(), y.item(), rtol, atol)
        else:
            text = _tensor_mismatch_text(x, y, matches, rtol, atol)
        raise _Failure(AssertionError, text, path)

    return compare


def _leaf_pair(
    actual: Any, expected: Any, path: tuple[Any, ...], opts: _Options
) -> Callable[[], None]:
    if actual is None or expected is None:
        return _none_pair(actual, expected, path)
    if isinstance(actual, bool | np.bool_) and isinstance(expected, bool | np.bool_):
        return _bool_pair(actual, expected, path)
    numbers = (int, float, complex, np.number)
    if isinstance(actual, numbers) and isinstance(expected, numbers):
        return _number_pair(actual, expected, path, opts)
    try:
        return _tensor_pair(actual, expected, path, opts)
    except _Unsupported:
        pass
    raise _Failure(
        TypeError,
        "No comparison pair was able to handle inputs of type "
        f"{_type_text(actual)} and {_type_text(expected)}.",
        path,
    )


def _is_sequence(obj: Any) -> bool:
    return isinstance(obj, collections.abc.Sequence) and not isinstance(obj, str)


def _pairs(
    actual: Any, expected: Any, path: tuple[Any, ...], opts: _Options
) -> list[Callable[[], None]]:
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            raise _Failure(
                AssertionError,
                f"The length of the sequences mismatch: {len(actual)} != {len(expected)}",
                path,
            )
        found = []
        for i in range(len(actual)):
            found += _pairs(actual[i], expected[i], (*path, i), opts)
        return found
    if isinstance(actual, collections.abc.Mapping) and isinstance(
        expected, collections.abc.Mapping
    ):
        keys_a, keys_e = set(actual.keys()), set(expected.keys())
        if keys_a != keys_e:
            raise _Failure(
                AssertionError,
                "The keys of the mappings do not match:\n"
                f"Missing keys in the actual mapping: {sorted(keys_e - keys_a)}\n"
                f"Additional keys in the actual mapping: {sorted(keys_a - keys_e)}",
                path,
            )
        keys: Any = keys_a
        with contextlib.suppress(Exception):  # keys that do not sort: the set's order
            keys = sorted(keys_a)
        found = []
        for key in keys:
            found += _pairs(actual[key], expected[key], (*path, key), opts)
        return found
    return [_leaf_pair(actual, expected, path, opts)]


def assert_close(
    actual: Any,
    expected: Any,
    *,
    allow_subclasses: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_layout: bool = True,
    check_stride: bool = False,
    msg: str | Callable[[str], str] | None = None,
) -> None:
    """Assert that ``actual`` and ``expected`` are close (PyTorch's ``torch.testing.assert_close``).

    Tensors are close when their shapes (and, unless disabled, dtypes, devices, layouts, and with
    ``check_stride`` strides) match and every element satisfies
    ``|actual - expected| <= atol + rtol * |expected|`` (equal infinities count; nans only with
    ``equal_nan``). Without ``rtol`` and ``atol`` the tolerances follow the dtype: float16
    1e-3 / 1e-5, float32 1.3e-6 / 1e-5, float64 1e-7 / 1e-7, integers and bool exact. Python
    numbers, None and booleans compare as such; sequences and mappings element by element.
    ``msg`` replaces the message, or when callable receives it and returns the one to raise.

    >>> import ndgrad as torch
    >>> torch.testing.assert_close(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0000001]))
    >>> torch.testing.assert_close(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 2.5, 3.0]))
    Traceback (most recent call last):
    ...
    AssertionError: Tensor-likes are not close!
    <BLANKLINE>
    Mismatched elements: 1 / 3 (33.3%)
    Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)
    Greatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)
    """
    __tracebackhide__ = True
    opts = _Options(
        allow_subclasses=allow_subclasses,
        rtol=rtol,
        atol=atol,
        equal_nan=equal_nan,
        check_device=check_device,
        check_dtype=check_dtype,
        check_layout=check_layout,
        check_stride=check_stride,
    )
    try:
        pairs = _pairs(actual, expected, (), opts)
    except _Failure as failure:
        raise failure.to_error() from None
    first: _Failure | None = None
    for compare in pairs:
        try:
            compare()
        except _Failure as failure:
            first = first or failure
    if first is not None:
        raise first.to_error(msg) from None


_ALLCLOSE_DEPRECATION = (
    "`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a future "
    "release. Please use `torch.testing.assert_close()` instead. You can find detailed upgrade "
    "instructions in https://github.com/pytorch/pytorch/issues/61844."
)


def assert_allclose(
    actual: Any,
    expected: Any,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = True,
    msg: str = "",
) -> None:
    """Deprecated (a FutureWarning, as in PyTorch): use ``assert_close``.

    Non-tensors become tensors (``expected`` in ``actual``'s dtype), dtypes are not checked, nans
    compare equal by default, and the default tolerances are looser: float16 1e-3 / 1e-3, float32
    1e-4 / 1e-5, float64 1e-5 / 1e-8.
    """
    __tracebackhide__ = True
    warnings.warn(_ALLCLOSE_DEPRECATION, FutureWarning, stacklevel=2)
    if not isinstance(actual, Tensor):
        actual = tensor(actual)
    if not isinstance(expected, Tensor):
        expected = tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        precisions = [_ALLCLOSE_PRECISIONS.get(t.dtype, (0.0, 0.0)) for t in (actual, expected)]
        rtol, atol = max(p[0] for p in precisions), max(p[1] for p in precisions)
    assert_close(
        actual,
        expected,
        rtol=rtol,
        atol=atol,
        equal_nan=equal_nan,
        check_device=True,
        check_dtype=False,
        check_stride=False,
        msg=msg or None,
    )
