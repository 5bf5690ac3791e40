"""``backward()`` and ``grad()``: the entry points of a backward pass (``torch.autograd.backward``
and ``torch.autograd.grad``). They check the outputs and their gradients, find the graph's roots
and the inputs' edges, and hand them to the engine (``_engine.run_backward``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _errors
from .._creation import as_tensor, zeros
from .._tensor import Tensor
from ._engine import run_backward
from .function import Node

__all__ = ["backward", "grad"]


def _as_tuple(x: Any) -> tuple[Any, ...]:
    if x is None:
        return ()
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _root_edge(t: Tensor, index: int) -> tuple[Node, int]:
    if t.grad_fn is not None:
        return (t.grad_fn, t._output_nr)
    node = t._accumulator() if t._requires_grad else None
    if node is None:  # (a view that requires grad only through its base has no node either)
        raise RuntimeError(_errors.NO_GRAD_FN.format(index=index))
    return (node, 0)


def _make_grads(
    outputs: Sequence[Tensor], grads: Sequence[Any], batched: bool = False
) -> list[Tensor]:
    """The gradient for each output: given (checked against its shape) or implicit ones.
    (None for a non-scalar output that does not require grad, which _root_edge refuses.)"""
    result: list[Any] = []
    for i, (out, g) in enumerate(zip(outputs, grads, strict=True)):
        if not isinstance(out, Tensor):
            # PyTorch asserts this (an AssertionError); a wrong argument type is a TypeError here.
            raise TypeError("Expected output to be a torch.Tensor")
        if g is None:
            if out._data.size != 1:
                if out.requires_grad:
                    raise RuntimeError(_errors.IMPLICIT_GRAD)
                result.append(None)  # _root_edge raises PyTorch's error for this output
                continue
            g = Tensor._make(np.ones_like(out._data))
        else:
            if not isinstance(g, Tensor):
                g = as_tensor(g, dtype=out.dtype)
            if batched and g._data.shape[1:] != out._data.shape:
                raise RuntimeError(
                    "If `is_grads_batched=True`, we interpret the first dimension of each "
                    "grad_output as the batch dimension. The sizes of the remaining dimensions "
                    "are expected to match the shape of corresponding output, but a mismatch was "
                    f"detected: grad_output[{i}] has a shape of "
                    f"{_errors.shape_str(g._data.shape[1:])} and output[{i}] has a shape of "
                    f"{_errors.shape_str(out.shape)}. If you only want some tensors in "
                    "`grad_output` to be considered batched, consider using vmap."
                )
            if not batched and g._data.shape != out._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of "
                    f"{_errors.shape_str(g.shape)} and output[{i}] has a shape of "
                    f"{_errors.shape_str(out.shape)}."
                )
            # Any real dtype is cast to the output's, as PyTorch does (even ints and bools).
            if g._data.dtype != out._data.dtype:
                g = g.to(out.dtype)
        result.append(g)
    return result


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    grad_variables: Any = None,
    inputs: Any = None,
) -> None:
    """Accumulate into the leaves' ``.grad`` the vector-Jacobian product of ``tensors``.

    A scalar output needs no gradient; a non-scalar one needs ``grad_tensors`` of its shape,
    and backward computes ``(tensors * grad_tensors).sum()``'s gradient. The graph's saved
    values are freed unless ``retain_graph`` (which defaults to ``create_graph``).
    """
    if grad_variables is not None:
        grad_tensors = grad_variables
    outputs = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(outputs)
    _check_grad_count(outputs, grads)
    if retain_graph is None:
        retain_graph = create_graph
    # Gradients first, roots second: PyTorch checks every output's gradient before its engine
    # looks for the outputs' nodes.
    root_grads = _make_grads(outputs, grads)
    roots = [_root_edge(t, i) for i, t in enumerate(outputs)]
    targets = _as_tuple(inputs)
    if inputs is not None and not targets:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    if not targets:
        run_backward(roots, root_grads, retain_graph, create_graph)
        return
    captures = [_input_edge(t, "backward") for t in targets]
    # Leaves accumulate through their AccumulateGrad; a non-leaf input retains its grad from
    # now on, as in PyTorch (the engine fills .grad of retaining tensors).
    for t in targets:
        if t.grad_fn is not None:
            t.retain_grad()
    run_backward(roots, root_grads, retain_graph, create_graph, captures)


def _input_edge(t: Any, who: str) -> tuple[Node, int]:
    if not isinstance(t, Tensor):
        raise RuntimeError(
            f"all inputs have to be Tensors or GradientEdges, but got {type(t).__name__}"
        )
    if not t._requires_grad:
        raise RuntimeError("One of the differentiated Tensors does not require grad")
    if t.grad_fn is not None:
        return (t.grad_fn, t._output_nr)
    return (t._accumulator(), 0)


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, returned, not accumulated.

    With ``create_graph=True`` the results are differentiable again (higher derivatives).
    With ``is_grads_batched=True`` the first dim of each grad_output is a batch of vectors, all
    pushed through the graph in one pass (the result gets the same leading dim).
    """
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, but got: "
            "allow_unused=False."
        )
    if allow_unused is None:
        allow_unused = materialize_grads
    outs = _as_tuple(outputs)
    ins = _as_tuple(inputs)
    if not ins:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    grads = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outs)
    _check_grad_count(outs, grads)
    if retain_graph is None:
        retain_graph = create_graph
    if is_grads_batched and grad_outputs is None:
        raise RuntimeError("grad_outputs must be given when is_grads_batched=True")
    root_grads = _make_grads(outs, grads, is_grads_batched)  # before the roots, as in backward
    roots = [_root_edge(t, i) for i, t in enumerate(outs)]
    captures = [_input_edge(t, "grad") for t in ins]
    captured = run_backward(
        roots, root_grads, retain_graph, create_graph, captures, False, is_grads_batched
    )
    result: list[Tensor | None] = []
    seen: dict[int, Tensor] = {}  # an input listed twice gets the very same tensor, as in PyTorch
    for i, (t, g) in enumerate(zip(ins, captured, strict=True)):
        if g is not None:
            g = seen.setdefault(id(t), g)
        if g is None:
            if materialize_grads:
                batch = (root_grads[0].shape[0],) if is_grads_batched else ()
                g = zeros((*batch, *t.shape), dtype=t.dtype)
            elif not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
        elif (
            g._data.shape[1 if is_grads_batched else 0 :] != t._data.shape
        ):  # pragma: no cover - the engine guarantees shapes
            raise RuntimeError(f"grad: shape mismatch for input {i}")
        result.append(g)
    return tuple(result)


def _check_grad_count(outputs: Sequence[Any], grads: Sequence[Any]) -> None:
    """One gradient (a Tensor or None) per output, checked in PyTorch's order."""
    for g in grads:
        if g is not None and not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
    if len(grads) != len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
