"""ndgrad.func (torch.func): grad, vjp, jvp, jacrev, jacfwd, hessian, vmap, functional_call.

Values against hand-computed results (no torch needed), then parity with torch.func over the same
functions written once for both libraries (``lib`` is ndgrad or torch), and PyTorch's errors.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad import func as nf

from .helpers import assert_close, assert_zero_signs, requires_torch, torch

# torch.func's first jacfwd/hessian call scripts a helper, which warns on this torch version
pytestmark = pytest.mark.filterwarnings(
    "ignore:`torch.jit.script` is deprecated:DeprecationWarning"
)

RNG = np.random.default_rng(11)
A0 = RNG.standard_normal((3, 3))
W0 = RNG.standard_normal((4, 3))
X0 = RNG.standard_normal(3)
B0 = RNG.standard_normal((5, 3))
Y0 = RNG.standard_normal(5)


def t(a: Any, requires_grad: bool = False) -> ndgrad.Tensor:
    return ndgrad.tensor(np.array(a, dtype=np.float64), requires_grad=requires_grad)


def on(lib: Any, a: Any) -> Any:
    return lib.tensor(np.array(a, dtype=np.float64))


def close(actual: Any, expected: Any, signs: bool = True) -> None:
    """Nested tuples/lists/dicts of tensors are equal to rtol 1e-7 / atol 1e-9, shapes and dtypes
    too, and (against torch, unless ``signs=False``) the signs of their zeros."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and list(actual) == list(expected)
        for k in expected:
            close(actual[k], expected[k], signs)
        return
    if isinstance(expected, tuple | list):
        assert type(actual) is type(expected) and len(actual) == len(expected)
        for a, e in zip(actual, expected, strict=True):
            close(a, e, signs)
        return
    if not isinstance(expected, ndgrad.Tensor) and not (
        torch is not None and isinstance(expected, torch.Tensor)
    ):
        assert actual == expected
        return
    assert tuple(actual.shape) == tuple(expected.shape)
    assert str(actual.dtype).split(".")[-1] == str(expected.dtype).split(".")[-1]
    assert_close(actual, expected)
    if signs and torch is not None and isinstance(expected, torch.Tensor):
        assert_zero_signs(actual, expected)  # PyTorch's -0. and 0. where it prints them


# --- values --------------------------------------------------------------------------------


def test_grad_of_a_cubic_and_its_value() -> None:
    x = t([1.0, 2.0, -3.0])
    close(nf.grad(lambda x: (x**3).sum())(x), t([3.0, 12.0, 27.0]))
    g, v = nf.grad_and_value(lambda x: (x**3).sum())(x)
    close(g, t([3.0, 12.0, 27.0]))
    close(v, t(-18.0))
    assert not g.requires_grad and not v.requires_grad and g.grad_fn is None


def test_grad_argnums_and_has_aux() -> None:
    x, y = t([1.0, 2.0]), t([3.0, 4.0])

    def f(x: Any, y: Any) -> Any:
        return (x * y).sum(), x + y

    gx, aux = nf.grad(f, has_aux=True)(x, y)
    close(gx, y)
    close(aux, t([4.0, 6.0]))
    (gx, gy), aux = nf.grad(f, argnums=(0, 1), has_aux=True)(x, y)
    close((gx, gy), (y, x))
    close(nf.grad(lambda x, y: (x * y).sum(), argnums=-1)(x, y), x)
    g, (v, aux) = nf.grad_and_value(f, argnums=1, has_aux=True)(x, y)
    close((g, v, aux), (x, t(11.0), t([4.0, 6.0])))


def test_grad_of_pytrees() -> None:
    params = {"w": t([1.0, 2.0]), "b": (t(3.0), [t([1.0, -1.0])])}

    def f(p: Any) -> Any:
        return (p["w"] ** 2).sum() * p["b"][0] + (p["b"][1][0] * 5).sum()

    g = nf.grad(f)(params)
    close(g, {"w": t([6.0, 12.0]), "b": (t(5.0), [t([5.0, 5.0])])})


def test_grad_of_grad_is_the_second_derivative() -> None:
    x = t(0.7)
    close(nf.grad(nf.grad(ndgrad.sin))(x), -ndgrad.sin(x))
    close(nf.grad(nf.grad(nf.grad(lambda x: x**4)))(x), 24 * x)
    # mixed partials of x²y³
    f = nf.grad(nf.grad(lambda x, y: x**2 * y**3, argnums=0), argnums=1)
    close(f(t(2.0), t(3.0)), t(2 * 2.0 * 3 * 3.0**2))


def test_grad_of_a_function_that_ignores_its_input_is_zero() -> None:
    close(nf.grad(lambda x: ndgrad.tensor(1.0, dtype=ndgrad.float64))(t([1.0, 2.0])), t([0.0, 0.0]))


def test_results_stay_differentiable_for_the_users_autograd() -> None:
    x = t([1.0, 2.0], requires_grad=True)
    g = nf.grad(lambda x: (x**3).sum())(x)
    assert g.requires_grad
    (gg,) = ndgrad.autograd.grad(g.sum(), x)
    close(gg, 6 * x.detach())
    w = t([2.0, 5.0], requires_grad=True)  # closed over, not an argument
    g = nf.grad(lambda x: (x * w).sum())(t([1.0, 1.0]))
    assert g.requires_grad
    g.sum().backward()
    close(w.grad, t([1.0, 1.0]))


def test_grad_under_no_grad_still_differentiates() -> None:
    with ndgrad.no_grad():
        close(nf.grad(lambda x: (x**2).sum())(t([1.0, 2.0])), t([2.0, 4.0]))


def test_vjp_and_jvp() -> None:
    x, y = t([1.0, 2.0]), t([3.0, 4.0])
    out, fn = nf.vjp(lambda x, y: (x * y, x.exp()), x, y)
    close(out, (x * y, x.exp()))
    close(fn((t([1.0, 1.0]), t([0.0, 2.0]))), (y + t([0.0, 2.0]) * x.exp(), x))
    out, fn, aux = nf.vjp(lambda x: (x**2, {"aux": x * 3}), x, has_aux=True)
    close(aux, {"aux": x * 3})
    close(fn(t([1.0, 1.0])), (2 * x,))
    with pytest.raises(RuntimeError, match="Expected tensors, got unsupported type <class 'str'>"):
        nf.vjp(lambda x: (x**2, "aux"), x, has_aux=True)  # PyTorch's aux holds tensors only
    out, tan = nf.jvp(lambda x, y: x * y, (x, y), (t([1.0, 0.0]), t([0.0, 1.0])))
    close((out, tan), (x * y, t([3.0, 2.0])))
    out, tan, aux = nf.jvp(lambda x: (x.sin(), x), (x,), (t([1.0, 1.0]),), has_aux=True)
    close((out, tan, aux), (x.sin(), x.cos(), x))
    out, fn = nf.linearize(lambda x: x**3, x)
    close((out, fn(t([1.0, 1.0]))), (x**3, 3 * x**2))


def test_jacobians_and_hessian() -> None:
    a, x = t(A0), t(X0)
    close(nf.jacrev(lambda x: a @ x)(x), a)
    close(nf.jacfwd(lambda x: a @ x)(x), a)
    hess = nf.hessian(lambda x: x @ a @ x)(x)
    close(hess, a + a.T)
    close(nf.jacrev(nf.jacrev(lambda x: x @ a @ x))(x), a + a.T)
    jx, jy = nf.jacrev(lambda x, y: x * y, argnums=(0, 1))(x, 2 * x)
    close((jx, jy), (ndgrad.diag(2 * x), ndgrad.diag(x)))
    j = nf.jacrev(lambda m: (m.sum(0), m.sum()))(t(np.ones((2, 3))))
    close(j, (t(np.eye(3)[:, None, :].repeat(2, 1)), t(np.ones((2, 3)))))
    j, aux = nf.jacrev(lambda x: (x**2, x.sum()), has_aux=True)(x)
    close((j, aux), (ndgrad.diag(2 * x), x.sum()))


def test_vmap_in_dims_and_out_dims() -> None:
    b, y = t(B0), t(Y0)
    close(nf.vmap(lambda r: r.sum())(b), b.sum(1))
    close(nf.vmap(lambda c: c * 2, in_dims=1)(b), (b * 2).T)
    close(nf.vmap(lambda r, s: r * s, in_dims=(0, 0))(b, y), b * y[:, None])
    close(nf.vmap(lambda r, w: r @ w, in_dims=(0, None))(b, t(X0)), b @ t(X0))
    close(nf.vmap(lambda r: r + 1, out_dims=1)(b), (b + 1).T)
    s, m = nf.vmap(lambda r: (r.sum(), r.max()), out_dims=(0, 0))(b)
    close((s, m), (b.sum(1), b.max(1).values))
    close(nf.vmap(lambda r, k: r * k, in_dims=(0, None))(b, 3.0), b * 3)
    close(
        nf.vmap(lambda d: d["a"] + d["b"][0], in_dims=({"a": 0, "b": (1,)},))(
            {"a": b, "b": (b.T,)}
        ),
        2 * b,
    )
    out = nf.vmap(lambda r: (r, t(1.0)), out_dims=(0, None))(b)
    close(out, (b, t(1.0)))
    close(nf.vmap(lambda r, *, scale: r * scale)(b, scale=2.0), 2 * b)


def test_nested_vmap_is_an_outer_product() -> None:
    u, v = t([1.0, 2.0, 3.0]), t([4.0, 5.0])
    outer = nf.vmap(nf.vmap(lambda a, b: a * b, in_dims=(None, 0)), in_dims=(0, None))(u, v)
    close(outer, u[:, None] * v[None, :])


def _loss(p: Any, x: Any, y: Any) -> Any:
    return ((x @ p["w"] + p["b"] - y) ** 2).mean()


def test_per_sample_gradients_match_a_loop_of_autograd_grad() -> None:
    params = {"w": t(W0[:3, :2], requires_grad=True), "b": t([0.5, -0.5], requires_grad=True)}
    x, y = t(RNG.standard_normal((6, 3))), t(RNG.standard_normal((6, 2)))
    per = nf.vmap(nf.grad(_loss), in_dims=(None, 0, 0))(params, x, y)
    for i in range(6):
        gw, gb = ndgrad.autograd.grad(_loss(params, x[i], y[i]), (params["w"], params["b"]))
        close(per["w"][i], gw)
        close(per["b"][i], gb)


def test_grad_of_vmap() -> None:
    x = t([1.0, 2.0, 3.0])
    close(nf.grad(lambda x: nf.vmap(lambda e: e**3)(x).sum())(x), 3 * x**2)


def test_functional_call_swaps_and_restores() -> None:
    ndgrad.manual_seed(0)
    model = ndgrad.nn.Linear(3, 2).double()
    w, b = model.weight, model.bias
    new = {"weight": t(W0[:2]), "bias": t([1.0, 2.0])}
    x = t(X0)
    close(nf.functional_call(model, new, (x,)), t(W0[:2]) @ x + t([1.0, 2.0]))
    close(nf.functional_call(model, new, x), t(W0[:2]) @ x + t([1.0, 2.0]))
    assert model.weight is w and model.bias is b
    close(
        nf.functional_call(model, ({"weight": new["weight"]}, {"bias": new["bias"]}), x),
        t(W0[:2]) @ x + t([1.0, 2.0]),
    )

    with pytest.raises(RuntimeError):
        nf.functional_call(model, new, (t([1.0]),))
    assert model.weight is w and model.bias is b  # restored after the error


def test_grad_through_functional_call() -> None:
    model = ndgrad.nn.Sequential(ndgrad.nn.Linear(3, 4), ndgrad.nn.Tanh(), ndgrad.nn.Linear(4, 1))
    model = model.double()
    params = {k: v.detach() for k, v in model.named_parameters()}
    x = t(B0)

    def loss(p: Any) -> Any:
        return nf.functional_call(model, p, (x,)).pow(2).mean()

    g = nf.grad(loss)(params)
    model.zero_grad()
    model(x).pow(2).mean().backward()
    for k, p in model.named_parameters():
        close(g[k], p.grad)


def test_functional_call_strict_and_tied_weights() -> None:
    model = ndgrad.nn.Linear(2, 2)
    with pytest.raises(RuntimeError) as e:
        nf.functional_call(
            model,
            {"weight": ndgrad.ones(2, 2), "x": ndgrad.ones(1)},
            (ndgrad.ones(2),),
            strict=True,
        )
    assert str(e.value) == (
        "Error(s) in reparametrizing for Linear:\n\tUnexpected key(s): 'x'.\n\t"
        "Missing key(s): 'bias'."
    )
    with pytest.raises(ValueError, match="appeared in multiple dictionaries"):
        nf.functional_call(
            model, ({"bias": ndgrad.ones(2)}, {"bias": ndgrad.ones(2)}), ndgrad.ones(2)
        )


def test_stack_module_state() -> None:
    models = [ndgrad.nn.Linear(3, 2) for _ in range(4)]
    params, buffers = nf.stack_module_state(models)
    assert buffers == {}
    assert tuple(params["weight"].shape) == (4, 2, 3)
    assert params["weight"].is_leaf and params["weight"].requires_grad
    x = ndgrad.randn(3)
    out = nf.vmap(lambda p: nf.functional_call(models[0], p, (x,)))(params)
    for i, m in enumerate(models):
        close(out[i], m(x))
    with pytest.raises(RuntimeError, match="Expected at least one model, got 0"):
        nf.stack_module_state([])


def test_vmap_randomness() -> None:
    x = ndgrad.ones(3, 2)
    with pytest.raises(RuntimeError, match="randomness error mode"):
        nf.vmap(lambda r: r + ndgrad.rand(2))(x)
    same = nf.vmap(lambda r: r + ndgrad.rand(2), randomness="same")(x)
    close(same[1], same[0])
    diff = nf.vmap(lambda r: r + ndgrad.rand(2), randomness="different")(x)
    assert not np.array_equal(diff[0].numpy(), diff[1].numpy())
    with pytest.raises(RuntimeError, match="Only allowed values for randomness"):
        nf.vmap(lambda r: r, randomness="sometimes")


# --- parity with torch.func -----------------------------------------------------------------

FUNCS: dict[str, Callable[[Any, Any], Any]] = {
    "elementwise": lambda lib, x: (x.sin() * x.exp() + x**3).sum(),
    "reduction": lambda lib, x: x.logsumexp(0) + x.norm() * x.mean(),
    "matmul": lambda lib, x: (on(lib, W0) @ x).tanh().pow(2).sum(),
    "softmax": lambda lib, x: (lib.softmax(x, 0) * on(lib, X0)).sum(),
    "quadratic": lambda lib, x: x @ on(lib, A0) @ x,
}


def _both(fn: Callable[[Any], Any]) -> tuple[Any, Any]:
    return fn(ndgrad), fn(torch)


@requires_torch
@pytest.mark.parametrize("name", sorted(FUNCS))
def test_grad_and_second_order_match_torch(name: str) -> None:
    f = FUNCS[name]
    for transform in ("grad", "grad_grad_sum", "jacrev_grad", "hessian", "jacrev_jacrev"):

        def run(lib: Any, transform: str = transform) -> Any:
            F = nf if lib is ndgrad else torch.func
            x = on(lib, X0)

            def g(x: Any) -> Any:
                return f(lib, x)

            if transform == "grad":
                return F.grad(g)(x)
            if transform == "grad_grad_sum":
                return F.grad(lambda x: F.grad(g)(x).sum())(x)
            if transform == "jacrev_grad":
                return F.jacrev(F.grad(g))(x)
            if transform == "hessian":
                return F.hessian(g)(x)
            return F.jacrev(F.jacrev(g))(x)

        mine, theirs = _both(run)
        close(mine, theirs)


VECTOR_FUNCS: dict[str, Callable[[Any, Any, Any], Any]] = {
    "elementwise": lambda lib, x, y: x.sin() * y.exp(),
    "broadcast": lambda lib, x, y: (x[:, None] * y[None, :]).sum(1),
    "matmul": lambda lib, x, y: on(lib, W0) @ (x * y),
    "two_outputs": lambda lib, x, y: (x.cumsum(0), (x * y).sum()),
    "dict_output": lambda lib, x, y: {"a": x.exp(), "b": y.reshape(3, 1) * x},
}


@requires_torch
@pytest.mark.parametrize("name", sorted(VECTOR_FUNCS))
@pytest.mark.parametrize("argnums", [0, 1, (0, 1), (1, 0)])
def test_jacobians_match_torch(name: str, argnums: Any) -> None:
    f = VECTOR_FUNCS[name]

    def run(lib: Any) -> Any:
        F = nf if lib is ndgrad else torch.func
        x, y = on(lib, X0), on(lib, 2 * X0[::-1])
        g = lambda x, y: f(lib, x, y)  # noqa: E731
        return F.jacrev(g, argnums)(x, y), F.jacfwd(g, argnums)(x, y)

    mine, theirs = _both(run)
    close(mine[0], theirs[0])
    # ndgrad's jacfwd is reverse mode (column by column): the values are PyTorch's forward-mode
    # ones, the signs of their zeros need not be
    close(mine[1], theirs[1], signs=False)


@requires_torch
@pytest.mark.parametrize("name", sorted(VECTOR_FUNCS))
def test_vjp_and_jvp_match_torch(name: str) -> None:
    f = VECTOR_FUNCS[name]

    def run(lib: Any) -> Any:
        F = nf if lib is ndgrad else torch.func
        x, y = on(lib, X0), on(lib, X0**2)
        out, fn = F.vjp(lambda x, y: f(lib, x, y), x, y)
        cot = (
            type(out)((k, v * 0.5 + 1) for k, v in out.items())
            if isinstance(out, dict)
            else (tuple(o * 0.5 + 1 for o in out) if isinstance(out, tuple) else out * 0.5 + 1)
        )
        primal, tangent = F.jvp(lambda x, y: f(lib, x, y), (x, y), (x.cos(), y + 1))
        return out, fn(cot), primal, tangent

    mine, theirs = _both(run)
    close(mine[:3], theirs[:3])
    close(mine[3], theirs[3], signs=False)  # jvp by double vjp, not forward mode


@requires_torch
def test_jacrev_signs_of_zeros_match_torch() -> None:
    mine = nf.jacrev(lambda x: x.sin())(t(X0))
    theirs = torch.func.jacrev(lambda x: x.sin())(on(torch, X0))
    close(mine, theirs)
    assert_zero_signs(mine, theirs)


@requires_torch
@pytest.mark.parametrize(
    "case",
    ["sum", "in_dims_1", "tuple_out", "out_dims_1", "none_in_dim", "nested", "grad", "jacrev"],
)
def test_vmap_matches_torch(case: str) -> None:
    def run(lib: Any) -> Any:
        F = nf if lib is ndgrad else torch.func
        b, y, x = on(lib, B0), on(lib, Y0), on(lib, X0)
        if case == "sum":
            return F.vmap(lambda r: (r.exp() * r).sum())(b)
        if case == "in_dims_1":
            return F.vmap(lambda c, s: c * s, in_dims=(1, None))(b, y)
        if case == "tuple_out":
            return F.vmap(lambda r, s: (r * s, s.exp(), r.max()), in_dims=(0, 0))(b, y)
        if case == "out_dims_1":
            return F.vmap(lambda r: r.outer(r)[:2], out_dims=(1,))(b)
        if case == "none_in_dim":
            return F.vmap(lambda r, w: lib.tanh(on(lib, W0) @ (r * w)), in_dims=(0, None))(b, x)
        if case == "nested":
            return F.vmap(F.vmap(lambda a, c: a * c.sin(), in_dims=(0, None)), in_dims=(None, 0))(
                x, b
            )
        if case == "grad":
            return F.vmap(F.grad(lambda r, s: (r.sin() * s).sum()), in_dims=(0, 0))(b, y)
        return F.vmap(F.jacrev(lambda r: r.exp() * r.sum()))(b)

    mine, theirs = _both(run)
    close(mine, theirs)


@requires_torch
def test_per_sample_gradients_of_an_mlp_match_torch() -> None:
    def run(lib: Any) -> Any:
        F = nf if lib is ndgrad else torch.func
        lib.manual_seed(3)
        model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 2)).double()
        params = {k: v.detach() for k, v in model.named_parameters()}
        x, y = on(lib, RNG_X), on(lib, RNG_Y)

        def loss(p: Any, xi: Any, yi: Any) -> Any:
            out = F.functional_call(model, p, (xi.unsqueeze(0),))
            return lib.nn.functional.mse_loss(out, yi.unsqueeze(0))

        per = F.vmap(F.grad(loss), in_dims=(None, 0, 0))(params, x, y)
        full = F.grad(lambda p: loss(p, x[0], y[0]) + loss(p, x[1], y[1]))(params)
        return per, full

    mine, theirs = _both(run)
    # signs of zeros: ndgrad's own autograd differs here without ndgrad.func (the weight
    # gradient of a Linear after a ReLU, a one-row matmul: PyTorch gives -0., ndgrad 0.)
    close(mine, theirs, signs=False)


RNG_X = RNG.standard_normal((5, 3))
RNG_Y = RNG.standard_normal((5, 2))


# --- errors ---------------------------------------------------------------------------------

ERRORS: dict[str, Callable[[Any, Any], Any]] = {
    "grad_not_scalar": lambda F, x: F.grad(lambda x: x)(x),
    "grad_not_tensor": lambda F, x: F.grad(lambda x: 3.0)(x),
    "grad_aux_not_pair": lambda F, x: F.grad(lambda x: x.sum(), has_aux=True)(x),
    "argnum_out_of_range": lambda F, x: F.grad(lambda x: x.sum(), argnums=1)(x),
    "argnums_repeated": lambda F, x: F.grad(lambda x: x.sum(), argnums=(0, 0))(x),
    "argnums_empty": lambda F, x: F.grad(lambda x: x.sum(), argnums=())(x),
    "argnums_float": lambda F, x: F.grad(lambda x: x.sum(), argnums=1.0)(x),
    "grad_of_a_float": lambda F, x: F.grad(lambda x: x.sum())(3.0),
    "vjp_int_output": lambda F, x: F.vjp(lambda x: x.long(), x),
    "vjp_not_tensor": lambda F, x: F.vjp(lambda x: 3, x),
    "vjp_cotangent_structure": lambda F, x: F.vjp(lambda x: (x, x), x)[1](x),
    "jvp_primals_not_tuple": lambda F, x: F.jvp(lambda x: x, x, x),
    "jvp_structure": lambda F, x: F.jvp(lambda x: x, (x,), [x]),
    "jvp_tangent_shape": lambda F, x: F.jvp(lambda x: x, (x,), (x[:2],)),
    "jvp_strict": lambda F, x: F.jvp(lambda x: (x.sin(), x.new_ones(2)), (x,), (x,), strict=True),
    "jvp_int_tangent": lambda F, x: F.jvp(lambda x: x, (x,), (x.long(),)),
    "jvp_int_primal": lambda F, x: F.jvp(lambda x: x, (x.long(),), (x,)),
    "grad_of_an_int_tensor": lambda F, x: F.grad(lambda x: x.sum())(x.long()),
    "functional_call_not_a_dict": lambda F, x: F.functional_call(None, 3, (x,)),
    "jacrev_chunk_size": lambda F, x: F.jacrev(lambda x: x, chunk_size=0),
    "jacfwd_random": lambda F, x: F.jacfwd(lambda x: x + x.new_zeros(3).uniform_())(x),
    "vmap_sizes": lambda F, x: F.vmap(lambda a, b: a + b)(x.new_ones(2, 3), x.new_ones(3, 3)),
    "vmap_in_dim_range": lambda F, x: F.vmap(lambda a: a, in_dims=2)(x.new_ones(2, 3)),
    "vmap_in_dims_structure": lambda F, x: F.vmap(lambda a: a, in_dims=(0, 0))(x),
    "vmap_in_dims_type": lambda F, x: F.vmap(lambda a: a, in_dims=None)(x),
    "vmap_in_dim_float": lambda F, x: F.vmap(lambda a: a, in_dims=(1.5,))(x),
    "vmap_non_tensor": lambda F, x: F.vmap(lambda a: a)(3.0),
    "vmap_no_inputs": lambda F, x: F.vmap(lambda: x)(),
    "vmap_no_mapped": lambda F, x: F.vmap(lambda a: a, in_dims=(None,))(x),
    "vmap_out_dims_structure": lambda F, x: F.vmap(lambda a: (a, a), out_dims=(0, 1, 2))(x),
    "vmap_out_dims_type": lambda F, x: F.vmap(lambda a: a, out_dims="a")(x),
    "vmap_batched_none": lambda F, x: F.vmap(lambda a: a, out_dims=None)(x),
    "vmap_returns_int": lambda F, x: F.vmap(lambda a: 3)(x),
    "vmap_random": lambda F, x: F.vmap(lambda a: a + a.new_zeros(()).normal_())(x),
    "vmap_randomness_value": lambda F, x: F.vmap(lambda a: a, randomness="x"),
    "vmap_chunk_size": lambda F, x: F.vmap(lambda a: a, chunk_size=0),
    "stack_module_state_empty": lambda F, x: F.stack_module_state([]),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name: str) -> None:
    caught = []
    for F, lib in ((nf, ndgrad), (torch.func, torch)):
        with pytest.raises(Exception) as e:
            ERRORS[name](F, on(lib, X0))
        caught.append((type(e.value).__name__, str(e.value)))
    assert caught[0] == caught[1]


def test_the_module_lists_torch_funcs_api() -> None:
    assert {"grad", "vmap", "jacrev", "jacfwd", "hessian", "vjp", "jvp"} <= set(dir(nf))
    assert ndgrad.func is nf
    assert math.isfinite(float(nf.grad(lambda x: x * x)(t(1.0))))


# --- parity: results' structure, dtype, requires_grad ---------------------------------------

X1 = np.array([0.3, -1.2, 2.0])
B1 = np.arange(6.0).reshape(2, 3) / 3

EDGE: dict[str, Callable[[Any, Any], Any]] = {
    "input_requires_grad": lambda F, lib: F.grad_and_value(lambda x: (x**2).sum())(
        on(lib, X1).requires_grad_()
    ),
    "closure_requires_grad": lambda F, lib: (
        lambda w: F.grad(lambda x: (x * w).sum())(on(lib, X1))
    )(on(lib, X1).requires_grad_()),
    "aux_is_detached": lambda F, lib: F.grad(lambda x: ((x**2).sum(), x * 2), has_aux=True)(
        on(lib, X1)
    ),
    "float32": lambda F, lib: (
        F.jacrev(lambda x: x.exp())(on(lib, X1).float()),
        F.grad(lambda x: x.sum())(on(lib, X1).float()),
        F.vmap(lambda r: r.sum())(on(lib, B1).float()),
    ),
    "hessian_tuple_argnums": lambda F, lib: F.hessian(
        lambda x, y: (x * y).sum() * x.sum(), argnums=(0, 1)
    )(on(lib, X1), on(lib, X1) * 2),
    "out_dims_negative": lambda F, lib: F.vmap(lambda r: r.outer(r), out_dims=-1)(on(lib, B1)),
    "in_dims_negative": lambda F, lib: F.vmap(lambda r: r * 2, in_dims=-1)(on(lib, B1)),
    "jvp_of_a_constant": lambda F, lib: F.jvp(
        lambda x: on(lib, [1.0, 2.0]), (on(lib, X1),), (on(lib, X1),)
    ),
    "vmap_writes_in_place": lambda F, lib: (lambda c: (F.vmap(lambda r: r.add_(1))(c), c)[1])(
        on(lib, B1)
    ),
    "vmap_returns_views": lambda F, lib: F.vmap(lambda r: r[1:])(on(lib, B1)),
    "jacrev_scalar_input": lambda F, lib: F.jacrev(lambda s: s * on(lib, X1))(on(lib, 2.0)),
    "jacrev_dict_input": lambda F, lib: F.jacrev(lambda p: p["a"] * p["b"].sum())(
        {"a": on(lib, X1), "b": on(lib, X1) * 3}
    ),
    "vjp_requires_grad": lambda F, lib: (
        lambda x: (lambda o, fn: (o, fn(on(lib, X1))))(*F.vjp(lambda x: x.sin(), x))
    )(on(lib, X1).requires_grad_()),
    "vmap_requires_grad": lambda F, lib: F.vmap(lambda r: r * 2)(on(lib, B1).requires_grad_()),
    "jvp_requires_grad": lambda F, lib: F.jvp(
        lambda x: x.sin(), (on(lib, X1).requires_grad_(),), (on(lib, X1),)
    ),
    "grad_of_a_tuple_argument": lambda F, lib: F.grad(lambda xs: (xs[0] * xs[1]).sum())(
        (on(lib, X1), on(lib, X1) + 1)
    ),
    "jacfwd_has_aux": lambda F, lib: F.jacfwd(lambda x: (x.sin(), x.cos()), has_aux=True)(
        on(lib, X1)
    ),
    "vmap_keyword_argument": lambda F, lib: F.vmap(lambda r, k=1.0: r * k, in_dims=(0,))(
        on(lib, B1), k=3.0
    ),
    "vmap_list_in_dims": lambda F, lib: F.vmap(lambda pair: pair[0] + pair[1], in_dims=([0, 1],))(
        [on(lib, B1), on(lib, B1).T]
    ),
    "vmap_list_output": lambda F, lib: F.vmap(lambda r: [r, r * 2])(on(lib, B1)),
    "grad_under_no_grad": lambda F, lib: _under_no_grad(
        lib, lambda: F.grad(lambda x: (x**3).sum())(on(lib, X1).requires_grad_())
    ),
    "vjp_fn_without_graph": lambda F, lib: (
        lambda o, fn: (fn(on(lib, X1), create_graph=False), _under_no_grad(lib, lambda: fn(o)))
    )(*F.vjp(lambda x: x.sin(), on(lib, X1).requires_grad_())),
    "vmap_random_same": lambda F, lib: (
        lib.manual_seed(0),
        F.vmap(lambda r: r + lib.rand(2), randomness="same")(lib.ones(3, 2)),
        F.vmap(lambda r: r * lib.nn.functional.dropout(r, 0.5), randomness="same")(lib.ones(3, 4)),
        lib.rand(2),
    )[1:],
    "vmap_random_different_uniform": lambda F, lib: (
        lib.manual_seed(0),
        F.vmap(lambda r: r + lib.rand(2), randomness="different")(lib.ones(3, 2)),
    )[1:],
    "grad_of_vmap_of_grad": lambda F, lib: F.grad(
        lambda w: (
            F.vmap(F.grad(lambda w, x: (w * x).sin().sum()), in_dims=(None, 0))(w, on(lib, B1))
            .pow(2)
            .sum()
        )
    )(on(lib, X1)),
    "jvp_of_grad_is_hvp": lambda F, lib: F.jvp(
        F.grad(lambda x: (x.sin() * x).sum()), (on(lib, X1),), (on(lib, [1.0, 0.5, -1.0]),)
    ),
    "vjp_of_a_vjp": lambda F, lib: F.vjp(
        lambda x: F.vjp(lambda y: y.exp() * y, x)[1](x.cos())[0], on(lib, X1)
    )[1](on(lib, X1)),
}


def _under_no_grad(lib: Any, fn: Callable[[], Any]) -> Any:
    with lib.no_grad():
        return fn()


def _flags(tree: Any) -> Any:
    if isinstance(tree, dict):
        return {k: _flags(v) for k, v in tree.items()}
    if isinstance(tree, tuple | list):
        return type(tree)(_flags(v) for v in tree)
    if hasattr(tree, "requires_grad"):
        return (tree.requires_grad, tree.grad_fn is not None)
    return tree


@requires_torch
@pytest.mark.parametrize("name", sorted(EDGE))
def test_results_match_torch(name: str) -> None:
    mine = EDGE[name](nf, ndgrad)
    theirs = EDGE[name](torch.func, torch)
    close(mine, theirs, signs=not name.startswith(("jvp", "jacfwd", "hessian")))
    assert _flags(mine) == _flags(theirs)  # what requires grad, what has a graph


def _tied(lib: Any) -> Any:
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(2, 2, bias=False), lib.nn.Linear(2, 2, bias=False))
    model[1].weight = model[0].weight
    return model.double()


@requires_torch
def test_functional_call_tied_weights_match_torch() -> None:
    results = []
    for lib, F in ((ndgrad, nf), (torch, torch.func)):
        model, x = _tied(lib), on(lib, [1.0, -2.0])
        w = on(lib, [[1.0, 2.0], [3.0, 4.0]])
        tied = F.functional_call(model, {"0.weight": w}, (x,))
        untied = F.functional_call(model, {"0.weight": w}, (x,), tie_weights=False)
        with pytest.raises(ValueError) as e:
            F.functional_call(model, {"0.weight": w, "1.weight": w * 2}, (x,))
        results.append((tied, untied, str(e.value)))
    close(results[0][:2], results[1][:2])
    assert results[0][2] == results[1][2]


@requires_torch
def test_dropout_in_vmap_raises_torchs_error() -> None:
    caught = []
    for lib, F in ((ndgrad, nf), (torch, torch.func)):
        with pytest.raises(RuntimeError) as e:
            F.vmap(lib.nn.functional.dropout)(lib.ones(3, 4))
        caught.append(str(e.value))
    assert caught[0] == caught[1]


B2 = np.arange(12.0).reshape(2, 2, 3) / 7

# (function, whether the signs of zeros are compared: not through jvp/jacfwd, which ndgrad
# computes by reverse mode)
NESTED: dict[str, tuple[Callable[[Any, Any], Any], bool]] = {
    "hessian_of_a_dict": (
        lambda F, lib: F.hessian(lambda p: (p["a"].sin() * p["b"]).sum())(
            {"a": on(lib, X1), "b": on(lib, X1) * 2}
        ),
        False,
    ),
    "jacfwd_of_jacfwd": (
        lambda F, lib: F.jacfwd(F.jacfwd(lambda x: x.exp() * x.sum()))(on(lib, X1)),
        False,
    ),
    "jacrev_of_jacfwd": (
        lambda F, lib: F.jacrev(F.jacfwd(lambda x: x.exp() * x.sum()))(on(lib, X1)),
        False,
    ),
    "vmap_of_hessian": (
        lambda F, lib: F.vmap(F.hessian(lambda x: (x**3).sum() * x[0]))(on(lib, B2[0])),
        False,
    ),
    "vmap_of_jacfwd": (lambda F, lib: F.vmap(F.jacfwd(lambda x: x.sin()))(on(lib, B2[0])), False),
    "jvp_of_vmap": (
        lambda F, lib: F.jvp(F.vmap(lambda r: r.sin().sum()), (on(lib, B2[0]),), (on(lib, B2[0]),)),
        False,
    ),
    "vmap_of_vmap_of_grad": (
        lambda F, lib: F.vmap(F.vmap(F.grad(lambda x: x.tanh().sum())))(on(lib, B2)),
        True,
    ),
    "grad_of_grad_of_grad": (
        lambda F, lib: F.grad(F.grad(F.grad(lambda x: x.sin() * x.exp())))(on(lib, 0.4)),
        True,
    ),
    "vmap_in_dims_2_out_dims_1": (
        lambda F, lib: F.vmap(lambda m: m.sum(0), in_dims=2, out_dims=1)(on(lib, B2)),
        True,
    ),
    "vmap_of_vjp": (
        lambda F, lib: F.vmap(lambda x: F.vjp(lambda y: y.sin(), x)[1](x)[0])(on(lib, B2[0])),
        True,
    ),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(NESTED))
def test_nested_transforms_match_torch(name: str) -> None:
    fn, signs = NESTED[name]
    close(fn(nf, ndgrad), fn(torch.func, torch), signs=signs)
