"""NaN provenance: which node of a backward pass first produced a non-finite gradient, and why.

>>> import ndgrad
>>> x = ndgrad.tensor([0.0, 1.0, 4.0], requires_grad=True)
>>> y = ndgrad.where(x > 0, x.sqrt(), ndgrad.zeros(3))
>>> report = explain_nan(y.sum())
>>> report.cause, report.node
('where_mask', 'SqrtBackward0')

The classic case is the where/mask pattern above: ``where`` picks ``sqrt(x)`` only where
``x > 0``, but sqrt's backward still runs on every element, and where the mask is false it
multiplies its infinite derivative (at 0) by the zero gradient ``where`` sends: 0 * inf = NaN.
``explain_nan`` runs its own backward pass (with the graph kept; ``.grad`` is not written), so
call it before ``backward()``, or after ``backward(retain_graph=True)``.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._namespace import public_dir
from .._tensor import Tensor
from ._backward import _make_grads
from ._engine import run_backward
from ._graph import consumers, hooks_off, node_label, path_between, root_nodes, walk
from .function import AccumulateGrad, Node
from .record import creation_site, format_site
from .trace import Tracer

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = ["NanReport", "explain_nan"]
__dir__ = public_dir(__name__)

_FIX = (
    "mask the input before the unsafe op, so that it never sees the bad values:\n"
    "    x_safe = torch.where(mask, x, 1.0)  # any value where the op is finite\n"
    "    y = torch.where(mask, f(x_safe), other)"
)


@dataclass
class NanReport:
    """``cause``: 'finite' (no non-finite gradient), 'forward' (the output itself is not finite),
    'root' (the gradient given to backward is not), 'node' (a node made it) or 'where_mask'
    (a node made it from a zero gradient sent by ``where``: 0 * inf)."""

    cause: str
    message: str
    node: str | None = None
    site: traceback.FrameSummary | None = None
    path: list[str] = field(default_factory=list)
    hint: str | None = None
    trace: Tracer | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.cause == "finite"

    def __str__(self) -> str:
        lines = [f"[{self.cause}] {self.message}"]
        if self.node is not None:
            lines.append(f"where: {self.node}, created at {format_site(self.site)}")
        if self.path:
            lines.append("path (output -> node): " + " -> ".join(self.path))
        if self.hint:
            lines.append(f"fix: {self.hint}")
        return "\n".join(lines)


def _nonfinite(arrays: list[Any] | None) -> bool:
    return any(a is not None and not np.all(np.isfinite(a)) for a in arrays or ())


def explain_nan(output: Tensor, gradient: Tensor | None = None) -> NanReport:
    """Run backward from ``output`` with a tracer and name the first node whose gradient is
    not finite although what it received was; detect the where/mask pattern (see module doc)."""
    if not np.all(np.isfinite(output._data)):
        return NanReport(
            "forward",
            "the output is already NaN or inf in the forward pass: the problem is upstream of "
            "backward. Check the forward values op by op (anomaly mode names the op).",
        )
    roots = root_nodes(output)
    if not roots:
        raise RuntimeError("explain_nan: output does not require grad and has no grad_fn")
    if gradient is None and output._data.size != 1:
        gradient = Tensor._make(np.ones_like(output._data))
    root_grads = _make_grads([output], [gradient])
    if _nonfinite([root_grads[0]._data]):
        return NanReport("root", "the gradient given to backward contains NaN or inf.")
    nodes = walk(roots)
    # Capture the leaves' gradients instead of accumulating them: .grad stays untouched.
    leaves = [(n, 0) for n in nodes if isinstance(n, AccumulateGrad)]
    tracer = Tracer(keep_grads=True)
    root_edge = (roots[0], output._output_nr if output.grad_fn is not None else 0)
    with tracer, hooks_off(nodes, ("_retained",)):  # no retained .grad written
        run_backward([root_edge], root_grads, True, False, leaves, accumulate=False)

    for record in tracer.records:
        if _nonfinite(record.grads_in) or not _nonfinite(record.grads_out):
            continue
        node = record.node
        assert node is not None
        path = [node_label(n) for n in path_between(roots, node) or [node]]
        counts = f" ({record.out.nan} NaN and {record.out.inf} inf elements in what it returned)"
        where = _masked_by_where(node, record, nodes)
        site = creation_site(node)
        if where is not None:
            return NanReport(
                "where_mask",
                f"{node_label(node)} turned a zero gradient into NaN (0 * inf){counts}: its "
                "derivative is infinite or undefined at some input values, and "
                f"{node_label(where)} sent it zeros "
                "exactly there, for the elements it did not select. where() does not stop the "
                "unselected branch's backward from running.",
                node=node_label(node),
                site=site,
                path=path,
                hint=_FIX,
                trace=tracer,
            )
        return NanReport(
            "node",
            f"{node_label(node)} is the first node whose gradient is not finite although the "
            f"gradient it received was{counts}: its derivative is infinite or undefined at some "
            "of its input values (log or division at 0, sqrt at 0, overflow...).",
            node=node_label(node),
            site=site,
            path=path,
            hint="keep the op's input away from the singular values (clamp it, add an epsilon), "
            "or mask the input before the op",
            trace=tracer,
        )
    return NanReport("finite", "every gradient of this backward pass is finite.", trace=tracer)


def _masked_by_where(node: Node, record: Any, nodes: list[Node]) -> Node | None:
    """The WhereBackward node that sent ``node`` zeros where it produced NaN, if any."""
    grads_in = [g for g in record.grads_in or () if g is not None]
    bad_out = [np.asarray(g) for g in record.grads_out or () if g is not None]
    bad_out = [~np.isfinite(g) for g in bad_out if not np.all(np.isfinite(g))]
    # 0 * inf: the non-finite elements sit where the incoming gradient is zero. (Compared
    # elementwise when the shapes match, as for the elementwise ops this happens in.)
    matched = False
    for g in grads_in:
        for bad in bad_out:
            zero = g == 0
            matched |= bool(np.any(bad & zero)) if bad.shape == zero.shape else bool(zero.any())
    if not matched:
        return None
    # Walk up towards the output through the nodes that fed this one (a few elementwise steps).
    back = consumers(nodes)
    frontier = [node]
    seen = {node}
    for _ in range(8):
        nxt = []
        for n in frontier:
            for consumer, _i in back.get(n, ()):
                if node_label(consumer).startswith("WhereBackward"):
                    return consumer
                if consumer not in seen:
                    seen.add(consumer)
                    nxt.append(consumer)
        frontier = nxt
    return None
