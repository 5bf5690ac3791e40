"""Forward-mode AD (dual tensors), checked against the reverse-mode jvp and torch."""

from __future__ import annotations

import re

import numpy as np
import pytest

import ndgrad
import ndgrad.autograd.forward_ad as fwAD
from ndgrad.autograd import Function
from ndgrad.autograd.functional import jvp
from tests.helpers import assert_close, requires_torch, torch

RNG = np.random.default_rng(3)


def _t(a, requires_grad=False):
    return ndgrad.tensor(np.array(a, dtype=np.float64), requires_grad=requires_grad)


def _forward_jvp(fn, primals, tangents):
    with fwAD.dual_level():
        duals = [fwAD.make_dual(p, t) for p, t in zip(primals, tangents, strict=True)]
        out = fn(*duals)
        outs = out if isinstance(out, tuple) else (out,)
        unpacked = [fwAD.unpack_dual(o) for o in outs]
    return [u.primal for u in unpacked], [u.tangent for u in unpacked]


W = RNG.standard_normal((4, 3))


def _lib(x):
    return ndgrad if isinstance(x, ndgrad.Tensor) else torch


CASES = {
    # elementwise
    "add_sub_neg": (lambda x, y: x + y * 2 - (-x) - 3.0, [(3,), (3,)]),
    "mul_div": (lambda x, y: x * y / (y * y + 1) + 2 / (x * x + 1), [(3,), (2, 3)]),
    "pow": (lambda x, y: x**3 + (x * x + 1) ** 0.5 + 2.0**y, [(3,), (3,)]),
    "pow_tensor": (lambda x, y: (x * x + 1) ** (y * 0.1), [(3,), (3,)]),  # double-vjp fallback
    "unary": (
        lambda x, y: x.exp() + (x * x + 1).log() + x.tanh() * y.sigmoid() + y.relu() + x.abs(),
        [(2, 3), (2, 3)],
    ),
    "where_clone_cast": (
        lambda x, y: ndgrad.where(x > 0, x.clone() * y, 1.5).to(ndgrad.float32).double(),
        [(3,), (3,)],
    ),
    # reductions
    "sum_mean": (
        lambda x, y: x.sum() * y.mean(0) + x.sum(dim=1, keepdim=True) * y.mean(),
        [(2, 3), (2, 3)],
    ),
    # shape
    "shape": (
        lambda x, y: (
            x.reshape(3, 2).transpose(0, 1).permute(1, 0).unsqueeze(0).squeeze(0).view(6)
            + y.expand(2, 3).reshape(6)
        ),
        [(2, 3), (3,)],
    ),
    "stack_unbind": (lambda x, y: ndgrad.stack([*x.unbind(0), y], 1) * 2, [(2, 3), (3,)]),
    # matmul family
    "matmul": (
        lambda x, y: (
            (_lib(x).tensor(W) @ x).tanh() @ y + (x @ x) * (y.unsqueeze(1) @ y.unsqueeze(0))
        ),
        [(3,), (4,)],
    ),
    "mm_bmm": (
        lambda x, y: (x @ y.transpose(0, 1)).sum() + (x.unsqueeze(0) @ y.unsqueeze(0).mT),
        [(2, 3), (2, 3)],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_forward_mode_matches_reverse_mode_jvp(name):
    fn, shapes = CASES[name]
    primals = [_t(RNG.standard_normal(s)) for s in shapes]
    tangents = [_t(RNG.standard_normal(s)) for s in shapes]
    values, fwd = _forward_jvp(fn, primals, tangents)
    out, rev = jvp(fn, tuple(primals), tuple(tangents))
    assert_close(values[0], out, rtol=1e-12)
    assert fwd[0] is not None
    assert_close(fwd[0], rev, rtol=1e-10, atol=1e-12)


@requires_torch
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torch's forward AD uses jit.script
@pytest.mark.parametrize("name", ["mul_div", "unary", "sum_mean", "shape", "matmul"])
def test_forward_mode_matches_torch(name):
    fn, shapes = CASES[name]
    primals = [RNG.standard_normal(s) for s in shapes]
    tangents = [RNG.standard_normal(s) for s in shapes]
    _, ours = _forward_jvp(fn, [_t(p) for p in primals], [_t(t) for t in tangents])
    with torch.autograd.forward_ad.dual_level():
        duals = [
            torch.autograd.forward_ad.make_dual(torch.tensor(p), torch.tensor(t))
            for p, t in zip(primals, tangents, strict=True)
        ]
        theirs = torch.autograd.forward_ad.unpack_dual(fn(*duals)).tangent
    assert_close(ours[0], theirs, rtol=1e-10, atol=1e-12)


def test_make_dual_unpack_dual_api():
    x, t = _t([1.0, 2.0]), _t([0.5, -1.0])
    with fwAD.dual_level():
        d = fwAD.make_dual(x, t)
        assert d is not x
        u = fwAD.unpack_dual(d)
        assert isinstance(u, fwAD.UnpackedDualTensor) and u._fields == ("primal", "tangent")
        assert u.tangent is t
        assert_close(u.primal, x)
        assert fwAD.unpack_dual(u.primal).tangent is None  # the primal view has no tangent
        assert fwAD.unpack_dual(x).tangent is None  # make_dual leaves the input alone
        y = d * d
        assert_close(fwAD.unpack_dual(y).tangent, [1.0, -4.0])
    # Leaving the level drops every tangent.
    assert fwAD.unpack_dual(y).tangent is None
    assert fwAD.unpack_dual(d).tangent is None
    assert "_fw_grad" not in y.__dict__


def test_no_tangents_outside_a_level():
    x = _t([1.0])
    y = x * 2
    assert "_fw_grad" not in y.__dict__
    assert fwAD.unpack_dual(y) == (y, None)


def test_forward_ad_errors():
    x = _t([1.0, 2.0])
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "Trying to create a dual Tensor for forward AD but no level exists, make sure to "
            "enter_dual_level() first."
        ),
    ):
        fwAD.make_dual(x, x)
    with fwAD.dual_level():
        with pytest.raises(
            RuntimeError,
            match=re.escape(
                "Trying to set a forward gradient that has a different size than that of the "
                "original Tensor, this is not supported. Tensor is of size [2] while the given "
                "forward gradient is of size [3]."
            ),
        ):
            fwAD.make_dual(x, _t([1.0, 2.0, 3.0]))
        with pytest.raises(
            ValueError,
            match=re.escape(
                "Expected primal to be floating point or complex, but got: torch.int64"
            ),
        ):
            fwAD.make_dual(ndgrad.tensor([1, 2]), x)
        with (
            pytest.raises(
                RuntimeError,
                match=re.escape("Nested forward mode AD is not supported at the moment"),
            ),
            fwAD.dual_level(),
        ):
            pass


def test_custom_function_jvp_and_missing_jvp():
    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_forward(x)
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

        @staticmethod
        def jvp(ctx, t):
            (x,) = ctx.saved_tensors
            return 2 * x * t

    class NoJvp(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x, t = _t([1.5, -2.0]), _t([1.0, 3.0])
    _, (tan,) = _forward_jvp(Square.apply, [x], [t])
    assert_close(tan, [3.0, -12.0])
    with (
        fwAD.dual_level(),
        pytest.raises(
            NotImplementedError,
            match=re.escape(
                "You must implement the jvp function for custom autograd.Function to use it with "
                "forward mode AD."
            ),
        ),
    ):
        NoJvp.apply(fwAD.make_dual(x, t))


def test_forward_and_reverse_mode_together():
    # A dual tensor that also requires grad: reverse mode sees the primal computation.
    x = _t([0.5, 1.0], requires_grad=True)
    with fwAD.dual_level():
        d = fwAD.make_dual(x, _t([1.0, 0.0]))
        y = (d.exp() * d).sum()
        tangent = fwAD.unpack_dual(y).tangent
    y.backward()
    assert_close(x.grad, np.exp([0.5, 1.0]) * (1 + np.array([0.5, 1.0])))
    assert_close(tangent, np.exp(0.5) * 1.5)


def test_inplace_on_dual_keeps_tangent_of_result():
    x, t = _t([1.0, 2.0]), _t([1.0, 1.0])
    with fwAD.dual_level():
        d = fwAD.make_dual(x, t)
        y = d * 1
        y.mul_(d)  # y = d², written in place
        assert_close(fwAD.unpack_dual(y).tangent, [2.0, 4.0])


def test_dual_level_is_per_thread():
    import threading

    x, t = _t([1.0, 2.0]), _t([1.0, 1.0])
    seen = {}

    def worker():
        seen["active"] = ndgrad.autograd.grad_mode._state.forward_ad
        with fwAD.dual_level():
            d = fwAD.make_dual(x, t * 2)
            seen["tangent"] = fwAD.unpack_dual(d * d).tangent

    with fwAD.dual_level():
        d = fwAD.make_dual(x, t)
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        y = d * 3  # the worker's level ending did not clear this thread's tangents
        assert_close(fwAD.unpack_dual(y).tangent, [3.0, 3.0])
        assert fwAD.unpack_dual(d).tangent is t
    assert seen["active"] is None  # no level in a new thread
    assert_close(seen["tangent"], [4.0, 8.0])


def test_builtin_style_numpy_function_with_jvp():
    from ndgrad.ops.arithmetic import NumpyFunction

    class Cube(NumpyFunction):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_forward(x)
            return x**3

        @staticmethod
        def backward(ctx, g):
            raise AssertionError("forward mode must not need backward")

        @staticmethod
        def jvp(ctx, t):
            (x,) = ctx.saved_tensors
            return 3 * x * x * t

    _, (tan,) = _forward_jvp(Cube.apply, [_t([1.0, 2.0])], [_t([1.0, -1.0])])
    assert_close(tan, [3.0, -12.0])


def _restrided_tangents(lib):
    """In-place reshapes (squeeze_, unsqueeze_, t_, transpose_) give the tangent the new shape
    too: a vector times a matrix (matmul's squeeze_ of a 1-row product) had a (1, 3) tangent
    for a (3,) result, and x @ A @ x raised (found through ndgrad.func's jvp)."""
    fw = lib.autograd.forward_ad
    x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)
    t = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64)
    a = lib.arange(9.0, dtype=lib.float64).reshape(3, 3)
    seen = []
    with fw.dual_level():
        d = fw.make_dual(x, t)
        for y in (d @ a, d @ a @ d, (d.reshape(1, 3) * 1).t_(), (d * 1).unsqueeze_(0).squeeze_(0)):
            tangent = fw.unpack_dual(y).tangent
            seen.append((tuple(y.shape), tuple(tangent.shape), tangent.flatten().tolist()))
        m = (d.reshape(1, 3) * 2).transpose_(0, 1)
        tangent = fw.unpack_dual(m).tangent
        seen.append((tuple(m.shape), tuple(tangent.shape), tangent.flatten().tolist()))
    return seen


def test_restrided_tangents():
    assert _restrided_tangents(ndgrad) == [
        ((3,), (3,), [9.0, 10.5, 12.0]),
        ((), (), [120.0]),
        ((3, 1), (3, 1), [0.5, -1.0, 2.0]),
        ((3,), (3,), [0.5, -1.0, 2.0]),
        ((3, 1), (3, 1), [1.0, -2.0, 4.0]),
    ]


@requires_torch
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torch's forward AD uses jit.script
def test_restrided_tangents_as_pytorch():
    assert _restrided_tangents(ndgrad) == _restrided_tangents(torch)
