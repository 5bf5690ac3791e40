"""Module backward hooks: ``register_full_backward_hook`` and ``register_full_backward_pre_hook``.

As in PyTorch, the module's tensor inputs and its tensor outputs each pass through one identity
op (``BackwardHookFunctionBackward``). A pre-hook on the outputs' node keeps grad_output (after
the module's backward pre-hooks, which may replace it); a hook on the inputs' node, which runs
once every gradient reaching the module's inputs is summed, calls
``hook(module, grad_input, grad_output)``, which may replace grad_input. When no input requires
grad the hooks run from the outputs' node, with a grad_input of Nones.
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
