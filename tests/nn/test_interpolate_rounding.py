"""interpolate's linear modes round as PyTorch's CPU kernel, and a dim whose size a scale factor
leaves unchanged is kept as it is.

Found by a differential run of F.interpolate over random sizes, scale factors and dtypes:
- the source coordinate ``scale * (i + 0.5) - 0.5`` is one fused multiply-add in PyTorch's
  compiled kernel (4 of 3,400 outputs of a float32 1-d upscale by 1.7 took other weights when
  it was rounded twice), and float64 blends its two taps with a fused multiply-add too;
- PyTorch's separable kernels leave a dim alone when its output size equals its input size,
  whatever the scale factor (linear, bilinear, trilinear, and the antialiased modes); bicubic
  and nearest do not.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from tests.helpers import requires_torch, torch

import ndgrad
import ndgrad.nn.functional as F


def _run(lib: Any, x: np.ndarray, dt: str, **kw: Any) -> tuple[np.ndarray, np.ndarray]:
    t = lib.tensor(x, dtype=getattr(lib, dt), requires_grad=True)
    y = lib.nn.functional.interpolate(t, **kw)
    g = np.random.default_rng(1).standard_normal(tuple(y.shape))
    (y * lib.tensor(g, dtype=y.dtype)).sum().backward()
    return y.detach().numpy(), t.grad.numpy()


_LINEAR_CASES = [
    ("linear", (1, 2, 2000), {"scale_factor": 1.7}),
    ("linear", (1, 2, 76), {"size": 128}),
    ("linear", (1, 2, 211), {"size": 49, "align_corners": True}),
    ("linear", (1, 1, 1000), {"scale_factor": 1.3}),
    ("trilinear", (1, 2, 6, 8, 2), {"scale_factor": (2.803, 2.469, 1.52)}),
    ("trilinear", (1, 1, 7, 7, 3), {"size": (8, 16, 4)}),
]


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize(("mode", "shape", "kw"), _LINEAR_CASES)
@requires_torch
def test_linear_modes_bit_identical_to_torch(mode: str, shape: Any, kw: Any, dt: str) -> None:
    x = np.random.default_rng(0).standard_normal(shape) * 30 + 10
    a, ga = _run(torch, x, dt, mode=mode, **kw)
    b, gb = _run(ndgrad, x, dt, mode=mode, **kw)
    np.testing.assert_array_equal(b, a)
    tol = 1e-5 if dt == "float32" else 1e-12
    np.testing.assert_allclose(gb, ga, rtol=tol, atol=tol)


def test_linear_source_coordinate_is_fused_by_hand() -> None:
    # output 1 of a float32 length-2000 signal upscaled by 1.7: the coordinate rounded once
    # (in double, then to float) is 0.0882353; rounded twice it lands on another float
    f = np.float32
    scale = f(1.0 / 1.7)
    fused = f(np.float64(scale) * 1.5 - 0.5)
    x = np.zeros((1, 1, 2000), np.float32)
    x[0, 0, 1] = 1.0
    y = F.interpolate(ndgrad.from_numpy(x), scale_factor=1.7, mode="linear").numpy()
    assert y[0, 0, 1] == f(fused)  # the weight of input 1 at output 1 is the coordinate itself


@pytest.mark.parametrize(
    ("mode", "aa"),
    [("linear", False), ("bilinear", False), ("trilinear", False), ("bilinear", True),
     ("bicubic", True)],
)  # fmt: skip
def test_unchanged_size_is_kept_by_hand(mode: str, aa: bool) -> None:
    dim = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}[mode]
    x = ndgrad.arange(float(4**dim)).view(1, 1, *([4] * dim))
    y = F.interpolate(x, scale_factor=[1.122] * dim, mode=mode, antialias=aa)
    np.testing.assert_array_equal(y.numpy(), x.numpy())
    # per dim: the other one interpolates (4 -> 6 along the first)
    if mode == "bilinear":  # (row 0 of an upscale is the input's row 0)
        y = F.interpolate(x, scale_factor=[1.5, 1.122], mode=mode, antialias=aa)
        assert tuple(y.shape) == (1, 1, 6, 4)
        np.testing.assert_array_equal(y.numpy()[0, 0, 0], x.numpy()[0, 0, 0])


def test_bicubic_interpolates_an_unchanged_size() -> None:
    x = ndgrad.arange(16.0).view(1, 1, 4, 4)
    y = F.interpolate(x, scale_factor=[1.122, 1.122], mode="bicubic")
    assert tuple(y.shape) == (1, 1, 4, 4) and not np.array_equal(y.numpy(), x.numpy())


_UNCHANGED = [
    ("linear", False, (1, 2, 4), [1.122]),
    ("bilinear", False, (1, 2, 3, 4), [1.5, 1.122]),
    ("trilinear", False, (1, 1, 2, 3, 4), [1.6, 1.0, 1.122]),
    ("bilinear", True, (1, 1, 4, 5), [1.122, 0.6]),
    ("bicubic", True, (1, 1, 5, 5), [1.05, 1.118]),
    ("bicubic", False, (1, 1, 3, 3), [1.111, 1.074]),
]


@pytest.mark.parametrize(("mode", "aa", "shape", "sf"), _UNCHANGED)
@requires_torch
def test_unchanged_size_values_match_torch(mode: str, aa: bool, shape: Any, sf: Any) -> None:
    x = np.arange(float(np.prod(shape))).reshape(shape) ** 1.5
    a = torch.nn.functional.interpolate(torch.tensor(x), scale_factor=sf, mode=mode, antialias=aa)
    b = F.interpolate(ndgrad.tensor(x), scale_factor=sf, mode=mode, antialias=aa)
    np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("mode", "aa", "shape", "sf"), _UNCHANGED)
def test_unchanged_size_gradient_is_the_adjoint(mode: str, aa: bool, shape: Any, sf: Any) -> None:
    # PyTorch's backward of bicubic and of the antialiased modes uses another scale on such a
    # dim (docs/compatibility.md); ndgrad's is the adjoint of its forward: <g, f(e_k)> for every
    # unit input e_k
    x = ndgrad.tensor(np.zeros(shape), requires_grad=True)
    y = F.interpolate(x, scale_factor=sf, mode=mode, antialias=aa)
    g = np.random.default_rng(0).standard_normal(tuple(y.shape))
    y.backward(ndgrad.tensor(g))
    adjoint = np.empty(int(np.prod(shape)))
    for k in range(adjoint.size):
        e = np.zeros(adjoint.size)
        e[k] = 1.0
        fk = F.interpolate(
            ndgrad.tensor(e.reshape(shape)), scale_factor=sf, mode=mode, antialias=aa
        )
        adjoint[k] = (fk.numpy() * g).sum()
    np.testing.assert_allclose(x.grad.numpy().ravel(), adjoint, rtol=1e-12, atol=1e-12)


# --- float16: PyTorch's kernels keep the linear weights in float16 and blend in float ---------
_HALF_CASES = [
    ("linear", (1, 2, 237), {"scale_factor": 1.829}),
    ("linear", (1, 2, 181), {"size": 212, "align_corners": True}),
    ("trilinear", (1, 1, 6, 5, 9), {"scale_factor": (1.414, 2.781, 2.454), "align_corners": True}),
    ("trilinear", (1, 2, 5, 4, 6), {"size": (11, 7, 3)}),
]


@pytest.mark.parametrize(("mode", "shape", "kw"), _HALF_CASES)
@requires_torch
def test_float16_linear_modes_bit_identical_to_torch(mode: str, shape: Any, kw: Any) -> None:
    x = np.random.default_rng(0).standard_normal(shape) * 10
    a, ga = _run(torch, x, "float16", mode=mode, **kw)
    b, gb = _run(ndgrad, x, "float16", mode=mode, **kw)
    np.testing.assert_array_equal(b, a)
    scale = np.abs(ga.astype(np.float64)).max()
    assert np.abs(gb.astype(np.float64) - ga).max() <= 2e-3 * scale


def test_float16_linear_weights_by_hand() -> None:
    # one output between inputs 0 and 1 at λ = 0.3 (align_corners, 2 -> 11 points: λ = 0.3 at
    # output 3 is 3 * 0.1): the weights are λ and 1 - λ each rounded to float16
    x = ndgrad.tensor([[[0.0, 1.0]]], dtype=ndgrad.float16)
    y = F.interpolate(x, size=11, mode="linear", align_corners=True)
    lam = np.float16(np.float32(0.1) * np.float32(3))
    assert y.numpy()[0, 0, 3] == lam and y.dtype == ndgrad.float16


@requires_torch
def test_float16_adaptive_avg_pool_sums_in_float32() -> None:
    # the windows' sums were rounded to float16 after every term (12x PyTorch's error)
    x = np.random.default_rng(0).standard_normal((1, 6, 2000)) * 30 + 10
    a = torch.nn.functional.adaptive_avg_pool1d(torch.tensor(x, dtype=torch.float16), 3).numpy()
    b = F.adaptive_avg_pool1d(ndgrad.tensor(x, dtype=ndgrad.float16), 3).numpy()
    exact = F.adaptive_avg_pool1d(ndgrad.tensor(x.astype(np.float16).astype(np.float64)), 3).numpy()
    err_torch = np.abs(a.astype(np.float64) - exact).max()
    assert np.abs(b.astype(np.float64) - exact).max() <= max(2 * err_torch, 2.0**-10 * 10)
