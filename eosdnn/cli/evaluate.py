"""`eosdnn evaluate`: score one placement (a file or a tier plan)."""

from __future__ import annotations

import argparse
from pathlib import Path

from eosdnn import report
from eosdnn.cli import flags
from eosdnn.cli.shared import write_plan_files, check_outputs, console, run_seed, scenario_of
from eosdnn.documents import evaluation_document
from eosdnn.problems.objectives import unit_of
from eosdnn.problems.files import write_json
from eosdnn.problems.migration import TIER_PLANS, MigrationProblem
from eosdnn.problems.placement import load_placement, save_placement
from eosdnn.solvers.cpsat import check_free_order_size, free_order_schedule

HELP = "score a placement: objective, per-task completion, T1/T2/T3"


def arguments(p: argparse.ArgumentParser) -> None:
    flags.common(p)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--placement", help="placement JSON file")
    group.add_argument("--plan", choices=sorted(TIER_PLANS), help="a reference plan instead of a file")
    p.add_argument("--save-placement", metavar="PATH", help="write the evaluated placement as a placement file")
    flags.plan_files(p)
    p.add_argument("--free-order", type=flags.positive_number, nargs="?", const=60.0, default=None, metavar="SECONDS",
                   help="also find the placement's best schedule with any order on each pool (CP-SAT, at most "
                        "SECONDS, default 60): what the fixed order u costs this plan")


def run(args: argparse.Namespace) -> None:
    check_outputs(args)
    scenario = scenario_of(args)
    problem = MigrationProblem(scenario)
    if args.free_order is not None:
        check_free_order_size(problem)  # before any work
    if args.placement:
        genes = load_placement(problem, args.placement)
        label = Path(args.placement).name
    else:
        genes = problem.named_plan(args.plan)
        label = args.plan
    plan = problem.report(genes)
    out = console(args)
    out.print(report.results_table(f"Evaluation of {label}", {label: plan}, scenario.objective, problem.lower_bound,
                                   report.bound_source(problem.bounds, unit_of(scenario.objective))))
    feasibility = report.feasibility_line(scenario, plan)
    if feasibility:
        out.print(feasibility, highlight=False)
    out.print(report.tasks_table("Per task", scenario, plan))
    free = None
    if args.free_order is not None:
        free = free_order_schedule(problem, genes, time_limit=args.free_order, seed=run_seed(args))
        out.print(report.free_order_line(free, args.free_order), highlight=False)
    if args.save_placement:
        save_placement(problem, genes, args.save_placement)
    write_plan_files(args, problem, genes, f"{scenario.name}: {label}")
    if args.json:
        doc = evaluation_document(problem, plan)
        if free is not None:
            doc["free_order"] = {"value": free.value, "bound": free.bound, "status": free.status,
                                 "cost_of_order": free.cost_of_order, "seconds": args.free_order}
        write_json(args.json, doc)
