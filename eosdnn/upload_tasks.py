"""Uploading plans for every task of a placement: every planner on each task (the one planning loop)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import attrs
import numpy as np

from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.upload import UploadPlan, UploadProblem, ssd_saving, unit_key
from eosdnn.problems.models import DnnModel
from eosdnn.problems.scenario import Scenario
from eosdnn.solvers.upload import PLANNERS, plan_upload

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

    def best(self) -> str | None:
        """The planner of least SSD (ties: the first asked), or None when nothing was planned."""
        return min(self.plans, key=lambda name: self.plans[name].ssd) if self.plans else None

    @property
    def sd_uploaded(self) -> float:
        """A query's delay once every unit is uploaded (the placement's own delay for this task)."""
        return self.problem.sd(range(self.problem.n_units))

    def uploading_cannot_help(self) -> bool:
        """Whether the placement, fully uploaded, is no faster than running the task on its client:
        then no uploading plan can beat Non-uploading."""
        return self.problem.n_units > 0 and self.sd_uploaded >= self.baseline.sd_initial


@attrs.frozen
class UploadRow:
    """One task's line of the uploading summary: every planner's SSD (s^2) and the best planner."""

    task: int
    model: str
    units: int
    ssd: dict[str, float]
    best: str | None


@attrs.frozen
class UploadSummary:
    """Every task's SSDs, each planner's sum over the tasks (only planners that planned every task)
    and how many tasks each planner won."""

    rows: tuple[UploadRow, ...]
    totals: dict[str, float]
    wins: dict[str, int]


def summarise_uploads(plans: list[TaskPlans], planners: list[str]) -> UploadSummary:
    """The SSD of every planner on every task, summed and counted."""
    rows, totals, wins = [], dict.fromkeys(planners, 0.0), dict.fromkeys(planners, 0)
    for task in plans:
        best = task.best()
        rows.append(UploadRow(task.problem.task_index, task.problem.model.name, task.problem.n_units,
                              {name: plan.ssd for name, plan in task.plans.items()}, best))
        for name, plan in task.plans.items():
            totals[name] += plan.ssd
        if best is not None:
            wins[best] += 1
    complete = {name: total for name, total in totals.items() if all(name in task.plans for task in plans)}
    return UploadSummary(tuple(rows), complete, wins)


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


def most_units(model: DnnModel) -> int:
    """The upload units of a task whose every layer leaves the client: one per module, one per
    layer outside modules (UploadProblem's grouping)."""
    return len({unit_key(layer) for layer in model.layers})


def check_possible_units(scenario: Scenario, planners: Iterable[str], params: dict[str, dict],
                         tasks: list[int] | None = None) -> None:
    """Before a placement is searched for: refuse a planner with a `max_units` limit that a selected
    task could exceed (`most_units`), so that no search runs only to be refused at the end."""
    selected = range(len(scenario.tasks)) if tasks is None else tasks
    for name in planners:
        limit = getattr(PLANNERS.create(name, **params.get(name, {})), "max_units", None)
        if limit is None:
            continue
        for t in selected:
            model = scenario.tasks[t].model
            most = most_units(model)
            if most > limit:
                raise EosdnnError(
                    f"{name}.max_units: task {t} ({model.name}) may have up to {most} upload units (a module or a "
                    f"layer each), above the limit of {limit}; raise it with --param {name}.max_units=N, plan under "
                    "a --placement file, or leave the planner out")


def check_tasks(tasks: list[int] | None, n_tasks: int) -> None:
    """Every selected task index exists (None selects them all)."""
    for t in tasks or []:
        if not 0 <= t < n_tasks:
            raise EosdnnError(f"tasks: task {t} does not exist (the scenario has {n_tasks} tasks)")


def plan_tasks(problem: MigrationProblem, genes: np.ndarray, planners: list[str], *, tasks: list[int] | None = None,
               horizon: float | None = None, params: dict[str, dict] | None = None,
               skip_refused: bool = False, on_task: Callable[[TaskPlans], None] | None = None) -> list[TaskPlans]:
    """Plan the upload of every selected task under the placement `genes`; `on_task` sees each task's
    plans as they are done (progress, interrupt checks)."""
    nodes = problem.nodes_of(genes)
    check_tasks(tasks, len(nodes))
    selected = range(len(nodes)) if tasks is None else tasks
    done = []
    for t in selected:
        done.append(plan_task(UploadProblem(problem.scenario, t, nodes[t]), planners, horizon=horizon, params=params,
                              skip_refused=skip_refused))
        if on_task is not None:
            on_task(done[-1])
    return done
