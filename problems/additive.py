"""The least cost of one task's placement when the cost adds up over its layers and transfers, as
energy and money do (MODEL.md section 7): a lower bound that needs no schedule.

A cost of this kind is `sum over layers of layer_cost[l, c_l]` plus, for every byte sent from a
layer (or the model input, from the client) on choice `a` to a reader on choice `b`,
`link_cost[a, b]`, and for the result `link_cost[c_last, 0]` per byte back to the client (choice 0).
On a chain its least value is a shortest path over (layer, choice), found exactly by a dynamic
programme. On a DAG each layer keeps the transfer from its first input (a tree: the programme is
exact on it) and every other input's transfer is counted at its least over all pairs of choices, so
the value is a valid lower bound, exact for chains.
"""

from __future__ import annotations

import numpy as np

from eosdnn.problems.bounds import TaskTables


def least_additive(tables: TaskTables, layer_cost: np.ndarray, link_cost: np.ndarray) -> float:
    """The least (chains) or a lower bound on the least (DAGs) additive cost of the task's
    placements: `layer_cost` (layers, choices), `link_cost` (choices, choices) per byte."""
    layers = layer_cost.shape[0]
    children: list[list[int]] = [[] for _ in range(layers)]
    loose = 0.0  # the transfers left out of the tree, each at its least
    for layer, inputs in enumerate(tables.predecessors):
        if inputs:
            children[inputs[0]].append(layer)
        for other in inputs[1:]:
            loose += float(tables.out_bytes[other] * link_cost.min())
    below = np.zeros_like(layer_cost)  # least cost of a layer's subtree, per choice of the layer
    for layer in range(layers - 1, -1, -1):
        cost = layer_cost[layer].copy()
        if layer == layers - 1:  # the result returns to the client
            cost += tables.out_bytes[layer] * link_cost[:, 0]
        for child in children[layer]:
            cost += (tables.out_bytes[layer] * link_cost + below[child][None, :]).min(axis=1)
        below[layer] = cost
    roots = [layer for layer, inputs in enumerate(tables.predecessors) if not inputs]
    return loose + sum(float((tables.input_bytes * link_cost[0] + below[root]).min()) for root in roots)
