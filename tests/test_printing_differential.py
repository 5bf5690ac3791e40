"""Printing differences found by a differential run against torch 2.13 (repr, str, format).

The exact strings are PyTorch's output, kept as facts; the parity grid reruns the same kind of
cases against real torch when it is installed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, torch


@pytest.fixture(autouse=True)
def _default_printoptions() -> Iterator[None]:
    yield
    ndgrad.set_printoptions(profile="default")
    if torch is not None:
        torch.set_printoptions(profile="default")


def test_edgeitems_zero_adds_a_size_suffix_when_not_summarized() -> None:
    ndgrad.set_printoptions(edgeitems=0)
    assert repr(ndgrad.tensor(1.5)) == "tensor(1.5000, size=())"
    assert repr(ndgrad.ones(3)) == "tensor([1., 1., 1.], size=(3,))"
    assert repr(ndgrad.arange(4).reshape(2, 2)) == (
        "tensor([[0, 1],\n        [2, 3]], size=(2, 2))"
    )
    # an empty tensor keeps its own suffixes only
    assert repr(ndgrad.zeros(0)) == "tensor([])"
    assert repr(ndgrad.zeros(2, 0)) == "tensor([], size=(2, 0))"


def test_edgeitems_zero_summarizes_to_an_ellipsis() -> None:
    ndgrad.set_printoptions(edgeitems=0, threshold=1)
    assert repr(ndgrad.tensor(1.5)) == "tensor(1.5000, size=())"
    assert repr(ndgrad.ones(3)) == "tensor([...], size=(3,))"
    assert repr(ndgrad.ones(2, 3, requires_grad=True)) == (
        "tensor([...], size=(2, 3), requires_grad=True)"
    )
    assert repr(ndgrad.ones(2, 3, 4, dtype=ndgrad.int8)) == (
        "tensor([...], size=(2, 3, 4), dtype=torch.int8)"
    )
    assert str(ndgrad.tensor([1e-9, 1e9])) == "tensor([...], size=(2,))"


def test_zero_dim_parameter_formats_as_its_repr() -> None:
    p = ndgrad.nn.Parameter(ndgrad.tensor(1.5))
    expected = "Parameter containing:\ntensor(1.5000, requires_grad=True)"
    assert f"{p}" == expected
    assert format(p, "") == expected
    with pytest.raises(TypeError, match=r"^unsupported format string passed to Parameter"):
        format(p, ".2f")
    # a 0-d view or result is a plain tensor to the user: it formats as its number
    x = ndgrad.ones(3, requires_grad=True)
    assert f"{x[0]:.2f}" == "1.00"
    assert f"{x[1] * 2:.1f}" == "2.0"
    with ndgrad.no_grad():
        v = x[2]
    assert f"{v:.3f}" == "1.000"


def test_subclass_repr_uses_its_own_name() -> None:
    class My(ndgrad.Tensor):
        pass

    class MyParameter(ndgrad.nn.Parameter):
        pass

    assert repr(My([1.0, 2.0]).requires_grad_()) == "My([1., 2.], requires_grad=True)"
    assert repr(My([])) == "My([])"
    # the indent follows the shorter prefix
    assert repr(My([[1.0, 2.0], [3.0, 4.0]])) == "My([[1., 2.],\n    [3., 4.]])"
    assert str(MyParameter(ndgrad.ones(2))) == (
        "Parameter containing:\nParameter(MyParameter([1., 1.], requires_grad=True))"
    )


_OPTIONS: list[dict[str, Any]] = [
    {},
    {"edgeitems": 0},
    {"edgeitems": 0, "threshold": 5},
    {"edgeitems": 0, "threshold": 0},
    {"edgeitems": 1, "threshold": 5, "linewidth": 30},
    {"precision": 2, "sci_mode": True, "edgeitems": 0, "threshold": 3},
]

_VALUES: list[tuple[str, Callable[[np.random.Generator], np.ndarray]]] = [
    ("scalar", lambda r: np.asarray(r.standard_normal() * 1e3)),
    ("vector", lambda r: r.standard_normal(9) * 1e-5),
    ("matrix", lambda r: r.integers(-50, 50, (4, 5)).astype(np.float64)),
    ("cube", lambda r: r.standard_normal((3, 2, 8))),
    ("special", lambda _: np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1e-8, 1e20])),
    ("empty", lambda _: np.zeros((2, 0, 3))),
]

_DTYPES = ["float32", "float64", "float16", "int64", "int8", "uint8", "bool"]


def _renderings(lib: Any, t: Any) -> list[str]:
    out = [repr(t), str(t), format(t, ""), repr([t, (t,)])]
    if t.dim() == 0:
        for spec in (".3f", "e", ">12"):
            try:
                out.append(format(t, spec))
            except (TypeError, ValueError) as e:
                out.append(f"{type(e).__name__}: {e}")
    return out


def _build(lib: Any, name: str, dtype: str, variant: str) -> Any:
    seed = [n for n, _ in _VALUES].index(name)
    array = dict(_VALUES)[name](np.random.default_rng(seed))
    if dtype == "bool":
        array = array > 0
    array = np.asarray(np.nan_to_num(array) if dtype[0] in "ub" and dtype != "bool" else array)
    with np.errstate(invalid="ignore", over="ignore"):
        array = array.astype(dtype)
    t = lib.from_numpy(array)
    if variant == "parameter":
        t = lib.nn.Parameter(t, requires_grad=False)
    elif variant == "graph" and array.dtype.kind == "f":
        t = t.requires_grad_(True) * 2
    return t


@requires_torch
def test_printing_matches_torch() -> None:
    differing = []
    for opts in _OPTIONS:
        ndgrad.set_printoptions(**opts)
        torch.set_printoptions(**opts)
        for variant in ("plain", "parameter", "graph"):
            for name, _ in _VALUES:
                for dtype in _DTYPES:
                    actual = _renderings(ndgrad, _build(ndgrad, name, dtype, variant))
                    expected = _renderings(torch, _build(torch, name, dtype, variant))
                    if actual != expected:
                        differing.append((opts, variant, name, dtype, actual, expected))
        ndgrad.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
    assert not differing
