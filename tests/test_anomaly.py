"""Anomaly mode: NaN detection in backward and the forward traceback of the failing node."""

from __future__ import annotations

import os
import re
import warnings

import numpy as np
import pytest

import ndgrad
from ndgrad import is_anomaly_check_nan_enabled, is_anomaly_enabled  # torch.is_anomaly_...
from ndgrad.autograd import Function, detect_anomaly, set_detect_anomaly
from tests.helpers import requires_torch, torch

ENABLED = "Anomaly Detection has been enabled."


def _nan_graph():
    x = ndgrad.tensor([0.0, 1.0], dtype=ndgrad.float64, requires_grad=True)
    y = x.sqrt()  # the line the traceback must point at
    return x, (y * ndgrad.tensor([0.0, 1.0], dtype=ndgrad.float64)).sum()


def test_detect_anomaly_raises_on_nan_and_warns_forward_trace():
    with pytest.warns(UserWarning, match=re.escape(ENABLED)), detect_anomaly():
        assert is_anomaly_enabled()
        _, loss = _nan_graph()
        with (
            pytest.raises(
                RuntimeError,
                match=re.escape("Function 'SqrtBackward0' returned nan values in its 0th output."),
            ),
            pytest.warns(UserWarning) as record,
        ):
            loss.backward()
    assert not is_anomaly_enabled()
    message = str(record[-1].message)
    assert message.startswith(
        "Error detected in SqrtBackward0. Traceback of forward call that caused the error:\n"
    )
    assert "y = x.sqrt()  # the line the traceback must point at" in message
    assert "in _nan_graph" in message


def test_without_anomaly_mode_nan_passes_silently():
    x, loss = _nan_graph()
    loss.backward()
    assert np.isnan(x.grad.numpy()[0])


def test_set_detect_anomaly_switches_and_restores():
    assert not is_anomaly_enabled()
    set_detect_anomaly(True)
    try:
        assert is_anomaly_enabled() and is_anomaly_check_nan_enabled()
        _, loss = _nan_graph()
        with (
            pytest.raises(RuntimeError, match=re.escape("returned nan values")),
            pytest.warns(UserWarning, match="Error detected in SqrtBackward0"),
        ):
            loss.backward()
    finally:
        set_detect_anomaly(False)
    assert not is_anomaly_enabled()
    with set_detect_anomaly(True, check_nan=False):
        assert is_anomaly_enabled() and not is_anomaly_check_nan_enabled()
        _, loss = _nan_graph()
        loss.backward()  # check_nan=False: no error
    assert not is_anomaly_enabled() and is_anomaly_check_nan_enabled()


def test_detect_anomaly_as_decorator():
    with pytest.warns(UserWarning, match=re.escape(ENABLED)):

        @detect_anomaly()
        def inside():
            return is_anomaly_enabled()

    assert inside() is True
    assert not is_anomaly_enabled()


def test_error_in_custom_backward_warns_with_forward_trace():
    class Broken(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            raise ValueError("broken backward")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mode = detect_anomaly()
    with mode:
        x = ndgrad.ones(2, requires_grad=True)
        y = Broken.apply(x)  # forward of the broken node
        with (
            pytest.raises(ValueError, match="broken backward"),
            pytest.warns(UserWarning, match="Error detected in BrokenBackward") as record,
        ):
            y.sum().backward()
    assert "y = Broken.apply(x)  # forward of the broken node" in str(record[-1].message)


def test_node_created_outside_anomaly_mode_has_no_trace():
    _, loss = _nan_graph()
    with (
        set_detect_anomaly(True),
        pytest.raises(RuntimeError, match="returned nan values"),
        pytest.warns(UserWarning, match="No forward pass information available"),
    ):
        loss.backward()


def test_anomaly_mode_in_batched_backward():
    with set_detect_anomaly(True):
        x = ndgrad.tensor([0.0, 1.0], dtype=ndgrad.float64, requires_grad=True)
        y = x.sqrt()
        with (
            pytest.raises(RuntimeError, match="'SqrtBackward0' returned nan values"),
            pytest.warns(UserWarning, match="Error detected in SqrtBackward0"),
        ):
            ndgrad.autograd.grad(
                y, x, ndgrad.tensor(np.eye(2), dtype=ndgrad.float64), is_grads_batched=True
            )


@requires_torch
def test_nan_message_matches_torch():
    messages = []
    for lib in (ndgrad, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with lib.autograd.detect_anomaly():
                x = lib.tensor([0.0, 4.0], dtype=lib.float64, requires_grad=True)
                y = (x.log() * lib.tensor([0.0, 1.0], dtype=lib.float64)).sum()
                with pytest.raises(RuntimeError) as info:
                    y.backward()
        messages.append(str(info.value))
    # PyTorch's message, word for word; ndgrad may add a sentence that diagnoses 0 * inf.
    assert messages[0].startswith(messages[1])


def test_nan_from_a_masked_branch_gets_the_zero_times_inf_hint():
    x = ndgrad.tensor([0.0, 4.0], dtype=ndgrad.float64, requires_grad=True)
    y = ndgrad.where(x > 0, x.sqrt(), ndgrad.zeros(2, dtype=ndgrad.float64))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the "enabled" notice and the forward traceback
        with detect_anomaly(), pytest.raises(RuntimeError) as info:
            y.sum().backward()
    message = str(info.value)
    assert message.startswith("Function 'SqrtBackward0' returned nan values in its 0th output.")
    assert "this is 0 * inf" in message and "where(mask, x, 1.0).sqrt()" in message


def test_nan_from_a_nan_input_gets_no_hint():
    x = ndgrad.tensor([float("nan"), 4.0], dtype=ndgrad.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with detect_anomaly(), pytest.raises(RuntimeError) as info:
            (x * x).sum().backward()  # d(x²)/dx = 2x is nan where x is
    assert "returned nan values" in str(info.value) and "0 * inf" not in str(info.value)


def test_forward_trace_ends_at_the_user_line_and_the_warning_points_at_backward():
    import ndgrad.nn as nn

    class Model(nn.Module):
        def forward(self, x):
            return x.sqrt()  # the op's line

    with pytest.warns(UserWarning, match=re.escape(ENABLED)), detect_anomaly():
        x = ndgrad.tensor([0.0, 1.0], requires_grad=True)
        loss = ndgrad.where(x > 0, Model()(x), ndgrad.zeros(2)).sum()
        with pytest.raises(RuntimeError), pytest.warns(UserWarning) as record:
            loss.backward()  # the backward's line
    warning = record[-1]
    trace = str(warning.message).splitlines()[1:]
    files = [line.split('"')[1] for line in trace if line.startswith("  File ")]
    assert files[-1] == __file__
    assert trace[-1].strip() == "return x.sqrt()  # the op's line"
    assert not any(f"ndgrad{os.sep}ops" in f or f"ndgrad{os.sep}autograd" in f for f in files)
    assert any(f"ndgrad{os.sep}nn{os.sep}module.py" in f for f in files)  # as torch.nn shows
    assert warning.filename == __file__
