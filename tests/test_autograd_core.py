"""The autograd attributes and backward() of the foundation, with PyTorch's messages."""

from __future__ import annotations

import re

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import grad, gradcheck, gradgradcheck
from ndgrad.autograd.gradcheck import GradcheckError

from .helpers import assert_close, requires_torch, torch


def test_leaf_and_grad_fn() -> None:
    x = ndgrad.ones(2, requires_grad=True)
    y = x + 2
    assert x.is_leaf and not y.is_leaf and x.grad_fn is None
    assert type(y.grad_fn).__name__ == "AddBackward0" and y.grad_fn.name() == "AddBackward0"
    (acc, nr), number = y.grad_fn.next_functions  # PyTorch lists the 2 as (None, 0)
    assert number == (None, 0)
    assert type(acc).__name__ == "AccumulateGrad" and nr == 0 and acc.variable is x
    z = y * x
    assert z.grad_fn.next_functions[0][0] is y.grad_fn
    assert z.grad_fn.next_functions[1][0] is acc  # one AccumulateGrad per leaf
    assert ndgrad.ones(2).is_leaf and not ndgrad.ones(2).requires_grad


@requires_torch
def test_node_names_match_torch() -> None:
    cases = {
        "add": lambda t, x: x + 2,
        "sub": lambda t, x: x - 1,
        "mul": lambda t, x: x * 3,
        "div": lambda t, x: x / 2,
        "rdiv": lambda t, x: 2 / x,
        "neg": lambda t, x: -x,
        "pow": lambda t, x: x**2,
        "powt": lambda t, x: x**x,
        "rpow": lambda t, x: 2**x,
        "exp": lambda t, x: x.exp(),
        "log": lambda t, x: x.log(),
        "sqrt": lambda t, x: x.sqrt(),
        "tanh": lambda t, x: x.tanh(),
        "sigmoid": lambda t, x: x.sigmoid(),
        "relu": lambda t, x: x.relu(),
        "abs": lambda t, x: x.abs(),
        "sum": lambda t, x: x.sum(),
        "sumdim": lambda t, x: x.sum(0),
        "mean": lambda t, x: x.mean(),
        "meandim": lambda t, x: x.mean(-1),
        "view": lambda t, x: x.view(2, 2),
        "reshape": lambda t, x: x.reshape(4, 1),
        "dot": lambda t, x: x @ x,
        "mm": lambda t, x: x.view(2, 2) @ x.view(2, 2),
        "mv": lambda t, x: x.view(2, 2) @ x.view(2, 2).sum(0),
        "expand": lambda t, x: x.expand(3, 4),
        "to": lambda t, x: x.double(),
        "clone": lambda t, x: x.clone(),
        "unsqueeze": lambda t, x: x.unsqueeze(0),
        "transpose": lambda t, x: x.view(2, 2).transpose(0, 1),
        "where": lambda t, x: t.where(x > 2, x, x * 2),
    }
    for name, f in cases.items():
        x = ndgrad.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        xt = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        assert f(ndgrad, x).grad_fn.name() == f(torch, xt).grad_fn.name(), name


def test_backward_scalar_and_accumulation() -> None:
    x = ndgrad.ones(2, 2, requires_grad=True)
    out = ((x + 2) * (x + 2) * 3).mean()
    out.backward()
    assert_close(x.grad, np.full((2, 2), 4.5))
    x.sum().backward()
    assert_close(x.grad, np.full((2, 2), 5.5))
    x.grad.data.zero_()
    x.sum().backward()
    assert_close(x.grad, np.ones((2, 2)))


def test_backward_vector_jacobian_product() -> None:
    x = ndgrad.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    z = (2 * x).view(2, 2)
    v = ndgrad.tensor([[1.0, 0.1], [0.01, 0.001]])
    z.backward(v)
    assert_close(x.grad, [2.0, 0.2, 0.02, 0.002], rtol=1e-6)
    x2 = ndgrad.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    ((2 * x2).view(2, 2) * v).sum().backward()
    assert_close(x.grad, x2.grad)


def test_backward_errors() -> None:
    x = ndgrad.ones(2, requires_grad=True)
    with pytest.raises(
        RuntimeError, match="^grad can be implicitly created only for scalar outputs$"
    ):
        (x * 2).backward()
    msg = (
        "Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has a "
        "shape of torch.Size([2])."
    )
    with pytest.raises(RuntimeError, match=re.escape(msg)):
        (x * 2).backward(ndgrad.ones(3))
    with pytest.raises(
        RuntimeError,
        match="^element 0 of tensors does not require grad and does not have a grad_fn$",
    ):
        ndgrad.ones(2).sum().backward()
    y = x * x
    y.sum().backward()
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "Trying to backward through the graph a "
            "second time (or directly access saved tensors after they have already "
            "been freed)."
        ),
    ):
        y.sum().backward()


def test_retain_graph_allows_second_backward() -> None:
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert_close(x.grad, [4.0, 8.0])


def test_graph_without_saved_values_can_run_twice() -> None:
    x = ndgrad.ones(2, requires_grad=True)
    y = (x + 1).sum()
    y.backward()
    y.backward()  # as in PyTorch: AddBackward saves nothing, so nothing was freed
    assert_close(x.grad, [2.0, 2.0])


def test_requires_grad_rules() -> None:
    x = ndgrad.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf "):
        (x * 2).requires_grad = False
    with pytest.raises(RuntimeError, match="^only Tensors of floating point dtype can require"):
        ndgrad.ones(2, dtype=ndgrad.long).requires_grad_()
    with pytest.raises(RuntimeError, match="^Only Tensors of floating point and complex dtype "):
        ndgrad.ones(2, dtype=ndgrad.long, requires_grad=True)
    a = ndgrad.randn(2, 2)
    a = (a * 3) / (a - 1)
    assert not a.requires_grad
    a.requires_grad_(True)
    assert a.requires_grad and (a * a).sum().grad_fn.name() == "SumBackward0"


def test_scalar_and_bool_conversion_errors() -> None:
    x = ndgrad.ones(2)
    with pytest.raises(
        RuntimeError, match="^a Tensor with 2 elements cannot be converted to Scalar$"
    ):
        x.item()
    with pytest.raises(
        RuntimeError, match="^Boolean value of Tensor with more than one value is ambiguous$"
    ):
        bool(x)


def test_detach_data_and_versions() -> None:
    x = ndgrad.ones(1, requires_grad=True)
    d = x.data
    assert not d.requires_grad and d.is_leaf
    y = 2 * x
    x.data *= 100
    y.backward()
    assert x.tolist() == [100.0] and x.grad.tolist() == [2.0]
    z = ndgrad.ones(2, requires_grad=True)
    det = z.detach()
    assert not det.requires_grad
    det.numpy()[0] = 5  # shared storage
    assert z.tolist()[0] == 5
    v = z._version
    det.zero_()
    assert z._version == v + 1  # detach shares the version counter; .data does not
    w = z.data
    w.zero_()
    assert z._version == v + 1
    t = z * 2
    t.detach_()
    assert t.is_leaf and not t.requires_grad


def test_non_leaf_grad_warns_and_retain_grad() -> None:
    x = ndgrad.ones(2, requires_grad=True)
    y = x * 2
    with pytest.warns(UserWarning, match="The .grad attribute of a Tensor that is not a leaf"):
        assert y.grad is None
    y.retain_grad()
    assert y.retains_grad
    (y * y).sum().backward()
    assert_close(y.grad, [4.0, 4.0])
    assert_close(x.grad, [8.0, 8.0])


def test_register_hook_replaces_grad() -> None:
    x = ndgrad.ones(2, requires_grad=True)
    seen = []
    h = x.register_hook(lambda g: seen.append(g.tolist()))
    y = x * 3
    y.register_hook(lambda g: g * 10)
    y.sum().backward()
    assert seen == [[30.0, 30.0]] and x.grad.tolist() == [30.0, 30.0]
    h.remove()
    (x * 1).sum().backward()
    assert len(seen) == 1


def test_higher_order_gradients() -> None:
    x = ndgrad.tensor(2.0, requires_grad=True)
    y = x**4 + x.exp()
    (g1,) = grad(y, x, create_graph=True)
    (g2,) = grad(g1, x, create_graph=True)
    (g3,) = grad(g2, x)
    e = np.exp(2.0)
    assert_close(g1, 4 * 8 + e, rtol=1e-6)
    assert_close(g2, 12 * 4 + e, rtol=1e-6)
    assert_close(g3, 24 * 2 + e, rtol=1e-6)


def test_create_graph_backward_accumulates_differentiable_grad() -> None:
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    g = x.grad
    x.grad = None
    g.sum().backward()
    assert_close(x.grad, [6.0, 12.0])


def test_gradcheck_reports_a_wrong_gradient() -> None:
    class WrongSquare(ndgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x  # should be 2 * g * x

    x = ndgrad.tensor([1.0, 2.0], dtype=ndgrad.float64, requires_grad=True)
    with pytest.raises(
        GradcheckError, match="Jacobian mismatch for output 0 with respect to input 0"
    ):
        gradcheck(WrongSquare.apply, (x,))
    assert gradcheck(WrongSquare.apply, (x,), raise_exception=False) is False
    assert gradgradcheck(lambda t: t * t, (x,))


def test_gradients_reduce_over_broadcast_dims() -> None:
    a = ndgrad.ones(2, 1, requires_grad=True)
    b = ndgrad.ones(1, 3, requires_grad=True)
    c = ndgrad.ones(3, requires_grad=True)
    (a * b + c).sum().backward()
    assert a.grad.tolist() == [[3.0], [3.0]]
    assert b.grad.tolist() == [[2.0, 2.0, 2.0]]
    assert c.grad.tolist() == [2.0, 2.0, 2.0]


def test_mixed_dtypes_keep_each_leafs_dtype() -> None:
    a = ndgrad.ones(2, requires_grad=True)
    b = ndgrad.ones(2, dtype=ndgrad.float64, requires_grad=True)
    c = a * b
    assert c.dtype is ndgrad.float64
    c.sum().backward()
    assert a.grad.dtype is ndgrad.float32 and b.grad.dtype is ndgrad.float64


def test_backward_inputs_restricts_accumulation() -> None:
    a = ndgrad.ones(2, requires_grad=True)
    b = ndgrad.ones(2, requires_grad=True)
    (a * b).sum().backward(inputs=[a])
    assert a.grad is not None and b.grad is None


def test_autograd_grad_allow_unused() -> None:
    a = ndgrad.ones(2, requires_grad=True)
    b = ndgrad.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Tensor at index 1 appears to not have been used"):
        grad(a.sum(), [a, b])
    ga, gb = grad(a.sum(), [a, b], allow_unused=True)
    assert gb is None and ga.tolist() == [1.0, 1.0]
    assert a.grad is None  # grad() returns, it does not accumulate


@requires_torch
def test_tutorial_pipeline_matches_torch() -> None:
    rng = np.random.default_rng(3)
    w = rng.standard_normal((3, 4))
    xs = rng.standard_normal((5, 3))
    x, xt = ndgrad.tensor(xs, requires_grad=True), torch.tensor(xs, requires_grad=True)
    ww, wt = ndgrad.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    for a, b in ((x, ww), (xt, wt)):
        h = (a @ b).tanh()
        loss = (h.sigmoid() * h.relu() + (h * h + 1).sqrt().log() - h.exp() / 3).mean()
        loss.backward()
    assert_close(x.grad, xt.grad, rtol=1e-10)
    assert_close(ww.grad, wt.grad, rtol=1e-10)


# --- .grad without a copy (the engine keeps an array only it holds) -----------------------------
def test_grad_never_aliases_a_gradient_someone_else_holds() -> None:
    a = ndgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = ndgrad.tensor([4.0, 5.0, 6.0], requires_grad=True)
    g = ndgrad.ones(3)
    (a + 0).backward(g)  # the caller's gradient flows through Add unchanged
    assert not np.shares_memory(a.grad.numpy(), g.numpy())
    a.grad = None
    a.backward(g)  # straight into the leaf
    assert not np.shares_memory(a.grad.numpy(), g.numpy())
    a.grad = None
    (a + b).sum().backward()  # one array routed to two leaves
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    a.grad.add_(1.0)
    assert b.grad.tolist() == [1.0, 1.0, 1.0]


def test_grad_kept_without_copy_is_a_fresh_writable_array() -> None:
    w = ndgrad.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    x = ndgrad.tensor(np.ones((2, 3)))
    (x @ w).sum().backward()
    grad = w.grad.numpy()
    assert grad.flags.writeable and grad.flags.c_contiguous
    assert not np.shares_memory(grad, x.numpy()) and not np.shares_memory(grad, w.detach().numpy())
    w.grad.mul_(2.0)  # the user's to modify
    assert w.grad.tolist() == [[4.0] * 4] * 3


def _cpp_node_names(lib):
    """name() of the nodes PyTorch writes in C++, and how a tensor prints its grad_fn."""
    leaf = lib.ones(3, requires_grad=True)
    (leaf * leaf).sum().backward(create_graph=True)  # the .grad copy is recorded
    a = lib.zeros(3, requires_grad=True)
    b = a.clone()
    b[1:] *= 2  # a write through a view
    x = lib.ones(2, requires_grad=True)
    return (
        (x * 2).grad_fn.next_functions[0][0].name(),
        leaf.grad.grad_fn.name(),
        b.grad_fn.name(),
        repr(b).split("grad_fn=")[1],
        (x * 2).grad_fn.name(),
    )


def test_cpp_nodes_are_named_with_their_namespace():
    assert _cpp_node_names(ndgrad) == (
        "torch::autograd::AccumulateGrad",
        "torch::autograd::CopyBackwards",
        "torch::autograd::CopySlices",
        "<CopySlices>)",
        "MulBackward0",
    )


@requires_torch
@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_cpp_node_names_match_pytorch():
    assert _cpp_node_names(ndgrad) == _cpp_node_names(torch)


def _t_second_order_node(lib):
    x = lib.tensor([[1.0, -2.0], [0.5, 3.0], [2.0, 1.0]], dtype=lib.float64, requires_grad=True)
    y = x.t()
    (g,) = lib.autograd.grad((y * y).sum(), [x], create_graph=True)
    return g.grad_fn.name()


def test_t_backward_is_recorded_as_t():
    assert _t_second_order_node(ndgrad) == "TBackward0"  # t()'s backward is t(), as PyTorch's


@requires_torch
def test_t_backward_node_matches_pytorch():
    assert _t_second_order_node(ndgrad) == _t_second_order_node(torch)
