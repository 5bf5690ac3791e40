"""Sorting, selection, counting and searching against PyTorch: what a differential run of
3,000 random calls (24 ops, random shapes with empty dims, six dtypes, nan/inf/-0.0, their
arguments) found, each case failing before its fix.

Each program runs under ndgrad and, where it is installed, under PyTorch; the by-hand tests check
the expected outcome without PyTorch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, torch
from .programs import assert_same, run

_PROGRAMS: dict[str, Callable[[Any], Any]] = {
    # nonzero's (n, ndim) result is laid out one dim after another: strides (1, n)
    "nonzero layout": lambda lib: lib.nonzero(lib.tensor([0.0, -3, 1, -2, 3])).stride(),
    # unique and unique_consecutive along a dim: the slices one after another in memory
    "unique along dim 1": lambda lib: [
        (t.tolist(), t.stride())
        for t in lib.unique(lib.arange(24.0).reshape(2, 3, 4) % 5, dim=2, return_counts=True)
    ],
    "unique_consecutive along the last dim": lambda lib: lib.unique_consecutive(
        lib.tensor([[3.0], [1.0], [0.0]]), dim=-1
    ).stride(),
    # descending sort: the indices in a new array (ndgrad's had stride -1)
    "sort descending": lambda lib: [
        t.stride() for t in lib.sort(lib.tensor([1, 1, 3, -1], dtype=lib.int16), descending=True)
    ],
    "argsort of one element": lambda lib: lib.argsort(lib.tensor([1.0]), descending=True).stride(),
    # bool inputs PyTorch's kernels refuse
    "isin of bool": lambda lib: lib.isin(lib.tensor([1, 2]), lib.tensor([True])),
    "searchsorted of bools": lambda lib: lib.searchsorted(
        lib.tensor([False, True]), lib.tensor([True])
    ),
    "searchsorted of no bools": lambda lib: tuple(
        lib.searchsorted(lib.tensor([False, True]), lib.ones(0, 3, dtype=lib.bool)).shape
    ),
    "bucketize of bools": lambda lib: lib.bucketize(lib.tensor([True]), lib.tensor([False, True])),
    "bincount of a 2-d bool": lambda lib: lib.bincount(lib.ones(2, 2, dtype=lib.bool)),
    "histc of bool": lambda lib: lib.histc(lib.ones(2, dtype=lib.bool)),
    "topk of bool": lambda lib: lib.topk(lib.ones(2, dtype=lib.bool), 0),
    # histogram: PyTorch's range checks and bin edges
    "histogram with an inf": lambda lib: lib.histogram(lib.tensor([math.inf, -1.0, 2.0]), 3),
    "histogram with a nan": lambda lib: lib.histogram(lib.tensor([1.0, math.nan]), 3),
    "histogram of a reversed range": lambda lib: lib.histogram(
        lib.tensor([1.0, 2]), 3, range=(2.0, 1.0)
    ),
    "histogram of one value": lambda lib: lib.histogram(lib.tensor([-0.0], dtype=lib.float64), 3),
    "histogram of int": lambda lib: lib.histogram(lib.tensor([1, 2]), 3),
    "histogram, int input, float edges": lambda lib: lib.histogram(
        lib.tensor([1, 2]), lib.tensor([0.0, 1, 2])
    ),
}


@pytest.mark.parametrize("name", list(_PROGRAMS))
@requires_torch
def test_as_torch(name: str) -> None:
    assert_same(run(_PROGRAMS[name], ndgrad), run(_PROGRAMS[name], torch), rtol=0, atol=0)


_ERRORS = {
    "isin of bool": (RuntimeError, "Unsupported input type encountered for isin(): Bool"),
    "searchsorted of bools": (
        NotImplementedError,
        "\"searchsorted_out_cpu\" not implemented for 'Bool'",
    ),
    "bucketize of bools": (
        NotImplementedError,
        "\"searchsorted_out_cpu\" not implemented for 'Bool'",
    ),
    "bincount of a 2-d bool": (NotImplementedError, "\"bincount_cpu\" not implemented for 'Bool'"),
    "histc of bool": (NotImplementedError, "\"linspace_cpu\" not implemented for 'Bool'"),
    "topk of bool": (RuntimeError, "topk does not support bool dtypes on CPU"),
    "histogram with an inf": (
        RuntimeError,
        "torch.histogramdd: dimension 0's range [-1, inf] is not finite",
    ),
    "histogram with a nan": (
        RuntimeError,
        "torch.histogramdd: dimension 0's range [nan, nan] is not finite",
    ),
    "histogram of a reversed range": (
        RuntimeError,
        "torch.histogramdd: min should not exceed max, but got min 2 max 1 for dimension 0",
    ),
    "histogram of int": (NotImplementedError, "\"histogramdd\" not implemented for 'Long'"),
    "histogram, int input, float edges": (
        RuntimeError,
        "torch.histogramdd: input tensor and bins tensors should have the same dtype, but got "
        "input with dtype long int and bins for dimension 0 with dtype float",
    ),
}


@pytest.mark.parametrize("name", list(_ERRORS))
def test_errors_by_hand(name: str) -> None:
    error, message = _ERRORS[name]
    with pytest.raises(error) as info:
        _PROGRAMS[name](ndgrad)
    assert str(info.value) == message


def test_layouts_by_hand() -> None:
    assert _PROGRAMS["nonzero layout"](ndgrad) == (1, 4)
    assert _PROGRAMS["unique_consecutive along the last dim"](ndgrad) == (1, 3)
    assert _PROGRAMS["sort descending"](ndgrad) == [(1,), (1,)]
    assert _PROGRAMS["argsort of one element"](ndgrad) == (1,)
    values, _ = _PROGRAMS["unique along dim 1"](ndgrad)
    assert values[1] == (3, 1, 6)
    assert _PROGRAMS["searchsorted of no bools"](ndgrad) == (0, 3)


# --- topk: PyTorch's selection order among ties, and sorted=False --------------------------------


def _topk(seed: int) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        rng = np.random.default_rng(seed)
        out = []
        for _ in range(40):
            shape = tuple(int(n) for n in rng.integers(1, 9, rng.integers(1, 4)))
            x = rng.integers(0, 4, shape).astype(rng.choice(["float64", "float32", "int64"]))
            if x.dtype.kind == "f" and rng.random() < 0.3:
                x.flat[rng.integers(0, x.size, 2)] = np.nan
            dim = int(rng.integers(-len(shape), len(shape)))
            k = int(rng.integers(0, shape[dim] + 1))
            largest, ordered = bool(rng.integers(2)), bool(rng.integers(2))
            r = lib.topk(lib.tensor(x), k, dim, largest, ordered)
            out.append((r.values.nan_to_num(99.0).tolist(), r.indices.tolist()))
        return out

    return program


@pytest.mark.parametrize("seed", range(5))
@requires_torch
def test_topk_as_torch(seed: int) -> None:
    # std::nth_element is not stable, and sorted=False leaves its order: ndgrad gave the stable
    # order (3,000 random calls now agree)
    program = _topk(seed)
    assert_same(run(program, ndgrad), run(program, torch))


def test_topk_by_hand() -> None:
    r = ndgrad.topk(ndgrad.tensor([1.0, 2, -3, 2, 0, 2, -1]), 2)
    assert r.indices.tolist() == [1, 5]  # (not the stable [1, 3])
    assert r.values.is_contiguous() and r.indices.is_contiguous()
    r = ndgrad.topk(ndgrad.tensor([[3.0, -3.0], [3.0, 1.0], [3.0, -2.0]]), 3, 0)
    assert r.indices.tolist() == [[0, 1], [1, 2], [2, 0]] and r.indices.stride() == (2, 1)


# --- histogram: PyTorch's edges (its linspace) and bins (position, then one edge check) ------


def _histogram(seed: int) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        rng = np.random.default_rng(seed)
        out = []
        for _ in range(30):
            x = rng.normal(size=int(rng.integers(0, 40))).round(int(rng.integers(0, 3)))
            dt = lib.float32 if rng.random() < 0.5 else lib.float64
            bins = int(rng.integers(1, 12))
            kwargs: dict[str, Any] = {}
            if rng.random() < 0.3:
                kwargs["range"] = (-1.0, float(rng.choice([0.0, 0.7, 2.0])))
            if rng.random() < 0.3:
                kwargs["density"] = True
            if rng.random() < 0.3:
                kwargs["weight"] = lib.tensor(rng.random(x.size), dtype=dt)
            r = lib.histogram(lib.tensor(x, dtype=dt), bins, **kwargs)
            out.append((r.hist, r.bin_edges))
        return out

    return program


@pytest.mark.parametrize("seed", range(4))
@requires_torch
def test_histogram_as_torch(seed: int) -> None:
    # numpy's linspace edges differed from PyTorch's in the last bit (and the bins with them)
    program = _histogram(seed)
    assert_same(run(program, ndgrad), run(program, torch), rtol=1e-6, atol=0)


def test_histogram_by_hand() -> None:
    hist, edges = _PROGRAMS["histogram of one value"](ndgrad)
    # PyTorch's linspace: the upper half counted down from the end
    assert edges.tolist() == [-0.5, -0.5 + 1 / 3, 0.5 - 1 / 3, 0.5]
    assert hist.tolist() == [0.0, 1.0, 0.0]
    hist, edges = ndgrad.histogram(ndgrad.tensor([0.0, 1.0, 1.0, 2.0]), 2)
    assert hist.tolist() == [1.0, 3.0] and edges.tolist() == [0.0, 1.0, 2.0]
    hist, _ = ndgrad.histogram(ndgrad.tensor([]), 3)
    assert hist.tolist() == [0.0, 0.0, 0.0]
