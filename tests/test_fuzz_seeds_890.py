"""Regressions found by the view fuzzer (tests/fuzz_views.py) at seeds 890 and on.

Each program runs under ndgrad and, where it is installed, under PyTorch (everything returned
must agree); each test also checks the expected outcome by hand, so it runs without PyTorch too.
Each program failed before its fix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, torch
from .programs import assert_same, run

# --- tensor hooks registered after an in-place view op (t_, squeeze_...) ----------------------


def _var_hooks_around_t_(lib: Any) -> Any:
    # fuzz seed 89x: PyTorch runs both hooks at the node of var, in the order registered
    # ((g + 2) * 0.5); ndgrad ran the later one first, at the node of t_
    t0 = lib.tensor([[-1.4], [-1.8], [0.8]], dtype=lib.float64, requires_grad=True)
    t1 = t0.var(correction=1)
    t1.register_hook(lambda g: g + 2.0)
    t1.t_()
    t1.register_hook(lambda g: g * 0.5)
    t1.backward()
    return t0.grad


def _shapes_seen(op: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        x = lib.arange(6.0, dtype=lib.float64).view(2, 3).requires_grad_()
        y = x * 1
        seen = []
        y.register_hook(lambda g: seen.append(("first", tuple(g.shape))))
        op(y)
        y.register_hook(lambda g: seen.append(("second", tuple(g.shape))))
        (y * lib.arange(1.0, 7.0, dtype=lib.float64).view(y.shape)).sum().backward()
        return seen, x.grad

    return program


_IN_PLACE_VIEWS = {
    "t_": lambda y: y.t_(),
    "transpose_": lambda y: y.transpose_(0, 1),
    "swapdims_": lambda y: y.swapdims_(1, 0),
    "unsqueeze_": lambda y: y.unsqueeze_(1),
    "squeeze_": lambda y: (y.unsqueeze_(0), y.squeeze_(0)),
    "as_strided_": lambda y: y.as_strided_((3, 2), (1, 3)),
    # a rebasing in-place op in between starts a new hook dict (the later hook runs first)
    "t_ then mul_": lambda y: (y.t_(), y.mul_(2)),
    "mul_ then t_": lambda y: (y.mul_(2), y.t_()),
}


@pytest.mark.parametrize(
    "program",
    [_var_hooks_around_t_, *(_shapes_seen(op) for op in _IN_PLACE_VIEWS.values())],
    ids=["var", *_IN_PLACE_VIEWS],
)
@requires_torch
def test_hooks_around_in_place_view_ops_match_torch(program: Callable[[Any], Any]) -> None:
    assert_same(run(program, ndgrad), run(program, torch))


def test_hooks_around_in_place_view_ops_by_hand() -> None:
    # var's gradient 2 (x - mean) / 2 times the hooks' factor (1 + 2) * 0.5
    np.testing.assert_allclose(_var_hooks_around_t_(ndgrad).numpy().ravel(), [-0.9, -1.5, 2.4])
    seen, grad = _shapes_seen(_IN_PLACE_VIEWS["t_"])(ndgrad)
    # both hooks at x * 1's node: in the order registered, on the (2, 3) gradient
    assert seen == [("first", (2, 3)), ("second", (2, 3))]
    np.testing.assert_array_equal(grad.numpy(), [[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]])
    seen, _ = _shapes_seen(_IN_PLACE_VIEWS["mul_ then t_"])(ndgrad)
    assert seen == [("second", (3, 2)), ("first", (2, 3))]
