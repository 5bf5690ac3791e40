"""What a differential run of autograd.functional and torch.func against torch 2.13 found.

The first part states each fixed fact with PyTorch's values and messages as fixed expectations
(no torch needed); the second part compares ndgrad with torch over a small grid.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import functional as AF
from ndgrad.autograd.gradcheck import gradcheck, gradgradcheck

from .helpers import requires_torch, torch

pytestmark = pytest.mark.filterwarnings(
    "ignore:`torch.jit.script` is deprecated:DeprecationWarning"
)

RNG = np.random.default_rng(2013)
X3 = RNG.standard_normal(3)
Y23 = RNG.standard_normal((2, 3))


def t64(a: Any, requires_grad: bool = False) -> ndgrad.Tensor:
    return ndgrad.tensor(np.array(a, dtype=np.float64), requires_grad=requires_grad)


def node(x: Any) -> str | None:
    return None if x.grad_fn is None else type(x.grad_fn).__name__


# --- autograd.functional --------------------------------------------------------------------


def test_forward_mode_jacobian_keeps_the_graph_of_an_input_that_requires_grad() -> None:
    x = t64(X3, requires_grad=True)
    J = AF.jacobian(ndgrad.sin, x, vectorize=True, strategy="forward-mode")
    assert J.requires_grad and node(J) == "ReshapeAliasBackward0"
    np.testing.assert_allclose(J.detach().numpy(), np.diag(np.cos(X3)), rtol=1e-13)
    # without an input that requires grad, nothing to keep
    J0 = AF.jacobian(ndgrad.sin, t64(X3), vectorize=True, strategy="forward-mode")
    assert not J0.requires_grad


def test_forward_mode_jacobian_is_differentiable_in_its_input() -> None:
    def f(x: ndgrad.Tensor) -> ndgrad.Tensor:
        return AF.jacobian(lambda v: v.sin() * v.sum(), x, vectorize=True, strategy="forward-mode")

    assert gradcheck(f, (t64(X3, requires_grad=True),))


def test_forward_over_reverse_hessian_blocks_require_grad_as_pytorchs() -> None:
    x, y = t64(X3), t64(Y23)

    def f(a: ndgrad.Tensor, b: ndgrad.Tensor) -> ndgrad.Tensor:
        return (a.sin() ** 2).sum() * b.sin().sum()

    H = AF.hessian(f, (x, y), vectorize=True, outer_jacobian_strategy="forward-mode")
    assert isinstance(H, list) and isinstance(H[0], list)
    # the blocks stay connected to the inner graph of the dual inputs, as torch 2.13's
    assert [[node(b) for b in row] for row in H] == [
        ["ReshapeAliasBackward0", "ReshapeAliasBackward0"],
        ["ReshapeAliasBackward0", "ReshapeAliasBackward0"],
    ]
    assert not x.requires_grad and not y.requires_grad and x.grad is None
    ref = AF.hessian(f, (x, y))
    for row, ref_row in zip(H, ref, strict=True):
        for got, want in zip(row, ref_row, strict=True):
            np.testing.assert_allclose(got.detach().numpy(), want.numpy(), rtol=1e-12)


def test_forward_mode_jacobian_names_the_outputs_as_pytorch() -> None:
    x = t64(X3)
    for out, kind in ((3.0, "float"), ([x], "list")):
        with pytest.raises(TypeError) as e:
            AF.jacobian(lambda v, o=out: o, x, vectorize=True, strategy="forward-mode")
        assert str(e.value) == (
            "The outputs given to None must be either a Tensor or a tuple of Tensors but the "
            f"given outputs has type <class '{kind}'>."
        )


def test_vectorized_jacobian_blocks_share_one_batched_pass() -> None:
    x, y = t64(X3), t64(X3 + 1)

    def f(a: ndgrad.Tensor, b: ndgrad.Tensor) -> ndgrad.Tensor:
        return ndgrad.where(a > 0, a.relu() * a, a.exp()).sum() + (b * b).mean()

    H = AF.hessian(f, (x, y), create_graph=True, vectorize=True)
    # d²f/dy dx is zero but comes out of the pass that also carries d²f/dy², as PyTorch's
    assert [[node(b) for b in row] for row in H] == [
        ["ViewBackward0", None],
        ["ViewBackward0", None],
    ]
    np.testing.assert_array_equal(H[1][0].detach().numpy(), np.zeros((3, 3)))


@pytest.mark.parametrize("fn", ["hessian", "hvp", "vhp"])
def test_strict_output_check_comes_before_the_single_element_check(fn: str) -> None:
    x = t64(X3)
    args = (x,) if fn == "hessian" else (x, t64(X3))
    with pytest.raises(RuntimeError) as e:
        getattr(AF, fn)(lambda v: ndgrad.ones(2, dtype=v.dtype), *args, strict=True)
    assert str(e.value) == (
        "Output 0 of the user-provided function does not require gradients. The outputs must "
        "be computed in a differentiable manner from the input when running in strict mode."
    )


def test_hessian_checks_its_outer_strategy_itself() -> None:
    with pytest.raises(AssertionError) as e:
        AF.hessian(lambda v: v.sum(), t64(X3), outer_jacobian_strategy="sideways")
    assert str(e.value) == 'Expected strategy to be either "forward-mode" or "reverse-mode".'


def test_jvp_of_an_integer_output_fails_as_pytorchs() -> None:
    with pytest.raises(RuntimeError) as e:
        AF.jvp(lambda v: (v > 0).long(), t64(X3), t64(X3))
    assert str(e.value) == "Only Tensors of floating point and complex dtype can require gradients"


# --- the double-backward nodes the functional API returns with create_graph=True -------------


def test_jvp_create_graph_nodes_as_pytorchs() -> None:
    x, v = t64(X3), t64(X3 + 0.5)
    _, jv = AF.jvp(lambda a: (a.tanh(), (a**2).sum()), x, v, create_graph=True)
    assert [node(j) for j in jv] == ["TanhBackwardBackward0", "SumBackward0"]
    np.testing.assert_allclose(jv[0].detach().numpy(), (1 - np.tanh(X3) ** 2) * (X3 + 0.5))
    np.testing.assert_allclose(jv[1].detach().numpy(), np.sum(2 * X3 * (X3 + 0.5)))


@pytest.mark.parametrize(
    ("reduce", "expected"),
    [
        (lambda a: a.sum(), "SumBackward0"),
        (lambda a: a.mean(), "SumBackward0"),
        (lambda a: a.sum(0), "SqueezeBackward1"),
        (lambda a: a.sum(0, keepdim=True), "SumBackward1"),
    ],
)
def test_sum_backward_differentiated_in_its_gradient(reduce: Any, expected: str) -> None:
    x = t64(Y23, requires_grad=True)
    y = reduce(x)
    u = ndgrad.zeros_like(y, requires_grad=True)
    (g,) = ndgrad.autograd.grad(y, x, u, create_graph=True)
    (h,) = ndgrad.autograd.grad(g, u, ndgrad.ones_like(g).requires_grad_(), create_graph=True)
    assert node(h) == expected

    def f(a: ndgrad.Tensor) -> ndgrad.Tensor:  # the rebuilt backward, differentiated twice
        r = reduce(a)
        return (r * r).sum() + (r * a.sin().sum()).sum()

    assert gradgradcheck(f, (t64(Y23, requires_grad=True),))


def test_reduction_to_a_0d_shape_is_a_full_sum() -> None:
    x, s = t64(Y23, requires_grad=True), t64(2.0, requires_grad=True)
    (gs,) = ndgrad.autograd.grad((x * s).sum(), s, create_graph=True)
    assert node(gs) == "SumBackward0"
    assert node(t64(2.0, requires_grad=True).sum_to_size(())) == "SumBackward0"


@pytest.mark.parametrize("op", ["tanh", "sigmoid"])
def test_tanh_sigmoid_backward_of_backward(op: str) -> None:
    x = t64(X3, requires_grad=True)
    u = t64(X3 * 0.3 + 1, requires_grad=True)
    (g,) = ndgrad.autograd.grad(getattr(x, op)(), x, u, create_graph=True)
    (h,) = ndgrad.autograd.grad(g, u, ndgrad.ones_like(u).requires_grad_(), create_graph=True)
    assert node(h) == f"{op.capitalize()}BackwardBackward0"
    assert gradgradcheck(lambda a: getattr(a, op)(), (t64(X3, requires_grad=True),))
    assert gradcheck(
        lambda a, b: ndgrad.autograd.grad(getattr(a, op)(), a, b, create_graph=True)[0],
        (t64(X3, requires_grad=True), t64(X3 + 1, requires_grad=True)),
    )


# --- torch.func ---------------------------------------------------------------------------


def _aux_int(x: ndgrad.Tensor) -> Any:
    return (x**2).sum(), {"aux": x.cos(), "n": 3}


@pytest.mark.parametrize("api", ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd"])
def test_aux_leaves_must_be_tensors(api: str) -> None:
    x = t64(X3)
    F = ndgrad.func
    calls = {
        "grad": lambda: F.grad(_aux_int, has_aux=True)(x),
        "grad_and_value": lambda: F.grad_and_value(_aux_int, has_aux=True)(x),
        "vjp": lambda: F.vjp(_aux_int, x, has_aux=True),
        "jvp": lambda: F.jvp(_aux_int, (x,), (x,), has_aux=True),
        "jacrev": lambda: F.jacrev(_aux_int, has_aux=True)(x),
        "jacfwd": lambda: F.jacfwd(_aux_int, has_aux=True)(x),
    }
    with pytest.raises(RuntimeError) as e:
        calls[api]()
    assert str(e.value) == "Expected tensors, got unsupported type <class 'int'>"
    with pytest.raises(RuntimeError, match="unsupported type <class 'NoneType'>"):
        F.grad(lambda v: ((v**2).sum(), (v, None)), has_aux=True)(x)


def test_jacfwd_names_jvp_in_its_errors() -> None:
    x = t64(X3)
    with pytest.raises(RuntimeError) as e:
        ndgrad.func.jacfwd(lambda v: v.sin(), has_aux=True)(x)
    assert str(e.value) == (
        "jvp(f, primals, tangents): output of function f should be a tuple: (output, aux) if "
        "has_aux is True"
    )
    with pytest.raises(RuntimeError) as e:
        ndgrad.func.jacfwd(lambda v: 3.0)(x)
    assert str(e.value) == (
        "jvp(f, primals, tangents): expected f(*primals) to return only tensors, got "
        "unsupported type <class 'float'>"
    )


def test_chunked_vmap_concatenates_the_chunks() -> None:
    x = t64(RNG.standard_normal((5, 3)), requires_grad=True)
    out = ndgrad.func.vmap(lambda a: a.sin() * 2, chunk_size=2)(x)
    assert node(out) == "CatBackward0"
    np.testing.assert_allclose(out.detach().numpy(), np.sin(x.detach().numpy()) * 2)
    out1 = ndgrad.func.vmap(lambda a: a.sin(), out_dims=1, chunk_size=9)(x)
    assert node(out1) == "CatBackward0" and tuple(out1.shape) == (3, 5)
    assert node(ndgrad.func.vmap(lambda a: a.sin())(x)) == "StackBackward0"
    with pytest.raises(AssertionError) as e:
        ndgrad.func.vmap(lambda a: a.sin(), out_dims=(0,), chunk_size=2)(x)
    assert str(e.value) == "flat_out_dims must not be None"
    c = t64(X3)
    with pytest.raises(TypeError) as e2:
        ndgrad.func.vmap(lambda a: c * 2, out_dims=None, chunk_size=2)(x)
    assert str(e2.value) == "cat(): argument 'dim' must be int, not NoneType"
    with pytest.raises(TypeError) as e2:
        ndgrad.func.vmap(lambda a: 3.0, out_dims=None, chunk_size=2)(x)
    assert str(e2.value) == "expected Tensor as element 0 in argument 0, but got float"


# --- parity with torch ------------------------------------------------------------------------


def _norm(x: Any) -> Any:
    """Structure, shapes, dtypes, requires_grad, node names and values of a result."""
    if isinstance(x, tuple | list):
        return (type(x).__name__, [_norm(v) for v in x])
    if isinstance(x, dict):
        return ("dict", [(k, _norm(v)) for k, v in x.items()])
    if hasattr(x, "grad_fn") and hasattr(x, "shape"):
        return (
            tuple(x.shape),
            str(x.dtype).split(".")[-1],
            bool(x.requires_grad),
            node(x),
            np.round(x.detach().numpy().astype(np.float64), 9).tolist(),
        )
    return repr(x)


def _outcome(fn: Any) -> Any:
    try:
        return ("ok", _norm(fn()))
    except Exception as e:  # both libraries' errors are compared
        return ("error", type(e).__name__, str(e))


def _f_pair(lib: Any) -> Any:
    def f(a: Any, b: Any) -> Any:
        return lib.where(a > 0, a.relu() * a, a.exp()).sum() * b.sum() + (b.tanh() ** 2).sum()

    return f


@requires_torch
@pytest.mark.parametrize("vectorize", [False, True])
@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("outer", ["reverse-mode", "forward-mode"])
@pytest.mark.parametrize("in_rg", [False, True])
def test_hessian_parity(vectorize: bool, create_graph: bool, outer: str, in_rg: bool) -> None:
    def run(lib: Any) -> Any:
        x = lib.tensor(X3, requires_grad=in_rg)
        y = lib.tensor(Y23, requires_grad=in_rg)
        return lib.autograd.functional.hessian(
            _f_pair(lib),
            (x, y),
            create_graph=create_graph,
            vectorize=vectorize,
            outer_jacobian_strategy=outer,
        ), [x.requires_grad, y.requires_grad]

    assert _outcome(lambda: run(ndgrad)) == _outcome(lambda: run(torch))


@requires_torch
@pytest.mark.parametrize("strategy", ["reverse-mode", "forward-mode"])
@pytest.mark.parametrize("vectorize", [False, True])
@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("kind", ["tuple", "mixed", "const", "float", "list"])
def test_jacobian_parity(strategy: str, vectorize: bool, strict: bool, kind: str) -> None:
    def run(lib: Any) -> Any:
        x = lib.tensor(X3, requires_grad=True)
        y = lib.tensor(X3 * 2)

        def f(a: Any, b: Any) -> Any:
            if kind == "tuple":
                return a.sin() * b.sum(), (b * 2).sum()
            if kind == "mixed":
                return lib.stack([a.sin().sum(), b.exp().sum()])
            if kind == "const":
                return lib.ones(2, dtype=a.dtype)
            return 3.0 if kind == "float" else [a]

        return lib.autograd.functional.jacobian(
            f, (x, y), strict=strict, vectorize=vectorize, strategy=strategy
        )

    assert _outcome(lambda: run(ndgrad)) == _outcome(lambda: run(torch))


@requires_torch
@pytest.mark.parametrize("fn", ["vjp", "jvp", "hvp", "vhp"])
@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("kind", ["scalar", "const2", "int", "const"])
def test_products_parity(fn: str, strict: bool, kind: str) -> None:
    def run(lib: Any) -> Any:
        x = lib.tensor(X3)

        def f(a: Any) -> Any:
            if kind == "scalar":
                return (a.sin() * a).sum()
            if kind == "const2":
                return lib.ones(2, dtype=a.dtype)
            if kind == "int":
                return (a > 0).long().sum()
            return lib.ones((), dtype=a.dtype)

        v = lib.tensor(1.0, dtype=lib.float64) if fn == "vjp" else lib.tensor(X3 + 1)
        return getattr(lib.autograd.functional, fn)(f, x, v, strict=strict)

    assert _outcome(lambda: run(ndgrad)) == _outcome(lambda: run(torch))


@requires_torch
@pytest.mark.parametrize("api", ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd"])
@pytest.mark.parametrize("aux", ["int", "none", "tensors", "nontuple"])
def test_func_aux_parity(api: str, aux: str) -> None:
    def run(lib: Any) -> Any:
        x = lib.tensor(X3)

        def f(a: Any) -> Any:
            out = (a**2).sum()
            if aux == "nontuple":
                return out
            extra = {"int": 3, "none": None, "tensors": [a.cos(), (a,)]}[aux]
            return out, {"x": a.sin(), "e": extra}

        F = lib.func
        if api in ("grad", "grad_and_value", "jacrev", "jacfwd"):
            return getattr(F, api)(f, has_aux=True)(x)
        if api == "vjp":
            r = F.vjp(f, x, has_aux=True)
            return r[0], r[1](lib.tensor(1.0, dtype=lib.float64)), r[2]
        return F.jvp(f, (x,), (lib.ones_like(x),), has_aux=True)

    assert _outcome(lambda: run(ndgrad)) == _outcome(lambda: run(torch))


@requires_torch
@pytest.mark.parametrize("chunk_size", [None, 1, 2, 7])
@pytest.mark.parametrize("out_dims", [0, 1, None, (0,), (0, 0)])
@pytest.mark.parametrize("returns", ["tensor", "tuple", "const"])
def test_vmap_chunk_parity(chunk_size: Any, out_dims: Any, returns: str) -> None:
    if returns == "const" and out_dims == 1:
        # torch 2.13 expands an unbatched output to the batch without unsqueezing it first
        # (an error here, a wrong layout when the sizes happen to match); ndgrad stacks it
        return

    def run(lib: Any) -> Any:
        x = lib.tensor(RNG_FIXED, requires_grad=True)
        c = lib.tensor(X3)

        def g(a: Any) -> Any:
            if returns == "tuple":
                return a.sin(), a.sum()
            return c * 2 if returns == "const" else a.exp()

        out = lib.func.vmap(g, out_dims=out_dims, chunk_size=chunk_size)(x)
        if chunk_size is None:  # the loop's stack is not PyTorch's batched kernels: values only
            return tuple(t.detach() for t in out) if isinstance(out, tuple) else out.detach()
        return out

    assert _outcome(lambda: run(ndgrad)) == _outcome(lambda: run(torch))


RNG_FIXED = np.random.default_rng(7).standard_normal((5, 3))
