"""Higher-level derivatives of a function ``func(*inputs)``: vjp, jvp, jacobian, hessian, hvp, vhp.

As ``torch.autograd.functional``: ``inputs`` is a Tensor or a tuple of Tensors (results take the
same form), ``create_graph=True`` keeps the results differentiable, ``strict=True`` refuses an
output that does not depend on an input instead of returning zeros for it.

``jvp`` and ``hvp`` use the double-vjp trick: ``u ↦ Jᵀu`` is linear in ``u``, so differentiating
it along ``v`` gives ``Jv``. ``jacobian(vectorize=True)`` pushes all the rows of the Jacobian
through the graph in one batched backward pass (``autograd.grad(is_grads_batched=True)``) instead
of one pass per row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _errors
from .._creation import ones_like, zeros_like
from .._namespace import public_dir
from .._tensor import Tensor
from ..ops.shape import stack
from . import forward_ad as fwAD
from ._backward import grad
from .grad_mode import enable_grad

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]
__dir__ = public_dir(__name__)


def _as_tuple(x: Any, arg_name: str, fn_name: str | None) -> tuple[bool, tuple[Tensor, ...]]:
    """(whether ``x`` was a tuple, ``x`` as a tuple of tensors). A list is refused, as by
    PyTorch (it takes a list for one non-Tensor value)."""
    T = Tensor
    is_tuple = isinstance(x, tuple)
    items = tuple(x) if is_tuple else (x,)
    for i, t in enumerate(items):
        if not isinstance(t, T):
            if is_tuple:
                raise TypeError(
                    f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                    f"Tensors but the value at index {i} has type {type(t)}."
                )
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                f"Tensors but the given {arg_name} has type {type(t)}."
            )
    return is_tuple, items


def _untuple(is_tuple: bool, items: tuple[Any, ...]) -> Any:
    return items if is_tuple else items[0]


def _prepare(inputs: tuple[Tensor, ...], create_graph: bool, need_graph: bool) -> tuple[Any, ...]:
    """Inputs the function is differentiated at: detached copies (graph-connected aliases when
    the caller wants a graph through the result)."""
    result = []
    for t in inputs:
        if create_graph and t.requires_grad:
            result.append(t.view_as(t))
        else:
            result.append(t.detach().requires_grad_(need_graph))
    return tuple(result)


def _finish(values: tuple[Any, ...], create_graph: bool) -> tuple[Any, ...]:
    if create_graph:
        return values
    return tuple(v.detach() if v is not None else None for v in values)


def _grad(
    outputs: tuple[Tensor | None, ...],
    inputs: tuple[Tensor, ...],
    grad_outputs: tuple[Any, ...] | None,
    create_graph: bool,
    retain_graph: bool | None = None,
    batched: bool = False,
) -> tuple[Tensor | None, ...]:
    """autograd.grad over the outputs that require grad; None for unreachable inputs."""
    pairs = [
        (o, g)
        for o, g in zip(outputs, grad_outputs or (None,) * len(outputs), strict=True)
        if o is not None and o.requires_grad
    ]
    if not pairs:
        return (None,) * len(inputs)
    outs = tuple(o for o, _ in pairs)
    gouts = tuple(g for _, g in pairs)
    return grad(
        outs,
        inputs,
        gouts,
        retain_graph=retain_graph,
        create_graph=create_graph,
        allow_unused=True,
        is_grads_batched=batched,
    )


def _fill_zeros(
    grads: tuple[Any, ...],
    refs: tuple[Tensor, ...],
    strict: bool,
    stage: str,
    create_graph: bool = False,
) -> tuple[Tensor, ...]:
    result = []
    for i, (g, ref) in enumerate(zip(grads, refs, strict=True)):
        if g is not None and strict and create_graph and not g.requires_grad:
            # a result that is constant in the inputs: no graph to create
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(
                f"The {what} of the user-provided function is independent of input {i}. This "
                "is not allowed in strict mode when create_graph=True."
            )
        if g is None:
            if strict:
                if stage == "back":
                    raise RuntimeError(
                        "The output of the user-provided function is independent of input "
                        f"{i}. This is not allowed in strict mode."
                    )
                if stage == "back_trick":
                    raise RuntimeError(
                        f"The gradient with respect to the input is independent of entry {i} in "
                        "the grad_outputs when using the double backward trick to compute "
                        "forward mode gradients. This is not allowed in strict mode."
                    )
                if stage == "double_back":
                    raise RuntimeError(
                        "The jacobian of the user-provided function is independent of input "
                        f"{i}. This is not allowed in strict mode."
                    )
                raise RuntimeError(
                    "The hessian of the user-provided function is independent of entry "
                    f"{i} in the grad_jacobian. This is not allowed in strict mode as it "
                    "prevents from using the double backward trick to replace forward mode AD."
                )
            g = zeros_like(ref)
        result.append(g)
    return tuple(result)


def _check_requires_grad(outputs: tuple[Tensor | None, ...], what: str, strict: bool) -> None:
    if not strict:
        return
    for i, o in enumerate(outputs):
        if o is None:
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {i}. This is "
                "not allowed in strict mode."
            )
        if not o.requires_grad:
            if what == "hessian":
                raise RuntimeError(
                    f"The hessian of the user-provided function with respect to input {i} is "
                    "independent of the input. This is not allowed in strict mode. You should "
                    "ensure that your function is thrice differentiable and that the hessian "
                    "depends on the inputs."
                )
            if what == "grad_inputs":
                raise RuntimeError(
                    f"The gradient with respect to input {i} is independent of the inputs of the "
                    "user-provided function. This is not allowed in strict mode."
                )
            if what == "jacobian":
                raise RuntimeError(
                    "While computing the hessian, found that the jacobian of the user-provided "
                    f"function with respect to input {i} is independent of the input. This is "
                    "not allowed in strict mode. You should ensure that your function is twice "
                    "differentiable and that the jacobian depends on the inputs (this would be "
                    "violated by a linear function for example)."
                )
            raise RuntimeError(
                f"Output {i} of the user-provided function does not require gradients. The "
                "outputs must be computed in a differentiable manner from the input when "
                "running in strict mode."
            )


def _check_v(
    v: Any, refs: tuple[Tensor, ...], fn_name: str, refs_tuple: bool, create_graph: bool
) -> tuple[Tensor, ...]:
    """``v`` as a tuple matching ``refs`` (the outputs or the inputs: ``refs_tuple`` if the user
    gave or got a tuple, which PyTorch's messages tell apart); detached, unless a graph is
    wanted through a ``v`` that requires grad."""
    _, vs = _as_tuple(v, "v", fn_name)
    vs = _prepare(vs, create_graph, need_graph=False)
    if len(vs) != len(refs):
        if not refs_tuple:
            raise RuntimeError("The given v should contain a single Tensor.")
        raise RuntimeError(
            f"v is a tuple of invalid length: should be {len(refs)} but got {len(vs)}."
        )
    for i, (a, b) in enumerate(zip(vs, refs, strict=True)):
        if a.shape != b.shape:
            entry = f"Entry {i} in " if refs_tuple else ""
            raise RuntimeError(
                f"{entry}v has invalid size: should be {_errors.shape_str(b.shape)} but "
                f"got {_errors.shape_str(a.shape)}."
            )
    return vs


def _default_v(outputs: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
    if len(outputs) != 1 or outputs[0].numel() != 1:
        raise RuntimeError(
            "The vector v can only be None if the user-provided function returns a single "
            "Tensor with a single element."
        )
    return (ones_like(outputs[0]),)


def _call(func: Callable[..., Any], inputs: tuple[Any, ...], fn_name: str) -> tuple[bool, Any]:
    return _as_tuple(func(*inputs), "outputs of the user-provided function", fn_name)


def vjp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """(func(inputs), vᵀ J): the vector-Jacobian product at ``inputs``."""
    with enable_grad():
        in_tuple, ins = _as_tuple(inputs, "inputs", "vjp")
        ins = _prepare(ins, create_graph, need_graph=True)
        out_tuple, outs = _call(func, ins, "vjp")
        _check_requires_grad(outs, "outputs", strict)
        vs = _default_v(outs) if v is None else _check_v(v, outs, "vjp", out_tuple, create_graph)
        grads = _grad(outs, ins, vs, create_graph)
        grads = _fill_zeros(grads, ins, strict, "back", create_graph)
    return _untuple(out_tuple, _finish(outs, create_graph)), _untuple(
        in_tuple, _finish(grads, create_graph)
    )


def jvp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """(func(inputs), J v): the Jacobian-vector product at ``inputs``, by the double-vjp trick."""
    with enable_grad():
        in_tuple, ins = _as_tuple(inputs, "inputs", "jvp")
        ins = _prepare(ins, create_graph, need_graph=True)
        if v is None:
            if len(ins) != 1 or ins[0].numel() != 1:
                raise RuntimeError(
                    "The vector v can only be None if the input to the user-provided function "
                    "is a single Tensor with a single element."
                )
            vs: tuple[Any, ...] = (zeros_like(ins[0]) + 1,)
        else:
            vs = _check_v(v, ins, "jvp", in_tuple, create_graph)
        out_tuple, outs = _call(func, ins, "jvp")
        _check_requires_grad(outs, "outputs", strict)
        # u ↦ Jᵀu is linear; its vjp along v is J v.
        us = tuple(zeros_like(o, requires_grad=True) for o in outs)
        grad_inputs = _grad(outs, ins, us, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
        jv = _grad(grad_inputs, us, vs, create_graph)
        jv = _fill_zeros(jv, outs, strict, "back_trick", create_graph)
    return _untuple(out_tuple, _finish(outs, create_graph)), _untuple(
        out_tuple, _finish(jv, create_graph)
    )


def _standard_basis(refs: tuple[Tensor, ...], total: int) -> tuple[Tensor, ...]:
    """One ``(total, ref.numel())`` block per ref, together the identity of size ``total``
    (PyTorch's ``_construct_standard_basis_for``): row ``r`` is the cotangent that picks
    element ``r`` of the concatenated flattened refs."""
    blocks = []
    start = 0
    for ref in refs:
        n = ref.numel()
        block = np.zeros((total, n), dtype=ref._data.dtype)
        block[start + np.arange(n), np.arange(n)] = 1
        blocks.append(Tensor._make(block))
        start += n
    return tuple(blocks)


def _jacobian_vectorized(
    outs: tuple[Tensor, ...], ins: tuple[Tensor, ...], create_graph: bool
) -> tuple[tuple[Tensor, ...], ...]:
    """All the rows of the Jacobian in one batched backward pass through all the outputs at
    once, split per output (so a block is connected to the graph when any output's is)."""
    numels = [o.numel() for o in outs]
    total = sum(numels)
    flat = tuple(o.reshape(-1) for o in outs)
    found = _grad(flat, ins, _standard_basis(outs, total), create_graph, batched=True)
    per_input = []
    for g, t in zip(found, ins, strict=True):
        if g is None:
            g = zeros_like(t).expand((total, *t.shape))
        per_input.append(
            [
                jac.view((*o.shape, *t.shape))
                for jac, o in zip(g.split(numels, dim=0), outs, strict=True)
            ]
        )
    return tuple(tuple(column[i] for column in per_input) for i in range(len(outs)))


def _jacobian_rows(
    outs: tuple[Tensor, ...], ins: tuple[Tensor, ...], create_graph: bool, strict: bool
) -> tuple[tuple[Tensor, ...], ...]:
    """One backward pass per output element, the rows stacked (PyTorch's loop, with its strict
    checks: an input that one row does not reach is refused)."""
    table = []
    for i, out in enumerate(outs):
        rows: list[list[Tensor]] = [[] for _ in ins]
        for k in range(out.numel()):
            found = _grad((out.reshape(-1)[k],), ins, None, create_graph, retain_graph=True)
            for j, (g, t) in enumerate(zip(found, ins, strict=True)):
                if g is not None:
                    if strict and create_graph and not g.requires_grad:
                        raise RuntimeError(  # (PyTorch names the output's index)
                            "The jacobian of the user-provided function is independent of "
                            f"input {i}. This is not allowed in strict mode when "
                            "create_graph=True."
                        )
                    rows[j].append(g)
                else:
                    if strict:
                        raise RuntimeError(
                            f"Output {i} of the user-provided function is independent of input "
                            f"{j}. This is not allowed in strict mode."
                        )
                    rows[j].append(zeros_like(t))
        table.append(
            tuple(stack(r, 0).view((*out.shape, *t.shape)) for r, t in zip(rows, ins, strict=True))
        )
    return tuple(table)


def jacobian(
    func: Callable[..., Any],
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """d func / d inputs: ``J[i][j]`` has shape ``outputs[i].shape + inputs[j].shape``."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(  # (PyTorch asserts it)
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more performant. '
            'Otherwise, prefer to use "reverse-mode".'
        )
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                'torch.autograd.functional.jacobian: `create_graph=True` and `strategy="forward-'
                'mode"` are not supported together (yet). Please either set `create_graph=False` '
                'or `strategy="reverse-mode"`.'
            )
        if strict:
            raise RuntimeError(
                'torch.autograd.functional.jacobian: `strict=True` and `strategy="forward-'
                'mode"` are not supported together (yet). Please either set `strict=False` or '
                '`strategy="reverse-mode"`.'
            )
        if not vectorize:
            raise NotImplementedError(
                "Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
                "only implemented for `vectorize=True`."  # (sic: PyTorch's text)
            )
        return _jacobian_forward(func, inputs)
    with enable_grad():
        in_tuple, ins = _as_tuple(inputs, "inputs", "jacobian")
        ins = _prepare(ins, create_graph, need_graph=True)
        out_tuple, outs = _call(func, ins, "jacobian")
        _check_requires_grad(outs, "outputs", strict)
        if vectorize and strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
                "supported together. Please either set `strict=False` or `vectorize=False`."
            )
        if vectorize:
            table = _jacobian_vectorized(outs, ins, create_graph)
        else:
            table = _jacobian_rows(outs, ins, create_graph, strict)
    per_out = tuple(_untuple(in_tuple, _finish(row, create_graph)) for row in table)
    return _untuple(out_tuple, per_out)


def _jacobian_forward(func: Callable[..., Any], inputs: Any) -> Any:
    """The Jacobian one column at a time with dual tensors (forward-mode AD), laid out as
    PyTorch's vmapped jvp lays it out: the columns stacked, split per input, the column axis
    moved last and unflattened. As PyTorch's, the inputs are not detached: a Jacobian that
    depends on an input that requires grad keeps its graph. Nested as PyTorch's: lists where
    both are tuples."""
    in_tuple, ins = _as_tuple(inputs, "inputs", "jacobian")
    numels = [t.numel() for t in ins]
    columns: list[tuple[Tensor, ...]] = []
    out_info: tuple[bool, tuple[Tensor, ...]] | None = None
    for j, n in enumerate(numels):
        for k in range(n):
            with fwAD.dual_level():
                duals = tuple(
                    fwAD.make_dual(x, _basis_tangent(x, k if i == j else None))
                    for i, x in enumerate(ins)
                )
                out_tuple, outs = _as_tuple(func(*duals), "outputs", None)
                primals, tangents = [], []
                for o in outs:
                    primal, tangent = fwAD.unpack_dual(o)
                    primals.append(primal)
                    tangents.append(zeros_like(primal) if tangent is None else tangent)
                out_info = (out_tuple, tuple(primals))
            columns.append(tuple(tangents))
    assert out_info is not None
    out_tuple, outs = out_info
    table: list[list[Tensor]] = []
    for i, o in enumerate(outs):
        stacked = stack([c[i] for c in columns], 0)
        entries = []
        for jac, t in zip(stacked.split(numels, dim=0), ins, strict=True):
            # the column axis last, then unflattened to the input's shape
            moved = jac.permute(*range(1, jac.dim()), 0)
            entries.append(moved.reshape((*o.shape, *t.shape)))
        table.append(entries)
    per_out: Any = table if in_tuple else tuple(row[0] for row in table)
    return per_out if out_tuple else per_out[0]


def _basis_tangent(x: Tensor, k: int | None) -> Tensor:
    """The tangent of ``x`` for column ``k`` of its own block (zeros for another input's)."""
    e = np.zeros(x.numel(), dtype=x._data.dtype)
    if k is not None:
        e[k] = 1
    return Tensor._make(e.reshape(x.shape))


def hessian(
    func: Callable[..., Any],
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """d² func / d inputs² of a function with a single-element output."""
    in_tuple, ins = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*args: Any) -> Tensor:
        out = func(*args)
        is_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(outs, "outputs", strict)
        if is_tuple or len(outs) != 1:
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if outs[0].numel() != 1:
            raise RuntimeError(
                "The Tensor returned by the function given to hessian should contain a single "
                "element"
            )
        return outs[0].squeeze()

    def jac_func(*args: Any) -> Any:
        if outer_jacobian_strategy == "forward-mode":
            # The dual inputs must stay the inputs of the inner graph (not detached copies).
            args = tuple(a.requires_grad_(True) for a in args)
        jac = jacobian(scalar_func, args, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    result = jacobian(
        jac_func,
        ins,
        create_graph=create_graph,
        strict=strict,
        vectorize=vectorize,
        strategy=outer_jacobian_strategy,
    )
    if in_tuple:
        return result
    return result[0][0]


def _second_order(
    func: Callable[..., Any],
    inputs: Any,
    v: Any,
    create_graph: bool,
    strict: bool,
    name: str,
) -> tuple[Any, Any]:
    with enable_grad():
        in_tuple, ins = _as_tuple(inputs, "inputs", name)
        ins = _prepare(ins, create_graph, need_graph=True)
        if v is not None:
            vs = _check_v(v, ins, name, in_tuple, create_graph)
        elif len(ins) != 1 or ins[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the input to the user-provided function is a "
                "single Tensor with a single element."
            )
        else:
            vs = (zeros_like(ins[0]) + 1,)
        out_tuple, outs = _call(func, ins, name)
        _check_requires_grad(outs, "outputs", strict)
        if out_tuple or len(outs) != 1:
            raise RuntimeError(f"The function given to {name} should return a single Tensor")
        if outs[0].numel() != 1:
            raise RuntimeError(
                f"The Tensor returned by the function given to {name} should contain a single "
                "element"
            )
        jac = _grad(outs, ins, None, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        if name == "vhp":
            result = _grad(jac, ins, vs, create_graph)
            result = _fill_zeros(result, ins, strict, "double_back", create_graph)
        else:
            # u ↦ Hᵀu is linear in u; its vjp along v is H v.
            us = tuple(zeros_like(t, requires_grad=True) for t in ins)
            hu = _grad(jac, ins, us, create_graph=True)
            result = _grad(hu, us, vs, create_graph)
            result = _fill_zeros(result, ins, strict, "double_back_trick", create_graph)
    return _finish(outs, create_graph)[0], _untuple(in_tuple, _finish(result, create_graph))


def vhp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """(func(inputs), vᵀ H) for a function with a single-element output."""
    return _second_order(func, inputs, v, create_graph, strict, "vhp")


def hvp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """(func(inputs), H v) for a function with a single-element output (double-vjp trick)."""
    return _second_order(func, inputs, v, create_graph, strict, "hvp")
