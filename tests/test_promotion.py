"""Type promotion: the result dtype of ops on mixed operands is PyTorch's.

PyTorch's rule: tensors with dimensions decide, then 0-d tensors, then Python numbers; a
lower-priority operand only matters when its category (bool < integer < float) is higher. A
Python float then brings the default dtype, a 0-d tensor its own dtype. Each case gives the
expected dtype and, when torch is installed, is also run under torch.
"""

from __future__ import annotations

from typing import Any

import pytest

import ndgrad

from .helpers import requires_torch, torch


def t(L: Any, values: Any, dtype: str) -> Any:
    return L.tensor(values, dtype=getattr(L, dtype))


# (name, op(lib), expected dtype)
CASES: list[tuple[str, Any, str]] = [
    # Python numbers never upcast within a category
    ("int64 + python float", lambda L: t(L, [1, 2], "int64") + 2.5, "float32"),
    ("int64 * python int", lambda L: t(L, [1, 2], "int64") * 2, "int64"),
    ("int32 + python int", lambda L: t(L, [1, 2], "int32") + 2, "int32"),
    ("uint8 + python int", lambda L: t(L, [1, 2], "uint8") + 1, "uint8"),
    ("int8 * python int", lambda L: t(L, [1, 2], "int8") * 3, "int8"),
    ("float16 + python float", lambda L: t(L, [1.0], "float16") + 2.5, "float16"),
    ("float32 * python int", lambda L: t(L, [1.0], "float32") * 3, "float32"),
    ("float64 + python float", lambda L: t(L, [1.0], "float64") + 0.5, "float64"),
    ("python float - int32", lambda L: 1.5 - t(L, [1], "int32"), "float32"),
    # tensors with dimensions
    ("float32 + float64", lambda L: t(L, [1.0], "float32") + t(L, [1.0], "float64"), "float64"),
    ("float16 * float32", lambda L: t(L, [1.0], "float16") * t(L, [1.0], "float32"), "float32"),
    ("int32 + int64", lambda L: t(L, [1], "int32") + t(L, [1], "int64"), "int64"),
    ("uint8 + int8", lambda L: t(L, [1], "uint8") + t(L, [1], "int8"), "int16"),
    ("int64 + float16", lambda L: t(L, [1], "int64") + t(L, [1.0], "float16"), "float16"),
    ("float32 / int64", lambda L: t(L, [1.0], "float32") / t(L, [2], "int64"), "float32"),
    # 0-d tensors against dimensioned ones
    ("float32 + 0-d float64", lambda L: t(L, [1.0], "float32") + t(L, 1.0, "float64"), "float32"),
    ("int64 + 0-d float64", lambda L: t(L, [1], "int64") + t(L, 1.0, "float64"), "float64"),
    ("int8 + 0-d int64", lambda L: t(L, [1], "int8") + t(L, 1, "int64"), "int8"),
    ("bool + 0-d int32", lambda L: t(L, [True], "bool") + t(L, 1, "int32"), "int32"),
    ("0-d int64 + 0-d float32", lambda L: t(L, 1, "int64") + t(L, 1.0, "float32"), "float32"),
    ("0-d float32 + 0-d float64", lambda L: t(L, 1.0, "float32") + t(L, 1.0, "float64"), "float64"),
    ("0-d float64 + python float", lambda L: t(L, 1.0, "float64") * 2.0, "float64"),
    ("0-d int32 + python float", lambda L: t(L, 1, "int32") * 2.0, "float32"),
    # bool
    ("bool + bool", lambda L: t(L, [True], "bool") + t(L, [False], "bool"), "bool"),
    ("bool + python int", lambda L: t(L, [True], "bool") + 1, "int64"),
    ("bool + python float", lambda L: t(L, [True], "bool") + 1.5, "float32"),
    ("bool * python bool", lambda L: t(L, [True], "bool") * True, "bool"),
    ("int32 * python bool", lambda L: t(L, [3], "int32") * True, "int32"),
    ("bool + uint8", lambda L: t(L, [True], "bool") + t(L, [1], "uint8"), "uint8"),
    # division
    ("int64 / int64", lambda L: t(L, [3], "int64") / t(L, [2], "int64"), "float32"),
    ("int64 / python int", lambda L: t(L, [3], "int64") / 2, "float32"),
    ("bool / bool", lambda L: L.div(t(L, [True], "bool"), t(L, [True], "bool")), "float32"),
    ("python int / int32", lambda L: 3 / t(L, [2], "int32"), "float32"),
    (
        "int64 div floor",
        lambda L: L.div(t(L, [-3], "int64"), t(L, [2], "int64"), rounding_mode="floor"),
        "int64",
    ),
    (
        "int32 div trunc python int",
        lambda L: L.div(t(L, [-3], "int32"), 2, rounding_mode="trunc"),
        "int32",
    ),
    (
        "float32 div floor int64",
        lambda L: L.div(t(L, [3.0], "float32"), t(L, [2], "int64"), rounding_mode="floor"),
        "float32",
    ),
    ("int64 // int64", lambda L: t(L, [-3], "int64") // t(L, [2], "int64"), "int64"),
    ("int64 // python float", lambda L: t(L, [-3], "int64") // 2.5, "float32"),
    ("python int // int16", lambda L: 7 // t(L, [2], "int16"), "int16"),
    (
        "floor_divide uint8",
        lambda L: L.floor_divide(t(L, [7], "uint8"), t(L, [2], "uint8")),
        "uint8",
    ),
    ("int64 % python int", lambda L: t(L, [-3], "int64") % 2, "int64"),
    ("int64 % python float", lambda L: t(L, [-3], "int64") % 2.5, "float32"),
    ("fmod int32 int64", lambda L: L.fmod(t(L, [5], "int32"), t(L, [3], "int64")), "int64"),
    # float-valued functions of integers
    ("sin(int64)", lambda L: L.sin(t(L, [1], "int64")), "float32"),
    ("exp2(bool)", lambda L: L.exp2(t(L, [True], "bool")), "float32"),
    ("reciprocal(int32)", lambda L: L.reciprocal(t(L, [2], "int32")), "float32"),
    ("rsqrt(uint8)", lambda L: L.rsqrt(t(L, [4], "uint8")), "float32"),
    ("erf(int64)", lambda L: L.erf(t(L, [1], "int64")), "float32"),
    ("atan2(int64, int64)", lambda L: L.atan2(t(L, [1], "int64"), t(L, [2], "int64")), "float32"),
    (
        "atan2(int64, float64)",
        lambda L: L.atan2(t(L, [1], "int64"), t(L, [2.0], "float64")),
        "float64",
    ),
    (
        "hypot(int64, float16)",
        lambda L: L.hypot(t(L, [1], "int64"), t(L, [2.0], "float16")),
        "float16",
    ),
    ("square(int64)", lambda L: L.square(t(L, [3], "int64")), "int64"),
    ("square(bool)", lambda L: L.square(t(L, [True], "bool")), "int64"),
    ("floor(int32)", lambda L: L.floor(t(L, [3], "int32")), "int32"),
    ("sign(bool)", lambda L: L.sign(t(L, [True], "bool")), "bool"),
    ("nan_to_num(int64)", lambda L: L.nan_to_num(t(L, [3], "int64")), "int64"),
    ("pow(int64, python float)", lambda L: t(L, [3], "int64") ** 2.0, "float32"),
    ("pow(int64, python int)", lambda L: t(L, [3], "int64") ** 2, "int64"),
    # clamp, maximum, where, comparisons, logical
    ("clamp(int64, float bounds)", lambda L: L.clamp(t(L, [3], "int64"), 0.5, 1.5), "float32"),
    ("clamp(int64, int bounds)", lambda L: L.clamp(t(L, [3], "int64"), 0, 1), "int64"),
    (
        "clamp(int64, float32 tensor)",
        lambda L: L.clamp(t(L, [3], "int64"), t(L, [0.5], "float32")),
        "float32",
    ),
    (
        "clamp(float32, 0-d float64)",
        lambda L: L.clamp(t(L, [3.0], "float32"), max=t(L, 0.5, "float64")),
        "float32",
    ),
    (
        "maximum(int32, float32)",
        lambda L: L.maximum(t(L, [1], "int32"), t(L, [2.0], "float32")),
        "float32",
    ),
    (
        "minimum(bool, bool)",
        lambda L: L.minimum(t(L, [True], "bool"), t(L, [False], "bool")),
        "bool",
    ),
    ("minimum(uint8, int8)", lambda L: L.minimum(t(L, [1], "uint8"), t(L, [2], "int8")), "int16"),
    (
        "where(cond, int64, float32)",
        lambda L: L.where(t(L, [True], "bool"), t(L, [1], "int64"), t(L, [2.0], "float32")),
        "float32",
    ),
    (
        "where(cond, int64, python float)",
        lambda L: L.where(t(L, [True], "bool"), t(L, [1], "int64"), 2.5),
        "float32",
    ),
    ("int64 < python float", lambda L: t(L, [1], "int64") < 1.5, "bool"),
    (
        "logical_and(int64, float32)",
        lambda L: L.logical_and(t(L, [1], "int64"), t(L, [0.0], "float32")),
        "bool",
    ),
    ("isnan(int64)", lambda L: L.isnan(t(L, [1], "int64")), "bool"),
]

PARAMS = [pytest.param(op, expected, id=name) for name, op, expected in CASES]


@pytest.mark.parametrize(("op", "expected"), PARAMS)
def test_result_dtype(op: Any, expected: str) -> None:
    assert op(ndgrad).dtype is getattr(ndgrad, expected)


@requires_torch
@pytest.mark.parametrize(("op", "expected"), PARAMS)
def test_result_dtype_matches_torch(op: Any, expected: str) -> None:
    assert op(torch).dtype is getattr(torch, expected)


@pytest.mark.parametrize(
    ("name", "op"),
    [
        ("int / int", lambda L: t(L, [3], "int64") / 2),
        ("int + python float", lambda L: t(L, [3], "int64") + 0.5),
        ("sin(int)", lambda L: L.sin(t(L, [1], "int32"))),
        ("atan2(int, int)", lambda L: L.atan2(t(L, [1], "int64"), t(L, [1], "int64"))),
        ("clamp(int, float)", lambda L: L.clamp(t(L, [1], "int64"), 0.5)),
    ],
)
def test_default_dtype_decides_float_results(name: str, op: Any) -> None:
    ndgrad.set_default_dtype(ndgrad.float64)
    try:
        assert op(ndgrad).dtype is ndgrad.float64
    finally:
        ndgrad.set_default_dtype(ndgrad.float32)


def test_promoted_values_are_computed_in_the_result_dtype() -> None:
    # int8 + 0-d int64 stays int8 and wraps, as in PyTorch; a float scalar is not truncated.
    x = t(ndgrad, [100], "int8")
    assert (x + t(ndgrad, 100, "int64")).tolist() == [-56]
    assert (t(ndgrad, [1], "int64") + 0.5).tolist() == [1.5]
    assert (t(ndgrad, [-7], "int64") // 2).tolist() == [-4]
    assert ndgrad.div(t(ndgrad, [-7], "int64"), 2, rounding_mode="trunc").tolist() == [-3]
