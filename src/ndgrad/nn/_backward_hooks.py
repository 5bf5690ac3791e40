"""Module backward hooks: ``register_full_backward_hook`` and ``register_full_backward_pre_hook``.

As in PyTorch, the module's tensor inputs and its tensor outputs each pass through one identity
op (``BackwardHookFunctionBackward``). A pre-hook on the outputs' node keeps grad_output (after
the module's backward pre-hooks, which may replace it); a hook on the inputs' node, which runs
once every gradient reaching the module's inputs is summed, calls
``hook(module, grad_input, grad_output)``, which may replace grad_input. When no input requires
grad the hooks run from the outputs' node, with a grad_input of Nones.

The deprecated ``register_backward_hook`` hooks the node that made the module's first output
tensor instead (``set_non_full_backward_hooks``), with PyTorch's FutureWarnings where that node's
gradients are not the module's.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

from .._tensor import Tensor
from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled

__all__: list[str] = []


class BackwardHookFunction(Function):
    """y = x for each tensor; dy/dx = 1 (the node the module's hooks are set on)."""

    @staticmethod
    def forward(ctx: Any, *args: Tensor) -> tuple[Tensor, ...]:
        return args

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> tuple[Any, ...]:
        return grads


def _check_count(kind: str, got: Any, expected: int) -> tuple[Any, ...]:
    """What a hook returned, as a tuple of the length of the gradients it replaces."""
    if len(got) != expected:
        raise RuntimeError(
            f"Backward {kind} returned an invalid number of grad_"
            f"{'output' if kind == 'pre hook' else 'input'}, got {len(got)}, but expected "
            f"{expected}"
        )
    return tuple(got)


class BackwardHook:
    """The state of one module call: where its tensors are among its inputs and outputs, and
    the grad_output kept for its hooks."""

    def __init__(
        self,
        module: Any,
        hooks: Sequence[Callable[..., Any]],
        pre_hooks: Sequence[Callable[..., Any]],
    ) -> None:
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.grad_outputs: tuple[Any, ...] | None = None
        self.n_inputs = 0
        self.n_outputs = 0
        self.input_index: list[int] | None = None
        self.output_index: list[int] | None = None

    @staticmethod
    def _pack(index: list[int] | None, values: Sequence[Any], n: int) -> tuple[Any, ...]:
        """A tuple of n: values at the places in index, None elsewhere."""
        out: list[Any] = [None] * n
        for i, v in zip(index or (), values, strict=False):
            out[i] = v
        return tuple(out)

    @staticmethod
    def _wrap(args: tuple[Any, ...]) -> tuple[tuple[Any, ...], list[int] | None, Any]:
        """args with the tensors that require grad passed through BackwardHookFunction, their
        places, and the node (None and no node when none requires grad or grad is off)."""
        index = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
        if not index or not is_grad_enabled():
            return args, None, None
        wrapped = BackwardHookFunction.apply(*(args[i] for i in index))
        out = list(args)
        for i, t in zip(index, wrapped, strict=True):
            out[i] = t
        return tuple(out), index, wrapped[0].grad_fn

    def setup_input_hook(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        self.n_inputs = len(args)
        args, self.input_index, node = self._wrap(args)
        if node is not None:
            node.register_hook(self._input_hook)
        return args

    def setup_output_hook(self, output: Any) -> Any:
        single = not isinstance(output, tuple)
        outputs = (output,) if single else output
        self.n_outputs = len(outputs)
        outputs, self.output_index, node = self._wrap(outputs)
        if node is not None:
            node.register_prehook(self._output_hook)
        return outputs[0] if single else outputs

    def _output_hook(self, grad_outputs: tuple[Any, ...]) -> tuple[Any, ...] | None:
        grads = self._pack(self.output_index, grad_outputs, self.n_outputs)
        for pre_hook in self.pre_hooks:
            result = pre_hook(self.module, grads)
            if result is None:
                continue
            grads = _check_count("pre hook", result, len(grads))
        self.grad_outputs = grads
        if self.input_index is None:  # no input requires grad: the hooks run now
            warnings.warn(
                "Full backward hook is firing when gradients are computed with respect to module "
                "outputs since no inputs require gradients. See "
                "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                "#torch.nn.Module.register_full_backward_hook for more details.",
                stacklevel=5,
            )
            grad_inputs = self._pack(None, (), self.n_inputs)
            for hook in self.hooks:
                result = hook(self.module, grad_inputs, grads)
                if result is not None and not (
                    isinstance(result, tuple) and all(r is None for r in result)
                ):
                    raise RuntimeError(
                        "Backward hook for Modules where no input requires gradient should "
                        "always return None or None for all gradients."
                    )
            self.grad_outputs = None
        if self.grad_outputs is not None and self.output_index is not None:
            return tuple(grads[i] for i in self.output_index)
        return None

    def _input_hook(
        self, grad_inputs: tuple[Any, ...], grad_outputs: tuple[Any, ...]
    ) -> tuple[Any, ...] | None:
        if self.grad_outputs is None:  # no gradient reached the module's outputs
            return None
        grads = self._pack(self.input_index, grad_inputs, self.n_inputs)
        for hook in self.hooks:
            result = hook(self.module, grads, self.grad_outputs)
            if result is None:
                continue
            grads = _check_count("hook", result, len(grads))
        self.grad_outputs = None
        assert self.input_index is not None
        return tuple(grads[i] for i in self.input_index)


def _warn_non_full(what: str) -> None:
    warnings.warn(what, FutureWarning, stacklevel=4)


def _check_non_full(args: tuple[Any, ...], output: Any, node: Any) -> None:
    """PyTorch's ``_maybe_warn_non_full_backward_hook``: the cases where the hooked node's
    gradients are not the module's inputs' and outputs'."""
    use_full = "Please use register_full_backward_hook to get the documented behavior."
    if isinstance(output, Tensor):
        output = (output,)
    elif not (isinstance(output, tuple) and all(isinstance(r, Tensor) for r in output)):
        _warn_non_full(
            "Using non-full backward hooks on a Module that does not return a single Tensor or a "
            "tuple of Tensors is deprecated and will be removed in future versions. This hook "
            f"will be missing some of the grad_output. {use_full}"
        )
        return
    if not all(isinstance(a, Tensor) for a in args):
        _warn_non_full(
            "Using non-full backward hooks on a Module that does not take as input a single "
            "Tensor or a tuple of Tensors is deprecated and will be removed in future versions. "
            f"This hook will be missing some of the grad_input. {use_full}"
        )
        return
    out_nodes = {r.grad_fn for r in output if r.grad_fn is not None}
    if not out_nodes or (len(out_nodes) == 1 and node not in out_nodes):
        _warn_non_full(
            "Using a non-full backward hook when outputs are nested in python data structure is "
            "deprecated and will be removed in future versions. This hook will be missing some "
            "grad_output."
        )
    elif len(out_nodes) > 1:
        _warn_non_full(
            "Using a non-full backward hook when outputs are generated by different autograd "
            "Nodes is deprecated and will be removed in future versions. This hook will be "
            f"missing some grad_output. {use_full}"
        )
    else:
        in_nodes = {a.grad_fn for a in args if a.grad_fn is not None}
        if in_nodes != {n for n, _ in node.next_functions}:
            _warn_non_full(
                "Using a non-full backward hook when the forward contains multiple autograd "
                "Nodes is deprecated and will be removed in future versions. This hook will be "
                f"missing some grad_input. {use_full}"
            )


def set_non_full_backward_hooks(
    module: Any, hooks: Sequence[Callable[..., Any]], args: tuple[Any, ...], output: Any
) -> None:
    """Register ``hook(module, grad_input, grad_output)`` on the node that made the first
    tensor of ``output`` (a dict's first tensor value, else the first element, recursively)."""
    var = output
    while not isinstance(var, Tensor):
        if isinstance(var, dict):
            var = next(v for v in var.values() if isinstance(v, Tensor))
        else:
            var = var[0]
    node = var.grad_fn
    if node is None:
        return
    for hook in hooks:
        node.register_hook(
            lambda grad_inputs, grad_outputs, hook=hook: hook(module, grad_inputs, grad_outputs)
        )
    _check_non_full(args, output, node)
