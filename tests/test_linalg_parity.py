"""Linear algebra cases found different from PyTorch by a differential run (ndgrad against torch
2.13 on random well-conditioned inputs, empty shapes and keyword options). Each case states the
expected result by hand and, where torch is installed, checks it against torch too."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import gradcheck, gradgradcheck

from .helpers import assert_close, to_numpy, torch

LIBS = [ndgrad] + ([torch] if torch is not None else [])


def _leaf(lib: Any, a: Any) -> Any:
    return lib.tensor(np.array(a, dtype=np.float64), requires_grad=True)


def _node(t: Any) -> str | None:
    return None if t.grad_fn is None else type(t.grad_fn).__name__


# --- norms and cond of empty matrices ------------------------------------------------------------


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
@pytest.mark.parametrize(
    ("shape", "ord", "keepdim", "out_shape", "node"),
    [
        # the maximum over an empty dim: zeros outside the graph
        ((0, 3), 2, False, (), None),
        ((3, 0), 1, True, (1, 1), None),
        ((2, 0, 3), math.inf, False, (2,), None),
        ((2, 3, 0), 1, False, (2,), None),
        # the maximum over a non-empty dim of empty sums: amax as usual
        ((0, 3), 1, False, (), "AmaxBackward0"),
        ((3, 0), math.inf, True, (1, 1), "AmaxBackward0"),
    ],
)
def test_matrix_norm_max_over_an_empty_dim_is_zero(
    lib: Any, shape: tuple[int, ...], ord: Any, keepdim: bool, out_shape: tuple, node: str | None
) -> None:
    y = lib.linalg.matrix_norm(_leaf(lib, np.zeros(shape)), ord=ord, keepdim=keepdim)
    assert tuple(y.shape) == out_shape
    assert _node(y) == node
    assert not to_numpy(y).any()
    if node is None:  # the minimum over the empty dim raises amin's error
        with pytest.raises(IndexError, match=r"amin\(\): Expected reduction dim"):
            lib.linalg.matrix_norm(lib.zeros(shape), ord=-ord)


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("ord", ["nuc", 2])
def test_matrix_norm_keepdim_of_singular_values_is_a_permute(lib: Any, ord: Any) -> None:
    a = np.random.default_rng(0).standard_normal((4, 2, 3))
    x = _leaf(lib, a)
    y = lib.linalg.matrix_norm(x, ord=ord, dim=(0, 2), keepdim=True)
    assert tuple(y.shape) == (1, 2, 1)
    assert _node(y) == "PermuteBackward0"
    s = np.linalg.svd(np.moveaxis(a, 1, 0), compute_uv=False)
    assert_close(y.reshape(2), s.sum(-1) if ord == "nuc" else s.max(-1))


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("p", [None, 2, -2, 1, -math.inf, "fro", "nuc"])
@pytest.mark.parametrize("shape", [(0, 0), (2, 0, 0), (0, 4, 3), (3, 0)])
def test_cond_of_empty_matrices_is_zero(lib: Any, p: Any, shape: tuple[int, ...]) -> None:
    x = _leaf(lib, np.zeros(shape))
    if isinstance(p, str) and shape[-1] != shape[-2]:  # these two check that A is square
        with pytest.raises(RuntimeError, match=r"A must be batches of square matrices, but they"):
            lib.linalg.cond(x, p)
        return
    y = lib.linalg.cond(x, p)
    assert tuple(y.shape) == shape[:-2]
    assert y.grad_fn is None
    assert not to_numpy(y).any()


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_cond_nodes(lib: Any) -> None:
    a = np.random.default_rng(1).standard_normal((3, 3)) + 3 * np.eye(3)
    x = _leaf(lib, a)
    # 2: s_max / s_min narrowed and squeezed; the orders through inv end with nan_to_num
    assert _node(lib.linalg.cond(x)) == "SqueezeBackward1"
    assert _node(lib.linalg.cond(x, 1)) == "NanToNumBackward0"
    assert _node(lib.linalg.cond(x, "nuc")) == "MulBackward0"
    assert_close(lib.linalg.cond(x, 1), np.linalg.cond(a, 1))
    if lib is not ndgrad:
        return
    a = np.random.default_rng(2).standard_normal((2, 3, 3)) + 3 * np.eye(3)
    for p in (None, -2, "fro", 1):
        assert gradcheck(lambda x, p=p: ndgrad.linalg.cond(x, p), (_leaf(ndgrad, a),))
        assert gradgradcheck(lambda x, p=p: ndgrad.linalg.cond(x, p), (_leaf(ndgrad, a),))


# --- vector norms --------------------------------------------------------------------------------


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_vector_norm_zero_order_has_no_gradient(lib: Any) -> None:
    """PyTorch's derivative of the count of nonzeros is undefined, not zeros: .grad stays None
    and autograd.grad reports the input unused."""
    x = _leaf(lib, [1.0, 0.0, -2.0])
    y = lib.linalg.vector_norm(x, 0)
    assert to_numpy(y) == 2.0 and _node(y) == "LinalgVectorNormBackward0"
    y.backward()
    assert x.grad is None
    (lib.linalg.vector_norm(x, 0, dim=0) + x.sum()).backward()
    assert_close(x.grad, np.ones(3))
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        lib.autograd.grad(lib.linalg.vector_norm(x, 0), x)


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
@pytest.mark.parametrize(
    ("ord", "dim", "message"),
    [
        (-1, None, "the -1 norm on an empty tensor"),
        (-0.5, -1, "the -0.5 norm on the dimension -1because"),
        (-2.0, (0, 1), "the -2 norm on the dimension 1because"),
        (-math.inf, None, "the -inf norm on an empty tensor"),
    ],
)
def test_vector_norm_negative_order_of_nothing_raises(
    lib: Any, ord: float, dim: Any, message: str
) -> None:
    text = "linalg.vector_norm cannot compute " + message
    with pytest.raises(RuntimeError, match=re.escape(text)):
        lib.linalg.vector_norm(lib.zeros(2, 0), ord, dim)
    # over a non-empty dim of an empty tensor there is nothing to reduce away
    assert tuple(lib.linalg.vector_norm(lib.zeros(2, 0), ord, 0).shape) == (0,)
