"""What the view fuzzer's seeds 1380-1409 found (tests/fuzz_views.py), and the same defects
in the ops next to them: which saved values a node keeps (so that a second backward through it,
or a write into one of them, raises as in PyTorch), the order of a node's saved-value checks,
and index_reduce's node name."""

from __future__ import annotations

import numpy as np
import pytest

import ndgrad
from tests.helpers import requires_torch, torch

SECOND_TIME = "Trying to backward through the graph a second time"

# both libraries warn once per process that index_reduce is in beta (test_index_reduce_warns)
pytestmark = pytest.mark.filterwarnings("ignore:index_reduce\\(\\) is in beta:UserWarning")


def _second_backward_message(lib, make):
    x = lib.tensor([0.1, 0.7, 0.3, 0.9], dtype=lib.float64, requires_grad=True)
    y = make(lib, x)
    y.sum().backward()
    try:
        y.sum().backward()
    except RuntimeError as e:
        return type(y.grad_fn).__name__, str(e).split(" (or")[0]
    return type(y.grad_fn).__name__, None


def _ones(lib):
    return lib.ones(2, dtype=lib.float64)


_OPS = {
    "index_put accumulate": lambda lib, x: x.index_put(
        (lib.tensor([0, 2]),), _ones(lib), accumulate=True
    ),
    "index_put_ accumulate": lambda lib, x: (x * 1).index_put_(
        (lib.tensor([0, 2]),), _ones(lib), accumulate=True
    ),
    "scatter_reduce sum": lambda lib, x: x.scatter_reduce(0, lib.tensor([0, 2]), _ones(lib), "sum"),
    "scatter_reduce mean": lambda lib, x: x.scatter_reduce(
        0, lib.tensor([0, 0]), _ones(lib), "mean"
    ),
    "scatter_reduce amax": lambda lib, x: x.scatter_reduce(
        0, lib.tensor([1, 2]), _ones(lib), "amax"
    ),
    "index_reduce prod": lambda lib, x: x.index_reduce(0, lib.tensor([0, 2]), _ones(lib), "prod"),
    "index_reduce amin": lambda lib, x: x.index_reduce(0, lib.tensor([0, 2]), _ones(lib), "amin"),
}
_NODES = {
    "index_put accumulate": "IndexPutBackward0",
    "index_put_ accumulate": "IndexPutBackward0",
    "scatter_reduce sum": "ScatterReduceBackward0",
    "scatter_reduce mean": "ScatterReduceBackward0",
    "scatter_reduce amax": "ScatterReduceBackward0",
    "index_reduce prod": "IndexReduceBackward0",
    "index_reduce amin": "IndexReduceBackward0",
}


@pytest.mark.parametrize("name", list(_OPS))
def test_a_second_backward_through_the_node_raises(name):
    # seed 1380-1409: x.index_put_((i,), v, accumulate=True) computed again on a graph whose
    # index PyTorch had freed; scatter_reduce saved nothing for sum, mean, amax and amin
    node, message = _second_backward_message(ndgrad, _OPS[name])
    assert node == _NODES[name]
    assert message == SECOND_TIME


@requires_torch
@pytest.mark.parametrize("name", list(_OPS))
def test_a_second_backward_through_the_node_matches_pytorch(name):
    assert _second_backward_message(ndgrad, _OPS[name]) == _second_backward_message(
        torch, _OPS[name]
    )


@pytest.mark.parametrize("reduce", ["sum", "mean", "amax", "amin"])
def test_scatter_reduce_saves_its_source_and_result(reduce):
    i = ndgrad.tensor([0, 0, 2])
    x = ndgrad.tensor([1.0, 2, 3, 4], requires_grad=True)
    s = ndgrad.tensor([5.0, 6, 7], requires_grad=True)
    s2 = s * 1
    z = (x * 1).scatter_reduce(0, i, s2, reduce)
    s2.mul_(2)
    with pytest.raises(RuntimeError, match="output 0 of Mul, is at version 1"):
        z.sum().backward()
    z = (x * 1).scatter_reduce(0, i, s, reduce)
    z.mul_(2)
    with pytest.raises(RuntimeError, match="output 0 of ScatterReduce, is at version 1"):
        z.sum().backward()


def test_index_reduce_gradients_are_unchanged_by_the_name():
    x = ndgrad.tensor([1.0, 2, 3, 4], dtype=ndgrad.float64, requires_grad=True)
    s = ndgrad.tensor([5.0, 0, 7], dtype=ndgrad.float64, requires_grad=True)
    i = ndgrad.tensor([0, 0, 2])
    for reduce in ("prod", "mean", "amax", "amin"):
        y = x.index_reduce(0, i, s, reduce)
        ref = x.scatter_reduce(0, ndgrad.tensor([0, 0, 2]), s, reduce)
        np.testing.assert_array_equal(y.detach().numpy(), ref.detach().numpy())
        gx, gs = ndgrad.autograd.grad(y.sum(), [x, s])
        rx, rs = ndgrad.autograd.grad(ref.sum(), [x, s])
        np.testing.assert_array_equal(gx.numpy(), rx.numpy())
        np.testing.assert_array_equal(gs.numpy(), rs.numpy())


def _other_first_program(lib):
    # seed 1380-1409 (shrunk): t5 is detached in place after t6 = t5 * t4 saved it, and t4 was
    # written to; PyTorch's MulBackward0 unpacks `other` (t4) first: its version error wins
    t0 = lib.tensor(
        [[-1.437, 1.938, -0.558, 1.574], [1.694, 0.626, -1.182, -0.345]],
        dtype=lib.float64,
        requires_grad=True,
    )
    t1 = -1.25 / t0
    t3 = t0.sort(0, descending=True).values
    t4 = t1.permute((0, 1))
    t5 = lib.where(t0 > -0.7165, t0, t3)
    t6 = t5 * t4
    t1[1:2] = 0.5
    t5.detach_()
    try:
        lib.sin(t6).sum().backward()
    except RuntimeError as e:
        return str(e)
    return None


def test_other_first_version_error_comes_before_self_detach_error():
    msg = _other_first_program(ndgrad)
    assert msg is not None
    assert msg.startswith(
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.DoubleTensor [2, 4]], which is output 0 of AsStrided, is at version 1"
    )


@requires_torch
def test_other_first_order_matches_pytorch():
    assert _other_first_program(ndgrad) == _other_first_program(torch)


def test_self_detach_error_still_reported_when_other_is_intact():
    a = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    b = ndgrad.tensor([3.0, 4.0], requires_grad=True)
    x, w = a * 1, b * 1
    y = x * w
    x.detach_()
    with pytest.raises(RuntimeError, match="detached in-place"):
        y.sum().backward()


def test_index_reduce_warns_once_that_it_is_in_beta():
    import warnings

    from ndgrad import _errors

    _errors.WARNED_ONCE.discard("index_reduce")
    x, i, s = ndgrad.ones(3), ndgrad.tensor([0]), ndgrad.ones(1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(RuntimeError, match="Expected reduce to be one of"):
            x.index_reduce(0, i, s, "sum")  # argument errors come first
        x.index_reduce(0, i, s, "prod")
        x.index_reduce(0, i, s, "amax")
    assert [str(w.message) for w in caught] == [
        "index_reduce() is in beta and the API may change at any time."
    ]
    assert caught[0].category is UserWarning and caught[0].filename == __file__


def test_layer_norm_third_derivative_matches_finite_differences():
    # seed 1384: t9 = sum(d/dx (<∇f(x), w>)²) with f = sum(gelu(layer_norm(x))) is 0 for every
    # x (layer_norm ignores a shift of x, so each gradient here sums to 0), so its gradient is
    # 0. torch 2.13 gives -0.00889 in every element (its layer_norm's third derivative);
    # ndgrad's agrees with central differences, which is what this checks.
    w = ndgrad.tensor([-0.457, 0.398, -0.34, 0.918], dtype=ndgrad.float64)

    def t9(x: np.ndarray) -> tuple[ndgrad.Tensor, ndgrad.Tensor]:
        t0 = ndgrad.tensor(x, dtype=ndgrad.float64, requires_grad=True)
        f = ndgrad.nn.functional.gelu(ndgrad.nn.functional.layer_norm(t0, (4,))).sum()
        (g,) = ndgrad.autograd.grad(f, [t0], create_graph=True)
        (t8,) = ndgrad.autograd.grad((g * w).sum() ** 2, [t0], create_graph=True)
        return t8.sum(), t0

    x = np.array([-0.4, 1.7, 1.5, -0.7])
    value, t0 = t9(x)
    (grad,) = ndgrad.autograd.grad(value, [t0])
    h = 1e-5
    numeric = [(t9(x + h * e)[0].item() - t9(x - h * e)[0].item()) / (2 * h) for e in np.eye(4)]
    np.testing.assert_allclose(grad.numpy(), numeric, atol=1e-9)

    # and a case where the third derivative is not 0: the same without layer_norm
    def u(x: np.ndarray) -> tuple[ndgrad.Tensor, ndgrad.Tensor]:
        t0 = ndgrad.tensor(x, dtype=ndgrad.float64, requires_grad=True)
        (g,) = ndgrad.autograd.grad(ndgrad.nn.functional.gelu(t0).sum(), [t0], create_graph=True)
        (t8,) = ndgrad.autograd.grad((g * w).sum() ** 2, [t0], create_graph=True)
        return t8.sum(), t0

    value, t0 = u(x)
    (grad,) = ndgrad.autograd.grad(value, [t0])
    numeric = [(u(x + h * e)[0].item() - u(x - h * e)[0].item()) / (2 * h) for e in np.eye(4)]
    assert np.abs(numeric).max() > 0.05
    np.testing.assert_allclose(grad.numpy(), numeric, rtol=1e-6, atol=1e-9)
