"""Training speed with the window open, for ``netdesigner bench`` (not a timed test).

Two figures, against the obvious alternative measured in the same process (the headless
trainer against a hand-written loop is ``train.throughput.compare``, in ``bench.py``):
- the trainer driven by the window (offscreen, live plots on) against the same hand-written
  loop, measured just before and just after the window's run;
- how late a 10 ms QTimer on the GUI thread fires while that run goes on: the window's
  responsiveness during training (targets: p95 ≤ 30 ms, p99 ≤ 100 ms).

And one for the live views (``measure_live_views``): the window training with the live loss
landscape (15×15 every epoch) and the live activation views on, against the same window with
them off, as throughput over the whole run (samples trained ÷ wall time from Start to the
run's end, so time the views take from training between epochs counts too); off, on, off in
three fresh processes, target ≥ 0.8.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

from netdesigner.shipped_folders import projects_folder

PROJECTS = projects_folder()  # the example projects, wherever this installation has them


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values) or [0.0]
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure_training(example: str = "digits_cnn.ndproj", epochs: int = 10) -> dict[str, Any]:
    """Three fresh processes, one after the other: the hand-written loop as a person's own
    script runs it (main thread, all CPU threads), the window started as ``netdesigner gui``
    starts and training from it, and the hand-written loop again. A fresh process each, so
    neither leaves thread pools or warm caches behind for the other."""
    first = _child("_hand_written_here", example, epochs)
    window = _child("_window_here", example, epochs)
    second = _child("_hand_written_here", example, epochs)
    plain_rate = statistics.median(first["rates"] + second["rates"])
    return {
        **window,
        "window_hand_written_samples_per_s": plain_rate,
        "window_ratio": window["window_trainer_samples_per_s"] / plain_rate,
    }


def measure_live_views(example: str = "spirals_mlp.ndproj", epochs: int = 30) -> dict[str, Any]:
    """Off, on, off: the window's run throughput with the live views on over the mean of the
    two runs with them off (see the module doc)."""
    off_before = _child("_window_here", example, epochs)
    on = _child("_window_here", example, epochs, True)
    off_after = _child("_window_here", example, epochs)
    off_rate = (off_before["run_samples_per_s"] + off_after["run_samples_per_s"]) / 2
    return {"example": example, "epochs": epochs, "off_samples_per_s": off_rate, "on_samples_per_s": on["run_samples_per_s"],
            "ratio": on["run_samples_per_s"] / off_rate, "live_surfaces": on["live_surfaces"],
            "live_views": on["live_views"], "history_records": on["history_records"],
            "gui_timer_late_p95_ms": on["gui_timer_late_p95_ms"]}


def _child(function: str, example: str, epochs: int, *extra: Any) -> dict[str, Any]:
    import json
    import subprocess
    import sys

    env = dict(os.environ)
    if not env.get("QT_QPA_PLATFORM") and not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    code = ("import json; from netdesigner.ui import training_bench as b; "
            f"print(json.dumps(b.{function}({example!r}, {epochs}{''.join(', ' + repr(e) for e in extra)})))")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"the training bench failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _load(example: str) -> tuple[Any, Any]:
    from netdesigner.core.project import Project
    from netdesigner.data.registry import load_project_data

    project = Project.load(PROJECTS / example)
    return project, load_project_data(project)


def _hand_written_here(example: str, epochs: int) -> dict[str, Any]:
    import torch

    from netdesigner.train.throughput import hand_written_epoch

    project, splits = _load(example)
    plain = project.compile()
    optimizer = torch.optim.Adam(plain.parameters(), lr=project.training.learning_rate)
    generator = torch.Generator().manual_seed(0)
    rates = [hand_written_epoch(plain, splits.train.x, splits.train.y, optimizer, project.training.batch_size, generator)
             for _ in range(epochs)]
    return {"rates": rates[1:]}


def _window_here(example: str, epochs: int, live: bool = False) -> dict[str, Any]:
    from netdesigner.ui.train_bridge import TRAIN_THREADS_VARIABLE, reserve_cpu_threads_for_training

    reserve_cpu_threads_for_training()  # as run_window does, before torch loads
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from netdesigner.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow()
    window.resize(1320, 840)
    window.show()
    window.new_from_example(PROJECTS / example)
    window.project.training.device = "cpu"
    window.project.training.epochs = epochs
    window.docks["Training"].raise_()
    if live:  # the landscape computes live whether shown or not; the activations tab is shown
        window.landscape.live_check.setChecked(True)
        window.landscape.every_spin.setValue(1)
        window.plot_tabs.setCurrentWidget(window.activations)
        hidden = [n for n in window.project.graph.nodes() if n.type not in ("Input", "Output")]
        window.scene.select_nodes([hidden[0].id])  # the first layer, as a person would click it
    else:  # the per-epoch histograms are recorded whether the tab shows or not: off is off
        window.activations.live_check.setChecked(False)
    app.processEvents()

    lateness: list[float] = []
    clock = QElapsedTimer()
    tick = QTimer(interval=10)

    def on_tick() -> None:
        lateness.append(max(0.0, clock.restart() - 10.0))

    tick.timeout.connect(on_tick)
    loop = QEventLoop()
    window.training.run_ended.connect(lambda _end: loop.quit())
    started = time.perf_counter()
    window.training.start()
    clock.start()
    tick.start()
    loop.exec()  # the window's own event loop, as in use: idle in Qt until something happens
    wall = time.perf_counter() - started
    tick.stop()
    window.landscape.shutdown(30.0)
    history = window.training.trainer.history
    figures = {
        "example": example,
        "cpu_threads": int(os.environ.get(TRAIN_THREADS_VARIABLE, "0")),
        "window_trainer_samples_per_s": statistics.median(e.samples_per_s for e in history[1:]),
        "gui_timer_late_p95_ms": _percentile(lateness, 0.95),
        "gui_timer_late_p99_ms": _percentile(lateness, 0.99),
        "gui_timer_ticks": len(lateness),
        "redraws": window.training.bridge.redraws,
        "batches": window.plots.point_counts()["batches"],
        "run_samples_per_s": len(history) * len(window.training.trainer.splits.train) / wall,
        "live_surfaces": window.landscape.live_count,
        "live_views": window.activations.draws,
        "history_records": _records(window.activations.history),
    }
    window.stack.setClean()
    window.weights_changed = False
    window.close()
    window.deleteLater()
    app.processEvents()
    return figures


def print_training_figures(figures: dict[str, Any]) -> None:
    late95, late99 = figures["gui_timer_late_p95_ms"], figures["gui_timer_late_p99_ms"]
    print(f"  with the window open, {figures['example']}: {figures['window_trainer_samples_per_s']:,.0f} samples/s, "
          f"hand-written loop {figures['window_hand_written_samples_per_s']:,.0f}: ratio {figures['window_ratio']:.2f}   "
          f"target ≥ 0.90: {'met' if figures['window_ratio'] >= 0.90 else 'MISSED'}")
    print(f"  GUI 10 ms timer lateness during that run: p95 {late95:.0f} ms (target ≤ 30: {'met' if late95 <= 30 else 'MISSED'}), "
          f"p99 {late99:.0f} ms (target ≤ 100: {'met' if late99 <= 100 else 'MISSED'}); "
          f"{figures['batches']} batches drawn in {figures['redraws']} redraws")


def print_live_figures(figures: dict[str, Any]) -> None:
    print(f"  live views on, {figures['example']} ({figures['epochs']} epochs): {figures['on_samples_per_s']:,.0f} samples/s "
          f"over the run, off {figures['off_samples_per_s']:,.0f}: ratio {figures['ratio']:.2f}   "
          f"target ≥ 0.80: {'met' if figures['ratio'] >= 0.80 else 'MISSED'} ({figures['live_surfaces']} live surfaces, "
          f"{figures['live_views']} activation views drawn, "
          f"histograms of every layer recorded at {figures.get('history_records', 0)} epochs; GUI timer p95 {figures['gui_timer_late_p95_ms']:.0f} ms)")


def _records(history) -> int:
    """Epochs at which the activations tab recorded every layer's histograms in the run."""
    series = next(iter(history.outputs.values()), None) if history is not None else None
    return len(series.epochs) if series is not None else 0
