"""L-BFGS: a quasi-Newton method that needs a closure re-evaluating the loss, with PyTorch's
iteration, stopping rules and optional strong-Wolfe line search.

All parameters are handled as one flat vector (numpy), as PyTorch's implementation does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._namespace import public_dir
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad, no_grad
from .optimizer import Optimizer, _check, _check_lr

__all__ = ["LBFGS"]
__dir__ = public_dir(__name__)


def _cubic_min(
    x1: float,
    f1: float,
    g1: float,
    x2: float,
    f2: float,
    g2: float,
    bounds: tuple[float, float] | None = None,
) -> float:
    """The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to bounds
    (the midpoint of the bounds when the cubic has no minimum)."""
    lo, hi = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    disc = d1 * d1 - g1 * g2
    if disc < 0:
        return (lo + hi) / 2.0
    d2 = np.sqrt(disc)
    if x1 <= x2:
        pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(pos, lo), hi)


class _Point:
    """A trial step t along the direction: loss f, flat gradient g and slope gtd = g·d."""

    __slots__ = ("f", "g", "gtd", "t")

    def __init__(self, t: float, f: float, g: np.ndarray, gtd: float) -> None:
        self.t, self.f, self.g, self.gtd = t, f, g, gtd


def _strong_wolfe(
    evaluate: Callable[[float], tuple[float, np.ndarray]],
    t: float,
    d: np.ndarray,
    f: float,
    g: np.ndarray,
    gtd: float,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple[float, np.ndarray, float, int]:
    """A step satisfying the strong Wolfe conditions: bracket one, then zoom in by cubic
    interpolation. Returns (loss, gradient, step, evaluations)."""
    d_norm = np.abs(d).max()
    start = _Point(0, f, g.copy(), gtd)
    prev = start
    f_new, g_new = evaluate(t)
    evals, it = 1, 0
    new = _Point(t, f_new, g_new, g_new.dot(d))
    bracket: list[_Point] = []
    done = False
    # phase 1: grow the step until an interval must contain an acceptable one
    while it < max_ls:
        if new.f > f + c1 * new.t * gtd or (it > 1 and new.f >= prev.f):
            bracket = [prev, _Point(new.t, new.f, new.g.copy(), new.gtd)]
            break
        if abs(new.gtd) <= -c2 * gtd:
            bracket, done = [new], True
            break
        if new.gtd >= 0:
            bracket = [prev, _Point(new.t, new.f, new.g.copy(), new.gtd)]
            break
        lo, hi = new.t + 0.01 * (new.t - prev.t), new.t * 10
        t_next = _cubic_min(prev.t, prev.f, prev.gtd, new.t, new.f, new.gtd, (lo, hi))
        prev = _Point(new.t, new.f, new.g.copy(), new.gtd)
        f_new, g_new = evaluate(t_next)
        evals += 1
        new = _Point(t_next, f_new, g_new, g_new.dot(d))
        it += 1
    if it == max_ls:
        bracket = [_Point(0, f, g, gtd), _Point(new.t, new.f, new.g, new.gtd)]
    # phase 2: zoom into the bracket
    insufficient = False
    low, high = (0, 1) if bracket[0].f <= bracket[-1].f else (1, 0)
    while not done and it < max_ls:
        a, b = bracket[0], bracket[1]
        if abs(b.t - a.t) * d_norm < tolerance_change:
            break
        t = _cubic_min(a.t, a.f, a.gtd, b.t, b.f, b.gtd)
        top, bottom = max(a.t, b.t), min(a.t, b.t)
        eps = 0.1 * (top - bottom)
        if min(top - t, t - bottom) < eps:
            # too close to an end: move away from it, unless the last try made progress
            if insufficient or t >= top or t <= bottom:
                t = top - eps if abs(t - top) < abs(t - bottom) else bottom + eps
                insufficient = False
            else:
                insufficient = True
        else:
            insufficient = False
        f_new, g_new = evaluate(t)
        evals += 1
        it += 1
        trial = _Point(t, f_new, g_new.copy(), g_new.dot(d))
        if trial.f > f + c1 * t * gtd or trial.f >= bracket[low].f:
            bracket[high] = trial
            low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
        else:
            if abs(trial.gtd) <= -c2 * gtd:
                done = True
            elif trial.gtd * (bracket[high].t - bracket[low].t) >= 0:
                bracket[high] = bracket[low]
            bracket[low] = trial
    best = bracket[low]
    return best.f, best.g, best.t, evals


class LBFGS(Optimizer):
    """θ ← θ + t·d, d = -H g with H the L-BFGS inverse-Hessian estimate from the last
    history_size (step, gradient change) pairs; up to max_iter iterations per step(closure)"""

    def __init__(
        self,
        params: Any,
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        _check_lr(lr)
        _check(0.0 <= lr, f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(
            lr=lr,
            max_iter=max_iter,
            max_eval=max_eval,
            tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change,
            history_size=history_size,
            line_search_fn=line_search_fn,
        )
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params: list[Tensor] = self.param_groups[0]["params"]

    def _flat_grad(self) -> np.ndarray:
        parts = [
            np.zeros(p._data.size, p._data.dtype) if p._grad is None else p._grad._data.ravel()
            for p in self._params
        ]
        return np.concatenate(parts)

    def _add(self, t: float, d: np.ndarray) -> None:
        offset = 0
        for p in self._params:
            n = p._data.size
            p._data += t * d[offset : offset + n].reshape(p._data.shape)
            offset += n
            self._written(p)

    def _set(self, values: list[np.ndarray]) -> None:
        for p, v in zip(self._params, values, strict=True):
            p._data[...] = v
            self._written(p)

    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        with no_grad():
            return self._step(closure)

    def _step(self, closure: Callable[[], Any]) -> Any:
        # Scalars computed from tensors (dot products, sums) stay numpy scalars of the
        # parameters' dtype, as PyTorch's are 0-d tensors: float32 parameters give float32
        # arithmetic. The state keeps them as 0-d tensors and the vectors as tensors.
        def evaluate() -> Any:
            with enable_grad():
                return closure()

        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        history = group["history_size"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = evaluate()
        loss = float(orig_loss)
        evals = 1
        state["func_evals"] += 1
        g = self._flat_grad()
        if np.abs(g).max() <= tol_grad:
            return orig_loss

        # the direction, step and curvature history carried over from the last call
        d: Any = _unwrap(state.get("d"))
        t: Any = _unwrap(state.get("t"))
        dirs: Any = _unwrap(state.get("old_dirs"))
        stps: Any = _unwrap(state.get("old_stps"))
        ro: Any = _unwrap(state.get("ro"))
        h_diag: Any = _unwrap(state.get("H_diag"))
        prev_g: Any = _unwrap(state.get("prev_flat_grad"))
        prev_loss: Any = state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d, dirs, stps, ro, h_diag = -g, [], [], [], 1
            else:
                # update the history with the last step s and gradient change y
                y, s = g - prev_g, d * t
                ys = y.dot(s)
                if ys > 1e-10:
                    if len(dirs) == history:
                        dirs.pop(0)
                        stps.pop(0)
                        ro.pop(0)
                    dirs.append(y)
                    stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / y.dot(y)
                # two-loop recursion: d = -H g (PyTorch keeps the coefficients in state["al"])
                if "al" not in state:
                    state["al"] = [None] * history
                al = state["al"]
                q = -g
                for i in range(len(dirs) - 1, -1, -1):
                    coef = stps[i].dot(q) * ro[i]
                    al[i] = _wrap(coef)
                    q = q - coef * dirs[i]
                r = q * h_diag
                for i in range(len(dirs)):
                    be = dirs[i].dot(r) * ro[i]
                    r = r + (al[i]._data - be) * stps[i]
                d = r
            prev_g = g.copy()
            prev_loss = loss
            t = min(1.0, 1.0 / np.abs(g).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = g.dot(d)
            if gtd > -tol_change:  # not a descent direction
                break
            ls_evals = 0
            if group["line_search_fn"] is not None:
                if group["line_search_fn"] != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x0 = [p._data.copy() for p in self._params]

                def along(step: Any, x0: list[np.ndarray] = x0, d: Any = d) -> Any:
                    self._add(step, d)
                    value = float(evaluate())
                    grad = self._flat_grad()
                    self._set(x0)
                    return value, grad

                loss, g, t, ls_evals = _strong_wolfe(
                    along, t, d, loss, g, gtd, max_ls=max_eval - evals
                )
                self._add(t, d)
                converged = np.abs(g).max() <= tol_grad
            else:
                self._add(t, d)
                converged = False
                if n_iter != max_iter:
                    loss = float(evaluate())
                    g = self._flat_grad()
                    converged = np.abs(g).max() <= tol_grad
                    ls_evals = 1
            evals += ls_evals
            state["func_evals"] += ls_evals
            if n_iter == max_iter or evals >= max_eval or converged:
                break
            if np.abs(d * t).max() <= tol_change or abs(loss - prev_loss) < tol_change:
                break
        state.update(
            d=_wrap(d),
            t=_wrap(t),
            old_dirs=_wrap(dirs),
            old_stps=_wrap(stps),
            ro=_wrap(ro),
            H_diag=_wrap(h_diag),
            prev_flat_grad=_wrap(prev_g),
            prev_loss=prev_loss,
        )
        return orig_loss


def _wrap(value: Any) -> Any:
    """numpy arrays and scalars as tensors (lists element-wise); Python numbers as they are."""
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    if isinstance(value, np.ndarray | np.generic):
        return Tensor._make(np.array(value))
    return value


def _unwrap(value: Any) -> Any:
    """The numpy values of what _wrap made (0-d tensors give numpy scalars)."""
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    if isinstance(value, Tensor):
        return value._data[()] if value._data.ndim == 0 else value._data
    return value
