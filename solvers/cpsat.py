"""`cpsat`: a second exact backend, a constraint-programming model in OR-Tools CP-SAT.

The model (docs/MODEL.md section 7; docs/CHOICES.md, "Exact solvers"): per layer one start time and,
per allowed node, an optional interval of the layer's execution time there, exactly one present;
`NoOverlap` on single-pool nodes and `Cumulative` on the others; per edge k -> j and node choice c of
j, `start_j >= end_k + sum_m delay(m, c) x[k, m]` when j takes c (exact, k has one node); each task
completes when its result is back on its client. Times are integers in microseconds with every
execution time and transfer rounded *down*, so the model relaxes the real-valued problem.

CP-SAT schedules each pool in any order, while the evaluator serves layers in the fixed order u
(MODEL.md section 3). Every evaluator schedule is feasible here, so the proven bound is a valid lower
bound on the evaluator's optimum, and the placement found, re-scored by the evaluator, is a feasible
plan: the status is `optimal` only when that re-scored value meets the proven bound (gap at most
`OPTIMAL_GAP`), `feasible` otherwise. `model_value` is the free-order value CP-SAT found.

Redundant constraints from the contention-free programme (`problems/bounds.py`) tighten the model:
each layer starts no earlier on a node than it could without contention, each task completes no
earlier than its contention-free bound, nor earlier than any of its layers' start plus its least
remaining time (`least_remaining`). A hint (placement and start times, from the evaluator's
schedule of a named solver's plan) gives CP-SAT a first solution.
"""

from __future__ import annotations

import math
import time
from typing import Any, ClassVar

import attrs
import numpy as np

from eosdnn.framework import Budget, Result, Search
from eosdnn.framework.errors import EosdnnError
from eosdnn.framework.params import ParameterError, number, whole
from eosdnn.framework.solver import SolverTraits, run_solver, with_default_budget
from eosdnn.problems.bounds import forward_pass, gap_to_bound, task_bounds, task_tables
from eosdnn.problems.migration import MigrationProblem
from eosdnn.problems.schedule import CompiledWorkload, schedule
from eosdnn.solvers.local_search import improve
from eosdnn.solvers.milp_model import finite_upper, serial_horizon
from eosdnn.solvers.registry import SOLVERS

TICKS = 1_000_000  # model time units per second (microseconds)
OPTIMAL_GAP = 1e-4  # as the MILP's: HiGHS's default relative tolerance
CPSAT_FLAGS = frozenset({"time_limit", "gap"})
MAX_LAYERS = 2_000  # larger models take minutes and gigabytes to build
# CP-SAT's overload checker on `Cumulative` (off by default): it proves that tasks sharing a multi-pool
# server cannot all run their parallel branches at once. Two GoogLeNet tasks on the paper environment,
# seed 1: without it the bound stopped 5.0% below the plan after 120 s, with it proven in 2-3 s.
SEARCH_PARAMETERS = {"use_overload_checker_in_cumulative": True}
HINT_SHARE = 0.25  # the hint's solver may use at most this share of the time limit


def _ortools():
    """The CP-SAT module, or one clear error where OR-Tools is missing."""
    try:
        from ortools.sat.python import cp_model
    except ImportError as error:  # pragma: no cover - ortools is a dependency
        raise EosdnnError("solver cpsat: needs OR-Tools (pip install ortools)") from error
    return cp_model


def ticks_down(seconds: np.ndarray | float) -> np.ndarray:
    """Seconds as whole microseconds, rounded down (so the model never asks more than the evaluator)."""
    return np.floor(np.asarray(seconds, dtype=float) * TICKS).astype(np.int64)


def earliest_starts(w: CompiledWorkload) -> np.ndarray:
    """(positions, choices): the least start time of each layer on each allowed node without
    contention (the contention-free programme's finish less the layer's own time)."""
    starts = np.zeros((w.n_genes, w.n_choices))
    for t in range(w.n_tasks):
        tables = task_tables(w, t)
        dp = forward_pass(tables.exec_s[None], tables.spb, tables.predecessors, tables.out_bytes, tables.input_bytes)
        finish = np.empty_like(tables.exec_s)
        for a, b in zip(dp.cuts, dp.cuts[1:]):
            finish[b] = dp.finish[b][0]
            for layer, relative in dp.regions.get(b, {}).items():
                if layer > a:
                    finish[layer] = (dp.finish[a][0][:, None] + relative[0]).min(axis=0)
        positions = w.position_of[w.gene_offset[t] + np.arange(tables.exec_s.shape[0])]
        starts[positions] = np.maximum(finish - tables.exec_s, 0.0)
    return starts


def least_remaining(w: CompiledWorkload) -> np.ndarray:
    """(positions, choices): the least time from a layer's start on each allowed node to its task's
    completion without contention: its own time, then, for every layer reading it (each must still
    run), the least transfer and remaining time over that reader's nodes; the last layer's result
    returns to the client. A valid lower bound for DAGs too (each reader chooses on its own)."""
    remaining = np.zeros((w.n_genes, w.n_choices))
    for t in range(w.n_tasks):
        tables = task_tables(w, t)
        n = tables.exec_s.shape[0]
        readers: list[list[int]] = [[] for _ in range(n)]
        for layer, inputs in enumerate(tables.predecessors):
            for k in inputs:
                readers[k].append(layer)
        tail = np.zeros_like(tables.exec_s)
        for layer in range(n - 1, -1, -1):
            after = tables.out_bytes[layer] * tables.spb[:, 0] if not readers[layer] else np.zeros(tables.spb.shape[0])
            for r in readers[layer]:
                after = np.maximum(after, (tables.out_bytes[layer] * tables.spb + tail[r][None, :]).min(axis=1))
            tail[layer] = tables.exec_s[layer] + after
        remaining[w.position_of[w.gene_offset[t] + np.arange(n)]] = tail
    return remaining


@attrs.define
class CpsatForm:
    """The model's measures for objectives (`problems.objectives.ExactForm`), all in the model's scale
    of a million units per real one: completion times, busy time and variables in microseconds,
    bytes sent in whole bytes (rounded down) times a million, so that an objective mixing them keeps
    its proportions (its value is a million times the real one, as the times are)."""

    workload: CompiledWorkload
    model: Any
    x: dict[tuple[int, int], Any]
    node_of: np.ndarray  # (positions, choices) -> node
    completion: list[Any]
    scale: float = float(TICKS)  # model units per real one (`problems.constraints.in_form_units`)
    both: dict[tuple[int, int, int, int], Any] = attrs.field(factory=dict)  # (q, c, p, d) -> x[q,c] and x[p,d]

    @property
    def environment(self):
        return self.workload.scenario.environment

    @property
    def task_clients(self) -> list[int]:
        return [int(c) for c in self.workload.client_of]

    def busy(self, node: int) -> Any:
        durations = ticks_down(self.workload.exec_s[:, node])
        return sum(int(durations[p]) * self.x[p, c] for p, c in zip(*np.nonzero(self.node_of == node)))

    def _pair(self, q: int, c: int, p: int, d: int) -> Any:
        """A literal true exactly when position q takes choice c and position p takes choice d."""
        key = (q, c, p, d)
        if key not in self.both:
            literal = self.model.NewBoolVar(f"both_{q}_{c}_{p}_{d}")
            self.model.AddBoolAnd([self.x[q, c], self.x[p, d]]).OnlyEnforceIf(literal)
            self.model.AddBoolOr([self.x[q, c].Not(), self.x[p, d].Not(), literal])
            self.both[key] = literal
        return self.both[key]

    def bytes_sent(self, source: int, target: int) -> Any:
        if source == target:
            return 0
        w, node_of = self.workload, self.node_of

        def scaled(size: float) -> int:
            return int(math.floor(size)) * TICKS

        def choices(position: int, node: int) -> list[int]:
            return np.flatnonzero(node_of[position] == node).tolist()

        terms = []
        for p in np.flatnonzero(w.input_bytes >= 0).tolist():
            if w.client_of[w.task_of[p]] == source:
                terms += [scaled(w.input_bytes[p]) * self.x[p, c] for c in choices(p, target)]
        for p in range(len(node_of)):
            for e in range(w.pred_ptr[p], w.pred_ptr[p + 1]):
                q = int(w.pred_pos[e])
                terms += [scaled(w.pred_bytes[e]) * self._pair(q, c, p, d)
                          for c in choices(q, source) for d in choices(p, target)]
        for t in range(w.n_tasks):
            last = int(w.last_pos[t])
            if w.client_of[t] == target:
                terms += [scaled(w.result_bytes[t]) * self.x[last, c] for c in choices(last, source)]
        return sum(terms)

    def variable(self, name: str, low: float, high: float) -> Any:
        return self.model.NewIntVar(math.ceil(low), math.floor(high), name)

    def require(self, constraint: Any, name: str) -> None:
        try:
            self.model.Add(constraint)
        except TypeError:  # CP-SAT's constraints take whole-number coefficients only
            raise EosdnnError(f"solver cpsat: {name} is not a whole-number expression in CP-SAT (a limit on "
                              "energy or cost has fractional weights); use milp") from None

    def sum(self, terms) -> Any:
        return sum(terms)


@attrs.define
class CpsatModel:
    """The built model, its variables, and the units to read them back."""

    model: Any
    x: dict[tuple[int, int], Any]
    start: list[Any]
    node_of: np.ndarray

    def genes(self, solver) -> np.ndarray:
        """The node choice of every position (the order u) in the solver's solution; `[position_of]`
        of it is the placement in gene order."""
        choices = self.node_of.shape[1]
        return np.array([next(c for c in range(choices) if solver.Value(self.x[p, c])) for p in range(len(self.start))])

    def hint(self, w: CompiledWorkload, genes: np.ndarray) -> None:
        """A full hint: the placement and the evaluator's start times (feasible here: rounding down
        keeps every precedence and every pool's order)."""
        plan = schedule(w, genes)
        starts = ticks_down(plan.start)  # in gene order
        genes = np.asarray(genes)
        for p in range(len(self.start)):
            gene = int(w.order[p])
            self.model.AddHint(self.start[p], int(starts[gene]))
            for c in range(self.node_of.shape[1]):
                self.model.AddHint(self.x[p, c], int(genes[gene] == c))


def build_cpsat(problem: MigrationProblem, upper: float) -> CpsatModel:
    """The CP-SAT model of `problem` (module docstring) for plans whose objective is at most `upper`
    seconds (each task's latest completion follows from it where the objective says how)."""
    cp_model = _ortools()
    w = problem.workload
    model = cp_model.CpModel()
    least = task_bounds(w)
    upper = finite_upper(w, upper)
    latest = w.objective.latest_completions(upper, least)
    horizon_s = serial_horizon(w) if latest is None else float(np.max(latest))
    horizon = int(math.ceil(horizon_s * TICKS)) + 1
    node_of = w.choice_node[w.task_of]
    positions, choices = node_of.shape
    duration = ticks_down(np.take_along_axis(w.exec_s, node_of, axis=1))  # (positions, choices)
    earliest = ticks_down(earliest_starts(w))
    remaining = ticks_down(least_remaining(w))
    spb = w.seconds_per_byte
    x: dict[tuple[int, int], Any] = {}
    start, end = [], []
    on_node: dict[int, list[Any]] = {}
    for p in range(positions):
        s = model.NewIntVar(0, horizon, f"s{p}")
        for c in range(choices):
            x[p, c] = model.NewBoolVar(f"x{p}_{c}")
            interval = model.NewOptionalFixedSizeIntervalVar(s, int(duration[p, c]), x[p, c], f"i{p}_{c}")
            on_node.setdefault(int(node_of[p, c]), []).append(interval)
            model.Add(s >= int(earliest[p, c])).OnlyEnforceIf(x[p, c])
        model.AddExactlyOne(x[p, c] for c in range(choices))
        start.append(s)
        end.append(s + sum(int(duration[p, c]) * x[p, c] for c in range(choices)))
        if w.input_bytes[p] >= 0:
            client = int(w.client_of[w.task_of[p]])
            model.Add(s >= sum(int(ticks_down(w.input_bytes[p] * spb[client, node_of[p, c]])) * x[p, c]
                               for c in range(choices)))
    for p in range(positions):
        for e in range(w.pred_ptr[p], w.pred_ptr[p + 1]):
            q = int(w.pred_pos[e])
            delays = ticks_down(w.pred_bytes[e] * spb[np.ix_(node_of[q], node_of[p])])  # (choice of q, choice of p)
            for c in range(choices):
                model.Add(start[p] >= end[q] + sum(int(delays[m, c]) * x[q, m] for m in range(choices))
                          ).OnlyEnforceIf(x[p, c])
    pools = np.diff(w.pool_ptr)
    for node, intervals in on_node.items():
        if pools[node] == 1:
            model.AddNoOverlap(intervals)
        elif pools[node] < len(intervals):
            model.AddCumulative(intervals, [1] * len(intervals), int(pools[node]))
    completion = []
    for t in range(w.n_tasks):
        last = int(w.last_pos[t])
        client = int(w.client_of[t])
        back = ticks_down(w.result_bytes[t] * spb[node_of[last], client])
        latest_t = horizon if latest is None else int(math.ceil(latest[t] * TICKS)) + 1
        done = model.NewIntVar(int(ticks_down(least[t])), max(latest_t, int(ticks_down(least[t]))), f"c{t}")
        model.Add(done >= end[last] + sum(int(back[c]) * x[last, c] for c in range(choices)))
        completion.append(done)
    for p in range(positions):  # redundant: a task completes no sooner than any layer's least remaining time
        t = int(w.task_of[p])
        for c in range(choices):
            model.Add(completion[t] >= start[p] + int(remaining[p, c])).OnlyEnforceIf(x[p, c])
    form = CpsatForm(w, model, x, node_of, completion)
    model.Minimize(w.objective.exact(form, float(upper * TICKS)))
    return CpsatModel(model, x, start, node_of)


@attrs.frozen
class CpsatOutcome:
    """What one CP-SAT run proved, in seconds: its status (optimal | feasible | infeasible | invalid |
    no solution), the objective of its solution and its proven bound (None without a solution)."""

    status: str
    value: float | None
    bound: float | None


def run_cpsat(model: Any, seconds: float, workers: int, seed: int | None, gap: float | None = None):
    """Solve a built model within `seconds` on `workers` search workers, seeded; the outcome and the
    solver (to read the solution's variables)."""
    cp_model = _ortools()
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = int(workers)
    if gap is not None:
        solver.parameters.relative_gap_limit = float(gap)
    solver.parameters.random_seed = 0 if seed is None else int(seed) % 2_147_483_647
    for name, setting in SEARCH_PARAMETERS.items():
        setattr(solver.parameters, name, setting)
    code = solver.Solve(model)
    names = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible", cp_model.INFEASIBLE: "infeasible",
             cp_model.MODEL_INVALID: "invalid", cp_model.UNKNOWN: "no solution"}
    status = names.get(code, "no solution")
    if status not in ("optimal", "feasible"):
        return CpsatOutcome(status, None, None), solver
    return CpsatOutcome(status, float(solver.ObjectiveValue()) / TICKS, float(solver.BestObjectiveBound()) / TICKS), solver


def hint_solver(_instance, attribute, value) -> None:
    if not isinstance(value, str) or not (value == "none" or SOLVERS.knows(value)):
        raise ParameterError(attribute.name, f"must be none or a registered solver, got {value!r}")
    if value == "cpsat":
        raise ParameterError(attribute.name, "cpsat cannot hint itself")


hint_solver.span = "none, or a registered solver (its plan at its default budget)"  # type: ignore[attr-defined]


@SOLVERS.register("cpsat", description=(
    "Exact migration plans by constraint programming (OR-Tools CP-SAT) with any order on a pool: its bound "
    "is a valid lower bound, its plan is re-scored by the evaluator; optimal when the two meet."))
@attrs.define
class Cpsat:
    """CP-SAT over placements and free-order schedules (module docstring). Parameters: time_limit
    (seconds, model building included; `--seconds` overrides), gap (relative gap at which CP-SAT may
    stop), workers (CP-SAT's search workers), hint (a solver whose plan, at its default budget and
    within a quarter of the time limit, starts the search; `none` for no hint; best response by
    default), max_layers (refuse larger instances), polish (evaluations
    of local search under the evaluator from the plan found: CP-SAT's plan is best for some order on
    each pool, not always for the order u)."""

    traits: ClassVar[SolverTraits] = SolverTraits(exact=True, budget_unit="seconds", flags=CPSAT_FLAGS,
                                                  validated=False)

    time_limit: float = attrs.field(default=60.0, validator=number(0, None, open_low=True))
    gap: float = attrs.field(default=OPTIMAL_GAP, validator=number(0, 0.999999))
    workers: int = attrs.field(default=2, validator=whole(1, 256))
    hint: str = attrs.field(default="best-response", validator=hint_solver)
    max_layers: int = attrs.field(default=MAX_LAYERS, validator=whole(1))
    polish: int = attrs.field(default=2_000, validator=whole(0))
    name: str = "cpsat"
    accepts: ClassVar[type] = MigrationProblem  # reads the layers and nodes

    def solve(self, problem: MigrationProblem, *, budget: Budget, seed: int | None, callback=None) -> Result:
        _ortools()
        if problem.n_var > self.max_layers:
            raise EosdnnError(f"{self.name}.max_layers: the instance has {problem.n_var:,} layers, above the limit of "
                              f"{self.max_layers:,}; use a smaller scenario or raise it with max_layers=N")
        time_limit = float(budget.seconds if budget.seconds is not None else self.time_limit)
        search = Search(self.name, problem, Budget(), seed, callback)
        if self.hint != "none":
            hint = SOLVERS.create(self.hint)
            default = with_default_budget(hint, Budget())
            hint_budget = attrs.evolve(default, seconds=min(default.seconds or math.inf, HINT_SHARE * time_limit))
            search.offer(run_solver(hint, problem, budget=hint_budget, seed=seed).x)
        else:
            search.offer(np.zeros(problem.n_var, dtype=np.int64))
        built = build_cpsat(problem, search.best_value * (1 + 1e-7) + 1e-9)
        assert search.best_x is not None
        built.hint(problem.workload, search.best_x)
        left = search.started + time_limit - time.perf_counter()
        if left <= 0:
            search.next_iteration()
            return search.result(status="feasible", model_status="no solution",
                                 info={"stopped": "the time limit ended while the model was being built"})
        outcome, solver = run_cpsat(built.model, left, self.workers, seed, self.gap)
        model_status, model_value = outcome.status, outcome.value
        if model_value is not None:
            found = built.genes(solver)[problem.workload.position_of]
            search.offer(found)
            if self.polish:
                improve(search, np.asarray(search.best_x), search.best_value, np.random.default_rng(seed),
                        move="segment-move", batch=32, evaluations=int(self.polish), steps_are_iterations=False)
        search.next_iteration()
        value = search.best_value
        # CP-SAT's proven bound, or where it proved less (stopped early) the problem's own lower bound:
        # both hold for every plan, so the larger does; never above the value found
        known = [b for b in (outcome.bound, problem.lower_bound) if b is not None]
        bound = min(max(known), value) if known else None
        gap = None if bound is None else max(gap_to_bound(value, bound), 0.0)
        status = "optimal" if gap is not None and gap <= OPTIMAL_GAP else "feasible"
        return search.result(status=status, bound=bound, gap=gap, model_value=model_value, model_status=model_status,
                             info={"layers": problem.n_var, "workers": int(self.workers),
                                   "wall_s_cpsat": float(solver.WallTime())})


def check_free_order_size(problem: MigrationProblem) -> None:
    """Refuse, before any work, a placement too large for `free_order_schedule`."""
    if problem.n_var > MAX_LAYERS:
        raise EosdnnError(f"--free-order: the scenario has {problem.n_var:,} layers, above CP-SAT's limit of "
                          f"{MAX_LAYERS:,}")


@attrs.frozen
class FreeOrderSchedule:
    """The best schedule of one placement when each pool may serve its layers in any order: the
    value found (`value`), a proven lower bound (`bound`), CP-SAT's status, and the evaluator's value
    in the order u (`fixed_value`)."""

    value: float | None
    bound: float
    status: str
    fixed_value: float

    @property
    def cost_of_order(self) -> float:
        """How much the order u adds to the best free order, at most: (fixed - bound) / bound."""
        return max(gap_to_bound(self.fixed_value, self.bound), 0.0)


def free_order_schedule(problem: MigrationProblem, genes: np.ndarray, time_limit: float = 60.0,
                        workers: int = 2, seed: int = 0) -> FreeOrderSchedule:
    """The placement's best free-order schedule by CP-SAT (the placement fixed, its evaluator
    schedule as the hint): what the paper's fixed order u costs this plan."""
    check_free_order_size(problem)
    started = time.perf_counter()
    genes = np.asarray(genes, dtype=np.int64)
    fixed_value = float(problem.evaluate(genes[None, :])[0])
    built = build_cpsat(problem, fixed_value * (1 + 1e-7) + 1e-9)
    w = problem.workload
    for p in range(len(built.start)):
        built.model.Add(built.x[p, int(genes[w.order[p]])] == 1)
    built.hint(w, genes)
    outcome, _ = run_cpsat(built.model, max(0.01, time_limit - (time.perf_counter() - started)), workers, seed)
    status = outcome.status if outcome.value is not None else "no solution"
    bound = outcome.bound if outcome.bound is not None else float(problem.lower_bound or 0.0)
    return FreeOrderSchedule(outcome.value, min(bound, fixed_value), status, fixed_value)
