"""Every registered solver under one contract; PSO-GA against exhaustive optima; plug-ins."""

import itertools

import numpy as np
import pytest

from eosdnn.framework import Budget
from eosdnn.framework.reduction import ReducedProblem
from eosdnn.solvers.registry import SOLVERS
from eosdnn.operators.registry import OPERATORS
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.models import builtin_model
from eosdnn.problems.scenario import Scenario, Task

from eosdnn.solvers.greedy import greedy_genes
from eosdnn.solvers.graph_reductions import branch_groups, contracted_groups, module_groups
from helpers import chain, diamond, environment, scenario


def small_problem() -> MigrationProblem:
    env = environment(clients=(1.2, 1.8), edge=(6.0, 9.0), cloud=(60.0,), edge_pools=1, cloud_pools=2,
                      client_edge=8.0, client_cloud=1.0)
    models = [diamond("d1"), chain("c", [5e8, 2e9, 4e8, 1e9], [1.0, 0.3, 0.3, 0.05]), diamond("d2")]
    return MigrationProblem(scenario(env, models))


CONTRACT_PARAMS = {"exhaustive": {"limit": 10**8}}  # the budget stops it early; the limit alone would refuse


@pytest.mark.parametrize("name", SOLVERS.names())
def test_solver_contract(name):
    problem = small_problem()
    budget = Budget(evaluations=600)
    params = CONTRACT_PARAMS.get(name, {})
    first = SOLVERS.create(name, **params).solve(problem, budget=budget, seed=4)
    again = SOLVERS.create(name, **params).solve(problem, budget=budget, seed=4)
    x = first.x
    assert x.shape == (problem.n_var,) and np.all((x >= problem.lower) & (x <= problem.upper))
    np.testing.assert_array_equal(x, again.x)
    assert first.value == again.value
    assert first.value == pytest.approx(float(problem.evaluate(x[None, :])[0]), rel=1e-12)
    assert first.report.total == pytest.approx(first.value)
    evals = [e for e, _ in first.history]
    best = [v for _, v in first.history]
    assert evals == sorted(evals) and all(b <= a for a, b in zip(best, best[1:]))
    assert best[-1] == pytest.approx(first.value)
    assert first.evaluations >= 1 and first.wall_s >= 0 and first.seed == 4


def enumerated_optimum(problem: MigrationProblem) -> float:
    every = np.array(list(itertools.product(range(int(problem.upper[0]) + 1), repeat=problem.n_var)))
    return float(problem.evaluate(every).min())


def test_psoga_finds_the_exhaustive_optimum_in_at_least_9_of_10_seeds():
    env = environment(clients=(1.0,), edge=(5.0,), cloud=(40.0,), edge_pools=1, cloud_pools=1,
                      client_edge=4.0, client_cloud=0.5, edge_cloud=2.0)
    models = [chain("a", [8e8, 1.5e9, 3e8, 2e9], [1.5, 0.4, 0.4, 0.1], input_mb=0.8),
              chain("b", [1e9, 4e8, 2.5e9, 6e8], [0.6, 0.9, 0.2, 0.05], input_mb=0.8)]
    problem = MigrationProblem(scenario(env, models))  # 3**8 = 6561 placements, with contention
    optimum = enumerated_optimum(problem)
    hits = sum(
        SOLVERS.create("psoga", particles=50).solve(problem, budget=Budget(iterations=60), seed=seed).value
        <= optimum + 1e-12
        for seed in range(10)
    )
    assert hits >= 9


def test_a_plugged_in_mutation_runs_inside_psoga_by_name():
    calls = []

    def swap_two(rng, X, lower, upper):
        calls.append(X.shape[0])
        out = X.copy()
        i, j = rng.integers(0, X.shape[1], size=2)
        out[:, [i, j]] = out[:, [j, i]]
        return out

    OPERATORS.register("mutation:swap-two", swap_two)
    try:
        problem = small_problem()
        result = SOLVERS.create("psoga", mutation="swap-two", seed_generations=0).solve(
            problem, budget=Budget(iterations=5), seed=1)
        assert calls and result.value == pytest.approx(float(problem.evaluate(result.x[None, :])[0]))
    finally:
        OPERATORS.unregister("mutation:swap-two")


def test_a_solver_registered_by_decorator_is_available_everywhere():
    @SOLVERS.register("test-zero")
    class Zero:
        def solve(self, problem, *, budget, seed, callback=None):
            return SOLVERS.create("all-local").solve(problem, budget=budget, seed=seed)

    try:
        assert "test-zero" in SOLVERS.names()
        assert SOLVERS.create("test-zero").solve(small_problem(), budget=Budget(), seed=0).value > 0
    finally:
        SOLVERS.unregister("test-zero")


def test_greedy_is_optimal_for_one_layer_and_places_earliest_finish():
    env = environment(clients=(1.0,), edge=(4.0,), cloud=(50.0,), client_edge=10.0, client_cloud=0.5)
    model = chain("m", [2e9], [0.1], input_mb=1.0)
    problem = MigrationProblem(scenario(env, [model]))
    # client 2.0 s; edge 0.1 + 0.5 + 0.01 = 0.61 s; cloud 2.0 + 0.04 + 0.2 = 2.24 s
    np.testing.assert_array_equal(greedy_genes(problem), [1])
    assert problem.evaluate(np.array([[1]]))[0] == pytest.approx(enumerated_optimum(problem))


def test_prepso_contracts_chains_and_keeps_forks():
    env = environment(clients=(1.0,), edge=(4.0,))
    problem = MigrationProblem(scenario(env, [chain("c", [1, 1, 1], [1, 1, 1]), diamond()]))
    assert contracted_groups(problem) == [[0, 1, 2], [3], [4], [5], [6]]


def test_two_step_groups_on_googlenet_and_resnet():
    env = environment(clients=(1.0,), edge=(4.0,))
    for name, modules, per_module in (("googlenet", 9, 4), ("resnet101", 33, None)):
        model = builtin_model(name)
        problem = MigrationProblem(Scenario(env, [Task(model, 0)]))
        condensed = module_groups(problem)
        assert len(condensed) == model.n_layers - sum(1 for l in model.layers if l.module) + modules
        branches = branch_groups(problem)
        names = model.names
        if per_module:
            first = [g for g in branches if len(g) == per_module]
            assert len(first) == modules  # 1x1, 3x3_reduce, 5x5_reduce and pool read the module input
            assert {names[i].split("/")[1] for i in first[0]} == {"1x1", "3x3_reduce", "5x5_reduce", "pool"}
        exits = {names[i] for g in branches for i in g}
        assert "inception_3a/output" not in exits and "res2a" not in exits


def test_reduced_problem_expands_groups_and_keeps_fixed_genes():
    problem = small_problem()
    base = np.arange(problem.n_var) % 3
    reduced = ReducedProblem(problem, [[0, 2], [5]], base=base)
    full = reduced.expand(np.array([[4, 1]]))[0]
    expected = base.copy()
    expected[[0, 2]] = 4
    expected[5] = 1
    np.testing.assert_array_equal(full, expected)
    np.testing.assert_array_equal(reduced.reduce(full), [4, 1])


def test_ga_takes_the_same_path_as_pymoos_stock_ga():
    """eosdnn's GA replaces pymoo's survival, tournament and optimum lookups with direct reads of F
    (faster); run against the stock GA (pymoo's FitnessSurvival and comp_by_cv_and_fitness) with the
    same operators and seed, every generation's population must be the same."""
    from pymoo.algorithms.soo.nonconvex.ga import GA

    from eosdnn.framework import Search
    from eosdnn.problems.scenario import paper_scenario
    from eosdnn.solvers.ga import make_ga, run_ga

    problem = MigrationProblem(paper_scenario(3, per_model=1))
    ours = make_ga(problem, 20, "segment", "random-gene", 0.9, 1.0)
    stock = GA(pop_size=20, sampling=ours.initialization.sampling, crossover=ours.mating.crossover,
               mutation=ours.mating.mutation, eliminate_duplicates=False)
    assert type(stock.survival).__module__.startswith("pymoo") and type(ours.survival).__module__.startswith("eosdnn")
    finals = []
    for algorithm in (ours, stock):
        search = Search("ga", problem, Budget(iterations=40), seed=7)
        X, F = run_ga(search, algorithm, seed=7)
        finals.append((X, F, search.history, search.best_value))
    (x1, f1, h1, b1), (x2, f2, h2, b2) = finals
    assert np.array_equal(x1, x2) and np.array_equal(f1, f2) and h1 == h2 and b1 == b2
    assert len(set(f1.tolist())) > 1  # a population that still has ties and differences to select among


def test_eosdnn_paper_is_psoga_at_the_papers_settings_and_two_step_where_models_have_modules():
    """The paper's EosDNN adds nothing the paper does not name: on models without modules it is PSO-GA
    at the paper's settings, bit for bit; on a model with modules it is two-step around that PSO-GA."""
    defaults = SOLVERS.create("psoga")
    # Fig. 4 and eqs. 14-16 of the paper: one-gene mutation, segment crossover, w 0.8 -> 0.2,
    # eps1 0.9 -> 0.2, eps2 0.4 -> 0.9, N = 100, half the first swarm from the GA preprocessing
    assert (defaults.mutation, defaults.crossover) == ("random-gene", "segment")
    assert (defaults.w_max, defaults.w_min, defaults.eps1, defaults.eps2) == (0.8, 0.2, (0.9, 0.2), (0.4, 0.9))
    assert (defaults.particles, defaults.seed_share, defaults.starts, defaults.memetic_every) == (100, 0.5, (), 0)
    budget = Budget(iterations=6)
    problem = small_problem()
    paper = SOLVERS.create("eosdnn-paper", particles=10).solve(problem, budget=budget, seed=3)
    bare = SOLVERS.create("psoga", particles=10).solve(problem, budget=budget, seed=3)
    np.testing.assert_array_equal(paper.x, bare.x)
    assert paper.value == bare.value and paper.solver == "eosdnn-paper"
    env = environment(clients=(1.0,), edge=(4.0, 6.0))
    modular = MigrationProblem(Scenario(env, [Task(builtin_model("googlenet"), 0)]))
    paper = SOLVERS.create("eosdnn-paper", particles=10).solve(modular, budget=budget, seed=3)
    stepped = SOLVERS.create("two-step", inner="psoga", inner_params={"particles": 10}).solve(
        modular, budget=budget, seed=3)
    np.testing.assert_array_equal(paper.x, stepped.x)
    off = SOLVERS.create("eosdnn-paper", particles=10, two_step="off").solve(modular, budget=budget, seed=3)
    bare = SOLVERS.create("psoga", particles=10).solve(modular, budget=budget, seed=3)
    np.testing.assert_array_equal(off.x, bare.x)


def test_the_old_name_eosdnn_is_the_enhanced_solver_with_one_warning():
    import warnings

    assert "eosdnn" not in SOLVERS.names() and SOLVERS.knows("eosdnn")
    assert SOLVERS.aliases() == {"eosdnn": "eosdnn-plus"}
    SOLVERS._warned.discard("eosdnn")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = SOLVERS.create("eosdnn", particles=10)
        SOLVERS.create("eosdnn", particles=10)
    assert len(caught) == 1 and "'eosdnn' is now 'eosdnn-plus'" in str(caught[0].message)
    problem = small_problem()
    budget = Budget(evaluations=400)
    new = SOLVERS.create("eosdnn-plus", particles=10).solve(problem, budget=budget, seed=2)
    result = old.solve(problem, budget=budget, seed=2)
    assert result.solver == "eosdnn-plus" and result.value == new.value
