"""The uploading problem of MODEL.md section 6: one task, its placement fixed, weights uploaded in
partitions while queries already run on what has arrived.

Upload units: every off-client layer is a unit, except that the off-client layers of one module
(an inception module or residual block, from the `module` tags) form one unit, as the paper uploads
an inception module as one layer (its layers may sit on several servers; each uploads over its own link). Units are kept in model order. A unit's upload time is its
weight bytes over the client's link to its node; size-0 units upload in zero time.

`SD(active)` is the delay of one query alone: active units run on their planned nodes, every other
layer on the client, ample pools on every node (the section 3 evaluator with one task).
"""

from __future__ import annotations

import attrs
import numpy as np

from eosdnn.problems.environment import MB, Environment, Node
from eosdnn.framework.errors import EosdnnError
from eosdnn.problems.models import DnnModel, Layer
from eosdnn.problems.scenario import Scenario, Task
from eosdnn.problems.schedule import compile_workload, evaluate


@attrs.frozen
class UploadUnit:
    """Layers that are uploaded together at the finest grain (one layer, or one module's layers)."""

    name: str
    layers: tuple[int, ...]
    nodes: tuple[int, ...]  # the planned nodes of its layers
    seconds: float  # upload time: each layer's weights over the client's link to its node
    weight_bytes: float

    @property
    def weighted(self) -> bool:
        return self.weight_bytes > 0


def unit_key(layer: Layer) -> str:
    """The upload unit a layer belongs to (MODEL.md section 6): its module, or the layer itself."""
    return f"module:{layer.module}" if layer.module else f"layer:{layer.name}"


def ample_environment(env: Environment, pools: int) -> Environment:
    """The same nodes and links with `pools` pools everywhere: one query alone never waits."""
    nodes = [attrs.evolve(node, pools=pools) for node in env.nodes]
    return attrs.evolve(env, nodes=nodes)


class UploadProblem:
    """One task's upload units, upload times and a vectorised `SD` over sets of active units."""

    def __init__(self, scenario: Scenario, task_index: int, nodes: list[int]) -> None:
        task = scenario.tasks[task_index]
        model: DnnModel = task.model
        if len(nodes) != model.n_layers:
            raise EosdnnError(f"placement of task {task_index}: {len(nodes)} nodes for {model.n_layers} layers")
        env = scenario.environment
        allowed = env.allowed_nodes(task.client)
        for layer, node in zip(model.layers, nodes):
            if node not in allowed:
                raise EosdnnError(f"placement of task {task_index}: layer {layer.name!r} on a node the task may not use")
        self.scenario = scenario
        self.task_index = task_index
        self.model = model
        self.client = task.client
        self.nodes = list(nodes)
        self.input_mb = model.input_bytes / MB
        single = Scenario(ample_environment(env, model.n_layers), [Task(model, task.client)], name="upload")
        self._workload = compile_workload(single)
        self._planned_gene = np.array([allowed.index(n) for n in nodes], dtype=np.int64)
        self.units = self._units(env)
        self._unit_of_layer = np.full(model.n_layers, -1, dtype=np.int64)
        for u, unit in enumerate(self.units):
            self._unit_of_layer[list(unit.layers)] = u
        self._cache: dict[int, float] = {}

    def _units(self, env: Environment) -> list[UploadUnit]:
        spb = env.seconds_per_byte()
        groups: dict[str, list[int]] = {}
        for i, (layer, node) in enumerate(zip(self.model.layers, self.nodes)):
            if node != self.client:
                groups.setdefault(unit_key(layer), []).append(i)
        units = []
        for key, layers in sorted(groups.items(), key=lambda item: item[1][0]):
            weight = sum(self.model.layers[i].weight_bytes for i in layers)
            seconds = sum(self.model.layers[i].weight_bytes * float(spb[self.client, self.nodes[i]]) for i in layers)
            name = key.split(":", 1)[1]
            units.append(UploadUnit(name, tuple(layers), tuple(sorted({self.nodes[i] for i in layers})), seconds, weight))
        return units

    @property
    def n_units(self) -> int:
        return len(self.units)

    @property
    def seconds(self) -> np.ndarray:
        return np.array([unit.seconds for unit in self.units])

    @property
    def total_seconds(self) -> float:
        return float(sum(unit.seconds for unit in self.units))

    def layer_times(self) -> dict[str, np.ndarray]:
        """The paper's per-layer terms (Fig. 6, eqs. 18-25), in seconds, for every layer:
        `A` on the client, `C` on its planned node, `B_in` its inputs sent from the client to that node
        (the model input for a first layer), `B_out` its output sent from that node to the client, `O`
        its inputs sent from their layers' planned nodes to its node (0 on the same node)."""
        env = self.scenario.environment
        spb, hz = env.seconds_per_byte(), env.hz()
        flops = np.array([layer.flops / env.flops_per_cycle for layer in self.model.layers])
        nodes = np.array(self.nodes)
        times = {"A": flops / hz[self.client], "C": flops / hz[nodes]}
        b_in, o = np.zeros(self.model.n_layers), np.zeros(self.model.n_layers)
        for i, preds in enumerate(self.model.predecessors()):
            sources = [(self.model.input_bytes, self.client)] if not preds else \
                [(self.model.layers[p].out_bytes, self.nodes[p]) for p in preds]
            b_in[i] = max(size * spb[self.client, nodes[i]] for size, _ in sources)
            o[i] = max(size * spb[node, nodes[i]] for size, node in sources)
        out_bytes = np.array([layer.out_bytes for layer in self.model.layers])
        times |= {"B_in": b_in, "B_out": out_bytes * spb[nodes, self.client], "O": o}
        return times

    def segments(self) -> list[list[int]]:
        """Runs of units with no client layer between them: the units that are adjacent."""
        on_client = [node == self.client for node in self.nodes]
        segments: list[list[int]] = []
        for u, unit in enumerate(self.units):
            if segments:
                previous = self.units[segments[-1][-1]]
                if not any(on_client[max(previous.layers) + 1:min(unit.layers)]):
                    segments[-1].append(u)
                    continue
            segments.append([u])
        return segments

    def mask(self, units) -> int:
        bits = 0
        for u in units:
            bits |= 1 << int(u)
        return bits

    @property
    def sd_evaluations(self) -> int:
        """How many distinct sets of active units have been scored so far (SD is cached by set)."""
        return len(self._cache)

    def sd_many(self, active: np.ndarray) -> np.ndarray:
        """SD of every row of a boolean matrix (sets, n_units)."""
        active = np.asarray(active, dtype=bool)
        if active.ndim != 2:  # one set, or a flat list of sets (n_units may be 0: all on the client)
            active = active.reshape(1, -1) if self.n_units == 0 else active.reshape(-1, self.n_units)
        layer_active = np.zeros((active.shape[0], self.model.n_layers), dtype=bool)
        on_unit = self._unit_of_layer >= 0
        layer_active[:, on_unit] = active[:, self._unit_of_layer[on_unit]]
        genes = np.where(layer_active, self._planned_gene[None, :], 0)
        return evaluate(self._workload, genes).value

    def sd(self, units) -> float:
        """SD with exactly these units active (cached by set)."""
        return float(self.sd_of_masks([self.mask(units)])[0])

    def sd_of_masks(self, masks: list[int]) -> np.ndarray:
        """SD of many sets given as bit masks, evaluated together and cached."""
        missing = [m for m in dict.fromkeys(masks) if m not in self._cache]
        if missing:
            rows = np.array([[(m >> k) & 1 for k in range(self.n_units)] for m in missing], dtype=bool)
            for m, value in zip(missing, self.sd_many(rows)):
                self._cache[m] = float(value)
        return np.array([self._cache[m] for m in masks])

    def lda(self, active, units) -> float:
        """SD gained by making `units` active on top of `active`."""
        return self.sd(active) - self.sd(set(active) | set(units))

    def elda(self, active, units) -> float:
        """ELDA (eq. 17): LDA per upload second per MB of the task's input; +-inf for zero upload time."""
        gain = self.lda(active, units)
        seconds = sum(self.units[u].seconds for u in units)
        if seconds <= 0:
            return np.inf if gain > 0 else -np.inf
        return gain / seconds / self.input_mb


@attrs.frozen
class Step:
    """One partition of a plan: its units, upload interval and the SD once it is active."""

    units: tuple[int, ...]
    start: float
    end: float
    sd_after: float


@attrs.frozen
class UploadPlan:
    """Partitions in upload order, the SD timeline and its area (SSD)."""

    planner: str
    sd_initial: float
    steps: tuple[Step, ...]
    horizon: float
    ssd: float

    @property
    def sd_final(self) -> float:
        return self.steps[-1].sd_after if self.steps else self.sd_initial

    @property
    def upload_seconds(self) -> float:
        return self.steps[-1].end if self.steps else 0.0

    def timeline(self) -> tuple[np.ndarray, np.ndarray]:
        """Times and SD values of the step function (SD holds from each time to the next)."""
        times = [0.0] + [step.end for step in self.steps] + [self.horizon]
        values = [self.sd_initial] + [step.sd_after for step in self.steps] + [self.sd_final]
        return np.array(times), np.array(values)


def ssd_of(durations: list[float], sd_before: list[float], sd_final: float, horizon: float) -> float:
    """Area under the SD step function: each SD holds while the next partition uploads; the final SD
    holds from the end of the upload to the horizon (the paper's worked example gives 2359)."""
    total = float(sum(durations))
    if horizon < total - 1e-12:
        raise EosdnnError(f"horizon: {horizon:g} s is shorter than the total upload time {total:.4g} s")
    return float(sum(d * sd for d, sd in zip(durations, sd_before)) + sd_final * (horizon - total))


def make_plan(problem: UploadProblem, planner: str, partitions: list[list[int]], horizon: float | None = None) -> UploadPlan:
    """Time a list of partitions; every unit must appear exactly once."""
    flat = [u for part in partitions for u in part]
    if sorted(flat) != list(range(problem.n_units)):
        raise EosdnnError(f"{planner}: the partitions must hold every off-client unit exactly once")
    partitions = [list(part) for part in partitions if part]
    masks, active = [], 0
    for part in partitions:
        active |= problem.mask(part)
        masks.append(active)
    sds = problem.sd_of_masks([0] + masks)
    steps, clock = [], 0.0
    for part, sd_after in zip(partitions, sds[1:]):
        duration = float(sum(problem.units[u].seconds for u in part))
        steps.append(Step(tuple(part), clock, clock + duration, float(sd_after)))
        clock += duration
    horizon = clock if horizon is None else float(horizon)
    durations = [s.end - s.start for s in steps]
    ssd = ssd_of(durations, [float(sds[0])] + [s.sd_after for s in steps[:-1]], float(sds[-1]), horizon)
    return UploadPlan(planner, float(sds[0]), tuple(steps), horizon, ssd)


def step_area(times: np.ndarray, values: np.ndarray, start: float, end: float) -> float:
    """Area under a step function between `start` and `end`: values[k] holds from times[k] to
    times[k + 1], and the last value holds on after the last time."""
    edges = np.append(np.asarray(times, dtype=float), np.inf)
    overlap = np.clip(np.minimum(edges[1:], end) - np.maximum(edges[:-1], start), 0.0, None)
    return float(np.sum(overlap[:len(values)] * np.asarray(values, dtype=float)))


def interval_area(timeline: tuple[np.ndarray, np.ndarray], intervals: list[tuple[float, float]]) -> float:
    """Area under a timeline's SD over the given time intervals."""
    return sum(step_area(*timeline, a, b) for a, b in intervals)


def interval_saving(plan: tuple[np.ndarray, np.ndarray], reference: tuple[np.ndarray, np.ndarray],
                    intervals: list[tuple[float, float]]) -> float:
    """The paper's within-interval metric (Fig. 13(b): LMU 13.41% below IONN in 234.47-572.12 ms and
    17380.56-23782.12 ms): 1 - (area of `plan` over the intervals) / (area of `reference` over them).
    Timelines are (times, values) as `UploadPlan.timeline` gives them."""
    ours, theirs = interval_area(plan, intervals), interval_area(reference, intervals)
    return 0.0 if theirs <= 0 else 1.0 - ours / theirs


def largest_share(problem: UploadProblem, plan: UploadPlan) -> float:
    """The largest partition's weights as a share of the whole model's weights (the paper's Fig. 12)."""
    total = problem.model.total_weight_bytes
    if total <= 0 or not plan.steps:
        return 0.0
    return max(sum(problem.units[u].weight_bytes for u in step.units) for step in plan.steps) / total


def ssd_saving(plan: UploadPlan, rival: UploadPlan) -> float:
    """How much less SSD `plan` has than `rival`, as a share of the rival's (0 when the rival's is 0):
    the paper's "LMU improves X by 45.16%"."""
    return (rival.ssd - plan.ssd) / rival.ssd if rival.ssd > 0 else 0.0
