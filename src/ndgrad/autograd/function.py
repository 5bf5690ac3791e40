"""Graph nodes and the Function class that creates them.

A `Function` subclass describes one operation: `forward(ctx, *args)` computes it,
`backward(ctx, *grads)` returns one gradient per forward argument. `Function.apply` runs forward
and, when grad mode is on and some input requires grad, records a node: an instance of the
Function's backward class (``Tanh`` records a ``TanhBackward0``). That node is the ``ctx`` that
forward and backward receive and the ``grad_fn`` of the outputs, as in PyTorch.

Ownership keeps the graph free of reference cycles: an output tensor holds its node, a node holds
its inputs' nodes (``next_functions``) and what it saved, never its own outputs. A saved output is
kept as its array and rebuilt as a tensor when backward asks for it.
"""

from __future__ import annotations

import inspect
import threading
import traceback
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .. import _errors
from .._namespace import public_dir
from .._tensor import Tensor
from ._hooks import RemovableHandle, _add_hook, _HookDict
from .grad_mode import _sequence, _state, _Used

__all__ = [
    "Function",
    "FunctionCtx",
    "once_differentiable",
]
__dir__ = public_dir(__name__)


# A graph edge: where the gradient of one input of a node goes, and what it must look like there.
# A plain tuple ``(node, input_nr, shape, dtype)``, read by unpacking with these names:
#   node      receives the gradient: the input's grad_fn, a leaf's AccumulateGrad, or None when
#             the input needs no gradient;
#   input_nr  which of node's incoming gradients it is (the input's output number on its grad_fn;
#             PyTorch's Edge::input_nr);
#   shape, dtype  the input's: the engine sums a broadcast gradient back to that shape and casts
#             it to that dtype.
# Not a NamedTuple or a __slots__ class: every recorded op makes one, and an instance of a
# Python-defined class is an allocation the cyclic collector counts, where a plain 4-tuple comes
# from CPython's tuple free list and is not counted. So named edges add a counted allocation per
# edge to the two an op makes anyway (its node and its output), and the collector runs about
# three times as often: a NamedTuple edge built with ``tuple.__new__`` (the cheapest way to make
# one) gave 276 young collections per 100 chains of workload 1 against 96, and made the chain's
# forward 2.27-2.32 -> 3.24-3.65 us per op (alternating runs; with the collector paused, 0.2 us).
# benchmarks/edge_layout.py shows the layouts' costs alone.
Edge = tuple[Any, int, tuple[int, ...], np.dtype]


def next_edges(node: Node) -> Iterator[tuple[int, Node, int]]:
    """``(input index, node, input_nr)`` for each edge of ``node`` that leads to a node (the
    graph walks of the engine and the tools; the engine's hot loops unpack edges themselves)."""
    for i, edge in enumerate(node._edges):
        if edge is not None:
            nxt, input_nr, _shape, _dtype = edge
            if nxt is not None:
                yield i, nxt, input_nr


def _hook_name(hook: Any) -> str:
    return getattr(hook, "__name__", "<unknown>")


def _checked_hook_results(result: Any, grads: Any, hook: Any) -> list[Any]:
    """A node hook's replacement for ``grads`` (a sequence): a tuple of as many values, each
    checked."""
    if not isinstance(result, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(result).__name__}'")
    if len(result) != len(grads):
        raise RuntimeError(
            f"hook '{_hook_name(hook)}' has returned an incorrect number of values (got "
            f"{len(result)}, but expected {len(grads)})"
        )
    checked: list[Tensor | None] = []
    for r, g in zip(result, grads, strict=True):
        if g is None:
            if r is not None:
                raise RuntimeError("can't replace a None gradient with a non-None value")
            checked.append(None)
        else:
            checked.append(_checked_hook_result(r, g, hook))
    return checked


# --- saved values ------------------------------------------------------------------------------
# `ctx.save_for_backward` keeps the raw objects; `Function.apply` then resolves each to what it is,
# so that `saved_tensors` can hand back graph-connected tensors (needed under create_graph).
# Each resolved entry is a tuple whose first item is its kind, except the most common ones: an
# input saved at version 0 is the tensor itself, a Python number (a constant) is the number
# itself. One object less per saved value for the cyclic collector to scan while the graph
# lives; `_entries` gives the tuple form to code off the hot path.
_INPUT, _OUTPUT, _CONSTANT = 0, 1, 2
# An output written into a tensor by an in-place op (Tensor._inplace): like _OUTPUT, plus a
# weak reference to that tensor, whose history a failed version check names.
_INPLACE_OUTPUT = 3
# A tensor packed by a saved_tensors_hooks pack hook (autograd/graph.py):
# (_PACKED, packed, unpack_hook, version counter, version at the save, output_nr or None for
# an input, and for an input that requires grad its (grad_fn, output_nr) or (AccumulateGrad,
# None), else None)
_PACKED = 4


_NUMBERS = frozenset((float, int, bool, complex))


def _entries(saved: tuple[Any, ...] | None) -> list[tuple[Any, ...] | None]:
    """A node's saved entries, each as a tuple (a bare input tensor as ``(_INPUT, t, 0)``, a
    bare number as ``(_CONSTANT, n)``)."""
    return [
        e
        if e is None or type(e) is tuple
        else (_CONSTANT, e)
        if type(e) in _NUMBERS
        else (_INPUT, e, 0)
        for e in saved or ()
    ]


_RELEASED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)


def _type_string(t: Tensor) -> str:
    names = {
        "float16": "HalfTensor",
        "float32": "FloatTensor",
        "float64": "DoubleTensor",
        "int64": "LongTensor",
        "int32": "IntTensor",
        "int16": "ShortTensor",
        "int8": "CharTensor",
        "uint8": "ByteTensor",
        "bool": "BoolTensor",
    }
    return f"torch.{names.get(t._data.dtype.name, 'Tensor')} {list(t._data.shape)}"


def _modified_error(t: Tensor, saved_version: int, node_name: str | None) -> RuntimeError:
    where = ""
    if node_name is not None:
        where = f", which is output {t._output_nr} of {_errors.op_name(node_name)},"
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{_type_string(t)}]{where} is at version {t._version}; expected version "
        f"{saved_version} instead. Hint: enable anomaly detection to find the operation that "
        "failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False)."
    )


class Node:
    """A vertex of the backward graph; what PyTorch shows as ``tensor.grad_fn``.

    ``_edges`` has one entry per forward argument: ``None`` for a non-tensor argument, else its
    ``Edge``: the node that receives the gradient of that input (None when it needs none), and
    the input's shape and dtype, to which the engine reduces a broadcast gradient and casts it.
    ``_output_meta`` holds the outputs' ``(shape, dtype)``.
    """

    _edges: tuple[Edge | None, ...] = ()
    _output_meta: tuple[tuple[tuple[int, ...], np.dtype], ...] = ()
    _saved: tuple[Any, ...] | None = None  # resolved entries (see _entries)
    _to_save: tuple[Any, ...] | None = None
    _released = False
    _none_saved = 0  # how many Nones the node saved, when it saved nothing else
    # A CopySlices node that owns the node of the op it wraps (see _CopySlicesNode): the engine
    # calls its _release_wrapped when it frees the graph.
    _wraps_node = False
    _sequence_nr = 0
    _materialize_grads = True
    _non_differentiable: tuple[Any, ...] = ()
    _dirty: tuple[Any, ...] = ()
    # Hooks, created on first registration (see _add_hook). ``_hooked`` turns True when any of
    # the four is created and stays True: the engine reads one flag per node, then the dicts.
    _hooked = False
    _hooks: dict[int, Callable[..., Any]] | None = None
    _pre_hooks: dict[int, Callable[..., Any]] | None = None
    # Tensor hooks of non-leaf outputs: output_nr -> {id: fn}; retain_grad: output_nr -> weakref.
    _tensor_hooks: dict[int, dict[int, Callable[..., Any]]] | None = None
    _retained: dict[int, weakref.ref[Tensor]] | None = None
    needs_input_grad: tuple[bool, ...] = ()
    # True where ``_apply_np`` runs this node on numpy arrays (a first-order backward).
    _arrays_ok = False
    # PyTorch's nodes written in C++ (AccumulateGrad, CopySlices, CopyBackwards) give their name
    # with its namespace: "torch::autograd::AccumulateGrad". (Printing shows the class name.)
    _name_prefix = ""
    # The node of a user's autograd.Function is a Python class in PyTorch, whose repr names its
    # module: <torch.autograd.function.MyFnBackward object at ...>.
    _repr_prefix = ""
    # The op of a write through a view runs inside PyTorch's CopySlices node, so PyTorch's check
    # of the gradients it returns names CopySlices: rebase_history sets that name here.
    _checked_as: str | None = None

    def name(self) -> str:
        return self._name_prefix + type(self).__name__

    def __repr__(self) -> str:
        return f"<{self._repr_prefix}{type(self).__name__} object at {id(self):#x}>"

    def __lt__(self, other: Node) -> bool:
        """False: the engine's ready heap holds ``(-sequence_nr, node)`` pairs, and nodes of one
        sequence number (the leaves' AccumulateGrad nodes) are of equal priority. heapq then
        orders them as PyTorch's ready queue (a C++ std::priority_queue) does: both sift a
        heap the same way and stop at ties. So leaves get their gradients, and their hooks
        run, in PyTorch's order, which does not depend on where nodes lie in memory."""
        return False

    @property
    def next_functions(self) -> tuple[tuple[Node | None, int], ...]:
        edges = self._edges
        listed = getattr(getattr(self, "_forward_cls", None), "_listed_inputs", None)
        if listed is None:  # one entry per tensor argument
            return tuple((nxt, nr) for nxt, nr, _shape, _dtype in filter(None, edges))
        # The arguments PyTorch's node lists, a number included as (None, 0) (see Function).
        picked = [edges[i] for i in listed]
        return tuple((None, 0) if e is None else e[:2] for e in picked)  # (node, input_nr)

    @property
    def metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] | None = self.__dict__.get("_metadata")
        if meta is None:
            meta = {}
            self.__dict__["_metadata"] = meta
        return meta

    def _apply(self, grads: list[Tensor | None]) -> tuple[Tensor | None, ...]:
        raise NotImplementedError

    def __call__(self, *grads: Tensor | None) -> Any:
        """Run this node's backward on ``grads`` (one per output), like PyTorch's ``grad_fn(g)``."""
        out = self._apply(list(grads))
        return out[0] if len(out) == 1 else out

    def register_hook(self, fn: Callable[..., Any]) -> RemovableHandle:
        """``fn(grad_inputs, grad_outputs)`` runs after this node; it may return new grad_inputs."""
        self._hooked = True
        return _add_hook(self, "_hooks", fn)

    def register_prehook(self, fn: Callable[..., Any]) -> RemovableHandle:
        """``fn(grad_outputs)`` runs before this node; it may return new grad_outputs."""
        self._hooked = True
        return _add_hook(self, "_pre_hooks", fn)

    def _register_tensor_hook(self, output_nr: int, fn: Callable[..., Any]) -> RemovableHandle:
        if self._tensor_hooks is None:
            self._tensor_hooks = {}
            self._hooked = True
        hooks = self._tensor_hooks.get(output_nr)
        if hooks is None:
            hooks = self._tensor_hooks[output_nr] = _HookDict()
        handle = RemovableHandle(hooks)
        hooks[handle.id] = fn
        return handle


class FunctionCtx:
    """The context methods a Function's forward and backward see (mixed into the backward nodes)."""

    _saved: tuple[Any, ...] | None
    _to_save: tuple[Any, ...] | None
    _released: bool
    _none_saved: int
    _materialize_grads: bool
    _non_differentiable: tuple[Any, ...]
    _dirty: tuple[Any, ...]

    def save_for_backward(self, *values: Any) -> None:
        """Keep tensors (arrays in the built-in ops) for backward; read them as saved_tensors."""
        self._to_save = values

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """Outputs that get no gradient (indices, masks): they will not require grad."""
        self._non_differentiable = outputs

    def mark_dirty(self, *tensors: Any) -> None:
        """Inputs that forward modified in place (and returns): their history is rewritten."""
        self._dirty = tensors

    def save_for_forward(self, *tensors: Any) -> None:
        """Keep tensors for ``jvp`` (forward-mode AD), read there as ``ctx.saved_tensors``."""
        self.__dict__["_fw_saved"] = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """With False, backward receives None instead of zeros for outputs that got no gradient."""
        self._materialize_grads = bool(value)

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        saved = self._saved
        if saved is None:
            if self._none_saved:
                return (None,) * self._none_saved
            if self._released:
                raise RuntimeError(_RELEASED)
            return ()
        detached = _Used.detached  # some tensor was detached in place: check each entry
        if detached:
            _check_other_first(self, saved)
        values = []
        for entry in saved:
            if detached:
                _check_not_detached(self, entry)
            # The common cases inline: an unmodified input (handed back as it is) and an
            # unmodified output (rebuilt around its array); the rest, with the errors, in _unpack.
            if type(entry) is not tuple:
                if entry is None or type(entry) in _NUMBERS:
                    values.append(entry)
                    continue
                counter = entry._version_counter  # an input saved at version 0
                if counter is None or counter.value == 0:
                    values.append(entry)
                    continue
            else:
                kind = entry[0]
                if kind == _INPUT:
                    tensor = entry[1]
                    counter = tensor._version_counter
                    if (0 if counter is None else counter.value) == entry[2]:
                        values.append(tensor)
                        continue
                elif kind == _OUTPUT and len(entry) == 5 and entry[3].value == entry[4]:
                    tensor = _new(Tensor)
                    tensor._data = entry[1]
                    tensor.grad_fn = self  # type: ignore[assignment]  # the ctx is the node
                    tensor._requires_grad = True
                    tensor._output_nr = entry[2]
                    tensor._version_counter = entry[3]
                    values.append(tensor)
                    continue
                elif kind == _CONSTANT and type(entry[1]) is not np.ndarray:
                    values.append(entry[1])  # a number, a flag...
                    continue
            values.append(_unpack(self, entry))
        return tuple(values)

    @property
    def saved_arrays(self) -> tuple[Any, ...]:
        """``saved_tensors`` as numpy arrays (numbers as they were saved), for ``backward_np``.

        The same checks as ``saved_tensors`` (a value modified in place since it was saved
        raises), without building a tensor per value.
        """
        saved = self._saved
        if saved is None:
            if self._none_saved:
                return (None,) * self._none_saved
            if self._released:
                raise RuntimeError(_RELEASED)
            return ()
        detached = _Used.detached
        if detached:
            _check_other_first(self, saved)
        values = []
        for entry in saved:
            if detached:
                _check_not_detached(self, entry)
            if type(entry) is not tuple:
                if entry is None or type(entry) in _NUMBERS:
                    values.append(entry)
                    continue
                counter = entry._version_counter  # an input saved at version 0
                if counter is None or counter.value == 0:
                    values.append(entry._data)
                    continue
            else:
                kind = entry[0]
                if kind == _INPUT:
                    tensor = entry[1]
                    counter = tensor._version_counter
                    if (0 if counter is None else counter.value) == entry[2]:
                        values.append(tensor._data)
                        continue
                elif kind == _CONSTANT or (
                    kind == _OUTPUT and len(entry) == 5 and entry[3].value == entry[4]
                ):
                    values.append(entry[1])
                    continue
            value = _unpack(self, entry)
            values.append(value._data if isinstance(value, Tensor) else value)
        return tuple(values)


def _check_other_first(node: Any, saved: tuple[Any, ...]) -> None:
    """For a node whose PyTorch formula unpacks ``other`` before ``self`` (``_other_first``):
    other's errors, its detach_ check and its version check, come before self's detach_
    check (the version checks alone keep that order in _unpack)."""
    if len(saved) < 2 or not getattr(getattr(node, "_forward_cls", None), "_other_first", False):
        return
    other = saved[1]
    # an input saved as it is, or with its version (a value packed by saved-tensor hooks is
    # left to the loop: unpacking it here would call the hook twice)
    if isinstance(other, Tensor) or (type(other) is tuple and other[0] == _INPUT):
        _check_not_detached(node, other)
        _unpack(node, other)


def _check_not_detached(node: Any, entry: Any) -> None:
    """PyTorch's error for a saved input that had a history when it was saved and has been
    detached in place since: its SavedVariable takes the grad_fn from the tensor, which
    ``detach_()`` cleared. Checked entry by entry, each before its version, as PyTorch unpacks
    them (an earlier entry's version error comes first). ``detach_()`` stamps a tensor from the
    nodes' clock: a stamp later than this node means a detach after the save. A tensor that had
    no history then (it gained one in place at or after this node) gets the version check
    alone, as in PyTorch."""
    tensor = entry[1] if type(entry) is tuple and entry[0] == _INPUT else entry
    if isinstance(tensor, Tensor) and tensor.grad_fn is None:
        d = tensor.__dict__
        stamp = d.get("_detached_at")
        if stamp is not None and stamp > node._sequence_nr:
            since = d.get("_history_since")  # an in-place op gave it its history then
            if since is None or since < node._sequence_nr:  # it had a history when saved
                raise RuntimeError(_errors.DETACHED_SAVED)


def _entry_is(entry: Any, tensor: Tensor) -> bool:
    """Whether the saved ``entry`` holds ``tensor`` as an input."""
    return entry is tensor or (type(entry) is tuple and entry[0] == _INPUT and entry[1] is tensor)


def _unpack(node: Any, entry: Any) -> Any:
    if entry is None:
        return None
    if type(entry) is not tuple:
        if type(entry) in _NUMBERS:
            return entry
        entry = (_INPUT, entry, 0)  # an input saved at version 0
    kind = entry[0]
    if kind == _INPUT:
        _, tensor, version = entry
        counter = tensor._version_counter
        if (0 if counter is None else counter.value) != version:
            saved = node._saved
            if (
                getattr(getattr(node, "_forward_cls", None), "_other_first", False)
                and len(saved) > 1
                and _entry_is(saved[0], tensor)
                and saved[1] is not None
                and not _entry_is(saved[1], tensor)
            ):
                _unpack(node, saved[1])  # raises first if `other` was modified too
            fn = tensor.grad_fn
            raise _modified_error(tensor, version, None if fn is None else fn.name())
        return tensor
    if kind == _OUTPUT:
        # Rebuilt on demand: the node must not own its output (that would be a cycle).
        array, output_nr, counter, version = entry[1:5]
        tensor = Tensor._make(array, node, output_nr)
        tensor._version_counter = counter
        if counter.value != version:
            raise _modified_error(tensor, version, node.name())
        if len(entry) > 5 and _state.forward_ad:  # forward_ad recorded the output's tangent
            tensor.__dict__["_fw_grad"] = entry[5]
        return tensor
    if kind == _INPLACE_OUTPUT:
        # The output of an in-place op on a view comes back as PyTorch's SavedVariable gives
        # it: with the view's grad_fn right after the write (held weakly), so that a gradient
        # through the saved value (a double backward) takes the view's history, through its
        # base's CopySlices, its hooks and retained gradients. Once that node is gone, this one.
        array, output_nr, counter, version, written = entry[1:6]
        fn = written()
        tensor = Tensor._make(array, node, output_nr) if fn is None else Tensor._make(array, fn)
        tensor._version_counter = counter
        if counter.value != version:
            raise _modified_error(tensor, version, (node if fn is None else fn).name())
        if len(entry) > 6 and _state.forward_ad:
            tensor.__dict__["_fw_grad"] = entry[6]
        return tensor
    if kind == _PACKED:
        return _unpack_packed(node, entry)
    value = entry[1]
    return Tensor._make(value) if isinstance(value, np.ndarray) else value


_PACK_MODIFIED = (
    "A saved tensor pack hook is modifying its input in place. Tensors provided as input to "
    "pack hook cannot be modified by in-place operations as this can lead to unexpected "
    "side-effects. Please open an issue if you need to perform in-place operations on the input "
    "to a pack hook."
)


def _pack_saved(node: Any) -> None:
    """Hand each tensor ``node`` saved to the innermost pack hook and keep what it returns
    in its place (saved_tensors_hooks); numbers and constants stay as they are."""
    if node._saved is None:  # (all None: see _nothing_saved)
        return
    pack, unpack = _state.saved_hooks[-1]
    entries: list[Any] = []
    for entry in node._saved:
        if entry is None or (type(entry) is not tuple and type(entry) in _NUMBERS):
            entries.append(entry)
            continue
        kind = entry[0] if type(entry) is tuple else _INPUT
        if kind in (_CONSTANT, _PACKED):
            entries.append(entry)
            continue
        tensor = _unpack(node, entry)
        counter = tensor._counter()
        version = counter.value
        packed = pack(tensor)
        if counter.value != version:
            raise RuntimeError(_PACK_MODIFIED)
        output_nr = None if kind == _INPUT else entry[2]
        # an input's place in the graph, which PyTorch's SavedVariable keeps (its grad_fn, or
        # a leaf's grad accumulator) to give back with the unpacked value
        link = None
        if output_nr is None and tensor._requires_grad:
            fn = tensor.grad_fn
            link = (tensor._accumulator(), None) if fn is None else (fn, tensor._output_nr)
        entries.append((_PACKED, packed, unpack, counter, version, output_nr, link))
    node._saved = tuple(entries)


def _unpack_packed(node: Any, entry: tuple[Any, ...]) -> Tensor:
    _, packed, unpack, counter, _version, output_nr, link = entry
    value = unpack(packed)
    if not isinstance(value, Tensor):
        raise TypeError(
            "Output of saved tensor unpack_hook expected to be a Tensor but got result of type "
            f"{type(value).__name__}"
        )
    # PyTorch checks no version here: what unpack_hook returns is what backward uses
    if output_nr is not None and value.grad_fn is not node:
        # a saved output comes back attached to its node (a double backward goes through it)
        tensor = Tensor._make(value._data, node, output_nr)
        tensor._version_counter = counter
        return tensor
    if link is not None:
        # an input that required grad comes back where it was in the graph: a double backward
        # reaches the input's history, or accumulates into the leaf (PyTorch's SavedVariable)
        fn, nr = link
        if nr is not None:
            return Tensor._make(value._data, fn, nr)
        tensor = Tensor._make(value._data)
        tensor._requires_grad = True
        tensor._accumulator_ref = weakref.ref(fn)
        return tensor
    return value


class _NoGraphCtx(FunctionCtx):
    """The ctx of a call that records nothing: saving is a no-op."""

    _saved = None
    _to_save = None
    _released = False
    _materialize_grads = True
    _non_differentiable = ()
    _dirty = ()
    needs_input_grad: tuple[bool, ...] = ()

    def save_for_backward(self, *values: Any) -> None:
        pass


# A no-graph ctx class for each small number of arguments, needs_input_grad a class attribute:
# creating the ctx is then a bare allocation (this is every op of a first-order backward and of
# no_grad code).
_NO_GRAPH_CTX = tuple(
    type(f"_NoGraphCtx{n}", (_NoGraphCtx,), {"needs_input_grad": (False,) * n}) for n in range(8)
)


def _no_graph_ctx(n_args: int) -> _NoGraphCtx:
    if n_args < 8:
        return _NO_GRAPH_CTX[n_args]()
    ctx = _NoGraphCtx()
    ctx.needs_input_grad = (False,) * n_args
    return ctx


class BackwardNode(Node, FunctionCtx):
    """The node of a Function call; ``_forward_cls`` is the Function whose backward it runs."""

    _forward_cls: type[Function]

    def _apply(self, grads: list[Tensor | None]) -> tuple[Tensor | None, ...]:
        if self._materialize_grads:
            for i, g in enumerate(grads):
                if g is None:
                    shape, dtype = self._output_meta[i]
                    grads[i] = Tensor._make(np.zeros(shape, dtype))
        fwd = self._forward_cls
        backward = fwd.backward if fwd.vjp is _BASE_VJP else fwd._user_backward()
        result = backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        n = len(self._edges)
        if len(result) != n:
            result = _trim_gradients(self, result, n)
        return result

    # Set per node class when its Function defines ``backward_np`` (see Function).
    _np_backward: Callable[..., Any] | None = None

    def _apply_np(self, grads: list[np.ndarray | None]) -> tuple[Any, ...]:
        """``_apply`` on arrays, through the Function's ``backward_np`` (first-order backward)."""
        if len(grads) == 1 and grads[0] is not None:  # one output, nothing to materialise
            result = self._np_backward(grads[0])  # type: ignore[misc]  # bound: node is the ctx
        else:
            if self._materialize_grads:
                for i, g in enumerate(grads):
                    if g is None:
                        shape, dtype = self._output_meta[i]
                        grads[i] = np.zeros(shape, dtype)
            result = self._np_backward(*grads)  # type: ignore[misc]
        if type(result) is not tuple:
            result = (result,)
        n = len(self._edges)
        if len(result) != n:
            result = _trim_gradients(self, result, n)
        return result


# Nodes PyTorch writes in C++, which ``name()`` gives with their namespace (see Node).
_CPP_NODES = frozenset({"CopySlices", "CopyBackwards", "NotImplemented"})


class _CopySlicesNode(BackwardNode):
    """The node of a write through a view (PyTorch's CopySlices). PyTorch's drops the node it
    wraps when a backward frees the graph, so a second backward through it raises even though
    it saved no tensor: here an empty saved tuple that the engine frees does the same.

    Where its Function names the input that holds the written op's node (``_wrapped_input``:
    autograd/_views.py's CopySlices), that node ``fn`` is, in PyTorch, owned by CopySlices
    rather than reached through an edge: ``next_functions`` lists the base's edge and ``fn``'s
    edges after its first (the view's), and freeing the graph drops ``fn``, and with it
    ``fn``'s edge to the view's old node (whose name a later failed version check quotes only
    while it lives). Here ``fn`` stays a node of its own that the engine runs, and
    ``_release_wrapped`` cuts this node's edge to it once the gradient has been passed on.
    """

    _saved: tuple[Any, ...] | None = ()

    @property
    def next_functions(self) -> tuple[tuple[Node | None, int], ...]:
        listed = self.__dict__.get("_listed_after_release")
        if listed is not None:
            return listed
        position = self._forward_cls._wrapped_input
        if position is None:
            return super().next_functions
        base, wrapped = self._edges[0], self._edges[position]
        first = (None, 0) if base is None else (base[0], base[1])
        fn = None if wrapped is None else wrapped[0]
        return (first, *(() if fn is None else fn.next_functions[1:]))

    def _release_wrapped(self) -> None:
        position = self._forward_cls._wrapped_input
        assert position is not None  # (the engine calls it where _wraps_node is set)
        self.__dict__["_listed_after_release"] = self.next_functions
        wrapped = self._edges[position]
        if wrapped is not None and wrapped[0] is not None:
            # In place of the edge to fn, fn's edges after its first, as PyTorch's CopySlices
            # keeps them: a later backward still reaches what fn led to, and stops here with
            # the "second time" error (the node is released; it does not run again).
            self._edges = (*self._edges[:position], *wrapped[0]._edges[1:])

    def _apply(self, grads: list[Tensor | None]) -> tuple[Tensor | None, ...]:
        if self._released:
            raise RuntimeError(_RELEASED)
        return super()._apply(grads)

    def _apply_np(self, grads: list[np.ndarray | None]) -> tuple[Any, ...]:
        if self._released:
            raise RuntimeError(_RELEASED)
        return super()._apply_np(grads)


def _trim_gradients(node: Node, result: tuple[Any, ...], n: int) -> tuple[Any, ...]:
    """Extra trailing Nones are dropped; any other count mismatch is PyTorch's error."""
    if len(result) > n and all(g is None for g in result[n:]):
        return result[:n]
    raise RuntimeError(
        f"function {node.name()} returned an incorrect number of gradients "
        f"(expected {n}, got {len(result)})"
    )


class Function(FunctionCtx):
    """Base class of differentiable operations, built-in and user-defined.

    Subclasses define ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)`` as static
    methods and are called through ``apply``. ``backward`` returns one gradient per argument of
    forward (None for arguments that are not tensors or need none); write it with ndgrad
    operations and it is differentiable again, so ``create_graph=True`` works.

    Built-in ops set ``_numpy_forward = True``: their forward receives numpy arrays (tensor
    arguments unwrapped) and returns arrays. A user's Function receives tensors, as in PyTorch.

    A built-in op may also define ``backward_np(ctx, *grad_arrays)``: the same formula as its
    ``backward``, written on numpy arrays (``ctx.saved_arrays``). A first-order backward (no
    ``create_graph``) runs it instead, without a tensor or a node per step of the formula; the
    tensor formula stays the definition, and tests/test_backward_np.py checks the two agree.
    """

    _backward_cls: type[BackwardNode]
    _numpy_forward = False
    # A user's Function: how apply calls forward with the ctx, and whether apply binds its
    # arguments to forward's signature first (with setup_context: see _forward_of)
    _ctx_forward: Callable[..., Any]
    _binds_arguments = False
    # Elementwise binary ops set this: a ValueError from forward on two operand shapes that do
    # not broadcast becomes PyTorch's RuntimeError naming the dimension.
    _broadcasting = False
    # Positions of the arguments that ``grad_fn.next_functions`` lists, where PyTorch's node lists
    # other than the tensor arguments: a number it wraps as a tensor (``x + 2``), an optional
    # tensor passed as None (a bias), but no mask or condition (``where``).
    _listed_inputs: tuple[int, ...] | None = None
    # A CopySlices Function's argument that carries the written op's node (_CopySlicesNode).
    _wrapped_input: int | None = None
    # PyTorch's names of what the node saves, for grad_fn._saved_<name>: (name, where) pairs,
    # where an index into saved_tensors or the name of the ctx attribute holding a number.
    _saved_fields: tuple[tuple[str, int | str], ...] = ()
    # Ops of two tensors whose PyTorch node checks its saved ``other`` (saved second here) before
    # ``self``, the order its derivative formulas first use them: when both were modified in
    # place, the error names ``other``.
    _other_first = False
    node_name: str | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # The node class is named as PyTorch names it: `Tanh` -> `TanhBackward0` for built-in
        # ops (which set `node_name` when PyTorch's number differs), `MyFn` -> `MyFnBackward`.
        name = cls.__dict__.get("node_name")
        if name is None:
            name = cls.__name__ + ("Backward0" if cls._numpy_forward else "Backward")
        attrs: dict[str, Any] = {"_forward_cls": cls}
        # backward_np counts only where it sits beside the backward it mirrors: a subclass that
        # overrides backward alone must not inherit its parent's array formula.
        owner = next(k for k in cls.__mro__ if "backward" in k.__dict__)
        np_backward = owner.__dict__.get("backward_np")
        if np_backward is not None:
            attrs["_np_backward"] = getattr(np_backward, "__func__", np_backward)
            attrs["_arrays_ok"] = True
        if name in _CPP_NODES:
            attrs["_name_prefix"] = "torch::autograd::"
        for field, where in cls.__dict__.get("_saved_fields", ()):
            attrs["_saved_" + field] = _saved_field(where)
        if not cls._numpy_forward:  # a user's Function: PyTorch makes its node class in Python
            attrs["_repr_prefix"] = "torch.autograd.function."
            # whose saved_tensors raises once a backward freed the graph, whatever it saved
            # (nothing, or Nones): an empty saved tuple that the engine frees does the same
            attrs["_saved"] = ()
        base = _CopySlicesNode if name == "CopySlices" else BackwardNode
        if cls.__dict__.get("_wrapped_input") is not None:
            attrs["_wraps_node"] = True
        cls._backward_cls = type(name, (base,), attrs)
        if not cls._numpy_forward:
            cls._ctx_forward = staticmethod(_forward_of(cls))

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> Any:
        """In the style PyTorch 2 recommends, ``forward(*args)`` takes no ctx and this fills it
        in afterwards from the inputs and the output (``save_for_backward``, attributes...)."""
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:
        raise NotImplementedError("a Function subclass must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    # PyTorch's alias: a Function may define vjp instead of backward
    vjp = backward

    @classmethod
    def _user_backward(cls) -> Callable[..., Any]:
        """The Function's backward, or its vjp: defining both is PyTorch's error."""
        backward, vjp = cls.backward, cls.vjp
        if vjp is Function.vjp:
            return backward
        if backward is not Function.backward:
            raise RuntimeError(
                "Implementing both 'backward' and 'vjp' for a custom Function is not allowed. "
                "You should only implement one of them."
            )
        return vjp

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run forward on ``args``; record a node if grad mode is on and an input requires grad.

        Keyword arguments become inputs in the places of forward's parameters of those names,
        as PyTorch's apply takes them; with ``setup_context`` defined, forward's defaults too
        (see _bound_arguments)."""
        # Every op runs this, forward and (with its backward formulas) backward: one pass over
        # the arguments, no helper calls on the common paths, each rare mode one attribute read.
        tensor_cls = Tensor
        numpy_forward = cls._numpy_forward
        if kwargs or cls._binds_arguments:
            args = _bound_arguments(cls, args, kwargs)
        any_requires_grad = False
        inputs: Any
        if numpy_forward:
            inputs = []
            for a in args:
                if isinstance(a, tensor_cls):
                    inputs.append(a._data)
                    if a._requires_grad:
                        any_requires_grad = True
                else:
                    inputs.append(a)
        else:
            inputs = args
            for a in args:
                if isinstance(a, tensor_cls) and a._requires_grad:
                    any_requires_grad = True
        state = _state
        if not (any_requires_grad and state.grad_enabled):
            # The lean path: every op under no_grad, and every op of a first-order backward.
            n = len(args)
            ctx: Any = _NO_GRAPH_CTX[n]() if n < 8 else _no_graph_ctx(n)
            if numpy_forward:
                try:
                    out = cls.forward(ctx, *inputs)
                except ValueError:
                    if cls._broadcasting:
                        _check_broadcast(args, tensor_cls)
                    raise
                if not state.forward_ad:
                    if type(out) is not np.ndarray and isinstance(out, np.generic):
                        out = np.asarray(out)  # a full reduction's numpy scalar
                    if type(out) is np.ndarray:
                        t = _new(tensor_cls)
                        t._data = out
                        return t
                outputs = _wrap_outputs(out, tensor_cls, None)
            else:
                if any_requires_grad:  # a user's ctx tells what requires grad, as PyTorch's
                    ctx.needs_input_grad = tuple(
                        isinstance(a, tensor_cls) and a._requires_grad for a in args
                    )
                previous = state.grad_enabled
                state.grad_enabled = False
                try:
                    out = cls._ctx_forward(ctx, *inputs)
                finally:
                    state.grad_enabled = previous
                outputs = _wrap_outputs(out, tensor_cls, None)
                if ctx._dirty:
                    outputs = _mark_dirty_outputs(ctx, None, args, out, outputs)
            if state.forward_ad:
                state.forward_ad(cls, ctx, args, outputs)
            return outputs

        node = cls._backward_cls()
        edges: list[Edge | None] = []
        # bit i: argument i needs a gradient. A built-in op asks whether its gradient goes
        # anywhere (PyTorch's should_compute_output), a custom Function whether the argument
        # requires grad (PyTorch's ctx.needs_input_grad): the two differ for a view made before
        # its base required grad, which requires grad but whose gradient goes nowhere.
        mask = 0
        bit = 1
        for a in args:
            if not isinstance(a, tensor_cls):
                edges.append(None)
            else:
                edge = _edge(a)
                edges.append(edge)
                if edge[0] is not None if numpy_forward else a._requires_grad:
                    mask |= bit
            bit <<= 1
        node._edges = tuple(edges)
        n = len(args)
        needs = _NEEDS.get(mask << 4 | n) if n < 16 else None
        node.needs_input_grad = needs if needs is not None else _needs_input_grad(n, mask)
        node._sequence_nr = next(_sequence)
        if not mask and numpy_forward:
            _make_inert(node)
        return _record(cls, node, args, inputs)


_new = object.__new__
_BASE_VJP = Function.vjp


def _saved_field(where: int | str) -> property:
    """PyTorch's generated accessor of a value a node saved (``grad_fn._saved_self``): entry
    ``where`` of saved_tensors, or the ctx attribute of that name. (Properties on the node class:
    a ``__getattr__`` would slow every attribute read of every node.)"""

    def get(node: Any) -> Any:
        if isinstance(where, str):
            return getattr(node, where)
        saved = node.saved_tensors
        value = saved[where] if where < len(saved) else None
        if type(value) in _NUMBERS:  # PyTorch saved it as a wrapped-number tensor
            return Tensor._make(np.asarray(value))
        return value

    return property(get)


def _forward_of(cls: type[Function]) -> Callable[..., Any]:
    """How ``apply`` runs a user's Function's forward with its ctx: ``forward(ctx, *args)``, or
    for one that defines ``setup_context``, ``forward(*args)`` and then
    ``setup_context(ctx, args, output)`` (PyTorch runs both under no_grad, recording or not)."""
    forward = cls.forward
    owner = next(k for k in cls.__mro__ if "setup_context" in k.__dict__)
    if owner is Function:
        cls._binds_arguments = False
        if cls.__module__.startswith("ndgrad."):  # ndgrad's own (checkpoint, hooks)
            return forward

        def checked_forward(ctx: Any, *args: Any) -> Any:
            if _state.func_transforms:
                raise RuntimeError(_NEEDS_SETUP_CONTEXT)
            return forward(ctx, *args)

        return checked_forward
    cls._binds_arguments = True
    setup = cls.setup_context

    def forward_then_setup(ctx: Any, *args: Any) -> Any:
        if _state.func_transforms:
            _check_transform_support(cls, args)
        output = forward(*args)
        setup(ctx, args, output)
        return output

    return forward_then_setup


_EXTENDING_FUNC = (
    "For more details, please see https://pytorch.org/docs/main/notes/extending.func.html"
)
_NEEDS_SETUP_CONTEXT = (
    "In order to use an autograd.Function with functorch transforms (vmap, grad, jvp, jacrev, "
    "...), it must override the setup_context staticmethod. " + _EXTENDING_FUNC
)


def _check_transform_support(cls: type[Function], args: tuple[Any, ...]) -> None:
    """PyTorch's refusals of a Function (with setup_context) that a running torch.func transform
    cannot apply: under vmap, one without a vmap rule (or with two); under jvp (or jacfwd), one
    without a jvp staticmethod whose input carries a tangent (here: requires grad)."""
    transforms = _state.func_transforms
    name = cls.__name__
    if "vmap" in transforms:
        overridden = getattr(cls, "vmap", None) is not None
        if getattr(cls, "generate_vmap_rule", False):
            if overridden:
                raise RuntimeError(
                    f"You tried to vmap over {name}, but it has both generate_vmap_rule=True and "
                    "an overridden vmap staticmethod. Please set generate_vmap_rule=False or "
                    "delete the overridden vmap staticmethod to avoid ambiguity. " + _EXTENDING_FUNC
                )
        elif not overridden:
            raise RuntimeError(
                f"You tried to vmap over {name}, but it does not have vmap support. Please "
                "override and implement the vmap staticmethod or set generate_vmap_rule=True. "
                + _EXTENDING_FUNC
            )
    if (
        "jvp" in transforms
        and getattr(cls, "jvp", None) is None
        and any(isinstance(a, Tensor) and a._requires_grad for a in args)
    ):
        raise NotImplementedError(
            "You must implement the jvp function for custom autograd.Function to use it with "
            "forward mode AD."
        )


def _bound_arguments(
    cls: type[Function], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Any, ...]:
    """``apply``'s arguments as the positional inputs of forward, as PyTorch's apply binds them.

    With ``setup_context`` defined: bound to forward's signature, defaults filled in. Else
    (forward takes ctx first) the keywords fill forward's next parameters in order, with no
    gap: PyTorch's C++ apply does no more, and its messages are kept."""
    forward = cls.forward
    signature = inspect.signature(forward)
    if cls._binds_arguments:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        if bound.kwargs:  # keyword-only parameters: PyTorch passes them on and forward refuses
            name = next(iter(bound.kwargs))
            raise TypeError(f"forward() got an unexpected keyword argument '{name}'")
        return bound.args
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    names = [p.name for p in signature.parameters.values() if p.kind in positional][1:]
    for name in kwargs:
        if name not in names:
            raise TypeError(f"forward() got an unexpected keyword argument '{name}'")
        if names.index(name) < len(args):
            raise TypeError(f"forward() got multiple values for argument '{name}'")
    left = dict(kwargs)
    bound_args = list(args)
    while left:
        name = names[len(bound_args)]
        if name not in left:
            raise TypeError(
                f"forward() missing required argument: '{name}' (position {len(bound_args)})"
            )
        bound_args.append(left.pop(name))
    return tuple(bound_args)


def _make_inert(node: Any) -> None:
    """A built-in op's node none of whose inputs' gradients goes anywhere (its tensor input is a
    view made before its base required grad: it requires grad, with no node of its own).
    PyTorch's formulas compute nothing for such a node (should_compute_output is false for
    every input); its backward here is skipped likewise (forward saved nothing for it)."""
    nones = (None,) * len(node._edges)
    node._apply = node._apply_np = lambda grads: nones


def _record(cls: type[Function], node: Any, args: tuple[Any, ...], inputs: Any) -> Any:
    """Run ``cls.forward`` with ``node`` as its ctx, whose edges are set, and make the outputs
    (the second half of ``Function.apply`` when it records)."""
    if cls._numpy_forward:
        try:
            out = cls.forward(node, *inputs)
        except ValueError:
            if cls._broadcasting:
                _check_broadcast(args, Tensor)
            raise
    else:
        state = _state
        state.grad_enabled = False
        try:
            out = cls._ctx_forward(node, *inputs)
        finally:
            state.grad_enabled = True
    return _finish(cls, node, args, inputs, out, 2)


def _finish(
    cls: type[Function], node: Any, args: tuple[Any, ...], inputs: Any, out: Any, depth: int
) -> Any:
    """The outputs of a recorded call whose forward returned ``out``: wrapped as tensors of
    ``node``, with the saved values resolved (see ``_resolve_saved``). ``depth`` is the number
    of ndgrad frames between this one and the op's caller (for anomaly mode's trace)."""
    tensor_cls = Tensor
    raw = out
    if type(out) is not np.ndarray and isinstance(out, np.generic):
        out = np.asarray(out)  # numpy's result of a full reduction: a scalar, not a 0-d array
    if type(out) is np.ndarray and not node._non_differentiable:
        dt = out.dtype
        meta = _shape_record(out.shape, dt)
        node._output_meta = meta[2]
        outputs = _new(tensor_cls)
        outputs._data = out
        outputs._meta = meta
        if dt.kind == "f":
            outputs.grad_fn = node
            outputs._requires_grad = True
    else:
        outputs = _wrap_outputs(out, tensor_cls, node)
    if node._dirty:
        outputs = _mark_dirty_outputs(node, node, args, raw, outputs)
    if node._to_save is not None:
        node._saved = _resolve_saved(node, args, inputs, raw, outputs, tensor_cls)
        node._to_save = None
        if _Used.saved_hooks and _state.saved_hooks:
            _pack_saved(node)
    if _Used.special:
        _special_modes(cls, node, args, outputs, depth + 2)
    return outputs


def _special_modes(
    cls: type[Function], node: Any, args: tuple[Any, ...], outputs: Any, frames: int
) -> None:
    """What anomaly detection and forward-mode AD add to a recorded call; the anomaly trace
    leaves out the last ``frames`` frames (this one and the recorder's)."""
    state = _state
    if state.anomaly:
        node.__dict__["_forward_trace"] = traceback.extract_stack()[:-frames]
    if state.forward_ad:
        state.forward_ad(cls, node, args, outputs)


def _meta(t: Tensor) -> tuple[Any, ...]:
    """``t``'s shared record of its shape and dtype (see ``_METAS``), kept on the tensor after
    the first look-up: ``Tensor._set_data``, the one way to rebind a tensor's array, clears it."""
    data = t._data
    meta = t._meta = _shape_record(data.shape, data.dtype)
    return meta


def _edge(t: Tensor) -> Edge:
    """The ``Edge`` of tensor argument ``t``, its shape and dtype from the shared record (see
    ``_METAS``, which also holds the edge of a tensor that needs no gradient)."""
    meta = t._meta
    if meta is None:
        meta = _meta(t)
    if not t._requires_grad:
        return meta[3]
    fn = t.grad_fn
    if fn is None:
        return (t._accumulator(), 0, meta[0], meta[1])
    return (fn, t._output_nr, meta[0], meta[1])


def _saved_input(t: Tensor) -> Any:
    """The saved entry of input tensor ``t``: the tensor itself at version 0, else with its
    version (see ``_entries``)."""
    counter = t._version_counter
    if counter is None or counter.value == 0:
        return t
    return (_INPUT, t, counter.value)


def record_unary(cls: type[Function], x: Tensor) -> Any:
    """``cls.apply(x)`` for an elementwise built-in op (ops/unary.py:_elementwise) of one
    float64 or float32 tensor ``x`` that requires grad, in grad mode: the same node, without
    apply's loops over arguments. The output has ``x``'s shape and dtype, so it shares ``x``'s
    record; the saved value is ``x`` or the output, resolved here (the hot path)."""
    node = cls._backward_cls()
    meta = x._meta
    if meta is None:
        meta = _meta(x)
    fn = x.grad_fn
    if fn is None:
        fn = x._accumulator()  # None for a view made before its base required grad
        node._edges = ((fn, 0, meta[0], meta[1]),)
    else:
        node._edges = ((fn, x._output_nr, meta[0], meta[1]),)
    if fn is not None:
        node.needs_input_grad = _ONE_NEEDED
    else:
        node.needs_input_grad = _NONE_NEEDED
        _make_inert(node)
    node._sequence_nr = next(_sequence)
    data = x._data
    out = cls.forward(node, data)
    if type(out) is not np.ndarray or out.dtype is not meta[1]:  # a 0-d input's numpy scalar
        return _finish(cls, node, (x,), (data,), out, 1)
    # The output tensor, built here and in record_binary rather than by a shared helper: the
    # call cost 4% of a recorded op's instructions (cachegrind, workload 1's forward).
    node._output_meta = meta[2]
    t = _new(Tensor)
    t._data = out
    t._meta = meta
    t.grad_fn = node
    t._requires_grad = True
    to_save = node._to_save
    if to_save is not None:
        value = to_save[0] if len(to_save) == 1 else None
        if value is out:
            node._saved = ((_OUTPUT, out, 0, t._counter(), 0),)
        elif value is data:
            node._saved = (_saved_input(x),)
        else:
            node._saved = _resolve_saved(node, (x,), (data,), out, t, Tensor)
        node._to_save = None
        if _Used.saved_hooks and _state.saved_hooks:
            _pack_saved(node)
    if _Used.special:
        _special_modes(cls, node, (x,), t, 2)
    return t


_ONE_NEEDED, _NONE_NEEDED = (True,), (False,)


def record_binary(cls: type[Function], a: Tensor, b: Any) -> Any:
    """``cls.apply(a, b)`` for a built-in op of a tensor ``a`` and a tensor or a number ``b``,
    one of them requiring grad, in grad mode (the operators' hot path, as ``record_unary``).
    A tensor ``b`` has ``a``'s dtype, a number ``b`` keeps it: a broadcasting op's output then
    shares ``a``'s shape and dtype record when the shapes are equal."""
    node = cls._backward_cls()
    # _edge(a), inline (one call less on every recorded operator)
    meta: Any = a._meta
    if meta is None:
        meta = _meta(a)
    if not a._requires_grad:
        ea = meta[3]
    elif a.grad_fn is None:
        ea = (a._accumulator(), 0, meta[0], meta[1])
    else:
        ea = (a.grad_fn, a._output_nr, meta[0], meta[1])
    value_a = a._data
    mask = 0 if ea[0] is None else 1  # where a's gradient goes anywhere (see apply)
    T = Tensor
    b_tensor = type(b) is T or isinstance(b, T)
    if b_tensor:
        eb = _edge(b)
        node._edges = (ea, eb)
        value_b = b._data
        if eb[0] is not None:
            mask |= 2
        same = eb[2] is ea[2]  # the shapes, from one shared record: equal when identical
    else:  # a number
        node._edges = (ea, None)
        value_b = b
        same = True
    node.needs_input_grad = _TWO_NEEDED[mask]
    if not mask:
        _make_inert(node)
    node._sequence_nr = next(_sequence)
    try:
        out = cls.forward(node, value_a, value_b)
    except ValueError:
        if cls._broadcasting:
            _check_broadcast((a, b), Tensor)
        raise
    if type(out) is not np.ndarray:  # numpy's scalar for two 0-d inputs
        return _finish(cls, node, (a, b), (value_a, value_b), out, 1)
    dt = out.dtype
    if not (same and cls._broadcasting and dt is meta[1]):
        if dt.kind != "f":
            return _finish(cls, node, (a, b), (value_a, value_b), out, 1)
        meta = _shape_record(out.shape, dt)
    node._output_meta = meta[2]
    t = _new(T)
    t._data = out
    t._meta = meta
    t.grad_fn = node
    t._requires_grad = True
    to_save = node._to_save
    if to_save is not None:
        saved: list[Any] = []
        nones = 0
        for value in to_save:
            if value is None:
                saved.append(None)
                nones += 1
            elif value is value_a:
                saved.append(_saved_input(a))
            elif value is value_b:
                saved.append(_saved_input(b) if b_tensor else b)
            else:  # not an input: the general resolution
                args = (a, b)
                inputs = (value_a, value_b)
                node._saved = _resolve_saved(node, args, inputs, out, t, Tensor)
                break
        else:
            node._saved = tuple(saved) if nones < len(saved) else _nothing_saved(node, nones)
        node._to_save = None
        if _Used.saved_hooks and _state.saved_hooks:
            _pack_saved(node)
    if _Used.special:
        _special_modes(cls, node, (a, b), t, 2)
    return t


_TWO_NEEDED = ((False, False), (True, False), (False, True), (True, True))  # by bit mask

# Shared per (shape, dtype): ``(shape, dtype, ((shape, dtype),), (None, 0, shape, dtype))``,
# the pieces of an input's edge, a one-output node's ``_output_meta`` and the edge of an input
# that needs no gradient. Nodes hold these instead of new tuples: every tuple a node keeps is an
# object the cyclic collector scans until the graph is freed, and there are few distinct shapes.
_METAS: dict[tuple[tuple[int, ...], np.dtype], tuple[Any, ...]] = {}


def _shape_record(shape: tuple[int, ...], dtype: np.dtype) -> tuple[Any, ...]:
    """The shared record of ``(shape, dtype)`` in ``_METAS``, made on first use."""
    meta = _METAS.get((shape, dtype))
    return _new_meta(shape, dtype) if meta is None else meta


def _new_meta(shape: tuple[int, ...], dtype: np.dtype) -> tuple[Any, ...]:
    if len(_METAS) >= 4096:  # a program of ever-new shapes: start again rather than grow
        _METAS.clear()
    pair = (shape, dtype)
    meta = _METAS[pair] = (shape, dtype, (pair,), (None, 0, shape, dtype))
    return meta


def _check_broadcast(args: tuple[Any, ...], tensor_cls: type[Tensor]) -> None:
    """Raise PyTorch's error if the first two arguments' shapes do not broadcast."""
    a, b = args[0], args[1]
    sa = a._data.shape if isinstance(a, tensor_cls) else ()
    sb = b._data.shape if isinstance(b, tensor_cls) else ()
    try:
        np.broadcast_shapes(sa, sb)
    except ValueError:
        raise _errors.broadcast_mismatch(sa, sb) from None


# needs_input_grad tuples shared by every node of the same pattern, for fewer than 16 arguments:
# key ``mask << 4 | n_args``, bit i of mask set when argument i requires grad.
_NEEDS: dict[int, tuple[bool, ...]] = {}


def _needs_input_grad(n_args: int, mask: int) -> tuple[bool, ...]:
    """The tuple of n_args bools whose i-th is bit i of mask (cached for n_args < 16)."""
    needs = tuple(bool(mask >> i & 1) for i in range(n_args))
    if n_args < 16:
        _NEEDS[mask << 4 | n_args] = needs
    return needs


def _mark_dirty_outputs(ctx: Any, node: Any, args: tuple[Any, ...], raw: Any, outputs: Any) -> Any:
    """Return the inputs ``ctx.mark_dirty`` named as themselves, now the outputs of ``node``.

    Like an in-place op: the tensor object stays, its history is rewritten (for a view, its
    base's history) and its version counter goes up.
    """
    single = not isinstance(outputs, tuple)
    outs = [outputs] if single else list(outputs)
    raws = (raw,) if single else raw
    for i, value in enumerate(raws):
        if not any(value is d for d in ctx._dirty) or not any(value is a for a in args):
            continue
        if node is not None:
            if value.grad_fn is None and value._requires_grad:
                raise RuntimeError(
                    "a leaf Variable that requires grad has been used in an in-place operation."
                )
            if outs[i].grad_fn is not None:
                value._rebase_history(outs[i])  # (autograd/_views.py:rebase_history)
        value._bump_version()
        outs[i] = value
    return outs[0] if single else tuple(outs)


def _wrap_outputs(out: Any, tensor_cls: type[Tensor], node: Any) -> Any:
    """Turn what forward returned into output tensors; attach them to `node` if it records."""
    single = not isinstance(out, tuple)
    values = (out,) if single else out
    results: list[Tensor | None] = []
    metas: list[tuple[tuple[int, ...], np.dtype]] = []
    non_diff = node._non_differentiable if node is not None else ()
    for i, value in enumerate(values):
        if value is None:
            results.append(None)
            metas.append(((), np.dtype(np.float32)))
            continue
        # A user's forward returns tensors (perhaps an input as is): the output is a new one.
        if isinstance(value, tensor_cls):
            array = value._data
        else:
            array = value if type(value) is np.ndarray else np.asarray(value)
        differentiable = not any(value is nd for nd in non_diff)
        if node is not None and differentiable and array.dtype.kind == "f":
            t = tensor_cls._make(array, node, i)
        else:
            t = tensor_cls._make(array)
        results.append(t)
        metas.append((array.shape, array.dtype))
    if node is not None:
        node._output_meta = tuple(metas)
    return results[0] if single else tuple(results)


_SAVEABLE = (np.ndarray, np.generic)


def _resolve_saved(
    node: Any,
    args: tuple[Any, ...],
    inputs: Any,
    raw: Any,
    outputs: Any,
    tensor_cls: type[Tensor],
) -> tuple[tuple[Any, ...] | None, ...]:
    """Classify each saved value as an input, an output or a constant (see `_unpack`).

    `raw` is what forward returned: numpy gives scalars for 0-d results, which the output tensors
    hold as new 0-d arrays, so a saved output is recognised by either object.
    """
    resolved: list[tuple[Any, ...] | None] = []
    saveable = None
    for value in node._to_save:
        if value is None:
            resolved.append(None)
            continue
        if type(value) is not np.ndarray:
            if saveable is None:
                saveable = (*_SAVEABLE, tensor_cls)
            if not isinstance(value, saveable):  # a number (kept bare), a flag...
                resolved.append(value if type(value) in _NUMBERS else (_CONSTANT, value))
                continue
        entry: Any = None
        for i, x in enumerate(inputs):
            if x is value:
                a = args[i]
                if isinstance(a, tensor_cls):
                    counter = a._version_counter
                    if counter is None or counter.value == 0:
                        entry = a  # (the short form of (_INPUT, a, 0))
                    else:
                        entry = (_INPUT, a, counter.value)
                break
        if entry is None and value is raw and outputs.grad_fn is node:
            # The common saved output: the one array forward returned (tanh, exp, sigmoid...).
            counter = outputs._counter()
            # (the array: a user's forward returns the output tensor itself as raw)
            entry = (_OUTPUT, outputs._data, 0, counter, counter.value)
        if entry is None:
            outs = outputs if isinstance(outputs, tuple) else (outputs,)
            raws = raw if isinstance(raw, tuple) else (raw,)
            for nr, (out, r) in enumerate(zip(outs, raws, strict=True)):
                if out is not None and (value is out._data or value is out or value is r):
                    counter = out._counter()
                    if out.grad_fn is node:
                        entry = (_OUTPUT, out._data, nr, counter, counter.value)
                    else:  # a non-differentiable output: keep the tensor itself
                        v = counter.value
                        entry = out if v == 0 else (_INPUT, out, v)
                    break
        if entry is None:
            if isinstance(value, tensor_cls):
                v = value._version
                entry = value if v == 0 else (_INPUT, value, v)
            else:
                entry = (_CONSTANT, value)
        resolved.append(entry)
    if node._forward_cls._numpy_forward:  # (a user's Function: see __init_subclass__)
        for entry in resolved:
            if entry is not None:
                break
        else:
            return _nothing_saved(node, len(resolved))
    return tuple(resolved)


def _nothing_saved(node: Any, n: int) -> Any:
    """A node whose saved values are all None (``save_for_backward(a if need_b else None,
    ...)`` with only other inputs needing a gradient) saved nothing: freeing its graph frees
    nothing, and a later backward through it reads ``n`` Nones, as PyTorch's undefined saved
    variables unpack without the "backward through the graph a second time" error. Returns
    the node's saved entries: None."""
    node.__dict__["_none_saved"] = n
    return None


_accumulate_lock = threading.Lock()


_MOVED_LEAF = "leaf variable has been moved into the graph interior"


class AccumulateGrad(Node):
    """The node that adds a gradient into a leaf tensor's ``.grad``."""

    _name_prefix = "torch::autograd::"

    _sequence_nr = 1 << 62  # run as soon as ready, like PyTorch's UINT64_MAX

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable
        self._output_meta = ((variable._data.shape, variable._data.dtype),)

    def _apply(self, grads: list[Tensor | None]) -> tuple[Tensor | None, ...]:
        grad = grads[0]
        variable = self.variable
        if grad is None:
            return ()
        if variable.grad_fn is not None:  # detach_() and an in-place write since (PyTorch)
            raise RuntimeError(_MOVED_LEAF)
        if not variable._requires_grad:  # detach_() since the graph was built
            return ()
        if variable._backward_hooks:
            grad = self._run_leaf_hooks(grad)
            assert grad is not None  # (a hook cannot turn a gradient into None)
        # Threads may backpropagate into one shared leaf at once: read-add-write under a lock,
        # or an update is lost.
        with _accumulate_lock:
            variable._accumulate(grad)
        post = variable._post_accumulate_hooks
        if post:
            for hook in tuple(post.values()):
                hook(variable)
        return ()

    def _run_leaf_hooks(self, grad: Tensor | None) -> Tensor | None:
        """The leaf's tensor hooks (``register_hook``) on its gradient, in order. With no
        gradient (None) they are called all the same and must return None, as in PyTorch."""
        hooks = self.variable._backward_hooks
        if hooks:
            for hook in tuple(hooks.values()):
                result = hook(grad)
                if result is not None:
                    if grad is None:
                        raise RuntimeError("can't replace a None gradient with a non-None value")
                    grad = _checked_hook_result(result, grad, hook)
        return grad

    _arrays_ok = True

    def _apply_np(self, grads: list[np.ndarray | None]) -> tuple[Any, ...]:
        """``_apply`` for an array gradient (tensor hooks on the leaf get it as a tensor)."""
        grad = grads[0]
        variable = self.variable
        if grad is None:
            return ()
        if variable.grad_fn is not None:
            raise RuntimeError(_MOVED_LEAF)
        if not variable._requires_grad:
            return ()
        if variable._backward_hooks:
            return self._apply([Tensor._make(grad)])
        with _accumulate_lock:
            variable._accumulate_np(grad)
        post = variable._post_accumulate_hooks
        if post:
            for hook in tuple(post.values()):
                hook(variable)
        return ()


def check_expandable(node: Node, i: int, gshape: tuple[int, ...], shape: tuple[int, ...]) -> None:
    """PyTorch's error for gradient ``i`` of ``node`` whose shape ``gshape`` does not reduce to
    its input's ``shape`` by summing broadcast dims."""
    if not _expandable(shape, gshape):
        name = node._checked_as or node.name()
        raise RuntimeError(
            f"Function {name} returned an invalid gradient at index {i} - got "
            f"{list(gshape)} but expected shape compatible with {list(shape)}"
        )


def _expandable(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """True if ``shape`` broadcasts to ``target``."""
    lead = len(target) - len(shape)
    if lead < 0:
        return False
    if shape == target[lead:]:  # the common case: a bias, a row broadcast over a batch
        return True
    return all(s == t or s == 1 for s, t in zip(reversed(shape), reversed(target), strict=False))


def _checked_hook_result(result: Any, grad: Tensor, hook: Any) -> Tensor:
    """What a hook returned in place of ``grad``: a Tensor of the same shape and dtype, or None
    (keep ``grad``). PyTorch's checks and messages."""
    if result is None:
        return grad
    if not isinstance(result, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(result).__name__}'")
    if result._data.dtype != grad._data.dtype:
        was, got = _type_string(grad).split(" ")[0], _type_string(result).split(" ")[0]
        raise RuntimeError(
            f"hook '{_hook_name(hook)}' has changed the type of value (was {was} got {got})"
        )
    if result._data.shape != grad._data.shape:
        raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the size of value")
    return result


class DelayedError(Function):
    """y = x; differentiating through it raises ``message`` (once_differentiable's marker)."""

    node_name = "Error"

    @staticmethod
    def forward(ctx: Any, x: Any, message: str) -> Any:
        ctx.message = message
        return x

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        raise RuntimeError(ctx.message)


def once_differentiable(backward: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a Function's backward that is not itself differentiable.

    It runs with grad disabled; under ``create_graph`` its results are marked so that
    differentiating them again raises instead of silently giving a wrong answer.
    """
    import functools

    @functools.wraps(backward)
    def wrapper(ctx: Any, *grads: Any) -> Any:
        previous = _state.grad_enabled
        _state.grad_enabled = False
        try:
            result = backward(ctx, *grads)
        finally:
            _state.grad_enabled = previous
        tensor_cls = Tensor
        if not previous or not any(isinstance(g, tensor_cls) and g.requires_grad for g in grads):
            return result
        message = (
            "trying to differentiate twice a function that was marked with @once_differentiable"
        )
        single = not isinstance(result, tuple)
        outs = (result,) if single else result
        # Each result becomes the output of a node that raises when differentiated (fed by a
        # stand-in leaf, so that the node is recorded).
        marked = tuple(
            DelayedError.apply(r.detach().requires_grad_(True), message)
            if isinstance(r, tensor_cls) and r._data.dtype.kind == "f"
            else r
            for r in outs
        )
        return marked[0] if single else marked

    return wrapper
