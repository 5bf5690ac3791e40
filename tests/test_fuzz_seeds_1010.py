"""Regressions found by the view fuzzer (tests/fuzz_views.py) at seeds 1010 and on, and what
looking into them showed about PyTorch's CopySlices node.

Each program runs under ndgrad and, where it is installed, under PyTorch (everything returned
must agree); each test also checks the expected outcome by hand, so it runs without PyTorch too.
Each program failed before its fix.
"""

from __future__ import annotations

import gc
import math
import warnings
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, torch
from .programs import assert_same, graph_names, run

# --- which node a failed version check names after two writes through one view ----------------
# PyTorch's CopySlices owns the node of the op written through the view ("fn") and drops it when
# a backward frees the graph; the view's node of the first write lived only in fn's edges, so the
# check of sigmoid_'s saved output names SigmoidBackward0, not that AsStridedBackward0. ndgrad's
# engine kept every node of the pass in its dependency counts, so that node still lived.


def _sigmoid_then_zero(lib: Any, retain: bool) -> Any:
    # fuzz seed 101x
    t0 = lib.tensor([2.0, -1.7, -1.0], dtype=lib.float64, requires_grad=True)
    t1 = lib.where(t0 > -1.3475, t0, t0)
    t2 = lib.broadcast_to(t1, (3,))
    t2.sigmoid_()
    t2.zero_()
    t1.as_strided((), ()).backward(retain_graph=retain)


_SIGMOID = (
    "one of the variables needed for gradient computation has been modified by an inplace "
    "operation: [torch.DoubleTensor [3]], which is output 0 of {}, is at version 2; expected "
    "version 1 instead. Hint: enable anomaly detection to find the operation that failed to "
    "compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)


@pytest.mark.parametrize("retain", [False, True], ids=["freed", "retained"])
def test_version_error_names_the_op_once_copyslices_dropped_its_node(retain: bool) -> None:
    # A retained graph keeps fn, and with it the view's node of the first write.
    with pytest.raises(RuntimeError) as info:
        _sigmoid_then_zero(ndgrad, retain)
    assert str(info.value) == _SIGMOID.format("AsStrided" if retain else "Sigmoid")


@pytest.mark.parametrize("retain", [False, True], ids=["freed", "retained"])
@requires_torch
def test_version_error_names_the_op_as_torch(retain: bool) -> None:
    program = lambda lib: _sigmoid_then_zero(lib, retain)  # noqa: E731
    assert_same(run(program, ndgrad), run(program, torch))


def test_engine_holds_no_node_after_it_ran() -> None:
    # The node a CopySlices wrapped, and what only it led to, is gone once the graph is freed
    # (only a weak reference is left here), while backward still runs and gives the gradient.
    x = ndgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    y[:2].mul_(2)
    copy_slices = y.grad_fn
    wrapped = copy_slices._edges[2][0]  # MulBackward0 of the write, ndgrad's separate node
    node = weakref.ref(wrapped)
    del wrapped
    y.sum().backward()
    gc.collect()
    assert node() is None
    assert x.grad.tolist() == [2.0, 2.0, 1.0]
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.sum().backward()


# --- CopySlices.next_functions: the base's edge, then the wrapped op's edges after its first ---


_WRITES: dict[str, Callable[[Any, Any], Any]] = {
    "zero_": lambda v, o: v.zero_(),
    "add_ scalar": lambda v, o: v.add_(1),
    "mul_ tensor": lambda v, o: v.mul_(o[:2]),
    "addcmul_": lambda v, o: v.addcmul_(o[:2], o[1:]),
    "copy_": lambda v, o: v.copy_(o[:2]),
    "relu_": lambda v, o: v.relu_(),
    "clamp_": lambda v, o: v.clamp_(min=0),
    "fill_ tensor": lambda v, o: v.fill_(o[0]),
    "lerp_": lambda v, o: v.lerp_(o[:2], 0.5),
    "index_add_": lambda v, o: v.index_add_(0, o.new_zeros(1).long(), o[:1]),
    "setitem in the view": lambda v, o: v.__setitem__(0, o[0]),
    "sigmoid_ then exp_": lambda v, o: v.sigmoid_().exp_(),
}


def _written_through_view(lib: Any, write: Callable[[Any, Any], Any], base_grad: bool) -> Any:
    x = lib.tensor([2.0, -1.7, -1.0], dtype=lib.float64, requires_grad=base_grad)
    o = lib.tensor([0.5, 1.5, 2.5], dtype=lib.float64, requires_grad=True) * 1
    y = x * 1 if base_grad else x.clone()
    write(y[:2], o)
    return y


def _written(write: Callable[[Any, Any], Any], base_grad: bool = True) -> Any:
    def program(lib: Any) -> Any:
        y = _written_through_view(lib, write, base_grad)
        listed = graph_names(y.grad_fn, 2)
        y.sum().backward()
        return listed, graph_names(y.grad_fn, 2)

    return program


_COPY_SLICES = "torch::autograd::CopySlices"
_MUL = ("MulBackward0", ["torch::autograd::AccumulateGrad", None])  # y = x * 1
_LISTED_BY_HAND = {
    "zero_": (_COPY_SLICES, [_MUL]),
    "add_ scalar": (_COPY_SLICES, [_MUL, None]),
    "mul_ tensor": (_COPY_SLICES, [_MUL, ("SliceBackward0", ["MulBackward0"])]),
    "sigmoid_ then exp_": (_COPY_SLICES, [(_COPY_SLICES, ["MulBackward0"])]),
}


@pytest.mark.parametrize("name", list(_LISTED_BY_HAND))
def test_copyslices_next_functions_by_hand(name: str) -> None:
    # ndgrad listed the wrapped op's node itself: (MulBackward0, ZeroBackward0) for zero_
    y = _written_through_view(ndgrad, _WRITES[name], True)
    assert graph_names(y.grad_fn, 2) == _LISTED_BY_HAND[name]


@pytest.mark.parametrize("name", list(_WRITES))
@pytest.mark.parametrize("base_grad", [True, False], ids=["base", "constant base"])
@requires_torch
def test_copyslices_next_functions_as_torch(name: str, base_grad: bool) -> None:
    # the listing stays the same after a backward that freed the graph
    program = _written(_WRITES[name], base_grad)
    assert_same(run(program, ndgrad), run(program, torch))


# --- the graph of an index write, as PyTorch's setitem and index_put build it ------------------
# (found while checking the above: next_functions were compared for every write below)


def _written_by(write: Callable[[Any, Any, Any], Any]) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        y = lib.zeros(2, 3, requires_grad=True) * 1
        d = lib.ones(3, dtype=lib.float64, requires_grad=True)
        o = lib.ones(1, 1, 3, requires_grad=True)
        out = write(lib, y, (d, o))
        if out is None:
            out = y
        listed = graph_names(out.grad_fn, 3)
        out.sum().backward()
        return listed, d.grad, o.grad

    return program


_INDEX_WRITES: dict[str, Callable[[Any, Any, Any], Any]] = {
    # index_put recorded a CloneBackward0 between IndexPutBackward0 and the input's node
    "index_put": lambda lib, y, v: lib.index_put(y, (lib.tensor([0, 1]),), v[1][0][0]),
    "index_put_": lambda lib, y, v: y.index_put_((lib.tensor([1]),), v[1][0]),
    "index_put_ mask": lambda lib, y, v: y.index_put_((lib.tensor([True, False]),), v[1][0]),
    # a number value is listed (PyTorch wraps it as a tensor): (MulBackward0, None)
    "number through a mask": lambda lib, y, v: y.__setitem__(lib.tensor([True, False]), 1.0),
    "number through an index": lambda lib, y, v: y.__setitem__(lib.tensor([1]), 2.0),
    "number through an int": lambda lib, y, v: y.__setitem__(0, 1.0),
    "number through a slice": lambda lib, y, v: y.__setitem__(slice(0, 1), 1.0),
    # copy_to: a value of another shape is viewed without its leading 1s, then expanded
    "row into all": lambda lib, y, v: y.__setitem__(slice(None), v[1][0][0]),
    "leading 1s into all": lambda lib, y, v: y.__setitem__(Ellipsis, v[1]),
    "leading 1s into a row": lambda lib, y, v: y.__setitem__(0, v[1]),
    "one element into a row": lambda lib, y, v: y.__setitem__(1, v[0][:1]),
    # ... and cast by the write itself, with no ToCopyBackward0
    "float64 row into all": lambda lib, y, v: y.__setitem__(Ellipsis, v[0]),
    "float64 row into a row": lambda lib, y, v: y.__setitem__(1, v[0]),
    "float64 0-d, a mask": lambda lib, y, v: y.__setitem__(lib.tensor([True, False]), v[0][1]),
    "float64 0-d fill": lambda lib, y, v: y.__setitem__(Ellipsis, v[0][2]),
}


@pytest.mark.parametrize("name", list(_INDEX_WRITES))
@requires_torch
def test_index_write_graph_as_torch(name: str) -> None:
    program = _written_by(_INDEX_WRITES[name])
    assert_same(run(program, ndgrad), run(program, torch))


def test_index_write_graph_by_hand() -> None:
    acc, mul = "torch::autograd::AccumulateGrad", "MulBackward0"
    y0 = ("MulBackward0", [(acc, []), None])
    listed, d_grad, _ = _written_by(_INDEX_WRITES["float64 row into all"])(ndgrad)
    view = ("ExpandBackward0", [("ViewBackward0", [acc])])
    assert listed == ("torch::autograd::CopyBackwards", [y0, view])
    assert d_grad.dtype == ndgrad.float64 and d_grad.tolist() == [2.0, 2.0, 2.0]
    listed, *_ = _written_by(_INDEX_WRITES["index_put_"])(ndgrad)
    assert listed == ("IndexPutBackward0", [y0, ("SelectBackward0", [(acc, [])])])
    listed, *_ = _written_by(_INDEX_WRITES["number through a mask"])(ndgrad)
    assert listed == ("IndexPutBackward0", [y0, None])
    assert mul == y0[0]


# --- basic indexing records one node per step, as PyTorch's applySlicing ----------------------
# x[0, 1:] is a select, then a slice of it (SliceBackward0 -> SelectBackward0); ndgrad recorded
# one node named after the last step. A ':' that takes its whole dim is no step, whatever its
# spelling (0:, :5, ::1), for the double backward's name too.


def test_basic_index_steps_by_hand() -> None:
    x = ndgrad.arange(24.0).reshape(2, 3, 4).requires_grad_()
    acc = ("torch::autograd::AccumulateGrad", [])
    assert graph_names(x[0, 1].grad_fn, 6) == ("SelectBackward0", [("SelectBackward0", [acc])])
    assert graph_names(x[0, :, 1:3].grad_fn, 6) == ("SliceBackward0", [("SelectBackward0", [acc])])
    assert graph_names(x[:1, None, 0].grad_fn, 6) == (
        "SelectBackward0",
        [("UnsqueezeBackward0", [("SliceBackward0", [acc])])],
    )
    assert graph_names(x[0:, :5, 2].grad_fn, 6) == ("SelectBackward0", [acc])  # whole-dim slices
    # a single step stays one node; no grad, no node
    assert graph_names(x[:, 1].grad_fn, 6) == ("SelectBackward0", [acc])
    with ndgrad.no_grad():
        assert x[0, 1].grad_fn is None
    # the same view as one step: values, shape, strides, a write through it
    y = x.detach() * 1
    y.requires_grad_()
    z = y * 1
    v = z[1, None, 1:, ::2]
    assert v.shape == (1, 2, 2) and v.stride() == (12, 4, 2)
    assert v.tolist() == [[[16.0, 18.0], [20.0, 22.0]]]
    v.mul_(10)
    z.sum().backward()
    grad = ndgrad.ones(2, 3, 4)
    grad[1, 1:, ::2] = 10
    assert ndgrad.equal(y.grad, grad)


def test_whole_key_passes_the_gradient_on() -> None:
    # x[...], x[()], x[:, :]: PyTorch's alias hands the gradient on as it is
    y = ndgrad.ones(2, 3, requires_grad=True) * 1
    for r in (y[...], y[()], y[:, :]):
        g = ndgrad.ones(2, 3, requires_grad=True)
        (gx,) = ndgrad.autograd.grad(r, y, g, create_graph=True)
        assert gx is g


def _random_key(rng: Any, shape: tuple[int, ...]) -> list[Any]:
    entries: list[Any] = []
    d = 0
    for _ in range(rng.integers(1, len(shape) + 3)):
        r = rng.random()
        if r < 0.3 and d < len(shape):
            entries.append(int(rng.integers(-shape[d], shape[d])))
            d += 1
        elif r < 0.6 and d < len(shape):
            start, stop, step = rng.choice([None, 0, 1, -1]), rng.choice([None, 1, 2, 5]), None
            entries.append(slice(start, stop, rng.choice([step, 1, 2])))
            d += 1
        elif r < 0.7:
            entries.append(None)
        elif r < 0.75 and Ellipsis not in entries:
            entries.append(Ellipsis)
        elif r < 0.85 and d < len(shape):
            entries.append(("index", [int(i) for i in rng.integers(0, shape[d], 2)]))
            d += 1
        elif r < 0.9:
            entries.append(bool(rng.integers(2)))
    return entries


def _indexed(entries: list[Any], shape: tuple[int, ...]) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        key = tuple(lib.tensor(e[1]) if isinstance(e, tuple) else e for e in entries)
        y = lib.arange(float(np.prod(shape)), dtype=lib.float64).reshape(shape)
        y = y.requires_grad_() * 1
        r = y[key]
        if not r.numel():
            return graph_names(r.grad_fn, 6), tuple(r.shape)
        g = lib.ones_like(r, requires_grad=True)
        (gy,) = lib.autograd.grad(r, y, g, create_graph=True)
        (gg,) = lib.autograd.grad((gy * gy).sum(), g)
        return graph_names(r.grad_fn, 6), tuple(r.shape), graph_names(gy.grad_fn, 3), gg.tolist()

    return program


@requires_torch
def test_random_index_keys_graph_as_torch() -> None:
    # 400 random keys of ints, slices, None, Ellipsis, bools and index lists: the graph of the
    # result, of its gradient under create_graph, and the double backward (3,000 in the check
    # that found the differences: 20 then differed in the double backward's names, now 0)
    rng = np.random.default_rng(1010)
    for _ in range(400):
        shape = tuple(int(n) for n in rng.integers(1, 4, rng.integers(1, 5)))
        program = _indexed(_random_key(rng, shape), shape)
        assert_same(run(program, ndgrad), run(program, torch))


def test_version_error_names_the_op_under_autograd_grad() -> None:
    # autograd.grad runs only the nodes that lead to its inputs; the set of them held every node
    # too, so the same check named the dead AsStridedBackward0 there
    t0 = ndgrad.tensor([2.0, -1.7, -1.0], dtype=ndgrad.float64, requires_grad=True)
    t1 = t0 * 1
    t2 = ndgrad.broadcast_to(t1, (3,))
    t2.sigmoid_()
    t2.zero_()
    with pytest.raises(RuntimeError) as info:
        ndgrad.autograd.grad(t1.as_strided((), ()), [t0])
    assert str(info.value) == _SIGMOID.format("Sigmoid")


# --- a second backward through a node that saved nothing but Nones ---------------------------
# PyTorch's built-in nodes raise "backward through the graph a second time" only when a saved
# variable they hold was freed: addmm with only its bias requiring grad saves neither matrix
# (undefined saved variables), so a second backward through it works. ndgrad's AddmmBackward0
# saved (None, None), was freed, and raised. A user's Function raises whatever it saved.


def _bias_only_twice(lib: Any) -> Any:
    # fuzz seed 104x: autograd.grad(create_graph=True), a second grad, then backward
    t0 = lib.tensor(0.3, dtype=lib.float64, requires_grad=True)
    t1 = lib.tensor([[1.4]], dtype=lib.float64)
    t3 = lib.nn.functional.linear(t1, t1.tril(0), t0)
    t4 = lib.gather(t3, -1, lib.tensor([[0]]))
    (t7,) = lib.autograd.grad((t4 * t4).sum(), [t0], create_graph=True)
    (t9,) = lib.autograd.grad(t7.sum(), [t0])
    lib.nn.functional.gelu(t3).sum().backward()
    b = lib.tensor([0.3, 0.1], requires_grad=True)
    m = lib.ones(2, 2)
    z = lib.addmm(b, m, m)
    z.sum().backward()
    z.sum().backward()
    return t9, t0.grad, b.grad


def test_bias_only_product_backward_twice() -> None:
    t9, t0_grad, b_grad = _bias_only_twice(ndgrad)
    assert t9.item() == 2.0
    z = 1.4 * 1.4 + 0.3  # gelu'(z) = Φ(z) + z φ(z)
    gelu_grad = 0.5 * (1 + math.erf(z / math.sqrt(2))) + z * math.exp(-z * z / 2) / math.sqrt(
        2 * math.pi
    )
    assert t0_grad.item() == pytest.approx(gelu_grad, rel=1e-12)
    assert b_grad.tolist() == [4.0, 4.0]


@requires_torch
def test_bias_only_product_backward_twice_as_torch() -> None:
    assert_same(run(_bias_only_twice, ndgrad), run(_bias_only_twice, torch))


def _user_function_twice(saves: Callable[[Any, Any], Any]) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        class Twice(lib.autograd.Function):
            @staticmethod
            def forward(ctx: Any, x: Any) -> Any:
                saves(ctx, x)
                return x * 2

            @staticmethod
            def backward(ctx: Any, g: Any) -> Any:
                ctx.saved_tensors  # noqa: B018  (reading them is what raises)
                return g * 2

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = Twice.apply(x)
        y.sum().backward()
        y.sum().backward()
        return x.grad

    return program


_USER_SAVES = {
    "nothing saved": lambda ctx, x: None,
    "save_for_backward()": lambda ctx, x: ctx.save_for_backward(),
    "Nones": lambda ctx, x: ctx.save_for_backward(None, None),
    "a None and x": lambda ctx, x: ctx.save_for_backward(None, x),
}


@pytest.mark.parametrize("name", list(_USER_SAVES))
def test_user_function_saved_tensors_after_free_raise(name: str) -> None:
    # ndgrad handed back () when forward saved nothing (the other three raised already)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        _user_function_twice(_USER_SAVES[name])(ndgrad)


@pytest.mark.parametrize("name", list(_USER_SAVES))
@requires_torch
def test_user_function_saved_tensors_after_free_as_torch(name: str) -> None:
    program = _user_function_twice(_USER_SAVES[name])
    assert_same(run(program, ndgrad), run(program, torch))


def test_multi_grad_hook_keeps_no_node_alive() -> None:
    # Once a multi-grad hook was registered (anywhere), every backward keeps the set of its
    # graph's nodes for such hooks: by id, so the freed node above dies all the same.
    from ndgrad.autograd.grad_mode import _Used

    x = ndgrad.ones(2, requires_grad=True)
    seen: list[Any] = []
    ndgrad.autograd.graph.register_multi_grad_hook([x], lambda grads: seen.append(grads))
    assert _Used.multi_grad_hooks
    (x * 2).sum().backward()
    assert len(seen) == 1 and seen[0][0].tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError) as info:
        _sigmoid_then_zero(ndgrad, False)
    assert str(info.value) == _SIGMOID.format("Sigmoid")


def _through_freed_copyslices(lib: Any) -> Any:
    # fuzz seed 107x: a write through a view (recorded as CopySlices), a create_graph backward,
    # then two autograd.grad calls from its result; the first frees that part of the graph, so
    # the second raises. Cutting the freed CopySlices' edge to the op it wraps (9c0cf6a) hid
    # the rest of the graph from the second call, which returned None without an error.
    t0 = lib.tensor(-0.5, dtype=lib.float64)
    t1 = lib.tensor([1.9], dtype=lib.float64, requires_grad=True)
    t3 = lib.nn.functional.silu(t1).sum()
    t4 = lib.as_strided(t0, (), ())
    t4[lib.tensor(False)] = t3
    (g,) = lib.autograd.grad(lib.nn.functional.gelu(t0).sum(), [t1], create_graph=True)
    t8 = g.sum()
    (t9,) = lib.autograd.grad(t8, [t1], allow_unused=True)
    (t10,) = lib.autograd.grad(t8, [t3], allow_unused=True)
    return t9, t10


def test_second_grad_through_freed_copyslices_raises() -> None:
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        _through_freed_copyslices(ndgrad)


@requires_torch
def test_second_grad_through_freed_copyslices_as_torch() -> None:
    assert_same(run(_through_freed_copyslices, ndgrad), run(_through_freed_copyslices, torch))


# --- layer_norm saves its bias, as PyTorch's node does ------------------------------------------


def _layer_norm_bias_written(variant: int) -> Callable[[Any], Any]:
    # fuzz seed 110x (variant 0): a write into the bias before backward is reported, whether the
    # bias needs a gradient (the message names its op) or not; ndgrad did not save the bias
    def program(lib: Any) -> Any:
        t0 = lib.tensor([-0.4, -0.6], dtype=lib.float64, requires_grad=True)
        t1 = t0 * 1
        t2 = t0 * t1
        weight = t1 if variant % 2 == 0 else None
        bias = t2 if variant < 2 else lib.tensor([0.1, 0.2], dtype=lib.float64)
        t3 = lib.nn.functional.layer_norm(t1, (2,), weight, bias)
        bias.add_(1)
        lib.tanh(t3).sum().backward()
        return t0.grad

    return program


@pytest.mark.parametrize("variant", range(4))
def test_layer_norm_bias_written_before_backward(variant: int) -> None:
    with pytest.raises(RuntimeError) as info:
        _layer_norm_bias_written(variant)(ndgrad)
    where = ", which is output 0 of Add," if variant < 2 else ""
    assert str(info.value).startswith(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [torch.DoubleTensor [2]]{where} is at version 1; expected version 0 instead"
    )


@pytest.mark.parametrize("variant", range(4))
@requires_torch
def test_layer_norm_bias_written_as_torch(variant: int) -> None:
    program = _layer_norm_bias_written(variant)
    assert_same(run(program, ndgrad), run(program, torch))


def _view_before_grad(lib: Any) -> Any:
    # fuzz seed 113x: a view made before its base required grad requires grad but has no node;
    # an op on it records a node whose inputs' gradients go nowhere. PyTorch's formulas compute
    # nothing then; ndgrad ran amax's backward, which had saved nothing (AttributeError).
    t0 = lib.tensor([[1.6]], dtype=lib.float64)
    t1 = t0.select(-1, -1)
    t0.requires_grad_()
    t2 = t1.amax()
    t3 = lib.tanh(t1) * t1
    t2.backward()
    t3.backward()
    return t2.requires_grad, t0.grad


def test_op_on_a_view_made_before_its_base_required_grad() -> None:
    assert _view_before_grad(ndgrad) == (True, None)


@requires_torch
def test_op_on_a_view_made_before_its_base_required_grad_as_torch() -> None:
    assert_same(run(_view_before_grad, ndgrad), run(_view_before_grad, torch))


# --- seed 129x: the base's gradient where a write went is set to zero, not multiplied by it --


def _write_over_an_inf_gradient(lib: Any) -> Any:
    # var with correction = n has an infinite gradient; the element fill_ wrote over must get
    # 0 (PyTorch's CopySlices zeroes that slice), where 0 * inf gave nan
    x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    y = x * 1
    y[0:1].fill_(0.5)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # var's 'degrees of freedom is <= 0'
        y.var(correction=2).backward()
    return x.grad


def test_write_over_an_inf_gradient() -> None:
    g = _write_over_an_inf_gradient(ndgrad).numpy()
    assert g[0] == 0 and not np.signbit(g[0]) and np.isinf(g[1])


@requires_torch
@pytest.mark.filterwarnings("ignore::UserWarning")  # (var's 'degrees of freedom is <= 0')
def test_write_over_an_inf_gradient_as_torch() -> None:
    assert_same(run(_write_over_an_inf_gradient, ndgrad), run(_write_over_an_inf_gradient, torch))
