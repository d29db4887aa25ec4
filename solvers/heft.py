"""HEFT and PEFT, the classic list schedulers for DAGs on heterogeneous nodes (Topcuoglu et al.
2002; Arabnejad and Barbosa 2014), adapted to eosdnn's model:

- every task's layers may run only on its own client, an edge or a cloud server; its input comes
  from the client and its result goes back to it (the result layer's cost of choosing a node
  includes that return);
- a layer's finish on a node follows the evaluator's rules (ready from its inputs, the one
  compiled pool rule of `problems.schedule.take_pool`); there is no insertion into idle gaps;
- HEFT orders layers by upward rank (mean execution over the allowed nodes plus the largest
  mean transfer-and-rank of a successor; mean transfer = bytes times the mean seconds per byte
  over pairs of distinct allowed nodes) and gives each the node of earliest finish;
- PEFT orders layers by the mean of their optimistic cost table (OCT) row and gives each the node
  of least finish + OCT; OCT uses the real transfer time between each pair of nodes (eosdnn knows
  it) rather than a mean, and the result layer's OCT is its return to the client.

Their own schedules place layers in their rank order; the reported value is the evaluator's value
of their placement under the scenario's order u (docs/CHOICES.md).
"""

from __future__ import annotations

import functools
import heapq
from typing import ClassVar

import attrs
import numpy as np

from eosdnn.framework import Budget, Result, Search
from eosdnn.framework.solver import Recommended, SolverTraits, with_traits
from eosdnn.solvers.registry import SOLVERS
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.schedule import CompiledWorkload, list_schedule, result_return


def successors(w: CompiledWorkload) -> list[list[tuple[int, float]]]:
    """(successor position, bytes) of every position."""
    out: list[list[tuple[int, float]]] = [[] for _ in range(w.n_genes)]
    for pos in range(w.n_genes):
        for e in range(w.pred_ptr[pos], w.pred_ptr[pos + 1]):
            out[int(w.pred_pos[e])].append((pos, float(w.pred_bytes[e])))
    return out


def allowed_exec(w: CompiledWorkload) -> np.ndarray:
    """(positions, choices): execution seconds of each layer on each of its task's allowed nodes."""
    return w.exec_s[np.arange(w.n_genes)[:, None], w.choice_node[w.task_of]]


def upward_ranks(w: CompiledWorkload) -> np.ndarray:
    """HEFT's rank_u of every position (the order u is topological, so one backward pass)."""
    mean_exec = allowed_exec(w).mean(axis=1)
    mean_spb = np.empty(w.n_tasks)
    for t in range(w.n_tasks):
        nodes = w.choice_node[t]
        pairs = w.seconds_per_byte[np.ix_(nodes, nodes)]
        mean_spb[t] = pairs[~np.eye(nodes.size, dtype=bool)].mean() if nodes.size > 1 else 0.0
    back = result_return(w).mean(axis=1)
    rank = np.zeros(w.n_genes)
    after = successors(w)
    for pos in range(w.n_genes - 1, -1, -1):
        tail = max((size * mean_spb[w.task_of[pos]] + rank[s] for s, size in after[pos]), default=back[pos])
        rank[pos] = mean_exec[pos] + tail
    return rank


def optimistic_costs(w: CompiledWorkload) -> np.ndarray:
    """PEFT's optimistic cost table (positions, choices): the least time from finishing a layer on a
    node to the result reaching the client, ignoring contention, each successor on its best node."""
    execution = allowed_exec(w)
    oct_table = result_return(w)
    after = successors(w)
    for pos in range(w.n_genes - 1, -1, -1):
        if not after[pos]:
            continue
        nodes = w.choice_node[w.task_of[pos]]
        spb = w.seconds_per_byte[np.ix_(nodes, nodes)]
        oct_table[pos] = np.max([(oct_table[s][None, :] + execution[s][None, :] + size * spb).min(axis=1)
                                 for s, size in after[pos]], axis=0)
    return oct_table


def rank_sequence(w: CompiledWorkload, rank: np.ndarray) -> np.ndarray:
    """A topological order that always takes the ready layer (all inputs placed) of highest rank;
    ties keep the order u. For HEFT's upward rank this is simply the order of decreasing rank;
    PEFT's rank does not respect precedence, hence its ready list."""
    waiting = np.diff(w.pred_ptr).astype(np.int64)
    after = successors(w)
    ready = [(-rank[pos], pos) for pos in range(w.n_genes) if waiting[pos] == 0]
    heapq.heapify(ready)
    sequence = []
    while ready:
        _, pos = heapq.heappop(ready)
        sequence.append(pos)
        for s, _size in after[pos]:
            waiting[s] -= 1
            if waiting[s] == 0:
                heapq.heappush(ready, (-rank[s], s))
    return np.array(sequence, dtype=np.int64)


def heft_genes(problem: MigrationProblem) -> np.ndarray:
    w = problem.workload
    return list_schedule(w, rank_sequence(w, upward_ranks(w)), result_return(w))


def peft_genes(problem: MigrationProblem) -> np.ndarray:
    w = problem.workload
    table = optimistic_costs(w)
    return list_schedule(w, rank_sequence(w, table.mean(axis=1)), table)


@attrs.define
class ListScheduler:
    """One placement from a constructive rule, scored by the evaluator."""

    traits: ClassVar[SolverTraits] = SolverTraits(budget_unit="none")

    rule: str
    name: str
    accepts: ClassVar[type] = MigrationProblem  # reads the layers and nodes

    def solve(self, problem, *, budget: Budget, seed: int | None, callback=None) -> Result:
        genes = heft_genes(problem) if self.rule == "heft" else peft_genes(problem)
        search = Search(self.name, problem, budget, seed, callback)
        search.evaluate(genes[None, :])
        search.next_iteration()
        return search.result()


SOLVERS.register("heft", with_traits(functools.partial(ListScheduler, "heft", "heft"), recommended=Recommended(1)), description=(
    "HEFT (Topcuoglu et al.): layers by upward rank, each to the node that finishes it earliest; one plan, "
    "scored by the evaluator."))
SOLVERS.register("peft", with_traits(functools.partial(ListScheduler, "peft", "peft"), recommended=Recommended(2)), description=(
    "PEFT (Arabnejad and Barbosa): like HEFT, but each node choice looks ahead through an optimistic cost "
    "table of the layers still to come; one plan, scored by the evaluator."))
