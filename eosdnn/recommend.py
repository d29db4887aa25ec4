"""The plan `eosdnn run` recommends: the best of the reference plans (greedy, HEFT, PEFT, the tier
plans) and of the strong searches (EosDNN at the paper's budget, local search from PEFT), all
seeded, so the same seed recommends the same plan."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from eosdnn.framework import Budget, Result
from eosdnn.framework.solver import run_solver
from eosdnn.framework.errors import EosdnnError
from eosdnn.solvers.registry import SOLVERS
from eosdnn.problems.migration import MigrationProblem

REFERENCES = ("greedy", "heft", "peft", "all-local", "all-edge", "all-cloud")
# label -> (solver, parameters); each gets the run's evaluation budget (the paper's: 60 000)
SEARCHES: dict[str, tuple[str, dict]] = {
    "eosdnn": ("eosdnn", {}),
    "local-search from peft": ("local-search", {"start": "peft"}),
}
PAPER_EVALUATIONS = 60_000

Runner = Callable[[str, dict, Budget], Result]


@attrs.frozen
class Recommendation:
    """Every plan tried, by label, and the label of the best."""

    results: dict[str, Result]
    best: str

    @property
    def result(self) -> Result:
        return self.results[self.best]


def recommend(problem: MigrationProblem, seed: int, evaluations: int = PAPER_EVALUATIONS,
              run: Runner | None = None) -> Recommendation:
    """Run the references and the searches; recommend the plan of least value (ties: the first)."""
    def direct(name: str, params: dict, budget: Budget) -> Result:
        return run_solver(SOLVERS.create(name, **params), problem, budget=budget, seed=seed)

    run = run or direct
    results: dict[str, Result] = {}
    for name in REFERENCES:
        try:
            results[name] = run(name, {}, Budget())
        except EosdnnError:  # a tier plan for a tier the environment lacks
            continue
    for label, (name, params) in SEARCHES.items():
        results[label] = run(name, params, Budget(evaluations=evaluations))
    best = min(results, key=lambda label: results[label].value)
    return Recommendation(results, best)
