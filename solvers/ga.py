"""pymoo's GA on an adapter of `framework.Problem`, with eosdnn's integer operators."""

from __future__ import annotations

from typing import ClassVar

from collections.abc import Callable

import attrs
import numpy as np
from pymoo.algorithms.soo.nonconvex.ga import GA
from pymoo.core.population import Population
from pymoo.core.problem import Problem as PymooProblem
from pymoo.core.survival import Survival
from pymoo.core.termination import NoTermination
from pymoo.operators.selection.tournament import TournamentSelection

from eosdnn.framework import Budget, Problem, Result, Search
from eosdnn.framework.solver import SolverTraits, with_default_budget
from eosdnn.framework.params import number, whole
from eosdnn.solvers.registry import SOLVERS
from eosdnn.operators import bind, operator, operator_name
from eosdnn.operators.pymoo_adapters import GuidedCrossover, IntegerMutation, IntegerSampling
from eosdnn.solvers.local_search import memetic_step


class PymooAdapter(PymooProblem):
    """A framework.Problem seen by pymoo; every evaluation goes through the run's Search."""

    def __init__(self, search: Search) -> None:
        problem = search.problem
        super().__init__(n_var=problem.n_var, n_obj=1, xl=problem.lower, xu=problem.upper, vtype=int)
        self.search = search

    def _evaluate(self, x, out, *args, **kwargs):
        out["F"] = self.search.evaluate(np.asarray(x, dtype=np.int64))[:, None]


def _values(pop: Population) -> np.ndarray:
    """F of every individual, read directly (`pop.get` costs microseconds per individual and key)."""
    return np.fromiter((individual.F[0] for individual in pop), dtype=float, count=len(pop))


class FitnessSurvival(Survival):
    """pymoo's GA survival (the best `n_survive` by F; ties keep their order) for problems without
    constraints, where its sort by (CV, F) is a stable sort by F: the same survivors in the same order,
    without pymoo's per-individual lookups of CV and rank, which cost a large part of a GA run."""

    def __init__(self) -> None:
        super().__init__(filter_infeasible=False)

    def _do(self, problem, pop, n_survive=None, **kwargs):
        return pop[np.argsort(_values(pop), kind="stable")[:n_survive]]


def binary_tournament(pop: Population, P: np.ndarray, random_state=None, **kwargs) -> np.ndarray:
    """pymoo's GA tournament (`comp_by_cv_and_fitness`) for problems without constraints: the lesser F
    wins, a tie is drawn by `random_state.choice` in the same order, so the same parents are chosen."""
    values = _values(pop)
    winners = np.empty(P.shape[0], dtype=int)
    for i, (a, b) in enumerate(P.tolist()):
        if values[a] < values[b]:
            winners[i] = a
        elif values[a] > values[b]:
            winners[i] = b
        else:
            winners[i] = random_state.choice([a, b])
    return winners[:, None]


class UnconstrainedGA(GA):
    """pymoo's GA with its optimum (the first least F; every solution is feasible) found directly."""

    def _set_optimum(self) -> None:
        self.opt = Population.create(self.pop[int(np.argmin(_values(self.pop)))])


def make_ga(problem: Problem, pop_size: int, crossover: str, mutation: str, crossover_prob: float,
            mutation_prob: float) -> GA:
    return UnconstrainedGA(
        pop_size=pop_size,
        selection=TournamentSelection(func_comp=binary_tournament),
        survival=FitnessSurvival(),
        sampling=IntegerSampling(operator("sampling", "uniform")),
        crossover=GuidedCrossover(bind("crossover", crossover, problem), prob=crossover_prob),
        mutation=IntegerMutation(bind("mutation", mutation, problem), prob=mutation_prob),
        eliminate_duplicates=False,  # small spaces must not collapse the population
    )


def run_ga(search: Search, algorithm: GA, seed: int | None, generations: int | None = None,
           after_generation: Callable[[GA], None] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Ask-and-tell loop until the search's budget (or `generations`) ends; returns the final population."""
    adapter = PymooAdapter(search)
    algorithm.setup(adapter, termination=NoTermination(), seed=seed, verbose=False)
    done = 0
    while not search.done() and (generations is None or done < generations):
        infills = algorithm.ask()
        algorithm.evaluator.eval(adapter, infills)
        algorithm.tell(infills=infills)
        done += 1
        search.next_iteration()
        if after_generation is not None and not search.done():
            after_generation(algorithm)
    return np.asarray(algorithm.pop.get("X"), dtype=np.int64), algorithm.pop.get("F")[:, 0]


@SOLVERS.register("ga")
@attrs.define
class GeneticAlgorithm:
    """pymoo GA: tournament selection, eosdnn crossover and mutation, fitness survival."""

    traits: ClassVar[SolverTraits] = SolverTraits(default_budget="generations", cost=3.0)

    population: int = attrs.field(default=100, validator=whole(2, 100_000))
    generations: int = attrs.field(default=600, validator=whole(1))
    crossover: str = attrs.field(default="segment", validator=operator_name("crossover"))
    mutation: str = attrs.field(default="random-gene", validator=operator_name("mutation"))
    crossover_prob: float = attrs.field(default=0.9, validator=number(0, 1))
    mutation_prob: float = attrs.field(default=1.0, validator=number(0, 1))
    memetic_every: int = attrs.field(default=0, validator=whole(0))
    memetic_evaluations: int = attrs.field(default=100, validator=whole(1))
    memetic_move: str = attrs.field(default="segment-move", validator=operator_name("mutation"))
    name: str = "ga"

    def solve(self, problem: Problem, *, budget: Budget, seed: int | None, callback=None) -> Result:
        search = Search(self.name, problem, with_default_budget(self, budget), seed, callback)
        algorithm = make_ga(problem, self.population, self.crossover, self.mutation, self.crossover_prob,
                            self.mutation_prob)
        rng = np.random.default_rng(seed)

        def memetic(ga: GA) -> None:
            """Every `memetic_every` generations, local search improves the population's best."""
            values = ga.pop.get("F")[:, 0]
            leader = int(np.argmin(values))
            leader_x = np.asarray(ga.pop[leader].X, dtype=np.int64)
            found = memetic_step(search, leader_x, float(values[leader]), rng, every=self.memetic_every,
                                 evaluations=self.memetic_evaluations, move=self.memetic_move)
            if found is None:
                return
            x, f = found
            if f < values[leader]:
                ga.pop[leader].set("X", x)
                ga.pop[leader].set("F", np.array([f]))

        run_ga(search, algorithm, seed, after_generation=memetic if self.memetic_every else None)
        return search.result()
