"""randperm's vectorised Fisher-Yates (``_random._swaps_result``) against the swaps done one by
one, on random and on adversarial swap targets, across its size thresholds."""

from __future__ import annotations

import numpy as np
import pytest

import ndgrad
from ndgrad import _random


def _swaps_one_by_one(n: int, j: np.ndarray) -> list[int]:
    perm = list(range(n))
    for i, k in enumerate(j.tolist()):
        perm[i], perm[k] = perm[k], perm[i]
    return perm


def _random_targets(rng: np.random.Generator, n: int) -> np.ndarray:
    """j[i] uniform in [i, n), as randperm draws them."""
    return np.arange(n - 1) + rng.integers(0, np.arange(n, 1, -1))


def _adversarial_targets(n: int) -> dict[str, np.ndarray]:
    i = np.arange(n - 1)
    return {
        "no swaps": i.copy(),  # every step swaps a place with itself
        "all into the last place": np.full(n - 1, n - 1),  # one place, n - 1 movers: n rounds
        "each into the next": i + 1,  # one long chain of last movers
        "into the last half": np.maximum(i, n // 2 + i % (n - n // 2)),  # crowded places
        "alternating": np.where(i % 2 == 0, i, n - 1),
    }


SIZES = [2, 3, 4, 5, 17, 255, 256, 257, 449, 450, 451, 1000, 65535, 65536, 65537, 200_000]


@pytest.mark.parametrize("n", SIZES)
def test_swaps_result_is_the_swaps_one_by_one(n: int) -> None:
    rng = np.random.default_rng(n)
    for _ in range(20 if n < 1000 else 3):
        j = _random_targets(rng, n)
        assert _random._swaps_result(n, j).tolist() == _swaps_one_by_one(n, j)


@pytest.mark.parametrize("n", [2, 3, 5, 300, 65535, 65537, 100_000])
def test_swaps_result_on_adversarial_targets(n: int) -> None:
    for name, j in _adversarial_targets(n).items():
        assert (j >= np.arange(n - 1)).all() and (j < n).all(), name
        assert _random._swaps_result(n, j).tolist() == _swaps_one_by_one(n, j), name


def test_swaps_result_keeps_wide_targets_and_takes_32_bit_ones() -> None:
    """int64 targets are copied; int32 ones (what _randperm passes) give the same result."""
    n = 70_000
    j = _random_targets(np.random.default_rng(1), n)
    before = j.copy()
    expected = _swaps_one_by_one(n, j)
    assert _random._swaps_result(n, j).tolist() == expected
    assert np.array_equal(j, before)
    assert _random._swaps_result(n, j.astype(np.int32)).tolist() == expected


@pytest.mark.parametrize("n", [0, 1, 449, 450, 451, 65535, 65536, 65537])
def test_randperm_around_its_thresholds_is_fisher_yates(n: int) -> None:
    g = ndgrad.Generator().manual_seed(n)
    words = g._raw32(max(n - 1, 0))
    j = np.arange(max(n - 1, 0)) + words % np.arange(n, 1, -1, dtype=np.uint64)
    g.manual_seed(n)
    perm = ndgrad.randperm(n, generator=g)
    assert perm.dtype == ndgrad.int64
    assert perm.tolist() == _swaps_one_by_one(n, j.astype(np.int64))
