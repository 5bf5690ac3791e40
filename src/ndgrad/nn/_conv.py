"""Convolution in 1, 2 and 3 spatial dims, plain and transposed, as one fused Function.

Every form records PyTorch's ``ConvolutionBackward0``: ``F.conv1d`` convolves the 3-d input
directly (no unsqueeze to 2-d), and a transposed convolution is the same node with the roles of
the two window maps swapped. The windows of a padded input are an ``as_strided`` view
(N, C, *out, *kernel); their adjoint (col2im) adds values back with one strided slice per
kernel position, so no Python loop runs over pixels.
"""

from __future__ import annotations

import itertools
import math
import warnings
from typing import Any

import numpy as np

from .._layout import suggests_channels_last
from .._tensor import Tensor
from ..ops._util import channels_last_copy, dtype_name
from ..ops.arithmetic import NumpyFunction

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "convolution",
]


class _Geom:
    """Everything but the tensors of one convolution: shapes, stride, padding, dilation, groups.

    ``x_shape`` is the shape of the convolution's input side (for a transposed convolution, its
    output), ``w_shape`` is (O, C/groups, *kernel) with O the channels of the other side.
    """

    def __init__(
        self,
        x_shape: tuple[int, ...],
        w_shape: tuple[int, ...],
        stride: tuple[int, ...],
        pad: tuple[tuple[int, int], ...],
        dilation: tuple[int, ...],
        groups: int,
        out: tuple[int, ...] | None = None,
    ) -> None:
        self.x_shape, self.w_shape = tuple(x_shape), tuple(w_shape)
        self.s, self.p, self.d, self.g = stride, pad, dilation, groups
        self.n = len(stride)
        sizes = [x + lo + hi for x, (lo, hi) in zip(x_shape[2:], pad, strict=True)]
        self.padded = (*x_shape[:2], *sizes)
        self.k = tuple(w_shape[2:])
        # a transposed convolution gives its input's sizes: with an output_padding of at least
        # the stride (allowed when below the dilation) the formula would count one more window
        self.out = out or tuple(
            (size - d * (k - 1) - 1) // s + 1
            for size, k, s, d in zip(sizes, self.k, stride, dilation, strict=True)
        )


def _pad(x: np.ndarray, geo: _Geom) -> np.ndarray:
    """x with geo's zeros around its spatial dims. (np.pad took 100 us of Python for a
    (32, 32, 4, 4) input, about as long as the convolution's products.)"""
    if not any(lo or hi for lo, hi in geo.p):
        return x
    out = np.zeros((*x.shape[:2], *geo.padded[2:]), dtype=x.dtype)  # (a group's channels too)
    out[_inner(geo)] = x
    return out


def _inner(geo: _Geom) -> tuple[slice, ...]:
    """Where the input sits in its padded form."""
    keep = tuple(slice(lo, n - hi) for n, (lo, hi) in zip(geo.padded[2:], geo.p, strict=True))
    return (slice(None), slice(None), *keep)


def _crop(xp: np.ndarray, geo: _Geom) -> np.ndarray:
    if not any(lo or hi for lo, hi in geo.p):
        return xp
    return xp[_inner(geo)]


def _windows(xp: np.ndarray, geo: _Geom) -> np.ndarray:
    """(N, C, *out, *kernel) view of the padded input"""
    st = xp.strides
    return np.lib.stride_tricks.as_strided(
        xp,
        shape=(*xp.shape[:2], *geo.out, *geo.k),
        strides=(
            *st[:2],
            *(st[2 + i] * geo.s[i] for i in range(geo.n)),
            *(st[2 + i] * geo.d[i] for i in range(geo.n)),
        ),
        writeable=False,
    )


def _col2im(cols: np.ndarray, geo: _Geom) -> np.ndarray:
    """The adjoint of _windows: cols (N, C, *out, *kernel) summed into the padded input."""
    out = np.zeros(geo.padded, dtype=cols.dtype)
    for pos in itertools.product(*(range(k) for k in geo.k)):
        dst = tuple(
            slice(p * d, p * d + s * (o - 1) + 1, s)
            for p, d, s, o in zip(pos, geo.d, geo.s, geo.out, strict=True)
        )
        at = (slice(None), slice(None), *dst)
        part: tuple[Any, ...] = (Ellipsis, *pos)
        out[at] += cols[part]
    return out


def _col2im_channels_last(cols: np.ndarray, geo: _Geom) -> np.ndarray:
    """_col2im of cols laid out (N, *out, *kernel, C), summed into a (N, *padded, C) array and
    returned as its (N, C, *padded) view.

    Channels last, each strided add of a kernel position moves runs of (out width x C) values
    in the sum and C in the products, where _col2im's layout moves runs of out-width values:
    4 on the 8x8 digits CNN's second layer, whose (32, 32, 4, 4) input gradient took 1.1-1.6 ms
    that way and 0.4 ms this way (numpy's overhead per run dominated)."""
    n = geo.n
    out = np.zeros((geo.padded[0], *geo.padded[2:], geo.padded[1]), dtype=cols.dtype)
    for pos in itertools.product(*(range(k) for k in geo.k)):
        dst = tuple(
            slice(p * d, p * d + s * (o - 1) + 1, s)
            for p, d, s, o in zip(pos, geo.d, geo.s, geo.out, strict=True)
        )
        at = (slice(None), *dst)
        out[at] += cols[(slice(None),) * (1 + n) + pos]
    return np.moveaxis(out, -1, 1)


def _grouped(
    fn: Any, geo: _Geom, a: np.ndarray, b: np.ndarray, a_ax: int, b_ax: int, cat: int
) -> np.ndarray:
    """fn applied per group to matching channel slices of a and b, concatenated along `cat`."""
    if geo.g == 1:
        return fn(a, b)
    ga, gb = a.shape[a_ax] // geo.g, b.shape[b_ax] // geo.g

    def part(t: np.ndarray, ax: int, size: int, i: int) -> np.ndarray:
        return t[(slice(None),) * ax + (slice(i * size, (i + 1) * size),)]

    return np.concatenate(
        [fn(part(a, a_ax, ga, i), part(b, b_ax, gb, i)) for i in range(geo.g)], axis=cat
    )


def _im2col(x: np.ndarray, geo: _Geom) -> np.ndarray:
    """The windows of x as a (N·∏out, ∏kernel·C) matrix, each row one window, channels last.

    Its copy moves runs of C values. The windows of x as laid out ((N, C, *out, *kernel),
    _windows) move runs of one kernel row (3 values for a 3x3 kernel): a (32, 32, 4, 4) input
    to a 3x3, 64-channel convolution took 540 us forward and 510 for the weight's gradient that
    way, 310 and 300 this way; (32, 16, 16, 16): 5.6 and 5.2 ms against 1.8 and 2.1."""
    xp = np.moveaxis(_pad(x, geo), 1, -1)  # (N, *padded, C)
    xp = np.ascontiguousarray(xp)
    st, n = xp.strides, geo.n
    win = np.lib.stride_tricks.as_strided(
        xp,
        shape=(xp.shape[0], *geo.out, *geo.k, xp.shape[-1]),
        strides=(
            st[0],
            *(st[1 + i] * geo.s[i] for i in range(n)),
            *(st[1 + i] * geo.d[i] for i in range(n)),
            st[-1],
        ),
        writeable=False,
    )
    return win.reshape(xp.shape[0] * math.prod(geo.out), math.prod(geo.k) * xp.shape[-1])


def _im2col_channels_last(x: np.ndarray, geo: _Geom) -> bool:
    """Whether the forward and the weight's gradient use _im2col: with more than one channel
    per group (with one, its runs are single values, and the other layout was as fast)."""
    return bool(x.shape[1] > geo.g)


def _conv_out(x: np.ndarray, w: np.ndarray, geo: _Geom) -> np.ndarray:
    n = geo.n
    if _im2col_channels_last(x, geo):

        def products(a: np.ndarray, b: np.ndarray) -> np.ndarray:  # (N, *out, O/g)
            wm = np.moveaxis(b, 1, -1).reshape(b.shape[0], math.prod(b.shape[1:]))
            y = _im2col(a, geo) @ wm.T
            return y.reshape(a.shape[0], *geo.out, b.shape[0])

        y = _grouped(products, geo, x, w, 1, 0, -1)
    else:
        win = _windows(_pad(x, geo), geo)
        axes = ([1, *range(2 + n, 2 + 2 * n)], [1, *range(2, 2 + n)])
        y = _grouped(lambda a, b: np.tensordot(a, b, axes=axes), geo, win, w, 1, 0, -1)
    return np.ascontiguousarray(np.moveaxis(y, -1, 1))  # (N, *out, O) -> (N, O, *out)


def _channels_last(w: np.ndarray, geo: _Geom) -> bool:
    """Whether _conv_input_grad sums channels last: when there are at least as many channels as
    output columns (timed: with 1 or 3 channels and 8-32 columns the other layout is as fast)."""
    return bool(w.shape[1] * geo.g >= geo.out[-1])


def _conv_input_grad(gy: np.ndarray, w: np.ndarray, geo: _Geom) -> np.ndarray:
    n = geo.n
    if _channels_last(w, geo):
        # (N, *out, *kernel, C/g) per group, concatenated along the channel axis
        def products(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return np.tensordot(a, np.moveaxis(b, 1, -1), axes=([1], [0]))

        padded = _col2im_channels_last(_grouped(products, geo, gy, w, 1, 0, -1), geo)
    else:
        # (N, *out, C/g, *kernel) per group, concatenated along the channel axis
        cols = _grouped(lambda a, b: np.tensordot(a, b, axes=([1], [0])), geo, gy, w, 1, 0, 1 + n)
        padded = _col2im(np.moveaxis(cols, 1 + n, 1), geo)
    return np.ascontiguousarray(_crop(padded, geo))


def _conv_weight_grad(x: np.ndarray, gy: np.ndarray, geo: _Geom) -> np.ndarray:
    n = geo.n
    if _im2col_channels_last(x, geo):

        def products(a: np.ndarray, b: np.ndarray) -> np.ndarray:  # (O/g, C/g, *kernel)
            rows = a.shape[0] * math.prod(a.shape[2:])  # N·∏out (explicit: N may be 0)
            g = np.moveaxis(a, 1, -1).reshape(rows, a.shape[1])  # (N·∏out, O/g)
            gw = (g.T @ _im2col(b, geo)).reshape(a.shape[1], *geo.k, b.shape[1])
            return np.ascontiguousarray(np.moveaxis(gw, -1, 1))

        return _grouped(products, geo, gy, x, 1, 1, 0)
    win = _windows(_pad(x, geo), geo)
    axes = ([0, *range(2, 2 + n)], [0, *range(2, 2 + n)])
    return _grouped(lambda a, b: np.tensordot(a, b, axes=axes), geo, gy, win, 1, 1, 0)


def _add_bias(y: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    if b is not None:
        y += b.reshape(-1, *([1] * (y.ndim - 2)))
    return y


class Convolution(NumpyFunction):
    """y = x ⋆ w + b (cross-correlation), or its adjoint in x when transposed;
    plain: dx = ConvInputGrad(g, w), dw = ConvWeightGrad(x, g);
    transposed: dx = Convolution(g, w), dw = ConvWeightGrad(g, x); db = Σ g over all but dim 1"""

    _listed_inputs = (0, 1, 2)  # a missing bias too

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, w: np.ndarray, b: Any, geo: _Geom, transposed: bool
    ) -> np.ndarray:
        need_x, need_w = ctx.needs_input_grad[:2]
        ctx.save_for_backward(x if need_w else None, w if need_x else None)
        ctx.geo, ctx.transposed = geo, transposed
        y = _conv_input_grad(x, w, geo) if transposed else _conv_out(x, w, geo)
        y = _add_bias(y, b)
        if x.ndim == 4 and (suggests_channels_last(x) or suggests_channels_last(w)):
            y = channels_last_copy(y)  # PyTorch's CPU convolution keeps the channels-last layout
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        geo = ctx.geo
        gx = gw = gb = None
        if ctx.transposed:
            if need_x:
                gx = Convolution.apply(grad, w, None, geo, False)
            if need_w:
                gw = ConvWeightGrad.apply(grad, x, geo)
        else:
            if need_x:
                gx = ConvInputGrad.apply(grad, w, geo)
            if need_w:
                gw = ConvWeightGrad.apply(x, grad, geo)
        if need_b:
            gb = grad.sum((0, *range(2, grad.ndim)))
        return gx, gw, gb, None, None


class ConvInputGrad(NumpyFunction):
    """dx = the adjoint of convolution applied to g (a transposed convolution); bilinear in g, w"""

    node_name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx: Any, gy: np.ndarray, w: np.ndarray, geo: _Geom) -> np.ndarray:
        need_g, need_w, _ = ctx.needs_input_grad
        ctx.save_for_backward(gy if need_w else None, w if need_g else None)
        ctx.geo = geo
        return _conv_input_grad(gy, w, geo)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        gy, w = ctx.saved_tensors
        need_g, need_w, _ = ctx.needs_input_grad
        geo = ctx.geo
        dg = Convolution.apply(grad, w, None, geo, False) if need_g else None
        dw = ConvWeightGrad.apply(grad, gy, geo) if need_w else None
        return dg, dw, None


class ConvWeightGrad(NumpyFunction):
    """dw = Σ over batch and positions of g · windows of x; bilinear in x, g"""

    node_name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, gy: np.ndarray, geo: _Geom) -> np.ndarray:
        need_x, need_g, _ = ctx.needs_input_grad
        ctx.save_for_backward(x if need_g else None, gy if need_x else None)
        ctx.geo = geo
        return _conv_weight_grad(x, gy, geo)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, gy = ctx.saved_tensors
        need_x, need_g, _ = ctx.needs_input_grad
        geo = ctx.geo
        dx = ConvInputGrad.apply(gy, grad, geo) if need_x else None
        dg = Convolution.apply(x, grad, None, geo, False) if need_g else None
        return dx, dg, None


# --- argument checks, in the order PyTorch makes them --------------------------------------------
def _expand(v: Any, n: int, name: str) -> tuple[int, ...]:
    t = (int(v),) * n if isinstance(v, int | np.integer) else tuple(int(x) for x in v)
    if len(t) == 1 and n != 1:
        t = t * n
    if len(t) != n:
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {n} values to match the "
            f"convolution dimensions, but got {name}={list(t)}"
        )
    return t


_warned = {"same": False}


def _same_padding(
    padding: str, k: tuple[int, ...], d: tuple[int, ...], s: tuple[int, ...]
) -> tuple[tuple[int, int], ...]:
    if padding == "valid":
        return tuple((0, 0) for _ in k)
    if padding != "same":
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    if any(x != 1 for x in s):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    total = [dd * (kk - 1) for kk, dd in zip(k, d, strict=True)]
    if any(t % 2 for t in total) and not _warned["same"]:
        _warned["same"] = True  # PyTorch warns once per process
        warnings.warn(
            "Using padding='same' with even kernel lengths and odd dilation may require a "
            "zero-padded copy of the input be created",
            UserWarning,
            stacklevel=5,
        )
    return tuple((t // 2, t - t // 2) for t in total)


def _check(
    input: Tensor, weight: Tensor, bias: Tensor | None, groups: int, transposed: bool
) -> None:
    if input.ndim != weight.ndim:
        raise RuntimeError(
            f"Expected {weight.ndim}-dimensional input for {weight.ndim}-dimensional weight "
            f"{list(weight.shape)}, but got {input.ndim}-dimensional input of size "
            f"{list(input.shape)} instead"
        )
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    c = input.shape[1]
    if transposed:
        if weight.shape[0] != c:
            raise RuntimeError(
                f"Given transposed=1, weight of size {list(weight.shape)}, expected input"
                f"{list(input.shape)} to have {weight.shape[0]} channels, but got {c} channels "
                "instead"
            )
    else:
        if weight.shape[0] < groups:
            raise RuntimeError(
                f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, "
                f"but got weight of size {list(weight.shape)} instead"
            )
        if weight.shape[0] % groups:
            raise RuntimeError(
                f"Given groups={groups}, expected weight to be divisible by {groups} at dimension "
                f"0, but got weight of size [{list(weight.shape)}] instead"
            )
        if weight.shape[1] * groups != c:
            raise RuntimeError(
                f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
                f"{list(input.shape)} to have {weight.shape[1] * groups} channels, but got {c} "
                "channels instead"
            )
    out_c = weight.shape[1] * groups if transposed else weight.shape[0]
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != out_c):
        raise RuntimeError(
            f"Given {'transposed=1, ' if transposed else ''}weight of size {list(weight.shape)}, "
            f"expected bias to be 1-dimensional with "
            f"{out_c} elements, but got bias of size {list(bias.shape)} instead"
        )
    dt = input._data.dtype
    if weight._data.dtype != dt:
        raise RuntimeError(
            f"expected scalar type {dtype_name(dt)} but found {dtype_name(weight._data.dtype)}"
        )
    if bias is not None and bias._data.dtype != dt:
        raise RuntimeError(
            f"Input type ({dtype_name(dt).lower()}) and bias type "
            f"({dtype_name(bias._data.dtype).lower()}) should be the same"
        )


def _as_2d(vals: tuple[int, ...], n: int, fill: int) -> tuple[int, ...]:
    """PyTorch computes a 1-d convolution as a 2-d one over a height of 1 and words some of its
    messages in those terms."""
    return (fill, *vals) if n == 1 else tuple(vals)


def _size_text(sizes: Any) -> str:
    return " x ".join(str(v) for v in sizes)


def convolution(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: Any,
    padding: Any,
    dilation: Any,
    transposed: bool,
    output_padding: Any,
    groups: int,
) -> Tensor:
    """``torch.convolution``: the N-d convolution every conv function calls (batched input)."""
    n = weight.ndim - 2
    _check(input, weight, bias, groups, transposed)
    s, d = _expand(stride, n, "stride"), _expand(dilation, n, "dilation")
    k = tuple(weight.shape[2:])
    if any(v <= 0 for v in s):
        raise RuntimeError("non-positive stride is not supported")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(_as_2d(d, n, 1))}")
    if isinstance(padding, str):
        pad = _same_padding(padding, k, d, s)
    else:
        p = _expand(padding, n, "padding")
        if any(v < 0 for v in p):
            raise RuntimeError("negative padding is not supported")
        pad = tuple((v, v) for v in p)
    sizes = tuple(input.shape[2:])
    if not transposed:
        geo = _Geom(input._data.shape, weight._data.shape, s, pad, d, groups)
        if any(o <= 0 for o in geo.out):
            span = (dd * (kk - 1) + 1 for kk, dd in zip(k, d, strict=True))
            raise RuntimeError(
                f"Calculated padded input size per channel: ({_size_text(geo.padded[2:])}). "
                f"Kernel size: ({_size_text(span)})."
                " Kernel size can't be greater than actual input size"
            )
        return Convolution.apply(input, weight, bias, geo, False)
    op = _expand(output_padding, n, "output_padding")
    if any(o >= ss and o >= dd for o, ss, dd in zip(op, s, d, strict=True)):
        names = ("depth", "height", "width")[3 - max(n, 2) :]
        parts = [
            f"{what}_{nm}: {v}"
            for what, vals in (("output_padding", op), ("stride", s), ("dilation", d))
            for nm, v in zip(
                names, _as_2d(vals, n, 0 if what == "output_padding" else 1), strict=True
            )
        ]
        raise RuntimeError(
            "output padding must be smaller than either stride or dilation, but got "
            + " ".join(parts)
        )
    out = tuple(
        (x - 1) * ss - 2 * pp[0] + dd * (kk - 1) + oo + 1
        for x, ss, pp, dd, kk, oo in zip(sizes, s, pad, d, k, op, strict=True)
    )
    if any(o <= 0 for o in out):
        raise RuntimeError(
            f"Given input size per channel: ({_size_text(_as_2d(sizes, n, 1))}). Calculated output "
            f"size per channel: ({_size_text(_as_2d(out, n, 1))}). Output size is too small"
        )
    x_shape = (input.shape[0], weight.shape[1] * groups, *out)
    geo = _Geom(x_shape, weight._data.shape, s, pad, d, groups, tuple(sizes))
    return Convolution.apply(input, weight, bias, geo, True)


def _conv_nd(
    n: int,
    name: str,
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: int,
    transposed: bool = False,
    output_padding: Any = 0,
) -> Tensor:
    unbatched = input.ndim == n + 1
    if input.ndim not in (n + 1, n + 2):
        raise RuntimeError(
            f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {name}, but got input "
            f"of size: {list(input.shape)}"
        )
    if transposed and isinstance(padding, str):
        raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    if unbatched:
        input = input.unsqueeze(0)
    y = convolution(
        input, weight, bias, stride, padding, dilation, transposed, output_padding, groups
    )
    return y.squeeze(0) if unbatched else y


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """1-d cross-correlation of (N, C, L) input with (O, C/groups, K) weight"""
    return _conv_nd(1, "conv1d", input, weight, bias, stride, padding, dilation, groups)


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """2-d cross-correlation of (N, C, H, W) input with (O, C/groups, KH, KW) weight"""
    return _conv_nd(2, "conv2d", input, weight, bias, stride, padding, dilation, groups)


def conv3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """3-d cross-correlation of (N, C, D, H, W) input with (O, C/groups, KD, KH, KW) weight"""
    return _conv_nd(3, "conv3d", input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """The adjoint of conv1d in its input: weight (C_in, C_out/groups, K)"""
    return _conv_nd(
        1, "conv_transpose1d", input, weight, bias, stride, padding, dilation, groups, True,
        output_padding,
    )  # fmt: skip


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """The adjoint of conv2d in its input: weight (C_in, C_out/groups, KH, KW)"""
    return _conv_nd(
        2, "conv_transpose2d", input, weight, bias, stride, padding, dilation, groups, True,
        output_padding,
    )  # fmt: skip


def conv_transpose3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """The adjoint of conv3d in its input: weight (C_in, C_out/groups, KD, KH, KW)"""
    return _conv_nd(
        3, "conv_transpose3d", input, weight, bias, stride, padding, dilation, groups, True,
        output_padding,
    )  # fmt: skip
