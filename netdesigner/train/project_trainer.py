"""A CPU trainer over a saved project's weights and data set: what the analysis commands and
views evaluate when no run is going (a GPU would only add start-up time for a few passes)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from netdesigner.core.errors import TrainingError

if TYPE_CHECKING:
    from netdesigner.core.project import Project
    from netdesigner.train.trainer import Trainer


def cpu_trainer_for(project: Project, *, initialize: bool = False, keep_trajectory: bool = False) -> Trainer:
    """The project's model (its saved weights unless ``initialize``), data and training settings
    on the CPU. Raises ``TrainingError`` for impossible settings, and whatever loading the data
    or compiling the graph raises (``DataError``, ``GraphError``, ``ShapeError``)."""
    from netdesigner.data.registry import load_project_data
    from netdesigner.train.trainer import Trainer

    settings = replace(project.training, device="cpu", amp="off", data_parallel=False)
    for _, problem in settings.problems():
        raise TrainingError(problem)
    splits = load_project_data(project)
    return Trainer(project.compile(), splits, settings, graph=project.graph, initialize=initialize,
                   keep_trajectory=keep_trajectory)
