"""How a workload describes its table columns and its targets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Results = dict[str, dict[str, Any]]  # library -> metric -> value (float, or a str note)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    unit: str
    ratio_to: str | None = None  # the library this column's ratio is taken against
    digits: int = 3


@dataclass(frozen=True)
class Target:
    """``lib``'s ``key`` divided by ``ref``'s ``ref_key`` must be at most ``limit``.

    ``check`` replaces the ratio test for targets that are not ratios (it returns
    ``(passed, shown_value)``).
    """

    text: str
    key: str = ""
    ref: str = ""
    ref_key: str = ""
    limit: float = 1.0
    lib: str = "ndgrad"
    check: Callable[[Results], tuple[bool | None, str]] | None = None

    def evaluate(self, results: Results) -> tuple[bool | None, str]:
        """(True/False, shown value), or (None, reason) when it cannot be judged in this run."""
        if self.check is not None:
            return self.check(results)
        mine = results.get(self.lib, {}).get(self.key)
        theirs = results.get(self.ref, {}).get(self.ref_key or self.key)
        if not isinstance(mine, float | int):
            return None, f"{self.lib}: {mine or 'not run'}"
        if not isinstance(theirs, float | int) or theirs <= 0:
            return None, f"{self.ref}: {theirs or 'not run'}"
        ratio = mine / theirs
        return ratio <= self.limit, f"{ratio:.2f}x"


def ahead_of_peers(what: str, key: str) -> list[Target]:
    """Issue 13: ndgrad at most as slow as HIPS autograd and as MyGrad on ``key``."""
    return [
        Target(f"{what} <= HIPS autograd", key, "autograd", limit=1.0),
        Target(f"{what} <= MyGrad", key, "mygrad", limit=1.0),
    ]
