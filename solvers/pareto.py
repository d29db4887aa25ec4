"""Pareto fronts over layer placement: several objectives at once with pymoo's NSGA-II (or NSGA-III,
SMS-EMOA) and this project's operators (MODEL.md section 8).

Every plan is scheduled once and each objective read from the same measures. The first population
holds each objective's own best plan (best response under that objective, on a tenth of the
budget each) and the three tier plans, the rest uniform; the scenario's limits and deadlines are
pymoo's inequality constraint (the summed relative violation, `problems.constraints`). An archive
keeps every non-dominated plan seen, so the front is never worse than any population's.

The hypervolume is of the front normalised per objective to [lower bound, reference], the reference
being 1.1 x the largest value of the three tier plans (all-local, all-edge, all-cloud): both depend
on the instance only, so runs of one instance are compared on one scale; it is the share of the
unit box that the front dominates.
"""

from __future__ import annotations

import time

import attrs
import numpy as np
from pymoo.core.problem import Problem as PymooProblem
from pymoo.core.termination import NoTermination
from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

from eosdnn.framework import Budget
from eosdnn.framework.errors import EosdnnError
from eosdnn.framework.solver import run_solver
from eosdnn.operators import bind, operator
from eosdnn.operators.pymoo_adapters import GuidedCrossover, IntegerMutation
from eosdnn.problems.constraints import Constrained
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.objectives import OBJECTIVES, objective
from eosdnn.problems.schedule import evaluate
from eosdnn.solvers.registry import SOLVERS

ALGORITHMS = ("nsga2", "nsga3", "smsemoa")
TIER_PLANS = ("all-local", "all-edge", "all-cloud")
REFERENCE_MARGIN = 1.1  # the reference point: this much above the tier plans' largest values
SEED_SHARE = 0.1  # each objective's own best plan is searched on this share of the budget
DEFAULT_EVALUATIONS = 30_000
DEFAULT_POPULATION = 100


def check_objectives(names: list[str]) -> tuple[str, ...]:
    """At least two distinct registered objectives, or one error naming the flag."""
    if len(names) < 2 or len(set(names)) != len(names):
        raise EosdnnError(f"--objectives: give two or more distinct objectives, got {','.join(names)!r}")
    for name in names:
        if name not in OBJECTIVES.names():
            raise EosdnnError(f"--objectives: unknown objective {name!r} (expected some of "
                              f"{', '.join(OBJECTIVES.names())})")
    return tuple(names)


def objective_values(problem: MigrationProblem, names: tuple[str, ...], X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows, objectives) values and (rows,) the summed relative violation of the scenario's limits,
    from one schedule of each row."""
    measures = evaluate(problem.workload, X).measures
    values = np.stack([objective(name).value(measures) for name in names], axis=1)
    limits = problem.workload.objective
    violation = limits.violation(measures) if isinstance(limits, Constrained) else np.zeros(len(X))
    return values, violation


@attrs.frozen
class Front:
    """The non-dominated plans found (feasible ones where any is feasible), their objective values
    and violations, and what the search cost."""

    objectives: tuple[str, ...]
    X: np.ndarray
    F: np.ndarray
    violation: np.ndarray
    evaluations: int
    wall_s: float
    starts: dict[str, np.ndarray]  # the seeding plans by name: genes


class Archive:
    """Every non-dominated plan seen: feasible plans dominate infeasible ones, which compete by their
    violation alone (Deb's rule), as in the search."""

    def __init__(self) -> None:
        self.X: np.ndarray | None = None
        self.F = np.zeros((0, 0))
        self.violation = np.zeros(0)

    def add(self, X: np.ndarray, F: np.ndarray, violation: np.ndarray) -> None:
        if self.X is None:
            self.X, self.F, self.violation = X[:0], F[:0], violation[:0]
        X = np.concatenate([self.X, X])
        F = np.concatenate([self.F, F])
        violation = np.concatenate([self.violation, violation])
        _, first = np.unique(X, axis=0, return_index=True)
        keep = np.sort(first)
        X, F, violation = X[keep], F[keep], violation[keep]
        feasible = violation == 0
        if feasible.any():
            X, F, violation = X[feasible], F[feasible], violation[feasible]
            front = NonDominatedSorting().do(F, only_non_dominated_front=True)
        else:
            front = np.flatnonzero(violation == violation.min())
        order = np.sort(np.asarray(front))
        self.X, self.F, self.violation = X[order], F[order], violation[order]


class ParetoAdapter(PymooProblem):
    """The migration problem with several objectives as pymoo sees it; every evaluation counted and
    archived."""

    def __init__(self, problem: MigrationProblem, names: tuple[str, ...], archive: Archive) -> None:
        super().__init__(n_var=problem.n_var, n_obj=len(names), n_ieq_constr=1, xl=problem.lower,
                         xu=problem.upper, vtype=int)
        self.problem, self.names, self.archive = problem, names, archive
        self.evaluations = 0

    def _evaluate(self, x, out, *args, **kwargs):
        X = np.asarray(x, dtype=np.int64)
        F, violation = objective_values(self.problem, self.names, X)
        self.evaluations += len(X)
        self.archive.add(X, F, violation)
        out["F"] = F
        out["G"] = violation[:, None]


def starting_plans(problem: MigrationProblem, names: tuple[str, ...], evaluations: int,
                   seed: int | None) -> dict[str, np.ndarray]:
    """Each objective's own best plan (best response under it, on `evaluations`) and the tier plans."""
    plans = {name: problem.named_plan(name) for name in TIER_PLANS}
    for name in names:
        single = MigrationProblem(problem.scenario.with_changes(objective=name))
        found = run_solver(SOLVERS.create("best-response"), single, budget=Budget(evaluations=evaluations), seed=seed)
        plans[f"best {name}"] = np.asarray(found.x, dtype=np.int64)
    return plans


def make_algorithm(name: str, problem: MigrationProblem, objectives: int, population: int, sampling: np.ndarray):
    """pymoo's algorithm `name` with this project's task crossover and segment-move mutation (pymoo's
    multi-objective modules load scipy's: imported here, so that no other command pays for them)."""
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.algorithms.moo.nsga3 import NSGA3
    from pymoo.algorithms.moo.sms import SMSEMOA
    from pymoo.util.ref_dirs import get_reference_directions
    operators = dict(sampling=sampling, crossover=GuidedCrossover(bind("crossover", "task", problem), prob=0.9),
                     mutation=IntegerMutation(bind("mutation", "segment-move", problem), prob=1.0),
                     eliminate_duplicates=True)
    if name == "nsga2":
        return NSGA2(pop_size=population, **operators)
    if name == "nsga3":
        partitions = {2: population - 1, 3: 12}.get(objectives, 6)
        directions = get_reference_directions("das-dennis", objectives, n_partitions=partitions)
        return NSGA3(ref_dirs=directions, pop_size=max(population, len(directions)), **operators)
    if name == "smsemoa":
        return SMSEMOA(pop_size=population, **operators)
    raise EosdnnError(f"--algorithm: unknown algorithm {name!r} (expected one of {', '.join(ALGORITHMS)})")


def pareto_front(problem: MigrationProblem, names: tuple[str, ...], *, algorithm: str = "nsga2",
                 evaluations: int = DEFAULT_EVALUATIONS, population: int = DEFAULT_POPULATION,
                 seed: int | None = 0) -> Front:
    """The front of `names` over the problem's placements within `evaluations` (module docstring)."""
    started = time.perf_counter()
    seed_budget = max(1, int(SEED_SHARE * evaluations))
    starts = starting_plans(problem, names, seed_budget, seed)
    rng = np.random.default_rng(seed)
    uniform = operator("sampling", "uniform")
    chosen = np.unique(np.stack(list(starts.values())), axis=0)
    rest = uniform(rng, problem.lower, problem.upper, max(0, population - len(chosen)))
    sampling = np.concatenate([chosen, rest])[:population]
    archive = Archive()
    adapter = ParetoAdapter(problem, names, archive)
    search = make_algorithm(algorithm, problem, len(names), population, sampling)
    search.setup(adapter, termination=NoTermination(), seed=seed, verbose=False)
    spent_on_starts = seed_budget * len(names)
    while adapter.evaluations + spent_on_starts < evaluations:
        infills = search.ask()
        if infills is None or len(infills) == 0:
            break
        search.evaluator.eval(adapter, infills)
        search.tell(infills=infills)
    assert archive.X is not None
    return Front(names, archive.X, archive.F, archive.violation, adapter.evaluations + spent_on_starts,
                 time.perf_counter() - started, starts)


@attrs.frozen
class Scale:
    """Per objective: the lower bound (the ideal end) and the reference point of the hypervolume."""

    lower: np.ndarray
    reference: np.ndarray

    def normalise(self, F: np.ndarray) -> np.ndarray:
        return (F - self.lower) / np.maximum(self.reference - self.lower, 1e-300)


def front_scale(problem: MigrationProblem, names: tuple[str, ...]) -> Scale:
    """The lower bound of each objective (0 where it states none) and the reference point (module
    docstring)."""
    lower = []
    for name in names:
        bound = MigrationProblem(problem.scenario.with_changes(objective=name, constraints=())).lower_bound
        lower.append(0.0 if bound is None else float(bound))
    tiers = np.stack([problem.named_plan(name) for name in TIER_PLANS])
    F, _ = objective_values(problem, names, tiers)
    return Scale(np.array(lower), REFERENCE_MARGIN * F.max(axis=0))


def hypervolume(F: np.ndarray, scale: Scale) -> float:
    """The share of the unit box between the normalised lower bounds and the reference point that
    the points dominate (pymoo's HV indicator)."""
    from pymoo.indicators.hv import HV
    if len(F) == 0:
        return 0.0
    return float(HV(ref_point=np.ones(F.shape[1]))(scale.normalise(F)))


def pick(F: np.ndarray, scale: Scale, weights: np.ndarray) -> int:
    """The point an achievement scalarising function with these importances chooses (pymoo's ASF on
    the normalised front, with 1 / weight as pymoo's decision-making guide does)."""
    from pymoo.decomposition.asf import ASF
    inverse = 1.0 / np.maximum(weights / weights.sum(), 1e-12)
    return int(np.argmin(ASF().do(scale.normalise(F), inverse)))
