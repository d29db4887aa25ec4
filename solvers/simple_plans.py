"""Simple baselines: random search (the floor) and the trivial one-tier plans for reports."""

from __future__ import annotations

import attrs
import numpy as np

import functools
from typing import ClassVar

from eosdnn.framework import SOLVERS, Budget, Problem, Result, Search
from eosdnn.framework.solver import SolverTraits
from eosdnn.framework.params import whole
from eosdnn.operators import operator
from eosdnn.problems.migration import TIER_PLANS, MigrationProblem


@SOLVERS.register("random")
@attrs.define
class RandomSearch:
    """Uniform random placements in batches until the budget ends."""

    traits: ClassVar[SolverTraits] = SolverTraits(budget_unit="evaluations")

    batch: int = attrs.field(default=100, validator=whole(1, 1_000_000))
    evaluations: int = attrs.field(default=60_000, validator=whole(1))
    name: str = "random"

    def solve(self, problem: Problem, *, budget: Budget, seed: int | None, callback=None) -> Result:
        budget = budget.or_default(evaluations=self.evaluations)
        search = Search(self.name, problem, budget, seed, callback)
        rng = np.random.default_rng(seed)
        sample = operator("sampling", "uniform")
        while not search.done():
            search.evaluate(sample(rng, problem.lower, problem.upper, self.batch))
            search.next_iteration()
        return search.result()


@attrs.define
class TierPlan:
    """Every layer on the owner client, or on the fastest server of one tier."""

    traits: ClassVar[SolverTraits] = SolverTraits(budget_unit="none", validated=False)

    tier: str
    name: str
    accepts: ClassVar[type] = MigrationProblem  # reads the layers and nodes

    def solve(self, problem: MigrationProblem, *, budget: Budget, seed: int | None, callback=None) -> Result:
        search = Search(self.name, problem, budget, seed, callback)
        search.evaluate(problem.tier_plan(self.tier)[None, :])
        search.next_iteration()
        return search.result()


TIER_DESCRIPTIONS = {
    "client": "Every layer on its task's own client: no transfer and no server.",
    "edge": "Every layer on the fastest edge server, the input sent there and the result sent back.",
    "cloud": "Every layer on the fastest cloud server, the input sent there and the result sent back.",
}
for _name, _tier in TIER_PLANS.items():
    SOLVERS.register(_name, functools.partial(TierPlan, _tier, _name), description=TIER_DESCRIPTIONS[_tier])
