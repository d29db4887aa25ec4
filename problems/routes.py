"""A library of placements for one task: its contention-free least paths over a few small node
sets (the client alone; the client and one server; the client, one edge and one cloud server), and
over all its nodes. With other tasks in the way, the least path over every node is rarely the best
one (every task wants the same fastest servers); the restricted ones spread tasks over servers, and
a task's best reply to the others is often among them (`solvers/best_response.py`).

The paths come from the contention-free programme of `problems/bounds.py` (exact for chains and for
modules whose branches are chains), run once per node-set size on a batch of restricted tables.
"""

from __future__ import annotations

import itertools

import numpy as np

from eosdnn.problems.bounds import least_paths, task_tables
from eosdnn.problems.schedule import CompiledWorkload

FASTEST_PER_TIER = 8  # servers of each tier paired into (edge, cloud) sets: the fastest ones


def node_sets(workload: CompiledWorkload, t: int) -> list[tuple[int, ...]]:
    """The choice sets (gene values; 0 the client) whose least paths form the library: every
    choice, the client alone, the client with each server, and the client with each pair of one
    edge and one cloud server among the `FASTEST_PER_TIER` fastest of each tier."""
    env = workload.scenario.environment
    nodes = workload.choice_node[t]
    servers = range(1, len(nodes))

    def fastest(tier: str) -> list[int]:
        chosen = [c for c in servers if env.nodes[nodes[c]].tier == tier]
        return sorted(chosen, key=lambda c: -env.nodes[nodes[c]].ghz)[:FASTEST_PER_TIER]

    pairs = [(0, e, c) for e, c in itertools.product(fastest("edge"), fastest("cloud"))]
    return [tuple(range(len(nodes))), (0,)] + [(0, s) for s in servers] + pairs


def task_routes(workload: CompiledWorkload, t: int, slowdowns: tuple[float, ...] = (1.0,)) -> np.ndarray:
    """(routes, layers) gene values of task `t`: the distinct least paths over its `node_sets`,
    the unrestricted one first; with `slowdowns`, also the least paths over each (edge, cloud) set
    with the edge server's execution times multiplied by each factor (routes that hand more of the
    work to the cloud sooner, freeing the scarcer edge pools)."""
    tables = task_tables(workload, t)
    env = workload.scenario.environment
    nodes = workload.choice_node[t]
    variants = [(chosen, 1.0) for chosen in node_sets(workload, t)]
    variants += [(chosen, factor) for factor in slowdowns if factor != 1.0
                 for chosen in node_sets(workload, t) if len(chosen) == 3]
    found = [np.empty(0, dtype=np.int64)] * len(variants)
    for size in sorted({len(chosen) for chosen, _ in variants}):  # one programme per node-set size
        members = [i for i, (chosen, _) in enumerate(variants) if len(chosen) == size]
        chosen = np.array([variants[i][0] for i in members])  # (batch, size): the choice of each column
        exec_s = np.transpose(tables.exec_s[:, chosen], (1, 0, 2)).copy()  # (batch, layers, size)
        edge = np.array([[env.nodes[nodes[c]].tier == "edge" for c in row] for row in chosen])
        factors = np.array([variants[i][1] for i in members])
        exec_s *= np.where(edge, factors[:, None], 1.0)[:, None, :]
        spb = tables.spb[chosen[:, :, None], chosen[:, None, :]]
        _, placements = least_paths(exec_s, spb, tables.predecessors, tables.out_bytes, tables.input_bytes)
        for row, i in enumerate(members):
            found[i] = chosen[row][placements[row]]
    routes = np.array(found)
    _, first = np.unique(routes, axis=0, return_index=True)
    return routes[np.sort(first)]
