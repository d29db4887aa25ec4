"""HEFT and PEFT against schedules computed by hand; the run operators; local search."""

from __future__ import annotations

import numpy as np
import pytest

from eosdnn.framework import Budget
from eosdnn.framework.reduction import ReducedProblem
from eosdnn.operators import bind
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.models import DnnModel, Layer
from eosdnn.problems.scenario import paper_scenario
from eosdnn.solvers.registry import SOLVERS
from eosdnn.solvers.heft import heft_genes, optimistic_costs, peft_genes, rank_sequence, upward_ranks
from eosdnn.solvers.graph_reductions import module_groups
from helpers import MB, environment, scenario


def fork_join() -> MigrationProblem:
    """a -> (b, c) -> d on client0 (1 GHz), edge0 (2 GHz), cloud0 (4 GHz), one pool each; links of
    1, 0.5 and 1 MB/s (client-edge, client-cloud, edge-cloud), so every number below is by hand."""
    env = environment(clients=(1.0,), edge=(2.0,), cloud=(4.0,), edge_pools=1, cloud_pools=1,
                      client_edge=1.0, client_cloud=0.5, edge_cloud=1.0)
    model = DnnModel("fj", 1.0 * MB, (
        Layer("a", 2.2e9, 2.0 * MB, 0.0),
        Layer("b", 4.0e9, 0.5 * MB, 0.0, ("a",)),
        Layer("c", 1.0e9, 1.0 * MB, 0.0, ("a",)),
        Layer("d", 2.0e9, 1.0 * MB, 0.0, ("b", "c")),
    ))
    return MigrationProblem(scenario(env, [model]))


def test_heft_matches_the_hand_computed_schedule():
    problem = fork_join()
    # rank_u: d = mean exec 7/6 + mean return (0 + 1 + 2) / 3; mean s/MB over distinct pairs = 4/3
    ranks = upward_ranks(problem.workload)
    d = 7 / 6 + 1
    b = 7 / 3 + 0.5 * 4 / 3 + d
    c = 1.75 / 3 + 1.0 * 4 / 3 + d
    a = 3.85 / 3 + 2.0 * 4 / 3 + max(b, c)
    assert ranks == pytest.approx([a, b, c, d])
    # a: client 2.2, edge 1 + 1.1 = 2.1, cloud 2 + 0.55 -> edge; b: edge 2.1 + 2 = 4.1 (client 8.1,
    # cloud 5.1); c: cloud 4.1 + 0.25 = 4.35 (edge waits for b: 4.6); d with its return: client
    # 6.35 + 2 = 8.35, edge 5.35 + 1 + 1 = 7.35, cloud 4.6 + 0.5 + 2 = 7.1 -> cloud
    np.testing.assert_array_equal(heft_genes(problem), [1, 1, 2, 2])


def test_peft_matches_the_hand_computed_schedule():
    problem = fork_join()
    table = optimistic_costs(problem.workload)
    np.testing.assert_allclose(table, [[6, 4, 3.5], [2, 2, 2.5], [2, 2, 2.5], [0, 1, 2]])
    np.testing.assert_array_equal(rank_sequence(problem.workload, table.mean(axis=1)), [0, 1, 2, 3])
    # a: client 2.2 + 6, edge 2.1 + 4, cloud 2.55 + 3.5 = 6.05 -> cloud; b: cloud 3.55 + 2.5; c: cloud
    # 3.8 + 2.5 = 6.3 (edge 5.05 + 2); d: cloud 4.3 + 2 = 6.3 (edge 5.8 + 1, client 7.8)
    np.testing.assert_array_equal(peft_genes(problem), [2, 2, 2, 2])


def test_list_schedulers_report_the_evaluators_value():
    problem = MigrationProblem(paper_scenario(0))
    for name in ("heft", "peft", "greedy"):
        result = SOLVERS.create(name).solve(problem, budget=Budget(), seed=0)
        assert result.value == pytest.approx(problem.evaluate(result.x[None, :])[0], rel=1e-12)
        assert result.value >= problem.lower_bound


def test_segment_move_sets_one_run_inside_one_task():
    problem = MigrationProblem(paper_scenario(0))
    move = bind("mutation", "segment-move", problem)
    X = np.zeros((400, problem.n_var), dtype=np.int64)
    Y = move(np.random.default_rng(0), X, problem.lower, problem.upper)
    blocks = problem.blocks
    for row in Y:
        changed = np.flatnonzero(row)
        if changed.size == 0:
            continue  # the run moved to the value it had
        assert np.all(np.diff(changed) == 1) and len(set(row[changed])) == 1
        assert any(start <= changed[0] and changed[-1] < stop for start, stop in blocks)


def test_task_crossover_copies_one_whole_task():
    problem = MigrationProblem(paper_scenario(0))
    cross = bind("crossover", "task", problem)
    X = np.zeros((50, problem.n_var), dtype=np.int64)
    guide = np.ones(problem.n_var, dtype=np.int64)
    Y = cross(np.random.default_rng(1), X, guide)
    for row in Y:
        changed = np.flatnonzero(row)
        assert (changed[0], changed[-1] + 1) in problem.blocks


def test_reduced_problems_keep_task_blocks():
    problem = MigrationProblem(paper_scenario(0))
    reduced = ReducedProblem(problem, module_groups(problem))
    assert len(reduced.blocks) == len(problem.scenario.tasks)
    assert reduced.blocks[0][0] == 0 and reduced.blocks[-1][1] == reduced.n_var


def test_local_search_never_worsens_its_start_and_beats_greedy_on_the_paper_scenario():
    problem = MigrationProblem(paper_scenario(0))
    greedy = SOLVERS.create("greedy").solve(problem, budget=Budget(), seed=0).value
    result = SOLVERS.create("local-search").solve(problem, budget=Budget(evaluations=3000), seed=0)
    assert result.value < 0.8 * greedy and result.value >= problem.lower_bound
    assert result.evaluations >= 3000


def test_validate_puts_the_search_solvers_within_half_a_percent_of_the_optimum():
    """On validate's default instances (3 tasks x 4 layers, mixed pools, 531,441 placements), at
    5,000 evaluations (under 1% of the space), eosdnn and local search reach the certified optimum
    within 0.5% on at least 95% of the instances."""
    from eosdnn.problems.instances import InstanceShape, random_scenario
    from eosdnn.validation import DEFAULT_EVALUATIONS, validate

    scenarios = [random_scenario(seed, InstanceShape(tasks=3, layers=4), objective)
                 for seed in range(10) for objective in ("total", "makespan")]
    doc = validate(scenarios, ["eosdnn-plus", "local-search"], [0], Budget(evaluations=DEFAULT_EVALUATIONS))
    assert all(entry["exact"]["certified"] for entry in doc["instances"])
    assert all(DEFAULT_EVALUATIONS <= 0.01 * entry["placements"] for entry in doc["instances"])
    assert not doc["exhaustive_runs"]
    for name in ("eosdnn-plus", "local-search"):
        gaps = np.array([run["gap"] for entry in doc["instances"] for run in entry["runs"][name]])
        assert np.mean(gaps <= 0.005) >= 0.95, (name, np.round(gaps, 4))
    for entry in doc["instances"]:
        assert entry["lower_bound"] <= entry["exact"]["value"] * (1 + 1e-12)


def test_search_scores_only_new_rows_and_counts_every_row():
    """Rows equal to another of the batch or of the previous batch take its value (scoring is
    deterministic); the problem sees only the new ones, and the count and values are as if it saw all."""
    from eosdnn.framework import Search

    problem = MigrationProblem(paper_scenario(0, per_model=1))
    seen: list[int] = []
    evaluate = problem.evaluate

    def counting(X):
        seen.append(len(X))
        return evaluate(X)

    problem.evaluate = counting
    search = Search("test", problem, Budget(evaluations=10**6), seed=0)
    rng = np.random.default_rng(0)
    first = rng.integers(problem.lower, problem.upper + 1, size=(6, problem.n_var))
    batch = np.concatenate([first, first[:2]])  # two repeats inside the batch
    assert np.array_equal(search.evaluate(batch), evaluate(batch)) and seen == [6]
    second = first.copy()
    assert problem.upper[0] > problem.lower[0]
    second[0, 0] = problem.lower[0] if first[0, 0] != problem.lower[0] else problem.upper[0]  # row 0 is new
    assert np.array_equal(search.evaluate(second), evaluate(second))
    assert seen == [6, 1] and search.evaluations == 8 + 6
    assert search.best_value == float(min(evaluate(batch).min(), evaluate(second).min()))


def test_repeated_rows_are_recalled_exactly_whatever_their_key_type():
    """Rows are compared whole in their own integer type, so 259 is never taken for 3 (as it would be
    if the rows were narrowed to one byte, where 259 wraps to 3)."""
    import attrs as _attrs

    from eosdnn.framework import Budget, Problem, Search

    @_attrs.define(eq=False)
    class Sums(Problem):
        n_var: int = 2
        lower: np.ndarray = _attrs.field(factory=lambda: np.zeros(2, dtype=np.int64))
        upper: np.ndarray = _attrs.field(factory=lambda: np.full(2, 3, dtype=np.int64))
        calls: list = _attrs.field(factory=list)

        def evaluate(self, X):
            self.calls.append(len(X))
            return np.asarray(X, dtype=float).sum(axis=1)

    problem = Sums()
    search = Search("test", problem, Budget(evaluations=100), 0)
    assert list(search.evaluate(np.array([[3, 1], [3, 1], [0, 2]]))) == [4.0, 4.0, 2.0]
    assert list(search.evaluate(np.array([[3, 1], [1, 1]]))) == [4.0, 2.0]
    assert problem.calls == [2, 1]  # repeats within a batch and from the batch before are recalled
    assert list(search.evaluate(np.array([[3, 1], [259, 1]]))) == [4.0, 260.0]


def test_segment_crossover_copies_each_rows_segment_from_its_guide():
    """The compiled copy against the definition: genes between the two cut points (inclusive) come
    from the guide (one row per row, or one row for all), the rest stay; the same random draws."""
    from eosdnn.operators.integer import segment_crossover

    rng = np.random.default_rng(3)
    X = rng.integers(0, 5, (30, 17))
    for guides in (rng.integers(5, 9, (30, 17)), rng.integers(5, 9, 17)):
        out = segment_crossover(np.random.default_rng(9), X, guides)
        cuts = np.sort(np.random.default_rng(9).integers(0, 17, size=(30, 2)), axis=1)
        for i, (a, b) in enumerate(cuts):
            row = guides if guides.ndim == 1 else guides[i]
            expected = np.concatenate([X[i, :a], row[a:b + 1], X[i, b + 1:]])
            np.testing.assert_array_equal(out[i], expected)
        assert out.dtype == X.dtype and not np.shares_memory(out, X)


def test_rows_with_equal_hashes_but_different_genes_never_share_a_value():
    """A hash collision cannot make two different rows equal: the match is confirmed gene by gene."""
    from eosdnn.framework.duplicates import first_equal_rows, row_hashes

    rows = np.array([[1, 2, 3], [1, 2, 4], [1, 2, 3], [7, 7, 7]])
    collided = np.zeros(4, dtype=np.uint64)  # every row the same hash
    assert list(first_equal_rows(rows[:0], collided[:0], rows, collided)) == [0, 1, 0, 3]
    seen = np.array([[7, 7, 7], [1, 2, 4]])
    assert list(first_equal_rows(seen, np.zeros(2, dtype=np.uint64), rows, collided)) == [2, 1, 2, 0]
    hashes = row_hashes(np.ascontiguousarray(rows))
    assert hashes[0] == hashes[2] and len(set(hashes.tolist())) == 3


def test_a_batch_changed_in_place_after_scoring_is_scored_again():
    """A solver may reuse its population array: the search keeps its own copy of the rows it saw."""
    from eosdnn.framework import Search

    problem = MigrationProblem(paper_scenario(0, per_model=1))
    search = Search("test", problem, Budget(evaluations=10**6), seed=0)
    X = np.zeros((3, problem.n_var), dtype=np.int64)
    first = search.evaluate(X).copy()
    X[1, :] = 1
    np.testing.assert_array_equal(search.evaluate(X), problem.evaluate(X))
    assert first[1] != problem.evaluate(X)[1]


def test_the_paper_operators_on_rows_in_place_equal_their_functional_form():
    """`on_rows` (PSO-GA's in-place update) gives the rows exactly what `X[rows] = op(rng, X[rows], ...)`
    gives, with the same draws, for the paper's operators and for one without an in-place form."""
    from eosdnn.operators import operator
    from eosdnn.operators.integer import on_rows

    rng = np.random.default_rng(4)
    X = rng.integers(0, 11, (20, 40))
    personal = rng.integers(0, 11, (20, 40))
    lower, upper = np.zeros(40, dtype=np.int64), np.full(40, 10, dtype=np.int64)
    rows = np.array([0, 3, 4, 11, 19])
    cases = [("mutation", "random-gene", (lower, upper)), ("crossover", "segment", (personal,)),
             ("crossover", "segment", (personal[7],)), ("crossover", "uniform", (personal,))]
    for kind, name, args in cases:
        op = operator(kind, name)
        expected = X.copy()
        selected = [a[rows] if a.shape == X.shape else a for a in args]
        expected[rows] = op(np.random.default_rng(8), X[rows], *selected)
        got = X.copy()
        on_rows(op, np.random.default_rng(8), got, rows, *args)
        np.testing.assert_array_equal(got, expected, err_msg=f"{kind}:{name}")
        assert not np.array_equal(got, X)
