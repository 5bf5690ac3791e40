"""grad, grad_and_value, vjp, jvp, linearize, jacrev, jacfwd, hessian on ndgrad's autograd.

Each call of a transformed function is one *level*: the tensors it differentiates with respect to
are lifted (a tensor that already requires grad becomes a graph-connected alias ``x.view_as(x)``,
so that an enclosing level or the user's own autograd still sees the dependence; any other
becomes a fresh leaf ``x.detach().requires_grad_()``), ``func`` runs under ``enable_grad``, and
the derivatives are taken with ``create_graph=True``. What the level returns is then lowered: a
result whose graph reaches a leaf that requires grad outside this level (an enclosing level's
input, a parameter the function closed over) keeps its graph, as PyTorch's functorch keeps the
result differentiable for the outer levels; any other result is detached.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from .._creation import tensor, zeros, zeros_like
from .._tensor import Tensor
from ..autograd._backward import grad as _autograd_grad
from ..autograd.grad_mode import _state, enable_grad, is_grad_enabled
from ..ops.shape import stack
from . import _pytree as pt
from ._vmap import check_randomness, random_guard, running

__all__ = [
    "grad",
    "grad_and_value",
    "hessian",
    "jacfwd",
    "jacrev",
    "jvp",
    "linearize",
    "vjp",
]

_JVP = "jvp(f, primals, tangents)"


class _Level:
    """One call of a transform: the leaves it made, and how to hand results back."""

    def __init__(self) -> None:
        self.leaves: list[Tensor] = []  # kept alive so that their ids stay theirs
        # under no_grad the caller records nothing: every result comes back detached
        self.recording = is_grad_enabled()
        self.dead: set[int] = set()  # nodes known to reach no leaf outside the level
        self.dead_nodes: list[Any] = []  # kept alive so that their ids stay theirs

    def lift(self, x: Any) -> Tensor:
        if not isinstance(x, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
        if x.requires_grad:
            return x.view_as(x)
        y = x.detach().requires_grad_()
        self.leaves.append(y)
        return y

    def leaf(self, x: Tensor) -> Tensor:
        """``x`` made a leaf of this level (a cotangent or tangent seed)."""
        x.requires_grad_()
        self.leaves.append(x)
        return x

    def _reaches_outside(self, t: Tensor) -> bool:
        inner = {id(x) for x in self.leaves}
        node = t.grad_fn
        if node is None:
            return id(t) not in inner
        stack_: list[Any] = [node]
        seen: set[int] = set()
        visited: list[Any] = []
        while stack_:
            node = stack_.pop()
            if id(node) in seen or id(node) in self.dead:
                continue
            seen.add(id(node))
            visited.append(node)
            if type(node).__name__ == "AccumulateGrad":
                if id(node.variable) not in inner:
                    return True
                continue
            for nxt, _ in getattr(node, "next_functions", ()):
                if nxt is not None:
                    stack_.append(nxt)
        self.dead |= seen  # fully explored: none of these reaches outside
        self.dead_nodes.extend(visited)
        return False

    def lower(self, x: Any) -> Any:
        if (
            isinstance(x, Tensor)
            and x.requires_grad
            and not (self.recording and self._reaches_outside(x))
        ):
            return x.detach()
        return x

    def lower_tree(self, tree: Any) -> Any:
        return pt.tree_map(self.lower, tree)

    def lower_aux(self, aux: Any) -> Any:
        """``aux`` handed back: PyTorch unwraps each of its leaves and refuses one that is not
        a tensor (None included)."""
        for leaf in pt.tree_flatten(aux)[0]:
            if not isinstance(leaf, Tensor):
                raise RuntimeError(f"Expected tensors, got unsupported type {type(leaf)}")
        return self.lower_tree(aux)


# --- argnums -------------------------------------------------------------------------------


def _wrap_argnum(argnum: Any, num_args: int) -> int:
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if 0 <= argnum < num_args:
        return argnum
    if -num_args <= argnum < 0:
        return argnum + num_args
    raise RuntimeError(f"Got argnum={argnum}, but only {num_args} positional inputs")


def _normalize_argnums(argnums: Any, num_args: int) -> int | tuple[int, ...]:
    if not isinstance(argnums, int | tuple):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    if isinstance(argnums, int):
        return _wrap_argnum(argnums, num_args)
    wrapped = tuple(_wrap_argnum(a, num_args) for a in argnums)
    if len(wrapped) == 0:
        raise RuntimeError("argnums must be non-empty")
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return wrapped


def _slice_argnums(args: tuple[Any, ...], argnums: int | tuple[int, ...]) -> Any:
    if isinstance(argnums, int):
        return args[argnums]
    return tuple(args[i] for i in argnums)


def _replace_args(
    args: tuple[Any, ...], new: Any, argnums: int | tuple[int, ...]
) -> tuple[Any, ...]:
    if isinstance(argnums, int):
        return tuple(new if i == argnums else a for i, a in enumerate(args))
    return tuple(new[argnums.index(i)] if i in argnums else a for i, a in enumerate(args))


def _lift_argnums(
    level: _Level, args: tuple[Any, ...], argnums: Any
) -> tuple[tuple[Any, ...], list[Tensor], pt.Spec]:
    """(args with the differentiated ones lifted, the flat lifted tensors, their structure)."""
    nums = _normalize_argnums(argnums, len(args))
    diff = _slice_argnums(args, nums)
    flat, spec = pt.tree_flatten(diff)
    lifted = [level.lift(x) for x in flat]
    return _replace_args(args, pt.tree_unflatten(lifted, spec), nums), lifted, spec


def _split_aux(output: Any, api: str) -> tuple[Any, Any]:
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(
            f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True"
        )
    return output[0], output[1]


def _grads(
    outputs: list[Tensor], inputs: list[Tensor], cotangents: list[Any] | None = None
) -> list[Tensor]:
    """d(outputs)/d(inputs) contracted with ``cotangents`` (ones when None), zeros where an
    input does not reach an output (as functorch, which never reports None)."""
    keep = [i for i, o in enumerate(outputs) if o.requires_grad]
    found: tuple[Any, ...] = (None,) * len(inputs)
    if keep and inputs:
        outs = [outputs[i] for i in keep]
        cts = None if cotangents is None else [cotangents[i] for i in keep]
        found = _autograd_grad(
            outs, inputs, cts, retain_graph=True, create_graph=True, allow_unused=True
        )
    return [zeros_like(x) if g is None else g for g, x in zip(found, inputs, strict=True)]


# --- grad ----------------------------------------------------------------------------------


def grad_and_value(
    func: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False
) -> Callable[..., tuple[Any, Any]]:
    """``func``'s gradient with respect to the ``argnums`` arguments, and its value.

    Returns ``(grad, value)``, or ``(grad, (value, aux))`` with ``has_aux=True``; ``grad`` has
    the structure of ``args[argnums]`` (a tuple of them for a tuple ``argnums``).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        level = _Level()
        with enable_grad(), running("grad"):
            new_args, lifted, spec = _lift_argnums(level, args, argnums)
            output = func(*new_args, **kwargs)
            aux = None
            if has_aux:
                output, aux = _split_aux(output, "grad_and_value(f)(*args)")
            if not isinstance(output, Tensor):
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got "
                    f"{type(output)}"
                )
            if output.dim() != 0:
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                    f"tensor with {output.dim()} dims. Maybe you wanted to use the vjp or jacrev "
                    "APIs instead?"
                )
            grads = _grads([output], lifted)
        grad_tree = pt.tree_unflatten([level.lower(g) for g in grads], spec)
        value = level.lower(output)
        if has_aux:
            return grad_tree, (value, level.lower_aux(aux))
        return grad_tree, value

    return wrapper


def grad(
    func: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """``func``'s gradient with respect to the ``argnums`` arguments (``func`` returns a scalar
    tensor); ``(grad, aux)`` with ``has_aux=True``. Transforms compose: ``grad(grad(f))``."""
    inner = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g, value = inner(*args, **kwargs)
        if has_aux:
            return g, value[1]
        return g

    return wrapper


# --- vjp, jvp ------------------------------------------------------------------------------


def _check_outputs(flat: list[Any], api: str) -> None:
    if (len(flat) == 1 and flat[0] is None) or len(flat) < 1:
        raise RuntimeError(
            f"{api}: Expected f to be a function that has non-empty output (got output = {flat})"
        )
    for o in flat:
        if not isinstance(o, Tensor):
            raise RuntimeError(
                f"{api}: expected f(*primals) to return only tensors, got unsupported type "
                f"{type(o)}"
            )


def _vjp_at(
    func: Callable[..., Any],
    args: tuple[Any, ...],
    argnums: Any,
    has_aux: bool,
    kwargs: Any,
    transforms: tuple[str, ...] = ("grad",),
    api: str = "vjp(f, *primals)",
) -> tuple[_Level, Any, list[Tensor], pt.Spec, list[Tensor], pt.Spec, Any]:
    """Runs ``func`` at one level, inside ``transforms`` (PyTorch's for that call): (level,
    output, flat outputs, their structure, flat lifted inputs, their structure, aux). ``api``
    names the transform in the errors about f's output (jacfwd's are jvp's)."""
    level = _Level()
    with enable_grad(), running(*transforms):
        if argnums is None:
            flat_in, in_spec = pt.tree_flatten(args)
            lifted = [level.lift(x) for x in flat_in]
            new_args = pt.tree_unflatten(lifted, in_spec)
        else:
            new_args, lifted, in_spec = _lift_argnums(level, args, argnums)
        output = func(*new_args, **kwargs)
        aux = None
        if has_aux:
            output, aux = _split_aux(output, api)
        flat_out, out_spec = pt.tree_flatten(output)
        _check_outputs(flat_out, api)
        for o in flat_out:
            if not (o.is_floating_point() or o.is_complex()):
                raise RuntimeError(
                    "vjp(f, ...): All outputs of f must be floating-point or complex Tensors, got "
                    f"Tensor with dtype {o.dtype}"
                )
    return level, output, flat_out, out_spec, lifted, in_spec, aux


def vjp(func: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple[Any, ...]:
    """``(func(*primals), vjp_fn)`` (and ``aux`` last with ``has_aux=True``): ``vjp_fn(v)``
    returns the tuple of ``vᵀ·∂func/∂primals[i]``, ``v`` of the output's structure."""
    level, output, flat_out, out_spec, lifted, in_spec, aux = _vjp_at(
        func, primals, None, has_aux, {}
    )

    def vjp_fn(cotangents: Any, retain_graph: bool = True, create_graph: bool | None = None) -> Any:
        flat_ct, ct_spec = pt.tree_flatten(cotangents)
        if ct_spec != out_spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of "
                f"outputs to the function. cotangents: {pt.spec_pprint(ct_spec)}, primal output: "
                f"{pt.spec_pprint(out_spec)}"
            )
        if create_graph is None:
            create_graph = is_grad_enabled()
        with enable_grad():
            grads = _grads(flat_out, lifted, flat_ct)
        lowered = [level.lower(g) if create_graph else g.detach() for g in grads]
        return pt.tree_unflatten(lowered, in_spec)

    result = level.lower_tree(output)
    if has_aux:
        return result, vjp_fn, level.lower_aux(aux)
    return result, vjp_fn


def _check_tensors(flat: list[Any], argname: str) -> None:
    if len(flat) == 0:
        raise RuntimeError(f"{_JVP}: Expected {argname} to contain at least one Tensor.")
    for x in flat:
        if not isinstance(x, Tensor):
            raise RuntimeError(f"{_JVP}: Expected {argname} to only contain Tensors, got {type(x)}")


def _size(shape: Any) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _refuse_in_dual_level() -> None:
    """PyTorch's forward-mode transforms open a dual level, which cannot nest in one open
    (ndgrad's run on reverse mode, but refuse as PyTorch's do)."""
    if _state.forward_ad:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")


def jvp(
    func: Callable[..., Any],
    primals: Any,
    tangents: Any,
    *,
    strict: bool = False,
    has_aux: bool = False,
) -> tuple[Any, ...]:
    """``(func(*primals), J·tangents)`` (and ``aux`` with ``has_aux=True``); ``strict=True``
    refuses an output that does not depend on the inputs.

    ndgrad computes the Jacobian-vector product by the double-vjp trick (``u ↦ Jᵀu`` is linear
    in ``u``; its vjp along ``tangents`` is ``J·tangents``), through reverse mode: the values are
    PyTorch's forward-mode ones up to rounding.
    """
    if not isinstance(primals, tuple):
        raise RuntimeError(
            f"{_JVP}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals)."
        )
    flat_p, p_spec = pt.tree_flatten(primals)
    flat_t, t_spec = pt.tree_flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(
            f"{_JVP}: Expected primals and tangents to have the same python structure. For "
            "example, if primals is a tuple of 3 tensors, tangents also must be. Got primals with "
            f"structure {pt.spec_repr(p_spec)} and tangents with structure {pt.spec_repr(t_spec)}"
        )
    _check_tensors(flat_p, "primals")
    _check_tensors(flat_t, "tangents")
    for p, t in zip(flat_p, flat_t, strict=True):
        for what, x in (("primal", p), ("tangent", t)):
            if not (x.is_floating_point() or x.is_complex()):
                raise ValueError(
                    f"Expected {what} to be floating point or complex, but got: {x.dtype}"
                )
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the "
                f"original Tensor, this is not supported. Tensor is of size {_size(p.shape)} "
                f"while the given forward gradient is of size {_size(t.shape)}."
            )
    _refuse_in_dual_level()
    level = _Level()
    with enable_grad(), running("jvp"):
        lifted = [level.lift(x) for x in flat_p]
        output = func(*pt.tree_unflatten(lifted, p_spec))
        aux = None
        if has_aux:
            output, aux = _split_aux(output, _JVP)
        flat_out, out_spec = pt.tree_flatten(output)
        if (len(flat_out) == 1 and flat_out[0] is None) or len(flat_out) < 1:
            raise RuntimeError(
                f"{_JVP}: Expected f to be a function that has non-empty output "
                f"(got output = {flat_out})"
            )
        for o in flat_out:
            if not isinstance(o, Tensor):
                raise RuntimeError(
                    f"{_JVP}: expected f(*primals) to return only tensors, got unsupported type "
                    f"{type(o)}"
                )
        # u ↦ Jᵀu, then its derivative along the tangents
        seeds = [
            level.leaf(zeros_like(o)) if o.requires_grad and o.is_floating_point() else None
            for o in flat_out
        ]
        used = [i for i, u in enumerate(seeds) if u is not None]
        tangents_out: list[Any] = [None] * len(flat_out)
        if used:
            jt = _autograd_grad(
                [flat_out[i] for i in used],
                lifted,
                [seeds[i] for i in used],
                retain_graph=True,
                create_graph=True,
                allow_unused=True,
            )
            pairs = [
                (g, t) for g, t in zip(jt, flat_t, strict=True) if g is not None and g.requires_grad
            ]
            if pairs:
                found = _autograd_grad(
                    [g for g, _ in pairs],
                    [seeds[i] for i in used],
                    [t.to(g.dtype) for g, t in pairs],
                    retain_graph=True,
                    create_graph=True,
                    allow_unused=True,
                )
                for i, f in zip(used, found, strict=True):
                    tangents_out[i] = f
    if strict and any(t is None for t in tangents_out):
        raise RuntimeError(
            "jvp(f, primals, tangents, strict=True): The output of f is independent of the "
            "inputs. This is not allowed with strict=True."
        )
    flat_tan = [
        level.lower(zeros_like(o) if t is None else t)
        for o, t in zip(flat_out, tangents_out, strict=True)
    ]
    primals_out = pt.tree_unflatten([level.lower(o) for o in flat_out], out_spec)
    tangent_tree = pt.tree_unflatten(flat_tan, out_spec)
    if has_aux:
        return primals_out, tangent_tree, level.lower_aux(aux)
    return primals_out, tangent_tree


def linearize(func: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., Any]]:
    """``(func(*primals), jvp_fn)``: ``jvp_fn(*tangents)`` is ``J·tangents`` at ``primals``.

    ndgrad re-runs ``func`` at each call of ``jvp_fn`` (PyTorch traces it once).
    """
    _refuse_in_dual_level()
    output = func(*primals)
    flat_p, p_spec = pt.tree_flatten(primals)

    def jvp_fn(*tangents: Any) -> Any:
        flat_t, t_spec = pt.tree_flatten(tangents)
        if t_spec != p_spec:
            raise RuntimeError(
                f"Expected the tangents {pt.spec_repr(t_spec)} to have the same argspec as the "
                f"primals {pt.spec_repr(p_spec)}"
            )
        for i, (p, t) in enumerate(zip(flat_p, flat_t, strict=True)):
            for what, a, b in (("shape", t.shape, p.shape), ("dtype", t.dtype, p.dtype)):
                if a != b:
                    raise RuntimeError(
                        f"tangent:{i} with {what} {a} in flattened pytree doesn't match the "
                        f"{what} {b} of the corresponding primal."
                    )
        return jvp(func, primals, tangents)[1]

    return pt.tree_map(lambda o: o.detach() if isinstance(o, Tensor) else o, output), jvp_fn


# --- Jacobians -----------------------------------------------------------------------------


def _jacobian_rows(level: _Level, outs: list[Tensor], lifted: list[Tensor]) -> list[list[Tensor]]:
    """∂o/∂x for each output o and lifted x (shape o.shape + x.shape), row by row as PyTorch's
    jacrev builds it: one backward pass per output element, through all the outputs at once
    (zero cotangents for the others, whose backward adds their signed zeros)."""
    zero_cts = [zeros_like(o) for o in outs]
    any_graph = any(o.requires_grad for o in outs)
    blocks: list[list[Tensor]] = []
    for i, o in enumerate(outs):
        rows: list[list[Tensor]] = [[] for _ in lifted]
        if any_graph:
            for k in range(o.numel()):
                cts = [*zero_cts[:i], _one_hot(k, o), *zero_cts[i + 1 :]]
                for r, g in zip(rows, _grads(outs, lifted, cts), strict=True):
                    r.append(g)
        row = []
        for r, x in zip(rows, lifted, strict=True):
            shape = (*o.shape, *x.shape)
            row.append(stack(r).reshape(shape) if r else zeros(shape, dtype=x.dtype))
        blocks.append([level.lower(b) for b in row])
    return blocks


def _one_hot(k: int, like: Tensor) -> Tensor:
    e = np.zeros(like.numel(), dtype=like.detach().numpy().dtype)
    e[k] = 1
    return tensor(e.reshape(tuple(like.shape)))


def _jacobian_columns(
    level: _Level, outs: list[Tensor], lifted: list[Tensor]
) -> list[list[Tensor]]:
    """∂o/∂x for each output o and lifted x, column by column as forward mode builds it: with
    seeds u, ``g = Jᵀu`` once, then one backward pass of g per element of each x (the
    derivative of g along a basis vector e is ``J e``, a column; signs of zeros as PyTorch's)."""
    seeds = [level.leaf(zeros_like(o)) if o.requires_grad else None for o in outs]
    used = [i for i, u in enumerate(seeds) if u is not None]
    cols: list[list[list[Tensor]]] = [[[] for _ in lifted] for _ in outs]
    if used:
        gs = _autograd_grad(
            [outs[i] for i in used],
            lifted,
            [seeds[i] for i in used],
            retain_graph=True,
            create_graph=True,
            allow_unused=True,
        )
        for j, (g, x) in enumerate(zip(gs, lifted, strict=True)):
            if g is None or not g.requires_grad:
                continue
            for k in range(x.numel()):
                found = _autograd_grad(
                    [g],
                    [seeds[i] for i in used],
                    [_one_hot(k, x)],
                    retain_graph=True,
                    create_graph=True,
                    allow_unused=True,
                )
                for i, c in zip(used, found, strict=True):
                    cols[i][j].append(zeros_like(outs[i]) if c is None else c)
    blocks: list[list[Tensor]] = []
    for o, per_in in zip(outs, cols, strict=True):
        row = []
        for x, col in zip(lifted, per_in, strict=True):
            shape = (*o.shape, *x.shape)
            if col:
                row.append(stack(col, dim=-1).reshape(shape).to(x.dtype))
            else:
                row.append(zeros(shape, dtype=x.dtype))
        blocks.append([level.lower(b) for b in row])
    return blocks


def _jac(
    func: Callable[..., Any], argnums: Any, has_aux: bool, randomness: str | None
) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if randomness is not None:  # jacfwd
            _refuse_in_dual_level()
        with random_guard(randomness or "different"):
            # PyTorch's jacfwd is vmap(jvp(func)); jacrev runs func under vjp, then vmaps the
            # backward over the rows
            transforms = ("grad",) if randomness is None else ("vmap", "jvp")
            level, _, flat_out, out_spec, lifted, _, aux = _vjp_at(
                func,
                args,
                argnums,
                has_aux,
                kwargs,
                transforms,
                "vjp(f, *primals)" if randomness is None else _JVP,
            )
        nums = _normalize_argnums(argnums, len(args))
        _, in_spec = pt.tree_flatten(_slice_argnums(args, nums))
        with enable_grad(), running("vmap"):
            if randomness is None:  # jacrev: row by row
                blocks = _jacobian_rows(level, flat_out, lifted)
            else:
                blocks = _jacobian_columns(level, flat_out, lifted)
        per_out = [pt.tree_unflatten(b, in_spec) for b in blocks]
        jac = pt.tree_unflatten(per_out, out_spec)
        if has_aux:
            return jac, level.lower_aux(aux)
        return jac

    return wrapper


def jacrev(
    func: Callable[..., Any],
    argnums: int | tuple[int, ...] = 0,
    *,
    has_aux: bool = False,
    chunk_size: int | None = None,
    _preallocate_and_copy: bool = False,
) -> Callable[..., Any]:
    """The Jacobian of ``func`` with respect to the ``argnums`` arguments, by reverse mode: for
    each output, a tensor of shape ``output.shape + input.shape`` (nested as the outputs, then
    as ``args[argnums]``). ``chunk_size`` is accepted and checked; ndgrad always takes one
    backward pass per output element."""
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")
    return _jac(func, argnums, has_aux, None)


def jacfwd(
    func: Callable[..., Any],
    argnums: int | tuple[int, ...] = 0,
    has_aux: bool = False,
    *,
    randomness: str = "error",
) -> Callable[..., Any]:
    """The Jacobian of ``func`` (the layout of :func:`jacrev`). ndgrad computes it by reverse
    mode too: the values are PyTorch's forward-mode ones up to rounding. ``randomness``
    ('error', 'different', 'same') acts as in :func:`vmap`, which PyTorch's jacfwd runs."""
    check_randomness(randomness)
    return _jac(func, argnums, has_aux, randomness)


def hessian(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """The Hessian of scalar ``func``: ``jacfwd(jacrev(func, argnums), argnums)``."""
    return jacfwd(jacrev(func, argnums), argnums)
