"""Forward-mode AD against PyTorch: cases a differential run found to differ.

Each case runs under ndgrad against a value worked out by hand, and against torch when it
is installed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad
from tests.helpers import assert_close, requires_torch, to_numpy, torch

# torch's first make_dual scripts its jvp decompositions, which warns on this torch version;
# its linearize traces the function with torch.fx, which warns about the constants it records
pytestmark = [
    pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Attempted to insert a get_attr Node:UserWarning"),
]

X = np.arange(12.0).reshape(3, 4) / 7 - 0.8
TX = np.arange(12.0, 0.0, -1.0).reshape(3, 4) / 5
Y = np.array([0.5, -1.5, 2.0, 0.25])
TY = np.array([1.0, 2.0, -3.0, 4.0])


def _run(lib: Any, fn: Callable[..., Any], pairs: list[Any], requires_grad: bool = False) -> Any:
    """fn on dual tensors (a pair (primal, None) gives a plain tensor); the outputs'
    (primal, tangent) as numpy, a tangent that is None as None."""
    fw = lib.autograd.forward_ad
    with fw.dual_level():
        args = []
        for p, t in pairs:
            x = lib.tensor(p, dtype=lib.float64, requires_grad=requires_grad and t is not None)
            args.append(x if t is None else fw.make_dual(x, lib.tensor(t, dtype=lib.float64)))
        out = fn(lib, *args)
        outs = out if isinstance(out, tuple) else (out,)
        result = []
        for o in outs:
            primal, tangent = fw.unpack_dual(o)
            result.append(
                (
                    primal.detach().numpy().copy(),
                    None if tangent is None else np.array(to_numpy(tangent)),
                )
            )
    return result


def _check(fn: Callable[..., Any], pairs: list[Any], expected: list[Any]) -> None:
    for requires_grad in (False, True):
        got = _run(ndgrad, fn, pairs, requires_grad)
        for (_, tangent), want in zip(got, expected, strict=True):
            assert_close(tangent, want, rtol=1e-12, atol=1e-12)
        if torch is not None:
            ref = _run(torch, fn, pairs, requires_grad)
            for (p, t), (rp, rt) in zip(got, ref, strict=True):
                assert_close(p, rp, rtol=1e-12, atol=1e-12)
                assert_close(t, rt, rtol=1e-12, atol=1e-12)


# --- in-place writes into dual tensors and their views ----------------------------------------


def _setitem_row(lib: Any, x: Any, y: Any) -> Any:
    z = x.clone()
    z[1] = y
    return z


def _setitem_scalar(lib: Any, x: Any) -> Any:
    z = x.clone()
    z[0, 0] = 3.0
    return z


def _setitem_adv(lib: Any, x: Any, y: Any) -> Any:
    z = x.clone()
    z[[0, 2]] = y
    return z


def _index_put(lib: Any, x: Any, y: Any) -> Any:
    return x.index_put((lib.tensor([0, 2]),), y)


def _zero(lib: Any, x: Any) -> Any:
    return x.clone().zero_()


def _fill(lib: Any, x: Any) -> Any:
    return x.clone().fill_(2.0)


def _mul_view(lib: Any, x: Any, y: Any) -> Any:
    z = x.clone()
    v = z[1]
    v.mul_(y)
    return z, v


def _add_transposed_view(lib: Any, x: Any, y: Any) -> Any:
    z = x.clone()
    v = z.t()
    v.add_(y.unsqueeze(1))
    return z, v


def _copy_into_zeros(lib: Any, y: Any) -> Any:
    z = lib.zeros(3, 4, dtype=lib.float64)
    v = z[1]
    v.copy_(y)
    return z, v


def _write_into_leaf_view(lib: Any, x: Any, y: Any) -> Any:
    x = x * 1
    x[0].mul_(y)
    return x


def _base_then_view(lib: Any, x: Any, y: Any) -> Any:
    z = x.clone()
    v = z[0]
    z.mul_(2.0)
    return v


def _row(a: np.ndarray, i: int, v: Any) -> np.ndarray:
    a = a.copy()
    a[i] = v
    return a


CASES = {
    "setitem_row": (_setitem_row, [(X, TX), (Y, TY)], [_row(TX, 1, TY)]),
    "setitem_plain_value": (_setitem_row, [(X, TX), (Y, None)], [_row(TX, 1, 0.0)]),
    "setitem_dual_value_into_plain": (
        _setitem_row,
        [(X, None), (Y, TY)],
        [_row(np.zeros((3, 4)), 1, TY)],
    ),
    "setitem_scalar": (
        _setitem_scalar,
        [(X, TX)],
        [np.where(np.eye(3, 4, dtype=bool) & (np.arange(4) == 0), 0.0, TX)],
    ),
    "setitem_adv": (_setitem_adv, [(X, TX), (Y, TY)], [_row(_row(TX, 0, TY), 2, TY)]),
    "index_put": (_index_put, [(X, TX), (Y, TY)], [_row(_row(TX, 0, TY), 2, TY)]),
    "zero_": (_zero, [(X, TX)], [np.zeros((3, 4))]),
    "fill_": (_fill, [(X, TX)], [np.zeros((3, 4))]),
    "mul_through_view": (
        _mul_view,
        [(X, TX), (Y, TY)],
        [_row(TX, 1, TX[1] * Y + X[1] * TY), TX[1] * Y + X[1] * TY],
    ),
    "add_through_transposed_view": (
        _add_transposed_view,
        [(X, None), (Y, TY)],
        [np.broadcast_to(TY, (3, 4)), np.broadcast_to(TY, (3, 4)).T],
    ),
    "copy_into_view_of_zeros": (
        _copy_into_zeros,
        [(Y, TY)],
        [_row(np.zeros((3, 4)), 1, TY), TY],
    ),
    "write_into_view": (
        _write_into_leaf_view,
        [(X, TX), (Y, TY)],
        [_row(TX, 0, TX[0] * Y + X[0] * TY)],
    ),
    "view_sees_base_write": (_base_then_view, [(X, TX), (Y, TY)], [2 * TX[0]]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_inplace_tangents(name: str) -> None:
    fn, pairs, expected = CASES[name]
    _check(fn, pairs, expected)


@requires_torch
def test_inplace_write_updates_the_given_tangent() -> None:
    # As PyTorch's, make_dual keeps the tangent given and an in-place op writes into it.
    got = []
    for lib in (ndgrad, torch):
        fw = lib.autograd.forward_ad
        with fw.dual_level():
            t = lib.tensor(TY)
            x = fw.make_dual(lib.tensor(Y), t)
            x.mul_(2.0)
            y = x + 1  # its own tangent: a write into y leaves x's alone
            y.mul_(3.0)
            got.append((t.numpy().copy(), fw.unpack_dual(x).tangent.numpy().copy()))
    assert_close(got[0], got[1])
    assert_close(got[0][1], 2 * TY)


# --- tangents that were missing -------------------------------------------------------------

A = np.array([[2.0, 0.5, -1.0], [0.5, 1.0, 0.25], [-1.0, 0.25, 3.0]])  # symmetric, invertible
TA = np.array([[1.0, 2.0, 0.0], [2.0, -1.0, 0.5], [0.0, 0.5, 1.0]])  # symmetric


def _eig_tangent() -> np.ndarray:
    _, v = np.linalg.eigh(A)  # dλ_i = v_iᵀ dA v_i
    return np.einsum("ji,jk,ki->i", v, TA, v)


def _svd_tangent() -> np.ndarray:
    u, _, vh = np.linalg.svd(A)  # dσ_i = u_iᵀ dA v_i
    return np.einsum("ji,jk,ik->i", u, TA, vh)


ZERO = np.zeros((3, 3))
MISSING = {
    # ops computed without a graph when the input needs no grad: a dual needs the op too
    "eigvalsh": (lambda lib, a: lib.linalg.eigvalsh(a), [(A, TA)], [_eig_tangent()]),
    "svdvals": (lambda lib, a: lib.linalg.svdvals(a), [(A, TA)], [_svd_tangent()]),
    "matrix_norm_nuc": (
        lambda lib, a: lib.linalg.matrix_norm(a, "nuc"),
        [(A, TA)],
        [_svd_tangent().sum()],
    ),
    # ops whose derivative is zero: a zero tangent, not none
    "floor": (lambda lib, a: lib.floor(a), [(A, TA)], [ZERO]),
    "round": (lambda lib, a: a.round(), [(A, TA)], [ZERO]),
    "sgn": (lambda lib, a: a.sgn(), [(A, TA)], [ZERO]),
    "floor_": (lambda lib, a: (a * 1).floor_(), [(A, TA)], [ZERO]),
    "norm_p0": (lambda lib, a: lib.norm(a, 0, 1, keepdim=True), [(A, TA)], [np.zeros((3, 1))]),
    "slogdet_sign": (lambda lib, a: lib.linalg.slogdet(a)[0], [(A, TA)], [np.zeros(())]),
}


@pytest.mark.parametrize("name", sorted(MISSING))
def test_missing_tangents(name: str) -> None:
    fn, pairs, expected = MISSING[name]
    _check(fn, pairs, expected)


@requires_torch
def test_copysign_tangent_of_the_sign_alone_is_none() -> None:
    # PyTorch's copysign tangent reads the magnitude's tangent only: with none, none.
    for lib in (ndgrad, torch):
        got = _run(lib, lambda lib, a, b: lib.copysign(a, b), [(Y, None), (-Y, TY)])
        assert got[0][1] is None


# --- ops PyTorch has no forward AD for: its NotImplementedError -----------------------------

P = np.abs(X) + 0.5
_NOT_SUPPORTED = "Trying to use forward AD with {} that does not support it."
_NOT_YET = (
    "Trying to use forward AD with {} that does not support it because it has not been "
    "implemented yet.\nPlease file an issue to PyTorch at "
    "https://github.com/pytorch/pytorch/issues/new?template=feature-request.yml so that we can "
    "prioritize its implementation or submit a PR adding the implementation to derivatives.yaml"
)
REFUSED = {
    "floor_divide": (lambda lib, d: d // 2.0, _NOT_SUPPORTED.format("aten::floor_divide")),
    "remainder_number": (
        lambda lib, d: lib.remainder(2.0, d),
        _NOT_SUPPORTED.format("aten::remainder"),
    ),
    "heaviside": (
        lambda lib, d: lib.heaviside(d, lib.tensor(P)),
        _NOT_SUPPORTED.format("aten::heaviside"),
    ),
    "cdist": (lambda lib, d: lib.cdist(d, lib.tensor(P)), _NOT_YET.format("_cdist_forward")),
    "cdist_mm": (
        lambda lib, d: lib.cdist(d, lib.tensor(P), compute_mode="use_mm_for_euclid_dist"),
        _NOT_YET.format("_euclidean_dist"),
    ),
    "pdist": (lambda lib, d: lib.nn.functional.pdist(d), _NOT_YET.format("_pdist_forward")),
    "zeta_q": (
        lambda lib, d: lib.special.zeta(lib.tensor(P) + 1, d),
        _NOT_YET.format("special_zeta"),
    ),
    "igamma_x": (lambda lib, d: lib.igamma(lib.tensor(P), d), _NOT_YET.format("igamma")),
    "igammac": (lambda lib, d: lib.igammac(d, lib.tensor(P)), _NOT_YET.format("igammac")),
    "unique": (lambda lib, d: lib.unique(d), _NOT_YET.format("_unique2")),
    "unique_dim": (lambda lib, d: lib.unique(d, dim=0), _NOT_YET.format("unique_dim")),
    "multi_margin_loss": (
        lambda lib, d: lib.nn.functional.multi_margin_loss(d, lib.tensor([0, 1, 2])),
        _NOT_YET.format("multi_margin_loss"),
    ),
    "multilabel_margin_loss": (
        lambda lib, d: lib.nn.functional.multilabel_margin_loss(d, lib.tensor([[0, 1, -1, 0]] * 3)),
        _NOT_YET.format("multilabel_margin_loss_forward"),
    ),
    "grid_sample": (
        lambda lib, d: lib.nn.functional.grid_sample(
            d.view(1, 1, 3, 4), lib.zeros(1, 2, 2, 2, dtype=lib.float64), align_corners=False
        ),
        _NOT_YET.format("grid_sampler_2d"),
    ),
    "embedding_bag": (
        lambda lib, d: lib.nn.functional.embedding_bag(lib.tensor([0, 1]), d, lib.tensor([0])),
        _NOT_YET.format("_embedding_bag"),
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_ops(name: str) -> None:
    fn, message = REFUSED[name]
    libs = [ndgrad] if torch is None else [ndgrad, torch]
    for lib in libs:
        with pytest.raises(NotImplementedError) as info:
            _run(lib, fn, [(P, TX)])
        assert str(info.value) == message, lib.__name__


def test_logcumsumexp_tangent() -> None:
    # dy_j = sum_{i<=j} t_i e^{x_i} / sum_{i<=j} e^{x_i} (the fallback gave nan everywhere)
    e = np.exp(X)
    expected = np.cumsum(TX * e, axis=1) / np.cumsum(e, axis=1)
    _check(lambda lib, d: lib.logcumsumexp(d, 1), [(X, TX)], [expected])


@requires_torch
def test_digamma_tangent_is_pytorchs_trigamma() -> None:
    # digamma's tangent is trigamma(x) t; PyTorch's trigamma is exact to ~5e-10 relative only
    # (near x = 1.13), and ndgrad now takes its steps: the same values to the last bits.
    x = np.linspace(-3.3, 12.0, 200)
    t = np.ones_like(x)
    got = _run(ndgrad, lambda lib, d: lib.digamma(d), [(x, t)])[0][1]
    ref = _run(torch, lambda lib, d: lib.digamma(d), [(x, t)])[0][1]
    np.testing.assert_allclose(got, ref, rtol=1e-14, atol=0)
    np.testing.assert_allclose(
        ndgrad.polygamma(1, ndgrad.tensor([1.0, 0.5])).numpy(), [np.pi**2 / 6, np.pi**2 / 2]
    )


# --- autograd.functional: PyTorch's errors and result nesting -----------------------------

U = np.array([1.0, 2.0])
W2 = np.array([3.0, -4.0])
_NO_CG = "This is not allowed in strict mode when create_graph=True."
_LINEAR_HESSIAN = (
    "While computing the hessian, found that the jacobian of the user-provided function with "
    "respect to input 0 is independent of the input. This is not allowed in strict mode. You "
    "should ensure that your function is twice differentiable and that the jacobian depends on "
    "the inputs (this would be violated by a linear function for example)."
)


def _af(lib: Any) -> Any:
    return lib.autograd.functional


def _u(lib: Any) -> Any:
    return lib.tensor(U)


def _w(lib: Any) -> Any:
    return lib.tensor(W2)


FUNCTIONAL_ERRORS = {
    "jacobian_list_inputs": (
        lambda lib: _af(lib).jacobian(lambda a: a, [_u(lib)]),
        TypeError,
        "The inputs given to jacobian must be either a Tensor or a tuple of Tensors but the "
        "given inputs has type <class 'list'>.",
    ),
    "jacobian_list_outputs": (
        lambda lib: _af(lib).jacobian(lambda a: [a], _u(lib)),
        TypeError,
        "The outputs of the user-provided function given to jacobian must be either a Tensor or "
        "a tuple of Tensors but the given outputs of the user-provided function has type "
        "<class 'list'>.",
    ),
    "vjp_list_v": (
        lambda lib: _af(lib).vjp(lambda a: a, _u(lib), [_w(lib)]),
        TypeError,
        "The v given to vjp must be either a Tensor or a tuple of Tensors but the given v has "
        "type <class 'list'>.",
    ),
    "vjp_v_size": (
        lambda lib: _af(lib).vjp(lambda a: a, _u(lib), _w(lib)[:1]),
        RuntimeError,
        "v has invalid size: should be torch.Size([2]) but got torch.Size([1]).",
    ),
    "jvp_v_length": (
        lambda lib: _af(lib).jvp(lambda a: a, _u(lib), (_w(lib), _w(lib))),
        RuntimeError,
        "The given v should contain a single Tensor.",
    ),
    "jacobian_bad_strategy": (
        lambda lib: _af(lib).jacobian(lambda a: a, _u(lib), strategy="other"),
        AssertionError,
        'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your function '
        'has more outputs than inputs, "forward-mode" tends to be more performant. Otherwise, '
        'prefer to use "reverse-mode".',
    ),
    "jacobian_forward_not_vectorized": (
        lambda lib: _af(lib).jacobian(lambda a: a.sin(), _u(lib), strategy="forward-mode"),
        NotImplementedError,
        "Computing Jacobian using forward-AD or forward-over-reverse Hessian isonly implemented "
        "for `vectorize=True`.",
    ),
    "hessian_forward_not_vectorized": (
        lambda lib: _af(lib).hessian(
            lambda a: (a**3).sum(), _u(lib), outer_jacobian_strategy="forward-mode"
        ),
        NotImplementedError,
        "Computing Jacobian using forward-AD or forward-over-reverse Hessian isonly implemented "
        "for `vectorize=True`.",
    ),
    "jacobian_forward_strict": (
        lambda lib: _af(lib).jacobian(
            lambda a: a.sin(), _u(lib), strict=True, strategy="forward-mode", vectorize=True
        ),
        RuntimeError,
        'torch.autograd.functional.jacobian: `strict=True` and `strategy="forward-mode"` are not '
        'supported together (yet). Please either set `strict=False` or `strategy="reverse-mode"`.',
    ),
    "jacobian_strict_vectorize": (
        lambda lib: _af(lib).jacobian(lambda a: a.sin(), _u(lib), strict=True, vectorize=True),
        RuntimeError,
        "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
        "supported together. Please either set `strict=False` or `vectorize=False`.",
    ),
    "jacobian_strict_create_graph_linear": (
        lambda lib: _af(lib).jacobian(lambda a: a * 2, _u(lib), strict=True, create_graph=True),
        RuntimeError,
        f"The jacobian of the user-provided function is independent of input 0. {_NO_CG}",
    ),
    "vjp_strict_create_graph_linear": (
        lambda lib: _af(lib).vjp(lambda a: a * 2, _u(lib), _w(lib), strict=True, create_graph=True),
        RuntimeError,
        f"The jacobian of the user-provided function is independent of input 0. {_NO_CG}",
    ),
    "jvp_strict_create_graph_linear": (
        lambda lib: _af(lib).jvp(lambda a: a * 2, _u(lib), _w(lib), strict=True, create_graph=True),
        RuntimeError,
        f"The jacobian of the user-provided function is independent of input 0. {_NO_CG}",
    ),
    "hvp_strict_create_graph_quadratic": (
        lambda lib: _af(lib).hvp(
            lambda a: (a * a).sum(), _u(lib), _w(lib), strict=True, create_graph=True
        ),
        RuntimeError,
        f"The hessian of the user-provided function is independent of input 0. {_NO_CG}",
    ),
    "vhp_strict_create_graph_quadratic": (
        lambda lib: _af(lib).vhp(
            lambda a: (a * a).sum(), _u(lib), _w(lib), strict=True, create_graph=True
        ),
        RuntimeError,
        f"The hessian of the user-provided function is independent of input 0. {_NO_CG}",
    ),
    "hessian_strict_linear": (
        lambda lib: _af(lib).hessian(lambda a: a.sum(), _u(lib), strict=True),
        RuntimeError,
        _LINEAR_HESSIAN,
    ),
    "vhp_strict_linear": (
        lambda lib: _af(lib).vhp(lambda a: a.sum(), _u(lib), _w(lib), strict=True),
        RuntimeError,
        _LINEAR_HESSIAN,
    ),
    "hvp_strict_relu": (
        lambda lib: _af(lib).hvp(lambda a: lib.relu(a).sum(), _u(lib), _w(lib), strict=True),
        RuntimeError,
        "The hessian of the user-provided function is independent of entry 0 in the "
        "grad_jacobian. This is not allowed in strict mode as it prevents from using the double "
        "backward trick to replace forward mode AD.",
    ),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONAL_ERRORS))
def test_functional_errors(name: str) -> None:
    fn, kind, message = FUNCTIONAL_ERRORS[name]
    for lib in [ndgrad] if torch is None else [ndgrad, torch]:
        with pytest.raises(kind) as info:
            fn(lib)
        assert str(info.value) == message, lib.__name__


def _forward_jacobian(lib: Any, fn: Callable[..., Any], inputs: Any) -> Any:
    return _af(lib).jacobian(fn, inputs, strategy="forward-mode", vectorize=True)


def _nesting(result: Any) -> Any:
    if isinstance(result, tuple | list):
        return (type(result).__name__, [_nesting(r) for r in result])
    return "Tensor"


NESTINGS = {
    # PyTorch's forward-mode jacobian builds lists and unpacks them like its tuples
    "tuple_in_tuple_out": (
        lambda lib: _forward_jacobian(lib, lambda a, b: (a * b, a), (_u(lib), _w(lib))),
        ("list", [("list", ["Tensor", "Tensor"]), ("list", ["Tensor", "Tensor"])]),
    ),
    "tuple_in": (
        lambda lib: _forward_jacobian(lib, lambda a, b: a * b, (_u(lib), _w(lib))),
        ("list", ["Tensor", "Tensor"]),
    ),
    "hessian_tuple_in": (
        lambda lib: _af(lib).hessian(
            lambda a, b: (a * b).sum(),
            (_u(lib), _w(lib)),
            outer_jacobian_strategy="forward-mode",
            vectorize=True,
        ),
        ("list", [("list", ["Tensor", "Tensor"]), ("list", ["Tensor", "Tensor"])]),
    ),
}


@pytest.mark.parametrize("name", sorted(NESTINGS))
def test_forward_jacobian_nesting(name: str) -> None:
    fn, expected = NESTINGS[name]
    got = fn(ndgrad)
    assert _nesting(got) == expected
    if torch is not None:
        ref = fn(torch)
        assert _nesting(ref) == expected
        flat_got = got if not isinstance(got[0], list) else [x for row in got for x in row]
        flat_ref = ref if not isinstance(ref[0], list) else [x for row in ref for x in row]
        for g, r in zip(flat_got, flat_ref, strict=True):
            assert_close(g, r, rtol=1e-12)


# --- reverse over forward: a tangent is differentiable in the weights it went through --------

XB = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]])
TB = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
WB = np.linspace(-1.0, 1.0, 12).reshape(4, 3) * 0.5
BB = np.linspace(0.0, 1.0, 4)


def _tangent_loss_grads(lib: Any) -> Any:
    """d/dW, d/db of the squared tangent of softplus(tanh(x Wᵀ + b)) along t (through
    linear's and softplus' fallback: the double-vjp trick)."""
    fw = lib.autograd.forward_ad
    w, b = lib.tensor(WB, requires_grad=True), lib.tensor(BB, requires_grad=True)
    with fw.dual_level():
        d = fw.make_dual(lib.tensor(XB), lib.tensor(TB))
        y = lib.nn.functional.softplus(lib.nn.functional.linear(d, w, b).tanh())
        tangent = fw.unpack_dual(y).tangent
        assert tangent.requires_grad
        loss = (tangent**2).sum()
    return [g.numpy() for g in lib.autograd.grad(loss, (w, b))]


def test_tangent_is_differentiable_in_the_weights() -> None:
    got = _tangent_loss_grads(ndgrad)
    # the same tangent written out: (1 - h²) (t Wᵀ) σ(h), h = tanh(x Wᵀ + b)
    w, b = ndgrad.tensor(WB, requires_grad=True), ndgrad.tensor(BB, requires_grad=True)
    h = (ndgrad.tensor(XB) @ w.T + b).tanh()
    tangent = (1 - h * h) * (ndgrad.tensor(TB) @ w.T) * h.sigmoid()
    expected = [g.numpy() for g in ndgrad.autograd.grad((tangent**2).sum(), (w, b))]
    assert_close(got, expected, rtol=1e-12)
    if torch is not None:
        assert_close(got, _tangent_loss_grads(torch), rtol=1e-12)


# --- dual levels and the transforms -----------------------------------------------------------


def _in_level(lib: Any, fn: Callable[[Any, Any], Any]) -> Any:
    fw = lib.autograd.forward_ad
    with fw.dual_level():
        return fn(lib, fw)


def _square_sum(a: Any) -> Any:
    return (a * a).sum()


def _linearize_call(lib: Any, tangent: Any) -> Any:
    return lib.func.linearize(lambda a: a.sin(), lib.tensor(U))[1](tangent)


LEVEL_ERRORS = {
    "dual_tangent": (
        lambda lib: _in_level(
            lib, lambda lib, fw: fw.make_dual(_u(lib), fw.make_dual(_w(lib), _w(lib)))
        ),
        "Setting a forward grad that itself has a forward gradient at the same level0 is not "
        "supported.",
    ),
    "func.jvp_in_level": (
        lambda lib: _in_level(
            lib, lambda lib, fw: lib.func.jvp(_square_sum, (_u(lib),), (_w(lib),))
        ),
        "Nested forward mode AD is not supported at the moment",
    ),
    "func.jacfwd_in_level": (
        lambda lib: _in_level(lib, lambda lib, fw: lib.func.jacfwd(_square_sum)(_u(lib))),
        "Nested forward mode AD is not supported at the moment",
    ),
    "func.hessian_in_level": (
        lambda lib: _in_level(lib, lambda lib, fw: lib.func.hessian(_square_sum)(_u(lib))),
        "Nested forward mode AD is not supported at the moment",
    ),
    "func.linearize_in_level": (
        lambda lib: _in_level(lib, lambda lib, fw: lib.func.linearize(_square_sum, _u(lib))),
        "Nested forward mode AD is not supported at the moment",
    ),
    "func.jvp_number_output": (
        lambda lib: lib.func.jvp(lambda a: 3.0, (_u(lib),), (_w(lib),)),
        "jvp(f, primals, tangents): expected f(*primals) to return only tensors, got "
        "unsupported type <class 'float'>",
    ),
    "func.linearize_tangent_shape": (
        lambda lib: _linearize_call(lib, lib.tensor([1.0])),
        "tangent:0 with shape torch.Size([1]) in flattened pytree doesn't match the shape "
        "torch.Size([2]) of the corresponding primal.",
    ),
    "func.linearize_tangent_dtype": (
        lambda lib: _linearize_call(lib, lib.tensor(W2, dtype=lib.float32)),
        "tangent:0 with dtype torch.float32 in flattened pytree doesn't match the dtype "
        "torch.float64 of the corresponding primal.",
    ),
}


@pytest.mark.parametrize("name", sorted(LEVEL_ERRORS))
def test_level_errors(name: str) -> None:
    fn, message = LEVEL_ERRORS[name]
    for lib in [ndgrad] if torch is None else [ndgrad, torch]:
        with pytest.raises(RuntimeError) as info:
            fn(lib)
        assert str(info.value) == message, lib.__name__


def test_no_tangents_under_inference_mode() -> None:
    # PyTorch's forward AD is off under inference_mode: no tangent is read, made or propagated.
    for lib in [ndgrad] if torch is None else [ndgrad, torch]:
        fw = lib.autograd.forward_ad
        with fw.dual_level():
            d = fw.make_dual(_u(lib), _w(lib))
            with lib.inference_mode():
                y = d * 3
                assert fw.unpack_dual(d).tangent is None
                assert fw.unpack_dual(fw.make_dual(_u(lib), _w(lib))).tangent is None
            assert fw.unpack_dual(y).tangent is None
            assert_close(fw.unpack_dual(d).tangent, W2)


def test_requires_grad_of_a_non_leaf() -> None:
    # A dual made from a tensor that requires grad is a non-leaf: requires_grad_() is a no-op
    # there, as for any non-leaf; the attribute refuses True with a shorter message.
    for lib in [ndgrad] if torch is None else [ndgrad, torch]:
        fw = lib.autograd.forward_ad
        with fw.dual_level():
            d = fw.make_dual(lib.tensor(U, requires_grad=True), _w(lib))
            assert d.requires_grad_() is d and d.requires_grad
        y = lib.tensor(U, requires_grad=True) * 2
        assert y.requires_grad_(True) is y
        with pytest.raises(RuntimeError) as info:
            y.requires_grad = True
        assert str(info.value) == "you can only change requires_grad flags of leaf variables."
        with pytest.raises(RuntimeError, match=r"var_no_grad = var.detach\(\)\.$"):
            y.requires_grad_(False)


def _fill_with_dual(lib: Any, x: Any, y: Any) -> Any:
    z = x.clone()
    z[0].fill_(y[1])
    return z


def _views_taken_before(lib: Any, y: Any) -> Any:
    z = lib.zeros(2, 4, dtype=lib.float64)
    a, b = z[0], z[:, 1]  # taken while z has no tangent
    z.mul_(y)
    return a, b


LATE = {
    # fill_ with a 0-d dual value: its tangent fills the tangent (was read with .item())
    "fill_with_dual_value": (_fill_with_dual, [(X, TX), (Y, TY)], [_row(TX, 0, TY[1])]),
    "fill_with_dual_value_into_plain": (
        _fill_with_dual,
        [(X, None), (Y, TY)],
        [_row(np.zeros((3, 4)), 0, TY[1])],
    ),
    # views taken before their base got a tangent read their part of it
    "views_taken_before": (
        _views_taken_before,
        [(Y, TY)],
        [np.zeros(4), np.zeros(2)],
    ),
}


@pytest.mark.parametrize("name", sorted(LATE))
def test_late_tangents(name: str) -> None:
    fn, pairs, expected = LATE[name]
    _check(fn, pairs, expected)


def test_view_taken_before_sees_the_base_write() -> None:
    fw = ndgrad.autograd.forward_ad
    with fw.dual_level():
        z = ndgrad.ones(2, 4, dtype=ndgrad.float64)
        row = z[1]
        z.mul_(fw.make_dual(ndgrad.tensor(Y), ndgrad.tensor(TY)))
        assert_close(fw.unpack_dual(row).tangent, TY)
        assert fw.unpack_dual(fw.unpack_dual(z).primal).tangent is None


def test_resize_of_a_dual_is_refused() -> None:
    for lib in [ndgrad] if torch is None else [ndgrad, torch]:
        fw = lib.autograd.forward_ad
        with fw.dual_level():
            d = fw.make_dual(_u(lib), _w(lib)).clone()
            with pytest.raises(RuntimeError) as info:
                d.resize_(4)
            assert str(info.value) == "cannot resize variables that has a forward grad"


def test_xlogy_tangent_where_other_is_not_positive() -> None:
    # d xlogy(x, y) = log(y) dx (0 where x = 0 and y <= 0) + x/y dy: log(-1) is nan. The
    # fallback gave 0 there (it differentiates the backward at a zero cotangent, masked).
    xv = np.array([1.0, -1.0, 0.0, 2.0])
    yv = np.array([0.5, -1.0, 0.0, 2.0])
    ones = np.ones(4)
    with np.errstate(all="ignore"):
        dx = np.where((xv == 0) & (yv <= 0), 0.0, np.log(yv))
    _check(lambda lib, x: lib.xlogy(x, lib.tensor(yv)), [(xv, ones)], [dx])
    _check(
        lambda lib, x: lib.nn.functional.kl_div(lib.tensor(xv), x, reduction="none"),
        [(yv, ones)],
        [np.array([np.log(0.5) + 1 - 1.0, np.nan, np.nan, np.log(2.0) + 1 - 2.0])],
    )


# --- random chains of ops, views and in-place writes on duals --------------------------------

CHAIN_STEPS = [
    lambda lib, z: z.sin(),
    lambda lib, z: z * z,
    lambda lib, z: z.t(),
    lambda lib, z: z[:, 1:] if z.shape[1] > 1 else z,
    lambda lib, z: z.sum(1, keepdim=True) * z,
    lambda lib, z: z.clone().mul_(1.5),
    lambda lib, z: _chain_write(z, lambda c: c[0].add_(c[-1])),
    lambda lib, z: _chain_write(z, lambda c: c.__setitem__((0, 0), c[-1, -1] * 2)),
    lambda lib, z: _chain_write(z, lambda c: c.t()[0].sub_(c.t()[-1].detach())),
    lambda lib, z: _chain_write(z, lambda c: c[0].zero_()),
    lambda lib, z: _chain_write(z, lambda c: c[-1].copy_(c[0] * 3)),
    lambda lib, z: z @ z.t() @ z,
    lambda lib, z: z.cumsum(0),
    lambda lib, z: z[[0, -1, 0]],
]


def _chain_write(z: Any, write: Callable[[Any], Any]) -> Any:
    c = z.clone()
    write(c)
    return c


def _chain(lib: Any, steps: list[int], x: np.ndarray, t: np.ndarray) -> Any:
    fw = lib.autograd.forward_ad
    with fw.dual_level():
        z = fw.make_dual(lib.tensor(x), lib.tensor(t))
        for k in steps:
            z = CHAIN_STEPS[k](lib, z)
        primal, tangent = fw.unpack_dual(z)
        return primal.detach().numpy(), tangent.detach().numpy()


@requires_torch
def test_random_chains() -> None:
    rng = np.random.default_rng(7)
    for _ in range(60):
        steps = [int(k) for k in rng.integers(0, len(CHAIN_STEPS), size=rng.integers(1, 5))]
        x, t = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
        got, ref = _chain(ndgrad, steps, x, t), _chain(torch, steps, x, t)
        assert_close(got, ref, rtol=1e-10, atol=1e-12)
