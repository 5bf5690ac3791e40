"""ndgrad.nn.init: in-place initialisers with PyTorch's fan and gain rules.

Each writes new values into the tensor's storage outside autograd (as under ``no_grad``) and
returns the tensor.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _random
from .._random import Generator
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad

__all__ = [
    "calculate_gain",
    "constant_",
    "eye_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "trunc_normal_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]


def _write(tensor: Tensor, values: np.ndarray) -> Tensor:
    np.copyto(tensor._data, values, casting="unsafe")
    tensor._bump_version()
    return tensor


def calculate_gain(nonlinearity: str, param: Any = None) -> float:
    """The recommended scale of weights for a nonlinearity (PyTorch's table)."""
    linear = [
        "linear",
        "conv1d",
        "conv2d",
        "conv3d",
        "conv_transpose1d",
        "conv_transpose2d",
        "conv_transpose3d",
    ]
    if nonlinearity in linear or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, int | float):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    if tensor.dim() < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive = int(np.prod(tensor.shape[2:])) if tensor.dim() > 2 else 1
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(
    tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Generator | None = None
) -> Tensor:
    """Fill with samples of U(a, b)."""
    with no_grad():
        return _random.uniform_(tensor, a, b, generator=generator)


def normal_(
    tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Generator | None = None
) -> Tensor:
    """Fill with samples of N(mean, std²)."""
    with no_grad():
        return _random.normal_(tensor, mean, std, generator=generator)


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: Generator | None = None,
) -> Tensor:
    """N(mean, std²) truncated to [a, b] by the inverse CDF, as PyTorch: u ~ U(2l-1, 2u-1) with
    l, u the normal CDF at the bounds, then erfinv(u)·std·√2 + mean, clamped to [a, b]."""

    def cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    lo, hi = cdf((a - mean) / std), cdf((b - mean) / std)
    with no_grad():
        _random.uniform_(tensor, 2 * lo - 1, 2 * hi - 1, generator=generator)
    d = tensor._data
    x = _erfinv(d.astype(np.float64)).astype(d.dtype)
    x = x * d.dtype.type(std * math.sqrt(2.0)) + d.dtype.type(mean)
    return _write(tensor, np.clip(x, d.dtype.type(a), d.dtype.type(b)))


def _erfinv(y: np.ndarray) -> np.ndarray:
    """Inverse error function: a rational first guess refined by two Newton steps."""
    erf = np.frompyfunc(math.erf, 1, 1)
    ay = np.abs(y)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = y * y
        central = y * (((-0.140543331 * z + 0.914624893) * z - 1.645349621) * z + 0.886226899)
        central /= (((0.012229801 * z - 0.329097515) * z + 1.442710462) * z - 2.118377725) * z + 1
        t = np.sqrt(-np.log((1.0 - ay) / 2.0))
        tail = ((1.641345311 * t + 3.429567803) * t - 1.624906493) * t - 1.970840454
        tail = np.copysign(tail, y) / ((1.637067800 * t + 3.543889200) * t + 1)
        x = np.where(ay <= 0.7, central, tail)
        for _ in range(2):  # x -= (erf(x) - y) / erf'(x)
            x = x - (erf(x).astype(np.float64) - y) / (2 / math.sqrt(math.pi) * np.exp(-x * x))
    return np.where(ay == 1, np.copysign(np.inf, y), np.where(ay > 1, np.nan, x))


def constant_(tensor: Tensor, val: float) -> Tensor:
    return _write(tensor, np.asarray(val))


def ones_(tensor: Tensor) -> Tensor:
    return _write(tensor, np.asarray(1))


def zeros_(tensor: Tensor) -> Tensor:
    return _write(tensor, np.asarray(0))


def eye_(tensor: Tensor) -> Tensor:
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _write(tensor, np.eye(*tensor._data.shape))


def xavier_uniform_(
    tensor: Tensor, gain: float = 1.0, generator: Generator | None = None
) -> Tensor:
    """U(-a, a) with a = gain · √(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std  # PyTorch's order of operations, so the bound rounds the same
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """N(0, std²) with std = gain · √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Generator | None = None,
) -> Tensor:
    """U(-b, b) with b = gain · √(3 / fan)."""
    if 0 in tensor.shape:
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Generator | None = None,
) -> Tensor:
    """N(0, std²) with std = gain / √fan."""
    if 0 in tensor.shape:
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std, generator)
