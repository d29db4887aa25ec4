"""The solver interface and the bookkeeping every solver shares (budget, best, history, callback)."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol, runtime_checkable

import attrs
import numpy as np

from eosdnn.framework.budget import Budget
from eosdnn.framework.duplicates import first_equal_rows, row_hashes
from eosdnn.framework.errors import EosdnnError
from eosdnn.framework.problem import Problem
from eosdnn.framework.reduction import ReducedProblem
from eosdnn.framework.result import Result


@runtime_checkable
class Solver(Protocol):
    """Anything with this `solve` plugs into every command and report."""

    def solve(self, problem: Problem, *, budget: Budget, seed: int | None,
              callback: Callable[["Search"], None] | None = None) -> Result: ...


def accepted(solver: Any) -> type:
    """The problem class a solver declares it accepts (`accepts`; default any `Problem`)."""
    return getattr(solver, "accepts", Problem)


BUDGET_UNITS = ("iterations", "evaluations", "seconds", "none")


def _names(items: Iterable[str]) -> frozenset[str]:
    return frozenset(items)


@attrs.frozen
class Recommended:
    """A solver's place in the set of plans `eosdnn run` tries and recommends the best of: its rank
    (the run's order: the one-plan rules, then the searches), its label in the run's report (default
    its name) and the parameters it runs with there."""

    rank: int
    label: str | None = None
    params: dict = attrs.field(factory=dict)


@attrs.frozen
class SolverTraits:
    """What a solver declares about itself (a class attribute `traits`, as `accepts`), so that
    commands keep no lists of solver names: whether it proves bounds (`exact`), what one unit of its
    budget is at equal-budget comparisons (`iterations`, `evaluations`, `seconds`, or `none` for a
    one-plan rule), which of its parameters is its default budget in that unit when none is given
    (`default_budget`, e.g. `generations`), the exact-solver flags it takes (`backend`, `time_limit`,
    `gap`, `warm_start`), whether `validate` checks it against the optimum by default (`validated`),
    whether and how `eosdnn run` tries it (`recommended`), and its relative work per gene, used to
    start long runs first on workers (`cost`)."""

    exact: bool = False
    budget_unit: str = attrs.field(default="iterations", validator=attrs.validators.in_(BUDGET_UNITS))
    default_budget: str | None = None
    flags: frozenset[str] = attrs.field(default=frozenset(), converter=_names)
    validated: bool = True
    recommended: Recommended | None = None
    cost: float = 0.01


def traits_of(solver: Any) -> SolverTraits:
    """The traits a solver (an instance, its class, or a partial of it) declares; defaults when none.
    A partial registered under its own name may carry its own traits (`with_traits`)."""
    own = getattr(solver, "traits", None) if isinstance(solver, functools.partial) else None
    target = solver.func if isinstance(solver, functools.partial) else solver
    traits: SolverTraits = own if own is not None else getattr(target, "traits", SolverTraits())
    return traits


def with_traits(factory: functools.partial, **changes: Any) -> functools.partial:
    """A partial of a solver class whose traits differ from its class's in `changes` (e.g. the
    `recommended` place of one of several names one class serves)."""
    factory.traits = attrs.evolve(traits_of(factory), **changes)  # type: ignore[attr-defined]
    return factory


def with_default_budget(solver: Any, budget: Budget) -> Budget:
    """`budget`, or the solver's default when no limit is given: its `default_budget` parameter in
    its budget unit (the one home of "no budget given, the solver's default")."""
    traits = traits_of(solver)
    if traits.default_budget is None:
        return budget
    return budget.or_default(**{traits.budget_unit: getattr(solver, traits.default_budget)})


def _integer_rows(X: np.ndarray) -> np.ndarray:
    """X as C-ordered integers to hash and compare: integer genes as they are, any other kind by the
    bits of its 64-bit float (equal bits, equal genes; a -0.0 beside a 0.0 is only scored twice)."""
    if np.issubdtype(X.dtype, np.integer) and X.ndim == 2:
        return np.ascontiguousarray(X)
    return np.ascontiguousarray(np.atleast_2d(X), dtype=np.float64).view(np.int64)


def run_solver(solver: Solver, problem: Problem, *, budget: Budget, seed: int | None,
        callback: Callable[["Search"], None] | None = None) -> Result:
    """`solver.solve(...)` after the one check of what it accepts: a solver that needs, say, a
    migration problem (it reads its layers and nodes) is refused a reduced or foreign one in one line."""
    needs = accepted(solver)
    if not isinstance(problem, needs):
        name = getattr(solver, "name", type(solver).__name__)
        raise EosdnnError(f"solver {name}: needs a {needs.__name__}, got a {type(problem).__name__}")
    return solver.solve(problem, budget=budget, seed=seed, callback=callback)


@attrs.define
class Search:
    """One run's bookkeeping: counts evaluations, keeps the best, records history, checks the budget.

    A run stops at the first iteration boundary where a limit is reached, so a population-based
    solver may exceed an evaluation budget by less than one batch; the result reports the true count.
    """

    name: str
    problem: Problem
    budget: Budget
    seed: int | None
    callback: Callable[["Search"], None] | None = None
    evaluations: int = 0
    iterations: int = 0
    best_x: np.ndarray | None = None
    best_value: float = np.inf
    history: list[tuple[int, float]] = attrs.field(factory=list)
    started: float = attrs.field(factory=time.perf_counter)
    _last_batch: tuple[np.ndarray, np.ndarray, np.ndarray] = attrs.field(  # the previous batch: rows, hashes, values
        factory=lambda: (np.zeros((0, 0), dtype=np.int64), np.empty(0, dtype=np.uint64), np.empty(0)), init=False,
        repr=False)

    def __attrs_post_init__(self) -> None:
        if self.callback is not None:  # watchers (progress bars, interrupt trackers) see the run from its start
            self.callback(self)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def evaluate(self, X: np.ndarray, near: np.ndarray | None = None) -> np.ndarray:
        """Score a population (neighbours of `near`, when given, which the problem may score faster),
        keep the best seen and log (evaluations, best). Every row counts as an evaluation; a row equal
        to another of the batch or of the previous batch (an unchanged particle) takes that row's value,
        since scoring is deterministic, so only new rows reach the problem."""
        X = np.asarray(X)
        values = self._recall(X) if near is None else self.problem.evaluate_near(near, X)
        self.evaluations += len(values)
        i = int(np.argmin(values))
        if values[i] < self.best_value:
            self.best_value = float(values[i])
            self.best_x = np.array(X[i], dtype=np.int64, copy=True)
        self.history.append((self.evaluations, self.best_value))
        return values

    def _recall(self, X: np.ndarray) -> np.ndarray:
        """The problem's values of X, re-using the values of rows seen in this or the previous batch.

        Rows are matched by a compiled hash, then gene by gene (`framework.duplicates`), not one
        Python object per row: a row equal to one of the previous batch takes that one's value, a row
        equal to an earlier row of the batch takes its value, and the other rows are scored in one
        call, in their order."""
        rows = _integer_rows(X)
        seen_rows, seen_hashes, seen_values = self._last_batch
        if seen_rows.shape[1:] != rows.shape[1:] or seen_rows.dtype != rows.dtype:
            seen_rows, seen_hashes, seen_values = rows[:0], seen_hashes[:0], seen_values[:0]
        hashes = row_hashes(rows)
        match = first_equal_rows(seen_rows, seen_hashes, rows, hashes)
        own = np.arange(len(seen_rows), len(seen_rows) + len(rows))
        new_rows = np.flatnonzero(match == own)
        values = np.empty(len(rows))
        if len(new_rows):
            values[new_rows] = self.problem.evaluate(X if len(new_rows) == len(rows) else X[new_rows])
        known = np.concatenate([seen_values, values])
        copied = match != own
        values[copied] = known[match[copied]]  # a row's first equal comes before it, so is known
        kept = rows.copy() if np.may_share_memory(rows, X) else rows  # the caller may change X in place
        self._last_batch = (kept, hashes, values.copy())
        return values

    def offer(self, x: np.ndarray) -> None:
        """A solution found elsewhere (e.g. by an exact solver), scored here by the problem."""
        self.evaluate(np.asarray(x)[None, :])

    def next_iteration(self) -> None:
        self.iterations += 1
        if self.callback is not None:
            self.callback(self)

    def done(self) -> bool:
        """Whether a limit is reached; never before the first evaluation, so that every run returns
        a solution (a `--seconds` budget shorter than one iteration still evaluates one batch)."""
        return self.evaluations > 0 and self.budget.exhausted(self.iterations, self.evaluations, self.elapsed)

    def fraction_done(self) -> float:
        """Progress in [0, 1] by the tightest limit of the budget."""
        parts = []
        if self.budget.iterations:
            parts.append(self.iterations / self.budget.iterations)
        if self.budget.evaluations:
            parts.append(self.evaluations / self.budget.evaluations)
        if self.budget.seconds:
            parts.append(self.elapsed / self.budget.seconds)
        return min(max(parts, default=0.0), 1.0)

    def full_best(self) -> tuple[np.ndarray, float] | None:
        """The best solution so far in the genes of the outermost problem (a reduced problem's
        solution expanded), with its value; None before the first evaluation."""
        if self.best_x is None:
            return None
        x, problem = self.best_x[None, :], self.problem
        while isinstance(problem, ReducedProblem):
            x, problem = problem.expand(x), problem.problem
        return np.asarray(x[0], dtype=np.int64), self.best_value

    def result(self, **extra) -> Result:
        if self.best_x is None:
            raise RuntimeError(f"{self.name}: no solution was evaluated")
        report = self.problem.report(self.best_x)
        return Result(
            solver=self.name,
            x=self.best_x,
            value=float(report.value),
            report=report,
            evaluations=self.evaluations,
            wall_s=self.elapsed,
            seed=self.seed,
            history=list(self.history),
            **extra,
        )


@attrs.define
class SearchTracker:
    """A solver callback that remembers the best solution of every search it has seen, so that an
    interrupted run (Ctrl-C) can still report what it had; forwards each call to `forward`."""

    forward: Callable[[Search], None] | None = None
    current: Search | None = None
    best_x: np.ndarray | None = None
    best_value: float = np.inf
    evaluations_done: int = 0  # of the searches that have ended

    def __call__(self, search: Search) -> None:
        if search is not self.current:
            self._absorb()
            self.current = search
        if self.forward is not None:
            self.forward(search)

    def _absorb(self) -> None:
        if self.current is None:
            return
        found = self.current.full_best()
        if found is not None and found[1] < self.best_value:
            self.best_x, self.best_value = found
        self.evaluations_done += self.current.evaluations

    def best(self) -> tuple[np.ndarray, float, int] | None:
        """(genes, value, evaluations) of the best solution seen so far, or None."""
        found = self.current.full_best() if self.current is not None else None
        x, value = self.best_x, self.best_value
        if found is not None and found[1] < value:
            x, value = found
        evaluations = self.evaluations_done + (self.current.evaluations if self.current is not None else 0)
        return None if x is None else (x, float(value), evaluations)
