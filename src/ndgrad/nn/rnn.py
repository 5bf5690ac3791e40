"""Recurrent layers: single-layer, unidirectional RNN, LSTM and GRU with PyTorch's parameters.

Each time step is a few fused ``linear`` calls; the gates are split by viewing the (N, k·H)
pre-activations as (N, k, H) and unbinding, so no indexing op is needed.
"""

from __future__ import annotations

import math
from typing import Any

from .._creation import zeros
from .._tensor import Tensor
from ..ops.shape import stack
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["GRU", "LSTM", "RNN"]


class _RNNBase(Module):
    _gates = 1

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if num_layers != 1 or bidirectional:
            raise NotImplementedError(
                "ndgrad's recurrent layers are single-layer and unidirectional"
            )
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first = bias, batch_first
        self.dropout, self.bidirectional = float(dropout), bidirectional
        g = self._gates * hidden_size
        self.weight_ih_l0 = Parameter(zeros(g, input_size, dtype=dtype))
        self.weight_hh_l0 = Parameter(zeros(g, hidden_size, dtype=dtype))
        if bias:
            self.bias_ih_l0 = Parameter(zeros(g, dtype=dtype))
            self.bias_hh_l0 = Parameter(zeros(g, dtype=dtype))
        else:
            self.register_parameter("bias_ih_l0", None)
            self.register_parameter("bias_hh_l0", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _steps(self, input: Tensor) -> tuple[list[Tensor], bool]:
        """The input as a list of (N, input_size) steps, and whether it had a batch dim."""
        batched = input.ndim == 3
        if input.ndim not in (2, 3):
            raise ValueError(
                f"{type(self).__name__}: Expected input to be 2D or 3D, got {input.ndim}D instead"
            )
        if not batched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        return list(input.unbind(0)), batched

    def _initial(self, hx: Tensor | None, n: int, like: Tensor, batched: bool) -> Tensor:
        if hx is None:
            return zeros(n, self.hidden_size, dtype=like.dtype)
        return hx.squeeze(0) if batched else hx

    def _output(self, outs: list[Tensor], batched: bool) -> Tensor:
        out = stack(outs, 0)
        if not batched:
            return out.squeeze(1)
        return out.transpose(0, 1) if self.batch_first else out

    @staticmethod
    def _final(h: Tensor, batched: bool) -> Tensor:
        """The last state as (num_layers=1, N, H), or (1, H) for an unbatched input."""
        return h.unsqueeze(0) if batched else h

    def _pre(self, x: Tensor, h: Tensor) -> tuple[tuple[Tensor, ...], tuple[Tensor, ...]]:
        k, hs = self._gates, self.hidden_size
        gi = F.linear(x, self.weight_ih_l0, self.bias_ih_l0).reshape(-1, k, hs).unbind(1)
        gh = F.linear(h, self.weight_hh_l0, self.bias_hh_l0).reshape(-1, k, hs).unbind(1)
        return gi, gh

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        return s


class RNN(_RNNBase):
    """hₜ = act(W_ih xₜ + b_ih + W_hh hₜ₋₁ + b_hh), act = tanh or relu"""

    def __init__(self, *args: Any, nonlinearity: str = "tanh", **kwargs: Any) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        self.nonlinearity = nonlinearity
        super().__init__(*args, **kwargs)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        steps, batched = self._steps(input)
        h = self._initial(hx, steps[0].shape[0], input, batched)
        outs = []
        for x in steps:
            (gi,), (gh,) = self._pre(x, h)
            h = (gi + gh).tanh() if self.nonlinearity == "tanh" else (gi + gh).relu()
            outs.append(h)
        return self._output(outs, batched), self._final(h, batched)


class LSTM(_RNNBase):
    """i, f, g, o = σ, σ, tanh, σ of (W_ih xₜ + b_ih + W_hh hₜ₋₁ + b_hh);
    cₜ = f cₜ₋₁ + i g; hₜ = o tanh(cₜ)"""

    _gates = 4

    def forward(
        self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        steps, batched = self._steps(input)
        n = steps[0].shape[0]
        h = self._initial(None if hx is None else hx[0], n, input, batched)
        c = self._initial(None if hx is None else hx[1], n, input, batched)
        outs = []
        for x in steps:
            gi, gh = self._pre(x, h)
            i, f, g, o = (a + b for a, b in zip(gi, gh, strict=True))
            c = f.sigmoid() * c + i.sigmoid() * g.tanh()
            h = o.sigmoid() * c.tanh()
            outs.append(h)
        return self._output(outs, batched), (self._final(h, batched), self._final(c, batched))


class GRU(_RNNBase):
    """r, z = σ(W_i· xₜ + b_i· + W_h· hₜ₋₁ + b_h·); n = tanh(W_in xₜ + b_in + r (W_hn hₜ₋₁ + b_hn));
    hₜ = (1 - z) n + z hₜ₋₁"""

    _gates = 3

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        steps, batched = self._steps(input)
        h = self._initial(hx, steps[0].shape[0], input, batched)
        outs = []
        for x in steps:
            (ir, iz, i_n), (hr, hz, h_n) = self._pre(x, h)
            r, z = (ir + hr).sigmoid(), (iz + hz).sigmoid()
            n = (i_n + r * h_n).tanh()
            h = (1 - z) * n + z * h
            outs.append(h)
        return self._output(outs, batched), self._final(h, batched)
