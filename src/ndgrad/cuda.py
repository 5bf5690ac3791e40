"""ndgrad.cuda: ndgrad has no GPU backend; these answer the questions PyTorch scripts ask."""

from __future__ import annotations


def is_available() -> bool:
    """Always False: ndgrad computes on the CPU."""
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """Accepted and ignored, so seeding code written for GPUs runs unchanged."""


def manual_seed_all(seed: int) -> None:
    """Accepted and ignored."""
