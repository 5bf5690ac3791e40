"""ndgrad.nn.init: in-place initialisers with PyTorch's fan and gain rules.

Each writes new values into the tensor's storage outside autograd (as under ``no_grad``) and
returns the tensor.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import _random
from .._namespace import public_dir
from .._random import Generator
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad

__all__ = [
    "calculate_gain",
    "constant",
    "constant_",
    "dirac",
    "dirac_",
    "eye",
    "eye_",
    "kaiming_normal",
    "kaiming_normal_",
    "kaiming_uniform",
    "kaiming_uniform_",
    "normal",
    "normal_",
    "ones_",
    "orthogonal",
    "orthogonal_",
    "sparse_",
    "trunc_normal_",
    "uniform",
    "uniform_",
    "xavier_normal",
    "xavier_normal_",
    "xavier_uniform",
    "xavier_uniform_",
    "zeros_",
]
__dir__ = public_dir(__name__)


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
    """N(mean, std²) restricted to [a, b], by rejection as PyTorch 2.13 draws it.

    When [a, b] holds more than 30% of the mass: redraw a whole tensor of normals while any
    value is out of bounds, keeping the in-bounds ones. Otherwise: uniform candidates on
    [a, b], each accepted when log(u) is below its log density relative to the peak.
    """

    def cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
            "The distribution of values may be incorrect.",
            stacklevel=2,
        )
    d = tensor._data
    shape, f = d.shape, d.dtype.type

    def fresh() -> Tensor:
        return Tensor._make(np.empty(shape, dtype=d.dtype))

    with no_grad():
        if cdf((b - mean) / std) - cdf((a - mean) / std) > 0.3:
            lo, hi = f(a), f(b)
            result = normal_(fresh(), mean, std, generator)._data
            while ((result < lo) | (result > hi)).any():
                out = (result < lo) | (result > hi)
                result = np.where(out, normal_(fresh(), mean, std, generator)._data, result)
            return _write(tensor, result)
        mode = max(a, min(mean, b))
        log_peak = -0.5 * ((mode - mean) / std) ** 2

        def log_density(c: np.ndarray) -> np.ndarray:  # in the tensor's dtype, step by step
            z = (c - f(mean)) / f(std)
            return z * z * f(-0.5) - f(log_peak)

        def accept_draw() -> np.ndarray:
            with np.errstate(divide="ignore"):
                return np.log(uniform_(fresh(), 0.0, 1.0, generator)._data)

        result = uniform_(fresh(), a, b, generator)._data
        pending = accept_draw() > log_density(result)
        while pending.any():
            cand = uniform_(fresh(), a, b, generator)._data
            result = np.where(pending, cand, result)
            pending = np.where(pending, accept_draw() > log_density(cand), pending)
        return _write(tensor, result)


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """A (semi-)orthogonal matrix: Q of the QR of standard normals (as PyTorch draws them), its
    columns' signs fixed by R's diagonal, scaled by ``gain``."""
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = Tensor._make(np.empty((rows, cols), dtype=tensor._data.dtype))
    z = normal_(flat, 0.0, 1.0, generator)._data
    z = z.T if rows < cols else z
    q, r = np.linalg.qr(z)
    q = q * np.sign(np.diag(r))
    q = q.T if rows < cols else q
    return _write(tensor, (q * q.dtype.type(gain)).reshape(tensor._data.shape))


def sparse_(
    tensor: Tensor, sparsity: float, std: float = 0.01, generator: Generator | None = None
) -> Tensor:
    """N(0, std²) with a fraction ``sparsity`` of each column set to zero (rows chosen by
    ``randperm`` on the default generator, as PyTorch chooses them)."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    normal_(tensor, 0.0, std, generator)
    for col in range(cols):
        tensor._data[_random.randperm(rows)._data[:num_zeros], col] = 0
    tensor._bump_version()
    return tensor


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


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """The identity of a convolution: a 3, 4 or 5-D weight that passes each input channel to
    the output channel of the same number (in each of ``groups`` groups), at the kernel's
    centre; every other value zero."""
    dims = tensor.dim()
    if dims not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    shape = tensor.shape
    if shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = shape[0] // groups
    channels = np.arange(min(per_group, shape[1]))
    values = np.zeros(tensor._data.shape, dtype=tensor._data.dtype)
    centre = tuple(size // 2 for size in shape[2:])
    empty = [d for d, size in enumerate(shape) if d >= 2 and size == 0]
    if channels.size and empty:  # PyTorch writes index 0 of an empty kernel dimension
        raise IndexError(f"index 0 is out of bounds for dimension {empty[0]} with size 0")
    for g in range(groups):
        index = (g * per_group + channels, channels, *centre)
        values[index] = 1
    return _write(tensor, values)


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
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
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
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std, generator)


def _deprecated(method: Any) -> Any:
    """PyTorch's old names without the trailing underscore: the same function, with a warning."""
    new = method.__name__
    old = new[:-1]

    def deprecated_init(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            f"`nn.init.{old}` is now deprecated in favor of `nn.init.{new}`.",
            FutureWarning,
            stacklevel=2,
        )
        return method(*args, **kwargs)

    deprecated_init.__name__ = deprecated_init.__qualname__ = old
    deprecated_init.__doc__ = f"{old}(...)\n\n.. warning::\n    Deprecated: use :func:`{new}`."
    return deprecated_init


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
