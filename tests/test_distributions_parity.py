"""Mismatches with torch.distributions found by a differential run (random parameter shapes,
float32 and float64, boundary values, gradients, validation errors): each test pins one of them,
by hand where the expected value is simple and against PyTorch where it is installed."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import assert_close, requires_torch, torch


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
