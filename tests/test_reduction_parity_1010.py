"""Reductions against PyTorch: what a differential run of 3,000 random calls (30 ops, random
shapes with empty dims, dtypes, dim/keepdim/dtype/correction arguments, nan and inf, gradients)
found, each case failing before its fix.

Each program runs under ndgrad and, where it is installed, under PyTorch (everything returned
must agree); the by-hand tests check the expected outcome without PyTorch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, torch
from .programs import assert_same, graph_names, run


def _program(body: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return body


_PROGRAMS: dict[str, Callable[[Any], Any]] = {}


def _case(name: str) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    def register(body: Callable[[Any], Any]) -> Callable[[Any], Any]:
        _PROGRAMS[name] = body
        return body

    return register


# --- quantile: PyTorch's steps (ranks in the input's dtype, lerp_, squeeze_) ------------------


def _quantile(q: Any, dim: Any, keepdim: bool, interpolation: str, nan: bool) -> Any:
    def program(lib: Any) -> Any:
        x = lib.tensor([[0.3, -1.2, 2.5, 0.7], [1.1, 0.2, -0.4, 3.3], [0.9, 0.9, -2.0, 1.6]])
        if nan:
            x[1, 2] = math.nan
        x.requires_grad_()
        qt = lib.tensor(q) if isinstance(q, list) else q
        f = lib.nanquantile if nan else lib.quantile
        r = f(x, qt, dim, keepdim, interpolation=interpolation)
        (r * lib.linspace(0.5, 1.5, r.numel()).reshape(r.shape)).sum().backward()
        return r, x.grad, graph_names(r.grad_fn, 6)

    return program


_QUANTILES = [
    (0.3, None, False, "linear", False),
    (0.7, 1, False, "linear", False),
    ([0.1, 0.5, 0.95], 0, True, "linear", False),
    ([0.25, 0.75], -1, False, "midpoint", True),
    (0.35, 1, True, "nearest", False),
    (0.62, None, True, "lower", True),
    ([0.0, 1.0], 1, False, "higher", False),
]


@pytest.mark.parametrize("case", _QUANTILES, ids=str)
@requires_torch
def test_quantile_as_torch(case: Any) -> None:
    # float32 ranks (0.7 * 3 rounds in float32) and lerp's formula: values differed in the last
    # bits, and the graph ended in ViewBackward0 / StackBackward0 instead of SqueezeBackward4
    program = _quantile(*case)
    assert_same(run(program, ndgrad), run(program, torch), rtol=0, atol=0)


def test_quantile_by_hand() -> None:
    x = ndgrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    r = ndgrad.quantile(x, 0.3)
    assert r.grad_fn.name() == "SqueezeBackward4"
    assert r.grad_fn.next_functions[0][0].name() == "LerpBackward1"
    r.backward()
    assert r.item() == pytest.approx(1.9)
    assert x.grad.flatten().tolist() == pytest.approx([0.1, 0.9, 0, 0])
    # ranks in float32: 0.7 * 3 = 2.0999999 in float32, so the weight is 0.0999999
    y = ndgrad.tensor([0.0, 0.0, 10.0, 20.0])
    expected = np.float32(10) + (np.float32(0.7) * np.float32(3) - np.float32(2)) * np.float32(10)
    assert ndgrad.quantile(y, 0.7).item() == float(expected)


_QUANTILE_ERRORS = [
    # (program, message): PyTorch's checks in its order
    (
        lambda: ndgrad.quantile(ndgrad.tensor([[1, 2]]), 1.5),
        "q must be in the range [0, 1] but got 1.5",
    ),
    (
        lambda: ndgrad.quantile(ndgrad.tensor([1, 2]), 0.5, interpolation="x"),
        "interpolation must be one of linear, lower, higher, midpoint or nearest, but got x",
    ),
    (
        lambda: ndgrad.quantile(ndgrad.tensor([], dtype=ndgrad.int64), 0.5),
        "input tensor must be non-empty",
    ),
    (
        lambda: ndgrad.quantile(ndgrad.tensor([1]), ndgrad.tensor([[0.5]])),
        "q must be a scalar or 1D tensor",
    ),
    (
        lambda: ndgrad.quantile(ndgrad.tensor([1.0]), ndgrad.tensor([1.5])),
        "q values must be in the range [0, 1]",
    ),
]


@pytest.mark.parametrize("case", range(len(_QUANTILE_ERRORS)))
def test_quantile_error_order(case: int) -> None:
    program, message = _QUANTILE_ERRORS[case]
    with pytest.raises(RuntimeError) as info:
        program()
    assert str(info.value) == "quantile() " + message


# --- var_mean / std_mean ------------------------------------------------------------------------


@_case("var_mean of bool")
def _var_mean_bool(lib: Any) -> Any:
    return lib.var_mean(lib.ones(3, dtype=lib.bool))


@_case("std_mean of int")
def _std_mean_int(lib: Any) -> Any:
    return lib.std_mean(lib.ones(3, dtype=lib.int64), 0)


@_case("var_mean, only the mean used, an inf in x")
def _var_mean_mean_only(lib: Any) -> Any:
    # PyTorch's var_mean_backward skips the undefined var gradient: no 0 * nan
    x = lib.tensor([1.0, math.inf, -math.inf], requires_grad=True)
    _, mean = lib.var_mean(x, correction=0)
    mean.backward()
    return x.grad


@_case("std_mean, only the std used")
def _std_mean_std_only(lib: Any) -> Any:
    x = lib.tensor([1.0, 2.5, -0.5], dtype=lib.float64, requires_grad=True)
    std, _ = lib.std_mean(x)
    (g,) = lib.autograd.grad(std, x, create_graph=True)
    return g, graph_names(g.grad_fn, 5)


def test_var_mean_by_hand() -> None:
    with pytest.raises(RuntimeError, match="^var_mean only support floating point"):
        _var_mean_bool(ndgrad)
    with pytest.raises(RuntimeError, match="^std_mean only support floating point"):
        _std_mean_int(ndgrad)
    assert _var_mean_mean_only(ndgrad).tolist() == pytest.approx([1 / 3] * 3)


# --- softmax of integers, kthvalue, mode, median ----------------------------------------------


@_case("softmax of int64 along dim 0")
def _softmax_int(lib: Any) -> Any:
    return lib.nn.functional.softmax(lib.ones(2, 3, dtype=lib.int64), 0)


@_case("log_softmax of bool along the last dim")
def _log_softmax_bool(lib: Any) -> Any:
    return lib.nn.functional.log_softmax(lib.ones(2, 3, dtype=lib.bool), -1)


@_case("softmax of an empty int tensor")
def _softmax_empty(lib: Any) -> Any:
    r = lib.nn.functional.softmax(lib.ones(2, 0, dtype=lib.int64), 0)
    return tuple(r.shape), r.dtype == lib.int64


@_case("kthvalue of bool")
def _kthvalue_bool(lib: Any) -> Any:
    return lib.kthvalue(lib.ones(3, dtype=lib.bool), 1)


def _ties(op: str, seed: int) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        rng = np.random.default_rng(seed)
        x = lib.tensor(rng.integers(0, 4, (3, 37)).astype(np.float64))
        x[0, 5] = math.nan
        if op == "mode":
            return lib.mode(x, 1)
        if op == "median":
            return lib.median(x, 1), lib.nanmedian(x, 1)
        return [lib.kthvalue(x, k, 1) for k in (1, 9, 18, 37)]

    return program


@pytest.mark.parametrize("op", ["mode", "kthvalue", "median"])
@pytest.mark.parametrize("seed", [0, 1, 2])
@requires_torch
def test_tied_indices_as_torch(op: str, seed: int) -> None:
    # kthvalue's quickselect and mode's std::sort are not stable: the index among equal values
    # is theirs (ndgrad gave the last or the stable-sorted position: 1,280 of 2,000 random
    # mode calls differed); median's nth_element compares indices too (it agreed already)
    program = _ties(op, seed)
    assert_same(run(program, ndgrad), run(program, torch))


def test_tied_indices_by_hand() -> None:
    t = ndgrad.tensor
    assert [ndgrad.kthvalue(t([0, 0, 0, 0]), k).indices.item() for k in (1, 2, 3, 4)] == [
        1,
        0,
        2,
        3,
    ]
    assert ndgrad.mode(t([1.0, math.nan, 1.0, math.nan]), 0).indices.item() == 0
    values, index = ndgrad.mode(t([math.nan, -2.4]), 0)
    assert math.isnan(values.item()) and index.item() == 0


@_case("median of an empty bool tensor along dim 1")
def _median_empty_bool(lib: Any) -> Any:
    return lib.nanmedian(lib.ones(2, 0, dtype=lib.bool), -1, True)


# --- nanmean, logsumexp, the dtype argument ----------------------------------------------------


@_case("nanmean of int64 with a float dtype")
def _nanmean_int(lib: Any) -> Any:
    return lib.nanmean(lib.ones(3, 4, dtype=lib.int64), -1, dtype=lib.float64)


@_case("nanmean with an int dtype")
def _nanmean_int_dtype(lib: Any) -> Any:
    return lib.nanmean(lib.ones(3, 4), dtype=lib.int64)


@_case("logsumexp over dim=() of an empty tensor, and with keepdim")
def _logsumexp_no_dims_ok(lib: Any) -> Any:
    return lib.logsumexp(lib.ones(0, 3), ()), lib.logsumexp(lib.ones(2, 3), (), True)


_INT_DTYPES = {
    "sum": lambda x, lib: x.sum(dtype=lib.int64),
    "sum dim": lambda x, lib: x.sum(0, dtype=lib.int32),
    "prod": lambda x, lib: x.prod(dtype=lib.int64),
    "cumsum": lambda x, lib: x.cumsum(0, dtype=lib.int64),
    "cumprod": lambda x, lib: x.cumprod(0, dtype=lib.int64),
    "nansum": lambda x, lib: x.nansum(dtype=lib.int64),
    "sum bool": lambda x, lib: x.sum(dtype=lib.bool),
}


@pytest.mark.parametrize("name", list(_INT_DTYPES))
def test_integer_dtype_of_a_grad_input_refused(name: str) -> None:
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="^Autograd not support dtype: (Long|Int|Bool)$"):
        _INT_DTYPES[name](x, ndgrad)
    with ndgrad.no_grad():
        _INT_DTYPES[name](x, ndgrad)  # (no gradient: no error)
    _INT_DTYPES[name](x.detach(), ndgrad)


_CAST_BY_DTYPE = {
    "sum": lambda x, lib: x.sum(dtype=lib.float32),
    "sum dim": lambda x, lib: x.sum(0, dtype=lib.float32),
    "mean": lambda x, lib: x.mean(dtype=lib.float32),
    "mean dim": lambda x, lib: x.mean(1, dtype=lib.float32),
    "prod dim": lambda x, lib: x.prod(1, dtype=lib.float32),
    "cumsum": lambda x, lib: x.cumsum(0, dtype=lib.float32),
    "cumprod": lambda x, lib: x.cumprod(0, dtype=lib.float32),
    "nansum": lambda x, lib: x.nansum(dtype=lib.float32),
    "nanmean": lambda x, lib: x.nanmean(dtype=lib.float32),
    "float32 cumsum in float64": lambda x, lib: x.float().cumsum(1, dtype=lib.float64),
    "float16 sum in float32": lambda x, lib: x.half().sum(dtype=lib.float32),
}


def _cast_by_dtype(name: str, part: str) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        x = lib.tensor([[-0.9, -2.6, 0.3], [0.3, 0.7, 1.9]], dtype=lib.float64, requires_grad=True)
        r = _CAST_BY_DTYPE[name](x, lib)
        (g,) = lib.autograd.grad((r * lib.linspace(0.5, 1.5, r.numel()).reshape(r.shape)).sum(), x)
        return r if part == "value" else (g.tolist(), graph_names(r.grad_fn, 2))

    return program


@pytest.mark.parametrize("name", list(_CAST_BY_DTYPE))
@requires_torch
def test_reduction_dtype_as_torch(name: str) -> None:
    # PyTorch records no cast before the reduction (its node takes the input as given; cumsum
    # and cumprod take the gradient back to the input's dtype first): ndgrad recorded
    # ToCopyBackward0, and its cumsum/cumprod gradients were float32 sums. Gradients and graphs
    # agree exactly; the float32 results to float32's precision (PyTorch's vectorized kernel
    # adds these six numbers in an order of its own: 1 ulp apart, also without a dtype).
    program = _cast_by_dtype(name, "gradient")
    assert_same(run(program, ndgrad), run(program, torch), rtol=0, atol=0)
    program = _cast_by_dtype(name, "value")
    assert_same(run(program, ndgrad), run(program, torch), rtol=1e-6, atol=0)


def test_reduction_dtype_by_hand() -> None:
    x = ndgrad.tensor([-0.9, -2.6], dtype=ndgrad.float64, requires_grad=True)
    r = x.cumsum(0, dtype=ndgrad.float32)
    assert r.grad_fn.next_functions[0][0].name() == "torch::autograd::AccumulateGrad"
    r.backward(ndgrad.tensor([1 / 3, 1.0], dtype=ndgrad.float32))
    third = float(np.float32(1 / 3))
    assert x.grad.tolist() == [third + 1.0, 1.0]  # summed in float64


# --- norm with p = 0, logcumsumexp with an inf --------------------------------------------------


@_case("vector_norm p=0: no gradient")
def _norm_zero(lib: Any) -> Any:
    x = lib.tensor([[1.0, -2.0], [0.0, 3.0]], requires_grad=True)
    r = lib.norm(x, p=0, dim=(0, 1), keepdim=True)
    r.sum().backward()
    used = lib.autograd.grad(lib.linalg.vector_norm(x, 0) + x.sum(), x)
    return r, x.grad, used


def test_norm_zero_by_hand() -> None:
    r, grad, used = _norm_zero(ndgrad)
    assert r.item() == 3.0 and grad is None and used[0].tolist() == [[1.0, 1.0], [1.0, 1.0]]


def _logcumsumexp(values: list[float], weights: list[float]) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
        r = lib.logcumsumexp(x, 0)
        (r * lib.tensor(weights, dtype=lib.float64)).sum().backward()
        return r, x.grad

    return program


_LOGCUMSUMEXP = [
    ([math.inf, 1.0, 2.0, 0.5], [0.5, 0.8, 1.1, 1.4]),
    ([1.0, math.inf, 2.0, 0.5], [0.5, -0.8, 1.1, 1.4]),
    ([1.0, -math.inf, 2.0, 0.5], [0.5, 0.8, -1.1, 1.4]),
    ([-3.0, 40.0, 0.1, 2.0], [0.5, -0.8, 1.1, 1.4]),
]


@pytest.mark.parametrize("case", _LOGCUMSUMEXP, ids=str)
@requires_torch
def test_logcumsumexp_gradient_as_torch(case: Any) -> None:
    # PyTorch's formula (in logs, positive and negative gradients apart): with an inf in x,
    # ndgrad's gradient was nan everywhere where PyTorch's is nan at the inf only
    program = _logcumsumexp(*case)
    assert_same(run(program, ndgrad), run(program, torch))


def test_logcumsumexp_gradient_by_hand() -> None:
    _, grad = _logcumsumexp(*_LOGCUMSUMEXP[0])(ndgrad)
    assert math.isnan(grad[0].item()) and grad[1:].tolist() == [0.0, 0.0, 0.0]
    x = ndgrad.tensor([[1.0, -3, 2.0, 0.5], [0.1, 0.2, 0.3, 4.0]], dtype=ndgrad.float64)
    x.requires_grad_()
    assert ndgrad.autograd.gradcheck(lambda t: ndgrad.logcumsumexp(t, 1), (x,))
    assert ndgrad.autograd.gradgradcheck(lambda t: ndgrad.logcumsumexp(t, 0), (x,))


# --- the registered programs: errors and values as PyTorch's -----------------------------------


@pytest.mark.parametrize("name", list(_PROGRAMS))
@requires_torch
def test_as_torch(name: str) -> None:
    assert_same(run(_PROGRAMS[name], ndgrad), run(_PROGRAMS[name], torch))


_ERRORS_BY_HAND = {
    "softmax of int64 along dim 0": (NotImplementedError, '"softmax_kernel_impl" not implemented'),
    "log_softmax of bool along the last dim": (
        NotImplementedError,
        '"log_softmax_lastdim_kernel_impl" not implemented',
    ),
    "kthvalue of bool": (NotImplementedError, '"kthvalue_cpu" not implemented'),
    "median of an empty bool tensor along dim 1": (
        IndexError,
        r"median\(\): Expected reduction dim 1",
    ),
    "nanmean of int64 with a float dtype": (
        RuntimeError,
        r"nanmean\(\): expected input to have float",
    ),
    "nanmean with an int dtype": (RuntimeError, r"nanmean\(\): could not infer output"),
}


@pytest.mark.parametrize("name", list(_ERRORS_BY_HAND))
def test_errors_by_hand(name: str) -> None:
    error, message = _ERRORS_BY_HAND[name]
    with pytest.raises(error, match="^" + message):
        _PROGRAMS[name](ndgrad)


def test_empty_int_softmax_and_logsumexp_by_hand() -> None:
    assert _softmax_empty(ndgrad) == ((2, 0), True)
    empty, kept = _logsumexp_no_dims_ok(ndgrad)
    assert empty.item() == -math.inf and kept.shape == (1, 1)


# --- var, std, var_mean, std_mean: PyTorch's backward formulas, op for op ----------------------


def _moments(op: str, shape: tuple[int, ...], kwargs: dict[str, Any], which: Any) -> Any:
    def program(lib: Any) -> Any:
        n = int(np.prod(shape))
        x = lib.tensor(np.linspace(-1.3, 2.1, n).reshape(shape) ** 2, dtype=lib.float64)
        x.requires_grad_()
        out = getattr(lib, op)(x, **kwargs)
        outs = out if isinstance(out, tuple) else (out,)
        total = sum(
            (o * lib.linspace(0.5, 1.5, o.numel(), dtype=lib.float64).reshape(o.shape)).sum()
            for k, o in enumerate(outs)
            if which in (k, None)
        )
        (g,) = lib.autograd.grad(total, x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), x, allow_unused=True)
        return list(outs), g, gg, graph_names(g.grad_fn, 6)

    return program


_MOMENTS = [
    ("var", (3, 4), {"dim": 0, "correction": 1}, None),
    ("var", (2, 3, 4), {"dim": (0, -1), "keepdim": False, "correction": 0}, None),
    ("std", (5,), {"correction": 2}, None),
    ("std", (3, 4), {"dim": -1, "keepdim": True, "correction": 1}, None),
    ("var", (), {"correction": 1}, None),
    ("var_mean", (3, 4), {"dim": 1, "correction": 1}, 1),
    ("std_mean", (2, 3, 4), {"dim": (0, 1), "correction": 0}, 0),
    ("std_mean", (3, 4), {"correction": 1}, None),
]


@pytest.mark.parametrize("case", _MOMENTS, ids=str)
@requires_torch
def test_moment_gradients_as_torch(case: Any) -> None:
    # the double backward's graph was ndgrad's own (ExpandBackward0, ViewBackward0, WhereBackward0
    # where PyTorch has MulBackward1, MaskedFillBackward0, DivBackward0): 720 configurations
    # of op, shape, dim, keepdim, correction and used outputs now agree, values included
    program = _moments(*case)
    assert_same(run(program, ndgrad), run(program, torch), rtol=1e-12, atol=1e-12)


def test_moment_gradients_by_hand() -> None:
    _, g, _, graph = _moments("std", (5,), {"correction": 2}, None)(ndgrad)
    assert graph[0] == "MulBackward0" and graph[1][0][0] == "MulBackward1"
    assert graph[1][0][1][0][0] == "MaskedFillBackward0"
    x = np.linspace(-1.3, 2.1, 5) ** 2
    std = np.sqrt(((x - x.mean()) ** 2).sum() / 3)
    np.testing.assert_allclose(g.detach().numpy(), 0.5 * (x - x.mean()) / (3 * std), rtol=1e-12)
    t = ndgrad.tensor([[1.0, 2.5], [-0.5, 3.0]], dtype=ndgrad.float64, requires_grad=True)
    for op in (ndgrad.var, ndgrad.std):
        assert ndgrad.autograd.gradcheck(lambda v, op=op: op(v, 1), (t,))
        assert ndgrad.autograd.gradgradcheck(lambda v, op=op: op(v, 0, keepdim=True), (t,))
