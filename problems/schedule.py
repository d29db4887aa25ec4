"""The evaluator: MODEL.md section 3, compiled with numba. The single source of truth for delays.

A workload (environment + tasks + priority order) is compiled once into flat arrays in the
priority order u; `evaluate` then scores a whole population of gene vectors in one compiled
loop. Genes are task-major (task 0's layers in model order, then task 1's, ...); gene value 0
is the task's own client, 1..o the edge servers, o+1.. the cloud servers.
"""

from __future__ import annotations

import os

import attrs
import numpy as np

from eosdnn.framework.kernel_cache import KERNEL_CACHE  # before numba: it picks numba's cache folder
import numba  # noqa: E402
from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.constraints import Constrained
from eosdnn.problems.kernel_layout import (INDEX, POOL_SLOTS, KernelArrays, exec_seconds, kernel_arrays,
                                          node_at, node_of_choice)
from eosdnn.problems.measures import Measures
from eosdnn.problems.objectives import Objective, objective as objective_named
from eosdnn.problems.scenario import Scenario


@attrs.frozen
class CompiledWorkload:
    """Flat arrays of a scenario, indexed by position in the priority order u."""

    scenario: Scenario
    order: np.ndarray  # position -> gene column
    position_of: np.ndarray  # gene column -> position (the inverse of `order`)
    task_of: np.ndarray  # position -> task
    exec_s: np.ndarray  # (positions, nodes) execution seconds
    pred_ptr: np.ndarray  # CSR over positions
    pred_pos: np.ndarray
    pred_bytes: np.ndarray
    input_bytes: np.ndarray  # bytes read from the owner client (model input), -1 if none
    choice_node: np.ndarray  # (tasks, choices) gene value -> node
    client_of: np.ndarray  # task -> client node
    last_pos: np.ndarray  # task -> position of its result layer
    result_bytes: np.ndarray  # task -> bytes of the result
    seconds_per_byte: np.ndarray  # (nodes, nodes)
    pool_ptr: np.ndarray  # node -> its pools in a flat array
    gene_offset: np.ndarray  # task -> first gene column
    objective: Objective  # what a plan is scored by
    kernel: KernelArrays = attrs.field(init=False)  # the same workload as the compiled kernels read it

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "kernel", kernel_arrays(self))

    @property
    def n_genes(self) -> int:
        return int(self.order.shape[0])

    @property
    def n_tasks(self) -> int:
        return int(self.client_of.shape[0])

    @property
    def n_choices(self) -> int:
        return int(self.choice_node.shape[1])

    @property
    def n_slots(self) -> int:
        """Pool slots the kernels keep (KernelArrays): what one schedule state holds."""
        return int(self.kernel.slot_ptr[-1])


def priority_keys(scenario: Scenario) -> list[tuple[int, int, int]]:
    """Sort keys of every gene (task-major) under the scenario's priority rule."""
    keys = []
    for t, task in enumerate(scenario.tasks):
        depths = task.model.depths()
        for position in range(task.model.n_layers):
            keys.append((depths[position], t, position) if scenario.priority == "depth" else (0, t, position))
    return keys


def compile_workload(scenario: Scenario) -> CompiledWorkload:
    env = scenario.environment
    offsets = np.cumsum([0] + [task.model.n_layers for task in scenario.tasks])
    keys = priority_keys(scenario)
    order = np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)
    position_of = np.empty_like(order)
    position_of[order] = np.arange(order.size)
    cycles = np.empty(order.size)
    task_of = np.empty(order.size, dtype=np.int64)
    input_bytes = np.full(order.size, -1.0)
    preds: list[list[tuple[int, float]]] = [[] for _ in range(order.size)]
    for t, task in enumerate(scenario.tasks):
        layers = task.model.layers
        for i, (layer, sources) in enumerate(zip(layers, task.model.predecessors())):
            pos = position_of[offsets[t] + i]
            cycles[pos] = layer.flops / env.flops_per_cycle
            task_of[pos] = t
            if not sources:
                input_bytes[pos] = task.model.input_bytes
            preds[pos] = [(position_of[offsets[t] + s], layers[s].out_bytes) for s in sources]
    pred_ptr = np.zeros(order.size + 1, dtype=np.int64)
    pred_ptr[1:] = np.cumsum([len(p) for p in preds])
    pools = env.pools()
    pool_ptr = np.zeros(len(env.nodes) + 1, dtype=np.int64)
    pool_ptr[1:] = np.cumsum(pools)
    choice_node = np.array([env.allowed_nodes(task.client) for task in scenario.tasks], dtype=np.int64)
    return CompiledWorkload(
        scenario=scenario,
        order=order,
        position_of=position_of,
        task_of=task_of,
        exec_s=cycles[:, None] / env.hz()[None, :],
        pred_ptr=pred_ptr,
        pred_pos=np.array([p for ps in preds for p, _ in ps], dtype=np.int64),
        pred_bytes=np.array([b for ps in preds for _, b in ps], dtype=np.float64),
        input_bytes=input_bytes,
        choice_node=choice_node,
        client_of=np.array([task.client for task in scenario.tasks], dtype=np.int64),
        last_pos=np.array([position_of[offsets[t] + task.model.output] for t, task in enumerate(scenario.tasks)], dtype=np.int64),
        result_bytes=np.array([task.model.layers[task.model.output].out_bytes for task in scenario.tasks]),
        seconds_per_byte=env.seconds_per_byte(),
        pool_ptr=pool_ptr,
        gene_offset=offsets[:-1].astype(np.int64),
        objective=scenario_objective(scenario),
    )


def scenario_objective(scenario: Scenario) -> Objective:
    """The scenario's objective, under its limits and deadlines where it has any."""
    base = objective_named(scenario.objective)
    if not scenario.constrained:
        return base
    deadlines = np.array([np.inf if task.deadline is None else task.deadline for task in scenario.tasks])
    return Constrained(base, tuple(scenario.constraints), deadlines)


ONE = INDEX(1)
BLOCK = INDEX(POOL_SLOTS)


@numba.njit(cache=KERNEL_CACHE, nogil=True, inline="always")
def _later(a, a_slot, b, b_slot):
    """The later of two free times, the lower slot on ties (`a` holds the lower slots)."""
    first = a >= b
    return (a if first else b), (a_slot if first else b_slot)


@numba.njit(cache=KERNEL_CACHE, nogil=True, inline="always")
def _sooner(a, a_slot, b, b_slot):
    """The sooner of two free times, the lower slot on ties (`a` holds the lower slots)."""
    first = a <= b
    return (a if first else b), (a_slot if first else b_slot)


@numba.njit(cache=KERNEL_CACHE, nogil=True, inline="always")
def _if_free(f, ready):
    """A pool's free time if it is free at `ready`, else -1 (below every free time)."""
    return f if f <= ready else -1.0


@numba.njit(cache=KERNEL_CACHE, nogil=True, inline="always")
def _take_of_block(pool_free, first, ready):
    """The pool rule on the `POOL_SLOTS` slots from `first`, as two balanced trees of pairwise
    choices: (latest free time at `ready` or -1, its slot, earliest free time, its slot). No loop and
    no branch, three comparisons deep where a scan is eight: the scan's chain of dependent
    comparisons bounded the evaluator."""
    f0, f1, f2, f3 = pool_free[first], pool_free[first + ONE], pool_free[first + INDEX(2)], pool_free[first + INDEX(3)]
    f4, f5, f6, f7 = (pool_free[first + INDEX(4)], pool_free[first + INDEX(5)], pool_free[first + INDEX(6)],
                      pool_free[first + INDEX(7)])
    a01, i01 = _later(_if_free(f0, ready), first, _if_free(f1, ready), first + ONE)
    a23, i23 = _later(_if_free(f2, ready), first + INDEX(2), _if_free(f3, ready), first + INDEX(3))
    a45, i45 = _later(_if_free(f4, ready), first + INDEX(4), _if_free(f5, ready), first + INDEX(5))
    a67, i67 = _later(_if_free(f6, ready), first + INDEX(6), _if_free(f7, ready), first + INDEX(7))
    a03, i03 = _later(a01, i01, a23, i23)
    a47, i47 = _later(a45, i45, a67, i67)
    latest, latest_slot = _later(a03, i03, a47, i47)
    b01, j01 = _sooner(f0, first, f1, first + ONE)
    b23, j23 = _sooner(f2, first + INDEX(2), f3, first + INDEX(3))
    b45, j45 = _sooner(f4, first + INDEX(4), f5, first + INDEX(5))
    b67, j67 = _sooner(f6, first + INDEX(6), f7, first + INDEX(7))
    b03, j03 = _sooner(b01, j01, b23, j23)
    b47, j47 = _sooner(b45, j45, b67, j67)
    earliest, earliest_slot = _sooner(b03, j03, b47, j47)
    return latest, latest_slot, earliest, earliest_slot


@numba.njit(cache=KERNEL_CACHE, nogil=True, inline="always")
def take_pool(pool_free, first, stop, ready, several_blocks):
    """The pool rule of MODEL.md section 3, the one copy every scheduler calls: among the pools in
    slots `first..stop-1` (KernelArrays.slot_ptr) free at `ready`, the one freed latest; if none is
    free, the earliest to free (ties: the lowest slot). Returns the slot and its free time.
    `several_blocks` is KernelArrays.several_blocks: None where no node has more than one block.

    Slots come in blocks of `POOL_SLOTS` (spare slots never free), each taken by the branch-free
    tree; a node of one block (every node with at most `POOL_SLOTS` pools) never loops. Inlined: a
    call, even one on a branch never taken, made the evaluator 1.5x slower.

    A node of several blocks stops early: pools are taken in slot order (a never-used pool is free
    at 0, and ties go to the lowest slot), and free times only grow, so a node's pools free at time
    0 come after all its used ones, and none of them can be chosen over the first. The blocks stop
    at the one holding it (or the first spare slot): the first block unless its last slot is used,
    else found by bisection, so the upload problem's ample pools cost what the used pools cost."""
    if several_blocks is not None and stop - first > BLOCK:  # up to the block holding the first slot not used
        f = pool_free[first + BLOCK - ONE]
        if (f > 0.0) & (f < np.inf):  # the first block is all used: find the slot by bisection
            low, high = first + BLOCK, stop
            while low < high:  # no branch inside
                middle = (low + high) >> ONE
                f = pool_free[middle]
                used = (f > 0.0) & (f < np.inf)
                low = middle + ONE if used else low
                high = high if used else middle
            stop = min(stop, first + (low - first + BLOCK) // BLOCK * BLOCK)
        else:
            stop = first + BLOCK
    latest, latest_slot, earliest, earliest_slot = _take_of_block(pool_free, first, ready)
    for block in range(first + BLOCK, stop if several_blocks is not None else first, BLOCK):
        block_latest, block_latest_slot, block_earliest, block_earliest_slot = _take_of_block(pool_free, block, ready)
        latest, latest_slot = _later(latest, latest_slot, block_latest, block_latest_slot)
        earliest, earliest_slot = _sooner(earliest, earliest_slot, block_earliest, block_earliest_slot)
    free = latest >= 0.0
    return (latest_slot if free else earliest_slot), (latest if free else earliest)


@numba.njit(cache=KERNEL_CACHE, nogil=True, inline="always")
def ready_time(k, pos, task, n, node, finish):
    """The ready-time rule of MODEL.md section 3, the one copy every scheduler calls: when position
    `pos` (of `task`) could start on node `n`, given where (`node`) and when (`finish`) the layers
    before it ran: the latest arrival of its inputs (the model input comes from the task's client),
    and the slowest single transfer among them (its T2). Inlined by numba: as a called function
    (the record or single arrays passed on every call) it slowed the evaluator by 4% to 2.5x."""
    spb = k.spb
    r = 0.0
    slowest = 0.0
    if k.input_bytes[pos] >= 0.0:
        slowest = k.input_bytes[pos] * spb[k.client_of[task] * k.nodes + n]
        r = slowest
    for e in range(k.pred_ptr[pos], k.pred_ptr[pos + ONE]):
        p = k.pred_pos[e]
        transfer = k.pred_bytes[e] * spb[node[p] * k.nodes + n]
        slowest = max(slowest, transfer)
        r = max(r, finish[p] + transfer)
    return r, slowest


@numba.njit(cache=KERNEL_CACHE, nogil=True)
def _schedule(genes, k, pool_free, node, finish, completion, first, record, ready, start, t2):
    """Serial schedule of one placement (`k`: the workload's KernelArrays); fills the per-position
    arrays and returns (exec, transfer, wait).

    From position `first` on: the arrays and `pool_free` must then hold the schedule before `first`
    (re-scoring a neighbour of a placement from its first changed position), and the sums returned
    cover positions `first..` only. `record`, unless None, receives the pools' free times before
    every position (the state a later re-scoring starts from); `ready`, `start` and `t2`, unless
    None, the ready time, start and T2 of every position. numba compiles a None away with its branch:
    a population's scores, which need node and finish alone, run 3-8% faster than with the checks."""
    if first == 0:
        pool_free[:] = k.slots_at_start
    spb = k.spb
    total_exec = 0.0
    total_transfer = 0.0
    total_wait = 0.0
    for pos in range(INDEX(first), INDEX(k.order.shape[0])):
        if record is not None:
            record[pos] = pool_free
        task = k.task_of[pos]
        n = node_at(k, genes, pos, task)
        node[pos] = n
        r, slowest = ready_time(k, pos, task, n, node, finish)
        chosen, free_at = take_pool(pool_free, k.slot_ptr[n], k.slot_ptr[n + ONE], r, k.several_blocks)
        s = max(r, free_at)
        duration = exec_seconds(k, pos, n)
        pool_free[chosen] = s + duration
        finish[pos] = s + duration
        if ready is not None:
            ready[pos] = r
            start[pos] = s
            t2[pos] = slowest
        total_exec += duration
        total_transfer += slowest
        total_wait += s - r
    for task in range(k.last_pos.shape[0]):
        p = k.last_pos[task]
        back = k.result_bytes[task] * spb[node[p] * k.nodes + k.client_of[task]]
        completion[task] = finish[p] + back
        total_transfer += back
    return total_exec, total_transfer, total_wait


@numba.njit(cache=KERNEL_CACHE, nogil=True)
def _sum_and_max(completion):
    """A plan's total and makespan, added up as the population kernel adds them (so the one plan's
    figures are the same bits as its row's)."""
    return completion.sum(), completion.max()


@numba.njit(cache=KERNEL_CACHE, nogil=True)
def _scratch(k):
    """One thread's working arrays for `_schedule`: pool slots' free times, node, finish."""
    positions = k.order.shape[0]
    return np.empty(k.slots_at_start.shape[0]), np.empty(positions, dtype=np.uint64), np.empty(positions)


@numba.njit(cache=KERNEL_CACHE, nogil=True, parallel=True)
def _evaluate_population(X, k, out_total, out_makespan, out_exec, out_transfer, out_wait, out_completion, chunks):
    """Every row of X, split into `chunks` (one per thread); each chunk keeps its own scratch arrays,
    and rows are independent, so the result does not depend on the number of threads."""
    pop = X.shape[0]
    for c in numba.prange(chunks):
        pool_free, node, finish = _scratch(k)
        for i in range(c * pop // chunks, (c + 1) * pop // chunks):
            completion = out_completion[i]
            e, t, w = _schedule(X[i], k, pool_free, node, finish, completion, 0, None, None, None, None)
            out_exec[i] = e
            out_transfer[i] = t
            out_wait[i] = w
            out_total[i] = completion.sum()
            out_makespan[i] = completion.max()


@numba.njit(cache=KERNEL_CACHE, nogil=True)
def _list_schedule(sequence, extra, k):
    """Place layers one by one in `sequence` (positions, a topological order): each takes the allowed
    node (choice) with the least `finish + extra[pos, choice]`, where finish follows section 3's
    rules (ready from its inputs, the pool rule) given the layers placed before it. Returns the
    choice and the finish time of every position (a test holds them to the evaluator's)."""
    positions = k.order.shape[0]
    pool_free = k.slots_at_start.copy()
    node = np.zeros(positions, dtype=np.uint64)
    finish = np.zeros(positions)
    choice = np.zeros(positions, dtype=np.int64)
    for index in range(sequence.shape[0]):
        pos = INDEX(sequence[index])
        task = k.task_of[pos]
        best_score = np.inf
        best_choice = INDEX(0)
        best_pool = INDEX(0)
        best_finish = 0.0
        for c in range(k.choices):
            n = node_of_choice(k, task, c)
            r = ready_time(k, pos, task, n, node, finish)[0]
            pool, free_at = take_pool(pool_free, k.slot_ptr[n], k.slot_ptr[n + ONE], r, k.several_blocks)
            f = max(r, free_at) + exec_seconds(k, pos, n)
            score = f + extra[pos, c]
            if score < best_score:
                best_score = score
                best_choice = c
                best_pool = pool
                best_finish = f
        choice[pos] = best_choice
        node[pos] = node_of_choice(k, task, best_choice)
        finish[pos] = best_finish
        pool_free[best_pool] = best_finish
    return choice, finish


def list_schedule(w: CompiledWorkload, sequence: np.ndarray, extra: np.ndarray) -> np.ndarray:
    """Genes (task-major) of the list schedule of `sequence` (positions in the order u's numbering)
    with the per-(position, choice) `extra` cost added to each finish when choosing."""
    choice, _ = _list_schedule(np.ascontiguousarray(sequence, dtype=np.int64),
                               np.ascontiguousarray(extra, dtype=np.float64), w.kernel)
    genes = np.empty(w.n_genes, dtype=np.int64)
    genes[w.order] = choice
    return genes


def result_return(w: CompiledWorkload) -> np.ndarray:
    """(positions, choices): seconds to send the result back to the client from each choice, for a
    task's result layer; 0 for every other layer."""
    back = np.zeros((w.n_genes, w.n_choices))
    for t in range(w.n_tasks):
        nodes = w.choice_node[t]
        back[w.last_pos[t]] = w.result_bytes[t] * w.seconds_per_byte[nodes, w.client_of[t]]
    return back


@numba.njit(cache=KERNEL_CACHE, nogil=True, parallel=True)
def _evaluate_near(X, firsts, base_node, base_finish, states, k, out_total, out_makespan, out_completion, chunks):
    """Rows of X that equal the anchor's genes before position `firsts[i]`, each re-scored from there."""
    pop = X.shape[0]
    for c in numba.prange(chunks):
        pool_free, node, finish = _scratch(k)
        for i in range(c * pop // chunks, (c + 1) * pop // chunks):
            completion = out_completion[i]
            first = firsts[i]
            node[:] = base_node
            finish[:] = base_finish
            pool_free[:] = states[first]
            _schedule(X[i], k, pool_free, node, finish, completion, first, None, None, None, None)
            out_total[i] = completion.sum()
            out_makespan[i] = completion.max()


@attrs.frozen
class Anchor:
    """One placement's schedule, kept so that its neighbours can be re-scored from their first
    changed position in the order u (the prefix before it is the same schedule)."""

    genes: np.ndarray
    node: np.ndarray
    finish: np.ndarray
    states: np.ndarray  # (positions + 1, slots): the pool slots' free times before each position, and at the end


def anchor(w: CompiledWorkload, genes: np.ndarray) -> Anchor:
    genes = check_genes(w, genes)[0]
    pool_free, node, finish = _scratch(w.kernel)
    states = np.empty((w.n_genes + 1, w.n_slots))
    _schedule(genes, w.kernel, pool_free, node, finish, np.empty(w.n_tasks), 0, states, None, None, None)
    states[w.n_genes] = pool_free
    return Anchor(genes, node, finish, states)


def evaluate_near(w: CompiledWorkload, base: Anchor, X: np.ndarray) -> np.ndarray:
    """The objective of every row of X, each re-scored from its first difference with `base`: the
    same values as `evaluate(w, X).value`, faster when rows differ from the base late in the order u."""
    X = check_genes(w, X)
    pop = X.shape[0]
    firsts = np.where(X != base.genes[None, :], w.position_of[None, :], w.n_genes).min(axis=1)
    total, makespan, completion = np.empty(pop), np.empty(pop), np.empty((pop, w.n_tasks))
    _evaluate_near(X, firsts, base.node, base.finish, base.states, w.kernel, total, makespan, completion, _chunks(pop))
    return w.objective.value(Measures(w.scenario.environment, X, w.kernel, completion, total, makespan))


@attrs.frozen
class Evaluation:
    """The objective of every row of a population, and the measures it was computed from."""

    value: np.ndarray
    measures: Measures

    @property
    def total(self) -> np.ndarray:
        return self.measures.total

    @property
    def makespan(self) -> np.ndarray:
        return self.measures.makespan

    @property
    def completion(self) -> np.ndarray:  # (pop, tasks)
        return self.measures.completion


def pools_of(w: CompiledWorkload, node: np.ndarray, ready: np.ndarray) -> np.ndarray:
    """The pool (0.. on its node) of every position, as the evaluator picks it: the one pool rule,
    `take_pool`, replayed over the schedule's ready times (`node`, `ready` by position in the order u)."""
    slot_ptr = w.kernel.slot_ptr
    pool_free = w.kernel.slots_at_start.copy()
    exec_s = w.exec_s[np.arange(w.n_genes), node]
    pools = np.zeros(w.n_genes, dtype=np.int64)
    for p in range(w.n_genes):
        n = int(node[p])
        chosen = int(take_pool(pool_free, slot_ptr[n], slot_ptr[n + 1], float(ready[p]), w.kernel.several_blocks)[0])
        pool_free[chosen] = max(float(ready[p]), pool_free[chosen]) + exec_s[p]
        pools[p] = chosen - int(slot_ptr[n])
    return pools


@attrs.frozen
class Schedule:
    """The full schedule of one placement, per layer in task-major gene order."""

    node: np.ndarray
    pool: np.ndarray  # the pool of its node each layer runs on (0..)
    ready: np.ndarray
    start: np.ndarray
    finish: np.ndarray
    exec: np.ndarray  # T1
    transfer: np.ndarray  # T2
    wait: np.ndarray  # T3
    completion: np.ndarray  # per task
    result_transfer: np.ndarray  # per task: result back to the client
    total: float
    makespan: float
    measures: Measures  # of this one plan, what its objective value is computed from


THREADS_VARIABLE = "EOSDNN_THREADS"


def evaluation_threads() -> int:
    """How many threads the evaluator uses: 1, unless `EOSDNN_THREADS` asks for more (capped by
    numba's `NUMBA_NUM_THREADS`). numba's OpenMP threads spin while they wait: with the other core
    busy, two threads made PSO-GA 2.1x slower in wall time and 2.7x in CPU time than one, and even
    an idle second thread doubles the CPU time; on a quiet machine they gained 11%. Parallel work
    goes to worker processes (`--workers`) instead, which never wait on each other."""
    text = os.environ.get(THREADS_VARIABLE, "1")
    wanted = int(text) if text.isdigit() and int(text) > 0 else 1
    return max(1, min(wanted, numba.config.NUMBA_NUM_THREADS))


def _chunks(pop: int) -> int:
    """How many parts a population is split into: one per evaluation thread, at most one per row;
    numba's threads are set to as many, so that no idle thread spins."""
    threads = evaluation_threads()
    if numba.get_num_threads() != threads:
        numba.set_num_threads(threads)
    return max(1, min(pop, threads))


def check_genes(w: CompiledWorkload, X: np.ndarray) -> np.ndarray:
    X = np.asarray(X)
    if X.ndim == 1:
        X = X[None, :]
    if X.ndim != 2 or X.shape[1] != w.n_genes:
        raise EosdnnError(f"genes: expected shape (pop, {w.n_genes}), got {X.shape}")
    if X.size and (X.min() < 0 or X.max() >= w.n_choices):
        raise EosdnnError(f"genes: values must lie in 0..{w.n_choices - 1}")
    if not np.issubdtype(X.dtype, np.integer):
        if not np.all(X == np.round(X)):
            raise EosdnnError("genes: values must be whole numbers")
    return np.ascontiguousarray(X, dtype=np.int64)


def evaluate(w: CompiledWorkload, X: np.ndarray) -> Evaluation:
    """Score every row of X (pop, n_genes) by the serial schedule of MODEL.md section 3."""
    X = check_genes(w, X)
    pop = X.shape[0]
    total, makespan, exec_time, transfer, wait = (np.empty(pop) for _ in range(5))
    completion = np.empty((pop, w.n_tasks))
    _evaluate_population(X, w.kernel, total, makespan, exec_time, transfer, wait, completion, _chunks(pop))
    measures = Measures(w.scenario.environment, X, w.kernel, completion, total, makespan, exec_time, transfer, wait)
    return Evaluation(w.objective.value(measures), measures)


def schedule(w: CompiledWorkload, genes: np.ndarray) -> Schedule:
    """The detailed schedule of one placement (for reports and checks)."""
    genes = check_genes(w, genes)[0]
    pool_free, on_node, finish = _scratch(w.kernel)
    ready, start, t2 = (np.empty(w.n_genes) for _ in range(3))
    completion = np.empty(w.n_tasks)
    sums = _schedule(genes, w.kernel, pool_free, on_node, finish, completion, 0, None, ready, start, t2)
    node = on_node.astype(np.int64)
    back = completion - finish[w.last_pos]
    total, makespan = (float(v) for v in _sum_and_max(completion))
    by_gene = w.position_of  # per-position arrays read in gene order
    exec_time = w.exec_s[np.arange(w.n_genes), node]
    return Schedule(
        node=node[by_gene],
        pool=pools_of(w, node, ready)[by_gene],
        ready=ready[by_gene],
        start=start[by_gene],
        finish=finish[by_gene],
        exec=exec_time[by_gene],
        transfer=t2[by_gene],
        wait=(start - ready)[by_gene],
        completion=completion,
        result_transfer=back,
        total=total,
        makespan=makespan,
        measures=Measures(w.scenario.environment, genes[None, :], w.kernel, completion[None, :], np.array([total]),
                          np.array([makespan]), *(np.array([part]) for part in sums)),
    )
