"""`eosdnn-plus`: EosDNN enhanced, eosdnn's own method (not the paper's; that is `eosdnn-paper`).

The paper's frame (a short GA run seeds the first swarm, PSO-GA searches, two-step migration on
models with modules) with what eosdnn adds, each default chosen by measurement on the paper
scenario (docs/SEARCH.md): constructive plans (greedy, HEFT, PEFT) among the first particles,
run operators (segment-move mutation, task crossover) in place of the paper's one-gene mutation
and segment crossover, a memetic local search on the global best, and a final local search on the
full problem (`polish`, a share of the budget) that also lets the result leave the two-step space.

Until release 0.3 this solver was called `eosdnn`; that name still works, with a warning.
"""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

from eosdnn.framework import Budget, Result, Search
from eosdnn.framework.params import number, one_of, to_pair, whole
from eosdnn.operators import operator_name
from eosdnn.framework.result import run_after
from eosdnn.framework.solver import Recommended, SolverTraits, run_solver, with_default_budget
from eosdnn.solvers.registry import SOLVERS
from eosdnn.problems.migration import MigrationProblem
from eosdnn.solvers.graph_reductions import psoga_in_frame
from eosdnn.solvers.local_search import improve
from eosdnn.solvers.starts import check_starts


@SOLVERS.register("eosdnn-plus")
@attrs.define
class EosDnnPlus:
    """EosDNN enhanced: PSO-GA with constructive starts, run operators, memetic and final local search."""

    traits: ClassVar[SolverTraits] = SolverTraits(budget_unit="evaluations", default_budget="evaluations", cost=1.2,
                                                  recommended=Recommended(6))

    particles: int = attrs.field(default=100, validator=whole(2, 100_000))
    iterations: int = attrs.field(default=600, validator=whole(1))
    seed_generations: int = attrs.field(default=10, validator=whole(0))
    starts: tuple[str, ...] = attrs.field(default=("greedy", "heft", "peft"), converter=to_pair, validator=check_starts)
    crossover: str = attrs.field(default="task", validator=operator_name("crossover"))
    mutation: str = attrs.field(default="segment-move", validator=operator_name("mutation"))
    memetic_every: int = attrs.field(default=5, validator=whole(0))
    memetic_evaluations: int = attrs.field(default=640, validator=whole(1))
    two_step: str = attrs.field(default="auto", validator=one_of("auto", "off"))
    polish: float = attrs.field(default=0.5, validator=number(0, 0.9))
    evaluations: int = attrs.field(default=60_000, validator=whole(1))
    name: str = "eosdnn-plus"
    accepts: ClassVar[type] = MigrationProblem  # reads the layers and nodes

    def psoga_params(self) -> dict:
        return {"particles": self.particles, "iterations": self.iterations, "seed_generations": self.seed_generations,
                "starts": self.starts, "crossover": self.crossover, "mutation": self.mutation,
                "memetic_every": self.memetic_every, "memetic_evaluations": self.memetic_evaluations}

    def solve(self, problem, *, budget: Budget, seed: int | None, callback=None) -> Result:
        budget = with_default_budget(self, budget)
        search_budget = budget.share(1 - self.polish) if self.polish else budget
        inner = psoga_in_frame(problem, self.psoga_params(), self.two_step)
        found = run_solver(inner, problem, budget=search_budget, seed=seed, callback=callback)
        if not self.polish:
            return attrs.evolve(found, solver=self.name)
        left = None if budget.evaluations is None else max(1, budget.evaluations - found.evaluations)
        rest = attrs.evolve(budget.share(self.polish, round_up=True), evaluations=left)  # what the search left
        search = Search(self.name, problem, rest, seed, callback)
        value = float(search.evaluate(found.x[None, :])[0])
        improve(search, found.x, value, np.random.default_rng(None if seed is None else seed + 2), move=self.mutation,
                batch=32)
        return run_after(found, search.result())


SOLVERS.alias("eosdnn", "eosdnn-plus", "the enhanced method's name until this release; the paper's own method is "
              "'eosdnn-paper'; 'eosdnn' will be removed in the next release")
