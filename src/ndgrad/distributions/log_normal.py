"""LogNormal (defined with TransformedDistribution)."""

from __future__ import annotations

from .._namespace import public_dir
from .transformed_distribution import LogNormal

__all__ = ["LogNormal"]
__dir__ = public_dir(__name__)
