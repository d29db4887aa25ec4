"""Shared settings of the paper's experiments (section VII-A) and the runs they are made of."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
from rich.table import Table

from eosdnn.framework import Budget, Result
from eosdnn.framework.executors import Executor
from eosdnn.framework.statistics import Spread
from eosdnn.jobs import GivenScenario, SolverJob, job_result, solve_on
from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.scenario import PAPER_MODELS, Scenario, paper_scenario
from eosdnn.solvers.registry import solver_traits
from eosdnn.styles import label_of

PAPER_METHOD = "eosdnn-paper"  # where the paper says EosDNN or PSO-GA: its method as it specifies it
ENHANCED = "eosdnn-plus"  # eosdnn's enhanced method: an extra line, never what a verdict is judged on
PAPER_RIVALS = ("ga", "prepso", "greedy")  # the paper's other migration algorithms (Figs. 16-17)
# Figs. 16-17: the paper's EosDNN, the enhanced one, the paper's rivals and HEFT
ALGORITHMS = (PAPER_METHOD, ENHANCED, *PAPER_RIVALS, "heft")
LABELS = {name: label_of(name) for name in ALGORITHMS}


@attrs.frozen
class Settings:
    """The paper's settings; `quick` cuts every budget and sweep so that all figures take seconds."""

    seeds: int = 5
    first_seed: int = 0
    quick: bool = False
    params: dict = attrs.field(factory=dict, eq=False)  # per solver or planner name: parameters that override

    def of(self, name: str) -> dict:
        """The user's parameters for one solver or planner."""
        return dict(self.params.get(name, {}))

    def __attrs_post_init__(self) -> None:
        if self.seeds < 1:
            raise EosdnnError(f"seeds: must be at least 1, got {self.seeds}")

    @property
    def seed_list(self) -> list[int]:
        return list(range(self.first_seed, self.first_seed + self.seeds))

    @property
    def particles(self) -> int:
        return 12 if self.quick else 100  # N (and GA's population)

    @property
    def iterations(self) -> int:
        return 8 if self.quick else 600  # PSO-GA iterations (and GA's generations)

    @property
    def tasks_per_model(self) -> int:
        return 2 if self.quick else 12  # Figs. 15-16: "each with 12 tasks"

    @property
    def models(self) -> tuple[str, ...]:
        return PAPER_MODELS

    @property
    def task_counts(self) -> tuple[int, ...]:
        return (4, 8) if self.quick else (4, 8, 12, 16, 20, 24)  # Fig. 17, models round-robin

    @property
    def client_counts(self) -> tuple[int, ...]:
        return (2, 4) if self.quick else (1, 2, 4, 6, 8)  # Fig. 18, 12 tasks

    def describe(self) -> str:
        return (f"seeds {self.seed_list[0]}..{self.seed_list[-1]}, EosDNN (paper) and EosDNN+ {self.particles} x "
                f"{self.iterations}"
                + (" (quick)" if self.quick else ""))


def solver_params(algorithm: str, settings: Settings) -> dict:
    """The settings' parameters of one solver, the user's `--param` values over them: PSO-GA and the
    paper's EosDNN N x T, GA population N for T generations, prePSO with that PSO-GA inside, EosDNN+
    with N particles."""
    n, t = settings.particles, settings.iterations
    psoga = {"particles": n, "iterations": t, "seed_generations": 2 if settings.quick else 10}
    by_algorithm: dict[str, dict[str, Any]] = {
        "psoga": psoga,
        "ga": {"population": n, "generations": t},
        "prepso": {"inner_params": psoga},
        PAPER_METHOD: psoga,
        ENHANCED: {"particles": n, "iterations": t, "seed_generations": psoga["seed_generations"]},
        "local-search": {"start": "peft"},
    }
    return by_algorithm.get(algorithm, {}) | settings.of(algorithm)


def figure_budget(algorithm: str, settings: Settings) -> Budget:
    """Equal budgets: T iterations of N for PSO-GA, the paper's EosDNN, GA and prePSO (plus PSO-GA's
    seeding GA, as the paper), N x T evaluations for EosDNN+ and local search, one plan for Greedy and
    HEFT."""
    in_evaluations = solver_traits(algorithm).budget_unit == "evaluations"  # its work is not in iterations: N x T
    return (Budget(evaluations=settings.particles * settings.iterations) if in_evaluations
            else Budget(iterations=settings.iterations))


def migrate(problem: MigrationProblem, algorithm: str, settings: Settings, seed: int) -> Result:
    """One migration run of a figure at the settings' equal budgets, on a problem already built."""
    job = SolverJob(GivenScenario(problem.scenario), algorithm, solver_params(algorithm, settings),
                    figure_budget(algorithm, settings), seed)
    return solve_on(problem, job)


@attrs.frozen
class Setup:
    """One of the paper's scenarios, named by what draws it: equal setups are the same scenario, so
    figures that share one (Fig. 15's L-E-C and Fig. 16, Fig. 17's 12 tasks and Fig. 18's 4 clients,
    the uploading figures' placements and the convergence figure) share its runs."""

    seed: int
    preset: str = "paper"
    per_model: int = 3
    models: tuple[str, ...] = PAPER_MODELS
    clients: int = 4

    def describe(self) -> str:
        models = "all models" if self.models == PAPER_MODELS else "+".join(self.models)
        return f"{self.preset} {models} x{self.per_model} {self.clients} clients seed {self.seed}"

    def scenario(self) -> Scenario:
        return paper_scenario(self.seed, preset=self.preset, per_model=self.per_model, models=self.models,
                              clients=self.clients)


def migration_job(setup: Setup, algorithm: str, settings: Settings) -> SolverJob:
    """One run of a figure as a worker receives it: the worker draws the setup's scenario itself (a
    few bytes to send, not the scenario), with the setup's seed."""
    return SolverJob(setup, algorithm, solver_params(algorithm, settings), figure_budget(algorithm, settings),
                     setup.seed)


@attrs.define
class Context:
    """What a sweep shares: the settings, every problem (with its lower bound) and every run, each
    computed once; `compute` runs the figures' runs on an executor before the figures read them."""

    settings: Settings
    problems: dict = attrs.field(factory=dict)
    runs: dict = attrs.field(factory=dict)

    def problem(self, setup: Setup) -> MigrationProblem:
        if setup not in self.problems:
            self.problems[setup] = MigrationProblem(setup.scenario())
        return self.problems[setup]

    def bound(self, setup: Setup) -> float:
        """The lower bound of a setup's problem (the figures' objective, total, always has one)."""
        bound = self.problem(setup).lower_bound
        if bound is None:
            raise EosdnnError(f"objective: {self.problem(setup).scenario.objective!r} has no lower bound")
        return bound

    def compute(self, needs: list[tuple[Setup, str]], executor: Executor,
                on_done: Callable[[str, float], None] = lambda description, seconds: None) -> None:
        """Run every (setup, algorithm) not yet computed, longest first; a failed run stops the figures."""
        todo = list(dict.fromkeys(need for need in needs if need not in self.runs))
        todo.sort(key=lambda need: -solver_traits(need[1]).cost * self.problem(need[0]).n_var)
        jobs = [migration_job(setup, algorithm, self.settings) for setup, algorithm in todo]
        for outcome in executor.run(job_result, jobs):
            setup, algorithm = todo[outcome.index]
            if outcome.failed:
                raise EosdnnError(f"{algorithm} on {setup.describe()}: {outcome.value}")
            self.runs[setup, algorithm] = outcome.value
            on_done(f"{algorithm} {setup.describe()}", outcome.seconds)

    def run(self, setup: Setup, algorithm: str) -> Result:
        """`migrate` on the setup's problem with its seed, computed once per (setup, algorithm)."""
        key = (setup, algorithm)
        if key not in self.runs:
            self.runs[key] = solve_on(self.problem(setup), migration_job(setup, algorithm, self.settings))
        return self.runs[key]

    def paper_placement(self, seed: int, method: str = PAPER_METHOD) -> tuple[Scenario, list[list[int]]]:
        """The paper scenario of `seed` and the placement `method` found for it (nodes per task)."""
        setup = Setup(seed)
        problem = self.problem(setup)
        return problem.scenario, problem.nodes_of(self.run(setup, method).x)


@attrs.frozen
class Figure:
    """One reproduced figure: its numbers (the JSON), a table for the terminal and a plot."""

    name: str
    title: str
    data: dict[str, Any]
    table: Table
    draw: Callable[[str], None]


def spread(values: list[float]) -> dict[str, Any]:
    """The figures' summary of a quantity over seeds (framework.statistics.Spread), with the per-seed
    values themselves (`values`, in seed order), so that every figure can be recomputed from its JSON."""
    return Spread.of(values).as_dict() | {"values": [float(v) for v in values]}
