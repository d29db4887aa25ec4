"""`eosdnn solve`: one migration solver on one scenario."""

from __future__ import annotations

import argparse

from eosdnn import report
from eosdnn.cli import flags
from eosdnn.cli.shared import (write_plan_files, built_params, budget_of, check_outputs, console, exact_params, print_plan, run_seed,
                               save_interrupted, scenario_of, solve_named)
from eosdnn.documents import interrupted_document, plan_of, solve_document, strongest_bound
from eosdnn.framework.errors import EosdnnError
from eosdnn.framework.solver import SearchTracker
from eosdnn.problems.files import write_json
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.objectives import unit_of
from eosdnn.problems.placement import save_placement
from eosdnn.solvers.registry import SOLVERS, solver_traits

HELP = "run one migration solver"


def arguments(p: argparse.ArgumentParser) -> None:
    flags.common(p)
    p.add_argument("--solver", required=True, help="solver name (see `eosdnn solvers`)")
    p.add_argument("--placement-out", metavar="PATH", help="write the placement file here")
    flags.budget(p)
    flags.params(p, "particles=50")
    flags.exact(p)
    flags.plan_output(p)
    flags.plan_files(p)


def run(args: argparse.Namespace) -> None:
    check_outputs(args)
    SOLVERS.get(args.solver)
    given = exact_params(args)
    refused = [key for key in given if key not in solver_traits(args.solver).flags]
    if refused:
        takers = [name for name in SOLVERS.names() if refused[0] in solver_traits(name).flags]
        raise EosdnnError(f"{flags.EXACT_FLAGS[refused[0]]}: only {', '.join(takers)} take it")
    params = built_params(args.param, {args.solver: SOLVERS}, "solver", {args.solver: given})[args.solver]
    scenario = scenario_of(args)
    problem = MigrationProblem(scenario)
    seed = run_seed(args)
    tracker = SearchTracker()
    try:
        result = solve_named(args, problem, args.solver, params, budget_of(args), seed, tracker)
    except KeyboardInterrupt:
        partial = interrupted_document(problem, args.solver, seed, tracker)
        save_interrupted(args, [(args.json, partial), (args.placement_out, partial and partial["placement"])])
    out = console(args)
    bound, source = strongest_bound(problem, result)
    out.print(report.results_table(
        f"{args.solver}: {report.plural(result.evaluations, 'evaluation')}, {result.wall_s:.2f} s, seed {seed}",
        {args.solver: plan_of(result)}, scenario.objective, bound,
        source or report.bound_source(problem.bounds, unit_of(scenario.objective))))
    feasibility = report.feasibility_line(scenario, plan_of(result))
    if feasibility:
        out.print(feasibility, highlight=False)
    if result.status is not None:
        out.print(report.exact_status_line(result.status, result.bound, result.gap, result.model_status,
                                           unit_of(scenario.objective)), highlight=False)
    if not args.quiet:
        print_plan(out, "Plan per task", problem, result, args.plan_detail)
    if args.placement_out:
        save_placement(problem, result.x, args.placement_out)
    write_plan_files(args, problem, result.x, f"{scenario.name}: {args.solver}, seed {seed}")
    if args.json:
        write_json(args.json, solve_document(problem, result))
