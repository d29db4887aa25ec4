"""The `eosdnn` command line. Bad input ends in one `error:` line and exit code 2, never a traceback."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from eosdnn.framework import PLANNERS, SOLVERS, Budget, Registry, Result
from eosdnn.framework.progress import progress_callback
from eosdnn.problems.errors import EosdnnError
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.models import BUILTIN, builtin_model, resolve_model, save_model
from eosdnn.problems.models.measured import UNITS, load_measured_table
from eosdnn.problems.placement import load_placement, placement_to_dict, save_placement
from eosdnn.problems.scenario import Scenario, load_scenario, paper_scenario
from eosdnn import plots, report
from eosdnn.solvers import make_solver
from eosdnn.uploading import DEFAULT_PLANNERS, plan_tasks, summary, upload_document
from eosdnn.validation import DEFAULT_SOLVERS, validate

TIER_PLANS = {"all-local": "client", "all-edge": "edge", "all-cloud": "cloud"}


def write_json(path: str | None, data: Any) -> None:
    if path:
        Path(path).write_text(json.dumps(data, indent=1) + "\n")


def scenario_of(args: argparse.Namespace) -> Scenario:
    if getattr(args, "scenario", None):
        scenario = load_scenario(args.scenario)
        if args.seed is not None and args.seed != scenario.seed:
            raise EosdnnError("--seed: the scenario file sets its own seed; edit `seed` in the file instead")
        return scenario
    return paper_scenario(0 if args.seed is None else args.seed)


def reference_plans(problem: MigrationProblem) -> dict[str, dict]:
    rows = {}
    env = problem.scenario.environment
    for name, tier in TIER_PLANS.items():
        if tier != "client" and env.count(tier) == 0:
            continue
        rows[name] = problem.report(problem.tier_plan(tier))
    return rows


def parse_params(pairs: list[str] | None) -> dict[str, Any]:
    """`--param key=value` pairs; values read as JSON where they parse (numbers, lists), else strings."""
    params: dict[str, Any] = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise EosdnnError(f"--param {pair!r}: expected key=value")
        key, text = pair.split("=", 1)
        try:
            params[key.strip().replace("-", "_")] = json.loads(text)
        except json.JSONDecodeError:
            params[key.strip().replace("-", "_")] = text
    return params


def grouped_params(pairs: list[str] | None) -> dict[str, dict[str, Any]]:
    """Per-name parameters: `name.key=value` or `name={"key": value}`."""
    grouped: dict[str, dict[str, Any]] = {}
    for key, value in parse_params(pairs).items():
        if isinstance(value, dict):
            grouped.setdefault(key, {}).update({k.replace("-", "_"): v for k, v in value.items()})
        elif "." in key:
            name, field = key.split(".", 1)
            grouped.setdefault(name.replace("_", "-"), {})[field] = value
        else:
            raise EosdnnError(f"--param {key}: name the planner, e.g. lmu.rest=requeue or 'lmu={{\"rest\": \"requeue\"}}'")
    return grouped


def registered_names(text: str, registry: Registry, flag: str) -> list[str]:
    """A comma-separated list of registered names; a typo or an empty list fails before any work."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise EosdnnError(f"{flag}: give at least one {registry.kind} name, comma-separated")
    for name in names:
        registry.get(name)
    return names


def budget_of(args: argparse.Namespace) -> Budget:
    return Budget(iterations=args.iterations, evaluations=args.evaluations, seconds=args.seconds)


def run_solver(problem: MigrationProblem, name: str, params: dict, budget: Budget, seed: int | None,
               progress: bool | None = None) -> Result:
    solver = make_solver(name, **params)
    with progress_callback(f"{name} seed {seed}", progress) as callback:
        return solver.solve(problem, budget=budget, seed=seed, callback=callback)


def solve_document(problem: MigrationProblem, result: Result) -> dict:
    doc = problem.report(result.x)
    doc.update({
        "solver": result.solver,
        "seed": result.seed,
        "placement": placement_to_dict(problem, result.x),
        "evaluations": result.evaluations,
        "wall_s": result.wall_s,
        "history": [[e, v] for e, v in result.history],
    })
    if result.status is not None:
        doc.update({"status": result.status, "bound": result.bound, "gap": result.gap})
    if result.model_value is not None:
        doc["model_value"] = result.model_value
    if result.info:
        doc["info"] = dict(result.info)
    return doc


def cmd_run(args: argparse.Namespace) -> None:
    scenario = scenario_of(args)
    problem = MigrationProblem(scenario)
    out = report.console()
    out.print(report.environment_table(scenario))
    seed = 0 if args.seed is None else args.seed
    result = run_solver(problem, "psoga", {}, Budget(iterations=args.iterations), seed)
    rows = {"psoga": problem.report(result.x), **reference_plans(problem)}
    out.print(report.results_table(f"Migration plan: PSO-GA ({result.evaluations} evaluations, {result.wall_s:.1f} s) "
                                   f"against reference plans, {len(scenario.tasks)} tasks", rows, scenario.objective))
    beaten = [name for name, row in rows.items() if name != "psoga" and row["value"] < rows["psoga"]["value"]]
    if beaten:
        out.print(f"[yellow]note:[/] PSO-GA did not beat {', '.join(beaten)} on this scenario at this budget; "
                  "see `eosdnn compare` and docs/CHOICES.md (Solvers)")
    placement = placement_to_dict(problem, result.x)
    out.print(report.plan_table("PSO-GA plan per task", scenario, placement, rows["psoga"]))
    uploads = plan_tasks(problem, result.x, ["lmu", "non-uploading"])
    out.print(report.lmu_tasks_table("Uploading plan per task: LMU against Non-uploading (SSD over the upload)", [
        {"task": t.problem.task_index, "model": t.problem.model.name, "units": t.problem.n_units,
         "baseline_ssd": t.baseline.ssd, **summary(t, "lmu")} for t in uploads]))
    write_json(args.json, {"format": 1, "scenario": scenario.name, "seed": seed,
                           "migration": solve_document(problem, result), "plans": rows,
                           "upload": upload_document(uploads, ["lmu", "non-uploading"])})


EXACT_FLAGS = {"backend": "--backend", "time_limit": "--time-limit", "gap": "--gap", "warm_start": "--warm-start"}


def exact_params(args: argparse.Namespace) -> dict[str, Any]:
    """The MILP flags that were given, as solver parameters."""
    return {key: getattr(args, key) for key in EXACT_FLAGS if getattr(args, key, None) is not None}


def cmd_solve(args: argparse.Namespace) -> None:
    scenario = scenario_of(args)
    problem = MigrationProblem(scenario)
    seed = 0 if args.seed is None else args.seed
    params = parse_params(args.param)
    flags = exact_params(args)
    if flags and args.solver not in ("milp", "milp-free"):
        raise EosdnnError(f"{EXACT_FLAGS[next(iter(flags))]}: only the milp and milp-free solvers take it")
    result = run_solver(problem, args.solver, params | flags, budget_of(args), seed)
    doc = solve_document(problem, result)
    out = report.console()
    out.print(report.results_table(f"{args.solver}: {result.evaluations} evaluations, {result.wall_s:.2f} s, seed {seed}",
                                   {args.solver: doc}, scenario.objective))
    if result.status is not None:
        out.print(f"status {result.status}, bound {result.bound}, gap {result.gap}")
    out.print(report.plan_table("Plan per task", scenario, doc["placement"], doc))
    if args.placement_out:
        save_placement(problem, result.x, args.placement_out)
    write_json(args.json, doc)


def cmd_compare(args: argparse.Namespace) -> None:
    scenario = scenario_of(args)
    problem = MigrationProblem(scenario)
    names = registered_names(args.solvers, SOLVERS, "--solvers")
    params = parse_params(args.param)
    budget = budget_of(args)
    first_seed = 0 if args.seed is None else args.seed
    seeds = list(range(first_seed, first_seed + args.seeds))
    rows, runs_doc, histories = {}, {}, {}
    for name in names:
        results = [run_solver(problem, name, params.get(name, {}) if isinstance(params.get(name), dict) else {},
                              budget, seed) for seed in seeds]
        values = np.array([r.value for r in results])
        rows[name] = {
            "mean": float(values.mean()), "std": float(values.std()), "best": float(values.min()),
            "evaluations": float(np.mean([r.evaluations for r in results])),
            "wall_s": float(np.mean([r.wall_s for r in results])),
            **{k: float(np.mean([r.details[k] for r in results])) for k in ("exec", "transfer", "wait")},
        }
        runs_doc[name] = [{"seed": r.seed, "value": r.value, "evaluations": r.evaluations, "wall_s": r.wall_s,
                           "history": [[e, v] for e, v in r.history]} for r in results]
        histories[name] = [r.history for r in results]
    out = report.console()
    out.print(report.comparison_table(
        f"{len(names)} solvers x {len(seeds)} seeds, budget {budget.describe()}, objective {scenario.objective}", rows))
    if args.plot:
        plots.convergence_plot(args.plot, histories, f"Convergence on {scenario.name} ({len(scenario.tasks)} tasks)")
    write_json(args.json, {"format": 1, "objective": scenario.objective, "seeds": seeds, "budget": budget.describe(),
                           "solvers": rows, "runs": runs_doc})


def cmd_validate(args: argparse.Namespace) -> None:
    from eosdnn.problems.instances import InstanceShape, random_scenario
    first_seed = 0 if args.seed is None else args.seed
    if args.scenario:
        scenarios = [load_scenario(path) for path in args.scenario]
        origin = f"{len(scenarios)} scenario files"
    else:
        if args.instances < 1:
            raise EosdnnError(f"--instances: must be at least 1, got {args.instances}")
        shape = InstanceShape(tasks=args.tasks, layers=args.layers, clients=args.clients, edge=args.edge,
                              cloud=args.cloud, max_pools=args.max_pools, dag_share=args.dag_share)
        scenarios = [random_scenario(first_seed + i, shape, args.objective) for i in range(args.instances)]
        origin = f"{args.instances} random instances ({shape.describe()})"
    names = registered_names(args.solvers, SOLVERS, "--solvers")
    if args.seeds < 1:
        raise EosdnnError(f"--seeds: must be at least 1, got {args.seeds}")
    seeds = list(range(first_seed, first_seed + args.seeds))
    params = parse_params(args.param)
    doc = validate(scenarios, names, seeds, budget_of(args), exhaustive_limit=args.exhaustive_limit,
                   milp_params=exact_params(args),
                   solver_params={k: v for k, v in params.items() if isinstance(v, dict)})
    out = report.console()
    out.print(report.instances_table(doc["instances"]))
    out.print(report.validation_table(
        f"Gap to the optimum: {origin}, {len(seeds)} seeds, budget {doc['budget']}", doc["solvers"]))
    uncertified = sum(not entry["exact"]["certified"] for entry in doc["instances"])
    if uncertified:
        out.print(f"[yellow]note:[/] {uncertified} instance(s) have no certified optimum; their gaps are measured "
                  "to the MILP's lower bound and overstate the true gap")
    write_json(args.json, doc)


def placement_genes(args: argparse.Namespace, problem: MigrationProblem, seed: int) -> tuple[np.ndarray, str]:
    """The placement to plan uploads for: a file, or a migration solver's answer."""
    if args.placement:
        return load_placement(problem, args.placement), Path(args.placement).name
    result = run_solver(problem, args.solver, {}, budget_of(args).or_iterations(600), seed)
    return result.x, f"{args.solver} (seed {seed}, value {result.value:.4f})"


def cmd_upload(args: argparse.Namespace) -> None:
    scenario = scenario_of(args)
    problem = MigrationProblem(scenario)
    seed = 0 if args.seed is None else args.seed
    planners = registered_names(args.planner, PLANNERS, "--planner")
    if args.horizon is not None and args.horizon <= 0:
        raise EosdnnError(f"--horizon: must be positive, got {args.horizon}")
    tasks = None
    if args.tasks:
        try:
            tasks = [int(t) for t in args.tasks.split(",") if t.strip()]
        except ValueError:
            raise EosdnnError(f"--tasks: expected task numbers like 0,3, got {args.tasks!r}") from None
    genes, source = placement_genes(args, problem, seed)
    plans = plan_tasks(problem, genes, planners, tasks=tasks, horizon=args.horizon,
                       params=grouped_params(args.param), skip_refused=args.skip_refused)
    out = report.console()
    for task in plans:
        title = (f"Task {task.problem.task_index}: {task.problem.model.name} on "
                 f"{scenario.environment.nodes[task.problem.client].name}, {task.problem.n_units} upload units, "
                 f"placement {source}")
        rows = {name: summary(task, name) for name in task.plans}
        out.print(report.upload_table(title, rows, task.refused))
        for name, reason in task.refused.items():
            out.print(f"[yellow]{name} refused:[/] {reason}", highlight=False)
    if args.plot:
        panels = [(f"task {t.problem.task_index} {t.problem.model.name}",
                   {name: plan.timeline() for name, plan in t.plans.items()}) for t in plans]
        plots.sd_timelines(args.plot, panels)
    write_json(args.json, upload_document(plans, planners) | {"placement": source})


def cmd_reproduce(args: argparse.Namespace) -> None:
    from eosdnn.experiments import Settings, figure_names, reproduce

    names = figure_names(args.figure)
    settings = Settings(seeds=args.seeds, first_seed=0 if args.seed is None else args.seed, quick=args.quick)
    out = report.console()
    out.print(f"Reproducing {', '.join(names)}: {settings.describe()}; files in {args.out}")
    started = time.perf_counter()
    figures = reproduce(names, settings, args.out, on_figure=lambda figure: out.print(figure.table))
    out.print(f"{len(figures)} figure(s) in {time.perf_counter() - started:.1f} s: PNG and JSON in {args.out}")
    write_json(args.json, {"format": 1, "settings": settings.describe(),
                           "figures": {f.name: f.data for f in figures}})


def cmd_evaluate(args: argparse.Namespace) -> None:
    scenario = scenario_of(args)
    problem = MigrationProblem(scenario)
    if args.placement:
        genes = load_placement(problem, args.placement)
        label = Path(args.placement).name
    else:
        genes = problem.tier_plan(TIER_PLANS[args.plan])
        label = args.plan
    result = problem.report(genes)
    out = report.console()
    out.print(report.results_table(f"Evaluation of {label}", {label: result}, scenario.objective))
    out.print(report.tasks_table("Per task", scenario, result))
    if args.save_placement:
        save_placement(problem, genes, args.save_placement)
    write_json(args.json, result)


def cmd_models(args: argparse.Namespace) -> None:
    out = report.console()
    if args.action is None:
        models = [builtin_model(name) for name in BUILTIN]
        out.print(report.models_table(models))
        return
    if args.action == "show":
        if not args.name:
            raise EosdnnError("models show: give a model name or a model JSON path")
        model = resolve_model(args.name)
    else:  # import
        if not args.name:
            raise EosdnnError("models import: give the path of a measured layer table (CSV)")
        if args.host_ghz is None:
            raise EosdnnError("--host-ghz: the clock of the host that measured the table is needed")
        measured = load_measured_table(args.name, host_ghz=args.host_ghz, unit=args.unit, name=args.model_name,
                                       repair=not args.strict)
        for note in measured.notes:
            out.print(f"[yellow]note:[/] {note}", highlight=False)
        model = measured.model
    out.print(report.model_table(model))
    if args.json:
        save_model(model, args.json)


def cmd_solvers(args: argparse.Namespace) -> None:
    from eosdnn.framework import OPERATORS

    out = report.console()
    out.print("solvers: " + ", ".join(SOLVERS.names()))
    out.print("operators: " + ", ".join(OPERATORS.names()))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="eosdnn", description="Plan DNN inference offloading in local-edge-cloud systems.")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, scenario: bool = True) -> None:
        if scenario:
            p.add_argument("--scenario", help="scenario TOML file (default: the paper's scenario)")
        p.add_argument("--seed", type=int, default=None, help="seed of the paper scenario's random draws (default 0)")
        p.add_argument("--json", metavar="PATH", help="write the machine-readable result here")

    def budget(p: argparse.ArgumentParser) -> None:
        p.add_argument("--iterations", type=int, help="budget: iterations (generations)")
        p.add_argument("--evaluations", type=int, help="budget: objective evaluations")
        p.add_argument("--seconds", type=float, help="budget: wall-clock seconds")
        p.add_argument("--param", action="append", metavar="KEY=VALUE",
                       help="solver parameter, e.g. particles=50 or crossover=uniform (repeatable)")

    def exact(p: argparse.ArgumentParser) -> None:
        p.add_argument("--backend", choices=["highs", "cbc"], help="milp: HiGHS through highspy (default) or CBC")
        p.add_argument("--time-limit", type=float, help="milp: seconds before the search stops (default 60)")
        p.add_argument("--gap", type=float, help="milp: relative gap at which the search may stop (default 1e-4)")
        p.add_argument("--warm-start", help="milp: greedy (default), none, or a placement JSON file")

    p = sub.add_parser("run", help="the main job: PSO-GA migration plan and LMU uploading plan on the paper scenario")
    common(p)
    p.add_argument("--iterations", type=int, default=600, help="PSO-GA iterations (default 600, the paper's)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("solve", help="run one migration solver")
    common(p)
    p.add_argument("--solver", required=True, help="solver name (see `eosdnn solvers`)")
    p.add_argument("--placement-out", metavar="PATH", help="write the placement file here")
    budget(p)
    exact(p)
    p.set_defaults(func=cmd_solve)

    p = sub.add_parser("compare", help="compare solvers over seeds in one table")
    common(p)
    p.add_argument("--solvers", required=True, help="comma-separated solver names")
    p.add_argument("--seeds", type=int, default=5, help="number of seeds (from --seed, default 0)")
    p.add_argument("--plot", metavar="PATH", help="write a convergence plot (PNG)")
    budget(p)
    p.set_defaults(func=cmd_compare)
    p.epilog = 'per-solver parameters: --param \'psoga={"particles": 50}\''


    p = sub.add_parser("validate", help="gap of every heuristic to the exact optimum on small instances")
    p.add_argument("--scenario", action="append", help="a scenario file to use instead of random instances (repeatable)")
    p.add_argument("--seed", type=int, default=None, help="first instance seed and first solver seed (default 0)")
    p.add_argument("--json", metavar="PATH", help="write the machine-readable result here")
    p.add_argument("--instances", type=int, default=6, help="random instances (default 6)")
    p.add_argument("--tasks", type=int, default=3, help="tasks per instance (default 3)")
    p.add_argument("--layers", type=int, default=4, help="layers per model (default 4)")
    p.add_argument("--clients", type=int, default=2, help="clients (default 2)")
    p.add_argument("--edge", type=int, default=1, help="edge servers (default 1)")
    p.add_argument("--cloud", type=int, default=1, help="cloud servers (default 1)")
    p.add_argument("--max-pools", type=int, default=2, help="server pools drawn from 1..N (default 2)")
    p.add_argument("--dag-share", type=float, default=0.5, help="share of DAG models, the rest chains (default 0.5)")
    p.add_argument("--objective", choices=["total", "makespan"], default="total")
    p.add_argument("--solvers", default=",".join(DEFAULT_SOLVERS), help="comma-separated solvers to check")
    p.add_argument("--seeds", type=int, default=3, help="seeds per solver (default 3)")
    p.add_argument("--exhaustive-limit", type=int, default=2_000_000,
                   help="solve by exhaustive search up to this many placements, else by MILP (default 2,000,000)")
    budget(p)
    exact(p)
    p.epilog = 'per-solver parameters: --param \'psoga={"particles": 50}\''
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("upload", help="uploading plans (LMU and baselines) for every task of a placement")
    common(p)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--placement", help="placement JSON file")
    group.add_argument("--solver", default="psoga", help="migration solver for the placement (default psoga)")
    p.add_argument("--planner", default=",".join(DEFAULT_PLANNERS),
                   help=f"comma-separated planners (default {','.join(DEFAULT_PLANNERS)}; also exact)")
    p.add_argument("--tasks", help="only these tasks, e.g. 0,3 (default all)")
    p.add_argument("--horizon", type=float, help="SSD horizon in seconds (default: each task's total upload time)")
    p.add_argument("--plot", metavar="PATH", help="SD timelines of every planner (PNG)")
    p.add_argument("--skip-refused", action="store_true",
                   help="report a planner that refuses a task (exact on a large model) instead of stopping")
    budget(p)
    p.epilog = "planner parameters: --param lmu.rest=requeue, --param ionn.base=0.3, --param exact.max_units=22"
    p.set_defaults(func=cmd_upload)

    p = sub.add_parser("reproduce", help="the paper's Figs. 12-18: PNG, JSON and a table each")
    p.add_argument("figure", metavar="FIG", help="fig12 ... fig18, or all")
    p.add_argument("--out", default="reproduction", help="folder for the PNG and JSON files (default ./reproduction)")
    p.add_argument("--seeds", type=int, default=3, help="seeds per setting (default 3)")
    p.add_argument("--seed", type=int, default=None, help="first seed (default 0)")
    p.add_argument("--quick", action="store_true", help="tiny budgets and sweeps (all figures in seconds, for tests)")
    p.add_argument("--json", metavar="PATH", help="also write every figure's numbers into one file")
    p.set_defaults(func=cmd_reproduce)

    p = sub.add_parser("solvers", help="list the registered solvers and operators")
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
    p.add_argument("name", nargs="?", help="model name or JSON path (show); measured CSV table (import)")
    p.add_argument("--json", metavar="PATH", help="write the model in the model JSON format")
    p.add_argument("--host-ghz", type=float, help="import: clock of the host that measured the table")
    p.add_argument("--unit", choices=sorted(UNITS), default="mib",
                   help="import: unit of output_size_mb (mib: MiB of float32; mb: decimal MB; mib8: elements*8/2**20)")
    p.add_argument("--model-name", help="import: name of the model (default: the file name)")
    p.add_argument("--strict", action="store_true", help="import: refuse a table with structural defects instead of repairing")
    p.set_defaults(func=cmd_models)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except EosdnnError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
