"""ndgrad.autograd.functional: vjp, jvp, jacobian, hessian, hvp, vhp (vs analytic and torch)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp
from tests.helpers import assert_close, requires_torch, torch

RNG = np.random.default_rng(7)
W0 = RNG.standard_normal((4, 3))
X0 = RNG.standard_normal(3)
Y0 = RNG.standard_normal((2, 3))


def _t(a, requires_grad=False):
    return ndgrad.tensor(np.array(a, dtype=np.float64), requires_grad=requires_grad)


def _th(a):
    return torch.tensor(np.array(a, dtype=np.float64))


def f_single(x):
    """R^3 -> R^4: tanh(W x) * sum(x)."""
    lib = ndgrad if isinstance(x, ndgrad.Tensor) else torch
    w = lib.tensor(W0)
    return (w @ x).tanh() * x.sum()


def f_multi(x, y):
    """Two inputs, two outputs (one of them 2-d, through views and reductions)."""
    return (x.exp() * y).sum(0), (y.transpose(0, 1) * x.unsqueeze(1)).reshape(6).sigmoid()


def f_scalar(x, y):
    return ((x * y).tanh().sum() + (x**3).mean()) * y.sum()


def test_jacobian_analytic():
    x = _t(X0)
    J = jacobian(f_single, x)
    z = W0 @ X0
    s = X0.sum()
    expected = (1 - np.tanh(z) ** 2)[:, None] * W0 * s + np.tanh(z)[:, None]
    assert_close(J, expected, rtol=1e-12)
    assert not J.requires_grad


@pytest.mark.parametrize("vectorize", [False, True])
def test_jacobian_vectorize_matches_loop(vectorize):
    x, y = _t(X0), _t(Y0)
    ref = jacobian(f_multi, (x, y))
    got = jacobian(f_multi, (x, y), vectorize=vectorize)
    assert len(got) == 2 and all(len(row) == 2 for row in got)
    assert got[0][0].shape == (3, 3) and got[0][1].shape == (3, 2, 3)
    assert got[1][0].shape == (6, 3) and got[1][1].shape == (6, 2, 3)
    assert_close(got, ref, rtol=1e-12)


@requires_torch
@pytest.mark.parametrize("vectorize", [False, True])
def test_jacobian_matches_torch(vectorize):
    ours = jacobian(f_multi, (_t(X0), _t(Y0)), vectorize=vectorize)
    theirs = torch.autograd.functional.jacobian(f_multi, (_th(X0), _th(Y0)))
    assert_close(ours, theirs, rtol=1e-12)
    ours = jacobian(f_single, _t(X0), vectorize=vectorize)
    theirs = torch.autograd.functional.jacobian(f_single, _th(X0))
    assert_close(ours, theirs, rtol=1e-12)


def test_jacobian_forward_mode_strategy():
    x, y = _t(X0), _t(Y0)
    ref = jacobian(f_multi, (x, y))
    got = jacobian(f_multi, (x, y), strategy="forward-mode", vectorize=True)
    assert_close(got, ref, rtol=1e-12)


def test_jacobian_unused_input_zero_or_strict_error():
    x, y = _t(X0), _t(Y0)

    def f(a, b):
        return a * 2

    J = jacobian(f, (x, y))
    assert_close(J[1], np.zeros((3, 2, 3)))
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "Output 0 of the user-provided function is independent of input 1. This is not "
            "allowed in strict mode."
        ),
    ):
        jacobian(f, (x, y), strict=True)
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "Output 0 of the user-provided function does not require gradients. The outputs must "
            "be computed in a differentiable manner from the input when running in strict mode."
        ),
    ):
        jacobian(lambda a: ndgrad.ones(2), x, strict=True)


def test_jacobian_create_graph_is_differentiable():
    x = _t(X0, requires_grad=True)
    J = jacobian(lambda a: a**3, x, create_graph=True, vectorize=True)
    assert J.requires_grad
    (g,) = ndgrad.autograd.grad(J.sum(), x)
    assert_close(g, 6 * X0)


def test_input_type_errors():
    with pytest.raises(
        TypeError,
        match=re.escape(
            "The inputs given to jacobian must be either a Tensor or a tuple of Tensors but the "
            "given inputs has type <class 'int'>."
        ),
    ):
        jacobian(lambda a: a, 3)
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "The vector v can only be None if the user-provided function returns a single "
            "Tensor with a single element."
        ),
    ):
        vjp(lambda a: a, _t(X0))


@requires_torch
def test_vjp_jvp_match_torch():
    x, y = _t(X0), _t(Y0)
    v_out = (_t(RNG.standard_normal(3)), _t(RNG.standard_normal(6)))
    v_in = (_t(RNG.standard_normal(3)), _t(RNG.standard_normal((2, 3))))
    tf = torch.autograd.functional
    to_th = [_th(t.numpy()) for t in v_out]
    ti_th = [_th(t.numpy()) for t in v_in]
    ours = vjp(f_multi, (x, y), v_out)
    theirs = tf.vjp(f_multi, (_th(X0), _th(Y0)), tuple(to_th))
    assert_close(ours, theirs, rtol=1e-12)
    ours = jvp(f_multi, (x, y), v_in)
    theirs = tf.jvp(f_multi, (_th(X0), _th(Y0)), tuple(ti_th))
    assert_close(ours, theirs, rtol=1e-12)


def test_jvp_equals_jacobian_times_vector():
    x = _t(X0)
    v = _t(RNG.standard_normal(3))
    out, jv = jvp(f_single, x, v)
    assert_close(out, f_single(x))
    assert_close(jv, jacobian(f_single, x).numpy() @ v.numpy(), rtol=1e-12)
    _, vj = vjp(f_single, x, _t(np.ones(4)))
    assert_close(vj, np.ones(4) @ jacobian(f_single, x).numpy(), rtol=1e-12)


def test_hessian_analytic_and_vectorized():
    def f(x):
        return (x**3).sum() + x.sum() ** 2

    x0 = np.array([0.5, -1.0, 2.0])
    x = _t(x0)
    # f = Σ x³ + (Σ x)²: H = diag(6x) + 2
    expected = np.diag(6 * x0) + 2
    assert_close(hessian(f, x), expected, rtol=1e-12)
    assert_close(hessian(f, x, vectorize=True), expected, rtol=1e-12)


@requires_torch
@pytest.mark.parametrize("vectorize", [False, True])
def test_hessian_tuple_inputs_matches_torch(vectorize):
    x, y = _t(X0), _t(Y0)
    ours = hessian(f_scalar, (x, y), vectorize=vectorize)
    theirs = torch.autograd.functional.hessian(f_scalar, (_th(X0), _th(Y0)))
    assert_close(ours, theirs, rtol=1e-10)


def test_hessian_errors():
    x = _t(X0)
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "The Tensor returned by the function given to hessian should contain a single element"
        ),
    ):
        hessian(lambda a: a, x)
    with pytest.raises(
        RuntimeError, match=re.escape("The function given to hessian should return a single Tensor")
    ):
        hessian(lambda a: (a.sum(), a.sum()), x)


@requires_torch
def test_hvp_vhp_match_torch():
    x, y = _t(X0), _t(Y0)
    vx, vy = RNG.standard_normal(3), RNG.standard_normal((2, 3))
    tf = torch.autograd.functional
    for ours_fn, theirs_fn in ((hvp, tf.hvp), (vhp, tf.vhp)):
        ours = ours_fn(f_scalar, (x, y), (_t(vx), _t(vy)))
        theirs = theirs_fn(f_scalar, (_th(X0), _th(Y0)), (_th(vx), _th(vy)))
        assert_close(ours, theirs, rtol=1e-10)


def test_hvp_equals_hessian_times_vector():
    x = _t(X0)
    v = RNG.standard_normal(3)

    def f(a):
        return (a.tanh() * a.exp()).sum()

    H = hessian(f, x).numpy()
    _, hv = hvp(f, x, _t(v))
    _, vh = vhp(f, x, _t(v))
    assert_close(hv, H @ v, rtol=1e-12)
    assert_close(vh, v @ H, rtol=1e-12)


def test_hvp_create_graph_third_derivative():
    x = _t([0.7, -0.3], requires_grad=True)
    v = _t([1.0, 0.0])
    _, hv = hvp(lambda a: (a**4).sum(), x, v, create_graph=True)
    # H = diag(12 a²): Hv = [12 x0², 0]; d/dx of its sum = [24 x0, 0]
    assert_close(hv, [12 * 0.49, 0.0])
    (g,) = ndgrad.autograd.grad(hv.sum(), x)
    assert_close(g, [24 * 0.7, 0.0])


class _Cube(ndgrad.autograd.Function):
    """A user Function: the batched backward falls back to one call per row."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x


VECTORIZE_CASES = {
    "mean_permute_squeeze": lambda x: (
        x.reshape(1, 2, 3).permute(2, 0, 1).squeeze(1).mean(1) * x.mean() + x.mean(dim=(0, 1))
    ),
    "dot_mm_bmm": lambda x: ndgrad.stack(
        [
            x.unbind(0)[0] @ x.unbind(0)[1],
            (x @ x.transpose(0, 1)).sum(),
            (x.unsqueeze(0) @ x.unsqueeze(0).mT).sum(),
        ]
    ),
    "where_pow_div": lambda x: ndgrad.where(x > 0, x**2, (x * x + 1) ** x) / (x.abs() + 1),
    "unbind_stack_expand": lambda x: ndgrad.stack(x.unbind(1), 0).expand(2, 3, 2).sum(0),
    "custom_function": lambda x: _Cube.apply(x).exp().sum(1),
    "inplace_on_view": lambda x: _write_into_view(x),
}


def _write_into_view(x):
    b = x * 1
    b.view(6).unsqueeze(0).squeeze(0).mul_(x.reshape(6).sigmoid())
    return b.transpose(0, 1)


@pytest.mark.parametrize("name", sorted(VECTORIZE_CASES))
def test_vectorized_jacobian_equals_row_loop(name):
    f = VECTORIZE_CASES[name]
    x = _t(RNG.standard_normal((2, 3)))
    assert_close(jacobian(f, x, vectorize=True), jacobian(f, x), rtol=1e-12, atol=1e-14)
    h_loop = hessian(lambda a: (f(a) ** 2).sum(), x)
    h_vec = hessian(lambda a: (f(a) ** 2).sum(), x, vectorize=True)
    assert_close(h_vec, h_loop, rtol=1e-10, atol=1e-12)


def test_vectorized_jacobian_runs_each_backward_once(monkeypatch):
    from ndgrad.autograd import _engine as engine
    from ndgrad.ops import products, unary

    # Counted through the tensor formulas (a first-order backward would run backward_np).
    monkeypatch.setattr(engine, "ARRAY_BACKWARD", False)
    calls = {"tanh": 0, "mv": 0}
    tanh_backward, mv_backward = unary.Tanh.backward, products.Mv.backward

    def counting(name, fn):
        def wrapped(ctx, *grads):
            calls[name] += 1
            return fn(ctx, *grads)

        return staticmethod(wrapped)

    monkeypatch.setattr(unary.Tanh, "backward", counting("tanh", tanh_backward))
    monkeypatch.setattr(products.Mv, "backward", counting("mv", mv_backward))
    w = _t(RNG.standard_normal((5, 3)))
    x = _t(RNG.standard_normal(3))
    J = jacobian(lambda v: (w @ v).tanh(), x, vectorize=True)
    assert calls == {"tanh": 1, "mv": 1}
    jacobian(lambda v: (w @ v).tanh(), x)
    assert calls == {"tanh": 6, "mv": 6}  # the row loop: one pass per output element
    t = np.tanh(w.numpy() @ x.numpy())
    assert_close(J, (1 - t**2)[:, None] * w.numpy(), rtol=1e-12)


@pytest.mark.parametrize("vectorize", [False, True])
def test_hessian_forward_over_reverse(vectorize):
    x, y = _t(np.abs(X0) + 0.1), _t(Y0)

    def f(a, b):
        return f_scalar(a, b) + (a.sqrt() * a.sigmoid()).sum() * (b / (b * b + 1)).mean()

    ref = hessian(f, (x, y))
    if not vectorize:  # PyTorch implements forward-over-reverse with vectorize=True only
        with pytest.raises(NotImplementedError, match="only implemented for `vectorize=True`"):
            hessian(f, (x, y), outer_jacobian_strategy="forward-mode")
        return
    got = hessian(f, (x, y), outer_jacobian_strategy="forward-mode", vectorize=vectorize)
    # as PyTorch's: the inner reverse pass marks the dual inputs as requiring grad, so the
    # blocks come back connected to that (internal) graph, not detached
    assert got[0][0].requires_grad and type(got[0][0].grad_fn).__name__ == "ReshapeAliasBackward0"
    assert not x.requires_grad and x.grad is None
    assert_close(got, ref, rtol=1e-10, atol=1e-12)
