"""eosdnn.operators: sampling, crossover and mutation on integer genes, registered by name.

Crossovers take (rng, X, guides); mutations take (rng, X, lower, upper); samplings take
(rng, lower, upper, n). Register your own with `OPERATORS.register("crossover:NAME")` (or
`mutation:`, `sampling:`) and pass the name to PSO-GA or GA.
"""

from eosdnn.framework.registry import OPERATORS
from eosdnn.operators.integer import (
    gene_reset_mutation,
    random_gene_mutation,
    sample_uniform,
    segment_crossover,
    uniform_crossover,
)

OPERATORS.register("sampling:uniform", sample_uniform)
OPERATORS.register("crossover:segment", segment_crossover)
OPERATORS.register("crossover:uniform", uniform_crossover)
OPERATORS.register("mutation:random-gene", random_gene_mutation)
OPERATORS.register("mutation:reset", gene_reset_mutation)


def operator(kind: str, name: str):
    """The registered operator `kind:name` (kind: sampling, crossover or mutation)."""
    return OPERATORS.get(f"{kind}:{name}")


__all__ = ["OPERATORS", "operator", "random_gene_mutation", "sample_uniform", "segment_crossover"]
