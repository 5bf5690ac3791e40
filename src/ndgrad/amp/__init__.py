"""ndgrad.amp: mixed precision entry points (``torch.amp``): ``GradScaler`` with PyTorch's loss
scaling algorithm, and ``autocast``, which ndgrad accepts but never uses to change a dtype (see
``ndgrad.amp.autocast_mode`` and docs/compatibility.md)."""

from __future__ import annotations

from .._namespace import public_dir
from .autocast_mode import autocast, custom_bwd, custom_fwd, is_autocast_available
from .grad_scaler import GradScaler

__all__ = ["GradScaler", "autocast", "custom_bwd", "custom_fwd", "is_autocast_available"]
__dir__ = public_dir(__name__)
