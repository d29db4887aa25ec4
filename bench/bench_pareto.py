"""How good `eosdnn pareto`'s fronts are, against references.

Run: python bench/bench_pareto.py [--seeds 5] [--evaluations 30000] [--runs 10] [--factor 10] [--small-only]
     python bench/bench_pareto.py --tradeoffs [--seeds 5] [--evaluations 30000]

1. Instances small enough to enumerate (2 tasks x 3 layers, 1 edge, 1 cloud server; seeds 0..):
   NSGA-II's hypervolume (3,000 evaluations) over the true front's (every placement scored).
2. The paper scenario (instance seeds 0..), objectives total, energy, cost: the default run's
   hypervolume over that of a reference front, the union of its front and those of `--runs` runs of
   `--factor` times the budget (seeds 100..); the wall time of the default run; and each objective's end of
   the front over the best single-objective plan (best response under that objective alone at the
   project's default budget). Targets (issue 23): >= 0.99 of the true front; within 2% of the
   reference front in at most 60 s; each end within 5%.

`--tradeoffs` (docs/TRADEOFFS.md): per instance seed of the paper scenario, the energy and cost of
the delay-optimal plan (best response under `total`, the project's default budget), and the least
energy and the least cost among the front's plans (one `pareto` run) whose total is within 1%, 2%,
5%, 10% and 20% of it.
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

from eosdnn.framework import Budget
from eosdnn.framework.solver import run_solver
from eosdnn.problems.instances import InstanceShape, random_scenario
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.scenario import paper_scenario
from eosdnn.recommend import default_evaluations
from eosdnn.solvers.pareto import front_scale, hypervolume, objective_values, pareto_front
from eosdnn.solvers.registry import SOLVERS

NAMES = ("total", "energy", "cost")


def non_dominated(F: np.ndarray) -> np.ndarray:
    return F[NonDominatedSorting().do(F, only_non_dominated_front=True)]


def small_instances(seeds: int) -> None:
    print("small instances (2 tasks x 3 layers): hypervolume of NSGA-II (3,000 evaluations) / true front's")
    ratios = []
    for seed in range(seeds):
        shape = InstanceShape(tasks=2, layers=3, clients=2, edge=1, cloud=1, max_pools=1)
        problem = MigrationProblem(random_scenario(seed, shape))
        every = np.array(list(itertools.product(*[range(int(u) + 1) for u in problem.upper])))
        F, _ = objective_values(problem, NAMES, every)
        scale = front_scale(problem, NAMES)
        exact = hypervolume(non_dominated(F), scale)
        found = hypervolume(pareto_front(problem, NAMES, evaluations=3000, population=40, seed=seed).F, scale)
        ratios.append(found / exact)
        print(f"  seed {seed}: {len(every)} placements, true {exact:.6f}, NSGA-II {found:.6f}, ratio {found / exact:.5f}")
    print(f"  mean {np.mean(ratios):.5f} [{min(ratios):.5f}, {max(ratios):.5f}]")


def paper(seeds: int, evaluations: int, runs: int, factor: int) -> None:
    print(f"paper scenario, objectives {','.join(NAMES)}: default run {evaluations:,} evaluations; reference = "
          f"union of it and {runs} runs of {factor * evaluations:,}")
    print(f"{'seed':>4} {'points':>6} {'HV':>8} {'ref HV':>8} {'ratio':>7} {'wall s':>7} {'CPU s':>7} "
          + " ".join(f"{name + ' end/best':>16}" for name in NAMES))
    for seed in range(seeds):
        problem = MigrationProblem(paper_scenario(seed))
        scale = front_scale(problem, NAMES)
        wall, cpu = time.perf_counter(), time.process_time()
        front = pareto_front(problem, NAMES, evaluations=evaluations, seed=seed)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        union = [front.F] + [pareto_front(problem, NAMES, evaluations=factor * evaluations, seed=100 + k).F
                             for k in range(runs)]
        reference = non_dominated(np.concatenate(union))
        found, best = hypervolume(front.F, scale), hypervolume(reference, scale)
        ends = []
        for index, name in enumerate(NAMES):
            single = MigrationProblem(problem.scenario.with_changes(objective=name))
            result = run_solver(SOLVERS.create("best-response"), single,
                                budget=Budget(evaluations=default_evaluations(len(problem.scenario.tasks))), seed=seed)
            end = float(front.F[:, index].min())
            ends.append("    (both 0)" if result.value == 0 and end == 0 else
                        f"{end / result.value:16.4f}" if result.value > 0 else f"{end:16.3g}")
        print(f"{seed:>4} {len(front.F):>6} {found:>8.5f} {best:>8.5f} {found / best:>7.4f} {wall:>7.1f} {cpu:>7.1f} "
              + " ".join(ends), flush=True)


SLACKS = (0.01, 0.02, 0.05, 0.10, 0.20)


def tradeoffs(seeds: int, evaluations: int) -> None:
    print("paper scenario: the delay-optimal plan's energy and cost, and what a few percent of delay buys back")
    print(f"{'seed':>4} {'total s':>8} {'energy J':>9} {'cost USD':>10} "
          + " ".join(f"{'+' + format(s, '.0%'):>15}" for s in SLACKS) + "   (energy saved / cost saved)")
    saved: dict[float, list[tuple[float, float]]] = {s: [] for s in SLACKS}
    for seed in range(seeds):
        problem = MigrationProblem(paper_scenario(seed))
        budget = Budget(evaluations=default_evaluations(len(problem.scenario.tasks)))
        fastest = run_solver(SOLVERS.create("best-response"), problem, budget=budget, seed=seed)
        (total, energy, cost), = objective_values(problem, NAMES, fastest.x[None, :])[0]
        front = pareto_front(problem, NAMES, evaluations=evaluations, seed=seed).F
        F = np.concatenate([front, [[total, energy, cost]]])
        cells = []
        for slack in SLACKS:
            near = F[F[:, 0] <= total * (1 + slack)]
            pair = (1 - near[:, 1].min() / energy, 1 - near[:, 2].min() / cost)
            saved[slack].append(pair)
            cells.append(f"{100 * pair[0]:5.1f}% / {100 * pair[1]:5.1f}%")
        print(f"{seed:>4} {total:8.4f} {energy:9.3f} {cost:10.3e} " + " ".join(f"{c:>15}" for c in cells), flush=True)
    for slack, pairs in saved.items():
        e, c = np.array(pairs).T
        print(f"  +{slack:.0%} delay: energy -{100 * e.mean():.1f}% [{100 * e.min():.1f}, {100 * e.max():.1f}], "
              f"cost -{100 * c.mean():.1f}% [{100 * c.min():.1f}, {100 * c.max():.1f}]")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--evaluations", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=10, help="reference: this many long runs")
    parser.add_argument("--factor", type=int, default=10, help="reference: each long run's budget over the default")
    parser.add_argument("--small-only", action="store_true")
    parser.add_argument("--tradeoffs", action="store_true", help="what a few percent of delay buys back")
    args = parser.parse_args()
    if args.tradeoffs:
        tradeoffs(args.seeds, args.evaluations)
        return
    small_instances(args.seeds)
    if not args.small_only:
        paper(args.seeds, args.evaluations, args.runs, args.factor)


if __name__ == "__main__":
    main()
