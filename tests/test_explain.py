"""ndgrad.autograd.explain: each reason for a missing or zero gradient, and where it happens."""

from __future__ import annotations

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import Function, explain, record_inputs
from ndgrad.autograd.explain import CAUSES


def _w():
    return ndgrad.tensor([0.5, -1.5, 2.0], requires_grad=True)


def test_integer_dtype():
    n = ndgrad.tensor([1, 2, 3])
    w = _w()
    r = explain((w * n).sum(), n)
    assert r.cause == "integer_dtype"
    assert "torch.int64" in r.message and "floating point" in r.message


def test_input_does_not_require_grad():
    c = ndgrad.tensor([1.0, 2.0, 3.0])
    w = _w()
    r = explain((w * c).sum(), c)
    assert r.cause == "requires_grad_false"
    assert "requires_grad=True" in str(r)


def test_created_under_no_grad_names_the_line():
    w = _w()
    with record_inputs():
        with ndgrad.no_grad():
            h = w * 2  # the line explain should point at
        loss = (h * w).sum()
    r = explain(loss, h)
    assert r.cause == "no_grad"
    assert r.site is not None and "h = w * 2" in r.site.line
    assert "Mul" in r.message
    # the tensor computed from h inherits the marker
    with record_inputs():
        with ndgrad.no_grad():
            h2 = w.tanh()
        h3 = h2 + 1
    assert explain((h3 * w).sum(), h3).cause == "no_grad"


def test_graph_using_a_no_grad_tensor_does_not_reach_the_leaf():
    w = _w()
    v = ndgrad.ones(3, requires_grad=True)
    with record_inputs():
        with ndgrad.no_grad():
            h = w.exp()
        loss = (h * v).sum()
    r = explain(loss, w)
    assert r.cause == "no_grad"
    assert r.node == "MulBackward0"
    assert "h = w.exp()" in r.site.line


def test_detached_input_and_data_alias():
    w = _w()
    loss = (w * w).sum()
    r = explain(loss, w.detach())
    assert r.cause == "detached" and ".detach()" in r.message
    r = explain(loss, w.data)
    assert r.cause == "detached" and ".data" in r.message


def test_graph_uses_a_detached_alias_of_the_input():
    w = _w()
    v = ndgrad.ones(3, requires_grad=True)
    loss = (w.detach() * v).sum()
    r = explain(loss, w)
    assert r.cause == "detached"
    assert r.node == "MulBackward0"
    assert r.path == ["SumBackward0", "MulBackward0"]


def test_not_connected():
    w, u = _w(), _w()
    r = explain((w * 2).sum(), u)
    assert r.cause == "not_connected"
    assert "not connected" in r.message


def test_output_not_in_graph():
    w = _w()
    with ndgrad.no_grad():
        loss = (w * 2).sum()
    assert explain(loss, w).cause == "output_not_in_graph"


def test_non_leaf_without_retain_grad():
    w = _w()
    h = w * 2
    loss = h.tanh().sum()
    r = explain(loss, h)
    assert r.cause == "non_leaf"
    assert "retain_grad()" in r.hint
    assert r.path == ["SumBackward0", "TanhBackward0", "MulBackward0"]
    h.retain_grad()
    assert explain(loss, h).cause == "ok"


def test_zero_gradient_through_relu_with_path_and_site():
    w = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    with record_inputs():
        h = (w * -1.0).relu()  # every element negative: a dead relu
        loss = (h * 3).sum()
    r = explain(loss, w)
    assert r.cause == "zero_gradient"
    assert r.node == "ReluBackward0"
    assert r.path == [
        "SumBackward0",
        "MulBackward0",
        "ReluBackward0",
        "MulBackward0",
        "AccumulateGrad",
    ]
    assert "h = (w * -1.0).relu()" in r.site.line
    assert "dead" in r.hint
    text = str(r)
    assert "ReluBackward0" in text and "path (output -> input)" in text
    assert w.grad is None  # explain writes no .grad


def test_zero_gradient_through_sign_piecewise_constant():
    w = _w()
    loss = (w.sign() * w.detach()).sum()
    r = explain(loss, w)
    assert r.cause == "zero_gradient" and r.node == "SignBackward0"
    assert "piecewise constant" in r.hint


def test_zero_gradient_through_clamp_when_available():
    if not hasattr(ndgrad, "clamp"):
        pytest.skip("clamp is not on this branch")
    w = _w()
    r = explain(ndgrad.clamp(w, 5.0, 6.0).sum(), w)
    assert r.cause == "zero_gradient" and r.node.startswith("Clamp")


class Floor(Function):
    @staticmethod
    def forward(ctx, x):
        return ndgrad.tensor(np.floor(x.detach().numpy()))

    @staticmethod
    def backward(ctx, g):
        return g * 0


class Opaque(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return None


def test_zero_gradient_through_a_custom_floor():
    w = _w()
    loss = Floor.apply(w * 1.5).tanh().sum()
    r = explain(loss, w)
    assert r.cause == "zero_gradient" and r.node == "FloorBackward"
    assert "straight-through" in r.hint


def test_none_gradient_from_a_function_that_returns_none():
    w = _w()
    r = explain(Opaque.apply(w).sum(), w)
    assert r.cause == "none_gradient" and r.node == "OpaqueBackward"
    assert "returns None" in r.message


def test_zero_gradient_given_to_backward():
    w = _w()
    r = explain(w * 2, w, gradient=ndgrad.zeros(3))
    assert r.cause == "zero_gradient" and r.node is None


def test_ok_and_partly_zero():
    w = _w()
    r = explain(w.relu().sum(), w)
    assert r.cause == "ok"
    assert "1 of 3 elements are zero" in r.message


def test_graph_freed_after_backward():
    w = _w()
    loss = w.tanh().sum()
    loss.backward()
    r = explain(loss, w)
    assert r.cause == "graph_freed"
    assert "retain_graph=True" in r.hint


def test_non_scalar_output_uses_ones():
    w = _w()
    assert explain(w * 2, w).cause == "ok"


def test_every_cause_is_listed_and_bad_arguments():
    assert len(set(CAUSES)) == len(CAUSES) == 11
    with pytest.raises(TypeError, match="two Tensors"):
        explain(_w().sum(), [1.0])


def test_data_alias_found_through_recorded_inputs():
    w = _w()
    v = ndgrad.ones(3, requires_grad=True)
    loss = (w.data + v).sum()  # Add saves nothing: without record mode, just not connected
    assert explain(loss, w).cause == "not_connected"
    with record_inputs():
        loss = (w.data + v).sum()
    r = explain(loss, w)
    assert r.cause == "detached" and r.node == "AddBackward0"
    assert ".data" in r.message


def test_every_cut_path_is_named_detach_and_multiplied_by_zero():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    with record_inputs():
        a = (x.detach() * 3).sum()  # the detach
        b = (x * 0).sum()  # the zero
        z = a + b
    r = explain(z, x)
    assert r.causes == ["zero_gradient", "detached"]
    assert r.node == "MulBackward0" and "(x * 0).sum()" in r.site.line
    (detached,) = r.also
    assert detached.node == "AddBackward0" and "x.detach() * 3" in detached.site.line
    text = str(r)
    assert text.startswith("2 causes, one per cut path:")
    assert "also [detached] AddBackward0 uses a value computed from input.detach()" in text


def test_every_blocking_node_is_named():
    w = ndgrad.tensor([-1.0, -2.0], requires_grad=True)
    with record_inputs():
        z = w.relu().sum() + (w * 0).sum()
    r = explain(z, w)
    assert r.causes == ["zero_gradient", "zero_gradient"]
    assert {r.node, r.also[0].node} == {"ReluBackward0", "MulBackward0"}
    assert "along this path either" in r.also[0].message


def test_a_single_cause_has_no_also():
    w = _w()
    v = ndgrad.ones(3, requires_grad=True)
    r = explain((w.detach() * v).sum(), w)
    assert r.causes == ["detached"] and r.also == [] and "causes" not in str(r)


def test_only_a_detached_path_names_the_detach_line():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    y = ndgrad.ones(2, requires_grad=True)
    with record_inputs():
        z = (x.detach() * 3).sum() + y.sum()  # here
    r = explain(z, x)
    assert r.cause == "detached" and "x.detach() * 3" in r.site.line


def test_record_inputs_restores_detach():
    detach = ndgrad.Tensor.detach
    with record_inputs():
        assert ndgrad.Tensor.detach is not detach
    assert ndgrad.Tensor.detach is detach


def test_explain_and_explain_nan_write_no_retained_grad():
    from ndgrad.autograd import explain_nan

    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.retain_grad()
    loss = h.sum()
    explain_nan(loss)
    explain(loss, x)
    assert h.grad is None and x.grad is None
    loss.backward()
    assert h.grad.tolist() == [1.0, 1.0]  # once, from the user's own backward
