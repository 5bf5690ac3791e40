"""Activation and distance modules: reprs and state against PyTorch; the random ones
(rrelu in training, gumbel_softmax) by their properties; the in-place forms."""

from __future__ import annotations

import re

import numpy as np
import pytest
from tests.helpers import assert_close, requires_torch, torch

import ndgrad
import ndgrad.nn as nn
import ndgrad.nn.functional as F

MODULES = [
    "ReLU6()", "ReLU6(True)", "Hardtanh(-2.0, 3.0)", "Hardtanh(inplace=True)", "PReLU(3)",
    "RReLU()", "RReLU(0.1, 0.2, True)", "SELU()", "CELU(0.5, True)", "GLU()", "GLU(1)", "Mish()",
    "Hardswish()", "Hardsigmoid()", "Hardshrink()", "Softshrink(0.3)", "Tanhshrink()",
    "Softsign()", "Softmin(1)", "Softmax2d()", "LogSigmoid()", "Threshold(0.1, 20.0)",
    "CosineSimilarity(0)", "PairwiseDistance(1.0)",
]  # fmt: skip


@requires_torch
@pytest.mark.parametrize("code", MODULES)
def test_module_repr_and_state_match_torch(code: str) -> None:
    ours, theirs = eval("nn." + code, {"nn": nn}), eval("nn." + code, {"nn": torch.nn})
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for a, b in zip(ours.state_dict().values(), theirs.state_dict().values(), strict=True):
        assert_close(a, b)


@requires_torch
@pytest.mark.parametrize(
    "code", ["Softmax2d()", "PReLU(3)", "CosineSimilarity(0)", "PairwiseDistance(1.0)", "GLU(2)"]
)
def test_module_forward_matches_torch(code: str) -> None:
    rng = np.random.default_rng(0)
    ours = eval("nn." + code, {"nn": nn}).double()
    theirs = eval("nn." + code, {"nn": torch.nn}).double()
    two = "Distance" in code or "Similarity" in code
    xs = [rng.standard_normal((2, 3, 4)) for _ in range(2 if two else 1)]
    a = ours(*[ndgrad.tensor(x) for x in xs])
    b = theirs(*[torch.tensor(x) for x in xs])
    assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_rrelu_training_draws_slopes_in_range() -> None:
    x = ndgrad.full((2000,), -1.0, requires_grad=True)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    slopes = -y.detach().numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.03
    y.sum().backward()
    assert_close(x.grad, slopes)  # dy/dx is the drawn slope
    layer = nn.RReLU(0.1, 0.3).eval()
    assert_close(layer(-ndgrad.ones(3)), -0.2 * np.ones(3))


def test_gumbel_softmax() -> None:
    logits = ndgrad.tensor([[0.0, 2.0, -1.0]] * 400, dtype=ndgrad.float64, requires_grad=True)
    soft = F.gumbel_softmax(logits, tau=0.5)
    assert_close(soft.sum(-1), np.ones(400))
    hard = F.gumbel_softmax(logits, hard=True)
    h = hard.detach().numpy()
    assert set(np.unique(h)) == {0.0, 1.0} and np.all(h.sum(-1) == 1)
    freq = h.mean(0)  # Gumbel-max samples softmax(logits)
    p = np.exp([0.0, 2.0, -1.0]) / np.exp([0.0, 2.0, -1.0]).sum()
    assert np.all(np.abs(freq - p) < 0.08)
    (hard * ndgrad.tensor([1.0, 2.0, 3.0], dtype=ndgrad.float64)).sum().backward()
    assert logits.grad is not None and np.abs(logits.grad.numpy()).sum() > 0


@requires_torch
@pytest.mark.parametrize(
    "name, args",
    [("relu_", ()), ("elu_", (0.5,)), ("leaky_relu_", (0.2,)), ("hardtanh_", (-0.5, 0.5)),
     ("threshold_", (0.1, 7.0)), ("celu_", (0.5,)), ("selu_", ()), ("rrelu_", (0.1, 0.3))],
)  # fmt: skip
def test_inplace_forms_match_torch(name: str, args: tuple[float, ...]) -> None:
    x = np.random.default_rng(1).standard_normal((3, 4))
    a, b = ndgrad.tensor(x), torch.tensor(x)
    ra = getattr(F, name)(a, *args)
    rb = getattr(torch.nn.functional, name)(b, *args)
    assert ra is a
    assert_close(a, b, rtol=1e-12)
    assert_close(ra, rb, rtol=1e-12)
    # recorded: the input's history is rewritten, with PyTorch's node
    leaf_a = ndgrad.tensor(x, requires_grad=True)
    leaf_b = torch.tensor(x, requires_grad=True)
    ya, yb = leaf_a * 2, leaf_b * 2
    getattr(F, name)(ya, *args)
    getattr(torch.nn.functional, name)(yb, *args)
    assert ya.grad_fn.name() == yb.grad_fn.name()
    (ya * ya).sum().backward()
    (yb * yb).sum().backward()
    assert_close(leaf_a.grad, leaf_b.grad, rtol=1e-12)


ERRORS = [
    ("F.glu(T.zeros(2, 3))", RuntimeError,
     "Halving dimension must be even, but dimension 1 is size 3"),
    ("F.prelu(T.zeros(2, 3), T.zeros(2))", RuntimeError,
     "Mismatch of parameter numbers and input channel size. Found parameter numbers = 2 and "
     "channel size = 3."),
    ("F.pdist(T.zeros(2, 3, 4))", RuntimeError, "pdist only supports 2D tensors, got: 3D"),
    ("nn.Softmax2d()(T.zeros(2, 3))", ValueError,
     "Softmax2d: expected input to be 3D or 4D, got 2D instead"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "exc", "msg"), ERRORS)
def test_errors(code: str, exc: type[Exception], msg: str) -> None:
    with pytest.raises(exc, match=re.escape(msg)):
        eval(code, {"F": F, "nn": nn, "T": ndgrad})


@requires_torch
@pytest.mark.parametrize(("code", "exc", "msg"), ERRORS)
def test_error_texts_are_torchs(code: str, exc: type[Exception], msg: str) -> None:
    with pytest.raises(exc, match=re.escape(msg)):
        eval(code, {"F": torch.nn.functional, "nn": torch.nn, "T": torch})


LOSSES = [
    "MarginRankingLoss(0.5)", "HingeEmbeddingLoss()", "CosineEmbeddingLoss(0.1, reduction='sum')",
    "SoftMarginLoss()", "MultiLabelSoftMarginLoss()", "TripletMarginLoss(p=1.0, swap=True)",
    "TripletMarginWithDistanceLoss(margin=0.5)", "PoissonNLLLoss(log_input=False, full=True)",
    "GaussianNLLLoss(full=True)",
]  # fmt: skip


@requires_torch
@pytest.mark.parametrize("code", LOSSES)
def test_loss_modules_match_torch(code: str) -> None:
    ours, theirs = eval("nn." + code, {"nn": nn}), eval("nn." + code, {"nn": torch.nn})
    assert repr(ours) == repr(theirs)
    assert vars(ours).get("reduction") == vars(theirs).get("reduction")
    rng = np.random.default_rng(2)
    x, x2, x3 = (rng.uniform(0.2, 2.0, (4, 3)) for _ in range(3))
    sign = np.where(rng.random(4) < 0.5, -1.0, 1.0)
    if "Triplet" in code:
        args = [x, x2, x3]
    elif "Ranking" in code:
        args = [x[:, 0], x2[:, 0], sign]
    elif "Cosine" in code:
        args = [x, x2, sign]
    elif "Hinge" in code or code[:10] == "SoftMargin":
        args = [x, np.sign(x2 - 1.0)]
    elif "MultiLabel" in code:
        args = [x, (x2 > 1).astype(float)]
    elif "Gaussian" in code:
        args = [x, x2, x3]
    else:
        args = [x, x2]
    a = ours(*[ndgrad.tensor(v) for v in args])
    b = theirs(*[torch.tensor(v) for v in args])
    assert_close(a, b, rtol=1e-12)


@requires_torch
def test_tensor_methods_hardshrink_and_prelu_match_torch():
    x0 = np.array([[-1.2, -0.3, 0.2, 0.9], [0.5, -0.6, 1.5, -2.0]])
    results = []
    for lib in (ndgrad, torch):
        x = lib.tensor(x0, requires_grad=True)
        w = lib.tensor([0.25], dtype=lib.float64, requires_grad=True)
        outs = [x.hardshrink(), x.hardshrink(lambd=0.4), x.prelu(w)]
        sum(o.sum() for o in outs).backward()
        results.append(
            ([o.detach().numpy() for o in outs], [o.grad_fn.name() for o in outs], x.grad.numpy())
        )
    (nd_vals, nd_names, nd_grad), (th_vals, th_names, th_grad) = results
    assert nd_names == th_names
    for a, b in zip(nd_vals, th_vals, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(nd_grad, th_grad, rtol=1e-12)
