"""ndgrad.backends.mkl: not available (ndgrad computes with numpy on the CPU)."""

from __future__ import annotations

from .._namespace import public_dir

__all__ = ["is_available"]
__dir__ = public_dir(__name__)


def is_available() -> bool:
    """Always False."""
    return False
