"""multilabel_margin_loss, multi_margin_loss, ctc_loss, pdist and the torch-level loss forms:
values against plain-loop numpy references, gradcheck/gradgradcheck, PyTorch parity (values,
gradients, node names), errors and the modules."""

from __future__ import annotations

import contextlib
import itertools
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from tests.helpers import assert_close, requires_torch, torch

import ndgrad
import ndgrad.nn as nn
import ndgrad.nn.functional as F
from ndgrad.autograd import gradcheck, gradgradcheck

R = np.random.default_rng(7)
REDUCTIONS = ("mean", "sum", "none")


# --- plain-loop references -------------------------------------------------------------------
def ref_multilabel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    x2, y2 = np.atleast_2d(x), np.atleast_2d(y)
    out = []
    for xs, ys in zip(x2, y2, strict=True):
        targets = list(itertools.takewhile(lambda v: v != -1, ys))
        c = len(xs)
        total = 0.0
        for j in targets:
            for i in range(c):
                if i not in targets:
                    total += max(0.0, 1 - (xs[j] - xs[i]))
        out.append(total / c)
    return np.array(out)


def ref_multi_margin(
    x: np.ndarray, y: np.ndarray, p: int, margin: float, w: np.ndarray | None
) -> np.ndarray:
    out = []
    for xs, t in zip(np.atleast_2d(x), np.atleast_1d(y), strict=True):
        c = len(xs)
        wt = 1.0 if w is None else w[t]
        out.append(sum(wt * max(0.0, margin - xs[t] + xs[i]) ** p for i in range(c) if i != t) / c)
    return np.array(out)


def ref_ctc(lp: np.ndarray, target: list[int], blank: int) -> float:
    """-log Σ over every length-T path that collapses to the target of Π p (brute force)"""
    t_len, c = lp.shape
    total = -math.inf
    for path in itertools.product(range(c), repeat=t_len):
        collapsed = [k for k, _ in itertools.groupby(path) if k != blank]
        if collapsed == list(target):
            total = np.logaddexp(total, sum(lp[t, k] for t, k in enumerate(path)))
    return -total


def reduce(v: np.ndarray, reduction: str) -> np.ndarray:
    return {"mean": v.mean(), "sum": v.sum(), "none": v}[reduction]


# --- values ---------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_margin_values(reduction: str) -> None:
    x = R.standard_normal((4, 5))
    y = np.array([[3, 0, -1, 1, 2], [1, 2, 3, -1, 0], [-1, 1, 1, 1, 1], [2, 2, 4, -1, 0]])
    got = F.multilabel_margin_loss(ndgrad.tensor(x), ndgrad.tensor(y), reduction=reduction)
    assert_close(got, reduce(ref_multilabel(x, y), reduction), rtol=1e-12)
    one = F.multilabel_margin_loss(ndgrad.tensor(x[0]), ndgrad.tensor(y[0]), reduction=reduction)
    assert one.shape == ()
    assert_close(one, ref_multilabel(x[0], y[0])[0], rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("weighted", [False, True])
def test_multi_margin_values(reduction: str, p: int, weighted: bool) -> None:
    x, y = R.standard_normal((5, 4)), np.array([0, 3, 1, 1, 2])
    w = R.random(4) if weighted else None
    got = F.multi_margin_loss(
        ndgrad.tensor(x),
        ndgrad.tensor(y),
        p=p,
        margin=0.8,
        weight=None if w is None else ndgrad.tensor(w),
        reduction=reduction,
    )
    assert_close(got, reduce(ref_multi_margin(x, y, p, 0.8, w), reduction), rtol=1e-12)


def _log_probs(t: int, n: int, c: int) -> np.ndarray:
    return np.log(R.dirichlet(np.ones(c), size=(t, n)))


@pytest.mark.parametrize("blank", [0, 2])
def test_ctc_matches_brute_force(blank: int) -> None:
    lp = _log_probs(5, 4, 3)
    labels = [k for k in range(3) if k != blank]
    targets = np.array([[labels[0], labels[1]], [labels[0], labels[0]], [labels[1], 0], [0, 0]])
    tl, il = np.array([2, 2, 1, 0]), np.array([5, 4, 3, 2])
    got = F.ctc_loss(
        ndgrad.tensor(lp),
        ndgrad.tensor(targets),
        ndgrad.tensor(il),
        ndgrad.tensor(tl),
        blank=blank,
        reduction="none",
    )
    want = [ref_ctc(lp[: il[n], n], list(targets[n, : tl[n]]), blank) for n in range(4)]
    assert_close(got, np.array(want), rtol=1e-10)
    mean = F.ctc_loss(ndgrad.tensor(lp), ndgrad.tensor(targets), il.tolist(), tl.tolist(), blank)
    assert_close(mean, np.mean(np.array(want) / np.maximum(tl, 1)), rtol=1e-10)


def test_ctc_impossible_alignment_and_zero_infinity() -> None:
    lp = ndgrad.tensor(_log_probs(2, 1, 4), requires_grad=True)
    tgt, il, tl = ndgrad.tensor([[1, 1]]), [2], [2]  # a repeat needs a blank between: T ≥ 3
    assert math.isinf(F.ctc_loss(lp, tgt, il, tl, reduction="sum").item())
    out = F.ctc_loss(lp, tgt, il, tl, reduction="sum", zero_infinity=True)
    out.backward()
    assert out.item() == 0.0
    assert_close(lp.grad, np.zeros((2, 1, 4)))


def test_ctc_gradient_through_log_softmax_is_softmax_minus_posterior() -> None:
    """PyTorch's convention: the gradient w.r.t. log_probs carries an extra exp(log_probs),
    which log_softmax's backward removes; the gradient w.r.t. the logits is then exact."""
    logits = ndgrad.tensor(R.standard_normal((6, 2, 4)), requires_grad=True)
    args = (ndgrad.tensor([[1, 2, 3], [3, 3, 0]]), [6, 5], [3, 2])
    assert gradcheck(lambda z: F.ctc_loss(z.log_softmax(2), *args, reduction="none"), [logits])
    lp = logits.detach().log_softmax(2).requires_grad_()
    F.ctc_loss(lp, *args, reduction="sum").backward()
    assert lp.grad is not None
    row_sums = lp.grad.sum(2).numpy()
    assert_close(row_sums[:, 0], np.zeros(6), atol=1e-12)  # Σ_c (p - posterior) = 0
    assert_close(lp.grad[5, 1], np.zeros(4))  # past the input length


def test_ctc_has_no_double_backward() -> None:
    lp = ndgrad.tensor(_log_probs(4, 1, 3), requires_grad=True)
    loss = F.ctc_loss(lp, ndgrad.tensor([[1, 2]]), [4], [2])
    (g,) = ndgrad.autograd.grad(loss, lp, create_graph=True)
    with pytest.raises(RuntimeError, match=r"derivative for aten::_ctc_loss_backward is not"):
        g.sum().backward()


# --- gradients --------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_losses_gradcheck(reduction: str) -> None:
    x = ndgrad.tensor(R.standard_normal((3, 5)), requires_grad=True)
    y = ndgrad.tensor([[3, 0, -1, 1, 2], [1, 2, 3, -1, 0], [4, -1, 0, 0, 0]])
    t = ndgrad.tensor([1, 4, 0])
    w = ndgrad.tensor(R.random(5))
    fns: list[Callable[[Any], Any]] = [
        lambda z: F.multilabel_margin_loss(z, y, reduction=reduction),
        lambda z: F.multi_margin_loss(z, t, reduction=reduction),
        lambda z: F.multi_margin_loss(z, t, p=2, margin=0.5, weight=w, reduction=reduction),
    ]
    for fn in fns:
        assert gradcheck(fn, [x])
        assert gradgradcheck(fn, [x])


def test_pdist_gradcheck_and_no_double_backward() -> None:
    for p in (2.0, 1.0, 3.0, 0.5, math.inf):
        x = ndgrad.tensor(R.standard_normal((4, 3)), requires_grad=True)
        assert gradcheck(lambda z, p=p: F.pdist(z, p), [x])
    (g,) = ndgrad.autograd.grad(F.pdist(x).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="the derivative for '_pdist_backward' is not"):
        g.sum().backward()


# --- PyTorch parity ---------------------------------------------------------------------------
def _parity(fn: Callable[..., Any], arrays: list[Any], grads: list[bool]) -> None:
    results = []
    for lib, functional in ((ndgrad, F), (torch, torch.nn.functional)):
        ins = [lib.tensor(a, requires_grad=g) for a, g in zip(arrays, grads, strict=True)]
        out = fn(lib, functional, *ins)
        w = np.random.default_rng(3).standard_normal(tuple(out.shape))
        (out * lib.tensor(w)).sum().backward()
        results.append((out, [i.grad for i in ins if i.requires_grad], out.grad_fn.name()))
    (a, ga, na), (b, gb, nb) = results
    assert na == nb
    assert_close(a, b, rtol=1e-10, atol=1e-12)
    for x, y in zip(ga, gb, strict=True):
        assert_close(x, y, rtol=1e-9, atol=1e-11)


@requires_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_losses_match_torch(reduction: str) -> None:
    x = R.standard_normal((4, 5))
    y = np.array([[3, 0, -1, 1, 2], [1, 2, 3, -1, 0], [-1, 1, 1, 1, 1], [4, 4, 4, 4, 4]])
    t, w = np.array([1, 4, 0, 2]), R.random(5)
    _parity(
        lambda lib, f, a, b: f.multilabel_margin_loss(a, b, reduction=reduction),
        [x, y],
        [True, False],
    )
    _parity(
        lambda lib, f, a, b: f.multilabel_margin_loss(a, b, reduction=reduction),
        [x[0], y[0]],
        [True, False],
    )
    for p in (1, 2):
        _parity(
            lambda lib, f, a, b, c, p=p: f.multi_margin_loss(
                a, b, p=p, margin=0.7, weight=c, reduction=reduction
            ),
            [x, t, w],
            [True, False, False],
        )
        _parity(
            lambda lib, f, a, b, p=p: f.multi_margin_loss(a, b, p, reduction=reduction),
            [x[1], t[1:2]],
            [True, False],
        )


@requires_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_ctc_matches_torch(reduction: str, zero_infinity: bool) -> None:
    t_len, n, c = 7, 4, 5
    lp = _log_probs(t_len, n, c)
    tg = np.array([[2, 2, 3], [1, 4, 0], [3, 1, 1], [4, 0, 0]])
    tl = np.array([3, 2, 0, 1])
    for il in (np.array([7, 6, 4, 2]), np.array([2, 2, 2, 2])):  # the second: some impossible
        for blank in (0, 2):
            _parity(
                lambda lib, f, a, b, c_, d, blank=blank: f.ctc_loss(
                    a, b, c_, d, blank, reduction, zero_infinity
                ),
                [lp, tg, il, tl],
                [True, False, False, False],
            )
    cat = np.concatenate([tg[k, : tl[k]] for k in range(n)])
    _parity(
        lambda lib, f, a, b: f.ctc_loss(a, b, (7, 6, 4, 2), tuple(tl), 0, reduction, zero_infinity),
        [lp, cat],
        [True, False],
    )
    _parity(
        lambda lib, f, a, b, c_, d: f.ctc_loss(a, b, c_, d, 0, reduction, zero_infinity),
        [lp[:, 0], tg[0], np.array(6), np.array(3)],
        [True, False, False, False],
    )
    _parity(
        lambda lib, f, a, b, c_, d: lib.nn.CTCLoss(1, reduction, zero_infinity)(a, b, c_, d),
        [lp, tg.astype(np.int32), np.array([7, 6, 4, 2]), tl],
        [True, False, False, False],
    )


@requires_torch
def test_ctc_float32_and_int32_match_torch() -> None:
    lp = _log_probs(6, 2, 4).astype(np.float32)
    tg, il, tl = np.array([[1, 2], [3, 0]], dtype=np.int32), np.array([6, 5]), np.array([2, 1])
    outs = []
    for lib in (ndgrad, torch):
        x = lib.tensor(lp, requires_grad=True)
        loss = lib.nn.CTCLoss(blank=0)(x, lib.tensor(tg), lib.tensor(il), lib.tensor(tl))
        loss.backward()
        assert str(loss.dtype).endswith("float32")
        outs.append((loss, x.grad))
    assert_close(outs[0][0], outs[1][0], rtol=1e-5)
    assert_close(outs[0][1], outs[1][1], rtol=1e-4, atol=1e-6)


@requires_torch
@pytest.mark.parametrize("p", [2.0, 1.0, 0.0, 3.0, 0.5, math.inf])
def test_pdist_matches_torch(p: float) -> None:
    x = R.standard_normal((5, 3))
    x[3] = x[1]  # a zero distance: PyTorch's gradient is 0 there
    x[4, 0] = x[0, 0]
    _parity(lambda lib, f, a: f.pdist(a, p), [x], [True])


@requires_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_probability_targets_match_torch(reduction: str, smoothing: float) -> None:
    x, q, w = R.standard_normal((3, 4, 2)), R.dirichlet(np.ones(4), (3, 2)), R.random(4)
    q = q.transpose(0, 2, 1).copy()
    _parity(
        lambda lib, f, a, b: f.cross_entropy(a, b, reduction=reduction, label_smoothing=smoothing),
        [x, q],
        [True, True],
    )
    _parity(
        lambda lib, f, a, b, c: f.cross_entropy(
            a, b, c, reduction=reduction, label_smoothing=smoothing
        ),
        [x, q, w],
        [True, True, False],
    )


# --- errors -----------------------------------------------------------------------------------
def _raises(fn: Callable[[], Any], exc: type[Exception], text: str) -> None:
    with pytest.raises(exc) as info:
        fn()
    assert str(info.value) == text


def test_multilabel_margin_errors() -> None:
    x = ndgrad.randn(2, 4)
    y = ndgrad.tensor([[3, 0, -1, 1], [1, 2, 3, -1]])
    _raises(
        lambda: F.multilabel_margin_loss(x, y.float()),
        RuntimeError,
        "expected scalar type Long but found Float",
    )
    _raises(
        lambda: F.multilabel_margin_loss(x, y.int()),
        RuntimeError,
        "expected scalar type Long but found Int",
    )
    _raises(
        lambda: F.multilabel_margin_loss(x, ndgrad.tensor([[4, -1, 0, 0], [0, -1, 0, 0]])),
        RuntimeError,
        "argument #2 'target' is out of range",
    )
    _raises(
        lambda: F.multilabel_margin_loss(x, y[:, :3]),
        RuntimeError,
        "inconsistent target size: [2, 3] for input of size: [2, 4]",
    )
    _raises(
        lambda: F.multilabel_margin_loss(x.reshape(2, 2, 2), y.reshape(2, 2, 2)),
        RuntimeError,
        "Expected non-empty vector or matrix with optional 0-dim batch size, but got: [2, 2, 2]",
    )
    _raises(
        lambda: F.multilabel_margin_loss(x, y, reduction="bad"),
        ValueError,
        "bad is not a valid value for reduction",
    )


def test_multi_margin_errors() -> None:
    x, t = ndgrad.randn(2, 4), ndgrad.tensor([1, 3])
    _raises(lambda: F.multi_margin_loss(x, t, p=3), ValueError, "only p == 1 and p == 2 supported")
    _raises(
        lambda: F.multi_margin_loss(x, t.float()),
        RuntimeError,
        "expected scalar type Long but found Float",
    )
    _raises(
        lambda: F.multi_margin_loss(x, ndgrad.tensor([1, 4])), RuntimeError, "target out of range"
    )
    _raises(
        lambda: F.multi_margin_loss(x, ndgrad.tensor([1, 2, 3])),
        RuntimeError,
        "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
        "input samples (batch size). Expected target size [2], but got [3]. Input has shape "
        "[2, 4].",
    )
    _raises(
        lambda: F.multi_margin_loss(x, t, weight=ndgrad.ones(3)),
        RuntimeError,
        "inconsistent weight size, expected 4 but got [3]",
    )
    _raises(
        lambda: F.multi_margin_loss(x, t, weight=ndgrad.ones(4, 1)),
        ValueError,
        "weight must be one-dimensional",
    )
    _raises(
        lambda: F.multi_margin_loss(x, t, weight=ndgrad.ones(4, requires_grad=True)),
        RuntimeError,
        "The function 'multi_margin_loss' is not differentiable with respect to argument "
        "'weight'. This input cannot have requires_grad True.",
    )
    _raises(
        lambda: nn.MultiMarginLoss(weight=ndgrad.ones(2, 2)),
        ValueError,
        "MultiMarginLoss: expected weight to be None or 1D tensor, got 2D instead",
    )


def test_ctc_errors() -> None:
    lp = ndgrad.tensor(_log_probs(6, 3, 5))
    tg, il, tl = ndgrad.tensor([[1, 2, 3]] * 3), ndgrad.tensor([6, 5, 4]), ndgrad.tensor([3, 2, 1])
    w = " (while checking arguments for ctc_loss_allocate_outputs)"
    _raises(
        lambda: F.ctc_loss(lp, tg, il, ndgrad.tensor([3, 2, 4])),
        RuntimeError,
        "Expected tensor to have size at least 4 at dimension 1, but got size 3 for "
        "argument #2 'targets'" + w,
    )
    _raises(
        lambda: F.ctc_loss(lp, tg, ndgrad.tensor([7, 5, 4]), tl),
        RuntimeError,
        "Expected input_lengths to have value at most 6, but got value 7" + w,
    )
    _raises(
        lambda: F.ctc_loss(lp, tg, il[:2], tl),
        RuntimeError,
        "input_lengths must be of size batch_size",
    )
    _raises(
        lambda: F.ctc_loss(lp, tg, il, tl[:2]),
        RuntimeError,
        "target_lengths must be of size batch_size",
    )
    _raises(
        lambda: F.ctc_loss(lp, tg, il, tl, blank=5), RuntimeError, "blank must be in label range"
    )
    _raises(
        lambda: F.ctc_loss(lp, ndgrad.tensor([1, 2, 3, 1, 2, 4, 1]), il, tl),
        RuntimeError,
        "Expected tensor to have size 6 at dimension 0, but got size 7 for argument #2 "
        "'targets'" + w,
    )
    _raises(
        lambda: F.ctc_loss(lp, tg.unsqueeze(0), il, tl),
        RuntimeError,
        "Expected 1 to 2 dimensions, but got 3-dimensional tensor for argument #2 'targets'" + w,
    )
    _raises(
        lambda: F.ctc_loss(lp.unsqueeze(0), tg, il, tl),
        RuntimeError,
        "Expected 3-dimensional tensor, but got 4-dimensional tensor for argument #1 "
        "'log_probs'" + w,
    )
    _raises(
        lambda: F.ctc_loss(lp, tg, il, tl, reduction="bad"),
        ValueError,
        "bad is not a valid value for reduction",
    )


# --- modules and torch-level forms -------------------------------------------------------------
def test_modules() -> None:
    m = nn.MultiMarginLoss(p=2, margin=0.5, weight=ndgrad.ones(3))
    assert repr(m) == "MultiMarginLoss()"
    assert list(m.state_dict()) == ["weight"]
    assert (m.p, m.margin, m.reduction) == (2, 0.5, "mean")
    assert list(nn.MultiMarginLoss().state_dict()) == []
    c = nn.CTCLoss(blank=3, reduction="sum", zero_infinity=True)
    assert repr(c) == "CTCLoss()"
    assert (c.blank, c.reduction, c.zero_infinity) == (3, "sum", True)
    assert nn.MultiLabelMarginLoss(reduction="none").reduction == "none"
    with pytest.warns(UserWarning, match="please use reduction='sum' instead"):
        assert nn.MultiLabelMarginLoss(size_average=False).reduction == "sum"
    x, y = ndgrad.randn(2, 3), ndgrad.tensor([[0, -1, 0], [2, 1, -1]])
    assert_close(nn.MultiLabelMarginLoss()(x, y), F.multilabel_margin_loss(x, y))
    t = ndgrad.tensor([2, 0])
    assert_close(m(x, t), F.multi_margin_loss(x, t, 2, 0.5, ndgrad.ones(3)))


def test_node_names() -> None:
    x = ndgrad.randn(2, 3, requires_grad=True)
    names = [
        F.multilabel_margin_loss(x, ndgrad.tensor([[0, -1, 0], [2, 1, -1]])),
        F.multi_margin_loss(x, ndgrad.tensor([2, 0])),
        F.ctc_loss(x.log_softmax(1).unsqueeze(1), ndgrad.tensor([[1]]), [2], [1], reduction="none"),
        F.ctc_loss(x.log_softmax(1).unsqueeze(1), ndgrad.tensor([[1]]), [2], [1]),
        F.ctc_loss(x.log_softmax(1).unsqueeze(1), ndgrad.tensor([[1]]), [2], [1], reduction="sum"),
        F.ctc_loss(
            x.log_softmax(1).unsqueeze(1),
            ndgrad.tensor([[1]]),
            [2],
            [1],
            reduction="none",
            zero_infinity=True,
        ),
        F.pdist(x),
    ]
    assert [n.grad_fn.name() for n in names] == [
        "MultilabelMarginLossBackward0",
        "MultiMarginLossBackward0",
        "CtcLossBackward0",
        "MeanBackward0",
        "SumBackward0",
        "WhereBackward0",
        "PdistBackward0",
    ]


TORCH_LEVEL: list[tuple[str, Callable[[Any], Any]]] = [
    ("margin_ranking_loss", lambda lib: lib.margin_ranking_loss(X(lib), X2(lib), S(lib), 0.3)),
    ("margin_ranking_loss_1", lambda lib: lib.margin_ranking_loss(X(lib), X2(lib), S(lib), 0.3, 1)),
    ("hinge_embedding_loss", lambda lib: lib.hinge_embedding_loss(X(lib), S(lib), 0.5, 2)),
    ("hinge_embedding_loss_0", lambda lib: lib.hinge_embedding_loss(X(lib), S(lib))),
    ("cosine_embedding_loss", lambda lib: lib.cosine_embedding_loss(X(lib), X2(lib), S(lib)[:, 0])),
    ("triplet_margin_loss", lambda lib: lib.triplet_margin_loss(X(lib), X2(lib), X(lib) * 2)),
    (
        "triplet_margin_loss_1",
        lambda lib: lib.triplet_margin_loss(X(lib), X2(lib), X(lib) * 2, 1.0, 3, 1e-6, True, 1),
    ),
    ("poisson_nll_loss", lambda lib: lib.poisson_nll_loss(X(lib), P(lib), True, True, 1e-8, 1)),
    (
        "poisson_nll_loss_none",
        lambda lib: lib.poisson_nll_loss(X(lib).exp(), P(lib), False, False, 0.5, 0),
    ),
    ("kl_div", lambda lib: lib.kl_div(X(lib), P(lib))),
    ("kl_div_mean", lambda lib: lib.kl_div(X(lib), P(lib), 1)),
    ("kl_div_log_target", lambda lib: lib.kl_div(X(lib), X2(lib), 2, log_target=True)),
    ("bce_logits", lambda lib: lib.binary_cross_entropy_with_logits(X(lib), P(lib) / 5)),
    (
        "bce_logits_w",
        lambda lib: lib.binary_cross_entropy_with_logits(
            X(lib), P(lib) / 5, P(lib)[0], P(lib)[1], 1
        ),
    ),
    (
        "ctc_loss",
        lambda lib: lib.ctc_loss(
            X(lib).log_softmax(1).unsqueeze(1),
            lib.tensor([[1, 2]]),
            lib.tensor([3]),
            lib.tensor([2]),
        ),
    ),
    (
        "ctc_loss_sum",
        lambda lib: lib.ctc_loss(
            X(lib).log_softmax(1).unsqueeze(1), lib.tensor([[1, 2]]), [3], [2], 0, 2
        ),
    ),
    ("cosine_similarity", lambda lib: lib.cosine_similarity(X(lib), X2(lib))),
    ("pairwise_distance", lambda lib: lib.pairwise_distance(X(lib), X2(lib), 3.0, 1e-6, True)),
    ("pdist", lambda lib: lib.pdist(X(lib), 1.0)),
    ("celu", lambda lib: lib.celu(X(lib), 0.5)),
    ("celu_", lambda lib: lib.celu_(X(lib) * 1, 0.5)),
    ("selu", lambda lib: lib.selu(X(lib))),
    ("selu_", lambda lib: lib.selu_(X(lib) * 1)),
    ("rrelu", lambda lib: lib.rrelu(X(lib))),
    ("rrelu_", lambda lib: lib.rrelu_(X(lib) * 1, 0.1, 0.2)),
    ("threshold", lambda lib: lib.threshold(X(lib), 0.1, -2.0)),
    ("threshold_", lambda lib: lib.threshold_(X(lib) * 1, 0.1, -2.0)),
    ("hardshrink", lambda lib: lib.hardshrink(X(lib), 0.3)),
    ("prelu", lambda lib: lib.prelu(X(lib), lib.tensor([0.25], dtype=lib.float64))),
    ("rms_norm", lambda lib: lib.rms_norm(X(lib), (4,), P(lib)[0], 1e-3)),
]
_XA, _XB, _S, _P = (
    R.standard_normal((3, 4)),
    R.standard_normal((3, 4)),
    np.sign(R.standard_normal((3, 4))),
    R.random((3, 4)) * 3,
)
_leaves: dict[Any, list[Any]] = {}


def _leaf(lib: Any, a: np.ndarray) -> Any:
    t = lib.tensor(a, requires_grad=True)
    _leaves.setdefault(lib, []).append(t)
    return t


def X(lib: Any) -> Any:
    return _leaf(lib, _XA)


def X2(lib: Any) -> Any:
    return _leaf(lib, _XB)


def S(lib: Any) -> Any:
    return lib.tensor(_S)


def P(lib: Any) -> Any:
    return lib.tensor(_P)


@requires_torch
@pytest.mark.parametrize(("name", "fn"), TORCH_LEVEL, ids=[c[0] for c in TORCH_LEVEL])
def test_torch_level_forms_match_torch(name: str, fn: Callable[[Any], Any]) -> None:
    results = []
    for lib in (ndgrad, torch):
        _leaves.clear()
        out = fn(lib)
        out.sum().backward()
        results.append((out, [t.grad for t in _leaves[lib]], out.grad_fn.name()))
    (a, ga, na), (b, gb, nb) = results
    assert tuple(a.shape) == tuple(b.shape)
    assert_close(a, b, rtol=1e-10, atol=1e-12)
    assert_close(ga, gb, rtol=1e-9, atol=1e-11)
    if name not in ("cosine_similarity", "pairwise_distance"):  # PyTorch fuses these two
        assert na == nb


# --- target checks of nll_loss, cross_entropy and the BCE losses --------------------------------
TARGET_ERRORS = [
    ("F.nll_loss(L.randn(3, 4), L.zeros(3, dtype=L.int32))", RuntimeError,
     "expected target dtype to be Long or Byte, but got Int"),
    ("F.nll_loss(L.randn(3, 4), L.zeros(3, dtype=L.int16))", RuntimeError,
     "expected target dtype to be Long or Byte, but got Short"),
    ("F.cross_entropy(L.randn(3, 4), L.zeros(3))", RuntimeError,
     "expected target dtype to be Long or Byte, but got Float"),
    ("F.cross_entropy(L.randn(3, 4), L.zeros(3, dtype=L.bool))", RuntimeError,
     "expected target dtype to be Long or Byte, but got Bool"),
    ("F.cross_entropy(L.randn(2, 3, 4, 4), L.zeros(2, 4, 4, dtype=L.int32))", RuntimeError,
     "expected target dtype to be Long or Byte, but got Int"),
    ("F.cross_entropy(L.randn(3, 4), L.zeros(3, 4, dtype=L.int64))", RuntimeError,
     "Expected floating point type for target with class probabilities, got Long"),
    ("F.cross_entropy(L.randn(3, 4), L.full((3, 4), 0.25), ignore_index=0)", RuntimeError,
     "ignore_index is not supported for floating point target"),
    ("F.cross_entropy(L.randn(3, 4), L.zeros(3, 5))", RuntimeError,
     "0D or 1D target tensor expected, multi-target not supported"),
    ("F.nll_loss(L.randn(3, 4), L.zeros(2, 2))", ValueError,
     "Expected input batch_size (3) to match target batch_size (2)."),
    ("F.nll_loss(L.randn(3, 4), L.tensor(1))", ValueError,
     "Expected input batch_size (3) to match target batch_size (0)."),
    ("F.nll_loss(L.randn(4), L.zeros(2, dtype=L.int64))", ValueError,
     "For 1D input, 1D target must have size 1, but got target size: 2"),
    ("F.nll_loss(L.randn(()), L.tensor(0))", ValueError, "Expected 1 or more dimensions (got 0)"),
    ("F.nll_loss(L.randn(2, 3, 4, 4), L.zeros(2, 4, 5, dtype=L.int64))", RuntimeError,
     "size mismatch (got input: [2, 3, 4, 4] , target: [2, 4, 5]"),
    ("F.nll_loss(L.randn(2, 3, 4, 4), L.zeros(2, 4, 5))", RuntimeError,
     "expected target dtype to be Long or Byte, but got Float"),
    ("F.nll_loss(L.randn(2, 3, 5), L.zeros(2, 6))", RuntimeError,
     "Expected target size [2, 5], got [2, 6]"),
    ("F.binary_cross_entropy(L.rand(3, 4), L.rand(3, 4).double())", RuntimeError,
     "Found dtype Double but expected Float"),
    ("F.binary_cross_entropy(L.rand(3, 4), L.ones(3, 4, dtype=L.int64))", RuntimeError,
     "Found dtype Long but expected Float"),
    ("F.binary_cross_entropy_with_logits(L.rand(3, 4), L.ones(3, 4, dtype=L.int32))",
     RuntimeError, "result type Float can't be cast to the desired output type Int"),
    ("F.binary_cross_entropy_with_logits(L.rand(3, 4), L.ones(3, 4, dtype=L.bool))",
     RuntimeError, "Subtraction, the `-` operator, with two bool tensors is not supported. Use "
     "the `^` or `logical_xor()` operator instead."),
]  # fmt: skip


def _target_error(lib: Any, code: str) -> None:
    eval(code, {"L": lib, "F": lib.nn.functional})


@pytest.mark.parametrize(("code", "exc", "msg"), TARGET_ERRORS, ids=[e[0] for e in TARGET_ERRORS])
def test_target_checks(code: str, exc: type[Exception], msg: str) -> None:
    _raises(lambda: _target_error(ndgrad, code), exc, msg)


@requires_torch
@pytest.mark.parametrize(("code", "exc", "msg"), TARGET_ERRORS, ids=[e[0] for e in TARGET_ERRORS])
def test_target_check_texts_are_torchs(code: str, exc: type[Exception], msg: str) -> None:
    _raises(lambda: _target_error(torch, code), exc, msg)


def test_byte_targets_and_negative_ignore_index_are_accepted() -> None:
    x = ndgrad.randn(3, 4)
    assert_close(F.cross_entropy(x, ndgrad.tensor([0, 1, 3], dtype=ndgrad.uint8)),
                 F.cross_entropy(x, ndgrad.tensor([0, 1, 3])))  # fmt: skip
    q = ndgrad.full((3, 4), 0.25)
    assert_close(F.cross_entropy(x, q, ignore_index=-5), F.cross_entropy(x, q))


@requires_torch
@pytest.mark.parametrize("reduction", ["none", "sum", "mean", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch_with_zero_targets(reduction: str, log_target: bool) -> None:
    x, p = R.standard_normal((3, 4)), R.random((3, 4))
    p[0, 1] = p[2, 3] = 0.0  # xlogy's 0 log 0 = 0, and its gradient there
    target = np.log(p + 0.1) if log_target else p
    with pytest.warns(UserWarning) if reduction == "mean" else contextlib.nullcontext():
        _parity(lambda lib, f, a, b: f.kl_div(a, b, reduction=reduction, log_target=log_target),
                [x, target], [True, True])  # fmt: skip


def test_cross_entropy_label_smoothing_with_every_target_ignored() -> None:
    # PyTorch fills the ignored smoothing terms with 0: the mean is 0 / 0 = nan, but the
    # gradient is 0 (not inf · 0 = nan); its two scalings are tensor-times-number nodes
    x = ndgrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    for w in (None, ndgrad.tensor([1.0, 2.0])):
        loss = F.cross_entropy(x, ndgrad.tensor([1, 1]), w, ignore_index=1, label_smoothing=0.25)
        assert math.isnan(loss.item())
        assert [f.name() for f, _ in loss.grad_fn.next_functions] == ["MulBackward1"] * 2
        (g,) = ndgrad.autograd.grad(loss, x)
        assert g.tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_ctc_loss_with_every_target_empty() -> None:
    # the only alignment is all blanks: ℓ = -Σₜ lp[t, blank]; ∂ℓ/∂lp = exp(lp) - [c = blank]
    p = np.array([[[0.2, 0.3, 0.5]], [[0.6, 0.3, 0.1]], [[0.25, 0.25, 0.5]]])
    x = ndgrad.tensor(np.log(p), requires_grad=True)
    for targets in ([[2]], [[]]):
        loss = F.ctc_loss(
            x, ndgrad.tensor(targets, dtype=ndgrad.int64), ndgrad.tensor([3]),
            ndgrad.tensor([0]), reduction="none",
        )  # fmt: skip
        np.testing.assert_allclose(loss.detach().numpy(), [-math.log(0.2 * 0.6 * 0.25)])
        (g,) = ndgrad.autograd.grad(loss.sum(), x)
        expected = p.copy()
        expected[:, :, 0] -= 1
        np.testing.assert_allclose(g.numpy(), expected, atol=1e-12)


_A3B4 = "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0"


@pytest.mark.parametrize(
    ("code", "msg"),
    [
        ("F.mse_loss(T.zeros(3, 4), T.zeros(4, 4))", _A3B4),
        ("F.smooth_l1_loss(T.zeros(3, 4), T.zeros(4, 4))", _A3B4),
        ("F.huber_loss(T.zeros(3, 4), T.zeros(4, 4))", _A3B4),
        ("F.soft_margin_loss(T.zeros(3, 4), T.zeros(4, 4))", _A3B4),
        ("F.soft_margin_loss(T.zeros(3, 4), T.zeros(2, 3, 4))",
         "output with shape [3, 4] doesn't match the broadcast shape [2, 3, 4]"),
        ("F.hinge_embedding_loss(T.zeros(3, 4), T.zeros(4, 4))",
         _A3B4.replace("(3)", "(x)").replace("(4)", "(3)").replace("(x)", "(4)")),
    ],
)  # fmt: skip
def test_loss_shapes_that_do_not_broadcast(code: str, msg: str) -> None:
    # PyTorch 2.13's texts (ndgrad failed inside numpy, or soft_margin_loss broadcast the input)
    with warnings.catch_warnings():  # the size-mismatch warnings are tested on their own
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError) as info:
            eval(code, {"F": F, "T": ndgrad})
    assert str(info.value) == msg
