"""`eosdnn validate`: how far each heuristic lands from a certified optimum on small instances.

Each instance is solved exactly first: by exhaustive search when its placements fit under the
limit (certified for the evaluator's exact semantics, any pools), else by the `milp` solver up to
`MILP_LAYERS` layers and by `cpsat` above (real models); a MILP or CP-SAT answer is a certificate
only when it reports `optimal`, otherwise gaps are measured to its proven bound and marked. Then
every solver runs over several seeds; gap = (value - optimum) / optimum. A heuristic whose plan is
below a certified optimum, or below a proven bound, proves the exact answer wrong: that is an error,
not a row of the report.
"""

from __future__ import annotations

from typing import Any

import time
from collections.abc import Callable

import attrs
import numpy as np

from eosdnn.framework import Budget, Result
from eosdnn.framework.errors import EosdnnError
from eosdnn.progress import progress_steps
from eosdnn.jobs import run_named
from eosdnn.problems.bounds import gap_to_bound, mean_gap
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.scenario import Scenario
from eosdnn.solvers.registry import solver_traits
from eosdnn.solvers.exhaustive import placement_count

HIT_TOLERANCE = 1e-9
CPSAT_HINT = "best-response"  # a good first plan: CP-SAT proved one task of each paper model in 5 s, from greedy's in 109
FREE_ORDER_SECONDS = 30.0  # CP-SAT's time for an instance's free-order optimum, beside an exact reference
MILP_LAYERS = 40  # above this many layers the exact reference is cpsat: the MILP's pair analysis grows as layers^2
DEFAULT_EVALUATIONS = 5_000  # the heuristics' budget when none is given: under 1% of the default instances' space


@attrs.frozen
class ExactAnswer:
    """The reference of one instance: a certified optimum, or only a lower bound."""

    method: str  # exhaustive | milp | cpsat
    status: str
    value: float  # the best placement's value under the evaluator
    bound: float  # a proven lower bound (= value when certified)
    wall_s: float
    free_order: float | None = None  # the proven optimum with any order on each pool (CP-SAT), where found

    @property
    def certified(self) -> bool:
        return self.status == "optimal" and abs(self.value - self.bound) <= 1e-9 * max(abs(self.value), 1.0)

    @property
    def cost_of_order(self) -> float | None:
        """What the evaluator's fixed order u costs at the optimum: (optimum - free-order optimum) /
        free-order optimum; None without a certified optimum and a proven free-order optimum."""
        if self.free_order is None or not self.certified:
            return None
        return max(gap_to_bound(self.value, self.free_order), 0.0)

    @property
    def reference(self) -> float:
        """What gaps are measured to: the optimum, or the bound when none is certified."""
        return self.value if self.certified else self.bound


def taken_flags(name: str, exact_params: dict) -> dict:
    """The exact-solver flags (`--time-limit`, `--gap`, ...) that solver `name` takes, by its traits."""
    flags = solver_traits(name).flags
    return {key: value for key, value in exact_params.items() if key in flags}


def exact_method(problem: MigrationProblem, exhaustive_limit: int) -> str:
    """Which exact solver answers an instance: exhaustive search where its placements fit under the
    limit, the MILP up to `MILP_LAYERS` layers, CP-SAT above."""
    if placement_count(problem) <= exhaustive_limit:
        return "exhaustive"
    return "milp" if problem.n_var <= MILP_LAYERS else "cpsat"


def solve_exactly(problem: MigrationProblem, exhaustive_limit: int, milp_params: dict) -> ExactAnswer:
    """The instance's exact reference (`exact_method`); `milp_params` go to the MILP, and to CP-SAT
    where it takes them (its time limit and gap)."""
    started = time.perf_counter()
    method = exact_method(problem, exhaustive_limit)
    params = taken_flags(method, milp_params)
    if method == "exhaustive":
        params["limit"] = exhaustive_limit
    elif method == "cpsat":
        params["hint"] = CPSAT_HINT
    result = run_named(problem, method, params, Budget(), 0)
    bound = result.bound if result.bound is not None else -np.inf
    wall = time.perf_counter() - started
    free = result if method == "cpsat" else run_named(problem, "cpsat", {"time_limit": FREE_ORDER_SECONDS,
                                                                          "workers": 1}, Budget(), 0)
    free_order = free.model_value if free.model_status == "optimal" else None
    return ExactAnswer(method, result.status or "unknown", result.value, bound, wall, free_order)


def validate(scenarios: list[Scenario], solvers: list[str], seeds: list[int], budget: Budget, *,
             exhaustive_limit: int = 2_000_000, milp_params: dict | None = None,
             solver_params: dict[str, dict] | None = None, progress: bool | None = None,
             on_instance: Callable[[dict], None] | None = None) -> dict:
    """Solve each scenario exactly, run every solver on every seed, and summarise the gaps.
    `on_instance` sees each instance's entry as soon as it is done (an interrupted run keeps them)."""
    milp_params = milp_params or {}
    solver_params = solver_params or {}
    instances = []
    with progress_steps("validate", len(scenarios) * (1 + len(solvers) * len(seeds)), progress) as step:
        for scenario in scenarios:
            problem = MigrationProblem(scenario)
            exact = solve_exactly(problem, exhaustive_limit, milp_params)
            step(f"{scenario.name}: exact")
            entry: dict[str, Any] = {
                "name": scenario.name,
                "objective": scenario.objective,
                "tasks": len(scenario.tasks),
                "layers": problem.n_var,
                "nodes": len(scenario.environment.nodes),
                "pools": [int(p) for p in scenario.environment.pools()],
                "placements": placement_count(problem),
                "lower_bound": problem.lower_bound,
                "exact": attrs.asdict(exact) | {"certified": exact.certified, "cost_of_order": exact.cost_of_order},
                "runs": {},
            }
            for name in solvers:
                params = taken_flags(name, milp_params) | solver_params.get(name, {})
                results: list[Result] = []
                for seed in seeds:
                    results.append(run_named(problem, name, params, budget, seed))
                    step(f"{scenario.name}: {name} seed {seed}")
                entry["runs"][name] = []
                for result in results:
                    check_claim(scenario.name, name, result.value, exact)
                    gap = gap_to_bound(result.value, exact.reference)
                    entry["runs"][name].append({
                        "seed": result.seed, "value": result.value, "gap": gap,
                        "hit": bool(exact.certified and result.value <= exact.value * (1 + HIT_TOLERANCE)),
                        "wall_s": result.wall_s, "evaluations": result.evaluations})
            instances.append(entry)
            if on_instance is not None:
                on_instance(entry)
    return validation_document(instances, solvers, seeds, budget)


def check_claim(instance: str, solver: str, value: float, exact: ExactAnswer) -> None:
    """A heuristic's plan below the certified optimum or the proven bound: the exact answer is wrong."""
    claim = exact.value if exact.certified else exact.bound
    if value < claim * (1 - HIT_TOLERANCE) - 1e-12:
        what = "certified optimum" if exact.certified else "proven lower bound"
        raise EosdnnError(f"validate: {solver} found {value!r} on {instance}, below the {what} {claim!r} of "
                          f"{exact.method}: the exact answer is wrong (please report it)")


def validation_document(instances: list[dict], solvers: list[str], seeds: list[int], budget: Budget) -> dict:
    """The `validate --json` document of the instances done so far, with a summary per solver."""
    summaries = {}
    for name in solvers:
        rows = [run | {"certified": entry["exact"]["certified"]}
                for entry in instances for run in entry["runs"].get(name, [])]
        if rows:
            summaries[name] = summarise(rows)
    return {"format": 1, "seeds": seeds, "budget": budget.describe(), "instances": instances,
            "solvers": summaries, "exhaustive_runs": exhaustive_runs(instances)}


def exhaustive_runs(instances: list[dict]) -> dict[str, list[str]]:
    """Per heuristic, the instances on which it evaluated at least as many placements as there are:
    there it was an exhaustive search in disguise, and its 0% gap says nothing about the heuristic."""
    found: dict[str, list[str]] = {}
    for entry in instances:
        for name, runs in entry["runs"].items():
            if solver_traits(name).exact:
                continue
            if any(run["evaluations"] >= entry["placements"] for run in runs):
                found.setdefault(name, []).append(entry["name"])
    return found


def summarise(rows: list[dict]) -> dict:
    gaps = [row["gap"] for row in rows]
    return {
        "runs": len(rows),
        "mean_gap": mean_gap(gaps),
        "max_gap": float(max(gaps)),
        "hits": int(sum(row["hit"] for row in rows)),
        "certified_runs": int(sum(row["certified"] for row in rows)),
        "wall_s": float(np.mean([row["wall_s"] for row in rows])),
        "evaluations": float(np.mean([row["evaluations"] for row in rows])),
    }
