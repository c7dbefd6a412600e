"""How fast the window answers, measured offscreen for ``netdesigner bench`` (never a test).

What each figure means (medians of repeated runs unless it says otherwise):

- **create window**: ``MainWindow()`` and ``show()``, until the event loop is idle.
- **open + first paint**: from the call to ``MainWindow.open_file(path)`` (read and parse
  the file, build the scene, run a full shape inference, fill the docks) until the event loop
  has handled everything that call queued (deferred refreshes, layouts) and the whole window
  has been painted once (a synchronous ``window.repaint()`` into the backing store). Warm:
  torch is imported and its meta kernels have run once. Its parts are reported too: reading
  the file alone and one full window paint alone.
- **cold start**: the same, for a fresh process: from launching ``python`` until the window
  with the project is painted (interpreter, Qt, NetDesigner and torch imports included),
  with ``import torch`` alone measured in another fresh process beside it.
- **edit → labels**: from pushing one ``SetParam`` through the undo stack until the scene's
  deferred refresh (a zero-interval timer) has run and the watched edge label shows the new
  shape; "painted" adds the canvas repaint that puts it on screen. The value alternates, so
  every edit really changes shapes.
- **frame**: one forced, synchronous ``view.viewport().repaint()`` of the canvas in a
  1280×820 window: after each ``view.zoom(f)`` step while zooming out and in, and repeated at
  the fit-all zoom (the whole graph visible, the most items to draw).

Offscreen means Qt's raster paint engine into an image, the same engine a desktop without
OpenGL uses, so the figures are the CPU cost of painting. Settings the window remembers
(recent files, dock layout) go to a temporary folder, not the person's own.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from netdesigner.shipped_folders import projects_folder

PROJECTS = projects_folder()  # the example projects, wherever this installation has them
WINDOW_SIZE = (1280, 820)

TARGET_OPEN_MS = 1000.0  # ResNet-18, open + first paint
TARGET_EDIT_MS = 50.0  # parameter edit → shape labels updated
TARGET_FRAME_MS = 16.0  # p95 frame while zooming
SLOW_MS = 1000.0  # a figure this slow is measured once more, not a median of many


def _application():
    """The QApplication, offscreen when there is no screen; remembered settings in a temp folder."""
    if not os.environ.get("QT_QPA_PLATFORM") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QSettings, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        def quiet(mode, context, message: str) -> None:  # the offscreen plugin's one harmless complaint
            if "propagateSizeHints" not in message:
                print(message, file=sys.stderr)

        qInstallMessageHandler(quiet)
        scratch = tempfile.mkdtemp(prefix="netdesigner-bench-settings-")
        for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            QSettings.setPath(fmt, QSettings.Scope.UserScope, scratch)
        app = QApplication(["netdesigner-bench"])
    return app


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _settle(app) -> None:
    for _ in range(3):
        app.processEvents()


def _new_window(app):
    from netdesigner.ui.main_window import MainWindow

    window = MainWindow()
    window.resize(*WINDOW_SIZE)
    window.show()
    _settle(app)
    return window


def _close(app, window) -> None:
    _canvas_paints.pop(id(window), None)
    window.stack.setClean()  # nothing to ask about
    window.close()
    window.deleteLater()
    _settle(app)


class _PaintCount:
    """Counts the paint events one widget receives."""

    def __init__(self, widget) -> None:
        from PySide6.QtCore import QEvent, QObject

        self.count = 0
        owner = self

        class Filter(QObject):
            def eventFilter(self, watched, event) -> bool:
                if event.type() == QEvent.Type.Paint:
                    owner.count += 1
                return False

        self._filter = Filter(widget)
        widget.installEventFilter(self._filter)


_canvas_paints: dict[int, _PaintCount] = {}  # by id() of the window


def open_and_paint(app, window, path: Path) -> float:
    """open_file, the queued work it caused, and one whole-window paint (see the module doc)."""
    paints = _canvas_paints.setdefault(id(window), _PaintCount(window.view.viewport()))
    before = paints.count
    start = time.perf_counter()
    window.open_file(path)
    _settle(app)
    window.repaint()
    took = _ms(start)
    assert paints.count > before, "the canvas was not painted"
    return took


def _median(fn: Callable[[], float], repeat: int) -> float:
    return statistics.median(fn() for _ in range(repeat))


def measure_open(app, window, path: Path, repeat: int) -> dict[str, float]:
    from netdesigner.core.project import Project

    first = open_and_paint(app, window, path)  # warm: torch imported, kernels and fonts seen once
    total = _median(lambda: open_and_paint(app, window, path), 1 if first > SLOW_MS else repeat)

    def load() -> float:
        start = time.perf_counter()
        Project.load(path)
        return _ms(start)

    def paint() -> float:
        start = time.perf_counter()
        window.repaint()
        return _ms(start)

    return {"open_ms": total, "read_file_ms": _median(load, repeat), "paint_window_ms": _median(paint, repeat),
            "nodes": len(window.project.graph)}


def measure_edit(app, window, node_name: str, param: str, values: tuple, repeat: int) -> dict[str, Any]:
    """Edit → the label on the node's first outgoing wire shows the new shape."""
    from netdesigner.core.edits import SetParam
    from netdesigner.ui.commands import push_edit

    graph, scene = window.project.graph, window.scene
    node_id = graph.find(node_name).id
    edge = graph.out_edges(node_id)[0]
    label = scene.edge_items[edge].label
    to_labels, to_screen = [], []
    i = 0
    while len(to_labels) < repeat:  # the first edit settles into the alternation, untimed
        before = label.text()
        start = time.perf_counter()
        push_edit(window.stack, graph, SetParam(node_id, param, values[i % 2]), "bench edit")
        while label.text() == before:
            app.processEvents()
            if time.perf_counter() - start > 120:
                raise RuntimeError(f"the label of {edge} did not change after editing {node_name}.{param}")
        labelled = _ms(start)
        window.view.viewport().repaint()
        painted = _ms(start)
        tensor = scene.report.edge_tensor(edge)
        assert label.text() == (str(tensor) if tensor else ""), "the label and the shape report disagree"
        if i:
            to_labels.append(labelled)
            to_screen.append(painted)
        elif labelled > SLOW_MS:
            repeat = 1  # far off its target already: one timed edit says enough
        i += 1
    window.stack.setClean()
    return {"edit": f"{node_name}.{param} {values[0]}↔{values[1]}", "labels_ms": statistics.median(to_labels),
            "painted_ms": statistics.median(to_screen), "recomputed_nodes": len(scene.report.recomputed)}


def _frame(view) -> float:
    start = time.perf_counter()
    view.viewport().repaint()
    return _ms(start)


def measure_zoom_frames(app, window, frames: int) -> dict[str, float]:
    """Zooming out from the readable start zoom to the least zoom and back in, repeatedly."""
    view = window.view
    view.show_start()
    _settle(app)
    for _ in range(3):
        _frame(view)
    times, zooms = [], []
    direction = 0.9
    while len(times) < frames:
        before = view.transform().m11()
        view.zoom(direction)
        if abs(view.transform().m11() - before) < 1e-9 or not 0.05 <= view.transform().m11() <= 1.0:
            direction = 1 / direction
            view.zoom(direction)
        zooms.append(view.transform().m11())
        times.append(_frame(view))
    return {"p50_ms": _percentile(times, 0.5), "p95_ms": _percentile(times, 0.95), "max_ms": max(times),
            "frames": len(times), "zoom_min": min(zooms), "zoom_max": max(zooms)}


def measure_fit_frames(app, window, frames: int) -> dict[str, float]:
    view = window.view
    view.fit_all()
    _settle(app)
    for _ in range(3):
        _frame(view)
    times = [_frame(view) for _ in range(frames)]
    return {"p50_ms": _percentile(times, 0.5), "p95_ms": _percentile(times, 0.95), "max_ms": max(times),
            "frames": len(times), "zoom": view.transform().m11()}


def chain_file(folder: Path, length: int = 500) -> Path:
    """The bench's chain graph, laid out and saved as a project (as a person's file would be)."""
    from netdesigner.bench_graphs import chain_graph
    from netdesigner.core.layout import layout_edit
    from netdesigner.core.project import Project

    graph = chain_graph(length)
    graph.apply(layout_edit(graph))
    return Project(graph, name=f"chain{length}").save(folder / f"chain{length}.ndproj")


def cold_start(path: Path) -> dict[str, float]:
    """Launches a fresh Python that opens ``path`` in the window and paints it once."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "netdesigner.ui.window_bench", "--cold-start", str(path)],
                         capture_output=True, text=True, check=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    total = _ms(start)
    child = json.loads(out.stdout.strip().splitlines()[-1])
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import torch"], check=True)
    torch_alone = _ms(start)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    python_alone = _ms(start)
    return {"launch_to_painted_ms": total, **child, "python_startup_ms": python_alone,
            "import_torch_fresh_process_ms": torch_alone - python_alone}


def _cold_start_child(path: str) -> None:
    start = time.perf_counter()
    app = _application()
    qt = _ms(start)
    from netdesigner.ui.main_window import MainWindow

    imported = _ms(start)
    torch_before_open = "torch" in sys.modules
    window = MainWindow()
    window.resize(*WINDOW_SIZE)
    window.show()
    _settle(app)
    shown = _ms(start)
    open_ms = open_and_paint(app, window, Path(path))
    painted = _ms(start)
    print(json.dumps({"child_qt_ready_ms": qt, "child_ui_imported_ms": imported, "child_window_shown_ms": shown,
                      "child_open_and_paint_ms": open_ms, "child_painted_ms": painted,
                      "torch_imported_before_open": torch_before_open}))
    _close(app, window)


def measure_window(repeat: int = 5, frames: int = 100, cold: bool = True) -> dict[str, Any]:
    """All the window's figures, as a dict (see the module doc for what each one means)."""
    app = _application()
    from PySide6.QtGui import QGuiApplication

    figures: dict[str, Any] = {"platform": QGuiApplication.platformName(), "window_size": list(WINDOW_SIZE)}

    def create() -> float:
        start = time.perf_counter()
        window = _new_window(app)
        took = _ms(start)
        _close(app, window)
        return took

    create()  # the first window pays for fonts, styles and icons once
    figures["create_window_ms"] = _median(create, repeat)
    with tempfile.TemporaryDirectory() as folder:
        chain = chain_file(Path(folder))
        resnet = PROJECTS / "resnet18.ndproj"
        if cold:
            figures["cold_start_resnet18"] = cold_start(resnet)
        window = _new_window(app)
        try:
            figures["open_resnet18"] = measure_open(app, window, resnet, repeat)
            figures["edit_resnet18_conv1"] = measure_edit(app, window, "conv1", "out_channels", (65, 64), repeat)
            figures["edit_resnet18_fc"] = measure_edit(app, window, "fc", "out_features", (999, 1000), repeat)
            figures["frames_fit_resnet18"] = measure_fit_frames(app, window, max(10, frames // 3))
            figures["open_chain500"] = measure_open(app, window, chain, repeat)
            figures["edit_chain500_fc1"] = measure_edit(app, window, "fc1", "out_features", (65, 64), repeat)
            figures["frames_zoom_chain500"] = measure_zoom_frames(app, window, frames)
            figures["frames_fit_chain500"] = measure_fit_frames(app, window, max(10, frames // 3))
        finally:
            _close(app, window)
    return figures


def print_figures(f: dict[str, Any]) -> None:
    def verdict(value: float, target: float) -> str:
        return "met" if value <= target else "MISSED"

    print(f"\nwindow ({f['platform']} platform, {f['window_size'][0]}×{f['window_size'][1]}; see netdesigner/ui/window_bench.py for definitions)")
    print(f"  create window + show                 {f['create_window_ms']:8.1f} ms")
    for key, name in (("open_resnet18", "ResNet-18"), ("open_chain500", "500-node chain")):
        o = f[key]
        target = f"   target ≤ {TARGET_OPEN_MS:.0f} ms: {verdict(o['open_ms'], TARGET_OPEN_MS)}" if key == "open_resnet18" else ""
        print(f"  open + first paint, {name:<16} {o['open_ms']:8.1f} ms   (reading the file {o['read_file_ms']:.1f} ms, "
              f"one full window paint {o['paint_window_ms']:.1f} ms; {o['nodes']} nodes){target}")
    if "cold_start_resnet18" in f:
        c = f["cold_start_resnet18"]
        print(f"  cold start to ResNet-18 painted      {c['launch_to_painted_ms']:8.1f} ms   (fresh process: Qt ready at "
              f"{c['child_qt_ready_ms']:.0f} ms, window code imported at {c['child_ui_imported_ms']:.0f}, window shown at "
              f"{c['child_window_shown_ms']:.0f}, open + paint took {c['child_open_and_paint_ms']:.0f}; "
              f"'import torch' alone {c['import_torch_fresh_process_ms']:.0f} ms, python itself {c['python_startup_ms']:.0f} ms)")
    for key, name in (("edit_resnet18_conv1", "ResNet-18"), ("edit_resnet18_fc", "ResNet-18"), ("edit_chain500_fc1", "500-node chain")):
        e = f[key]
        print(f"  edit → labels, {name:<14} {e['labels_ms']:8.1f} ms   ({e['edit']}; {e['recomputed_nodes']} nodes re-inferred; "
              f"on screen after {e['painted_ms']:.1f} ms)   target ≤ {TARGET_EDIT_MS:.0f} ms: {verdict(e['labels_ms'], TARGET_EDIT_MS)}")
    z = f["frames_zoom_chain500"]
    print(f"  frame while zooming, 500-node chain  p50 {z['p50_ms']:5.1f} ms  p95 {z['p95_ms']:5.1f} ms  max {z['max_ms']:5.1f} ms "
          f"({z['frames']} frames, zoom {z['zoom_min']:.2f}–{z['zoom_max']:.2f})   target p95 ≤ {TARGET_FRAME_MS:.0f} ms: "
          f"{verdict(z['p95_ms'], TARGET_FRAME_MS)}")
    for key, name in (("frames_fit_chain500", "500-node chain"), ("frames_fit_resnet18", "ResNet-18")):
        r = f[key]
        print(f"  frame at fit-all, {name:<18} p50 {r['p50_ms']:5.1f} ms  p95 {r['p95_ms']:5.1f} ms  max {r['max_ms']:5.1f} ms "
              f"(zoom {r['zoom']:.3f}, whole graph visible)   target p95 ≤ {TARGET_FRAME_MS:.0f} ms: {verdict(r['p95_ms'], TARGET_FRAME_MS)}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--cold-start":
        _cold_start_child(sys.argv[2])
    else:
        print(json.dumps(measure_window(), indent=2))
