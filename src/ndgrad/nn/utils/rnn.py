"""Variable-length sequences: pad_sequence, PackedSequence, pack_padded_sequence,
pad_packed_sequence, pack_sequence, unpad_sequence and unpack_sequence.

A PackedSequence stores the time steps of a batch of sequences sorted by decreasing length, one
after another: ``data`` holds step 0 of every sequence, then step 1 of those still running, and
so on; ``batch_sizes[t]`` says how many sequences run at step t. Packing and unpacking are built
from differentiable ops, so gradients flow through them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from ... import _errors
from ..._creation import full, tensor
from ..._namespace import public_dir
from ..._tensor import Tensor
from ...ops.indexing import index_select
from ...ops.shape import cat, stack

__all__ = [
    "PackedSequence",
    "PackedSequence_",
    "bind",
    "invert_permutation",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]
__dir__ = public_dir(__name__)


class PackedSequence(NamedTuple):
    """(data, batch_sizes, sorted_indices, unsorted_indices), as PyTorch's PackedSequence."""

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """The data converted with ``Tensor.to``; the index tensors stay as they are."""
        return self._replace(data=self.data.to(*args, **kwargs))

    def cpu(self) -> PackedSequence:
        return self

    def double(self) -> PackedSequence:
        return self.to(np.float64)

    def float(self) -> PackedSequence:
        return self.to(np.float32)

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def _lengths(lengths: Any) -> np.ndarray:
    if isinstance(lengths, Tensor):
        return np.asarray(lengths._data, np.int64).reshape(-1)
    return np.asarray(list(lengths), np.int64)


def pad_sequence(
    sequences: Sequence[Tensor] | Tensor,
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Stack sequences of different lengths (each ``(L_i, *)``) into ``(T, B, *)`` (or
    ``(B, T, *)`` with ``batch_first``), padding with ``padding_value``."""
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    items = list(sequences.unbind(0)) if isinstance(sequences, Tensor) else list(sequences)
    longest = max(s.shape[0] for s in items)
    trailing = tuple(items[0].shape[1:])
    padded = []
    for s in items:
        # PyTorch copies each sequence into its slot of the first one's trailing shape: one
        # that broadcasts to it is expanded, another is copy_'s error
        slot = (s.shape[0], *trailing)
        if tuple(s.shape) != slot:
            _errors.check_inplace_shape(slot, tuple(s.shape))
            s = s.expand((*slot,))
        missing = longest - s.shape[0]
        if missing:
            pad = full((missing, *s.shape[1:]), padding_value, dtype=s.dtype)
            s = cat([s, pad] if padding_side == "right" else [pad, s])
        padded.append(s)
    return stack(padded, 0 if batch_first else 1)


def pack_padded_sequence(
    input: Tensor, lengths: Any, batch_first: bool = False, enforce_sorted: bool = True
) -> PackedSequence:
    """Pack a padded batch ``(T, B, *)`` (``(B, T, *)`` with ``batch_first``) of sequences of
    the given lengths. Lengths must decrease unless ``enforce_sorted=False``."""
    lens = _lengths(lengths)
    if enforce_sorted:
        if np.any(lens[1:] > lens[:-1]):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability."
            )
        sorted_indices = None
        order = np.arange(len(lens))
    else:
        order = np.argsort(-lens, kind="stable")
        sorted_indices = tensor(order, dtype=np.int64)
    if lens.size and lens.min() <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in 'lengths' "
            "that is <= 0"
        )
    if batch_first:
        input = input.transpose(0, 1)
    if sorted_indices is not None:
        input = index_select(input, 1, sorted_indices)
    lens = lens[order]
    steps = int(lens[0]) if lens.size else 0
    if steps > input.shape[0]:
        raise RuntimeError(
            f"Expected sequence length to be larger than or equal to {steps}, but got "
            f"{input.shape[0]}"
        )
    batch_sizes = np.array([(lens > t).sum() for t in range(steps)], np.int64)
    data = cat([input[t, : int(b)] for t, b in enumerate(batch_sizes)])
    unsorted = None if sorted_indices is None else tensor(np.argsort(order), dtype=np.int64)
    return PackedSequence(data, tensor(batch_sizes), sorted_indices, unsorted)


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Tensor, Tensor]:
    """Undo ``pack_padded_sequence``: the padded batch and each sequence's length (in the
    original order)."""
    data, batch_sizes = sequence.data, np.asarray(sequence.batch_sizes._data, np.int64)
    steps = len(batch_sizes)
    if total_length is not None and total_length < steps:
        raise ValueError(
            "Expected total_length to be at least the length of the longest sequence in "
            f"input, but got total_length={total_length} and max sequence length being {steps}"
        )
    batch = int(batch_sizes[0]) if steps else 0
    rows = []
    offset = 0
    for b in batch_sizes:
        b = int(b)
        piece = data[offset : offset + b]
        if b < batch:
            piece = cat(
                [piece, full((batch - b, *data.shape[1:]), padding_value, dtype=data.dtype)]
            )
        rows.append(piece)
        offset += b
    for _ in range(steps, total_length or steps):
        rows.append(full((batch, *data.shape[1:]), padding_value, dtype=data.dtype))
    padded = stack(rows, 0)
    lengths = np.array([(batch_sizes > i).sum() for i in range(batch)], np.int64)
    if sequence.unsorted_indices is not None:
        padded = index_select(padded, 1, sequence.unsorted_indices)
        lengths = lengths[np.asarray(sequence.unsorted_indices._data)]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, tensor(lengths)


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences of different lengths (decreasing unless enforce_sorted=False)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(
    padded_sequences: Tensor, lengths: Any, batch_first: bool = False
) -> list[Tensor]:
    """The list of sequences a padded batch holds, each cut to its length."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [
        seq[: int(n)] for seq, n in zip(padded_sequences.unbind(0), _lengths(lengths), strict=True)
    ]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences a PackedSequence holds (in their original order)."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


PackedSequence_ = PackedSequence  # PyTorch's name for the tuple base of PackedSequence


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation that undoes ``permutation`` (None stays None)."""
    if permutation is None:
        return None
    return tensor(np.argsort(np.asarray(permutation._data)), dtype=np.int64)


def bind(optional: Any, fn: Any) -> Any:
    """``fn(optional)``, or None when ``optional`` is None."""
    return None if optional is None else fn(optional)
