"""The distributions' samplers draw PyTorch's numbers: after the same seed, ``sample()`` and
``rsample()`` of each distribution give PyTorch 2.13's values, bit for bit, and leave the
generator where PyTorch's leave it (a ``rand(3)`` after each draw is compared too). Checked for
several seeds, scalar, batched and broadcast parameters, several sample shapes, float32 and
float64. The new samplers behind them (``torch._standard_gamma``, ``torch._sample_dirichlet``,
``torch.binomial``) are swept over many seeds and parameters; tests without torch check their
values' statistics."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, torch

SEEDS = (0, 7, 123)
SAMPLE_SHAPES: tuple[tuple[int, ...], ...] = ((), (4,), (2, 3))
DTYPES = ("float32", "float64")

# Parameter sets: "scalar" (0-d tensors), "batch" (shape (3,)) and "broadcast" ((2, 1) with
# (3,)); each entry gives numpy arrays, made into tensors of the case's dtype by both libraries.
_RNG = np.random.default_rng(2024)


def _pos(shape: tuple[int, ...], lo: float = 0.5, hi: float = 3.0) -> np.ndarray:
    return _RNG.uniform(lo, hi, shape)


def _prob(shape: tuple[int, ...]) -> np.ndarray:
    return _RNG.uniform(0.05, 0.95, shape)


SHAPES = {"scalar": ((), ()), "batch": ((3,), (3,)), "broadcast": ((2, 1), (3,))}


def _two(
    make: Callable[[Any, Any, Any], Any],
    a: Callable[[tuple[int, ...]], np.ndarray],
    b: Callable[[tuple[int, ...]], np.ndarray],
) -> dict[str, Callable[[Any, Any], Any]]:
    """Builders of a two-parameter distribution for each parameter set."""
    out = {}
    for kind, (sa, sb) in SHAPES.items():
        pa, pb = a(sa), b(sb)
        out[kind] = lambda T, t, pa=pa, pb=pb: make(T.distributions, t(pa), t(pb))
    return out


def _one(
    make: Callable[[Any, Any], Any], a: Callable[[tuple[int, ...]], np.ndarray]
) -> dict[str, Callable[[Any, Any], Any]]:
    out = {}
    for kind, (sa, _) in (("scalar", SHAPES["scalar"]), ("batch", SHAPES["batch"])):
        pa = a(sa)
        out[kind] = lambda T, t, pa=pa: make(T.distributions, t(pa))
    pb = a((2, 3))
    out["broadcast"] = lambda T, t: make(T.distributions, t(pb))
    return out


def _events(
    make: Callable[[Any, Any], Any], a: Callable[[tuple[int, ...]], np.ndarray], k: int = 4
) -> dict[str, Callable[[Any, Any], Any]]:
    """Distributions with an event dim of size k: (k,), (3, k) and (2, 3, k) parameters."""
    out = {}
    for kind, shape in (("scalar", (k,)), ("batch", (3, k)), ("broadcast", (2, 3, k))):
        pa = a(shape)
        out[kind] = lambda T, t, pa=pa: make(T.distributions, t(pa))
    return out


def _fixed(make: Callable[[Any, Any], Any]) -> dict[str, Callable[[Any, Any], Any]]:
    return {"fixed": lambda T, t: make(T.distributions, t)}


_COV = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 1.5]])
_TRIL = np.linalg.cholesky(_COV)
_IND_A, _IND_B = _pos((2, 3)), _pos((2, 3))

CASES: dict[str, dict[str, Callable[[Any, Any], Any]]] = {
    "Normal": _two(lambda D, a, b: D.Normal(a, b), _pos, _pos),
    "Uniform": _two(lambda D, a, b: D.Uniform(a, a + b), _pos, _pos),
    "Bernoulli": _one(lambda D, p: D.Bernoulli(probs=p), _prob),
    "Bernoulli_logits": _one(lambda D, x: D.Bernoulli(logits=x), lambda s: _RNG.normal(0, 2, s)),
    "Categorical": _events(lambda D, p: D.Categorical(probs=p), _pos),
    "Categorical_logits": _events(
        lambda D, x: D.Categorical(logits=x), lambda s: _RNG.normal(0, 1, s)
    ),
    "OneHotCategorical": _events(lambda D, p: D.OneHotCategorical(probs=p), _pos),
    "Multinomial": _events(lambda D, p: D.Multinomial(5, probs=p), _pos),
    "Exponential": _one(lambda D, r: D.Exponential(r), _pos),
    "Gamma": _two(lambda D, a, b: D.Gamma(a, b), lambda s: _pos(s, 0.1, 4.0), _pos),
    "Chi2": _one(lambda D, df: D.Chi2(df), lambda s: _pos(s, 0.5, 6.0)),
    "Beta": _two(lambda D, a, b: D.Beta(a, b), lambda s: _pos(s, 0.2, 3.0), _pos),
    "Dirichlet": _events(lambda D, a: D.Dirichlet(a), lambda s: _pos(s, 0.1, 3.0), k=3),
    "Poisson": _one(lambda D, r: D.Poisson(r), lambda s: _pos(s, 0.5, 30.0)),
    "Binomial": _two(lambda D, n, p: D.Binomial(n.round(), p), lambda s: _pos(s, 1.0, 60.0), _prob),
    "NegativeBinomial": _two(
        lambda D, n, p: D.NegativeBinomial(n, probs=p), lambda s: _pos(s, 0.5, 10.0), _prob
    ),
    "Geometric": _one(lambda D, p: D.Geometric(p), _prob),
    "Laplace": _two(lambda D, a, b: D.Laplace(a, b), _pos, _pos),
    "Cauchy": _two(lambda D, a, b: D.Cauchy(a, b), _pos, _pos),
    "HalfCauchy": _one(lambda D, s: D.HalfCauchy(s), _pos),
    "Gumbel": _two(lambda D, a, b: D.Gumbel(a, b), _pos, _pos),
    "LogNormal": _two(lambda D, a, b: D.LogNormal(a, b), _pos, _pos),
    "HalfNormal": _one(lambda D, s: D.HalfNormal(s), _pos),
    "StudentT": _two(lambda D, df, s: D.StudentT(df, 0.5, s), _pos, _pos),
    "FisherSnedecor": _two(lambda D, a, b: D.FisherSnedecor(a, b), _pos, _pos),
    "InverseGamma": _two(lambda D, a, b: D.InverseGamma(a, b), _pos, _pos),
    "Weibull": _two(lambda D, a, b: D.Weibull(a, b), _pos, _pos),
    "Pareto": _two(lambda D, a, b: D.Pareto(a, b), _pos, _pos),
    "Kumaraswamy": _two(lambda D, a, b: D.Kumaraswamy(a, b), _pos, _pos),
    "ContinuousBernoulli": _one(lambda D, p: D.ContinuousBernoulli(p), _prob),
    "RelaxedBernoulli": _one(lambda D, p: D.RelaxedBernoulli(p.new_tensor(0.7), probs=p), _prob),
    "RelaxedOneHotCategorical": _events(
        lambda D, p: D.RelaxedOneHotCategorical(p.new_tensor(0.5), probs=p), _pos
    ),
    "VonMises": _two(
        lambda D, a, k: D.VonMises(a, k), lambda s: _RNG.normal(0, 2, s), lambda s: _pos(s, 0.1, 8)
    ),
    "LKJCholesky": _fixed(lambda D, t: D.LKJCholesky(3, t(np.array(1.5)))),
    "MultivariateNormal": _fixed(
        lambda D, t: D.MultivariateNormal(t(np.array([0.5, -1.0, 2.0])), t(_COV))
    ),
    "MultivariateNormal_tril": _fixed(
        lambda D, t: D.MultivariateNormal(t(np.zeros((2, 3))), scale_tril=t(_TRIL))
    ),
    "LowRankMultivariateNormal": _fixed(
        lambda D, t: D.LowRankMultivariateNormal(
            t(np.zeros(3)), t(np.ones((3, 2)) * 0.5), t(np.array([1.0, 2.0, 0.5]))
        )
    ),
    "MixtureSameFamily": _fixed(
        lambda D, t: D.MixtureSameFamily(
            D.Categorical(t(np.array([0.2, 0.5, 0.3]))),
            D.Normal(t(np.array([-1.0, 0.0, 2.0])), t(np.array([0.5, 1.0, 2.0]))),
        )
    ),
    "Independent": _fixed(lambda D, t: D.Independent(D.Gamma(t(_IND_A), t(_IND_B)), 1)),
    "LogisticNormal": _fixed(lambda D, t: D.LogisticNormal(t(np.zeros(3)), t(np.ones(3)))),
    "GeneralizedPareto": _fixed(
        lambda D, t: D.GeneralizedPareto(t(np.array([0.0, 1.0])), t(np.array([1.0, 2.0])), 0.2)
    ),
}

# Distributions whose draws (the uniforms and normals, and where the stream stops) are PyTorch's
# but whose values then pass through elementwise functions or matrix factorisations that PyTorch
# and numpy round differently in the last bits: PyTorch's CPU kernels of log, log1p, exp, pow,
# acos, sqrt and tanh are SLEEF's vectorised ones (within 1 ulp, not correctly rounded), numpy's
# are its own SIMD or the C library's; PyTorch's Cholesky and triangular products are MKL's.
# Their values are compared within 8 units of eps * (|x| + 1) (measured: up to 4.1); the stream
# after them exactly. Every other case is bit for bit.
ROUNDING: dict[str, str] = {
    "ContinuousBernoulli": "icdf: log1p, log",
    "GeneralizedPareto": "icdf: log1p, expm1",
    "Gumbel": "two logs (ExpTransform.inv)",
    "InverseGamma": "reciprocal of the gamma draw (PowerTransform: pow)",
    "Kumaraswamy": "two pows (PowerTransform)",
    "Laplace": "log1p",
    "LogNormal": "exp",
    "LogisticNormal": "exp, cumprod (StickBreakingTransform)",
    "Pareto": "exp",
    "Weibull": "pow, exp",
    "RelaxedBernoulli": "log, log1p, sigmoid",
    "RelaxedOneHotCategorical": "two logs, logsumexp, exp",
    "LKJCholesky": "sqrt, beta draws' transform, products",
    "MultivariateNormal": "Cholesky factor of the covariance (MKL's LAPACK against OpenBLAS's)",
    "MultivariateNormal_tril": "batched triangular product (MKL)",
}


def _draw(T: Any, name: str, build: Callable[[Any, Any], Any], dtype: str, seed: int) -> list:
    dt = getattr(T, dtype)

    def t(a: np.ndarray) -> Any:
        return T.tensor(np.asarray(a), dtype=dt)

    T.manual_seed(seed)
    d = build(T, t)
    out = []
    for shape in SAMPLE_SHAPES:
        x = d.rsample(shape) if d.has_rsample else d.sample(shape)
        out.append(x.detach().numpy().copy())
        out.append(
            T.rand(3, dtype=T.float64).numpy().copy()
        )  # the stream stopped in the same place
    return out


def _assert_same(name: str, a: np.ndarray, b: np.ndarray, rounding: bool) -> None:
    assert a.shape == b.shape and a.dtype == b.dtype, (name, a.shape, b.shape, a.dtype, b.dtype)
    if not rounding or a.dtype.kind != "f":
        np.testing.assert_array_equal(a, b, err_msg=name)
        return
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    bound = 8 * float(np.finfo(a.dtype).eps) * (np.abs(b64) + 1)
    assert np.all((np.abs(a64 - b64) <= bound) | (np.isnan(a64) & np.isnan(b64))), name


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_samples_match_torch(name: str, dtype: str) -> None:
    for kind, build in CASES[name].items():
        for seed in SEEDS:
            ours = _draw(ndgrad, name, build, dtype, seed)
            theirs = _draw(torch, name, build, dtype, seed)
            for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
                # odd entries: the rand(3) after each draw, always bit for bit
                rounding = name in ROUNDING and i % 2 == 0
                _assert_same(f"{name} {kind} seed {seed} draw {i}", a, b, rounding)


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_wishart_stream_matches_torch(dtype: str) -> None:
    """Wishart: PyTorch's draws and redraws (the stream ends in the same place, the same
    samples are redrawn), values within a few units in the last place: PyTorch's vectorised
    float32 sqrt is not correctly rounded (numpy's is) and PyTorch's float64 Cholesky factor of
    the covariance (MKL) rounds differently from numpy's (OpenBLAS's LAPACK)."""
    for seed in SEEDS:
        res = []
        for T in (torch, ndgrad):
            dt = getattr(T, dtype)
            T.manual_seed(seed)
            D = T.distributions
            ds = [
                D.Wishart(T.tensor(4.0, dtype=dt), covariance_matrix=T.tensor(_COV, dtype=dt)),
                D.Wishart(T.tensor([3.5, 6.0], dtype=dt), scale_tril=T.tensor(_TRIL, dtype=dt)),
            ]
            out = []
            with warnings.catch_warnings():  # PyTorch's warns on good draws (unnegated check)
                warnings.simplefilter("ignore", UserWarning)
                for d in ds:
                    for shape in SAMPLE_SHAPES:
                        out.append(d.sample(shape).numpy().copy())
                        out.append(T.rand(3, dtype=T.float64).numpy().copy())
            res.append(out)
        for i, (a, b) in enumerate(zip(res[1], res[0], strict=True)):
            assert a.shape == b.shape
            eps = float(np.finfo(a.dtype).eps)  # (off the diagonal, sums of terms as large as
            bound = 8 * eps * np.abs(b).max()  # the largest entry cancel: relative to that)
            np.testing.assert_allclose(a, b, rtol=8 * eps, atol=bound, err_msg=str(i))
            if i % 2:
                np.testing.assert_array_equal(a, b)


# --- the new samplers, swept -------------------------------------------------------------------

ALPHAS = np.array([0.0, 1e-4, 0.003, 0.1, 0.5, 0.999, 1.0, 1.5, 2.0, 4.5, 10.0, 77.0, 1e3, 1e5])


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_standard_gamma_matches_torch(dtype: str) -> None:
    """torch._standard_gamma over 40 seeds and 14 alphas from 0 to 1e5 (boosted below 1), with a
    normal cached in the generator before (an odd randn(1)) and after; then a randn(1) and a
    rand(3) from the stream, which must be PyTorch's too."""
    alpha = np.tile(ALPHAS, 3)
    for seed in range(40):
        res = []
        for T in (torch, ndgrad):
            T.manual_seed(seed)
            first = T.randn(1, dtype=T.float64).numpy().copy() if seed % 2 else None
            a = T.tensor(alpha, dtype=getattr(T, dtype))
            g = T._standard_gamma(a).detach().numpy().copy()
            res.append((first, g, T.randn(1, dtype=T.float64).numpy(), T.rand(3).numpy()))
        for a, b in zip(*res, strict=True):
            np.testing.assert_array_equal(a, b, err_msg=f"seed {seed}")


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_sample_dirichlet_matches_torch(dtype: str) -> None:
    rng = np.random.default_rng(5)
    for seed in range(20):
        alpha = rng.choice([0.01, 0.3, 1.0, 2.5, 40.0], size=(3, 5))
        res = []
        for T in (torch, ndgrad):
            T.manual_seed(seed)
            x = T._sample_dirichlet(T.tensor(alpha, dtype=getattr(T, dtype))).numpy().copy()
            res.append((x, T.rand(3).numpy()))
        for a, b in zip(*res, strict=True):
            np.testing.assert_array_equal(a, b, err_msg=f"seed {seed}")


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_binomial_matches_torch(dtype: str) -> None:
    """torch.binomial over 30 seeds: counts 0 to 1e6, probabilities 0, 1, near 0 or 1 and in
    between, for inversion (count * min(p, 1 - p) < 10) and BTRS, both sides of p = 0.5."""
    rng = np.random.default_rng(9)
    counts = np.array([0.0, 1, 3, 10, 25, 60, 100, 1000, 12345, 1e6])
    for seed in range(30):
        n = rng.choice(counts, 40)
        p = rng.choice([0.0, 1.0, 1e-6, 0.01, 0.2, 0.5, 0.7, 0.999999], 40)
        p = np.where(rng.random(40) < 0.5, p, rng.random(40))
        res = []
        for T in (torch, ndgrad):
            dt = getattr(T, dtype)
            T.manual_seed(seed)
            x = T.binomial(T.tensor(n, dtype=dt), T.tensor(p, dtype=dt)).numpy().copy()
            res.append((x, T.rand(3).numpy()))
        for a, b in zip(*res, strict=True):
            np.testing.assert_array_equal(a, b, err_msg=f"seed {seed}")


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_standard_gamma_grad_matches_torch(dtype: str) -> None:
    """torch._standard_gamma_grad (PyTorch's approximation of dx/dα: Taylor series below x = 0.8,
    saddle point above α = 8, rational fit between) on 3000 (α, x) pairs from 0.02 to 500."""
    r = np.random.default_rng(0)
    a = np.exp(r.uniform(np.log(0.02), np.log(500), 3000))
    x = np.maximum(r.standard_gamma(a), 1e-300)
    res = [
        T._standard_gamma_grad(
            T.tensor(a, dtype=getattr(T, dtype)), T.tensor(x, dtype=getattr(T, dtype))
        ).numpy()
        for T in (torch, ndgrad)
    ]
    np.testing.assert_array_equal(res[1], res[0])


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_gamma_rsample_gradient_matches_torch(dtype: str) -> None:
    """Gamma.rsample's values and its gradients in the concentration and the rate are PyTorch's,
    bit for bit (no sample dims: the backward of their expand would sum over them, and the
    order of that sum is not this test's subject)."""
    alpha = np.tile([0.05, 0.3, 1.0, 2.5, 9.0, 30.0, 400.0], 20)
    grads = []
    for T in (torch, ndgrad):
        dt = getattr(T, dtype)
        T.manual_seed(3)
        a = T.tensor(alpha, dtype=dt, requires_grad=True)
        r = T.tensor(np.full(140, 2.0), dtype=dt, requires_grad=True)
        x = T.distributions.Gamma(a, r).rsample()
        (x * x).sum().backward()
        grads.append((x.detach().numpy(), a.grad.numpy(), r.grad.numpy()))
    for ours, theirs in zip(grads[1], grads[0], strict=True):
        np.testing.assert_array_equal(ours, theirs)


# --- without torch: the samplers' values -----------------------------------------------------


@pytest.mark.parametrize("dtype", [ndgrad.float32, ndgrad.float64])
@pytest.mark.parametrize("alpha", [0.3, 1.0, 4.5, 50.0])
def test_standard_gamma_moments(alpha: float, dtype: Any) -> None:
    """Mean and variance alpha of 20,000 Gamma(alpha, 1) draws within 5 standard errors."""
    ndgrad.manual_seed(17)
    n = 20000
    x = ndgrad._standard_gamma(ndgrad.full((n,), alpha, dtype=dtype)).numpy().astype(np.float64)
    assert x.dtype == np.float64 and (x > 0).all()
    assert abs(x.mean() - alpha) < 5 * np.sqrt(alpha / n)
    var_se = np.sqrt((6 * alpha + 2 * alpha**2) / n)  # var of the sample variance: (m4 - s^4)/n
    assert abs(x.var() - alpha) < 5 * var_se


def test_standard_gamma_zero_and_clamp() -> None:
    ndgrad.manual_seed(0)
    x = ndgrad._standard_gamma(ndgrad.tensor([0.0, 1e-30, 2.0]))
    tiny = np.finfo(np.float32).tiny
    assert x[0].item() == tiny and x[1].item() == tiny  # clamped up to the smallest normal
    assert x[2].item() > tiny


@pytest.mark.parametrize("dtype", [ndgrad.float32, ndgrad.float64])
def test_binomial_support_and_mean(dtype: Any) -> None:
    ndgrad.manual_seed(4)
    n = 20000
    for count, p in ((7.0, 0.3), (40.0, 0.6), (500.0, 0.02), (1000.0, 0.45), (30.0, 0.97)):
        x = ndgrad.binomial(
            ndgrad.full((n,), count, dtype=dtype), ndgrad.full((n,), p, dtype=dtype)
        )
        v = x.numpy()
        assert v.dtype == np.dtype(str(dtype).split(".")[-1])
        assert (v >= 0).all() and (v <= count).all() and (v == np.round(v)).all()
        assert abs(v.mean() - count * p) < 5 * np.sqrt(count * p * (1 - p) / n)
        assert abs(v.var() / (count * p * (1 - p)) - 1) < 0.08
    edge = ndgrad.binomial(
        ndgrad.tensor([0.0, 5.0, 5.0], dtype=dtype), ndgrad.tensor([0.5, 0.0, 1.0], dtype=dtype)
    )
    assert edge.tolist() == [0.0, 0.0, 5.0]


def test_sample_dirichlet_values() -> None:
    ndgrad.manual_seed(2)
    a = ndgrad.tensor([[0.5, 1.0, 3.0]] * 20000, dtype=ndgrad.float64)
    x = ndgrad._sample_dirichlet(a).numpy()
    assert np.allclose(x.sum(-1), 1.0) and (x > 0).all() and (x < 1).all()
    assert np.all(np.abs(x.mean(0) - np.array([0.5, 1.0, 3.0]) / 4.5) < 0.01)


def test_dirichlet_rsample_gradient() -> None:
    """The gradient of Dirichlet.rsample flows through the gammas' implicit derivatives: the
    mean of x over many draws is α / Σα, so d/dα of the mean of x₀ is (Σα - α₀) / (Σα)² for α₀
    and -α₀ / (Σα)² for the others."""
    ndgrad.manual_seed(8)
    a = ndgrad.tensor([1.0, 2.0, 3.0], dtype=ndgrad.float64, requires_grad=True)
    x = ndgrad.distributions.Dirichlet(a).rsample((20000,))
    x[:, 0].mean().backward()
    expected = np.array([5.0, -1.0, -1.0]) / 36
    np.testing.assert_allclose(a.grad.numpy(), expected, atol=0.006)


def test_generator_argument() -> None:
    """The samplers take a generator=, and leave the default one alone."""
    g = ndgrad.Generator().manual_seed(3)
    state = ndgrad.get_rng_state()
    a = ndgrad._standard_gamma(ndgrad.tensor([2.0, 0.5]), generator=g)
    b = ndgrad.binomial(ndgrad.tensor([10.0, 100.0]), ndgrad.tensor([0.3, 0.4]), generator=g)
    assert ndgrad.equal(ndgrad.get_rng_state(), state)
    g.manual_seed(3)
    assert ndgrad.equal(a, ndgrad._standard_gamma(ndgrad.tensor([2.0, 0.5]), generator=g))
    assert ndgrad.equal(
        b, ndgrad.binomial(ndgrad.tensor([10.0, 100.0]), ndgrad.tensor([0.3, 0.4]), generator=g)
    )


@requires_torch
def test_sampler_errors_match_torch() -> None:
    """The new samplers refuse what PyTorch's refuse, with its exception types and messages."""
    cases = [
        lambda T: T.binomial(T.tensor([5]), T.tensor([1])),
        lambda T: T.binomial(T.tensor([5.0]), T.tensor([0.1], dtype=T.float64)),
        lambda T: T._standard_gamma(T.tensor([1])),
        lambda T: T._standard_gamma(T.tensor([1.0], dtype=T.float16)),
        lambda T: T._sample_dirichlet(T.tensor([1])),
    ]
    for case in cases:
        errors = []
        for T in (torch, ndgrad):
            with pytest.raises(Exception) as info:
                case(T)
            errors.append((type(info.value).__name__, str(info.value)))
        assert errors[1] == errors[0]


def test_binomial_broadcasts_and_warns_as_torch() -> None:
    """A count of fewer elements than the broadcast shape: PyTorch resizes its output (with a
    deprecation warning) and draws the broadcast shape."""
    with pytest.warns(UserWarning, match="was resized since it had shape \\[1\\]"):
        x = ndgrad.binomial(ndgrad.tensor([5.0]), ndgrad.tensor([0.1, 0.9]))
    assert tuple(x.shape) == (2,)
