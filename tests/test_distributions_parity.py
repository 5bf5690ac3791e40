"""Mismatches with torch.distributions found by a differential run (random parameter shapes,
float32 and float64, boundary values, gradients, validation errors): each test pins one of them,
by hand where the expected value is simple and against PyTorch where it is installed."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import assert_close, torch


def _libs() -> list[Any]:
    return [ndgrad] if torch is None else [ndgrad, torch]


def _error(fn: Any) -> tuple[str, str]:
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value).__name__, str(info.value)


@pytest.mark.parametrize("logits", [False, True])
def test_binomial_log_prob_has_a_gradient_in_total_count(logits: bool) -> None:
    # d/dn log C(n, k) + n log(1 - p) = digamma(n + 1) - digamma(n - k + 1) + log(1 - p);
    # for n = 5, k = 2: 1/4 + 1/5 + log(1 - p). ndgrad's log-factorials were constants.
    grads = []
    for lib in _libs():
        n = lib.tensor(5.0, dtype=lib.float64, requires_grad=True)
        p = lib.tensor(0.3, dtype=lib.float64)
        d = (
            lib.distributions.Binomial(n, logits=p.logit())
            if logits
            else lib.distributions.Binomial(n, p)
        )
        d.log_prob(lib.tensor(2.0, dtype=lib.float64)).backward()
        grads.append(n.grad)
    assert_close(grads[0], 0.25 + 0.2 + math.log(0.7), rtol=1e-12)
    if len(grads) == 2:
        assert_close(grads[0], grads[1], rtol=1e-12)


def test_log_prob_checks_that_the_value_broadcasts() -> None:
    # PyTorch's _validate_sample names the shapes; ndgrad let numpy's broadcast error through
    msg = (
        "Value is not broadcastable with batch_shape+event_shape: torch.Size([5, 7]) vs "
        "torch.Size([2, 3])."
    )
    for lib in _libs():
        d = lib.distributions.Normal(lib.zeros(2, 3), 1.0)
        assert _error(lambda d=d, lib=lib: d.log_prob(lib.zeros(5, 7))) == ("ValueError", msg)


def test_uniform_arg_constraints_bound_each_other() -> None:
    # PyTorch constrains low < high through the parameters' constraints, which the validation
    # message and repr(arg_constraints) show; ndgrad had Real() for both
    for lib in _libs():
        d = lib.distributions.Uniform(lib.tensor(0.5), lib.tensor(2.0))
        text = {k: repr(v) for k, v in d.arg_constraints.items()}
        assert text == {"low": "LessThan(upper_bound=2.0)", "high": "GreaterThan(lower_bound=0.5)"}
        nan = lib.tensor(float("nan"))
        assert _error(lambda lib=lib, nan=nan: lib.distributions.Uniform(nan, nan)) == (
            "ValueError",
            "Expected parameter low (Tensor of shape ()) of distribution Uniform(low: nan, "
            "high: nan) to satisfy the constraint LessThan(upper_bound=nan), but found invalid "
            "values:\nnan",
        )


def test_laplace_icdf() -> None:
    # icdf(q) = loc - scale sign(q - 1/2) log(1 - 2|q - 1/2|); ndgrad had none
    q = np.array([0.0, 0.1, 0.5, 0.9, 1.0])
    with np.errstate(divide="ignore"):  # q = 0 and 1 map to -inf and inf
        want = 1.0 - 2.0 * np.sign(q - 0.5) * np.log1p(-2 * np.abs(q - 0.5))
    for lib in _libs():
        d = lib.distributions.Laplace(lib.tensor(1.0, dtype=lib.float64), 2.0)
        assert_close(d.icdf(lib.tensor(q)), want, rtol=1e-15)


def test_one_hot_categorical_enumerate_support() -> None:
    for lib in _libs():
        d = lib.distributions.OneHotCategorical(lib.tensor([[0.2, 0.3, 0.5]] * 2))
        assert_close(d.enumerate_support(False), np.eye(3).reshape(3, 1, 3))
        full = d.enumerate_support()
        assert tuple(full.shape) == (3, 2, 3) and full.dtype == lib.float32
        assert_close(full, np.broadcast_to(np.eye(3)[:, None], (3, 2, 3)))


def test_independent_enumerate_support() -> None:
    for lib in _libs():
        p = lib.tensor([0.2, 0.7])
        d0 = lib.distributions.Independent(lib.distributions.Bernoulli(p), 0)
        assert d0.has_enumerate_support
        assert_close(d0.enumerate_support(), [[0.0, 0.0], [1.0, 1.0]])
        d1 = lib.distributions.Independent(lib.distributions.Bernoulli(p), 1)
        assert not d1.has_enumerate_support
        assert _error(d1.enumerate_support) == (
            "NotImplementedError",
            "Enumeration over cartesian product is not implemented",
        )


@pytest.mark.parametrize("kind", ["covariance_matrix", "precision_matrix"])
def test_multivariate_normal_validates_before_cholesky(kind: str) -> None:
    # a symmetric matrix that is not positive definite fails its constraint (ValueError), as in
    # PyTorch; ndgrad factorised it first and raised cholesky's LinAlgError
    errors = []
    for lib in _libs():
        m = lib.tensor([[1.0, 2.0], [2.0, 1.0]])
        errors.append(_error(lambda lib=lib, m=m: lib.distributions.MultivariateNormal(
            lib.zeros(2), **{kind: m})))  # fmt: skip
    assert errors[0][0] == "ValueError"
    assert errors[0][1].startswith(
        f"Expected parameter {kind} (Tensor of shape (2, 2)) of distribution "
        f"MultivariateNormal(loc: torch.Size([2]), {kind}: torch.Size([2, 2])) to satisfy the "
        "constraint PositiveDefinite(), but found invalid values:\n"
    )
    assert errors[-1] == errors[0]


@pytest.mark.parametrize("scalars", [False, True])
def test_beta_with_0d_parameters_has_0d_moments(scalars: bool) -> None:
    # PyTorch's concentration1/0 index the Dirichlet's last dim (0-d here); ndgrad reshaped them
    # to (1,), so mean, variance and stddev had shape (1,) for a Beta of batch shape ()
    for lib in _libs():
        a, b = (0.5, 0.7) if scalars else (lib.tensor(0.5), lib.tensor(0.7))
        d = lib.distributions.Beta(a, b)
        assert_close(d.concentration1, 0.5)
        assert_close(d.mean, 0.5 / 1.2, rtol=1e-6)
        assert_close(d.variance, 0.35 / (1.44 * 2.2), rtol=1e-6)
        assert tuple(d.stddev.shape) == ()


def test_binomial_logits_gradient_at_zero_logits() -> None:
    # d/dz log_prob = k - n sigmoid(z) = 3 - 5/2 at z = 0; ndgrad's max(z, 0) had gradient 1 there
    # (PyTorch halves it), which gave 3 - 5 = -2
    for lib in _libs():
        z = lib.tensor(0.0, dtype=lib.float64, requires_grad=True)
        lib.distributions.Binomial(5, logits=z).log_prob(
            lib.tensor(3.0, dtype=lib.float64)
        ).backward()
        assert_close(z.grad, 0.5, rtol=1e-15)


@pytest.mark.parametrize(
    "make",
    [
        lambda D, lib: D.Normal(lib.zeros(2), 1.0),
        lambda D, lib: D.Laplace(lib.zeros(2), 1.0),
        lambda D, lib: D.Exponential(lib.ones(2)),
        lambda D, lib: D.Uniform(lib.zeros(2), 1.0),
    ],
    ids=["normal", "laplace", "exponential", "uniform"],
)
def test_cdf_validates_its_value(make: Any) -> None:
    # PyTorch's cdf checks the value's shape and support as log_prob does; ndgrad's did not
    for lib in _libs():
        d = make(lib.distributions, lib)
        kind, text = _error(lambda d=d, lib=lib: d.cdf(lib.full((2,), float("nan"))))
        assert kind == "ValueError" and text.startswith(
            "Expected value argument (Tensor of shape (2,))"
        )
        kind, text = _error(lambda d=d, lib=lib: d.cdf(lib.zeros(3)))
        assert (kind, text) == (
            "ValueError",
            "Value is not broadcastable with batch_shape+event_shape: torch.Size([3]) vs "
            "torch.Size([2]).",
        )


# a matrix of each kind giving the covariance 2I
_COV_2I = {"covariance_matrix": 2.0, "precision_matrix": 0.5, "scale_tril": 2**0.5}


@pytest.mark.parametrize("kind", list(_COV_2I))
def test_multivariate_normal_expand_keeps_its_factor(kind: str) -> None:
    # the expanded copy lacked _unbroadcasted_scale_tril: log_prob, variance, entropy and sample
    # raised AttributeError. N(0, 2I) in 2-d: log_prob(0) = -log(2π) - log 2
    for lib in _libs():
        matrix = lib.eye(2, dtype=lib.float64) * _COV_2I[kind]
        d = lib.distributions.MultivariateNormal(lib.zeros(2, dtype=lib.float64), **{kind: matrix})
        e = d.expand((3,))
        assert tuple(e.batch_shape) == (3,)
        zero = lib.zeros(2, dtype=lib.float64)
        assert_close(e.log_prob(zero), [-math.log(4 * math.pi)] * 3, rtol=1e-12)
        assert_close(e.variance, np.full((3, 2), 2.0), rtol=1e-12)
        assert tuple(e.sample().shape) == (3, 2)


def test_transform_sign_only_for_monotone_transforms() -> None:
    # PyTorch's Transform.sign raises NotImplementedError unless the transform defines it; ndgrad
    # answered +1 for every transform, so a TransformedDistribution's cdf through a softmax or
    # stick-breaking transform returned numbers where PyTorch raises
    for lib in _libs():
        T = lib.distributions.transforms
        for t in (T.ExpTransform(), T.SigmoidTransform(), T.TanhTransform(), T.SoftplusTransform()):
            assert t.sign == 1 and t.inv.sign == 1
        assert T.ComposeTransform([]).sign == 1
        assert T.AffineTransform(0.0, -2.0).sign == -1
        for t in (T.AbsTransform(), T.SoftmaxTransform(), T.StickBreakingTransform()):
            assert _error(lambda t=t: t.sign) == ("NotImplementedError", "")
        base = lib.distributions.Independent(lib.distributions.Normal(lib.zeros(2), 1.0), 1)
        d = lib.distributions.TransformedDistribution(base, [T.StickBreakingTransform()])
        with pytest.raises(NotImplementedError):
            d.cdf(lib.tensor([0.2, 0.3, 0.5]))


def test_corr_cholesky_transforms_compare_by_identity() -> None:
    for lib in _libs():
        T = lib.distributions.transforms
        t = T.CorrCholeskyTransform()
        assert t == t and t != T.CorrCholeskyTransform()


def test_reshape_transform_shape_mismatch_message() -> None:
    for lib in _libs():
        t = lib.distributions.transforms.ReshapeTransform((6,), (2, 3))
        assert _error(lambda t=t: t.inverse_shape((4, 6))) == (
            "ValueError",
            "Shape mismatch: expected (4, 6) but got torch.Size([2, 3])",
        )


def test_cat_and_stack_transforms_check_their_input() -> None:
    # PyTorch's AssertionErrors, not numpy's narrow/zip errors
    for lib in _libs():
        T = lib.distributions.transforms
        cat = T.CatTransform([T.ExpTransform(), T.identity_transform], 0, [1, 2])
        stack = T.StackTransform([T.ExpTransform(), T.identity_transform], 0)
        x = lib.ones(3)
        assert _error(lambda cat=cat, x=x: cat(x[:2])) == (
            "AssertionError",
            "x.size(0) = 2 must equal length 3",
        )
        assert _error(lambda cat=cat, x=x: cat.log_abs_det_jacobian(x, x.view(1, 3))) == (
            "AssertionError",
            "y.size(0) = 1 must equal length 3",
        )
        assert _error(lambda stack=stack, x=x: stack.inv(x)) == (
            "AssertionError",
            "y.size(0) = 3 must equal len(transforms) 2",
        )
        assert _error(lambda stack=stack, lib=lib: stack(lib.tensor(1.0))) == (
            "AssertionError",
            "dim 0 out of range for tensor with 0 dimensions",
        )
        assert _error(lambda T=T: T.CatTransform([T.ExpTransform()], 0, [1, 2])) == (
            "AssertionError",
            "lengths (2) must match transforms (1)",
        )
        assert _error(lambda T=T: T.StackTransform([1])) == (
            "AssertionError",
            "All elements of tseq must be Transform instances",
        )


def test_broadcast_shapes_error_prints_the_argument_as_given() -> None:
    # PyTorch prints the mismatching argument itself: a Size as torch.Size([3]), a list as [3];
    # ndgrad printed every argument as a tuple (MultivariateNormal's error goes through it)
    for lib in _libs():
        for given, shown in (((3,), "(3,)"), ([3], "[3]"), (lib.Size([3]), "torch.Size([3])")):
            assert _error(lambda lib=lib, g=given: lib.broadcast_shapes((4,), g)) == (
                "RuntimeError",
                "Attempting to broadcast a dimension of length 3 at -1! Mismatching argument at "
                f"index 1 had {shown}; but expected shape should be broadcastable to [4]",
            )
        kind, text = _error(
            lambda lib=lib: lib.distributions.MultivariateNormal(
                lib.zeros(3, 2), lib.eye(2).expand(4, 2, 2)
            )
        )
        assert kind == "RuntimeError" and "index 1 had torch.Size([3]);" in text


def test_parameter_broadcast_errors() -> None:
    # broadcast_all raises PyTorch's texts: the type error's wording and broadcast_tensors'
    # RuntimeError (ndgrad let numpy's ValueError through)
    for lib in _libs():
        D = lib.distributions
        assert _error(lambda D=D: D.Normal([0.0, 1.0], 1.0)) == (
            "ValueError",
            "Input arguments must all be instances of Number, torch.Tensor or objects "
            "implementing __torch_function__.",
        )
        assert _error(lambda D=D, lib=lib: D.Normal(lib.zeros(2), lib.ones(3))) == (
            "RuntimeError",
            "The size of tensor a (2) must match the size of tensor b (3) at non-singleton "
            "dimension 0",
        )
        mix = D.Categorical(lib.ones(4, 2))
        comp = D.Normal(lib.zeros(3, 2), 1.0)
        assert _error(lambda D=D, m=mix, c=comp: D.MixtureSameFamily(m, c)) == (
            "ValueError",
            "`mixture_distribution.batch_shape` (torch.Size([4])) is not compatible with "
            "`component_distribution.batch_shape`(torch.Size([3]))",
        )


def test_multivariate_normal_takes_the_matrix_size_as_given() -> None:
    # PyTorch expands the matrix with -1 (its own size), so a loc of another length is accepted
    # at construction, as ndgrad now does (it raised expand's error)
    for lib in _libs():
        d = lib.distributions.MultivariateNormal(lib.zeros(3), lib.eye(2))
        assert tuple(d.event_shape) == (3,) and tuple(d.covariance_matrix.shape) == (2, 2)


def test_poisson_log_prob_outside_the_support_and_its_value_gradient() -> None:
    # ndgrad's log-factorial was math.lgamma: a negative integer value raised "math domain
    # error" where PyTorch's lgamma gives inf (log_prob -inf), and the value had no gradient.
    # d/dk (k log r - r - log k!) = log r - digamma(k + 1); digamma(3) = 3/2 - Euler's gamma
    for lib in _libs():
        d = lib.distributions.Poisson(lib.tensor(1.5, dtype=lib.float64), validate_args=False)
        out = d.log_prob(lib.tensor([-3.0, -1.0], dtype=lib.float64))
        assert_close(out, [-math.inf, -math.inf])
        k = lib.tensor(2.0, dtype=lib.float64, requires_grad=True)
        d.log_prob(k).backward()
        assert_close(k.grad, math.log(1.5) - 1.5 + 0.5772156649015329, rtol=1e-12)


def test_von_mises_variance_is_computed_once() -> None:
    # PyTorch's VonMises.variance is a lazy_property: the same tensor each time, so a second
    # backward through it needs retain_graph, as stddev (its square root) shows
    for lib in _libs():
        k = lib.tensor([0.5, 2.0], dtype=lib.float64, requires_grad=True)
        d = lib.distributions.VonMises(lib.zeros(2, dtype=lib.float64), k)
        assert d.variance is d.variance
        d.variance.sum().backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            d.stddev.sum().backward()


def test_lazy_parameters_keep_their_graph_when_first_read_under_no_grad() -> None:
    # PyTorch's lazy_property computes under enable_grad; ndgrad cached a graph-less probs, so
    # the entropy's gradient through it was silently zero. H = softplus(z) - z sigmoid(z),
    # dH/dz = -z sigmoid(z) (1 - sigmoid(z))
    z0 = np.array([0.3, -1.0])
    s = 1 / (1 + np.exp(-z0))
    for lib in _libs():
        z = lib.tensor(z0, requires_grad=True)
        d = lib.distributions.Bernoulli(logits=z)
        with lib.no_grad():
            assert d.mean.requires_grad
        d.entropy().sum().backward()
        assert_close(z.grad, -z0 * s * (1 - s), rtol=1e-12)


def test_kl_mvn_event_shape_error_text() -> None:
    # PyTorch's message keeps the 26 spaces of its line continuation (as the low-rank pairs'
    # messages in ndgrad already did)
    text = (
        "KL-divergence between two Multivariate Normals with" + " " * 26 + "different event "
        "shapes cannot be computed"
    )
    for lib in _libs():
        D = lib.distributions
        p = D.MultivariateNormal(lib.zeros(2), lib.eye(2))
        q = D.MultivariateNormal(lib.zeros(3), lib.eye(3))
        assert _error(lambda D=D, p=p, q=q: D.kl_divergence(p, q)) == ("ValueError", text)


def test_constraint_checks_on_values_of_too_few_dims() -> None:
    # PyTorch raises (its tril, its independent's reshape check, its size(-1)) where ndgrad
    # answered True/False or let numpy's errors through
    for lib in _libs():
        C = lib.distributions.constraints
        vector, scalar = lib.ones(3), lib.tensor(1.0)
        tril_error = ("RuntimeError", "tril: input tensor must have at least 2 dimensions")
        assert _error(lambda C=C, v=vector: C.lower_triangular.check(v)) == tril_error
        assert _error(lambda C=C, v=vector: C.lower_cholesky.check(v)) == tril_error
        assert _error(lambda C=C, v=vector: C.corr_cholesky.check(v)) == tril_error
        assert _error(lambda C=C, v=scalar: C.corr_cholesky.check(v)) == (
            "IndexError",
            "Dimension specified as -1 but tensor has no dimensions",
        )
        assert _error(lambda C=C, v=scalar: C.real_vector.check(v)) == (
            "ValueError",
            "Expected value.dim() >= 1 but got 0",
        )


def test_cat_and_stack_constraints() -> None:
    for lib in _libs():
        C = lib.distributions.constraints
        stack = C.stack([C.real, C.positive], 0)
        # one slice along dim: checked by the first constraint only, as PyTorch's zip
        assert_close(stack.check(-lib.ones(1, 2)), [[True, True]])
        assert _error(lambda s=stack, lib=lib: s.check(lib.tensor(1.0))) == (
            "AssertionError",
            "dim 0 out of range for value with 0 dimensions",
        )
        assert _error(lambda C=C: C.cat([C.real, C.positive], 0, [1])) == (
            "AssertionError",
            "lengths (1) must match cseq (2)",
        )
        assert _error(lambda C=C: C.stack([1])) == (
            "AssertionError",
            "All elements of cseq must be Constraint instances",
        )


def test_utils_euler_constant() -> None:
    for lib in _libs():
        assert lib.distributions.utils.euler_constant == 0.57721566490153286060


def _node(t: Any) -> str | None:
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def test_graph_nodes_and_nan_handling_of_masked_results() -> None:
    # PyTorch writes these with where / index assignment / clamp_, which name the printed
    # grad_fn; where also maps a nan value or parameter to the fill (ndgrad's masked_fill kept
    # nan): HalfNormal.log_prob(nan) = -inf, InverseGamma(nan, 1).mean = inf
    for lib in _libs():
        D = lib.distributions
        s = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        lp = D.HalfNormal(s, validate_args=False).log_prob(
            lib.tensor([float("nan"), 1.0], dtype=lib.float64)
        )
        assert _node(lp) == "WhereBackward0" and lp[0].item() == -math.inf
        assert _node(D.HalfCauchy(s).log_prob(lib.ones(2, dtype=lib.float64))) == "WhereBackward0"
        c = lib.tensor([float("nan"), 3.0], dtype=lib.float64, requires_grad=True)
        ig = D.InverseGamma(c, lib.ones(2, dtype=lib.float64), validate_args=False)
        assert _node(ig.mean) == "WhereBackward0" and _node(ig.variance) == "WhereBackward0"
        assert ig.mean[0].item() == math.inf and ig.variance[0].item() == math.inf
        df = lib.tensor([0.5, 1.5, 4.0], dtype=lib.float64, requires_grad=True)
        loc = lib.zeros(3, dtype=lib.float64, requires_grad=True)
        t = D.StudentT(df, loc, lib.tensor(2.0, dtype=lib.float64))
        assert _node(t.mean) == "IndexPutBackward0" and _node(t.variance) == "IndexPutBackward0"
        assert_close(t.variance, [math.nan, math.inf, 4 * 4.0 / 2.0])
        t.variance[2].backward()  # d/ddf s² df / (df - 2) = -2 s² / (df - 2)² = -2
        assert_close(df.grad, [0.0, 0.0, -2.0])
        f = D.FisherSnedecor(df[1:], lib.tensor(5.0, dtype=lib.float64))
        assert _node(f.rsample()) == "ClampBackward1"
        a = lib.tensor([0.5, 2.0], dtype=lib.float64, requires_grad=True)
        assert _node(D.Dirichlet(a).rsample()) == "_DirichletBackward"


def test_kl_and_modes_assign_by_index_as_pytorch() -> None:
    # PyTorch writes inf (or 0) into these KLs and modes by index: the node is
    # IndexPutBackward0 and a mask whose shape differs from the result's (broadcast
    # parameters) raises its IndexError; ndgrad's masked_fill broadcast silently
    for lib in _libs():
        D = lib.distributions
        lo = lib.tensor([0.0, 0.5], requires_grad=True)
        p, q = D.Uniform(lo, lo + 1), D.Uniform(lib.tensor([0.2, 0.0]), lib.tensor([1.0, 2.0]))
        kl = D.kl_divergence(p, q)
        assert _node(kl) == "IndexPutBackward0"
        assert_close(kl, [math.inf, math.log(2.0)], rtol=1e-6)
        pb = D.Bernoulli(lib.tensor([[0.3], [0.6]]))
        qb = D.Bernoulli(lib.tensor([0.5, 0.2, 0.9]))
        kind, text = _error(lambda D=D, a=pb, b=qb: D.kl_divergence(a, b))
        assert kind == "IndexError" and text.startswith("The shape of the mask [3] at index 0")
        a = lib.tensor([0.5, 0.3, 0.9], requires_grad=True)
        # a 0-d mask indexes like a view: PyTorch's node is then CopySlices
        assert _node(D.Dirichlet(a).mode) == "CopySlices"
        a2 = lib.tensor([[0.5, 0.3, 0.9]], requires_grad=True)
        assert _node(D.Dirichlet(a2).mode) == "IndexPutBackward0"
        # (c - 1)⁺ is all 0, so 0/0 = nan everywhere and argmax picks the first: vertex 0
        assert_close(D.Dirichlet(a).mode, [1.0, 0.0, 0.0])
        f = D.FisherSnedecor(lib.tensor([1.0, 4.0], requires_grad=True), lib.tensor([3.0, 5.0]))
        assert _node(f.mode) == "IndexPutBackward0"
        assert_close(f.mode, [math.nan, 0.5 * 5.0 / 7.0], rtol=1e-6)
        c = D.ContinuousBernoulli(lib.tensor([0.3], requires_grad=True))
        assert _node(D.kl_divergence(c, D.Uniform(0.0, 1.0))) == "WhereBackward0"


def test_exponential_mode_and_gamma_cdf_nodes() -> None:
    for lib in _libs():
        rate = lib.tensor([1.0, 2.0], requires_grad=True)
        mode = lib.distributions.Exponential(rate).mode
        assert not mode.requires_grad and _node(mode) is None  # zeros_like, as PyTorch
        g = lib.distributions.Gamma(rate, 1.0)
        assert _node(g.cdf(lib.tensor([0.5, 1.0]))) == "IgammaBackward0"
