"""`eosdnn plot PLAN.json --out FILE.png`: a Gantt picture of a placement's schedule."""

from __future__ import annotations

import argparse
from pathlib import Path

from eosdnn.cli import flags
from eosdnn.cli.shared import check_outputs, scenario_of
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.placement import load_placement
from eosdnn.cli.shared import write_plan_files

HELP = "draw a placement's schedule (a placement file or a solve/run/pareto --json) as a Gantt chart"


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("placement", help="a placement file, or a solve, run or pareto JSON result (its placement)")
    p.add_argument("--gantt", metavar="PNG", required=True, help="the picture to write (any matplotlib format)")
    p.add_argument("--csv", metavar="PATH", help="also write the schedule as CSV, one row per layer (- for stdout)")
    flags.common(p)


def run(args: argparse.Namespace) -> None:
    check_outputs(args)
    problem = MigrationProblem(scenario_of(args))
    genes = load_placement(problem, args.placement)
    write_plan_files(args, problem, genes, f"{problem.scenario.name}: {Path(args.placement).name}")
