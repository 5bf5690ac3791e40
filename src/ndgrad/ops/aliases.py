"""PyTorch's other names for ops defined elsewhere, and the torch-level in-place functions.

``torch.greater`` is ``torch.gt``, ``Tensor.multiply`` is ``Tensor.mul``: PyTorch keeps these
aliases for NumPy users, and programs call them. ``torch.relu_(x)`` and the other torch-level
in-place functions are ``x.relu_()``. Each alias is written out here, so it can be found by
name; the op itself lives in its family module.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .._namespace import public_dir
from .._strided import as_strided, as_strided_, as_strided_scatter
from .._tensor import Tensor
from . import arithmetic as _ar
from . import pointwise as _pw
from . import shape as _sh
from ._util import parse_shape, require_tensor, wrap_dim
from .arithmetic import NumpyFunction

__all__ = [
    "abs_",
    "acos_",
    "acosh_",
    "addmv_",
    "alias_copy",
    "arccos_",
    "arccosh_",
    "arcsin_",
    "arcsinh_",
    "arctan_",
    "arctanh_",
    "asin_",
    "asinh_",
    "atan_",
    "atanh_",
    "ceil_",
    "clamp_",
    "clamp_max_",
    "clamp_min_",
    "clip_",
    "conj_physical_",
    "cos_",
    "cosh_",
    "deg2rad_",
    "detach_",
    "detach_copy",
    "diagonal_copy",
    "erf_",
    "erfc_",
    "exp2_",
    "exp_",
    "expand_copy",
    "expm1_",
    "fill",
    "fill_",
    "fix_",
    "floor_",
    "frac_",
    "gcd_",
    "greater",
    "greater_equal",
    "index_put_",
    "lcm_",
    "ldexp_",
    "less",
    "less_equal",
    "log1p_",
    "log2_",
    "log10_",
    "log_",
    "logit_",
    "nan_to_num_",
    "narrow_copy",
    "neg_",
    "negative_",
    "not_equal",
    "permute_copy",
    "rad2deg_",
    "reciprocal_",
    "relu_",
    "resize_as_",
    "round_",
    "row_stack",
    "rsqrt_",
    "rsub",
    "select_copy",
    "sigmoid_",
    "sin_",
    "sinc_",
    "sinh_",
    "slice_copy",
    "split_copy",
    "split_with_sizes_copy",
    "sqrt_",
    "square_",
    "squeeze_copy",
    "t_copy",
    "tan_",
    "tanh_",
    "transpose_copy",
    "trunc_",
    "unbind_copy",
    "unfold_copy",
    "unsafe_chunk",
    "unsafe_split",
    "unsafe_split_with_sizes",
    "unsqueeze_copy",
    "view_copy",
    "xlogy_",
    "zero_",
]
__dir__ = public_dir(__name__)

greater = _ar.gt
greater_equal = _ar.ge
less = _ar.lt
less_equal = _ar.le
not_equal = _ar.ne
row_stack = _sh.vstack


def rsub(input: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """other - alpha * input."""
    require_tensor(input, "rsub")
    return _ar.sub(other, _ar.mul(input, alpha) if alpha != 1 else input)


def fill(input: Tensor, value: Any) -> Tensor:
    """A tensor like ``input`` filled with ``value`` (differentiable in a tensor ``value``)."""
    require_tensor(input, "fill")
    return _ar.add(_ar.mul(input.detach(), 0), value).to(input.dtype)


def _inplace(name: str) -> Callable[..., Tensor]:
    """``torch.<name>(x, ...)``: ``x.<name>(...)``, with PyTorch's error for a non-tensor."""

    def call(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        require_tensor(input, name)
        return getattr(input, name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"In place: ``input.{name}(...)``."
    return call


abs_ = _inplace("abs_")
acos_ = _inplace("acos_")
acosh_ = _inplace("acosh_")
arccos_ = _inplace("arccos_")
arccosh_ = _inplace("arccosh_")
arcsin_ = _inplace("arcsin_")
arcsinh_ = _inplace("arcsinh_")
arctan_ = _inplace("arctan_")
arctanh_ = _inplace("arctanh_")
asin_ = _inplace("asin_")
asinh_ = _inplace("asinh_")
atan_ = _inplace("atan_")
atanh_ = _inplace("atanh_")
ceil_ = _inplace("ceil_")


def _clamp_inplace(name: str) -> Callable[..., Tensor]:
    """``torch.clamp_``/``torch.clip_``: ``x.clamp_``, with the TypeError of this form."""

    def call(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
        require_tensor(input, name)
        min, max = _pw.clamp_bounds(min, max, name, "inplace_function")
        return getattr(input, name)(min, max)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"In place: ``input.{name}(min, max)``."
    return call


clamp_ = _clamp_inplace("clamp_")
clamp_max_ = _inplace("clamp_max_")
clamp_min_ = _inplace("clamp_min_")
clip_ = _clamp_inplace("clip_")
cos_ = _inplace("cos_")
cosh_ = _inplace("cosh_")
deg2rad_ = _inplace("deg2rad_")
detach_ = _inplace("detach_")
erf_ = _inplace("erf_")
erfc_ = _inplace("erfc_")
exp2_ = _inplace("exp2_")
exp_ = _inplace("exp_")
expm1_ = _inplace("expm1_")
fill_ = _inplace("fill_")
fix_ = _inplace("fix_")
floor_ = _inplace("floor_")
frac_ = _inplace("frac_")
log10_ = _inplace("log10_")
log1p_ = _inplace("log1p_")
log2_ = _inplace("log2_")
log_ = _inplace("log_")
nan_to_num_ = _inplace("nan_to_num_")
neg_ = _inplace("neg_")
negative_ = _inplace("negative_")
rad2deg_ = _inplace("rad2deg_")
reciprocal_ = _inplace("reciprocal_")
relu_ = _inplace("relu_")
round_ = _inplace("round_")
rsqrt_ = _inplace("rsqrt_")
sigmoid_ = _inplace("sigmoid_")
sin_ = _inplace("sin_")
sinh_ = _inplace("sinh_")
sqrt_ = _inplace("sqrt_")
square_ = _inplace("square_")
tan_ = _inplace("tan_")
tanh_ = _inplace("tanh_")
trunc_ = _inplace("trunc_")
xlogy_ = _inplace("xlogy_")
zero_ = _inplace("zero_")
addmv_ = _inplace("addmv_")
gcd_ = _inplace("gcd_")
lcm_ = _inplace("lcm_")
ldexp_ = _inplace("ldexp_")
logit_ = _inplace("logit_")
sinc_ = _inplace("sinc_")
conj_physical_ = _inplace("conj_physical_")
resize_as_ = _inplace("resize_as_")


class ConjPhysical(NumpyFunction):
    """y = conj(x) = x for real tensors, in place (``conj_physical_``); dy/dx = 1"""

    node_name = "ConjPhysicalBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return x.copy()

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return grad


class AliasMethods:
    """Tensor's alias methods and the in-place comparisons."""

    def conj_physical_(self) -> Tensor:
        return self._inplace(ConjPhysical.apply)  # type: ignore[attr-defined]

    def as_strided(self, size: Any, stride: Any, storage_offset: int | None = None) -> Tensor:
        return as_strided(self, size, stride, storage_offset, _first=1)  # type: ignore[arg-type]

    def as_strided_(self, size: Any, stride: Any, storage_offset: int | None = None) -> Tensor:
        return as_strided_(self, size, stride, storage_offset, _first=1)  # type: ignore[arg-type]

    def as_strided_scatter(
        self, src: Tensor, size: Any, stride: Any, storage_offset: int | None = None
    ) -> Tensor:
        return as_strided_scatter(self, src, size, stride, storage_offset)  # type: ignore[arg-type]

    def map2_(self, x: Tensor, y: Tensor, callable: Callable[..., Any]) -> Tensor:
        """Replace each element by ``callable(element, x_element, y_element)`` (``x``, ``y``
        broadcast; Python numbers, slow, as in PyTorch)."""
        self._check_inplace()  # type: ignore[attr-defined]
        fn = np.frompyfunc(callable, 3, 1)
        data = self._data  # type: ignore[attr-defined]
        self._write(fn(data, x._data, y._data).astype(data.dtype))  # type: ignore[attr-defined]
        return self  # type: ignore[return-value]

    def resize(self, *sizes: Any) -> Tensor:
        """Deprecated in PyTorch: this tensor viewed with ``sizes`` (the same number of
        elements)."""
        warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=2)
        shape = parse_shape(sizes)
        n, total = int(np.prod(shape)), self._data.size  # type: ignore[attr-defined]
        if n != total:
            size = "x".join(str(s) for s in shape)
            raise RuntimeError(
                f"requested resize to {size} ({n} elements in total), but the given tensor has a "
                f"size of {total} ({total} elements). autograd's resize can only change the "
                "shape of a given tensor, while preserving the number of elements. "
            )
        return self.view(shape)  # type: ignore[attr-defined]

    def resize_as(self, tensor: Tensor) -> Tensor:
        """Deprecated in PyTorch: ``resize(tensor.size())``."""
        warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return self.resize(tensor._data.shape)

    def unsafe_split(self, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return _sh.split(self, split_size, dim)  # type: ignore[arg-type]

    def unsafe_chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return _sh.chunk(self, chunks, dim)  # type: ignore[arg-type]

    def unsafe_split_with_sizes(self, split_sizes: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return _sh.split_with_sizes(self, split_sizes, dim)  # type: ignore[arg-type]

    def greater(self, other: Any) -> Tensor:
        return _ar.gt(self, other)

    def greater_equal(self, other: Any) -> Tensor:
        return _ar.ge(self, other)

    def less(self, other: Any) -> Tensor:
        return _ar.lt(self, other)

    def less_equal(self, other: Any) -> Tensor:
        return _ar.le(self, other)

    def not_equal(self, other: Any) -> Tensor:
        return _ar.ne(self, other)

    def multiply(self, other: Any) -> Tensor:
        return _ar.mul(self, other)

    def divide(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return _ar.div(self, other, rounding_mode=rounding_mode)

    def subtract(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return _ar.sub(self, other, alpha=alpha)

    def absolute(self) -> Tensor:
        return self.abs()  # type: ignore[attr-defined]

    # In place: the result is written back in this tensor's dtype (a comparison gives 0 or 1).
    def eq_(self, other: Any) -> Tensor:
        return self._inplace(lambda s: _ar.eq(s, other))  # type: ignore[attr-defined]

    def ne_(self, other: Any) -> Tensor:
        return self._inplace(lambda s: _ar.ne(s, other))  # type: ignore[attr-defined]

    def lt_(self, other: Any) -> Tensor:
        return self._inplace(lambda s: _ar.lt(s, other))  # type: ignore[attr-defined]

    def le_(self, other: Any) -> Tensor:
        return self._inplace(lambda s: _ar.le(s, other))  # type: ignore[attr-defined]

    def gt_(self, other: Any) -> Tensor:
        return self._inplace(lambda s: _ar.gt(s, other))  # type: ignore[attr-defined]

    def ge_(self, other: Any) -> Tensor:
        return self._inplace(lambda s: _ar.ge(s, other))  # type: ignore[attr-defined]

    greater_ = gt_
    greater_equal_ = ge_
    less_ = lt_
    less_equal_ = le_
    not_equal_ = ne_

    def multiply_(self, other: Any) -> Tensor:
        return self.mul_(other)  # type: ignore[attr-defined]

    def divide_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return self.div_(other, rounding_mode=rounding_mode)  # type: ignore[attr-defined]

    true_divide_ = divide_

    def subtract_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return self.sub_(other, alpha=alpha)  # type: ignore[attr-defined]

    def absolute_(self) -> Tensor:
        return self.abs_()  # type: ignore[attr-defined]

    def negative_(self) -> Tensor:
        return self.neg_()  # type: ignore[attr-defined]


# The *_copy functions: the view op's result as a new contiguous tensor (PyTorch's
# functionalization names), recorded as PyTorch records them: one node, the view op's own
# (its backward), named with "_copy" (SqueezeBackward1_copy), on the input.
_COPY_NODES: dict[tuple[type, str | None], type] = {}


def _as_copy(view: Any, name: str | None = None) -> Any:
    """``view`` (a view op's result, or a tuple of them) as new contiguous tensors whose node is
    a copy of the view's node under its ``_copy`` name (or ``name``)."""
    views = view if isinstance(view, tuple) else (view,)
    node = views[0].grad_fn if views else None
    copy: Any = None
    if node is not None:
        cls = type(node)
        copy_cls = _COPY_NODES.get((cls, name))
        if copy_cls is None:
            copy_name = name or cls.__name__ + "_copy"
            copy_cls = _COPY_NODES[(cls, name)] = type(copy_name, (cls,), {})
        copy = object.__new__(copy_cls)
        copy.__dict__.update(node.__dict__)
    outs = tuple(_copied(v, copy) for v in views)
    return outs if isinstance(view, tuple) else outs[0]


def _copied(v: Tensor, node: Any) -> Tensor:
    data = np.array(v._data, order="C")  # (a new array, C-ordered)
    if node is None:
        return Tensor._make(data)
    out = Tensor._make(data, node, v._output_nr)
    out._requires_grad = True
    return out


def view_copy(input: Tensor, *shape: Any) -> Tensor:
    return _as_copy(input.view(*shape))


def permute_copy(input: Tensor, dims: Any) -> Tensor:
    return _as_copy(input.permute((*dims,)))


def transpose_copy(input: Tensor, dim0: int, dim1: int) -> Tensor:
    return _as_copy(input.transpose(dim0, dim1))


def t_copy(input: Tensor) -> Tensor:
    return _as_copy(input.t())


def squeeze_copy(input: Tensor, dim: Any = None) -> Tensor:
    return _as_copy(input.squeeze(dim))


def unsqueeze_copy(input: Tensor, dim: int) -> Tensor:
    return _as_copy(input.unsqueeze(dim))


def select_copy(input: Tensor, dim: int, index: int) -> Tensor:
    return _as_copy(input.select(dim, index))


def slice_copy(
    input: Tensor, dim: int = 0, start: int | None = None, end: int | None = None, step: int = 1
) -> Tensor:
    d = wrap_dim(dim, input.ndim)
    key = (slice(None),) * d + (slice(start, end, step),)
    return _as_copy(_sh.index_view(input, key, _sh.Slice))


def diagonal_copy(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    return _as_copy(input.diagonal(offset, dim1, dim2))


def expand_copy(input: Tensor, size: Any, *, implicit: bool = False) -> Tensor:
    return _as_copy(input.expand((*size,)))


def detach_copy(input: Tensor) -> Tensor:
    return input.detach().clone()


def alias_copy(input: Tensor) -> Tensor:
    return _as_copy(_sh.index_view(input, (), _sh.Alias))


def narrow_copy(input: Tensor, dim: int, start: Any, length: int) -> Tensor:
    # (an op of its own in PyTorch, with a node of its own name)
    return _as_copy(input.narrow(dim, start, length), "NarrowCopyBackward0")


def unfold_copy(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    return _as_copy(_sh.unfold(input, dimension, size, step))


def split_copy(tensor: Tensor, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:
    return _as_copy(tuple(_sh.split(tensor, split_size, dim)))


def split_with_sizes_copy(input: Tensor, split_sizes: Any, dim: int = 0) -> tuple[Tensor, ...]:
    return _as_copy(tuple(_sh.split(input, list(split_sizes), dim)))


def unbind_copy(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    return _as_copy(tuple(_sh.unbind(input, dim)))


# unsafe_*: PyTorch's versions that skip view tracking; here they are the safe ones.
unsafe_split = _sh.split
unsafe_chunk = _sh.chunk
unsafe_split_with_sizes = _sh.split_with_sizes


def index_put_(input: Tensor, indices: Any, values: Tensor, accumulate: bool = False) -> Tensor:
    """In place: ``input.index_put_(indices, values, accumulate)``."""
    require_tensor(input, "index_put_")
    return input.index_put_(indices, values, accumulate)
