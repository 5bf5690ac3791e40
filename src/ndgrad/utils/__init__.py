"""ndgrad.utils: tools built on the core (as torch.utils)."""

from __future__ import annotations

from . import checkpoint

__all__ = ["checkpoint"]
