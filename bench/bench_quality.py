"""Migration-plan quality on the paper scenario, seeds 0-4: every solver of the comparison and the plan
`eosdnn run` recommends, against the contention-free lower bound.

Run: python bench/bench_quality.py [--seeds 5] [--evaluations 60000]

Targets (issue "migration quality"): the run recommendation's mean total at most 0.55 x greedy's,
found in at most 5 s of search (compilation excluded); EosDNN at the paper's budget of 60 000
evaluations beats greedy, GA, HEFT and PEFT on the mean. The last lines say whether each holds.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from paper_runs import paper_problems, run_seeds

from eosdnn.recommend import recommend

SOLVERS = {
    "greedy": ("greedy", {}),
    "heft": ("heft", {}),
    "peft": ("peft", {}),
    "ga": ("ga", {}),
    "psoga": ("psoga", {}),
    "eosdnn": ("eosdnn", {}),
    "local-search": ("local-search", {"start": "peft"}),
    "best-response": ("best-response", {}),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--evaluations", type=int, default=60_000)
    args = parser.parse_args()
    problems = paper_problems(args.seeds)
    table = {name: run_seeds(problems, solver, params, args.evaluations) for name, (solver, params) in SOLVERS.items()}
    values, walls, search_walls, gaps, chosen = [], [], [], [], []
    for seed, problem in enumerate(problems):
        started = time.perf_counter()
        pick = recommend(problem, seed, args.evaluations)
        walls.append(time.perf_counter() - started)
        search_walls.append(pick.result.wall_s)
        values.append(pick.result.value)
        gaps.append(problem.gap_to_bound(pick.result.value))
        chosen.append(pick.best)
    table["run recommendation"] = {"values": values, "wall_s": walls, "gaps": gaps}
    bounds = [p.lower_bound for p in problems]
    print(f"paper scenario, seeds 0..{args.seeds - 1}, {args.evaluations:,} evaluations per search; "
          f"lower bound mean {np.mean(bounds):.4f}")
    print("| solver | mean total (s) | best | vs greedy | gap to bound (mean) | wall (s) |")
    print("|---|---|---|---|---|---|")
    greedy = np.mean(table["greedy"]["values"])
    for name, row in table.items():
        mean = np.mean(row["values"])
        print(f"| {name} | {mean:.4f} | {min(row['values']):.4f} | {mean / greedy:.3f} x | "
              f"{100 * np.mean(row['gaps']):.2f}% | {np.mean(row['wall_s']):.2f} |")
    print(f"run recommendation chose: {', '.join(chosen)}; its search took {np.mean(search_walls):.2f} s "
          f"(max {max(search_walls):.2f} s); the whole run {np.mean(walls):.2f} s")
    ratio = np.mean(values) / greedy
    print(f"target 1: recommendation mean / greedy mean = {ratio:.3f} (<= 0.55: {'met' if ratio <= 0.55 else 'MISSED'}); "
          f"search time {max(search_walls):.2f} s (<= 5 s: {'met' if max(search_walls) <= 5 else 'MISSED'})")
    eos = np.mean(table["eosdnn"]["values"])
    rivals = {name: np.mean(table[name]["values"]) for name in ("greedy", "ga", "heft", "peft")}
    beaten = all(eos < v for v in rivals.values())
    print(f"target 2: eosdnn mean {eos:.4f} against " + ", ".join(f"{k} {v:.4f}" for k, v in rivals.items())
          + f": {'met' if beaten else 'MISSED'}")


if __name__ == "__main__":
    main()
