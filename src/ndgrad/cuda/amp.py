"""ndgrad.cuda.amp: ``torch.cuda.amp``'s deprecated spellings, ``torch.amp``'s classes for
``'cuda'`` with PyTorch's FutureWarning. Without CUDA both disable themselves with PyTorch's
warning when enabled (nanoGPT's ``torch.cuda.amp.GradScaler(enabled=(dtype == 'float16'))``
runs unchanged)."""

from __future__ import annotations

import warnings
from typing import Any

from .._namespace import public_dir
from ..amp import autocast_mode, grad_scaler

__all__ = ["GradScaler", "amp_definitely_not_available", "autocast", "custom_bwd", "custom_fwd"]
__dir__ = public_dir(__name__)


def amp_definitely_not_available() -> bool:
    """True: ndgrad has no CUDA."""
    return True


class GradScaler(grad_scaler.GradScaler):
    """``torch.amp.GradScaler('cuda', ...)``, deprecated spelling."""

    def __init__(
        self,
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        warnings.warn(
            "`torch.cuda.amp.GradScaler(args...)` is deprecated. "
            "Please use `torch.amp.GradScaler('cuda', args...)` instead.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__(
            "cuda",
            init_scale=init_scale,
            growth_factor=growth_factor,
            backoff_factor=backoff_factor,
            growth_interval=growth_interval,
            enabled=enabled,
        )


class autocast(autocast_mode.autocast):
    """``torch.amp.autocast('cuda', ...)``, deprecated spelling."""

    def __init__(self, enabled: bool = True, dtype: Any = None, cache_enabled: bool = True) -> None:
        warnings.warn(
            "`torch.cuda.amp.autocast(args...)` is deprecated. "
            "Please use `torch.amp.autocast('cuda', args...)` instead.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__("cuda", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)


def custom_fwd(fwd: Any = None, *, cast_inputs: Any = None) -> Any:
    """``torch.amp.custom_fwd(..., device_type='cuda')``, deprecated spelling."""
    warnings.warn(
        "`torch.cuda.amp.custom_fwd(args...)` is deprecated. "
        "Please use `torch.amp.custom_fwd(args..., device_type='cuda')` instead.",
        FutureWarning,
        stacklevel=2,
    )
    return autocast_mode.custom_fwd(fwd, device_type="cuda", cast_inputs=cast_inputs)


def custom_bwd(bwd: Any = None) -> Any:
    """``torch.amp.custom_bwd(..., device_type='cuda')``, deprecated spelling."""
    warnings.warn(
        "`torch.cuda.amp.custom_bwd(args...)` is deprecated. "
        "Please use `torch.amp.custom_bwd(args..., device_type='cuda')` instead.",
        FutureWarning,
        stacklevel=2,
    )
    return autocast_mode.custom_bwd(bwd, device_type="cuda")
