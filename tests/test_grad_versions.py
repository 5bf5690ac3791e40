"""Version numbers of gradients, and the order in which leaves receive theirs.

A gradient's version shows in the modified-tensor error once a later graph saves ``x.grad`` and
it is written to in place ("is at version 2; expected version 1"). PyTorch's engine gives its
gradient tensors versions as a side effect of how it moves them: an in-place ``add_`` where one
input receives two gradients, a ``copy_`` where AccumulateGrad copies one into a new ``.grad``.
Each program below returns the versions it sees; the expected values were measured on
torch 2.13, and the parity tests compare with the installed torch directly.

The leaves' AccumulateGrad nodes share one priority; the engine runs them in the order of
PyTorch's ready queue, which the hook-order programs record.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, torch


def _leaf(lib: Any, *shape: int) -> Any:
    n = int(np.prod(shape))
    return lib.tensor(np.arange(1.0, n + 1).reshape(shape), requires_grad=True)


def _backward_version(build: Callable[[Any], Any], create_graph: bool = False) -> Callable:
    def program(lib: Any) -> Any:
        x = _leaf(lib, 3)
        build(x).sum().backward(create_graph=create_graph)
        return x.grad._version

    return program


def _grad_version(build: Callable[[Any], Any], create_graph: bool = False) -> Callable:
    def program(lib: Any) -> Any:
        x = _leaf(lib, 3)
        return lib.autograd.grad(build(x).sum(), x, create_graph=create_graph)[0]._version

    return program


def _zero_d_leaf(lib: Any) -> Any:
    x = lib.tensor(2.0, dtype=lib.float64, requires_grad=True)
    x.backward()  # the implicit ones are held by the caller's side: copied
    return x.grad._version


def _caller_gradient(lib: Any) -> Any:
    x = _leaf(lib, 3)
    w = lib.ones(3, dtype=lib.float64)
    (x + 1).backward(w)
    return x.grad._version, w._version


def _twice(create_graph: bool, build: Callable[[Any], Any]) -> Callable:
    def program(lib: Any) -> Any:
        x = _leaf(lib, 3)
        y = build(x).sum()
        y.backward(retain_graph=True, create_graph=create_graph)
        first = x.grad._version
        y.backward(create_graph=create_graph)
        return first, x.grad._version

    return program


def _transposed_leaf(lib: Any) -> Any:
    x = _leaf(lib, 2, 3).t().detach().requires_grad_()
    (x * 2).sum().backward()
    return x.grad._version, x.grad.is_contiguous()


def _two_leaves(build: Callable[[Any, Any], Any]) -> Callable:
    def program(lib: Any) -> Any:
        x, y = _leaf(lib, 3), _leaf(lib, 3)
        build(x, y).sum().backward()
        return x.grad._version, y.grad._version

    return program


def _leaf_hook(hook: Callable[[Any], Any], build: Callable[[Any], Any]) -> Callable:
    def program(lib: Any) -> Any:
        x = _leaf(lib, 3)
        x.register_hook(hook)
        build(x).sum().backward()
        return x.grad._version

    return program


def _hook_sees(lib: Any) -> Any:
    x = _leaf(lib, 3)
    y = x * 1
    seen: list[int] = []
    y.register_hook(lambda g: seen.append(g._version))
    (y * y).sum().backward()
    return seen


def _modified_grad_error(lib: Any) -> Any:
    """The error that shows a gradient's version: .grad saved by a graph, then written."""
    x = _leaf(lib, 3)
    (x * x).sum().backward()
    g, w = x.grad, _leaf(lib, 3)
    out = (g * w).sum()  # saves g for w's gradient
    g.mul_(2)
    try:
        out.backward()
    except RuntimeError as e:
        return str(e)
    return None


# name -> (program, PyTorch 2.13's result)
PROGRAMS: dict[str, tuple[Callable[[Any], Any], Any]] = {
    # One gradient, used as it comes: a new array, version 0.
    "x*2": (_backward_version(lambda x: x * 2), 0),
    "exp": (_backward_version(lambda x: x.exp()), 0),
    # sum's gradient is expanded: AccumulateGrad copies it (copy_ into a new tensor).
    "sum": (_backward_version(lambda x: x), 1),
    # Two gradients into one input: added in place (add_) when nothing else holds the first.
    "x*x": (_backward_version(lambda x: x * x), 1),
    "x*x*x": (_backward_version(lambda x: x * x * x), 2),
    "x*2 + x*3 + x*4": (_backward_version(lambda x: x * 2 + x * 3 + x * 4), 2),
    "x[0]*x[0]": (_backward_version(lambda x: x[:1] * x[:1]), 1),
    # add routes one gradient to both inputs: held twice, added into a new array.
    "x+x": (_backward_version(lambda x: x + x), 0),
    "x+x+x": (_backward_version(lambda x: x + x + x), 1),
    "y=x*1; y*y": (_backward_version(lambda x: (lambda y: y * y)(x * 1)), 0),
    # create_graph: AccumulateGrad always copies; the buffers add out of place.
    "x*2, create_graph": (_backward_version(lambda x: x * 2, create_graph=True), 1),
    "x*x, create_graph": (_backward_version(lambda x: x * x, create_graph=True), 1),
    # A second backward adds into .grad in place; under create_graph into a new tensor.
    "sum twice": (_twice(False, lambda x: x), (1, 2)),
    "x*2 twice, create_graph": (_twice(True, lambda x: x * 2), (1, 0)),
    "0-d leaf backward()": (_zero_d_leaf, 1),
    "caller's gradient": (_caller_gradient, (1, 0)),
    "transposed leaf": (_transposed_leaf, (1, False)),
    "x+y": (_two_leaves(lambda x, y: x + y), (1, 1)),
    # one new array for both leaves: the first leaf to run copies it, the second keeps it
    "(x+y)*2": (_two_leaves(lambda x, y: (x + y) * 2), (1, 0)),
    "x*y": (_two_leaves(lambda x, y: x * y), (0, 0)),
    "hook returns g*2": (_leaf_hook(lambda g: g * 2, lambda x: x), 0),
    "hook returns None, x*2": (_leaf_hook(lambda g: None, lambda x: x * 2), 0),
    "hook returns None, sum": (_leaf_hook(lambda g: None, lambda x: x), 1),
    "hook sees the sum's version": (_hook_sees, [1]),
    # autograd.grad hands back the gradient itself
    "grad of x*x": (_grad_version(lambda x: x * x), 1),
    "grad of x*x*x": (_grad_version(lambda x: x * x * x), 2),
    "grad of x+x": (_grad_version(lambda x: x + x), 0),
    "grad of sum": (_grad_version(lambda x: x), 0),
    "grad of x*x, create_graph": (_grad_version(lambda x: x * x, create_graph=True), 0),
    "the error's numbers": (
        _modified_grad_error,
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.DoubleTensor [3]] is at version 2; expected version 1 instead. Hint: "
        "enable anomaly detection to find the operation that failed to compute its gradient, "
        "with torch.autograd.set_detect_anomaly(True, check_nan=False).",
    ),
}


def _run(program: Callable[[Any], Any], lib: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch warns about backward(create_graph=True)
        return program(lib)


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_gradient_versions(name: str) -> None:
    program, expected = PROGRAMS[name]
    assert _run(program, ndgrad) == expected


@requires_torch
@pytest.mark.parametrize("name", list(PROGRAMS))
def test_gradient_versions_match_torch(name: str) -> None:
    program, _ = PROGRAMS[name]
    assert _run(program, ndgrad) == _run(program, torch)


def _hook_order(lib: Any) -> str:
    order: list[str] = []

    def leaf(name: str) -> Any:
        t = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        t.register_hook(lambda g: order.append(name))
        return t

    x, y, z, w = leaf("x"), leaf("y"), leaf("z"), leaf("w")
    programs = [
        lambda: x + y,
        lambda: y + x,
        lambda: x * y + z,
        lambda: x + y + z + w,
        lambda: lib.stack([x, y, z, w]),
        lambda: lib.cat([w, z, y, x]),
        lambda: x * 2 + y * 2 + z * 2 + w * 2,
    ]
    for build in programs:
        build().sum().backward()
        order.append("|")
    return " ".join(order)


def test_leaves_receive_gradients_in_pytorchs_order() -> None:
    # Measured on torch 2.13. Before, the order followed the nodes' addresses in memory.
    expected = "x y | y x | z x y | w z x y | x z y w | w y z x | w z y x |"
    assert _hook_order(ndgrad) == expected


@requires_torch
def test_leaf_order_matches_torch() -> None:
    assert _hook_order(ndgrad) == _hook_order(torch)


def test_gradient_held_by_another_buffer_is_not_added_into() -> None:
    # `y * 5 + (y + z)`: the add's node runs first and hands one array to both y's and z's
    # buffers; y's second gradient (5g) must go into a new array, or z's gradient is 6g.
    x = ndgrad.tensor([1.0, -2.0], dtype=ndgrad.float64, requires_grad=True)
    y, z = x * 2, x * 3
    (y * 5 + (y + z)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2 * 6 + 3, 2 * 6 + 3])
    assert x.grad._version == 1  # 2 * 6g and 3g meet in x's buffer: added in place


def test_gradient_added_in_place_keeps_its_values() -> None:
    # Three gradients into one buffer, the first added into twice; checked against the
    # derivative written out: d/dx (x*x*x + x*x) = 3x^2 + 2x.
    data = np.array([0.5, -1.5, 2.0])
    x = ndgrad.tensor(data, requires_grad=True)
    (x * x * x + x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * data**2 + 2 * data, rtol=1e-15)
