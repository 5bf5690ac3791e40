"""ndgrad.amp.autocast_mode: ``autocast`` as a context manager and decorator that PyTorch code
can keep, and that never changes a dtype.

PyTorch's autocast runs selected ops (matmul, linear, convolution...) in a lower precision
dtype. ndgrad does not implement that casting, and has no bfloat16 (the CPU's default autocast
dtype). So that no script silently computes something else than it asks for:

* ``enabled=False``: a no-op context (and decorator), as in PyTorch;
* ``device_type='cuda'`` (enabled): PyTorch's warning for a machine without CUDA ("CUDA is not
  available ... Disabling autocast."), then a no-op: nanoGPT-style scripts run unchanged;
* a dtype PyTorch's CPU autocast refuses (``float32``, ``float64``...): PyTorch's warning, then a
  no-op, as in PyTorch;
* ``device_type='cpu'`` (or another accelerator) with ``float16`` or bfloat16 (the default):
  ``NotImplementedError`` naming the dtype, since PyTorch would run those ops in it.

``is_autocast_enabled()`` is therefore always False. ``custom_fwd``/``custom_bwd`` wrap a
custom Function's forward/backward and run them unchanged (autocast is never on).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from .._namespace import public_dir
from ..dtypes import float16

__all__ = ["autocast", "custom_bwd", "custom_fwd", "is_autocast_available"]
__dir__ = public_dir(__name__)

# The device types PyTorch's autocast accepts (torch._C._is_autocast_available)
_AVAILABLE = ("cpu", "cuda", "mps", "xpu", "hpu", "xla", "mtia", "ipu", "maia")
_KNOWN = (
    "cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, lazy, "
    "vulkan, mps, meta, hpu, mtia, privateuseone"
)


def is_autocast_available(device_type: str) -> bool:
    """Whether PyTorch's autocast accepts ``device_type``."""
    base = device_type.split(":")[0]
    if base in _AVAILABLE:
        return True
    if base in _KNOWN.split(", "):
        return False
    raise RuntimeError(
        f"Expected one of {_KNOWN} device type at start of device string: {device_type}"
    )


class autocast:
    """``torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``: see the
    module docstring for what ndgrad does with each case."""

    def __init__(
        self,
        device_type: str,
        dtype: Any = None,
        enabled: bool = True,
        cache_enabled: bool | None = None,
    ) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device = device_type
        if not is_autocast_available(device_type):
            raise RuntimeError(
                f"User specified an unsupported autocast device_type '{device_type}'"
            )
        # PyTorch's defaults: float16 on CUDA, bfloat16 elsewhere (ndgrad has no bfloat16)
        self.fast_dtype = (
            dtype if dtype is not None else (float16 if device_type == "cuda" else None)
        )
        self._cache_enabled = True if cache_enabled is None else cache_enabled
        if enabled:
            name = device_type.upper()
            if device_type == "cuda":
                warnings.warn(
                    "CUDA is not available or torch_xla is imported. Disabling autocast.",
                    stacklevel=2,
                )
                enabled = False
            elif dtype is not None and dtype != float16:
                warnings.warn(
                    f"In {name} autocast, but the target dtype is not supported. Disabling "
                    f"autocast.\n{name} Autocast only supports dtypes of torch.bfloat16, "
                    "torch.float16 currently.",
                    stacklevel=2,
                )
                enabled = False
            else:
                wanted = "torch.float16" if dtype is not None else "torch.bfloat16 (the default)"
                raise NotImplementedError(
                    f"ndgrad does not implement autocast: torch.autocast('{device_type}', "
                    f"dtype={wanted}) would run matmul, linear and convolution in that dtype, "
                    "and ndgrad computes every op in its inputs' dtypes"
                    + (" (and has no bfloat16)" if dtype is None else "")
                    + ". Use enabled=False or contextlib.nullcontext() to compute in float32, "
                    "or convert the model and inputs with .half() yourself."
                )
        self._enabled = enabled

    def __enter__(self) -> autocast:
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        return None

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        if not callable(func):
            raise TypeError(
                f"autocast()(func) requires a callable, but got {type(func).__name__}. "
                "Did you mean to use autocast as a context manager? For example:\n"
                "    with torch.autocast(device_type=...):\n"
                "        output = model(input)"
            )

        @functools.wraps(func)
        def decorated(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return decorated


def custom_fwd(
    fwd: Callable[..., Any] | None = None, *, device_type: str, cast_inputs: Any = None
) -> Any:
    """Decorator for a custom Function's ``forward``; runs it unchanged (autocast is never on
    in ndgrad, so ``cast_inputs`` has nothing to do)."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    return fwd


def custom_bwd(bwd: Callable[..., Any] | None = None, *, device_type: str) -> Any:
    """Decorator for a custom Function's ``backward``; runs it unchanged."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Always False: ndgrad's autocast never enables casting."""
    return False
