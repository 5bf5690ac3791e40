"""Generate docs/api-coverage.md: PyTorch's public names and whether ndgrad has each one.

Run ``python docs/hooks/api_coverage.py`` (PyTorch must be importable) to rewrite the page;
tests/test_api_coverage.py regenerates it and fails when the committed page is stale. The page is
committed rather than built by an MkDocs hook so that readers without PyTorch see it too.

For each namespace (torch, Tensor, nn, ...) the public names are read from PyTorch itself: every
attribute not starting with ``_`` that is not a module and was not imported from outside torch
(``typing.Any`` re-exported by a torch module is not API). A name is *yes* if ndgrad's matching
namespace has it, *out of scope* if one of the rules below gives a reason, else *no*.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
import types
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "api-coverage.md"

# (title, PyTorch object path, ndgrad object path)
NAMESPACES = [
    ("torch", "torch", "ndgrad"),
    ("Tensor", "torch.Tensor", "ndgrad.Tensor"),
    ("torch.nn", "torch.nn", "ndgrad.nn"),
    ("torch.nn.functional", "torch.nn.functional", "ndgrad.nn.functional"),
    ("torch.nn.init", "torch.nn.init", "ndgrad.nn.init"),
    ("torch.nn.utils", "torch.nn.utils", "ndgrad.nn.utils"),
    ("torch.nn.utils.rnn", "torch.nn.utils.rnn", "ndgrad.nn.utils.rnn"),
    ("torch.optim", "torch.optim", "ndgrad.optim"),
    ("torch.optim.lr_scheduler", "torch.optim.lr_scheduler", "ndgrad.optim.lr_scheduler"),
    ("torch.autograd", "torch.autograd", "ndgrad.autograd"),
    ("torch.distributions", "torch.distributions", "ndgrad.distributions"),
    ("torch.special", "torch.special", "ndgrad.special"),
    ("torch.utils.data", "torch.utils.data", "ndgrad.utils.data"),
    ("torch.testing", "torch.testing", "ndgrad.testing"),
]

# Out of scope, with the reason: the first pattern (a regular expression on the name, or on
# "namespace:name") that matches decides.
_DEVICES = "CUDA and other devices: ndgrad computes with numpy on the CPU"
_QUANT = "quantization (integer kernels for deployment)"
_SPARSE = "sparse and nested tensors: ndgrad tensors are dense numpy arrays"
_COMPLEX = "complex numbers: ndgrad has real dtypes only"
_COMPILER = "compilers and graph capture (jit, fx, export, symbolic shapes)"
_INTERNAL = "internal kernels and build details PyTorch exposes but does not document as API"
_DIST = "distributed and multi-process execution"
_STORAGE = "storage objects: an ndgrad tensor owns a numpy array, not a torch Storage"
_NAMED = "named tensors (a PyTorch prototype feature)"
_AUTOCAST = "autocast (mixed precision, tied to devices)"
_BF16 = "bfloat16 and other dtypes numpy does not have"
_REMOVED = "removed from PyTorch 2 (calling it raises an error there too)"
_JIT = "TorchScript, the dispatcher and other C++ internals exposed in Python"
OUT_OF_SCOPE: list[tuple[str, str]] = [
    (r"^torch:(Script\w*|\w+Type|Graph\w*|Block|Node|Value|Use|Code|CompilationUnit)$", _JIT),
    (
        r"^torch:(ConcreteModuleType\w*|\w*ArgumentSpec|Argument|ExecutionPlan|FunctionSchema)$",
        _JIT,
    ),
    (r"^torch:(AliasDb|FileCheck|TracingState|LiteScriptModule|StaticModule|ErrorReport)$", _JIT),
    (r"^torch:(IODescriptor|Gradient|JITException|CallStack|OperatorInfo|PyTorchFile\w+)$", _JIT),
    (
        r"^torch:(DeepCopyMemoTable|\w+StorageContext|InferredType|Capsule|Tag|DispatchKey\w*)$",
        _JIT,
    ),
    (
        r"^torch:(ExcludeDispatchKeyGuard|DisableTorchFunction\w*|\w*Logger\w*|AggregationType)$",
        _JIT,
    ),
    (r"^torch:(AVG|SUM|PRIVATE_OPS|Benchmark\w+|FatalError)$", _JIT),
    (r"^torch:(Type|ModuleDict|ParameterDict|BufferDict)$", _JIT),
    (r"^(symeig|eig|lstsq|solve|matrix_rank)$", _REMOVED),
    (r"^u?int[1-7]$|^bit$", "bfloat16 and other dtypes numpy does not have"),
    (r"^per_(channel|tensor)_", "quantization (integer kernels for deployment)"),
    (r"^jagged$", "sparse and nested tensors: ndgrad tensors are dense numpy arrays"),
    (
        r"^torch:(Stream|Event|OutOfMemoryError|AcceleratorError|GradScaler)$",
        "CUDA and other devices: ndgrad computes with numpy on the CPU",
    ),
    (r"Storage$", "storage objects: an ndgrad tensor owns a numpy array, not a torch Storage"),
    (r"^torch.nn.functional:(BroadcastingList\d|DType|GRID_\w+|ScalingType|SwizzleType)$", _JIT),
    (r"^torch.nn.functional:(assert_int_or_pair|boolean_dispatch|\w+_notes)$", _JIT),
    (
        r"has_torch_function|handle_torch_function|^torch.autograd:(Profiler\w+|kineto_available)$",
        _JIT,
    ),
    (
        r"^torch.nn.functional:(grouped_mm|scaled_mm|scaled_grouped_mm)$",
        "CUDA and other devices: ndgrad computes with numpy on the CPU",
    ),
    (
        r"DataPipe|datapipe|^torch.utils.data:(DataChunk|argument_validation|runtime_validation\w*|non_deterministic|guaranteed_\w+)$",
        "DataPipes (deprecated in PyTorch)",
    ),
    (r"cuda|cudnn|miopen|mkldnn|mps|xpu|ipu|mtia|maia|xla|vulkan|hpu|fbgemm|nnpack", _DEVICES),
    (r"^(pin_memory|is_pinned|record_stream|get_device_module|accelerator_.*)$", _DEVICES),
    (r"quantiz|^q_|qscheme|int_repr|fake_quant|choose_qparams|^dequantize$|^quint|^qint", _QUANT),
    (r"fused_moving_avg_obs", _QUANT),
    (r"sparse|coalesce|^to_dense$|^(crow|col|ccol|row)_indices|^indices(_copy)?$", _SPARSE),
    (r"^values(_copy)?$|^dense_dim$|^(s|h|d)?smm$|^(h|s)?spmm$|^saddmm$|^sspaddmm$", _SPARSE),
    (r"nested|to_padded_tensor|segment_reduce", _SPARSE),
    (r"^torch.optim:SparseAdam$", _SPARSE),  # it takes sparse gradients only
    (r"complex|^polar$|view_as_real|^c(float|double|half)$|^chalf$|^is_conj$", _COMPLEX),
    (r"^(jit|fx|export|compiler|onnx)$|^(import_ir_module.*|parse_ir|parse_schema)$", _COMPILER),
    (
        r"^(parse_type_comment|merge_type_from_type_comment|unify_type_list|cond|while_loop)$",
        _COMPILER,
    ),
    (r"^sym_|^Sym[A-Z]|^classproperty$", _COMPILER),
    (r"autocast", _AUTOCAST),
    (r"distributed|^fork$|^wait$|^Future$|^share_memory_$|^is_shared$", _DIST),
    (r"storage|^from_file$|^set_$|^is_set_to$|^UntypedStorage$|^TypedStorage$", _STORAGE),
    (r"^(names|rename|rename_|refine_names|align_to|align_as|name)$", _NAMED),
    (r"bfloat16|^float8|^float4|^uint(16|32|64)$|^bits|^BFloat16", _BF16),
    (r"^native_|^batch_norm_(backward|gather|stats|elemt|update)|_backward(_|$)", _INTERNAL),
    (r"^conv_tbc$|^compiled_with_cxx11_abi$|^prepare_multiprocessing_environment$", _INTERNAL),
    (r"^get_file_path$|^init_num_threads$|^profiler_|^thread_safe_generator$", _INTERNAL),
    (r"^is_vulkan_available$|^set_flush_denormal$|^hash_tensor$|^module_load$", _INTERNAL),
    (r"^(grad_dtype|const_data_ptr|reinforce|volatile|slice_inverse)$", _INTERNAL),
    (r"^(is_coalesced|nonzero_static|empty_quantized)$", _INTERNAL),
    (r"^torch.nn:(DataParallel|parallel|SyncBatchNorm)$", _DIST),
    (r"^torch.nn:(qat|quantizable|quantized|intrinsic)$", _QUANT),
]


def _resolve(path: str) -> Any:
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(path)


def _is_api(owner: Any, name: str) -> bool:
    """A public name that belongs to torch: not a module, not a constant such as
    ``TYPE_CHECKING``, not re-exported from outside (``typing.Any``) or from the top level
    (``lr_scheduler.Tensor``)."""
    if name.startswith("_"):
        return False
    try:
        obj = getattr(owner, name)
    except Exception:  # a property that raises when read on the class
        return True
    if isinstance(obj, types.ModuleType):
        return False
    if not isinstance(owner, types.ModuleType):
        return True
    if not callable(obj):  # dtypes, layouts... are API; numbers, strings and flags are not
        return type(obj).__module__.startswith("torch")
    module = getattr(obj, "__module__", None)
    if not isinstance(module, str):
        return True
    if owner.__name__ != "torch" and module in ("torch", "torch._tensor"):
        return False
    if not module.startswith("torch"):
        return module == "builtins"  # functions of torch._C
    return True


def public_names(path: str) -> list[str]:
    owner = _resolve(path)
    return sorted(n for n in dir(owner) if _is_api(owner, n))


def reason(namespace: str, name: str) -> str | None:
    for pattern, why in OUT_OF_SCOPE:
        if re.search(pattern, name) or re.search(pattern, f"{namespace}:{name}"):
            return why
    return None


def _has(owner: Any, name: str) -> bool:
    try:
        return owner is not None and hasattr(owner, name)
    except Exception:
        return False


def coverage() -> list[tuple[str, list[tuple[str, str, str]]]]:
    """[(namespace, [(name, status, reason)])]: status is yes, no or out of scope."""
    src = str(ROOT / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    out = []
    for title, torch_path, nd_path in NAMESPACES:
        try:
            nd_owner = _resolve(nd_path)
        except (ImportError, AttributeError):
            nd_owner = None
        rows = []
        for name in public_names(torch_path):
            why = reason(title, name)
            if _has(nd_owner, name):
                rows.append((name, "yes", ""))
            elif why is not None:
                rows.append((name, "out of scope", why))
            else:
                rows.append((name, "no", ""))
        out.append((title, rows))
    return out


def render() -> str:
    import torch

    data = coverage()
    lines = [
        "# API coverage",
        "",
        "<!-- Generated by docs/hooks/api_coverage.py; tests/test_api_coverage.py fails when "
        "this page is stale. Do not edit by hand. -->",
        "",
        f"Every public name of PyTorch {torch.__version__.split('+')[0]}'s main namespaces, and "
        "whether `import ndgrad as torch` has it. A name is *yes* when ndgrad has the same name "
        "in the same place; *out of scope* names need something ndgrad does not aim to have "
        "(the reason is given); *no* names are in scope and not there yet. Coverage counts "
        "*yes* among the in-scope names.",
        "",
        "| namespace | yes | no | out of scope | coverage of in-scope names |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for title, rows in data:
        yes = sum(1 for _, s, _ in rows if s == "yes")
        no = sum(1 for _, s, _ in rows if s == "no")
        oos = len(rows) - yes - no
        pct = 100.0 * yes / (yes + no) if yes + no else 100.0
        lines.append(f"| [{title}](#{_anchor(title)}) | {yes} | {no} | {oos} | {pct:.0f}% |")
    lines += ["", "Reasons for *out of scope*:", ""]
    for why in dict.fromkeys(w for _, w in OUT_OF_SCOPE):
        lines.append(f"- {why}")
    for title, rows in data:
        lines += ["", f"## {title}", ""]
        missing = [n for n, s, _ in rows if s == "no"]
        present = [n for n, s, _ in rows if s == "yes"]
        lines.append(
            f"**yes ({len(present)}):** " + (", ".join(f"`{n}`" for n in present) or "none")
        )
        lines += [
            "",
            f"**no ({len(missing)}):** " + (", ".join(f"`{n}`" for n in missing) or "none"),
        ]
        outside = [(n, w) for n, s, w in rows if s == "out of scope"]
        if outside:
            lines += ["", f"**out of scope ({len(outside)}):**", ""]
            by_reason: dict[str, list[str]] = {}
            for n, w in outside:
                by_reason.setdefault(w, []).append(n)
            for w, names in by_reason.items():
                lines.append(f"- {w}: " + ", ".join(f"`{n}`" for n in names))
    return "\n".join(lines) + "\n"


def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "", title.lower().replace(" ", "-"))


if __name__ == "__main__":
    PAGE.write_text(render(), encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
    _ = inspect  # (kept for readers extending the rules with signature checks)
