"""nn.Module's API against torch 2.13: registration and lookup errors, state dicts (metadata,
hooks, extra state, load errors), conversions and the containers. Found by a differential run
that built the same module trees under both libraries and compared printed results, values and
exception types and messages; each case below differed before its fix.

The ndgrad-only tests state PyTorch's answers directly; the ``requires_torch`` tests run one
snippet under both libraries and compare what it records line by line."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from tests.helpers import requires_torch, torch

import ndgrad
import ndgrad.nn as nn


def _record(lib: Any, code: str) -> list[str]:
    """Run ``code`` with ``torch``/``nn`` bound to ``lib``; what it passes to ``out`` and the
    warnings it raises, one line each, then the exception that stopped it (type and text)."""
    lines: list[str] = []

    def out(*values: Any) -> None:
        lines.append(" ".join(str(v) for v in values))

    def attempt(fn: Any) -> None:
        try:
            out("ok", fn())
        except Exception as e:  # the type and message are what is compared
            out(type(e).__name__, e)

    env = {"torch": lib, "nn": lib.nn, "out": out, "attempt": attempt, "np": np}
    lib.manual_seed(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(code, env)
        except Exception as e:
            lines.append(f"stopped: {type(e).__name__}: {e}")
    lines.extend(f"warning {w.category.__name__}: {w.message}" for w in caught)
    return lines


def _same_as_torch(code: str) -> None:
    expected = _record(torch, code)
    got = _record(ndgrad, code)
    assert got == expected


def _error(fn: Any) -> tuple[str, str]:
    try:
        fn()
    except Exception as e:
        return type(e).__name__, str(e)
    raise AssertionError("no exception")


# --- names, lookups and assignments --------------------------------------------------------


def test_submodule_name_errors_quote_the_name_and_check_existing_attributes_first() -> None:
    s = nn.Sequential(nn.Linear(2, 2))
    assert _error(lambda: s.add_module("x.y", nn.ReLU())) == (
        "KeyError",
        "'module name can\\'t contain \".\", got: x.y'",
    )
    assert _error(lambda: nn.ModuleDict().__setitem__("a.b", nn.ReLU()))[1].endswith("got: a.b'")
    # parameters and buffers keep the short message
    assert _error(lambda: s.register_buffer("x.y", None)) == (
        "KeyError",
        "'buffer name can\\'t contain \".\"'",
    )


def test_get_submodule_walks_attributes() -> None:
    m = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.BatchNorm1d(2), nn.ReLU()))
    assert _error(lambda: m.get_submodule("1.0.weight")) == (
        "AttributeError",
        "`weight` is not an nn.Module",
    )
    assert _error(lambda: m.get_submodule("1.x.y")) == (
        "AttributeError",
        "Sequential has no attribute `x`",
    )
    assert _error(lambda: m.get_parameter("1.0.running_mean")) == (
        "AttributeError",
        "`running_mean` is not an nn.Parameter",
    )
    assert _error(lambda: m.get_parameter("1")) == ("AttributeError", "`1` is not an nn.Parameter")
    assert _error(lambda: m.get_parameter("0.x")) == (
        "AttributeError",
        "Linear has no attribute `x`",
    )
    assert m.get_submodule("1.1")._get_name() == "ReLU"


def test_assigning_a_non_tensor_to_a_buffer() -> None:
    b = nn.BatchNorm1d(2)
    assert _error(lambda: setattr(b, "running_mean", 3)) == (
        "TypeError",
        "cannot assign 'int' as buffer 'running_mean' "
        "(torch.nn.Buffer, torch.Tensor or None expected)",
    )


def test_requires_grad_takes_a_bool_only() -> None:
    m = nn.Linear(2, 2)
    assert _error(lambda: m.requires_grad_(0)) == (
        "TypeError",
        "requires_grad_(): argument 'requires_grad' (position 1) must be bool, not int",
    )
    t = ndgrad.ones(1)
    assert _error(lambda: t.requires_grad_(requires_grad=np.bool_(True))) == (
        "TypeError",
        "requires_grad_(): argument 'requires_grad' must be bool, not numpy.bool",
    )
    assert t.requires_grad_().requires_grad and not t.requires_grad_(False).requires_grad


def test_zero_element_kaiming_init_warns() -> None:
    with pytest.warns(UserWarning, match="^Initializing zero-element tensors is a no-op$"):
        nn.Linear(8, 0)
    with pytest.warns(UserWarning, match="zero-element"):
        nn.init.kaiming_normal_(ndgrad.empty(0, 3))


def test_always_call_hook_error_warning_text() -> None:
    class Bad(nn.Module):
        def forward(self, x: Any) -> Any:
            raise ValueError("boom")

    def hook(module: Any, args: Any, output: Any) -> None:
        raise KeyError("hook")

    m = Bad()
    m.register_forward_hook(hook, always_call=True)
    with pytest.warns(UserWarning) as caught, pytest.raises(ValueError, match="boom"):
        m(ndgrad.ones(1))
    assert str(caught[0].message) == (
        "module forward hook with ``always_call=True`` raised an exception that was silenced "
        "as another error was raised in forward: 'hook'"
    )


_LOOKUPS = """
m = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.BatchNorm1d(2), nn.ReLU()))
m.foo = 3
for t in ['', '0', '1.0', '1.1', '2', '1.0.weight', 'foo', '1.x.y', '0.weight']:
    attempt(lambda: m.get_submodule(t)._get_name())
for t in ['0.weight', '1.0.running_mean', 'x', '0.x', '1.q.weight', 'foo', '1']:
    attempt(lambda: tuple(m.get_parameter(t).shape))
for t in ['1.0.running_mean', '0.weight', '1.0.x', 'foo', '2.x', '1.0.training']:
    attempt(lambda: tuple(m.get_buffer(t).shape))
for args in [('x.y', nn.ReLU()), ('', nn.ReLU()), (1, nn.ReLU()), ('training', nn.ReLU()),
             ('z', 3), ('forward', nn.ReLU()), ('0', nn.Tanh()), ('n', None)]:
    attempt(lambda: m.add_module(*args))
for args in [('x.y', torch.ones(1)), ('', torch.ones(1)), (1, torch.ones(1)), ('z', 3),
             ('training', torch.ones(1)), ('0', None)]:
    attempt(lambda: m.register_buffer(*args))
    attempt(lambda: m.register_parameter(*args))
b = nn.BatchNorm1d(2)
for v in [3, 'x', None, torch.ones(2)]:
    attempt(lambda: setattr(b, 'running_mean', v))
attempt(lambda: m.requires_grad_(0))
attempt(lambda: nn.Linear(3, 0))
"""


@requires_torch
def test_lookups_and_registration_errors_match_torch() -> None:
    _same_as_torch(_LOOKUPS)


# --- state dicts -----------------------------------------------------------------------------


def test_state_dict_metadata_holds_each_modules_version() -> None:
    m = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2), nn.Sequential(nn.InstanceNorm1d(2)))
    sd = m.state_dict()
    assert dict(sd._metadata) == {
        "": {"version": 1},
        "0": {"version": 1},
        "1": {"version": 2},
        "2": {"version": 1},
        "2.0": {"version": 2},
    }
    assert not hasattr(m.state_dict(destination={}), "_metadata")


def test_positional_state_dict_arguments_warn() -> None:
    m = nn.Linear(1, 1)
    d: dict[str, Any] = {}
    with pytest.warns(FutureWarning, match="^Positional args are being deprecated"):
        r = m.state_dict(d, "x.")
    assert r is d and list(d) == ["x.weight", "x.bias"]


def test_batchnorm_loads_a_checkpoint_without_num_batches_tracked_only_without_metadata() -> None:
    m = nn.BatchNorm1d(3)
    m.num_batches_tracked.fill_(5)
    old = {"weight": ndgrad.ones(3), "bias": ndgrad.zeros(3)}
    old.update(running_mean=ndgrad.zeros(3), running_var=ndgrad.ones(3))
    assert repr(m.load_state_dict(old)) == "<All keys matched successfully>"
    assert int(m.num_batches_tracked) == 5  # kept, as PyTorch keeps it
    new = nn.BatchNorm1d(3).state_dict()  # has version-2 metadata
    del new["num_batches_tracked"]
    assert _error(lambda: m.load_state_dict(new)) == (
        "RuntimeError",
        "Error(s) in loading state_dict for BatchNorm1d:\n\t"
        'Missing key(s) in state_dict: "num_batches_tracked". ',
    )


def test_unexpected_keys_name_a_bare_submodule_and_none_entries() -> None:
    m = nn.Sequential(nn.Linear(2, 3))
    m.register_buffer("c", None)
    m.register_parameter("p", None)
    sd = m.state_dict()
    sd["0"] = ndgrad.ones(1)
    sd["c"] = ndgrad.ones(1)
    sd["p"] = ndgrad.ones(1)
    assert _error(lambda: m.load_state_dict(sd)) == (
        "RuntimeError",
        "Error(s) in loading state_dict for Sequential:\n\t"
        'Unexpected key(s) in state_dict: "0", "c", "p". ',
    )
    keys = m.load_state_dict(sd, strict=False)
    assert keys.missing_keys == [] and keys.unexpected_keys == ["0", "c", "p"]


def test_a_failing_copy_is_reported_with_both_shapes() -> None:
    m = nn.Linear(2, 3)
    sd = {"weight": ndgrad.zeros(3, 2, dtype=ndgrad.int64), "bias": ndgrad.ones(3)}
    assert _error(lambda: m.load_state_dict(sd, assign=True)) == (
        "RuntimeError",
        "Error(s) in loading state_dict for Linear:\n\t"
        'While copying the parameter named "weight", whose dimensions in the model are '
        "torch.Size([3, 2]) and whose dimensions in the checkpoint are torch.Size([3, 2]), an "
        "exception occurred : ('Only Tensors of floating point and complex dtype can require "
        "gradients',).",
    )


def test_load_with_assign_takes_the_parameters_requires_grad() -> None:
    m = nn.Linear(2, 3)
    w = nn.Parameter(ndgrad.ones(3, 2), requires_grad=False)
    m.load_state_dict({"weight": w, "bias": ndgrad.ones(3)}, assign=True)
    assert m.weight is w and w.requires_grad
    assert type(m.bias) is nn.Parameter and m.bias.requires_grad


def test_a_0d_entry_loads_from_a_one_element_checkpoint_tensor() -> None:
    m = nn.Module()
    m.register_buffer("s", ndgrad.tensor(0.0))
    m.load_state_dict({"s": ndgrad.tensor([2.5])})
    assert m.s.shape == () and float(m.s) == 2.5


def test_extra_state_is_saved_and_loaded() -> None:
    class E(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = nn.Linear(1, 1)
            self.v = 3

        def get_extra_state(self) -> Any:
            return {"v": self.v}

        def set_extra_state(self, state: Any) -> None:
            self.v = state["v"]

    m = nn.Sequential(E())
    sd = m.state_dict()
    assert list(sd) == ["0._extra_state", "0.lin.weight", "0.lin.bias"]
    sd["0._extra_state"] = {"v": 7}
    m.load_state_dict(sd)
    assert m[0].v == 7
    del sd["0._extra_state"]
    assert _error(lambda: m.load_state_dict(sd))[1].endswith(
        'Missing key(s) in state_dict: "0._extra_state". '
    )
    lin = nn.Linear(1, 1)
    sd = {"weight": ndgrad.ones(1, 1), "bias": ndgrad.ones(1), "_extra_state": 1}
    assert _error(lambda: lin.load_state_dict(sd))[1].endswith(
        'Unexpected key(s) in state_dict: "_extra_state". '
    )


def test_state_dict_hooks_run_in_torchs_order_with_its_arguments() -> None:
    m = nn.Linear(2, 2)
    log: list[Any] = []
    m.register_state_dict_pre_hook(lambda mod, prefix, keep: log.append(("pre", prefix, keep)))
    m.register_state_dict_post_hook(
        lambda mod, sd, prefix, meta: log.append(("post", list(sd), prefix, meta))
    )
    m.register_load_state_dict_pre_hook(
        lambda mod, sd, prefix, meta, strict, mk, uk, em: log.append(("lpre", prefix, strict))
    )
    m.register_load_state_dict_post_hook(lambda mod, keys: log.append(("lpost", repr(keys))))
    m.load_state_dict(m.state_dict(prefix="a."), strict=False)
    assert log == [
        ("pre", "a.", False),
        ("post", ["a.weight", "a.bias"], "a.", {"version": 1}),
        ("lpre", "", True),
        (
            "lpost",
            "_IncompatibleKeys(missing_keys=['weight', 'bias'], unexpected_keys=['a.weight', "
            "'a.bias'])",
        ),
    ]
    m.register_state_dict_post_hook(lambda *a: {})
    assert _error(m.state_dict) == ("RuntimeError", "state_dict post-hook must return None")
    m2 = nn.Linear(1, 1)
    m2.register_load_state_dict_post_hook(lambda mod, keys: keys.missing_keys.clear())
    assert m2.load_state_dict({}).missing_keys == []  # the hook's edit lets strict pass


def test_instance_norm_refuses_old_running_stats() -> None:
    m = nn.InstanceNorm1d(2)
    sd = {"running_mean": ndgrad.zeros(2), "running_var": ndgrad.ones(2)}
    kind, text = _error(lambda: m.load_state_dict(sd))
    assert kind == "RuntimeError"
    assert text.startswith(
        "Error(s) in loading state_dict for InstanceNorm1d:\n\tUnexpected running stats "
        'buffer(s) "running_mean" and "running_var" for InstanceNorm1d with '
        "track_running_stats=False. If state_dict is a checkpoint saved before 0.4.0,"
    )


def test_module_to_refuses_an_integer_dtype_and_to_empty() -> None:
    m = nn.Linear(2, 2)
    assert _error(lambda: m.to(ndgrad.int32)) == (
        "TypeError",
        "nn.Module.to only accepts floating point or complex dtypes, but got desired "
        "dtype=torch.int32",
    )
    assert _error(lambda: m.to(ndgrad.ones(1, dtype=ndgrad.bool)))[0] == "TypeError"
    w = m.weight
    assert m.to_empty(device="cpu") is m and m.weight is w and m.weight.shape == (2, 2)
    assert m.weight.requires_grad


def test_hook_tables_are_ordered_dicts() -> None:
    m = nn.Linear(1, 1)
    m.register_forward_hook(lambda *a: None)
    assert type(m._forward_hooks).__name__ == "OrderedDict"
    assert type(m._state_dict_hooks).__name__ == "OrderedDict"


_STATE_DICTS = """
m = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Sequential(nn.Linear(3, 1)))
m.register_buffer('np', torch.ones(2), persistent=False)
sd = m.state_dict()
out(list(sd), dict(sd._metadata))
out([(k, tuple(v.shape), str(v.dtype), v.requires_grad) for k, v in sd.items()])
out([type(v).__name__ for v in m.state_dict(keep_vars=True).values()])
bad = dict(sd)
del bad['1.num_batches_tracked']
bad['2.0.foo'] = torch.ones(1)
bad['3.weight'] = torch.ones(1)
bad['1.running_mean'] = torch.ones(5)
bad['0'] = torch.ones(1)
bad['0.bias'] = 3
attempt(lambda: m.load_state_dict(bad))
attempt(lambda: m.load_state_dict(bad, strict=False))
attempt(lambda: m.load_state_dict({}, strict=False))
attempt(lambda: m.load_state_dict([1]))
b = nn.BatchNorm1d(3)
attempt(lambda: b.load_state_dict({'weight': torch.ones(3), 'bias': torch.zeros(3),
                                   'running_mean': torch.zeros(3), 'running_var': torch.ones(3)}))
lin = nn.Linear(2, 3)
attempt(lambda: lin.load_state_dict({'weight': torch.zeros(3, 2, dtype=torch.int64),
                                     'bias': torch.ones(3)}, assign=True))
attempt(lambda: lin.to(torch.int32))
attempt(lambda: nn.Parameter(torch.zeros(2, dtype=torch.int64)))
"""


@requires_torch
def test_state_dicts_and_loading_match_torch() -> None:
    _same_as_torch(_STATE_DICTS)


# --- containers ------------------------------------------------------------------------------


def _acts() -> list[nn.Module]:
    return [nn.ReLU(), nn.Tanh(), nn.Sigmoid()]


def test_sequential_pop_add_multiply() -> None:
    s = nn.Sequential(*_acts())
    assert s.pop(0)._get_name() == "ReLU" and [k for k in s._modules] == ["0", "1"]
    both = s + nn.Sequential(nn.ELU())
    assert both is not s and [m._get_name() for m in both] == ["Tanh", "Sigmoid", "ELU"]
    assert [m._get_name() for m in 2 * s] == ["Tanh", "Sigmoid", "Tanh", "Sigmoid"]
    s += nn.Sequential(nn.GELU())
    assert len(s) == 3
    s *= 2
    assert list(s._modules) == [str(i) for i in range(6)] and s[3] is s[0]
    assert _error(lambda: s + 3) == (
        "ValueError",
        "add operator supports only objects of Sequential class, but <class 'int'> is given.",
    )
    kind, text = _error(lambda: s * 0)
    assert kind == "ValueError" and text.startswith("Non-positive multiplication factor 0 for")
    assert _error(lambda: s * 1.5)[0] == "TypeError"


def test_sequential_insert_checks_its_index_and_module() -> None:
    s = nn.Sequential(*_acts())
    assert _error(lambda: s.insert(4, nn.ELU())) == ("IndexError", "Index out of range: 4")
    assert _error(lambda: s.insert(-4, nn.ELU())) == ("IndexError", "Index out of range: -4")
    assert _error(lambda: s.insert(0, 3))[0] == "AssertionError"  # type: ignore[arg-type]
    s.insert(3, nn.ELU())
    s.insert(-1, nn.GELU())
    assert [m._get_name() for m in s] == ["ReLU", "Tanh", "Sigmoid", "GELU", "ELU"]


def test_indices_must_be_integers() -> None:
    s = nn.Sequential(*_acts())
    for container in (s, nn.ModuleList(_acts()), nn.ParameterList([ndgrad.ones(1)])):
        assert _error(lambda c=container: c["0"]) == (
            "TypeError",
            "'str' object cannot be interpreted as an integer",
        )
    assert _error(lambda: s[1.0]) == (
        "TypeError",
        "'float' object cannot be interpreted as an integer",
    )
    assert s[np.int64(1)]._get_name() == "Tanh"


def test_module_list_pop_add_and_insert() -> None:
    ml = nn.ModuleList(_acts())
    assert ml.pop(-1)._get_name() == "Sigmoid" and len(ml) == 2
    both = ml.__add__([nn.ELU()])
    assert type(both) is nn.ModuleList and len(both) == 3 and len(ml) == 2
    assert _error(lambda: ml.__delitem__(10)) == ("IndexError", "index 10 is out of range")
    ml.insert(10, nn.GELU())  # PyTorch's insert takes the index as a key
    assert list(ml._modules) == ["0", "1", "10"]
    assert repr(ml).splitlines()[3] == "  (2): GELU(approximate='none')"
    ml2 = nn.ModuleList(_acts())
    assert _error(lambda: ml2.insert(-1, nn.ELU())) == ("KeyError", "'-1'")


def test_iterable_checks_of_extend_and_update() -> None:
    assert _error(lambda: nn.ModuleList(3)) == (  # type: ignore[arg-type]
        "TypeError",
        "ModuleList.extend should be called with an iterable, but got int",
    )
    assert _error(lambda: nn.ModuleList().extend(nn.ReLU())) == (  # type: ignore[arg-type]
        "TypeError",
        "ModuleList.extend should be called with an iterable, but got ReLU",
    )
    assert _error(lambda: nn.ModuleDict(3)) == (  # type: ignore[arg-type]
        "TypeError",
        "ModuleDict.update should be called with an iterable of key/value pairs, but got int",
    )
    assert _error(lambda: nn.ModuleDict([("q",)])) == (  # type: ignore[list-item]
        "ValueError",
        "ModuleDict update sequence element #0 has length 1; 2 is required",
    )
    assert _error(lambda: nn.ModuleDict([3])) == (  # type: ignore[list-item]
        "TypeError",
        "ModuleDict update sequence element #0 should be Iterable; isint",
    )
    assert _error(lambda: nn.ParameterList(3)) == (
        "TypeError",
        "ParameterList.extend should be called with an iterable, but got int",
    )
    assert _error(lambda: nn.ParameterList(ndgrad.ones(2))) == (
        "TypeError",
        "ParameterList.extend should be called with an iterable, but got Tensor",
    )
    assert _error(lambda: nn.ParameterDict(3)) == (
        "TypeError",
        "ParametersDict.update should be called with an iterable of key/value pairs, but got int",
    )
    assert _error(lambda: nn.ParameterDict([3])) == (
        "TypeError",
        "ParameterDict update sequence element #0 should be Iterable; isint",
    )


def test_module_dict_update_from_a_module_dict() -> None:
    d = nn.ModuleDict({"b": nn.ReLU()})
    d.update(nn.ModuleDict({"z": nn.Tanh()}))
    assert list(d) == ["b", "z"]


def test_parameter_list_setitem_checks_the_index_and_iadd() -> None:
    p = nn.ParameterList([ndgrad.ones(1)])
    assert _error(lambda: p.__setitem__(5, ndgrad.ones(1))) == (
        "IndexError",
        "index 5 is out of range",
    )
    p += [ndgrad.zeros(2)]
    assert len(p) == 2 and type(p[1]) is nn.Parameter
    assert "0" not in dir(p) and "append" in dir(p)
    assert _error(lambda: p(1)) == ("RuntimeError", "ParameterList should not be called.")
    assert type(p[0:1]) is nn.ParameterList


def test_parameter_dict_has_the_dict_methods() -> None:
    p = nn.ParameterDict({"b": ndgrad.ones(2), "a": ndgrad.zeros(3)})
    assert list(p) == ["a", "b"]
    assert tuple(p.pop("b").shape) == (2,) and list(p) == ["a"]
    assert p.get("zz", 5) == 5 and p.get("a") is p["a"]
    assert tuple(p.setdefault("k", ndgrad.ones(3)).shape) == (3,)
    assert p.popitem()[0] == "k" and list(p) == ["a"]
    assert type(p.copy()) is nn.ParameterDict and list(p.copy()) == ["a"]
    assert list(p | nn.ParameterDict({"c": ndgrad.ones(1)})) == ["a", "c"]
    assert list(p.fromkeys(["u", "v"])) == ["u", "v"]
    assert list(reversed(nn.ParameterDict({"x": None, "y": None}))) == ["y", "x"]
    p.clear()
    assert len(p) == 0 and list(p.state_dict()) == []
    assert _error(lambda: p.__setitem__(1, ndgrad.ones(1))) == (  # type: ignore[index]
        "TypeError",
        "Index given to ParameterDict cannot be used as a key as it is not a string (type is "
        "'int'). Open an issue on github if you need non-string keys.",
    )
    assert _error(lambda: p(1)) == ("RuntimeError", "ParameterDict should not be called.")


_CONTAINERS = """
s = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 3), nn.Tanh())
for f in [lambda: s[-4], lambda: s[4], lambda: s['0'], lambda: s[1:3], lambda: s.pop(0),
          lambda: s.insert(100, nn.ReLU()), lambda: s.insert(-1, nn.GELU()), lambda: s,
          lambda: s + nn.Sequential(nn.ReLU()), lambda: s + 3, lambda: 2 * s,
          lambda: s.__iadd__(nn.Sequential(nn.ELU())), lambda: s.__imul__(2), lambda: len(s),
          lambda: s.__delitem__(slice(0, 3)), lambda: list(s._modules)]:
    attempt(f)
l = nn.ModuleList([nn.Linear(1, 1), nn.ReLU()])
for f in [lambda: l[2], lambda: l.extend(3), lambda: l.insert(-1, nn.SiLU()), lambda: l,
          lambda: l.pop(0), lambda: l + [nn.ReLU()], lambda: l.insert(10, nn.ReLU()), lambda: l,
          lambda: list(l._modules), lambda: l.__delitem__(10)]:
    attempt(f)
d = nn.ModuleDict({'b': nn.ReLU(), 'a': nn.Linear(1, 1)})
for f in [lambda: d.update([('q',)]), lambda: d.update(3), lambda: d.update([3]),
          lambda: d.update(nn.ModuleDict({'z': nn.ReLU()})), lambda: list(d),
          lambda: d.__setitem__('a.b', nn.ReLU())]:
    attempt(f)
p = nn.ParameterList([nn.Parameter(torch.ones(2)), torch.zeros(3, 2)])
for f in [lambda: p.__setitem__(10, torch.ones(5)), lambda: p.extend(3),
          lambda: p.__iadd__([torch.ones(1)]), lambda: p(1), lambda: p['0'], lambda: p[0:2]]:
    attempt(f)
q = nn.ParameterDict({'b': nn.Parameter(torch.ones(2)), 'a': torch.zeros(3, 2)})
for f in [lambda: q.pop('b'), lambda: q, lambda: q.pop('zz'), lambda: q.update([3]),
          lambda: q.get('zz', 5), lambda: tuple(q.setdefault('k', torch.ones(3)).shape),
          lambda: q.popitem()[0], lambda: q.copy(), lambda: q | nn.ParameterDict({'c': None}),
          lambda: q.__setitem__(1, torch.ones(1)), lambda: q(1), lambda: list(reversed(q)),
          lambda: q.clear(), lambda: q]:
    attempt(f)
"""


@requires_torch
def test_containers_match_torch() -> None:
    _same_as_torch(_CONTAINERS)
