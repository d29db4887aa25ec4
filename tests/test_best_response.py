"""The route library and the best-response decomposition, against brute force: each route is the
contention-free optimum of its node set, and a converged sweep leaves no task a better route."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from eosdnn.framework import Budget, Search
from eosdnn.jobs import run_named
from eosdnn.problems.bounds import least_paths, task_bounds, task_tables
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.routes import node_sets, task_routes
from eosdnn.problems.scenario import Scenario, paper_scenario
from eosdnn.solvers.best_response import best_response_sweeps
from eosdnn.solvers.heft import peft_genes
from helpers import chain, diamond, environment, scenario
from test_bounds import ample, inception


def alone_on_ample_pools(problem: MigrationProblem, t: int) -> MigrationProblem:
    """Task t of the problem alone, with pools enough that nothing waits."""
    task = problem.scenario.tasks[t]
    return MigrationProblem(ample(Scenario(problem.scenario.environment, [task])))


def small() -> MigrationProblem:
    env = environment(clients=(1.2, 1.6), edge=(9.0, 6.0), cloud=(70.0, 40.0), client_edge=8.0, client_cloud=0.6,
                      edge_cloud=4.0)
    models = [chain("a", [3e8, 1e8, 6e8, 2e8], [0.5, 1.5, 0.1, 0.02]), diamond("d"), inception("i")]
    return MigrationProblem(scenario(env, models))


def test_each_least_path_attains_its_bound_and_the_optimum_of_its_node_set():
    problem = small()
    for t, task in enumerate(problem.scenario.tasks):
        alone = alone_on_ample_pools(problem, t)
        tables = task_tables(problem.workload, t)
        for chosen in node_sets(problem.workload, t):
            exec_s = np.where(np.isin(np.arange(tables.exec_s.shape[1]), chosen), tables.exec_s, np.inf)
            bound, placement = least_paths(exec_s[None], tables.spb, tables.predecessors, tables.out_bytes,
                                           tables.input_bytes)
            every = np.array(list(itertools.product(chosen, repeat=task.model.n_layers)))
            optimum = alone.evaluate(every).min()  # brute force over the node set
            assert bound[0] == pytest.approx(optimum, rel=1e-12)
            assert alone.evaluate(placement)[0] == pytest.approx(optimum, rel=1e-12)


def test_the_route_library_holds_the_unrestricted_least_path_first_and_no_duplicates():
    problem = MigrationProblem(paper_scenario(0))
    for t in (0, 5, 11):
        routes = task_routes(problem.workload, t, (1.0, 4.0))
        assert len(np.unique(routes, axis=0)) == len(routes)
        alone = alone_on_ample_pools(problem, t)
        assert alone.evaluate(routes[:1])[0] == pytest.approx(task_bounds(problem.workload)[t], rel=1e-12)
        assert (alone.evaluate(routes) >= alone.evaluate(routes[:1])[0] * (1 - 1e-12)).all()
    sets = node_sets(problem.workload, 0)
    assert len(sets) == 2 + 10 + 5 * 5  # all nodes, the client alone, each server, each edge-cloud pair


def test_a_converged_sweep_leaves_no_task_a_better_route():
    problem = MigrationProblem(paper_scenario(1))
    search = Search("t", problem, Budget(evaluations=10**7), 0)
    start = peft_genes(problem)
    x, value = best_response_sweeps(search, problem, start, float(problem.evaluate(start[None])[0]),
                                    np.random.default_rng(0), sweeps=100)
    assert value < problem.evaluate(start[None])[0]
    assert value == pytest.approx(problem.evaluate(x[None])[0], rel=0, abs=0)
    for t in range(len(problem.scenario.tasks)):  # every reply, re-scored in full here
        routes = task_routes(problem.workload, t, (1.0, 2.0, 4.0, 8.0, 16.0))
        others = np.repeat(x[None], len(routes), axis=0)
        others[:, problem.task_genes(t)] = routes
        assert problem.evaluate(others).min() >= value


def test_best_response_is_seeded_and_beats_its_start():
    problem = MigrationProblem(paper_scenario(0))
    runs = [run_named(problem, "best-response", {}, Budget(evaluations=3000), 4) for _ in range(2)]
    assert np.array_equal(runs[0].x, runs[1].x) and runs[0].value == runs[1].value
    assert runs[0].value < problem.evaluate(peft_genes(problem)[None])[0]
    assert runs[0].evaluations <= 3000 + 64  # at most one batch over


def test_runs_default_budget_is_the_papers_or_600_evaluations_per_task():
    from eosdnn.recommend import default_evaluations, recommend

    assert [default_evaluations(t) for t in (1, 12, 100, 101, 1000)] == [60_000, 60_000, 60_000, 60_600, 600_000]
    env = environment(clients=(1.0,), edge=(9.0,), cloud=(70.0,))
    problem = MigrationProblem(scenario(env, [chain(f"c{i}", [1e8], [0.1]) for i in range(150)]))
    budgets = {}

    def record(name, params, budget):
        budgets[name] = budget
        return run_named(problem, "all-local", {}, Budget(), 0)

    recommend(problem, 0, run=record)
    assert budgets["eosdnn-plus"].evaluations == budgets["best-response"].evaluations == 90_000
    assert budgets["greedy"].evaluations is None
