"""ndgrad.special: the namespace against torch.special, special values, integer and float32
inputs, out=, errors, node names, and accuracy against PyTorch over wide ranges (gradients and
values on ordinary inputs: tests/optables/special_namespace.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ndgrad
from ndgrad import special

from .breadth.parity import check
from .helpers import requires_torch, torch

_POLYNOMIALS = [
    "chebyshev_polynomial_t",
    "chebyshev_polynomial_u",
    "chebyshev_polynomial_v",
    "chebyshev_polynomial_w",
    "shifted_chebyshev_polynomial_t",
    "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w",
    "hermite_polynomial_h",
    "hermite_polynomial_he",
    "laguerre_polynomial_l",
    "legendre_polynomial_p",
]


@requires_torch
def test_all_is_torch_special() -> None:
    names = {n for n in dir(torch.special) if not n.startswith("_")}
    names -= {"torch", "common_args", "multi_dim_common", "Tensor"}
    assert set(special.__all__) == names


def test_special_names_stay_out_of_the_top_level() -> None:
    for name in ("entr", "erfcx", "expit", "ndtr", "ndtri", "log_ndtr", "xlog1py", "gammaln"):
        assert not hasattr(ndgrad, name)
    assert ndgrad.special is special and "special" in dir(ndgrad)


def test_known_values() -> None:
    t = ndgrad.tensor([0.0, 1.0, -1.0, 2.0], dtype=ndgrad.float64)
    assert special.ndtr(t)[0].item() == 0.5
    assert special.log_ndtr(t)[0].item() == math.log(0.5)
    assert special.ndtri(ndgrad.tensor([0.5, 0.0, 1.0])).tolist() == [0.0, -math.inf, math.inf]
    np.testing.assert_allclose(special.ndtri(special.ndtr(t)).numpy(), t.numpy(), rtol=1e-15)
    assert special.erfcx(t)[0].item() == 1.0
    np.testing.assert_allclose(
        special.erfcx(t).numpy(), [math.exp(v * v) * math.erfc(v) for v in t.tolist()], rtol=1e-15
    )
    np.testing.assert_allclose(special.entr(t).numpy()[[0, 1, 3]], [0, 0, -2 * math.log(2)])
    # erfcx(x) ~ 1/(x√π) for large x, where exp(x²) erfc(x) would be inf · 0
    big = special.erfcx(ndgrad.tensor([1e4, 1e300], dtype=ndgrad.float64)).numpy()
    np.testing.assert_allclose(
        big, [1 / (1e4 * math.sqrt(math.pi)), 1 / (1e300 * math.sqrt(math.pi))], rtol=1e-8
    )
    # log_ndtr(-x) ~ -x²/2 - log(x√(2π)) in the far tail, where ndtr underflows to 0
    x = 1e3
    expected = -x * x / 2 - math.log(x * math.sqrt(2 * math.pi)) - 1 / (x * x)
    assert special.log_ndtr(ndgrad.tensor([-x], dtype=ndgrad.float64)).item() == pytest.approx(
        expected, rel=1e-15
    )
    # the multivariate gamma of dimension 1 is lgamma
    np.testing.assert_allclose(
        special.multigammaln(t[1:] + 2, 1).numpy(), [math.lgamma(v + 2) for v in t[1:].tolist()]
    )


def test_polynomials_have_closed_forms_and_no_gradient() -> None:
    x = ndgrad.tensor([0.3, -0.7, 1.0, -1.0, 2.0], dtype=ndgrad.float64, requires_grad=True)
    v = x.detach().numpy()
    np.testing.assert_allclose(special.chebyshev_polynomial_t(x, 3).numpy(), 4 * v**3 - 3 * v)
    np.testing.assert_allclose(special.hermite_polynomial_h(x, 2).numpy(), 4 * v**2 - 2)
    np.testing.assert_allclose(special.hermite_polynomial_he(x, 3).numpy(), v**3 - 3 * v)
    np.testing.assert_allclose(special.laguerre_polynomial_l(x, 2).numpy(), (v * v - 4 * v + 2) / 2)
    np.testing.assert_allclose(special.legendre_polynomial_p(x, 2).numpy(), (3 * v * v - 1) / 2)
    np.testing.assert_allclose(
        special.shifted_chebyshev_polynomial_t(x, 2).numpy(), 2 * (2 * v - 1) ** 2 - 1
    )
    y = special.chebyshev_polynomial_u(x, ndgrad.tensor([0, 1, 2, -1, 2.7]))
    np.testing.assert_allclose(y.numpy(), [1, 2 * v[1], 3, 0, 4 * 4 - 1])  # n truncated; n<0: 0
    assert not y.requires_grad and y.grad_fn is None
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        y.sum().backward()


def test_integer_float32_and_bool_inputs() -> None:
    i = ndgrad.tensor([1, 2])
    for name in ("entr", "erfcx", "log_ndtr", "ndtri", "ndtr", "expit", "gammaln", "psi"):
        assert getattr(special, name)(i).dtype == ndgrad.float32, name
    assert special.xlog1py(i, i).dtype == ndgrad.float32
    assert special.chebyshev_polynomial_t(i, 2).dtype == ndgrad.float32
    assert special.chebyshev_polynomial_t(2.0, ndgrad.tensor([1, 2])).tolist() == [2.0, 7.0]
    f = ndgrad.tensor([0.5, 3.0], dtype=ndgrad.float32)
    for name in ("entr", "erfcx", "log_ndtr", "ndtr", "multigammaln"):
        args = (f + 2, 2) if name == "multigammaln" else (f,)
        assert getattr(special, name)(*args).dtype == ndgrad.float32, name
    assert special.ndtri(ndgrad.tensor([0.25], dtype=ndgrad.float32)).dtype == ndgrad.float32
    assert special.xlog1py(f, 2.0).dtype == ndgrad.float32


def test_out_writes_and_refuses_grad() -> None:
    x = ndgrad.tensor([0.2, 0.6], dtype=ndgrad.float64)
    for name in ("entr", "erfcx", "log_ndtr", "ndtri", "ndtr", "expit", "gammaln", "round"):
        out = ndgrad.empty(2, dtype=ndgrad.float64)
        assert getattr(special, name)(x, out=out) is out
        np.testing.assert_array_equal(out.numpy(), getattr(special, name)(x).numpy())
    out = ndgrad.empty(2, dtype=ndgrad.float64)
    special.chebyshev_polynomial_t(x, 3, out=out)
    np.testing.assert_allclose(out.numpy(), 4 * x.numpy() ** 3 - 3 * x.numpy())
    special.xlog1py(x, 1.0, out=out)
    np.testing.assert_allclose(out.numpy(), x.numpy() * math.log(2))
    r = ndgrad.empty(())
    special.logsumexp(ndgrad.tensor([0.0, 0.0]), 0, out=r)
    assert r.item() == pytest.approx(math.log(2))
    xr = x.clone().requires_grad_()
    for name, op in [
        ("special_erfcx", special.erfcx),
        ("special_entr", special.entr),
        ("sigmoid", special.expit),
        ("lgamma", special.gammaln),
        ("digamma", special.psi),
    ]:
        with pytest.raises(RuntimeError) as err:
            op(xr, out=ndgrad.empty(2, dtype=ndgrad.float64))
        assert str(err.value) == (
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )


def test_node_names() -> None:
    x = ndgrad.tensor([0.3, 0.6], dtype=ndgrad.float64, requires_grad=True)
    names = {
        "entr": "SpecialEntrBackward0",
        "erfcx": "SpecialErfcxBackward0",
        "log_ndtr": "SpecialLogNdtrBackward0",
        "ndtri": "SpecialNdtriBackward0",
        "ndtr": "MulBackward1",
        "expit": "SigmoidBackward0",
        "gammaln": "LgammaBackward0",
        "psi": "DigammaBackward0",
        "round": "RoundBackward1",
    }
    for name, node in names.items():
        assert getattr(special, name)(x).grad_fn.name() == node, name
    assert special.xlog1py(x, x).grad_fn.name() == "SpecialXlog1PyBackward0"
    assert special.xlog1py(2, x).grad_fn.name() == "SpecialXlog1PyBackward1"
    assert special.xlog1py(x, 2).grad_fn.name() == "SpecialXlog1PyBackward2"
    assert special.multigammaln(x + 2, 2).grad_fn.name() == "MvlgammaBackward0"


def test_errors() -> None:
    x = ndgrad.tensor([1.0], requires_grad=True)
    with pytest.raises(NotImplementedError, match=r"^the derivative for 'igamma: input' is not"):
        special.gammainc(x, ndgrad.tensor([1.0])).sum().backward()
    with pytest.raises(TypeError) as err:
        special.gammainc(x, 2.0)
    assert (
        str(err.value)
        == "special_gammainc(): argument 'other' (position 2) must be Tensor, not float"
    )
    with pytest.raises(TypeError) as err:
        special.entr(2.0)
    assert (
        str(err.value) == "special_entr(): argument 'input' (position 1) must be Tensor, not float"
    )
    with pytest.raises(TypeError) as err:
        special.multigammaln(x, 2.0)
    assert (
        str(err.value) == "special_multigammaln(): argument 'p' (position 2) must be int, not float"
    )
    with pytest.raises(TypeError) as err:
        special.round(x, decimals=1.5)
    assert str(err.value) == "special_round(): argument 'decimals' must be int, not float"
    with pytest.raises(NotImplementedError) as err:
        special.round(ndgrad.tensor([1, 2]))
    assert str(err.value) == "\"round_vml_cpu\" not implemented for 'Long'"
    with pytest.raises(TypeError) as err:
        special.xlog1py(2, 3)
    assert str(err.value).startswith(
        "special_xlog1py() received an invalid combination of arguments - got (int, int), but "
        "expected one of:\n * (Tensor input, Tensor other, *, Tensor out = None)\n"
        " * (Number self, Tensor other, *, Tensor out = None)\n"
    )
    with pytest.raises(TypeError) as err:
        special.chebyshev_polynomial_t(2.0, 2)
    assert str(err.value).startswith(
        "special_chebyshev_polynomial_t() received an invalid combination of arguments - got "
        "(float, int), but expected one of:\n * (Tensor x, Tensor n, *, Tensor out = None)\n"
        " * (Number x, Tensor n, *, Tensor out = None)\n"
    )


_SPECIAL_X = "torch.tensor([nan, inf, -inf, 0., -0., 1., -1., 2.], dtype=torch.float64)"
PARITY = [
    f"torch.special.entr({_SPECIAL_X})",
    f"torch.special.log_ndtr({_SPECIAL_X})",
    "torch.special.erfcx(torch.tensor([nan, inf, -inf, 0., -0., 1., -30., 30.]).double())",
    "torch.special.ndtri(torch.tensor([nan, inf, -inf, 0., -0., 1., -1., 2., 0.5]))",
    "torch.special.ndtr(torch.tensor([nan, inf, -inf, 0., -0., 1., -1., 2.]))",
    "torch.special.xlog1py(torch.tensor([0., 1, -1, 2, nan]), torch.tensor([-1., 0, -2, inf, 0]))",
    "torch.special.xlog1py(torch.tensor([0., 1]), torch.tensor([nan, nan]))",
    "torch.special.xlog1py(2, torch.tensor([-1., 0, nan]))",
    "torch.special.xlog1py(torch.tensor([1, 2]), torch.tensor([1, 2]))",
    "torch.special.xlog1py(torch.tensor([1, 2]), 2.5)",
    "torch.special.xlog1py(torch.tensor([1., 2.]), torch.tensor([1., 2.], dtype=torch.float64))",
    "torch.special.xlog1py(torch.ones(2, 1), torch.ones(3))",
    "torch.special.xlog1py(2, 3)",
    "torch.special.entr(torch.tensor([True, False]))",
    "torch.special.erfcx(torch.tensor([1, 2, 0, -1]))",
    "torch.special.ndtri(torch.tensor([1, 0]))",
    "torch.special.expit(torch.tensor([1, 2]))",
    "torch.special.gammaln(torch.tensor([1, 2]))",
    "torch.special.psi(torch.tensor([0., -1.]))",
    "torch.special.round(torch.tensor([0.5, 1.5, 2.5, -0.5]))",
    "torch.special.round(torch.tensor([1.25, 1.35]), decimals=1)",
    "torch.special.round(torch.tensor([1, 2]))",
    "torch.special.round(torch.tensor([True]))",
    "torch.special.multigammaln(torch.tensor([2, 3]), 2)",
    "torch.special.multigammaln(torch.tensor([2.]), 0)",
    "torch.special.multigammaln(torch.tensor([2.]), 2.0)",
    "torch.special.gammainc(torch.tensor([1, 2]), torch.tensor([1, 2]))",
    "torch.special.gammaincc(torch.tensor([1.]), 2.0)",
    "torch.special.softmax(torch.tensor([1., 2.]), 0, torch.float64)",
    "torch.special.log_softmax(torch.tensor([1., 2.]), 0, dtype=torch.float64)",
    "torch.special.softmax(torch.tensor([1., 2.]))",
    "torch.special.log_softmax(torch.tensor([1., 2.]))",
    "torch.special.logsumexp(torch.tensor([1., 2.]))",
    "torch.special.logsumexp(torch.tensor([1., 2.]), None)",
    "torch.special.logsumexp(torch.tensor([[1., 2.]]), 1, True)",
    "torch.special.polygamma(1, torch.tensor([1, 2]))",
    "torch.special.logit(torch.tensor([0., 0.25, 1.]), 0.1)",
    "torch.special.sinc(torch.tensor([0., 0.5]))",
    "torch.special.i0(torch.tensor([0., 1.]))",
    "torch.special.exp2(torch.tensor([1, 3]))",
    "torch.special.chebyshev_polynomial_t(torch.tensor([0.5], requires_grad=True), 2)",
    "torch.special.chebyshev_polynomial_t(torch.tensor([1, 2]), torch.tensor(2))",
    "torch.special.chebyshev_polynomial_t(torch.tensor([0.5]), torch.tensor([2.]).double())",
    "torch.special.chebyshev_polynomial_t(torch.tensor([0.5]), torch.tensor(2.).double())",
    "torch.special.chebyshev_polynomial_t(torch.tensor([2.0]), 'a')",
    "torch.special.chebyshev_polynomial_t([2.0], 2)",
    "torch.special.chebyshev_polynomial_t(torch.tensor([2.0]), torch.tensor([True]))",
]
for _name in _POLYNOMIALS:
    PARITY += [
        f"torch.special.{_name}(torch.tensor([0.3, -0.5, 1, -1, 2, 0, 0.5], dtype=torch.float64), "
        "torch.tensor([[-1], [0], [1], [2], [3], [9], [2.5], [-0.5], [inf], [nan]]))",
        f"torch.special.{_name}(torch.tensor([inf, -inf], dtype=torch.float64), "
        "torch.tensor([[0], [1], [2], [3], [5]]))",
        f"torch.special.{_name}(torch.tensor([0.25, 1.0], dtype=torch.float32), 12)",
    ]


@requires_torch
@pytest.mark.parametrize("expr", PARITY)
def test_matches_torch(expr: str) -> None:
    check(expr)


@requires_torch
def test_gradients_at_special_points_match_torch() -> None:
    values = [0.0, -0.0, 1.0, -1.0, 0.5, 3.0]
    for name in ("entr", "erfcx", "log_ndtr", "ndtri", "ndtr"):
        a = ndgrad.tensor(values, dtype=ndgrad.float64, requires_grad=True)
        b = torch.tensor(values, dtype=torch.float64, requires_grad=True)
        (ga,) = ndgrad.autograd.grad(getattr(special, name)(a).sum(), a)
        (gb,) = torch.autograd.grad(getattr(torch.special, name)(b).sum(), b)
        np.testing.assert_allclose(ga.numpy(), gb.numpy(), rtol=1e-12, equal_nan=True, err_msg=name)
    a = ndgrad.tensor([0.0, 1.0, 0.0, 3.0], dtype=ndgrad.float64, requires_grad=True)
    b = ndgrad.tensor([-1.0, -1.0, -2.0, 0.5], dtype=ndgrad.float64, requires_grad=True)
    ta = torch.tensor([0.0, 1.0, 0.0, 3.0], dtype=torch.float64, requires_grad=True)
    tb = torch.tensor([-1.0, -1.0, -2.0, 0.5], dtype=torch.float64, requires_grad=True)
    got = ndgrad.autograd.grad(special.xlog1py(a, b).sum(), [a, b])
    want = torch.autograd.grad(torch.special.xlog1py(ta, tb).sum(), [ta, tb])
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g.numpy(), w.numpy())
        assert np.array_equal(np.signbit(g.numpy()), np.signbit(w.numpy()))


def _ulps(a: np.ndarray, b: np.ndarray, dtype: type) -> np.ndarray:
    scale = np.spacing(np.maximum(np.abs(a), np.abs(b)).astype(dtype)).astype(np.float64)
    return np.abs(a.astype(np.float64) - b.astype(np.float64)) / scale


# (function, low, high, max ulps from PyTorch in float64). PyTorch's own error sets the larger
# bounds: its erfcx computes exp(x*x) from a rounded x² below 0 (up to 500 ulps off the true
# value at x = -26, where ndgrad is within 1), and its log_ndtr takes erfc of a rounded x/√2
# above 1 (up to 1600 ulps off at x = 38; ndgrad within 4). Measured against mpmath.
WIDE = [
    ("erfcx", -26.5, -6.0, 520),
    ("erfcx", -6.0, 0.0, 40),
    ("erfcx", 0.0, 12.0, 8),
    ("erfcx", 12.0, 1e4, 4),
    ("log_ndtr", -1e3, -1.0, 5),
    ("log_ndtr", -1.0, 1.0, 5),
    ("log_ndtr", 1.0, 8.0, 100),
    ("log_ndtr", 8.0, 38.0, 1700),
    ("ndtri", 1e-300, 1e-3, 5),
    ("ndtri", 1e-3, 0.999, 8),
    ("entr", 1e-10, 1e10, 2),
]


@requires_torch
@pytest.mark.parametrize(("name", "low", "high", "bound"), WIDE)
def test_float64_accuracy_against_torch(name: str, low: float, high: float, bound: float) -> None:
    rng = np.random.default_rng(5)
    if low > 0 and high / low > 1e3:
        x = np.exp(rng.uniform(math.log(low), math.log(high), 4000))
    else:
        x = rng.uniform(low, high, 4000)
    a = getattr(special, name)(ndgrad.from_numpy(x.copy())).numpy()
    b = getattr(torch.special, name)(torch.from_numpy(x.copy())).numpy()
    assert _ulps(a, b, np.float64).max() <= bound


@requires_torch
@pytest.mark.parametrize("name", ["erfcx", "log_ndtr", "ndtri", "ndtr"])
def test_float32_is_float64_rounded(name: str) -> None:
    """float32 results are the float64 values rounded (PyTorch's float32 kernels are up to 70
    ulps off in erfcx and log_ndtr: compared with its float64 results instead)."""
    rng = np.random.default_rng(6)
    x = rng.uniform(0.001, 0.999, 2000) if name == "ndtri" else rng.uniform(-9, 9, 2000)
    x32 = x.astype(np.float32)
    a = getattr(special, name)(ndgrad.from_numpy(x32)).numpy()
    assert a.dtype == np.float32
    b = getattr(torch.special, name)(torch.from_numpy(x32.astype(np.float64))).numpy()
    tol = 1e-5 if name == "ndtr" else 0.51  # ndtr: erf in float32, then 1 + erf cancels
    if name == "ndtr":
        np.testing.assert_allclose(a, b, atol=tol)
    else:
        assert _ulps(a, b.astype(np.float32), np.float32).max() <= tol


@requires_torch
@pytest.mark.parametrize("name", _POLYNOMIALS)
def test_polynomials_bitwise_against_torch_in_float64(name: str) -> None:
    """The same recurrences, fused multiply-adds and closed forms as PyTorch: the same bits."""
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.uniform(-1, 1, 200), rng.uniform(0, 1, 100), rng.uniform(-3, 3, 50)])
    n = np.arange(-1, 25)
    a = getattr(special, name)(ndgrad.from_numpy(x[:, None]), ndgrad.from_numpy(n)).numpy()
    b = getattr(torch.special, name)(torch.from_numpy(x[:, None]), torch.from_numpy(n)).numpy()
    np.testing.assert_array_equal(a, b)


@requires_torch
def test_entr_float32_computes_in_float32_as_torch() -> None:
    x = np.random.default_rng(8).uniform(0.001, 5, 2000).astype(np.float32)
    a = special.entr(ndgrad.from_numpy(x)).numpy()
    b = torch.special.entr(torch.from_numpy(x)).numpy()
    assert a.dtype == np.float32
    assert _ulps(a, b, np.float32).max() <= 2  # float32 log: numpy's and PyTorch's differ
