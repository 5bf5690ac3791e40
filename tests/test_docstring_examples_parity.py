"""Differences found by running PyTorch's own docstring examples under ndgrad (a driver outside
the repository reads them from the installed torch); each test uses its own inputs."""

from __future__ import annotations

import numpy as np
import pytest

import ndgrad

from .helpers import nd, requires_torch, th, to_numpy, torch

# --- remainder: a zero result keeps the dividend's sign (C's fmod), not the divisor's ----------


def test_remainder_zero_takes_the_sign_of_input() -> None:
    a = nd(np.array([-6.0, 6.0, -0.0, 0.0, -5.0, 5.0], np.float32))
    for out in (ndgrad.remainder(a, 3), a % 3, a.remainder(3)):
        np.testing.assert_array_equal(out.numpy(), [0.0, 0.0, 0.0, 0.0, 1.0, 2.0])
        assert np.signbit(out.numpy()).tolist() == [True, False, True, False, False, False]
    out = ndgrad.remainder(a, -3.0)
    np.testing.assert_array_equal(out.numpy(), [0.0, 0.0, 0.0, 0.0, -2.0, -1.0])
    assert np.signbit(out.numpy()).tolist() == [True, False, True, False, True, True]
    b = nd(np.array([3.0, -3.0, 3.0, -3.0, -3.0, 3.0]))
    assert np.signbit((nd(np.array([-6.0, 6.0, -0.0, 0.0, 6.0, -6.0])) % b).numpy()).tolist() == [
        True,
        False,
        True,
        False,
        False,
        True,
    ]
    assert np.signbit(ndgrad.remainder(-6.0, b[:2]).numpy()).tolist() == [True, True]
    c = nd(np.array([-4.0, 4.0]))
    c.remainder_(2)
    assert np.signbit(c.numpy()).tolist() == [True, False]
    assert repr(ndgrad.remainder(ndgrad.tensor([-4.0, -1.0, 4.0]), 2)) == "tensor([-0., 1., 0.])"


def test_remainder_gradients_unchanged() -> None:
    a = nd(np.array([-2.5, 1.25, 3.5]), requires_grad=True)
    b = nd(np.array([2.0, -1.5, 1.5]), requires_grad=True)
    assert ndgrad.autograd.gradcheck(ndgrad.remainder, (a, b))
    assert ndgrad.autograd.gradgradcheck(ndgrad.remainder, (a, b))


@requires_torch
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64"])
def test_remainder_parity(dtype: str) -> None:
    rng = np.random.default_rng(3)
    a = (rng.integers(-6, 7, size=(4, 5)) * rng.choice([1.0, -1.0], size=(4, 5))).astype(dtype)
    if dtype != "int64":
        a[0] = -0.0
    b = rng.choice([2.0, -2.0, 3.0, -3.0], size=(5,)).astype(dtype)
    pairs = [
        (ndgrad.remainder(nd(a), nd(b)), torch.remainder(th(a), th(b))),
        (nd(a) % 2, th(a) % 2),
        (nd(a) % -3, th(a) % -3),
        (ndgrad.remainder(-6, nd(b)), torch.remainder(-6, th(b))),
    ]
    for ours, theirs in pairs:
        assert ours.dtype.__repr__() == repr(theirs.dtype)
        np.testing.assert_array_equal(to_numpy(ours), to_numpy(theirs))
        assert np.array_equal(np.signbit(to_numpy(ours)), np.signbit(to_numpy(theirs)))
        assert repr(ours) == repr(theirs)


# --- sort without stable=True: ties in std::sort's order ---------------------------------------


def test_unstable_sort_orders_ties_as_std_sort() -> None:
    x = nd(np.array([3, 1, 3, 2, 1, 3, 2, 2, 1, 3, 1, 1, 2, 3, 2, 1, 3, 2, 1, 2]))
    asc = [1, 18, 15, 11, 10, 8, 4, 6, 7, 3, 12, 14, 17, 19, 5, 9, 13, 2, 16, 0]
    desc = [2, 5, 9, 0, 16, 13, 19, 3, 6, 7, 17, 12, 14, 10, 18, 15, 11, 8, 4, 1]
    assert x.sort().indices.tolist() == asc
    assert ndgrad.argsort(x).tolist() == asc
    assert x.sort(descending=True).indices.tolist() == desc
    assert x.argsort(descending=True).tolist() == desc
    # stable=True keeps equal values in their order; rows of 16 or fewer are always stable
    assert x.sort(stable=True).indices.tolist() == np.argsort(x.numpy(), kind="stable").tolist()
    assert x[:16].sort().indices.tolist() == np.argsort(x[:16].numpy(), kind="stable").tolist()
    nan = float("nan")
    y = nd(np.array([[2.0, nan, 0.0, -0.0] * 5]))
    assert y.sort().indices.tolist() == [
        [10, 19, 18, 15, 14, 11, 7, 6, 3, 2, 8, 0, 12, 4, 16, 9, 5, 13, 17, 1]
    ]
    assert y.sort(descending=True).indices.tolist() == [
        [1, 5, 17, 9, 13, 0, 4, 16, 8, 12, 19, 18, 15, 14, 11, 10, 7, 6, 3, 2]
    ]


def test_unstable_sort_gradient() -> None:
    # at ties sort is not differentiable: gradcheck on distinct values, and with ties the
    # gradient goes where the reported indices say
    distinct = nd(np.random.default_rng(0).permutation(20) / 4.0, requires_grad=True)
    assert ndgrad.autograd.gradcheck(lambda t: t.sort(descending=True).values, (distinct,))
    assert ndgrad.autograd.gradgradcheck(lambda t: t.sort().values, (distinct,))
    x = nd(np.array([1.0, 2.0, 1.0, 0.5] * 5), requires_grad=True)
    values = x.sort().values
    values.backward(ndgrad.arange(20.0, dtype=ndgrad.float64))
    order = x.sort().indices.numpy()
    expected = np.zeros(20)
    expected[order] = np.arange(20.0)
    np.testing.assert_array_equal(x.grad.numpy(), expected)


@requires_torch
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "bool", "uint8"])
def test_unstable_sort_parity(dtype: str) -> None:
    rng = np.random.default_rng(7)
    for n in (17, 40, 130):
        a = rng.integers(0, 3, size=(3, n)).astype(dtype)
        if a.dtype.kind == "f":
            a[1, ::5] = np.nan
            a[2, ::3] = -0.0
        for dim in (0, 1, -1):
            for descending in (False, True):
                for stable in (False, True):
                    ours = nd(a).sort(dim=dim, descending=descending, stable=stable)
                    theirs = th(a).sort(dim=dim, descending=descending, stable=stable)
                    np.testing.assert_array_equal(to_numpy(ours.indices), to_numpy(theirs.indices))
                    np.testing.assert_array_equal(to_numpy(ours.values), to_numpy(theirs.values))
                    if a.dtype.kind == "f" and not stable:
                        x, y = nd(a, requires_grad=True), th(a, requires_grad=True)
                        x.sort(dim=dim, descending=descending).values.sum().backward()
                        y.sort(dim=dim, descending=descending).values.sum().backward()
                        np.testing.assert_array_equal(to_numpy(x.grad), to_numpy(y.grad))
                    np.testing.assert_array_equal(
                        to_numpy(nd(a).argsort(dim, descending)),
                        to_numpy(th(a).argsort(dim, descending)),
                    )


# --- typename of a class or function: its own name, not its type's ---------------------------


def test_typename_of_classes_and_functions() -> None:
    assert ndgrad.typename(ndgrad.nn.Parameter) == "ndgrad.nn.parameter.Parameter"
    assert ndgrad.typename(ndgrad.nn.Linear) == ndgrad.typename(ndgrad.nn.Linear(2, 2))
    assert ndgrad.typename(len) == "len"
    assert ndgrad.typename(int) == "int"
    assert ndgrad.typename(3.5) == "float"
    assert ndgrad.typename(ndgrad.zeros(2, dtype=ndgrad.int64)) == "torch.LongTensor"


@requires_torch
def test_typename_parity() -> None:
    for ours, theirs in [(len, len), (int, int), (2, 2), (np.float64, np.float64)]:
        assert ndgrad.typename(ours) == torch.typename(theirs)
    ours, theirs = ndgrad.typename(ndgrad.nn.Parameter), torch.typename(torch.nn.Parameter)
    assert ours.split(".", 1)[1] == theirs.split(".", 1)[1]  # (each its own package's name)


# --- linalg.tensorinv and linalg.tensorsolve ---------------------------------------------------


def _well_conditioned(shape: tuple[int, ...], split: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape[:split]))
    return (rng.standard_normal((n, n)) + 3 * np.eye(n)).reshape(shape)


def test_tensorinv_values() -> None:
    a = _well_conditioned((2, 3, 6), 2, 0)
    out = ndgrad.linalg.tensorinv(nd(a), ind=2)
    assert tuple(out.shape) == (6, 2, 3)
    np.testing.assert_allclose(out.numpy(), np.linalg.tensorinv(a, ind=2), rtol=1e-12)
    b = _well_conditioned((4, 2, 2), 1, 1)
    np.testing.assert_allclose(
        ndgrad.linalg.tensorinv(nd(b), 1).numpy(), np.linalg.tensorinv(b, 1), rtol=1e-12
    )
    assert ndgrad.linalg.tensorinv(nd(b.astype(np.float32)), 1).dtype == ndgrad.float32


def test_tensorsolve_values() -> None:
    a = _well_conditioned((3, 2, 2, 3), 2, 2)
    b = np.random.default_rng(3).standard_normal((3, 2))
    out = ndgrad.linalg.tensorsolve(nd(a), nd(b))
    assert tuple(out.shape) == (2, 3)
    np.testing.assert_allclose(out.numpy(), np.linalg.tensorsolve(a, b), rtol=1e-12)
    c = _well_conditioned((6, 2, 3), 1, 3)
    moved = ndgrad.linalg.tensorsolve(nd(c), nd(b.T.copy()), dims=(0,))
    assert tuple(moved.shape) == (6,)
    np.testing.assert_allclose(moved.numpy(), np.linalg.tensorsolve(c, b.T, axes=(0,)), rtol=1e-12)


def test_tensorinv_tensorsolve_gradients() -> None:
    a = nd(_well_conditioned((2, 2, 4), 2, 4), requires_grad=True)
    assert ndgrad.autograd.gradcheck(lambda t: ndgrad.linalg.tensorinv(t, 2), (a,))
    assert ndgrad.autograd.gradgradcheck(lambda t: ndgrad.linalg.tensorinv(t, 2), (a,))
    a = nd(_well_conditioned((2, 3, 6), 2, 5), requires_grad=True)
    b = nd(np.random.default_rng(6).standard_normal((2, 3)), requires_grad=True)
    assert ndgrad.autograd.gradcheck(ndgrad.linalg.tensorsolve, (a, b))
    assert ndgrad.autograd.gradgradcheck(ndgrad.linalg.tensorsolve, (a, b))
    dims = lambda x, y: ndgrad.linalg.tensorsolve(x, y, dims=(0,))  # noqa: E731
    a2 = nd(_well_conditioned((6, 2, 3), 1, 7), requires_grad=True)
    assert ndgrad.autograd.gradcheck(dims, (a2, b))
    assert ndgrad.autograd.gradgradcheck(dims, (a2, b))


def test_tensorinv_tensorsolve_errors() -> None:
    a = nd(np.zeros((2, 3, 4)))
    with pytest.raises(RuntimeError, match=r"strictly positive integer for 'ind', but got 0"):
        ndgrad.linalg.tensorinv(a, ind=0)
    with pytest.raises(RuntimeError, match=r"prod\(self.shape\[:ind\]\), but got 12 != 2"):
        ndgrad.linalg.tensorinv(a, ind=1)
    with pytest.raises(ndgrad.linalg.LinAlgError, match="^inv: The diagonal element 1 is zero"):
        ndgrad.linalg.tensorinv(nd(np.zeros((2, 2))), ind=1)
    with pytest.raises(RuntimeError, match=r"prod\(self.shape\[:other.ndim\]\), but got 12 != 2"):
        ndgrad.linalg.tensorsolve(a, nd(np.zeros(2)))
    with pytest.raises(TypeError, match="argument 'dims' must be tuple of ints, not int"):
        ndgrad.linalg.tensorsolve(a, nd(np.zeros(2)), dims=1)  # type: ignore[arg-type]


@requires_torch
def test_tensorinv_tensorsolve_parity() -> None:
    a = _well_conditioned((3, 2, 6), 2, 8).astype(np.float32)
    b = np.random.default_rng(9).standard_normal((3, 2)).astype(np.float32)
    c = _well_conditioned((6, 3, 2), 1, 11).astype(np.float32)
    pairs = [
        (ndgrad.linalg.tensorinv(nd(a), 2), torch.linalg.tensorinv(th(a), 2)),
        (ndgrad.linalg.tensorsolve(nd(a), nd(b)), torch.linalg.tensorsolve(th(a), th(b))),
        (
            ndgrad.linalg.tensorsolve(nd(c), nd(b), dims=(0,)),
            torch.linalg.tensorsolve(th(c), th(b), dims=(0,)),
        ),
    ]
    for ours, theirs in pairs:
        assert tuple(ours.shape) == tuple(theirs.shape) and repr(ours.dtype) == repr(theirs.dtype)
        np.testing.assert_allclose(to_numpy(ours), to_numpy(theirs), rtol=1e-4, atol=1e-5)
    x, y = nd(a.astype(np.float64), True), th(a.astype(np.float64), True)
    g = np.random.default_rng(10).standard_normal((6, 3, 2))
    ndgrad.linalg.tensorinv(x, 2).backward(nd(g))
    torch.linalg.tensorinv(y, 2).backward(th(g))
    np.testing.assert_allclose(to_numpy(x.grad), to_numpy(y.grad), rtol=1e-10)
    cases = [
        lambda m: m.linalg.tensorinv(m.zeros(2, 3, 4), ind=0),
        lambda m: m.linalg.tensorinv(m.zeros(2, 3, 4), ind=1),
        lambda m: m.linalg.tensorinv(m.zeros(2, 3, 4), ind=1.0),
        lambda m: m.linalg.tensorinv([1.0], ind=1),
        lambda m: m.linalg.tensorinv(m.zeros(3, 3), ind=1),
        lambda m: m.linalg.tensorsolve(m.zeros(2, 3, 4), m.zeros(2)),
        lambda m: m.linalg.tensorsolve(m.zeros(2, 2, 2, 2), m.ones(2, 2)),
        lambda m: m.linalg.tensorsolve(m.zeros(2, 3, 6), m.zeros(3, 2), dims=1),
        lambda m: m.linalg.tensorsolve(m.zeros(2, 3, 6), m.zeros(3, 2), dims=(0, 3)),
    ]
    for case in cases:
        with pytest.raises(Exception) as theirs_e:
            case(torch)
        with pytest.raises(Exception) as ours_e:
            case(ndgrad)
        assert str(ours_e.value) == str(theirs_e.value)
        assert type(ours_e.value).__name__.lstrip("_") == type(theirs_e.value).__name__.lstrip("_")


# --- pooling a non-tensor: PyTorch's TypeError, not an AttributeError from inside ---------------

_POOLS = [
    ("max_pool1d", lambda F, x: F.max_pool1d(x, 2)),
    ("max_pool1d_with_indices", lambda F, x: F.max_pool1d(x, 2, return_indices=True)),
    ("max_pool2d", lambda F, x: F.max_pool2d(x, 2)),
    ("max_pool2d_with_indices", lambda F, x: F.max_pool2d(x, 2, return_indices=True)),
    ("max_pool2d_with_indices", lambda F, x: F.max_pool2d_with_indices(x, 2)),
    ("max_pool3d", lambda F, x: F.max_pool3d(x, 2)),
    ("avg_pool1d", lambda F, x: F.avg_pool1d(x, 2)),
    ("avg_pool2d", lambda F, x: F.avg_pool2d(x, 2)),
    ("avg_pool3d", lambda F, x: F.avg_pool3d(x, 2)),
]


@pytest.mark.parametrize(("op", "call"), _POOLS)
def test_pooling_a_non_tensor(op: str, call: object) -> None:
    message = f"{op}(): argument 'input' (position 1) must be Tensor, not list"
    with pytest.raises(TypeError) as e:
        call(ndgrad.nn.functional, [[1.0, 2.0]])  # type: ignore[operator]
    assert str(e.value) == message


@requires_torch
@pytest.mark.parametrize(("op", "call"), _POOLS)
def test_pooling_a_non_tensor_parity(op: str, call: object) -> None:
    with pytest.raises(TypeError) as theirs:
        call(torch.nn.functional, (1.0, 2.0))  # type: ignore[operator]
    with pytest.raises(TypeError) as ours:
        call(ndgrad.nn.functional, (1.0, 2.0))  # type: ignore[operator]
    assert str(ours.value) == str(theirs.value)


# --- Size: a slice, a concatenation and a repetition are Sizes --------------------------------


def test_size_slices_and_concatenations_are_sizes() -> None:
    s = ndgrad.zeros(2, 3, 5).shape
    for value, expected in [
        (s[1:], (3, 5)),
        (s[::-1], (5, 3, 2)),
        (s[:0], ()),
        (s + (7,), (2, 3, 5, 7)),  # noqa: RUF005
        ((7,) + s, (7, 2, 3, 5)),  # noqa: RUF005
        (s + s, (2, 3, 5, 2, 3, 5)),
        (s * 2, (2, 3, 5, 2, 3, 5)),
        (2 * s, (2, 3, 5, 2, 3, 5)),
    ]:
        assert type(value) is ndgrad.Size and value == expected
        assert repr(value) == f"torch.Size({list(expected)})"
    assert type(s[0]) is int and s[-1] == 5 and s[1:].numel() == 15
    with pytest.raises(TypeError, match=r"^can only concatenate tuple \(not list\) to torch.Size$"):
        s + [1]  # type: ignore[operator]  # noqa: RUF005
    with pytest.raises(TypeError, match="^can't multiply sequence by non-int of type 'float'$"):
        s * 1.5  # type: ignore[operator]


@requires_torch
def test_size_parity() -> None:
    ours, theirs = ndgrad.zeros(4, 1, 3).shape, torch.zeros(4, 1, 3).shape
    for op in (
        lambda s: s[1:],
        lambda s: s[-2:],
        lambda s: s[0],
        lambda s: s + (2,),  # noqa: RUF005
        lambda s: (2,) + s,  # noqa: RUF005
        lambda s: s * 3,
        lambda s: 0 * s,
    ):
        assert repr(op(ours)) == repr(op(theirs))
    for op in (lambda s: s + [2], lambda s: s * 2.0, lambda s: s[3]):  # noqa: RUF005
        with pytest.raises(Exception) as e_theirs:
            op(theirs)
        with pytest.raises(Exception) as e_ours:
            op(ours)
        assert type(e_ours.value) is type(e_theirs.value)
        assert str(e_ours.value) == str(e_theirs.value)


# --- empty_permuted and Tensor.dim_order -------------------------------------------------------


def test_empty_permuted_layout() -> None:
    t = ndgrad.empty_permuted((2, 3, 4), (1, 2, 0), dtype=ndgrad.int32)
    assert tuple(t.shape) == (2, 3, 4) and t.stride() == (1, 8, 2) and t.dtype == ndgrad.int32
    assert not t.is_contiguous() and t.dim_order() == (1, 2, 0)
    assert ndgrad.empty_permuted([2, 3], [0, 1]).is_contiguous()
    r = ndgrad.empty_permuted((2, 3), (1, 0), requires_grad=True)
    assert r.is_leaf and r.requires_grad and r._base is None
    assert ndgrad.empty_permuted((), ()).shape == ()
    with pytest.raises(RuntimeError, match=r"^Duplicate dim not allowed$"):
        ndgrad.empty_permuted((2, 3), (1, 1))
    with pytest.raises(
        RuntimeError, match=r"len\(size\) = 2 is not equal to len\(physical_layout\) = 3"
    ):
        ndgrad.empty_permuted((2, 3), (0, 1, 2))
    with pytest.raises(RuntimeError, match=r"between 0 and 1, but got -1 at index 0\)"):
        ndgrad.empty_permuted((2, 3), (-1, 0))


def test_dim_order() -> None:
    x = ndgrad.zeros(2, 3, 4, 5)
    assert x.dim_order() == (0, 1, 2, 3)
    assert x.permute(2, 0, 3, 1).dim_order() == (1, 3, 0, 2)
    assert x.contiguous(memory_format=ndgrad.channels_last).dim_order() == (0, 2, 3, 1)
    assert x[:, :, ::2].transpose(0, 1).dim_order() == (1, 0, 2, 3)
    assert ndgrad.zeros(()).dim_order() == () and ndgrad.zeros(3).dim_order() == (0,)
    assert ndgrad.zeros(4, 1).t().dim_order(ambiguity_check=[ndgrad.contiguous_format]) == (0, 1)
    with pytest.raises(RuntimeError, match="does not have unique dim order, or cannot map"):
        ndgrad.zeros(3, 1, 2).dim_order(ambiguity_check=True)
    with pytest.raises(RuntimeError, match=r"^The tensor does not have unique dim order\.$"):
        ndgrad.zeros(3, 2).t().expand(4, 2, 3).dim_order(ambiguity_check=True)
    with pytest.raises(TypeError, match="must be a bool or a list of memory formats"):
        x.dim_order(ambiguity_check=["channels_last"])  # type: ignore[list-item]


@requires_torch
def test_empty_permuted_and_dim_order_parity() -> None:
    rng = np.random.default_rng(12)
    for _ in range(200):
        n = int(rng.integers(1, 5))
        shape = tuple(int(v) for v in rng.choice([1, 2, 3], size=n))
        layout = tuple(int(v) for v in rng.permutation(n))
        ours, theirs = ndgrad.empty_permuted(shape, layout), torch.empty_permuted(shape, layout)
        assert ours.stride() == theirs.stride()
        ops = [
            lambda t: t,
            lambda t: t.transpose(0, -1),
            lambda t: t.narrow(0, 0, 1).expand(t.shape),
        ]
        for op in ops:
            for check in (False, True):
                results = []
                for t in (op(ours), op(theirs)):
                    try:
                        results.append(t.dim_order(ambiguity_check=check))
                    except RuntimeError as e:
                        results.append(str(e))
                assert results[0] == results[1], (shape, layout, check)
    for args in [((2, 3), (0, 0)), ((2, 3), (0,)), ((2, 3), (0, 2))]:
        with pytest.raises(RuntimeError) as theirs_e:
            torch.empty_permuted(*args)
        with pytest.raises(RuntimeError) as ours_e:
            ndgrad.empty_permuted(*args)
        assert str(ours_e.value) == str(theirs_e.value)


# --- DLPack capsules: ndgrad.utils.dlpack, and from_dlpack of a capsule shares memory ----------


def test_from_dlpack_of_a_capsule_shares_writeable_memory() -> None:
    dlpack = ndgrad.utils.dlpack
    x = ndgrad.arange(6.0).reshape(2, 3).t()
    capsule = dlpack.to_dlpack(x)
    y = dlpack.from_dlpack(capsule)
    assert y.stride() == x.stride() and y.tolist() == x.tolist()
    y[0, 1] = -7.0
    assert x[0, 1].item() == -7.0
    x.add_(1)
    assert y[0, 0].item() == 1.0
    with pytest.raises(RuntimeError, match="capsules can be consumed only once"):
        ndgrad.from_dlpack(capsule)
    assert dlpack.__all__ == ["from_dlpack"] and "dlpack" in dir(ndgrad.utils)


@requires_torch
def test_dlpack_capsule_parity() -> None:
    for lib in (ndgrad, torch):
        t = lib.arange(4)
        capsule = lib.utils.dlpack.to_dlpack(t)
        assert repr(capsule).startswith('<capsule object "dltensor" at')
        u = lib.from_dlpack(capsule)
        u[0] = -9
        assert t.tolist() == [-9, 1, 2, 3]
    with pytest.raises(RuntimeError) as theirs:
        c = torch.utils.dlpack.to_dlpack(torch.ones(2))
        torch.from_dlpack(c), torch.from_dlpack(c)
    with pytest.raises(RuntimeError) as ours:
        c = ndgrad.utils.dlpack.to_dlpack(ndgrad.ones(2))
        ndgrad.from_dlpack(c), ndgrad.from_dlpack(c)
    assert str(ours.value) == str(theirs.value)
