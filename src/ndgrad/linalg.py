"""``ndgrad.linalg``: the ``torch.linalg`` namespace, with gradients of any order.

This module only gives the functions PyTorch's names. The implementations are in
ndgrad/ops/linalg.py (decompositions, solves, norms, the LU and Householder factorizations; those
whose names the torch-level functions take are ``linalg_<name>`` there, as in PyTorch) and
ndgrad/ops/products.py (matmul). docs/linalg.md says what each returns and what ndgrad does where
a gradient is undefined.
"""

from __future__ import annotations

from ._namespace import public_dir

# The functions, and the types of their results (which are not in __all__; PyTorch's are in
# torch.return_types).
from .ops.linalg import (  # noqa: F401  (the result types)
    CholeskyExResult,
    EighResult,
    InvExResult,
    LegacyQRResult,
    LegacySlogdetResult,
    LegacySVDResult,
    LinAlgError,
    LstsqResult,
    QRResult,
    SlogdetResult,
    SolveExResult,
    SVDResult,
    cholesky_ex,
    cond,
    eigh,
    eigvalsh,
    householder_product,
    inv,
    inv_ex,
    lstsq,
    lu_factor,
    lu_factor_ex,
    matrix_norm,
    matrix_rank,
    multi_dot,
    pinv,
    solve,
    solve_ex,
    solve_triangular,
    svdvals,
    tensorinv,
    tensorsolve,
    vander,
    vecdot,
    vector_norm,
)
from .ops.linalg import linalg_cholesky as cholesky
from .ops.linalg import linalg_cross as cross
from .ops.linalg import linalg_det as det
from .ops.linalg import linalg_lu as lu
from .ops.linalg import linalg_lu_solve as lu_solve
from .ops.linalg import linalg_matrix_exp as matrix_exp
from .ops.linalg import linalg_matrix_power as matrix_power
from .ops.linalg import linalg_norm as norm
from .ops.linalg import linalg_qr as qr
from .ops.linalg import linalg_slogdet as slogdet
from .ops.linalg import linalg_svd as svd
from .ops.products import matmul

__all__ = [
    "LinAlgError",
    "cholesky",
    "cholesky_ex",
    "cond",
    "cross",
    "det",
    "eigh",
    "eigvalsh",
    "householder_product",
    "inv",
    "inv_ex",
    "lstsq",
    "lu",
    "lu_factor",
    "lu_factor_ex",
    "lu_solve",
    "matmul",
    "matrix_exp",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "multi_dot",
    "norm",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "solve_ex",
    "solve_triangular",
    "svd",
    "svdvals",
    "tensorinv",
    "tensorsolve",
    "vander",
    "vecdot",
    "vector_norm",
]
__dir__ = public_dir(__name__)
