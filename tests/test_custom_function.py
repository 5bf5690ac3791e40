"""User-defined autograd.Function: ctx API, double backward, the engine's checks of backward."""

from __future__ import annotations

import re

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import Function, grad, gradcheck, gradgradcheck
from tests.helpers import assert_close, requires_torch, torch


def _x(values, requires_grad=True):
    return ndgrad.tensor(np.array(values, dtype=np.float64), requires_grad=requires_grad)


class MulAdd(Function):
    """y = a * b + a; written with ndgrad ops in backward, so it is twice differentiable."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b + a

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * (b + 1), g * a


class Sin3(Function):
    """y = x³ (saves its output and its input)."""

    @staticmethod
    def forward(ctx, x):
        y = x**3
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g * 3 * y / x


def test_forward_runs_without_grad_and_node_is_named():
    seen = []

    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            seen.append(ndgrad.is_grad_enabled())
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = _x([1.0])
    y = Probe.apply(x)
    assert seen == [False]
    assert type(y.grad_fn).__name__ == "ProbeBackward"
    assert y.grad_fn.next_functions[0][0] is x._accumulator()


def test_custom_function_first_and_higher_derivatives():
    a, b = _x([0.5, -2.0]), _x([1.5, 3.0])
    y = MulAdd.apply(a, b)
    assert_close(y, [1.25, -8.0])
    ga, gb = grad(y.sum(), (a, b), create_graph=True)
    assert_close(ga, [2.5, 4.0])
    assert_close(gb, [0.5, -2.0])
    # d(ga)/db = 1, d(gb)/da = 1 (mixed partials through the custom backward)
    (gab,) = grad(ga.sum(), b, create_graph=True)
    (gba,) = grad(gb.sum(), a)
    assert_close(gab, [1.0, 1.0])
    assert_close(gba, [1.0, 1.0])
    assert gradcheck(MulAdd.apply, (a, b))
    assert gradgradcheck(MulAdd.apply, (a, b))


def test_custom_function_third_derivative():
    x = _x([0.7, 1.3])
    y = Sin3.apply(x).sum()
    (d1,) = grad(y, x, create_graph=True)
    (d2,) = grad(d1.sum(), x, create_graph=True)
    (d3,) = grad(d2.sum(), x)
    assert_close(d1, 3 * np.array([0.7, 1.3]) ** 2)
    assert_close(d2, 6 * np.array([0.7, 1.3]))
    assert_close(d3, [6.0, 6.0])


@requires_torch
def test_custom_function_double_backward_matches_torch():
    def define(lib):
        class Fn(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, w):
                ctx.save_for_backward(x, w)
                return (x * w).tanh()

            @staticmethod
            def backward(ctx, g):
                x, w = ctx.saved_tensors
                d = 1 - (x * w).tanh() ** 2
                return g * d * w, g * d * x

        return Fn

    def run(lib, mk):
        fn = define(lib)
        x, w = mk([0.3, -0.8]), mk([1.7, 0.4])
        y = fn.apply(x, w).sum()
        gx, gw = lib.autograd.grad(y, (x, w), create_graph=True)
        h = lib.autograd.grad((gx * gw).sum(), (x, w))
        return gx, gw, h

    ours = run(ndgrad, lambda v: ndgrad.tensor(v, dtype=ndgrad.float64, requires_grad=True))
    theirs = run(torch, lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True))
    assert_close(ours, theirs, rtol=1e-12)


# --- ctx API -----------------------------------------------------------------------------------


def test_needs_input_grad():
    recorded = []

    class Fn(Function):
        @staticmethod
        def forward(ctx, a, b, k):
            recorded.append(ctx.needs_input_grad)
            return a * b * k

        @staticmethod
        def backward(ctx, g):
            recorded.append(ctx.needs_input_grad)
            return (g if ctx.needs_input_grad[0] else None), None, None

    a, b = _x([1.0]), _x([2.0], requires_grad=False)
    Fn.apply(a, b, 3).sum().backward()
    assert recorded == [(True, False, False), (True, False, False)]


def test_mark_non_differentiable():
    class SortIdx(Function):
        @staticmethod
        def forward(ctx, x):
            order = ndgrad.tensor(np.argsort(x.detach().numpy()))
            vals = ndgrad.tensor(np.sort(x.detach().numpy()))
            ctx.mark_non_differentiable(order)
            ctx.save_for_backward(order)
            return vals, order

        @staticmethod
        def backward(ctx, g, g_order):
            (order,) = ctx.saved_tensors
            assert g_order is None or not g_order.numpy().any()
            out = np.zeros_like(g.numpy())
            out[order.numpy()] = g.numpy()
            return ndgrad.tensor(out)

    x = _x([3.0, 1.0, 2.0])
    vals, order = SortIdx.apply(x)
    assert vals.requires_grad and not order.requires_grad
    (vals * ndgrad.tensor([1.0, 10.0, 100.0], dtype=ndgrad.float64)).sum().backward()
    assert_close(x.grad, [100.0, 1.0, 10.0])


def test_mark_non_differentiable_float_output():
    class Both(Function):
        @staticmethod
        def forward(ctx, x):
            mask = (x > 0).double()
            ctx.mark_non_differentiable(mask)
            return x * 2, mask

        @staticmethod
        def backward(ctx, g, g_mask):
            return g * 2

    y, mask = Both.apply(_x([1.0, -1.0]))
    assert y.requires_grad and not mask.requires_grad and mask.grad_fn is None


def test_set_materialize_grads():
    received = {}

    class Two(Function):
        @staticmethod
        def forward(ctx, x, materialize):
            ctx.set_materialize_grads(materialize)
            return x * 1, x * 2

        @staticmethod
        def backward(ctx, g1, g2):
            received["g2"] = g2
            return g1 if g2 is None else g1 + 2 * g2, None

    x = _x([1.0, 2.0])
    a, _ = Two.apply(x, True)
    a.sum().backward()
    assert_close(received["g2"], [0.0, 0.0])
    x.grad = None
    a, _ = Two.apply(x, False)
    a.sum().backward()
    assert received["g2"] is None
    assert_close(x.grad, [1.0, 1.0])


def test_saved_tensors_freed_after_backward():
    x = _x([1.0, 2.0])
    y = MulAdd.apply(x, x)
    y.sum().backward()
    with pytest.raises(RuntimeError, match=re.escape("Trying to backward through the graph")):
        y.grad_fn.saved_tensors  # noqa: B018


def test_mark_dirty_rewrites_history():
    class Double_(Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    a = _x([1.0, 2.0, 3.0])
    b = a * 1
    version = b._version
    c = Double_.apply(b)
    assert c is b
    assert type(b.grad_fn).__name__ == "Double_Backward"
    assert b._version > version
    assert_close(b, [2.0, 4.0, 6.0])
    (c * c).sum().backward()
    assert_close(a.grad, 8 * np.array([1.0, 2.0, 3.0]))
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "a leaf Variable that requires grad has been used in an in-place operation."
        ),
    ):
        Double_.apply(_x([1.0]))
    # Without grad recording it still returns the same tensor.
    with ndgrad.no_grad():
        d = _x([1.0], requires_grad=False)
        assert Double_.apply(d) is d
        assert_close(d, [2.0])


@requires_torch
def test_mark_dirty_on_view_matches_torch():
    def run(lib):
        class Double_(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.mul_(2)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 2

        a = lib.tensor([1.0, 2.0, 3.0, 4.0], dtype=lib.float64, requires_grad=True)
        b = a * 1
        v = b.view(2, 2).transpose(0, 1)
        c = Double_.apply(v)
        names = (type(c.grad_fn).__name__, type(b.grad_fn).__name__, c is v)
        (c.sum() * 3 + (b * b).sum()).backward()
        return names, a.grad, b.detach()

    ours, theirs = run(ndgrad), run(torch)
    assert ours[0] == theirs[0] == ("AsStridedBackward0", "CopySlices", True)
    assert_close(ours[1:], theirs[1:])


# --- the engine's validation of what backward returns ------------------------------------------


def _fn_returning(result_fn, n_inputs=1):
    class MyFn(Function):
        @staticmethod
        def forward(ctx, *xs):
            return xs[0] * 2

        @staticmethod
        def backward(ctx, g):
            return result_fn(g)

    return MyFn


def test_wrong_number_of_gradients():
    fn = _fn_returning(lambda g: g)
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "function MyFnBackward returned an incorrect number of gradients (expected 2, got 1)"
        ),
    ):
        fn.apply(_x([1.0, 2.0]), _x([1.0, 2.0])).sum().backward()


def test_extra_none_gradients_are_allowed():
    fn = _fn_returning(lambda g: (g * 2, None, None))
    x = _x([1.0, 2.0])
    fn.apply(x).sum().backward()
    assert_close(x.grad, [2.0, 2.0])


def test_wrong_gradient_shape():
    fn = _fn_returning(lambda g: ndgrad.ones(3, dtype=ndgrad.float64))
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "Function MyFnBackward returned an invalid gradient at index 0 - got [3] but "
            "expected shape compatible with [2]"
        ),
    ):
        fn.apply(_x([1.0, 2.0])).sum().backward()


def test_broadcast_gradient_is_summed_and_dtype_cast():
    fn = _fn_returning(lambda g: ndgrad.ones(3, 2, dtype=ndgrad.float32))
    x = _x([1.0, 2.0])
    fn.apply(x).sum().backward()
    assert x.grad.dtype == ndgrad.float64
    assert_close(x.grad, [3.0, 3.0])


def test_gradient_of_wrong_type():
    fn = _fn_returning(lambda g: 3)
    with pytest.raises(RuntimeError, match=re.escape("expected Variable or None (got int)")):
        fn.apply(_x([1.0, 2.0])).sum().backward()


def test_gradient_for_non_tensor_input():
    class MyFn(Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g, g

    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "function MyFnBackward returned a gradient different than None at position 2, but "
            "the corresponding forward input was not a Variable"
        ),
    ):
        MyFn.apply(_x([1.0, 2.0]), 2).sum().backward()


@requires_torch
@pytest.mark.parametrize("case", ["count", "shape", "type"])
def test_validation_messages_match_torch(case):
    def make(lib):
        class MyFn(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x * y

            @staticmethod
            def backward(ctx, g):
                if case == "count":
                    return (g,)
                if case == "shape":
                    return lib.ones(3, dtype=lib.float64), None
                return 3, None

        return MyFn

    messages = []
    for lib in (ndgrad, torch):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        with pytest.raises(RuntimeError) as info:
            make(lib).apply(x, x.detach()).sum().backward()
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_once_differentiable():
    from ndgrad.autograd.function import once_differentiable

    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            assert not ndgrad.is_grad_enabled()
            return 2 * x * g

    x = _x([1.0, 2.0])
    (g,) = grad(Square.apply(x).sum(), x)
    assert_close(g, [2.0, 4.0])
    # With a differentiable grad_output under create_graph, differentiating again raises.
    v = _x([1.0, 1.0])
    (g,) = grad(Square.apply(x), x, v, create_graph=True)
    assert_close(g, [2.0, 4.0])
    assert type(g.grad_fn).__name__ == "Error"
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "trying to differentiate twice a function that was marked with @once_differentiable"
        ),
    ):
        g.sum().backward()
