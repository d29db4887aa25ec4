"""Limits and deadlines against brute force: the penalty rule ranks every feasible plan above every
infeasible one and infeasible ones by their violation, the searches and the exact MILP find the best
plan that keeps the limits, and a scenario no plan can satisfy says so with the least violation."""

from __future__ import annotations

import itertools
import json

import attrs
import numpy as np
import pytest

from eosdnn.cli import main
from eosdnn.framework import Budget
from eosdnn.jobs import run_named
from eosdnn.problems.constraints import INFEASIBLE, Limit, parse_limit
from eosdnn.problems.instances import InstanceShape, random_scenario
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.objectives import objective
from eosdnn.problems.scenario import load_scenario

from helpers import assert_one_error_line


def every_plan(problem: MigrationProblem) -> np.ndarray:
    return np.array(list(itertools.product(*[range(int(u) + 1) for u in problem.upper])))


def small(seed: int, **changes) -> MigrationProblem:
    shape = InstanceShape(tasks=2, layers=3, clients=2, edge=1, cloud=1, max_pools=1)
    return MigrationProblem(attrs.evolve(random_scenario(seed, shape), **changes))


def measured(problem: MigrationProblem, plans: np.ndarray, name: str) -> np.ndarray:
    plain = MigrationProblem(attrs.evolve(problem.scenario, objective=name, constraints=()))
    return plain.evaluate(plans)


def test_feasible_plans_score_their_objective_and_beat_every_infeasible_one():
    base = small(0)
    plans = every_plan(base)
    energy = measured(base, plans, "energy")
    limit = float(np.median(energy))
    problem = small(0, constraints=(Limit("energy", limit),))
    values = problem.evaluate(plans)
    feasible = energy <= limit
    assert np.array_equal(values[feasible], base.evaluate(plans)[feasible])  # the objective, untouched
    assert values[feasible].max() < values[~feasible].min() and values[~feasible].min() >= INFEASIBLE
    excess = (energy[~feasible] - limit) / limit  # one limit: the order of the violations
    assert np.array_equal(np.argsort(values[~feasible], kind="stable"), np.argsort(excess, kind="stable"))


@pytest.mark.parametrize("limit", ["energy", "makespan", "cost"])
def test_the_exact_milp_and_the_searches_find_the_best_plan_that_keeps_the_limit(limit):
    base = small(1)
    plans = every_plan(base)
    amount = measured(base, plans, limit)
    most = float(np.quantile(amount, 0.3))
    problem = small(1, constraints=(Limit(limit, most),))
    total = base.evaluate(plans)
    best = float(total[amount <= most].min())
    milp = run_named(problem, "milp", {"time_limit": 30.0}, Budget(), 0)
    assert milp.status == "optimal" and milp.value == pytest.approx(best, rel=1e-6)
    assert problem.report(milp.x).feasible
    search = run_named(problem, "local-search", {}, Budget(evaluations=3000), 0)
    assert search.value == pytest.approx(best, rel=1e-9)  # 729 placements: the search finds the best feasible one


def test_a_deadline_no_plan_can_meet_reports_the_least_violation(tmp_path, capsys):
    scenario_file = tmp_path / "late.toml"
    scenario_file.write_text('[environment]\npreset = "paper"\n[[tasks]]\nmodel = "alexnet"\ndeadline = 0.001\n')
    problem = MigrationProblem(load_scenario(scenario_file))
    assert problem.scenario.tasks[0].deadline == 0.001
    out = tmp_path / "late.json"
    assert main(["solve", "--scenario", str(scenario_file), "--solver", "best-response", "--json", str(out),
                 "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "No feasible plan found" in printed and "1 task deadline" in printed
    doc = json.loads(out.read_text())
    assert doc["feasible"] is False
    # the least violation is the least completion time's: the contention-free bound of the one task
    least = problem.lower_bound
    assert doc["violation"] == pytest.approx((least - 0.001) / 0.001, rel=1e-3)


def test_limits_from_the_command_line_join_the_scenarios(capsys):
    assert main(["evaluate", "--plan", "all-local", "--constraint", "cost<=0", "--constraint", "makespan<=1e6"]) == 0
    assert "The plan keeps every limit (cost<=0, makespan<=1e+06)." in capsys.readouterr().out
    assert main(["evaluate", "--plan", "all-cloud", "--constraint", "cost<=0"]) == 0
    assert "No feasible plan found" in capsys.readouterr().out


@pytest.mark.parametrize("text,needle", [("energy<<2", "expected a limit like energy<=2.5"),
                                         ("carbon<=2", "unknown measure 'carbon'"),
                                         ("energy<=-1", "finite number >= 0"), ("energy<=x", "'x' is not a number")])
def test_a_bad_limit_is_one_error_naming_the_flag(text, needle, capsys):
    line = assert_one_error_line(main, ["evaluate", "--plan", "all-local", "--constraint", text], needle, capsys)
    assert "--constraint" in line


def test_bad_constraints_and_deadlines_in_a_scenario_are_named(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text('constraints = ["energy<=1", "carbon<=2"]\n')
    assert_one_error_line(main, ["evaluate", "--plan", "all-local", "--scenario", str(path)], "constraints[1]", capsys)
    path.write_text('[[tasks]]\nmodel = "alexnet"\ndeadline = -2\n')
    assert_one_error_line(main, ["evaluate", "--plan", "all-local", "--scenario", str(path)], "tasks[0].deadline",
                          capsys)


def test_a_limit_reads_as_it_is_written():
    assert parse_limit(" makespan <= 1.5 ", "x") == Limit("makespan", 1.5)
    assert str(Limit("energy", 2.5)) == "energy<=2.5"
    assert objective("energy").name == "energy"


def test_objective_and_limits_are_sweep_grid_keys(tmp_path, capsys):
    grid = tmp_path / "grid.toml"
    grid.write_text('seeds = 1\nbudget = { evaluations = 200 }\n[scenario.vary]\ntasks = [4]\n'
                    'objective = ["total", "energy"]\nconstraints = [[], ["cost<=0", "energy<=1"]]\n'
                    '[[solvers]]\nname = "greedy"\n')
    database = tmp_path / "runs.db"
    assert main(["sweep", str(grid), str(database), "--workers", "1"]) == 0
    capsys.readouterr()
    assert main(["sweep", "report", str(database)]) == 0
    report = capsys.readouterr().out
    assert report.count("infeasible") >= 2  # greedy's plans rent servers and spend more than 1 J
    assert "objective=energy" in report and "constraints=[]" in report
