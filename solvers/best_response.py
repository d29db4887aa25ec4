"""Best response: a decomposition of the migration problem by task. From a start plan, each task in
turn is re-planned with every other task fixed: its candidates are the routes of its library (the
contention-free least paths over small node sets, `problems/routes.py`), scored in one batch with
the rest of the plan, and the best replaces the task's placement when it lowers the objective. Sweeps
over all tasks (in a seeded order) repeat until one changes nothing; the rest of the budget goes to
local search with run moves on the whole plan, which fixes what whole routes cannot (a layer or
two moved off a busy pool).

Each reply costs one batch of a few dozen evaluations per task, so a sweep over 96 tasks costs about
2,000: far cheaper than a population search, whose every step re-places all tasks at once. Its
result is a plan in which no task gains from another route of its library while the others stay
(a pure equilibrium over the library), which need not be the optimum.
"""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

from eosdnn.framework import Budget, Result, Search
from eosdnn.framework.params import ParameterError, whole
from eosdnn.framework.solver import Recommended, SolverTraits, with_default_budget
from eosdnn.operators import operator_name
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.routes import task_routes
from eosdnn.solvers.local_search import auto_patience, improve
from eosdnn.solvers.registry import SOLVERS
from eosdnn.solvers.starts import CONSTRUCTIVE


def _start_plan(_instance, attribute, value) -> None:
    if not isinstance(value, str) or value not in CONSTRUCTIVE:
        raise ParameterError(attribute.name, f"must be one of {', '.join(CONSTRUCTIVE)}, got {value!r}")


_start_plan.span = ", ".join(CONSTRUCTIVE)  # type: ignore[attr-defined]


SLOWDOWNS = (1.0, 2.0, 4.0, 8.0, 16.0)


def best_response_sweeps(search: Search, problem: MigrationProblem, x: np.ndarray, value: float,
                         rng: np.random.Generator, sweeps: int) -> tuple[np.ndarray, float]:
    """Up to `sweeps` sweeps of best replies (in a fresh seeded task order each), until one changes
    nothing or the budget ends; each reply is one batch of the task's routes beside the current
    plan. Returns the plan reached and its value."""
    routes: dict[int, np.ndarray] = {}
    for _ in range(sweeps):
        changed = False
        for t in rng.permutation(problem.workload.n_tasks):
            if search.done():
                return x, value
            genes = problem.task_genes(int(t))
            if t not in routes:
                routes[t] = task_routes(problem.workload, int(t), SLOWDOWNS)
            candidates = np.repeat(x[None, :], len(routes[t]), axis=0)
            candidates[:, genes] = routes[t]
            values = search.evaluate(candidates, near=x)
            best = int(np.argmin(values))
            if values[best] < value:
                x, value, changed = candidates[best].copy(), float(values[best]), True
        search.next_iteration()
        if not changed:
            break
    return x, value


@SOLVERS.register("best-response")
@attrs.define
class BestResponse:
    """Sweeps of best replies, task by task, over each task's route library from `start` (a
    constructive plan), at most `sweeps` of them; then local search (run moves `move`, `batch`
    neighbours per step, restarts as `local-search`) for the rest of the budget."""

    traits: ClassVar[SolverTraits] = SolverTraits(budget_unit="evaluations", default_budget="evaluations", cost=1.0,
                                                  recommended=Recommended(7, "best-response"))

    start: str = attrs.field(default="peft", validator=_start_plan)
    sweeps: int = attrs.field(default=50, validator=whole(1))
    move: str = attrs.field(default="segment-move", validator=operator_name("mutation"))
    batch: int = attrs.field(default=32, validator=whole(1, 100_000))
    kick: int = attrs.field(default=3, validator=whole(1))
    evaluations: int = attrs.field(default=60_000, validator=whole(1))
    name: str = "best-response"
    accepts: ClassVar[type] = MigrationProblem  # reads the layers and nodes

    def solve(self, problem: MigrationProblem, *, budget: Budget, seed: int | None, callback=None) -> Result:
        budget = with_default_budget(self, budget)
        search = Search(self.name, problem, budget, seed, callback)
        rng = np.random.default_rng(seed)
        x = CONSTRUCTIVE[self.start](problem)
        value = float(search.evaluate(x[None, :])[0])
        x, value = best_response_sweeps(search, problem, x, value, rng, self.sweeps)
        improve(search, x, value, rng, move=self.move, batch=self.batch, patience=auto_patience(problem, self.batch),
                kick=self.kick)
        return search.result()
