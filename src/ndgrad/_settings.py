"""Process-wide settings PyTorch scripts set: default device, threads, determinism, matmul
precision, and ``compile``. ndgrad runs numpy on the CPU, so each is accepted where it means the
same as in PyTorch, and refused clearly where it would need a device or compiler ndgrad lacks.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import Any

from ._device import CPU, check_device, device

__all__ = [
    "are_deterministic_algorithms_enabled",
    "compile",
    "get_default_device",
    "get_float32_matmul_precision",
    "get_num_interop_threads",
    "get_num_threads",
    "is_deterministic_algorithms_warn_only_enabled",
    "set_default_device",
    "set_float32_matmul_precision",
    "set_num_interop_threads",
    "set_num_threads",
    "use_deterministic_algorithms",
]


def set_default_device(device: Any) -> None:
    """Only the CPU (or None, the default) is accepted: ndgrad has no other device."""
    check_device(device)


def get_default_device() -> device:
    """Always ``device(type='cpu')``."""
    return CPU


def get_num_threads() -> int:
    """The CPU count: numpy's BLAS picks its own threads, ndgrad does not set them."""
    return os.cpu_count() or 1


def set_num_threads(int: int) -> None:
    """Accepted and ignored: numpy's BLAS threads are set by its environment variables
    (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS) before the process starts."""
    if int <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")


def get_num_interop_threads() -> int:
    return 1


def set_num_interop_threads(int: int) -> None:
    """Accepted and ignored: ndgrad runs ops one at a time."""
    if int <= 0:
        raise RuntimeError("set_num_interop_threads expects a positive integer")


_deterministic = {"mode": False, "warn_only": False}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Recorded; every ndgrad op is already deterministic on the CPU."""
    _deterministic["mode"] = bool(mode)
    _deterministic["warn_only"] = bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _deterministic["mode"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _deterministic["warn_only"]


_matmul_precision = ["highest"]


def set_float32_matmul_precision(precision: str) -> None:
    """Recorded; numpy computes float32 matmuls in full float32 ("highest") whatever is set."""
    if precision not in ("highest", "high", "medium"):
        warnings.warn(
            f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
            "setFloat32MatmulPrecision call has no effect.",
            UserWarning,
            stacklevel=2,
        )
        return
    _matmul_precision[0] = precision


def get_float32_matmul_precision() -> str:
    return _matmul_precision[0]


def compile(model: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
    """A documented no-op: returns ``model`` unchanged (ndgrad has no compiler).

    Works as ``torch.compile(model)``, ``@torch.compile`` and ``@torch.compile(mode=...)``.
    """
    if model is None:
        return lambda fn: fn
    return model
