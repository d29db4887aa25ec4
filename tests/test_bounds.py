"""The lower bound against independent references: brute force over every placement, and the
per-chain shortest-path DP of the helpers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from eosdnn.problems.bounds import cut_layers, lower_bound, task_bounds
from eosdnn.problems.environment import Bandwidth, Environment, Node
from eosdnn.problems.instances import InstanceShape, random_scenario
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.models import DnnModel, Layer, builtin_model
from eosdnn.problems.scenario import Scenario, Task, paper_scenario
from helpers import MB, chain, chain_dp, diamond


def brute_force(problem: MigrationProblem) -> float:
    every = np.array(list(itertools.product(range(int(problem.upper[0]) + 1), repeat=problem.n_var)))
    return float(problem.evaluate(every).min())


def ample(scenario: Scenario) -> Scenario:
    """The same scenario with as many pools on every node as there are layers in all."""
    layers = sum(task.model.n_layers for task in scenario.tasks)
    env = scenario.environment
    nodes = [Node(node.name, node.tier, node.ghz, layers) for node in env.nodes]
    return scenario.with_changes(environment=Environment(nodes, env.bandwidth, env.flops_per_cycle))


def inception(name: str = "inc") -> DnnModel:
    """A stem, a fork into three chain branches (one of length 2) and a direct shortcut, a join, a head."""
    layer = lambda n, f, o, *inputs: Layer(n, f, o * MB, 0.0, inputs)  # noqa: E731
    return DnnModel(name, 0.6 * MB, (
        layer("stem", 3e8, 1.2),
        layer("b1", 4e8, 0.4, "stem"),
        layer("b2a", 1e8, 0.3, "stem"),
        layer("b2b", 6e8, 0.2, "b2a"),
        layer("b3", 2e8, 0.5, "stem"),
        layer("join", 1e7, 0.8, "b1", "b2b", "b3", "stem"),
        layer("head", 5e8, 0.01, "join"),
    ))


def env(pools: int = 1, clients: int = 2) -> Environment:
    nodes = [Node(f"client{i}", "client", 1.2 + 0.4 * i, 1) for i in range(clients)]
    nodes += [Node("edge0", "edge", 9.0, pools), Node("cloud0", "cloud", 70.0, pools)]
    return Environment(nodes, Bandwidth(client_edge=8.0, client_cloud=0.6, edge_cloud=4.0))


@pytest.mark.parametrize("objective", ["total", "makespan"])
@pytest.mark.parametrize("max_pools", [1, 2, 3])
def test_the_bound_never_exceeds_the_optimum_on_random_chains_and_dags(objective, max_pools):
    for seed in range(4):
        shape = InstanceShape(tasks=2, layers=4, clients=2, edge=1, cloud=1, max_pools=max_pools, dag_share=0.5)
        problem = MigrationProblem(random_scenario(seed, shape, objective))
        assert lower_bound(problem.workload) <= brute_force(problem) * (1 + 1e-12)


@pytest.mark.parametrize("objective", ["total", "makespan"])
def test_the_bound_equals_the_optimum_with_ample_pools(objective):
    """Chains and fork-join modules whose branches are chains: the bound is exact."""
    models = [
        [chain("a", [3e8, 1e8, 6e8, 2e8], [0.5, 1.5, 0.1, 0.02]), chain("b", [9e8, 2e8, 1e8], [0.1, 0.9, 0.2])],
        [diamond("d1"), diamond("d2")],
        [inception("i1")],
    ]
    for group in models:
        scenario = Scenario(env(), [Task(m, i % 2) for i, m in enumerate(group)], objective=objective)
        problem = MigrationProblem(ample(scenario))
        assert lower_bound(problem.workload) == pytest.approx(brute_force(problem), rel=1e-12)


def test_the_bound_of_a_chain_equals_the_chain_dp():
    environment = env(pools=1, clients=3)
    models = [chain(f"c{i}", list(np.random.default_rng(i).uniform(1e8, 2e9, 6)),
                    list(np.random.default_rng(10 + i).uniform(0.01, 2.0, 6))) for i in range(3)]
    problem = MigrationProblem(Scenario(environment, [Task(m, i) for i, m in enumerate(models)]))
    expected = [chain_dp(environment, m, i) for i, m in enumerate(models)]
    assert task_bounds(problem.workload) == pytest.approx(expected, rel=1e-12)


def test_cut_layers_split_models_at_their_modules():
    assert cut_layers(diamond().predecessors()) == [-1, 0, 3]
    assert cut_layers(inception().predecessors()) == [-1, 0, 5, 6]
    resnet = builtin_model("resnet101")
    names = [resnet.layers[i].name for i in cut_layers(resnet.predecessors())[1:]]
    assert names[:3] == ["conv1", "pool1", "res2a"] and names[-2:] == ["pool5", "fc1000"]
    assert len(names) == 2 + 33 + 2  # conv1, pool1, the 33 block outputs, pool5, fc1000


def test_the_paper_scenario_bound_is_below_every_plan():
    problem = MigrationProblem(paper_scenario(0))
    bound = lower_bound(problem.workload)
    for tier in ("client", "edge", "cloud"):
        assert bound < problem.evaluate(problem.tier_plan(tier)[None, :])[0]
    assert 3.5 < bound < 5.0


def test_the_gap_of_several_runs_is_the_mean_of_their_gaps():
    from eosdnn.problems.bounds import gap_to_bound, mean_gap

    # two runs on one bound 2.0 (values 2.2 and 2.6): gaps 10% and 30%, mean 20% = the gap of the mean 2.4
    assert mean_gap([gap_to_bound(2.2, 2.0), gap_to_bound(2.6, 2.0)]) == pytest.approx(0.2)
    assert gap_to_bound(2.4, 2.0) == pytest.approx(0.2)
    # two runs on different bounds: the mean of 10% (1.1 over 1.0) and 50% (3.0 over 2.0)
    assert mean_gap([gap_to_bound(1.1, 1.0), gap_to_bound(3.0, 2.0)]) == pytest.approx(0.3)
    assert mean_gap([0.1, None]) is None and gap_to_bound(1.0, None) is None


# --- the capacity bound (problems/contention.py) -------------------------------------------------


def contended(tasks: int, layers: int = 2, seed: int = 0, dag: bool = False) -> MigrationProblem:
    """Several tasks on fast clients-in-name-only: one edge server with one pool that every good
    plan wants, a cloud out of reach (0.05 MB/s from the client), clients 20x slower than the edge."""
    rng = np.random.default_rng(seed)
    environment = Environment([Node(f"client{i}", "client", 0.5, 1) for i in range(2)]
                              + [Node("edge0", "edge", 10.0, 1), Node("cloud0", "cloud", 40.0, 1)],
                              Bandwidth(client_edge=20.0, client_cloud=0.05, edge_cloud=0.5))
    models = [diamond(f"d{t}") if dag and t % 2 else
              chain(f"c{t}", list(rng.uniform(1e8, 4e8, layers)), list(rng.uniform(0.02, 0.3, layers)), input_mb=0.2)
              for t in range(tasks)]
    return MigrationProblem(Scenario(environment, [Task(m, t % 2) for t, m in enumerate(models)]))


@pytest.mark.parametrize("dag", [False, True])
def test_the_capacity_bound_sees_contention_and_never_exceeds_the_optimum(dag):
    for seed in range(3):
        problem = contended(4, seed=seed, dag=dag)
        free = float(task_bounds(problem.workload).sum())
        optimum = brute_force(problem)
        capacity = problem.bounds["edge capacity"]
        assert free * 1.3 < capacity <= optimum * (1 + 1e-12)  # over 30% stronger here
        assert problem.lower_bound == max(problem.bounds.values()) == max(free, capacity, problem.bounds["cloud capacity"])


@pytest.mark.parametrize("objective", ["total", "makespan"])
def test_every_bound_part_is_below_the_optimum_on_random_instances(objective):
    for seed in range(6):
        shape = InstanceShape(tasks=3, layers=3, clients=2, edge=1, cloud=1, max_pools=1, dag_share=0.5)
        problem = MigrationProblem(random_scenario(seed, shape, objective))
        optimum = brute_force(problem)
        for name, bound in problem.bounds.items():
            assert bound <= optimum * (1 + 1e-12), name


def test_an_uncontended_scenario_keeps_the_contention_free_bound_bit_for_bit():
    problem = MigrationProblem(paper_scenario(0))
    assert problem.lower_bound == float(task_bounds(problem.workload).sum())
    assert set(problem.bounds) == {"contention-free", "edge capacity", "cloud capacity"}
