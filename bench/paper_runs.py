"""Shared by the quality benchmarks: one solver on the paper scenario of every seed, timed."""

from __future__ import annotations

import time

from eosdnn.framework import Budget
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.scenario import paper_scenario
from eosdnn.framework.solver import run_solver
from eosdnn.solvers.registry import SOLVERS


def paper_problems(seeds: int) -> list[MigrationProblem]:
    """paper_scenario(seed) for every seed, compiled and bounded outside any timing."""
    problems = [MigrationProblem(paper_scenario(seed)) for seed in range(seeds)]
    for problem in problems:
        problem.evaluate(problem.lower[None, :])  # compile (or load the numba cache)
        _ = problem.lower_bound
    return problems


def run_seeds(problems: list[MigrationProblem], solver: str, params: dict, evaluations: int) -> dict:
    """values, gaps to the bound, wall seconds and histories of `solver` on each seed's problem."""
    row: dict = {"solver": solver, "params": params, "values": [], "gaps": [], "wall_s": [], "histories": []}
    for seed, problem in enumerate(problems):
        started = time.perf_counter()
        result = run_solver(SOLVERS.create(solver, **params), problem, budget=Budget(evaluations=evaluations), seed=seed)
        row["wall_s"].append(time.perf_counter() - started)
        row["values"].append(result.value)
        row["gaps"].append(problem.gap_to_bound(result.value))
        row["histories"].append(result.history)
    return row
