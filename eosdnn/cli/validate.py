"""`eosdnn validate`: every heuristic's gap to the exact optimum on small instances (`eosdnn.validation`)."""

from __future__ import annotations

import argparse

from eosdnn import report
from eosdnn.cli import flags
from eosdnn.cli.shared import (built_params, budget_of, check_outputs, console, exact_params, registered_names,
                               run_seed, save_interrupted)
from eosdnn.documents import interrupted
from eosdnn.problems.files import csv_text, write_json, write_text
from eosdnn.tables import validation_rows
from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.instances import InstanceShape, model_scenario, random_scenario
from eosdnn.problems.models.io import resolve_model
from eosdnn.problems.objectives import OBJECTIVES
from eosdnn.problems.scenario import load_scenario
from eosdnn.solvers.registry import SOLVERS, heuristics
from eosdnn.validation import DEFAULT_EVALUATIONS, MILP_LAYERS, validate, validation_document

HELP = "gap of every heuristic to the exact optimum on small instances"


def arguments(p: argparse.ArgumentParser) -> None:
    whole = flags.whole_number
    p.add_argument("--scenario", action="append", help="a scenario file to use instead of random instances (repeatable)")
    p.add_argument("--csv", metavar="PATH", help="write one row per heuristic run as CSV (- for stdout)")
    p.add_argument("--seed", type=flags.seed_number, default=None,
                   help="first instance seed and first solver seed (default 0)")
    p.add_argument("--json", metavar="PATH", help="write the machine-readable result here")
    p.add_argument("--models", help="comma-separated models (built-in names or model/ONNX files): instances of "
                                    "these real models on the paper environment instead of random chains and DAGs")
    p.add_argument("--instances", type=whole(1, 1_000), default=None,
                   help="instances (default 6 random ones, or 1 of --models)")
    p.add_argument("--tasks", type=whole(1, 20), default=3, help="tasks per instance (default 3; with --models "
                                                                 "they take the models in turn)")
    p.add_argument("--layers", type=whole(1, 50), default=4, help="layers per model (default 4)")
    p.add_argument("--clients", type=whole(1, 16), default=2, help="clients (default 2)")
    p.add_argument("--edge", type=whole(0, 16), default=1, help="edge servers (default 1)")
    p.add_argument("--cloud", type=whole(0, 16), default=1, help="cloud servers (default 1)")
    p.add_argument("--max-pools", type=whole(1, 16), default=2, help="server pools drawn from 1..N (default 2)")
    p.add_argument("--dag-share", type=flags.fraction, default=0.5,
                   help="share of DAG models, the rest chains (default 0.5)")
    p.add_argument("--objective", choices=OBJECTIVES.names(), default="total",
                   help="what a plan is scored by (default total; see `eosdnn solvers`)")
    p.add_argument("--solvers", help="comma-separated solvers to check (default: every registered heuristic, "
                                     f"now {','.join(heuristics())})")
    p.add_argument("--seeds", type=whole(1, 10_000), default=3, help="seeds per solver (default 3)")
    p.add_argument("--exhaustive-limit", type=whole(1, 1_000_000_000), default=2_000_000,
                   help="solve by exhaustive search up to this many placements, else by MILP (default 2,000,000)")
    flags.budget(p)
    flags.params(p, "psoga.particles=20")
    flags.exact(p)
    p.epilog = (f"without a budget every heuristic gets {DEFAULT_EVALUATIONS:,} evaluations on random instances and "
                f"its own default budget with --models; the exact reference is exhaustive search, the MILP up to "
                f"{MILP_LAYERS} layers, CP-SAT above")


def run(args: argparse.Namespace) -> None:
    check_outputs(args)
    names = registered_names(args.solvers or ",".join(heuristics()), SOLVERS, "--solvers")
    exact = exact_params(args)
    params = built_params(args.param, dict.fromkeys(names, SOLVERS), "solver")
    if exact:
        SOLVERS.create("milp", **exact)
    first_seed = run_seed(args)
    if args.scenario and args.models:
        raise EosdnnError("--models: give either --scenario files or --models, not both")
    if args.scenario:
        scenarios = [load_scenario(path) for path in args.scenario]
        origin = report.plural(len(scenarios), "scenario file")
    elif args.models:
        models = [resolve_model(name.strip()) for name in args.models.split(",") if name.strip()]
        if not models:
            raise EosdnnError("--models: name at least one model")
        count = args.instances or 1
        scenarios = [model_scenario(first_seed + i, models, args.tasks, args.objective) for i in range(count)]
        origin = f"{report.plural(count, 'instance')} of {args.tasks} tasks ({', '.join(m.name for m in models)})"
    else:
        args.instances = args.instances or 6
        shape = InstanceShape(tasks=args.tasks, layers=args.layers, clients=args.clients, edge=args.edge,
                              cloud=args.cloud, max_pools=args.max_pools, dag_share=args.dag_share)
        scenarios = [random_scenario(first_seed + i, shape, args.objective) for i in range(args.instances)]
        origin = f"{report.plural(args.instances, 'random instance')} ({shape.describe()})"
    seeds = list(range(first_seed, first_seed + args.seeds))
    budget = budget_of(args) if args.models else budget_of(args).or_default(evaluations=DEFAULT_EVALUATIONS)
    done: list[dict] = []
    try:
        doc = validate(scenarios, names, seeds, budget, exhaustive_limit=args.exhaustive_limit,
                       milp_params=exact, solver_params=params, on_instance=done.append)
    except KeyboardInterrupt:
        save_interrupted(args, [(args.json, interrupted(validation_document(done, names, seeds, budget)))])
    out = console(args)
    out.print(report.instances_table(doc["instances"]))
    out.print(report.validation_table(
        f"Gap to the optimum: {origin}, {report.plural(len(seeds), 'seed')}, budget {doc['budget']}", doc["solvers"]))
    uncertified = sum(not entry["exact"]["certified"] for entry in doc["instances"])
    if uncertified:
        out.print(f"[yellow]note:[/] {report.plural(uncertified, 'instance')} without a certified optimum: their "
                  "gaps are measured to the exact solver's lower bound and overstate the true gap")
    for name, instances in doc["exhaustive_runs"].items():
        out.print(f"[yellow]warning:[/] {name} evaluated at least as many placements as "
                  f"{report.plural(len(instances), 'instance')} have ({', '.join(instances)}): there it searched "
                  "exhaustively and its gap says nothing about the heuristic; give a smaller budget or larger instances",
                  highlight=False)
    if args.csv:
        write_text(args.csv, csv_text(validation_rows(doc)))
    if args.json:
        write_json(args.json, doc)
