"""Whether the plans or the bound are to blame for large gaps, on instances small enough to solve
exactly: k tasks (2-layer chains) per edge pool, one edge server, a cloud reached only at 0.05 MB/s
from the clients, clients 20x slower than the edge (so every good plan queues at the edge, as the
paper preset's 48-96 tasks queue at its 10 edge pools). Brute force gives the optimum; `milp-free`
(the exact MILP with each node's order left free) gives the optimum of any priority order, a lower
bound no relaxation of capacity alone can pass; beside them the contention-free bound, the capacity
bound, and the plans of best-response and local search.

Run: python bench/bench_bound_gap.py [--seeds 5]
Prints per k, mean and range over the seeds, each a share of the smaller: the capacity bound over the
contention-free one (what the capacity bound adds), the free-order optimum over the capacity bound
(what the capacity relaxation misses), the optimum over the free-order optimum (what the fixed
priority order u of MODEL.md section 3 costs), and the searches' plans over the optimum (what the
plans are to blame for).
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np

from eosdnn.framework import Budget
from eosdnn.jobs import run_named
from eosdnn.problems.environment import MB, Bandwidth, Environment, Node
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.models import DnnModel, Layer
from eosdnn.problems.scenario import Scenario, Task


def contended(tasks: int, seed: int) -> MigrationProblem:
    """`tasks` random 2-layer chains on 2 clients sharing one single-pool edge server."""
    rng = np.random.default_rng(seed)
    environment = Environment([Node(f"client{i}", "client", 0.5, 1) for i in range(2)]
                              + [Node("edge0", "edge", 10.0, 1), Node("cloud0", "cloud", 40.0, 1)],
                              Bandwidth(client_edge=20.0, client_cloud=0.05, edge_cloud=0.5))
    models = []
    for t in range(tasks):
        flops, out = rng.uniform(1e8, 4e8, 2), rng.uniform(0.02, 0.3, 2)
        layers = (Layer(f"m{t}a", flops[0], out[0] * MB, 0.0), Layer(f"m{t}b", flops[1], out[1] * MB, 0.0, (f"m{t}a",)))
        models.append(DnnModel(f"m{t}", 0.2 * MB, layers))
    return MigrationProblem(Scenario(environment, [Task(m, t % 2) for t, m in enumerate(models)]))


def optimum(problem: MigrationProblem) -> float:
    every = np.array(list(itertools.product(range(int(problem.upper[0]) + 1), repeat=problem.n_var)))
    return float(min(problem.evaluate(chunk).min() for chunk in np.array_split(every, max(1, len(every) // 20000))))


def spread(values: list[float]) -> str:
    return f"{100 * np.mean(values):5.1f}% [{100 * min(values):5.1f}, {100 * max(values):5.1f}]"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--tasks", default="1,2,3,4,5")
    args = parser.parse_args()
    columns = ["capacity / c-free", "free order / capacity", "optimum / free order", "best-response / opt",
               "local search / opt"]
    print(f"{'tasks':>5}  " + "  ".join(f"{c:>22}" for c in columns))
    for tasks in [int(t) for t in args.tasks.split(",")]:
        rows: list[list[float]] = [[] for _ in columns]
        for seed in range(args.seeds):
            problem = contended(tasks, seed)
            best = optimum(problem)
            free_order = run_named(problem, "milp-free", {}, Budget(), seed)
            assert free_order.model_status == "optimal", free_order.model_status
            budget = Budget(evaluations=3000)
            ratios = [problem.bounds["edge capacity"] / problem.bounds["contention-free"],
                      free_order.bound / problem.bounds["edge capacity"], best / free_order.bound,
                      run_named(problem, "best-response", {}, budget, seed).value / best,
                      run_named(problem, "local-search", {"start": "peft"}, budget, seed).value / best]
            for row, ratio in zip(rows, ratios):
                row.append(ratio - 1)
        print(f"{tasks:>5}  " + "  ".join(f"{spread(row):>22}" for row in rows), flush=True)


if __name__ == "__main__":
    main()
