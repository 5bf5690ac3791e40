"""nn.Module's API against torch 2.13: registration and lookup errors, state dicts (metadata,
hooks, extra state, load errors), conversions and the containers. Found by a differential run
that built the same module trees under both libraries and compared printed results, values and
exception types and messages; each case below differed before its fix.

The ndgrad-only tests state PyTorch's answers directly; the ``requires_torch`` tests run one
snippet under both libraries and compare what it records line by line."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from tests.helpers import requires_torch, torch

import ndgrad
import ndgrad.nn as nn


def _record(lib: Any, code: str) -> list[str]:
    """Run ``code`` with ``torch``/``nn`` bound to ``lib``; what it passes to ``out`` and the
    warnings it raises, one line each, then the exception that stopped it (type and text)."""
    lines: list[str] = []

    def out(*values: Any) -> None:
        lines.append(" ".join(str(v) for v in values))

    def attempt(fn: Any) -> None:
        try:
            out("ok", fn())
        except Exception as e:  # the type and message are what is compared
            out(type(e).__name__, e)

    env = {"torch": lib, "nn": lib.nn, "out": out, "attempt": attempt, "np": np}
    lib.manual_seed(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(code, env)
        except Exception as e:
            lines.append(f"stopped: {type(e).__name__}: {e}")
    lines.extend(f"warning {w.category.__name__}: {w.message}" for w in caught)
    return lines


def _same_as_torch(code: str) -> None:
    expected = _record(torch, code)
    got = _record(ndgrad, code)
    assert got == expected


def _error(fn: Any) -> tuple[str, str]:
    try:
        fn()
    except Exception as e:
        return type(e).__name__, str(e)
    raise AssertionError("no exception")


# --- names, lookups and assignments --------------------------------------------------------


def test_submodule_name_errors_quote_the_name_and_check_existing_attributes_first() -> None:
    s = nn.Sequential(nn.Linear(2, 2))
    assert _error(lambda: s.add_module("x.y", nn.ReLU())) == (
        "KeyError",
        "'module name can\\'t contain \".\", got: x.y'",
    )
    assert _error(lambda: nn.ModuleDict().__setitem__("a.b", nn.ReLU()))[1].endswith("got: a.b'")
    # parameters and buffers keep the short message
    assert _error(lambda: s.register_buffer("x.y", None)) == (
        "KeyError",
        "'buffer name can\\'t contain \".\"'",
    )


def test_get_submodule_walks_attributes() -> None:
    m = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.BatchNorm1d(2), nn.ReLU()))
    assert _error(lambda: m.get_submodule("1.0.weight")) == (
        "AttributeError",
        "`weight` is not an nn.Module",
    )
    assert _error(lambda: m.get_submodule("1.x.y")) == (
        "AttributeError",
        "Sequential has no attribute `x`",
    )
    assert _error(lambda: m.get_parameter("1.0.running_mean")) == (
        "AttributeError",
        "`running_mean` is not an nn.Parameter",
    )
    assert _error(lambda: m.get_parameter("1")) == ("AttributeError", "`1` is not an nn.Parameter")
    assert _error(lambda: m.get_parameter("0.x")) == (
        "AttributeError",
        "Linear has no attribute `x`",
    )
    assert m.get_submodule("1.1")._get_name() == "ReLU"


def test_assigning_a_non_tensor_to_a_buffer() -> None:
    b = nn.BatchNorm1d(2)
    assert _error(lambda: setattr(b, "running_mean", 3)) == (
        "TypeError",
        "cannot assign 'int' as buffer 'running_mean' "
        "(torch.nn.Buffer, torch.Tensor or None expected)",
    )


def test_requires_grad_takes_a_bool_only() -> None:
    m = nn.Linear(2, 2)
    assert _error(lambda: m.requires_grad_(0)) == (
        "TypeError",
        "requires_grad_(): argument 'requires_grad' (position 1) must be bool, not int",
    )
    t = ndgrad.ones(1)
    assert _error(lambda: t.requires_grad_(requires_grad=np.bool_(True))) == (
        "TypeError",
        "requires_grad_(): argument 'requires_grad' must be bool, not numpy.bool",
    )
    assert t.requires_grad_().requires_grad and not t.requires_grad_(False).requires_grad


def test_zero_element_kaiming_init_warns() -> None:
    with pytest.warns(UserWarning, match="^Initializing zero-element tensors is a no-op$"):
        nn.Linear(8, 0)
    with pytest.warns(UserWarning, match="zero-element"):
        nn.init.kaiming_normal_(ndgrad.empty(0, 3))


def test_always_call_hook_error_warning_text() -> None:
    class Bad(nn.Module):
        def forward(self, x: Any) -> Any:
            raise ValueError("boom")

    def hook(module: Any, args: Any, output: Any) -> None:
        raise KeyError("hook")

    m = Bad()
    m.register_forward_hook(hook, always_call=True)
    with pytest.warns(UserWarning) as caught, pytest.raises(ValueError, match="boom"):
        m(ndgrad.ones(1))
    assert str(caught[0].message) == (
        "module forward hook with ``always_call=True`` raised an exception that was silenced "
        "as another error was raised in forward: 'hook'"
    )


_LOOKUPS = """
m = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.BatchNorm1d(2), nn.ReLU()))
m.foo = 3
for t in ['', '0', '1.0', '1.1', '2', '1.0.weight', 'foo', '1.x.y', '0.weight']:
    attempt(lambda: m.get_submodule(t)._get_name())
for t in ['0.weight', '1.0.running_mean', 'x', '0.x', '1.q.weight', 'foo', '1']:
    attempt(lambda: tuple(m.get_parameter(t).shape))
for t in ['1.0.running_mean', '0.weight', '1.0.x', 'foo', '2.x', '1.0.training']:
    attempt(lambda: tuple(m.get_buffer(t).shape))
for args in [('x.y', nn.ReLU()), ('', nn.ReLU()), (1, nn.ReLU()), ('training', nn.ReLU()),
             ('z', 3), ('forward', nn.ReLU()), ('0', nn.Tanh()), ('n', None)]:
    attempt(lambda: m.add_module(*args))
for args in [('x.y', torch.ones(1)), ('', torch.ones(1)), (1, torch.ones(1)), ('z', 3),
             ('training', torch.ones(1)), ('0', None)]:
    attempt(lambda: m.register_buffer(*args))
    attempt(lambda: m.register_parameter(*args))
b = nn.BatchNorm1d(2)
for v in [3, 'x', None, torch.ones(2)]:
    attempt(lambda: setattr(b, 'running_mean', v))
attempt(lambda: m.requires_grad_(0))
attempt(lambda: nn.Linear(3, 0))
"""


@requires_torch
def test_lookups_and_registration_errors_match_torch() -> None:
    _same_as_torch(_LOOKUPS)
