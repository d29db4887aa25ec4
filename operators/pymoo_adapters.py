"""eosdnn operators as pymoo Sampling, Crossover and Mutation classes (pymoo >= 0.6.1.6 random_state)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from pymoo.core.crossover import Crossover
from pymoo.core.mutation import Mutation
from pymoo.core.sampling import Sampling


def _bounds(problem) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(problem.xl, dtype=np.int64), np.asarray(problem.xu, dtype=np.int64)


class IntegerSampling(Sampling):
    def __init__(self, sample: Callable) -> None:
        super().__init__()
        self.sample = sample

    def _do(self, problem, n_samples, *args, random_state=None, **kwargs):
        lower, upper = _bounds(problem)
        return self.sample(random_state, lower, upper, n_samples)


class GuidedCrossover(Crossover):
    """Two parents, two children: each child takes the other parent as its guide."""

    def __init__(self, cross: Callable, prob: float = 0.9) -> None:
        super().__init__(2, 2, prob=prob)
        self.cross = cross

    def _do(self, problem, X, *args, random_state=None, **kwargs):
        a, b = X[0].astype(np.int64), X[1].astype(np.int64)
        return np.stack([self.cross(random_state, a, b), self.cross(random_state, b, a)])


class IntegerMutation(Mutation):
    def __init__(self, mutate: Callable, prob: float = 1.0) -> None:
        super().__init__(prob=prob)
        self.mutate = mutate

    def _do(self, problem, X, *args, random_state=None, **kwargs):
        lower, upper = _bounds(problem)
        return self.mutate(random_state, X.astype(np.int64), lower, upper)
