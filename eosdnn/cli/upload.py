"""`eosdnn upload`: uploading plans (LMU and rivals) for every task of a placement."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from eosdnn import plots, report
from eosdnn.cli import flags
from eosdnn.cli.shared import (built_params, budget_of, check_outputs, console, print_uploads, registered_names,
                               run_recommendation, run_seed, scenario_of, solve_named, upload_plans)
from eosdnn.documents import upload_document, upload_summary
from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.files import csv_text, write_json, write_text
from eosdnn.tables import upload_rows
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.placement import load_placement
from eosdnn.solvers.registry import SOLVERS
from eosdnn.solvers.upload import PLANNERS
from eosdnn.upload_tasks import DEFAULT_PLANNERS, check_possible_units, check_tasks

HELP = "uploading plans (LMU and baselines) for every task of a placement"


def arguments(p: argparse.ArgumentParser) -> None:
    flags.common(p)
    p.add_argument("--csv", metavar="PATH", help="write one row per task and planner as CSV (- for stdout)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--placement", help="placement JSON file")
    group.add_argument("--solver", help="plan under this migration solver's placement (default: the plan `eosdnn run` "
                                        "recommends, searched here)")
    p.add_argument("--planner", default=",".join(DEFAULT_PLANNERS),
                   help=f"comma-separated planners (default {','.join(DEFAULT_PLANNERS)}; also exact)")
    p.add_argument("--tasks", help="only these tasks, e.g. 0,3 (default all)")
    p.add_argument("--horizon", type=flags.positive_number,
                   help="SSD horizon in seconds (default: each task's total upload time)")
    p.add_argument("--plot", metavar="PATH", help="SD timelines of every planner (PNG, PDF or SVG by the suffix)")
    p.add_argument("--skip-refused", action="store_true",
                   help="report a planner that refuses a task (exact on a large model) instead of stopping")
    flags.budget(p)
    flags.params(p, "lmu.rest=requeue, ionn.base=0.3, exact.max_units=22, psoga.particles=50")


def task_list(text: str | None) -> list[int] | None:
    if not text:
        return None
    try:
        tasks = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise EosdnnError(f"--tasks: expected task numbers like 0,3, got {text!r}") from None
    if not tasks:
        raise EosdnnError("--tasks: give at least one task number")
    repeated = sorted({t for t in tasks if tasks.count(t) > 1})
    if repeated:
        raise EosdnnError(f"--tasks: task {repeated[0]} is listed twice")
    return tasks


def placement_genes(args: argparse.Namespace, problem: MigrationProblem, seed: int, params: dict) -> tuple[np.ndarray, str]:
    """The placement to plan uploads for: a file, a named migration solver's answer, or (by default)
    the plan `eosdnn run` recommends."""
    if args.placement:
        return load_placement(problem, args.placement), Path(args.placement).name
    if args.solver:
        result = solve_named(args, problem, args.solver, params, budget_of(args).or_default(iterations=600), seed)
        return result.x, f"{args.solver} (seed {seed}, value {result.value:.4f})"
    chosen = run_recommendation(args, problem, seed, args.evaluations)  # None: recommend's default
    best = chosen.result
    return best.x, (f"the recommended plan ({chosen.best}, seed {seed}, value {best.value:.4f}, "
                    f"{report.gap(best.value, problem.lower_bound)} above the lower bound)")


def run(args: argparse.Namespace) -> None:
    check_outputs(args)
    planners = registered_names(args.planner, PLANNERS, "--planner")
    tasks = task_list(args.tasks)
    if args.solver:
        SOLVERS.get(args.solver)
    solver_names = [args.solver] if args.solver else []
    raw = built_params(args.param, dict.fromkeys(planners, PLANNERS) | dict.fromkeys(solver_names, SOLVERS),
                       "planner or solver")
    for flag in ("iterations", "seconds"):
        if not args.solver and not args.placement and getattr(args, flag) is not None:
            raise EosdnnError(f"--{flag}: the recommended plan's searches take --evaluations; give --solver NAME to "
                              "plan under one solver's placement")
    if args.placement and any(getattr(args, flag) is not None for flag in ("iterations", "evaluations", "seconds")):
        raise EosdnnError("--placement: a placement file needs no search, so it takes no budget")
    scenario = scenario_of(args)
    check_tasks(tasks, len(scenario.tasks))  # before the placement is searched for
    planner_params = {name: raw[name] for name in planners}
    if not args.placement and not args.skip_refused:
        check_possible_units(scenario, planners, planner_params, tasks)
    problem = MigrationProblem(scenario)
    for model in dict.fromkeys(scenario.tasks[t].model for t in (tasks or range(len(scenario.tasks)))):
        if model.total_weight_bytes == 0:
            print(f"warning: model {model.name} has no weight sizes: its uploads take no time and every SSD saving "
                  "is 0 (import it with --weights-from MODEL or a weight_mb column)", file=sys.stderr)
    seed = run_seed(args)
    genes, source = placement_genes(args, problem, seed, raw.get(args.solver, {}) if args.solver else {})
    plans = upload_plans(args, problem, genes, planners, tasks=tasks, horizon=args.horizon, params=planner_params,
                         skip_refused=args.skip_refused)
    out = console(args)
    out.print(f"Placement: {source}", highlight=False)
    for task in plans:
        client = scenario.environment.nodes[task.problem.client].name
        if task.problem.n_units == 0:
            out.print(f"Task {task.problem.task_index} ({task.problem.model.name}): every layer runs on {client}, so "
                      f"there is nothing to upload; SD stays {task.baseline.sd_initial:.4f} s", highlight=False)
            continue
        title = f"Task {task.problem.task_index}: {task.problem.model.name} on {client}, {task.problem.n_units} upload units"
        rows = {name: upload_summary(task, name) for name in task.plans}
        out.print(report.upload_table(title, rows, task.refused))
        for name, reason in task.refused.items():
            out.print(f"[yellow]{name} refused:[/] {reason}", highlight=False)
    print_uploads(out, plans, planners, f"All {report.plural(len(plans), 'task')}: SSD (s^2) per planner")
    if args.plot:
        panels = [(f"task {t.problem.task_index} {t.problem.model.name}",
                   {name: plan.timeline() for name, plan in t.plans.items()}) for t in plans]
        plots.sd_timelines(args.plot, panels)
    doc = upload_document(plans, planners, placement=source)
    if args.csv:
        write_text(args.csv, csv_text(upload_rows(doc)))
    if args.json:
        write_json(args.json, doc)
