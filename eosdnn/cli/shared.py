"""What several commands share: reading the scenario, checking outputs before any work, building
parameters, running a solver with a progress bar and interrupt checks, saving an interrupted run,
and printing a plan or uploading plans."""

from __future__ import annotations

import argparse
import os
from typing import Any, NoReturn

import numpy as np

from eosdnn import plots, report
from eosdnn.documents import plan_of
from eosdnn.framework import Budget, Registry, Result
from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.constraints import parse_limit
from eosdnn.framework.params import parse_params
from eosdnn.framework.solver import SearchTracker
from eosdnn.jobs import run_named
from eosdnn.cli.flags import EXACT_FLAGS, OUTPUT_FLAGS, PLOT_KEYS, STDOUT_FLAGS
from eosdnn.problems.files import STDOUT, check_output, csv_text, refuse_inputs, write_json, write_text
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.placement import placement_to_dict
from eosdnn.problems.scenario import Scenario, load_scenario, paper_scenario
from eosdnn.problems.schedule import schedule
from eosdnn.progress import progress_callback, progress_steps
from eosdnn.recommend import Recommendation, recommend
from eosdnn.tables import gantt_parts, plan_rows
from eosdnn.upload_tasks import TaskPlans, plan_tasks, summarise_uploads

RUN_PLANNERS = ["lmu", "ionn", "recursive-efficiency", "non-uploading"]
INPUT_KEYS = ("scenario", "placement", "warm_start", "name", "weights_from", "database")


class Interrupted(Exception):
    """Ctrl-C, after whatever could be saved was saved; the message says what was written."""


def run_seed(args: argparse.Namespace) -> int:
    return 0 if args.seed is None else args.seed


def scenario_of(args: argparse.Namespace) -> Scenario:
    """The scenario file (its own `seed` draws its clock rates), or the paper scenario drawn with --seed;
    no output may be one of the model files the scenario reads."""
    if getattr(args, "scenario", None):
        scenario = load_scenario(args.scenario)
        for key, flag in OUTPUT_FLAGS.items():
            path = getattr(args, key, None)
            if path not in (None, STDOUT):
                refuse_inputs(path, f"{flag} {path!r}", scenario.files, " (a model of the scenario)")
    else:
        scenario = paper_scenario(run_seed(args))
    objective = getattr(args, "objective", None)
    if objective is not None and objective != scenario.objective:
        try:
            scenario = scenario.with_changes(objective=objective)
        except EosdnnError as error:
            raise EosdnnError(f"--objective: {error}") from None
    limits = [parse_limit(text, "--constraint") for text in getattr(args, "constraint", None) or []]
    if limits:
        scenario = scenario.with_changes(constraints=(*scenario.constraints, *limits))
    return scenario


def input_paths(args: argparse.Namespace) -> list[str]:
    """Every file the command reads, so that no output overwrites one of them."""
    paths: list[str] = []
    for key in INPUT_KEYS:
        value = getattr(args, key, None)
        if isinstance(value, list):
            paths += value
        elif isinstance(value, str):
            paths.append(value)
    target = getattr(args, "target", None)
    if target and target != "report":  # a sweep's grid file
        paths.append(target)
    return paths


def stdout_taken(args: argparse.Namespace) -> bool:
    """Whether a machine-readable output goes to standard output (`--json -`, `--csv -`): then the
    tables and notes go to standard error, so that the pipe carries nothing else."""
    return any(getattr(args, key, None) == STDOUT for key in STDOUT_FLAGS)


def console(args: argparse.Namespace):
    return report.console(stderr=stdout_taken(args))


def progress_shown(args: argparse.Namespace) -> bool | None:
    """Progress bars: never while a document goes to standard output, else on a terminal (None)."""
    return False if stdout_taken(args) else None


def check_outputs(args: argparse.Namespace) -> None:
    """Refuse, before any work, output paths that cannot be written, clash or point at an input."""
    seen: dict[str, str] = {}
    inputs = input_paths(args)
    for key, flag in OUTPUT_FLAGS.items():
        path = getattr(args, key, None)
        if path is None:
            continue
        suffixes = plots.plot_suffixes() if key in PLOT_KEYS else None
        check_output(path, flag, inputs, suffixes, stdout=key in STDOUT_FLAGS)
        resolved = STDOUT if path == STDOUT else os.path.realpath(path)
        if resolved in seen:
            raise EosdnnError(f"{flag} {path!r}: the same file as {seen[resolved]}")
        seen[resolved] = flag


def registered_names(text: str, registry: Registry, flag: str) -> list[str]:
    """A comma-separated list of registered names; a typo, a repeat or an empty list fails before any work."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise EosdnnError(f"{flag}: give at least one {registry.kind} name, comma-separated")
    for name in names:
        registry.get(name)
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise EosdnnError(f"{flag}: {repeated[0]!r} is listed twice")
    return names


def renamed_owners(pairs: list[str] | None, owners: dict[str, Registry]) -> list[str]:
    """`--param OLD.key=value` as `NEW.key=value` where OLD is a renamed entry's old name (a registry
    alias, which warns once) and the command runs NEW under its new name."""
    out = []
    for pair in pairs or []:
        head = pair.split("=", 1)[0].strip()
        name = head.split(".", 1)[0] if "." in head else ""
        if name and name not in owners:
            for registry in owners.values():
                if name in registry.aliases() and registry.resolve(name) in owners:
                    pair = registry.resolve(name) + pair.strip()[len(name):]
                    break
        out.append(pair)
    return out


def built_params(pairs: list[str] | None, owners: dict[str, Registry], kind: str,
                 extra: dict | None = None) -> dict[str, dict]:
    """Per name (each looked up in its registry), the `--param` values over `extra`; each entry is
    built once here so that a bad key or value stops the command before any work."""
    params = parse_params(renamed_owners(pairs, owners), list(owners), kind)
    for name, registry in owners.items():
        params[name] = (extra or {}).get(name, {}) | params[name]
        registry.create(name, **params[name])
    return params


def exact_params(args: argparse.Namespace) -> dict[str, Any]:
    """The MILP flags that were given, as solver parameters."""
    return {key: getattr(args, key) for key in EXACT_FLAGS if getattr(args, key, None) is not None}


def budget_of(args: argparse.Namespace) -> Budget:
    return Budget(iterations=args.iterations, evaluations=args.evaluations, seconds=args.seconds)


def solve_named(args: argparse.Namespace, problem: MigrationProblem, name: str, params: dict, budget: Budget,
                seed: int | None, tracker: SearchTracker | None = None) -> Result:
    """One solver run with a progress bar on a terminal; every iteration checks for Ctrl-C/SIGTERM."""
    tracker = tracker if tracker is not None else SearchTracker()
    with progress_callback(f"{name} seed {seed}", progress_shown(args)) as callback:
        def forward(search) -> None:
            args.stop.check()
            if callback is not None:
                callback(search)

        tracker.forward = forward
        return run_named(problem, name, params, budget, seed, callback=tracker)


def run_recommendation(args: argparse.Namespace, problem: MigrationProblem, seed: int,
                       evaluations: int | None) -> Recommendation:
    """The plan `run` recommends, its searches run with progress bars and interrupt checks."""
    tracker = SearchTracker()
    return recommend(problem, seed, evaluations,
                     run=lambda name, params, budget: solve_named(args, problem, name, params, budget, seed, tracker))


def save_interrupted(args: argparse.Namespace, writes: list[tuple[str, Any]]) -> NoReturn:
    """Write what an interrupted command had to the outputs it was asked for, then stop with 130."""
    written = []
    with args.stop.deferred():  # a second Ctrl-C must not break the write
        for path, data in writes:
            if path and data is not None:
                write_json(path, data)
                written.append("standard output" if path == STDOUT else path)
    detail = f"; the results so far (status interrupted) are in {', '.join(written)}" if written else ""
    raise Interrupted(f"{args.stop.name}{detail}")


def write_plan_files(args: argparse.Namespace, problem: MigrationProblem, genes: np.ndarray, title: str) -> None:
    """A plan's `--csv` (one row per layer) and `--gantt` (its schedule as a picture), where asked."""
    if getattr(args, "csv", None):
        write_text(args.csv, csv_text(plan_rows(problem, genes)))
    if getattr(args, "gantt", None):
        plots.gantt(args.gantt, title=title, **gantt_parts(problem, genes))


def print_plan(out, title: str, problem: MigrationProblem, result: Result, detail: bool) -> None:
    """One line per task (or, with --plan-detail, every layer) of a solver's plan."""
    placement = placement_to_dict(problem, result.x)
    if detail:
        out.print(report.plan_detail_table(title, problem.scenario, placement, schedule(problem.workload, result.x)))
        return
    out.print(f"[bold]{title}[/] (one line per task; --plan-detail for every layer)")
    for line in report.plan_lines(problem.scenario, placement, plan_of(result)):
        out.print(line, highlight=False, soft_wrap=True)


def upload_plans(args: argparse.Namespace, problem: MigrationProblem, genes: np.ndarray, planners: list[str],
                 **options) -> list[TaskPlans]:
    """Every planner on every selected task, with a progress bar on a terminal (the exact DP can take
    a minute) and a Ctrl-C check after each task."""
    tasks = options.get("tasks")
    count = len(problem.scenario.tasks) if tasks is None else len(tasks)
    with progress_steps("upload plans", count, progress_shown(args)) as step:
        def on_task(task) -> None:
            step(f"task {task.problem.task_index} {task.problem.model.name}")
            args.stop.check()

        return plan_tasks(problem, genes, planners, on_task=on_task, **options)


def print_uploads(out, plans: list[TaskPlans], planners: list[str], title: str) -> None:
    """The per-task table of every planner's SSD with the best planner and a summary line, and a
    warning for every task on which uploading cannot help."""
    out.print(report.upload_tasks_table(title, summarise_uploads(plans, planners), planners))
    for task in plans:
        if task.uploading_cannot_help():
            out.print(f"[yellow]warning:[/] task {task.problem.task_index} ({task.problem.model.name}): fully uploaded, "
                      f"this placement answers a query in {task.sd_uploaded:.4f} s, no faster than the client alone "
                      f"({task.baseline.sd_initial:.4f} s): uploading cannot help, and Non-uploading is the best plan; "
                      "a better placement (`eosdnn run`) may change that", highlight=False)
