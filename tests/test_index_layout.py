"""The memory layout of advanced-indexing results (``x[idx]`` with index tensors or masks), and
the strides of the views it is read from, against PyTorch.

PyTorch allocates an indexing result following the strides of its inputs (TensorIterator), so
``x.t()[idx]`` or ``x.expand(...).permute(...)[idx]`` is not contiguous there; ``is_contiguous()``
and which ``view()`` calls are legal depend on it (issue 16, item 6 and the fuzzer's findings).
Strides of size-1 dims only matter to that order, and are compared through it.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, torch


def _strides(t: Any) -> tuple[int, ...]:
    """The strides of the dims that are not of size 1 (PyTorch's contiguity ignores those)."""
    return tuple(s for s, n in zip(t.stride(), t.shape, strict=True) if n != 1)


def _check(build: Any) -> None:
    ours, theirs = build(ndgrad), build(torch)
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())
    if theirs.numel():  # an empty tensor's strides mean nothing
        assert _strides(ours) == _strides(theirs), (ours.stride(), theirs.stride())
    assert ours.is_contiguous() == theirs.is_contiguous()
    assert _viewable(ours) == _viewable(theirs)


def _viewable(t: Any) -> bool:
    try:
        t.view(-1)
    except RuntimeError:
        return False
    return True


def _base(lib: Any, *shape: int) -> Any:
    n = int(np.prod(shape))
    return lib.arange(n, dtype=lib.float64).reshape(shape)


CASES = {
    # the fuzzer's reproducer: an index into an expanded, permuted tensor
    "expanded_permuted": lambda lib: (
        _base(lib, 2, 3).permute(1, 0).expand(2, 3, -1, -1)[lib.tensor([-1])]
    ),
    # issue 16, item 6: indexing dim 1 of a contiguous tensor gives a contiguous result
    "dim1_of_contiguous": lambda lib: _base(lib, 2, 2, 4)[:, lib.tensor([0, 1])],
    "transposed_rows": lambda lib: _base(lib, 3, 4).t()[lib.tensor([0, 2])],
    "transposed_columns": lambda lib: _base(lib, 3, 4).t()[:, lib.tensor([0, 2])],
    "permuted_3d_middle": lambda lib: _base(lib, 2, 3, 4).permute(2, 0, 1)[:, lib.tensor([1, 0])],
    "mask_of_transposed": lambda lib: _base(lib, 3, 4).t()[:, lib.tensor([True, False, True])],
    "two_index_tensors_apart": lambda lib: _base(lib, 2, 3, 4).permute(1, 2, 0)[
        lib.tensor([0, 1]), :, lib.tensor([1, 0])
    ],
    "index_2d_of_transposed": lambda lib: _base(lib, 3, 4).t()[lib.tensor([[0, 1], [2, 0]])],
    "new_dim_then_index": lambda lib: _base(lib, 4, 4).t()[
        :, lib.tensor([True, False, True, True]), None
    ],
    "unsqueezed_permuted": lambda lib: (
        _base(lib, 1, 2, 2).unsqueeze(2).permute(1, 2, 0, 3)[:, lib.tensor([0, 0])]
    ),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(CASES))
def test_index_layout_matches_pytorch(name: str) -> None:
    _check(CASES[name])


def _recipe(rng: random.Random) -> tuple[Any, ...]:
    """A random strided tensor (permute, expand, steps, unsqueeze) and a random advanced key."""
    shape = [rng.randint(1, 4) for _ in range(rng.randint(1, 4))]
    ops: list[tuple[str, Any]] = []
    cur = list(shape)
    for _ in range(rng.randint(0, 3)):
        k = rng.random()
        if k < 0.35 and len(cur) > 1:
            p = list(range(len(cur)))
            rng.shuffle(p)
            ops.append(("permute", p))
            cur = [cur[i] for i in p]
        elif k < 0.6:
            lead = [rng.randint(1, 3) for _ in range(rng.randint(0, 2))]
            target = lead + [rng.randint(1, 3) if s == 1 else s for s in cur]
            if len(target) <= 5:
                ops.append(("expand", target))
                cur = target
        elif k < 0.8:
            d = rng.randrange(len(cur))
            if cur[d] > 1:
                ops.append(("step", d))
                cur[d] = (cur[d] + 1) // 2
        elif len(cur) < 5:
            d = rng.randint(0, len(cur))
            ops.append(("unsqueeze", d))
            cur.insert(d, 1)
    n = len(cur)
    end = rng.randint(1, n)
    key: list[tuple[str, Any]] = []
    d = 0
    while d < end:
        r = rng.random()
        if r < 0.4 or cur[d] == 0:
            key.append(("slice", None))
            d += 1
        elif r < 0.8:
            size = [rng.randint(1, 3) for _ in range(rng.randint(1, 2))]
            values = [rng.randrange(-cur[d], cur[d]) for _ in range(int(np.prod(size)))]
            key.append(("long", np.array(values).reshape(size)))
            d += 1
        else:
            m = rng.randint(1, min(2, end - d))
            mask = [rng.random() < 0.6 for _ in range(int(np.prod(cur[d : d + m])))]
            key.append(("mask", np.array(mask).reshape(cur[d : d + m])))
            d += m
    if all(kind == "slice" for kind, _ in key):
        key[-1] = ("long", np.array([0, 0]))
    if rng.random() < 0.15:
        key.insert(rng.randint(0, len(key)), ("none", None))
    if rng.random() < 0.15:
        key.insert(rng.randint(0, len(key)), ("int", 0))
    return shape, ops, key


def _build(lib: Any, shape: Any, ops: Any, key: Any) -> Any:
    t = _base(lib, *shape)
    for op, arg in ops:
        if op == "permute":
            t = t.permute(arg)
        elif op == "expand":
            t = t.expand(arg)
        elif op == "step":
            t = t[(slice(None),) * arg + (slice(None, None, 2),)]
        else:
            t = t.unsqueeze(arg)
    index: list[Any] = []
    for kind, value in key:
        if kind == "slice":
            index.append(slice(None))
        elif kind == "none":
            index.append(None)
        elif kind == "int":
            index.append(0)
        elif kind == "long":
            index.append(lib.tensor(value, dtype=lib.int64))
        else:
            index.append(lib.tensor(value))
    return t[tuple(index)]


@requires_torch
@pytest.mark.parametrize("seed", range(4))
def test_random_index_layouts_match_pytorch(seed: int) -> None:
    rng = random.Random(seed)
    checked = 0
    while checked < 150:
        recipe = _recipe(rng)
        try:
            _build(torch, *recipe)
        except (IndexError, RuntimeError):
            continue  # an index out of range, shapes that do not broadcast: not this test's
        checked += 1
        _check(lambda lib, recipe=recipe: _build(lib, *recipe))


@requires_torch
def test_index_gradient_unchanged_by_layout() -> None:
    # The layout is memory order only: values and gradients are as before.
    def run(lib: Any) -> Any:
        x = lib.tensor(np.linspace(-1, 1, 24).reshape(2, 3, 4), requires_grad=True)
        y = x.permute(2, 0, 1)[:, lib.tensor([1, 0, 1])]
        (y * lib.tensor(np.linspace(0.5, 2, y.numel()).reshape(y.shape))).sum().backward()
        return y.detach().numpy(), x.grad.numpy()

    (y0, g0), (y1, g1) = run(ndgrad), run(torch)
    np.testing.assert_allclose(y0, y1)
    np.testing.assert_allclose(g0, g1)


@requires_torch
@pytest.mark.parametrize(
    "make",
    [
        lambda lib: _base(lib, 1, 3).unsqueeze(1),
        lambda lib: _base(lib, 2, 3).t().unsqueeze(1),
        lambda lib: _base(lib, 2, 3)[None, :, None],
        lambda lib: _base(lib, 2, 3)[..., None],
        lambda lib: _base(lib, 2, 3)[1, None],
        lambda lib: _base(lib, 3, 1).expand(1, 3, 1),
        lambda lib: _base(lib, 3, 1).expand(1, 1, 3, 2),
        lambda lib: _base(lib).expand(1, 2),
    ],
)
def test_size_one_dim_strides_match_pytorch(make: Any) -> None:
    # unsqueeze, None in a key and expand give new size-1 dims PyTorch's strides
    assert make(ndgrad).stride() == make(torch).stride()
