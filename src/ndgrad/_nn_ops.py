"""The neural-network ops PyTorch also exposes as ``torch.*`` functions (``torch.conv2d``,
``torch.layer_norm``...). They are ``nn.functional``'s; where the torch-level signature
orders arguments differently (``torch.embedding(weight, indices)``, ``torch.batch_norm``), the
wrapper here reorders them."""

from __future__ import annotations

from typing import Any

from ._tensor import Tensor
from .nn import _conv, _dropout, _embedding_bag, _norm
from .nn import functional as F

__all__ = [
    "alpha_dropout",
    "alpha_dropout_",
    "batch_norm",
    "bilinear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "convolution",
    "dropout",
    "dropout_",
    "embedding",
    "embedding_bag",
    "embedding_renorm_",
    "feature_alpha_dropout",
    "feature_alpha_dropout_",
    "feature_dropout",
    "feature_dropout_",
    "group_norm",
    "instance_norm",
    "layer_norm",
    "max_pool2d",
]

conv1d = F.conv1d
conv2d = F.conv2d
conv_transpose2d = F.conv_transpose2d
bilinear = F.bilinear
conv3d = F.conv3d
conv_transpose1d = F.conv_transpose1d
conv_transpose3d = F.conv_transpose3d
convolution = _conv.convolution
instance_norm = _norm.torch_instance_norm
alpha_dropout = _dropout.alpha_dropout_torch
alpha_dropout_ = _dropout.alpha_dropout_
feature_alpha_dropout = _dropout.feature_alpha_dropout_torch
feature_alpha_dropout_ = _dropout.feature_alpha_dropout_
feature_dropout = _dropout.feature_dropout
feature_dropout_ = _dropout.feature_dropout_
dropout_ = _dropout.dropout_
embedding_bag = _embedding_bag.torch_embedding_bag
embedding_renorm_ = _embedding_bag.embedding_renorm_


def max_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = (),
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> Tensor:
    """``F.max_pool2d`` (values only; an empty stride means the kernel size, as in PyTorch)."""
    return F.max_pool2d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def dropout(input: Tensor, p: float, train: bool) -> Tensor:
    _dropout.check_p_torch(p)
    return F.dropout(input, p, train)


def layer_norm(
    input: Tensor,
    normalized_shape: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-05,
    cudnn_enable: bool = True,
) -> Tensor:
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-05,
    cudnn_enabled: bool = True,
) -> Tensor:
    return F.group_norm(input, num_groups, weight, bias, eps)


def batch_norm(
    input: Tensor,
    weight: Tensor | None,
    bias: Tensor | None,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    training: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool = True,
) -> Tensor:
    """``F.batch_norm`` with the torch-level argument order (weight and bias first)."""
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def embedding(
    weight: Tensor,
    indices: Tensor,
    padding_idx: int = -1,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """``F.embedding(indices, weight)``: the torch-level function takes the weight first."""
    return F.embedding(indices, weight, None if padding_idx == -1 else padding_idx)
