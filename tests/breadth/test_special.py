"""lgamma, digamma, polygamma, mvlgamma, erfinv, logit, sinc and the other elementwise functions
of issue 11 (float_power, ldexp, angle, gcd, lcm, heaviside, nextafter, isreal, frexp, bit
shifts): values at special points and errors against PyTorch (gradients: tests/optables)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ndgrad

from ..helpers import requires_torch
from .parity import check

PARITY = [
    "torch.float_power(torch.tensor([2, 3]), 2)",
    "torch.float_power(torch.tensor([2.]), torch.tensor([0.5]))",
    "torch.float_power(2, torch.tensor([0.5]))",
    "torch.tensor([2.]).float_power(3)",
    "torch.heaviside(torch.tensor([-1., 0, 2]), torch.tensor([0.5]))",
    "torch.heaviside(torch.tensor([1]), torch.tensor([0.5]))",
    "torch.gcd(torch.tensor([12, -9]), torch.tensor([8, 6]))",
    "torch.lcm(torch.tensor([4, -3]), torch.tensor([6, 5]))",
    "torch.gcd(torch.tensor([1.]), torch.tensor([2.]))",
    "torch.tensor([4, 6]).gcd_(torch.tensor([6, 4]))",
    "torch.ldexp(torch.tensor([1., 2]), torch.tensor([3, -1]))",
    "torch.ldexp(torch.tensor([1, 2]), torch.tensor([3, 1]))",
    "torch.frexp(torch.tensor([8., 0.3, 0., -3.]))",
    "torch.frexp(torch.tensor([8]))",
    "torch.nextafter(torch.tensor([1.]), torch.tensor([2.])) - 1",
    "torch.isreal(torch.tensor([1., 2]))",
    "torch.angle(torch.tensor([-1., 0, 2]))",
    "torch.angle(torch.tensor([-1, 0, 2]))",
    "torch.bitwise_left_shift(torch.tensor([1, 2]), 2)",
    "torch.bitwise_right_shift(torch.tensor([-8, 8]), torch.tensor([1, 2]))",
    "torch.tensor([1, 2]).bitwise_left_shift_(1)",
    "torch.lgamma(torch.tensor([1, 2]))",
    "torch.digamma(torch.tensor([1, 2]))",
    "torch.polygamma(-1, torch.tensor([1.]))",
    "torch.erfinv(torch.tensor([-1., -0.5, 0, 0.9, 1, 1.5]))",
    "torch.logit(torch.tensor([0., 0.25, 1.]))",
    "torch.logit(torch.tensor([0., 0.25, 1.]), eps=0.1)",
    "torch.sinc(torch.tensor([0., 0.5, 1.]))",
    "torch.mvlgamma(torch.tensor([2.5, 3.]), 2)",
    "torch.mvlgamma(torch.tensor([2.5, 3.]), 0)",
    "torch.tensor([0.3]).logit_()",
    "torch.tensor([0.3]).erfinv_()",
    "torch.lgamma(torch.tensor([0., -1., -2.5, inf, -inf, nan]))",
    "torch.digamma(torch.tensor([0., -1., -2.5, inf, nan]))",
    "torch.polygamma(1, torch.tensor([0.5, 1., 10., 100.], dtype=torch.float64))",
    "torch.polygamma(3, torch.tensor([0.5, 1., 10., 100.], dtype=torch.float64))",
    "torch.lgamma(torch.tensor([1., 2], requires_grad=True)).grad_fn.name()",
    "torch.logit(torch.tensor([0.2], requires_grad=True)).grad_fn.name()",
]


@requires_torch
@pytest.mark.parametrize("expr", PARITY)
def test_matches_torch(expr: str) -> None:
    check(expr)


def test_values_match_the_standard_library() -> None:
    x = np.array([0.1, 0.5, 1.0, 2.5, 7.0, 40.0, -0.5, -3.7])
    np.testing.assert_allclose(
        ndgrad.lgamma(ndgrad.from_numpy(x)).numpy(), [math.lgamma(v) for v in x]
    )
    # digamma against the derivative of lgamma (central differences)
    h = 1e-6
    numeric = [(math.lgamma(v + h) - math.lgamma(v - h)) / (2 * h) for v in x]
    np.testing.assert_allclose(ndgrad.digamma(ndgrad.from_numpy(x)).numpy(), numeric, rtol=1e-6)
    y = np.linspace(-0.99, 0.99, 25)
    back = np.array([math.erf(v) for v in ndgrad.erfinv(ndgrad.from_numpy(y)).numpy()])
    np.testing.assert_allclose(back, y, atol=1e-13)
    np.testing.assert_allclose(ndgrad.sinc(ndgrad.from_numpy(x)).numpy(), np.sinc(x))
    m, _ = ndgrad.frexp(ndgrad.from_numpy(x))
    np.testing.assert_array_equal(m.numpy(), np.frexp(x)[0])


MORE_PARITY = [
    "torch.cov(torch.tensor([[0., 1, 2], [2, 1, 0.5]]))",
    "torch.cov(torch.tensor([[0., 1, 2], [2, 1, 0.5]]), correction=0)",
    "torch.corrcoef(torch.tensor([[0., 1, 2], [2, 1, 0.5]]))",
    "torch.cov(torch.tensor([1., 2, 4]))",
    "torch.cov(torch.tensor([[0., 1, 2], [2, 1, 0.5]]), fweights=torch.tensor([1, 2, 1]), "
    "aweights=torch.tensor([0.5, 1, 1]))",
    "torch.cov(torch.tensor([[0., 1, 2], [2, 1, 0.5]]), fweights=torch.tensor([1, 2, 1]))",
    "torch.cov(torch.tensor([[0, 1, 2], [2, 1, 5]]))",
    "torch.corrcoef(torch.tensor([1., 2, 4]))",
    "torch.renorm(torch.tensor([[3., 4], [1, 0]]), 2, 0, 2)",
    "torch.renorm(torch.tensor([[3., 4], [1, 0]]), 1, 1, 2)",
    "torch.tensor([[3., 4], [1, 0]]).renorm_(2, 0, 2)",
    "torch.matrix_exp(torch.tensor([[0., 1], [0, 0]]))",
    "torch.logspace(0, 2, 3)",
    "torch.logspace(0, 2, 3, base=2, dtype=torch.float64)",
    "torch.scalar_tensor(3)",
    "torch.scalar_tensor(3, dtype=torch.int64)",
    "torch.asarray([1, 2])",
    "torch.asarray([1., 2])",
    "torch.asarray(torch.ones(2), dtype=torch.float64)",
    "torch.unravel_index(torch.tensor([4, 1]), (2, 3))",
    "torch.unravel_index(torch.tensor(4), (2, 3))",
    "torch.unravel_index(torch.tensor([-1]), (2, 3))",
    "torch.vander(torch.tensor([1, 2, 3]))",
    "torch.vander(torch.tensor([1., 2]), N=3, increasing=True)",
    "torch.vander(torch.tensor([1., 2]), N=0)",
    "torch.hann_window(4)",
    "torch.hann_window(4, periodic=False)",
    "torch.hamming_window(3)",
    "torch.blackman_window(3)",
    "torch.bartlett_window(5)",
    "torch.kaiser_window(4)",
    "torch.kaiser_window(5, False, 5.0)",
    "torch.hann_window(1)",
    "torch.hann_window(0)",
]


@requires_torch
@pytest.mark.parametrize("expr", MORE_PARITY)
def test_statistics_and_constructors_match_torch(expr: str) -> None:
    check(expr)


@requires_torch
def test_range_warns_and_matches_torch() -> None:
    with pytest.warns(UserWarning, match="torch.range is deprecated"):
        got = ndgrad.range(0, 1, 0.25)
    np.testing.assert_allclose(got.numpy(), [0, 0.25, 0.5, 0.75, 1.0])


def test_asarray_shares_numpy_memory() -> None:
    a = np.ones(3)
    t = ndgrad.asarray(a)
    t[0] = 5.0
    assert a[0] == 5.0


EXTRA_PARITY = [
    "torch.norm_except_dim(torch.tensor([[3., 4], [0, 1]]), 2, 0)",
    "torch.norm_except_dim(torch.tensor([[3., 4], [0, 1]]), 2, -1)",
    "torch.gradient(torch.tensor([1., 2, 4, 8]))",
    "torch.gradient(torch.tensor([[1., 2, 4], [2, 5, 9]]), spacing=2.)",
    "torch.gradient(torch.tensor([1., 2, 4, 8]), spacing=(torch.tensor([0., 1, 3, 4]),))",
    "torch.gradient(torch.tensor([[1., 2, 4], [2, 5, 9]]), dim=1, edge_order=2)",
    "torch.gradient(torch.tensor([1, 2, 4]))",
    "torch.gradient(torch.tensor([1.]))",
    "torch.histogram(torch.tensor([1., 2, 1]), bins=4, range=(0., 3.))",
    "torch.histogram(torch.tensor([1., 2, 1]), torch.tensor([0., 1, 2, 3]))",
    "torch.histogram(torch.tensor([1., 2, 1]), bins=2, density=True)",
    "torch.histogram(torch.tensor([1., 2, 1]), bins=2, weight=torch.tensor([1., 2, 3]))",
    "torch.frombuffer(bytearray(b'\\x01\\x00\\x00\\x00\\x02\\x00\\x00\\x00'), dtype=torch.int32)",
    "torch.empty_strided((2, 3), (3, 1)).shape",
    "torch.get_device(torch.ones(1))",
    "torch.from_dlpack(np.arange(3.))",
    "torch.constant_pad_nd(torch.ones(2, 2), [1, 0], 5.)",
    "torch.constant_pad_nd(torch.ones(2, 3), [1, -1, 2, 0])",
    "torch.get_deterministic_debug_mode()",
    "torch.is_warn_always_enabled()",
    "torch.set_deterministic_debug_mode('x')",
    "torch.set_deterministic_debug_mode(5)",
]


@requires_torch
@pytest.mark.parametrize("expr", EXTRA_PARITY)
def test_norms_gradient_histogram_and_buffers_match_torch(expr: str) -> None:
    check(expr)


@requires_torch
@pytest.mark.parametrize(
    "expr",
    ["torch.frobenius_norm(torch.tensor([[3., 4]]), (0, 1))", "torch.nuclear_norm(torch.eye(2))"],
)
def test_deprecated_norms_match_torch(expr: str) -> None:
    with pytest.warns(UserWarning, match="is deprecated and it is just left for JIT"):
        check(expr)


def test_settings_round_trip() -> None:
    ndgrad.set_deterministic_debug_mode("warn")
    assert ndgrad.get_deterministic_debug_mode() == 1
    assert ndgrad.are_deterministic_algorithms_enabled()
    ndgrad.set_deterministic_debug_mode(0)
    assert not ndgrad.are_deterministic_algorithms_enabled()
    ndgrad.set_anomaly_enabled(True)
    assert ndgrad.is_anomaly_enabled()
    ndgrad.set_anomaly_enabled(False)
    assert not ndgrad.is_anomaly_enabled()
    with pytest.warns(UserWarning, match="set_default_tensor_type"):
        ndgrad.set_default_tensor_type(ndgrad.DoubleTensor)
    try:
        assert ndgrad.get_default_dtype() == ndgrad.float64
    finally:
        ndgrad.set_default_dtype(ndgrad.float32)
