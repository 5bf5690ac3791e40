"""Forward-mode AD with dual tensors, as ``torch.autograd.forward_ad``.

Inside ``dual_level()``, ``make_dual(x, t)`` gives a tensor whose tangent is ``t``; every op
applied to tensors with tangents computes its output's tangent ``J t`` alongside its value, and
``unpack_dual(y)`` reads it back. Leaving the level drops all tangents.

How an op's tangent is computed, in order of preference (a Function whose
``forward_ad_refusal`` is set raises that, PyTorch's NotImplementedError, instead):
- the Function's ``jvp(ctx, *tangents)`` staticmethod (values saved with
  ``ctx.save_for_forward`` are its ``ctx.saved_tensors``): how user Functions and new built-in
  ops provide their tangent;
- a rule in ``_RULES`` for the built-in elementwise, reduction, shape and matmul ops (a linear op
  applied to the tangents, product rules, ``f'(x) t`` for the unary functions);
- otherwise the double-vjp trick: ``u ↦ Jᵀu`` is linear, and its vjp along ``t`` is ``J t``
  (two extra backward passes, slow; exact where the backward is written as a linear function
  of its cotangent, which it is evaluated at 0: logcumsumexp and xlogy, whose backward takes
  the log of it or masks by it, have rules).

Tangents live in the tensor's ``__dict__`` only while a level is active (autograd/_tangents.py);
an in-place write updates a tangent in place, so a view's tangent, a view of its base's, sees
it, as in PyTorch. With no level, ops pay
one attribute test (``Function.apply`` checks ``_state.forward_ad``, which holds ``_propagate``
while a level is active).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .._namespace import public_dir
from .._tensor import Tensor
from ..ops import _util as ut
from ..ops import arithmetic as ar
from ..ops import pointwise as pw
from ..ops import products as pr
from ..ops import reduction as red
from ..ops import shape as sh
from ..ops import unary as un
from ..ops.arithmetic import where
from ..ops.products import matmul
from . import _views
from ._backward import grad
from ._tangents import carriers as _carriers
from ._tangents import set_tangent as _set_tangent
from ._tangents import tangent_of as _tangent_of
from ._tangents import write_tangent
from .grad_mode import _state, _Used, enable_grad

__all__ = [
    "UnpackedDualTensor",
    "dual_level",
    "enter_dual_level",
    "exit_dual_level",
    "make_dual",
    "unpack_dual",
]
__dir__ = public_dir(__name__)


class UnpackedDualTensor(NamedTuple):
    """What ``unpack_dual`` returns: the primal value and its tangent (None if it has none)."""

    primal: Tensor
    tangent: Tensor | None


def enter_dual_level() -> int:
    if _state.forward_ad:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _Used.special = True
    _state.forward_ad = _propagate
    return 0


def exit_dual_level(*, level: int | None = None) -> None:
    carriers = _carriers()
    for ref in carriers:
        t = ref()
        if t is not None:
            t.__dict__.pop("_fw_grad", None)
    carriers.clear()
    _state.forward_ad = None


class dual_level:
    """Context manager: a forward-AD level; tangents exist only inside it.

    >>> import ndgrad
    >>> import ndgrad.autograd.forward_ad as fwAD
    >>> with fwAD.dual_level():
    ...     y = fwAD.make_dual(ndgrad.tensor([1.0, 2.0]), ndgrad.tensor([1.0, 0.0])) ** 2
    ...     fwAD.unpack_dual(y).tangent
    tensor([2., 0.])
    """

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc: object) -> None:
        exit_dual_level()


def make_dual(tensor: Tensor, tangent: Tensor, *, level: int | None = None) -> Tensor:
    """A view of ``tensor`` whose tangent is ``tangent`` (only inside ``dual_level``)."""
    if not _state.forward_ad:
        raise RuntimeError(
            "Trying to create a dual Tensor for forward AD but no level exists, make sure to "
            "enter_dual_level() first."
        )
    if tensor._data.dtype.kind != "f":
        raise ValueError(
            f"Expected primal to be floating point or complex, but got: {tensor.dtype}"
        )
    if tangent._data.dtype.kind != "f":
        raise ValueError(
            f"Expected tangent to be floating point or complex, but got: {tangent.dtype}"
        )
    if tangent._data.shape != tensor._data.shape:
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            "original Tensor, this is not supported. Tensor is of size "
            f"{list(tensor._data.shape)} while the given forward gradient is of size "
            f"{list(tangent._data.shape)}."
        )
    if _tangent_of(tangent) is not None:
        raise RuntimeError(
            "Setting a forward grad that itself has a forward gradient at the same level0 is not "
            "supported."  # (sic)
        )
    _state.forward_ad = None  # the alias must not inherit the tensor's own tangent
    try:
        dual = tensor.view_as(tensor)
    finally:
        _state.forward_ad = _propagate
    if not _state.inference:  # (where PyTorch's forward AD is off)
        _set_tangent(dual, tangent)
    return dual


def unpack_dual(tensor: Tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """(primal, tangent): a view of ``tensor`` without tangent, and the tangent or None."""
    tangent = _tangent_of(tensor) if _state.forward_ad else None
    if tangent is None:
        return UnpackedDualTensor(tensor, None)
    previous = _state.forward_ad
    _state.forward_ad = None
    try:
        primal = tensor.view_as(tensor)
    finally:
        _state.forward_ad = previous
    primal.__dict__["_fw_primal"] = True  # a view of the dual that never reads its tangent
    return UnpackedDualTensor(primal, tangent)


def _carry_tangent(tensor: Tensor, compute: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Wrap an in-place op's ``compute`` so ``tensor`` ends with the tangent of what it wrote,
    written into the tangent it had (which its base and other views share, as in PyTorch)."""
    tangent = _tangent_of(tensor)

    def run(alias: Any) -> Any:
        if tangent is not None and alias is not tensor:
            _set_tangent(alias, tangent)
        result = compute(alias)
        if alias is tensor and result._requires_grad and _state.grad_enabled:
            return result  # a trial run: Tensor._inplace records it again, on a copy
        write_tangent(tensor, _tangent_of(result))
        return result

    return run


# --- propagation -------------------------------------------------------------------------------


class _JvpCtx:
    """The ctx a user's ``jvp`` sees: the forward ctx, with saved_tensors from save_for_forward."""

    def __init__(self, ctx: Any) -> None:
        self.__dict__["_ctx"] = ctx

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["_ctx"], name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.__dict__["_ctx"], name, value)

    def __delattr__(self, name: str) -> None:  # ``del ctx.result`` in a jvp, as PyTorch's docs
        delattr(self.__dict__["_ctx"], name)

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        saved = self.__dict__["_ctx"].__dict__.get("_fw_saved", ())
        # A built-in op's forward saves arrays: jvp gets them as tensors.
        return tuple(Tensor._make(v) if isinstance(v, np.ndarray) else v for v in saved)


def _propagate(cls: type, ctx: Any, args: tuple[Any, ...], outputs: Any) -> None:
    """Called by Function.apply while a level is active: give the outputs their tangents."""
    tangents = [_tangent_of(a) if isinstance(a, Tensor) else None for a in args]
    if all(t is None for t in tangents):
        return
    refusal = getattr(cls, "forward_ad_refusal", None)
    if refusal is not None:  # an op PyTorch has no forward formula for
        raise NotImplementedError(refusal)
    outs = outputs if isinstance(outputs, tuple) else (outputs,)
    _state.forward_ad = None  # the tangent arithmetic itself carries no tangents
    try:
        user_jvp = getattr(cls, "jvp", None)
        if user_jvp is not None:
            filled = _zeros_for_missing(args, tangents)
            result = user_jvp(_JvpCtx(ctx), *filled)
            out_tangents = result if isinstance(result, tuple) else (result,)
        elif not getattr(cls, "_numpy_forward", False):
            raise NotImplementedError(
                "You must implement the jvp function for custom autograd.Function to use it "
                "with forward mode AD."
            )
        else:
            rule = _RULES.get(cls)
            if rule is not None:
                out_tangents = rule(ctx, args, outs, tangents)
            elif cls in _LINEAR:
                out_tangents = _linear(cls, args, tangents)
            else:
                out_tangents = _double_vjp(cls, args, tangents, outs)
    finally:
        _state.forward_ad = _propagate
    in_data = [a._data for a in args if isinstance(a, Tensor)]
    in_tangents = [t._data for t in tangents if t is not None]
    for out, t in zip(outs, out_tangents, strict=False):
        if isinstance(out, Tensor) and t is not None and out._data.dtype.kind == "f":
            if t._data.shape != out._data.shape:
                t = t.expand((*out._data.shape,))
            if t._data.dtype != out._data.dtype:
                t = t.to(out.dtype)
            if not any(np.may_share_memory(out._data, d) for d in in_data) and any(
                np.may_share_memory(t._data, d) for d in in_tangents
            ):
                # Only a view's tangent may alias its input's: an in-place write into this
                # output updates its tangent in place, which must not reach the input's.
                t = Tensor._make(t._data.copy())
            _set_tangent(out, t)
    saved = ctx.__dict__.get("_saved")
    if saved:
        # A saved output is rebuilt in backward as a new tensor: keep its tangent with it, so
        # forward-over-reverse (a backward run on dual tensors) sees it.
        ctx._saved = tuple(
            (*e[:5], _output_tangent(outs[e[2]]))
            if type(e) is tuple and e[0] == _OUTPUT_KIND and len(e) == 5
            else e
            for e in saved
        )


_OUTPUT_KIND = 1  # function._OUTPUT


def _output_tangent(out: Any) -> Any:
    tangent = _tangent_of(out)
    return tangent if tangent is not None else Tensor._make(np.zeros_like(out._data))


def _zeros_for_missing(args: tuple[Any, ...], tangents: list[Any]) -> list[Any]:
    result = []
    for a, t in zip(args, tangents, strict=True):
        if t is None and isinstance(a, Tensor) and a._data.dtype.kind == "f":
            t = Tensor._make(np.zeros_like(a._data))
        result.append(t)
    return result


def _linear(cls: Any, args: tuple[Any, ...], tangents: list[Any]) -> tuple[Any, ...]:
    """A linear op's tangent: the op applied to the input tangents (zeros where missing)."""
    out = cls.apply(
        *(
            t if t is not None else a
            for a, t in zip(args, _zeros_for_missing(args, tangents), strict=True)
        )
    )
    return out if isinstance(out, tuple) else (out,)


def _double_vjp(
    cls: Any, args: tuple[Any, ...], tangents: list[Any], outs: tuple[Any, ...]
) -> tuple[Any, ...]:
    # In grad mode, the tangent is a differentiable function of the inputs that require grad
    # and of the tangents that do (reverse over forward: a loss on a tangent trains the
    # weights it went through), as PyTorch's: the inputs enter by their history, not detached.
    record = _state.grad_enabled and any(
        isinstance(x, Tensor) and x.requires_grad for x in (*args, *tangents)
    )
    with enable_grad():
        primals = []
        wrt = []
        for a, t in zip(args, tangents, strict=True):
            if isinstance(a, Tensor):
                if record and a.requires_grad:
                    p = a.view_as(a)  # one alias per position: each gets its own partial
                else:
                    p = a.detach()
                    if t is not None:
                        p.requires_grad_(True)
                if t is not None:
                    wrt.append((p, t))
                primals.append(p)
            else:
                primals.append(a)
        result = cls.apply(*primals)
        results = result if isinstance(result, tuple) else (result,)
        diff = [r for r in results if isinstance(r, Tensor) and r.requires_grad]
        if not diff:
            return (None,) * len(results)
        us = [Tensor._make(np.zeros_like(r._data)).requires_grad_(True) for r in diff]
        gs = grad(diff, [p for p, _ in wrt], us, create_graph=True, allow_unused=True)
        pairs = [(g, t) for g, (_, t) in zip(gs, wrt, strict=True) if g is not None]
        pairs = [(g, t) for g, t in pairs if g.requires_grad]
        jv: Any = (None,) * len(us)
        if pairs:
            jv = grad(
                [g for g, _ in pairs],
                us,
                [t for _, t in pairs],
                allow_unused=True,
                create_graph=record,
            )
    # A differentiable output that no tangent reaches (floor, the sign of slogdet) has a zero
    # tangent, as PyTorch's: its derivative is zero, not undefined.
    it = iter(jv)
    return tuple(
        _zeros_if_none(next(it), r) if isinstance(r, Tensor) and r.requires_grad else None
        for r in results
    )


def _zeros_if_none(tangent: Any, like: Tensor) -> Any:
    return Tensor._make(np.zeros_like(like._data)) if tangent is None else tangent


# --- rules for the built-in ops ----------------------------------------------------------------


def _add_rule(sign: int) -> Callable[..., tuple[Any, ...]]:
    def rule(ctx: Any, args: tuple[Any, ...], outs: tuple[Any, ...], tg: list[Any]) -> Any:
        ta, tb = tg
        if tb is not None and sign < 0:
            tb = -tb
        if ta is None:
            return (tb,)
        return (ta if tb is None else ta + tb,)

    return rule


def _mul_rule(ctx: Any, args: tuple[Any, ...], outs: tuple[Any, ...], tg: list[Any]) -> Any:
    (a, b), (ta, tb) = args, tg
    parts = [
        p for p in ((ta * b) if ta is not None else None, (a * tb) if tb is not None else None)
    ]
    present = [p for p in parts if p is not None]
    return (present[0] if len(present) == 1 else present[0] + present[1],)


def _matmul_rule(ctx: Any, args: tuple[Any, ...], outs: tuple[Any, ...], tg: list[Any]) -> Any:
    (a, b), (ta, tb) = args, tg
    present = [
        p
        for p in (
            matmul(ta, b) if ta is not None else None,
            matmul(a, tb) if tb is not None else None,
        )
        if p is not None
    ]
    return (present[0] if len(present) == 1 else present[0] + present[1],)


def _where_rule(ctx: Any, args: tuple[Any, ...], outs: tuple[Any, ...], tg: list[Any]) -> Any:
    cond, (_, ta, tb) = args[0], tg
    zero = outs[0].detach() * 0
    return (where(cond, ta if ta is not None else zero, tb if tb is not None else zero),)


def _div_rule(ctx: Any, args: tuple[Any, ...], outs: tuple[Any, ...], tg: list[Any]) -> Any:
    b, (ta, tb), (y,) = args[1], tg, outs
    result = ta / b if ta is not None else None
    if tb is not None:
        term = -(y * tb) / b
        result = term if result is None else result + term
    return (result,)


def _unary(deriv: Callable[[Any, Any], Any]) -> Callable[..., tuple[Any, ...]]:
    """Rule for y = f(x): tangent = f'(x) t, with ``deriv(x, y)`` = f'(x)."""

    def rule(ctx: Any, args: tuple[Any, ...], outs: tuple[Any, ...], tg: list[Any]) -> Any:
        return (tg[0] * deriv(args[0], outs[0]),)

    return rule


def _pow_scalar_rule(ctx: Any, args: tuple[Any, ...], outs: tuple[Any, ...], tg: list[Any]) -> Any:
    x, p = args
    if p == 0:
        return (tg[0] * 0,)
    return (tg[0] * (p * x ** (p - 1)),)


def _rpow_rule(ctx: Any, args: tuple[Any, ...], outs: tuple[Any, ...], tg: list[Any]) -> Any:
    c = args[0]
    log_c = math.log(c) if c > 0 else (-math.inf if c == 0 else math.nan)
    return (tg[1] * (outs[0] * log_c),)


def _copysign_rule(ctx: Any, args: tuple[Any, ...], outs: tuple[Any, ...], tg: list[Any]) -> Any:
    a, ta, (y,) = args[0], tg[0], outs
    if ta is None:  # PyTorch's formula reads a's tangent only: b's alone gives none
        return (None,)
    return (ta * where(a == 0, 0.0, y / where(a == 0, 1.0, a)),)  # ±1, 0 at a = 0


def _logcumsumexp_rule(
    ctx: Any, args: tuple[Any, ...], outs: tuple[Any, ...], tg: list[Any]
) -> Any:
    # dy_j = sum_{i<=j} t_i e^{x_i} / sum_{i<=j} e^{x_i}, scaled by the max as PyTorch's (the
    # double-vjp fallback gave nan: the backward takes the log of its zero cotangent)
    x, dim = args
    e = (x - x.amax(dim, keepdim=True)).exp() if x.numel() else x.exp()
    return ((e * tg[0]).cumsum(dim) / e.cumsum(dim),)


def _xlogy_rule(ctx: Any, args: tuple[Any, ...], outs: tuple[Any, ...], tg: list[Any]) -> Any:
    # PyTorch's: xlogy(ta, b), 0 where a = 0 and b <= 0, plus tb a / b. (The fallback
    # differentiates the backward at a zero cotangent, where that mask always applies.)
    (a, b), (ta, tb) = args, tg
    parts = []
    if ta is not None:
        parts.append(where((a == 0) & (b <= 0), 0.0, pw.xlogy(ta, b)))
    if tb is not None:
        parts.append(tb * a / b)
    return (parts[0] if len(parts) == 1 else parts[0] + parts[1],)


def _zero_rule(ctx: Any, args: tuple[Any, ...], outs: tuple[Any, ...], tg: list[Any]) -> Any:
    return tuple(Tensor._make(np.zeros_like(o._data)) for o in outs)


def _copy_rule(ctx: Any, args: tuple[Any, ...], outs: tuple[Any, ...], tg: list[Any]) -> Any:
    if tg[1] is None:
        return _zero_rule(ctx, args, outs, tg)
    return (tg[1],)


def _build_rules() -> tuple[dict[type, Callable[..., tuple[Any, ...]]], set[type]]:
    rules: dict[type, Callable[..., tuple[Any, ...]]] = {
        ar.Add: _add_rule(1),
        ar.Sub: _add_rule(-1),
        ar.Mul: _mul_rule,
        ar.Where: _where_rule,
        ar.Div: _div_rule,
        ar.DivRounded: _zero_rule,
        ar.PowScalar: _pow_scalar_rule,
        ar.RPow: _rpow_rule,
        pw.Copysign: _copysign_rule,
        red.Logcumsumexp: _logcumsumexp_rule,
        pw.Xlogy: _xlogy_rule,
        pw.XlogyNumberInput: _xlogy_rule,
        pw.XlogyNumberOther: _xlogy_rule,
        pw.CopysignNumber: _copysign_rule,
        un.Exp: _unary(lambda x, y: y),
        un.Log: _unary(lambda x, y: 1 / x),
        un.Sqrt: _unary(lambda x, y: 0.5 / y),
        un.Tanh: _unary(lambda x, y: 1 - y * y),
        un.Sigmoid: _unary(lambda x, y: y * (1 - y)),
        un.Relu: _unary(lambda x, y: y > 0),
        un.Abs: _unary(lambda x, y: x.sign()),
        un.Sign: _zero_rule,
        _views.Fill: _zero_rule,
        _views.Zero: _zero_rule,
        _views.Copy: _copy_rule,
    }
    for cls in (pr.Matmul, pr.Dot, pr.Mv, pr.Mm, pr.Bmm):
        rules[cls] = _matmul_rule
    linear: set[type] = {
        ar.Neg,
        ar.Clone,
        ut.ToCopy,
        sh.View,
        sh.ReshapeCopy,
        sh.Expand,
        sh.Unsqueeze,
        sh.Squeeze,
        sh.SqueezeDim,
        sh.Transpose,
        sh.Permute,
        sh.Unbind,
        sh.Stack,
        red.Sum,
        red.SumDim,
        red.Mean,
        red.MeanDim,
        _views.AsStrided,
        _views.Embed,
    }
    return rules, linear


_RULES, _LINEAR = _build_rules()
