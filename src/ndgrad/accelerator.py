"""ndgrad.accelerator: ndgrad has no accelerator; these answer as PyTorch does without one."""

from __future__ import annotations

from ._device import device


def is_available() -> bool:
    """Always False: ndgrad computes on the CPU."""
    return False


def device_count() -> int:
    return 0


def current_accelerator(check_available: bool = False) -> device | None:
    """None: there is no accelerator."""
    return None
