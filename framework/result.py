"""What every solver returns (MODEL.md section 7)."""

from __future__ import annotations

import attrs
import numpy as np

from eosdnn.framework.problem import Report


@attrs.frozen
class Result:
    """The best solution found, its figures and how the search got there."""

    solver: str
    x: np.ndarray
    value: float
    report: Report  # the problem's report of `x` (a migration plan: total, makespan, T1/T2/T3, per task)
    evaluations: int
    wall_s: float
    seed: int | None
    history: list[tuple[int, float]]  # (evaluations so far, best value so far)
    status: str | None = None  # exact solvers: optimal | feasible | infeasible | no solution
    bound: float | None = None
    gap: float | None = None
    model_value: float | None = None  # exact solvers: the model's own objective of its first solution
    model_status: str | None = None  # exact solvers: the status of the model itself (e.g. the free-order MILP)
    info: dict = attrs.field(factory=dict)  # solver-specific figures for reports (e.g. MILP rounds)


def run_after(first: Result, second: Result) -> Result:
    """Two runs made one after the other, reported as one: the better result (the first on a tie)
    under the second's solver name and the first's seed, with the evaluations and wall time of both
    and the second's history continuing the first's."""
    best = second if second.value < first.value else first
    history = list(first.history) + [(first.evaluations + e, min(v, first.value)) for e, v in second.history]
    return attrs.evolve(best, solver=second.solver, seed=first.seed, evaluations=first.evaluations + second.evaluations,
                        wall_s=first.wall_s + second.wall_s, history=history)
