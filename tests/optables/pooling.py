"""Pooling and shuffle ops PyTorch exposes as ``torch.*`` (nn/_pooling.py), including
non-contiguous inputs; tests/nn/test_pooling.py covers the nn.functional forms and modes."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import OpInfo, Sample


def _np_pool1d(reduce):
    def ref(x, kernel_size, stride=None, padding=0):
        fill = -np.inf if reduce is np.max else 0.0
        xp = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(padding, padding)], constant_values=fill)
        win = sliding_window_view(xp, kernel_size, axis=-1)[..., :: stride or kernel_size, :]
        return reduce(win, axis=-1)

    return ref


def _np_max_pool3d(x, kernel_size):
    win = sliding_window_view(x, (kernel_size,) * 3, axis=(-3, -2, -1))
    return win[..., ::kernel_size, ::kernel_size, ::kernel_size, :, :, :].max(axis=(-3, -2, -1))


def _np_adaptive_avg1d(x, output_size):
    n = x.shape[-1]
    cols = []
    for i in range(output_size):
        start, end = i * n // output_size, -(-(i + 1) * n // output_size)
        cols.append(x[..., start:end].mean(-1))
    return np.stack(cols, -1)


def _np_pixel_shuffle(x, upscale_factor):
    r = upscale_factor
    *lead, c, h, w = x.shape
    y = x.reshape(*lead, c // (r * r), r, r, h, w)
    n = len(lead)
    y = y.transpose(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return y.reshape(*lead, c // (r * r), h * r, w * r)


def _np_pixel_unshuffle(x, downscale_factor):
    r = downscale_factor
    *lead, c, h, w = x.shape
    y = x.reshape(*lead, c, h // r, r, w // r, r)
    n = len(lead)
    y = y.transpose(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return y.reshape(*lead, c * r * r, h // r, w // r)


def _np_channel_shuffle(x, groups):
    n, c = x.shape[:2]
    return x.reshape(n, groups, c // groups, -1).swapaxes(1, 2).reshape(x.shape)


OPS = [
    OpInfo(
        "max_pool1d",
        lambda lib, x, **kw: lib.max_pool1d(x, **kw),
        _np_pool1d(np.max),
        [
            Sample(((2, 3, 8),), {"kernel_size": 2}),
            Sample(((3, 9),), {"kernel_size": 3, "stride": 2, "padding": 1}),
            Sample(((2, 4, 6),), {"kernel_size": 3, "stride": 1}, non_contiguous=True),
        ],
    ),
    OpInfo(
        "avg_pool1d",
        lambda lib, x, **kw: lib.avg_pool1d(x, **kw),
        _np_pool1d(np.mean),
        [
            Sample(((2, 3, 8),), {"kernel_size": 2}),
            Sample(((3, 9),), {"kernel_size": 3, "stride": 2, "padding": 1}),
            Sample(((2, 4, 6),), {"kernel_size": 3, "stride": 1}, non_contiguous=True),
        ],
    ),
    OpInfo(
        "max_pool3d",
        lambda lib, x, **kw: lib.max_pool3d(x, **kw),
        _np_max_pool3d,
        [
            Sample(((1, 2, 4, 4, 6),), {"kernel_size": 2}),
            Sample(((2, 4, 2, 6),), {"kernel_size": 2}, non_contiguous=True),
        ],
    ),
    OpInfo(
        "adaptive_avg_pool1d",
        lambda lib, x, **kw: lib.adaptive_avg_pool1d(x, **kw),
        _np_adaptive_avg1d,
        [
            Sample(((2, 3, 7),), {"output_size": 3}),
            Sample(((4, 5),), {"output_size": 4}, non_contiguous=True),
        ],
    ),
    OpInfo(
        "pixel_shuffle",
        lambda lib, x, **kw: lib.pixel_shuffle(x, **kw),
        _np_pixel_shuffle,
        [
            Sample(((2, 8, 2, 3),), {"upscale_factor": 2}),
            Sample(((9, 2, 2),), {"upscale_factor": 3}, non_contiguous=True),
        ],
    ),
    OpInfo(
        "pixel_unshuffle",
        lambda lib, x, **kw: lib.pixel_unshuffle(x, **kw),
        _np_pixel_unshuffle,
        [
            Sample(((2, 2, 4, 6),), {"downscale_factor": 2}),
            Sample(((1, 6, 6),), {"downscale_factor": 3}, non_contiguous=True),
        ],
    ),
    OpInfo(
        "channel_shuffle",
        lambda lib, x, **kw: lib.channel_shuffle(x, **kw),
        _np_channel_shuffle,
        [
            Sample(((2, 6, 2, 3),), {"groups": 3}),
            Sample(((2, 4, 3),), {"groups": 2}, non_contiguous=True),
        ],
    ),
]
