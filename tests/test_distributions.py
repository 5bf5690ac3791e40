"""torch.distributions' subset against PyTorch: log_prob, entropy, moments, cdf, KL and their
gradients in float64; reprs and validation messages; samples by their statistics."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad
from tests.helpers import assert_close, requires_torch, torch

R = np.random.default_rng(5)


def P(*shape: int, lo: float = 0.2, hi: float = 2.0) -> np.ndarray:
    return R.uniform(lo, hi, size=shape)


def N(*shape: int) -> np.ndarray:
    return R.standard_normal(shape)


def _cov(n: int) -> np.ndarray:
    a = R.standard_normal((n, n))
    return a @ a.T + n * np.eye(n)


def _tril(n: int) -> np.ndarray:
    a = np.tril(R.standard_normal((n, n)))
    a[np.diag_indices(n)] = np.abs(a[np.diag_indices(n)]) + 0.5
    return a


# name, build(D, *params) -> distribution, parameter arrays, a value array for log_prob
CASES: list[tuple[str, Callable[..., Any], list[np.ndarray], np.ndarray]] = [
    ("normal", lambda D, m, s: D.Normal(m, s), [N(3), P(3)], N(2, 3)),
    ("uniform", lambda D, a, b: D.Uniform(a, a + b), [N(3), P(3)], None),
    ("bernoulli_probs", lambda D, p: D.Bernoulli(probs=p), [P(4, lo=0.1, hi=0.9)],
     R.integers(0, 2, (4,)).astype(float)),
    ("bernoulli_logits", lambda D, z: D.Bernoulli(logits=z), [N(2, 3)],
     R.integers(0, 2, (2, 3)).astype(float)),
    ("categorical_probs", lambda D, p: D.Categorical(probs=p), [P(2, 4)], R.integers(0, 4, (3, 2))),
    ("categorical_logits", lambda D, z: D.Categorical(logits=z), [N(5)], R.integers(0, 5, (4,))),
    ("onehot", lambda D, z: D.OneHotCategorical(logits=z), [N(2, 3)],
     np.eye(3)[R.integers(0, 3, (2,))]),
    ("exponential", lambda D, r: D.Exponential(r), [P(3)], P(2, 3)),
    ("laplace", lambda D, m, s: D.Laplace(m, s), [N(3), P(3)], N(3)),
    ("lognormal", lambda D, m, s: D.LogNormal(m, s), [N(3), P(3)], P(3)),
    ("poisson", lambda D, r: D.Poisson(r), [P(4)], R.integers(0, 6, (4,)).astype(float)),
    ("binomial", lambda D, p: D.Binomial(7, probs=p), [P(3, lo=0.1, hi=0.9)],
     R.integers(0, 8, (3,)).astype(float)),
    ("binomial_logits", lambda D, z: D.Binomial(lib_tensor(D, [3.0, 5.0, 9.0]), logits=z),
     [N(3)], np.array([1.0, 5.0, 0.0])),
    ("mvn_cov", lambda D, m, c: D.MultivariateNormal(m, covariance_matrix=c), [N(3), _cov(3)],
     N(2, 3)),
    ("mvn_tril", lambda D, m, L: D.MultivariateNormal(m, scale_tril=L), [N(2, 3), _tril(3)],
     N(2, 3)),
    ("mvn_precision", lambda D, m, c: D.MultivariateNormal(m, precision_matrix=c),
     [N(3), _cov(3)], N(3)),
    ("independent", lambda D, m, s: D.Independent(D.Normal(m, s), 1), [N(2, 3), P(2, 3)], N(2, 3)),
    ("transformed_sigmoid",
     lambda D, m, s: D.TransformedDistribution(
         D.Normal(m, s), [D.transforms.AffineTransform(0.5, 2.0), D.transforms.SigmoidTransform()]),
     [N(3), P(3)], P(3, lo=0.1, hi=0.9)),
    ("transformed_tanh",
     lambda D, m, s: D.TransformedDistribution(D.Normal(m, s), D.transforms.TanhTransform()),
     [N(3), P(3)], P(3, lo=-0.9, hi=0.9)),
]  # fmt: skip


def lib_tensor(D: Any, v: Any) -> Any:
    lib = ndgrad if D is ndgrad.distributions else torch
    return lib.tensor(v, dtype=lib.float64)


def _build(lib: Any, case: tuple[Any, ...]) -> tuple[Any, list[Any], Any]:
    name, build, params, value = case
    ps = [lib.tensor(p, requires_grad=True) for p in params]
    if name == "uniform":
        value = (params[0] + params[1] * 0.3)[None].repeat(2, 0)
    v = None if value is None else lib.tensor(value)
    return build(lib.distributions, *ps), ps, v


QUANTITIES = ["log_prob", "entropy", "mean", "variance", "stddev", "cdf", "mode"]


@requires_torch
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("what", QUANTITIES)
def test_matches_torch(case: tuple[Any, ...], what: str) -> None:
    d_nd, p_nd, v_nd = _build(ndgrad, case)
    d_th, p_th, v_th = _build(torch, case)
    assert repr(d_nd) == repr(d_th)
    assert tuple(d_nd.batch_shape) == tuple(d_th.batch_shape)
    assert tuple(d_nd.event_shape) == tuple(d_th.event_shape)

    def get(d: Any, v: Any) -> Any:
        if what in ("log_prob", "cdf"):
            return getattr(d, what)(v)
        if what == "entropy":
            return d.entropy()
        return getattr(d, what)

    try:
        b = get(d_th, v_th)
    except NotImplementedError:
        pytest.skip(f"PyTorch has no {what} here")
    a = get(d_nd, v_nd)
    assert_close(a, b, rtol=1e-10, atol=1e-12)
    if not b.requires_grad:
        return
    w = np.random.default_rng(0).standard_normal(tuple(b.shape))
    (a * ndgrad.tensor(w)).sum().backward()
    (b * torch.tensor(w)).sum().backward()
    for x, y in zip(p_nd, p_th, strict=True):
        if y.grad is None:
            assert x.grad is None or not np.any(x.grad.numpy())
        else:
            assert_close(x.grad, y.grad, rtol=1e-9, atol=1e-11)


KL_CASES = [c for c in CASES if c[0] not in ("binomial", "binomial_logits", "transformed_tanh",
                                              "transformed_sigmoid")]  # fmt: skip


@requires_torch
@pytest.mark.parametrize("case", KL_CASES, ids=[c[0] for c in KL_CASES])
def test_kl_matches_torch(case: tuple[Any, ...]) -> None:
    def shifted(p: np.ndarray) -> np.ndarray:
        if case[0].startswith("mvn") and p.ndim == 2 and p.shape[0] == p.shape[1]:
            return p + 0.2 * np.eye(p.shape[0])  # still positive definite / lower triangular
        if case[0].startswith(("categorical", "onehot", "bernoulli_logits")):
            return p[..., ::-1].copy()
        return p * 1.3

    other = (case[0], case[1], [shifted(p) for p in case[2]], case[3])
    p_nd, params_nd, _ = _build(ndgrad, case)
    q_nd, _, _ = _build(ndgrad, other)
    p_th, params_th, _ = _build(torch, case)
    q_th, _, _ = _build(torch, other)
    a = ndgrad.distributions.kl_divergence(p_nd, q_nd)
    b = torch.distributions.kl_divergence(p_th, q_th)
    assert_close(a, b, rtol=1e-10, atol=1e-12)
    a.sum().backward()
    b.sum().backward()
    for x, y in zip(params_nd, params_th, strict=True):
        assert_close(x.grad, y.grad, rtol=1e-9, atol=1e-11)


RSAMPLE = [c for c in CASES if c[0] in ("normal", "uniform", "exponential", "laplace", "lognormal",
                                        "mvn_cov", "mvn_tril", "independent",
                                        "transformed_sigmoid")]  # fmt: skip


@pytest.mark.parametrize("case", RSAMPLE, ids=[c[0] for c in RSAMPLE])
def test_rsample_is_differentiable_and_in_the_support(case: tuple[Any, ...]) -> None:
    d, params, _ = _build(ndgrad, case)
    assert d.has_rsample
    x = d.rsample((5,))
    assert tuple(x.shape) == (5, *d.batch_shape, *d.event_shape)
    assert bool(d.support.check(x)._data.all())
    x.sum().backward()
    assert all(p.grad is not None for p in params)


def test_normal_rsample_gradient_is_the_reparameterisation() -> None:
    loc = ndgrad.tensor([0.5, -1.0], dtype=ndgrad.float64, requires_grad=True)
    scale = ndgrad.tensor([2.0, 0.3], dtype=ndgrad.float64, requires_grad=True)
    x = ndgrad.distributions.Normal(loc, scale).rsample((4,))
    x.sum().backward()
    assert_close(loc.grad, [4.0, 4.0])
    eps = (x.detach() - loc.detach()) / scale.detach()  # dx/dscale = ε
    assert_close(scale.grad, eps.sum(0))


SAMPLE_STATS = [
    ("normal", lambda D: D.Normal(1.5, 0.5)),
    ("uniform", lambda D: D.Uniform(-1.0, 3.0)),
    ("bernoulli", lambda D: D.Bernoulli(0.3)),
    ("categorical", lambda D: D.Categorical(probs=ndgrad.tensor([0.2, 0.5, 0.3]))),
    ("exponential", lambda D: D.Exponential(2.0)),
    ("laplace", lambda D: D.Laplace(-1.0, 0.5)),
    ("poisson", lambda D: D.Poisson(3.0)),
    ("binomial", lambda D: D.Binomial(10, probs=0.4)),
    ("lognormal", lambda D: D.LogNormal(0.0, 0.5)),
]


@pytest.mark.parametrize(("name", "build"), SAMPLE_STATS, ids=[c[0] for c in SAMPLE_STATS])
def test_sample_statistics(name: str, build: Any) -> None:
    ndgrad.manual_seed(0)
    d = build(ndgrad.distributions)
    x = d.sample((20000,)).double()
    if name == "categorical":
        assert_close(np.bincount(x.numpy().astype(int), minlength=3) / 20000, [0.2, 0.5, 0.3],
                     atol=0.02)  # fmt: skip
        return
    assert abs(float(x.mean()) - float(d.mean)) < 0.05 * max(1.0, float(d.stddev))
    assert abs(float(x.std()) / float(d.stddev) - 1) < 0.05


def test_onehot_and_mvn_samples() -> None:
    D = ndgrad.distributions
    s = D.OneHotCategorical(probs=ndgrad.tensor([0.1, 0.9])).sample((1000,))
    assert tuple(s.shape) == (1000, 2) and np.all(s.numpy().sum(-1) == 1)
    assert 0.85 < s.numpy()[:, 1].mean() < 0.95
    cov = ndgrad.tensor([[2.0, 0.5], [0.5, 1.0]], dtype=ndgrad.float64)
    x = D.MultivariateNormal(ndgrad.zeros(2, dtype=ndgrad.float64), cov).sample((20000,))
    assert_close(np.cov(x.numpy().T), cov, atol=0.08)


@requires_torch
@pytest.mark.parametrize(
    "code",
    ["Normal(0., 1.).support", "Normal.arg_constraints", "Bernoulli(0.3).support",
     "Categorical(logits=T.zeros(3)).support", "Uniform(0., 2.).support",
     "Exponential(2.).support", "Poisson(2.).support", "Binomial(5, 0.3).support",
     "OneHotCategorical(probs=T.ones(3)/3).support", "MultivariateNormal.arg_constraints",
     "Independent(Normal(T.zeros(2, 3), 1.), 1)", "LogNormal(0., 1.)", "Laplace(0., 1.)",
     "TransformedDistribution(Normal(0., 1.), [transforms.ExpTransform()])",
     "Independent(Normal(T.zeros(2, 3), 1.), 1).support"],
)  # fmt: skip
def test_reprs_match_torch(code: str) -> None:
    ours = eval(code, {**vars(ndgrad.distributions), "T": ndgrad})
    theirs = eval(code, {**vars(torch.distributions), "T": torch})
    assert repr(ours) == repr(theirs)


ERRORS = [
    ("Normal(0., -1.)", ValueError,
     "Expected parameter scale (Tensor of shape ()) of distribution Normal(loc: 0.0, scale: -1.0) "
     "to satisfy the constraint GreaterThan(lower_bound=0.0), but found invalid values:\n-1.0"),
    ("Normal(0., 1.).log_prob(T.tensor(float('nan')))", ValueError,
     "Expected value argument (Tensor of shape ()) to be within the support (Real()) of the "
     "distribution Normal(loc: 0.0, scale: 1.0), but found invalid values:\nnan"),
    ("Bernoulli(0.5).log_prob(T.tensor(0.5))", ValueError,
     "Expected value argument (Tensor of shape ()) to be within the support (Boolean()) of the "
     "distribution Bernoulli(probs: 0.5), but found invalid values:\n0.5"),
    ("Bernoulli(0.3, logits=1.)", ValueError,
     "Either `probs` or `logits` must be specified, but not both."),
    ("kl_divergence(Laplace(0., 1.), Poisson(1.))", NotImplementedError,
     "No KL(p || q) is implemented for p type Laplace and q type Poisson"),
    ("MultivariateNormal(T.zeros(2))", ValueError,
     "Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified."),
    ("Independent(Normal(T.zeros(2), 1.), 2)", ValueError,
     "Expected reinterpreted_batch_ndims <= len(base_distribution.batch_shape), actual 2 vs 1"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "exc", "msg"), ERRORS)
def test_errors(code: str, exc: type[Exception], msg: str) -> None:
    with pytest.raises(exc, match=re.escape(msg)):
        eval(code, {**vars(ndgrad.distributions), "T": ndgrad})


@requires_torch
@pytest.mark.parametrize(("code", "exc", "msg"), ERRORS)
def test_error_texts_are_torchs(code: str, exc: type[Exception], msg: str) -> None:
    with pytest.raises(exc, match=re.escape(msg)):
        eval(code, {**vars(torch.distributions), "T": torch})


def test_register_kl() -> None:
    D = ndgrad.distributions

    class MyNormal(D.Normal):
        pass

    p, q = MyNormal(0.0, 1.0), D.Normal(1.0, 1.0)
    assert_close(D.kl_divergence(p, q), 0.5)  # falls back to the Normal pair

    @D.register_kl(MyNormal, D.Normal)
    def _mine(p: Any, q: Any) -> Any:
        return ndgrad.tensor(42.0)

    assert float(D.kl_divergence(p, q)) == 42.0
