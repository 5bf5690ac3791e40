"""Per-node gradcheck: check every op of one real forward pass at the values it really saw.

``gradcheck`` checks a function you hand it; in a model, the op with the wrong backward is one
node among many. ``gradcheck_graph(output)`` re-runs each node's op on (float64 copies of) the
inputs it received, compares its backward with central finite differences along random
directions, and reports the first node, in forward order, that disagrees, with the user line
that created it. Build the graph inside ``record_inputs()`` so the nodes keep their inputs.

Where an op is not differentiable at the values it saw (relu, abs or clamp at a kink, a tie in
max, max-pooling or sort), no backward can match central differences. When a check disagrees,
the one-sided differences decide: if some output's right and left derivatives differ, the node
is reported as not differentiable there, with both one-sided directional derivatives, and does
not count as a failure.

>>> import ndgrad
>>> from ndgrad.autograd import gradcheck_graph, record_inputs
>>> w = ndgrad.randn(3, 2, requires_grad=True)
>>> with record_inputs():
...     loss = (ndgrad.ones(4, 3) @ w).tanh().sum()
>>> report = gradcheck_graph(loss)
>>> report.ok, len(report.results)
(True, 3)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._namespace import public_dir
from .._tensor import Tensor
from ._backward import grad as autograd_grad
from ._graph import node_label, root_nodes, walk
from .function import AccumulateGrad, Node
from .grad_mode import no_grad
from .record import RecordedArg, _paused, format_site, node_record

if TYPE_CHECKING:
    import traceback

    from .._tensor import Tensor

__all__ = ["GraphCheckReport", "NodeCheck", "gradcheck_graph"]
__dir__ = public_dir(__name__)


@dataclass
class NodeCheck:
    """The check of one node: per checked input, the analytical and numerical derivatives."""

    node: Node = field(repr=False)
    op: str
    site: traceback.FrameSummary | None
    ok: bool = True
    input_index: int | None = None  # the first input whose gradient disagrees
    analytical: float | None = None
    numerical: float | None = None
    error: str | None = None  # the op's forward or backward raised
    # Not differentiable at the recorded values: the one-sided directional derivatives.
    nondifferentiable: bool = False
    left: float | None = None
    right: float | None = None

    def __str__(self) -> str:
        status = "ok" if self.ok else "FAILED"
        if self.nondifferentiable:
            status = "not differentiable here"
        text = f"{self.op}: {status}"
        if self.nondifferentiable:
            text += (
                f" (input {self.input_index}: one-sided derivatives {self.left:.6g} from the "
                f"left and {self.right:.6g} from the right; backward gives "
                f"{self.analytical:.6g}, which finite differences cannot check at a kink or a tie)"
            )
        if not self.ok:
            if self.error is not None:
                text += f" ({self.error})"
            else:
                text += (
                    f" at input {self.input_index}: backward gives {self.analytical:.6g}, "
                    f"finite differences give {self.numerical:.6g} (directional derivative)"
                )
            text += f"\n  created at {format_site(self.site)}"
        return text


@dataclass
class GraphCheckReport:
    """``ok``, every node's check (``results``, in forward order), and unrecorded nodes."""

    results: list[NodeCheck]
    unrecorded: list[str]

    @property
    def failures(self) -> list[NodeCheck]:
        return [r for r in self.results if not r.ok]

    @property
    def first_failure(self) -> NodeCheck | None:
        failures = self.failures
        return failures[0] if failures else None

    @property
    def nondifferentiable(self) -> list[NodeCheck]:
        """The nodes whose op is not differentiable at the values it received."""
        return [r for r in self.results if r.nondifferentiable]

    @property
    def ok(self) -> bool:
        return not self.failures

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        lines = [f"gradcheck_graph: {len(self.results)} nodes checked, {len(self.failures)} failed"]
        kinks = self.nondifferentiable
        if kinks:
            lines.append(
                f"{len(kinks)} not differentiable at the values they received (not failures):"
            )
            lines += ["  " + str(k).replace("\n", "\n  ") for k in kinks]
        first = self.first_failure
        if first is not None:
            lines.append("first failing node (in forward order):")
            lines.append("  " + str(first).replace("\n", "\n  "))
        if self.unrecorded:
            lines.append(
                f"{len(self.unrecorded)} nodes were not checked (created outside "
                "ndgrad.autograd.record_inputs()): " + ", ".join(sorted(set(self.unrecorded)))
            )
        return "\n".join(lines)


def gradcheck_graph(
    output: Tensor | Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    n_directions: int = 2,
    seed: int = 0,
) -> GraphCheckReport:
    """Check each recorded node of ``output``'s graph numerically (see the module docstring).

    A node passes when, for ``n_directions`` random input directions ``u`` and output weights
    ``v``, ``vᵀ J u`` from its backward matches central differences with step ``eps`` within
    ``atol + rtol * |value|``.
    """
    rng = np.random.default_rng(seed)
    nodes = [n for n in walk(root_nodes(output)) if not isinstance(n, AccumulateGrad)]
    nodes.sort(key=lambda n: n._sequence_nr)
    results: list[NodeCheck] = []
    unrecorded: list[str] = []
    with _paused():
        for node in nodes:
            record = node_record(node)
            if record is None:
                unrecorded.append(node_label(node))
                continue
            results.append(_check_node(node, record, rng, eps, atol, rtol, n_directions))
    return GraphCheckReport(results, unrecorded)


def _make_args(args: tuple[Any, ...], replace: dict[int, np.ndarray], grad: bool) -> list[Any]:
    made: list[Any] = []
    for i, a in enumerate(args):
        if isinstance(a, RecordedArg):
            data = replace.get(i)
            if data is None:
                data = a.data.astype(np.float64) if a.data.dtype.kind == "f" else a.data.copy()
            t = Tensor._make(data)
            if grad and a.requires_grad and data.dtype.kind == "f":
                t._requires_grad = True
            made.append(t)
        else:
            made.append(a)
    return made


def _float_outputs(out: Any) -> list[Any]:
    outs = out if isinstance(out, tuple) else (out,)
    return [o for o in outs if isinstance(o, Tensor) and o._data.dtype.kind == "f"]


def _check_node(
    node: Node,
    record: Any,
    rng: np.random.Generator,
    eps: float,
    atol: float,
    rtol: float,
    n_directions: int,
) -> NodeCheck:
    check = NodeCheck(node, node_label(node), record.site)
    fn, args = record.fn, record.args
    diff = [
        i
        for i, a in enumerate(args)
        if isinstance(a, RecordedArg) and a.requires_grad and a.data.dtype.kind == "f"
    ]
    try:
        for _ in range(n_directions):
            inputs = _make_args(args, {}, grad=True)
            outs = _float_outputs(fn.apply(*inputs))
            picked = [j for j, o in enumerate(outs) if o.requires_grad]
            if not picked:
                return check
            # An op that computes in a fixed lower precision (a cast to float32) gets a step
            # and tolerances that float32 finite differences can meet.
            low = any(outs[j]._data.dtype != np.float64 for j in picked)
            step, a_tol, r_tol = (
                (max(eps, 1e-3), max(atol, 1e-3), max(rtol, 1e-2))
                if low
                else (
                    eps,
                    atol,
                    rtol,
                )
            )
            vs = {j: rng.standard_normal(outs[j]._data.shape) for j in picked}
            grads = autograd_grad(
                [outs[j] for j in picked],
                [inputs[i] for i in diff],
                grad_outputs=[Tensor._make(vs[j].astype(outs[j]._data.dtype)) for j in picked],
                allow_unused=True,
            )
            for k, i in enumerate(diff):
                base = inputs[i]._data
                u = rng.standard_normal(base.shape)
                g = grads[k]
                analytical = 0.0 if g is None else float(np.sum(g._data * u))
                with no_grad():
                    plus = _float_outputs(fn.apply(*_make_args(args, {i: base + step * u}, False)))
                    minus = _float_outputs(fn.apply(*_make_args(args, {i: base - step * u}, False)))
                numerical = sum(
                    float(np.sum((plus[j]._data - minus[j]._data) / (2 * step) * vs[j]))
                    for j in picked
                )
                if not _close(analytical, numerical, a_tol, r_tol):
                    with no_grad():
                        at = _float_outputs(fn.apply(*_make_args(args, {}, False)))
                    kinks = _kinks(at, plus, minus, picked, step, a_tol, r_tol)
                    if kinks is not None:
                        # Not differentiable at some outputs; the others must still agree.
                        smooth = {j: np.where(kinks[j], 0.0, vs[j]) for j in picked}
                        analytical = _vjp_along(fn, args, i, u, picked, smooth)
                        numerical = sum(
                            float(np.sum((plus[j]._data - minus[j]._data) / (2 * step) * smooth[j]))
                            for j in picked
                        )
                        if _close(analytical, numerical, a_tol, r_tol):
                            check.nondifferentiable = True
                            check.input_index = i
                            check.analytical = 0.0 if g is None else float(np.sum(g._data * u))
                            check.left = sum(
                                float(np.sum((at[j]._data - minus[j]._data) / step * vs[j]))
                                for j in picked
                            )
                            check.right = sum(
                                float(np.sum((plus[j]._data - at[j]._data) / step * vs[j]))
                                for j in picked
                            )
                            continue
                    check.ok = False
                    check.input_index = i
                    check.analytical = analytical
                    check.numerical = numerical
                    return check
    except Exception as exc:  # the op itself fails on its recorded inputs: that is a finding
        check.ok = False
        check.error = f"{type(exc).__name__}: {exc}"
    return check


def _close(a: float, b: float, atol: float, rtol: float) -> bool:
    return abs(a - b) <= atol + rtol * max(abs(a), abs(b))


def _kinks(
    at: list[Any],
    plus: list[Any],
    minus: list[Any],
    picked: list[int],
    step: float,
    atol: float,
    rtol: float,
) -> dict[int, np.ndarray] | None:
    """Per output, the elements whose one-sided differences disagree (a kink or a tie at these
    values), or None if there is no such element."""
    masks: dict[int, np.ndarray] = {}
    for j in picked:
        r = (plus[j]._data - at[j]._data) / step
        l = (at[j]._data - minus[j]._data) / step
        masks[j] = np.abs(r - l) > atol + rtol * np.maximum(np.abs(r), np.abs(l))
    return masks if any(m.any() for m in masks.values()) else None


def _vjp_along(
    fn: Any, args: tuple[Any, ...], i: int, u: np.ndarray, picked: list[int], vs: dict[int, Any]
) -> float:
    """``vᵀ J u`` for input ``i``, from the op's backward on a fresh forward."""
    inputs = _make_args(args, {}, grad=True)
    outs = _float_outputs(fn.apply(*inputs))
    (g,) = autograd_grad(
        [outs[j] for j in picked],
        [inputs[i]],
        grad_outputs=[Tensor._make(vs[j].astype(outs[j]._data.dtype)) for j in picked],
        allow_unused=True,
    )
    return 0.0 if g is None else float(np.sum(g._data * u))
