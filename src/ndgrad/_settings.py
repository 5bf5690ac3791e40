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
from ._legacy import legacy_dtype
from .autograd.anomaly_mode import set_detect_anomaly
from .dtypes import set_default_dtype

__all__ = [
    "are_deterministic_algorithms_enabled",
    "compile",
    "get_default_device",
    "get_deterministic_debug_mode",
    "get_float32_matmul_precision",
    "get_num_interop_threads",
    "get_num_threads",
    "is_deterministic_algorithms_warn_only_enabled",
    "is_warn_always_enabled",
    "set_anomaly_enabled",
    "set_default_device",
    "set_default_tensor_type",
    "set_deterministic_debug_mode",
    "set_float32_matmul_precision",
    "set_num_interop_threads",
    "set_num_threads",
    "set_warn_always",
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


_warn_always = [False]


def set_warn_always(b: bool) -> None:
    """Recorded (PyTorch uses it to repeat warnings it shows once; ndgrad's are Python's)."""
    _warn_always[0] = bool(b)


def is_warn_always_enabled() -> bool:
    return _warn_always[0]


_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def set_deterministic_debug_mode(debug_mode: str | int) -> None:
    """0/"default", 1/"warn" or 2/"error": recorded; every ndgrad op is deterministic."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(
                "invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got "
                f"{debug_mode}"
            )
        debug_mode = _DEBUG_MODES[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(
            f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}"
        )
    use_deterministic_algorithms(debug_mode > 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode() -> int:
    if not _deterministic["mode"]:
        return 0
    return 1 if _deterministic["warn_only"] else 2


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """``autograd.set_detect_anomaly``, under the name PyTorch also has at the top level."""
    set_detect_anomaly(enabled, check_nan)


def set_default_tensor_type(t: Any) -> None:
    """The default floating dtype from a legacy type (``torch.DoubleTensor`` or its name);
    deprecated in PyTorch for ``set_default_dtype``."""
    warnings.warn(
        "torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
        "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
        UserWarning,
        stacklevel=2,
    )
    dt = legacy_dtype(t)
    if dt is None or not dt.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    set_default_dtype(dt)
