"""Linear algebra cases found different from PyTorch by a differential run (ndgrad against torch
2.13 on random well-conditioned inputs, empty shapes and keyword options). Each case states the
expected result by hand and, where torch is installed, checks it against torch too."""

from __future__ import annotations

import math
import re
import warnings
from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import gradcheck, gradgradcheck

from .helpers import assert_close, to_numpy, torch

LIBS = [ndgrad] + ([torch] if torch is not None else [])


def _leaf(lib: Any, a: Any) -> Any:
    return lib.tensor(np.array(a, dtype=np.float64), requires_grad=True)


def _node(t: Any) -> str | None:
    return None if t.grad_fn is None else type(t.grad_fn).__name__


# --- norms and cond of empty matrices ------------------------------------------------------------


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
@pytest.mark.parametrize(
    ("shape", "ord", "keepdim", "out_shape", "node"),
    [
        # the maximum over an empty dim: zeros outside the graph
        ((0, 3), 2, False, (), None),
        ((3, 0), 1, True, (1, 1), None),
        ((2, 0, 3), math.inf, False, (2,), None),
        ((2, 3, 0), 1, False, (2,), None),
        # the maximum over a non-empty dim of empty sums: amax as usual
        ((0, 3), 1, False, (), "AmaxBackward0"),
        ((3, 0), math.inf, True, (1, 1), "AmaxBackward0"),
    ],
)
def test_matrix_norm_max_over_an_empty_dim_is_zero(
    lib: Any, shape: tuple[int, ...], ord: Any, keepdim: bool, out_shape: tuple, node: str | None
) -> None:
    y = lib.linalg.matrix_norm(_leaf(lib, np.zeros(shape)), ord=ord, keepdim=keepdim)
    assert tuple(y.shape) == out_shape
    assert _node(y) == node
    assert not to_numpy(y).any()
    if node is None:  # the minimum over the empty dim raises amin's error
        with pytest.raises(IndexError, match=r"amin\(\): Expected reduction dim"):
            lib.linalg.matrix_norm(lib.zeros(shape), ord=-ord)


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("ord", ["nuc", 2])
def test_matrix_norm_keepdim_of_singular_values_is_a_permute(lib: Any, ord: Any) -> None:
    a = np.random.default_rng(0).standard_normal((4, 2, 3))
    x = _leaf(lib, a)
    y = lib.linalg.matrix_norm(x, ord=ord, dim=(0, 2), keepdim=True)
    assert tuple(y.shape) == (1, 2, 1)
    assert _node(y) == "PermuteBackward0"
    s = np.linalg.svd(np.moveaxis(a, 1, 0), compute_uv=False)
    assert_close(y.reshape(2), s.sum(-1) if ord == "nuc" else s.max(-1))


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("p", [None, 2, -2, 1, -math.inf, "fro", "nuc"])
@pytest.mark.parametrize("shape", [(0, 0), (2, 0, 0), (0, 4, 3), (3, 0)])
def test_cond_of_empty_matrices_is_zero(lib: Any, p: Any, shape: tuple[int, ...]) -> None:
    x = _leaf(lib, np.zeros(shape))
    if isinstance(p, str) and shape[-1] != shape[-2]:  # these two check that A is square
        with pytest.raises(RuntimeError, match=r"A must be batches of square matrices, but they"):
            lib.linalg.cond(x, p)
        return
    y = lib.linalg.cond(x, p)
    assert tuple(y.shape) == shape[:-2]
    assert y.grad_fn is None
    assert not to_numpy(y).any()


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_cond_nodes(lib: Any) -> None:
    a = np.random.default_rng(1).standard_normal((3, 3)) + 3 * np.eye(3)
    x = _leaf(lib, a)
    # 2: s_max / s_min narrowed and squeezed; the orders through inv end with nan_to_num
    assert _node(lib.linalg.cond(x)) == "SqueezeBackward1"
    assert _node(lib.linalg.cond(x, 1)) == "NanToNumBackward0"
    assert _node(lib.linalg.cond(x, "nuc")) == "MulBackward0"
    assert_close(lib.linalg.cond(x, 1), np.linalg.cond(a, 1))
    if lib is not ndgrad:
        return
    a = np.random.default_rng(2).standard_normal((2, 3, 3)) + 3 * np.eye(3)
    for p in (None, -2, "fro", 1):
        assert gradcheck(lambda x, p=p: ndgrad.linalg.cond(x, p), (_leaf(ndgrad, a),))
        assert gradgradcheck(lambda x, p=p: ndgrad.linalg.cond(x, p), (_leaf(ndgrad, a),))


# --- vector norms --------------------------------------------------------------------------------


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_vector_norm_zero_order_has_no_gradient(lib: Any) -> None:
    """PyTorch's derivative of the count of nonzeros is undefined, not zeros: .grad stays None
    and autograd.grad reports the input unused."""
    x = _leaf(lib, [1.0, 0.0, -2.0])
    y = lib.linalg.vector_norm(x, 0)
    assert to_numpy(y) == 2.0 and _node(y) == "LinalgVectorNormBackward0"
    y.backward()
    assert x.grad is None
    (lib.linalg.vector_norm(x, 0, dim=0) + x.sum()).backward()
    assert_close(x.grad, np.ones(3))
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        lib.autograd.grad(lib.linalg.vector_norm(x, 0), x)


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
@pytest.mark.parametrize(
    ("ord", "dim", "message"),
    [
        (-1, None, "the -1 norm on an empty tensor"),
        (-0.5, -1, "the -0.5 norm on the dimension -1because"),
        (-2.0, (0, 1), "the -2 norm on the dimension 1because"),
        (-math.inf, None, "the -inf norm on an empty tensor"),
    ],
)
def test_vector_norm_negative_order_of_nothing_raises(
    lib: Any, ord: float, dim: Any, message: str
) -> None:
    text = "linalg.vector_norm cannot compute " + message
    with pytest.raises(RuntimeError, match=re.escape(text)):
        lib.linalg.vector_norm(lib.zeros(2, 0), ord, dim)
    # over a non-empty dim of an empty tensor there is nothing to reduce away
    assert tuple(lib.linalg.vector_norm(lib.zeros(2, 0), ord, 0).shape) == (0,)


# --- products ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
@pytest.mark.parametrize(
    ("dims", "message"),
    [
        (1, "first has size 4 in dim -1 and second has size 3 in dim 0"),
        (2, "first has size 3 in dim -2 and second has size 4 in dim 0"),
        (([-3], [1]), "first has size 2 in dim -3 and second has size 4 in dim 1"),
    ],
)
def test_tensordot_error_names_the_dims_as_given(lib: Any, dims: Any, message: str) -> None:
    b = lib.ones(4, 3, 2) if dims == 2 else lib.ones(3, 4, 2)
    with pytest.raises(RuntimeError, match=re.escape(message)):
        lib.tensordot(lib.ones(2, 3, 4), b, dims=dims)


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_vdot_is_its_own_node(lib: Any) -> None:
    x = _leaf(lib, [1.0, 2.0, 3.0])
    y = lib.vdot(x, x * 2)
    assert _node(y) == "VdotBackward0" and to_numpy(y) == 28.0
    y.backward()
    assert_close(x.grad, [4.0, 8.0, 12.0])
    with pytest.raises(TypeError, match=r"vdot\(\): argument 'other' \(position 2\) must be"):
        lib.vdot(x, [1.0, 2.0, 3.0])


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_addbmm_is_one_node(lib: Any) -> None:
    rng = np.random.default_rng(3)
    c, a, b = (
        rng.standard_normal((4,)),
        rng.standard_normal((5, 2, 3)),
        rng.standard_normal((5, 3, 4)),
    )
    xc, xa, xb = _leaf(lib, c), _leaf(lib, a), _leaf(lib, b)
    y = lib.addbmm(xc, xa, xb, beta=0.5, alpha=2.0)
    assert _node(y) == "AddbmmBackward0"
    assert [type(f).__name__ for f, _ in y.grad_fn.next_functions] == ["AccumulateGrad"] * 3
    assert_close(y, 0.5 * c + 2.0 * np.einsum("bij,bjk->ik", a, b))
    w = rng.standard_normal((2, 4))
    (y * lib.tensor(w)).sum().backward()
    assert_close(xa.grad, 2.0 * np.einsum("ik,bjk->bij", w, b))
    assert_close(xb.grad, 2.0 * np.einsum("bij,ik->bjk", a, w))
    assert_close(xc.grad, 0.5 * w.sum(0))
    if lib is ndgrad:
        f = lambda c, a, b: ndgrad.addbmm(c, a, b, beta=0.5, alpha=2.0)  # noqa: E731
        assert gradcheck(f, (xc, xa, xb)) and gradgradcheck(f, (xc, xa, xb))


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
@pytest.mark.parametrize(
    ("shapes", "dtypes", "message"),
    [
        (((2, 4), (5, 2, 3), (4, 3, 4)), None, "batch1 and batch2 must have same number of "
         "batches, got 5 and 4"),
        (((2, 4), (5, 2, 3), (5, 2, 4)), None, "Incompatible matrix sizes for bmm (2x3 and 2x4)"),
        (((2, 4), (5, 2, 3), (5, 3, 4)), ("float32", "float64", "float32"),
         "mat1 and mat2 must have the same dtype, but got Double and Float"),
        (((2, 4), (5, 2, 3), (5, 3, 4)), ("float64", "float32", "float32"),
         "self and mat2 must have the same dtype, but got Double and Float"),
    ],
)  # fmt: skip
def test_addbmm_errors(lib: Any, shapes: Any, dtypes: Any, message: str) -> None:
    dtypes = dtypes or ("float32",) * 3
    args = [lib.ones(s, dtype=getattr(lib, d)) for s, d in zip(shapes, dtypes, strict=True)]
    with pytest.raises(RuntimeError, match=re.escape(message)):
        lib.addbmm(*args)


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_linalg_vander(lib: Any) -> None:
    x = _leaf(lib, [[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]])
    v = lib.linalg.vander(x)
    assert _node(v) == "CatBackward0" and tuple(v.shape) == (2, 3, 3)
    assert_close(v, to_numpy(x)[..., None] ** np.arange(3))
    v.sum().backward()
    assert_close(x.grad, 1 + 2 * to_numpy(x))
    assert to_numpy(lib.linalg.vander(lib.tensor(2.0), N=4)).tolist() == [[1.0, 2.0, 4.0, 8.0]]
    iv = lib.linalg.vander(lib.tensor([1, 2], dtype=lib.int8), N=3)
    assert iv.dtype == lib.int64 and to_numpy(iv).tolist() == [[1, 1, 1], [1, 2, 4]]
    with pytest.raises(RuntimeError, match="N must be greater than 1."):
        lib.linalg.vander(lib.ones(1))
    with pytest.raises(RuntimeError, match="but got Bool"):
        lib.linalg.vander(lib.tensor([True, False]))
    if lib is ndgrad:
        assert gradcheck(ndgrad.linalg.vander, (x,)) and gradgradcheck(ndgrad.linalg.vander, (x,))


# --- layouts: LAPACK's results are stored column by column ---------------------------------------


def _spd(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    b = rng.standard_normal(shape)
    return b @ np.swapaxes(b, -1, -2) + shape[-1] * np.eye(shape[-1])


def _column_major(t: Any) -> bool:
    """Each matrix stored by columns, the batch dims row-major: strides (..., m·n, 1, m)."""
    *batch, m, n = t.shape
    expected = [m * n * math.prod(batch[i + 1 :]) for i in range(len(batch))] + [1, m]
    return list(t.stride()) == expected and not t.is_contiguous()


LAYOUT_CASES: dict[str, Any] = {
    "inv": lambda L, a, b: [L.linalg.inv(a)],
    "matrix_power_-1": lambda L, a, b: [L.linalg.matrix_power(a, -1)],
    "cholesky": lambda L, a, b: [L.linalg.cholesky(a), L.linalg.cholesky(a, upper=True)],
    "cholesky_ex": lambda L, a, b: [L.linalg.cholesky_ex(a).L],
    "eigh": lambda L, a, b: [L.linalg.eigh(a).eigenvectors],
    "qr": lambda L, a, b: [*L.linalg.qr(b.mT), L.linalg.qr(b, mode="complete").Q],
    "qr_r": lambda L, a, b: [L.linalg.qr(b, mode="r").R],
    "svd": lambda L, a, b: [L.linalg.svd(b).U, L.linalg.svd(b, full_matrices=False).Vh],
    "lu_factor": lambda L, a, b: [L.linalg.lu_factor(a).LU],
    "solve": lambda L, a, b: [L.linalg.solve(a, b)],
    "solve_triangular": lambda L, a, b: [
        L.linalg.solve_triangular(a, b, upper=True),
        L.linalg.solve_triangular(a, b.mT, upper=False, left=False),
    ],
    "cholesky_solve": lambda L, a, b: [L.cholesky_solve(b, a), L.cholesky_inverse(a)],
    "lu_solve": lambda L, a, b: [L.linalg.lu_solve(*L.linalg.lu_factor(a), b)],
}


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("batch", [(), (2,), (2, 3)])
@pytest.mark.parametrize("name", list(LAYOUT_CASES))
def test_factors_and_solutions_are_column_major(lib: Any, batch: tuple, name: str) -> None:
    rng = np.random.default_rng(4)
    a = lib.tensor(_spd(rng, (*batch, 3, 3)))
    b = lib.tensor(rng.standard_normal((*batch, 3, 2)))
    for out in LAYOUT_CASES[name](lib, a, b):
        assert _column_major(out), out.stride()


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_transposed_results_are_contiguous(lib: Any) -> None:
    """X A = B is solved as Aᵀ Xᵀ = Bᵀ (a contiguous X); the legacy svd's V is Vhᵀ."""
    rng = np.random.default_rng(5)
    a, b = lib.tensor(_spd(rng, (2, 3, 3))), lib.tensor(rng.standard_normal((2, 4, 3)))
    assert lib.linalg.solve(a, b, left=False).is_contiguous()
    assert lib.svd(b).V.is_contiguous()
    assert _column_major(lib.svd(b).U)


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_solve_of_vectors_lays_out_the_batch_with_n(lib: Any) -> None:
    """A batch of vector solutions (..., b, n) is stored as one column-major (b, n) matrix."""
    rng = np.random.default_rng(6)
    a = lib.tensor(_spd(rng, (2, 3, 3)))
    assert lib.linalg.solve(a, lib.tensor(rng.standard_normal((2, 3)))).stride() == (1, 2)
    assert lib.linalg.solve(a[0], lib.tensor(rng.standard_normal(3))).stride() == (1,)


# --- solve is one node ---------------------------------------------------------------------------


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
@pytest.mark.parametrize(
    ("b_shape", "left"), [((2, 3, 4), True), ((2, 4, 3), False), ((3,), True), ((2, 3), True)]
)
def test_solve_is_one_node(lib: Any, b_shape: tuple, left: bool) -> None:
    rng = np.random.default_rng(7)
    a = _spd(rng, (2, 3, 3))
    b = rng.standard_normal(b_shape)
    xa, xb = _leaf(lib, a), _leaf(lib, b)
    x = lib.linalg.solve(xa, xb, left=left)
    assert _node(x) == "LinalgSolveExBackward0"
    vector = len(b_shape) == 1 or b_shape == (2, 3)
    bm = b[..., None] if vector else b
    expected = (
        np.linalg.solve(a, bm)
        if left
        else np.swapaxes(np.linalg.solve(np.swapaxes(a, -1, -2), np.swapaxes(bm, -1, -2)), -1, -2)
    )
    assert_close(x, expected[..., 0] if vector else expected)
    if lib is ndgrad:
        f = lambda a, b: ndgrad.linalg.solve(a, b, left=left)  # noqa: E731
        assert gradcheck(f, (xa, xb)) and gradgradcheck(f, (xa, xb))


# --- errors --------------------------------------------------------------------------------------


def _m(lib: Any, shape: tuple[int, ...], dtype: str = "float64") -> Any:
    return lib.from_numpy(np.eye(*shape[-2:], dtype=dtype) * np.ones(shape, dtype=dtype))


_SVD_NAN = (
    "linalg.svd: The algorithm failed to converge because the input matrix contained non-finite "
    "values."
)


def _nan(lib: Any, shape: tuple[int, ...] = (2, 2)) -> Any:
    """Ones with a nan in the last matrix."""
    a = np.ones(shape)
    a.reshape(-1, *shape[-2:])[-1, 0, 0] = np.nan
    return lib.tensor(a)


def _kernel(name: str, dtype: str) -> tuple[type, str]:
    return NotImplementedError, f"\"{name}\" not implemented for '{dtype}'"


ERROR_CASES: list[tuple[str, Any, type, str]] = [
    # the name PyTorch's checks give (the function that does the work)
    ("inv_ex", lambda L: L.linalg.inv_ex(_m(L, (2, 3))), RuntimeError,
     "linalg.inv: A must be batches of square matrices, but they are 2 by 3 matrices"),
    ("cholesky_ex", lambda L: L.linalg.cholesky_ex(L.ones(3)), RuntimeError,
     "linalg.cholesky: The input tensor A must have at least 2 dimensions."),
    ("eigvalsh", lambda L: L.linalg.eigvalsh(_m(L, (2, 3))), RuntimeError,
     "linalg.eigh: A must be batches of square matrices, but they are 2 by 3 matrices"),
    ("svdvals", lambda L: L.linalg.svdvals(_m(L, (2, 2), "int64")), RuntimeError,
     "linalg.svd: Expected a floating point or complex tensor as input. Got Long"),
    ("solve_ex", lambda L: L.linalg.solve_ex(_m(L, (2, 3)), _m(L, (2, 1))), RuntimeError,
     "linalg.solve: A must be batches of square matrices, but they are 2 by 3 matrices"),
    ("lu_factor_1d", lambda L: L.linalg.lu_factor(L.ones(3)), RuntimeError,
     "torch.lu_factor: Expected tensor with 2 or more dimensions. Got size: [3] instead"),
    ("lu_1d", lambda L: L.linalg.lu(L.ones(3)), RuntimeError,
     "linalg.lu: Expected tensor with 2 or more dimensions. Got size: [3] instead"),
    ("householder_1d", lambda L: L.linalg.householder_product(L.ones(3), L.ones(1)), RuntimeError,
     "torch.linalg.householder_product: input must have at least 2 dimensions."),
    ("householder_tau_ndim",
     lambda L: L.linalg.householder_product(L.ones(2, 4, 3), L.ones(3)), RuntimeError,
     "torch.linalg.householder_product: Expected tau to have one dimension less than input, "
     "but got tau.ndim equal to 1 and input.ndim is equal to 3"),
    ("householder_tau_batch",
     lambda L: L.linalg.householder_product(L.ones(2, 4, 3), L.ones(3, 3)), RuntimeError,
     "torch.linalg.householder_product: Expected batch dimensions of tau to be equal to "
     "input.shape[:-2], but got [3]"),
    ("householder_tau_dtype",
     lambda L: L.linalg.householder_product(L.ones(4, 3), L.ones(2, dtype=L.float64)),
     RuntimeError,
     "torch.linalg.householder_product: tau dtype Double does not match input dtype Float"),
    ("lstsq_1d", lambda L: L.linalg.lstsq(L.ones(3), L.ones(3)), RuntimeError,
     "torch.linalg.lstsq: input must have at least 2 dimensions."),
    ("lstsq_driver", lambda L: L.linalg.lstsq(L.ones(3, 2), L.ones(3, 1), driver="foo"),
     RuntimeError,
     "torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)"),
    ("lstsq_int",
     lambda L: L.linalg.lstsq(_m(L, (3, 2), "int64"), _m(L, (3, 1), "int64")), RuntimeError,
     "This function doesn't handle types other than float and double"),
    ("lstsq_rows_before_driver",
     lambda L: L.linalg.lstsq(L.ones(3, 2), L.ones(2, 1), driver="foo"), RuntimeError,
     "torch.linalg.lstsq: input.size(-2) should match other.size(-2)"),
    ("solve_triangular_shapes_before_dtype",
     lambda L: L.linalg.solve_triangular(
         _m(L, (3, 3), "int64"), _m(L, (3, 2), "int64"), upper=True, left=False),
     RuntimeError,
     "linalg.solve_triangular: Incompatible shapes of A and B for the equation XA = B "
     "(3x3 and 3x2)"),
    # dtypes PyTorch leaves to its CPU kernels
    ("det_half", lambda L: L.linalg.det(_m(L, (2, 2), "float16")), *_kernel("lu_cpu", "Half")),
    ("solve_half", lambda L: L.linalg.solve(_m(L, (2, 2), "float16"), _m(L, (2, 1), "float16")),
     *_kernel("lu_cpu", "Half")),
    ("cholesky_half", lambda L: L.linalg.cholesky(_m(L, (2, 2), "float16")),
     *_kernel("cholesky_cpu", "Half")),
    ("legacy_cholesky_int", lambda L: L.cholesky(_m(L, (2, 2), "int64")),
     *_kernel("cholesky_cpu", "Long")),
    ("qr_half", lambda L: L.linalg.qr(_m(L, (2, 2), "float16")), *_kernel("geqrf_cpu", "Half")),
    ("eigh_int", lambda L: L.linalg.eigh(_m(L, (2, 2), "int32")),
     *_kernel("linalg_eigh_cpu", "Int")),
    ("eigvalsh_bool", lambda L: L.linalg.eigvalsh(_m(L, (2, 2), "bool")),
     *_kernel("linalg_eigh_cpu", "Bool")),
    ("svd_half", lambda L: L.linalg.svd(_m(L, (2, 2), "float16")),
     *_kernel("linalg_svd_cpu", "Half")),
    ("lu_factor_int", lambda L: L.linalg.lu_factor(_m(L, (2, 2), "int64")),
     *_kernel("lu_cpu", "Long")),
    ("geqrf_int", lambda L: L.geqrf(_m(L, (2, 2), "int64")), *_kernel("geqrf_cpu", "Long")),
    ("cholesky_inverse_int", lambda L: L.cholesky_inverse(_m(L, (2, 2), "int64")),
     *_kernel("cholesky_inverse_out_cpu", "Long")),
    ("cholesky_solve_half",
     lambda L: L.cholesky_solve(_m(L, (2, 1), "float16"), _m(L, (2, 2), "float16")),
     *_kernel("cholesky_solve_cpu", "Half")),
    ("solve_triangular_int",
     lambda L: L.linalg.solve_triangular(_m(L, (2, 2), "int64"), _m(L, (2, 1), "int64"),
                                         upper=True),
     *_kernel("triangular_solve_cpu", "Long")),
    ("householder_int",
     lambda L: L.linalg.householder_product(_m(L, (3, 2), "int64"), _m(L, (1, 2), "int64")[0]),
     *_kernel("orgqr_cpu", "Long")),
    # LAPACK's SVD on nan / inf: PyTorch's LinAlgError, not numpy's "SVD did not converge"
    ("svd_nan", lambda L: L.linalg.svd(_nan(L)), RuntimeError, _SVD_NAN),
    ("svdvals_nan_batch", lambda L: L.linalg.svdvals(_nan(L, (2, 2, 2))), RuntimeError,
     _SVD_NAN.replace("svd: ", "svd: (Batch element 1): ")),
    ("pinv_nan", lambda L: L.linalg.pinv(_nan(L)), RuntimeError, _SVD_NAN),
    ("matrix_rank_nan", lambda L: L.linalg.matrix_rank(_nan(L)), RuntimeError, _SVD_NAN),
    ("matrix_norm_nan", lambda L: L.linalg.matrix_norm(_nan(L), 2), RuntimeError, _SVD_NAN),
    ("cond_nan", lambda L: L.linalg.cond(_nan(L)), RuntimeError, _SVD_NAN),
    # numpy's errors no longer leak
    ("pinv_hermitian_not_square", lambda L: L.linalg.pinv(L.ones(2, 3), hermitian=True),
     RuntimeError, "linalg.eigh: A must be batches of square matrices, but they are 2 by 3 "
     "matrices"),
    ("matrix_rank_half", lambda L: L.linalg.matrix_rank(_m(L, (2, 2), "float16")), RuntimeError,
     "This function doesn't handle types other than float and double"),
    # names and the order of the checks
    ("logdet_not_square", lambda L: L.logdet(L.ones(2, 3)), RuntimeError,
     "logdet: A must be batches of square matrices, but they are 2 by 3 matrices"),
    ("qr_dims_before_mode", lambda L: L.linalg.qr(L.ones(3), mode="full"), RuntimeError,
     "linalg.qr: The input tensor A must have at least 2 dimensions."),
    ("qr_int_before_mode", lambda L: L.linalg.qr(_m(L, (2, 2), "int64"), mode="full"),
     RuntimeError, "linalg.qr: Expected a floating point or complex tensor as input. Got Long"),
    ("qr_mode_before_half", lambda L: L.linalg.qr(_m(L, (2, 2), "float16"), mode="full"),
     RuntimeError, "qr received unrecognized mode 'full' but expected one of 'reduced' "
     "(default), 'r', or 'complete'"),
    ("eigh_uplo_before_dtype", lambda L: L.linalg.eigh(_m(L, (2, 2), "int64"), UPLO="X"),
     RuntimeError, "Expected UPLO argument to be 'L' or 'U', but got X"),
    ("legacy_svd_1d", lambda L: L.svd(L.ones(3)), RuntimeError,
     "linalg.svd: input should have at least 2 dimensions, but has 1 dimensions instead"),
    ("matrix_norm_order_first", lambda L: L.linalg.matrix_norm(L.ones(3), 3.0), RuntimeError,
     "linalg.matrix_norm: Order 3 not supported."),
    ("matrix_norm_2_half", lambda L: L.linalg.matrix_norm(_m(L, (2, 2), "float16"), 2),
     RuntimeError, "linalg.matrix_norm: Low precision dtypes not supported. Got Half"),
    ("cond_1d", lambda L: L.linalg.cond(L.ones(3), 3), RuntimeError,
     "linalg.cond: The input tensor must have at least 2 dimensions."),
    ("cond_int", lambda L: L.linalg.cond(_m(L, (2, 2), "int64")), RuntimeError,
     "linalg.svd: Expected a floating point or complex tensor as input. Got Long"),
    ("cond_1_half", lambda L: L.linalg.cond(_m(L, (2, 2), "float16"), 1), RuntimeError,
     "linalg.inv: Low precision dtypes not supported. Got Half"),
    ("vecdot_dtype", lambda L: L.linalg.vecdot(L.ones(3, dtype=L.float64), L.ones(3)),
     RuntimeError, "linalg.vecdot: Expected x and y to have the same dtype, but found x of "
     "type Double and y of type Float instead"),
    ("vecdot_int", lambda L: L.linalg.vecdot(_m(L, (2, 2), "int64"), _m(L, (2, 2), "int64")),
     RuntimeError, "linalg.vecdot: Expected a floating point or complex tensor as input. "
     "Got Long"),
    ("vecdot_vectors_do_not_broadcast", lambda L: L.linalg.vecdot(L.ones(3), L.ones(1)),
     RuntimeError, "inconsistent tensor size, expected tensor [3] and src [1] to have the same "
     "number of elements, but got 3 and 1 elements respectively"),
    # multi_dot's own checks (ndgrad reported the failing matmul's)
    ("multi_dot_first_3d", lambda L: L.linalg.multi_dot([L.ones(2, 2, 2), L.ones(2)]),
     RuntimeError, "multi_dot(): the first tensor must be 1D or 2D but got 3D"),
    ("multi_dot_middle_3d",
     lambda L: L.linalg.multi_dot([L.ones(2, 3), L.ones(3, 4, 1), L.ones(4)]), RuntimeError,
     "multi_dot(): tensor 1 must be 2D but got 3D"),
    ("multi_dot_dtype", lambda L: L.linalg.multi_dot([L.ones(2, 3), L.ones(3, dtype=L.int64)]),
     RuntimeError, "multi_dot(): all tensors must have be the same dtype but tensor 0 is float "
     "and tensor 1 long int"),
    ("multi_dot_sizes", lambda L: L.linalg.multi_dot([L.ones(3), L.ones(2, 2)]), RuntimeError,
     "multi_dot(): tensors 0 and 1 with shapes [3] and [2, 2] cannot be multiplied"),
    # lu_solve's own checks (ndgrad reported those of the ops it is made of)
    ("lu_solve_b_1d", lambda L: L.linalg.lu_solve(*L.linalg.lu_factor(L.eye(3)), L.ones(3)),
     RuntimeError, "linalg.lu_solve: The input tensor B must have at least 2 dimensions."),
    ("lu_solve_dtype",
     lambda L: L.linalg.lu_solve(*L.linalg.lu_factor(L.eye(3)), L.ones(3, 1, dtype=L.float64)),
     RuntimeError, "linalg.lu_solve: Expected LU and B to have the same dtype, but found LU of "
     "type Float and B of type Double instead"),
    ("lu_solve_sizes",
     lambda L: L.linalg.lu_solve(*L.linalg.lu_factor(L.eye(3)), L.ones(3, 2), left=False),
     RuntimeError, "linalg.lu_solve: Incompatible shapes of A and B for the equation XA = B "
     "(3x3 and 3x2)"),
    ("lu_solve_batch",
     lambda L: L.linalg.lu_solve(*L.linalg.lu_factor(L.eye(3).expand(2, 3, 3)),
                                 L.ones(4, 3, 2)),
     RuntimeError,
     "The size of tensor a (4) must match the size of tensor b (2) at non-singleton dimension 0"),
    ("lu_solve_lu_not_square", lambda L: L.linalg.lu_solve(L.ones(2, 3), L.ones(2, dtype=L.int32),
                                                           L.ones(2, 2)),
     RuntimeError, "torch.linalg.lu_solve: A must be batches of square matrices, but they are 2 "
     "by 3 matrices"),
    # the legacy solvers' checks
    ("cholesky_solve_batch", lambda L: L.cholesky_solve(L.ones(4, 3, 2), L.ones(2, 3, 3)),
     RuntimeError,
     "The size of tensor a (4) must match the size of tensor b (2) at non-singleton dimension 0"),
    ("triangular_solve_dtype",
     lambda L: L.triangular_solve(L.ones(3, 2), L.eye(3, dtype=L.float64)), RuntimeError,
     "Expected b and A to have the same dtype, but found b of type Float and A of type Double "
     "instead."),
    ("triangular_solve_not_square", lambda L: L.triangular_solve(L.ones(3, 2), L.ones(3, 2)),
     RuntimeError, "A must be batches of square matrices, but they are 3 by 2 matrices"),
    ("triangular_solve_sizes", lambda L: L.triangular_solve(L.ones(2, 2), L.eye(3)),
     RuntimeError, "Incompatible matrix sizes for triangular_solve: each A matrix is 3 by 3 but "
     "each b matrix is 2 by 2"),
    # products of bool tensors: PyTorch's kernels have no bool version
    ("mm_bool", lambda L: L.mm(L.ones(2, 3, dtype=L.bool), L.ones(3, 2, dtype=L.bool)),
     *_kernel("addmm_impl_cpu_", "Bool")),
    ("matmul_bool_mv", lambda L: L.ones(2, 3, dtype=L.bool) @ L.ones(3, dtype=L.bool),
     *_kernel("addmv_impl_cpu", "Bool")),
    ("matmul_bool_batch",
     lambda L: L.ones(2, 1, 2, 2, dtype=L.bool) @ L.ones(2, 2, 2, dtype=L.bool),
     *_kernel("bmm", "Bool")),
    ("bmm_bool", lambda L: L.bmm(L.ones(2, 2, 2, dtype=L.bool), L.ones(2, 2, 2, dtype=L.bool)),
     *_kernel("bmm", "Bool")),
    ("addmv_bool", lambda L: L.addmv(L.ones(2, dtype=L.bool), L.ones(2, 3, dtype=L.bool),
                                     L.ones(3, dtype=L.bool)), *_kernel("addmv_impl_cpu", "Bool")),
    ("baddbmm_bool",
     lambda L: L.baddbmm(L.ones(1, dtype=L.bool), L.ones(2, 2, 2, dtype=L.bool),
                         L.ones(2, 2, 2, dtype=L.bool)),
     *_kernel("baddbmm", "Bool")),
    ("tensordot_bool", lambda L: L.tensordot(L.ones(2, 3, dtype=L.bool), L.ones(3, dtype=L.bool),
                                             dims=1), *_kernel("addmm_impl_cpu_", "Bool")),
    ("multi_dot_bool", lambda L: L.linalg.multi_dot([L.ones(3, dtype=L.bool),
                                                     L.ones(3, dtype=L.bool)]),
     *_kernel("addmm_impl_cpu_", "Bool")),
    ("cross_bool", lambda L: L.linalg.cross(L.ones(3, dtype=L.bool), L.ones(3, dtype=L.bool)),
     *_kernel("cross", "Bool")),
    ("trace_bool_first", lambda L: L.trace(L.ones(3, dtype=L.bool)), *_kernel("trace", "Bool")),
    ("cross_not_tensor", lambda L: L.linalg.cross([1.0, 0.0, 0.0], L.ones(3)), TypeError,
     "linalg_cross(): argument 'input' (position 1) must be Tensor, not list"),
    # the order of the checks
    ("mm_sizes_before_dtype", lambda L: L.mm(L.ones(2, 3), L.ones(4, 3, dtype=L.float64)),
     RuntimeError, "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x3)"),
    ("baddbmm_1d", lambda L: L.baddbmm(L.ones(1), L.ones(3), L.ones(3)), IndexError,
     "Dimension out of range (expected to be in range of [-1, 0], but got 1)"),
    ("baddbmm_2d_batch2", lambda L: L.baddbmm(L.ones(1), L.ones(2, 2, 3), L.ones(3, 4)),
     IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    # einsum: the operand's own dim is named; sizes are checked before dtypes
    ("einsum_ellipsis_dim", lambda L: L.einsum("i...,i...", L.ones(3, 2, 5), L.ones(3, 4, 5)),
     RuntimeError, "einsum(): dimension 1 covered by ellipsis in operand 1has size 4 which does "
     "not broadcast with previously seen ellipsis with size 2 for the respective dimension"),
    ("einsum_sizes_before_dtype",
     lambda L: L.einsum("i,i->", L.ones(2), L.ones(3, dtype=L.float64)), RuntimeError,
     "einsum(): subscript i has size 3 for operand 1 which does not broadcast with previously "
     "seen size 2"),
]  # fmt: skip


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
@pytest.mark.parametrize(
    ("name", "call", "exc", "message"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES]
)
def test_errors(lib: Any, name: str, call: Any, exc: type, message: str) -> None:
    with pytest.raises(Exception) as info, warnings.catch_warnings():  # (type checked below)
        warnings.simplefilter("ignore")  # the legacy functions' deprecation warnings
        call(lib)
    assert type(info.value) is exc or (exc is RuntimeError and isinstance(info.value, exc))
    assert str(info.value).split("\n")[0] == message


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_vecdot_of_two_vectors_is_vdot(lib: Any) -> None:
    x = _leaf(lib, [1.0, 2.0, 3.0])
    y = lib.linalg.vecdot(x, lib.tensor([1.0, 1.0, 2.0], dtype=lib.float64), dim=5)  # dim unused
    assert _node(y) == "VdotBackward0" and to_numpy(y) == 9.0
    z = lib.linalg.vecdot(x.unsqueeze(0), x)
    assert _node(z) == "SumBackward1"


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_matrix_exp_of_non_finite_matrices_is_nan(lib: Any) -> None:
    a = np.stack([np.eye(2), [[np.inf, 1.0], [1.0, 1.0]], [[np.nan, 0.0], [0.0, 1.0]]])
    y = to_numpy(lib.linalg.matrix_exp(lib.tensor(a)))
    assert_close(y[0], np.e * np.eye(2))
    assert np.isnan(y[1:]).all()


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_triangular_solve_returns_the_coefficient_broadcast(lib: Any) -> None:
    rng = np.random.default_rng(8)
    a = np.triu(rng.standard_normal((1, 3, 3))) + 3 * np.eye(3)
    b = rng.standard_normal((2, 3, 2))
    xa = _leaf(lib, a)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the deprecation warning
        x, copy = lib.triangular_solve(lib.tensor(b), xa)
    assert tuple(copy.shape) == (2, 3, 3) and _column_major(copy)
    assert_close(copy, np.broadcast_to(a, (2, 3, 3)))
    assert_close(x, np.linalg.solve(a, b))
    copy.sum().backward()
    assert_close(xa.grad, np.full((1, 3, 3), 2.0))


# --- matrices holding nan: LAPACK's LU runs through them -----------------------------------------


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_nan_matrices_give_nan_not_singular_errors(lib: Any) -> None:
    """numpy reports a matrix with a nan as singular (or its determinant as 0); PyTorch's
    LAPACK calls return nan for it, the other matrices of the batch as usual."""
    a = lib.tensor(np.stack([2 * np.eye(2), [[np.nan, 1.0], [1.0, 1.0]]]))
    assert_close(lib.linalg.det(a), [4.0, np.nan])
    sign, logabs = lib.linalg.slogdet(a)
    assert_close(sign, [1.0, 0.0])
    assert_close(logabs, [math.log(4.0), np.nan])
    assert_close(lib.linalg.inv(a), np.stack([0.5 * np.eye(2), np.full((2, 2), np.nan)]))
    assert_close(lib.linalg.inv_ex(a).info, [0, 0])
    x = lib.linalg.solve(a, lib.ones(2, 2, 1, dtype=lib.float64))
    assert_close(x, [[[0.5], [0.5]], [[np.nan], [np.nan]]])
    x = lib.linalg.solve(a, lib.ones(2, 1, 2, dtype=lib.float64), left=False)
    assert_close(x, [[[0.5, 0.5]], [[np.nan, np.nan]]])
    assert_close(lib.linalg.cond(a, 1), [1.0, np.inf])


# --- matrix_power, cholesky_inverse, geqrf: PyTorch's nodes and layouts --------------------------


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
@pytest.mark.parametrize(("n", "node"), [(0, "CopyBackwards"), (1, "CloneBackward0"),
                                         (-1, "LinalgInvExBackward0")])  # fmt: skip
def test_matrix_power_nodes(lib: Any, n: int, node: str) -> None:
    a = np.random.default_rng(9).standard_normal((2, 3, 3)) + 3 * np.eye(3)
    x = _leaf(lib, a)
    y = lib.linalg.matrix_power(x.mT, n)
    assert _node(y) == node
    expected = np.linalg.matrix_power(np.swapaxes(a, -1, -2), n)
    assert_close(y, expected)
    # 0 and 1: contiguous copies (also of a transposed input); -1: inv's layout
    assert y.is_contiguous() == (n != -1)
    (y * y).sum().backward()
    assert_close(x.grad, np.zeros_like(a) if n == 0 else x.grad)  # (values: gradcheck below)
    if lib is ndgrad and n:
        f = lambda t: ndgrad.linalg.matrix_power(t, n)  # noqa: E731
        assert gradcheck(f, (_leaf(ndgrad, a),)) and gradgradcheck(f, (_leaf(ndgrad, a),))


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_inverse_is_one_node(lib: Any, upper: bool) -> None:
    rng = np.random.default_rng(10)
    f = np.tril(rng.standard_normal((2, 3, 3))) + 3 * np.eye(3)
    f = np.swapaxes(f, -1, -2).copy() if upper else f
    x = _leaf(lib, f)
    y = lib.cholesky_inverse(x, upper=upper)
    assert _node(y) == "CholeskyInverseBackward0" and _column_major(y)
    a = np.swapaxes(f, -1, -2) @ f if upper else f @ np.swapaxes(f, -1, -2)
    assert_close(y, np.linalg.inv(a))
    if lib is ndgrad:
        # (PyTorch's formula treats the factor as a full matrix: check it through the triangle)
        g = lambda t: ndgrad.cholesky_inverse(t.triu() if upper else t.tril(), upper=upper)  # noqa: E731
        assert gradcheck(g, (x,)) and gradgradcheck(g, (x,))


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_geqrf_is_column_major(lib: Any) -> None:
    a = np.random.default_rng(11).standard_normal((2, 4, 3))
    for x in (lib.tensor(a), lib.tensor(a[0])):
        h = lib.geqrf(x).a
        assert _column_major(h)
        assert_close(np.abs(np.triu(to_numpy(h))[..., :3, :]), np.abs(np.linalg.qr(to_numpy(x))[1]))


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_bool_products_raise_unless_empty(lib: Any) -> None:
    """PyTorch's mm kernel has no bool version; an empty product returns before the dispatch."""
    with pytest.raises(NotImplementedError, match="addmm_impl_cpu_"):
        lib.ones(1, 3, dtype=lib.bool) @ lib.ones(3, 1, dtype=lib.bool)
    b = lib.ones(0, 3, dtype=lib.bool)
    assert tuple((b @ lib.ones(3, 0, dtype=lib.bool)).shape) == (0, 0)
    assert tuple(lib.mm(b, lib.ones(3, 2, dtype=lib.bool)).shape) == (0, 2)
