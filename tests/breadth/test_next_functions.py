"""``grad_fn.next_functions`` has PyTorch's structure: one entry per input that PyTorch's node
lists (a number wrapped as a tensor included, a mask, condition or index left out), ``(None, 0)``
for an input that needs no gradient, the same node names, compared recursively to depth 3."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad

from ..helpers import graph_structure, requires_torch, torch


def _inputs(T: Any) -> dict[str, Any]:
    """The same values in ``T`` (ndgrad or torch): x, m, b require grad; y, z, w do not."""
    rng = np.random.default_rng(0)

    def t(shape: tuple[int, ...], grad: bool) -> Any:
        return T.tensor(rng.standard_normal(shape), requires_grad=grad)

    return {
        "x": t((3,), True),
        "y": t((3,), False),
        "m": t((3, 3), True),
        "w": t((3, 3), False),
        "b": t((2, 3, 3), True),
        "z": t((2, 3, 3), False),
        "img": t((1, 2, 4, 4), True),
        "ker": t((3, 2, 2, 2), True),
        "i": T.tensor([0, 2]),
        "tgt": T.tensor([0, 1, 2]),
        "p": T.tensor([0.2, 0.5, 0.9], dtype=T.float64),
    }


CASES: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    # numbers wrapped as tensors by PyTorch's binding: listed as (None, 0)
    "x + 2": lambda T, v: v["x"] + 2,
    "2 + x": lambda T, v: 2 + v["x"],
    "x + y": lambda T, v: v["x"] + v["y"],
    "y + x": lambda T, v: v["y"] + v["x"],
    "x * 2": lambda T, v: v["x"] * 2,
    "2 * x": lambda T, v: 2 * v["x"],
    "x - 2": lambda T, v: v["x"] - 2,
    "2 - x": lambda T, v: 2 - v["x"],
    "y - x": lambda T, v: v["y"] - v["x"],
    "x / 2": lambda T, v: v["x"] / 2,
    "2 / x": lambda T, v: 2 / v["x"],
    "y / x": lambda T, v: v["y"] / v["x"],
    "x ** 2": lambda T, v: v["x"] ** 2,
    "2 ** x": lambda T, v: 2 ** v["x"],
    "x ** y": lambda T, v: v["x"].exp() ** v["y"],
    "add alpha": lambda T, v: T.add(v["x"], 2, alpha=3),
    "add tensor alpha": lambda T, v: T.add(v["y"], v["x"], alpha=3),
    "sub alpha": lambda T, v: T.sub(v["x"], v["y"], alpha=2),
    "rsub number": lambda T, v: T.rsub(v["x"], 2),
    "rsub tensor": lambda T, v: T.rsub(v["x"], v["y"]),
    "rsub tensor 2": lambda T, v: T.rsub(v["y"], v["x"]),
    "div floor": lambda T, v: T.div(v["x"], 2, rounding_mode="floor"),
    "div trunc tensor": lambda T, v: T.div(v["x"], v["y"], rounding_mode="trunc"),
    "mul bool": lambda T, v: v["x"] * (v["y"] > 0),
    "neg": lambda T, v: -v["x"],
    "atan2": lambda T, v: T.atan2(v["x"], v["y"]),
    "fmod number": lambda T, v: T.fmod(v["x"], 2),
    "fmod tensor": lambda T, v: T.fmod(v["x"], v["y"]),
    "remainder number": lambda T, v: T.remainder(v["x"], 2),
    "copysign number": lambda T, v: T.copysign(v["x"], 2),
    "maximum": lambda T, v: T.maximum(v["x"], v["y"]),
    "minimum": lambda T, v: T.minimum(v["y"], v["x"]),
    "hypot": lambda T, v: T.hypot(v["x"], v["y"]),
    "xlogy": lambda T, v: T.xlogy(v["y"], v["x"]),
    "lerp number": lambda T, v: T.lerp(v["x"], v["y"], 0.5),
    "lerp tensor": lambda T, v: T.lerp(v["y"], v["x"], v["y"]),
    "addcmul": lambda T, v: T.addcmul(v["y"], v["x"], v["y"], value=2),
    "addcdiv": lambda T, v: T.addcdiv(v["x"], v["y"], v["y"].exp()),
    "clamp numbers": lambda T, v: v["x"].clamp(0, 1),
    "clamp min tensor": lambda T, v: T.clamp(v["x"], v["y"]),
    "clamp both tensors": lambda T, v: T.clamp(v["x"], v["y"], v["y"] + 1),
    "where": lambda T, v: T.where(v["y"] > 0, v["x"], v["y"]),
    "where number other": lambda T, v: T.where(v["y"] > 0, v["x"], 0.0),
    "where number self": lambda T, v: T.where(v["y"] > 0, 1.0, v["x"]),
    "masked_fill number": lambda T, v: v["x"].masked_fill(v["y"] > 0, 1.0),
    "masked_fill tensor": lambda T, v: v["x"].masked_fill(v["y"] > 0, T.tensor(1.0)),
    # matrix products
    "mv": lambda T, v: v["m"] @ v["y"],
    "mm": lambda T, v: T.mm(v["m"], v["w"]),
    "mm no-grad first": lambda T, v: T.mm(v["w"], v["m"]),
    "bmm": lambda T, v: T.bmm(v["b"], v["z"]),
    "dot": lambda T, v: T.dot(v["x"], v["y"]),
    "addmm": lambda T, v: T.addmm(v["y"], v["m"], v["w"]),
    "outer": lambda T, v: T.outer(v["y"], v["x"]),
    # joins and selections
    "cat": lambda T, v: T.cat([v["x"], v["y"], v["x"]]),
    "stack": lambda T, v: T.stack([v["y"], v["x"]]),
    "index tensor": lambda T, v: v["x"][v["i"]],
    "index mask": lambda T, v: v["x"][v["y"] > 0],
    "index_select": lambda T, v: T.index_select(v["x"], 0, v["i"]),
    "gather": lambda T, v: T.gather(v["x"], 0, v["i"]),
    "index_add": lambda T, v: v["y"].index_add(0, v["i"], v["x"][:2]),
    "scatter": lambda T, v: v["y"].scatter(0, v["i"], v["x"][:2]),
    "scatter_add": lambda T, v: v["y"].scatter_add(0, v["i"], v["x"][:2]),
    "take_along_dim": lambda T, v: T.take_along_dim(v["x"], v["i"]),
    "sum of product": lambda T, v: (v["x"] * v["y"]).sum(),
    "mean dim": lambda T, v: v["m"].mean(0),
    "softmax": lambda T, v: T.softmax(v["m"], 1),
    # losses and layers
    "mse_loss": lambda T, v: T.nn.functional.mse_loss(v["x"], v["y"]),
    "mse_loss target": lambda T, v: T.nn.functional.mse_loss(v["y"], v["x"]),
    "l1_loss": lambda T, v: T.nn.functional.l1_loss(v["x"], v["y"]),
    "smooth_l1_loss": lambda T, v: T.nn.functional.smooth_l1_loss(v["x"], v["y"]),
    "cross_entropy": lambda T, v: T.nn.functional.cross_entropy(v["m"], v["tgt"]),
    "nll_loss": lambda T, v: T.nn.functional.nll_loss(v["m"], v["tgt"]),
    "bce": lambda T, v: T.nn.functional.binary_cross_entropy(T.sigmoid(v["x"]), v["p"]),
    "bce weight": lambda T, v: T.nn.functional.binary_cross_entropy(
        T.sigmoid(v["x"]), v["p"], weight=v["p"]
    ),
    "bce_with_logits": lambda T, v: T.nn.functional.binary_cross_entropy_with_logits(
        v["x"], v["p"]
    ),
    "linear": lambda T, v: T.nn.functional.linear(v["m"], v["m"], v["y"]),
    "linear no bias": lambda T, v: T.nn.functional.linear(v["m"], v["w"]),
    "conv2d": lambda T, v: T.nn.functional.conv2d(v["img"], v["ker"]),
    "conv2d bias": lambda T, v: T.nn.functional.conv2d(v["img"], v["ker"], v["y"]),
    "conv1d": lambda T, v: T.nn.functional.conv1d(v["b"], v["z"]),
    # more pointwise, reductions and shapes
    "clamp_min tensor": lambda T, v: T.clamp_min(v["x"], v["y"]),
    "clamp_max tensor": lambda T, v: T.clamp_max(v["x"], v["y"]),
    "clamp max only": lambda T, v: T.clamp(v["x"], max=v["y"]),
    "float_power": lambda T, v: T.float_power(v["x"].exp(), 2),
    "true_divide": lambda T, v: T.true_divide(v["x"], 2),
    "fmax": lambda T, v: T.fmax(v["x"], v["y"]),
    "logaddexp": lambda T, v: T.logaddexp(v["x"], v["y"]),
    "addmv": lambda T, v: T.addmv(v["y"], v["m"], v["y"]),
    "addr": lambda T, v: T.addr(v["w"], v["x"], v["y"]),
    "baddbmm": lambda T, v: T.baddbmm(v["z"], v["b"], v["z"]),
    "einsum": lambda T, v: T.einsum("ij,j->i", v["m"], v["y"]),
    "cross": lambda T, v: T.linalg.cross(v["x"], v["y"]),
    "cdist": lambda T, v: T.cdist(v["m"], v["w"]),
    "kron": lambda T, v: T.kron(v["x"], v["y"]),
    "tensordot": lambda T, v: T.tensordot(v["m"], v["w"], dims=1),
    "logsumexp": lambda T, v: T.logsumexp(v["m"], 1),
    "log_softmax": lambda T, v: T.log_softmax(v["m"], 1),
    "norm": lambda T, v: T.linalg.vector_norm(v["x"]),
    "var": lambda T, v: v["m"].var(0),
    "max dim": lambda T, v: v["m"].max(0)[0],
    "sort": lambda T, v: v["x"].sort()[0],
    "topk": lambda T, v: v["x"].topk(2)[0],
    "cumsum": lambda T, v: v["x"].cumsum(0),
    "expand": lambda T, v: v["x"].expand(2, 3),
    "repeat": lambda T, v: v["x"].repeat(2),
    "permute": lambda T, v: v["m"].permute(1, 0),
    "masked_scatter": lambda T, v: v["y"].masked_scatter(v["y"] > 0, v["x"]),
    "index_fill": lambda T, v: v["x"].index_fill(0, v["i"], 1.0),
    "index_put": lambda T, v: v["y"].index_put((v["i"],), v["x"][:2]),
    "scatter_reduce": lambda T, v: v["y"].scatter_reduce(0, v["i"], v["x"][:2], "amax"),
    "take": lambda T, v: T.take(v["m"], v["i"]),
    "diagonal_scatter": lambda T, v: T.diagonal_scatter(v["w"], v["x"]),
    "select_scatter": lambda T, v: T.select_scatter(v["w"], v["x"], 0, 0),
    "nan_to_num": lambda T, v: T.nan_to_num(v["x"]),
    "trapezoid": lambda T, v: T.trapezoid(v["x"]),
    "dist": lambda T, v: T.dist(v["x"], v["y"]),
    # layers and losses
    "layer_norm": lambda T, v: T.nn.functional.layer_norm(v["m"], (3,), v["x"], v["y"]),
    "group_norm": lambda T, v: T.nn.functional.group_norm(v["img"], 2),
    "batch_norm": lambda T, v: T.nn.functional.batch_norm(
        v["m"], T.zeros(3, dtype=T.float64), T.ones(3, dtype=T.float64), v["x"], None, True
    ),
    "embedding": lambda T, v: T.nn.functional.embedding(v["tgt"], v["m"]),
    "dropout eval": lambda T, v: T.nn.functional.dropout(v["x"], 0.5, False),
    "max_pool2d": lambda T, v: T.nn.functional.max_pool2d(v["img"], 2),
    "avg_pool2d": lambda T, v: T.nn.functional.avg_pool2d(v["img"], 2),
    "pad": lambda T, v: T.nn.functional.pad(v["m"], (1, 1)),
    "gelu": lambda T, v: T.nn.functional.gelu(v["x"]),
    "leaky_relu": lambda T, v: T.nn.functional.leaky_relu(v["x"], 0.1),
    "hardtanh": lambda T, v: T.nn.functional.hardtanh(v["x"]),
    "prelu": lambda T, v: T.nn.functional.prelu(v["x"], v["p"][:1]),
    "huber_loss": lambda T, v: T.nn.functional.huber_loss(v["x"], v["y"]),
    "kl_div": lambda T, v: T.nn.functional.kl_div(v["x"], v["p"], reduction="sum"),
    "cosine_similarity": lambda T, v: T.nn.functional.cosine_similarity(v["m"], v["w"]),
    "cross_entropy weight": lambda T, v: T.nn.functional.cross_entropy(
        v["m"], v["tgt"], weight=v["p"]
    ),
    "cross_entropy probs": lambda T, v: T.nn.functional.cross_entropy(v["m"], v["w"].softmax(1)),
    "bce_with_logits pos_weight": lambda T, v: T.nn.functional.binary_cross_entropy_with_logits(
        v["x"], v["p"], pos_weight=v["p"]
    ),
    "margin_ranking_loss": lambda T, v: T.nn.functional.margin_ranking_loss(
        v["x"], v["y"], v["p"].sign()
    ),
    "soft_margin_loss": lambda T, v: T.nn.functional.soft_margin_loss(v["x"], v["y"].sign()),
    "poisson_nll_loss": lambda T, v: T.nn.functional.poisson_nll_loss(v["x"], v["p"]),
    "gaussian_nll_loss": lambda T, v: T.nn.functional.gaussian_nll_loss(v["x"], v["y"], v["p"]),
    "matmul vector matrix": lambda T, v: v["y"] @ v["m"],
    "matmul batched": lambda T, v: v["b"] @ v["w"],
    "setitem": lambda T, v: _setitem(v["x"] * 1, v["y"]),
}


def _setitem(t: Any, value: Any) -> Any:
    t[1:] = value[:2]
    return t


# Where ndgrad records a different composition of nodes than PyTorch (its own fused node, or
# PyTorch's decomposition into several): the node names differ, not just the listing.
KNOWN_DIFFERENT = {
    "einsum": "PyTorch decomposes einsum into bmm and views",
}


@requires_torch
@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(reason=KNOWN_DIFFERENT[n], strict=True))
        if n in KNOWN_DIFFERENT
        else n
        for n in CASES
    ],
)
def test_next_functions_structure_matches_pytorch(name: str) -> None:
    case = CASES[name]
    expected = graph_structure(case(torch, _inputs(torch)).grad_fn, 3)
    actual = graph_structure(case(ndgrad, _inputs(ndgrad)).grad_fn, 3)
    assert actual == expected


def test_next_functions_lists_numbers_and_missing_inputs() -> None:
    """Without torch: the (None, 0) entries of PyTorch's listing."""
    x = ndgrad.randn(3, requires_grad=True)
    y = ndgrad.randn(3)
    nf = (x + 2).grad_fn.next_functions
    assert len(nf) == 2 and type(nf[0][0]).__name__ == "AccumulateGrad" and nf[1] == (None, 0)
    assert ndgrad.where(y > 0, x, 0.0).grad_fn.next_functions[1] == (None, 0)
    assert len(x.masked_fill(y > 0, 1.0).grad_fn.next_functions) == 1
    assert ndgrad.clamp(x, y).grad_fn.next_functions[1:] == ((None, 0), (None, 0))
    assert type(ndgrad.rsub(x, y).grad_fn).__name__ == "RsubBackward0"
    assert type(ndgrad.rsub(x, 2).grad_fn).__name__ == "RsubBackward1"
