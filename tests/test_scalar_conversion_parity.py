"""Numbers meeting tensors: numpy scalars, out-of-range fill values, mixed-dtype operands, and
the order of PyTorch's checks. Found by a differential run of 40,000 random binary-op calls
(operand kinds: tensors of nine dtypes, 0-d tensors, Python and numpy numbers) against torch
2.13, and a probe of every fill-like op with out-of-range values; each case below differed."""

from __future__ import annotations

import random
import warnings
from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import gradcheck, gradgradcheck
from tests.helpers import requires_torch, torch

# --- numpy scalars are numbers: they do not promote a tensor of their category -----------------


@pytest.mark.parametrize(
    ("code", "dtype"),
    [
        ("lib.fmod(lib.ones(3, dtype=lib.int64), np.float64(-2.5))", "float32"),
        ("lib.xlogy(lib.ones(3), np.float64(2.5))", "float32"),
        ("lib.remainder(lib.ones(3, dtype=lib.int8), np.int32(3))", "int8"),
        ("lib.remainder(np.int64(7), lib.full((3,), 3, dtype=lib.int8))", "int8"),
        ("lib.add(lib.ones(3, dtype=lib.float16), 1, alpha=np.float64(-2.5))", "float16"),
        ("lib.sub(lib.ones(3, dtype=lib.int32), 1, alpha=np.int32(3))", "int32"),
    ],
)
def test_numpy_scalars_do_not_promote(code: str, dtype: str) -> None:
    out = eval(code, {"lib": ndgrad, "np": np})
    assert str(out.dtype) == f"torch.{dtype}"


def test_numpy_scalar_type_names_in_messages() -> None:
    with pytest.raises(TypeError, match=r"must be Tensor, not numpy\.int64"):
        ndgrad.atan2(ndgrad.ones(2), np.int64(2))
    with pytest.raises(TypeError, match=r"^arctan2\(\): argument 'other' \(position 2\)"):
        ndgrad.arctan2(ndgrad.ones(2), 2.0)
    with pytest.raises(TypeError, match=r"lerp\(\) received an invalid combination of arguments"):
        ndgrad.lerp(ndgrad.ones(2), np.int32(3), 0.5)


# --- PyTorch checks shapes before dtypes, and names its operands in its own order -----------


@pytest.mark.parametrize(
    "code",
    [
        "lib.gcd(lib.ones(3), lib.ones(4, dtype=lib.int16))",
        "lib.bitwise_xor(lib.ones(3), lib.ones(4, dtype=lib.int64))",
        "lib.ones(3) << lib.ones(4, dtype=lib.int32)",
        "lib.nextafter(lib.ones(3), lib.ones(4, dtype=lib.int8))",
        "lib.ldexp(lib.ones(3), lib.ones(4))",
        "lib.add(lib.ones(3), lib.ones(4), alpha=True)",
        "lib.where(lib.ones(4) > 0, lib.ones(4), lib.ones(3))",
    ],
)
def test_shapes_are_checked_first(code: str) -> None:
    with pytest.raises(RuntimeError, match="must match the size of tensor b"):
        eval(code, {"lib": ndgrad})


def test_reflected_operators_as_pytorch() -> None:
    # other / x is reciprocal(x) * other, for a tensor other too (dtype, graph, message)
    x = ndgrad.tensor([2, 4], dtype=ndgrad.int32)
    assert x.__rtruediv__(ndgrad.tensor(3.0, dtype=ndgrad.float16)).dtype == ndgrad.float32
    w = ndgrad.tensor([2.0, 4.0], requires_grad=True)
    y = w.__rtruediv__(ndgrad.tensor([1.0, 2.0]))
    assert y.grad_fn.name() == "MulBackward0"
    assert y.grad_fn.next_functions[0][0].name() == "ReciprocalBackward0"
    with pytest.raises(RuntimeError, match=r"tensor a \(3\) must match the size of tensor b \(4\)"):
        ndgrad.ones(3).__rtruediv__(ndgrad.ones(4))
    with pytest.raises(RuntimeError, match=r"tensor a \(4\) must match the size of tensor b \(3\)"):
        ndgrad.ones(3).__rsub__(ndgrad.ones(4))
    r = ndgrad.ones(3, dtype=ndgrad.int64).__rmod__(ndgrad.full((3,), 2.5))  # a tensor other
    np.testing.assert_array_equal(r.numpy(), np.full(3, 0.5, np.float32))


# --- ldexp, lerp, addcmul, pow, xlogy --------------------------------------------------------


def test_ldexp_rounds_a_float_exponent_power_in_its_dtype() -> None:
    x = ndgrad.tensor([1.5, -2.0, 3.0], dtype=ndgrad.float64)
    e16 = np.array([1.3, 2.7, -0.4], np.float16)
    got = ndgrad.ldexp(x, ndgrad.tensor(e16)).numpy()
    np.testing.assert_array_equal(got, x.numpy() * np.exp2(e16).astype(np.float64))
    e0 = np.float16(3.355)  # a 0-d exponent is a number: 2**e in the result's dtype
    got0 = ndgrad.ldexp(x, ndgrad.tensor(e0)).numpy()
    np.testing.assert_array_equal(got0, x.numpy() * np.exp2(np.float64(e0)))
    with pytest.raises(NotImplementedError, match="\"ldexp_cpu_exp\" not implemented for 'Bool'"):
        ndgrad.ldexp(x, ndgrad.tensor([True, False, True]))


def test_ldexp_gradients() -> None:
    x = ndgrad.tensor([1.5, -2.0, 3.0], dtype=ndgrad.float64, requires_grad=True)
    e = ndgrad.tensor([0.3, -1.2, 2.0], dtype=ndgrad.float64, requires_grad=True)
    assert gradcheck(ndgrad.ldexp, (x, e))
    assert gradgradcheck(ndgrad.ldexp, (x, e))


def test_lerp_takes_a_0d_weight_of_another_dtype() -> None:
    x = ndgrad.ones(3, requires_grad=True)
    w = ndgrad.tensor(0.25, dtype=ndgrad.float64, requires_grad=True)
    y = ndgrad.lerp(x, ndgrad.zeros(3), w)
    assert y.dtype == ndgrad.float32
    y.sum().backward()
    assert w.grad is not None and w.grad.dtype == ndgrad.float64 and float(w.grad) == -3.0
    with pytest.raises(RuntimeError, match="expected dtype float for `weight`"):
        ndgrad.lerp(ndgrad.ones(3), ndgrad.zeros(3), ndgrad.full((3,), 0.5, dtype=ndgrad.float64))
    with pytest.raises(NotImplementedError, match="'Char'"):
        a = ndgrad.tensor(-4, dtype=ndgrad.int8)
        ndgrad.lerp(a, ndgrad.ones(4, dtype=ndgrad.int8), ndgrad.tensor(-4))


def test_lerp_gradcheck_with_a_0d_weight() -> None:
    s = ndgrad.tensor([0.5, -1.0], dtype=ndgrad.float64, requires_grad=True)
    e = ndgrad.tensor([2.0, 3.0], dtype=ndgrad.float64, requires_grad=True)
    w = ndgrad.tensor(0.3, dtype=ndgrad.float64, requires_grad=True)
    assert gradcheck(ndgrad.lerp, (s, e, w))
    assert gradgradcheck(ndgrad.lerp, (s, e, w))


def test_addcmul_pow_xlogy_checks() -> None:
    b = ndgrad.tensor([True, False])
    with pytest.raises(NotImplementedError, match="\"addcmul_cpu_out\" not implemented for 'Bool'"):
        ndgrad.addcmul(b, b, b)
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed"):
        ndgrad.pow(ndgrad.ones(2, dtype=ndgrad.uint8), np.int64(-2))
    for exponent in (7e4, 70000, 1e10):
        with pytest.raises(RuntimeError, match="converted to type c10::Half without overflow"):
            ndgrad.pow(ndgrad.ones(2, dtype=ndgrad.float16), exponent)
    # a number meets a float16 tensor as a float16 (1e10 is inf there), as PyTorch wraps it
    y = ndgrad.xlogy(ndgrad.tensor([1.0, -2.0], dtype=ndgrad.float16), 1e10)
    np.testing.assert_array_equal(y.numpy(), np.array([np.inf, -np.inf], np.float16))


# --- values written into a tensor: PyTorch's overflow check ----------------------------------

_FILLS = {
    "masked_fill": lambda t, v: t.masked_fill(ndgrad.tensor([True, False]), v),
    "index_fill": lambda t, v: t.index_fill(0, ndgrad.tensor([0]), v),
    "fill_": lambda t, v: t.fill_(v),
    "full": lambda t, v: ndgrad.full((2,), v, dtype=t.dtype),
    "new_full": lambda t, v: t.new_full((2,), v),
    "scatter": lambda t, v: t.scatter(0, ndgrad.tensor([0]), v),
    "setitem": lambda t, v: t.__setitem__(0, v),
    "fill_diagonal_": lambda t, v: t.reshape(1, 2).fill_diagonal_(v),
    "index_add alpha": lambda t, v: t.index_add(
        0, ndgrad.tensor([0]), ndgrad.ones(1, dtype=t.dtype), alpha=v
    ),
}


@pytest.mark.parametrize("op", list(_FILLS))
@pytest.mark.parametrize(
    ("dtype", "value", "name"),
    [
        ("int16", 40000, "int16_t"),
        ("int8", float("nan"), "int8_t"),
        ("uint8", -256, "uint8_t"),
        ("int32", np.float64(1e10), "int"),
        ("float32", 1e300, "float"),
    ],
)
def test_out_of_range_values_are_refused(op: str, dtype: str, value: Any, name: str) -> None:
    t = ndgrad.zeros(2, dtype=getattr(ndgrad, dtype))
    with pytest.raises(RuntimeError, match=f"value cannot be converted to type {name} without"):
        _FILLS[op](t, value)


def test_values_that_fit_or_wrap_as_pytorch() -> None:
    m = ndgrad.tensor([True, False])
    assert ndgrad.zeros(2, dtype=ndgrad.uint8).masked_fill(m, -1).tolist() == [255, 0]
    assert ndgrad.zeros(2, dtype=ndgrad.int16).masked_fill(m, 2.7).tolist() == [2, 0]
    t = ndgrad.zeros(2, dtype=ndgrad.float16)
    t[0] = 1e10  # item assignment lets float16 round to inf, as PyTorch's
    assert t.tolist() == [float("inf"), 0.0]
    assert ndgrad.tensor([-1, 3], dtype=ndgrad.uint8).tolist() == [255, 3]
    assert ndgrad.tensor([True, -2.5, -1], dtype=ndgrad.int8).tolist() == [1, -2, -1]
    with pytest.raises(
        RuntimeError, match="value cannot be converted to type int8 without overflow"
    ):
        ndgrad.tensor([300, 2.5], dtype=ndgrad.int8)


# --- the differential run itself, a slice of it, against torch -------------------------------

_DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
_OPS = [
    "add", "sub", "mul", "div", "floor_divide", "remainder", "pow", "atan2", "maximum", "fmod",
    "bitwise_and", "eq", "lt", "logical_xor", "hypot", "copysign", "nextafter", "xlogy", "ldexp",
    "heaviside", "gcd", "logaddexp", "__rtruediv__", "__rsub__", "__rmod__", "__rpow__",
]  # fmt: skip


def _operand(rng: random.Random, nr: np.random.Generator, shape: tuple[int, ...]) -> Any:
    kind = rng.choice(["t", "t", "t", "t0", "int", "float", "bool", "npf", "npi"])
    if kind == "int":
        return ("n", rng.choice([0, 1, 2, -3, 7, 300]))
    if kind == "float":
        return ("n", rng.choice([0.5, -1.25, 2.0, 0.0, 1e10, float("inf")]))
    if kind == "bool":
        return ("n", rng.choice([True, False]))
    if kind == "npf":
        return ("n", np.float32(1.5) if rng.random() < 0.5 else np.float64(-2.5))
    if kind == "npi":
        return ("n", np.int32(3) if rng.random() < 0.5 else np.int64(-2))
    dt = rng.choice(_DTYPES)
    a = nr.standard_normal(() if kind == "t0" else shape) * 4
    if dt == "bool":
        return ("t", a > 0)
    if dt[0] in "iu":
        info = np.iinfo(dt)
        return ("t", np.clip(np.round(a), info.min, info.max).astype(dt))
    return ("t", a.astype(dt))


def _run(lib: Any, op: str, operands: list[Any]) -> Any:
    a, b = (lib.tensor(v.copy()) if k == "t" else v for k, v in operands)
    try:
        r = getattr(a, op)(b) if op.startswith("__") else getattr(lib, op)(a, b)
    except Exception as e:
        return ("error", type(e).__name__, str(e).split("\n")[0])
    return ("ok", str(r.dtype), tuple(r.shape), np.asarray(r.numpy(), dtype=np.float64))


@requires_torch
@pytest.mark.parametrize("block", range(4))
def test_random_binary_calls_match_torch(block: int) -> None:
    differ = []
    for seed in range(block * 250, (block + 1) * 250):
        rng, nr = random.Random(seed), np.random.default_rng(seed)
        op = rng.choice(_OPS)
        shape = rng.choice([(3,), (2, 3), (1,), (4,)])
        operands = [_operand(rng, nr, shape) for _ in range(2)]
        if operands[0][0] != "t":
            operands[0] = ("t", np.array([1.5, -2.0, 3.0]))
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (warnings are not compared: torch's ldexp of a
            # 0-d input warns that it resized its output)
            mine, theirs = _run(ndgrad, op, operands), _run(torch, op, operands)
        same = mine[:3] == theirs[:3]
        if same and mine[0] == "ok":
            tol = 2e-3 if "float16" in mine[1] else 1e-6
            same = np.allclose(mine[3], theirs[3], rtol=tol, atol=1e-6, equal_nan=True)
        if not same:
            differ.append((seed, op, mine[:3], theirs[:3]))
    assert not differ, differ[:3]


# --- ties: relu, clamp by numbers, fmax and fmin keep the first operand (-0.0 against 0.0) ---
# (PyTorch's maximum, minimum and clamp by tensors give the second in their vectorised loop and
# the first on short rows; ndgrad gives numpy's: the second, for float32 and float64)

_TIES = {
    "relu": lambda lib, a, b: lib.relu(a),
    "clamp min": lambda lib, a, b: lib.clamp(a, min=0.0),
    "clamp max": lambda lib, a, b: lib.clamp(b, max=-0.0),
    "fmax": lambda lib, a, b: lib.fmax(a, b),
    "fmin": lambda lib, a, b: lib.fmin(a, b),
}


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("op", list(_TIES))
def test_ties_keep_the_first_operand(op: str, dtype: str) -> None:
    # a = [-0., 0.], b = [0., -0.]: the first operand's zero comes back (relu(-0.) is -0.)
    dt = getattr(ndgrad, dtype)
    a, b = ndgrad.tensor([-0.0, 0.0], dtype=dt), ndgrad.tensor([0.0, -0.0], dtype=dt)
    out = _TIES[op](ndgrad, a, b)
    first = b if op == "clamp max" else a
    assert np.signbit(out.numpy()).tolist() == np.signbit(first.numpy()).tolist()


@requires_torch
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_ties_match_torch(dtype: str) -> None:
    for op, fn in _TIES.items():
        got = []
        for lib in (ndgrad, torch):
            dt = getattr(lib, dtype)
            a, b = (
                lib.tensor([-0.0, 0.0, 1.0] * 7, dtype=dt),
                lib.tensor([0.0, -0.0, 1.0] * 7, dtype=dt),
            )
            got.append(np.signbit(fn(lib, a, b).numpy()).tolist())
        assert got[0] == got[1], op


# --- out= and in-place writes (a differential run of 5,000 random in-place/out= calls: 86
# differed, 19 now: mean's out= message, lerp_'s and pow_'s order of checks) --------------


def test_reductions_into_out_compute_in_outs_dtype() -> None:
    # PyTorch casts the input to out's dtype first: [0.6, 0.7, 1.9] sums to 1 in int64
    x = ndgrad.tensor([0.6, 0.7, 1.9])
    cases = [
        ("sum", "int64", 1),
        ("prod", "int64", 0),
        ("cumsum", "int8", [0, 0, 1]),
        ("sum", "bool", True),
    ]
    for fn, dtype, want in cases:
        out = ndgrad.empty(0, dtype=getattr(ndgrad, dtype))
        getattr(ndgrad, fn)(x, 0, out=out)
        assert out.tolist() == want, fn
    out16 = ndgrad.empty(0, dtype=ndgrad.float16)
    ndgrad.sum(x, 0, out=out16)  # the inputs rounded to float16 first: 3.2012, not 3.1992
    assert out16.item() == float(np.float16(3.2012))
    assert ndgrad.sum(x, 0, dtype=ndgrad.bool).item() is True
    assert ndgrad.prod(ndgrad.tensor([0.5, 0.0]), 0, dtype=ndgrad.bool).item() is False
    with pytest.raises(NotImplementedError, match="\"cumsum_out_cpu\" not implemented for 'Bool'"):
        ndgrad.cumsum(x, 0, dtype=ndgrad.bool)
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        ndgrad.sum(x.requires_grad_(), 0, out=ndgrad.empty(0))


def test_cat_into_out_and_copy_messages() -> None:
    with pytest.raises(TypeError, match=r"torch.cat\(\): input types can't be cast to .* Byte"):
        ndgrad.cat([ndgrad.ones(2), ndgrad.ones(2)], out=ndgrad.empty(0, dtype=ndgrad.uint8))
    with pytest.raises(RuntimeError, match=r"output with shape \[\] doesn't match the broadcast"):
        ndgrad.zeros(()).copy_(ndgrad.ones(1))


def test_fill_with_a_tensor_casts_and_masked_fill_checks() -> None:
    # fill_ of a 0-d tensor converts as a C cast (-2.3 into uint8 is 254), where masked_fill_
    # of one reads it as a number and checks it
    t = ndgrad.zeros(2, dtype=ndgrad.uint8)
    assert t.fill_(ndgrad.tensor(-2.3, dtype=ndgrad.float64)).tolist() == [254, 254]
    with pytest.raises(RuntimeError, match="converted to type uint8_t without overflow"):
        t.masked_fill_(ndgrad.tensor([True, False]), ndgrad.tensor(-1.5))


# --- float()/complex() of a tensor that requires grad ---------------------------------------------
_GRAD_SCALAR = (
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
    "Consider using tensor.detach() first."
)


def test_float_of_a_tensor_that_requires_grad_warns_once_in_grad_mode():
    import warnings

    from ndgrad import _errors

    _errors.WARNED_ONCE.discard("scalar_of_grad_tensor")
    x = ndgrad.tensor(1.5, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert int(x) == 1 and x.item() == 1.5 and float(x.detach()) == 1.5  # no warning
        with ndgrad.no_grad():
            assert float(x) == 1.5  # none under no_grad either (LBFGS reads its loss so)
        assert not caught
        with pytest.raises(ValueError, match="only one element tensors"):
            float(ndgrad.ones(2, requires_grad=True))  # the warning comes first
        assert float(x) == 1.5 and complex(x) == 1.5 + 0j  # once per process
    assert [str(w.message) for w in caught] == [_GRAD_SCALAR]
    assert caught[0].category is UserWarning and caught[0].filename == __file__
    with pytest.raises(ValueError, match="only one element tensors"):
        complex(ndgrad.ones(2))
