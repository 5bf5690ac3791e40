"""Reductions where the derivative is not unique (ties, zeros, kinks), dtype rules, empty inputs,
return types and error messages. Each convention is checked against fixed values and, when torch
is installed, against PyTorch. docs/conventions_reductions.md lists the conventions tested here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import gradcheck, gradgradcheck

from .helpers import requires_torch, to_numpy, torch

INF, NAN = math.inf, math.nan


def _grad(lib: Any, fn: Callable[[Any], Any], values: Any) -> tuple[Any, np.ndarray]:
    """(output, d sum(output) / d input) for float64 ``values``, under ndgrad or torch."""
    x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
    out = fn(x)
    first = out[0] if isinstance(out, tuple) else out
    (g,) = lib.autograd.grad(first.sum(), [x], allow_unused=True)
    return out, (None if g is None else to_numpy(g))


def _check(fn: Callable[[Any], Any], values: Any, expected_grad: Any, expected_out: Any) -> None:
    """ndgrad gives the expected output and gradient, and so does PyTorch when installed."""
    libs = [ndgrad] if torch is None else [ndgrad, torch]
    for lib in libs:
        out, g = _grad(lib, fn, values)
        got = to_numpy(tuple(out) if isinstance(out, tuple) else out)
        if isinstance(expected_out, tuple):
            for a, e in zip(got, expected_out, strict=True):
                np.testing.assert_allclose(a, e, equal_nan=True)
        else:
            np.testing.assert_allclose(got, expected_out, equal_nan=True)
        if expected_grad is None:
            assert g is None or not np.any(g), lib.__name__
        else:
            np.testing.assert_allclose(g, expected_grad, rtol=1e-12, equal_nan=True)


# --- ties -----------------------------------------------------------------------------------------
TIES = [
    # name, op, input, expected gradient of sum(output), expected output
    ("max_all_ties_split", lambda x: x.max(), [1.0, 3, 3], [0, 0.5, 0.5], 3.0),
    ("min_all_ties_split", lambda x: x.min(), [1.0, 1, 3], [0.5, 0.5, 0], 1.0),
    (
        "amax_dim_ties_split",
        lambda x: x.amax(1),
        [[1.0, 3, 3], [2, 2, 2]],
        [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]],
        [3.0, 2],
    ),
    ("amin_all_ties_split", lambda x: x.amin(), [2.0, 1, 1, 1], [0, 1 / 3, 1 / 3, 1 / 3], 1.0),
    (
        "max_dim_first_index",
        lambda x: x.max(1),
        [[1.0, 3, 3], [2, 2, 2]],
        [[0, 1, 0], [1, 0, 0]],
        ([3.0, 2], [1, 0]),
    ),
    (
        "min_dim_first_index",
        lambda x: x.min(0, keepdim=True),
        [[1.0, 2], [1, 0]],
        [[1, 0], [0, 1]],
        ([[1.0, 0]], [[0, 1]]),
    ),
    ("median_all_ties_split", lambda x: x.median(), [1.0, 2, 2, 3], [0, 0.5, 0.5, 0], 2.0),
    ("median_all_lower", lambda x: x.median(), [4.0, 1, 3, 2], [0, 0, 0, 1], 2.0),
    (
        "median_dim_stable_index",
        lambda x: x.median(1),
        [[1.0, 2, 2, 3], [2, 2, 1, 2], [5, 5, 5, 5]],
        [[0, 1, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0]],
        ([2.0, 2, 5], [1, 0, 1]),
    ),
    (
        "sort_stable",
        lambda x: x.sort(),
        [2.0, 1, 2, 1],
        [1, 1, 1, 1],
        ([1.0, 1, 2, 2], [1, 3, 0, 2]),
    ),
    (
        "sort_descending_stable",
        lambda x: x.sort(descending=True),
        [2.0, 1, 2, 1],
        [1, 1, 1, 1],
        ([2.0, 2, 1, 1], [0, 2, 1, 3]),
    ),
    ("max_all_nan", lambda x: x.max(), [1.0, NAN, 3], [0, 1, 0], NAN),
    ("amax_nan", lambda x: x.amax(), [1.0, NAN, NAN], [NAN, NAN, NAN], NAN),
    ("max_dim_nan", lambda x: x.max(0), [1.0, NAN, 3], [0, 1, 0], (NAN, 1)),
    ("median_dim_nan", lambda x: x.median(0), [1.0, NAN, NAN, 2, 3], [0, 1, 0, 0, 0], (NAN, 1)),
    ("median_all_nan", lambda x: x.median(), [1.0, NAN, 0], [0, 1, 0], NAN),
    # --- zeros and kinks ---
    ("prod_one_zero", lambda x: x.prod(), [2.0, 0, 3], [0, 6, 0], 0.0),
    ("prod_two_zeros", lambda x: x.prod(), [2.0, 0, 0], [0, 0, 0], 0.0),
    (
        "prod_dim_zero",
        lambda x: x.prod(1),
        [[2.0, 0, 3], [1, 2, 3]],
        [[0, 6, 0], [6, 3, 2]],
        [0, 6],
    ),
    ("cumprod_one_zero", lambda x: x.cumprod(0), [2.0, 0, 3, 4], [1, 32, 0, 0], [2.0, 0, 0, 0]),
    ("cumprod_two_zeros", lambda x: x.cumprod(0), [2.0, 0, 3, 0], [1, 8, 0, 0], [2.0, 0, 0, 0]),
    *[
        (f"norm_p{p}_at_zero", lambda x, p=p: x.norm(p), [0.0, 0, 0], [0, 0, 0], 0.0)
        for p in (2, 1, INF, -INF, 3, 0.5, "fro")
    ],
    (
        "norm_dim_zero_row",
        lambda x: x.norm(dim=1),
        [[0.0, 0], [3, 4]],
        [[0, 0], [0.6, 0.8]],
        [0.0, 5],
    ),
    ("norm_inf_ties_split", lambda x: x.norm(INF), [-3.0, 3, 1], [-0.5, 0.5, 0], 3.0),
    ("norm_p1_zero_entry", lambda x: x.norm(1), [0.0, 3, -1], [0, 1, -1], 4.0),
    (
        "norm_p0.5_zero_entry",
        lambda x: x.norm(0.5),
        [0.0, 4, 1],
        [0, (9 / 4) ** 0.5, 9**0.5],
        9.0,
    ),
    ("norm_p0_no_gradient", lambda x: x.norm(0), [0.0, 1, 2], None, 2.0),
    ("std_constant_zero_grad", lambda x: x.std(), [1.0, 1, 1], [0, 0, 0], 0.0),
    ("var_constant_zero_grad", lambda x: x.var(), [1.0, 1, 1], [0, 0, 0], 0.0),
    ("logsumexp_large", lambda x: x.logsumexp(0), [1000.0, 1000], [0.5, 0.5], 1000 + math.log(2)),
    ("logsumexp_inf", lambda x: x.logsumexp(0), [INF, 1.0], [NAN, 0], INF),
    ("logsumexp_all_neg_inf", lambda x: x.logsumexp(0), [-INF, -INF], [NAN, NAN], -INF),
]


@pytest.mark.parametrize(
    ("fn", "values", "grad", "out"), [pytest.param(*c[1:], id=c[0]) for c in TIES]
)
def test_convention(fn: Any, values: Any, grad: Any, out: Any) -> None:
    _check(fn, values, grad, out)


def test_topk_ties_as_torch() -> None:
    # PyTorch selects with std::nth_element, which is not stable: among equal values it picks
    # the indices its steps leave (here the later ones), and ndgrad replays those steps.
    out, g = _grad(ndgrad, lambda x: x.topk(2), [2.0, 1, 2, 2])
    assert out.values.tolist() == [2.0, 2.0]
    assert out.indices.tolist() == [2, 3]
    assert g.tolist() == [0, 0, 1, 1]
    if torch is not None:
        t_out, t_g = _grad(torch, lambda x: x.topk(2), [2.0, 1, 2, 2])
        assert t_out.indices.tolist() == [2, 3] and t_g.tolist() == g.tolist()
    out, g = _grad(ndgrad, lambda x: x.topk(2, largest=False), [2.0, 1, 1, 1])
    assert out.indices.tolist() == [2, 3]
    assert g.tolist() == [0, 0, 1, 1]


def test_topk_unsorted_in_the_selection_order() -> None:
    # sorted=False leaves the k elements in the order PyTorch's selection leaves them
    a = [0.5, 3.0, 1.0, 2.0, 4.0]
    out = ndgrad.tensor(a).topk(3, sorted=False)
    assert out.values.tolist() == [3.0, 4.0, 2.0] and out.indices.tolist() == [1, 4, 3]
    if torch is not None:
        ref = torch.tensor(a).topk(3, sorted=False)
        assert ref.indices.tolist() == out.indices.tolist()


@requires_torch
def test_sort_matches_torch_on_many_ties() -> None:
    # stable=True keeps ties in order; the default leaves them as PyTorch's std::sort does
    rng = np.random.default_rng(3)
    a = rng.integers(0, 3, size=(4, 30)).astype(np.float64)
    for descending in (False, True):
        for stable in (True, False):
            ours = ndgrad.tensor(a).sort(1, descending=descending, stable=stable)
            ref = torch.tensor(a).sort(dim=1, descending=descending, stable=stable)
            np.testing.assert_array_equal(ours.indices.numpy(), ref.indices.numpy())
            np.testing.assert_array_equal(ours.values.numpy(), ref.values.numpy())


@requires_torch
def test_median_and_max_indices_match_torch_on_many_ties() -> None:
    rng = np.random.default_rng(4)
    for n in (1, 2, 5, 16, 31):
        a = rng.integers(0, 3, size=(5, n)).astype(np.float64)
        for name in ("median", "max", "min"):
            ours = getattr(ndgrad.tensor(a), name)(1)
            ref = getattr(torch.tensor(a), name)(1)
            np.testing.assert_array_equal(ours.indices.numpy(), ref.indices.numpy())


def _hessian(lib: Any, fn: Callable[[Any], Any], values: list[float]) -> np.ndarray:
    x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
    (g,) = lib.autograd.grad(fn(x).sum(), [x], create_graph=True)
    rows = []
    for i in range(len(values)):
        (h,) = lib.autograd.grad(g[i] if lib is torch else g.unbind(0)[i], [x], retain_graph=True)
        rows.append(to_numpy(h))
    return np.stack(rows)


@pytest.mark.parametrize(
    ("name", "fn", "values", "expected"),
    [
        # d²(x0 x1 x2)/dxi dxj = the third factor: with x1 = 0 only the pairs around it survive.
        ("prod", lambda x: x.prod(), [2.0, 0, 3], [[0, 3, 0], [3, 0, 2], [0, 2, 0]]),
        ("prod_two_zeros", lambda x: x.prod(), [2.0, 0, 0], [[0, 0, 0], [0, 0, 2], [0, 2, 0]]),
        # Σ cumprod = x0 + x0 x1 + x0 x1 x2 at (2, 0, 3)
        ("cumprod", lambda x: x.cumprod(0), [2.0, 0, 3], [[0, 4, 0], [4, 0, 2], [0, 2, 0]]),
    ],
)
def test_second_derivative_with_zeros(name: str, fn: Any, values: Any, expected: Any) -> None:
    np.testing.assert_allclose(_hessian(ndgrad, fn, values), expected)
    if torch is not None:
        np.testing.assert_allclose(_hessian(torch, fn, values), expected)


def test_gradgradcheck_with_zeros() -> None:
    x = ndgrad.tensor([[1.5, 0.0, -0.7], [0.0, 0.0, 2.0]], dtype=ndgrad.float64)
    x.requires_grad_()
    assert gradgradcheck(lambda t: t.prod(1), [x])
    assert gradgradcheck(lambda t: t.prod(), [x])
    assert gradgradcheck(lambda t: t.cumprod(1), [x])
    assert gradcheck(lambda t: t.cumprod(0), [x])


# --- dtypes ---------------------------------------------------------------------------------------
I32 = [[1, 2, 3], [4, 5, 6]]
DTYPES = [
    ("sum_int32", lambda lib: lib.tensor(I32, dtype=lib.int32).sum()),
    ("sum_bool", lambda lib: lib.tensor([True, True]).sum(0)),
    ("prod_int32", lambda lib: lib.tensor(I32, dtype=lib.int32).prod()),
    ("prod_bool_dim", lambda lib: lib.tensor([[True, False]]).prod(1)),
    ("prod_dtype", lambda lib: lib.tensor(I32).prod(0, dtype=lib.float64)),
    ("max_int32", lambda lib: lib.tensor(I32, dtype=lib.int32).max()),
    ("max_dim_int32", lambda lib: lib.tensor(I32, dtype=lib.int32).max(0)),
    ("amax_bool", lambda lib: lib.tensor([True, False]).amax()),
    ("argmax", lambda lib: lib.tensor([[1.0, 3.0]]).argmax(1, keepdim=True)),
    ("argmin_keepdim_all", lambda lib: lib.tensor([[1.0, 3.0]]).argmin(None, True)),
    ("cumsum_int32", lambda lib: lib.tensor(I32, dtype=lib.int32).cumsum(0)),
    ("cumsum_bool", lambda lib: lib.tensor([True, True]).cumsum(0)),
    ("cumprod_uint8", lambda lib: lib.tensor([3, 200], dtype=lib.uint8).cumprod(0)),
    ("cumsum_dtype", lambda lib: lib.tensor([1, 2]).cumsum(0, dtype=lib.float32)),
    ("all_float", lambda lib: lib.tensor([1.0, 0.0]).all()),
    ("any_uint8", lambda lib: lib.tensor([1, 0], dtype=lib.uint8).any()),
    ("all_dim_empty_tuple", lambda lib: lib.tensor([[1, 0]]).all(())),
    ("count_nonzero", lambda lib: lib.tensor(I32, dtype=lib.int32).count_nonzero(0)),
    ("median_int32", lambda lib: lib.tensor(I32, dtype=lib.int32).median()),
    ("median_dim_int32", lambda lib: lib.tensor(I32, dtype=lib.int32).median(1)),
    ("sort_int8", lambda lib: lib.tensor([3, 1, 2], dtype=lib.int8).sort()),
    ("sort_bool", lambda lib: lib.tensor([True, False]).sort()),
    ("topk_int", lambda lib: lib.tensor(I32).topk(2)),
    ("logsumexp_int", lambda lib: lib.tensor(I32).logsumexp(0)),
    ("logsumexp_half", lambda lib: lib.tensor([1.0, 2.0], dtype=lib.float16).logsumexp(0)),
    ("var_half", lambda lib: lib.tensor([1.0, 2.0, 4.0], dtype=lib.float16).var()),
    ("norm_dtype", lambda lib: lib.tensor([3.0, 4.0]).norm(dtype=lib.float64)),
    ("mean_float_dtype", lambda lib: lib.tensor([1.0, 2.0]).mean(dtype=lib.float64)),
]


def _describe(out: Any) -> Any:
    if isinstance(out, tuple):
        return type(out).__name__, [_describe(o) for o in out]
    return str(out.dtype), tuple(out.shape), out.tolist()


@pytest.mark.parametrize("make", [pytest.param(m, id=n) for n, m in DTYPES])
def test_dtype_rules(make: Any) -> None:
    out = make(ndgrad)
    assert not isinstance(out, tuple) or isinstance(
        out, ndgrad.return_types.__dict__[type(out).__name__]
    )
    if torch is not None:
        expected = make(torch)
        assert _describe(out) == _describe(expected)


def test_dtype_rules_fixed() -> None:
    i32 = ndgrad.tensor(I32, dtype=ndgrad.int32)
    assert i32.sum().dtype is ndgrad.int64
    assert i32.prod().item() == 720 and i32.prod().dtype is ndgrad.int64
    assert i32.max().dtype is ndgrad.int32
    assert i32.argmax().dtype is ndgrad.int64
    assert i32.cumsum(1).dtype is ndgrad.int64
    assert ndgrad.tensor([1, 0], dtype=ndgrad.uint8).all().dtype is ndgrad.uint8
    assert ndgrad.tensor([1.5]).any().dtype is ndgrad.bool
    assert i32.logsumexp(0).dtype is ndgrad.float32


# --- empty inputs ---------------------------------------------------------------------------------
EMPTY = [
    ("sum", lambda lib: lib.zeros(0).sum()),
    ("sum_dim", lambda lib: lib.zeros(0, 3).sum(0)),
    ("prod", lambda lib: lib.zeros(0).prod()),
    ("prod_dim", lambda lib: lib.zeros(0, 3).prod(0)),
    ("mean", lambda lib: lib.zeros(0).mean()),
    ("amin_nonempty_dim", lambda lib: lib.zeros(0, 3).amin(1)),
    ("max_nonempty_dim", lambda lib: lib.zeros(0, 3).max(1)),
    ("argmax_nonempty_dim", lambda lib: lib.zeros(0, 3).argmax(1)),
    ("median", lambda lib: lib.zeros(0).median()),
    ("logsumexp", lambda lib: lib.zeros(0, 3).logsumexp(0)),
    ("norm", lambda lib: lib.zeros(0).norm()),
    ("norm_dim", lambda lib: lib.zeros(0, 3).norm(dim=0)),
    ("norm_inf_nonempty_dim", lambda lib: lib.zeros(0, 3).norm(INF, dim=1)),
    ("cumsum", lambda lib: lib.zeros(2, 0).cumsum(1)),
    ("sort", lambda lib: lib.zeros(0, 3).sort(0)),
    ("topk_k0", lambda lib: lib.zeros(2, 3).topk(0)),
    ("all", lambda lib: lib.zeros(0, 3).all()),
    ("any_dim", lambda lib: lib.zeros(0, 3).any(0)),
    ("count_nonzero", lambda lib: lib.zeros(0, 3).count_nonzero()),
]


@pytest.mark.parametrize("make", [pytest.param(m, id=n) for n, m in EMPTY])
def test_empty_inputs(make: Any) -> None:
    out = make(ndgrad)
    if torch is not None:
        assert repr(out) == repr(make(torch))


def test_empty_fixed_values() -> None:
    assert ndgrad.zeros(0).sum().item() == 0
    assert ndgrad.zeros(0).prod().item() == 1
    assert math.isnan(ndgrad.zeros(0).mean().item())
    assert ndgrad.zeros(0, 2).logsumexp(0).tolist() == [-INF, -INF]


def test_var_without_degrees_of_freedom_warns() -> None:
    message = "var(): degrees of freedom is <= 0"
    with pytest.warns(UserWarning, match=re.escape(message)):
        assert math.isnan(ndgrad.ones(1).var().item())
    with pytest.warns(UserWarning, match=re.escape("std(): degrees of freedom is <= 0")):
        ndgrad.ones(2, 3).std(1, correction=3)
    with pytest.warns(UserWarning, match=re.escape("var_mean(): degrees of freedom is <= 0")):
        ndgrad.var_mean(ndgrad.ones(1))


# --- return types ---------------------------------------------------------------------------------
def test_return_type_fields_and_repr() -> None:
    x = ndgrad.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], requires_grad=True)
    out = x.max(1)
    assert isinstance(out, tuple) and isinstance(out, ndgrad.return_types.max)
    values, indices = out
    assert values is out.values and indices is out.indices and out[1] is indices
    assert indices.tolist() == [1, 0]
    assert repr(out) == (
        "torch.return_types.max(\n"
        "values=tensor([5., 7.], grad_fn=<MaxBackward0>),\n"
        "indices=tensor([1, 0]))"
    )
    assert repr(ndgrad.tensor([3, 1]).sort()) == (
        "torch.return_types.sort(\nvalues=tensor([1, 3]),\nindices=tensor([1, 0]))"
    )


@requires_torch
@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.max(1),
        lambda x: x.min(0, keepdim=True),
        lambda x: x.median(-1),
        lambda x: x.sort(0, descending=True),
        lambda x: x.topk(2),
        lambda x: x.detach().max(1),
    ],
)
def test_return_type_repr_matches_torch(fn: Any) -> None:
    a = [[1.25, 5.0, 2.0], [7.0, -1.0, 3.0]]
    ours = fn(ndgrad.tensor(a, dtype=ndgrad.float64, requires_grad=True))
    theirs = fn(torch.tensor(a, dtype=torch.float64, requires_grad=True))
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)


GRAD_FN_NAMES = [
    lambda x: x.prod(),
    lambda x: x.prod(0),
    lambda x: x.max(),
    lambda x: x.max(0)[0],
    lambda x: x.min(),
    lambda x: x.min(1).values,
    lambda x: x.amax(),
    lambda x: x.amin((0, 1)),
    lambda x: x.var(),
    lambda x: x.std(0),
    lambda x: x.logsumexp(0),
    lambda x: x.norm(),
    lambda x: x.norm(1, dim=0),
    lambda x: x.cumsum(0),
    lambda x: x.cumprod(1),
    lambda x: x.median(),
    lambda x: x.median(0).values,
    lambda x: x.sort()[0],
    lambda x: x.topk(1)[0],
    lambda x: ndgrad_or_torch(x).var_mean(x, 1)[0],
    lambda x: ndgrad_or_torch(x).std_mean(x)[1],
]


def ndgrad_or_torch(x: Any) -> Any:
    return ndgrad if isinstance(x, ndgrad.Tensor) else torch


@requires_torch
@pytest.mark.parametrize("fn", GRAD_FN_NAMES)
def test_grad_fn_names_match_torch(fn: Any) -> None:
    a = [[1.0, 2.5, -3.0], [0.5, 4.0, 2.0]]
    ours = fn(ndgrad.tensor(a, requires_grad=True))
    theirs = fn(torch.tensor(a, requires_grad=True))
    assert type(ours.grad_fn).__name__ == type(theirs.grad_fn).__name__


def test_var_std_arguments() -> None:
    x = ndgrad.tensor([[1.0, 2.0, 4.0], [0.0, 1.0, 5.0]])
    a = x.numpy()
    np.testing.assert_allclose(x.var().item(), np.var(a, ddof=1), rtol=1e-6)
    np.testing.assert_allclose(x.var(False).item(), np.var(a), rtol=1e-6)  # var(unbiased)
    np.testing.assert_allclose(x.var(1, False).numpy(), np.var(a, 1), rtol=1e-6)
    np.testing.assert_allclose(x.std(0, correction=0).numpy(), np.std(a, 0), rtol=1e-6)
    np.testing.assert_allclose(
        ndgrad.std(x, 1, True, True).numpy(), np.std(a, 1, ddof=1, keepdims=True), rtol=1e-6
    )
    np.testing.assert_allclose(x.var(correction=2.5).item(), a.var() * 6 / 3.5, rtol=1e-6)


def test_max_of_two_tensors_is_elementwise() -> None:
    from ndgrad.ops import pointwise

    a, b = ndgrad.tensor([1.0, 5.0]), ndgrad.tensor([3.0, 2.0])
    if getattr(pointwise, "maximum", None) is None:
        with pytest.raises(NotImplementedError):
            ndgrad.max(a, b)
    else:
        assert ndgrad.max(a, b).tolist() == [3.0, 5.0]
        assert ndgrad.min(a, b).tolist() == [1.0, 2.0]


# --- errors ---------------------------------------------------------------------------------------
X = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
OOR = "Dimension out of range (expected to be in range of [-2, 1], but got 2)"
OOR_NEG = "Dimension out of range (expected to be in range of [-2, 1], but got -3)"
DUP = "dim 0 appears multiple times in the list of dims"
NEED_DIM = (
    "(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim "
    "with the 'dim' argument."
)

ERRORS = [
    (lambda lib: lib.tensor(X).sum(2), IndexError, OOR),
    (lambda lib: lib.tensor(X).prod(2), IndexError, OOR),
    (lambda lib: lib.tensor(X).max(2), IndexError, OOR),
    (lambda lib: lib.tensor(X).min(-3), IndexError, OOR_NEG),
    (lambda lib: lib.tensor(X).amax((0, 2)), IndexError, OOR),
    (lambda lib: lib.tensor(X).argmax(2), IndexError, OOR),
    (lambda lib: lib.tensor(X).var(2), IndexError, OOR),
    (lambda lib: lib.tensor(X).std((1, 2)), IndexError, OOR),
    (lambda lib: lib.tensor(X).logsumexp(2), IndexError, OOR),
    (lambda lib: lib.tensor(X).norm(dim=2), IndexError, OOR),
    (lambda lib: lib.tensor(X).cumsum(2), IndexError, OOR),
    (lambda lib: lib.tensor(X).cumprod(-3), IndexError, OOR_NEG),
    (lambda lib: lib.tensor(X).all(2), IndexError, OOR),
    (lambda lib: lib.tensor(X).any((0, 2)), IndexError, OOR),
    (lambda lib: lib.tensor(X).count_nonzero(2), IndexError, OOR),
    (lambda lib: lib.tensor(X).median(2), IndexError, OOR),
    (lambda lib: lib.tensor(X).sort(2), IndexError, OOR),
    (lambda lib: lib.tensor(X).topk(1, 2), IndexError, OOR),
    (
        lambda lib: lib.tensor(1.0).sum(1),
        IndexError,
        "Dimension out of range (expected to be in range of [-1, 0], but got 1)",
    ),
    (lambda lib: lib.tensor(X).sum((0, 0)), RuntimeError, DUP),
    (lambda lib: lib.tensor(X).mean((0, -2)), RuntimeError, DUP),
    (lambda lib: lib.tensor(X).amax((0, -2)), RuntimeError, DUP),
    (lambda lib: lib.tensor(X).amin((0, 0)), RuntimeError, DUP),
    (lambda lib: lib.tensor(X).var((0, 0)), RuntimeError, DUP),
    (lambda lib: lib.tensor(X).logsumexp((0, -2)), RuntimeError, DUP),
    (lambda lib: lib.tensor(X).norm(dim=(0, 0)), RuntimeError, DUP),
    (lambda lib: lib.tensor(X).all((0, 0)), RuntimeError, DUP),
    (lambda lib: lib.tensor(X).count_nonzero((0, 0)), RuntimeError, DUP),
    (lambda lib: lib.zeros(0).max(), RuntimeError, "max" + NEED_DIM),
    (lambda lib: lib.zeros(0).min(), RuntimeError, "min" + NEED_DIM),
    (lambda lib: lib.zeros(0, 2).amax(), RuntimeError, "amax" + NEED_DIM),
    (lambda lib: lib.zeros(0, 2).amin(), RuntimeError, "amin" + NEED_DIM),
    (
        lambda lib: lib.zeros(0).argmax(),
        IndexError,
        "argmax(): Expected reduction dim to be specified for input.numel() == 0.",
    ),
    (
        lambda lib: lib.zeros(0, 3).max(-2),
        IndexError,
        "max(): Expected reduction dim 0 to have non-zero size.",
    ),
    (
        lambda lib: lib.zeros(3, 0).amin((0, 1)),
        IndexError,
        "amin(): Expected reduction dim 1 to have non-zero size.",
    ),
    (
        lambda lib: lib.zeros(0, 3).argmin(0),
        IndexError,
        "argmin(): Expected reduction dim 0 to have non-zero size.",
    ),
    (
        lambda lib: lib.zeros(0, 3).median(0),
        IndexError,
        "median(): Expected reduction dim 0 to have non-zero size.",
    ),
    (
        lambda lib: lib.tensor([True]).argmax(),
        RuntimeError,
        "argmax(): does not support bool input",
    ),
    (
        lambda lib: lib.tensor([True]).argmin(0),
        RuntimeError,
        "argmin(): does not support bool input",
    ),
    (
        lambda lib: lib.tensor([1, 2]).mean(),
        RuntimeError,
        "mean(): could not infer output dtype. Input dtype must be either a floating point or "
        "complex dtype. Got: Long",
    ),
    (
        lambda lib: lib.tensor([1.0]).mean(dtype=lib.int64),
        RuntimeError,
        "mean(): could not infer output dtype. Optional dtype must be either a floating point or "
        "complex dtype. Got: Long",
    ),
    (
        lambda lib: lib.tensor([1, 2]).var(),
        RuntimeError,
        "std and var only support floating point and complex dtypes",
    ),
    (
        lambda lib: lib.tensor([1, 2], dtype=lib.int32).std(0),
        RuntimeError,
        "std and var only support floating point and complex dtypes",
    ),
    (
        lambda lib: lib.tensor([1, 2]).norm(),
        RuntimeError,
        "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long",
    ),
    (
        lambda lib: lib.tensor([True]).median(),
        NotImplementedError,
        "\"median_cpu\" not implemented for 'Bool'",
    ),
    (lambda lib: lib.tensor(X).topk(4), RuntimeError, "selected index k out of range"),
    (lambda lib: lib.tensor(X).topk(-1), RuntimeError, "selected index k out of range"),
    (
        lambda lib: lib.zeros(0).norm(INF),
        RuntimeError,
        "linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation "
        "does not have an identity",
    ),
    (
        lambda lib: lib.zeros(0, 3).norm(-INF, dim=-2),
        RuntimeError,
        "linalg.vector_norm cannot compute the -inf norm on the dimension -2because this dimension "
        "is empty and the operation does not have an identity",
    ),
    (
        lambda lib: lib.zeros(2, 3, 4).norm("fro", dim=(0, 1, 2)),
        RuntimeError,
        "linalg.matrix_norm: dim must be a 2-tuple. Got 0 1 2",
    ),
    (
        lambda lib: lib.tensor(X).norm("abc"),
        RuntimeError,
        "linalg.matrix_norm: Order abc not supported.",
    ),
    (
        lambda lib: lib.tensor(X).logsumexp(dim=None),
        TypeError,
        "logsumexp(): argument 'dim' must be tuple of ints, not NoneType",
    ),
    (
        lambda lib: lib.tensor(X).cumsum((0,)),
        TypeError,
        "cumsum(): argument 'dim' (position 1) must be int, not tuple",
    ),
    (
        lambda lib: lib.tensor(X).argmax((0, 1)),
        TypeError,
        "argmax(): argument 'dim' (position 1) must be int, not tuple",
    ),
]


@pytest.mark.parametrize(("make", "error", "message"), ERRORS)
def test_error_messages(make: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=re.escape(message) + "$"):
        make(ndgrad)
    if torch is not None:
        with pytest.raises(error, match=re.escape(message)):
            make(torch)


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.tensor(X).prod((0, 1)),
        lambda lib: lib.tensor(X).max((0, 1)),
        lambda lib: lib.tensor(X).median((0,)),
        lambda lib: lib.tensor(X).var(0, unbiased=False, correction=0),
    ],
)
def test_bad_argument_types(make: Any) -> None:
    # PyTorch's texts list its overloads; ndgrad raises the same TypeError with a short message.
    with pytest.raises(TypeError):
        make(ndgrad)
    if torch is not None:
        with pytest.raises(TypeError):
            make(torch)


@requires_torch
@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x.sort(),
        lambda x: x.sort(descending=True),
        lambda x: x.topk(2),
        lambda x: x.topk(2, largest=False),
        lambda x: x.argmax(),
        lambda x: x.argmin(),
        lambda x: x.max(),
        lambda x: x.amin(),
        lambda x: x.median(),
        lambda x: x.logsumexp(0),
        lambda x: x.norm(),
        lambda x: x.cumsum(0),
        lambda x: x.var(),
    ],
)
def test_nan_inputs_match_torch(fn: Any) -> None:
    # nan sorts as the largest value; reductions over a nan give nan, as in PyTorch
    a = [1.0, NAN, 0.0, NAN, 2.0]
    assert repr(fn(ndgrad.tensor(a))) == repr(fn(torch.tensor(a)))


@requires_torch
@pytest.mark.parametrize("perm", [(2, 1, 0), (1, 0, 2), (0, 2, 1), (2, 0, 1)])
def test_reductions_of_a_permuted_tensor_are_contiguous_as_in_torch(perm):
    """PyTorch allocates a reduction's output contiguous; numpy keeps the input's order."""
    x0 = np.arange(60.0).reshape(3, 4, 5)
    for d in (0, 1, 2, -1):
        for keepdim in (False, True):
            for name in ("sum", "mean", "amax", "var", "nansum"):
                flags = [
                    getattr(lib.from_numpy(x0.copy()).permute(perm), name)(
                        d, keepdim=keepdim
                    ).is_contiguous()
                    for lib in (ndgrad, torch)
                ]
                assert flags[0] == flags[1], (name, d, keepdim)
            flags = [
                lib.from_numpy(x0.copy()).permute(perm).cumsum(d).is_contiguous()
                for lib in (ndgrad, torch)
            ]
            assert flags[0] == flags[1], ("cumsum", d)


def test_sort_of_a_row_beyond_the_replay_limit_is_stable() -> None:
    """Rows longer than 65,536 values keep numpy's stable order (docs/conventions_reductions.md):
    a large sort stays a numpy sort rather than a Python replay of std::sort."""
    x = np.random.default_rng(0).integers(0, 5, (1 << 16) + 1)
    idx = ndgrad.sort(ndgrad.tensor(x)).indices.numpy()
    np.testing.assert_array_equal(idx, np.argsort(x, kind="stable"))
