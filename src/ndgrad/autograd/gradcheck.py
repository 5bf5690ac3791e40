"""gradcheck and gradgradcheck: compare autograd's Jacobians with central finite differences.

Use float64 inputs: in float32 the finite differences are too coarse for the default tolerances.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .._namespace import public_dir
from .._tensor import Tensor
from ._backward import grad as autograd_grad

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]
__dir__ = public_dir(__name__)


class GradcheckError(RuntimeError):
    """Raised by gradcheck when the analytical and numerical gradients disagree."""


def _as_tuple(x: Any) -> tuple[Any, ...]:
    return x if isinstance(x, tuple) else tuple(x) if isinstance(x, list) else (x,)


def _differentiable_outputs(func: Callable[..., Any], inputs: tuple[Any, ...]) -> list[Tensor]:
    T = Tensor
    outs = _as_tuple(func(*inputs))
    return [o for o in outs if isinstance(o, T) and o.requires_grad]


def _numerical_jacobians(
    func: Callable[..., Any], inputs: tuple[Any, ...], eps: float
) -> list[list[np.ndarray]]:
    """J[i][j]: d(output j)/d(input i) by central differences, shape (input numel, output numel)."""
    # func runs with grad mode as the caller has it: it may itself use autograd (gradgradcheck).
    T = Tensor
    jacobians: list[list[np.ndarray]] = []
    base_outs = [o._data for o in _as_tuple(func(*inputs)) if isinstance(o, T)]
    for inp in inputs:
        if not (isinstance(inp, T) and inp.requires_grad):
            continue
        data = inp._data  # perturbed in place, element by element (any memory layout)
        cols = [np.zeros((data.size, o.size)) for o in base_outs]
        for k in range(data.size):
            idx = np.unravel_index(k, data.shape)
            orig = data[idx].item()
            data[idx] = orig - eps
            minus = [o._data.copy() for o in _as_tuple(func(*inputs)) if isinstance(o, T)]
            data[idx] = orig + eps
            plus = [o._data.copy() for o in _as_tuple(func(*inputs)) if isinstance(o, T)]
            data[idx] = orig
            for j, (p, m) in enumerate(zip(plus, minus, strict=True)):
                cols[j][k] = ((p.astype(np.float64) - m) / (2 * eps)).reshape(-1)
        jacobians.append(cols)
    return jacobians


def _analytical_jacobians(
    func: Callable[..., Any], inputs: tuple[Any, ...]
) -> list[list[np.ndarray]]:
    T = Tensor
    diff_inputs = [x for x in inputs if isinstance(x, T) and x.requires_grad]
    outs = [o for o in _as_tuple(func(*inputs)) if isinstance(o, T)]
    jac = [[np.zeros((x.numel(), o.numel())) for o in outs] for x in diff_inputs]
    for j, out in enumerate(outs):
        if not out.requires_grad:
            continue
        for k in range(out.numel()):
            seed = np.zeros(out._data.shape, dtype=out._data.dtype)
            seed.reshape(-1)[k] = 1
            grads = autograd_grad(
                out, diff_inputs, T._make(seed), retain_graph=True, allow_unused=True
            )
            for i, g in enumerate(grads):
                if g is not None:
                    jac[i][j][:, k] = g._data.reshape(-1)
    return jac


def _forward_jacobians(func: Callable[..., Any], inputs: tuple[Any, ...]) -> list[list[np.ndarray]]:
    """The Jacobians of _analytical_jacobians' layout, by forward-mode AD: one column of
    tangents per element of each input that requires grad (check_forward_ad)."""
    from . import forward_ad as fwad

    T = Tensor
    jac: list[list[np.ndarray]] = []
    for i, x in enumerate(inputs):
        if not (isinstance(x, T) and x.requires_grad):
            continue
        rows: list[np.ndarray] | None = None
        for k in range(x.numel()):
            seed = np.zeros(x._data.shape, dtype=x._data.dtype)
            seed.reshape(-1)[k] = 1
            with fwad.dual_level():
                args = list(inputs)
                args[i] = fwad.make_dual(x.detach(), T._make(seed))
                outs = [o for o in _as_tuple(func(*args)) if isinstance(o, T)]
                tangents = [fwad.unpack_dual(o).tangent for o in outs]
            if rows is None:
                rows = [np.zeros((x.numel(), o.numel())) for o in outs]
            for j, t in enumerate(tangents):
                if t is not None:
                    rows[j][k] = t._data.reshape(-1)
        jac.append(rows or [])
    return jac


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    **unsupported: Any,
) -> bool:
    """Check ``func``'s gradients against finite differences at ``inputs``.

    Every input that requires grad is perturbed element by element by ±eps. Returns True, or
    raises GradcheckError (returns False with ``raise_exception=False``) naming the output and
    input whose Jacobians differ, with both Jacobians.
    """
    T = Tensor
    inputs = _as_tuple(inputs)
    diff = [x for x in inputs if isinstance(x, T) and x.requires_grad]
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient")
    for x in diff:
        if x.dtype.name != "float64":
            warnings.warn(
                f"Input #{inputs.index(x)} requires gradient and is not a double precision "
                "floating point. This check will likely fail if all the inputs are not of double "
                "precision floating point. ",
                UserWarning,
                stacklevel=2,
            )
    numerical = _numerical_jacobians(func, inputs, eps)
    checks = []
    if check_backward_ad:
        checks.append(("Jacobian", _analytical_jacobians(func, inputs)))
    if check_forward_ad:  # PyTorch's message names the check
        checks.append(("Jacobian computed with forward mode", _forward_jacobians(func, inputs)))
    for mode, analytical in checks:
        for i, (num_i, ana_i) in enumerate(zip(numerical, analytical, strict=True)):
            for j, (n, a) in enumerate(zip(num_i, ana_i, strict=True)):
                if n.shape == a.shape and np.allclose(a, n, rtol=rtol, atol=atol, equal_nan=True):
                    continue
                if not raise_exception:
                    return False
                with np.printoptions(precision=6, suppress=True, linewidth=100):
                    raise GradcheckError(
                        f"{mode} mismatch for output {j} with respect to input {i},\n"
                        f"numerical:{n}\nanalytical:{a}\n"
                        f"max abs difference {np.max(np.abs(a - n)) if a.size else 0.0:.3g} "
                        f"(atol={atol}, rtol={rtol})"
                    )
    return True


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    **unsupported: Any,
) -> bool:
    """Check second derivatives: gradcheck of ``v ↦ grad(func(x), x, v, create_graph=True)``.

    ``grad_outputs`` default to random tensors (requiring grad, so the check also covers the
    derivative with respect to them).
    """
    T = Tensor
    inputs = _as_tuple(inputs)
    outputs = _differentiable_outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            T._make(rng.standard_normal(o._data.shape).astype(o._data.dtype)).requires_grad_()
            for o in outputs
        )
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)

    def first_derivative(*args: Any) -> tuple[Any, ...]:
        xs, vs = args[:n_in], args[n_in:]
        outs = _differentiable_outputs(func, xs)
        diff = [x for x in xs if isinstance(x, T) and x.requires_grad]
        grads = autograd_grad(outs, diff, vs, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        first_derivative,
        inputs + grad_outputs,
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
    )
