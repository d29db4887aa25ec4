"""`eosdnn-paper`: EosDNN's migration exactly as the paper specifies it, under the paper's name.

Algorithm 1 and section V-A: a 10-generation GA run seeds half of the first swarm (line 1; the rest
random), PSO-GA updates each particle with the paper's operators (Fig. 4: one-gene mutation as the
inertia part, segment crossover with the personal and the global best), at the paper's settings
(eqs. 14-16: N = 100, w from 0.8 to 0.2, eps1 0.9 -> 0.2, eps2 0.4 -> 0.9), and on models with
modules (inception modules, residual blocks) the two-step migration of section IV (each module one
block first, then its branches, half of the iterations each). Nothing the paper does not name: no
constructive starts, no local search (those are `eosdnn-plus`).
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from eosdnn.framework import Budget, Result
from eosdnn.framework.params import one_of, whole
from eosdnn.framework.solver import SolverTraits, run_solver, with_default_budget
from eosdnn.problems.migration import MigrationProblem
from eosdnn.solvers.graph_reductions import psoga_in_frame
from eosdnn.solvers.registry import SOLVERS


@SOLVERS.register("eosdnn-paper")
@attrs.define
class EosDnnPaper:
    """The paper's EosDNN: GA preprocessing, PSO-GA with the paper's operators, two-step on models with modules."""

    traits: ClassVar[SolverTraits] = SolverTraits(default_budget="iterations", cost=1.5)

    particles: int = attrs.field(default=100, validator=whole(2, 100_000))
    iterations: int = attrs.field(default=600, validator=whole(1))
    seed_generations: int = attrs.field(default=10, validator=whole(0))
    two_step: str = attrs.field(default="auto", validator=one_of("auto", "off"))
    name: str = "eosdnn-paper"
    accepts: ClassVar[type] = MigrationProblem  # two-step reads the models' modules

    def psoga_params(self) -> dict:
        """PSO-GA at the paper's settings (psoga's defaults are the paper's operators and constants)."""
        return {"particles": self.particles, "iterations": self.iterations, "seed_generations": self.seed_generations}

    def solve(self, problem, *, budget: Budget, seed: int | None, callback=None) -> Result:
        budget = with_default_budget(self, budget)
        inner = psoga_in_frame(problem, self.psoga_params(), self.two_step)
        return attrs.evolve(run_solver(inner, problem, budget=budget, seed=seed, callback=callback), solver=self.name)
