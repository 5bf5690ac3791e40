"""The op table: one OpInfo per differentiable op, consumed by tests/test_optable.py.

Each module here defines ``OPS: list[OpInfo]`` for one family of ops (pointwise, reductions,
shape, linalg...). The generic tests check, for every sample of every op:

* values against the numpy reference (float64);
* ``gradcheck`` and ``gradgradcheck`` in float64;
* values and gradients against real PyTorch, when torch is installed.

An op is written once as ``op(lib, *tensors, **kwargs)`` where ``lib`` is ``ndgrad`` or
``torch``, so the same line runs under both (``lambda lib, x, dim: x.sum(dim)``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Shape = tuple[int, ...]


@dataclass
class Sample:
    """One call: the input shapes (a dtype per input is float64 unless ``dtypes`` says),
    keyword arguments, and whether to make the inputs non-contiguous (transposed storage)."""

    shapes: tuple[Shape, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    non_contiguous: bool = False
    # Per-input generator overrides: a callable (rng, shape) -> np.ndarray, e.g. for indices.
    makers: tuple[Callable[..., Any] | None, ...] = ()

    def id(self) -> str:
        shapes = "x".join(str(list(s)).replace(" ", "") for s in self.shapes)
        kw = ",".join(f"{k}={v}" for k, v in self.kwargs.items())
        return shapes + (f"[{kw}]" if kw else "") + ("-nc" if self.non_contiguous else "")


@dataclass
class OpInfo:
    """An op and how to test it.

    ``op(lib, *tensors, **kwargs)`` runs it; ``ref(*arrays, **kwargs)`` is the numpy reference
    (None if there is none beyond torch). ``domain`` bounds the random inputs (e.g. (0.1, 2)
    for log); ``differentiable`` lists which inputs get gradients (default: all float inputs).
    """

    name: str
    op: Callable[..., Any]
    ref: Callable[..., Any] | None
    samples: list[Sample]
    domain: tuple[float, float] = (-2.0, 2.0)
    differentiable: tuple[int, ...] | None = None
    gradcheck: bool = True
    gradgradcheck: bool = True
    torch_parity: bool = True
    # Inputs kept away from points where the op is not differentiable (|x - p| > gap).
    avoid: tuple[float, ...] = ()
    gap: float = 0.05
    rtol: float = 1e-7
    atol: float = 1e-9
    # The absolute tolerance against PyTorch where PyTorch's own values are the less accurate
    # (a documented difference, as torch.special.bessel_j0's): None means ``atol``.
    torch_atol: float | None = None
