"""The `eosdnn` command line. Bad input ends in one `error:` line and exit code 2, never a traceback."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from eosdnn.problems.errors import EosdnnError
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.models import BUILTIN, builtin_model, resolve_model, save_model
from eosdnn.problems.models.measured import UNITS, load_measured_table
from eosdnn.problems.placement import load_placement, save_placement
from eosdnn.problems.scenario import Scenario, load_scenario, paper_scenario
from eosdnn import report

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


def cmd_run(args: argparse.Namespace) -> None:
    scenario = scenario_of(args)
    problem = MigrationProblem(scenario)
    out = report.console()
    out.print(report.environment_table(scenario))
    rows = reference_plans(problem)
    out.print(report.results_table(f"Reference plans: {len(scenario.tasks)} tasks, objective {scenario.objective}",
                                   rows, scenario.objective))
    write_json(args.json, {"format": 1, "scenario": scenario.name, "seed": scenario.seed, "plans": rows})


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="eosdnn", description="Plan DNN inference offloading in local-edge-cloud systems.")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, scenario: bool = True) -> None:
        if scenario:
            p.add_argument("--scenario", help="scenario TOML file (default: the paper's scenario)")
        p.add_argument("--seed", type=int, default=None, help="seed of the paper scenario's random draws (default 0)")
        p.add_argument("--json", metavar="PATH", help="write the machine-readable result here")

    p = sub.add_parser("run", help="the main job on the paper scenario (or --scenario)")
    common(p)
    p.set_defaults(func=cmd_run)

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
