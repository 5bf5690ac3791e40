"""Bad input to elementwise ops raises PyTorch's exception type with PyTorch's exact message.

Each case runs under ndgrad against the fixed expected error, and under torch when installed
(so the expected text is PyTorch's own).
"""

from __future__ import annotations

from typing import Any

import pytest

import ndgrad

from .helpers import requires_torch, torch


def f(L: Any, *shape: int) -> Any:
    return L.ones(*shape, dtype=L.float32)


def i(L: Any, *values: int) -> Any:
    return L.tensor(list(values), dtype=L.int64)


def b(L: Any) -> Any:
    return L.tensor([True, False])


def _mismatch(x: int, y: int, dim: int) -> str:
    return (
        f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
        f"non-singleton dimension {dim}"
    )


def _backward(L: Any, make: Any) -> None:
    x = L.tensor([1.5, 2.5], requires_grad=True)
    make(L, x).sum().backward()


# (name, op(lib), exception type, message)
CASES: list[tuple[str, Any, type[Exception], str]] = [
    # shapes that do not broadcast
    ("add", lambda L: f(L, 2) + f(L, 3), RuntimeError, _mismatch(2, 3, 0)),
    ("mul", lambda L: f(L, 2, 3) * f(L, 3, 2), RuntimeError, _mismatch(3, 2, 1)),
    ("sub", lambda L: f(L, 4, 3) - f(L, 2, 1, 2), RuntimeError, _mismatch(3, 2, 2)),
    ("maximum", lambda L: L.maximum(f(L, 2, 3), f(L, 4, 1)), RuntimeError, _mismatch(2, 4, 0)),
    ("minimum", lambda L: L.minimum(f(L, 2), f(L, 3)), RuntimeError, _mismatch(2, 3, 0)),
    ("atan2", lambda L: L.atan2(f(L, 2), f(L, 3)), RuntimeError, _mismatch(2, 3, 0)),
    ("hypot", lambda L: L.hypot(f(L, 2), f(L, 3)), RuntimeError, _mismatch(2, 3, 0)),
    ("logaddexp", lambda L: L.logaddexp(f(L, 2), f(L, 3)), RuntimeError, _mismatch(2, 3, 0)),
    ("fmod", lambda L: L.fmod(f(L, 2), f(L, 3)), RuntimeError, _mismatch(2, 3, 0)),
    ("remainder", lambda L: L.remainder(f(L, 2), f(L, 3)), RuntimeError, _mismatch(2, 3, 0)),
    (
        "logical_and",
        lambda L: L.logical_and(f(L, 2, 3), f(L, 4, 1)),
        RuntimeError,
        _mismatch(2, 4, 0),
    ),
    ("clamp", lambda L: L.clamp(f(L, 2, 3), f(L, 4, 1)), RuntimeError, _mismatch(2, 4, 0)),
    ("lerp", lambda L: L.lerp(f(L, 2, 3), f(L, 4, 1), 0.5), RuntimeError, _mismatch(2, 4, 0)),
    (
        "lerp weight",
        lambda L: L.lerp(f(L, 2, 3), f(L, 2, 3), f(L, 4, 1)),
        RuntimeError,
        _mismatch(2, 4, 0),
    ),
    (
        "div floor",
        lambda L: L.div(f(L, 2), f(L, 3), rounding_mode="floor"),
        RuntimeError,
        _mismatch(2, 3, 0),
    ),
    ("eq", lambda L: f(L, 2) == f(L, 3), RuntimeError, _mismatch(2, 3, 0)),
    # dtypes an op does not support
    (
        "& float",
        lambda L: f(L, 2) & f(L, 2),
        NotImplementedError,
        "\"bitwise_and_cpu\" not implemented for 'Float'",
    ),
    (
        "| float",
        lambda L: f(L, 2) | 1,
        NotImplementedError,
        "\"bitwise_or_cpu\" not implemented for 'Float'",
    ),
    (
        "^ float",
        lambda L: i(L, 1) ^ f(L, 1),
        NotImplementedError,
        "\"bitwise_xor_cpu\" not implemented for 'Float'",
    ),
    (
        "~ float",
        lambda L: ~f(L, 2),
        TypeError,
        "~ (operator.invert) is only implemented on integer and Boolean-type tensors",
    ),
    (
        "hypot int",
        lambda L: L.hypot(i(L, 1), i(L, 2)),
        NotImplementedError,
        "\"hypot_cpu\" not implemented for 'Long'",
    ),
    (
        "logaddexp bool",
        lambda L: L.logaddexp(b(L), b(L)),
        NotImplementedError,
        "\"logaddexp_cpu\" not implemented for 'Bool'",
    ),
    (
        "frac int",
        lambda L: L.frac(i(L, 1)),
        NotImplementedError,
        "\"frac_cpu\" not implemented for 'Long'",
    ),
    (
        "floor bool",
        lambda L: L.floor(b(L)),
        NotImplementedError,
        "\"floor_vml_cpu\" not implemented for 'Bool'",
    ),
    (
        "round bool",
        lambda L: b(L).round(),
        NotImplementedError,
        "\"round_vml_cpu\" not implemented for 'Bool'",
    ),
    (
        "round decimals int",
        lambda L: L.round(i(L, 1), decimals=1),
        NotImplementedError,
        "\"round_cpu\" not implemented for 'Long'",
    ),
    (
        "fmod bool",
        lambda L: L.fmod(b(L), b(L)),
        NotImplementedError,
        "\"fmod_cpu\" not implemented for 'Bool'",
    ),
    (
        "remainder bool",
        lambda L: L.remainder(b(L), b(L)),
        NotImplementedError,
        "\"remainder_cpu\" not implemented for 'Bool'",
    ),
    (
        "div floor bool",
        lambda L: L.div(b(L), b(L), rounding_mode="floor"),
        NotImplementedError,
        "\"div_floor_cpu\" not implemented for 'Bool'",
    ),
    (
        "div trunc bool",
        lambda L: L.div(b(L), b(L), rounding_mode="trunc"),
        NotImplementedError,
        "\"div_trunc_cpu\" not implemented for 'Bool'",
    ),
    (
        "floor_divide bool",
        lambda L: L.floor_divide(b(L), b(L)),
        NotImplementedError,
        "\"div_floor_cpu\" not implemented for 'Bool'",
    ),
    (
        "clamp bool",
        lambda L: L.clamp(b(L), False, True),
        NotImplementedError,
        "\"clamp_scalar_cpu\" not implemented for 'Bool'",
    ),
    (
        "lerp int",
        lambda L: L.lerp(i(L, 1), i(L, 2), 0.5),
        NotImplementedError,
        "\"lerp_kernel_scalar\" not implemented for 'Long'",
    ),
    (
        "lerp end dtype",
        lambda L: L.lerp(f(L, 2), f(L, 2).double(), 0.5),
        RuntimeError,
        "expected dtype float for `end` but got dtype double",
    ),
    (
        "lerp weight dtype",
        lambda L: L.lerp(f(L, 2), f(L, 2), f(L, 2).double()),
        RuntimeError,
        "expected dtype float for `weight` but got dtype double",
    ),
    (
        "neg bool",
        lambda L: -b(L),
        RuntimeError,
        "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
        "invert a mask, use the `~` or `logical_not()` operator instead.",
    ),
    (
        "sub bool",
        lambda L: b(L) - b(L),
        RuntimeError,
        "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
        "`logical_xor()` operator instead.",
    ),
    (
        "isclose dtypes",
        lambda L: L.isclose(f(L, 2), f(L, 2).double()),
        RuntimeError,
        "Float did not match Double",
    ),
    (
        "isclose rtol",
        lambda L: L.isclose(f(L, 2), f(L, 2), rtol=-1),
        RuntimeError,
        "rtol must be greater than or equal to zero, but got -1",
    ),
    ("isclose shapes", lambda L: L.isclose(f(L, 2), f(L, 3)), RuntimeError, _mismatch(2, 3, 0)),
    ("fmax shapes", lambda L: L.fmax(f(L, 2), f(L, 3)), RuntimeError, _mismatch(2, 3, 0)),
    ("xlogy shapes", lambda L: L.xlogy(f(L, 2), f(L, 3)), RuntimeError, _mismatch(2, 3, 0)),
    (
        "fmax number",
        lambda L: L.fmax(f(L, 2), 2.0),
        TypeError,
        "fmax(): argument 'other' (position 2) must be Tensor, not float",
    ),
    (
        "bitwise_and float",
        lambda L: L.bitwise_and(f(L, 2), f(L, 2)),
        NotImplementedError,
        "\"bitwise_and_cpu\" not implemented for 'Float'",
    ),
    (
        "bitwise_not float",
        lambda L: L.bitwise_not(f(L, 2)),
        NotImplementedError,
        "\"bitwise_not_cpu\" not implemented for 'Float'",
    ),
    (
        "positive bool",
        lambda L: L.positive(b(L)),
        RuntimeError,
        "The `+` operator, on a bool tensor is not supported.",
    ),
    # integer division by zero
    (
        "div floor int zero",
        lambda L: L.div(i(L, 7), i(L, 0), rounding_mode="floor"),
        RuntimeError,
        "ZeroDivisionError",
    ),
    (
        "div trunc int zero",
        lambda L: L.div(i(L, 7), 0, rounding_mode="trunc"),
        RuntimeError,
        "ZeroDivisionError",
    ),
    ("// int zero", lambda L: i(L, 7) // 0, RuntimeError, "ZeroDivisionError"),
    ("% int zero", lambda L: i(L, 7) % i(L, 0), RuntimeError, "ZeroDivisionError"),
    ("fmod int zero", lambda L: L.fmod(i(L, 7), 0), RuntimeError, "ZeroDivisionError"),
    (
        "div rounding mode",
        lambda L: L.div(f(L, 2), 2, rounding_mode="round"),
        RuntimeError,
        "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found 'round'",
    ),
    # arguments PyTorch requires to be tensors, and clamp without bounds
    (
        "maximum number",
        lambda L: L.maximum(f(L, 2), 2.0),
        TypeError,
        "maximum(): argument 'other' (position 2) must be Tensor, not float",
    ),
    (
        "atan2 number",
        lambda L: L.atan2(f(L, 2), 2.0),
        TypeError,
        "atan2(): argument 'other' (position 2) must be Tensor, not float",
    ),
    (
        "hypot number",
        lambda L: L.hypot(f(L, 2), 1),
        TypeError,
        "hypot(): argument 'other' (position 2) must be Tensor, not int",
    ),
    (
        "logical_and number",
        lambda L: L.logical_and(f(L, 2), 1),
        TypeError,
        "logical_and(): argument 'other' (position 2) must be Tensor, not int",
    ),
    (
        "logical_or input",
        lambda L: L.logical_or(1.0, f(L, 2)),
        TypeError,
        "logical_or(): argument 'input' (position 1) must be Tensor, not float",
    ),
    (
        "clamp no bounds",
        lambda L: L.clamp(f(L, 2)),
        RuntimeError,
        "torch.clamp: At least one of 'min' or 'max' must not be None",
    ),
    (
        "clip no bounds",
        lambda L: f(L, 2).clip(None, None),
        RuntimeError,
        "torch.clamp: At least one of 'min' or 'max' must not be None",
    ),
    # in place: the result must fit the tensor's dtype and shape
    (
        "sin_ int",
        lambda L: i(L, 1, 2).sin_(),
        RuntimeError,
        "result type Float can't be cast to the desired output type Long",
    ),
    (
        "fmod_ int by float",
        lambda L: i(L, 1, 2).fmod_(2.5),
        RuntimeError,
        "result type Float can't be cast to the desired output type Long",
    ),
    (
        "clamp_ broadcast",
        lambda L: f(L, 3).clamp_(min=f(L, 2, 3)),
        RuntimeError,
        "output with shape [3] doesn't match the broadcast shape [2, 3]",
    ),
    # no derivative in PyTorch
    (
        "floor_divide backward",
        lambda L: _backward(L, lambda L, x: x // 2),
        RuntimeError,
        "derivative for aten::floor_divide is not implemented",
    ),
    (
        "number % tensor backward",
        lambda L: _backward(L, lambda L, x: 2.0 % x),
        RuntimeError,
        "derivative for aten::remainder is not implemented",
    ),
]

PARAMS = [pytest.param(op, exc, msg, id=name) for name, op, exc, msg in CASES]


def _raised(op: Any, lib: Any) -> Exception:
    with pytest.raises(Exception) as info:
        op(lib)
    return info.value


@pytest.mark.parametrize(("op", "exc", "message"), PARAMS)
def test_error(op: Any, exc: type[Exception], message: str) -> None:
    err = _raised(op, ndgrad)
    assert type(err) is exc
    assert str(err) == message


@requires_torch
@pytest.mark.parametrize(("op", "exc", "message"), PARAMS)
def test_error_matches_torch(op: Any, exc: type[Exception], message: str) -> None:
    err = _raised(op, torch)
    assert type(err) is exc
    assert str(err) == message
