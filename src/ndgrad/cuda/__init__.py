"""ndgrad.cuda: ndgrad has no GPU backend; these answer the questions PyTorch scripts ask, and
``ndgrad.cuda.amp`` holds the deprecated ``torch.cuda.amp`` spellings of GradScaler and autocast."""

from __future__ import annotations

from .._namespace import public_dir
from . import amp

__all__ = ["amp", "device_count", "is_available", "manual_seed", "manual_seed_all"]
__dir__ = public_dir(__name__)


def is_available() -> bool:
    """Always False: ndgrad computes on the CPU."""
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """Accepted and ignored, so seeding code written for GPUs runs unchanged."""


def manual_seed_all(seed: int) -> None:
    """Accepted and ignored."""
