"""Lower bounds on the optimum of a migration problem: per-task least completion times, from which
each registered objective makes its own bound (`Objective.lower_bound`), and the one gap.

The contention-free bound: pools only ever delay a layer (MODEL.md section 3: `start >= ready`),
so every layer finishes no earlier than it would with ample pools, where tasks are independent.
Each task's least completion time without contention is then a shortest path over (layer, node):

- the layers every path from the model input to the result passes through (the *cut layers*:
  no edge of the topological order jumps over them) split the model into regions;
- across a region with nothing inside (two consecutive layers of a chain), the finish time on
  node `n` is a shortest-path step over the node of the layer before;
- inside a region (a fork-join module), the region's entry node is fixed and every inner layer's
  earliest finish is computed per entry node, each input taking its own best node; the exit
  layer's ready time is the slowest of its inputs. When the region's branches are chains (an
  inception module, a residual block) the inner layers of different branches never share a
  predecessor other than the entry, so this is exact; for any other DAG, letting each input
  choose its node independently is a relaxation, still a valid lower bound.

`total >= sum of the tasks' bounds` and `makespan >= the largest`. Tasks with the same model and
client share one computation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import overload

import attrs
import numpy as np

from eosdnn.problems.schedule import CompiledWorkload


def cut_layers(predecessors: list[list[int]]) -> list[int]:
    """Layers (and -1, the model input) that every input-to-result path passes through.

    Positions: 0 is the model input, i + 1 is layer i (layers are in topological order). A position
    is on every path exactly when no edge jumps over it."""
    n = len(predecessors)
    furthest = np.zeros(n + 1, dtype=np.int64)  # furthest position each position sends to
    for i, preds in enumerate(predecessors):
        for k in preds if preds else [-1]:
            furthest[k + 1] = max(furthest[k + 1], i + 1)
    cuts, reach = [], 0
    for position in range(n + 1):
        if reach <= position:
            cuts.append(position - 1)
        reach = max(reach, int(furthest[position]))
    return cuts


@attrs.frozen
class ForwardPass:
    """The contention-free dynamic programme of one task, for a batch of execution-time tables:
    per cut layer, its least finish time on each node (batch, choices); per cut layer and node, the
    node of the cut layer before on a least path; per region (keyed by its exit) the least finish
    of its inner layers relative to the entry's (batch, entry node, node); and the least time the
    result is back on the client, per node of the last layer (batch, choices)."""

    cuts: list[int]
    finish: dict[int, np.ndarray]
    came_from: dict[int, np.ndarray]
    regions: dict[int, dict[int, np.ndarray]]
    sizes: np.ndarray  # index k + 1: bytes sent by layer k (0: the model input)
    completion: np.ndarray


def forward_pass(exec_s: np.ndarray, spb: np.ndarray, predecessors: list[list[int]], out_bytes: np.ndarray,
                 input_bytes: float) -> ForwardPass:
    """Least finish times of one task without contention (see the module docstring).

    `exec_s` is (batch, layers, choices): for each of a batch of variants of the task (a node
    forbidden by an infinite entry, or a node made to look slower), the seconds of each layer on
    each allowed node, choice 0 being the owner client; `spb` (choices, choices), or one such table
    per variant, seconds per byte between allowed nodes; `out_bytes` per layer. One pass serves the
    whole batch."""
    batch, _, choices = exec_s.shape
    spb = np.broadcast_to(spb, (batch, choices, choices))
    cuts = cut_layers(predecessors)
    start = np.full((batch, choices), np.inf)
    start[:, 0] = 0.0  # the model input sits on the client
    finish = {-1: start}
    sizes = np.concatenate([[input_bytes], out_bytes])
    came_from: dict[int, np.ndarray] = {}
    regions: dict[int, dict[int, np.ndarray]] = {}

    def ready(relative: dict[int, np.ndarray], layer: int) -> np.ndarray:
        """(batch, entry node, node): when every input of `layer` can be on that node, after the entry."""
        worst = np.full((batch, choices, choices), -np.inf)
        for k in predecessors[layer] if predecessors[layer] else [-1]:
            sent = relative[k][:, :, :, None] + sizes[k + 1] * spb[:, None, :, :]
            worst = np.maximum(worst, sent.min(axis=2))
        return worst

    for a, b in zip(cuts, cuts[1:]):
        inner = range(a + 1, b)
        base = finish[a]
        if not inner:
            steps = base[:, :, None] + sizes[a + 1] * spb
        else:
            # relative[(entry node), node] for every inner layer: finish after the entry finishes
            entry = np.where(np.eye(choices, dtype=bool), 0.0, np.inf)
            relative = {a: np.broadcast_to(entry, (batch, choices, choices))}
            for layer in inner:
                relative[layer] = ready(relative, layer) + exec_s[:, layer][:, None, :]
            regions[b] = relative
            steps = base[:, :, None] + ready(relative, b)
        came_from[b] = steps.argmin(axis=1)
        finish[b] = steps.min(axis=1) + exec_s[:, b]
    n = len(predecessors)
    completion = finish[n - 1] + out_bytes[n - 1] * spb[:, :, 0]  # the result returns to the client
    return ForwardPass(cuts, finish, came_from, regions, sizes, completion)


def least_times(exec_s: np.ndarray, spb: np.ndarray, predecessors: list[list[int]], out_bytes: np.ndarray,
                input_bytes: float) -> np.ndarray:
    """Least completion times (batch,) of a batch of variants of one task without contention (the
    result back on the client; `forward_pass`), without their placements."""
    return forward_pass(exec_s, spb, predecessors, out_bytes, input_bytes).completion.min(axis=1)


def least_paths(exec_s: np.ndarray, spb: np.ndarray, predecessors: list[list[int]], out_bytes: np.ndarray,
                input_bytes: float) -> tuple[np.ndarray, np.ndarray]:
    """Least completion times of a batch of variants of one task without contention (the result
    back on the client; `forward_pass`), and for each a placement (a choice per layer) that attains
    it: (batch,) seconds and (batch, layers) choices. Inside a region whose inner layers are not
    chains from the entry (where the bound is a relaxation) a layer read by several successors takes
    the node its first successor chose, so the placement may then be slower than the bound."""
    batch, n, choices = exec_s.shape
    spb = np.broadcast_to(spb, (batch, choices, choices))
    dp = forward_pass(exec_s, spb, predecessors, out_bytes, input_bytes)
    back = dp.completion
    placements = np.zeros((batch, n), dtype=np.int64)
    rows = np.arange(batch)
    node = back.argmin(axis=1)
    for a, b in list(zip(dp.cuts, dp.cuts[1:]))[::-1]:  # from the result back, all variants at once
        placements[:, b] = node
        entry = dp.came_from[b][rows, node]
        if b in dp.regions:
            _place_region(dp.regions[b], predecessors, dp.sizes, spb, a, b, entry, placements)
        node = entry
    return back.min(axis=1), placements


def _place_region(relative: dict[int, np.ndarray], predecessors: list[list[int]], sizes: np.ndarray,
                  spb: np.ndarray, a: int, b: int, entry: np.ndarray, placements: np.ndarray) -> None:
    """The nodes of a region's inner layers that attain the exit's ready time, for every variant of
    the batch, given the nodes of its entry `a` (`entry`) and exit `b` (already in `placements`):
    each input's best node, from the exit back."""
    rows = np.arange(placements.shape[0])
    placed = {b}
    for layer in range(b, a, -1):
        if layer not in placed:
            continue
        reader = placements[:, layer]
        for k in predecessors[layer]:
            if k > a and k not in placed:
                placed.add(k)
                sent = relative[k][rows, entry, :] + sizes[k + 1] * spb[rows, :, reader]
                placements[:, k] = sent.argmin(axis=1)


def task_bound(exec_s: np.ndarray, spb: np.ndarray, predecessors: list[list[int]], out_bytes: np.ndarray,
               input_bytes: float) -> float:
    """Least completion time of one task without contention (`least_times` of the one variant)."""
    return float(least_times(exec_s[None], spb, predecessors, out_bytes, input_bytes)[0])


@attrs.frozen
class TaskTables:
    """One task's inputs to the contention-free programme, over its allowed nodes (its gene values:
    0 is the owner client): `exec_s` (layers, choices) seconds, `spb` (choices, choices) seconds per
    byte, per layer its predecessors and output bytes, and the model input's bytes."""

    exec_s: np.ndarray
    spb: np.ndarray
    predecessors: list[list[int]]
    out_bytes: np.ndarray
    input_bytes: float


def task_tables(workload: CompiledWorkload, t: int) -> TaskTables:
    w = workload
    task = w.scenario.tasks[t]
    nodes = w.choice_node[t]
    positions = w.position_of[w.gene_offset[t] + np.arange(task.model.n_layers)]
    return TaskTables(w.exec_s[positions][:, nodes], w.seconds_per_byte[np.ix_(nodes, nodes)],
                      task.model.predecessors(), np.array([layer.out_bytes for layer in task.model.layers]),
                      task.model.input_bytes)


def per_task(workload: CompiledWorkload, least: Callable[[int, TaskTables], float]) -> np.ndarray:
    """`least(t, tables)` of every task t, computed once for the tasks of one model on one client
    (they have the same tables)."""
    w = workload
    cache: dict[tuple[int, int], float] = {}
    values = np.empty(w.n_tasks)
    for t, task in enumerate(w.scenario.tasks):
        key = (id(task.model), int(task.client))
        if key not in cache:
            cache[key] = least(t, task_tables(w, t))
        values[t] = cache[key]
    return values


def task_bounds(workload: CompiledWorkload) -> np.ndarray:
    """The contention-free least completion time of every task."""
    return per_task(workload, lambda _t, tables: task_bound(tables.exec_s, tables.spb, tables.predecessors,
                                                             tables.out_bytes, tables.input_bytes))


class BoundInputs:
    """What an objective's lower bound may use: the compiled workload, every task's
    contention-free least completion time, and per server tier the capacity bound on the sum of
    completion times (`problems/contention.py`); each computed on first use."""

    def __init__(self, workload: CompiledWorkload) -> None:
        self.workload = workload

    @functools.cached_property
    def completion(self) -> np.ndarray:
        return task_bounds(self.workload)

    def additive(self, costs: Callable[[int, TaskTables], tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """Per task, the least of a cost that adds up over its layers and transfers
        (`problems.additive`); `costs(t, tables)` gives task t's layer and per-byte link costs over
        its choices."""
        from eosdnn.problems.additive import least_additive  # it builds on this module
        return per_task(self.workload, lambda t, tables: least_additive(tables, *costs(t, tables)))

    @functools.cached_property
    def capacity(self) -> dict[str, float]:
        """Per server tier (edge, cloud), a lower bound on the sum of completion times."""
        from eosdnn.problems.contention import capacity_bounds  # it builds on this module
        return capacity_bounds(self.workload)


def lower_bound(workload: CompiledWorkload) -> float | None:
    """A valid lower bound on the scenario's objective (e.g. for total the larger of the sum of the
    tasks' contention-free least completion times and the tiers' capacity bounds); None when the
    objective knows none."""
    return workload.objective.lower_bound(BoundInputs(workload))


def bound_parts(objective, least: BoundInputs) -> dict[str, float]:
    """The bounds an objective's lower bound is the largest of, by name (`Objective.bounds`, for the
    reports); an objective that states only `lower_bound` gives that one as "lower bound"."""
    parts = getattr(objective, "bounds", None)
    if parts is not None:
        return dict(parts(least))
    bound = objective.lower_bound(least)
    return {} if bound is None else {"lower bound": bound}


@overload
def gap_to_bound(value: float, bound: float) -> float: ...


@overload
def gap_to_bound(value: float, bound: None) -> None: ...


def gap_to_bound(value: float, bound: float | None) -> float | None:
    """(value - bound) / bound: how far above the bound (or the optimum) a plan is, as a share of
    the bound. The one gap of eosdnn (MODEL.md section 7): plan gaps, validation gaps and the exact
    solvers' gaps all use it. 0 when the bound is 0 and the value meets it; infinite when only the
    bound is 0; None without a bound."""
    if bound is None:
        return None
    if bound > 0:
        return (value - bound) / bound
    return 0.0 if value <= bound else float("inf")


def mean_gap(gaps: list[float | None]) -> float | None:
    """The gap of several runs: the mean of their gaps (each to its own bound; with one bound for all
    it is the gap of the mean value); None when a run has no bound. The one summary of gaps of
    `compare`, `sweep report` and `validate`."""
    if not gaps or any(gap is None for gap in gaps):
        return None
    return float(np.mean(np.asarray(gaps, dtype=float)))
