"""The one-tier reference plans of every report: every layer on the owner client (`all-local`), or
on the fastest server of one tier (`all-edge`, `all-cloud`)."""

from __future__ import annotations

import functools
from typing import ClassVar

import attrs

from eosdnn.framework import Budget, Result, Search
from eosdnn.framework.solver import Recommended, SolverTraits, with_traits
from eosdnn.solvers.registry import SOLVERS
from eosdnn.problems.migration import TIER_PLANS, MigrationProblem


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
for _rank, (_name, _tier) in enumerate(TIER_PLANS.items(), start=3):  # in run's plans after greedy, HEFT, PEFT
    SOLVERS.register(_name, with_traits(functools.partial(TierPlan, _tier, _name), recommended=Recommended(_rank)),
                     description=TIER_DESCRIPTIONS[_tier])
