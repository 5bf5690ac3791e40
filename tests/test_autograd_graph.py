"""ndgrad.autograd.graph: saved_tensors_hooks, save_on_cpu, disable_saved_tensors_hooks, Node,
register_multi_grad_hook and increment_version, against PyTorch and by hand."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import graph as G

from .helpers import requires_torch, torch


def _program(lib: Any, pack: Any, unpack: Any) -> tuple[Any, ...]:
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = lib.tensor([4.0, 5.0, 6.0], requires_grad=True)
    with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
        y = (a * b).sin().exp().pow(2).sum() + (a @ b) + a.sigmoid().sum() + (a / b).sum()
        y = y + a.tanh().sum() + (a.exp_() if False else a.cos().sum())
    y.backward()
    return a.grad.numpy(), b.grad.numpy()


@requires_torch
@pytest.mark.parametrize("hooks", ["identity", "double", "copy"])
def test_saved_tensors_hooks_match_pytorch(hooks: str) -> None:
    results = []
    for lib in (ndgrad, torch):
        packed: list[tuple[int, ...]] = []
        unpacked: list[int] = []

        def pack(t: Any, packed: list[tuple[int, ...]] = packed) -> Any:
            packed.append(tuple(t.shape))
            return t.detach().clone() if hooks == "copy" else t

        def unpack(t: Any, unpacked: list[int] = unpacked) -> Any:
            unpacked.append(1)
            return t * 2 if hooks == "double" else t

        grads = _program(lib, pack, unpack)
        results.append((grads, sorted(packed), len(unpacked)))
    (ga, pa, ua), (gb, pb, ub) = results
    assert pa == pb and ua == ub
    for x, y in zip(ga, gb, strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-6)


@requires_torch
def test_hooked_saved_values_are_trusted_as_pytorch_does() -> None:
    out = []
    for lib in (ndgrad, torch):
        hooks = lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t)
        c = lib.ones(3, requires_grad=True)
        with hooks:
            d = c * 1
            s = d.sin()
        d.add_(1)  # no version check on a packed value: backward uses what unpack returns
        s.sum().backward()
        c2 = lib.ones(3, requires_grad=True)
        with hooks:
            e = (c2 * 1).exp()
        e.mul_(2)
        e.sum().backward()
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with hooks:
            (g,) = lib.autograd.grad((x * x * x).sum(), x, create_graph=True)
        g.sum().backward()
        out.append([c.grad.tolist(), c2.grad.tolist(), x.grad.tolist()])
    np.testing.assert_allclose(np.array(out[0][0]), np.array(out[1][0]), rtol=1e-6)
    np.testing.assert_allclose(np.array(out[0][1]), np.array(out[1][1]), rtol=1e-6)
    assert out[0][2] == out[1][2]


@requires_torch
def test_errors_match_pytorch() -> None:
    for lib in (ndgrad, torch):
        graph = lib.autograd.graph
        with (
            graph.disable_saved_tensors_hooks("no hooks here"),
            pytest.raises(RuntimeError, match="^no hooks here$"),
            graph.saved_tensors_hooks(lambda x: x, lambda x: x),
        ):
            pass
        with graph.saved_tensors_hooks(lambda x: x, lambda x: x):
            pass  # enabled again
        x = lib.ones(3, requires_grad=True)
        with graph.saved_tensors_hooks(lambda x: x, lambda x: 3):
            y = x.sin()
        with pytest.raises(TypeError, match="unpack_hook expected to be a Tensor but got .* int"):
            y.sum().backward()
        a, b = lib.ones(3, requires_grad=True), lib.ones(3)
        mutating = graph.saved_tensors_hooks(
            lambda t: t if t.requires_grad else t.mul_(2), lambda t: t
        )
        with (
            mutating,
            pytest.raises(RuntimeError, match="pack hook is modifying its input in place"),
        ):
            a * b
        with pytest.raises(ValueError, match=r"Expects mode to be one of \('all', 'any'\)"):
            graph.register_multi_grad_hook([a], print, mode="some")


@requires_torch
def test_multi_grad_hook_matches_pytorch() -> None:
    seen = []
    for lib in (ndgrad, torch):
        graph = lib.autograd.graph
        x, w, u = (lib.ones(2, requires_grad=True) for _ in range(3))
        calls: list[Any] = []
        handle = graph.register_multi_grad_hook(
            (x, w, u),
            lambda gs, calls=calls: calls.append([None if g is None else g.tolist() for g in gs]),
        )
        (x * 2 + w * 3).sum().backward()
        (x * 5).sum().backward()
        any_calls: list[Any] = []
        graph.register_multi_grad_hook(
            (x, w), lambda g, c=any_calls: c.append(g.tolist()), mode="any"
        )
        (x * 2 + w * 3).sum().backward()
        (w * 4 + x * 5).sum().backward()
        handle.remove()
        (x * 2 + w * 3).sum().backward()
        a = lib.ones(2, requires_grad=True)
        m1, m2 = a * 2, a * 3
        mid: list[Any] = []
        graph.register_multi_grad_hook(
            (m1, m2), lambda gs, mid=mid: mid.append([g.tolist() for g in gs])
        )
        (m1.sum() * m2.sum()).backward()
        seen.append((calls, any_calls, mid))
    assert seen[0] == seen[1]


@requires_torch
def test_node_and_increment_version_match_pytorch() -> None:
    for lib in (ndgrad, torch):
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        assert isinstance(y.grad_fn, lib.autograd.graph.Node)
        assert isinstance(y.grad_fn.next_functions[0][0], lib.autograd.graph.Node)
        v = lib.ones(2)
        lib.autograd.graph.increment_version(v)
        lib.autograd.graph.increment_version([v, v])
        assert v._version == 3


# --- without torch ----------------------------------------------------------------------------


def test_pack_and_unpack_by_hand() -> None:
    log: list[str] = []

    def pack(t: ndgrad.Tensor) -> tuple[str, np.ndarray]:
        log.append("pack")
        return ("stored", t.detach().numpy().copy())

    def unpack(p: tuple[str, np.ndarray]) -> ndgrad.Tensor:
        log.append("unpack")
        return ndgrad.tensor(p[1])

    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    with G.saved_tensors_hooks(pack, unpack):
        y = (x * x).sum()  # MulBackward0 saves both operands
    assert log == ["pack", "pack"]
    y.backward()
    assert log == ["pack", "pack", "unpack", "unpack"]
    assert x.grad.tolist() == [2.0, 4.0]
    with G.save_on_cpu():
        z = x.exp().sum()
    x.grad = None
    z.backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([1.0, 2.0]), rtol=1e-6)


def test_no_hooks_outside_the_context() -> None:
    calls: list[int] = []
    x = ndgrad.ones(2, requires_grad=True)
    with G.saved_tensors_hooks(lambda t: calls.append(1) or t, lambda t: t):
        pass
    (x * x).sum().backward()
    assert calls == []
    assert x.grad.tolist() == [2.0, 2.0]


def test_multi_grad_hook_all_by_hand() -> None:
    x = ndgrad.ones(2, requires_grad=True)
    w = ndgrad.ones(2, requires_grad=True)
    got: list[Any] = []
    G.register_multi_grad_hook(
        [x, w], lambda gs: got.append([None if g is None else g.tolist() for g in gs])
    )
    (x * 3).sum().backward()
    assert got == [[[3.0, 3.0], None]]
