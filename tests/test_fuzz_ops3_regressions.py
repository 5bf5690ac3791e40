"""Op-local defects found by the differential view fuzzer (tests/fuzz_views.py), third batch:
what a node saves and frees, the errors of reductions over empty dims, empty scatter indices
and the layout of pointwise results.

Each program runs under ndgrad and, where it is installed, under PyTorch (everything returned
must agree); each defect also has a check of the expected outcome worked out by hand, so it is
tested without PyTorch too. Each program failed before its fix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, torch
from .programs import assert_same as _assert_same
from .programs import modified as _modified
from .programs import raises as _raises
from .programs import run as _run

RELEASED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward."
)
# --- E: nodes that hold indices save them (freed by backward, version-checked) ----------------

_SELECTS: dict[str, Callable[[Any], Any]] = {
    "max": lambda t: t.max(-1),
    "min": lambda t: t.min(-1),
    "max_keepdim": lambda t: t.max(0, keepdim=True),
    "sort": lambda t: t.sort(-1),
    "topk": lambda t: t.topk(1),
    "kthvalue": lambda t: t.kthvalue(1),
    "median": lambda t: t.median(-1),
    "nanmedian": lambda t: t.nanmedian(-1),
    "mode": lambda t: t.mode(-1),
    "cummax": lambda t: t.cummax(-1),
    "cummin": lambda t: t.cummin(0),
}


def _backward_twice(op: str) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        # fuzz: t1.max(-1).values.sum() backpropagated twice without retain_graph
        t1 = lib.tensor([[1.0, 2.0], [3.0, 0.0]], requires_grad=True)
        t2 = _SELECTS[op](t1)[0].sum()
        t2.backward()
        t2.backward()
        return t1.grad

    return program


def _indices_written(op: str) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        t1 = lib.tensor([[1.0, 2.0], [3.0, 0.0]], requires_grad=True)
        values, indices = _SELECTS[op](t1)
        indices.add_(0)
        values.sum().backward()
        return t1.grad

    return program


@pytest.mark.parametrize("op", sorted(_SELECTS))
@requires_torch
def test_select_indices_are_saved_matches_torch(op: str) -> None:
    for program in (_backward_twice(op), _indices_written(op)):
        _assert_same(_run(program, ndgrad), _run(program, torch))


@pytest.mark.parametrize("op", sorted(_SELECTS))
def test_select_indices_are_saved_by_hand(op: str) -> None:
    _raises(_backward_twice(op), RuntimeError, RELEASED)
    indices = _SELECTS[op](ndgrad.tensor([[1.0, 2.0], [3.0, 0.0]]))[1]
    _raises(
        _indices_written(op), RuntimeError, _modified(f"torch.LongTensor {list(indices.shape)}]")
    )


def _cummax_input_written(lib: Any) -> Any:
    t = lib.tensor([[1.0, 2.0], [3.0, 0.0]], requires_grad=True)
    x = t * 1
    values = x.cummax(0)[0]
    x.add_(0)
    values.sum().backward()
    return t.grad


@requires_torch
def test_cummax_saves_its_input_matches_torch() -> None:
    _assert_same(_run(_cummax_input_written, ndgrad), _run(_cummax_input_written, torch))


def test_cummax_saves_its_input_by_hand() -> None:
    message = _modified("torch.FloatTensor [2, 2]], which is output 0 of Add,")
    _raises(_cummax_input_written, RuntimeError, message)


def _median_all(op: str, values: list[Any], write: bool) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        t = lib.tensor(values, dtype=lib.float64, requires_grad=True)
        x = t * 1
        y = getattr(x, op)()
        if write:
            x.add_(0)
        y.backward()
        return y, t.grad

    return program


_NAN = float("nan")
_MEDIANS = [
    ("nanmedian", [[1.0, 1.0], [1.0, 5.0]]),
    ("nanmedian", [[_NAN, 1.0], [2.0, _NAN]]),
    ("nanmedian", [[_NAN, _NAN]]),
    ("nanmedian", [[1.0, _NAN], [1.0, _NAN]]),
    ("median", [[1.0, 1.0], [1.0, 5.0]]),
    ("median", [[_NAN, 1.0], [2.0, _NAN]]),
]


@pytest.mark.parametrize(("op", "values"), _MEDIANS)
@requires_torch
def test_median_of_all_matches_torch(op: str, values: list[Any]) -> None:
    for write in (False, True):
        program = _median_all(op, values, write)
        _assert_same(_run(program, ndgrad), _run(program, torch))


def test_median_of_all_by_hand() -> None:
    # nanmedian() of [1, 1, 1, 5] is 1, and its gradient is shared by the three 1s
    # (PyTorch's evenly_distribute_backward), not given to one of them
    y, grad = _median_all("nanmedian", [[1.0, 1.0], [1.0, 5.0]], False)(ndgrad)
    assert y.item() == 1.0 and type(y.grad_fn).__name__ == "NanmedianBackward0"
    np.testing.assert_allclose(grad.numpy(), [[1 / 3, 1 / 3], [1 / 3, 0.0]])
    # all nan: nan, the gradient shared by the nans
    y, grad = _median_all("nanmedian", [[_NAN, _NAN]], False)(ndgrad)
    assert np.isnan(y.item())
    np.testing.assert_array_equal(grad.numpy(), [[0.5, 0.5]])
    # the input is saved: a write into it is reported
    message = _modified("torch.DoubleTensor [2, 2]], which is output 0 of Add,")
    _raises(_median_all("nanmedian", [[1.0, 2.0], [3.0, 4.0]], True), RuntimeError, message)
    _raises(_median_all("median", [[1.0, 2.0], [3.0, 4.0]], True), RuntimeError, message)


def _median_of_bool(call: str) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        t = lib.tensor([True, False])
        return t.nanmedian() if call == "nanmedian()" else getattr(t, call[:-3])(0)

    return program


@pytest.mark.parametrize("call", ["nanmedian()", "nanmedian(0)", "median(0)"])
@requires_torch
def test_median_of_bool_matches_torch(call: str) -> None:
    _assert_same(_run(_median_of_bool(call), ndgrad), _run(_median_of_bool(call), torch))


def test_median_of_bool_by_hand() -> None:
    _raises(
        _median_of_bool("nanmedian()"),
        NotImplementedError,
        "\"median_cpu\" not implemented for 'Bool'",
    )
    for call in ("nanmedian(0)", "median(0)"):
        _raises(
            _median_of_bool(call), NotImplementedError, "\"median_out\" not implemented for 'Bool'"
        )


# --- E: embedding, max pooling and nll_loss save their indices and inputs --------------------


def _embedding(write: str) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        w = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        i = lib.tensor([1, 0])
        y = lib.nn.functional.embedding(i, w)
        if write == "indices":
            i.add_(0)
        y.sum().backward()
        if write == "twice":
            y.sum().backward()
        return y.grad_fn.next_functions[0][1], len(y.grad_fn.next_functions), w.grad

    return program


def _max_pool(pool: str, write: str) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        f = lib.nn.functional
        t = lib.tensor([[[1.0, 2.0, 5.0, 0.0], [3.0, 4.0, 1.0, 2.0]]], requires_grad=True)
        x = t * 1
        if pool == "max_pool1d":
            y, i = f.max_pool1d(x, 2, return_indices=True)
        elif pool == "max_pool2d":
            y, i = f.max_pool2d(x.unsqueeze(0), 2, return_indices=True)
        else:
            y, i = f.adaptive_max_pool2d(x, 1, return_indices=True)
        (x if write == "input" else i).add_(0)
        y.sum().backward()
        return t.grad

    return program


def _nll(dims: int, reduction: str, write: str) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        t = lib.tensor([[1.0, 2.0], [3.0, 0.0]], requires_grad=True)
        x = t * 1
        target = lib.tensor([0, 1])
        weight = lib.tensor([1.0, 2.0])
        if dims == 3:
            y = lib.nn.functional.nll_loss(
                x.reshape(1, 2, 2), target.reshape(1, 2), weight, reduction=reduction
            )
        else:
            y = lib.nn.functional.nll_loss(x, target, weight, reduction=reduction)
        {"input": x, "target": target, "weight": weight}[write].add_(0)
        y.sum().backward()
        return t.grad

    return program


def _nll_graph(lib: Any) -> Any:
    f = lib.nn.functional
    t = lib.tensor([[[1.0, 2.0], [3.0, 0.0]]], requires_grad=True)
    target = lib.tensor([[0, 1]])
    names = []
    for y in (f.nll_loss(t, target), f.nll_loss(t, target, reduction="none")):
        fn, chain = y.grad_fn, []
        while fn is not None and fn.next_functions:
            chain.append(type(fn).__name__)
            fn = fn.next_functions[0][0]
        names.append(chain)
    one = f.nll_loss(t[0, :, 0], target[0, :1], reduction="none")
    return names, type(one.grad_fn.next_functions[0][0]).__name__, one


def _nll_weight_requires_grad(lib: Any) -> Any:
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    return lib.nn.functional.nll_loss(lib.tensor([[1.0, 2.0]]), lib.tensor([0]), w)


_SAVING_PROGRAMS = [
    _embedding("indices"),
    _embedding("twice"),
    _embedding("none"),
    *(_max_pool(p, w) for p in ("max_pool1d", "max_pool2d", "adaptive") for w in ("input", "i")),
    *(
        _nll(d, r, w)
        for d in (2, 3)
        for r in ("mean", "none")
        for w in ("input", "target", "weight")
    ),
    _nll_graph,
    _nll_weight_requires_grad,
]


@pytest.mark.parametrize("program", _SAVING_PROGRAMS)
@requires_torch
def test_nn_ops_save_what_torch_saves_matches_torch(program: Callable[[Any], Any]) -> None:
    _assert_same(_run(program, ndgrad), _run(program, torch))


def test_nn_ops_save_what_torch_saves_by_hand() -> None:
    _raises(_embedding("indices"), RuntimeError, _modified("torch.LongTensor [2]]"))
    _raises(_embedding("twice"), RuntimeError, RELEASED)
    _, listed, grad = _embedding("none")(ndgrad)
    assert listed == 1  # the weight alone
    np.testing.assert_array_equal(grad.numpy(), [[1.0, 1.0], [1.0, 1.0]])
    # max_pool2d saves its input and its indices
    # (the saved input is the unsqueezed view, whose history the write rewrote)
    message = _modified("torch.FloatTensor [1, 1, 2, 4]], which is output 0 of AsStrided,")
    _raises(_max_pool("max_pool2d", "input"), RuntimeError, message)
    _raises(_max_pool("max_pool2d", "i"), RuntimeError, _modified("torch.LongTensor [1, 1, 1, 2]]"))
    # nll_loss saves input, target and weight
    message = _modified("torch.FloatTensor [2, 2]], which is output 0 of Add,")
    _raises(_nll(2, "mean", "input"), RuntimeError, message)
    _raises(_nll(2, "mean", "target"), RuntimeError, _modified("torch.LongTensor [2]]"))
    _raises(_nll(2, "none", "weight"), RuntimeError, _modified("torch.FloatTensor [2]]"))
    # a 3-d input goes through (N, C, 1, -1) views, as PyTorch's nll_loss_nd
    _raises(_nll(3, "mean", "target"), RuntimeError, _modified("torch.LongTensor [1, 1, 2]]"))
    names, one_next, one = _nll_graph(ndgrad)
    assert names == [
        ["NllLoss2DBackward0", "ViewBackward0"],
        ["ViewBackward0", "NllLoss2DBackward0", "ViewBackward0"],
    ]
    assert one_next == "SelectBackward0" and one.shape == ()  # a 1-d input: no unsqueeze node
    _raises(
        _nll_weight_requires_grad,
        RuntimeError,
        "The function 'nll_loss_forward' is not differentiable with respect to argument "
        "'weight'. This input cannot have requires_grad True.",
    )


# --- G: gather saves its input and index, checked in that order ------------------------------


def _gather_after_write(lib: Any) -> Any:
    # fuzz: the error named AmaxBackward0's output; PyTorch's GatherBackward0 checks self first
    t0 = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    t1 = t0.amax(0)
    t2 = lib.gather(t1, 0, lib.tensor([0, 1]))
    t1.sub_(t1)
    t2.mean().backward()
    return t0.grad


def _gather_index_written(lib: Any) -> Any:
    t0 = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    i = lib.tensor([0, 1], dtype=lib.int32)
    t2 = lib.gather(t0, 1, i.view(1, 2))
    i.add_(0)
    t2.sum().backward()
    return t0.grad


def _gather_twice(lib: Any) -> Any:
    t0 = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    t2 = lib.gather(t0, 1, lib.tensor([[0, 1]]))
    t2.sum().backward()
    t2.sum().backward()


def _take_along_dim_written(lib: Any) -> Any:
    t0 = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    x = t0 * 1
    t2 = lib.take_along_dim(x, lib.tensor([[0, 1]]), 1)
    x.add_(0)
    t2.sum().backward()


def _gather_graph(lib: Any) -> Any:
    t0 = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    t2 = lib.gather(t0, 1, lib.tensor([[1, 1]]))
    t2.sum().backward()
    return len(t2.grad_fn.next_functions), t0.grad


_GATHER_PROGRAMS = [
    _gather_after_write,
    _gather_index_written,
    _gather_twice,
    _take_along_dim_written,
    _gather_graph,
]


@pytest.mark.parametrize("program", _GATHER_PROGRAMS)
@requires_torch
def test_gather_saves_self_and_index_matches_torch(program: Callable[[Any], Any]) -> None:
    _assert_same(_run(program, ndgrad), _run(program, torch))


def test_gather_saves_self_and_index_by_hand() -> None:
    message = _modified("torch.FloatTensor [2]], which is output 0 of Sub,")
    _raises(_gather_after_write, RuntimeError, message)
    _raises(_gather_index_written, RuntimeError, _modified("torch.IntTensor [1, 2]]"))
    _raises(_gather_twice, RuntimeError, RELEASED)
    listed, grad = _gather_graph(ndgrad)
    assert listed == 1
    np.testing.assert_array_equal(grad.numpy(), [[0.0, 2.0], [0.0, 0.0]])


# --- F: mul-like ops save an operand only for the gradients that read it ----------------------

_SAVE_FOR_OTHERS: dict[str, Callable[[Any, Any, Any], Any]] = {
    "addcmul": lambda s, a, b: s.addcmul(a, b),
    "addcmul_": lambda s, a, b: s.clone().addcmul_(a, b),
    "addcdiv": lambda s, a, b: s.addcdiv(a, b),
    "lerp": lambda s, a, b: s.lerp(a, b),
    "lerp_": lambda s, a, b: s.clone().lerp_(a, b),
    "index_add": lambda s, a, b: s.index_add(0, a[0].long(), b),
    "hypot": lambda s, a, b: s.hypot(b) + a,
    "fmod": lambda s, a, b: s.fmod(b) + a,
    "remainder": lambda s, a, b: s.remainder(b) + a,
    "copysign": lambda s, a, b: s.copysign(b) + a,
}


def _save_for_others(op: str, needs: tuple[int, int, int], written: int) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        # fuzz: t5.addcmul_(t1, t3) with only t5 requiring grad, then t3.mul_(t4): PyTorch saved
        # neither factor (each is saved only for the other's gradient) and backward ran
        values = ([[1.0, 2.0], [3.0, 4.0]], [[1.0, 0.0], [0.5, 1.0]], [[2.0, 3.0], [4.0, 5.0]])
        leaves = [lib.tensor(v, requires_grad=bool(n)) for v, n in zip(values, needs, strict=True)]
        operands = [leaf * 1 for leaf in leaves]
        y = _SAVE_FOR_OTHERS[op](*operands)
        operands[written].mul_(2)
        y.sum().backward()
        return [leaf.grad for leaf in leaves]

    return program


_NEEDS = [(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 0), (1, 0, 1), (0, 1, 1), (1, 1, 1)]


@pytest.mark.parametrize("op", sorted(_SAVE_FOR_OTHERS))
@requires_torch
def test_operands_saved_for_others_matches_torch(op: str) -> None:
    for needs in _NEEDS:
        for written in range(3):
            program = _save_for_others(op, needs, written)
            _assert_same(_run(program, ndgrad), _run(program, torch))


def test_operands_saved_for_others_by_hand() -> None:
    # addcmul: y = s + a b; with only s needing a gradient nothing is read back: writes into
    # a or b before backward are fine, and s gets ones
    for written in (1, 2):
        grads = _save_for_others("addcmul_", (1, 0, 0), written)(ndgrad)
        np.testing.assert_array_equal(grads[0].numpy(), np.ones((2, 2)))
    # dy/da = b reads b, not a: writing a is fine when only a needs a gradient
    grads = _save_for_others("addcmul", (0, 1, 0), 1)(ndgrad)
    np.testing.assert_array_equal(grads[1].numpy(), [[2.0, 3.0], [4.0, 5.0]])
    # ... writing b is reported
    message = _modified("torch.FloatTensor [2, 2]]")
    _raises(_save_for_others("addcmul", (0, 1, 0), 2), RuntimeError, message)
    # addcdiv: dy/da = 1/b and dy/db = -a/b²: b is always saved, a only for b's gradient
    grads = _save_for_others("addcdiv", (0, 1, 0), 1)(ndgrad)
    np.testing.assert_allclose(grads[1].numpy(), 1 / np.array([[2.0, 3.0], [4.0, 5.0]]))
    _raises(_save_for_others("addcdiv", (1, 0, 0), 2), RuntimeError, message)
    # lerp(s, e, w): s and e are read only by w's gradient (e - s)
    grads = _save_for_others("lerp", (1, 1, 0), 0)(ndgrad)
    np.testing.assert_array_equal(grads[0].numpy(), 1 - np.array([[2.0, 3.0], [4.0, 5.0]]))
    # fmod/remainder: both read only by b's gradient; hypot: each by its own
    for op in ("fmod", "remainder", "hypot"):
        grads = _save_for_others(op, (1, 0, 0), 2)(ndgrad)
        assert grads[0] is not None
    # index_add: v and the index only for v's gradient
    grads = _save_for_others("index_add", (1, 0, 0), 2)(ndgrad)
    np.testing.assert_array_equal(grads[0].numpy(), np.ones((2, 2)))


# --- H: the dim named by "Expected reduction dim ... to have non-zero size" --------------------


def _empty_reduction(op: str, shape: tuple[int, ...], dim: Any) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        t = lib.zeros(shape)
        if op == "aminmax":
            return lib.aminmax(t, dim=dim)
        if op == "kthvalue":
            return t.kthvalue(1, dim)
        return getattr(t, op)(dim)

    return program


_EMPTY_OPS = ["amax", "amin", "max", "min", "argmax", "argmin", "aminmax", "median"]
_EMPTY_OPS += ["nanmedian", "mode", "kthvalue", "logsumexp"]
_EMPTY_CASES = [((1, 0), d) for d in (-1, 1)] + [((2, 0, 3), d) for d in (-2, 1)]


@pytest.mark.parametrize("op", _EMPTY_OPS)
@requires_torch
def test_empty_reduction_errors_match_torch(op: str) -> None:
    for shape, dim in _EMPTY_CASES:
        program = _empty_reduction(op, shape, dim)
        _assert_same(_run(program, ndgrad), _run(program, torch))
    if op in ("amax", "amin"):  # dims checked in the order given, before duplicates
        for dim in ((1, 7), (7, 1), (0, 0), (0, 1, 1), (-2, 1), (0, 2, -2)):
            program = _empty_reduction(op, (1, 0, 2), dim)
            _assert_same(_run(program, ndgrad), _run(program, torch))


def test_empty_reduction_errors_by_hand() -> None:
    def message(op: str, dim: int) -> str:
        return f"{op}: Expected reduction dim {dim} to have non-zero size."

    # amax/amin name the dim as given; the ops taking one dim name it wrapped
    _raises(_empty_reduction("amax", (1, 0), -1), IndexError, message("amax()", -1))
    _raises(_empty_reduction("amin", (2, 0, 3), -2), IndexError, message("amin()", -2))
    _raises(_empty_reduction("amax", (1, 0, 2), (1, 1)), IndexError, message("amax()", 1))
    _raises(_empty_reduction("amax", (1, 0, 2), (0, 2, -2)), IndexError, message("amax()", -2))
    _raises(
        _empty_reduction("amax", (1, 0, 2), (0, 0)),
        RuntimeError,
        "dim 0 appears multiple times in the list of dims",
    )
    _raises(_empty_reduction("max", (1, 0), -1), IndexError, message("max()", 1))
    _raises(_empty_reduction("aminmax", (1, 0), -1), IndexError, message("aminmax", 1))
    _raises(_empty_reduction("nanmedian", (1, 0), -1), IndexError, message("median()", 1))
    _raises(_empty_reduction("mode", (2, 0, 3), -2), IndexError, message("mode()", 1))
    _raises(_empty_reduction("kthvalue", (1, 0), 1), IndexError, message("kthvalue()", 1))


# --- I: scatter with an empty index writes nothing (it crashed in numpy) ---------------------


def _empty_scatter(op: str, shape: tuple[int, ...], ishape: tuple[int, ...]) -> Any:
    def program(lib: Any) -> Any:
        t5 = lib.zeros(shape)
        t4 = lib.ones(shape)
        index = lib.zeros(ishape, dtype=lib.long)
        if op == "scatter_":
            # fuzz: t5.scatter_(-3, <empty index>, t4) on tensors of shape (1, 0, 1)
            return t5.scatter_(-len(shape), index, t4)
        if op == "scatter_reduce":
            return t5.scatter_reduce(0, index, t4, "amax")
        return getattr(t5, op)(0, index, t4)

    return program


def _empty_scatter_backward(op: str, sshape: tuple[int, ...]) -> Any:
    def program(lib: Any) -> Any:
        t = lib.ones((2, 3), requires_grad=True)
        s = lib.ones(sshape, requires_grad=True)
        index = lib.zeros((2, 0), dtype=lib.long)
        if op == "scatter_reduce":
            y = t.scatter_reduce(0, index, s, "sum")
        else:
            y = getattr(t, op)(0, index, s)
        y.sum().backward()
        return y, t.grad, s.grad

    return program


_EMPTY_SCATTERS = [
    (op, shape, ishape)
    for op in ("scatter_", "scatter", "scatter_add", "scatter_reduce")
    for shape, ishape in (((1, 0, 1), (1, 0)), ((1, 0, 1), (1, 0, 1)), ((2, 3), (0,)))
]


@pytest.mark.parametrize(("op", "shape", "ishape"), _EMPTY_SCATTERS)
@requires_torch
def test_empty_scatter_index_matches_torch(
    op: str, shape: tuple[int, ...], ishape: tuple[int, ...]
) -> None:
    program = _empty_scatter(op, shape, ishape)
    _assert_same(_run(program, ndgrad)[:2], _run(program, torch)[:2])  # (strides of empties aside)


@pytest.mark.parametrize("op", ["scatter", "scatter_add", "scatter_reduce"])
@requires_torch
def test_empty_scatter_index_backward_matches_torch(op: str) -> None:
    for sshape in ((2, 3), (1, 1)):
        program = _empty_scatter_backward(op, sshape)
        a, b = _run(program, ndgrad), _run(program, torch)
        if a[0] == "error":
            assert a == b
        else:
            for x, y in zip(a, b, strict=True):  # values, node, requires_grad (not strides)
                np.testing.assert_array_equal(x[1], y[1])
                assert x[1].shape == y[1].shape and x[2:4] == y[2:4]


def test_empty_scatter_index_by_hand() -> None:
    for op, shape, ishape in _EMPTY_SCATTERS:
        out = _empty_scatter(op, shape, ishape)(ndgrad)
        assert out.shape == shape
        np.testing.assert_array_equal(out.numpy(), np.zeros(shape))  # nothing written
    # src's gradient has the index's shape, (2, 0): it reduces to a src of shape (1, 1) (zeros),
    # not to one of shape (2, 3) (PyTorch's error)
    _, tgrad, sgrad = _empty_scatter_backward("scatter_add", (1, 1))(ndgrad)
    np.testing.assert_array_equal(tgrad.numpy(), np.ones((2, 3)))
    np.testing.assert_array_equal(sgrad.numpy(), [[0.0]])
    for op, name in (("scatter", "ScatterBackward0"), ("scatter_add", "ScatterAddBackward0")):
        _raises(
            _empty_scatter_backward(op, (2, 3)),
            RuntimeError,
            f"Function {name} returned an invalid gradient at index 1 - got [2, 0] but expected "
            "shape compatible with [2, 3]",
        )


# --- J: the layout of masked_fill's, masked_scatter's and index_fill's results ----------------

_LAYOUT_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "masked_fill": lambda lib, x: x.masked_fill(x > 2, 0.0),
    "masked_fill_tensor": lambda lib, x: x.masked_fill(x > 2, lib.tensor(0.0)),
    "masked_fill_broadcast": lambda lib, x: x.masked_fill(lib.tensor([True, False]), 0.0),
    "masked_scatter": lambda lib, x: x.masked_scatter(x > 2, lib.zeros(6)),
    "index_fill": lambda lib, x: x.index_fill(0, lib.tensor([0]), 1.0),
    "index_fill_tensor": lambda lib, x: x.index_fill(1, lib.tensor([0]), lib.tensor(1.0)),
    "index_fill_3d": lambda lib, x: (
        lib.zeros(2, 3, 4).permute(2, 0, 1).index_fill(0, lib.tensor([1]), 1.0)
    ),
}


def _layout(op: str) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        # fuzz: out-of-place masked_fill of a transposed tensor (contiguous in PyTorch)
        x = lib.arange(6.0).reshape(2, 3).t()
        y = _LAYOUT_OPS[op](lib, x)
        return y, y.is_contiguous()

    return program


@pytest.mark.parametrize("op", sorted(_LAYOUT_OPS))
@requires_torch
def test_result_layouts_match_torch(op: str) -> None:
    _assert_same(_run(_layout(op), ndgrad), _run(_layout(op), torch))


def test_result_layouts_by_hand() -> None:
    # masked_fill and masked_scatter write into a contiguous clone: strides (2, 1) for (3, 2)
    for op in ("masked_fill", "masked_fill_tensor", "masked_fill_broadcast", "masked_scatter"):
        y, contiguous = _layout(op)(ndgrad)
        assert contiguous and y.stride() == (2, 1), op
    # index_fill clones keeping the input's layout: the transpose's strides (1, 3)
    for op in ("index_fill", "index_fill_tensor"):
        y, contiguous = _layout(op)(ndgrad)
        assert not contiguous and y.stride() == (1, 3), op
    y, _ = _layout("index_fill_3d")(ndgrad)
    assert y.stride() == (1, 12, 4)
