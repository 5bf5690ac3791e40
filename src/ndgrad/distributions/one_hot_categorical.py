"""OneHotCategorical and OneHotCategoricalStraightThrough (defined with Categorical)."""

from __future__ import annotations

from .._namespace import public_dir
from .categorical import OneHotCategorical, OneHotCategoricalStraightThrough

__all__ = ["OneHotCategorical", "OneHotCategoricalStraightThrough"]
__dir__ = public_dir(__name__)
