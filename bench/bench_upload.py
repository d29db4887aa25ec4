"""Every uploading planner on every built-in model, under the PSO-GA placement of the paper scenario.

Run: python bench/bench_upload.py [--seed 0] [--iterations 600] [--placement-solver psoga]
For each model the first task of that model is planned (the paper's Figs. 12-14 follow one query
stream). Prints SSD per planner, LMU's gap to `exact` where it runs (<= 20 units) and each
planner's improvement over Non-uploading (the paper reports 45.16% for LMU on AlexNet).
"""

from __future__ import annotations

import argparse

from eosdnn.framework import Budget
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.scenario import paper_scenario
from eosdnn.problems.upload import UploadProblem, largest_share
from eosdnn.framework.solver import run_solver
from eosdnn.solvers.registry import SOLVERS
from eosdnn.upload_tasks import plan_task

VARIANTS = {"non-uploading": {}, "ionn": {}, "recursive-efficiency": {}, "lmu": {},
            "lmu:requeue": {"rest": "requeue"}, "exact": {}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--iterations", type=int, default=600)
    parser.add_argument("--placement-solver", default="psoga")
    args = parser.parse_args()
    scenario = paper_scenario(args.seed)
    problem = MigrationProblem(scenario)
    result = run_solver(SOLVERS.create(args.placement_solver), problem, budget=Budget(iterations=args.iterations),
                        seed=args.seed)
    nodes = problem.nodes_of(result.x)
    print(f"placement: {args.placement_solver}, seed {args.seed}, value {result.value:.3f}")
    print(f"{'model':<10} {'units':>5} {'planner':<21} {'SSD':>11} {'vs non-upl':>10} {'parts':>5} "
          f"{'largest':>8} {'time s':>7}")
    seen = set()
    for t, task in enumerate(scenario.tasks):
        if task.model.name in seen:
            continue
        seen.add(task.model.name)
        upload = UploadProblem(scenario, t, nodes[t])
        plans = {}
        for label, params in VARIANTS.items():  # a label is a planner's name, or name:variant
            name = label.split(":")[0]
            planned = plan_task(upload, [name], params={name: params}, skip_refused=True)
            if name in planned.refused:
                print(f"{task.model.name:<10} {upload.n_units:>5} {label:<21} refused: {planned.refused[name][:60]}")
            else:
                plans[label] = (planned.plans[name], planned.seconds[name], planned.improvement(name))
        for label, (plan, wall, saving) in plans.items():
            print(f"{task.model.name:<10} {upload.n_units:>5} {label:<21} {plan.ssd:>11.2f} "
                  f"{100 * saving:>9.2f}% {len(plan.steps):>5} "
                  f"{100 * largest_share(upload, plan):>7.1f}% {wall:>7.2f}")
        if "exact" in plans:
            gap = (plans["lmu"][0].ssd - plans["exact"][0].ssd) / plans["exact"][0].ssd
            print(f"{'':<10} {'':>5} LMU gap to exact: {100 * gap:.2f}%")


if __name__ == "__main__":
    main()
