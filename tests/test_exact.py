"""The exact solvers (MILP, free-order MILP, exhaustive) against independent references, and `validate`."""

import itertools
import json
import warnings

import numpy as np
import pulp
import pytest

from eosdnn.cli import main
from eosdnn.framework import Budget
from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.instances import InstanceShape, random_scenario
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.placement import save_placement
from eosdnn.solvers.registry import SOLVERS
from helpers import chain, chain_dp, environment, scenario

NONE = Budget()


def brute_force(problem: MigrationProblem) -> float:
    """The optimum by itertools over every placement (independent of the exhaustive solver's enumeration)."""
    every = np.array(list(itertools.product(range(int(problem.upper[0]) + 1), repeat=problem.n_var)))
    return float(problem.evaluate(every).min())


def tiny(seed: int, objective: str, max_pools: int, dag_share: float) -> MigrationProblem:
    shape = InstanceShape(tasks=2, layers=3, clients=2, edge=1, cloud=1, max_pools=max_pools, dag_share=dag_share)
    return MigrationProblem(random_scenario(seed, shape, objective))  # 3**6 = 729 placements


@pytest.mark.parametrize("objective", ["total", "makespan"])
@pytest.mark.parametrize("dag_share", [0.0, 1.0])
def test_milp_equals_brute_force_on_single_pool_instances(objective, dag_share):
    for seed in range(4):
        problem = tiny(seed, objective, 1, dag_share)
        optimum = brute_force(problem)
        result = SOLVERS.create("milp").solve(problem, budget=NONE, seed=0)
        assert result.status == "optimal"
        assert result.value == pytest.approx(optimum, rel=1e-7)
        assert result.bound <= optimum * (1 + 1e-7)
        assert result.model_value == pytest.approx(optimum, rel=1e-6)  # the model is exact here: no cuts needed
        assert result.info["cuts"] == 0


@pytest.mark.parametrize("objective", ["total", "makespan"])
def test_milp_on_multi_pool_instances_bounds_and_then_reaches_the_optimum(objective):
    for seed in range(6):
        problem = tiny(seed, objective, 3, 0.5)
        optimum = brute_force(problem)
        result = SOLVERS.create("milp").solve(problem, budget=NONE, seed=0)
        assert result.bound <= optimum * (1 + 1e-7)
        assert result.model_value <= optimum * (1 + 1e-7)  # the pool relaxation never exceeds the optimum
        assert result.status == "optimal" and result.value == pytest.approx(optimum, rel=1e-7)


def test_exhaustive_equals_brute_force_and_is_certified():
    problem = tiny(3, "total", 2, 0.5)
    result = SOLVERS.create("exhaustive").solve(problem, budget=NONE, seed=0)
    assert result.value == pytest.approx(brute_force(problem), rel=1e-12)
    assert (result.status, result.gap, result.bound) == ("optimal", 0.0, result.value)
    assert result.evaluations == 3**6


def test_exhaustive_stopped_by_a_budget_claims_no_optimum():
    result = SOLVERS.create("exhaustive", batch=100).solve(tiny(3, "total", 2, 0.5), budget=Budget(evaluations=200), seed=0)
    assert result.status == "feasible" and result.bound is None and result.evaluations < 3**6


def test_oversized_exhaustive_request_is_refused_with_the_count():
    problem = tiny(0, "total", 1, 0.0)
    with pytest.raises(EosdnnError, match=r"729 placements \(3\^6\), above the limit of 100"):
        SOLVERS.create("exhaustive", limit=100).solve(problem, budget=NONE, seed=0)


def test_milp_with_ample_pools_equals_the_per_chain_shortest_path_dp():
    rng = np.random.default_rng(11)
    env = environment(clients=(1.5, 2.0, 1.2), edge=(8.0, 12.0), cloud=(60.0,), edge_pools=50, cloud_pools=50,
                      client_edge=10.0, client_cloud=0.5, edge_cloud=5.0)
    models = [chain(f"c{k}", list(rng.uniform(1e8, 3e9, 5)), list(rng.uniform(0.05, 3.0, 5)), input_mb=0.6)
              for k in range(3)]
    problem = MigrationProblem(scenario(env, models, clients=[0, 1, 2]))  # one task per client: no contention
    optimum = sum(chain_dp(env, m, t) for t, m in enumerate(models))
    result = SOLVERS.create("milp").solve(problem, budget=NONE, seed=0)
    assert result.status == "optimal"
    assert result.value == pytest.approx(optimum, rel=1e-7)


def test_free_order_bound_holds_for_every_priority_order():
    for seed in range(3):
        for priority in ("depth", "task"):
            base = random_scenario(seed, InstanceShape(tasks=2, layers=3, max_pools=2))
            problem = MigrationProblem(base.with_changes(priority=priority))
            free = SOLVERS.create("milp-free").solve(problem, budget=NONE, seed=0)
            optimum = brute_force(problem)
            assert free.model_status == "optimal"  # the free-order model itself is solved
            assert free.bound <= optimum * (1 + 1e-7)
            # `optimal` is about the returned placement under the evaluator, never about the model
            if free.status == "optimal":
                assert abs(free.value - optimum) <= 1e-4 * optimum
            else:
                assert free.status == "feasible" and free.gap > 1e-4


def larger_problem() -> MigrationProblem:
    rng = np.random.default_rng(5)
    env = environment(clients=(1.5, 2.0), edge=(6.0, 10.0), cloud=(60.0, 90.0), client_edge=10.0,
                      client_cloud=0.5, edge_cloud=5.0)
    models = [chain(f"m{i}", list(rng.uniform(2e8, 3e9, 8)), list(rng.uniform(0.05, 2, 8))) for i in range(3)]
    return MigrationProblem(scenario(env, models))


def test_a_tiny_time_limit_is_never_reported_optimal():
    problem = larger_problem()  # 3 tasks x 8 layers x 6 nodes: several seconds to prove
    for warm_start in ("greedy", "none"):
        result = SOLVERS.create("milp", time_limit=0.2, warm_start=warm_start).solve(problem, budget=NONE, seed=0)
        assert result.status in ("feasible", "no solution")
        if result.bound is not None:
            assert result.bound <= result.value and result.gap > 0


def test_cbc_backend_agrees_with_highs():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        if not pulp.PULP_CBC_CMD().available():
            pytest.skip("CBC is not available")
    problem = tiny(2, "total", 2, 0.5)
    highs = SOLVERS.create("milp").solve(problem, budget=NONE, seed=0)
    cbc = SOLVERS.create("milp", backend="cbc").solve(problem, budget=NONE, seed=0)
    assert cbc.status == "optimal" and cbc.value == pytest.approx(highs.value, rel=1e-6)


def test_warm_start_from_a_placement_file(tmp_path):
    problem = tiny(1, "total", 1, 0.0)
    path = tmp_path / "start.json"
    save_placement(problem, problem.tier_plan("cloud"), path)
    result = SOLVERS.create("milp", warm_start=str(path)).solve(problem, budget=NONE, seed=0)
    assert result.status == "optimal" and result.value == pytest.approx(brute_force(problem), rel=1e-7)
    with pytest.raises(EosdnnError, match="warm_start"):
        SOLVERS.create("milp", warm_start=str(tmp_path / "missing.json")).solve(problem, budget=NONE, seed=0)


def test_an_instance_above_the_binary_limit_is_refused():
    problem = tiny(0, "total", 1, 0.0)
    binaries = int(problem.n_values.sum())  # one assignment binary per layer and allowed node, counted by hand
    with pytest.raises(EosdnnError, match=rf"max_binaries: the instance needs at least {binaries} binary variables"):
        SOLVERS.create("milp", max_binaries=binaries - 1).solve(problem, budget=NONE, seed=0)
    with pytest.raises(EosdnnError, match=r"binary variables and [0-9,]+ sequencing constraints, above the limits of "):
        SOLVERS.create("milp", max_binaries=binaries, max_constraints=1).solve(problem, budget=NONE, seed=0)


def test_solve_command_reports_status_bound_and_gap(tmp_path):
    scenario_file = tmp_path / "s.toml"
    scenario_file.write_text(
        'seed = 1\n[environment]\npreset = "paper"\n[environment.clients]\ncount = 1\n'
        '[environment.edge]\ncount = 1\n[environment.cloud]\ncount = 1\n'
        '[[tasks]]\nmodel = "alexnet"\ncount = 1\n')
    out = tmp_path / "r.json"
    assert main(["solve", "--scenario", str(scenario_file), "--solver", "milp", "--time-limit", "30",
                 "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["status"] == "optimal" and doc["gap"] <= 1e-4 and doc["bound"] <= doc["value"] + 1e-9
    assert main(["solve", "--scenario", str(scenario_file), "--solver", "greedy", "--backend", "cbc"]) == 2


def test_validate_command_measures_gaps_to_certified_optima(tmp_path, capsys):
    out = tmp_path / "v.json"
    assert main(["validate", "--instances", "2", "--tasks", "2", "--layers", "3", "--seeds", "2",
                 "--solvers", "greedy,milp,random", "--evaluations", "50", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert [entry["exact"]["method"] for entry in doc["instances"]] == ["exhaustive", "exhaustive"]
    for entry in doc["instances"]:
        optimum = brute_force(MigrationProblem(random_scenario(
            int(entry["name"].split("-")[1]), InstanceShape(tasks=2, layers=3))))
        assert entry["exact"]["value"] == pytest.approx(optimum, rel=1e-12)
        for runs in entry["runs"].values():
            for run in runs:
                assert run["gap"] == pytest.approx((run["value"] - optimum) / optimum)
    assert doc["solvers"]["milp"]["hits"] == doc["solvers"]["milp"]["runs"] == 4
    assert doc["solvers"]["greedy"]["max_gap"] >= doc["solvers"]["greedy"]["mean_gap"] >= 0
    assert "Gap to the optimum" in capsys.readouterr().out
    assert main(["validate", "--instances", "0"]) == 2


def test_the_paper_scenario_is_refused_quickly_with_its_size(capsys):
    assert main(["solve", "--solver", "milp"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: milp.max_binaries: the instance needs") and err.count("\n") == 1
    assert main(["solve", "--solver", "exhaustive"]) == 2
    assert "about 1.93e812 placements (11^780)" in capsys.readouterr().err
    assert main(["solve", "--solver", "milp", "--gap", "1.5"]) == 2
    assert "argument --gap" in capsys.readouterr().err
