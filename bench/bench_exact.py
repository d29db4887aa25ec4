"""Time of an exact solver to a proven optimum on growing random instances, per backend.

Run: python bench/bench_exact.py [--time-limit 60] [--backends highs,cbc] [--free] [--cpsat]
     python bench/bench_exact.py --gaps 30,120 [--sizes N]
     python bench/bench_exact.py --models [--time-limit 120] [--seeds 3]
Instances: random_scenario (paper clock ranges and bandwidths, half chains half DAGs, server
pools 1..2), one per size; sizes grow until a backend fails to prove within the limit, after
which that backend is skipped. `--free` times `milp-free` instead; `--cpsat` times `cpsat` (2
workers), whose proof is of the free-order optimum (`model_status`), and prints the gap of the
evaluator's value of its plan to that bound beside the time.

`--gaps 30,120` instead runs every exact solver (milp with HiGHS, milp-free, exhaustive, cpsat) at
each time limit on every size and prints, per solver and limit, the time used and the gap of the
evaluator's value to the proven bound (`opt` when optimal, `refused` above a solver's size limit).

`--models` runs `cpsat` (2 workers, default hint) on real models, the paper environment: one task of
each paper model (260 layers) and two GoogLeNet tasks (166 layers), instance seeds 0.., and prints
the evaluator's value of its plan, the proven bound, their gap, CP-SAT's free-order value and the
seconds used (model building included).
"""

from __future__ import annotations

import argparse
import time

from eosdnn.framework import Budget
from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.instances import InstanceShape, model_scenario, random_scenario
from eosdnn.problems.models.zoo import builtin_model
from eosdnn.problems.migration import MigrationProblem
from eosdnn.framework.solver import run_solver
from eosdnn.solvers.registry import SOLVERS

# (tasks, layers per model, clients, edge, cloud)
SIZES = [(1, 4, 1, 1, 1), (2, 4, 2, 1, 1), (2, 6, 2, 2, 1), (3, 6, 2, 2, 2), (3, 8, 2, 2, 2), (3, 10, 2, 2, 2),
         (4, 8, 2, 2, 2), (3, 12, 2, 2, 2), (4, 10, 2, 3, 3), (4, 12, 2, 3, 3), (6, 12, 4, 3, 3)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--backends", default="highs,cbc")
    parser.add_argument("--free", action="store_true", help="time milp-free instead of milp")
    parser.add_argument("--threads", type=int, default=1, help="solver threads (default 1)")
    parser.add_argument("--cpsat", action="store_true", help="time cpsat instead of milp")
    parser.add_argument("--gaps", help="time limits, e.g. 30,120: every exact solver's gap at each")
    parser.add_argument("--sizes", type=int, default=len(SIZES), help=f"the first N sizes (default all {len(SIZES)})")
    parser.add_argument("--models", action="store_true", help="cpsat on real models (see the docstring)")
    parser.add_argument("--seeds", type=int, default=3, help="instance seeds for --models (default 3)")
    args = parser.parse_args()
    if args.models:
        models_table(args.time_limit, args.seeds)
        return
    if args.gaps:
        gaps_table([float(limit) for limit in args.gaps.split(",")], SIZES[:args.sizes])
        return
    solver = "cpsat" if args.cpsat else "milp-free" if args.free else "milp"
    alive = ["cp-sat"] if args.cpsat else [b.strip() for b in args.backends.split(",") if b.strip()]
    print(f"{solver}: time to a proven optimum, limit {args.time_limit:.0f} s, {args.threads} thread(s); "
          "'x' = not proven in time")
    print(f"{'tasks x layers x nodes':<24} {'pools':<14} {'binaries':>9} " + " ".join(f"{b:>22}" for b in alive))
    for seed, (tasks, layers, clients, edge, cloud) in enumerate(SIZES):
        if not alive:
            break
        shape = InstanceShape(tasks=tasks, layers=layers, clients=clients, edge=edge, cloud=cloud, max_pools=2)
        problem = MigrationProblem(random_scenario(seed, shape))
        cells, binaries = [], "-"
        for backend in list(alive):
            started = time.perf_counter()
            if args.cpsat:
                result = run_solver(SOLVERS.create("cpsat", time_limit=args.time_limit), problem, budget=Budget(), seed=0)
                binaries = str(int(problem.n_values.sum()))
            else:
                result = run_solver(SOLVERS.create(solver, backend=backend, time_limit=args.time_limit,
                                                   max_binaries=10**7, threads=args.threads), problem, budget=Budget(),
                                    seed=0)
                binaries = str(result.info["binaries"])
            wall = time.perf_counter() - started
            if args.cpsat and result.model_status == "optimal":
                cells.append(f"{wall:8.2f} s (gap {100 * (result.gap or 0.0):.2f}%)")
            elif args.cpsat:
                cells.append(f"x {result.model_status} gap {100 * (result.gap or float('nan')):.1f}%")
                alive.remove(backend)
            elif result.status == "optimal":
                cells.append(f"{wall:8.2f} s ({result.info['cuts']} cuts)")
            else:
                cells.append(f"x {result.status} gap {100 * (result.gap or float('nan')):.1f}%")
                alive.remove(backend)
        pools = ",".join(str(p) for p in problem.scenario.environment.pools()[clients:])
        size = f"{tasks} x {layers} x {clients + edge + cloud}"
        print(f"{size:<24} {pools:<14} {binaries:>9} " + " ".join(f"{c:>22}" for c in cells), flush=True)


def gaps_table(limits: list[float], sizes: list[tuple[int, int, int, int, int]]) -> None:
    """Per size, every exact solver's time and gap at each time limit."""
    solvers = {"milp": {"max_binaries": 10**7}, "milp-free": {"max_binaries": 10**7}, "exhaustive": {},
               "cpsat": {}}
    header = [f"{name} {limit:g}s" for name in solvers for limit in limits]
    print("gap of the evaluator's value to the proven bound, and seconds used; opt = optimal")
    print(f"{'tasks x layers x nodes':<24} " + " ".join(f"{h:>18}" for h in header))
    for seed, (tasks, layers, clients, edge, cloud) in enumerate(sizes):
        shape = InstanceShape(tasks=tasks, layers=layers, clients=clients, edge=edge, cloud=cloud, max_pools=2)
        problem = MigrationProblem(random_scenario(seed, shape))
        cells: list[str] = []
        for name, params in solvers.items():
            for index, limit in enumerate(limits):
                if name == "exhaustive" and index:  # no time limit: the same answer at every limit
                    cells.append(cells[-1])
                    continue
                options = dict(params) if name == "exhaustive" else params | {"time_limit": limit}
                started = time.perf_counter()
                try:
                    result = run_solver(SOLVERS.create(name, **options), problem, budget=Budget(), seed=0)
                except EosdnnError:
                    cells.append("refused")
                    continue
                wall = time.perf_counter() - started
                verdict = "opt" if result.status == "optimal" else f"{100 * (result.gap or float('nan')):.2f}%"
                cells.append(f"{verdict} {wall:.1f}s")
        size = f"{tasks} x {layers} x {clients + edge + cloud}"
        print(f"{size:<24} " + " ".join(f"{c:>18}" for c in cells), flush=True)


REAL_INSTANCES = {"one task of each paper model": (["alexnet", "vgg19", "googlenet", "resnet101"], 4),
                  "two GoogLeNet tasks": (["googlenet"], 2)}


def models_table(limit: float, seeds: int) -> None:
    """Per real-model instance and seed: what `cpsat` proves within `limit` seconds."""
    print(f"cpsat on real models, paper environment, limit {limit:g} s, 2 workers")
    print(f"{'instance':<30} {'seed':>4} {'layers':>6} {'status':>8} {'plan':>9} {'bound':>9} {'gap':>7} "
          f"{'free order':>10} {'seconds':>7}")
    for label, (names, tasks) in REAL_INSTANCES.items():
        for seed in range(seeds):
            problem = MigrationProblem(model_scenario(seed, [builtin_model(name) for name in names], tasks))
            started = time.perf_counter()
            result = run_solver(SOLVERS.create("cpsat", time_limit=limit), problem, budget=Budget(), seed=0)
            wall = time.perf_counter() - started
            free = f"{result.model_value:.6f}" if result.model_value is not None else "-"
            print(f"{label:<30} {seed:>4} {problem.n_var:>6} {result.status:>8} {result.value:>9.6f} "
                  f"{result.bound:>9.6f} {100 * result.gap:>6.3f}% {free:>10} {wall:>7.1f}", flush=True)


if __name__ == "__main__":
    main()
