"""What a migration plan is scored by (MODEL.md section 4): objectives over the evaluator's measures.

The evaluator measures every plan (`problems.measures.Measures`: per-task completion times, per-node
busy seconds, per-link bytes); an objective turns measures into one value per row. It may also give
a valid lower bound for a scenario (`lower_bound`), limit each task's completion given an upper bound
on its value (`latest_completions`: the exact MILP's time windows) and state itself in an exact model
through `ExactForm`, which names measures, not a solver library. Register a new one with
`OBJECTIVES.register("name")` (subclassing `ObjectiveBase` gives the optional parts their defaults);
scenarios name it in `objective = "name"`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import attrs
import numpy as np

from eosdnn.framework.errors import EosdnnError
from eosdnn.framework.registry import Registry

if TYPE_CHECKING:
    from eosdnn.problems.bounds import BoundInputs
    from eosdnn.problems.measures import Measures


class ExactForm(Protocol):
    """An exact model as an objective sees it: linear expressions of its measures, whatever library
    builds the model (PuLP today). Expressions support `+`, `-`, `*` by numbers and comparisons."""

    @property
    def completion(self) -> Sequence[Any]:
        """Per task: its completion time."""

    @property
    def environment(self) -> Any:
        """The scenario's environment (nodes numbered as its `nodes`)."""

    def busy(self, node: int) -> Any:
        """Seconds node `node` spends executing layers."""

    def bytes_sent(self, source: int, target: int) -> Any:
        """Bytes sent from node `source` to node `target` (inputs, layer outputs, results)."""

    def variable(self, name: str, low: float, high: float) -> Any:
        """A new continuous variable."""

    def require(self, constraint: Any, name: str) -> None:
        """Add a constraint."""

    def sum(self, terms: Iterable[Any]) -> Any:
        """The sum of expressions (faster than Python's `sum` for long ones)."""


class Objective(Protocol):
    """An objective; its docstring's first line is its description in reports (`OBJECTIVES.describe`)."""

    name: str

    def value(self, measures: Measures) -> np.ndarray:
        """The objective of every row (one plan: an array of one)."""

    def lower_bound(self, least: BoundInputs) -> float | None:
        """A valid lower bound on the objective over every plan, or None when it knows none. An
        objective may also state `bounds(least)`: the bounds it takes the largest of, by name, which
        reports show beside it."""

    def latest_completions(self, upper: float, least: np.ndarray) -> np.ndarray | None:
        """The latest each task may complete in a plan whose value is at most `upper`, given every
        task's least completion time `least`; None when the value does not limit completions."""

    def exact(self, form: ExactForm, upper: float) -> Any:
        """The expression an exact model minimises (it may add variables and constraints)."""


class ObjectiveBase:
    """Defaults of the optional parts: no bound, no time windows, no exact form."""

    name: str

    def lower_bound(self, least: BoundInputs) -> float | None:
        return None

    def latest_completions(self, upper: float, least: np.ndarray) -> np.ndarray | None:
        return None

    def exact(self, form: ExactForm, upper: float) -> Any:
        raise EosdnnError(f"objective: {self.name!r} has no exact form, so the exact solvers cannot optimise it")


OBJECTIVES: Registry[Objective] = Registry("objective", "eosdnn.objectives", builtins=("eosdnn.problems.objectives",))


@OBJECTIVES.register("total")
@attrs.frozen
class TotalCompletion(ObjectiveBase):
    """total: the sum of the tasks' completion times, the paper's objective"""

    name: str = "total"

    def value(self, measures: Measures) -> np.ndarray:
        return measures.total

    def bounds(self, least: BoundInputs) -> dict[str, float]:
        """The contention-free bound (the sum of the tasks' least completion times) and each server
        tier's capacity bound (MODEL.md section 7)."""
        return {"contention-free": float(least.completion.sum())} | {
            f"{tier} capacity": bound for tier, bound in least.capacity.items()}

    def lower_bound(self, least: BoundInputs) -> float | None:
        return max(self.bounds(least).values())

    def latest_completions(self, upper: float, least: np.ndarray) -> np.ndarray | None:
        return upper - (least.sum() - least)  # every other task takes at least its least time

    def exact(self, form: ExactForm, upper: float) -> Any:
        return form.sum(form.completion)


@OBJECTIVES.register("makespan")
@attrs.frozen
class Makespan(ObjectiveBase):
    """makespan: the latest completion time of any task"""

    name: str = "makespan"

    def value(self, measures: Measures) -> np.ndarray:
        return measures.makespan

    def bounds(self, least: BoundInputs) -> dict[str, float]:
        """The contention-free bound (the largest least completion time) and the tiers' capacity
        bounds on the sum of completions shared by the tasks (the latest is at least the mean)."""
        tasks = len(least.completion)
        return {"contention-free": float(least.completion.max())} | {
            f"{tier} capacity": bound / tasks for tier, bound in least.capacity.items()}

    def lower_bound(self, least: BoundInputs) -> float | None:
        return max(self.bounds(least).values())

    def latest_completions(self, upper: float, least: np.ndarray) -> np.ndarray | None:
        return np.full(least.shape[0], upper)

    def exact(self, form: ExactForm, upper: float) -> Any:
        makespan = form.variable("makespan", 0.0, upper)
        for t, c in enumerate(form.completion):
            form.require(makespan >= c, f"makespan_{t}")
        return makespan


def objective(name: str) -> Objective:
    """The registered objective `name`; an unknown name is one error listing the known ones."""
    return OBJECTIVES.create(name)
