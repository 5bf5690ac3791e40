"""Convolution layers beyond Conv1d/Conv2d/ConvTranspose2d: Conv3d and the 1-d and 3-d transposed
convolutions, with PyTorch's constructor signatures, weight shapes, default init and reprs."""

from __future__ import annotations

from typing import Any

from .._namespace import public_dir
from .._tensor import Tensor
from . import _conv
from .layers import _ConvNd

__all__ = ["Conv3d", "ConvTranspose1d", "ConvTranspose3d"]
__dir__ = public_dir(__name__)


class Conv3d(_ConvNd):
    """3-d convolution over (N, C, D, H, W) input."""

    _dims = 3

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
        )

    def forward(self, input: Tensor) -> Tensor:
        return self._conv_forward(input, self.weight, self.bias)


class _ConvTransposeNd(_ConvNd):
    transposed = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
            output_padding,
        )

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        n = self._dims
        fn = _conv.conv_transpose1d if n == 1 else _conv.conv_transpose3d
        return fn(
            input,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self._output_padding(input, output_size),
            self.groups,
            self.dilation,
        )


class ConvTranspose1d(_ConvTransposeNd):
    """The transpose (adjoint) of Conv1d, weight (C_in, C_out/groups, K)."""

    _dims = 1


class ConvTranspose3d(_ConvTransposeNd):
    """The transpose (adjoint) of Conv3d, weight (C_in, C_out/groups, KD, KH, KW)."""

    _dims = 3
