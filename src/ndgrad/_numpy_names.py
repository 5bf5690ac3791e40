"""numpy's parameter names, which PyTorch's functions with a ``dim`` also accept.

PyTorch parses the arguments of its C++ functions and methods (``torch.sum``, ``Tensor.mean``,
``torch.cat``...) with one parser, which also takes numpy's names: ``axis`` for ``dim``,
``keepdims`` for ``keepdim``, ``x``, ``a`` or ``x1`` for ``input`` and ``x2`` for ``other``.
Its Python-level functions (``torch.norm``, ``Tensor.split``, ``nn.functional.softmax``) do
not. Tutorials use them: ``P.sum(1, keepdims=True)`` normalises the bigram counts of a
well-known one, and a missing name stops the whole script.

ndgrad gives the functions and methods that take a ``dim`` or a ``keepdim`` and are C++
functions in PyTorch (:data:`WITH_DIM`, read from PyTorch 2.13 and checked against it by
tests/test_numpy_names.py) a thin wrapper that renames numpy's names and then calls the
function. The other C++ functions take numpy's names only for ``input`` and ``other``: those
are the elementwise functions and operators on the hot path of every program, which ndgrad
leaves unwrapped (docs/compatibility.md).
"""

from __future__ import annotations

import functools
import inspect
import types
from collections.abc import Callable
from typing import Any

__all__: list[str] = []

# numpy's name -> PyTorch's (PyTorch's python_arg_parser).
NUMPY_NAMES = {
    "axis": "dim",
    "keepdims": "keepdim",
    "x": "input",
    "a": "input",
    "x1": "input",
    "x2": "other",
}

# By namespace: the names that are C++ functions in PyTorch 2.13 and take a dim or keepdim.
WITH_DIM: dict[str, frozenset[str]] = {
    "torch": frozenset(
        """
        all amax amin aminmax any argmax argmin argsort cat chunk concat concatenate
        cosine_similarity count_nonzero cross cummax cummin cumprod cumsum cumulative_trapezoid
        diff frobenius_norm gather gradient index_add index_copy index_fill index_reduce
        index_select kthvalue log_softmax logcumsumexp logsumexp max mean median min mode nanmean
        nanmedian nanquantile nansum narrow narrow_copy norm_except_dim nuclear_norm
        pairwise_distance prod quantile renorm repeat_interleave scatter scatter_add
        scatter_reduce select select_copy select_scatter slice_copy slice_scatter softmax sort
        split_copy split_with_sizes split_with_sizes_copy squeeze squeeze_copy stack std std_mean
        sum take_along_dim tensor_split topk trapezoid trapz unbind unbind_copy unflatten
        unsafe_chunk unsafe_split unsafe_split_with_sizes unsqueeze unsqueeze_copy var var_mean
        """.split()  # noqa: SIM905  (a list literal of 85 strings reads worse)
    ),
    "Tensor": frozenset(
        """
        all amax amin aminmax any argmax argmin argsort chunk count_nonzero cross cummax cummin
        cumprod cumprod_ cumsum cumsum_ diff gather index_add index_add_ index_copy index_copy_
        index_fill index_fill_ index_reduce index_reduce_ index_select kthvalue log_softmax
        logcumsumexp logsumexp max mean median min mode nanmean nanmedian nanquantile nansum
        narrow narrow_copy prod quantile renorm renorm_ repeat_interleave scatter scatter_
        scatter_add scatter_add_ scatter_reduce scatter_reduce_ select select_scatter size
        slice_scatter softmax sort split_with_sizes squeeze squeeze_ std stride sum
        take_along_dim tensor_split topk unbind unsafe_chunk unsafe_split unsafe_split_with_sizes
        unsqueeze unsqueeze_ var
        """.split()  # noqa: SIM905  (a list literal of 85 strings reads worse)
    ),
    "nn.functional": frozenset(["cosine_similarity", "pairwise_distance"]),
    "linalg": frozenset(["cross", "matrix_norm", "norm", "vecdot", "vector_norm"]),
    "special": frozenset(["log_softmax", "logsumexp", "softmax"]),
}


def accepting_numpy_names(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    """``fn``, also called with numpy's names for its parameters (``fn`` itself if it has
    none of PyTorch's)."""
    params = inspect.signature(fn).parameters
    renames = {
        alias: real for alias, real in NUMPY_NAMES.items() if real in params and alias not in params
    }
    if not renames:
        return fn

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        if kwargs and not renames.keys().isdisjoint(kwargs):
            for alias in [k for k in kwargs if k in renames]:
                real = renames[alias]
                if real in kwargs:  # both names: PyTorch's parser knows only the first
                    raise TypeError(f"{name}() got an unexpected keyword argument '{alias}'")
                kwargs[real] = kwargs.pop(alias)
        return fn(*args, **kwargs)

    return call


def install(namespaces: dict[str, Any]) -> None:
    """Wrap the :data:`WITH_DIM` names of each namespace (a module, or a class and the
    subclasses that define the name again) in place."""
    for key, target in namespaces.items():
        owners = target if isinstance(target, tuple) else (target,)
        for owner in owners:
            own = vars(owner)
            for name in WITH_DIM[key]:
                fn = own.get(name)
                if fn is None or not isinstance(fn, types.FunctionType):
                    continue
                setattr(owner, name, accepting_numpy_names(fn, name))
