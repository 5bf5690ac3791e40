"""vmap by a Python loop: ``func`` runs once per index of the mapped dimension.

The mapped inputs are sliced with ``select`` (views, so autograd and in-place writes reach the
originals), the per-index outputs are stacked along ``out_dims``. The checks and their messages
are PyTorch's.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .. import _random
from .._tensor import Tensor
from ..autograd.grad_mode import _state
from ..ops.shape import cat, stack
from . import _pytree as pt

__all__ = ["vmap"]

_RANDOM_ERROR = (
    "vmap: called random operation while in randomness error mode. Please either use the 'same' "
    "or 'different' randomness flags on vmap or perform the randomness operation out of vmap"
)


def check_randomness(randomness: Any) -> None:
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            "Only allowed values for randomness are 'error', 'different', or 'same'. Got "
            f"{randomness}"
        )


@contextlib.contextmanager
def running(*kinds: str) -> Iterator[None]:
    """Marks the body as running inside the transforms ``kinds`` ("grad", "vmap", "jvp"): a
    user's autograd.Function called there checks it supports them, as PyTorch's does."""
    outer = _state.func_transforms
    _state.func_transforms = outer + kinds
    try:
        yield
    finally:
        _state.func_transforms = outer


def _rng_state() -> np.ndarray:
    return _random.default_generator.get_state().numpy().copy()


@contextlib.contextmanager
def random_guard(randomness: str) -> Iterator[None]:
    """With 'error', raises PyTorch's error if the body drew from the default generator (the
    check runs after the body: the draw has happened, ndgrad cannot stop it beforehand)."""
    if randomness != "error":
        yield
        return
    before = _rng_state()
    yield
    if not np.array_equal(before, _rng_state()):
        raise RuntimeError(_RANDOM_ERROR)


def _name(func: Any) -> str:
    if hasattr(func, "__name__"):
        return str(func.__name__)
    if isinstance(func, functools.partial):
        return f"functools.partial({_name(func.func)}, ...)"
    return repr(func)


def _flat_in_dims(
    func: Any, in_dims: Any, args: tuple[Any, ...]
) -> tuple[list[Any], list[Any], pt.Spec]:
    if not isinstance(in_dims, int | tuple):
        raise ValueError(
            f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int "
            "or a (potentially nested) tuple matching the structure of inputs, got: "
            f"{type(in_dims)}."
        )
    if len(args) == 0:
        raise ValueError(
            f"vmap({_name(func)})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you "
            "are trying to vmap over a function with no inputs. The latter is unsupported."
        )
    flat_args, spec = pt.tree_flatten(args)
    flat_dims = pt.broadcast_to_spec(in_dims, spec)
    if flat_dims is None:
        raise ValueError(
            f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible "
            f"with the structure of `inputs`. in_dims has structure "
            f"{pt.spec_repr(pt.tree_flatten(in_dims)[1])} but inputs has structure "
            f"{pt.spec_repr(spec)}."
        )
    dims: list[Any] = []
    for arg, d in zip(flat_args, flat_dims, strict=True):
        if not (d is None or isinstance(d, int)) or isinstance(d, bool):
            raise ValueError(
                f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an "
                "input but in_dim must be either an integer dimension or None."
            )
        if d is not None and not isinstance(arg, Tensor):
            raise ValueError(
                f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an "
                f"input but the input is of type {type(arg)}. We cannot vmap over non-Tensor "
                "arguments, please use None as the respective in_dim"
            )
        if d is not None and not -arg.dim() <= d < arg.dim():
            raise ValueError(
                f"vmap({_name(func)}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for some "
                f"input, but that input is a Tensor of dimensionality {arg.dim()} so expected "
                f"in_dim to satisfy -{arg.dim()} <= in_dim < {arg.dim()}."
            )
        dims.append(None if d is None else d % arg.dim())
    return flat_args, dims, spec


def _batch_size(flat_args: list[Any], dims: list[Any]) -> int:
    sizes = [a.size(d) for a, d in zip(flat_args, dims, strict=True) if d is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError(
            "vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
            f"{sizes} for the mapped dimension"
        )
    return int(sizes[0])


def _check_out_dims(func: Any, out_dims: Any) -> None:
    leaves = pt.tree_flatten(out_dims)[0] if isinstance(out_dims, tuple | list) else [out_dims]
    for d in leaves:
        if not (d is None or isinstance(d, int)):
            raise ValueError(
                f"vmap({_name(func)}, ..., out_dims={out_dims}): `out_dims` must be an int, None "
                "or a python collection of ints representing where in the outputs the vmapped "
                "dimension should appear."
            )


def _same_value(values: list[Any]) -> bool:
    first = values[0].detach().numpy()
    return all(
        tuple(v.shape) == first.shape and np.array_equal(v.detach().numpy(), first, equal_nan=True)
        for v in values[1:]
    )


def _combine(func: Any, out_dims: Any, outputs: list[Any]) -> Any:
    flats = [pt.tree_flatten(o) for o in outputs]
    spec = flats[0][1]

    def incompatible() -> ValueError:
        return ValueError(
            f"vmap({_name(func)}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible "
            f"with the structure of `outputs`. out_dims has structure "
            f"{pt.spec_repr(pt.tree_flatten(out_dims)[1])} but outputs has structure "
            f"{pt.spec_repr(spec)}."
        )

    dims: list[Any] | None
    if isinstance(outputs[0], Tensor):
        if isinstance(out_dims, int) or out_dims is None:
            dims = [out_dims]
        elif isinstance(out_dims, tuple) and len(out_dims) == 1:
            dims = list(out_dims)
        else:
            raise incompatible()
    else:
        dims = pt.broadcast_to_spec(out_dims, spec)
        if dims is None:
            raise incompatible()
    name = _name(func)
    result = []
    for j, d in enumerate(dims):
        values = [f[0][j] for f in flats]
        if d is None:
            # PyTorch returns an unbatched output as it is and refuses a batched one; the loop
            # cannot see batching, so an output that differs between indices counts as batched
            if isinstance(values[0], Tensor) and not _same_value(values):
                raise ValueError(
                    f"vmap({name}, ...): `{name}` can not return a BatchedTensor when out_dim is "
                    "None"
                )
            result.append(values[0])
            continue
        if not isinstance(values[0], Tensor):
            raise ValueError(
                f"vmap({name}, ...): `{name}` must only return Tensors, got type "
                f"{type(values[0])}. Did you mean to set out_dims= to None for output?"
            )
        result.append(stack(values, dim=d))
    return pt.tree_unflatten(result, spec)


def _concat_chunks(out_dims: Any, chunks: list[Any]) -> Any:
    """The results of the chunks joined as PyTorch's chunked vmap joins them: each output
    concatenated along its out_dim (so a CatBackward0 node, and PyTorch's errors for an
    out_dims that cannot be flattened against the outputs or holds a None)."""
    flats = [pt.tree_flatten(c) for c in chunks]
    spec = flats[0][1]
    dims = pt.broadcast_to_spec(out_dims, spec)
    if dims is None:
        raise AssertionError("flat_out_dims must not be None")
    result = []
    for j, d in enumerate(dims):
        pieces = [f[0][j] for f in flats]
        for k, piece in enumerate(pieces):
            if not isinstance(piece, Tensor):
                raise TypeError(
                    f"expected Tensor as element {k} in argument 0, but got {type(piece).__name__}"
                )
        if d is None:
            raise TypeError("cat(): argument 'dim' must be int, not NoneType")
        result.append(cat(pieces, dim=d))
    return pt.tree_unflatten(result, spec)


def vmap(
    func: Callable[..., Any],
    in_dims: Any = 0,
    out_dims: Any = 0,
    randomness: str = "error",
    *,
    chunk_size: int | None = None,
) -> Callable[..., Any]:
    """``func`` mapped over dimension ``in_dims`` of its inputs, results stacked along
    ``out_dims``.

    ndgrad runs ``func`` once per index in a Python loop (same values as PyTorch's batched
    kernels, not their speed). ``in_dims`` is an int or a tuple matching the positional
    arguments (nested as they are; None leaves an argument unmapped); keyword arguments are
    passed unmapped. ``randomness``: 'error' raises PyTorch's error when ``func`` draws from the
    default generator, 'same' replays the same draws for every index, 'different' lets each
    index draw in turn (not always the values of PyTorch's batched draw: docs/func.md).
    """
    check_randomness(randomness)
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        _check_out_dims(func, out_dims)
        flat_args, dims, spec = _flat_in_dims(func, in_dims, args)
        size = _batch_size(flat_args, dims)
        if size == 0:
            raise ValueError(
                "vmap: ndgrad's vmap runs func once per index and cannot map over a dimension of "
                "size 0"
            )
        start = _random.default_generator.get_state() if randomness == "same" else None
        outputs = []
        for i in range(size):
            sliced = [
                a if d is None else a.select(d, i) for a, d in zip(flat_args, dims, strict=True)
            ]
            if start is not None:
                _random.default_generator.set_state(start)
            with random_guard(randomness), running("vmap"):
                outputs.append(func(*pt.tree_unflatten(sliced, spec), **kwargs))
        combined = _combine(func, out_dims, outputs)
        if chunk_size is None:
            return combined
        # (all the outputs combined first: PyTorch's per-chunk errors, which a chunk of one
        # index cannot show)
        chunks = [
            _combine(func, out_dims, outputs[i : i + chunk_size])
            for i in range(0, size, chunk_size)
        ]
        return _concat_chunks(out_dims, chunks)

    return wrapped
