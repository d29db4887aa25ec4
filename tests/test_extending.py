"""docs/EXTENDING.md's examples run as written, and what they add works everywhere: the new objective
(from busy seconds and bytes) matches a hand computation, its bound holds for every plan and its
MILP optimum matches brute force; the new solver is listed with its description and runs from the
command line; the new planner uploads every unit once and the exact DP bounds it."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest

from eosdnn.cli import main
from eosdnn.framework import Budget
from eosdnn.framework.solver import run_solver
from eosdnn.solvers.registry import SOLVERS
from eosdnn.solvers.upload import PLANNERS, plan_upload
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.objectives import OBJECTIVES
from eosdnn.problems.plan_report import plan_report
from eosdnn.problems.reference import reference_schedule

from helpers import chain, environment, scenario

DOC = Path(__file__).resolve().parent.parent / "docs" / "EXTENDING.md"


@pytest.fixture(scope="module")
def extended():
    """Run the page's python blocks in order in one namespace; remove what they registered after."""
    namespace: dict = {}
    try:
        for block in re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S):
            exec(compile(block, str(DOC), "exec"), namespace)
        yield namespace
    finally:
        OBJECTIVES.unregister("rent")
        SOLVERS.unregister("coin-flip")
        PLANNERS.unregister("lightest-first")


def tiny(objective: str):
    env = environment(clients=(1.0,), edge=(6.0,), cloud=(20.0,), client_edge=8.0, client_cloud=2.0)
    models = [chain("a", [2e9, 3e9, 1e9], [0.5, 0.2, 0.1]), chain("b", [1e9, 4e9], [0.8, 0.1])]
    return scenario(env, models, objective=objective)


def test_rent_is_completion_plus_the_hand_computed_price_of_server_seconds_and_cloud_bytes(extended):
    problem = MigrationProblem(tiny("rent"))
    # nodes: 0 the client (1 GHz), 1 the edge server (6 GHz), 2 the cloud server (20 GHz); model a's
    # layers on client, edge, cloud; model b's on edge, client. Cycles are flops / flops_per_cycle.
    genes = np.array([0, 1, 2, 1, 0])
    env = problem.scenario.environment
    cycles = np.array([2e9, 3e9, 1e9, 1e9, 4e9]) / env.flops_per_cycle
    edge_seconds = cycles[1] / 6e9 + cycles[3] / 6e9  # a's second layer, b's first
    cloud_seconds = cycles[2] / 20e9  # a's third layer
    cloud_mb = 0.1  # a's result goes back to the client from the cloud
    completion = reference_schedule(problem.scenario, problem.nodes_of(genes)).total
    expected = completion + 1.0 * edge_seconds + 3.0 * cloud_seconds + 0.5 * cloud_mb
    assert problem.evaluate(genes[None, :])[0] == pytest.approx(expected, rel=1e-12)
    assert plan_report(problem, genes).value == pytest.approx(expected, rel=1e-12)


def test_rent_bound_holds_and_its_milp_optimum_is_the_brute_force_optimum(extended):
    problem = MigrationProblem(tiny("rent"))
    every = np.array(list(itertools.product(*[range(int(u) + 1) for u in problem.upper])))
    values = problem.evaluate(every)
    best = float(values.min())
    assert problem.lower_bound <= best + 1e-12
    # the optimum is neither free of rent nor of offloading: the objective trades time against money
    local = float(problem.evaluate(np.zeros((1, problem.n_var), dtype=int))[0])
    assert best < local and problem.report(every[values.argmin()]).total < best  # it rents, and it pays off
    milp = run_solver(SOLVERS.create("milp"), problem, budget=Budget(), seed=0)
    assert milp.status == "optimal" and milp.value == pytest.approx(best, rel=1e-6)


def test_the_new_solver_is_listed_and_runs_from_the_command_line(extended, capsys):
    assert extended["coin"].solver == "coin-flip" and extended["result"].value >= extended["problem"].lower_bound
    assert main(["solvers"]) == 0
    listing = capsys.readouterr().out
    assert "coin-flip" in listing and "by a fair coin per layer" in listing and "rent" in listing
    assert main(["solve", "--solver", "coin-flip", "--iterations", "2", "--quiet"]) == 0
    assert main(["solve", "--solver", "coin-flip", "--param", "batch=0"]) == 2
    assert "coin-flip.batch" in capsys.readouterr().err


def test_an_unknown_objective_names_the_known_ones():
    with pytest.raises(Exception, match="objective: unknown objective 'carbon' .*"):
        tiny("carbon")


def test_the_new_planner_uploads_every_unit_once_and_the_exact_dp_bounds_it(extended, capsys):
    from eosdnn.problems.scenario import paper_scenario
    from eosdnn.problems.upload import UploadProblem

    scenario = paper_scenario(0, per_model=1)
    alexnet = scenario.tasks[0]
    nodes = [alexnet.client] * 3 + [5] * (alexnet.model.n_layers - 3)  # the first three layers stay local
    upload = UploadProblem(scenario, 0, nodes)
    plan = plan_upload("lightest-first", upload)
    units = [u for step in plan.steps for u in step.units]
    assert sorted(units) == list(range(upload.n_units))  # every unit exactly once
    seconds = [upload.units[u].seconds for u in units]
    assert seconds == sorted(seconds)  # lightest first, by hand
    exact = plan_upload("exact", upload)
    assert exact.ssd <= plan.ssd + 1e-9  # the exact DP is a lower bound on any plan
    assert main(["upload", "--planner", "lmu,lightest-first", "--tasks", "0", "--solver", "all-edge"]) == 0
    assert "lightest-first" in capsys.readouterr().out
