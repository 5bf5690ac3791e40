"""``out=``: the torch-level functions that write their result into a given tensor.

``ndgrad.add(a, b, out=c)`` computes ``a + b`` and writes it into ``c``, as PyTorch does: the
result is cast to ``out``'s dtype when the cast keeps the kind ("result type Float can't be cast
to the desired output type Long" otherwise); an ``out`` of another shape is resized (with
PyTorch's deprecation warning unless it was empty); and, since a write into ``out`` cannot be
recorded, any argument that requires grad (or an ``out`` that does) is refused while grad mode
is on. Ops that return ``(values, indices)`` take a pair of tensors.

The op modules define each function once, without ``out``; this module gives the names of the
``torch`` namespace that take ``out`` a thin wrapper, so the Tensor methods and operators (the hot
path) never pay for it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _creation as _cr
from .. import _errors
from .. import _queries as _qu
from .. import _random as _rn
from .. import dtypes as _dt
from .._errors import py_type_name
from .._namespace import public_dir
from .._tensor import Tensor
from ..autograd.grad_mode import _state
from ..dtypes import to_dtype
from . import aliases as _al
from . import arithmetic as _ar
from . import indexing as _ix
from . import linalg as _la
from . import pointwise as _pw
from . import products as _pr
from . import reduction as _rd
from . import search as _se
from . import shape as _sh
from . import special as _sp
from . import unary as _un
from ._util import call_with_out, dtype_name

__all__ = [
    "abs",
    "absolute",
    "acos",
    "acosh",
    "add",
    "addbmm",
    "addcdiv",
    "addcmul",
    "addmm",
    "addmv",
    "addr",
    "all",
    "amax",
    "amin",
    "aminmax",
    "angle",
    "any",
    "arange",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "argmax",
    "argmin",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "baddbmm",
    "bitwise_and",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "bmm",
    "bucketize",
    "cat",
    "ceil",
    "chain_matmul",
    "cholesky",
    "cholesky_inverse",
    "cholesky_solve",
    "clamp",
    "clamp_max",
    "clamp_min",
    "clip",
    "column_stack",
    "concat",
    "concatenate",
    "conj_physical",
    "copysign",
    "cos",
    "cosh",
    "cross",
    "cummax",
    "cummin",
    "cumprod",
    "cumsum",
    "deg2rad",
    "diag",
    "diff",
    "digamma",
    "div",
    "divide",
    "dot",
    "dstack",
    "empty",
    "eq",
    "erf",
    "erfc",
    "erfinv",
    "exp",
    "exp2",
    "expm1",
    "eye",
    "fix",
    "float_power",
    "floor",
    "floor_divide",
    "fmax",
    "fmin",
    "fmod",
    "frac",
    "frexp",
    "full",
    "gather",
    "gcd",
    "ge",
    "geqrf",
    "ger",
    "greater",
    "greater_equal",
    "gt",
    "heaviside",
    "histc",
    "histogram",
    "hstack",
    "hypot",
    "i0",
    "igamma",
    "igammac",
    "index_select",
    "inner",
    "inverse",
    "isneginf",
    "isposinf",
    "kron",
    "kthvalue",
    "lcm",
    "ldexp",
    "le",
    "lerp",
    "less",
    "less_equal",
    "lgamma",
    "linspace",
    "log",
    "log1p",
    "log2",
    "log10",
    "logaddexp",
    "logaddexp2",
    "logcumsumexp",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "logit",
    "logsumexp",
    "lt",
    "lu",
    "lu_solve",
    "lu_unpack",
    "masked_select",
    "matmul",
    "matrix_power",
    "max",
    "maximum",
    "mean",
    "median",
    "min",
    "minimum",
    "mm",
    "mode",
    "msort",
    "mul",
    "multiply",
    "mv",
    "mvlgamma",
    "nan_to_num",
    "nanmean",
    "nanmedian",
    "nanquantile",
    "narrow_copy",
    "ne",
    "neg",
    "negative",
    "nextafter",
    "nonzero",
    "norm",
    "not_equal",
    "ones",
    "orgqr",
    "ormqr",
    "outer",
    "polygamma",
    "pow",
    "prod",
    "qr",
    "quantile",
    "rad2deg",
    "rand",
    "randint",
    "randn",
    "randperm",
    "reciprocal",
    "remainder",
    "renorm",
    "round",
    "row_stack",
    "rsqrt",
    "searchsorted",
    "sgn",
    "sigmoid",
    "sign",
    "signbit",
    "sin",
    "sinc",
    "sinh",
    "sort",
    "sqrt",
    "square",
    "stack",
    "std",
    "sub",
    "subtract",
    "sum",
    "svd",
    "take_along_dim",
    "tan",
    "tanh",
    "topk",
    "triangular_solve",
    "tril",
    "triu",
    "true_divide",
    "trunc",
    "var",
    "vdot",
    "vstack",
    "where",
    "xlogy",
    "zeros",
]
__dir__ = public_dir(__name__)


def _with_out(
    fn: Callable[..., Any],
    name: str | None = None,
    result: Callable[[tuple[Any, ...]], Any] | None = None,
) -> Callable[..., Any]:
    """``fn`` that also takes ``out=``; without it, the call goes straight through.

    ``result(args)``, for kernels that refuse some dtypes, is the result dtype (None: not
    known): as TensorIterator does, whether it casts to ``out``'s is checked before the kernel
    runs (uint8 out of a float16 bitwise_or: the cast error, not "not implemented for 'Half'").
    """
    op = name or fn.__name__

    @functools.wraps(fn)
    def call(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        if out is None:
            return fn(*args, **kwargs)
        if result is not None and isinstance(out, Tensor):
            rt = result(args)
            if rt is not None and not _dt.can_cast(rt, out._data.dtype):
                raise _errors.cannot_cast(rt, out._data.dtype)
        return call_with_out(op, fn, args, out, **kwargs)

    return call


def _new_into(fn: Callable[..., Any], name: str | None = None) -> Callable[..., Any]:
    """A function that makes a new tensor (zeros, rand...), also taking ``out=`` as PyTorch's
    do: the values are made in out's dtype (a ``dtype`` given too must be it; the random ones
    draw as for that dtype) and written into out, resized to their shape without a warning."""
    op = name or fn.__name__

    @functools.wraps(fn)
    def call(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        if out is None:
            return fn(*args, **kwargs)
        if not isinstance(out, Tensor):
            raise TypeError(f"{op}(): argument 'out' must be Tensor, not {py_type_name(out)}")
        dtype = kwargs.get("dtype")
        if dtype is not None and to_dtype(dtype).np != out._data.dtype:
            raise RuntimeError(
                f"dtype {dtype_name(to_dtype(dtype).np)} does not match dtype of out parameter "
                f"({dtype_name(out._data.dtype)})"
            )
        if _state.grad_enabled and (out._requires_grad or kwargs.get("requires_grad")):
            raise RuntimeError(
                f"aten::{op}(): functions with out=... arguments don't support automatic "
                "differentiation, but one of the arguments requires grad."
            )
        kwargs["dtype"] = out.dtype
        values = fn(*args, **kwargs)._data
        if values.shape != out._data.shape:
            out._set_data(np.empty(values.shape, out._data.dtype))
        out._write(values)
        return out

    return call


def _operands_dtype(args: tuple[Any, ...]) -> Any:
    """The result dtype of a binary op's two operands, if both are tensors or numbers."""
    if len(args) < 2 or not [a for a in args[:2] if isinstance(a, Tensor)]:
        return None
    operands = [a._data if isinstance(a, Tensor) else a for a in args[:2]]
    if [a for a in operands if not isinstance(a, np.ndarray | int | float)]:
        return None
    return _dt.result_type(*operands)


def _tensors_dtype(args: tuple[Any, ...]) -> Any:
    """_operands_dtype of an op that takes tensors only (gcd, lcm): None for a number, whose
    TypeError comes first."""
    if len(args) < 2 or not isinstance(args[0], Tensor) or not isinstance(args[1], Tensor):
        return None
    return _operands_dtype(args)


def _same_dtype(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return args[0]._data.dtype


def _neg_dtype(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    # None for a bool input: neg's own error ("Negation, the `-` operator, on a bool tensor
    # is not supported...") comes first
    dt = args[0]._data.dtype
    return None if dt.kind == "b" else dt


def _clamp_dtype(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    # Number bounds: the result dtype, exactly; None (an out of any dtype the result casts to)
    # with a tensor bound, which PyTorch's clamp.Tensor takes as binary ops take their operands.
    bounds = [b for b in (*args[1:], *kwargs.values()) if b is not None]
    if [b for b in bounds if isinstance(b, Tensor)]:  # (this module's `any` is torch.any)
        return None
    return _dt.result_type(args[0]._data, *bounds) if bounds else None


def _exact_out(
    fn: Callable[..., Any],
    name: str | None = None,
    expected: Callable[[tuple[Any, ...], dict[str, Any]], Any] = _same_dtype,
    message: str = "Found dtype {out} but expected {expected}",
) -> Callable[..., Any]:
    """``fn`` with an ``out=`` that must have the result's dtype, checked before the kernel
    runs: PyTorch's ops that keep their input's dtype (abs, neg, floor, sign, clamp...) do not
    cast their result (``torch.floor(int_tensor, out=float_tensor)``: "Found dtype Float but
    expected Int"). ``expected(args, kwargs)`` is the result dtype (None: no check);
    ``message`` PyTorch's words, given the names of ``out``'s dtype and of the expected one."""
    op = name or fn.__name__

    @functools.wraps(fn)
    def call(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        if out is None:
            return fn(*args, **kwargs)
        if isinstance(out, Tensor) and args and isinstance(args[0], Tensor):
            want = expected(args, kwargs)
            if want is not None and out._data.dtype != want:
                raise RuntimeError(
                    message.format(out=dtype_name(out._data.dtype), expected=dtype_name(want))
                )
        return call_with_out(op, fn, args, out, **kwargs)

    return call


def _bool_out(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` whose ``out`` must be a bool tensor (isposinf, isneginf, signbit)."""
    return _exact_out(
        fn,
        expected=lambda args, kwargs: np.dtype(np.bool_),
        message=f"{fn.__name__} does not support non-boolean outputs.",
    )


# The functions that make a tensor.
zeros = _new_into(_cr.zeros)
ones = _new_into(_cr.ones)
empty = _new_into(_cr.empty)
full = _new_into(_cr.full)
rand = _new_into(_rn.rand)
randn = _new_into(_rn.randn)
randint = _new_into(_rn.randint)
randperm = _new_into(_rn.randperm)

# Arithmetic and comparisons.
add = _with_out(_ar.add)
sub = _with_out(_ar.sub)
subtract = _with_out(_ar.sub, "subtract")
mul = _with_out(_ar.mul)
multiply = _with_out(_ar.mul, "multiply")
div = _with_out(_ar.div)
divide = _with_out(_ar.div, "divide")
true_divide = _with_out(_ar.div, "true_divide")
floor_divide = _with_out(_ar.floor_divide)
pow = _with_out(_ar.pow)
neg = _exact_out(_ar.neg, expected=_neg_dtype)
negative = _exact_out(_ar.neg, "negative", expected=_neg_dtype)
_where3 = _exact_out(
    _ar.where,
    expected=lambda args, kwargs: _dt.result_type(
        *[a._data if isinstance(a, Tensor) else a for a in args[1:]]
    ),
    message="Expected out type to be {expected} but got {out}",
)


@functools.wraps(_ar.where)
def where(condition: Any, *args: Any, **kwargs: Any) -> Any:
    """``torch.where(condition, input, other)``; with the condition alone, the indices of its
    nonzero elements as a tuple (``nonzero(condition, as_tuple=True)``), as in PyTorch."""
    given = len(args) + ("input" in kwargs) + ("other" in kwargs)
    if given == 2:
        return _where3(condition, *args, **kwargs)
    if given == 0 and not kwargs and isinstance(condition, Tensor):
        return _se.nonzero(condition, as_tuple=True)
    raise _ar.where_combination_error((condition, *args), kwargs)


eq = _with_out(_ar.eq)
ne = _with_out(_ar.ne)
lt = _with_out(_ar.lt)
le = _with_out(_ar.le)
gt = _with_out(_ar.gt)
ge = _with_out(_ar.ge)

# Elementwise math.
abs = _exact_out(_un.abs)
absolute = _exact_out(_un.abs, "absolute")
exp = _un.exp  # takes out= itself
log = _un.log  # takes out= itself
sqrt = _un.sqrt  # takes out= itself
sigmoid = _un.sigmoid  # takes out= itself
tanh = _un.tanh  # takes out= itself
sign = _exact_out(_un.sign)
acos = _with_out(_pw.acos)
arccos = _with_out(_pw.acos, "arccos")
acosh = _with_out(_pw.acosh)
arccosh = _with_out(_pw.acosh, "arccosh")
asin = _with_out(_pw.asin)
arcsin = _with_out(_pw.asin, "arcsin")
asinh = _with_out(_pw.asinh)
arcsinh = _with_out(_pw.asinh, "arcsinh")
atan = _with_out(_pw.atan)
arctan = _with_out(_pw.atan, "arctan")
atanh = _with_out(_pw.atanh)
arctanh = _with_out(_pw.atanh, "arctanh")
atan2 = _with_out(_pw.atan2)
arctan2 = _with_out(_pw.arctan2, "arctan2")
cos = _with_out(_pw.cos)
cosh = _with_out(_pw.cosh)
sin = _with_out(_pw.sin)
sinh = _with_out(_pw.sinh)
tan = _with_out(_pw.tan)
exp2 = _with_out(_pw.exp2)
expm1 = _with_out(_pw.expm1)
log2 = _with_out(_pw.log2)
log10 = _with_out(_pw.log10)
log1p = _with_out(_pw.log1p)
rsqrt = _with_out(_pw.rsqrt)
reciprocal = _with_out(_pw.reciprocal)
square = _with_out(_pw.square)
erf = _with_out(_pw.erf)
erfc = _with_out(_pw.erfc)
floor = _exact_out(_pw.floor)
ceil = _exact_out(_pw.ceil)
trunc = _exact_out(_pw.trunc)
fix = _exact_out(_pw.trunc, "fix")
round = _exact_out(_pw.round)
frac = _exact_out(_pw.frac)
sgn = _exact_out(_pw.sgn)
clamp = _exact_out(_pw.clamp, expected=_clamp_dtype)
clip = _exact_out(_pw.clip, expected=_clamp_dtype)
clamp_min = _exact_out(_pw.clamp_min, expected=_clamp_dtype)
clamp_max = _exact_out(_pw.clamp_max, expected=_clamp_dtype)
hypot = _with_out(_pw.hypot)
logaddexp = _with_out(_pw.logaddexp)
logaddexp2 = _with_out(_pw.logaddexp2)
maximum = _with_out(_pw.maximum)
minimum = _with_out(_pw.minimum)
fmax = _with_out(_pw.fmax)
fmin = _with_out(_pw.fmin)
fmod = _with_out(_pw.fmod)
remainder = _with_out(_pw.remainder)
lerp = _with_out(_pw.lerp)
deg2rad = _with_out(_pw.deg2rad)
rad2deg = _with_out(_pw.rad2deg)
xlogy = _with_out(_pw.xlogy)
copysign = _with_out(_pw.copysign)
nan_to_num = _exact_out(
    _pw.nan_to_num, message="nan_to_num: dtype of out: {out} should be same as input: {expected}"
)
isposinf = _bool_out(_pw.isposinf)
isneginf = _bool_out(_pw.isneginf)
signbit = _bool_out(_pw.signbit)
bitwise_and = _with_out(_pw.bitwise_and, result=_operands_dtype)
bitwise_or = _with_out(_pw.bitwise_or, result=_operands_dtype)
bitwise_xor = _with_out(_pw.bitwise_xor, result=_operands_dtype)
bitwise_not = _exact_out(_pw.bitwise_not)
logical_and = _with_out(_pw.logical_and)
logical_or = _with_out(_pw.logical_or)
logical_xor = _with_out(_pw.logical_xor)
logical_not = _with_out(_pw.logical_not)


# Reductions.
def _reduce_into(fn: Callable[..., Any]) -> Callable[..., Any]:
    """sum, prod, cumsum, cumprod with ``out=``: PyTorch computes them in out's dtype (the
    input cast to it first: the sum of [0.6, 0.7, 1.9] into an int64 out is 1)."""
    with_out = _with_out(fn)

    @functools.wraps(fn)
    def call(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        # (while recording, the out= autograd error comes first; this module's any is torch's)
        recording = (
            _state.grad_enabled
            and [a for a in args if isinstance(a, Tensor) and a._requires_grad] != []
        )
        if isinstance(out, Tensor) and kwargs.get("dtype") is None and not recording:
            kwargs["dtype"] = out.dtype
        return with_out(*args, out=out, **kwargs)

    return call


sum = _reduce_into(_rd.sum)
mean = _with_out(_rd.mean)
prod = _reduce_into(_rd.prod)
max = _with_out(_rd.max)
min = _with_out(_rd.min)
amax = _with_out(_rd.amax)
amin = _with_out(_rd.amin)
argmax = _with_out(_rd.argmax)
argmin = _with_out(_rd.argmin)
std = _with_out(_rd.std)
var = _with_out(_rd.var)
logsumexp = _with_out(_rd.logsumexp)
cumsum = _reduce_into(_rd.cumsum)
cumprod = _reduce_into(_rd.cumprod)
all = _with_out(_rd.all)
any = _with_out(_rd.any)
median = _with_out(_rd.median)
sort = _with_out(_rd.sort)
topk = _with_out(_rd.topk)

# Matrix products.
matmul = _with_out(_pr.matmul)
mm = _with_out(_pr.mm)
bmm = _with_out(_pr.bmm)
mv = _with_out(_pr.mv)
dot = _with_out(_pr.dot)
inner = _with_out(_pr.inner)
outer = _with_out(_pr.outer)
addmm = _with_out(_pr.addmm)
addmv = _with_out(_pr.addmv)
baddbmm = _with_out(_pr.baddbmm)
kron = _with_out(_pr.kron)


# Joining and indexing.
def _cat_into(name: str) -> Callable[..., Any]:
    """cat/concat with ``out=``: PyTorch's cat checks that the inputs' dtype casts to out's
    first, with its own TypeError."""
    with_out = _with_out(_sh.cat, name)

    @functools.wraps(_sh.cat)
    def call(tensors: Any, *args: Any, out: Any = None, **kwargs: Any) -> Any:
        if isinstance(out, Tensor):
            arrays = [t._data for t in tensors if isinstance(t, Tensor)]
            if arrays and not _dt.can_cast(_dt.result_type(*arrays), out._data.dtype):
                raise TypeError(
                    "torch.cat(): input types can't be cast to the desired output type "
                    f"{dtype_name(out._data.dtype)}"
                )
        return with_out(tensors, *args, out=out, **kwargs)

    return call


cat = _cat_into("cat")
concat = _cat_into("concat")
concatenate = _with_out(_sh.cat, "concatenate")
stack = _with_out(_sh.stack)
hstack = _with_out(_sh.hstack)
vstack = _with_out(_sh.vstack)
dstack = _with_out(_sh.dstack)
column_stack = _with_out(_sh.column_stack)
tril = _with_out(_sh.tril)
triu = _with_out(_sh.triu)
gather = _with_out(_ix.gather)
index_select = _with_out(_ix.index_select)
masked_select = _with_out(_ix.masked_select)

# Added for issue 11: the rest of the torch-level functions that take out= in PyTorch.
addbmm = _with_out(_pr.addbmm)
addr = _with_out(_pr.addr)
chain_matmul = _with_out(_la.chain_matmul)
cholesky = _with_out(_la.cholesky)
cholesky_inverse = _with_out(_la.cholesky_inverse)
cholesky_solve = _with_out(_la.cholesky_solve)
cross = _with_out(_la.cross)
ger = _with_out(_pr.ger)
inverse = _with_out(_la.inverse)
matrix_power = _with_out(_la.matrix_power)
norm = _with_out(_la.norm)
qr = _with_out(_la.qr)
renorm = _with_out(_la.renorm)
svd = _with_out(_la.svd)
vdot = _with_out(_pr.vdot)
addcdiv = _with_out(_pw.addcdiv)
addcmul = _with_out(_pw.addcmul)
angle = _with_out(_pw.angle)
bitwise_left_shift = _with_out(_pw.bitwise_left_shift, result=_operands_dtype)
bitwise_right_shift = _with_out(_pw.bitwise_right_shift, result=_operands_dtype)
float_power = _exact_out(
    _pw.float_power,
    expected=lambda args, kwargs: np.dtype(np.float64),
    message="the output given to float_power has dtype {out} but the operation's result "
    "requires dtype {expected}",
)
frexp = _with_out(_pw.frexp)
gcd = _with_out(_pw.gcd, result=_tensors_dtype)
heaviside = _with_out(_pw.heaviside)
lcm = _with_out(_pw.lcm, result=_tensors_dtype)


def _ldexp(input: Any, other: Any, *, out: Any = None) -> Any:
    """input · 2**other (``out=``: its float result cast to out's dtype, as PyTorch's ldexp,
    whose own message refuses a lower kind)."""
    if out is None:
        return _pw.ldexp(input, other)
    if isinstance(input, Tensor) and isinstance(other, Tensor) and isinstance(out, Tensor):
        _pw.check_ldexp_cast(input, other, out._data.dtype)
    return call_with_out("ldexp", _pw.ldexp, (input, other), out)


_ldexp.__name__ = _ldexp.__qualname__ = "ldexp"
ldexp: Callable[..., Any] = _ldexp


nextafter = _with_out(_pw.nextafter)
aminmax = _with_out(_rd.aminmax)
cummax = _with_out(_rd.cummax)
cummin = _with_out(_rd.cummin)
kthvalue = _with_out(_rd.kthvalue)
logcumsumexp = _with_out(_rd.logcumsumexp)
mode = _with_out(_rd.mode)
msort = _with_out(_rd.msort)
nanmean = _with_out(_rd.nanmean)
nanmedian = _with_out(_rd.nanmedian)
nanquantile = _with_out(_rd.nanquantile)
quantile = _with_out(_rd.quantile)
arange = _with_out(_cr.arange)
eye = _with_out(_cr.eye)
linspace = _with_out(_cr.linspace)
bucketize = _with_out(_se.bucketize)
histc = _with_out(_se.histc)
histogram = _with_out(_se.histogram)
nonzero = _with_out(_se.nonzero)
searchsorted = _with_out(_se.searchsorted)
conj_physical = _exact_out(_qu.conj_physical, "conj_physical")
diag = _with_out(_sh.diag)
diff = _with_out(_sh.diff, "sub")  # PyTorch's diff names the sub it runs
digamma = _with_out(_sp.digamma)
erfinv = _with_out(_sp.erfinv)
lgamma = _with_out(_sp.lgamma)
logit = _with_out(_sp.logit)
mvlgamma = _with_out(_sp.mvlgamma)
polygamma = _with_out(_sp.polygamma)
sinc = _with_out(_sp.sinc)
take_along_dim = _with_out(_ix.take_along_dim)
row_stack = _with_out(_al.row_stack, "row_stack")
greater = _with_out(_al.greater, "greater")
greater_equal = _with_out(_al.greater_equal, "greater_equal")
less = _with_out(_al.less, "less")
less_equal = _with_out(_al.less_equal, "less_equal")
not_equal = _with_out(_al.not_equal, "not_equal")
narrow_copy = _with_out(_al.narrow_copy)

# The special functions and factorizations added for issue 11.
i0 = _with_out(_sp.i0)
igamma = _with_out(_sp.igamma)
igammac = _with_out(_sp.igammac)
orgqr = _with_out(_la.orgqr)
ormqr = _with_out(_la.ormqr)
lu = _with_out(_la.lu)
lu_solve = _with_out(_la.lu_solve)
lu_unpack = _with_out(_la.lu_unpack)
triangular_solve = _with_out(_la.triangular_solve)
geqrf = _with_out(_la.geqrf)
