"""One solver run as a worker receives it, the one home of "build the problem, create the solver,
run it" for `compare`, `sweep` and the figures (every executor runs `job_result` or a function of
`solve_job`; both are top-level, so that worker processes and Dask can call them).

A job names where its scenario comes from rather than carrying a compiled problem: a scenario
object (`GivenScenario`), a scenario file's dictionary (`ScenarioData`, a sweep's grid point) or a
figure's `Setup`; anything with a `scenario()` method will do."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import attrs

from eosdnn.framework import Budget, Problem, Result
from eosdnn.framework.solver import Search, run_solver
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.scenario import Scenario, scenario_from_dict
from eosdnn.solvers.registry import SOLVERS


class ScenarioSource(Protocol):
    def scenario(self) -> Scenario: ...


@attrs.frozen
class GivenScenario:
    """A scenario sent as it is."""

    value: Scenario

    def scenario(self) -> Scenario:
        return self.value


@attrs.frozen
class ScenarioData:
    """A scenario as its file's dictionary, with the folder its model paths are relative to."""

    data: dict
    base_dir: str | None = None

    def scenario(self) -> Scenario:
        return scenario_from_dict(self.data, base_dir=Path(self.base_dir) if self.base_dir else None)


@attrs.frozen
class SolverJob:
    """One run: the scenario's source, the solver and its parameters, the budget and the seed."""

    source: ScenarioSource
    solver: str
    params: dict
    budget: Budget
    seed: int


def run_named(problem: Problem, name: str, params: dict, budget: Budget, seed: int | None,
              callback: Callable[[Search], None] | None = None) -> Result:
    """The registered solver `name` with `params`, run on `problem`: the one home of one run, for
    jobs, `validate`, `recommend` and the commands (which pass a progress and interrupt callback)."""
    return run_solver(SOLVERS.create(name, **params), problem, budget=budget, seed=seed, callback=callback)


def solve_on(problem: MigrationProblem, job: SolverJob) -> Result:
    """The job's run on its problem, already built (a caller that keeps problems, e.g. the figures)."""
    return run_named(problem, job.solver, job.params, job.budget, job.seed)


def solve_job(job: SolverJob) -> tuple[MigrationProblem, Result]:
    """The job's problem and its solver's result."""
    problem = MigrationProblem(job.source.scenario())
    return problem, solve_on(problem, job)


def job_result(job: SolverJob) -> Result:
    """The job's result alone (what `compare` and the figures keep)."""
    return solve_job(job)[1]
