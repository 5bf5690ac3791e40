"""OneHotCategorical and OneHotCategoricalStraightThrough (defined with Categorical)."""

from __future__ import annotations

from .categorical import OneHotCategorical, OneHotCategoricalStraightThrough

__all__ = ["OneHotCategorical", "OneHotCategoricalStraightThrough"]
