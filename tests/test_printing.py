"""Printing: identical to PyTorch's, checked against stored text and (when installed) real torch."""

from __future__ import annotations

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, torch


def test_seed_tutorial_forms() -> None:
    x = ndgrad.ones(2, 2, requires_grad=True)
    assert repr(x) == "tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)"
    assert repr(x + 2) == "tensor([[3., 3.],\n        [3., 3.]], grad_fn=<AddBackward0>)"
    assert repr(ndgrad.tensor(27.0)) == "tensor(27.)"
    assert (
        repr(ndgrad.tensor([2.0, 0.2, 0.02, 0.002])) == "tensor([2.0000, 0.2000, 0.0200, 0.0020])"
    )
    assert repr(ndgrad.tensor([100.0], requires_grad=True)) == "tensor([100.], requires_grad=True)"


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: ndgrad.tensor([1e-5, 1.0]), "tensor([1.0000e-05, 1.0000e+00])"),
        (lambda: ndgrad.tensor([1e9, 1.0]), "tensor([1.0000e+09, 1.0000e+00])"),
        (lambda: ndgrad.tensor([float("nan"), 1.0, float("inf")]), "tensor([nan, 1., inf])"),
        (lambda: ndgrad.tensor([1, 2, 3]), "tensor([1, 2, 3])"),
        (lambda: ndgrad.tensor([True, False]), "tensor([ True, False])"),
        (lambda: ndgrad.ones(2, dtype=ndgrad.float64), "tensor([1., 1.], dtype=torch.float64)"),
        (lambda: ndgrad.ones(2, dtype=ndgrad.int32), "tensor([1, 1], dtype=torch.int32)"),
        (lambda: ndgrad.zeros(0), "tensor([])"),
        (lambda: ndgrad.zeros(0, 3), "tensor([], size=(0, 3))"),
        (lambda: ndgrad.zeros(0, dtype=ndgrad.long), "tensor([], dtype=torch.int64)"),
        (lambda: ndgrad.tensor(3), "tensor(3)"),
        (lambda: ndgrad.tensor([-0.0, 0.0]), "tensor([-0., 0.])"),
    ],
)
def test_stored_forms(make, expected: str) -> None:
    assert repr(make()) == expected


def test_summarised_past_1000_elements() -> None:
    text = repr(ndgrad.arange(2000.0).reshape(40, 50))
    assert text.startswith(
        "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 4.7000e+01, 4.8000e+01,"
    )
    assert "\n        ...,\n" in text
    assert text.endswith("1.9990e+03]])")


def test_set_printoptions_precision() -> None:
    try:
        ndgrad.set_printoptions(precision=2)
        assert repr(ndgrad.tensor([1.2345])) == "tensor([1.23])"
    finally:
        ndgrad.set_printoptions(profile="default")


def _random_cases() -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(7)
    cases: list[tuple[str, np.ndarray]] = []
    shapes = [
        (),
        (1,),
        (5,),
        (3, 4),
        (2, 3, 4),
        (7, 13),
        (4, 1, 2, 3),
        (1001,),
        (30, 40),
        (11, 100),
    ]
    scales = [1.0, 1e-3, 1e-6, 1e3, 1e6, 1e9, 123.456]
    for shape in shapes:
        for scale in scales:
            a = np.asarray(rng.standard_normal(shape) * scale)
            cases.append((f"float32-{shape}-{scale}", a.astype(np.float32)))
            cases.append((f"float64-{shape}-{scale}", a))
        cases.append((f"int-{shape}", np.asarray(rng.integers(-1000, 1000, shape))))
        cases.append((f"intfloat-{shape}", rng.integers(-50, 50, shape).astype(np.float32)))
        cases.append((f"bool-{shape}", rng.integers(0, 2, shape).astype(bool)))
    special = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1.5, -2.25], dtype=np.float32)
    cases.append(("special", special))
    cases.append(("special-int-mode", np.array([np.nan, 1.0, -np.inf, 3.0])))
    cases.append(("half", np.array([1.5, 2.25, 1000.0], dtype=np.float16)))
    cases.append(("wide", np.array([1e-9, 1.0, 1e9])))
    return cases


@requires_torch
@pytest.mark.parametrize(
    ("name", "array"), _random_cases(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_repr_matches_torch(name: str, array: np.ndarray) -> None:
    assert repr(ndgrad.from_numpy(array.copy())) == repr(torch.from_numpy(array.copy()))


@requires_torch
def test_repr_suffixes_match_torch() -> None:
    a = np.linspace(-3, 3, 6).reshape(2, 3)
    x, xt = ndgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    assert repr(x) == repr(xt)
    assert repr(x * 2) == repr(xt * 2)
    long_row = np.arange(20, dtype=np.float64) * 1.5
    x, xt = ndgrad.tensor(long_row, requires_grad=True), torch.tensor(long_row, requires_grad=True)
    assert repr(x.exp()) == repr(xt.exp())
