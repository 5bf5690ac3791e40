"""Indexing: __getitem__, __setitem__, gather/scatter, masked ops."""

from __future__ import annotations

__all__: list[str] = []


class IndexingMethods:
    """Tensor methods of the indexing ops."""
