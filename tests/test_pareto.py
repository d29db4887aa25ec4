"""Pareto fronts against the true front of every placement (brute force over small instances), and
the `pareto` command's outputs: its chosen plan feeds `evaluate` and `upload` like any placement."""

from __future__ import annotations

import csv
import itertools
import json

import numpy as np
import pytest
from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

from eosdnn.cli import main
from eosdnn.problems.instances import InstanceShape, random_scenario
from eosdnn.problems.migration import MigrationProblem
from eosdnn.solvers.pareto import front_scale, hypervolume, objective_values, pareto_front, pick

from helpers import assert_one_error_line

NAMES = ("total", "energy", "cost")


def true_front(problem: MigrationProblem, names) -> np.ndarray:
    every = np.array(list(itertools.product(*[range(int(u) + 1) for u in problem.upper])))
    F, _ = objective_values(problem, names, every)
    return F[NonDominatedSorting().do(F, only_non_dominated_front=True)]


def small(seed: int) -> MigrationProblem:
    shape = InstanceShape(tasks=2, layers=3, clients=2, edge=1, cloud=1, max_pools=1)
    return MigrationProblem(random_scenario(seed, shape))


@pytest.mark.parametrize("names", [NAMES, ("total", "cost")])
def test_nsga2_reaches_the_true_fronts_hypervolume_on_instances_small_enough_to_enumerate(names):
    for seed in range(5):
        problem = small(seed)
        scale = front_scale(problem, names)
        exact = hypervolume(true_front(problem, names), scale)
        front = pareto_front(problem, names, evaluations=3000, population=40, seed=seed)
        found = hypervolume(front.F, scale)
        assert found <= exact * (1 + 1e-12)  # no front beats the true one
        assert found >= 0.99 * exact, (seed, found, exact)
        # every point is a real plan with the values the evaluator gives it
        again, _ = objective_values(problem, names, front.X)
        np.testing.assert_allclose(again, front.F, rtol=1e-12)


def test_the_chosen_plan_follows_the_weights():
    problem = small(0)
    front = pareto_front(problem, NAMES, evaluations=2000, population=40, seed=0)
    scale = front_scale(problem, NAMES)
    fastest = pick(front.F, scale, np.array([1.0, 0.0, 0.0]))
    cheapest = pick(front.F, scale, np.array([0.0, 0.0, 1.0]))
    assert front.F[fastest, 0] == front.F[:, 0].min() and front.F[cheapest, 2] == front.F[:, 2].min()


def test_the_command_writes_the_front_and_its_chosen_plan_feeds_evaluate_and_upload(tmp_path, capsys):
    out, table, plan, png = (tmp_path / name for name in ("front.json", "front.csv", "plan.json", "front.png"))
    assert main(["pareto", "--objectives", "total,energy", "--evaluations", "1500", "--population", "30",
                 "--pick", "total=1,energy=1", "--json", str(out), "--csv", str(table), "--save-placement",
                 str(plan), "--plot", str(png)]) == 0
    printed = capsys.readouterr().out
    assert "Pareto front:" in printed and "total (s)" in printed and "energy (J)" in printed
    doc = json.loads(out.read_text())
    assert doc["objectives"] == ["total", "energy"] and 0 < doc["hypervolume"] <= 1
    values = np.array([[p["values"]["total"], p["values"]["energy"]] for p in doc["points"]])
    assert len(NonDominatedSorting().do(values, only_non_dominated_front=True)) == len(values)  # non-dominated
    rows = list(csv.DictReader(table.open()))
    assert len(rows) == len(doc["points"]) and sum(row["picked"] == "True" for row in rows) == 1
    picked = doc["points"][doc["picked"]]
    assert main(["evaluate", "--placement", str(plan), "--objective", "energy", "--json", str(tmp_path / "e.json")]) == 0
    evaluated = json.loads((tmp_path / "e.json").read_text())
    assert evaluated["energy_j"] == pytest.approx(picked["values"]["energy"], rel=1e-12)
    assert evaluated["total"] == pytest.approx(picked["values"]["total"], rel=1e-12)
    capsys.readouterr()
    assert main(["upload", "--placement", str(out), "--tasks", "0", "--planner", "lmu"]) == 0  # the front's JSON too
    assert png.stat().st_size > 10_000


@pytest.mark.parametrize("args,needle", [(["--objectives", "total"], "two or more distinct objectives"),
                                         (["--objectives", "total,carbon"], "unknown objective 'carbon'"),
                                         (["--pick", "speed=1"], "--pick: 'speed' is not one of"),
                                         (["--pick", "total=-1"], "finite number >= 0"),
                                         (["--algorithm", "moead"], "--algorithm")])
def test_bad_pareto_requests_are_one_error_line(args, needle, capsys):
    assert_one_error_line(main, ["pareto", "--evaluations", "100", *args], needle, capsys)


@pytest.mark.parametrize("algorithm", ["nsga3", "smsemoa"])
def test_the_many_objective_algorithms_also_reach_the_true_front(algorithm):
    problem = small(2)
    scale = front_scale(problem, NAMES)
    exact = hypervolume(true_front(problem, NAMES), scale)
    front = pareto_front(problem, NAMES, algorithm=algorithm, evaluations=3000, population=40, seed=0)
    assert 0.99 * exact <= hypervolume(front.F, scale) <= exact * (1 + 1e-12)
