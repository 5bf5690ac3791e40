"""Regressions found by a differential fuzzer of pointwise ops and type promotion against PyTorch
(unary ops on every dtype, binary ops between tensors, 0-d tensors and Python numbers).

Each test checks the expected outcome by hand, so it runs without PyTorch; where PyTorch is
installed, the same call is compared with it too. Each failed before its fix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, torch


def _outcome(program: Callable[[Any], Any], lib: Any) -> Any:
    """What ``program(lib)`` gives: (dtype, values) of each tensor, or the exception's class and
    message."""
    try:
        result = program(lib)
    except Exception as e:
        return type(e).__name__, str(e)
    results = result if isinstance(result, tuple) else (result,)
    return tuple(
        (str(r.dtype).removeprefix("torch."), r.detach().numpy().tolist())
        if isinstance(r, lib.Tensor)
        else r
        for r in results
    )


def _check(program: Callable[[Any], Any], expected: Any) -> None:
    got = _outcome(program, ndgrad)
    assert got == expected
    if torch is not None:
        assert _outcome(program, torch) == expected


# --- in-place results are cast by PyTorch's rule, not numpy's "same_kind" -----------------------


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        # int16 into uint8 (numpy's same_kind refuses signed into unsigned): wraps
        (
            lambda lib: lib.tensor([5, 0, 3], dtype=lib.uint8).add_(
                lib.tensor([-68, 75, -114], dtype=lib.int8)
            ),
            (("uint8", [193, 75, 145]),),
        ),
        (
            lambda lib: lib.tensor([4, 3], dtype=lib.uint8).bitwise_and_(
                lib.tensor([5, 2], dtype=lib.int64)
            ),
            (("uint8", [4, 2]),),
        ),
        (
            lambda lib: lib.add(
                lib.tensor([1, 2], dtype=lib.int16),
                lib.tensor([3, 4], dtype=lib.int8),
                out=lib.zeros(2, dtype=lib.uint8),
            ),
            (("uint8", [4, 6]),),
        ),
    ],
)
def test_inplace_cast_rule(program: Callable[[Any], Any], expected: Any) -> None:
    _check(program, expected)


# --- a Python int out of an integer tensor's range wraps, as PyTorch converts it ---------------


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        (lambda lib: lib.tensor([5, 0], dtype=lib.uint8) + 2**31, (("uint8", [5, 0]),)),
        (lambda lib: lib.tensor([5, 0], dtype=lib.uint8) * -129, (("uint8", [123, 0]),)),
        (lambda lib: lib.tensor([5, 0], dtype=lib.uint8) + 2**63, (("uint8", [5, 0]),)),
        (lambda lib: lib.tensor([5, 0], dtype=lib.uint8).le(256), (("bool", [False, True]),)),
        (lambda lib: lib.tensor([1], dtype=lib.int8) < 128, (("bool", [False]),)),
        (lambda lib: 300 - lib.tensor([5, 0], dtype=lib.uint8), (("uint8", [39, 44]),)),
        (lambda lib: lib.tensor([6, 5], dtype=lib.uint8) & -1, (("uint8", [6, 5]),)),
        (
            lambda lib: lib.tensor([6, 5], dtype=lib.uint8).remainder(256),
            ("RuntimeError", "ZeroDivisionError"),
        ),
        (
            lambda lib: lib.tensor([5, 0], dtype=lib.int8).clone().sub_(2**40 + 1),
            (("int8", [4, -1]),),
        ),
        (
            lambda lib: lib.tensor([5, 0], dtype=lib.uint8) + 2**64,
            ("OverflowError", "int too big to convert"),
        ),
        (
            lambda lib: lib.tensor([5, 0], dtype=lib.uint8) + (-(2**63) - 1),
            ("OverflowError", "can't convert negative int to unsigned"),
        ),
    ],
)
def test_python_int_wraps_to_integer_dtype(program: Callable[[Any], Any], expected: Any) -> None:
    _check(program, expected)


# --- true division casts integer operands to float directly ------------------------------------


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        # the 0-d int64 tensor does not raise the result's integer dtype (uint8), but it is not
        # cast to uint8 (250) on its way to float32 either
        (
            lambda lib: lib.tensor([3, 0], dtype=lib.uint8) / lib.tensor(-6),
            (("float32", [-0.5, -0.0]),),
        ),
        (
            lambda lib: lib.tensor([3, 0], dtype=lib.uint8).div(lib.tensor(-6, dtype=lib.int8)),
            (("float32", [-0.5, -0.0]),),
        ),
    ],
)
def test_true_division_of_integers(program: Callable[[Any], Any], expected: Any) -> None:
    _check(program, expected)


# --- shift operators and in-place bitwise operators --------------------------------------------


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        (
            lambda lib: lib.tensor([1, -4], dtype=lib.int16) << lib.tensor([3, 1], dtype=lib.int8),
            (("int16", [8, -8]),),
        ),
        (lambda lib: lib.tensor([1, -4], dtype=lib.int16) >> 1, (("int16", [0, -2]),)),
        (lambda lib: 3 << lib.tensor([1, 2], dtype=lib.uint8), (("uint8", [6, 12]),)),
        (lambda lib: 64 >> lib.tensor([1, 2]), (("int64", [32, 16]),)),
        (
            lambda lib: lib.tensor([1.5]) << 1,
            ("NotImplementedError", "\"lshift_cpu\" not implemented for 'Float'"),
        ),
    ],
)
def test_shift_operators(program: Callable[[Any], Any], expected: Any) -> None:
    _check(program, expected)


def _iand_0d(lib: Any) -> Any:
    # int8 &= int32 (0-d both): in place, the int8 tensor itself
    a = lib.tensor(-10, dtype=lib.int8)
    b = a
    b &= lib.tensor(1587762678, dtype=lib.int32)
    assert b is a
    return b


def _ixor(lib: Any) -> Any:
    a = lib.tensor([-5, 5], dtype=lib.int16)
    b = a
    b ^= 3
    b |= 8
    b <<= 1
    b >>= 2
    assert b is a
    return a


def _iand_float(lib: Any) -> Any:
    a = lib.tensor([8], dtype=lib.uint8)
    a ^= 1.5
    return a


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        (_iand_0d, (("int8", -10),)),
        (_ixor, (("int16", [-4, 7]),)),
        (
            _iand_float,
            ("RuntimeError", "result type Float can't be cast to the desired output type Byte"),
        ),
    ],
)
def test_inplace_bitwise_operators(program: Callable[[Any], Any], expected: Any) -> None:
    _check(program, expected)


@requires_torch
def test_inplace_bitwise_operators_match_torch() -> None:
    for program in (_iand_0d, _ixor):
        assert _outcome(program, ndgrad) == _outcome(program, torch)


# --- out= of the ops that keep their input's dtype: out's dtype must be the result's -----------


def _out(name: str, src: str, dst: str, *args: Any) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        x = lib.tensor([1, 0, 2]).to(getattr(lib, src))
        return getattr(lib, name)(x, *args, out=lib.empty(3, dtype=getattr(lib, dst)))

    return program


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        (_out("floor", "int8", "float32"), ("RuntimeError", "Found dtype Float but expected Char")),
        (
            _out("abs", "float32", "float64"),
            ("RuntimeError", "Found dtype Double but expected Float"),
        ),
        (_out("neg", "int32", "int64"), ("RuntimeError", "Found dtype Long but expected Int")),
        (_out("sgn", "int16", "uint8"), ("RuntimeError", "Found dtype Byte but expected Short")),
        # checked before the kernel's "frac_cpu" not implemented for 'Int'
        (_out("frac", "int32", "float32"), ("RuntimeError", "Found dtype Float but expected Int")),
        # clamp's result dtype: a bool tensor and an int bound give int64
        (
            _out("clamp", "bool", "float32", 1),
            ("RuntimeError", "Found dtype Float but expected Long"),
        ),
        (
            _out("isposinf", "float32", "float16"),
            ("RuntimeError", "isposinf does not support non-boolean outputs."),
        ),
        (
            _out("signbit", "float32", "int64"),
            ("RuntimeError", "signbit does not support non-boolean outputs."),
        ),
        (
            _out("nan_to_num", "float16", "int64"),
            ("RuntimeError", "nan_to_num: dtype of out: Long should be same as input: Half"),
        ),
    ],
)
def test_out_dtype_must_match(program: Callable[[Any], Any], expected: Any) -> None:
    _check(program, expected)


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        (
            lambda lib: lib.abs(lib.tensor([True, False])),
            ("NotImplementedError", "\"abs_cpu\" not implemented for 'Bool'"),
        ),
        (
            lambda lib: lib.tensor([True]).abs(),
            ("NotImplementedError", "\"abs_cpu\" not implemented for 'Bool'"),
        ),
        (
            lambda lib: lib.relu(lib.tensor([True, False])),
            ("RuntimeError", "Boolean inputs not supported for relu"),
        ),
    ],
)
def test_abs_relu_refuse_bool(program: Callable[[Any], Any], expected: Any) -> None:
    _check(program, expected)


# --- logit: PyTorch's clamp for eps above 0.5, its gradient at and outside the edges -----------


def _logit(eps: Any, values: list[float], dtype: str = "float32") -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        x = lib.tensor(values, dtype=getattr(lib, dtype), requires_grad=True)
        y = lib.logit(x) if eps is None else lib.logit(x, eps)
        y.backward(lib.ones_like(y))
        return y.detach(), x.grad

    return program


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        # eps = 0.6: below 0.6 it is 0.6, elsewhere 0.4 (np.clip gave 0.4 everywhere)
        (
            _logit(0.6, [-2.5, 0.9], "float64"),
            (("float64", [np.log(1.5), np.log(0.4 / 0.6)]), ("float64", [0.0, 0.0])),
        ),
        # a negative eps is no eps: nan outside [0, 1]
        (
            _logit(-0.1, [1.5, 0.5], "float64"),
            (("float64", [np.nan, 0.0]), ("float64", [np.nan, 4.0])),
        ),
        # without eps the gradient is nan outside [0, 1], +inf at -0.0
        (
            _logit(None, [-3.0, 2.0, -0.0], "float64"),
            (
                ("float64", [np.nan, np.nan, -np.inf]),
                ("float64", [np.nan, np.nan, np.inf]),
            ),
        ),
        # with eps, 0 outside [eps, 1 - eps], also at 0 and 1 (the mask made inf * 0 = nan)
        (
            _logit(0.1, [0.0, 1.0, 0.5], "float64"),
            (
                ("float64", [np.log(1 / 9), np.log(9), 0.0]),
                ("float64", [0.0, 0.0, 4.0]),
            ),
        ),
    ],
)
def test_logit(program: Callable[[Any], Any], expected: Any) -> None:
    got = _outcome(program, ndgrad)
    for (dt, values), (want_dt, want) in zip(got, expected, strict=True):
        assert dt == want_dt
        np.testing.assert_allclose(values, want, rtol=1e-12)
        signed = ~np.isnan(want)
        assert np.array_equal(np.signbit(values)[signed], np.signbit(want)[signed])
    if torch is not None:
        assert str(_outcome(program, torch)) == str(got)


# --- activations of floats only refuse integer and bool tensors --------------------------------


@pytest.mark.parametrize(
    ("name", "kernel"),
    [
        ("elu", "elu_cpu"),
        ("selu", "elu_cpu"),
        ("celu", "elu_cpu"),
        ("hardshrink", "hardshrink_cpu"),
        ("softshrink", "softshrink_check"),
        ("leaky_relu", "leaky_relu_cpu"),
        ("rrelu", "leaky_relu_cpu"),
        ("gelu", "GeluKernelImpl"),
        ("silu", "silu_cpu"),
        ("mish", "mish_cpu"),
        ("softplus", "softplus_cpu"),
        ("hardsigmoid", "hardsigmoid_cpu"),
        ("hardswish", "hardswish_cpu"),
        ("logsigmoid", "log_sigmoid_cpu"),
    ],
)
@pytest.mark.parametrize(("dtype", "name_of_dtype"), [("int64", "Long"), ("bool", "Bool")])
def test_activation_of_integers(name: str, kernel: str, dtype: str, name_of_dtype: str) -> None:
    def program(lib: Any) -> Any:
        return getattr(lib.nn.functional, name)(lib.tensor([1, 0]).to(getattr(lib, dtype)))

    _check(program, ("NotImplementedError", f"\"{kernel}\" not implemented for '{name_of_dtype}'"))


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        (
            lambda lib: lib.selu(lib.tensor([1, 2], dtype=lib.int32)),
            ("NotImplementedError", "\"elu_cpu\" not implemented for 'Int'"),
        ),
        (
            lambda lib: lib.tensor([1, 2], dtype=lib.int16).hardshrink(),
            ("NotImplementedError", "\"hardshrink_cpu\" not implemented for 'Short'"),
        ),
        (
            lambda lib: lib.nn.functional.relu6(lib.tensor([True])),
            ("RuntimeError", "Bool inputs not supported for hardtanh"),
        ),
        (
            lambda lib: lib.nn.functional.hardtanh(lib.tensor([1], dtype=lib.uint8)),
            ("RuntimeError", "cannot do hardtanh on an unsigned type with negative limits"),
        ),
    ],
)
def test_activation_dtype_errors(program: Callable[[Any], Any], expected: Any) -> None:
    _check(program, expected)


# --- float16 in the special functions; frexp's gradient ----------------------------------------


@pytest.mark.parametrize("name", ["ndtri", "log_ndtr", "erfcx"])
def test_special_refuses_half(name: str) -> None:
    def program(lib: Any) -> Any:
        return getattr(lib.special, name)(lib.tensor([0.25], dtype=lib.float16))

    _check(program, ("NotImplementedError", f"\"{name}_cpu\" not implemented for 'Half'"))


@pytest.mark.parametrize("name", ["i1", "i1e"])
def test_special_i1_backward_refuses_half(name: str) -> None:
    def program(lib: Any) -> Any:
        x = lib.tensor([0.25, 2.0], dtype=lib.float16, requires_grad=True)
        getattr(lib.special, name)(x).sum().backward()
        return x.grad

    _check(program, ("NotImplementedError", f"\"{name}_backward\" not implemented for 'Half'"))


def test_i0_half_computes_in_float32() -> None:
    # np.i0 in float16 overflowed from |x| ≈ 11; PyTorch's kernel computes in float32
    _check(
        lambda lib: lib.i0(lib.tensor([17.8, -11.1], dtype=lib.float16)),
        (("float16", [np.inf, 8028.0]),),
    )


def _frexp(lib: Any) -> Any:
    x = lib.tensor([0.5, 3.0, -1e-7, 0.0], dtype=lib.float64, requires_grad=True)
    mantissa, exponent = lib.frexp(x)
    (mantissa * 3).sum().backward()
    return mantissa.grad_fn.name(), exponent.requires_grad, x.grad


def test_frexp_gradient() -> None:
    name, exponent_requires_grad, grad = _frexp(ndgrad)
    assert (name, exponent_requires_grad) == ("FrexpBackward0", False)
    assert grad.tolist() == [3.0, 0.75, 3 * 2.0**23, 3.0]
    if torch is not None:
        expected = _frexp(torch)
        assert expected[:2] == (name, exponent_requires_grad)
        assert expected[2].tolist() == grad.tolist()


# --- ops computing in floats cast integer operands from their own dtypes -----------------------


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        # the int8 tensor went through uint8 (250) on its way to float
        (
            lambda lib: lib.atan2(lib.tensor([0], dtype=lib.uint8), lib.tensor(-6, dtype=lib.int8)),
            (("float32", [float(np.float32(np.pi))]),),
        ),
        (
            lambda lib: lib.xlogy(
                lib.tensor(-2, dtype=lib.int8), lib.tensor([1, 4], dtype=lib.uint8)
            ),
            (("float32", [-0.0, float(np.float32(-2 * np.log(4)))]),),
        ),
        (
            lambda lib: lib.copysign(lib.tensor([3], dtype=lib.uint8), lib.tensor(-6)),
            (("float32", [-3.0]),),
        ),
        # a Python int beside an integer tensor is not wrapped to its dtype first (as the
        # previous commit made promote do)
        (
            lambda lib: lib.xlogy(2**31, lib.tensor([1, 0], dtype=lib.int16)),
            (("float32", [0.0, -np.inf]),),
        ),
        (
            lambda lib: lib.special.zeta(lib.tensor([2], dtype=lib.uint8), 2**32),
            (("float32", [float(np.float32(2.0**-32))]),),
        ),
    ],
)
def test_float_ops_of_integers(program: Callable[[Any], Any], expected: Any) -> None:
    _check(program, expected)


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        # PyTorch's promotion (numpy's gave float64: int64 widens float32)
        (lambda lib: lib.igamma(lib.tensor([2.0]), lib.tensor([3])), (("float32",),)),
        (lambda lib: lib.igamma(lib.tensor(2.0), lib.tensor(3)), (("float32",),)),
        # a 0-d float32 does not raise a float16 tensor
        (
            lambda lib: lib.igammac(lib.tensor([2.0], dtype=lib.float16), lib.tensor(3.0)),
            (("float16",),),
        ),
    ],
)
def test_igamma_promotion(program: Callable[[Any], Any], expected: Any) -> None:
    got = _outcome(program, ndgrad)
    assert tuple((dt,) for dt, _ in got) == expected
    if torch is not None:
        assert _outcome(program, torch) == got


# --- clamp: its numbers checked into the computation's dtype, its out= and clamp_'s message ----


def _clamp_out(dtype: str, bound: Any, out_dtype: str) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        x = lib.tensor([1, 5], dtype=getattr(lib, dtype))
        b = lib.tensor([2, 2], dtype=getattr(lib, dtype)) if bound == "T" else bound
        return lib.clamp_min(x, b, out=lib.zeros(2, dtype=getattr(lib, out_dtype)))

    return program


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        (lambda lib: lib.tensor([1, 5], dtype=lib.uint8).clamp(max=-1), (("uint8", [1, 5]),)),
        (lambda lib: lib.tensor([1, 5], dtype=lib.uint8).clamp(max=-255), (("uint8", [1, 1]),)),
        (
            lambda lib: lib.tensor([1, 5], dtype=lib.uint8).clamp(300),
            ("RuntimeError", "value cannot be converted to type uint8_t without overflow"),
        ),
        (
            lambda lib: lib.tensor([1, 5], dtype=lib.int32).clamp(min=2**31),
            ("RuntimeError", "value cannot be converted to type int without overflow"),
        ),
        (
            lambda lib: lib.tensor([1, 5], dtype=lib.float16).clamp(max=1e5),
            ("RuntimeError", "value cannot be converted to type c10::Half without overflow"),
        ),
        (
            lambda lib: lib.tensor([1, 5], dtype=lib.int16).clamp(-(2**70)),
            ("OverflowError", "can't convert negative int to unsigned"),
        ),
        # tensor bounds: the result is cast to out's dtype as binary ops cast it (the exact
        # dtype of number bounds, added in an earlier commit of this series, was applied here)
        (_clamp_out("float16", "T", "float64"), (("float64", [2.0, 5.0]),)),
        (_clamp_out("int32", "T", "int64"), (("int64", [2, 5]),)),
        (
            _clamp_out("float32", "T", "int32"),
            ("RuntimeError", "result type Float can't be cast to the desired output type Int"),
        ),
        # clamp_ with numbers names the tensor's C type
        (
            lambda lib: lib.tensor([1, 5], dtype=lib.int16).clamp_(2.0),
            (
                "RuntimeError",
                "result type Float can't be cast to the desired output type short int",
            ),
        ),
        (
            lambda lib: lib.tensor([1], dtype=lib.int64).clamp_min_(0.5),
            ("RuntimeError", "result type Float can't be cast to the desired output type long int"),
        ),
        (
            lambda lib: lib.clamp(lib.tensor([1.0]), lib.tensor([0.0]), 1.0),
            (
                "TypeError",
                "clamp() received an invalid combination of arguments - got (Tensor, Tensor, "
                "float), but expected one of:\n"
                " * (Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)\n"
                " * (Tensor input, Number min = None, Number max = None, *, Tensor out = None)\n",
            ),
        ),
    ],
)
def test_clamp(program: Callable[[Any], Any], expected: Any) -> None:
    _check(program, expected)


# --- more dtype rules of pointwise ops ---------------------------------------------------------

_NAN = float("nan")


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        # shifts refuse bool results
        (
            lambda lib: lib.tensor([True]) >> lib.tensor([True]),
            ("NotImplementedError", "\"rshift_cpu\" not implemented for 'Bool'"),
        ),
        (
            lambda lib: lib.bitwise_left_shift(lib.tensor([True]), True),
            ("NotImplementedError", "\"lshift_cpu\" not implemented for 'Bool'"),
        ),
        # round with decimals: float16 computes in float32; decimals=0 is the plain kernel
        (
            lambda lib: lib.round(lib.tensor([999.5, 65000], dtype=lib.float16), decimals=2),
            (("float16", [999.5, 64992.0]),),
        ),
        (
            lambda lib: lib.round(lib.tensor([3], dtype=lib.int16), decimals=0),
            ("NotImplementedError", "\"round_vml_cpu\" not implemented for 'Short'"),
        ),
        (
            lambda lib: lib.special.round(lib.tensor([3], dtype=lib.int16), decimals=1),
            ("NotImplementedError", "\"round_cpu\" not implemented for 'Short'"),
        ),
        # float_power's result is float64: in place and out= must be float64
        (
            lambda lib: lib.tensor([2.0]).float_power_(2),
            (
                "RuntimeError",
                "the base given to float_power_ has dtype Float but the operation's result "
                "requires dtype Double",
            ),
        ),
        (
            lambda lib: lib.float_power(lib.tensor([2.0]), 2, out=lib.zeros(1, dtype=lib.int64)),
            (
                "RuntimeError",
                "the output given to float_power has dtype Long but the operation's result "
                "requires dtype Double",
            ),
        ),
        # where's out must have the result's dtype
        (
            lambda lib: lib.where(
                lib.tensor([True]),
                lib.tensor([1.0], dtype=lib.float16),
                lib.tensor([2.0], dtype=lib.float16),
                out=lib.zeros(1, dtype=lib.float64),
            ),
            ("RuntimeError", "Expected out type to be Half but got Double"),
        ),
        # where, add/sub's alpha: numbers converted with PyTorch's check
        (
            lambda lib: lib.where(lib.tensor([True]), lib.tensor([1], dtype=lib.int8), 300),
            ("RuntimeError", "value cannot be converted to type int8_t without overflow"),
        ),
        (
            lambda lib: lib.tensor([1], dtype=lib.int8).add(
                lib.tensor([1], dtype=lib.int8), alpha=2**40
            ),
            ("RuntimeError", "value cannot be converted to type int8_t without overflow"),
        ),
        (
            lambda lib: lib.tensor([1], dtype=lib.int16).sub_(
                lib.tensor([1], dtype=lib.int16), alpha=-32895
            ),
            ("RuntimeError", "value cannot be converted to type int16_t without overflow"),
        ),
        (
            lambda lib: lib.mvlgamma(lib.tensor([True]), 1),
            ("RuntimeError", "The input tensor may not be a boolean tensor."),
        ),
        (
            lambda lib: lib.nextafter(
                lib.tensor([3], dtype=lib.int16), lib.tensor([4], dtype=lib.int16)
            ),
            ("NotImplementedError", "\"nextafter_cpu\" not implemented for 'Short'"),
        ),
        # gcd/lcm: the promoted dtype decides (a bool beside an integer is fine), numbers refused
        (
            lambda lib: lib.gcd(lib.tensor([10], dtype=lib.uint8), lib.tensor(True)),
            (("uint8", [1]),),
        ),
        (
            lambda lib: lib.gcd(lib.tensor([10], dtype=lib.uint8), 3),
            ("TypeError", "gcd(): argument 'other' (position 2) must be Tensor, not int"),
        ),
        (
            lambda lib: lib.lcm(3, lib.tensor([10], dtype=lib.uint8)),
            ("TypeError", "lcm(): argument 'input' (position 1) must be Tensor, not int"),
        ),
        # threshold refuses bool, converts its numbers into an integer dtype (truncated)
        (
            lambda lib: lib.nn.functional.threshold(lib.tensor([True]), 0.5, 0),
            ("NotImplementedError", "\"threshold_cpu\" not implemented for 'Bool'"),
        ),
        (
            lambda lib: lib.nn.functional.threshold(lib.tensor([1, 5], dtype=lib.uint8), 2, 300),
            ("RuntimeError", "value cannot be converted to type uint8_t without overflow"),
        ),
        (
            lambda lib: lib.nn.functional.threshold(lib.tensor([-2, 5]), -2.5, 9.7),
            (("int64", [9, 5]),),
        ),
        (
            lambda lib: lib.threshold(
                lib.tensor([1.0, 5.0]), 2, 9, out=lib.zeros(2, dtype=lib.float64)
            ),
            (("float64", [9.0, 5.0]),),
        ),
    ],
)
def test_pointwise_dtype_rules(program: Callable[[Any], Any], expected: Any) -> None:
    _check(program, expected)


@pytest.mark.parametrize(
    "program",
    [
        lambda lib: lib.nn.functional.hardshrink(lib.tensor([_NAN, 0.2, 1.0])),
        lambda lib: lib.nn.functional.threshold(lib.tensor([_NAN, 0.2, 1.0]), 0.5, 0.0),
    ],
)
def test_shrink_and_threshold_keep_nan(program: Callable[[Any], Any]) -> None:
    # PyTorch's tests (-λ <= x <= λ, x <= threshold) are false at a nan: it is kept
    for lib in (ndgrad, torch) if torch is not None else (ndgrad,):
        y = program(lib)
        assert np.isnan(y[0].item()) and y[1:].tolist() == [0.0, 1.0]


def _sinc(lib: Any) -> Any:
    x = lib.tensor([0.9995, 2.001, -3.0, 1e-3, 1e4], dtype=lib.float16)
    y = lib.sinc(x)
    z = lib.tensor([0.31, -1.7, 0.0, 1e-30, 2.5], dtype=lib.float32, requires_grad=True)
    lib.sinc(z).backward(lib.ones(5))
    return y, z.grad


def test_sinc_half_and_gradient() -> None:
    y, g = _sinc(ndgrad)
    # float16 through float32: sin(π·0.9995) / (π·0.9995), not np.sinc in float16
    assert y.tolist()[:3] == [0.00048828125, 0.0009756088256835938, -0.0]
    # PyTorch's formula: 0 where x² underflows (it was -2.2e-30)
    assert g.tolist()[2:4] == [0.0, 0.0]
    if torch is not None:
        ty, tg = _sinc(torch)
        assert ty.tolist() == y.tolist()
        np.testing.assert_allclose(g.numpy(), tg.numpy(), rtol=1e-6, atol=0)


# --- Tensor methods that take only a tensor name themselves and position 1 ---------------------


@pytest.mark.parametrize(
    ("method", "arg"),
    [
        ("atan2", "other"),
        ("atan2_", "other"),
        ("hypot_", "other"),
        ("heaviside", "values"),
        ("heaviside_", "values"),
        ("fmax", "other"),
        ("maximum", "other"),
        ("logical_and_", "other"),
        ("igamma", "other"),
        ("gcd_", "other"),
        ("nextafter", "other"),
        ("logaddexp", "other"),
    ],
)
def test_method_tensor_argument(method: str, arg: str) -> None:
    def program(lib: Any) -> Any:
        return getattr(lib.tensor([1.0]), method)(3)

    _check(
        program, ("TypeError", f"{method}(): argument '{arg}' (position 1) must be Tensor, not int")
    )


# --- pow's integer exponent and bool base; clamp of bools --------------------------------------


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        # the exponent is checked, not wrapped to uint8 as binary ops' numbers are (since the
        # wrapping commit of this series, uint8.pow(-1) computed uint8 ** 255)
        (
            lambda lib: lib.tensor([9, 2], dtype=lib.uint8).pow(-1),
            ("RuntimeError", "Integers to negative integer powers are not allowed."),
        ),
        (
            lambda lib: lib.tensor([9, 2], dtype=lib.uint8).pow(258),
            ("RuntimeError", "value cannot be converted to type uint8_t without overflow"),
        ),
        (lambda lib: lib.tensor([False, True]).pow(True), (("bool", [False, True]),)),
        (lambda lib: lib.tensor([False, True]).pow(False), (("bool", [True, True]),)),
        (
            lambda lib: lib.tensor([False, True]) ** lib.tensor([True, True]),
            ("NotImplementedError", "\"pow\" not implemented for 'Bool'"),
        ),
        (
            lambda lib: True ** lib.tensor([False, True]),
            ("NotImplementedError", "\"pow\" not implemented for 'Bool'"),
        ),
        # one tensor bound of a bool tensor is maximum/minimum, which take bools
        (
            lambda lib: lib.tensor([False, True]).clamp_min(lib.tensor(True)),
            (("bool", [True, True]),),
        ),
        (
            lambda lib: lib.tensor([False, True]).clamp(True),
            ("NotImplementedError", "\"clamp_min_scalar_cpu\" not implemented for 'Bool'"),
        ),
        (
            lambda lib: lib.tensor([False, True]).clamp(max=True),
            ("NotImplementedError", "\"clamp_max_scalar_cpu\" not implemented for 'Bool'"),
        ),
    ],
)
def test_pow_and_clamp_of_bools(program: Callable[[Any], Any], expected: Any) -> None:
    _check(program, expected)


# --- out=: the result's cast to out's dtype is checked before a kernel's own dtype error -------


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        (
            lambda lib: lib.bitwise_or(
                lib.tensor([0.5], dtype=lib.float16),
                lib.tensor([0.5], dtype=lib.float16),
                out=lib.zeros(1, dtype=lib.uint8),
            ),
            ("RuntimeError", "result type Half can't be cast to the desired output type Byte"),
        ),
        (
            lambda lib: lib.bitwise_left_shift(
                lib.tensor([1.0]), 1, out=lib.zeros(1, dtype=lib.int64)
            ),
            ("RuntimeError", "result type Float can't be cast to the desired output type Long"),
        ),
        (
            lambda lib: lib.lcm(
                lib.tensor([1.0]), lib.tensor([2.0]), out=lib.zeros(1, dtype=lib.int8)
            ),
            ("RuntimeError", "result type Float can't be cast to the desired output type Char"),
        ),
        (
            lambda lib: lib.special.bessel_j0(
                lib.tensor([0.5], dtype=lib.float16), out=lib.zeros(1, dtype=lib.int32)
            ),
            ("RuntimeError", "result type Half can't be cast to the desired output type Int"),
        ),
    ],
)
def test_out_cast_checked_first(program: Callable[[Any], Any], expected: Any) -> None:
    _check(program, expected)


def _square_half_grad(lib: Any) -> Any:
    x = lib.tensor([0.25], dtype=lib.float16, requires_grad=True)
    (lib.square(x) * lib.tensor([40000.0], dtype=lib.float16)).sum().backward()
    return x.grad


def test_pow_gradient_grouped_as_pytorch() -> None:
    # grad * (2 x), as PyTorch's pow_backward groups it: (grad * 2) * x overflowed float16
    _check(_square_half_grad, (("float16", [20000.0]),))


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        # special.round's out must have the result's dtype, as torch.round's
        (
            lambda lib: lib.special.round(
                lib.tensor([0.5], dtype=lib.float64), decimals=3, out=lib.zeros(1)
            ),
            ("RuntimeError", "Found dtype Float but expected Double"),
        ),
        # ldexp's cast error names ldexp
        (
            lambda lib: lib.tensor([3]).ldexp_(lib.tensor([1])),
            ("RuntimeError", "ldexp can't be cast to the desired output type Long"),
        ),
        (
            lambda lib: lib.ldexp(
                lib.tensor([19], dtype=lib.int8), lib.tensor(-1), out=lib.zeros(1, dtype=lib.int16)
            ),
            ("RuntimeError", "ldexp can't be cast to the desired output type Short"),
        ),
        # the in-place fast path: a bool alpha is refused, an int16 other scaled in float16
        (
            lambda lib: lib.tensor([1.5]).sub_(3.0, alpha=False),
            ("RuntimeError", "Boolean alpha only supported for Boolean results."),
        ),
        (
            lambda lib: lib.tensor([-0.0], dtype=lib.float16).add_(
                lib.tensor([-32768], dtype=lib.int16), alpha=2
            ),
            (("float16", [-np.inf]),),
        ),
    ],
)
def test_inplace_and_out_details(program: Callable[[Any], Any], expected: Any) -> None:
    _check(program, expected)
