"""ndgrad.autograd: the graph, the backward walk and the tools around them (like torch.autograd)."""

from __future__ import annotations

from .._namespace import public_dir
from . import forward_ad, functional, graph
from ._backward import backward, grad
from ._flags import (
    is_multithreading_enabled,
    is_tensor_like,
    is_view_replay_enabled,
    set_multithreading_enabled,
)
from .anomaly_mode import (
    detect_anomaly,
    set_detect_anomaly,
)
from .explain import Explanation, explain
from .explain_nan import NanReport, explain_nan
from .function import Function, Node
from .grad_mode import (
    enable_grad,
    inference_mode,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import gradcheck, gradgradcheck
from .gradcheck_graph import GraphCheckReport, gradcheck_graph
from .record import record_inputs
from .trace import Tracer, TraceRecord, trace
from .variable import Variable

__all__ = [
    "Explanation",
    "Function",
    "GraphCheckReport",
    "NanReport",
    "Node",
    "TraceRecord",
    "Tracer",
    "Variable",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "explain",
    "explain_nan",
    "forward_ad",
    "functional",
    "grad",
    "gradcheck",
    "gradcheck_graph",
    "gradgradcheck",
    "graph",
    "inference_mode",
    "is_multithreading_enabled",
    "is_tensor_like",
    "is_view_replay_enabled",
    "no_grad",
    "record_inputs",
    "set_detect_anomaly",
    "set_grad_enabled",
    "set_multithreading_enabled",
    "trace",
]
__dir__ = public_dir(__name__)
