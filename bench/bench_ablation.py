"""What each ingredient of EosDNN+ (`eosdnn-plus`) buys over the paper's EosDNN (`eosdnn-paper`), on
the paper scenario at equal evaluations.

Run: python bench/bench_ablation.py [--seeds 5] [--evaluations 60000] [--out docs/figures]

The first row is the paper's method; each ladder row adds one ingredient to the row before; the
variations change one parameter of EosDNN+; every row gets the same evaluation budget on
paper_scenario(seed) for every seed. Prints a Markdown table (mean total, [min, max], mean gap to the
lower bound, on how many seeds the row is lower than its reference row, whether that difference is
outside the seed range, wall time) and writes
`<out>/search-ablation.json` and `<out>/search-convergence.png` (best total against evaluations,
mean over seeds with the min-max band, the mean lower bound as a line). docs/SEARCH.md quotes it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from paper_runs import paper_problems, run_seeds

from eosdnn import plots
from eosdnn.experiments.verdicts import HOLDS, NO_DIFFERENCE, REVERSED, Comparison
from eosdnn.problems.files import write_json

OPERATORS = {"mutation": "segment-move", "crossover": "task"}
STARTS = {"starts": ["greedy", "heft", "peft"]}
MEMETIC = {"memetic_every": 5, "memetic_evaluations": 640}
# label -> (solver, parameters); the ladder first, then single-parameter variations
PAPER = "EosDNN, the paper's (eosdnn-paper: GA preprocessing, paper operators, two-step)"
PLUS = "+ final local search on half the budget (EosDNN+, eosdnn-plus default)"
ROWS: dict[str, tuple[str, dict]] = {
    PAPER: ("eosdnn-paper", {}),
    "PSO-GA, the paper's operators, without two-step (psoga)": ("psoga", {}),
    "+ run operators (segment-move mutation, task crossover)": ("psoga", OPERATORS),
    "+ constructive starts (greedy, HEFT, PEFT in the first swarm)": ("psoga", OPERATORS | STARTS),
    "+ memetic local search (every 5 iterations, 640 evaluations)": ("psoga", OPERATORS | STARTS | MEMETIC),
    "+ two-step on models with modules": ("eosdnn-plus", {"polish": 0.0}),
    PLUS: ("eosdnn-plus", {}),
    "EosDNN+ without two-step": ("eosdnn-plus", {"two_step": "off"}),
    "EosDNN+, GA preprocessing 0 generations": ("eosdnn-plus", {"seed_generations": 0}),
    "EosDNN+, GA preprocessing 50 generations": ("eosdnn-plus", {"seed_generations": 50}),
    "EosDNN+ without constructive starts": ("eosdnn-plus", {"starts": []}),
    "local search from greedy": ("local-search", {"start": "greedy"}),
    "local search from PEFT": ("local-search", {"start": "peft"}),
    "local search from a random plan": ("local-search", {"start": "random"}),
    "best response from PEFT (best-response)": ("best-response", {}),
    "GA (pymoo), run operators and memetic local search": ("ga", OPERATORS | MEMETIC),
}
LADDER = list(ROWS)[:7]  # each compared with the row before; every other row with EosDNN+
PLOTTED = {
    "EosDNN (paper)": PAPER,
    "PSO-GA (bare)": "PSO-GA, the paper's operators, without two-step (psoga)",
    "PSO-GA + run operators": "+ run operators (segment-move mutation, task crossover)",
    "EosDNN+": PLUS,
    "local search from PEFT": "local search from PEFT",
    "best response from PEFT": "best response from PEFT (best-response)",
    "GA + run operators + memetic": "GA (pymoo), run operators and memetic local search",
}


WORDS = {HOLDS: "lower", REVERSED: "higher", NO_DIFFERENCE: "no difference"}


def paired(values: list[float], reference: list[float]) -> str:
    """On how many seeds `values` is lower than `reference`, and whether that is a difference by the
    reproduction's rule (`eosdnn.experiments.verdicts`: lower on every seed, higher on every seed, or
    none, inside the seed range)."""
    comparison = Comparison("row below its reference", values, reference)
    return f"{comparison.k} of {len(values)} ({WORDS[comparison.status]})"


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
    print("| configuration | mean total (s) | [min, max] | gap to bound | lower than | on seeds | wall (s) |")
    print("|---|---|---|---|---|---|---|")
    for index, (label, (solver, params)) in enumerate(ROWS.items()):
        row = run_seeds(problems, solver, params, args.evaluations)
        histories[label] = row.pop("histories")
        values, gaps, walls = row["values"], row["gaps"], row["wall_s"]
        reference = None if index == 0 else (LADDER[index - 1] if index < len(LADDER) else PLUS)
        if reference is not None:
            row["reference"] = reference
            row["lower_on_seeds"] = paired(values, rows[reference]["values"])
        rows[label] = row
        versus = "-" if reference is None else ("the row above" if index < len(LADDER) else "EosDNN+")
        print(f"| {label} | {np.mean(values):.4f} | [{min(values):.4f}, {max(values):.4f}] | "
              f"{100 * np.mean(gaps):.2f}% | {versus} | {row.get('lower_on_seeds', '-')} | {np.mean(walls):.2f} |",
              flush=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "search-ablation.json", {"format": 1, "seeds": list(range(args.seeds)),
                                              "evaluations": args.evaluations, "lower_bounds": bounds, "rows": rows})
    plots.convergence_plot(out / "search-convergence.png", {name: histories[label] for name, label in PLOTTED.items()},
                           f"Paper scenario, seeds 0-{args.seeds - 1}: best total against evaluations",
                           float(np.mean(bounds)))


if __name__ == "__main__":
    main()
