"""What ``dir()`` of a public ndgrad module lists: its API, not its imports and helpers.

Tab completion and ``help()`` are how a learner explores an API, and both read ``dir()``. Left to
itself, ``dir()`` of a module lists every global: ``np``, ``Any``, the Function classes that
implement the ops, the helpers they share. A public module therefore names its API in
``__all__`` and ends its header with::

    __dir__ = public_dir(__name__)

(a module-level ``__dir__``, PEP 562), so that ``dir(module)`` lists ``__all__``, the public
submodules of a package and the module's dunder attributes, and nothing else. The hidden names
stay importable: the code that uses them is unchanged. tests/test_namespaces.py checks every
public module against its PyTorch counterpart.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable

__all__ = ["public_dir"]


def public_dir(module_name: str) -> Callable[[], list[str]]:
    """The ``__dir__`` of module ``module_name``: ``__all__``, its loaded public submodules and
    its dunder attributes, sorted (read at each call: a submodule imported later shows up)."""

    def __dir__() -> list[str]:
        module = sys.modules[module_name]
        shown = set(getattr(module, "__all__", ()))
        prefix = module_name + "."
        for name, value in vars(module).items():
            if (name.startswith("__") and name.endswith("__")) or (
                not name.startswith("_")
                and isinstance(value, types.ModuleType)
                and value.__name__ == prefix + name
            ):
                shown.add(name)
        return sorted(shown)

    return __dir__
