"""Random numbers: PyTorch's CPU generator and its samplers, value for value.

PyTorch's CPU generator is the 32-bit Mersenne Twister (MT19937) seeded the classic way
(``init_genrand`` with the low 32 bits of the seed); numpy's ``MT19937`` bit generator runs the
same recurrence, so this module sets its state from the seed and draws raw 32-bit words with
``random_raw``. Every sampler below turns those words into values exactly as PyTorch's CPU
kernels do (ATen's ``DistributionsHelper.h``, ``TransformationHelper.h`` and the CPU kernels in
``native/cpu``): which words it takes (one 32-bit word, or two joined into 64 bits), how it masks
them into a float, the order of the arithmetic and its rounding. So
``torch.manual_seed(0); torch.rand(3)`` prints PyTorch's ``tensor([0.4963, 0.7682, 0.0885])``.
The table of what is bit-identical is in docs/random.md.
"""

from __future__ import annotations

import math
import os
import struct
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from . import _cxx_sort, _errors
from ._args import check_dims, parse_shape, size_args
from ._creation import _finish
from ._device import check_device
from ._device import device as _cpu_device
from ._kernels import fma_np
from ._kernels import libm as _libm
from ._layout import empty_like_torch
from ._tensor import Tensor
from .autograd._views import Zero
from .autograd.grad_mode import _state
from .dtypes import dtype_name, get_default_dtype, to_dtype

__all__ = [
    "Generator",
    "bernoulli",
    "default_generator",
    "fork_rng",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "multinomial",
    "normal",
    "poisson",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
    "seed",
    "set_rng_state",
]

_DEFAULT_SEED = 67280421310721  # PyTorch's default seed (c10's default_rng_seed_val)
_N = 624  # words of Mersenne Twister state
_STATE_BYTES = 5056  # sizeof(CPUGeneratorImplState): PyTorch's get_rng_state() layout
_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_MASK24, _MASK53 = np.uint64((1 << 24) - 1), np.uint64((1 << 53) - 1)
_TWO_PI = 2.0 * math.pi
_SMALL = 1 << 14  # below this many words, draw them with random_raw (less call overhead)


def _mt_key(seed: int) -> np.ndarray:
    """The classic MT19937 initialisation (init_genrand) from the low 32 bits of ``seed``."""
    key = np.empty(_N, dtype=np.uint32)
    s = seed & 0xFFFFFFFF
    key[0] = s
    for j in range(1, _N):
        s = (1812433253 * (s ^ (s >> 30)) + j) & 0xFFFFFFFF
        key[j] = s
    return key


def _check_seed(seed: Any) -> int:
    seed = int(seed)
    if not -(1 << 63) <= seed < (1 << 64):
        raise ValueError("Overflow when unpacking long long")
    return seed % (1 << 64)  # PyTorch reads a negative seed as its 64-bit two's complement


class Generator:
    """A random stream, as ``torch.Generator``: PyTorch's CPU Mersenne Twister.

    ``manual_seed`` it and pass it as ``generator=``; ``get_state``/``set_state`` use PyTorch's
    byte layout, so a state saved by PyTorch's ``torch.get_rng_state()`` loads here and back.
    """

    def __init__(self, device: Any = "cpu") -> None:
        check_device(device)
        self.device = _cpu_device("cpu")
        self._mt = np.random.MT19937(0)
        # numpy's Generator on the same bit generator: its full-range integers are the raw words
        self._words = np.random.Generator(self._mt).integers
        # and its legacy RandomState: randint(0, 2**k) masks each word (or 64-bit draw) to its low
        # k bits and never rejects one, so it gives the masked words in one C pass
        self._low_bits = np.random.RandomState(self._mt).randint
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        """Seed the stream (PyTorch keeps the 64-bit seed; the twister takes its low 32 bits)."""
        seed = _check_seed(seed)
        self._seed = seed
        self._mt.state = {"bit_generator": "MT19937", "state": {"key": _mt_key(seed), "pos": _N}}
        self._fresh = True  # seeded, nothing drawn: PyTorch's state records next=0 here
        self._normal: float | None = None  # Box-Muller's second value, kept for the next draw
        self._normal_float: float | None = None
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        """Seed from the operating system's entropy and return the seed."""
        s = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(s)
        return s

    def get_state(self) -> Tensor:
        """The state as a uint8 tensor in PyTorch's layout (5056 bytes)."""
        st = self._mt.state["state"]
        pos = int(st["pos"])
        left, nxt = (1, 0) if self._fresh else (_N + 1 - pos, pos)
        head = struct.pack("<QiiQ", self._seed, left, 1, nxt)
        words = np.asarray(st["key"], dtype=np.uint32).astype("<u8").tobytes()
        normal = self._normal
        tail = struct.pack("<dddi", 0.0, normal or 0.0, 0.0, normal is not None) + b"\0" * 4
        nf = self._normal_float
        tail += struct.pack("<f?", nf or 0.0, nf is not None) + b"\0" * 3
        data = np.frombuffer(head + words + tail, dtype=np.uint8).copy()
        return Tensor._make(data)

    def set_state(self, new_state: Tensor) -> Generator:
        """Load a state from ``get_state`` (this library's or PyTorch's)."""
        if not isinstance(new_state, Tensor) or new_state._data.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        raw = new_state._data.reshape(-1).tobytes()
        if len(raw) != _STATE_BYTES:
            raise RuntimeError(
                f"Expected a CPUGeneratorImplState of size {_STATE_BYTES} but found the input "
                f"RNG state size to be {len(raw)}"
            )
        seed, left, seeded, nxt = struct.unpack_from("<QiiQ", raw, 0)
        if not (seeded and 0 < left <= _N and nxt <= _N):
            raise RuntimeError("Invalid mt19937 state")
        key = np.frombuffer(raw, dtype="<u8", count=_N, offset=24).astype(np.uint32)
        _, normal_y, _, normal_valid = struct.unpack_from("<dddi", raw, 24 + 8 * _N)
        nf, nf_valid = struct.unpack_from("<f?", raw, 24 + 8 * _N + 32)
        self._seed = seed
        self._mt.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": _N + 1 - left}}
        self._fresh = left == 1 and nxt == 0
        self._normal = normal_y if normal_valid else None
        self._normal_float = nf if nf_valid else None
        return self

    def __repr__(self) -> str:
        return f"<ndgrad.Generator object at {id(self):#x}>"

    # --- raw words ------------------------------------------------------------------------
    def _raw32(self, n: int) -> np.ndarray:
        """``n`` 32-bit outputs of the twister (PyTorch's ``random()``), as uint32."""
        if n <= 0:
            return np.zeros(0, dtype=np.uint32)
        self._fresh = False
        if n < _SMALL:  # random_raw has less call overhead; its words come as uint64
            return self._mt.random_raw(n).astype(np.uint32)
        return self._words(0, 1 << 32, n, dtype=np.uint32)  # full range: one raw word each

    def _raw64(self, n: int) -> np.ndarray:
        """``n`` 64-bit draws (PyTorch's ``random64()``: the first word is the high half, as
        numpy's MT19937 joins two words into 64 bits)."""
        if n <= 0:
            return np.zeros(0, dtype=np.uint64)
        self._fresh = False
        if n < _SMALL:
            r = self._mt.random_raw(2 * n)
            return (r[0::2] << np.uint64(32)) | r[1::2]
        return self._words(0, 1 << 64, n, dtype=np.uint64)

    def _skip(self, n: int) -> None:
        if n > 0:
            self._fresh = False
            self._mt.random_raw(n, output=False)


default_generator = Generator()


def _gen(generator: Generator | None) -> Generator:
    return default_generator if generator is None else generator


# --- the seed of the default generator ---------------------------------------------------------


def manual_seed(seed: int) -> Generator:
    """Seed the default random stream (rand, randn, randint, dropout, init, shuffling)."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default stream from the operating system's entropy; return the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state, as a uint8 tensor in PyTorch's layout."""
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    default_generator.set_state(new_state)


@contextmanager
def fork_rng(
    devices: Any = None,
    enabled: bool = True,
    _caller: str = "fork_rng",
    _devices_kw: str = "devices",
    device_type: str = "cpu",
) -> Iterator[None]:
    """Restore the default generator's state on exit (``torch.random.fork_rng``)."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


# --- uniform words -> floats (transformation::uniform_real) ------------------------------------


def _unit_f32(gen: Generator, n: int) -> np.ndarray:
    """U[0, 1) floats from the low 24 bits of one word each."""
    if n <= 0:
        return np.zeros(0, dtype=np.float32)
    gen._fresh = False
    if n < _SMALL:  # random_raw has the least call overhead; its words come as uint64
        r = gen._mt.random_raw(n)
        r &= _MASK24
        return np.multiply(r, np.float32(2.0**-24), dtype=np.float32, casting="unsafe")
    w = gen._low_bits(0, 1 << 24, n, dtype=np.uint32)  # the masked words, in one pass
    out = w.view(np.float32)  # the floats overwrite their words: one array, no copy
    out[...] = w.view(np.int32)  # int32 -> float32, then scale: faster than one multiply
    out *= np.float32(2.0**-24)  # casting uint32 (3.0 against 3.3 ms at 1,000,000)
    return out


def _bits53(gen: Generator, n: int) -> np.ndarray:
    """The low 53 bits of one 64-bit draw each: ``_unit_f64`` times 2**53."""
    if n < _SMALL:
        w = gen._raw64(n)
        w &= _MASK53
        return w
    gen._fresh = False
    return gen._low_bits(0, 1 << 53, n, dtype=np.uint64)  # the masked draws, in one pass


def _unit_f64(gen: Generator, n: int) -> np.ndarray:
    """U[0, 1) doubles from the low 53 bits of one 64-bit draw each."""
    w = _bits53(gen, n).view(np.int64)  # int64 -> float64 converts faster than uint64's
    out = w.view(np.float64)  # the doubles overwrite their words, as in _unit_f32: converting
    out[...] = w  # in place and then scaling is faster than one multiply casting its input
    out *= 2.0**-53  # (4.5 against 5.3-8 ms at 1,000,000, where numpy's random takes 4.1)
    return out


def _uniform(gen: Generator, n: int, dt: np.dtype, low: float, high: float) -> np.ndarray:
    """``uniform_real_distribution<opmath>(from, to)``: fma(x, to - from, from), in opmath."""
    if dt == _F64:
        u64 = _unit_f64(gen, n)
        return u64 if (low, high) == (0, 1) else fma_np(u64, high - low, low)
    lo, hi = np.float32(low), np.float32(high)
    u = _unit_f32(gen, n)
    out = u if (lo, hi) == (0, 1) else fma_np(u, hi - lo, lo)  # fma(u, 1, 0) is u
    if dt == _F32:
        return out
    # float16 rounds the float result; a value rounded up to `to` becomes `from` (PyTorch).
    res = out.astype(dt)
    res[res == dt.type(high)] = dt.type(low)
    return res


# --- normal: Box-Muller, scalar (cached pair) and 16-wide paths ----------------------------------


def _normal_scalar(gen: Generator, n: int, mean: float, std: float) -> np.ndarray:
    """``normal_distribution<double>`` drawn ``n`` times: values come in (cos, sin) pairs, the
    sin half cached in the generator for the next call (PyTorch's path below 16 elements)."""
    out = np.empty(n, dtype=np.float64)
    k = 0
    if n and gen._normal is not None:
        out[0], gen._normal, k = gen._normal, None, 1
    pairs = (n - k + 1) // 2
    if pairs:
        u = _unit_f64(gen, 2 * pairs)
        r = np.sqrt(-2.0 * _libm(math.log1p, -u[1::2]))
        theta = _TWO_PI * u[0::2]
        z = np.empty(2 * pairs)
        z[0::2], z[1::2] = r * _libm(math.cos, theta), r * _libm(math.sin, theta)
        out[k:] = z[: n - k]
        if (n - k) % 2:
            gen._normal = float(z[-1])
    return fma_np(out, std, mean)  # transformation::normal, fused


def _fma32(a: np.ndarray, b: Any, c: Any) -> np.ndarray:
    """``fma_np(a, b, c)`` for float32 operands without its argument checks: the product exact
    in double, the sum rounded to double and then to float."""
    t = np.multiply(a, b, dtype=np.float64)
    t += c
    return t.astype(np.float32)


def _log_f32(x: np.ndarray) -> np.ndarray:
    """Natural log of floats in [2**-24, 1] as AVX2 ``log256_ps`` (Cephes polynomial) computes
    it, with the multiply-adds the compiler fuses, so that the roundings match PyTorch's. (It
    first clamps x to FLT_MIN, which changes nothing in that range: randn's 1 - u.)"""
    f = np.float32
    bits = x.view(np.int32)
    mb = bits & ~0x7F800000
    mb |= 0x3F000000
    m = mb.view(np.float32)  # mantissa in [0.5, 1)
    small = m < f(0.707106781186547524)
    ei = bits >> 23  # the exponent, less one where the mantissa is small, made float once
    ei -= 0x7E
    ei -= small
    e = ei.astype(np.float32)
    x = m - f(1)
    x += m * small  # (np.add(..., where=small) is 7 times slower at 32,768 values)
    z = x * x
    # the polynomial's chain of multiply-adds in double, each result rounded to float and
    # back through one float buffer: no casting inside the ufuncs (at 32,768 values 24 against
    # 34 us per step with _fma32)
    x64 = x.astype(np.float64)
    y64 = x64 * float(f(7.0376836292e-2))
    y64 += float(f(-1.1514610310e-1))
    y = np.empty_like(x)
    for p in (
        1.1676998740e-1,
        -1.2420140846e-1,
        1.4249322787e-1,
        -1.6668057665e-1,
        2.0000714765e-1,
        -2.4999993993e-1,
        3.3333331174e-1,
    ):
        np.copyto(y, y64, casting="unsafe")
        np.copyto(y64, y)
        y64 *= x64
        y64 += float(f(p))
    np.copyto(y, y64, casting="unsafe")
    y *= x
    y = _fma32(y, z, e * f(-2.12194440e-4))
    y = _fma32(z, f(-0.5), y)  # fma(-z, 0.5, y): the product is exact either way
    y += x
    return _fma32(e, f(0.693359375), y)


def _sincos_f32(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """sin and cos of non-negative floats as AVX2 ``sincos256_ps`` computes them."""
    f = np.float32
    j = (x * f(1.27323954473516)).astype(np.int32)  # octant, rounded up to even
    j += 1
    j &= ~1
    y = j.astype(np.float32)
    x = _fma32(y, f(-0.78515625), x)  # x - j*pi/4 in three parts (Cody-Waite)
    x = _fma32(y, f(-2.4187564849853515625e-4), x)
    x = _fma32(y, f(-3.77489497744594108e-8), x)
    z = x * x
    yc = _fma32(z, f(2.443315711809948e-5), f(-1.388731625493765e-3))
    yc = _fma32(yc, z, f(4.166664568298827e-2))
    yc *= z
    yc = _fma32(yc, z, z * f(-0.5))  # fma(yc, z, -(z * 0.5)): exact products
    yc += f(1)
    ys = _fma32(z, f(-1.9515295891e-4), f(8.3321608736e-3))
    ys = _fma32(ys, z, f(-1.6666654611e-1))
    ys *= z
    ys = _fma32(ys, x, x)
    # choose the polynomials by octant and flip signs, on the bits in place (np.where is
    # slower): where bit 1 of j is set, sin takes the cos polynomial and cos the sin one
    jb, sb, cb = j.view(np.uint32), ys.view(np.uint32), yc.view(np.uint32)
    clear = jb & 2
    clear >>= 1
    clear -= np.uint32(1)  # all ones where bit 1 of j is clear
    d = sb ^ cb
    d &= clear
    sb ^= d  # the two exchanged where bit 1 of j is clear:
    cb ^= d
    s, c = cb, sb  # there sin is the sin polynomial, elsewhere the cos one
    sign = jb & 4  # sin is negative where bit 2 of j is set,
    sign <<= 29
    s ^= sign
    jb += np.uint32(2)  # cos where bit 2 of j + 2 is set (of j - 2 clear: j is even)
    jb &= np.uint32(4)
    jb <<= 29
    c ^= jb
    return s.view(np.float32), c.view(np.float32)


def _box_muller_16(u: np.ndarray, dt: np.dtype, mean: float, std: float) -> np.ndarray:
    """PyTorch's ``normal_fill_16`` on blocks of 16 uniforms (rows of ``u``): the first 8 give
    the radius, the last 8 the angle; cos fills the first half, sin the second."""
    u1, u2 = u[:, :8], u[:, 8:]  # the arithmetic below makes contiguous arrays of them
    out = np.empty_like(u)
    if dt == _F64:
        radius = np.sqrt(-2.0 * _libm(math.log, 1.0 - u1))
        theta = _TWO_PI * u2
        out[:, :8] = fma_np(radius * _libm(math.cos, theta), std, mean)
        out[:, 8:] = fma_np(radius * _libm(math.sin, theta), std, mean)
        return out
    f = np.float32
    radius = _log_f32(f(1.0) - u1)
    radius *= f(-2.0)
    np.sqrt(radius, out=radius)
    s, c = _sincos_f32(f(_TWO_PI) * u2)
    lo, hi = out[:, :8], out[:, 8:]
    np.multiply(radius, c, out=lo)
    np.multiply(radius, s, out=hi)
    if (mean, std) == (0, 1):  # fma(x, 1, 0) is x + 0 (which turns -0 into +0)
        lo += f(0)
        hi += f(0)
    else:
        lo[...] = _fma32(lo, f(std), f(mean))
        hi[...] = _fma32(hi, f(std), f(mean))
    return out


_CHUNK = 4096  # blocks of 16 normals transformed at a time


def _normal(
    gen: Generator, n: int, dt: np.dtype, mean: float, std: float, contiguous: bool = True
) -> np.ndarray:
    if n < 16 or not contiguous:  # PyTorch's vectorised fill needs a contiguous tensor
        return _to(_normal_scalar(gen, n, mean, std), dt)
    # 16 or more: n uniforms, Box-Muller on each full block of 16; a ragged end redraws 16
    # fresh uniforms and recomputes the last 16 values. float16 works in float32 blocks of 16
    # and so draws only the full blocks before the ragged end.
    work = _F64 if dt == _F64 else _F32
    full = n // 16 * 16
    drawn = full if dt == np.float16 else n
    u = _unit_f64(gen, drawn) if work == _F64 else _unit_f32(gen, drawn)
    blocks = u[:full].reshape(-1, 16)
    tail = None
    if n % 16:  # the ragged end's 16 fresh uniforms go through with the last piece
        tail = (_unit_f64(gen, 16) if work == _F64 else _unit_f32(gen, 16)).reshape(1, 16)
    out = np.empty(n, dtype=work)
    for i in range(0, len(blocks), _CHUNK):  # in cache-sized pieces: temporaries stay hot
        piece = blocks[i : i + _CHUNK]
        last = i + _CHUNK >= len(blocks)
        if last and tail is not None:
            piece = np.concatenate((piece, tail))
        part = _box_muller_16(piece, work, mean, std).reshape(-1)
        lo = 16 * i
        hi = min(lo + part.size, full)
        out[lo:hi] = part[: hi - lo]
        if last and tail is not None:  # the ragged end's block recomputes the last 16 values
            out[n - 16 :] = part[-16:]
    return out.astype(dt, copy=False)


# --- integers ------------------------------------------------------------------------------------

_I64 = np.dtype(np.int64)
# PyTorch 2.13 draws a 64-bit word per value for a range of 2**28 or more, whatever the dtype
# (int32's full range too), and a 32-bit one below (measured against torch.randint: the
# threshold is the same for int32, int64 and float64).
_WIDE_SPAN = 1 << 28


def _from_to(gen: Generator, n: int, dt: np.dtype, low: int, span: int) -> np.ndarray:
    """``uniform_int_from_to``: word % range + from."""
    if span >= _WIDE_SPAN:
        vals = _mod(gen._raw64(n), np.uint64(span))
    else:
        vals = _mod(gen._raw32(n), np.uint32(span))
    if low:
        vals += low
    return vals.astype(dt, copy=False)


def _mod(words: np.ndarray, span: np.unsignedinteger) -> np.ndarray:
    """``words % span`` as int64 (wrapping as C++'s casts do), computed as words - (words //
    span) * span: numpy divides integers by a number with multiplications and shifts
    (libdivide) but its remainder divides every value (1,000,000 uint32: 0.28 ms against 1.7)."""
    q = words // span
    q *= span
    return np.subtract(words, q, out=np.empty(words.shape, dtype=np.int64), casting="unsafe")


def _int_max(dt: np.dtype) -> int:
    """The modulus of ``random_()`` without bounds: 2**mantissa + 1 for floats, max + 1 else."""
    if dt.kind == "f":
        return (1 << (np.finfo(dt).nmant + 1)) + 1
    return int(np.iinfo(dt).max) + 1


def _random_full(gen: Generator, n: int, dt: np.dtype) -> np.ndarray:
    if dt == np.bool_:
        return (gen._raw32(n) & np.uint32(1)).astype(np.bool_)
    words = gen._raw64(n) if dt in (_F64, np.dtype(np.int64)) else gen._raw32(n)
    return (words % np.uint64(_int_max(dt))).astype(dt)


def _randperm(gen: Generator, n: int) -> np.ndarray:
    """Fisher-Yates as PyTorch's ``randperm_cpu``: for i = 0..n-2, swap i and i + word % (n - i)."""
    if n < _PERM_LOOP:  # a loop over the swaps costs less than the vectorised passes up to here
        perm = list(range(n))
        if n > 1:
            offsets = (gen._raw32(n - 1) % np.arange(n, 1, -1, dtype=np.uint64)).tolist()
            for i, z in enumerate(offsets):
                j = i + z
                perm[i], perm[j] = perm[j], perm[i]
        return np.array(perm, dtype=np.int64)
    if n < 1 << 31:  # 32-bit offsets and places: half the memory traffic of 64-bit ones
        j = (gen._raw32(n - 1) % np.arange(n, 1, -1, dtype=np.uint32)).view(np.int32)
        j += np.arange(n - 1, dtype=np.int32)
    else:  # spans of 2**32 and more: a 32-bit word is its own remainder
        j = gen._raw32(n - 1) % np.arange(n, 1, -1, dtype=np.uint64)
        j = j.view(np.int64) + np.arange(n - 1, dtype=np.int64)
    return _swaps_result(n, j)


_PERM_LOOP = 450  # below this many values a Python loop over the swaps is faster (measured)
_PERM_SORT = 1 << 16  # below this, the steps are grouped by place with one radix sort


def _swaps_result(n: int, j: np.ndarray) -> np.ndarray:
    """The result of the swaps (i, j[i]), i = 0, 1, ..., n - 2, with j[i] >= i, without a loop
    over i. ``j`` is overwritten when it is of the index type (int32 for n < 2**31 - 1).

    Position i is final after step i, and takes what place j[i] holds then. A place t holds, at
    step t, v(t): the value moved into it by the last earlier step k with j[k] = t (that is v(k)),
    or t itself if none. So v follows the chains of those "last mover" links to their roots
    (``_chain_roots``), and step i takes v(q) for q the previous step that moved a value into
    j[i], or j[i]'s own value if there was none (``_take_previous_*``).

    Random gathers and scatters over the n-long arrays bound the time, so the arrays are 32-bit
    (index arrays that numpy would convert per call are converted once, to intp) and few: at
    1,000,000 values an all-int64 variant (69 MB at its peak) page-faulted 13,000 times a call,
    as glibc gave its memory back each time; this peaks at 37 MB and does not.
    """
    if n < 2:
        return np.arange(n, dtype=np.int64)
    it = np.int32 if n < np.iinfo(np.int32).max else np.int64  # holds 0..n
    steps = np.arange(n - 1, dtype=it)
    place = j.astype(it, copy=False)  # the place step i moves the value of place i into
    stay = np.flatnonzero(place == steps)  # steps that swap a place with itself move nothing:
    place[stay] = n  # a spare place n, outside the result, keeps them out of the chains
    # per place, the last step that moved a value into it: a maximum, as numpy promises no order
    # for an assignment's repeated indices. Places none moved into keep low + t < 0.
    low = np.iinfo(it).min
    last = np.arange(low, low + n + 1, dtype=it)
    np.maximum.at(last, place, steps)
    into = np.flatnonzero(last >= 0)  # the places some step moved a value into (n: the spare)
    out = _chain_roots(last, into)[:n]
    keep = out[stay]
    if n < _PERM_SORT:  # numpy's stable sort of 16-bit keys is a radix sort
        order = np.argsort(place.astype(np.uint16), kind="stable")
        _take_previous_sorted(out, order, place[order])
    else:
        left = _take_last_movers(out, last, into, place)
        del j, place, steps, into  # memory for the rounds
        _take_previous_rounds(out, last, left)
    out[stay] = keep  # a step that moved nothing leaves v(i) at i
    return out


def _chain_roots(last: np.ndarray, active: np.ndarray) -> np.ndarray:
    """v(t) = v(last[t]) for the places t in ``active``, else t (``last[t] < 0``): pointer
    jumping, each round over the places whose chain has not reached its root yet (the chains are
    short: 6 rounds at 1,000,000)."""
    v = last & np.iinfo(last.dtype).max  # low + t -> t: the low bits
    while active.size:
        r = v[active]
        rr = np.take(v, r)  # np.take converts 32-bit indices faster than v[r] does
        v[active] = rr
        active = np.compress(rr != r, active)
    return v


def _take_previous_sorted(
    out: np.ndarray, step: np.ndarray, at: np.ndarray, after: np.ndarray | None = None
) -> None:
    """``out[k] = v(p)`` for p the step before k that moved a value into place at[k], or the
    place's own value if none; ``out`` holds v on entry, ``step`` is sorted by place ``at``, in
    order within a place. ``after``, per place: the step after the last of these, which takes
    v of it (from ``_take_previous_rounds``)."""
    first = np.empty(at.size, dtype=bool)
    first[0] = True
    np.not_equal(at[1:], at[:-1], out=first[1:])
    took = out[step]
    if after is not None:
        final = np.append(first[1:], True)
        out[np.take(after, at[final])] = took[final]
    took[1:] = took[:-1]  # each step takes v of the step before it into the same place...
    took[first] = at[first]  # ...or, the first, the place's own value
    out[step] = took


def _take_last_movers(
    out: np.ndarray, last: np.ndarray, into: np.ndarray, place: np.ndarray
) -> np.ndarray:
    """Round 0 of ``_take_previous_rounds``: the last step into each place (``last`` at the
    places ``into``) takes the place's own value for now. Returns the other steps as rows
    (step, place), in order."""
    w = last[into].astype(np.intp)
    out[w] = into
    later = np.ones(place.size, dtype=bool)
    later[w] = False
    rest = np.flatnonzero(later)
    left = np.empty((rest.size, 2), dtype=place.dtype)
    left[:, 0] = rest
    np.take(place, rest, out=left[:, 1])
    return left


def _take_previous_rounds(out: np.ndarray, last: np.ndarray, left: np.ndarray) -> None:
    """``_take_previous_sorted`` without a sort (numpy sorts 32-bit keys by comparisons; two
    16-bit radix passes cost more than this): round r finds each place's r-th last mover, the
    maximum over the steps not found yet. The winner of round r - 1 at a place takes v of the
    winner of round r there, which takes the place's own value until a later round finds an
    earlier step. Each round about halves the steps left; once one does not (a few crowded
    places left, or crafted input), a stable sort orders the rest. ``last`` holds round 0's
    winners; it is overwritten."""
    prev, cur = last, np.full(last.size, -1, dtype=last.dtype)
    while left.size:
        step = left[:, 0]
        at = left[:, 1].astype(np.intp)
        np.maximum.at(cur, at, step)
        win = np.take(cur, at) == step
        found = np.compress(win, left, axis=0)
        left = np.compress(~win, left, axis=0)
        w, into = found[:, 0].astype(np.intp), found[:, 1].astype(np.intp)
        q = np.take(prev, into).astype(np.intp)  # round r - 1's winner: the next step there
        prev[into] = -1  # cleared for round r + 1, which uses this array as cur
        out[q] = out[w]  # q takes v(w), read before w's own value is written below
        out[w] = into
        prev, cur = cur, prev
        if left.size > 2 * found.size:  # peeling one step a place per round would be slow
            order = np.argsort(left[:, 1], kind="stable")
            _take_previous_sorted(out, left[order, 0], left[order, 1], prev)
            return


# --- tensors -------------------------------------------------------------------------------------


def _float_dtype(d: Any) -> np.dtype:
    return to_dtype(d).np if d is not None else get_default_dtype().np


def _to(values: np.ndarray, dt: np.dtype) -> np.ndarray:
    """Cast as C++ does: a double becomes a half through float (c10::Half takes a float)."""
    if dt == np.float16 and values.dtype == _F64:
        values = values.astype(np.float32)
    return values.astype(dt, copy=False) if values.dtype.kind == "f" else values


def _memory_order(shape: tuple[int, ...], strides: tuple[int, ...]) -> tuple[int, ...]:
    """Axes from outermost to innermost in memory: the order PyTorch's kernels fill them in."""
    return tuple(sorted(range(len(shape)), key=lambda a: (-abs(strides[a]), a)))


def _in_memory_order(out: np.ndarray, values: np.ndarray, like: np.ndarray) -> np.ndarray:
    """Write the flat ``values`` into ``out`` (of like's shape) so that the i-th value lands on
    the element that is i-th in ``like``'s memory order; returns ``out``."""
    order = _memory_order(like.shape, like.strides)
    out.transpose(order)[...] = values.reshape([like.shape[a] for a in order])
    return out


def _fill(t: Tensor, sample: Callable[[int], np.ndarray]) -> Tensor:
    """Write ``sample(numel)`` into ``t`` in memory order, as an in-place op of autograd.

    A leaf that requires grad is refused as PyTorch refuses it; on a tensor that records, the
    result is a fresh value whose gradient to the old one is zero (PyTorch's ``NormalBackward``).
    """
    t._check_inplace()
    arr = t._data
    values = _to(sample(arr.size), arr.dtype)
    if arr.flags.c_contiguous or arr.ndim < 2:
        target = values.reshape(arr.shape)
    else:
        target = _in_memory_order(np.empty(arr.shape, dtype=values.dtype), values, arr)
    if _state.grad_enabled and t._requires_grad:
        const = Tensor._make(target.astype(arr.dtype, copy=False))
        return t._inplace(lambda s: Zero.apply(s, 0) + const)
    if not arr.flags.writeable:
        raise RuntimeError(_errors.INTERNAL_OVERLAP)
    np.copyto(arr, target, casting="unsafe")
    t._bump_version()
    return t


def _need_float(t: Tensor, kernel: str) -> np.dtype:
    dt = t._data.dtype
    if dt.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{dtype_name(dt)}'")
    return dt


def _fmt(x: float) -> str:
    """A number as PyTorch's messages print it (1 not 1.0)."""
    return f"{x:g}" if float(x) == x else str(x)


# In-place samplers: the methods Tensor.uniform_ ... Tensor.bernoulli_ call these.


def uniform_(
    t: Tensor, from_: float = 0.0, to: float = 1.0, *, generator: Generator | None = None
) -> Tensor:
    dt = _need_float(t, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={_fmt(from_)} > "
            f"to={_fmt(to)}"
        )
    g = _gen(generator)
    return _fill(t, lambda n: _uniform(g, n, dt, float(from_), float(to)))


def _check_std(std: float) -> None:
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")


def normal_(
    t: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Generator | None = None
) -> Tensor:
    dt = _need_float(t, "normal_kernel_cpu")
    _check_std(std)
    g = _gen(generator)
    contiguous = t._data.flags.c_contiguous
    return _fill(t, lambda n: _normal(g, n, dt, float(mean), float(std), contiguous))


def _dist_float(t: Tensor, name: str) -> None:
    if t._data.dtype.kind != "f":
        raise RuntimeError(
            f"{name} distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {dtype_name(t._data.dtype)}"
        )


def exponential_(t: Tensor, lambd: float = 1.0, *, generator: Generator | None = None) -> Tensor:
    _dist_float(t, "Exponential")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_fmt(lambd)}")
    g = _gen(generator)
    # -1/lambda * log1p(-u), in double
    return _fill(t, lambda n: (-1.0 / lambd) * _libm(math.log1p, -_unit_f64(g, n)))


def geometric_(t: Tensor, p: float, *, generator: Generator | None = None) -> Tensor:
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_fmt(p)}")
    g = _gen(generator)

    def sample(n: int) -> np.ndarray:
        u = _unit_f64(g, n)
        logs = np.full(n, -np.inf)
        logs[u > 0] = _libm(math.log, u[u > 0])
        return np.ceil(logs / math.log1p(-p))

    return _fill(t, sample)


def log_normal_(
    t: Tensor, mean: float = 1.0, std: float = 2.0, *, generator: Generator | None = None
) -> Tensor:
    _need_float(t, "log_normal_cpu")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_fmt(std)}")
    g = _gen(generator)
    return _fill(t, lambda n: _libm(math.exp, _normal_scalar(g, n, float(mean), float(std))))


def cauchy_(
    t: Tensor, median: float = 0.0, sigma: float = 1.0, *, generator: Generator | None = None
) -> Tensor:
    if t._data.dtype.kind != "f":  # PyTorch names the type as C++ does here
        raise RuntimeError(
            "Cauchy distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {_errors.c_type_name(t._data.dtype)}"
        )
    g = _gen(generator)
    # median + sigma * tan(pi * (u - 0.5)), in double
    return _fill(
        t, lambda n: fma_np(sigma, _libm(math.tan, math.pi * (_unit_f64(g, n) - 0.5)), median)
    )


_RANDOM_SIGNATURES = (
    " * (*, torch.Generator generator = None)\n"
    " * (int from, int to, *, torch.Generator generator = None)\n"
    " * (int to, *, torch.Generator generator = None)\n"
)


def _random_bounds(args: tuple[Any, ...], kw: dict[str, Any]) -> tuple[Any, Any]:
    """``(from, to)`` of ``random_``'s three forms; ``from`` (a Python keyword) and ``to`` may
    come as keywords, as PyTorch's argument parser accepts them."""
    bounds = [*args]
    names = {0: ("from", "to"), 1: ("to",)}.get(len(bounds), ())
    extra = [k for k in kw if k not in names]
    if len(bounds) > 2 or extra or ("from" in kw and "to" not in kw):
        got = [type(a).__name__ for a in args] + [f"{k}={type(v).__name__}" for k, v in kw.items()]
        shown = ", ".join(got) + (", " if kw and not args else "")
        raise TypeError(
            f"random_() received an invalid combination of arguments - got ({shown}), but "
            f"expected one of:\n{_RANDOM_SIGNATURES}"
        )
    if "from" in kw:
        bounds = [kw["from"], kw["to"]]
    elif "to" in kw:
        bounds.append(kw["to"])
    if len(bounds) == 1:
        return 0, bounds[0]
    return (bounds[0], bounds[1]) if bounds else (None, None)


def random_(t: Tensor, *args: Any, generator: Generator | None = None, **kw: Any) -> Tensor:
    """``random_()``, ``random_(to)`` and ``random_(from, to)`` as PyTorch draws them."""
    g = _gen(generator)
    dt = t._data.dtype
    from_, to = _random_bounds(args, kw)
    if to is None:
        return _fill(t, lambda n: _random_full(g, n, dt))
    low, high = int(from_), int(to)
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    return _fill(t, lambda n: _from_to(g, n, dt, low, high - low))


def bernoulli_(t: Tensor, p: Any = 0.5, *, generator: Generator | None = None) -> Tensor:
    """Ones with probability ``p`` (a number, or a tensor broadcast to ``t``)."""
    g = _gen(generator)
    if isinstance(p, Tensor):
        pd = np.broadcast_to(p._data, t._data.shape)
        if pd.dtype == _F64:
            return _fill(t, lambda n: _unit_f64(g, n) < pd.reshape(-1))
        # a float p draws float uniforms (24 bits) and compares in float
        return _fill(t, lambda n: _unit_f32(g, n) < pd.astype(np.float32).reshape(-1))
    p = float(p)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_fmt(p)}")
    # u < p for u = m / 2**53 is m < p * 2**53 (exact), that is m < ceil(p * 2**53): compare
    # the masked words, without making the doubles
    bound = np.uint64(math.ceil(p * 2.0**53))
    return _fill(t, lambda n: _bits53(g, n) < bound)


def dropout_noise(
    shape: tuple[int, ...],
    dtype: np.dtype,
    p: float,
    feature: bool = False,
    generator: Generator | None = None,
    like: np.ndarray | None = None,
) -> np.ndarray:
    """The multiplier of PyTorch's CPU dropout (its ``_dropout_impl``), for 0 < p < 1.

    ``bernoulli_(1 - p)`` on an empty tensor in the input's dtype, divided by ``1 - p``: a
    float16 tensor divides as PyTorch's kernel divides reduced floats by a number, multiplying
    by the float reciprocal of 1 - p. Feature dropout (dropout1d/2d/3d, PyTorch's
    ``make_feature_noise``) draws one value per (sample, channel): the shape is
    ``(N, C, 1, ..., 1)``, which broadcasts over the input. The dropped input is
    ``input * noise``. Plain dropout's noise is PyTorch's ``empty_like(input)``: given the
    input array as ``like``, it is laid out (and so drawn) in the input's memory order.
    """
    dt = np.dtype(dtype)
    if feature:
        shape = (*shape[:2], *(1,) * (len(shape) - 2))
    if feature or like is None:
        empty = _empty(tuple(shape), dt)
    else:
        empty = Tensor._make(empty_like_torch(like, dt))
    noise = bernoulli_(empty, 1.0 - p, generator=generator)._data
    return dropout_scale(noise, p)


def dropout_scale(noise: np.ndarray, p: float) -> np.ndarray:
    """``noise.div_(1 - p)`` as PyTorch's CPU kernel divides by a number: in the noise's dtype,
    except float16, which it multiplies by the float reciprocal of 1 - p."""
    dt = noise.dtype
    if dt == np.float16:
        return (noise.astype(np.float32) * (np.float32(1) / np.float32(1.0 - p))).astype(dt)
    return noise / dt.type(1.0 - p)


# --- torch.* functions ---------------------------------------------------------------------------


def _empty(shape: tuple[int, ...], dt: np.dtype) -> Tensor:
    return Tensor._make(np.empty(shape, dtype=dt))


def _sampled(t: Tensor, sample: Callable[[int, np.dtype], np.ndarray]) -> np.ndarray:
    """The values a sampler would write into the fresh tensor ``t``, in its memory order (a
    C-contiguous ``t`` takes the drawn array as it is)."""
    arr = t._data
    values = _to(sample(arr.size, arr.dtype), arr.dtype)
    if arr.flags.c_contiguous or arr.ndim < 2:
        return values.reshape(arr.shape)
    return _in_memory_order(arr, values, arr)


def _new_shape(size: tuple[Any, ...]) -> tuple[int, ...]:
    """``parse_shape(size)`` for a new tensor, refusing negative sizes as ``np.empty`` does;
    sizes given as plain non-negative ints skip parse_shape's general checks (its isinstance
    test against Sequence was a tenth of rand(1000)'s time)."""
    dims = size[0] if len(size) == 1 and type(size[0]) in (tuple, list) else size
    for d in dims:
        if type(d) is not int or d < 0:
            break
    else:
        return tuple(dims)
    return check_dims(parse_shape(size))


def _float_shape(
    size: tuple[Any, ...], dtype: Any, device: Any, kernel: str
) -> tuple[tuple[int, ...], np.dtype]:
    """The shape and floating dtype of a new tensor of samples, checked in PyTorch's order."""
    if device is not None:
        check_device(device)
    dt = _float_dtype(dtype)
    if dt.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{dtype_name(dt)}'")
    return _new_shape(size), dt


def _float_result(size: tuple[Any, ...], dtype: Any, device: Any, kernel: str) -> Tensor:
    shape, dt = _float_shape(size, dtype, device, kernel)
    return _empty(shape, dt)


def rand(
    *size: Any,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **kw: Any,
) -> Tensor:
    """Uniform samples in [0, 1)."""
    size = size_args("rand", size, kw)
    shape, dt = _float_shape(size, dtype, device, "check_uniform_bounds")
    g = default_generator if generator is None else generator
    return _finish(_uniform(g, math.prod(shape), dt, 0, 1).reshape(shape), requires_grad)


def randn(
    *size: Any,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **kw: Any,
) -> Tensor:
    """Standard normal samples."""
    size = size_args("randn", size, kw)
    shape, dt = _float_shape(size, dtype, device, "normal_kernel_cpu")
    g = default_generator if generator is None else generator
    return _finish(_normal(g, math.prod(shape), dt, 0, 1).reshape(shape), requires_grad)


_RANDINT_SIGNATURES = "".join(
    f" * ({head}tuple of ints size, *, {gen}Tensor out = None, torch.dtype dtype = None, "
    "torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool "
    "requires_grad = False)\n"
    for head in ("int high, ", "int low, int high, ")
    for gen in ("torch.Generator generator, ", "")
)


def randint(
    *args: Any,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    size: Any = None,
    **kw: Any,
) -> Tensor:
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high)."""
    check_device(device)
    if "high" in kw:  # by name, as PyTorch's argument parser takes them
        args = (*((kw.pop("low"),) if "low" in kw else ()), kw.pop("high"), *args)
    if size is not None:
        args = (*args, size)
    if len(args) == 2:
        low, high, shape = 0, args[0], args[1]
    elif len(args) == 3:
        low, high, shape = args
    else:
        got = ", ".join(type(a).__name__ for a in args)
        raise TypeError(
            f"randint() received an invalid combination of arguments - got ({got}), but expected "
            f"one of:\n{_RANDINT_SIGNATURES}"
        )
    dt = to_dtype(dtype).np if dtype is not None else _I64
    low, high = int(low), int(high)
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    shape = _new_shape((shape,))
    g = default_generator if generator is None else generator
    return _finish(_from_to(g, math.prod(shape), dt, low, high - low).reshape(shape), requires_grad)


def randperm(
    n: int,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **kw: Any,
) -> Tensor:
    """A random permutation of 0..n-1."""
    check_device(device)
    check_dims((n,))
    dt = to_dtype(dtype).np if dtype is not None else np.dtype(np.int64)
    return _finish(_randperm(_gen(generator), int(n)).astype(dt), requires_grad)


def _like(input: Tensor, dtype: Any) -> Tensor:
    """``empty_like(input, dtype=dtype)``: laid out as ``input`` (preserve_format), so the
    samplers fill it in input's memory order as PyTorch's ``*_like`` do."""
    dt = to_dtype(dtype).np if dtype is not None else input._data.dtype
    return Tensor._make(empty_like_torch(input._data, dt))


def rand_like(
    input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False, **kw: Any
) -> Tensor:
    check_device(device)
    t = _like(input, dtype)
    _need_float(t, "check_uniform_bounds")
    return _finish(
        _sampled(t, lambda n, dt: _uniform(default_generator, n, dt, 0, 1)), requires_grad
    )


def randn_like(
    input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False, **kw: Any
) -> Tensor:
    check_device(device)
    t = _like(input, dtype)
    _need_float(t, "normal_kernel_cpu")
    contiguous = t._data.flags.c_contiguous  # else PyTorch's scalar (not vectorised) fill
    return _finish(
        _sampled(t, lambda n, dt: _normal(default_generator, n, dt, 0, 1, contiguous)),
        requires_grad,
    )


def randint_like(
    input: Tensor,
    low: int,
    high: int | None = None,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **kw: Any,
) -> Tensor:
    check_device(device)
    if high is None:
        low, high = 0, low
    return _finish(random_(_like(input, dtype), int(low), int(high))._data, requires_grad)


def normal(
    mean: Any = 0.0,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **kw: Any,
) -> Tensor:
    """Normal samples: ``normal(mean, std, size)`` with numbers, or tensors for either.

    With a tensor, PyTorch draws standard normals of the broadcast shape, then scales by ``std``
    and adds ``mean``; with a number ``std`` it draws N(0, std) and adds the mean tensor.
    """
    g = _gen(generator)
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError("normal() missing required argument 'size'")
        t = normal_(
            _float_result((size,), dtype, device, "normal_kernel_cpu"),
            float(mean),
            float(std),
            generator=g,
        )
        return _finish(t._data, requires_grad)
    if st:
        if (std._data < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
    else:
        _check_std(float(std))
    dt = np.result_type(*(x._data.dtype for x in (mean, std) if isinstance(x, Tensor)))
    shape = (
        np.broadcast_shapes(*(x._data.shape for x in (mean, std) if isinstance(x, Tensor)))
        if not (mt and st)
        else _broadcast(mean, std)
    )
    if mt and not st:
        z = _normal(g, math.prod(shape), dt, 0.0, float(std)).reshape(shape)
        return _finish((z + mean._data).astype(dt), requires_grad)
    z = _normal(g, math.prod(shape), dt, 0.0, 1.0).reshape(shape)
    m = mean._data if mt else np.asarray(mean, dtype=dt)
    return _finish((z * std._data + m).astype(dt), requires_grad)


def _broadcast(a: Tensor, b: Tensor) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        raise _errors.broadcast_mismatch(a._data.shape, b._data.shape) from None


def bernoulli(
    input: Tensor, p: float | None = None, *, generator: Generator | None = None, **kw: Any
) -> Tensor:
    """Ones with probability ``input`` (or a number ``p``), in ``input``'s dtype."""
    out = _empty(input._data.shape, input._data.dtype)
    if p is not None:
        return bernoulli_(out, p, generator=generator)
    d = input._data
    if d.dtype.kind == "f" and d.size and not ((d >= 0) & (d <= 1)).all():
        raise RuntimeError(
            "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error "
            "message be improved?  If so, please report an enhancement request to PyTorch.)"
        )
    return bernoulli_(out, input, generator=generator)


def multinomial(
    input: Tensor,
    num_samples: int,
    replacement: bool = False,
    *,
    generator: Generator | None = None,
    **kw: Any,
) -> Tensor:
    """Indices drawn from the rows of ``input`` taken as (unnormalised) probabilities."""
    p = input._data
    if p.dtype.kind != "f":
        raise RuntimeError(
            f"multinomial only supports floating-point dtypes for input, got: {dtype_name(p.dtype)}"
        )
    if p.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > p.shape[-1]:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    g = _gen(generator)
    rows = p.reshape(-1, p.shape[-1])
    if not replacement or num_samples == 1:
        # Gumbel trick as PyTorch: argmax / top-k of p / q with q ~ Exp(1) in p's dtype.
        if not (np.isfinite(rows).all() and (rows >= 0).all()):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if (rows.sum(axis=1) == 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        # q is PyTorch's empty_like(input).exponential_(): drawn in the input's memory order
        q = empty_like_torch(p)
        _in_memory_order(q, (-_libm(math.log1p, -_unit_f64(g, rows.size))).astype(p.dtype), q)
        q = q.reshape(rows.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = rows / q
        idx = np.argmax(s, axis=1)[:, None] if num_samples == 1 else _topk_rows(s, num_samples)
    else:
        idx = np.empty((rows.shape[0], num_samples), dtype=np.int64)
        for i, row in enumerate(rows):
            if (row < 0).any():
                raise RuntimeError(
                    "invalid multinomial distribution (encountering probability entry < 0)"
                )
            if not np.isfinite(row).all():
                raise RuntimeError(
                    "invalid multinomial distribution (encountering probability entry = "
                    "infinity or NaN)"
                )
            cum = np.add.accumulate(row.astype(p.dtype if p.dtype != np.float16 else _F32))
            total = cum[-1]
            if not total > 0:
                raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
            cum = cum / total
            cum[-1] = 1
            # first slot whose cumulative probability is >= u (PyTorch's binary search)
            idx[i] = np.searchsorted(cum.astype(np.float64), _unit_f64(g, num_samples), "left")
    return _finish(idx.astype(np.int64).reshape((*p.shape[:-1], num_samples)), False)


def _topk_rows(s: np.ndarray, k: int) -> np.ndarray:
    """The indices of PyTorch's ``topk(s, k)`` on each row: the k largest, largest first. Where
    equal values (or NaN) make the order depend on PyTorch's unstable sort, that row follows
    its libstdc++ steps (ndgrad._cxx_sort)."""
    order = np.argsort(-s, axis=1, kind="stable")
    idx = order[:, :k].copy()
    top = np.take_along_axis(s, order[:, : k + 1], axis=1)
    tied = (top[:, 1:k] == top[:, : k - 1]).any(axis=1) | np.isnan(s).any(axis=1)
    if k < s.shape[1]:
        tied |= top[:, k - 1] == top[:, k]
    for r in np.flatnonzero(tied):
        idx[r] = _cxx_sort.topk_indices(s[r].tolist(), k)
    return idx


def poisson(input: Tensor, generator: Generator | None = None) -> Tensor:
    """Poisson counts with rates ``input``, as PyTorch's ``sample_poisson`` (numpy's method)."""
    rates = input._data
    if not (rates >= 0).all():  # NaN too, as PyTorch's check
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    out = _poisson_all(_gen(generator), rates.reshape(-1).astype(np.float64))
    return _finish(np.array(out, dtype=np.float64).astype(rates.dtype).reshape(rates.shape), False)


def _poisson_all(gen: Generator, lam: np.ndarray) -> list[int]:
    """``_poisson_one`` on each rate in turn, on one stream of double uniforms.

    How many uniforms a value takes depends on the uniforms, so the values are drawn one after
    the other; what does not depend on them is vectorised first: the constants of each rate
    (numpy's sqrt and arithmetic round as Python's do; log and exp are the C library's, as in
    ``_poisson_one``). The uniforms come in bulk; the generator is then rewound and moved past
    the two words of each uniform used, as if they had been drawn one at a time.
    """
    n = lam.size
    big = lam >= 10
    lb = lam[big]
    b = 0.931 + 2.53 * np.sqrt(lb)
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    columns = (lb, 2 * a, a, b, vr, _libm(math.log, lb), _libm(math.log, invalpha))
    # per rate, what its method needs: a tuple of constants (rejection), e^-lambda (products),
    # or None for a zero rate, which draws nothing
    consts: list[Any] = [None] * n
    rows = zip(*(c.tolist() for c in columns), strict=True)
    for i, row in zip(np.flatnonzero(big).tolist(), rows, strict=True):
        consts[i] = row
    small = ~big & (lam != 0)
    enlam = _libm(math.exp, -lam[small]).tolist()
    for i, e in zip(np.flatnonzero(small).tolist(), enlam, strict=True):
        consts[i] = e
    start, fresh = gen._mt.state, gen._fresh
    # enough uniforms for most streams (about 2.5 per value by rejection, lambda + 1 below
    # 10); more are drawn if a stream needs them
    chunk = int(np.nansum(lam[small])) + int(small.sum()) + 3 * lb.size + 64
    uni: list[float] = _unit_f64(gen, chunk).tolist()
    out = [0] * n
    i = p = 0
    while i < n:  # a value whose uniforms ran out is redone from its start with more of them
        i, p = _poisson_run(consts, uni, out, i, p)
        if i < n:
            uni += _unit_f64(gen, chunk // 2 + 64).tolist()
    gen._mt.state, gen._fresh = start, fresh
    gen._skip(2 * p)
    return out


def _poisson_run(
    consts: list[Any], uni: list[float], out: list[int], i: int, p: int
) -> tuple[int, int]:
    """Draw values ``i``, ``i + 1``, ... as ``_poisson_one`` does, from ``uni[p:]``; return
    where it stopped: ``(len(out), uniforms used)``, or the value whose uniforms ran out and
    where its uniforms start."""
    log, floor, lgamma = math.log, math.floor, math.lgamma
    q = p
    try:
        for i in range(i, len(out)):  # noqa: B020 (i is the loop's start and its result)
            c = consts[i]
            q = p
            if type(c) is tuple:  # transformed rejection (Hoermann 1993)
                lm, a2, a, b, vr, loglam, lia = c
                while True:
                    u = uni[p] - 0.5
                    v = uni[p + 1]
                    p += 2
                    us = 0.5 - abs(u)
                    k = floor((a2 / us + b) * u + lm + 0.43)
                    if us >= 0.07 and v <= vr:
                        break
                    if k < 0 or (us < 0.013 and v > us):
                        continue
                    if log(v) + lia - log(a / (us * us) + b) <= -lm + k * loglam - lgamma(k + 1.0):
                        break
                out[i] = k
            elif c is not None:  # multiply uniforms until the product is at most e^-lambda
                prod = uni[p]
                p += 1
                while prod > c:
                    prod *= uni[p]
                    p += 1
                out[i] = p - q - 1
    except IndexError:
        return i, q
    return len(out), p


def _poisson_one(lam: float, draw: Callable[[], float]) -> int:
    if lam >= 10:  # transformed rejection (Hoermann 1993)
        slam, loglam = math.sqrt(lam), math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = draw() - 0.5
            v = draw()
            us = 0.5 - abs(u)
            k = math.floor((2 * a / us + b) * u + lam + 0.43)
            if us >= 0.07 and v <= vr:
                return k
            if k < 0 or (us < 0.013 and v > us):
                continue
            lhs = math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b)
            if lhs <= -lam + k * loglam - math.lgamma(k + 1.0):
                return k
    enlam, x, prod = math.exp(-lam), 0, 1.0  # multiply uniforms until below e^-lambda
    while True:
        prod *= draw()
        if prod > enlam:
            x += 1
        else:
            return x


# --- samplers drawn element by element: gamma, Dirichlet, binomial ------------------------------

_THIRD_F = float(np.float32(1.0) / np.float32(3.0))  # PyTorch's 1.0f / 3.0f
_K0331 = float(np.float32(0.0331))  # 0.0331f, widened to double by the arithmetic
_F32_ONE = np.float32(1.0)


_PACK_F32 = struct.Struct("f")


def _f32(x: float) -> float:
    """``x`` rounded to float32 (an operation PyTorch does in float on float32 scalars)."""
    try:
        return _PACK_F32.unpack(_PACK_F32.pack(x))[0]  # C's (float) cast: round to nearest
    except OverflowError:  # beyond float's range: inf, as the cast
        return float(np.float32(x))


class _Serial:
    """PyTorch's serial CPU samplers (``cpu_serial_kernel``): each element draws double uniforms
    (``uniform_real_distribution<double>``, one 64-bit draw each) and standard normals
    (``normal_distribution<double>``: Box-Muller pairs, the second value cached in the generator)
    as its rejection tests need them. The uniforms are drawn in bulk; ``close`` rewinds the
    generator and moves it past the two words of each uniform used, and leaves the normal cache
    as the last element left it."""

    def __init__(self, gen: Generator, chunk: int) -> None:
        self.gen, self.chunk = gen, max(chunk, 64)
        self.start, self.fresh = gen._mt.state, gen._fresh
        self.cache: float | None = gen._normal
        self.buf: list[float] = _unit_f64(gen, self.chunk).tolist()
        self.p = 0

    def uniform(self) -> float:
        p = self.p
        if p == len(self.buf):
            self.buf += _unit_f64(self.gen, self.chunk).tolist()
        self.p = p + 1
        return self.buf[p]

    def normal(self) -> float:
        if self.cache is not None:
            z, self.cache = self.cache, None
            return z
        u1 = self.uniform()
        u2 = self.uniform()
        r = math.sqrt(-2.0 * math.log1p(-u2))
        theta = _TWO_PI * u1
        self.cache = r * math.sin(theta)
        return r * math.cos(theta)

    def close(self) -> None:
        gen = self.gen
        gen._mt.state, gen._fresh = self.start, self.fresh
        gen._skip(2 * self.p)
        gen._normal = self.cache


def _gamma_one(alpha: float, f32: bool, s: _Serial) -> float:
    """PyTorch's ``sample_gamma`` (Marsaglia and Tsang, alpha < 1 boosted by U^(1/alpha)) for
    one alpha of float32 (``f32``: its own arithmetic in float) or float64; the double result
    before it is cast to the tensor's dtype."""
    scale = 1.0
    if alpha < 1.0:
        if alpha == 0.0:
            return 0.0
        inv = float(_F32_ONE / np.float32(alpha)) if f32 else 1.0 / alpha
        scale *= math.pow(1 - s.uniform(), inv)
        alpha = _f32(alpha + 1.0) if f32 else alpha + 1.0
    d = _f32(alpha - _THIRD_F) if f32 else alpha - _THIRD_F
    c = 1.0 / math.sqrt(9.0 * d)
    log = math.log
    while True:
        while True:
            x = s.normal()
            y = 1.0 + c * x
            if y > 0:
                break
        v = y * y * y
        u = 1 - s.uniform()
        xx = x * x
        if u < 1.0 - _K0331 * xx * xx:
            return scale * d * v
        if log(u) < 0.5 * xx + d * (1.0 - v + log(v)):
            return scale * d * v


def _gamma_values(gen: Generator, alpha: np.ndarray, f32: bool) -> np.ndarray:
    """Gamma(alpha, 1) for each (flattened) alpha in order, as doubles (not yet cast)."""
    out = np.empty(alpha.size, dtype=np.float64)
    if not alpha.size:
        return out
    s = _Serial(gen, 3 * alpha.size + 64)
    try:
        for i, a in enumerate(alpha.reshape(-1).tolist()):
            out[i] = _gamma_one(a, f32, s) if a == a else math.nan  # NaN: PyTorch never ends
    finally:
        s.close()
    return out


def _standard_gamma_np(alpha: np.ndarray, generator: Generator | None = None) -> np.ndarray:
    """``torch._standard_gamma``'s values: a Gamma(alpha, 1) draw per element, clamped up to the
    dtype's smallest normal number."""
    if alpha.dtype.kind != "f" or alpha.dtype == np.float16:
        raise NotImplementedError(f"\"gamma_cpu\" not implemented for '{dtype_name(alpha.dtype)}'")
    vals = _gamma_values(_gen(generator), alpha, alpha.dtype == _F32).astype(alpha.dtype)
    return np.maximum(vals, np.finfo(alpha.dtype).tiny).reshape(alpha.shape)


def _sample_dirichlet(input: Tensor, generator: Generator | None = None) -> Tensor:
    """``torch._sample_dirichlet``: Gamma(alpha, 1) draws in double, normalised along the last
    dimension, then clamped into [smallest normal, the largest number below 1]."""
    return _finish(_dirichlet_np(input._data, generator)[0], False)


def _dirichlet_np(
    alpha: np.ndarray, generator: Generator | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``_sample_dirichlet``'s values, with the double gammas and their sums along the last dim."""
    if alpha.dtype.kind != "f" or alpha.dtype == np.float16:
        raise NotImplementedError(f"\"dirichlet\" not implemented for '{dtype_name(alpha.dtype)}'")
    g = _gamma_values(_gen(generator), alpha.astype(np.float64), False)
    g = np.maximum(g, np.finfo(np.float64).tiny).reshape(alpha.shape)
    total = g.copy() if alpha.ndim == 0 or not alpha.size else _row_sum_f64(g)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (g / total).astype(alpha.dtype)
    top = np.nextafter(alpha.dtype.type(1), alpha.dtype.type(0))
    out = np.minimum(top, np.maximum(np.finfo(alpha.dtype).tiny, ratio))
    out = np.where(np.isnan(ratio), ratio, out)
    return out, g, total


def _row_sum_f64(g: np.ndarray) -> np.ndarray:
    """Sums of contiguous float64 rows (the last dim, kept) in the order of PyTorch's CPU sum
    kernel (SumKernel.cpp, 4-lane double vectors): rows shorter than 4 left to right; else the
    vectors of 4 summed lane by lane in 4 interleaved partial sums (the vectors beyond a multiple
    of 4 added to the first), those combined in order; the leftover scalars summed first, then
    the 4 lanes added to them in order. Rows of 256 or more (where PyTorch cascades its partial
    sums) use numpy's sum."""
    k = g.shape[-1]
    if k < 4:
        return np.add.accumulate(g, axis=-1)[..., -1:]
    if k >= 256:
        return g.sum(-1, keepdims=True)
    nv = k // 4
    vecs = g[..., : nv * 4].reshape((*g.shape[:-1], nv, 4))
    ilp = nv // 4
    part = [np.zeros((*vecs.shape[:-2], 4)) for _ in range(4)]
    for i in range(ilp):
        for j in range(4):
            part[j] = part[j] + vecs[..., 4 * i + j, :]
    for i in range(ilp * 4, nv):
        part[0] = part[0] + vecs[..., i, :]
    lanes = part[0]
    for j in range(1, 4):
        lanes = lanes + part[j]
    final = np.zeros(g.shape[:-1])
    for i in range(nv * 4, k):
        final = final + g[..., i]
    for j in range(4):
        final = final + lanes[..., j]
    return final[..., None]


def _stirling_tail(k: float) -> float:
    if k <= 9:
        return _STIRLING_TAIL[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)


_STIRLING_TAIL = (
    0.0810614667953272,
    0.0413406959554092,
    0.0276779256849983,
    0.02079067210376509,
    0.0166446911898211,
    0.0138761288230707,
    0.0118967099458917,
    0.0104112652619720,
    0.00925546218271273,
    0.00833056343336287,
)


def _btrs(count: float, prob: float, f32: bool, s: _Serial) -> float:
    """PyTorch's ``btrs`` (Hoermann's transformed rejection, for count * prob >= 10). The
    operations on ``count`` and ``prob`` alone are float ones for float32 tensors."""
    r32 = _f32 if f32 else float
    log, floor = math.log, math.floor
    stddev = r32(math.sqrt(r32(r32(count * prob) * r32(1 - prob))))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * prob
    c = r32(count * prob) + 0.5
    v_r = 0.92 - 4.2 / b
    r = r32(prob / r32(1 - prob))
    alpha = (2.83 + 5.1 / b) * stddev
    m = float(floor(r32(r32(count + 1) * prob)))
    while True:
        u = s.uniform() - 0.5
        v = s.uniform()
        us = 0.5 - abs(u)
        k = r32(floor((2 * a / us + b) * u + c))
        if k < 0 or k > count:
            continue
        if us >= 0.07 and v <= v_r:
            return k
        v = log(v * alpha / (a / (us * us) + b))
        kp1 = r32(k + 1)
        cmk1 = r32(r32(count - k) + 1)
        upper = (
            (m + 0.5) * log((m + 1) / (r * (count - m + 1)))
            + r32(count + 1) * log((count - m + 1) / cmk1)
            + (k + 0.5) * log(r * cmk1 / kp1)
            + _stirling_tail(m)
            + _stirling_tail(count - m)
            - _stirling_tail(k)
            - _stirling_tail(r32(count - k))
        )
        if v <= upper:
            return k


def _binomial_inversion(count: float, prob: float, logprob: float, s: _Serial) -> float:
    geom_sum = 0.0
    num_geom = 0.0
    log, ceil = math.log, math.ceil
    while True:
        geom = float(ceil(log(s.uniform()) / logprob))
        geom_sum += geom
        if geom_sum > count:
            return num_geom
        num_geom += 1


def binomial(count: Tensor, prob: Tensor, generator: Generator | None = None) -> Tensor:
    """``torch.binomial``: a Binomial(count, prob) draw per element, PyTorch's ``sample_binomial``
    (BTRS where count * min(prob, 1 - prob) >= 10, inversion by geometric waiting times below)."""
    n, p = count._data, prob._data
    for what, arr in (("count", n), ("prob", p)):
        if arr.dtype.kind != "f":
            raise ValueError(
                f"binomial only supports floating-point dtypes for {what}, got: "
                f"{dtype_name(arr.dtype)}"
            )
    if n.dtype != p.dtype:
        raise RuntimeError(f"Found dtype {dtype_name(p.dtype)} but expected {dtype_name(n.dtype)}")
    if n.dtype == np.float16:
        raise NotImplementedError("\"binomial_cpu\" not implemented for 'Half'")
    shape = np.broadcast_shapes(n.shape, p.shape) if n.shape != p.shape else n.shape
    if shape != n.shape and n.size:  # PyTorch's output starts with count's shape, then resized
        warnings.warn(
            f"An output with one or more elements was resized since it had shape {list(n.shape)}, "
            f"which does not match the required output shape {list(shape)}. This behavior is "
            "deprecated, and in a future PyTorch release outputs will not be resized unless "
            "they have zero elements. You can explicitly reuse an out tensor t by resizing it, "
            "inplace, to zero elements with t.resize_(0).",
            UserWarning,
            stacklevel=2,
        )
    f32 = n.dtype == _F32
    nn_ = np.broadcast_to(n, shape).reshape(-1).tolist()
    pp = np.broadcast_to(p, shape).reshape(-1)
    q = (1 - pp).astype(n.dtype)  # scalar_t qprob = 1.0 - prob
    with np.errstate(divide="ignore", invalid="ignore"):
        lp = _log1p_dtype(-pp)  # compat_log1p(-prob) in the tensor's dtype (log1pf for float)
        lq = _log1p_dtype(-q)
    out = np.zeros(len(nn_), dtype=np.float64)
    s = _Serial(_gen(generator), 2 * len(nn_) + 64)
    try:
        for i, (c, pr) in enumerate(zip(nn_, pp.tolist(), strict=True)):
            out[i] = _binomial_one(c, pr, float(q[i]), float(lp[i]), float(lq[i]), f32, s)
    finally:
        s.close()
    return _finish(out.astype(n.dtype).reshape(shape), False)


_log1pf: list[Callable[[float], float]] = []


def _c_log1pf() -> Callable[[float], float]:
    """The C library's ``log1pf`` (numpy's float32 log1p may round differently)."""
    if not _log1pf:
        try:
            import ctypes
            import ctypes.util

            fn = ctypes.CDLL(ctypes.util.find_library("m") or None).log1pf
            fn.argtypes, fn.restype = (ctypes.c_float,), ctypes.c_float
            _log1pf.append(fn)
        except (OSError, AttributeError):  # no C library to call: numpy's float32 log1p
            _log1pf.append(lambda v: float(np.log1p(np.float32(v))))
    return _log1pf[0]


def _log1p_dtype(x: np.ndarray) -> np.ndarray:
    """The C library's log1p (log1pf for float32), element by element."""
    if x.dtype == _F32:
        f = _c_log1pf()
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.array([f(v) for v in x.tolist()], dtype=np.float32)
    return np.array([math.log1p(v) if v > -1 else -math.inf for v in x.tolist()])


def _binomial_one(
    count: float, prob: float, qprob: float, lp: float, lq: float, f32: bool, s: _Serial
) -> float:
    r32 = _f32 if f32 else float
    if count <= 0.0 or prob <= 0.0:
        return 0.0
    if prob >= 1.0:
        return count
    if prob <= 0.5:
        if r32(count * prob) >= 10.0:
            return _btrs(count, prob, f32, s)
        return _binomial_inversion(count, prob, lp, s)
    if prob > 0.5:
        if r32(count * qprob) >= 10.0:
            return r32(count - _btrs(count, qprob, f32, s))
        return r32(count - _binomial_inversion(count, qprob, lq, s))
    return math.nan
