"""Tensor's methods that run ops, assembled onto the class above the layers they use.

``_tensor.py`` defines Tensor with what every layer needs (storage, dtype, the autograd
attributes, conversions), so that autograd's core, the creation functions and the ops can all
build on it. The methods that call those layers back (operators, reductions, in-place writes,
``backward``, ``to``, the random fills...) live with their ops as mixin classes, and this module,
which sits above all of them, installs them on Tensor once: the import graph runs one way, from
here down.
"""

# The methods below take ``self: Tensor``: Tensor is where they end up, and a subclass of this
# class to the type checker (see _tensor.py), which calls such a self type "misc" and checks
# the bodies against Tensor all the same.
# mypy: disable-error-code="misc"

from __future__ import annotations

import types
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _errors, _random
from ._args import check_dims, no_other_keywords, parse_shape, size_args
from ._creation import _array_from_data, _legacy_tensor_data, as_tensor, full, ones, tensor, zeros
from ._device import check_device, device
from ._errors import py_type_name
from ._layout import memory_format, preserve_format
from ._legacy import legacy_dtype
from ._tensor import Tensor, _no_node, _VersionCounter, _View
from .autograd import _backward as _autograd
from .autograd._tangents import tangent_of, write_tangent
from .autograd._views import (
    Copy,
    Fill,
    Zero,
    fill_expanded,
    rebase_history,
    rederive_stale_view,
    view_alias,
)
from .autograd.forward_ad import _carry_tangent
from .autograd.function import _INPLACE_OUTPUT, _OUTPUT, AccumulateGrad, _type_string
from .autograd.grad_mode import _state
from .dtypes import checked_scalar, dtype, python_number, to_dtype
from .nn import _activations
from .ops.aliases import AliasMethods
from .ops.arithmetic import (
    ArithmeticMethods,
    CloneChannelsLast,
    CloneContiguous,
    in_layout,
    memory_layout,
    to_dtype_op,
)
from .ops.indexing import IndexingMethods, WholeFill
from .ops.linalg import LinalgMethods
from .ops.pointwise import PointwiseMethods
from .ops.products import ProductMethods
from .ops.reduction import ReductionMethods
from .ops.search import SearchMethods
from .ops.shape import ShapeMethods, sum_to
from .ops.special import SpecialMethods
from .ops.unary import UnaryMethods

__all__: list[str] = []


def _stolen_by_pytorch(grad: Tensor) -> bool:
    """Whether PyTorch's AccumulateGrad would keep ``grad`` itself as a new ``.grad`` outside
    create_graph (so that it keeps its version) rather than copy it: a gradient with memory of
    its own, laid out C-contiguously. (PyTorch also counts references: a gradient that another
    node still holds is copied. ndgrad judges by layout alone on this path, which only runs
    for leaves with hooks and in the rare engine modes.)"""
    data = grad._data
    return data.base is None and data.flags.c_contiguous and data.flags.writeable


def _new_options(fn: str, kw: dict[str, Any]) -> None:
    """The options of the ``new_*`` methods besides dtype and requires_grad: ``device`` (the
    CPU), ``layout`` and ``pin_memory``; any other keyword is Python's TypeError."""
    check_device(kw.pop("device", None))
    kw.pop("layout", None)
    kw.pop("pin_memory", None)
    no_other_keywords(fn, kw)


class TensorMethods(
    ArithmeticMethods,
    UnaryMethods,
    PointwiseMethods,
    ReductionMethods,
    ShapeMethods,
    IndexingMethods,
    ProductMethods,
    LinalgMethods,
    SearchMethods,
    AliasMethods,
    SpecialMethods,
):
    """What ``_install`` gives Tensor: the methods below, which use the layers above the tensor
    (creation, random draws, autograd's view machinery, forward AD, backward), then the ops'
    mixins in this order, as a base class would."""

    # The legacy constructor Tensor(...) (see Tensor.__init__).
    _legacy_data = staticmethod(_legacy_tensor_data)

    def _accumulator(self: Tensor) -> AccumulateGrad:
        """This leaf's AccumulateGrad node: one per leaf while any graph uses it."""
        ref = self._accumulator_ref
        node = ref() if ref is not None else None
        if node is None:
            node = AccumulateGrad(self)
            self._accumulator_ref = weakref.ref(node)
        return node

    def _accumulate(self: Tensor, grad: Tensor) -> None:
        """Add ``grad`` into ``.grad`` (the engine has already matched shape and dtype)."""
        current = self._grad
        if current is None:
            # A copy: the incoming gradient may be shared (the caller's tensor, or routed to
            # several inputs by one node), and .grad is the user's to modify in place. Under
            # create_graph the copy is recorded (CopyBackwards), as PyTorch's is.
            # Laid out by PyTorch's gradient layout contract: as the variable when its memory
            # is dense, else contiguous (a clone, recorded as CloneBackward0 then).
            # Its version is PyTorch's: see _grad_copy.
            if _state.grad_enabled and grad._requires_grad:
                if _errors.is_dense(self._data):
                    copy = Copy.apply(Tensor._make(np.empty_like(self._data)), grad)
                    copy._version_counter = _VersionCounter(1)
                    self._grad = copy
                else:
                    self._grad = grad.clone()
            else:
                self._grad = self._grad_copy(grad._data)
                if not _state.grad_enabled and _stolen_by_pytorch(grad):
                    self._grad._version_counter = _VersionCounter(grad._version)
        elif _state.grad_enabled:
            # create_graph: the sum is recorded, and the old .grad is left as it was.
            self._grad = current + grad
        elif not _errors.has_internal_overlap(current._data):
            # In place, as PyTorch does: a .grad with history (from an earlier create_graph
            # backward) keeps it, and anyone holding the .grad tensor sees the sum.
            _errors.check_inplace_shape(current._data.shape, grad._data.shape)
            np.add(current._data, grad._data, out=current._data, casting="unsafe")
            current._bump_version()
        else:
            self._grad = Tensor._make(current._data + grad._data)

    def resize_(self: Tensor, *sizes: Any, memory_format: Any = None, **kw: Any) -> Tensor:
        """Give this tensor ``sizes``, keeping its elements in order; new ones are 0 (PyTorch
        leaves them uninitialised). Not recorded: refused on a tensor that requires grad."""
        sizes = size_args("resize_", sizes, kw)
        no_other_keywords("resize_", kw)
        if self._requires_grad and _state.grad_enabled:
            raise RuntimeError("cannot resize variables that require grad")
        if _state.forward_ad and tangent_of(self) is not None:
            raise RuntimeError("cannot resize variables that has a forward grad")  # (sic)
        shape = parse_shape(sizes)
        n = int(np.prod(shape))
        if n == self._data.size and self._data.flags.c_contiguous:
            self._set_data(self._data.reshape(shape))
        else:
            flat = np.zeros(n, self._data.dtype)
            old = self._data.reshape(-1)[:n]
            flat[: old.size] = old
            self._set_data(flat.reshape(shape))
        self._bump_version()
        return self

    def backward(
        self: Tensor,
        gradient: Tensor | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        """Accumulate d(self)/d(leaf) into each leaf's ``.grad`` (see ``autograd.backward``)."""
        _autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def to(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)`` or ``to(other)``."""
        target: dtype | None = kwargs.pop("dtype", None)
        check_device(kwargs.pop("device", None))
        copy = bool(kwargs.pop("copy", False))
        kwargs.pop("non_blocking", None)
        fmt = kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
        for a in args:
            if isinstance(a, Tensor):
                target = a.dtype
            elif isinstance(a, str | device):
                check_device(a)
            elif a is not None and not isinstance(a, bool):
                target = to_dtype(a)
        if fmt is not None and not isinstance(fmt, memory_format):
            raise TypeError(
                "to() received an invalid combination of arguments - got "
                f"(memory_format={type(fmt).__name__}, ), but expected torch.memory_format"
            )
        layout = memory_layout(self, fmt, "to")
        dt = self._data.dtype if target is None else target.np
        if dt == self._data.dtype and in_layout(self._data, layout):  # PyTorch returns self
            return self.clone() if copy else self
        return to_dtype_op(self, dt, layout)

    def type(self: Tensor, dtype: Any = None) -> Any:
        if dtype is None:
            return _type_string(self).split(" ")[0]

        return self.to(legacy_dtype(dtype) or dtype)

    def new_tensor(
        self: Tensor, data: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any
    ) -> Tensor:
        _new_options("new_tensor", kw)
        return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_zeros(
        self: Tensor, *size: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any
    ) -> Tensor:
        """Zeros of ``size`` with this tensor's dtype."""
        size = size_args("new_zeros", size, kw)
        _new_options("new_zeros", kw)
        shape = check_dims(parse_shape(size))  # (PyTorch's zeros has a message of its own)
        return zeros(shape, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_ones(
        self: Tensor, *size: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any
    ) -> Tensor:
        size = size_args("new_ones", size, kw)
        _new_options("new_ones", kw)
        return ones(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_full(
        self: Tensor,
        size: Any,
        fill_value: Any,
        dtype: Any = None,
        requires_grad: bool = False,
        **kw: Any,
    ) -> Tensor:
        _new_options("new_full", kw)
        return full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def _inplace(
        self: Tensor,
        compute: Callable[[Tensor], Tensor],
        write: Callable[[], None] | None = None,
    ) -> Tensor:
        """Run ``compute(self)`` and write its result into this tensor's storage.

        Outside the graph this is plain numpy. When the result is recorded, this tensor takes
        over the result's ``grad_fn`` (PyTorch's "rebase history"), and its old value is kept by
        whatever ``compute`` saved, so the backward of earlier uses stays correct.

        ``write``, for the fills: writes the op's values into the storage itself, instead of the
        copy of the computed result that refuses a destination whose elements share memory
        (PyTorch's fill_, zero_ and masked_fill_ write there: one value, whatever the order).
        """
        self._check_inplace()
        if _state.forward_ad:
            compute = _carry_tangent(self, compute)
        recording = _state.grad_enabled and self._requires_grad
        if not recording:
            result = compute(self)
            if result._requires_grad and _state.grad_enabled:
                if "_plain_multi_output_view" in self.__dict__:
                    # unbind/split of a tensor that needs no grad, written with one that does
                    raise RuntimeError(_errors.NO_GRAD_MULTI_OUTPUT_VIEW_INPLACE)
                recording = True
            else:
                self._write_result(result, write)
                return self
        # Give `compute` an alias that owns a copy of the old value: nodes may save it. Its
        # history is this tensor's: the op's node then holds the node this tensor had before
        # the write, as PyTorch's does (a saved output of an earlier write on this view names
        # it in its error, while it lives). A view with no node of its own (its base was made
        # to require grad after it was taken) is derived from its base's current history.
        # A view whose history reaches elements past its input's (as_strided of a view) is
        # derived from its base too: its own history would drop their gradient.
        fn = self.grad_fn
        if self._base is not None and (fn is None or "_past_input" in self.__dict__):
            old = view_alias(self)
        else:
            old = Tensor._make(self._data.copy(), fn, self._output_nr)
            old._requires_grad = self._requires_grad
            if fn is None and self._requires_grad:
                old._accumulator_ref = self._accumulator_ref
        result = compute(old)
        self._write_result(result, write)

        rebase_history(self, result)
        node = result.grad_fn
        if node is not None and node._saved:
            # A node that saved its output (sigmoid_, exp_) saved what is now this tensor's
            # value: a later write into this tensor must invalidate it, as in PyTorch.
            # Written through a view, a failed check names the view's node right after this
            # write while that node lives (PyTorch keeps a weak reference to it), as
            # PyTorch's message does (_INPLACE_OUTPUT); otherwise this node.
            # The saved value is this tensor's memory, as PyTorch saves self: a write that no
            # version counter sees (through .data) shows in the backward.
            counter = self._counter()
            data, out = self._data, result._data
            own = data.shape == out.shape and data.dtype == out.dtype

            def memory(array: Any) -> Any:
                return data if own and array is out else array

            if self._base is None:
                node._saved = tuple(
                    (e[0], memory(e[1]), e[2], counter, counter.value, *e[5:])
                    if type(e) is tuple and e[0] == _OUTPUT
                    else e
                    for e in node._saved
                )
            else:
                try:
                    fn = self.grad_fn
                except RuntimeError:  # a stale unbind/split output
                    fn = None
                mine = weakref.ref(fn) if fn is not None else _no_node
                node._saved = tuple(
                    (_INPLACE_OUTPUT, memory(e[1]), e[2], counter, counter.value, mine, *e[5:])
                    if type(e) is tuple and e[0] == _OUTPUT
                    else e
                    for e in node._saved
                )
        return self

    def _write_result(self: Tensor, result: Tensor, write: Callable[[], None] | None) -> None:
        if write is None:
            self._write(result._data)
        else:
            write()
            self._bump_version()

    def _fill_recorded(self: Tensor, fill: Callable[[Tensor, Any], Tensor], value: Any) -> Tensor:
        """fill_/zero_ (``fill``: Fill.apply or Zero.apply) of a tensor that requires grad, in
        grad mode."""
        if not _errors.has_internal_overlap(self._data):
            return self._inplace(lambda s: fill(s, value))
        if self._base is not None:  # an expanded view: its base's gradient cannot be told
            return fill_expanded(self, value)
        # as_strided_ made this tensor's own elements share memory: one value fills them all
        return self._inplace(lambda s: fill(s, value), lambda: self._fill_array(value))

    def _fill_constant(self: Tensor, value: Any) -> Tensor:
        """fill_/zero_ with nothing to record; a tangent this tensor has becomes zero."""
        self._fill_untracked(value)
        if _state.forward_ad:
            write_tangent(self, None)
        return self

    def _fill_array(self: Tensor, value: Any) -> None:
        self._data[...] = value

    def zero_(self: Tensor) -> Tensor:
        if _state.grad_enabled and self._requires_grad:
            return self._fill_recorded(Zero.apply, 0)
        return self._fill_constant(0)

    def fill_(self: Tensor, value: Any) -> Tensor:
        if isinstance(value, Tensor):
            # PyTorch's fill_ of a tensor value: 0-d only, not into an expanded tensor (a
            # number may), and the gradient reaches the value (FillBackward3).
            self._check_inplace()
            if value._data.ndim:
                raise RuntimeError(
                    "fill_ only supports 0-dimension value tensor but got tensor with "
                    f"{value._data.ndim} dimensions."
                )
            if _errors.has_internal_overlap(self._data):
                raise RuntimeError(_errors.INTERNAL_OVERLAP)
            if (_state.grad_enabled and value._requires_grad) or (
                _state.forward_ad and tangent_of(value) is not None
            ):  # (a dual value: its tangent fills this tensor's)
                return self._inplace(lambda s: WholeFill.apply(s, ((Ellipsis,), None), value))
            # converted as C casts it, unchecked (PyTorch's fill_ of a tensor: -2.3 into uint8
            # is 254)
            with np.errstate(invalid="ignore", over="ignore"):
                value = value._data.astype(self._data.dtype).item()
        else:
            value = checked_scalar(python_number(value), self._data.dtype)  # a number: checked
        if _state.grad_enabled and self._requires_grad:
            return self._fill_recorded(Fill.apply, value)
        return self._fill_constant(value)

    # In-place random samplers: PyTorch's CPU streams, drawn in ndgrad/_random.py.
    def uniform_(self: Tensor, from_: float = 0.0, to: float = 1.0, **kw: Any) -> Tensor:
        return _random.uniform_(self, kw.pop("from", from_), to, **kw)

    def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, **kw: Any) -> Tensor:
        return _random.normal_(self, mean, std, **kw)

    def exponential_(self: Tensor, lambd: float = 1.0, **kw: Any) -> Tensor:
        return _random.exponential_(self, lambd, **kw)

    def geometric_(self: Tensor, p: float, **kw: Any) -> Tensor:
        return _random.geometric_(self, p, **kw)

    def log_normal_(self: Tensor, mean: float = 1.0, std: float = 2.0, **kw: Any) -> Tensor:
        return _random.log_normal_(self, mean, std, **kw)

    def cauchy_(self: Tensor, median: float = 0.0, sigma: float = 1.0, **kw: Any) -> Tensor:
        return _random.cauchy_(self, median, sigma, **kw)

    def random_(self: Tensor, *args: Any, **kw: Any) -> Tensor:
        return _random.random_(self, *args, **kw)

    def bernoulli_(self: Tensor, p: Any = 0.5, **kw: Any) -> Tensor:
        return _random.bernoulli_(self, p, **kw)

    def bernoulli(self: Tensor, p: float | None = None, **kw: Any) -> Tensor:
        return _random.bernoulli(self, p, **kw)

    def multinomial(self: Tensor, num_samples: int, replacement: bool = False, **kw: Any) -> Tensor:
        return _random.multinomial(self, num_samples, replacement, **kw)

    def copy_(self: Tensor, src: Tensor) -> Tensor:

        if not isinstance(src, Tensor):
            src = as_tensor(src, dtype=self.dtype)
        _errors.check_inplace_shape(self._data.shape, src._data.shape)
        self._check_inplace(src)
        _errors.check_no_partial_overlap(self._data, src._data)
        a, b = self._data, src._data
        if _errors.same_memory(a, b):  # the same memory, layout and dtype: nothing to copy
            if not (_state.grad_enabled and (self._requires_grad or src._requires_grad)):
                self._bump_version()
                return self
            if self._base is not None and _errors.has_internal_overlap(a):
                # An expanded view: PyTorch records the copy, and a backward through it raises
                return fill_expanded(self, None, self._bump_version)
            # recorded, with nothing to write (also where elements share memory: as_strided_)
            return self._inplace(lambda s: Copy.apply(s, src), _nothing)
        return self._inplace(lambda s: Copy.apply(s, src))

    def contiguous(self: Tensor, memory_format: Any = None) -> Tensor:
        """This tensor if its storage is in row-major order (or in ``memory_format``'s
        channels-last order), else a copy laid out so."""
        layout = memory_layout(self, memory_format, "contiguous")
        if self.is_contiguous(memory_format=memory_format):
            return self
        if memory_format is preserve_format:
            raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
        if layout == "channels_last":
            return CloneChannelsLast.apply(self)
        return CloneContiguous.apply(self)

    def sum_to_size(self: Tensor, *size: Any, **kw: Any) -> Tensor:
        """Sum this tensor down to ``size``, which it must be broadcastable from."""
        size = size_args("sum_to_size", size, kw)
        no_other_keywords("sum_to_size", kw)
        shape = parse_shape(size)
        try:
            ok = np.broadcast_shapes(shape, self._data.shape) == self._data.shape
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(
                f"size {{{list(shape)}}} is not expandable to size {{{list(self._data.shape)}}}."
            )
        return sum_to(self, shape)

    def new(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        """The legacy constructor with this tensor's dtype: data, or sizes (zero-filled)."""
        check_device(kwargs.pop("device", None))
        if len(args) == 1 and not isinstance(args[0], int):
            return Tensor._make(_array_from_data(args[0], self._data.dtype))
        return Tensor._make(np.zeros(parse_shape(args) if args else (0,), self._data.dtype))

    _rebase_history = rebase_history

    def hardshrink(self: Tensor, lambd: float = 0.5) -> Tensor:
        return _activations.hardshrink(self, lambd)

    def prelu(self: Tensor, weight: Tensor) -> Tensor:
        return _activations.prelu(self, weight)


class ViewMethods:
    """What a view adds that needs autograd's view machinery."""

    def _synced(self: _View) -> dict[str, Any]:
        d = self.__dict__
        version = self._version_counter.value  # type: ignore[union-attr]
        if version != d["_attr_version"] and (
            d.get("grad_fn") is not None or self._base._requires_grad  # type: ignore[union-attr]
        ):
            d["_attr_version"] = version
            rederive_stale_view(self)
        return d


# Attributes every class has, which are not methods to install.
_CLASS_ONLY = frozenset(
    {
        "__module__",
        "__qualname__",
        "__doc__",
        "__dict__",
        "__weakref__",
        "__annotations__",
        "__firstlineno__",
        "__static_attributes__",
        "__orig_bases__",
        "__parameters__",
    }
)


def _nothing() -> None:
    """A write that has nothing to do (``_inplace``'s ``write``)."""


def _tensor_only(method: Callable[..., Any], name: str, arg: str) -> Callable[..., Any]:
    """``method``, whose argument ``arg`` PyTorch's Tensor method takes only as a tensor, with
    PyTorch's TypeError for anything else: it names the method (``atan2_``) and position 1,
    where the function it calls names itself and position 2 (the method does not count self)."""

    def checked(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        other = args[0] if args else kwargs.get(arg, self)
        if not isinstance(other, Tensor):
            raise TypeError(
                f"{name}(): argument '{arg}' (position 1) must be Tensor, not {py_type_name(other)}"
            )
        return method(self, *args, **kwargs)

    checked.__name__ = name
    checked.__doc__ = method.__doc__
    return checked


# The methods (and their in-place forms) whose argument ``other`` PyTorch's Tensor takes only as
# a tensor; heaviside's is ``values``.
_TENSOR_ONLY = (
    "atan2 arctan2 hypot igamma igammac gcd lcm logical_and logical_or logical_xor ldexp "
    "nextafter fmax fmin maximum minimum logaddexp logaddexp2 heaviside"
)
for _base in _TENSOR_ONLY.split():
    for _name in (_base, _base + "_"):
        if hasattr(TensorMethods, _name):
            _arg = "values" if _base == "heaviside" else "other"
            setattr(TensorMethods, _name, _tensor_only(getattr(TensorMethods, _name), _name, _arg))
del _base, _name, _arg


def _install(cls: type, methods: type) -> None:
    """Give ``cls`` the attributes of ``methods`` and its bases, resolved as a base class would
    be (the first in ``methods``' MRO wins), except the ones ``cls`` defines itself."""
    own = set(vars(cls))
    for klass in reversed(methods.__mro__[:-1]):  # (object excluded) the MRO's first set last
        for name, value in vars(klass).items():
            if name in _CLASS_ONLY or name in own:
                continue
            if name == "__hash__" and value is None:  # Python's implicit entry beside __eq__
                continue
            if isinstance(value, types.FunctionType) and not name.startswith("__"):
                # Python names a method by its qualified name in a call's TypeError ("got an
                # unexpected keyword argument"): Tensor.sum, as PyTorch's, not ReductionMethods.sum
                value.__qualname__ = f"Tensor.{name}"
            setattr(cls, name, value)


_install(Tensor, TensorMethods)
_install(_View, ViewMethods)
