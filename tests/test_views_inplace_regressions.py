"""Regressions from differential fuzzing under views, index assignment and in-place writes.

Each program runs under ndgrad and under PyTorch; everything it returns (values, gradients, node
names, flags, or the error raised) must agree. The programs are the shrunk reproducers of the
defects that fuzzing found, so each one failed before its fix.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import gradcheck, gradgradcheck

from .helpers import requires_torch, torch
from .programs import assert_same, modified


def _assert_close_runs(a: Any, b: Any) -> None:
    assert_same(a, b, rtol=1e-6, atol=1e-7)  # float32 programs among them


def _observe(value: Any) -> Any:
    """What a program returned, as plain comparable data."""
    if isinstance(value, tuple | list):
        return [_observe(v) for v in value]
    if isinstance(value, ndgrad.Tensor) or (torch is not None and isinstance(value, torch.Tensor)):
        fn = value.grad_fn
        return (
            "tensor",
            value.detach().numpy().copy(),
            None if fn is None else type(fn).__name__,
            value.requires_grad,
        )
    return value


def _run(program: Callable[[Any, Any], Any], lib: Any) -> Any:
    functional = lib.nn.functional
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _observe(program(lib, functional))
    except Exception as e:  # the error is part of the observed behaviour
        return ("error", type(e).__name__, re.sub(r"0x[0-9a-f]+", "0x", str(e)))


def _index_assign_after_view(lib: Any, F: Any) -> Any:
    # A view taken before `base[idx] = value` must see the new history (issue 16, item 1).
    t2 = lib.tensor([[0.5219, -2.4493, -1.6151]], dtype=lib.float64, requires_grad=True)
    t5 = 3.0 / t2
    t6 = t5[None, :, 0:3:2]
    t5[0:] = t2
    t6.mean().backward()
    return t2.grad, t6


def _column_assign_after_view(lib: Any, F: Any) -> Any:
    a = lib.tensor([[1.0, 2, 3], [4, 5, 6]], requires_grad=True)
    b = a * 2
    v = b[:, 0:2]
    b[:, 1] = 7.0
    (v * lib.tensor([[1.0, 2], [3, 4]])).sum().backward()
    return a.grad, v


def _retain_grad_then_inplace(lib: Any, F: Any) -> Any:
    a = lib.tensor(2.0, requires_grad=True)
    b = a * 1.5
    b.retain_grad()
    b.exp_()
    (b * 3).backward()
    return b.grad, a.grad, b.retains_grad


def _retain_grad_then_write_through_view(lib: Any, F: Any) -> Any:
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a * 2
    b.retain_grad()
    b[1:].mul_(3)
    (b * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
    return b.grad, a.grad


def _elu_0d(lib: Any, F: Any) -> Any:
    t = lib.tensor(0.5, requires_grad=True)
    F.elu(t).sum().backward()
    u = lib.tensor(-0.5, requires_grad=True)
    F.elu(u).backward()
    return t.grad, u.grad


def _fill_through_view_of_0d(view: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    def program(lib: Any, F: Any) -> Any:
        t1 = lib.tensor(1.5, requires_grad=True)
        t2 = t1.clone()
        view(t2).fill_(0.25)
        (t2.sum() * 2.0).backward()
        return t1.grad, t2

    return program


def _expand_repeating_nothing(lib: Any, F: Any) -> Any:
    t3 = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True).clone()
    t3.broadcast_to((4,)).add_(lib.ones(4))
    t3.expand(1, 4).mul_(2.0)
    t3.sum().backward()
    return t3


def _inplace_on_base_of_expanded_view(lib: Any, F: Any) -> Any:
    x = lib.tensor([[1.0, -2.0, 3.0, 0.5]], requires_grad=True)
    t3 = x * 1.0
    t4 = t3.expand((3, 1, -1))
    t3 -= t3 * 0.5
    (t4 * lib.arange(12.0).reshape(3, 1, 4)).sum().backward()
    return x.grad, t4


def _writing_into_a_repeating_expand(lib: Any, F: Any) -> Any:
    t = lib.ones(1, 4).clone()
    t.expand(3, 4).add_(1)
    return t


def _view_after_advanced_index(lib: Any, F: Any) -> Any:
    t3 = lib.arange(16.0).reshape(2, 2, 4)
    r = t3[:, lib.tensor([0, 1])]
    return r.view(16), r.is_contiguous(), r.stride()


def _inplace_on_multi_output_view(split: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    def program(lib: Any, F: Any) -> Any:
        x = lib.ones(3, 2, requires_grad=True).clone()
        split(x)[0].mul_(2)
        return x

    return program


def _inplace_on_view_of_multi_output_view(lib: Any, F: Any) -> Any:
    x = lib.ones(3, 2, requires_grad=True).clone()
    x.unbind(1)[0][0:1].zero_()
    return x


def _multi_output_view_without_grad(lib: Any, F: Any) -> Any:
    y = lib.ones(3, 2)
    y.unbind()[1].mul_(2)
    return y


def _partial_overlap(write: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    def program(lib: Any, F: Any) -> Any:
        x = lib.arange(6.0)
        write(x)
        return x

    return program


def _elu_then_clamp_(lib: Any, F: Any) -> Any:
    x = lib.tensor([0.5, -0.3], requires_grad=True)
    y = F.elu(x)
    y.clamp_(-0.1, 0.4)
    y.sum().backward()
    return x.grad, y


def _add_alpha_backward_twice(lib: Any, F: Any) -> Any:
    t2 = lib.tensor([0.5, -0.3], requires_grad=True)
    a = lib.add(t2, t2, alpha=0.1)
    m = a.mean()
    m.backward()
    m.backward()
    s = lib.sub(t2, t2 * 2, alpha=0.5)
    s.sum().backward()
    return t2.grad, a, s, len(a.grad_fn.next_functions)


def _backward_twice_through_saved_tensor(lib: Any, F: Any) -> Any:
    x = lib.tensor([0.5, -0.3], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()
    return x.grad


def _create_graph_grad(lib: Any, F: Any) -> Any:
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    first = (x.grad.requires_grad, type(x.grad.grad_fn).__name__, x.grad.is_leaf)
    x.grad.sum().backward()  # accumulates into the same .grad tensor, in place
    return first, x.grad


def _create_graph_accumulate(lib: Any, F: Any) -> Any:
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward(create_graph=True)
    flags = (x.grad.requires_grad, x.grad.grad_fn is None)
    (x**2).sum().backward(create_graph=True)
    return flags, x.grad


def _node_names(lib: Any, F: Any) -> Any:
    t = lib.tensor([0.5, 1.0], requires_grad=True)
    outs = (
        2 - t,
        2.0 - t,
        t - 2,
        F.gelu(t),
        F.gelu(t, approximate="tanh"),
        F.silu(t),
        lib.softmax(t, 0),
        lib.log_softmax(t, -1),
        t.softmax(0),
        t.log_softmax(0),
        F.softmax(t, 0),
        F.log_softmax(t, 0),
        F.softmax(t[0], 0),
    )
    return [type(o.grad_fn).__name__ for o in outs], outs


def _grad_of_empty_inputs(lib: Any, F: Any) -> Any:
    x = lib.tensor([1.0], requires_grad=True)
    return lib.autograd.grad(x * 2, [])


def _write_into_split_output_made_to_require_grad(key: Any, value: Any) -> Any:
    """An output of split() of a tensor that needs no grad, given requires_grad_() and then
    written through a view: PyTorch names the view (it now has a node); a write that needs no
    view keeps the no_grad-mode text."""

    def program(lib: Any, F: Any) -> Any:
        t2 = lib.add(lib.ones(4, 3, 3, dtype=lib.float64), 1.0).flatten()
        _, t4, _ = t2.split(16, -1)
        t4.requires_grad_()
        t4[key] = value(lib, t4)
        return t4

    return program


PROGRAMS: dict[str, Callable[[Any, Any], Any]] = {
    "split_output_requires_grad_then_slice_write": _write_into_split_output_made_to_require_grad(
        slice(4, 14), lambda lib, t: t[5:15]
    ),
    "split_output_requires_grad_then_select_write": _write_into_split_output_made_to_require_grad(
        1, lambda lib, t: 2.0
    ),
    "index_assign_after_view": _index_assign_after_view,
    "column_assign_after_view": _column_assign_after_view,
    "retain_grad_then_inplace": _retain_grad_then_inplace,
    "retain_grad_then_write_through_view": _retain_grad_then_write_through_view,
    "elu_0d": _elu_0d,
    "fill_through_ellipsis_of_0d": _fill_through_view_of_0d(lambda t: t[...]),
    "fill_through_t_of_0d": _fill_through_view_of_0d(lambda t: t.t()),
    "fill_through_view_of_0d": _fill_through_view_of_0d(lambda t: t.view(-1)),
    "expand_repeating_nothing": _expand_repeating_nothing,
    "inplace_on_base_of_expanded_view": _inplace_on_base_of_expanded_view,
    "writing_into_a_repeating_expand": _writing_into_a_repeating_expand,
    "view_after_advanced_index": _view_after_advanced_index,
    "inplace_on_unbind_output": _inplace_on_multi_output_view(lambda x: x.unbind()),
    "inplace_on_split_output": _inplace_on_multi_output_view(lambda x: x.split(1)),
    "inplace_on_split_with_sizes_output": _inplace_on_multi_output_view(lambda x: x.split([1, 2])),
    "inplace_on_chunk_output": _inplace_on_multi_output_view(lambda x: x.chunk(3)),
    "inplace_on_view_of_multi_output_view": _inplace_on_view_of_multi_output_view,
    "multi_output_view_without_grad": _multi_output_view_without_grad,
    "partial_overlap_setitem": _partial_overlap(lambda x: x.__setitem__(slice(1, 4), x[:3])),
    "partial_overlap_copy_": _partial_overlap(lambda x: x[1:4].copy_(x[:3])),
    "partial_overlap_add_": _partial_overlap(lambda x: x[1:4].add_(x[:3])),
    "partial_overlap_clamp_": _partial_overlap(lambda x: x[1:4].clamp_(x[:3], None)),
    "full_overlap_is_fine": _partial_overlap(lambda x: x[1:4].mul_(x[1:4])),
    "disjoint_is_fine": _partial_overlap(lambda x: x[3:].copy_(x[:3])),
    "elu_then_clamp_": _elu_then_clamp_,
    "add_alpha_backward_twice": _add_alpha_backward_twice,
    "backward_twice_through_saved_tensor": _backward_twice_through_saved_tensor,
    "create_graph_grad": _create_graph_grad,
    "create_graph_accumulate": _create_graph_accumulate,
    "node_names": _node_names,
    "grad_of_empty_inputs": _grad_of_empty_inputs,
}


@requires_torch
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_matches_pytorch(name: str) -> None:
    program = PROGRAMS[name]
    _assert_close_runs(_run(program, ndgrad), _run(program, torch))


def test_index_assignment_after_view_gradient() -> None:
    # The reproducer's gradient by hand: t6 picks elements 0 and 2 of the new t5, which is t2.
    t2 = ndgrad.tensor([[0.5219, -2.4493, -1.6151]], dtype=ndgrad.float64, requires_grad=True)
    t5 = 3.0 / t2
    t6 = t5[None, :, 0:3:2]
    t5[0:] = t2
    t6.mean().backward()
    assert t2.grad is not None
    np.testing.assert_array_equal(t2.grad.numpy(), [[0.5, 0.0, 0.5]])


def test_retained_grad_follows_inplace() -> None:
    a = ndgrad.tensor(2.0, requires_grad=True)
    b = a * 1.5
    b.retain_grad()
    b.exp_()
    (b * 3).backward()
    assert b.grad is not None and b.grad.item() == 3.0


def _activation_inplace(name: str) -> Callable[[Any, Any], Any]:
    def program(lib: Any, F: Any) -> Any:
        x = lib.tensor([0.5, -0.3], requires_grad=True)
        y = x * 1
        z = getattr(F, name)(y, inplace=True)
        layer = getattr(
            lib.nn, {"relu": "ReLU", "leaky_relu": "LeakyReLU", "elu": "ELU"}.get(name, "SiLU")
        )(inplace=True)
        w = x * 2
        layer(w)
        (z.sum() + w.sum()).backward()
        return z is y, z, w, x.grad

    return program


@requires_torch
@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu", "silu"])
def test_activation_inplace_matches_pytorch(name: str) -> None:
    # inplace=True was accepted and ignored: the input kept its old values.
    program = _activation_inplace(name)
    _assert_close_runs(_run(program, ndgrad), _run(program, torch))


# More programs around views and in-place writes, each a few lines run with ``torch`` bound to
# the library under test and ``leaf(*values)`` making a float64 leaf that requires grad. The last
# expression's value (after ``return``) is what is compared.
SNIPPETS: dict[str, str] = {
    "detach_inplace_then_backward": """
x = leaf(1.,2.,3.)
y = x.exp()
d = y.detach()
d.mul_(2)
y.sum().backward()
return x.grad
""",
    "hook_then_inplace": """
x = leaf(1.,2.)
y = x*2
seen=[]
y.register_hook(lambda g: seen.append(g.clone()))
y.mul_(3)
y.sum().backward()
return seen, x.grad
""",
    "gradgrad_setitem": """
x = leaf(1.,2.,3.)
y = x*x
y[1] = x[0]**3
g, = torch.autograd.grad(y.sum(), x, create_graph=True)
gg, = torch.autograd.grad(g.sum(), x)
return g, gg
""",
    "gradgrad_view_write": """
x = leaf(1.,2.,3.)
y = x*1
y[1:].mul_(x[:2])
g, = torch.autograd.grad((y*y).sum(), x, create_graph=True)
gg, = torch.autograd.grad(g.sum(), x)
return g, gg
""",
    "backward_twice_copyslices": """
x = leaf(1.,2.,3.)
y = x*1
y[0] = 5.
s=y.sum()
s.backward(retain_graph=True)
s.backward()
return x.grad
""",
    "backward_twice_copyslices_noretain": """
x = leaf(1.,2.,3.)
y = x*x
y[0] = 5.
s=y.sum()
s.backward()
s.backward()
return x.grad
""",
    "view_of_leaf_nograd_write": """
x = leaf(1.,2.,3.)
with torch.no_grad():
    x[1:].mul_(2)
(x*x).sum().backward()
return x, x.grad
""",
    "requires_grad_on_view": """
x = torch.tensor([1.,2.,3.])
v = x[1:]
v.requires_grad_()
return v.is_leaf, v.requires_grad
""",
    "inplace_on_view_then_base_grad": """
x = leaf(1.,2.,3.,4.)
y = x.clone()
v = y.view(2,2)
v[0].mul_(10)
(y*y).sum().backward()
return y, x.grad, v
""",
    "transpose_write": """
x = leaf(1.,2.,3.,4.)
y = x.clone().view(2,2)
y.t()[0].add_(100)
y.sum().backward()
return y, x.grad
""",
    "mask_setitem_tensor": """
x = leaf(1.,-2.,3.)
y = x*1
y[y<0] = x[1]*10
(y*y).sum().backward()
return y, x.grad
""",
    "setitem_value_grad": """
x = leaf(1.,2.,3.)
w = leaf(5.)
y = x*1
y[1] = w*2
(y*y).sum().backward()
return y, x.grad, w.grad
""",
    "diag_write": """
x = torch.eye(3, dtype=torch.float64, requires_grad=True)
y = x*2
y.diagonal().add_(leaf(1.,2.,3.))
y.sum().backward()
return y, x.grad
""",
    "unsqueeze_write": """
x = leaf(1.,2.)
y=x*1
y.unsqueeze(0).mul_(3)
y.sum().backward()
return y, x.grad
""",
    "chain_views_write": """
x = leaf(*range(12))
y = x.clone()
v = y.view(3,4)[1:, ::2].t()
v.mul_(0.5)
y.pow(2).sum().backward()
return v, x.grad
""",
    "write_to_view_then_view_used": """
x = leaf(1.,2.,3.)
y = x*2
a = y[:2]
b = y[1:]
a.mul_(x[:2])
(b*b).sum().backward()
return a, b, x.grad
""",
    "zero_d_ops": """
x = leaf(2.)
y = x*1
y.add_(x)
y.mul_(y)
y.backward()
return y, x.grad
""",
    "squeeze_view_write": """
x = leaf([[1.,2.]])
y = x*1
y.squeeze(0)[1] = 0.
y.sum().backward()
return y, x.grad
""",
    "narrow_select_write": """
x = leaf([[1.,2.,3.],[4.,5.,6.]])
y = x*1
y.narrow(1,1,2).select(0,1).fill_(0.)
(y*x).sum().backward()
return y, x.grad
""",
    "retain_base_write_view": """
x = leaf(1.,2.,3.)
y = x*1
y.retain_grad()
v = y[1:]
v.retain_grad()
v.mul_(2)
(y*3).sum().backward()
return y.grad, v.grad, x.grad
""",
    "retain_grad_view_then_base_write": """
x = leaf(1.,2.,3.)
y = x*1
v = y[1:]
v.retain_grad()
y.mul_(2)
(v*3).sum().backward()
return v.grad, x.grad
""",
    "detach_view_inplace_version": """
x = leaf(1.,2.)
y = x.sigmoid()
y.detach()[0] = 0.
y.sum().backward()
return x.grad
""",
    "data_write": """
x = leaf(1.,2.)
y = x.sigmoid()
y.data[0] = 0.
y.sum().backward()
return x.grad
""",
    "inplace_int_result": """
x = torch.tensor([1,2,3])
x.add_(1.5)
return x
""",
    "inplace_dtype_promote_float": """
x = torch.tensor([1.,2.], dtype=torch.float32)
x.add_(torch.tensor([1.,2.], dtype=torch.float64))
return x, str(x.dtype)
""",
    "expand_then_grad": """
x = leaf(1.,2.)
y = x.expand(3,2)
z = y*1
z[0,0]=5.
z.sum().backward()
return x.grad
""",
    "split_then_setitem_on_piece": """
x = leaf(1.,2.,3.,4.)
y = x*1
a,b = y.split(2)
c = a.clone()
c[0]=9.
(c.sum()+b.sum()).backward()
return x.grad
""",
    "unbind_nograd_then_use": """
x = leaf(1.,2.);
with torch.no_grad():
    a, b = (x*1).unbind()
    a.mul_(3)
return a, b
""",
    "backward_twice_view": """
x = leaf(1.,2.,3.)
y = x[1:]
s = (y*2).sum()
s.backward()
s.backward()
return x.grad
""",
    "backward_twice_exp": """
x = leaf(1.,2.,3.)
s = x.exp().sum()
s.backward()
s.backward()
return x.grad
""",
    "autograd_grad_unused": """
x = leaf(1.,2.)
z = leaf(3.)
return torch.autograd.grad((x*2).sum(), [x, z], allow_unused=True)
""",
    "autograd_grad_unused_err": """
x = leaf(1.,2.)
z = leaf(3.)
return torch.autograd.grad((x*2).sum(), [x, z])
""",
    "grad_of_non_scalar": """
x = leaf(1.,2.)
(x*2).backward()
""",
    "backward_after_leaf_modified_nograd": """
x = leaf(1.,2.)
y = x*x
with torch.no_grad(): x.mul_(2)
y.sum().backward()
return x.grad
""",
    "create_graph_retain_grad": """
x = leaf(1.,2.)
y = x*x
y.retain_grad()
z = (y*y).sum()
z.backward(create_graph=True)
return y.grad, x.grad
""",
    "second_order_through_views": """
x = leaf(1.,2.,3.)
y = x.view(3,1).expand(3,2).t()*x[:2].view(2,1)
g, = torch.autograd.grad(y.pow(2).sum(), x, create_graph=True)
return g, torch.autograd.grad(g.sum(), x)
""",
    "inplace_sigmoid_saved_output": """
x = leaf(1.,2.)
y = x*1
y.sigmoid_()
y.mul_(2)
y.sum().backward()
return x.grad
""",
    "inplace_exp_then_view_read": """
x = leaf(1.,2.)
y = x*1
v = y[:1]
y.exp_()
v.sum().backward()
return x.grad, v
""",
    "clamp_inplace_view": """
x = leaf(-1.,0.5,2.)
y = x*1
y[1:].clamp_(max=1.0)
(y*y).sum().backward()
return y, x.grad
""",
    # Found by the widened fuzzer (tests/fuzz_views.py) after items 1-11 of issue 16 were fixed.
    # A copy of a tensor into the very same memory of an expanded view copies nothing: PyTorch
    # records it (a backward through it raises), the next write that copies something raises.
    "copy_itself_into_expanded_view": """
t0 = leaf([[[1.7]], [[1.9]], [[-1.7]], [[2.0]]])
t1 = t0 * 0.5
t2 = torch.broadcast_to(t1, (3, 4, 2, 2))
t2.copy_(t2)
return t2, t1, t2._version
""",
    "copy_itself_into_expanded_view_then_exp_": """
t0 = leaf([[[1.7]], [[1.9]], [[-1.7]], [[2.0]]])
t1 = t0 * 0.5
t2 = torch.broadcast_to(t1, (3, 4, 2, 2))
t2.copy_(t2)
t2.exp_()
""",
    "copy_itself_into_expanded_view_then_backward": """
t0 = leaf([[[1.7]], [[1.9]], [[-1.7]], [[2.0]]])
t1 = t0 * 0.5
t2 = torch.broadcast_to(t1, (3, 4, 2, 2))
t2.copy_(t2)
t1.sum().backward()
""",
    "setitem_same_memory_into_expanded_view": """
t0 = leaf(-1.591, 0.489, -1.837, -1.806)
t1 = torch.sin(t0)
t2 = t1.expand((3, -1))
t3 = torch.broadcast_to(t2, (2, 2, 3, 4))
t3[0:1] = t3[1:2]
return t3, t1, t3._version
""",
    "setitem_same_memory_into_expanded_0d": """
t0 = leaf([[-0.9]])
t1 = t0.mean()
t2 = t1.expand((2, 3))
t2[0:1] = t2[1:2]
t2[:] = t2
return t2, t1, t2._version
""",
    "setitem_same_memory_into_expanded_no_grad": """
t0 = torch.tensor([[[-0.9]]], dtype=torch.float64)
t1 = t0.expand((2, -1, 3, 1))
t1[0:1] = t1[1:2]
return t1, t1._version
""",
    # A view that requires grad of a base that is a leaf (now) refuses an in-place write; one
    # whose base has history again (after detach_() and a recorded write) does not.
    "view_of_leaf_detached_then_written_with_history": """
t0 = leaf(-1.0, -1.4)
t1 = t0[:]
t0.detach_()
t0 -= t1
t1[0:1] = t1[1:2]
return t0, t1
""",
    "view_of_nonleaf_whose_base_was_detached": """
t0 = leaf(1.7)
t1 = leaf(-1.4)
t2 = t1 - t0
t3 = t2[()]
t2.detach_()
t3 -= t3
""",
    # A view of an unbind/split/chunk output of a tensor that needs no grad inherits its refusal.
    "view_of_no_grad_chunk_output_written_with_grad": """
t0 = torch.tensor([-0.5], dtype=torch.float64)
t1 = leaf([-0.6])
t2 = t0.unsqueeze(1)
t3, = t2.chunk(1, 1)
t5 = t3.diagonal(-1, 1, 0)
t5.sub_(t1.sum())
""",
    "nonempty_view_of_no_grad_chunk_output_written_with_grad": """
t0 = torch.tensor([[-0.5, 1.0]], dtype=torch.float64)
a, b = t0.chunk(2, 1)
a[0].sub_(leaf(0.25))
""",
    # A saved output of an in-place op on a view: the message names the view's node right
    # after the write while it lives (re-derived here by the base's write), else the op.
    "saved_output_of_inplace_on_view_message": """
t0 = leaf([[1.8], [-1.3], [-0.3], [1.0]])
t1 = t0.exp()
t2 = torch.broadcast_to(t1, (4, 1))
t2.tanh_()
t1[torch.tensor([-3])] = -1.25
t3 = torch.sin(t2)
torch.autograd.grad(t3.sum(), [t0])
""",
    # as_strided's backward of an empty view is plain zeros: under create_graph the gradient
    # does not require grad (and is a leaf).
    "empty_view_written_then_create_graph": """
t0 = leaf([[-1.8]])
t2 = t0.sum() - t0
t3 = t2.diagonal(-1, 1, 0)
t3[:] = t3
t4, = t3.split(1, -1)
t7, = torch.autograd.grad(F.gelu(t4).sum(), [t0], create_graph=True, allow_unused=True)
return t7, t7.is_leaf
""",
    # An input listed twice gets the very same tensor twice; two inputs, two tensors.
    "grad_input_listed_twice": """
t0 = leaf([1.7])
t1 = t0.flatten()
t4, = torch.autograd.grad(t1.sigmoid().sum(), [t1], create_graph=True)
t6, t7 = torch.autograd.grad(t4.sum(), [t0, t1])
t6.requires_grad_()
return t6 is t7, t7.requires_grad
""",
    "grad_of_0d_transpose_is_its_own_tensor": """
t0 = leaf(-1.2)
t1 = t0.t()
t2, t3 = torch.autograd.grad(t1, [t0, t1])
t2.requires_grad_()
return t2 is t3, t3.requires_grad
""",
    # fill_ with a tensor value: the gradient reaches the value (it was silently lost), only a
    # 0-d value, and not into an expanded tensor (a number may be).
    "fill_with_tensor_value_gradient": """
x = torch.zeros(3, dtype=torch.float64)
v = leaf(2.0)
x.fill_(v)
(x * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
return x, v.grad
""",
    "fill_view_with_tensor_value_gradient": """
x = torch.zeros(3, dtype=torch.float64)
v = leaf(2.0)
y = x[1:]
y.fill_(v)
(x * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
return x, y, v.grad
""",
    "fill_with_1d_value": """
torch.zeros(2, dtype=torch.float64).fill_(torch.ones(1, dtype=torch.float64))
""",
    "fill_expanded_with_tensor_value": """
t = torch.tensor([[1.1]], dtype=torch.float64).expand((1, 3, 2, -1))
t.fill_(torch.tensor(0.5, dtype=torch.float64))
""",
    "fill_expanded_with_number": """
t = torch.tensor([[1.1]], dtype=torch.float64).expand((1, 3, 2, -1))
t.fill_(0.5)
return t
""",
    "setitem_tensor_into_detached_expanded": """
t2 = leaf(-1.1).abs()
t4 = torch.tensor([[1.1]], dtype=torch.float64).expand((1, 3, 2, -1)).detach()
t4[-1] = t2
""",
    # A leaf used in the graph, detach_()ed, then given history by a write: its AccumulateGrad
    # refuses it.
    "leaf_moved_into_graph_interior": """
t0 = leaf([[0.5]])
t1 = t0.sum()
t0.detach_()
t0[:, 1:2] = t1
t1.backward()
""",
    # A view of an unbind/split output, written in place: the message names its node as PyTorch
    # does, SqueezeBackward1 as Squeeze1 (fuzz_views seed 7)
    "write_into_view_of_split_output_names_squeeze1": """
t0 = leaf([[1.3, 1.5, 1.6, -1.8]])
t1, t2, t3, t4 = t0.split(1, -1)
t5 = t2.squeeze(0)
t7 = leaf(-1.6, 0.5, -0.9).narrow(0, 2, 1)
t5[torch.tensor([-1])] = t7
""",
    "inplace_on_view_of_split_output_names_squeeze1": """
t0 = leaf([[1.3, 1.5, 1.6, -1.8]])
t1, t2, t3, t4 = t0.split(1, -1)
t2.squeeze(0).mul_(2)
""",
    # A write through a view records CopySlices, which a backward that does not retain the
    # graph frees: a second backward through it raises, though it saved no tensor (seed 11)
    "second_backward_through_copyslices": """
t0 = leaf(-1.7)
t1 = -t0
t1[None] = 0.75
t1.backward()
return torch.autograd.grad(t1, [t0], allow_unused=True)
""",
    "second_backward_through_copyslices_of_a_0d_view": """
t1 = leaf(0.8)
t3 = torch.tensor(-1.6, dtype=torch.float64) + leaf(-1.6)
t3[..., None] = t1
t3.backward()
(t3 * t3).sum().backward()
""",
    "copyslices_backward_twice_with_retain_graph": """
t0 = leaf(1.0, 2.0, 3.0)
t1 = t0 * 2
t1[1] = 5.0
t1.sum().backward(retain_graph=True)
t1.sum().backward()
return t0.grad
""",
    # Under autograd.grad, a node that leads to no requested input does not run, nor do its
    # retain_grad and tensor hooks; a single root's do (PyTorch's engine starts there), the
    # roots of several outputs' do not (seeds 14-19)
    "retained_view_off_the_path_of_autograd_grad": """
t0 = leaf(0.6, -1.1, -0.4)
t1 = leaf(-0.4)
t2 = t0.view((3, 1, 1))
t3 = torch.add(t1, t2, alpha=-2.0)
t2.retain_grad()
calls = []
t2.register_hook(lambda g: calls.append(1))
g = torch.autograd.grad(F.silu(t3).sum(), [t1], allow_unused=True)
return g, t2.grad, calls
""",
    "retained_unbind_output_off_the_path_of_autograd_grad": """
t0 = leaf(-1.1)
t2, t3, t4, t5 = leaf(0.8, 1.0, 0.5, -0.5).unbind(-1)
t6 = t3 - t0
t4.retain_grad()
t6[torch.tensor(False)] = t4
g = torch.autograd.grad(torch.sin(t6.abs()).sum(), [t0], allow_unused=True)
return g, t4.grad
""",
    "retained_single_root_off_the_path_of_autograd_grad": """
t2 = leaf([[0.9]]).sum()
t2.retain_grad()
g = torch.autograd.grad(t2, [leaf([[0.6]])], allow_unused=True)
return g, t2.grad
""",
    "retained_roots_of_two_outputs_under_autograd_grad": """
x, y = leaf(1.0, 2.0), leaf(3.0, 4.0)
a = (x * 2).sum()
a.retain_grad()
b = (y * 3).sum()
b.retain_grad()
g = torch.autograd.grad([a, b], [y], allow_unused=True)
return g, a.grad, b.grad
""",
    "retained_branch_outside_backward_inputs": """
x, y = leaf(1.0, 2.0), leaf(3.0, 4.0)
u = x * 2
u.retain_grad()
(u * y).sum().backward(inputs=[y])
return u.grad, y.grad, x.grad
""",
    # .grad follows PyTorch's gradient layout contract: the variable's strides when its memory
    # is dense, else contiguous; under create_graph a clone (CloneBackward0) then (seed 9)
    "grad_layout_of_a_transposed_leaf": """
x = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=torch.float64).t()
x = x.detach().requires_grad_()
(x * 2).sum().backward()
return x.grad.stride(), x.grad
""",
    "grad_layout_of_a_strided_leaf": """
y = torch.tensor([[0.5, -1.0, 2.0, 3.0]], dtype=torch.float64)[:, ::2].detach().requires_grad_()
(y * 2).sum().backward()
return y.grad.stride(), y.grad
""",
    "grad_under_create_graph_of_an_expanded_leaf": """
z = torch.tensor([[0.5, -1.0, 2.0]], dtype=torch.float64).expand(4, 3).detach().requires_grad_()
(z * z).sum().backward(create_graph=True)
g = z.grad
g.sum().backward()
return g.stride(), z.grad, z.grad is g
""",
    "grad_under_create_graph_of_a_transposed_leaf": """
x = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=torch.float64).t()
x = x.detach().requires_grad_()
(x * x).sum().backward(create_graph=True)
return x.grad.stride(), x.grad
""",
    # the saved output of an in-place op on a view comes back with the view's history, so a
    # double backward through it reaches the base's retained gradient (seeds 163-202)
    "saved_output_of_inplace_on_view_under_double_backward": """
t0 = torch.tensor([-0.5], dtype=torch.float64, requires_grad=True)
t1 = t0 * t0
t1.retain_grad()
t3 = t1.transpose(0, 0).squeeze(0)
t3.sigmoid_()
(t1 * t1).sum().backward(create_graph=True)
first = t1.grad
t0.grad.sum().backward()
return first, t1.grad, t0.grad
""",
    "retained_view_written_in_place_under_double_backward": """
t0 = torch.tensor(-1.1, dtype=torch.float64, requires_grad=True)
t2 = t0.expand(()) + t0
t3 = t2.permute(())
t3.retain_grad()
t3.tanh_()
(t3 * t3).sum().backward(create_graph=True)
t0.grad.sum().backward()
return t3.grad, t0.grad
""",
    "retain_grad_after_inplace_on_view_under_double_backward": """
t0 = torch.tensor([[1.5]], dtype=torch.float64, requires_grad=True)
t2 = t0.sum().unsqueeze(0)
t2.tanh_()
t2.retain_grad()
torch.sin(t2).sum().backward(create_graph=True)
t0.grad.sum().backward()
return t2.grad, t0.grad
""",
    # a second in-place op on a view keeps the node the view had after the first one (its
    # node's edge holds it), and the first one's saved output names it in its error. (With the
    # graph freed as it runs, PyTorch's CopySlices drops that node and names sigmoid's instead;
    # ndgrad's graph holds it until the graph goes: it names AsStrided either way.)
    "second_inplace_on_view_names_the_first_ones_view_node": """
t0 = torch.tensor([1.3, -0.5, -0.4], dtype=torch.float64, requires_grad=True)
t1 = t0.clone()
t3 = t1.reshape((3, 1))
t3.sigmoid_()
t3.add_(torch.tensor(-1.3, dtype=torch.float64, requires_grad=True))
torch.tanh(t3).sum().backward(retain_graph=True)
""",
    # a saved input that had a history and was detached in place since cannot be used
    "saved_input_detached_in_place": """
t0 = torch.tensor([-1.9], dtype=torch.float64, requires_grad=True)
t1 = -2.0 - t0
t2 = t1 * t0
t1.detach_()
t2.sum().backward()
""",
    "saved_input_detached_in_place_is_checked_before_versions": """
t0 = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
t1 = t0.exp()
t2 = torch.add(t1, t0, alpha=0.1)
t1.copy_(t1)
t4 = torch.sin(t2).sum()
t2.detach_()
t4.backward()
""",
    "saved_input_detached_in_place_under_create_graph": """
t0 = torch.tensor([-1.9], dtype=torch.float64, requires_grad=True)
t1 = t0.sin()
t2 = t1 * t0
t1.detach_()
return torch.autograd.grad(t2.sum(), [t0], create_graph=True)
""",
    "detached_in_place_before_it_was_saved": """
t0 = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
t1 = t0 * 2
t1.detach_()
(t1 * t0).sum().backward()
return t0.grad
""",
    "saved_leaf_detached_in_place": """
t0 = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
w = torch.tensor([3.0], dtype=torch.float64, requires_grad=True)
t2 = w * t0
w.detach_()
t2.sum().backward()
return t0.grad, w.grad
""",
    "saved_output_detached_in_place": """
t0 = torch.tensor([0.5], dtype=torch.float64, requires_grad=True)
t1 = t0.exp()
t2 = t1 + 0
t1.detach_()
t2.sum().backward()
return t0.grad
""",
    # relu keeps its input's layout (a transposed input gives a transposed result)
    "relu_of_transposed_layout": """
t0 = torch.tensor([[0.5, -1.7], [1.4, 1.9]], dtype=torch.float64)
return F.relu(t0.t()).is_contiguous(), F.relu(t0.t()).stride(), F.relu(t0).is_contiguous()
""",
}


def _snippet(code: str) -> Callable[[Any, Any], Any]:
    def program(lib: Any, F: Any) -> Any:
        def leaf(*values: Any) -> Any:
            data = list(values) if len(values) > 1 else values[0]
            return lib.tensor(data, dtype=lib.float64, requires_grad=True)

        source = "def body():\n" + "".join("    " + line + "\n" for line in code.splitlines())
        scope: dict[str, Any] = {"torch": lib, "F": F, "leaf": leaf}
        exec(source, scope)
        return scope["body"]()

    return program


@requires_torch
@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_snippet_matches_pytorch(name: str) -> None:
    program = _snippet(SNIPPETS[name])
    _assert_close_runs(_run(program, ndgrad), _run(program, torch))


def _second_order_through_alias(alias: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def program(lib: Any, F: Any) -> Any:
        t0 = lib.tensor(0.8, dtype=lib.float64, requires_grad=True)
        t1 = alias(lib, t0)
        F.gelu(t0 * t1).backward(create_graph=True)
        return t0.grad, lib.autograd.grad(t0.grad, [t0])

    return program


@requires_torch
@pytest.mark.parametrize(
    "alias",
    [
        lambda lib, t: t.detach(),
        lambda lib, t: t.data,
        lambda lib, t: lib.nn.Parameter(t.detach(), requires_grad=False),
    ],
    ids=["detach", "data", "parameter"],
)
def test_second_order_through_an_alias_matches_pytorch(alias: Any) -> None:
    # The alias shared t0's array object, so the multiply's saved operand was taken for t0 itself
    # and the double backward differentiated through it: a silently wrong second derivative.
    program = _second_order_through_alias(alias)
    _assert_close_runs(_run(program, ndgrad), _run(program, torch))


def test_fill_with_a_tensor_value_passes_gradcheck_and_gradgradcheck() -> None:
    def f(x: Any, v: Any) -> Any:
        y = x * 1.0
        y[1:].fill_(v)  # through a view, so the base keeps x's first element
        return y * x

    x = ndgrad.tensor([0.3, -1.2, 0.7], dtype=ndgrad.float64, requires_grad=True)
    v = ndgrad.tensor(0.9, dtype=ndgrad.float64, requires_grad=True)
    assert gradcheck(f, (x, v))
    assert gradgradcheck(f, (x, v))


@pytest.mark.parametrize("keep_view", [True, False])
def test_double_backward_through_saved_output_of_inplace_on_view_by_hand(keep_view: bool) -> None:
    """The first snippet above without torch. With s = sigmoid(x * x) written into a view of
    t1 = x * x, t0.grad = g = 4 x s^2 (1 - s). The second backward reaches t1's history through
    both uses of s in g's graph while the view lives (2s from t1 * t1, s (1 - s) from sigmoid's
    saved output): dg/ds = 2 x (4 s - 6 s^2), added to t1's first gradient 2 s. As in PyTorch,
    the saved output holds the view's node weakly: once the view is gone it comes back with
    sigmoid's own node, and only the first use reaches t1: 2 x * 2 s (1 - s)."""
    x = -0.5
    t0 = ndgrad.tensor([x], dtype=ndgrad.float64, requires_grad=True)
    t1 = t0 * t0
    t1.retain_grad()
    view = t1.transpose(0, 0).squeeze(0)
    view.sigmoid_()
    if not keep_view:
        del view
    (t1 * t1).sum().backward(create_graph=True)
    assert t0.grad is not None
    t0.grad.sum().backward()
    s = 1 / (1 + np.exp(-x * x))
    second = 2 * x * (4 * s - 6 * s * s) if keep_view else 2 * x * 2 * s * (1 - s)
    assert t1.grad is not None
    np.testing.assert_allclose(t1.grad.numpy(), [2 * s + second], rtol=1e-12)


def test_saved_input_detached_in_place_raises_pytorchs_error() -> None:
    t0 = ndgrad.tensor([-1.9], dtype=ndgrad.float64, requires_grad=True)
    t1 = -2.0 - t0
    t2 = t1 * t0
    t1.detach_()
    with pytest.raises(RuntimeError, match=r"detached in-place, i\.e\. with \.detach_\(\)\.This"):
        t2.sum().backward()


_BOTH_SAVED = {
    "mul": lambda lib, a, b: a * b,
    "div": lambda lib, a, b: a / b,
    "pow": lambda lib, a, b: a**b,
    "atan2": lambda lib, a, b: lib.atan2(a, b),
    "hypot": lambda lib, a, b: lib.hypot(a, b),
    "logaddexp": lambda lib, a, b: lib.logaddexp(a, b),
    "maximum": lambda lib, a, b: lib.maximum(a, b),
    "minimum": lambda lib, a, b: lib.minimum(a, b),
    "fmax": lambda lib, a, b: lib.fmax(a, b),
    "fmin": lambda lib, a, b: lib.fmin(a, b),
    "fmod": lambda lib, a, b: lib.fmod(a, b),
    "remainder": lambda lib, a, b: lib.remainder(a, b),
    "xlogy": lambda lib, a, b: lib.xlogy(a, b),
    "dist": lambda lib, a, b: lib.dist(a, b),
    "outer": lambda lib, a, b: lib.outer(a, b),
    "copysign": lambda lib, a, b: lib.copysign(a, b),
    "mse_loss": lambda lib, a, b: lib.nn.functional.mse_loss(a, b),
}


def _both_inputs_modified(op: Callable[..., Any]) -> Callable[[Any, Any], Any]:
    """Both saved inputs of a two-tensor op written in place: the error names the one PyTorch's
    node checks first (``other`` for most, seeds 185 and 195 of the fuzzer)."""

    def program(lib: Any, F: Any) -> Any:
        a = lib.tensor([0.5, 1.5], dtype=lib.float64, requires_grad=True) * 1
        b = lib.tensor([0.7, 0.9], dtype=lib.float64, requires_grad=True) * 1
        c = op(lib, a, b)
        a.mul_(2)
        b.add_(1)
        c.sum().backward()

    return program


@requires_torch
@pytest.mark.parametrize("name", sorted(_BOTH_SAVED))
def test_which_modified_input_the_error_names(name: str) -> None:
    program = _both_inputs_modified(_BOTH_SAVED[name])
    _assert_close_runs(_run(program, ndgrad), _run(program, torch))


def test_mul_checks_other_before_self() -> None:
    a = ndgrad.tensor([0.5, 1.5], requires_grad=True) * 1
    b = ndgrad.tensor([0.7, 0.9], requires_grad=True) * 1
    c = a * b
    a.mul_(2)
    b.add_(1)
    with pytest.raises(RuntimeError, match="output 0 of AddBackward0|output 0 of Add,"):
        c.sum().backward()


_IMPLICIT = "grad can be implicitly created only for scalar outputs"
_NO_GRAD = "element 0 of tensors does not require grad and does not have a grad_fn"


def _root_errors(lib: Any) -> list[str]:
    """backward / autograd.grad on outputs that do and do not require grad: which error."""
    x = lib.ones(2, 3, dtype=lib.float64)
    y = lib.ones(2, 3, dtype=lib.float64, requires_grad=True)
    t1 = lib.tensor([0.3], dtype=lib.float64) * 1
    scalar_view, expanded = t1.view(1), t1.expand(2, 3)
    t1.requires_grad_()  # the views made before require grad through their base, with no node
    calls = [
        lambda: lib.autograd.grad(x, x),
        lambda: lib.autograd.grad([y * 2, x], [y]),
        lambda: lib.autograd.grad([x, y * 2], [y]),
        lambda: lib.autograd.backward([x, y * 2]),
        lambda: lib.autograd.backward([x.sum(), (y * 2).sum()]),
        lambda: lib.autograd.grad(x, y, lib.ones(2, 3, dtype=lib.float64)),
        lambda: scalar_view.backward(),
        lambda: expanded.backward(),
        lambda: lib.autograd.grad(expanded, t1),
    ]
    seen = []
    for call in calls:
        try:
            call()
            seen.append("no error")
        except RuntimeError as e:
            seen.append(str(e))
    return seen


def test_every_outputs_gradient_is_checked_before_its_node() -> None:
    # PyTorch makes the implicit gradients (and raises for a non-scalar output that requires
    # grad) before its engine looks for the outputs' nodes (fuzz seed 203-242: a view that
    # requires grad through its base only, made before the base's requires_grad_()).
    expected = [_NO_GRAD, _IMPLICIT, _IMPLICIT, _IMPLICIT, _NO_GRAD, _NO_GRAD, _NO_GRAD]
    assert _root_errors(ndgrad) == [*expected, _IMPLICIT, _IMPLICIT]


@requires_torch
def test_every_outputs_gradient_is_checked_before_its_node_as_pytorch() -> None:
    assert _root_errors(ndgrad) == _root_errors(torch)


def _inplace_view_changes(lib: Any) -> list[Any]:
    """t_, transpose_, unsqueeze_, squeeze_ are in-place ops: they bump the version, so views
    taken before get a new history and a tensor saved before is reported at backward."""
    out: list[Any] = []
    a = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = a * 1
    v = b[0]
    b.t_()
    out.append((b._version, v._version, type(b.grad_fn).__name__, type(v.grad_fn).__name__))
    (v * lib.tensor([1.0, 10.0])).sum().backward()  # v reads b's memory: row 0 of the original
    out.append(a.grad.tolist())
    for name, args in (("transpose_", (0, 1)), ("unsqueeze_", (0,)), ("squeeze_", ())):
        b = a * 1
        getattr(b, name)(*args)
        out.append((name, b._version, list(b.shape)))
    b = a * 1
    c = b * b  # saves b
    b.t_()
    try:
        c.sum().backward()
        out.append("no error")
    except RuntimeError as e:
        out.append(str(e)[:80])
    try:
        (a * 1).reshape(1, 1, 4).t_()
    except RuntimeError as e:
        out.append(str(e))
    return out


def test_inplace_view_changes_bump_the_version() -> None:
    out = _inplace_view_changes(ndgrad)
    assert out[0] == (1, 1, "TBackward1", "AsStridedBackward0")
    assert out[1] == [[1.0, 10.0], [0.0, 0.0]]
    assert out[2:5] == [
        ("transpose_", 1, [2, 2]),
        ("unsqueeze_", 1, [1, 2, 2]),
        ("squeeze_", 1, [2, 2]),
    ]
    assert out[5].startswith("one of the variables needed for gradient computation has been")
    assert out[6] == "t_() expects a tensor with <= 2 dimensions, but self is 3D"


@requires_torch
def test_inplace_view_changes_as_pytorch() -> None:
    assert _inplace_view_changes(ndgrad) == _inplace_view_changes(torch)


def _write_into_overlapping_windows(lib: Any) -> Any:
    # A write into a part of an unfold view whose windows overlap: PyTorch writes through the
    # view t4[key], which repeats no element; the whole view's write could not be mapped onto
    # its base (ndgrad refused it before).
    t0 = lib.tensor([float(i) for i in range(1, 13)], dtype=lib.float64, requires_grad=True)
    t3 = lib.tensor([1.5], dtype=lib.float64, requires_grad=True)
    t4 = (t0 * 1).unfold(-1, 5, 2)  # windows 0-4, 2-6, 4-8, 6-10
    t4[1, 1:3] = t3 * 2  # elements 3 and 4 of t0's copy
    w = lib.tensor(np.arange(20.0).reshape(4, 5))
    (t4 * w).sum().backward()
    return t0.grad.tolist(), t3.grad.tolist(), type(t4.grad_fn).__name__


def test_write_into_part_of_overlapping_unfold_windows() -> None:
    grad0, grad3, node = _write_into_overlapping_windows(ndgrad)
    # d/dt0[i]: the sum of w over the windows' positions that hold element i, 0 where written
    w = np.arange(20.0).reshape(4, 5)
    expected = np.zeros(12)
    for k in range(4):
        for j in range(5):
            expected[2 * k + j] += w[k, j]
    written = expected[3] + expected[4]
    expected[3] = expected[4] = 0.0
    assert grad0 == expected.tolist()
    assert grad3 == [2 * written] and node == "AsStridedBackward0"


@requires_torch
def test_write_into_part_of_overlapping_unfold_windows_as_pytorch() -> None:
    assert _write_into_overlapping_windows(ndgrad) == _write_into_overlapping_windows(torch)


def _abs_double_backward_after_write(lib: Any) -> Any:
    # abs's derivative is grad * sgn(x), and sgn's node (SgnBackward0) saves x: writing x after
    # the create_graph gradient is reported by the second gradient (fuzz seeds 243-282).
    t0 = lib.tensor([[-1.7]], dtype=lib.float64, requires_grad=True)
    t1 = t0.sum()
    (t3,) = lib.autograd.grad(t1.abs(), [t1], create_graph=True)
    names = [type(n).__name__ for n, _ in t3.grad_fn.next_functions if n is not None]
    t1[()] = -0.5
    try:
        lib.autograd.grad(t3, [t0], allow_unused=True)
        return names, "no error"
    except RuntimeError as e:
        return names, str(e)[:100]


def test_abs_derivative_records_sgn() -> None:
    names, error = _abs_double_backward_after_write(ndgrad)
    assert names == ["SgnBackward0"]
    assert error.startswith("one of the variables needed for gradient computation has been modif")


@requires_torch
def test_abs_derivative_records_sgn_as_pytorch() -> None:
    assert _abs_double_backward_after_write(ndgrad) == _abs_double_backward_after_write(torch)


def _prod_reads_its_result(lib: Any) -> Any:
    # prod's derivative is grad * (result / input) without zeros, as PyTorch's: under
    # create_graph the second backward passes through the result, so a hook on it runs twice
    # and its retained gradient grows (fuzz seeds 300-339: two wrong gradients).
    calls: list[int] = []
    t0 = lib.tensor([[[1.3]]], dtype=lib.float64, requires_grad=True)
    t2 = t0[None].prod(-2)
    t2.register_hook(lambda g: calls.append(1) or g * -1.0)
    (t5,) = lib.autograd.grad(t2.sigmoid().sum(), [t0], create_graph=True)
    t5.sum().backward()
    x = lib.tensor([0.5, -1.5, 3.0], dtype=lib.float64, requires_grad=True)
    x.prod().backward()
    return len(calls), t0.grad.item(), x.grad.tolist()


def test_prod_derivative_reads_the_result() -> None:
    calls, grad, first = _prod_reads_its_result(ndgrad)
    # t5 = -s'(t2) t2 / x with t2 = x = 1.3; the hook flips the part that flows through t2
    x = 1.3
    s = 1 / (1 + np.exp(-x))
    ds = s * (1 - s)
    dds = ds * (1 - 2 * s)
    through_t2 = (dds * x + ds) / x  # -(df/dt2), flipped by the hook
    direct = ds * x / x**2
    assert calls == 2
    assert grad == pytest.approx(through_t2 + direct, rel=1e-13)
    v = np.array([0.5, -1.5, 3.0])
    assert first == (np.prod(v) / v).tolist()


@requires_torch
def test_prod_derivative_reads_the_result_as_pytorch() -> None:
    assert _prod_reads_its_result(ndgrad) == _prod_reads_its_result(torch)


def _accumulate_into_reshaped_grad(lib: Any) -> Any:
    # .grad transposed in place since the first backward: the next accumulation is PyTorch's
    # add_ into it, refused with its message (ndgrad leaked numpy's ValueError; fuzz 300-339).
    t0 = lib.tensor([[[0.529, -0.997, 0.532]]], dtype=lib.float64, requires_grad=True)
    t5 = lib.tanh(t0.index_select(-3, lib.tensor([0, 0])).chunk(2, -3)[1]).sum()
    t5.backward(retain_graph=True)
    t0.grad.transpose_(2, -3)
    try:
        t5.backward()
    except RuntimeError as e:
        return str(e)
    return None


def test_accumulating_into_a_reshaped_grad_raises_pytorchs_error() -> None:
    assert _accumulate_into_reshaped_grad(ndgrad) == (
        "output with shape [3, 1, 1] doesn't match the broadcast shape [3, 1, 3]"
    )


@requires_torch
def test_accumulating_into_a_reshaped_grad_as_pytorch() -> None:
    assert _accumulate_into_reshaped_grad(ndgrad) == _accumulate_into_reshaped_grad(torch)


def _detached_after_gaining_history(lib: Any) -> list[str]:
    """A saved input detached in place later: PyTorch refuses with the detach error only if it
    had a history when it was saved; one that got its history in place at or after the save
    gets the version check (fuzz seeds 380-419: addcmul_ of a tensor into itself)."""
    out = []
    t0 = lib.tensor([0.9], dtype=lib.float64, requires_grad=True)

    def history_then_write(lib: Any) -> Any:
        t1 = t0 * 1
        t2 = t1 * t0
        t1.mul_(2)
        t1.detach_()
        return t2

    def history_gained_by_the_saving_op(lib: Any) -> Any:
        t1 = lib.tensor([-1.6], dtype=lib.float64)
        t1.addcmul_(t0, t1, value=-2.0)  # saves t1 (no history yet), then gives it one
        t3 = t1 * 1
        t1.detach_()
        return t3

    def history_gained_after(lib: Any) -> Any:
        t1 = lib.tensor([-1.6], dtype=lib.float64)
        t2 = t1 * t0
        t1.add_(t0)
        t1.detach_()
        return t2

    programs = [history_then_write, history_gained_by_the_saving_op, history_gained_after]
    for program in programs:
        try:
            program(lib).sum().backward()
            out.append("no error")
        except RuntimeError as e:
            out.append(str(e)[:40])
    return out


def test_detach_error_only_for_inputs_saved_with_a_history() -> None:
    assert _detached_after_gaining_history(ndgrad) == [
        "Trying to use a saved tensor that has be",
        "one of the variables needed for gradient",
        "one of the variables needed for gradient",
    ]


@requires_torch
def test_detach_error_only_for_inputs_saved_with_a_history_as_pytorch() -> None:
    assert _detached_after_gaining_history(ndgrad) == _detached_after_gaining_history(torch)


def _norm_second_derivative(lib: Any) -> Any:
    # The 2-norm's derivative is grad * (x / y) with 0 where y = 0, PyTorch's formula: its second
    # derivative at y = 0 is nan, as PyTorch's (fuzz seeds 380-419).
    x = lib.tensor([[3.0, 4.0], [0.0, 0.0]], dtype=lib.float64, requires_grad=True)
    out = []
    for norm in (lambda: x.norm(2, dim=1), lambda: lib.linalg.vector_norm(x, 2, dim=1)):
        (g,) = lib.autograd.grad(norm().sum(), x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x)
        out.append((g.tolist(), np.round(h.numpy(), 12).tolist()))
    return repr(out)


def test_norm_second_derivative_at_zero_is_nan() -> None:
    # d/dx_j of sum_i x_i / |x| = (|x|^2 - x_j sum_i x_i) / |x|^3 for the row (3, 4)
    row = np.array([3.0, 4.0])
    n = np.linalg.norm(row)
    second = (n**2 - row * row.sum()) / n**3
    expected = ([[0.6, 0.8], [0.0, 0.0]], [np.round(second, 12).tolist(), [np.nan, np.nan]])
    assert _norm_second_derivative(ndgrad) == repr([expected, expected])


@requires_torch
def test_norm_second_derivative_as_pytorch() -> None:
    assert _norm_second_derivative(ndgrad) == _norm_second_derivative(torch)


def _prod_result_written_after_create_graph(lib: Any) -> str:
    # prod's derivative reads its result itself (broadcast, not expanded), so a write into the
    # result names it, as PyTorch's message does (fuzz seeds 420-459).
    t0 = lib.tensor([-0.8], dtype=lib.float64, requires_grad=True)
    t2 = lib.cat([t0, t0], dim=0).prod()
    t3, t4 = lib.autograd.grad(t2, [t2, t0], create_graph=True)
    t2 *= t3
    try:
        lib.autograd.grad(t4.sum(), [t0])
    except RuntimeError as e:
        return str(e)[:180]
    return "no error"


def test_prod_result_written_after_create_graph() -> None:
    message = _prod_result_written_after_create_graph(ndgrad)
    assert "[torch.DoubleTensor []], which is output 0 of Prod, is at version 1" in message


@requires_torch
def test_prod_result_written_after_create_graph_as_pytorch() -> None:
    ours = _prod_result_written_after_create_graph(ndgrad)
    assert ours == _prod_result_written_after_create_graph(torch)


def _view_taken_before_requires_grad(lib: Any) -> list[Any]:
    # fuzz seeds 500-539: a view taken before its base was made to require grad requires grad,
    # but its gradient goes nowhere. A built-in op then saves nothing for that input's gradient
    # (PyTorch's should_compute_output), so writing the other factor in place is not an error;
    # ndgrad saved it and refused the backward.
    t0 = lib.tensor([1.8, 1.3], dtype=lib.float64)
    t1 = lib.as_strided(t0, (), (), 1)
    t2 = t0.prod(0)
    t0.requires_grad_()
    t2.addcmul_(t2, t1, value=0.5)  # t2 would be saved for t1's gradient
    t2.backward()
    u0 = lib.tensor([0.5, 2.0], dtype=lib.float64)
    u1 = u0[1]
    u0.requires_grad_()
    u2 = lib.tensor(3.0, dtype=lib.float64)
    u3 = u2 * u1  # the operator's path: u2 would be saved for u1's gradient
    u2.add_(1)
    u3.backward()
    return [t2, t0.grad, u1.requires_grad, u3, u0.grad]


def test_view_taken_before_requires_grad() -> None:
    t2, t0_grad, u1_requires_grad, u3, u0_grad = _view_taken_before_requires_grad(ndgrad)
    assert t2.item() == pytest.approx(1.8 * 1.3 * (1 + 0.5 * 1.3))
    assert type(t2.grad_fn).__name__ == "AddcmulBackward0"
    assert t2.grad_fn.next_functions == ((None, 0), (None, 0), (None, 0))
    assert t0_grad is None and u1_requires_grad and u0_grad is None
    assert u3.item() == 6.0 and u3.grad_fn.next_functions == ((None, 0), (None, 0))


@requires_torch
def test_view_taken_before_requires_grad_as_pytorch() -> None:
    ours = _view_taken_before_requires_grad(ndgrad)
    theirs = _view_taken_before_requires_grad(torch)
    assert_same(_observe(ours), _observe(theirs))


def _custom_function_needs(lib: Any) -> tuple[bool, ...]:
    # a custom Function's ctx.needs_input_grad stays "requires grad" for such a view (PyTorch)
    seen: list[tuple[bool, ...]] = []

    class Scale(lib.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any, w: Any) -> Any:
            seen.append(tuple(ctx.needs_input_grad))
            return x * w

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g, g

    t0 = lib.tensor([1.8, 1.3], dtype=lib.float64)
    t1 = t0[1]
    t0.requires_grad_()
    Scale.apply(t1, lib.tensor(2.0, dtype=lib.float64, requires_grad=True))
    return seen[0]


def test_custom_function_needs_input_grad_of_such_a_view() -> None:
    assert _custom_function_needs(ndgrad) == (True, True)


@requires_torch
def test_custom_function_needs_input_grad_as_pytorch() -> None:
    assert _custom_function_needs(ndgrad) == _custom_function_needs(torch)


# --- fills into memory that elements share (expanded views, as_strided_ with stride 0) -----
_MASK = [[True, False, False], [False, False, True]]
DEPRECATED_MASKED_FILL = (
    "Use of masked_fill_ on expanded tensors is deprecated. Please clone() the tensor before "
    "performing this operation. This also applies to advanced indexing e.g. tensor[mask] = scalar"
)


def _fill_restrided(lib: Any) -> list[Any]:
    # fuzz seeds 500-539: fill_ of a tensor that as_strided_ made overlap itself raised the
    # internal-overlap error; PyTorch fills it (one value: the order does not matter)
    out = []
    for fill in (
        lambda t: t.fill_(-1.25),
        lambda t: t.zero_(),
        lambda t: t.masked_fill_(lib.tensor([True, False, False]), 4.0),
    ):
        w = lib.tensor([[2.0]], dtype=lib.float64, requires_grad=True)
        t = (w * 3).sum()
        t.as_strided_((3,), (0,))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fill(t)
        t.sum().backward()
        out += [t, w.grad]
    return out


def _masked_fill_expanded(lib: Any) -> list[Any]:
    out = []
    x = lib.tensor([1.0, 2.0], dtype=lib.float64)
    y = x[:, None].expand(2, 3)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        y.masked_fill_(lib.tensor(_MASK), 5.0)  # each row has a masked element: all of x is 5
    out += [x, [str(w.message).split(" (Triggered")[0] for w in seen]]
    n = lib.tensor([1, 2, 3])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        n[:, None].expand(3, 2).masked_fill_(
            lib.tensor([[False, True], [False, False], [True, True]]),
            7.9,  # int: 7
        )
        w = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        z = w * 1
        v = z[:, None].expand(2, 3)
        v.masked_fill_(lib.tensor(_MASK), lib.tensor(5.0, dtype=lib.float64))
    out += [n, z, v]
    try:
        z.sum().backward()  # what reached w through the repeated elements cannot be told
    except RuntimeError as e:
        out.append(str(e))
    return out


def test_fills_of_overlapping_memory_by_hand() -> None:
    t, g, t_zero, g_zero, t_masked, g_masked = _fill_restrided(ndgrad)
    np.testing.assert_array_equal(t.detach().numpy(), [-1.25] * 3)
    assert type(t.grad_fn).__name__ == "FillBackward2" and g.tolist() == [[0.0]]
    assert type(t_zero.grad_fn).__name__ == "ZeroBackward0" and g_zero.tolist() == [[0.0]]
    np.testing.assert_array_equal(t_masked.detach().numpy(), [4.0] * 3)
    # the two unmasked elements pass their gradients to the one storage element: 2 * 3
    assert type(t_masked.grad_fn).__name__ == "MaskedFillBackward0" and g_masked.tolist() == [[6.0]]
    x, messages, n, z, v, error = _masked_fill_expanded(ndgrad)
    assert x.tolist() == [5.0, 5.0] and messages == [DEPRECATED_MASKED_FILL]
    assert n.tolist() == [7, 2, 7]  # rows with a masked element
    assert z.tolist() == [5.0, 5.0] and type(z.grad_fn).__name__ == "CopySlices"
    assert type(v.grad_fn).__name__ == "AsStridedBackward0"
    assert error.startswith("unsupported operation: more than one element of the written-to")


@requires_torch
def test_fills_of_overlapping_memory_as_pytorch() -> None:
    for program in (_fill_restrided, _masked_fill_expanded):
        ours, theirs = program(ndgrad), program(torch)
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            if isinstance(a, str | list):
                assert a == b
            else:
                assert_same(_observe(a), _observe(b))


@pytest.mark.parametrize(
    ("dtype", "name"), [("int64", "long int"), ("uint8", "unsigned char"), ("int32", "int")]
)
def test_masked_fill_names_a_wrong_mask_dtype_as_pytorch(dtype: str, name: str) -> None:
    # PyTorch names the mask's type as C++ does ("long int", not "long")
    mask = ndgrad.tensor([[1, 0]], dtype=getattr(ndgrad, dtype))
    with pytest.raises(RuntimeError) as info:
        ndgrad.zeros(1, 2).masked_fill(mask, 1.0)
    assert (
        str(info.value)
        == f"masked_fill_ only supports boolean masks, but got mask with dtype {name}"
    )


def _scatter_through_view_bad_gradient(lib: Any) -> str:
    # fuzz seeds 500-539: scatter_ with a src larger than its index, through a view: PyTorch
    # runs ScatterBackward0 inside CopySlices, so its check of the src gradient names that node
    t0 = lib.tensor([[0.8]], dtype=lib.float64, requires_grad=True)
    t1 = t0.exp()
    t2 = t1.view_as(t1)
    t3 = lib.tensor([[-1.7], [0.7], [-1.1]], dtype=lib.float64, requires_grad=True)
    t2.scatter_(-1, lib.tensor([[0]]), t3)
    try:
        lib.tanh(t1).sum().backward()
    except RuntimeError as e:
        return str(e)
    return "no error"


def test_scatter_through_view_bad_gradient_names_copyslices() -> None:
    assert _scatter_through_view_bad_gradient(ndgrad) == (
        "Function torch::autograd::CopySlices returned an invalid gradient at index 1 - got "
        "[1, 1] but expected shape compatible with [3, 1]"
    )


@requires_torch
def test_scatter_through_view_bad_gradient_as_pytorch() -> None:
    ours = _scatter_through_view_bad_gradient(ndgrad)
    assert ours == _scatter_through_view_bad_gradient(torch)


def _flags(t: Any) -> list[Any]:
    out: list[Any] = []
    for attr in ("requires_grad", "is_leaf", "grad_fn"):
        try:
            value = getattr(t, attr)
        except RuntimeError:
            out.append("raises")
        else:
            out.append(type(value).__name__ if attr == "grad_fn" else value)
    return out


def _stale_chunk_after_base_detached(lib: Any) -> list[Any]:
    # fuzz seeds 540-579: a chunk of a tensor that needed no grad, after the tensor gained a
    # history in place (the chunk's history cannot be told: reading it raises) and was then
    # detached in place: PyTorch gives the chunk no history and no error again
    t1 = lib.tensor([-0.6], dtype=lib.float64)
    t2 = lib.gather(t1, 0, lib.tensor([0, 0, 0]))
    t4 = lib.tensor([[[-0.4]]], dtype=lib.float64, requires_grad=True).sum().view_as(t1)
    (t5,) = t2.chunk(1, 0)
    seen = [_flags(t5)]
    t2[1:3:2] = t4
    seen.append(_flags(t5))
    t2.detach_()
    seen += [_flags(t5), _flags(t5 * 2)]
    return seen


def test_stale_chunk_after_base_detached() -> None:
    plain, nothing = [False, True, "NoneType"], [True, "raises", "raises"]
    assert _stale_chunk_after_base_detached(ndgrad) == [plain, nothing, plain, plain]


@requires_torch
def test_stale_chunk_after_base_detached_as_pytorch() -> None:
    ours = _stale_chunk_after_base_detached(ndgrad)
    assert ours == _stale_chunk_after_base_detached(torch)


def _modified_before_detached(lib: Any) -> str:
    # fuzz seeds 540-579: addcmul_ saved tensor1 (itself, then written by the op) and tensor2
    # (later detached in place); PyTorch unpacks tensor1 first and reports its version
    t0 = lib.tensor([[-1.1]], dtype=lib.float64, requires_grad=True)
    t3 = lib.tanh(2.0 / t0).sum()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's, once: create_graph makes a .grad cycle
        t3.backward(create_graph=True)
    t5 = t0.grad.sum()
    t5.addcmul_(t5, t3, value=0.5)
    t3.detach_()
    try:
        t5.backward()
    except RuntimeError as e:
        return str(e)
    return "no error"


def test_modified_before_detached() -> None:
    assert _modified_before_detached(ndgrad) == modified(
        "torch.DoubleTensor []], which is output 0 of Addcmul,"
    )


@requires_torch
def test_modified_before_detached_as_pytorch() -> None:
    assert _modified_before_detached(ndgrad) == _modified_before_detached(torch)


def _copy_into_itself_overlapping(lib: Any) -> list[Any]:
    # fuzz seeds 540-579: t.copy_(t) of a tensor whose elements share memory (as_strided_)
    # has nothing to write: PyTorch records it (CopyBackwards), ndgrad refused the write
    t0 = lib.tensor([0.6, 1.1, 0.5], dtype=lib.float64, requires_grad=True)
    t1 = lib.stack([t0, t0], dim=0)
    t1.as_strided_((1, 3), (3, 0), 5)
    t1.copy_(t1)
    t1.sum().backward()
    u = t0 * 2
    u.copy_(u)
    u.sum().backward()
    return [t1, u, u._version, t0.grad]


def test_copy_into_itself_overlapping() -> None:
    t1, u, version, grad = _copy_into_itself_overlapping(ndgrad)
    assert t1.tolist() == [[0.5, 0.5, 0.5]] and type(t1.grad_fn).__name__ == "CopyBackwards"
    assert u.tolist() == [1.2, 2.2, 1.0] and version == 1
    # 3 from the one element t1 reads (t0[2] through the stride-0 row), 2 from u
    assert grad.tolist() == [2.0, 2.0, 5.0]


@requires_torch
def test_copy_into_itself_overlapping_as_pytorch() -> None:
    ours = _copy_into_itself_overlapping(ndgrad)
    theirs = _copy_into_itself_overlapping(torch)
    assert ours[2] == theirs[2]
    for a, b in zip(ours[:2] + ours[3:], theirs[:2] + theirs[3:], strict=True):
        assert_same(_observe(a), _observe(b))


def _both_factors_written(lib: Any) -> list[str]:
    # fuzz seeds 540-579 (t2 = t1.swapaxes(-1, -2); t3 = t2 @ t1; t2.clamp_(...)): PyTorch's
    # MmBackward0 and BmmBackward0 unpack mat2 before self, so when both were written, the
    # error names mat2's node; MvBackward0, DotBackward0 and AddmmBackward0 name self's
    seen = []
    for f, sa, sb in (
        (lib.mm, (2, 2), (2, 2)),
        (lib.bmm, (1, 2, 2), (1, 2, 2)),
        (lib.mv, (2, 2), (2,)),
        (lib.dot, (2,), (2,)),
        (lambda a, b: lib.addmm(lib.zeros(2, 2, dtype=lib.float64), a, b), (2, 2), (2, 2)),
    ):
        a = lib.ones(sa, dtype=lib.float64, requires_grad=True) * 1
        b = lib.ones(sb, dtype=lib.float64, requires_grad=True) * 1
        c = f(a, b)
        a.add_(1)
        b.div_(2)
        try:
            c.sum().backward()
        except RuntimeError as e:
            seen.append(str(e).split("which is output 0 of ")[1].split(",")[0])
    return seen


def test_both_factors_written() -> None:
    assert _both_factors_written(ndgrad) == ["Div", "Div", "Add", "Add", "Add"]


@requires_torch
def test_both_factors_written_as_pytorch() -> None:
    assert _both_factors_written(ndgrad) == _both_factors_written(torch)


_MASKED_SCATTER_CALLS = [
    # (in place?, self shape, mask shape, mask is bool?, source dtype is float32?)
    (True, (0, 3), (0,), False, True),
    (True, (0, 3), (0,), False, False),
    (True, (2, 3), (2, 3), False, True),
    (True, (2, 3), (2, 3), False, False),
    (False, (0, 3), (0,), False, False),
    (False, (2, 3), (2, 3), False, True),
    (False, (2, 3), (4, 3), True, False),
    (True, (2, 3), (4, 3), True, False),
    (True, (1, 3), (4, 3), True, False),
]


def _masked_scatter_errors(lib: Any) -> list[str]:
    # fuzz seeds 620-639: PyTorch checks masked_scatter's broadcast (out of place), then the
    # source's dtype, the mask expanded to self, the mask's dtype; ndgrad checked the mask's
    # dtype first and let numpy's ValueError through for shapes that do not broadcast
    seen = []
    for inplace, shape, mask_shape, is_bool, f32 in _MASKED_SCATTER_CALLS:
        x = lib.zeros(shape, dtype=lib.float64)
        mask = lib.ones(mask_shape) > 0 if is_bool else lib.ones(mask_shape)
        source = lib.ones(30, dtype=lib.float32 if f32 else lib.float64)
        try:
            x.masked_scatter_(mask, source) if inplace else x.masked_scatter(mask, source)
        except RuntimeError as e:
            seen.append(str(e))
    return seen


def test_masked_scatter_errors() -> None:
    seen = _masked_scatter_errors(ndgrad)
    dtypes = "masked_scatter: expected self and source to have same dtypes but gotDouble and Float"
    assert seen[0] == seen[2] == seen[5] == dtypes
    assert seen[1].startswith("The expanded size of the tensor (3) must match the existing size")
    assert seen[3] == "masked_scatter_ only supports boolean masks, but got mask with dtype Float"
    assert seen[4] == (
        "The size of tensor a (0) must match the size of tensor b (3) at non-singleton dimension 1"
    )
    assert seen[6].startswith("The size of tensor a (4) must match the size of tensor b (2)")
    assert seen[7].startswith("The expanded size of the tensor (2) must match the existing size")
    assert len(seen) == 9


@requires_torch
def test_masked_scatter_errors_as_pytorch() -> None:
    assert _masked_scatter_errors(ndgrad) == _masked_scatter_errors(torch)


def _cumprod_size_one_gradient(lib: Any) -> list[Any]:
    # fuzz seeds 620-639: along a dim of size 1 (or of one element) cumprod is the identity and
    # PyTorch's backward returns the gradient as it is; ndgrad's divided by the input, so under
    # create_graph the gradient required grad
    seen = []
    for shape, dim in (((1,), 0), ((3, 1), 1), ((1, 1), 0), ((0,), 0), ((3, 1), 0)):
        x = (lib.arange(float(max(1, math.prod(shape))))[: math.prod(shape)] - 2.5).reshape(shape)
        x = x.to(lib.float64).requires_grad_()
        (g,) = lib.autograd.grad(x.cumprod(dim).sum(), [x], create_graph=True)
        seen.append((g.requires_grad, g.tolist()))
    return seen


def test_cumprod_size_one_gradient() -> None:
    assert _cumprod_size_one_gradient(ndgrad) == [
        (False, [1.0]),
        (False, [[1.0], [1.0], [1.0]]),
        (False, [[1.0]]),
        (False, []),
        # a real product, x = [-2.5, -1.5, -0.5]: (1 + x1 + x1 x2, x0 + x0 x2, x0 x1)
        (True, [[0.25], [-1.25], [3.75]]),
    ]


@requires_torch
def test_cumprod_size_one_gradient_as_pytorch() -> None:
    assert _cumprod_size_one_gradient(ndgrad) == _cumprod_size_one_gradient(torch)


def _elu_family_at_nan(lib: Any) -> list[Any]:
    # fuzz seeds 640-659 (t1 = t0.var(-1, correction=1) is nan; F.elu(t1)): PyTorch's
    # elu_backward takes its x <= 0 branch by the comparison, so a nan input gets the slope of
    # the positive side; ndgrad took the exponential side and gave nan
    F = lib.nn.functional
    out = []
    for f in (F.elu, F.celu, F.selu, lambda x: F.elu(x, alpha=0.5)):
        x = lib.tensor([float("nan"), -1.0, 0.0, 2.0], dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(f(x).sum(), [x], create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), [x])
        out.append((g.tolist(), gg.tolist()))
    return out


def test_elu_family_at_nan() -> None:
    (elu_g, elu_gg), _, (selu_g, _), _ = _elu_family_at_nan(ndgrad)
    assert elu_g[0] == 1.0 and elu_gg[0] == 0.0 and elu_g[1] == pytest.approx(math.exp(-1))
    assert selu_g[0] == selu_g[3] == pytest.approx(1.0507009873554805)


@requires_torch
def test_elu_family_at_nan_as_pytorch() -> None:
    assert _elu_family_at_nan(ndgrad) == _elu_family_at_nan(torch)


def _layer_norm_third_order(lib: Any, v: list[float]) -> tuple[Any, Any]:
    F = lib.nn.functional
    t1 = lib.tensor([v], dtype=lib.float64, requires_grad=True)
    t3 = F.gelu(F.layer_norm(t1, (3,)))
    (t5,) = lib.autograd.grad(t3.sum(), [t1], create_graph=True)
    (t8,) = lib.autograd.grad(F.silu(t3 * t5).sum(), [t1], create_graph=True)
    return t1, t8.sum()


def test_layer_norm_third_order_is_the_derivative() -> None:
    # fuzz seeds 640-659: t9 = sum of a gradient through layer_norm is 0 for every input (the
    # function is invariant to shifting the input), so its derivative is 0: ndgrad's is, to
    # rounding, and finite differences agree. PyTorch 2.13 gives 0.237 for each element here:
    # its third derivative of layer_norm is wrong (a PyTorch defect, docs/compatibility.md).
    v = [0.8, 1.6, -0.7]
    t1, t9 = _layer_norm_third_order(ndgrad, v)
    assert abs(t9.item()) < 1e-12
    t9.backward()
    np.testing.assert_allclose(t1.grad.numpy(), 0.0, atol=1e-12)
    for i in range(3):
        up, down = list(v), list(v)
        up[i] += 1e-4
        down[i] -= 1e-4
        diff = _layer_norm_third_order(ndgrad, up)[1] - _layer_norm_third_order(ndgrad, down)[1]
        assert abs(diff.item() / 2e-4) < 1e-8


def _triangle_into_shared_memory(lib: Any) -> list[Any]:
    # the fuzzer's KNOWN_BUGS "triangle_expanded": tril_/triu_ into an expanded tensor raised
    # the internal-overlap error; PyTorch's kernel writes a 0 into every memory location that
    # an element outside the triangle refers to
    out = []
    t5 = lib.tensor([[1.0], [2.0]], dtype=lib.float64)
    lib.broadcast_to(t5, (2, 3)).triu_(1)
    out.append(t5.tolist())
    t5 = lib.tensor([[1.0, 2.0]], dtype=lib.float64)
    lib.broadcast_to(t5, (3, 2)).tril_(0)
    out.append(t5.tolist())
    w = lib.tensor([[1.0], [2.0]], dtype=lib.float64, requires_grad=True)
    z = w * 1
    v = z.expand(2, 3)
    v.triu_(1)
    out += [z.tolist(), type(z.grad_fn).__name__, type(v.grad_fn).__name__]
    try:
        z.sum().backward()  # what reached w through the repeated elements cannot be told
    except RuntimeError as e:
        out.append(str(e)[:60])
    w = lib.tensor([[2.0]], dtype=lib.float64, requires_grad=True)
    t = (w * 3).sum()
    t.as_strided_((2, 2), (0, 0))
    t.tril_()
    t.sum().backward()
    out += [t.tolist(), type(t.grad_fn).__name__, w.grad.tolist()]
    return out


def test_triangle_into_shared_memory() -> None:
    assert _triangle_into_shared_memory(ndgrad) == [
        [[0.0], [0.0]],
        [[1.0, 0.0]],
        [[0.0], [0.0]],
        "CopySlices",
        "AsStridedBackward0",
        "unsupported operation: more than one element of the written-",
        [[0.0, 0.0], [0.0, 0.0]],
        "TrilBackward0",
        [[9.0]],  # 3 elements of the lower triangle read the one storage element, times 3
    ]


@requires_torch
def test_triangle_into_shared_memory_as_pytorch() -> None:
    assert _triangle_into_shared_memory(ndgrad) == _triangle_into_shared_memory(torch)


@pytest.mark.parametrize(
    ("shape", "sizes", "message"),
    [
        # fuzz seeds 660-669 (masked_scatter_'s mask expanded to self): PyTorch checks the
        # sizes from the last dim, so its error names the last mismatching one
        (
            (3, 0),
            (1, 0, 2),
            "The expanded size of the tensor (2) must match the existing size (0) at "
            "non-singleton dimension 2.  Target sizes: [1, 0, 2].  Tensor sizes: [3, 0]",
        ),
        (
            (3,),
            (2, -1, 3),
            "The expanded size of the tensor (-1) isn't allowed in a leading, non-existing "
            "dimension 1",
        ),
    ],
)
def test_expand_reports_the_last_mismatch(
    shape: tuple[int, ...], sizes: tuple[int, ...], message: str
) -> None:
    with pytest.raises(RuntimeError) as info:
        ndgrad.zeros(shape).expand(*sizes)
    assert str(info.value) == message
    if torch is not None:
        with pytest.raises(RuntimeError, match=re.escape(message)):
            torch.zeros(shape).expand(*sizes)
