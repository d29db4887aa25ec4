"""Module tags from structure: a fork-join region (a layer whose output several branches read, up to
the layer where they all meet again) is one module, tagged with the name of that meeting layer. The
built-ins' inception modules and residual blocks are exactly such regions, so an imported model gets
the tags two-step migration and the uploading planners rely on."""

from __future__ import annotations

import attrs

from eosdnn.problems.models.graph import DnnModel


def fork_join_regions(model: DnnModel) -> list[list[int]]:
    """Positions of every outermost fork-join region: the branches after a fork and their join
    (the fork itself is not part of it), in topological order."""
    successors = model.successors()
    predecessors = model.predecessors()
    regions: list[list[int]] = []
    inside: set[int] = set()
    for fork in range(model.n_layers):
        if len(successors[fork]) < 2 or fork in inside:
            continue
        region: list[int] = []
        members = {fork}
        open_edges = len(successors[fork])
        for v in range(fork + 1, model.n_layers):
            incoming = sum(p in members for p in predecessors[v])
            if not incoming:
                continue
            open_edges -= incoming
            region.append(v)
            members.add(v)
            if open_edges == 0:  # every edge leaving the region so far ends here: the join
                regions.append(region)
                inside.update(region[:-1])  # the join may fork the next region
                break
            open_edges += len(successors[v])
    return regions


def with_detected_modules(model: DnnModel) -> DnnModel:
    """The model with every fork-join region tagged as a module (named after its join layer); a
    model that already has module tags is returned as it is."""
    if any(layer.module for layer in model.layers):
        return model
    tags: dict[int, str] = {}
    for region in fork_join_regions(model):
        for position in region:
            tags[position] = model.layers[region[-1]].name
    layers = tuple(attrs.evolve(layer, module=tags.get(i)) for i, layer in enumerate(model.layers))
    return attrs.evolve(model, layers=layers)
