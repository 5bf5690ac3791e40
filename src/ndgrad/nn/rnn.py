"""Recurrent layers and cells: RNN, LSTM (with proj_size) and GRU, stacked and bidirectional, on
padded or packed sequences, and RNNCell, LSTMCell, GRUCell, with PyTorch's parameters.

Each time step is a few fused ``linear`` calls; the gates are split by viewing the (N, k·H)
pre-activations as (N, k, H) and unbinding, so no indexing op is needed. A packed batch is run
step by step on the first ``batch_sizes[t]`` rows (sequences are sorted longest first), so a
sequence's state stops changing after its last step, as PyTorch's packed kernels do.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

from .. import _errors
from .._creation import zeros
from .._namespace import public_dir
from .._tensor import Tensor
from ..ops.shape import Stack, cat, stack
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter
from .utils.rnn import PackedSequence

__all__ = ["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "RNNCell"]
__dir__ = public_dir(__name__)

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# --- one step of each cell (shared by the layers and the cells) --------------------------------
def _rnn_step(x: Tensor, h: Tensor, w: list[Any], relu: bool) -> Tensor:
    """h' = act(W_ih x + b_ih + W_hh h + b_hh)"""
    pre = F.linear(x, w[0], w[2]) + F.linear(h, w[1], w[3])
    return pre.relu() if relu else pre.tanh()


def _lstm_step(x: Tensor, h: Tensor, c: Tensor, w: list[Any]) -> tuple[Tensor, Tensor]:
    """i, f, g, o = σ, σ, tanh, σ of (W_ih x + b_ih + W_hh h + b_hh); c' = f c + i g;
    h' = o tanh(c'), projected by W_hr when the LSTM has proj_size"""
    hs = w[0].shape[0] // 4
    gates = F.linear(x, w[0], w[2]) + F.linear(h, w[1], w[3])
    i, f, g, o = gates.reshape(-1, 4, hs).unbind(1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    if len(w) > 4 and w[4] is not None:
        h = F.linear(h, w[4])
    return h, c


def _gru_step(x: Tensor, h: Tensor, w: list[Any]) -> Tensor:
    """r, z = σ(W_i· x + b_i· + W_h· h + b_h·); n = tanh(W_in x + b_in + r (W_hn h + b_hn));
    h' = (1 - z) n + z h"""
    hs = w[0].shape[0] // 3
    ir, iz, i_n = F.linear(x, w[0], w[2]).reshape(-1, 3, hs).unbind(1)
    hr, hz, h_n = F.linear(h, w[1], w[3]).reshape(-1, 3, hs).unbind(1)
    r, z = (ir + hr).sigmoid(), (iz + hz).sigmoid()
    n = (i_n + r * h_n).tanh()
    return (1 - z) * n + z * h


def _keep_rest(new: Tensor, old: Tensor) -> Tensor:
    """The first rows updated, the rest (finished or not yet started sequences) kept."""
    return new if new.shape[0] == old.shape[0] else cat([new, old[new.shape[0] :]])


class _OneDnnLayer(Stack):
    """The steps of an LSTM layer stacked, recorded as PyTorch's oneDNN layer records them:
    its float32 CPU LSTM's output (seq-first, one direction) shows MkldnnRnnLayerBackward0."""

    node_name = "MkldnnRnnLayerBackward0"


def _check_state_dims(hx: Any, lstm: bool, batched: bool) -> None:
    """PyTorch's check that a given state has the input's batchedness (3-D or 2-D), made on
    ``hx[0]`` and ``hx[1]`` of an LSTM (so a lone tensor fails indexing its second item)."""
    want = 3 if batched else 2
    kind = "batched 3-D" if batched else "unbatched 2-D"
    if lstm:
        h, c = hx[0], hx[1]
        if h.dim() != want or c.dim() != want:
            raise RuntimeError(
                f"For {kind} input, hx and cx should also be {want}-D but got ({h.dim()}-D, "
                f"{c.dim()}-D) tensors"
            )
    elif hx.dim() != want:
        raise RuntimeError(
            f"For {kind} input, hx should also be {want}-D but got {hx.dim()}-D tensor"
        )


class RNNBase(Module):
    """The stack of recurrent layers shared by RNN, LSTM and GRU."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.mode = mode
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first = bias, batch_first
        self.dropout, self.bidirectional = float(dropout), bidirectional
        self.proj_size = proj_size
        if (
            not isinstance(dropout, numbers.Number)
            or not 0 <= dropout <= 1
            or isinstance(dropout, bool)
        ):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of an "
                "element being zeroed"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                f"num_layers={num_layers}",
                UserWarning,
                stacklevel=3,
            )
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections"
            )
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        dirs = 2 if bidirectional else 1
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            layer_in = input_size if layer == 0 else real_hidden * dirs
            for direction in range(dirs):
                sfx = "_reverse" if direction == 1 else ""
                shapes: dict[str, tuple[int, ...]] = {
                    f"weight_ih_l{layer}{sfx}": (gate_size, layer_in),
                    f"weight_hh_l{layer}{sfx}": (gate_size, real_hidden),
                }
                if bias:
                    shapes[f"bias_ih_l{layer}{sfx}"] = (gate_size,)
                    shapes[f"bias_hh_l{layer}{sfx}"] = (gate_size,)
                if proj_size > 0:
                    shapes[f"weight_hr_l{layer}{sfx}"] = (proj_size, hidden_size)
                for name, shape in shapes.items():
                    setattr(self, name, Parameter(zeros((*shape,), dtype=dtype)))
                self._flat_weights_names.extend(shapes)
                self._all_weights.append(list(shapes))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def flatten_parameters(self) -> None:
        """PyTorch packs the weights for cuDNN here; ndgrad has nothing to pack."""

    @property
    def all_weights(self) -> list[list[Parameter]]:
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def _weights(self, layer: int, direction: int) -> list[Any]:
        sfx = "_reverse" if direction == 1 else ""
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")
        return [getattr(self, f"{n}_l{layer}{sfx}", None) for n in names]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # the recurrence -----------------------------------------------------------------------
    def _step(self, x: Tensor, state: tuple[Tensor, ...], w: list[Any]) -> tuple[Tensor, ...]:
        if self.mode == "LSTM":
            return _lstm_step(x, state[0], state[1], w)
        if self.mode == "GRU":
            return (_gru_step(x, state[0], w),)
        return (_rnn_step(x, state[0], w, self.mode == "RNN_RELU"),)

    def _direction(
        self, xs: list[Tensor], sizes: list[int], state: tuple[Tensor, ...], w: list[Any], rev: bool
    ) -> tuple[list[Tensor], tuple[Tensor, ...]]:
        """Run one layer in one direction over steps xs (xs[t] has sizes[t] rows)."""
        outs: list[Tensor] = [xs[0]] * len(xs)
        order = range(len(xs) - 1, -1, -1) if rev else range(len(xs))
        for t in order:
            bs = sizes[t]
            new = self._step(xs[t], tuple(s[:bs] if s.shape[0] != bs else s for s in state), w)
            outs[t] = new[0]
            state = tuple(_keep_rest(n, s) for n, s in zip(new, state, strict=True))
        return outs, state

    def _run(
        self, xs: list[Tensor], sizes: list[int], hx: tuple[Tensor, ...], padded: bool = False
    ) -> tuple[list[Tensor], Tensor | None, tuple[Tensor, ...]]:
        """All layers and directions; hx[i] is (layers·dirs, N, ·); returns the outputs of each
        step, the (T, N, ·) output of a padded input, and the states.

        A padded input's layer output is PyTorch's (_rnn_impl_with_concat): the steps of each
        direction stacked, the two directions concatenated (CatBackward0), and the next layer
        takes its steps from that tensor."""
        dirs = 2 if self.bidirectional else 1
        finals: list[list[Tensor]] = [[] for _ in hx]
        y: Tensor | None = None
        for layer in range(self.num_layers):
            results = []
            for d in range(dirs):
                k = layer * dirs + d
                state = tuple(h[k] for h in hx)
                outs, state = self._direction(xs, sizes, state, self._weights(layer, d), d == 1)
                results.append(outs)
                for i, s in enumerate(state):
                    finals[i].append(s)
            if padded:
                if dirs == 2:
                    y = cat([stack(r, 0) for r in results], -1)
                elif self._onednn(xs):
                    y = _OneDnnLayer.apply(0, *results[0])
                else:
                    y = stack(results[0], 0)
                if self.dropout and self.training and layer < self.num_layers - 1:
                    y = F.dropout(y, self.dropout, True)
                if layer < self.num_layers - 1:
                    xs = list(y.unbind(0))
                continue
            xs = results[0] if dirs == 1 else [cat(pair, -1) for pair in zip(*results, strict=True)]
            if self.dropout and self.training and layer < self.num_layers - 1:
                xs = [F.dropout(x, self.dropout, True) for x in xs]
        return xs, y, tuple(stack(f, 0) for f in finals)

    def _onednn(self, xs: list[Tensor]) -> bool:
        """Whether PyTorch's CPU LSTM runs a layer of this input in oneDNN (mkldnn): float32
        without projections; it warns (once) that a projected one cannot."""
        if self.mode != "LSTM" or not xs or xs[0].dtype.np.char != "f":
            return False
        if self.proj_size > 0:
            _errors.warn_once(
                "lstm_projections",
                "LSTM with projections is not supported with oneDNN. Using default implementation.",
                stacklevel=1,
            )
            return False
        return True

    def _state_shapes(self, n: int) -> list[tuple[int, ...]]:
        dirs = 2 if self.bidirectional else 1
        real = self.proj_size if self.proj_size > 0 else self.hidden_size
        shapes: list[tuple[int, ...]] = [(self.num_layers * dirs, n, real)]
        if self.mode == "LSTM":
            shapes.append((self.num_layers * dirs, n, self.hidden_size))
        return shapes

    def forward(self, input: Any, hx: Any = None) -> tuple[Any, Any]:
        lstm = self.mode == "LSTM"
        packed = isinstance(input, PackedSequence)
        if packed:
            data, batch_sizes = input.data, input.batch_sizes
            sizes = [int(b) for b in batch_sizes.tolist()]
            n = sizes[0] if sizes else 0
            xs, start = [], 0
            for bs in sizes:
                xs.append(data[start : start + bs])
                start += bs
            batched = True
        else:
            if input.ndim not in (2, 3):
                raise ValueError(
                    f"{type(self).__name__}: Expected input to be 2D or 3D, got {input.ndim}D "
                    "instead"
                )
            batched = input.ndim == 3
            x = input if batched else input.unsqueeze(1)
            if batched and self.batch_first:
                x = x.transpose(0, 1)
            n = x.shape[1]
            xs = list(x.unbind(0))
            sizes = [n] * len(xs)
        if (xs[0].shape[-1] if xs else self.input_size) != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                f"{xs[0].shape[-1]}"
            )
        shapes = self._state_shapes(n)
        if hx is None:
            dt = xs[0].dtype if xs else None
            states = tuple(zeros((*s,), dtype=dt) for s in shapes)
        else:
            if not packed:
                _check_state_dims(hx, lstm, batched)
            given = tuple(hx) if lstm else (hx,)
            if not batched:
                given = tuple(h.unsqueeze(1) for h in given)
            if packed and input.sorted_indices is not None:
                given = tuple(h.index_select(1, input.sorted_indices) for h in given)
            for i, (h, s) in enumerate(zip(given, shapes, strict=True)):
                if tuple(h.shape) != s:
                    what = f"hidden[{i}]" if lstm else "hidden"
                    raise RuntimeError(f"Expected {what} size {s}, got {list(h.shape)}")
            states = given
        outs, y_pad, finals = self._run(xs, sizes, states, not packed and bool(xs))
        if packed:
            if input.unsorted_indices is not None:
                finals = tuple(f.index_select(1, input.unsorted_indices) for f in finals)
            out: Any = PackedSequence(
                cat(outs, 0), batch_sizes, input.sorted_indices, input.unsorted_indices
            )
        else:
            y = stack(outs, 0) if y_pad is None else y_pad
            if not batched:
                y, finals = y.squeeze(1), tuple(f.squeeze(1) for f in finals)
            elif self.batch_first:
                # PyTorch's rnn_tanh, rnn_relu and gru transpose their output in place, lstm not
                y = y.transpose(0, 1) if lstm else y.transpose_(0, 1)
            out = y
        return out, (finals if lstm else finals[0])


class RNN(RNNBase):
    """hₜ = act(W_ih xₜ + b_ih + W_hh hₜ₋₁ + b_hh), act = tanh or relu"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self_nonlin = args[3]
            args = args[:3] + args[4:]
        else:
            self_nonlin = kwargs.pop("nonlinearity", "tanh")
        if self_nonlin == "tanh":
            mode = "RNN_TANH"
        elif self_nonlin == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self_nonlin}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)
        self.nonlinearity = self_nonlin


class LSTM(RNNBase):
    """i, f, g, o = σ, σ, tanh, σ of (W_ih xₜ + b_ih + W_hh hₜ₋₁ + b_hh);
    cₜ = f cₜ₋₁ + i g; hₜ = o tanh(cₜ) (times W_hr with proj_size)"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """r, z = σ(W_i· xₜ + b_i· + W_h· hₜ₋₁ + b_h·); n = tanh(W_in xₜ + b_in + r (W_hn hₜ₋₁ + b_hn));
    hₜ = (1 - z) n + z hₜ₋₁"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


# --- cells -------------------------------------------------------------------------------------
class RNNCellBase(Module):
    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool,
        num_chunks: int,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = Parameter(zeros(num_chunks * hidden_size, input_size, dtype=dtype))
        self.weight_hh = Parameter(zeros(num_chunks * hidden_size, hidden_size, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(zeros(num_chunks * hidden_size, dtype=dtype))
            self.bias_hh = Parameter(zeros(num_chunks * hidden_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _weights(self) -> list[Any]:
        return [self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh]

    def _prepare(self, input: Tensor, hx: Tensor | None) -> tuple[Tensor, Tensor, bool]:
        if input.ndim not in (1, 2):
            raise ValueError(
                f"{type(self).__name__}: Expected input to be 1D or 2D, got {input.ndim}D instead"
            )
        if hx is not None and hx.ndim not in (1, 2):
            raise ValueError(
                f"{type(self).__name__}: Expected hidden to be 1D or 2D, got {hx.ndim}D instead"
            )
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        if hx is None:
            h = zeros(x.shape[0], self.hidden_size, dtype=x.dtype)
        else:
            h = hx if batched else hx.unsqueeze(0)
            if h.shape[0] != x.shape[0]:
                raise RuntimeError(
                    f"Input batch size {x.shape[0]} doesn't match hidden0 batch size {h.shape[0]}"
                )
        return x, h, batched


class RNNCell(RNNCellBase):
    """h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu"""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 1, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        x, h, batched = self._prepare(input, hx)
        h = _rnn_step(x, h, self._weights(), self.nonlinearity == "relu")
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """c' = f c + i g; h' = o tanh(c'), gates from W_ih x + b_ih + W_hh h + b_hh"""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 4, dtype=dtype)

    def forward(
        self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, Tensor]:
        x, h, batched = self._prepare(input, None if hx is None else hx[0])
        c = (
            zeros((*h.shape,), dtype=h.dtype)
            if hx is None
            else (hx[1] if batched else hx[1].unsqueeze(0))
        )
        h, c = _lstm_step(x, h, c, self._weights())
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """h' = (1 - z) n + z h with GRU's reset and update gates"""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 3, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, h, batched = self._prepare(input, hx)
        h = _gru_step(x, h, self._weights())
        return h if batched else h.squeeze(0)
