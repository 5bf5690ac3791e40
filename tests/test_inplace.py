"""In-place ops in the graph: version counters, saved-value checks, leaves, views, history."""

from __future__ import annotations

import re

import numpy as np
import pytest

import ndgrad
from tests.helpers import assert_close, requires_torch, torch


def _x(values, requires_grad=True):
    return ndgrad.tensor(np.array(values, dtype=np.float64), requires_grad=requires_grad)


def _modified(type_, shape, op, version, expected):
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [torch.{type_} {shape}], which is output 0 of {op}, is at version {version}; "
        f"expected version {expected} instead. Hint: enable anomaly detection to find the "
        "operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False)."
    )


# --- version counters --------------------------------------------------------------------------


def test_version_counter_shared_by_views_and_detach_not_data():
    a = _x([1.0, 2.0, 3.0, 4.0], requires_grad=False)
    v = a.view(2, 2)
    t = v.transpose(0, 1)
    d = a.detach()
    assert a._version == v._version == t._version == d._version == 0
    t.add_(1)
    assert a._version == v._version == d._version == 1
    d.mul_(2)
    assert a._version == t._version == 2
    a.data.add_(1)  # .data bypasses the counter
    assert a._version == 2
    assert_close(a, [5.0, 7.0, 9.0, 11.0])


def test_every_inplace_op_bumps_the_version():
    a = _x([1.0, 2.0], requires_grad=False)
    ops = [
        lambda t: t.add_(1),
        lambda t: t.sub_(1),
        lambda t: t.mul_(2),
        lambda t: t.div_(2),
        lambda t: t.pow_(2),
        lambda t: t.neg_(),
        lambda t: t.exp_(),
        lambda t: t.zero_(),
        lambda t: t.fill_(3.0),
        lambda t: t.copy_(ndgrad.ones(2)),
    ]
    for k, op in enumerate(ops, 1):
        assert op(a) is a
        assert a._version == k
    a += 1
    a -= 1
    a *= 2
    a /= 2
    a **= 1
    assert a._version == len(ops) + 5


# --- modified saved values ---------------------------------------------------------------------


def test_modified_saved_output_raises_at_backward():
    x = _x([1.0, 2.0])
    y = x.exp()  # saves its output
    y.add_(1)
    with pytest.raises(
        RuntimeError, match=re.escape(_modified("DoubleTensor", "[2]", "Exp", 1, 0))
    ):
        y.sum().backward()


def test_modified_saved_input_raises_at_backward():
    x = _x([1.0, 2.0])
    a = x * 1
    y = a * a  # saves a
    a.mul_(2)
    with pytest.raises(
        RuntimeError, match=re.escape(_modified("DoubleTensor", "[2]", "Mul", 1, 0))
    ):
        y.sum().backward()


def test_modification_through_detach_is_caught_and_through_data_is_not():
    x = _x([1.0, 2.0])
    a = x * 1
    y = a * a
    a.detach().add_(1)
    with pytest.raises(RuntimeError, match=re.escape("is at version 1; expected version 0")):
        y.sum().backward()
    a = x * 1
    y = a * a
    a.data.add_(1)  # not tracked: the stale gradient is what PyTorch gives too
    y.sum().backward()
    assert_close(x.grad, [4.0, 6.0])


@requires_torch
@pytest.mark.parametrize("case", ["output", "input", "view"])
def test_modified_message_matches_torch(case):
    def run(lib):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        if case == "output":
            y = x.exp()
            y.add_(1)
            loss = y.sum()
        elif case == "input":
            a = x * 1
            y = a * a
            a.mul_(2)
            loss = y.sum()
        else:
            a = x * 1
            y = (a.view(2, 1) * a.view(2, 1)).sum()
            a.view(2, 1).mul_(3)
            loss = y
        with pytest.raises(RuntimeError) as info:
            loss.backward()
        return str(info.value)

    assert run(ndgrad) == run(torch)


# --- leaves ------------------------------------------------------------------------------------


def test_leaf_inplace_raises_and_is_allowed_under_no_grad():
    w = _x([1.0, 2.0])
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "a leaf Variable that requires grad is being used in an in-place operation."
        ),
    ):
        w.add_(1)
    with pytest.raises(RuntimeError, match=re.escape("a leaf Variable that requires grad")):
        w.zero_()
    with pytest.raises(RuntimeError, match=re.escape("a leaf Variable that requires grad")):
        w += 1
    assert w._version == 0
    with ndgrad.no_grad():
        w.sub_(ndgrad.tensor([0.5, 0.5], dtype=ndgrad.float64))
        w.zero_()
    assert w.requires_grad and w.is_leaf and w.grad_fn is None
    assert w._version == 2


def test_view_of_leaf_inplace_raises():
    w = _x([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
        ),
    ):
        w.view(2, 2).mul_(2)
    with ndgrad.no_grad():
        w.view(2, 2).transpose(0, 1).mul_(2)
    assert_close(w, [2.0, 4.0, 6.0, 8.0])


def test_inplace_on_expanded_tensor_raises():
    a = _x([1.0, 2.0], requires_grad=False)
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation."
        ),
    ):
        a.expand(3, 2).mul_(2)


# --- non-leaf history --------------------------------------------------------------------------

_INPLACE_OPS = {
    "add_": lambda t, o: t.add_(o, alpha=2),
    "sub_": lambda t, o: t.sub_(o),
    "mul_": lambda t, o: t.mul_(o),
    "div_": lambda t, o: t.div_(o),
    "pow_": lambda t, o: t.pow_(2),
    "neg_": lambda t, o: t.neg_(),
    "exp_": lambda t, o: t.exp_(),
    "zero_": lambda t, o: t.zero_(),
    "fill_": lambda t, o: t.fill_(1.5),
    "copy_": lambda t, o: t.copy_(o),
    "iadd": lambda t, o: t.__iadd__(o),
    "imul": lambda t, o: t.__imul__(o),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(_INPLACE_OPS))
def test_inplace_on_non_leaf_matches_torch(name):
    op = _INPLACE_OPS[name]

    def run(lib):
        x = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64, requires_grad=True)
        o = lib.tensor([1.5, 0.25, -2.0], dtype=lib.float64, requires_grad=True)
        a = x.sigmoid() * 1.0
        b = a + x  # uses the old value of a; Add saves nothing
        op(a, o)
        names = type(a.grad_fn).__name__
        ((a * 3).sum() + b.sum()).backward()
        return names, a.detach(), x.grad, o.grad

    ours, theirs = run(ndgrad), run(torch)
    assert ours[0] == theirs[0]
    assert_close(ours[1:3], theirs[1:3], rtol=1e-12)
    if theirs[3] is None:
        assert ours[3] is None
    else:
        assert_close(ours[3], theirs[3], rtol=1e-12)


def test_inplace_after_use_by_saved_input_check():
    x = _x([1.0, 2.0])
    a = x * 2
    b = a.exp()  # saves its output b, not a
    a.add_(1)  # fine: nothing saved a
    (a + b).sum().backward()
    assert_close(x.grad, 2 + 2 * np.exp([2.0, 4.0]))


# --- views of non-leaves -----------------------------------------------------------------------


def test_inplace_on_view_rewrites_base_history():
    x = _x([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    b = x * 1
    v = b.view(2, 3)
    w = b.view(3, 2).transpose(0, 1)  # another view, re-derived after the write
    v.mul_(ndgrad.tensor([[1.0], [10.0]], dtype=ndgrad.float64))
    assert type(b.grad_fn).__name__ == "CopySlices"
    assert type(v.grad_fn).__name__ == "AsStridedBackward0"
    assert type(w.grad_fn).__name__ == "AsStridedBackward0"
    assert_close(b, [1.0, 2.0, 3.0, 40.0, 50.0, 60.0])
    (w * ndgrad.arange(6.0, dtype=ndgrad.float64).view(2, 3)).sum().backward()
    # w[i, j] = b[2 j + i]; b = x * [1, 1, 1, 10, 10, 10]
    weight = np.zeros(6)
    for i in range(2):
        for j in range(3):
            weight[2 * j + i] = 3 * i + j
    assert_close(x.grad, weight * np.array([1, 1, 1, 10, 10, 10]))


def test_inplace_on_view_gradient_reaches_written_value():
    x = _x([1.0, 2.0, 3.0, 4.0])
    y = _x([5.0, 6.0])
    b = x * 2
    v = b.view(2, 2).transpose(0, 1).unsqueeze(0).squeeze(0)
    v.copy_(y.expand(2, 2) * 1)  # v[i, j] = b[2 j + i] = y[j]
    (b * ndgrad.tensor([1.0, 2.0, 3.0, 4.0], dtype=ndgrad.float64)).sum().backward()
    assert_close(x.grad, [0.0, 0.0, 0.0, 0.0])
    assert_close(y.grad, [1.0 + 2.0, 3.0 + 4.0])


def test_write_grad_requiring_value_into_view_of_plain_tensor():
    buf = ndgrad.zeros(4, dtype=ndgrad.float64)
    y = _x([2.0, 3.0])
    view = buf.view(2, 2).transpose(0, 1)  # view[i, j] = buf[2 j + i]
    view.copy_(ndgrad.stack([y, y]))  # view[i, j] = y[j]
    assert buf.requires_grad and type(buf.grad_fn).__name__ == "CopySlices"
    assert_close(buf, [2.0, 2.0, 3.0, 3.0])
    (buf * ndgrad.arange(4.0, dtype=ndgrad.float64)).sum().backward()
    assert_close(y.grad, [0.0 + 1.0, 2.0 + 3.0])


def test_inplace_on_base_re_derives_existing_views():
    x = _x([1.0, 2.0, 3.0, 4.0])
    b = x * 1
    v = b.view(2, 2)
    b.mul_(3)
    assert type(v.grad_fn).__name__ == "AsStridedBackward0"
    v.sum().backward()
    assert_close(x.grad, [3.0, 3.0, 3.0, 3.0])


@requires_torch
def test_inplace_on_views_matches_torch_with_double_backward():
    def run(lib):
        x = lib.tensor([0.3, -0.7, 1.1, 0.5, 2.0, -1.5], dtype=lib.float64, requires_grad=True)
        y = lib.tensor([0.2, -0.4, 0.9], dtype=lib.float64, requires_grad=True)
        b = x.tanh() * 1
        v = b.view(2, 3).transpose(0, 1)  # (3, 2)
        v.mul_(y.unsqueeze(1))
        v.exp_()
        other = b.view(3, 2)
        loss = (b * b).sum() + (other * 2).sum()
        gx, gy = lib.autograd.grad(loss, (x, y), create_graph=True)
        hx, hy = lib.autograd.grad((gx * gx).sum() + gy.sum(), (x, y))
        return b.detach(), gx, gy, hx, hy

    assert_close(run(ndgrad), run(torch), rtol=1e-10)


def test_grad_mode_off_inplace_on_view_keeps_history():
    x = _x([1.0, 2.0])
    b = x * 2
    with ndgrad.no_grad():
        b.view(2).add_(1)  # untracked write, as in PyTorch
    assert type(b.grad_fn).__name__ == "MulBackward0"
    b.sum().backward()
    assert_close(x.grad, [2.0, 2.0])


def test_view_made_under_no_grad_cannot_be_modified_with_grad():
    x = _x([1.0, 2.0, 3.0, 4.0])
    b = x * 2
    with ndgrad.no_grad():
        v = b.view(2, 2)
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "A view was created in no_grad mode and is being modified inplace with grad mode "
            "enabled. Given that this use case is ambiguous and error-prone, it is forbidden."
        ),
    ):
        v.mul_(3)
    with ndgrad.no_grad():
        v.mul_(3)  # both inside no_grad: allowed, untracked
    assert_close(b, [6.0, 12.0, 18.0, 24.0])
    b.detach().view(2, 2).mul_(1)  # a view of a detached tensor is fine


def test_stale_view_of_plain_tensor_written_after_base_gained_history():
    buf = ndgrad.zeros(4, dtype=ndgrad.float64)
    first, second = buf.view(2, 2), buf.view(4)  # made before buf had any history
    y = _x([2.0, 3.0])
    first.copy_(ndgrad.stack([y, y]))  # buf = [y0, y1, y0, y1]
    second.mul_(y.sum())  # every element, including those written from y, scaled by y0 + y1
    buf.sum().backward()
    # buf.sum() = 2 (y0 + y1)²: d/dy = 4 (y0 + y1)
    assert_close(y.grad, [20.0, 20.0])


def test_zero_fill_untracked_paths():
    a = _x([1.0, 2.0], requires_grad=False)
    a.expand(2, 2).zero_()  # one value into an expanded tensor: PyTorch 2.13 allows it
    assert_close(a, [0.0, 0.0])
    with pytest.raises(RuntimeError, match=re.escape("unsupported operation: more than one")):
        a.expand(2, 2).add_(1.0)  # a computed value would be written twice: refused
    a.fill_(ndgrad.tensor(4.0))
    assert_close(a, [4.0, 4.0])
    w = _x([1.0, 2.0])
    (w * w).sum().backward()
    w.grad.zero_()  # what optimizers' zero_grad does
    assert_close(w.grad, [0.0, 0.0])
    assert w.grad._version == 2  # 1 from the in-place sum of its two gradients, as PyTorch


def test_gradcheck_through_inplace_on_views():
    from ndgrad.autograd import gradcheck, gradgradcheck

    def f(x, y):
        b = x.tanh() * 1
        b.view(2, 3).transpose(0, 1).mul_(y.unsqueeze(1))
        b.view(6).exp_()
        return b * x

    x = _x(np.random.default_rng(0).standard_normal(6))
    y = _x([0.5, -1.0, 2.0])
    assert gradcheck(f, (x, y))
    assert gradgradcheck(f, (x, y))


@pytest.mark.parametrize("order", ["C", "F"])
def test_flat_index_maps_view_elements_to_base(order):
    from ndgrad.autograd._views import flat_index

    base = np.array(np.arange(24.0).reshape(2, 3, 4), order=order)
    views = [base[1], base.transpose(2, 0, 1), base[:, ::2, 1:3], base[..., 0], base[:, 1:]]
    for v in views:
        idx = flat_index(base, v)
        assert np.array_equal(base.reshape(-1)[idx], v)
    with pytest.raises(RuntimeError, match=re.escape("unsupported operation: more than one")):
        flat_index(base, np.broadcast_to(base[0, 0], (2, 4)))


def test_inplace_on_view_of_fortran_ordered_base():
    data = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    x = ndgrad.from_numpy(data).requires_grad_(True)
    b = x * 1  # a C-ordered result; its transpose is the view written to
    b.transpose(0, 1).mul_(ndgrad.tensor([[1.0, 2.0]], dtype=ndgrad.float64))
    b.sum().backward()
    assert_close(x.grad, [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]])


_RESTRIDES = [
    ("squeeze_dim", (2, 1), lambda t: t.squeeze_(1), "SqueezeBackward4"),
    ("squeeze_all", (2, 1), lambda t: t.squeeze_(), "SqueezeBackward3"),
    ("squeeze_dims", (2, 1), lambda t: t.squeeze_((1,)), "SqueezeBackward5"),
    ("unsqueeze", (2,), lambda t: t.unsqueeze_(0), "UnsqueezeBackward1"),
    ("t", (2, 3), lambda t: t.t_(), "TBackward1"),
    ("transpose", (2, 3), lambda t: t.transpose_(0, 1), "TransposeBackward1"),
]


@pytest.mark.parametrize(
    ("name", "shape", "op", "node"), _RESTRIDES, ids=[r[0] for r in _RESTRIDES]
)
def test_inplace_restrides_record_the_inplace_overload(name, shape, op, node):
    x = ndgrad.ones(*shape, requires_grad=True)
    y = op(x * 2)
    assert y.grad_fn.name() == node
    y.sum().backward()
    assert x.grad.tolist() == np.full(shape, 2.0).tolist()
    # the out-of-place op keeps its own name
    assert not (x * 2).squeeze(-1).grad_fn.name().endswith(("3", "4", "5"))


@requires_torch
@pytest.mark.parametrize(
    ("name", "shape", "op", "node"), _RESTRIDES, ids=[r[0] for r in _RESTRIDES]
)
def test_inplace_restride_names_match_torch(name, shape, op, node):
    x = torch.ones(*shape, requires_grad=True)
    assert op(x * 2).grad_fn.name() == node
