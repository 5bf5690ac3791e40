"""swap_in_optimizer_params_and_state: run an optimizer on other parameters and state for the
length of a ``with`` block, the live ones restored on exit (PyTorch's validation and messages)."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, NoReturn

from .._tensor import Tensor
from .optimizer import Optimizer

__all__ = ["swap_in_optimizer_params_and_state"]

_NAME = "swap_in_optimizer_params_and_state"


def _fail(message: str) -> NoReturn:
    raise RuntimeError(message)


def _checked_state(state: Any) -> dict[Any, Any]:
    if not isinstance(state, dict):
        _fail(
            f"{_NAME} requires swapin_optim_state['state'] to be a dict mapping packed "
            f"parameter ids to per-param state dicts, got {type(state).__name__}."
        )
    if any(isinstance(k, Tensor) for k in state):
        _fail(f"{_NAME} requires optimizer.state_dict()-style state keyed by packed parameter ids.")
    if any(isinstance(k, int) and not isinstance(v, dict) for k, v in state.items()):
        _fail(f"{_NAME} requires per-parameter optimizer state entries to be dictionaries.")
    return state


def _checked_group_ids(index: int, live: dict[str, Any], group: Any) -> list[int]:
    if not isinstance(group, dict):
        _fail(f"{_NAME} requires each optimizer param group to be a dictionary.")
    ids = group.get("params")
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        _fail(
            f"{_NAME} requires optimizer.state_dict()-style param_groups[*]['params'] entries "
            "keyed by packed parameter ids."
        )
    if len(live["params"]) != len(ids):
        _fail(
            f"swapin_optim_state param group {index} has a different number of params than the "
            "live optimizer param group."
        )
    only_swapin = [k for k in group if k not in live]
    only_live = [k for k in live if k not in group]
    if only_swapin or only_live:
        _fail(
            f"{_NAME} requires optimizer.state_dict()-style param group keys to exactly match "
            f"the live optimizer group keys for group {index}. Keys only in swap-in: "
            f"{only_swapin}. Keys only in live: {only_live}."
        )
    return ids


@contextlib.contextmanager
def swap_in_optimizer_params_and_state(
    optimizer: Optimizer,
    swapin_parameters: dict[str, Tensor],
    swapin_optim_state: dict[str, Any],
) -> Iterator[None]:
    """Inside the block the optimizer's groups hold ``swapin_parameters`` (in the groups' order)
    and the hyperparameters of ``swapin_optim_state["param_groups"]``, and its state is
    ``swapin_optim_state["state"]`` keyed by those parameters; in-place updates of state tensors
    reach the given dict. The live parameters, groups and state come back on exit."""
    if not optimizer.state:
        _fail(f"{_NAME} requires initialized optimizer state.")
    if not isinstance(swapin_optim_state, dict):
        _fail(f"{_NAME} requires a DCP-style optimizer state_dict.")
    state = _checked_state(swapin_optim_state.get("state"))
    groups = swapin_optim_state.get("param_groups")
    if not isinstance(groups, list):
        _fail(
            f"{_NAME} requires swapin_optim_state['param_groups'] to be a list of param-group "
            f"dicts, got {type(groups).__name__}."
        )
    if len(groups) != len(optimizer.param_groups):
        _fail(
            "swapin_optim_state has a different number of parameter groups than the live optimizer."
        )
    flat = list(swapin_parameters.values())
    offset, seen, plan = 0, set(), []
    for index, (live, group) in enumerate(zip(optimizer.param_groups, groups, strict=True)):
        ids = _checked_group_ids(index, live, group)
        seen.update(ids)
        if offset + len(ids) > len(flat):
            _fail(
                f"{_NAME} requires the explicit parameter state to match optimizer.param_groups "
                "ordering."
            )
        plan.append((live, group, flat[offset : offset + len(ids)]))
        offset += len(ids)
    extra = [k for k in state if k not in seen]
    if extra:
        _fail(
            f"{_NAME} requires swapin_optim_state['state'] to be keyed only by packed parameter "
            f"ids from param_groups[*]['params']; got extra keys {extra!r}."
        )

    live_state = optimizer.state
    snapshots = [dict(g) for g in optimizer.param_groups]  # the same params lists come back
    try:
        swapped: defaultdict[Tensor, Any] = defaultdict(dict)
        for live, group, params in plan:
            live["params"] = params
            live.update({k: v for k, v in group.items() if k != "params"})
            for p, pid in zip(params, group["params"], strict=True):
                swapped[p] = dict(state.get(pid, {}))  # a copy: new keys stay inside the block
        optimizer.state = swapped
        yield
    finally:
        for live, snapshot in zip(optimizer.param_groups, snapshots, strict=True):
            live.clear()
            live.update(snapshot)
        optimizer.state = live_state
