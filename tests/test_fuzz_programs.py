"""Differential fuzzing against PyTorch: random programs of 3 to 20 ops on random
broadcast-compatible shapes, compared for values, gradients and raised exception types.

Hypothesis draws every choice (so a failure shrinks to a short program); the run is derandomised,
so CI runs the same 2,000 programs each time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ndgrad

from .helpers import requires_torch, torch

PROGRAMS = 2000


@dataclass(frozen=True)
class Op:
    name: str
    arity: int
    fn: Callable[..., Any]  # fn(lib, *tensors, **params)
    params: Callable[[Any, tuple[int, ...]], dict[str, Any]] = lambda draw, shape: {}


def _dim_params(draw: Any, shape: tuple[int, ...]) -> dict[str, Any]:
    if not shape:
        return {"dim": None, "keepdim": draw(st.booleans())}
    n = len(shape)
    dims = [None, 0, -1] + ([(0, 1)] if n >= 2 else [])
    return {"dim": draw(st.sampled_from(dims)), "keepdim": draw(st.booleans())}


def _reduce(method: str) -> Callable[..., Any]:
    def fn(lib: Any, x: Any, dim: Any, keepdim: bool) -> Any:
        if dim is None:
            return getattr(x, method)()
        return getattr(x, method)(dim=dim, keepdim=keepdim)

    return fn


def _inplace_add(lib: Any, x: Any, y: Any) -> Any:
    out = x * 1.0  # a non-leaf copy to write into
    out.add_(y)
    return out


OPS = [
    Op("neg", 1, lambda lib, x: -x),
    Op("abs", 1, lambda lib, x: x.abs()),
    Op("relu", 1, lambda lib, x: lib.relu(x)),
    Op("tanh", 1, lambda lib, x: lib.tanh(x)),
    Op("sigmoid", 1, lambda lib, x: x.sigmoid()),
    Op("exp", 1, lambda lib, x: (x.tanh() * 3).exp()),
    Op("sin", 1, lambda lib, x: lib.sin(x)),
    Op("cos", 1, lambda lib, x: x.cos()),
    Op("square", 1, lambda lib, x: x * x),
    Op("sqrt", 1, lambda lib, x: (x.abs() + 1).sqrt()),
    Op("log", 1, lambda lib, x: lib.log(x.abs() + 1)),
    Op("clamp", 1, lambda lib, x: x.clamp(-1.0, 1.0)),
    Op("reciprocal", 1, lambda lib, x: (x * x + 1).reciprocal()),
    Op("pow_scalar", 1, lambda lib, x: x**3),
    Op("scalar_arith", 1, lambda lib, x: 2.0 - x / 3 + 0.5 * x),
    Op("add", 2, lambda lib, x, y: x + y),
    Op("sub", 2, lambda lib, x, y: x - y),
    Op("mul", 2, lambda lib, x, y: x * y),
    Op("div", 2, lambda lib, x, y: x / (y * y + 1)),
    Op("maximum", 2, lambda lib, x, y: lib.maximum(x, y)),
    Op("minimum", 2, lambda lib, x, y: lib.minimum(x, y)),
    Op("where", 2, lambda lib, x, y: lib.where(x > y, x, y * 2)),
    Op("pow", 2, lambda lib, x, y: (x.abs() + 0.5) ** y.tanh()),
    Op("atan2", 2, lambda lib, x, y: lib.atan2(x, y + 3)),
    Op("sum", 1, _reduce("sum"), _dim_params),
    Op("mean", 1, _reduce("mean"), _dim_params),
    Op("transpose", 1, lambda lib, x: x.transpose(0, -1) if x.dim() >= 2 else x * 1),
    Op("unsqueeze", 1, lambda lib, x: x.unsqueeze(0)),
    Op("flatten", 1, lambda lib, x: x.reshape(-1)),
    Op("add_", 2, _inplace_add),
]


def _shapes(draw: Any) -> list[tuple[int, ...]]:
    """Two to three input shapes that broadcast together (some dims 1 or left out)."""
    base = draw(st.lists(st.integers(1, 3), min_size=0, max_size=3))
    shapes = []
    for _ in range(draw(st.integers(2, 3))):
        shape = [draw(st.sampled_from([s, 1])) for s in base]
        drop = draw(st.integers(0, len(shape)))
        shapes.append(tuple(shape[drop:]))
    return shapes


def _run(lib: Any, inputs: list[np.ndarray], program: list[tuple[Op, tuple[int, ...], dict]]):
    leaves = [lib.tensor(a, requires_grad=True) for a in inputs]
    values = list(leaves)
    for op, args, params in program:
        values.append(op.fn(lib, *[values[i] for i in args], **params))
    return leaves, values


def _outcome(lib: Any, inputs, program, weights):
    """Values and input gradients of the program, or the type of the exception it raised."""
    try:
        leaves, values = _run(lib, inputs, program)
        out = values[len(inputs) :]
        loss = sum(
            (v * lib.tensor(w)).sum() for v, w in zip(out, weights, strict=False) if v.dim() >= 0
        )
        grads = lib.autograd.grad(loss, leaves, allow_unused=True)
    except Exception as error:  # compared with the other library's
        return type(error).__name__
    return [v.detach().numpy() for v in out], [
        None if g is None else g.detach().numpy() for g in grads
    ]


@requires_torch
@settings(
    max_examples=PROGRAMS,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_random_programs_match_torch(data: Any) -> None:
    draw = data.draw
    shapes = _shapes(draw)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    inputs = [rng.standard_normal(s) for s in shapes]
    program = []
    value_shapes = [np.shape(a) for a in inputs]
    for _ in range(draw(st.integers(3, 20))):
        op = draw(st.sampled_from(OPS))
        args = tuple(draw(st.integers(0, len(value_shapes) - 1)) for _ in range(op.arity))
        params = op.params(draw, value_shapes[args[0]])
        program.append((op, args, params))
        # Track shapes with numpy, to draw valid dims for later reductions.
        try:
            shape = np.broadcast_shapes(*[value_shapes[i] for i in args])
        except ValueError:
            shape = value_shapes[args[0]]
        if op.name in ("sum", "mean"):
            shape = np.sum(np.zeros(shape), axis=params["dim"], keepdims=params["keepdim"]).shape
        elif op.name == "transpose" and len(shape) >= 2:
            shape = (shape[-1], *shape[1:-1], shape[0])
        elif op.name == "unsqueeze":
            shape = (1, *shape)
        elif op.name == "flatten":
            shape = (int(np.prod(shape)),)
        value_shapes.append(tuple(shape))
    weights = [rng.standard_normal(s) for s in value_shapes[len(inputs) :]]
    ours = _outcome(ndgrad, inputs, program, weights)
    theirs = _outcome(torch, inputs, program, weights)
    described = [(op.name, args, params) for op, args, params in program]
    if isinstance(theirs, str) or isinstance(ours, str):
        assert ours == theirs, f"program {described}: ndgrad {ours!r}, torch {theirs!r}"
        return
    for a, b in zip(ours[0], theirs[0], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12, err_msg=str(described))
    for a, b in zip(ours[1], theirs[1], strict=True):
        if b is None:
            assert a is None or not np.any(a), str(described)
        else:
            assert a is not None, str(described)
            np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10, err_msg=str(described))


def test_fuzz_op_list_runs_under_ndgrad() -> None:
    # Without torch the differential test skips; still check every fuzz op runs and backprops.
    x = ndgrad.tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
    y = ndgrad.tensor(np.linspace(0.5, 2, 3), requires_grad=True)
    for op in OPS:
        params = {"dim": 0, "keepdim": False} if op.name in ("sum", "mean") else {}
        out = op.fn(ndgrad, *(x, y)[: op.arity], **params)
        out.sum().backward()
    assert x.grad is not None


pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")
