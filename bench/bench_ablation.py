"""What each ingredient of the `eosdnn` solver buys, on the paper scenario at equal evaluations.

Run: python bench/bench_ablation.py [--seeds 5] [--evaluations 60000] [--out docs/figures]

Each row adds one ingredient to the row before (or varies one parameter of it); every row gets the
same evaluation budget on paper_scenario(seed) for every seed. Prints a Markdown table (mean total,
[min, max], mean gap to the contention-free lower bound, wall time) and writes
`<out>/search-ablation.json` and `<out>/search-convergence.png` (best total against evaluations,
mean over seeds with the min-max band, the mean lower bound as a line). docs/SEARCH.md quotes it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from paper_runs import paper_problems, run_seeds

from eosdnn import plots
from eosdnn.problems.files import write_json

OPERATORS = {"mutation": "segment-move", "crossover": "task"}
STARTS = {"starts": ["greedy", "heft", "peft"]}
MEMETIC = {"memetic_every": 5, "memetic_evaluations": 640}
# label -> (solver, parameters); the ladder first, then single-parameter variations
ROWS: dict[str, tuple[str, dict]] = {
    "PSO-GA, the paper's (random-gene mutation, segment crossover)": ("psoga", {}),
    "+ run operators (segment-move mutation, task crossover)": ("psoga", OPERATORS),
    "+ constructive starts (greedy, HEFT, PEFT in the first swarm)": ("psoga", OPERATORS | STARTS),
    "+ memetic local search (every 5 iterations, 640 evaluations)": ("psoga", OPERATORS | STARTS | MEMETIC),
    "+ two-step on models with modules (the paper's EosDNN)": ("eosdnn", {"polish": 0.0}),
    "+ final local search on half the budget (eosdnn default)": ("eosdnn", {}),
    "eosdnn without two-step": ("eosdnn", {"two_step": "off"}),
    "eosdnn, GA preprocessing 0 generations": ("eosdnn", {"seed_generations": 0}),
    "eosdnn, GA preprocessing 50 generations": ("eosdnn", {"seed_generations": 50}),
    "eosdnn without constructive starts": ("eosdnn", {"starts": []}),
    "local search from greedy": ("local-search", {"start": "greedy"}),
    "local search from PEFT": ("local-search", {"start": "peft"}),
    "local search from a random plan": ("local-search", {"start": "random"}),
    "best response from PEFT (best-response)": ("best-response", {}),
    "GA (pymoo), run operators and memetic local search": ("ga", OPERATORS | MEMETIC),
}
PLOTTED = {
    "PSO-GA (paper)": "PSO-GA, the paper's (random-gene mutation, segment crossover)",
    "PSO-GA + run operators": "+ run operators (segment-move mutation, task crossover)",
    "eosdnn": "+ final local search on half the budget (eosdnn default)",
    "local search from PEFT": "local search from PEFT",
    "best response from PEFT": "best response from PEFT (best-response)",
    "GA + run operators + memetic": "GA (pymoo), run operators and memetic local search",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--evaluations", type=int, default=60_000)
    parser.add_argument("--out", default="docs/figures")
    args = parser.parse_args()
    problems = paper_problems(args.seeds)
    bounds = [p.lower_bound for p in problems]
    rows, histories = {}, {}
    print(f"paper scenario, seeds 0..{args.seeds - 1}, {args.evaluations:,} evaluations per run; "
          f"lower bound {np.mean(bounds):.4f} [{min(bounds):.4f}, {max(bounds):.4f}]")
    print("| configuration | mean total (s) | [min, max] | gap to bound | wall (s) |")
    print("|---|---|---|---|---|")
    for label, (solver, params) in ROWS.items():
        row = run_seeds(problems, solver, params, args.evaluations)
        histories[label] = row.pop("histories")
        rows[label] = row
        values, gaps, walls = row["values"], row["gaps"], row["wall_s"]
        print(f"| {label} | {np.mean(values):.4f} | [{min(values):.4f}, {max(values):.4f}] | "
              f"{100 * np.mean(gaps):.2f}% | {np.mean(walls):.2f} |", flush=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "search-ablation.json", {"format": 1, "seeds": list(range(args.seeds)),
                                              "evaluations": args.evaluations, "lower_bounds": bounds, "rows": rows})
    plots.convergence_plot(out / "search-convergence.png", {name: histories[label] for name, label in PLOTTED.items()},
                           f"Paper scenario, seeds 0-{args.seeds - 1}: best total against evaluations",
                           float(np.mean(bounds)))


if __name__ == "__main__":
    main()
