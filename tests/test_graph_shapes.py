"""Ops whose graph is PyTorch's: one node where PyTorch records one (addr, linalg.cross, dist,
cdist, masked_scatter, the select/slice/diagonal scatters, scatter_reduce), PyTorch's composition
where it composes (kron, tensordot, inner, trapezoid, cumulative_trapezoid, margin_ranking_loss,
cosine_similarity, cdist's _euclidean_dist path). For each: the value against numpy, gradcheck
and gradgradcheck in float64, and with torch the values, gradients and node structure (names
and next_functions, 6 levels deep) against PyTorch's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import gradcheck, gradgradcheck

from .helpers import assert_close, graph_structure, requires_torch, torch

_MASK = np.array([[True, False, True], [False, True, True]])
_INDEX = np.array([[0, 0, 2], [1, 1, 1]])
_MM = "use_mm_for_euclid_dist"


def _masked_scatter(x: np.ndarray, mask: np.ndarray, src: np.ndarray) -> np.ndarray:
    shape = np.broadcast_shapes(x.shape, mask.shape)
    out = np.broadcast_to(x, shape).copy()
    full = np.broadcast_to(mask, shape)
    out[full] = src.reshape(-1)[: full.sum()]
    return out


def _written(x: np.ndarray, key: tuple[Any, ...], src: np.ndarray) -> np.ndarray:
    out = x.copy()
    out[key] = src
    return out


def _diagonal_written(x: np.ndarray, src: np.ndarray, offset: int, d1: int, d2: int) -> np.ndarray:
    out = x.copy()
    moved = np.moveaxis(out, (d1, d2), (-2, -1))  # a view of out
    rows, cols = np.arange(moved.shape[-2]), np.arange(moved.shape[-1])
    i, j = np.nonzero(cols[None, :] - rows[:, None] == offset)
    moved[..., i, j] = src
    return out


def _scatter_reduce(
    x: np.ndarray, index: np.ndarray, src: np.ndarray, reduce: str, include_self: bool
) -> np.ndarray:
    """dim=1, by loops: each position's list of values, reduced."""
    out = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            vals = [src[i, k] for k in range(index.shape[1]) if index[i, k] == j]
            if not vals:
                continue
            vals = ([x[i, j]] if include_self else []) + vals
            out[i, j] = {"sum": np.sum, "mean": np.mean, "amax": np.max, "amin": np.min}[reduce](
                vals
            )
    return out


def _cosine(a: np.ndarray, b: np.ndarray, dim: int, eps: float = 1e-8) -> np.ndarray:
    na = np.maximum(np.linalg.norm(a, axis=dim, keepdims=True), eps)
    nb = np.maximum(np.linalg.norm(b, axis=dim, keepdims=True), eps)
    return ((a / na) * (b / nb)).sum(dim)


def _cdist(a: np.ndarray, b: np.ndarray, p: float = 2.0) -> np.ndarray:
    return np.linalg.norm(a[..., :, None, :] - b[..., None, :, :], ord=p, axis=-1)


# (id, op on a library L and tensors, (shape, requires grad) per tensor, numpy reference)
Case = tuple[str, Callable[..., Any], list[tuple[tuple[int, ...], bool]], Callable[..., Any]]
CASES: list[Case] = [
    (
        "addr",
        lambda L, c, a, b: L.addr(c, a, b, beta=2, alpha=3),
        [((3, 1), True), ((3,), True), ((2,), True)],  # input broadcast to the product
        lambda c, a, b: 2 * c + 3 * np.outer(a, b),
    ),
    (
        "addr_beta0",
        lambda L, c, a, b: L.addr(c, a, b, beta=0),
        [((3, 2), True), ((3,), True), ((2,), False)],
        lambda c, a, b: np.outer(a, b),
    ),
    ("kron", lambda L, a, b: L.kron(a, b), [((2, 3), True), ((3,), True)], np.kron),
    ("kron_3d", lambda L, a, b: L.kron(a, b), [((2, 1, 3), True), ((2, 2), True)], np.kron),
    (
        "tensordot_int",
        lambda L, a, b: L.tensordot(a, b, 2),
        [((2, 3, 4), True), ((3, 4, 5), True)],
        lambda a, b: np.tensordot(a, b, 2),
    ),
    (
        "tensordot_lists",
        lambda L, a, b: L.tensordot(a, b, ([1, 2], [1, 0])),
        [((2, 3, 4), True), ((4, 3, 5), True)],
        lambda a, b: np.tensordot(a, b, ([1, 2], [1, 0])),
    ),
    (
        "tensordot_size1",  # a contracted dim of size 1 against 3: summed first
        lambda L, a, b: L.tensordot(a, b, ([1], [0])),
        [((2, 1), True), ((3, 5), True)],
        lambda a, b: a.sum(1, keepdims=True) @ b.sum(0, keepdims=True),
    ),
    (
        "tensordot_full",  # every dim contracted: dot
        lambda L, a, b: L.tensordot(a, b, 2),
        [((3, 4), True), ((3, 4), True)],
        lambda a, b: np.tensordot(a, b, 2),
    ),
    (
        "tensordot_outer",
        lambda L, a, b: L.tensordot(a, b, 0),
        [((2,), True), ((3,), True)],
        lambda a, b: np.tensordot(a, b, 0),
    ),
    ("inner", lambda L, a, b: L.inner(a, b), [((2, 3), True), ((4, 3), True)], np.inner),
    (
        "trapezoid_dx",
        lambda L, y: L.trapezoid(y, dx=0.5, dim=0),
        [((3, 4), True)],
        lambda y: np.trapezoid(y, dx=0.5, axis=0),
    ),
    (
        "trapezoid_x",
        lambda L, y, x: L.trapezoid(y, x),
        [((2, 4), True), ((4,), True)],
        lambda y, x: np.trapezoid(y, x, axis=-1),
    ),
    (
        "trapezoid_x_broadcast",
        lambda L, y, x: L.trapezoid(y, x, dim=1),
        [((3, 4, 2), True), ((4, 2), True)],
        lambda y, x: np.trapezoid(y, x[None], axis=1),
    ),
    (
        "cumulative_trapezoid",
        lambda L, y: L.cumulative_trapezoid(y, dx=2.0, dim=0),
        [((3, 4), True)],
        lambda y: np.cumsum((y[1:] + y[:-1]) / 2 * 2.0, axis=0),
    ),
    (
        "cumulative_trapezoid_x",
        lambda L, y, x: L.cumulative_trapezoid(y, x),
        [((2, 4), True), ((4,), True)],
        lambda y, x: np.cumsum((y[:, 1:] + y[:, :-1]) / 2 * np.diff(x), axis=-1),
    ),
    (
        "margin_ranking_loss",
        lambda L, a, b, t: L.nn.functional.margin_ranking_loss(
            a, b, t, margin=0.5, reduction="sum"
        ),
        [((5,), True), ((5,), True), ((5,), True)],
        lambda a, b, t: np.maximum(0, -t * (a - b) + 0.5).sum(),
    ),
    (
        "linalg_cross",
        lambda L, a, b: L.linalg.cross(a, b),
        [((2, 3), True), ((1, 3), True)],  # broadcast
        lambda a, b: np.cross(a, b),
    ),
    (
        "cross_dim",
        lambda L, a, b: L.cross(a, b, dim=0),
        [((3, 2), True), ((3, 2), True)],
        lambda a, b: np.cross(a, b, axis=0),
    ),
    *[
        (
            f"dist_p{p}",
            lambda L, a, b, p=p: L.dist(a, b, p),
            [((2, 3), True), ((3,), True)],  # broadcast
            lambda a, b, p=p: np.linalg.norm((a - b).ravel(), ord=p),
        )
        for p in (2, 1, 3, float("inf"))
    ],
    *[
        (
            f"cdist_p{p}",
            lambda L, a, b, p=p: L.cdist(a, b, p=p),
            [((2, 3, 2), True), ((4, 2), True)],  # a batch against a matrix
            lambda a, b, p=p: _cdist(a, b, p),
        )
        for p in (2, 1, 3, float("inf"))
    ],
    (
        "cdist_many_rows",  # p=2 with over 25 rows: PyTorch's _euclidean_dist
        lambda L, a, b: L.cdist(a, b),
        [((30, 2), True), ((4, 2), True)],
        _cdist,
    ),
    (
        "cdist_mm_batch",
        lambda L, a, b: L.cdist(a, b, compute_mode=_MM),
        [((2, 3, 2), True), ((1, 4, 2), True)],
        _cdist,
    ),
    (
        "masked_scatter",
        lambda L, x, s: x.masked_scatter(L.tensor(_MASK), s),
        [((3,), True), ((5,), True)],  # x broadcast to the mask's shape
        lambda x, s: _masked_scatter(x, _MASK, s),
    ),
    (
        "masked_scatter_long_source",
        lambda L, x, s: x.masked_scatter(L.tensor(_MASK), s),
        [((2, 3), True), ((2, 4), True)],  # more source than the mask takes
        lambda x, s: _masked_scatter(x, _MASK, s),
    ),
    (
        "select_scatter",
        lambda L, x, s: L.select_scatter(x, s, 1, -1),
        [((3, 4), True), ((3,), True)],
        lambda x, s: _written(x, (slice(None), -1), s),
    ),
    (
        "slice_scatter",
        lambda L, x, s: L.slice_scatter(x, s, 1, 0, 4, 2),
        [((3, 4), True), ((3, 2), True)],
        lambda x, s: _written(x, (slice(None), slice(0, 4, 2)), s),
    ),
    (
        "diagonal_scatter",
        lambda L, x, s: L.diagonal_scatter(x, s, 1),
        [((3, 4), True), ((3,), True)],
        lambda x, s: _diagonal_written(x, s, 1, 0, 1),
    ),
    (
        "diagonal_scatter_dims",
        lambda L, x, s: L.diagonal_scatter(x, s, -1, 2, 0),
        [((3, 2, 4), True), ((2, 3), True)],
        lambda x, s: _diagonal_written(x, s, -1, 2, 0),
    ),
    *[
        (
            f"scatter_reduce_{reduce}_{'self' if include_self else 'noself'}",
            lambda L, x, s, reduce=reduce, include_self=include_self: x.scatter_reduce(
                1, L.tensor(_INDEX), s, reduce, include_self=include_self
            ),
            [((2, 3), True), ((2, 3), True)],
            lambda x, s, reduce=reduce, include_self=include_self: _scatter_reduce(
                x, _INDEX, s, reduce, include_self
            ),
        )
        for reduce in ("sum", "mean", "amax", "amin")
        for include_self in (True, False)
    ],
    (
        "cosine_similarity",
        lambda L, a, b: L.nn.functional.cosine_similarity(a, b),
        [((3, 4), True), ((3, 4), True)],
        lambda a, b: _cosine(a, b, 1),
    ),
    (
        "cosine_similarity_broadcast",
        lambda L, a, b: L.nn.functional.cosine_similarity(a, b, dim=-1),
        [((2, 3), True), ((3,), True)],
        lambda a, b: _cosine(a, b, -1),
    ),
]
_IDS = [c[0] for c in CASES]

# Compared less deep: ndgrad's reshape of a tensor no view can give (b permuted here) records one
# UnsafeViewBackward0 where PyTorch's records UnsafeViewBackward0(CloneBackward0); reshape's own
# graph, not tensordot's.
_SHALLOW = {"tensordot_lists": 2}


def _arrays(shapes: list[tuple[tuple[int, ...], bool]]) -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    return [rng.standard_normal(shape) for shape, _ in shapes]


def _tensors(L: Any, shapes: list[tuple[tuple[int, ...], bool]]) -> list[Any]:
    return [
        L.tensor(a, requires_grad=grad)
        for a, (_, grad) in zip(_arrays(shapes), shapes, strict=True)
    ]


@pytest.mark.parametrize(("name", "op", "shapes", "ref"), CASES, ids=_IDS)
def test_value_matches_numpy(name: str, op: Any, shapes: Any, ref: Any) -> None:
    out = op(ndgrad, *_tensors(ndgrad, shapes))
    assert_close(out, ref(*_arrays(shapes)), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("name", "op", "shapes", "ref"), CASES, ids=_IDS)
def test_gradcheck(name: str, op: Any, shapes: Any, ref: Any) -> None:
    inputs = tuple(_tensors(ndgrad, shapes))
    assert gradcheck(lambda *xs: op(ndgrad, *xs), inputs)


@pytest.mark.parametrize(("name", "op", "shapes", "ref"), CASES, ids=_IDS)
def test_gradgradcheck(name: str, op: Any, shapes: Any, ref: Any) -> None:
    inputs = tuple(_tensors(ndgrad, shapes))
    assert gradgradcheck(lambda *xs: op(ndgrad, *xs), inputs)


@requires_torch
@pytest.mark.parametrize(("name", "op", "shapes", "ref"), CASES, ids=_IDS)
def test_values_gradients_and_graph_match_pytorch(
    name: str, op: Any, shapes: Any, ref: Any
) -> None:
    ours, theirs = _tensors(ndgrad, shapes), _tensors(torch, shapes)
    out, expected = op(ndgrad, *ours), op(torch, *theirs)
    depth = _SHALLOW.get(name, 6)
    assert graph_structure(out.grad_fn, depth) == graph_structure(expected.grad_fn, depth)
    assert_close(out, expected, rtol=1e-10, atol=1e-12)
    weights = np.random.default_rng(1).standard_normal(tuple(expected.shape))
    (out * ndgrad.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    for a, b, (_, grad) in zip(ours, theirs, shapes, strict=True):
        if grad:
            assert_close(a.grad, b.grad, rtol=1e-9, atol=1e-11)


def test_cosine_similarity_gradient_passes_through_a_norm_below_eps() -> None:
    """PyTorch clamps a clone of each norm under no_grad: a row whose norm is below eps still
    gets the norm's gradient (a clamp would give it none)."""
    x = ndgrad.tensor([[1e-9, 0.0, 0.0], [1.0, 2.0, 3.0]], dtype=ndgrad.float64, requires_grad=True)
    y = ndgrad.tensor([[1.0, 1.0, 0.0], [1.0, 0.0, 3.0]], dtype=ndgrad.float64)
    ndgrad.nn.functional.cosine_similarity(x, y).sum().backward()
    # f = (x·y) / (n1 ‖y‖) with n1 = max(‖x‖, eps) = eps, whose gradient is ‖x‖'s, x/‖x‖ = e0:
    # df/dx = y / (eps ‖y‖) - (x·y) / (eps² ‖y‖) e0
    eps, n_y = 1e-8, np.sqrt(2.0)
    row = np.array([1.0, 1.0, 0.0]) / (eps * n_y) - 1e-9 / (eps**2 * n_y) * np.array([1.0, 0, 0])
    assert_close(x.grad[0], row, rtol=1e-9, atol=1e-6)


def test_errors_are_pytorchs() -> None:
    a = ndgrad.arange(3)
    with pytest.raises(RuntimeError, match=r"norm\(\): input dtype should be either floating"):
        ndgrad.dist(a, a)
    with pytest.raises(RuntimeError, match="expected common dtype to be floating point"):
        ndgrad.nn.functional.cosine_similarity(a, a, dim=0)
    with pytest.raises(RuntimeError, match="addr: Expected 1-D argument vec1, but got 2-D"):
        ndgrad.addr(ndgrad.zeros(3, 3), ndgrad.zeros(3, 1), ndgrad.zeros(3))
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times in the list of dims"):
        ndgrad.tensordot(ndgrad.ones(3, 3), ndgrad.ones(3, 3), ([0, 0], [0, 1]))
    with pytest.raises(ValueError, match="bad is not a valid value for compute_mode"):
        ndgrad.cdist(ndgrad.ones(2, 3), ndgrad.ones(2, 3), compute_mode="bad")
    with pytest.raises(RuntimeError, match="slice step must be positive"):
        ndgrad.slice_scatter(ndgrad.zeros(3, 4), ndgrad.ones(3, 2), 1, 0, 4, 0)
