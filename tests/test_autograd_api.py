"""autograd.grad / autograd.backward: higher-order derivatives, inputs=, allow_unused, batching."""

from __future__ import annotations

import re

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import backward, grad
from tests.helpers import assert_close, requires_torch, torch


def _x(values, requires_grad=True):
    return ndgrad.tensor(np.array(values, dtype=np.float64), requires_grad=requires_grad)


# --- higher order ------------------------------------------------------------------------------


def test_nested_grad_matches_analytic_derivatives_up_to_fourth_order():
    # f = x^3 tanh(x): each order computed by differentiating the previous one's graph.
    x0 = np.array([0.3, -1.2, 2.0])
    x = _x(x0)
    f = (x**3 * x.tanh()).sum()
    (d1,) = grad(f, x, create_graph=True)
    (d2,) = grad(d1.sum(), x, create_graph=True)
    (d3,) = grad(d2.sum(), x, create_graph=True)
    (d4,) = grad(d3.sum(), x)
    t = np.tanh(x0)
    s = 1 - t**2  # tanh'
    s2 = -2 * t * s  # tanh''
    s3 = -2 * s * s - 2 * t * s2  # tanh'''
    s4 = -6 * s * s2 - 2 * t * s3
    expect1 = 3 * x0**2 * t + x0**3 * s
    expect2 = 6 * x0 * t + 6 * x0**2 * s + x0**3 * s2
    expect3 = 6 * t + 18 * x0 * s + 9 * x0**2 * s2 + x0**3 * s3
    expect4 = 24 * s + 36 * x0 * s2 + 12 * x0**2 * s3 + x0**3 * s4
    assert_close(d1, expect1)
    assert_close(d2, expect2)
    assert_close(d3, expect3)
    assert_close(d4, expect4)
    assert d4.grad_fn is None and not d4.requires_grad


def test_mixed_partials_of_two_inputs():
    x, y = _x(1.5), _x(-0.5)
    f = x**2 * y.exp() + x * y
    gx, gy = grad(f, (x, y), create_graph=True)
    (gxy,) = grad(gx, y, create_graph=True)
    (gyx,) = grad(gy, x)
    expect = 2 * 1.5 * np.exp(-0.5) + 1
    assert_close(gxy, expect)
    assert_close(gyx, expect)


@requires_torch
def test_triple_derivative_matches_torch():
    x0 = np.array([[0.2, -0.7], [1.1, 0.4]])
    w0 = np.array([[0.5, -1.0], [2.0, 0.3]])

    def run(lib, mk):
        x, w = mk(x0, True), mk(w0, True)
        out = ((w @ x).sigmoid() * x.exp()).mean()
        g1 = lib.autograd.grad(out, (x, w), create_graph=True)
        s = (g1[0] * g1[1]).sum()
        g2 = lib.autograd.grad(s, (x, w), create_graph=True)
        g3 = lib.autograd.grad(g2[0].sum() + g2[1].pow(2).sum(), (x, w))
        return g1, g2, g3

    def mk_nd(a, rg):
        return ndgrad.tensor(a, requires_grad=rg)

    def mk_th(a, rg):
        return torch.tensor(a, requires_grad=rg)

    for ours, theirs in zip(run(ndgrad, mk_nd), run(torch, mk_th), strict=True):
        assert_close(ours, theirs, rtol=1e-10, atol=1e-12)


def test_grad_of_grad_without_create_graph_is_not_differentiable():
    x = _x(2.0)
    (g,) = grad(x**3, x)
    assert not g.requires_grad
    with pytest.raises(RuntimeError, match=re.escape("does not require grad")):
        grad(g, x)


# --- grad() options ----------------------------------------------------------------------------


def test_grad_does_not_touch_dot_grad():
    x = _x([1.0, 2.0])
    (g,) = grad((x * x).sum(), x)
    assert_close(g, [2.0, 4.0])
    assert x.grad is None


def test_grad_allow_unused_and_materialize():
    x, y = _x(1.0), _x(2.0)
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "The differentiated Tensor at index 1 appears to not have been used in the graph. Set "
            "allow_unused=True if this is the desired behavior."
        ),
    ):
        grad(x * 2, (x, y))
    gx, gy = grad(x * 2, (x, y), allow_unused=True)
    assert_close(gx, 2.0)
    assert gy is None
    gx, gy = grad(x * 2, (x, y), materialize_grads=True)
    assert_close(gy, 0.0)
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Expected allow_unused to be True or not passed when materialize_grads=True, but "
            "got: allow_unused=False."
        ),
    ):
        grad(x * 2, (x, y), allow_unused=False, materialize_grads=True)


def test_grad_with_respect_to_a_non_leaf_does_not_run_or_free_its_history():
    a = _x([1.0, 2.0])
    h = a * 3  # MulBackward0, saves nothing needed by grad(y, h)
    e = h.exp()
    y = (e * 2).sum()
    (gh,) = grad(y, h)
    assert_close(gh, 2 * np.exp([3.0, 6.0]))
    # grad(y, h) stopped at h: e's node (behind y) ran, h's own node did not; h's graph is
    # intact and can still be differentiated.
    (ga,) = grad(h.sum(), a)
    assert_close(ga, [3.0, 3.0])


def test_grad_requires_differentiated_tensors_to_require_grad():
    x = _x(1.0)
    c = _x(1.0, requires_grad=False)
    with pytest.raises(
        RuntimeError, match=re.escape("One of the differentiated Tensors does not require grad")
    ):
        grad(x * c, c)


def test_retain_graph_needed_for_second_pass():
    x = _x(2.0)
    y = x.exp() * x
    grad(y, x, retain_graph=True)
    (g,) = grad(y, x)
    assert_close(g, np.exp(2.0) * 3)
    with pytest.raises(RuntimeError, match=re.escape("Trying to backward through the graph")):
        grad(y, x)


def test_grad_outputs_shape_mismatch():
    x = _x([1.0, 2.0])
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has "
            "a shape of torch.Size([2])."
        ),
    ):
        grad(x * 2, x, ndgrad.ones(3, dtype=ndgrad.float64))


# --- backward(inputs=...) ----------------------------------------------------------------------


def test_backward_inputs_restricts_accumulation():
    x, y = _x([1.0, 2.0]), _x([3.0, 4.0])
    loss = (x * y).sum()
    loss.backward(inputs=[x], retain_graph=True)
    assert_close(x.grad, [3.0, 4.0])
    assert y.grad is None
    backward(loss, inputs=[y])
    assert_close(y.grad, [1.0, 2.0])
    assert_close(x.grad, [3.0, 4.0])  # untouched by the second pass


def test_backward_inputs_non_leaf_gets_grad():
    x = _x([1.0, 2.0])
    h = x * 2
    (h * h).sum().backward(inputs=[h])
    assert_close(h.grad, [4.0, 8.0])
    assert x.grad is None


def test_backward_inputs_empty_raises():
    x = _x(1.0)
    with pytest.raises(
        RuntimeError, match=re.escape("`inputs` argument to `backward()` cannot be empty.")
    ):
        (x * 2).backward(inputs=[])


@requires_torch
def test_backward_inputs_matches_torch():
    a0, b0 = np.array([0.5, -1.0]), np.array([2.0, 0.25])

    def run(lib, mk):
        a, b = mk(a0), mk(b0)
        c = a * b
        (c.exp() * a).sum().backward(inputs=[a, c])
        return a.grad, c.grad, b.grad

    ours = run(ndgrad, lambda v: ndgrad.tensor(v, requires_grad=True))
    theirs = run(torch, lambda v: torch.tensor(v, requires_grad=True))
    assert ours[2] is None and theirs[2] is None
    assert_close(ours[:2], theirs[:2])


def test_create_graph_backward_accumulates_differentiable_grad():
    x = _x(3.0)
    (x**3).backward(create_graph=True)
    assert x.grad.requires_grad
    assert_close(x.grad, 27.0)
    g = x.grad
    x.grad = None
    g.backward()
    assert_close(x.grad, 18.0)


# --- batched gradients -------------------------------------------------------------------------


def test_is_grads_batched_matches_loop():
    rng = np.random.default_rng(1)
    x = _x(rng.standard_normal((3, 2)))
    w = _x(rng.standard_normal((4, 3)))
    y = (w @ x).tanh().transpose(0, 1).reshape(8) * 2 + x.sum()
    vs = rng.standard_normal((5, 8))
    gx, gw = grad(y, (x, w), ndgrad.tensor(vs), retain_graph=True, is_grads_batched=True)
    assert gx.shape == (5, 3, 2) and gw.shape == (5, 4, 3)
    for k in range(5):
        ex, ew = grad(y, (x, w), ndgrad.tensor(vs[k]), retain_graph=True)
        assert_close(gx.unbind(0)[k], ex)
        assert_close(gw.unbind(0)[k], ew)


@requires_torch
def test_is_grads_batched_create_graph_matches_torch():
    x0 = np.array([0.3, -0.4, 1.2])
    vs = np.eye(3)

    def run(lib, mk):
        x = mk(x0)
        y = (x.exp() * x).sum(0, keepdim=True).expand(3) * x
        (g,) = lib.autograd.grad(y, x, mk(vs, False), create_graph=True, is_grads_batched=True)
        (h,) = lib.autograd.grad(g.sum(), x)
        return g, h

    ours = run(ndgrad, lambda v, rg=True: ndgrad.tensor(v, requires_grad=rg))
    theirs = run(torch, lambda v, rg=True: torch.tensor(v, requires_grad=rg))
    assert_close(ours, theirs, rtol=1e-10)


def test_is_grads_batched_falls_back_for_custom_function():
    class Cube(ndgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x

    x = _x([1.0, 2.0])
    (g,) = grad(Cube.apply(x), x, ndgrad.tensor(np.eye(2)), is_grads_batched=True)
    assert_close(g, np.diag([3.0, 12.0]))


def test_is_grads_batched_shape_mismatch():
    x = _x([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match=re.escape("If `is_grads_batched=True`, we interpret")):
        grad(x * 2, x, ndgrad.ones(4, 2, dtype=ndgrad.float64), is_grads_batched=True)


def _counting_cube(**attrs):
    calls = []

    def backward(ctx, g):
        calls.append(g.shape)
        (x,) = ctx.saved_tensors
        return g * 3 * x * x

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    body = {"forward": staticmethod(forward), "backward": staticmethod(backward), **attrs}
    return type("Cube", (ndgrad.autograd.Function,), body), calls


@pytest.mark.parametrize("mode", ["fallback", "batch_safe", "batched_backward"])
def test_batched_backward_opt_in(mode):
    attrs = {}
    if mode == "batch_safe":
        attrs["batch_safe"] = True
    elif mode == "batched_backward":

        def batched(ctx, g):
            (x,) = ctx.saved_tensors
            return g * (3 * x * x)

        attrs["batched_backward"] = staticmethod(batched)
    cube, calls = _counting_cube(**attrs)
    x = _x([1.0, 2.0, 3.0])
    (g,) = grad(cube.apply(x), x, ndgrad.tensor(np.eye(3)), is_grads_batched=True)
    assert_close(g, np.diag([3.0, 12.0, 27.0]))
    expected = {"fallback": [(3,)] * 3, "batch_safe": [(3, 3)], "batched_backward": []}
    assert calls == expected[mode]


# --- which gradients a backward computes: PyTorch's task_should_compute_output ------------------


def _x_and_q() -> tuple[ndgrad.Tensor, ndgrad.Tensor]:
    x = ndgrad.tensor([2.5, 4.0], dtype=ndgrad.float64, requires_grad=True)
    return x, ndgrad.tensor([1.5, 0.7], dtype=ndgrad.float64, requires_grad=True)


def test_grad_of_one_input_skips_a_derivative_that_does_not_exist() -> None:
    """zeta and igamma have no derivative in their first argument: asking only for the second
    one's gradient works (in PyTorch too); a backward that needs the first still raises."""
    for op, message in (
        (ndgrad.special.zeta, "the derivative for 'zeta' is not implemented."),
        (ndgrad.igamma, "the derivative for 'igamma: input' is not implemented."),
    ):
        x, q = _x_and_q()
        (gq,) = ndgrad.autograd.grad(op(x, q).sum(), [q])
        q2 = q.detach().requires_grad_()
        (expected,) = ndgrad.autograd.grad(op(x.detach(), q2).sum(), [q2])
        assert gq.tolist() == expected.tolist()
        op(x, q).sum().backward(inputs=[q])
        assert q.grad.tolist() == expected.tolist() and x.grad is None
        with pytest.raises(NotImplementedError, match=re.escape(message)):
            op(x, q).sum().backward()
        y = op(x, q).sum()
        with pytest.raises(NotImplementedError, match=re.escape(message)):
            ndgrad.autograd.grad(y, [x, q])
        # the narrowing lasts one backward: the node's needs_input_grad is its forward's again
        y = op(x, q)
        before = y.grad_fn.needs_input_grad
        assert before[:2] == (True, True)
        ndgrad.autograd.grad(y.sum(), [q], retain_graph=True)
        assert y.grad_fn.needs_input_grad == before


def test_a_users_function_keeps_needs_input_grad_of_its_forward() -> None:
    seen = []

    class Both(ndgrad.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):  # type: ignore[no-untyped-def]
            return a * b

        @staticmethod
        def backward(ctx, g):  # type: ignore[no-untyped-def]
            seen.append(tuple(ctx.needs_input_grad))
            return g, g

    x, q = _x_and_q()
    ndgrad.autograd.grad(Both.apply(x, q).sum(), [q])
    assert seen == [(True, True)]  # as PyTorch's ctx.needs_input_grad


@requires_torch
def test_grad_of_one_input_matches_torch() -> None:
    x, q = _x_and_q()
    ours = ndgrad.autograd.grad(ndgrad.special.zeta(x, q).sum(), [q])[0].tolist()
    xt = torch.tensor([2.5, 4.0], dtype=torch.float64, requires_grad=True)
    qt = torch.tensor([1.5, 0.7], dtype=torch.float64, requires_grad=True)
    theirs = torch.autograd.grad(torch.special.zeta(xt, qt).sum(), [qt])[0].tolist()
    assert ours == pytest.approx(theirs, rel=1e-14)
