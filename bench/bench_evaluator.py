"""Layer-evaluations per second of the evaluator: population 100, paper scenario, 12 tasks, with one
thread (the default) and with every core (`EOSDNN_THREADS`: numba's threads split the population;
rows are independent, so the values are the same bits whatever the thread count).

Also PSO-GA at the paper's settings (100 particles x 600 iterations, its seeding GA on top) on one
thread, seeds 0-2, wall and CPU seconds: the evaluator's share of a search beside the search's own
bookkeeping.

Run: python bench/bench_evaluator.py   (goals: >= 60 million per second on one thread; PSO-GA <= 1 s)
"""

from __future__ import annotations

import os
import time

import numba
import numpy as np

from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.scenario import paper_scenario
from eosdnn.problems.schedule import THREADS_VARIABLE


def rate(problem: MigrationProblem, X: np.ndarray, threads: int, batches: int = 40, repeats: int = 5) -> tuple[float, float]:
    """Layer-evaluations per second, by wall and by CPU time, of the fastest of `batches` batches
    of `repeats` evaluations: short batches, so that the best of them is rarely one the other
    processes of a shared machine slowed."""
    os.environ[THREADS_VARIABLE] = str(threads)  # the evaluator's threads (one unless asked)
    problem.evaluate(X)  # compile (or load the numba cache), warm the threads
    wall = cpu = float("inf")
    for _ in range(batches):
        start, start_cpu = time.perf_counter(), time.process_time()
        for _ in range(repeats):
            problem.evaluate(X)
        wall = min(wall, (time.perf_counter() - start) / repeats)
        cpu = min(cpu, (time.process_time() - start_cpu) / repeats)
    layers = X.shape[0] * problem.n_var
    return layers / wall, layers / cpu


def psoga_seconds(problem: MigrationProblem, seeds: range = range(3)) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of PSO-GA at the paper's settings on each seed, one evaluation thread."""
    from eosdnn.framework import Budget
    from eosdnn.framework.solver import run_solver
    from eosdnn.solvers.registry import SOLVERS

    os.environ[THREADS_VARIABLE] = "1"
    run_solver(SOLVERS.create("psoga"), problem, budget=Budget(iterations=5), seed=0)  # compile outside the timing
    times = []
    for seed in seeds:
        wall, cpu = time.perf_counter(), time.process_time()
        run_solver(SOLVERS.create("psoga"), problem, budget=Budget(iterations=600), seed=seed)
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    os.environ.pop(THREADS_VARIABLE, None)
    return times


def main(population: int = 100) -> dict[int, float]:
    problem = MigrationProblem(paper_scenario(0))
    X = np.random.default_rng(0).integers(0, problem.workload.n_choices, (population, problem.n_var))
    cores = numba.config.NUMBA_NUM_THREADS
    print(f"paper scenario: {len(problem.scenario.tasks)} tasks, {problem.n_var} layers, population {population}")
    rates = {}
    values = {}
    for threads in sorted({1, cores}):
        rates[threads], per_cpu_second = rate(problem, X, threads)
        values[threads] = problem.evaluate(X)
        per_population = population * problem.n_var / rates[threads]
        print(f"{threads} thread(s): {per_population * 1e3:.3f} ms per population, "
              f"{rates[threads] / 1e6:.1f} million layer-evaluations per second "
              f"({per_cpu_second / 1e6:.1f} million per CPU-second)")
    assert all(np.array_equal(values[1], v) for v in values.values()), "thread count changed a value"
    os.environ.pop(THREADS_VARIABLE, None)
    times = psoga_seconds(problem)
    print("PSO-GA 100 x 600, one thread, seeds 0-2: "
          + ", ".join(f"{wall:.2f} s wall ({cpu:.2f} s CPU)" for wall, cpu in times))
    return rates


if __name__ == "__main__":
    main()
