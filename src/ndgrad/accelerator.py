"""ndgrad.accelerator: ndgrad has no accelerator; these answer as PyTorch does without one."""

from __future__ import annotations

from ._device import device
from ._namespace import public_dir

__all__ = ["current_accelerator", "device_count", "is_available"]
__dir__ = public_dir(__name__)


def is_available() -> bool:
    """Always False: ndgrad computes on the CPU."""
    return False


def device_count() -> int:
    return 0


def current_accelerator(check_available: bool = False) -> device | None:
    """None: there is no accelerator."""
    return None
