"""What a graph edge's layout costs per recorded op: a plain tuple, a NamedTuple, a __slots__ class.

    python benchmarks/edge_layout.py

Every op ndgrad records makes one edge per input that needs a gradient, and the graph keeps it
until it is freed. This script builds chains of 1,000 minimal nodes (a class like ndgrad's Node,
holding its edges in a tuple), each with one edge of the given layout, and frees them, with the
cyclic collector on as in a user's program; it prints the time per node of each layout, the
median of 15 repeats of 20 chains, in one process (1 thread, thread CPU time).

Measured on ndgrad itself (workload 1's chain, forward only, alternating runs of both codes), a
NamedTuple edge made the forward 0.3-0.45 us per op slower than a plain tuple, and a __slots__
class 0.2-0.35 us: hence plain tuples (autograd/function.py, ``Edge``). This script shows the
cost of the layouts alone.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np


class _NamedEdge(NamedTuple):
    node: Any
    input_nr: int
    shape: tuple[int, ...]
    dtype: np.dtype


class _SlotsEdge:
    __slots__ = ("dtype", "input_nr", "node", "shape")

    def __init__(self, node: Any, input_nr: int, shape: tuple[int, ...], dtype: np.dtype) -> None:
        self.node = node
        self.input_nr = input_nr
        self.shape = shape
        self.dtype = dtype


class _Node:
    _edges: tuple[Any, ...] = ()


_SHAPE = (4,)
_DTYPE = np.dtype(np.float64)
_new_tuple = tuple.__new__


def chain_tuple(n: int) -> _Node:
    prev = None
    for _ in range(n):
        node = _Node()
        node._edges = ((prev, 0, _SHAPE, _DTYPE),)
        prev = node
    return prev  # type: ignore[return-value]


def chain_named(n: int) -> _Node:
    prev = None
    for _ in range(n):
        node = _Node()
        node._edges = (_new_tuple(_NamedEdge, (prev, 0, _SHAPE, _DTYPE)),)  # its fastest form
        prev = node
    return prev  # type: ignore[return-value]


def chain_slots(n: int) -> _Node:
    prev = None
    for _ in range(n):
        node = _Node()
        node._edges = (_SlotsEdge(prev, 0, _SHAPE, _DTYPE),)
        prev = node
    return prev  # type: ignore[return-value]


def ns_per_node(build: Callable[[int], _Node], n: int = 1000, chains: int = 20) -> float:
    times = []
    for _ in range(15):
        t0 = time.thread_time()
        for _ in range(chains):
            root = build(n)
            del root  # freed here, node by node
        times.append((time.thread_time() - t0) / (chains * n) * 1e9)
    return statistics.median(times)


def main() -> None:
    layouts = {"plain tuple": chain_tuple, "NamedTuple": chain_named, "__slots__": chain_slots}
    base = ns_per_node(chain_tuple)
    for name, build in layouts.items():
        ns = ns_per_node(build)
        print(f"{name:12s} {ns:6.0f} ns per node (built and freed)  {ns - base:+5.0f} ns")


if __name__ == "__main__":
    main()
