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
from eosdnn.problems.instances import InstanceShape, random_scenario
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
        result = run_named(problem, "cpsat", {"workers": 1}, Budget(), seed)
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
        cpsat = run_named(problem, "cpsat", {"workers": 1}, Budget(), seed)
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
    assert time.perf_counter() - started < 3.0 + 5.0  # the hint's greedy run and the build, then at most the rest
    assert result.status == "feasible" and problem.lower_bound <= result.bound <= result.value


def test_bad_parameters_and_too_large_instances_are_one_clear_error():
    problem = MigrationProblem(paper_scenario(0))
    with pytest.raises(EosdnnError, match="max_layers"):
        run_named(problem, "cpsat", {"max_layers": 100}, Budget(), 0)
    for params, field in [({"hint": "nonsense"}, "hint"), ({"hint": "cpsat"}, "hint"), ({"workers": 0}, "workers"),
                          ({"time_limit": -1}, "time_limit")]:
        with pytest.raises(EosdnnError, match=field):
            SOLVERS.create("cpsat", **params)
