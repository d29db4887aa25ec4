"""`eosdnn run`: the main job. The best migration plan eosdnn finds (the reference plans and the
strong searches, `recommend`) and its uploading plans."""

from __future__ import annotations

import argparse

from eosdnn import report
from eosdnn.cli import flags
from eosdnn.cli.shared import (write_plan_files, RUN_PLANNERS, built_params, check_outputs, console, print_plan, print_uploads,
                               run_recommendation, run_seed, scenario_of, upload_plans)
from eosdnn.documents import plan_of, run_document
from eosdnn.problems.files import write_json
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.objectives import unit_of
from eosdnn.recommend import EVALUATIONS_PER_TASK, PAPER_EVALUATIONS, default_evaluations
from eosdnn.solvers.upload import PLANNERS
from eosdnn.upload_tasks import check_possible_units

HELP = ("the main job: the best migration plan eosdnn finds (against greedy, HEFT, PEFT, the tier plans and "
        "EosDNN) and its LMU uploading plan")


def arguments(p: argparse.ArgumentParser) -> None:
    flags.common(p)
    p.add_argument("--evaluations", type=flags.whole_number(1), default=None,
                   help=f"evaluations of each search (default {PAPER_EVALUATIONS:,}, the paper's PSO-GA budget, or "
                        f"{EVALUATIONS_PER_TASK} per task where that is more)")
    flags.params(p, "lmu.max_units=400, lmu.rest=requeue, ionn.base=0.3 (the uploading planners')")
    flags.plan_output(p)
    flags.plan_files(p, "the recommended plan")


def run(args: argparse.Namespace) -> None:
    check_outputs(args)
    scenario = scenario_of(args)
    raw = built_params(args.param, dict.fromkeys(RUN_PLANNERS, PLANNERS), "planner")
    check_possible_units(scenario, RUN_PLANNERS, raw)  # before the migration search, not after it
    problem = MigrationProblem(scenario)
    out = console(args)
    if not args.quiet:
        out.print(report.environment_table(scenario))
    seed = run_seed(args)
    evaluations = args.evaluations or default_evaluations(len(scenario.tasks))
    chosen = run_recommendation(args, problem, seed, evaluations)
    best = chosen.result
    plans = {label: plan_of(result) for label, result in chosen.results.items()}
    out.print(report.results_table(
        f"Migration plans, {report.plural(len(scenario.tasks), 'task')}, seed {seed}: reference plans and searches "
        f"({evaluations:,} evaluations each)", plans, scenario.objective, problem.lower_bound,
        report.bound_source(problem.bounds, unit_of(scenario.objective))))
    if plans[chosen.best].feasible:
        out.print(report.recommendation_line(chosen.best, best.value, best.wall_s, problem.lower_bound,
                                             {label: plan.value for label, plan in plans.items()
                                              if label != chosen.best}, unit_of(scenario.objective)), highlight=False)
    feasibility = report.feasibility_line(scenario, plans[chosen.best])
    if feasibility:
        out.print(feasibility, highlight=False)
    if not args.quiet:
        print_plan(out, f"Recommended plan ({chosen.best}) per task", problem, best, args.plan_detail)
    uploads = upload_plans(args, problem, best.x, RUN_PLANNERS, params=raw)
    print_uploads(out, uploads, RUN_PLANNERS, "Uploading plans under the recommended placement: SSD (s^2) per "
                                              "task")
    write_plan_files(args, problem, best.x, f"{scenario.name}: recommended plan ({chosen.best}), seed {seed}")
    if args.json:
        write_json(args.json, run_document(problem, chosen, seed, uploads, RUN_PLANNERS))
