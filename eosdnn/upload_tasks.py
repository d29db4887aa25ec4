"""Uploading plans for every task of a placement: run planners, summarise, write FORMATS.md's JSON."""

from __future__ import annotations

import time
from collections.abc import Iterable

import attrs
import numpy as np

from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.upload import UploadPlan, UploadProblem, largest_share, ssd_saving
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


def plan_tasks(problem: MigrationProblem, genes: np.ndarray, planners: list[str], *, tasks: list[int] | None = None,
               horizon: float | None = None, params: dict[str, dict] | None = None,
               skip_refused: bool = False) -> list[TaskPlans]:
    """Plan the upload of every selected task under the placement `genes`."""
    nodes = problem.nodes_of(genes)
    selected = range(len(nodes)) if tasks is None else tasks
    for t in selected:
        if not 0 <= t < len(nodes):
            raise EosdnnError(f"tasks: task {t} does not exist (the scenario has {len(nodes)} tasks)")
    return [plan_task(UploadProblem(problem.scenario, t, nodes[t]), planners, horizon=horizon, params=params,
                      skip_refused=skip_refused) for t in selected]


def summary(task: TaskPlans, name: str) -> dict:
    plan = task.plans[name]
    return {
        "ssd": plan.ssd,
        "improvement": task.improvement(name),
        "partitions": len(plan.steps),
        "largest_share": largest_share(task.problem, plan),
        "upload_s": plan.upload_seconds,
        "sd_initial": plan.sd_initial,
        "sd_final": plan.sd_final,
    }


def plan_document(task: TaskPlans, name: str) -> dict:
    """One task's plan in FORMATS.md's upload JSON."""
    problem, plan = task.problem, task.plans[name]
    layer_names = problem.model.names
    return {
        "task": problem.task_index,
        "model": problem.model.name,
        **summary(task, name),
        "horizon": plan.horizon,
        "partitions": [{
            "layers": [layer_names[i] for u in step.units for i in problem.units[u].layers],
            "start": step.start,
            "end": step.end,
            "sd_after": step.sd_after,
        } for step in plan.steps],
    }


def upload_document(tasks: list[TaskPlans], planners: list[str]) -> dict:
    doc: dict = {"format": 1, "planners": {}}
    for name in planners:
        entries = [plan_document(task, name) for task in tasks if name in task.plans]
        refused = [{"task": task.problem.task_index, "error": task.refused[name]} for task in tasks if name in task.refused]
        doc["planners"][name] = {"tasks": entries} | ({"refused": refused} if refused else {})
    return doc
