"""Testing helpers: PyTorch's ``torch.testing`` API, and a comparison with PyTorch itself.

``assert_close``, ``make_tensor`` and the deprecated ``assert_allclose`` are PyTorch 2.13's
(the same checks, tolerances, value ranges and messages), so test code written for
``torch.testing`` runs under ``import ndgrad as torch``.

``compare_with_torch(fn, *arrays)`` calls ``fn(lib, *tensors)`` twice, with ``lib`` the ndgrad
module and then the torch module, on tensors made from the same numpy arrays (floating ones
require grad), and reports every difference: raised errors (type and message), output shapes,
dtypes and values, ``grad_fn`` names (of the outputs and of the whole graph), and the inputs'
gradients after a backward pass with the same random output weights.

>>> import numpy as np
>>> from ndgrad.testing import compare_with_torch
>>> report = compare_with_torch(lambda t, x: t.tanh(x * 2).sum(), np.array([0.5, -1.0]))
>>> report.ok or report.skipped is not None
True

Without PyTorch installed the report is ``skipped`` (``assert_ok()`` then raises
``unittest.SkipTest``, which pytest shows as a skip).
"""

from __future__ import annotations

import importlib
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._comparison import assert_allclose, assert_close
from ._make_tensor import make_tensor
from ._namespace import public_dir
from ._tensor import Tensor

__all__ = [
    "Comparison",
    "Difference",
    "assert_allclose",
    "assert_close",
    "compare_with_torch",
    "make_tensor",
]
__dir__ = public_dir(__name__)


def _ndgrad() -> Any:
    """The ndgrad package, on which ``compare_with_torch`` runs the user's function.

    It is this module's parent package, which Python imports before any of its submodules; it
    is looked up rather than imported because the package imports this module (so that
    ``torch.testing`` is an attribute of ``torch`` as in PyTorch), and nothing here runs before
    the package has finished importing.
    """
    return sys.modules[__name__.rpartition(".")[0]]


@dataclass
class Difference:
    """One difference: ``kind`` is 'error', 'shape', 'dtype', 'value', 'grad_fn' or 'grad'."""

    kind: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind} ({self.where}): {self.detail}"


@dataclass
class Comparison:
    """The result of ``compare_with_torch``: ``differences``, or ``skipped`` with a reason."""

    differences: list[Difference] = field(default_factory=list)
    skipped: str | None = None
    ndgrad_result: Any = field(default=None, repr=False)
    torch_result: Any = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.skipped is None and not self.differences

    def assert_ok(self) -> None:
        """Raise AssertionError listing the differences (``unittest.SkipTest`` if skipped)."""
        if self.skipped is not None:
            import unittest  # only here: `import ndgrad` need not load unittest

            raise unittest.SkipTest(self.skipped)
        if self.differences:
            raise AssertionError(str(self))

    def __str__(self) -> str:
        if self.skipped is not None:
            return f"compare_with_torch: skipped ({self.skipped})"
        if not self.differences:
            return "compare_with_torch: ndgrad and PyTorch agree"
        # Node names (grad_fn) can differ while every value agrees: say which kind it is.
        results = [d for d in self.differences if d.kind != "grad_fn"]
        graph = [d for d in self.differences if d.kind == "grad_fn"]
        if not results:
            head = f"the results agree; {_count(len(graph))} in the graph only"
        elif not graph:
            head = f"{_count(len(results))} in the results"
        else:
            head = f"{_count(len(results))} in the results, {len(graph)} in the graph only"
        lines = [f"compare_with_torch: {head}"]
        if results and graph:
            lines.append("results:")
        lines += [f"  {d}" for d in results]
        if graph:
            lines.append("graph only (the node names differ):")
        lines += [f"  {d}" for d in graph]
        return "\n".join(lines)


def _count(n: int) -> str:
    return f"{n} difference" + ("" if n == 1 else "s")


def _tolerances(dtype: np.dtype) -> tuple[float, float]:
    if dtype == np.float64:
        return 1e-7, 1e-9
    if dtype == np.float16:
        return 1e-3, 1e-3
    return 1e-5, 1e-6


def _outputs(result: Any) -> list[Any]:
    return list(result) if isinstance(result, tuple | list) else [result]


def _graph_names(outputs: list[Any], get_fn: Callable[[Any], Any]) -> Counter[str]:
    """Names of every node of the graph behind ``outputs`` (ndgrad or torch), with counts."""
    names: Counter[str] = Counter()
    stack = [fn for fn in (get_fn(o) for o in outputs) if fn is not None]
    seen = {id(fn) for fn in stack}
    while stack:
        fn = stack.pop()
        names[type(fn).__name__] += 1
        for nxt, _ in fn.next_functions:
            if nxt is not None and id(nxt) not in seen:
                seen.add(id(nxt))
                stack.append(nxt)
    return names


def _run(lib: Any, fn: Callable[..., Any], arrays: tuple[np.ndarray, ...]) -> dict[str, Any]:
    inputs = []
    for a in arrays:
        t = lib.tensor(a.copy())
        if a.dtype.kind == "f":
            t.requires_grad_(True)
        inputs.append(t)
    out: dict[str, Any] = {"inputs": inputs}
    try:
        out["result"] = fn(lib, *inputs)
    except Exception as exc:
        out["error"] = exc
    return out


def compare_with_torch(
    fn: Callable[..., Any],
    *arrays: Any,
    rtol: float | None = None,
    atol: float | None = None,
    seed: int = 0,
) -> Comparison:
    """Run ``fn(lib, *tensors)`` under ndgrad and PyTorch and report the differences.

    ``arrays`` are numpy arrays (or nested lists); each becomes a tensor of its dtype, requiring
    grad when floating. Outputs that require grad are back-propagated with the same random
    weights in both libraries. ``rtol``/``atol`` default by dtype (float32: 1e-5/1e-6).
    """
    try:
        torch = importlib.import_module("torch")
    except ImportError:
        return Comparison(skipped="PyTorch is not installed")
    arrs = tuple(np.asarray(a) for a in arrays)
    report = Comparison()
    nd = _run(_ndgrad(), fn, arrs)
    th = _run(torch, fn, arrs)
    report.ndgrad_result = nd.get("result", nd.get("error"))
    report.torch_result = th.get("result", th.get("error"))
    diffs = report.differences
    if "error" in nd or "error" in th:
        e_nd, e_th = nd.get("error"), th.get("error")
        if e_nd is None or e_th is None:
            raised, other = ("ndgrad", "PyTorch") if e_th is None else ("PyTorch", "ndgrad")
            exc = e_nd if e_nd is not None else e_th
            diffs.append(
                Difference(
                    "error", "call", f"{raised} raised {type(exc).__name__}: {exc}; {other} did not"
                )
            )
        else:
            if type(e_nd).__name__ != type(e_th).__name__:
                diffs.append(
                    Difference(
                        "error",
                        "type",
                        f"ndgrad raised {type(e_nd).__name__}, PyTorch {type(e_th).__name__}",
                    )
                )
            if str(e_nd) != str(e_th):
                diffs.append(
                    Difference("error", "message", f"ndgrad: {e_nd!s} | PyTorch: {e_th!s}")
                )
        return report

    outs_nd = _outputs(nd["result"])
    outs_th = _outputs(th["result"])
    if len(outs_nd) != len(outs_th):
        diffs.append(Difference("value", "outputs", f"{len(outs_nd)} vs {len(outs_th)} outputs"))
        return report
    rng = np.random.default_rng(seed)
    back_nd, back_th, weights = [], [], []
    for k, (a, b) in enumerate(zip(outs_nd, outs_th, strict=True)):
        where = f"output {k}"
        if not isinstance(a, Tensor) or not isinstance(b, torch.Tensor):
            if type(a) is not type(b) or a != b:
                diffs.append(Difference("value", where, f"ndgrad {a!r} vs PyTorch {b!r}"))
            continue
        va, vb = a.detach().numpy(), b.detach().numpy()
        if va.shape != vb.shape:
            diffs.append(Difference("shape", where, f"{list(va.shape)} vs {list(vb.shape)}"))
            continue
        if str(a.dtype) != str(b.dtype):
            diffs.append(Difference("dtype", where, f"{a.dtype} vs {b.dtype}"))
        r, t = _tolerances(vb.dtype)
        r, t = rtol if rtol is not None else r, atol if atol is not None else t
        if not np.allclose(va, vb, rtol=r, atol=t, equal_nan=True):
            err = float(np.nanmax(np.abs(va.astype(np.float64) - vb)))
            diffs.append(Difference("value", where, f"max abs difference {err:.3g}"))
        name_a = None if a.grad_fn is None else type(a.grad_fn).__name__
        name_b = None if b.grad_fn is None else type(b.grad_fn).__name__
        if name_a != name_b:
            diffs.append(Difference("grad_fn", where, f"ndgrad {name_a} vs PyTorch {name_b}"))
        if a.requires_grad and b.requires_grad and va.dtype.kind == "f":
            w = rng.standard_normal(va.shape).astype(va.dtype)
            back_nd.append(a)
            back_th.append(b)
            weights.append(w)
    graph_nd = _graph_names([o for o in outs_nd if isinstance(o, Tensor)], _grad_fn)
    graph_th = _graph_names([o for o in outs_th if isinstance(o, torch.Tensor)], _grad_fn)
    if graph_nd != graph_th:
        only_nd = dict(graph_nd - graph_th)
        only_th = dict(graph_th - graph_nd)
        diffs.append(
            Difference("grad_fn", "graph", f"only in ndgrad: {only_nd}; only in PyTorch: {only_th}")
        )
    if back_nd:
        _backward_both(_ndgrad(), torch, back_nd, back_th, weights, nd, th, diffs, rtol, atol)
    return report


def _grad_fn(t: Any) -> Any:
    return getattr(t, "grad_fn", None)


def _backward_both(
    ndgrad: Any,
    torch: Any,
    back_nd: list[Any],
    back_th: list[Any],
    weights: list[np.ndarray],
    nd: dict[str, Any],
    th: dict[str, Any],
    diffs: list[Difference],
    rtol: float | None,
    atol: float | None,
) -> None:
    errors: list[str | None] = []
    for lib, outs, name in ((ndgrad, back_nd, "ndgrad"), (torch, back_th, "PyTorch")):
        try:
            lib.autograd.backward(outs, [lib.tensor(w.copy()) for w in weights])
            errors.append(None)
        except Exception as exc:
            errors.append(f"{name} backward raised {type(exc).__name__}: {exc}")
    if any(errors):
        if errors[0] != (errors[1] or "").replace("PyTorch", "ndgrad"):
            diffs.extend(Difference("error", "backward", e) for e in errors if e is not None)
        return
    for i, (a, b) in enumerate(zip(nd["inputs"], th["inputs"], strict=True)):
        ga, gb = a.grad, b.grad
        where = f"grad of input {i}"
        if ga is None or gb is None:
            if (ga is None) != (gb is None):
                diffs.append(
                    Difference("grad", where, f"ndgrad {_none(ga)} vs PyTorch {_none(gb)}")
                )
            continue
        va, vb = ga.numpy(), gb.numpy()
        if va.shape != vb.shape:
            diffs.append(Difference("grad", where, f"shape {list(va.shape)} vs {list(vb.shape)}"))
            continue
        r, t = _tolerances(vb.dtype)
        r, t = rtol if rtol is not None else r, atol if atol is not None else t
        if not np.allclose(va, vb, rtol=r, atol=t, equal_nan=True):
            err = float(np.nanmax(np.abs(va.astype(np.float64) - vb)))
            diffs.append(Difference("grad", where, f"max abs difference {err:.3g}"))


def _none(g: Any) -> str:
    return "None" if g is None else "a gradient"
