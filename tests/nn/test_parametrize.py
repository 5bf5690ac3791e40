"""nn.utils.parametrize and nn.utils.parametrizations (weight_norm, spectral_norm, orthogonal):
values, gradients, state_dict keys and class swapping against PyTorch, and by hand."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from tests.helpers import requires_torch, torch

import ndgrad
import ndgrad.nn as nn
from ndgrad.nn.utils import parametrizations as PZ
from ndgrad.nn.utils import parametrize as P


def _sym(lib: Any) -> Any:
    class Symmetric(lib.nn.Module):
        def forward(self, X: Any) -> Any:
            return X.triu() + X.triu(1).transpose(-1, -2)

        def right_inverse(self, A: Any) -> Any:
            return A.triu()

    return Symmetric()


def _scale(lib: Any) -> Any:
    class Scale(lib.nn.Module):
        def forward(self, X: Any) -> Any:
            return 2 * X

    return Scale()


def _run(lib: Any, build: Any, x: np.ndarray, seed: int = 0) -> dict[str, Any]:
    """Build a parametrized layer with ``build(lib, layer)``, run forward and backward twice
    (spectral norm updates its buffers in training mode), report values, gradients, keys."""
    lib.manual_seed(seed)
    layer = lib.nn.Linear(x.shape[1], 3)
    layer = build(lib, layer)
    out = {"class": type(layer).__name__, "keys": list(layer.state_dict())}
    for _ in range(2):
        layer.zero_grad()
        (layer(lib.tensor(x)) ** 2).sum().backward()
    out["weight"] = layer.weight.detach().numpy()
    out["state"] = {k: v.detach().numpy() for k, v in layer.state_dict().items()}
    out["grads"] = {n: p.grad.numpy() for n, p in layer.named_parameters()}
    out["names"] = [n for n, _ in layer.named_parameters()]
    return out


BUILDS = {
    "symmetric": lambda lib, m: lib.nn.utils.parametrize.register_parametrization(
        m, "weight", _sym(lib)
    ),
    "two_chained": lambda lib, m: lib.nn.utils.parametrize.register_parametrization(
        lib.nn.utils.parametrize.register_parametrization(m, "weight", _sym(lib)),
        "weight",
        _scale(lib),
    ),
    "bias_too": lambda lib, m: lib.nn.utils.parametrize.register_parametrization(
        lib.nn.utils.parametrize.register_parametrization(m, "weight", _sym(lib)),
        "bias",
        _scale(lib),
    ),
    "weight_norm": lambda lib, m: lib.nn.utils.parametrizations.weight_norm(m),
    "weight_norm_dim1": lambda lib, m: lib.nn.utils.parametrizations.weight_norm(m, dim=1),
    "weight_norm_none": lambda lib, m: lib.nn.utils.parametrizations.weight_norm(m, dim=None),
    "spectral_norm": lambda lib, m: lib.nn.utils.parametrizations.spectral_norm(m),
    "spectral_norm_3it": lambda lib, m: lib.nn.utils.parametrizations.spectral_norm(
        m, n_power_iterations=3, dim=1
    ),
    "orthogonal": lambda lib, m: lib.nn.utils.parametrizations.orthogonal(m),
    "orthogonal_matrix_exp": lambda lib, m: lib.nn.utils.parametrizations.orthogonal(
        m, orthogonal_map="matrix_exp"
    ),
    "orthogonal_cayley": lambda lib, m: lib.nn.utils.parametrizations.orthogonal(
        m, orthogonal_map="cayley"
    ),
}


@requires_torch
@pytest.mark.parametrize("kind", sorted(BUILDS))
@pytest.mark.parametrize("n_in", [3, 5])
def test_parametrized_values_and_gradients_match_pytorch(kind: str, n_in: int) -> None:
    if kind in ("symmetric", "two_chained", "bias_too") and n_in != 3:
        pytest.skip("a symmetric weight is square")
    x = np.random.RandomState(3).randn(4, n_in).astype(np.float32)
    a, b = _run(ndgrad, BUILDS[kind], x), _run(torch, BUILDS[kind], x)
    assert a["class"] == b["class"] == "ParametrizedLinear"
    assert a["keys"] == b["keys"]
    assert a["names"] == b["names"]
    tol = 1e-4 if kind.startswith("orthogonal") else 1e-5
    np.testing.assert_allclose(a["weight"], b["weight"], rtol=tol, atol=1e-6)
    for key in a["state"]:
        np.testing.assert_allclose(a["state"][key], b["state"][key], rtol=tol, atol=1e-6)
    for name in a["grads"]:
        np.testing.assert_allclose(
            a["grads"][name], b["grads"][name], rtol=tol, atol=1e-5, err_msg=name
        )


@requires_torch
def test_spectral_norm_buffers_are_pytorchs_for_a_seed() -> None:
    bufs = []
    for lib in (ndgrad, torch):
        lib.manual_seed(7)
        m = lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(6, 4))
        bufs.append({k: v.numpy() for k, v in m.parametrizations.weight[0].named_buffers()})
    assert list(bufs[0]) == list(bufs[1]) == ["_u", "_v"]
    for k in bufs[0]:
        np.testing.assert_allclose(bufs[0][k], bufs[1][k], rtol=1e-5, atol=1e-7)


@requires_torch
def test_remove_parametrizations_matches_pytorch() -> None:
    x = np.random.RandomState(4).randn(2, 3).astype(np.float32)
    results = []
    for lib in (ndgrad, torch):
        lib.manual_seed(0)
        m = lib.nn.utils.parametrizations.weight_norm(lib.nn.Linear(3, 3))
        lib.nn.utils.parametrize.remove_parametrizations(m, "weight")
        kept = (type(m).__name__, list(m.state_dict()), m.weight.detach().numpy())
        lib.manual_seed(0)
        m2 = lib.nn.utils.parametrize.register_parametrization(
            lib.nn.Linear(3, 3), "weight", _sym(lib)
        )
        lib.nn.utils.parametrize.remove_parametrizations(m2, "weight", leave_parametrized=False)
        results.append((kept, m2.weight.detach().numpy(), m2(lib.tensor(x)).detach().numpy()))
    (ka, wa, ya), (kb, wb, yb) = results
    assert ka[0] == kb[0] == "Linear" and ka[1] == kb[1]
    np.testing.assert_allclose(ka[2], kb[2], rtol=1e-6)
    np.testing.assert_allclose(wa, wb, rtol=1e-6)
    np.testing.assert_allclose(ya, yb, rtol=1e-6)


@requires_torch
def test_load_state_dict_round_trip_with_pytorch() -> None:
    torch.manual_seed(0)
    theirs = torch.nn.utils.parametrizations.weight_norm(torch.nn.Linear(3, 2))
    mine = PZ.weight_norm(nn.Linear(3, 2))
    mine.load_state_dict({k: ndgrad.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    np.testing.assert_allclose(
        mine.weight.detach().numpy(), theirs.weight.detach().numpy(), rtol=1e-6
    )


# --- without torch ----------------------------------------------------------------------------


class Symmetric(nn.Module):
    def forward(self, X: ndgrad.Tensor) -> ndgrad.Tensor:
        return X.triu() + X.triu(1).transpose(-1, -2)

    def right_inverse(self, A: ndgrad.Tensor) -> ndgrad.Tensor:
        return A.triu()


def test_register_swaps_class_and_moves_tensor() -> None:
    lin = nn.Linear(2, 2, bias=False)
    with ndgrad.no_grad():
        lin.weight.copy_(ndgrad.tensor([[1.0, 2.0], [3.0, 4.0]]))
    original = lin.weight
    P.register_parametrization(lin, "weight", Symmetric())
    assert type(lin).__name__ == "ParametrizedLinear"
    assert isinstance(lin, nn.Linear)
    assert P.type_before_parametrizations(lin) is nn.Linear
    assert P.is_parametrized(lin) and P.is_parametrized(lin, "weight")
    assert not P.is_parametrized(lin, "bias")
    assert isinstance(lin.parametrizations.weight, P.ParametrizationList)
    assert lin.parametrizations.weight.original is original  # the same Parameter, set_ in place
    assert lin.parametrizations.weight.original.tolist() == [[1.0, 2.0], [0.0, 4.0]]
    assert lin.weight.tolist() == [[1.0, 2.0], [2.0, 4.0]]
    assert list(lin.state_dict()) == ["parametrizations.weight.original"]
    assert [n for n, _ in lin.named_parameters()] == ["parametrizations.weight.original"]
    # gradient through the parametrization: d/dX sum(W * C) with W = triu(X) + triu(X, 1)^T
    (lin.weight * ndgrad.tensor([[1.0, 10.0], [100.0, 1000.0]])).sum().backward()
    assert original.grad.tolist() == [[1.0, 110.0], [0.0, 1000.0]]
    # assignment goes through right_inverse
    lin.weight = ndgrad.tensor([[5.0, 6.0], [6.0, 7.0]])
    assert lin.parametrizations.weight.original.tolist() == [[5.0, 6.0], [0.0, 7.0]]
    # a second class swap does not stack
    P.remove_parametrizations(lin, "weight")
    assert type(lin) is nn.Linear
    assert lin.weight.tolist() == [[5.0, 6.0], [6.0, 7.0]]
    assert isinstance(lin.weight, nn.Parameter)
    assert not hasattr(lin, "parametrizations")


def test_cached_computes_once() -> None:
    calls = []

    class Count(nn.Module):
        def forward(self, X: ndgrad.Tensor) -> ndgrad.Tensor:
            calls.append(1)
            return X * 1

    lin = P.register_parametrization(nn.Linear(2, 2), "weight", Count())
    calls.clear()
    with P.cached():
        a = lin.weight
        b = lin.weight
    assert a is b and len(calls) == 1
    assert lin.weight is not a
    assert len(calls) == 2


def test_errors() -> None:
    lin = nn.Linear(2, 3)

    class Bad(nn.Module):
        def forward(self, X: ndgrad.Tensor) -> ndgrad.Tensor:
            return X[0]

    with pytest.raises(ValueError, match="may not change the shape of the tensor"):
        P.register_parametrization(lin, "weight", Bad())
    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a parametrized"):
        P.register_parametrization(lin, "nope", Symmetric())
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        P.remove_parametrizations(lin, "weight")
    wn = PZ.weight_norm(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="Cannot leave unparametrized"):
        P.remove_parametrizations(wn, "weight", leave_parametrized=False)
    with pytest.raises(RuntimeError, match="Serialization of parametrized modules"):
        wn.__getstate__()
    with pytest.raises(ValueError, match='orthogonal_map has to be one of "matrix_exp"'):
        PZ.orthogonal(nn.Linear(2, 2), orthogonal_map="qr")
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
        PZ.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)


def test_weight_norm_by_hand_and_deepcopy() -> None:
    lin = nn.Linear(2, 2, bias=False)
    with ndgrad.no_grad():
        lin.weight.copy_(ndgrad.tensor([[3.0, 4.0], [0.0, 2.0]]))
    PZ.weight_norm(lin)
    plist = lin.parametrizations.weight
    assert plist.original0.flatten().tolist() == [5.0, 2.0]
    assert plist.original1.tolist() == [[3.0, 4.0], [0.0, 2.0]]
    with ndgrad.no_grad():
        plist.original0.mul_(2)
    assert lin.weight.tolist() == [[6.0, 8.0], [0.0, 4.0]]
    clone = copy.deepcopy(lin)
    assert type(clone).__name__ == "ParametrizedLinear"
    assert clone.weight.tolist() == [[6.0, 8.0], [0.0, 4.0]]


def test_orthogonal_is_orthogonal() -> None:
    ndgrad.manual_seed(0)
    for mp in ("matrix_exp", "cayley", "householder"):
        lin = PZ.orthogonal(nn.Linear(5, 3), orthogonal_map=mp)
        w = lin.weight.detach().numpy()
        np.testing.assert_allclose(w @ w.T, np.eye(3), atol=1e-5)


def test_spectral_norm_has_unit_norm_after_iterations() -> None:
    ndgrad.manual_seed(0)
    lin = PZ.spectral_norm(nn.Linear(4, 6), n_power_iterations=50)
    sigma = np.linalg.svd(lin.weight.detach().numpy(), compute_uv=False)[0]
    assert abs(sigma - 1.0) < 1e-4
