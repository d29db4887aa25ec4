"""What a placement amounts to, read once from its schedule: the `report` every migration Result
carries, the typed source of every command's plan figures and of FORMATS.md's common result fields."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.constraints import Constrained
from eosdnn.problems.objectives import objective as objective_named
from eosdnn.problems.schedule import schedule

if TYPE_CHECKING:
    from eosdnn.problems.migration import MigrationProblem


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
    """One placement: the objective and its value, total and makespan, the T1/T2/T3 sums over every
    layer (added up as the evaluator adds them, so they are the same bits as a search's figures) and
    every task's figures; the clients' energy (J) and the servers' cost (USD) of the plan, by the
    `energy` and `cost` objectives whatever the plan was optimised for (None where not measured)."""

    objective: str
    value: float
    total: float
    makespan: float
    exec: float
    transfer: float
    wait: float
    tasks: tuple[TaskReport, ...]
    energy: float | None = None
    cost: float | None = None
    violation: float = 0.0  # the sum of the relative violations of the scenario's limits (0: feasible)

    @property
    def feasible(self) -> bool:
        return self.violation == 0.0

    def document(self) -> dict[str, Any]:
        """FORMATS.md's common result fields."""
        return {"format": 1, "objective": self.objective, "value": self.value, "total": self.total,
                "makespan": self.makespan, "exec": self.exec, "transfer": self.transfer, "wait": self.wait,
                "energy_j": self.energy, "cost_usd": self.cost, "feasible": self.feasible, "violation": self.violation,
                "tasks": [attrs.asdict(task) for task in self.tasks]}


def plan_report(problem: MigrationProblem, genes: np.ndarray) -> PlanReport:
    """The report of one placement, from one schedule."""
    s = schedule(problem.workload, genes)
    tasks = []
    for t in range(len(problem.scenario.tasks)):
        part = problem.task_genes(t)
        tasks.append(TaskReport(t, float(s.completion[t]), float(s.exec[part].sum()),
                                float(s.transfer[part].sum() + s.result_transfer[t]), float(s.wait[part].sum())))
    m = s.measures
    value = float(problem.workload.objective.value(m)[0])
    if not all(math.isfinite(v) for v in (value, s.total, s.makespan)):
        raise EosdnnError(f"the plan's {problem.scenario.objective} is not a finite number ({value!r}): a capacity, "
                          "bandwidth or size of the scenario is outside what the evaluator can time")
    assert m.exec is not None and m.transfer is not None and m.wait is not None  # a full schedule has them
    energy, cost = (float(objective_named(name).value(m)[0]) for name in ("energy", "cost"))
    limits = problem.workload.objective
    violation = float(limits.violation(m)[0]) if isinstance(limits, Constrained) else 0.0
    return PlanReport(problem.scenario.objective, value, s.total, s.makespan, float(m.exec[0]), float(m.transfer[0]),
                      float(m.wait[0]), tuple(tasks), energy=energy, cost=cost, violation=violation)
