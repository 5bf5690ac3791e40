"""Dropout in its plain, channel-wise (feature) and alpha forms, as ``torch.nn.functional`` and
``torch.*`` have it.

The masks come from the default generator exactly as PyTorch's CPU kernels draw them: one
``bernoulli_(1 - p)`` over the mask shape in the input's dtype, (N, C) followed by ones for the
feature forms, so a seeded program draws the same mask under ndgrad and PyTorch. The mask is a
constant: the output is ``input * noise`` (``MulBackward0``), and for alpha dropout
``input * (noise a) + b`` (``AddBackward0``), as PyTorch records them.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _random
from .._layout import empty_like_torch
from .._tensor import Tensor

__all__ = [
    "alpha_dropout",
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "feature_alpha_dropout",
]

# SELU's negative saturation -λα, written as PyTorch's kernel has it
_SELU_ALPHA = 1.7580993408473766


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def check_p_torch(p: float) -> None:
    """The check of ``torch.dropout`` and its relatives, PyTorch's C++ functions: a
    RuntimeError, p printed as C++ prints a double (2.0 is "2")."""
    if p < 0.0 or p > 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p:g}")


def _bernoulli(like: np.ndarray, dt: np.dtype, keep: float) -> np.ndarray:
    """``empty_like(like).bernoulli_(keep)``: the draws fill the noise in memory order, so a
    non-contiguous input (an attention output transposed back to batch-first) gets PyTorch's
    mask."""
    return _random.bernoulli_(Tensor._make(empty_like_torch(like, dt)), keep)._data


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a)


def _dropout_impl(
    input: Tensor, p: float, train: bool, feature: bool, alpha: bool, inplace: bool
) -> Tensor:
    """PyTorch's shared dropout kernel: plain, feature (one draw per (N, C)) and alpha forms."""
    check_p_torch(p)
    if p == 0.0 or not train or input.numel() == 0:
        return input
    dt = input._data.dtype
    if p == 1.0:
        zero = _const(np.zeros((), dtype=dt))
        return input.mul_(zero) if inplace else input * zero
    like = input._data  # PyTorch's empty_like(input)
    if feature:
        if input.ndim < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        like = np.empty((*input.shape[:2], *([1] * (input.ndim - 2))), dt)  # make_feature_noise
    noise = _bernoulli(like, dt, 1.0 - p)
    if alpha:
        a = 1.0 / math.sqrt((_SELU_ALPHA * _SELU_ALPHA * p + 1) * (1 - p))
        # computed in the input's dtype step by step, as PyTorch's in-place kernel does
        b = (noise - dt.type(1)) * dt.type(_SELU_ALPHA * a) + dt.type(_SELU_ALPHA * a * p)
        noise = noise * dt.type(a)
        out = input.mul_(_const(noise)) if inplace else input * _const(noise)
        return out.add_(_const(b.astype(dt, copy=False)))
    noise = np.asarray(_random.dropout_scale(noise, p))  # (a 0-d noise divides to a scalar)
    return input.mul_(_const(noise)) if inplace else input * _const(noise)


# --- torch.* ----------------------------------------------------------------------------------
def dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.dropout_``: dropout written into ``input``."""
    return _dropout_impl(input, p, train, False, False, True)


def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_dropout``: zero whole channels (dims 0 and 1 index them)."""
    return _dropout_impl(input, p, train, True, False, False)


def feature_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return _dropout_impl(input, p, train, True, False, True)


def alpha_dropout_torch(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.alpha_dropout``: dropout that keeps SELU's mean and variance."""
    return _dropout_impl(input, p, train, False, True, False)


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return _dropout_impl(input, p, train, False, True, True)


def feature_alpha_dropout_torch(input: Tensor, p: float, train: bool) -> Tensor:
    return _dropout_impl(input, p, train, True, True, False)


def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return _dropout_impl(input, p, train, True, True, True)


# --- nn.functional ----------------------------------------------------------------------------
def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1-p) (training only)."""
    _check_p(p)
    if not training or p == 0.0:
        return input
    if p == 1.0 and not inplace:
        return input * 0
    # PyTorch's CPU dropout: noise = bernoulli(1 - p) in the input's dtype (laid out as the
    # input), divided by (1 - p) in that dtype, then input * noise (mul_ with inplace=True)
    return _dropout_impl(input, p, training, False, False, inplace)


def dropout1d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) input with probability p; scale by 1/(1-p)."""
    _check_p(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, "
            "a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs)."
        )
    return _unbatched(input, input.ndim == 2, p, training, inplace)


def _unbatched(input: Tensor, unbatched: bool, p: float, training: bool, inplace: bool) -> Tensor:
    if unbatched:
        input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    out = _dropout_impl(input, p, training, True, False, inplace)
    if unbatched:
        out = out.squeeze_(0) if inplace else out.squeeze(0)
    return out


def _wrong_dims(name: str, got: int, spatial: int) -> None:
    warnings.warn(
        f"{name}: Received a {got}-D input to {name}, which is deprecated and will result in an "
        "error in a future release. To retain the behavior and silence this warning, please use "
        f"dropout instead. Note that {name} exists to provide channel-wise dropout on inputs "
        f"with {spatial} spatial dimensions, a channel dimension, and an optional batch "
        f"dimension (i.e. {spatial + 1}D or {spatial + 2}D inputs).",
        UserWarning,
        stacklevel=3,
    )


def dropout2d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels of (N, C, H, W) input with probability p; scale by 1/(1-p)."""
    _check_p(p)
    if input.ndim not in (3, 4):
        _wrong_dims("dropout2d", input.ndim, 2)
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            UserWarning,
            stacklevel=2,
        )
    return _dropout_impl(input, p, training, True, False, inplace)


def dropout3d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input with probability p."""
    _check_p(p)
    if input.ndim not in (4, 5):
        _wrong_dims("dropout3d", input.ndim, 3)
    return _unbatched(input, input.ndim != 5, p, training, inplace)


def alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> Tensor:
    """Dropout for SELU networks: dropped elements take SELU's saturation value, then an affine
    map a·x + b restores zero mean and unit variance."""
    _check_p(p)
    return _dropout_impl(input, p, training, False, True, inplace)


def feature_alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> Tensor:
    """Alpha dropout of whole channels."""
    _check_p(p)
    return _dropout_impl(input, p, training, True, True, inplace)
