"""Layer-evaluations per second of the evaluator: population 100, paper scenario, 12 tasks, with one
thread (the default) and with every core (`EOSDNN_THREADS`: numba's threads split the population;
rows are independent, so the values are the same bits whatever the thread count).

Run: python bench/bench_evaluator.py   (goal: >= 80 million per second with two threads)
"""

from __future__ import annotations

import os
import time

import numba
import numpy as np

from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.scenario import paper_scenario
from eosdnn.problems.schedule import THREADS_VARIABLE


def rate(problem: MigrationProblem, X: np.ndarray, threads: int, repeats: int = 200) -> float:
    os.environ[THREADS_VARIABLE] = str(threads)  # the evaluator's threads (one unless asked)
    problem.evaluate(X)  # compile (or load the numba cache), warm the threads
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeats // 5):
            problem.evaluate(X)
        best = min(best, (time.perf_counter() - start) / (repeats // 5))
    return X.shape[0] * problem.n_var / best


def main(population: int = 100) -> dict[int, float]:
    problem = MigrationProblem(paper_scenario(0))
    X = np.random.default_rng(0).integers(0, problem.workload.n_choices, (population, problem.n_var))
    cores = numba.config.NUMBA_NUM_THREADS
    print(f"paper scenario: {len(problem.scenario.tasks)} tasks, {problem.n_var} layers, population {population}")
    rates = {}
    values = {}
    for threads in sorted({1, cores}):
        rates[threads] = rate(problem, X, threads)
        values[threads] = problem.evaluate(X)
        per_population = population * problem.n_var / rates[threads]
        print(f"{threads} thread(s): {per_population * 1e3:.3f} ms per population, "
              f"{rates[threads] / 1e6:.1f} million layer-evaluations per second")
    assert all(np.array_equal(values[1], v) for v in values.values()), "thread count changed a value"
    os.environ.pop(THREADS_VARIABLE, None)
    return rates


if __name__ == "__main__":
    main()
