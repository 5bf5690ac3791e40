"""The pooling and shuffle ops PyTorch also exposes as ``torch.*`` functions. They are
``nn.functional``'s, with the torch-level conventions: an empty ``stride`` means the kernel size,
and ``torch.adaptive_max_pool1d`` / ``torch.max_pool1d_with_indices`` return (values, indices)."""

from __future__ import annotations

from typing import Any

from ._tensor import Tensor
from .nn import _pooling as P

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_max_pool1d",
    "affine_grid_generator",
    "avg_pool1d",
    "channel_shuffle",
    "grid_sampler",
    "grid_sampler_2d",
    "grid_sampler_3d",
    "max_pool1d",
    "max_pool1d_with_indices",
    "max_pool3d",
    "native_channel_shuffle",
    "pixel_shuffle",
    "pixel_unshuffle",
]

adaptive_avg_pool1d = P.adaptive_avg_pool1d
affine_grid_generator = P.affine_grid_generator
grid_sampler = P.grid_sampler
channel_shuffle = P.channel_shuffle
native_channel_shuffle = P.native_channel_shuffle
pixel_shuffle = P.pixel_shuffle
pixel_unshuffle = P.pixel_unshuffle


def adaptive_max_pool1d(input: Tensor, output_size: Any) -> tuple[Tensor, Tensor]:
    """(values, indices) of ``F.adaptive_max_pool1d``"""
    return P.adaptive_max_pool1d_with_indices(input, output_size)


def max_pool1d_with_indices(
    input: Tensor,
    kernel_size: Any,
    stride: Any = (),
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> tuple[Tensor, Tensor]:
    """(values, indices) of ``F.max_pool1d``"""
    return P.max_pool1d_with_indices(
        input, kernel_size, stride or None, padding, dilation, ceil_mode
    )


def max_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = (),
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> Tensor:
    """``F.max_pool1d`` (values only)"""
    return P.max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool3d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = (),
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> Tensor:
    """``F.max_pool3d`` (values only)"""
    return P.max_pool3d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def avg_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = (),
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """``F.avg_pool1d``"""
    return P.avg_pool1d(input, kernel_size, stride or None, padding, ceil_mode, count_include_pad)


def _dims(input: Tensor, grid: Tensor, n: int) -> None:
    if input.ndim != n or grid.ndim != n:
        raise RuntimeError(
            f"grid_sampler(): expected {n}D input and grid with same number of dimensions, but "
            f"got input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
        )


def grid_sampler_2d(
    input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int, align_corners: bool
) -> Tensor:
    """``F.grid_sample`` of a 4-d input, the modes as PyTorch's enum numbers"""
    _dims(input, grid, 4)
    return P.grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def grid_sampler_3d(
    input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int, align_corners: bool
) -> Tensor:
    """``F.grid_sample`` of a 5-d input, the modes as PyTorch's enum numbers"""
    _dims(input, grid, 5)
    return P.grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)
