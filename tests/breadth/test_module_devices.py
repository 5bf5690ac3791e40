"""Module.cuda() / .xpu() / .to('cuda') refuse with the same clear error as Tensor.cuda()."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import ndgrad
from ndgrad import nn

_MESSAGE = "ndgrad computes on the CPU only; device '{}' is not available."


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda m: m.cuda(), "cuda"),
        (lambda m: m.cuda(0), "cuda"),
        (lambda m: m.xpu(), "xpu"),
        (lambda m: m.ipu(), "ipu"),
        (lambda m: m.mtia(), "mtia"),
        (lambda m: m.to("cuda"), "cuda"),
        (lambda m: m.to("cuda:1"), "cuda:1"),
        (lambda m: m.to(device="cuda"), "cuda"),
        (lambda m: m.to(ndgrad.device("mps")), "mps"),
        (lambda m: m.to("cuda", ndgrad.float64), "cuda"),
        (lambda m: m.to(device="mps", dtype=ndgrad.float64), "mps"),
    ],
)
def test_module_on_an_accelerator_is_refused_clearly(call: Callable[[Any], Any], name: str) -> None:
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    with pytest.raises(RuntimeError, match=_MESSAGE.format(name)):
        call(model)
    with pytest.raises(RuntimeError, match=_MESSAGE.format("cuda")):
        ndgrad.ones(2).cuda()
    assert model[0].weight.dtype == ndgrad.float32  # nothing was converted


def test_module_to_cpu_still_converts() -> None:
    model = nn.Linear(2, 3)
    assert model.to("cpu") is model and model.cpu() is model
    assert model.to("cpu", ndgrad.float64).weight.dtype == ndgrad.float64
    assert model.to(device="cpu", dtype=ndgrad.float32).weight.dtype == ndgrad.float32
    with pytest.raises(RuntimeError, match="an accelerator's index"):
        model.to(0)
