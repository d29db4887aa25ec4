"""The CP-SAT backend against independent references: brute force over every placement (its status
never claims more than the truth, its bound never exceeds the optimum) and the free-order MILP (the
same relaxation, so the same optimum up to the microsecond rounding)."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from eosdnn.framework import Budget
from eosdnn.framework.errors import EosdnnError
from eosdnn.jobs import run_named
from eosdnn.problems.instances import InstanceShape, model_scenario, random_scenario
from eosdnn.problems.models import builtin_model
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.scenario import paper_scenario
from eosdnn.solvers.registry import SOLVERS


def optimum(problem: MigrationProblem) -> float:
    every = np.array(list(itertools.product(*[range(int(u) + 1) for u in problem.upper])))
    return float(problem.evaluate(every).min())


def test_status_never_lies_and_the_bound_never_exceeds_the_optimum_on_100_instances():
    claimed = 0
    for seed in range(100):
        objective = ("total", "makespan")[seed % 2]
        shape = InstanceShape(tasks=2, layers=3, max_pools=1 + seed % 3, dag_share=0.5)
        problem = MigrationProblem(random_scenario(seed, shape, objective))
        best = optimum(problem)
        result = run_named(problem, "cpsat", {"workers": 1, "hint": "greedy"}, Budget(), seed)
        assert result.bound <= best * (1 + 1e-12)
        assert result.value >= best * (1 - 1e-12)
        assert result.gap == pytest.approx(max((result.value - result.bound) / result.bound, 0.0))
        if result.status == "optimal":
            claimed += 1
            assert result.value == pytest.approx(best, rel=1e-9)
    assert claimed >= 30  # the check above is not empty


@pytest.mark.parametrize("objective", ["total", "makespan"])
def test_the_free_order_optimum_equals_milp_free_on_tiny_validate_instances(objective):
    shape = InstanceShape(tasks=3, layers=4) if objective == "total" else InstanceShape(tasks=2, layers=4)
    for seed in range(4):
        problem = MigrationProblem(random_scenario(seed, shape, objective))
        cpsat = run_named(problem, "cpsat", {"workers": 1, "hint": "greedy"}, Budget(), seed)
        free = run_named(problem, "milp-free", {}, Budget(), seed)
        assert cpsat.model_status == "optimal" and free.model_status == "optimal"
        # rounding every time down to a microsecond moves the model's optimum by at most the
        # layers' count of microseconds per task
        assert cpsat.model_value == pytest.approx(free.bound, abs=problem.n_var * 1e-6 * len(problem.scenario.tasks))
        assert cpsat.model_value <= free.bound * (1 + 1e-9)


def test_the_time_limit_covers_everything_and_ends_in_an_honest_status():
    problem = MigrationProblem(paper_scenario(0))
    started = time.perf_counter()
    result = run_named(problem, "cpsat", {"time_limit": 3.0}, Budget(), 0)
    assert time.perf_counter() - started < 3.0 + 5.0  # the hint (a quarter of the limit) and the build, then at most the rest
    assert result.status == "feasible" and problem.lower_bound <= result.bound <= result.value


def test_bad_parameters_and_too_large_instances_are_one_clear_error():
    problem = MigrationProblem(paper_scenario(0))
    with pytest.raises(EosdnnError, match="max_layers"):
        run_named(problem, "cpsat", {"max_layers": 100}, Budget(), 0)
    for params, field in [({"hint": "nonsense"}, "hint"), ({"hint": "cpsat"}, "hint"), ({"workers": 0}, "workers"),
                          ({"time_limit": -1}, "time_limit")]:
        with pytest.raises(EosdnnError, match=field):
            SOLVERS.create("cpsat", **params)


def test_validate_on_real_models_answers_large_instances_with_cpsat(tmp_path):
    import json

    from eosdnn.cli import main

    out = tmp_path / "v.json"
    assert main(["validate", "--models", "alexnet", "--tasks", "4", "--seeds", "1", "--solvers", "greedy,peft",
                 "--time-limit", "10", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    (entry,) = doc["instances"]
    assert entry["name"] == "alexnet#0" and entry["layers"] == 52 and entry["exact"]["method"] == "cpsat"
    exact = entry["exact"]
    assert exact["bound"] <= exact["value"]
    problem = MigrationProblem(model_scenario(0, [builtin_model("alexnet")], 4))
    assert exact["bound"] >= problem.lower_bound  # at least the contention-free bound
    for runs in entry["runs"].values():
        assert all(run["value"] >= exact["bound"] for run in runs)


def test_a_heuristic_below_a_claimed_optimum_is_an_error_not_a_row():
    from eosdnn.validation import ExactAnswer, check_claim

    certified = ExactAnswer("milp", "optimal", 2.0, 2.0, 0.1)
    check_claim("i", "greedy", 2.0, certified)  # meeting the optimum is fine
    with pytest.raises(EosdnnError, match="below the certified optimum 2.0 of milp"):
        check_claim("i", "greedy", 1.99, certified)
    bounded = ExactAnswer("cpsat", "feasible", 2.5, 2.0, 0.1)
    check_claim("i", "greedy", 2.1, bounded)
    with pytest.raises(EosdnnError, match="below the proven lower bound"):
        check_claim("i", "greedy", 1.9, bounded)


def test_the_free_order_schedule_of_a_placement_is_at_most_every_task_order():
    """Three chains all on one single-pool edge server: serving whole tasks in any of the 6 orders
    (the evaluator's `task` priority over permuted tasks) is a free-order schedule, so CP-SAT's best
    is at most the least of them; the depth order u interleaves the tasks and costs more."""
    from eosdnn.solvers.cpsat import free_order_schedule
    from helpers import chain, environment
    from eosdnn.problems.scenario import Scenario, Task

    env = environment(clients=(1.0,), edge=(10.0,), cloud=(40.0,), client_edge=20.0, client_cloud=0.05,
                      edge_cloud=0.5)
    models = [chain(f"c{i}", [2e8 * (i + 1), 1e8], [0.1, 0.01], input_mb=0.2) for i in range(3)]
    problem = MigrationProblem(Scenario(env, [Task(m, 0) for m in models]))
    on_edge = np.ones(problem.n_var, dtype=np.int64)  # gene 1: the edge server
    free = free_order_schedule(problem, on_edge, time_limit=20.0)
    orders = []
    for order in itertools.permutations(range(3)):
        permuted = MigrationProblem(Scenario(env, [Task(models[i], 0) for i in order], priority="task"))
        orders.append(float(permuted.evaluate(on_edge[None, :])[0]))
    assert free.status == "optimal" and free.value == free.bound
    assert free.value <= min(orders) + 1e-9
    assert free.fixed_value == pytest.approx(problem.evaluate(on_edge[None, :])[0])
    assert free.fixed_value > free.value * 1.05 and free.cost_of_order > 0.05  # u serves them badly here


def test_validate_reports_what_the_order_u_costs_at_the_optimum():
    from eosdnn.validation import validate

    scenarios = [random_scenario(seed, InstanceShape(tasks=2, layers=3)) for seed in range(3)]
    doc = validate(scenarios, ["greedy"], [0], Budget(evaluations=10), progress=False)
    for scenario, entry in zip(scenarios, doc["instances"]):
        problem = MigrationProblem(scenario)
        free = run_named(problem, "milp-free", {}, Budget(), 0)
        expected = (optimum(problem) - free.bound) / free.bound
        assert entry["exact"]["cost_of_order"] == pytest.approx(max(expected, 0.0), abs=1e-4)
    assert any(entry["exact"]["cost_of_order"] > 0.01 for entry in doc["instances"])  # the check is not empty


def test_the_redundant_constraints_hold_for_every_evaluator_schedule():
    """Each layer starts no sooner than its contention-free earliest start, and its task completes
    no sooner than its start plus its least remaining time, in the schedules of random plans."""
    from eosdnn.problems.schedule import schedule
    from eosdnn.solvers.cpsat import earliest_starts, least_remaining

    for seed in range(10):
        problem = MigrationProblem(random_scenario(seed, InstanceShape(tasks=2, layers=5, dag_share=0.5)))
        w = problem.workload
        earliest, remaining = earliest_starts(w), least_remaining(w)
        rng = np.random.default_rng(seed)
        for _ in range(20):
            genes = rng.integers(0, w.n_choices, problem.n_var)
            plan = schedule(w, genes)
            positions = w.position_of[np.arange(problem.n_var)]
            chosen = (positions, genes)
            assert (plan.start >= earliest[chosen] - 1e-12).all()
            assert (plan.completion[w.task_of[positions]] >= plan.start + remaining[chosen] - 1e-12).all()


def test_free_order_refuses_a_scenario_too_large_in_one_line(tmp_path, capsys):
    from eosdnn.cli import main

    scenario = tmp_path / "big.toml"
    scenario.write_text('[[tasks]]\nmodel = "resnet101"\ncount = 15\n')
    assert main(["evaluate", "--scenario", str(scenario), "--plan", "all-edge", "--free-order", "5"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --free-order: the scenario has 2,100 layers") and err.count("\n") == 1


def test_two_googlenet_tasks_sharing_an_edge_server_are_proven_within_one_percent():
    """Both tasks' least paths run every layer on the same 2-pool edge server: only the overload
    checker on `Cumulative` proves that their branches cannot all run at once (without it the bound
    stayed 5% below after 120 s). The plan is checked against the evaluator, the bound against the
    contention-free one and against the single-task optima (each task alone is a relaxation)."""
    problem = MigrationProblem(model_scenario(1, [builtin_model("googlenet")], 2))
    result = run_named(problem, "cpsat", {"time_limit": 60.0}, Budget(), 0)
    assert result.value == pytest.approx(float(problem.evaluate(result.x[None, :])[0]), rel=1e-12)
    assert result.bound >= problem.lower_bound * (1 + 0.04)  # well above the contention-free bound
    assert result.gap <= 0.01 and result.model_status == "optimal"
