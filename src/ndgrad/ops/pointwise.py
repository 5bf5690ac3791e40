"""Elementwise math beyond the foundation's: trigonometric, rounding, clamping, comparisons..."""

from __future__ import annotations

__all__: list[str] = []


class PointwiseMethods:
    """Tensor methods of the pointwise ops."""
