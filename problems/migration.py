"""The migration problem: one gene per layer of every task, scored by the evaluator."""

from __future__ import annotations

import functools

import numpy as np

from eosdnn.framework.problem import Problem
from eosdnn.problems.bounds import BoundInputs, bound_parts, gap_to_bound
from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.plan_report import PlanReport, plan_report
from eosdnn.problems.scenario import Scenario
from eosdnn.problems.schedule import Anchor, CompiledWorkload, anchor, compile_workload, evaluate, evaluate_near, schedule

MAX_ANCHOR_STATES = 20_000_000  # positions x pool slots kept to re-score neighbours; above it, score them in full


# the trivial reference plans, by name: every layer on its client, or on the fastest server of a tier
TIER_PLANS = {"all-local": "client", "all-edge": "edge", "all-cloud": "cloud"}


class MigrationProblem(Problem):
    """Place every layer of every task (MODEL.md section 3); minimise the scenario's objective."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.workload: CompiledWorkload = compile_workload(scenario)
        self.n_var = self.workload.n_genes
        self.lower = np.zeros(self.n_var, dtype=np.int64)
        self.upper = np.full(self.n_var, self.workload.n_choices - 1, dtype=np.int64)
        self._anchor: Anchor | None = None

    @functools.cached_property
    def _bound_inputs(self) -> BoundInputs:
        return BoundInputs(self.workload)

    @functools.cached_property
    def lower_bound(self) -> float | None:
        """A valid lower bound on the optimum (problems/bounds.py, problems/contention.py), computed
        once; None when the objective knows none."""
        return self.workload.objective.lower_bound(self._bound_inputs)

    @functools.cached_property
    def bounds(self) -> dict[str, float]:
        """The bounds the lower bound is the largest of, by name (e.g. contention-free, edge
        capacity), for reports."""
        return bound_parts(self.workload.objective, self._bound_inputs)

    def gap_to_bound(self, value: float) -> float | None:
        """(value - lower bound) / lower bound (problems/bounds.py), None without a bound."""
        return gap_to_bound(value, self.lower_bound)

    def evaluate(self, X: np.ndarray) -> np.ndarray:
        return evaluate(self.workload, X).value

    def evaluate_near(self, base: np.ndarray, X: np.ndarray) -> np.ndarray:
        """Neighbours of `base` re-scored from their first changed position in the order u (the same
        values as `evaluate`); the schedule of the last base is kept."""
        w = self.workload
        if (w.n_genes + 1) * w.n_slots > MAX_ANCHOR_STATES:
            return self.evaluate(X)
        if self._anchor is None or not np.array_equal(self._anchor.genes, base):
            self._anchor = anchor(w, base)
        return evaluate_near(w, self._anchor, X)

    def report(self, x: np.ndarray) -> PlanReport:
        """The plan's report (problems/plan_report.py): value, total, makespan, T1/T2/T3, per task."""
        return plan_report(self, x)

    @property
    def blocks(self) -> list[tuple[int, int]]:
        """One block per task: its layers' genes in model order."""
        return [(self.task_genes(t).start, self.task_genes(t).stop) for t in range(len(self.scenario.tasks))]

    def task_genes(self, t: int) -> slice:
        start = int(self.workload.gene_offset[t])
        return slice(start, start + self.scenario.tasks[t].model.n_layers)

    def nodes_of(self, genes: np.ndarray) -> list[list[int]]:
        """Node index of every layer, per task."""
        genes = np.asarray(genes)
        return [
            [int(self.workload.choice_node[t, g]) for g in genes[self.task_genes(t)]]
            for t in range(len(self.scenario.tasks))
        ]

    def named_plan(self, name: str) -> np.ndarray:
        """The reference plan `name` of TIER_PLANS (all-local, all-edge, all-cloud)."""
        return self.tier_plan(TIER_PLANS[name])

    def tier_plan(self, tier: str) -> np.ndarray:
        """Every layer on the owner client, or on the fastest node of one server tier."""
        env = self.scenario.environment
        if tier == "client":
            return np.zeros(self.n_var, dtype=np.int64)
        candidates = [i for i, node in enumerate(env.nodes) if node.tier == tier]
        if not candidates:
            raise EosdnnError(f"plan all-{tier}: the environment has no {tier} server")
        fastest = max(candidates, key=lambda i: env.nodes[i].ghz)
        return np.full(self.n_var, fastest - env.n_clients + 1, dtype=np.int64)  # gene of a server node
