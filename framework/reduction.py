"""A problem over fewer genes: groups of genes move together, other genes stay fixed.

Used by prePSO (merged layers) and the two-step migration (condensed modules), and open to any
solver: the reduced problem is a `Problem` like any other, and its solutions expand back.
"""

from __future__ import annotations

import attrs
import numpy as np

from eosdnn.framework.problem import Problem, Report
from eosdnn.framework.result import Result


class ReducedProblem(Problem):
    """Reduced gene k sets every full gene in `groups[k]`; genes in no group keep `base`."""

    def __init__(self, problem: Problem, groups: list[list[int]], base: np.ndarray | None = None) -> None:
        self.problem = problem
        self.groups = groups
        self.base = np.zeros(problem.n_var, dtype=np.int64) if base is None else np.asarray(base, dtype=np.int64)
        self.members = np.concatenate([np.asarray(g, dtype=np.int64) for g in groups]) if groups else np.zeros(0, np.int64)
        self.group_of_member = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
        self.n_var = len(groups)
        # a group may take only values allowed for all of its genes
        self.lower = np.array([problem.lower[g].max() for g in groups], dtype=np.int64)
        self.upper = np.array([problem.upper[g].min() for g in groups], dtype=np.int64)

    @property
    def blocks(self) -> list[tuple[int, int]]:
        """Runs of reduced genes whose first members lie in one block of the full problem."""
        owner = np.empty(self.problem.n_var, dtype=np.int64)
        for b, (start, stop) in enumerate(self.problem.blocks):
            owner[start:stop] = b
        of_gene = [int(owner[group[0]]) for group in self.groups]
        runs, start = [], 0
        for k in range(1, len(of_gene) + 1):
            if k == len(of_gene) or of_gene[k] != of_gene[start]:
                runs.append((start, k))
                start = k
        return runs

    def expand(self, Y: np.ndarray) -> np.ndarray:
        Y = np.atleast_2d(np.asarray(Y, dtype=np.int64))
        X = np.tile(self.base, (Y.shape[0], 1))
        X[:, self.members] = Y[:, self.group_of_member]
        return X

    def reduce(self, x: np.ndarray) -> np.ndarray:
        """The reduced genes of a full solution (each group takes its first member's value)."""
        return np.array([x[g[0]] for g in self.groups], dtype=np.int64)

    def evaluate(self, Y: np.ndarray) -> np.ndarray:
        return self.problem.evaluate(self.expand(Y))

    def evaluate_near(self, base: np.ndarray, Y: np.ndarray) -> np.ndarray:
        return self.problem.evaluate_near(self.expand(base)[0], self.expand(Y))

    def report(self, y: np.ndarray) -> Report:
        return self.problem.report(self.expand(y)[0])

    def lift(self, result: Result, name: str) -> Result:
        """The reduced result as a result of the full problem.

        A certificate of the reduced space (an exact inner solver's `optimal`, bound and gap) says
        nothing of the full problem: the lifted result keeps the placement but claims no bound.
        """
        x = self.expand(result.x)[0]
        report = self.problem.report(x)
        status = None if result.status is None else ("feasible" if result.status in ("optimal", "feasible")
                                                     else result.status)
        info = dict(result.info) | ({"reduced_status": result.status, "reduced_bound": result.bound}
                                    if result.status is not None else {})
        return attrs.evolve(result, solver=name, x=x, value=float(report.value), report=report,
                            history=list(result.history), status=status, bound=None, gap=None, info=info)
