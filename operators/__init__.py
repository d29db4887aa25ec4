"""eosdnn.operators: sampling, crossover and mutation on integer genes, registered by name.

Crossovers take (rng, X, guides); mutations take (rng, X, lower, upper); samplings take
(rng, lower, upper, n). An operator with the attribute `uses_blocks = True` also takes the
problem's `blocks` (each task's genes) as a keyword: `bind` supplies it. Register your own with
`OPERATORS.register("crossover:NAME")` (or `mutation:`, `sampling:`) and pass the name to PSO-GA,
GA or local search.
"""

import functools

from eosdnn.framework.params import operator_spec
from eosdnn.framework.registry import OPERATORS
from eosdnn.operators.integer import (
    GeneReset,
    random_gene_mutation,
    sample_uniform,
    segment_crossover,
    uniform_crossover,
)
from eosdnn.operators.block_moves import segment_move_mutation, task_crossover

OPERATORS.register("sampling:uniform", sample_uniform)
OPERATORS.register("crossover:segment", segment_crossover)
OPERATORS.register("crossover:uniform", uniform_crossover)
OPERATORS.register("mutation:random-gene", random_gene_mutation)
OPERATORS.register("mutation:reset", GeneReset)
OPERATORS.register("mutation:segment-move", segment_move_mutation)
OPERATORS.register("crossover:task", task_crossover)


def operator(kind: str, spec: str):
    """The registered operator `kind:name` (kind: sampling, crossover or mutation) built with the
    parameters `spec` gives it (`name` or `name,key=value,...`)."""
    name, params = operator_spec(spec)
    return OPERATORS.instance(f"{kind}:{name}", **params)


def bind(kind: str, spec: str, problem):
    """The operator `kind:spec` for this problem: a structure-aware one gets the problem's blocks."""
    op = operator(kind, spec)
    if getattr(op, "uses_blocks", False):
        return functools.partial(op, blocks=problem.blocks)
    return op


__all__ = ["OPERATORS", "bind", "operator", "random_gene_mutation", "sample_uniform", "segment_crossover"]
