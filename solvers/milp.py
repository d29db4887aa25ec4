"""Exact migration plans by MILP (`milp`, `milp-free`): PuLP with HiGHS (highspy) or CBC.

The reported status is read from the solution status and the gap, never from PuLP's `status`
alone (PuLP says "Optimal" after a time limit too):

- `optimal`: a solution whose gap to the proven bound is at most `OPTIMAL_GAP`;
- `feasible`: a solution, with the bound and gap the solver proved so far;
- `infeasible`: the model has no solution (a modelling error: every instance has one);
- `no solution`: the limit ended the search before any solution was found.

The placement is always re-scored by the evaluator; `value` is the evaluator's, `model_value`
the MILP's own objective of it, and `gap = (value - bound) / bound`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import ClassVar

import attrs
import numpy as np
import pulp

from eosdnn.framework import Budget, Result, Search
from eosdnn.framework.solver import SolverTraits
from eosdnn.framework.params import ParameterError, number, one_of, whole
from eosdnn.framework.errors import EosdnnError
from eosdnn.solvers.registry import SOLVERS
from eosdnn.problems.bounds import gap_to_bound
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.placement import load_placement
from eosdnn.solvers.greedy import greedy_genes
from eosdnn.solvers.milp_model import BuildTimeout, MilpModel, build_milp, contention

EXACT_FLAGS = frozenset({"backend", "time_limit", "gap", "warm_start"})  # the command line's exact-solver flags
OPTIMAL_GAP = 1e-4
BACKENDS = ("highs", "cbc")


@attrs.frozen
class MilpOutcome:
    """What a backend proved: the solution status and objective, and the best bound."""

    status: str  # optimal | feasible | infeasible | no solution
    objective: float | None
    bound: float | None


@contextlib.contextmanager
def _quiet_stdout():
    """Silence C-level stdout (HiGHS prints a banner when its first instance is created)."""
    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


class _Highs(pulp.HiGHS):
    """PuLP's highspy interface, plus a warm start (a full solution) and a seed."""

    def __init__(self, *, warm_start: bool, seed: int | None, **options) -> None:
        super().__init__(**options)
        self.warm_start = warm_start
        self.seed = seed

    def createAndConfigureSolver(self, lp) -> None:  # noqa: N802 (PuLP's name)
        with _quiet_stdout():
            super().createAndConfigureSolver(lp)
        if self.seed is not None:
            lp.solverModel.setOptionValue("random_seed", int(self.seed) % 2_147_483_647)

    def callSolver(self, lp) -> None:  # noqa: N802
        if self.warm_start:
            import highspy

            solution = highspy.HighsSolution()
            solution.col_value = [float(v.varValue if v.varValue is not None else 0.0) for v in lp.variables()]
            solution.value_valid = True
            lp.solverModel.setSolution(solution)
        lp.solverModel.run()


def classify(sol_status: int, objective: float | None, bound: float | None) -> str:
    if sol_status == pulp.LpSolutionInfeasible:
        return "infeasible"
    if sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible) or objective is None:
        return "no solution"
    if bound is not None and relative_gap(objective, bound) <= OPTIMAL_GAP:
        return "optimal"
    return "feasible"


def relative_gap(value: float, bound: float) -> float:
    """The proven gap (MODEL.md section 7's one gap), never negative: a bound a hair above the value
    (the solver's feasibility tolerance) counts as met."""
    return max(gap_to_bound(value, bound), 0.0)


def solve_with_highs(model: MilpModel, *, time_limit: float, gap: float, warm_start: bool,
                     seed: int | None, threads: int = 1) -> MilpOutcome:
    solver = _Highs(warm_start=warm_start, seed=seed, msg=False, timeLimit=time_limit, gapRel=gap, threads=threads)
    model.problem.solve(solver)
    info = model.problem.solverModel.getInfo()
    objective = pulp.value(model.problem.objective)
    dual = float(info.mip_dual_bound)
    bound = dual if np.isfinite(dual) else None
    status = classify(model.problem.sol_status, objective, bound)
    return MilpOutcome(status, objective if status in ("optimal", "feasible") else None, bound)


def solve_with_cbc(model: MilpModel, *, time_limit: float, gap: float, warm_start: bool,
                   seed: int | None, threads: int = 1) -> MilpOutcome:
    with warnings.catch_warnings():  # PuLP 3 deprecates its bundled CBC; it is the fallback we document
        warnings.simplefilter("ignore", DeprecationWarning)
        if not pulp.PULP_CBC_CMD().available():
            raise EosdnnError("backend: cbc: PuLP's bundled CBC is not available on this machine")
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        log = Path(folder) / "cbc.log"
        options = [f"randomCbcSeed {int(seed) % 2_147_483_647 + 1}"] if seed is not None else []
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=gap, warmStart=warm_start,
                                   logPath=str(log), threads=threads, options=options)
        model.problem.solve(solver)
        text = log.read_text(errors="replace") if log.exists() else ""
    objective = pulp.value(model.problem.objective)
    bound = None
    if "Optimal solution found" in text and model.problem.sol_status == pulp.LpSolutionOptimal:
        bound = objective
    match = re.search(r"Lower bound:\s*([-+0-9.eE]+)", text)
    if match:
        bound = float(match.group(1))
    status = classify(model.problem.sol_status, objective, bound)
    return MilpOutcome(status, objective if status in ("optimal", "feasible") else None, bound)


def warm_start_name(_instance, attribute, value) -> None:
    """`greedy`, `none` (or None) or a placement file's path; the file is read when the solver runs."""
    if value is not None and not (isinstance(value, str) and value.strip()):
        raise ParameterError(attribute.name, f"must be greedy, none or a placement file path, got {value!r}")


warm_start_name.span = "greedy | none | a placement file"  # type: ignore[attr-defined]


@attrs.define
class MilpSolver:
    """Solve the migration MILP exactly (fixed order u) or its free-order lower bound.

    Parameters: backend (highs | cbc), time_limit (seconds; `--seconds` overrides), gap (relative
    gap at which the solver may stop), warm_start (`greedy`, `none`, or a placement JSON path),
    max_binaries (refuse larger instances with a clear message), threads (1 by default: the
    same seed then gives the same answer by construction; 2 ran about 1.6x faster here).
    """

    traits: ClassVar[SolverTraits] = SolverTraits(exact=True, budget_unit="seconds", flags=EXACT_FLAGS,
                                                  validated=False)

    free_order: bool = False
    backend: str = attrs.field(default="highs", validator=one_of(*BACKENDS))
    time_limit: float = attrs.field(default=60.0, validator=number(0, None, open_low=True))
    gap: float = attrs.field(default=OPTIMAL_GAP, validator=number(0, 0.999999))
    warm_start: str | None = attrs.field(default="greedy", validator=warm_start_name)
    max_binaries: int = attrs.field(default=20_000, validator=whole(1))
    max_constraints: int = attrs.field(default=500_000, validator=whole(1))
    threads: int = attrs.field(default=1, validator=whole(1, 256))
    name: str = "milp"
    accepts: ClassVar[type] = MigrationProblem  # reads the layers and nodes

    def _check_size(self, problem: MigrationProblem) -> None:
        """Refuse an instance whose assignment binaries (one per layer and allowed node) exceed
        `max_binaries`: counted from the genes, before the pair analysis (layers x layers) runs."""
        binaries = int(np.sum(problem.n_values))
        if binaries > self.max_binaries:
            raise EosdnnError(
                f"{self.name}.max_binaries: the instance needs at least {binaries:,} binary variables ({problem.n_var:,} "
                f"layers), above the limit of {self.max_binaries:,}; use a smaller scenario or raise it with "
                "max_binaries=N")

    def solve(self, problem, *, budget: Budget, seed: int | None, callback=None) -> Result:
        time_limit = budget.seconds if budget.seconds is not None else self.time_limit
        self._check_size(problem)  # before anything of the instance's size squared is built
        # iterations count solve rounds (each a model solved and its placement scored), evaluations
        # count the placements scored; seconds are the time limit, which also covers the build
        search = Search(self.name, problem, Budget(iterations=budget.iterations, evaluations=budget.evaluations),
                        seed, callback)
        incumbent = self._incumbent(problem)
        search.offer(incumbent)
        upper = search.best_value * (1 + 1e-7) + 1e-9
        plan = contention(problem.workload, free_order=self.free_order, upper=upper)
        if plan.binaries > self.max_binaries or plan.sequencing > self.max_constraints:
            field = "max_binaries" if plan.binaries > self.max_binaries else "max_constraints"
            raise EosdnnError(
                f"{self.name}.{field}: the instance needs {plan.binaries:,} binary variables and {plan.sequencing:,} "
                f"sequencing constraints, above the limits of {self.max_binaries:,} and {self.max_constraints:,}; "
                "use a smaller scenario or raise them with max_binaries=N / max_constraints=N")
        deadline = search.started + float(time_limit)
        try:
            model = build_milp(problem.workload, plan, deadline)
        except BuildTimeout:
            search.next_iteration()
            return search.result(status="no solution", model_status="no solution",
                                 info={"rounds": 0, "cuts": 0, "binaries": plan.binaries,
                                       "stopped": "the time limit ended while the model was being built"})
        warm = self.warm_start not in (None, "none")
        run = solve_with_highs if self.backend == "highs" else solve_with_cbc
        outcome, model_value, rounds, solved = None, None, 0, False
        proven: float | None = None
        bound: float | None = None
        while True:
            if warm and search.best_x is not None:
                model.set_initial(search.best_x)
            left = deadline - time.perf_counter()
            if left <= 0:
                break
            outcome = run(model, time_limit=left, gap=float(self.gap), warm_start=warm, seed=seed,
                          threads=int(self.threads))
            rounds += 1
            if outcome.status == "infeasible" and model.cuts:
                proven = search.best_value  # every placement is cut off: the best one seen is the optimum
                break
            if outcome.objective is not None:
                solved = True
                if model_value is None:
                    model_value = float(outcome.objective)
                genes = model.genes()
                search.offer(genes)  # kept when the evaluator scores it below the best so far
                search.next_iteration()
            if outcome.bound is not None:
                # Valid for every placement not cut off; the cut ones are worth at least the best seen.
                bound = min(outcome.bound, search.best_value) if model.cuts else outcome.bound
                proven = bound if proven is None else max(proven, bound)
            if (outcome.objective is None or self.free_order or not model.relaxes_pools
                    or outcome.status != "optimal"):
                break
            if proven is not None and relative_gap(search.best_value, proven) <= OPTIMAL_GAP:
                break
            if search.done():  # the iteration or evaluation budget ends the cut rounds
                break
            # The pool relaxation let the model beat the evaluator on this placement: cut it off and
            # solve again; the model's optimum over the rest bounds every placement not yet seen.
            model.exclude(genes)
            warm = warm and not any(np.array_equal(cut, np.asarray(search.best_x)) for cut in model.cuts)
        value = search.best_value
        # Every bound is at most the optimum, itself at most `value`: a bound above `value` is the
        # solver's feasibility tolerance (about 1e-7), clipped so that the report never claims more.
        bound = None if proven is None else min(proven, value)
        gap = None if bound is None else relative_gap(value, bound)
        model_status = outcome.status if outcome is not None else "no solution"
        if outcome is not None and outcome.status == "infeasible" and not model.cuts:
            status = "infeasible"
        elif gap is not None and gap <= OPTIMAL_GAP:
            # the returned placement's evaluator value meets a proven lower bound: optimal for the
            # evaluator (for milp-free the bound holds for every order, so it holds for the order u)
            status = "optimal"
        else:
            status = "feasible" if solved else "no solution"
        if search.iterations == 0:
            search.next_iteration()
        return search.result(status=status, bound=bound, gap=gap, model_value=model_value,
                             model_status=model_status, info={"rounds": rounds, "cuts": len(model.cuts), "binaries": model.n_binaries})

    def _incumbent(self, problem: MigrationProblem) -> np.ndarray:
        if self.warm_start not in (None, "none", "greedy"):
            path = str(self.warm_start)
            if not Path(path).exists():
                raise EosdnnError(f"{self.name}.warm_start: must be greedy, none or a placement file; {path!r} not found")
            return load_placement(problem, path)
        return greedy_genes(problem)


SOLVERS.register("milp", functools.partial(MilpSolver, free_order=False, name="milp"), description=(
    "The migration problem as a MILP in the evaluator's fixed order u (PuLP with HiGHS or CBC): an optimal "
    "status proves the plan optimal for the evaluator."))
SOLVERS.register("milp-free", functools.partial(MilpSolver, free_order=True, name="milp-free"), description=(
    "The MILP with any order on a pool (a relaxation of the evaluator's order u): its bound is a valid lower "
    "bound, its plan is re-scored by the evaluator."))
