"""A plain-Python reading of MODEL.md section 3, kept apart from the compiled evaluator.

Slow on purpose: it works on the scenario's objects directly (no compiled arrays), so the
tests can compare the fast path against an independent implementation.
"""

from __future__ import annotations

import math

import attrs

from eosdnn.problems.scenario import Scenario


@attrs.frozen
class ReferenceResult:
    total: float
    makespan: float
    exec: float
    transfer: float
    wait: float
    completion: list[float]
    start: dict[tuple[int, int], float]  # (task, layer) -> start time
    finish: dict[tuple[int, int], float]
    busy: dict[int, float]  # node -> seconds it executes
    bytes_sent: dict[tuple[int, int], float]  # (from node, to node), distinct nodes -> bytes


def reference_schedule(scenario: Scenario, nodes: list[list[int]]) -> ReferenceResult:
    """Schedule a placement given as node indices per task and layer."""
    env = scenario.environment
    mb = 2**20

    def transfer_seconds(size: float, a: int, b: int) -> float:
        if a == b:
            return 0.0
        bandwidth = env.bandwidth.between(env.nodes[a].tier, env.nodes[b].tier)
        if bandwidth == 0:
            raise ValueError(f"nodes {a} and {b} are not connected")
        return size / (bandwidth * mb)

    layers = []
    for t, task in enumerate(scenario.tasks):
        depths = task.model.depths()
        for i in range(task.model.n_layers):
            key = (depths[i], t, i) if scenario.priority == "depth" else (t, i)
            layers.append((key, t, i))
    layers.sort()
    pools = {n: [0.0] * node.pools for n, node in enumerate(env.nodes)}
    finish: dict[tuple[int, int], float] = {}
    start: dict[tuple[int, int], float] = {}
    sums = {"exec": 0.0, "transfer": 0.0, "wait": 0.0}
    busy: dict[int, float] = {}
    sent: dict[tuple[int, int], float] = {}

    def send(size: float, a: int, b: int) -> None:
        if a != b:
            sent[(a, b)] = sent.get((a, b), 0.0) + size
    for _, t, i in layers:
        task = scenario.tasks[t]
        layer = task.model.layers[i]
        here = nodes[t][i]
        arrivals = []
        if not layer.inputs:
            arrivals.append((0.0, transfer_seconds(task.model.input_bytes, task.client, here)))
            send(task.model.input_bytes, task.client, here)
        for name in dict.fromkeys(layer.inputs):
            j = task.model.index()[name]
            arrivals.append((finish[(t, j)], transfer_seconds(task.model.layers[j].out_bytes, nodes[t][j], here)))
            send(task.model.layers[j].out_bytes, nodes[t][j], here)
        ready = max(f + x for f, x in arrivals)
        free_now = [k for k, f in enumerate(pools[here]) if f <= ready]
        if free_now:
            pool = max(free_now, key=lambda k: pools[here][k])
        else:
            pool = min(range(len(pools[here])), key=lambda k: pools[here][k])
        begin = max(ready, pools[here][pool])
        duration = (layer.flops / env.flops_per_cycle) / (env.nodes[here].ghz * 1e9)
        pools[here][pool] = begin + duration
        start[(t, i)] = begin
        finish[(t, i)] = begin + duration
        busy[here] = busy.get(here, 0.0) + duration
        sums["exec"] += duration
        sums["transfer"] += max(x for _, x in arrivals)
        sums["wait"] += begin - ready
    completion = []
    for t, task in enumerate(scenario.tasks):
        last = task.model.output
        back = transfer_seconds(task.model.layers[last].out_bytes, nodes[t][last], task.client)
        sums["transfer"] += back
        send(task.model.layers[last].out_bytes, nodes[t][last], task.client)
        completion.append(finish[(t, last)] + back)
    return ReferenceResult(
        total=math.fsum(completion),
        makespan=max(completion),
        exec=sums["exec"],
        transfer=sums["transfer"],
        wait=sums["wait"],
        completion=completion,
        start=start,
        finish=finish,
        busy=busy,
        bytes_sent=sent,
    )
