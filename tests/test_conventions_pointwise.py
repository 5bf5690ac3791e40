"""Gradients at non-differentiable and singular points follow PyTorch (docs/conventions.md).

Each case is one row of the table in docs/conventions.md: the gradient ndgrad gives is checked
against a fixed expected value, and against PyTorch when it is installed. A last test checks that
the table and these cases list the same rows.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, torch

INF, NAN = math.inf, math.nan


class Case:
    def __init__(
        self, op: str, point: str, fn: Any, inputs: list[list[float]], grads: list[list[float]]
    ) -> None:
        self.op, self.point, self.fn, self.inputs, self.grads = op, point, fn, inputs, grads

    def id(self) -> str:
        return f"{self.op} @ {self.point}"


CASES = [
    Case("abs", "x = 0", lambda L, x: L.abs(x), [[0.0]], [[0.0]]),
    Case("relu", "x = 0", lambda L, x: L.relu(x), [[0.0]], [[0.0]]),
    Case("sign", "x = 0", lambda L, x: L.sign(x), [[0.0, -1.0, 2.0]], [[0.0, 0.0, 0.0]]),
    Case("sqrt", "x = 0", lambda L, x: L.sqrt(x), [[0.0]], [[INF]]),
    Case("rsqrt", "x = 0", lambda L, x: L.rsqrt(x), [[0.0]], [[-INF]]),
    Case("reciprocal", "x = 0", lambda L, x: L.reciprocal(x), [[0.0]], [[-INF]]),
    Case("log2", "x = 0", lambda L, x: L.log2(x), [[0.0]], [[INF]]),
    Case("log1p", "x = -1", lambda L, x: L.log1p(x), [[-1.0]], [[INF]]),
    Case("asin", "x = ±1", lambda L, x: L.asin(x), [[1.0, -1.0]], [[INF, INF]]),
    Case("acos", "x = ±1", lambda L, x: L.acos(x), [[1.0, -1.0]], [[-INF, -INF]]),
    Case("acosh", "x = 1", lambda L, x: L.acosh(x), [[1.0]], [[INF]]),
    Case("atanh", "x = ±1", lambda L, x: L.atanh(x), [[1.0, -1.0]], [[INF, INF]]),
    Case("pow(x, 2)", "x = 0", lambda L, x: x**2, [[0.0]], [[0.0]]),
    Case("pow(x, 0.5)", "x = 0", lambda L, x: x**0.5, [[0.0]], [[INF]]),
    Case("pow(x, 0)", "x = 0", lambda L, x: x**0, [[0.0]], [[0.0]]),
    Case(
        "pow(a, b)",
        "a = 0, b >= 0 (d/db)",
        lambda L, a, b: a**b,
        [[0.0, 0.0], [0.0, 2.0]],
        [[0.0, 0.0], [0.0, 0.0]],
    ),
    Case("floor", "integers", lambda L, x: L.floor(x), [[1.0, -2.0, 0.5]], [[0.0, 0.0, 0.0]]),
    Case("ceil", "integers", lambda L, x: L.ceil(x), [[1.0, -2.0, 0.5]], [[0.0, 0.0, 0.0]]),
    Case("trunc", "integers", lambda L, x: L.trunc(x), [[1.0, -2.0, 0.5]], [[0.0, 0.0, 0.0]]),
    Case("round", "halves", lambda L, x: L.round(x), [[0.5, 1.5, -2.5]], [[0.0, 0.0, 0.0]]),
    Case(
        "round(decimals=1)",
        "x = 0.25",
        lambda L, x: L.round(x, decimals=1),
        [[0.25]],
        [[0.0]],
    ),
    Case("frac", "integers", lambda L, x: L.frac(x), [[1.0, -2.0]], [[1.0, 1.0]]),
    Case(
        "div(rounding_mode='floor')",
        "a/b integer",
        lambda L, a, b: L.div(a, b, rounding_mode="floor"),
        [[2.0], [1.0]],
        [[0.0], [0.0]],
    ),
    Case(
        "div(rounding_mode='trunc')",
        "a/b integer",
        lambda L, a, b: L.div(a, b, rounding_mode="trunc"),
        [[-2.0], [1.0]],
        [[0.0], [0.0]],
    ),
    Case(
        "clamp(x, 0, 1)",
        "x = min, x = max",
        lambda L, x: L.clamp(x, 0.0, 1.0),
        [[0.0, 1.0, -1.0, 2.0]],
        [[1.0, 1.0, 0.0, 0.0]],
    ),
    Case(
        "clamp(x, 1, 0)",
        "min > max",
        lambda L, x: L.clamp(x, 1.0, 0.0),
        [[0.0, 0.5, 1.0]],
        [[0.0, 0.0, 0.0]],
    ),
    Case("clamp(x, 0, 1)", "x = nan", lambda L, x: L.clamp(x, 0.0, 1.0), [[NAN]], [[0.0]]),
    Case(
        "clamp(x, min=0)",
        "x = min",
        lambda L, x: L.clamp(x, min=0.0),
        [[0.0]],
        [[1.0]],
    ),
    Case(
        "clamp(x, lo, hi) (tensors)",
        "x = lo, x = hi",
        lambda L, x, lo, hi: L.clamp(x, lo, hi),
        [[0.0, 1.0], [0.0, 0.0], [1.0, 1.0]],
        [[1.0, 1.0], [0.0, 0.0], [0.0, 0.0]],
    ),
    Case(
        "clamp(x, lo, hi) (tensors)",
        "lo > hi",
        lambda L, x, lo, hi: L.clamp(x, lo, hi),
        [[1.0, 3.0], [2.0, 2.0], [0.0, 0.0]],
        [[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]],
    ),
    Case(
        "clamp_min(x, lo) (tensor)",
        "x = lo",
        lambda L, x, lo: L.clamp_min(x, lo),
        [[0.0], [0.0]],
        [[1.0], [0.0]],
    ),
    Case(
        "clamp_max(x, hi) (tensor)",
        "x = hi",
        lambda L, x, hi: L.clamp_max(x, hi),
        [[0.0], [0.0]],
        [[1.0], [0.0]],
    ),
    Case(
        "maximum(a, b)",
        "a = b",
        lambda L, a, b: L.maximum(a, b),
        [[1.0, 2.0], [1.0, 1.0]],
        [[0.5, 1.0], [0.5, 0.0]],
    ),
    Case(
        "minimum(a, b)",
        "a = b",
        lambda L, a, b: L.minimum(a, b),
        [[1.0, 2.0], [1.0, 1.0]],
        [[0.5, 0.0], [0.5, 1.0]],
    ),
    Case(
        "maximum(a, b)",
        "a or b nan",
        lambda L, a, b: L.maximum(a, b),
        [[NAN, 2.0], [1.0, NAN]],
        [[1.0, 1.0], [1.0, 1.0]],
    ),
    Case(
        "fmax(a, b)",
        "a = b",
        lambda L, a, b: L.fmax(a, b),
        [[1.0], [1.0]],
        [[1.0], [0.0]],
    ),
    Case(
        "fmax(a, b)",
        "a or b nan",
        lambda L, a, b: L.fmax(a, b),
        [[NAN, 2.0], [1.0, NAN]],
        [[0.0, 1.0], [1.0, 0.0]],
    ),
    Case(
        "fmin(a, b)",
        "a = b",
        lambda L, a, b: L.fmin(a, b),
        [[1.0], [1.0]],
        [[1.0], [0.0]],
    ),
    Case(
        "copysign(a, b)",
        "a = 0",
        lambda L, a, b: L.copysign(a, b),
        [[0.0, -0.0], [-1.0, 1.0]],
        [[0.0, 0.0], [0.0, 0.0]],
    ),
    Case(
        "xlogy(a, b)",
        "a = 0, b = 0",
        lambda L, a, b: L.xlogy(a, b),
        [[0.0], [0.0]],
        [[0.0], [NAN]],
    ),
    Case(
        "xlogy(a, b)",
        "a = 0, b > 0",
        lambda L, a, b: L.xlogy(a, b),
        [[0.0], [2.0]],
        [[math.log(2.0)], [0.0]],
    ),
    Case(
        "fmod(a, b)",
        "a = k·b",
        lambda L, a, b: L.fmod(a, b),
        [[2.0, -3.0], [1.0, 1.5]],
        [[1.0, 1.0], [-2.0, 2.0]],
    ),
    Case(
        "remainder(a, b)",
        "a = k·b",
        lambda L, a, b: L.remainder(a, b),
        [[2.0, -3.0], [1.0, 1.5]],
        [[1.0, 1.0], [-2.0, 2.0]],
    ),
    Case(
        "atan2(a, b)",
        "a = b = 0",
        lambda L, a, b: L.atan2(a, b),
        [[0.0], [0.0]],
        [[0.0], [0.0]],
    ),
    Case(
        "hypot(a, b)",
        "a = b = 0",
        lambda L, a, b: L.hypot(a, b),
        [[0.0], [0.0]],
        [[NAN], [NAN]],
    ),
    Case(
        "logaddexp(a, b)",
        "a = b = -inf",
        lambda L, a, b: L.logaddexp(a, b),
        [[-INF], [-INF]],
        [[NAN], [NAN]],
    ),
    Case(
        "nan_to_num",
        "x = nan, ±inf",
        lambda L, x: L.nan_to_num(x),
        [[NAN, INF, -INF, 1.0]],
        [[0.0, 0.0, 0.0, 1.0]],
    ),
]

PARAMS = [pytest.param(c, id=c.id()) for c in CASES]


def _grads(lib: Any, case: Case) -> list[np.ndarray]:
    xs = [lib.tensor(v, dtype=lib.float64, requires_grad=True) for v in case.inputs]
    out = case.fn(lib, *xs)
    # Backward from ones rather than from out.sum(): the sum of ±inf outputs would be nan.
    grads = lib.autograd.grad(out, xs, grad_outputs=lib.ones_like(out))
    return [g.detach().numpy() for g in grads]


@pytest.mark.parametrize("case", PARAMS)
def test_gradient_at_point(case: Case) -> None:
    got = _grads(ndgrad, case)
    for g, expected in zip(got, case.grads, strict=True):
        np.testing.assert_array_equal(g, np.array(expected))


@requires_torch
@pytest.mark.parametrize("case", PARAMS)
def test_gradient_at_point_matches_torch(case: Case) -> None:
    for g, t in zip(_grads(ndgrad, case), _grads(torch, case), strict=True):
        np.testing.assert_array_equal(g, t)


def _doc_rows() -> set[tuple[str, str]]:
    doc = Path(__file__).resolve().parents[1] / "docs" / "conventions.md"
    rows = set()
    for line in doc.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 3 or set(cells[0]) <= set("-: "):
            continue
        if cells[0] == "op":
            continue
        rows.add((re.sub(r"`", "", cells[0]), cells[1]))
    return rows


def test_doc_table_lists_exactly_the_tested_points() -> None:
    assert _doc_rows() == {(c.op, c.point) for c in CASES}
