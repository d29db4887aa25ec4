"""`eosdnn compare`: solvers over seeds on one scenario, summarised per solver (typed), with the
scenario's lower bound; its JSON document is FORMATS.md's comparison."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import numpy as np

from eosdnn.documents import history_document
from eosdnn.framework import Budget, Result
from eosdnn.problems.migration import MigrationProblem


@attrs.frozen
class SolverSummary:
    """One solver's runs: mean, spread and best value, mean work, and the mean T1/T2/T3 of its plans."""

    mean: float
    std: float
    best: float
    evaluations: float
    wall_s: float
    exec: float
    transfer: float
    wait: float
    gap_to_bound: float

    @classmethod
    def of(cls, runs: list[Result], problem: MigrationProblem) -> SolverSummary:
        values = np.array([r.value for r in runs])
        mean = float(values.mean())

        def average(part: str) -> float:
            return float(np.mean([r.details[part] for r in runs]))

        return cls(mean=mean, std=float(values.std()), best=float(values.min()),
                   evaluations=float(np.mean([r.evaluations for r in runs])),
                   wall_s=float(np.mean([r.wall_s for r in runs])), exec=average("exec"),
                   transfer=average("transfer"), wait=average("wait"), gap_to_bound=problem.gap_to_bound(mean))


@attrs.define
class Comparison:
    """Every solver's runs so far (in the order asked), on one problem at one budget."""

    problem: MigrationProblem
    names: list[str]
    seeds: list[int]
    budget: Budget
    runs: dict[str, list[Result]] = attrs.field(factory=dict)

    def add(self, name: str, result: Result) -> None:
        self.runs.setdefault(name, []).append(result)

    def summaries(self) -> dict[str, SolverSummary]:
        return {name: SolverSummary.of(self.runs[name], self.problem) for name in self.names if self.runs.get(name)}

    def document(self) -> dict[str, Any]:
        return {"format": 1, "objective": self.problem.scenario.objective, "seeds": self.seeds,
                "budget": self.budget.describe(), "lower_bound": self.problem.lower_bound,
                "solvers": {name: attrs.asdict(row) for name, row in self.summaries().items()},
                "runs": {name: [{"seed": r.seed, "value": r.value, "evaluations": r.evaluations, "wall_s": r.wall_s,
                                 "history": history_document(r)} for r in self.runs[name]]
                         for name in self.names if self.runs.get(name)}}


def compare(problem: MigrationProblem, names: list[str], seeds: list[int], budget: Budget,
            run: Callable[[str, int], Result], into: Comparison | None = None) -> Comparison:
    """Every solver on every seed through `run(name, seed)`, in order; `into` receives the runs as
    they finish (so an interrupted comparison keeps what it had)."""
    comparison = into if into is not None else Comparison(problem, names, seeds, budget)
    for name in names:
        for seed in seeds:
            comparison.add(name, run(name, seed))
    return comparison
