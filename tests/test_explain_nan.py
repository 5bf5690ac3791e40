"""ndgrad.autograd.explain_nan: the first node making a non-finite gradient; the where trap."""

from __future__ import annotations

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import explain_nan, record_inputs


def test_where_mask_pattern_with_sqrt_is_detected_and_fixed():
    x = ndgrad.tensor([0.0, 1.0, 4.0], requires_grad=True)
    with record_inputs():
        y = ndgrad.where(x > 0, x.sqrt(), ndgrad.zeros(3))
    r = explain_nan(y.sum())
    assert r.cause == "where_mask"
    assert r.node == "SqrtBackward0"
    assert r.path == ["SumBackward0", "WhereBackward0", "SqrtBackward0"]
    assert "x.sqrt()" in r.site.line
    assert "x_safe = torch.where(mask, x, 1.0)" in r.hint.splitlines()[1]
    assert x.grad is None  # explain_nan writes no .grad
    # the suggested fix removes the NaN, and so the report says so
    safe = ndgrad.where(x > 0, x, ndgrad.ones(3))
    y = ndgrad.where(x > 0, safe.sqrt(), ndgrad.zeros(3))
    fixed = explain_nan(y.sum())
    assert fixed.cause == "finite" and fixed.ok
    y.sum().backward()
    assert np.all(np.isfinite(x.grad.numpy()))


def test_where_mask_pattern_with_log_through_elementwise_steps():
    x = ndgrad.tensor([0.0, 2.0], requires_grad=True)
    with np.errstate(divide="ignore"):
        branch = (x.log() * 2).tanh()
    y = ndgrad.where(x > 0, branch, ndgrad.zeros(2))
    r = explain_nan(y.sum())
    assert r.cause == "where_mask" and r.node == "LogBackward0"


def test_a_plain_singular_point_is_a_node_cause():
    x = ndgrad.tensor([0.0, 1.0], requires_grad=True)
    y = (x.sqrt() * ndgrad.tensor([1.0, 1.0])).sum()
    r = explain_nan(y)
    assert r.cause == "node" and r.node == "SqrtBackward0"
    assert not r.ok
    assert "SqrtBackward0" in str(r)
    # the tracer is kept: the record of the node shows an infinite outgoing gradient
    (rec,) = [t for t in r.trace.records if t.op == "SqrtBackward0"]
    assert rec.out.inf == 1


def test_forward_already_not_finite():
    x = ndgrad.tensor([-1.0], requires_grad=True)
    with np.errstate(invalid="ignore"):
        y = x.sqrt().sum()
    assert explain_nan(y).cause == "forward"


def test_nan_gradient_given_to_backward():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    r = explain_nan(x * 2, gradient=ndgrad.tensor([float("nan"), 1.0]))
    assert r.cause == "root"


def test_finite_everywhere_and_bad_output():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    assert explain_nan((x * x).sum()).cause == "finite"
    with pytest.raises(RuntimeError, match="does not require grad"):
        explain_nan(ndgrad.ones(2).sum())


def test_where_that_selects_the_singular_point_is_not_the_mask_pattern():
    x = ndgrad.tensor([0.0, 1.0, 4.0], requires_grad=True)
    y = ndgrad.where(x >= 0, x.sqrt(), ndgrad.zeros(3))  # sqrt(0) is selected: inf, not 0 * inf
    r = explain_nan(y.sum())
    assert r.cause == "node" and r.node == "SqrtBackward0"
    assert "(0 NaN and 1 inf elements" in r.message
