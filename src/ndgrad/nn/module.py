"""Module: the base class of layers, with PyTorch's registration, traversal and state dicts.

Assigning a Parameter, a Module or (through ``register_buffer``) a buffer tensor to an attribute
registers it in ``_parameters``, ``_modules`` or ``_buffers``; ``__getattr__`` reads them back.
Everything else (``parameters()``, ``state_dict()``, ``train()``...) walks those three dicts.
"""

from __future__ import annotations

import warnings
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from .._device import check_device, device
from .._namespace import public_dir
from .._tensor import Tensor
from ..autograd._hooks import RemovableHandle
from ..autograd.function import _sequence
from ..autograd.grad_mode import no_grad
from ._backward_hooks import BackwardHook, set_non_full_backward_hooks
from .parameter import Parameter

__all__ = ["Module"]
__dir__ = public_dir(__name__)

# Module scopes, for ndgrad.viz.explore: each call of a module appends (first, last, module ref),
# two numbers drawn from the nodes' sequence counter around its forward, so the nodes it created
# are those numbered in between. Per module call, not per op; the newest 32,768 calls are kept.
_scope_calls: deque[tuple[int, int, weakref.ref[Any]]] = deque(maxlen=1 << 15)


def typename(obj: Any) -> str:
    """How PyTorch's messages name the type of a value (``torch.FloatTensor``, ``int``...)."""
    if isinstance(obj, Tensor):
        return str(obj.type())
    module = getattr(type(obj), "__module__", "")
    name = type(obj).__qualname__
    return name if module in ("builtins", "", None) else f"{module}.{name}"


_EXTRA_STATE = "_extra_state"  # the state_dict key suffix of get_extra_state()'s value


class _IncompatibleKeys(NamedTuple):
    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (
            f"_IncompatibleKeys(missing_keys={self.missing_keys}, "
            f"unexpected_keys={self.unexpected_keys})"
        )

    def __str__(self) -> str:
        return self.__repr__()


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    pad = " " * spaces
    return lines[0] + "\n" + "\n".join(pad + line for line in lines[1:])


def _check_name(kind: str, name: Any, owner: Module, table: dict[str, Any]) -> None:
    """PyTorch's checks of a new parameter's, buffer's or submodule's name, in its order: a
    submodule's name is checked against the existing attributes first, and its message for a
    dot quotes the name."""
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {typename(name)}")
    exists = hasattr(owner, name) and name not in table
    if kind == "module" and exists:
        raise KeyError(f"attribute '{name}' already exists")
    if "." in name:
        got = f", got: {name}" if kind == "module" else ""
        raise KeyError(f'{kind} name can\'t contain "."{got}')
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')
    if exists:
        raise KeyError(f"attribute '{name}' already exists")


class Module:
    """Base class of all neural network layers; subclasses define ``forward``.

    >>> import ndgrad.nn as nn
    >>> class Net(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc = nn.Linear(2, 1)
    ...     def forward(self, x):
    ...         return self.fc(x)
    >>> [name for name, _ in Net().named_parameters()]
    ['fc.weight', 'fc.bias']
    """

    training: bool
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _modules: dict[str, Module | None]
    _version: int = 1

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                f"'{next(iter(kwargs))}'"
            )
        if args:
            raise TypeError(
                f"{type(self).__name__}.__init__() takes 1 positional argument but "
                f"{len(args) + 1} were given"
            )
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = {}
        # hook tables: OrderedDicts as PyTorch's (RemovableHandle references them weakly)
        for table in (
            "_forward_pre_hooks",
            "_forward_hooks",
            "_backward_pre_hooks",
            "_backward_hooks",
            "_state_dict_pre_hooks",
            "_state_dict_hooks",
            "_load_state_dict_pre_hooks",
            "_load_state_dict_post_hooks",
        ):
            d[table] = OrderedDict()

    # --- calling -------------------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        first = next(_sequence)
        if self.__dict__.get("_forward_hooks_always_called"):
            output = self._call_always_calling(args, kwargs)
        else:
            output = self._call_hooked(args, kwargs, set(), [])
        _scope_calls.append((first, next(_sequence), weakref.ref(self)))
        return output

    def _call_hooked(
        self, args: tuple[Any, ...], kwargs: dict[str, Any], called: set[int], state: list[Any]
    ) -> Any:
        """Pre-hooks, forward, forward hooks and the backward hooks' wrapping. ``state`` gets
        the args, kwargs and output as they stand (for ``_call_always_calling``)."""
        d = self.__dict__
        if self._forward_pre_hooks:
            args, kwargs = self._run_forward_pre_hooks(args, kwargs)
        full = d.get("_is_full_backward_hook")
        hooks = tuple(d["_backward_hooks"].values()) if d.get("_backward_hooks") else ()
        pre_hooks = tuple(d["_backward_pre_hooks"].values()) if d.get("_backward_pre_hooks") else ()
        full_hooks = hooks if full is True else ()
        backward_hooks = bool(full_hooks or pre_hooks)
        if backward_hooks:
            hook_state = BackwardHook(self, full_hooks, pre_hooks)
            args = hook_state.setup_input_hook(args)
        state[:] = [args, kwargs, None]
        output = self.forward(*args, **kwargs)
        state[2] = output
        if self._forward_hooks:
            output = self._run_forward_hooks(args, kwargs, output, called, state)
        if hooks and full is False:
            set_non_full_backward_hooks(self, hooks, args, output)
        if backward_hooks:
            if not isinstance(output, Tensor | tuple):
                warnings.warn(
                    "For backward hooks to be called, module output should be a Tensor or a "
                    f"tuple of Tensors but received {type(output)}",
                    stacklevel=3,
                )
            output = hook_state.setup_output_hook(output)
        return output

    def _call_always_calling(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """``_call_hooked``; if it raises, the ``always_call`` forward hooks that have not run
        yet run (an error of theirs is a warning), then the error goes on."""
        called: set[int] = set()
        state: list[Any] = [args, kwargs, None]
        try:
            return self._call_hooked(args, kwargs, called, state)
        except Exception:
            d = self.__dict__
            args, kwargs, output = state
            with_kwargs = d.get("_forward_hooks_with_kwargs", ())
            for hook_id, hook in tuple(self._forward_hooks.items()):
                if hook_id not in d["_forward_hooks_always_called"] or hook_id in called:
                    continue
                try:
                    if hook_id in with_kwargs:
                        result = hook(self, args, kwargs, output)
                    else:
                        result = hook(self, args, output)
                    if result is not None:
                        output = result
                except Exception as e:
                    warnings.warn(
                        "module forward hook with ``always_call=True`` raised an exception that "
                        f"was silenced as another error was raised in forward: {e!s}",
                        stacklevel=3,
                    )
            raise

    def _run_forward_pre_hooks(
        self, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """The pre-hooks, in order: ``hook(module, args)`` may return new args (one value is a
        1-tuple); a ``with_kwargs`` hook ``hook(module, args, kwargs)`` returns both or None."""
        with_kwargs = self.__dict__.get("_forward_pre_hooks_with_kwargs", ())
        for hook_id, hook in tuple(self._forward_pre_hooks.items()):
            if hook_id in with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError(
                            "forward pre-hook must return None or a tuple of (new_args, "
                            f"new_kwargs), but got {result}."
                        )
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        return args, kwargs

    def _run_forward_hooks(
        self,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        output: Any,
        called: set[int],
        state: list[Any],
    ) -> Any:
        """The forward hooks, in order; each may return a new output (kept in ``state``).
        ``called`` collects the ids of the ``always_call`` hooks that ran."""
        d = self.__dict__
        with_kwargs = d.get("_forward_hooks_with_kwargs", ())
        always = d.get("_forward_hooks_always_called", ())
        for hook_id, hook in tuple(self._forward_hooks.items()):
            if hook_id in always:
                called.add(hook_id)
            if hook_id in with_kwargs:
                result = hook(self, args, kwargs, output)
            else:
                result = hook(self, args, output)
            if result is not None:
                output = state[2] = result
        return output

    def _add_hook(self, table: dict[int, Any], hook: Callable[..., Any], prepend: bool) -> Any:
        handle = RemovableHandle(table)
        table[handle.id] = hook
        if prepend:
            items = list(table.items())
            table.clear()
            table[handle.id] = hook
            table.update((k, v) for k, v in items if k != handle.id)
        return handle

    def _flag_hook(self, table: str, hook_id: int) -> None:
        self.__dict__.setdefault(table, set()).add(hook_id)

    def register_forward_pre_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """``hook(module, args)`` runs before forward; it may return new args. With
        ``with_kwargs``: ``hook(module, args, kwargs)``, returning ``(args, kwargs)`` or None."""
        handle = self._add_hook(self._forward_pre_hooks, hook, prepend)
        if with_kwargs:
            self._flag_hook("_forward_pre_hooks_with_kwargs", handle.id)
        return handle

    def register_forward_hook(
        self,
        hook: Callable[..., Any],
        *,
        prepend: bool = False,
        with_kwargs: bool = False,
        always_call: bool = False,
    ) -> RemovableHandle:
        """``hook(module, args, output)`` runs after forward; it may return a new output. With
        ``with_kwargs``: ``hook(module, args, kwargs, output)``; with ``always_call`` it runs
        also when forward raises."""
        handle = self._add_hook(self._forward_hooks, hook, prepend)
        if with_kwargs:
            self._flag_hook("_forward_hooks_with_kwargs", handle.id)
        if always_call:
            self._flag_hook("_forward_hooks_always_called", handle.id)
        return handle

    def _backward_hook_kind(self, full: bool) -> dict[int, Any]:
        """The table of backward hooks, which are all full or all not (PyTorch's rule)."""
        d = self.__dict__
        if d.get("_is_full_backward_hook") is (not full):
            raise RuntimeError(
                "Cannot use both regular backward hooks and full backward hooks on a single "
                "Module. Please use only one of them."
            )
        d["_is_full_backward_hook"] = full
        return d.setdefault("_backward_hooks", OrderedDict())

    def register_full_backward_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> RemovableHandle:
        """``hook(module, grad_input, grad_output)`` runs once the gradients of the module's
        inputs are computed; it may return new grad_input (see ``_backward_hooks``)."""
        return self._add_hook(self._backward_hook_kind(True), hook, prepend)

    def register_backward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Deprecated: ``hook(module, grad_input, grad_output)`` on the node that made the
        module's (first) output: grad_input are that node's input gradients, as in PyTorch."""
        return self._add_hook(self._backward_hook_kind(False), hook, False)

    def register_full_backward_pre_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> RemovableHandle:
        """``hook(module, grad_output)`` runs once the gradients of the module's outputs are
        computed, before its backward; it may return new grad_output."""
        table = self.__dict__.setdefault("_backward_pre_hooks", OrderedDict())
        return self._add_hook(table, hook, prepend)

    # --- attributes ----------------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            entries = d.get(table)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, "_parameters")
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{typename(value)}' as parameter '{name}' "
                    "(torch.nn.Parameter or None expected)"
                )
            self.register_parameter(name, value)
            return
        modules = d.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, "_modules")
            modules[name] = value
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{typename(value)}' as child module '{name}' "
                    "(torch.nn.Module or None expected)"
                )
            modules[name] = value
            return
        buffers = d.get("_buffers")
        if (
            buffers is not None
            and isinstance(value, Tensor)
            and getattr(value, "_is_buffer", False)
        ):
            self._forget(name, "_buffers")  # an nn.Buffer registers itself, as PyTorch's does
            self.register_buffer(name, value, value.persistent)  # type: ignore[attr-defined]
            return
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{typename(value)}' as buffer '{name}' "
                    "(torch.nn.Buffer, torch.Tensor or None expected)"
                )
            buffers[name] = value
            return
        object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: str) -> None:
        """Drop ``name`` from every registry but ``keep`` (a name lives in one place only)."""
        d = self.__dict__
        d.pop(name, None)
        for table in ("_parameters", "_buffers", "_modules"):
            if table != keep:
                d[table].pop(name, None)
        d["_non_persistent_buffers_set"].discard(name)

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            if name in d.get(table, ()):
                del d[table][name]
                d["_non_persistent_buffers_set"].discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        names = set(super().__dir__())
        for table in ("_parameters", "_buffers", "_modules"):
            names.update(self.__dict__.get(table, {}))
        return sorted(names)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        _check_name("parameter", name, self, self._parameters)
        if param is None:
            self._parameters[name] = None
            return
        if not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{typename(param)}' object to parameter '{name}' "
                "(torch.nn.Parameter or None required)"
            )
        if param.grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                f"created explicitly. To express '{name}' as a function of another Tensor, "
                "compute the value in the forward() method."
            )
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """A tensor that is state but not a parameter (running statistics); in state_dict
        unless ``persistent=False``."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        _check_name("buffer", name, self, self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{typename(tensor)}' object to buffer '{name}' "
                "(torch Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{typename(module)} is not a Module subclass")
        _check_name("module", name, self, self._modules)
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The submodule at the dotted path ``target``; each step is an attribute (PyTorch's
        errors: one that does not exist, or is not a Module)."""
        module = self
        if target == "":
            return module
        for item in target.split("."):
            if not hasattr(module, item):
                raise AttributeError(f"{module._get_name()} has no attribute `{item}`")
            module = getattr(module, item)
            if not isinstance(module, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")
        return module

    def get_parameter(self, target: str) -> Parameter:
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        if not hasattr(module, name):
            raise AttributeError(f"{module._get_name()} has no attribute `{name}`")
        param = getattr(module, name)
        if not isinstance(param, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return param

    def get_buffer(self, target: str) -> Tensor:
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        if not hasattr(module, name):
            raise AttributeError(f"{module._get_name()} has no attribute `{name}`")
        buffer = getattr(module, name)
        if name not in module._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return buffer

    def set_submodule(self, target: str, module: Module, strict: bool = False) -> None:
        """Put ``module`` at the dotted path ``target``, replacing a submodule there (or, unless
        ``strict``, adding it to the parent the path names)."""
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        path, _, name = target.rpartition(".")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        parent = self.get_submodule(path)
        if strict and not hasattr(parent, name):
            raise AttributeError(f"{parent._get_name()} has no attribute `{name}`")
        if hasattr(parent, name) and not isinstance(getattr(parent, name), Module):
            raise AttributeError(f"`{name}` is not an nn.Module")
        setattr(parent, name, module)

    # --- traversal -----------------------------------------------------------------------------
    def named_modules(
        self, memo: set[Module] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        if memo is None:
            memo = set()
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen: set[Module] = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def _named_members(
        self, table: str, prefix: str, recurse: bool, remove_duplicate: bool
    ) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        modules = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else [(prefix, self)]
        )
        for module_prefix, module in modules:
            for name, value in module.__dict__[table].items():
                if value is None:
                    continue
                if remove_duplicate:
                    if id(value) in seen:
                        continue
                    seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # --- modes and gradients -------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if p._grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                grad = p._grad
                if grad.grad_fn is not None:
                    grad.detach_()
                else:
                    grad.requires_grad_(False)
                grad.zero_()

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn`` on every submodule (children first) and then on this module."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # --- conversions ---------------------------------------------------------------------------
    def _apply(self, fn: Callable[[Tensor], Tensor], recurse: bool = True) -> Module:
        if recurse:
            for module in self.children():
                module._apply(fn)
        with no_grad():
            for p in self._parameters.values():
                if p is None:
                    continue
                p._set_data(fn(p)._data)
                if p._grad is not None:
                    p._grad = fn(p._grad)
            for key, buf in self._buffers.items():
                if buf is not None:
                    self._buffers[key] = fn(buf)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """``to(dtype)`` converts floating point parameters and buffers; devices are CPU only.
        ``to(memory_format=...)`` lays out the 4-d and 5-d ones anew (``channels_last``)."""
        dtype = kwargs.pop("dtype", None)
        check_device(kwargs.pop("device", None))
        kwargs.pop("non_blocking", None)
        fmt = kwargs.pop("memory_format", None)
        if fmt is not None:
            self.to(*args, dtype=dtype)
            return self._apply(lambda t: t.to(memory_format=fmt) if t.ndim in (4, 5) else t)
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, str | device | int) and not isinstance(a, bool):
                check_device(a)
            elif a is not None and hasattr(a, "np"):
                dtype = a
        if dtype is None:
            Tensor.to(Tensor._make(np.zeros(0)), *args)  # validates the rest
            return self
        if not (dtype.is_floating_point or dtype.is_complex):
            raise TypeError(
                "nn.Module.to only accepts floating point or complex dtypes, but got desired "
                f"dtype={dtype}"
            )
        return self._apply(lambda t: t.to(dtype) if t.is_floating_point() else t)

    def to_empty(self, *, device: Any, recurse: bool = True) -> Module:
        """Parameters and buffers replaced by uninitialised tensors of their shapes and dtypes
        on ``device`` (the CPU); the Parameter objects stay (``_apply``)."""
        check_device(device)
        return self._apply(lambda t: Tensor._make(np.empty_like(t._data)), recurse)

    def float(self) -> Module:
        return self._apply(lambda t: t.float() if t.is_floating_point() else t)

    def double(self) -> Module:
        return self._apply(lambda t: t.double() if t.is_floating_point() else t)

    def half(self) -> Module:
        return self._apply(lambda t: t.half() if t.is_floating_point() else t)

    def cpu(self) -> Module:
        return self

    def share_memory(self) -> Module:
        """The module itself (``Tensor.share_memory_`` on each tensor: ndgrad runs in one
        process, its memory is not moved)."""
        return self._apply(lambda t: t.share_memory_())

    # Accelerators: the same clear error as Tensor.cuda() (ndgrad computes on the CPU only).
    def cuda(self, device: Any = None) -> Module:
        check_device("cuda")
        return self

    def xpu(self, device: Any = None) -> Module:
        check_device("xpu")
        return self

    def ipu(self, device: Any = None) -> Module:
        check_device("ipu")
        return self

    def mtia(self, device: Any = None) -> Module:
        check_device("mtia")
        return self

    def type(self, dst_type: Any) -> Module:
        return self._apply(lambda t: t.to(dst_type))

    # --- state dicts ---------------------------------------------------------------------------
    def get_extra_state(self) -> Any:
        """State beyond parameters and buffers, saved under ``<prefix>_extra_state`` when a
        subclass defines this method (and restored by its ``set_extra_state``)."""
        raise RuntimeError(
            "Reached a code path in Module.get_extra_state() that should never be called. "
            "Please file an issue at https://github.com/pytorch/pytorch/issues/new?template="
            "bug-report.yml to report this bug."
        )

    def set_extra_state(self, state: Any) -> None:
        """Restore what ``get_extra_state`` saved (for subclasses that define both)."""
        raise RuntimeError(
            "Reached a code path in Module.set_extra_state() that should never be called. "
            "Please file an issue at https://github.com/pytorch/pytorch/issues/new?template="
            "bug-report.yml to report this bug."
        )

    def _hook_table(self, name: str) -> dict[int, Any]:
        """One of the state-dict hook tables (made on first use: a module unpickled from an
        older ndgrad has none)."""
        table = self.__dict__.get(name)
        if table is None:
            table = self.__dict__[name] = OrderedDict()
        return table

    def register_state_dict_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(module, prefix, keep_vars)`` runs before ``state_dict`` saves this module."""
        return self._add_hook(self._hook_table("_state_dict_pre_hooks"), hook, False)

    def register_state_dict_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(module, state_dict, prefix, local_metadata)`` runs after ``state_dict`` saved
        this module and its children; it edits the dict in place and must return None."""
        hook._from_public_api = True  # type: ignore[attr-defined]
        return self._add_hook(self._hook_table("_state_dict_hooks"), hook, False)

    def _register_state_dict_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """The older post-hook: a dict it returns replaces the root's result."""
        if getattr(hook, "_from_public_api", False):
            raise RuntimeError(
                "Cannot register the same function as the state dict post hook that was "
                "previously registered via register_state_dict_post_hook"
            )
        return self._add_hook(self._hook_table("_state_dict_hooks"), hook, False)

    def register_load_state_dict_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` runs before this module loads its entries."""
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def _register_load_state_dict_pre_hook(
        self, hook: Callable[..., Any], with_module: bool = False
    ) -> RemovableHandle:
        if with_module:
            ref = weakref.ref(self)

            def call(*args: Any) -> Any:
                module = ref()
                if module is None:
                    raise RuntimeError("You are trying to call the hook of a dead Module!")
                return hook(module, *args)

            return self._add_hook(self._hook_table("_load_state_dict_pre_hooks"), call, False)
        return self._add_hook(self._hook_table("_load_state_dict_pre_hooks"), hook, False)

    def register_load_state_dict_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """``hook(module, incompatible_keys)`` runs after this module and its children loaded;
        it may edit the key lists in place (strict loading then sees the edits)."""
        return self._add_hook(self._hook_table("_load_state_dict_post_hooks"), hook, False)

    def _save_to_state_dict(self, destination: Any, prefix: str, keep_vars: bool) -> None:
        """This module's own entries: parameters, persistent buffers, extra state."""
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = b if keep_vars else b.detach()
        if type(self).get_extra_state is not Module.get_extra_state:
            destination[prefix + _EXTRA_STATE] = self.get_extra_state()

    def state_dict(
        self, *args: Any, destination: Any = None, prefix: str = "", keep_vars: bool = False
    ) -> Any:
        """Parameters and persistent buffers by dotted name, detached unless ``keep_vars``. A
        new dict is an OrderedDict whose ``_metadata`` maps each module's path to its
        ``{'version': ...}`` (BatchNorm's is 2), which ``load_state_dict`` reads back."""
        if args:  # PyTorch's old positional order: (destination, prefix, keep_vars)
            warnings.warn(
                "Positional args are being deprecated, use kwargs instead. Refer to "
                "https://pytorch.org/docs/main/generated/torch.nn.Module.html"
                "#torch.nn.Module.state_dict for details.",
                FutureWarning,
                stacklevel=2,
            )
            if destination is None:
                destination = args[0]
            if len(args) > 1 and prefix == "":
                prefix = args[1]
            if len(args) > 2 and keep_vars is False:
                keep_vars = args[2]
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        local_metadata = {"version": self._version}
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = local_metadata
        d = self.__dict__
        for hook in tuple(d.get("_state_dict_pre_hooks", {}).values()):
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(
                    destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars
                )
        for hook in tuple(d.get("_state_dict_hooks", {}).values()):
            result = hook(self, destination, prefix, local_metadata)
            if getattr(hook, "_from_public_api", False):
                if result is not None:
                    raise RuntimeError("state_dict post-hook must return None")
            elif result is not None:
                destination = result
        return destination

    def _load_from_state_dict(
        self,
        state_dict: dict[str, Any],
        prefix: str,
        local_metadata: dict[str, Any],
        strict: bool,
        missing_keys: list[str],
        unexpected_keys: list[str],
        error_msgs: list[str],
    ) -> None:
        """Load this module's own entries from ``state_dict`` (PyTorch's signature, which
        subclasses override): missing and unexpected keys and errors go into the lists."""
        for hook in tuple(self.__dict__.get("_load_state_dict_pre_hooks", {}).values()):
            hook(
                state_dict,
                prefix,
                local_metadata,
                strict,
                missing_keys,
                unexpected_keys,
                error_msgs,
            )
        local: dict[str, Tensor] = {k: v for k, v in self._parameters.items() if v is not None}
        for k, v in self._buffers.items():
            if v is not None and k not in self._non_persistent_buffers_set:
                local[k] = v
        assign = local_metadata.get("assign_to_params_buffers", False)
        for name, value in local.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            incoming = state_dict[key]
            if not isinstance(incoming, Tensor):
                error_msgs.append(
                    f'While copying the parameter named "{key}", expected torch.Tensor or '
                    f"Tensor-like object from checkpoint but received {type(incoming)}"
                )
                continue
            if value.ndim == 0 and incoming.shape == (1,):
                incoming = incoming[0]  # a checkpoint from PyTorch 0.3 saved scalars as 1-d
            if incoming.shape != value.shape:
                error_msgs.append(
                    f"size mismatch for {key}: copying a param with shape {incoming.shape} "
                    f"from checkpoint, the shape in current model is {value.shape}."
                )
                continue
            try:
                with no_grad():
                    if assign:
                        if isinstance(value, Parameter):
                            if isinstance(incoming, Parameter):
                                incoming.requires_grad_(value.requires_grad)
                            else:
                                incoming = Parameter(incoming, value.requires_grad)
                        setattr(self, name, incoming)
                    else:
                        value.copy_(incoming)
            except Exception as e:
                error_msgs.append(
                    f'While copying the parameter named "{key}", whose dimensions in the model '
                    f"are {value.size()} and whose dimensions in the checkpoint are "
                    f"{incoming.size()}, an exception occurred : {e.args}."
                )
        extra_key = prefix + _EXTRA_STATE
        if type(self).set_extra_state is not Module.set_extra_state:
            if extra_key in state_dict:
                self.set_extra_state(state_dict[extra_key])
            elif strict:
                missing_keys.append(extra_key)
        elif strict and extra_key in state_dict:
            unexpected_keys.append(extra_key)
        if strict:
            for key in state_dict:
                if key.startswith(prefix) and key != extra_key:
                    head, dot, _ = key[len(prefix) :].partition(".")
                    if (head not in self._modules) if dot else (head not in local):
                        unexpected_keys.append(key)

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True, assign: bool = False
    ) -> _IncompatibleKeys:
        """Copy parameters and buffers from ``state_dict`` (or, with ``assign``, take its
        tensors as they are); with ``strict``, its keys must match ``state_dict()``'s."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing: list[str] = []
        unexpected: list[str] = []
        errors: list[str] = []
        metadata = getattr(state_dict, "_metadata", None)
        entries: dict[str, Any] = OrderedDict(state_dict)
        if metadata is not None:
            entries._metadata = metadata  # type: ignore[attr-defined]

        def load(module: Module, local_entries: dict[str, Any], prefix: str) -> None:
            local_metadata = {} if metadata is None else metadata.get(prefix[:-1], {})
            if assign:
                local_metadata["assign_to_params_buffers"] = assign
            module._load_from_state_dict(
                local_entries, prefix, local_metadata, True, missing, unexpected, errors
            )
            for name, child in module._modules.items():
                if child is not None:
                    child_prefix = prefix + name + "."
                    load(
                        child,
                        {k: v for k, v in local_entries.items() if k.startswith(child_prefix)},
                        child_prefix,
                    )
            keys = _IncompatibleKeys(missing, unexpected)
            for hook in tuple(module.__dict__.get("_load_state_dict_post_hooks", {}).values()):
                if hook(module, keys) is not None:
                    raise AssertionError(
                        "Hooks registered with ``register_load_state_dict_post_hook`` are not "
                        "expected to return new values, if incompatible_keys need to be "
                        "modified, it should be done inplace."
                    )

        load(self, entries, "")
        if strict:
            if unexpected:
                keys = ", ".join(f'"{k}"' for k in unexpected)
                errors.insert(0, f"Unexpected key(s) in state_dict: {keys}. ")
            if missing:
                keys = ", ".join(f'"{k}"' for k in missing)
                errors.insert(0, f"Missing key(s) in state_dict: {keys}. ")
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
            )
        return _IncompatibleKeys(missing, unexpected)

    # --- printing ------------------------------------------------------------------------------
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The layer's settings, shown inside its repr's parentheses."""
        return ""

    def _child_lines(self) -> list[str]:
        return [f"({key}): " + _addindent(repr(module), 2) for key, module in self._modules.items()]

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = self._child_lines()
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"
