"""ndgrad.autograd.gradcheck_graph: per-node numerical checks at the real forward values."""

from __future__ import annotations

import numpy as np
import pytest

import ndgrad
import ndgrad.nn.functional as F
from ndgrad.autograd import Function, gradcheck_graph, record_inputs


class GoodCube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x


class WrongCube(Function):
    """Deliberately wrong backward: 2x² instead of 3x²."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 2 * x * x


class WrongSecondInput(Function):
    """y = a * b with the gradient of b forgotten (returned as zeros)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        _, b = ctx.saved_tensors
        return g * b, g * 0


def _model(cube):
    rng = np.random.default_rng(0)
    x = ndgrad.tensor(rng.standard_normal((4, 3)).astype(np.float32))
    w1 = ndgrad.tensor(rng.standard_normal((3, 5)).astype(np.float32), requires_grad=True)
    w2 = ndgrad.tensor(rng.standard_normal((5, 1)).astype(np.float32), requires_grad=True)
    with record_inputs():
        h = (x @ w1).tanh()
        h = cube.apply(h)  # the custom op inside the model
        loss = (h @ w2).relu().mean()
    return loss


def test_a_correct_model_passes():
    report = gradcheck_graph(_model(GoodCube))
    assert report.ok and bool(report)
    names = [r.op for r in report.results]
    assert names == [
        "MmBackward0",
        "TanhBackward0",
        "GoodCubeBackward",
        "MmBackward0",
        "ReluBackward0",
        "MeanBackward0",
    ]
    assert report.unrecorded == []
    assert "0 failed" in str(report)


def test_the_wrong_custom_function_is_found_with_its_line():
    report = gradcheck_graph(_model(WrongCube))
    assert not report.ok
    first = report.first_failure
    assert first.op == "WrongCubeBackward"
    assert [f.op for f in report.failures] == ["WrongCubeBackward"]
    assert first.input_index == 0
    # backward gives 2/3 of the true directional derivative
    assert np.isclose(first.analytical, first.numerical * 2 / 3, rtol=1e-3)
    assert first.site is not None and "cube.apply(h)" in first.site.line
    text = str(report)
    assert "WrongCubeBackward: FAILED" in text and "cube.apply(h)" in text


def test_the_failing_input_is_named():
    a = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    b = ndgrad.tensor([3.0, -1.0], requires_grad=True)
    with record_inputs():
        y = WrongSecondInput.apply(a, b).sum()
    first = gradcheck_graph(y).first_failure
    assert first.op == "WrongSecondInputBackward" and first.input_index == 1


def test_checks_use_the_recorded_values_not_later_ones():
    a = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    with record_inputs():
        y = GoodCube.apply(a * 1.0)
    with ndgrad.no_grad():
        a.mul_(100.0)  # the recorded input of the first Mul is a copy
    assert gradcheck_graph(y.sum()).ok


def test_unrecorded_nodes_are_listed_and_not_checked():
    a = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    y = WrongCube.apply(a).sum()  # no record_inputs
    report = gradcheck_graph(y)
    assert report.ok and report.results == []
    assert sorted(report.unrecorded) == ["SumBackward0", "WrongCubeBackward"]
    assert "record_inputs" in str(report)


def test_a_backward_that_raises_is_a_failure():
    class Broken(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            raise ValueError("oops")

    a = ndgrad.tensor([1.0], requires_grad=True)
    with record_inputs():
        y = Broken.apply(a)
    first = gradcheck_graph(y).first_failure
    assert first.op == "BrokenBackward" and "ValueError: oops" in first.error


def test_record_inputs_is_off_after_the_block_and_nests():
    from ndgrad.autograd.function import Function as F
    from ndgrad.autograd.record import _original_apply, node_record

    a = ndgrad.tensor([1.0], requires_grad=True)
    with record_inputs():
        with record_inputs():
            y1 = a * 2
        y2 = a * 3
    y3 = a * 4
    assert node_record(y1.grad_fn) is not None and node_record(y2.grad_fn) is not None
    assert node_record(y3.grad_fn) is None
    assert F.__dict__["apply"] is _original_apply


def test_float32_casts_are_checked_with_float32_tolerances():
    a = ndgrad.tensor([0.3, 0.7], dtype=ndgrad.float64, requires_grad=True)
    with record_inputs():
        y = (a.float() * 2).sum()
    report = gradcheck_graph(y)
    assert report.ok, str(report)
    assert "ToCopyBackward0" in [r.op for r in report.results]


class WrongRelu(Function):
    """relu with a wrong slope (2 instead of 1) on the positive side: wrong, and with a kink."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.relu()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x > 0).to(g.dtype) * 2


def test_conv_relu_maxpool_ties_are_not_differentiable_points_not_failures():
    # ReLU zeros make ties inside the pooling windows: max-pooling has a kink there.
    ndgrad.manual_seed(0)
    x = ndgrad.randn(1, 1, 6, 6)
    w = ndgrad.randn(2, 1, 3, 3, requires_grad=True)
    with record_inputs():
        y = F.max_pool2d(F.relu(F.conv2d(x, w)), 2).sum()
    report = gradcheck_graph(y)
    assert report.ok and report.failures == []
    (kink,) = report.nondifferentiable
    assert kink.op == "MaxPool2DWithIndicesBackward0" and kink.ok
    assert kink.left is not None and kink.right is not None and kink.left != kink.right
    text = str(report)
    assert "0 failed" in text and "not differentiable here" in text and "FAILED" not in text
    assert "from the left" in text and "from the right" in text


@pytest.mark.parametrize(
    "op, name",
    [
        (lambda x: x.relu(), "ReluBackward0"),
        (lambda x: x.clamp(-1.0, 1.0), "ClampBackward1"),
        (lambda x: ndgrad.stack([x, x.flip(0) * 0 + 1]).max(0).values, "MaxBackward0"),
    ],
)
def test_kinks_are_reported_with_one_sided_derivatives(op, name):
    x = ndgrad.tensor([0.0, 1.0, -1.0, 0.5], dtype=ndgrad.float64, requires_grad=True)
    with record_inputs():
        y = op(x).sum()
    report = gradcheck_graph(y)
    assert report.ok, str(report)
    assert [k.op for k in report.nondifferentiable] == [name]


@pytest.mark.parametrize("op", [lambda x: x.abs(), lambda x: ndgrad.stack([x, -x]).amax(0)])
def test_kinks_where_the_backward_matches_central_differences_pass(op):
    # abs at 0 (gradient 0) and amax's even split of a tie are what central differences give.
    x = ndgrad.tensor([0.0, 1.0, -1.0], dtype=ndgrad.float64, requires_grad=True)
    with record_inputs():
        y = op(x).sum()
    report = gradcheck_graph(y)
    assert report.ok and report.nondifferentiable == []


def test_a_wrong_backward_at_a_kink_point_away_from_it_still_fails():
    # One element sits on the kink, the others are where the slope is wrong: a real failure.
    x = ndgrad.tensor([0.0, 1.0, 2.0, 3.0], dtype=ndgrad.float64, requires_grad=True)
    with record_inputs():
        y = WrongRelu.apply(x).sum()
    report = gradcheck_graph(y)
    assert not report.ok and report.first_failure.op == "WrongReluBackward"
