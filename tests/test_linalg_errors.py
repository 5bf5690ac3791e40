"""Error types and messages of the products and ndgrad.linalg, worded as PyTorch's.

Each case is written once as ``call(lib)``; the expected text is spelled out (so the test runs
without torch) and, when torch is installed, checked against what torch itself raises.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, torch


def _t(lib: Any, shape: tuple[int, ...], dtype: str = "float32") -> Any:
    return lib.from_numpy(np.ones(shape, dtype=dtype))


def _m(lib: Any, rows: list[list[float]] | list[list[list[float]]]) -> Any:
    return lib.from_numpy(np.array(rows, dtype=np.float64))


SINGULAR = [[1.0, 2.0], [2.0, 4.0]]
EYE2 = [[1.0, 0.0], [0.0, 1.0]]
NOT_PD = [[1.0, 2.0], [2.0, 1.0]]

CASES: list[tuple[str, Callable[[Any], Any], type[Exception], str]] = [
    # mm / bmm / mv / dot / outer / addmm
    ("mm_vector", lambda lib: lib.mm(_t(lib, (3,)), _t(lib, (3, 3))), RuntimeError,
     "self must be a matrix"),
    ("mm_3d", lambda lib: lib.mm(_t(lib, (2, 3)), _t(lib, (3, 3, 1))), RuntimeError,
     "mat2 must be a matrix"),
    ("mm_shapes", lambda lib: lib.mm(_t(lib, (2, 3)), _t(lib, (4, 3))), RuntimeError,
     "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x3)"),
    ("mm_dtype", lambda lib: lib.mm(_t(lib, (2, 3), "int64"), _t(lib, (3, 3))), RuntimeError,
     "expected m1 and m2 to have the same dtype, but got: long int != float"),
    ("bmm_2d", lambda lib: lib.bmm(_t(lib, (2, 3)), _t(lib, (3, 3))), RuntimeError,
     "batch1 must be a 3D tensor"),
    ("bmm_4d", lambda lib: lib.bmm(_t(lib, (2, 2, 3)), _t(lib, (2, 3, 3, 1))), RuntimeError,
     "batch2 must be a 3D tensor"),
    ("bmm_sizes", lambda lib: lib.bmm(_t(lib, (2, 2, 3)), _t(lib, (3, 3, 3))), RuntimeError,
     "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [3, 3]."),
    ("bmm_dtype",
     lambda lib: lib.bmm(_t(lib, (2, 2, 3), "float64"), _t(lib, (2, 3, 3))), RuntimeError,
     "expected scalar type Double but found Float"),
    ("mv_dims", lambda lib: lib.mv(_t(lib, (2, 3)), _t(lib, (3, 1))), RuntimeError,
     "vector + matrix @ vector expected, got 1, 2, 2"),
    ("mv_size", lambda lib: lib.mv(_t(lib, (2, 3)), _t(lib, (2,))), RuntimeError,
     "size mismatch, got input (2), mat (2x3), vec (2)"),
    ("mv_dtype", lambda lib: lib.mv(_t(lib, (2, 3)), _t(lib, (3,), "float64")), RuntimeError,
     "addmv input tensors must have the same dtype, but got Double, Float, and Double"),
    ("dot_dims", lambda lib: lib.dot(_t(lib, (2, 1)), _t(lib, (3,))), RuntimeError,
     "1D tensors expected, but got 2D and 1D tensors"),
    ("dot_size", lambda lib: lib.dot(_t(lib, (2,)), _t(lib, (3,))), RuntimeError,
     "inconsistent tensor size, expected tensor [2] and src [3] to have the same number of "
     "elements, but got 2 and 3 elements respectively"),
    ("dot_dtype", lambda lib: lib.dot(_t(lib, (2,)), _t(lib, (2,), "float64")), RuntimeError,
     "dot : expected both vectors to have same dtype, but found Float and Double"),
    ("outer_2d", lambda lib: lib.outer(_t(lib, (2, 2)), _t(lib, (3,))), RuntimeError,
     "outer: Expected 1-D argument self, but got 2-D"),
    ("addmm_vector",
     lambda lib: lib.addmm(_t(lib, (2, 4)), _t(lib, (3,)), _t(lib, (3, 4))), RuntimeError,
     "mat1 must be a matrix, got 1-D tensor"),
    ("addmm_dtype",
     lambda lib: lib.addmm(_t(lib, (2, 4), "float64"), _t(lib, (2, 3)), _t(lib, (3, 4))),
     RuntimeError, "self and mat2 must have the same dtype, but got Double and Float"),
    # einsum
    ("einsum_fewer", lambda lib: lib.einsum("ij,jk", _t(lib, (2, 3))), RuntimeError,
     "einsum(): fewer operands were provided than specified in the equation"),
    ("einsum_more", lambda lib: lib.einsum("ij", _t(lib, (2, 3)), _t(lib, (2,))), RuntimeError,
     "einsum(): more operands were provided than specified in the equation"),
    ("einsum_out_label", lambda lib: lib.einsum("ij->k", _t(lib, (2, 3))), RuntimeError,
     "einsum(): output subscript k does not appear in the equation for any input operand"),
    ("einsum_out_twice", lambda lib: lib.einsum("i->ii", _t(lib, (2,))), RuntimeError,
     "einsum(): output subscript i appears more than once in the output"),
    ("einsum_ndim", lambda lib: lib.einsum("ijk->ij", _t(lib, (2, 3))), RuntimeError,
     "einsum(): the number of subscripts in the equation (3) does not match the number of "
     "dimensions (2) for operand 0 and no ellipsis was given"),
    ("einsum_ndim_ellipsis", lambda lib: lib.einsum("...ij", _t(lib, (2,))), RuntimeError,
     "einsum(): the number of subscripts in the equation (2) is more than the number of "
     "dimensions (1) for operand 0"),
    ("einsum_repeated", lambda lib: lib.einsum("ii", _t(lib, (2, 3))), RuntimeError,
     "einsum(): subscript i is repeated for operand 0 but the sizes don't match, 3 != 2"),
    ("einsum_broadcast",
     lambda lib: lib.einsum("ij,jk", _t(lib, (2, 3)), _t(lib, (4, 4))), RuntimeError,
     "einsum(): subscript j has size 4 for operand 1 which does not broadcast with previously "
     "seen size 3"),
    ("einsum_ellipsis_broadcast",
     lambda lib: lib.einsum("...,...", _t(lib, (3, 2)), _t(lib, (4, 1))), RuntimeError,
     "einsum(): dimension 0 covered by ellipsis in operand 1has size 4 which does not "
     "broadcast with previously seen ellipsis with size 3 for the respective dimension"),
    ("einsum_dot", lambda lib: lib.einsum("i.->i", _t(lib, (2,))), RuntimeError,
     "einsum(): found '.' for operand 0 that is not part of any ellipsis"),
    ("einsum_two_ellipses", lambda lib: lib.einsum("...i...->i", _t(lib, (2,))), RuntimeError,
     "einsum(): found '.' for operand 0 for which an ellipsis was already found"),
    ("einsum_out_dot", lambda lib: lib.einsum("i->i.", _t(lib, (2,))), RuntimeError,
     "einsum(): found '.' for output that is not part of any ellipsis (...)"),
    ("einsum_subscript", lambda lib: lib.einsum("i1", _t(lib, (2, 3))), RuntimeError,
     "einsum(): invalid subscript given at index 1 in the equation string, subscripts must be "
     "in [a-zA-Z]"),
    ("einsum_dtype",
     lambda lib: lib.einsum("ij,jk", _t(lib, (2, 3)), _t(lib, (3, 4), "float64")), RuntimeError,
     "expected scalar type Float but found Double"),
    ("einsum_no_operand", lambda lib: lib.einsum("i->"), ValueError,
     "einsum(): must specify the equation string and at least one operand, or at least one "
     "operand and its subscripts list"),
    # tensordot
    ("tensordot_negative", lambda lib: lib.tensordot(_t(lib, (2, 3)), _t(lib, (3, 2)), dims=-1),
     RuntimeError, "tensordot expects dims >= 0, but got dims=-1"),
    ("tensordot_lists",
     lambda lib: lib.tensordot(_t(lib, (2, 3)), _t(lib, (3, 2)), dims=([0], [0, 1])),
     RuntimeError, "both dimension lists should have same length"),
    ("tensordot_many", lambda lib: lib.tensordot(_t(lib, (2, 3)), _t(lib, (3, 2)), dims=3),
     RuntimeError, "tensordot expects dims < ndim_a or ndim_b, but got dims=3"),
    ("tensordot_sizes",
     lambda lib: lib.tensordot(_t(lib, (2, 3, 4)), _t(lib, (3, 4, 5)), dims=([1], [1])),
     RuntimeError,
     "contracted dimensions need to match, but first has size 3 in dim 1 and second has size 4 "
     "in dim 1"),
    ("tensordot_dtype",
     lambda lib: lib.tensordot(_t(lib, (2, 3)), _t(lib, (3, 2), "float64"), dims=1),
     RuntimeError, "both inputs should have same dtype"),
    # inv / det / slogdet
    ("inv_singular", lambda lib: lib.linalg.inv(_m(lib, SINGULAR)), RuntimeError,
     "linalg.inv: The diagonal element 2 is zero, the inversion could not be completed because "
     "the input matrix is singular."),
    ("inv_singular_batch", lambda lib: lib.linalg.inv(_m(lib, [EYE2, SINGULAR])), RuntimeError,
     "linalg.inv: (Batch element 1): The diagonal element 2 is zero, the inversion could not be "
     "completed because the input matrix is singular."),
    ("inv_zeros", lambda lib: lib.linalg.inv(_t(lib, (3, 3)) * 0), RuntimeError,
     "linalg.inv: The diagonal element 1 is zero, the inversion could not be completed because "
     "the input matrix is singular."),
    ("inverse_singular", lambda lib: lib.inverse(_m(lib, SINGULAR)), RuntimeError,
     "linalg.inv: The diagonal element 2 is zero, the inversion could not be completed because "
     "the input matrix is singular."),
    ("inv_rect", lambda lib: lib.linalg.inv(_t(lib, (2, 3))), RuntimeError,
     "linalg.inv: A must be batches of square matrices, but they are 2 by 3 matrices"),
    ("inv_1d", lambda lib: lib.linalg.inv(_t(lib, (3,))), RuntimeError,
     "linalg.inv: The input tensor A must have at least 2 dimensions."),
    ("inv_long", lambda lib: lib.linalg.inv(_t(lib, (3, 3), "int64")), RuntimeError,
     "linalg.inv: Expected a floating point or complex tensor as input. Got Long"),
    ("inv_half", lambda lib: lib.linalg.inv(_t(lib, (3, 3), "float16")), RuntimeError,
     "linalg.inv: Low precision dtypes not supported. Got Half"),
    ("det_rect", lambda lib: lib.linalg.det(_t(lib, (2, 3))), RuntimeError,
     "linalg.det: A must be batches of square matrices, but they are 2 by 3 matrices"),
    ("det_long", lambda lib: lib.det(_t(lib, (3, 3), "int64")), RuntimeError,
     "linalg.det: Expected a floating point or complex tensor as input. Got Long"),
    ("slogdet_rect", lambda lib: lib.linalg.slogdet(_t(lib, (2, 3))), RuntimeError,
     "linalg.slogdet: A must be batches of square matrices, but they are 2 by 3 matrices"),
    # solve
    ("solve_singular", lambda lib: lib.linalg.solve(_m(lib, SINGULAR), _m(lib, EYE2)),
     RuntimeError, "torch.linalg.solve: The solver failed because the input matrix is singular."),
    ("solve_singular_batch",
     lambda lib: lib.linalg.solve(_m(lib, [EYE2, SINGULAR]), _m(lib, EYE2)), RuntimeError,
     "torch.linalg.solve: (Batch element 1): The solver failed because the input matrix is "
     "singular."),
    ("solve_shapes", lambda lib: lib.linalg.solve(_t(lib, (3, 3)), _t(lib, (2,))), RuntimeError,
     "linalg.solve: Incompatible shapes of A and B for the equation AX = B (3x3 and 2x1)"),
    ("solve_shapes_right",
     lambda lib: lib.linalg.solve(_t(lib, (3, 3)), _t(lib, (3, 2)), left=False), RuntimeError,
     "linalg.solve: Incompatible shapes of A and B for the equation XA = B (3x3 and 3x2)"),
    ("solve_dtype",
     lambda lib: lib.linalg.solve(_t(lib, (3, 3)), _t(lib, (3,), "float64")), RuntimeError,
     "linalg.solve: Expected A and B to have the same dtype, but found A of type Float and B of "
     "type Double instead"),
    ("solve_triangular_1d",
     lambda lib: lib.linalg.solve_triangular(_t(lib, (3, 3)), _t(lib, (3,)), upper=True),
     RuntimeError, "linalg.solve_triangular: The input tensor B must have at least 2 dimensions."),
    ("solve_triangular_shapes",
     lambda lib: lib.linalg.solve_triangular(_t(lib, (3, 3)), _t(lib, (2, 2)), upper=False),
     RuntimeError,
     "linalg.solve_triangular: Incompatible shapes of A and B for the equation AX = B (3x3 and "
     "2x2)"),
    # cholesky
    ("cholesky_not_pd", lambda lib: lib.linalg.cholesky(_m(lib, NOT_PD)), RuntimeError,
     "linalg.cholesky: The factorization could not be completed because the input is not "
     "positive-definite (the leading minor of order 2 is not positive-definite)."),
    ("cholesky_not_pd_batch", lambda lib: lib.linalg.cholesky(_m(lib, [EYE2, NOT_PD])),
     RuntimeError,
     "linalg.cholesky: (Batch element 1): The factorization could not be completed because the "
     "input is not positive-definite (the leading minor of order 2 is not positive-definite)."),
    ("cholesky_nan", lambda lib: lib.linalg.cholesky(_m(lib, [[np.nan, 0.0], [0.0, 1.0]])),
     RuntimeError,
     "linalg.cholesky: The factorization could not be completed because the input is not "
     "positive-definite (the leading minor of order 1 is not positive-definite)."),
    ("cholesky_rect", lambda lib: lib.linalg.cholesky(_t(lib, (2, 3))), RuntimeError,
     "linalg.cholesky: A must be batches of square matrices, but they are 2 by 3 matrices"),
    # qr / eigh / svd
    ("qr_mode", lambda lib: lib.linalg.qr(_t(lib, (2, 3)), mode="x"), RuntimeError,
     "qr received unrecognized mode 'x' but expected one of 'reduced' (default), 'r', or "
     "'complete'"),
    ("qr_1d", lambda lib: lib.linalg.qr(_t(lib, (3,))), RuntimeError,
     "linalg.qr: The input tensor A must have at least 2 dimensions."),
    ("qr_long", lambda lib: lib.linalg.qr(_t(lib, (3, 3), "int64")), RuntimeError,
     "linalg.qr: Expected a floating point or complex tensor as input. Got Long"),
    ("eigh_rect", lambda lib: lib.linalg.eigh(_t(lib, (2, 3))), RuntimeError,
     "linalg.eigh: A must be batches of square matrices, but they are 2 by 3 matrices"),
    ("eigh_uplo", lambda lib: lib.linalg.eigh(_t(lib, (3, 3)), UPLO="X"), RuntimeError,
     "Expected UPLO argument to be 'L' or 'U', but got X"),
    ("svd_1d", lambda lib: lib.linalg.svd(_t(lib, (3,))), RuntimeError,
     "linalg.svd: The input tensor A must have at least 2 dimensions."),
    ("svd_long", lambda lib: lib.linalg.svd(_t(lib, (3, 3), "int64")), RuntimeError,
     "linalg.svd: Expected a floating point or complex tensor as input. Got Long"),
    # norms
    ("vector_norm_long", lambda lib: lib.linalg.vector_norm(_t(lib, (2,), "int64")),
     RuntimeError, "linalg.vector_norm: Expected a floating point or complex tensor as input. "
     "Got Long"),
    ("vector_norm_empty_inf",
     lambda lib: lib.linalg.vector_norm(_t(lib, (0, 3)), float("inf")), RuntimeError,
     "linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation "
     "does not have an identity"),
    ("vector_norm_empty_dim",
     lambda lib: lib.linalg.vector_norm(_t(lib, (0, 3)), float("-inf"), dim=0), RuntimeError,
     "linalg.vector_norm cannot compute the -inf norm on the dimension 0because this dimension "
     "is empty and the operation does not have an identity"),
    ("vector_norm_str_ord", lambda lib: lib.linalg.vector_norm(_t(lib, (3,)), "fro"), TypeError,
     "linalg_vector_norm(): argument 'ord' (position 2) must be Number, not str"),
    ("vector_norm_narrowing",
     lambda lib: lib.linalg.vector_norm(_t(lib, (3,), "float64"), dtype=lib.float32),
     RuntimeError,
     "linalg.vector_norm: the dtype of the input (Double) should be convertible without "
     "narrowing to the specified dtype (Float)"),
    ("vector_norm_int_dtype",
     lambda lib: lib.linalg.vector_norm(_t(lib, (3,)), dtype=lib.long), RuntimeError,
     "linalg.vector_norm: dtype should be floating point or complex, but got Long"),
    ("matrix_norm_order", lambda lib: lib.linalg.matrix_norm(_t(lib, (3, 3)), 3), RuntimeError,
     "linalg.matrix_norm: Order 3 not supported."),
    ("matrix_norm_order_str",
     lambda lib: lib.linalg.matrix_norm(_t(lib, (3, 3)), "abc"), RuntimeError,
     "linalg.matrix_norm: Order abc not supported."),
    ("matrix_norm_1d", lambda lib: lib.linalg.matrix_norm(_t(lib, (3,))), RuntimeError,
     "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."),
    ("matrix_norm_same_dims",
     lambda lib: lib.linalg.matrix_norm(_t(lib, (3, 3)), dim=(0, 0)), RuntimeError,
     "linalg.matrix_norm: dims must be different. Got (0, 0)"),
    ("norm_ord_3d", lambda lib: lib.linalg.norm(_t(lib, (2, 2, 2)), 2), RuntimeError,
     "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got 3D."),
    ("norm_fro_dim", lambda lib: lib.linalg.norm(_t(lib, (2, 2, 2)), "fro", dim=0),
     RuntimeError, "linalg.matrix_norm: dim must be a 2-tuple. Got 0"),
    ("norm_three_dims", lambda lib: lib.linalg.norm(_t(lib, (2, 2, 2)), dim=(0, 1, 2)),
     RuntimeError, "linalg.norm: If dim is specified, it must be of length 1 or 2. Got [0, 1, 2]"),
    # the other products and ndgrad.linalg functions
    ("addmv_size",
     lambda lib: lib.addmv(_t(lib, (3,)), _t(lib, (3, 2)), _t(lib, (3,))), RuntimeError,
     "size mismatch, got input (3), mat (3x2), vec (3)"),
    ("baddbmm_sizes",
     lambda lib: lib.baddbmm(_t(lib, (3,)), _t(lib, (2, 3, 2)), _t(lib, (3, 2, 3))),
     RuntimeError,
     "Expected size for first two dimensions of batch2 tensor to be: [2, 2] but got: [3, 2]."),
    ("inner_sizes", lambda lib: lib.inner(_t(lib, (2, 3)), _t(lib, (4, 2))), RuntimeError,
     "inner() the last dimension must match on both input tensors but got shapes [2, 3] and "
     "[4, 2]"),
    ("vdot_dims", lambda lib: lib.vdot(_t(lib, (3, 1)), _t(lib, (3,))), RuntimeError,
     "1D tensors expected, but got 2D and 1D tensors"),
    ("matrix_power_rect", lambda lib: lib.linalg.matrix_power(_t(lib, (2, 3)), 2), RuntimeError,
     "linalg.matrix_power: A must be batches of square matrices, but they are 2 by 3 matrices"),
    ("matrix_power_1d", lambda lib: lib.linalg.matrix_power(_t(lib, (3,)), 2), RuntimeError,
     "linalg.matrix_power: The input tensor A must have at least 2 dimensions."),
    ("matrix_power_float_n", lambda lib: lib.linalg.matrix_power(_t(lib, (3, 3)), 2.0),
     TypeError, "linalg_matrix_power(): argument 'n' (position 2) must be int, not float"),
    ("matrix_power_long_inverse",
     lambda lib: lib.linalg.matrix_power(_t(lib, (2, 2), "int64"), -1), RuntimeError,
     "linalg.inv: Expected a floating point or complex tensor as input. Got Long"),
    ("pinv_1d", lambda lib: lib.linalg.pinv(_t(lib, (3,))), RuntimeError,
     "linalg.pinv(Float{[3]}): expected a tensor with 2 or more dimensions of float, double, "
     "cfloat or cdouble types"),
    ("pinv_long", lambda lib: lib.linalg.pinv(_t(lib, (3, 3), "int64")), RuntimeError,
     "linalg.pinv(Long{[3, 3]}): expected a tensor with 2 or more dimensions of float, double, "
     "cfloat or cdouble types"),
    ("matrix_rank_1d", lambda lib: lib.linalg.matrix_rank(_t(lib, (3,))), RuntimeError,
     "torch.linalg.matrix_rank: The input tensor input must have at least 2 dimensions."),
    ("cross_ndim", lambda lib: lib.linalg.cross(_t(lib, (2, 3)), _t(lib, (3,))), RuntimeError,
     "linalg.cross: inputs must have the same number of dimensions."),
    ("cross_length", lambda lib: lib.linalg.cross(_t(lib, (3, 2)), _t(lib, (3, 2))),
     RuntimeError, "linalg.cross: inputs dimension -1 must have length 3. Got 2 and 2"),
    ("cross_broadcast", lambda lib: lib.linalg.cross(_t(lib, (3, 3)), _t(lib, (2, 3))),
     RuntimeError,
     "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0"),
    ("matrix_exp_rect", lambda lib: lib.linalg.matrix_exp(_t(lib, (3, 2))), RuntimeError,
     "linalg.matrix_exp: A must be batches of square matrices, but they are 3 by 2 matrices"),
    ("matrix_exp_long", lambda lib: lib.linalg.matrix_exp(_t(lib, (3, 3), "int64")),
     RuntimeError, "linalg.matrix_exp: Expected a floating point or complex tensor as input. "
     "Got Long"),
    ("cond_order", lambda lib: lib.linalg.cond(_t(lib, (3, 3)), 3), RuntimeError,
     "linalg.cond got an invalid norm type: 3"),
    ("cond_rect", lambda lib: lib.linalg.cond(_t(lib, (3, 4)), "fro"), RuntimeError,
     "linalg.cond(ord=fro): A must be batches of square matrices, but they are 3 by 4 matrices"),
    ("lstsq_rows", lambda lib: lib.linalg.lstsq(_t(lib, (4, 3)), _t(lib, (3, 2))),
     RuntimeError, "torch.linalg.lstsq: input.size(-2) should match other.size(-2)"),
    ("lstsq_dtype",
     lambda lib: lib.linalg.lstsq(_t(lib, (4, 3), "float64"), _t(lib, (4, 2))), RuntimeError,
     "torch.linalg.lstsq: Expected input and other to have the same dtype, but got input's "
     "dtype Double and other's dtype Float"),
    ("legacy_norm_nuc_3d", lambda lib: lib.norm(_t(lib, (3, 3, 3)), p="nuc"), RuntimeError,
     "linalg.matrix_norm: dim must be a 2-tuple. Got 0 1 2"),
    ("legacy_norm_fro_3_dims",
     lambda lib: lib.norm(_t(lib, (3, 3, 3)), p="fro", dim=(0, 1, 2)), RuntimeError,
     "linalg.matrix_norm: dim must be a 2-tuple. Got 0 1 2"),
    ("cholesky_solve_1d", lambda lib: lib.cholesky_solve(_t(lib, (3,)), _t(lib, (3, 3))),
     RuntimeError, "b should have at least 2 dimensions, but has 1 dimensions instead"),
    ("cholesky_solve_sizes",
     lambda lib: lib.cholesky_solve(_t(lib, (2, 2)), _t(lib, (3, 3))), RuntimeError,
     "Incompatible matrix sizes for cholesky_solve: each A matrix is 3 by 3 but each b matrix "
     "is 2 by 2"),
    ("cholesky_solve_dtype",
     lambda lib: lib.cholesky_solve(_t(lib, (3, 2), "float64"), _t(lib, (3, 3))), RuntimeError,
     "Expected b and A to have the same dtype, but found b of type Double and A of type Float "
     "instead."),
    ("cholesky_solve_rect", lambda lib: lib.cholesky_solve(_t(lib, (3, 2)), _t(lib, (3, 2))),
     RuntimeError, "A must be batches of square matrices, but they are 3 by 2 matrices"),
    ("cholesky_inverse_rect", lambda lib: lib.cholesky_inverse(_t(lib, (3, 2))), RuntimeError,
     "cholesky_inverse: A must be batches of square matrices, but they are 3 by 2 matrices"),
    ("cholesky_inverse_1d", lambda lib: lib.cholesky_inverse(_t(lib, (3,))), RuntimeError,
     "cholesky_inverse: The input tensor A must have at least 2 dimensions."),
    ("solve_batch_broadcast",
     lambda lib: lib.linalg.solve(_t(lib, (2, 3, 3)), _t(lib, (3, 3, 2))), RuntimeError,
     "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0"),
    ("solve_triangular_batch_broadcast",
     lambda lib: lib.linalg.solve_triangular(_t(lib, (2, 3, 3)), _t(lib, (4, 3, 2)), upper=True),
     RuntimeError,
     "The size of tensor a (4) must match the size of tensor b (2) at non-singleton dimension 0"),
    # non-tensor arguments
    ("mm_number", lambda lib: lib.mm(_t(lib, (2, 2)), 2), TypeError,
     "mm(): argument 'mat2' (position 2) must be Tensor, not int"),
    ("addmm_number", lambda lib: lib.addmm(_t(lib, (2, 2)), _t(lib, (2, 2)), 2), TypeError,
     "addmm(): argument 'mat2' (position 3) must be Tensor, not int"),
    ("outer_number", lambda lib: lib.outer(_t(lib, (2,)), 2), TypeError,
     "outer(): argument 'vec2' (position 2) must be Tensor, not int"),
    ("einsum_number", lambda lib: lib.einsum("i", 3), TypeError,
     "expected Tensor as element 0 in argument 1, but got int"),
    ("inv_number", lambda lib: lib.linalg.inv(3), TypeError,
     "linalg_inv(): argument 'A' (position 1) must be Tensor, not int"),
    ("solve_number", lambda lib: lib.linalg.solve(_t(lib, (2, 2)), 3), TypeError,
     "linalg_solve(): argument 'B' (position 2) must be Tensor, not int"),
    ("vector_norm_number", lambda lib: lib.linalg.vector_norm(3), TypeError,
     "linalg_vector_norm(): argument 'input' (position 1) must be Tensor, not int"),
    ("inv_ex_check", lambda lib: lib.linalg.inv_ex(_m(lib, SINGULAR), check_errors=True),
     RuntimeError,
     "linalg.inv_ex: The diagonal element 2 is zero, the inversion could not be completed "
     "because the input matrix is singular."),
    ("cholesky_ex_check",
     lambda lib: lib.linalg.cholesky_ex(_m(lib, [EYE2, NOT_PD]), check_errors=True),
     RuntimeError,
     "linalg.cholesky_ex: (Batch element 1): The factorization could not be completed because "
     "the input is not positive-definite (the leading minor of order 2 is not "
     "positive-definite)."),
    ("solve_ex_check",
     lambda lib: lib.linalg.solve_ex(_m(lib, SINGULAR), _m(lib, EYE2), check_errors=True),
     RuntimeError,
     "torch.linalg.solve_ex: The solver failed because the input matrix is singular."),
]  # fmt: skip

IDS = [c[0] for c in CASES]


@pytest.mark.parametrize(("name", "call", "exc", "message"), CASES, ids=IDS)
def test_message(name: str, call: Callable[[Any], Any], exc: type, message: str) -> None:
    with pytest.raises(exc, match=f"^{re.escape(message)}$"):
        call(ndgrad)


@requires_torch
@pytest.mark.parametrize(("name", "call", "exc", "message"), CASES, ids=IDS)
def test_message_matches_torch(
    name: str, call: Callable[[Any], Any], exc: type, message: str
) -> None:
    with pytest.raises(exc) as info:
        call(torch)
    assert str(info.value) == message


LINALG_ERRORS = ["inv_singular", "inv_singular_batch", "solve_singular", "cholesky_not_pd"]


@pytest.mark.parametrize("name", LINALG_ERRORS)
def test_linalg_error_type(name: str) -> None:
    call = dict((c[0], c[1]) for c in CASES)[name]
    with pytest.raises(ndgrad.linalg.LinAlgError) as info:
        call(ndgrad)
    assert isinstance(info.value, RuntimeError)
    assert type(info.value).__name__ == "LinAlgError"


def test_qr_backward_errors() -> None:
    a = ndgrad.randn(3, 2, dtype=ndgrad.float64, requires_grad=True)
    q, _ = ndgrad.linalg.qr(a, mode="complete")
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
        ),
    ):
        q.sum().backward()
    b = ndgrad.randn(2, 3, dtype=ndgrad.float64, requires_grad=True)
    _, r = ndgrad.linalg.qr(b, mode="r")
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
            "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
            "linalg.qr."
        ),
    ):
        r.sum().backward()


_MIXED_DTYPE_SHAPES = [
    ((2, 3), (3, 2)),
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((3,), (3, 2)),
    ((4, 2, 3), (3, 2)),
    ((4, 2, 3), (4, 3, 2)),
]


@requires_torch
@pytest.mark.parametrize(("sa", "sb"), _MIXED_DTYPE_SHAPES)
@pytest.mark.parametrize(
    ("da", "db"), [("float64", "float32"), ("float32", "int64"), ("int64", "float32")]
)
def test_matmul_of_mixed_dtypes_raises_pytorchs_error(sa, sb, da, db):
    """matmul does not promote: each case raises its kernel's message."""
    messages = []
    for lib in (ndgrad, torch):
        a = lib.ones(sa, dtype=getattr(lib, da))
        b = lib.ones(sb, dtype=getattr(lib, db))
        with pytest.raises(RuntimeError) as info:
            a @ b
        messages.append(str(info.value))
    assert messages[0] == messages[1]
