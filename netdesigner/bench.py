"""``netdesigner bench``: how fast the core answers, as ratios measured in one run.

Absolute times on shared machines are noise; each figure is a median of repeated runs and
stands beside the obvious alternative measured in the same process:
- shape inference (full, and incremental after a one-parameter edit near the end) against
  a real forward pass of the built model on one sample, which is how one finds shapes by hand;
- compile against constructing the same torch modules directly, with no graph at all.

The window's own figures (open + first paint, edit → shape labels, frame time while zooming)
come from ``netdesigner.ui.window_bench`` and are printed with their targets after these.
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Callable

from netdesigner.bench_graphs import chain_graph, resnet18_graph
from netdesigner.core.graph import Graph
from netdesigner.shipped_folders import projects_folder

TARGET_INCREMENTAL_MS = 20.0  # for ResNet-18 on the project's 2-core machine
TARGET_COMPILE_MS = 200.0


PROJECTS = projects_folder()  # the example projects, wherever this installation has them

def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(graph: Graph, edit_node: str, param: str, values: tuple, repeat: int) -> dict[str, float]:
    import torch

    from netdesigner.core.compiler import compile_graph
    from netdesigner.core.params import Params
    from netdesigner.core.shapes import ShapeInference

    full = _median_ms(lambda: ShapeInference(graph).run(), repeat)
    every_node = _median_ms(lambda: ShapeInference(graph, share_identical=False).run(), max(1, repeat // 3))

    inference = ShapeInference(graph)
    inference.run()
    node_id = graph.find(edit_node).id
    flip = iter(values * (repeat + 1))

    recomputed: list[int] = []

    def edit_and_infer() -> None:
        graph.set_param(node_id, param, next(flip))
        recomputed.append(len(inference.run().recomputed))

    edit_and_infer()  # settle into the alternating edit
    incremental = _median_ms(edit_and_infer, repeat)

    report = inference.run()
    model = compile_graph(graph, report=report).eval()

    def build_modules() -> list:
        # kept alive together, as in a real model, so both sides pay for fresh memory
        return [
            node.layer_type.build(Params(node.params), report.nodes[node.id].inputs)
            for node in graph.nodes() if node.layer_type.build is not None
        ]

    # interleaved, so both see the same state of the allocator and caches
    compile_times, direct_times = [], []
    for _ in range(repeat):
        compile_times.append(_median_ms(lambda: compile_graph(graph, report=report), 1))
        direct_times.append(_median_ms(build_modules, 1))
    compile_ms, direct = statistics.median(compile_times), statistics.median(direct_times)
    inputs = [torch.randn(1, *n.params["shape"]) for n in graph.nodes() if n.type == "Input"]
    with torch.no_grad():
        model(*inputs)
        forward = _median_ms(lambda: model(*inputs), repeat)

    def edit_and_recompile() -> None:
        graph.set_param(node_id, param, next(flip))
        compile_graph(graph, report=inference.run(), previous=model)

    recompile = _median_ms(edit_and_recompile, repeat)
    return {
        "nodes": len(graph),
        "full_inference_ms": full,
        "full_inference_every_node_measured_ms": every_node,
        "incremental_inference_ms": incremental,
        "incremental_nodes_recomputed": max(recomputed),
        "forward_one_sample_ms": forward,
        "compile_ms": compile_ms,
        "build_modules_directly_ms": direct,
        "recompile_after_edit_ms": recompile,
    }


def measure_training_headless() -> dict[str, dict]:
    """Trainer against a hand-written loop (same model, data, batch size, CPU), epochs interleaved."""
    from netdesigner.core.project import Project
    from netdesigner.data.registry import load_project_data
    from netdesigner.train.throughput import compare

    found = {}
    for example in ("digits_cnn", "spirals_mlp"):
        project = Project.load(PROJECTS / f"{example}.ndproj")
        splits = load_project_data(project)
        found[example] = compare(project.compile(), project.graph, splits, project.training, epochs=7)
    return found


def run_bench(repeat: int = 7, as_json: bool = False, only: str | None = None) -> int:
    """Prints the figures; ``only`` is "core" (shapes, compile), "ui" (the window) or "train"
    (the trainer, headless and in the window), else all.

    The window's figures need PySide6 and are measured offscreen (netdesigner/ui/window_bench.py
    says what each one means); Qt is imported only when they are wanted."""
    import torch

    torch.manual_seed(0)
    cases: dict[str, dict] = {}
    if only in (None, "core"):
        cases["resnet18"] = measure(resnet18_graph(), "fc", "out_features", (999, 1000), repeat)
        cases["chain500"] = measure(chain_graph(500), "fc249", "out_features", (65, 64), repeat)
    if only in (None, "train"):
        cases["train"] = measure_training_headless()
    if only in (None, "analysis"):
        import torch

        from netdesigner.analysis.landscape_bench import measure_landscape

        devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
        cases["landscape"] = [measure_landscape(example, batch, device=device) for device in devices
                              for example, batch in (("spirals_mlp.ndproj", 1000), ("digits_cnn.ndproj", 512))]
        from netdesigner.export.export_bench import measure_export

        cases["export"] = measure_export()
        if importlib.util.find_spec("PySide6") is not None:  # the live views are the window's
            from netdesigner.ui.training_bench import measure_live_views

            cases["live_views"] = [measure_live_views("spirals_mlp.ndproj", 200), measure_live_views("digits_cnn.ndproj", 120)]
    skipped = None
    if only in (None, "ui", "train"):
        try:
            from netdesigner.ui.window_bench import measure_window
        except ImportError as e:  # no PySide6: the core figures still stand
            if only == "ui":
                print(f"netdesigner bench: the window's figures need PySide6 ({e})", file=sys.stderr)
                return 2
            skipped = str(e)
        else:
            if only in (None, "ui"):
                cases["ui"] = measure_window(repeat=max(3, min(repeat, 7)))
            if only in (None, "train"):
                from netdesigner.ui.training_bench import measure_training

                cases["train_window"] = measure_training("digits_cnn.ndproj", epochs=30)
    if as_json:
        print(json.dumps(cases, indent=2, ensure_ascii=False))
        return 0
    print(f"netdesigner bench — torch {torch.__version__}, {torch.get_num_threads()} threads, median of {repeat}")
    for name in ("resnet18", "chain500"):
        if name in cases:
            _print_core(name, cases[name])
    if "resnet18" in cases:
        res = cases["resnet18"]
        print(f"\ntargets (ResNet-18): incremental ≤ {TARGET_INCREMENTAL_MS:.0f} ms: "
              f"{'met' if res['incremental_inference_ms'] <= TARGET_INCREMENTAL_MS else 'MISSED'}; "
              f"compile ≤ {TARGET_COMPILE_MS:.0f} ms: {'met' if res['compile_ms'] <= TARGET_COMPILE_MS else 'MISSED'}")
    if "ui" in cases:
        from netdesigner.ui.window_bench import print_figures

        print_figures(cases["ui"])
    if "train" in cases:
        print("\ntraining (CPU; training-pass samples/s, median of 7 interleaved epochs)")
        for example, r in cases["train"].items():
            print(f"  {example:12} trainer {r['trainer_samples_per_s']:10,.0f}  hand-written loop "
                  f"{r['hand_written_samples_per_s']:10,.0f}  ratio {r['ratio']:.2f}   "
                  f"target ≥ 0.95: {'met' if r['ratio'] >= 0.95 else 'MISSED'}")
            print(f"  {'':12} the same loop with fused Adam {r['hand_written_fused_samples_per_s']:10,.0f}: ratio "
                  f"{r['ratio_to_fused']:.2f} (what the trainer's metrics, events and checks cost)")
    if "landscape" in cases:
        from netdesigner.analysis.landscape_bench import print_landscape_figures

        print_landscape_figures(cases["landscape"])
    if "export" in cases:
        from netdesigner.export.export_bench import print_export_figures

        print_export_figures(cases["export"])
    if "live_views" in cases:
        from netdesigner.ui.training_bench import print_live_figures

        print("\nlive views in the window (throughput over the whole run, on against off; netdesigner/ui/training_bench.py)")
        for figures in cases["live_views"]:
            print_live_figures(figures)
    if "train_window" in cases:
        from netdesigner.ui.training_bench import print_training_figures

        print_training_figures(cases["train_window"])
    if skipped:
        print(f"\nwindow figures skipped: {skipped}")
    return 0


def _print_core(name: str, r: dict) -> None:
    print(f"\n{name} ({r['nodes']} nodes)")
    print(f"  full shape inference       {r['full_inference_ms']:8.1f} ms   "
          f"(one real forward pass of the model: {r['forward_one_sample_ms']:.1f} ms)")
    print(f"  … measuring every node     {r['full_inference_every_node_measured_ms']:8.1f} ms   "
          "(without sharing the result of identical layers on identical inputs)")
    print(f"  incremental after an edit  {r['incremental_inference_ms']:8.2f} ms   "
          f"({r['incremental_nodes_recomputed']} nodes rebuilt; {r['full_inference_ms'] / r['incremental_inference_ms']:.0f}× faster than full)")
    print(f"  compile                    {r['compile_ms']:8.1f} ms   "
          f"(building the same torch modules directly: {r['build_modules_directly_ms']:.1f} ms; "
          f"compiler overhead {r['compile_ms'] / r['build_modules_directly_ms']:.2f}×)")
    print(f"  edit + recompile, weights kept {r['recompile_after_edit_ms']:4.1f} ms")
