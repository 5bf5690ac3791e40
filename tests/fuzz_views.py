"""Differential fuzzer for views, index assignment, in-place ops and autograd state.

Random straight-line programs are written in a small IR (a list of :class:`Stmt`), run by one
interpreter under PyTorch and under ndgrad, and compared after every statement: the value, shape,
``requires_grad``, ``is_leaf``, ``retains_grad``, ``is_contiguous()`` and node name
(``type(t.grad_fn).__name__``) of every live variable, the ``.grad`` of every leaf and of every
tensor that retains its gradient (its value, ``requires_grad`` and node name too), and the class and
message of any exception. A program stops at its first exception; both libraries must raise at the
same statement, with the same class.

The menu mixes views (slices with steps, ``None``/``...``, transpose/t/permute, expand/broadcast_to,
view/reshape/flatten, unbind/split/chunk, narrow, select, diagonal, squeeze/unsqueeze, detach),
advanced indexing, index assignment (scalars and tensors, bool masks, on bases and views, 0-d, and
self-overlapping ``x[a:b] = x[c:d]``), in-place ops on bases and views, ``retain_grad``, backward
once or twice with and without ``retain_graph``, ``create_graph`` and second-order
``autograd.grad``, and smooth ops with a native PyTorch node (elu, gelu, silu, softmax,
log_softmax, rsub, ``torch.add(alpha=)``), multi-input ops (cat, stack, where on a comparison,
matmul, maximum), indexing ops (gather, index_select, masked_fill, two long index tensors),
more in-place ops (masked_fill_, index_add_, index_copy_, scatter_, clamp_min_, addcmul_,
lerp_), more views (unfold, movedim, swapaxes, view_as, expand_as, ``torch.as_strided``,
``Tensor.as_strided`` and ``as_strided_`` with overlapping geometries too), reductions along a dim
(cumsum, max(dim).values, amax, prod, norm) and tensor hooks. Statements of training code:
``x.relu_()`` and ``F.relu(x, inplace=True)``, ``F.dropout(x, p=0.0, training=...)``, reads
of ``x.data`` and writes through it (``x.data.mul_(c)``, ``x.data.copy_(y)``,
``x.data[idx] = c``: no version counter autograd reads sees them), ``contiguous``, ``clamp``
(min, max or both) out of place, ``flip``, ``roll``, ``repeat``, ``tril``/``triu`` and
``tril_``/``triu_``; more reductions (``logsumexp``, ``var``/``std`` with a correction,
``cumprod``, ``sort(dim).values``, ``topk(k, dim).values``, ``min(dim).values``, ``mean`` over
two dims); nn functions (``F.layer_norm`` without weight and bias, with a weight, or with
both, ``F.linear``,
``F.mse_loss``, ``F.normalize``, ``F.pad`` in constant mode with negative widths too,
``index_put_`` as a method and as ``torch.index_put_``, with and without ``accumulate``, and
``masked_scatter_``). Statements that show an ndgrad defect not fixed yet
(:data:`KNOWN_BUGS`: a view leaving its base's elements by as_strided or as_strided_, a
write through ``.data``
into the input of a layer_norm) are drawn only with ``--known-bugs``. Some programs hold a
second-order block: a smooth op, a loss, its gradient with ``create_graph`` (by ``backward``
or ``autograd.grad``), a loss of that gradient, and its backward or ``autograd.grad``.

Programs are drawn with PyTorch as the oracle for shapes and values: each proposed statement is run
on a PyTorch "shadow" of the program so far, which lets the generator pick valid indices and keep
ties and kinks away by construction: leaf values come from a grid without zero and without
repeats; ``relu``/``relu_``/``abs``/``elu``/``clamp``/``clamp_`` are only drawn when no input is
within 1e-3 of the kink, ``sort``/``topk``/``min(dim)`` only when the values along the dim are
1e-3 apart, ``std`` only of a nonzero variance, ``layer_norm`` and ``normalize`` only away from
a zero variance or norm, division only when the denominator is at least 0.1 away from 0,
``exp`` only below 5. A statement PyTorch refuses is kept, as the program's last statement,
half of the time, so error paths are compared too (otherwise it is dropped and another drawn).
Generation is deterministic given the seed and the PyTorch version.

What is implementation-defined, and how it is treated (everything else must match):

* Floats: values and gradients are compared with ``rtol=1e-7, atol=1e-9`` (float64 only); the two
  libraries round differently (numpy vs ATen kernels, another summation order), so an exact
  comparison would report ulp-level noise.
* A write whose source overlaps its destination in memory without being the same view
  (``x += x.unbind(-1)[0]``, ``y[1:3] = y[0:2]``): PyTorch's result then depends on the iteration
  order of its kernel. The generator keeps such a statement only when PyTorch detects the overlap
  and raises (then the error is compared), never when PyTorch computes something.
* A write of a tensor into the very same elements through a view whose size-1 dims have other
  strides (``x[..., None] = y`` with y an alias of x, or ``x[None].div_(y)``): PyTorch
  compares the strides of size-1 dims too, which depend on how each view was made (numpy gives
  size-1 dims other strides), to decide whether it is a partial overlap. The generator draws
  no such statement.
* ``is_contiguous()`` of the result of an op on tensors of different shapes or memory layouts
  (``t.t().unsqueeze(0) + u``), or of a computation on an expanded tensor (``t.expand(2, 3,
  4).permute(2, 0, 1).tanh()``): which layout the result gets is each library's heuristic
  (numpy's ``K`` order, PyTorch's TensorIterator; they order dims of stride 0 differently),
  and the values are the same. ``F.normalize`` of a non-contiguous tensor is such an op (it
  divides by the norm expanded to the input's shape), and so is a ``create_graph`` backward
  adding into a ``.grad`` made non-contiguous (``t0.grad.t_()``): it sums out of place. So is
  the layout of a view of such a result, or of what is computed from it. Compared and counted (kind
  ``contiguous@mixed_layout``), not failures.
  Whether ``view()`` of such a result succeeds follows from that layout (``(t.t() -
  t).view(2, 4, 2)``: PyTorch's result has the transposed first operand's layout and refuses,
  numpy's is C-contiguous and allows it); a view that raises in one library only is counted
  (kind ``view@mixed_layout``), not a failure. ``reshape`` is the call that works in both; it
  records a view (``ViewBackward0``) where the layout allows one and a copy
  (``UnsafeViewBackward0``) where not, so its node name follows (kind ``grad_fn@mixed_layout``),
  and so does whether a write into its input shows in its result: the generator writes into
  neither (``reshape``/``flatten`` of such a tensor; seed 61 found a write through it).
  (An advanced index is not among these: ndgrad lays its result out as PyTorch does.)
* A write into elements that share memory without a stride of 0 (an ``unfold`` whose windows
  overlap, or an ``as_strided`` view with strides smaller than its extent): PyTorch does not
  check such a destination and writes each element in its kernel's order (``mul_(2)`` doubles a
  shared element twice), where ndgrad refuses a recorded write. The generator draws none
  (unless PyTorch raises), and the layout of a computation on such a tensor counts as mixed, as
  for an expanded one. Likewise hooks only on tensors that are not views (PyTorch 2.13 crashes
  registering one on a view whose base was written since).
* ``as_strided`` reads a tensor's storage, so the generator draws it only on tensors whose
  storage is laid out alike in both libraries: not on a tensor of mixed layout (above), nor on
  a gradient or what shares its memory (PyTorch may return an expanded gradient, or a view of a
  larger buffer), nor on the result of ``F.mse_loss`` with a reduction or what shares its
  memory (PyTorch's lives in a storage of the elementwise loss's size, seed 9).
* Writes into the tensors ``autograd.grad`` returns, ``detach_()`` and ``requires_grad_()`` of
  them: whether they share memory with each other, or are views (``detach_`` of a view
  raises), or are one tensor object (``AddBackward0`` passes its gradient on as it is,
  ``MulBackward0`` by 1 makes a new one), depends on how PyTorch writes each derivative, so
  the generator does none of these (reading them, and writing into ``.grad``, is compared;
  an input listed twice gets the very same tensor twice in both).
* Node names of the tensors a ``create_graph`` backward returns (and of ``.grad`` set by one):
  they name the last op of the derivative formula (PyTorch ``GeluBackwardBackward0``, or
  ``CloneBackward0`` for the first gradient stored in ``.grad``), and ndgrad writes its formulas
  with its own ops. They are compared and counted (kind ``grad_fn@create_graph``), not failures
  (:data:`IMPLEMENTATION_DEFINED`); their values and ``requires_grad`` are compared as usual.
* A program on which PyTorch fails one of its own internal checks ("INTERNAL ASSERT FAILED",
  e.g. ``retain_grad()``, then ``detach_()``, then an in-place op with a tensor that requires
  grad), or on which a derivative formula of PyTorch hands an undefined tensor to an op
  ("Expected a proper Tensor but got None (or an undefined Tensor in C++)"): PyTorch's defect,
  not a behaviour to match. Counted (kind ``torch_internal_assert``). One such defect is
  avoided by construction: the gradient PyTorch gives the bias of ``F.layer_norm`` without a
  weight is not connected to the bias under ``create_graph`` (``y = F.layer_norm(x, (2,),
  None, b)``, ``(y * y).sum().backward(create_graph=True)``: ``autograd.grad(b.grad.sum(),
  [b])`` finds b unused, where the derivative is 2 for each element, as with a weight of
  ones; with an input that requires grad too, that backward raises the message above, seeds 4
  and 5). The generator gives layer_norm a bias only together with a weight.
* (Not implementation-defined, only reported apart.) Error messages: the class must match (kind
  ``error``); a differing message with the same class is counted under its own kind
  (``message``), and fails like any other.
* Nothing is observed after the statement that raised: which leaves PyTorch's engine has already
  accumulated into before a node fails depends on its execution order.

Run ``python -m tests.fuzz_views --seeds 0 1 2 3 --programs 5000`` (with ``PYTHONPATH=src``) for a
long run: it prints counts of mismatches by kind and shrunk reproducers as runnable PyTorch code.
"""

from __future__ import annotations

import argparse
import itertools
import math
import operator
import random
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

RTOL = 1e-7
ATOL = 1e-9


class Invalid(Exception):
    """The program is not well formed (a statement reads a variable nothing defines)."""


@dataclass(frozen=True)
class Stmt:
    """One statement: ``op`` reads the variables ``args`` and binds its results to ``out``."""

    op: str
    out: tuple[int, ...]
    args: tuple[int, ...]
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def p(self) -> dict[str, Any]:
        return dict(self.params)


def _params(**kw: Any) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(kw.items()))


# ---------------------------------------------------------------------------------------------
# Index expressions: a tuple of items ("s", start, stop, step) | ("i", k) | ("none",) | ("ell",)
# | ("long", [ints]) | ("bool", nested bools).


def _build_index(lib: Any, items: Sequence[tuple]) -> Any:
    out: list[Any] = []
    for item in items:
        kind = item[0]
        if kind == "s":
            out.append(slice(item[1], item[2], item[3]))
        elif kind == "i":
            out.append(item[1])
        elif kind == "none":
            out.append(None)
        elif kind == "ell":
            out.append(Ellipsis)
        elif kind in ("long", "bool"):
            out.append(lib.tensor(item[1]))
        else:  # pragma: no cover - generator bug
            raise AssertionError(kind)
    if len(out) == 1:
        return out[0]
    return tuple(out)


def _fmt_index(items: Sequence[tuple]) -> str:
    parts = []
    for item in items:
        kind = item[0]
        if kind == "s":
            start, stop, step = item[1:]
            text = f"{'' if start is None else start}:{'' if stop is None else stop}"
            if step is not None:
                text += f":{step}"
            parts.append(text)
        elif kind == "i":
            parts.append(str(item[1]))
        elif kind == "none":
            parts.append("None")
        elif kind == "ell":
            parts.append("...")
        else:
            parts.append(f"torch.tensor({item[1]!r})")
    if not parts:
        return "()"
    return ", ".join(parts)


def _lit(values: Any) -> str:
    return f"torch.tensor({values!r}, dtype=torch.float64)"


# ---------------------------------------------------------------------------------------------
# The op table: how to run a statement under a library, and how to print it as PyTorch code.


@dataclass(frozen=True)
class OpDef:
    run: Callable[[Any, list[Any], dict[str, Any]], list[Any]]
    fmt: Callable[[list[str], list[str], dict[str, Any]], str]


def _F(lib: Any) -> Any:
    return lib.nn.functional


def _one(f: Callable[..., Any]) -> Callable[[Any, list[Any], dict[str, Any]], list[Any]]:
    return lambda lib, a, p: [f(lib, *a, **p)]


def _none(f: Callable[..., Any]) -> Callable[[Any, list[Any], dict[str, Any]], list[Any]]:
    def run(lib: Any, a: list[Any], p: dict[str, Any]) -> list[Any]:
        f(lib, *a, **p)
        return []

    return run


def _unary(expr: str, f: Callable[..., Any]) -> OpDef:
    """A one-output op printed as ``out = expr`` with ``{0}`` the argument and params by name."""
    return OpDef(_one(f), lambda o, a, p: f"{o[0]} = " + expr.format(*a, **p))


def _method_inplace(method: str) -> OpDef:
    return OpDef(
        _none(lambda lib, x: getattr(x, method)()),
        lambda o, a, p: f"{a[0]}.{method}()",
    )


def _arith_inplace(method: str) -> OpDef:
    """``x.add_(y)`` with y a variable (one more arg) or the scalar ``c``."""

    def run(lib: Any, a: list[Any], p: dict[str, Any]) -> list[Any]:
        other = a[1] if len(a) > 1 else p["c"]
        getattr(a[0], method)(other)
        return []

    def fmt(o: list[str], a: list[str], p: dict[str, Any]) -> str:
        other = a[1] if len(a) > 1 else repr(p["c"])
        return f"{a[0]}.{method}({other})"

    return OpDef(run, fmt)


def _augmented(symbol: str, fn: Callable[[Any, Any], Any]) -> OpDef:
    """``x -= y``: Python rebinds x to what ``__isub__`` returns."""

    def run(lib: Any, a: list[Any], p: dict[str, Any]) -> list[Any]:
        other = a[1] if len(a) > 1 else p["c"]
        return [fn(a[0], other)]

    def fmt(o: list[str], a: list[str], p: dict[str, Any]) -> str:
        other = a[1] if len(a) > 1 else repr(p["c"])
        return f"{a[0]} {symbol} {other}"

    return OpDef(run, fmt)


def _reduce(method: str) -> OpDef:
    def run(lib: Any, a: list[Any], p: dict[str, Any]) -> list[Any]:
        if p["dim"] is None:
            return [getattr(a[0], method)()]
        return [getattr(a[0], method)(p["dim"], keepdim=p["keepdim"])]

    def fmt(o: list[str], a: list[str], p: dict[str, Any]) -> str:
        if p["dim"] is None:
            return f"{o[0]} = {a[0]}.{method}()"
        return f"{o[0]} = {a[0]}.{method}({p['dim']}, keepdim={p['keepdim']})"

    return OpDef(run, fmt)


def _multi(method: str, keys: tuple[str, ...]) -> OpDef:
    def run(lib: Any, a: list[Any], p: dict[str, Any]) -> list[Any]:
        return list(getattr(a[0], method)(*[p[k] for k in keys]))

    def fmt(o: list[str], a: list[str], p: dict[str, Any]) -> str:
        lhs = ", ".join(o) + ("," if len(o) == 1 else "")
        return f"{lhs} = {a[0]}.{method}({', '.join(repr(p[k]) for k in keys)})"

    return OpDef(run, fmt)


def _setitem_run(lib: Any, a: list[Any], p: dict[str, Any]) -> list[Any]:
    value = a[1] if len(a) > 1 else p["c"]
    a[0][_build_index(lib, p["idx"])] = value
    return []


def _setitem_fmt(o: list[str], a: list[str], p: dict[str, Any]) -> str:
    value = a[1] if len(a) > 1 else repr(p["c"])
    return f"{a[0]}[{_fmt_index(p['idx'])}] = {value}"


def _setself_run(lib: Any, a: list[Any], p: dict[str, Any]) -> list[Any]:
    x = a[0]
    x[_build_index(lib, p["dst"])] = x[_build_index(lib, p["src"])]
    return []


def _backward_run(lib: Any, a: list[Any], p: dict[str, Any]) -> list[Any]:
    # retain_graph=False is printed as nothing, which means "as create_graph": pass None.
    a[0].backward(retain_graph=p["retain_graph"] or None, create_graph=p["create_graph"])
    return []


def _backward_fmt(o: list[str], a: list[str], p: dict[str, Any]) -> str:
    kw = [f"{k}=True" for k in ("retain_graph", "create_graph") if p[k]]
    return f"{a[0]}.backward({', '.join(kw)})"


def _grad_run(lib: Any, a: list[Any], p: dict[str, Any]) -> list[Any]:
    return list(
        lib.autograd.grad(
            a[0],
            list(a[1:]),
            retain_graph=p["retain_graph"] or None,
            create_graph=p["create_graph"],
            allow_unused=True,
        )
    )


def _grad_fmt(o: list[str], a: list[str], p: dict[str, Any]) -> str:
    lhs = ", ".join(o) + ("," if len(o) == 1 else "")
    kw = "".join(f", {k}=True" for k in ("retain_graph", "create_graph") if p[k])
    call = f"torch.autograd.grad({a[0]}, [{', '.join(a[1:])}]{kw}, allow_unused=True)"
    return f"{lhs} = {call}" if o else call


def _getgrad_run(lib: Any, a: list[Any], p: dict[str, Any]) -> list[Any]:
    return [a[0].grad]


def _setgrad_none(lib: Any, a: list[Any], p: dict[str, Any]) -> list[Any]:
    a[0].grad = None
    return []


def _leaf_run(lib: Any, a: list[Any], p: dict[str, Any]) -> list[Any]:
    return [lib.tensor(p["values"], dtype=lib.float64, requires_grad=p["requires_grad"])]


def _leaf_fmt(o: list[str], a: list[str], p: dict[str, Any]) -> str:
    rg = ", requires_grad=True" if p["requires_grad"] else ""
    return f"{o[0]} = torch.tensor({p['values']!r}, dtype=torch.float64{rg})"


OPS: dict[str, OpDef] = {
    "leaf": OpDef(_leaf_run, _leaf_fmt),
    # out-of-place math
    "neg": _unary("-{0}", lambda lib, x: -x),
    "exp": _unary("{0}.exp()", lambda lib, x: x.exp()),
    "tanh": _unary("torch.tanh({0})", lambda lib, x: lib.tanh(x)),
    "sigmoid": _unary("{0}.sigmoid()", lambda lib, x: x.sigmoid()),
    "sin": _unary("torch.sin({0})", lambda lib, x: lib.sin(x)),
    "relu": _unary("F.relu({0})", lambda lib, x: _F(lib).relu(x)),
    "abs": _unary("{0}.abs()", lambda lib, x: x.abs()),
    "elu": _unary("F.elu({0})", lambda lib, x: _F(lib).elu(x)),
    "gelu": _unary("F.gelu({0})", lambda lib, x: _F(lib).gelu(x)),
    "silu": _unary("F.silu({0})", lambda lib, x: _F(lib).silu(x)),
    "softmax": _unary("F.softmax({0}, dim={dim})", lambda lib, x, dim: _F(lib).softmax(x, dim=dim)),
    "log_softmax": _unary(
        "F.log_softmax({0}, dim={dim})", lambda lib, x, dim: _F(lib).log_softmax(x, dim=dim)
    ),
    "mul_s": _unary("{0} * {c!r}", lambda lib, x, c: x * c),
    "add_s": _unary("{0} + {c!r}", lambda lib, x, c: x + c),
    "rsub": _unary("{c!r} - {0}", lambda lib, x, c: c - x),
    "rdiv": _unary("{c!r} / {0}", lambda lib, x, c: c / x),
    "square": _unary("{0} * {0}", lambda lib, x: x * x),
    "pow2": _unary("{0} ** 2", lambda lib, x: x**2),
    "clone": _unary("{0}.clone()", lambda lib, x: x.clone()),
    "sum": _reduce("sum"),
    "mean": _reduce("mean"),
    "wsum": _unary(
        "({0} * torch.tensor({w!r}, dtype=torch.float64)).sum()",
        lambda lib, x, w: (x * lib.tensor(w, dtype=lib.float64)).sum(),
    ),
    "add": _unary("{0} + {1}", lambda lib, x, y: x + y),
    "sub": _unary("{0} - {1}", lambda lib, x, y: x - y),
    "mul": _unary("{0} * {1}", lambda lib, x, y: x * y),
    "div": _unary("{0} / {1}", lambda lib, x, y: x / y),
    "add_alpha": _unary(
        "torch.add({0}, {1}, alpha={alpha!r})", lambda lib, x, y, alpha: lib.add(x, y, alpha=alpha)
    ),
    # views and indexing
    "index": _unary(
        "{0}[{idx}]", lambda lib, x, idx: x[_build_index(lib, idx)]
    ),  # idx is formatted below
    "transpose": _unary("{0}.transpose({d0}, {d1})", lambda lib, x, d0, d1: x.transpose(d0, d1)),
    "t": _unary("{0}.t()", lambda lib, x: x.t()),
    "permute": _unary("{0}.permute({dims!r})", lambda lib, x, dims: x.permute(dims)),
    "expand": _unary("{0}.expand({shape!r})", lambda lib, x, shape: x.expand(shape)),
    "broadcast_to": _unary(
        "torch.broadcast_to({0}, {shape!r})", lambda lib, x, shape: lib.broadcast_to(x, shape)
    ),
    "view": _unary("{0}.view({shape!r})", lambda lib, x, shape: x.view(shape)),
    "reshape": _unary("{0}.reshape({shape!r})", lambda lib, x, shape: x.reshape(shape)),
    "flatten": _unary("{0}.flatten()", lambda lib, x: x.flatten()),
    "unbind": _multi("unbind", ("dim",)),
    "split": _multi("split", ("size", "dim")),
    "chunk": _multi("chunk", ("n", "dim")),
    "narrow": _unary(
        "{0}.narrow({dim}, {start}, {length})",
        lambda lib, x, dim, start, length: x.narrow(dim, start, length),
    ),
    "select": _unary("{0}.select({dim}, {i})", lambda lib, x, dim, i: x.select(dim, i)),
    "diagonal": _unary(
        "{0}.diagonal({offset}, {d1}, {d2})",
        lambda lib, x, offset, d1, d2: x.diagonal(offset, d1, d2),
    ),
    "squeeze": _unary(
        "{0}.squeeze({dim})",
        lambda lib, x, dim: x.squeeze() if dim == "" else x.squeeze(dim),
    ),
    "unsqueeze": _unary("{0}.unsqueeze({dim})", lambda lib, x, dim: x.unsqueeze(dim)),
    "detach": _unary("{0}.detach()", lambda lib, x: x.detach()),
    # index assignment and in-place ops
    "setitem": OpDef(_setitem_run, _setitem_fmt),
    "setself": OpDef(
        _setself_run,
        lambda o, a, p: f"{a[0]}[{_fmt_index(p['dst'])}] = {a[0]}[{_fmt_index(p['src'])}]",
    ),
    "add_": _arith_inplace("add_"),
    "sub_": _arith_inplace("sub_"),
    "mul_": _arith_inplace("mul_"),
    "div_": _arith_inplace("div_"),
    "copy_": _arith_inplace("copy_"),
    "iadd": _augmented("+=", operator.iadd),
    "isub": _augmented("-=", operator.isub),
    "imul": _augmented("*=", operator.imul),
    "exp_": _method_inplace("exp_"),
    "tanh_": _method_inplace("tanh_"),
    "sigmoid_": _method_inplace("sigmoid_"),
    "neg_": _method_inplace("neg_"),
    "zero_": _method_inplace("zero_"),
    "fill_": OpDef(
        _none(lambda lib, x, c: x.fill_(c)), lambda o, a, p: f"{a[0]}.fill_({p['c']!r})"
    ),
    "clamp_": OpDef(
        _none(lambda lib, x, lo, hi: x.clamp_(lo, hi)),
        lambda o, a, p: f"{a[0]}.clamp_({p['lo']!r}, {p['hi']!r})",
    ),
    # autograd state
    "retain_grad": _method_inplace("retain_grad"),
    "requires_grad_": _method_inplace("requires_grad_"),
    "detach_": _method_inplace("detach_"),
    "backward": OpDef(_backward_run, _backward_fmt),
    "grad": OpDef(_grad_run, _grad_fmt),
    "getgrad": OpDef(_getgrad_run, lambda o, a, p: f"{o[0]} = {a[0]}.grad"),
    "grad_none": OpDef(_setgrad_none, lambda o, a, p: f"{a[0]}.grad = None"),
}


# --- ops added by the widening of the menu (multi-input, indexing, more in-place ops and views,
# reductions along a dim, tensor hooks). Index tensors, masks and constants are parameters,
# printed as literals.


def _long(lib: Any, values: Any) -> Any:
    return lib.tensor(values, dtype=lib.int64)


def _tensors(a: list[str]) -> str:
    return f"[{', '.join(a)}]"


def _keep(p: dict[str, Any]) -> str:
    return f", keepdim={p['keepdim']}" if p["keepdim"] else ""


def _dim_reduce(method: str, suffix: str = "") -> OpDef:
    """``x.amax(dim, keepdim=)`` (or ``x.prod()`` with dim None); ``suffix`` e.g. ``.values``."""

    def run(lib: Any, a: list[Any], p: dict[str, Any]) -> list[Any]:
        if p["dim"] is None:
            out = getattr(a[0], method)()
        else:
            out = getattr(a[0], method)(p["dim"], keepdim=p["keepdim"])
        return [out.values if suffix else out]

    def fmt(o: list[str], a: list[str], p: dict[str, Any]) -> str:
        if p["dim"] is None:
            return f"{o[0]} = {a[0]}.{method}(){suffix}"
        return f"{o[0]} = {a[0]}.{method}({p['dim']}{_keep(p)}){suffix}"

    return OpDef(run, fmt)


def _norm_run(lib: Any, a: list[Any], p: dict[str, Any]) -> list[Any]:
    if p["dim"] is None:
        return [a[0].norm(p["p"])]
    return [a[0].norm(p["p"], dim=p["dim"], keepdim=p["keepdim"])]


def _norm_fmt(o: list[str], a: list[str], p: dict[str, Any]) -> str:
    if p["dim"] is None:
        return f"{o[0]} = {a[0]}.norm({p['p']!r})"
    return f"{o[0]} = {a[0]}.norm({p['p']!r}, dim={p['dim']}{_keep(p)})"


def _where_run(lib: Any, a: list[Any], p: dict[str, Any]) -> list[Any]:
    return [lib.where(a[0] > p["c"], a[1], a[2])]


def _index_op(method: str) -> OpDef:
    """``x.index_add_(dim, index, src)`` and the like: index a literal, src a variable."""

    def run(lib: Any, a: list[Any], p: dict[str, Any]) -> list[Any]:
        kw = {} if p.get("alpha") is None else {"alpha": p["alpha"]}
        getattr(a[0], method)(p["dim"], _long(lib, p["index"]), a[1], **kw)
        return []

    def fmt(o: list[str], a: list[str], p: dict[str, Any]) -> str:
        alpha = "" if p.get("alpha") is None else f", alpha={p['alpha']!r}"
        return f"{a[0]}.{method}({p['dim']}, torch.tensor({p['index']!r}), {a[1]}{alpha})"

    return OpDef(run, fmt)


def _lerp_run(lib: Any, a: list[Any], p: dict[str, Any]) -> list[Any]:
    a[0].lerp_(a[1], a[2] if len(a) > 2 else p["w"])
    return []


def _lerp_fmt(o: list[str], a: list[str], p: dict[str, Any]) -> str:
    return f"{a[0]}.lerp_({a[1]}, {a[2] if len(a) > 2 else repr(p['w'])})"


def _hook(kind: str, c: float) -> Callable[[Any], Any]:
    if kind == "mul":
        return lambda g: g * c
    if kind == "add":
        return lambda g: g + c
    return lambda g: None


def _hook_fmt(o: list[str], a: list[str], p: dict[str, Any]) -> str:
    body = {"mul": f"g * {p['c']!r}", "add": f"g + {p['c']!r}", "none": "None"}[p["kind"]]
    return f"{a[0]}.register_hook(lambda g: {body})"


OPS.update(
    {
        # multi-input out-of-place
        "cat": OpDef(
            _one(lambda lib, *a, dim: lib.cat(list(a), dim=dim)),
            lambda o, a, p: f"{o[0]} = torch.cat({_tensors(a)}, dim={p['dim']})",
        ),
        "stack": OpDef(
            _one(lambda lib, *a, dim: lib.stack(list(a), dim=dim)),
            lambda o, a, p: f"{o[0]} = torch.stack({_tensors(a)}, dim={p['dim']})",
        ),
        "where": OpDef(
            _where_run,
            lambda o, a, p: f"{o[0]} = torch.where({a[0]} > {p['c']!r}, {a[1]}, {a[2]})",
        ),
        "matmul": _unary("{0} @ {1}", lambda lib, x, y: x @ y),
        "maximum": _unary("torch.maximum({0}, {1})", lambda lib, x, y: lib.maximum(x, y)),
        # indexing ops
        "gather": _unary(
            "torch.gather({0}, {dim}, torch.tensor({index!r}))",
            lambda lib, x, dim, index: lib.gather(x, dim, _long(lib, index)),
        ),
        "index_select": _unary(
            "{0}.index_select({dim}, torch.tensor({index!r}))",
            lambda lib, x, dim, index: x.index_select(dim, _long(lib, index)),
        ),
        "masked_fill": _unary(
            "{0}.masked_fill(torch.tensor({mask!r}), {c!r})",
            lambda lib, x, mask, c: x.masked_fill(lib.tensor(mask), c),
        ),
        # in-place ops
        "masked_fill_": OpDef(
            _none(lambda lib, x, mask, c: x.masked_fill_(lib.tensor(mask), c)),
            lambda o, a, p: f"{a[0]}.masked_fill_(torch.tensor({p['mask']!r}), {p['c']!r})",
        ),
        "index_add_": _index_op("index_add_"),
        "index_copy_": _index_op("index_copy_"),
        "scatter_": _index_op("scatter_"),
        "clamp_min_": OpDef(
            _none(lambda lib, x, c: x.clamp_min_(c)),
            lambda o, a, p: f"{a[0]}.clamp_min_({p['c']!r})",
        ),
        "addcmul_": OpDef(
            _none(lambda lib, x, y, z, v: x.addcmul_(y, z, value=v)),
            lambda o, a, p: f"{a[0]}.addcmul_({a[1]}, {a[2]}, value={p['v']!r})",
        ),
        "lerp_": OpDef(_lerp_run, _lerp_fmt),
        # in-place changes of a view's shape
        "t_": _method_inplace("t_"),
        "transpose_": OpDef(
            _none(lambda lib, x, d0, d1: x.transpose_(d0, d1)),
            lambda o, a, p: f"{a[0]}.transpose_({p['d0']}, {p['d1']})",
        ),
        "unsqueeze_": OpDef(
            _none(lambda lib, x, dim: x.unsqueeze_(dim)),
            lambda o, a, p: f"{a[0]}.unsqueeze_({p['dim']})",
        ),
        "squeeze_": OpDef(
            _none(lambda lib, x, dim: x.squeeze_(dim)),
            lambda o, a, p: f"{a[0]}.squeeze_({p['dim']})",
        ),
        # more views
        "unfold": _unary(
            "{0}.unfold({dim}, {size}, {step})",
            lambda lib, x, dim, size, step: x.unfold(dim, size, step),
        ),
        "movedim": _unary(
            "{0}.movedim({src!r}, {dst!r})", lambda lib, x, src, dst: x.movedim(src, dst)
        ),
        "swapaxes": _unary("{0}.swapaxes({d0}, {d1})", lambda lib, x, d0, d1: x.swapaxes(d0, d1)),
        "view_as": _unary("{0}.view_as({1})", lambda lib, x, y: x.view_as(y)),
        "expand_as": _unary("{0}.expand_as({1})", lambda lib, x, y: x.expand_as(y)),
        # reductions along a dim
        "cumsum": _unary("{0}.cumsum({dim})", lambda lib, x, dim: x.cumsum(dim)),
        "max_dim": _dim_reduce("max", ".values"),
        "amax": _dim_reduce("amax"),
        "prod": _dim_reduce("prod"),
        "norm": OpDef(_norm_run, _norm_fmt),
        # autograd: a deterministic tensor hook
        "hook": OpDef(_none(lambda lib, x, kind, c: x.register_hook(_hook(kind, c))), _hook_fmt),
    }
)


def _strided_args(p: dict[str, Any]) -> tuple[Any, ...]:
    """``size, stride`` and, unless it is None (the input's own), ``storage_offset``."""
    if p["offset"] is None:
        return p["size"], p["stride"]
    return p["size"], p["stride"], p["offset"]


def _strided_text(p: dict[str, Any]) -> str:
    return ", ".join(repr(v) for v in _strided_args(p))


OPS.update(
    {
        # views of the storage by explicit sizes, strides and an offset
        "as_strided": OpDef(
            _one(lambda lib, x, **p: lib.as_strided(x, *_strided_args(p))),
            lambda o, a, p: f"{o[0]} = torch.as_strided({a[0]}, {_strided_text(p)})",
        ),
        "as_strided_m": OpDef(
            _one(lambda lib, x, **p: x.as_strided(*_strided_args(p))),
            lambda o, a, p: f"{o[0]} = {a[0]}.as_strided({_strided_text(p)})",
        ),
        "as_strided_": OpDef(
            _none(lambda lib, x, **p: x.as_strided_(*_strided_args(p))),
            lambda o, a, p: f"{a[0]}.as_strided_({_strided_text(p)})",
        ),
    }
)


# --- ops of training code: in-place relu, dropout with p=0, reads and writes through ``.data``,
# contiguous, clamp, flip/roll/repeat, tril/triu; more reductions; nn-level functions.


def _clamp_text(p: dict[str, Any]) -> str:
    if p["lo"] is None:
        return f"max={p['hi']!r}"
    if p["hi"] is None:
        return f"min={p['lo']!r}"
    return f"{p['lo']!r}, {p['hi']!r}"


def _clamp_run(lib: Any, x: Any, lo: Any, hi: Any) -> Any:
    if lo is None:
        return x.clamp(max=hi)
    if hi is None:
        return x.clamp(min=lo)
    return x.clamp(lo, hi)


def _data_setitem_run(lib: Any, a: list[Any], p: dict[str, Any]) -> list[Any]:
    a[0].data[_build_index(lib, p["idx"])] = p["c"]
    return []


def _reduce_text(p: dict[str, Any], keys: tuple[str, ...] = ()) -> str:
    """``dim`` (if not None), ``keepdim=True`` if so, then ``key=value`` for ``keys``."""
    parts = [] if p["dim"] is None else [repr(p["dim"])]
    if p.get("keepdim"):
        parts.append("keepdim=True")
    parts += [f"{k}={p[k]!r}" for k in keys]
    return ", ".join(parts)


def _var_run(method: str) -> Callable[[Any, list[Any], dict[str, Any]], list[Any]]:
    def run(lib: Any, a: list[Any], p: dict[str, Any]) -> list[Any]:
        if p["dim"] is None:
            return [getattr(a[0], method)(correction=p["correction"])]
        return [getattr(a[0], method)(p["dim"], keepdim=p["keepdim"], correction=p["correction"])]

    return run


def _layer_norm_run(lib: Any, a: list[Any], p: dict[str, Any]) -> list[Any]:
    it = iter(a[1:])
    weight = next(it) if p["weight"] else None
    bias = next(it) if p["bias"] else None
    return [_F(lib).layer_norm(a[0], p["shape"], weight, bias)]


def _layer_norm_fmt(o: list[str], a: list[str], p: dict[str, Any]) -> str:
    it = iter(a[1:])
    weight = next(it) if p["weight"] else "None"
    bias = next(it) if p["bias"] else "None"
    extra = "" if weight == bias == "None" else f", {weight}, {bias}"
    return f"{o[0]} = F.layer_norm({a[0]}, {p['shape']!r}{extra})"


def _linear_run(lib: Any, a: list[Any], p: dict[str, Any]) -> list[Any]:
    return [_F(lib).linear(*a)]


def _index_put_run(lib: Any, a: list[Any], p: dict[str, Any]) -> list[Any]:
    index = tuple(_long(lib, i) for i in p["index"])
    if p["fn"]:
        lib.index_put_(a[0], index, a[1], accumulate=p["accumulate"])
    else:
        a[0].index_put_(index, a[1], accumulate=p["accumulate"])
    return []


def _index_put_fmt(o: list[str], a: list[str], p: dict[str, Any]) -> str:
    index = "".join(f"torch.tensor({i!r}), " for i in p["index"])
    acc = ", accumulate=True" if p["accumulate"] else ""
    if p["fn"]:
        return f"torch.index_put_({a[0]}, ({index.rstrip(' ')}), {a[1]}{acc})"
    return f"{a[0]}.index_put_(({index.rstrip(' ')}), {a[1]}{acc})"


OPS.update(
    {
        "relu_": _method_inplace("relu_"),
        "relu_inplace": OpDef(
            _none(lambda lib, x: _F(lib).relu(x, inplace=True)),
            lambda o, a, p: f"F.relu({a[0]}, inplace=True)",
        ),
        "dropout": _unary(
            "F.dropout({0}, p=0.0, training={training})",
            lambda lib, x, training: _F(lib).dropout(x, p=0.0, training=training),
        ),
        "data": _unary("{0}.data", lambda lib, x: x.data),
        "data_mul_": OpDef(
            _none(lambda lib, x, c: x.data.mul_(c)), lambda o, a, p: f"{a[0]}.data.mul_({p['c']!r})"
        ),
        "data_copy_": OpDef(
            _none(lambda lib, x, y: x.data.copy_(y)), lambda o, a, p: f"{a[0]}.data.copy_({a[1]})"
        ),
        "data_setitem": OpDef(
            _data_setitem_run,
            lambda o, a, p: f"{a[0]}.data[{_fmt_index(p['idx'])}] = {p['c']!r}",
        ),
        "contiguous": _unary("{0}.contiguous()", lambda lib, x: x.contiguous()),
        "clamp": OpDef(
            _one(_clamp_run), lambda o, a, p: f"{o[0]} = {a[0]}.clamp({_clamp_text(p)})"
        ),
        "flip": _unary("{0}.flip({dims!r})", lambda lib, x, dims: x.flip(dims)),
        "roll": _unary(
            "{0}.roll({shifts!r}, {dims!r})", lambda lib, x, shifts, dims: x.roll(shifts, dims)
        ),
        "repeat": _unary("{0}.repeat({sizes!r})", lambda lib, x, sizes: x.repeat(sizes)),
        "tril": _unary("{0}.tril({k})", lambda lib, x, k: x.tril(k)),
        "triu": _unary("{0}.triu({k})", lambda lib, x, k: x.triu(k)),
        "tril_": OpDef(
            _none(lambda lib, x, k: x.tril_(k)), lambda o, a, p: f"{a[0]}.tril_({p['k']})"
        ),
        "triu_": OpDef(
            _none(lambda lib, x, k: x.triu_(k)), lambda o, a, p: f"{a[0]}.triu_({p['k']})"
        ),
        # reductions
        "logsumexp": _unary(
            "{0}.logsumexp({dim}, keepdim={keepdim})",
            lambda lib, x, dim, keepdim: x.logsumexp(dim, keepdim=keepdim),
        ),
        "var": OpDef(
            _var_run("var"),
            lambda o, a, p: f"{o[0]} = {a[0]}.var({_reduce_text(p, ('correction',))})",
        ),
        "std": OpDef(
            _var_run("std"),
            lambda o, a, p: f"{o[0]} = {a[0]}.std({_reduce_text(p, ('correction',))})",
        ),
        "cumprod": _unary("{0}.cumprod({dim})", lambda lib, x, dim: x.cumprod(dim)),
        "sort": _unary(
            "{0}.sort({dim}, descending={descending}).values",
            lambda lib, x, dim, descending: x.sort(dim, descending=descending).values,
        ),
        "topk": _unary(
            "{0}.topk({k}, {dim}, largest={largest}).values",
            lambda lib, x, k, dim, largest: x.topk(k, dim, largest=largest).values,
        ),
        "min_dim": _dim_reduce("min", ".values"),
        "mean_dims": _unary(
            "{0}.mean({dims!r}, keepdim={keepdim})",
            lambda lib, x, dims, keepdim: x.mean(dims, keepdim=keepdim),
        ),
        # nn-level functions
        "layer_norm": OpDef(_layer_norm_run, _layer_norm_fmt),
        "linear": OpDef(_linear_run, lambda o, a, p: f"{o[0]} = F.linear({', '.join(a)})"),
        "mse_loss": _unary(
            "F.mse_loss({0}, {1}, reduction={reduction!r})",
            lambda lib, x, y, reduction: _F(lib).mse_loss(x, y, reduction=reduction),
        ),
        "normalize": _unary(
            "F.normalize({0}, p={p}, dim={dim})",
            lambda lib, x, p, dim: _F(lib).normalize(x, p=p, dim=dim),
        ),
        "pad": _unary(
            "F.pad({0}, {pad!r}, value={value!r})",
            lambda lib, x, pad, value: _F(lib).pad(x, pad, value=value),
        ),
        "index_put_": OpDef(_index_put_run, _index_put_fmt),
        "masked_scatter_": OpDef(
            _none(lambda lib, x, y, mask: x.masked_scatter_(lib.tensor(mask), y)),
            lambda o, a, p: f"{a[0]}.masked_scatter_(torch.tensor({p['mask']!r}), {a[1]})",
        ),
    }
)


_INPLACE_NEW = (
    *("masked_fill_", "index_add_", "index_copy_", "scatter_", "clamp_min_", "addcmul_"),
    *("lerp_", "t_", "transpose_", "unsqueeze_", "squeeze_", "hook"),
    "as_strided_",
    *("relu_", "relu_inplace", "data_mul_", "data_copy_", "data_setitem", "tril_", "triu_"),
    *("index_put_", "masked_scatter_"),
)


_NO_RESULT = frozenset(
    (
        *("setitem", "setself", "add_", "sub_", "mul_", "div_", "copy_", "exp_", "tanh_"),
        *("sigmoid_", "neg_", "zero_", "fill_", "clamp_", "retain_grad", "requires_grad_"),
        *("detach_", "backward", "grad_none"),
        *_INPLACE_NEW,
    )
)


def _fmt_stmt(stmt: Stmt, name: Callable[[int], str]) -> str:
    p = stmt.p
    if stmt.op == "index":
        p = {"idx": _fmt_index(p["idx"])}
    return OPS[stmt.op].fmt([name(i) for i in stmt.out], [name(i) for i in stmt.args], p)


def to_source(program: Sequence[Stmt], comment: str = "") -> str:
    """The program as runnable PyTorch code (variables renumbered in order of definition)."""
    names: dict[int, str] = {}

    def name(i: int) -> str:
        if i not in names:
            names[i] = f"t{len(names)}"
        return names[i]

    lines = ["import torch", "import torch.nn.functional as F", ""]
    if comment:
        lines += [f"# {line}" for line in comment.splitlines()]
    for stmt in program:
        for i in stmt.args:
            name(i)
        for i in stmt.out:
            name(i)
        lines.append(_fmt_stmt(stmt, name))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Running a program and observing it.


def _node_name(t: Any) -> str | None:
    fn = t.grad_fn
    return None if fn is None else type(fn).__name__


def _get(fn: Callable[[], Any]) -> Any:
    """``fn()``, or a marker naming the exception class if reading it raises (PyTorch raises
    when reading ``grad_fn`` of a multi-output view whose base was modified in place)."""
    try:
        return fn()
    except Exception as error:  # part of what is compared
        if "INTERNAL ASSERT FAILED" in str(error):
            return _TORCH_ASSERT
        return f"<raises {type(error).__name__}>"


_TORCH_ASSERT = "<PyTorch's internal assert fails>"


def _numpy(t: Any) -> np.ndarray:
    """A copy of ``t``'s values (``force=True`` for PyTorch's ZeroTensor, which has no memory)."""
    try:
        return np.array(t.detach().numpy(), copy=True)
    except RuntimeError:
        return np.array(t.detach().numpy(force=True), copy=True)


def _fn_key(t: Any, made: dict[int, tuple[Any, int]]) -> str:
    """``grad_fn``, or ``grad_fn@create_graph`` for a tensor a create_graph backward produced
    (and nothing has written into since): its node is the last op of the derivative formula."""
    entry = made.get(id(t))
    if entry is not None and entry[0] is t and entry[1] == t._version:
        return "grad_fn@create_graph"
    return "grad_fn"


# Observed attributes compared under their own, implementation-defined kind.
_IMPLEMENTATION_DEFINED_KEYS = (
    "grad_fn@create_graph",
    "grad_fn@mixed_layout",
    "contiguous@mixed_layout",
)

# What reshape records: a view where the layout allows one, else a copy (PyTorch's _unsafe_view).
_RESHAPE_NODES = frozenset(["ViewBackward0", "UnsafeViewBackward0"])


def _observe_tensor(
    t: Any, made: dict[int, tuple[Any, int]], mixed: frozenset[int] | set[int] = frozenset()
) -> dict[str, Any]:
    fn_key, fn_name = _fn_key(t, made), _get(lambda: _node_name(t))
    if fn_key == "grad_fn" and id(t) in mixed and fn_name in _RESHAPE_NODES:
        fn_key = "grad_fn@mixed_layout"  # a view or a copy, as the layout allows
    obs: dict[str, Any] = {
        "shape": tuple(t.shape),
        "requires_grad": bool(t.requires_grad),
        "is_leaf": _get(lambda: bool(t.is_leaf)),
        fn_key: fn_name,
        "contiguous" + ("@mixed_layout" if id(t) in mixed else ""): bool(t.is_contiguous()),
        "value": _numpy(t),
    }
    retains = bool(getattr(t, "retains_grad", False))
    obs["retains_grad"] = retains
    if obs["is_leaf"] is True or retains:
        g = t.grad
        if g is None:
            obs["grad"] = None
        else:
            obs["grad"] = _numpy(g)
            obs["grad.requires_grad"] = bool(g.requires_grad)
            obs["grad." + _fn_key(g, made)] = _get(lambda: _node_name(g))
    return obs


def _observe(
    env: dict[int, Any], made: dict[int, tuple[Any, int]], mixed: set[int] | None = None
) -> dict[int, Any]:
    m = mixed or set()
    return {i: (None if v is None else _observe_tensor(v, made, m)) for i, v in env.items()}


def _layout_args(op: str, args: list[Any]) -> list[Any]:
    """The arguments a result's layout derives from (``x.view_as(y)``: x's only)."""
    return args[:1] if op in ("view_as", "expand_as") else args


def _mixed_layouts(args: list[Any]) -> bool:
    """True when a statement combines tensors of different shapes or memory layouts: the layout
    of its result is then each library's own choice (see IMPLEMENTATION_DEFINED). So is the
    layout of what is computed from such a result, and of a computation (not a view, not an
    advanced index, whose layout ndgrad follows PyTorch in) on an expanded tensor."""
    tensors = [a for a in args if hasattr(a, "is_contiguous")]
    return len({(tuple(a.shape), a.stride()) for a in tensors}) > 1


# Composite ops that divide their input by an expanded reduction of it (F.normalize: x /
# norm.expand_as(x)): of a non-contiguous input, the layout of the result is each library's
# heuristic, as for any op on tensors of different layouts.
_COMPOSITE_MIXED = frozenset(["normalize"])


def _composite_mixed(op: str, args: list[Any]) -> bool:
    return op in _COMPOSITE_MIXED and not args[0].is_contiguous()


def _expanded(t: Any) -> bool:
    """True for a tensor that repeats elements (a stride 0 on a dim of size > 1)."""
    return hasattr(t, "stride") and any(
        st == 0 and n > 1 for n, st in zip(t.shape, t.stride(), strict=True)
    )


def _repeats(t: Any) -> bool:
    """True for a tensor whose elements share memory (expanded, or an overlapping ``unfold``):
    the layout of a computation on it is each library's heuristic."""
    return _expanded(t) or _overlapping(t)


def _accumulating_into_mixed(stmt: Stmt, env: dict[int, Any]) -> list[Any]:
    """The leaves into whose non-contiguous ``.grad`` (``t0.grad.t_()``) a ``create_graph``
    backward adds out of place: the sum's layout is each library's heuristic, as for any op on
    tensors of different layouts (see the module docstring)."""
    if stmt.op != "backward" or not stmt.p.get("create_graph"):
        return []
    return [
        t
        for t in env.values()
        if t is not None
        and _get(lambda t=t: t.is_leaf) is True
        and t.grad is not None
        and not t.grad.is_contiguous()
    ]


# Statements whose results are gradients: their layout is not derived from their arguments'.
_GRADIENTS = frozenset(["backward", "grad", "getgrad"])


def _note_made(env: dict[int, Any], results: list[Any], made: dict[int, tuple[Any, int]]) -> None:
    """After a create_graph backward: remember the gradients it produced."""
    tensors = [t for t in results if t is not None]
    for t in env.values():
        if t is not None and _get(lambda t=t: t.is_leaf or t.retains_grad) is True:
            tensors.append(t.grad)
    for t in tensors:
        if t is not None and t.requires_grad:
            made.setdefault(id(t), (t, t._version))


@dataclass
class Outcome:
    """What a run produced: one observation of every variable after each statement it completed,
    and the exception that stopped it (statement index, class name, message) if any."""

    states: list[dict[int, Any]] = field(default_factory=list)
    error: tuple[int, str, str] | None = None
    # Statements that ``view`` a result of mixed layouts (see IMPLEMENTATION_DEFINED).
    mixed_views: set[int] = field(default_factory=set)


def run_program(lib: Any, program: Sequence[Stmt]) -> Outcome:
    """Run the program under ``lib`` (torch or ndgrad). A statement that reads a ``None``
    (a gradient that did not exist) or returns another number of results than recorded stops
    the run like an exception, with the class ``<reads None>`` or ``<results>``."""
    env: dict[int, Any] = {}
    made: dict[int, tuple[Any, int]] = {}
    mixed: set[int] = set()
    outcome = Outcome()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k, stmt in enumerate(program):
            try:
                args = [env[i] for i in stmt.args]
            except KeyError:
                raise Invalid(f"statement {k} reads an undefined variable") from None
            if any(a is None for a in args):
                outcome.error = (k, "<reads None>", "")
                return outcome
            if stmt.op in ("view", "view_as") and id(args[0]) in mixed:
                outcome.mixed_views.add(k)
            summed = _accumulating_into_mixed(stmt, env)
            try:
                results = OPS[stmt.op].run(lib, args, stmt.p)
            except Exception as error:  # the comparison is of exactly this
                outcome.error = (k, type(error).__name__, str(error).split("\n")[0])
                return outcome
            if len(results) != len(stmt.out):
                outcome.error = (k, "<results>", f"{len(results)} results")
                return outcome
            env.update(zip(stmt.out, results, strict=True))
            if stmt.p.get("create_graph"):
                _note_made(env, results, made)
            mixed.update(id(t.grad) for t in summed if t.grad is not None)
            layout = _layout_args(stmt.op, args)
            if (
                _mixed_layouts(layout)
                or _composite_mixed(stmt.op, args)
                or (stmt.op not in _GRADIENTS and any(id(a) in mixed for a in layout))
            ):
                mixed.update(id(r) for r in results if r is not None)
            elif stmt.op not in _GRADIENTS and stmt.op != "index" and any(map(_repeats, args)):
                mixed.update(id(r) for r in results if r is not None and r._base is None)
            outcome.states.append(_observe(env, made, mixed))
    return outcome


@dataclass(frozen=True)
class Mismatch:
    """One difference: its ``kind`` (the attribute, or ``error``/``message``), a ``signature``
    that groups differences with the same cause (the two values for discrete attributes, the two
    exception classes), and a readable ``detail``."""

    kind: str
    signature: str
    detail: str


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape:
        return False
    return bool(np.allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True))


_DISCRETE = ("shape", "requires_grad", "is_leaf", "grad_fn", "retains_grad", "contiguous")
# Compared and counted, but not failures: see the module docstring.
IMPLEMENTATION_DEFINED = frozenset(
    [
        "grad_fn@create_graph",
        "grad.grad_fn@create_graph",
        "contiguous@mixed_layout",
        "view@mixed_layout",
        "grad_fn@mixed_layout",
        "torch_internal_assert",
    ]
)


def _compare_obs(where: str, ours: Any, theirs: Any) -> list[Mismatch]:
    if theirs is None or ours is None:
        if (theirs is None) != (ours is None):
            return [Mismatch("value", "value: None", f"{where}: torch {theirs}, ndgrad {ours}")]
        return []
    found = []
    ours, theirs = dict(ours), dict(theirs)
    for key, at in (
        ("grad_fn", "grad_fn@create_graph"),  # made by a create_graph backward in one run only
        ("grad_fn", "grad_fn@mixed_layout"),  # reshape's view in one library only
        ("grad.grad_fn", "grad.grad_fn@create_graph"),
        ("contiguous", "contiguous@mixed_layout"),
    ):
        for one, other in ((ours, theirs), (theirs, ours)):
            if at in one and key in other:
                other[at] = other.pop(key)

    def differ(key: str, label: str) -> None:
        a, b = ours.get(key), theirs.get(key)
        if a != b:
            kind = "torch_internal_assert" if b == _TORCH_ASSERT else key  # PyTorch's defect
            found.append(
                Mismatch(
                    kind,
                    f"{kind}: {key}: torch {b!r}, ndgrad {a!r}"
                    if kind != key
                    else f"{key}: torch {b!r}, ndgrad {a!r}",
                    f"{where}.{label}: torch {b!r}, ndgrad {a!r}",
                )
            )

    for key in (*_DISCRETE, *_IMPLEMENTATION_DEFINED_KEYS):
        differ(key, key)
    if not _close(ours["value"], theirs["value"]):
        found.append(
            Mismatch(
                "value", "value", f"{where}: torch {theirs['value']!r}, ndgrad {ours['value']!r}"
            )
        )
    if "grad" in theirs and "grad" in ours:
        a, b = ours["grad"], theirs["grad"]
        if (a is None) != (b is None) or (b is not None and not _close(a, b)):
            found.append(Mismatch("grad", "grad", f"{where}.grad: torch {b!r}, ndgrad {a!r}"))
        elif b is not None:
            differ("grad.requires_grad", "grad.requires_grad")
            differ("grad.grad_fn", "grad.grad_fn")
            differ("grad.grad_fn@create_graph", "grad.grad_fn@create_graph")
    return found


def _var_names(program: Sequence[Stmt]) -> dict[int, str]:
    names: dict[int, str] = {}
    for stmt in program:
        for i in (*stmt.args, *stmt.out):
            names.setdefault(i, f"t{len(names)}")
    return names


def _error_text(error: tuple[int, str, str] | None) -> str:
    return "no exception" if error is None else f"{error[1]}({error[2][:70]!r})"


def compare(program: Sequence[Stmt], ours: Outcome, theirs: Outcome) -> list[Mismatch]:
    """The differences between an ndgrad and a PyTorch run of ``program``: the first of each
    signature, in program order."""
    names = _var_names(program)
    found: dict[str, Mismatch] = {}
    for k, (a, b) in enumerate(zip(ours.states, theirs.states, strict=False)):
        for var in b:
            where = f"after statement {k}, {names.get(var, var)}"
            for m in _compare_obs(where, a.get(var), b[var]):
                found.setdefault(m.signature, m)
    e1, e2 = ours.error, theirs.error
    if e1 is None and e2 is None:
        return list(found.values())
    if e1 is None or e2 is None or e1[:2] != e2[:2]:
        a, b = _error_text(e2), _error_text(e1)
        detail = f"torch {a}, ndgrad {b}"
        if e1 is not None and e2 is not None and e1[0] != e2[0]:  # raised at another statement
            first, error = ("ndgrad", e1) if e1[0] < e2[0] else ("torch", e2)
            detail = f"torch at statement {e2[0]}: {a}; ndgrad at statement {e1[0]}: {b}"
            signature = f"error: {first} raises first: {_error_text(error)}"
        else:
            signature = f"error: torch {a}, ndgrad {b}"
        first_raise = min(e[0] for e in (e1, e2) if e is not None)
        if e2 is not None and any(defect in e2[2] for defect in _TORCH_DEFECTS):
            # PyTorch's own defect (an internal check of its engine fails): nothing to match
            m = Mismatch("torch_internal_assert", f"torch_internal_assert: {signature}", detail)
        elif first_raise in ours.mixed_views | theirs.mixed_views:
            # view() of a result whose layout is each library's own choice: whether its
            # strides allow the view follows from that layout
            m = Mismatch("view@mixed_layout", f"view@mixed_layout: {signature}", detail)
        else:
            m = Mismatch("error", signature, detail)
        found.setdefault(m.signature, m)
    elif e1[2] != e2[2]:
        # both raise the same class at the same statement; PyTorch's may be its own defect
        defect = any(d in e2[2] for d in _TORCH_DEFECTS)
        kind = "torch_internal_assert" if defect else "message"
        m = Mismatch(
            kind,
            f"{kind}: torch {e2[2][:70]!r}",
            f"statement {e1[0]} {e1[1]}: torch {e2[2]!r}, ndgrad {e1[2]!r}",
        )
        found.setdefault(m.signature, m)
    return list(found.values())


# Errors by which PyTorch fails its own checks (see the module docstring).
_TORCH_DEFECTS = (
    "INTERNAL ASSERT FAILED",
    "Expected a proper Tensor but got None (or an undefined Tensor in C++)",
)


def check(program: Sequence[Stmt], torch: Any, ndgrad: Any) -> list[Mismatch]:
    """The differences of ``program`` (raises :class:`Invalid` if it is not a valid PyTorch
    program, as a shrinking step can make it)."""
    theirs = run_program(torch, program)
    if theirs.error is not None and theirs.error[1].startswith("<"):
        raise Invalid(theirs.error[1])
    return compare(program, run_program(ndgrad, program), theirs)


# ---------------------------------------------------------------------------------------------
# The generator.

_GRID = [round(s * m / 1000, 3) for m in range(300, 2001) for s in (1, -1)]
_CONSTS = [0.25, 0.5, 0.75, 1.5, 2.0, 3.0, -0.5, -1.25, 0.1, -2.0]


def _broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    if len(shape) > len(target):
        return False
    return all(s in (1, t) for s, t in zip(reversed(shape), reversed(target), strict=False))


def _can_broadcast(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return all(x == y or x == 1 or y == 1 for x, y in zip(reversed(a), reversed(b), strict=False))


_WRITES_FROM = frozenset(
    [
        "setitem",
        "add_",
        "sub_",
        "mul_",
        "div_",
        "copy_",
        "iadd",
        "isub",
        "imul",
        "addcmul_",
        "lerp_",
        "data_copy_",
    ]
)
# Statements that write into their first argument.
_WRITING = frozenset(
    [
        *("setitem", "setself", "add_", "sub_", "mul_", "div_", "copy_", "iadd", "isub"),
        *("imul", "exp_", "tanh_", "sigmoid_", "neg_", "zero_", "fill_", "clamp_"),
        *("masked_fill_", "index_add_", "index_copy_", "scatter_", "clamp_min_", "addcmul_"),
        "lerp_",
        *("relu_", "relu_inplace", "data_mul_", "data_copy_", "data_setitem", "tril_", "triu_"),
        *("index_put_", "masked_scatter_"),
    ]
)
# Writes of a tensor at the positions an index tensor gives: any overlap of the source with the
# destination, or of the destination with itself, makes the result depend on the kernel's order.
_INDEX_WRITES = frozenset(
    ["index_add_", "index_copy_", "scatter_", "index_put_", "masked_scatter_"]
)


def _offsets(t: Any) -> np.ndarray:
    """The storage offset of each element of ``t``."""
    offsets = np.full((), t.storage_offset(), dtype=np.int64)
    for n, st in zip(t.shape, t.stride(), strict=True):
        offsets = offsets[..., None] + np.arange(n, dtype=np.int64) * st
    return offsets.ravel()


def _overlapping(t: Any) -> bool:
    """True when two elements of ``t`` are one memory location (an expanded tensor, or an
    ``unfold`` whose windows overlap)."""
    if not hasattr(t, "stride") or t.numel() < 2:
        return False
    return len(np.unique(_offsets(t))) < t.numel()


def _storage(t: Any) -> int:
    """Where ``t``'s memory starts (a PyTorch ZeroTensor, which ``autograd.grad`` may return, has
    none: it shares memory with nothing)."""
    try:
        return int(t.untyped_storage().data_ptr())
    except RuntimeError:
        return -id(t)


def _usable(t: Any) -> bool:
    """False for None and for a tensor PyTorch refuses to use (reading ``grad_fn`` raises on a
    multi-output view whose base was modified in place)."""
    if t is None:
        return False
    try:
        t.grad_fn  # noqa: B018 - reading it is the check
    except RuntimeError:
        return False
    return True


def _factor_shapes(n: int, rng: random.Random) -> tuple[int, ...]:
    primes = []
    m, p = n, 2
    while m > 1:
        while m % p == 0:
            primes.append(p)
            m //= p
        p += 1
    k = rng.randint(1, 3)
    dims = [1] * k
    for q in primes:
        dims[rng.randrange(k)] *= q
    if rng.random() < 0.3:
        dims[rng.randrange(k)] = -1
    return tuple(dims)


# Statements that show an ndgrad defect found by this fuzzer and not fixed yet: drawn only with
# ``--known-bugs`` (``generate(known_bugs=True)``), so that a run shows new mismatches. Each
# entry says what goes wrong; remove it when the defect is fixed.
KNOWN_BUGS = {
    "layer_norm_input_data_write": (
        "a write through .data into the input of F.layer_norm before its backward with "
        "create_graph (t2 = F.layer_norm(t0, (1, 4)); t0.data.mul_(3.0); "
        "F.mse_loss(t2, t1, reduction='sum').backward(create_graph=True)): PyTorch's "
        "infinitely_differentiable_native_layer_norm_backward reads the saved mean and rstd of "
        "the forward with the input as it is now, ndgrad's differentiable backward recomputes "
        "mean and variance from the input (t0.grad: torch [34.9, 43.9, 183.8, 193.9], ndgrad "
        "~4e-6; widened fuzz seed 5). Without create_graph ndgrad reads the saved moments too"
    ),
    "as_strided_outside_base": (
        "a view whose memory leaves the elements of its autograd base: as_strided of a tensor "
        "reaching past its base (t = x[0:1].detach(); v = t.as_strided((), (), 2); v.mul_(w): "
        "ndgrad raises 'in-place operation on a view whose memory is not part of its base', "
        "PyTorch writes and fails only in backward), or as_strided_ of the base of a live view "
        "(x = a * 1; v = x[2:]; x.as_strided_((1,), (1,), 0); x.mul_(2) writes, as PyTorch, "
        "but a later use of v's history raises in ndgrad; and PyTorch re-derives every view "
        "of x as AsStridedBackward0 after x.as_strided_, where ndgrad keeps the view's own "
        "node). ndgrad re-derives a view by flat index into its base's elements, PyTorch by "
        "as_strided of the storage"
    ),
}
KNOWN_BUG_OPS: frozenset[str] = frozenset()  # ops drawn only with --known-bugs


class Generator:
    """Draws one program, using a PyTorch shadow run of the program so far as the oracle."""

    KEEP_ERROR = 0.5
    known_bugs = False  # draw the statements of KNOWN_BUGS too

    def target(self) -> int | None:
        """A variable to write into: rarely a leaf that requires grad (PyTorch refuses those),
        never the result of ``autograd.grad`` (whether those results share memory with each
        other is PyTorch's implementation detail)."""

        def of_leaf(t: Any) -> bool:
            base = t if t._base is None else t._base
            return bool(base.is_leaf and base.requires_grad)

        if self.rng.random() < 0.1:
            return self.pick(self.writable)
        return self.pick(lambda t: self.writable(t) and not of_leaf(t))

    def writable(self, t: Any) -> bool:
        """False for the results of ``autograd.grad`` and what shares their memory."""
        return _storage(t) not in {_storage(self.env[i]) for i in self.no_write}

    def same_elements_write(self, op: str, args: tuple[int, ...], params: dict[str, Any]) -> bool:
        """True when the statement writes a tensor into the very same elements, in the same
        order, through another view whose size-1 dims have other strides (``x[..., None] = y``
        with y an alias of x). PyTorch compares all strides, those of size-1 dims included, and
        calls that a partial overlap (and raises) or not depending on how each view was made;
        numpy assigns size-1 dims other strides, so ndgrad, which ignores them, allows the
        write. Implementation-defined: the generator draws no such statement."""
        if op not in _WRITES_FROM or len(args) < 2:
            return False
        x, y = self.env[args[0]], self.env[args[1]]
        if op != "setitem":  # x.div_(y): the same check, by TensorIterator
            return any(self.same_elements(x, self.env[i]) for i in args[1:])
        if any(i[0] in ("long", "bool") for i in params["idx"]):
            return False
        if _storage(x) < 0 or _storage(x) != _storage(y) or x.numel() == 0:
            return False
        try:
            x = x[_build_index(self.torch, params["idx"])]
            y = y.expand_as(x)
        except RuntimeError:
            return False
        return x.data_ptr() == y.data_ptr() and all(
            n == 1 or a == b for n, a, b in zip(x.shape, x.stride(), y.stride(), strict=True)
        )

    @staticmethod
    def same_elements(x: Any, y: Any) -> bool:
        if _storage(x) < 0 or _storage(x) != _storage(y) or x.numel() == 0:
            return False
        try:
            y = y.expand_as(x)
        except RuntimeError:
            return False
        same = [a == b for a, b in zip(x.stride(), y.stride(), strict=True)]
        return (
            x.data_ptr() == y.data_ptr()
            and all(s or n == 1 for n, s in zip(x.shape, same, strict=True))
            and not all(same)
        )

    def overlapping_destination(
        self, op: str, args: tuple[int, ...], params: dict[str, Any]
    ) -> bool:
        """True for a write into elements that share memory without a stride of 0 (an
        ``unfold`` with overlapping windows): PyTorch does not check such a destination (too
        hard to tell) and writes each element in its kernel's order, so its result, and whether
        ndgrad (which refuses a recorded write there) raises, are implementation-defined. A
        destination with a stride of 0 is refused by PyTorch: that is compared."""
        if op not in _WRITING or not args:
            return False
        x = self.env[args[0]]
        if op in ("setitem", "data_setitem") and not any(
            i[0] in ("long", "bool") for i in params["idx"]
        ):
            try:
                x = x[_build_index(self.torch, params["idx"])]
            except Exception:
                return False
        return _overlapping(x) and not _expanded(x)

    def undefined_alias(self, op: str, args: tuple[int, ...], params: dict[str, Any]) -> bool:
        """True when the statement writes into memory it also reads from another position
        (a source overlapping the destination without being the same view, or an advanced-index
        write of a tensor into an expanded tensor): PyTorch's result then depends on the
        iteration order of its kernel (unless it detects the overlap and raises, which is
        compared)."""
        if op == "setself":
            (a, b, _), (c, d, _) = params["dst"][0][1:], params["src"][0][1:]
            x = self.env[args[0]]
            if not _overlapping(x):
                return a < d and c < b
            # rows of an overlapping view (as_strided, unfold) can share memory whatever their
            # indices; and a destination whose elements share memory is written in PyTorch's
            # kernel order (see overlapping_destination)
            dst, src = (x[_build_index(self.torch, params[k])] for k in ("dst", "src"))
            if _overlapping(dst) and not _expanded(dst):
                return True
            return bool(np.intersect1d(_offsets(dst), _offsets(src)).size)
        if self.overlapping_destination(op, args, params):
            return True
        if op in _INDEX_WRITES:
            x = self.env[args[0]]
            if _storage(x) < 0:
                return False
            return _overlapping(x) or any(_storage(self.env[i]) == _storage(x) for i in args[1:])
        if op not in _WRITES_FROM or len(args) < 2:
            return False
        return any(
            self.undefined_source(op, self.env[args[0]], self.env[i], params) for i in args[1:]
        )

    def undefined_source(self, op: str, x: Any, y: Any, params: dict[str, Any]) -> bool:
        if _storage(x) < 0 or _storage(y) < 0:  # a ZeroTensor: PyTorch refuses to write into it
            return False
        advanced = op == "setitem" and any(i[0] in ("long", "bool") for i in params["idx"])
        if advanced and _overlapping(x):
            return True
        if _storage(x) != _storage(y) or x.numel() == 0 or y.numel() == 0:
            return False
        if advanced:
            return True
        try:
            if op == "setitem":
                x = x[_build_index(self.torch, params["idx"])]
            y = y.expand_as(x)
        except RuntimeError:
            return False  # PyTorch raises for the shapes: that is compared
        return (x.data_ptr(), tuple(x.shape), x.stride()) != (
            y.data_ptr(),
            tuple(y.shape),
            y.stride(),
        )

    def track_mixed(
        self,
        op: str,
        args: tuple[int, ...],
        values: list[Any],
        out: tuple[int, ...],
        results: list[Any],
    ) -> None:
        """Follow run_program's ``mixed`` set, by variable. ``reshape``/``flatten`` of such a
        tensor is a view in one library and a copy in the other (each as its layout allows), so
        whether a later write into the input shows in the result, or the other way round, is
        implementation-defined: neither gets written into (``no_write``)."""
        produced = [i for i, t in zip(out, results, strict=True) if t is not None]
        layout = _layout_args(op, list(args))
        if (
            _mixed_layouts(_layout_args(op, values))
            or _composite_mixed(op, values)
            or (op not in _GRADIENTS and set(layout) & self.mixed)
        ):
            self.mixed.update(produced)
        elif op not in _GRADIENTS and op != "index" and any(map(_repeats, values)):
            self.mixed.update(
                i for i, t in zip(out, results, strict=True) if t is not None and t._base is None
            )
        if op in ("reshape", "flatten") and args[0] in self.mixed:
            self.no_write |= {args[0], *produced}

    def __init__(self, torch: Any, rng: random.Random, length: int) -> None:
        self.torch = torch
        self.rng = rng
        self.length = length
        self.program: list[Stmt] = []
        self.env: dict[int, Any] = {}
        self.next_id = 0
        self.no_write: set[int] = set()  # results of autograd.grad, and see mixed_reshape
        self.mixed: set[int] = set()  # variables whose layout is each library's own (run_program)
        self.higher: set[int] = set()  # gradients, and values computed from them
        self.normalized: set[int] = set()  # storages of layer_norm inputs (see KNOWN_BUGS)
        self.data_aliased: set[int] = set()  # storages some ``.data`` alias writes without a trace
        self.mixed_grads: set[int] = set()  # leaves whose .grad is of mixed layout
        self.loss_storages: set[int] = set()  # storages of reduced mse_loss results
        self.used: set[int] = set()  # outputs already differentiated
        self.pending: list[Callable[[], tuple | None]] = []  # the rest of a block
        self.last = -1  # the variable the last statement defined
        self.grid = list(_GRID)
        rng.shuffle(self.grid)

    # --- helpers
    def values(self, shape: tuple[int, ...]) -> Any:
        n = math.prod(shape)
        flat = [self.grid.pop() for _ in range(n)]
        return np.array(flat).reshape(shape).tolist() if shape else flat[0]

    def pick(
        self, pred: Callable[[Any], bool] = lambda t: True, among: set[int] | None = None
    ) -> int | None:
        ids = [
            i
            for i, t in self.env.items()
            if (among is None or i in among) and _usable(t) and pred(t)
        ]
        return self.rng.choice(ids) if ids else None

    def dim_of(self, t: Any, extra: int = 0) -> int:
        n = max(t.dim() + extra, 1)
        return self.rng.randrange(-n, n)

    def const(self) -> float:
        return self.rng.choice(_CONSTS)

    @staticmethod
    def min_abs(t: Any) -> float:
        return float(t.detach().abs().min()) if t.numel() else 1.0

    @staticmethod
    def max_abs(t: Any) -> float:
        return float(t.detach().abs().max()) if t.numel() else 0.0

    def basic_index(self, shape: tuple[int, ...], allow_int: bool = True) -> tuple:
        rng = self.rng
        items: list[tuple] = []
        k = rng.randint(0, len(shape))
        for d in shape[:k]:
            r = rng.random()
            if d == 0:
                items.append(("s", None, None, None))
            elif allow_int and r < 0.25:
                items.append(("i", rng.randrange(-d, d)))
            elif r < 0.4:
                items.append(("s", None, None, None))
            else:
                start = rng.randrange(0, d)
                stop = rng.randint(start + 1, d)
                items.append(
                    (
                        "s",
                        rng.choice([start, None]) if start == 0 else start,
                        None if stop == d and rng.random() < 0.5 else stop,
                        rng.choice([None, 1, 2, 3]),
                    )
                )
        if rng.random() < 0.3:
            items.insert(rng.randint(0, len(items)), ("none",))
        if rng.random() < 0.25:
            items.insert(rng.choice([0, len(items)]) if k == 0 else len(items), ("ell",))
        return tuple(items)

    def adv_index(self, shape: tuple[int, ...], unique: bool) -> tuple:
        rng = self.rng
        if not shape or 0 in shape or rng.random() < 0.3:
            mask = np.array([rng.random() < 0.5 for _ in range(math.prod(shape))])
            mask = mask.reshape(shape)
            if rng.random() < 0.5 and shape and shape[0]:  # a mask over the first dim only
                mask = np.array([rng.random() < 0.5 for _ in range(shape[0])])
            return (("bool", mask.tolist()),)
        dim = rng.randrange(min(len(shape), 2))
        d = shape[dim]
        n = rng.randint(1, 3)
        idx = (
            rng.sample(range(-d, d), min(n, d))
            if unique
            else [rng.randrange(-d, d) for _ in range(n)]
        )
        if unique:  # -1 and d-1 are the same element
            idx = list({i % d: i for i in idx}.values())
        return (("s", None, None, None),) * dim + (("long", idx),)

    # --- proposals, one per family; each returns (op, args, params) or None
    def p_leaf(self) -> tuple | None:
        rng = self.rng
        ndim = rng.choice([0, 1, 1, 2, 2, 3])
        shape = tuple(rng.randint(1, 4) for _ in range(ndim))
        if len(self.grid) < 64:
            return None
        return "leaf", (), _params(values=self.values(shape), requires_grad=rng.random() < 0.8)

    def p_unary(self) -> tuple | None:
        rng = self.rng
        higher = self.pick(lambda t: t.requires_grad and t.dim() > 0, among=self.higher)
        if higher is not None and rng.random() < 0.5:  # a loss of a gradient: second order
            return "wsum", (higher,), _params(w=self.values(tuple(self.env[higher].shape)))
        x = self.pick()
        if x is None:
            return None
        t = self.env[x]
        op = rng.choice(
            (
                *("neg", "exp", "tanh", "sigmoid", "sin", "relu", "abs", "elu", "gelu", "silu"),
                *("softmax", "log_softmax", "mul_s", "add_s", "rsub", "rdiv", "square", "pow2"),
                *("clone", "sum", "mean", "wsum", "wsum", "wsum"),
            )
        )
        if op in ("relu", "abs", "elu") and self.min_abs(t) < 1e-3:
            return None
        if op == "rdiv" and self.min_abs(t) < 0.1:
            return None
        if op == "exp" and t.numel() and float(t.detach().max()) > 5:
            return None
        if op in ("square", "pow2") and self.max_abs(t) > 1e3:
            return None
        if op in ("softmax", "log_softmax"):
            return op, (x,), _params(dim=self.dim_of(t))
        if op in ("mul_s", "add_s", "rsub", "rdiv"):
            return op, (x,), _params(c=self.const())
        if op in ("sum", "mean"):
            if rng.random() < 0.5:
                return op, (x,), _params(dim=None, keepdim=False)
            return op, (x,), _params(dim=self.dim_of(t), keepdim=rng.random() < 0.5)
        if op == "wsum":
            return op, (x,), _params(w=self.values(tuple(t.shape)))
        return op, (x,), ()

    def p_binary(self) -> tuple | None:
        rng = self.rng
        x = self.pick()
        if x is None:
            return None
        sx = tuple(self.env[x].shape)
        y = self.pick(lambda t: _can_broadcast(tuple(t.shape), sx))
        if y is None:
            return None
        op = rng.choice(["add", "sub", "mul", "div", "add_alpha"])
        if op == "div" and self.min_abs(self.env[y]) < 0.1:
            return None
        if op == "add_alpha":
            return op, (x, y), _params(alpha=rng.choice([0.1, -2.0, 0.5]))
        return op, (x, y), ()

    def p_view(self) -> tuple | None:
        rng = self.rng
        x = self.pick()
        if x is None:
            return None
        t = self.env[x]
        shape = tuple(t.shape)
        n = len(shape)
        op = rng.choice(
            (
                *("index", "index", "index", "adv", "transpose", "t", "permute", "expand"),
                *("broadcast_to", "view", "view", "reshape", "flatten", "unbind", "split"),
                *("chunk", "narrow", "select", "diagonal", "squeeze", "unsqueeze", "detach"),
                *("unfold", "unfold", "movedim", "swapaxes", "view_as", "expand_as"),
            )
        )
        if op == "index":
            return op, (x,), _params(idx=self.basic_index(shape))
        if op == "adv":
            return "index", (x,), _params(idx=self.adv_index(shape, unique=False))
        if op == "transpose":
            return op, (x,), _params(d0=self.dim_of(t), d1=self.dim_of(t))
        if op == "permute":
            dims = list(range(n))
            rng.shuffle(dims)
            return op, (x,), _params(dims=tuple(dims))
        if op in ("expand", "broadcast_to"):
            lead = tuple(rng.randint(1, 3) for _ in range(rng.choice([0, 0, 1, 2])))
            new = []
            for d in shape:
                if d == 1:
                    new.append(rng.choice([1, 2, 3]))
                else:
                    new.append(-1 if op == "expand" and rng.random() < 0.4 else d)
            return op, (x,), _params(shape=lead + tuple(new))
        if op in ("view", "reshape"):
            return op, (x,), _params(shape=_factor_shapes(max(t.numel(), 1), rng))
        if op in ("unbind", "split", "chunk", "narrow", "select", "diagonal", "squeeze"):
            if n == 0:
                return None
            dim = rng.randrange(-n, n)
            d = shape[dim]
            if op == "unbind":
                return op, (x,), _params(dim=dim)
            if op == "split":
                return op, (x,), _params(size=rng.randint(1, max(d, 1)), dim=dim)
            if op == "chunk":
                return op, (x,), _params(n=rng.randint(1, 3), dim=dim)
            if op == "narrow":
                start = rng.randrange(d) if d else 0
                length = rng.randint(1, d - start) if d else 0
                return op, (x,), _params(dim=dim, start=start, length=length)
            if op == "select":
                return op, (x,), _params(dim=dim, i=rng.randrange(-d, d) if d else 0)
            if op == "squeeze":
                return op, (x,), _params(dim=rng.choice(["", dim]))
            if n < 2:
                return None
            d1, d2 = rng.sample(range(n), 2)
            return op, (x,), _params(offset=rng.choice([0, 0, 1, -1]), d1=d1, d2=d2)
        if op == "unsqueeze":
            return op, (x,), _params(dim=self.dim_of(t, extra=1))
        if op == "unfold":
            dim = self.dim_of(t)
            d = shape[dim] if n else 1
            size = rng.randint(min(d, 1), d) if rng.random() > 0.05 else d + 1
            return op, (x,), _params(dim=dim, size=size, step=rng.randint(1, 3))
        if op in ("movedim", "swapaxes"):
            d0, d1 = self.dim_of(t), self.dim_of(t)
            if op == "swapaxes":
                return op, (x,), _params(d0=d0, d1=d1)
            if n >= 2 and rng.random() < 0.4:
                src_dims = tuple(rng.sample(range(n), 2))
                return op, (x,), _params(src=src_dims, dst=tuple(rng.sample(range(-n, n), 2)))
            return op, (x,), _params(src=d0, dst=d1)
        if op == "view_as":
            y = self.pick(lambda v: v.numel() == t.numel())
            return None if y is None else (op, (x, y), ())
        if op == "expand_as":
            y = self.pick(lambda v: _broadcasts_to(shape, tuple(v.shape)))
            return None if y is None else (op, (x, y), ())
        return op, (x,), ()

    def p_setitem(self) -> tuple | None:
        rng = self.rng
        x = self.target()
        if x is None:
            return None
        t = self.env[x]
        shape = tuple(t.shape)
        if rng.random() < 0.15 and shape and shape[0] >= 2:
            d = shape[0]
            length = rng.randint(1, d - 1)
            a, b = rng.sample(range(d - length + 1), 2) if d - length >= 1 else (0, 0)
            return (
                "setself",
                (x,),
                _params(dst=(("s", a, a + length, None),), src=(("s", b, b + length, None),)),
            )
        idx = self.basic_index(shape) if rng.random() < 0.7 else self.adv_index(shape, unique=True)
        try:
            target = tuple(t.detach()[_build_index(self.torch, idx)].shape)
        except Exception:
            return None
        if rng.random() < 0.4:
            return "setitem", (x,), _params(idx=idx, c=self.const())
        y = self.pick(lambda v: _broadcasts_to(tuple(v.shape), target))
        if y is None:
            return "setitem", (x,), _params(idx=idx, c=self.const())
        return "setitem", (x, y), _params(idx=idx)

    def p_inplace(self) -> tuple | None:
        rng = self.rng
        x = self.target()
        if x is None:
            return None
        t = self.env[x]
        shape = tuple(t.shape)
        op = rng.choice(
            (
                *("add_", "sub_", "mul_", "div_", "copy_", "iadd", "isub", "imul", "exp_"),
                *("tanh_", "sigmoid_", "neg_", "zero_", "fill_", "clamp_", "clamp_"),
            )
        )
        if op in ("add_", "sub_", "mul_", "div_", "copy_", "iadd", "isub", "imul"):
            if op != "copy_" and rng.random() < 0.35:
                return op, (x,), _params(c=self.const())
            y = self.pick(lambda v: _broadcasts_to(tuple(v.shape), shape))
            if y is None:
                return None
            if op == "div_" and self.min_abs(self.env[y]) < 0.1:
                return None
            if op in ("mul_", "imul") and self.max_abs(self.env[y]) * self.max_abs(t) > 1e3:
                return None
            return op, (x, y), ()
        if op == "exp_" and t.numel() and float(t.detach().max()) > 5:
            return None
        if op == "fill_":
            return op, (x,), _params(c=self.const())
        if op == "clamp_":
            for _ in range(5):
                lo, hi = sorted(rng.sample(self.grid[:50], 2))
                vals = t.detach()
                if (
                    not t.numel()
                    or float(self.torch.minimum((vals - lo).abs(), (vals - hi).abs()).min()) > 1e-3
                ):
                    return op, (x,), _params(lo=lo, hi=hi)
            return None
        return op, (x,), ()

    def p_autograd(self) -> tuple | None:
        rng = self.rng
        op = rng.choice(
            (
                *("retain_grad", "retain_grad", "backward", "backward", "backward", "grad"),
                *("grad", "getgrad", "getgrad", "grad_none", "requires_grad_", "detach_"),
                "grad_empty",
            )
        )
        scalar = self.pick(lambda t: t.dim() == 0 and t.requires_grad)
        r = rng.random()
        if r < 0.5:  # prefer a loss of a gradient (second order), or one used before (twice)
            scalar = self.pick(lambda t: t.dim() == 0 and t.requires_grad, self.higher) or scalar
        elif r < 0.7:
            scalar = self.pick(lambda t: t.dim() == 0 and t.requires_grad, self.used) or scalar
        if op == "retain_grad":
            x = self.pick(lambda t: not t.is_leaf)
            return None if x is None else (op, (x,), ())
        if op in ("backward", "grad") and scalar is None and rng.random() < 0.8:
            x = self.pick(lambda t: t.requires_grad)  # make a loss first
            if x is None:
                return None
            return "wsum", (x,), _params(w=self.values(tuple(self.env[x].shape)))
        if op == "backward":
            if rng.random() < 0.03 or scalar is None:
                scalar = self.pick()
            if scalar is None:
                return None
            return (
                op,
                (scalar,),
                _params(retain_graph=rng.random() < 0.5, create_graph=rng.random() < 0.35),
            )
        if op in ("grad", "grad_empty"):
            if scalar is None:
                return None
            if op == "grad_empty":
                return "grad", (scalar,), _params(retain_graph=False, create_graph=False)
            pool = [i for i, t in self.env.items() if _usable(t) and t.requires_grad]
            inputs = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
            return (
                "grad",
                (scalar, *inputs),
                _params(retain_graph=rng.random() < 0.5, create_graph=rng.random() < 0.5),
            )
        if op == "getgrad":
            x = self.pick(lambda t: (t.is_leaf or t.retains_grad) and t.grad is not None)
            return None if x is None else (op, (x,), ())
        if op == "grad_none":
            x = self.pick(lambda t: t.is_leaf and t.grad is not None)
            return None if x is None else (op, (x,), ())
        if op == "requires_grad_":
            # not on a result of autograd.grad: whether two results are one tensor object
            # depends on how PyTorch writes each derivative (as whether they share memory)
            x = self.pick(lambda t: t.is_leaf and not t.requires_grad and self.writable(t))
            return None if x is None else (op, (x,), ())
        # detach_: not on a result of autograd.grad, which PyTorch may return as a view of
        # another tensor (then detach_ raises), depending on how its derivative is written.
        x = self.pick(self.writable)
        return None if x is None or rng.random() < 0.5 else (op, (x,), ())

    # --- proposals added by the widening of the menu
    def threshold(self, t: Any) -> float | None:
        """A constant at least 1e-3 away from every element of ``t`` (a comparison ``t > c``
        that no rounding flips), splitting its values where it can."""
        vals = sorted(float(v) for v in t.detach().flatten())
        cuts = [(a + b) / 2 for a, b in itertools.pairwise(vals) if b - a > 2e-3] or [
            v + s for v in vals[:1] for s in (-0.5, 0.5)
        ]
        if not vals:
            return self.const()
        return round(self.rng.choice(cuts), 6)

    def apart(self, a: Any, b: Any, exact_ties: bool = False) -> bool:
        """True when ``a`` and ``b`` (broadcast) differ by more than 1e-3 everywhere (or, with
        ``exact_ties``, are exactly equal where they are closer)."""
        d = (a.detach() - b.detach()).abs()
        if exact_ties:
            d = d[d != 0]
        return not d.numel() or float(d.min()) > 1e-3

    def mask_for(self, shape: tuple[int, ...]) -> Any:
        """A bool mask broadcastable to ``shape`` (the full shape, or its trailing dims)."""
        k = self.rng.randint(0, len(shape)) if self.rng.random() < 0.4 else 0
        sub = shape[k:]
        bits = np.array([self.rng.random() < 0.5 for _ in range(math.prod(sub))]).reshape(sub)
        return bits.tolist()

    def adv_index2(self, shape: tuple[int, ...], unique: bool) -> tuple | None:
        """Two long index tensors (pairs, unique for a write), on dims 0 and 1, or on 0 and 2
        with a slice between (the indexed dims then go first)."""
        rng = self.rng
        if len(shape) < 2 or 0 in shape:
            return None
        apart = len(shape) >= 3 and rng.random() < 0.4
        d0, d1 = shape[0], shape[2 if apart else 1]
        n = rng.randint(1, 3)
        pairs = [(rng.randrange(-d0, d0), rng.randrange(-d1, d1)) for _ in range(n)]
        if unique:
            pairs = list({(i % d0, j % d1): (i, j) for i, j in pairs}.values())
        first = ("long", [i for i, _ in pairs])
        second = ("long", [j for _, j in pairs])
        if apart:
            return (first, ("s", None, None, None), second)
        return (first, second)

    def p_multi(self) -> tuple | None:
        """cat, stack, where (its condition a comparison), matmul, maximum."""
        rng = self.rng
        x = self.pick()
        if x is None:
            return None
        t = self.env[x]
        shape, n = tuple(t.shape), t.dim()
        op = rng.choice(("cat", "cat", "stack", "where", "where", "matmul", "matmul", "maximum"))
        if op in ("cat", "stack"):
            dim = self.dim_of(t, extra=op == "stack")
            d = dim % max(n, 1)

            def fits(v: Any) -> bool:
                if op == "stack":
                    return tuple(v.shape) == shape
                return v.dim() == n and all(
                    a == b for j, (a, b) in enumerate(zip(v.shape, shape, strict=True)) if j != d
                )

            others = [self.pick(fits if rng.random() > 0.05 else lambda v: True)]
            if rng.random() < 0.4:
                others.append(self.pick(fits))
            if None in others:
                return None
            return op, (x, *others), _params(dim=dim)
        if op == "where":
            a = self.pick(lambda v: _can_broadcast(tuple(v.shape), shape))
            if a is None:
                return None
            sa = tuple(self.env[a].shape)
            b = self.pick(
                lambda v: (
                    _can_broadcast(tuple(v.shape), shape) and _can_broadcast(tuple(v.shape), sa)
                )
            )
            c = self.threshold(t)
            return None if b is None or c is None else ("where", (x, a, b), _params(c=c))
        if op == "matmul":
            if n not in (1, 2) and rng.random() > 0.05:
                return None
            k = shape[-1] if shape else 1
            y = self.pick(lambda v: v.dim() in (1, 2) and v.shape[0] == k)
            if y is None:
                return None
            if self.max_abs(t) * self.max_abs(self.env[y]) * k > 1e3:
                return None
            return op, (x, y), ()
        y = self.pick(lambda v: _can_broadcast(tuple(v.shape), shape))
        if y is None or (y != x and not self.apart(t, self.env[y])):
            return None
        return op, (x, y), ()

    def p_indexing(self) -> tuple | None:
        """gather, index_select, masked_fill (out of place), an index by two long tensors."""
        rng = self.rng
        x = self.pick()
        if x is None:
            return None
        t = self.env[x]
        shape, n = tuple(t.shape), t.dim()
        if n == 0 or 0 in shape:
            return None
        op = rng.choice(("gather", "gather", "index_select", "masked_fill", "adv2"))
        dim = rng.randrange(-n, n)
        d = shape[dim]
        bad = rng.random() < 0.03  # an index out of range: the error is compared
        if op == "gather":
            ishape = [rng.randint(1, s) for s in shape]
            ishape[dim] = rng.randint(1, 3)
            index = np.array([rng.randrange(d + bad) for _ in range(math.prod(ishape))])
            return op, (x,), _params(dim=dim, index=index.reshape(ishape).tolist())
        if op == "index_select":
            index = [rng.randrange(d + bad) for _ in range(rng.randint(1, 3))]
            return op, (x,), _params(dim=dim, index=index)
        if op == "masked_fill":
            return op, (x,), _params(mask=self.mask_for(shape), c=self.const())
        idx = self.adv_index2(shape, unique=False)
        return None if idx is None else ("index", (x,), _params(idx=idx))

    def p_inplace2(self) -> tuple | None:
        """masked_fill_, index_add_, index_copy_, scatter_, clamp_min_, addcmul_, lerp_, and an
        index assignment through two long index tensors."""
        rng = self.rng
        x = self.target()
        if x is None:
            return None
        t = self.env[x]
        shape, n = tuple(t.shape), t.dim()
        op = rng.choice(
            (
                *("masked_fill_", "index_add_", "index_add_", "index_copy_", "scatter_"),
                *("scatter_", "clamp_min_", "addcmul_", "lerp_", "lerp_", "adv2"),
            )
        )
        if op == "masked_fill_":
            return op, (x,), _params(mask=self.mask_for(shape), c=self.const())
        if op == "clamp_min_":
            for _ in range(5):
                c = rng.choice(self.grid[:50])
                if not t.numel() or float((t.detach() - c).abs().min()) > 1e-3:
                    return op, (x,), _params(c=c)
            return None
        if op == "addcmul_":
            y = self.pick(lambda v: _broadcasts_to(tuple(v.shape), shape))
            z = self.pick(lambda v: _broadcasts_to(tuple(v.shape), shape))
            if y is None or z is None:
                return None
            if self.max_abs(self.env[y]) * self.max_abs(self.env[z]) > 1e3:
                return None
            return op, (x, y, z), _params(v=rng.choice([0.5, -2.0, 1.0]))
        if op == "lerp_":
            y = self.pick(lambda v: _broadcasts_to(tuple(v.shape), shape))
            if y is None:
                return None
            if rng.random() < 0.5:
                return op, (x, y), _params(w=rng.choice([0.25, 0.5, 0.75, 1.5, -0.5]))
            w = self.pick(lambda v: _broadcasts_to(tuple(v.shape), shape))
            return None if w is None else (op, (x, y, w), ())
        if op == "adv2":
            idx = self.adv_index2(shape, unique=True)
            if idx is None:
                return None
            if rng.random() < 0.4:
                return "setitem", (x,), _params(idx=idx, c=self.const())
            target = tuple(t.detach()[_build_index(self.torch, idx)].shape)
            y = self.pick(lambda v: _broadcasts_to(tuple(v.shape), target))
            if y is None:
                return "setitem", (x,), _params(idx=idx, c=self.const())
            return "setitem", (x, y), _params(idx=idx)
        if n == 0 or 0 in shape:
            return None
        dim = rng.randrange(-n, n)
        d = dim % n

        def fits(v: Any) -> bool:  # the source: x's shape but along dim (scatter_: no larger)
            return v.dim() == n and all(
                a == b or (op == "scatter_" and a >= b) or j == d
                for j, (a, b) in enumerate(zip(shape, v.shape, strict=True))
            )

        y = self.pick(fits)
        if y is None:
            return None
        src = tuple(self.env[y].shape)
        if op == "index_add_":
            index = [rng.randrange(shape[d]) for _ in range(src[d])]
            alpha = rng.choice([None, None, 2.0, -0.5])
            return op, (x, y), _params(dim=dim, index=index, alpha=alpha)
        if op == "index_copy_":
            if src[d] > shape[d]:
                return None
            return op, (x, y), _params(dim=dim, index=rng.sample(range(shape[d]), src[d]))
        # scatter_: an index of src's shape, or smaller (PyTorch's ScatterBackward0 gives src a
        # gradient of the index's shape, and its engine refuses it: the error is compared),
        # unique along dim
        if src[d] > shape[d]:
            return None
        ishape = list(src)
        if rng.random() < 0.3:
            ishape = [rng.randint(1, s) if s else 0 for s in src]
        index = np.zeros(ishape, dtype=np.int64)
        rest = [s for j, s in enumerate(ishape) if j != d]
        for pos in np.ndindex(*rest):
            where = (*pos[:d], slice(None), *pos[d:])
            index[where] = rng.sample(range(shape[d]), ishape[d])
        return op, (x, y), _params(dim=dim, index=index.tolist(), alpha=None)

    def p_inplace_view(self) -> tuple | None:
        """t_, transpose_, unsqueeze_, squeeze_: a tensor's own shape changed in place."""
        rng = self.rng
        x = self.pick(self.writable)
        if x is None:
            return None
        t = self.env[x]
        op = rng.choice(("t_", "transpose_", "transpose_", "unsqueeze_", "squeeze_"))
        if op == "t_":
            return None if t.dim() > 2 and rng.random() > 0.1 else (op, (x,), ())
        if op == "transpose_":
            return op, (x,), _params(d0=self.dim_of(t), d1=self.dim_of(t))
        if op == "unsqueeze_":
            return op, (x,), _params(dim=self.dim_of(t, extra=1))
        return op, (x,), _params(dim=self.dim_of(t))

    def strided_input(self, t: Any) -> bool:
        """True for a tensor whose storage ``as_strided`` may read: its memory is laid out
        alike in both libraries. Not a tensor of mixed layout (its storage order is each
        library's own), nor a gradient or what shares its memory (PyTorch may return an
        expanded gradient, or a view of a larger buffer), nor a ZeroTensor (no storage)."""
        if _storage(t) < 0:
            return False
        if _storage(t) in self.loss_storages:
            return False  # a storage larger than its tensor (PyTorch's mse_loss result)
        avoid = self.mixed | self.no_write | self.higher
        return _storage(t) not in {
            _storage(self.env[i]) for i in avoid if self.env.get(i) is not None
        }

    def strided_geometry(self, t: Any) -> dict[str, Any] | None:
        """Sizes, strides and a storage offset inside ``t``'s storage: C-contiguous, permuted,
        or random strides (0, or smaller than the extent: overlapping views); rarely one that
        reaches past the storage (PyTorch's error is compared)."""
        rng = self.rng
        n = t.untyped_storage().nbytes() // t.element_size()
        for _ in range(10):
            ndim = rng.choice([0, 1, 1, 2, 2, 3])
            size = [rng.randint(1, 3) if rng.random() > 0.03 else 0 for _ in range(ndim)]
            mode = rng.choice(("contiguous", "permuted", "random", "random"))
            if mode == "random":
                stride = [rng.choice([0, 1, 1, 2, 3, 4, 5]) for _ in range(ndim)]
            else:
                stride = [math.prod(size[j + 1 :]) for j in range(ndim)]
                if mode == "permuted":
                    order = list(range(ndim))
                    rng.shuffle(order)
                    stride = [
                        math.prod(size[k] for k in order[order.index(j) + 1 :]) for j in range(ndim)
                    ]
            reach = (
                sum((a - 1) * b for a, b in zip(size, stride, strict=True)) if 0 not in size else 0
            )
            room = n - 1 - reach
            if rng.random() < 0.03:  # past the end of the storage
                return {"size": tuple(size), "stride": tuple(stride), "offset": max(room + 1, 0)}
            if room < 0:
                continue
            if rng.random() < 0.3 and t.storage_offset() <= room:
                offset = None
            else:
                offset = rng.randint(0, room)
            return {"size": tuple(size), "stride": tuple(stride), "offset": offset}
        return None

    def p_strided(self) -> tuple | None:
        """``torch.as_strided``, ``Tensor.as_strided`` and ``Tensor.as_strided_``: views of the
        storage, overlapping ones too (writes into those are kept out by
        ``overlapping_destination``, as for unfold)."""
        rng = self.rng
        op = rng.choice(("as_strided", "as_strided", "as_strided_m", "as_strided_"))
        if op == "as_strided_":
            # not of the base of a live view, unless asked: KNOWN_BUGS["as_strided_outside_base"]
            bases = {id(v._base) for v in self.env.values() if v is not None and _usable(v)}
            x = self.pick(
                lambda t: (
                    self.writable(t)
                    and self.strided_input(t)
                    and (self.known_bugs or id(t) not in bases)
                )
            )
        else:
            x = self.pick(self.strided_input)
        if x is None:
            return None
        t = self.env[x]
        geometry = self.strided_geometry(t)
        if geometry is None:
            return None
        if not self.known_bugs and not self.inside_base(t, geometry):
            return None  # KNOWN_BUGS["as_strided_outside_base"]
        return op, (x,), _params(**geometry)

    @staticmethod
    def inside_base(t: Any, geometry: dict[str, Any]) -> bool:
        """True when every element of the geometry is an element of ``t``'s autograd base
        (``t._base``, or ``t`` itself: a detached view is its own base)."""
        base = t if t._base is None else t._base

        def positions(size: Sequence[int], stride: Sequence[int], offset: int) -> set[int]:
            out = np.full((), offset, dtype=np.int64)
            for n, st in zip(size, stride, strict=True):
                out = out[..., None] + np.arange(n, dtype=np.int64) * st
            return set(out.reshape(-1).tolist())

        offset = t.storage_offset() if geometry["offset"] is None else geometry["offset"]
        inside = positions(base.shape, base.stride(), base.storage_offset())
        return positions(geometry["size"], geometry["stride"], offset) <= inside

    def p_reduce_dim(self) -> tuple | None:
        """cumsum, max(dim).values, amax, prod, norm; ties and kinks kept away."""
        rng = self.rng
        x = self.pick()
        if x is None:
            return None
        t = self.env[x]
        v = t.detach()
        op = rng.choice(("cumsum", "max_dim", "amax", "prod", "norm"))
        dim = self.dim_of(t)
        keepdim = rng.random() < 0.4
        if op == "cumsum":
            return op, (x,), _params(dim=dim)
        if op in ("max_dim", "amax"):
            if op == "amax" and rng.random() < 0.3:
                dim, v = None, v.flatten()
            if v.dim() and v.shape[dim if dim is not None else 0] > 1 and v.numel():
                top = v.topk(2, dim=0 if dim is None else dim).values
                gap = (
                    top.select(0 if dim is None else dim, 0)
                    - top.select(0 if dim is None else dim, 1)
                ).abs()
                # max(dim) picks one of equal maxima (which is PyTorch's choice): none; amax
                # shares the gradient between exact ties (compared), never near ones
                if op == "max_dim" and float(gap.min()) <= 1e-3:
                    return None
                if op == "amax" and bool(((gap > 0) & (gap <= 1e-3)).any()):
                    return None
            return op, (x,), _params(dim=dim, keepdim=keepdim)
        if op == "prod":
            if rng.random() < 0.3:
                dim = None
            a = v.abs()
            if bool(((a > 0) & (a < 1e-6)).any()) or (a.numel() and float(a.max()) > 3):
                return None
            return op, (x,), _params(dim=dim, keepdim=keepdim)
        p = rng.choice([2, 2, 1])
        if rng.random() < 0.3:
            dim = None
        if p == 1 and self.min_abs(t) < 1e-3:
            return None
        r = v.norm(p) if dim is None else v.norm(p, dim=dim)
        if bool(((r > 0) & (r < 1e-3)).any()):
            return None
        return "norm", (x,), _params(p=p, dim=dim, keepdim=keepdim)

    def p_hook(self) -> tuple | None:
        """``register_hook`` with a deterministic hook, mostly on a non-leaf. Not on a view:
        PyTorch 2.13 crashes (segmentation fault) in ``register_hook`` of a view whose base was
        written in place since (``t1[mask] = 0.5`` after ``t2 = t1.reshape(...)``) unless the
        view's ``grad_fn`` was read in between, which the interpreter does but a printed
        reproducer does not."""
        rng = self.rng
        x = self.pick(lambda t: t.requires_grad and not t.is_leaf and t._base is None)
        if x is None or rng.random() < 0.2:
            x = self.pick(lambda t: t._base is None)
        if x is None:
            return None
        kind = rng.choice(("mul", "mul", "add", "none"))
        return "hook", (x,), _params(kind=kind, c=rng.choice([2.0, 0.5, -1.0, 3.0]))

    # --- proposals of training code, more reductions and nn-level functions
    def away(self, t: Any, *points: float | None) -> bool:
        """True when every element of ``t`` is more than 1e-3 from each point (a kink)."""
        v = t.detach()
        return not v.numel() or all(c is None or float((v - c).abs().min()) > 1e-3 for c in points)

    def distinct_along(self, t: Any, dim: int | None) -> bool:
        """True when the values of ``t`` along ``dim`` (all of them for None) differ by more
        than 1e-3 pairwise: sort, topk and min(dim) then pick the same elements in both."""
        v = t.detach().flatten() if dim is None else t.detach()
        d = 0 if dim is None else dim
        if v.dim() == 0 or v.shape[d] < 2 or not v.numel():
            return True
        gaps = v.sort(d).values.diff(dim=d)
        return float(gaps.min()) > 1e-3

    def p_train(self) -> tuple | None:
        """relu_ and F.relu(inplace=True), dropout with p=0, ``.data`` reads and writes,
        contiguous, clamp, flip, roll, repeat, tril/triu and tril_/triu_."""
        rng = self.rng
        op = rng.choice(
            (
                *("relu_", "relu_inplace", "dropout", "data", "data_mul_", "data_mul_"),
                *("data_copy_", "data_setitem", "contiguous", "contiguous", "clamp", "clamp"),
                *("flip", "roll", "repeat", "tril", "triu", "tril_", "triu_"),
            )
        )
        if op in ("relu_", "relu_inplace", "tril_", "triu_"):
            x = self.target()
        elif op.startswith("data_"):
            x = self.pick(
                lambda t: (
                    self.writable(t)
                    and _storage(t) >= 0
                    # KNOWN_BUGS["layer_norm_input_data_write"]
                    and (self.known_bugs or _storage(t) not in self.normalized)
                )
            )
        elif op == "contiguous":
            # not of a tensor of mixed layout: a copy in one library, itself in the other
            x = self.pick(lambda t: id(t) not in {id(self.env[i]) for i in self.mixed})
        else:
            x = self.pick()
        if x is None:
            return None
        t = self.env[x]
        shape, n = tuple(t.shape), t.dim()
        if op in ("relu_", "relu_inplace"):
            return None if self.min_abs(t) < 1e-3 else (op, (x,), ())
        if op == "dropout":
            return op, (x,), _params(training=rng.random() < 0.5)
        if op == "data_mul_":
            return op, (x,), _params(c=self.const())
        if op == "data_copy_":
            y = self.pick(lambda v: _broadcasts_to(tuple(v.shape), shape))
            return None if y is None else (op, (x, y), ())
        if op == "data_setitem":
            return op, (x,), _params(idx=self.basic_index(shape), c=self.const())
        if op == "data" and not self.known_bugs and _storage(t) in self.normalized:
            return None  # its in-place ops would write a layer_norm input: KNOWN_BUGS
        if op in ("contiguous", "data"):
            return op, (x,), ()
        if op == "clamp":
            lo, hi = sorted(rng.sample(self.grid[:50], 2))
            r = rng.random()
            lo, hi = (None, hi) if r < 0.2 else (lo, None) if r < 0.4 else (lo, hi)
            return None if not self.away(t, lo, hi) else (op, (x,), _params(lo=lo, hi=hi))
        if op == "flip":
            dims = tuple(rng.sample(range(-n, n) if n else [0], rng.randint(1, max(n, 1))))
            dims = tuple({d % max(n, 1): d for d in dims}.values())
            return op, (x,), _params(dims=dims)
        if op == "roll":
            if n == 0 or rng.random() < 0.2:  # flattened, rolled and reshaped
                return op, (x,), _params(shifts=rng.randint(-3, 3), dims=None)
            dims = tuple(rng.sample(range(n), rng.randint(1, n)))
            shifts = tuple(rng.randint(-3, 3) for _ in dims)
            return op, (x,), _params(shifts=shifts, dims=dims)
        if op == "repeat":
            extra = rng.choice([0, 0, 1])
            sizes = tuple(rng.randint(1, 2) for _ in range(n + extra)) if n + extra else (2,)
            if rng.random() < 0.05:
                sizes = (2,) * max(n - 1, 0)  # fewer sizes than dims: the error is compared
            return op, (x,), _params(sizes=sizes)
        if n < 2 and rng.random() > 0.05:
            return None
        return op, (x,), _params(k=rng.choice([0, 0, 1, -1, 2]))

    def p_reduce2(self) -> tuple | None:
        """logsumexp, var/std, cumprod, sort/topk/min(dim) (distinct values), mean over dims."""
        rng = self.rng
        x = self.pick()
        if x is None:
            return None
        t = self.env[x]
        v = t.detach()
        n = t.dim()
        op = rng.choice(
            ("logsumexp", "var", "std", "cumprod", "sort", "topk", "min_dim", "mean_dims")
        )
        dim = self.dim_of(t)
        keepdim = rng.random() < 0.4
        if op == "logsumexp":
            return op, (x,), _params(dim=dim, keepdim=keepdim)
        if op in ("var", "std"):
            correction = rng.choice([0, 1, 1])
            if rng.random() < 0.3:
                dim, keepdim = None, False
            with warnings.catch_warnings():  # degrees of freedom <= 0: compared as is
                warnings.simplefilter("ignore")
                r = (
                    v.var(correction=correction)
                    if dim is None
                    else v.var(dim, correction=correction)
                )
            if op == "std" and not bool((r > 1e-6).all()):
                return None  # std's derivative at zero variance divides by zero
            return op, (x,), _params(dim=dim, keepdim=keepdim, correction=correction)
        if op == "cumprod":
            if self.max_abs(t) > 3:
                return None
            return op, (x,), _params(dim=dim)
        if op == "mean_dims":
            if n < 2:
                return None
            return op, (x,), _params(dims=tuple(rng.sample(range(-n, n), 2)), keepdim=keepdim)
        if not self.distinct_along(t, dim):
            return None
        if op == "sort":
            return op, (x,), _params(dim=dim, descending=rng.random() < 0.5)
        if op == "topk":
            d = t.shape[dim] if n else 1
            k = rng.randint(0, d) if rng.random() > 0.05 else d + 1
            return op, (x,), _params(k=k, dim=dim, largest=rng.random() < 0.7)
        return op, (x,), _params(dim=dim, keepdim=keepdim)

    def p_nn(self) -> tuple | None:
        """layer_norm, linear, mse_loss, normalize, pad, index_put_, masked_scatter_."""
        rng = self.rng
        op = rng.choice(
            (
                *("layer_norm", "layer_norm", "linear", "linear", "mse_loss", "normalize"),
                *("pad", "pad", "index_put_", "index_put_", "masked_scatter_"),
            )
        )
        x = self.target() if op in ("index_put_", "masked_scatter_") else self.pick()
        if x is None:
            return None
        t = self.env[x]
        v = t.detach()
        shape, n = tuple(t.shape), t.dim()
        if op == "layer_norm":
            if n == 0 or (not self.known_bugs and _storage(t) in self.data_aliased):
                return None  # (KNOWN_BUGS["layer_norm_input_data_write"])
            k = rng.randint(1, min(n, 2))
            norm = shape[n - k :]
            dims = tuple(range(n - k, n))
            if math.prod(norm) > 1 and v.numel() and float(v.var(dims, correction=0).min()) < 1e-3:
                return None
            args = [x]
            weight = rng.random() < 0.6 and self.pick(lambda u: tuple(u.shape) == norm)
            # a bias only with a weight: PyTorch's double backward of layer_norm with a bias and
            # no weight is defective (see the module docstring)
            bias = (
                weight not in (None, False)
                and rng.random() < 0.6
                and self.pick(lambda u: tuple(u.shape) == norm)
            )
            args += [a for a in (weight, bias) if a is not None and a is not False]
            return (
                op,
                tuple(args),
                _params(
                    shape=norm, weight=weight not in (None, False), bias=bias not in (None, False)
                ),
            )
        if op == "linear":
            if n == 0:
                return None
            k = shape[-1]
            w = self.pick(lambda u: u.dim() == 2 and u.shape[1] == k)
            if w is None:
                return None
            out = self.env[w].shape[0]
            if self.max_abs(t) * self.max_abs(self.env[w]) * k > 1e3:
                return None
            b = self.pick(lambda u: tuple(u.shape) in ((out,), ())) if rng.random() < 0.6 else None
            return op, (x, w) if b is None else (x, w, b), ()
        if op == "mse_loss":
            y = self.pick(
                lambda u: (
                    tuple(u.shape) == shape
                    or (rng.random() < 0.1 and _can_broadcast(tuple(u.shape), shape))
                )
            )
            if y is None:
                return None
            return op, (x, y), _params(reduction=rng.choice(("mean", "mean", "sum", "none")))
        if op == "normalize":
            p = rng.choice([2, 2, 1])
            dim = self.dim_of(t)
            if p == 1 and self.min_abs(t) < 1e-3:
                return None
            if n and v.numel() and float(v.norm(p, dim=dim).min()) < 1e-3:
                return None
            if n == 0 and abs(float(v)) < 1e-3:  # (a 0-d tensor is its own norm)
                return None
            return op, (x,), _params(p=float(p), dim=dim)
        if op == "pad":
            k = rng.randint(1, max(min(n, 3), 1))
            pad = tuple(rng.choice([0, 1, 2, -1]) for _ in range(2 * k))
            return op, (x,), _params(pad=pad, value=rng.choice([0.0, 0.0, 0.5, -1.25]))
        if op == "index_put_":
            if n == 0 or 0 in shape:
                return None
            accumulate = rng.random() < 0.5
            if n >= 2 and rng.random() < 0.3:
                d0, d1 = shape[0], shape[1]
                pairs = [(rng.randrange(-d0, d0), rng.randrange(-d1, d1)) for _ in range(3)]
                pairs = pairs[: rng.randint(1, 3)]
                if not accumulate:
                    pairs = list({(i % d0, j % d1): (i, j) for i, j in pairs}.values())
                index: tuple = ([i for i, _ in pairs], [j for _, j in pairs])
            else:
                d = shape[0]
                m = rng.randint(1, 3)
                rows = [rng.randrange(-d, d) for _ in range(m)]
                if not accumulate:
                    rows = list({i % d: i for i in rows}.values())
                index = (rows,)
            target = tuple(v[tuple(self.torch.tensor(i) for i in index)].shape)
            y = self.pick(lambda u: _broadcasts_to(tuple(u.shape), target))
            if y is None:
                return None
            params = _params(index=index, accumulate=accumulate, fn=rng.random() < 0.3)
            return op, (x, y), params
        mask = self.mask_for(shape)
        try:
            count = int(self.torch.tensor(mask).expand(shape).sum())
        except RuntimeError:
            count = 0
        y = self.pick(lambda u: u.numel() >= count)
        return None if y is None else (op, (x, y), _params(mask=mask))

    FAMILIES = (
        ("p_leaf", 6),
        ("p_unary", 18),
        ("p_binary", 8),
        ("p_view", 23),
        ("p_setitem", 11),
        ("p_inplace", 13),
        ("p_autograd", 18),
        ("p_second_order", 4),
        ("p_multi", 7),
        ("p_indexing", 5),
        ("p_inplace2", 9),
        ("p_inplace_view", 3),
        ("p_reduce_dim", 6),
        ("p_hook", 3),
        ("p_strided", 5),
        ("p_train", 10),
        ("p_reduce2", 6),
        ("p_nn", 7),
    )

    def fresh(self, n: int) -> tuple[int, ...]:
        out = tuple(range(self.next_id, self.next_id + n))
        self.next_id += n
        return out

    def replay(self) -> None:
        self.env = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for stmt in self.program:
                results = OPS[stmt.op].run(self.torch, [self.env[i] for i in stmt.args], stmt.p)
                self.env.update(zip(stmt.out, results, strict=True))
                self.observe()

    def observe(self) -> None:
        """Read every variable as ``run_program`` does after each statement. Reading matters:
        PyTorch re-derives a view's ``grad_fn`` when it is read, and what an in-place op on that
        view then does depends on it (a view taken before its base had history raises "a leaf
        Variable that requires grad..." if its ``grad_fn`` was never read since)."""
        _observe(self.env, {})

    def generate(self) -> list[Stmt]:
        rng = self.rng
        names = [f for f, _ in self.FAMILIES]
        weights = [w for _, w in self.FAMILIES]
        for _ in range(rng.randint(1, 2)):
            self.append(self.p_leaf(), keep_error=False)
        tries = 0
        while len(self.program) < self.length and tries < 20 * self.length:
            tries += 1
            if self.pending:
                proposal = self.pending.pop(0)()
                if proposal is None:
                    self.pending.clear()
            else:
                family = rng.choices(names, weights)[0]
                proposal = getattr(self, family)()
            if proposal is None:
                continue
            status = self.append(proposal, keep_error=True)
            if status == "stop":
                break
            if status == "skip":
                self.pending.clear()
        return self.program

    def p_second_order(self) -> tuple | None:
        """The first statement of a second-order block (queued: the rest): a smooth nonlinear
        op, a loss of it, its gradient with ``create_graph`` (``backward`` or ``autograd.grad``),
        a loss of that gradient, and that loss's backward or ``autograd.grad``."""
        x = self.pick(lambda t: t.requires_grad)
        if x is None:
            return None
        self.pending = [
            lambda: (
                "wsum",
                (self.last,),
                _params(w=self.values(tuple(self.env[self.last].shape))),
            ),
            self.p_gradient_with_graph,
            self.p_loss_of_gradient,
            lambda: self.p_differentiate(
                self.pick(lambda t: t.dim() == 0 and t.requires_grad, {self.last})
            ),
        ]
        return self.rng.choice(("square", "tanh", "sigmoid", "sin", "gelu", "silu")), (x,), ()

    def p_gradient_with_graph(self) -> tuple | None:
        rng, loss = self.rng, self.last
        if rng.random() < 0.4:
            self.pending.insert(0, self.p_getgrad)
            return "backward", (loss,), _params(retain_graph=rng.random() < 0.5, create_graph=True)
        pool = [i for i, t in self.env.items() if _usable(t) and t.requires_grad and t.is_leaf]
        if not pool:
            return None
        inputs = rng.sample(pool, min(len(pool), rng.randint(1, 2)))
        return "grad", (loss, *inputs), _params(retain_graph=rng.random() < 0.5, create_graph=True)

    def p_getgrad(self) -> tuple | None:
        x = self.pick(lambda t: t.is_leaf and t.grad is not None and t.grad.requires_grad)
        return None if x is None else ("getgrad", (x,), ())

    def p_loss_of_gradient(self) -> tuple | None:
        x = self.pick(lambda t: t.requires_grad, self.higher)
        if x is None:
            return None
        return "wsum", (x,), _params(w=self.values(tuple(self.env[x].shape)))

    def p_differentiate(self, loss: int | None) -> tuple | None:
        if loss is None:
            return None
        rng = self.rng
        if rng.random() < 0.5:
            return "backward", (loss,), _params(retain_graph=rng.random() < 0.5, create_graph=False)
        pool = [i for i, t in self.env.items() if _usable(t) and t.requires_grad and t.is_leaf]
        if not pool:
            return None
        inputs = rng.sample(pool, min(len(pool), rng.randint(1, 2)))
        return "grad", (loss, *inputs), _params(retain_graph=False, create_graph=False)

    def append(self, proposal: tuple | None, keep_error: bool) -> str:
        if proposal is None:
            return "skip"
        op, args, params = proposal
        if self.same_elements_write(op, args, dict(params)):
            return "skip"
        aliased = self.undefined_alias(op, args, dict(params))
        stmt = Stmt(op, (), args, params)
        leaves = {id(t) for t in _accumulating_into_mixed(stmt, self.env)}
        summed = {i for i, t in self.env.items() if id(t) in leaves}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                results = OPS[op].run(self.torch, [self.env[i] for i in args], dict(params))
                if aliased:  # PyTorch did not detect the overlap: the result is undefined
                    self.replay()
                    return "skip"
            except Exception:
                if keep_error and self.rng.random() < self.KEEP_ERROR:
                    if op in _NO_RESULT:
                        n = 0
                    elif op == "grad":
                        n = len(args) - 1
                    else:
                        n = 1
                    out = (args[0],) if op in ("iadd", "isub", "imul") else self.fresh(n)
                    self.program.append(Stmt(op, out, args, params))
                    return "stop"
                self.replay()
                return "skip"
        if op in ("iadd", "isub", "imul"):
            out: tuple[int, ...] = (args[0],)
        else:
            out = self.fresh(len(results))
        arg_values = [self.env[i] for i in args]
        self.program.append(Stmt(op, out, args, params))
        self.env.update(zip(out, results, strict=True))
        self.observe()
        if out:
            self.last = out[-1]
        self.track_mixed(op, args, arg_values, out, results)
        self.mixed_grads |= summed
        if op == "getgrad" and args[0] in self.mixed_grads:
            self.mixed.update(out)
        if op == "grad":
            self.no_write |= {i for i, t in zip(out, results, strict=True) if t is not None}
        if op == "layer_norm":
            self.normalized.add(_storage(arg_values[0]))
        if op == "data":
            self.data_aliased.add(_storage(arg_values[0]))
        if op == "mse_loss" and dict(params)["reduction"] != "none":
            self.loss_storages.add(_storage(results[0]))
        if op in ("grad", "backward"):
            self.used.add(args[0])
        made = op == "grad" and dict(params)["create_graph"]
        if made or op == "getgrad" or set(args) & self.higher:
            self.higher |= {i for i, t in zip(out, results, strict=True) if t is not None}
        return "ok"


def generate(
    torch: Any, seed: int, index: int, length: int, known_bugs: bool = False
) -> list[Stmt]:
    """Program number ``index`` of ``seed`` (deterministic); ``known_bugs``: draw statements of
    :data:`KNOWN_BUGS` too."""
    rng = random.Random(seed * 1_000_003 + index)
    gen = Generator(torch, rng, length)
    gen.known_bugs = known_bugs
    return gen.generate()


# ---------------------------------------------------------------------------------------------
# The shrinker.


def _dependents(program: Sequence[Stmt], drop: set[int]) -> set[int]:
    """Statement indices in ``drop`` plus every statement reading what they define."""
    dropped = set(drop)
    dead: set[int] = set()
    for k, stmt in enumerate(program):
        if k in dropped:
            dead |= {i for i in stmt.out if i not in stmt.args}
        elif dead & set(stmt.args):
            dropped.add(k)
            dead |= set(stmt.out)
    return dropped


def shrink(
    program: Sequence[Stmt], still_fails: Callable[[Sequence[Stmt]], bool], budget: int = 400
) -> list[Stmt]:
    """Greedy shrinking: drop statements (with what reads them), then simplify parameters,
    while ``still_fails`` holds."""
    current = list(program)
    tries = 0

    def attempt(candidate: list[Stmt]) -> bool:
        nonlocal tries
        tries += 1
        try:
            return still_fails(candidate)
        except Invalid:
            return False

    progress = True
    while progress and tries < budget:
        progress = False
        for k in reversed(range(len(current))):
            if k >= len(current):
                continue
            drop = _dependents(current, {k})
            candidate = [s for j, s in enumerate(current) if j not in drop]
            if attempt(candidate):
                current, progress = candidate, True
        for k, stmt in enumerate(current):
            for simpler in _simplifications(stmt):
                candidate = [*current[:k], simpler, *current[k + 1 :]]
                if attempt(candidate):
                    current[k] = simpler
                    stmt, progress = simpler, True
    return current


def _simplifications(stmt: Stmt) -> list[Stmt]:
    p = stmt.p
    out = []
    for key in ("retain_graph", "create_graph", "keepdim"):
        if p.get(key):
            out.append(replace(stmt, params=_params(**{**p, key: False})))
    if stmt.op == "grad" and len(stmt.args) > 2:
        for j in range(1, len(stmt.args)):
            keep = [i for i in range(1, len(stmt.args)) if i != j]
            out.append(
                replace(
                    stmt,
                    args=(stmt.args[0], *[stmt.args[i] for i in keep]),
                    out=tuple(stmt.out[i - 1] for i in keep),
                )
            )
    if stmt.op == "wsum":
        out.append(replace(stmt, op="sum", params=_params(dim=None, keepdim=False)))
    if stmt.op == "leaf":
        values = np.asarray(p["values"])
        for d in range(values.ndim):
            if values.shape[d] > 1:
                part = values[(slice(None),) * d + (slice(0, values.shape[d] // 2),)]
                out.append(replace(stmt, params=_params(**{**p, "values": part.tolist()})))
        rounded = np.round(np.asarray(p["values"]), 1)
        distinct = len(np.unique(rounded)) == rounded.size
        if not np.array_equal(rounded, p["values"]) and np.all(rounded != 0) and distinct:
            out.append(replace(stmt, params=_params(**{**p, "values": rounded.tolist()})))
    if stmt.op == "index" and len(p["idx"]) > 1:
        for j in range(len(p["idx"])):
            idx = p["idx"][:j] + p["idx"][j + 1 :]
            out.append(replace(stmt, params=_params(idx=idx)))
    return out


# ---------------------------------------------------------------------------------------------
# The driver.


@dataclass
class Report:
    programs: int = 0
    statements: int = 0
    ended_in_error: int = 0
    with_mismatch: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    signatures: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[tuple[Mismatch, list[Stmt]]]] = field(default_factory=dict)
    shrunk: int = 0
    shown_kinds: set[str] = field(default_factory=set)


def fuzz(
    torch: Any,
    ndgrad: Any,
    seeds: Sequence[int],
    programs: int,
    length: int = 12,
    max_examples: int = 100,
    do_shrink: bool = True,
    known_bugs: bool = False,
) -> Report:
    """Run ``programs`` programs per seed; count the mismatches by kind and by signature, and
    keep shrunk reproducers (one a signature, more for wrong values and gradients; at most
    ``max_examples`` shrinks in all)."""
    report = Report()
    for seed in seeds:
        for index in range(programs):
            program = generate(torch, seed, index, length, known_bugs)
            report.programs += 1
            report.statements += len(program)
            theirs = run_program(torch, program)
            if theirs.error is not None:
                report.ended_in_error += 1
            found = compare(program, run_program(ndgrad, program), theirs)
            if not found:
                continue
            if any(m.kind not in IMPLEMENTATION_DEFINED for m in found):
                report.with_mismatch += 1
            report.kinds.update({m.kind for m in found})
            report.signatures.update(m.signature for m in found)
            for m in found:
                kept = report.examples.setdefault(m.signature, [])
                cap = SILENT_EXAMPLES if m.kind in ("value", "grad") else 1
                if m.kind in IMPLEMENTATION_DEFINED:  # one example a kind is enough
                    cap = 0 if m.kind in report.shown_kinds else 1
                    report.shown_kinds.add(m.kind)
                if len(kept) >= cap or report.shrunk >= max_examples:
                    continue
                report.shrunk += 1
                example = reproducer(program, m, torch, ndgrad, do_shrink)
                shapes = {tuple(s.op for s in p) for _, p in kept}
                if tuple(s.op for s in example[1]) not in shapes:
                    kept.append(example)
    return report


SILENT_EXAMPLES = 8  # wrong values and gradients have many causes: keep several reproducers


def reproducer(
    program: Sequence[Stmt], found: Mismatch, torch: Any, ndgrad: Any, do_shrink: bool = True
) -> tuple[Mismatch, list[Stmt]]:
    """The program shrunk while it still shows a mismatch with ``found``'s signature."""
    if not do_shrink:
        return found, list(program)

    def same(p: Sequence[Stmt]) -> Mismatch | None:
        return next((m for m in check(p, torch, ndgrad) if m.signature == found.signature), None)

    small = shrink(program, lambda p: same(p) is not None)
    return same(small) or found, small


def format_report(report: Report, seconds: float) -> str:
    lines = [
        f"programs run: {report.programs} ({report.statements} statements; "
        f"{report.ended_in_error} end in an exception under torch) in {seconds:.1f} s",
        f"programs with a mismatch: {report.with_mismatch}",
        "by kind (programs):",
    ]
    lines += [
        f"  {kind}: {n}"
        + ("  (implementation-defined, not a failure)" * (kind in IMPLEMENTATION_DEFINED))
        for kind, n in report.kinds.most_common()
    ]
    lines.append("by signature (programs):")
    lines += [f"  {n:6d}  {sig}" for sig, n in report.signatures.most_common()]
    for sig, kept in report.examples.items():
        for found, program in kept:
            lines += ["", f"### {sig}", to_source(program, found.detail)]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz_views", description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--programs", type=int, default=1000, help="programs per seed")
    parser.add_argument("--length", type=int, default=12, help="statements per program")
    parser.add_argument("--examples", type=int, default=100, help="mismatches to shrink and show")
    parser.add_argument("--no-shrink", action="store_true")
    parser.add_argument(
        "--known-bugs",
        action="store_true",
        help="also draw the statements of KNOWN_BUGS (ndgrad defects not fixed yet)",
    )
    args = parser.parse_args(argv)
    import torch

    import ndgrad

    start = time.perf_counter()
    report = fuzz(
        torch,
        ndgrad,
        args.seeds,
        args.programs,
        args.length,
        args.examples,
        not args.no_shrink,
        args.known_bugs,
    )
    print(format_report(report, time.perf_counter() - start))
    return 1 if report.with_mismatch else 0


if __name__ == "__main__":
    sys.exit(main())
