"""Regressions found by the view fuzzer (tests/fuzz_views.py) at seeds 1010 and on, and what
looking into them showed about PyTorch's CopySlices node.

Each program runs under ndgrad and, where it is installed, under PyTorch (everything returned
must agree); each test also checks the expected outcome by hand, so it runs without PyTorch too.
Each program failed before its fix.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from typing import Any

import pytest

import ndgrad

from .helpers import requires_torch, torch
from .programs import assert_same, run

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


def _names(fn: Any, depth: int = 2) -> Any:
    """``fn``'s name and, ``depth`` levels down, its next_functions' names."""
    if fn is None:
        return None
    if depth == 0:
        return fn.name()
    return fn.name(), [_names(f, depth - 1) for f, _ in fn.next_functions]


def _written_through_view(lib: Any, write: Callable[[Any, Any], Any], base_grad: bool) -> Any:
    x = lib.tensor([2.0, -1.7, -1.0], dtype=lib.float64, requires_grad=base_grad)
    o = lib.tensor([0.5, 1.5, 2.5], dtype=lib.float64, requires_grad=True) * 1
    y = x * 1 if base_grad else x.clone()
    write(y[:2], o)
    return y


def _written(write: Callable[[Any, Any], Any], base_grad: bool = True) -> Any:
    def program(lib: Any) -> Any:
        y = _written_through_view(lib, write, base_grad)
        listed = _names(y.grad_fn)
        y.sum().backward()
        return listed, _names(y.grad_fn)

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
    assert _names(y.grad_fn) == _LISTED_BY_HAND[name]


@pytest.mark.parametrize("name", list(_WRITES))
@pytest.mark.parametrize("base_grad", [True, False], ids=["base", "constant base"])
@requires_torch
def test_copyslices_next_functions_as_torch(name: str, base_grad: bool) -> None:
    # the listing stays the same after a backward that freed the graph
    program = _written(_WRITES[name], base_grad)
    assert_same(run(program, ndgrad), run(program, torch))
