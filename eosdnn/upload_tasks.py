"""Uploading plans for every task of a placement: every planner on each task (the one planning loop)."""

from __future__ import annotations

import time
from collections.abc import Iterable

import attrs
import numpy as np

from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.upload import UploadPlan, UploadProblem, ssd_saving
from eosdnn.solvers.upload import plan_upload

DEFAULT_PLANNERS = ("lmu", "non-uploading", "ionn", "recursive-efficiency")
BASELINE = "non-uploading"


@attrs.frozen
class TaskPlans:
    """Every planner's plan for one task (or the reason a planner refused it), with its wall seconds."""

    problem: UploadProblem
    plans: dict[str, UploadPlan]
    refused: dict[str, str]
    baseline: UploadPlan
    seconds: dict[str, float]

    def improvement(self, name: str) -> float:
        """SSD saved against Non-uploading, as a share of Non-uploading's SSD."""
        return ssd_saving(self.plans[name], self.baseline)


def plan_task(upload: UploadProblem, planners: Iterable[str], *, horizon: float | None = None,
              params: dict[str, dict] | None = None, skip_refused: bool = False) -> TaskPlans:
    """Every planner's plan for one task: the one planning loop of the `upload` command, the
    uploading figures and the upload benchmark."""
    params = params or {}
    plans, refused, seconds = {}, {}, {}
    for name in planners:
        started = time.perf_counter()
        try:
            plans[name] = plan_upload(name, upload, horizon, **params.get(name, {}))
        except EosdnnError as error:
            if not skip_refused:
                raise
            refused[name] = str(error)
        seconds[name] = time.perf_counter() - started
    baseline = plans.get(BASELINE) or plan_upload(BASELINE, upload, horizon)
    return TaskPlans(upload, plans, refused, baseline, seconds)


def check_tasks(tasks: list[int] | None, n_tasks: int) -> None:
    """Every selected task index exists (None selects them all)."""
    for t in tasks or []:
        if not 0 <= t < n_tasks:
            raise EosdnnError(f"tasks: task {t} does not exist (the scenario has {n_tasks} tasks)")


def plan_tasks(problem: MigrationProblem, genes: np.ndarray, planners: list[str], *, tasks: list[int] | None = None,
               horizon: float | None = None, params: dict[str, dict] | None = None,
               skip_refused: bool = False) -> list[TaskPlans]:
    """Plan the upload of every selected task under the placement `genes`."""
    nodes = problem.nodes_of(genes)
    check_tasks(tasks, len(nodes))
    selected = range(len(nodes)) if tasks is None else tasks
    return [plan_task(UploadProblem(problem.scenario, t, nodes[t]), planners, horizon=horizon, params=params,
                      skip_refused=skip_refused) for t in selected]
