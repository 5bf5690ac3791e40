"""ndgrad.backends.openmp: not available (ndgrad computes with numpy on the CPU)."""

from __future__ import annotations


def is_available() -> bool:
    """Always False."""
    return False
