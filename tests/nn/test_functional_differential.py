"""Regressions found by random differential testing of nn.functional's non-layer ops
against PyTorch (values, gradients and messages of each call in both libraries)."""

from __future__ import annotations

import numpy as np
import pytest
from tests.helpers import requires_torch, torch

import ndgrad
import ndgrad.nn.functional as F


def _both(fn_name: str, arrays: list[np.ndarray], *args: object, **kwargs: object) -> None:
    """Run F.<fn_name> in both libraries; compare values and the gradients of every input."""
    rng = np.random.default_rng(0)
    results = []
    for lib in (ndgrad, torch):
        xs = [lib.tensor(a.copy(), requires_grad=a.dtype.kind == "f") for a in arrays]
        out = getattr(lib.nn.functional, fn_name)(*xs, *args, **kwargs)
        g = rng.standard_normal(tuple(out.shape)).astype(arrays[0].dtype)
        rng = np.random.default_rng(0)
        out.backward(lib.tensor(g))
        grads = [x.grad.numpy() for x in xs if x.requires_grad]
        results.append((out.detach().numpy(), grads))
    (yn, gn), (yt, gt) = results
    np.testing.assert_allclose(yn, yt, rtol=1e-12, atol=1e-12)
    for a, b in zip(gn, gt, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


# --- pad(mode="circular") with a negative width: PyTorch crops, then wraps the cropped input


@pytest.mark.parametrize(
    ("pad", "row"),
    [
        ((1, -1), [2, 0, 1, 2]),
        ((-1, 1), [1, 2, 3, 1]),
        ((2, -1), [1, 2, 0, 1, 2]),
        ((-2, 2), [2, 3, 2, 3]),
    ],
)
def test_circular_pad_negative_width_wraps_the_cropped_input(pad, row):
    x = ndgrad.arange(8.0, dtype=ndgrad.float64).reshape(2, 4).requires_grad_()
    y = F.pad(x, pad, mode="circular")
    np.testing.assert_array_equal(y.detach().numpy()[0], row)
    # the gradient sums over the output positions that copy each input element
    y.sum().backward()
    counts = np.bincount(np.array(row, dtype=np.int64), minlength=4)
    np.testing.assert_array_equal(x.grad.numpy()[0], counts)


def test_circular_pad_negative_width_gradcheck():
    x = ndgrad.randn(1, 2, 4, 3, dtype=ndgrad.float64, requires_grad=True)
    fn = lambda t: F.pad(t, (2, -1, -1, 1), mode="circular")  # noqa: E731
    assert ndgrad.autograd.gradcheck(fn, (x,))
    assert ndgrad.autograd.gradgradcheck(fn, (x,))


@requires_torch
@pytest.mark.parametrize("pad", [(1, -1), (-1, 2), (2, -1, -1, 1), (0, -2, 1, -1, -1, 1)])
def test_circular_pad_negative_width_matches_torch(pad):
    shape = (1, 2, 3, 4, 4)[: 2 + len(pad) // 2]
    x = np.random.default_rng(1).standard_normal(shape)
    _both("pad", [x], pad, mode="circular")


# --- error messages: PyTorch's wording


def _message(call) -> str:
    with pytest.raises(Exception) as info:
        call()
    return f"{info.type.__name__}: {info.value}"


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            lambda: F.celu(ndgrad.ones(2), alpha=0.0),
            "RuntimeError: ZeroDivisionError: alpha cannot be 0 for CELU",
        ),
        (
            lambda: F.softshrink(ndgrad.ones(2), -1.0),
            "RuntimeError: lambda must be in range [0, 3.40282e+38] for input dtype Float, "
            "but found -1",
        ),
        (
            lambda: F.softshrink(ndgrad.ones(2, dtype=ndgrad.float64), -0.5),
            "RuntimeError: lambda must be in range [0, 1.79769e+308] for input dtype Double, "
            "but found -0.5",
        ),
        (
            lambda: F.softshrink(ndgrad.ones(2), float("nan")),
            "RuntimeError: lambda must be in range [0, 3.40282e+38] for input dtype Float, "
            "but found nan",
        ),
        (
            lambda: F.affine_grid(ndgrad.ones(2, 2, 3), [2, 2, 2], align_corners=False),
            "NotImplementedError: affine_grid only supports 4D and 5D sizes, for 2D and 3D affine "
            "transforms, respectively. Got size [2, 2, 2].",
        ),
        (
            lambda: F.affine_grid(ndgrad.ones(2, 3, 4), [2, 1, 2, 2], align_corners=False),
            "ValueError: Expected a batch of 2D affine matrices of shape Nx2x3 for size "
            "[2, 1, 2, 2]. Got torch.Size([2, 3, 4]).",
        ),
        (
            lambda: F.one_hot(ndgrad.tensor([-1, 2]), 3),
            "RuntimeError: Class values must be non-negative.",
        ),
        (
            lambda: F.one_hot(ndgrad.tensor([-1, 2])),
            "RuntimeError: Class values must be non-negative.",
        ),
        (
            lambda: F.one_hot(ndgrad.zeros(0, dtype=ndgrad.int64)),
            "RuntimeError: Can not infer total number of classes from empty tensor.",
        ),
        (
            lambda: F.one_hot(ndgrad.tensor([1, 5]), 3),
            "RuntimeError: Class values must be smaller than num_classes.",
        ),
    ],
)
def test_error_messages(call, expected):
    assert _message(call) == expected


def test_one_hot_of_an_empty_tensor_with_num_classes():
    assert F.one_hot(ndgrad.zeros(0, dtype=ndgrad.int64), 3).shape == (0, 3)


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            lambda: F.interpolate(ndgrad.ones(1, 1, 2, 2, 2), size=3, mode="bicubic"),
            "NotImplementedError: Input Error: Only 3D, 4D and 5D input Tensors supported (got 5D) "
            "for the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            "nearest-exact (got bicubic)",
        ),
        (
            lambda: F.interpolate(ndgrad.ones(1, 1, 2), size=3, mode="bicubic"),
            "NotImplementedError: Input Error: Only 3D, 4D and 5D input Tensors supported (got 3D) "
            "for the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            "nearest-exact (got bicubic)",
        ),
        (
            lambda: F.interpolate(ndgrad.ones(1, 1, 2), size=3, mode="bilinear"),
            "NotImplementedError: Got 3D input, but bilinear mode needs 4D input",
        ),
        (
            lambda: F.huber_loss(ndgrad.ones(2), ndgrad.ones(2), delta=0.0),
            "RuntimeError: huber_loss does not support non-positive values for delta.",
        ),
        (
            lambda: F.huber_loss(ndgrad.ones(2), ndgrad.ones(2), delta=-1.0),
            "RuntimeError: huber_loss does not support non-positive values for delta.",
        ),
        (
            lambda: F.pdist(ndgrad.ones(3, 2), p=-1.0),
            "RuntimeError: pdist only supports non-negative p values",
        ),
        (
            lambda: F.pad(ndgrad.ones(1, 2, 3), (1, 1), mode="reflect", value=1.0),
            'RuntimeError: Padding mode "reflect" doesn\'t take in value argument',
        ),
        (
            lambda: F.pad(ndgrad.ones(1, 2, 3, 3), (1, 1), mode="replicate", value=2.0),
            'RuntimeError: Padding mode "replicate" doesn\'t take in value argument',
        ),
        (
            lambda: F.one_hot(ndgrad.zeros(0, dtype=ndgrad.int64), 0),
            "RuntimeError: Can not infer total number of classes from empty tensor.",
        ),
    ],
)
def test_invalid_arguments_raise(call, expected):
    # before: huber_loss and pdist computed values for these arguments (huber_loss(1, 1,
    # delta=-1) gave -0.5), and pad ignored a value given to a non-constant mode
    assert _message(call) == expected


def test_reflect_pad_takes_a_zero_value():
    y = F.pad(ndgrad.ones(1, 2, 3), (1, 1), mode="reflect", value=0.0)
    assert y.shape == (1, 2, 5)


def test_affine_grid_empty_size_message_prints_size_as_given():
    call = lambda: F.affine_grid(ndgrad.ones(1, 2, 3), [1, 1, 0, 2], align_corners=False)  # noqa: E731
    assert _message(call) == (
        "ValueError: Expected non-zero, positive output size. Got [1, 1, 0, 2]"
    )


# --- embedding(max_norm=...): the scale max_norm / (norm + 1e-7) is worked out in double


def test_embedding_max_norm_scale_in_double_float32():
    w = ndgrad.tensor([[0.38, -0.4]], dtype=ndgrad.float32)
    F.embedding(ndgrad.tensor([0]), w, max_norm=0.5, norm_type=1.0)
    # float32 arithmetic on the scale gave [0.24358970, -0.25641021]
    scale = 0.5 / (float(np.float32(0.38) + np.float32(0.4)) + 1e-7)
    expected = (np.array([0.38, -0.4], dtype=np.float32) * np.float32(scale)).astype(np.float32)
    np.testing.assert_array_equal(w.numpy()[0], expected)
    np.testing.assert_array_equal(w.numpy()[0], np.array([0.24358973, -0.25641024], np.float32))


@requires_torch
def test_embedding_max_norm_float32_matches_torch_bitwise():
    w = np.array([[0.38, -0.4], [3.0, 1.25], [0.1, 0.2]], dtype=np.float32)
    wn, wt = ndgrad.tensor(w), torch.tensor(w)
    F.embedding(ndgrad.tensor([0, 1, 2]), wn, max_norm=0.5, norm_type=1.0)
    torch.nn.functional.embedding(torch.tensor([0, 1, 2]), wt, max_norm=0.5, norm_type=1.0)
    np.testing.assert_array_equal(wn.numpy(), wt.numpy())


def test_triplet_margin_loss_needs_inputs_of_one_ndim():
    # before: the 1D positive was broadcast against the 2D anchor and a loss returned
    call = lambda: F.triplet_margin_loss(ndgrad.ones(2, 3), ndgrad.ones(3), ndgrad.ones(2, 3))  # noqa: E731
    assert _message(call) == (
        "RuntimeError: The anchor, positive, and negative tensors are expected to have the same "
        "number of dimensions, but got: anchor 2D, positive 1D, and negative 2D inputs"
    )
    # a size-1 batch of the same ndim still broadcasts
    assert (
        F.triplet_margin_loss(ndgrad.ones(2, 3), ndgrad.ones(2, 3), ndgrad.ones(1, 3)).item() == 1
    )


# --- huber_loss keeps the input's dtype: a float64 target does not promote a float32 input


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_huber_loss_output_has_the_input_dtype(reduction):
    x = ndgrad.tensor([[0.5, -2.0], [3.0, 0.25]], dtype=ndgrad.float32, requires_grad=True)
    y = ndgrad.tensor([[0.0, 1.0], [0.0, 1.0]], dtype=ndgrad.float64)
    loss = F.huber_loss(x, y, reduction=reduction)
    assert loss.dtype == ndgrad.float32
    assert loss.grad_fn.name() == "HuberLossBackward0"
    d = np.array([[0.5, -3.0], [3.0, -0.75]])
    ref = np.where(np.abs(d) < 1, 0.5 * d * d, np.abs(d) - 0.5)
    ref = {"none": ref, "mean": ref.mean(), "sum": ref.sum()}[reduction]
    np.testing.assert_allclose(loss.detach().numpy(), ref, rtol=1e-6)
    x64 = ndgrad.tensor([[0.5, -2.0], [3.0, 0.25]], dtype=ndgrad.float64)
    assert F.huber_loss(x64, y.float(), reduction=reduction).dtype == ndgrad.float64


# --- ctc_loss with an input length of 0: no frames, so only the empty target is possible


def test_ctc_loss_zero_input_length():
    lp = ndgrad.full((3, 2, 3), -np.log(3.0), dtype=ndgrad.float64)
    targets, tlen = ndgrad.tensor([[0], [1]]), ndgrad.tensor([1, 0])
    loss = F.ctc_loss(lp, targets, ndgrad.tensor([0, 0]), tlen, blank=2, reduction="none")
    # before: both were log 3, as if the sequences had one frame
    assert loss.tolist() == [float("inf"), 0.0]
    assert np.signbit(loss.numpy()[1])  # PyTorch's -0.


def test_ctc_loss_zero_input_length_gradcheck():
    rng = np.random.default_rng(0)
    lp0 = np.log(rng.dirichlet([1.0, 1.0, 1.0], size=(3, 2)))
    targets, ilen, tlen = ndgrad.tensor([[0], [1]]), ndgrad.tensor([0, 3]), ndgrad.tensor([0, 1])

    def fn(x):
        return F.ctc_loss(x.log_softmax(2), targets, ilen, tlen, blank=2, reduction="sum")

    x = ndgrad.tensor(lp0, requires_grad=True)
    assert ndgrad.autograd.gradcheck(fn, (x,))
    y = fn(x)
    y.backward()
    assert np.all(x.grad.numpy()[:, 0] == 0)  # the no-frame sample adds nothing


@requires_torch
def test_ctc_loss_zero_input_length_matches_torch():
    lp = np.log(np.random.default_rng(0).dirichlet([1.0, 1.0, 1.0], size=(3, 2)))
    for zero_infinity in (False, True):
        for reduction in ("none", "sum", "mean"):
            out = []
            for lib in (ndgrad, torch):
                x = lib.tensor(lp, requires_grad=True)
                loss = lib.nn.functional.ctc_loss(
                    x,
                    lib.tensor([[0], [1]]),
                    lib.tensor([0, 2]),
                    lib.tensor([1, 0]),
                    blank=2,
                    reduction=reduction,
                    zero_infinity=zero_infinity,
                )
                loss.sum().backward()
                out.append((loss.detach().numpy(), x.grad.numpy()))
            np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-12)
            np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-12, atol=1e-15)


def test_ctc_loss_lengths_of_mixed_kinds_raise_type_error():
    lp = ndgrad.randn(3, 1, 3).log_softmax(2)
    with pytest.raises(TypeError) as info:
        F.ctc_loss(lp, ndgrad.tensor([[0]]), ndgrad.tensor([3]), (1,))
    assert str(info.value) == (
        "ctc_loss() received an invalid combination of arguments - got (Tensor, Tensor, Tensor, "
        "tuple, int, int, bool), but expected one of:\n"
        " * (Tensor log_probs, Tensor targets, tuple of ints input_lengths, tuple of ints "
        "target_lengths, int blank = 0, int reduction = at::Reduction::Mean, bool zero_infinity "
        "= False)\n"
        "      didn't match because some of the arguments have invalid types: (Tensor, Tensor, "
        "!Tensor!, !tuple of (int,)!, !int!, !int!, !bool!)\n"
        " * (Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths, int "
        "blank = 0, int reduction = at::Reduction::Mean, bool zero_infinity = False)\n"
        "      didn't match because some of the arguments have invalid types: (Tensor, Tensor, "
        "Tensor, !tuple of (int,)!, !int!, !int!, !bool!)\n"
    )
    # both lengths as sequences, or both as tensors, still work
    assert F.ctc_loss(lp, ndgrad.tensor([[0]]), (3,), [1]).shape == ()


@requires_torch
@pytest.mark.parametrize("kinds", [("tensor", "list"), ("list", "tensor"), ("tuple", "tensor")])
def test_ctc_loss_lengths_of_mixed_kinds_match_torch(kinds):
    def make(lib, kind, values):
        return (
            lib.tensor(values) if kind == "tensor" else {"list": list, "tuple": tuple}[kind](values)
        )

    messages = []
    for lib in (ndgrad, torch):
        lp = lib.zeros(3, 2, 3).log_softmax(2)
        il, tl = make(lib, kinds[0], [3, 2]), make(lib, kinds[1], [1, 1])
        with pytest.raises(TypeError) as info:
            lib.nn.functional.ctc_loss(lp, lib.tensor([[0], [1]]), il, tl)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
