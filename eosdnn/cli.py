"""The `eosdnn` command line. Bad input ends in one `error:` line and exit code 2, never a traceback."""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NoReturn

import attrs
import numpy as np

from eosdnn import __version__, plots, report
from eosdnn.framework import Budget, Registry, Result
from eosdnn.framework.executors import cpu_count, make_executor
from eosdnn.framework.params import ParameterError, number, parse_params, whole
from eosdnn.progress import progress_callback, progress_steps
from eosdnn.framework.solver import SearchTracker, run_solver
from eosdnn.framework.errors import EosdnnError
from eosdnn.solvers.registry import SOLVERS, heuristics, solver_traits
from eosdnn.interrupts import StopRequests
from eosdnn.problems.files import (STDOUT, check_folder, check_output, refuse_inputs, same_file, write_json,
                                  write_text)
from eosdnn.problems.migration import TIER_PLANS, MigrationProblem
from eosdnn.problems.objectives import OBJECTIVES
from eosdnn.problems.models import BUILTIN, builtin_model, resolve_model, save_model
from eosdnn.problems.models.measured import NO_WEIGHTS, UNITS, load_measured_table, with_weights_from
from eosdnn.problems.placement import load_placement, placement_to_dict, save_placement
from eosdnn.problems.scenario import Scenario, load_scenario, paper_scenario
from eosdnn.problems.schedule import schedule
import eosdnn.solvers  # noqa: F401,E402  (importing registers the built-in solvers and planners)
from eosdnn.solvers.upload import PLANNERS
from eosdnn.compare import Comparison, compare, compare_on
from eosdnn.documents import interrupted_document, solve_document, upload_document, upload_summary
from eosdnn.problems.plan_report import plan_report
from eosdnn.recommend import PAPER_EVALUATIONS, Recommendation, recommend
from eosdnn.upload_tasks import DEFAULT_PLANNERS, check_possible_units, check_tasks, plan_tasks
from eosdnn.validation import DEFAULT_EVALUATIONS, validate, validation_document

SEED_MAX = 2**32 - 1
EXACT_FLAGS = {"backend": "--backend", "time_limit": "--time-limit", "gap": "--gap", "warm_start": "--warm-start"}
OUTPUT_FLAGS = {"json": "--json", "csv": "--csv", "placement_out": "--placement-out",
                "save_placement": "--save-placement", "plot": "--plot"}
STDOUT_FLAGS = ("json", "csv")  # the outputs that take `-` for standard output
PLOT_KEYS = ("plot",)
SEED_HELP = ("seed of this run: the solvers' randomness and, without --scenario, the paper scenario's drawn clock "
             "rates (a scenario file's own `seed` seeds only that file's draws); default 0")


class Interrupted(Exception):
    """Ctrl-C, after whatever could be saved was saved; the message says what was written."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one `error:` line and exit code 2 (no usage dump)."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"error: {message}\n")
        sys.exit(2)


def flag_type(validator, parse: Callable[[str], Any], kind: str):
    """An argparse type from a parameter validator (framework.params): a flag, a solver's `--param`
    and a solver's own field share one rule and one message."""
    def convert(text: str) -> Any:
        try:
            value = parse(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {kind}, got {text!r}") from None
        try:
            validator(None, FLAG_VALUE, value)
        except ParameterError as error:
            raise argparse.ArgumentTypeError(error.message) from None
        return value
    return convert


FLAG_VALUE = SimpleNamespace(name="value")  # what a validator names: the flag's value


def whole_number(minimum: int, maximum: int | None = None):
    """An argparse type: a whole number in [minimum, maximum]."""
    return flag_type(whole(minimum, maximum), int, "a whole number")


positive_number = flag_type(number(0, None, open_low=True), float, "a number")  # positive and finite
fraction = flag_type(number(0, 1), float, "a number")  # in [0, 1]


MAX_DIMENSION = 2**31 - 1


def shape_type(text: str) -> tuple[int, ...]:
    """A tensor shape: whole numbers in 1..2^31-1 separated by commas (or x)."""
    try:
        dims = tuple(int(part) for part in text.replace("x", ",").split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 1,3,224,224, got {text!r}") from None
    if not dims or min(dims) < 1 or max(dims) > MAX_DIMENSION:
        raise argparse.ArgumentTypeError(f"sizes must be whole numbers in 1..{MAX_DIMENSION:,}, got {text!r}")
    return dims


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
        return scenario
    return paper_scenario(run_seed(args))


INPUT_KEYS = ("scenario", "placement", "warm_start", "name", "weights_from", "database")


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


def built_params(pairs: list[str] | None, owners: dict[str, Registry], kind: str,
                 extra: dict | None = None) -> dict[str, dict]:
    """Per name (each looked up in its registry), the `--param` values over `extra`; each entry is
    built once here so that a bad key or value stops the command before any work."""
    params = parse_params(pairs, list(owners), kind)
    for name, registry in owners.items():
        params[name] = (extra or {}).get(name, {}) | params[name]
        registry.create(name, **params[name])
    return params


def budget_of(args: argparse.Namespace) -> Budget:
    return Budget(iterations=args.iterations, evaluations=args.evaluations, seconds=args.seconds)


def solve_named(args: argparse.Namespace, problem: MigrationProblem, name: str, params: dict, budget: Budget,
                seed: int | None, tracker: SearchTracker | None = None) -> Result:
    """One solver run with a progress bar on a terminal; every iteration checks for Ctrl-C/SIGTERM."""
    solver = SOLVERS.create(name, **params)
    tracker = tracker if tracker is not None else SearchTracker()
    with progress_callback(f"{name} seed {seed}", progress_shown(args)) as callback:
        def forward(search) -> None:
            args.stop.check()
            if callback is not None:
                callback(search)

        tracker.forward = forward
        return run_solver(solver, problem, budget=budget, seed=seed, callback=tracker)


def run_recommendation(args: argparse.Namespace, problem: MigrationProblem, seed: int,
                       evaluations: int) -> Recommendation:
    """The plan `run` recommends, its searches run with progress bars and interrupt checks."""
    tracker = SearchTracker()
    return recommend(problem, seed, evaluations,
                     run=lambda name, params, budget: solve_named(args, problem, name, params, budget, seed, tracker))


def save_interrupted(args: argparse.Namespace, writes: list[tuple[str, Any]]) -> None:
    """Write what an interrupted command had to the outputs it was asked for, then stop with 130."""
    written = []
    with args.stop.deferred():  # a second Ctrl-C must not break the write
        for path, data in writes:
            if path and data is not None:
                write_json(path, data)
                written.append("standard output" if path == STDOUT else path)
    detail = f"; the results so far (status interrupted) are in {', '.join(written)}" if written else ""
    raise Interrupted(f"{args.stop.name}{detail}")


def print_plan(out, title: str, problem: MigrationProblem, genes, doc: dict, detail: bool) -> None:
    placement = doc.get("placement") or placement_to_dict(problem, genes)
    if detail:
        out.print(report.plan_detail_table(title, problem.scenario, placement, schedule(problem.workload, genes)))
        return
    out.print(f"[bold]{title}[/] (one line per task; --plan-detail for every layer)")
    for line in report.plan_lines(problem.scenario, placement, doc):
        out.print(line, highlight=False, soft_wrap=True)


RUN_PLANNERS = ["lmu", "ionn", "recursive-efficiency", "non-uploading"]


def upload_plans(args: argparse.Namespace, problem: MigrationProblem, genes: np.ndarray, planners: list[str],
                 **options) -> list:
    """Every planner on every selected task, with a progress bar on a terminal (the exact DP can take
    a minute) and a Ctrl-C check after each task."""
    tasks = options.get("tasks")
    count = len(problem.scenario.tasks) if tasks is None else len(tasks)
    with progress_steps("upload plans", count, progress_shown(args)) as step:
        def on_task(task) -> None:
            step(f"task {task.problem.task_index} {task.problem.model.name}")
            args.stop.check()

        return plan_tasks(problem, genes, planners, on_task=on_task, **options)


def print_uploads(out, plans: list, planners: list[str], title: str) -> None:
    """The per-task table of every planner's SSD with the best planner and a summary line, and a
    warning for every task on which uploading cannot help."""
    rows, totals, wins = [], dict.fromkeys(planners, 0.0), dict.fromkeys(planners, 0)
    for task in plans:
        best = task.best()
        rows.append({"task": task.problem.task_index, "model": task.problem.model.name, "units": task.problem.n_units,
                     "ssd": {name: plan.ssd for name, plan in task.plans.items()}, "best": best})
        for name, plan in task.plans.items():
            totals[name] += plan.ssd
        if best is not None:
            wins[best] += 1
    complete = {name: total for name, total in totals.items() if all(name in task.plans for task in plans)}
    out.print(report.upload_tasks_table(title, rows, planners, complete, wins))
    for task in plans:
        if task.uploading_cannot_help():
            out.print(f"[yellow]warning:[/] task {task.problem.task_index} ({task.problem.model.name}): fully uploaded, "
                      f"this placement answers a query in {task.sd_uploaded:.4f} s, no faster than the client alone "
                      f"({task.baseline.sd_initial:.4f} s): uploading cannot help, and Non-uploading is the best plan; "
                      "a better placement (`eosdnn run`) may change that", highlight=False)


def cmd_run(args: argparse.Namespace) -> None:
    check_outputs(args)
    scenario = scenario_of(args)
    raw = built_params(args.param, dict.fromkeys(RUN_PLANNERS, PLANNERS), "planner")
    check_possible_units(scenario, RUN_PLANNERS, raw)  # before the migration search, not after it
    problem = MigrationProblem(scenario)
    out = console(args)
    if not args.quiet:
        out.print(report.environment_table(scenario))
    seed = run_seed(args)
    chosen = run_recommendation(args, problem, seed, args.evaluations)
    best = chosen.result
    rows = {label: plan_report(problem, result.x).document() for label, result in chosen.results.items()}
    out.print(report.results_table(
        f"Migration plans, {report.plural(len(scenario.tasks), 'task')}, seed {seed}: reference plans and searches "
        f"({args.evaluations:,} evaluations each)", rows, scenario.objective, problem.lower_bound))
    out.print(report.recommendation_line(chosen.best, best.value, best.wall_s, problem.lower_bound,
                                         {label: row["value"] for label, row in rows.items() if label != chosen.best}),
              highlight=False)
    doc = solve_document(problem, best)
    if not args.quiet:
        print_plan(out, f"Recommended plan ({chosen.best}) per task", problem, best.x, doc, args.plan_detail)
    uploads = upload_plans(args, problem, best.x, RUN_PLANNERS, params=raw)
    print_uploads(out, uploads, RUN_PLANNERS, "Uploading plans under the recommended placement: SSD (s^2) per "
                                              "task")
    if args.json:
        recommended = {"solver": chosen.best, "value": best.value, "placement": doc["placement"],
                       "lower_bound": problem.lower_bound, "gap_to_bound": problem.gap_to_bound(best.value),
                       "wall_s": best.wall_s, "evaluations": best.evaluations}
        for row in rows.values():
            row["gap_to_bound"] = problem.gap_to_bound(row["value"])
        write_json(args.json, {"format": 1, "scenario": scenario.name, "seed": seed,
                               "lower_bound": problem.lower_bound, "recommended": recommended,
                               "migration": doc, "plans": rows,
                               "upload": upload_document(uploads, RUN_PLANNERS)})


def exact_params(args: argparse.Namespace) -> dict[str, Any]:
    """The MILP flags that were given, as solver parameters."""
    return {key: getattr(args, key) for key in EXACT_FLAGS if getattr(args, key, None) is not None}


def cmd_solve(args: argparse.Namespace) -> None:
    check_outputs(args)
    SOLVERS.get(args.solver)
    flags = exact_params(args)
    refused = [key for key in flags if key not in solver_traits(args.solver).flags]
    if refused:
        takers = [name for name in SOLVERS.names() if refused[0] in solver_traits(name).flags]
        raise EosdnnError(f"{EXACT_FLAGS[refused[0]]}: only {', '.join(takers)} take it")
    params = built_params(args.param, {args.solver: SOLVERS}, "solver", {args.solver: flags})[args.solver]
    scenario = scenario_of(args)
    problem = MigrationProblem(scenario)
    seed = run_seed(args)
    tracker = SearchTracker()
    try:
        result = solve_named(args, problem, args.solver, params, budget_of(args), seed, tracker)
    except KeyboardInterrupt:
        partial = interrupted_document(problem, args.solver, seed, tracker)
        save_interrupted(args, [(args.json, partial),
                                (args.placement_out, partial and partial["placement"])])
    doc = solve_document(problem, result)
    out = console(args)
    bound, source = problem.lower_bound, None
    if result.bound is not None and (bound is None or result.bound > bound):  # an exact solver proved more than the contention-free bound
        bound, source = result.bound, f"proven by {args.solver}"
    out.print(report.results_table(
        f"{args.solver}: {report.plural(result.evaluations, 'evaluation')}, {result.wall_s:.2f} s, seed {seed}",
        {args.solver: doc}, scenario.objective, bound, source))
    if result.status is not None:
        out.print(report.exact_status_line(result.status, result.bound, result.gap, result.model_status),
                  highlight=False)
    if not args.quiet:
        print_plan(out, "Plan per task", problem, result.x, doc, args.plan_detail)
    if args.placement_out:
        save_placement(problem, result.x, args.placement_out)
    if args.json:
        write_json(args.json, doc)


def cmd_compare(args: argparse.Namespace) -> None:
    check_outputs(args)
    names = registered_names(args.solvers, SOLVERS, "--solvers")
    params = built_params(args.param, dict.fromkeys(names, SOLVERS), "solver")
    scenario = scenario_of(args)
    problem = MigrationProblem(scenario)
    budget = budget_of(args)
    seeds = list(range(run_seed(args), run_seed(args) + args.seeds))
    comparison = Comparison(problem, names, seeds, budget)
    tracker = SearchTracker()

    def one_run(name: str, seed: int) -> Result:
        nonlocal tracker
        tracker = SearchTracker()
        try:
            return solve_named(args, problem, name, params[name], budget, seed, tracker)
        except KeyboardInterrupt:
            doc = comparison.document() | {"status": "interrupted",
                                           "interrupted_run": interrupted_document(problem, name, seed, tracker)}
            save_interrupted(args, [(args.json, doc)])
            raise

    if args.workers in (None, 1):
        compare(problem, names, seeds, budget, one_run, into=comparison)
    else:
        try:
            compare_on(make_executor(args.workers), problem, names, params, seeds, budget, into=comparison,
                       on_run=args.stop.check)
        except KeyboardInterrupt:
            save_interrupted(args, [(args.json, comparison.document() | {"status": "interrupted"})])
    doc = comparison.document()
    out = console(args)
    out.print(report.comparison_table(
        f"{report.plural(len(names), 'solver')} x {report.plural(len(seeds), 'seed')}, budget {budget.describe()}, "
        f"objective {scenario.objective}",
        doc["solvers"], doc["lower_bound"]))
    if args.plot:
        plots.convergence_plot(args.plot, {name: [r.history for r in runs] for name, runs in comparison.runs.items()},
                               f"Convergence on {scenario.name} ({report.plural(len(scenario.tasks), 'task')})",
                               problem.lower_bound)
    if args.json:
        write_json(args.json, doc)


def cmd_validate(args: argparse.Namespace) -> None:
    from eosdnn.problems.instances import InstanceShape, random_scenario
    check_outputs(args)
    names = registered_names(args.solvers or ",".join(heuristics()), SOLVERS, "--solvers")
    exact = exact_params(args)
    params = built_params(args.param, dict.fromkeys(names, SOLVERS), "solver")
    if exact:
        SOLVERS.create("milp", **exact)
    first_seed = run_seed(args)
    if args.scenario:
        scenarios = [load_scenario(path) for path in args.scenario]
        origin = report.plural(len(scenarios), "scenario file")
    else:
        shape = InstanceShape(tasks=args.tasks, layers=args.layers, clients=args.clients, edge=args.edge,
                              cloud=args.cloud, max_pools=args.max_pools, dag_share=args.dag_share)
        scenarios = [random_scenario(first_seed + i, shape, args.objective) for i in range(args.instances)]
        origin = f"{report.plural(args.instances, 'random instance')} ({shape.describe()})"
    seeds = list(range(first_seed, first_seed + args.seeds))
    budget = budget_of(args)
    budget = budget.or_default(evaluations=DEFAULT_EVALUATIONS)
    done: list[dict] = []
    try:
        doc = validate(scenarios, names, seeds, budget, exhaustive_limit=args.exhaustive_limit,
                       milp_params=exact, solver_params=params, on_instance=done.append)
    except KeyboardInterrupt:
        save_interrupted(args, [(args.json, validation_document(done, names, seeds, budget) | {"status": "interrupted"})])
    out = console(args)
    out.print(report.instances_table(doc["instances"]))
    out.print(report.validation_table(
        f"Gap to the optimum: {origin}, {report.plural(len(seeds), 'seed')}, budget {doc['budget']}", doc["solvers"]))
    uncertified = sum(not entry["exact"]["certified"] for entry in doc["instances"])
    if uncertified:
        out.print(f"[yellow]note:[/] {report.plural(uncertified, 'instance')} without a certified optimum: their "
                  "gaps are measured to the MILP's lower bound and overstate the true gap")
    for name, instances in doc["exhaustive_runs"].items():
        out.print(f"[yellow]warning:[/] {name} evaluated at least as many placements as "
                  f"{report.plural(len(instances), 'instance')} have ({', '.join(instances)}): there it searched "
                  "exhaustively and its gap says nothing about the heuristic; give a smaller budget or larger instances",
                  highlight=False)
    if args.json:
        write_json(args.json, doc)


def placement_genes(args: argparse.Namespace, problem: MigrationProblem, seed: int, params: dict) -> tuple[np.ndarray, str]:
    """The placement to plan uploads for: a file, a named migration solver's answer, or (by default)
    the plan `eosdnn run` recommends."""
    if args.placement:
        return load_placement(problem, args.placement), Path(args.placement).name
    if args.solver:
        result = solve_named(args, problem, args.solver, params, budget_of(args).or_default(iterations=600), seed)
        return result.x, f"{args.solver} (seed {seed}, value {result.value:.4f})"
    chosen = run_recommendation(args, problem, seed, args.evaluations or PAPER_EVALUATIONS)
    best = chosen.result
    return best.x, (f"the recommended plan ({chosen.best}, seed {seed}, value {best.value:.4f}, "
                    f"{report.gap(best.value, problem.lower_bound)} above the lower bound)")


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


def cmd_upload(args: argparse.Namespace) -> None:
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
    if args.json:
        write_json(args.json, upload_document(plans, planners) | {"placement": source})


def cmd_reproduce(args: argparse.Namespace) -> None:
    from eosdnn.experiments import Settings, figure_files, figure_names, reproduce
    from eosdnn.experiments.settings import ALGORITHMS
    from eosdnn.experiments.upload_figures import PAPER_PLANNERS

    check_outputs(args)
    names = figure_names(args.figure)
    check_folder(args.out, "--out", figure_files(names))
    if args.json and args.json != STDOUT and any(same_file(args.json, Path(args.out) / name)
                                                 for name in figure_files(names)):
        raise EosdnnError(f"--json {args.json!r}: the same file as a figure's JSON in --out")
    raw = built_params(args.param, dict.fromkeys(ALGORITHMS, SOLVERS) | dict.fromkeys(PAPER_PLANNERS, PLANNERS),
                       "solver or planner")
    seeds = args.seeds if args.seeds is not None else (2 if args.quick else 5)
    settings = Settings(seeds=seeds, first_seed=run_seed(args), quick=args.quick,
                        params={name: values for name, values in raw.items() if values})
    out = console(args)
    out.print(f"Reproducing {', '.join(names)}: {settings.describe()}; files in {args.out}")
    started = time.perf_counter()
    executor = make_executor(args.workers if args.workers is not None or not args.quick else 1)
    figures = reproduce(names, settings, args.out, executor=executor, on_figure=lambda figure: out.print(figure.table),
                        on_run=args.stop.check, progress=progress_shown(args))
    out.print(f"{len(figures)} figure(s) in {time.perf_counter() - started:.1f} s on {executor.workers} worker(s): "
              f"PNG and JSON in {args.out}")
    if args.json:
        write_json(args.json, {"format": 1, "settings": settings.describe(),
                               "figures": {f.name: f.data for f in figures}})


def cmd_sweep(args: argparse.Namespace) -> None:
    from eosdnn.sweep import ResultsDatabase, csv_text, load_grid, run_sweep, summarise_runs

    if args.target == "report":
        if not args.database:
            raise EosdnnError("sweep report: give the results database, e.g. `eosdnn sweep report study.sqlite`")
        check_outputs(args)
        database = ResultsDatabase(args.database, create=False)
        try:
            rows = database.rows(warn=lambda text: print(f"warning: {text}", file=sys.stderr))
        finally:
            database.close()
        entries = summarise_runs(rows)
        console(args).print(report.sweep_table(f"{args.database}: {report.plural(len(rows), 'run')}", entries))
        if args.csv:
            write_text(args.csv, csv_text(rows))
        if args.plot:
            plots.sweep_summary(args.plot, entries)
        return
    for key in ("csv", "plot"):
        if getattr(args, key):
            raise EosdnnError(f"--{key}: only `sweep report DB` writes a table or a plot")
    if args.database is None:
        args.database = str(Path(args.target).with_suffix(".sqlite"))
    if same_file(args.database, args.target):
        raise EosdnnError(f"DB {args.database!r}: is the grid file itself; give a database path ending in .sqlite")
    grid = load_grid(args.target)
    executor = make_executor(args.workers, args.dask)
    database = ResultsDatabase(args.database)
    out = console(args)
    done = database.done()
    todo = sum(run.key not in done for run in grid.runs)
    out.print(f"Sweep {grid.name}: {report.plural(len(grid.runs), 'run')}, {len(grid.runs) - todo} already in "
              f"{database.path}; {todo} to run on {args.dask or report.plural(executor.workers, 'worker')}",
              highlight=False)
    try:
        with progress_steps("sweep", todo, parallel=executor.workers or 1) as step:
            def on_run(description: str, failed: bool) -> None:
                step(description, failed)
                args.stop.check()

            progress = run_sweep(grid, database, executor, on_run)
    except KeyboardInterrupt:
        raise Interrupted(f"{args.stop.name}; the runs finished so far are in {database.path} (a rerun resumes)") from None
    finally:
        database.close()
    out.print(f"{report.plural(progress.ran, 'run')} in {progress.seconds:.1f} s, {progress.failed} failed; "
              f"`eosdnn sweep report {database.path}` summarises them", highlight=False)


def cmd_evaluate(args: argparse.Namespace) -> None:
    check_outputs(args)
    scenario = scenario_of(args)
    problem = MigrationProblem(scenario)
    if args.placement:
        genes = load_placement(problem, args.placement)
        label = Path(args.placement).name
    else:
        genes = problem.named_plan(args.plan)
        label = args.plan
    result = plan_report(problem, genes).document()
    out = console(args)
    result |= {"lower_bound": problem.lower_bound, "gap_to_bound": problem.gap_to_bound(result["value"])}
    out.print(report.results_table(f"Evaluation of {label}", {label: result}, scenario.objective, problem.lower_bound))
    out.print(report.tasks_table("Per task", scenario, result))
    if args.save_placement:
        save_placement(problem, genes, args.save_placement)
    if args.json:
        write_json(args.json, result)


def cmd_models(args: argparse.Namespace) -> None:
    check_outputs(args)
    out = console(args)
    if args.action is None:
        if args.json:
            raise EosdnnError("--json: give a model, e.g. `eosdnn models show vgg19 --json vgg19.json`")
        out.print(report.models_table([builtin_model(name) for name in BUILTIN]))
        return
    if args.action == "show":
        if not args.name:
            raise EosdnnError("models show: give a model name or a model JSON path")
        model = resolve_model(args.name)
    elif args.name and args.name.lower().endswith(".onnx"):  # import an ONNX model
        from eosdnn.problems.models.onnx_import import import_onnx

        with warnings.catch_warnings(record=True) as caught:  # `--unknown zero`: one warning line per op
            warnings.simplefilter("always")
            model = import_onnx(args.name, granularity=args.granularity, batch=args.batch,
                                input_shape=args.input_shape, unknown=args.unknown, name=args.model_name)
        for warning in caught:
            print(f"warning: {warning.message}", file=sys.stderr)
    else:  # import a measured table
        if not args.name:
            raise EosdnnError("models import: give an ONNX model (.onnx) or a measured layer table (CSV)")
        if args.host_ghz is None:
            raise EosdnnError("--host-ghz: the clock of the host that measured the table is needed")
        measured = load_measured_table(args.name, host_ghz=args.host_ghz, unit=args.unit, name=args.model_name,
                                       repair=not args.strict)
        if args.weights_from:
            weighted = with_weights_from(measured.model, resolve_model(args.weights_from))
            kept = tuple(note for note in measured.notes if NO_WEIGHTS not in note)
            measured = attrs.evolve(weighted, notes=kept + weighted.notes)
        for note in measured.notes:
            out.print(f"[yellow]note:[/] {note}", highlight=False)
        model = measured.model
    out.print(report.model_table(model) if args.layers else report.model_summary_table(model))
    if args.json:
        save_model(model, args.json)


def cmd_solvers(args: argparse.Namespace) -> None:
    from eosdnn.operators.registry import OPERATORS

    out = console(args)
    for title, registry in (("Migration solvers", SOLVERS), ("Operators (kind:name)", OPERATORS),
                            ("Uploading planners", PLANNERS), ("Objectives", OBJECTIVES)):
        out.print(report.registry_table(title, registry))


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="eosdnn", description="Plan DNN inference offloading in local-edge-cloud systems.")
    parser.add_argument("--version", action="version", version=f"eosdnn {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    seed_type = whole_number(0, SEED_MAX)

    def common(p: argparse.ArgumentParser, scenario: bool = True) -> None:
        if scenario:
            p.add_argument("--scenario", help="scenario TOML file (default: the paper's scenario)")
        p.add_argument("--seed", type=seed_type, default=None, help=SEED_HELP)
        p.add_argument("--json", metavar="PATH", help="write the machine-readable result here")

    def params(p: argparse.ArgumentParser, example: str) -> None:
        p.add_argument("--param", action="append", metavar="KEY=VALUE",
                       help=f"a parameter: key=value for the one solver/planner named, name.key=value to address "
                            f"one of several (repeatable), e.g. {example}")

    def workers(p: argparse.ArgumentParser, default_note: str = "") -> None:
        p.add_argument("--workers", type=whole_number(1, 1_024), default=None,
                       help=f"local worker processes for the runs (default: one per core, {cpu_count()} here"
                            f"{default_note}; 1 runs in this process); the results are the same bits for any count")

    def budget(p: argparse.ArgumentParser) -> None:
        p.add_argument("--iterations", type=whole_number(1), help="budget: iterations (generations)")
        p.add_argument("--evaluations", type=whole_number(1), help="budget: objective evaluations")
        p.add_argument("--seconds", type=positive_number, help="budget: wall-clock seconds")

    def plan_output(p: argparse.ArgumentParser) -> None:
        p.add_argument("--plan-detail", action="store_true", help="print every layer's node and timing")
        p.add_argument("--quiet", action="store_true", help="print the summary only")

    def exact(p: argparse.ArgumentParser) -> None:
        p.add_argument("--backend", choices=["highs", "cbc"], help="milp: HiGHS through highspy (default) or CBC")
        p.add_argument("--time-limit", type=positive_number, help="milp: seconds before the search stops (default 60)")
        p.add_argument("--gap", type=fraction, help="milp: relative gap at which the search may stop (default 1e-4)")
        p.add_argument("--warm-start", help="milp: greedy (default), none, or a placement JSON file")

    p = sub.add_parser("run", help="the main job: the best migration plan eosdnn finds (against greedy, HEFT, PEFT, "
                                   "the tier plans and EosDNN) and its LMU uploading plan")
    common(p)
    p.add_argument("--evaluations", type=whole_number(1), default=PAPER_EVALUATIONS,
                   help=f"evaluations of each search (default {PAPER_EVALUATIONS:,}, the paper's PSO-GA budget)")
    params(p, "lmu.max_units=400, lmu.rest=requeue, ionn.base=0.3 (the uploading planners')")
    plan_output(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("solve", help="run one migration solver")
    common(p)
    p.add_argument("--solver", required=True, help="solver name (see `eosdnn solvers`)")
    p.add_argument("--placement-out", metavar="PATH", help="write the placement file here")
    budget(p)
    params(p, "particles=50")
    exact(p)
    plan_output(p)
    p.set_defaults(func=cmd_solve)

    p = sub.add_parser("compare", help="compare solvers over seeds in one table")
    common(p)
    p.add_argument("--solvers", required=True, help="comma-separated solver names")
    p.add_argument("--seeds", type=whole_number(1, 10_000), default=5, help="number of seeds (from --seed, default 0)")
    p.add_argument("--plot", metavar="PATH", help="write a convergence plot (PNG, PDF or SVG by the suffix)")
    p.add_argument("--workers", type=whole_number(1, 1_024), default=None,
                   help="local worker processes for the runs (default 1: this process, with a progress bar per "
                        "run); the results are the same bits for any count")
    budget(p)
    params(p, "psoga.particles=50 (or particles=50 when one solver is compared)")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("validate", help="gap of every heuristic to the exact optimum on small instances")
    p.add_argument("--scenario", action="append", help="a scenario file to use instead of random instances (repeatable)")
    p.add_argument("--seed", type=seed_type, default=None, help="first instance seed and first solver seed (default 0)")
    p.add_argument("--json", metavar="PATH", help="write the machine-readable result here")
    p.add_argument("--instances", type=whole_number(1, 1_000), default=6, help="random instances (default 6)")
    p.add_argument("--tasks", type=whole_number(1, 20), default=3, help="tasks per instance (default 3)")
    p.add_argument("--layers", type=whole_number(1, 50), default=4, help="layers per model (default 4)")
    p.add_argument("--clients", type=whole_number(1, 16), default=2, help="clients (default 2)")
    p.add_argument("--edge", type=whole_number(0, 16), default=1, help="edge servers (default 1)")
    p.add_argument("--cloud", type=whole_number(0, 16), default=1, help="cloud servers (default 1)")
    p.add_argument("--max-pools", type=whole_number(1, 16), default=2, help="server pools drawn from 1..N (default 2)")
    p.add_argument("--dag-share", type=fraction, default=0.5, help="share of DAG models, the rest chains (default 0.5)")
    p.add_argument("--objective", choices=OBJECTIVES.names(), default="total",
                   help="what a plan is scored by (default total; see `eosdnn solvers`)")
    p.add_argument("--solvers", help="comma-separated solvers to check (default: every registered heuristic, "
                                     f"now {','.join(heuristics())})")
    p.add_argument("--seeds", type=whole_number(1, 10_000), default=3, help="seeds per solver (default 3)")
    p.add_argument("--exhaustive-limit", type=whole_number(1, 1_000_000_000), default=2_000_000,
                   help="solve by exhaustive search up to this many placements, else by MILP (default 2,000,000)")
    budget(p)
    params(p, "psoga.particles=20")
    exact(p)
    p.epilog = f"without a budget every heuristic gets {DEFAULT_EVALUATIONS:,} evaluations"
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("upload", help="uploading plans (LMU and baselines) for every task of a placement")
    common(p)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--placement", help="placement JSON file")
    group.add_argument("--solver", help="plan under this migration solver's placement (default: the plan `eosdnn run` "
                                        "recommends, searched here)")
    p.add_argument("--planner", default=",".join(DEFAULT_PLANNERS),
                   help=f"comma-separated planners (default {','.join(DEFAULT_PLANNERS)}; also exact)")
    p.add_argument("--tasks", help="only these tasks, e.g. 0,3 (default all)")
    p.add_argument("--horizon", type=positive_number,
                   help="SSD horizon in seconds (default: each task's total upload time)")
    p.add_argument("--plot", metavar="PATH", help="SD timelines of every planner (PNG, PDF or SVG by the suffix)")
    p.add_argument("--skip-refused", action="store_true",
                   help="report a planner that refuses a task (exact on a large model) instead of stopping")
    budget(p)
    params(p, "lmu.rest=requeue, ionn.base=0.3, exact.max_units=22, psoga.particles=50")
    p.set_defaults(func=cmd_upload)

    p = sub.add_parser("reproduce", help="the paper's Figs. 12-18: PNG, JSON and a table each")
    p.add_argument("figure", metavar="FIG", help="fig12 ... fig18, or all")
    p.add_argument("--out", default="reproduction", help="folder for the PNG and JSON files (default ./reproduction)")
    p.add_argument("--seeds", type=whole_number(1, 1_000), default=None,
                   help="seeds per setting (default 5; 2 with --quick)")
    p.add_argument("--seed", type=seed_type, default=None, help="first seed (default 0)")
    p.add_argument("--quick", action="store_true", help="tiny budgets and sweeps (all figures in seconds, for tests)")
    p.add_argument("--json", metavar="PATH", help="also write every figure's numbers into one file")
    workers(p, ", and 1 with --quick")
    params(p, "psoga.w_max=0.9, lmu.rest=requeue")
    p.set_defaults(func=cmd_reproduce)

    p = sub.add_parser("sweep", help="grids of scenarios x solvers x seeds into an SQLite results database "
                                     "(resumable); `sweep report DB` summarises one")
    p.add_argument("target", metavar="GRID|report", help="a grid file (TOML), or `report`")
    p.add_argument("database", nargs="?", metavar="DB",
                   help="the results database (default: the grid file's name with .sqlite)")
    workers(p)
    p.add_argument("--dask", metavar="ADDRESS", help="run on a Dask cluster: tcp://HOST:PORT, or `local` for a "
                                                     "LocalCluster here (needs eosdnn[dask])")
    p.add_argument("--csv", metavar="PATH", help="report: write every run as a tidy CSV table")
    p.add_argument("--plot", metavar="PATH", help="report: plot the mean per grid point and solver")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("solvers", help="list the registered solvers with their parameters, operators and planners")
    p.set_defaults(func=cmd_solvers)

    p = sub.add_parser("evaluate", help="score a placement: objective, per-task completion, T1/T2/T3")
    common(p)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--placement", help="placement JSON file")
    group.add_argument("--plan", choices=sorted(TIER_PLANS), help="a reference plan instead of a file")
    p.add_argument("--save-placement", metavar="PATH", help="write the evaluated placement as a placement file")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("models", help="built-in models; `models show NAME`; `models import CSV --host-ghz G`")
    p.add_argument("action", nargs="?", choices=["show", "import"])
    p.add_argument("name", nargs="?", help="model name, model JSON or ONNX path (show); ONNX model or measured CSV table (import)")
    p.add_argument("--json", metavar="PATH", help="write the model in the model JSON format")
    p.add_argument("--layers", action="store_true",
                   help="show, import: print every layer (default: a one-line summary)")
    p.add_argument("--host-ghz", type=positive_number, help="import: clock of the host that measured the table")
    p.add_argument("--unit", choices=sorted(UNITS), default="mib",
                   help="import: unit of output_size_mb (mib: MiB of float32; mb: decimal MB; mib8: elements*8/2**20)")
    p.add_argument("--model-name", help="import: name of the model (default: the file name)")
    p.add_argument("--strict", action="store_true", help="import: refuse a table with structural defects instead of repairing")
    p.add_argument("--weights-from", metavar="MODEL",
                   help="import CSV: take weight sizes from a built-in model or model JSON with the same layer names "
                        "(or the same number of layers)")
    p.add_argument("--granularity", choices=["fused", "node"], default="fused",
                   help="import .onnx: fold elementwise and shape-only nodes into their producer (default) or keep every node")
    p.add_argument("--batch", type=whole_number(1, 1_000_000), default=1, help="import .onnx: size of dynamic dimensions (default 1)")
    p.add_argument("--input-shape", type=shape_type, help="import .onnx: the input's shape, e.g. 1,3,224,224")
    p.add_argument("--unknown", choices=["error", "zero"], default="error",
                   help="import .onnx: an unsupported op is an error (default) or a layer of zero operations")
    p.set_defaults(func=cmd_models)
    return parser


def with_flag(message: str, args: argparse.Namespace) -> str:
    """A library error names the field (`horizon: ...`); where the command has a flag for that field,
    the user reads the flag (`--horizon: ...`)."""
    field, sep, rest = message.partition(": ")
    flag = field.replace("_", "-")
    if sep and field.isidentifier() and hasattr(args, field):
        return f"--{flag}: {rest}"
    return message


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that Python's last flush at exit has nothing to fail on."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # a captured or closed stdout
        pass


def main(argv: list[str] | None = None) -> int:
    """Run one command; bad input is one `error:` line with exit 2; Ctrl-C or SIGTERM one line with
    exit 130 or 143 (after saving what the command had, where it was asked to)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as stop:  # usage errors (one line, 2), --help and --version (0)
        return stop.code if isinstance(stop.code, int) else 2
    args.stop = StopRequests()
    try:
        args.stop.install()
    except ValueError:  # not the main thread: signals stay as they are
        pass
    try:
        args.func(args)
        sys.stdout.flush()
        args.stop.check()
    except EosdnnError as error:
        print(f"error: {with_flag(str(error), args)}", file=sys.stderr)
        return 2
    except Interrupted as stop:
        print(f"error: {stop}", file=sys.stderr)
        return args.stop.exit_code
    except KeyboardInterrupt:
        print(f"error: {args.stop.name}", file=sys.stderr)
        return args.stop.exit_code
    except BrokenPipeError:  # `eosdnn ... | head`: the reader left; nothing more to say
        _silence_stdout()
        return 0
    except OSError as error:  # standard output on a full or failing device
        _silence_stdout()
        where = error.filename or "standard output"
        print(f"error: {where}: cannot be written ({error.strerror or error})", file=sys.stderr)
        return 2
    finally:
        args.stop.uninstall()
    return 0


if __name__ == "__main__":
    sys.exit(main())
