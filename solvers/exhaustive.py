"""Exhaustive search: every placement, scored in batches by the evaluator. The certified optimum of
tiny instances, and the reference the MILP and the heuristics are tested against."""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

from eosdnn.framework import Budget, Problem, Result, Search
from eosdnn.framework.solver import SolverTraits
from eosdnn.framework.params import whole
from eosdnn.framework.errors import EosdnnError
from eosdnn.solvers.registry import SOLVERS


def placement_count(problem: Problem) -> int:
    """How many placements the problem has (exact, as a Python int)."""
    return int(np.prod([int(v) for v in problem.n_values], dtype=object))


def log10_count(problem: Problem) -> float:
    """log10 of the number of placements, without building the (possibly huge) integer."""
    return float(np.log10(np.asarray(problem.n_values, dtype=float)).sum())


def describe_count(problem: Problem) -> str:
    """The number of placements for people: exact below 10^15, else `about 1.93e812`, computed by
    logarithms so that even a 5000-layer instance is described at once."""
    log10 = log10_count(problem)
    return f"{placement_count(problem):,}" if log10 < 15 else about(log10)


def about(log10: float) -> str:
    """A huge count from its log10, for people: `about 1.93e812`."""
    exponent = int(np.floor(log10))
    return f"about {10 ** (log10 - exponent):.2f}e{exponent}"


def count_exceeds(problem: Problem, limit: int) -> bool:
    """Whether the problem has more than `limit` placements, without building a huge integer."""
    if log10_count(problem) > np.log10(max(limit, 1)) + 1:
        return True
    return placement_count(problem) > limit


def placements(lower: np.ndarray, n_values: np.ndarray, first: int, count: int) -> np.ndarray:
    """Rows `first .. first+count-1` of the mixed-radix enumeration (gene 0 varies fastest)."""
    index = np.arange(first, first + count, dtype=np.int64)
    X = np.empty((count, lower.size), dtype=np.int64)
    for j, radix in enumerate(n_values):
        X[:, j] = lower[j] + index % radix
        index //= radix
    return X


@SOLVERS.register("exhaustive")
@attrs.define
class Exhaustive:
    """Enumerate all placements; refuse above `limit` placements (the message gives the count).

    A budget, when given, may stop the enumeration early: the status is then `feasible` and no
    bound is claimed; a complete enumeration is `optimal` with bound = value and gap 0.
    """

    traits: ClassVar[SolverTraits] = SolverTraits(exact=True, budget_unit="none", validated=False)

    limit: int = attrs.field(default=2_000_000, validator=whole(1))
    batch: int = attrs.field(default=20_000, validator=whole(1, 10_000_000))
    name: str = "exhaustive"

    def solve(self, problem: Problem, *, budget: Budget, seed: int | None, callback=None) -> Result:
        if count_exceeds(problem, self.limit):
            radices = sorted(set(int(v) for v in problem.n_values))
            shape = f"{radices[0]}^{problem.n_var}" if len(radices) == 1 else f"{problem.n_var} genes"
            raise EosdnnError(
                f"exhaustive.limit: the instance has {describe_count(problem)} placements ({shape}), above the "
                f"limit of {self.limit:,}; use a smaller instance, the milp solver, or raise it with limit=N")
        count = placement_count(problem)
        search = Search(self.name, problem, budget, seed, callback)
        lower = np.asarray(problem.lower, dtype=np.int64)
        n_values = np.asarray(problem.n_values, dtype=np.int64)
        done = 0
        while done < count and not (done and search.done()):
            size = min(self.batch, count - done)
            search.evaluate(placements(lower, n_values, done, size))
            done += size
            search.next_iteration()
        if done < count:
            return search.result(status="feasible")
        return search.result(status="optimal", bound=search.best_value, gap=0.0)
