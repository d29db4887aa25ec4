"""`eosdnn run`'s recommendation beyond the paper's size: the paper preset with 12, 24, 48 and 96
tasks on 4, 8, 16 and 32 clients (the same load per client; the four models round-robin, each
seed's clock rates), each against the best lower bound (the larger of the contention-free bound and
the tiers' capacity bounds, problems/contention.py).

Run: python bench/bench_scale.py [--tasks 12,24,48,96] [--seeds 1] [--evaluations N]
Targets (issue "beyond the paper's size"): the recommendation within 10% of the best proven bound,
in at most 60 s wall on 2 cores for 96 tasks. Prints per size: layers, the contention-free and the
best bound, the recommended value and solver, its gap to the best bound (mean and range over the
seeds), wall and CPU seconds (the bound's own time included).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.scenario import paper_scenario
from eosdnn.recommend import recommend


def scaled_scenario(tasks: int, seed: int):
    """The paper preset with `tasks` tasks (a multiple of 4) on tasks / 3 clients."""
    return paper_scenario(seed, per_model=tasks // 4, clients=tasks // 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", default="12,24,48,96")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--evaluations", type=int, default=None, help="default: run's (recommend.default_evaluations)")
    args = parser.parse_args()
    print(f"{'tasks':>5} {'layers':>6} {'c-free':>8} {'bound':>8} {'value':>8} {'gap to bound':>18} {'wall s':>6} "
          f"{'cpu s':>6}  chosen")
    for tasks in [int(t) for t in args.tasks.split(",")]:
        gaps, walls, cpus, values, bounds, free, chosen = [], [], [], [], [], [], []
        for seed in range(args.seeds):
            wall, cpu = time.perf_counter(), time.process_time()
            problem = MigrationProblem(scaled_scenario(tasks, seed))
            bounds.append(problem.lower_bound)
            free.append(problem.bounds["contention-free"])
            pick = recommend(problem, seed, args.evaluations)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            values.append(pick.result.value)
            gaps.append(problem.gap_to_bound(pick.result.value))
            chosen.append(pick.best)
        gap = f"{100 * np.mean(gaps):.1f}% [{100 * min(gaps):.1f}, {100 * max(gaps):.1f}]"
        print(f"{tasks:>5} {problem.n_var:>6} {np.mean(free):>8.3f} {np.mean(bounds):>8.3f} {np.mean(values):>8.3f} "
              f"{gap:>18} {np.mean(walls):>6.1f} {np.mean(cpus):>6.1f}  {', '.join(chosen)}", flush=True)


if __name__ == "__main__":
    main()
