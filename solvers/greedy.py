"""Greedy list scheduling (the paper's greedy baseline): each layer, in priority order, goes to the
allowed node that finishes it earliest given the layers already placed (for a task's last layer:
the node whose result reaches the client earliest)."""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

from eosdnn.framework import SOLVERS, Budget, Result, Search
from eosdnn.problems.errors import EosdnnError
from eosdnn.problems.migration import MigrationProblem


def greedy_genes(problem: MigrationProblem) -> np.ndarray:
    w = problem.workload
    genes = np.zeros(w.n_genes, dtype=np.int64)
    pool_free = np.zeros(w.pool_ptr[-1])
    node = np.zeros(w.n_genes, dtype=np.int64)
    finish = np.zeros(w.n_genes)
    is_last = np.full(w.n_genes, -1)
    is_last[w.last_pos] = np.arange(w.n_tasks)
    for pos in range(w.n_genes):
        task = w.task_of[pos]
        candidates = w.choice_node[task]
        ready = np.zeros(candidates.size)
        if w.input_bytes[pos] >= 0:
            ready = w.input_bytes[pos] * w.seconds_per_byte[w.client_of[task], candidates]
        for e in range(w.pred_ptr[pos], w.pred_ptr[pos + 1]):
            p = w.pred_pos[e]
            ready = np.maximum(ready, finish[p] + w.pred_bytes[e] * w.seconds_per_byte[node[p], candidates])
        starts = np.empty(candidates.size)
        pools = np.empty(candidates.size, dtype=np.int64)
        for c, n in enumerate(candidates):
            free = pool_free[w.pool_ptr[n]:w.pool_ptr[n + 1]]
            usable = np.flatnonzero(free <= ready[c])
            k = usable[np.argmax(free[usable])] if usable.size else int(np.argmin(free))
            pools[c] = w.pool_ptr[n] + k
            starts[c] = max(ready[c], free[k])
        finishes = starts + w.exec_s[pos, candidates]
        score = finishes
        if is_last[pos] >= 0:
            score = finishes + w.result_bytes[task] * w.seconds_per_byte[candidates, w.client_of[task]]
        c = int(np.argmin(score))
        node[pos] = candidates[c]
        finish[pos] = finishes[c]
        pool_free[pools[c]] = finishes[c]
        genes[w.order[pos]] = c
    return genes


@SOLVERS.register("greedy")
@attrs.define
class Greedy:
    """Each layer, in the order u, to the allowed node that finishes it earliest."""

    name: str = "greedy"
    needs_migration_problem: ClassVar[bool] = True

    def solve(self, problem, *, budget: Budget, seed: int | None, callback=None) -> Result:
        if not isinstance(problem, MigrationProblem):
            raise EosdnnError("solver greedy: needs a migration problem")
        search = Search(self.name, problem, budget, seed, callback)
        search.evaluate(greedy_genes(problem)[None, :])
        search.next_iteration()
        return search.result()
