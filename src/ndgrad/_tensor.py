"""The Tensor: a numpy array plus what autograd needs to know about it.

This file holds what every layer builds on: storage, dtype, the autograd attributes, hooks,
conversions and the checks before an in-place write. The methods that run ops (operators,
reductions, in-place ops, ``backward``, ``to``...) live with their ops as mixin classes and are
installed on Tensor by ``_tensor_methods.py``, which sits above the ops, so that autograd's
core, the creation functions and the ops can import this module without a cycle.
"""

from __future__ import annotations

import itertools
import sys
import warnings
import weakref
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _errors
from ._device import CPU, check_device, device
from ._layout import channels_last, channels_last_3d, contiguous_format, iter_order, strided
from ._layout import memory_format as _memory_format
from ._printing import tensor_repr
from .autograd._hooks import RemovableHandle, _add_hook
from .autograd.grad_mode import _sequence, _state, _Used, grad_version
from .dtypes import can_cast, dtype, from_numpy_dtype, get_default_dtype

if TYPE_CHECKING:
    # The methods that run ops are installed on Tensor by _tensor_methods (above the ops);
    # type checkers see them as a base class.
    from ._tensor_methods import TensorMethods as _Methods
    from ._tensor_methods import ViewMethods as _ViewMethods
    from .autograd.function import AccumulateGrad, Node
else:
    _Methods = _ViewMethods = object

__all__ = ["Size", "Tensor"]


class Size(tuple):
    """A tensor's shape: a tuple of ints that prints as ``torch.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    # A slice, a concatenation with a tuple and a repetition are Sizes too, as PyTorch's.
    def __getitem__(self, index: Any) -> Any:
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item

    def __add__(self, other: Any) -> Size:
        if not isinstance(other, tuple):
            name = type(other).__name__
            raise TypeError(f"can only concatenate tuple (not {name}) to torch.Size")
        return Size(tuple.__add__(self, other))

    def __radd__(self, other: Any) -> Size:
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, n: Any) -> Any:
        if not hasattr(type(n), "__index__"):  # (Python's message for a tuple's)
            raise TypeError(f"can't multiply sequence by non-int of type '{type(n).__name__}'")
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


# References to a gradient array that only the engine holds when it reaches _accumulate_np: the
# node's gradient list, AccumulateGrad._apply_np's local, the argument, getrefcount's own (the
# engine drops each node's outputs before the next node runs). One more means someone else
# holds it: the caller's tensor, another node's buffer. tests/test_autograd_core.py checks
# that such gradients are copied. Not CPython: no count, always a copy.
_ENGINE_REFS = 4
_getrefcount = getattr(sys, "getrefcount", lambda obj: _ENGINE_REFS + 1)


def _owned_array(grad: np.ndarray) -> np.ndarray | None:
    """The C-contiguous, writeable array that holds ``grad``'s values and nothing else, or None:
    ``grad`` itself when it owns its memory, or when it is a view that covers all of an array
    nothing else holds (its count: ``grad.base``, the local name and the call's argument) in
    the same order: a reshape, as a bias's gradient comes back from its sum with ``keepdim``
    (for the transpose of a transpose, as a weight's gradient comes back through
    ``weight.t()``, that array itself). Not CPython: no count, None."""
    if not (grad.flags.c_contiguous and grad.flags.writeable):
        return None
    base = grad.base
    if base is None:
        return grad
    # (Of the same size and dtype, both C-contiguous, the view starts where its base does:
    # no other offset leaves room for it.)
    if (
        type(base) is np.ndarray  # (as_strided's views have numpy's DummyArray as base)
        and base.size == grad.size
        and base.base is None
        and base.dtype == grad.dtype
        and base.flags.c_contiguous
        and _getrefcount(base) <= 3
    ):
        return base if base.shape == grad.shape else grad
    return None


class _VersionCounter:
    """Counts in-place writes to a storage; shared by a tensor, its views and its detach()es."""

    __slots__ = ("value",)

    def __init__(self, value: int = 0) -> None:
        self.value = value


def _no_node() -> None:
    """A dead weak reference (an in-place write left its view without a node)."""
    return None


def storage_root(a: np.ndarray) -> np.ndarray:
    """The array at the root of ``a``'s chain of bases: the memory PyTorch calls its storage.

    numpy's ``as_strided`` (behind expand, unfold...) puts a helper object between a view and
    its base, whose own ``base`` continues the chain.
    """
    while True:
        base = a.base
        if base is not None and not isinstance(base, np.ndarray):
            base = getattr(base, "base", None)  # numpy's DummyArray
        if not isinstance(base, np.ndarray):
            return a
        a = base


def _requires_grad_flag(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """``requires_grad_``'s one argument, which must be a bool (PyTorch's argument parser: an
    int, a numpy bool or a tensor is a TypeError that names the position when given so)."""
    for key in kwargs:
        if key != "requires_grad":
            raise TypeError(f"requires_grad_() got an unexpected keyword argument '{key}'")
    if len(args) > 1:
        raise TypeError(
            f"requires_grad_() takes from 0 to 1 positional arguments but {len(args)} were given"
        )
    if args and kwargs:
        raise TypeError("requires_grad_() got multiple values for argument 'requires_grad'")
    value = args[0] if args else kwargs.get("requires_grad", True)
    if type(value) is not bool:
        where = " (position 1)" if args else ""
        raise TypeError(
            f"requires_grad_(): argument 'requires_grad'{where} must be bool, "
            f"not {_errors.py_type_name(value)}"
        )
    return value


class Tensor(_Methods):
    """A multi-dimensional array that can record the operations applied to it.

    >>> import ndgrad
    >>> x = ndgrad.ones(2, 2, requires_grad=True)
    >>> y = (x * 3).sum()
    >>> y.backward()
    >>> x.grad
    tensor([[3., 3.],
            [3., 3.]])
    """

    # Class-level defaults: a new tensor sets only what differs (creation is on every op's path).
    _data: np.ndarray
    _requires_grad = False
    grad_fn: Node | None = None
    _output_nr = 0
    _grad: Tensor | None = None
    _version_counter: _VersionCounter | None = None
    _base: Tensor | None = None
    _accumulator_ref: weakref.ref[AccumulateGrad] | None = None
    _backward_hooks: dict[int, Callable[..., Any]] | None = None
    _post_accumulate_hooks: dict[int, Callable[..., Any]] | None = None
    _retains_grad = False
    # The shared (shape, dtype) record of _data (autograd/function.py:_METAS), set by the graph
    # recorders on first use; _set_data, the only way to rebind _data, clears it.
    _meta: tuple[Any, ...] | None = None
    # numpy defers to our reflected operators (`array + tensor` gives a Tensor).
    __array_ufunc__ = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The legacy constructor: Tensor([1, 2]) copies data as float; Tensor(2, 3) allocates.
        self._data = self._legacy_data(args, kwargs)

    @classmethod
    def _make(cls, data: np.ndarray, grad_fn: Node | None = None, output_nr: int = 0) -> Tensor:
        """Wrap an array without copying; with ``grad_fn``, the tensor is that node's output."""
        t = object.__new__(cls)
        t._data = data
        if grad_fn is not None:
            t.grad_fn = grad_fn
            t._requires_grad = True
            t._output_nr = output_nr
        return t

    # --- storage and metadata ------------------------------------------------------------------
    @property
    def data(self) -> Tensor:
        """The same storage as a tensor outside the graph; writes to it are not tracked."""
        # A new array object on the same memory: ops tell their arguments apart by array
        # identity (a saved value is matched to its input), so x * x.data must not look like x * x.
        return Tensor._make(self._data.view())

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        self._set_data(value._data.view())  # the same memory, its own array object (see getter)

    def _set_data(self, data: np.ndarray) -> None:
        """Rebind this tensor to another array (which may differ in shape or dtype)."""
        self._data = data
        self._meta = None

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Any:
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[self._wrap_dim(dim)]

    @property
    def dtype(self) -> dtype:
        return from_numpy_dtype(self._data.dtype)

    @property
    def device(self) -> device:
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    def element_size(self) -> int:
        return int(self._data.itemsize)

    @property
    def is_floating_point_type(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_contiguous(self, *, memory_format: Any = None) -> bool:
        """Whether the elements lie in row-major order without gaps (``memory_format``
        ``contiguous_format``, the default), or in channels-last order (``channels_last`` for a
        4-d tensor, ``channels_last_3d`` for a 5-d one); dims of size 1 do not count."""
        data = self._data
        if memory_format is None or memory_format is contiguous_format:
            return bool(data.flags.c_contiguous)
        if not isinstance(memory_format, _memory_format):
            raise TypeError(
                "is_contiguous(): argument 'memory_format' must be torch.memory_format, not "
                f"{type(memory_format).__name__}"
            )
        order = {channels_last: (4, (1, 3, 2, 0)), channels_last_3d: (5, (1, 4, 3, 2, 0))}
        if memory_format not in order:  # preserve_format, legacy_contiguous_format
            return bool(data.flags.c_contiguous)
        ndim, dims = order[memory_format]
        if data.ndim != ndim:
            return False
        expected = 1
        for d in dims:  # channels fastest, then the spatial dims from the last, batch slowest
            n = data.shape[d]
            if n != 1:
                if data.strides[d] != expected * data.itemsize:
                    return False
                expected *= n
        return True

    def dim_order(self, *, ambiguity_check: bool | list[Any] = False) -> tuple[int, ...]:
        """The dims from the outermost in memory to the innermost (a permutation of
        ``range(ndim)``), as an elementwise op's output orders them. ``ambiguity_check=True``
        refuses a layout with dims of size 1 or equal strides, which has several orders; a
        list of memory formats accepts such a layout when exactly one of them fits it."""
        formats = ambiguity_check if isinstance(ambiguity_check, list) else []
        if not isinstance(ambiguity_check, bool) and not (
            isinstance(ambiguity_check, list)
            and all(isinstance(f, _memory_format) for f in ambiguity_check)
        ):
            raise TypeError(
                "The ambiguity_check argument must be a bool or a list of memory formats."
            )
        shape, strides = self._data.shape, self.stride()
        several = 1 in shape or any(a == b for a, b in itertools.pairwise(strides))
        if (ambiguity_check is not False and several) and sum(
            self.is_contiguous(memory_format=f) for f in formats
        ) != 1:
            raise RuntimeError(
                "The tensor does not have unique dim order, or cannot map to exact one of the "
                "given memory formats."
            )
        ndim = len(shape)
        if ndim <= 1:
            return tuple(range(ndim))
        contiguous = self.is_contiguous()
        last = self.is_contiguous(memory_format=channels_last)
        if contiguous and not last:
            return tuple(range(ndim))
        if last and not contiguous:
            return (0, *range(2, ndim), 1)
        order = iter_order(shape, [strides])
        # checked: the strides, from the outermost dim, nonzero and strictly decreasing
        ordered = [strides[d] for d in order]
        if ambiguity_check and not all(a > b > 0 for a, b in itertools.pairwise(ordered)):
            raise RuntimeError("The tensor does not have unique dim order.")
        return tuple(order)

    def stride(self, dim: int | None = None) -> Any:
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[self._wrap_dim(dim)]

    def _wrap_dim(self, dim: int) -> int:
        ndim = self._data.ndim
        n = max(ndim, 1)
        if not -n <= dim < n:
            raise _errors.dim_out_of_range(dim, ndim)
        return dim % n

    # --- autograd attributes -------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self.grad_fn is not None:
            # PyTorch's attribute says no more when asked for True (the method accepts that)
            short = "you can only change requires_grad flags of leaf variables."
            raise RuntimeError(short if value else _errors.NON_LEAF_REQUIRES_GRAD)
        if value and self._data.dtype.kind != "f":
            # PyTorch's attribute and method word this differently.
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients"
            )
        self._requires_grad = bool(value)

    def requires_grad_(self, *args: Any, **kwargs: Any) -> Tensor:
        requires_grad = _requires_grad_flag(args, kwargs)
        if requires_grad and self.grad_fn is not None:
            return self  # a non-leaf requires grad already: PyTorch lets that pass
        if requires_grad and self.grad_fn is None and self._data.dtype.kind != "f":
            raise RuntimeError(_errors.INT_REQUIRES_GRAD_)
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        if self.grad_fn is not None and not self._retains_grad:
            warnings.warn(_errors.NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of "
                    f"type {type(value).__name__}"
                )
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor "
                    f"of size '{list(self.shape)}'. Please ensure that the gradient and the tensor "
                    "are the same size"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{value.dtype.name}' to a tensor "
                    f"with dtype '{self.dtype.name}'. The gradient must match the tensor's dtype."
                )
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    @property
    def _version(self) -> int:
        counter = self._version_counter
        return 0 if counter is None else counter.value

    def _counter(self) -> _VersionCounter:
        counter = self._version_counter
        if counter is None:
            counter = self._version_counter = _VersionCounter()
        return counter

    def _bump_version(self) -> None:
        self._counter().value += 1

    def _grad_layout_copy(self, grad: np.ndarray) -> np.ndarray:
        """A copy of ``grad`` laid out as PyTorch's gradient layout contract says: with this
        tensor's strides when its memory is dense (no gaps, no repeats), else C-contiguous."""
        data = self._data
        if data.flags.c_contiguous or not _errors.is_dense(data):
            return np.array(grad, order="C", copy=True)
        out = np.empty_like(data)  # dense: the same strides (numpy's order "K")
        np.copyto(out, grad)
        return out

    def _grad_copy(self, grad: np.ndarray) -> Tensor:
        """A new ``.grad`` holding a copy of ``grad`` (see _grad_layout_copy), at the version
        PyTorch's has: its clone_obey_contract writes the copy into a new tensor with ``copy_``
        (version 1) when this tensor is dense, and clones (version 0) when it is not."""
        copy = Tensor._make(self._grad_layout_copy(grad))
        if _errors.is_dense(self._data):
            copy._version_counter = _VersionCounter(1)
        return copy

    def _accumulate_np(self, grad: np.ndarray) -> None:
        """``_accumulate`` of an array gradient, outside create_graph (a first-order backward)."""
        current = self._grad
        if current is None:
            owned = (
                _owned_array(grad)
                if self._data.flags.c_contiguous and _getrefcount(grad) <= _ENGINE_REFS
                else None
            )
            if owned is not None:
                # Kept without a copy, as PyTorch's AccumulateGrad does, when nothing but the
                # engine can see the array: a new one that no tensor, no other node's buffer
                # and no caller holds. (A weight's gradient, copied, cost a pass over the
                # weight per step.) It keeps its version number, as PyTorch's tensor does.
                self._grad = g = Tensor._make(owned)
                version = grad_version(owned)
                if version:
                    g._version_counter = _VersionCounter(version)
            else:  # a copy, for the reasons given in _accumulate
                self._grad = self._grad_copy(grad)
        elif not _errors.has_internal_overlap(current._data):
            # (.grad may have been reshaped in place since: PyTorch's add_ then says why not)
            _errors.check_inplace_shape(current._data.shape, grad.shape)
            np.add(current._data, grad, out=current._data, casting="unsafe")
            current._bump_version()
        else:
            self._grad = Tensor._make(current._data + grad)

    def detach(self) -> Tensor:
        """A tensor on the same storage, outside the graph; shares the version counter."""
        t = Tensor._make(self._data.view())  # a new array object: see ``data``
        t._version_counter = self._counter()
        return t

    def detach_(self) -> Tensor:
        if self._base is not None:
            raise RuntimeError(_errors.DETACH_VIEW_INPLACE)
        if self.grad_fn is not None:  # nodes that saved it before now cannot use it (PyTorch)
            self.__dict__["_detached_at"] = next(_sequence)
            _Used.detached = True
        self.grad_fn = None
        self._requires_grad = False
        self._output_nr = 0
        return self

    def retain_grad(self) -> None:
        """Make backward fill ``.grad`` of this non-leaf tensor too."""
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._retains_grad:
            return
        self._retains_grad = True
        fn = self.grad_fn
        if fn._retained is None:
            fn._retained = {}
            fn._hooked = True
        fn._retained[self._output_nr] = weakref.ref(self)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """``hook(grad)`` runs when this tensor's gradient is computed; it may return a new one.

        As in PyTorch, a hook registered before an in-place op receives the gradient of the
        value before that op; so do hooks registered after an in-place view op (``t_``,
        ``squeeze_``...) on a tensor that already had hooks (see ``_restride``)."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        node = self.grad_fn
        if node is not None:
            anchor = self.__dict__.get("_hook_anchor")
            if anchor is not None and anchor[2] is node:  # see _restride
                return anchor[0]._register_tensor_hook(anchor[1], hook)
            return node._register_tensor_hook(self._output_nr, hook)
        return _add_hook(self, "_backward_hooks", hook)

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]) -> RemovableHandle:
        """``hook(tensor)`` runs after a gradient was accumulated into this leaf's ``.grad``."""
        if self.grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        return _add_hook(self, "_post_accumulate_hooks", hook)

    # --- conversions ---------------------------------------------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        # As PyTorch, refused only while grad mode is on: a custom Function's forward (which
        # runs under no_grad) may read its inputs' values.
        if self._requires_grad and not force and _state.grad_enabled:
            raise RuntimeError(_errors.NUMPY_REQUIRES_GRAD)
        return self._data

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if self._requires_grad and _state.grad_enabled:
            raise RuntimeError(_errors.NUMPY_REQUIRES_GRAD)
        if dtype is not None and dtype != self._data.dtype:
            return self._data.astype(dtype)
        return self._data.copy() if copy else self._data

    def item(self) -> Any:
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def __bool__(self) -> bool:
        if self._data.size != 1:
            if self._data.size == 0:
                raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
            raise RuntimeError(_errors.AMBIGUOUS_BOOL)
        return bool(self._data.reshape(()))

    def __float__(self) -> float:
        self._scalar_of_grad_tensor()
        if self._data.size != 1:  # item() raises RuntimeError; PyTorch's float() a ValueError
            raise ValueError("only one element tensors can be converted to Python scalars")
        return float(self.item())

    def _scalar_of_grad_tensor(self) -> None:
        """float() and complex() of a tensor that requires grad, in grad mode: PyTorch warns,
        once (not under no_grad, where LBFGS reads its loss)."""
        if self._requires_grad and _state.grad_enabled:
            _errors.warn_once(
                "scalar_of_grad_tensor",
                "Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
                "behavior.\nConsider using tensor.detach() first.",
            )

    def __int__(self) -> int:
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __complex__(self) -> complex:
        self._scalar_of_grad_tensor()
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return complex(self.item())

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self) -> int:
        return id(self)

    def __format__(self, spec: str) -> str:
        # A subclass (Parameter, a user's) formats as its repr and refuses a spec, as in
        # PyTorch; this module's own view classes are plain tensors to the user.
        if self._data.ndim == 0 and type(self).__module__ == __name__:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __repr__(self) -> str:
        return tensor_repr(self)

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (_rebuild, (self._data, self._requires_grad))

    def __deepcopy__(self, memo: dict[int, Any]) -> Tensor:
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment.  If you were attempting to deepcopy a module, this may be "
                "because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001"
            )
        new = type(self)._make(self._data.copy())
        new._requires_grad = self._requires_grad
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new

    def cpu(self) -> Tensor:
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        check_device("cuda")
        return self

    def new_empty(
        self, *size: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any
    ) -> Tensor:
        if not size and "size" not in kw:  # (new_zeros' error would name new_zeros)
            raise TypeError('new_empty() missing 1 required positional arguments: "size"')
        return self.new_zeros(*size, dtype=dtype, requires_grad=requires_grad, **kw)

    # --- in place ------------------------------------------------------------------------------
    def _check_inplace(self, *operands: Any) -> None:
        """Refuse what PyTorch refuses, in PyTorch's order: writing while recording into a leaf
        that requires grad, into an output of unbind/split/chunk, or into a view of such a leaf
        or one made under no_grad. ``operands``: the op's other inputs; one that requires grad
        makes the write recorded too (PyTorch's check_inplace, before the op's own checks)."""
        if not _state.grad_enabled:
            return
        base = self._base
        if base is None:
            if self.grad_fn is None and self._requires_grad:
                raise RuntimeError(_errors.LEAF_INPLACE)
            return
        if type(self) is _NoGradView and self.grad_fn is None:
            raise RuntimeError(_errors.NO_GRAD_VIEW_INPLACE)
        if "_plain_multi_output_view" in self.__dict__ and (
            self._requires_grad or any(isinstance(o, Tensor) and o._requires_grad for o in operands)
        ):
            raise RuntimeError(_errors.NO_GRAD_MULTI_OUTPUT_VIEW_INPLACE)
        if self.grad_fn is None and self._requires_grad:
            raise RuntimeError(_errors.VIEW_OF_LEAF_INPLACE)
        if self.__dict__:
            if "_multi_output_view" in self.__dict__ and self.grad_fn is not None:
                raise RuntimeError(
                    _errors.MULTI_OUTPUT_VIEW_INPLACE.format(
                        nr=self._output_nr, fn=_errors.op_name(self.grad_fn.name())
                    )
                )
            if "_no_grad_view" in self.__dict__:
                raise RuntimeError(_errors.NO_GRAD_VIEW_INPLACE)
        if self._requires_grad and base.grad_fn is None:
            # PyTorch's rule: a view that requires grad (its own history, or its base's flag)
            # of a base that is a leaf now (also one detach_()ed after the view was made)
            raise RuntimeError(_errors.VIEW_OF_LEAF_INPLACE)

    def _write(self, values: np.ndarray) -> None:
        if _errors.has_internal_overlap(self._data):
            raise RuntimeError(_errors.INTERNAL_OVERLAP)
        _errors.check_inplace_shape(self._data.shape, values.shape)
        if values.dtype != self._data.dtype and not can_cast(values.dtype, self._data.dtype):
            raise _errors.cannot_cast(values.dtype, self._data.dtype)
        np.copyto(self._data, values, casting="unsafe")
        self._bump_version()

    def _fill_untracked(self, value: Any) -> Tensor:
        self._check_inplace()
        # One value into every element: an expanded tensor is fine (PyTorch's fill_ allows it),
        # only a read-only array is not.
        if not self._data.flags.writeable:
            raise RuntimeError(_errors.INTERNAL_OVERLAP)
        self._data[...] = value
        self._bump_version()
        return self

    def _numpy_inplace(self, ufunc: Any, other: Any, alpha: Any = 1) -> bool:
        """Write ``ufunc(self, alpha * other)`` straight into the storage when nothing records.

        The update loops of training (``p -= lr * p.grad`` under no_grad) take this path: one
        numpy call with ``out=``, no temporary tensor. Anything unusual (a dtype that does not
        cast back, a shape that does not broadcast, forward AD) returns False, and the general
        path gives PyTorch's result or error.
        """
        other_is_tensor = isinstance(other, Tensor)
        if _state.forward_ad or (
            _state.grad_enabled
            and (self._requires_grad or (other_is_tensor and other._requires_grad))
        ):
            return False
        value = other._data if other_is_tensor else other
        if not isinstance(value, np.ndarray | float | int) or isinstance(value, bool):
            return False
        data = self._data
        if data.dtype.kind != "f" or self._base is not None or _errors.has_internal_overlap(data):
            return False  # integer promotion, read-only (expanded) arrays, views: general path
        if alpha != 1:
            if type(alpha) is bool or (isinstance(value, np.ndarray) and value.dtype != data.dtype):
                # a bool alpha's error, and alpha times an operand of another dtype (int16 * 2
                # wraps where PyTorch multiplies in the result's dtype): the general path
                return False
            value = value * alpha
        try:
            ufunc(data, value, data)  # out=data; numpy's default casting is "same_kind"
        except (TypeError, ValueError):  # nothing was written: numpy checks before computing
            return False
        self._bump_version()
        return True

    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        if isinstance(other, Tensor):
            self._check_inplace(other)  # PyTorch's leaf and view rules come first
            _errors.check_no_partial_overlap(self._data, other._data)
        if self._numpy_inplace(np.add, other, alpha):
            return self
        return self._inplace(lambda s: s.add(other, alpha=alpha))

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        if isinstance(other, Tensor):
            self._check_inplace(other)  # PyTorch's leaf and view rules come first
            _errors.check_no_partial_overlap(self._data, other._data)
            if other._data.dtype.kind == "b" and self._data.dtype.kind != "b":
                return self._inplace(lambda s: s.sub(other, alpha=alpha))  # its bool error
        if self._numpy_inplace(np.subtract, other, alpha):
            return self
        return self._inplace(lambda s: s.sub(other, alpha=alpha))

    def mul_(self, other: Any) -> Tensor:
        if isinstance(other, Tensor):
            self._check_inplace(other)  # PyTorch's leaf and view rules come first
            _errors.check_no_partial_overlap(self._data, other._data)
        if self._numpy_inplace(np.multiply, other):
            return self
        return self._inplace(lambda s: s.mul(other))

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        if isinstance(other, Tensor):
            self._check_inplace(other)  # PyTorch's leaf and view rules come first
            _errors.check_no_partial_overlap(self._data, other._data)
        return self._inplace(lambda s: s.div(other, rounding_mode=rounding_mode))

    def pow_(self, exponent: Any) -> Tensor:
        return self._inplace(lambda s: s.pow(exponent))

    def neg_(self) -> Tensor:
        return self._inplace(lambda s: s.neg())

    def exp_(self) -> Tensor:
        return self._inplace(lambda s: s.exp())

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)

    def __ipow__(self, other: Any) -> Tensor:
        return self.pow_(other)

    # In place, as PyTorch's: the result keeps this tensor's dtype and object (without these,
    # Python would rebind the name to a new tensor of the promoted dtype).
    def __iand__(self, other: Any) -> Tensor:
        return self.bitwise_and_(other)  # type: ignore[attr-defined]

    def __ior__(self, other: Any) -> Tensor:
        return self.bitwise_or_(other)  # type: ignore[attr-defined]

    def __ixor__(self, other: Any) -> Tensor:
        return self.bitwise_xor_(other)  # type: ignore[attr-defined]

    def __ilshift__(self, other: Any) -> Tensor:
        return self.bitwise_left_shift_(other)  # type: ignore[attr-defined]

    def __irshift__(self, other: Any) -> Tensor:
        return self.bitwise_right_shift_(other)  # type: ignore[attr-defined]

    # --- the rest of PyTorch's Tensor API (issue 11): queries, legacy and in-place reshapes -----
    def type_as(self, other: Tensor) -> Tensor:
        """This tensor cast to ``other``'s dtype (itself when the dtype already matches)."""
        return self.to(other.dtype)

    @property
    def layout(self) -> Any:
        return strided

    @property
    def is_cpu(self) -> bool:
        return True

    # ndgrad has none of these: dense CPU tensors only.
    is_sparse = is_sparse_csr = is_quantized = is_meta = is_mkldnn = is_nested = False
    is_mps = is_xpu = is_xla = is_ipu = is_vulkan = is_maia = is_mtia = False

    @property
    def itemsize(self) -> int:
        return int(self._data.itemsize)

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)

    @property
    def output_nr(self) -> int:
        return self._output_nr

    def get_device(self) -> int:
        """-1: the CPU, as in PyTorch."""
        return -1

    def data_ptr(self) -> int:
        return int(self._data.__array_interface__["data"][0])

    def storage_offset(self) -> int:
        """How many elements into its base's storage this tensor's first element is."""
        start = self._data.__array_interface__["data"][0]
        root = storage_root(self._data)
        return (start - root.__array_interface__["data"][0]) // self._data.itemsize

    def is_signed(self) -> bool:
        return self._data.dtype.kind in "if"

    def is_complex(self) -> bool:
        """False: complex numbers are out of ndgrad's scope."""
        return False

    def is_conj(self) -> bool:
        return False

    def is_neg(self) -> bool:
        return False

    def is_inference(self) -> bool:
        return False

    def is_shared(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False

    def is_nonzero(self) -> bool:
        """The truth of a one-element tensor, with PyTorch's error otherwise."""
        return bool(self)

    def is_same_size(self, other: Tensor) -> bool:
        return self._data.shape == other._data.shape

    def share_memory_(self) -> Tensor:
        """This tensor: ndgrad runs in one process, there is nothing to share."""
        return self

    def pin_memory(self, device: Any = None) -> Tensor:
        raise RuntimeError("Cannot access accelerator device when none is available.")

    # Real tensors: conjugation is the identity, the real part is the tensor itself.
    def conj(self) -> Tensor:
        return self

    resolve_conj = resolve_neg = conj_physical = conj

    @property
    def real(self) -> Tensor:
        return self

    @property
    def imag(self) -> Tensor:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")

    def adjoint(self) -> Tensor:
        return self.mT

    def new_empty_strided(
        self, size: Any, stride: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any
    ) -> Tensor:
        return self.new_zeros(size, dtype=dtype, requires_grad=requires_grad)

    def apply_(self, callable: Callable[[Any], Any]) -> Tensor:
        """Replace each element by ``callable(element)`` (Python numbers; slow, as in PyTorch)."""
        self._check_inplace()
        fn = np.frompyfunc(callable, 1, 1)
        self._write(fn(self._data).astype(self._data.dtype))
        return self

    def map_(self, tensor: Tensor, callable: Callable[[Any, Any], Any]) -> Tensor:
        """Replace each element by ``callable(element, other_element)`` (``tensor`` broadcast)."""
        self._check_inplace()
        fn = np.frompyfunc(callable, 2, 1)
        self._write(fn(self._data, tensor._data).astype(self._data.dtype))
        return self

    def resize_as_(self, the_template: Tensor, memory_format: Any = None) -> Tensor:
        return self.resize_(the_template._data.shape)

    def _restride(self, compute: Callable[[Tensor], Tensor], node_name: str) -> Tensor:
        """In-place reshapes (t_, squeeze_...): this tensor becomes ``compute(self)``, a view.

        The node is the out-of-place op's, under PyTorch's name for the in-place overload
        (``squeeze_(1)`` records SqueezeBackward4 where ``squeeze(1)`` records
        SqueezeBackward1).
        """
        self._check_inplace()
        old, old_nr = self.grad_fn, self._output_nr
        result = compute(self)
        node = result.grad_fn  # (read before the bump below, which would make it stale)
        self._set_data(result._data)
        tangent = result.__dict__.get("_fw_grad")
        if tangent is not None:  # forward AD: the tangent takes the new shape too (self had one,
            self.__dict__["_fw_grad"] = tangent  # so the level already drops it on exit)
        # An in-place op, as PyTorch counts it: a value saved before is reported at backward,
        # and views taken before see a new history (AsStridedBackward0) at their next use. Bumped
        # before the node is set: a view's grad_fn is current for the version it is set at.
        self._bump_version()
        if node is not None:
            node.__class__ = _renamed_node_class(type(node), node_name)
            self.grad_fn = node
            self._output_nr = result._output_nr
            # Tensor hooks stay where the first of them went, as in PyTorch: its tensor keeps
            # one hook dict, registered on the grad_fn of the time, and only an in-place op
            # that rebases the history (mul_, copy_...) starts a new one. An in-place view op
            # does not, so hooks registered after it run at the old node too, after the older
            # hooks and on the gradient of the value before it (of the old shape).
            anchor = self.__dict__.get("_hook_anchor")
            if anchor is not None and anchor[2] is old:
                self.__dict__["_hook_anchor"] = (anchor[0], anchor[1], node)
            elif old is not None and old._tensor_hooks and old_nr in old._tensor_hooks:
                self.__dict__["_hook_anchor"] = (old, old_nr, node)
        return self

    def t_(self) -> Tensor:
        def transpose(s: Tensor) -> Tensor:
            n = s._data.ndim
            if n > 2:  # (t()'s message, under the in-place name)
                raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {n}D")
            return s.t()

        return self._restride(transpose, "TBackward1")

    def transpose_(self, dim0: int, dim1: int) -> Tensor:
        return self._restride(lambda s: s.transpose(dim0, dim1), "TransposeBackward1")

    swapaxes_ = swapdims_ = transpose_

    def squeeze_(self, dim: Any = None) -> Tensor:
        overload = 3 if dim is None else 4 if isinstance(dim, int | np.integer) else 5
        return self._restride(lambda s: s.squeeze(dim), f"SqueezeBackward{overload}")

    def unsqueeze_(self, dim: int) -> Tensor:
        return self._restride(lambda s: s.unsqueeze(dim), "UnsqueezeBackward1")

    # Named after dtypes, these shadow the builtins in the class body: keep them last.
    def float(self) -> Tensor:
        return self.to(np.float32)

    def double(self) -> Tensor:
        return self.to(np.float64)

    def half(self) -> Tensor:
        return self.to(np.float16)

    def long(self) -> Tensor:
        return self.to(np.int64)

    def int(self) -> Tensor:
        return self.to(np.int32)

    def bool(self) -> Tensor:
        return self.to(np.bool_)

    def byte(self) -> Tensor:
        return self.to(np.uint8)

    def char(self) -> Tensor:
        return self.to(np.int8)

    def short(self) -> Tensor:
        return self.to(np.int16)


_RENAMED: dict[tuple[type, str], type] = {}


def _renamed_node_class(cls: type, name: str) -> type:
    """A subclass of the node class ``cls`` that only changes the name it shows."""
    renamed = _RENAMED.get((cls, name))
    if renamed is None:
        renamed = _RENAMED[(cls, name)] = type(name, (cls,), {})
    return renamed


def _own_accumulator(self: Tensor) -> AccumulateGrad | None:
    """A view's AccumulateGrad: only if it requires grad itself; one that requires grad only
    through its base is a leaf no gradient reaches."""
    if not self.__dict__.get("_requires_grad", False):
        return None
    return Tensor._accumulator(self)


class _View(Tensor, _ViewMethods):
    """A view of another tensor's memory (``_base``); ``ops/shape.py:_as_view`` makes them.

    A view's history is re-derived lazily, as in PyTorch: when the shared memory has been written
    since the history was set (through the base, another view or a ``detach()``ed alias), the
    next read of ``grad_fn`` or of the grad flag makes it "these elements of the base's current
    value" (AsStridedBackward0). ``_attr_version`` is the version the history is current for.
    """

    @property
    def grad_fn(self) -> Node | None:
        d = self._synced()
        if "_stale_message" in d:  # it has just become a _StaleMultiOutputView
            raise RuntimeError(d["_stale_message"])
        return d.get("grad_fn")

    @grad_fn.setter
    def grad_fn(self, value: Node | None) -> None:
        d = self.__dict__
        d["grad_fn"] = value
        d["_attr_version"] = self._version_counter.value  # type: ignore[union-attr]

    @property
    def _requires_grad(self) -> bool:
        # A view of a base that was made to require grad after the view was taken requires grad
        # too (PyTorch), though no gradient reaches it: see _accumulator.
        d = self._synced()
        return d.get("_requires_grad", False) or (
            d.get("grad_fn") is None
            and self._base._requires_grad  # type: ignore[union-attr]
            and "_no_grad_view" not in d
        )

    @_requires_grad.setter
    def _requires_grad(self, value: bool) -> None:
        self.__dict__["_requires_grad"] = value

    _accumulator = _own_accumulator  # type: ignore[assignment]

    @property
    def _output_nr(self) -> int:
        return self._synced().get("_output_nr", 0)

    @_output_nr.setter
    def _output_nr(self, value: int) -> None:
        self.__dict__["_output_nr"] = value


class _NoGradView(Tensor):
    """A view made under no_grad of a tensor that requires grad (``ops/shape.py:_as_view``).

    As PyTorch's, it requires grad through its base, read now (printed ``requires_grad=True``,
    ``numpy()`` refuses it), and is a leaf that no gradient reaches: ops on it record, their
    gradient goes nowhere. Writing into it in place with grad enabled is refused
    (``_check_inplace``).
    """

    @property
    def _requires_grad(self) -> bool:
        d = self.__dict__
        return d.get("_requires_grad", False) or (
            d.get("grad_fn") is None and self._base._requires_grad  # type: ignore[union-attr]
        )

    @_requires_grad.setter
    def _requires_grad(self, value: bool) -> None:
        self.__dict__["_requires_grad"] = value

    _accumulator = _own_accumulator  # type: ignore[assignment]


class _StaleMultiOutputView(Tensor):
    """An output of unbind/split/chunk after its base or a sibling was written in place.

    Its history cannot be re-derived (the node that made it made all the pieces), so PyTorch
    refuses any use that needs it: reading ``grad_fn`` or ``is_leaf``, or an op that records.
    A view becomes this class in ``autograd/_views.py``; ``detach()`` and ``.data`` still work.
    """

    def _without_history(self) -> bool:
        """No node of its own and a base that needs no grad now (it was detached in place
        since): PyTorch then gives the view no history and no error."""
        base = self._base
        return self.__dict__.get("grad_fn") is None and not (
            base is not None and base._requires_grad
        )

    @property
    def grad_fn(self) -> Node | None:
        if self._without_history():
            return None
        raise RuntimeError(self.__dict__["_stale_message"])

    @grad_fn.setter
    def grad_fn(self, value: Node | None) -> None:
        self.__dict__["grad_fn"] = value

    @property
    def is_leaf(self) -> bool:
        if self._without_history():
            return True
        raise RuntimeError(self.__dict__["_stale_message"])

    @property
    def _requires_grad(self) -> bool:
        # A view requires grad while it has history or its base requires grad, the base's flag
        # read now (PyTorch's requires_grad of a view).
        return not self._without_history()

    @_requires_grad.setter
    def _requires_grad(self, value: bool) -> None:
        self.__dict__["_requires_grad"] = value

    def _stale_grad(self) -> Tensor | None:
        warnings.warn(_errors.NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    _tensor_grad: property = Tensor.__dict__["grad"]
    grad = property(_stale_grad, _tensor_grad.fset, _tensor_grad.fdel)


# Both are Tensors to the user: type(t).__name__ is what error messages print.
_View.__name__ = _View.__qualname__ = "Tensor"
_StaleMultiOutputView.__name__ = _StaleMultiOutputView.__qualname__ = "Tensor"
_NoGradView.__name__ = _NoGradView.__qualname__ = "Tensor"


def _rebuild(data: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(data)
    t._requires_grad = requires_grad
    return t


def default_float() -> np.dtype:
    return get_default_dtype().np
