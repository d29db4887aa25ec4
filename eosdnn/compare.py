"""`eosdnn compare`: solvers over seeds on one scenario, summarised per solver (typed), with the
scenario's lower bound; its JSON document is FORMATS.md's comparison."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import numpy as np

from eosdnn.documents import history_document
from eosdnn.framework import Budget, Result
from eosdnn.framework.errors import EosdnnError
from eosdnn.framework.executors import Executor
from eosdnn.framework.statistics import Spread
from eosdnn.jobs import GivenScenario, SolverJob, job_result
from eosdnn.problems.bounds import mean_gap
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
    gap_to_bound: float | None

    @classmethod
    def of(cls, runs: list[Result], problem: MigrationProblem) -> SolverSummary:
        values = Spread.of(r.value for r in runs)

        def average(part: str) -> float:
            return float(np.mean([getattr(r.report, part) for r in runs]))

        return cls(mean=values.mean, std=values.std, best=values.min,
                   evaluations=float(np.mean([r.evaluations for r in runs])),
                   wall_s=float(np.mean([r.wall_s for r in runs])), exec=average("exec"),
                   transfer=average("transfer"), wait=average("wait"),
                   gap_to_bound=mean_gap([problem.gap_to_bound(r.value) for r in runs]))


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
                "bounds": self.problem.bounds,
                "solvers": {name: attrs.asdict(row) for name, row in self.summaries().items()},
                "runs": {name: [{"seed": r.seed, "value": r.value, "evaluations": r.evaluations, "wall_s": r.wall_s,
                                 "history": history_document(r)} for r in self.runs[name]]
                         for name in self.names if self.runs.get(name)}}


def compare_on(executor: Executor, problem: MigrationProblem, names: list[str], params: dict[str, dict],
               seeds: list[int], budget: Budget, into: Comparison | None = None,
               on_run: Callable[[], None] | None = None) -> Comparison:
    """`compare` with the runs on an executor: the same results, in the same order, as one process;
    `on_run` is called after each finished run (e.g. an interrupt check)."""
    comparison = into if into is not None else Comparison(problem, names, seeds, budget)
    source = GivenScenario(problem.scenario)
    jobs = [SolverJob(source, name, params.get(name, {}), budget, seed) for name in names for seed in seeds]
    results: dict[int, Result] = {}
    try:
        for outcome in executor.run(job_result, jobs):
            if outcome.failed:
                raise EosdnnError(f"{jobs[outcome.index].solver} seed {jobs[outcome.index].seed}: {outcome.value}")
            results[outcome.index] = outcome.value
            if on_run is not None:
                on_run()
    finally:  # interrupted or not, the comparison keeps every run that finished, in the one-process order
        for index in sorted(results):
            comparison.add(jobs[index].solver, results[index])
    return comparison


def compare(problem: MigrationProblem, names: list[str], seeds: list[int], budget: Budget,
            run: Callable[[str, int], Result], into: Comparison | None = None) -> Comparison:
    """Every solver on every seed through `run(name, seed)`, in order; `into` receives the runs as
    they finish (so an interrupted comparison keeps what it had)."""
    comparison = into if into is not None else Comparison(problem, names, seeds, budget)
    for name in names:
        for seed in seeds:
            comparison.add(name, run(name, seed))
    return comparison
