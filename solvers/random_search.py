"""Random search: uniform random placements in batches, the floor every search must beat."""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

from eosdnn.framework import Budget, Problem, Result, Search
from eosdnn.framework.solver import SolverTraits, with_default_budget
from eosdnn.framework.params import whole
from eosdnn.solvers.registry import SOLVERS
from eosdnn.operators import operator


@SOLVERS.register("random")
@attrs.define
class RandomSearch:
    """Uniform random placements in batches until the budget ends."""

    traits: ClassVar[SolverTraits] = SolverTraits(budget_unit="evaluations", default_budget="evaluations")

    batch: int = attrs.field(default=100, validator=whole(1, 1_000_000))
    evaluations: int = attrs.field(default=60_000, validator=whole(1))
    name: str = "random"

    def solve(self, problem: Problem, *, budget: Budget, seed: int | None, callback=None) -> Result:
        budget = with_default_budget(self, budget)
        search = Search(self.name, problem, budget, seed, callback)
        rng = np.random.default_rng(seed)
        sample = operator("sampling", "uniform")
        while not search.done():
            search.evaluate(sample(rng, problem.lower, problem.upper, self.batch))
            search.next_iteration()
        return search.result()
