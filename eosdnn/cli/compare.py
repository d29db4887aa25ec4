"""`eosdnn compare`: several solvers over seeds in one table (`eosdnn.compare`)."""

from __future__ import annotations

import argparse

from eosdnn import plots, report
from eosdnn.cli import flags
from eosdnn.cli.shared import (built_params, budget_of, check_outputs, console, registered_names, run_seed,
                               save_interrupted, scenario_of, solve_named)
from eosdnn.compare import Comparison, compare, compare_on
from eosdnn.documents import interrupted, interrupted_document
from eosdnn.framework import Result
from eosdnn.framework.executors import make_executor
from eosdnn.framework.solver import SearchTracker
from eosdnn.problems.files import csv_text, write_json, write_text
from eosdnn.tables import run_rows
from eosdnn.problems.migration import MigrationProblem
from eosdnn.solvers.registry import SOLVERS

HELP = "compare solvers over seeds in one table"


def arguments(p: argparse.ArgumentParser) -> None:
    flags.common(p)
    p.add_argument("--solvers", required=True, help="comma-separated solver names")
    p.add_argument("--seeds", type=flags.whole_number(1, 10_000), default=5,
                   help="number of seeds (from --seed, default 0)")
    p.add_argument("--plot", metavar="PATH", help="write a convergence plot (PNG, PDF or SVG by the suffix)")
    p.add_argument("--csv", metavar="PATH", help="write one row per run: solver, seed, value, gap, total, makespan, "
                                                 "energy, cost, feasible, evaluations, wall time (- for stdout)")
    p.add_argument("--workers", type=flags.whole_number(1, 1_024), default=None,
                   help="local worker processes for the runs (default 1: this process, with a progress bar per "
                        "run); the results are the same bits for any count")
    flags.budget(p)
    flags.params(p, "psoga.particles=50 (or particles=50 when one solver is compared)")


def run(args: argparse.Namespace) -> None:
    check_outputs(args)
    names = registered_names(args.solvers, SOLVERS, "--solvers")
    params = built_params(args.param, dict.fromkeys(names, SOLVERS), "solver")
    scenario = scenario_of(args)
    problem = MigrationProblem(scenario)
    budget = budget_of(args)
    seeds = list(range(run_seed(args), run_seed(args) + args.seeds))
    comparison = Comparison(problem, names, seeds, budget)

    def one_run(name: str, seed: int) -> Result:
        tracker = SearchTracker()
        try:
            return solve_named(args, problem, name, params[name], budget, seed, tracker)
        except KeyboardInterrupt:
            doc = interrupted(comparison.document(),
                              interrupted_run=interrupted_document(problem, name, seed, tracker))
            save_interrupted(args, [(args.json, doc)])

    if args.workers in (None, 1):
        compare(problem, names, seeds, budget, one_run, into=comparison)
    else:
        try:
            compare_on(make_executor(args.workers), problem, names, params, seeds, budget, into=comparison,
                       on_run=args.stop.check)
        except KeyboardInterrupt:
            save_interrupted(args, [(args.json, interrupted(comparison.document()))])
    out = console(args)
    out.print(report.comparison_table(
        f"{report.plural(len(names), 'solver')} x {report.plural(len(seeds), 'seed')}, budget {budget.describe()}, "
        f"objective {scenario.objective}",
        comparison.summaries(), problem.lower_bound, report.bound_source(problem.bounds)))
    if args.plot:
        plots.convergence_plot(args.plot, {name: [r.history for r in runs] for name, runs in comparison.runs.items()},
                               f"Convergence on {scenario.name} ({report.plural(len(scenario.tasks), 'task')})",
                               problem.lower_bound)
    if args.csv:
        write_text(args.csv, csv_text(run_rows(problem, comparison.runs)))
    if args.json:
        write_json(args.json, comparison.document())
