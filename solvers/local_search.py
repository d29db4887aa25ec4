"""Local search over run moves: from a start plan, draw a batch of neighbours with a move operator
(by default a segment move: a run of one task's consecutive layers to one node), score the batch in
one evaluator call, and step to the best neighbour when it improves. The same loop serves as the
improvement step of memetic PSO-GA and GA (`improve`)."""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

from eosdnn.framework import Budget, Problem, Result, Search
from eosdnn.framework.solver import SolverTraits, run_solver, with_default_budget
from eosdnn.framework.params import ParameterError, optional, whole
from eosdnn.solvers.registry import SOLVERS
from eosdnn.operators import bind, operator_name


def improve(search: Search, x: np.ndarray, value: float, rng: np.random.Generator, *, move: str, batch: int,
            evaluations: int | None = None, steps_are_iterations: bool = True, patience: int = 0,
            kick: int = 3) -> tuple[np.ndarray, float]:
    """Hill-climb from `x` until the search's budget ends (or `evaluations` more are spent): each
    step scores `batch` neighbours together and moves to the best if it is better. With `patience`,
    after that many steps without a better neighbour the climb restarts from the best point found,
    shaken by `kick` random moves (iterated local search). Returns the best point found.
    Inside another search (memetic), its steps are not that search's iterations."""
    problem = search.problem
    neighbours = bind("mutation", move, problem)
    best_x, best_value = x, value
    spent, stalled = 0, 0
    while not search.done() and (evaluations is None or spent < evaluations):
        size = batch if evaluations is None else max(1, min(batch, evaluations - spent))
        Y = neighbours(rng, np.repeat(x[None, :], size, axis=0), problem.lower, problem.upper)
        values = search.evaluate(Y, near=x)
        spent += size
        step = int(np.argmin(values))
        stalled += 1
        if values[step] < value:
            x, value, stalled = Y[step].copy(), float(values[step]), 0
            if value < best_value:
                best_x, best_value = x, value
        if patience and stalled >= patience and not search.done():
            shaken = best_x[None, :]
            for _ in range(kick):
                shaken = neighbours(rng, shaken, problem.lower, problem.upper)
            x, value, stalled = shaken[0], float(search.evaluate(shaken)[0]), 0
            spent += 1
        if steps_are_iterations:
            search.next_iteration()
    return best_x, best_value


MEMETIC_BATCH = 32  # neighbours per step of a memetic local search


def memetic_step(search: Search, x: np.ndarray, value: float, rng: np.random.Generator, *, every: int,
                 evaluations: int, move: str) -> tuple[np.ndarray, float] | None:
    """The memetic step of PSO-GA and GA, in one place: every `every` iterations (while the budget
    lasts), a local search of `evaluations` more evaluations from `x`; its best point, or None when
    no step is due."""
    if not every or search.iterations % every or search.done():
        return None
    return improve(search, x, value, rng, move=move, batch=MEMETIC_BATCH, evaluations=evaluations,
                   steps_are_iterations=False)


def auto_patience(problem: Problem, batch: int) -> int:
    """Steps without gain before a restart: a quarter of the run-move neighbourhood (runs of a block
    times the values a gene can take, averaged over blocks) in batches, and at least 10."""
    sizes = [(stop - start) * (stop - start + 1) / 2 * float(np.mean(problem.n_values[start:stop]))
             for start, stop in problem.blocks]
    return max(10, int(np.ceil(np.mean(sizes) / batch / 4)))


def _start_solver(_instance, attribute, value) -> None:
    if not isinstance(value, str) or (value != "random" and not SOLVERS.knows(value)):
        raise ParameterError(attribute.name, f"must be random or a registered solver, got {value!r}")
    if value == "local-search":
        raise ParameterError(attribute.name, "local-search cannot start from itself (give a constructive plan such as "
                                             "greedy, or another solver)")


_start_solver.span = "random, or a solver other than local-search"  # type: ignore[attr-defined]


@SOLVERS.register("local-search")
@attrs.define
class LocalSearch:
    """Batched best-of-batch hill climbing with run moves from `start` (a constructive plan such as
    greedy, heft or all-edge, `random`, or any solver, which then gets one iteration); after
    `patience` steps without gain (default: a quarter of the neighbourhood, `auto_patience`) it
    restarts from its best plan shaken by `kick` random moves."""

    traits: ClassVar[SolverTraits] = SolverTraits(budget_unit="evaluations", default_budget="evaluations", cost=1.0)

    start: str = attrs.field(default="greedy", validator=_start_solver)
    move: str = attrs.field(default="segment-move", validator=operator_name("mutation"))
    batch: int = attrs.field(default=32, validator=whole(1, 100_000))
    patience: int | None = attrs.field(default=None, validator=optional(whole(1)))
    kick: int = attrs.field(default=3, validator=whole(1))
    evaluations: int = attrs.field(default=60_000, validator=whole(1))
    name: str = "local-search"

    def solve(self, problem: Problem, *, budget: Budget, seed: int | None, callback=None) -> Result:
        budget = with_default_budget(self, budget)
        search = Search(self.name, problem, budget, seed, callback)  # every step is an iteration
        rng = np.random.default_rng(seed)
        if self.start == "random":
            x = rng.integers(problem.lower, problem.upper + 1)
            value = float(search.evaluate(x[None, :])[0])
        else:
            first = run_solver(SOLVERS.create(self.start), problem, budget=Budget(iterations=1), seed=seed)
            search.evaluations += first.evaluations - 1  # the start's own evaluations count in the budget
            x, value = first.x, float(search.evaluate(first.x[None, :])[0])
        patience = self.patience or auto_patience(problem, self.batch)
        improve(search, x, value, rng, move=self.move, batch=self.batch, patience=patience, kick=self.kick)
        return search.result()
