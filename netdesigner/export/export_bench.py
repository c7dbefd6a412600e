"""The ONNX export's cost and onnxruntime's speed, for ``netdesigner bench`` (not a timed test).

Figures, all measured in one process on the CPU:
- ONNX export and verification of ResNet-18 (``projects/resnet18.ndproj``, 11.7 M parameters),
  after a small export has warmed the exporter (its first use imports onnxscript and builds
  the translation table, about 1 s more);
- ONNX import of that same ResNet-18 file (``importer.import_onnx``: read, tidy, map, and the
  import's own check against onnxruntime);
- inference latency of onnxruntime against PyTorch (eval mode, ``torch.no_grad``) for the
  digits CNN and ResNet-18 at batch 1 and 64: each warmed up, then the median of ``repeat``
  runs, and the ratio PyTorch / onnxruntime (above 1: onnxruntime is faster).
"""

from __future__ import annotations

import functools
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from netdesigner.shipped_folders import projects_folder

PROJECTS = projects_folder()  # the example projects, wherever this installation has them
MODELS = ("digits_cnn", "resnet18")
BATCHES = (1, 64)


def measure_export(repeat: int = 5) -> dict[str, Any]:
    import onnxruntime as ort
    import torch

    from netdesigner.core.compiler import compiled_info
    from netdesigner.core.project import Project
    from netdesigner.export.example_inputs import input_specs, make_inputs
    from netdesigner.export.onnx_export import export_onnx

    result: dict[str, Any] = {"threads": {"torch": torch.get_num_threads()}, "latency": []}
    with tempfile.TemporaryDirectory() as folder:
        reports = {}
        for name in MODELS:  # digits first: it warms the exporter before ResNet-18 is timed
            project = Project.load(PROJECTS / f"{name}.ndproj")
            module = project.compile().eval()
            started = time.perf_counter()
            report = export_onnx(project, Path(folder) / f"{name}.onnx", module=module)
            total = time.perf_counter() - started
            reports[name] = (project, module, report)
            if name == "resnet18":
                from netdesigner.importer.onnx_import import import_onnx

                started = time.perf_counter()
                imported = import_onnx(report.path)
                result["resnet18_import"] = {"seconds": time.perf_counter() - started,
                                             "layers": sum(1 for n in imported.graph.nodes() if n.type not in ("Input", "Output"))}
                result["resnet18_export"] = {"ok": report.ok, "export_s": report.export_s, "check_s": report.check_s,
                                             "total_s": total, "max_abs": max(d.max_abs for d in report.differences)
                                             if report.differences else None}
        for name, (project, module, report) in reports.items():
            session = ort.InferenceSession(str(report.path), providers=["CPUExecutionProvider"])
            specs = input_specs(project.graph, compiled_info(module).input_names)
            for batch in BATCHES:
                inputs = make_inputs(specs, batch, seed=0)
                feed = {s.name: x.numpy() for s, x in zip(specs, inputs, strict=True)}
                torch_s = _median(_torch_call(module, inputs), repeat)
                ort_s = _median(functools.partial(session.run, None, feed), repeat)
                result["latency"].append({"model": name, "batch": batch, "torch_ms": 1e3 * torch_s,
                                          "onnxruntime_ms": 1e3 * ort_s, "ratio": torch_s / ort_s})
    return result


def _torch_call(module: Any, inputs: tuple) -> Any:
    import torch

    def run() -> None:
        with torch.no_grad():
            module(*inputs)

    return run


def _median(run: Any, repeat: int) -> float:
    """Median seconds of ``repeat`` calls after two warm-up calls."""
    run()
    run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def print_export_figures(d: dict[str, Any]) -> None:
    e = d["resnet18_export"]
    print("\nONNX export (CPU)")
    print(f"  resnet18 export {e['export_s']:.2f} s + verification (checker, onnxruntime at batch 3) {e['check_s']:.2f} s "
          f"= {e['total_s']:.2f} s with compile; {'verified' if e['ok'] else 'FAILED'}, largest difference {e['max_abs']:.2g}")
    i = d["resnet18_import"]
    print(f"  resnet18 import {i['seconds']:.2f} s ({i['layers']} layers, checked against onnxruntime)")
    print(f"  inference, median, PyTorch {d['threads']['torch']} threads vs onnxruntime (ratio > 1: onnxruntime faster)")
    for r in d["latency"]:
        print(f"  {r['model']:10} batch {r['batch']:>2}: PyTorch {r['torch_ms']:8.2f} ms, onnxruntime {r['onnxruntime_ms']:8.2f} ms "
              f"→ {r['ratio']:.2f}×")
