"""autograd.Function in the style PyTorch 2 recommends: ``forward(*args)`` without a ctx and
``setup_context(ctx, inputs, output)``; ``vjp`` as backward's alias; keyword arguments to
``apply``. Each behaviour checked here was seen in torch 2.13 (the parity tests run both)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import gradcheck, gradgradcheck
from tests.helpers import requires_torch, torch


def _functions(lib: Any) -> dict[str, Any]:
    """The same Functions written against ``lib`` (ndgrad or torch)."""
    F = lib.autograd.Function
    seen: dict[str, Any] = {}

    class Scale(F):
        @staticmethod
        def forward(x, k=2.0):
            return x * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            seen["inputs"] = inputs
            seen["grad_enabled"] = lib.is_grad_enabled()
            seen["needs"] = ctx.needs_input_grad
            ctx.k = inputs[1]

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    class Cube(F):
        """Saves its input in setup_context; backward in lib ops: twice differentiable."""

        @staticmethod
        def forward(x):
            return x**3

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x * x * g

    class Exp(F):
        """Saves its output, for backward and for forward mode (jvp)."""

        @staticmethod
        def forward(x):
            return x.exp()

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(output)
            ctx.save_for_forward(output)

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

        @staticmethod
        def jvp(ctx, xt):
            (y,) = ctx.saved_tensors
            return y * xt

    class Split(F):
        """Two outputs, the second marked non-differentiable in setup_context."""

        @staticmethod
        def forward(x):
            return x * 2, x > 0

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.mark_non_differentiable(output[1])

        @staticmethod
        def backward(ctx, g, g_mask):
            return g * 2

    class Increment(F):
        """Writes into its input, marked dirty in setup_context."""

        @staticmethod
        def forward(x):
            return x.add_(1)

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.mark_dirty(inputs[0])

        @staticmethod
        def backward(ctx, g):
            return g

    class Old(F):
        """The classic style, called with keyword arguments: inputs in their places."""

        @staticmethod
        def forward(ctx, x, k=2.0, m=1.0):
            ctx.k = k * m
            return x * k * m

        @staticmethod
        def backward(ctx, g):
            return (g * ctx.k, *(None,) * (len(ctx.needs_input_grad) - 1))

    class ByVjp(F):
        @staticmethod
        def forward(ctx, x):
            return x * 3

        @staticmethod
        def vjp(ctx, g):
            return g * 3

    return {**locals(), "seen": seen}


def _x(lib: Any, values: Any = (0.5, -1.0, 2.0)) -> Any:
    return lib.tensor(np.array(values), requires_grad=True)


@pytest.mark.parametrize(
    ("call", "k"), [((), 2.0), ((4.0,), 4.0), ((), 3.0)], ids=["default", "positional", "kw"]
)
def test_setup_context_gets_bound_inputs_and_runs_under_no_grad(call: Any, k: float) -> None:
    fns = _functions(ndgrad)
    x = _x(ndgrad)
    y = fns["Scale"].apply(x, *call) if call or k == 2.0 else fns["Scale"].apply(x, k=3.0)
    seen = fns["seen"]
    assert len(seen["inputs"]) == 2 and seen["inputs"][0] is x and seen["inputs"][1] == k
    assert seen["grad_enabled"] is False and seen["needs"] == (True, False)
    assert y.grad_fn is not None and y.grad_fn.name() == "ScaleBackward"
    y.sum().backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.numpy(), np.full(3, k))


def test_setup_context_runs_when_nothing_records() -> None:
    fns = _functions(ndgrad)
    x = _x(ndgrad)
    with ndgrad.no_grad():
        y = fns["Scale"].apply(x)
    assert y.grad_fn is None and fns["seen"]["needs"] == (True, False)  # as PyTorch's ctx
    fns["Scale"].apply(_x(ndgrad).detach())
    assert fns["seen"]["needs"] == (False, False)


def test_saved_values_outputs_and_marks() -> None:
    fns = _functions(ndgrad)
    x = _x(ndgrad)
    assert gradcheck(fns["Cube"].apply, (x,))
    assert gradgradcheck(fns["Cube"].apply, (x,))
    assert gradcheck(fns["Exp"].apply, (x,), check_forward_ad=True)
    a, mask = fns["Split"].apply(x)
    assert a.requires_grad and not mask.requires_grad and mask.grad_fn is None
    a.sum().backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.numpy(), np.full(3, 2.0))
    t = _x(ndgrad).clone()
    version = t._version
    out = fns["Increment"].apply(t)
    assert out is t and t._version == version + 2  # add_, then mark_dirty (torch: the same)
    assert t.grad_fn is not None and t.grad_fn.name() == "IncrementBackward"


def test_forward_mode_through_setup_context() -> None:
    fwad = ndgrad.autograd.forward_ad
    exp = _functions(ndgrad)["Exp"]
    x = ndgrad.tensor([0.0, 1.0], dtype=ndgrad.float64)
    with fwad.dual_level():
        out = exp.apply(fwad.make_dual(x, ndgrad.tensor([1.0, 2.0], dtype=ndgrad.float64)))
        tangent = fwad.unpack_dual(out).tangent
    np.testing.assert_allclose(tangent.numpy(), np.exp([0.0, 1.0]) * [1.0, 2.0])


def test_keywords_vjp_and_errors() -> None:
    fns = _functions(ndgrad)
    x = _x(ndgrad)
    y = fns["Old"].apply(x, k=5.0)  # an input in k's place: backward returns two gradients
    y.sum().backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.numpy(), np.full(3, 5.0))
    x.grad = None
    fns["ByVjp"].apply(x).sum().backward()  # vjp stands for backward
    np.testing.assert_array_equal(x.grad.numpy(), np.full(3, 3.0))

    class Both(fns["ByVjp"]):
        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match="Implementing both 'backward' and 'vjp'"):
        Both.apply(_x(ndgrad)).sum().backward()
    old = fns["Old"]
    for args, kwargs, message in [
        ((x,), {"m": 4.0}, r"forward\(\) missing required argument: 'k' \(position 1\)"),
        ((x,), {"z": 1}, r"forward\(\) got an unexpected keyword argument 'z'"),
        ((x, 1.0), {"k": 2.0}, r"forward\(\) got multiple values for argument 'k'"),
    ]:
        with pytest.raises(TypeError, match=message):
            old.apply(*args, **kwargs)
    assert old.apply(x, 2.0, m=3.0).detach().numpy().tolist() == [3.0, -6.0, 12.0]
    with pytest.raises(NotImplementedError, match="setup_context is not implemented."):
        ndgrad.autograd.Function.setup_context(None, (), None)

    class WithCtx(ndgrad.autograd.Function):  # setup_context beside a forward that takes ctx
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def setup_context(ctx, inputs, output):
            pass

    with pytest.raises(TypeError, match="missing a required argument: 'x'"):
        WithCtx.apply(_x(ndgrad))

    class KeywordOnly(ndgrad.autograd.Function):
        @staticmethod
        def forward(x, *, scale=1.0):
            return x * scale

        @staticmethod
        def setup_context(ctx, inputs, output):
            pass

    with pytest.raises(TypeError, match="unexpected keyword argument 'scale'"):
        KeywordOnly.apply(_x(ndgrad))


@requires_torch
def test_matches_torch() -> None:
    """Values, gradients, what setup_context saw, node names, for both libraries."""
    results = []
    for lib in (ndgrad, torch):
        fns = _functions(lib)
        out = []
        for name, args, kwargs in [
            ("Scale", (), {}),
            ("Scale", (4.0,), {}),
            ("Scale", (), {"k": 3.0}),
            ("Cube", (), {}),
            ("Exp", (), {}),
            ("Old", (), {"k": 5.0}),
            ("Old", (), {"k": 5.0, "m": 2.0}),
            ("Old", (2.0,), {"m": 3.0}),
            ("ByVjp", (), {}),
        ]:
            x = _x(lib)
            y = fns[name].apply(x, *args, **kwargs)
            y.sum().backward()
            seen = fns["seen"].get("inputs")
            out.append(
                (
                    name,
                    y.detach().numpy().tolist(),
                    x.grad.numpy().tolist(),
                    type(y.grad_fn).__name__,
                    None if seen is None else len(seen),
                )
            )
        results.append(out)
    assert results[0] == results[1]
