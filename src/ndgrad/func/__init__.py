"""Composable function transforms, as ``torch.func``: grad, vjp, jvp, jacrev, jacfwd, hessian,
vmap, functional_call.

>>> import ndgrad as torch
>>> from ndgrad.func import grad, vmap
>>> x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
>>> grad(lambda x: (x**3).sum())(x)
tensor([ 3., 12., 27.], dtype=torch.float64)
>>> grad(grad(lambda x: x.sin()))(torch.tensor(0.5, dtype=torch.float64))
tensor(-0.4794, dtype=torch.float64)
>>> vmap(torch.dot)(torch.ones(2, 3), torch.ones(2, 3))
tensor([3., 3.])

How ndgrad does it, and where it differs from PyTorch (docs/func.md):

- The differentiating transforms (grad, vjp, jvp, jacrev, jacfwd, hessian) run on ndgrad's
  reverse-mode autograd: each call lifts its inputs (a fresh leaf, or a graph-connected alias of
  an input that already requires grad), differentiates with ``create_graph=True``, and detaches
  the results whose graph reaches no leaf outside the call. Nesting therefore works
  (``grad(grad(f))``, ``jacrev(jacrev(f))``) and the results stay differentiable by the
  enclosing levels and by the user's own autograd, as PyTorch's are.
- jvp, jacfwd and hessian use reverse mode too (jvp by the double-vjp trick): same values up to
  rounding, not forward-mode AD.
- vmap runs ``func`` once per index of the mapped dimension in a Python loop and stacks the
  results: PyTorch's values, not its batched kernels (nor their speed). ``randomness='error'``
  raises PyTorch's error when ``func`` has drawn from the default generator (checked after each
  call, and only for the default generator); 'same' replays the same draws for every index;
  'different' lets each index draw in turn, which need not give PyTorch's batched values. An
  output with ``out_dims=None`` counts as batched (PyTorch's error) when its values differ
  between indices. A mapped dimension of size 0 is refused.
- ``functional_call`` swaps the given tensors into the module's parameter and buffer tables and
  puts the originals back afterwards, also when the call raises.
- Transforms do not separate levels the way functorch does: a tensor captured from an enclosing
  transform is seen by an inner one like any other tensor that requires grad (no protection
  against perturbation confusion).
"""

from __future__ import annotations

from .._namespace import public_dir
from ._functional_call import functional_call, stack_module_state
from ._transforms import (
    grad,
    grad_and_value,
    hessian,
    jacfwd,
    jacrev,
    jvp,
    linearize,
    vjp,
)
from ._vmap import vmap

__all__ = [
    "functional_call",
    "grad",
    "grad_and_value",
    "hessian",
    "jacfwd",
    "jacrev",
    "jvp",
    "linearize",
    "stack_module_state",
    "vjp",
    "vmap",
]
__dir__ = public_dir(__name__)
