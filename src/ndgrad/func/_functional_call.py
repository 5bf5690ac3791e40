"""functional_call and stack_module_state: a module run with tensors given for its state."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from .._tensor import Tensor
from ..nn.module import Module
from ..ops.shape import stack

__all__ = ["functional_call", "stack_module_state"]

_MISSING = object()


def _owner(module: Module, name: str) -> tuple[Any, str]:
    *path, leaf = name.split(".")
    owner: Any = module
    for part in path:
        owner = getattr(owner, part)
    return owner, leaf


def _swap(module: Module, name: str, value: Any) -> Any:
    """Puts ``value`` where ``name`` lives in ``module``; returns what was there (or _MISSING)."""
    owner, leaf = _owner(module, name)
    d = owner.__dict__ if isinstance(owner, Module) else {}
    for table in ("_parameters", "_buffers"):
        entries = d.get(table)
        if entries is not None and leaf in entries:
            old = entries[leaf]
            entries[leaf] = value
            return old
    old = owner.__dict__.get(leaf, _MISSING)
    if value is _MISSING:
        owner.__dict__.pop(leaf, None)
    else:
        object.__setattr__(owner, leaf, value)
    return old


def _untie(module: Module, given: dict[str, Any]) -> dict[str, Any]:
    names_of: dict[int, set[str]] = {}
    for name, t in [
        *module.named_parameters(remove_duplicate=False),
        *module.named_buffers(remove_duplicate=False),
    ]:
        names_of.setdefault(id(t), set()).add(name)
    tied = {n: group for group in names_of.values() if len(group) > 1 for n in group}
    result = dict(given)
    for name in given:
        if name not in tied:
            continue
        group = tied[name]
        values = {id(given[n]) for n in group if n in given}
        if len(values) > 1:
            raise ValueError(
                f"functional_call got multiple values for keys {sorted(group)}, which are tied. "
                "Consider using tie_weights=False"
            )
        for n in group:
            result[n] = given[name]
    return result


@contextlib.contextmanager
def _reparametrized(
    module: Module, tensors: dict[str, Any], tie_weights: bool, strict: bool
) -> Iterator[None]:
    if tie_weights:
        tensors = _untie(module, tensors)
    if strict:
        valid = {n for n, _ in module.named_parameters(remove_duplicate=False)}
        valid |= {n for n, _ in module.named_buffers(remove_duplicate=False)}
        missing, unexpected = sorted(valid - set(tensors)), sorted(set(tensors) - valid)
        msgs = []
        if unexpected:
            msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if msgs:
            raise RuntimeError(
                "Error(s) in reparametrizing for {}:\n\t{}".format(
                    module._get_name(), "\n\t".join(msgs)
                )
            )
    saved: list[tuple[str, Any]] = []
    try:
        for name, value in tensors.items():
            saved.append((name, _swap(module, name, value)))
        yield
    finally:
        for name, old in reversed(saved):
            _swap(module, name, old)


def functional_call(
    module: Module,
    parameter_and_buffer_dicts: dict[str, Tensor] | Sequence[dict[str, Tensor]],
    args: Any = None,
    kwargs: dict[str, Any] | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    """``module(*args, **kwargs)`` with the given tensors in place of its parameters and buffers
    (by their dotted names; the originals are put back afterwards, also on an error).

    ``args`` that is not a tuple is one argument. ``tie_weights``: a value given for one of
    several names of the same tensor goes to all of them; ``strict``: every parameter and
    buffer must be given, and nothing else.
    """
    if isinstance(parameter_and_buffer_dicts, dict):
        tensors = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, Sequence):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError(
                "Expected all elements of parameter_and_buffer_dicts to be dictionaries"
            )
        counts: dict[str, int] = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated = [k for k, n in counts.items() if n > 1]
        if repeated:
            raise ValueError(
                f"{repeated} appeared in multiple dictionaries; behavior of functional call is "
                "ambiguous"
            )
        tensors = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError(
            "Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
            f"{type(parameter_and_buffer_dicts)}"
        )
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrized(module, tensors, tie_weights, strict):
        return module(*args, **kwargs)


def _stacked(tensors: list[Tensor], name: str) -> Tensor:
    need = [t.requires_grad for t in tensors]
    if any(need) and not all(need):
        raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
    result = stack(tensors)
    if all(need):
        result = result.detach().requires_grad_()
    return result


def stack_module_state(models: Sequence[Module]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The parameters and buffers of same-class ``models`` stacked along a new first dimension:
    ``(params, buffers)``, leaves that require grad when the models' do (for vmap over
    :func:`functional_call`, model ensembling)."""
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError(
            "stack_module_state: Expected all models to have the same training/eval mode."
        )
    if not all(type(m) is type(models[0]) for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    all_params = [dict(m.named_parameters()) for m in models]
    params = {k: _stacked([p[k] for p in all_params], k) for k in all_params[0]}
    all_buffers = [dict(m.named_buffers()) for m in models]
    buffers = {k: _stacked([b[k] for b in all_buffers], k) for k in all_buffers[0]}
    return params, buffers
