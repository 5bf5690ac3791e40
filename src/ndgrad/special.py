"""``ndgrad.special``: PyTorch's ``torch.special`` namespace.

Many names are ndgrad's top-level ops under SciPy's names (``expit`` is ``sigmoid``, ``gammaln`` is
``lgamma``, ``psi`` is ``digamma``, ``gammainc`` is ``igamma``); the others exist only here:
``entr``, ``erfcx``, ``log_ndtr``, ``ndtr``, ``ndtri``, ``xlog1py``, the orthogonal polynomials (in
ops/special.py), and the Bessel family, ``airy_ai`` and ``zeta`` (in ops/_bessel.py). Every function
takes ``out=`` where PyTorch's does.

>>> import ndgrad as torch
>>> torch.special.ndtr(torch.tensor([0.0, 1.0]))
tensor([0.5000, 0.8413])
>>> torch.special.chebyshev_polynomial_t(torch.tensor([0.5]), 3)
tensor([-1.])
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _errors
from ._namespace import public_dir
from ._tensor import Tensor
from .ops import _bessel
from .ops import pointwise as _pw
from .ops import reduction as _rd
from .ops import special as _sp
from .ops import unary as _un
from .ops._util import call_with_out, default_float, dtype_name, promote, require_tensor
from .ops.arithmetic import add_scalar, mul_scalar
from .ops.out import _exact_out, _with_out
from .ops.unary import _floating

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = [
    "chebyshev_polynomial_t",
    "chebyshev_polynomial_u",
    "chebyshev_polynomial_v",
    "chebyshev_polynomial_w",
    "digamma",
    "entr",
    "erf",
    "erfc",
    "erfcx",
    "erfinv",
    "exp2",
    "expit",
    "expm1",
    "gammainc",
    "gammaincc",
    "gammaln",
    "hermite_polynomial_h",
    "hermite_polynomial_he",
    "i0",
    "laguerre_polynomial_l",
    "legendre_polynomial_p",
    "log1p",
    "log_ndtr",
    "log_softmax",
    "logit",
    "logsumexp",
    "multigammaln",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "round",
    "shifted_chebyshev_polynomial_t",
    "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w",
    "sinc",
    "softmax",
    "xlog1py",
    "xlogy",
    *_bessel.__all__,  # the Bessel family, airy_ai and zeta
]
__dir__ = public_dir(__name__)


# --- the top-level ops under their torch.special names ----------------------------------------
# The name given to _with_out is the one PyTorch's out= refusal names (special.expit(..., out=)
# says "sigmoid()").
digamma = _with_out(_sp.digamma)
psi = _with_out(_sp.digamma, "digamma")
erf = _with_out(_pw.erf)
erfc = _with_out(_pw.erfc)
erfinv = _with_out(_sp.erfinv)
exp2 = _with_out(_pw.exp2)
expit = _un.sigmoid  # takes out= itself
expm1 = _with_out(_pw.expm1)
gammaln = _with_out(_sp.lgamma, "lgamma")
i0 = _with_out(_sp.i0)
log1p = _with_out(_pw.log1p)
logit = _with_out(_sp.logit)
sinc = _with_out(_sp.sinc)
xlogy = _with_out(_pw.xlogy)
polygamma = _with_out(_sp.polygamma)


def _gammainc(input: Tensor, other: Tensor) -> Tensor:
    require_tensor(input, "special_gammainc")
    require_tensor(other, "special_gammainc", "other", 2)
    return _sp.igamma(input, other)


def _gammaincc(input: Tensor, other: Tensor) -> Tensor:
    require_tensor(input, "special_gammaincc")
    require_tensor(other, "special_gammaincc", "other", 2)
    return _sp.igammac(input, other)


gammainc = _with_out(_gammainc, "igamma")
gammainc.__name__ = gammainc.__qualname__ = "gammainc"
gammainc.__doc__ = "P(input, other), the regularized lower incomplete gamma function."
gammaincc = _with_out(_gammaincc, "igammac")
gammaincc.__name__ = gammaincc.__qualname__ = "gammaincc"
gammaincc.__doc__ = "Q(input, other) = 1 - P, the regularized upper incomplete gamma function."


def _multigammaln(input: Tensor, p: int) -> Tensor:
    require_tensor(input, "special_multigammaln")
    if not isinstance(p, int | np.integer) or isinstance(p, bool):
        raise TypeError(
            f"special_multigammaln(): argument 'p' (position 2) must be int, not {type(p).__name__}"
        )
    return _sp.mvlgamma(input, int(p))


multigammaln = _with_out(_multigammaln, "mvlgamma")
multigammaln.__name__ = multigammaln.__qualname__ = "multigammaln"
multigammaln.__doc__ = "The log of the multivariate gamma function of dimension p (mvlgamma)."


def _round(input: Tensor, *, decimals: int = 0) -> Tensor:
    require_tensor(input, "special_round")
    if not isinstance(decimals, int | np.integer) or isinstance(decimals, bool):
        raise TypeError(
            f"special_round(): argument 'decimals' must be int, not {type(decimals).__name__}"
        )
    dt = input._data.dtype
    if dt.kind != "f":  # (torch.round with decimals=0 and without: the plain kernel's name)
        kernel = "round_cpu" if decimals else "round_vml_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{dtype_name(dt)}'")
    return _pw.round(input, decimals=int(decimals))


round = _exact_out(_round, "special_round")
round.__name__ = round.__qualname__ = "round"
round.__doc__ = "Round half to even to ``decimals`` places (0: to integers), as torch.round."


# PyTorch's binding reports a missing dim itself: a sentinel default lets its message through.
_REQUIRED: Any = object()


def _require_dim(name: str, dim: Any) -> None:
    if dim is _REQUIRED:
        raise TypeError(f'special_{name}() missing 1 required positional arguments: "dim"')


def softmax(input: Tensor, dim: int = _REQUIRED, dtype: Any = None) -> Tensor:
    """exp(input) / Σ exp(input) over ``dim`` (``dtype``: cast the input first)."""
    _require_dim("softmax", dim)
    return _rd.softmax(input, dim, dtype)


def log_softmax(input: Tensor, dim: int = _REQUIRED, dtype: Any = None) -> Tensor:
    """log softmax(input) over ``dim``, computed stably (``dtype``: cast the input first)."""
    _require_dim("log_softmax", dim)
    return _rd.log_softmax(input, dim, dtype)


def _logsumexp(input: Tensor, dim: Any = _REQUIRED, keepdim: bool = False) -> Tensor:
    _require_dim("logsumexp", dim)
    if dim is None:
        raise TypeError(
            "special_logsumexp(): argument 'dim' (position 2) must be tuple of ints, not NoneType"
        )
    return _rd.logsumexp(input, dim, keepdim)


logsumexp = _with_out(_logsumexp, "logsumexp")
logsumexp.__name__ = logsumexp.__qualname__ = "logsumexp"
logsumexp.__doc__ = "log Σ exp(input) over ``dim``, stable for large values."


# --- functions only torch.special has ---------------------------------------------------------


def _float_result(args: tuple[Any, ...]) -> Any:
    """The dtype of a float function of args[0]: its own float dtype, else the default."""
    x = args[0] if args else None
    if not isinstance(x, Tensor):
        return None
    return x._data.dtype if x._data.dtype.kind == "f" else default_float()


def _unary(fn: type[Any], name: str, doc: str, half: bool = True) -> Callable[..., Any]:
    """``torch.special.<name>(input, *, out=None)`` of the one-tensor Function ``fn``; without
    ``half``, float16 is refused as PyTorch's kernel refuses it."""

    def op(input: Tensor) -> Tensor:
        require_tensor(input, f"special_{name}")
        if not half and input._data.dtype == np.float16:
            raise _errors.not_implemented(f"{name}_cpu", input._data.dtype)
        return fn.apply(_floating(input))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return _with_out(op, f"special_{name}", result=_float_result)


entr = _unary(_sp.Entr, "entr", "-input · ln(input) elementwise: 0 at 0, -inf below 0.")
erfcx = _unary(
    _sp.Erfcx, "erfcx", "exp(input²) · erfc(input), the scaled complementary erf.", half=False
)
log_ndtr = _unary(
    _sp.LogNdtr,
    "log_ndtr",
    "log Φ(input), Φ the standard normal CDF, accurate in the tails.",
    half=False,
)
ndtri = _unary(
    _sp.Ndtri,
    "ndtri",
    "Φ⁻¹(input), the standard normal quantile (±inf at 0 and 1).",
    half=False,
)
xlog1py = _with_out(_sp.xlog1py, "special_xlog1py")


def ndtr(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Φ(input) = (1 + erf(input/√2)) / 2, the standard normal CDF, computed as PyTorch
    composes it (so 0 below about -8.3, where erf rounds to -1, as in PyTorch)."""
    require_tensor(input, "special_ndtr")
    if out is not None:
        return call_with_out("special_ndtr", ndtr, (input,), out)
    x = _floating(input)
    return mul_scalar(add_scalar(_pw.erf(mul_scalar(x, math.sqrt(0.5))), 1), 0.5)


# --- the Bessel family, Airy's Ai and Hurwitz's zeta (ops/_bessel.py) --------------------------
airy_ai = _bessel.airy_ai
bessel_j0, bessel_j1 = _bessel.bessel_j0, _bessel.bessel_j1
bessel_y0, bessel_y1 = _bessel.bessel_y0, _bessel.bessel_y1
i0e, i1, i1e = _bessel.i0e, _bessel.i1, _bessel.i1e
modified_bessel_i0, modified_bessel_i1 = _bessel.modified_bessel_i0, _bessel.modified_bessel_i1
modified_bessel_k0, modified_bessel_k1 = _bessel.modified_bessel_k0, _bessel.modified_bessel_k1
scaled_modified_bessel_k0 = _bessel.scaled_modified_bessel_k0
scaled_modified_bessel_k1 = _bessel.scaled_modified_bessel_k1
spherical_bessel_j0 = _bessel.spherical_bessel_j0
zeta = _bessel.zeta


# --- orthogonal polynomials -------------------------------------------------------------------


def _polynomial(
    name: str, values: Callable[[np.ndarray, np.ndarray], np.ndarray], x: Any, n: Any
) -> Tensor:
    """A polynomial of x at degree n (either may be a number, not both), without gradient."""
    T = Tensor
    if (
        not (isinstance(x, T) or _is_number(x))
        or not (isinstance(n, T) or _is_number(n))
        or (not isinstance(x, T) and not isinstance(n, T))
    ):
        raise _sp._invalid_combination(f"special_{name}", ("x", "n"), (x, n))
    a, b, dt = promote(x, n)
    if dt.kind != "f":
        dt = default_float()
    xs = a._data if isinstance(a, T) else np.asarray(a)
    ns = b._data if isinstance(b, T) else np.asarray(b)
    xs, ns = np.broadcast_arrays(xs.astype(dt), _sp._degrees(np.asarray(ns)))
    return T._make(np.asarray(values(xs, ns), dtype=dt, order="C"))


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | np.generic) and not isinstance(v, complex | str)


def _make_polynomial(
    name: str, values: Callable[[np.ndarray, np.ndarray], np.ndarray], doc: str
) -> Callable[..., Any]:
    def op(input: Any, n: Any) -> Tensor:
        return _polynomial(name, values, input, n)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc + " ``n`` is a tensor or a number; the result has no gradient, as in PyTorch."
    return _with_out(op, f"special_{name}")


def _chebyshev(kind: str, shifted: bool) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    return lambda x, n: _sp.chebyshev_values(kind, x, n, shifted)


chebyshev_polynomial_t = _make_polynomial(
    "chebyshev_polynomial_t", _chebyshev("t", False), "T_n(input), Chebyshev's first kind."
)
chebyshev_polynomial_u = _make_polynomial(
    "chebyshev_polynomial_u", _chebyshev("u", False), "U_n(input), Chebyshev's second kind."
)
chebyshev_polynomial_v = _make_polynomial(
    "chebyshev_polynomial_v", _chebyshev("v", False), "V_n(input), Chebyshev's third kind."
)
chebyshev_polynomial_w = _make_polynomial(
    "chebyshev_polynomial_w", _chebyshev("w", False), "W_n(input), Chebyshev's fourth kind."
)
shifted_chebyshev_polynomial_t = _make_polynomial(
    "shifted_chebyshev_polynomial_t", _chebyshev("t", True), "T_n(2·input - 1)."
)
shifted_chebyshev_polynomial_u = _make_polynomial(
    "shifted_chebyshev_polynomial_u", _chebyshev("u", True), "U_n(2·input - 1)."
)
shifted_chebyshev_polynomial_v = _make_polynomial(
    "shifted_chebyshev_polynomial_v", _chebyshev("v", True), "V_n(2·input - 1)."
)
shifted_chebyshev_polynomial_w = _make_polynomial(
    "shifted_chebyshev_polynomial_w", _chebyshev("w", True), "W_n(2·input - 1)."
)
hermite_polynomial_h = _make_polynomial(
    "hermite_polynomial_h", _sp.hermite_h_values, "H_n(input), the physicists' Hermite."
)
hermite_polynomial_he = _make_polynomial(
    "hermite_polynomial_he", _sp.hermite_he_values, "He_n(input), the probabilists' Hermite."
)
laguerre_polynomial_l = _make_polynomial(
    "laguerre_polynomial_l", _sp.laguerre_values, "L_n(input), the Laguerre polynomial."
)
legendre_polynomial_p = _make_polynomial(
    "legendre_polynomial_p", _sp.legendre_values, "P_n(input), the Legendre polynomial."
)
