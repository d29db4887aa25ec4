"""The problem boundary every solver sees: integer genes, bounds, a population evaluator."""

from __future__ import annotations

import abc
from typing import Protocol

import attrs
import numpy as np


class Report(Protocol):
    """What a problem says of one solution: at least its value (a migration plan's report also has
    its total, makespan, T1/T2/T3 and per-task figures)."""

    @property
    def value(self) -> float: ...


@attrs.frozen
class ValueReport:
    """The report of a problem that knows nothing but the value."""

    value: float


class Problem(abc.ABC):
    """Minimise `evaluate(X)` over integer vectors with `lower <= x <= upper` (inclusive).

    Subclasses set `n_var`, `lower` and `upper` and score a whole population at once, so that
    solvers never loop over genes in Python.
    """

    n_var: int
    lower: np.ndarray
    upper: np.ndarray

    @abc.abstractmethod
    def evaluate(self, X: np.ndarray) -> np.ndarray:
        """Objective value (lower is better) of every row of X, shape (pop, n_var) -> (pop,)."""

    def evaluate_near(self, base: np.ndarray, X: np.ndarray) -> np.ndarray:
        """`evaluate(X)` for rows that are neighbours of `base`; a problem may score them faster by
        reusing what it computed for `base` (the values must be the same)."""
        return self.evaluate(X)

    def report(self, x: np.ndarray) -> Report:
        """What one solution amounts to, scored once: the `report` every Result carries; by default
        just its value."""
        return ValueReport(float(self.evaluate(np.asarray(x)[None, :])[0]))

    @property
    def n_values(self) -> np.ndarray:
        """How many values each gene can take."""
        return self.upper - self.lower + 1

    @property
    def blocks(self) -> list[tuple[int, int]]:
        """Gene ranges [start, stop) of independent units whose genes follow a natural order (for a
        migration problem: one task's layers in model order). Structure-aware operators move runs
        inside a block; by default the whole vector is one block."""
        return [(0, int(self.n_var))]
