"""ndgrad.backends.cudnn: not available (ndgrad computes with numpy on the CPU)."""

from __future__ import annotations

from .._namespace import public_dir

__all__ = ["allow_tf32", "benchmark", "deterministic", "enabled", "is_available", "version"]
__dir__ = public_dir(__name__)


def is_available() -> bool:
    """Always False."""
    return False


# Set by scripts for reproducibility or speed; ndgrad has no cuDNN, so they change nothing.
enabled = False
deterministic = False
benchmark = False
allow_tf32 = False


def version() -> None:
    """None, as PyTorch answers without cuDNN."""
    return None
