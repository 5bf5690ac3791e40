"""Behaviour of the products and ndgrad.linalg beyond the op table: gradients at special points,
gradients without symmetrizing the input (vs PyTorch), result types, graph node names."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import gradcheck, gradgradcheck

from .helpers import assert_close, requires_torch, to_numpy, torch


def _pair(a: np.ndarray) -> tuple[ndgrad.Tensor, object]:
    """The same float64 leaf in ndgrad and (if installed) torch."""
    x = ndgrad.tensor(a, dtype=ndgrad.float64, requires_grad=True)
    y = torch.tensor(a, dtype=torch.float64, requires_grad=True) if torch is not None else None
    return x, y


def _spd(rng: np.random.Generator, n: int) -> np.ndarray:
    b = rng.standard_normal((n, n))
    return b @ b.T + n * np.eye(n)


# --- gradients of a symmetric input, not symmetrized: the exact tensor PyTorch returns ------------


@requires_torch
def test_eigh_gradient_matches_torch_without_symmetrizing(rng: np.random.Generator) -> None:
    a = _spd(rng, 4)
    w_l, w_v = rng.standard_normal(4), rng.standard_normal((4, 4))
    x, y = _pair(a)
    lam, v = ndgrad.linalg.eigh(x)
    # v * v is sign-invariant per eigenvector
    (lam * ndgrad.tensor(w_l)).sum().add((v * v * ndgrad.tensor(w_v)).sum()).backward()
    lam_t, v_t = torch.linalg.eigh(y)
    ((lam_t * torch.tensor(w_l)).sum() + (v_t * v_t * torch.tensor(w_v)).sum()).backward()
    assert_close(x.grad, y.grad, 1e-7, 1e-9)
    assert_close(x.grad, to_numpy(x.grad).T)  # symmetric, as PyTorch's


@requires_torch
def test_cholesky_gradient_matches_torch_without_symmetrizing(rng: np.random.Generator) -> None:
    a = _spd(rng, 3)
    w = rng.standard_normal((3, 3))
    for upper in (False, True):
        x, y = _pair(a)
        (ndgrad.linalg.cholesky(x, upper=upper) * ndgrad.tensor(w)).sum().backward()
        (torch.linalg.cholesky(y, upper=upper) * torch.tensor(w)).sum().backward()
        assert_close(x.grad, y.grad, 1e-7, 1e-9)


@requires_torch
def test_svd_full_matrices_gradient_matches_torch(rng: np.random.Generator) -> None:
    """full_matrices=True on a wide matrix: only the first k rows of Vh are determined; PyTorch
    and ndgrad both ignore the gradient on the others."""
    a = rng.standard_normal((2, 3))
    w = rng.standard_normal((2, 2))
    x, y = _pair(a)
    u, s, vh = ndgrad.linalg.svd(x)
    assert tuple(vh.shape) == (3, 3)
    (s.sum() + (u * u * ndgrad.tensor(w)).sum()).backward()
    u_t, s_t, _ = torch.linalg.svd(y)
    (s_t.sum() + (u_t * u_t * torch.tensor(w)).sum()).backward()
    assert_close(x.grad, y.grad, 1e-7, 1e-9)


@requires_torch
def test_cholesky_solve_factor_gradient_matches_torch(rng: np.random.Generator) -> None:
    """PyTorch's gradient for the factor is -(gB Xᵀ + X gBᵀ) L, also on the unread triangle."""
    low = np.tril(rng.standard_normal((3, 3))) + 3 * np.eye(3)
    b = rng.standard_normal((3, 2))
    w = rng.standard_normal((3, 2))
    for upper, f in ((False, low), (True, low.T.copy())):
        x, y = _pair(f)
        (
            ndgrad.cholesky_solve(ndgrad.tensor(b), x, upper=upper) * ndgrad.tensor(w)
        ).sum().backward()
        (torch.cholesky_solve(torch.tensor(b), y, upper=upper) * torch.tensor(w)).sum().backward()
        assert_close(x.grad, y.grad, 1e-7, 1e-9)


@requires_torch
def test_logdet_hessian_matches_torch(rng: np.random.Generator) -> None:
    a = _spd(rng, 3)
    x, y = _pair(a)
    (g,) = ndgrad.autograd.grad(ndgrad.logdet(x), x, create_graph=True)
    (h,) = ndgrad.autograd.grad((g * g).sum(), x)
    (g_t,) = torch.autograd.grad(torch.logdet(y), y, create_graph=True)
    (h_t,) = torch.autograd.grad((g_t * g_t).sum(), y)
    assert_close(g, g_t)
    assert_close(h, h_t, 1e-7, 1e-9)


# --- special points -------------------------------------------------------------------------------


def test_det_gradient_at_a_singular_matrix_is_the_adjugate() -> None:
    # d det / dA = adj(A)ᵀ, nonzero for a rank n-1 matrix (PyTorch returns zeros here).
    x = ndgrad.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=ndgrad.float64, requires_grad=True)
    ndgrad.linalg.det(x).backward()
    assert_close(x.grad, np.array([[4.0, -2.0], [-2.0, 1.0]]), 1e-12, 1e-12)


def test_det_gradient_of_a_batch_with_one_singular_matrix() -> None:
    a = np.array([[[1.0, 2.0], [2.0, 4.0]], [[2.0, 1.0], [0.5, 3.0]]])
    x = ndgrad.tensor(a, requires_grad=True)
    ndgrad.linalg.det(x).sum().backward()
    adj_t = np.array([[[4.0, -2.0], [-2.0, 1.0]], [[3.0, -0.5], [-1.0, 2.0]]])
    assert_close(x.grad, adj_t, 1e-12, 1e-12)


def test_det_second_derivative_at_a_singular_matrix() -> None:
    a = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 1.0], [1.0, 3.0, 1.0]])  # row 3 = row 1 + row 2
    x = ndgrad.tensor(a, requires_grad=True)
    assert gradgradcheck(ndgrad.linalg.det, (x,))


def test_eigvalsh_gradient_with_repeated_eigenvalues() -> None:
    # The eigenvalues alone have a gradient even where they repeat: V diag(g) Vᵀ.
    x = ndgrad.eye(3, dtype=ndgrad.float64).requires_grad_()
    (ndgrad.linalg.eigvalsh(x) * ndgrad.tensor([1.0, 2.0, 3.0])).sum().backward()
    vals = ndgrad.linalg.eigh(x.detach())[1]
    expected = to_numpy(vals) @ np.diag([1.0, 2.0, 3.0]) @ to_numpy(vals).T
    assert_close(x.grad, expected)


def test_eigenvector_gradient_with_repeated_eigenvalues_is_not_finite() -> None:
    x = ndgrad.eye(3, dtype=ndgrad.float64).requires_grad_()
    _, v = ndgrad.linalg.eigh(x)
    (v * ndgrad.arange(9.0, dtype=ndgrad.float64).reshape(3, 3)).sum().backward()
    assert not np.isfinite(to_numpy(x.grad)).all()  # PyTorch: nan too


def test_svdvals_gradient_with_repeated_singular_values() -> None:
    x = ndgrad.zeros(2, 2, dtype=ndgrad.float64, requires_grad=True)
    ndgrad.linalg.svdvals(x).sum().backward()
    assert_close(x.grad, np.eye(2))  # U Vh, with LAPACK's U = V = I for the zero matrix


def test_vector_norm_gradient_at_zero_is_zero() -> None:
    for p in (2, 3, 0.5, 1):
        x = ndgrad.zeros(3, dtype=ndgrad.float64, requires_grad=True)
        ndgrad.linalg.vector_norm(x, p).backward()
        assert_close(x.grad, np.zeros(3))


def test_vector_norm_small_p_gradient_at_a_zero_entry() -> None:
    x = ndgrad.tensor([0.0, 1.0, -2.0], dtype=ndgrad.float64, requires_grad=True)
    ndgrad.linalg.vector_norm(x, 0.5).backward()
    s = 1 + np.sqrt(2)
    assert_close(x.grad, np.array([0.0, s, -s / np.sqrt(2)]))


def test_inf_norm_shares_the_gradient_among_ties() -> None:
    x = ndgrad.tensor([1.0, -2.0, 2.0], dtype=ndgrad.float64, requires_grad=True)
    ndgrad.linalg.vector_norm(x, float("inf")).backward()
    assert_close(x.grad, np.array([0.0, -0.5, 0.5]))


def test_slogdet_gradient_of_a_singular_matrix_is_nan() -> None:
    x = ndgrad.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=ndgrad.float64, requires_grad=True)
    sign, logabs = ndgrad.linalg.slogdet(x)
    assert sign.item() == 0 and logabs.item() == -np.inf
    logabs.backward()
    assert np.isnan(to_numpy(x.grad)).all()


def test_slogdet_gradient_of_a_batch_with_one_singular_matrix() -> None:
    a = np.array([[[1.0, 2.0], [2.0, 4.0]], [[2.0, 1.0], [0.5, 3.0]]])
    x = ndgrad.tensor(a, requires_grad=True)
    ndgrad.linalg.slogdet(x).logabsdet.sum().backward()
    g = to_numpy(x.grad)
    assert np.isnan(g[0]).all()
    assert_close(g[1], np.linalg.inv(a[1]).T)


def test_logdet_of_a_negative_determinant_is_nan() -> None:
    x = ndgrad.tensor([[0.0, 1.0], [1.0, 0.0]])
    assert np.isnan(ndgrad.logdet(x).item())


def test_solve_triangular_reads_only_its_triangle(rng: np.random.Generator) -> None:
    a = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    b = rng.standard_normal((3, 2))
    x = ndgrad.tensor(a, requires_grad=True)
    out = ndgrad.linalg.solve_triangular(x, ndgrad.tensor(b), upper=True)
    assert_close(out, np.linalg.solve(np.triu(a), b))
    out.sum().backward()
    assert not np.tril(to_numpy(x.grad), -1).any()


def test_solve_triangular_with_a_zero_on_the_diagonal_gives_inf_not_an_error() -> None:
    a = ndgrad.tensor([[1.0, 0.0], [0.0, 0.0]])
    out = ndgrad.linalg.solve_triangular(a, ndgrad.ones(2, 2), upper=False)
    assert np.isinf(to_numpy(out)[1]).all()


def test_solve_triangular_unitriangular_gradcheck(rng: np.random.Generator) -> None:
    a = ndgrad.tensor(rng.standard_normal((3, 3)), requires_grad=True)
    b = ndgrad.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    f = lambda a, b: ndgrad.linalg.solve_triangular(a, b, upper=False, unitriangular=True)  # noqa: E731
    assert gradcheck(f, (a, b))
    assert gradgradcheck(f, (a, b))


def test_matrix_rank() -> None:
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 1.0]])
    r = ndgrad.linalg.matrix_rank(ndgrad.tensor(a))
    assert r.dtype == ndgrad.int64 and r.item() == 2
    batch = ndgrad.tensor(np.stack([np.eye(3), a]))
    assert ndgrad.linalg.matrix_rank(batch).tolist() == [3, 2]
    assert ndgrad.linalg.matrix_rank(ndgrad.tensor(np.diag([1.0, 0.1])), atol=0.5).item() == 1
    assert ndgrad.linalg.matrix_rank(ndgrad.tensor(np.diag([1.0, 0.1])), rtol=0.05).item() == 2


@requires_torch
def test_matrix_rank_matches_torch(rng: np.random.Generator) -> None:
    a = rng.standard_normal((4, 2)) @ rng.standard_normal((2, 5))
    for kw in ({}, {"atol": 1.0}, {"rtol": 0.3}, {"tol": 0.5}):
        assert (
            ndgrad.linalg.matrix_rank(ndgrad.tensor(a), **kw).item()
            == torch.linalg.matrix_rank(torch.tensor(a), **kw).item()
        )


def test_matrix_power_zero_of_non_finite_is_the_identity() -> None:
    a = ndgrad.tensor([[np.inf, 1.0], [np.nan, 0.0]])
    assert_close(ndgrad.linalg.matrix_power(a, 0), np.eye(2))


def test_pinv_of_a_rank_deficient_matrix(rng: np.random.Generator) -> None:
    a = rng.standard_normal((4, 2)) @ rng.standard_normal((2, 3))
    p = ndgrad.linalg.pinv(ndgrad.tensor(a))
    assert_close(p, np.linalg.pinv(a), 1e-7, 1e-9)


@requires_torch
def test_legacy_svd_matches_torch(rng: np.random.Generator) -> None:
    a = rng.standard_normal((3, 2))
    r = ndgrad.svd(ndgrad.tensor(a), some=False)
    r_t = torch.svd(torch.tensor(a), some=False)
    assert tuple(r.U.shape) == tuple(r_t.U.shape) and tuple(r.V.shape) == tuple(r_t.V.shape)
    assert_close(r.S, r_t.S)
    no_uv = ndgrad.svd(ndgrad.tensor(a), compute_uv=False)
    assert not to_numpy(no_uv.U).any() and not to_numpy(no_uv.V).any()


@requires_torch
@pytest.mark.parametrize("name", ["inv_ex", "cholesky_ex", "solve_ex"])
def test_ex_variants_report_info_as_torch(name: str) -> None:
    bad = [[1.0, 2.0], [2.0, 4.0]] if name != "cholesky_ex" else [[1.0, 2.0], [2.0, 1.0]]
    a = np.array([bad, [[2.0, 1.0], [1.0, 4.0]]])

    def call(lib: Any, x: Any) -> Any:
        fn = getattr(lib.linalg, name)
        return fn(x, lib.ones(2, 2, dtype=lib.float64)) if name == "solve_ex" else fn(x)

    x = ndgrad.tensor(a, requires_grad=True)
    r, r_t = call(ndgrad, x), call(torch, torch.tensor(a))
    assert r.info.dtype == ndgrad.int32
    assert r.info.tolist() == r_t.info.tolist()
    bad_out, good_out = r[0].unbind(0)
    assert_close(good_out, r_t[0][1])
    assert np.isnan(to_numpy(bad_out)).all()  # PyTorch: LAPACK's partial result
    good_out.sum().backward()  # the good matrix still has its gradient
    assert np.isfinite(to_numpy(x.grad)[1]).all() and not to_numpy(x.grad)[0].any()


# --- einsum forms ---------------------------------------------------------------------------------


def test_einsum_operand_list_and_sublist_forms(rng: np.random.Generator) -> None:
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    x, y = ndgrad.tensor(a), ndgrad.tensor(b)
    assert_close(ndgrad.einsum("ij,jk", [x, y]), a @ b)
    assert_close(ndgrad.einsum(x, [0, 1], y, [1, 2], [0, 2]), a @ b)
    assert_close(ndgrad.einsum(x, [Ellipsis, 1], y, [1, 2]), a @ b)


def test_einsum_implicit_output_orders_uppercase_first(rng: np.random.Generator) -> None:
    a, b = rng.standard_normal((2, 3)), rng.standard_normal(4)
    out = ndgrad.einsum("bA,a", ndgrad.tensor(a), ndgrad.tensor(b))
    assert_close(out, np.einsum("bA,a->Aab", a, b))


def test_einsum_result_does_not_alias_its_input() -> None:
    x = ndgrad.ones(3, 3)
    d = ndgrad.einsum("ij->ji", x)
    d.add_(1)
    assert to_numpy(x).sum() == 9


def test_einsum_of_integers() -> None:
    x = ndgrad.tensor([[1, 2], [3, 4]])
    out = ndgrad.einsum("ii->", x)
    assert out.dtype == ndgrad.int64 and out.item() == 5


# --- results and graph ----------------------------------------------------------------------------


@requires_torch
def test_named_results_print_as_torch() -> None:
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    assert repr(ndgrad.linalg.slogdet(ndgrad.tensor(a))) == repr(
        torch.linalg.slogdet(torch.tensor(a))
    )
    assert repr(ndgrad.slogdet(ndgrad.tensor(a))) == repr(torch.slogdet(torch.tensor(a)))
    assert repr(ndgrad.linalg.qr(ndgrad.tensor(a, dtype=ndgrad.float32))) == repr(
        torch.linalg.qr(torch.tensor(a, dtype=torch.float32))
    )


def test_named_result_fields() -> None:
    a = ndgrad.eye(2)
    r = ndgrad.linalg.slogdet(a)
    assert r.sign is r[0] and r.logabsdet is r[1]
    assert ndgrad.linalg.eigh(a).eigenvalues.shape == (2,)
    assert ndgrad.linalg.svd(a).Vh.shape == (2, 2)
    assert ndgrad.linalg.qr(a).R.shape == (2, 2)


def test_linalg_error_is_a_runtime_error() -> None:
    assert issubclass(ndgrad.linalg.LinAlgError, RuntimeError)


NODE_CASES = [
    ("mm", lambda lib, a: lib.mm(a, a)),
    ("bmm", lambda lib, a: lib.bmm(a.unsqueeze(0), a.unsqueeze(0))),
    ("mv", lambda lib, a: lib.mv(a, a.sum(0))),
    ("dot", lambda lib, a: lib.dot(a.sum(0), a.sum(1))),
    ("addmm", lambda lib, a: lib.addmm(a, a, a)),
    ("outer", lambda lib, a: lib.outer(a.sum(0), a.sum(1))),
    ("inv", lambda lib, a: lib.linalg.inv(a)),
    ("inverse", lambda lib, a: lib.inverse(a)),
    ("det", lambda lib, a: lib.linalg.det(a)),
    ("slogdet", lambda lib, a: lib.linalg.slogdet(a)[1]),
    ("solve", lambda lib, a: lib.linalg.solve(a, a)),
    ("solve_triangular", lambda lib, a: lib.linalg.solve_triangular(a, a, upper=True)),
    ("cholesky", lambda lib, a: lib.linalg.cholesky(a @ a.mT)),
    ("qr", lambda lib, a: lib.linalg.qr(a)[0]),
    ("eigh", lambda lib, a: lib.linalg.eigh(a)[0]),
    ("eigvalsh", lambda lib, a: lib.linalg.eigvalsh(a)),
    ("svd", lambda lib, a: lib.linalg.svd(a)[1]),
    ("svdvals", lambda lib, a: lib.linalg.svdvals(a)),
    ("vector_norm", lambda lib, a: lib.linalg.vector_norm(a)),
    ("matrix_norm", lambda lib, a: lib.linalg.matrix_norm(a)),
    ("norm", lambda lib, a: lib.norm(a)),
    ("pinv", lambda lib, a: lib.linalg.pinv(a)),
    ("addmv", lambda lib, a: lib.addmv(a.sum(0), a, a.sum(1))),
    ("baddbmm", lambda lib, a: lib.baddbmm(a, a.unsqueeze(0), a.unsqueeze(0))),
    ("matrix_power", lambda lib, a: lib.linalg.matrix_power(a, 3)),
    ("matrix_norm_1", lambda lib, a: lib.linalg.matrix_norm(a, 1).grad_fn.next_functions[0][0]),
]


@requires_torch
@pytest.mark.parametrize(("name", "call"), NODE_CASES, ids=[c[0] for c in NODE_CASES])
def test_node_names_match_torch(name: str, call) -> None:
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    out_nd = call(ndgrad, ndgrad.tensor(a, requires_grad=True))
    out_th = call(torch, torch.tensor(a, requires_grad=True))
    fn_nd = out_nd if not hasattr(out_nd, "grad_fn") else out_nd.grad_fn
    fn_th = out_th if not hasattr(out_th, "grad_fn") else out_th.grad_fn
    assert type(fn_nd).__name__ == type(fn_th).__name__


def _random_equation(rng: np.random.Generator) -> tuple[str, list[tuple[int, ...]]]:
    """A random einsum equation (repeated labels, summed labels, sometimes '...', implicit or
    explicit output) and operand shapes that fit it."""
    letters = "ijkl"
    size = {c: int(rng.integers(1, 4)) for c in letters}
    ell = tuple(int(s) for s in rng.integers(1, 3, size=int(rng.integers(0, 3))))
    terms, shapes = [], []
    for _ in range(int(rng.integers(1, 4))):
        labels = "".join(rng.choice(list(letters), size=int(rng.integers(1, 4))))
        shape = tuple(size[c] for c in labels)
        if ell and rng.random() < 0.5:
            k = int(rng.integers(0, len(ell) + 1))  # fewer ellipsis dims broadcast
            labels, shape = "..." + labels, ell[len(ell) - k :] + shape
        terms.append(labels)
        shapes.append(shape)
    used = sorted(set("".join(terms)) - {"."})
    if rng.random() < 0.3:
        return ",".join(terms), shapes
    out = "".join(c for c in used if rng.random() < 0.5)
    if any("..." in t for t in terms) and rng.random() < 0.7:
        out = "..." + out
    return f"{','.join(terms)}->{out}", shapes


def _np_einsum(eq: str, arrays: list[np.ndarray]) -> np.ndarray:
    """numpy's einsum, also where PyTorch sums the '...' dims an explicit output leaves out."""
    lhs, arrow, out = eq.partition("->")
    if not arrow or "..." in out or "..." not in lhs:
        return np.einsum(eq, *arrays)
    n_ell = max(
        a.ndim - (len(t) - 3) for t, a in zip(lhs.split(","), arrays, strict=True) if "..." in t
    )
    full = np.einsum(f"{lhs}->...{out}", *arrays)
    return full.sum(axis=tuple(range(n_ell)))


@pytest.mark.parametrize("seed", range(25))
def test_einsum_random_equations(seed: int) -> None:
    rng = np.random.default_rng(seed)
    eq, shapes = _random_equation(rng)
    arrays = [rng.standard_normal(s) for s in shapes]
    out = ndgrad.einsum(eq, *[ndgrad.tensor(a) for a in arrays])
    assert_close(out, _np_einsum(eq, arrays), 1e-10, 1e-12)
    xs = [ndgrad.tensor(a, requires_grad=True) for a in arrays]
    assert gradcheck(lambda *ts: ndgrad.einsum(eq, *ts), xs), eq
    assert gradgradcheck(lambda *ts: ndgrad.einsum(eq, *ts), xs), eq


# --- the deprecated torch.cholesky and torch.qr ---------------------------------------------------


def test_legacy_cholesky_warns_and_names_itself(rng: np.random.Generator) -> None:
    a = ndgrad.tensor(_spd(rng, 3), requires_grad=True)
    with pytest.warns(UserWarning, match=r"^torch\.cholesky is deprecated in favor of"):
        u = ndgrad.cholesky(a, upper=True)
    assert type(u.grad_fn).__name__ == "CholeskyBackward0"
    assert_close(u, np.linalg.cholesky(to_numpy(a)).T)
    with (
        pytest.warns(UserWarning),
        pytest.raises(
            ndgrad.linalg.LinAlgError,
            match=re.escape(
                "cholesky: (Batch element 1): The factorization could not be completed because "
                "the input is not positive-definite (the leading minor of order 2 is not "
                "positive-definite)."
            ),
        ),
    ):
        ndgrad.tensor([[[1.0, 0.0], [0.0, 1.0]], [[1.0, 2.0], [2.0, 1.0]]]).cholesky()


@requires_torch
def test_cholesky_upper_reads_the_upper_triangle() -> None:
    a = np.array([[4.0, 2.0], [100.0, 3.0]])  # lower triangle not positive-definite
    expected = np.array([[2.0, 1.0], [0.0, np.sqrt(2)]])
    assert_close(ndgrad.linalg.cholesky(ndgrad.tensor(a), upper=True), expected)
    assert_close(
        ndgrad.linalg.cholesky(ndgrad.tensor(a), upper=True),
        torch.linalg.cholesky(torch.tensor(a), upper=True),
    )
    with pytest.raises(ndgrad.linalg.LinAlgError):
        ndgrad.linalg.cholesky(ndgrad.tensor(a))


def test_legacy_qr_warns_and_returns_named_result(rng: np.random.Generator) -> None:
    a = ndgrad.tensor(rng.standard_normal((4, 3)))
    with pytest.warns(UserWarning, match=r"^torch\.qr is deprecated in favor of torch\.linalg\.qr"):
        r = a.qr(some=False)
    assert tuple(r.Q.shape) == (4, 4) and tuple(r.R.shape) == (4, 3)
    assert repr(r).startswith("torch.return_types.qr(\nQ=tensor(")
