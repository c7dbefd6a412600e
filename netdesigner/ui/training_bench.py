"""Training speed with the window open, for ``netdesigner bench`` (not a timed test).

Three figures, each against the obvious alternative measured in the same process:
- the trainer headless against a hand-written loop (``train.throughput.compare``);
- the trainer driven by the window (offscreen, live plots on) against the same hand-written
  loop, measured just before and just after the window's run;
- how late a 10 ms QTimer on the GUI thread fires while that run goes on: the window's
  responsiveness during training (targets: p95 ≤ 30 ms, p99 ≤ 100 ms).
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

PROJECTS = Path(__file__).resolve().parents[2] / "projects"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure_training(example: str = "digits_cnn.ndproj", epochs: int = 8) -> dict[str, Any]:
    if not os.environ.get("QT_QPA_PLATFORM") and not os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    import torch
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from netdesigner.core.project import Project
    from netdesigner.data.registry import load_dataset
    from netdesigner.train.throughput import compare, hand_written_epoch
    from netdesigner.ui.main_window import MainWindow

    project = Project.load(PROJECTS / example)
    project.training.device = "cpu"
    data = project.data
    splits = load_dataset(data.dataset, data.options, validation_fraction=data.validation_fraction,
                          test_fraction=data.test_fraction, seed=0)
    headless = compare(project.compile(), project.graph, splits, project.training, epochs=5)

    plain = project.compile()
    optimizer = torch.optim.Adam(plain.parameters(), lr=project.training.learning_rate)
    generator = torch.Generator().manual_seed(0)
    x, y = splits.train.x, splits.train.y

    def plain_rates(n: int) -> list[float]:
        return [hand_written_epoch(plain, x, y, optimizer, project.training.batch_size, generator) for _ in range(n)]

    app = QApplication.instance() or QApplication([])
    window = MainWindow()
    window.resize(1320, 840)
    window.show()
    window.new_from_example(PROJECTS / example)
    window.project.training.device = "cpu"
    window.project.training.epochs = epochs
    window.docks["Training"].raise_()
    app.processEvents()

    before = plain_rates(3)[1:]
    lateness: list[float] = []
    clock = QElapsedTimer()
    tick = QTimer(interval=10)

    def on_tick() -> None:
        lateness.append(max(0.0, clock.restart() - 10.0))

    tick.timeout.connect(on_tick)
    done: list[Any] = []
    window.training.run_ended.connect(done.append)
    window.training.start()
    clock.start()
    tick.start()
    while not done:
        app.processEvents()
        time.sleep(0.001)
    tick.stop()
    after = plain_rates(3)[1:]
    history = window.training.trainer.history
    window_rate = statistics.median(e.samples_per_s for e in history[1:]) if len(history) > 1 else history[0].samples_per_s
    plain_rate = statistics.median(before + after)
    window.stack.setClean()
    window.weights_changed = False
    window.close()
    window.deleteLater()
    app.processEvents()
    return {
        "example": example,
        "headless_trainer_samples_per_s": headless["trainer_samples_per_s"],
        "headless_hand_written_samples_per_s": headless["hand_written_samples_per_s"],
        "headless_ratio": headless["ratio"],
        "window_trainer_samples_per_s": window_rate,
        "window_hand_written_samples_per_s": plain_rate,
        "window_ratio": window_rate / plain_rate,
        "gui_timer_late_p95_ms": _percentile(lateness, 0.95),
        "gui_timer_late_p99_ms": _percentile(lateness, 0.99),
        "gui_timer_ticks": len(lateness),
        "redraws": window.training.bridge.redraws,
        "batches": window.plots.point_counts()["batches"],
    }


if __name__ == "__main__":
    for name in ("digits_cnn.ndproj", "spirals_mlp.ndproj"):
        print(measure_training(name, epochs=8 if name.startswith("digits") else 40))
