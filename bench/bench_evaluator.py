"""Layer-evaluations per second of the evaluator: population 100, paper scenario, 12 tasks.

Run: python bench/bench_evaluator.py   (target: >= 5 million per second on one core)
"""

from __future__ import annotations

import time

import numpy as np

from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.scenario import paper_scenario


def main(repeats: int = 200, population: int = 100) -> float:
    problem = MigrationProblem(paper_scenario(0))
    rng = np.random.default_rng(0)
    X = rng.integers(0, problem.workload.n_choices, (population, problem.n_var))
    problem.evaluate(X)  # compile (or load the numba cache)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeats // 5):
            problem.evaluate(X)
        best = min(best, (time.perf_counter() - start) / (repeats // 5))
    rate = population * problem.n_var / best
    print(f"paper scenario: {len(problem.scenario.tasks)} tasks, {problem.n_var} layers, population {population}")
    print(f"one population evaluation: {best * 1e3:.3f} ms")
    print(f"layer-evaluations per second: {rate / 1e6:.1f} million (target 5)")
    return rate


if __name__ == "__main__":
    main()
