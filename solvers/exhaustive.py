"""Exhaustive search: every placement, scored in batches by the evaluator. The certified optimum of
tiny instances, and the reference the MILP and the heuristics are tested against."""

from __future__ import annotations

import attrs
import numpy as np

from eosdnn.framework import SOLVERS, Budget, Problem, Result, Search
from eosdnn.problems.errors import EosdnnError


def placement_count(problem: Problem) -> int:
    """How many placements the problem has (exact, as a Python int)."""
    return int(np.prod([int(v) for v in problem.n_values], dtype=object))


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

    limit: int = 2_000_000
    batch: int = 20_000
    name: str = "exhaustive"

    def solve(self, problem: Problem, *, budget: Budget, seed: int | None, callback=None) -> Result:
        count = placement_count(problem)
        if count > self.limit:
            radices = sorted(set(int(v) for v in problem.n_values))
            shape = f"{radices[0]}^{problem.n_var}" if len(radices) == 1 else f"{problem.n_var} genes"
            digits = str(count)
            amount = f"{count:,}" if count < 10**15 else f"about {digits[0]}.{digits[1:3]}e{len(digits) - 1}"
            raise EosdnnError(
                f"exhaustive: the instance has {amount} placements ({shape}), above the limit of {self.limit:,}; "
                f"use a smaller instance, the milp solver, or raise it with --param limit=N")
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
