"""PyTorch's module paths: ``ndgrad.nn.modules.linear.Linear`` is ``ndgrad.nn.Linear``.

Real code names classes by the module PyTorch defines them in: ``torch.nn.modules.rnn.LSTM`` in a
``torch.serialization.add_safe_globals`` allowlist, ``torch.nn.modules.batchnorm._BatchNorm`` in an
``isinstance`` check, ``from torch.nn.modules.linear import Linear``. Each submodule here is an
alias module holding PyTorch's names for it (the table below); a name is looked up in ``ndgrad.nn``
(or, for a private base class, in the ``ndgrad.nn`` module that defines it) when it is asked for,
so a class added to ndgrad later resolves without touching this file. A name ndgrad lacks raises
AttributeError, as a missing name does.

>>> import ndgrad
>>> from ndgrad.nn.modules.linear import Linear
>>> Linear is ndgrad.nn.Linear and ndgrad.nn.modules.rnn.LSTM is ndgrad.nn.LSTM
True
"""

from __future__ import annotations

import sys
import types
from typing import Any

# PyTorch's submodules of torch.nn.modules and the classes each defines (torch 2.13).
_PYTORCH_SUBMODULES: dict[str, tuple[str, ...]] = {
    "activation": (
        "CELU", "ELU", "GELU", "GLU", "Hardshrink", "Hardsigmoid", "Hardswish", "Hardtanh",
        "LeakyReLU", "LogSigmoid", "LogSoftmax", "Mish", "MultiheadAttention", "PReLU", "RReLU",
        "ReLU", "ReLU6", "SELU", "SiLU", "Sigmoid", "Softmax", "Softmax2d", "Softmin", "Softplus",
        "Softshrink", "Softsign", "Tanh", "Tanhshrink", "Threshold",
    ),
    "adaptive": ("AdaptiveLogSoftmaxWithLoss",),
    "batchnorm": (
        "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LazyBatchNorm1d", "LazyBatchNorm2d",
        "LazyBatchNorm3d", "SyncBatchNorm", "_BatchNorm", "_LazyNormBase", "_NormBase",
    ),
    "channelshuffle": ("ChannelShuffle",),
    "container": (
        "Container", "ModuleDict", "ModuleList", "ParameterDict", "ParameterList", "Sequential",
    ),
    "conv": (
        "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
        "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d",
        "LazyConvTranspose3d", "_ConvNd", "_ConvTransposeMixin", "_ConvTransposeNd",
    ),
    "distance": ("CosineSimilarity", "PairwiseDistance"),
    "dropout": (
        "AlphaDropout", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "FeatureAlphaDropout",
        "_DropoutNd",
    ),
    "flatten": ("Flatten", "Unflatten"),
    "fold": ("Fold", "Unfold"),
    "instancenorm": (
        "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "LazyInstanceNorm1d",
        "LazyInstanceNorm2d", "LazyInstanceNorm3d", "_InstanceNorm",
    ),
    "lazy": ("LazyModuleMixin",),
    "linear": ("Bilinear", "Identity", "LazyLinear", "Linear"),
    "linear_cross_entropy_options": ("LinearCrossEntropyOptions",),
    "loss": (
        "BCELoss", "BCEWithLogitsLoss", "CTCLoss", "CosineEmbeddingLoss", "CrossEntropyLoss",
        "GaussianNLLLoss", "HingeEmbeddingLoss", "HuberLoss", "KLDivLoss", "L1Loss",
        "LinearCrossEntropyLoss", "MSELoss",
        "MarginRankingLoss", "MultiLabelMarginLoss", "MultiLabelSoftMarginLoss",
        "MultiMarginLoss", "NLLLoss", "NLLLoss2d", "PoissonNLLLoss", "SmoothL1Loss",
        "SoftMarginLoss", "TripletMarginLoss", "TripletMarginWithDistanceLoss", "_Loss",
        "_WeightedLoss",
    ),
    "module": ("Module",),
    "normalization": ("CrossMapLRN2d", "GroupNorm", "LayerNorm", "LocalResponseNorm", "RMSNorm"),
    "padding": (
        "CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d",
        "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
        "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "ZeroPad1d", "ZeroPad2d",
        "ZeroPad3d", "_CircularPadNd", "_ConstantPadNd", "_ReflectionPadNd", "_ReplicationPadNd",
    ),
    "pixelshuffle": ("PixelShuffle", "PixelUnshuffle"),
    "pooling": (
        "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d",
        "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
        "FractionalMaxPool2d", "FractionalMaxPool3d", "LPPool1d", "LPPool2d", "LPPool3d",
        "MaxPool1d", "MaxPool2d", "MaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d",
        "_AdaptiveAvgPoolNd", "_AdaptiveMaxPoolNd", "_AvgPoolNd", "_LPPoolNd", "_MaxPoolNd",
        "_MaxUnpoolNd",
    ),
    "rnn": ("GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNBase", "RNNCell", "RNNCellBase"),
    "sparse": ("Embedding", "EmbeddingBag"),
    "transformer": (
        "Transformer", "TransformerDecoder", "TransformerDecoderLayer", "TransformerEncoder",
        "TransformerEncoderLayer",
    ),
    "upsampling": ("Upsample", "UpsamplingBilinear2d", "UpsamplingNearest2d"),
}  # fmt: skip

# class name -> the PyTorch submodule that defines it
_SUBMODULE_OF = {name: sub for sub, names in _PYTORCH_SUBMODULES.items() for name in names}


def _lookup(name: str) -> Any:
    """ndgrad's class of that name: ``ndgrad.nn.<name>``, or a private base class from the
    ``ndgrad.nn`` module that defines it; None when ndgrad has none."""
    nn = sys.modules["ndgrad.nn"]
    found = getattr(nn, name, None)
    if found is not None or not name.startswith("_"):
        return found
    module_cls = nn.Module
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith("ndgrad.nn.") and module is not None:
            found = module.__dict__.get(name)
            if isinstance(found, type) and issubclass(found, module_cls):
                return found
    return None


def pytorch_path(obj: Any) -> str | None:
    """``ndgrad.nn.modules.<submodule>:<name>`` for a module class PyTorch defines in
    ``torch.nn.modules.<submodule>``, else None."""
    name = getattr(obj, "__name__", None)
    sub = _SUBMODULE_OF.get(name) if isinstance(name, str) else None
    if sub is None or _lookup(name) is not obj:  # type: ignore[arg-type]
        return None
    return f"{__name__}.{sub}:{name}"


class _AliasModule(types.ModuleType):
    """One of PyTorch's ``torch.nn.modules.<submodule>``: its names resolve to ndgrad's classes."""

    _names: tuple[str, ...] = ()

    def __getattr__(self, name: str) -> Any:
        found = _lookup(name) if name in self._names else None
        if found is None:
            raise AttributeError(f"module '{self.__name__}' has no attribute '{name}'")
        return found

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *(n for n in self._names if _lookup(n) is not None)})


def _alias_module(sub: str, names: tuple[str, ...]) -> _AliasModule:
    full = f"{__name__}.{sub}"
    module = _AliasModule(full, f"PyTorch's torch.nn.modules.{sub}: ndgrad's classes by its names.")
    module._names = names
    module.__all__ = [n for n in names if not n.startswith("_")]  # type: ignore[attr-defined]
    sys.modules[full] = module  # so that `import ndgrad.nn.modules.linear` finds it
    return module


for _sub, _names in _PYTORCH_SUBMODULES.items():
    globals()[_sub] = _alias_module(_sub, _names)


def _public_names() -> list[str]:
    """The classes the package re-exports, as PyTorch's does: its public names that ndgrad has
    (read when asked: the classes are defined after this package is imported)."""
    return sorted(n for n in _SUBMODULE_OF if not n.startswith("_") and _lookup(n) is not None)


def __dir__() -> list[str]:
    names = {n for n in globals() if n.startswith("__") and n.endswith("__")}
    return sorted({*names, "__all__", *_PYTORCH_SUBMODULES, *_public_names()})


def __getattr__(name: str) -> Any:
    if name == "__all__":  # computed on first use (see _public_names)
        return _public_names()
    # torch.nn.modules.Linear: the package re-exports the classes, as PyTorch's does.
    found = _lookup(name) if name in _SUBMODULE_OF else None
    if found is None:
        raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
    return found
