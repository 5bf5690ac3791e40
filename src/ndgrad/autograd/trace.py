"""Backward trace: what each node of the graph received while backward ran.

>>> import ndgrad
>>> x = ndgrad.tensor([1.0, -2.0, 3.0], requires_grad=True)
>>> loss = (x * x).sum()
>>> with ndgrad.autograd.trace(params={"x": x}) as t:
...     loss.backward()
>>> [r.op for r in t.records]
['SumBackward0', 'MulBackward0', 'AccumulateGrad']
>>> t.records[-1].name, t.records[-1].grad_max
('x', 6.0)

The engine calls the active tracer once per node, right after the node ran (see
``engine.run_backward``); with no tracer active that costs one attribute check per node. The
``AccumulateGrad`` nodes of the inputs of ``autograd.grad`` (which write no ``.grad``) are not
recorded.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from .._namespace import public_dir
from ._graph import node_label, tensor_names
from .function import AccumulateGrad, Node
from .grad_mode import _state

if TYPE_CHECKING:
    pass

__all__ = ["GradStats", "TraceRecord", "Tracer", "trace"]
__dir__ = public_dir(__name__)

Shape = tuple[int, ...]


@dataclass
class GradStats:
    """Summary of some gradient arrays: L2 norm, min, max and counts of NaN and ±inf."""

    norm: float | None = None
    min: float | None = None
    max: float | None = None
    nan: int = 0
    inf: int = 0
    zero: bool = True  # every element is 0 (or there is none)
    present: bool = False  # at least one gradient was not None

    @classmethod
    def of(cls, grads: Sequence[Any]) -> GradStats:
        arrays = [np.asarray(g._data, dtype=np.float64) for g in grads if hasattr(g, "_data")]
        stats = cls(present=bool(arrays))
        if not arrays:
            return stats
        flat = np.concatenate([a.reshape(-1) for a in arrays])
        if flat.size == 0:
            stats.norm = 0.0
            return stats
        nan = np.isnan(flat)
        stats.nan, stats.inf = int(nan.sum()), int(np.isinf(flat).sum())
        with np.errstate(over="ignore"):
            stats.norm = float(np.sqrt(np.sum(flat * flat)))
        values = flat[~nan]  # min and max ignore NaN (and include ±inf)
        if values.size:
            stats.min, stats.max = float(values.min()), float(values.max())
        stats.zero = not bool(np.any(flat != 0)) and stats.nan == 0
        return stats

    @property
    def finite(self) -> bool:
        return self.nan == 0 and self.inf == 0


@dataclass
class TraceRecord:
    """One node's step of a backward pass.

    ``input_shapes`` are the shapes of the op's tensor inputs (the gradients it sends on),
    ``output_shapes`` those of its forward outputs (the gradients it receives). The ``grad_*``
    fields describe the incoming gradient (all outputs together); ``out`` describes what the
    node sent on. ``name`` is the leaf's name for an ``AccumulateGrad`` given ``params``.
    """

    index: int
    op: str
    input_shapes: list[Shape]
    output_shapes: list[Shape]
    grad_norm: float | None
    grad_min: float | None
    grad_max: float | None
    grad_nan: int
    grad_inf: int
    out: GradStats
    name: str | None = None
    node: Node | None = field(default=None, repr=False, compare=False)
    # With keep_grads=True: the incoming gradients and what the node returned (arrays or None).
    grads_in: list[np.ndarray | None] | None = field(default=None, repr=False, compare=False)
    grads_out: list[np.ndarray | None] | None = field(default=None, repr=False, compare=False)

    @property
    def grad_finite(self) -> bool:
        return self.grad_nan == 0 and self.grad_inf == 0


def _fmt_shapes(shapes: Sequence[Shape]) -> str:
    return " ".join("[" + ",".join(map(str, s)) + "]" for s in shapes)


def _fmt_num(x: float | None) -> str:
    if x is None:
        return "-"
    if math.isfinite(x) and x != 0 and (abs(x) >= 1e5 or abs(x) < 1e-3):
        return f"{x:.3e}"
    return f"{x:.4g}"


class Tracer:
    """Collects a ``TraceRecord`` per node while active (use ``trace()``)."""

    def __init__(self, params: Any = None, keep_grads: bool = False) -> None:
        self.records: list[TraceRecord] = []
        self.keep_grads = keep_grads
        self._names = tensor_names(params)
        self._previous: Any = None

    def __call__(self, node: Node, grads: Sequence[Any], outputs: Sequence[Any]) -> None:
        stats = GradStats.of(grads)
        name = None
        if isinstance(node, AccumulateGrad):
            name = self._names.get(id(node.variable))
        record = TraceRecord(
            index=len(self.records),
            op=node_label(node),
            input_shapes=[tuple(shape) for _, _, shape, _ in filter(None, node._edges)],
            output_shapes=[tuple(m[0]) for m in node._output_meta],
            grad_norm=stats.norm,
            grad_min=stats.min,
            grad_max=stats.max,
            grad_nan=stats.nan,
            grad_inf=stats.inf,
            out=GradStats.of(outputs),
            name=name,
            node=node,
        )
        if self.keep_grads:
            record.grads_in = [None if g is None else g._data for g in grads]
            record.grads_out = [None if g is None else getattr(g, "_data", g) for g in outputs]
        self.records.append(record)

    def __enter__(self) -> Tracer:
        self._previous = _state.tracer
        _state.tracer = self
        return self

    def __exit__(self, *exc: object) -> None:
        _state.tracer = self._previous

    def table(self) -> str:
        """The records as a text table, one row per node in execution order."""
        header = ["#", "op", "in shapes", "out shapes", "grad norm", "min", "max", "nan", "inf"]
        rows = [header]
        for r in self.records:
            op = r.op if r.name is None else f"{r.op} ({r.name})"
            rows.append(
                [
                    str(r.index),
                    op,
                    _fmt_shapes(r.input_shapes),
                    _fmt_shapes(r.output_shapes),
                    _fmt_num(r.grad_norm),
                    _fmt_num(r.grad_min),
                    _fmt_num(r.grad_max),
                    str(r.grad_nan),
                    str(r.grad_inf),
                ]
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        lines = []
        for k, row in enumerate(rows):
            cells = [
                c.ljust(w) if i in (1, 2, 3) else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ]
            lines.append("  ".join(cells).rstrip())
            if k == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        return f"<Tracer with {len(self.records)} records>"

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[TraceRecord]:
        return iter(self.records)

    @overload
    def __getitem__(self, index: int) -> TraceRecord: ...
    @overload
    def __getitem__(self, index: slice) -> list[TraceRecord]: ...
    def __getitem__(self, index: int | slice) -> TraceRecord | list[TraceRecord]:
        return self.records[index]


def trace(params: Any = None, keep_grads: bool = False) -> Tracer:
    """Record every node that backward runs in this thread while the ``with`` block is active.

    ``params`` names the leaves (a dict, ``model.named_parameters()`` or the Module);
    ``keep_grads=True`` also keeps each node's incoming and outgoing gradient arrays
    (``grads_in``/``grads_out``). The tracer is a sequence of its records: ``len(t)``,
    ``t[0]``, ``for record in t``.
    """
    return Tracer(params, keep_grads)
