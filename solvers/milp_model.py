"""The migration problem of MODEL.md section 3 as a mixed-integer linear programme (PuLP).

Built from the same compiled arrays the evaluator reads, in the priority order u:

- `x[p, g]`: layer at position p takes choice g (own client, an edge or a cloud server).
- transfers: `y[e, g1, g2]` linearises "source on g1 and reader on g2" for every edge with
  bytes, through marginal constraints (tight: the LP relaxation is the transportation polytope).
- `S[p]` start times; finish `F[p] = S[p] + sum_g exec * x[p, g]`; `S[p] >= F[k] + transfer`.
- pools: on a node with one pool `x` is the pool assignment; on a node with several, `z[p, n, k]`
  picks a pool, pools numbered by first use (symmetry breaking). Nodes whose pools outnumber the
  layers that may run there cannot make anyone wait and get no pool variables at all.
- fixed order (`milp`): two layers on one pool run in the order u (no disjunction binaries).
  With single-pool nodes this is exactly the evaluator's problem. On a node with several pools the
  model chooses pools freely, which can beat the evaluator's pool rule: there it is a relaxation,
  which `milp` closes with no-good cuts (docs/CHOICES.md).
- free order (`milp-free`): a binary `o[q, p]` orders each pair that may share a pool; the
  optimum is a lower bound for every priority order.

Pairs where one layer is an ancestor of the other in the same task are ordered by precedence
already and get no pool constraints. Big-M of each pair comes from time windows derived from a
known placement's objective (`TimeWindows`); pairs whose windows cannot overlap get no constraint.
"""

from __future__ import annotations

import time

import attrs
import numpy as np
import pulp

from eosdnn.problems.schedule import CompiledWorkload, pools_of, schedule


def ancestor_matrix(workload: CompiledWorkload) -> np.ndarray:
    """`A[q, p]` is True when position q is a (transitive) predecessor of position p."""
    n = workload.n_genes
    ancestors = np.zeros((n, n), dtype=bool)
    for p in range(n):  # positions are in a topological order
        for e in range(workload.pred_ptr[p], workload.pred_ptr[p + 1]):
            q = workload.pred_pos[e]
            ancestors[:, p] |= ancestors[:, q]
            ancestors[q, p] = True
    return ancestors


@attrs.define
class MilpModel:
    """A built PuLP problem and the handles needed to read a placement or load a warm start."""

    workload: CompiledWorkload
    problem: pulp.LpProblem
    x: dict[tuple[int, int], pulp.LpVariable]
    start: list[pulp.LpVariable]
    y: dict[tuple[int, int, int], pulp.LpVariable]
    edges: list[tuple[int, int, float]]  # (source position, reader position, bytes)
    completion: list[pulp.LpVariable]
    objective_variable: pulp.LpVariable | None  # the objective when it is one variable (the makespan)
    z: dict[tuple[int, int, int], pulp.LpVariable]  # (position, node, pool)
    order: dict[tuple[int, int], pulp.LpVariable]  # (q, p), q < p: 1 when q runs first
    cuts: list[np.ndarray] = attrs.field(factory=list)  # placements excluded by no-good cuts

    @property
    def n_binaries(self) -> int:
        return len(self.x) + len(self.z) + len(self.order)

    def genes(self) -> np.ndarray:
        """The placement of the solved model (gene order), by the largest x of every position."""
        w = self.workload
        genes = np.zeros(w.n_genes, dtype=np.int64)
        for p in range(w.n_genes):
            values = [self.x[p, g].varValue or 0.0 for g in range(w.n_choices)]
            genes[w.order[p]] = int(np.argmax(values))
        return genes

    @property
    def relaxes_pools(self) -> bool:
        """True when some node has several pools and contention: the model then chooses pools freely,
        which can beat the evaluator's best-fit rule, so its objective is only a lower bound."""
        return bool(self.z)

    def exclude(self, genes: np.ndarray) -> None:
        """A no-good cut: forbid exactly this placement."""
        w = self.workload
        chosen = [self.x[p, int(genes[w.order[p]])] for p in range(w.n_genes)]
        self.problem += pulp.lpSum(chosen) <= w.n_genes - 1, f"nogood_{len(self.cuts)}"
        self.cuts.append(np.array(genes, copy=True))

    def set_initial(self, genes: np.ndarray) -> None:
        """Load a full, consistent MILP solution for `genes`, from the evaluator's own schedule."""
        w = self.workload
        s = schedule(w, genes)
        by_pos = w.order
        start = s.start[by_pos]
        node = s.node[by_pos]
        choice = np.asarray(genes)[by_pos]
        for (p, g), var in self.x.items():
            var.setInitialValue(1.0 if choice[p] == g else 0.0)
        for p, var in enumerate(self.start):
            var.setInitialValue(float(start[p]))
        for (e, g1, g2), var in self.y.items():
            q, p, _ = self.edges[e]
            var.setInitialValue(1.0 if (choice[q] == g1 and choice[p] == g2) else 0.0)
        for t, var in enumerate(self.completion):
            var.setInitialValue(float(s.completion[t]))
        if self.objective_variable is not None:
            self.objective_variable.setInitialValue(float(w.objective.value(s.measures)[0]))
        pool = best_fit_pools(w, node, s.ready[by_pos])
        for (p, n, k), var in self.z.items():
            var.setInitialValue(1.0 if (node[p] == n and pool[p] == k) else 0.0)
        for (q, p), var in self.order.items():
            var.setInitialValue(1.0 if start[q] <= start[p] else 0.0)


def best_fit_pools(w: CompiledWorkload, node: np.ndarray, ready: np.ndarray) -> np.ndarray:
    """Pool of every position as the evaluator picks it (`problems.schedule.pools_of`, the one pool
    rule), relabelled by first use on each node."""
    pools = pools_of(w, node, ready)
    labels: dict[int, dict[int, int]] = {}
    for p in range(w.n_genes):
        names = labels.setdefault(int(node[p]), {})
        pools[p] = names.setdefault(int(pools[p]), len(names))
    return pools


@attrs.frozen
class TimeWindows:
    """Bounds on every start and finish time of any plan whose objective is at most `upper`.

    `earliest[p]`: the longest chain of fastest executions before p (transfers and waits >= 0).
    `latest_finish[p]`: its task's latest completion minus the fastest chain after p; a task's
    completion is at most `upper` minus the other tasks' least completions (objective total) or at
    most `upper` (makespan); an objective that does not limit completions gets the serial horizon
    (`serial_horizon`). They tighten the big-M of each pair and drop pairs that cannot overlap.
    """

    earliest: np.ndarray
    latest_finish: np.ndarray
    latest_completion: np.ndarray


def time_windows(w: CompiledWorkload, upper: float) -> TimeWindows:
    node_of = w.choice_node[w.task_of]
    fastest = np.take_along_axis(w.exec_s, node_of, axis=1).min(axis=1)
    P = w.n_genes
    earliest = np.zeros(P)
    successors: list[list[int]] = [[] for _ in range(P)]
    for p in range(P):
        for e in range(w.pred_ptr[p], w.pred_ptr[p + 1]):
            q = int(w.pred_pos[e])
            earliest[p] = max(earliest[p], earliest[q] + fastest[q])
            successors[q].append(p)
    tail = np.zeros(P)
    for p in range(P - 1, -1, -1):
        for s in successors[p]:
            tail[p] = max(tail[p], fastest[s] + tail[s])
    least = np.array([earliest[w.last_pos[t]] + fastest[w.last_pos[t]] for t in range(w.n_tasks)])
    latest_completion = w.objective.latest_completions(finite_upper(w, upper), least)
    if latest_completion is None:
        latest_completion = np.full(w.n_tasks, serial_horizon(w))
    latest_finish = latest_completion[w.task_of] - tail
    return TimeWindows(earliest, latest_finish, latest_completion)


def serial_horizon(w: CompiledWorkload) -> float:
    """A time by which every task of any placement completes in the evaluator's schedule: each
    layer starts no later than the previous position's finish plus its slowest input transfer
    (pools free up by then), so finishes grow by at most the slowest execution and transfer of
    each position in turn; the slowest result return comes last."""
    node_of = w.choice_node[w.task_of]
    spb = w.seconds_per_byte
    slowest_exec = np.take_along_axis(w.exec_s, node_of, axis=1).max(axis=1)
    horizon = 0.0
    for p in range(w.n_genes):
        nodes = node_of[p]
        worst = 0.0
        if w.input_bytes[p] >= 0:
            worst = float(w.input_bytes[p] * spb[w.client_of[w.task_of[p]], nodes].max())
        for e in range(w.pred_ptr[p], w.pred_ptr[p + 1]):
            sources = node_of[int(w.pred_pos[e])]
            worst = max(worst, float(w.pred_bytes[e] * spb[np.ix_(sources, nodes)].max()))
        horizon += slowest_exec[p] + worst
    back = max(float(w.result_bytes[t] * spb[node_of[w.last_pos[t]], w.client_of[t]].max()) for t in range(w.n_tasks))
    return horizon + back


def finite_upper(w: CompiledWorkload, upper: float) -> float:
    """`upper` (an incumbent's value), or where the incumbent breaks a limit of the scenario (its value
    is then no bound on the optimum: `problems.constraints`) every task's serial horizon added up,
    at least the sum and the largest of any plan's completion times."""
    from eosdnn.problems.constraints import INFEASIBLE
    return upper if upper < INFEASIBLE else float(w.n_tasks * serial_horizon(w))


@attrs.frozen
class NodeContention:
    """One node where layers may have to wait: who may run there and which pairs may collide."""

    node: int
    candidates: np.ndarray  # positions that may run on the node, in the order u
    pools: int  # pools that matter (at most one per candidate)
    pairs: np.ndarray  # (k, 2) positions q < p, not ancestor-related, whose windows may overlap


@attrs.frozen
class Contention:
    """Everything `build_milp` needs beyond the workload, and the model's size before it is built."""

    free_order: bool
    upper: float
    windows: TimeWindows
    nodes: tuple[NodeContention, ...]
    n_assignment: int  # the x binaries

    @property
    def binaries(self) -> int:
        pools = sum(len(c.candidates) * c.pools for c in self.nodes if c.pools > 1)
        ordered = len({(int(q), int(p)) for c in self.nodes for q, p in c.pairs}) if self.free_order else 0
        return self.n_assignment + pools + ordered

    @property
    def sequencing(self) -> int:
        """Pairwise no-overlap constraints (one per pair and pool; two with a free order)."""
        return sum(len(c.pairs) * c.pools for c in self.nodes) * (2 if self.free_order else 1)


def contention(w: CompiledWorkload, *, free_order: bool, upper: float) -> Contention:
    """The nodes that need pool constraints and their pairs, found with arrays. Pairs where one layer
    is an ancestor of the other are ordered by precedence; pairs whose windows cannot overlap (in
    the order u, or either way with a free order) never collide; a node with a pool per candidate
    never makes anyone wait."""
    node_of = w.choice_node[w.task_of]
    windows = time_windows(w, upper)
    ancestors = ancestor_matrix(w)
    reach = windows.latest_finish[:, None] - windows.earliest[None, :] > 0  # [q, p]: q may end after p starts
    unordered = np.triu(~ancestors & ~ancestors.T, k=1)
    nodes = []
    for n in range(w.pool_ptr.size - 1):
        candidate = (node_of == n).any(axis=1)
        count = int(candidate.sum())
        pools = min(int(w.pool_ptr[n + 1] - w.pool_ptr[n]), count)
        if pools >= count:
            continue
        pairs = np.argwhere(unordered & candidate[:, None] & candidate[None, :] & (reach | (free_order & reach.T)))
        if len(pairs):
            nodes.append(NodeContention(n, np.flatnonzero(candidate), pools, pairs))
    return Contention(free_order, upper, windows, tuple(nodes), int(node_of.size))


class BuildTimeout(Exception):
    """Building the model took longer than the time limit allows."""


def deadline_check(deadline: float | None):
    """A function that raises BuildTimeout once `deadline` (perf_counter seconds) has passed."""
    def check() -> None:
        if deadline is not None and time.perf_counter() > deadline:
            raise BuildTimeout
    return check


def build_milp(workload: CompiledWorkload, plan: Contention, deadline: float | None = None) -> MilpModel:
    """The MILP of `workload`; `plan.upper` bounds the objective (an incumbent's value). Raises
    BuildTimeout when building passes `deadline`, so a time limit also covers the build."""
    check = deadline_check(deadline)
    w = workload
    upper, windows = plan.upper, plan.windows
    P, G = w.n_genes, w.n_choices
    spb = w.seconds_per_byte
    lp = pulp.LpProblem("eosdnn_migration", pulp.LpMinimize)
    node_of = w.choice_node[w.task_of]  # (positions, choices) -> node
    x = {(p, g): lp.add_variable(f"x_{p}_{g}", cat=pulp.LpBinary) for p in range(P) for g in range(G)}
    start = [lp.add_variable(f"S_{p}", lowBound=float(windows.earliest[p]), upBound=float(windows.latest_finish[p]))
             for p in range(P)]
    execution = [pulp.lpSum(float(w.exec_s[p, node_of[p, g]]) * x[p, g] for g in range(G)) for p in range(P)]
    finish = [start[p] + execution[p] for p in range(P)]
    for p in range(P):
        check()
        lp += pulp.lpSum(x[p, g] for g in range(G)) == 1, f"assign_{p}"
        lp += finish[p] <= float(windows.latest_finish[p]), f"horizon_{p}"
        client = w.client_of[w.task_of[p]]
        if w.input_bytes[p] >= 0:
            lp += start[p] >= pulp.lpSum(float(w.input_bytes[p] * spb[client, node_of[p, g]]) * x[p, g]
                                         for g in range(G)), f"input_{p}"

    y: dict[tuple[int, int, int], pulp.LpVariable] = {}
    edges: list[tuple[int, int, float]] = []
    for p in range(P):
        check()
        for e in range(w.pred_ptr[p], w.pred_ptr[p + 1]):
            q, size = int(w.pred_pos[e]), float(w.pred_bytes[e])
            if size <= 0:
                lp += start[p] >= finish[q], f"prec_{q}_{p}"
                continue
            index = len(edges)
            edges.append((q, p, size))
            for g1 in range(G):
                for g2 in range(G):
                    y[index, g1, g2] = lp.add_variable(f"y_{index}_{g1}_{g2}", lowBound=0.0)
            for g1 in range(G):
                lp += pulp.lpSum(y[index, g1, g2] for g2 in range(G)) == x[q, g1], f"ysrc_{index}_{g1}"
            for g2 in range(G):
                lp += pulp.lpSum(y[index, g1, g2] for g1 in range(G)) == x[p, g2], f"ydst_{index}_{g2}"
            transfer = pulp.lpSum(size * float(spb[node_of[q, g1], node_of[p, g2]]) * y[index, g1, g2]
                                  for g1 in range(G) for g2 in range(G)
                                  if spb[node_of[q, g1], node_of[p, g2]] > 0)
            lp += start[p] >= finish[q] + transfer, f"prec_{q}_{p}"

    completion = []
    for t in range(w.n_tasks):
        last, client = int(w.last_pos[t]), int(w.client_of[t])
        back = pulp.lpSum(float(w.result_bytes[t] * spb[node_of[last, g], client]) * x[last, g] for g in range(G))
        c = lp.add_variable(f"C_{t}", lowBound=0.0, upBound=float(windows.latest_completion[t]))
        lp += c >= finish[last] + back, f"completion_{t}"
        completion.append(c)

    z, order = _pool_constraints(lp, plan, x, start, finish, node_of, check)

    goal = w.objective.exact(PulpForm(w, node_of, lp, x, y, edges, completion), finite_upper(w, upper))
    lp += goal
    objective_variable = goal if isinstance(goal, pulp.LpVariable) else None
    return MilpModel(w, lp, x, start, y, edges, completion, objective_variable, z, order)


@attrs.frozen
class PulpForm:
    """The MILP's measures for objectives (`problems.objectives.ExactForm`): completion variables,
    and busy seconds and bytes sent as linear expressions of the placement and transfer variables."""

    workload: CompiledWorkload
    node_of: np.ndarray  # (positions, choices) -> node, as build_milp computed it
    lp: pulp.LpProblem
    x: dict[tuple[int, int], pulp.LpVariable]
    y: dict[tuple[int, int, int], pulp.LpVariable]
    edges: list[tuple[int, int, float]]
    completion: list[pulp.LpVariable]

    @property
    def environment(self):
        return self.workload.scenario.environment

    @property
    def task_clients(self) -> list[int]:
        return [int(c) for c in self.workload.client_of]

    def busy(self, node: int) -> pulp.LpAffineExpression:
        w = self.workload
        positions, choices = np.nonzero(self.node_of == node)
        return pulp.lpSum(float(w.exec_s[p, node]) * self.x[p, g] for p, g in zip(positions.tolist(), choices.tolist()))

    def bytes_sent(self, source: int, target: int) -> pulp.LpAffineExpression:
        w, node_of = self.workload, self.node_of

        def choices(position: int, node: int) -> list[int]:
            return np.flatnonzero(node_of[position] == node).tolist()

        terms = []
        if source != target:
            for p in np.flatnonzero(w.input_bytes >= 0).tolist():
                if w.client_of[w.task_of[p]] == source:
                    terms += [float(w.input_bytes[p]) * self.x[p, g] for g in choices(p, target)]
            for index, (q, p, size) in enumerate(self.edges):
                terms += [size * self.y[index, g1, g2] for g1 in choices(q, source) for g2 in choices(p, target)]
            for t in range(w.n_tasks):
                last = int(w.last_pos[t])
                if w.client_of[t] == target:
                    terms += [float(w.result_bytes[t]) * self.x[last, g] for g in choices(last, source)]
        return pulp.lpSum(terms)

    def variable(self, name: str, low: float, high: float) -> pulp.LpVariable:
        return self.lp.add_variable(name, lowBound=low, upBound=high)

    def require(self, constraint, name: str) -> None:
        self.lp.addConstraint(constraint, name)

    def sum(self, terms) -> pulp.LpAffineExpression:
        return pulp.lpSum(terms)


def _pool_constraints(lp, plan: Contention, x, start, finish, node_of, check):
    """Pool variables and the no-overlap constraints of every node that can have contention."""
    free_order, windows = plan.free_order, plan.windows

    def big_m(q: int, p: int) -> float:
        """Largest possible `finish[q] - start[p]`: <= 0 means p can never start before q ends."""
        return float(windows.latest_finish[q] - windows.earliest[p])

    z: dict[tuple[int, int, int], pulp.LpVariable] = {}
    order: dict[tuple[int, int], pulp.LpVariable] = {}
    for node in plan.nodes:
        n, pools = node.node, node.pools
        candidates = [(int(p), int(np.flatnonzero(node_of[p] == n)[0])) for p in node.candidates]
        if pools == 1:
            use = {(p, 0): x[p, g] for p, g in candidates}
        else:
            use = {}
            for i, (p, g) in enumerate(candidates):
                for k in range(pools):
                    var = lp.add_variable(f"z_{p}_{n}_{k}", cat=pulp.LpBinary)
                    z[p, n, k] = var
                    use[p, k] = var
                lp += pulp.lpSum(use[p, k] for k in range(pools)) == x[p, g], f"pool_{p}_{n}"
                for k in range(1, pools):  # pool k is opened only after pool k-1 (first use, by position)
                    earlier = [use[q, k - 1] for q, _ in candidates[:i]]
                    lp += use[p, k] <= pulp.lpSum(earlier), f"poolorder_{p}_{n}_{k}"
        for index, (q, p) in enumerate(node.pairs.tolist()):  # q before p in the order u
            if index % 256 == 0:
                check()
            if free_order:
                key = (q, p)
                if key not in order:
                    order[key] = lp.add_variable(f"o_{q}_{p}", cat=pulp.LpBinary)
                first = order[key]
            m_qp, m_pq = big_m(q, p), big_m(p, q)
            for k in range(pools):
                both = use[q, k] + use[p, k]
                if free_order:
                    if m_qp > 0:
                        lp += start[p] >= finish[q] - m_qp * (3 - both - first), f"seq_{q}_{p}_{n}_{k}"
                    else:
                        lp += first >= both - 1, f"seqf_{q}_{p}_{n}_{k}"  # p can only follow q
                    if m_pq > 0:
                        lp += start[q] >= finish[p] - m_pq * (2 - both + first), f"seqr_{q}_{p}_{n}_{k}"
                    else:
                        lp += first <= 2 - both, f"seqrf_{q}_{p}_{n}_{k}"  # q can only follow p
                else:
                    lp += start[p] >= finish[q] - m_qp * (2 - both), f"seq_{q}_{p}_{n}_{k}"
    return z, order
