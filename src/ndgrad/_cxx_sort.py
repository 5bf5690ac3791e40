"""The order PyTorch's CPU ``topk``, ``sort`` and ``mode`` give tied values: libstdc++'s
selection and sorting.

``topk`` on the CPU puts (value, index) pairs in index order, then, for the largest ``k`` of
``n``, runs ``std::partial_sort`` (when ``k * 64 <= n``) or ``std::nth_element`` followed by
``std::sort`` of the first ``k - 1``, comparing values only (NaN first, then larger). ``mode``
``std::sort``s the pairs by value (``<``) and takes the last index of the longest run;
``sort`` without ``stable=True`` ``std::sort``s them with topk's comparators. Those
algorithms are not stable, so the order of equal values is whatever their steps leave; this
module follows the steps of GCC's libstdc++ (introselect with median-of-three pivots, heap
selection, introsort with a final insertion sort below 16 elements), with the caller's
comparator, so that tied values come out in PyTorch's order. It is plain Python: callers use it
only where ties decide the result.
"""

from __future__ import annotations

from collections.abc import Callable

Pair = tuple[float, int]
Before = Callable[[float, float], bool]  # the comparator: whether a comes before b

THRESHOLD = 16  # libstdc++'s _S_threshold: insertion sort below this many elements


def _before(a: float, b: float) -> bool:
    """PyTorch's comparator for the largest values: NaN before numbers, then larger first."""
    return (a != a and b == b) or a > b


def _adjust_heap(
    q: list[Pair], first: int, hole: int, length: int, value: Pair, before: Before
) -> None:
    top = child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if before(q[first + child][0], q[first + child - 1][0]):
            child -= 1
        q[first + hole] = q[first + child]
        hole = child
    if length & 1 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        q[first + hole] = q[first + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and before(q[first + parent][0], value[0]):
        q[first + hole] = q[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    q[first + hole] = value


def _make_heap(q: list[Pair], first: int, last: int, before: Before) -> None:
    length = last - first
    if length < 2:
        return
    for parent in range((length - 2) // 2, -1, -1):
        _adjust_heap(q, first, parent, length, q[first + parent], before)


def _pop_heap(q: list[Pair], first: int, last: int, result: int, before: Before) -> None:
    value = q[result]
    q[result] = q[first]
    _adjust_heap(q, first, 0, last - first, value, before)


def _heap_select(q: list[Pair], first: int, middle: int, last: int, before: Before) -> None:
    _make_heap(q, first, middle, before)
    for i in range(middle, last):
        if before(q[i][0], q[first][0]):
            _pop_heap(q, first, middle, i, before)


def _partial_sort(q: list[Pair], first: int, middle: int, last: int, before: Before) -> None:
    _heap_select(q, first, middle, last, before)
    while middle - first > 1:  # sort_heap
        middle -= 1
        _pop_heap(q, first, middle, middle, before)


def _partition_pivot(q: list[Pair], first: int, last: int, before: Before) -> int:
    """Median of (first + 1, middle, last - 1) moved to ``first``, then Hoare's partition."""
    a, b, c = first + 1, first + (last - first) // 2, last - 1
    va, vb, vc = q[a][0], q[b][0], q[c][0]
    if before(va, vb):
        m = b if before(vb, vc) else c if before(va, vc) else a
    else:
        m = a if before(va, vc) else c if before(vb, vc) else b
    q[first], q[m] = q[m], q[first]
    pivot = q[first][0]
    lo, hi = first + 1, last
    while True:
        while before(q[lo][0], pivot):
            lo += 1
        hi -= 1
        while before(pivot, q[hi][0]):
            hi -= 1
        if lo >= hi:
            return lo
        q[lo], q[hi] = q[hi], q[lo]
        lo += 1


def _linear_insert(q: list[Pair], last: int, before: Before) -> None:
    value = q[last]
    while before(value[0], q[last - 1][0]):
        q[last] = q[last - 1]
        last -= 1
    q[last] = value


def _insertion_sort(q: list[Pair], first: int, last: int, before: Before) -> None:
    for i in range(first + 1, last):
        if before(q[i][0], q[first][0]):
            q[first : i + 1] = [q[i], *q[first:i]]
        else:
            _linear_insert(q, i, before)


def _nth_element(q: list[Pair], first: int, nth: int, last: int, before: Before) -> None:
    if first == last or nth == last:
        return
    depth = 2 * ((last - first).bit_length() - 1)
    while last - first > 3:
        if depth == 0:
            _heap_select(q, first, nth + 1, last, before)
            q[first], q[nth] = q[nth], q[first]
            return
        depth -= 1
        cut = _partition_pivot(q, first, last, before)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(q, first, last, before)


def _introsort_loop(q: list[Pair], first: int, last: int, depth: int, before: Before) -> None:
    while last - first > THRESHOLD:
        if depth == 0:
            _partial_sort(q, first, last, last, before)
            return
        depth -= 1
        cut = _partition_pivot(q, first, last, before)
        _introsort_loop(q, cut, last, depth, before)
        last = cut


def _sort(q: list[Pair], first: int, last: int, before: Before) -> None:
    if last - first < 2:
        return
    _introsort_loop(q, first, last, 2 * ((last - first).bit_length() - 1), before)
    if last - first > THRESHOLD:
        _insertion_sort(q, first, first + THRESHOLD, before)
        for i in range(first + THRESHOLD, last):
            _linear_insert(q, i, before)
    else:
        _insertion_sort(q, first, last, before)


def _smaller(a: float, b: float) -> bool:
    """PyTorch's comparator for the smallest values: numbers before NaN, then smaller first."""
    return (a == a and b != b) or a < b


def topk_indices(
    values: list[float], k: int, largest: bool = True, sorted: bool = True
) -> list[int]:
    """The indices of PyTorch's CPU ``topk(values, k, largest=, sorted=)``, ties included
    (unsorted: in the order ``std::nth_element`` leaves them)."""
    n = len(values)
    before = _before if largest else _smaller
    q = [(v, i) for i, v in enumerate(values)]
    if k * 64 <= n:
        _partial_sort(q, 0, k, n, before)
    else:
        _nth_element(q, 0, k - 1, n, before)
        if sorted:
            _sort(q, 0, k - 1, before)
    return [i for _, i in q[:k]]


def sort_indices(values: list[float], descending: bool = False) -> list[int]:
    """The indices of PyTorch's CPU ``sort(values, descending=, stable=False)``: the (value,
    index) pairs ``std::sort``-ed by value, NaN last (first when descending)."""
    q = [(v, i) for i, v in enumerate(values)]
    _sort(q, 0, len(q), _before if descending else _smaller)
    return [i for _, i in q]


def _less(a: float, b: float) -> bool:
    """``std::sort``'s default comparison of numbers (NaN is neither less nor greater)."""
    return a < b


def mode_pick(values: list[float]) -> tuple[float, int]:
    """(value, index) of PyTorch's CPU ``mode`` of ``values``: the (value, index) pairs are
    ``std::sort``-ed by value, then the first longest run of equal values wins, with the index
    of its last pair (a NaN equals nothing, not even another NaN)."""
    q = [(v, i) for i, v in enumerate(values)]
    _sort(q, 0, len(q), _less)
    best = (q[0][0], q[0][1]) if q else (0.0, 0)
    longest = run = 0
    for j, (v, i) in enumerate(q):
        run += 1
        if j == len(q) - 1 or v != q[j + 1][0]:
            if run > longest:
                best, longest = (v, i), run
            run = 0
    return best
