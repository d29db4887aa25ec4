"""`eosdnn evaluate`: score one placement (a file or a tier plan)."""

from __future__ import annotations

import argparse
from pathlib import Path

from eosdnn import report
from eosdnn.cli import flags
from eosdnn.cli.shared import check_outputs, console, scenario_of
from eosdnn.documents import evaluation_document
from eosdnn.problems.files import write_json
from eosdnn.problems.migration import TIER_PLANS, MigrationProblem
from eosdnn.problems.placement import load_placement, save_placement

HELP = "score a placement: objective, per-task completion, T1/T2/T3"


def arguments(p: argparse.ArgumentParser) -> None:
    flags.common(p)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--placement", help="placement JSON file")
    group.add_argument("--plan", choices=sorted(TIER_PLANS), help="a reference plan instead of a file")
    p.add_argument("--save-placement", metavar="PATH", help="write the evaluated placement as a placement file")


def run(args: argparse.Namespace) -> None:
    check_outputs(args)
    scenario = scenario_of(args)
    problem = MigrationProblem(scenario)
    if args.placement:
        genes = load_placement(problem, args.placement)
        label = Path(args.placement).name
    else:
        genes = problem.named_plan(args.plan)
        label = args.plan
    plan = problem.report(genes)
    out = console(args)
    out.print(report.results_table(f"Evaluation of {label}", {label: plan}, scenario.objective, problem.lower_bound,
                                   report.bound_source(problem.bounds)))
    out.print(report.tasks_table("Per task", scenario, plan))
    if args.save_placement:
        save_placement(problem, genes, args.save_placement)
    if args.json:
        write_json(args.json, evaluation_document(problem, plan))
