"""The evaluator against hand-computed cases, an exact per-chain DP and an independent reference."""

import itertools

import numpy as np
import pytest

from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.placement import genes_from_dict, placement_to_dict
from eosdnn.problems.reference import reference_schedule
from eosdnn.problems.scenario import paper_scenario
from eosdnn.problems.schedule import evaluate, schedule
from helpers import chain_dp, MB, chain, diamond, environment, scenario


def two_tasks_on_one_edge(pools: int):
    env = environment(clients=(1.0, 1.0), edge=(10.0,), edge_pools=pools, client_edge=1.0)
    model = chain("m", [1e9, 2e9], [1.0, 0.5], input_mb=1.0)
    return MigrationProblem(scenario(env, [model, model], clients=[0, 1]))


def test_two_tasks_contending_for_one_pool_match_the_hand_computation():
    # t0L1 ready 1.0 runs 1.0-1.1; t1L1 ready 1.0 waits for the pool: 1.1-1.2;
    # t0L2 ready 1.1 waits: 1.2-1.4; t1L2 ready 1.2 waits: 1.4-1.6; results take 0.5 s back.
    problem = two_tasks_on_one_edge(pools=1)
    genes = np.ones(4, dtype=int)
    s = schedule(problem.workload, genes)
    np.testing.assert_allclose(s.start, [1.0, 1.2, 1.1, 1.4])
    np.testing.assert_allclose(s.finish, [1.1, 1.4, 1.2, 1.6])
    np.testing.assert_allclose(s.wait, [0.0, 0.1, 0.1, 0.2])
    np.testing.assert_allclose(s.completion, [1.9, 2.1])
    d = problem.report(genes)
    assert d.total == pytest.approx(4.0)
    assert d.makespan == pytest.approx(2.1)
    assert d.exec == pytest.approx(0.6)
    assert d.transfer == pytest.approx(3.0)
    assert d.wait == pytest.approx(0.4)


def test_a_second_pool_removes_the_waiting():
    problem = two_tasks_on_one_edge(pools=2)
    d = problem.report(np.ones(4, dtype=int))
    assert d.wait == pytest.approx(0.0)
    assert d.total == pytest.approx(2 * (1.0 + 0.1 + 0.2 + 0.5))


def test_makespan_objective_reports_the_latest_completion():
    env = environment(clients=(1.0, 1.0), edge=(10.0,), client_edge=1.0)
    model = chain("m", [1e9, 2e9], [1.0, 0.5])
    problem = MigrationProblem(scenario(env, [model, model], clients=[0, 1], objective="makespan"))
    assert problem.evaluate(np.ones((1, 4), dtype=int))[0] == pytest.approx(2.1)


def test_pool_rule_takes_the_latest_freed_pool_among_the_free_ones():
    # Task 0 (order "task"): p on edge 0-1 (pool 0); q on the client, ready 2.0; r on edge ready 2.0:
    # both pools free, the rule takes pool 0 (freed at 1.0), leaving pool 1 (free since 0) for y.
    # Task 1's y is ready at 0 and must start at once; the earliest-free choice would make it wait.
    env = environment(clients=(1.0, 1.0), edge=(1.0,), edge_pools=2, client_edge=1.0)
    first = chain("t", [1e9, 0.0, 1e9], [1.0, 0.0, 0.0], input_mb=0.0)
    second = chain("y", [1e9], [0.0], input_mb=0.0)
    problem = MigrationProblem(scenario(env, [first, second], clients=[0, 1], priority="task"))
    s = schedule(problem.workload, np.array([1, 0, 1, 1]))
    np.testing.assert_allclose(s.start, [0.0, 2.0, 2.0, 0.0])
    assert s.wait[3] == 0.0


def test_layers_on_one_node_transfer_nothing():
    env = environment(clients=(1.0,), edge=(5.0,), client_edge=1.0)
    model = chain("m", [1e9, 1e9, 1e9], [3.0, 3.0, 3.0], input_mb=2.0)
    problem = MigrationProblem(scenario(env, [model]))
    local = schedule(problem.workload, np.zeros(3, dtype=int))
    assert local.transfer.sum() == 0.0 and local.result_transfer.sum() == 0.0
    remote = schedule(problem.workload, np.ones(3, dtype=int))
    np.testing.assert_allclose(remote.transfer, [2.0, 0.0, 0.0])  # only the input crosses the link
    np.testing.assert_allclose(remote.result_transfer, [3.0])


def test_ample_pools_match_the_per_chain_shortest_path_dp():
    rng = np.random.default_rng(3)
    env = environment(clients=(1.5, 2.0), edge=(8.0, 12.0), cloud=(60.0,), edge_pools=50, cloud_pools=50)
    models = [chain(f"c{k}", list(rng.uniform(1e8, 3e9, 5)), list(rng.uniform(0.05, 3.0, 5)), input_mb=0.6)
              for k in range(3)]
    problem = MigrationProblem(scenario(env, models))
    optimum = sum(chain_dp(env, m, t % 2) for t, m in enumerate(models))
    # exhaustive search over each task's 4**5 placements (others fixed) reaches the DP optimum
    every = np.array(list(itertools.product(range(4), repeat=5)))
    best = 0.0
    for t in range(3):
        grid = np.zeros((every.shape[0], problem.n_var), dtype=int)
        grid[:, problem.task_genes(t)] = every
        best += float(evaluate(problem.workload, grid).completion[:, t].min())
    assert best == pytest.approx(optimum, rel=1e-12)


def test_random_placements_agree_with_the_reference_evaluator():
    rng = np.random.default_rng(11)
    for priority in ("depth", "task"):
        env = environment(clients=(1.2, 2.0), edge=(6.0, 9.0), cloud=(50.0, 70.0), edge_pools=2, cloud_pools=3)
        models = [diamond("d1"), chain("c", [5e8, 1e9, 2e8, 7e8], [1.0, 0.2, 0.3, 0.1]), diamond("d2"),
                  chain("e", [2e9, 1e8], [0.4, 0.05])]
        problem = MigrationProblem(scenario(env, models, priority=priority))
        X = rng.integers(0, 5, (40, problem.n_var))
        e = evaluate(problem.workload, X)
        for row in range(X.shape[0]):
            ref = reference_schedule(problem.scenario, problem.nodes_of(X[row]))
            assert e.total[row] == pytest.approx(ref.total, rel=1e-12)
            assert e.makespan[row] == pytest.approx(ref.makespan, rel=1e-12)
            assert e.measures.exec[row] == pytest.approx(ref.exec, rel=1e-12)
            assert e.measures.transfer[row] == pytest.approx(ref.transfer, rel=1e-12)
            assert e.measures.wait[row] == pytest.approx(ref.wait, rel=1e-12, abs=1e-12)
            busy = np.zeros(len(env.nodes))
            sent = np.zeros((len(env.nodes), len(env.nodes)))
            for node, seconds in ref.busy.items():
                busy[node] = seconds
            for (a, b), size in ref.bytes_sent.items():
                sent[a, b] = size
            np.testing.assert_allclose(e.measures.busy[row], busy, rtol=1e-12)
            np.testing.assert_allclose(e.measures.bytes_sent[row], sent, rtol=1e-12)


def test_population_results_equal_one_by_one_results_on_the_paper_scenario():
    problem = MigrationProblem(paper_scenario(1))
    X = np.random.default_rng(5).integers(0, problem.workload.n_choices, (25, problem.n_var))
    together = problem.evaluate(X)
    alone = np.array([problem.evaluate(X[i:i + 1])[0] for i in range(X.shape[0])])
    np.testing.assert_array_equal(together, alone)
    ref = reference_schedule(problem.scenario, problem.nodes_of(X[0]))
    assert together[0] == pytest.approx(ref.total, rel=1e-12)


def test_depth_priority_interleaves_tasks():
    env = environment(clients=(1.0,), edge=(5.0,))
    problem = MigrationProblem(scenario(env, [chain("a", [1, 1], [1, 1]), chain("b", [1, 1], [1, 1])]))
    assert list(problem.workload.order) == [0, 2, 1, 3]
    problem = MigrationProblem(scenario(env, [chain("a", [1, 1], [1, 1]), chain("b", [1, 1], [1, 1])], priority="task"))
    assert list(problem.workload.order) == [0, 1, 2, 3]


def test_placement_on_another_client_is_rejected():
    env = environment(clients=(1.0, 1.0), edge=(5.0,))
    problem = MigrationProblem(scenario(env, [chain("a", [1, 1], [1, 1]), chain("b", [1, 1], [1, 1])], clients=[0, 1]))
    doc = placement_to_dict(problem, np.zeros(4, dtype=int))
    assert doc["tasks"][1]["nodes"] == {"b0": "client1", "b1": "client1"}
    np.testing.assert_array_equal(genes_from_dict(problem, doc), np.zeros(4))
    doc["tasks"][1]["nodes"]["b1"] = "client0"
    with pytest.raises(EosdnnError, match=r"tasks\[1\]\.nodes\.b1: client0 is another client"):
        genes_from_dict(problem, doc)


def test_genes_out_of_range_are_rejected():
    env = environment(clients=(1.0,), edge=(5.0,))
    problem = MigrationProblem(scenario(env, [chain("a", [1, 1], [1, 1])]))
    with pytest.raises(EosdnnError, match="genes"):
        problem.evaluate(np.array([[0, 2]]))
    with pytest.raises(EosdnnError, match="shape"):
        problem.evaluate(np.array([[0, 1, 1]]))


def test_rescoring_neighbours_from_their_first_change_gives_the_same_values():
    """`evaluate_near` re-scores rows from their first difference with an anchor placement: it must give
    the evaluator's values bit for bit, for run moves, single genes and unrelated rows."""
    from eosdnn.operators import bind
    from eosdnn.problems.instances import InstanceShape, random_scenario
    from eosdnn.problems.migration import MigrationProblem
    from eosdnn.problems.scenario import paper_scenario
    from eosdnn.problems.schedule import anchor, evaluate, evaluate_near

    problems = [MigrationProblem(paper_scenario(1))] + [
        MigrationProblem(random_scenario(seed, InstanceShape(tasks=4, layers=6, max_pools=3, dag_share=0.5), objective))
        for seed in range(4) for objective in ("total", "makespan")]
    for problem in problems:
        w = problem.workload
        rng = np.random.default_rng(7)
        base = rng.integers(0, w.n_choices, problem.n_var)
        near = anchor(w, base)
        runs = bind("mutation", "segment-move", problem)(rng, np.repeat(base[None, :], 40, axis=0), problem.lower,
                                                          problem.upper)
        single = bind("mutation", "random-gene", problem)(rng, np.repeat(base[None, :], 20, axis=0), problem.lower,
                                                           problem.upper)
        other = rng.integers(0, w.n_choices, (10, problem.n_var))
        for X in (runs, single, other, base[None, :]):
            np.testing.assert_array_equal(evaluate_near(w, near, X), evaluate(w, X).value)
        np.testing.assert_array_equal(problem.evaluate_near(base, runs), problem.evaluate(runs))


def test_the_list_scheduler_times_layers_as_the_evaluator_does():
    """The evaluator and the list scheduler share the ready-time and pool rules: forced to a placement
    in the order u, the list scheduler's finish times are the evaluator's, to the bit."""
    from eosdnn.problems.schedule import _list_schedule

    rng = np.random.default_rng(4)
    env = environment(clients=(1.2, 2.0), edge=(6.0, 9.0), cloud=(50.0,), edge_pools=2, cloud_pools=3)
    models = [diamond("d1"), chain("c", [5e8, 1e9, 2e8, 7e8], [1.0, 0.2, 0.3, 0.1]), diamond("d2")]
    problem = MigrationProblem(scenario(env, models))
    w = problem.workload
    for _ in range(20):
        genes = rng.integers(0, w.n_choices, problem.n_var)
        forced = np.full((w.n_genes, w.n_choices), 1e9)
        forced[np.arange(w.n_genes), genes[w.order]] = 0.0  # every other choice costs a billion seconds
        choice, finish = _list_schedule(np.arange(w.n_genes), forced, w.kernel)
        assert np.array_equal(choice, genes[w.order])
        np.testing.assert_array_equal(finish[w.position_of], schedule(w, genes).finish)


def test_nodes_with_many_pools_agree_with_the_reference_evaluator():
    """Above `POOL_SLOTS` pools (nodes of several blocks of slots) the pool rule stops at the block
    holding the first pool free at time 0: the same schedule as the plain reading of the rule."""
    from eosdnn.problems.schedule import POOL_SLOTS

    rng = np.random.default_rng(12)
    env = environment(clients=(1.0, 1.5), edge=(6.0,), cloud=(40.0,), edge_pools=POOL_SLOTS + 1,
                      cloud_pools=3 * POOL_SLOTS)
    models = [diamond(f"d{i}") for i in range(6)] + [chain(f"c{i}", [4e8, 9e8, 3e8], [0.6, 0.2, 0.1]) for i in range(6)]
    problem = MigrationProblem(scenario(env, models))
    X = rng.integers(0, problem.workload.n_choices, (30, problem.n_var))
    X[0] = 1  # every layer on the edge server: more layers than its pools, so some wait
    e = evaluate(problem.workload, X)
    for row in range(X.shape[0]):
        ref = reference_schedule(problem.scenario, problem.nodes_of(X[row]))
        assert e.total[row] == pytest.approx(ref.total, rel=1e-12)
        assert e.measures.wait[row] == pytest.approx(ref.wait, rel=1e-12, abs=1e-12)
    assert e.measures.wait[0] > 0


def _pool_by_the_rule(free_times: list[float], ready: float) -> int:
    """MODEL.md section 3's pool rule read plainly: among the pools free at `ready` the one freed
    latest, else the earliest to free; ties go to the lowest index."""
    free = [i for i, f in enumerate(free_times) if f <= ready]
    if free:
        return max(free, key=lambda i: (free_times[i], -i))
    return min(range(len(free_times)), key=lambda i: (free_times[i], i))


def test_the_pool_trees_choose_as_the_plain_rule_on_every_kind_of_node():
    """The compiled pool rule (blocks of POOL_SLOTS slots, spare slots never free, balanced trees,
    an early stop by bisection on nodes of several blocks) picks the pool the plain rule picks, and
    returns its free time: random states with many ties (free times from a few values), ready times
    on and between them, nodes of 1 to 3 blocks and partly used nodes (never-used pools free at 0
    after the used ones, as the evaluator leaves them)."""
    from eosdnn.problems.schedule import INDEX, POOL_SLOTS, take_pool

    rng = np.random.default_rng(21)
    values = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0])
    checked = 0
    for pools in (1, 2, 3, 5, POOL_SLOTS - 1, POOL_SLOTS, POOL_SLOTS + 1, 2 * POOL_SLOTS + 3, 3 * POOL_SLOTS):
        slots = -(-pools // POOL_SLOTS) * POOL_SLOTS
        for _ in range(300):
            used = int(rng.integers(0, pools + 1)) if pools > POOL_SLOTS else pools
            free_times = [float(v) for v in rng.choice(values[1:] if pools > POOL_SLOTS else values, used)]
            free_times += [0.0] * (pools - used)
            state = np.array([7.0] * 3 + free_times + [np.inf] * (slots - pools) + [7.0] * 2)  # another node's slots around
            for ready in (0.0, 0.25, 1.0, 1.75, 3.0, 9.0, float(rng.choice(values))):
                slot, free_at = take_pool(state, INDEX(3), INDEX(3 + slots), ready,
                                          True if slots > POOL_SLOTS else None)
                want = _pool_by_the_rule(free_times, ready)
                assert (int(slot) - 3, free_at) == (want, free_times[want]), (free_times, ready)
                checked += 1
    assert checked == 9 * 300 * 7


def test_pool_slots_come_in_blocks_with_spares_never_free():
    """A node of p pools keeps ceil(p / POOL_SLOTS) blocks of slots; the spare slots start at +inf,
    the pools at 0; `several_blocks` says whether any node has more than one block (None lets
    numba leave those steps out of the pool rule)."""
    from eosdnn.problems.schedule import POOL_SLOTS, compile_workload

    env = environment(clients=(1.0, 1.5), edge=(6.0, 7.0), cloud=(40.0,), edge_pools=POOL_SLOTS + 2, cloud_pools=3)
    problem = MigrationProblem(scenario(env, [diamond("d1"), chain("c", [4e8, 9e8], [0.6, 0.2])]))
    k = compile_workload(problem.scenario).kernel
    pools = np.diff(problem.workload.pool_ptr)
    blocks = np.diff(k.slot_ptr.astype(np.int64)) // POOL_SLOTS
    assert np.array_equal(blocks, -(-pools // POOL_SLOTS))
    for n, p in enumerate(pools):
        at_start = k.slots_at_start[int(k.slot_ptr[n]):int(k.slot_ptr[n + 1])]
        assert np.all(at_start[:p] == 0.0) and np.all(np.isinf(at_start[p:]))
    assert k.several_blocks is True  # the edge server's 10 pools take two blocks
    assert MigrationProblem(paper_scenario(0)).workload.kernel.several_blocks is None  # 1, 2 or 8 pools


def test_the_evaluator_uses_one_thread_unless_asked_and_threads_change_no_bit(monkeypatch):
    """One thread by default, numba's included (an idle OpenMP thread spins); EOSDNN_THREADS asks
    for more, and rows are independent, so the values are the same bits."""
    import numba

    from eosdnn.problems.schedule import THREADS_VARIABLE, evaluation_threads

    problem = MigrationProblem(paper_scenario(2))
    X = np.random.default_rng(8).integers(0, problem.workload.n_choices, (40, problem.n_var))
    monkeypatch.delenv(THREADS_VARIABLE, raising=False)
    one = problem.evaluate(X)
    assert evaluation_threads() == 1 and numba.get_num_threads() == 1
    monkeypatch.setenv(THREADS_VARIABLE, "2")
    many = problem.evaluate(X)
    assert numba.get_num_threads() == min(2, numba.config.NUMBA_NUM_THREADS)
    np.testing.assert_array_equal(one, many)
    monkeypatch.delenv(THREADS_VARIABLE)
    problem.evaluate(X[:1])
    assert numba.get_num_threads() == 1
