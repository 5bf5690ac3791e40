"""Why does ``input.grad`` stay None (or zero) after ``output.backward()``?

PyTorch says *that* a gradient is missing; ``explain(output, input)`` says *why* and *where*:

>>> import ndgrad
>>> w = ndgrad.tensor([-1.0, -2.0], requires_grad=True)
>>> loss = w.relu().sum()
>>> report = explain(loss, w)
>>> report.cause
'zero_gradient'
>>> report.node
'ReluBackward0'

When several paths are cut for different reasons (one through ``detach()``, one multiplied by
zero), ``cause`` is the first one found and ``also`` lists the others, each with its place;
``causes`` names them all.

Call it before ``backward()`` (or after ``backward(retain_graph=True)``): finding a zero-gradient
op runs a backward pass of its own, which needs the graph's saved values. It never writes
``.grad``. Nodes built inside ``record_inputs()`` also name the line of code that created them.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._namespace import public_dir
from .._tensor import Tensor
from ._backward import _make_grads
from ._engine import run_backward
from ._graph import hooks_off, node_label, path_between, reaching, root_nodes, walk
from .function import _INPUT, _OUTPUT, AccumulateGrad, Node, _entries, next_edges
from .record import RecordedArg, creation_site, format_site, no_grad_origin, node_record
from .trace import Tracer

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = ["CAUSES", "Explanation", "explain"]
__dir__ = public_dir(__name__)

#: The causes ``explain`` can name, in the order it checks them.
CAUSES = (
    "integer_dtype",
    "detached",
    "no_grad",
    "requires_grad_false",
    "output_not_in_graph",
    "not_connected",
    "non_leaf",
    "graph_freed",
    "none_gradient",
    "zero_gradient",
    "ok",
)

_PIECEWISE_CONSTANT = (
    "Floor",
    "Ceil",
    "Round",
    "Sign",
    "Trunc",
    "Heaviside",
)


@dataclass
class Explanation:
    """The answer of ``explain``: a ``cause`` (one of ``CAUSES``), a readable ``message``, and,
    where it applies, the ``node`` that blocks the gradient, the ``path`` of node names from the
    output to the input, and the ``site`` (user code line) that created the node."""

    cause: str
    message: str
    node: str | None = None
    path: list[str] = field(default_factory=list)
    site: traceback.FrameSummary | None = None
    hint: str | None = None
    also: list[Explanation] = field(default_factory=list)  # the other cut paths, if any

    @property
    def causes(self) -> list[str]:
        """Every cause found: this one's, then those in ``also``."""
        return [self.cause] + [e.cause for e in self.also]

    def __str__(self) -> str:
        lines = []
        if self.also:
            lines.append(f"{len(self.also) + 1} causes, one per cut path:")
        lines.append(f"[{self.cause}] {self.message}")
        if self.node == "AccumulateGrad":
            lines.append("where: a leaf of the graph (AccumulateGrad)")
        elif self.node is not None:
            lines.append(f"where: {self.node}, created at {format_site(self.site)}")
        if self.path:
            lines.append("path (output -> input): " + " -> ".join(self.path))
        if self.hint:
            lines.append(f"fix: {self.hint}")
        for other in self.also:
            lines.append("also " + str(other).replace("\n", "\n  "))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Explanation(cause={self.cause!r}, node={self.node!r})"


def _graph_arrays(nodes: list[Node]) -> list[tuple[Node, Any]]:
    """Every tensor or array the graph holds: leaves, saved values and recorded inputs."""
    found: list[tuple[Node, Any]] = []
    for node in nodes:
        if isinstance(node, AccumulateGrad):
            found.append((node, node.variable))
        for entry in _entries(node._saved):
            if entry is None:
                continue
            if entry[0] in (_INPUT, _OUTPUT) or isinstance(entry[1], np.ndarray):
                found.append((node, entry[1]))
        record = node_record(node)
        if record is not None:
            for a in record.args:
                if isinstance(a, RecordedArg):
                    t = a.tensor()
                    found.append((node, t if t is not None else a.source))
    return found


def _aliases_in_graph(nodes: list[Node], tensor: Tensor) -> list[tuple[Node, Any]]:
    """The graph values that share ``tensor``'s memory without being ``tensor`` (detached
    aliases), one per node."""
    found: list[tuple[Node, Any]] = []
    for node, value in _graph_arrays(nodes):
        if value is tensor or (found and found[-1][0] is node):
            continue
        array = value._data if isinstance(value, Tensor) else value
        if array.size and np.may_share_memory(array, tensor._data):
            found.append((node, value))
    return found


def _alias_in_graph(nodes: list[Node], tensor: Tensor) -> tuple[Node, Any] | None:
    """A graph value that shares ``tensor``'s memory without being ``tensor`` (a detached alias)."""
    aliases = _aliases_in_graph(nodes, tensor)
    return aliases[0] if aliases else None


def _cut_paths(roots: list[Node], nodes: list[Node], input: Tensor) -> list[Explanation]:
    """Paths from output toward input that the graph does not record: a detached alias of
    input used in the graph, or a tensor computed under no_grad."""
    found: list[Explanation] = []
    for node, value in _aliases_in_graph(nodes, input):
        found.append(
            Explanation(
                "detached",
                f"output uses input through a detached alias (through "
                f"{_alias_how(value, input)}), at {node_label(node)}; that path does not lead back "
                "to input.",
                node=node_label(node),
                path=_names_path(path_between(roots, node)),
                site=creation_site(node),
                hint="use input itself in the computation, not input.detach() or input.data",
            )
        )
    reported = {n for n, _ in _aliases_in_graph(nodes, input)}
    for node in nodes:
        record = node_record(node)
        for a in record.args if record is not None else ():
            if node in reported:
                break
            if isinstance(a, RecordedArg) and a.detached is not None and a.detached[0]() is input:
                site = a.detached[1]
                found.append(
                    Explanation(
                        "detached",
                        f"{node_label(node)} uses a value computed from input.detach() "
                        f"(detached at {format_site(site)}); that path does not lead back to "
                        "input.",
                        node=node_label(node),
                        path=_names_path(path_between(roots, node)),
                        site=site,
                        hint="use input itself in the computation, not input.detach()",
                    )
                )
                break
    seen: set[int] = set()
    for node, value in _graph_arrays(nodes):
        origin = no_grad_origin(value) if isinstance(value, Tensor) else None
        if origin is not None and id(value) not in seen:
            seen.add(id(value))
            found.append(
                Explanation(
                    "no_grad",
                    f"the graph uses a tensor that was computed under no_grad (by {origin[0]}), "
                    f"so the path through it back to input was not recorded.",
                    node=node_label(node),
                    path=_names_path(path_between(roots, node)),
                    site=origin[1],
                    hint=f"compute it with grad mode on (at {format_site(origin[1])})",
                )
            )
    return found


def _alias_how(a: Any, b: Tensor) -> str:
    counter = getattr(a, "_version_counter", None)
    if counter is not None and counter is b._version_counter:
        return ".detach()"
    return ".detach() or .data"


def _names_path(path: list[Node] | None) -> list[str]:
    return [node_label(n) for n in path or ()]


def explain(output: Tensor, input: Tensor, gradient: Tensor | None = None) -> Explanation:
    """Say why ``input.grad`` stays None or zero after ``output.backward(gradient)``.

    The structured answer's ``cause`` is one of ``CAUSES``; ``str()`` of it reads as a sentence
    with the place (node, path, source line) and a suggested fix.
    """
    if not isinstance(input, Tensor) or not isinstance(output, Tensor):
        raise TypeError("explain(output, input) expects two Tensors")
    roots = root_nodes(output)
    nodes = walk(roots)

    if input._data.dtype.kind != "f":
        return Explanation(
            "integer_dtype",
            f"input has dtype {input.dtype}: only floating point tensors can require gradients, "
            "so no gradient flows to it.",
            hint="make it floating point before requiring grad: x = x.float().requires_grad_()",
        )

    if not input._requires_grad:
        alias = _alias_in_graph(nodes, input)
        if alias is not None:
            node, _ = alias
            how = _alias_how(alias[1], input)
            return Explanation(
                "detached",
                f"input shares memory with a tensor of the graph but was taken out of it "
                f"(through {how}); a detached tensor does not require grad, so it gets no "
                "gradient.",
                node=node_label(node),
                path=_names_path(path_between(roots, node)),
                site=creation_site(node),
                hint="ask about the tensor of the graph itself, or don't detach it",
            )
        origin = no_grad_origin(input)
        if origin is not None:
            op, site = origin
            return Explanation(
                "no_grad",
                f"input was computed (by {re.sub(r'Backward[0-9]*$', '', op)}) while grad mode was "
                f"off, from tensors that require grad; nothing was recorded, so it does not "
                "require grad.",
                site=site,
                hint=f"compute it outside no_grad()/inference_mode() (at {format_site(site)})",
            )
        leaf = input.grad_fn is None
        return Explanation(
            "requires_grad_false",
            "input does not require grad"
            + (" (a leaf created without requires_grad=True)" if leaf else "")
            + ". If it was computed from tensors that require grad, that happened under "
            "no_grad()/inference_mode() or from detached values; build the graph inside "
            "ndgrad.autograd.record_inputs() to let explain point at the line.",
            hint="create it with requires_grad=True, or call input.requires_grad_()",
        )

    if not roots:
        origin = no_grad_origin(output)
        where = ""
        if origin is not None:
            where = f" It was computed under no_grad at {format_site(origin[1])}."
        return Explanation(
            "output_not_in_graph",
            "output does not require grad: it was computed under no_grad()/inference_mode() or "
            "only from tensors that do not require grad, so output.backward() raises and no "
            "gradient reaches input." + where,
            hint="compute output with grad mode on, from input",
        )

    if input.grad_fn is not None:
        target: Node | None = input.grad_fn
        target_nr = input._output_nr
    else:
        ref = input._accumulator_ref
        target = ref() if ref is not None else None
        target_nr = 0
    path = path_between(roots, target) if target is not None else None
    if path is None:
        cut = _cut_paths(roots, nodes, input)
        if cut:
            cut[0].also = cut[1:]
            return cut[0]
        return Explanation(
            "not_connected",
            f"input is not connected to output: none of the {len(nodes)} nodes of output's "
            "graph leads to it (output was computed without it, or from a copy of it).",
            hint="check that output is computed from this very tensor",
        )

    assert target is not None
    full_path = _names_path(path)
    if input.grad_fn is not None and not input._retains_grad:
        return Explanation(
            "non_leaf",
            f"input is not a leaf (it was computed by {node_label(input.grad_fn)}): backward fills "
            ".grad only for leaves.",
            path=full_path,
            hint="call input.retain_grad() before backward, or use "
            "ndgrad.autograd.grad(output, input)",
        )
    found = _run_and_find_block(output, input, gradient, roots, nodes, target, target_nr, path)
    if found.cause in ("zero_gradient", "none_gradient"):
        found.also += _cut_paths(roots, nodes, input)
    return found


def _run_and_find_block(
    output: Tensor,
    input: Tensor,
    gradient: Tensor | None,
    roots: list[Node],
    nodes: list[Node],
    target: Node,
    target_nr: int,
    path: list[Node],
) -> Explanation:
    if gradient is None and output._data.size != 1:
        gradient = Tensor._make(np.ones_like(output._data))
    root_grads = _make_grads([output], [gradient])
    root_edge = (roots[0], output._output_nr if output.grad_fn is not None else 0)
    tracer = Tracer(keep_grads=True)
    try:
        with tracer, hooks_off(nodes, ("_retained",)):  # no retained .grad written
            (captured,) = run_backward(
                [root_edge], root_grads, True, False, [(target, target_nr)], accumulate=False
            )
    except RuntimeError as exc:
        if "second time" not in str(exc):
            raise
        return Explanation(
            "graph_freed",
            "the graph's saved values were already freed by a backward pass, so explain cannot "
            "run its own.",
            path=_names_path(path),
            hint="call explain before backward(), or use backward(retain_graph=True)",
        )

    on_path = reaching(nodes, target)
    if captured is not None and np.any(captured._data != 0):
        zeros = int(np.sum(captured._data == 0))
        extra = f" ({zeros} of {captured._data.size} elements are zero)" if zeros else ""
        return Explanation(
            "ok",
            f"input gets a nonzero gradient{extra}, norm "
            f"{float(np.linalg.norm(captured._data)):.6g}.",
            path=_names_path(path),
        )
    if np.all(root_grads[0]._data == 0):
        return Explanation(
            "zero_gradient",
            "the gradient given to backward is zero, so every gradient is zero.",
            path=_names_path(path),
        )
    cause = "none_gradient" if captured is None else "zero_gradient"
    blocks: list[Explanation] = []  # every node that stops a nonzero gradient, in backward order
    for record in tracer.records:
        node = record.node
        if node is None or node not in on_path or node is target:
            continue
        if not record.grads_in or all(g is None or not np.any(g != 0) for g in record.grads_in):
            continue
        outs = record.grads_out or []
        sent = [
            outs[i] if i < len(outs) else None for i, nxt, _ in next_edges(node) if nxt in on_path
        ]
        if all(g is None or not np.any(np.asarray(g) != 0) for g in sent):
            block_path = path_between(roots, node) or [node]
            rest = path_between([node], target) or [node, target]
            returned = "None" if all(g is None for g in sent) else "zeros"
            message = (
                f"{node_label(node)} receives a nonzero gradient but returns {returned} "
                "toward input"
            )
            if blocks:  # another path, also cut
                message += ", so no gradient reaches input along this path either."
            else:
                message += ", so input's gradient is " + (
                    "None." if cause == "none_gradient" else "zero."
                )
            blocks.append(
                Explanation(
                    _kind(sent) if blocks else cause,
                    message,
                    node=node_label(node),
                    path=_names_path(block_path + rest[1:]),
                    site=creation_site(node),
                    hint=_hint(node_label(node)),
                )
            )
    if blocks:
        blocks[0].also = blocks[1:]
        return blocks[0]
    return Explanation(  # pragma: no cover - the loop above finds the node in practice
        cause, "no gradient reaches input; no single blocking node found.", path=_names_path(path)
    )


def _kind(sent: list[Any]) -> str:
    return "none_gradient" if all(g is None for g in sent) else "zero_gradient"


def _hint(name: str) -> str:
    base = name.split("Backward")[0]
    if base == "Relu":
        return (
            "relu passes no gradient where its input is <= 0, and every element reaching it "
            "was: a 'dead' ReLU. Check the initialisation and biases, or use leaky_relu."
        )
    if base.startswith(("Clamp", "Hardtanh")):
        return "clamp passes no gradient where its input lies outside [min, max]: all of it did."
    if base in _PIECEWISE_CONSTANT:
        return (
            f"{base.lower()} is piecewise constant: its derivative is 0 everywhere. To train "
            f"through it use a straight-through estimator: x + ({base.lower()}(x) - x).detach()."
        )
    if base == "Mul":
        return "the other factor of this multiplication is zero where it matters."
    return f"{name}'s backward returns zero at the values of this forward pass."
