"""The energy and cost objectives against hand computations and brute force: the clients' energy
and the servers' cost of a plan as MODEL.md section 3a states them, lower bounds never above the true
optimum (the additive programme exact on chains), the exact MILP and CP-SAT optima equal to brute
force, and the scenario fields and command-line flag that set them."""

from __future__ import annotations

import itertools
import json

import attrs
import numpy as np
import pytest

from eosdnn.cli import main
from eosdnn.framework import Budget
from eosdnn.jobs import run_named
from eosdnn.problems.additive import least_additive
from eosdnn.problems.bounds import TaskTables
from eosdnn.problems.environment import Bandwidth, Environment, Node
from eosdnn.problems.instances import InstanceShape, random_scenario
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.reference import reference_schedule
from eosdnn.problems.scenario import load_scenario, scenario_from_dict
from eosdnn.problems.tariffs import Power, Price

from helpers import MB, assert_one_error_line, chain, diamond, scenario

WATTS = Power(compute_w=5.0, transmit_w=2.0, receive_w=1.5, idle_w=0.5)


def tiny(objective: str) -> MigrationProblem:
    """One client (1 GHz), an edge server (6 GHz) and a cloud server (20 GHz); client-edge 8 MB/s,
    client-cloud 2 MB/s; one three-layer chain."""
    nodes = [Node("phone", "client", 1.0, 1, power=WATTS), Node("edge0", "edge", 6.0, 1, price=Price(3e-5, 0.0)),
             Node("cloud0", "cloud", 20.0, 2, price=Price(1e-5, 0.08))]
    env = Environment(nodes, Bandwidth(client_edge=8.0, client_cloud=2.0))
    return MigrationProblem(scenario(env, [chain("a", [2e9, 3e9, 1e9], [0.5, 0.2, 0.1])], objective=objective))


def test_energy_and_cost_of_a_plan_match_a_hand_computation():
    genes = np.array([0, 1, 2])  # the client, the edge server, the cloud server
    energy = tiny("energy")
    completion = reference_schedule(energy.scenario, energy.nodes_of(genes)).total
    computing = 2e9 / 1e9  # the first layer on the 1 GHz client
    sending = 0.5 / 8.0  # its 0.5 MB output to the edge server
    receiving = 0.1 / 2.0  # the result, 0.1 MB, back from the cloud
    expected_energy = (5.0 * computing + 2.0 * sending + 1.5 * receiving
                       + 0.5 * (completion - computing - sending - receiving))
    assert energy.evaluate(genes[None, :])[0] == pytest.approx(expected_energy, rel=1e-12)
    expected_cost = 3e-5 * (3e9 / 6e9) + 1e-5 * (1e9 / 20e9) + 0.08 * 0.1  # edge and cloud seconds, 0.1 MB out
    assert tiny("cost").evaluate(genes[None, :])[0] == pytest.approx(expected_cost, rel=1e-12)
    report = energy.report(genes)  # every plan's report carries both, whatever the objective
    assert report.energy == pytest.approx(expected_energy, rel=1e-12)
    assert report.cost == pytest.approx(expected_cost, rel=1e-12)
    assert report.document()["energy_j"] == report.energy and report.document()["cost_usd"] == report.cost


def test_the_default_powers_and_prices_are_the_published_figures():
    env = scenario_from_dict({}).environment
    client, edge, cloud = env.nodes[0], env.nodes[env.n_clients], env.nodes[-1]
    assert attrs.astuple(client.power) == (7.239, 6.611, 6.611, 3.977)  # ODROID-XU4, IONN's measurements
    assert edge.price == Price(5.001e-5, 0.0) and cloud.price == Price(1.667e-5, 0.09 / 1024)


def brute_force(problem: MigrationProblem) -> float:
    every = np.array(list(itertools.product(*[range(int(u) + 1) for u in problem.upper])))
    return float(problem.evaluate(every).min())


def random_problems(objective: str, count: int):
    for seed in range(count):
        shape = InstanceShape(tasks=2, layers=3 + seed % 2, clients=2, edge=1, cloud=1, max_pools=2)
        yield MigrationProblem(random_scenario(seed, shape, objective))


@pytest.mark.parametrize("objective", ["energy", "cost"])
def test_the_bounds_never_exceed_the_brute_force_optimum(objective):
    for problem in random_problems(objective, 12):
        assert problem.lower_bound <= brute_force(problem) * (1 + 1e-12) + 1e-15


def test_the_additive_programme_is_exact_on_chains_and_a_bound_on_dags():
    rng = np.random.default_rng(3)
    for model, exact in ((chain("c", [1e9] * 4, [0.3, 0.2, 0.4, 0.1]), True), (diamond(), False)):
        layers, choices = model.n_layers, 3
        for _ in range(20):
            layer_cost = rng.uniform(0, 1, (layers, choices))
            link_cost = rng.uniform(0, 1e-6, (choices, choices))
            np.fill_diagonal(link_cost, 0.0)
            tables = TaskTables(np.ones((layers, choices)), np.zeros((choices, choices)), model.predecessors(),
                                np.array([layer.out_bytes for layer in model.layers]), model.input_bytes)
            best = np.inf
            for placement in itertools.product(range(choices), repeat=layers):
                cost = sum(layer_cost[i, c] for i, c in enumerate(placement))
                for i, inputs in enumerate(model.predecessors()):
                    if not inputs:
                        cost += model.input_bytes * link_cost[0, placement[i]]
                    cost += sum(model.layers[k].out_bytes * link_cost[placement[k], placement[i]] for k in inputs)
                cost += model.layers[-1].out_bytes * link_cost[placement[-1], 0]
                best = min(best, cost)
            least = least_additive(tables, layer_cost, link_cost)
            if exact:
                assert least == pytest.approx(best, rel=1e-12)
            else:
                assert least <= best + 1e-12


def test_the_energy_bound_holds_where_tasks_queue_and_is_tight_without_contention():
    problem = tiny("energy")  # one chain, no other task: the bound is the optimum when the tradeoff is linear
    optimum = brute_force(problem)
    assert problem.lower_bound <= optimum * (1 + 1e-12)
    assert problem.lower_bound >= 0.5 * optimum  # idle power x least completion, plus the least excess


def test_the_exact_solvers_find_the_brute_force_optimum_of_energy_and_cost():
    """`milp` models the order u: its optimum is brute force's. `cpsat` and `milp-free` let each pool
    serve in any order, a relaxation: their bounds hold, and they agree with each other (the same
    model through two libraries; CP-SAT's microsecond rounding aside)."""
    for objective in ("energy", "cost"):
        for problem in random_problems(objective, 3):
            best = brute_force(problem)
            milp = run_named(problem, "milp", {"time_limit": 30.0}, Budget(), 0)
            assert milp.status == "optimal" and milp.value == pytest.approx(best, rel=1e-6, abs=1e-12)
            cpsat = run_named(problem, "cpsat", {"time_limit": 30.0, "hint": "greedy"}, Budget(), 0)
            free = run_named(problem, "milp-free", {"time_limit": 30.0}, Budget(), 0)
            assert cpsat.model_status == "optimal" and cpsat.bound <= best * (1 + 1e-9) + 1e-12
            assert cpsat.value >= best * (1 - 1e-12)
            assert cpsat.model_value == pytest.approx(free.model_value, rel=1e-5, abs=1e-12)


def test_scenario_fields_set_power_and_prices_per_node_and_bad_ones_are_named(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text("[environment.clients]\ncount = 2\ncompute_w = [4.0, 6.0]\nidle_w = 1.0\n"
                    "[environment.cloud]\ncount = 1\nprice_per_second = 2e-5\negress_per_mb = 0.0\n"
                    "[environment.edge]\ncount = 1\n[[tasks]]\nmodel = \"alexnet\"\n")
    env = load_scenario(path).environment
    assert [node.power.compute_w for node in env.nodes[:2]] == [4.0, 6.0]
    assert env.nodes[0].power.idle_w == 1.0 and env.nodes[0].power.transmit_w == 6.611
    assert env.nodes[-1].price == Price(2e-5, 0.0)
    path.write_text("[environment.clients]\nidle_w = -1\n")
    assert_one_error_line(main, ["evaluate", "--plan", "all-edge", "--scenario", str(path)], "environment.clients.idle_w", capsys)
    path.write_text("[environment.edge]\ncompute_w = 1.0\n")
    assert_one_error_line(main, ["evaluate", "--plan", "all-edge", "--scenario", str(path)], "environment.edge.compute_w", capsys)


def test_the_objective_flag_scores_plans_by_energy_and_every_report_shows_both(tmp_path, capsys):
    out = tmp_path / "e.json"
    assert main(["evaluate", "--plan", "all-edge", "--objective", "energy", "--json", str(out)]) == 0
    table = capsys.readouterr().out
    assert "energy (J) *" in table and "cost (USD)" in table
    doc = json.loads(out.read_text())
    assert doc["objective"] == "energy" and doc["value"] == doc["energy_j"] and doc["cost_usd"] > 0
    assert_one_error_line(main, ["evaluate", "--plan", "all-edge", "--objective", "carbon"], "--objective: objective: unknown", capsys)


@pytest.mark.parametrize("objective", ["energy", "cost"])
def test_validate_certifies_heuristics_against_exact_optima_of_each_objective(objective, tmp_path):
    out = tmp_path / "v.json"
    assert main(["validate", "--objective", objective, "--instances", "2", "--tasks", "2", "--layers", "3",
                 "--seeds", "1", "--solvers", "greedy,local-search", "--evaluations", "300", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    for entry in doc["instances"]:
        assert entry["exact"]["status"] == "optimal" and entry["exact"]["method"] == "exhaustive"
        problem_value = entry["exact"]["value"]
        for runs in entry["runs"].values():
            assert all(run["value"] >= problem_value * (1 - 1e-12) for run in runs)
