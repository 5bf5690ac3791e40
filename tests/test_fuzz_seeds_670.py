"""Regressions found by the view fuzzer (tests/fuzz_views.py) at seeds 670 and on.

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
from ndgrad.autograd import gradcheck, gradgradcheck

from .helpers import requires_torch, torch
from .programs import assert_same, modified, raises, run

INTERNAL = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)


# --- triu_/tril_ of an expanded tensor: in place only where PyTorch's kernel writes in place ---


def _triu_expanded_batch(lib: Any) -> Any:
    # fuzz seed 67x: 5-d with expanded batch dims after the first: PyTorch's kernel works on a
    # copy and copies it back, which refuses the overlap (ndgrad wrote zeros into it)
    t0 = lib.tensor([[[-1.7, 1.0]]], dtype=lib.float64, requires_grad=True)
    t3 = (-0.5 - t0).norm(2, dim=-1, keepdim=True)
    t5 = t3[None].expand((2, -1, 3, 2, 3))
    return t5.triu_(0)


def _triu_expanded_first_dim(lib: Any) -> Any:
    # the first batch dim may repeat: written in place, every location outside the triangle 0
    x = lib.arange(1.0, 10.0, dtype=lib.float64).reshape(1, 1, 3, 3).expand(2, 1, 3, 3).clone()
    e = x[:1].expand(4, 1, 3, 3)
    e.tril_(-1)
    return x


def _tril_expanded_3d(lib: Any) -> Any:
    x = lib.arange(1.0, 4.0, dtype=lib.float64).reshape(1, 1, 3)
    e = x.expand(2, 3, 3)
    e.triu_(1)
    return x


@pytest.mark.parametrize(
    "program", [_triu_expanded_batch, _triu_expanded_first_dim, _tril_expanded_3d]
)
@requires_torch
def test_triangle_expanded_matches_torch(program: Callable[[Any], Any]) -> None:
    assert_same(run(program, ndgrad), run(program, torch))


def test_triangle_expanded_by_hand() -> None:
    raises(_triu_expanded_batch, RuntimeError, INTERNAL)
    got = _triu_expanded_first_dim(ndgrad).numpy()
    want = np.tril(np.arange(1.0, 10.0).reshape(3, 3), -1)
    np.testing.assert_array_equal(got[0, 0], want)
    np.testing.assert_array_equal(got[1, 0], np.arange(1.0, 10.0).reshape(3, 3))
    # up to 3 dims PyTorch writes in place: the columns of x below the diagonal of some row
    # (0 < 1 and so on) all become 0 in the shared row
    assert _tril_expanded_3d(ndgrad).numpy().tolist() == [[[0.0, 0.0, 0.0]]]


# --- mse_loss's gradient is one op per input that keeps both, as PyTorch's mse_loss_backward ---


def _mse_double_backward_after_write(lib: Any) -> Any:
    # fuzz seed 67x: an input that does not require grad, written (by an empty slice: still a
    # write) between a create_graph gradient and its own gradient; PyTorch's
    # MseLossBackwardBackward0 keeps it and refuses (ndgrad's composite gradient kept none)
    t0 = lib.tensor([-0.5], dtype=lib.float64)
    t1 = lib.tensor([[[0.8]]], dtype=lib.float64, requires_grad=True)
    t2 = t1.sum()
    t3 = lib.nn.functional.mse_loss(t0, t2.expand(1), reduction="mean")
    (t4,) = lib.autograd.grad(t3, [t1], create_graph=True)
    t0[2::1, None, ...] = 2.0
    return lib.autograd.grad(t4.sum(), [t2])


def _mse_create_graph_nodes(lib: Any) -> Any:
    x = lib.tensor([[0.5, -1.0], [2.0, 0.25]], dtype=lib.float64, requires_grad=True)
    y = lib.tensor([[1.5, 0.0], [-1.0, 0.75]], dtype=lib.float64, requires_grad=True)
    loss = lib.nn.functional.mse_loss(x, y)
    gx, gy = lib.autograd.grad(loss, [x, y], create_graph=True)
    names = gx.grad_fn.name(), gy.grad_fn.name()
    return names, lib.autograd.grad((gx * gx).sum() + gy.sum() * x.sum(), [x, y])


@pytest.mark.parametrize("program", [_mse_double_backward_after_write, _mse_create_graph_nodes])
@requires_torch
def test_mse_backward_matches_torch(program: Callable[[Any], Any]) -> None:
    assert_same(run(program, ndgrad), run(program, torch))


def test_mse_backward_by_hand() -> None:
    raises(
        _mse_double_backward_after_write,
        RuntimeError,
        modified("torch.DoubleTensor [1]]"),
    )
    names, (ax, ay) = _mse_create_graph_nodes(ndgrad)
    assert names == ("MseLossBackwardBackward0", "MseLossBackwardBackward0")
    # gx = (x - y)/2, gy = -(x - y)/2 (the mean of 4). S = Σ gx² + Σ gy · Σ x:
    # dS/dx = (x - y)/2 + Σ gy - Σ x / 2 and dS/dy = -(x - y)/2 + Σ x / 2
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    y = np.array([[1.5, 0.0], [-1.0, 0.75]])
    gy_sum = (-(x - y) / 2).sum()
    np.testing.assert_allclose(ax.numpy(), (x - y) / 2 + gy_sum - x.sum() / 2)
    np.testing.assert_allclose(ay.numpy(), -(x - y) / 2 + x.sum() / 2)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_backward_gradgradcheck(reduction: str) -> None:
    rng = np.random.default_rng(0)
    x = ndgrad.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    y = ndgrad.tensor(rng.standard_normal((4,)), requires_grad=True)

    def f(a: ndgrad.Tensor, b: ndgrad.Tensor) -> ndgrad.Tensor:
        return ndgrad.nn.functional.mse_loss(a, b.expand(3, 4), reduction=reduction)

    assert gradcheck(f, (x, y))
    assert gradgradcheck(f, (x, y))


# --- cat's layout: channels-last as PyTorch's suggest_memory_format reads strides -------------


def _cat_unfold_layout(lib: Any) -> Any:
    # fuzz seed 67x: a (1, 2, 1, 3) unfold with strides (2, 1, 1, 2): numpy's flags (size-1
    # dims ignored) called it channels-last, PyTorch does not, so the result is contiguous
    t0 = lib.tensor(
        [[[1.685], [-0.79]], [[1.098], [-0.385]], [[-1.888], [-0.848]]],
        dtype=lib.float64,
        requires_grad=True,
    )
    t1 = t0.unfold(-3, 3, 1)
    t2 = lib.cat([t1, t1], dim=-4)
    return t2.is_contiguous(), t2


def _cat_layouts(lib: Any) -> Any:
    out = []
    base = lib.arange(16.0)
    for shape, order in [((2, 2, 2, 2), (0, 2, 3, 1)), ((2, 3, 1, 1), (0, 2, 3, 1))]:
        t = base[: int(np.prod(shape))].reshape([shape[d] for d in order])
        t = t.permute(*[order.index(i) for i in range(4)])
        for other in (t, t.contiguous(), lib.empty(0)):
            c = lib.cat([t, other], 1)
            out.append((c.is_contiguous(), c.is_contiguous(memory_format=lib.channels_last)))
    return out


@pytest.mark.parametrize("program", [_cat_unfold_layout, _cat_layouts])
@requires_torch
def test_cat_layout_matches_torch(program: Callable[[Any], Any]) -> None:
    assert_same(run(program, ndgrad), run(program, torch))


def test_cat_layout_by_hand() -> None:
    contiguous, _ = _cat_unfold_layout(ndgrad)
    assert contiguous
    # channels-last inputs give a channels-last result, unless one input is contiguous (or
    # is a skipped empty 1-d tensor); an (N, C, 1, 1) tensor counts as contiguous
    assert _cat_layouts(ndgrad) == [
        (False, True),
        (True, False),
        (True, False),
        (True, True),
        (True, True),
        (True, True),
    ]


# --- the fuzzer: PyTorch's internal assert is its defect, whatever ndgrad raises --------------


def test_fuzzer_counts_torch_internal_assert_with_another_message() -> None:
    # fuzz seed 70x: PyTorch fails "out != nullptr INTERNAL ASSERT FAILED" where ndgrad raises
    # its overlap error; both raise RuntimeError at the same statement: not a "message" failure
    from . import fuzz_views

    theirs = fuzz_views.Outcome(error=(7, "RuntimeError", "out != nullptr INTERNAL ASSERT FAILED"))
    ours = fuzz_views.Outcome(error=(7, "RuntimeError", INTERNAL))
    kinds = [m.kind for m in fuzz_views.compare([], ours, theirs)]
    assert kinds == ["torch_internal_assert"]
    assert "torch_internal_assert" in fuzz_views.IMPLEMENTATION_DEFINED
    other = fuzz_views.Outcome(error=(7, "RuntimeError", "another message"))
    assert [m.kind for m in fuzz_views.compare([], ours, other)] == ["message"]


# --- nll_loss: PyTorch's backward refuses the 1-d input with a 1-element target its forward
# takes (tests/nn/test_random_configs.py's test_loss, seed 1019) ------------------------------


def _nll_1d_target_of_one(lib: Any) -> Any:
    x = lib.tensor([-0.5, 0.2, 0.3], dtype=lib.float64, requires_grad=True)
    loss = lib.nn.functional.nll_loss(x, lib.tensor([0]), ignore_index=0)
    out = [loss.grad_fn.name()]
    try:
        loss.backward()
    except RuntimeError as error:
        out.append(str(error))
    ce = lib.nn.functional.cross_entropy(x, lib.tensor([1]))
    try:
        lib.autograd.grad(ce, [x], create_graph=True)
    except RuntimeError as error:
        out.append(str(error))
    (g,) = lib.autograd.grad(lib.nn.functional.nll_loss(x, lib.tensor(1)), [x])  # 0-d: fine
    return out, g


@requires_torch
def test_nll_1d_target_of_one_matches_torch() -> None:
    assert_same(run(_nll_1d_target_of_one, ndgrad), run(_nll_1d_target_of_one, torch))


def test_nll_1d_target_of_one_by_hand() -> None:
    out, g = _nll_1d_target_of_one(ndgrad)
    message = "size mismatch (got input: [3], target: [1])"
    assert out == ["NllLossBackward0", message, message]
    assert g.numpy().tolist() == [0.0, -1.0, 0.0]


# --- as_strided_ of the base of a live view, then a write into the base ----------------------


def _as_strided_base_then_write(lib: Any) -> Any:
    # fuzz seed 76x: F.linear(t1, t1) keeps t1.t() alive in its graph; t1.as_strided_ leaves
    # that view outside t1's new elements, and t1.relu_() raised while re-deriving it
    t0 = lib.tensor([[-1.131], [0.376], [-0.926], [-0.922]], dtype=lib.float64, requires_grad=True)
    t1 = 0.5 / t0
    t2 = lib.nn.functional.linear(t1, t1)
    t1.as_strided_((2,), (1,), 1)
    t1.relu_()
    t1.sum().backward()
    return t1, t0.grad, t2.grad_fn.name()


@requires_torch
def test_as_strided_base_then_write_matches_torch() -> None:
    assert_same(run(_as_strided_base_then_write, ndgrad), run(_as_strided_base_then_write, torch))


def test_as_strided_base_then_write_by_hand() -> None:
    t1, grad, _ = _as_strided_base_then_write(ndgrad)
    np.testing.assert_allclose(t1.detach().numpy(), [0.5 / 0.376, 0.0])
    np.testing.assert_allclose(grad.numpy().ravel(), [0.0, -0.5 / 0.376**2, 0.0, 0.0])
    # the view left outside its base: its values and detach() work, its history refuses
    x = ndgrad.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True) * 1
    v = x[2:]
    x.as_strided_((1,), (1,), 0)
    x.mul_(2)
    assert v.detach().numpy().tolist() == [3.0, 4.0]
    with pytest.raises(RuntimeError, match="the history of this view cannot be re-derived"):
        v.sum()


# --- nn random configs, seeds 1100-1249: pad with negative widths, ctc_loss's target batch ---


def _pad_negative_results(lib: Any) -> Any:
    x = lib.ones(2, 3, 3, 5, 1, dtype=lib.float64)
    out = []
    for mode in ("replicate", "reflect", "circular"):
        for widths in [(-1, -1, -1, -1, -1, -1), (-1, 0, 0, 0, 0, 0), (0, 0, -3, -3, 0, 0)]:
            try:
                out.append(tuple(lib.nn.functional.pad(x, widths, mode=mode).shape))
            except RuntimeError as error:
                out.append(str(error))
    return out


def _ctc_target_batch(lib: Any) -> Any:
    log_probs = lib.zeros(4, 2, 3, dtype=lib.float64).log_softmax(2)
    targets = lib.ones(3, 1, dtype=lib.int64)  # 3 rows for a batch of 2
    return lib.nn.functional.ctc_loss(log_probs, targets, [4, 4], [1, 1])


@pytest.mark.parametrize("program", [_pad_negative_results, _ctc_target_batch])
@requires_torch
def test_nn_configs_match_torch(program: Callable[[Any], Any]) -> None:
    assert_same(run(program, ndgrad), run(program, torch))


def test_nn_configs_by_hand() -> None:
    negative = "Trying to create tensor with negative dimension -1: [2, 3, 1, 3, -1]"
    circular = "Negative padding value is resulting in an empty dimension"
    assert _pad_negative_results(ndgrad) == [
        negative,
        (2, 3, 3, 5, 0),
        "Trying to create tensor with negative dimension -1: [2, 3, 3, -1, 1]",
        negative,
        (2, 3, 3, 5, 0),
        "Trying to create tensor with negative dimension -1: [2, 3, 3, -1, 1]",
        circular,
        (2, 3, 3, 5, 0),
        circular,
    ]
    raises(
        _ctc_target_batch,
        RuntimeError,
        "Expected tensor to have size 2 at dimension 0, but got size 3 for argument #2 "
        "'targets' (while checking arguments for ctc_loss_allocate_outputs)",
    )


# --- interpolate: nearest indices as PyTorch's kernels compute them ----------------------------


def _nearest_indices(lib: Any) -> Any:
    out = []
    for n, sf in [(6, 2.3), (2, 2.3), (3, 1.2), (4, 2.0), (5, 1.4)]:
        x = lib.arange(float(n), dtype=lib.float64)
        f = lib.nn.functional.interpolate
        for mode in ("nearest", "nearest-exact"):
            out.append(f(x.reshape(1, 1, n), scale_factor=sf, mode=mode).flatten().tolist())
            out.append(f(x.reshape(1, 1, n, 1), scale_factor=sf, mode=mode)[0, 0, :, 0].tolist())
            y = f(x.reshape(1, 1, 1, 1, n), scale_factor=sf, mode=mode)
            out.append(y[0, 0, 0, 0].tolist())
    return out


def _interpolate_errors(lib: Any) -> Any:
    out = []
    for shape in [(1, 1, 1), (1, 1, 1, 1)]:
        try:
            lib.nn.functional.interpolate(lib.ones(*shape), scale_factor=0.5)
        except RuntimeError as error:
            out.append(str(error))
    x = lib.ones(1, 2, 3, 3, requires_grad=True)
    y = lib.nn.functional.interpolate(x, scale_factor=(1.5, 0.3), mode="area")
    out.append(tuple(y.shape))
    try:
        y.sum().backward()
    except RuntimeError as error:
        out.append(str(error))
    return out


@pytest.mark.parametrize("program", [_nearest_indices, _interpolate_errors])
@requires_torch
def test_interpolate_matches_torch(program: Callable[[Any], Any]) -> None:
    assert_same(run(program, ndgrad), run(program, torch))


def test_interpolate_by_hand() -> None:
    got = _nearest_indices(ndgrad)
    # 6 by 2.3: nearest reads floor(i * float(1 / 2.3)); nearest-exact floor((i + 0.5) * scale)
    # with the product rounded to float: (11 + 0.5) * 0.4347826 = 4.99999984 -> 5.0 -> 5
    assert got[0] == [0, 0, 0, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5]
    assert got[3] == [0, 0, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # 2 by 2.3 (4 outputs): the 2-d kernel takes 4 = 2n as a scale of 2, 1-d and 3-d do not
    assert got[6] == got[8] == [0, 0, 0, 1]
    assert got[7] == [0, 0, 1, 1]
    assert _interpolate_errors(ndgrad) == [
        "Input and output sizes should be greater than 0, but got input (W: 1) and output (W: 0)",
        "Input and output sizes should be greater than 0, but got input (H: 1, W: 1) output "
        "(H: 0, W: 0)",
        (1, 2, 4, 0),
        "adaptive_avg_pool2d_backward(): Expected grad_output to have non-zero size for "
        "non-batch dimensions, but grad_output has sizes [1, 2, 4, 0] with dimension 3 being "
        "empty",
    ]


@pytest.mark.parametrize("shape", [(1, 2, 2), (1, 1, 2, 3, 2), (1, 1, 2, 2)])
def test_nearest_backward_is_the_adjoint(shape: tuple[int, ...]) -> None:
    # PyTorch's 1-d and 3-d backward is not (docs/compatibility.md); ndgrad's is
    x = ndgrad.tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)
    f = lambda t: ndgrad.nn.functional.interpolate(t, scale_factor=2.3)  # noqa: E731
    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))


def test_antialias_output_width_one_by_hand() -> None:
    # (6, 3) -> (3, 1) bilinear, antialiased: the rows of the result are the filter applied
    # at each output row, the same weights along the columns (PyTorch repeats the first row)
    x = ndgrad.tensor(np.arange(18.0).reshape(1, 1, 6, 3))
    y = ndgrad.nn.functional.interpolate(x, size=(3, 1), mode="bilinear", antialias=True)
    col = ndgrad.nn.functional.interpolate(
        x.mean(-1, keepdim=True), size=(3, 1), mode="bilinear", antialias=True
    )  # the width filter of 3 -> 1 is symmetric: the same as the mean of each row here
    np.testing.assert_allclose(y.numpy(), col.numpy())
    assert y.numpy()[0, 0, 0, 0] < y.numpy()[0, 0, 1, 0] < y.numpy()[0, 0, 2, 0]


# --- a write into as_strided of a view reaching past the view's elements ----------------------


_PAST_OPS: dict[str, Callable[[Any, Any, Any], Any]] = {
    "setitem": lambda lib, v, w: v.__setitem__((lib.tensor([0]), lib.tensor([-1])), 1.5),
    "mul_": lambda lib, v, w: v.mul_(w),
    "copy_": lambda lib, v, w: v.copy_(w),
    "zero_": lambda lib, v, w: v.zero_(),
    "index_put_": lambda lib, v, w: v.index_put_((lib.tensor([0]), lib.tensor([1])), w[0, 0]),
    "exp_": lambda lib, v, w: v.exp_(),
}


def _write_past_input(name: str) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        # fuzz seed 78x: t3 = as_strided(t2, offset 8) holds storage elements 8-11, t2 only
        # 0-8; the write's gradient went through t3's history, which drops 9-11 (as
        # PyTorch's as_strided backward does), where PyTorch's CopySlices gives the base the
        # written view's gradient directly: element 9 got 0 (a silently wrong gradient)
        t0 = lib.arange(1.0, 17.0, dtype=lib.float64).requires_grad_()
        w = lib.full((1, 2, 2), 0.5, dtype=lib.float64, requires_grad=True)
        t1 = t0 * 1.5
        t2 = lib.as_strided(t1, (3, 3), (3, 1))
        t3 = t2.as_strided((1, 2, 2), (2, 2, 1), 8)
        _PAST_OPS[name](lib, t3, w)
        (t1 * lib.arange(16.0, dtype=lib.float64)).sum().backward()
        return t1, t0.grad, w.grad

    return program


@pytest.mark.parametrize("name", sorted(_PAST_OPS))
@requires_torch
def test_write_past_input_matches_torch(name: str) -> None:
    program = _write_past_input(name)
    assert_same(run(program, ndgrad), run(program, torch))


def test_write_past_input_by_hand() -> None:
    _, grad, _ = _write_past_input("setitem")(ndgrad)
    want = 1.5 * np.arange(16.0)
    want[[10, 11]] = 0.0  # t3[0, 1] is storage elements 10 and 11: written, no gradient
    np.testing.assert_array_equal(grad.numpy(), want)
    _, grad, wgrad = _write_past_input("mul_")(ndgrad)
    want = 1.5 * np.arange(16.0)
    want[8:12] *= 0.5
    np.testing.assert_array_equal(grad.numpy(), want)
    np.testing.assert_array_equal(
        wgrad.numpy().ravel(), 1.5 * np.arange(9.0, 13.0) * np.arange(8, 12)
    )


def _pad_small_outputs(lib: Any) -> Any:
    # nn random configs, conv seed 1354: Conv1d(padding=-1, padding_mode="replicate") on a
    # width of 2; the 1-d and 2-d reflect/replicate kernels have checks of their own
    out = []
    cases = [((1, 2), (-1, -1)), ((1, 2, 2, 2), (-2, 0, -2, 0)), ((1, 2, 3, 2), (-2, -1, -2, 0))]
    for shape, widths in cases:
        for mode in ("replicate", "reflect", "circular"):
            try:
                out.append(tuple(lib.nn.functional.pad(lib.ones(*shape), widths, mode=mode).shape))
            except RuntimeError as error:
                out.append(str(error))
    return out


@requires_torch
def test_pad_small_outputs_matches_torch() -> None:
    assert_same(run(_pad_small_outputs, ndgrad), run(_pad_small_outputs, torch))


def test_pad_small_outputs_by_hand() -> None:
    small = "input (H: 2, W: 2{}) is too small. Calculated output H: 0 W: 0"
    assert _pad_small_outputs(ndgrad) == [
        "input (W: 2) is too small. Calculated output W: 0",
        "input (W: 2) is too small. Calculated output W: 0",
        (1, 0),
        small.format(" "),
        small.format(""),
        (1, 2, 0, 0),
        "Trying to create tensor with negative dimension -1: [1, 2, 1, -1]",
        "numel: integer multiplication overflow",
        "Negative padding value is resulting in an empty dimension",
    ]


# --- reductions and dims on 0-d tensors, unique's node, quantile's wording (a differential
# fuzzer of 42 reductions over random shapes, dims and keepdim: 4,000 cases) ------------------


def _scalar_dims(lib: Any) -> Any:
    x = lib.tensor(1.5)
    calls = [
        lambda: lib.any(x, 1),
        lambda: lib.all(x, -2),
        lambda: lib.all(x, (0,)),
        lambda: lib.norm(x, dim=(1,)),
        lambda: x.norm(1, dim=-2),
        lambda: lib.linalg.vector_norm(x, dim=1),
        lambda: lib.cummax(x, 1),
        lambda: lib.cummin(x, -2),
        lambda: lib.unbind(x, 1),
        lambda: lib.unbind(x, -1),
        lambda: lib.unflatten(x, -2, (1,)),
        lambda: lib.renorm(lib.ones(3), 2, 0, 1.0),
        lambda: lib.linalg.cross(x, x),
        lambda: lib.nanquantile(lib.ones(0), 0.5),
        lambda: lib.nanquantile(lib.ones(3), 1.5),
    ]
    out = []
    for call in calls:
        try:
            out.append(call())
        except (IndexError, RuntimeError) as error:
            out.append((type(error).__name__, str(error)))
    return out


def _unique_nodes(lib: Any) -> Any:
    x = lib.tensor([[1.0, 1.0], [2.0, 2.0]], requires_grad=True)
    out = []
    for call in (
        lambda: lib.unique(x),
        lambda: lib.unique(x, dim=1),
        lambda: lib.unique_consecutive(x, dim=0),
        lambda: lib.unique(lib.ones(3, 0), dim=0),
        lambda: lib.unique_consecutive(lib.ones(3, 0), dim=1, return_counts=True),
        lambda: lib.unique(lib.tensor(1.5), dim=-1),
    ):
        try:
            r = call()
            r = r if isinstance(r, tuple) else (r,)
            out.append([(tuple(t.shape), t.requires_grad) for t in r])
            if r[0].requires_grad:
                r[0].sum().backward()
        except (IndexError, RuntimeError, NotImplementedError) as error:
            out.append((type(error).__name__, str(error)))
    return out


@pytest.mark.parametrize("program", [_scalar_dims, _unique_nodes])
@requires_torch
def test_reduction_edges_match_torch(program: Callable[[Any], Any]) -> None:
    assert_same(run(program, ndgrad), run(program, torch))


def test_reduction_edges_by_hand() -> None:
    out = _scalar_dims(ndgrad)
    rng = "Dimension out of range (expected to be in range of [-1, 0], but got {})"
    assert out[0] == ("IndexError", rng.format(1))
    assert out[1] == ("IndexError", rng.format(-2))
    assert out[2].item() is True
    assert out[3:6] == [("IndexError", rng.format(d)) for d in (1, -2, 1)]
    assert out[6] == ("IndexError", "cummax(): Expected reduction dim -1 or 0 for scalar but got 1")
    assert out[9] == ("IndexError", "Dimension specified as 0 but tensor has no dimensions")
    assert out[11] == (
        "RuntimeError",
        "renorm: input needs at least 2 dimensions, got 1 dimensions",
    )
    assert out[12] == ("IndexError", "Dimension specified as -1 but tensor has no dimensions")
    assert out[13] == ("RuntimeError", "quantile() input tensor must be non-empty")
    nodes = _unique_nodes(ndgrad)
    # values that require grad, whose backward raises; then the errors of bad dims
    assert nodes[0] == [((2,), True)] and nodes[2] == [((2, 1), True)]
    for i, kernel in ((1, "_unique2"), (3, "unique_dim"), (5, "unique_consecutive")):
        message = f"the derivative for '{kernel}' is not implemented."
        assert nodes[i] == ("NotImplementedError", message)
    assert nodes[6] == (
        "RuntimeError",
        "There are 0 sized dimensions, and they aren't selected, so unique cannot be applied",
    )
    assert nodes[7] == [((3, 0), False), ((0,), False)]
    assert nodes[8] == ("IndexError", "Dimension specified as -1 but tensor has no dimensions")


def _reduction_edges_more(lib: Any) -> Any:
    nan = float("nan")
    out = []
    for values in ([1.0, nan, 2.0], [nan, 3.0, 1.0, nan], [nan, nan]):
        for fn in ("quantile", "nanquantile"):
            for interpolation in ("linear", "lower", "midpoint"):
                x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
                q = lib.tensor([0.1, 0.9], dtype=lib.float64)
                getattr(lib, fn)(x, q, interpolation=interpolation).sum().backward()
                out.append(x.grad)
    x = lib.ones(1, 0, dtype=lib.float64, requires_grad=True)
    lib.logcumsumexp(x, -1).sum().backward()
    out.append(tuple(x.grad.shape))  # (the strides of an empty tensor are each library's own)
    out.append([tuple(t.shape) for t in lib.cummax(lib.ones(2, 0), 5)])
    y = lib.diff(lib.ones(2, dtype=lib.float64, requires_grad=True), n=0, dim=7)
    out.append((y, y.grad_fn.name()))
    for call in (
        lambda: lib.diff(lib.ones(2), n=-1),
        lambda: lib.unique(lib.ones(0, 0, 2), dim=0),
    ):
        try:
            call()
        except RuntimeError as error:
            out.append(str(error))
    return out


@requires_torch
def test_reduction_edges_more_matches_torch() -> None:
    assert_same(run(_reduction_edges_more, ndgrad), run(_reduction_edges_more, torch))


def test_reduction_edges_more_by_hand() -> None:
    out = _reduction_edges_more(ndgrad)
    # quantile of a slice with a nan: nan, and the gradient (one per quantile) goes to the nan
    # sorted last; nanquantile of all nans: to the first
    assert out[0].numpy().tolist() == [0.0, 2.0, 0.0]
    assert out[6].numpy().tolist() == [0.0, 0.0, 0.0, 2.0]
    assert out[15].numpy().tolist() == [2.0, 0.0]
    assert out[18] == (1, 0)
    assert out[20][1] == "torch::autograd::CopyBackwards"
    assert out[21:] == [
        "order must be non-negative but got -1",
        "Number of zero sized dimensions is more than one, so unique cannot be applied ",
    ]


# --- binary ops: bool subtraction, a number first, dtype names (a differential fuzzer of 48
# binary ops over broadcast shapes, dtypes and Python numbers: 6,000 cases) -------------------


def _binary_errors(lib: Any) -> Any:
    b, u, f = lib.tensor([True, False]), lib.tensor([1, 2], dtype=lib.uint8), lib.ones(2)
    calls = [
        lambda: u - b,
        lambda: f - lib.tensor(True),
        lambda: f - True,
        lambda: True - f,
        lambda: lib.rsub(f, b),
        lambda: f.clone().sub_(b),
        lambda: lib.dist(b, f),
        lambda: lib.eq(2, f),
        lambda: lib.ge(2.5, 3),
        lambda: lib.heaviside(True, f),
        lambda: lib.lerp(u, lib.ones(2, dtype=lib.int16), 0.5),
        lambda: lib.igammac(lib.ones(3, 1), lib.ones(1, 2, 3)),
        lambda: lib.igamma(lib.ones(2, dtype=lib.int16), lib.ones(2, dtype=lib.int16)),
    ]
    out = []
    for call in calls:
        try:
            out.append(call())
        except (TypeError, RuntimeError, NotImplementedError) as error:
            out.append((type(error).__name__, str(error)))
    out.append(2 < f)  # noqa: SIM300  (the reflected operator still compares)
    return out


@requires_torch
def test_binary_errors_match_torch() -> None:
    assert_same(run(_binary_errors, ndgrad), run(_binary_errors, torch))


def test_binary_errors_by_hand() -> None:
    out = _binary_errors(ndgrad)
    one_bool = (
        "RuntimeError",
        "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
        "invert a mask, use the `~` or `logical_not()` operator instead.",
    )
    assert out[:7] == [one_bool] * 7
    assert out[7] == (
        "TypeError",
        "eq() received an invalid combination of arguments - got (int, Tensor), but expected one "
        "of:\n * (Tensor input, Tensor other, *, Tensor out = None)\n * (Tensor input, Number "
        "other, *, Tensor out = None)\n",
    )
    assert out[9] == (
        "TypeError",
        "heaviside(): argument 'input' (position 1) must be Tensor, not bool",
    )
    assert out[10] == (
        "RuntimeError",
        "expected dtype unsigned char for `end` but got dtype short int",
    )
    assert out[11][0] == "RuntimeError"
    assert out[12] == ("NotImplementedError", "\"igamma_cpu\" not implemented for 'Short'")
    assert out[13].tolist() == [False, False]


def _triu_expanded_leaf_view(lib: Any) -> Any:
    # fuzz seed 87x: the leaf-view rule comes before the overlap error (it came after)
    t0 = lib.tensor([[-0.4]], dtype=lib.float64, requires_grad=True)
    t2 = lib.broadcast_to(t0.unfold(1, 1, 3), (3, 3, 3, 2))
    return t2.tril_(0)


@requires_torch
def test_triu_expanded_leaf_view_matches_torch() -> None:
    assert_same(run(_triu_expanded_leaf_view, ndgrad), run(_triu_expanded_leaf_view, torch))


def test_triu_expanded_leaf_view_by_hand() -> None:
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        _triu_expanded_leaf_view(ndgrad)
