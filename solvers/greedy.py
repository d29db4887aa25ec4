"""Greedy list scheduling (the paper's greedy baseline): each layer, in priority order, goes to the
allowed node that finishes it earliest given the layers already placed (for a task's last layer:
the node whose result reaches the client earliest)."""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

from eosdnn.framework import Budget, Result, Search
from eosdnn.framework.solver import Recommended, SolverTraits
from eosdnn.solvers.registry import SOLVERS
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.schedule import list_schedule, result_return


def greedy_genes(problem: MigrationProblem) -> np.ndarray:
    """The list schedule in the order u, each layer on the node that finishes it earliest (the
    result layer: whose result reaches the client earliest)."""
    w = problem.workload
    return list_schedule(w, np.arange(w.n_genes), result_return(w))


@SOLVERS.register("greedy")
@attrs.define
class Greedy:
    """Each layer, in the order u, to the allowed node that finishes it earliest."""

    traits: ClassVar[SolverTraits] = SolverTraits(budget_unit="none", recommended=Recommended(0))

    name: str = "greedy"
    accepts: ClassVar[type] = MigrationProblem  # reads the layers and nodes

    def solve(self, problem, *, budget: Budget, seed: int | None, callback=None) -> Result:
        search = Search(self.name, problem, budget, seed, callback)
        search.evaluate(greedy_genes(problem)[None, :])
        search.next_iteration()
        return search.result()
