"""LogNormal (defined with TransformedDistribution)."""

from __future__ import annotations

from .transformed_distribution import LogNormal

__all__ = ["LogNormal"]
