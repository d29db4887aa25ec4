"""PSO-GA (MODEL.md section 5, the paper's eqs. 12-16 and Algorithm 1), vectorised over the swarm."""

from __future__ import annotations

from typing import ClassVar

import attrs
import numpy as np

from eosdnn.framework.kernel_cache import KERNEL_CACHE  # before numba: it picks numba's cache folder
import numba  # noqa: E402

from eosdnn.framework import Budget, Problem, Result, Search
from eosdnn.framework.solver import SolverTraits, with_default_budget
from eosdnn.framework.params import number, to_pair, unit_pair, whole
from eosdnn.solvers.registry import SOLVERS
from eosdnn.operators import bind, operator, operator_name
from eosdnn.operators.integer import on_rows
from eosdnn.solvers.ga import make_ga, run_ga
from eosdnn.solvers.local_search import memetic_step
from eosdnn.solvers.starts import check_starts, start_plans


@numba.njit(cache=KERNEL_CACHE, nogil=True)
def differing_share(H: np.ndarray, best: np.ndarray) -> np.ndarray:
    """Per particle, the share of its genes that differ from the global best: eq. 16's d (the same
    values as `(H != best).mean(axis=1)`, in one pass without a (particles, genes) temporary)."""
    out = np.empty(H.shape[0])
    for i in range(H.shape[0]):
        count = 0
        for j in range(H.shape[1]):
            count += H[i, j] != best[j]
        out[i] = count / H.shape[1]
    return out


def inertia_weight(d: np.ndarray, w_max: float, w_min: float) -> np.ndarray:
    """Eq. 16: w = w_max - (w_max - w_min) exp(d / (d - 1.01)); d = share of genes differing from GB."""
    return w_max - (w_max - w_min) * np.exp(d / (d - 1.01))


@SOLVERS.register("psoga")
@attrs.define
class PsoGa:
    """Particles are placements; mutation (inertia), crossover with PB and with GB (cognition)."""

    traits: ClassVar[SolverTraits] = SolverTraits(default_budget="iterations", cost=1.5)

    particles: int = attrs.field(default=100, validator=whole(2, 100_000))
    iterations: int = attrs.field(default=600, validator=whole(1))
    eps1: tuple[float, float] = attrs.field(default=(0.9, 0.2), converter=to_pair, validator=unit_pair)
    eps2: tuple[float, float] = attrs.field(default=(0.4, 0.9), converter=to_pair, validator=unit_pair)
    w_max: float = attrs.field(default=0.8, validator=number(0, 1))
    w_min: float = attrs.field(default=0.2, validator=number(0, 1))
    seed_generations: int = attrs.field(default=10, validator=whole(0))  # the short GA run of Algorithm 1, line 1
    seed_share: float = attrs.field(default=0.5, validator=number(0, 1))  # share of the first swarm from that GA
    crossover: str = attrs.field(default="segment", validator=operator_name("crossover"))
    mutation: str = attrs.field(default="random-gene", validator=operator_name("mutation"))
    starts: tuple[str, ...] = attrs.field(default=(), converter=to_pair, validator=check_starts)
    memetic_every: int = attrs.field(default=0, validator=whole(0))
    memetic_evaluations: int = attrs.field(default=100, validator=whole(1))
    memetic_move: str = attrs.field(default="segment-move", validator=operator_name("mutation"))
    name: str = "psoga"

    def first_swarm(self, search: Search, rng: np.random.Generator, seed: int | None) -> tuple[np.ndarray, np.ndarray]:
        problem = search.problem
        n_seeded = int(round(self.particles * self.seed_share)) if self.seed_generations > 0 else 0
        parts_x, parts_f = [], []
        if n_seeded:
            ga = make_ga(problem, self.particles, self.crossover, self.mutation, 0.9, 1.0)
            X, F = run_ga(search, ga, seed, generations=self.seed_generations)
            best = np.argsort(F, kind="stable")[:n_seeded]
            parts_x.append(X[best])
            parts_f.append(F[best])
        n_random = self.particles - n_seeded
        if n_random:
            X = operator("sampling", "uniform")(rng, problem.lower, problem.upper, n_random)
            plans = start_plans(problem, self.starts)[:n_random]
            X[:len(plans)] = plans  # constructive plans take the place of random particles
            parts_x.append(X)
            parts_f.append(search.evaluate(X))
        return np.concatenate(parts_x), np.concatenate(parts_f)

    def solve(self, problem: Problem, *, budget: Budget, seed: int | None, callback=None) -> Result:
        budget = with_default_budget(self, budget)
        search = Search(self.name, problem, budget, seed, callback)
        rng = np.random.default_rng(seed)
        cross = bind("crossover", self.crossover, problem)
        mutate = bind("mutation", self.mutation, problem)
        H, F = self.first_swarm(search, rng, seed)
        search.iterations = 0  # the seeding GA's generations do not count as PSO-GA iterations
        personal, personal_f = H.copy(), F.copy()
        best = personal[np.argmin(personal_f)].copy()
        n = self.particles
        while not search.done():
            progress = search.fraction_done()
            eps1 = self.eps1[0] + (self.eps1[1] - self.eps1[0]) * progress
            eps2 = self.eps2[0] + (self.eps2[1] - self.eps2[0]) * progress
            w = inertia_weight(differing_share(H, best), self.w_max, self.w_min)
            r = rng.random((n, 3))
            H = H.copy()  # the previous swarm's rows may be held by the search's duplicate check
            for chosen, apply, args in ((r[:, 0] < w, mutate, (problem.lower, problem.upper)),
                                        (r[:, 1] < eps1, cross, (personal,)), (r[:, 2] < eps2, cross, (best,))):
                rows = np.flatnonzero(chosen)
                if rows.size:
                    on_rows(apply, rng, H, rows, *args)
            F = search.evaluate(H)
            better = F < personal_f
            personal[better] = H[better]
            personal_f[better] = F[better]
            best = personal[np.argmin(personal_f)].copy()
            search.next_iteration()
            leader = int(np.argmin(personal_f))
            found = memetic_step(search, best, float(personal_f[leader]), rng, every=self.memetic_every,
                                 evaluations=self.memetic_evaluations, move=self.memetic_move)
            if found is not None:
                x, f = found
                if f < personal_f[leader]:
                    personal[leader], personal_f[leader], H[leader] = x, f, x
                    best = x.copy()
        return search.result()
