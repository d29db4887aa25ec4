"""What a migration plan is scored by (MODEL.md section 4), one class per objective.

An objective turns the evaluator's completion times into a value, combines per-task lower bounds
into a bound on that value, limits each task's completion given an upper bound on the value (the
MILP's time windows), and states itself in the MILP. Register a new one with
`OBJECTIVES.register("name")`; scenarios name it in `objective = "name"`.
"""

from __future__ import annotations

from typing import Any, Protocol

import attrs
import numpy as np

from eosdnn.framework.registry import Registry


class Scores(Protocol):
    """What the evaluator computed for rows of a population (or one plan): the tasks' completion
    times, and their sum and maximum as the compiled kernel added them up."""

    @property
    def total(self) -> Any: ...

    @property
    def makespan(self) -> Any: ...

    @property
    def completion(self) -> Any: ...


class Objective(Protocol):
    """An objective; its docstring's first line is its description in reports (`OBJECTIVES.describe`)."""

    name: str

    def value(self, scores: Scores) -> np.ndarray:
        """The objective of every row."""

    def combine(self, per_task: np.ndarray) -> float:
        """The objective's value when each task completes at `per_task` (e.g. a bound per task)."""

    def latest_completions(self, upper: float, least: np.ndarray) -> np.ndarray:
        """The latest each task may complete in a plan whose value is at most `upper`, given every
        task's least completion time `least`."""

    def add_to_milp(self, lp: Any, completion: list[Any], upper: float) -> Any:
        """Set the MILP's objective over the tasks' completion variables (`lp` is a PuLP problem
        wrapper with `add_variable`); returns an auxiliary variable it added, or None."""


OBJECTIVES: Registry[Objective] = Registry("objective", "eosdnn.objectives", builtins=("eosdnn.problems.objectives",))


@OBJECTIVES.register("total")
@attrs.frozen
class TotalCompletion:
    """total: the sum of the tasks' completion times, the paper's objective"""

    name: str = "total"

    def value(self, scores: Scores) -> np.ndarray:
        return scores.total

    def combine(self, per_task: np.ndarray) -> float:
        return float(per_task.sum())

    def latest_completions(self, upper: float, least: np.ndarray) -> np.ndarray:
        return upper - (least.sum() - least)  # every other task takes at least its least time

    def add_to_milp(self, lp: Any, completion: list[Any], upper: float) -> Any:
        import pulp  # only exact solvers need it

        lp += pulp.lpSum(completion)
        return None


@OBJECTIVES.register("makespan")
@attrs.frozen
class Makespan:
    """makespan: the latest completion time of any task"""

    name: str = "makespan"

    def value(self, scores: Scores) -> np.ndarray:
        return scores.makespan

    def combine(self, per_task: np.ndarray) -> float:
        return float(per_task.max())

    def latest_completions(self, upper: float, least: np.ndarray) -> np.ndarray:
        return np.full(least.shape[0], upper)

    def add_to_milp(self, lp: Any, completion: list[Any], upper: float) -> Any:
        makespan = lp.add_variable("makespan", lowBound=0.0, upBound=upper)
        for t, c in enumerate(completion):
            lp += makespan >= c, f"makespan_{t}"
        lp += makespan
        return makespan


def objective(name: str) -> Objective:
    """The registered objective `name`; an unknown name is one error listing the known ones."""
    return OBJECTIVES.create(name)
