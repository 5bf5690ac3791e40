"""ndgrad.nn: modules, layers and losses with PyTorch's names and behaviour."""

from __future__ import annotations

from .._namespace import public_dir
from . import attention, functional, init, modules, utils
from ._extras import Container, NLLLoss2d, factory_kwargs
from .activation import *  # noqa: F403
from .activation import __all__ as _activation_all
from .adaptive import AdaptiveLogSoftmaxWithLoss
from .containers import ModuleDict, ModuleList, Sequential
from .conv import *  # noqa: F403
from .conv import __all__ as _conv_all
from .dropout import *  # noqa: F403
from .dropout import __all__ as _dropout_all
from .embedding_bag import EmbeddingBag
from .layers import *  # noqa: F403
from .layers import __all__ as _layers_all
from .lazy import *  # noqa: F403
from .lazy import __all__ as _lazy_all
from .linear_cross_entropy import LinearCrossEntropyLoss, LinearCrossEntropyOptions
from .loss import *  # noqa: F403
from .loss import __all__ as _loss_all
from .module import Module
from .normalization import *  # noqa: F403
from .normalization import __all__ as _normalization_all
from .padding import *  # noqa: F403
from .padding import __all__ as _padding_all
from .parameter import Buffer, Parameter
from .pooling import *  # noqa: F403
from .pooling import __all__ as _pooling_all
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from .transformer import *  # noqa: F403
from .transformer import __all__ as _transformer_all

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "GRUCell",
    "LSTMCell",
    "RNNBase",
    "RNNCell",
    "Module",
    "ModuleDict",
    "ModuleList",
    "Parameter",
    "Sequential",
    "attention",
    "functional",
    "init",
    "modules",
    "utils",
    *_activation_all,
    *_layers_all,
    *_loss_all,
    *_padding_all,
    *_pooling_all,
    *_transformer_all,
    *_conv_all,
    *_dropout_all,
    *_normalization_all,
    *_lazy_all,
    "AdaptiveLogSoftmaxWithLoss",
    "Buffer",
    "Container",
    "EmbeddingBag",
    "LinearCrossEntropyLoss",
    "LinearCrossEntropyOptions",
    "NLLLoss2d",
    "RNNCellBase",
    "factory_kwargs",
]
__dir__ = public_dir(__name__)
