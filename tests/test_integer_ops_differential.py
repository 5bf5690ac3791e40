"""Integer and bool tensors: a differential run of random calls (uint8..int64 and bool operands,
with float ones beside them, 0-d, empty and broadcasting shapes, each dtype's extremes) against
torch 2.13. Each case below differed before its fix."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ndgrad
from tests.helpers import requires_torch, torch


def _same(code: str) -> None:
    """``code`` (with ``lib`` for the library) gives the same result, or error, in both."""

    def run(lib: Any) -> Any:
        try:
            out = eval(code, {"lib": lib})
        except Exception as e:  # (the error is the result compared)
            return ("error", type(e).__name__, str(e).split("\n")[0])
        return out

    ours, theirs = run(ndgrad), run(torch)
    if isinstance(theirs, tuple) and theirs and theirs[0] == "error":
        assert ours == theirs
        return
    assert not (isinstance(ours, tuple) and ours and ours[0] == "error"), ours
    outs = ours if isinstance(ours, tuple) else (ours,)
    refs = theirs if isinstance(theirs, tuple) else (theirs,)
    assert len(outs) == len(refs)
    for o, r in zip(outs, refs, strict=True):
        assert str(o.dtype) == str(r.dtype)
        assert tuple(o.shape) == tuple(r.shape)
        assert type(o.numpy()) is type(r.numpy())  # an array, 0-d too
        np.testing.assert_array_equal(o.numpy(), r.numpy())


# --- 0-d results hold arrays, not numpy scalars ------------------------------------------------

ZERO_D = [
    "lib.argmax(lib.tensor([2, 127, 63], dtype=lib.int8), dim=-1)",
    "lib.argmin(lib.tensor([64]), dim=0)",
    "lib.bitwise_not(lib.tensor(-10))",
    "~lib.tensor(15, dtype=lib.uint8)",
    "lib.gcd(lib.tensor(-2147483648, dtype=lib.int32), lib.tensor(-2, dtype=lib.int16))",
    "lib.lcm(lib.tensor(4, dtype=lib.int16), lib.tensor(6, dtype=lib.int8))",
    "lib.sum(lib.tensor([-9, 1, 16], dtype=lib.int16), dtype=lib.bool)",
    "lib.prod(lib.tensor([16, -8, 6], dtype=lib.int16), dtype=lib.bool)",
]


@pytest.mark.parametrize("code", ZERO_D)
def test_zero_d_results_are_arrays(code: str) -> None:
    out = eval(code, {"lib": ndgrad})
    assert out.shape == ()
    assert type(out.numpy()) is np.ndarray
    out.add_(out)  # (a numpy scalar cannot be written in place)


# --- reductions honour an integer dtype= -------------------------------------------------------

REDUCE_DTYPE = [
    ("lib.sum(lib.tensor([-8, -64, -2], dtype=lib.int8), dtype=lib.int8)", "int8", [-74]),
    ("lib.sum(lib.tensor([100, 100, 100], dtype=lib.int16), dtype=lib.uint8)", "uint8", [44]),
    ("lib.prod(lib.tensor([-20, 3, 16, 7]), dim=0, dtype=lib.int16)", "int16", [-6720]),
    ("lib.prod(lib.empty((0,), dtype=lib.int16), dim=0, dtype=lib.int8)", "int8", [1]),
    ("lib.nansum(lib.tensor([-1, 0, 17], dtype=lib.int8), dim=-1, dtype=lib.uint8)", "uint8", [16]),
    ("lib.nansum(lib.tensor([255, 20, 18], dtype=lib.uint8), dim=-1, dtype=lib.bool)", "bool", [1]),
    ("lib.nansum(lib.tensor([3.0, 1.0, 127.5]), dtype=lib.int32)", "int32", [131]),
    (
        "lib.cumsum(lib.tensor([12, -13, 63, 7, 32767], dtype=lib.int16), 0, dtype=lib.int16)",
        "int16",
        [12, -1, 62, 69, -32700],
    ),
    ("lib.cumsum(lib.tensor([2, 64, 3]).char(), 0, dtype=lib.uint8)", "uint8", [2, 66, 69]),
    ("lib.cumprod(lib.tensor([16, 13, -17]), 0, dtype=lib.uint8)", "uint8", [16, 208, 48]),
]


@pytest.mark.parametrize(("code", "dtype", "values"), REDUCE_DTYPE)
def test_reduction_integer_dtype(code: str, dtype: str, values: list[int]) -> None:
    out = eval(code, {"lib": ndgrad})
    assert str(out.dtype) == f"torch.{dtype}"
    assert out.reshape(-1).tolist() == values


@requires_torch
@pytest.mark.parametrize("code", [c for c, _, _ in REDUCE_DTYPE] + ZERO_D)
def test_reduction_integer_dtype_parity(code: str) -> None:
    _same(code)


# --- clamp's overloads: a 0-d tensor beside a number is a number -------------------------------

CLAMP_VALUES = [
    ("lib.clamp(lib.tensor([1, 5, 9]), lib.tensor(2.5), 4)", "float32", [2.5, 4.0, 4.0]),
    (
        "lib.clip(lib.tensor([1, 5, 9]), 2, lib.tensor(4.5, dtype=lib.float64))",
        "float32",
        [2, 4.5, 4.5],
    ),
    ("lib.clamp(lib.tensor([1, 5, 9], dtype=lib.int8), lib.tensor(2), 4)", "int8", [2, 4, 4]),
    ("lib.clamp(lib.tensor([True, False]), lib.tensor(1), -1)", "int64", [-1, -1]),
    ("lib.tensor([1.0, 5.0, 9.0]).clip(2, lib.tensor(4))", "float32", [2.0, 4.0, 4.0]),
    ("lib.tensor([1, 5, 9]).clamp_(min=lib.tensor(4), max=7)", "int64", [4, 5, 7]),
    ("lib.clamp_(lib.tensor([1, 5, 9]), lib.tensor(4), 7)", "int64", [4, 5, 7]),
]


@pytest.mark.parametrize(("code", "dtype", "values"), CLAMP_VALUES)
def test_clamp_zero_d_tensor_bound_is_a_number(code: str, dtype: str, values: list[Any]) -> None:
    out = eval(code, {"lib": ndgrad})
    assert str(out.dtype) == f"torch.{dtype}"
    assert out.tolist() == values


_BOTH = "* (Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)\n"
_WHY = "      didn't match because some of the arguments have invalid types: "

CLAMP_ERRORS = [
    (
        "lib.clip(lib.ones(3), 2, lib.ones(3))",
        "clip() received an invalid combination of arguments - got (Tensor, int, Tensor), but "
        f"expected one of:\n {_BOTH}"
        " * (Tensor input, Number min = None, Number max = None, *, Tensor out = None)\n",
    ),
    (
        "lib.ones(3).clamp(2.5, lib.ones(1))",
        "clamp() received an invalid combination of arguments - got (float, Tensor), but "
        f"expected one of:\n * (Tensor min = None, Tensor max = None)\n{_WHY}(!float!, !Tensor!)\n"
        f" * (Number min = None, Number max = None)\n{_WHY}(!float!, !Tensor!)\n",
    ),
    (
        "lib.ones(3).clip_(lib.ones(1), 2)",
        "clip_() received an invalid combination of arguments - got (Tensor, int), but "
        f"expected one of:\n * (Tensor min = None, Tensor max = None)\n{_WHY}(!Tensor!, !int!)\n"
        f" * (Number min = None, Number max = None)\n{_WHY}(!Tensor!, !int!)\n",
    ),
    (
        "lib.clamp_(lib.ones(3), lib.ones(1), 2)",
        "clamp_() received an invalid combination of arguments - got (Tensor, Tensor, int), but "
        "expected one of:\n * (Tensor input, Tensor min = None, Tensor max = None)\n"
        f"{_WHY}(Tensor, !Tensor!, !int!)\n"
        " * (Tensor input, Number min = None, Number max = None)\n"
        f"{_WHY}(Tensor, !Tensor!, !int!)\n",
    ),
]


@pytest.mark.parametrize(("code", "message"), CLAMP_ERRORS)
def test_clamp_mixed_bounds_errors(code: str, message: str) -> None:
    with pytest.raises(TypeError) as info:
        eval(code, {"lib": ndgrad})
    assert str(info.value) == message


@requires_torch
@pytest.mark.parametrize("code", [c for c, _, _ in CLAMP_VALUES] + [c for c, _ in CLAMP_ERRORS])
def test_clamp_overloads_parity(code: str) -> None:
    _same(code)
    try:
        eval(code, {"lib": torch})
    except TypeError as e:
        with pytest.raises(TypeError) as info:
            eval(code, {"lib": ndgrad})
        assert str(info.value) == str(e)


# --- histc on integers and bools: PyTorch's checks come before its dtype error -----------------

HISTC_ERRORS = [
    (
        "lib.histc(lib.tensor([1, 2, 0], dtype=lib.uint8), bins=3, min=1, max=0)",
        RuntimeError,
        "torch.histc: max must be larger than min",
    ),
    (
        "lib.histc(lib.tensor([True]), bins=3, min=1.5, max=0.5)",
        RuntimeError,
        "torch.histc: max must be larger than min",
    ),
    (
        "lib.histc(lib.tensor([1, 2, 0], dtype=lib.uint8), bins=3, min=-3, max=5)",
        RuntimeError,
        "value cannot be converted to type uint8_t without overflow",
    ),
    (
        "lib.histc(lib.tensor([1, 2], dtype=lib.int8), bins=3, min=0, max=300)",
        RuntimeError,
        "value cannot be converted to type int8_t without overflow",
    ),
    (
        "lib.histc(lib.tensor([0, 0], dtype=lib.uint8), bins=3)",
        RuntimeError,
        "value cannot be converted to type uint8_t without overflow",
    ),
    (
        "lib.histc(lib.tensor([0]), bins=3, min=0, max=2.0**64)",
        RuntimeError,
        "value cannot be converted to type int64_t without overflow",
    ),
    (
        "lib.histc(lib.tensor([1, 2], dtype=lib.int16), bins=0, min=1, max=0)",
        RuntimeError,
        "torch.histogram(): bins must be > 0, but got 0 for dimension 0",
    ),
    (
        "lib.histc(lib.tensor([1, 2], dtype=lib.int64), bins=3, min=0.5, max=float('inf'))",
        RuntimeError,
        "torch.histc: range of [0.5, inf] is not finite",
    ),
    (
        "lib.histc(lib.tensor([1.0]), bins=3, min=0, max=float('inf'))",
        RuntimeError,
        "torch.histc: range of [0, inf] is not finite",
    ),
    (
        "lib.histc(lib.tensor([True]), bins=3, min=0, max=2**64)",
        OverflowError,
        "int too big to convert",
    ),
]


@pytest.mark.parametrize(("code", "kind", "message"), HISTC_ERRORS)
def test_histc_check_order(code: str, kind: type[Exception], message: str) -> None:
    with pytest.raises(kind) as info:
        eval(code, {"lib": ndgrad})
    assert str(info.value) == message


@requires_torch
@pytest.mark.parametrize("code", [c for c, _, _ in HISTC_ERRORS])
def test_histc_check_order_parity(code: str) -> None:
    _same(code)


# --- integer division by zero raises only where the kernel computes something ------------------

EMPTY_DIVISIONS = [
    ("lib.empty(0, dtype=lib.int8) // 0", "int8", (0,)),
    ("lib.empty((2, 0), dtype=lib.int16) % 2**63", "int16", (2, 0)),
    ("lib.empty(0, dtype=lib.int32) % lib.tensor(False)", "int32", (0,)),
    ("lib.div(lib.empty(0, dtype=lib.int32), 0, rounding_mode='trunc')", "int32", (0,)),
    ("lib.fmod(lib.empty((0, 3), dtype=lib.int64), lib.tensor([0, 1, 2]))", "int64", (0, 3)),
]


@pytest.mark.parametrize(("code", "dtype", "shape"), EMPTY_DIVISIONS)
def test_empty_integer_division_by_zero(code: str, dtype: str, shape: tuple[int, ...]) -> None:
    out = eval(code, {"lib": ndgrad})
    assert str(out.dtype) == f"torch.{dtype}"
    assert tuple(out.shape) == shape


def test_division_by_zero_after_the_shape_check() -> None:
    with pytest.raises(RuntimeError, match=r"^The size of tensor a \(0\) must match"):
        ndgrad.floor_divide(ndgrad.empty(0, dtype=ndgrad.int64), ndgrad.tensor([0, 1, 2]))
    with pytest.raises(RuntimeError, match=r"^The size of tensor a \(2\) must match"):
        ndgrad.remainder(ndgrad.tensor([1, 2]), ndgrad.tensor([0, 1, 2]))


def test_unary_plus_refuses_bool() -> None:
    with pytest.raises(
        RuntimeError, match=r"^The `\+` operator, on a bool tensor is not supported"
    ):
        _ = +ndgrad.tensor([True, False])


@requires_torch
@pytest.mark.parametrize(
    "code",
    [c for c, _, _ in EMPTY_DIVISIONS]
    + [
        "lib.floor_divide(lib.empty(0, dtype=lib.int64), lib.tensor([0, 1, 2]))",
        "+lib.tensor([True, False])",
    ],
)
def test_division_and_plus_parity(code: str) -> None:
    _same(code)


# --- cov of bools; bincount of an empty input with weights ---------------------------------------
def test_cov_refuses_bools():
    for fn in (ndgrad.cov, ndgrad.corrcoef):
        with pytest.raises(RuntimeError, match=r"^cov\(\): bool dtype is not supported for input$"):
            fn(ndgrad.tensor([[True, False], [True, True]]))


def test_bincount_of_an_empty_input_counts_in_int64():
    empty = ndgrad.tensor([], dtype=ndgrad.int64)
    r = ndgrad.bincount(empty, weights=ndgrad.tensor([1.0, 2.0]), minlength=3)
    assert r.dtype == ndgrad.int64 and r.tolist() == [0, 0, 0]
    r = ndgrad.bincount(empty, weights=ndgrad.tensor([], dtype=ndgrad.float64))
    assert r.dtype == ndgrad.int64 and r.shape == (0,)
    r = ndgrad.bincount(ndgrad.tensor([1]), weights=ndgrad.tensor([2.0]))
    assert r.dtype == ndgrad.float32 and r.tolist() == [0.0, 2.0]


@requires_torch
@pytest.mark.parametrize(
    "code",
    [
        "lib.cov(lib.tensor([[True, False], [True, True]]))",
        "lib.corrcoef(lib.tensor([True, False]))",
        "lib.bincount(lib.tensor([], dtype=lib.long), weights=lib.tensor([1., 2]), minlength=3)",
        "lib.bincount(lib.tensor([], dtype=lib.long), weights=lib.tensor([], dtype=lib.float64))",
    ],
)
def test_cov_and_bincount_match_pytorch(code):
    _same(code)
