"""Every migration heuristic on the paper scenario at one equal evaluation budget over 5 seeds.

Run: python bench/bench_solvers.py [--evaluations 60000] [--seeds 5] [--solvers a,b]
PSO-GA at the paper's settings is 100 particles x 600 iterations = 60 000 evaluations. The exact
solvers (milp, milp-free, exhaustive) are left out by default: the paper scenario is far beyond them;
named with --solvers, their refusal is printed as a row.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from eosdnn.framework import Budget
from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.scenario import paper_scenario
from eosdnn.framework.solver import run_solver

from eosdnn.solvers.registry import SOLVERS, exact_solvers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--evaluations", type=int, default=60_000)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--solvers", default=",".join(n for n in SOLVERS.names() if n not in exact_solvers()))
    args = parser.parse_args()
    problem = MigrationProblem(paper_scenario(0))
    problem.evaluate(problem.lower[None, :])  # compile once, outside the timings
    print(f"paper scenario, 12 tasks, {problem.n_var} genes; budget {args.evaluations} evaluations; "
          f"seeds 0..{args.seeds - 1}")
    print(f"{'solver':<10} {'mean':>10} {'std':>9} {'best':>10} {'evals':>7} {'wall s':>7}")
    for name in args.solvers.split(","):
        values, walls, evals = [], [], []
        try:
            for seed in range(args.seeds):
                start = time.perf_counter()
                result = run_solver(SOLVERS.create(name), problem, budget=Budget(evaluations=args.evaluations), seed=seed)
                walls.append(time.perf_counter() - start)
                values.append(result.value)
                evals.append(result.evaluations)
        except EosdnnError as error:
            print(f"{name:<10} refused: {error}")
            continue
        print(f"{name:<10} {np.mean(values):10.4f} {np.std(values):9.4f} {np.min(values):10.4f} "
              f"{np.mean(evals):7.0f} {np.mean(walls):7.2f}")
    start = time.perf_counter()
    run_solver(SOLVERS.create("psoga"), problem, budget=Budget(iterations=600), seed=0)
    print(f"PSO-GA at paper settings (100 x 600, plus its seeding GA): {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
