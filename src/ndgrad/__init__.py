"""ndgrad: reverse-mode automatic differentiation in pure Python on numpy.

The public names follow PyTorch's, so that ``import ndgrad as torch`` runs PyTorch-style autograd
code:

>>> import ndgrad as torch
>>> x = torch.ones(2, 2, requires_grad=True)
>>> out = ((x + 2) * (x + 2) * 3).mean()
>>> out.backward()
>>> x.grad
tensor([[4.5000, 4.5000],
        [4.5000, 4.5000]])
"""

from __future__ import annotations

import sys as _sys
import warnings as _warnings

# _malloc first: importing it sets glibc's thresholds so that freed arrays are reused (see there)
from . import _malloc  # noqa: F401  isort: skip

# autograd next. Its package namespace (backward, grad, gradcheck, functional...) sits above the
# tensor and the ops, while its submodules grad_mode, _hooks and function sit below them, and
# the first import of any of its submodules runs the package's __init__. Imported here, before
# any module has asked for one of those submodules, the __init__ pulls in the layers below it
# in order (tests/test_import_layers.py keeps those layers free of cycles).
from . import autograd  # isort: skip

# Then Tensor's methods, which _tensor_methods installs on the class (see there).
from . import _tensor_methods  # noqa: F401  isort: skip
from . import (
    _layout,
    _legacy,
    _queries,
    _sequences,
    _settings,
    accelerator,
    amp,
    backends,
    cuda,
    dtypes,
    jit,
    linalg,
    onnx,
    viz,
)
from ._creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    tensor,
    zeros,
    zeros_like,
)
from ._device import device
from ._layout import *  # noqa: F403
from ._legacy import *  # noqa: F403
from ._printing import set_printoptions
from ._queries import *  # noqa: F403
from ._random import (
    Generator,
    _sample_dirichlet,  # noqa: F401  (torch._sample_dirichlet)
    bernoulli,
    binomial,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    multinomial,
    normal,
    poisson,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    seed,
    set_rng_state,
)
from ._sequences import *  # noqa: F403
from ._settings import *  # noqa: F403
from ._tensor import Size, Tensor
from .amp.autocast_mode import autocast, is_autocast_enabled
from .autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .dtypes import (
    bool,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    set_default_dtype,
    short,
    uint8,
)

# Each op module lists its public functions in __all__; they are re-exported here.
from .ops import aliases as _aliases
from .ops import arithmetic as _arithmetic
from .ops import indexing as _indexing
from .ops import linalg as _linalg_ops

# The torch-level names that take out= (after the op modules: these wrap their functions).
from .ops import pointwise as _pointwise
from .ops import products as _products
from .ops import reduction as _reduction
from .ops import search as _search
from .ops import shape as _shape
from .ops import special as _special
from .ops import unary as _unary
from .ops.aliases import *  # noqa: F403
from .ops.arithmetic import *  # noqa: F403
from .ops.indexing import *  # noqa: F403
from .ops.linalg import *  # noqa: F403
from .ops.pointwise import *  # noqa: F403
from .ops.products import *  # noqa: F403
from .ops.reduction import *  # noqa: F403
from .ops.search import *  # noqa: F403
from .ops.shape import *  # noqa: F403
from .ops.special import *  # noqa: F403
from .ops.unary import *  # noqa: F403

__version__ = "0.1.0"

# Where PyTorch silently returns inf or nan (log(0), 0 / 0, sqrt(-1)), numpy warns, and the
# warning would point into ndgrad's own op modules rather than at the user's line. PyTorch is
# silent, and so is ndgrad: numpy's RuntimeWarnings raised inside ndgrad's modules are ignored
# (anomaly mode's check_nan is the tool that finds where a nan was made). Warnings that ndgrad
# itself issues are UserWarnings and DeprecationWarnings, and are untouched.
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"ndgrad(\.|$)")

# PyTorch's numeric constants (``torch.pi``, ``-torch.inf`` in a mask...), and below numpy's
# indexing alias ``newaxis`` (None), as ``torch`` has them.
from math import e, inf, nan, pi  # noqa: E402

from ._lowrank import pca_lowrank, svd_lowrank  # noqa: E402
from ._strided import as_strided, as_strided_, as_strided_copy, as_strided_scatter  # noqa: E402

# The torch-level names that take out=: after the op modules, since these wrap their functions.
from .ops import out as _out  # noqa: E402
from .ops.out import *  # noqa: E402, F403

newaxis = None  # x[torch.newaxis] adds a dim


def is_tensor(obj: object) -> builtins_bool:
    """True if ``obj`` is an ndgrad Tensor."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> builtins_int:
    return input.numel()


def is_floating_point(input: Tensor) -> builtins_bool:
    return input.is_floating_point()


def detach(input: Tensor) -> Tensor:
    return input.detach()


from builtins import bool as builtins_bool  # noqa: E402  (the module shadows bool/int as dtypes)
from builtins import int as builtins_int  # noqa: E402

# Last: these packages are built from the public functions above.
from . import (  # noqa: E402
    _nn_ops,
    _nn_ops_losses,
    _numpy_names,
    _pool_ops,
    _tensor,
    distributions,
    func,
    nn,
    optim,
    random,
    special,
    utils,
)

# torch.testing is an attribute of torch: imported after every public name it tests with
# (compare_with_torch runs a function on this whole package, which it finds as its parent).
from . import testing  # noqa: E402  isort: skip
from ._namespace import public_dir  # noqa: E402
from ._nn_ops import *  # noqa: E402, F403
from ._nn_ops_losses import *  # noqa: E402, F403
from ._pool_ops import *  # noqa: E402, F403
from .distributions.gamma import standard_gamma as _standard_gamma  # noqa: E402, F401
from .distributions.gamma import standard_gamma_grad as _standard_gamma_grad  # noqa: E402, F401
from .func import vmap  # noqa: E402  (torch.vmap is torch.func.vmap)
from .serialization import load, save  # noqa: E402

__all__ = [
    "Generator",
    "accelerator",
    "amp",
    "autocast",
    "backends",
    "jit",
    "onnx",
    "Size",
    "Tensor",
    "arange",
    "as_tensor",
    "autograd",
    "bernoulli",
    "binomial",
    "bool",
    "cuda",
    "default_generator",
    "detach",
    "device",
    "distributions",
    "double",
    "dtype",
    "dtypes",
    "empty",
    "empty_like",
    "enable_grad",
    "eye",
    "float",
    "float16",
    "float32",
    "float64",
    "from_numpy",
    "full",
    "full_like",
    "func",
    "vmap",
    "get_default_dtype",
    "get_rng_state",
    "half",
    "inference_mode",
    "initial_seed",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "is_anomaly_check_nan_enabled",
    "is_anomaly_enabled",
    "is_autocast_enabled",
    "is_floating_point",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "is_tensor",
    "linalg",
    "linspace",
    "load",
    "long",
    "manual_seed",
    "multinomial",
    "nn",
    "no_grad",
    "normal",
    "numel",
    "ones",
    "ones_like",
    "optim",
    "random",
    "poisson",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
    "save",
    "seed",
    "set_default_dtype",
    "set_grad_enabled",
    "set_printoptions",
    "set_rng_state",
    "short",
    "special",
    "tensor",
    "testing",
    "uint8",
    "viz",
    "utils",
    "zeros",
    "zeros_like",
    *_aliases.__all__,
    *_arithmetic.__all__,
    *_indexing.__all__,
    *_products.__all__,
    *_linalg_ops.__all__,
    *_pointwise.__all__,
    *_reduction.__all__,
    *_search.__all__,
    *_shape.__all__,
    *_special.__all__,
    *_unary.__all__,
    *_out.__all__,
    *_layout.__all__,
    *_legacy.__all__,
    *_queries.__all__,
    *_sequences.__all__,
    *_settings.__all__,
    *_nn_ops.__all__,
    *_nn_ops_losses.__all__,
    *_pool_ops.__all__,
    "pca_lowrank",
    "svd_lowrank",
    "as_strided",
    "as_strided_",
    "as_strided_copy",
    "as_strided_scatter",
    "e",
    "inf",
    "nan",
    "newaxis",
    "pi",
]
# ops/out.py wraps other modules' functions (the out= versions): each name once.
__all__ = list(dict.fromkeys(__all__))
__dir__ = public_dir(__name__)

# numpy's axis/keepdims where PyTorch's C++ functions take them (see _numpy_names).
_numpy_names.install(
    {
        "torch": _sys.modules[__name__],
        "Tensor": (Tensor, _tensor._View),
        "nn.functional": nn.functional,
        "linalg": linalg,
        "special": special,
    }
)
