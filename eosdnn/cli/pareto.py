"""`eosdnn pareto`: the plans no other plan beats in every objective (NSGA-II by default)."""

from __future__ import annotations

import argparse

from eosdnn import plots
from eosdnn.cli import flags
from eosdnn.cli.shared import check_outputs, console, run_seed, scenario_of
from eosdnn.pareto import pareto_document, pareto_outcome, pareto_rows, pareto_table, parse_weights
from eosdnn.problems.files import csv_text, write_json, write_text
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.objectives import unit_of
from eosdnn.problems.placement import save_placement
from eosdnn.solvers.pareto import ALGORITHMS, DEFAULT_EVALUATIONS, DEFAULT_POPULATION, check_objectives, pareto_front

HELP = "Pareto front of several objectives (e.g. total,energy,cost): NSGA-II with eosdnn's operators"


def arguments(p: argparse.ArgumentParser) -> None:
    flags.common(p)
    p.add_argument("--objectives", default="total,energy,cost",
                   help="two or more objectives, comma-separated (default total,energy,cost)")
    p.add_argument("--algorithm", choices=ALGORITHMS, default="nsga2", help="pymoo's algorithm (default nsga2)")
    p.add_argument("--evaluations", type=flags.whole_number(1), default=DEFAULT_EVALUATIONS,
                   help=f"budget: plans scored, the seeding plans' searches included (default {DEFAULT_EVALUATIONS:,})")
    p.add_argument("--population", type=flags.whole_number(4, 100_000), default=DEFAULT_POPULATION,
                   help=f"population size (default {DEFAULT_POPULATION})")
    p.add_argument("--pick", metavar="WEIGHTS", help="choose a plan by importance, e.g. total=0.5,energy=0.5 "
                                                     "(pymoo's ASF on the normalised front; default equal)")
    p.add_argument("--csv", metavar="PATH", help="write the front as CSV, one row per plan (- for stdout)")
    p.add_argument("--plot", metavar="PNG", help="draw the front (scatter per pair of objectives)")
    p.add_argument("--save-placement", metavar="PATH", help="write the chosen plan as a placement file")
    p.add_argument("--all", action="store_true", help="print every plan of the front, not the first 20")


def run(args: argparse.Namespace) -> None:
    check_outputs(args)
    names = check_objectives([name.strip() for name in args.objectives.split(",") if name.strip()])
    weights = parse_weights(args.pick, names)
    problem = MigrationProblem(scenario_of(args))
    seed = run_seed(args)
    front = pareto_front(problem, names, algorithm=args.algorithm, evaluations=args.evaluations,
                         population=args.population, seed=seed)
    outcome = pareto_outcome(problem, front, weights)
    out = console(args)
    out.print(pareto_table(outcome, None if args.all else 20))
    if not outcome.feasible:
        out.print("No feasible plan found: the plans shown break the scenario's limits least "
                  f"(violation {front.violation.min():.4g})", highlight=False)
    if args.plot:
        plots.pareto_plot(args.plot, list(names), [unit_of(n) for n in names], front.F, outcome.picked,
                          outcome.start_values, outcome.scale.lower,
                          f"{problem.scenario.name}: {len(front.F)} plans, hypervolume {outcome.hypervolume:.4f}")
    if args.save_placement:
        save_placement(problem, front.X[outcome.picked], args.save_placement)
    if args.csv:
        write_text(args.csv, csv_text(pareto_rows(outcome)))
    if args.json:
        write_json(args.json, pareto_document(problem, outcome, args.algorithm, seed))
