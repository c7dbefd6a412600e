"""A CPU trainer over a saved project's weights and data set: what the analysis commands and
views evaluate when no run is going (a GPU would only add start-up time for a few passes)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from netdesigner.core.errors import TrainingError

EXIT_INVALID, EXIT_UNREADABLE = 1, 2  # the analysis commands' exit codes for what loading finds

if TYPE_CHECKING:
    from netdesigner.core.project import Project
    from netdesigner.train.trainer import Trainer


def cpu_trainer_for(project: Project, *, initialize: bool = False, keep_trajectory: bool = False) -> Trainer:
    """The project's model (its saved weights unless ``initialize``), data and training settings
    on the CPU, in a ``GanTrainer`` for a GAN. Raises ``TrainingError`` for impossible settings, and whatever loading the data
    or compiling the graph raises (``DataError``, ``GraphError``, ``ShapeError``)."""
    from netdesigner.data.registry import load_project_data
    from netdesigner.train.gan_trainer import trainer_class

    settings = replace(project.training, device="cpu", amp="off", data_parallel=False)
    for _, problem in settings.problems():
        raise TrainingError(problem)
    splits = load_project_data(project)
    return trainer_class(project.graph)(project.compile(), splits, settings, graph=project.graph,
                                        initialize=initialize, keep_trajectory=keep_trajectory)


class LoadFailed(Exception):  # noqa: N818 - the name says what happened
    """A command cannot go on: ``message`` for stderr, ``code`` to exit with."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def trainer_for_file(file: str, *, need_weights: bool = True, initialize: bool = False,
                     keep_trajectory: bool = False) -> tuple[Project, Trainer]:
    """The project at ``file`` and its ``cpu_trainer_for``, as the analysis commands load it: a file or
    data set that cannot be read is ``LoadFailed`` with exit 2; no trained weights (when
    ``need_weights``), a graph that does not build or impossible settings exit 1."""
    from netdesigner.core.errors import DataError, GraphError, ProjectError, ShapeError
    from netdesigner.core.project import Project

    try:
        project = Project.load(file)
        if need_weights and not project.weights:
            raise LoadFailed(f"{file}: the project has no trained weights: train it first: netdesigner train {file}",
                             EXIT_INVALID)
        return project, cpu_trainer_for(project, initialize=initialize, keep_trajectory=keep_trajectory)
    except (ProjectError, DataError) as e:
        raise LoadFailed(str(e), EXIT_UNREADABLE) from None
    except (GraphError, ShapeError, TrainingError) as e:
        raise LoadFailed(f"{file}: {e}", EXIT_INVALID) from None
