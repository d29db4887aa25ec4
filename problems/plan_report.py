"""What a placement amounts to, read once from its schedule: the typed source of every command's
plan figures and of FORMATS.md's common result fields."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np

from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.schedule import schedule


@attrs.frozen
class TaskReport:
    """One task: its completion time and the sums over its layers (T1 exec, T2 transfer incl. the
    result's return, T3 wait)."""

    task: int
    completion: float
    exec: float
    transfer: float
    wait: float


@attrs.frozen
class PlanReport:
    """One placement: the objective and its value, total and makespan, and the T1/T2/T3 sums."""

    objective: str
    value: float
    total: float
    makespan: float
    tasks: tuple[TaskReport, ...]

    @property
    def exec(self) -> float:
        return float(sum(task.exec for task in self.tasks))

    @property
    def transfer(self) -> float:
        return float(sum(task.transfer for task in self.tasks))

    @property
    def wait(self) -> float:
        return float(sum(task.wait for task in self.tasks))

    def document(self) -> dict[str, Any]:
        """FORMATS.md's common result fields."""
        return {"format": 1, "objective": self.objective, "value": self.value, "total": self.total,
                "makespan": self.makespan, "exec": self.exec, "transfer": self.transfer, "wait": self.wait,
                "tasks": [attrs.asdict(task) for task in self.tasks]}


def plan_report(problem: MigrationProblem, genes: np.ndarray) -> PlanReport:
    """The report of one placement, from one schedule."""
    s = schedule(problem.workload, genes)
    tasks = []
    for t in range(len(problem.scenario.tasks)):
        part = problem.task_genes(t)
        tasks.append(TaskReport(t, float(s.completion[t]), float(s.exec[part].sum()),
                                float(s.transfer[part].sum() + s.result_transfer[t]), float(s.wait[part].sum())))
    value = float(problem.workload.objective.value(s))
    if not all(math.isfinite(v) for v in (value, s.total, s.makespan)):
        raise EosdnnError(f"the plan's {problem.scenario.objective} is not a finite number ({value!r}): a capacity, "
                          "bandwidth or size of the scenario is outside what the evaluator can time")
    return PlanReport(problem.scenario.objective, value, s.total, s.makespan, tuple(tasks))
