"""Module behaviour (registration, traversal, hooks, state dicts, repr); layers vs torch."""

from __future__ import annotations

import copy
import math
import re
from collections import OrderedDict
from typing import Any

import numpy as np
import pytest
from tests.helpers import assert_close, requires_torch, torch

import ndgrad
import ndgrad.nn as nn


def _net(lib: Any) -> Any:
    m = lib.nn

    class Net(m.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = m.Conv2d(1, 2, 3, padding=1)
            self.bn = m.BatchNorm2d(2)
            self.head = m.Sequential(m.Flatten(), m.Linear(2 * 4 * 4, 3), m.ReLU())
            self.register_buffer("scale", lib.ones(1))
            self.register_buffer("tmp", lib.zeros(1), persistent=False)

        def forward(self, x: Any) -> Any:
            return self.head(self.bn(self.conv(x))) * self.scale

    return Net()


def test_registration_and_traversal() -> None:
    net = _net(ndgrad)
    names = [n for n, _ in net.named_parameters()]
    assert names == ["conv.weight", "conv.bias", "bn.weight", "bn.bias", "head.1.weight",
                     "head.1.bias"]  # fmt: skip
    assert [n for n, _ in net.named_buffers()] == [
        "scale", "tmp", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked",
    ]  # fmt: skip
    assert [n for n, _ in net.named_modules()] == ["", "conv", "bn", "head", "head.0", "head.1",
                                                   "head.2"]  # fmt: skip
    assert [type(c).__name__ for c in net.children()] == ["Conv2d", "BatchNorm2d", "Sequential"]
    assert len(list(net.modules())) == 7
    assert list(net.state_dict()) == [
        "scale", "conv.weight", "conv.bias", "bn.weight", "bn.bias", "bn.running_mean",
        "bn.running_var", "bn.num_batches_tracked", "head.1.weight", "head.1.bias",
    ]  # fmt: skip
    assert all(isinstance(p, nn.Parameter) for p in net.parameters())
    assert not net.state_dict()["conv.weight"].requires_grad
    assert net.state_dict(keep_vars=True)["conv.weight"] is net.conv.weight
    # shared parameters are listed once
    lin = nn.Linear(2, 2)
    assert len(list(nn.Sequential(lin, lin).parameters())) == 2


@requires_torch
def test_traversal_matches_torch() -> None:
    a, b = _net(ndgrad), _net(torch)
    assert [n for n, _ in a.named_parameters()] == [n for n, _ in b.named_parameters()]
    assert list(a.state_dict()) == list(b.state_dict())
    assert [n for n, _ in a.named_modules()] == [n for n, _ in b.named_modules()]
    assert repr(a) == repr(b)


def test_setattr_rules() -> None:
    m = nn.Module()
    m.w = nn.Parameter(ndgrad.ones(2))
    assert "w" in m._parameters
    m.w = None
    assert m.w is None and "w" in m._parameters
    with pytest.raises(TypeError, match=re.escape(
        "cannot assign 'torch.FloatTensor' as parameter 'w' (torch.nn.Parameter or None expected)"
    )):  # fmt: skip
        m.w = ndgrad.ones(2)
    m.sub = nn.Linear(1, 1)
    with pytest.raises(TypeError, match=re.escape(
        "cannot assign 'int' as child module 'sub' (torch.nn.Module or None expected)"
    )):  # fmt: skip
        m.sub = 3
    m.register_buffer("b", ndgrad.zeros(1))
    m.b = ndgrad.ones(1)
    assert m._buffers["b"].tolist() == [1.0]
    with pytest.raises(KeyError, match="attribute 'sub' already exists"):
        m.register_buffer("sub", ndgrad.zeros(1))
    with pytest.raises(KeyError, match="buffer name can"):
        m.register_buffer("a.b", ndgrad.zeros(1))
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'nothing'"):
        _ = m.nothing
    del m.sub
    assert "sub" not in m._modules
    with pytest.raises(TypeError, match=re.escape(
        "cannot assign 'torch.FloatTensor' object to parameter 'x' (torch.nn.Parameter or None "
        "required)"
    )):  # fmt: skip
        m.register_parameter("x", ndgrad.ones(1))  # type: ignore[arg-type]

    class Early(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(ndgrad.ones(1))

    with pytest.raises(AttributeError, match=re.escape(
        "cannot assign parameters before Module.__init__() call"
    )):  # fmt: skip
        Early()


def test_forward_missing() -> None:
    with pytest.raises(NotImplementedError, match=re.escape(
        'Module [Module] is missing the required "forward" function'
    )):  # fmt: skip
        nn.Module()(1)


def test_train_eval_zero_grad_requires_grad_apply() -> None:
    net = _net(ndgrad)
    assert net.training and net.bn.training
    assert net.eval() is net and not net.bn.training and not net.head[0].training
    net.train()
    assert net.head[2].training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train("yes")  # type: ignore[arg-type]
    net(ndgrad.randn(2, 1, 4, 4)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    seen: list[str] = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen[0] == "Conv2d"


def test_hooks() -> None:
    lin = nn.Linear(2, 2)
    calls: list[str] = []

    def pre(module: Any, args: Any) -> Any:
        calls.append("pre")
        return (args[0] * 0,)

    def post(module: Any, args: Any, out: Any) -> Any:
        calls.append("post")
        return out + 1

    h1 = lin.register_forward_pre_hook(pre)
    h2 = lin.register_forward_hook(post)
    out = lin(ndgrad.ones(1, 2))
    assert calls == ["pre", "post"]
    assert_close(out, lin.bias.detach().reshape(1, 2) + 1)
    h1.remove()
    h2.remove()
    assert_close(lin(ndgrad.zeros(1, 2)), lin.bias.detach().reshape(1, 2))


def test_load_state_dict() -> None:
    a, b = _net(ndgrad), _net(ndgrad)
    result = b.load_state_dict(a.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    for (_, p), (_, q) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        assert_close(p.detach(), q.detach())
        assert p is not q
    sd = a.state_dict()
    del sd["conv.bias"]
    sd["extra.weight"] = ndgrad.zeros(1)
    res = b.load_state_dict(sd, strict=False)
    assert res.missing_keys == ["conv.bias"] and res.unexpected_keys == ["extra.weight"]


LOAD_ERRORS = [
    ("L.load_state_dict({'weight': T.zeros(3, 2), 'foo': T.zeros(1)})",
     'Error(s) in loading state_dict for Linear:\n\tMissing key(s) in state_dict: "bias". \n\t'
     'Unexpected key(s) in state_dict: "foo". \n\tsize mismatch for weight: copying a param with '
     "shape torch.Size([3, 2]) from checkpoint, the shape in current model is "
     "torch.Size([2, 2])."),
    ("L.load_state_dict({'weight': T.zeros(2, 2), 'bias': 3})",
     'Error(s) in loading state_dict for Linear:\n\tWhile copying the parameter named "bias", '
     "expected torch.Tensor or Tensor-like object from checkpoint but received <class 'int'>"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "msg"), LOAD_ERRORS)
def test_load_state_dict_errors(code: str, msg: str) -> None:
    with pytest.raises(RuntimeError, match=re.escape(msg)):
        eval(code, {"T": ndgrad, "L": nn.Linear(2, 2)})


@requires_torch
@pytest.mark.parametrize(("code", "msg"), LOAD_ERRORS)
def test_load_state_dict_errors_are_torchs(code: str, msg: str) -> None:
    with pytest.raises(RuntimeError, match=re.escape(msg)):
        eval(code, {"T": torch, "L": torch.nn.Linear(2, 2)})


REPRS = [
    "nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 3, bias=False)))",
    "nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU(), nn.Tanh(), nn.Tanh()])",
    "nn.ModuleDict({'a': nn.ReLU(), 'b': nn.Sigmoid()})",
    "nn.Sequential(OrderedDict(c=nn.Conv2d(1, 2, 3, padding='same'), "
    "d=nn.Conv2d(1, 2, (3, 2), stride=2, padding=1, dilation=2, groups=1, bias=False)))",
    "nn.Conv1d(2, 4, 3, groups=2)",
    "nn.ConvTranspose2d(2, 3, 3, stride=2, output_padding=1)",
    "nn.MaxPool2d(2)",
    "nn.MaxPool2d(3, 1, 1, ceil_mode=True)",
    "nn.AvgPool2d(2)",
    "nn.AdaptiveAvgPool2d((2, 3))",
    "nn.BatchNorm2d(3)",
    "nn.BatchNorm1d(3, momentum=None, affine=False)",
    "nn.LayerNorm(4)",
    "nn.LayerNorm([2, 3], elementwise_affine=False)",
    "nn.GroupNorm(2, 4)",
    "nn.Dropout(0.2)",
    "nn.Embedding(3, 4)",
    "nn.Embedding(3, 4, padding_idx=0)",
    "nn.Flatten()",
    "nn.Identity()",
    "nn.Bilinear(2, 3, 4)",
    "nn.LeakyReLU()",
    "nn.GELU(approximate='tanh')",
    "nn.ELU(0.5)",
    "nn.SiLU()",
    "nn.Softplus(2.0)",
    "nn.Softmax(dim=1)",
    "nn.LogSoftmax(dim=-1)",
    "nn.ReLU(inplace=True)",
    "nn.CrossEntropyLoss(label_smoothing=0.1)",
    "nn.MSELoss()",
    "nn.Parameter(T.ones(2))",
]


@requires_torch
@pytest.mark.parametrize("code", REPRS)
def test_repr_matches_torch(code: str) -> None:
    ours = eval(code, {"nn": nn, "T": ndgrad, "OrderedDict": OrderedDict})
    theirs = eval(code, {"nn": torch.nn, "T": torch, "OrderedDict": OrderedDict})
    assert repr(ours) == repr(theirs)


def test_containers() -> None:
    seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    assert isinstance(seq[1:], nn.Sequential) and len(seq[1:]) == 2
    seq.append(nn.Sigmoid())
    assert [n for n, _ in seq.named_children()] == ["0", "1", "2", "3"]
    del seq[1]
    assert [type(m).__name__ for m in seq] == ["Linear", "Linear", "Sigmoid"]
    assert list(seq._modules) == ["0", "1", "2"]
    ml = nn.ModuleList([nn.Linear(1, 1)])
    ml.append(nn.Linear(1, 1))
    ml += [nn.ReLU()]
    assert len(ml) == 3 and len(list(ml.parameters())) == 4
    md = nn.ModuleDict({"a": nn.Linear(1, 1)})
    md["b"] = nn.ReLU()
    assert list(md.keys()) == ["a", "b"] and "a" in md
    assert [n for n, _ in md.named_parameters()] == ["a.weight", "a.bias"]
    with pytest.raises(IndexError, match="index 5 is out of range"):
        _ = ml[5]


def test_deepcopy_and_double() -> None:
    net = _net(ndgrad)
    clone = copy.deepcopy(net)
    p, q = net.conv.weight, clone.conv.weight
    assert p is not q and isinstance(q, nn.Parameter) and q.requires_grad
    assert_close(p.detach(), q.detach())
    clone.double()
    assert clone.conv.weight.dtype == ndgrad.float64
    assert clone.bn.num_batches_tracked.dtype == ndgrad.int64
    assert isinstance(clone.conv.weight, nn.Parameter)
    out = clone(ndgrad.randn(2, 1, 4, 4, dtype=ndgrad.float64))
    assert out.dtype == ndgrad.float64


def test_default_init_bounds() -> None:
    lin = nn.Linear(50, 40)
    bound = 1 / math.sqrt(50)
    w = lin.weight.detach().numpy()
    assert w.dtype == np.float32 and np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    conv = nn.Conv2d(4, 8, 3, groups=2)
    bound = 1 / math.sqrt(2 * 9)
    assert np.abs(conv.weight.detach().numpy()).max() <= bound
    assert np.abs(conv.bias.detach().numpy()).max() <= bound
    emb = nn.Embedding(100, 50, padding_idx=3).weight.detach().numpy()
    assert abs(emb.std() - 1) < 0.05 and not emb[3].any()


def test_init_functions() -> None:
    w = ndgrad.empty(200, 300)
    nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain("relu"))
    a = math.sqrt(2) * math.sqrt(6 / 500)
    assert np.abs(w.numpy()).max() <= a and np.abs(w.numpy()).max() > 0.95 * a
    nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert abs(w.numpy().std() - math.sqrt(2 / 200)) < 0.01 * math.sqrt(2 / 200) * 5
    nn.init.constant_(w, 0.5)
    assert set(w.numpy().ravel().tolist()) == {0.5}
    p = nn.Parameter(ndgrad.ones(3))
    nn.init.zeros_(p)  # allowed on a leaf that requires grad: runs outside autograd
    assert p.tolist() == [0, 0, 0] and p.requires_grad and p.is_leaf
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed"):
        nn.init.xavier_uniform_(ndgrad.empty(3))


@requires_torch
def test_init_gains_match_torch() -> None:
    for name, param in [("relu", None), ("tanh", None), ("leaky_relu", 0.2), ("selu", None),
                        ("conv2d", None), ("sigmoid", None)]:  # fmt: skip
        assert nn.init.calculate_gain(name, param) == torch.nn.init.calculate_gain(name, param)
    w = ndgrad.empty(3, 4, 5, 5)
    assert nn.init._calculate_fan_in_and_fan_out(w) == (100, 75)


# --- layers with identical weights -------------------------------------------------------------
LAYERS = [
    ("Linear(4, 3)", (2, 4)),
    ("Bilinear(3, 4, 2)", ((2, 3), (2, 4))),
    ("Conv1d(2, 4, 3, stride=2, padding=1)", (2, 2, 7)),
    ("Conv2d(2, 4, 3, padding='same', groups=2)", (2, 2, 5, 5)),
    ("ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1)", (2, 2, 3, 3)),
    ("MaxPool2d(2, 1)", (2, 2, 4, 4)),
    ("AvgPool2d(3, 2, 1, count_include_pad=False)", (2, 2, 5, 5)),
    ("AdaptiveAvgPool2d(2)", (2, 3, 5, 5)),
    ("BatchNorm1d(3)", (4, 3)),
    ("BatchNorm1d(3, momentum=None)", (4, 3, 2)),
    ("BatchNorm2d(3, affine=False)", (4, 3, 2, 2)),
    ("LayerNorm([3, 4])", (2, 3, 4)),
    ("GroupNorm(2, 4)", (3, 4, 2, 2)),
    ("Flatten()", (2, 3, 4)),
    ("Identity()", (2, 3)),
    ("LeakyReLU(0.1)", (3, 4)),
    ("GELU()", (3, 4)),
    ("ELU()", (3, 4)),
    ("SiLU()", (3, 4)),
    ("Softplus()", (3, 4)),
    ("Tanh()", (3, 4)),
    ("Sigmoid()", (3, 4)),
    ("Softmax(dim=1)", (3, 4)),
    ("LogSoftmax(dim=1)", (3, 4)),
    ("ReLU()", (3, 4)),
]


@requires_torch
@pytest.mark.parametrize(("code", "shape"), LAYERS, ids=[c for c, _ in LAYERS])
def test_layer_matches_torch(code: str, shape: Any) -> None:
    ours = eval("nn." + code, {"nn": nn}).double()
    theirs = eval("nn." + code, {"nn": torch.nn}).double()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    rng = np.random.default_rng(0)
    shapes = shape if isinstance(shape[0], tuple) else (shape,)
    arrays = [rng.standard_normal(s) for s in shapes]
    xs = [ndgrad.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    for _ in range(2):  # twice: batch norm's running statistics change in between
        y, ty = ours(*xs), theirs(*ts)
        assert_close(y, ty, rtol=1e-10, atol=1e-12)
        w = rng.standard_normal(tuple(ty.shape))
        (y * ndgrad.tensor(w)).sum().backward()
        (ty * torch.tensor(w)).sum().backward()
        for a, b in zip(xs, ts, strict=True):
            assert_close(a.grad, b.grad, rtol=1e-10, atol=1e-12)
        for (n, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
            assert_close(p.grad, q.grad, rtol=1e-10, atol=1e-12), n
    for (_, b), (_, tb) in zip(ours.named_buffers(), theirs.named_buffers(), strict=True):
        assert_close(b, tb, rtol=1e-10, atol=1e-12)
    ours.eval()
    theirs.eval()
    assert_close(ours(*xs), theirs(*ts), rtol=1e-10, atol=1e-12)


@requires_torch
def test_embedding_and_dropout_modules() -> None:
    emb = nn.Embedding(5, 3, padding_idx=0).double()
    temb = torch.nn.Embedding(5, 3, padding_idx=0).double()
    temb.load_state_dict({"weight": torch.tensor(emb.weight.detach().numpy())})
    idx = np.array([[0, 2, 2], [4, 0, 1]])
    y, ty = emb(ndgrad.tensor(idx)), temb(torch.tensor(idx))
    assert_close(y, ty)
    y.sum().backward()
    ty.sum().backward()
    assert_close(emb.weight.grad, temb.weight.grad)
    drop = nn.Dropout(0.5)
    x = ndgrad.ones(10)
    assert drop.eval()(x) is x


LOSSES = [
    ("MSELoss()", "float"),
    ("L1Loss(reduction='sum')", "float"),
    ("SmoothL1Loss(beta=0.5)", "float"),
    ("HuberLoss(delta=0.5)", "float"),
    ("NLLLoss()", "index"),
    ("NLLLoss(weight=T.tensor([1.0, 2.0, 0.5], dtype=T.float64), ignore_index=2)", "index"),
    ("CrossEntropyLoss()", "index"),
    (
        "CrossEntropyLoss(weight=T.tensor([1.0, 2.0, 0.5], dtype=T.float64), label_smoothing=0.1)",
        "index",
    ),
    ("CrossEntropyLoss(reduction='none', ignore_index=0)", "index"),
    ("CrossEntropyLoss(label_smoothing=0.2)", "prob"),
    ("BCELoss()", "unit"),
    ("BCEWithLogitsLoss(pos_weight=T.tensor([1.0, 2.0, 0.5], dtype=T.float64))", "unit"),
    ("KLDivLoss(reduction='batchmean')", "unit"),
]


@requires_torch
@pytest.mark.parametrize(("code", "kind"), LOSSES, ids=[c for c, _ in LOSSES])
def test_loss_module_matches_torch(code: str, kind: str) -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(0.05, 0.95, (4, 3)) if kind == "unit" else rng.standard_normal((4, 3))
    if kind == "index":
        y: np.ndarray = rng.integers(0, 3, 4)
    elif kind == "prob":
        y = rng.dirichlet(np.ones(3), 4)
    else:
        y = rng.uniform(0, 1, (4, 3))
    ours = eval("nn." + code, {"nn": nn, "T": ndgrad})
    theirs = eval("nn." + code, {"nn": torch.nn, "T": torch})
    assert repr(ours) == repr(theirs)
    a, b = ndgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    la, lb = ours(a, ndgrad.tensor(y)), theirs(b, torch.tensor(y))
    assert_close(la, lb, rtol=1e-12, atol=1e-14)
    la.sum().backward()
    lb.sum().backward()
    assert_close(a.grad, b.grad, rtol=1e-12, atol=1e-14)
