"""The plan `eosdnn run` recommends: the best of the plans of every solver that declares a place in
the recommended set (`SolverTraits.recommended`; built in: greedy, HEFT, PEFT and the tier plans,
one plan each, then EosDNN at the paper's budget and local search from PEFT), all seeded, so the
same seed recommends the same plan."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from eosdnn.framework import Budget, Result
from eosdnn.framework.errors import EosdnnError
from eosdnn.jobs import run_named
from eosdnn.solvers.registry import recommended, solver_traits
from eosdnn.problems.migration import MigrationProblem

PAPER_EVALUATIONS = 60_000
EVALUATIONS_PER_TASK = 600  # a best-response sweep re-plans each task with up to ~40 evaluations


def default_evaluations(tasks: int) -> int:
    """Each search's default budget: the paper's 60,000 evaluations, or 600 per task where that is
    more (above 100 tasks), so that best response's sweeps (at most 580 evaluations per task to
    converge at 12-96 tasks, bench/bench_scale.py) leave local search a share at any size."""
    return max(PAPER_EVALUATIONS, EVALUATIONS_PER_TASK * tasks)

Runner = Callable[[str, dict, Budget], Result]


@attrs.frozen
class Recommendation:
    """Every plan tried, by label, and the label of the best."""

    results: dict[str, Result]
    best: str

    @property
    def result(self) -> Result:
        return self.results[self.best]


def recommend(problem: MigrationProblem, seed: int, evaluations: int | None = None,
              run: Runner | None = None) -> Recommendation:
    """Run every recommended solver, the one-plan rules without a budget and the searches with
    `evaluations` each (default: `default_evaluations`); recommend the plan of least value (ties:
    the first). A one-plan rule that does not apply (a tier plan for a tier the environment lacks)
    is left out."""
    if evaluations is None:
        evaluations = default_evaluations(len(problem.scenario.tasks))
    def direct(name: str, params: dict, budget: Budget) -> Result:
        return run_named(problem, name, params, budget, seed)

    run = run or direct
    results: dict[str, Result] = {}
    for label, name, params in recommended():
        if solver_traits(name).budget_unit == "none":
            try:
                results[label] = run(name, params, Budget())
            except EosdnnError:
                continue
        else:
            results[label] = run(name, params, Budget(evaluations=evaluations))
    best = min(results, key=lambda label: results[label].value)
    return Recommendation(results, best)
