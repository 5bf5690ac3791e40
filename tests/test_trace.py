"""ndgrad.autograd.trace: per-node records of a backward pass, and the engine hook."""

from __future__ import annotations

import math

import numpy as np

import ndgrad
from ndgrad.autograd import TraceRecord, trace
from ndgrad.autograd.grad_mode import _state


def _model():
    x = ndgrad.tensor([[1.0, -2.0, 0.5]], requires_grad=True)
    w = ndgrad.tensor([[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]], requires_grad=True)
    return x, w, (x @ w).tanh().sum()


def test_records_in_execution_order_with_shapes_and_names():
    x, w, loss = _model()
    with trace(params={"x": x, "w": w}) as t:
        loss.backward()
    assert [r.op for r in t.records] == [
        "SumBackward0",
        "TanhBackward0",
        "MmBackward0",
        "AccumulateGrad",
        "AccumulateGrad",
    ]
    assert all(isinstance(r, TraceRecord) for r in t.records)
    assert [r.index for r in t.records] == list(range(5))
    mm = t.records[2]
    assert mm.input_shapes == [(1, 3), (3, 2)]
    assert mm.output_shapes == [(1, 2)]
    assert t.records[0].output_shapes == [()]
    assert {r.name for r in t.records[3:]} == {"x", "w"}


def test_gradient_statistics_match_the_gradients():
    x, w, loss = _model()
    with trace(params={"x": x, "w": w}) as t:
        loss.backward()
    (acc_w,) = [r for r in t.records if r.name == "w"]
    g = w.grad.numpy()
    assert math.isclose(acc_w.grad_norm, float(np.linalg.norm(g)), rel_tol=1e-6)
    assert math.isclose(acc_w.grad_min, float(g.min()), rel_tol=1e-6)
    assert math.isclose(acc_w.grad_max, float(g.max()), rel_tol=1e-6)
    assert acc_w.grad_nan == acc_w.grad_inf == 0
    assert t.records[0].grad_norm == 1.0  # the implicit gradient of a scalar loss


def test_nan_and_inf_are_counted():
    x = ndgrad.tensor([0.0, 1.0, -1.0], requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"):  # numpy warns in forward
        y = x.log()  # log(0) = -inf, log(-1) = nan; backward: 1/x gives inf at 0
    with trace() as t:
        y.backward(ndgrad.ones(3))
    log_rec, acc = t.records
    assert log_rec.op == "LogBackward0"
    assert log_rec.grad_nan == 0 and log_rec.out.inf == 1
    assert acc.grad_inf == 1 and acc.grad_nan == 0
    assert not acc.grad_finite
    assert acc.grad_max == math.inf


def test_table_has_a_row_per_node_and_str_is_the_table():
    x, w, loss = _model()
    with trace(params={"x": x, "w": w}) as t:
        loss.backward()
    table = t.table()
    lines = table.splitlines()
    assert lines[0].split()[:2] == ["#", "op"]
    assert len(lines) == 2 + len(t.records)
    assert "MmBackward0" in lines[4] and "[1,3] [3,2]" in lines[4]
    assert "AccumulateGrad (w)" in table
    assert str(t) == table
    assert len(t) == 5


def test_tracer_is_removed_on_exit_and_restores_nesting():
    loss = _model()[2]
    assert _state.tracer is None
    with trace() as outer:
        with trace() as inner:
            loss.backward(retain_graph=True)
        assert _state.tracer is outer
        loss.backward()
    assert _state.tracer is None
    assert len(inner) == 5 and len(outer) == 5


def test_no_records_outside_the_block_and_keep_grads():
    loss = _model()[2]
    t = trace(keep_grads=True)
    loss.backward(retain_graph=True)
    assert len(t) == 0
    with t:
        loss.backward()
    tanh = t.records[1]
    assert tanh.grads_in is not None and tanh.grads_out is not None
    np.testing.assert_array_equal(tanh.grads_in[0], np.ones((1, 2), np.float32))
    assert tanh.grads_out[0].shape == (1, 2)


def test_trace_of_autograd_grad_and_create_graph():
    x = ndgrad.tensor([2.0], requires_grad=True)
    y = x * x * x
    with trace() as t:
        (g,) = ndgrad.autograd.grad(y.sum(), x, create_graph=True)
    assert [r.op for r in t.records][:2] == ["SumBackward0", "MulBackward0"]
    assert g.item() == 12.0


def test_a_tracer_records_only_its_own_thread():
    import threading

    _, _, loss = _model()
    _, _, other = _model()
    with trace() as t:
        worker = threading.Thread(target=other.backward)
        worker.start()
        worker.join()
        assert len(t) == 0  # the other thread's backward ran without a tracer
        loss.backward()
    assert len(t) == 5
