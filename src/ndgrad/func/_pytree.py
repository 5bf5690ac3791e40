"""A small pytree: nested tuples, lists, dicts (and namedtuples) of leaves, as ``torch.func``
flattens arguments and results.

A spec is ``None`` for a leaf, or ``(kind, keys, children)``: ``kind`` the container's type,
``keys`` the dict's keys in order (``None`` for sequences), ``children`` the specs of its items.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__: list[str] = []

Spec = tuple[type, tuple[Any, ...] | None, tuple[Any, ...]] | None


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def tree_flatten(tree: Any) -> tuple[list[Any], Spec]:
    """(the leaves of ``tree`` in order, its structure)."""
    leaves: list[Any] = []

    def walk(node: Any) -> Spec:
        if isinstance(node, tuple | list):
            return (type(node), None, tuple(walk(c) for c in node))
        if isinstance(node, dict):
            keys = tuple(node)
            return (type(node), keys, tuple(walk(node[k]) for k in keys))
        leaves.append(node)
        return None

    spec = walk(tree)
    return leaves, spec


def tree_unflatten(leaves: list[Any], spec: Spec) -> Any:
    """The tree of structure ``spec`` holding ``leaves`` in order."""
    it = iter(leaves)

    def build(s: Spec) -> Any:
        if s is None:
            return next(it)
        kind, keys, children = s
        items = [build(c) for c in children]
        if keys is not None:
            out = kind() if kind is not dict else {}
            for k, v in zip(keys, items, strict=True):
                out[k] = v
            return out
        if issubclass(kind, tuple) and hasattr(kind, "_fields"):
            return kind(*items)
        return kind(items)

    return build(spec)


def tree_map(fn: Callable[[Any], Any], tree: Any) -> Any:
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(x) for x in leaves], spec)


def num_leaves(spec: Spec) -> int:
    if spec is None:
        return 1
    return sum(num_leaves(c) for c in spec[2])


def broadcast_to_spec(prefix: Any, spec: Spec) -> list[Any] | None:
    """``prefix`` (a tree whose leaves stand for whole subtrees of ``spec``) flattened to one
    value per leaf of ``spec``, or None when the structures do not match."""
    if not isinstance(prefix, tuple | list | dict):
        return [prefix] * num_leaves(spec)
    if spec is None:
        return None
    kind, keys, children = spec
    if isinstance(prefix, dict):
        if keys is None or set(prefix) != set(keys):
            return None
        parts = [prefix[k] for k in keys]
    else:
        if keys is not None or not isinstance(prefix, tuple | list):
            return None
        if isinstance(prefix, tuple) != issubclass(kind, tuple) or len(prefix) != len(children):
            return None
        parts = list(prefix)
    out: list[Any] = []
    for part, child in zip(parts, children, strict=True):
        sub = broadcast_to_spec(part, child)
        if sub is None:
            return None
        out.extend(sub)
    return out


class _Asterisk:
    def __repr__(self) -> str:
        return "*"


def spec_pprint(spec: Spec) -> str:
    """The structure with ``*`` for each leaf (PyTorch's ``treespec_pprint``)."""
    return repr(tree_unflatten([_Asterisk()] * num_leaves(spec), spec))


def spec_repr(spec: Spec, indent: int = 0) -> str:
    """PyTorch's ``repr(TreeSpec)``: ``TreeSpec(tuple, None, [*,\n  *])``."""
    if spec is None:
        return "*"
    kind, keys, children = spec
    context: Any = list(keys) if keys is not None else None
    if keys is None and issubclass(kind, tuple) and hasattr(kind, "_fields"):
        context = kind
    indent += 2
    parts = [spec_repr(c, indent) for c in children]
    body = (",\n" + " " * indent).join(parts)
    return f"TreeSpec({kind.__name__}, {context}, [{body}])"
