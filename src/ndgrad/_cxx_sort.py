"""The order PyTorch's CPU ``topk`` gives tied values: libstdc++'s selection and sorting.

``topk`` on the CPU puts (value, index) pairs in index order, then, for the largest ``k`` of
``n``, runs ``std::partial_sort`` (when ``k * 64 <= n``) or ``std::nth_element`` followed by
``std::sort`` of the first ``k - 1``, comparing values only (NaN first, then larger). Those
algorithms are not stable, so the order of equal values is whatever their steps leave; this
module follows the steps of GCC's libstdc++ (introselect with median-of-three pivots, heap
selection, introsort with a final insertion sort below 16 elements), so that tied values come
out in PyTorch's order. It is plain Python: callers use it only where ties decide the result.
"""

from __future__ import annotations

Pair = tuple[float, int]

_THRESHOLD = 16  # libstdc++'s _S_threshold: insertion sort below this many elements


def _before(a: float, b: float) -> bool:
    """PyTorch's comparator for the largest values: NaN before numbers, then larger first."""
    return (a != a and b == b) or a > b


def _adjust_heap(q: list[Pair], first: int, hole: int, length: int, value: Pair) -> None:
    top = child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if _before(q[first + child][0], q[first + child - 1][0]):
            child -= 1
        q[first + hole] = q[first + child]
        hole = child
    if length & 1 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        q[first + hole] = q[first + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and _before(q[first + parent][0], value[0]):
        q[first + hole] = q[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    q[first + hole] = value


def _make_heap(q: list[Pair], first: int, last: int) -> None:
    length = last - first
    if length < 2:
        return
    for parent in range((length - 2) // 2, -1, -1):
        _adjust_heap(q, first, parent, length, q[first + parent])


def _pop_heap(q: list[Pair], first: int, last: int, result: int) -> None:
    value = q[result]
    q[result] = q[first]
    _adjust_heap(q, first, 0, last - first, value)


def _heap_select(q: list[Pair], first: int, middle: int, last: int) -> None:
    _make_heap(q, first, middle)
    for i in range(middle, last):
        if _before(q[i][0], q[first][0]):
            _pop_heap(q, first, middle, i)


def _partial_sort(q: list[Pair], first: int, middle: int, last: int) -> None:
    _heap_select(q, first, middle, last)
    while middle - first > 1:  # sort_heap
        middle -= 1
        _pop_heap(q, first, middle, middle)


def _partition_pivot(q: list[Pair], first: int, last: int) -> int:
    """Median of (first + 1, middle, last - 1) moved to ``first``, then Hoare's partition."""
    a, b, c = first + 1, first + (last - first) // 2, last - 1
    va, vb, vc = q[a][0], q[b][0], q[c][0]
    if _before(va, vb):
        m = b if _before(vb, vc) else c if _before(va, vc) else a
    else:
        m = a if _before(va, vc) else c if _before(vb, vc) else b
    q[first], q[m] = q[m], q[first]
    pivot = q[first][0]
    lo, hi = first + 1, last
    while True:
        while _before(q[lo][0], pivot):
            lo += 1
        hi -= 1
        while _before(pivot, q[hi][0]):
            hi -= 1
        if lo >= hi:
            return lo
        q[lo], q[hi] = q[hi], q[lo]
        lo += 1


def _linear_insert(q: list[Pair], last: int) -> None:
    value = q[last]
    while _before(value[0], q[last - 1][0]):
        q[last] = q[last - 1]
        last -= 1
    q[last] = value


def _insertion_sort(q: list[Pair], first: int, last: int) -> None:
    for i in range(first + 1, last):
        if _before(q[i][0], q[first][0]):
            q[first : i + 1] = [q[i], *q[first:i]]
        else:
            _linear_insert(q, i)


def _nth_element(q: list[Pair], first: int, nth: int, last: int) -> None:
    if first == last or nth == last:
        return
    depth = 2 * ((last - first).bit_length() - 1)
    while last - first > 3:
        if depth == 0:
            _heap_select(q, first, nth + 1, last)
            q[first], q[nth] = q[nth], q[first]
            return
        depth -= 1
        cut = _partition_pivot(q, first, last)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(q, first, last)


def _introsort_loop(q: list[Pair], first: int, last: int, depth: int) -> None:
    while last - first > _THRESHOLD:
        if depth == 0:
            _partial_sort(q, first, last, last)
            return
        depth -= 1
        cut = _partition_pivot(q, first, last)
        _introsort_loop(q, cut, last, depth)
        last = cut


def _sort(q: list[Pair], first: int, last: int) -> None:
    if last - first < 2:
        return
    _introsort_loop(q, first, last, 2 * ((last - first).bit_length() - 1))
    if last - first > _THRESHOLD:
        _insertion_sort(q, first, first + _THRESHOLD)
        for i in range(first + _THRESHOLD, last):
            _linear_insert(q, i)
    else:
        _insertion_sort(q, first, last)


def topk_indices(values: list[float], k: int) -> list[int]:
    """The indices of PyTorch's CPU ``topk(values, k)`` (largest, sorted), ties included."""
    n = len(values)
    q = [(v, i) for i, v in enumerate(values)]
    if k * 64 <= n:
        _partial_sort(q, 0, k, n)
    else:
        _nth_element(q, 0, k - 1, n)
        _sort(q, 0, k - 1)
    return [i for _, i in q[:k]]
