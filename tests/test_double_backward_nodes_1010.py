"""The graph of a gradient taken with create_graph=True, node for node as PyTorch's, for ops
whose backward formula ndgrad wrote its own way: the reductions' kept dims come back by
unsqueeze (ndgrad reshaped: ViewBackward0), cumsum/cumprod sum in reverse by flip, cumsum, flip
(ndgrad: ReverseCumsumBackward0), and pow's and sqrt's constant factors are Tensor * Scalar
(MulBackward1; ndgrad: MulBackward0). A check over 87 ops found these; each fails before its fix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import ndgrad

from .helpers import requires_torch, torch
from .programs import assert_same, graph_names, run

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "prod along a dim": lambda lib, x: x.prod(1),
    "norm along a dim": lambda lib, x: x.norm(dim=1),
    "vector_norm over two dims": lambda lib, x: lib.linalg.vector_norm(x.view(1, 2, 3), dim=(0, 2)),
    "logsumexp": lambda lib, x: x.logsumexp(1),
    "cumsum": lambda lib, x: x.cumsum(1),
    "cumprod": lambda lib, x: x.cumprod(1),
    "pow": lambda lib, x: x**3,
    "sqrt": lambda lib, x: (x * x + 1).sqrt(),
    "normalize": lambda lib, x: lib.nn.functional.normalize(x),
    # masked_fill's gradient is grad.masked_fill(mask, 0) (ndgrad: where: WhereBackward0)
    "masked_fill": lambda lib, x: lib.sin(x).masked_fill(x.detach() > 0, 0.5),
    "masked_fill with a tensor value": lambda lib, x: lib.sin(x).masked_fill(
        x.detach() > 0, x.sum()
    ),
}


def _gradient_graph(name: str) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        x = lib.tensor([[0.3, -1.2, 0.8], [1.5, 0.1, -0.7]], dtype=lib.float64, requires_grad=True)
        y = _OPS[name](lib, x)
        w = lib.linspace(0.5, 1.5, y.numel(), dtype=lib.float64).reshape(y.shape)
        (g,) = lib.autograd.grad((y * w).sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), x)
        return graph_names(g.grad_fn, 3), g, gg

    return program


@pytest.mark.parametrize("name", list(_OPS))
@requires_torch
def test_gradient_graph_as_torch(name: str) -> None:
    program = _gradient_graph(name)
    assert_same(run(program, ndgrad), run(program, torch), rtol=1e-12, atol=1e-12)


_ACC = ("torch::autograd::AccumulateGrad", [])
_BY_HAND = {
    "prod along a dim": (
        "MulBackward0",
        [None, ("DivBackward0", [("UnsqueezeBackward0", ["ProdBackward1"]), _ACC])],
    ),
    "cumprod": (
        "DivBackward0",
        [("FlipBackward0", [("CumsumBackward0", ["FlipBackward0"])]), _ACC],
    ),
    "pow": ("MulBackward0", [None, ("MulBackward1", [("PowBackward0", [_ACC[0]])])]),
}


@pytest.mark.parametrize("name", list(_BY_HAND))
def test_gradient_graph_by_hand(name: str) -> None:
    graph, _, _ = _gradient_graph(name)(ndgrad)
    assert graph == _BY_HAND[name]
    x = ndgrad.tensor([[0.3, -1.2, 0.8], [1.5, 0.1, -0.7]], dtype=ndgrad.float64)
    x.requires_grad_()
    assert ndgrad.autograd.gradgradcheck(lambda v: _OPS[name](ndgrad, v), (x,))


# --- mm and addmm: PyTorch's mm_mat1_backward / mm_mat2_backward ------------------------------
# g bᵀ as g.mm(b.t()) (TBackward0, not TransposeBackward0), and for an operand laid out by
# columns (a transposed matrix, linear's weight.t()) the transposed product, (b gᵀ)ᵀ; addmm
# scales the products by alpha after them and the input's gradient by beta (MulBackward1).


def _mm_graph(case: int) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        x = lib.arange(6.0, dtype=lib.float64).reshape(2, 3).requires_grad_()
        w = lib.arange(8.0, dtype=lib.float64).reshape(2, 4).requires_grad_()
        c = lib.ones(3, 4, dtype=lib.float64, requires_grad=True)
        a = x.t() if case & 1 else x.t().contiguous()
        b = w.t().contiguous().t() if case & 2 else w * 1
        y = lib.addmm(c, a, b, beta=0.5, alpha=2.0) if case & 4 else a @ b
        gw = lib.linspace(0.5, 1.5, y.numel(), dtype=lib.float64).reshape(y.shape)
        grads = lib.autograd.grad((y * gw).sum(), (a, b), create_graph=True)
        return [(graph_names(g.grad_fn, 3), g, g.stride()) for g in grads]

    return program


@pytest.mark.parametrize("case", range(8))
@requires_torch
def test_mm_gradient_graph_as_torch(case: int) -> None:
    program = _mm_graph(case)
    assert_same(run(program, ndgrad), run(program, torch), rtol=1e-12, atol=1e-12)


def test_mm_gradient_graph_by_hand() -> None:
    (ga, _, ga_stride), (gb, _, _) = _mm_graph(1)(ndgrad)  # a = x.t(): laid out by columns
    assert ga == ("TBackward0", [("MmBackward0", [("MulBackward0", [_ACC[0], None]), None])])
    assert ga_stride == (1, 3)
    assert gb == ("MmBackward0", [("TBackward0", [("TBackward0", [_ACC[0]])]), None])
    (ga, _, _), _ = _mm_graph(4)(ndgrad)
    assert ga[0] == "MulBackward1" and ga[1][0][0] == "MmBackward0"
