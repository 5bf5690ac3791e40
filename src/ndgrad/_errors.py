"""Error messages shared across modules, worded as PyTorch words them (kept here for review)."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from .dtypes import dtype_name

NO_GRAD_FN = "element {index} of tensors does not require grad and does not have a grad_fn"
IMPLICIT_GRAD = "grad can be implicitly created only for scalar outputs"
NON_LEAF_REQUIRES_GRAD = (
    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
    "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
)
INT_REQUIRES_GRAD = "Only Tensors of floating point and complex dtype can require gradients"
INT_REQUIRES_GRAD_ = "only Tensors of floating point dtype can require gradients"
NUMPY_REQUIRES_GRAD = (
    "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
)
AMBIGUOUS_BOOL = "Boolean value of Tensor with more than one value is ambiguous"
LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_INPLACE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
INTERNAL_OVERLAP = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)
PARTIAL_OVERLAP = (
    "unsupported operation: some elements of the input tensor and the written-to tensor refer to "
    "a single memory location. Please clone() the tensor before performing the operation."
)


# How PyTorch's C++ messages name dtypes ("expected m1 and m2 to have the same dtype, but got:
# float != double").
_C_TYPE_NAMES = {
    "float16": "c10::Half",
    "float32": "float",
    "float64": "double",
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "bool": "bool",
}


def no_forward_ad(op: str) -> str:
    """PyTorch's refusal of forward AD through an op whose derivative it marks not implemented."""
    return f"Trying to use forward AD with {op} that does not support it."


def no_forward_ad_yet(op: str) -> str:
    """PyTorch's refusal of forward AD through an op that has no forward formula."""
    return (
        f"Trying to use forward AD with {op} that does not support it because it has not been "
        "implemented yet.\nPlease file an issue to PyTorch at "
        "https://github.com/pytorch/pytorch/issues/new?template=feature-request.yml so that we "
        "can prioritize its implementation or submit a PR adding the implementation to "
        "derivatives.yaml"
    )


def c_type_name(dt: Any) -> str:
    """``dt`` (a numpy dtype or its name) as PyTorch's C++ messages name it."""
    name = getattr(dt, "name", dt)
    return _C_TYPE_NAMES.get(name, name)


def py_type_name(obj: Any) -> str:
    """The name PyTorch's messages give ``obj``'s type (CPython's tp_name: numpy's types carry
    their module, numpy.ndarray, numpy.bool; builtins and Python classes do not)."""
    t = type(obj)
    return f"numpy.{t.__name__}" if t.__module__ == "numpy" else t.__name__


def op_name(node_name: str) -> str:
    """A node's name as PyTorch's messages show it: ``Backward0`` dropped (SigmoidBackward0 ->
    Sigmoid), only ``Backward`` from other numbers (SqueezeBackward1 -> Squeeze1), C++ nodes
    (``torch::autograd::CopySlices``) as they are."""
    if node_name.startswith("torch::"):
        return node_name
    return node_name.removesuffix("Backward0").replace("Backward", "")


MULTI_OUTPUT_VIEW_INPLACE = (
    "Output {nr} of {fn} is a view and is being modified inplace. This view is the output of a "
    "function that returns multiple views. Such functions do not allow the output views to be "
    "modified inplace. You should replace the inplace operation by an out-of-place one."
)
DETACH_VIEW_INPLACE = (
    "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel "
    "(DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP "
    "buckets, and hence detach_() cannot be called on these gradients. To fix this error, please "
    "refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
)
# PyTorch's words, its missing space included (two C++ literals joined).
DETACHED_SAVED = (
    "Trying to use a saved tensor that has been detached in-place, i.e. with .detach_()."
    "This is not supported, please use out-of-place `.detach()` instead"
)
STALE_MULTI_OUTPUT_VIEW = (
    "Output {nr} of {fn} is a view and its base or another view of its base has been modified "
    "inplace. This view is the output of a function that returns multiple views. Such functions "
    "do not allow the output views to be modified inplace. You should replace the inplace "
    "operation by an out-of-place one."
)
STALE_NO_GRAD_MULTI_OUTPUT_VIEW = (
    "A view was created in no_grad mode and its base or another view of its base has been "
    "modified inplace with grad mode enabled. This view is the output of a function that returns "
    "multiple views. Such functions do not allow the output views to be modified inplace. You "
    "should replace the inplace operation by an out-of-place one."
)
NO_GRAD_MULTI_OUTPUT_VIEW_INPLACE = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. "
    "This view is the output of a function that returns multiple views. Such functions do not "
    "allow the output views to be modified inplace. You should replace the inplace operation by "
    "an out-of-place one."
)
NO_GRAD_VIEW_INPLACE = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. "
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your "
    "code by moving both the view and the inplace either both inside the no_grad block (if you "
    "don't want the inplace to be tracked) or both outside (if you want the inplace to be "
    "tracked)."
)
NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information."
)


def shape_str(shape: Sequence[int]) -> str:
    return f"torch.Size({list(shape)})"


def dim_out_of_range(dim: int, ndim: int) -> IndexError:
    low, high = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    return IndexError(
        f"Dimension out of range (expected to be in range of [{low}, {high}], but got {dim})"
    )


def broadcast_mismatch(a: Sequence[int], b: Sequence[int]) -> RuntimeError:
    """PyTorch's message for two shapes that do not broadcast (compared from the right)."""
    for i in range(1, min(len(a), len(b)) + 1):
        x, y = a[-i], b[-i]
        if x != y and x != 1 and y != 1:
            return RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {max(len(a), len(b)) - i}"
            )
    return RuntimeError(f"shapes {list(a)} and {list(b)} cannot be broadcast together")


def check_broadcast(*shapes: Sequence[int]) -> None:
    """Raise PyTorch's message for the first pair of shapes, left to right, that does not
    broadcast. PyTorch's elementwise kernels check the shapes before the dtypes (a float
    tensor given to gcd with a shape that does not fit reports the shapes, not the dtype)."""
    acc: Sequence[int] = shapes[0]
    for s in shapes[1:]:
        try:
            acc = np.broadcast_shapes(tuple(acc), tuple(s))
        except ValueError:
            raise broadcast_mismatch(acc, s) from None


def empty_result(*operands: Any) -> bool:
    """Whether an elementwise op of ``operands`` (tensors or numbers) has no elements: its
    kernel then runs on nothing, so raises nothing (an empty int tensor // 0 is empty).
    PyTorch's message where the shapes do not broadcast, which it checks first."""
    shapes = [tuple(x._data.shape) for x in operands if hasattr(x, "_data")]
    if not shapes:
        return False
    check_broadcast(*shapes)
    return 0 in np.broadcast_shapes(*shapes)


def not_implemented(kernel: str, dt: np.dtype) -> NotImplementedError:
    """PyTorch's error for a dtype a kernel does not support (a RuntimeError subclass)."""
    return NotImplementedError(f"\"{kernel}\" not implemented for '{dtype_name(dt)}'")


def floating_only(input: Any, kernel: str) -> None:
    """PyTorch's error for an integer or bool tensor given to a kernel of floats only (the
    activations: "elu_cpu" not implemented for 'Long'). Not a tensor: the caller's own error."""
    dt = getattr(getattr(input, "_data", None), "dtype", None)
    if dt is not None and dt.kind != "f":
        raise not_implemented(kernel, dt)


def cannot_cast(result: np.dtype, out: np.dtype) -> RuntimeError:
    """PyTorch's error for a result written into a tensor of a lower dtype category."""
    return RuntimeError(
        f"result type {dtype_name(result)} can't be cast to the desired output type "
        f"{dtype_name(out)}"
    )


def check_inplace_shape(out: tuple[int, ...], value: tuple[int, ...]) -> None:
    """PyTorch's errors for writing a value of shape ``value`` into a tensor of shape ``out``
    in place: the two must broadcast, to ``out`` itself."""
    if value == out:
        return
    try:
        shape = np.broadcast_shapes(value, out)
    except ValueError:
        raise broadcast_mismatch(out, value) from None
    if shape != out:
        raise RuntimeError(
            f"output with shape {list(out)} doesn't match the broadcast shape {list(shape)}"
        )


def is_dense(a: np.ndarray) -> bool:
    """True if ``a`` covers a block of memory with no gaps and no repeats (any dim order)."""
    if a.flags.c_contiguous or a.flags.f_contiguous:
        return True
    expected = a.itemsize
    for stride, n in sorted((st, n) for n, st in zip(a.shape, a.strides, strict=True) if n != 1):
        if stride != expected:
            return False
        expected *= n
    return True


def check_no_partial_overlap(dst: np.ndarray, src: Any) -> None:
    """Refuse an in-place write whose source partly overlaps its destination, as PyTorch does.

    The same memory in the same layout (``x.mul_(x)``) is fine, and so is memory that does not
    overlap. Where either side has gaps PyTorch does not try to tell, and neither does this.
    """
    if type(src) is not np.ndarray or src is dst or not dst.size or not src.size:
        return
    if not np.may_share_memory(dst, src) or not (is_dense(dst) and is_dense(src)):
        return
    if (
        dst.__array_interface__["data"][0] == src.__array_interface__["data"][0]
        and dst.shape == src.shape
        and all(
            n == 1 or a == b for n, a, b in zip(dst.shape, dst.strides, src.strides, strict=True)
        )
    ):
        return  # the same elements in the same order (a size-1 dim's stride means nothing)
    raise RuntimeError(PARTIAL_OVERLAP)


def check_no_overlap(dst: np.ndarray, src: np.ndarray) -> None:
    """Refuse a write whose source shares any memory with its destination (index_put_)."""
    if dst.size and src.size and np.may_share_memory(dst, src):
        raise RuntimeError(PARTIAL_OVERLAP)


def has_internal_overlap(a: np.ndarray) -> bool:
    """True if ``a`` repeats a memory location along some dim (an expanded tensor)."""
    if not a.size:
        return False
    flags = a.flags
    if not flags.writeable:
        return True
    if flags.c_contiguous or flags.f_contiguous:  # (the common case, without the loop)
        return False
    return any(st == 0 and n > 1 for n, st in zip(a.shape, a.strides, strict=True))


def may_overlap_itself(a: np.ndarray) -> bool:
    """False when ``a``'s strides show that no two of its elements share memory; True for an
    expanded tensor and for an ``unfold`` whose windows overlap (and, conservatively, for any
    layout the test cannot clear). The test: taken by increasing stride, each dim steps past
    all the memory that the dims before it span."""
    if a.size <= 1 or a.flags.c_contiguous or a.flags.f_contiguous:
        return False
    span = a.itemsize
    dims = sorted((abs(st), n) for n, st in zip(a.shape, a.strides, strict=True) if n > 1)
    for stride, n in dims:
        if stride < span:
            return True
        span += stride * (n - 1)
    return False


def same_memory(a: np.ndarray, b: np.ndarray) -> bool:
    """True if ``a`` and ``b`` are the same elements of the same memory in the same layout."""
    return (
        a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
        and a.shape == b.shape
        and a.strides == b.strides
        and a.dtype == b.dtype
    )


_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


# The warnings PyTorch gives once per process (TORCH_WARN_ONCE), by key, once given.
WARNED_ONCE: set[str] = set()


def warn_once(key: str, message: str, stacklevel: int | None = None) -> None:
    """``warnings.warn(message)`` the first time ``key`` comes here in this process; it points
    at the user's line (``user_stacklevel``) unless ``stacklevel`` is given (1: PyTorch's C++
    warnings that Python shows at the call's own frame)."""
    if key in WARNED_ONCE:
        return
    WARNED_ONCE.add(key)
    level = user_stacklevel(2) if stacklevel is None else stacklevel
    warnings.warn(message, UserWarning, stacklevel=level + 1)


def user_stacklevel(skip: int = 1) -> int:
    """The ``stacklevel`` for ``warnings.warn`` that names the innermost caller outside ndgrad,
    where PyTorch's C++ warnings point (the line that called the op). ``skip`` frames up from
    this function's caller is the frame that calls ``warnings.warn`` (1: that caller itself)."""
    frame = sys._getframe(skip)
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level
