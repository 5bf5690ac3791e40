"""Regressions found by the widened differential fuzzer (tests/fuzz_views.py with unfold,
index_add_/index_copy_/scatter_, amax/prod, cat/stack among its statements).

Each program runs under ndgrad and, where it is installed, under PyTorch (everything returned
must agree); each test also checks the expected outcome computed by hand, so it runs without
PyTorch too. Each program failed before its fix.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, torch
from .programs import assert_same as _assert_same
from .programs import modified, raises
from .programs import run as _run

PARTIAL = "some elements of the input tensor and the written-to tensor refer to a single memory"
INTERNAL = "more than one element of the written-to tensor refers to a single memory location"
MODIFIED = "one of the variables needed for gradient computation has been modified by an inplace"


# --- unfold is a view (it was a copy made by index_select) ----------------------------------


def _unfold_write_through(lib: Any) -> Any:
    # fuzz seed 0: a write into the unfold view must reach its base and its history
    z = lib.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=lib.float64, requires_grad=True)
    w = z * 1
    v = w.unfold(0, 2, 2)  # windows [0:2], [2:4]: no overlap
    v.mul_(3)
    (w * w).sum().backward()
    return w, v, z.grad


def _unfold_overlapping(lib: Any) -> Any:
    z = lib.tensor([1.0, 2.0, 3.0, 4.0, 5.0], dtype=lib.float64, requires_grad=True)
    w = z * 1
    u = w.unfold(0, 3, 1)
    (g,) = lib.autograd.grad((u * u).sum(), [z], create_graph=True)
    g.sum().backward()
    return u, u.is_contiguous(), u._base is w, g, z.grad


def _unfold_0d(lib: Any) -> Any:
    s = lib.tensor(1.5, dtype=lib.float64, requires_grad=True)
    o = s.unfold(0, 1, 1)
    return o, o._base is s


def _unfold_sees_base_write(lib: Any) -> Any:
    # fuzz seed 0: t1.unfold(0, 1, 3) kept the old values after t0.sub_(...)
    t0 = lib.tensor([[1.1]], dtype=lib.float64)
    t2 = t0.view_as(t0).unfold(0, 1, 3)
    t0.sub_(t0.sum())
    return t2


@pytest.mark.parametrize(
    "program",
    [_unfold_write_through, _unfold_overlapping, _unfold_0d, _unfold_sees_base_write],
)
@requires_torch
def test_unfold_matches_torch(program: Callable[[Any], Any]) -> None:
    _assert_same(_run(program, ndgrad), _run(program, torch))


def test_unfold_is_a_view_by_hand() -> None:
    w, v, grad = _unfold_write_through(ndgrad)
    # w = z with its first four elements tripled; d/dz sum(w^2) = 2 w * dw/dz
    np.testing.assert_array_equal(w.detach().numpy(), [3.0, 6.0, 9.0, 12.0, 5.0])
    assert type(w.grad_fn).__name__ == "CopySlices"
    assert type(v.grad_fn).__name__ == "AsStridedBackward0"
    np.testing.assert_array_equal(grad.numpy(), [18.0, 36.0, 54.0, 72.0, 10.0])
    u, contiguous, is_view, g, zgrad = _unfold_overlapping(ndgrad)
    assert type(u.grad_fn).__name__ == "UnfoldBackward0" and is_view and not contiguous
    assert u.stride() == (1, 1)
    # each z_i is in 1, 2, 3, 2, 1 windows: d/dz sum(u^2) = 2 z_i * count_i; its sum's gradient
    # is 2 * count_i
    np.testing.assert_array_equal(g.detach().numpy(), [2.0, 8.0, 18.0, 16.0, 10.0])
    np.testing.assert_array_equal(zgrad.numpy(), [2.0, 4.0, 6.0, 4.0, 2.0])
    o, o_is_view = _unfold_0d(ndgrad)
    assert o.shape == (1,) and o_is_view and type(o.grad_fn).__name__ == "UnfoldBackward0"
    np.testing.assert_array_equal(_unfold_sees_base_write(ndgrad).numpy(), [[[0.0]]])


# --- index_add_, index_copy_, scatter_ refuse a source that overlaps the destination ---------


def _write_from_self(op: str, view: bool) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        x = lib.tensor([1.0, 2.0, 3.0, 4.0], dtype=lib.float64)
        index = lib.tensor([1, 0] if view else [1, 0, 2, 3])
        src = x[2:] if view else x
        getattr(x, op)(0, index, src)
        return x

    return program


def _scatter_into_unfold_from_itself(lib: Any) -> Any:
    # fuzz seed 0: the very same tensor overlaps even where it is not dense
    t1 = lib.tensor([[[1.1, 0.3], [0.7, 0.9], [1.6, 2.0]]], dtype=lib.float64)
    t2 = t1.unfold(2, 1, 2)
    t2.scatter_(-4, lib.tensor([[[[0]], [[0]], [[0]]]]), t2)
    return t2


def _index_copy_into_expanded(lib: Any) -> Any:
    # the destination's own overlap is reported first
    t2 = lib.tensor([[[1.6]]], dtype=lib.float64).broadcast_to((2, 2, 3, 1))
    t2.index_copy_(-4, lib.tensor([1, 0]), t2)


def _strided_source(lib: Any) -> Any:
    # neither is dense: PyTorch does not try to tell, and writes
    x = lib.tensor([1.0, 2.0, 3.0, 4.0], dtype=lib.float64)
    x[::2].index_add_(0, lib.tensor([1, 0]), x[1::2])
    return x


_OVERLAP_PROGRAMS = {
    **{
        f"{op}-{v}": _write_from_self(op, v)
        for op in ("index_add_", "index_copy_", "scatter_")
        for v in (False, True)
    },
    "scatter_unfold": _scatter_into_unfold_from_itself,
    "index_copy_expanded": _index_copy_into_expanded,
    "strided": _strided_source,
}


@requires_torch
@pytest.mark.parametrize("name", sorted(_OVERLAP_PROGRAMS))
def test_overlapping_source_matches_torch(name: str) -> None:
    program = _OVERLAP_PROGRAMS[name]
    _assert_same(_run(program, ndgrad), _run(program, torch))


@pytest.mark.parametrize("name", sorted(_OVERLAP_PROGRAMS))
def test_overlapping_source_by_hand(name: str) -> None:
    outcome = _run(_OVERLAP_PROGRAMS[name], ndgrad)
    if name == "strided":  # x[0] += x[3], x[2] += x[1]
        np.testing.assert_array_equal(outcome[1], [5.0, 2.0, 5.0, 4.0])
        return
    message = INTERNAL if name == "index_copy_expanded" else PARTIAL
    assert outcome[:2] == ("error", "RuntimeError") and message in outcome[2], outcome


# --- nodes save what PyTorch's save: a later write into it is reported at backward ----------


def _index_add_source_modified(alpha: float) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        a = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        s = a[:2] * 1
        b = a * 1
        b.index_add_(0, lib.tensor([1, 0]), s, alpha=alpha)
        b.sum().backward(retain_graph=True)
        s.mul_(2)
        b.sum().backward()

    return program


def _reduction_modified(name: str, which: str) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        a = lib.tensor([1.5, -2.0, 3.0], dtype=lib.float64, requires_grad=True)
        b = a * 1
        r = {
            "amax": lambda t: t.amax(-1),
            "amin": lambda t: t.amin(0),
            "max": lambda t: t.max(),
            "prod": lambda t: t.prod(),
            "prod_dim": lambda t: t.prod(0),
        }[name](b)
        (r if which == "output" else b).add_(1)
        r.sum().backward()

    return program


_SAVED_PROGRAMS = {
    "index_add_alpha1": _index_add_source_modified(1.0),
    "index_add_alpha2": _index_add_source_modified(2.0),
    **{
        f"{name}-{which}": _reduction_modified(name, which)
        for name in ("amax", "amin", "max", "prod", "prod_dim")
        for which in ("output", "input")
    },
}


@requires_torch
@pytest.mark.parametrize("name", sorted(_SAVED_PROGRAMS))
def test_saved_tensor_written_matches_torch(name: str) -> None:
    program = _SAVED_PROGRAMS[name]
    _assert_same(_run(program, ndgrad), _run(program, torch))


@pytest.mark.parametrize("name", sorted(_SAVED_PROGRAMS))
def test_saved_tensor_written_raises(name: str) -> None:
    outcome = _run(_SAVED_PROGRAMS[name], ndgrad)
    assert outcome[:2] == ("error", "RuntimeError") and MODIFIED in outcome[2], outcome


def test_index_add_alpha_gradients_by_hand() -> None:
    a = ndgrad.tensor([1.0, 2.0, 3.0], dtype=ndgrad.float64, requires_grad=True)
    s = ndgrad.tensor([[1.0, 2.0]], dtype=ndgrad.float64, requires_grad=True)
    out = ndgrad.index_add(a.view(1, 3), 1, ndgrad.tensor([2, 2]), s, alpha=-0.5)
    np.testing.assert_array_equal(out.detach().numpy(), [[1.0, 2.0, 1.5]])  # 3 - 0.5 * 3
    assert type(out.grad_fn).__name__ == "IndexAddBackward0"
    (gs,) = ndgrad.autograd.grad((out * out).sum(), [s], create_graph=True)
    np.testing.assert_array_equal(gs.detach().numpy(), [[-1.5, -1.5]])  # 2 * 1.5 * -0.5
    gs.sum().backward()  # d/da3 of 2 * -0.5 * out[2] * 2 elements
    np.testing.assert_array_equal(a.grad.numpy(), [0.0, 0.0, -2.0])
    np.testing.assert_array_equal(s.grad.numpy(), [[1.0, 1.0]])  # 2 * (-0.5)^2 * 2


# --- prod of a 0-d tensor: the gradient is the incoming one, with no graph ------------------


def _prod_0d(lib: Any) -> Any:
    t0 = lib.tensor(0.8, dtype=lib.float64, requires_grad=True)
    return [
        lib.autograd.grad(f(t0) * 3, [t0], create_graph=True)[0]
        for f in (lambda t: t.prod(), lambda t: t.prod(-1), lambda t: t.prod(0, keepdim=True))
    ]


@requires_torch
def test_prod_0d_matches_torch() -> None:
    _assert_same(_run(_prod_0d, ndgrad), _run(_prod_0d, torch))


def test_prod_0d_by_hand() -> None:
    for g in _prod_0d(ndgrad):
        assert g.item() == 3.0 and not g.requires_grad and g.grad_fn is None


# --- cat and stack lay their result out contiguously, as PyTorch ----------------------------


def _joined_transposed(lib: Any) -> Any:
    t0 = lib.tensor([[[0.9, 1.5], [1.6, 0.5], [-1.9, 2.0]]], dtype=lib.float64, requires_grad=True)
    t1 = t0.transpose(-1, 1)
    return lib.cat([t1, t1], dim=-3), lib.stack([t1, t1], 2), lib.stack([t1])


@requires_torch
def test_cat_stack_layout_matches_torch() -> None:
    _assert_same(_run(_joined_transposed, ndgrad), _run(_joined_transposed, torch))


def test_cat_stack_layout_by_hand() -> None:
    for t in _joined_transposed(ndgrad):
        assert t.is_contiguous()


def _cat_4d_layouts(lib: Any) -> list[Any]:
    """cat of 4-d tensors: channels-last when every input is, else contiguous (an unfold view,
    a transpose: fuzz seeds 300-339); is_contiguous(memory_format=...) reads the strides."""
    a = lib.tensor(np.arange(24.0).reshape(1, 2, 3, 4))
    cl = a.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)  # channels-last strides
    u = lib.tensor(np.arange(8.0).reshape(1, 4, 2)).unfold(-2, 3, 1)
    out = []
    for xs, d in [
        ([cl, cl], 0),
        ([cl, cl], 3),
        ([cl, a], 0),
        ([a.transpose(2, 3)] * 2, 1),
        ([u, u], -4),
    ]:
        r = lib.cat(xs, d)
        out.append(
            (r.is_contiguous(), r.is_contiguous(memory_format=lib.channels_last), tuple(r.stride()))
        )
    single = lib.zeros(2, 1, 1, 5)
    out.append(single.is_contiguous(memory_format=lib.channels_last))  # size-1 dims do not count
    out.append(lib.zeros(2, 3).is_contiguous(memory_format=lib.channels_last))
    out.append(lib.zeros(2, 3, 4, 5, 6).is_contiguous(memory_format=lib.channels_last_3d))
    return out


def test_cat_4d_layouts_by_hand() -> None:
    assert _cat_4d_layouts(ndgrad) == [
        (False, True, (24, 1, 8, 2)),
        (False, True, (48, 1, 16, 2)),
        (True, False, (24, 12, 4, 1)),
        (True, False, (48, 12, 3, 1)),
        (True, False, (12, 6, 3, 1)),
        True,
        False,
        False,
    ]
    with pytest.raises(TypeError, match="argument 'memory_format' must be torch.memory_format"):
        ndgrad.zeros(2).is_contiguous(memory_format="channels_last")


@requires_torch
def test_cat_4d_layouts_as_pytorch() -> None:
    assert _cat_4d_layouts(ndgrad) == _cat_4d_layouts(torch)


def _reduction_layouts(lib: Any) -> list[Any]:
    """A reduction's result is C-contiguous whatever its input's layout, as PyTorch allocates it
    (norm, prod and logsumexp kept numpy's order: fuzz seeds 340-379)."""
    a = lib.tensor(np.arange(9.0).reshape(1, 3, 3) / 7 - 1)
    ops = {
        "sum": lambda x, d: x.sum(d),
        "norm2": lambda x, d: x.norm(2, dim=d),
        "norm1": lambda x, d: x.norm(1, dim=d),
        "vector_norm": lambda x, d: lib.linalg.vector_norm(x, 3, dim=d),
        "amax": lambda x, d: x.amax(d),
        "prod": lambda x, d: x.prod(d),
        "logsumexp": lambda x, d: x.logsumexp(d),
    }
    out = []
    for x in (a.permute(0, 2, 1), a.transpose(0, 2)):
        for d in (0, -1):
            for op in ops.values():
                r = op(x, d)
                out.append((r.is_contiguous(), tuple(r.stride())))
    return out


def test_reduction_results_are_contiguous() -> None:
    assert all(contiguous for contiguous, _ in _reduction_layouts(ndgrad))


@requires_torch
def test_reduction_layouts_as_pytorch() -> None:
    assert _reduction_layouts(ndgrad) == _reduction_layouts(torch)


def _clone_layouts(lib: Any) -> list[Any]:
    """clone(memory_format=...): preserve_format keeps the layout, contiguous_format and
    channels_last choose one; retain_grad keeps a contiguous copy (fuzz seeds 380-419: a
    retained gradient of a permuted view)."""
    x = lib.zeros(2, 3, 4, 5).transpose(0, 1)
    out: list[Any] = [
        x.clone(memory_format=mf).stride()
        for mf in (lib.preserve_format, lib.contiguous_format, lib.channels_last)
    ]
    out.append(lib.clone(lib.zeros(2, 3).t(), memory_format=lib.contiguous_format).stride())
    try:
        lib.zeros(2, 3).clone(memory_format=lib.channels_last)
    except RuntimeError as e:
        out.append(str(e))
    w = lib.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    out.append(w.t().clone(memory_format=lib.contiguous_format).grad_fn.name())
    t0 = lib.tensor(np.arange(12.0).reshape(4, 1, 3), requires_grad=True)
    t1 = t0.permute((0, 1, 2))
    t1.retain_grad()
    t2 = t1.permute((1, 2, 0))
    lib.autograd.grad((t2 * lib.tensor(np.arange(12.0).reshape(1, 3, 4))).sum(), [t0])
    out.append((t1.grad.is_contiguous(), t1.grad.stride()))
    return out


def test_clone_memory_formats() -> None:
    assert _clone_layouts(ndgrad) == [
        (20, 60, 5, 1),
        (40, 20, 5, 1),
        (40, 1, 10, 2),
        (2, 1),
        "required rank 4 tensor to use channels_last format",
        "CloneBackward0",
        (True, (3, 3, 1)),
    ]


@requires_torch
def test_clone_memory_formats_as_pytorch() -> None:
    assert _clone_layouts(ndgrad) == _clone_layouts(torch)


# --- a reduction's saved output is named by its own node, not a view's -----------------------
# (fuzz seed 466: x.norm(2) written in place after a create_graph backward; the message named
# "AsStrided", the node of a reshaped view of the output, where PyTorch names LinalgVectorNorm)

_REDUCTIONS = {
    "norm": lambda x: x.norm(2),
    "norm dim": lambda x: x.norm(2, dim=-1),
    "norm keepdim": lambda x: x.norm(2, dim=-1, keepdim=True),
    "logsumexp keepdim": lambda x: x.logsumexp(-1, keepdim=True),
    "prod": lambda x: x.prod(),
    "prod keepdim": lambda x: x.prod(-1, keepdim=True),
}


def _written_reduction(reduce: Callable[[Any], Any], shape: tuple[int, ...]) -> Any:
    def program(lib: Any) -> Any:
        x = lib.full(shape, 0.7, dtype=lib.float64, requires_grad=True)
        y = reduce(x)
        (y * 1).sum().backward(create_graph=True)
        g = x.grad
        y.mul_(2)
        g.sum().backward()  # reads y, now at version 1

    return program


@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
@pytest.mark.parametrize("name", list(_REDUCTIONS))
@requires_torch
def test_written_reduction_output_matches_torch(name: str, shape: tuple[int, ...]) -> None:
    program = _written_reduction(_REDUCTIONS[name], shape)
    _assert_same(_run(program, ndgrad), _run(program, torch))


@pytest.mark.parametrize(
    ("name", "node"),
    [("norm", "LinalgVectorNorm"), ("logsumexp keepdim", "Logsumexp")],
)
def test_written_reduction_output_by_hand(name: str, node: str) -> None:
    what = "torch.DoubleTensor []]" if name == "norm" else "torch.DoubleTensor [2, 1]]"
    raises(
        _written_reduction(_REDUCTIONS[name], (2, 3)),
        RuntimeError,
        modified(f"{what}, which is output 0 of {node},"),
    )


# --- layouts of flip, roll, repeat, tril/triu, cumprod, sort and layer_norm -----------------


def _permuted(lib: Any) -> Any:
    values = [[[1.5, -2.0, 0.7], [0.3, -0.9, 2.2]], [[1.1, -0.2, 0.4], [0.35, -1.9, 1.2]]]
    z = lib.tensor(values, dtype=lib.float64, requires_grad=True)
    return z.permute(2, 0, 1)  # strides (1, 6, 3)


def _layouts(lib: Any) -> Any:
    # fuzz seeds 0-2 (widened menu): t.cumprod(1), F.layer_norm(t, ...) of a permuted or
    # unfolded tensor were not contiguous in ndgrad; flip and sort of one were
    x = _permuted(lib)
    s = x.sort(1)
    return [
        x.flip(0),
        x.roll(1, 0),
        x.repeat(1, 1, 1),
        x.tril(),
        x.triu(1),
        x.cumprod(1),
        s.values,
        s.indices,
        lib.nn.functional.layer_norm(x, (2,)),
    ]


@requires_torch
def test_layouts_match_torch() -> None:
    _assert_same(_run(_layouts, ndgrad), _run(_layouts, torch))


def test_layouts_by_hand() -> None:
    flip, roll, repeat, tril, triu, cumprod, values, indices, norm = _layouts(ndgrad)
    # flip and sort write into empty_like(x), which keeps x's layout; the others are contiguous
    for t in (flip, values, indices):
        assert t.stride() == (1, 6, 3) and not t.is_contiguous()
    for t in (roll, repeat, tril, triu, cumprod, norm):
        assert t.stride() == (4, 2, 1) and t.is_contiguous()
    np.testing.assert_array_equal(flip.detach().numpy(), _permuted(ndgrad).detach().numpy()[::-1])


# --- cumprod of a 0-d tensor saves its output ---------------------------------------------


def _cumprod_0d_output_modified(lib: Any) -> Any:
    # fuzz seed 2: t1 = t0.cumprod(0) (0-d), then t1.zero_(): PyTorch's backward reports the
    # saved output written in place, ndgrad's did not save it
    t0 = lib.tensor(0.7, dtype=lib.float64, requires_grad=True)
    t1 = t0.cumprod(0)
    y = t1 + 1
    t1.zero_()
    y.backward()
    return t0.grad


@requires_torch
def test_cumprod_0d_matches_torch() -> None:
    _assert_same(
        _run(_cumprod_0d_output_modified, ndgrad), _run(_cumprod_0d_output_modified, torch)
    )


def test_cumprod_0d_by_hand() -> None:
    raises(
        _cumprod_0d_output_modified,
        RuntimeError,
        modified("torch.DoubleTensor []], which is output 0 of Cumprod,"),
    )


# --- F.pad (constant): PyTorch's checks, and a crop only is a clone ------------------------


def _pad_too_long(lib: Any) -> Any:
    # fuzz seed 0: F.pad(t0, (0, 0)) of a 0-d tensor
    t0 = lib.tensor(1.6, dtype=lib.float64, requires_grad=True)
    return lib.nn.functional.pad(t0, (0, 0), value=0.0)


def _pad_negative_length(lib: Any) -> Any:
    # fuzz seed 0: a negative width larger than the dim (ndgrad padded (2, -3) to size 3)
    t0 = lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64, requires_grad=True)
    return lib.nn.functional.pad(t0, (2, -3), value=0.5)


def _pad_crop_only(lib: Any) -> Any:
    t0 = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=lib.float64, requires_grad=True)
    y = lib.nn.functional.pad(t0.t(), (-1, 0), value=0.5)  # a clone of t0.t()[:, 1:]
    z = lib.nn.functional.pad(lib.tensor(1.5, dtype=lib.float64, requires_grad=True), ())
    y.sum().backward()
    return y, z, t0.grad


def _pad_transposed(lib: Any) -> Any:
    # fuzz seed 4: F.pad(t0.swapaxes(1, -2), (-1, -1, 2, 0)) was laid out in Fortran order
    # (np.pad keeps it), PyTorch's is a new contiguous tensor
    t0 = lib.tensor([[0.6, -0.8], [1.5, -0.4], [-1.7, 1.7]], dtype=lib.float64, requires_grad=True)
    return lib.nn.functional.pad(t0.swapaxes(1, -2), (-1, 0, 2, 0), value=0.25)


@pytest.mark.parametrize(
    "program", [_pad_too_long, _pad_negative_length, _pad_crop_only, _pad_transposed]
)
@requires_torch
def test_pad_matches_torch(program: Callable[[Any], Any]) -> None:
    _assert_same(_run(program, ndgrad), _run(program, torch))


def test_pad_by_hand() -> None:
    raises(
        _pad_too_long,
        RuntimeError,
        "Padding length should be less than or equal to two times the input dimension but got "
        "padding length 2 and input of dimension 0",
    )
    raises(_pad_negative_length, RuntimeError, "narrow(): length must be non-negative.")
    y, z, grad = _pad_crop_only(ndgrad)
    assert y.stride() == (1, 3) and type(y.grad_fn).__name__ == "ConstantPadNdBackward0"
    np.testing.assert_array_equal(y.detach().numpy(), [[4.0], [5.0], [6.0]])
    assert z.item() == 1.5 and type(z.grad_fn).__name__ == "ConstantPadNdBackward0"
    np.testing.assert_array_equal(grad.numpy(), [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    padded = _pad_transposed(ndgrad)
    assert padded.is_contiguous() and padded.stride() == (2, 1)
    expected = [[0.25, 0.25], [0.25, 0.25], [1.5, -1.7], [-0.4, 1.7]]
    np.testing.assert_array_equal(padded.detach().numpy(), expected)


# --- index_put_ refuses a value sharing memory with self; masked_scatter_'s messages ------


def _index_put_overlap(accumulate: bool, fn: bool) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        # fuzz seed 1: torch.index_put_(t2, (torch.tensor([-1, 2]),), t3, accumulate=True) with
        # t3 = t2.select(0, 3): ndgrad wrote, PyTorch refuses
        t0 = lib.tensor([-0.4, 2.0, 0.5, -1.5], dtype=lib.float64, requires_grad=True)
        t2 = t0.sigmoid()
        index = (lib.tensor([-1, 2]),)
        if fn:
            lib.index_put_(t2, index, t2.select(0, 3), accumulate=accumulate)
        else:
            t2.index_put_(index, t2[1:3], accumulate=accumulate)
        return t2

    return program


def _index_put_mask_fill(lib: Any) -> Any:
    # one element through one bool mask: PyTorch's masked_fill_, no overlap check
    t2 = lib.tensor([-0.4, 2.0, 0.5], dtype=lib.float64, requires_grad=True) * 2
    t2.index_put_((lib.tensor([True, False, True]),), t2[1])
    return t2


def _masked_scatter_float_mask(lib: Any) -> Any:
    # fuzz seed 1: the mask's dtype is named as PyTorch's ScalarType
    t0 = lib.zeros(2, 3, dtype=lib.float64)
    return t0.masked_scatter_(lib.tensor([1.0, 0.0, 1.0]), lib.ones(6, dtype=lib.float64))


def _masked_scatter_dtypes(lib: Any) -> Any:
    t0 = lib.zeros(2, 3, dtype=lib.float64)
    return t0.masked_scatter_(lib.tensor([True, False, True]), lib.ones(6))


def _index_put_leaf_first(lib: Any) -> Any:
    # fuzz seed 2: t0.index_put_((torch.tensor([0]),), t0) of a leaf that requires grad:
    # PyTorch's autograd refuses the leaf before its kernel looks at the overlap
    t0 = lib.tensor([[[-0.5]]], dtype=lib.float64, requires_grad=True)
    return t0.index_put_((lib.tensor([0]),), t0)


_INDEX_PUT_PROGRAMS = {
    "leaf-first": _index_put_leaf_first,
    "fn-accumulate": _index_put_overlap(True, True),
    "fn": _index_put_overlap(False, True),
    "method-accumulate": _index_put_overlap(True, False),
    "method": _index_put_overlap(False, False),
    "mask-fill": _index_put_mask_fill,
    "scatter-float-mask": _masked_scatter_float_mask,
    "scatter-dtypes": _masked_scatter_dtypes,
}


@pytest.mark.parametrize("name", list(_INDEX_PUT_PROGRAMS))
@requires_torch
def test_index_put_overlap_matches_torch(name: str) -> None:
    program = _INDEX_PUT_PROGRAMS[name]
    _assert_same(_run(program, ndgrad), _run(program, torch))


@pytest.mark.parametrize("name", [n for n in _INDEX_PUT_PROGRAMS if n.startswith(("fn", "m"))])
def test_index_put_overlap_by_hand(name: str) -> None:
    if name == "mask-fill":
        t2 = _index_put_mask_fill(ndgrad)
        np.testing.assert_array_equal(t2.detach().numpy(), [4.0, 4.0, 4.0])
        return
    raises(
        _INDEX_PUT_PROGRAMS[name],
        RuntimeError,
        f"unsupported operation: {PARTIAL} location. Please clone() the tensor before "
        "performing the operation.",
    )


def test_index_put_leaf_first_by_hand() -> None:
    raises(
        _index_put_leaf_first,
        RuntimeError,
        "a leaf Variable that requires grad is being used in an in-place operation.",
    )


def test_masked_scatter_messages_by_hand() -> None:
    raises(
        _masked_scatter_float_mask,
        RuntimeError,
        "masked_scatter_ only supports boolean masks, but got mask with dtype Float",
    )
    raises(
        _masked_scatter_dtypes,
        RuntimeError,
        "masked_scatter: expected self and source to have same dtypes but gotDouble and Float",
    )


# --- var/std over all elements with no degrees of freedom left ----------------------------


def _var_no_dof(op: str, values: Any, **kw: Any) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        # fuzz seed 1: t1 = t0.var(0, correction=1) of a 0-d t0, backward(create_graph=True):
        # PyTorch's gradient (nan) does not require grad, ndgrad's did
        t0 = lib.tensor(values, dtype=lib.float64, requires_grad=True)
        getattr(t0, op)(**kw).backward(create_graph=True)
        return t0.grad, t0.grad.requires_grad

    return program


_NO_DOF = {
    "var-0d": _var_no_dof("var", 1.7, dim=0, correction=1),
    "var-all": _var_no_dof("var", [1.0, 2.0], correction=2),
}


@pytest.mark.parametrize("name", list(_NO_DOF))
@requires_torch
def test_var_no_dof_matches_torch(name: str) -> None:
    _assert_same(_run(_NO_DOF[name], ndgrad), _run(_NO_DOF[name], torch))


def test_var_no_dof_by_hand() -> None:
    with pytest.warns(UserWarning, match="degrees of freedom"):
        grad, requires_grad = _NO_DOF["var-0d"](ndgrad)
    assert np.isnan(grad.item()) and requires_grad is False
    with pytest.warns(UserWarning):
        grad, requires_grad = _NO_DOF["var-all"](ndgrad)
    # grad * inf where x is not its mean: the sign of the incoming gradient, not of x - mean
    np.testing.assert_array_equal(grad.numpy(), [np.inf, np.inf])
    assert requires_grad is False


# --- amax/max/median: the tie mask is taken in backward from the saved input and output ----


def _amax_output_written_through_data(lib: Any) -> Any:
    # fuzz seed 1: t2 = torch.stack([t0, t0], -1).amax(-1); t2.data.mul_(-2.0): no element
    # equals the output now (.data bumps no version), so PyTorch's gradient is 0/0 = nan
    t0 = lib.tensor([1.8], dtype=lib.float64, requires_grad=True)
    t2 = lib.stack([t0, t0], dim=-1).amax(-1)
    t2.data.mul_(-2.0)
    t2.sigmoid().sum().backward()
    return t0.grad


def _max_input_written_through_data(lib: Any) -> Any:
    # a tie made through .data after max(): the gradient is shared by both
    t0 = lib.tensor([1.8, 0.5], dtype=lib.float64, requires_grad=True)
    t1 = t0 * 1
    t2 = t1.max()
    t1.data[1] = 1.8
    t2.backward()
    return t0.grad


def _median_output_written_through_data(lib: Any) -> Any:
    # no element equals median() now: evenly_distribute_backward gives zeros, not nan
    t0 = lib.tensor([1.8, 0.5, 0.7], dtype=lib.float64, requires_grad=True)
    t2 = t0.median()
    t2.data.fill_(3.0)
    t2.backward()
    return t0.grad


_WRITTEN_THROUGH_DATA = [
    _amax_output_written_through_data,
    _max_input_written_through_data,
    _median_output_written_through_data,
]


@pytest.mark.parametrize("program", _WRITTEN_THROUGH_DATA)
@requires_torch
def test_extreme_mask_in_backward_matches_torch(program: Callable[[Any], Any]) -> None:
    _assert_same(_run(program, ndgrad), _run(program, torch))


def test_extreme_mask_in_backward_by_hand() -> None:
    assert np.isnan(_amax_output_written_through_data(ndgrad).numpy()).all()
    np.testing.assert_array_equal(_max_input_written_through_data(ndgrad).numpy(), [0.5, 0.5])
    np.testing.assert_array_equal(_median_output_written_through_data(ndgrad).numpy(), [0, 0, 0])


# --- F.linear: addmm on a flattened view only for a contiguous input and a 1-d bias ---------


def _linear_then_inplace(shape: tuple[int, ...], bias_dim: int, step: int) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        # fuzz seed 1: t4 = F.linear(t0, t1, t3) with t0 1-d and t3 0-d, then t4.sigmoid_():
        # PyTorch's t4 is matmul's result plus the bias (SigmoidBackward0 after), ndgrad's was
        # a view of addmm's (AsStridedBackward0 after)
        n = math.prod(shape)
        w = lib.tensor([[1.7, -0.4, -1.1], [0.3, 0.2, 0.5]], dtype=lib.float64, requires_grad=True)
        x = lib.arange(n * step, dtype=lib.float64).requires_grad_()
        b = lib.tensor([0.5, -0.5] if bias_dim else 0.5, dtype=lib.float64, requires_grad=True)
        y = lib.nn.functional.linear((x * 1)[::step].reshape(shape), w, b)
        seen = (type(y.grad_fn).__name__, y._base is not None)
        y.sigmoid_()
        y.sum().backward()
        return seen, y, x.grad, b.grad

    return program


_LINEAR = {
    "1d-bias0d": _linear_then_inplace((3,), 0, 1),
    "1d-strided": _linear_then_inplace((3,), 1, 2),
    "3d-bias0d": _linear_then_inplace((2, 2, 3), 0, 1),
}


@pytest.mark.parametrize("name", list(_LINEAR))
@requires_torch
def test_linear_matches_torch(name: str) -> None:
    _assert_same(_run(_LINEAR[name], ndgrad), _run(_LINEAR[name], torch))


@pytest.mark.parametrize("name", list(_LINEAR))
def test_linear_by_hand(name: str) -> None:
    seen, y, _, _ = _LINEAR[name](ndgrad)
    assert seen == ("AddBackward0", False)
    assert type(y.grad_fn).__name__ == "SigmoidBackward0"


# --- copy_ of the same data into a destination that repeats memory, recorded ---------------


def _data_copy_of_expanded(lib: Any) -> Any:
    # fuzz seed 0 (tests/test_fuzz_views_inplace batch): t1.data.copy_(t1) with t1 expanded:
    # PyTorch's copy_ kernel returns before its overlap check (the same data) and autograd
    # records CopyBackwards; ndgrad raised the internal-overlap error
    t0 = lib.tensor([[[-0.9, -1.8, -0.4, 0.4]]], dtype=lib.float64, requires_grad=True)
    t1 = lib.broadcast_to(t0, (3, 2, 1, 4))
    d = t1.data
    d.copy_(t1)
    seen = (d.requires_grad, d.is_leaf, d._version)
    (d * 2).sum().backward()
    return seen, d, t0.grad


def _copy_self_strided(lib: Any) -> Any:
    # fuzz seed 2: t2.as_strided_((2,), (0,), k); t2.copy_(t2) of a non-view that requires grad
    a = lib.tensor([0.5, 1.5, 2.5], dtype=lib.float64, requires_grad=True)
    t2 = lib.nn.functional.silu(a)
    t2.as_strided_((2,), (0,), 1)
    t2.copy_(t2)
    seen = t2._version
    (t2 * lib.tensor([1.0, 3.0], dtype=lib.float64)).sum().backward()
    return seen, t2, a.grad


@pytest.mark.parametrize("program", [_data_copy_of_expanded, _copy_self_strided])
@requires_torch
def test_copy_same_data_matches_torch(program: Callable[[Any], Any]) -> None:
    _assert_same(_run(program, ndgrad), _run(program, torch))


def test_copy_same_data_by_hand() -> None:
    seen, d, grad = _data_copy_of_expanded(ndgrad)
    assert seen == (True, False, 1) and type(d.grad_fn).__name__ == "CopyBackwards"
    np.testing.assert_array_equal(grad.numpy(), [[[12.0, 12.0, 12.0, 12.0]]])  # 2 * 6 copies
    version, t2, grad = _copy_self_strided(ndgrad)
    assert version == 2 and type(t2.grad_fn).__name__ == "CopyBackwards"
    silu_grad = 1 / (1 + np.exp(-1.5)) * (1 + 1.5 * (1 - 1 / (1 + np.exp(-1.5))))
    np.testing.assert_allclose(grad.numpy(), [0.0, 4 * silu_grad, 0.0], rtol=1e-12)


# --- an in-place op's saved output is the tensor's memory (a write through .data shows) -----


def _saved_output_written_through_data(op: str, view: bool) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        # fuzz seed 5: t2 = t0.sum(); t2.sigmoid_(); t2.data.copy_(t1); t2.backward(): PyTorch's
        # SigmoidBackward0 reads its saved result, now t1 (-1.6 * 2.6), ndgrad kept a copy
        t0 = lib.tensor([-1.2, 0.4], dtype=lib.float64, requires_grad=True)
        t2 = t0 * 1
        target = t2[1:] if view else t2
        getattr(target, op)()
        target.data.copy_(lib.tensor([-1.6], dtype=lib.float64))
        t2.sum().backward()
        return t0.grad

    return program


_SAVED_OUTPUT = {
    f"{op}-{'view' if view else 'base'}": _saved_output_written_through_data(op, view)
    for op in ("sigmoid_", "exp_", "tanh_")
    for view in (False, True)
}


@pytest.mark.parametrize("name", list(_SAVED_OUTPUT))
@requires_torch
def test_saved_output_memory_matches_torch(name: str) -> None:
    _assert_same(_run(_SAVED_OUTPUT[name], ndgrad), _run(_SAVED_OUTPUT[name], torch))


def test_saved_output_memory_by_hand() -> None:
    # the derivatives from the saved output y = -1.6: y (1 - y), y, 1 - y^2
    for op, d in (("sigmoid_", -1.6 * 2.6), ("exp_", -1.6), ("tanh_", 1 - 1.6**2)):
        np.testing.assert_allclose(_SAVED_OUTPUT[f"{op}-base"](ndgrad).numpy(), [d, d])
        np.testing.assert_allclose(_SAVED_OUTPUT[f"{op}-view"](ndgrad).numpy(), [1.0, d])


# --- prod's gradient at a zero, over one element: the incoming gradient as it is ---------------


def _prod_one_zero(dim: int | None) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        # fuzz seed 5: t1 = t0 - t0; t1.prod().backward(create_graph=True): PyTorch's
        # prod_safe_zeros_backward returns grad for a single element (no graph), ndgrad built
        # the product of the others from x (a graph)
        t0 = lib.tensor([[0.5], [1.5]], dtype=lib.float64, requires_grad=True)
        t1 = t0 - lib.tensor([[0.5], [1.0]], dtype=lib.float64)
        (t1.prod() if dim is None else t1.prod(dim).sum()).backward(create_graph=True)
        return t0.grad, t0.grad.requires_grad

    return program


def _prod_one_zero_all(lib: Any) -> Any:
    t0 = lib.tensor([[0.5]], dtype=lib.float64, requires_grad=True)
    (t0 - t0).prod().backward(create_graph=True)
    return t0.grad, t0.grad.requires_grad


@pytest.mark.parametrize("program", [_prod_one_zero_all, _prod_one_zero(1)])
@requires_torch
def test_prod_one_zero_matches_torch(program: Callable[[Any], Any]) -> None:
    _assert_same(_run(program, ndgrad), _run(program, torch))


def test_prod_one_zero_by_hand() -> None:
    grad, requires_grad = _prod_one_zero_all(ndgrad)
    assert requires_grad is False and grad.numpy().tolist() == [[0.0]]  # d(t0 - t0)/dt0 = 0
    grad, requires_grad = _prod_one_zero(1)(ndgrad)
    assert requires_grad is False and grad.numpy().tolist() == [[1.0], [1.0]]


# --- mse_loss of two shapes broadcasts by expand first, as PyTorch's broadcast_tensors -----


def _mse_broadcast_target_modified(lib: Any) -> Any:
    # fuzz seed 9: the saved target is its [4, 4] expanded view, which names AsStrided once
    # its base t3 was written (ndgrad saved t3 itself, [4], MaskedFill)
    t0 = lib.tensor([1.265, -1.675, -1.123, -1.118], dtype=lib.float64, requires_grad=True)
    t3 = lib.nn.functional.relu(t0)
    t4 = lib.nn.functional.mse_loss(lib.nn.functional.elu(t0.view((4, -1))), t3, reduction="sum")
    names = [type(n[0]).__name__ for n in t4.grad_fn.next_functions]
    t3.masked_fill_(lib.tensor([False, True, False, False]), 0.1)
    try:
        lib.autograd.grad(t4, [t0])
    except RuntimeError as error:
        return names, str(error)
    return names, None


def _mse_shapes_mismatch(lib: Any) -> Any:
    return lib.nn.functional.mse_loss(lib.ones(2, 3), lib.ones(2, 2))


@pytest.mark.parametrize("program", [_mse_broadcast_target_modified, _mse_shapes_mismatch])
@requires_torch
def test_mse_broadcast_matches_torch(program: Callable[[Any], Any]) -> None:
    _assert_same(_run(program, ndgrad), _run(program, torch))


def test_mse_broadcast_by_hand() -> None:
    with pytest.warns(UserWarning):
        names, message = _mse_broadcast_target_modified(ndgrad)
    assert names == ["ExpandBackward0", "ExpandBackward0"]
    assert message == modified("torch.DoubleTensor [4, 4]], which is output 0 of AsStrided,")
    with pytest.warns(UserWarning):
        raises(
            _mse_shapes_mismatch,
            RuntimeError,
            "The size of tensor a (3) must match the size of tensor b (2) at non-singleton "
            "dimension 1",
        )
